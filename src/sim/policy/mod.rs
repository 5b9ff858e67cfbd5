//! Scheduling policies: which ready task a free CPU takes, whether a ready
//! task may take a running task's CPU, and the time slice. One policy a file.

mod fifo;
mod priority;
mod priority_preemptive;
mod random;
mod rr;
mod sjf;
mod srtf;

use super::rng::Rng;
use crate::event::TaskId;
use crate::scenario::Policy;

/// What a policy may ask about a task.
pub trait Keys {
    /// The task's next CPU burst; for a running task, what is left of it.
    fn burst(&self, task: TaskId) -> u64;
    /// The task's priority (smaller is more important).
    fn priority(&self, task: TaskId) -> i64;
}

/// A scheduling policy.
pub trait Scheduler {
    /// The ordering key of a task, smaller first; `None` for policies that
    /// take the ready queue in order.
    fn key(&self, _task: TaskId, _keys: &dyn Keys) -> Option<i64> {
        None
    }

    /// Whether [`Scheduler::pick`] is the default: the first task with the
    /// smallest key (so the simulator may find it without a copy of the
    /// ready queue).
    fn picks_by_key(&self) -> bool {
        true
    }

    /// Whether the key is a task's next CPU burst (which the simulator then
    /// keeps for each ready task, as it cannot change while the task waits
    /// for a CPU).
    fn keys_are_bursts(&self) -> bool {
        false
    }

    /// Index into `ready` (in the order tasks joined it) of the task to run next.
    fn pick(&self, ready: &[TaskId], keys: &dyn Keys, _rng: &mut Rng) -> usize {
        let mut best = 0;
        let mut best_key = None;
        for (i, &t) in ready.iter().enumerate() {
            let k = self.key(t, keys);
            if i == 0 || k < best_key {
                best = i;
                best_key = k;
            }
        }
        best
    }

    /// Whether a ready task with a strictly smaller key takes a running task's CPU.
    fn preemptive(&self) -> bool {
        false
    }

    /// Whether tasks run in time slices of `quantum` ticks.
    fn sliced(&self) -> bool {
        false
    }
}

/// The scheduler for a policy.
pub fn scheduler(policy: Policy) -> &'static dyn Scheduler {
    match policy {
        Policy::Fifo => &fifo::Fifo,
        Policy::Rr => &rr::RoundRobin,
        Policy::Sjf => &sjf::ShortestJobFirst,
        Policy::Srtf => &srtf::ShortestRemainingFirst,
        Policy::Priority => &priority::Priority,
        Policy::PriorityPreemptive => &priority_preemptive::PriorityPreemptive,
        Policy::Random => &random::Random,
    }
}
