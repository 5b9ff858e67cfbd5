//! Helpers shared by the integration tests: run a scenario given as text.
#![allow(dead_code)]

use weft::event::{Catalog, Event};
use weft::report::{Report, TaskReport};
use weft::sim::Options;
use weft::trace::Trace;

/// Parses `src` (panicking with the rendered diagnostics on error).
pub fn scenario(src: &str) -> weft::scenario::Scenario {
    match weft::scenario::parse("test.toml", src.as_bytes()) {
        Ok(s) => s,
        Err(d) => panic!("{}", d.render(false)),
    }
}

/// Runs `src` on the simulator: its catalog and events.
pub fn events(src: &str) -> (Catalog, Vec<Event>) {
    events_with(src, &Options::default())
}

/// Runs `src` with options.
pub fn events_with(src: &str, options: &Options) -> (Catalog, Vec<Event>) {
    weft::sim::simulate(&scenario(src), options)
}

/// Runs `src` and returns its trace.
pub fn trace(src: &str) -> Trace {
    let (catalog, events) = events(src);
    Trace::from_events(catalog, events)
}

/// Runs `src` and returns its report.
pub fn report(src: &str) -> Report {
    Report::from_trace(&trace(src))
}

/// The report's task of that name.
pub fn task<'a>(r: &'a Report, name: &str) -> &'a TaskReport {
    r.tasks
        .iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("no task {name}"))
}

/// Waiting times of the tasks, in declaration order.
pub fn waits(r: &Report) -> Vec<u64> {
    r.tasks.iter().map(|t| t.waiting_time).collect()
}

/// A scenario of compute-only tasks: (name, arrival, burst, priority).
pub fn cpu_bound(policy: &str, quantum: u32, tasks: &[(&str, u64, u64, i64)]) -> String {
    let mut s = format!(
        "[scenario]\nname = \"{policy}\"\n[machine]\npolicy = \"{policy}\"\nquantum = {quantum}\n"
    );
    for (name, arrival, burst, priority) in tasks {
        s.push_str(&format!(
            "[[task]]\nname = \"{name}\"\nstart = {arrival}\npriority = {priority}\nscript = \"compute {burst}\"\n"
        ));
    }
    s
}

/// `cases` random cases; a failure is kept beside the test's file (in
/// `NAME.proptest-regressions`, to be committed) and tried first on every
/// later run.
pub fn proptest_config(cases: u32) -> proptest::test_runner::Config {
    proptest::test_runner::Config {
        cases,
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::WithSource("proptest-regressions"),
        )),
        ..proptest::test_runner::Config::default()
    }
}

/// A built-in lesson's trace, as the text lines of its file.
pub fn lesson_trace_lines(file: &str) -> Vec<String> {
    let path = format!("{}/scenarios/{file}", env!("CARGO_MANIFEST_DIR"));
    let src = std::fs::read(&path).unwrap();
    let scenario = weft::scenario::parse(file, &src).unwrap();
    let (catalog, events) = weft::sim::simulate(&scenario, &Options::default());
    let mut out = Vec::new();
    weft::trace::write(&mut out, &catalog, &events).unwrap();
    String::from_utf8(out)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}
