//! Round robin: first come, first served with a time slice; a task whose
//! slice ends goes to the back of the ready queue.

use super::Scheduler;

/// Round robin with a slice of `quantum` ticks.
pub struct RoundRobin;

impl Scheduler for RoundRobin {
    fn sliced(&self) -> bool {
        true
    }
}
