//! What `weft::sync` costs beside the raw primitives it wraps, measured
//! side by side in one run:
//!
//! - an uncontended lock and unlock: raw parking_lot, `weft::sync::Mutex`
//!   with no recording (one flag check over parking_lot), then recording
//!   (two events, each a clock read and a push into the thread's ring);
//! - the same with 4 threads on one lock (time per lock and unlock);
//! - a send and a receive on a bounded channel: raw crossbeam, then weft's.
//!
//! The recording starts halfway (one recording a process), so every
//! "recording on" figure comes after the "off" ones. A loop that does
//! nothing but lock and unlock makes events faster than the writer can
//! write them (see `benches/recorder.rs`): most are dropped, and counted.
//!
//! ```sh
//! cargo bench --bench sync
//! ```

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};

const THREADS: u64 = 4;

/// Runs `op` `iters` times in all over `THREADS` threads; the time taken.
fn contended(iters: u64, op: impl Fn() + Send + Sync + 'static) -> Duration {
    let op = Arc::new(op);
    let start = Instant::now();
    let threads: Vec<_> = (0..THREADS)
        .map(|_| {
            let op = op.clone();
            weft::sync::thread::spawn(move || {
                for _ in 0..iters / THREADS {
                    op();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("a worker");
    }
    start.elapsed()
}

/// Some work between two locks: 256 steps of a generator.
fn work() {
    let mut x = std::hint::black_box(0x9E37_79B9_7F4A_7C15u64);
    for _ in 0..256 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    std::hint::black_box(x);
}

fn bench(c: &mut Criterion) {
    let raw = Arc::new(parking_lot::Mutex::new(0u64));
    let weft_lock = Arc::new(weft::sync::Mutex::named("bench", 0u64));
    let (raw_tx, raw_rx) = crossbeam_channel::bounded::<u64>(64);
    let (tx, rx) = weft::sync::channel::bounded_named::<u64>("bench-q", 64);
    let runs = |c: &mut Criterion, when: &str| {
        let mut g = c.benchmark_group(format!("uncontended lock+unlock, {when}"));
        let r = raw.clone();
        g.bench_function("parking_lot (raw)", |b| b.iter(|| *r.lock() += 1));
        let w = weft_lock.clone();
        g.bench_function("weft::sync", |b| b.iter(|| *w.lock() += 1));
        g.finish();
        // With work between the locks the writer keeps up, so this is the
        // cost of recording when nothing is dropped.
        let mut g = c.benchmark_group(format!("lock+unlock after 256 steps of work, {when}"));
        let r = raw.clone();
        g.bench_function("parking_lot (raw)", |b| {
            b.iter(|| {
                work();
                *r.lock() += 1
            })
        });
        let w = weft_lock.clone();
        g.bench_function("weft::sync", |b| {
            b.iter(|| {
                work();
                *w.lock() += 1
            })
        });
        g.finish();
        let mut g = c.benchmark_group(format!("4 threads on one lock, {when}"));
        let r = raw.clone();
        g.bench_function("parking_lot (raw)", |b| {
            b.iter_custom(|n| {
                let r = r.clone();
                contended(n, move || *r.lock() += 1)
            })
        });
        let w = weft_lock.clone();
        g.bench_function("weft::sync", |b| {
            b.iter_custom(|n| {
                let w = w.clone();
                contended(n, move || *w.lock() += 1)
            })
        });
        g.finish();
        let mut g = c.benchmark_group(format!("channel send+recv, {when}"));
        g.bench_function("crossbeam (raw)", |b| {
            b.iter(|| {
                raw_tx.send(1).expect("room");
                raw_rx.recv().expect("an item")
            })
        });
        g.bench_function("weft::sync", |b| {
            b.iter(|| {
                tx.send(1).expect("room");
                rx.recv().expect("an item")
            })
        });
        g.finish();
    };
    runs(c, "recording off");
    // From here on this process records.
    let path = std::env::temp_dir().join(format!("weft-bench-{}.trace", std::process::id()));
    let rec = weft::sync::record(&path).expect("a trace file");
    runs(c, "recording on");
    let dropped = rec.dropped();
    rec.finish();
    let written = std::fs::read_to_string(&path)
        .expect("the trace")
        .lines()
        .filter(|l| l.starts_with('['))
        .count();
    // The recording did record, and what it could not keep it counted.
    assert!(written > 0, "nothing was written");
    eprintln!("while recording: {written} events written, {dropped} dropped");
    let _ = std::fs::remove_file(&path);
}

criterion_group!(benches, bench);
criterion_main!(benches);
