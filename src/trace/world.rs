//! `World`: the state of a run after some prefix of its events, computed
//! only by folding events. Views and reports read it; nothing else changes it.

use crate::event::{
    Catalog, CpuId, Event, EventKind, Outcome, StuckTask, TaskId, TaskState, WaitEdge, WaitOn,
};

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

/// A lock as the fold sees it (default for resources that are not locks).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LockView {
    /// Who holds it.
    pub holder: Option<TaskId>,
    /// How many times the holder holds it.
    pub depth: u32,
    /// Who waits for it, first first.
    pub waiters: Vec<TaskId>,
    /// Since when the holder holds it.
    pub held_since: u64,
    /// Acquisitions so far (re-entries count).
    pub acquisitions: u64,
    /// Requests that had to wait so far.
    pub contentions: u64,
}

/// A queue as the fold sees it (default for resources that are not queues).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QueueView {
    /// Items in it now.
    pub len: u32,
    /// The most it held.
    pub max_len: u32,
    /// Items put so far.
    pub puts: u64,
    /// Items got so far.
    pub gets: u64,
    /// Items put and not yet marked done.
    pub unfinished: u32,
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

/// The state of a run after `step` events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct World {
    /// Events applied.
    pub step: usize,
    /// The tick of the last event applied.
    pub tick: u64,
    /// Tasks, by id.
    pub tasks: Vec<TaskView>,
    /// Locks, by resource id.
    pub locks: Vec<LockView>,
    /// Queues, by resource id.
    pub queues: Vec<QueueView>,
    /// Shared variables, by id.
    pub vars: Vec<i64>,
    /// CPUs, by id.
    pub cpus: Vec<CpuView>,
    /// Every deadlock found, with its tick.
    pub deadlocks: Vec<(u64, Vec<WaitEdge>)>,
    /// The stuck tasks of a stall.
    pub stall: Option<Vec<StuckTask>>,
    /// How the run ended, once it has.
    pub outcome: Option<Outcome>,
}

impl World {
    /// The state before any event.
    pub fn new(catalog: &Catalog) -> World {
        let task = TaskView {
            state: TaskState::New,
            since: 0,
            ticks: StateTicks::default(),
            arrival: None,
            first_run: None,
            finish: None,
            pc: None,
        };
        World {
            step: 0,
            tick: 0,
            tasks: vec![task; catalog.tasks.len()],
            locks: vec![LockView::default(); catalog.resources.len()],
            queues: vec![QueueView::default(); catalog.resources.len()],
            vars: catalog.vars.iter().map(|v| v.initial).collect(),
            cpus: vec![CpuView::default(); catalog.cpus as usize],
            deadlocks: Vec::new(),
            stall: None,
            outcome: None,
        }
    }

    /// Applies one event. Ids out of range are ignored, so a corrupt trace
    /// cannot make the fold panic.
    pub fn apply(&mut self, e: &Event) {
        self.step += 1;
        self.tick = e.tick;
        let now = e.tick;
        match &e.kind {
            EventKind::State { task, state } => self.set_state(*task, *state, now),
            EventKind::Pc { task, pc } => {
                if let Some(t) = self.tasks.get_mut(task.index()) {
                    t.pc = Some(*pc);
                }
            }
            EventKind::LockWait { task, lock } => {
                if let Some(l) = self.locks.get_mut(lock.index()) {
                    l.waiters.push(*task);
                    l.contentions += 1;
                }
            }
            EventKind::LockAcquire { task, lock, depth } => {
                if let Some(l) = self.locks.get_mut(lock.index()) {
                    l.waiters.retain(|w| w != task);
                    if l.holder != Some(*task) || *depth == 1 {
                        l.held_since = now;
                    }
                    l.holder = Some(*task);
                    l.depth = *depth;
                    l.acquisitions += 1;
                }
            }
            EventKind::LockRelease { lock, depth, .. } => {
                if let Some(l) = self.locks.get_mut(lock.index()) {
                    l.depth = *depth;
                    if *depth == 0 {
                        l.holder = None;
                    }
                }
            }
            EventKind::WaitTimeout { task, on } => self.forget_wait(*task, *on),
            EventKind::QueuePut { queue, len, .. } => {
                if let Some(q) = self.queues.get_mut(queue.index()) {
                    q.len = *len;
                    q.max_len = q.max_len.max(*len);
                    q.puts += 1;
                    q.unfinished += 1;
                }
            }
            EventKind::QueueGet { queue, len, .. } => {
                if let Some(q) = self.queues.get_mut(queue.index()) {
                    q.len = *len;
                    q.gets += 1;
                }
            }
            EventKind::QueueDone {
                queue, unfinished, ..
            } => {
                if let Some(q) = self.queues.get_mut(queue.index()) {
                    q.unfinished = *unfinished;
                }
            }
            EventKind::VarWrite { var, value, .. } => {
                if let Some(v) = self.vars.get_mut(var.index()) {
                    *v = *value;
                }
            }
            EventKind::Switch { cpu, ticks, .. } => {
                if let Some(c) = self.cpus.get_mut(cpu.index()) {
                    c.busy += u64::from(*ticks);
                }
            }
            EventKind::Deadlock { cycle, .. } => self.deadlocks.push((now, cycle.to_vec())),
            EventKind::Stall { stuck } => self.stall = Some(stuck.to_vec()),
            EventKind::End { outcome } => self.outcome = Some(*outcome),
            EventKind::VarRead { .. }
            | EventKind::PermitAcquire { .. }
            | EventKind::PermitRelease { .. }
            | EventKind::ReadAcquire { .. }
            | EventKind::ReadRelease { .. }
            | EventKind::Notify { .. }
            | EventKind::FlagSet { .. }
            | EventKind::FlagClear { .. }
            | EventKind::BarrierWait { .. }
            | EventKind::BarrierBroken { .. }
            | EventKind::PoolStart { .. }
            | EventKind::PoolClose { .. }
            | EventKind::Choice { .. }
            | EventKind::Print { .. }
            | EventKind::Spawn { .. }
            | EventKind::Terminate { .. } => {}
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
        if state.is_final() {
            t.finish = Some(now);
        }
        if let TaskState::Running { cpu } = state {
            t.first_run.get_or_insert(now);
            self.cpu_takes(cpu, Some(task), now);
        }
        if let TaskState::Running { cpu } = old {
            if !matches!(state, TaskState::Running { cpu: c } if c == cpu) {
                self.cpu_takes(cpu, None, now);
            }
        }
        if let TaskState::Blocked { on, .. } = old {
            if !matches!(state, TaskState::Blocked { .. }) {
                self.forget_wait(task, on);
            }
        }
    }

    fn cpu_takes(&mut self, cpu: CpuId, task: Option<TaskId>, now: u64) {
        if let Some(c) = self.cpus.get_mut(cpu.index()) {
            if c.task.is_some() {
                c.busy += now.saturating_sub(c.since);
            }
            c.task = task;
            c.since = now;
        }
    }

    fn forget_wait(&mut self, task: TaskId, on: WaitOn) {
        if let WaitOn::Lock(r) = on {
            if let Some(l) = self.locks.get_mut(r.index()) {
                l.waiters.retain(|&w| w != task);
            }
        }
    }

    /// The locks a task holds, in id order.
    pub fn held_by(&self, task: TaskId) -> Vec<usize> {
        (0..self.locks.len())
            .filter(|&i| self.locks[i].holder == Some(task))
            .collect()
    }
}
