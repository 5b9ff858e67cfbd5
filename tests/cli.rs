//! The real binary, end to end: exit codes, reports, validation, traces.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn weft(args: &[&str]) -> Output {
    weft_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

fn weft_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_weft"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A fresh scratch folder under the target directory.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

#[test]
fn abba_prints_the_cycle_and_exits_3() {
    let o = weft(&["run", "scenarios/abba_deadlock.toml", "--headless"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with("DEADLOCK"), "{out}");
    assert!(out.contains("t1 -[B]-> t2 -[A]-> t1"), "{out}");
}

#[test]
fn the_json_report_has_every_field_with_nulls_not_gaps() {
    let o = weft(&[
        "run",
        "scenarios/abba_deadlock.toml",
        "--headless",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(3));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    for key in [
        "scenario",
        "engine",
        "seed",
        "outcome",
        "end_tick",
        "makespan",
        "tasks",
        "deadlocks",
        "locks",
        "queues",
        "vars",
        "expect",
        "averages",
        "cpus",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["outcome"], "deadlock");
    assert_eq!(v["engine"], "sim");
    assert!(v["makespan"].is_null());
    let t1 = &v["tasks"][0];
    assert_eq!(t1["name"], "t1");
    assert_eq!(t1["blocked_on"], "B");
    assert!(t1["finish"].is_null());
    assert!(t1["turnaround"].is_null());
    assert_eq!(t1["held"][0], "A");
    assert_eq!(v["deadlocks"][0]["cycle"][0]["waits_for"], "B");
    assert_eq!(v["deadlocks"][0]["cycle"][0]["held_by"], "t2");
    assert_eq!(v["locks"][0]["holder"], "t1");
    assert_eq!(v["expect"]["outcome_ok"], true);
    assert!(v["averages"]["waiting_time"].is_null());
}

#[test]
fn every_built_in_scenario_matches_its_expectations() {
    let o = weft(&["test", "scenarios"]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(!out.contains("FAIL"), "{out}");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let with_expect = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "toml"))
        .filter(|e| std::fs::read_to_string(e.path()).is_ok_and(|s| s.contains("\n[expect]")))
        .count();
    assert!(with_expect > 40, "{with_expect}");
    assert!(
        out.contains(&format!("\n{with_expect} passed, 0 failed")),
        "{out}"
    );
}

#[test]
fn list_works_from_any_folder() {
    let dir = scratch("list");
    let o = weft_in(&dir, &["list"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(out.lines().count() >= 12, "{out}");
    assert!(out.contains("abba_deadlock"), "{out}");
    // and a built-in scenario runs by name from there
    let o = weft_in(&dir, &["run", "abba_deadlock", "--headless"]);
    assert_eq!(o.status.code(), Some(3));
}

#[test]
fn a_failed_expectation_exits_4_and_says_what_did_not_hold() {
    let dir = scratch("expect");
    std::fs::write(
        dir.join("wrong.toml"),
        "[scenario]\nname = \"w\"\n[vars]\nx = 0\n[[task]]\nname = \"t\"\nscript = \"atomic_incr x\"\n[expect]\nfinal = [\"x == 2\"]\n",
    )
    .unwrap();
    let o = weft_in(&dir, &["run", "wrong.toml", "--headless"]);
    assert_eq!(o.status.code(), Some(4));
    assert!(stdout(&o).contains("FAIL x == 2"), "{}", stdout(&o));
    let o = weft_in(&dir, &["test", "."]);
    assert_eq!(o.status.code(), Some(4));
    assert!(
        stdout(&o).contains("`x == 2` does not hold (x = 1)"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn bad_input_is_exit_2_with_file_line_and_column() {
    let dir = scratch("bad");
    std::fs::write(
        dir.join("bad.toml"),
        "[scenario]\nname = \"bad\"\n[locks]\nA = \"mutex\"\n[[task]]\nname = \"t\"\nscript = \"\"\"\nacquire A\naquire A\n\"\"\"\n",
    )
    .unwrap();
    let o = weft_in(&dir, &["run", "bad.toml", "--headless"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("bad.toml:9:1:"), "{err}");
    assert!(err.contains("acquire"), "{err}");
    assert!(stdout(&o).is_empty());
    let o = weft_in(&dir, &["validate", "bad.toml"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn arbitrary_bytes_and_empty_files_are_errors_not_panics() {
    let dir = scratch("bytes");
    std::fs::write(dir.join("junk.toml"), [0xff, 0xfe, 0x00, 0x80, b'[', 0xc3]).unwrap();
    std::fs::write(dir.join("empty.toml"), b"").unwrap();
    for file in ["junk.toml", "empty.toml"] {
        let o = weft_in(&dir, &["run", file, "--headless"]);
        assert_eq!(o.status.code(), Some(2), "{file}");
        assert!(stderr(&o).contains(&format!("{file}:1:")), "{}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"));
    }
    let o = weft_in(&dir, &["run", "missing.toml", "--headless"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn every_scenario_that_validates_runs() {
    let dir = scratch("runs");
    std::fs::write(
        dir.join("sem.toml"),
        "[scenario]\nname = \"s\"\n[semaphores]\nS = 2\n[[task]]\nname = \"t\"\nscript = \"\"\"\nacquire S\nrelease S\n\"\"\"\n",
    )
    .unwrap();
    let o = weft_in(&dir, &["validate", "sem.toml"]);
    assert_eq!(o.status.code(), Some(0));
    let o = weft_in(&dir, &["run", "sem.toml", "--headless"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("COMPLETED"));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(weft(&["run"]).status.code(), Some(2));
    assert_eq!(weft(&["frobnicate"]).status.code(), Some(2));
    assert_eq!(weft(&["--help"]).status.code(), Some(0));
}

#[test]
fn a_recorded_trace_replays_to_the_same_report() {
    let dir = scratch("replay");
    let trace = dir.join("q.trace");
    let trace = trace.to_str().unwrap();
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/bounded_queue.toml");
    let run = weft_in(
        &dir,
        &[
            "run",
            scenario.to_str().unwrap(),
            "--headless",
            "--json",
            "--record",
            trace,
        ],
    );
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let replay = weft_in(&dir, &["replay", trace, "--headless", "--json"]);
    assert_eq!(replay.status.code(), Some(0), "{}", stderr(&replay));
    assert_eq!(stdout(&run), stdout(&replay));
    let text = std::fs::read_to_string(trace).unwrap();
    assert!(text.starts_with("{\"weft_trace\":1,"), "{}", &text[..40]);
}

#[test]
fn a_truncated_trace_names_its_line_and_partial_replays_what_is_there() {
    let dir = scratch("truncated");
    let full = dir.join("full.trace");
    let o = weft_in(
        &dir,
        &[
            "run",
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("scenarios/abba_deadlock.toml")
                .to_str()
                .unwrap(),
            "--headless",
            "--record",
            full.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(3));
    let text = std::fs::read_to_string(&full).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let cut = format!(
        "{}\n{}",
        lines[..6].join("\n"),
        &lines[6][..lines[6].len() / 2]
    );
    std::fs::write(dir.join("cut.trace"), cut).unwrap();
    let o = weft_in(&dir, &["replay", "cut.trace", "--headless"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cut.trace: line 7:"), "{}", stderr(&o));
    let o = weft_in(&dir, &["replay", "cut.trace", "--headless", "--partial"]);
    assert_eq!(o.status.code(), Some(4), "an unfinished run is no success");
    assert!(stdout(&o).starts_with("UNFINISHED"), "{}", stdout(&o));
    std::fs::write(dir.join("garbage.trace"), "hello\n").unwrap();
    let o = weft_in(&dir, &["replay", "garbage.trace", "--headless"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("line 1"), "{}", stderr(&o));
}

#[test]
fn test_without_a_folder_checks_the_built_in_scenarios() {
    let dir = scratch("builtin-test");
    let o = weft_in(&dir, &["test"]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("ok   (built-in) abba_deadlock.toml"), "{out}");
}

#[test]
fn without_a_terminal_the_bare_command_lists_the_lessons() {
    let dir = scratch("bare");
    let o = weft_in(&dir, &[]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("abba_deadlock"), "{}", stdout(&o));
}

#[test]
fn seed_and_max_ticks_override_the_scenario() {
    let dir = scratch("overrides");
    std::fs::write(
        dir.join("spin.toml"),
        "[scenario]\nname = \"spin\"\n[[task]]\nname = \"t\"\nscript = \"\"\"\nloop {\n  compute 1\n}\n\"\"\"\n",
    )
    .unwrap();
    let o = weft_in(
        &dir,
        &[
            "run",
            "spin.toml",
            "--headless",
            "--json",
            "--max-ticks",
            "25",
            "--seed",
            "9",
        ],
    );
    assert_eq!(o.status.code(), Some(4));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["outcome"], "timeout");
    assert_eq!(v["end_tick"], 25);
    assert_eq!(v["seed"], 9);
}

#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    let dir = scratch("pipe");
    let err = dir.join("err.txt");
    let code = dir.join("code.txt");
    // `true` closes the pipe at once; weft writes after it has gone.
    let status = Command::new("sh")
        .arg("-c")
        .arg(r#"{ "$0" test scenarios 2>"$1"; echo $? >"$2"; } | true"#)
        .arg(env!("CARGO_BIN_EXE_weft"))
        .arg(&err)
        .arg(&code)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .unwrap();
    assert!(status.success());
    let err = std::fs::read_to_string(&err).unwrap();
    assert!(
        !err.contains("panicked") && !err.contains("Broken pipe"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&code).unwrap().trim(), "0");
}

#[test]
fn test_and_validate_take_files_and_folders() {
    let o = weft(&["test", "scenarios/abba_deadlock.toml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).ends_with("1 passed, 0 failed\n"),
        "{}",
        stdout(&o)
    );
    let o = weft(&["validate", "scenarios"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("scenarios/abba_deadlock.toml: ok"));
    let empty = scratch("empty-folder");
    for cmd in ["test", "validate"] {
        let o = weft(&[cmd, empty.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{cmd}");
        assert!(
            stderr(&o).contains("no scenario (*.toml) in this folder"),
            "{cmd}: {}",
            stderr(&o)
        );
    }
    let dir = scratch("skipped");
    std::fs::write(
        dir.join("plain.toml"),
        "[scenario]\nname = \"p\"\n[[task]]\nname = \"t\"\nscript = \"compute 1\"\n",
    )
    .unwrap();
    let o = weft_in(&dir, &["test", "."]);
    assert!(
        stdout(&o).ends_with("0 passed, 0 failed, 1 skipped\n"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn a_misspelt_built_in_gets_a_suggestion() {
    let o = weft(&["run", "abba_deadlok", "--headless"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("did you mean `abba_deadlock`?"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn max_ticks_on_the_command_line_is_held_to_the_file_limit() {
    for v in ["0", "1000000001", "18446744073709551615"] {
        let o = weft(&[
            "run",
            "scenarios/abba_deadlock.toml",
            "--headless",
            "--max-ticks",
            v,
        ]);
        assert_eq!(o.status.code(), Some(2), "{v}");
        assert!(stderr(&o).contains("1..=1000000000"), "{}", stderr(&o));
    }
}

#[test]
fn a_failed_expectation_says_what_was_expected_and_what_came() {
    let dir = scratch("expect-words");
    std::fs::write(
        dir.join("money.toml"),
        r#"[scenario]
name = "money"
[vars]
a = 100
b = 100
[[task]]
name = "t"
script = """
decr a 30
incr b 20
"""
[expect]
outcome = "deadlock"
final = ["a + b == 200", "a - b >= 0", "a == 70"]
"#,
    )
    .unwrap();
    let o = weft_in(&dir, &["run", "money.toml", "--headless"]);
    assert_eq!(o.status.code(), Some(4));
    let out = stdout(&o);
    assert!(
        out.contains("FAIL outcome: expected deadlock, got completed"),
        "{out}"
    );
    assert!(
        out.contains("FAIL a + b == 200 (a = 70, b = 120, in all 190)"),
        "{out}"
    );
    assert!(
        out.contains("FAIL a - b >= 0 (a = 70, b = 120, in all -50)"),
        "{out}"
    );
    assert!(out.contains("ok   a == 70 (a = 70)"), "{out}");
    let o = weft_in(&dir, &["run", "money.toml", "--headless", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["expect"]["outcome"], "deadlock");
    assert_eq!(v["expect"]["final"][0]["actual"], 190);
    assert_eq!(v["expect"]["final"][0]["ok"], false);
    let o = weft_in(&dir, &["test", "."]);
    assert!(
        stdout(&o).contains("expected outcome deadlock, got completed; `a + b == 200` does not hold (a = 70, b = 120, in all 190)"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn a_stalled_runs_json_says_who_waits_forever_and_why() {
    let o = weft(&["run", "scenarios/lost_wakeup.toml", "--headless", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["outcome"], "stalled");
    let stuck = &v["stall"]["stuck"][0];
    assert_eq!(stuck["task"], "consumer");
    assert_eq!(stuck["waits_for"], "c");
    assert!(
        stuck["reason"].as_str().unwrap().contains("notify"),
        "{stuck}"
    );
    let o = weft(&[
        "run",
        "scenarios/abba_deadlock.toml",
        "--headless",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["stall"].is_null());
}

#[test]
fn no_mouse_is_offered_only_where_a_tui_opens() {
    for command in ["run", "replay"] {
        let o = weft(&[command, "--help"]);
        assert!(
            stdout(&o).contains("--no-mouse"),
            "{command}: {}",
            stdout(&o)
        );
    }
    assert!(
        stdout(&weft(&["--help"])).contains("--no-mouse"),
        "the picker"
    );
    for command in ["test", "validate", "list"] {
        let o = weft(&[command, "--help"]);
        assert_eq!(o.status.code(), Some(0));
        assert!(!stdout(&o).contains("mouse"), "{command}: {}", stdout(&o));
    }
    let tried: [&[&str]; 4] = [
        &["list", "--no-mouse"],
        &["test", "--no-mouse"],
        &["validate", "scenarios/abba_deadlock.toml", "--no-mouse"],
        &["--no-mouse", "list"],
    ];
    for args in tried {
        let o = weft(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stdout(&o));
        assert!(
            stderr(&o).contains("--no-mouse"),
            "{args:?}: {}",
            stderr(&o)
        );
    }
    let o = weft(&["run", "abba_deadlock", "--headless", "--no-mouse"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
}

#[test]
fn the_help_says_what_run_and_replay_take() {
    let run = stdout(&weft(&["run", "--help"]));
    let file = run
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("<FILE>"))
        .take_while(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(file.contains("built-in lesson"), "{run}");
    assert!(file.contains("`weft list`"), "{run}");
    let replay = stdout(&weft(&["replay", "--help"]));
    let trace = replay
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("<TRACE>"))
        .take_while(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(trace.contains("--record TRACE"), "{replay}");
    assert!(trace.contains("docs/trace-format.md"), "{replay}");
}

#[test]
fn a_cut_trace_read_with_partial_is_not_judged_against_its_expectations() {
    let dir = scratch("partial-expect");
    let full = dir.join("full.trace");
    let o = weft_in(
        &dir,
        &[
            "run",
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("scenarios/abba_deadlock.toml")
                .to_str()
                .unwrap(),
            "--headless",
            "--record",
            full.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let text = std::fs::read_to_string(&full).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[lines.len() - 1].contains("\"end\""), "{text}");
    assert!(lines[lines.len() - 2].contains("\"deadlock\""), "{text}");
    let cut = |name: &str, keep: usize| {
        let path = dir.join(name);
        std::fs::write(&path, lines[..keep].join("\n") + "\n").unwrap();
        path.to_str().unwrap().to_string()
    };
    // Without its end but with the deadlock: the deadlock still exits 3.
    let no_end = cut("no-end.trace", lines.len() - 1);
    // Cut before the deadlock: the run did not end, so 4, with nothing judged.
    let early = cut("early.trace", lines.len() - 3);
    for (trace, code) in [(&no_end, 3), (&early, 4)] {
        let o = weft_in(&dir, &["replay", "--partial", trace, "--headless"]);
        let out = stdout(&o);
        assert_eq!(o.status.code(), Some(code), "{trace}:\n{out}");
        assert!(out.starts_with("UNFINISHED"), "{out}");
        assert!(
            out.contains("expect: not judged: the trace ends before the run did"),
            "{out}"
        );
        assert!(!out.contains("FAIL"), "{out}");
        assert!(out.contains("  -    outcome deadlock"), "{out}");
        assert!(out.contains("  -    done == 0"), "{out}");

        let o = weft_in(&dir, &["replay", "--partial", trace, "--json"]);
        assert_eq!(o.status.code(), Some(code), "{trace}");
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
        let e = &v["expect"];
        assert!(v["outcome"].is_null());
        assert_eq!(e["judged"], false, "{e}");
        assert!(e["reason"].as_str().unwrap().contains("ends before"), "{e}");
        assert_eq!(e["outcome"], "deadlock");
        assert!(e["outcome_ok"].is_null(), "{e}");
        assert!(e["final"][0]["ok"].is_null(), "{e}");
        assert!(e["final"][0]["values"].is_null(), "{e}");
        assert_eq!(e["final"][0]["check"], "done == 0");
    }
    // The whole trace is judged as before.
    let o = weft_in(&dir, &["replay", full.to_str().unwrap(), "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["expect"]["judged"], true);
    assert!(v["expect"]["reason"].is_null());
    assert_eq!(v["expect"]["outcome_ok"], true);
    assert_eq!(v["expect"]["final"][0]["ok"], true);
}
