//! The limits a scenario must stay within, in one place.
//!
//! Every number a scenario gives is checked against these bounds before
//! anything runs, so that an absurd value is a diagnostic, not a hang or an
//! out-of-memory abort. Imports nothing.

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
/// The largest tick count anywhere: `max_ticks`, `compute`, `sleep`, `start`, timeouts, `repeat`.
pub const MAX_TICKS: i64 = 1_000_000_000;
/// The largest queue capacity.
pub const MAX_QUEUE_CAPACITY: i64 = 1_000_000;
/// The largest semaphore permit count, barrier party count and pool size.
pub const MAX_PERMITS: i64 = 1_000_000;
/// The largest `notify N`.
pub const MAX_NOTIFY: i64 = 1_000_000;
