//! Events (`threading.Event`): a flag; `set` wakes every waiter.

use super::super::board::{Grant, State};
use super::{OpEnd, Res};
use crate::event::{EventKind, Failure, ResourceId, TaskId, WaitOn};

impl State {
    pub fn flag_wait(&mut self, t: TaskId, e: u32, timeout: Option<u64>) -> OpEnd {
        let Res::Flag { set, waiters } = &mut self.res[e as usize] else {
            return OpEnd::Done;
        };
        if *set {
            return OpEnd::Done;
        }
        if timeout == Some(0) {
            return OpEnd::Failed(Failure::Timeout(ResourceId(e)));
        }
        waiters.push(t);
        OpEnd::Wait(WaitOn::Flag(ResourceId(e)))
    }

    /// `set E` (true) or `clear E` (false).
    pub fn flag_set(&mut self, t: TaskId, e: u32, on: bool) -> OpEnd {
        let Res::Flag { set, waiters } = &mut self.res[e as usize] else {
            return OpEnd::Done;
        };
        *set = on;
        let woken = if on {
            std::mem::take(waiters)
        } else {
            Vec::new()
        };
        self.emit(if on {
            EventKind::FlagSet {
                task: t,
                event: ResourceId(e),
            }
        } else {
            EventKind::FlagClear {
                task: t,
                event: ResourceId(e),
            }
        });
        for w in woken {
            self.grant(w, Grant::Done);
        }
        OpEnd::Done
    }
}
