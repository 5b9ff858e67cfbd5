//! The fuzz harness shared by `tests/fuzz.rs` (a fast, deterministic replay)
//! and `examples/fuzz.rs` (the long run): three targets, the scenario
//! parser, the simulator and the trace reader, each called under
//! `catch_unwind` and timed, and the generators of their inputs.
//!
//! Uses only weft's public API; nothing here is part of the library.
#![allow(dead_code)]

pub mod corpus;
pub mod gen;
pub mod minimize;
pub mod mutate;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

use weft::event::Event;
use weft::report::{render_text, Report};
use weft::scenario::{Diagnostics, Scenario};
use weft::sim::Options;
use weft::trace::{Trace, TraceError};

/// The name scenario inputs are parsed under, as shown in diagnostics.
pub const PATH: &str = "fuzz.toml";

/// One of the three things being fuzzed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    /// `weft::scenario::parse`.
    Scenario,
    /// `weft::sim::build` and a run to the end, then the report.
    Sim,
    /// `weft::trace::read`, partial and not, then the report.
    Trace,
}

impl Target {
    /// Every target, in the order they are reported.
    pub const ALL: [Target; 3] = [Target::Scenario, Target::Sim, Target::Trace];

    /// The target's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Target::Scenario => "scenario",
            Target::Sim => "sim",
            Target::Trace => "trace",
        }
    }
}

/// What one call of a target did.
#[derive(Debug, Clone)]
pub struct Verdict {
    /// How it ended: `parsed`, `diagnostic`, `read`, `trace error`, or a
    /// run's outcome (with `+event-limit` or `+sim-limit` when a limit stopped it).
    pub kind: String,
    /// What went wrong, if anything did: a panic, or an error without a location.
    pub problem: Option<String>,
    /// How long the call took.
    pub elapsed: Duration,
}

impl Verdict {
    fn new(kind: impl Into<String>, problem: Option<String>, start: Instant) -> Verdict {
        Verdict {
            kind: kind.into(),
            problem,
            elapsed: start.elapsed(),
        }
    }

    fn panicked(payload: Box<dyn std::any::Any + Send>, start: Instant) -> Verdict {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "(a panic without a message)".into());
        Verdict::new("panic", Some(format!("panic: {message}")), start)
    }
}

/// Silences the default panic message: panics are caught and counted.
pub fn quiet_panics() {
    std::panic::set_hook(Box::new(|_| {}));
}

/// Parses `bytes` as a scenario. A diagnostic must render every error with
/// a `file:line:col` location.
pub fn check_scenario(bytes: &[u8]) -> (Verdict, Option<Scenario>) {
    let start = Instant::now();
    let result = catch_unwind(AssertUnwindSafe(|| {
        match weft::scenario::parse(PATH, bytes) {
            Ok(s) => (None, Some(s)),
            Err(d) => (Some(located(&d)), None),
        }
    }));
    match result {
        Ok((None, s)) => (Verdict::new("parsed", None, start), s),
        Ok((Some(problem), _)) => (Verdict::new("diagnostic", problem, start), None),
        Err(p) => (Verdict::panicked(p, start), None),
    }
}

/// `None` when every error of `d` renders as `fuzz.toml:LINE:COL: ...`.
/// Each error is rendered on its own (the first [`CHECKED`] and the last),
/// since a long list is cut when shown.
fn located(d: &Diagnostics) -> Option<String> {
    if d.items.is_empty() {
        return Some("diagnostics without any error".into());
    }
    let last = d.items.len() - 1;
    let picked = d
        .items
        .iter()
        .enumerate()
        .filter(|(i, _)| *i < CHECKED || *i == last);
    for (_, item) in picked {
        let one = Diagnostics {
            path: d.path.clone(),
            source: d.source.clone(),
            items: vec![item.clone()],
        };
        let text = one.render(false);
        if !text.lines().any(has_location) {
            return Some(format!("an error without `file:line:col`:\n{text}"));
        }
    }
    None
}

/// How many errors of one file are checked for a location.
const CHECKED: usize = 20;

fn has_location(line: &str) -> bool {
    let Some(rest) = line.strip_prefix(PATH).and_then(|r| r.strip_prefix(':')) else {
        return false;
    };
    let mut parts = rest.splitn(3, ':');
    let number =
        |p: Option<&str>| p.is_some_and(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()));
    number(parts.next()) && number(parts.next()) && parts.next().is_some()
}

/// Builds and runs a parsed scenario to its end, stopping it (as the CLI
/// does) once it has more than `max_events` events, then folds the events
/// into a report.
pub fn check_sim(scenario: &Scenario, max_events: usize) -> Verdict {
    let start = Instant::now();
    let result = catch_unwind(AssertUnwindSafe(|| {
        let (mut sim, catalog) = weft::sim::build(scenario, &Options::default());
        let mut events: Vec<Event> = Vec::new();
        let mut capped = false;
        while sim.outcome().is_none() {
            sim.step(&mut events);
            if events.len() > max_events {
                sim.stop(&mut events);
                capped = true;
            }
        }
        let limit = sim.limit().is_some();
        let trace = Trace::from_events(catalog, events);
        let outcome = report(&trace);
        match (capped, limit) {
            (true, _) => format!("{outcome}+event-limit"),
            (false, true) => format!("{outcome}+sim-limit"),
            _ => outcome,
        }
    }));
    match result {
        Ok(kind) => Verdict::new(kind, None, start),
        Err(p) => Verdict::panicked(p, start),
    }
}

/// Folds a trace into a report, renders it both ways and returns its outcome.
fn report(trace: &Trace) -> String {
    let report = Report::from_trace(trace);
    let _ = render_text(&report, false);
    let _ = serde_json::to_string(&report);
    report.outcome.unwrap_or("unfinished").to_string()
}

/// Reads `bytes` as a trace, with `--partial` and without; whatever reads is
/// reported. An error must be a `TraceError::Bad` with its line.
pub fn check_trace(bytes: &[u8]) -> Verdict {
    let start = Instant::now();
    let result = catch_unwind(AssertUnwindSafe(|| {
        let mut kinds = Vec::new();
        for partial in [false, true] {
            match weft::trace::read(bytes, partial) {
                Ok(trace) => {
                    report(&trace);
                    kinds.push("read");
                }
                Err(TraceError::Bad { line, .. }) if line >= 1 => kinds.push("trace error"),
                Err(e) => return Err(format!("a trace error without a line: {e}")),
            }
        }
        Ok(match kinds[..] {
            ["read", _] => "read",
            [_, "read"] => "partial read",
            _ => "trace error",
        })
    }));
    match result {
        Ok(Ok(kind)) => Verdict::new(kind, None, start),
        Ok(Err(problem)) => Verdict::new("trace error", Some(problem), start),
        Err(p) => Verdict::panicked(p, start),
    }
}

/// The verdicts of one scenario input: the parse, and the run when it parsed.
pub fn check_scenario_and_run(bytes: &[u8], max_events: usize) -> (Verdict, Option<Verdict>) {
    let (parse, scenario) = check_scenario(bytes);
    let run = scenario.map(|s| check_sim(&s, max_events));
    (parse, run)
}

/// A small deterministic generator (splitmix64): the same seed, the same inputs.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9e37_79b9_7f4a_7c15)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// `n` random bytes: the raw material `arbitrary` reads from.
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(n + 8);
        while out.len() < n {
            out.extend_from_slice(&self.next_u64().to_le_bytes());
        }
        out.truncate(n);
        out
    }
}

/// The seed of input number `i` of a run started with `seed`.
pub fn input_seed(seed: u64, i: u64) -> u64 {
    Rng::new(seed.wrapping_mul(0x100_0000_01b3) ^ i).next_u64()
}
