//! What the event log means: the wait-for graph at any step, the
//! lock-order graph and its inversions, per-task statistics, and the check
//! of a scenario's expectations.
//!
//! Imports the event contract and the trace; never an engine or a view.

mod describe;
mod expect;
mod lockorder;
mod stats;
mod waitfor;

pub use describe::{
    failure_text, rule_text, stall_reason, state_step, wait_label, wait_place, wait_words,
};
pub use expect::{check_expectations, judge_final, CheckResult, ExpectResult};
pub use lockorder::{
    inversion_text, lock_order, Inversion, LockEdge, LockOrder, MAX_CYCLE, MAX_INVERSIONS,
};
pub use stats::{averages, task_stats, Averages, TaskStats};
pub use waitfor::{chain_text, knot_lines, wait_chains, wait_edges, waiters, WaitChain};
