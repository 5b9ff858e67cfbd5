//! The simulator's tasks beyond plain threads: the GIL, processes and their
//! copies of the variables, pools, coroutines, daemons; the knot rule; and
//! the scheduling rules for `yield`, overflow and joining oneself.

use crate::sim_run;
use sim_run::{run, Run};
use weft::event::{DeadlockRule, EventKind, Failure, TaskState, WaitOn};

fn two_cpu_bound(gil: bool, kind: &str) -> Run {
    run(&format!(
        r#"
[machine]
cpus = 2
gil = {gil}
switch_interval = 5
[[task]]
name = "a"
kind = "{kind}"
script = "compute 10"
[[task]]
name = "b"
kind = "{kind}"
script = "compute 10"
"#
    ))
}

#[test]
fn the_gil_makes_two_cpu_bound_threads_take_twice_as_long_on_two_cpus() {
    assert_eq!(two_cpu_bound(false, "thread").end_tick(), 10);
    let with_gil = two_cpu_bound(true, "thread");
    assert_eq!(with_gil.outcome(), "completed");
    assert_eq!(with_gil.end_tick(), 20);
}

#[test]
fn the_gil_is_handed_to_the_waiter_every_switch_interval() {
    let r = two_cpu_bound(true, "thread");
    let holders: Vec<(u64, String)> = r.holders_of("GIL");
    let names: Vec<(u64, &str)> = holders.iter().map(|(t, n)| (*t, n.as_str())).collect();
    assert_eq!(names, [(0, "a"), (5, "b"), (10, "a"), (15, "b")]);
    assert_eq!(
        r.first_state("b", |s| matches!(
            s,
            TaskState::Blocked {
                on: WaitOn::Gil(_),
                ..
            }
        )),
        Some(0)
    );
}

#[test]
fn processes_each_have_their_own_gil() {
    let r = two_cpu_bound(true, "process");
    assert_eq!(r.end_tick(), 10);
    assert!(r.catalog.resources.iter().any(|x| x.name == "GIL(a)"));
}

#[test]
fn io_bound_threads_overlap_under_the_gil() {
    let r = run(r#"
[machine]
cpus = 1
gil = true
[[task]]
name = "d"
count = 3
script = """
compute 1
io 5
compute 1
"""
"#);
    assert_eq!(r.outcome(), "completed");
    // Three I/O waits of 5 overlap: 1 + 1 + 1 of compute, then the waits end at 6, 7, 8.
    assert_eq!(r.end_tick(), 9);
}

#[test]
fn a_spawned_process_copies_the_spawners_variables_and_keeps_its_changes() {
    let r = run(r#"
[vars]
x = 1
[[task]]
name = "main"
script = """
write x = 5
spawn child
join child
read x
"""
[[task]]
name = "child"
kind = "process"
start = "spawned"
script = """
read x
incr x
"""
"#);
    assert_eq!(r.outcome(), "completed");
    assert_eq!(r.reads("child"), [5, 5], "the child starts from main's 5");
    assert_eq!(r.writes("child"), [6]);
    assert_eq!(r.reads("main"), [5], "main never sees the child's 6");
}

#[test]
fn a_process_that_starts_by_itself_gets_the_initial_values() {
    let r = run(r#"
[vars]
x = 1
[[task]]
name = "main"
script = "write x = 9"
[[task]]
name = "p"
kind = "process"
start = 2
script = "read x"
[[task]]
name = "helper"
process = "p"
start = 3
script = "read x"
"#);
    assert_eq!(r.reads("p"), [1]);
    assert_eq!(r.reads("helper"), [1], "a thread of p shares p's copy");
}

#[test]
fn joining_a_process_waits_for_its_threads_and_terminate_kills_them() {
    let r = run(r#"
[machine]
cpus = 5
[[task]]
name = "main"
script = """
join p
terminate q
"""
[[task]]
name = "p"
kind = "process"
script = "compute 1"
[[task]]
name = "p_worker"
process = "p"
script = "sleep 6"
[[task]]
name = "q"
kind = "process"
script = "sleep 100"
[[task]]
name = "q_worker"
process = "q"
script = "sleep 100"
"#);
    assert_eq!(r.outcome(), "completed");
    assert_eq!(r.finish("main"), Some(6));
    assert_eq!(r.final_state("q"), TaskState::Killed);
    assert_eq!(r.final_state("q_worker"), TaskState::Killed);
}

#[test]
fn a_pool_runs_at_most_its_workers_jobs_at_once() {
    let r = run(r#"
[machine]
cpus = 4
[pools]
pool = { workers = 2 }
[[task]]
name = "job"
count = 4
pool = "pool"
script = "compute 3"
[[task]]
name = "main"
script = "join pool"
"#);
    assert_eq!(r.outcome(), "completed");
    let starts = r.ticks_of(|k| match k {
        EventKind::PoolStart { task, .. } => Some(*task),
        _ => None,
    });
    let ticks: Vec<u64> = starts.iter().map(|(t, _)| *t).collect();
    assert_eq!(ticks, [0, 0, 3, 3]);
    assert_eq!(
        r.first_state("job[2]", |s| matches!(
            s,
            TaskState::Blocked {
                on: WaitOn::Worker(_),
                ..
            }
        )),
        Some(0)
    );
    assert_eq!(r.finish("main"), Some(6));
}

#[test]
fn a_process_pool_escapes_the_gil_and_a_thread_pool_does_not() {
    let pool = |kind: &str| {
        run(&format!(
            r#"
[machine]
cpus = 2
gil = true
[pools]
pool = {{ workers = 2, kind = "{kind}" }}
[[task]]
name = "job"
count = 2
pool = "pool"
script = "compute 10"
"#
        ))
    };
    assert_eq!(pool("thread").end_tick(), 20);
    let p = pool("process");
    assert_eq!(p.end_tick(), 10);
    assert!(p.catalog.processes.iter().any(|x| x.name == "pool[1]"));
}

#[test]
fn a_job_spawned_after_join_closed_its_pool_fails_the_spawner() {
    let r = run(r#"
[pools]
pool = { workers = 1 }
[[task]]
name = "main"
script = """
join pool
spawn job
"""
[[task]]
name = "job"
pool = "pool"
start = "spawned"
script = "compute 1"
"#);
    assert!(matches!(
        r.final_state("main"),
        TaskState::Failed {
            reason: Failure::PoolClosed(_)
        }
    ));
}

const ASYNC: &str = r#"
[machine]
cpus = 2
[[task]]
name = "main"
script = "run_loop"
[[task]]
name = "c"
count = 2
kind = "coroutine"
loop = "main"
script = """
compute 1
SLEEP
compute 1
"""
"#;

#[test]
fn await_sleep_lets_the_loop_run_another_coroutine() {
    let r = run(&ASYNC.replace("SLEEP", "await sleep 3"));
    assert_eq!(r.outcome(), "completed");
    // c[0] computes 0-1 and sleeps to 4; c[1] computes 1-2 and sleeps to 5.
    assert_eq!(r.end_tick(), 6);
    assert!(matches!(r.final_state("main"), TaskState::Done));
    assert_eq!(
        r.first_state("c[0]", |s| matches!(
            s,
            TaskState::Blocked {
                on: WaitOn::AwaitSleep,
                ..
            }
        )),
        Some(1)
    );
}

#[test]
fn a_blocking_sleep_in_a_coroutine_holds_the_whole_loop() {
    let r = run(&ASYNC.replace("SLEEP", "sleep 3"));
    assert_eq!(r.outcome(), "completed");
    assert_eq!(r.end_tick(), 10);
    let runs = r.holders_of("main.loop");
    let names: Vec<&str> = runs.iter().map(|(_, n)| n.as_str()).collect();
    assert_eq!(
        names,
        ["c[0]", "c[1]"],
        "one coroutine at a time, each to its end"
    );
}

#[test]
fn only_one_coroutine_of_a_loop_runs_at_a_time() {
    let r = run(&ASYNC.replace("SLEEP", "compute 2"));
    let running = |name: &str| -> Vec<(u64, u64)> {
        let s = r.states(name);
        s.windows(2)
            .filter(|w| matches!(w[0].1, TaskState::Running { .. }))
            .map(|w| (w[0].0, w[1].0))
            .collect()
    };
    for (a0, a1) in running("c[0]") {
        for (b0, b1) in running("c[1]") {
            assert!(a1 <= b0 || b1 <= a0, "overlap {a0}-{a1} and {b0}-{b1}");
        }
    }
    assert_eq!(r.end_tick(), 8);
}

#[test]
fn await_of_another_coroutine_waits_for_its_end() {
    let r = run(r#"
[[task]]
name = "main"
script = "run_loop"
[[task]]
name = "a"
kind = "coroutine"
loop = "main"
script = """
await b
compute 1
"""
[[task]]
name = "b"
kind = "coroutine"
loop = "main"
script = "await sleep 2"
"#);
    assert_eq!(r.outcome(), "completed");
    assert_eq!(r.finish("b"), Some(2));
    assert_eq!(r.finish("a"), Some(3));
}

#[test]
fn daemons_are_killed_when_their_process_has_no_other_task_left() {
    let r = run(r#"
[machine]
cpus = 4
[[task]]
name = "main"
script = "compute 2"
[[task]]
name = "ticker"
daemon = true
script = """
loop {
  sleep 1
}
"""
[[task]]
name = "p"
kind = "process"
script = "compute 5"
[[task]]
name = "p_daemon"
process = "p"
daemon = true
script = "sleep 100"
"#);
    assert_eq!(r.outcome(), "completed");
    assert_eq!(r.final_state("p_daemon"), TaskState::Killed);
    assert_eq!(r.finish("p_daemon"), Some(5));
    assert_eq!(r.final_state("ticker"), TaskState::Killed);
    assert_eq!(
        r.finish("ticker"),
        Some(5),
        "main's daemons wait for the processes too"
    );
}

#[test]
fn a_consumer_holding_the_lock_its_producer_needs_is_a_deadlock() {
    let r = run(r#"
[locks]
L = "mutex"
[queues]
q = { capacity = 1 }
[[task]]
name = "consumer"
script = """
acquire L
get q
release L
"""
[[task]]
name = "producer"
start = 1
script = """
acquire L
put q
release L
"""
"#);
    assert_eq!(r.outcome(), "deadlock");
    assert_eq!(r.end_tick(), 1);
}

#[test]
fn permits_held_by_tasks_that_all_wait_make_a_knot() {
    let r = run(r#"
[machine]
cpus = 3
[locks]
L = "mutex"
[semaphores]
S = 2
[[task]]
name = "h"
count = 2
script = """
acquire S
sleep 1
acquire L
release L
release S
"""
[[task]]
name = "w"
script = """
acquire L
acquire S
release S
release L
"""
"#);
    assert_eq!(r.outcome(), "deadlock");
    let rule = r.events.iter().find_map(|e| match &e.kind {
        EventKind::Deadlock { rule, cycle } => Some((*rule, cycle.len())),
        _ => None,
    });
    assert_eq!(rule, Some((DeadlockRule::Knot, 4)));
}

#[test]
fn a_semaphore_wait_with_a_releaser_still_running_is_no_deadlock() {
    let r = run(r#"
[machine]
cpus = 2
[semaphores]
S = 0
[[task]]
name = "waiter"
script = "acquire S"
[[task]]
name = "signaller"
script = """
compute 3
release S
"""
"#);
    assert_eq!(r.outcome(), "completed");
    assert_eq!(r.finish("waiter"), Some(3));
}

#[test]
fn a_wait_nobody_left_can_end_is_a_stall() {
    let r = run(r#"
[events]
e = false
[[task]]
name = "waiter"
script = "wait e"
"#);
    assert_eq!(r.outcome(), "stalled");
}

#[test]
fn a_task_that_yields_alone_goes_on_at_once() {
    let r = run(r#"
[[task]]
name = "t"
script = """
compute 2
yield
compute 2
"""
"#);
    assert_eq!(r.outcome(), "completed");
    assert_eq!(r.end_tick(), 4);
}

#[test]
fn no_cpu_stays_idle_while_a_yielded_task_is_ready() {
    let r = run(r#"
[machine]
cpus = 2
policy = "fifo"
[[task]]
name = "a"
script = """
yield
compute 3
"""
[[task]]
name = "b"
script = "compute 3"
"#);
    assert_eq!(r.end_tick(), 3);
}

#[test]
fn a_yielding_task_lets_a_ready_one_go_first() {
    let r = run(r#"
[machine]
policy = "fifo"
[[task]]
name = "a"
script = """
compute 1
yield
compute 1
"""
[[task]]
name = "b"
script = "compute 3"
"#);
    assert_eq!(r.finish("b"), Some(4));
    assert_eq!(r.finish("a"), Some(5));
}

#[test]
fn an_integer_overflow_fails_the_task() {
    for op in ["incr x", "atomic_incr x", "write x = x + 1"] {
        let r = run(&format!(
            "[vars]\nx = 9223372036854775807\n[[task]]\nname = \"t\"\nscript = \"\"\"\nread x\n{op}\n\"\"\"\n"
        ));
        assert!(
            matches!(
                r.final_state("t"),
                TaskState::Failed {
                    reason: Failure::Overflow(_)
                }
            ),
            "{op}: {:?}",
            r.final_state("t")
        );
    }
}

#[test]
fn joining_oneself_fails_instead_of_deadlocking() {
    let r = run(r#"
[[task]]
name = "t"
script = "join t"
"#);
    assert_eq!(r.outcome(), "failed");
    assert!(matches!(
        r.final_state("t"),
        TaskState::Failed {
            reason: Failure::JoinSelf
        }
    ));
}

#[test]
fn timed_waits_are_no_deadlock() {
    let r = run(r#"
[locks]
A = "mutex"
B = "mutex"
[[task]]
name = "t1"
on_timeout = "ignore"
script = """
acquire A
sleep 1
acquire B timeout 3
"""
[[task]]
name = "t2"
script = """
acquire B
sleep 1
acquire A
release A
release B
"""
"#);
    assert_ne!(r.outcome(), "deadlock");
}

#[test]
fn a_script_on_one_line_shows_its_operation_not_the_toml_around_it() {
    let r = run("[[task]]\nname = \"t\"\nscript = \"compute 8\"\n");
    assert_eq!(r.catalog.tasks[0].script.lines, ["compute 8"]);
    let r = run("[[task]]\nname = \"t\"\nscript = \"\"\"compute 1\nsleep 1\n\"\"\"\n");
    assert_eq!(r.catalog.tasks[0].script.lines, ["compute 1", "sleep 1"]);
    assert_eq!(r.catalog.tasks[0].script.pc_line, [0, 1]);
}

#[test]
fn a_put_with_a_timeout_gives_up_with_queue_full() {
    let r = run(r#"
[vars]
gave_up = 0
[queues]
q = { capacity = 1 }
[[task]]
name = "t"
script = """
put q 5
put q 7 timeout 2 else {
  write gave_up = 1
}
put q timeout 1
"""
"#);
    assert_eq!(r.writes("t"), [1], "the else block ran");
    assert!(matches!(
        r.final_state("t"),
        TaskState::Failed {
            reason: Failure::Full(_)
        }
    ));
    assert_eq!(r.finish("t"), Some(3));
}

#[test]
fn threads_joining_each_other_deadlock_while_another_still_runs() {
    let r = run(r#"
[machine]
cpus = 3
[[task]]
name = "a"
script = "join b"
[[task]]
name = "b"
script = "join a"
[[task]]
name = "busy"
script = "compute 50"
"#);
    assert_eq!(r.outcome(), "deadlock");
    assert_eq!(r.end_tick(), 0);
    let edges = r.events.iter().find_map(|e| match &e.kind {
        EventKind::Deadlock { rule, cycle } => Some((*rule, cycle.len())),
        _ => None,
    });
    assert_eq!(edges, Some((DeadlockRule::Cycle, 2)));
}

#[test]
fn a_process_joining_the_thread_that_joins_it_deadlocks() {
    let r = run(r#"
[machine]
cpus = 2
[[task]]
name = "main"
script = "join p"
[[task]]
name = "p"
kind = "process"
script = "compute 1"
[[task]]
name = "p_worker"
process = "p"
script = "join main"
"#);
    assert_eq!(r.outcome(), "deadlock");
    assert_eq!(r.end_tick(), 1);
}
