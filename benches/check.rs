//! `weft check` on the dining philosophers, N = 3..8, in two tables:
//!
//! 1. The lesson's deadlocking table (philosophers_deadlock: each one
//!    takes the left fork, sleeps a tick, takes the right fork), N forks
//!    on one CPU: states, transitions, the time to the verdict (the whole
//!    search), states/s and the bytes the visited set holds per state; then
//!    the states and time to the first deadlock (`first`), breadth-first
//!    and depth-first. Searches under a second are the fastest of three.
//! 2. The ordered table (philosophers_ordered: the last philosopher takes
//!    the right fork, fork[0], first), no deadlock: a full search up to
//!    N = 5, and `max_states` = `ORDERED_BOUND` beyond, the row marked
//!    incomplete.
//!
//! Then criterion times the searches small enough to repeat, with
//! throughput in states.
//!
//! ```sh
//! cargo bench --bench check
//! ```
//!
//! Under `cargo test --benches` (criterion's test mode) the tables stop at
//! N = 4 and criterion runs each search once.

use std::hint::black_box;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use weft::check::{check, Options, ProblemKind, Verdict};
use weft::scenario::{parse, Scenario};

/// The largest ordered table searched in full (N = 6 has about ten
/// million states).
const ORDERED_FULL: usize = 5;
/// The state bound of the ordered tables beyond `ORDERED_FULL`.
const ORDERED_BOUND: u64 = 250_000;

/// The lesson's table for `n` philosophers: left fork, a tick's sleep,
/// right fork (philosopher n-1 reaches for fork[0]).
fn deadlocking(n: usize) -> Scenario {
    let src = format!(
        r#"
[scenario]
name = "philosophers deadlock {n}"
[machine]
cpus = 1
[vars]
meals = 0
[locks]
fork = {{ kind = "mutex", count = {n} }}
[[task]]
name = "philosopher"
count = {n}
script = """
acquire fork[i]
print "philosopher {{i}}: has the left fork"
sleep 1
acquire fork[i+1]
print "philosopher {{i}}: eating"
compute 2
release fork[i+1]
release fork[i]
atomic_incr meals
"""
[expect]
outcome = "deadlock"
final = ["meals == 0"]
"#
    );
    scenario(&format!("philosophers_deadlock_{n}.toml"), &src)
}

/// The same table with the last philosopher taking fork[0] first.
fn ordered(n: usize) -> Scenario {
    let last = n - 1;
    let src = format!(
        r#"
[scenario]
name = "philosophers ordered {n}"
[machine]
cpus = 1
[vars]
meals = 0
[locks]
fork = {{ kind = "mutex", count = {n} }}
[[task]]
name = "philosopher"
count = {n}
script = """
if i == {last} {{
  acquire fork[i+1]
  sleep 1
  acquire fork[i]
}} else {{
  acquire fork[i]
  sleep 1
  acquire fork[i+1]
}}
print "philosopher {{i}}: eating"
compute 2
release fork[i+1]
release fork[i]
atomic_incr meals
"""
[expect]
outcome = "completed"
final = ["meals == {n}"]
"#
    );
    scenario(&format!("philosophers_ordered_{n}.toml"), &src)
}

fn scenario(path: &str, src: &str) -> Scenario {
    match parse(path, src.as_bytes()) {
        Ok(s) => s,
        Err(d) => panic!("{}", d.render(false)),
    }
}

fn search(s: &Scenario, max_states: u64) -> Verdict {
    run(
        s,
        &Options {
            max_states,
            ..Options::default()
        },
    )
}

fn run(s: &Scenario, options: &Options) -> Verdict {
    check(s, options, &AtomicBool::new(false), &mut |_| {}).0
}

/// The search up to its first problem, breadth-first or depth-first: the
/// fastest of three when it takes under a second.
fn first(s: &Scenario, depth_first: bool) -> Verdict {
    let options = Options {
        first: true,
        depth_first,
        ..Options::default()
    };
    let v = run(s, &options);
    if v.elapsed >= Duration::from_secs(1) {
        return v;
    }
    (0..2)
        .map(|_| run(s, &options))
        .chain([v])
        .min_by_key(|v| v.elapsed)
        .expect("three runs")
}

fn deadlocks(v: &Verdict) -> bool {
    v.problems.iter().any(|p| p.kind == ProblemKind::Deadlock)
}

/// A search to `max_states`; the fastest of three when it takes under a
/// second (the first run of a small one pays for warming up).
fn timed(s: &Scenario, max_states: u64) -> Verdict {
    let v = search(s, max_states);
    if v.elapsed >= Duration::from_secs(1) {
        return v;
    }
    (0..2)
        .map(|_| search(s, max_states))
        .chain([v])
        .min_by_key(|v| v.elapsed)
        .expect("three runs")
}

fn rate(v: &Verdict) -> f64 {
    v.states as f64 / v.elapsed.as_secs_f64()
}

/// Table 1.
fn deadlock_table(ns: std::ops::RangeInclusive<usize>) {
    println!("1. philosophers, deadlocking (left, sleep 1, right), cpus = 1");
    println!(
        "{:>2} {:>9} {:>11} {:>6} {:>9} {:>8} {:>8} {:>7} | {:>8} {:>9} {:>6} | {:>8} {:>9} {:>6}",
        "N",
        "states",
        "transitions",
        "x N-1",
        "verdict",
        "full s",
        "states/s",
        "B/state",
        "bfs 1st",
        "ms",
        "share",
        "dfs 1st",
        "ms",
        "share"
    );
    let mut prev: Option<u64> = None;
    for n in ns {
        let s = deadlocking(n);
        let v = timed(&s, Options::default().max_states);
        assert!(v.complete(), "N = {n}: the search was cut: {:?}", v.bound);
        assert!(deadlocks(&v), "N = {n}: no deadlock found");
        let (bfs, dfs) = (first(&s, false), first(&s, true));
        for f in [&bfs, &dfs] {
            assert!(
                deadlocks(f),
                "N = {n}: the search to the first problem found none"
            );
        }
        let share = |f: &Verdict| {
            format!(
                "{:.0}%",
                100.0 * f.elapsed.as_secs_f64() / v.elapsed.as_secs_f64()
            )
        };
        println!(
            "{:>2} {:>9} {:>11} {:>6} {:>9} {:>8.3} {:>8.0} {:>7.0} | {:>8} {:>9.3} {:>6} | {:>8} {:>9.3} {:>6}",
            n,
            v.states,
            v.transitions,
            prev.map_or("-".into(), |p| format!("{:.1}", v.states as f64 / p as f64)),
            v.outcome().map_or("ok", |k| k.name()),
            v.elapsed.as_secs_f64(),
            rate(&v),
            v.bytes_per_state,
            bfs.states,
            bfs.elapsed.as_secs_f64() * 1e3,
            share(&bfs),
            dfs.states,
            dfs.elapsed.as_secs_f64() * 1e3,
            share(&dfs),
        );
        prev = Some(v.states);
    }
    println!(
        "(full: the whole search, the time to the verdict as weft check gives it; bfs 1st, dfs 1st:\n \
         the states and milliseconds to the first deadlock with `first`, breadth-first and depth-first;\n \
         share: of the full search's time)"
    );
}

/// Table 2.
fn ordered_table(ns: std::ops::RangeInclusive<usize>) {
    println!("\n2. philosophers, ordered (the last takes fork[0] first), cpus = 1");
    println!(
        "{:>2} {:>9} {:>11} {:>6} {:>9} {:>10} {:>8} {:>8} {:>9}",
        "N",
        "states",
        "transitions",
        "x N-1",
        "verdict",
        "search s",
        "states/s",
        "B/state",
        "complete"
    );
    let mut prev: Option<u64> = None;
    for n in ns {
        let bound = if n <= ORDERED_FULL {
            Options::default().max_states
        } else {
            ORDERED_BOUND
        };
        let v = timed(&ordered(n), bound);
        assert!(v.problems.is_empty(), "N = {n}: {:?}", v.problems);
        println!(
            "{:>2} {:>9} {:>11} {:>6} {:>9} {:>10.3} {:>8.0} {:>8.0} {:>9}",
            n,
            v.states,
            v.transitions,
            match (prev, v.complete()) {
                (Some(p), true) => format!("{:.1}", v.states as f64 / p as f64),
                _ => "-".into(),
            },
            if v.complete() { "ok" } else { "ok so far" },
            v.elapsed.as_secs_f64(),
            rate(&v),
            v.bytes_per_state,
            if v.complete() {
                "yes".to_string()
            } else {
                format!("no ({bound})")
            },
        );
        prev = v.complete().then_some(v.states);
    }
}

/// The searches small enough to repeat.
fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("check");
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(2));
    let cases = [
        ("deadlock", 4, deadlocking(4)),
        ("deadlock", 5, deadlocking(5)),
        ("deadlock", 6, deadlocking(6)),
        ("ordered", 3, ordered(3)),
        ("ordered", 4, ordered(4)),
    ];
    for (what, n, s) in &cases {
        let states = search(s, Options::default().max_states).states;
        group.throughput(Throughput::Elements(states));
        group.bench_function(format!("{what}_{n}"), |b| {
            b.iter(|| black_box(search(s, Options::default().max_states).states))
        });
    }
    group.finish();
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let has = |flag: &str| args.iter().any(|a| a == flag);
    let benchmarking = has("--bench") && !has("--test") && !has("--list");
    let top = if benchmarking { 8 } else { 4 };
    if !has("--list") {
        let t0 = Instant::now();
        deadlock_table(3..=top);
        ordered_table(3..=top);
        println!("({:.1} s)\n", t0.elapsed().as_secs_f64());
    }
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c);
    c.final_summary();
}
