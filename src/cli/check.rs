//! `weft check` (the verdict, the counts, each problem's shortest schedule
//! as steps, the JSON report of CLI.md) and `weft run FILE --schedule`.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use serde::Serialize;

use super::load::{self, Failure};
use super::RunFlags;
use crate::check::{self, Bound, Problem, Verdict};
use crate::event::{Catalog, TaskId};
use crate::scenario::Scenario;

/// What `weft check` was asked.
#[derive(Debug, Clone)]
pub struct Flags {
    pub json: bool,
    pub save: Option<PathBuf>,
    pub tui: bool,
    pub quiet: bool,
    pub mouse: bool,
    pub options: check::Options,
}

/// A problem in the JSON report.
#[derive(Debug, Serialize)]
struct ProblemJson<'a> {
    kind: &'static str,
    length: usize,
    schedule: Vec<&'a str>,
    what: &'a str,
    end_tick: u64,
}

/// CLI.md's report of `weft check --json`.
#[derive(Debug, Serialize)]
struct ReportJson<'a> {
    scenario: &'a str,
    outcome: &'static str,
    states: u64,
    transitions: u64,
    complete: bool,
    /// What stopped the search early: `max_states`, `preemption_bound`,
    /// `max_memory`, `interrupted`.
    stopped_by: Option<&'static str>,
    depth: u32,
    /// The schedules assume the reduced model (docs/check.md).
    reduced: bool,
    deadlock_expected: bool,
    counterexample: Option<ProblemJson<'a>>,
    problems: Vec<ProblemJson<'a>>,
    bytes_per_state: f64,
    elapsed_ms: u64,
    /// The lock-order inversions of the scenario's own run, each settled.
    lock_order: Vec<InversionJson>,
}

/// An inversion in the JSON report.
#[derive(Debug, Serialize)]
struct InversionJson {
    text: String,
    tasks: Vec<String>,
    locks: Vec<String>,
    guarded_by: Vec<String>,
    /// `true`: a deadlock closes it (`problem` is its index); `false`: a
    /// complete search found none; `null`: the search was not complete.
    reachable: Option<bool>,
    problem: Option<usize>,
}

fn inversions_json(catalog: &Catalog, found: &[check::Witnessed]) -> Vec<InversionJson> {
    found
        .iter()
        .map(|w| {
            let inv = &w.inversion;
            let names = |ids: &[crate::event::ResourceId]| {
                ids.iter()
                    .map(|&r| catalog.resource_name(r).to_string())
                    .collect()
            };
            InversionJson {
                text: crate::analysis::inversion_text(catalog, inv),
                tasks: inv
                    .tasks()
                    .iter()
                    .map(|&t| catalog.task_name(t).to_string())
                    .collect(),
                locks: names(&inv.locks()),
                guarded_by: names(&inv.guards),
                reachable: match w.reach {
                    check::Reach::Witness(_) => Some(true),
                    check::Reach::Unreachable => Some(false),
                    check::Reach::Unknown => None,
                },
                problem: match w.reach {
                    check::Reach::Witness(i) => Some(i),
                    _ => None,
                },
            }
        })
        .collect()
}

fn problem_json<'a>(catalog: &'a Catalog, p: &'a Problem) -> ProblemJson<'a> {
    ProblemJson {
        kind: p.kind.name(),
        length: p.schedule.len(),
        schedule: p.schedule.iter().map(|&t| catalog.task_name(t)).collect(),
        what: &p.what,
        end_tick: p.end_tick,
    }
}

fn report_json<'a>(
    catalog: &'a Catalog,
    v: &'a Verdict,
    found: &[check::Witnessed],
) -> ReportJson<'a> {
    ReportJson {
        scenario: &catalog.scenario,
        outcome: v.outcome().map_or("ok", |k| k.name()),
        states: v.states,
        transitions: v.transitions,
        complete: v.complete(),
        stopped_by: v.bound.map(|b| match b {
            Bound::States(_) => "max_states",
            Bound::Preemptions(_) => "preemption_bound",
            Bound::Memory(_) => "max_memory",
            Bound::Interrupted => "interrupted",
            Bound::FirstProblem => "first_problem",
        }),
        depth: v.depth,
        reduced: v.reduced,
        deadlock_expected: v.deadlock_expected,
        counterexample: v.counterexample().map(|p| problem_json(catalog, p)),
        problems: v
            .problems
            .iter()
            .map(|p| problem_json(catalog, p))
            .collect(),
        bytes_per_state: (v.bytes_per_state * 10.0).round() / 10.0,
        elapsed_ms: v.elapsed.as_millis() as u64,
        lock_order: inversions_json(catalog, found),
    }
}

/// Runs `weft check`.
pub fn check(file: &str, flags: &Flags) -> Result<i32, Failure> {
    let scenario = load::scenario(file)?;
    let stop = Arc::new(AtomicBool::new(false));
    #[cfg(unix)]
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        let _ = signal_hook::flag::register(signal, Arc::clone(&stop));
    }
    let tty = std::io::stderr().is_terminal();
    let mut shown = false;
    let mut next_line = 5;
    let mut progress = |p: &check::Progress| {
        if flags.quiet {
            return;
        }
        let rate = p.states as f64 / p.elapsed.as_secs_f64().max(1e-9);
        let line = format!(
            "checking: {} states, {:.0} states/s, depth {}, queue {}",
            p.states, rate, p.depth, p.queue
        );
        let mut err = std::io::stderr();
        if tty {
            let _ = write!(err, "\r{line}\x1b[K");
            shown = true;
        } else if p.elapsed.as_secs() >= next_line {
            next_line = p.elapsed.as_secs() + 5;
            let _ = writeln!(err, "{line}");
        }
    };
    let (verdict, catalog) = check::check(&scenario, &flags.options, &stop, &mut progress);
    if shown {
        let _ = write!(std::io::stderr(), "\r\x1b[K");
    }
    let found = check::inversions(&scenario, &flags.options.sim, &verdict);
    if let Some(path) = &flags.save {
        save(path, &catalog, &verdict)?;
    }
    if flags.json {
        let text = serde_json::to_string_pretty(&report_json(&catalog, &verdict, &found))
            .map_err(|e| Failure::Internal(e.to_string()))?;
        let _ = writeln!(anstream::stdout(), "{text}");
    } else {
        let mut text = render(&scenario, &flags.options, &catalog, &verdict);
        text.push_str(&render_inversions(&catalog, &verdict, &found));
        let _ = write!(anstream::stdout(), "{text}");
    }
    if verdict.bound == Some(Bound::Interrupted) {
        let _ = writeln!(
            anstream::stderr(),
            "weft: the search was interrupted; the result above is partial"
        );
    }
    let code = match (verdict.exit_code(), verdict.bound) {
        (0, Some(Bound::Interrupted)) => 130,
        (code, _) => code,
    };
    if flags.tui {
        if let Some(p) = verdict.counterexample() {
            let options = replay(&flags.options.sim, p.schedule.clone(), verdict.reduced);
            super::tui::open_scenario(scenario, options, flags.mouse)?;
        }
    }
    Ok(code)
}

/// The simulator's options to replay `schedule`, with its choices recorded
/// (they are marked on the timeline).
fn replay(base: &crate::sim::Options, schedule: Vec<TaskId>, reduced: bool) -> crate::sim::Options {
    crate::sim::Options {
        record_choices: true,
        ..check::replay_options(base, schedule, reduced)
    }
}

/// The text of a verdict: the answer, the counts, each problem's steps.
fn render(scenario: &Scenario, options: &check::Options, catalog: &Catalog, v: &Verdict) -> String {
    let mut s = String::new();
    let how = match v.bound {
        None => "every schedule".to_string(),
        Some(Bound::States(n)) => format!("stopped at --max-states {n}"),
        Some(Bound::Preemptions(k)) => format!("schedules with at most {k} preemptions"),
        Some(Bound::Memory(b)) => format!(
            "stopped at --max-memory {} MiB, taken by the visited states and the queue of states to expand: --hash-compact shrinks the first, --dfs the second",
            b >> 20
        ),
        Some(Bound::Interrupted) => "interrupted".to_string(),
        Some(Bound::FirstProblem) => "stopped at the first problem".to_string(),
    };
    let secs = v.elapsed.as_secs_f64();
    s.push_str(&format!("check: {}\n", catalog.scenario));
    s.push_str(&format!(
        "  explored {} states, {} transitions, depth {} ({how}) in {secs:.2} s, {:.0} states/s{}\n",
        v.states,
        v.transitions,
        v.depth,
        v.states as f64 / secs.max(1e-9),
        match (v.reduced, v.depth_first) {
            (true, false) => "",
            (false, false) => ", unreduced",
            (true, true) => ", depth-first",
            (false, true) => ", unreduced, depth-first",
        },
    ));
    let verdict = match v.outcome() {
        None if v.complete() => {
            "ok: no schedule deadlocks, stalls, fails or breaks [expect]".to_string()
        }
        None => "ok so far: nothing found, but the search was not complete".to_string(),
        Some(check::ProblemKind::Deadlock) if v.deadlock_expected => {
            "deadlock: a deadlock is reachable, as [expect] says".to_string()
        }
        Some(kind) => format!(
            "{}: {} problem{} found",
            kind.name(),
            v.problems.len(),
            if v.problems.len() == 1 { "" } else { "s" }
        ),
    };
    s.push_str(&format!("  verdict: {verdict}\n"));
    for (n, p) in v.problems.iter().enumerate() {
        s.push_str(&format!(
            "\nproblem {}: {} — {}\n",
            n + 1,
            p.kind.name(),
            p.what
        ));
        if p.schedule.is_empty() && p.kind == check::ProblemKind::Expectation && p.end_tick == 0 {
            continue;
        }
        let told = check::tell(scenario, &options.sim, &p.schedule, v.reduced);
        s.push_str(&format!(
            "  {}: {} step{}\n",
            if v.depth_first {
                "schedule (depth-first: not the shortest)"
            } else {
                "shortest schedule"
            },
            p.schedule.len(),
            if p.schedule.len() == 1 { "" } else { "s" }
        ));
        for (k, step) in told.steps.iter().enumerate() {
            let did = if step.did.is_empty() {
                String::new()
            } else {
                format!(": {}", step.did.join("; "))
            };
            s.push_str(&format!("  {}. {}{did}\n", k + 1, step.how));
        }
        if let Some((tick, outcome)) = told.end {
            s.push_str(&format!("  → {} at tick {tick}\n", outcome.name()));
        }
    }
    if let Some(p) = v.counterexample() {
        let names: Vec<&str> = p.schedule.iter().map(|&t| catalog.task_name(t)).collect();
        s.push_str(&format!(
            "\nreplay it: weft check {} --save cex.json, then weft run {} --schedule cex.json\n  schedule: {}\n",
            catalog.path,
            catalog.path,
            names.join(" ")
        ));
    }
    s
}

/// The lock-order section: each inversion of the scenario's own run and
/// whether a schedule closes it.
fn render_inversions(catalog: &Catalog, v: &Verdict, found: &[check::Witnessed]) -> String {
    if found.is_empty() {
        return String::new();
    }
    let mut s = format!(
        "\nlock order (from the scenario's own run): {} inversion{}\n",
        found.len(),
        if found.len() == 1 { "" } else { "s" }
    );
    for w in found {
        s.push_str(&format!(
            "  {}\n",
            crate::analysis::inversion_text(catalog, &w.inversion)
        ));
        let verdict = match w.reach {
            check::Reach::Witness(i) => format!(
                "reachable: problem {} is its deadlock ({} steps)",
                i + 1,
                v.problems[i].schedule.len()
            ),
            check::Reach::Unreachable if w.inversion.is_guarded() => {
                "unreachable: no schedule deadlocks on it (a gate lock keeps it from closing)"
                    .to_string()
            }
            check::Reach::Unreachable => "unreachable: no schedule deadlocks on it".to_string(),
            check::Reach::Unknown => {
                "not settled: the search was not complete and found no deadlock on it".to_string()
            }
        };
        s.push_str(&format!("    → {verdict}\n"));
    }
    s
}

/// Writes the counterexample (or an empty schedule when there is none).
fn save(path: &Path, catalog: &Catalog, v: &Verdict) -> Result<(), Failure> {
    #[derive(Serialize)]
    struct Saved<'a> {
        scenario: &'a str,
        reduced: bool,
        counterexample: Option<ProblemJson<'a>>,
    }
    let saved = Saved {
        scenario: &catalog.scenario,
        reduced: v.reduced,
        counterexample: v.counterexample().map(|p| problem_json(catalog, p)),
    };
    let text =
        serde_json::to_string_pretty(&saved).map_err(|e| Failure::Internal(e.to_string()))?;
    std::fs::write(path, text + "\n")
        .map_err(|e| Failure::BadInput(format!("{}: {e}", path.display())))
}

/// A schedule file: a check report, a saved counterexample, a problem, or
/// a list of task names. Returns the names and whether the model is reduced.
fn read_schedule(path: &Path) -> Result<(Vec<String>, bool), Failure> {
    let bad = |what: String| Failure::BadInput(format!("{}: {what}", path.display()));
    let text = std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        bad(format!(
            "not JSON ({e}); expected weft check's --json report or --save file"
        ))
    })?;
    let reduced = value
        .get("reduced")
        .and_then(serde_json::Value::as_bool)
        .unwrap_or(true);
    let list = match &value {
        serde_json::Value::Array(_) => Some(&value),
        serde_json::Value::Object(o) => match o.get("counterexample") {
            Some(serde_json::Value::Null) => {
                return Err(bad(
                    "it has no counterexample (the check found no problem)".into()
                ))
            }
            Some(c) => c.get("schedule"),
            None => o.get("schedule"),
        },
        _ => None,
    };
    let Some(serde_json::Value::Array(items)) = list else {
        return Err(bad(
            "no schedule in it; expected weft check's --json report, its --save file, \
             or a list of task names"
                .into(),
        ));
    };
    let names = items
        .iter()
        .map(|v| v.as_str().map(str::to_string))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| bad("a schedule is a list of task names (strings)".into()))?;
    Ok((names, reduced))
}

/// Runs `weft run FILE --schedule FILE.json`.
pub fn run_schedule(
    file: &str,
    schedule: &Path,
    headless: bool,
    json: bool,
    record: Option<&Path>,
    mouse: bool,
    flags: &RunFlags,
) -> Result<i32, Failure> {
    if flags.engine == super::EngineKind::Live {
        return Err(Failure::BadInput(
            "--schedule replays a schedule on the simulator; drop --engine live".into(),
        ));
    }
    let base = super::commands::options(flags)?;
    let scenario = load::scenario(file)?;
    let (names, reduced) = read_schedule(schedule)?;
    let (_, catalog) = crate::sim::build(&scenario, &base);
    let mut ids = Vec::with_capacity(names.len());
    for name in &names {
        let id = catalog
            .tasks
            .iter()
            .position(|t| &t.name == name)
            .ok_or_else(|| {
                let tasks: Vec<&str> = catalog.tasks.iter().map(|t| t.name.as_str()).collect();
                Failure::BadInput(format!(
                    "{}: the schedule names task `{name}`, which {} does not have (its tasks: {})",
                    schedule.display(),
                    file,
                    tasks.join(", ")
                ))
            })?;
        ids.push(TaskId(id as u32));
    }
    let told = check::tell(&scenario, &base, &ids, reduced);
    if let Some(k) = told.diverged {
        let _ = writeln!(
            anstream::stderr(),
            "warning: the schedule does not fit this scenario from step {}: `{}` cannot run there \
             (was it made for another version of the file?); the first option is taken from there",
            k + 1,
            names[k]
        );
    }
    let options = replay(&base, ids, reduced);
    if super::commands::opens_tui(headless, json) && record.is_none() {
        return super::tui::open_scenario(scenario, options, mouse);
    }
    let (trace, _) = load::run_headless(&scenario, &options, record)?;
    if super::commands::opens_tui(headless, json) {
        drop(trace);
        return super::tui::open_scenario(scenario, options, mouse);
    }
    super::commands::print_report(&trace, json)
}
