//! TUI cost on a big run: the whole screen drawn into a `TestBackend` at
//! 200x60 for a 64-task trace of about a million events (task lanes and CPU
//! lanes), and seeking the cursor to a random step (checkpoint + short fold).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use weft::trace::Trace;
use weft::tui::layout;
use weft::tui::{Action, App, NoEngine, Open, Theme};

/// 64 threads sharing 8 locks and two bounded queues on 4 CPUs.
const SCENARIO: &str = r#"
[scenario]
name = "64 tasks"
[machine]
cpus = 4
policy = "rr"
quantum = 2
max_ticks = 10000000
[vars]
counter = 0
[locks]
L = { kind = "mutex", count = 8 }
[queues]
q = { capacity = 8 }
r = { capacity = 4 }
[[task]]
name = "w"
count = 32
script = """
repeat 1200 {
  acquire L[i]
  compute 1
  incr counter
  release L[i]
  put q
  sleep 1
}
"""
[[task]]
name = "c"
count = 32
script = """
repeat 1200 {
  get q
  acquire L[i+1]
  compute 1
  release L[i+1]
  io 2
}
"""
"#;

fn big_trace() -> Trace {
    let scenario = weft::scenario::parse("bench.toml", SCENARIO.as_bytes()).expect("parses");
    let (catalog, events) = weft::sim::simulate(&scenario, &weft::sim::Options::default());
    let ended = matches!(
        events.last().map(|e| &e.kind),
        Some(weft::event::EventKind::End {
            outcome: weft::event::Outcome::Completed
        })
    );
    assert!(ended, "the bench scenario did not complete");
    assert!(events.len() > 1_000_000, "only {} events", events.len());
    eprintln!(
        "bench trace: {} tasks, {} events",
        catalog.tasks.len(),
        events.len()
    );
    Trace::from_events(catalog, events)
}

/// The resident memory of this process in MiB (Linux), if it can be read.
fn resident_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn bench(c: &mut Criterion) {
    let before = resident_mib();
    let trace = big_trace();
    let len = trace.len();
    let engine = NoEngine;
    let mut app = App::new(&engine, Open::Trace(trace), Theme::new(true));
    if let (Some(b), Some(a)) = (before, resident_mib()) {
        eprintln!(
            "memory held by the trace and the UI's lanes: {:.0} MiB",
            a - b
        );
    }
    app.update(Action::Resize {
        width: 200,
        height: 60,
    });
    if let Some(s) = app.session.as_mut() {
        s.set_cursor(len / 2);
    }
    let mut term = Terminal::new(TestBackend::new(200, 60)).expect("a test terminal");
    c.bench_function("frame 200x60, task lanes, mid-trace", |b| {
        b.iter(|| term.draw(|f| layout::draw(f, &app)).map(|_| ()))
    });
    app.update(Action::ToggleCpuLanes);
    for _ in 0..6 {
        app.update(Action::ZoomOut);
    }
    c.bench_function("frame 200x60, CPU lanes, 20 ticks a cell", |b| {
        b.iter(|| term.draw(|f| layout::draw(f, &app)).map(|_| ()))
    });
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    c.bench_function("seek to a random step", |b| {
        b.iter(|| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let step = (x % len as u64) as usize;
            if let Some(s) = app.session.as_mut() {
                s.set_cursor(black_box(step));
            }
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
