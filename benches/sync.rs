//! What `weft::sync` costs: an uncontended lock and unlock of
//! `weft::sync::Mutex` beside the same on raw parking_lot, first with no
//! recording (one flag check over parking_lot), then recording to a trace
//! file (a clock read and two events sent to the writer). Report the
//! ratios: recording off against raw, recording on against raw.
//!
//! ```sh
//! cargo bench --bench sync
//! ```

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("uncontended lock+unlock");
    let raw = parking_lot::Mutex::new(0u64);
    g.bench_function("parking_lot (raw)", |b| {
        b.iter(|| {
            *raw.lock() += 1;
        })
    });
    let m = weft::sync::Mutex::named("bench", 0u64);
    g.bench_function("weft::sync, recording off", |b| {
        b.iter(|| {
            *m.lock() += 1;
        })
    });
    // From here on this process records (one recording a process).
    let path = std::env::temp_dir().join(format!("weft-bench-{}.trace", std::process::id()));
    let rec = weft::sync::record(&path).expect("a trace file");
    let on = weft::sync::Mutex::named("bench-on", 0u64);
    g.bench_function("weft::sync, recording on", |b| {
        b.iter(|| {
            *on.lock() += 1;
        })
    });
    g.bench_function("parking_lot (raw), while recording", |b| {
        b.iter(|| {
            *raw.lock() += 1;
        })
    });
    g.finish();
    let dropped = rec.dropped();
    rec.finish();
    black_box(dropped);
    eprintln!("events dropped while recording: {dropped}");
    let _ = std::fs::remove_file(&path);
}

criterion_group!(benches, bench);
criterion_main!(benches);
