//! End to end: the TUI in a real pseudo-terminal (portable-pty), its screen
//! read with vt100. Keys are sent and the screen polled with generous
//! timeouts, never slept on, so a loaded machine only makes it slower.
//!
//! `weft_binary_plays_abba_to_the_deadlock` drives the real binary
//! (`weft run scenarios/abba_deadlock.toml`); `tui_run_in_a_pty` drives
//! `weft::tui::run` directly, by running this test binary again as the child
//! (the `tui_child` test, which does nothing unless `WEFT_TUI_CHILD` is set).

#[path = "tui_support/mod.rs"]
mod support;

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{native_pty_system, Child, CommandBuilder, PtySize};

const ROWS: u16 = 30;
const COLS: u16 = 100;
const TIMEOUT: Duration = Duration::from_secs(30);

/// A program running in a pseudo-terminal, with its screen.
struct Pty {
    child: Box<dyn Child + Send + Sync>,
    writer: Box<dyn Write + Send>,
    screen: Arc<Mutex<vt100::Parser>>,
}

impl Pty {
    fn spawn(cmd: CommandBuilder) -> Pty {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("a pty");
        let child = pair.slave.spawn_command(cmd).expect("the child starts");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("a reader");
        let writer = pair.master.take_writer().expect("a writer");
        let screen = Arc::new(Mutex::new(vt100::Parser::new(ROWS, COLS, 0)));
        let sink = Arc::clone(&screen);
        std::thread::spawn(move || {
            let _master = pair.master;
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().process(&buf[..n]);
            }
        });
        Pty {
            child,
            writer,
            screen,
        }
    }

    fn text(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    /// Waits until the screen satisfies `ok`; panics with the screen after the timeout.
    fn wait_for(&mut self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let text = self.text();
            if ok(&text) {
                return text;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("the program exited ({status:?}) before {what}; the screen:\n{text}");
            }
            if start.elapsed() > TIMEOUT {
                let _ = self.child.kill();
                panic!("timed out waiting for {what}; the screen:\n{text}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn wait_exit(&mut self) -> bool {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.success();
            }
            if start.elapsed() > TIMEOUT {
                let _ = self.child.kill();
                panic!("the TUI did not exit; the screen:\n{}", self.text());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// The session every e2e test plays: space, wait for the deadlock, ←, ?, q.
fn play_abba(mut pty: Pty) {
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
    assert!(pty.wait_exit(), "the TUI exits with status 0");
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
    play_abba(Pty::spawn(cmd));
}

#[test]
fn tui_run_in_a_pty() {
    let me = std::env::current_exe().unwrap();
    let mut cmd = command(&me);
    cmd.args(["--exact", "tui_child", "--nocapture", "--test-threads=1"]);
    cmd.env("WEFT_TUI_CHILD", "1");
    play_abba(Pty::spawn(cmd));
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
