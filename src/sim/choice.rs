//! Scheduling choices as data. In a policy run a choice is made on the spot
//! (by the schedule while it lasts, then by the policy). In the model that
//! `weft check` explores, a choice is either taken from the schedule or the
//! run stops at it ([`Sim::pending`]) until [`Sim::answer`] is given; the
//! tick boundary then resumes where it stopped, from the [`Cursor`].

use std::hash::{Hash, Hasher};

use super::program::{Instr, Op1, Program, Values};
use super::Sim;
use crate::event::{Event, EventKind, TaskId, TaskState};

/// Where a tick boundary's settling stands, so that it can stop at a
/// choice and resume there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct Cursor {
    /// The second settling pass (free CPUs take ready tasks), or the first.
    pub late: bool,
    /// The CPU whose running task goes next in this round.
    pub cpu: u32,
    /// Some task ran an operation in this round.
    pub progress: bool,
    /// This round's dispatch is done.
    pub dispatched: bool,
    /// The task at `cpu` has run its operation; the switch choice after it
    /// is still to be made.
    pub ran: Option<TaskId>,
}

impl Cursor {
    pub fn round(late: bool) -> Cursor {
        Cursor {
            late,
            cpu: 0,
            progress: false,
            dispatched: false,
            ran: None,
        }
    }
}

/// What a choice decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChoiceKind {
    /// Which ready task the free CPU `cpu` takes.
    Dispatch {
        /// The CPU.
        cpu: u32,
    },
    /// Whether `running` keeps its CPU after an operation (the first
    /// option) or another ready task takes it (a preemption).
    Switch {
        /// The task that just ran an operation.
        running: TaskId,
    },
}

/// A choice the run stopped at.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ChoicePoint {
    /// What is decided.
    pub kind: ChoiceKind,
    /// The tasks that can go next: for a switch, the running task first.
    pub options: Vec<TaskId>,
}

/// For each task and instruction: whether it is an operation invisible to
/// the other tasks (a `print`, or a read or write of a variable no other
/// task writes or touches). A switch just before the task's next operation
/// is not offered when that operation is invisible: one after it reaches
/// the same states, since it takes no time and commutes with everything
/// the others do.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Locality {
    quiet: Vec<Vec<bool>>,
}

impl Locality {
    pub fn of<'p>(programs: impl IntoIterator<Item = &'p Program>) -> Locality {
        let programs: Vec<&Program> = programs.into_iter().collect();
        let spawns = |who: usize| {
            programs.iter().enumerate().any(|(i, p)| {
                i != who
                    && p.code.iter().any(|c| {
                        matches!(
                            c,
                            Instr::Op {
                                op: Op1::Spawn(_),
                                ..
                            }
                        )
                    })
            })
        };
        let touches = |who: usize, var: u32, writes_only: bool| {
            programs.iter().enumerate().any(|(i, p)| {
                i != who
                    && p.code.iter().any(|c| match c {
                        Instr::Op { op, .. } => match var_use(op) {
                            Some((v, write)) => v == var && (write || !writes_only),
                            None => false,
                        },
                        _ => false,
                    })
            })
        };
        let quiet = programs
            .iter()
            .enumerate()
            .map(|(who, p)| {
                p.code
                    .iter()
                    .map(|c| match c {
                        Instr::Op { op, .. } => match op {
                            Op1::Print { .. } => true,
                            _ => match var_use(op) {
                                Some((v, false)) => !touches(who, v, true),
                                Some((v, true)) => !touches(who, v, false) && !spawns(who),
                                None => false,
                            },
                        },
                        _ => false,
                    })
                    .collect()
            })
            .collect();
        Locality { quiet }
    }

    /// Whether task `t`'s instruction `pc` is an invisible operation.
    pub fn quiet(&self, t: TaskId, pc: u32) -> bool {
        self.quiet
            .get(t.index())
            .and_then(|q| q.get(pc as usize))
            .copied()
            .unwrap_or(false)
    }
}

/// The variable an operation reads or writes (true: writes).
fn var_use(op: &Op1) -> Option<(u32, bool)> {
    match op {
        Op1::Read(v) => Some((*v, false)),
        Op1::Write { var, .. } | Op1::WriteAdd { var, .. } | Op1::AtomicAdd { var, .. } => {
            Some((*var, true))
        }
        _ => None,
    }
}

impl Sim {
    /// The choice this run stopped at, waiting for [`Sim::answer`].
    pub fn pending(&self) -> Option<&ChoicePoint> {
        self.pending.as_ref()
    }

    /// Takes option `i` of the pending choice; the next [`Sim::step`]
    /// resumes the run from there.
    pub fn answer(&mut self, i: usize) {
        if self.pending.take().is_some() {
            self.answer = Some(i);
        }
    }

    /// Steps until the run ends or stops at a choice.
    pub fn run_to_choice(&mut self, out: &mut Vec<Event>) {
        while self.outcome.is_none() {
            self.step(out);
            if self.pending.is_some() {
                return;
            }
        }
    }

    /// Each task's state, in declaration order.
    pub fn task_states(&self) -> impl Iterator<Item = TaskState> + '_ {
        self.tasks.iter().map(|t| t.state)
    }

    /// About how many bytes this state takes on the heap and inline (for
    /// the memory bound of a search).
    pub fn heap_bytes(&self) -> usize {
        use std::mem::{size_of, size_of_val};
        // Each allocation also costs the allocator about 16 bytes.
        const ALLOC: usize = 16;
        let boxed = |n: usize| if n == 0 { 0 } else { 8 * n + ALLOC };
        let bytes = |n: usize| if n == 0 { 0 } else { n + ALLOC };
        let tasks: usize = self
            .tasks
            .iter()
            .map(|t| size_of::<super::TaskRt>() + boxed(t.locals.len()) + boxed(t.counters.len()))
            .sum();
        // A set of timers is one B-tree leaf (room for 11) per 11 timers.
        let timers = self.timers.len().div_ceil(11) * (11 * 16 + 2 * ALLOC);
        let awaiting_ends = self.awaiting_ends.len().div_ceil(11) * (11 * 4 + 2 * ALLOC);
        size_of::<Sim>()
            + tasks
            + ALLOC
            + self.cpus.len() * size_of::<super::CpuRt>()
            + ALLOC
            + self.ready.capacity() * 4
            + ALLOC
            + self.prims.len() * (size_of::<super::Prim>() + ALLOC)
            + self.vars.iter().map(|v| 24 + boxed(v.len())).sum::<usize>()
            + timers
            + awaiting_ends
            + bytes(size_of_val(&self.free_actors[..]))
            + bytes(size_of_val(&self.untimed[..]))
            + bytes(size_of_val(&self.bursts[..]))
            + self.pending.as_ref().map_or(0, |p| boxed(p.options.len()))
    }

    /// The main process's variables, in declaration order.
    pub fn main_vars(&self) -> &[i64] {
        self.vars.first().map_or(&[], Vec::as_slice)
    }

    /// Feeds what decides this state's future behaviour to `h`: not the
    /// event count, the choices made, the counters of limits over the whole
    /// run, what is only derived from what it feeds (the indexes of the
    /// tasks' waits, a ready task's burst), nor (in the explored model,
    /// where it is unused) the generator.
    /// Runs that reach the same state by different paths feed the same.
    pub fn fingerprint(&self, h: &mut impl Hasher) {
        let Sim {
            fixed: _,
            tick,
            seq: _,
            tasks,
            cpus,
            ready,
            // Indexes of the tasks' states, which are fed.
            awaiting_ends: _,
            free_actors: _,
            untimed: _,
            // What `pc`, the counters and the values make of a ready task's
            // next burst.
            bursts: _,
            prims,
            vars,
            timers,
            rng,
            newly_blocked,
            ended,
            choices: _,
            outcome,
            steps: _,
            boundary_steps: _,
            printed: _,
            halt,
            cursor,
            pending,
            answer,
        } = self;
        tick.hash(h);
        h.write_usize(tasks.len());
        for t in tasks {
            t.fingerprint(*tick, self.fixed.explore, h);
        }
        cpus.hash(h);
        ready.hash(h);
        prims.hash(h);
        vars.hash(h);
        timers.hash(h);
        if !self.fixed.explore {
            rng.hash(h);
        }
        newly_blocked.hash(h);
        ended.hash(h);
        outcome.hash(h);
        halt.is_some().hash(h);
        cursor.hash(h);
        pending.hash(h);
        answer.hash(h);
    }

    /// A choice among `options` (two or more: fewer is no choice): the
    /// answer given, else the schedule's task while it lasts, else a stop
    /// at the choice (`None`) when the run suspends, else `default`.
    pub(super) fn decide(
        &mut self,
        kind: ChoiceKind,
        options: &[TaskId],
        default: usize,
        out: &mut Vec<Event>,
    ) -> Option<usize> {
        let given = self.answer.take().filter(|&i| i < options.len());
        let i = match given {
            Some(i) => i,
            None => {
                let n = self.choices;
                let scheduled = self
                    .fixed
                    .schedule
                    .get(n)
                    .and_then(|want| options.iter().position(|t| t == want));
                match scheduled {
                    Some(i) => i,
                    None if self.fixed.suspend && n >= self.fixed.schedule.len() => {
                        self.pending = Some(ChoicePoint {
                            kind,
                            options: options.to_vec(),
                        });
                        return None;
                    }
                    None => default,
                }
            }
        };
        self.choices += 1;
        if self.fixed.record_choices {
            let chosen = options[i];
            self.emit(
                out,
                EventKind::Choice {
                    options: options.into(),
                    chosen,
                },
            );
        }
        Some(i)
    }

    /// Whether task `t`'s next operation, found by following its control
    /// flow as it will go (its loop counters and locals are known), is
    /// invisible to the other tasks. The end of its script is visible.
    fn next_op_quiet(&self, t: TaskId) -> bool {
        let task = &self.tasks[t.index()];
        let fixed = &self.fixed.tasks[t.index()];
        let code = &fixed.program.code;
        let values = Values {
            locals: &task.locals,
            index: fixed.index,
            last: task.last,
        };
        let mut counters = task.counters.to_vec();
        let mut pc = task.pc;
        // A bound on the walk: control flow that long is not followed.
        for _ in 0..64 {
            let Some(instr) = code.get(pc as usize) else {
                return false;
            };
            match instr.next_pc(pc, &mut counters, |c| values.holds(c)) {
                Some(next) => pc = next,
                None => return self.fixed.locality.quiet(t, pc),
            }
        }
        false
    }

    /// After running task `t`'s operation on CPU `c`: in a policy run, the
    /// random preemption `preempt` asks for; in the explored model, the
    /// choice whether another eligible ready task takes the CPU. False when
    /// the run stopped at that choice.
    pub(super) fn after_op(&mut self, c: usize, t: TaskId, out: &mut Vec<Event>) -> bool {
        if !self.fixed.explore {
            self.maybe_preempt(t, out);
            return true;
        }
        let task = &self.tasks[t.index()];
        let running = matches!(task.state, TaskState::Running { .. }) && task.cpu == Some(c as u32);
        if !running || task.computing || self.next_op_quiet(t) {
            return true;
        }
        let rivals = self.eligible();
        if rivals.is_empty() {
            return true;
        }
        let mut options = Vec::with_capacity(rivals.len() + 1);
        options.push(t);
        options.extend(rivals);
        let kind = ChoiceKind::Switch { running: t };
        match self.decide(kind, &options, 0, out) {
            None => false,
            Some(0) => true,
            Some(i) => {
                self.preempt(t, out);
                self.assign(c, options[i], out);
                true
            }
        }
    }
}

impl super::TaskRt {
    /// As the derived hash, but the count of instructions in a tick only
    /// while it is this tick's (older counts are reset before use), and
    /// the time slice only where slices are used.
    fn fingerprint(&self, now: u64, explore: bool, h: &mut impl Hasher) {
        let super::TaskRt {
            state,
            pc,
            computing,
            remaining,
            slice,
            cpu,
            locals,
            counters,
            last,
            wake,
            yielded,
            spawned,
            steps,
            steps_tick,
            proc,
            worker,
            relock,
        } = self;
        state.hash(h);
        pc.hash(h);
        computing.hash(h);
        remaining.hash(h);
        if !explore {
            slice.hash(h);
        }
        cpu.hash(h);
        locals.hash(h);
        counters.hash(h);
        last.hash(h);
        wake.hash(h);
        (*yielded == Some(now)).hash(h);
        spawned.hash(h);
        (if *steps_tick == now { *steps } else { 0 }).hash(h);
        proc.hash(h);
        worker.hash(h);
        relock.hash(h);
    }
}
