//! Exhaustive exploration of a scenario's schedules on the simulator's own
//! state (docs/check.md). A state is a [`Sim`] stopped at a scheduling
//! choice; a transition takes one option and runs to the next choice or the
//! end. The search is breadth-first, so the first schedule found for each
//! problem is a shortest one, and visited states are kept by their
//! fingerprint (exact bytes, or a 64-bit hash in the compact mode).

mod end;
mod lockorder;
mod steps;
mod visited;

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

pub use end::{Problem, ProblemKind};
pub use lockorder::{inversions, Reach, Witnessed};
pub use steps::{tell, Step, Told};

use crate::event::{Catalog, Event, TaskId};
use crate::scenario::Scenario;
use crate::sim::{self, ChoiceKind, Sim};
use visited::Visited;

/// How a search is bounded and reduced.
#[derive(Debug, Clone)]
pub struct Options {
    /// The simulator's settings (seed, max ticks); the explored model is
    /// switched on by the search.
    pub sim: sim::Options,
    /// Stop after this many distinct states.
    pub max_states: u64,
    /// At most this many preemptions on any path (switches away from a
    /// task that could have gone on); `None` for no bound.
    pub preemption_bound: Option<u32>,
    /// Skip switches before operations no other task can observe.
    pub reduce: bool,
    /// Keep a 64-bit hash of each state instead of its bytes.
    pub compact: bool,
    /// Stop when the visited states and the queue take about this many bytes.
    pub max_memory: u64,
    /// Depth-first instead of breadth-first: a problem deep in the space is
    /// found sooner, but its schedule is not the shortest.
    pub depth_first: bool,
    /// Stop at the first problem found.
    pub first: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            sim: sim::Options::default(),
            max_states: 10_000_000,
            preemption_bound: None,
            reduce: true,
            compact: false,
            max_memory: 4 << 30,
            depth_first: false,
            first: false,
        }
    }
}

/// What stopped a search before it had seen every state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// `max_states`.
    States(u64),
    /// The preemption bound cut some paths.
    Preemptions(u32),
    /// The memory bound, in bytes.
    Memory(u64),
    /// The user stopped it (Ctrl-C).
    Interrupted,
    /// `first`: a problem was found.
    FirstProblem,
}

/// How far a search has got, for a progress line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Distinct states so far.
    pub states: u64,
    /// Transitions taken.
    pub transitions: u64,
    /// The breadth-first depth being expanded (choices from the start).
    pub depth: u32,
    /// States waiting to be expanded.
    pub queue: usize,
    /// Time since the start.
    pub elapsed: Duration,
}

/// The result of a search.
#[derive(Debug, Clone)]
pub struct Verdict {
    /// Distinct states seen (the start included).
    pub states: u64,
    /// Transitions taken (to new states or not).
    pub transitions: u64,
    /// The deepest state, in choices from the start.
    pub depth: u32,
    /// Every state was seen; else what stopped the search.
    pub bound: Option<Bound>,
    /// Each distinct problem, with a shortest schedule to it, in the order found.
    pub problems: Vec<Problem>,
    /// `[expect] outcome = "deadlock"`: a deadlock was asked for.
    pub deadlock_expected: bool,
    /// Bytes the visited set holds per state.
    pub bytes_per_state: f64,
    /// Time the search took.
    pub elapsed: Duration,
    /// The search was reduced (the schedules assume it).
    pub reduced: bool,
    /// The search was depth-first (schedules are not the shortest).
    pub depth_first: bool,
}

impl Verdict {
    /// Every state was seen.
    pub fn complete(&self) -> bool {
        self.bound.is_none()
    }

    /// The first kind of problem of `deadlock`, `stalled`, `timeout`,
    /// `failed`, `expectation`; `None` when there is none.
    pub fn outcome(&self) -> Option<ProblemKind> {
        self.problems.iter().map(|p| p.kind).min()
    }

    /// The shortest problem of the outcome's kind.
    pub fn counterexample(&self) -> Option<&Problem> {
        let kind = self.outcome()?;
        self.problems
            .iter()
            .filter(|p| p.kind == kind)
            .min_by_key(|p| p.schedule.len())
    }

    /// CLI.md's exit code: 3 for a reachable deadlock, 4 for another
    /// problem, 0 when none.
    pub fn exit_code(&self) -> i32 {
        match self.outcome() {
            None => 0,
            Some(ProblemKind::Deadlock) => 3,
            Some(_) => 4,
        }
    }
}

/// At most this many distinct problems are kept; the search goes on.
pub const MAX_PROBLEMS: usize = 32;

/// The simulator options of the explored model, as a replay of `schedule`
/// needs them.
pub fn replay_options(base: &sim::Options, schedule: Vec<TaskId>, reduce: bool) -> sim::Options {
    sim::Options {
        schedule,
        explore: true,
        suspend: false,
        unreduced: !reduce,
        ..base.clone()
    }
}

/// One state waiting to be expanded.
struct Node {
    sim: Sim,
    /// Its index into the tree of parents.
    id: u32,
    depth: u32,
    preemptions: u32,
}

/// The search's bookkeeping.
struct Search<'a> {
    options: &'a Options,
    judge: end::Judge<'a>,
    visited: Visited,
    /// The tree of states: each one's parent and the task chosen to reach it.
    tree: Vec<(u32, TaskId)>,
    queue: VecDeque<Node>,
    queued_bytes: u64,
    scratch: Vec<Event>,
    signatures: std::collections::HashSet<end::Signature>,
    verdict: Verdict,
}

/// Explores every schedule of `scenario`. `progress` is called about twice
/// a second; `stop` ends the search early with what it has.
pub fn check(
    scenario: &Scenario,
    options: &Options,
    stop: &AtomicBool,
    progress: &mut dyn FnMut(&Progress),
) -> (Verdict, Catalog) {
    let start = Instant::now();
    let sim_options = sim::Options {
        explore: true,
        suspend: true,
        unreduced: !options.reduce,
        schedule: Vec::new(),
        record_choices: false,
        ..options.sim.clone()
    };
    let (mut root, catalog) = sim::build(scenario, &sim_options);
    let judge = end::Judge::new(&catalog);
    let mut search = Search {
        options,
        verdict: Verdict {
            states: 0,
            transitions: 0,
            depth: 0,
            bound: None,
            problems: Vec::new(),
            deadlock_expected: judge.deadlock_expected(),
            bytes_per_state: 0.0,
            elapsed: Duration::ZERO,
            reduced: options.reduce,
            depth_first: options.depth_first,
        },
        judge,
        visited: Visited::new(options.compact, options.preemption_bound.is_some()),
        tree: Vec::new(),
        queue: VecDeque::new(),
        queued_bytes: 0,
        scratch: Vec::new(),
        signatures: Default::default(),
    };
    root.run_to_choice(&mut search.scratch);
    search.visit(u32::MAX, TaskId(0), 0, 0, root);
    let mut last_report = Instant::now();
    let mut expanded: u64 = 0;
    loop {
        let next = if options.depth_first {
            search.queue.pop_back()
        } else {
            search.queue.pop_front()
        };
        let Some(node) = next else { break };
        search.queued_bytes = search
            .queued_bytes
            .saturating_sub(node.sim.heap_bytes() as u64);
        if !search.expand(node) {
            break;
        }
        expanded += 1;
        if expanded.is_multiple_of(256) {
            if stop.load(Ordering::Relaxed) {
                search.verdict.bound = Some(Bound::Interrupted);
                break;
            }
            let used = search.visited.bytes() + search.queued_bytes + search.tree.len() as u64 * 8;
            if used > options.max_memory {
                search.verdict.bound = Some(Bound::Memory(options.max_memory));
                break;
            }
            if last_report.elapsed() > Duration::from_millis(500) {
                last_report = Instant::now();
                progress(&Progress {
                    states: search.verdict.states,
                    transitions: search.verdict.transitions,
                    depth: search.queue.front().map_or(0, |n| n.depth),
                    queue: search.queue.len(),
                    elapsed: start.elapsed(),
                });
            }
        }
    }
    let mut verdict = search.verdict;
    if verdict.bound.is_none() && verdict.deadlock_expected {
        let found = verdict
            .problems
            .iter()
            .any(|p| p.kind == ProblemKind::Deadlock);
        if !found {
            verdict.problems.push(Problem {
                kind: ProblemKind::Expectation,
                schedule: Vec::new(),
                what: "no schedule deadlocks, though [expect] says outcome = \"deadlock\"".into(),
                end_tick: 0,
                edges: Vec::new(),
            });
        }
    }
    verdict.bytes_per_state = search.visited.bytes() as f64 / verdict.states.max(1) as f64;
    verdict.elapsed = start.elapsed();
    (verdict, catalog)
}

impl Search<'_> {
    /// Takes each option of the node's choice. False when a bound stopped the search.
    fn expand(&mut self, node: Node) -> bool {
        let Some(point) = node.sim.pending().cloned() else {
            return true;
        };
        let Node {
            sim,
            id,
            depth,
            preemptions,
        } = node;
        let last = point.options.len() - 1;
        let mut sim = Some(sim);
        for (i, &chosen) in point.options.iter().enumerate() {
            let switch = matches!(point.kind, ChoiceKind::Switch { .. }) && i > 0;
            let preemptions = preemptions + u32::from(switch);
            if let Some(k) = self.options.preemption_bound {
                if preemptions > k {
                    self.verdict.bound.get_or_insert(Bound::Preemptions(k));
                    continue;
                }
            }
            // The last option takes the node's own state: one clone fewer.
            let mut next = match (i == last, &mut sim) {
                (true, s) => match s.take() {
                    Some(s) => s,
                    None => continue,
                },
                (false, Some(s)) => s.clone(),
                (false, None) => continue,
            };
            next.answer(i);
            self.scratch.clear();
            next.run_to_choice(&mut self.scratch);
            self.verdict.transitions += 1;
            if !self.visit(id, chosen, depth + 1, preemptions, next) {
                return false;
            }
        }
        true
    }

    /// A state reached from `parent` by choosing `chosen`: judged if it is
    /// an end, queued if it is new. False when the state bound stops the search.
    fn visit(
        &mut self,
        parent: u32,
        chosen: TaskId,
        depth: u32,
        preemptions: u32,
        sim: Sim,
    ) -> bool {
        if !self.visited.insert(&sim, preemptions) {
            return true;
        }
        if self.verdict.states >= self.options.max_states {
            self.verdict.bound = Some(Bound::States(self.options.max_states));
            return false;
        }
        self.verdict.states += 1;
        let id = self.tree.len() as u32;
        self.tree.push((parent, chosen));
        self.verdict.depth = self.verdict.depth.max(depth);
        if sim.outcome().is_some() {
            let schedule = path(&self.tree, id);
            self.judge.end(
                &sim,
                &self.scratch,
                schedule,
                &mut self.signatures,
                &mut self.verdict.problems,
            );
            if self.options.first && !self.verdict.problems.is_empty() {
                self.verdict.bound = Some(Bound::FirstProblem);
                return false;
            }
        } else {
            self.queued_bytes += sim.heap_bytes() as u64;
            self.queue.push_back(Node {
                sim,
                id,
                depth,
                preemptions,
            });
        }
        true
    }
}

/// The tasks chosen from the start to state `id` (the start is state 0).
fn path(tree: &[(u32, TaskId)], mut id: u32) -> Vec<TaskId> {
    let mut steps = Vec::new();
    while id != 0 {
        let (parent, chosen) = tree[id as usize];
        steps.push(chosen);
        id = parent;
    }
    steps.reverse();
    steps
}
