//! The live engine: a scenario's tasks on real OS threads and processes, in
//! real time, speaking the same events as the simulator (SCENARIOS.md
//! section 5).
//!
//! Every task is an OS thread named after it, running its compiled script
//! ([`crate::scenario::program`]). The scenario's shared resources — locks,
//! semaphores, conditions, events, barriers, queues, pools, the virtual
//! CPUs and each process's GIL — are one monitor, the [`board`]: a
//! parking_lot mutex over their states and one condition variable a task,
//! with the simulator's rules (FIFO hand-over, the rwlock preferences, a
//! queue's direct hand-over, a barrier broken by a timeout). A task that
//! must wait really blocks; a released lock really wakes its first waiter;
//! `compute` burns the thread's own CPU time; `sleep` sleeps; and `incr` is
//! a real read and a real write with the monitor let go between them, so
//! two tasks on two CPUs really can lose an update.
//!
//! A process task is a real process ([`process`]): weft itself, started as
//! a worker, holding that process's copy of the variables and burning its
//! CPU time, while the engine's thread for the task does its shared
//! operations on the board — the shape of `multiprocessing.Manager`, whose
//! server in the parent owns the shared objects.
//!
//! The engine depends on `scenario`, `event` and `limits` only; the CLI
//! gives it the catalog the simulator's builder makes, so that both engines
//! name every id alike.

mod board;
mod clock;
mod deadlock;
mod ending;
mod gate;
mod prim;
pub mod process;
mod runner;
mod writer;

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use crate::event::{Catalog, Outcome};
use crate::scenario::Scenario;

/// The shortest and the longest tick a live run takes.
pub const TICK_RANGE: std::ops::RangeInclusive<u64> = 100_000..=10_000_000_000;

/// How a live run is made.
#[derive(Debug, Clone)]
pub struct Options {
    /// The length of a tick in nanoseconds (`machine.tick`, or `--tick`).
    pub tick_ns: u64,
    /// The run stops with outcome `timeout` after this many ticks of wall time.
    pub max_ticks: u64,
    /// The seed of the `random` policy.
    pub seed: u64,
    /// Where the trace is written.
    pub trace: PathBuf,
    /// The weft binary, started as the worker of each process task.
    pub worker: PathBuf,
}

/// Why a live run could not be made.
#[derive(Debug)]
pub struct LiveError(pub String);

impl std::fmt::Display for LiveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Runs `scenario` live, writing its trace to `options.trace` as it goes,
/// until it ends or `stop` is set (then with outcome `timeout`). Every
/// thread started is joined and every process reaped before it returns.
pub fn run(
    scenario: &Scenario,
    catalog: &Catalog,
    options: &Options,
    stop: Arc<AtomicBool>,
) -> Result<Outcome, LiveError> {
    if !TICK_RANGE.contains(&options.tick_ns) {
        return Err(LiveError(format!(
            "a live tick must be from 100us to 10s, not {}",
            crate::event::format_duration(options.tick_ns)
        )));
    }
    let tasks = scenario.tasks.len();
    if tasks > crate::limits::MAX_LIVE_THREADS {
        return Err(LiveError(format!(
            "{tasks} tasks are more than a live run starts threads for (at most {}); \
             run it on the simulator",
            crate::limits::MAX_LIVE_THREADS
        )));
    }
    let mut catalog = catalog.clone();
    catalog.engine = "live".into();
    catalog.tick_label = crate::event::format_duration(options.tick_ns);
    catalog.max_ticks = options.max_ticks;
    if let Some(main) = catalog.processes.first_mut() {
        main.pid = Some(u64::from(std::process::id()));
    }
    board::run(scenario, catalog, options, stop)
}
