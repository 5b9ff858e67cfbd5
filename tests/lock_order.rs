//! The lock-order graph and its inversions, from simulated runs of the
//! built-in lessons and of small scenarios, from literal events without
//! script lines (as a `weft::sync` program's trace has them), and in the
//! binary's JSON report.

use std::path::Path;
use std::process::Command;

use weft::analysis::{inversion_text, lock_order, LockOrder};
use weft::event::{Catalog, ResourceId};
use weft::trace::Trace;

use crate::literal::{res, Literal};

/// A built-in lesson's source text.
fn lesson_source(file: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(file);
    std::fs::read_to_string(path).unwrap()
}

/// The trace of a simulated run of `src`, named `file` in its diagnostics.
fn run(file: &str, src: &str) -> Trace {
    let scenario = match weft::scenario::parse(file, src.as_bytes()) {
        Ok(s) => s,
        Err(d) => panic!("{}", d.render(false)),
    };
    let (catalog, events) = weft::sim::simulate(&scenario, &weft::sim::Options::default());
    Trace::from_events(catalog, events)
}

/// The 1-based line of the first line at or after `from` (an index) that
/// starts with `text` once trimmed.
fn line_of(lines: &[&str], from: usize, text: &str) -> u32 {
    let i = (from..lines.len())
        .find(|&i| lines[i].trim_start().starts_with(text))
        .unwrap_or_else(|| panic!("no line {text:?}"));
    i as u32 + 1
}

/// The index of the line declaring task `name`.
fn task_line(lines: &[&str], name: &str) -> usize {
    let decl = format!("name = \"{name}\"");
    lines
        .iter()
        .position(|l| l.trim() == decl)
        .unwrap_or_else(|| panic!("no task {name}"))
}

fn names(cat: &Catalog, ids: &[ResourceId]) -> Vec<String> {
    ids.iter()
        .map(|&r| cat.resource_name(r).to_string())
        .collect()
}

fn texts(trace: &Trace, order: &LockOrder) -> Vec<String> {
    order
        .inversions
        .iter()
        .map(|inv| inversion_text(&trace.catalog, inv))
        .collect()
}

#[test]
fn abba_deadlock_is_an_inversion_at_the_lines_of_its_acquires() {
    let src = lesson_source("abba_deadlock.toml");
    let lines: Vec<&str> = src.lines().collect();
    let t1 = task_line(&lines, "t1");
    let t2 = task_line(&lines, "t2");
    let (t1a, t1b) = (
        line_of(&lines, t1, "acquire A"),
        line_of(&lines, t1, "acquire B"),
    );
    let (t2b, t2a) = (
        line_of(&lines, t2, "acquire B"),
        line_of(&lines, t2, "acquire A"),
    );
    let trace = run("abba_deadlock.toml", &src);
    let order = lock_order(&trace);
    assert_eq!(order.edges.len(), 2, "{:?}", order.edges);
    assert_eq!(order.inversions.len(), 1, "{:?}", order.inversions);
    let inv = &order.inversions[0];
    assert_eq!(names(&trace.catalog, &inv.locks()), ["A", "B"]);
    let tasks: Vec<&str> = inv
        .tasks()
        .into_iter()
        .map(|t| trace.catalog.task_name(t))
        .collect();
    assert_eq!(tasks, ["t1", "t2"]);
    assert!(inv.guards.is_empty());
    assert_eq!(
        inversion_text(&trace.catalog, inv),
        format!("t1 takes A then B at lines {t1a}, {t1b}; t2 takes B then A at lines {t2b}, {t2a}")
    );
}

#[test]
fn abba_lock_order_has_edges_and_no_inversion() {
    let trace = run(
        "abba_lock_order.toml",
        &lesson_source("abba_lock_order.toml"),
    );
    let order = lock_order(&trace);
    assert_eq!(order.edges.len(), 2, "A then B, by each task");
    assert!(order
        .edges
        .iter()
        .all(|e| names(&trace.catalog, &[e.from, e.to]) == ["A", "B"]));
    assert!(order.inversions.is_empty(), "{:?}", order.inversions);
}

#[test]
fn philosophers_deadlock_is_one_cycle_through_five_forks() {
    let trace = run(
        "philosophers_deadlock.toml",
        &lesson_source("philosophers_deadlock.toml"),
    );
    let order = lock_order(&trace);
    assert_eq!(order.inversions.len(), 1, "{:?}", order.inversions);
    let inv = &order.inversions[0];
    assert_eq!(inv.edges.len(), 5);
    let forks: Vec<String> = (0..5).map(|k| format!("fork[{k}]")).collect();
    assert_eq!(names(&trace.catalog, &inv.locks()), forks);
    for (k, e) in inv.edges.iter().enumerate() {
        assert_eq!(trace.catalog.task_name(e.task), format!("philosopher[{k}]"));
        assert_eq!(e.to, inv.edges[(k + 1) % 5].from);
    }
    let text = inversion_text(&trace.catalog, inv);
    assert!(
        text.ends_with("philosopher[4] takes fork[4] then fork[0] at lines 24, 27"),
        "{text}"
    );
}

/// Two tasks that take A and B in opposite orders, each with lines of
/// script run before and after (`t1_before`, `t1_after`, …).
fn gated(t1_before: &str, t1_after: &str, t2_before: &str, t2_after: &str) -> String {
    format!(
        r#"[scenario]
name = "gated"
[locks]
G = "mutex"
A = "mutex"
B = "mutex"
[[task]]
name = "t1"
script = """
{t1_before}
acquire A
sleep 1
acquire B
release B
release A
{t1_after}
"""
[[task]]
name = "t2"
script = """
{t2_before}
acquire B
sleep 1
acquire A
release A
release B
{t2_after}
"""
"#
    )
}

#[test]
fn a_gate_lock_held_around_both_orders_guards_the_inversion() {
    let src = gated("acquire G", "release G", "acquire G", "release G");
    let trace = run("gated.toml", &src);
    assert_eq!(trace.last().outcome.map(|o| o.name()), Some("completed"));
    let order = lock_order(&trace);
    let pairs: Vec<_> = order
        .inversions
        .iter()
        .map(|i| names(&trace.catalog, &i.locks()))
        .collect();
    assert_eq!(
        pairs,
        [["A", "B"]],
        "G before A and B in both: no G inversion"
    );
    let inv = &order.inversions[0];
    assert_eq!(names(&trace.catalog, &inv.guards), ["G"]);
    assert!(inv.is_guarded());
    let lines: Vec<&str> = src.lines().collect();
    let (t1, t2) = (task_line(&lines, "t1"), task_line(&lines, "t2"));
    let want = format!(
        "t1 takes A then B at lines {}, {}; t2 takes B then A at lines {}, {} \
         (guarded by G: cannot deadlock)",
        line_of(&lines, t1, "acquire A"),
        line_of(&lines, t1, "acquire B"),
        line_of(&lines, t2, "acquire B"),
        line_of(&lines, t2, "acquire A"),
    );
    assert_eq!(texts(&trace, &order), [want]);
    let report = weft::report::Report::from_trace(&trace);
    let v = serde_json::to_value(&report).unwrap();
    assert_eq!(v["lock_order"]["inversions"][0]["guarded_by"][0], "G");
    let text = weft::report::render_text(&report, false);
    assert!(
        text.contains("\nlock order:\n  t1 takes A then B"),
        "{text}"
    );
}

#[test]
fn a_gate_taken_after_the_first_lock_guards_nothing() {
    // t1 takes A, then G, then B: G does not keep t2 from holding B while
    // t1 holds A, so the A/B inversion is open, and so is the A/G one.
    let src = gated("", "", "sleep 5\nacquire G", "release G").replace(
        "acquire A\nsleep 1\nacquire B\nrelease B\nrelease A\n",
        "acquire A\nsleep 1\nacquire G\nacquire B\nrelease B\nrelease G\nrelease A\n",
    );
    let trace = run("gated.toml", &src);
    let order = lock_order(&trace);
    let found: Vec<(Vec<String>, usize)> = order
        .inversions
        .iter()
        .map(|i| (names(&trace.catalog, &i.locks()), i.guards.len()))
        .collect();
    assert!(
        found.contains(&(vec!["A".into(), "B".into()], 0)),
        "{found:?}"
    );
    assert!(
        found.contains(&(vec!["G".into(), "A".into()], 0)),
        "{found:?}"
    );
}

#[test]
fn a_gate_held_only_some_of_the_times_guards_nothing() {
    // t1 takes A then B twice, the second time without G.
    let src = gated(
        "acquire G",
        "release G\nacquire A\nacquire B\nrelease B\nrelease A",
        "acquire G",
        "release G",
    );
    let trace = run("gated.toml", &src);
    let order = lock_order(&trace);
    assert_eq!(order.inversions.len(), 1, "{:?}", order.inversions);
    assert!(order.inversions[0].guards.is_empty());
}

#[test]
fn one_task_taking_both_orders_is_no_inversion() {
    let src = r#"[scenario]
name = "alone"
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
acquire B
acquire A
release A
release B
"""
"#;
    let order = lock_order(&run("alone.toml", src));
    assert_eq!(order.edges.len(), 2);
    assert!(order.inversions.is_empty(), "{:?}", order.inversions);
}

#[test]
fn a_cycle_of_three_tasks_over_three_locks() {
    let mut src = String::from(
        "[scenario]\nname = \"ring\"\n[locks]\nA = \"mutex\"\nB = \"mutex\"\nC = \"mutex\"\n",
    );
    for (t, (x, y)) in [("t1", ("A", "B")), ("t2", ("B", "C")), ("t3", ("C", "A"))] {
        src.push_str(&format!(
            "[[task]]\nname = \"{t}\"\nscript = \"\"\"\nacquire {x}\nsleep 1\nacquire {y}\nrelease {y}\nrelease {x}\n\"\"\"\n"
        ));
    }
    let trace = run("ring.toml", &src);
    let order = lock_order(&trace);
    assert_eq!(order.inversions.len(), 1, "{:?}", order.inversions);
    let text = &texts(&trace, &order)[0];
    assert!(
        text.starts_with("t1 takes A then B at lines ")
            && text.contains("; t2 takes B then C at lines ")
            && text.contains("; t3 takes C then A at lines "),
        "{text}"
    );
}

#[test]
fn an_rlock_taken_again_is_no_edge() {
    let src = r#"[scenario]
name = "again"
[locks]
R = "rlock"
A = "mutex"
[[task]]
name = "t1"
script = """
acquire R
acquire R
acquire A
release A
release R
release R
"""
"#;
    let trace = run("again.toml", src);
    let order = lock_order(&trace);
    let edges: Vec<Vec<String>> = order
        .edges
        .iter()
        .map(|e| names(&trace.catalog, &[e.from, e.to]))
        .collect();
    assert_eq!(edges, [["R", "A"]]);
}

/// A reader of RW takes M inside; a writer-side task takes M, then reads RW.
fn readers(prefer: &str) -> String {
    format!(
        r#"[scenario]
name = "readers"
[locks]
RW = {{ kind = "rwlock", prefer = "{prefer}" }}
M = "mutex"
[[task]]
name = "r1"
script = """
acquire_read RW
sleep 1
acquire M
release M
release_read RW
"""
[[task]]
name = "r2"
script = """
acquire M
sleep 1
acquire_read RW
release_read RW
release M
"""
"#
    )
}

#[test]
fn read_holds_block_read_requests_only_when_writers_can_cut_in() {
    // Under reader preference a read hold never blocks a read request.
    let order = lock_order(&run("readers.toml", &readers("reader")));
    assert_eq!(order.edges.len(), 2);
    assert!(order.inversions.is_empty(), "{:?}", order.inversions);
    assert!(order.edges.iter().any(|e| e.from_read) && order.edges.iter().any(|e| e.to_read));
    // Under writer preference a waiting writer could hold r2's read back.
    let trace = run("readers.toml", &readers("writer"));
    let order = lock_order(&trace);
    assert_eq!(order.inversions.len(), 1, "{:?}", order.inversions);
}

#[test]
fn a_trace_without_script_lines_says_no_lines() {
    // As a weft::sync program records it: no instructions, only locks.
    let mut l = Literal::new("sync", 2);
    let t1 = l.task("t1", "thread", 0);
    let t2 = l.task("t2", "thread", 0);
    let a = l.res(res("A", "mutex"));
    let b = l.res(res("B", "mutex"));
    l.run(t1, 0).run(t2, 1);
    l.acquire(t1, a)
        .acquire(t1, b)
        .release(t1, b)
        .release(t1, a);
    l.at(1);
    l.acquire(t2, b)
        .acquire(t2, a)
        .release(t2, a)
        .release(t2, b);
    l.done(t1).done(t2);
    let trace = l.trace();
    let order = lock_order(&trace);
    assert!(order
        .edges
        .iter()
        .all(|e| e.from_line.is_none() && e.to_line.is_none()));
    assert_eq!(
        texts(&trace, &order),
        ["t1 takes A then B; t2 takes B then A"]
    );
}

#[test]
fn the_binary_reports_the_abba_inversion_in_its_json() {
    let o = Command::new(env!("CARGO_BIN_EXE_weft"))
        .args(["run", "abba_deadlock", "--headless", "--json"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs");
    assert_eq!(o.status.code(), Some(3));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let lo = &v["lock_order"];
    assert_eq!(lo["edges"], 2);
    let inv = &lo["inversions"][0];
    assert_eq!(inv["tasks"], serde_json::json!(["t1", "t2"]));
    assert_eq!(inv["locks"], serde_json::json!(["A", "B"]));
    assert_eq!(inv["guarded_by"], serde_json::json!([]));
    let text = inv["text"].as_str().unwrap_or("");
    assert!(
        text.starts_with("t1 takes A then B at lines ") && text.contains("; t2 takes B then A"),
        "{text}"
    );
    assert_eq!(lo["inversions"].as_array().map(Vec::len), Some(1));
}
