//! The next CPU burst of a task, as `sjf` and `srtf` see it: what is left
//! of its current compute and the computes that follow until its next
//! blocking operation, following loops and `if`s with the task's values.

use super::program::{Instr, Op1};
use super::{Sim, MAX_STEPS_PER_TICK};
use crate::event::TaskId;

impl Sim {
    /// The task's next CPU burst: what is left of its compute and the
    /// computes that follow until its next blocking operation.
    pub(super) fn next_burst(&self, t: TaskId) -> u64 {
        let task = &self.tasks[t.index()];
        let code = &self.fixed_task(t).program.code;
        let mut counters = task.counters.clone();
        let (mut pc, mut total) = if task.computing {
            (task.pc as usize + 1, task.remaining)
        } else {
            (task.pc as usize, 0)
        };
        for _ in 0..MAX_STEPS_PER_TICK {
            let Some(instr) = code.get(pc) else { break };
            pc = match instr {
                Instr::Jump(to) => *to as usize,
                Instr::LoopInit { slot, times } => {
                    counters[*slot as usize] = *times;
                    pc + 1
                }
                Instr::LoopTest { slot, exit } => {
                    let n = &mut counters[*slot as usize];
                    if *n == 0 {
                        *exit as usize
                    } else {
                        *n -= 1;
                        pc + 1
                    }
                }
                Instr::JumpUnless { cond, target } => {
                    if self.holds(t, cond) {
                        pc + 1
                    } else {
                        *target as usize
                    }
                }
                Instr::Op { op, .. } => match op {
                    Op1::Compute(n) => {
                        total = total.saturating_add(*n);
                        pc + 1
                    }
                    Op1::Release(_)
                    | Op1::ReleaseRead(_)
                    | Op1::Notify { .. }
                    | Op1::Set(_)
                    | Op1::Clear(_)
                    | Op1::Read(_)
                    | Op1::Write { .. }
                    | Op1::WriteAdd { .. }
                    | Op1::AtomicAdd { .. }
                    | Op1::Print { .. }
                    | Op1::Spawn(_)
                    | Op1::Terminate(_)
                    | Op1::TaskDone(_) => pc + 1,
                    _ => break,
                },
            };
        }
        total
    }
}
