//! Lock-order inversions, as lockdep and Helgrind report them, settled by
//! the search: each inversion seen in the scenario's own run is either
//! witnessed by a deadlock the search found, or unreachable when the search
//! was complete and found none on it.

use crate::analysis::{lock_order, Inversion};
use crate::event::WaitOn;
use crate::scenario::Scenario;
use crate::sim;
use crate::trace::Trace;

use super::{Problem, ProblemKind, Verdict};

/// Whether an inversion can close into a deadlock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// The search found a deadlock on it: the index of that problem.
    Witness(usize),
    /// A complete search found no deadlock on it.
    Unreachable,
    /// The search was not complete and found none.
    Unknown,
}

/// An inversion and what the search says of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Witnessed {
    /// The inversion, from the scenario's own run.
    pub inversion: Inversion,
    /// Whether it can deadlock.
    pub reach: Reach,
}

/// The inversions of the scenario's own run (its policy and seed, as
/// `weft run` does it) and, for each, the deadlock of `verdict` that
/// closes it, if any.
pub fn inversions(
    scenario: &Scenario,
    options: &sim::Options,
    verdict: &Verdict,
) -> Vec<Witnessed> {
    let (catalog, events) = sim::simulate(scenario, options);
    let trace = Trace::from_events(catalog, events);
    lock_order(&trace)
        .inversions
        .into_iter()
        .map(|inversion| {
            let witness = verdict
                .problems
                .iter()
                .position(|p| p.kind == ProblemKind::Deadlock && closes(p, &inversion));
            let reach = match witness {
                Some(i) => Reach::Witness(i),
                None if verdict.complete() => Reach::Unreachable,
                None => Reach::Unknown,
            };
            Witnessed { inversion, reach }
        })
        .collect()
}

/// The deadlock has each of the inversion's tasks waiting for one of its locks.
fn closes(p: &Problem, inversion: &Inversion) -> bool {
    let locks = inversion.locks();
    inversion.tasks().iter().all(|&t| {
        p.edges.iter().any(|e| {
            e.task == t
                && matches!(e.waits_for, WaitOn::Lock(r) | WaitOn::Read(r) if locks.contains(&r))
        })
    })
}
