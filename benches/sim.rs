//! Simulator throughput: a 200-thread scenario with locks and a queue on 8
//! CPUs. Reports events per second (criterion's throughput), the bytes each
//! event holds in memory, and the cost of recording a trace.
//!
//! At scale: the same rounds (lock, compute, put/get) with each number of
//! tasks in `WEFT_BENCH_TASKS` (10, 100, 200, 1000 and 10000 by default)
//! and about `WEFT_BENCH_EVENTS` events (4 million by default), printed as
//! a table: events per second and ns per event of the simulator alone and
//! of the run folded into its trace (as `weft run --headless`); the bytes
//! per event of that run and trace at their peak (resident memory over
//! what was resident before, and live allocations, which count the room a
//! growing vector keeps) and of the finished trace; and the bytes of one
//! simulator state (`Sim::heap_bytes`, at the start and the largest
//! seen). Then the ratio of ns per event at 10,000 tasks to 100, and
//! criterion's runs.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use weft::cli::load::run_headless;
use weft::event::{Event, EventKind};
use weft::scenario::{parse, Scenario};
use weft::sim::{build, Options};

/// The system allocator, counting live bytes and their peak while
/// `COUNTING` is on (off, it costs one relaxed load per call).
struct Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn count_grow(n: usize) {
    if COUNTING.load(Ordering::Relaxed) {
        let now = LIVE.fetch_add(n, Ordering::Relaxed) + n;
        PEAK.fetch_max(now, Ordering::Relaxed);
    }
}

fn count_shrink(n: usize) {
    if COUNTING.load(Ordering::Relaxed) {
        LIVE.fetch_sub(n, Ordering::Relaxed);
    }
}

// SAFETY: every call is passed on unchanged to the system allocator.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_grow(layout.size());
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        count_shrink(layout.size());
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size >= layout.size() {
            count_grow(new_size - layout.size());
        } else {
            count_shrink(layout.size() - new_size);
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

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

/// `n` tasks (half producers, half consumers) doing `rounds` rounds of
/// lock, compute, put and get on 8 CPUs.
fn rounds(n: usize, rounds: usize) -> Scenario {
    let half = (n / 2).max(1);
    let src = format!(
        r#"
[scenario]
name = "{n} tasks"
[machine]
cpus = 8
policy = "rr"
quantum = 3
max_ticks = 1000000000
[vars]
counter = 0
[locks]
L = {{ kind = "mutex", count = 8 }}
[queues]
q = {{ capacity = 16 }}
[[task]]
name = "producer"
count = {half}
script = """
repeat {rounds} {{
  acquire L[i]
  compute 1
  incr counter
  release L[i]
  put q i
  sleep 1
}}
"""
[[task]]
name = "consumer"
count = {half}
script = """
repeat {rounds} {{
  get q
  acquire L[i+3]
  compute 2
  release L[i+3]
}}
"""
"#
    );
    match parse("rounds.toml", src.as_bytes()) {
        Ok(s) => s,
        Err(d) => panic!("{}", d.render(false)),
    }
}

/// The rounds scenario with `n` tasks sized to about `events` events.
fn sized(n: usize, events: usize) -> Scenario {
    let probe = run(&rounds(n, 4)).len();
    rounds(n, (events * 4 / probe.max(1)).max(1))
}

/// Resident memory now and at its peak, in bytes (Linux; 0 elsewhere).
fn rss() -> (usize, usize) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = |key: &str| -> usize {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    };
    (kb("VmRSS:") * 1024, kb("VmHWM:") * 1024)
}

/// Starts the resident peak afresh (Linux; ignored elsewhere).
fn reset_rss_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// One row of the table at scale.
struct Row {
    tasks: usize,
    events: usize,
    rate: f64,
    headless_rate: f64,
    rss_per_event: f64,
    live_per_event: f64,
    trace_per_event: f64,
    state_bytes: usize,
    state_peak: usize,
}

fn measure(n: usize, events: usize) -> Row {
    let s = sized(n, events);
    // The simulator alone: the best of three runs.
    let mut best = f64::MAX;
    let mut count = 0;
    for _ in 0..3 {
        let (mut sim, _) = build(&s, &Options::default());
        let mut out = Vec::new();
        let start = Instant::now();
        sim.run(&mut out);
        best = best.min(start.elapsed().as_secs_f64());
        count = out.len();
        assert_completed(&out, 1);
    }
    // What one state of the simulator takes, at the start and at its
    // largest (sampled every 1,000 boundaries).
    let (mut sim, _) = build(&s, &Options::default());
    let state_bytes = sim.heap_bytes();
    let mut state_peak = state_bytes;
    let mut out = Vec::new();
    let mut boundaries = 0u64;
    while sim.outcome().is_none() {
        sim.step(&mut out);
        boundaries += 1;
        if boundaries.is_multiple_of(1000) {
            state_peak = state_peak.max(sim.heap_bytes());
            out.clear();
        }
    }
    drop(out);
    // The run folded into its trace, as `weft run --headless` does it.
    let mut headless = f64::MAX;
    for _ in 0..2 {
        let start = Instant::now();
        let trace = run_headless(&s, &Options::default(), None).map(|t| t.0.len());
        headless = headless.min(start.elapsed().as_secs_f64());
        assert_eq!(trace.ok(), Some(count));
    }
    // What the run and its trace hold.
    let (base, _) = rss();
    reset_rss_peak();
    LIVE.store(0, Ordering::Relaxed);
    PEAK.store(0, Ordering::Relaxed);
    COUNTING.store(true, Ordering::Relaxed);
    let trace = run_headless(&s, &Options::default(), None).map(|t| t.0);
    COUNTING.store(false, Ordering::Relaxed);
    let (_, peak) = rss();
    let trace = trace.unwrap_or_else(|_| panic!("the run at {n} tasks failed"));
    assert_eq!(trace.len(), count);
    // What is still allocated is what the trace holds.
    let trace_bytes = LIVE.load(Ordering::Relaxed);
    drop(trace);
    Row {
        tasks: n,
        events: count,
        rate: count as f64 / best,
        headless_rate: count as f64 / headless,
        rss_per_event: peak.saturating_sub(base) as f64 / count as f64,
        live_per_event: PEAK.load(Ordering::Relaxed) as f64 / count as f64,
        trace_per_event: trace_bytes as f64 / count as f64,
        state_bytes,
        state_peak,
    }
}

/// The table at scale, and its ratios.
fn scale() -> Vec<(usize, Scenario, usize)> {
    let events: usize = std::env::var("WEFT_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4_000_000);
    eprintln!(
        "at scale (about {events} events; {} bytes an event):",
        std::mem::size_of::<Event>()
    );
    eprintln!(
        "{:>6} {:>9} {:>10} {:>9} {:>11} {:>9} {:>11} {:>11} {:>11} {:>11} {:>11}",
        "tasks",
        "events",
        "events/s",
        "ns/event",
        "+trace ev/s",
        "ns/event",
        "rss B/ev",
        "peak B/ev",
        "trace B/ev",
        "Sim B start",
        "Sim B peak"
    );
    let mut rows = Vec::new();
    let sizes: Vec<usize> = std::env::var("WEFT_BENCH_TASKS")
        .ok()
        .map(|v| v.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![10, 100, 200, 1000, 10_000]);
    for n in sizes {
        let r = measure(n, events);
        eprintln!(
            "{:>6} {:>9} {:>9.2}M {:>9.1} {:>10.2}M {:>9.1} {:>11.1} {:>11.1} {:>11.1} {:>11} {:>11}",
            r.tasks,
            r.events,
            r.rate / 1e6,
            1e9 / r.rate,
            r.headless_rate / 1e6,
            1e9 / r.headless_rate,
            r.rss_per_event,
            r.live_per_event,
            r.trace_per_event,
            r.state_bytes,
            r.state_peak
        );
        rows.push(r);
    }
    let at = |n: usize| rows.iter().find(|r| r.tasks == n);
    if let (Some(a), Some(b)) = (at(100), at(10_000)) {
        eprintln!(
            "ns per event at 10,000 tasks over 100 tasks: {:.2} (simulator), {:.2} (with the trace)",
            a.rate / b.rate,
            a.headless_rate / b.headless_rate
        );
    }
    [10, 100, 1000, 10_000]
        .into_iter()
        .map(|n| {
            let s = sized(n, events / 4);
            let count = run(&s).len();
            (n, s, count)
        })
        .collect()
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
    let sized = scale();
    let mut group = c.benchmark_group("sim_scale");
    group.sample_size(10);
    for (n, s, count) in &sized {
        group.throughput(Throughput::Elements(*count as u64));
        group.bench_function(format!("run_{n}_tasks"), |b| b.iter(|| black_box(run(s))));
    }
    group.finish();
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
