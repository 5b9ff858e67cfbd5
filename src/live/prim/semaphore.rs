//! Semaphores: permits taken at once or in FIFO order; a bounded one
//! refuses a release past its start.

use super::super::board::{Grant, State};
use super::{OpEnd, Res};
use crate::event::{EventKind, Failure, ResourceId, TaskId, WaitOn};

impl State {
    /// `acquire S`: a permit, at once or FIFO.
    pub(super) fn permit_acquire(&mut self, t: TaskId, r: u32, timeout: Option<u64>) -> OpEnd {
        let lock = ResourceId(r);
        let Res::Sem {
            left,
            holders,
            waiters,
            ..
        } = &mut self.res[r as usize]
        else {
            return OpEnd::Done;
        };
        if *left > 0 && waiters.is_empty() {
            *left -= 1;
            count(holders, t, 1);
            let left = *left;
            self.emit(EventKind::PermitAcquire {
                task: t,
                sem: lock,
                left,
            });
            return OpEnd::Done;
        }
        if timeout == Some(0) {
            return OpEnd::Failed(Failure::Timeout(lock));
        }
        waiters.push_back(t);
        OpEnd::Wait(WaitOn::Permit(lock))
    }

    /// `release S`: the permit goes to the first waiter, or back; a bounded
    /// semaphore refuses one past its start.
    pub(super) fn permit_release(&mut self, t: TaskId, r: u32) -> OpEnd {
        let lock = ResourceId(r);
        let Res::Sem {
            start,
            bounded,
            left,
            holders,
            waiters,
        } = &mut self.res[r as usize]
        else {
            return OpEnd::Done;
        };
        if *bounded && *left >= *start {
            return OpEnd::Failed(Failure::TooManyReleases(lock));
        }
        count(holders, t, -1);
        *left = left.saturating_add(1);
        let next = waiters.pop_front();
        if let Some(w) = next {
            *left -= 1;
            count(holders, w, 1);
        }
        let after = *left;
        let released = after + u32::from(next.is_some());
        self.emit(EventKind::PermitRelease {
            task: t,
            sem: lock,
            left: released,
        });
        if let Some(w) = next {
            self.emit(EventKind::PermitAcquire {
                task: w,
                sem: lock,
                left: after,
            });
            self.grant(w, Grant::Done);
        }
        OpEnd::Done
    }
}

/// Counts a semaphore's permit in (`by` 1) or out (-1) of `t`'s hands.
fn count(holders: &mut Vec<(TaskId, u32)>, t: TaskId, by: i32) {
    match holders.iter().position(|(h, _)| *h == t) {
        Some(i) if by > 0 => holders[i].1 += 1,
        Some(i) => {
            holders[i].1 -= 1;
            if holders[i].1 == 0 {
                holders.remove(i);
            }
        }
        None if by > 0 => holders.push((t, 1)),
        None => {}
    }
}
