//! The board: the one monitor every task of a live run shares. It holds
//! each task's state, each resource's, the virtual CPUs and the GILs, and
//! the events not yet written; every event is stamped and queued under its
//! lock, so the trace's order is the order things happened in.
//!
//! A task that must wait parks on its own condition variable until another
//! task hands it what it waits for (a [`Grant`]), its timeout passes, or
//! the run is over.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex, MutexGuard};

use super::prim::Res;
use super::process::Workers;
use super::writer::Out;
use super::{LiveError, Options};
use crate::event::{Catalog, EventKind, Failure, Outcome, TaskId, TaskState};
use crate::scenario::program::{compile, Program};
use crate::scenario::{Scenario, Start, TaskKind};

/// The longest a parked task sleeps before it looks at the run again.
pub(super) const PARK: Duration = Duration::from_millis(20);

/// What ended a task's wait, handed over by the task that ended it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Grant {
    /// The operation is done (the lock is held, the item taken, …).
    Done,
    /// The operation failed (a broken barrier, a condition's timeout
    /// found out on re-acquiring its lock).
    Fail(Failure),
}

/// How a wait ended, as the waiting task sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Waited {
    Granted(Grant),
    TimedOut,
    /// The run is over, or the task was terminated: it stops here.
    Stop,
}

/// One task, as the board knows it.
#[derive(Debug)]
pub(super) struct TaskRt {
    pub state: TaskState,
    pub grant: Option<Grant>,
    /// The virtual CPU it holds.
    pub cpu: Option<u32>,
    /// Ticks computed since it got its CPU (its time slice so far).
    pub slice: u64,
    /// Ticks computed since it got its GIL.
    pub gil_ticks: u64,
    /// Whether it holds its process's GIL.
    pub gil: bool,
    /// The process it runs in now (a process pool's job: its worker's).
    pub proc: u32,
    /// Its pool worker, once it has one.
    pub worker: Option<u32>,
    pub spawned: bool,
    /// `terminate` reached it: its thread stops at once, keeping its locks.
    pub killed: bool,
    /// Its next CPU burst in ticks, for `sjf` and `srtf`.
    pub burst: u64,
    /// The value of its register `last`.
    pub last: i64,
    /// How many times its state changed.
    pub changes: u64,
}

/// The fixed facts of a task.
#[derive(Debug)]
pub(super) struct TaskFixed {
    pub program: Program,
    pub kind: TaskKind,
    pub priority: i64,
    pub daemon: bool,
    pub on_timeout: crate::scenario::OnTimeout,
    pub index: i64,
    pub start: Start,
    pub pool: Option<u32>,
    pub event_loop: Option<u32>,
    pub name: String,
}

/// Everything under the board's lock.
pub(super) struct State {
    pub tasks: Vec<TaskRt>,
    pub res: Vec<Res>,
    /// The main process's variables (a process task's are in its process).
    pub vars: Vec<i64>,
    /// Which task holds each virtual CPU.
    pub cpus: Vec<Option<TaskId>>,
    /// Tasks waiting for a CPU, in the order they joined.
    pub ready: VecDeque<TaskId>,
    /// Events and declarations not written yet.
    pub out: Vec<Out>,
    pub events: usize,
    pub outcome: Option<Outcome>,
    /// A limit that stopped the run, said at its end.
    pub limit: Option<String>,
    /// Each task's way back to a condition's lock, while it has one.
    pub relock: Vec<Option<super::prim::Relock>>,
    /// A process task's copy of the variables, from its spawner, until it starts.
    pub spawn_vars: Vec<Option<Vec<i64>>>,
    /// Tasks are arriving at one tick: the CPUs wait until this one, the
    /// last of them, is ready or waits at a gate.
    pub hold_dispatch: Option<TaskId>,
    /// Which tasks have arrived.
    pub arrived: Vec<bool>,
    /// Bytes printed so far.
    pub printed: usize,
    /// The `random` policy's generator.
    pub rng: u64,
    /// Some task failed.
    pub failed: bool,
    start: Instant,
    wake: Arc<Vec<Condvar>>,
}

/// The board and the run's fixed facts, shared by every task's thread.
pub(super) struct Board {
    pub state: Mutex<State>,
    pub wake: Arc<Vec<Condvar>>,
    pub fixed: Vec<TaskFixed>,
    pub catalog: Catalog,
    pub scenario: Scenario,
    pub tick_ns: u64,
    pub max_ticks: u64,
    pub start: Instant,
    pub stop: Arc<AtomicBool>,
    pub workers: Workers,
    /// Who can do what to each resource: (resource, act) → tasks.
    pub actors: std::collections::BTreeMap<(u32, crate::scenario::program::Act), Vec<TaskId>>,
}

pub(super) type Guard<'a> = MutexGuard<'a, State>;

impl State {
    /// Queues an event, stamped now.
    pub fn emit(&mut self, kind: EventKind) {
        let ns = self.start.elapsed().as_nanos().min(u128::from(u64::MAX)) as u64;
        self.events += 1;
        if self.events > crate::limits::MAX_EVENTS && self.outcome.is_none() {
            self.limit = Some(format!(
                "the run reached the limit of {} events and was stopped",
                crate::limits::MAX_EVENTS
            ));
            self.finish(Outcome::Timeout);
            return;
        }
        self.out.push(Out::Event(ns, kind));
    }

    /// A task changes state.
    pub fn set_state(&mut self, t: TaskId, state: TaskState) {
        self.tasks[t.index()].state = state;
        self.tasks[t.index()].changes += 1;
        self.emit(EventKind::State { task: t, state });
    }

    /// Hands `t` what it waited for and wakes its thread.
    pub fn grant(&mut self, t: TaskId, g: Grant) {
        self.tasks[t.index()].grant = Some(g);
        self.wake[t.index()].notify_one();
    }

    /// Ends the run with `outcome` (the first end counts) and wakes every task.
    pub fn finish(&mut self, outcome: Outcome) {
        if self.outcome.is_some() {
            return;
        }
        self.outcome = Some(outcome);
        self.out.push(Out::Event(
            self.start.elapsed().as_nanos() as u64,
            EventKind::End { outcome },
        ));
        for cv in self.wake.iter() {
            cv.notify_all();
        }
    }

    pub fn alive(&self, t: TaskId) -> bool {
        !self.tasks[t.index()].state.is_final()
    }

    pub fn over(&self) -> bool {
        self.outcome.is_some()
    }
}

impl Board {
    /// Parks `t` until it is granted what it waits for, `deadline` passes
    /// or the run is over (or `t` was terminated).
    pub fn wait_grant(&self, g: &mut Guard<'_>, t: TaskId, deadline: Option<Instant>) -> Waited {
        loop {
            if let Some(grant) = g.tasks[t.index()].grant.take() {
                return Waited::Granted(grant);
            }
            if g.over() || g.tasks[t.index()].killed {
                return Waited::Stop;
            }
            let now = Instant::now();
            if deadline.is_some_and(|d| now >= d) {
                return Waited::TimedOut;
            }
            let mut until = now + PARK;
            if let Some(d) = deadline {
                until = until.min(d);
            }
            self.wake[t.index()].wait_until(g, until);
            self.check_clock(g);
        }
    }

    /// Ends the run when it has lasted `max_ticks`, or when it was asked to stop.
    pub fn check_clock(&self, g: &mut Guard<'_>) {
        if g.over() {
            return;
        }
        if self.stop.load(Ordering::Relaxed) {
            g.limit = Some("the run was interrupted".into());
            return g.finish(Outcome::Timeout);
        }
        if self.ticks_now() >= self.max_ticks {
            g.finish(Outcome::Timeout);
        }
    }

    /// Ticks of wall time since the start.
    pub fn ticks_now(&self) -> u64 {
        (self.start.elapsed().as_nanos() / u128::from(self.tick_ns)) as u64
    }

    /// The instant `ticks` ticks from now.
    pub fn after(&self, ticks: u64) -> Instant {
        let ns = ticks.saturating_mul(self.tick_ns);
        Instant::now() + Duration::from_nanos(ns.min(u64::MAX / 2))
    }

    /// The instant at which tick `tick` of the run begins.
    pub fn at_tick(&self, tick: u64) -> Instant {
        self.start + Duration::from_nanos(tick.saturating_mul(self.tick_ns).min(u64::MAX / 2))
    }

    pub fn lock(&self) -> Guard<'_> {
        self.state.lock()
    }
}

/// Builds the board, starts every task's thread, waits for the run to end,
/// then stops and reaps whatever is left.
pub(super) fn run(
    scenario: &Scenario,
    catalog: Catalog,
    options: &Options,
    stop: Arc<AtomicBool>,
) -> Result<Outcome, LiveError> {
    let n = scenario.tasks.len();
    let fixed: Vec<TaskFixed> = scenario
        .tasks
        .iter()
        .map(|t| TaskFixed {
            program: compile(&t.script),
            kind: t.kind,
            priority: t.priority,
            daemon: t.daemon,
            on_timeout: t.on_timeout,
            index: i64::from(t.index),
            start: t.start,
            pool: t.pool.map(|p| p as u32),
            event_loop: t.event_loop.map(|l| l as u32),
            name: t.name.clone(),
        })
        .collect();
    let processes = catalog.processes.len();
    if processes > crate::limits::MAX_PROCESSES {
        return Err(LiveError(format!(
            "{processes} processes are more than a live run starts (at most {})",
            crate::limits::MAX_PROCESSES
        )));
    }
    let wake: Arc<Vec<Condvar>> = Arc::new((0..n).map(|_| Condvar::new()).collect());
    let start = Instant::now();
    let tasks = (0..n)
        .map(|i| TaskRt {
            state: TaskState::New,
            grant: None,
            cpu: None,
            slice: 0,
            gil_ticks: 0,
            gil: false,
            proc: catalog.tasks[i].proc,
            worker: None,
            spawned: false,
            killed: false,
            burst: 0,
            last: 0,
            changes: 0,
        })
        .collect();
    let state = State {
        tasks,
        res: Res::all(scenario, &catalog),
        vars: scenario.vars.iter().map(|v| v.initial).collect(),
        cpus: vec![None; catalog.cpus.max(1) as usize],
        ready: VecDeque::new(),
        out: Vec::new(),
        events: 0,
        outcome: None,
        limit: None,
        relock: vec![None; n],
        spawn_vars: vec![None; n],
        printed: 0,
        arrived: vec![false; n],
        hold_dispatch: None,
        rng: options.seed ^ 0x9e37_79b9_7f4a_7c15,
        failed: false,
        start,
        wake: Arc::clone(&wake),
    };
    let actors = super::deadlock::actors(&fixed);
    let board = Board {
        state: Mutex::new(state),
        wake,
        fixed,
        catalog,
        scenario: scenario.clone(),
        tick_ns: options.tick_ns,
        max_ticks: options.max_ticks,
        start,
        stop,
        workers: Workers::new(options.worker.clone()),
        actors,
    };
    let writer = super::writer::Writer::create(&options.trace, &board.catalog, options.tick_ns)
        .map_err(|e| LiveError(format!("{}: {e}", options.trace.display())))?;
    let outcome = std::thread::scope(|s| {
        let w = s.spawn(|| writer.run(&board));
        let mut handles = Vec::new();
        for i in 0..n {
            let t = TaskId(i as u32);
            let b = &board;
            let spawned = std::thread::Builder::new()
                .name(board.fixed[i].name.clone())
                .spawn_scoped(s, move || {
                    // A panic is a bug in weft: the run ends rather than
                    // waiting forever for this task.
                    let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        super::runner::task_main(b, t)
                    }));
                    if ran.is_err() {
                        let mut g = b.lock();
                        g.limit = Some(format!(
                            "internal error in the thread of {}",
                            b.fixed[i].name
                        ));
                        g.finish(Outcome::Timeout);
                    }
                });
            match spawned {
                Ok(h) => handles.push(h),
                Err(e) => {
                    let mut g = board.lock();
                    g.limit = Some(format!(
                        "cannot start a thread for {}: {e}",
                        board.fixed[i].name
                    ));
                    g.finish(Outcome::Timeout);
                }
            }
        }
        // The main thread keeps the clock: it ends a run that is past its
        // time or interrupted, even when every task is parked for good.
        loop {
            let mut g = board.lock();
            board.check_clock(&mut g);
            if g.over() {
                break;
            }
            drop(g);
            std::thread::sleep(Duration::from_millis(5));
        }
        for h in handles {
            let _ = h.join();
        }
        board.workers.stop_all();
        let _ = w.join();
        board.lock().outcome.unwrap_or(Outcome::Timeout)
    });
    if let Some(limit) = board.lock().limit.take() {
        eprintln!("weft: {limit}");
    }
    Ok(outcome)
}

impl Board {
    /// Whether every task declared before `t` that arrives at `tick` has arrived.
    pub fn turn_to_arrive(&self, g: &State, t: TaskId, tick: u64) -> bool {
        (0..t.index()).all(|j| self.fixed[j].start != Start::At(tick) || g.arrived[j])
    }

    /// Whether `t` runs in a process of its own (a process task, or a job
    /// of a process pool once it has its worker).
    pub fn in_child(&self, g: &State, t: TaskId) -> bool {
        g.tasks[t.index()].proc != 0
    }
}
