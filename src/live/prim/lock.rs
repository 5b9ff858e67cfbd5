//! Mutexes and rlocks: FIFO hand-over and re-entry counts; `acquire`
//! and `release` also dispatch to rwlocks and semaphores.

use super::super::board::{Grant, State};
use super::{OpEnd, Res};
use crate::event::{EventKind, Failure, ResourceId, TaskId, WaitOn};

impl State {
    /// `acquire X`: a mutex, an rlock, an rwlock for writing, a semaphore.
    pub fn acquire(&mut self, t: TaskId, r: u32, timeout: Option<u64>) -> OpEnd {
        let lock = ResourceId(r);
        match &mut self.res[r as usize] {
            Res::Rw { .. } => self.rw_acquire(t, r, true, timeout),
            Res::Sem { .. } => self.permit_acquire(t, r, timeout),
            Res::Lock {
                reentrant,
                holder,
                depth,
                waiters,
            } => {
                match *holder {
                    None => {
                        *holder = Some(t);
                        *depth = 1;
                    }
                    Some(h) if h == t && *reentrant => *depth += 1,
                    Some(_) if timeout == Some(0) => return OpEnd::Failed(Failure::Timeout(lock)),
                    Some(_) => {
                        waiters.push_back(t);
                        self.emit(EventKind::LockWait { task: t, lock });
                        return OpEnd::Wait(WaitOn::Lock(lock));
                    }
                }
                let depth = *depth;
                self.emit(EventKind::LockAcquire {
                    task: t,
                    lock,
                    depth,
                });
                OpEnd::Done
            }
            _ => OpEnd::Done,
        }
    }

    /// `release X`.
    pub fn release(&mut self, t: TaskId, r: u32) -> OpEnd {
        let lock = ResourceId(r);
        match &mut self.res[r as usize] {
            Res::Rw { .. } => self.rw_release(t, r, true),
            Res::Sem { .. } => self.permit_release(t, r),
            Res::Lock { holder, depth, .. } => {
                if *holder != Some(t) {
                    return OpEnd::Failed(Failure::NotHeld(lock));
                }
                *depth -= 1;
                let d = *depth;
                if d == 0 {
                    *holder = None;
                }
                self.emit(EventKind::LockRelease {
                    task: t,
                    lock,
                    depth: d,
                });
                if d == 0 {
                    self.hand_over_lock(r);
                }
                OpEnd::Done
            }
            _ => OpEnd::Done,
        }
    }

    /// A free lock goes to its first waiter (with its re-entry depth, for a
    /// condition's waiter coming back).
    pub(super) fn hand_over_lock(&mut self, r: u32) {
        let Res::Lock {
            holder: holder @ None,
            depth,
            waiters,
            ..
        } = &mut self.res[r as usize]
        else {
            return;
        };
        let Some(w) = waiters.pop_front() else { return };
        let relock = self.relock[w.index()].take();
        *holder = Some(w);
        *depth = relock.map_or(1, |k| k.depth.max(1));
        let d = *depth;
        self.emit(EventKind::LockAcquire {
            task: w,
            lock: ResourceId(r),
            depth: d,
        });
        match relock {
            Some(k) if k.timed_out => {
                self.grant(w, Grant::Fail(Failure::Timeout(ResourceId(k.cond))))
            }
            _ => self.grant(w, Grant::Done),
        }
    }
}
