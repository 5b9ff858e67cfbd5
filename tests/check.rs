//! `weft check`: its verdicts on the classic models, counterexamples that
//! replay to their problem (in the library and through the binary), the
//! shortest schedules against a brute-force walk of every schedule, the
//! reduced search against the full one, the bounds, and bad input.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::AtomicBool;

use proptest::prelude::*;
use serde_json::Value;
use weft::check::{self, Bound, Problem, ProblemKind, Verdict};
use weft::event::{Catalog, DeadlockRule, Event, EventKind, Outcome};
use weft::scenario::Scenario;
use weft::sim::Sim;

use crate::common;

// ---------------------------------------------------------------------------
// Searching, judging and replaying
// ---------------------------------------------------------------------------

/// A scenario of `scenarios/`.
fn lesson(file: &str) -> Scenario {
    let path = format!("{}/scenarios/{file}", env!("CARGO_MANIFEST_DIR"));
    let src = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    weft::scenario::parse(file, &src).unwrap_or_else(|d| panic!("{}", d.render(false)))
}

/// The text of `scenarios/FILE`.
fn lesson_text(file: &str) -> String {
    let path = format!("{}/scenarios/{file}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Options with a state bound that none of these small scenarios reaches.
fn options(reduce: bool) -> check::Options {
    check::Options {
        reduce,
        max_states: 200_000,
        ..check::Options::default()
    }
}

fn check_with(scenario: &Scenario, options: &check::Options) -> (Verdict, Catalog) {
    let stop = AtomicBool::new(false);
    check::check(scenario, options, &stop, &mut |_| {})
}

/// The reduced search, which must see every state.
fn check_all(scenario: &Scenario) -> (Verdict, Catalog) {
    let (v, c) = check_with(scenario, &options(true));
    assert!(v.complete(), "{}: stopped by {:?}", c.scenario, v.bound);
    (v, c)
}

fn kinds(v: &Verdict) -> BTreeSet<ProblemKind> {
    v.problems.iter().map(|p| p.kind).collect()
}

/// The outcome `[expect]` asks for (completed when it says nothing).
fn wanted(catalog: &Catalog) -> Outcome {
    catalog
        .expect
        .as_ref()
        .and_then(|e| e.outcome)
        .unwrap_or(Outcome::Completed)
}

/// The `final` checks of `[expect]` that do not hold with `vars`.
fn broken_checks(catalog: &Catalog, vars: &[i64]) -> Vec<String> {
    let checks = catalog.expect.as_ref().map_or(&[][..], |e| &e.checks[..]);
    checks
        .iter()
        .filter(|c| !c.lhs(vars).is_some_and(|v| c.op.holds(v, c.value)))
        .map(|c| c.text.clone())
        .collect()
}

/// How an end with `outcome` and the main process's `vars` is judged, by
/// the rules of CLI.md and docs/semantics.md: the problem's kind, and for a
/// broken expectation what broke (the outcome reached, or the checks).
fn judge(catalog: &Catalog, outcome: Outcome, vars: &[i64]) -> Option<(ProblemKind, String)> {
    let wanted = wanted(catalog);
    let kind = match outcome {
        Outcome::Deadlock => Some(ProblemKind::Deadlock),
        Outcome::Stalled if wanted != Outcome::Stalled => Some(ProblemKind::Stalled),
        Outcome::Timeout if wanted != Outcome::Timeout => Some(ProblemKind::Timeout),
        Outcome::Failed if wanted != Outcome::Failed => Some(ProblemKind::Failed),
        _ => None,
    };
    if let Some(kind) = kind {
        return Some((kind, kind.name().to_string()));
    }
    if wanted == Outcome::Deadlock {
        return None;
    }
    if outcome != wanted {
        return Some((ProblemKind::Expectation, format!("ends {}", outcome.name())));
    }
    let broken = broken_checks(catalog, vars);
    if broken.is_empty() {
        None
    } else {
        Some((ProblemKind::Expectation, broken.join("; ")))
    }
}

/// What an expectation problem says broke, in `judge`'s words.
fn expectation_key(catalog: &Catalog, p: &Problem) -> String {
    if let Some(rest) = p.what.strip_prefix("the run ends ") {
        let outcome = rest.split(',').next().unwrap_or(rest);
        return format!("ends {outcome}");
    }
    let checks = catalog.expect.as_ref().map_or(&[][..], |e| &e.checks[..]);
    checks
        .iter()
        .filter(|c| p.what.contains(&format!("{} does not hold", c.text)))
        .map(|c| c.text.clone())
        .collect::<Vec<_>>()
        .join("; ")
}

/// A replayed schedule: the run at its end and every event.
struct Replayed {
    sim: Sim,
    events: Vec<Event>,
}

/// Replays `schedule` choice by choice in the explored model, checking that
/// each task chosen is an option where it is chosen, and that the run ends
/// right after the last choice.
fn replay_exactly(
    scenario: &Scenario,
    schedule: &[weft::event::TaskId],
    reduced: bool,
) -> Replayed {
    let options = weft::sim::Options {
        explore: true,
        suspend: true,
        unreduced: !reduced,
        ..weft::sim::Options::default()
    };
    let (mut sim, catalog) = weft::sim::build(scenario, &options);
    let mut events = Vec::new();
    sim.run_to_choice(&mut events);
    for (k, want) in schedule.iter().enumerate() {
        let point = sim
            .pending()
            .unwrap_or_else(|| panic!("the run ended before step {} of {schedule:?}", k + 1))
            .clone();
        let i = point
            .options
            .iter()
            .position(|t| t == want)
            .unwrap_or_else(|| {
                panic!(
                    "step {}: {} is not an option of {:?}",
                    k + 1,
                    catalog.task_name(*want),
                    point
                )
            });
        sim.answer(i);
        sim.run_to_choice(&mut events);
    }
    assert!(
        sim.pending().is_none() && sim.outcome().is_some(),
        "the run goes on after the schedule {schedule:?}"
    );
    Replayed { sim, events }
}

/// Checks that every problem of `v` replays to what it says, both through
/// `replay_options` and choice by choice, and returns how many were replayed.
fn assert_problems_replay(scenario: &Scenario, v: &Verdict, catalog: &Catalog) -> usize {
    let base = weft::sim::Options::default();
    let mut replayed = 0;
    for p in &v.problems {
        if p.schedule.is_empty() && p.kind == ProblemKind::Expectation && p.end_tick == 0 {
            // "no schedule deadlocks": nothing to replay.
            continue;
        }
        let options = check::replay_options(&base, p.schedule.clone(), v.reduced);
        let (_, events) = weft::sim::simulate(scenario, &options);
        let end = match events.last().map(|e| &e.kind) {
            Some(EventKind::End { outcome }) => *outcome,
            other => panic!("{}: the replay ends with {other:?}", p.what),
        };
        let (mut sim, _) = weft::sim::build(scenario, &options);
        let mut again = Vec::new();
        sim.run(&mut again);
        assert_eq!(again, events, "the same options run the same way");
        let exact = replay_exactly(scenario, &p.schedule, v.reduced);
        assert_eq!(exact.sim.outcome(), Some(end), "{}", p.what);
        assert_eq!(exact.sim.tick(), p.end_tick, "{}: end tick", p.what);
        assert_eq!(
            exact.sim.main_vars(),
            sim.main_vars(),
            "{}: the two replays end with other values",
            p.what
        );
        let judged = judge(catalog, end, sim.main_vars());
        let (kind, key) = judged.unwrap_or_else(|| {
            panic!(
                "{}: the replay ends {} with {:?}, which is no problem",
                p.what,
                end.name(),
                sim.main_vars()
            )
        });
        assert_eq!(kind, p.kind, "{}: replayed to {key}", p.what);
        match p.kind {
            ProblemKind::Deadlock => assert_eq!(end, Outcome::Deadlock),
            ProblemKind::Stalled => assert_eq!(end, Outcome::Stalled),
            ProblemKind::Timeout => assert_eq!(end, Outcome::Timeout),
            ProblemKind::Failed => assert_eq!(end, Outcome::Failed),
            ProblemKind::Expectation => {
                assert_eq!(key, expectation_key(catalog, p), "{}", p.what)
            }
        }
        replayed += 1;
    }
    replayed
}

/// Runs the binary in the crate's folder.
fn weft(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_weft"))
        .args(args)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")))
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON ({e})\nstdout: {}\nstderr: {}",
            String::from_utf8_lossy(&o.stdout),
            stderr(o)
        )
    })
}

/// `weft check ARGS --json --quiet`: the exit code and the report.
fn check_json(args: &[&str]) -> (Option<i32>, Value) {
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--json", "--quiet"]);
    let o = weft(&all);
    (o.status.code(), json(&o))
}

/// A fresh scratch folder under the target directory.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("check-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

/// Writes `src` to `dir/name` and returns the path as a string.
fn write(dir: &Path, name: &str, src: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, src).unwrap();
    path.to_string_lossy().into_owned()
}

// ---------------------------------------------------------------------------
// Scenarios
// ---------------------------------------------------------------------------

/// Two `counter += 1` on one CPU: only a switch between a read and its
/// write loses an update.
const LOST_UPDATE: &str = r#"
[scenario]
name = "lost update"
[machine]
cpus = 1
[vars]
counter = 0
[[task]]
name = "t1"
script = "incr counter"
[[task]]
name = "t2"
script = "incr counter"
[expect]
final = ["counter == 2"]
"#;

/// ABBA without a sleep: it deadlocks only when t1 is preempted between its
/// two acquires.
const ABBA_TIGHT: &str = r#"
[scenario]
name = "tight ABBA"
[vars]
done = 0
[locks]
A = "mutex"
B = "mutex"
[[task]]
name = "t1"
script = """
acquire A
acquire B
release B
release A
atomic_incr done
"""
[[task]]
name = "t2"
script = """
acquire B
acquire A
release A
release B
atomic_incr done
"""
[expect]
final = ["done == 2"]
"#;

/// Two tasks that each need both permits of S: each holding one and asking
/// for the other is a knot (each could be freed by the other, who waits too).
const KNOT: &str = r#"
[scenario]
name = "semaphore knot"
[semaphores]
S = 2
[[task]]
name = "w"
count = 2
script = """
acquire S
acquire S
release S
release S
"""
"#;

/// A condition used as a bare signal, with both tasks starting together: the
/// notify is lost when the producer goes first.
const RACY_WAKEUP: &str = r#"
[scenario]
name = "racy lost wakeup"
[vars]
data = 0
[locks]
m = "mutex"
[conditions]
c = { lock = "m" }
[[task]]
name = "producer"
script = """
acquire m
write data = 1
notify c
release m
"""
[[task]]
name = "consumer"
script = """
acquire m
wait c
release m
"""
"#;

/// RACY_WAKEUP with the consumer checking the data before it waits.
const FIXED_WAKEUP: &str = r#"
[scenario]
name = "checked wakeup"
[vars]
data = 0
[locks]
m = "mutex"
[conditions]
c = { lock = "m" }
[[task]]
name = "producer"
script = """
acquire m
write data = 1
notify c
release m
"""
[[task]]
name = "consumer"
script = """
acquire m
loop {
  read data
  if data != 0 { break }
  wait c
}
release m
"""
"#;

/// t1 releases a lock it does not hold when it sees the flag t2 raises.
const MISUSE: &str = r#"
[scenario]
name = "a release of a lock not held"
[vars]
flag = 0
[locks]
m = "mutex"
[[task]]
name = "t1"
script = """
read flag
if flag == 1 { release m }
"""
[[task]]
name = "t2"
script = """
write flag = 1
"""
"#;

/// A lock that guards one update but not the other, with time between.
const HALF_LOCKED: &str = r#"
[scenario]
name = "half locked"
[vars]
x = 0
seen = 0
[locks]
m = "mutex"
[[task]]
name = "t1"
script = """
acquire m
incr x
release m
sleep 1
print "t1 done"
"""
[[task]]
name = "t2"
script = """
incr x
compute 1
read x
write seen = x
"""
[expect]
final = ["x == 2", "seen == 2"]
"#;

/// `count` philosophers around `count` forks, each taking its left fork,
/// pausing, then its right one; `ordered`: the last one takes fork[0] first.
fn philosophers(count: u32, ordered: bool) -> String {
    let take = if ordered {
        format!(
            "if i == {} {{\n  acquire fork[i+1]\n  sleep 1\n  acquire fork[i]\n}} else {{\n  acquire fork[i]\n  sleep 1\n  acquire fork[i+1]\n}}",
            count - 1
        )
    } else {
        "acquire fork[i]\nsleep 1\nacquire fork[i+1]".to_string()
    };
    format!(
        r#"[scenario]
name = "philosophers {count}"
[machine]
cpus = 1
[vars]
meals = 0
[locks]
fork = {{ kind = "mutex", count = {count} }}
[[task]]
name = "p"
count = {count}
script = """
{take}
sleep 1
release fork[i+1]
release fork[i]
atomic_incr meals
"""
[expect]
final = ["meals == {count}"]
"#
    )
}

// ---------------------------------------------------------------------------
// 1. Verdicts on the classic models
// ---------------------------------------------------------------------------

#[test]
fn abba_deadlock_is_found_and_exits_3() {
    let (v, catalog) = check_all(&lesson("abba_deadlock.toml"));
    assert_eq!(v.outcome(), Some(ProblemKind::Deadlock));
    assert!(v.deadlock_expected);
    assert_eq!(v.exit_code(), 3);
    let cex = v.counterexample().expect("a counterexample");
    assert_eq!(cex.kind, ProblemKind::Deadlock);
    assert!(cex.what.contains("t1 -[B]-> t2"), "{}", cex.what);
    assert!(cex.what.contains("t2 -[A]-> t1"), "{}", cex.what);
    assert_eq!(
        assert_problems_replay(&lesson("abba_deadlock.toml"), &v, &catalog),
        1
    );

    let (code, r) = check_json(&["scenarios/abba_deadlock.toml"]);
    assert_eq!(code, Some(3));
    assert_eq!(r["scenario"], "ABBA deadlock");
    assert_eq!(r["outcome"], "deadlock");
    assert_eq!(r["complete"], true);
    assert!(r["stopped_by"].is_null());
    assert_eq!(r["states"], v.states);
    assert_eq!(r["counterexample"]["kind"], "deadlock");
    let schedule = r["counterexample"]["schedule"].as_array().unwrap();
    assert_eq!(r["counterexample"]["length"], schedule.len());
    assert_eq!(schedule.len(), cex.schedule.len());
    for (name, id) in schedule.iter().zip(&cex.schedule) {
        assert_eq!(name, catalog.task_name(*id));
    }
    assert_eq!(r["problems"].as_array().unwrap().len(), v.problems.len());
}

#[test]
fn abba_with_a_lock_order_is_ok() {
    let (v, _) = check_all(&lesson("abba_lock_order.toml"));
    assert_eq!(v.outcome(), None, "{:?}", v.problems);
    assert_eq!(v.exit_code(), 0);
    let (code, r) = check_json(&["scenarios/abba_lock_order.toml"]);
    assert_eq!(code, Some(0));
    assert_eq!(r["outcome"], "ok");
    assert_eq!(r["complete"], true);
    assert!(r["counterexample"].is_null());
    assert_eq!(r["problems"].as_array().unwrap().len(), 0);
}

#[test]
fn a_tight_abba_deadlocks_only_with_a_preemption() {
    let scenario = common::scenario(ABBA_TIGHT);
    let (v, catalog) = check_all(&scenario);
    assert_eq!(kinds(&v), BTreeSet::from([ProblemKind::Deadlock]));
    assert_eq!(assert_problems_replay(&scenario, &v, &catalog), 1);
    let bounded = check::Options {
        preemption_bound: Some(0),
        ..options(true)
    };
    let (v0, _) = check_with(&scenario, &bounded);
    assert_eq!(v0.outcome(), None, "{:?}", v0.problems);
    assert_eq!(v0.bound, Some(Bound::Preemptions(0)));
}

#[test]
fn philosophers_deadlock_around_3_4_and_5_forks() {
    for n in 3..=5 {
        let scenario = common::scenario(&philosophers(n, false));
        let (v, catalog) = check_all(&scenario);
        assert_eq!(
            v.outcome(),
            Some(ProblemKind::Deadlock),
            "{n}: {:?}",
            v.problems
        );
        assert_eq!(v.exit_code(), 3);
        let cex = v.counterexample().unwrap();
        // The ring goes through every philosopher.
        for k in 0..n {
            assert!(
                cex.what
                    .contains(&format!("p[{k}] -[fork[{}]]->", (k + 1) % n)),
                "{n}: {}",
                cex.what
            );
        }
        // Each deadlock is the whole ring: no smaller one exists.
        assert!(
            v.problems.iter().all(|p| p.kind == ProblemKind::Deadlock),
            "{n}: {:?}",
            v.problems
        );
        assert!(assert_problems_replay(&scenario, &v, &catalog) >= 1);
    }
}

#[test]
fn ordered_philosophers_never_deadlock() {
    for n in 3..=5 {
        let scenario = common::scenario(&philosophers(n, true));
        let (v, _) = check_all(&scenario);
        assert!(v.complete());
        assert_eq!(v.outcome(), None, "{n}: {:?}", v.problems);
        assert_eq!(v.exit_code(), 0);
        assert!(v.states > 10, "{n}: {} states", v.states);
    }
}

#[test]
fn the_philosophers_lesson_deadlocks() {
    let scenario = lesson("philosophers_deadlock.toml");
    let (v, catalog) = check_all(&scenario);
    assert_eq!(v.outcome(), Some(ProblemKind::Deadlock));
    assert!(v.deadlock_expected);
    assert!(assert_problems_replay(&scenario, &v, &catalog) >= 1);
}

#[test]
fn a_lost_update_on_one_cpu_is_an_expectation_that_replays_to_1() {
    let scenario = common::scenario(LOST_UPDATE);
    let (v, catalog) = check_all(&scenario);
    assert_eq!(v.outcome(), Some(ProblemKind::Expectation));
    assert_eq!(v.exit_code(), 4);
    assert_eq!(v.problems.len(), 1, "{:?}", v.problems);
    let cex = v.counterexample().unwrap();
    assert!(
        cex.what.contains("counter == 2 does not hold"),
        "{}",
        cex.what
    );
    assert!(cex.what.contains("counter = 1"), "{}", cex.what);
    let r = replay_exactly(&scenario, &cex.schedule, v.reduced);
    assert_eq!(r.sim.outcome(), Some(Outcome::Completed));
    assert_eq!(r.sim.main_vars(), &[1]);
    // Both tasks read 0 before either wrote.
    let reads: Vec<i64> = r
        .events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::VarRead { value, .. } => Some(value),
            _ => None,
        })
        .collect();
    assert_eq!(reads, [0, 0]);
    assert_eq!(assert_problems_replay(&scenario, &v, &catalog), 1);
}

#[test]
fn bank_overdraft_breaks_its_expectation_and_the_lock_fixes_it() {
    // The lesson expects the overdraft (balance -60), but a switch inside
    // `decr balance 80` loses a deduction: balance 20 with 160 paid.
    let scenario = lesson("bank_overdraft.toml");
    let (v, catalog) = check_all(&scenario);
    assert_eq!(kinds(&v), BTreeSet::from([ProblemKind::Expectation]));
    assert_eq!(v.exit_code(), 4);
    let cex = v.counterexample().unwrap();
    assert!(
        cex.what.contains("balance == -60 does not hold"),
        "{}",
        cex.what
    );
    assert!(!cex.what.contains("paid == 160"), "{}", cex.what);
    let r = replay_exactly(&scenario, &cex.schedule, v.reduced);
    let balance = catalog
        .vars
        .iter()
        .position(|x| x.name == "balance")
        .unwrap();
    let paid = catalog.vars.iter().position(|x| x.name == "paid").unwrap();
    assert_eq!(r.sim.main_vars()[paid], 160);
    assert_ne!(r.sim.main_vars()[balance], -60);
    assert_problems_replay(&scenario, &v, &catalog);

    // With the lock, every schedule ends as the lesson says.
    let (v, _) = check_all(&lesson("bank_with_lock.toml"));
    assert_eq!(v.outcome(), None, "{:?}", v.problems);

    // And the overdraft itself, when the final checks ask for a sound
    // account, is found.
    let sound = lesson_text("bank_overdraft.toml").replace(
        r#"final = ["balance == -60", "paid == 160"]"#,
        r#"final = ["balance >= 0"]"#,
    );
    assert!(sound.contains("balance >= 0"));
    let scenario = common::scenario(&sound);
    let (v, catalog) = check_all(&scenario);
    assert_eq!(v.outcome(), Some(ProblemKind::Expectation));
    let cex = v.counterexample().unwrap();
    assert!(cex.what.contains("balance = -60"), "{}", cex.what);
    assert_problems_replay(&scenario, &v, &catalog);
}

#[test]
fn the_lost_wakeup_lesson_always_stalls() {
    // Its [expect] says stalled, and every schedule stalls: the producer
    // has notified and ended before the consumer wakes at tick 2.
    let (v, _) = check_all(&lesson("lost_wakeup.toml"));
    assert_eq!(v.outcome(), None, "{:?}", v.problems);

    // Asked to complete, it is stalled, never deadlocked.
    let text = lesson_text("lost_wakeup.toml").replace(
        "outcome = \"stalled\"\nfinal = [\"data == 1\", \"received == 0\"]",
        "outcome = \"completed\"",
    );
    assert!(text.contains("outcome = \"completed\""));
    let scenario = common::scenario(&text);
    let (v, catalog) = check_all(&scenario);
    assert_eq!(
        kinds(&v),
        BTreeSet::from([ProblemKind::Stalled]),
        "{:?}",
        v.problems
    );
    assert_eq!(v.exit_code(), 4);
    let cex = v.counterexample().unwrap();
    assert!(
        cex.what.contains("consumer is stuck on wait c"),
        "{}",
        cex.what
    );
    assert_eq!(cex.end_tick, 2);
    assert_problems_replay(&scenario, &v, &catalog);

    let (v, _) = check_all(&lesson("lost_wakeup_fixed.toml"));
    assert_eq!(v.outcome(), None, "{:?}", v.problems);
}

#[test]
fn a_racy_lost_wakeup_stalls_on_some_schedules_and_the_check_fixes_it() {
    let scenario = common::scenario(RACY_WAKEUP);
    let (v, catalog) = check_all(&scenario);
    assert_eq!(
        kinds(&v),
        BTreeSet::from([ProblemKind::Stalled]),
        "{:?}",
        v.problems
    );
    let cex = v.counterexample().unwrap();
    assert!(
        cex.what.contains("consumer is stuck on wait c"),
        "{}",
        cex.what
    );
    assert_problems_replay(&scenario, &v, &catalog);
    // The consumer waiting first completes: the stall is a matter of schedule.
    let (catalog, events) = weft::sim::simulate(
        &scenario,
        &weft::sim::Options {
            explore: true,
            schedule: vec![weft::event::TaskId(1)],
            ..weft::sim::Options::default()
        },
    );
    assert!(
        matches!(
            events.last().map(|e| &e.kind),
            Some(EventKind::End {
                outcome: Outcome::Completed
            })
        ),
        "{}",
        catalog.scenario
    );

    let (v, _) = check_all(&common::scenario(FIXED_WAKEUP));
    assert_eq!(v.outcome(), None, "{:?}", v.problems);
}

#[test]
fn tasks_that_each_need_the_others_permit_are_a_knot() {
    let scenario = common::scenario(KNOT);
    let (v, catalog) = check_all(&scenario);
    assert_eq!(kinds(&v), BTreeSet::from([ProblemKind::Deadlock]));
    assert_eq!(v.exit_code(), 3);
    let cex = v.counterexample().unwrap();
    assert!(cex.what.contains("permit S"), "{}", cex.what);
    let r = replay_exactly(&scenario, &cex.schedule, v.reduced);
    let rule = r.events.iter().rev().find_map(|e| match &e.kind {
        EventKind::Deadlock { rule, cycle } => Some((*rule, cycle.len())),
        _ => None,
    });
    let (rule, edges) = rule.expect("a deadlock event");
    assert_eq!(rule, DeadlockRule::Knot);
    // Each of the two waits could be ended by either task.
    assert_eq!(edges, 4);
    assert_problems_replay(&scenario, &v, &catalog);

    // With a third permit nobody is ever stuck.
    let (v, _) = check_all(&common::scenario(&KNOT.replace("S = 2", "S = 3")));
    assert_eq!(v.outcome(), None, "{:?}", v.problems);
}

#[test]
fn a_failed_task_is_reported_as_failed() {
    let scenario = common::scenario(MISUSE);
    let (v, catalog) = check_all(&scenario);
    assert_eq!(
        kinds(&v),
        BTreeSet::from([ProblemKind::Failed]),
        "{:?}",
        v.problems
    );
    assert_eq!(v.exit_code(), 4);
    assert!(
        v.problems[0].what.contains("t1 fails"),
        "{}",
        v.problems[0].what
    );
    assert_problems_replay(&scenario, &v, &catalog);
}

// ---------------------------------------------------------------------------
// 2. Every counterexample replays, in the library and through the binary
// ---------------------------------------------------------------------------

#[test]
fn every_problem_replays_to_its_outcome() {
    let mut scenarios: Vec<Scenario> = [
        LOST_UPDATE,
        ABBA_TIGHT,
        KNOT,
        RACY_WAKEUP,
        MISUSE,
        HALF_LOCKED,
    ]
    .iter()
    .map(|s| common::scenario(s))
    .collect();
    scenarios.push(common::scenario(&philosophers(3, false)));
    for file in [
        "abba_deadlock.toml",
        "bank_overdraft.toml",
        "lost_update_preempt.toml",
    ] {
        scenarios.push(lesson(file));
    }
    let mut total = 0;
    for scenario in &scenarios {
        for reduce in [true, false] {
            let (v, catalog) = check_with(scenario, &options(reduce));
            assert!(v.complete(), "{}", catalog.scenario);
            assert_eq!(v.reduced, reduce);
            assert!(!v.problems.is_empty(), "{}", catalog.scenario);
            total += assert_problems_replay(scenario, &v, &catalog);
        }
    }
    assert!(total >= 2 * scenarios.len(), "{total}");
}

/// `weft check FILE --save F` then `weft run FILE --schedule F --headless
/// --json`, and the same with the `--json` report as the schedule file.
fn round_trip(dir: &Path, file: &str) {
    let saved = dir.join("cex.json").to_string_lossy().into_owned();
    let o = weft(&["check", file, "--save", &saved, "--quiet"]);
    let code = o.status.code();
    assert!(
        matches!(code, Some(3 | 4)),
        "{file}: {code:?} {}",
        stderr(&o)
    );
    let text = std::fs::read_to_string(&saved).unwrap();
    let saved_json: Value = serde_json::from_str(&text).unwrap();
    let kind = saved_json["counterexample"]["kind"]
        .as_str()
        .unwrap_or_else(|| panic!("{file}: {text}"))
        .to_string();

    let (report_code, report) = check_json(&[file]);
    assert_eq!(report_code, code, "{file}");
    assert_eq!(
        report["counterexample"], saved_json["counterexample"],
        "{file}"
    );
    let report_path = write(dir, "report.json", &report.to_string());

    for schedule in [&saved, &report_path] {
        let o = weft(&["run", file, "--schedule", schedule, "--headless", "--json"]);
        assert_eq!(o.status.code(), code, "{file} {schedule}: {}", stderr(&o));
        assert!(!stderr(&o).contains("warning"), "{}", stderr(&o));
        let run = json(&o);
        match kind.as_str() {
            "expectation" => {
                let expect = &run["expect"];
                let broken = expect["final"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|c| c["ok"] == false);
                assert!(expect["outcome_ok"] == false || broken, "{file}: {expect}");
            }
            other => assert_eq!(run["outcome"], other, "{file}"),
        }
        assert_eq!(
            run["end_tick"], saved_json["counterexample"]["end_tick"],
            "{file}"
        );
    }
}

#[test]
fn saved_counterexamples_replay_through_the_binary() {
    let dir = scratch("round-trip");
    for file in [
        "scenarios/abba_deadlock.toml",
        "scenarios/bank_overdraft.toml",
    ] {
        round_trip(&dir, file);
    }
    for (name, src) in [
        ("lost_update.toml", LOST_UPDATE),
        ("knot.toml", KNOT),
        ("racy_wakeup.toml", RACY_WAKEUP),
        ("misuse.toml", MISUSE),
    ] {
        let file = write(&dir, name, src);
        round_trip(&dir, &file);
    }
}

#[test]
fn a_replayed_lost_update_shows_counter_1() {
    let dir = scratch("lost-update");
    let file = write(&dir, "lost_update.toml", LOST_UPDATE);
    let saved = dir.join("cex.json").to_string_lossy().into_owned();
    let o = weft(&["check", &file, "--save", &saved, "--quiet"]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    let o = weft(&["run", &file, "--schedule", &saved, "--headless", "--json"]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    let run = json(&o);
    assert_eq!(run["outcome"], "completed");
    assert_eq!(run["vars"]["counter"], 1);
    assert_eq!(run["expect"]["final"][0]["ok"], false);
}

// ---------------------------------------------------------------------------
// 3. Breadth-first schedules are shortest: a brute-force walk of every one
// ---------------------------------------------------------------------------

/// What a walk of every schedule found.
#[derive(Debug, Default)]
struct Walk {
    /// The fewest choices to each kind of problem.
    shortest: BTreeMap<ProblemKind, usize>,
    /// What broke, for each broken expectation.
    expectations: BTreeSet<String>,
    /// Ends reached (schedules walked).
    ends: usize,
    /// Outcomes reached, problems or not.
    outcomes: BTreeSet<&'static str>,
}

/// At most this many schedules a walk: the scenarios below stay far under.
const MAX_WALK: usize = 200_000;

/// Walks every schedule of the explored model depth-first, cloning the run
/// at each choice.
fn walk(scenario: &Scenario, reduce: bool) -> Walk {
    walk_within(scenario, reduce, MAX_WALK).expect("too many schedules to walk")
}

/// The walk, or `None` when there are more than `limit` schedules.
fn walk_within(scenario: &Scenario, reduce: bool, limit: usize) -> Option<Walk> {
    let options = weft::sim::Options {
        explore: true,
        suspend: true,
        unreduced: !reduce,
        ..weft::sim::Options::default()
    };
    let (mut sim, catalog) = weft::sim::build(scenario, &options);
    let mut events = Vec::new();
    sim.run_to_choice(&mut events);
    let mut w = Walk::default();
    if !walk_from(&catalog, sim, 0, limit, &mut w) {
        return None;
    }
    if wanted(&catalog) == Outcome::Deadlock && !w.shortest.contains_key(&ProblemKind::Deadlock) {
        w.shortest.insert(ProblemKind::Expectation, 0);
        w.expectations.insert("no deadlock".into());
    }
    Some(w)
}

/// False when the walk went past `limit` ends.
fn walk_from(catalog: &Catalog, sim: Sim, depth: usize, limit: usize, w: &mut Walk) -> bool {
    if let Some(outcome) = sim.outcome() {
        w.ends += 1;
        w.outcomes.insert(outcome.name());
        if let Some((kind, key)) = judge(catalog, outcome, sim.main_vars()) {
            let best = w.shortest.entry(kind).or_insert(depth);
            *best = (*best).min(depth);
            if kind == ProblemKind::Expectation {
                w.expectations.insert(key);
            }
        }
        return w.ends <= limit;
    }
    let n = sim
        .pending()
        .expect("a run that has not ended stops at a choice")
        .options
        .len();
    assert!(n >= 2, "a choice of one option");
    let mut events = Vec::new();
    for i in 0..n {
        let mut next = sim.clone();
        next.answer(i);
        events.clear();
        next.run_to_choice(&mut events);
        if !walk_from(catalog, next, depth + 1, limit, w) {
            return false;
        }
    }
    true
}

/// The check's verdict agrees with the walk: the same kinds of problem, each
/// at the same shortest length, the same broken expectations.
fn assert_agrees_with_walk(scenario: &Scenario, reduce: bool) -> Walk {
    let w = walk(scenario, reduce);
    assert_agrees(scenario, reduce, &w);
    w
}

fn assert_agrees(scenario: &Scenario, reduce: bool, w: &Walk) {
    let (v, catalog) = check_with(scenario, &options(reduce));
    assert!(v.complete(), "{}", catalog.scenario);
    assert!(v.problems.len() < check::MAX_PROBLEMS);
    let name = format!("{} (reduce {reduce})", catalog.scenario);
    assert_eq!(
        kinds(&v),
        w.shortest.keys().copied().collect(),
        "{name}: {:?}",
        v.problems
    );
    for (kind, &len) in &w.shortest {
        let found = v
            .problems
            .iter()
            .filter(|p| p.kind == *kind)
            .map(|p| p.schedule.len())
            .min();
        assert_eq!(found, Some(len), "{name}: shortest {kind:?}");
    }
    if let Some(cex) = v.counterexample() {
        assert_eq!(cex.kind, *w.shortest.keys().next().unwrap());
        assert_eq!(cex.schedule.len(), w.shortest[&cex.kind], "{name}");
    }
    let expectations: BTreeSet<String> = v
        .problems
        .iter()
        .filter(|p| p.kind == ProblemKind::Expectation)
        .map(|p| {
            if p.schedule.is_empty() && p.end_tick == 0 && p.what.contains("no schedule deadlocks")
            {
                "no deadlock".to_string()
            } else {
                expectation_key(&catalog, p)
            }
        })
        .collect();
    assert_eq!(expectations, w.expectations, "{name}");
}

#[test]
fn shortest_schedules_match_a_brute_force_walk() {
    let three_increments = r#"
[scenario]
name = "three increments"
[vars]
counter = 0
[[task]]
name = "t"
count = 3
script = "incr counter"
[expect]
final = ["counter == 3", "counter >= 2"]
"#;
    let stalled_expected = RACY_WAKEUP.replace(
        "[[task]]\nname = \"producer\"",
        "[expect]\noutcome = \"stalled\"\n[[task]]\nname = \"producer\"",
    );
    assert!(stalled_expected.contains("outcome = \"stalled\""));
    let deadlock_expected = format!("{FIXED_WAKEUP}[expect]\noutcome = \"deadlock\"\n");
    let sources: Vec<String> = [
        LOST_UPDATE,
        ABBA_TIGHT,
        KNOT,
        RACY_WAKEUP,
        FIXED_WAKEUP,
        MISUSE,
        HALF_LOCKED,
        three_increments,
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([
        stalled_expected,
        deadlock_expected,
        philosophers(2, false),
        lesson_text("abba_deadlock.toml"),
        lesson_text("bank_overdraft.toml"),
    ])
    .collect();
    let mut seen_kinds = BTreeSet::new();
    for src in &sources {
        let scenario = common::scenario(src);
        for reduce in [true, false] {
            let w = assert_agrees_with_walk(&scenario, reduce);
            assert!(w.ends >= 2, "{}", scenario_name(src));
            seen_kinds.extend(w.shortest.keys().copied());
        }
    }
    // The scenarios above reach every kind but the timeout.
    assert_eq!(
        seen_kinds,
        BTreeSet::from([
            ProblemKind::Deadlock,
            ProblemKind::Stalled,
            ProblemKind::Failed,
            ProblemKind::Expectation
        ])
    );
}

fn scenario_name(src: &str) -> &str {
    src.lines()
        .find_map(|l| l.strip_prefix("name = "))
        .unwrap_or("?")
}

#[test]
fn the_walk_reaches_both_ends_of_a_race() {
    // The brute force itself sees what the check's verdict leaves out:
    // schedules that complete as well as the ones that break.
    let w = walk(&common::scenario(RACY_WAKEUP), true);
    assert_eq!(w.outcomes, BTreeSet::from(["completed", "stalled"]));
    let w = walk(&common::scenario(LOST_UPDATE), true);
    assert_eq!(w.outcomes, BTreeSet::from(["completed"]));
    assert_eq!(w.shortest.get(&ProblemKind::Expectation), Some(&4));
    // The unreduced model has at least as many schedules.
    let reduced = walk(&common::scenario(HALF_LOCKED), true).ends;
    let full = walk(&common::scenario(HALF_LOCKED), false).ends;
    assert!(reduced <= full, "{reduced} > {full}");
}

// ---------------------------------------------------------------------------
// 4. The reduced search gives the unreduced one's verdict
// ---------------------------------------------------------------------------

/// One operation of a generated script.
#[derive(Debug, Clone)]
enum Simple {
    Incr(u8),
    Read(u8),
    Write(u8),
    Print,
    Sleep,
    Compute,
}

/// A generated operation: a simple one, or a lock held around at most one.
#[derive(Debug, Clone)]
enum Gen {
    Op(Simple),
    /// `acquire L[first]`, then L[1 - first] too when `both`, the inner
    /// operation, and the releases in reverse.
    Locked {
        first: u8,
        both: bool,
        inner: Option<Simple>,
    },
}

fn simple() -> impl Strategy<Value = Simple> {
    prop_oneof![
        (0u8..2).prop_map(Simple::Incr),
        (0u8..2).prop_map(Simple::Read),
        (0u8..2).prop_map(Simple::Write),
        Just(Simple::Print),
        Just(Simple::Sleep),
        Just(Simple::Compute),
    ]
}

fn gen() -> impl Strategy<Value = Gen> {
    prop_oneof![
        3 => simple().prop_map(Gen::Op),
        2 => (0u8..2, any::<bool>(), prop::option::of(simple()))
            .prop_map(|(first, both, inner)| Gen::Locked { first, both, inner }),
    ]
}

fn simple_line(op: &Simple) -> String {
    let var = |v: &u8| if *v == 0 { "x" } else { "y" };
    match op {
        Simple::Incr(v) => format!("incr {}\n", var(v)),
        Simple::Read(v) => format!("read {}\n", var(v)),
        Simple::Write(v) => format!("write {0} = {0} + 1\n", var(v)),
        Simple::Print => "print \"x is {x}\"\n".into(),
        Simple::Sleep => "sleep 1\n".into(),
        Simple::Compute => "compute 1\n".into(),
    }
}

fn gen_script(ops: &[Gen]) -> String {
    let mut s = String::new();
    for op in ops {
        match op {
            Gen::Op(op) => s.push_str(&simple_line(op)),
            Gen::Locked { first, both, inner } => {
                let other = 1 - first;
                s.push_str(&format!("acquire L[{first}]\n"));
                if *both {
                    s.push_str(&format!("acquire L[{other}]\n"));
                }
                if let Some(op) = inner {
                    s.push_str(&simple_line(op));
                }
                if *both {
                    s.push_str(&format!("release L[{other}]\n"));
                }
                s.push_str(&format!("release L[{first}]\n"));
            }
        }
    }
    s
}

fn gen_scenario() -> impl Strategy<Value = String> {
    // Two tasks of 2 to 5 operations, or three of 2 or 3, with at most 16
    // lines in all: small enough that the unreduced search stays in the
    // thousands of states.
    let tasks = prop_oneof![
        prop::collection::vec(prop::collection::vec(gen(), 2..=5), 2),
        prop::collection::vec(prop::collection::vec(gen(), 2..=3), 3),
    ]
    .prop_filter("at most 16 lines", |tasks| {
        tasks
            .iter()
            .map(|ops| gen_script(ops).lines().count())
            .sum::<usize>()
            <= 16
    });
    (tasks, 0u8..4, 0u8..3, 1u8..3).prop_map(|(tasks, x, y, cpus)| {
        let mut s = format!(
            "[scenario]\nname = \"generated\"\n[machine]\ncpus = {cpus}\n[vars]\nx = 0\ny = 0\n[locks]\nL = {{ kind = \"mutex\", count = 2 }}\n"
        );
        for (i, ops) in tasks.iter().enumerate() {
            s.push_str(&format!(
                "[[task]]\nname = \"t{i}\"\nscript = \"\"\"\n{}\"\"\"\n",
                gen_script(ops)
            ));
        }
        s.push_str(&format!(
            "[expect]\nfinal = [\"x == {x}\", \"y <= {y}\"]\n"
        ));
        s
    })
}

proptest! {
    #![proptest_config(common::proptest_config(48))]

    #[test]
    fn the_reduced_search_finds_what_the_full_one_finds(src in gen_scenario()) {
        let scenario = common::scenario(&src);
        let (reduced, catalog) = check_with(&scenario, &options(true));
        let (full, _) = check_with(&scenario, &options(false));
        prop_assert!(reduced.complete() && full.complete(), "{:?} {:?}", reduced.bound, full.bound);
        prop_assert!(reduced.problems.len() < check::MAX_PROBLEMS);
        prop_assert!(full.problems.len() < check::MAX_PROBLEMS);
        prop_assert_eq!(kinds(&reduced), kinds(&full));
        // The same problems, told the same way. A broken expectation shows
        // the values of the first schedule found to break it, which the
        // two searches need not meet in the same order: those are compared
        // by the checks that broke.
        let whats = |v: &Verdict| -> BTreeSet<String> {
            v.problems
                .iter()
                .map(|p| match p.kind {
                    ProblemKind::Expectation => format!("broken: {}", expectation_key(&catalog, p)),
                    _ => p.what.clone(),
                })
                .collect()
        };
        prop_assert_eq!(whats(&reduced), whats(&full));
        prop_assert_eq!(reduced.problems.len(), full.problems.len());
        prop_assert!(
            reduced.states <= full.states,
            "reduced {} > unreduced {}",
            reduced.states,
            full.states
        );
        prop_assert_eq!(reduced.outcome(), full.outcome());
        prop_assert_eq!(reduced.exit_code(), full.exit_code());
        // And every schedule either found replays to its problem.
        assert_problems_replay(&scenario, &reduced, &catalog);
        assert_problems_replay(&scenario, &full, &catalog);
    }
}

/// Tiny generated scenarios: two or three tasks, at most 10 lines in all.
fn tiny_scenario() -> impl Strategy<Value = String> {
    (
        prop_oneof![
            prop::collection::vec(prop::collection::vec(gen(), 1..=3), 2),
            prop::collection::vec(prop::collection::vec(gen(), 1..=2), 3),
        ]
        .prop_filter("at most 10 lines", |tasks| {
            tasks
                .iter()
                .map(|ops| gen_script(ops).lines().count())
                .sum::<usize>()
                <= 10
        }),
        0u8..3,
        1u8..3,
    )
        .prop_map(|(tasks, x, cpus)| {
            let mut s = format!(
                "[scenario]\nname = \"tiny\"\n[machine]\ncpus = {cpus}\n[vars]\nx = 0\ny = 0\n[locks]\nL = {{ kind = \"mutex\", count = 2 }}\n"
            );
            for (i, ops) in tasks.iter().enumerate() {
                s.push_str(&format!(
                    "[[task]]\nname = \"t{i}\"\nscript = \"\"\"\n{}\"\"\"\n",
                    gen_script(ops)
                ));
            }
            s.push_str(&format!("[expect]\nfinal = [\"x == {x}\", \"y <= 1\"]\n"));
            s
        })
}

proptest! {
    #![proptest_config(common::proptest_config(48))]

    #[test]
    fn generated_shortest_schedules_match_a_brute_force_walk(src in tiny_scenario()) {
        let scenario = common::scenario(&src);
        for reduce in [true, false] {
            let walked = walk_within(&scenario, reduce, 20_000);
            prop_assume!(walked.is_some());
            assert_agrees(&scenario, reduce, &walked.unwrap());
        }
    }
}

// ---------------------------------------------------------------------------
// 5. Bounds: complete is false when a bound cut the search
// ---------------------------------------------------------------------------

#[test]
fn max_states_stops_the_search_incomplete() {
    let (code, r) = check_json(&["scenarios/philosophers_ordered.toml", "--max-states", "10"]);
    assert_eq!(code, Some(0));
    assert_eq!(r["complete"], false);
    assert_eq!(r["stopped_by"], "max_states");
    assert_eq!(r["outcome"], "ok");
    assert!(r["states"].as_u64().unwrap() <= 10, "{}", r["states"]);

    let bounded = check::Options {
        max_states: 10,
        ..options(true)
    };
    let (v, _) = check_with(&lesson("philosophers_ordered.toml"), &bounded);
    assert_eq!(v.bound, Some(Bound::States(10)));
    assert!(!v.complete());
    assert!(v.states <= 10);
}

#[test]
fn a_preemption_bound_of_0_misses_the_lost_update_and_1_finds_it() {
    let scenario = common::scenario(LOST_UPDATE);
    let with = |k| {
        check_with(
            &scenario,
            &check::Options {
                preemption_bound: Some(k),
                ..options(true)
            },
        )
    };
    let (v0, _) = with(0);
    assert_eq!(v0.outcome(), None, "{:?}", v0.problems);
    assert_eq!(v0.bound, Some(Bound::Preemptions(0)));
    assert!(!v0.complete());
    let (v1, catalog) = with(1);
    assert_eq!(v1.outcome(), Some(ProblemKind::Expectation));
    let cex = v1.counterexample().unwrap();
    let r = replay_exactly(&scenario, &cex.schedule, v1.reduced);
    assert_eq!(r.sim.main_vars(), &[1]);
    assert_problems_replay(&scenario, &v1, &catalog);
    // A bound no schedule reaches cuts nothing: the search is complete.
    let (v9, _) = with(9);
    assert!(v9.complete(), "{:?}", v9.bound);
    assert_eq!(v9.outcome(), Some(ProblemKind::Expectation));

    let dir = scratch("preemption-bound");
    let file = write(&dir, "lost_update.toml", LOST_UPDATE);
    let (code, r) = check_json(&[&file, "--preemption-bound", "0"]);
    assert_eq!(code, Some(0));
    assert_eq!(r["complete"], false);
    assert_eq!(r["stopped_by"], "preemption_bound");
    assert_eq!(r["outcome"], "ok");
    assert!(r["counterexample"].is_null());
    let (code, r) = check_json(&[&file, "--preemption-bound", "1"]);
    assert_eq!(code, Some(4));
    assert_eq!(r["outcome"], "expectation");
    assert_eq!(r["counterexample"]["kind"], "expectation");
}

#[test]
fn an_expected_deadlock_is_not_denied_by_an_incomplete_search() {
    // The knot needs a preemption; with none allowed the search cannot say
    // that no deadlock exists.
    let src = format!("{KNOT}[expect]\noutcome = \"deadlock\"\n");
    let scenario = common::scenario(&src);
    let (v, _) = check_with(
        &scenario,
        &check::Options {
            preemption_bound: Some(0),
            ..options(true)
        },
    );
    assert!(!v.complete());
    assert!(v.deadlock_expected);
    assert_eq!(v.outcome(), None, "{:?}", v.problems);
    let (v, _) = check_all(&scenario);
    assert_eq!(v.outcome(), Some(ProblemKind::Deadlock));
    assert_eq!(v.exit_code(), 3);
}

#[test]
fn hash_compaction_gives_the_exact_verdict() {
    for file in [
        "abba_deadlock.toml",
        "abba_lock_order.toml",
        "bank_overdraft.toml",
        "philosophers_deadlock.toml",
        "lost_update_preempt.toml",
        "lost_wakeup.toml",
    ] {
        let scenario = lesson(file);
        let (exact, _) = check_all(&scenario);
        let (compact, _) = check_with(
            &scenario,
            &check::Options {
                compact: true,
                ..options(true)
            },
        );
        assert!(compact.complete(), "{file}");
        assert_eq!(compact.states, exact.states, "{file}");
        assert_eq!(compact.transitions, exact.transitions, "{file}");
        assert_eq!(compact.problems, exact.problems, "{file}");
        assert!(
            compact.bytes_per_state < exact.bytes_per_state,
            "{file}: {} vs {}",
            compact.bytes_per_state,
            exact.bytes_per_state
        );
    }
    let (_, exact) = check_json(&["scenarios/bank_overdraft.toml"]);
    let (code, compact) = check_json(&["scenarios/bank_overdraft.toml", "--hash-compact"]);
    assert_eq!(code, Some(4));
    for key in [
        "outcome",
        "states",
        "transitions",
        "complete",
        "counterexample",
    ] {
        assert_eq!(compact[key], exact[key], "{key}");
    }
}

#[test]
fn no_reduction_gives_the_same_verdict_with_more_states() {
    let (reduced_code, reduced) = check_json(&["scenarios/bank_overdraft.toml"]);
    let (full_code, full) = check_json(&["scenarios/bank_overdraft.toml", "--no-reduction"]);
    assert_eq!(reduced_code, full_code);
    assert_eq!(reduced["outcome"], full["outcome"]);
    assert_eq!(reduced["reduced"], true);
    assert_eq!(full["reduced"], false);
    // The withdrawers' prints and their reads of `balance` before the
    // check are not all visible, so fewer switches are offered.
    assert!(
        reduced["states"].as_u64().unwrap() < full["states"].as_u64().unwrap(),
        "{} vs {}",
        reduced["states"],
        full["states"]
    );
    // An unreduced counterexample replays in the unreduced model.
    let dir = scratch("no-reduction");
    let report = write(&dir, "report.json", &full.to_string());
    let o = weft(&[
        "run",
        "scenarios/bank_overdraft.toml",
        "--schedule",
        &report,
        "--headless",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert!(!stderr(&o).contains("warning"), "{}", stderr(&o));
    assert_eq!(json(&o)["expect"]["final"][0]["ok"], false);
}

// ---------------------------------------------------------------------------
// 6. Bad input
// ---------------------------------------------------------------------------

#[test]
fn a_missing_scenario_exits_2() {
    let o = weft(&["check", "nosuch.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("nosuch.toml"), "{}", stderr(&o));
    assert!(o.stdout.is_empty());

    let dir = scratch("bad-scenario");
    let file = write(
        &dir,
        "broken.toml",
        "[scenario]\nname = \"x\"\n[[task]]\nname = \"t\"\nscript = \"acquire nowhere\"\n",
    );
    let o = weft(&["check", &file, "--json"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
}

#[test]
fn a_schedule_naming_an_unknown_task_exits_2_and_names_it() {
    let dir = scratch("unknown-task");
    let file = write(&dir, "cex.json", r#"["t1", "ghost", "t2"]"#);
    let o = weft(&["run", "abba_deadlock", "--schedule", &file, "--headless"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("`ghost`"), "{err}");
    assert!(err.contains("t1, t2"), "{err}");
    // The same in a saved counterexample.
    let file = write(
        &dir,
        "saved.json",
        r#"{"scenario": "ABBA deadlock", "reduced": true, "counterexample": {"kind": "deadlock", "schedule": ["phantom"]}}"#,
    );
    let o = weft(&[
        "run",
        "abba_deadlock",
        "--schedule",
        &file,
        "--headless",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("`phantom`"), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
}

#[test]
fn a_schedule_file_that_is_not_json_exits_2() {
    let dir = scratch("not-json");
    let file = write(&dir, "cex.json", "t1 t2 t1\n");
    let o = weft(&["run", "abba_deadlock", "--schedule", &file, "--headless"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not JSON"), "{}", stderr(&o));

    // A report without a counterexample has nothing to replay.
    let (_, ok) = check_json(&["scenarios/abba_lock_order.toml"]);
    let file = write(&dir, "ok.json", &ok.to_string());
    let o = weft(&["run", "abba_lock_order", "--schedule", &file, "--headless"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no counterexample"), "{}", stderr(&o));

    // Nor does a schedule that is not a list of names.
    let file = write(&dir, "numbers.json", "[1, 2]");
    let o = weft(&["run", "abba_deadlock", "--schedule", &file, "--headless"]);
    assert_eq!(o.status.code(), Some(2));

    let o = weft(&[
        "run",
        "abba_deadlock",
        "--schedule",
        "no-such-file.json",
        "--headless",
    ]);
    assert_eq!(o.status.code(), Some(2));
}

// ---------------------------------------------------------------------------
// 7. An expected deadlock that cannot happen
// ---------------------------------------------------------------------------

#[test]
fn expecting_a_deadlock_that_cannot_happen_is_a_broken_expectation() {
    let text = lesson_text("abba_lock_order.toml").replace(
        "outcome = \"completed\"\nfinal = [\"done == 2\"]",
        "outcome = \"deadlock\"",
    );
    assert!(text.contains("outcome = \"deadlock\""));
    let scenario = common::scenario(&text);
    let (v, _) = check_all(&scenario);
    assert!(v.deadlock_expected);
    assert_eq!(v.outcome(), Some(ProblemKind::Expectation));
    assert_eq!(v.exit_code(), 4);
    assert_eq!(v.problems.len(), 1, "{:?}", v.problems);
    assert!(
        v.problems[0].what.contains("no schedule deadlocks"),
        "{}",
        v.problems[0].what
    );

    let dir = scratch("expect-deadlock");
    let file = write(&dir, "lock_order.toml", &text);
    let (code, r) = check_json(&[&file]);
    assert_eq!(code, Some(4));
    assert_eq!(r["outcome"], "expectation");
    assert_eq!(r["deadlock_expected"], true);
    assert_eq!(r["counterexample"]["kind"], "expectation");
    assert_eq!(r["counterexample"]["length"], 0);
}

#[test]
fn ctrl_c_stops_a_long_search_with_its_partial_result() {
    use std::io::{BufRead, BufReader, Read};
    // Six ordered philosophers have millions of states: far more than a
    // debug build explores before its first progress line (every 5 s
    // without a terminal); then SIGINT, as Ctrl-C sends it.
    let six = lesson_text("philosophers_ordered.toml")
        .replace("count = 5", "count = 6")
        .replace("i == 4", "i == 5")
        .replace("meals == 5", "meals == 6");
    let dir = std::env::temp_dir().join(format!("weft-check-int-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("six.toml");
    std::fs::write(&file, six).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_weft"))
        .arg("check")
        .arg(&file)
        .arg("--json")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    assert!(line.starts_with("checking: "), "progress line: {line:?}");
    assert!(
        line.contains("states/s") && line.contains("queue"),
        "{line}"
    );
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGINT,
    )
    .unwrap();
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "stderr: {rest}");
    assert!(rest.contains("interrupted"), "{rest}");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["complete"], false);
    assert_eq!(report["stopped_by"], "interrupted");
    assert_eq!(report["outcome"], "ok");
    assert!(report["states"].as_u64().unwrap() > 1000, "{report}");
    let _ = std::fs::remove_dir_all(&dir);
}
