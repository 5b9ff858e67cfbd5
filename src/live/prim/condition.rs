//! Conditions: `wait` lets the bound lock go completely and waits for a
//! notify, then queues for the lock again; a notify with nobody waiting
//! is lost.

use super::super::board::{Grant, State};
use super::Relock;
use super::{OpEnd, Res};
use crate::event::{EventKind, Failure, ResourceId, TaskId, WaitOn};

impl State {
    pub fn cond_wait(&mut self, t: TaskId, c: u32) -> OpEnd {
        let Res::Cond { lock, .. } = self.res[c as usize] else {
            return OpEnd::Done;
        };
        let Res::Lock { holder, depth, .. } = &mut self.res[lock as usize] else {
            return OpEnd::Failed(Failure::Unacquired(ResourceId(c)));
        };
        if *holder != Some(t) {
            return OpEnd::Failed(Failure::Unacquired(ResourceId(c)));
        }
        let d = *depth;
        *holder = None;
        *depth = 0;
        self.emit(EventKind::LockRelease {
            task: t,
            lock: ResourceId(lock),
            depth: 0,
        });
        self.hand_over_lock(lock);
        self.relock[t.index()] = Some(Relock {
            cond: c,
            lock,
            depth: d,
            timed_out: false,
        });
        if let Res::Cond { waiters, .. } = &mut self.res[c as usize] {
            waiters.push_back(t);
        }
        OpEnd::Wait(WaitOn::Notify(ResourceId(c)))
    }

    /// `notify C [N]` / `notify_all C`.
    pub fn notify(&mut self, t: TaskId, c: u32, n: Option<u32>) -> OpEnd {
        let Res::Cond { lock, .. } = self.res[c as usize] else {
            return OpEnd::Done;
        };
        if self.res[lock as usize].holder() != Some(t) {
            return OpEnd::Failed(Failure::Unacquired(ResourceId(c)));
        }
        let Res::Cond { waiters, .. } = &mut self.res[c as usize] else {
            return OpEnd::Done;
        };
        let take = n.map_or(waiters.len(), |n| (n as usize).min(waiters.len()));
        let woken: Vec<TaskId> = waiters.drain(..take).collect();
        self.emit(EventKind::Notify {
            task: t,
            cond: ResourceId(c),
            woken: woken.len() as u32,
        });
        for w in woken {
            self.back_to_lock(w, false);
        }
        OpEnd::Done
    }

    /// A condition's waiter (notified, or timed out) queues for its lock;
    /// it keeps waiting, now on the lock, unless the lock is free.
    pub fn back_to_lock(&mut self, w: TaskId, timed_out: bool) {
        let Some(mut k) = self.relock[w.index()].take() else {
            return;
        };
        k.timed_out = timed_out;
        let lock = ResourceId(k.lock);
        let Res::Lock {
            holder,
            depth,
            waiters,
            ..
        } = &mut self.res[k.lock as usize]
        else {
            return;
        };
        if holder.is_none() && waiters.is_empty() {
            *holder = Some(w);
            *depth = k.depth.max(1);
            let d = *depth;
            self.emit(EventKind::LockAcquire {
                task: w,
                lock,
                depth: d,
            });
            let g = if timed_out {
                Grant::Fail(Failure::Timeout(ResourceId(k.cond)))
            } else {
                Grant::Done
            };
            return self.grant(w, g);
        }
        waiters.push_back(w);
        self.relock[w.index()] = Some(k);
        self.emit(EventKind::LockWait { task: w, lock });
        self.set_state(
            w,
            crate::event::TaskState::Blocked {
                on: WaitOn::Lock(lock),
                timed: false,
            },
        );
    }
}
