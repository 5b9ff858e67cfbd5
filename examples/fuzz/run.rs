//! The loop of the long run: figures per target, the watchdog for hangs,
//! the peak memory, and what is done with a failing input.

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use arbitrary::Unstructured;

use crate::harness::minimize::minimize;
use crate::harness::mutate::{scenario_input, trace_input};
use crate::harness::{self, corpus, input_seed, Rng, Target, Verdict};

/// An input slower than this is saved and minimised.
const SLOW: Duration = Duration::from_secs(2);
/// A peak memory above this is a failure.
const MAX_MEMORY_KB: u64 = 2 << 20;
/// The watchdog gives up on an input after this long: a hang.
const HANG: Duration = Duration::from_secs(120);
/// At most this many failing inputs are saved per target and kind of failure.
const MAX_SAVED: u32 = 10;

/// The targets a run exercises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selection {
    One(Target),
    All,
}

impl Selection {
    /// From the `--target` flag.
    pub fn parse(s: &str) -> Option<Selection> {
        match s {
            "all" => Some(Selection::All),
            _ => Target::ALL
                .into_iter()
                .find(|t| t.name() == s)
                .map(Selection::One),
        }
    }

    fn has(self, t: Target) -> bool {
        self == Selection::All || self == Selection::One(t)
    }
}

/// The figures of one target.
#[derive(Default)]
struct Stats {
    tried: u64,
    busy: Duration,
    kinds: BTreeMap<String, u64>,
    slowest: Option<(Duration, u64, usize)>,
    saved: BTreeMap<&'static str, u32>,
}

/// What the watchdog sees: the input in flight and since when.
type InFlight = Arc<Mutex<Option<(Target, u64, Vec<u8>, Instant)>>>;

/// A long run.
pub struct Run {
    selection: Selection,
    seed: u64,
    max_events: usize,
    scenarios: Vec<Vec<u8>>,
    traces: Vec<Vec<u8>>,
    stats: BTreeMap<Target, Stats>,
    peak_kb: u64,
    in_flight: InFlight,
    /// The open `inflight-TARGET.bin` files, rewritten in place before each call.
    in_flight_files: BTreeMap<Target, fs::File>,
    crashes: PathBuf,
}

impl Run {
    /// A run from the corpus and the lessons, with traces recorded from them.
    pub fn new(selection: Selection, seed: u64, max_events: usize) -> Run {
        let mut scenarios: Vec<Vec<u8>> = corpus::load(&corpus::dir("scenario"))
            .into_iter()
            .map(|(_, b)| b)
            .collect();
        let lessons = corpus::lessons();
        let mut traces: Vec<Vec<u8>> = corpus::load(&corpus::dir("trace"))
            .into_iter()
            .map(|(_, b)| b)
            .collect();
        traces.extend(lessons.iter().filter_map(|(_, b)| corpus::record(b)));
        traces.retain(|t| t.len() <= 256 << 10);
        scenarios.extend(lessons.into_iter().map(|(_, b)| b));
        scenarios.sort();
        scenarios.dedup();
        let crashes = corpus::root().join("target/fuzz-crashes");
        let _ = fs::create_dir_all(&crashes);
        Run {
            selection,
            seed,
            max_events,
            scenarios,
            traces,
            stats: BTreeMap::new(),
            peak_kb: 0,
            in_flight: Arc::new(Mutex::new(None)),
            in_flight_files: BTreeMap::new(),
            crashes,
        }
    }

    /// Fuzzes for `length`, printing figures every ~10 s and at the end.
    pub fn fuzz(&mut self, length: Duration) {
        println!(
            "fuzzing for {:.1} min, seed {}, {} scenario and {} trace seeds",
            length.as_secs_f64() / 60.0,
            self.seed,
            self.scenarios.len(),
            self.traces.len()
        );
        self.watchdog();
        let start = Instant::now();
        let mut last_print = Instant::now();
        let mut i = 0u64;
        while start.elapsed() < length {
            let s = input_seed(self.seed, i);
            let mut rng = Rng::new(s);
            let len = 256 + (rng.next_u64() % 8192) as usize;
            let data = rng.bytes(len);
            let want_sim = self.selection.has(Target::Sim);
            if self.selection.has(Target::Scenario) || want_sim {
                let input = scenario_input(&mut Unstructured::new(&data), &self.scenarios);
                let (parse, scenario) =
                    self.call(Target::Scenario, s, &input, harness::check_scenario);
                if let (Some(scenario), true) = (scenario, want_sim) {
                    let max = self.max_events;
                    self.call(Target::Sim, s, &input, |_| {
                        (harness::check_sim(&scenario, max), ())
                    });
                }
                drop(parse);
            }
            if self.selection.has(Target::Trace) {
                let input = trace_input(&mut Unstructured::new(&data), &self.traces);
                self.call(Target::Trace, s, &input, |b| (harness::check_trace(b), ()));
            }
            i += 1;
            if last_print.elapsed() >= Duration::from_secs(10) {
                self.print(start.elapsed(), false);
                last_print = Instant::now();
            }
        }
        *self.in_flight.lock().unwrap_or_else(|e| e.into_inner()) = None;
        self.print(start.elapsed(), true);
    }

    /// Writes the input about to be tried to `inflight-TARGET.bin`, keeping
    /// the file open: an open, write and close for every input would cost
    /// more than many of the inputs themselves.
    fn write_in_flight(&mut self, target: Target, input: &[u8]) {
        use std::os::unix::fs::FileExt;
        if !self.in_flight_files.contains_key(&target) {
            let path = self.crashes.join(format!("inflight-{}.bin", target.name()));
            match fs::File::create(path) {
                Ok(f) => {
                    self.in_flight_files.insert(target, f);
                }
                Err(_) => return,
            }
        }
        if let Some(f) = self.in_flight_files.get(&target) {
            let _ = f.set_len(input.len() as u64);
            let _ = f.write_all_at(input, 0);
        }
    }

    /// Calls one target on one input, counts what it did and deals with a failure.
    fn call<T>(
        &mut self,
        target: Target,
        seed: u64,
        input: &[u8],
        f: impl FnOnce(&[u8]) -> (Verdict, T),
    ) -> (Verdict, T) {
        // On disk too: an abort (a stack overflow) kills the watchdog as well.
        self.write_in_flight(target, input);
        *self.in_flight.lock().unwrap_or_else(|e| e.into_inner()) =
            Some((target, seed, input.to_vec(), Instant::now()));
        let (verdict, value) = f(input);
        *self.in_flight.lock().unwrap_or_else(|e| e.into_inner()) = None;
        let hwm = peak_kb();
        self.peak_kb = self.peak_kb.max(hwm);
        if hwm > 512 << 10 {
            reset_peak();
        }
        let stats = self.stats.entry(target).or_default();
        stats.tried += 1;
        stats.busy += verdict.elapsed;
        *stats.kinds.entry(verdict.kind.clone()).or_default() += 1;
        if stats.slowest.is_none_or(|(d, _, _)| verdict.elapsed > d) {
            stats.slowest = Some((verdict.elapsed, seed, input.len()));
            let _ = fs::write(
                self.crashes.join(format!("slowest-{}.bin", target.name())),
                input,
            );
        }
        let failure = if verdict.problem.is_some() {
            Some(if verdict.kind == "panic" {
                "panic"
            } else {
                "unlocated"
            })
        } else if verdict.elapsed > SLOW {
            Some("slow")
        } else if hwm > MAX_MEMORY_KB {
            Some("memory")
        } else {
            None
        };
        if let Some(kind) = failure {
            self.failed(target, kind, seed, input, &verdict, hwm);
        }
        (verdict, value)
    }

    /// Saves a failing input and its minimised form.
    fn failed(
        &mut self,
        target: Target,
        kind: &'static str,
        seed: u64,
        input: &[u8],
        v: &Verdict,
        kb: u64,
    ) {
        let saved = self
            .stats
            .entry(target)
            .or_default()
            .saved
            .entry(kind)
            .or_default();
        *saved += 1;
        let n = *saved;
        println!(
            "!! {} {kind}: seed {seed:#018x}, {} bytes, {:.2?}, {} MiB peak: {}",
            target.name(),
            input.len(),
            v.elapsed,
            kb >> 10,
            v.problem.as_deref().unwrap_or(&v.kind)
        );
        if n > MAX_SAVED {
            return;
        }
        let stem = format!("{kind}-{}-{seed:016x}", target.name());
        let _ = fs::write(self.crashes.join(format!("{stem}.bin")), input);
        if n > 3 && kind != "panic" {
            return;
        }
        let max = self.max_events;
        let still = |b: &[u8]| {
            let v = verdict_of(target, b, max);
            match kind {
                "panic" => v.kind == "panic",
                "unlocated" => v.problem.is_some(),
                "slow" => v.elapsed > SLOW,
                _ => {
                    let out = peak_kb() > MAX_MEMORY_KB;
                    reset_peak();
                    out
                }
            }
        };
        let budget = Duration::from_secs(if kind == "panic" { 60 } else { 180 });
        let small = minimize(input, still, budget);
        let _ = fs::write(self.crashes.join(format!("{stem}.min")), &small);
        println!(
            "   minimised to {} bytes: target/fuzz-crashes/{stem}.min",
            small.len()
        );
    }

    /// A thread that saves the input in flight and ends the run when one hangs.
    fn watchdog(&self) {
        let in_flight = Arc::clone(&self.in_flight);
        let dir = self.crashes.clone();
        std::thread::spawn(move || loop {
            std::thread::sleep(Duration::from_secs(1));
            let guard = in_flight.lock().unwrap_or_else(|e| e.into_inner());
            if let Some((target, seed, input, since)) = guard.as_ref() {
                if since.elapsed() > HANG {
                    let path = dir.join(format!("hang-{}-{seed:016x}.bin", target.name()));
                    let _ = fs::write(&path, input);
                    println!(
                        "!! {} hang: seed {seed:#018x}, saved to {}",
                        target.name(),
                        path.display()
                    );
                    std::process::exit(1);
                }
            }
        });
    }

    fn print(&self, elapsed: Duration, last: bool) {
        let secs = elapsed.as_secs_f64();
        println!(
            "{} {:.0} s, peak memory (VmHWM) {} MiB",
            if last { "== done after" } else { "--" },
            secs,
            self.peak_kb.max(peak_kb()) >> 10
        );
        for (target, s) in &self.stats {
            let kinds: Vec<String> = s.kinds.iter().map(|(k, n)| format!("{k} {n}")).collect();
            let (slow, seed, len) = s.slowest.unwrap_or_default();
            println!(
                "  {:<8} {:>9} inputs, {:>7.0}/s ({:.0}/s busy); slowest {:.3?} (seed {seed:#018x}, {len} bytes); {}",
                target.name(),
                s.tried,
                s.tried as f64 / secs.max(1e-9),
                s.tried as f64 / s.busy.as_secs_f64().max(1e-9),
                slow,
                kinds.join(", ")
            );
            if !s.saved.is_empty() {
                println!("           failures: {:?}", s.saved);
            }
        }
    }
}

/// Runs one target on `bytes` as the fuzz loop would.
fn verdict_of(target: Target, bytes: &[u8], max_events: usize) -> Verdict {
    match target {
        Target::Scenario => harness::check_scenario(bytes).0,
        Target::Sim => match harness::check_scenario_and_run(bytes, max_events) {
            (_, Some(run)) => run,
            (parse, None) => parse,
        },
        Target::Trace => harness::check_trace(bytes),
    }
}

/// Runs one saved input and prints what it did.
pub fn replay(bytes: &[u8], selection: Selection, max_events: usize) {
    let start = Instant::now();
    let parsed = weft::scenario::parse(harness::PATH, bytes);
    let parse_time = start.elapsed();
    if let Err(d) = parsed {
        let start = Instant::now();
        let text = d.render(false);
        println!(
            "parse alone {parse_time:.3?}: {} errors, rendered in {:.3?} ({} lines)",
            d.items.len(),
            start.elapsed(),
            text.lines().count()
        );
    }
    for target in Target::ALL.into_iter().filter(|t| selection.has(*t)) {
        let v = verdict_of(target, bytes, max_events);
        println!(
            "{}: {} in {:.3?}, peak {} MiB{}",
            target.name(),
            v.kind,
            v.elapsed,
            peak_kb() >> 10,
            v.problem.map(|p| format!("\n{p}")).unwrap_or_default()
        );
    }
}

/// The process's peak resident memory in KiB (`VmHWM`).
fn peak_kb() -> u64 {
    use std::io::{Read, Seek};
    thread_local! {
        static STATUS: std::cell::RefCell<Option<fs::File>> =
            std::cell::RefCell::new(fs::File::open("/proc/self/status").ok());
    }
    let mut status = String::with_capacity(2048);
    STATUS.with(|f| {
        if let Some(f) = f.borrow_mut().as_mut() {
            if f.rewind().is_ok() {
                let _ = f.read_to_string(&mut status);
            }
        }
    });
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// Resets `VmHWM` to the current size, so that the next input's peak is its own.
fn reset_peak() {
    let _ = fs::write("/proc/self/clear_refs", "5");
}
