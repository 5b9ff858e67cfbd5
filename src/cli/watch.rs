//! `weft watch -- CMD`: runs a program that uses `weft::sync` with
//! `WEFT_TRACE` pointed at a trace file, waits for it (it is always
//! reaped), then shows its trace: the TUI, or the report without a terminal.
//! The exit code is the program's (128 + the signal's number when a signal
//! ended it).
//!
//! The TUI opens once the program has ended; following a running program
//! live is not built yet.

use std::path::PathBuf;
use std::process::{Command, Stdio};

use super::commands::{opens_tui, print_report};
use super::load::{self, Failure};

/// Runs `command` recorded, then shows what it did.
pub fn watch(
    command: &[String],
    trace: Option<PathBuf>,
    headless: bool,
    json: bool,
    mouse: bool,
) -> Result<i32, Failure> {
    let Some((program, args)) = command.split_first() else {
        return Err(Failure::BadInput(
            "weft watch needs a program to run: weft watch -- CMD [ARGS]".into(),
        ));
    };
    let path = trace.unwrap_or_else(|| {
        std::env::temp_dir().join(format!("weft-watch-{}.trace", std::process::id()))
    });
    let _ = std::fs::remove_file(&path);
    let tui = opens_tui(headless, json);
    let mut cmd = Command::new(program);
    cmd.args(args).env("WEFT_TRACE", &path);
    // With the TUI to come, the program's output goes to a file beside the
    // trace rather than under the screen; it is named at the end.
    let log = path.with_extension("log");
    if tui {
        let file = std::fs::File::create(&log)
            .map_err(|e| Failure::BadInput(format!("{}: {e}", log.display())))?;
        let err = file
            .try_clone()
            .map_err(|e| Failure::Internal(e.to_string()))?;
        cmd.stdout(Stdio::from(file)).stderr(Stdio::from(err));
    }
    let status = cmd
        .status()
        .map_err(|e| Failure::BadInput(format!("cannot run {program}: {e}")))?;
    let code = exit_code(status);
    if !path.exists() || std::fs::metadata(&path).is_ok_and(|m| m.len() == 0) {
        eprintln!(
            "weft: {program} recorded nothing (does it use weft::sync?); it exited with {code}"
        );
        return Ok(code);
    }
    // A program killed before its recording ended leaves no end: show what
    // is there.
    let trace = load::trace(&path, true)?;
    if tui {
        let shown = super::tui::open_trace(trace, mouse);
        eprintln!(
            "weft: the trace is {}; the program's output is in {}",
            path.display(),
            log.display()
        );
        shown?;
    } else {
        print_report(&trace, json)?;
        eprintln!("weft: the trace is {}", path.display());
    }
    Ok(code)
}

#[cfg(unix)]
fn exit_code(status: std::process::ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    status
        .code()
        .or_else(|| status.signal().map(|n| 128 + n))
        .unwrap_or(1)
}

#[cfg(not(unix))]
fn exit_code(status: std::process::ExitStatus) -> i32 {
    status.code().unwrap_or(1)
}
