//! One task's thread: it arrives, takes its gates and a CPU, and runs its
//! compiled script operation by operation on the board, parking where it
//! must wait, burning CPU time for `compute` and sleeping for `sleep`.

use super::board::{Board, Grant, Guard, Waited};
use super::prim::OpEnd;
use super::writer::Out;
use crate::event::lines::Declaration;
use crate::event::{EventKind, Failure, TaskId, TaskState, VarId, WaitOn};
use crate::scenario::program::{burst_from, Instr, Op1, Values};
use crate::scenario::{OnTimeout, Start};

/// The most bytes `print` may write in a run.
const MAX_PRINT_BYTES: usize = 64 << 20;

/// A task's own state: where it is in its script, its counters and locals.
struct Runner<'b> {
    b: &'b Board,
    t: TaskId,
    pc: u32,
    counters: Vec<u64>,
    locals: Vec<i64>,
}

/// The body of task `t`'s thread.
pub(super) fn task_main(b: &Board, t: TaskId) {
    let fixed = &b.fixed[t.index()];
    match fixed.start {
        Start::At(tick) => {
            if !super::clock::sleep_until(b.at_tick(tick), || b.lock().over()) {
                return;
            }
        }
        Start::Spawned => {
            let mut g = b.lock();
            if !g.tasks[t.index()].spawned && b.wait_grant(&mut g, t, None) == Waited::Stop {
                return;
            }
        }
    }
    let mut g = b.lock();
    if let Start::At(tick) = fixed.start {
        // Tasks that arrive at one tick join in the order they are declared.
        while !g.over() && !b.turn_to_arrive(&g, t, tick) {
            b.wake[t.index()].wait_for(&mut g, std::time::Duration::from_millis(1));
        }
        g.arrived[t.index()] = true;
        // The CPUs take their tasks once every task of this tick has joined
        // the ready queue, as at a boundary of the simulator.
        let last = (t.index()..b.fixed.len())
            .filter(|&j| b.fixed[j].start == Start::At(tick))
            .last()
            .map(|j| TaskId(j as u32));
        if last != Some(t) {
            g.hold_dispatch = last;
        }
        for j in t.index() + 1..b.fixed.len() {
            if b.fixed[j].start == Start::At(tick) {
                b.wake[j].notify_all();
            }
        }
    }
    if g.over() {
        return;
    }
    if let Some(id) = crate::sync::os_thread_id() {
        if g.tasks[t.index()].proc == 0 || fixed.pool.is_some() {
            g.out.push(Out::Decl(Declaration::OsId { task: t, id }));
        }
    }
    if b.fixed[t.index()].kind == crate::scenario::TaskKind::Process {
        let p = g.tasks[t.index()].proc;
        let vars = g.spawn_vars[t.index()]
            .take()
            .unwrap_or_else(|| g.vars.clone());
        match b.workers.start(p, &vars) {
            Ok(pid) => g
                .out
                .push(Out::Decl(Declaration::OsId { task: t, id: pid })),
            Err(e) => {
                g.limit = Some(format!("cannot start the process of {}: {e}", fixed.name));
                g.finish(crate::event::Outcome::Timeout);
                return;
            }
        }
    }
    let mut r = Runner {
        b,
        t,
        pc: 0,
        counters: vec![0; fixed.program.slots as usize],
        locals: vec![0; b.scenario.vars.len()],
    };
    g.tasks[t.index()].burst = r.burst_after(0);
    if !b.enter(&mut g, t) {
        return;
    }
    r.run(g);
}

impl<'b> Runner<'b> {
    fn run(&mut self, mut g: Guard<'b>) {
        let (b, t) = (self.b, self.t);
        let code = &b.fixed[t.index()].program.code;
        // Instructions since the task last took time (a compute, a sleep, a
        // wait, a switch): past the simulator's limit for one tick
        // boundary, a script that loops without taking time fails as it
        // does there, whatever the machine's speed.
        let mut steps = 0u32;
        loop {
            if g.over() || g.tasks[t.index()].killed {
                return;
            }
            steps += 1;
            if steps > crate::limits::MAX_STEPS_PER_TICK {
                return b.end_task(
                    &mut g,
                    t,
                    TaskState::Failed {
                        reason: Failure::NoProgress,
                    },
                );
            }
            let Some(instr) = code.get(self.pc as usize) else {
                return b.end_task(&mut g, t, TaskState::Done);
            };
            let last = g.tasks[t.index()].last;
            let values = Values {
                locals: &self.locals,
                index: b.fixed[t.index()].index,
                last,
            };
            if let Some(next) = instr.next_pc(self.pc, &mut self.counters, |c| values.holds(c)) {
                self.pc = next;
                continue;
            }
            let Instr::Op { op, .. } = instr else {
                continue;
            };
            g.emit(EventKind::Pc {
                task: t,
                pc: self.pc,
            });
            let changes = g.tasks[t.index()].changes;
            match self.op(g, op) {
                Some(next) => g = next,
                None => return,
            }
            if g.tasks[t.index()].changes != changes || matches!(op, Op1::Compute(1..)) {
                steps = 0;
            }
            // Between two operations the monitor is let go, fairly:
            // a task (or the writer) waiting for it goes first, so
            // tasks on different CPUs really interleave.
            parking_lot::MutexGuard::bump(&mut g);
        }
    }

    /// Runs one operation; the board's guard back, or `None` when the task
    /// has stopped (ended, terminated, or the run is over).
    fn op(&mut self, mut g: Guard<'b>, op: &Op1) -> Option<Guard<'b>> {
        let (b, t) = (self.b, self.t);
        let last = g.tasks[t.index()].last;
        let end = match op {
            Op1::Compute(n) => return self.compute(g, *n),
            Op1::Sleep { ticks: 0, .. } | Op1::Yield => {
                self.pc += 1;
                self.burst_now(&mut g);
                return b.yield_cpu(&mut g, t).then_some(g);
            }
            Op1::Sleep { ticks, io } => {
                b.leave(&mut g, t);
                g.set_state(t, TaskState::Sleeping { io: *io });
                let until = b.after(*ticks);
                drop(g);
                let ok = super::clock::sleep_until(until, || {
                    let g = b.lock();
                    g.over() || g.tasks[t.index()].killed
                });
                let mut g = b.lock();
                if !ok || g.over() {
                    return None;
                }
                self.pc += 1;
                self.burst_now(&mut g);
                return b.enter(&mut g, t).then_some(g);
            }
            Op1::Acquire { res, timeout } => g.acquire(t, *res, *timeout),
            Op1::Release(r) => g.release(t, *r),
            Op1::AcquireRead { res, timeout } => g.rw_acquire(t, *res, false, *timeout),
            Op1::ReleaseRead(r) => g.rw_release(t, *r, false),
            Op1::Wait { res, timeout } => match &g.res[*res as usize] {
                super::prim::Res::Cond { .. } => g.cond_wait(t, *res),
                super::prim::Res::Flag { .. } => g.flag_wait(t, *res, *timeout),
                _ => g.barrier_wait(t, *res, *timeout),
            },
            Op1::Notify { res, n } => g.notify(t, *res, *n),
            Op1::Set(r) => g.flag_set(t, *r, true),
            Op1::Clear(r) => g.flag_set(t, *r, false),
            Op1::Put {
                queue,
                value,
                timeout,
                nowait,
            } => {
                let wait = if *nowait { Some(0) } else { *timeout };
                match value.as_ref().map(|e| self.values(last).eval(e)) {
                    Some(None) => OpEnd::Failed(Failure::Overflow(VarId(u32::MAX))),
                    Some(Some(v)) => g.put(t, *queue, Some(v), wait),
                    None => g.put(t, *queue, None, wait),
                }
            }
            Op1::Get {
                queue,
                timeout,
                nowait,
            } => g.get(t, *queue, *timeout, *nowait),
            Op1::TaskDone(q) => g.task_done(t, *q),
            Op1::JoinQueue(q) => g.join_queue(t, *q),
            Op1::JoinPool(p) => {
                if let super::prim::Res::Pool { closed, .. } = &mut g.res[*p as usize] {
                    *closed = true;
                }
                g.emit(EventKind::PoolClose {
                    task: t,
                    pool: crate::event::ResourceId(*p),
                });
                if b.pool_done(&g, *p) {
                    OpEnd::Done
                } else {
                    OpEnd::Wait(WaitOn::PoolJoin(crate::event::ResourceId(*p)))
                }
            }
            Op1::Spawn(c) => self.spawn(&mut g, TaskId(*c)),
            Op1::JoinTask(c) => {
                let c = TaskId(*c);
                if c == t {
                    OpEnd::Failed(Failure::JoinSelf)
                } else if b.task_over(&g, c) {
                    OpEnd::Done
                } else {
                    OpEnd::Wait(WaitOn::Task(c))
                }
            }
            Op1::Terminate(c) => {
                let c = TaskId(*c);
                g.emit(EventKind::Terminate { task: t, target: c });
                b.kill(&mut g, c);
                if !g.alive(t) {
                    return None;
                }
                OpEnd::Done
            }
            Op1::Read(v) => {
                let value = b.read_var(&g, t, *v);
                self.locals[*v as usize] = value;
                g.emit(EventKind::VarRead {
                    task: t,
                    var: VarId(*v),
                    value,
                });
                OpEnd::Done
            }
            Op1::Write { var, expr } => match self.values(last).eval(expr) {
                Some(value) => self.write(&mut g, *var, value),
                None => OpEnd::Failed(Failure::Overflow(VarId(*var))),
            },
            Op1::WriteAdd { var, delta } => match self.locals[*var as usize].checked_add(*delta) {
                Some(value) => self.write(&mut g, *var, value),
                None => OpEnd::Failed(Failure::Overflow(VarId(*var))),
            },
            Op1::AtomicAdd { var, delta } => match b.read_var(&g, t, *var).checked_add(*delta) {
                Some(value) => self.write(&mut g, *var, value),
                None => OpEnd::Failed(Failure::Overflow(VarId(*var))),
            },
            Op1::Print { parts, constant } => {
                let text = match constant {
                    Some(text) => text.clone(),
                    None => self.values(last).format(parts).into(),
                };
                g.printed += text.len();
                if g.printed > MAX_PRINT_BYTES {
                    g.limit = Some(format!(
                        "the run printed more than {} MiB and was stopped",
                        MAX_PRINT_BYTES >> 20
                    ));
                    g.finish(crate::event::Outcome::Timeout);
                    return None;
                }
                g.emit(EventKind::Print { task: t, text });
                OpEnd::Done
            }
            Op1::AwaitSleep(n) => {
                let l = b.loop_of(t);
                b.leave(&mut g, t);
                if let Some(l) = l {
                    b.give_token(&mut g, t, l);
                }
                g.set_state(
                    t,
                    TaskState::Blocked {
                        on: WaitOn::AwaitSleep,
                        timed: true,
                    },
                );
                let until = b.after(*n);
                drop(g);
                let ok = super::clock::sleep_until(until, || {
                    let g = b.lock();
                    g.over() || g.tasks[t.index()].killed
                });
                let mut g = b.lock();
                if !ok || g.over() {
                    return None;
                }
                self.pc += 1;
                self.burst_now(&mut g);
                return b.enter(&mut g, t).then_some(g);
            }
            Op1::AwaitTask(c) => {
                let c = TaskId(*c);
                if b.task_over(&g, c) {
                    OpEnd::Done
                } else {
                    if let Some(l) = b.loop_of(t) {
                        b.give_token(&mut g, t, l);
                    }
                    OpEnd::Wait(WaitOn::Await(c))
                }
            }
            Op1::RunLoop => {
                let l = b
                    .catalog
                    .resources
                    .iter()
                    .position(|r| r.kind == "loop" && r.owner == Some(t))
                    .map(|i| i as u32);
                match l {
                    Some(l) if !b.loop_done(&g, t) => {
                        if let super::prim::Res::Token { open, .. } = &mut g.res[l as usize] {
                            *open = true;
                        }
                        b.hand_token(&mut g, l);
                        OpEnd::Wait(WaitOn::RunLoop(crate::event::ResourceId(l)))
                    }
                    _ => OpEnd::Done,
                }
            }
            Op1::Exit => {
                b.end_task(&mut g, t, TaskState::Done);
                return None;
            }
            Op1::Restart => {
                self.pc = 0;
                return Some(g);
            }
        };
        self.finish_op(g, op, end)
    }

    /// What follows an operation: the next one, a wait, or its failure.
    fn finish_op(&mut self, mut g: Guard<'b>, op: &Op1, end: OpEnd) -> Option<Guard<'b>> {
        let (b, t) = (self.b, self.t);
        match end {
            OpEnd::Done => {
                self.pc += 1;
                self.maybe_preempt(g)
            }
            OpEnd::Failed(reason) => self.fail(g, reason),
            OpEnd::Wait(on) => {
                let timeout = op_timeout(op);
                b.leave(&mut g, t);
                g.set_state(
                    t,
                    TaskState::Blocked {
                        on,
                        timed: timeout.is_some(),
                    },
                );
                if timeout.is_none() {
                    b.stuck_check(&mut g);
                }
                let deadline = timeout.map(|n| b.after(n));
                let waited = b.wait_grant(&mut g, t, deadline);
                let waited = match waited {
                    Waited::TimedOut => self.timed_out(&mut g, op, on),
                    other => other,
                };
                match waited {
                    // A timed-out wait has become a failure or a stop above.
                    Waited::Stop | Waited::TimedOut => None,
                    Waited::Granted(Grant::Done) => {
                        self.pc += 1;
                        self.burst_now(&mut g);
                        b.enter(&mut g, t).then_some(g)
                    }
                    Waited::Granted(Grant::Fail(reason)) => {
                        let g = self.fail(g, reason)?;
                        self.reenter(g)
                    }
                }
            }
        }
    }

    /// `machine.preempt`: after an operation, the task may lose its CPU
    /// (a real switch: another thread runs before this one goes on).
    fn maybe_preempt(&mut self, mut g: Guard<'b>) -> Option<Guard<'b>> {
        let p = self.b.scenario.machine.preempt;
        if p <= 0.0 {
            return Some(g);
        }
        g.rng ^= g.rng << 13;
        g.rng ^= g.rng >> 7;
        g.rng ^= g.rng << 17;
        if (g.rng >> 11) as f64 / (1u64 << 53) as f64 >= p {
            return Some(g);
        }
        self.burst_now(&mut g);
        self.b.yield_cpu(&mut g, self.t).then_some(g)
    }

    /// A timed wait ran out: `t` leaves the line; a condition's waiter
    /// still has to take its lock back before it fails; a barrier breaks.
    fn timed_out(&mut self, g: &mut Guard<'_>, op: &Op1, on: WaitOn) -> Waited {
        let (b, t) = (self.b, self.t);
        let Some(r) = on.resource() else {
            return Waited::Granted(Grant::Done);
        };
        g.res[r.index()].forget(t);
        g.emit(EventKind::WaitTimeout { task: t, on });
        match (&g.res[r.index()], op) {
            (super::prim::Res::Cond { .. }, _) => {
                g.back_to_lock(t, true);
                match g.tasks[t.index()].grant.take() {
                    Some(grant) => Waited::Granted(grant),
                    None => b.wait_grant(g, t, None),
                }
            }
            (super::prim::Res::Barrier { .. }, _) => {
                let _ = g.break_barrier(t, r.0);
                Waited::Granted(Grant::Fail(Failure::BrokenBarrier(r)))
            }
            _ => Waited::Granted(Grant::Fail(Failure::Timeout(r))),
        }
    }

    /// After a failed wait that the task survives: back through its gates.
    fn reenter(&mut self, mut g: Guard<'b>) -> Option<Guard<'b>> {
        self.burst_now(&mut g);
        self.b.enter(&mut g, self.t).then_some(g)
    }

    /// A failed operation: its `else` block, `on_timeout = "ignore"`, or
    /// the task's end.
    fn fail(&mut self, mut g: Guard<'b>, reason: Failure) -> Option<Guard<'b>> {
        let (b, t) = (self.b, self.t);
        let code = &b.fixed[t.index()].program.code;
        let on_fail = match code.get(self.pc as usize) {
            Some(Instr::Op { on_fail, .. }) => *on_fail,
            _ => None,
        };
        if let Some(target) = on_fail {
            self.pc = target;
            return Some(g);
        }
        if !reason.is_misuse() && b.fixed[t.index()].on_timeout == OnTimeout::Ignore {
            self.pc += 1;
            return Some(g);
        }
        b.end_task(&mut g, t, TaskState::Failed { reason });
        None
    }

    /// `compute n`: n ticks of this thread's (or its process's) CPU time,
    /// one at a time, looking at the policy and the GIL after each.
    fn compute(&mut self, mut g: Guard<'b>, n: u64) -> Option<Guard<'b>> {
        let (b, t) = (self.b, self.t);
        let rest = self.burst_after(self.pc + 1);
        let mut left = n;
        g.tasks[t.index()].burst = left.saturating_add(rest);
        if n > 0 && !b.take_turn(&mut g, t) {
            return None;
        }
        while left > 0 {
            let child = b.in_child(&g, t).then(|| g.tasks[t.index()].proc);
            drop(g);
            let stop = || {
                let g = b.lock();
                g.over() || g.tasks[t.index()].killed
            };
            let burnt = match child {
                Some(p) => b.workers.compute(p, t, b.tick_ns),
                None => super::clock::burn(b.tick_ns, stop),
            };
            g = b.lock();
            if g.over() || g.tasks[t.index()].killed {
                return None;
            }
            if !burnt {
                g.limit = Some(format!(
                    "the process of {} ended before its run did",
                    b.fixed[t.index()].name
                ));
                g.finish(crate::event::Outcome::Timeout);
                return None;
            }
            left -= 1;
            b.tick_done(&mut g, t, left.saturating_add(rest));
            if left > 0 && !b.take_turn(&mut g, t) {
                return None;
            }
        }
        self.pc += 1;
        Some(g)
    }

    fn spawn(&mut self, g: &mut Guard<'_>, c: TaskId) -> OpEnd {
        let b = self.b;
        let rt = &g.tasks[c.index()];
        if rt.spawned || rt.state != TaskState::New || b.fixed[c.index()].start != Start::Spawned {
            return OpEnd::Failed(Failure::AlreadyStarted(c));
        }
        if b.fixed[c.index()].kind == crate::scenario::TaskKind::Process {
            // The child starts from the spawner's values.
            let vars: Vec<i64> = (0..b.scenario.vars.len() as u32)
                .map(|v| b.read_var(g, self.t, v))
                .collect();
            g.spawn_vars[c.index()] = Some(vars);
        }
        g.tasks[c.index()].spawned = true;
        g.emit(EventKind::Spawn {
            task: self.t,
            child: c,
        });
        g.grant(c, Grant::Done);
        OpEnd::Done
    }

    /// Stores into a shared variable; the task's local follows, as in the
    /// simulator.
    fn write(&mut self, g: &mut Guard<'_>, var: u32, value: i64) -> OpEnd {
        self.b.write_var(g, self.t, var, value);
        if let Some(local) = self.locals.get_mut(var as usize) {
            *local = value;
        }
        g.emit(EventKind::VarWrite {
            task: self.t,
            var: VarId(var),
            value,
        });
        OpEnd::Done
    }

    /// The task's values as its script reads them.
    fn values(&self, last: i64) -> Values<'_> {
        Values {
            locals: &self.locals,
            index: self.b.fixed[self.t.index()].index,
            last,
        }
    }

    /// Sets the task's next burst from where it is now.
    fn burst_now(&self, g: &mut Guard<'_>) {
        let burst = self.burst_after(self.pc);
        g.tasks[self.t.index()].burst = burst;
    }

    /// The computes from `pc` on until the next operation that blocks,
    /// as the simulator counts them (`if`s read with `last` as 0).
    fn burst_after(&self, pc: u32) -> u64 {
        let code = &self.b.fixed[self.t.index()].program.code;
        let values = self.values(0);
        burst_from(
            code,
            pc,
            self.counters.clone(),
            |c| values.holds(c),
            crate::limits::MAX_STEPS_PER_TICK,
        )
    }
}

/// The timeout of an operation that waits, in ticks.
fn op_timeout(op: &Op1) -> Option<u64> {
    match op {
        Op1::Acquire { timeout, .. }
        | Op1::AcquireRead { timeout, .. }
        | Op1::Wait { timeout, .. }
        | Op1::Put { timeout, .. }
        | Op1::Get { timeout, .. } => *timeout,
        _ => None,
    }
}
