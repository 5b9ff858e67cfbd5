//! The limits every input must stay within, in one place: a scenario file,
//! the command line's overrides and a trace's header are all checked
//! against these numbers, so that an absurd value is a diagnostic, not a
//! hang or an out-of-memory abort. A leaf of the module graph: it imports
//! nothing, and the model modules may all use it.

/// At most this many virtual CPUs.
pub const MAX_CPUS: i64 = 256;
/// At most this many tasks after `count` expansion.
pub const MAX_TASKS: usize = 10_000;
/// At most this many elements in one `count` array (tasks or resources).
pub const MAX_COUNT: i64 = 10_000;
/// At most this many resources after `count` expansion.
pub const MAX_RESOURCES: usize = 100_000;
/// At most this many statements in one script.
pub const MAX_STMTS: usize = 100_000;
/// At most this many statements in all scripts after `count` expansion.
pub const MAX_TOTAL_STMTS: usize = 1_000_000;
/// Blocks may nest at most this deep.
pub const MAX_NESTING: usize = 64;
/// TOML arrays and inline tables may nest at most this deep (counting
/// those opened and never closed).
pub const MAX_TOML_NESTING: usize = 128;
/// The largest tick count anywhere: `max_ticks`, `compute`, `sleep`, `start`, timeouts, `repeat`.
pub const MAX_TICKS: i64 = 1_000_000_000;
/// The largest queue capacity.
pub const MAX_QUEUE_CAPACITY: i64 = 1_000_000;
/// The largest semaphore permit count, barrier party count and pool size.
pub const MAX_PERMITS: i64 = 1_000_000;
/// The largest `notify N`.
pub const MAX_NOTIFY: i64 = 1_000_000;
/// At most this many instructions per task at one tick boundary (in a live
/// run: since the task last took time); past it the task fails, since a
/// loop without `compute`, `sleep` or a wait never lets time pass.
pub const MAX_STEPS_PER_TICK: u32 = 100_000;
/// At most this many processes: process tasks and process-pool workers.
pub const MAX_PROCESSES: usize = 1_024;

/// Tasks a live run starts threads for (each task is an OS thread).
pub const MAX_LIVE_THREADS: usize = 2_048;
/// At most this many copies of a variable a run keeps: each task has its
/// locals and each process its own copy of every shared variable.
pub const MAX_VAR_COPIES: usize = 20_000_000;
/// At most this many events in one run or trace; past it a run stops with
/// a message and a trace is refused.
pub const MAX_EVENTS: usize = 20_000_000;
/// The longest header line of a trace, in bytes.
pub const MAX_TRACE_HEADER: usize = 256 << 20;
/// The longest event line of a trace, in bytes.
pub const MAX_TRACE_LINE: usize = 16 << 20;
/// The longest name of a task, resource, variable or scenario, in characters.
pub const MAX_NAME: usize = 128;
