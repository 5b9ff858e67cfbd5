//! The run's own limits: instructions at one boundary and in all, and
//! printed text; each halts the run with outcome `timeout` and says why.

use crate::common;
use weft::sim::{build, Limit, Options};

fn halted(src: &str) -> (Option<Limit>, weft::event::Catalog, Vec<weft::event::Event>) {
    let (mut sim, catalog) = build(&common::scenario(src), &Options::default());
    let mut events = Vec::new();
    sim.run(&mut events);
    (sim.limit(), catalog, events)
}

#[test]
fn many_tasks_spinning_at_one_boundary_halt_the_run_and_name_the_loop() {
    let src = r#"
[scenario]
name = "spin"
[vars]
n = 0
[[task]]
name = "t"
count = 25
script = """
repeat 90000 {
  if n > 5 { break }
}
sleep 1
"""
"#;
    let (limit, catalog, events) = halted(src);
    let Some(Limit::Steps { task, steps, .. }) = limit else {
        panic!("not halted by steps: {limit:?}");
    };
    assert_eq!(steps, weft::sim::MAX_BOUNDARY_STEPS);
    assert!(catalog.task_name(task).starts_with("t["));
    assert!(matches!(
        events.last().map(|e| &e.kind),
        Some(weft::event::EventKind::End {
            outcome: weft::event::Outcome::Timeout
        })
    ));
    assert_eq!(events.last().map(|e| e.tick), Some(0));
    let text = weft::cli::load::limit_message(&catalog, limit.unwrap());
    assert!(text.contains("loops at line 10"), "{text}");
}

#[test]
fn printing_without_end_halts_at_the_print_limit_with_one_copy_of_the_text() {
    let big = "x".repeat(60_000);
    let src = format!(
        "[scenario]\nname = \"p\"\n[[task]]\nname = \"t\"\nscript = \"\"\"\nloop {{\n  print \"{big}\"\n  sleep 1\n}}\n\"\"\"\n"
    );
    let (limit, _, events) = halted(&src);
    assert_eq!(limit, Some(Limit::PrintBytes(weft::sim::MAX_PRINT_BYTES)));
    let texts: Vec<&std::sync::Arc<str>> = events
        .iter()
        .filter_map(|e| match &e.kind {
            weft::event::EventKind::Print { text, .. } => Some(text),
            _ => None,
        })
        .collect();
    assert!(texts.len() > 1000);
    assert!(
        texts.windows(2).all(|w| std::sync::Arc::ptr_eq(w[0], w[1])),
        "every event shares the one text"
    );
}

#[test]
fn the_simulator_says_its_tick_as_it_goes_and_at_the_end() {
    let src = r#"
[scenario]
name = "ticks"
[[task]]
name = "t"
script = """
compute 3
sleep 4
"""
"#;
    let (mut sim, _) = build(&common::scenario(src), &Options::default());
    let mut events = Vec::new();
    let mut seen = vec![sim.tick()];
    while sim.outcome().is_none() {
        sim.step(&mut events);
        seen.push(sim.tick());
    }
    assert_eq!(seen.first(), Some(&0));
    assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
    // Boundaries at 3 (the compute ends) and 7 (the sleep ends).
    assert!(seen.contains(&3), "{seen:?}");
    assert_eq!(sim.tick(), 7);
    assert_eq!(events.last().map(|e| e.tick), Some(7));
}

#[test]
fn the_simulator_numbers_its_events_in_order() {
    let src = r#"
[scenario]
name = "seq"
[locks]
m = "mutex"
[[task]]
name = "t"
count = 2
script = """
acquire m
compute 1
release m
"""
"#;
    let (_, _, events) = halted(src);
    assert!(events.len() > 5);
    for (i, e) in events.iter().enumerate() {
        assert_eq!(e.seq, i as u64, "{e:?}");
    }
}

#[test]
fn stopping_the_simulator_ends_the_run_with_a_timeout() {
    let src = r#"
[scenario]
name = "forever"
[[task]]
name = "t"
script = "loop { compute 1 }"
"#;
    let (mut sim, _) = build(&common::scenario(src), &Options::default());
    let mut events = Vec::new();
    for _ in 0..5 {
        sim.step(&mut events);
    }
    assert_eq!(sim.outcome(), None);
    sim.stop(&mut events);
    assert_eq!(sim.outcome(), Some(weft::event::Outcome::Timeout));
    assert!(matches!(
        events.last().map(|e| &e.kind),
        Some(weft::event::EventKind::End {
            outcome: weft::event::Outcome::Timeout
        })
    ));
    // A second stop adds nothing.
    let n = events.len();
    sim.stop(&mut events);
    assert_eq!(events.len(), n);
}
