//! Values: the shared variables of each process, the task's locals and
//! `last`, and the expressions, conditions and texts of scripts.

use super::exec::OpEnd;
use super::Sim;
use crate::event::{Event, EventKind, TaskId, VarId};
use crate::scenario::{Cond, Expr, Operand, TextPart};

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

    /// The value of an operand for task `t`.
    fn operand(&self, t: TaskId, o: Operand) -> i64 {
        let task = &self.tasks[t.index()];
        match o {
            Operand::Int(n) => n,
            Operand::Local(v) => task.locals.get(v).copied().unwrap_or(0),
            Operand::Index => self.fixed_task(t).index,
            Operand::Last => task.last,
        }
    }

    /// An expression's value for `t`; `None` when it overflows.
    pub(super) fn eval(&self, t: TaskId, e: &Expr) -> Option<i64> {
        e.terms.iter().try_fold(0i64, |acc, &(plus, o)| {
            let v = self.operand(t, o);
            if plus {
                acc.checked_add(v)
            } else {
                acc.checked_sub(v)
            }
        })
    }

    pub(super) fn holds(&self, t: TaskId, c: &Cond) -> bool {
        c.op.holds(self.operand(t, c.lhs), self.operand(t, c.rhs))
    }

    pub(super) fn format(&self, t: TaskId, parts: &[TextPart]) -> String {
        let mut s = String::new();
        for p in parts {
            match p {
                TextPart::Text(text) => s.push_str(text),
                TextPart::Local(v) => s.push_str(&self.operand(t, Operand::Local(*v)).to_string()),
                TextPart::Index => s.push_str(&self.fixed_task(t).index.to_string()),
                TextPart::Last => s.push_str(&self.tasks[t.index()].last.to_string()),
            }
        }
        s
    }
}
