//! Simulator throughput: a 200-thread scenario with locks and a queue on 8
//! CPUs. Reports events per second (criterion's throughput), the bytes each
//! event holds in memory, and the cost of recording a trace.

use std::hint::black_box;
use std::io::Write;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use weft::cli::load::run_headless;
use weft::event::{Event, EventKind};
use weft::scenario::{parse, Scenario};
use weft::sim::{build, Options};

/// 100 producers and 100 consumers sharing 8 locks and one bounded queue.
fn scenario() -> Scenario {
    let src = r#"
[scenario]
name = "200 threads"
[machine]
cpus = 8
policy = "rr"
quantum = 3
max_ticks = 1000000
[vars]
counter = 0
[locks]
L = { kind = "mutex", count = 8 }
[queues]
q = { capacity = 16 }
[[task]]
name = "producer"
count = 100
script = """
repeat 40 {
  acquire L[i]
  compute 1
  incr counter
  release L[i]
  put q i
  sleep 1
}
"""
[[task]]
name = "consumer"
count = 100
script = """
repeat 40 {
  get q
  acquire L[i+3]
  compute 2
  release L[i+3]
}
"""
"#;
    match parse("bench.toml", src.as_bytes()) {
        Ok(s) => s,
        Err(d) => panic!("{}", d.render(false)),
    }
}

/// Every newer primitive at once: 64 threads under the GIL in two processes
/// that share a semaphore, an rwlock, a condition, an event and a barrier,
/// a process pool, and a loop of coroutines.
fn primitives() -> Scenario {
    let src = r#"
[scenario]
name = "every primitive"
[machine]
cpus = 4
gil = true
switch_interval = 3
max_ticks = 1000000
[vars]
n = 0
[locks]
m = "mutex"
RW = { kind = "rwlock", prefer = "fair" }
[semaphores]
S = 3
[conditions]
c = { lock = "m" }
[events]
go = false
[barriers]
b = 32
[pools]
pool = { workers = 4, kind = "process" }
[[task]]
name = "starter"
script = """
compute 2
set go
"""
[[task]]
name = "reader"
count = 32
script = """
wait go
repeat 30 {
  acquire_read RW
  compute 1
  release_read RW
  acquire S
  io 1
  release S
}
wait b
"""
[[task]]
name = "writer"
count = 32
process = "other"
script = """
wait go
repeat 30 {
  acquire RW
  compute 1
  release RW
  acquire m
  incr n
  notify_all c
  release m
}
wait b
"""
[[task]]
name = "other"
kind = "process"
script = "compute 1"
[[task]]
name = "job"
count = 16
pool = "pool"
script = "compute 5"
[[task]]
name = "looper"
script = "run_loop"
[[task]]
name = "co"
count = 16
kind = "coroutine"
loop = "looper"
script = """
repeat 20 {
  compute 1
  await sleep 2
}
"""
"#;
    match parse("primitives.toml", src.as_bytes()) {
        Ok(s) => s,
        Err(d) => panic!("{}", d.render(false)),
    }
}

fn run(s: &Scenario) -> Vec<Event> {
    let (mut sim, _) = build(s, &Options::default());
    let mut events = Vec::new();
    sim.run(&mut events);
    events
}

/// Bytes an event holds: its own size plus what it owns on the heap.
fn bytes_per_event(events: &[Event]) -> f64 {
    let heap: usize = events
        .iter()
        .map(|e| match &e.kind {
            EventKind::Print { text, .. } => text.len(),
            EventKind::Deadlock { cycle, .. } => std::mem::size_of_val(&**cycle),
            EventKind::Stall { stuck } => std::mem::size_of_val(&**stuck),
            EventKind::Choice { options, .. } => std::mem::size_of_val(&**options),
            _ => 0,
        })
        .sum();
    (std::mem::size_of_val(events) + heap) as f64 / events.len() as f64
}

/// A bench measures the run it claims to: the scenario completes with at
/// least `min` events, or the figures would be of something else.
fn assert_completed(events: &[Event], min: usize) {
    assert!(
        matches!(
            events.last().map(|e| &e.kind),
            Some(EventKind::End {
                outcome: weft::event::Outcome::Completed
            })
        ),
        "the bench scenario did not complete: {:?}",
        events.last()
    );
    assert!(events.len() >= min, "only {} events", events.len());
}

fn bench(c: &mut Criterion) {
    let s = scenario();
    let events = run(&s);
    let (_, catalog) = build(&s, &Options::default());
    assert_completed(&events, 100_000);
    eprintln!(
        "200-thread scenario: {} events, outcome {:?}, {:.1} bytes per event in memory",
        events.len(),
        events.last().map(|e| &e.kind),
        bytes_per_event(&events)
    );
    let mut group = c.benchmark_group("sim");
    group.throughput(Throughput::Elements(events.len() as u64));
    group.sample_size(20);
    group.bench_function("run_200_threads", |b| b.iter(|| black_box(run(&s))));
    let p = primitives();
    let p_events = run(&p);
    assert_completed(&p_events, 20_000);
    eprintln!(
        "every-primitive scenario: {} events, outcome {:?}",
        p_events.len(),
        p_events.last().map(|e| &e.kind)
    );
    group.throughput(Throughput::Elements(p_events.len() as u64));
    group.bench_function("run_every_primitive", |b| b.iter(|| black_box(run(&p))));
    group.throughput(Throughput::Elements(events.len() as u64));
    group.bench_function("run_200_threads_recording", |b| {
        b.iter(|| {
            let events = run(&s);
            let mut out = std::io::BufWriter::new(std::io::sink());
            weft::trace::write(&mut out, &catalog, &events).expect("sink");
            out.flush().expect("sink");
            black_box(events.len())
        })
    });
    group.bench_function("serialize_to_memory", |b| {
        b.iter(|| {
            let mut buf = Vec::with_capacity(events.len() * 80);
            for e in &events {
                serde_json::to_writer(&mut buf, e).expect("memory");
                buf.push(b'\n');
            }
            black_box(buf.len())
        })
    });
    group.bench_function("write_file", |b| {
        let mut buf = Vec::with_capacity(events.len() * 80);
        for e in &events {
            serde_json::to_writer(&mut buf, e).expect("memory");
            buf.push(b'\n');
        }
        let p = std::env::temp_dir().join("weft-bench-raw.trace");
        b.iter(|| std::fs::write(&p, &buf).expect("write"))
    });
    // What a user runs: `weft run --headless` (simulate, fold, keep the
    // trace) without and with `--record`.
    let path = std::env::temp_dir().join("weft-bench.trace");
    group.bench_function("headless_run", |b| {
        b.iter(|| black_box(run_headless(&s, &Options::default(), None).map(|t| t.0.len())))
    });
    group.bench_function("headless_run_recording", |b| {
        b.iter(|| black_box(run_headless(&s, &Options::default(), Some(&path)).map(|t| t.0.len())))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
