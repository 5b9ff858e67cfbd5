//! Preemptive priority scheduling: a ready task with a strictly smaller
//! priority number takes a running task's CPU; tasks of equal priority share
//! the CPU round robin.

use super::{Keys, Scheduler};
use crate::event::TaskId;

/// Smallest priority number first, preemptive, round robin among equals.
pub struct PriorityPreemptive;

impl Scheduler for PriorityPreemptive {
    fn key(&self, task: TaskId, keys: &dyn Keys) -> Option<i64> {
        Some(keys.priority(task))
    }

    fn preemptive(&self) -> bool {
        true
    }

    fn sliced(&self) -> bool {
        true
    }
}
