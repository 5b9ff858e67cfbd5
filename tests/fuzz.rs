//! The fuzz corpus and a few thousand generated inputs (fixed seeds, so
//! the same every time) through the scenario parser, the simulator and the
//! trace reader: nothing panics, every scenario error has a location and
//! every trace error a line. The long run is `examples/fuzz`.

use crate::harness;

use std::time::{Duration, Instant};

use arbitrary::Unstructured;
use harness::mutate::{scenario_input, trace_input};
use harness::{corpus, input_seed, Rng, Verdict};

/// Runs in the test stop at this many events: enough for every lesson, and
/// cheap in a debug build (the long run uses weft's own limit).
const TEST_MAX_EVENTS: usize = 50_000;

/// Generated inputs per target.
const COUNT: u64 = 1000;

/// Generated inputs longer than this are left to the long run: a chunk
/// repeated ten thousand times is slow to parse in a debug build.
const MAX_TEST_INPUT: usize = 32 << 10;

fn assert_ok(what: &str, input: &[u8], v: &Verdict) {
    if let Some(problem) = &v.problem {
        panic!(
            "{what}: {problem}\n--- input ---\n{}",
            String::from_utf8_lossy(input)
        );
    }
}

fn scenario_seeds() -> Vec<Vec<u8>> {
    corpus::load(&corpus::dir("scenario"))
        .into_iter()
        .map(|(_, b)| b)
        .collect()
}

fn trace_seeds() -> Vec<Vec<u8>> {
    corpus::load(&corpus::dir("trace"))
        .into_iter()
        .map(|(_, b)| b)
        .collect()
}

/// Parses and runs one scenario input; returns the slowest call.
fn scenario_and_sim(what: &str, input: &[u8]) -> Duration {
    let (parse, run) = harness::check_scenario_and_run(input, TEST_MAX_EVENTS);
    assert_ok(what, input, &parse);
    let mut slowest = parse.elapsed;
    if let Some(run) = run {
        assert_ok(what, input, &run);
        slowest = slowest.max(run.elapsed);
    }
    slowest
}

#[test]
fn the_corpus_replays_cleanly() {
    harness::quiet_panics();
    let scenarios = corpus::load(&corpus::dir("scenario"));
    let traces = corpus::load(&corpus::dir("trace"));
    assert!(scenarios.len() >= 40, "the scenario corpus is missing");
    assert!(traces.len() >= 5, "the trace corpus is missing");
    for (name, bytes) in &scenarios {
        scenario_and_sim(name, bytes);
    }
    for (name, bytes) in &traces {
        let v = harness::check_trace(bytes);
        assert_ok(name, bytes, &v);
        if !name.starts_with("crash-") {
            assert_eq!(v.kind, "read", "{name}: a recorded trace reads back");
        }
    }
}

#[test]
fn generated_scenarios_never_panic_and_errors_have_locations() {
    harness::quiet_panics();
    let seeds = scenario_seeds();
    let start = Instant::now();
    let mut slowest = Duration::ZERO;
    for i in 0..COUNT {
        let s = input_seed(1, i);
        let data = Rng::new(s).bytes(2048);
        let input = scenario_input(&mut Unstructured::new(&data), &seeds);
        if input.len() > MAX_TEST_INPUT {
            continue;
        }
        slowest = slowest.max(scenario_and_sim(&format!("scenario input {s:#x}"), &input));
    }
    eprintln!(
        "{COUNT} scenario inputs in {:.2?}, slowest {slowest:.2?}",
        start.elapsed()
    );
}

#[test]
fn generated_traces_never_panic_and_errors_have_lines() {
    harness::quiet_panics();
    let seeds = trace_seeds();
    let start = Instant::now();
    for i in 0..COUNT {
        let s = input_seed(2, i);
        let data = Rng::new(s).bytes(1024);
        let input = trace_input(&mut Unstructured::new(&data), &seeds);
        if input.len() > MAX_TEST_INPUT {
            continue;
        }
        let v = harness::check_trace(&input);
        assert_ok(&format!("trace input {s:#x}"), &input, &v);
    }
    eprintln!("{COUNT} trace inputs in {:.2?}", start.elapsed());
}

#[test]
fn the_minimiser_keeps_what_fails() {
    let input = b"aaaa\nbbbb\nneedle\ncccc\n";
    let small = harness::minimize::minimize(
        input,
        |b| b.windows(6).any(|w| w == b"needle"),
        Duration::from_secs(5),
    );
    assert_eq!(small, b"needle");
}

/// Once quadratic: each space of a script rescanned the rest of its run
/// while looking for a `\` line continuation (seconds for 80 KB).
#[test]
fn a_long_run_of_spaces_in_a_script_parses_in_linear_time() {
    let src = format!(
        "[scenario]\nname = \"spaces\"\n[[task]]\nname = \"t\"\nscript = \"\"\"\nsleep 1\n{}\n\"\"\"\n",
        " ".repeat(200_000)
    );
    let start = Instant::now();
    let (parse, _) = harness::check_scenario(src.as_bytes());
    assert_eq!(parse.kind, "parsed");
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:.2?}",
        start.elapsed()
    );
}

/// Found by the long run on a trace: the text report padded the task column
/// to the longest name, and a width past 65,535 panicked in `format!`.
/// Names now have a length limit, in a scenario and in a trace header.
#[test]
fn a_task_name_longer_than_the_limit_is_a_diagnostic() {
    let src = format!(
        "[scenario]\nname = \"x\"\n[[task]]\nname = \"{}\"\nscript = \"compute 1\"\n",
        "t".repeat(70_000)
    );
    let (parse, scenario) = harness::check_scenario(src.as_bytes());
    assert_eq!(parse.kind, "diagnostic", "{:?}", parse.problem);
    assert!(scenario.is_none());
}

/// Found by the long run: inline tables opened and never closed, one per
/// line, made the TOML parser recurse once per level until the stack
/// overflowed (an abort). Now a diagnostic before the parser runs.
#[test]
fn inline_tables_never_closed_are_a_diagnostic_not_a_stack_overflow() {
    let src = format!(
        "[machine]\ntick = \"17ms\"\n{}",
        "[locks]\nL0 = {\n".repeat(20_000)
    );
    // On a thread with a small stack, as the harness's would be deeper.
    let out = std::thread::Builder::new()
        .stack_size(512 << 10)
        .spawn(move || weft::scenario::parse("deep.toml", src.as_bytes()).map(|_| ()))
        .unwrap()
        .join()
        .expect("no overflow");
    let err = out.expect_err("refused");
    let text = err.render(false);
    assert!(text.contains("nested deeper than 128"), "{text}");
    assert!(text.starts_with("deep.toml:"), "located: {text}");
}
