//! Conditions: `wait` releases the bound lock completely and waits for a
//! notify, then queues for the lock again; `notify N` wakes the first N
//! waiters in FIFO order; a notify with nobody waiting is lost.

use std::collections::VecDeque;

use super::{prim_as, PrimKind};
use crate::event::{Event, EventKind, Failure, ResourceId, TaskId, WaitOn};
use crate::sim::exec::OpEnd;
use crate::sim::{Relock, Sim};

/// A condition's waiters, first first.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub(in crate::sim) struct CondRt {
    pub(in crate::sim) waiters: VecDeque<TaskId>,
}

impl Sim {
    fn cond_lock(&self, c: u32) -> u32 {
        match self.fixed.kinds[c as usize] {
            PrimKind::Condition { lock } => lock,
            _ => c,
        }
    }

    pub(in crate::sim) fn wait_condition(
        &mut self,
        t: TaskId,
        c: u32,
        timeout: Option<u64>,
        out: &mut Vec<Event>,
    ) -> OpEnd {
        let lock = self.cond_lock(c);
        if self.lock_holder(lock) != Some(t) {
            return OpEnd::Failed(Failure::Unacquired(ResourceId(c)));
        }
        let depth = self.release_all(t, lock, out);
        self.tasks[t.index()].relock = Some(Relock {
            cond: c,
            lock,
            depth,
            timed_out: false,
        });
        if let Some(cv) = prim_as!(self, c, Condition) {
            cv.waiters.push_back(t);
        }
        self.block(t, WaitOn::Notify(ResourceId(c)), timeout, out);
        OpEnd::Blocked
    }

    pub(in crate::sim) fn notify(
        &mut self,
        t: TaskId,
        c: u32,
        n: Option<u32>,
        out: &mut Vec<Event>,
    ) -> OpEnd {
        let lock = self.cond_lock(c);
        if self.lock_holder(lock) != Some(t) {
            return OpEnd::Failed(Failure::Unacquired(ResourceId(c)));
        }
        let Some(cv) = prim_as!(self, c, Condition) else {
            return OpEnd::Done;
        };
        let take = n.map_or(cv.waiters.len(), |n| (n as usize).min(cv.waiters.len()));
        let woken: Vec<TaskId> = cv.waiters.drain(..take).collect();
        self.emit(
            out,
            EventKind::Notify {
                task: t,
                cond: ResourceId(c),
                woken: woken.len() as u32,
            },
        );
        for w in woken {
            self.back_to_lock(w, false, out);
        }
        OpEnd::Done
    }

    /// A condition's waiter leaves the wait (notified, or timed out) and
    /// goes back to the condition's lock.
    fn back_to_lock(&mut self, w: TaskId, timed_out: bool, out: &mut Vec<Event>) {
        let Some(mut k) = self.tasks[w.index()].relock.take() else {
            return;
        };
        k.timed_out = timed_out;
        self.relock(w, k, out);
    }

    /// A timed `wait` on a condition expired: the waiter re-acquires the
    /// lock, then takes the timeout.
    pub(in crate::sim) fn condition_timeout(&mut self, w: TaskId, c: u32, out: &mut Vec<Event>) {
        if let Some(cv) = prim_as!(self, c, Condition) {
            cv.waiters.retain(|&x| x != w);
        }
        self.back_to_lock(w, true, out);
    }
}
