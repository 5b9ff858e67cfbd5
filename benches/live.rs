//! The live engine against the clock, in four tables, every figure read
//! back from the run's trace (the last element of an event is nanoseconds
//! since the run's start):
//!
//! 1. Throughput: the events and lock operations a second a run records
//!    with 8 threads (and with 1) doing nothing but `acquire m` /
//!    `release m` in a loop on 8 CPUs (a `yield` every 1,000), `repeat N`
//!    sized for about 1 s.
//! 2. Lateness: how much longer than a tick a `compute 1` and a `sleep 1`
//!    take (median and p99 of the gaps between one task's `pc` events, less
//!    the tick), at a tick of 10 ms and of 1 ms.
//! 3. Deadlock to end: in an ABBA scenario, ten runs, the time from the
//!    `lock_wait` that closes the cycle to the `end` event.
//! 4. Makespan: the end tick of a live run against the simulator's for
//!    built-in lessons (the median of three live runs).
//!
//! Process tasks run the weft binary as their worker; the engine reaps
//! them, and this program checks at the end that no child is left a zombie.
//!
//! ```sh
//! cargo bench --bench live
//! ```

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use serde_json::Value;
use weft::event::{parse_duration, Outcome};
use weft::scenario::{parse, Scenario};

const MS: u64 = 1_000_000;
/// The lessons of table 4, files in scenarios/.
const LESSONS: [&str; 11] = [
    "gil_cpu_threads",
    "gil_cpu_threads_nogil",
    "gil_cpu_processes",
    "pool_threads_gil",
    "pool_processes_gil",
    "fcfs_textbook",
    "fcfs_textbook_rr",
    "fcfs_textbook_sjf",
    "sjf_textbook",
    "round_robin_slices",
    "priority_inversion",
];

fn main() {
    let t0 = Instant::now();
    for table in [throughput, lateness, deadlock, makespan] {
        let t = Instant::now();
        table();
        println!("({:.1} s)", t.elapsed().as_secs_f64());
    }
    zombies();
    println!("\ntotal {:.1} s", t0.elapsed().as_secs_f64());
}

/// One event of a trace: its tick, its tag, what lies between, and its ns.
struct Ev {
    tick: u64,
    tag: String,
    args: Vec<Value>,
    ns: u64,
}

/// A finished live run: its outcome and its events (declarations left out).
struct Run {
    outcome: Outcome,
    events: Vec<Ev>,
}

impl Run {
    fn end(&self) -> &Ev {
        let e = self.events.last().expect("a trace with events");
        assert_eq!(e.tag, "end", "the trace ends with its end event");
        e
    }
}

/// An event line of a trace, parsed.
fn event(line: &str) -> Ev {
    let mut v: Vec<Value> = serde_json::from_str(line).expect("an event line");
    let ns = v.pop().and_then(|n| n.as_u64()).expect("ns last");
    let tick = v[0].as_u64().expect("a tick first");
    let tag = v[1].as_str().expect("a tag second").to_owned();
    Ev {
        tick,
        tag,
        args: v.split_off(2),
        ns,
    }
}

/// The event lines of a trace: the header and the declarations (objects)
/// left out.
fn event_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().skip(1).filter(|l| l.starts_with('['))
}

/// The tag of an event line, unparsed.
fn tag(line: &str) -> &str {
    let rest = line.split_once(",\"").map_or("", |(_, r)| r);
    rest.split_once('"').map_or("", |(t, _)| t)
}

fn scenario(path: &str, src: &str) -> Scenario {
    match parse(path, src.as_bytes()) {
        Ok(s) => s,
        Err(d) => panic!("{}", d.render(false)),
    }
}

fn lesson(name: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(format!("{name}.toml"));
    let src = std::fs::read_to_string(&path).expect("a built-in lesson");
    scenario(&path.display().to_string(), &src)
}

/// Runs `s` live with a tick of `tick_ns`: its outcome, its trace, and
/// the seconds `weft::live::run` took to return.
fn live_text(s: &Scenario, tick_ns: u64) -> (Outcome, String, f64) {
    static RUNS: AtomicU64 = AtomicU64::new(0);
    let (_, catalog) = weft::sim::build(s, &weft::sim::Options::default());
    let trace: PathBuf = std::env::temp_dir().join(format!(
        "weft-bench-live-{}-{}.trace",
        std::process::id(),
        RUNS.fetch_add(1, Ordering::Relaxed)
    ));
    let options = weft::live::Options {
        tick_ns,
        max_ticks: catalog.max_ticks,
        seed: catalog.seed,
        trace: trace.clone(),
        worker: PathBuf::from(env!("CARGO_BIN_EXE_weft")),
    };
    let stop = Arc::new(AtomicBool::new(false));
    let t0 = Instant::now();
    let outcome =
        weft::live::run(s, &catalog, &options, stop).unwrap_or_else(|e| panic!("{}: {e}", s.name));
    let returned = t0.elapsed().as_secs_f64();
    let text = std::fs::read_to_string(&trace).expect("the trace");
    let _ = std::fs::remove_file(&trace);
    (outcome, text, returned)
}

/// Runs `s` live and reads its trace back.
fn live(s: &Scenario, tick_ns: u64) -> Run {
    let (outcome, text, _) = live_text(s, tick_ns);
    let events = event_lines(&text).map(event).collect();
    Run { outcome, events }
}

/// The value at quantile `q` of `xs` (nearest rank).
fn quantile(xs: &mut [f64], q: f64) -> f64 {
    xs.sort_by(f64::total_cmp);
    let i = ((q * xs.len() as f64).ceil() as usize).clamp(1, xs.len()) - 1;
    xs[i]
}

fn lock_loop(threads: usize, n: u64) -> Scenario {
    // A yield every 1,000 rounds: a loop that never takes time fails
    // (no progress), as in the simulator.
    let rounds = n / 1000;
    let src = format!(
        r#"
[scenario]
name = "lock loop"
[machine]
cpus = 8
[locks]
m = "mutex"
[[task]]
name = "w"
count = {threads}
script = """
repeat {rounds} {{
  repeat 1000 {{
    acquire m
    release m
  }}
  yield
}}
"""
"#
    );
    scenario("lock_loop.toml", &src)
}

/// Table 1. A short probe run sizes `repeat N` for about a second; a run
/// that comes out far from it is sized again from its own rate (the rate
/// is not the same at every length), at most three runs after the probe.
fn throughput() {
    println!(
        "1. throughput: acquire m / release m in a loop (a yield every 1,000), cpus = 8, tick 10ms"
    );
    println!(
        "{:>7} {:>9} {:>8} {:>9} {:>10} {:>12} {:>13} {:>9}",
        "threads", "N", "wall s", "return s", "events", "events/s", "lock ops/s", "contended"
    );
    for threads in [1usize, 8] {
        let mut n = 100_000 / threads as u64 / 1000 * 1000;
        let mut tries = 0;
        let (text, returned, wall) = loop {
            let (outcome, text, returned) = live_text(&lock_loop(threads, n), 10 * MS);
            assert_eq!(outcome, Outcome::Completed);
            let end = event(event_lines(&text).last().expect("events"));
            assert_eq!(end.tag, "end");
            let wall = end.ns as f64 / 1e9;
            tries += 1;
            if tries == 4 || (tries > 1 && (0.7..=1.4).contains(&wall)) {
                break (text, returned, wall);
            }
            n = ((n as f64 / wall) as u64).clamp(1_000, 5_000_000) / 1000 * 1000;
        };
        let (mut events, mut acquires, mut ops, mut waits) = (0usize, 0u64, 0usize, 0usize);
        for line in event_lines(&text) {
            events += 1;
            match tag(line) {
                "lock_acquire" => {
                    acquires += 1;
                    ops += 1;
                }
                "lock_release" => ops += 1,
                "lock_wait" => waits += 1,
                _ => {}
            }
        }
        assert_eq!(acquires, n * threads as u64, "every round ran");
        println!(
            "{:>7} {:>9} {:>8.3} {:>9.3} {:>10} {:>12.0} {:>13.0} {:>9}",
            threads,
            n,
            wall,
            returned,
            events,
            events as f64 / wall,
            ops as f64 / wall,
            waits,
        );
    }
    println!("(wall: the end event's ns; return: until live::run returned, the trace written)");
}

/// Table 2.
fn lateness() {
    println!("\n2. lateness: one task, repeat 100 {{ OP }}, gap between its pc events - tick");
    println!(
        "{:>10} {:>6} {:>6} {:>12} {:>12}",
        "op", "tick", "gaps", "median us", "p99 us"
    );
    for tick_ns in [10 * MS, MS] {
        for op in ["compute 1", "sleep 1"] {
            let src = format!(
                "[scenario]\nname = \"lateness\"\n[[task]]\nname = \"t\"\n\
                 script = \"\"\"\nrepeat 100 {{\n  {op}\n}}\n\"\"\"\n"
            );
            let run = live(&scenario("lateness.toml", &src), tick_ns);
            assert_eq!(run.outcome, Outcome::Completed);
            let pcs: Vec<u64> = run
                .events
                .iter()
                .filter(|e| e.tag == "pc" && e.args[0] == 0)
                .map(|e| e.ns)
                .collect();
            assert_eq!(pcs.len(), 100, "one pc event an iteration");
            let mut late: Vec<f64> = pcs
                .windows(2)
                .map(|w| (w[1] as f64 - w[0] as f64 - tick_ns as f64) / 1e3)
                .collect();
            let gaps = late.len();
            println!(
                "{:>10} {:>6} {:>6} {:>12.1} {:>12.1}",
                op,
                weft::event::format_duration(tick_ns),
                gaps,
                quantile(&mut late, 0.5),
                quantile(&mut late, 0.99),
            );
        }
    }
    println!("(p99 by nearest rank: of 99 gaps, the largest)");
}

/// Table 3.
fn deadlock() {
    const SRC: &str = r#"
[scenario]
name = "ABBA"
[machine]
cpus = 2
[locks]
A = "mutex"
B = "mutex"
[[task]]
name = "t1"
script = """
acquire A
sleep 1
acquire B
"""
[[task]]
name = "t2"
script = """
acquire B
sleep 1
acquire A
"""
"#;
    const RUNS: usize = 10;
    println!("\n3. deadlock to end: ABBA, tick 10ms, {RUNS} runs, from the last lock_wait");
    let s = scenario("abba.toml", SRC);
    let mut to_end = Vec::new();
    let mut to_report = Vec::new();
    for _ in 0..RUNS {
        let run = live(&s, 10 * MS);
        assert_eq!(run.outcome, Outcome::Deadlock);
        let wait = run
            .events
            .iter()
            .rfind(|e| e.tag == "lock_wait")
            .expect("a lock_wait")
            .ns;
        let found = run
            .events
            .iter()
            .find(|e| e.tag == "deadlock")
            .expect("a deadlock event")
            .ns;
        to_report.push((found - wait) as f64 / 1e3);
        to_end.push((run.end().ns - wait) as f64 / 1e3);
    }
    println!("{:>22} {:>12} {:>12}", "", "median us", "max us");
    for (what, xs) in [
        ("lock_wait -> deadlock", &mut to_report),
        ("lock_wait -> end", &mut to_end),
    ] {
        println!(
            "{:>22} {:>12.1} {:>12.1}",
            what,
            quantile(xs, 0.5),
            quantile(xs, 1.0)
        );
    }
}

/// Table 4.
fn makespan() {
    const RUNS: usize = 3;
    println!("\n4. makespan: end tick live / sim, machine.tick, median of {RUNS} live runs");
    println!(
        "{:<22} {:>5} {:>5} {:>14} {:>7}  live outcome",
        "lesson", "tick", "sim", "live", "ratio"
    );
    for name in LESSONS {
        let s = lesson(name);
        let (_, events) = weft::sim::simulate(&s, &weft::sim::Options::default());
        let sim = events.last().expect("sim events").tick;
        let tick_ns = parse_duration(&s.machine.tick).expect("machine.tick");
        let runs: Vec<Run> = (0..RUNS).map(|_| live(&s, tick_ns)).collect();
        let ticks: Vec<u64> = runs.iter().map(|r| r.end().tick).collect();
        let mut ratios: Vec<f64> = ticks.iter().map(|&t| t as f64 / sim as f64).collect();
        let mut outcomes: Vec<String> = runs
            .iter()
            .map(|r| format!("{:?}", r.outcome).to_lowercase())
            .collect();
        outcomes.sort();
        outcomes.dedup();
        println!(
            "{:<22} {:>5} {:>5} {:>14} {:>7.2}  {}",
            name,
            s.machine.tick,
            sim,
            ticks
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(" "),
            quantile(&mut ratios, 0.5),
            outcomes.join(" "),
        );
    }
}

/// Children of this process left unreaped (Linux: from /proc).
fn zombies() {
    #[cfg(target_os = "linux")]
    {
        let me = std::process::id().to_string();
        let mut left = 0;
        for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
            let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
                continue;
            };
            // pid (comm) state ppid ...: comm may hold spaces, so split after ')'.
            let Some((_, rest)) = stat.rsplit_once(')') else {
                continue;
            };
            let mut fields = rest.split_whitespace();
            let (state, ppid) = (fields.next(), fields.next());
            if ppid == Some(me.as_str()) && state == Some("Z") {
                left += 1;
            }
        }
        println!("\nzombie children left: {left}");
        assert_eq!(left, 0, "the engine reaps its processes");
    }
}
