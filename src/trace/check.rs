//! What a trace may say: every number of its header within the limits a
//! scenario has, and every id of an event within the header's tables. A
//! trace is input like a scenario file, so nothing it says may make a
//! reader allocate without bound or fold an id it does not know.

use crate::event::{Catalog, EventKind, Failure, TaskState, WaitOn};
use crate::limits::{
    MAX_CPUS, MAX_NAME, MAX_PROCESSES, MAX_RESOURCES, MAX_TASKS, MAX_TICKS, MAX_VAR_COPIES,
};

/// Checks a trace header's numbers and cross-references.
pub fn check_catalog(c: &Catalog) -> Result<(), String> {
    let within = |what: &str, n: u64, lo: u64, hi: u64| {
        if (lo..=hi).contains(&n) {
            Ok(())
        } else {
            Err(format!("the header's {what} is {n}, not in {lo}..={hi}"))
        }
    };
    within("cpus", u64::from(c.cpus), 1, MAX_CPUS as u64)?;
    within("quantum", u64::from(c.quantum), 1, MAX_TICKS as u64)?;
    within("max_ticks", c.max_ticks, 1, MAX_TICKS as u64)?;
    within("number of tasks", c.tasks.len() as u64, 0, MAX_TASKS as u64)?;
    let resources = (MAX_RESOURCES + MAX_PROCESSES + MAX_TASKS) as u64;
    within(
        "number of resources",
        c.resources.len() as u64,
        0,
        resources,
    )?;
    within(
        "number of processes",
        c.processes.len() as u64,
        1,
        MAX_PROCESSES as u64 + 1,
    )?;
    let copies = c
        .vars
        .len()
        .saturating_mul(c.tasks.len() + c.processes.len());
    within(
        "number of variable copies",
        copies as u64,
        0,
        MAX_VAR_COPIES as u64,
    )?;
    let long = |n: &str| n.chars().count() > MAX_NAME + 16;
    if c.tasks.iter().any(|t| long(&t.name))
        || c.resources.iter().any(|r| long(&r.name))
        || c.vars.iter().any(|v| long(&v.name))
        || c.processes.iter().any(|p| long(&p.name))
    {
        return Err(format!(
            "the header names something with more than {MAX_NAME} characters"
        ));
    }
    let (nt, nr, np) = (c.tasks.len(), c.resources.len(), c.processes.len());
    let bad = |what: String| Err(format!("the header's {what} is out of range"));
    for (i, t) in c.tasks.iter().enumerate() {
        if t.proc as usize >= np {
            return bad(format!("process of task {i}"));
        }
        if t.event_loop.is_some_and(|l| l.index() >= nt) {
            return bad(format!("loop of task {i}"));
        }
        if t.pool.is_some_and(|p| p.index() >= nr) {
            return bad(format!("pool of task {i}"));
        }
        let lines = t.script.lines.len() as u32;
        if t.script.pc_line.iter().any(|&l| l >= lines.max(1)) {
            return bad(format!("script line of an instruction of task {i}"));
        }
    }
    for (i, r) in c.resources.iter().enumerate() {
        if r.lock.is_some_and(|l| l.index() >= nr)
            || r.owner.is_some_and(|t| t.index() >= nt)
            || r.process.is_some_and(|p| p as usize >= np)
        {
            return bad(format!("reference of resource {i}"));
        }
    }
    for (i, p) in c.processes.iter().enumerate() {
        if p.task.is_some_and(|t| t.index() >= nt)
            || p.worker.is_some_and(|(r, _)| r.index() >= nr)
            || p.gil.is_some_and(|g| g.index() >= nr)
        {
            return bad(format!("reference of process {i}"));
        }
    }
    if let Some(e) = &c.expect {
        let out =
            |k: &crate::event::FinalCheck| k.terms.iter().any(|(_, v)| v.index() >= c.vars.len());
        if e.checks.iter().any(out) {
            return bad("variable of an expectation".to_string());
        }
    }
    Ok(())
}

/// Checks that every id an event names is in the catalog's tables.
pub fn check_ids(kind: &EventKind, c: &Catalog) -> Result<(), String> {
    let ids = Ids(c);
    use EventKind as K;
    match kind {
        K::State { task, state } => {
            ids.task(*task)?;
            ids.state(*state)
        }
        K::Pc { task, pc } => {
            ids.task(*task)?;
            let n = c.tasks[task.index()].script.pc_line.len();
            if (*pc as usize) < n.max(1) {
                Ok(())
            } else {
                Err(format!("event names instruction {pc} of a task with {n}"))
            }
        }
        K::LockWait { task, lock: r }
        | K::LockAcquire { task, lock: r, .. }
        | K::LockRelease { task, lock: r, .. }
        | K::QueuePut { task, queue: r, .. }
        | K::QueueGet { task, queue: r, .. }
        | K::QueueDone { task, queue: r, .. }
        | K::PermitAcquire { task, sem: r, .. }
        | K::PermitRelease { task, sem: r, .. }
        | K::ReadAcquire { task, lock: r, .. }
        | K::ReadRelease { task, lock: r, .. }
        | K::Notify { task, cond: r, .. }
        | K::FlagSet { task, event: r }
        | K::FlagClear { task, event: r }
        | K::BarrierWait {
            task, barrier: r, ..
        }
        | K::BarrierBroken { task, barrier: r }
        | K::PoolStart { task, pool: r, .. }
        | K::PoolClose { task, pool: r } => {
            ids.task(*task)?;
            ids.res(r.index())
        }
        K::WaitTimeout { task, on } => {
            ids.task(*task)?;
            ids.wait(*on)
        }
        K::VarRead { task, var, .. } | K::VarWrite { task, var, .. } => {
            ids.task(*task)?;
            ids.var(var.index())
        }
        K::Print { task, .. } => ids.task(*task),
        K::Spawn { task, child: other }
        | K::Terminate {
            task,
            target: other,
        } => {
            ids.task(*task)?;
            ids.task(*other)
        }
        K::Switch { cpu, task, .. } => {
            ids.cpu(cpu.index())?;
            ids.task(*task)
        }
        K::Choice { options, chosen } => {
            ids.task(*chosen)?;
            options.iter().try_for_each(|&t| ids.task(t))
        }
        K::Deadlock { cycle, .. } => cycle.iter().try_for_each(|e| {
            ids.task(e.task)?;
            ids.task(e.held_by)?;
            ids.wait(e.waits_for)
        }),
        K::Stall { stuck } => stuck.iter().try_for_each(|s| {
            ids.task(s.task)?;
            ids.wait(s.waits_for)
        }),
        K::End { .. } => Ok(()),
    }
}

struct Ids<'a>(&'a Catalog);

impl Ids<'_> {
    fn within(what: &str, i: usize, n: usize) -> Result<(), String> {
        if i < n {
            Ok(())
        } else {
            Err(format!("event names {what} {i} but the trace has {n}"))
        }
    }

    fn task(&self, t: crate::event::TaskId) -> Result<(), String> {
        Self::within("task", t.index(), self.0.tasks.len())
    }

    fn res(&self, r: usize) -> Result<(), String> {
        Self::within("resource", r, self.0.resources.len())
    }

    fn var(&self, v: usize) -> Result<(), String> {
        Self::within("variable", v, self.0.vars.len())
    }

    fn cpu(&self, c: usize) -> Result<(), String> {
        Self::within("cpu", c, self.0.cpus as usize)
    }

    fn wait(&self, on: WaitOn) -> Result<(), String> {
        match (on.resource(), on.task()) {
            (Some(r), _) => self.res(r.index()),
            (_, Some(t)) => self.task(t),
            _ => Ok(()),
        }
    }

    fn state(&self, s: TaskState) -> Result<(), String> {
        match s {
            TaskState::Running { cpu } => self.cpu(cpu.index()),
            TaskState::Blocked { on, .. } => self.wait(on),
            TaskState::Failed { reason } => match reason {
                Failure::Timeout(r)
                | Failure::Full(r)
                | Failure::Empty(r)
                | Failure::NotHeld(r)
                | Failure::TooManyDone(r)
                | Failure::TooManyReleases(r)
                | Failure::Unacquired(r)
                | Failure::BrokenBarrier(r)
                | Failure::PoolClosed(r) => self.res(r.index()),
                Failure::AlreadyStarted(t) => self.task(t),
                // A put's value that overflowed names no variable.
                Failure::Overflow(v) if v.0 == u32::MAX => Ok(()),
                Failure::Overflow(v) => self.var(v.index()),
                Failure::NoProgress | Failure::JoinSelf => Ok(()),
            },
            _ => Ok(()),
        }
    }
}
