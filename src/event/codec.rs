//! The JSON form of an [`Event`]: one compact array a line, `[tick, "tag",
//! fields…]`, e.g. `[4,"state",1,"blocked","lock",0,false]`. Traces hold
//! millions of events, so the form is short and fast to write; `seq` is left
//! out because it is the event's position. docs/trace-format.md lists every tag.

use std::fmt;

use serde::de::{self, SeqAccess, Visitor};
use serde::ser::SerializeSeq;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{
    CpuId, DeadlockRule, Event, EventKind, Failure, Outcome, ResourceId, StuckTask, TaskId,
    TaskState, VarId, WaitEdge, WaitOn,
};

/// Every wait kind with its name in a trace; the id is a resource's, or a
/// task's for `task` and `await`, and 0 for `await_sleep`.
const WAIT_KINDS: [&str; 17] = [
    "lock",
    "read",
    "permit",
    "notify",
    "flag",
    "barrier",
    "put",
    "get",
    "queue_join",
    "worker",
    "pool_join",
    "gil",
    "loop",
    "run_loop",
    "task",
    "await",
    "await_sleep",
];

fn wait_parts(on: WaitOn) -> (&'static str, u32) {
    use WaitOn::*;
    let (i, id) = match on {
        Lock(r) => (0, r.0),
        Read(r) => (1, r.0),
        Permit(r) => (2, r.0),
        Notify(r) => (3, r.0),
        Flag(r) => (4, r.0),
        Barrier(r) => (5, r.0),
        Put(r) => (6, r.0),
        Get(r) => (7, r.0),
        QueueJoin(r) => (8, r.0),
        Worker(r) => (9, r.0),
        PoolJoin(r) => (10, r.0),
        Gil(r) => (11, r.0),
        Loop(r) => (12, r.0),
        RunLoop(r) => (13, r.0),
        Task(t) => (14, t.0),
        Await(t) => (15, t.0),
        AwaitSleep => (16, 0),
    };
    (WAIT_KINDS[i], id)
}

fn wait_from(kind: &str, id: u32) -> Option<WaitOn> {
    use WaitOn::*;
    let r = ResourceId(id);
    let i = WAIT_KINDS.iter().position(|k| *k == kind)?;
    let by_resource = [
        Lock, Read, Permit, Notify, Flag, Barrier, Put, Get, QueueJoin, Worker, PoolJoin, Gil,
        Loop, RunLoop,
    ];
    Some(match i {
        14 => Task(TaskId(id)),
        15 => Await(TaskId(id)),
        16 => AwaitSleep,
        _ => by_resource[i](r),
    })
}

/// [`wait_from`] as a deserialization error when the kind is unknown.
fn wait_or_error<E: de::Error>(kind: &str, id: u32) -> Result<WaitOn, E> {
    wait_from(kind, id).ok_or_else(|| E::custom(format!("unknown wait `{kind}`")))
}

fn failure_parts(f: Failure) -> (&'static str, u32) {
    match f {
        Failure::Timeout(r) => ("timeout", r.0),
        Failure::Full(r) => ("full", r.0),
        Failure::Empty(r) => ("empty", r.0),
        Failure::NotHeld(r) => ("not_held", r.0),
        Failure::TooManyDone(r) => ("too_many_done", r.0),
        Failure::AlreadyStarted(t) => ("already_started", t.0),
        Failure::NoProgress => ("no_progress", 0),
        Failure::TooManyReleases(r) => ("too_many_releases", r.0),
        Failure::Unacquired(r) => ("unacquired", r.0),
        Failure::BrokenBarrier(r) => ("broken_barrier", r.0),
        Failure::JoinSelf => ("join_self", 0),
        Failure::Overflow(v) => ("overflow", v.0),
        Failure::PoolClosed(r) => ("pool_closed", r.0),
    }
}

fn failure_from(kind: &str, id: u32) -> Option<Failure> {
    let r = ResourceId(id);
    Some(match kind {
        "timeout" => Failure::Timeout(r),
        "full" => Failure::Full(r),
        "empty" => Failure::Empty(r),
        "not_held" => Failure::NotHeld(r),
        "too_many_done" => Failure::TooManyDone(r),
        "already_started" => Failure::AlreadyStarted(TaskId(id)),
        "no_progress" => Failure::NoProgress,
        "too_many_releases" => Failure::TooManyReleases(r),
        "unacquired" => Failure::Unacquired(r),
        "broken_barrier" => Failure::BrokenBarrier(r),
        "join_self" => Failure::JoinSelf,
        "overflow" => Failure::Overflow(VarId(id)),
        "pool_closed" => Failure::PoolClosed(r),
        _ => return None,
    })
}

fn outcome_from(name: &str) -> Option<Outcome> {
    [
        Outcome::Completed,
        Outcome::Deadlock,
        Outcome::Stalled,
        Outcome::Failed,
        Outcome::Timeout,
    ]
    .into_iter()
    .find(|o| o.name() == name)
}

/// Writes the fields of a task state after its task id.
fn state_fields<S: SerializeSeq>(seq: &mut S, state: TaskState) -> Result<(), S::Error> {
    seq.serialize_element(state.name())?;
    match state {
        TaskState::Running { cpu } => seq.serialize_element(&cpu.0),
        TaskState::Blocked { on, timed } => {
            let (kind, id) = wait_parts(on);
            seq.serialize_element(kind)?;
            seq.serialize_element(&id)?;
            seq.serialize_element(&timed)
        }
        TaskState::Sleeping { io } => seq.serialize_element(&io),
        TaskState::Failed { reason } => {
            let (kind, id) = failure_parts(reason);
            seq.serialize_element(kind)?;
            seq.serialize_element(&id)
        }
        TaskState::New | TaskState::Ready | TaskState::Done | TaskState::Killed => Ok(()),
    }
}

impl Serialize for Event {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serialize_event(self, None, s)
    }
}

/// An event with the nanoseconds since the recording started, as a real
/// program's trace has it: `[tick, "tag", fields..., ns]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamped {
    /// The event.
    pub event: Event,
    /// Its time in nanoseconds, when the line has one.
    pub ns: Option<u64>,
}

impl Serialize for Stamped {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serialize_event(&self.event, self.ns, s)
    }
}

/// An event and its nanoseconds, borrowed, for writing.
pub(crate) struct StampedRef<'a>(pub &'a Event, pub u64);

impl Serialize for StampedRef<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serialize_event(self.0, Some(self.1), s)
    }
}

impl<'de> Deserialize<'de> for Stamped {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Stamped, D::Error> {
        d.deserialize_seq(EventVisitor)
    }
}

/// An event's array, with its nanoseconds last when it has them.
fn serialize_event<S: Serializer>(this: &Event, ns: Option<u64>, s: S) -> Result<S::Ok, S::Error> {
    let mut seq = s.serialize_seq(None)?;
    seq.serialize_element(&this.tick)?;
    seq.serialize_element(this.kind.tag())?;
    let ids = |seq: &mut S::SerializeSeq, ids: &[u32]| {
        ids.iter().try_for_each(|id| seq.serialize_element(id))
    };
    use EventKind as K;
    match &this.kind {
        K::State { task, state } => {
            seq.serialize_element(&task.0)?;
            state_fields(&mut seq, *state)?;
        }
        K::Pc { task, pc } => ids(&mut seq, &[task.0, *pc])?,
        K::LockWait { task, lock } => ids(&mut seq, &[task.0, lock.0])?,
        K::LockAcquire { task, lock, depth } | K::LockRelease { task, lock, depth } => {
            ids(&mut seq, &[task.0, lock.0, *depth])?
        }
        K::WaitTimeout { task, on } => {
            let (kind, id) = wait_parts(*on);
            seq.serialize_element(&task.0)?;
            seq.serialize_element(kind)?;
            seq.serialize_element(&id)?;
        }
        K::QueuePut {
            task,
            queue,
            value,
            len,
        }
        | K::QueueGet {
            task,
            queue,
            value,
            len,
        } => {
            ids(&mut seq, &[task.0, queue.0])?;
            seq.serialize_element(value)?;
            seq.serialize_element(len)?;
        }
        K::QueueDone {
            task,
            queue,
            unfinished,
        } => ids(&mut seq, &[task.0, queue.0, *unfinished])?,
        K::PermitAcquire {
            task,
            sem: r,
            left: n,
        }
        | K::PermitRelease {
            task,
            sem: r,
            left: n,
        }
        | K::ReadAcquire {
            task,
            lock: r,
            readers: n,
        }
        | K::ReadRelease {
            task,
            lock: r,
            readers: n,
        }
        | K::Notify {
            task,
            cond: r,
            woken: n,
        }
        | K::BarrierWait {
            task,
            barrier: r,
            arrived: n,
        }
        | K::PoolStart {
            task,
            pool: r,
            worker: n,
        } => ids(&mut seq, &[task.0, r.0, *n])?,
        K::FlagSet { task, event: r }
        | K::FlagClear { task, event: r }
        | K::BarrierBroken { task, barrier: r }
        | K::PoolClose { task, pool: r } => ids(&mut seq, &[task.0, r.0])?,
        K::VarRead { task, var, value } | K::VarWrite { task, var, value } => {
            ids(&mut seq, &[task.0, var.0])?;
            seq.serialize_element(value)?;
        }
        K::Print { task, text } => {
            seq.serialize_element(&task.0)?;
            seq.serialize_element(&**text)?;
        }
        K::Spawn { task, child: other }
        | K::Terminate {
            task,
            target: other,
        } => ids(&mut seq, &[task.0, other.0])?,
        K::Switch { cpu, task, ticks } => ids(&mut seq, &[cpu.0, task.0, *ticks])?,
        K::Choice { options, chosen } => {
            seq.serialize_element(&chosen.0)?;
            let options: Vec<u32> = options.iter().map(|t| t.0).collect();
            seq.serialize_element(&options)?;
        }
        K::Deadlock { rule, cycle } => {
            seq.serialize_element(rule.name())?;
            let edges: Vec<(u32, &str, u32, u32)> = cycle
                .iter()
                .map(|e| {
                    let (kind, id) = wait_parts(e.waits_for);
                    (e.task.0, kind, id, e.held_by.0)
                })
                .collect();
            seq.serialize_element(&edges)?;
        }
        K::Stall { stuck } => {
            let stuck: Vec<(u32, &str, u32)> = stuck
                .iter()
                .map(|s| {
                    let (kind, id) = wait_parts(s.waits_for);
                    (s.task.0, kind, id)
                })
                .collect();
            seq.serialize_element(&stuck)?;
        }
        K::End { outcome } => seq.serialize_element(outcome.name())?,
    }
    if let Some(ns) = ns {
        seq.serialize_element(&ns)?;
    }
    seq.end()
}

impl EventKind {
    /// The tag of the event's JSON form.
    pub fn tag(&self) -> &'static str {
        use EventKind as K;
        match self {
            K::State { .. } => "state",
            K::Pc { .. } => "pc",
            K::LockWait { .. } => "lock_wait",
            K::LockAcquire { .. } => "lock_acquire",
            K::LockRelease { .. } => "lock_release",
            K::WaitTimeout { .. } => "wait_timeout",
            K::QueuePut { .. } => "queue_put",
            K::QueueGet { .. } => "queue_get",
            K::QueueDone { .. } => "queue_done",
            K::PermitAcquire { .. } => "permit_acquire",
            K::PermitRelease { .. } => "permit_release",
            K::ReadAcquire { .. } => "read_acquire",
            K::ReadRelease { .. } => "read_release",
            K::Notify { .. } => "notify",
            K::FlagSet { .. } => "event_set",
            K::FlagClear { .. } => "event_clear",
            K::BarrierWait { .. } => "barrier_wait",
            K::BarrierBroken { .. } => "barrier_broken",
            K::PoolStart { .. } => "pool_start",
            K::PoolClose { .. } => "pool_close",
            K::VarRead { .. } => "var_read",
            K::VarWrite { .. } => "var_write",
            K::Print { .. } => "print",
            K::Spawn { .. } => "spawn",
            K::Terminate { .. } => "terminate",
            K::Switch { .. } => "switch",
            K::Choice { .. } => "choice",
            K::Deadlock { .. } => "deadlock",
            K::Stall { .. } => "stall",
            K::End { .. } => "end",
        }
    }
}

impl<'de> Deserialize<'de> for Event {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Event, D::Error> {
        d.deserialize_seq(EventVisitor).map(|s| s.event)
    }
}

struct EventVisitor;

/// Reads the elements of one event array in order.
struct Fields<A> {
    seq: A,
    read: usize,
}

impl<'de, A: SeqAccess<'de>> Fields<A> {
    fn next<T: Deserialize<'de>>(&mut self) -> Result<T, A::Error> {
        self.read += 1;
        self.seq
            .next_element()?
            .ok_or_else(|| de::Error::invalid_length(self.read - 1, &"more fields"))
    }

    fn task(&mut self) -> Result<TaskId, A::Error> {
        self.next().map(TaskId)
    }

    fn res(&mut self) -> Result<ResourceId, A::Error> {
        self.next().map(ResourceId)
    }

    fn wait(&mut self) -> Result<WaitOn, A::Error> {
        let kind: String = self.next()?;
        let id: u32 = self.next()?;
        wait_or_error(&kind, id)
    }

    fn state(&mut self) -> Result<TaskState, A::Error> {
        let name: String = self.next()?;
        Ok(match name.as_str() {
            "new" => TaskState::New,
            "ready" => TaskState::Ready,
            "done" => TaskState::Done,
            "killed" => TaskState::Killed,
            "running" => TaskState::Running {
                cpu: CpuId(self.next()?),
            },
            "blocked" => TaskState::Blocked {
                on: self.wait()?,
                timed: self.next()?,
            },
            "sleeping" => TaskState::Sleeping { io: self.next()? },
            "failed" => {
                let kind: String = self.next()?;
                let id: u32 = self.next()?;
                let reason = failure_from(&kind, id)
                    .ok_or_else(|| de::Error::custom(format!("unknown failure `{kind}`")))?;
                TaskState::Failed { reason }
            }
            other => return Err(de::Error::custom(format!("unknown state `{other}`"))),
        })
    }
}

impl<'de> Visitor<'de> for EventVisitor {
    type Value = Stamped;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an event array [tick, \"tag\", fields...]")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Stamped, A::Error> {
        let mut f = Fields { seq, read: 0 };
        let tick: u64 = f.next()?;
        let tag: String = f.next()?;
        use EventKind as K;
        let kind = match tag.as_str() {
            "state" => K::State {
                task: f.task()?,
                state: f.state()?,
            },
            "pc" => K::Pc {
                task: f.task()?,
                pc: f.next()?,
            },
            "lock_wait" => K::LockWait {
                task: f.task()?,
                lock: f.res()?,
            },
            "lock_acquire" => K::LockAcquire {
                task: f.task()?,
                lock: f.res()?,
                depth: f.next()?,
            },
            "lock_release" => K::LockRelease {
                task: f.task()?,
                lock: f.res()?,
                depth: f.next()?,
            },
            "wait_timeout" => K::WaitTimeout {
                task: f.task()?,
                on: f.wait()?,
            },
            "queue_put" => K::QueuePut {
                task: f.task()?,
                queue: f.res()?,
                value: f.next()?,
                len: f.next()?,
            },
            "queue_get" => K::QueueGet {
                task: f.task()?,
                queue: f.res()?,
                value: f.next()?,
                len: f.next()?,
            },
            "queue_done" => K::QueueDone {
                task: f.task()?,
                queue: f.res()?,
                unfinished: f.next()?,
            },
            "permit_acquire" => K::PermitAcquire {
                task: f.task()?,
                sem: f.res()?,
                left: f.next()?,
            },
            "permit_release" => K::PermitRelease {
                task: f.task()?,
                sem: f.res()?,
                left: f.next()?,
            },
            "read_acquire" => K::ReadAcquire {
                task: f.task()?,
                lock: f.res()?,
                readers: f.next()?,
            },
            "read_release" => K::ReadRelease {
                task: f.task()?,
                lock: f.res()?,
                readers: f.next()?,
            },
            "notify" => K::Notify {
                task: f.task()?,
                cond: f.res()?,
                woken: f.next()?,
            },
            "event_set" => K::FlagSet {
                task: f.task()?,
                event: f.res()?,
            },
            "event_clear" => K::FlagClear {
                task: f.task()?,
                event: f.res()?,
            },
            "barrier_wait" => K::BarrierWait {
                task: f.task()?,
                barrier: f.res()?,
                arrived: f.next()?,
            },
            "barrier_broken" => K::BarrierBroken {
                task: f.task()?,
                barrier: f.res()?,
            },
            "pool_start" => K::PoolStart {
                task: f.task()?,
                pool: f.res()?,
                worker: f.next()?,
            },
            "pool_close" => K::PoolClose {
                task: f.task()?,
                pool: f.res()?,
            },
            "var_read" => K::VarRead {
                task: f.task()?,
                var: VarId(f.next()?),
                value: f.next()?,
            },
            "var_write" => K::VarWrite {
                task: f.task()?,
                var: VarId(f.next()?),
                value: f.next()?,
            },
            "print" => K::Print {
                task: f.task()?,
                text: f.next::<String>()?.into(),
            },
            "spawn" => K::Spawn {
                task: f.task()?,
                child: f.task()?,
            },
            "terminate" => K::Terminate {
                task: f.task()?,
                target: f.task()?,
            },
            "switch" => K::Switch {
                cpu: CpuId(f.next()?),
                task: f.task()?,
                ticks: f.next()?,
            },
            "choice" => {
                let chosen = f.task()?;
                let options: Vec<u32> = f.next()?;
                K::Choice {
                    options: options.into_iter().map(TaskId).collect(),
                    chosen,
                }
            }
            "deadlock" => {
                let rule: String = f.next()?;
                let rule = match rule.as_str() {
                    "cycle" => DeadlockRule::Cycle,
                    "knot" => DeadlockRule::Knot,
                    other => return Err(de::Error::custom(format!("unknown rule `{other}`"))),
                };
                let edges: Vec<(u32, String, u32, u32)> = f.next()?;
                let cycle = edges
                    .into_iter()
                    .map(|(task, kind, id, held_by)| {
                        let waits_for = wait_or_error(&kind, id)?;
                        Ok(WaitEdge {
                            task: TaskId(task),
                            waits_for,
                            held_by: TaskId(held_by),
                        })
                    })
                    .collect::<Result<Vec<_>, A::Error>>()?;
                K::Deadlock {
                    rule,
                    cycle: cycle.into(),
                }
            }
            "stall" => {
                let stuck: Vec<(u32, String, u32)> = f.next()?;
                let stuck = stuck
                    .into_iter()
                    .map(|(task, kind, id)| {
                        let waits_for = wait_or_error(&kind, id)?;
                        Ok(StuckTask {
                            task: TaskId(task),
                            waits_for,
                        })
                    })
                    .collect::<Result<Vec<_>, A::Error>>()?;
                K::Stall {
                    stuck: stuck.into(),
                }
            }
            "end" => {
                let name: String = f.next()?;
                let outcome = outcome_from(&name)
                    .ok_or_else(|| de::Error::custom(format!("unknown outcome `{name}`")))?;
                K::End { outcome }
            }
            other => return Err(de::Error::custom(format!("unknown event `{other}`"))),
        };
        // A real program's event ends with its time in nanoseconds.
        let ns = f.seq.next_element::<u64>()?;
        if f.seq.next_element::<de::IgnoredAny>()?.is_some() {
            return Err(de::Error::custom(format!("too many fields for `{tag}`")));
        }
        Ok(Stamped {
            event: Event { seq: 0, tick, kind },
            ns,
        })
    }
}
