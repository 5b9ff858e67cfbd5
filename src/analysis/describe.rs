//! Words: how failures and waits read, in one place for the reports, the
//! log and every panel.

use crate::event::{
    Catalog, DeadlockRule, Failure, ResourceId, StuckTask, TaskId, TaskState, WaitOn,
};
use crate::trace::World;

/// A failure as a user reads it, named like Python's exceptions.
pub fn failure_text(cat: &Catalog, f: Failure) -> String {
    let r = |id| cat.resource_name(id);
    match f {
        Failure::Timeout(x) => format!("timeout waiting for {}", r(x)),
        Failure::Full(q) => format!("queue.Full: {} is full", r(q)),
        Failure::Empty(q) => format!("queue.Empty: {} is empty", r(q)),
        Failure::NotHeld(x) => format!(
            "RuntimeError: release of {}, which this task does not hold",
            r(x)
        ),
        Failure::TooManyDone(q) => format!(
            "ValueError: task_done on {} called more times than items were put",
            r(q)
        ),
        Failure::AlreadyStarted(t) => {
            format!("RuntimeError: {} was already started", cat.task_name(t))
        }
        Failure::NoProgress => {
            "no time passes: a loop runs without compute, sleep or a wait".to_string()
        }
        Failure::TooManyReleases(s) => {
            format!("ValueError: Semaphore {} released too many times", r(s))
        }
        Failure::Unacquired(c) => format!(
            "RuntimeError: wait or notify on {} without holding its lock",
            r(c)
        ),
        Failure::BrokenBarrier(b) => format!("BrokenBarrierError: barrier {} is broken", r(b)),
        Failure::JoinSelf => "RuntimeError: cannot join current thread".to_string(),
        Failure::Overflow(v) => format!(
            "OverflowError: {} does not fit in a 64-bit integer",
            cat.var_name(v)
        ),
        Failure::PoolClosed(p) => format!(
            "RuntimeError: cannot schedule new jobs on {} after it was joined",
            r(p)
        ),
    }
}

/// The short name of what a task waits for, as lanes and lists label it.
pub fn wait_label(cat: &Catalog, on: WaitOn) -> String {
    let name = cat.wait_name(on);
    match on {
        WaitOn::Lock(_) | WaitOn::Task(_) | WaitOn::Gil(_) => name.to_string(),
        WaitOn::Read(_) => format!("read {name}"),
        WaitOn::Permit(_) => format!("permit {name}"),
        WaitOn::Notify(_) => format!("wait {name}"),
        WaitOn::Flag(_) => format!("event {name}"),
        WaitOn::Barrier(_) => format!("barrier {name}"),
        WaitOn::Put(_) => format!("put {name}"),
        WaitOn::Get(_) => format!("get {name}"),
        WaitOn::QueueJoin(_) => format!("join {name}"),
        WaitOn::Worker(_) => format!("pool {name}"),
        WaitOn::PoolJoin(_) => format!("join {name}"),
        WaitOn::Loop(_) => format!("loop {name}"),
        WaitOn::RunLoop(_) => "run_loop".to_string(),
        WaitOn::Await(_) => format!("await {name}"),
        WaitOn::AwaitSleep => "await sleep".to_string(),
    }
}

/// The rule of a deadlock in words, for titles and reports.
pub fn rule_text(rule: DeadlockRule) -> &'static str {
    match rule {
        DeadlockRule::Cycle => "a wait-for cycle: each task waits for something the next one holds",
        DeadlockRule::Knot => {
            "a knot: every task that could end a member's wait is itself blocked in it"
        }
    }
}

/// What a task waits for, in words, with the resource's state at `world`.
pub fn wait_words(cat: &Catalog, world: &World, on: WaitOn) -> String {
    let name = cat.wait_name(on);
    let who = |t: TaskId| cat.task_name(t).to_string();
    let names = |ts: &[TaskId]| {
        if ts.is_empty() {
            "nobody".to_string()
        } else {
            ts.iter().map(|&t| who(t)).collect::<Vec<_>>().join(", ")
        }
    };
    let r = on.resource().unwrap_or(ResourceId(u32::MAX));
    match on {
        WaitOn::Lock(_) | WaitOn::Gil(_) if world.rwlock(r).is_some() => {
            let rw = world.rwlock(r).cloned().unwrap_or_default();
            match rw.writer {
                Some(w) => format!("rwlock {name} to write (written by {})", who(w)),
                None => format!("rwlock {name} to write (read by {})", names(&rw.readers)),
            }
        }
        WaitOn::Lock(_) | WaitOn::Gil(_) => {
            let what = if matches!(on, WaitOn::Gil(_)) {
                "the GIL"
            } else {
                "lock"
            };
            match world.lock(r).and_then(|l| l.holder) {
                Some(h) => format!("{what} {name} (held by {})", who(h)),
                None => format!("{what} {name} (free)"),
            }
        }
        WaitOn::Read(_) => match world.rwlock(r).and_then(|rw| rw.writer) {
            Some(w) => format!("rwlock {name} to read (written by {})", who(w)),
            None => format!("rwlock {name} to read (writers go first)"),
        },
        WaitOn::Permit(_) => {
            let s = world.semaphore(r).cloned().unwrap_or_default();
            let holders: Vec<TaskId> = s.holders.iter().map(|(t, _)| *t).collect();
            format!(
                "a permit of {name} ({} of {} left; held by {})",
                s.left,
                s.permits,
                names(&holders)
            )
        }
        WaitOn::Notify(_) => format!("a notify of condition {name}"),
        WaitOn::Flag(_) => format!("event {name} to be set"),
        WaitOn::Barrier(_) => {
            let b = world.barrier(r).cloned().unwrap_or_default();
            format!("barrier {name} ({} of {} arrived)", b.arrived, b.parties)
        }
        WaitOn::Put(_) => format!(
            "space in {name} (len {})",
            world.queue(r).map_or(0, |q| q.len)
        ),
        WaitOn::Get(_) => format!(
            "an item in {name} (len {})",
            world.queue(r).map_or(0, |q| q.len)
        ),
        WaitOn::QueueJoin(_) => format!("every item of {name} marked done"),
        WaitOn::Worker(_) => {
            let busy = world.pool(r).map_or(0, |p| p.busy());
            format!("a free worker of pool {name} ({busy} busy)")
        }
        WaitOn::PoolJoin(_) => format!("every job of pool {name} to end"),
        WaitOn::Loop(_) => match world.lock(r).and_then(|l| l.holder) {
            Some(h) => format!("its turn on loop {name} (running {})", who(h)),
            None => format!("its turn on loop {name} (not running yet)"),
        },
        WaitOn::RunLoop(_) => format!("its coroutines to end (runs loop {name})"),
        WaitOn::Task(_) => format!("task {name} to end"),
        WaitOn::Await(_) => format!("coroutine {name} to end (await)"),
        WaitOn::AwaitSleep => "an await sleep to end".to_string(),
    }
}

/// Why nobody can end a stuck task's wait.
pub fn stall_reason(cat: &Catalog, world: &World, s: &StuckTask) -> String {
    let who = cat.task_name(s.task);
    let name = cat.wait_name(s.waits_for);
    let state_of = |t: TaskId| world.tasks.get(t.index()).map(|v| v.state);
    let r = s.waits_for.resource().unwrap_or(ResourceId(u32::MAX));
    let ended_holder = |h: TaskId| {
        state_of(h).filter(|st| st.is_final()).map(|st| {
            format!(
                "{} has ended ({}) without releasing it",
                cat.task_name(h),
                st.name()
            )
        })
    };
    match s.waits_for {
        WaitOn::Lock(_) | WaitOn::Gil(_) => {
            let holders = world.prim_of(r).map(|p| p.holders()).unwrap_or_default();
            match holders.first() {
                Some(&h) => match ended_holder(h) {
                    Some(why) => format!("{who} waits for {name}: its holder {why}"),
                    None => format!(
                        "{who} waits for {name}, held by {}, which waits forever too",
                        cat.task_name(h)
                    ),
                },
                None => format!("{who} waits for {name}, and nobody is left to hand it over"),
            }
        }
        WaitOn::Read(_) => match world.rwlock(r).and_then(|rw| rw.writer) {
            Some(w) => match ended_holder(w) {
                Some(why) => format!("{who} waits to read {name}: its writer {why}"),
                None => format!("{who} waits to read {name}; its writer {} waits forever too", cat.task_name(w)),
            },
            None => format!("{who} waits to read {name}; no writer that goes first will ever finish"),
        },
        WaitOn::Permit(_) => format!(
            "{who} waits for a permit of semaphore {name}; no task that holds or could release one is left"
        ),
        WaitOn::Notify(_) => {
            format!("{who} waits on condition {name}; no task that could notify it is left")
        }
        WaitOn::Flag(_) => format!("{who} waits for event {name}; no task that could set it is left"),
        WaitOn::Barrier(_) => {
            let b = world.barrier(r).cloned().unwrap_or_default();
            format!(
                "{who} waits at barrier {name} ({} of {} arrived); the other parties will never arrive",
                b.arrived, b.parties
            )
        }
        WaitOn::Get(_) => {
            format!("{who} waits to get from {name}: it is empty and no task left will put into it")
        }
        WaitOn::Put(_) => {
            format!("{who} waits to put into {name}: it is full and no task left will get from it")
        }
        WaitOn::QueueJoin(_) => format!(
            "{who} joins {name}: items were never marked done, and nobody is left to call task_done"
        ),
        WaitOn::Worker(_) => format!(
            "{who} waits for a free worker of pool {name}; the jobs on its workers never end"
        ),
        WaitOn::PoolJoin(_) => {
            format!("{who} joins pool {name}; some of its jobs wait forever")
        }
        WaitOn::Loop(_) => format!(
            "{who} waits for its turn on loop {name}; the coroutine running on it, or its loop thread, is stuck"
        ),
        WaitOn::RunLoop(_) => {
            format!("{who} runs loop {name} until its coroutines end, but they wait forever")
        }
        WaitOn::Task(t) | WaitOn::Await(t) => {
            let verb = if matches!(s.waits_for, WaitOn::Await(_)) { "awaits" } else { "joins" };
            match state_of(t) {
                Some(TaskState::New) => format!("{who} {verb} {name}, which was never spawned"),
                Some(st) => format!("{who} {verb} {name}, which is {} forever", st.name()),
                None => format!("{who} {verb} {name}, which does not exist"),
            }
        }
        WaitOn::AwaitSleep => format!("{who} is in an await sleep that never ends"),
    }
}

/// Where a blocked task's wait was made: in a real program's trace, the
/// place of the waiting call (`bank.rs:22`), given for the `blocked` state
/// at event `blocked_step`; in a scenario, the line of the script at the
/// task's instruction `pc` (`abba.toml:14`).
pub fn wait_place(
    trace: &crate::trace::Trace,
    task: crate::event::TaskId,
    blocked_step: Option<usize>,
    pc: Option<u32>,
) -> Option<String> {
    if let Some(at) = blocked_step.and_then(|s| trace.wait_site(s)) {
        return Some(at.to_string());
    }
    let script = &trace.catalog.tasks.get(task.index())?.script;
    let line = script.pc_line.get(pc? as usize)?;
    let file = trace.catalog.path.rsplit(['/', '\\']).next()?;
    Some(format!("{file}:{}", script.first_line + line))
}

/// The event that began the state `task` is in after the first `step`
/// events (its last state change before `step`).
pub fn state_step(
    trace: &crate::trace::Trace,
    task: crate::event::TaskId,
    step: usize,
) -> Option<usize> {
    let events = trace.events();
    events[..step.min(events.len())].iter().rposition(
        |e| matches!(e.kind, crate::event::EventKind::State { task: t, .. } if t == task),
    )
}
