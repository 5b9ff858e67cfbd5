//! How many events a second the recorder writes: four threads, each locking
//! and unlocking a mutex of its own (two events a round), paced to a total
//! rate, for one second into a trace file. For each rate it reports the
//! events written and dropped, the rate reached, and the trace's bytes per
//! event; past the writer's rate the threads drop (counted) instead of
//! waiting, which the last column shows.
//!
//! Each rate runs in a child process of its own (one recording a process),
//! which this program starts, waits for and reaps.
//!
//! ```sh
//! cargo bench --bench recorder
//! ```

use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const THREADS: u64 = 4;
const LENGTH: Duration = Duration::from_secs(1);

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child") {
        let rate: u64 = args[i + 1].parse().expect("a rate");
        return child(rate);
    }
    println!(
        "threads {THREADS}, {LENGTH:?} a rate; events/s asked -> written/s, dropped, bytes/event"
    );
    let me = std::env::current_exe().expect("this program");
    for rate in [1_000_000u64, 2_000_000, 5_000_000, 10_000_000, u64::MAX] {
        let out = Command::new(&me)
            .args(["--child", &rate.to_string()])
            .output()
            .expect("the child runs");
        assert!(out.status.success(), "{out:?}");
        print!("{}", String::from_utf8_lossy(&out.stdout));
    }
}

/// One rate: the workload, then the figures read back from the trace.
fn child(rate: u64) {
    let path = std::env::temp_dir().join(format!("weft-recorder-{}.trace", std::process::id()));
    let rec = weft::sync::record(&path).expect("a trace file");
    let produced = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let per_thread = rate / THREADS;
    let start = Instant::now();
    let workers: Vec<_> = (0..THREADS)
        .map(|i| {
            let (produced, stop) = (produced.clone(), stop.clone());
            weft::sync::thread::Builder::new()
                .name(format!("w{i}"))
                .spawn(move || {
                    let m = weft::sync::Mutex::named(format!("m{i}"), 0u64);
                    let t0 = Instant::now();
                    let mut rounds = 0u64;
                    while !stop.load(Ordering::Relaxed) {
                        // Two events a round; keep to the rate asked.
                        for _ in 0..256 {
                            *m.lock() += 1;
                        }
                        rounds += 256;
                        if per_thread != u64::MAX / THREADS {
                            // Ahead of the rate, the thread sleeps (a
                            // program does its work between its locks), so
                            // the writer has the CPU the workers leave.
                            let due =
                                Duration::from_secs_f64(rounds as f64 * 2.0 / per_thread as f64);
                            if let Some(ahead) = due.checked_sub(t0.elapsed()) {
                                std::thread::sleep(ahead);
                            }
                        }
                    }
                    produced.fetch_add(rounds * 2, Ordering::Relaxed);
                })
                .expect("a thread")
        })
        .collect();
    std::thread::sleep(LENGTH);
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.join().expect("the worker ends");
    }
    let elapsed = start.elapsed();
    let dropped = rec.dropped();
    rec.finish();
    let text = std::fs::read_to_string(&path).expect("the trace");
    let _ = std::fs::remove_file(&path);
    let lock_events = text
        .lines()
        .filter(|l| l.contains("\"lock_acquire\"") || l.contains("\"lock_release\""))
        .count() as u64;
    let events = text.lines().filter(|l| l.starts_with('[')).count() as u64;
    let produced = produced.load(Ordering::Relaxed);
    // Every lock event is written or counted as dropped, never both, never lost.
    assert!(
        lock_events <= produced && lock_events + dropped >= produced,
        "written {lock_events} + dropped {dropped} against {produced} produced"
    );
    let asked = if rate == u64::MAX {
        "as fast as possible".to_string()
    } else {
        format!("{:.1}M", rate as f64 / 1e6)
    };
    println!(
        "{asked:>20} -> {:.2}M/s written, {dropped} dropped ({:.1}%), {:.1} bytes/event",
        lock_events as f64 / elapsed.as_secs_f64() / 1e6,
        100.0 * dropped as f64 / produced.max(1) as f64,
        text.len() as f64 / events.max(1) as f64,
    );
}
