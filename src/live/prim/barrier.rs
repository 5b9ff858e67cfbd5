//! Barriers: the last of the parties lets all pass; a timeout breaks it
//! for every waiter.

use super::super::board::{Grant, State};
use super::{OpEnd, Res};
use crate::event::{EventKind, Failure, ResourceId, TaskId, WaitOn};

impl State {
    pub fn barrier_wait(&mut self, t: TaskId, b: u32, timeout: Option<u64>) -> OpEnd {
        let barrier = ResourceId(b);
        let Res::Barrier {
            parties,
            waiting,
            broken,
        } = &mut self.res[b as usize]
        else {
            return OpEnd::Done;
        };
        if *broken {
            return OpEnd::Failed(Failure::BrokenBarrier(barrier));
        }
        let arrived = waiting.len() as u32 + 1;
        let all = arrived >= *parties;
        let others = if all {
            std::mem::take(waiting)
        } else {
            Vec::new()
        };
        self.emit(EventKind::BarrierWait {
            task: t,
            barrier,
            arrived,
        });
        if all {
            for w in others {
                self.grant(w, Grant::Done);
            }
            return OpEnd::Done;
        }
        if timeout == Some(0) {
            return self.break_barrier(t, b);
        }
        if let Res::Barrier { waiting, .. } = &mut self.res[b as usize] {
            waiting.push(t);
        }
        OpEnd::Wait(WaitOn::Barrier(barrier))
    }

    /// A wait on the barrier timed out: it breaks, and every waiter fails.
    pub fn break_barrier(&mut self, t: TaskId, b: u32) -> OpEnd {
        let barrier = ResourceId(b);
        let waiting = match &mut self.res[b as usize] {
            Res::Barrier {
                waiting, broken, ..
            } => {
                *broken = true;
                std::mem::take(waiting)
            }
            _ => Vec::new(),
        };
        self.emit(EventKind::BarrierBroken { task: t, barrier });
        for w in waiting.into_iter().filter(|&w| w != t) {
            self.grant(w, Grant::Fail(Failure::BrokenBarrier(barrier)));
        }
        OpEnd::Failed(Failure::BrokenBarrier(barrier))
    }
}
