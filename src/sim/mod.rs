//! The deterministic simulator: virtual CPUs, scheduling policies and the
//! semantics of every primitive, as a pure state machine.
//!
//! [`Sim`] is a plain value (`Clone + Eq + Hash`): no wall clock, no threads,
//! no globals. [`Sim::step`] handles one tick boundary and moves time to the
//! next one, appending what happened to an event buffer. It imports the
//! scenario model and the event contract, nothing else of weft.

mod boundary;
mod build;
mod burst;
mod choice;
mod deadlock;
mod exec;
pub mod policy;
mod prim;
mod process;
pub use crate::scenario::program;
use program::Act;
pub mod rng;
mod values;

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;

pub use build::{build, Options};
pub use choice::{ChoiceKind, ChoicePoint};

use crate::event::{Event, EventKind, Outcome, TaskId, TaskState, WaitOn};
use crate::scenario::{OnTimeout, Policy, Start, TaskKind};
use prim::{Prim, PrimKind};
use program::Program;
use rng::Rng;

pub use crate::limits::MAX_STEPS_PER_TICK;

/// At most this many instructions of all tasks at one tick boundary; past
/// it the run halts.
pub const MAX_BOUNDARY_STEPS: u64 = 2_000_000;

/// At most this many instructions in a whole run; past it the run halts.
pub const MAX_STEPS: u64 = 50_000_000;

/// At most this many bytes of `print` text in a whole run; past it the run halts.
pub const MAX_PRINT_BYTES: u64 = 64 << 20;

/// A limit of the simulator that stopped a run before its end (its outcome
/// is then `timeout`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Limit {
    /// Too many instructions: `task` was at instruction `pc`.
    Steps {
        /// The task that ran the last one.
        task: TaskId,
        /// Where it was.
        pc: u32,
        /// The limit passed.
        steps: u64,
    },
    /// Too much printed text.
    PrintBytes(u64),
}

/// What never changes during a run: the machine and the compiled scripts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fixed {
    cpus: u32,
    policy: Policy,
    quantum: u32,
    switch_cost: u32,
    switch_interval: u64,
    /// Preemption probability as a threshold out of 2^32.
    preempt: u64,
    max_ticks: u64,
    tasks: Vec<TaskFixed>,
    /// The daemon tasks, in declaration order.
    daemons: Vec<TaskId>,
    kinds: Vec<PrimKind>,
    procs: Vec<ProcFixed>,
    /// For each resource and kind of operation, the tasks whose scripts can
    /// perform it (who could ever put into a queue, set an event, …), and
    /// the list's number (0, 1, … in this order).
    actors: BTreeMap<(u32, Act), (u32, Vec<TaskId>)>,
    /// For each task, the numbers of the lists of `actors` it is in.
    acts_in: Vec<Vec<u32>>,
    schedule: Vec<TaskId>,
    record_choices: bool,
    /// The explored model (see [`Options::explore`]).
    explore: bool,
    /// Stop at choices past the schedule.
    suspend: bool,
    locality: choice::Locality,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct TaskFixed {
    /// Its compiled script, one copy for the tasks of an array (so that
    /// many tasks running it share it in the caches).
    program: Arc<Program>,
    kind: TaskKind,
    priority: i64,
    daemon: bool,
    on_timeout: OnTimeout,
    index: i64,
    start: Start,
    /// The process it runs in (a process pool's job: decided by its worker).
    proc: u32,
    /// Coroutines: their loop (a resource id).
    event_loop: Option<u32>,
    /// Pool jobs: the pool (a resource id).
    pool: Option<u32>,
}

/// A process: its GIL and, for a process task, the task that is its main thread.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct ProcFixed {
    gil: Option<u32>,
    task: Option<TaskId>,
    /// A daemon process (or a task inside one) does not hold up completion.
    daemon: bool,
}

/// A task's changing state.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct TaskRt {
    state: TaskState,
    pc: u32,
    /// In the middle of the `compute` at `pc`.
    computing: bool,
    /// Ticks left of that compute.
    remaining: u64,
    /// Ticks run in the current time slice.
    slice: u64,
    cpu: Option<u32>,
    locals: Box<[i64]>,
    counters: Box<[u64]>,
    last: i64,
    /// The tick of this task's entry in the timer set, if any.
    wake: Option<u64>,
    /// The tick it last yielded: other ready tasks go first at that boundary.
    yielded: Option<u64>,
    spawned: bool,
    steps: u32,
    steps_tick: u64,
    /// The process whose variables it uses.
    proc: u32,
    /// Pool jobs: the worker running it.
    worker: Option<u32>,
    /// In a condition's `wait`: what to restore once the lock is back.
    relock: Option<Relock>,
}

/// A condition waiter's way back to its lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Relock {
    cond: u32,
    lock: u32,
    depth: u32,
    /// The wait timed out: fail (or run `else`) once the lock is back.
    timed_out: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
struct CpuRt {
    task: Option<TaskId>,
    /// Ticks left of a context switch to `task`.
    switching: u64,
    /// `task` waits for the switch to end before it runs.
    pending: bool,
    last: Option<TaskId>,
}

/// The simulator's whole state.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Sim {
    fixed: Arc<Fixed>,
    tick: u64,
    seq: u64,
    tasks: Vec<TaskRt>,
    cpus: Vec<CpuRt>,
    ready: VecDeque<TaskId>,
    /// The tasks blocked until another task, a pool's jobs or a loop's
    /// coroutines end (an index of the tasks' states, for waking them).
    awaiting_ends: BTreeSet<TaskId>,
    /// For each list of `Fixed::actors`, how many of its tasks are free:
    /// alive and not in an untimed wait (an index of the tasks' states, for
    /// the deadlock rule; empty in the explored model, see `Sim::indexed`).
    free_actors: Vec<u32>,
    /// The untimed waits, in the order of what is waited for (see
    /// `deadlock::wait_key`), with how many tasks are in each (an index of
    /// the tasks' states, for the deadlock rule; empty in the explored
    /// model).
    untimed: Vec<(WaitOn, u32)>,
    /// Under a policy keyed by bursts, for each task in the ready queue its
    /// next burst, which cannot change before it runs (empty under other
    /// policies).
    bursts: Vec<Option<u64>>,
    prims: Vec<Prim>,
    /// Each process's copy of the variables.
    vars: Vec<Vec<i64>>,
    timers: BTreeSet<(u64, TaskId)>,
    rng: Rng,
    /// Tasks that began an untimed wait at this boundary: a deadlock can
    /// only close through one of them…
    newly_blocked: Vec<TaskId>,
    /// …or because a task ended (and so can no longer free anyone).
    ended: bool,
    /// Scheduling choices made so far.
    choices: usize,
    outcome: Option<Outcome>,
    /// Instructions run so far, and at the current boundary (tick, count).
    steps: u64,
    boundary_steps: (u64, u64),
    /// Bytes of `print` text so far.
    printed: u64,
    /// The limit that halts the run, once one is passed.
    halt: Option<Limit>,
    /// Where the current tick boundary stopped at a choice.
    cursor: Option<choice::Cursor>,
    /// That choice.
    pending: Option<ChoicePoint>,
    /// Its answer, to take when the boundary resumes.
    answer: Option<usize>,
}

impl Sim {
    fn new(fixed: Fixed, vars: Vec<i64>, seed: u64) -> Sim {
        let nvars = vars.len();
        let mut timers = BTreeSet::new();
        let tasks: Vec<TaskRt> = fixed
            .tasks
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let wake = match t.start {
                    Start::At(at) => {
                        timers.insert((at, TaskId(i as u32)));
                        Some(at)
                    }
                    Start::Spawned => None,
                };
                TaskRt {
                    state: TaskState::New,
                    pc: 0,
                    computing: false,
                    remaining: 0,
                    slice: 0,
                    cpu: None,
                    locals: vec![0; nvars].into_boxed_slice(),
                    counters: vec![0; t.program.slots as usize].into_boxed_slice(),
                    last: 0,
                    wake,
                    yielded: None,
                    spawned: false,
                    steps: 0,
                    steps_tick: 0,
                    proc: t.proc,
                    worker: None,
                    relock: None,
                }
            })
            .collect();
        let prims = fixed.kinds.iter().map(PrimKind::start).collect();
        let by_bursts = !fixed.explore && policy::scheduler(fixed.policy).keys_are_bursts();
        let bursts = if by_bursts {
            vec![None; tasks.len()]
        } else {
            Vec::new()
        };
        // Every task starts free (the indexes are not kept in the explored model).
        let free_actors = match fixed.explore {
            true => Vec::new(),
            false => fixed
                .actors
                .values()
                .map(|(_, who)| who.len() as u32)
                .collect(),
        };
        Sim {
            cpus: vec![CpuRt::default(); fixed.cpus as usize],
            vars: vec![vars; fixed.procs.len().max(1)],
            fixed: Arc::new(fixed),
            tick: 0,
            seq: 0,
            tasks,
            ready: VecDeque::new(),
            awaiting_ends: BTreeSet::new(),
            free_actors,
            untimed: Vec::new(),
            bursts,
            prims,
            timers,
            rng: Rng::new(seed),
            newly_blocked: Vec::new(),
            ended: false,
            choices: 0,
            outcome: None,
            steps: 0,
            boundary_steps: (0, 0),
            printed: 0,
            halt: None,
            cursor: None,
            pending: None,
            answer: None,
        }
    }

    /// The current tick.
    pub fn tick(&self) -> u64 {
        self.tick
    }

    /// How the run ended, once it has.
    pub fn outcome(&self) -> Option<Outcome> {
        self.outcome
    }

    /// The simulator's own limit that halted the run, if one did.
    pub fn limit(&self) -> Option<Limit> {
        self.halt
    }

    /// Handles the tick boundary at the current tick and, unless the run
    /// ended there, moves time on to the next boundary where anything can
    /// happen. Appends the events to `out`.
    pub fn step(&mut self, out: &mut Vec<Event>) {
        if self.outcome.is_some() || self.pending.is_some() {
            return;
        }
        self.boundary(out);
        if self.outcome.is_none() && self.pending.is_none() {
            self.advance();
        }
    }

    /// Steps until the run ends (or, in a suspending run, stops at a choice).
    pub fn run(&mut self, out: &mut Vec<Event>) {
        while self.outcome.is_none() && self.pending.is_none() {
            self.step(out);
        }
    }

    fn emit(&mut self, out: &mut Vec<Event>, kind: EventKind) {
        out.push(Event {
            seq: self.seq,
            tick: self.tick,
            kind,
        });
        self.seq += 1;
    }

    fn set_state(&mut self, t: TaskId, state: TaskState, out: &mut Vec<Event>) {
        let old = std::mem::replace(&mut self.tasks[t.index()].state, state);
        if awaits_end(state) {
            self.awaiting_ends.insert(t);
        } else if awaits_end(old) {
            self.awaiting_ends.remove(&t);
        }
        self.index_waits(t, old, state);
        self.emit(out, EventKind::State { task: t, state });
    }

    fn fixed_task(&self, t: TaskId) -> &TaskFixed {
        &self.fixed.tasks[t.index()]
    }

    fn set_timer(&mut self, t: TaskId, at: u64) {
        self.clear_timer(t);
        self.timers.insert((at, t));
        self.tasks[t.index()].wake = Some(at);
    }

    fn clear_timer(&mut self, t: TaskId) {
        if let Some(at) = self.tasks[t.index()].wake.take() {
            self.timers.remove(&(at, t));
        }
    }

    /// Every task id.
    fn task_ids(&self) -> impl Iterator<Item = TaskId> {
        (0..self.tasks.len() as u32).map(TaskId)
    }

    fn alive(&self, t: TaskId) -> bool {
        !self.tasks[t.index()].state.is_final()
    }

    /// Ends the run now with outcome `timeout` (a limit outside the
    /// simulator, such as the number of events, was reached).
    pub fn stop(&mut self, out: &mut Vec<Event>) {
        if self.outcome.is_none() {
            self.outcome = Some(Outcome::Timeout);
            self.emit(
                out,
                EventKind::End {
                    outcome: Outcome::Timeout,
                },
            );
        }
    }
}

/// Whether a task in `state` waits for another task, a pool's jobs or a
/// loop's coroutines to end.
fn awaits_end(state: TaskState) -> bool {
    matches!(
        state,
        TaskState::Blocked {
            on: WaitOn::Task(_) | WaitOn::Await(_) | WaitOn::PoolJoin(_) | WaitOn::RunLoop(_),
            ..
        }
    )
}

/// Runs a scenario on the simulator to the end and returns its catalog and events.
pub fn simulate(
    scenario: &crate::scenario::Scenario,
    options: &Options,
) -> (crate::event::Catalog, Vec<Event>) {
    let (mut sim, catalog) = build(scenario, options);
    let mut events = Vec::new();
    sim.run(&mut events);
    (catalog, events)
}

#[cfg(test)]
#[path = "index_tests.rs"]
mod index_tests;
