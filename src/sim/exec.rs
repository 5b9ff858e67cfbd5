//! Executing instructions: control flow, the scheduling-related operations
//! and the bookkeeping shared by every primitive (blocking, waking, failing,
//! ending a task).

use super::program::{Instr, Op1};
use super::{Sim, MAX_STEPS_PER_TICK};
use crate::event::{Event, EventKind, Failure, TaskId, TaskState, VarId, WaitOn};
use crate::scenario::{Cond, Expr, OnTimeout, Operand, TextPart};

impl Sim {
    /// Runs the running task `t` up to and including its next operation.
    pub(super) fn exec_step(&mut self, t: TaskId, out: &mut Vec<Event>) {
        let fixed = self.fixed.clone();
        let code = &fixed.tasks[t.index()].program.code;
        loop {
            if !self.count_step(t) {
                return self.end_task(
                    t,
                    TaskState::Failed {
                        reason: Failure::NoProgress,
                    },
                    out,
                );
            }
            let pc = self.tasks[t.index()].pc;
            let Some(instr) = code.get(pc as usize) else {
                return self.end_task(t, TaskState::Done, out);
            };
            let task = &mut self.tasks[t.index()];
            match instr {
                Instr::Jump(to) => task.pc = *to,
                Instr::LoopInit { slot, times } => {
                    task.counters[*slot as usize] = *times;
                    task.pc += 1;
                }
                Instr::LoopTest { slot, exit } => {
                    let n = &mut task.counters[*slot as usize];
                    if *n == 0 {
                        task.pc = *exit;
                    } else {
                        *n -= 1;
                        task.pc += 1;
                    }
                }
                Instr::JumpUnless { cond, target } => {
                    let holds = self.holds(t, cond);
                    let task = &mut self.tasks[t.index()];
                    task.pc = if holds { task.pc + 1 } else { *target };
                }
                Instr::Op { op, .. } => {
                    self.emit(out, EventKind::Pc { task: t, pc });
                    self.exec_op(t, op, out);
                    self.maybe_preempt(t, out);
                    return;
                }
            }
        }
    }

    /// Counts one instruction of `t` at this boundary; false past the limit.
    fn count_step(&mut self, t: TaskId) -> bool {
        let now = self.tick;
        let task = &mut self.tasks[t.index()];
        if task.steps_tick != now {
            task.steps_tick = now;
            task.steps = 0;
        }
        task.steps += 1;
        task.steps <= MAX_STEPS_PER_TICK
    }

    /// `preempt`: after an operation, the running task may lose its CPU.
    fn maybe_preempt(&mut self, t: TaskId, out: &mut Vec<Event>) {
        let threshold = self.fixed.preempt;
        let task = &self.tasks[t.index()];
        if threshold == 0 || task.computing || !matches!(task.state, TaskState::Running { .. }) {
            return;
        }
        if self.rng.chance(threshold) {
            self.preempt(t, out);
        }
    }

    fn exec_op(&mut self, t: TaskId, op: &Op1, out: &mut Vec<Event>) {
        let ok = match op {
            Op1::Compute(n) => {
                let task = &mut self.tasks[t.index()];
                task.computing = true;
                task.remaining = *n;
                return;
            }
            Op1::Sleep { ticks: 0, .. } | Op1::Yield => {
                self.tasks[t.index()].pc += 1;
                self.tasks[t.index()].yielded = Some(self.tick);
                return self.preempt(t, out);
            }
            Op1::Sleep { ticks, io } => {
                self.off_cpu(t);
                self.set_timer(t, self.tick.saturating_add(*ticks));
                return self.set_state(t, TaskState::Sleeping { io: *io }, out);
            }
            Op1::Acquire { res, timeout } => self.acquire(t, *res, *timeout, out),
            Op1::Release(r) => self.release(t, *r, out),
            Op1::Put {
                queue,
                value,
                nowait,
            } => {
                let value = value.as_ref().map(|e| self.eval(t, e));
                self.put(t, *queue, value, *nowait, out)
            }
            Op1::Get {
                queue,
                timeout,
                nowait,
            } => self.get(t, *queue, *timeout, *nowait, out),
            Op1::TaskDone(q) => self.task_done(t, *q, out),
            Op1::JoinQueue(q) => self.join_queue(t, *q, out),
            Op1::Spawn(c) => self.spawn(t, TaskId(*c), out),
            Op1::JoinTask(c) => {
                let c = TaskId(*c);
                if self.tasks[c.index()].state.is_final() {
                    Step::Done
                } else {
                    self.block(t, WaitOn::Task(c), None, out);
                    Step::Blocked
                }
            }
            Op1::Terminate(c) => {
                let c = TaskId(*c);
                self.emit(out, EventKind::Terminate { task: t, target: c });
                if !self.tasks[c.index()].state.is_final() {
                    self.end_task(c, TaskState::Killed, out);
                }
                if c == t {
                    return;
                }
                Step::Done
            }
            Op1::Read(v) => {
                let value = self.vars[*v as usize];
                self.tasks[t.index()].locals[*v as usize] = value;
                let var = VarId(*v);
                self.emit(
                    out,
                    EventKind::VarRead {
                        task: t,
                        var,
                        value,
                    },
                );
                Step::Done
            }
            Op1::Write { var, expr } => {
                let value = self.eval(t, expr);
                self.write_var(t, *var, value, out)
            }
            Op1::WriteAdd { var, delta } => {
                let value = self.tasks[t.index()].locals[*var as usize].wrapping_add(*delta);
                self.write_var(t, *var, value, out)
            }
            Op1::AtomicAdd { var, delta } => {
                let value = self.vars[*var as usize].wrapping_add(*delta);
                self.write_var(t, *var, value, out)
            }
            Op1::Print(parts) => {
                let text = self.format(t, parts).into_boxed_str();
                self.emit(out, EventKind::Print { task: t, text });
                Step::Done
            }
            Op1::Exit => return self.end_task(t, TaskState::Done, out),
            Op1::Restart => {
                self.tasks[t.index()].pc = 0;
                return;
            }
        };
        match ok {
            Step::Done => self.tasks[t.index()].pc += 1,
            Step::Blocked => {}
            Step::Failed(reason) => {
                self.fail_op(t, reason, out);
            }
        }
    }

    fn write_var(&mut self, t: TaskId, v: u32, value: i64, out: &mut Vec<Event>) -> Step {
        self.vars[v as usize] = value;
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
        Step::Done
    }

    fn spawn(&mut self, t: TaskId, c: TaskId, out: &mut Vec<Event>) -> Step {
        let child = &mut self.tasks[c.index()];
        if child.spawned || child.state != TaskState::New {
            return Step::Failed(Failure::AlreadyStarted(c));
        }
        child.spawned = true;
        self.emit(out, EventKind::Spawn { task: t, child: c });
        self.make_ready(c, out);
        Step::Done
    }

    /// Handles a failed operation of `t`: its `else` block, or the task's
    /// `on_timeout`. A misuse (Python's `RuntimeError` or `ValueError`)
    /// always fails the task; `on_timeout = "ignore"` only passes over
    /// timeouts, `Full` and `Empty`. Returns whether the task goes on.
    pub(super) fn fail_op(&mut self, t: TaskId, reason: Failure, out: &mut Vec<Event>) -> bool {
        let pc = self.tasks[t.index()].pc as usize;
        let on_fail = match self.fixed_task(t).program.code.get(pc) {
            Some(Instr::Op { on_fail, .. }) => *on_fail,
            _ => None,
        };
        if let Some(target) = on_fail {
            self.tasks[t.index()].pc = target;
            return true;
        }
        let misuse = matches!(
            reason,
            Failure::NotHeld(_) | Failure::TooManyDone(_) | Failure::AlreadyStarted(_)
        );
        if !misuse && self.fixed_task(t).on_timeout == OnTimeout::Ignore {
            self.tasks[t.index()].pc += 1;
            return true;
        }
        self.end_task(t, TaskState::Failed { reason }, out);
        false
    }

    /// Blocks the running task `t` on `on`, with an optional timeout.
    pub(super) fn block(
        &mut self,
        t: TaskId,
        on: WaitOn,
        timeout: Option<u64>,
        out: &mut Vec<Event>,
    ) {
        self.off_cpu(t);
        if let Some(n) = timeout {
            self.set_timer(t, self.tick.saturating_add(n));
        } else {
            self.newly_blocked.push(t);
        }
        let timed = timeout.is_some();
        self.set_state(t, TaskState::Blocked { on, timed }, out);
    }

    /// Ends the wait of a blocked task whose operation another task completed.
    pub(super) fn wake_done(&mut self, t: TaskId, out: &mut Vec<Event>) {
        self.clear_timer(t);
        self.tasks[t.index()].pc += 1;
        self.make_ready(t, out);
    }

    /// Puts a task at the back of the ready queue.
    pub(super) fn make_ready(&mut self, t: TaskId, out: &mut Vec<Event>) {
        self.ready.push_back(t);
        self.set_state(t, TaskState::Ready, out);
    }

    /// Frees the CPU `t` runs on (or is being switched to), if any.
    pub(super) fn off_cpu(&mut self, t: TaskId) {
        if let Some(c) = self.tasks[t.index()].cpu.take() {
            let cpu = &mut self.cpus[c as usize];
            if cpu.pending {
                cpu.pending = false;
                cpu.switching = 0;
            }
            cpu.task = None;
        }
    }

    /// Ends a task for good (done, failed or killed): it leaves its CPU,
    /// every queue and timer; the locks it holds stay held; tasks joining it wake.
    pub(super) fn end_task(&mut self, t: TaskId, state: TaskState, out: &mut Vec<Event>) {
        self.off_cpu(t);
        self.clear_timer(t);
        self.ready.retain(|&r| r != t);
        self.forget_waiter(t);
        let task = &mut self.tasks[t.index()];
        task.computing = false;
        task.remaining = 0;
        self.set_state(t, state, out);
        let joiners: Vec<TaskId> = (0..self.tasks.len())
            .map(|i| TaskId(i as u32))
            .filter(|&j| {
                matches!(self.tasks[j.index()].state,
                    TaskState::Blocked { on: WaitOn::Task(x), .. } if x == t)
            })
            .collect();
        for j in joiners {
            self.wake_done(j, out);
        }
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

    pub(super) fn eval(&self, t: TaskId, e: &Expr) -> i64 {
        e.terms.iter().fold(0i64, |acc, &(plus, o)| {
            let v = self.operand(t, o);
            if plus {
                acc.wrapping_add(v)
            } else {
                acc.wrapping_sub(v)
            }
        })
    }

    pub(super) fn holds(&self, t: TaskId, c: &Cond) -> bool {
        c.op.holds(self.operand(t, c.lhs), self.operand(t, c.rhs))
    }

    fn format(&self, t: TaskId, parts: &[TextPart]) -> String {
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

/// How an operation ended for the task that ran it.
pub(super) enum Step {
    /// Done: the task moves on.
    Done,
    /// The task now waits.
    Blocked,
    /// The operation failed.
    Failed(Failure),
}
