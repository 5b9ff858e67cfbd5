//! Priority scheduling, not preemptive: the ready task with the smallest
//! priority number runs until it blocks or ends.

use super::{Keys, Scheduler};
use crate::event::TaskId;

/// Smallest priority number first.
pub struct Priority;

impl Scheduler for Priority {
    fn key(&self, task: TaskId, keys: &dyn Keys) -> Option<i64> {
        Some(keys.priority(task))
    }
}
