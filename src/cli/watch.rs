//! `weft watch -- CMD`: runs a program that uses `weft::sync` with
//! `WEFT_TRACE` pointed at a trace file and shows its trace: in the TUI
//! while it runs, following the file as the program writes it, or as a
//! report once it has ended. The program is always reaped; the exit code is
//! the program's (128 + the signal's number when a signal ended it).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::trace::follow::{Following, Tail};

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
    if tui {
        // The screen is the TUI's: the program reads no keys from it.
        cmd.stdin(Stdio::null());
        let child = cmd
            .spawn()
            .map_err(|e| Failure::BadInput(format!("cannot run {program}: {e}")))?;
        return watch_live(child, program, &path, &log, mouse);
    }
    let status = cmd
        .status()
        .map_err(|e| Failure::BadInput(format!("cannot run {program}: {e}")))?;
    let code = exit_code(status);
    if !recorded(&path) {
        eprintln!(
            "weft: {program} recorded nothing (does it use weft::sync?); it exited with {code}"
        );
        return Ok(code);
    }
    // A program killed before its recording ended leaves no end: show what
    // is there.
    let trace = load::trace(&path, true)?;
    print_report(&trace, json)?;
    eprintln!("weft: the trace is {}", path.display());
    Ok(code)
}

/// `weft replay TRACE --follow`: the TUI follows the trace as another
/// process writes it (waiting for its header first); headless, the report
/// is printed once the trace's end has been written.
pub fn follow(
    path: &Path,
    headless: bool,
    json: bool,
    partial: bool,
    mouse: bool,
) -> Result<i32, Failure> {
    let never = AtomicBool::new(false);
    let name = path.display().to_string();
    let Some((catalog, mut tail)) = wait_for_header(path, &name, &never)? else {
        return Err(Failure::Internal("the trace never came".into()));
    };
    if opens_tui(headless, json) {
        let feed = Following::start(tail, path, Arc::new(never));
        return super::tui::follow_trace(catalog, feed, mouse);
    }
    let mut sink = Vec::new();
    while !tail.ended() {
        tail.poll(&mut sink)
            .map_err(|e| Failure::BadInput(format!("{}: {e}", path.display())))?;
        sink.clear();
        std::thread::sleep(Duration::from_millis(20));
    }
    let trace = load::trace(path, partial)?;
    print_report(&trace, json)
}

/// Whether the program wrote a trace.
fn recorded(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.len() > 0)
}

/// The TUI on a running program: opens as soon as its trace has a header
/// and follows it; when the user quits before the program has ended, the
/// program is killed. Either way it is reaped here.
fn watch_live(
    child: Child,
    program: &str,
    path: &Path,
    log: &Path,
    mouse: bool,
) -> Result<i32, Failure> {
    let child = Arc::new(Mutex::new(child));
    let done = Arc::new(AtomicBool::new(false));
    let status: Arc<Mutex<Option<ExitStatus>>> = Arc::default();
    let waiter = {
        let (child, done, status) = (Arc::clone(&child), Arc::clone(&done), Arc::clone(&status));
        std::thread::spawn(move || loop {
            let exited = child.lock().map(|mut c| c.try_wait());
            match exited {
                Ok(Ok(Some(s))) => {
                    *status.lock().unwrap_or_else(|e| e.into_inner()) = Some(s);
                    done.store(true, Ordering::Release);
                    return;
                }
                Ok(Ok(None)) => std::thread::sleep(Duration::from_millis(10)),
                _ => {
                    done.store(true, Ordering::Release);
                    return;
                }
            }
        })
    };
    let opened = wait_for_header(path, program, &done);
    let shown = match opened {
        Ok(Some((catalog, tail))) => {
            let feed = Following::start(tail, path, Arc::clone(&done));
            Some(super::tui::follow_trace(catalog, feed, mouse))
        }
        Ok(None) => None,
        Err(e) => Some(Err(e)),
    };
    // The user has quit, or the program recorded nothing: it ends now.
    if !done.load(Ordering::Acquire) {
        if let Ok(mut c) = child.lock() {
            let _ = c.kill();
        }
    }
    let _ = waiter.join();
    let code = status
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .map_or(1, exit_code);
    match shown {
        None => eprintln!(
            "weft: {program} recorded nothing (does it use weft::sync?); it exited with {code}; \
             its output is in {}",
            log.display()
        ),
        Some(shown) => {
            eprintln!(
                "weft: the trace is {}; the program's output is in {}",
                path.display(),
                log.display()
            );
            shown?;
        }
    }
    Ok(code)
}

/// Waits until the trace's header has been written; `None` when the
/// program ended without recording anything.
pub(super) fn wait_for_header(
    path: &Path,
    program: &str,
    done: &AtomicBool,
) -> Result<Option<(crate::event::Catalog, Tail)>, Failure> {
    let start = Instant::now();
    let mut said = false;
    loop {
        let gone = done.load(Ordering::Acquire);
        let opened =
            Tail::open(path).map_err(|e| Failure::BadInput(format!("{}: {e}", path.display())))?;
        if opened.is_some() || gone {
            return Ok(opened);
        }
        if !said && start.elapsed() > Duration::from_secs(2) {
            eprintln!("weft: waiting for {program} to start its trace (Ctrl-C stops)…");
            said = true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
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
