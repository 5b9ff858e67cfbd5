//! Per-task statistics with blocking and sleeping, where the textbook
//! definitions part ways: waiting time counts only ticks `ready`, response
//! time is the first dispatch (not the last), turnaround is finish − arrival.

use crate::common;
use crate::sim_run;
use common::{report, task};

const SRC: &str = r#"
[scenario]
name = "stats"
[machine]
policy = "fifo"
[locks]
L = "mutex"
[[task]]
name = "t1"
script = """
acquire L
sleep 2
release L
compute 1
"""
[[task]]
name = "t2"
script = """
acquire L
compute 1
release L
"""
[[task]]
name = "t3"
script = "compute 3"
"#;

// On one CPU: t1 takes L and sleeps 0-2; t2 blocks on L at 0; t3 runs 0-3.
// t1 is ready 2-3, releases L at 3 (t2 becomes ready holding it) and runs
// 3-4; t2 runs 4-5.

#[test]
fn waiting_time_counts_ready_ticks_only_not_blocked_or_sleeping_ones() {
    let r = report(SRC);
    let t1 = task(&r, "t1");
    assert_eq!(
        (t1.ticks.sleeping, t1.ticks.ready, t1.ticks.running),
        (2, 1, 1)
    );
    assert_eq!(t1.waiting_time, 1);
    let t2 = task(&r, "t2");
    assert_eq!(
        (t2.ticks.blocked, t2.ticks.ready, t2.ticks.running),
        (3, 1, 1)
    );
    assert_eq!(t2.waiting_time, 1, "3 blocked ticks are not waiting time");
    assert_eq!(task(&r, "t3").waiting_time, 0);
}

#[test]
fn response_time_is_the_first_dispatch_and_turnaround_runs_to_the_finish() {
    let r = report(SRC);
    let t2 = task(&r, "t2");
    assert_eq!(
        t2.first_run,
        Some(0),
        "t2 first ran at 0, before it blocked"
    );
    assert_eq!(t2.response_time, Some(0));
    assert_eq!(t2.finish, Some(5));
    assert_eq!(t2.turnaround, Some(5));
    let t1 = task(&r, "t1");
    assert_eq!((t1.turnaround, t1.response_time), (Some(4), Some(0)));
    assert_eq!(r.averages.turnaround, Some(4.0));
    let avg = r.averages.waiting_time.unwrap();
    assert!((avg - 2.0 / 3.0).abs() < 1e-9, "{avg}");
}

#[test]
fn a_released_lock_goes_to_its_waiters_in_the_order_they_came() {
    let r = sim_run::run(
        r#"
[machine]
cpus = 3
[locks]
L = "mutex"
[[task]]
name = "holder"
script = """
acquire L
sleep 10
release L
"""
[[task]]
name = "late"
start = 4
script = """
acquire L
sleep 1
release L
"""
[[task]]
name = "early"
start = 2
script = """
acquire L
sleep 1
release L
"""
"#,
    );
    let got: Vec<(u64, String)> = r.holders_of("L");
    let got: Vec<(u64, &str)> = got.iter().map(|(t, n)| (*t, n.as_str())).collect();
    assert_eq!(got, [(0, "holder"), (10, "early"), (11, "late")]);
}

#[test]
fn context_switches_are_counted_per_cpu_with_their_cost() {
    // A, B, C, A, B, C, A on one CPU: six switches, free or a tick each.
    for (file, switch_ticks, end) in [
        ("round_robin_slices.toml", 0, 12),
        ("round_robin_switch_cost.toml", 6, 18),
    ] {
        let path = format!("{}/scenarios/{file}", env!("CARGO_MANIFEST_DIR"));
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_weft"))
            .args(["run", &path, "--headless", "--json"])
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let cpu = &v["cpus"][0];
        assert_eq!(cpu["switches"], 6, "{file}: {cpu}");
        assert_eq!(cpu["switch_ticks"], switch_ticks, "{file}: {cpu}");
        assert_eq!(cpu["busy"], end, "{file}: switching is busy time");
        assert_eq!(cpu["idle"], 0);
    }
}
