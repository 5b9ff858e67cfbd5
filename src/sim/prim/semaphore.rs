//! Semaphores: `acquire` takes a permit or waits (FIFO); `release` hands a
//! permit to the first waiter or returns it, and fails on a bounded
//! semaphore already back at its start.

use std::collections::VecDeque;

use super::{prim_as, PrimKind};
use crate::event::{Event, EventKind, Failure, ResourceId, TaskId, WaitOn};
use crate::sim::exec::OpEnd;
use crate::sim::Sim;

/// Permits left, who holds how many, and the waiters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub(in crate::sim) struct SemRt {
    pub(in crate::sim) left: u32,
    pub(in crate::sim) holders: Vec<(TaskId, u32)>,
    pub(in crate::sim) waiters: VecDeque<TaskId>,
}

impl SemRt {
    pub(in crate::sim) fn new(permits: u32) -> SemRt {
        SemRt {
            left: permits,
            ..SemRt::default()
        }
    }

    fn count_holder(&mut self, t: TaskId) {
        match self.holders.iter_mut().find(|(h, _)| *h == t) {
            Some((_, n)) => *n += 1,
            None => self.holders.push((t, 1)),
        }
    }

    fn uncount_holder(&mut self, t: TaskId) {
        if let Some(i) = self.holders.iter().position(|(h, _)| *h == t) {
            self.holders[i].1 -= 1;
            if self.holders[i].1 == 0 {
                self.holders.remove(i);
            }
        }
    }
}

impl Sim {
    pub(in crate::sim) fn acquire_permit(
        &mut self,
        t: TaskId,
        r: u32,
        timeout: Option<u64>,
        out: &mut Vec<Event>,
    ) -> OpEnd {
        let sem = ResourceId(r);
        let Some(s) = prim_as!(self, r, Semaphore) else {
            return OpEnd::Done;
        };
        if s.left > 0 && s.waiters.is_empty() {
            s.left -= 1;
            s.count_holder(t);
            let left = s.left;
            self.emit(out, EventKind::PermitAcquire { task: t, sem, left });
            return OpEnd::Done;
        }
        if timeout == Some(0) {
            return OpEnd::Failed(Failure::Timeout(sem));
        }
        s.waiters.push_back(t);
        self.block(t, WaitOn::Permit(sem), timeout, out);
        OpEnd::Blocked
    }

    pub(in crate::sim) fn release_permit(
        &mut self,
        t: TaskId,
        r: u32,
        out: &mut Vec<Event>,
    ) -> OpEnd {
        let sem = ResourceId(r);
        let (start, bounded) = match self.fixed.kinds[r as usize] {
            PrimKind::Semaphore { permits, bounded } => (permits, bounded),
            _ => (0, false),
        };
        let Some(s) = prim_as!(self, r, Semaphore) else {
            return OpEnd::Done;
        };
        if bounded && s.left >= start {
            return OpEnd::Failed(Failure::TooManyReleases(sem));
        }
        s.uncount_holder(t);
        s.left = s.left.saturating_add(1);
        let left = s.left;
        let next = s.waiters.pop_front();
        self.emit(out, EventKind::PermitRelease { task: t, sem, left });
        if let Some(w) = next {
            if let Some(s) = prim_as!(self, r, Semaphore) {
                s.left -= 1;
                s.count_holder(w);
                let left = s.left;
                self.emit(out, EventKind::PermitAcquire { task: w, sem, left });
            }
            self.wake_done(w, out);
        }
        OpEnd::Done
    }
}
