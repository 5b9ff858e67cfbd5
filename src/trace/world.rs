//! `World`: the state of a run after some prefix of its events, computed
//! only by folding events. Views and reports read it; nothing else changes it.

use crate::event::{
    Catalog, CpuId, DeadlockRule, Event, EventKind, Outcome, ResourceId, StuckTask, TaskId,
    TaskState, WaitEdge, WaitOn,
};

use super::resources::{PrimState, QueueOp, ResourceState, Waiting};

/// Ticks a task spent in each kind of state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StateTicks {
    /// On a CPU.
    pub running: u64,
    /// Waiting for a CPU.
    pub ready: u64,
    /// Waiting for another task.
    pub blocked: u64,
    /// In `sleep` or `io`.
    pub sleeping: u64,
}

/// A task as the fold sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskView {
    /// Its current state.
    pub state: TaskState,
    /// The tick it entered that state.
    pub since: u64,
    /// Ticks per state up to `since`.
    pub ticks: StateTicks,
    /// The tick it first became ready.
    pub arrival: Option<u64>,
    /// The tick it first ran.
    pub first_run: Option<u64>,
    /// The tick it ended.
    pub finish: Option<u64>,
    /// The instruction it is at.
    pub pc: Option<u32>,
    /// The process it runs in (an index into the catalog's processes); a
    /// process pool's job moves to its worker's process when it starts.
    pub proc: u32,
    /// Its script is the main thread of a process of its own.
    pub heads_process: bool,
    /// A pool's job: the pool and worker that run it, once started.
    pub worker: Option<(ResourceId, u32)>,
}

impl TaskView {
    /// Ticks per state up to `now`, counting the state it is in.
    pub fn ticks_at(&self, now: u64) -> StateTicks {
        let mut t = self.ticks;
        add_ticks(&mut t, self.state, now.saturating_sub(self.since));
        t
    }
}

fn add_ticks(t: &mut StateTicks, state: TaskState, n: u64) {
    match state {
        TaskState::Running { .. } => t.running += n,
        TaskState::Ready => t.ready += n,
        TaskState::Blocked { .. } => t.blocked += n,
        TaskState::Sleeping { .. } => t.sleeping += n,
        TaskState::New | TaskState::Done | TaskState::Failed { .. } | TaskState::Killed => {}
    }
}

/// A CPU as the fold sees it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CpuView {
    /// The task on it.
    pub task: Option<TaskId>,
    /// Since when that task runs.
    pub since: u64,
    /// Busy ticks up to `since` (running tasks and context switches).
    pub busy: u64,
    /// The task it ran last (running now or before).
    pub last: Option<TaskId>,
    /// Context switches: times it started a task other than the one it
    /// ran last (the first task it runs is no switch).
    pub switches: u64,
    /// Ticks spent switching (`switch_cost` per switch; part of `busy`).
    pub switch_ticks: u64,
}

impl CpuView {
    /// Busy ticks up to `now`.
    pub fn busy_at(&self, now: u64) -> u64 {
        match self.task {
            Some(_) => self.busy + now.saturating_sub(self.since),
            None => self.busy,
        }
    }
}

/// A deadlock as its event reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadlockFound {
    /// The tick it closed.
    pub tick: u64,
    /// The rule that found it.
    pub rule: DeadlockRule,
    /// The cycle, or one edge from each knot member to each releaser.
    pub edges: Vec<WaitEdge>,
}

/// The state of a run after `step` events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct World {
    /// Events applied.
    pub step: usize,
    /// The tick of the last event applied.
    pub tick: u64,
    /// Tasks, by id.
    pub tasks: Vec<TaskView>,
    /// Resources, by id: each one's state for its kind, and its waiters.
    pub resources: Vec<ResourceState>,
    /// Shared variables, per process (by index into the catalog's
    /// processes), by variable id.
    pub vars: Vec<Vec<i64>>,
    /// CPUs, by id.
    pub cpus: Vec<CpuView>,
    /// Every deadlock found.
    pub deadlocks: Vec<DeadlockFound>,
    /// The stuck tasks of a stall.
    pub stall: Option<Vec<StuckTask>>,
    /// How the run ended, once it has.
    pub outcome: Option<Outcome>,
}

/// Cap on the processes whose variables the fold keeps (a trace's catalog
/// is untrusted input).
const MAX_PROCESSES: usize = 4096;

impl World {
    /// The state before any event.
    pub fn new(catalog: &Catalog) -> World {
        let initial: Vec<i64> = catalog.vars.iter().map(|v| v.initial).collect();
        let procs = catalog.processes.len().clamp(1, MAX_PROCESSES);
        let mut world = World {
            step: 0,
            tick: 0,
            tasks: Vec::new(),
            resources: Vec::new(),
            vars: vec![initial; procs],
            cpus: Vec::new(),
            deadlocks: Vec::new(),
            stall: None,
            outcome: None,
        };
        world.grow(catalog);
        world
    }

    /// Makes room for what `catalog` has declared since this world was
    /// made: its new tasks (not started), resources (in their initial
    /// state) and CPUs (idle). A real program's trace declares these as it
    /// goes; what was there before is left as it is.
    pub fn grow(&mut self, catalog: &Catalog) {
        for (i, info) in catalog.tasks.iter().enumerate().skip(self.tasks.len()) {
            self.tasks.push(TaskView {
                state: TaskState::New,
                since: 0,
                ticks: StateTicks::default(),
                arrival: None,
                first_run: None,
                finish: None,
                pc: None,
                proc: info.proc,
                heads_process: catalog
                    .processes
                    .get(info.proc as usize)
                    .is_some_and(|p| p.task == Some(TaskId(i as u32))),
                worker: None,
            });
        }
        for r in catalog.resources.iter().skip(self.resources.len()) {
            self.resources.push(ResourceState::new(r));
        }
        let cpus = catalog.cpus as usize;
        if self.cpus.len() < cpus {
            self.cpus.resize(cpus, CpuView::default());
        }
    }

    /// About how many bytes a copy of it takes, inline and on the heap
    /// (the size of a checkpoint).
    pub fn heap_bytes(&self) -> usize {
        use std::mem::{size_of, size_of_val};
        size_of::<World>()
            + size_of_val(&self.tasks[..])
            + self
                .resources
                .iter()
                .map(|r| size_of::<ResourceState>() + r.heap_bytes())
                .sum::<usize>()
            + self
                .vars
                .iter()
                .map(|v| size_of::<Vec<i64>>() + size_of_val(&v[..]))
                .sum::<usize>()
            + size_of_val(&self.cpus[..])
            + self
                .deadlocks
                .iter()
                .map(|d| size_of::<DeadlockFound>() + size_of_val(&d.edges[..]))
                .sum::<usize>()
            + self.stall.as_deref().map_or(0, size_of_val)
    }

    /// Applies one event. Ids out of range are ignored, so a corrupt trace
    /// cannot make the fold panic.
    pub fn apply(&mut self, e: &Event) {
        self.step += 1;
        self.tick = e.tick;
        let now = e.tick;
        use EventKind as K;
        match &e.kind {
            K::State { task, state } => self.set_state(*task, *state, now),
            K::Pc { task, pc } => {
                if let Some(t) = self.tasks.get_mut(task.index()) {
                    t.pc = Some(*pc);
                }
            }
            K::LockWait { lock, .. } => self.prim(*lock, |p| p.lock_wait()),
            K::LockAcquire { task, lock, depth } => {
                self.prim(*lock, |p| p.lock_acquire(*task, *depth, now))
            }
            K::LockRelease { task, lock, depth } => {
                self.prim(*lock, |p| p.lock_release(*task, *depth))
            }
            K::ReadAcquire { task, lock, .. } => self.prim(*lock, |p| p.read(*task, true)),
            K::ReadRelease { task, lock, .. } => self.prim(*lock, |p| p.read(*task, false)),
            K::PermitAcquire { task, sem, left } => {
                self.prim(*sem, |p| p.permit(*task, *left, true))
            }
            K::PermitRelease { task, sem, left } => {
                self.prim(*sem, |p| p.permit(*task, *left, false))
            }
            K::Notify { task, cond, woken } => self.prim(*cond, |p| p.notify(*task, *woken)),
            K::FlagSet { task, event } => self.prim(*event, |p| p.flag(*task, true)),
            K::FlagClear { task, event } => self.prim(*event, |p| p.flag(*task, false)),
            K::BarrierWait {
                task,
                barrier,
                arrived,
            } => self.prim(*barrier, |p| p.barrier_wait(*task, *arrived)),
            K::BarrierBroken { barrier, .. } => self.prim(*barrier, PrimState::barrier_broken),
            K::QueuePut {
                task,
                queue,
                len,
                value,
            } => self.prim(*queue, |p| p.queue(*task, QueueOp::Put(*len, *value))),
            K::QueueGet {
                task,
                queue,
                len,
                value,
            } => self.prim(*queue, |p| p.queue(*task, QueueOp::Get(*len, *value))),
            K::QueueDone {
                task,
                queue,
                unfinished,
            } => self.prim(*queue, |p| p.queue(*task, QueueOp::Done(*unfinished))),
            K::PoolStart { task, pool, worker } => self.pool_start(*task, *pool, *worker),
            K::PoolClose { pool, .. } => self.prim(*pool, PrimState::pool_close),
            K::VarWrite { task, var, value } => {
                let p = self.proc_of(*task);
                if let Some(v) = self.vars.get_mut(p).and_then(|vs| vs.get_mut(var.index())) {
                    *v = *value;
                }
            }
            K::Spawn { task, child } => self.spawn(*task, *child),
            K::Switch { cpu, ticks, .. } => {
                if let Some(c) = self.cpus.get_mut(cpu.index()) {
                    c.busy += u64::from(*ticks);
                    c.switch_ticks += u64::from(*ticks);
                }
            }
            K::Deadlock { rule, cycle } => self.deadlocks.push(DeadlockFound {
                tick: now,
                rule: *rule,
                edges: cycle.to_vec(),
            }),
            K::Stall { stuck } => self.stall = Some(stuck.to_vec()),
            K::End { outcome } => self.outcome = Some(*outcome),
            K::WaitTimeout { .. }
            | K::VarRead { .. }
            | K::Choice { .. }
            | K::Print { .. }
            | K::Terminate { .. } => {}
        }
    }

    fn prim(&mut self, r: ResourceId, f: impl FnOnce(&mut PrimState)) {
        if let Some(res) = self.resources.get_mut(r.index()) {
            f(&mut res.prim);
        }
    }

    fn proc_of(&self, task: TaskId) -> usize {
        self.tasks.get(task.index()).map_or(0, |t| t.proc as usize)
    }

    fn spawn(&mut self, parent: TaskId, child: TaskId) {
        let Some(c) = self.tasks.get(child.index()) else {
            return;
        };
        if !c.heads_process {
            return;
        }
        let (from, to) = (self.proc_of(parent), c.proc as usize);
        if from != to && to < self.vars.len() {
            if let Some(values) = self.vars.get(from).cloned() {
                self.vars[to] = values;
            }
        }
    }

    fn pool_start(&mut self, job: TaskId, pool: ResourceId, worker: u32) {
        let Some(res) = self.resources.get_mut(pool.index()) else {
            return;
        };
        if !res.prim.pool_start(job, worker) {
            return;
        }
        let process = match &res.prim {
            PrimState::Pool(p) => p.process,
            _ => None,
        };
        if let Some(t) = self.tasks.get_mut(job.index()) {
            t.worker = Some((pool, worker));
            if let Some(base) = process {
                t.proc = base.saturating_add(worker);
            }
        }
    }

    fn set_state(&mut self, task: TaskId, state: TaskState, now: u64) {
        let Some(t) = self.tasks.get_mut(task.index()) else {
            return;
        };
        let old = t.state;
        add_ticks(&mut t.ticks, old, now.saturating_sub(t.since));
        t.state = state;
        t.since = now;
        if old == TaskState::New && state != TaskState::New {
            t.arrival.get_or_insert(now);
        }
        let worker = t.worker;
        if state.is_final() {
            t.finish = Some(now);
            if let Some((pool, w)) = worker {
                if !old.is_final() {
                    self.prim(pool, |p| p.pool_end(task, w));
                }
            }
        }
        if let TaskState::Running { cpu } = state {
            if let Some(t) = self.tasks.get_mut(task.index()) {
                t.first_run.get_or_insert(now);
            }
            self.cpu_takes(cpu, Some(task), now);
        }
        if let TaskState::Running { cpu } = old {
            if !matches!(state, TaskState::Running { cpu: c } if c == cpu) {
                self.cpu_takes(cpu, None, now);
            }
        }
        self.move_waiter(task, old, state, now);
    }

    /// Keeps every resource's waiters in step with the tasks' states: a task
    /// waits on `on.resource()` while it is blocked on it.
    fn move_waiter(&mut self, task: TaskId, old: TaskState, new: TaskState, now: u64) {
        let old_on = match old {
            TaskState::Blocked { on, .. } => Some(on),
            _ => None,
        };
        let (new_on, timed) = match new {
            TaskState::Blocked { on, timed } => (Some(on), timed),
            _ => (None, false),
        };
        if old_on == new_on {
            if let Some(r) = new_on.and_then(WaitOn::resource) {
                if let Some(w) = self
                    .resources
                    .get_mut(r.index())
                    .and_then(|res| res.waiter_mut(task))
                {
                    w.timed = timed;
                }
            }
            return;
        }
        if let Some(r) = old_on.and_then(WaitOn::resource) {
            if let Some(res) = self.resources.get_mut(r.index()) {
                if let Some(w) = res.remove_waiter(task) {
                    let d = now.saturating_sub(w.since);
                    res.waited += d;
                    res.longest_wait = res.longest_wait.max(d);
                }
            }
        }
        if let (Some(on), Some(r)) = (new_on, new_on.and_then(WaitOn::resource)) {
            if let Some(res) = self.resources.get_mut(r.index()) {
                res.add_waiter(Waiting {
                    task,
                    on,
                    since: now,
                    timed,
                });
            }
        }
    }

    fn cpu_takes(&mut self, cpu: CpuId, task: Option<TaskId>, now: u64) {
        if let Some(c) = self.cpus.get_mut(cpu.index()) {
            if c.task.is_some() {
                c.busy += now.saturating_sub(c.since);
            }
            if let Some(t) = task {
                if c.last.is_some_and(|l| l != t) {
                    c.switches += 1;
                }
                c.last = Some(t);
            }
            c.task = task;
            c.since = now;
        }
    }

    /// The variables of the main process.
    pub fn main_vars(&self) -> &[i64] {
        self.vars.first().map_or(&[], Vec::as_slice)
    }

    /// The variables of process `p`.
    pub fn vars_of(&self, p: u32) -> &[i64] {
        self.vars.get(p as usize).map_or(&[], Vec::as_slice)
    }

    /// Whether a task has ended for good (an unknown task counts as ended).
    pub fn ended(&self, task: TaskId) -> bool {
        self.tasks
            .get(task.index())
            .is_none_or(|t| t.state.is_final())
    }
}

#[cfg(test)]
#[path = "world_tests.rs"]
mod tests;
