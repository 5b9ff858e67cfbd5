//! Following a trace while it is written: the reader's checks on a growing
//! file, a session that follows the newest event until the user pauses,
//! `weft replay --follow`, and `weft watch` in a pseudo-terminal showing a
//! program's threads while the program is still running.
//!
//! The watched program is this test binary again (`watch_child`, which does
//! nothing unless `WEFT_WATCH_CHILD` is set): its worker holds a lock until
//! the test creates a file, so "during the run" does not depend on timing.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

use portable_pty::CommandBuilder;

use crate::pty::Pty;
use weft::trace::follow::{Following, Tail, Update};
use weft::trace::Declaration;
use weft::tui::{Action, App, NoEngine, Open, Theme};

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("weft-follow-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    let _ = std::fs::remove_file(&p);
    p
}

/// The header of a real program's trace, as `weft::sync` writes it.
fn live_header() -> String {
    concat!(
        r#"{"weft_trace":1,"catalog":{"scenario":"prog","description":"","path":"weft::sync","#,
        r#""engine":"live","seed":0,"cpus":256,"policy":"os","quantum":1,"tick_label":"1ms","#,
        r#""max_ticks":1000000,"tasks":[],"resources":[],"vars":[],"#,
        r#""processes":[{"name":"main","task":null,"worker":null,"gil":null}],"#,
        r#""gil":false,"switch_interval":0,"switch_cost":0,"expect":null}}"#,
        "\n"
    )
    .to_string()
}

/// The declaration of a thread, as `weft::sync` writes it.
fn task_line(name: &str) -> String {
    format!(
        r#"{{"task":{{"name":"{name}","kind":"thread","process":"main","priority":0,"daemon":false,"script":{{"first_line":0,"lines":[],"pc_line":[]}},"proc":0}}}}"#
    ) + "\n"
}

fn append(path: &Path, text: &str) {
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .unwrap();
    f.write_all(text.as_bytes()).unwrap();
}

#[test]
fn a_tail_waits_for_whole_lines_and_grows_the_catalog() {
    let path = temp("tail.trace");
    assert!(Tail::open(&path).unwrap().is_none(), "no file yet");
    let header = live_header();
    append(&path, &header[..20]);
    assert!(
        Tail::open(&path).unwrap().is_none(),
        "a half-written header"
    );
    append(&path, &header[20..]);
    let (catalog, mut tail) = Tail::open(&path).unwrap().expect("the header is whole");
    assert_eq!(catalog.cpus, 1, "a live trace's CPUs come with its threads");
    let mut out = Vec::new();
    append(&path, &task_line("t0"));
    append(&path, "[0,\"state\",0,\"ready\"]\n[0,\"state\",0,\"runn");
    tail.poll(&mut out).unwrap();
    assert_eq!(out.len(), 2, "the declaration and one whole event: {out:?}");
    assert!(matches!(out[0], Update::Declare(Declaration::Task(_))));
    append(&path, "ing\",0]\n");
    tail.poll(&mut out).unwrap();
    assert_eq!(out.len(), 3, "the half line, once finished: {out:?}");
    // An event of a task nobody declared is refused with its line.
    append(&path, "[1,\"state\",5,\"ready\"]\n");
    tail.poll(&mut out).unwrap();
    match out.last() {
        Some(Update::Bad { line, message }) => {
            assert_eq!(*line, 5, "{message}");
            assert!(message.contains('5'), "{message}");
        }
        other => panic!("expected an error, got {other:?}"),
    }
    assert!(tail.ended());
}

/// Pumps `app` until its trace has `n` events (at most 10 s).
fn pump_until(app: &mut App<'_>, n: usize) {
    let start = Instant::now();
    loop {
        app.update(Action::Pump);
        let len = app.session.as_ref().map_or(0, |s| s.trace.len());
        if len >= n {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "only {len} of {n} events came"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn a_followed_session_keeps_the_newest_event_until_paused() {
    let path = temp("session.trace");
    append(&path, &live_header());
    let (catalog, tail) = Tail::open(&path).unwrap().unwrap();
    let done = Arc::new(AtomicBool::new(false));
    let feed = Following::start(tail, &path, Arc::clone(&done));
    let engine = NoEngine;
    let mut app = App::new(&engine, Open::Follow(catalog, feed), Theme::new(false));
    append(&path, &task_line("t0"));
    append(
        &path,
        "[0,\"state\",0,\"ready\"]\n[1,\"state\",0,\"running\",0]\n",
    );
    pump_until(&mut app, 2);
    let s = app.session.as_ref().unwrap();
    assert_eq!(s.catalog().tasks.len(), 1, "the declared thread is a lane");
    assert_eq!(s.view.cursor, 2, "the cursor is at the newest event");
    assert!(s.follow_head && s.live());
    // A second thread appears while the first runs.
    append(&path, &task_line("t1"));
    append(
        &path,
        "[2,\"state\",1,\"ready\"]\n[3,\"state\",1,\"running\",1]\n",
    );
    pump_until(&mut app, 4);
    let s = app.session.as_ref().unwrap();
    assert_eq!(s.catalog().tasks.len(), 2);
    assert_eq!(s.catalog().cpus, 2, "a CPU lane a thread");
    assert_eq!(s.view.cursor, 4);
    assert!(
        matches!(
            s.world.tasks[1].state,
            weft::event::TaskState::Running { .. }
        ),
        "{:?}",
        s.world.tasks[1]
    );
    // Space pauses: recording goes on, the cursor stays.
    app.update(Action::TogglePlay);
    append(&path, "[9,\"state\",0,\"done\"]\n");
    pump_until(&mut app, 5);
    let s = app.session.as_ref().unwrap();
    assert!(!s.follow_head && !s.playing);
    assert_eq!(s.view.cursor, 4, "paused, the cursor stays behind the head");
    // Stepping back does not follow either; End follows again.
    app.update(Action::StepBack);
    assert_eq!(app.session.as_ref().unwrap().view.cursor, 3);
    app.update(Action::End);
    let s = app.session.as_ref().unwrap();
    assert!(s.follow_head);
    assert_eq!(s.view.cursor, 5);
    // The end of the trace ends the following: a replay is left.
    append(
        &path,
        "[9,\"state\",1,\"done\"]\n[9,\"end\",\"completed\"]\n",
    );
    pump_until(&mut app, 7);
    let start = Instant::now();
    while app.session.as_ref().unwrap().live() {
        assert!(start.elapsed() < Duration::from_secs(10), "still live");
        app.update(Action::Pump);
        std::thread::sleep(Duration::from_millis(5));
    }
    let s = app.session.as_ref().unwrap();
    assert!(!s.follow_head && !s.streaming());
    assert_eq!(s.view.cursor, 7);
    assert!(s.world.outcome.is_some());
}

/// The built `weft` binary.
fn weft() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_weft"))
}

#[test]
fn replay_follow_headless_reports_once_the_trace_ends() {
    let path = temp("headless.trace");
    let mut child = std::process::Command::new(weft())
        .args(["replay", "--follow", "--headless", "--json"])
        .arg(&path)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Written a piece at a time, the file not there at first.
    std::thread::sleep(Duration::from_millis(100));
    append(&path, &live_header());
    append(&path, &task_line("t0"));
    append(
        &path,
        "[0,\"state\",0,\"ready\"]\n[0,\"state\",0,\"running\",0]\n",
    );
    std::thread::sleep(Duration::from_millis(100));
    assert!(
        child.try_wait().unwrap().is_none(),
        "it waits for the end of the trace"
    );
    append(
        &path,
        "[4,\"state\",0,\"done\"]\n[4,\"end\",\"completed\"]\n",
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("replay --follow did not end after the trace did");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["outcome"], "completed");
    assert_eq!(report["tasks"][0]["name"], "t0");
    assert_eq!(report["end_tick"], 4);
}

/// The program `weft watch` runs in the tests below: a thread named
/// `worker` holds the lock `gate` until the file `$WEFT_WATCH_GO` exists,
/// then the program exits with code 7. It writes its PID to
/// `$WEFT_WATCH_PID` first.
#[test]
fn watch_child() {
    if std::env::var_os("WEFT_WATCH_CHILD").is_none() {
        return;
    }
    let go = PathBuf::from(std::env::var_os("WEFT_WATCH_GO").unwrap());
    std::fs::write(
        std::env::var_os("WEFT_WATCH_PID").unwrap(),
        std::process::id().to_string(),
    )
    .unwrap();
    let gate = Arc::new(weft::sync::Mutex::named("gate", 0u32));
    let g = Arc::clone(&gate);
    let worker = weft::sync::thread::Builder::new()
        .name("worker".into())
        .spawn(move || {
            let mut held = g.lock();
            while !go.exists() {
                weft::sync::sleep(Duration::from_millis(20));
            }
            *held += 1;
        })
        .unwrap();
    worker.join().unwrap();
    assert_eq!(*gate.lock(), 1);
    std::process::exit(7);
}

/// `weft watch` on `watch_child`, in a terminal; with the go-file's and the
/// PID file's paths.
fn watch_in_a_terminal(tag: &str) -> (Pty, PathBuf, PathBuf, PathBuf) {
    let go = temp(&format!("{tag}.go"));
    let pid = temp(&format!("{tag}.pid"));
    let trace = temp(&format!("{tag}.trace"));
    let mut cmd = CommandBuilder::new(weft());
    cmd.cwd(env!("CARGO_MANIFEST_DIR"));
    cmd.env("TERM", "xterm-256color");
    cmd.env("WEFT_WATCH_CHILD", "1");
    cmd.env("WEFT_WATCH_GO", &go);
    cmd.env("WEFT_WATCH_PID", &pid);
    cmd.arg("watch");
    cmd.arg("--trace");
    cmd.arg(&trace);
    cmd.arg("--");
    cmd.arg(std::env::current_exe().unwrap());
    cmd.args([
        "--exact",
        "watch_live::watch_child",
        "--nocapture",
        "--test-threads=1",
    ]);
    (Pty::spawn(cmd, 100, 30), go, pid, trace)
}

/// Whether a process of this PID is still there (alive or a zombie).
fn exists(pid: &Path) -> bool {
    let pid = std::fs::read_to_string(pid).unwrap();
    Path::new(&format!("/proc/{}", pid.trim())).exists()
}

#[test]
fn watch_shows_the_threads_while_the_program_runs() {
    let (mut pty, go, pid, trace) = watch_in_a_terminal("run");
    let live = pty.wait_for("the worker's lane while it runs", |t| {
        t.contains("● live") && t.contains("worker") && t.contains("gate")
    });
    assert!(!live.contains("COMPLETED"), "{live}");
    assert!(exists(&pid), "the program is still running");
    std::fs::write(&go, "").unwrap();
    pty.wait_for("the run's end", |t| t.contains("COMPLETED"));
    pty.send("q");
    assert_eq!(pty.exit_code(), 7, "the program's exit code");
    assert!(pty.cooked(), "the terminal is restored");
    assert!(!exists(&pid), "the program was reaped");
    let t = weft::trace::read(&std::fs::read(&trace).unwrap()[..], false).unwrap();
    assert!(t.catalog.tasks.iter().any(|x| x.name == "worker"));
}

#[test]
fn quitting_while_the_program_runs_stops_and_reaps_it() {
    let (mut pty, _go, pid, _trace) = watch_in_a_terminal("quit");
    pty.wait_for("the worker's lane", |t| {
        t.contains("● live") && t.contains("worker")
    });
    // Ctrl-C, as a key in the TUI's raw mode: both end.
    pty.send("\x03");
    assert_eq!(pty.exit_code(), 128 + 9, "the program was killed");
    assert!(pty.cooked(), "the terminal is restored");
    assert!(!exists(&pid), "the program was reaped");
}

/// The screen of `app` as lines of text.
fn screen(app: &App<'_>) -> Vec<String> {
    use ratatui::backend::TestBackend;
    let (w, h) = app.size;
    let mut t = ratatui::Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| weft::tui::layout::draw(f, app)).unwrap();
    let buf = t.backend().buffer();
    (0..h)
        .map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect::<String>())
        .collect()
}

#[test]
fn a_real_run_is_shown_in_time_with_its_times_to_the_microsecond() {
    // Two threads over 30 ms of a real run, ticks of 1 ms, times in ns.
    let trace = live_header()
        + &task_line("main")
        + "[0,\"state\",0,\"ready\",1500]\n[0,\"state\",0,\"running\",0,2750]\n"
        + &task_line("worker")
        + "[1,\"state\",1,\"ready\",1000250]\n[1,\"state\",1,\"running\",1,1000300]\n"
        + "[25,\"state\",1,\"done\",25123456]\n[30,\"state\",0,\"done\",30000001]\n"
        + "[30,\"end\",\"completed\",30000001]\n";
    let t = weft::trace::read(trace.as_bytes(), false).unwrap();
    assert_eq!(t.ns_at(4), Some(25_123_456));
    let engine = NoEngine;
    let mut app = App::new(&engine, Open::Trace(t), Theme::new(false));
    app.update(Action::Resize {
        width: 120,
        height: 40,
    });
    app.update(Action::End);
    let lines = screen(&app);
    let axis = lines
        .iter()
        .find(|l| l.starts_with("│time"))
        .unwrap_or_else(|| panic!("no time axis:\n{}", lines.join("\n")));
    assert!(axis.contains("ms"), "{axis}");
    assert!(!axis.contains("tick"), "{axis}");
    let all = lines.join("\n");
    assert!(all.contains("Log  (step, time in s)"), "{all}");
    assert!(all.contains("0.025123   worker → done"), "{all}");
    assert!(all.contains("real run"), "{all}");
}
