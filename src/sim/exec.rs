//! Executing instructions: control flow, dispatch of each operation to its
//! primitive, and the bookkeeping every primitive shares (blocking, waking,
//! the gates a task passes to become ready, failing, ending a task).

use super::prim::prim_as;
use super::program::{Instr, Op1, Values};
use super::{Limit, Sim, MAX_BOUNDARY_STEPS, MAX_PRINT_BYTES, MAX_STEPS, MAX_STEPS_PER_TICK};
use crate::event::{Event, EventKind, Failure, TaskId, TaskState, VarId, WaitOn};
use crate::scenario::OnTimeout;

/// How an operation ended for the task that ran it.
pub(super) enum OpEnd {
    /// Done: the task moves on.
    Done,
    /// The task now waits (or has left its CPU some other way).
    Blocked,
    /// The operation failed.
    Failed(Failure),
}

impl Sim {
    /// Runs the running task `t` up to and including its next operation.
    /// True when it ran an operation (false: it ended, or the run halted).
    pub(super) fn exec_step(&mut self, t: TaskId, out: &mut Vec<Event>) -> bool {
        let fixed = self.fixed.clone();
        let code = &fixed.tasks[t.index()].program.code;
        loop {
            if self.halt.is_some() {
                return false;
            }
            if !self.count_step(t) {
                self.end_task(
                    t,
                    TaskState::Failed {
                        reason: Failure::NoProgress,
                    },
                    out,
                );
                return false;
            }
            let pc = self.tasks[t.index()].pc;
            let Some(instr) = code.get(pc as usize) else {
                self.end_task(t, TaskState::Done, out);
                return false;
            };
            if let Instr::Op { op, .. } = instr {
                self.emit(out, EventKind::Pc { task: t, pc });
                self.exec_op(t, op, out);
                return true;
            }
            let index = fixed.tasks[t.index()].index;
            let task = &mut self.tasks[t.index()];
            let values = Values {
                locals: &task.locals,
                index,
                last: task.last,
            };
            if let Some(next) = instr.next_pc(pc, &mut task.counters, |c| values.holds(c)) {
                task.pc = next;
            }
        }
    }

    /// Counts one instruction of `t` at this boundary; false past the
    /// task's limit. Past the run's limits (at this boundary, or in all) the
    /// run halts, naming the task and where it loops.
    fn count_step(&mut self, t: TaskId) -> bool {
        let now = self.tick;
        self.steps = self.steps.saturating_add(1);
        if self.boundary_steps.0 != now {
            self.boundary_steps = (now, 0);
        }
        self.boundary_steps.1 += 1;
        if self.steps > MAX_STEPS || self.boundary_steps.1 > MAX_BOUNDARY_STEPS {
            let pc = self.tasks[t.index()].pc;
            let steps = if self.steps > MAX_STEPS {
                MAX_STEPS
            } else {
                MAX_BOUNDARY_STEPS
            };
            self.halt = Some(Limit::Steps { task: t, pc, steps });
        }
        let task = &mut self.tasks[t.index()];
        if task.steps_tick != now {
            task.steps_tick = now;
            task.steps = 0;
        }
        task.steps += 1;
        task.steps <= MAX_STEPS_PER_TICK
    }

    /// `preempt`: after an operation, the running task may lose its CPU.
    pub(super) fn maybe_preempt(&mut self, t: TaskId, out: &mut Vec<Event>) {
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
        let end = match op {
            Op1::Compute(n) => {
                let task = &mut self.tasks[t.index()];
                task.computing = true;
                task.remaining = *n;
                return;
            }
            Op1::Sleep { ticks: 0, .. } | Op1::Yield => {
                self.tasks[t.index()].pc += 1;
                self.tasks[t.index()].yielded = Some(self.tick);
                self.yield_gil(t, out);
                return self.preempt(t, out);
            }
            Op1::Sleep { ticks, io } => {
                self.leave(t, out);
                self.set_timer(t, self.tick.saturating_add(*ticks));
                return self.set_state(t, TaskState::Sleeping { io: *io }, out);
            }
            Op1::Acquire { res, timeout } => self.acquire_any(t, *res, *timeout, out),
            Op1::Release(r) => self.release_any(t, *r, out),
            Op1::AcquireRead { res, timeout } => self.rw_acquire(t, *res, false, *timeout, out),
            Op1::ReleaseRead(r) => self.rw_release(t, *r, false, out),
            Op1::Wait { res, timeout } => self.wait_any(t, *res, *timeout, out),
            Op1::Notify { res, n } => self.notify(t, *res, *n, out),
            Op1::Set(r) => self.set_flag(t, *r, out),
            Op1::Clear(r) => self.clear_flag(t, *r, out),
            Op1::Put {
                queue,
                value,
                timeout,
                nowait,
            } => {
                let wait = if *nowait { Some(0) } else { *timeout };
                match value.as_ref().map(|e| self.eval(t, e)) {
                    Some(None) => OpEnd::Failed(Failure::Overflow(VarId(u32::MAX))),
                    Some(Some(v)) => self.put(t, *queue, Some(v), wait, out),
                    None => self.put(t, *queue, None, wait, out),
                }
            }
            Op1::Get {
                queue,
                timeout,
                nowait,
            } => self.get(t, *queue, *timeout, *nowait, out),
            Op1::TaskDone(q) => self.task_done(t, *q, out),
            Op1::JoinQueue(q) => self.join_queue(t, *q, out),
            Op1::JoinPool(p) => self.join_pool(t, *p, out),
            Op1::Spawn(c) => self.spawn(t, TaskId(*c), out),
            Op1::JoinTask(c) => self.join_task(t, TaskId(*c), out),
            Op1::Terminate(c) => {
                let c = TaskId(*c);
                self.emit(out, EventKind::Terminate { task: t, target: c });
                self.kill(c, out);
                if !self.alive(t) {
                    return;
                }
                OpEnd::Done
            }
            Op1::Read(v) => {
                let value = self.var(t, *v);
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
                OpEnd::Done
            }
            Op1::Write { var, expr } => match self.eval(t, expr) {
                Some(value) => self.write_var(t, *var, value, out),
                None => OpEnd::Failed(Failure::Overflow(VarId(*var))),
            },
            Op1::WriteAdd { var, delta } => {
                let local = self.tasks[t.index()].locals[*var as usize];
                match local.checked_add(*delta) {
                    Some(value) => self.write_var(t, *var, value, out),
                    None => OpEnd::Failed(Failure::Overflow(VarId(*var))),
                }
            }
            Op1::AtomicAdd { var, delta } => match self.var(t, *var).checked_add(*delta) {
                Some(value) => self.write_var(t, *var, value, out),
                None => OpEnd::Failed(Failure::Overflow(VarId(*var))),
            },
            Op1::Print { parts, constant } => {
                let text = match constant {
                    Some(text) => text.clone(),
                    None => self.format(t, parts).into(),
                };
                self.printed = self.printed.saturating_add(text.len() as u64);
                if self.printed > MAX_PRINT_BYTES {
                    self.halt = Some(Limit::PrintBytes(MAX_PRINT_BYTES));
                }
                self.emit(out, EventKind::Print { task: t, text });
                OpEnd::Done
            }
            Op1::AwaitSleep(n) => self.await_sleep(t, *n, out),
            Op1::AwaitTask(c) => self.await_task(t, TaskId(*c), out),
            Op1::RunLoop => self.run_loop(t, out),
            Op1::Exit => return self.end_task(t, TaskState::Done, out),
            Op1::Restart => {
                self.tasks[t.index()].pc = 0;
                return;
            }
        };
        match end {
            OpEnd::Done => self.tasks[t.index()].pc += 1,
            OpEnd::Blocked => {}
            OpEnd::Failed(reason) => {
                self.fail_op(t, reason, out);
            }
        }
    }

    fn join_task(&mut self, t: TaskId, c: TaskId, out: &mut Vec<Event>) -> OpEnd {
        if c == t {
            return OpEnd::Failed(Failure::JoinSelf);
        }
        if self.task_over(c) {
            return OpEnd::Done;
        }
        self.block(t, WaitOn::Task(c), None, out);
        OpEnd::Blocked
    }

    /// Handles a failed operation of `t`: its `else` block, or the task's
    /// `on_timeout`. A misuse (Python's `RuntimeError`, `ValueError`, …)
    /// always fails the task; `on_timeout = "ignore"` only passes over
    /// timeouts, `Full`, `Empty` and broken barriers. Returns whether the task goes on.
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
        if !reason.is_misuse() && self.fixed_task(t).on_timeout == OnTimeout::Ignore {
            self.tasks[t.index()].pc += 1;
            return true;
        }
        self.end_task(t, TaskState::Failed { reason }, out);
        false
    }

    /// A blocked task's wait failed (a timeout, a broken barrier): it takes
    /// the failure and, if it goes on, becomes ready.
    pub(super) fn fail_wait(&mut self, t: TaskId, reason: Failure, out: &mut Vec<Event>) {
        self.clear_timer(t);
        if self.fail_op(t, reason, out) {
            self.make_ready(t, out);
        }
    }

    /// Blocks the running task `t` on `on`, with an optional timeout. It
    /// leaves its CPU and gives up its GIL.
    pub(super) fn block(
        &mut self,
        t: TaskId,
        on: WaitOn,
        timeout: Option<u64>,
        out: &mut Vec<Event>,
    ) {
        self.leave(t, out);
        match timeout {
            Some(n) => self.set_timer(t, self.tick.saturating_add(n)),
            None => self.newly_blocked.push(t),
        }
        let timed = timeout.is_some();
        self.set_state(t, TaskState::Blocked { on, timed }, out);
    }

    /// `t` stops running for a while: it leaves its CPU and its GIL.
    pub(super) fn leave(&mut self, t: TaskId, out: &mut Vec<Event>) {
        self.off_cpu(t);
        self.drop_gil(t, out);
    }

    /// Ends the wait of a blocked task whose operation another task completed.
    pub(super) fn wake_done(&mut self, t: TaskId, out: &mut Vec<Event>) {
        self.clear_timer(t);
        self.tasks[t.index()].pc += 1;
        self.make_ready(t, out);
    }

    /// Makes `t` ready to run once it has passed its gates: a pool job needs
    /// a worker, a coroutine its loop, a thread under the GIL its process's
    /// GIL. At a closed gate it waits, blocked on it.
    pub(super) fn make_ready(&mut self, t: TaskId, out: &mut Vec<Event>) {
        if let Some(on) = self.gate(t, out) {
            self.set_state(t, TaskState::Blocked { on, timed: false }, out);
            if !matches!(on, WaitOn::Gil(_)) {
                self.newly_blocked.push(t);
            }
            return;
        }
        self.ready.push_back(t);
        if t.index() < self.bursts.len() {
            self.bursts[t.index()] = Some(self.next_burst(t));
        }
        self.set_state(t, TaskState::Ready, out);
    }

    /// Takes `t` out of the ready queue (where a task is at most once).
    pub(super) fn unready(&mut self, t: TaskId) {
        if let Some(i) = self.ready.iter().position(|&r| r == t) {
            self.ready.remove(i);
            if let Some(burst) = self.bursts.get_mut(t.index()) {
                *burst = None;
            }
        }
    }

    /// Passes `t` through its gates; the first one closed, if any.
    fn gate(&mut self, t: TaskId, out: &mut Vec<Event>) -> Option<WaitOn> {
        let f = self.fixed_task(t);
        let (pool, event_loop) = (f.pool, f.event_loop);
        if let Some(p) = pool {
            if self.tasks[t.index()].worker.is_none() && !self.take_worker(t, p, out) {
                return Some(WaitOn::Worker(crate::event::ResourceId(p)));
            }
        }
        if let Some(l) = event_loop {
            if !self.take_token(t, l, out) {
                return Some(WaitOn::Loop(crate::event::ResourceId(l)));
            }
        }
        if let Some(g) = self.gil_of(t) {
            if !self.take_token(t, g, out) {
                return Some(WaitOn::Gil(crate::event::ResourceId(g)));
            }
        }
        None
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

    /// Takes `t` off every wait list (a timeout, a kill).
    pub(super) fn forget_waiter(&mut self, t: TaskId) {
        for p in &mut self.prims {
            p.forget(t);
        }
    }

    /// Ends a task for good (done, failed or killed): it leaves its CPU,
    /// every wait list and timer, and gives back its GIL, its loop and its
    /// pool worker; the locks it holds stay held; tasks waiting for its end wake.
    pub(super) fn end_task(&mut self, t: TaskId, state: TaskState, out: &mut Vec<Event>) {
        self.leave(t, out);
        self.clear_timer(t);
        // Only a ready task can be in the ready queue, and only a blocked
        // one on a wait list.
        let state_now = self.tasks[t.index()].state;
        if state_now == TaskState::Ready {
            self.unready(t);
        }
        if matches!(state_now, TaskState::Blocked { .. }) {
            self.forget_waiter(t);
        } else {
            debug_assert!(
                !self.prims.iter().any(|p| p.has_waiter(t)),
                "a task that is not blocked is on a wait list"
            );
        }
        let task = &mut self.tasks[t.index()];
        task.computing = false;
        task.remaining = 0;
        task.relock = None;
        self.set_state(t, state, out);
        self.ended = true;
        self.drop_loop(t, out);
        self.free_worker(t, out);
        self.wake_enders(out);
    }

    /// Wakes the tasks whose wait ended with a task's end: joiners and
    /// awaiters, the joiners of a process, a pool and a loop.
    fn wake_enders(&mut self, out: &mut Vec<Event>) {
        let waiting: Vec<(TaskId, WaitOn)> = self
            .awaiting_ends
            .iter()
            .filter_map(|&j| match self.tasks[j.index()].state {
                TaskState::Blocked { on, .. } => Some((j, on)),
                _ => None,
            })
            .collect();
        for (j, on) in waiting {
            let over = match on {
                WaitOn::Task(x) | WaitOn::Await(x) => self.task_over(x),
                WaitOn::PoolJoin(p) => self.pool_done(p.0),
                WaitOn::RunLoop(l) => self.loop_done(l.0),
                _ => false,
            };
            if over && self.alive(j) {
                if let WaitOn::RunLoop(l) = on {
                    self.close_loop(l.0);
                }
                self.wake_done(j, out);
            }
        }
    }

    /// `acquire X` on a mutex, rlock, rwlock (for writing) or semaphore.
    fn acquire_any(
        &mut self,
        t: TaskId,
        r: u32,
        timeout: Option<u64>,
        out: &mut Vec<Event>,
    ) -> OpEnd {
        if prim_as!(self, r, RwLock).is_some() {
            self.rw_acquire(t, r, true, timeout, out)
        } else if prim_as!(self, r, Semaphore).is_some() {
            self.acquire_permit(t, r, timeout, out)
        } else {
            self.acquire(t, r, timeout, out)
        }
    }

    /// `release X` on a mutex, rlock, rwlock (held for writing) or semaphore.
    fn release_any(&mut self, t: TaskId, r: u32, out: &mut Vec<Event>) -> OpEnd {
        if prim_as!(self, r, RwLock).is_some() {
            self.rw_release(t, r, true, out)
        } else if prim_as!(self, r, Semaphore).is_some() {
            self.release_permit(t, r, out)
        } else {
            self.release(t, r, out)
        }
    }

    /// `wait X` on a condition, an event or a barrier.
    fn wait_any(&mut self, t: TaskId, r: u32, timeout: Option<u64>, out: &mut Vec<Event>) -> OpEnd {
        if prim_as!(self, r, Condition).is_some() {
            self.wait_condition(t, r, timeout, out)
        } else if prim_as!(self, r, Flag).is_some() {
            self.wait_flag(t, r, timeout, out)
        } else {
            self.wait_barrier(t, r, timeout, out)
        }
    }
}
