//! Judging an end state: which problem it is, if any, against the
//! scenario's `[expect]`, and whether an equal problem was already found.

use std::collections::HashSet;

use crate::analysis::{chain_text, failure_text, judge_final, wait_label, CheckResult};
use crate::event::{Catalog, Event, EventKind, Outcome, TaskId, TaskState, WaitEdge, WaitOn};
use crate::sim::Sim;

/// A kind of problem, in the order a verdict names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProblemKind {
    /// A wait-for cycle or knot.
    Deadlock,
    /// Nothing can run again, and no cycle.
    Stalled,
    /// `max_ticks` (or a limit of the simulator) was reached.
    Timeout,
    /// A task failed.
    Failed,
    /// An `[expect]` did not hold.
    Expectation,
}

impl ProblemKind {
    /// The kind's name, as in CLI.md's report.
    pub fn name(self) -> &'static str {
        match self {
            ProblemKind::Deadlock => "deadlock",
            ProblemKind::Stalled => "stalled",
            ProblemKind::Timeout => "timeout",
            ProblemKind::Failed => "failed",
            ProblemKind::Expectation => "expectation",
        }
    }
}

/// A problem and a shortest schedule that reaches it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Its kind.
    pub kind: ProblemKind,
    /// The task chosen at each choice, from the start.
    pub schedule: Vec<TaskId>,
    /// What went wrong, in a line.
    pub what: String,
    /// The tick the run ended at.
    pub end_tick: u64,
    /// A deadlock's wait-for edges (empty for other kinds).
    pub edges: Vec<WaitEdge>,
}

/// What makes two problems the same one: the kind and who was stuck on
/// what, which tasks failed how, or which checks broke.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Signature {
    /// A deadlock's edges, sorted.
    Deadlock(Vec<WaitEdge>),
    /// The stuck tasks and their waits.
    Stalled(Vec<(TaskId, WaitOn)>),
    /// Any timeout.
    Timeout,
    /// The failed tasks and their states.
    Failed(Vec<(TaskId, TaskState)>),
    /// The outcome reached and the final checks that broke.
    Expectation(Outcome, Vec<usize>),
}

/// Judges end states against the catalog's `[expect]`.
pub struct Judge<'a> {
    catalog: &'a Catalog,
    wanted: Outcome,
}

impl<'a> Judge<'a> {
    pub fn new(catalog: &'a Catalog) -> Judge<'a> {
        let wanted = catalog
            .expect
            .as_ref()
            .and_then(|e| e.outcome)
            .unwrap_or(Outcome::Completed);
        Judge { catalog, wanted }
    }

    /// `[expect] outcome = "deadlock"`: the search is asked to show that a
    /// deadlock is reachable.
    pub fn deadlock_expected(&self) -> bool {
        self.wanted == Outcome::Deadlock
    }

    /// Records the problem of the ended `sim` (whose last events are
    /// `events`), unless it is none or one already found.
    pub fn end(
        &self,
        sim: &Sim,
        events: &[Event],
        schedule: Vec<TaskId>,
        seen: &mut HashSet<Signature>,
        problems: &mut Vec<Problem>,
    ) {
        let Some((signature, kind, what)) = self.problem(sim, events) else {
            return;
        };
        let edges = match &signature {
            Signature::Deadlock(edges) => edges.clone(),
            _ => Vec::new(),
        };
        if problems.len() < super::MAX_PROBLEMS && seen.insert(signature) {
            problems.push(Problem {
                kind,
                schedule,
                what,
                end_tick: sim.tick(),
                edges,
            });
        }
    }

    fn problem(&self, sim: &Sim, events: &[Event]) -> Option<(Signature, ProblemKind, String)> {
        let cat = self.catalog;
        let outcome = sim.outcome()?;
        match outcome {
            Outcome::Deadlock => {
                let mut edges: Vec<WaitEdge> = events
                    .iter()
                    .rev()
                    .find_map(|e| match &e.kind {
                        EventKind::Deadlock { cycle, .. } => Some(cycle.to_vec()),
                        _ => None,
                    })
                    .unwrap_or_default();
                let what = chain_text(cat, &edges);
                edges.sort_by_key(|e| (e.task, e.held_by));
                return Some((Signature::Deadlock(edges), ProblemKind::Deadlock, what));
            }
            Outcome::Stalled if self.wanted != Outcome::Stalled => {
                let stuck: Vec<(TaskId, WaitOn)> = events
                    .iter()
                    .rev()
                    .find_map(|e| match &e.kind {
                        EventKind::Stall { stuck } => {
                            Some(stuck.iter().map(|s| (s.task, s.waits_for)).collect())
                        }
                        _ => None,
                    })
                    .unwrap_or_default();
                let what = stuck
                    .iter()
                    .map(|(t, on)| {
                        format!("{} is stuck on {}", cat.task_name(*t), wait_label(cat, *on))
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                return Some((Signature::Stalled(stuck), ProblemKind::Stalled, what));
            }
            Outcome::Timeout if self.wanted != Outcome::Timeout => {
                let what = match sim.limit() {
                    Some(_) => "a limit of the simulator stopped the run".to_string(),
                    None => format!("the run reached max_ticks = {}", cat.max_ticks),
                };
                return Some((Signature::Timeout, ProblemKind::Timeout, what));
            }
            Outcome::Failed if self.wanted != Outcome::Failed => {
                let failed: Vec<(TaskId, TaskState)> = sim
                    .task_states()
                    .enumerate()
                    .filter(|(_, s)| matches!(s, TaskState::Failed { .. }))
                    .map(|(i, s)| (TaskId(i as u32), s))
                    .collect();
                let what = failed
                    .iter()
                    .map(|(t, s)| match s {
                        TaskState::Failed { reason } => format!(
                            "{} fails: {}",
                            cat.task_name(*t),
                            failure_text(cat, *reason)
                        ),
                        _ => String::new(),
                    })
                    .collect::<Vec<_>>()
                    .join("; ");
                return Some((Signature::Failed(failed), ProblemKind::Failed, what));
            }
            _ => {}
        }
        if self.wanted == Outcome::Deadlock {
            // Other ends are allowed: the question is whether one deadlocks.
            return None;
        }
        if outcome != self.wanted {
            let what = format!(
                "the run ends {}, though [expect] says outcome = \"{}\"",
                outcome.name(),
                self.wanted.name()
            );
            let signature = Signature::Expectation(outcome, Vec::new());
            return Some((signature, ProblemKind::Expectation, what));
        }
        let checks = cat.expect.as_ref().map_or(&[][..], |e| &e.checks[..]);
        let vars = sim.main_vars();
        let judged: Vec<(usize, CheckResult)> = checks
            .iter()
            .map(|c| judge_final(cat, c, vars))
            .enumerate()
            .filter(|(_, r)| !r.ok)
            .collect();
        if judged.is_empty() {
            return None;
        }
        let what = judged
            .iter()
            .map(|(_, r)| format!("{} does not hold ({})", r.text, r.values))
            .collect::<Vec<_>>()
            .join("; ");
        let broken = judged.iter().map(|(i, _)| *i).collect();
        Some((
            Signature::Expectation(outcome, broken),
            ProblemKind::Expectation,
            what,
        ))
    }
}
