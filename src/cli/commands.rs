//! The commands of CLI.md.

/// Prints a line on stdout; a closed pipe (`weft list | head -1`) ends the
/// output quietly instead of failing.
macro_rules! say {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use super::builtin::BUILTIN;
use super::load::{self, Failure};
use super::{Command, EngineKind, RunFlags};
use crate::report::{render_text, Report};
use crate::scenario::parse;
use crate::sim::Options;
use crate::trace::Trace;

/// Runs one command and returns the exit code.
/// `picker_mouse` is for the bare command's picker; `run` and `replay`
/// carry their own `--no-mouse`.
pub fn dispatch(command: Option<Command>, picker_mouse: bool) -> i32 {
    let result = match command {
        None => picker(picker_mouse),
        Some(Command::Run {
            file,
            headless,
            json,
            no_mouse,
            compare,
            flags,
            ..
        }) if compare => super::live::compare(&file, headless, json, !no_mouse, &flags),
        Some(Command::Run {
            file,
            headless,
            json,
            record,
            no_mouse,
            schedule: Some(schedule),
            flags,
            ..
        }) => super::check::run_schedule(
            &file,
            &schedule,
            headless,
            json,
            record.as_deref(),
            !no_mouse,
            &flags,
        ),
        Some(Command::Run {
            file,
            headless,
            json,
            record,
            no_mouse,
            flags,
            ..
        }) => run(&file, headless, json, record.as_deref(), !no_mouse, &flags),
        Some(Command::Check {
            file,
            json,
            save,
            tui,
            preemption_bound,
            max_states,
            max_memory,
            hash_compact,
            no_reduction,
            dfs,
            first,
            quiet,
            seed,
            max_ticks,
            no_mouse,
        }) => super::check::check(
            &file,
            &super::check::Flags {
                json,
                save,
                tui,
                quiet,
                mouse: !no_mouse,
                options: crate::check::Options {
                    sim: Options {
                        seed,
                        max_ticks,
                        ..Options::default()
                    },
                    max_states,
                    preemption_bound,
                    reduce: !no_reduction,
                    compact: hash_compact,
                    max_memory: max_memory.saturating_mul(1 << 20),
                    depth_first: dfs,
                    first,
                },
            },
        ),
        Some(Command::Replay {
            trace,
            headless,
            json,
            partial,
            follow,
            no_mouse,
        }) => {
            let open = if follow { super::watch::follow } else { replay };
            open(&trace, headless, json, partial, !no_mouse)
        }
        Some(Command::Watch {
            headless,
            json,
            trace,
            no_mouse,
            command,
        }) => super::watch::watch(&command, trace, headless, json, !no_mouse),
        Some(Command::Validate { files }) => Ok(validate(&files)),
        Some(Command::List) => Ok(list()),
        Some(Command::Test { dir, flags }) => test(dir, &flags),
        Some(Command::LiveWorker) => Ok(crate::live::process::worker_main()),
    };
    match result {
        Ok(code) => code,
        Err(f) => report_failure(&f),
    }
}

/// Prints a failure to stderr and returns its exit code.
fn report_failure(f: &Failure) -> i32 {
    let mut err = anstream::stderr();
    match f {
        Failure::BadInput(text) => {
            let _ = writeln!(err, "error: {text}");
            2
        }
        Failure::Scenario(d) => {
            let _ = write!(err, "{}", d.render(true));
            2
        }
        Failure::Internal(text) => {
            let _ = writeln!(err, "internal error: {text}");
            1
        }
    }
}

pub(super) fn options(flags: &RunFlags) -> Result<Options, Failure> {
    if flags.engine == EngineKind::Live {
        return Err(Failure::BadInput(
            "weft test runs the simulator only; run a scenario live with weft run FILE --engine live"
                .into(),
        ));
    }
    Ok(Options {
        seed: flags.seed,
        max_ticks: flags.max_ticks,
        ..Options::default()
    })
}

/// Whether `run` and `replay` open the TUI: on a terminal, unless
/// `--headless` or `--json` (which implies it) asks for a report.
pub(super) fn opens_tui(headless: bool, json: bool) -> bool {
    !headless && !json && std::io::stdout().is_terminal()
}

fn run(
    file: &str,
    headless: bool,
    json: bool,
    record: Option<&Path>,
    mouse: bool,
    flags: &RunFlags,
) -> Result<i32, Failure> {
    if flags.engine == EngineKind::Live {
        return super::live::run(file, headless, json, record, mouse, flags);
    }
    let options = options(flags)?;
    let scenario = load::scenario(file)?;
    let tty = opens_tui(headless, json);
    if tty && record.is_none() {
        return super::tui::open_scenario(scenario, options, mouse);
    }
    let (trace, limited) = load::run_headless(&scenario, &options, record)?;
    if let Some(warning) = limited {
        let _ = writeln!(anstream::stderr(), "warning: {warning}");
    }
    if tty {
        // With --record: the trace is written whole first, then the TUI
        // opens on the scenario (not on the trace), so that restart and
        // be-the-scheduler work; it streams the same deterministic run.
        drop(trace);
        return super::tui::open_scenario(scenario, options, mouse);
    }
    print_report(&trace, json)
}

fn replay(
    path: &Path,
    headless: bool,
    json: bool,
    partial: bool,
    mouse: bool,
) -> Result<i32, Failure> {
    let trace = load::trace(path, partial)?;
    if opens_tui(headless, json) {
        return super::tui::open_trace(trace, mouse);
    }
    print_report(&trace, json)
}

/// Prints the text or JSON report and returns the run's exit code.
pub fn print_report(trace: &Trace, json: bool) -> Result<i32, Failure> {
    let report = Report::from_trace(trace);
    let mut out = anstream::stdout();
    let text = if json {
        serde_json::to_string_pretty(&report).map_err(|e| Failure::Internal(e.to_string()))?
    } else {
        render_text(&report, true)
    };
    let _ = writeln!(out, "{text}");
    Ok(report.exit_code())
}

fn validate(files: &[String]) -> i32 {
    let mut code = 0;
    let mut expanded = Vec::new();
    for file in files {
        match scenario_files(Path::new(file)) {
            Ok(Some(found)) if found.is_empty() => {
                code = code.max(report_failure(&Failure::BadInput(format!(
                    "{file}: no scenario (*.toml) in this folder"
                ))));
            }
            Ok(Some(found)) => expanded.extend(found.into_iter().map(|p| p.display().to_string())),
            Ok(None) => expanded.push(file.clone()),
            Err(f) => code = code.max(report_failure(&f)),
        }
    }
    for file in &expanded {
        match load::scenario(file) {
            Ok(s) => say!("{file}: ok ({}: {} tasks)", s.name, s.tasks.len()),
            Err(f) => code = code.max(report_failure(&f)),
        }
    }
    code
}

fn list() -> i32 {
    for (file, text) in BUILTIN {
        let name = file.trim_end_matches(".toml");
        let line = match parse(file, text.as_bytes()) {
            Ok(s) => first_sentence(&s.description),
            Err(_) => "(does not parse)".to_string(),
        };
        say!("{name:28} {line}");
    }
    0
}

/// The first sentence of a description, on one line.
pub fn first_sentence(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.find(". ") {
        Some(i) => flat[..=i].to_string(),
        None => flat,
    }
}

/// A scenario for `weft test`: its name for messages and its bytes.
type Source = (String, Vec<u8>);

/// The scenario files (`*.toml`, sorted) of a folder; `None` when `path`
/// is not a folder.
fn scenario_files(path: &Path) -> Result<Option<Vec<PathBuf>>, Failure> {
    if !path.is_dir() {
        return Ok(None);
    }
    let entries = std::fs::read_dir(path)
        .map_err(|e| Failure::BadInput(format!("{}: {e}", path.display())))?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    Ok(Some(paths))
}

fn test_sources(dir: Option<PathBuf>) -> Result<Vec<Source>, Failure> {
    let dir = match dir {
        Some(d) => d,
        None if Path::new("scenarios").is_dir() => PathBuf::from("scenarios"),
        None => {
            return Ok(BUILTIN
                .iter()
                .map(|(f, t)| (format!("(built-in) {f}"), t.as_bytes().to_vec()))
                .collect())
        }
    };
    let paths = match scenario_files(&dir)? {
        Some(paths) if paths.is_empty() => {
            return Err(Failure::BadInput(format!(
                "{}: no scenario (*.toml) in this folder",
                dir.display()
            )))
        }
        Some(paths) => paths,
        None => vec![dir],
    };
    paths
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p)
                .map_err(|e| Failure::BadInput(format!("{}: {e}", p.display())))?;
            Ok((p.display().to_string(), bytes))
        })
        .collect()
}

fn test(dir: Option<PathBuf>, flags: &RunFlags) -> Result<i32, Failure> {
    let options = options(flags)?;
    let (mut passed, mut failed, mut bad, mut skipped) = (0, 0, 0, 0);
    for (name, bytes) in test_sources(dir)? {
        let outcome = parse(&name, &bytes)
            .map_err(|d| Failure::Scenario(Box::new(d)))
            .and_then(|s| {
                if s.expect.is_none() {
                    return Ok(None);
                }
                load::run_headless(&s, &options, None).map(|(t, _)| Some(Report::from_trace(&t)))
            });
        match outcome {
            Ok(None) => {
                skipped += 1;
                say!("skip {name} (no [expect])");
            }
            Ok(Some(r)) if r.expectation_met() => {
                passed += 1;
                say!("ok   {name}");
            }
            Ok(Some(r)) => {
                failed += 1;
                say!("FAIL {name}: {}", mismatch(&r));
            }
            Err(f) => {
                bad += 1;
                say!("FAIL {name}: cannot run");
                report_failure(&f);
            }
        }
    }
    if skipped > 0 {
        say!(
            "{passed} passed, {} failed, {skipped} skipped",
            failed + bad
        );
    } else {
        say!("{passed} passed, {} failed", failed + bad);
    }
    Ok(if bad > 0 {
        2
    } else if failed > 0 {
        4
    } else {
        0
    })
}

/// What did not match an expectation, in one line.
fn mismatch(r: &Report) -> String {
    let Some(e) = &r.expect else {
        return String::new();
    };
    let mut parts = Vec::new();
    if let Some(why) = &e.reason {
        parts.push(format!("not judged: {why}"));
    }
    if e.outcome_ok == Some(false) {
        let got = r.outcome.unwrap_or("unfinished");
        parts.push(format!("expected outcome {}, got {got}", e.outcome));
    }
    for c in e.checks.iter().filter(|c| c.ok == Some(false)) {
        let values = c.values.as_deref().unwrap_or("");
        parts.push(format!("`{}` does not hold ({values})", c.check));
    }
    parts.join("; ")
}

fn picker(mouse: bool) -> Result<i32, Failure> {
    if !std::io::stdout().is_terminal() {
        say!("weft: no terminal; the built-in scenarios are:");
        list();
        say!("\nrun one with `weft run NAME --headless`");
        return Ok(0);
    }
    super::tui::open_picker(mouse)
}
