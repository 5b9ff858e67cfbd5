//! End to end: the TUI in a real pseudo-terminal (portable-pty), its screen
//! read with vt100. Keys are sent and the screen polled with generous
//! timeouts, never slept on, so a loaded machine only makes it slower.
//!
//! `weft_binary_plays_abba_to_the_deadlock` drives the real binary
//! (`weft run scenarios/abba_deadlock.toml`); `tui_run_in_a_pty` drives
//! `weft::tui::run` directly, by running this test binary again as the child
//! (the `tui_child` test, which does nothing unless `WEFT_TUI_CHILD` is set).

use crate::support;

use crate::pty;

use portable_pty::CommandBuilder;
use pty::Pty;

const ROWS: u16 = 30;
const COLS: u16 = 100;

/// The session every e2e test plays: space, wait for the deadlock, ←, ?, q.
fn play_abba(mut pty: Pty, code: u32) {
    pty.wait_for("the ABBA session", |t| {
        t.contains("ABBA deadlock") && t.contains("Timeline")
    });
    pty.send(" ");
    let at_deadlock = pty.wait_for("DEADLOCK and the cycle", |t| {
        t.contains("DEADLOCK") && t.contains("t1 -[B]-> t2 -[A]-> t1") && t.contains("paused")
    });
    pty.send("\x1b[D");
    pty.wait_for("the screen to change after ←", |t| t != at_deadlock);
    pty.send("?");
    pty.wait_for("the help overlay", |t| t.contains("Help: keys"));
    pty.send("x");
    pty.wait_for("the help to close", |t| !t.contains("Help: keys"));
    pty.send("q");
    assert_eq!(pty.exit_code(), code, "the exit status");
}

fn command(program: &std::path::Path) -> CommandBuilder {
    let mut cmd = CommandBuilder::new(program);
    cmd.cwd(env!("CARGO_MANIFEST_DIR"));
    cmd.env("TERM", "xterm-256color");
    cmd
}

#[test]
fn weft_binary_plays_abba_to_the_deadlock() {
    let mut cmd = command(std::path::Path::new(env!("CARGO_BIN_EXE_weft")));
    cmd.args(["run", "scenarios/abba_deadlock.toml"]);
    // Quitting after a deadlock exits 3, as the same run headless does.
    play_abba(Pty::spawn(cmd, COLS, ROWS), 3);
}

#[test]
fn tui_run_in_a_pty() {
    let me = std::env::current_exe().unwrap();
    let mut cmd = command(&me);
    cmd.args([
        "--exact",
        "tui_e2e::tui_child",
        "--nocapture",
        "--test-threads=1",
    ]);
    cmd.env("WEFT_TUI_CHILD", "1");
    play_abba(Pty::spawn(cmd, COLS, ROWS), 0);
}

/// The child of `tui_run_in_a_pty`: the TUI on the ABBA scenario.
#[test]
fn tui_child() {
    if std::env::var_os("WEFT_TUI_CHILD").is_none() {
        return;
    }
    // For trying the TUI by hand: WEFT_TUI_FILES=a.toml,b.toml and WEFT_TUI_PICKER=1.
    let files = std::env::var("WEFT_TUI_FILES").unwrap_or_else(|_| "abba_deadlock.toml".into());
    let names: Vec<&str> = files.split(',').collect();
    let engine = support::FileEngine::new(&names);
    let open = if std::env::var_os("WEFT_TUI_PICKER").is_some() {
        weft::tui::Open::Picker
    } else {
        weft::tui::Open::Entry(0)
    };
    let opts = weft::tui::UiOptions {
        mouse: true,
        color: true,
    };
    weft::tui::run(&engine, open, opts).unwrap();
}

/// Runs the real binary with `args` in a pseudo-terminal tall enough for a
/// whole JSON report; its exit code and screen once it has exited.
fn weft_in_a_terminal(args: &[&str]) -> (u32, String) {
    let mut cmd = command(std::path::Path::new(env!("CARGO_BIN_EXE_weft")));
    cmd.args(args);
    let mut pty = Pty::spawn(cmd, COLS, 1000);
    let code = pty.exit_code();
    pty.settle();
    (code, pty.text())
}

#[test]
fn json_on_a_terminal_prints_the_report_instead_of_opening_the_tui() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("json-on-a-terminal");
    std::fs::create_dir_all(&dir).unwrap();
    let trace = dir.join("abba.trace");
    let trace = trace.to_str().unwrap();
    let (code, text) = weft_in_a_terminal(&[
        "run",
        "scenarios/abba_deadlock.toml",
        "--json",
        "--record",
        trace,
    ]);
    assert_eq!(code, 3, "the run's exit code:\n{text}");
    assert!(text.contains("\"outcome\": \"deadlock\""), "{text}");
    assert!(!text.contains("Timeline"), "no TUI:\n{text}");
    let (code, text) = weft_in_a_terminal(&["replay", trace, "--json"]);
    assert_eq!(code, 3, "the replay's exit code:\n{text}");
    assert!(text.contains("\"scenario\": \"ABBA deadlock\""), "{text}");
}

#[test]
fn a_recorded_run_on_a_terminal_can_be_rescheduled_and_restarted() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("record-on-a-terminal");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let trace = dir.join("abba.trace");
    let mut cmd = command(std::path::Path::new(env!("CARGO_BIN_EXE_weft")));
    cmd.args(["run", "scenarios/abba_deadlock.toml", "--record"]);
    cmd.arg(&trace);
    let mut pty = Pty::spawn(cmd, COLS, ROWS);
    pty.wait_for("the ABBA session", |t| {
        t.contains("ABBA deadlock") && t.contains("Timeline")
    });
    let written = std::fs::read_to_string(&trace).expect("the trace is written");
    assert!(
        written.trim_end().ends_with("[1,\"end\",\"deadlock\"]"),
        "the whole run is recorded:\n{written}"
    );
    pty.send("s");
    let text = pty.wait_for("the first choice", |t| {
        t.contains("SCHEDULER") && t.contains("Choose the next task") || t.contains("cannot be")
    });
    assert!(!text.contains("cannot be rescheduled"), "{text}");
    pty.send("r");
    let text = pty.wait_for("the restarted run, paused at step 0", |t| {
        t.contains("step 0/") && t.contains("paused") && !t.contains("Choose the next task")
            || t.contains("cannot be")
    });
    assert!(!text.contains("cannot be restarted"), "{text}");
    pty.send("q");
    assert_eq!(pty.exit_code(), 3, "the exit status of the run on screen");
}
