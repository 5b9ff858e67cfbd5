//! Shortest remaining time first: preemptive shortest job first. A task that
//! becomes ready with a strictly shorter burst than what a running task has
//! left takes that task's CPU.

use super::{Keys, Scheduler};
use crate::event::TaskId;

/// Shortest remaining burst first, preemptive.
pub struct ShortestRemainingFirst;

impl Scheduler for ShortestRemainingFirst {
    fn key(&self, task: TaskId, keys: &dyn Keys) -> Option<i64> {
        Some(i64::try_from(keys.burst(task)).unwrap_or(i64::MAX))
    }

    fn keys_are_bursts(&self) -> bool {
        true
    }

    fn preemptive(&self) -> bool {
        true
    }
}
