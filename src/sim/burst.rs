//! The next CPU burst of a task, as `sjf` and `srtf` see it: what is left
//! of its current compute and the computes that follow until its next
//! blocking operation, following loops and `if`s with the task's values.

use super::program::burst_from;
use super::{Sim, MAX_STEPS_PER_TICK};
use crate::event::TaskId;

impl Sim {
    /// The task's next CPU burst: what is left of its compute and the
    /// computes that follow until its next blocking operation.
    pub(super) fn next_burst(&self, t: TaskId) -> u64 {
        let task = &self.tasks[t.index()];
        let code = &self.fixed_task(t).program.code;
        let (pc, left) = if task.computing {
            (task.pc + 1, task.remaining)
        } else {
            (task.pc, 0)
        };
        let holds = |c: &crate::scenario::Cond| self.holds(t, c);
        let rest = burst_from(code, pc, task.counters.to_vec(), holds, MAX_STEPS_PER_TICK);
        left.saturating_add(rest)
    }
}
