//! Mutexes and rlocks: acquire with FIFO hand-over and re-entry counts, and
//! the way back of a condition's waiter to its lock.

use std::collections::VecDeque;

use super::{prim_as, PrimKind};
use crate::event::{Event, EventKind, Failure, ResourceId, TaskId, WaitOn};
use crate::sim::exec::OpEnd;
use crate::sim::{Relock, Sim};

/// A mutex or rlock.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub(in crate::sim) struct LockRt {
    pub(in crate::sim) holder: Option<TaskId>,
    pub(in crate::sim) depth: u32,
    pub(in crate::sim) waiters: VecDeque<TaskId>,
}

impl Sim {
    pub(in crate::sim) fn acquire(
        &mut self,
        t: TaskId,
        r: u32,
        timeout: Option<u64>,
        out: &mut Vec<Event>,
    ) -> OpEnd {
        let lock = ResourceId(r);
        let reentrant = matches!(
            self.fixed.kinds[r as usize],
            PrimKind::Lock { reentrant: true }
        );
        let Some(l) = prim_as!(self, r, Lock) else {
            return OpEnd::Done;
        };
        match l.holder {
            None => {
                l.holder = Some(t);
                l.depth = 1;
            }
            Some(h) if h == t && reentrant => l.depth += 1,
            Some(_) if timeout == Some(0) => return OpEnd::Failed(Failure::Timeout(lock)),
            Some(_) => {
                l.waiters.push_back(t);
                self.emit(out, EventKind::LockWait { task: t, lock });
                self.block(t, WaitOn::Lock(lock), timeout, out);
                return OpEnd::Blocked;
            }
        }
        let depth = l.depth;
        self.emit(
            out,
            EventKind::LockAcquire {
                task: t,
                lock,
                depth,
            },
        );
        OpEnd::Done
    }

    pub(in crate::sim) fn release(&mut self, t: TaskId, r: u32, out: &mut Vec<Event>) -> OpEnd {
        let lock = ResourceId(r);
        let Some(l) = prim_as!(self, r, Lock) else {
            return OpEnd::Done;
        };
        if l.holder != Some(t) {
            return OpEnd::Failed(Failure::NotHeld(lock));
        }
        l.depth -= 1;
        let depth = l.depth;
        if depth == 0 {
            l.holder = None;
        }
        self.emit(
            out,
            EventKind::LockRelease {
                task: t,
                lock,
                depth,
            },
        );
        if depth == 0 {
            self.hand_over_lock(r, out);
        }
        OpEnd::Done
    }

    /// Releases lock `r` completely (a condition's `wait`); returns the depth held.
    pub(in crate::sim) fn release_all(&mut self, t: TaskId, r: u32, out: &mut Vec<Event>) -> u32 {
        let Some(l) = prim_as!(self, r, Lock) else {
            return 0;
        };
        if l.holder != Some(t) {
            return 0;
        }
        let depth = l.depth;
        l.holder = None;
        l.depth = 0;
        self.emit(
            out,
            EventKind::LockRelease {
                task: t,
                lock: ResourceId(r),
                depth: 0,
            },
        );
        self.hand_over_lock(r, out);
        depth
    }

    /// A free lock goes to its first waiter, which becomes ready holding it
    /// (a condition's waiter with the depth it had).
    fn hand_over_lock(&mut self, r: u32, out: &mut Vec<Event>) {
        let Some(l) = prim_as!(self, r, Lock) else {
            return;
        };
        if l.holder.is_some() {
            return;
        }
        let Some(w) = l.waiters.pop_front() else {
            return;
        };
        let relock = self.tasks[w.index()].relock.take();
        let depth = relock.map_or(1, |k| k.depth.max(1));
        if let Some(l) = prim_as!(self, r, Lock) {
            l.holder = Some(w);
            l.depth = depth;
        }
        self.emit(
            out,
            EventKind::LockAcquire {
                task: w,
                lock: ResourceId(r),
                depth,
            },
        );
        self.lock_regained(w, relock, out);
    }

    /// `w` holds its lock again: an ordinary waiter moves on; a condition's
    /// waiter moves on past its `wait`, or takes the timeout.
    fn lock_regained(&mut self, w: TaskId, relock: Option<Relock>, out: &mut Vec<Event>) {
        match relock {
            Some(k) if k.timed_out => {
                self.fail_wait(w, Failure::Timeout(ResourceId(k.cond)), out);
            }
            _ => self.wake_done(w, out),
        }
    }

    /// A condition's waiter was notified (or timed out): it waits for the
    /// lock behind the tasks already waiting for it, or takes it at once.
    pub(in crate::sim) fn relock(&mut self, w: TaskId, k: Relock, out: &mut Vec<Event>) {
        self.clear_timer(w);
        self.tasks[w.index()].relock = Some(k);
        let lock = ResourceId(k.lock);
        let Some(l) = prim_as!(self, k.lock, Lock) else {
            return;
        };
        if l.holder.is_none() && l.waiters.is_empty() {
            l.holder = Some(w);
            l.depth = k.depth.max(1);
            let depth = l.depth;
            self.tasks[w.index()].relock = None;
            self.emit(
                out,
                EventKind::LockAcquire {
                    task: w,
                    lock,
                    depth,
                },
            );
            return self.lock_regained(w, Some(k), out);
        }
        l.waiters.push_back(w);
        self.emit(out, EventKind::LockWait { task: w, lock });
        self.newly_blocked.push(w);
        self.set_state(
            w,
            crate::event::TaskState::Blocked {
                on: WaitOn::Lock(lock),
                timed: false,
            },
            out,
        );
    }

    /// The task holding lock `r`, if any.
    pub(in crate::sim) fn lock_holder(&self, r: u32) -> Option<TaskId> {
        match self.prims.get(r as usize) {
            Some(super::Prim::Lock(l)) => l.holder,
            _ => None,
        }
    }
}
