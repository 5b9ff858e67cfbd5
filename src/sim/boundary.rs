//! One tick boundary, in the order SCENARIOS.md fixes: wake-ups and
//! arrivals, the zero-time operations of running tasks, expired time slices,
//! dispatch to free CPUs (with preemption), then the outcome checks; and the
//! move of time to the next boundary.

use super::choice::{ChoiceKind, Cursor};
use super::policy::{scheduler, Keys, Scheduler};
use super::Sim;
use crate::event::{Event, EventKind, Failure, Outcome, StuckTask, TaskId, TaskState, WaitOn};

impl Keys for Sim {
    fn burst(&self, task: TaskId) -> u64 {
        match self.bursts.get(task.index()).copied().flatten() {
            Some(burst) => {
                debug_assert_eq!(burst, self.next_burst(task), "a ready task's burst changed");
                burst
            }
            None => self.next_burst(task),
        }
    }

    fn priority(&self, task: TaskId) -> i64 {
        self.fixed_task(task).priority
    }
}

impl Sim {
    /// The scheduling policy; the explored model's choices are its own, with
    /// no slices and no preemption by key (as `random`).
    pub(super) fn policy(&self) -> &'static dyn Scheduler {
        if self.fixed.explore {
            scheduler(crate::scenario::Policy::Random)
        } else {
            scheduler(self.fixed.policy)
        }
    }

    pub(super) fn boundary(&mut self, out: &mut Vec<Event>) {
        let mut cursor = match self.cursor.take() {
            Some(cursor) => cursor,
            None => {
                self.wake_timers(out);
                self.finish_switches(out);
                self.finish_computes();
                Cursor::round(false)
            }
        };
        loop {
            if !self.settle(&mut cursor, out) {
                self.cursor = Some(cursor);
                return;
            }
            if !cursor.late {
                self.switch_gils(out);
                self.expire_slices(out);
            } else if !self.kill_orphan_daemons(out) {
                break;
            }
            cursor = Cursor::round(true);
        }
        self.check_outcome(out);
    }

    /// Arrivals, ends of sleeps and expired timeouts at this tick, in
    /// declaration order.
    fn wake_timers(&mut self, out: &mut Vec<Event>) {
        while let Some(&(at, t)) = self.timers.first() {
            if at > self.tick {
                break;
            }
            self.timers.pop_first();
            self.tasks[t.index()].wake = None;
            match self.tasks[t.index()].state {
                TaskState::New => self.make_ready(t, out),
                TaskState::Sleeping { .. } => {
                    self.tasks[t.index()].pc += 1;
                    self.make_ready(t, out);
                }
                TaskState::Blocked {
                    on: WaitOn::AwaitSleep,
                    ..
                } => {
                    self.tasks[t.index()].pc += 1;
                    self.make_ready(t, out);
                }
                TaskState::Blocked { on, .. } => self.time_out(t, on, out),
                _ => {}
            }
        }
    }

    fn time_out(&mut self, t: TaskId, on: WaitOn, out: &mut Vec<Event>) {
        self.emit(out, EventKind::WaitTimeout { task: t, on });
        match on {
            WaitOn::Notify(c) => self.condition_timeout(t, c.0, out),
            WaitOn::Barrier(b) => self.barrier_timeout(t, b.0, out),
            other => {
                self.forget_waiter(t);
                let reason = match other {
                    WaitOn::Get(q) => Failure::Empty(q),
                    WaitOn::Put(q) => Failure::Full(q),
                    other => match other.resource() {
                        Some(r) => Failure::Timeout(r),
                        // Waits for a task take no timeout, so they never expire.
                        None => Failure::NoProgress,
                    },
                };
                self.fail_wait(t, reason, out);
            }
        }
    }

    fn finish_switches(&mut self, out: &mut Vec<Event>) {
        for c in 0..self.cpus.len() {
            let cpu = &mut self.cpus[c];
            if let (Some(t), true, 0) = (cpu.task, cpu.pending, cpu.switching) {
                cpu.pending = false;
                cpu.last = Some(t);
                self.set_state(t, TaskState::Running { cpu: cpu_id(c) }, out);
            }
        }
    }

    fn finish_computes(&mut self) {
        for c in 0..self.cpus.len() {
            if let Some(t) = self.cpus[c].task {
                let task = &mut self.tasks[t.index()];
                if task.computing && task.remaining == 0 && !self.cpus[c].pending {
                    task.computing = false;
                    task.pc += 1;
                }
            }
        }
    }

    /// Runs zero-time operations, one per CPU per round in CPU order, until
    /// every running task computes or has left its CPU; in the late pass,
    /// free CPUs take ready tasks between rounds. False when the run stopped
    /// at a choice: `cursor` then says where to resume.
    fn settle(&mut self, cursor: &mut Cursor, out: &mut Vec<Event>) -> bool {
        loop {
            if cursor.late && !cursor.dispatched {
                if !self.dispatch(out) {
                    return false;
                }
                cursor.dispatched = true;
            }
            while (cursor.cpu as usize) < self.cpus.len() {
                let c = cursor.cpu as usize;
                if cursor.ran.is_none() {
                    let cpu = &self.cpus[c];
                    match cpu.task {
                        Some(t) if !cpu.pending && !self.tasks[t.index()].computing => {
                            cursor.progress = true;
                            if self.exec_step(t, out) {
                                cursor.ran = Some(t);
                            }
                        }
                        _ => {}
                    }
                }
                if let Some(t) = cursor.ran {
                    if !self.after_op(c, t, out) {
                        return false;
                    }
                    cursor.ran = None;
                }
                cursor.cpu += 1;
            }
            if !cursor.progress || self.halt.is_some() {
                return true;
            }
            *cursor = Cursor::round(cursor.late);
        }
    }

    /// Tasks whose slice ended go to the back of the ready queue, in CPU
    /// order, if a ready task may take their place.
    fn expire_slices(&mut self, out: &mut Vec<Event>) {
        if !self.policy().sliced() {
            return;
        }
        let quantum = u64::from(self.fixed.quantum);
        for c in 0..self.cpus.len() {
            let Some(t) = self.cpus[c].task else { continue };
            let task = &self.tasks[t.index()];
            if self.cpus[c].pending || !task.computing || task.slice < quantum {
                continue;
            }
            let key = self.policy().key(t, self);
            let rival = self
                .eligible_iter()
                .any(|r| self.policy().key(r, self) <= key);
            if rival {
                self.preempt(t, out);
            } else {
                self.tasks[t.index()].slice = 0;
            }
        }
    }

    /// The ready tasks a free CPU may take: a task that yielded at this
    /// boundary only when no other task is ready.
    pub(super) fn eligible(&self) -> Vec<TaskId> {
        self.eligible_iter().collect()
    }

    /// [`Sim::eligible`], in ready-queue order, without a copy.
    fn eligible_iter(&self) -> impl Iterator<Item = TaskId> + '_ {
        let now = self.tick;
        let fresh = move |t: &TaskId| self.tasks[t.index()].yielded != Some(now);
        let any_fresh = self.ready.iter().any(fresh);
        self.ready
            .iter()
            .copied()
            .filter(move |t| !any_fresh || fresh(t))
    }

    /// The eligible task the policy picks, and whether there were two or
    /// more to pick from; `None` when none is ready. Only a policy with
    /// its own `pick` sees a copy of the eligible tasks; for the others the
    /// first eligible task with the smallest key is found in place.
    fn policy_pick(&mut self) -> Option<(TaskId, bool)> {
        let policy = self.policy();
        if !policy.picks_by_key() {
            let ready = self.eligible();
            if ready.is_empty() {
                return None;
            }
            let i = self.pick(&ready);
            return Some((ready[i], ready.len() >= 2));
        }
        let mut eligible = self.eligible_iter();
        let mut best = eligible.next()?;
        let mut best_key = policy.key(best, self);
        if best_key.is_none() {
            // Nothing is smaller than no key: the first one goes.
            return Some((best, eligible.next().is_some()));
        }
        let mut many = false;
        for t in eligible {
            many = true;
            let key = policy.key(t, self);
            if key < best_key {
                best = t;
                best_key = key;
            }
        }
        Some((best, many))
    }

    /// Whether every choice now is the policy's, with no need to list its
    /// options: no explored model, no choices recorded, no answer given and
    /// the schedule used up.
    fn policy_chooses(&self) -> bool {
        !self.fixed.explore
            && !self.fixed.record_choices
            && self.answer.is_none()
            && self.choices >= self.fixed.schedule.len()
    }

    /// Free CPUs take eligible ready tasks, in CPU order. False when the
    /// run stopped at a choice.
    fn dispatch(&mut self, out: &mut Vec<Event>) -> bool {
        for c in 0..self.cpus.len() {
            if self.cpus[c].task.is_some() {
                continue;
            }
            if self.policy_chooses() {
                // As `choose` and `decide` would, without the options.
                let Some((t, many)) = self.policy_pick() else {
                    return true;
                };
                if many {
                    self.choices += 1;
                }
                self.assign(c, t, out);
                continue;
            }
            let ready = self.eligible();
            if ready.is_empty() {
                return true;
            }
            let Some(pick) = self.choose(c, &ready, out) else {
                return false;
            };
            self.assign(c, ready[pick], out);
        }
        if self.policy().preemptive() {
            self.preempt_for_better(out);
        }
        true
    }

    /// Which of `ready` the free CPU `c` takes: a choice when there are two
    /// or more (the policy's pick is the default; in the explored model,
    /// the first).
    fn choose(&mut self, c: usize, ready: &[TaskId], out: &mut Vec<Event>) -> Option<usize> {
        let by_policy = if self.fixed.explore {
            0
        } else {
            self.pick(ready)
        };
        if ready.len() < 2 {
            return Some(by_policy);
        }
        let kind = ChoiceKind::Dispatch { cpu: c as u32 };
        self.decide(kind, ready, by_policy, out)
    }

    fn pick(&mut self, ready: &[TaskId]) -> usize {
        let policy = self.policy();
        let mut rng = self.rng.clone();
        let i = policy.pick(ready, self, &mut rng);
        self.rng = rng;
        i.min(ready.len() - 1)
    }

    /// While the best ready task has a strictly smaller key than the worst
    /// running one, it takes that task's CPU.
    fn preempt_for_better(&mut self, out: &mut Vec<Event>) {
        loop {
            let Some((best, _)) = self.policy_pick() else {
                return;
            };
            let policy = self.policy();
            let best_key = policy.key(best, self);
            let worst = (0..self.cpus.len())
                .filter_map(|c| {
                    let t = self.cpus[c].task?;
                    (!self.cpus[c].pending).then_some((policy.key(t, self), c, t))
                })
                .max();
            match worst {
                Some((key, c, t)) if best_key < key => {
                    self.preempt(t, out);
                    self.assign(c, best, out);
                }
                _ => return,
            }
        }
    }

    pub(super) fn assign(&mut self, c: usize, t: TaskId, out: &mut Vec<Event>) {
        self.unready(t);
        let task = &mut self.tasks[t.index()];
        task.cpu = Some(c as u32);
        task.slice = 0;
        let cost = u64::from(self.fixed.switch_cost);
        let cpu = &mut self.cpus[c];
        cpu.task = Some(t);
        if cost > 0 && cpu.last.is_some() && cpu.last != Some(t) {
            cpu.switching = cost;
            cpu.pending = true;
            let ticks = self.fixed.switch_cost;
            self.emit(
                out,
                EventKind::Switch {
                    cpu: cpu_id(c),
                    task: t,
                    ticks,
                },
            );
        } else {
            cpu.last = Some(t);
            self.set_state(t, TaskState::Running { cpu: cpu_id(c) }, out);
        }
    }

    /// Takes a running task off its CPU to the back of the ready queue.
    pub(super) fn preempt(&mut self, t: TaskId, out: &mut Vec<Event>) {
        self.off_cpu(t);
        self.make_ready(t, out);
    }

    fn check_outcome(&mut self, out: &mut Vec<Event>) {
        if self.halt.is_some() {
            return self.end(Outcome::Timeout, out);
        }
        let fresh = std::mem::take(&mut self.newly_blocked);
        let ended = std::mem::take(&mut self.ended);
        if !fresh.is_empty() || ended {
            if let Some((rule, cycle)) = self.deadlock(fresh, ended) {
                let cycle = cycle.into();
                self.emit(out, EventKind::Deadlock { rule, cycle });
                return self.end(Outcome::Deadlock, out);
            }
        }
        if self.all_required_ended() {
            let failed = self
                .tasks
                .iter()
                .any(|t| matches!(t.state, TaskState::Failed { .. }));
            let outcome = if failed {
                Outcome::Failed
            } else {
                Outcome::Completed
            };
            return self.end(outcome, out);
        }
        let busy = self.cpus.iter().any(|c| c.task.is_some());
        if !busy && self.ready.is_empty() && self.timers.is_empty() {
            let stuck: Vec<StuckTask> = self
                .tasks
                .iter()
                .enumerate()
                .filter_map(|(i, t)| match t.state {
                    TaskState::Blocked { on, .. } => Some(StuckTask {
                        task: TaskId(i as u32),
                        waits_for: on,
                    }),
                    _ => None,
                })
                .collect();
            self.emit(
                out,
                EventKind::Stall {
                    stuck: stuck.into(),
                },
            );
            return self.end(Outcome::Stalled, out);
        }
        if self.tick >= self.fixed.max_ticks {
            self.end(Outcome::Timeout, out);
        }
    }

    fn end(&mut self, outcome: Outcome, out: &mut Vec<Event>) {
        self.outcome = Some(outcome);
        self.emit(out, EventKind::End { outcome });
    }

    /// Moves time to the next tick at which anything can happen.
    pub(super) fn advance(&mut self) {
        let quantum = u64::from(self.fixed.quantum);
        let sliced = self.policy().sliced();
        let mut d = self.fixed.max_ticks.saturating_sub(self.tick).max(1);
        if let Some(&(at, _)) = self.timers.first() {
            d = d.min(at.saturating_sub(self.tick).max(1));
        }
        if let Some(g) = self.next_gil_switch() {
            d = d.min(g);
        }
        for cpu in &self.cpus {
            let Some(t) = cpu.task else { continue };
            if cpu.pending {
                d = d.min(cpu.switching.max(1));
                continue;
            }
            let task = &self.tasks[t.index()];
            d = d.min(task.remaining.max(1));
            if sliced {
                d = d.min(quantum.saturating_sub(task.slice).max(1));
            }
        }
        for c in 0..self.cpus.len() {
            let Some(t) = self.cpus[c].task else { continue };
            if self.cpus[c].pending {
                self.cpus[c].switching = self.cpus[c].switching.saturating_sub(d);
                continue;
            }
            let task = &mut self.tasks[t.index()];
            task.remaining = task.remaining.saturating_sub(d);
            task.slice += d;
        }
        self.age_gils(d);
        self.tick += d;
    }
}

pub(super) fn cpu_id(c: usize) -> crate::event::CpuId {
    crate::event::CpuId(c as u32)
}
