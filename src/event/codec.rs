//! The JSON form of an [`Event`]: one compact array a line, `[tick, "tag",
//! fields…]`, e.g. `[4,"state",1,"blocked","lock",0,false]`. Traces hold
//! millions of events, so the form is short and fast to write; `seq` is left
//! out because it is the event's position. docs/trace-format.md lists every tag.

use std::fmt;

use serde::de::{self, SeqAccess, Visitor};
use serde::ser::SerializeSeq;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{
    CpuId, Event, EventKind, Failure, Outcome, ResourceId, StuckTask, TaskId, TaskState, VarId,
    WaitEdge, WaitOn,
};

fn wait_parts(on: WaitOn) -> (&'static str, u32) {
    match on {
        WaitOn::Lock(r) => ("lock", r.0),
        WaitOn::Put(r) => ("put", r.0),
        WaitOn::Get(r) => ("get", r.0),
        WaitOn::QueueJoin(r) => ("queue_join", r.0),
        WaitOn::Task(t) => ("task", t.0),
    }
}

fn wait_from(kind: &str, id: u32) -> Option<WaitOn> {
    let r = ResourceId(id);
    Some(match kind {
        "lock" => WaitOn::Lock(r),
        "put" => WaitOn::Put(r),
        "get" => WaitOn::Get(r),
        "queue_join" => WaitOn::QueueJoin(r),
        "task" => WaitOn::Task(TaskId(id)),
        _ => return None,
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
        let mut seq = s.serialize_seq(None)?;
        seq.serialize_element(&self.tick)?;
        seq.serialize_element(self.kind.tag())?;
        let ids = |seq: &mut S::SerializeSeq, ids: &[u32]| {
            ids.iter().try_for_each(|id| seq.serialize_element(id))
        };
        use EventKind as K;
        match &self.kind {
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
            K::Deadlock { cycle } => {
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
        seq.end()
    }
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
        d.deserialize_seq(EventVisitor)
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
    type Value = Event;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an event array [tick, \"tag\", fields...]")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Event, A::Error> {
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
                text: f.next::<String>()?.into_boxed_str(),
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
        if f.seq.next_element::<de::IgnoredAny>()?.is_some() {
            return Err(de::Error::custom(format!("too many fields for `{tag}`")));
        }
        Ok(Event { seq: 0, tick, kind })
    }
}
