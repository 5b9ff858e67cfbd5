//! The terminal as the TUI uses it and leaves it. Every way out leaves it
//! as it was: a signal from outside (SIGINT, SIGQUIT, SIGTERM, SIGHUP) and a
//! panic; raw mode, the alternate screen, a hidden cursor and mouse capture
//! are all undone, and a signal's exit code is 128 + its number. Colours
//! are 24-bit only where the terminal says it takes them.

use crate::pty;

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use portable_pty::CommandBuilder;
use pty::Pty;

fn spawn(env: &[(&str, &str)]) -> Pty {
    spawn_with(env, &[])
}

fn spawn_with(env: &[(&str, &str)], unset: &[&str]) -> Pty {
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_weft"));
    cmd.args(["run", "scenarios/abba_deadlock.toml"]);
    cmd.cwd(env!("CARGO_MANIFEST_DIR"));
    cmd.env("TERM", "xterm-256color");
    for (k, v) in env {
        cmd.env(k, v);
    }
    for k in unset {
        cmd.env_remove(k);
    }
    Pty::spawn(cmd, 100, 30)
}

fn weft_tui() -> Pty {
    let mut p = spawn(&[]);
    p.wait_for("the TUI", |s| s.contains("ABBA deadlock"));
    assert!(!p.cooked(), "the TUI runs in raw mode");
    assert!(
        p.screen(|s| s.alternate_screen()),
        "the TUI runs on the alternate screen"
    );
    p
}

fn assert_restored(p: &Pty) {
    p.settle();
    assert!(p.cooked(), "echo and line reading are back");
    assert!(
        !p.screen(|s| s.alternate_screen()),
        "back on the main screen"
    );
    assert!(!p.screen(|s| s.hide_cursor()), "the cursor shows");
    assert_eq!(
        p.screen(|s| s.mouse_protocol_mode()),
        vt100::MouseProtocolMode::None,
        "the mouse is released"
    );
}

#[test]
fn a_signal_from_outside_restores_the_terminal_and_exits_128_plus_its_number() {
    for sig in [
        Signal::SIGINT,
        Signal::SIGQUIT,
        Signal::SIGTERM,
        Signal::SIGHUP,
    ] {
        let mut p = weft_tui();
        let pid = p.child.process_id().expect("a pid") as i32;
        kill(Pid::from_raw(pid), sig).expect("the signal is sent");
        assert_eq!(p.exit_code(), 128 + sig as u32, "{sig}");
        assert_restored(&p);
    }
}

#[test]
fn a_panic_restores_the_terminal_and_exits_1() {
    let mut p = spawn(&[("WEFT_CRASH_TEST", "panic"), ("RUST_BACKTRACE", "0")]);
    assert_eq!(p.exit_code(), 1);
    assert_restored(&p);
    assert!(
        p.text()
            .contains("a deliberate panic after the first frame"),
        "{}",
        p.text()
    );
}

fn colours(p: &Pty) -> (usize, usize) {
    p.screen(|s| {
        let (rows, cols) = s.size();
        let mut rgb = 0;
        let mut indexed = 0;
        for r in 0..rows {
            for c in 0..cols {
                if let Some(cell) = s.cell(r, c) {
                    for colour in [cell.fgcolor(), cell.bgcolor()] {
                        match colour {
                            vt100::Color::Rgb(..) => rgb += 1,
                            vt100::Color::Idx(_) => indexed += 1,
                            vt100::Color::Default => {}
                        }
                    }
                }
            }
        }
        (rgb, indexed)
    })
}

#[test]
fn a_256_colour_terminal_gets_the_256_colour_palette() {
    let mut p = spawn_with(&[], &["COLORTERM"]);
    p.wait_for("the TUI", |s| s.contains("ABBA deadlock"));
    p.settle();
    let (rgb, indexed) = colours(&p);
    assert_eq!(rgb, 0, "no 24-bit colour without COLORTERM");
    assert!(indexed > 0, "but colours all the same");
    p.send("q");
    assert_eq!(p.exit_code(), 3, "the run's code: ABBA deadlocks");
    let mut p = spawn(&[("COLORTERM", "truecolor")]);
    p.wait_for("the TUI", |s| s.contains("ABBA deadlock"));
    p.settle();
    assert!(
        colours(&p).0 > 0,
        "24-bit colour where the terminal says it takes it"
    );
    p.send("q");
    assert_eq!(p.exit_code(), 3, "the run's code: ABBA deadlocks");
}
