//! First come, first served: the ready queue in order; a task keeps its CPU
//! until it blocks or ends.

use super::Scheduler;

/// First come, first served.
pub struct Fifo;

impl Scheduler for Fifo {}
