//! `weft::sync` in real programs: the examples run as child processes with
//! `WEFT_TRACE` set, and their traces replay as the runs they were. Each
//! child is waited for (and killed and reaped if it overstays), so none is
//! left behind.

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use weft::event::EventKind;
use weft::report::Report;

/// The built example `name` (cargo builds the examples with the tests).
fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let debug = exe.parent().and_then(|d| d.parent()).unwrap();
    debug.join("examples").join(name)
}

/// Runs `cmd` to its end, or kills it after a minute; always reaped.
fn run(mut cmd: Command) -> Output {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!("the program did not end in a minute: {out:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn trace_path(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("weft-sync-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// The arrival numbers of every barrier wait, in order.
fn barrier_arrivals(trace: &weft::trace::Trace) -> Vec<u32> {
    let mut arrivals: Vec<u32> = trace
        .events()
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::BarrierWait { arrived, .. } => Some(arrived),
            _ => None,
        })
        .collect();
    arrivals.sort();
    arrivals
}

fn read(path: &PathBuf) -> weft::trace::Trace {
    let bytes = std::fs::read(path).unwrap();
    weft::trace::read(&bytes[..], false).unwrap_or_else(|e| panic!("{path:?}: {e:?}"))
}

#[test]
fn a_program_with_ordered_locks_replays_as_a_completed_run() {
    let path = trace_path("ordered.trace");
    let mut cmd = Command::new(example("bank_ordered"));
    cmd.env("WEFT_TRACE", &path).env_remove("WEFT_ON_DEADLOCK");
    let out = run(cmd);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "A = 110, B = 90, total 200"
    );
    let trace = read(&path);
    let cat = &trace.catalog;
    let mut names: Vec<&str> = cat.tasks.iter().map(|t| t.name.as_str()).collect();
    names.sort();
    assert_eq!(names, ["main", "t1", "t2"]);
    let locks: Vec<&str> = cat.resources.iter().map(|r| r.name.as_str()).collect();
    assert!(locks.contains(&"A") && locks.contains(&"B"), "{locks:?}");
    let report = Report::from_trace(&trace);
    assert_eq!(report.outcome, Some("completed"));
    assert_eq!(report.exit_code(), 0);
    // Each transfer takes both locks, and main reads both at the end.
    let acquires = trace
        .events()
        .iter()
        .filter(|e| matches!(e.kind, EventKind::LockAcquire { .. }))
        .count();
    assert_eq!(acquires, 6);
    // main waited for both threads: two joins recorded as waits on tasks.
    let joins = trace
        .events()
        .iter()
        .filter(|e| {
            matches!(
                e.kind,
                EventKind::State {
                    state: weft::event::TaskState::Blocked {
                        on: weft::event::WaitOn::Task(_),
                        ..
                    },
                    ..
                }
            )
        })
        .count();
    assert!(joins >= 1, "main's joins");
    assert!(
        report.tasks.iter().all(|t| t.final_state == "done"),
        "{:?}",
        report.tasks
    );
}

#[test]
fn a_real_abba_deadlock_is_named_on_stderr_and_written_into_the_trace() {
    let path = trace_path("abba.trace");
    let mut cmd = Command::new(example("bank_deadlock"));
    cmd.env("WEFT_TRACE", &path).env("WEFT_ON_DEADLOCK", "exit");
    let started = Instant::now();
    let out = run(cmd);
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "named long after it formed"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("deadlock: 2 threads"), "{err}");
    assert!(
        err.contains("t1 waits for lock B, held by t2, at examples/bank_deadlock.rs:"),
        "{err}"
    );
    assert!(
        err.contains("t2 waits for lock A, held by t1, at examples/bank_deadlock.rs:"),
        "{err}"
    );
    let trace = read(&path);
    let cycle = trace
        .events()
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::Deadlock { cycle, .. } => Some(cycle.clone()),
            _ => None,
        })
        .expect("a deadlock event");
    assert_eq!(cycle.len(), 2);
    let report = Report::from_trace(&trace);
    assert_eq!(report.outcome, Some("deadlock"));
    assert_eq!(report.exit_code(), 3);
    // The replay's analysis finds the same cycle in the world it folds.
    let world = trace.last();
    let chains = weft::analysis::wait_chains(&trace.catalog, world);
    assert!(chains.iter().any(|c| c.is_deadlock()), "{chains:?}");
    // The trace says where each thread waits: the report and the screen.
    let d = &report.deadlocks[0];
    for e in &d.cycle {
        let at = e.at.as_deref().unwrap_or("");
        assert!(
            at.starts_with("examples/bank_deadlock.rs:"),
            "{:?}",
            d.cycle
        );
        assert!(
            err.contains(&format!(
                "{} waits for lock {}, held by {}, at {at}",
                e.task, e.waits_for, e.held_by
            )),
            "{err}"
        );
    }
    let text = weft::report::render_text(&report, false);
    assert!(
        text.contains("t1 waits for B at examples/bank_deadlock.rs:"),
        "{text}"
    );
    let engine = weft::tui::NoEngine;
    let mut app = weft::tui::App::new(
        &engine,
        weft::tui::Open::Trace(trace),
        weft::tui::Theme::new(false),
    );
    app.update(weft::tui::Action::Resize {
        width: 120,
        height: 40,
    });
    app.update(weft::tui::Action::End);
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
    term.draw(|f| weft::tui::layout::draw(f, &app)).unwrap();
    let screen: String = term
        .backend()
        .buffer()
        .content()
        .iter()
        .map(|c| c.symbol())
        .collect();
    assert!(
        screen.contains("t1 waits at examples/bank_deadlock.rs:"),
        "{screen}"
    );
}

#[test]
fn a_bounded_channel_is_recorded_as_a_queue_that_fills_and_paces_the_producer() {
    let path = trace_path("pipeline.trace");
    let mut cmd = Command::new(example("pipeline"));
    cmd.env("WEFT_TRACE", &path);
    let out = run(cmd);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "total = 210");
    let trace = read(&path);
    let q = trace
        .catalog
        .resources
        .iter()
        .position(|r| r.name == "jobs")
        .expect("the channel");
    let info = &trace.catalog.resources[q];
    assert_eq!((info.kind.as_str(), info.capacity), ("queue", Some(3)));
    let world = trace.last();
    let state = world.queue(weft::event::ResourceId(q as u32)).unwrap();
    assert_eq!((state.puts, state.gets, state.len), (20, 20, 0));
    assert!(
        state.max_len <= 3,
        "never past its capacity: {}",
        state.max_len
    );
    // Items are numbered in the order sent.
    let puts: Vec<i64> = trace
        .events()
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::QueuePut { value, .. } => Some(value),
            _ => None,
        })
        .collect();
    let mut sorted = puts.clone();
    sorted.sort();
    assert_eq!(sorted, (1..=20).collect::<Vec<_>>());
    // Consumers sleep in weft::sync::sleep: recorded as sleeping.
    let report = Report::from_trace(&trace);
    let consumer = report
        .tasks
        .iter()
        .find(|t| t.name == "consumer[0]")
        .unwrap();
    assert!(consumer.ticks.sleeping > 0, "{consumer:?}");
    assert_eq!(report.outcome, Some("completed"));
}

#[test]
fn a_condvar_wait_releases_the_lock_and_each_notify_is_recorded() {
    let path = trace_path("condvar.trace");
    let mut cmd = Command::new(example("condvar_queue"));
    cmd.env("WEFT_TRACE", &path);
    let out = run(cmd);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "consumer got [1, 2, 3, 4, 5]"
    );
    let trace = read(&path);
    let cat = &trace.catalog;
    let cv = cat
        .resources
        .iter()
        .position(|r| r.name == "items ready" && r.kind == "condition")
        .expect("the condvar");
    let notifies = trace
        .events()
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Notify { cond, .. } if cond.index() == cv))
        .count();
    assert_eq!(notifies, 5, "one notify per item");
    // Every wait on the condition comes right after a release of the lock
    // by the same task: a wait gives the lock up.
    let ev = trace.events();
    for (i, e) in ev.iter().enumerate() {
        if let EventKind::State {
            task,
            state:
                weft::event::TaskState::Blocked {
                    on: weft::event::WaitOn::Notify(_),
                    ..
                },
        } = e.kind
        {
            let before = ev[..i]
                .iter()
                .rev()
                .find(|x| x.kind.task() == Some(task))
                .map(|x| &x.kind);
            assert!(
                matches!(before, Some(EventKind::LockRelease { depth: 0, .. })),
                "{before:?}"
            );
        }
    }
    let report = Report::from_trace(&trace);
    assert_eq!(report.outcome, Some("completed"));
}

/// A trace of a real program: a header without tasks or resources, each
/// declared on a line of its own before an event names it.
fn live_trace(body: &str) -> String {
    let header = r#"{"weft_trace":1,"catalog":{"scenario":"p","description":"","path":"p","engine":"live","seed":0,"cpus":256,"policy":"os","quantum":1,"tick_label":"1ms","max_ticks":1000,"tasks":[],"resources":[],"vars":[],"processes":[{"name":"main","task":null,"worker":null,"gil":null}],"gil":false,"switch_interval":0,"switch_cost":0,"expect":null}}"#;
    let task = |n: &str| {
        format!(
            r#"{{"task":{{"name":"{n}","kind":"thread","process":"main","priority":0,"daemon":false,"script":{{"first_line":0,"lines":[],"pc_line":[]}},"proc":0}}}}"#
        )
    };
    let lock = r#"{"resource":{"name":"m","kind":"mutex","capacity":null,"order":null}}"#;
    body.replace("TASK_A", &task("a"))
        .replace("TASK_B", &task("b"))
        .replace("LOCK", lock)
        .replace("HEADER", header)
}

#[test]
fn declarations_add_tasks_and_resources_as_a_trace_goes() {
    let text = live_trace(
        "HEADER\nTASK_A\n[0,\"state\",0,\"running\",0]\nLOCK\n[0,\"lock_acquire\",0,0,1]\nTASK_B\n[1,\"state\",1,\"running\",1]\n[2,\"lock_release\",0,0,0]\n[2,\"state\",0,\"done\"]\n[2,\"state\",1,\"done\"]\n[2,\"end\",\"completed\"]\n",
    );
    let trace = weft::trace::read(text.as_bytes(), false).unwrap();
    let names: Vec<&str> = trace
        .catalog
        .tasks
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(names, ["a", "b"]);
    assert_eq!(trace.catalog.resources[0].name, "m");
    // As many CPU lanes as the events use, not the header's 256.
    assert_eq!(trace.catalog.cpus, 2);
    let report = Report::from_trace(&trace);
    assert_eq!(report.outcome, Some("completed"));
    // An event naming a task before its declaration is a located error.
    let early = live_trace("HEADER\n[0,\"state\",0,\"running\",0]\nTASK_A\n");
    match weft::trace::read(early.as_bytes(), false) {
        Err(weft::trace::TraceError::Bad { line, .. }) => assert_eq!(line, 2),
        other => panic!("{other:?}"),
    }
    // A recording cut short replays with --partial.
    let cut =
        live_trace("HEADER\nTASK_A\n[0,\"state\",0,\"running\",0]\n[3,\"state\",0,\"blocked\"");
    assert!(weft::trace::read(cut.as_bytes(), false).is_err());
    let t = weft::trace::read(cut.as_bytes(), true).unwrap();
    assert_eq!(t.len(), 1);
}

fn weft_watch(args: &[&str], program: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_weft"));
    cmd.arg("watch").args(args).arg("--").args(program);
    cmd.env_remove("WEFT_TRACE");
    run(cmd)
}

#[test]
fn weft_watch_runs_the_program_recorded_and_exits_with_its_code() {
    let ordered = example("bank_ordered");
    let trace = trace_path("watched.trace");
    let t = trace.to_str().unwrap();
    let out = weft_watch(&["--headless", "--trace", t], &[ordered.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("A = 110, B = 90, total 200"), "{stdout}");
    assert!(stdout.contains("COMPLETED bank_ordered"), "{stdout}");
    assert!(read(&trace).catalog.tasks.len() == 3);

    let deadlock = example("bank_deadlock");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_weft"));
    cmd.args(["watch", "--headless", "--json", "--"])
        .arg(&deadlock)
        .env("WEFT_ON_DEADLOCK", "exit")
        .env_remove("WEFT_TRACE");
    let out = run(cmd);
    assert_eq!(out.status.code(), Some(3), "the program's code: {out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["outcome"], "deadlock");

    // A program that records nothing still gives its code; one that cannot
    // start is bad input; one ended by a signal gives 128 + its number.
    assert_eq!(
        weft_watch(&["--headless"], &["false"]).status.code(),
        Some(1)
    );
    assert_eq!(
        weft_watch(&["--headless"], &["/no/such/program"])
            .status
            .code(),
        Some(2)
    );
    let killed = weft_watch(&["--headless"], &["sh", "-c", "kill -TERM $$"]);
    assert_eq!(killed.status.code(), Some(143));
}

#[test]
fn every_primitive_is_recorded_as_the_simulator_records_it() {
    let path = trace_path("tour.trace");
    let mut cmd = Command::new(example("primitives_tour"));
    cmd.env("WEFT_TRACE", &path);
    let out = run(cmd);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "config = 2\nthe door timed out: true; door = 2"
    );
    let trace = read(&path);
    let kind = |name: &str| {
        trace
            .catalog
            .resources
            .iter()
            .find(|r| r.name == name)
            .map(|r| r.kind.clone())
            .unwrap_or_default()
    };
    assert_eq!(kind("go"), "event");
    assert_eq!(kind("config"), "rwlock");
    assert_eq!(kind("slots"), "semaphore");
    assert_eq!(kind("round"), "barrier");
    assert_eq!(kind("log"), "rlock");
    let count =
        |f: &dyn Fn(&EventKind) -> bool| trace.events().iter().filter(|e| f(&e.kind)).count();
    // go, and the door's held and leave.
    assert_eq!(count(&|k| matches!(k, EventKind::FlagSet { .. })), 3);
    // Two readers and main's last read; one writer.
    assert_eq!(count(&|k| matches!(k, EventKind::ReadAcquire { .. })), 3);
    assert_eq!(count(&|k| matches!(k, EventKind::PermitAcquire { .. })), 3);
    assert_eq!(count(&|k| matches!(k, EventKind::PermitRelease { .. })), 3);
    assert_eq!(barrier_arrivals(&trace), [1, 2, 3]);
    // Each worker takes the rlock twice: depths 1 then 2, released to 0.
    let depths: Vec<u32> = trace
        .events()
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::LockAcquire { depth, lock, .. }
                if trace.catalog.resources[lock.index()].name == "log" =>
            {
                Some(depth)
            }
            _ => None,
        })
        .collect();
    assert_eq!(depths.iter().filter(|&&d| d == 2).count(), 3, "{depths:?}");
    let world = trace.last();
    let report = Report::from_trace(&trace);
    assert_eq!(report.outcome, Some("completed"), "{:?}", report.tasks);
    assert!(world.deadlocks.is_empty());
}

#[test]
fn a_real_run_gives_os_ids_its_tick_and_timed_out_waits() {
    let path = trace_path("ids.trace");
    let mut cmd = Command::new(example("primitives_tour"));
    cmd.env("WEFT_TRACE", &path).env("WEFT_TICK", "100us");
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = u64::from(child.id());
    let started = Instant::now();
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("primitives_tour did not end in a minute");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let lasted = started.elapsed();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let trace = read(&path);
    assert_eq!(trace.catalog.tick_label, "100µs");
    // Every time is within the run: the last, the end, no later than the
    // program's whole life as seen from here.
    let last = trace.ns_at(trace.len() - 1).unwrap();
    assert!(
        u128::from(last) <= lasted.as_nanos(),
        "the end at {last} ns, the program lasted {lasted:?}"
    );
    // Each event carries its nanoseconds, never going back, and its tick
    // is the tick those fall in.
    let mut before = 0;
    for (i, e) in trace.events().iter().enumerate() {
        let ns = trace.ns_at(i).expect("a time in nanoseconds");
        assert!(ns >= before, "event {i} goes back in time");
        assert_eq!(e.tick, ns / 100_000, "event {i}");
        before = ns;
    }
    // Every thread has its own OS id; main's is the process's.
    let ids: Vec<Option<u64>> = trace.catalog.tasks.iter().map(|t| t.os_id).collect();
    let main = trace
        .catalog
        .tasks
        .iter()
        .find(|t| t.name == "main")
        .unwrap();
    if cfg!(target_os = "linux") {
        assert_eq!(main.os_id, Some(pid));
        let mut known: Vec<u64> = ids.iter().flatten().copied().collect();
        assert_eq!(known.len(), ids.len(), "{ids:?}");
        known.sort();
        known.dedup();
        assert_eq!(known.len(), ids.len(), "each thread its own id: {ids:?}");
    }
    // main's try_lock_for on the held door timed out, and said so.
    let door = trace
        .catalog
        .resources
        .iter()
        .position(|r| r.name == "door")
        .unwrap() as u32;
    let timeouts: Vec<_> = trace
        .events()
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::WaitTimeout { task, on } => Some((trace.catalog.task_name(task), on)),
            _ => None,
        })
        .collect();
    assert_eq!(
        timeouts,
        [(
            "main",
            weft::event::WaitOn::Lock(weft::event::ResourceId(door))
        )]
    );
    let report: serde_json::Value =
        serde_json::to_value(Report::from_trace(&trace)).expect("the report as JSON");
    assert_eq!(report["engine"], "live");
    assert_eq!(report["tick_ns"], 100_000);
    assert_eq!(report["dropped_events"], 0);
    assert!(report["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t.get("os_id").is_some()));
    let lock = report["locks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == "door")
        .unwrap()
        .clone();
    // At least the 5 ms main gave up after, in ticks of 100 µs.
    assert!(lock["contentions"].as_u64().unwrap() >= 1, "{lock}");
    let longest = lock["longest_wait"].as_u64().unwrap();
    assert!(longest >= 45, "{lock}");
    assert!(lock["total_wait"].as_u64().unwrap() >= longest, "{lock}");
}

/// The program of the test below: one thread locking and unlocking as fast
/// as it can, 200,000 times (400,000 events), into a ring of 16 events.
#[test]
fn drop_child() {
    if std::env::var_os("WEFT_DROP_CHILD").is_none() {
        return;
    }
    let m = weft::sync::Mutex::named("busy", 0u64);
    for _ in 0..200_000 {
        *m.lock() += 1;
    }
    assert_eq!(*m.lock(), 200_000);
}

#[test]
fn a_full_ring_drops_and_counts_and_never_blocks() {
    let path = trace_path("drops.trace");
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([
        "--exact",
        "sync_record::drop_child",
        "--nocapture",
        "--test-threads=1",
    ])
    .env("WEFT_DROP_CHILD", "1")
    .env("WEFT_RING", "16")
    .env("WEFT_TRACE", &path);
    // It ends (a full ring never holds the thread up), within the minute.
    let out = run(cmd);
    assert!(out.status.success(), "{out:?}");
    let trace = read(&path);
    let busy = trace
        .catalog
        .resources
        .iter()
        .position(|r| r.name == "busy")
        .unwrap() as u32;
    let written = trace
        .events()
        .iter()
        .filter(|e| match e.kind {
            EventKind::LockAcquire { lock, .. } | EventKind::LockRelease { lock, .. } => {
                lock.0 == busy
            }
            _ => false,
        })
        .count() as u64;
    // The main thread's final lock adds two events to the 400,000.
    let produced = 400_002;
    assert!(trace.dropped_events > 0, "a ring of 16 cannot keep up");
    assert!(written <= produced, "{written}");
    assert!(
        written + trace.dropped_events >= produced,
        "written {written} + dropped {} < {produced}",
        trace.dropped_events
    );
    let report: serde_json::Value = serde_json::to_value(Report::from_trace(&trace)).unwrap();
    assert_eq!(report["dropped_events"], trace.dropped_events);
}

#[test]
fn a_real_runs_trace_replays_to_the_same_report_every_time() {
    let path = trace_path("again.trace");
    let mut cmd = Command::new(example("pipeline"));
    cmd.env("WEFT_TRACE", &path);
    let out = run(cmd);
    assert!(out.status.success(), "{out:?}");
    let replay = || {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_weft"));
        cmd.args(["replay", "--headless", "--json"]).arg(&path);
        let out = run(cmd);
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        out.stdout
    };
    let first = replay();
    assert_eq!(first, replay(), "two replays, two reports");
    let report: serde_json::Value = serde_json::from_slice(&first).unwrap();
    let here = serde_json::to_value(Report::from_trace(&read(&path))).unwrap();
    assert_eq!(report, here, "the binary's report is the library's");
    assert_eq!(report["engine"], "live");
    assert_eq!(report["outcome"], "completed");
    let q = &report["queues"][0];
    assert_eq!(q["name"], "jobs");
    assert_eq!(
        (q["puts"].as_u64(), q["gets"].as_u64()),
        (Some(20), Some(20))
    );
}

/// The program of the test below: each timed wait gives up once, a
/// `try_lock` fails on a held lock, a barrier of three picks one leader,
/// and a receive after the last sender is gone fails at once.
#[test]
fn edge_child() {
    use std::sync::Arc;
    use weft::sync::{channel, thread, Barrier, Condvar, Event, Mutex, RwLock, Semaphore};
    if std::env::var_os("WEFT_EDGE_CHILD").is_none() {
        return;
    }
    let short = Duration::from_millis(3);
    let m = Mutex::named("m", 0u32);
    let cond = Condvar::named("cond");
    {
        let mut g = m.lock();
        assert!(cond.wait_for(&mut g, short), "nobody notifies");
    }
    let flag = Event::named("flag");
    assert!(flag.wait_for(short), "nobody sets it");
    let sem = Semaphore::named("sem", 0);
    assert!(sem.try_acquire_for(short).is_none());
    let (tx, rx) = channel::bounded_named::<u32>("q", 1);
    assert!(rx.recv_timeout(short).is_err());
    // A writer gives up while this thread reads.
    let rw = Arc::new(RwLock::named("rw", 0u32));
    {
        let _r = rw.read();
        let rw = rw.clone();
        let writer = thread::Builder::new()
            .name("writer".into())
            .spawn(move || rw.try_write_for(Duration::from_millis(3)).is_none())
            .unwrap();
        assert!(writer.join().unwrap());
    }
    // A held lock: try_lock fails without waiting, and records nothing.
    let shared = Arc::new(Mutex::named("held", 0u32));
    let holding = shared.lock();
    let tried = {
        let shared = shared.clone();
        thread::Builder::new()
            .name("trier".into())
            .spawn(move || shared.try_lock().is_none())
            .unwrap()
    };
    assert!(tried.join().unwrap());
    drop(holding);
    let barrier = Arc::new(Barrier::named("round", 3));
    let parties: Vec<_> = (0..2)
        .map(|i| {
            let b = barrier.clone();
            thread::Builder::new()
                .name(format!("party{i}"))
                .spawn(move || b.wait())
                .unwrap()
        })
        .collect();
    let mut leaders = usize::from(barrier.wait());
    for p in parties {
        leaders += usize::from(p.join().unwrap());
    }
    assert_eq!(leaders, 1);
    drop(tx);
    assert!(rx.recv().is_err(), "the sender is gone");
    drop(rw);
}

#[test]
fn every_timed_wait_that_gives_up_try_lock_barriers_and_disconnects_are_recorded() {
    let path = trace_path("edges.trace");
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([
        "--exact",
        "sync_record::edge_child",
        "--nocapture",
        "--test-threads=1",
    ])
    .env("WEFT_EDGE_CHILD", "1")
    .env("WEFT_TRACE", &path);
    let out = run(cmd);
    assert!(out.status.success(), "{out:?}");
    let trace = read(&path);
    let cat = &trace.catalog;
    let timeouts: Vec<String> = trace
        .events()
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::WaitTimeout { task, on } => {
                Some(format!("{} {}", cat.task_name(task), cat.wait_name(on)))
            }
            _ => None,
        })
        .collect();
    // The child's test runs on a thread named after it.
    let me = "sync_record::edge_child";
    assert_eq!(timeouts.len(), 5, "{timeouts:?}");
    for (who, what) in [
        (me, "cond"),
        (me, "flag"),
        (me, "sem"),
        (me, "q"),
        ("writer", "rw"),
    ] {
        assert!(
            timeouts
                .iter()
                .any(|t| t.starts_with(&format!("{who} ")) && t.contains(what)),
            "{who} on {what} in {timeouts:?}"
        );
    }
    // The failed try_lock recorded neither a wait nor an acquisition.
    let held = cat.resources.iter().position(|r| r.name == "held").unwrap() as u32;
    let trier = cat.tasks.iter().position(|t| t.name == "trier").unwrap() as u32;
    assert!(!trace.events().iter().any(|e| matches!(
        e.kind,
        EventKind::LockWait { task, lock } | EventKind::LockAcquire { task, lock, .. }
            if task.0 == trier && lock.0 == held
    )));
    assert_eq!(barrier_arrivals(&trace), [1, 2, 3]);
    let report = Report::from_trace(&trace);
    assert_eq!(report.outcome, Some("completed"));
    assert!(
        report.tasks.iter().all(|t| t.final_state == "done"),
        "nobody is left waiting: {:?}",
        report.tasks
    );
}
