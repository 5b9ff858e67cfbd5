//! The one contract between engines and consumers: ids, task states and
//! events. Everything the user sees is a fold over a sequence of [`Event`]s
//! plus the [`Catalog`] that names what the ids point at.
//!
//! This module imports nothing of weft; only serde.

mod catalog;
mod codec;

pub use codec::Stamped;
pub mod lines;
mod waitfor;

pub use catalog::{
    format_duration, parse_duration, strip_comment, Catalog, Compare, Expectation, FinalCheck,
    ProcessInfo, ResourceInfo, ScriptInfo, TaskInfo, VarInfo,
};

use serde::{Deserialize, Serialize};

pub use waitfor::{find_deadlock, Waiter};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u32);

        impl $name {
            /// The id as an index into its table of the [`Catalog`].
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

id_type!(
    /// A task: an index into [`Catalog::tasks`].
    TaskId
);
id_type!(
    /// A lock, queue or other shared resource: an index into [`Catalog::resources`].
    ResourceId
);
id_type!(
    /// A shared variable: an index into [`Catalog::vars`].
    VarId
);
id_type!(
    /// A virtual CPU, numbered from 0.
    CpuId
);

/// What a blocked task waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WaitOn {
    /// Exclusive hold of a lock: a mutex, an rlock, an rwlock for writing,
    /// the GIL's or a loop's turn are not this (see [`WaitOn::Gil`], [`WaitOn::Loop`]).
    Lock(ResourceId),
    /// A shared (read) hold of an rwlock.
    Read(ResourceId),
    /// A permit of a semaphore.
    Permit(ResourceId),
    /// A notify of a condition (the task has released the condition's lock).
    Notify(ResourceId),
    /// An event's flag to be set.
    Flag(ResourceId),
    /// The other parties of a barrier.
    Barrier(ResourceId),
    /// Space in a full queue.
    Put(ResourceId),
    /// An item in an empty queue.
    Get(ResourceId),
    /// Every item of a queue marked done.
    QueueJoin(ResourceId),
    /// A free worker of a pool (the task is a job of that pool).
    Worker(ResourceId),
    /// Every job of a pool to end (`join POOL`).
    PoolJoin(ResourceId),
    /// Its process's global interpreter lock (a resource of kind `gil`).
    Gil(ResourceId),
    /// Its turn on its event loop (a resource of kind `loop`): a coroutine
    /// that could run but whose loop runs another, or is not running yet.
    Loop(ResourceId),
    /// `run_loop`: the loop thread waits until all of its coroutines have ended.
    RunLoop(ResourceId),
    /// Another task's end (`join T`; for a process, all its threads).
    Task(TaskId),
    /// A coroutine in `await T`: until coroutine T ends.
    Await(TaskId),
    /// A coroutine in `await sleep N`.
    AwaitSleep,
}

impl WaitOn {
    /// The resource waited on, if the wait is on a resource.
    pub fn resource(self) -> Option<ResourceId> {
        use WaitOn::*;
        match self {
            Lock(r) | Read(r) | Permit(r) | Notify(r) | Flag(r) | Barrier(r) | Put(r) | Get(r)
            | QueueJoin(r) | Worker(r) | PoolJoin(r) | Gil(r) | Loop(r) | RunLoop(r) => Some(r),
            Task(_) | Await(_) | AwaitSleep => None,
        }
    }

    /// The task waited for, if the wait is for a task's end.
    pub fn task(self) -> Option<TaskId> {
        match self {
            WaitOn::Task(t) | WaitOn::Await(t) => Some(t),
            _ => None,
        }
    }
}

/// Why a task failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Failure {
    /// A wait with a timeout expired.
    Timeout(ResourceId),
    /// `put_nowait` on a full queue.
    Full(ResourceId),
    /// `get_nowait` on an empty queue.
    Empty(ResourceId),
    /// Release of a lock the task does not hold (RuntimeError).
    NotHeld(ResourceId),
    /// `task_done` called more times than items were put (ValueError).
    TooManyDone(ResourceId),
    /// `spawn` of a task that has already started (RuntimeError).
    AlreadyStarted(TaskId),
    /// So many operations at one tick boundary that no time could pass.
    NoProgress,
    /// `release` of a bounded semaphore past its initial permits (ValueError).
    TooManyReleases(ResourceId),
    /// `wait` or `notify` on a condition whose lock the task does not hold (RuntimeError).
    Unacquired(ResourceId),
    /// A wait on a barrier that is or became broken (BrokenBarrierError).
    BrokenBarrier(ResourceId),
    /// `join` of the task itself (RuntimeError "cannot join current thread").
    JoinSelf,
    /// A variable's value went past the 64-bit integer range (OverflowError).
    Overflow(VarId),
    /// A job submitted to a pool after `join` closed it (RuntimeError).
    PoolClosed(ResourceId),
}

impl Failure {
    /// Whether the failure is a misuse (Python's RuntimeError, ValueError or
    /// OverflowError), which `on_timeout = "ignore"` does not pass over.
    pub fn is_misuse(self) -> bool {
        !matches!(
            self,
            Failure::Timeout(_)
                | Failure::Full(_)
                | Failure::Empty(_)
                | Failure::BrokenBarrier(_)
                | Failure::NoProgress
        )
    }
}

/// The state of a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    /// Not arrived yet.
    New,
    /// Waiting for a CPU.
    Ready,
    /// On a CPU.
    Running {
        /// The CPU.
        cpu: CpuId,
    },
    /// Waiting for something another task must do.
    Blocked {
        /// What it waits for.
        on: WaitOn,
        /// The wait has a timeout (and so is no edge of a deadlock cycle).
        timed: bool,
    },
    /// In `sleep` or `io`.
    Sleeping {
        /// `io` rather than `sleep`.
        io: bool,
    },
    /// Ended normally.
    Done,
    /// Ended by a failed operation.
    Failed {
        /// Why.
        reason: Failure,
    },
    /// Ended by `terminate`.
    Killed,
}

impl TaskState {
    /// Whether the task has ended for good.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            TaskState::Done | TaskState::Failed { .. } | TaskState::Killed
        )
    }

    /// The state's name, as in reports.
    pub fn name(self) -> &'static str {
        match self {
            TaskState::New => "new",
            TaskState::Ready => "ready",
            TaskState::Running { .. } => "running",
            TaskState::Blocked { .. } => "blocked",
            TaskState::Sleeping { .. } => "sleeping",
            TaskState::Done => "done",
            TaskState::Failed { .. } => "failed",
            TaskState::Killed => "killed",
        }
    }
}

/// One edge of the wait-for graph: `task` waits for `waits_for`, which
/// `held_by` holds (or is the task that must end, or, for a resource with
/// several possible releasers, one of those).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct WaitEdge {
    /// The waiting task.
    pub task: TaskId,
    /// What it waits for.
    pub waits_for: WaitOn,
    /// The task that holds it (or must end).
    pub held_by: TaskId,
}

/// A task that can never run again, and what it waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StuckTask {
    /// The task.
    pub task: TaskId,
    /// What it waits for.
    pub waits_for: WaitOn,
}

/// Which rule found a deadlock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlockRule {
    /// A cycle of single-owner waits (locks, joins): each task waits for
    /// something the next one holds.
    Cycle,
    /// A knot: a set of blocked tasks in which every task that could end any
    /// member's wait (a semaphore's holders, an rwlock's readers, a queue's
    /// possible putters, …) is itself a member.
    Knot,
}

impl DeadlockRule {
    /// The rule's name, as in reports.
    pub fn name(self) -> &'static str {
        match self {
            DeadlockRule::Cycle => "cycle",
            DeadlockRule::Knot => "knot",
        }
    }
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Every non-daemon task ended.
    Completed,
    /// A wait-for cycle closed.
    Deadlock,
    /// Nothing can run again, without a cycle.
    Stalled,
    /// A task failed.
    Failed,
    /// The tick limit was reached.
    Timeout,
}

impl Outcome {
    /// The outcome's name, as in reports and `[expect]`.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Completed => "completed",
            Outcome::Deadlock => "deadlock",
            Outcome::Stalled => "stalled",
            Outcome::Failed => "failed",
            Outcome::Timeout => "timeout",
        }
    }
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// A task changed state.
    State {
        /// The task.
        task: TaskId,
        /// Its new state.
        state: TaskState,
    },
    /// A task reached instruction `pc` of its program (see [`ScriptInfo`]).
    Pc {
        /// The task.
        task: TaskId,
        /// The instruction.
        pc: u32,
    },
    /// A task asked for a lock that another task holds.
    LockWait {
        /// The task.
        task: TaskId,
        /// The lock.
        lock: ResourceId,
    },
    /// A task now holds a lock `depth` times.
    LockAcquire {
        /// The task.
        task: TaskId,
        /// The lock.
        lock: ResourceId,
        /// Re-entry depth (1 for a first acquisition).
        depth: u32,
    },
    /// A task released a lock once; it still holds it `depth` times.
    LockRelease {
        /// The task.
        task: TaskId,
        /// The lock.
        lock: ResourceId,
        /// Remaining depth (0 when released for good).
        depth: u32,
    },
    /// A timed wait gave up.
    WaitTimeout {
        /// The task.
        task: TaskId,
        /// What it waited for.
        on: WaitOn,
    },
    /// An item entered a queue, which now holds `len` items.
    QueuePut {
        /// The task that put it.
        task: TaskId,
        /// The queue.
        queue: ResourceId,
        /// The item.
        value: i64,
        /// Length after the put.
        len: u32,
    },
    /// An item left a queue, which now holds `len` items.
    QueueGet {
        /// The task that got it.
        task: TaskId,
        /// The queue.
        queue: ResourceId,
        /// The item.
        value: i64,
        /// Length after the get.
        len: u32,
    },
    /// `task_done`: `unfinished` items are still not marked done.
    QueueDone {
        /// The task.
        task: TaskId,
        /// The queue.
        queue: ResourceId,
        /// Items put and not yet marked done.
        unfinished: u32,
    },
    /// A task copied a shared variable into its local.
    VarRead {
        /// The task.
        task: TaskId,
        /// The variable.
        var: VarId,
        /// The value read.
        value: i64,
    },
    /// A task stored into a shared variable.
    VarWrite {
        /// The task.
        task: TaskId,
        /// The variable.
        var: VarId,
        /// The value written.
        value: i64,
    },
    /// A task took a semaphore's permit; `left` permits remain.
    PermitAcquire {
        /// The task.
        task: TaskId,
        /// The semaphore.
        sem: ResourceId,
        /// Permits left.
        left: u32,
    },
    /// A task released a semaphore's permit; `left` permits are free now
    /// (a waiter that receives it follows as a `PermitAcquire`).
    PermitRelease {
        /// The task.
        task: TaskId,
        /// The semaphore.
        sem: ResourceId,
        /// Permits left.
        left: u32,
    },
    /// A task holds an rwlock for reading; `readers` hold it now.
    ReadAcquire {
        /// The task.
        task: TaskId,
        /// The rwlock.
        lock: ResourceId,
        /// Readers after the acquisition.
        readers: u32,
    },
    /// A task released its read hold of an rwlock; `readers` are left.
    ReadRelease {
        /// The task.
        task: TaskId,
        /// The rwlock.
        lock: ResourceId,
        /// Readers after the release.
        readers: u32,
    },
    /// `notify` or `notify_all` on a condition woke `woken` waiters (0: lost).
    Notify {
        /// The task.
        task: TaskId,
        /// The condition.
        cond: ResourceId,
        /// Waiters woken.
        woken: u32,
    },
    /// `set` of an event: its flag is true and every waiter wakes.
    FlagSet {
        /// The task.
        task: TaskId,
        /// The event.
        event: ResourceId,
    },
    /// `clear` of an event: its flag is false.
    FlagClear {
        /// The task.
        task: TaskId,
        /// The event.
        event: ResourceId,
    },
    /// A task arrived at a barrier, the `arrived`-th of its parties; when
    /// `arrived` equals the parties, every waiter passes and the count restarts.
    BarrierWait {
        /// The task.
        task: TaskId,
        /// The barrier.
        barrier: ResourceId,
        /// Arrivals so far in this round, this one included.
        arrived: u32,
    },
    /// A barrier broke (a wait on it timed out): every waiter fails.
    BarrierBroken {
        /// The task whose timeout broke it.
        task: TaskId,
        /// The barrier.
        barrier: ResourceId,
    },
    /// A pool's worker `worker` starts running job `task`; the worker is
    /// free again when the job ends.
    PoolStart {
        /// The job.
        task: TaskId,
        /// The pool.
        pool: ResourceId,
        /// The worker, from 0.
        worker: u32,
    },
    /// `join POOL`: the pool takes no more jobs.
    PoolClose {
        /// The task.
        task: TaskId,
        /// The pool.
        pool: ResourceId,
    },
    /// A `print` line.
    Print {
        /// The task.
        task: TaskId,
        /// The text, placeholders filled in; a text without placeholders
        /// is one allocation shared by every event that prints it.
        text: std::sync::Arc<str>,
    },
    /// A task started another.
    Spawn {
        /// The parent.
        task: TaskId,
        /// The task started.
        child: TaskId,
    },
    /// A task killed another.
    Terminate {
        /// The killer.
        task: TaskId,
        /// The task killed.
        target: TaskId,
    },
    /// A CPU spends `ticks` switching to a task.
    Switch {
        /// The CPU.
        cpu: CpuId,
        /// The task it switches to.
        task: TaskId,
        /// The cost in ticks.
        ticks: u32,
    },
    /// A scheduling choice: a free CPU could take any of `options`.
    /// Recorded only when the run asks for it (to let a user be the scheduler).
    Choice {
        /// The eligible ready tasks, in the order they joined the queue.
        options: Box<[TaskId]>,
        /// The one taken.
        chosen: TaskId,
    },
    /// A deadlock closed: a wait-for cycle or a knot.
    Deadlock {
        /// The rule that found it.
        rule: DeadlockRule,
        /// The cycle, each task waiting for the next; for a knot, one edge
        /// from each member to each member that could end its wait.
        cycle: Box<[WaitEdge]>,
    },
    /// Nothing can run again; these tasks wait forever.
    Stall {
        /// The stuck tasks.
        stuck: Box<[StuckTask]>,
    },
    /// The run ended.
    End {
        /// How.
        outcome: Outcome,
    },
}

impl EventKind {
    /// The task the event is about, if any.
    pub fn task(&self) -> Option<TaskId> {
        use EventKind::*;
        match self {
            State { task, .. }
            | Pc { task, .. }
            | LockWait { task, .. }
            | LockAcquire { task, .. }
            | LockRelease { task, .. }
            | WaitTimeout { task, .. }
            | QueuePut { task, .. }
            | QueueGet { task, .. }
            | QueueDone { task, .. }
            | PermitAcquire { task, .. }
            | PermitRelease { task, .. }
            | ReadAcquire { task, .. }
            | ReadRelease { task, .. }
            | Notify { task, .. }
            | FlagSet { task, .. }
            | FlagClear { task, .. }
            | BarrierWait { task, .. }
            | BarrierBroken { task, .. }
            | PoolStart { task, .. }
            | PoolClose { task, .. }
            | VarRead { task, .. }
            | VarWrite { task, .. }
            | Print { task, .. }
            | Spawn { task, .. }
            | Terminate { task, .. }
            | Switch { task, .. } => Some(*task),
            Choice { .. } | Deadlock { .. } | Stall { .. } | End { .. } => None,
        }
    }
}

/// One event: what happened, at which tick, as the `seq`-th event of the run.
///
/// Its JSON form is a compact array (see the `codec` module): `seq` is not
/// written, since it is the event's position in its trace.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Event {
    /// Position in the run, from 0.
    pub seq: u64,
    /// The tick boundary at which it happened.
    pub tick: u64,
    /// What happened.
    pub kind: EventKind,
}

/// Follows wait-for edges from `start` and returns the cycle it runs into,
/// if any, rotated to begin at its smallest task id.
///
/// A task waits for at most one thing, so the wait-for graph has at most one
/// edge out of each task and a walk from one task either ends or loops.
/// `edge(t)` gives the edge out of task `t`, if it has one; `limit` bounds the
/// walk (the number of tasks).
pub fn find_cycle(
    start: TaskId,
    limit: usize,
    edge: impl Fn(TaskId) -> Option<WaitEdge>,
) -> Option<Vec<WaitEdge>> {
    let mut path: Vec<WaitEdge> = Vec::new();
    let mut at = start;
    while path.len() <= limit {
        if let Some(pos) = path.iter().position(|e| e.task == at) {
            let mut cycle = path.split_off(pos);
            let first = (0..cycle.len()).min_by_key(|&i| cycle[i].task)?;
            cycle.rotate_left(first);
            return Some(cycle);
        }
        let e = edge(at)?;
        path.push(e);
        at = e.held_by;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_fits_in_48_bytes() {
        assert!(
            std::mem::size_of::<Event>() <= 48,
            "{}",
            std::mem::size_of::<Event>()
        );
    }

    #[test]
    fn a_cycle_is_found_and_rotated_to_its_smallest_task() {
        let edge = |t: TaskId| {
            let next = match t.0 {
                0 => 2,
                2 => 1,
                1 => 2,
                _ => return None,
            };
            Some(WaitEdge {
                task: t,
                waits_for: WaitOn::Lock(ResourceId(t.0)),
                held_by: TaskId(next),
            })
        };
        let cycle = find_cycle(TaskId(0), 3, edge).unwrap();
        let tasks: Vec<u32> = cycle.iter().map(|e| e.task.0).collect();
        assert_eq!(tasks, vec![1, 2]);
        assert!(find_cycle(TaskId(3), 3, edge).is_none());
    }

    #[test]
    fn events_round_trip_through_json() {
        let e = Event {
            seq: 3,
            tick: 7,
            kind: EventKind::State {
                task: TaskId(1),
                state: TaskState::Blocked {
                    on: WaitOn::Lock(ResourceId(0)),
                    timed: false,
                },
            },
        };
        let text = serde_json::to_string(&e).unwrap();
        assert_eq!(text, r#"[7,"state",1,"blocked","lock",0,false]"#);
        let back: Event = serde_json::from_str(&text).unwrap();
        assert_eq!(back, Event { seq: 0, ..e });
    }
}
