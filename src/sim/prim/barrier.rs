//! Barriers: the last of `parties` arrivals releases everyone at that tick;
//! a timed-out wait breaks the barrier for every waiter and later arrival.

use super::{prim_as, PrimKind};
use crate::event::{Event, EventKind, Failure, ResourceId, TaskId, WaitOn};
use crate::sim::exec::OpEnd;
use crate::sim::Sim;

/// Who waits at a barrier in this round, and whether it is broken.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub(in crate::sim) struct BarrierRt {
    pub(in crate::sim) waiting: Vec<TaskId>,
    pub(in crate::sim) broken: bool,
}

impl Sim {
    pub(in crate::sim) fn wait_barrier(
        &mut self,
        t: TaskId,
        b: u32,
        timeout: Option<u64>,
        out: &mut Vec<Event>,
    ) -> OpEnd {
        let barrier = ResourceId(b);
        let parties = match self.fixed.kinds[b as usize] {
            PrimKind::Barrier { parties } => parties.max(1),
            _ => 1,
        };
        let Some(rt) = prim_as!(self, b, Barrier) else {
            return OpEnd::Done;
        };
        if rt.broken {
            return OpEnd::Failed(Failure::BrokenBarrier(barrier));
        }
        let arrived = rt.waiting.len() as u32 + 1;
        self.emit(
            out,
            EventKind::BarrierWait {
                task: t,
                barrier,
                arrived,
            },
        );
        if arrived >= parties {
            let others =
                prim_as!(self, b, Barrier).map_or(Vec::new(), |rt| std::mem::take(&mut rt.waiting));
            for w in others {
                self.wake_done(w, out);
            }
            return OpEnd::Done;
        }
        if timeout == Some(0) {
            return self.break_barrier(t, b, out);
        }
        if let Some(rt) = prim_as!(self, b, Barrier) {
            rt.waiting.push(t);
        }
        self.block(t, WaitOn::Barrier(barrier), timeout, out);
        OpEnd::Blocked
    }

    /// `t`'s wait timed out: the barrier breaks; every waiter fails.
    fn break_barrier(&mut self, t: TaskId, b: u32, out: &mut Vec<Event>) -> OpEnd {
        let barrier = ResourceId(b);
        let waiting = match prim_as!(self, b, Barrier) {
            Some(rt) => {
                rt.broken = true;
                std::mem::take(&mut rt.waiting)
            }
            None => Vec::new(),
        };
        self.emit(out, EventKind::BarrierBroken { task: t, barrier });
        for w in waiting.into_iter().filter(|&w| w != t) {
            self.fail_wait(w, Failure::BrokenBarrier(barrier), out);
        }
        OpEnd::Failed(Failure::BrokenBarrier(barrier))
    }

    /// A timed `wait` on a barrier expired.
    pub(in crate::sim) fn barrier_timeout(&mut self, t: TaskId, b: u32, out: &mut Vec<Event>) {
        if let OpEnd::Failed(reason) = self.break_barrier(t, b, out) {
            self.fail_wait(t, reason, out);
        }
    }
}
