//! Events (`threading.Event`): a flag; `wait` returns at once when it is
//! set, else waits until `set`, which wakes every waiter.

use std::collections::VecDeque;

use super::prim_as;
use crate::event::{Event, EventKind, ResourceId, TaskId, WaitOn};
use crate::sim::exec::OpEnd;
use crate::sim::Sim;

/// An event's flag and waiters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub(in crate::sim) struct FlagRt {
    pub(in crate::sim) set: bool,
    pub(in crate::sim) waiters: VecDeque<TaskId>,
}

impl FlagRt {
    pub(in crate::sim) fn new(set: bool) -> FlagRt {
        FlagRt {
            set,
            waiters: VecDeque::new(),
        }
    }
}

impl Sim {
    pub(in crate::sim) fn wait_flag(
        &mut self,
        t: TaskId,
        e: u32,
        timeout: Option<u64>,
        out: &mut Vec<Event>,
    ) -> OpEnd {
        let Some(f) = prim_as!(self, e, Flag) else {
            return OpEnd::Done;
        };
        if f.set {
            return OpEnd::Done;
        }
        if timeout == Some(0) {
            return OpEnd::Failed(crate::event::Failure::Timeout(ResourceId(e)));
        }
        f.waiters.push_back(t);
        self.block(t, WaitOn::Flag(ResourceId(e)), timeout, out);
        OpEnd::Blocked
    }

    pub(in crate::sim) fn set_flag(&mut self, t: TaskId, e: u32, out: &mut Vec<Event>) -> OpEnd {
        let Some(f) = prim_as!(self, e, Flag) else {
            return OpEnd::Done;
        };
        f.set = true;
        let woken: Vec<TaskId> = f.waiters.drain(..).collect();
        self.emit(
            out,
            EventKind::FlagSet {
                task: t,
                event: ResourceId(e),
            },
        );
        for w in woken {
            self.wake_done(w, out);
        }
        OpEnd::Done
    }

    pub(in crate::sim) fn clear_flag(&mut self, t: TaskId, e: u32, out: &mut Vec<Event>) -> OpEnd {
        if let Some(f) = prim_as!(self, e, Flag) {
            f.set = false;
        }
        self.emit(
            out,
            EventKind::FlagClear {
                task: t,
                event: ResourceId(e),
            },
        );
        OpEnd::Done
    }
}
