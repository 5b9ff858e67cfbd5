//! Values: the shared variables of each process, the task's locals and
//! `last`, and the expressions, conditions and texts of scripts.

use super::exec::OpEnd;
use super::Sim;
use crate::event::{Event, EventKind, TaskId, VarId};
use crate::scenario::program::Values;
use crate::scenario::{Cond, Expr, TextPart};

impl Sim {
    /// The value of shared variable `v` in `t`'s process.
    pub(super) fn var(&self, t: TaskId, v: u32) -> i64 {
        let p = self.tasks[t.index()].proc as usize;
        self.vars[p][v as usize]
    }

    pub(super) fn write_var(
        &mut self,
        t: TaskId,
        v: u32,
        value: i64,
        out: &mut Vec<Event>,
    ) -> OpEnd {
        let p = self.tasks[t.index()].proc as usize;
        self.vars[p][v as usize] = value;
        self.tasks[t.index()].locals[v as usize] = value;
        let var = VarId(v);
        self.emit(
            out,
            EventKind::VarWrite {
                task: t,
                var,
                value,
            },
        );
        OpEnd::Done
    }

    /// Task `t`'s values as its script reads them.
    pub(super) fn values(&self, t: TaskId) -> Values<'_> {
        let task = &self.tasks[t.index()];
        Values {
            locals: &task.locals,
            index: self.fixed_task(t).index,
            last: task.last,
        }
    }

    /// An expression's value for `t`; `None` when it overflows.
    pub(super) fn eval(&self, t: TaskId, e: &Expr) -> Option<i64> {
        self.values(t).eval(e)
    }

    pub(super) fn holds(&self, t: TaskId, c: &Cond) -> bool {
        self.values(t).holds(c)
    }

    pub(super) fn format(&self, t: TaskId, parts: &[TextPart]) -> String {
        self.values(t).format(parts)
    }
}
