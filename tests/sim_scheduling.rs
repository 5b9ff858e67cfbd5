//! The simulator against the textbook scheduling results (Silberschatz et
//! al.'s classic examples): per-task waiting times and their averages.

use crate::common;
use common::{cpu_bound, report, task, waits};

fn average(r: &weft::report::Report) -> f64 {
    r.averages.waiting_time.expect("every task finished")
}

#[test]
fn fcfs_24_3_3_waits_0_24_27_average_17() {
    let r = report(&cpu_bound(
        "fifo",
        4,
        &[("P1", 0, 24, 1), ("P2", 0, 3, 1), ("P3", 0, 3, 1)],
    ));
    assert_eq!(waits(&r), vec![0, 24, 27]);
    assert_eq!(average(&r), 17.0);
    assert_eq!(r.makespan, Some(30));
}

#[test]
fn fcfs_in_the_other_order_averages_3() {
    let r = report(&cpu_bound(
        "fifo",
        4,
        &[("P2", 0, 3, 1), ("P3", 0, 3, 1), ("P1", 0, 24, 1)],
    ));
    assert_eq!(waits(&r), vec![0, 3, 6]);
    assert_eq!(average(&r), 3.0);
}

#[test]
fn round_robin_quantum_4_averages_5_67() {
    let r = report(&cpu_bound(
        "rr",
        4,
        &[("P1", 0, 24, 1), ("P2", 0, 3, 1), ("P3", 0, 3, 1)],
    ));
    assert_eq!(waits(&r), vec![6, 4, 7]);
    assert!((average(&r) - 17.0 / 3.0).abs() < 1e-9);
    assert_eq!(task(&r, "P2").finish, Some(7));
    assert_eq!(task(&r, "P3").finish, Some(10));
    assert_eq!(task(&r, "P1").finish, Some(30));
}

#[test]
fn sjf_6_8_7_3_averages_7() {
    let r = report(&cpu_bound(
        "sjf",
        4,
        &[
            ("P1", 0, 6, 1),
            ("P2", 0, 8, 1),
            ("P3", 0, 7, 1),
            ("P4", 0, 3, 1),
        ],
    ));
    assert_eq!(waits(&r), vec![3, 16, 9, 0]);
    assert_eq!(average(&r), 7.0);
}

#[test]
fn srtf_with_arrivals_averages_6_5() {
    let r = report(&cpu_bound(
        "srtf",
        4,
        &[
            ("P1", 0, 8, 1),
            ("P2", 1, 4, 1),
            ("P3", 2, 9, 1),
            ("P4", 3, 5, 1),
        ],
    ));
    assert_eq!(waits(&r), vec![9, 0, 15, 2]);
    assert_eq!(average(&r), 6.5);
    assert_eq!(task(&r, "P1").finish, Some(17));
    assert_eq!(task(&r, "P3").finish, Some(26));
}

#[test]
fn non_preemptive_sjf_with_the_same_arrivals_does_not_preempt() {
    let r = report(&cpu_bound(
        "sjf",
        4,
        &[
            ("P1", 0, 8, 1),
            ("P2", 1, 4, 1),
            ("P3", 2, 9, 1),
            ("P4", 3, 5, 1),
        ],
    ));
    // P1 0-8, P2 8-12, P4 12-17, P3 17-26.
    assert_eq!(waits(&r), vec![0, 7, 15, 9]);
    assert_eq!(average(&r), 7.75);
}

#[test]
fn non_preemptive_priority_averages_8_2() {
    let r = report(&cpu_bound(
        "priority",
        4,
        &[
            ("P1", 0, 10, 3),
            ("P2", 0, 1, 1),
            ("P3", 0, 2, 4),
            ("P4", 0, 1, 5),
            ("P5", 0, 5, 2),
        ],
    ));
    assert_eq!(waits(&r), vec![6, 0, 16, 18, 1]);
    assert!((average(&r) - 8.2).abs() < 1e-9);
}

#[test]
fn priority_with_round_robin_among_equals() {
    // P4 (priority 1) runs 0-7; P2 and P3 (priority 2) alternate in slices
    // of 2 until 20 (P2 ends at 16); P1 and P5 (priority 3) share 20-27.
    let r = report(&cpu_bound(
        "priority-preemptive",
        2,
        &[
            ("P1", 0, 4, 3),
            ("P2", 0, 5, 2),
            ("P3", 0, 8, 2),
            ("P4", 0, 7, 1),
            ("P5", 0, 3, 3),
        ],
    ));
    let finishes: Vec<_> = r.tasks.iter().map(|t| t.finish.unwrap()).collect();
    assert_eq!(finishes, vec![26, 16, 20, 7, 27]);
    assert_eq!(waits(&r), vec![22, 11, 12, 0, 24]);
    assert_eq!(average(&r), 13.8);
}

#[test]
fn preemptive_priority_takes_the_cpu_from_a_lower_priority_task() {
    let r = report(&cpu_bound(
        "priority-preemptive",
        100,
        &[("low", 0, 10, 5), ("high", 3, 4, 1)],
    ));
    assert_eq!(task(&r, "high").first_run, Some(3));
    assert_eq!(task(&r, "high").finish, Some(7));
    assert_eq!(task(&r, "low").finish, Some(14));
    assert_eq!(task(&r, "low").waiting_time, 4);
}

#[test]
fn an_arrival_joins_the_queue_before_the_task_whose_slice_ended() {
    // A runs 0-2; at tick 2 B arrives and A's slice ends: B goes first.
    let r = report(&cpu_bound("rr", 2, &[("A", 0, 4, 1), ("B", 2, 2, 1)]));
    assert_eq!(task(&r, "B").first_run, Some(2));
    assert_eq!(task(&r, "B").finish, Some(4));
    assert_eq!(task(&r, "A").finish, Some(6));
}

#[test]
fn zero_time_operations_after_a_compute_run_before_the_slice_ends() {
    let src = r#"
[scenario]
name = "release at the slice end"
[machine]
quantum = 2
[locks]
m = "mutex"
[vars]
x = 0
[[task]]
name = "a"
script = """
acquire m
compute 2
write x = 7
release m
compute 2
"""
[[task]]
name = "b"
script = """
acquire m
read x
release m
"""
"#;
    let r = report(src);
    // a's compute ends with its slice at tick 2; it writes and releases
    // first, so b never has to wait for the lock.
    assert_eq!(r.locks[0].contentions, 0);
    assert_eq!(task(&r, "b").first_run, Some(2));
    assert_eq!(task(&r, "b").ticks.blocked, 0);
    assert_eq!(r.vars["x"], 7);
}

#[test]
fn two_cpus_take_the_first_two_ready_tasks() {
    let src = r#"
[scenario]
name = "two cpus"
[machine]
cpus = 2
policy = "fifo"
[[task]]
name = "a"
script = "compute 3"
[[task]]
name = "b"
script = "compute 5"
[[task]]
name = "c"
script = "compute 2"
"#;
    let r = report(src);
    assert_eq!(waits(&r), vec![0, 0, 3]);
    assert_eq!(r.makespan, Some(5));
    assert_eq!(r.cpus[0].busy, 5);
    assert_eq!(r.cpus[1].busy, 5);
}

#[test]
fn a_context_switch_costs_the_cpu_its_ticks() {
    let src = r#"
[scenario]
name = "switch cost"
[machine]
policy = "fifo"
switch_cost = 1
[[task]]
name = "a"
script = "compute 3"
[[task]]
name = "b"
script = "compute 3"
"#;
    let r = report(src);
    // a 0-3, switch 3-4, b 4-7.
    assert_eq!(task(&r, "b").first_run, Some(4));
    assert_eq!(r.makespan, Some(7));
    assert_eq!(r.cpus[0].busy, 7);
}

#[test]
fn random_policy_is_reproducible_by_seed() {
    let src = cpu_bound(
        "random",
        4,
        &[
            ("a", 0, 2, 1),
            ("b", 0, 2, 1),
            ("c", 0, 2, 1),
            ("d", 0, 2, 1),
        ],
    );
    let order = |seed| {
        let s = common::scenario(&src);
        let opts = weft::sim::Options {
            seed: Some(seed),
            ..Default::default()
        };
        let (cat, ev) = weft::sim::simulate(&s, &opts);
        let r = weft::report::Report::from_trace(&weft::trace::Trace::from_events(cat, ev));
        r.tasks
            .iter()
            .map(|t| t.finish.unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(order(7), order(7));
    let distinct: std::collections::HashSet<_> = (0..20).map(order).collect();
    assert!(distinct.len() > 1, "twenty seeds gave one order");
}
