//! Real time for a live run: `compute` burns the calling thread's own CPU
//! time (a busy loop checked against the thread's CPU clock, so a thread
//! that the OS does not run takes longer in wall time, as a real one does),
//! and sleeps come in short slices so that the end of a run is noticed.

use std::time::{Duration, Instant};

use nix::time::{clock_gettime, ClockId};

/// The longest slice of a sleep or a burn between looks at the run.
const SLICE: Duration = Duration::from_millis(10);

/// This thread's CPU time in nanoseconds.
pub fn thread_cpu_ns() -> u64 {
    clock_gettime(ClockId::CLOCK_THREAD_CPUTIME_ID)
        .map(|t| (t.tv_sec() as u64).saturating_mul(1_000_000_000) + t.tv_nsec() as u64)
        .unwrap_or(0)
}

/// Burns `ns` of this thread's CPU time; false when `stop` said to stop first.
pub fn burn(ns: u64, stop: impl Fn() -> bool) -> bool {
    let target = thread_cpu_ns().saturating_add(ns);
    let mut look = Instant::now() + SLICE;
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    loop {
        for _ in 0..256 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
        }
        std::hint::black_box(x);
        if thread_cpu_ns() >= target {
            return true;
        }
        if Instant::now() >= look {
            if stop() {
                return false;
            }
            look = Instant::now() + SLICE;
        }
    }
}

/// Sleeps until `until`; false when `stop` said to stop first.
pub fn sleep_until(until: Instant, stop: impl Fn() -> bool) -> bool {
    loop {
        let now = Instant::now();
        if now >= until {
            return true;
        }
        if stop() {
            return false;
        }
        std::thread::sleep((until - now).min(SLICE));
    }
}
