//! Shortest job first: the ready task with the shortest next CPU burst runs,
//! and keeps its CPU until it blocks or ends.

use super::{Keys, Scheduler};
use crate::event::TaskId;

/// Shortest next burst first, not preemptive.
pub struct ShortestJobFirst;

impl Scheduler for ShortestJobFirst {
    fn key(&self, task: TaskId, keys: &dyn Keys) -> Option<i64> {
        Some(i64::try_from(keys.burst(task)).unwrap_or(i64::MAX))
    }

    fn keys_are_bursts(&self) -> bool {
        true
    }
}
