//! The command line: clap commands wiring the scenario parser, the
//! simulator, traces, reports and the TUI together, and the exit codes of
//! CLI.md (0 as expected, 2 bad input, 3 deadlock, 4 another failure, 1 a bug).

mod builtin;
mod check;
mod commands;
mod live;
pub mod load;
mod tui;
mod watch;

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// weft: watch threads, locks and queues run, tick by tick.
#[derive(Debug, Parser)]
#[command(
    name = "weft",
    version,
    about,
    long_about = None,
    args_conflicts_with_subcommands = true,
    after_help = "The scenario language (every table, key and operation, with examples) is \
                  described in docs/language.md; the built-in lessons are listed by `weft list`."
)]
pub struct Cli {
    /// What to do; without a command, the TUI opens on the scenario picker.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Do not capture the mouse in the picker's TUI.
    #[arg(long)]
    pub no_mouse: bool,
}

/// Which engine runs a scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EngineKind {
    /// The deterministic simulator.
    Sim,
    /// Real threads and processes.
    Live,
}

/// Flags every run shares.
#[derive(Debug, Clone, clap::Args)]
pub struct RunFlags {
    /// The engine: the deterministic simulator, or real threads and
    /// processes in real time (shown live as it runs).
    #[arg(long, value_enum, default_value = "sim")]
    pub engine: EngineKind,
    /// Overrides `machine.tick`: the length of a live run's tick, from
    /// 100us to 10s (e.g. 5ms).
    #[arg(long, value_name = "DURATION")]
    pub tick: Option<String>,
    /// Overrides `machine.seed`.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Overrides `machine.max_ticks` (1 to 1000000000, as in a scenario file).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=crate::scenario::limits::MAX_TICKS as u64))]
    pub max_ticks: Option<u64>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Runs a scenario (a file, or a built-in scenario's name) in the TUI, or
    /// prints the report without a terminal.
    Run {
        /// The scenario: a file, or the name of a built-in lesson as `weft
        /// list` shows it (e.g. abba_deadlock); a file of that name comes
        /// first.
        file: String,
        /// No TUI: run to the end and print the report.
        #[arg(long)]
        headless: bool,
        /// Print the JSON report instead of the text report; implies
        /// --headless (no TUI opens, even on a terminal).
        #[arg(long)]
        json: bool,
        /// Also write the event trace here (on a terminal: written whole,
        /// then the TUI opens on the scenario).
        #[arg(long, value_name = "TRACE")]
        record: Option<PathBuf>,
        /// Do not capture the mouse in the TUI.
        #[arg(long)]
        no_mouse: bool,
        /// Run the scenario on both engines and show the two runs one above
        /// the other on one time axis (the live run's names end in ·live);
        /// headless, both reports.
        #[arg(long, conflicts_with = "record")]
        compare: bool,
        /// Replay a schedule that `weft check` found (its --json report,
        /// its --save file, or a JSON list of task names): the task chosen
        /// at each choice of the explored model (docs/check.md).
        #[arg(long, value_name = "FILE.json", conflicts_with = "compare")]
        schedule: Option<PathBuf>,
        #[command(flatten)]
        flags: RunFlags,
    },
    /// Explores every schedule of a scenario: deadlocks, stalls, failures
    /// and broken expectations, each with a shortest schedule that reaches it.
    Check {
        /// The scenario: a file, or the name of a built-in lesson.
        file: String,
        /// Print CLI.md's JSON report instead of the text.
        #[arg(long)]
        json: bool,
        /// Write the first counterexample here, for `weft run FILE --schedule`.
        #[arg(long, value_name = "FILE.json")]
        save: Option<PathBuf>,
        /// Open the first counterexample in the TUI.
        #[arg(long, conflicts_with = "json")]
        tui: bool,
        /// At most K preemptions on any schedule (a switch away from a task
        /// that could have gone on).
        #[arg(long, value_name = "K")]
        preemption_bound: Option<u32>,
        /// Stop after N distinct states.
        #[arg(long, value_name = "N", default_value_t = 10_000_000)]
        max_states: u64,
        /// Stop when the search holds about this many MiB.
        #[arg(long, value_name = "MIB", default_value_t = 4096)]
        max_memory: u64,
        /// Keep an 8-byte hash of each state instead of the state (hash
        /// compaction: far less memory, a tiny chance of missing a state).
        #[arg(long)]
        hash_compact: bool,
        /// Offer a switch before every operation, even those no other task
        /// can observe (slower; for comparing with the reduced search).
        #[arg(long)]
        no_reduction: bool,
        /// Search depth-first: a deep problem is found sooner, but its
        /// schedule is not the shortest.
        #[arg(long)]
        dfs: bool,
        /// Stop at the first problem found.
        #[arg(long)]
        first: bool,
        /// No progress line on stderr.
        #[arg(long)]
        quiet: bool,
        /// Overrides `machine.seed`.
        #[arg(long)]
        seed: Option<u64>,
        /// Overrides `machine.max_ticks`.
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..=crate::scenario::limits::MAX_TICKS as u64))]
        max_ticks: Option<u64>,
        /// Do not capture the mouse in the TUI.
        #[arg(long)]
        no_mouse: bool,
    },
    /// Opens a recorded trace in the TUI, or prints its report without a
    /// terminal.
    Replay {
        /// A trace file, as `weft run FILE --record TRACE` writes it (JSON
        /// Lines: a header, then one event a line; docs/trace-format.md).
        trace: PathBuf,
        /// No TUI: print the report.
        #[arg(long)]
        headless: bool,
        /// Print the JSON report instead of the text report; implies
        /// --headless (no TUI opens, even on a terminal).
        #[arg(long)]
        json: bool,
        /// Replay a truncated or corrupt trace up to its last good event.
        #[arg(long)]
        partial: bool,
        /// The trace is still being written: wait for it and follow it as it
        /// grows (headless: report once its end is written).
        #[arg(long)]
        follow: bool,
        /// Do not capture the mouse in the TUI.
        #[arg(long)]
        no_mouse: bool,
    },
    /// Runs a program that uses weft::sync with its recording pointed at
    /// weft (WEFT_TRACE), then shows what it did: the TUI on its trace, or
    /// the report without a terminal. Exits with the program's code.
    Watch {
        /// No TUI: print the report once the program has ended.
        #[arg(long)]
        headless: bool,
        /// Print the JSON report; implies --headless.
        #[arg(long)]
        json: bool,
        /// Keep the trace here (default: a file in the temporary folder).
        #[arg(long, value_name = "TRACE")]
        trace: Option<PathBuf>,
        /// Do not capture the mouse in the TUI.
        #[arg(long)]
        no_mouse: bool,
        /// The program and its arguments, after `--`.
        #[arg(required = true, last = true, value_name = "CMD")]
        command: Vec<String>,
    },
    /// Parses and checks scenarios; runs nothing.
    Validate {
        /// The scenario files.
        #[arg(required = true)]
        files: Vec<String>,
    },
    /// Lists the built-in scenarios.
    List,
    /// One process of a live run (started by the live engine, not by hand).
    #[command(name = "live-worker", hide = true)]
    LiveWorker,
    /// Runs every scenario with an `[expect]` table and reports which do not match.
    Test {
        /// The folder (default: ./scenarios, or the built-in scenarios when there is none).
        dir: Option<PathBuf>,
        #[command(flatten)]
        flags: RunFlags,
    },
}

/// Runs the command line and returns the process's exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    commands::dispatch(cli.command, !cli.no_mouse)
}
