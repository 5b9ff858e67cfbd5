//! `weft run FILE --engine live`: the scenario on real threads and
//! processes. The engine runs on threads of this process and writes its
//! trace as it goes; the TUI follows that trace (as `weft replay --follow`
//! does), and headless runs print the report of the finished trace.
//! Quitting the TUI, Ctrl-C or a termination signal stops the run; either
//! way every thread is joined and every process reaped before weft exits.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use super::commands::{opens_tui, print_report};
use super::load::{self, Failure};
use super::RunFlags;
use crate::event::{parse_duration, Outcome};
use crate::live::{self, TICK_RANGE};
use crate::trace::follow::Following;

/// Runs `file` live: in the TUI on a terminal, else to the end and the report.
pub fn run(
    file: &str,
    headless: bool,
    json: bool,
    record: Option<&Path>,
    mouse: bool,
    flags: &RunFlags,
) -> Result<i32, Failure> {
    let temporary = record.is_none();
    let trace = record
        .map(Path::to_path_buf)
        .unwrap_or_else(|| temp_trace("live"));
    let (scenario, sim_options, options) = prepare(file, flags, &trace)?;
    let (_, catalog) = crate::sim::build(&scenario, &sim_options);
    let stop = Arc::new(AtomicBool::new(false));
    let code = if opens_tui(headless, json) {
        in_tui(&scenario, &catalog, &options, &stop, mouse)?
    } else {
        headless_run(&scenario, &catalog, &options, &stop, json)?
    };
    if temporary {
        let _ = std::fs::remove_file(&trace);
    }
    Ok(code)
}

/// `--compare`: the simulator's run and a live run of `file`, one above
/// the other in the TUI (or both reports, headless). The live run goes to
/// its end first; the TUI then opens on both as one trace.
pub fn compare(
    file: &str,
    headless: bool,
    json: bool,
    mouse: bool,
    flags: &RunFlags,
) -> Result<i32, Failure> {
    let trace = temp_trace("compare");
    let (scenario, sim_options, options) = prepare(file, flags, &trace)?;
    let (sim_catalog, sim_events) = crate::sim::simulate(&scenario, &sim_options);
    let stop = Arc::new(AtomicBool::new(false));
    stop_on_signals(&stop);
    eprintln!("weft: running {} live…", scenario.name);
    let ran = live::run(&scenario, &sim_catalog, &options, Arc::clone(&stop));
    let live_trace = load::trace(&trace, true);
    let _ = std::fs::remove_file(&trace);
    ran.map_err(|e| Failure::BadInput(e.to_string()))?;
    let live_trace = live_trace?;
    if stop.load(Ordering::Relaxed) {
        return Ok(130);
    }
    let sim_trace = crate::trace::Trace::from_events(sim_catalog, sim_events);
    if opens_tui(headless, json) {
        let (catalog, events) = crate::trace::compare::side_by_side(
            (&sim_trace.catalog, sim_trace.events()),
            (&live_trace.catalog, live_trace.events()),
        );
        let both = crate::trace::Trace::from_events(catalog, events);
        return super::tui::open_trace(both, mouse);
    }
    let sim_report = crate::report::Report::from_trace(&sim_trace);
    let live_report = crate::report::Report::from_trace(&live_trace);
    let mut out = anstream::stdout();
    if json {
        let both = serde_json::json!({ "sim": sim_report, "live": live_report });
        let text =
            serde_json::to_string_pretty(&both).map_err(|e| Failure::Internal(e.to_string()))?;
        let _ = writeln!(out, "{text}");
    } else {
        let _ = writeln!(out, "{}", crate::report::render_text(&sim_report, true));
        let _ = writeln!(out, "{}", crate::report::render_text(&live_report, true));
    }
    Ok(live_report.exit_code())
}

/// The scenario, the simulator's settings of this run (whose builder
/// gives the catalog) and the live engine's, writing to `trace`.
fn prepare(
    file: &str,
    flags: &RunFlags,
    trace: &Path,
) -> Result<
    (
        crate::scenario::Scenario,
        crate::sim::Options,
        live::Options,
    ),
    Failure,
> {
    let scenario = load::scenario(file)?;
    let tick_ns = tick(flags, &scenario.machine.tick)?;
    let sim_options = crate::sim::Options {
        seed: flags.seed,
        max_ticks: flags.max_ticks,
        ..crate::sim::Options::default()
    };
    let options = live::Options {
        tick_ns,
        max_ticks: flags.max_ticks.unwrap_or(scenario.machine.max_ticks),
        seed: flags.seed.unwrap_or(scenario.machine.seed),
        trace: trace.to_path_buf(),
        worker: std::env::current_exe()
            .map_err(|e| Failure::Internal(format!("cannot find weft's own binary: {e}")))?,
    };
    Ok((scenario, sim_options, options))
}

/// A trace file of this process in the temporary folder.
fn temp_trace(what: &str) -> PathBuf {
    std::env::temp_dir().join(format!("weft-{what}-{}.trace", std::process::id()))
}

/// Ctrl-C and SIGTERM set `stop`: the run ends, its processes reaped.
fn stop_on_signals(stop: &Arc<AtomicBool>) {
    #[cfg(unix)]
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        let _ = signal_hook::flag::register(signal, Arc::clone(stop));
    }
}

/// The tick of a live run: `--tick`, else `machine.tick`.
fn tick(flags: &RunFlags, machine: &str) -> Result<u64, Failure> {
    let (text, from) = match &flags.tick {
        Some(t) => (t.as_str(), "--tick"),
        None => (machine, "machine.tick"),
    };
    match parse_duration(text) {
        Some(ns) if TICK_RANGE.contains(&ns) => Ok(ns),
        _ => Err(Failure::BadInput(format!(
            "{from} = {text:?}: a live run's tick is a duration from 100us to 10s, such as 10ms"
        ))),
    }
}

fn headless_run(
    scenario: &crate::scenario::Scenario,
    catalog: &crate::event::Catalog,
    options: &live::Options,
    stop: &Arc<AtomicBool>,
    json: bool,
) -> Result<i32, Failure> {
    stop_on_signals(stop);
    let outcome = live::run(scenario, catalog, options, Arc::clone(stop))
        .map_err(|e| Failure::BadInput(e.to_string()))?;
    let trace = load::trace(&options.trace, false)?;
    let code = print_report(&trace, json)?;
    if stop.load(Ordering::Relaxed) {
        return Ok(130);
    }
    Ok(match outcome {
        Outcome::Deadlock => 3,
        _ => code,
    })
}

fn in_tui(
    scenario: &crate::scenario::Scenario,
    catalog: &crate::event::Catalog,
    options: &live::Options,
    stop: &Arc<AtomicBool>,
    mouse: bool,
) -> Result<i32, Failure> {
    let done = Arc::new(AtomicBool::new(false));
    let path: PathBuf = options.trace.clone();
    let outcome = std::thread::scope(|s| {
        let engine = {
            let (stop, done) = (Arc::clone(stop), Arc::clone(&done));
            s.spawn(move || {
                let r = live::run(scenario, catalog, options, stop);
                done.store(true, Ordering::Release);
                r
            })
        };
        let shown = match super::watch::wait_for_header(&path, &scenario.name, &done) {
            Ok(Some((catalog, tail))) => {
                let feed = Following::start(tail, &path, Arc::clone(&done));
                super::tui::follow_trace(catalog, feed, mouse)
            }
            Ok(None) => Ok(0),
            Err(e) => Err(e),
        };
        // The user has quit: a run still going stops now.
        stop.store(true, Ordering::Relaxed);
        let ran = engine.join();
        (shown, ran)
    });
    let (shown, ran) = outcome;
    let signal = shown?;
    let outcome = match ran {
        Ok(r) => r.map_err(|e| Failure::BadInput(e.to_string()))?,
        Err(_) => return Err(Failure::Internal("the live engine panicked".into())),
    };
    if signal >= 128 {
        return Ok(signal);
    }
    let trace = load::trace(&path, true)?;
    let code = crate::report::Report::from_trace(&trace).exit_code();
    Ok(match outcome {
        Outcome::Deadlock => 3,
        _ => code,
    })
}
