//! The report's lock-order section: the size of the lock-order graph and
//! each inversion in it, in words and by name.

use serde::Serialize;

use crate::analysis::{inversion_text, lock_order};
use crate::trace::Trace;

/// The lock-order graph of the run (see docs/lock-order.md).
#[derive(Debug, Clone, Serialize)]
pub struct LockOrderReport {
    /// Edges of the graph: (lock held, lock asked for, task) taken once each.
    pub edges: usize,
    /// Every inversion: a cycle of lock orders taken by distinct tasks.
    pub inversions: Vec<InversionReport>,
}

/// One inversion of the lock order.
#[derive(Debug, Clone, Serialize)]
pub struct InversionReport {
    /// In words: `t1 takes A then B at lines 3, 5; t2 takes B then A at
    /// lines 12, 14`.
    pub text: String,
    /// The tasks of the cycle, in its order.
    pub tasks: Vec<String>,
    /// The locks of the cycle, in its order (each task holds its lock and
    /// asks for the next).
    pub locks: Vec<String>,
    /// The gate locks every task of the cycle held throughout (empty when
    /// the inversion can deadlock).
    pub guarded_by: Vec<String>,
}

/// The lock-order section of a trace's report.
pub fn lock_order_report(trace: &Trace) -> LockOrderReport {
    let cat = &trace.catalog;
    let order = lock_order(trace);
    let names = |ids: Vec<crate::event::ResourceId>| -> Vec<String> {
        ids.into_iter()
            .map(|r| cat.resource_name(r).to_string())
            .collect()
    };
    LockOrderReport {
        edges: order.edges.len(),
        inversions: order
            .inversions
            .iter()
            .map(|inv| InversionReport {
                text: inversion_text(cat, inv),
                tasks: inv
                    .tasks()
                    .into_iter()
                    .map(|t| cat.task_name(t).to_string())
                    .collect(),
                locks: names(inv.locks()),
                guarded_by: names(inv.guards.clone()),
            })
            .collect(),
    }
}
