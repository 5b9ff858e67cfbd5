//! The simulator's primitives and outcomes: locks, queues, joins, spawns,
//! terminate, variables, failures, deadlocks and stalls.

use crate::common;
use common::{events, report, task};
use weft::event::EventKind;

fn with_header(body: &str) -> String {
    format!("[scenario]\nname = \"t\"\n{body}")
}

#[test]
fn abba_deadlocks_at_the_tick_the_cycle_closes() {
    let r = report(&with_header(
        r#"
[locks]
A = "mutex"
B = "mutex"
[[task]]
name = "t1"
script = """
acquire A
sleep 1
acquire B
"""
[[task]]
name = "t2"
script = """
acquire B
sleep 1
acquire A
"""
"#,
    ));
    assert_eq!(r.outcome, Some("deadlock"));
    assert_eq!(r.end_tick, 1);
    assert_eq!(r.makespan, None);
    assert_eq!(r.deadlocks.len(), 1);
    let d = &r.deadlocks[0];
    assert_eq!(d.tick, 1);
    let cycle: Vec<_> = d
        .cycle
        .iter()
        .map(|e| (e.task.as_str(), e.waits_for.as_str(), e.held_by.as_str()))
        .collect();
    assert_eq!(cycle, vec![("t1", "B", "t2"), ("t2", "A", "t1")]);
    assert_eq!(task(&r, "t1").held, vec!["A"]);
    assert_eq!(task(&r, "t1").blocked_on.as_deref(), Some("B"));
    assert_eq!(r.exit_code(), 3);
}

#[test]
fn a_deadlock_is_reported_while_other_tasks_still_run() {
    let r = report(&with_header(
        r#"
[locks]
A = "mutex"
B = "mutex"
[machine]
cpus = 2
[[task]]
name = "t1"
script = """
acquire A
sleep 2
acquire B
"""
[[task]]
name = "t2"
script = """
acquire B
sleep 3
acquire A
"""
[[task]]
name = "busy"
script = "compute 50"
"#,
    ));
    assert_eq!(r.outcome, Some("deadlock"));
    assert_eq!(r.deadlocks[0].tick, 3);
    assert_eq!(task(&r, "busy").final_state, "running");
}

#[test]
fn five_philosophers_deadlock_at_tick_1() {
    let r = report(&with_header(
        r#"
[locks]
fork = { kind = "mutex", count = 5 }
[machine]
cpus = 5
[[task]]
name = "phil"
count = 5
script = """
acquire fork[i]
sleep 1
acquire fork[i+1]
compute 1
release fork[i+1]
release fork[i]
"""
"#,
    ));
    assert_eq!(r.outcome, Some("deadlock"));
    assert_eq!(r.deadlocks[0].tick, 1);
    let cycle: Vec<String> = r.deadlocks[0]
        .cycle
        .iter()
        .map(|e| format!("{}-{}-{}", e.task, e.waits_for, e.held_by))
        .collect();
    assert_eq!(
        cycle,
        vec![
            "phil[0]-fork[1]-phil[1]",
            "phil[1]-fork[2]-phil[2]",
            "phil[2]-fork[3]-phil[3]",
            "phil[3]-fork[4]-phil[4]",
            "phil[4]-fork[0]-phil[0]",
        ]
    );
}

#[test]
fn a_mutex_acquired_twice_deadlocks_on_itself_but_an_rlock_does_not() {
    let src = |kind: &str| {
        with_header(&format!(
            r#"
[locks]
m = "{kind}"
[[task]]
name = "t"
script = """
acquire m
acquire m
release m
release m
"""
"#
        ))
    };
    let r = report(&src("mutex"));
    assert_eq!(r.outcome, Some("deadlock"));
    assert_eq!(r.deadlocks[0].cycle.len(), 1);
    assert_eq!(r.deadlocks[0].cycle[0].held_by, "t");
    let r = report(&src("rlock"));
    assert_eq!(r.outcome, Some("completed"));
    assert_eq!(r.locks[0].acquisitions, 2);
    assert_eq!(r.locks[0].holder, None);
}

#[test]
fn an_rlock_stays_held_until_every_acquire_is_released() {
    let (_, ev) = events(&with_header(
        r#"
[locks]
R = "rlock"
[[task]]
name = "t"
script = """
acquire R
acquire R
release R
release R
"""
"#,
    ));
    let depths: Vec<u32> = ev
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::LockAcquire { depth, .. } | EventKind::LockRelease { depth, .. } => {
                Some(depth)
            }
            _ => None,
        })
        .collect();
    assert_eq!(depths, vec![1, 2, 1, 0]);
}

#[test]
fn locks_are_handed_over_in_fifo_order() {
    let r = report(&with_header(
        r#"
[machine]
cpus = 4
[locks]
m = "mutex"
[vars]
order = 0
[[task]]
name = "holder"
script = """
acquire m
compute 5
release m
"""
[[task]]
name = "w"
count = 3
start = 1
script = """
acquire m
read order
write order = order + 1
if i == 0 { write order = order + 10 }
compute 1
release m
"""
"#,
    ));
    assert_eq!(r.outcome, Some("completed"));
    // w[0] gets the lock at 5, w[1] at 6, w[2] at 7.
    let finishes: Vec<_> = (0..3)
        .map(|i| task(&r, &format!("w[{i}]")).finish.unwrap())
        .collect();
    assert_eq!(finishes, vec![6, 7, 8]);
    assert_eq!(r.locks[0].contentions, 3);
    assert_eq!(r.vars["order"], 13);
}

#[test]
fn a_released_lock_goes_to_the_waiter_not_to_a_task_that_asks_later() {
    let r = report(&with_header(
        r#"
[machine]
cpus = 2
[locks]
m = "mutex"
[[task]]
name = "a"
script = """
acquire m
compute 2
release m
acquire m
compute 1
release m
"""
[[task]]
name = "b"
start = 1
script = """
acquire m
compute 1
release m
"""
"#,
    ));
    // a releases at 2 and asks again at once: b, waiting since 1, holds it.
    assert_eq!(task(&r, "b").finish, Some(3));
    assert_eq!(task(&r, "a").finish, Some(4));
}

#[test]
fn acquire_with_timeout_fails_the_task_or_runs_its_else_block() {
    let base = r#"
[locks]
m = "mutex"
[vars]
gave_up = 0
[[task]]
name = "holder"
script = """
acquire m
sleep 10
release m
"""
"#;
    let failing = format!("{base}[[task]]\nname = \"w\"\nscript = \"acquire m timeout 3\"\n");
    let r = report(&with_header(&failing));
    assert_eq!(r.outcome, Some("failed"));
    let w = task(&r, "w");
    assert_eq!(w.final_state, "failed");
    assert_eq!(w.finish, Some(3));
    assert_eq!(w.failure.as_deref(), Some("timeout waiting for m"));
    assert_eq!(r.exit_code(), 4);

    let handled = format!(
        "{base}[[task]]\nname = \"w\"\nscript = \"\"\"\nacquire m timeout 3 else {{\n  atomic_incr gave_up\n}}\n\"\"\"\n"
    );
    let r = report(&with_header(&handled));
    assert_eq!(r.outcome, Some("completed"));
    assert_eq!(r.vars["gave_up"], 1);
    assert_eq!(task(&r, "w").finish, Some(3));

    let ignored = format!(
        "{base}[[task]]\nname = \"w\"\non_timeout = \"ignore\"\nscript = \"\"\"\nacquire m timeout 3\natomic_incr gave_up 5\n\"\"\"\n"
    );
    let r = report(&with_header(&ignored));
    assert_eq!(r.outcome, Some("completed"));
    assert_eq!(r.vars["gave_up"], 5);
}

#[test]
fn a_timed_wait_is_no_edge_of_a_deadlock_cycle() {
    let r = report(&with_header(
        r#"
[locks]
A = "mutex"
B = "mutex"
[[task]]
name = "t1"
script = """
acquire A
sleep 1
acquire B timeout 5 else { release A }
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
"#,
    ));
    assert_eq!(r.outcome, Some("completed"));
    assert!(r.deadlocks.is_empty());
    // t1 gives up at 6 and releases A, which goes to t2.
    assert_eq!(task(&r, "t2").finish, Some(6));
}

#[test]
fn releasing_an_unheld_lock_fails_the_task() {
    let r = report(&with_header(
        "[locks]\nm = \"mutex\"\n[[task]]\nname = \"t\"\nscript = \"release m\"\n",
    ));
    assert_eq!(r.outcome, Some("failed"));
    let failure = task(&r, "t").failure.clone().unwrap();
    assert!(failure.starts_with("RuntimeError"), "{failure}");
}

#[test]
fn on_timeout_ignore_passes_over_timeouts_but_not_misuse() {
    let r = report(&with_header(
        "[locks]\nm = \"mutex\"\n[[task]]\nname = \"t\"\non_timeout = \"ignore\"\nscript = \"release m\"\n",
    ));
    assert_eq!(r.outcome, Some("failed"));
    assert_eq!(task(&r, "t").final_state, "failed");
}

#[test]
fn a_lock_held_by_a_terminated_task_stalls_its_waiters() {
    let r = report(&with_header(
        r#"
[locks]
m = "mutex"
[[task]]
name = "worker"
script = """
acquire m
sleep 10
release m
"""
[[task]]
name = "boss"
script = """
sleep 2
terminate worker
acquire m
"""
"#,
    ));
    assert_eq!(r.outcome, Some("stalled"));
    assert_eq!(task(&r, "worker").final_state, "killed");
    assert_eq!(task(&r, "worker").held, vec!["m"]);
    assert_eq!(task(&r, "boss").blocked_on.as_deref(), Some("m"));
    assert_eq!(r.end_tick, 2);
    assert_eq!(r.exit_code(), 4);
}

#[test]
fn incr_is_two_steps_so_two_cpus_lose_an_update() {
    let src = |op: &str| {
        with_header(&format!(
            "[machine]\ncpus = 2\n[vars]\ncounter = 0\n[[task]]\nname = \"t\"\ncount = 2\nscript = \"{op} counter\"\n"
        ))
    };
    assert_eq!(report(&src("incr")).vars["counter"], 1);
    assert_eq!(report(&src("atomic_incr")).vars["counter"], 2);
}

#[test]
fn read_and_write_use_the_tasks_local_copy() {
    let r = report(&with_header(
        r#"
[vars]
x = 5
y = 0
[[task]]
name = "t"
script = """
read x
write y = x + x - 3
decr x 2
"""
"#,
    ));
    assert_eq!(r.vars["y"], 7);
    assert_eq!(r.vars["x"], 3);
}

#[test]
fn join_waits_for_the_end_of_a_spawned_task() {
    let r = report(&with_header(
        r#"
[[task]]
name = "main"
script = """
spawn worker
join worker
compute 1
"""
[[task]]
name = "worker"
start = "spawned"
script = "sleep 4"
"#,
    ));
    assert_eq!(r.outcome, Some("completed"));
    assert_eq!(task(&r, "worker").arrival, Some(0));
    assert_eq!(task(&r, "main").ticks.blocked, 4);
    assert_eq!(task(&r, "main").finish, Some(5));
}

#[test]
fn spawning_a_task_twice_fails_like_python() {
    let r = report(&with_header(
        r#"
[[task]]
name = "main"
script = """
spawn w
spawn w
"""
[[task]]
name = "w"
start = "spawned"
script = "compute 1"
"#,
    ));
    assert_eq!(r.outcome, Some("failed"));
    assert!(task(&r, "main")
        .failure
        .clone()
        .unwrap()
        .contains("already started"));
}

#[test]
fn a_task_never_spawned_does_not_hold_up_completion() {
    let r = report(&with_header(
        "[[task]]\nname = \"a\"\nscript = \"compute 1\"\n[[task]]\nname = \"b\"\nstart = \"spawned\"\nscript = \"compute 1\"\n",
    ));
    assert_eq!(r.outcome, Some("completed"));
    assert_eq!(task(&r, "b").final_state, "new");
}

#[test]
fn daemons_are_killed_when_every_other_task_has_ended() {
    let r = report(&with_header(
        r#"
[[task]]
name = "bg"
daemon = true
script = """
loop {
  compute 1
}
"""
[[task]]
name = "main"
script = "sleep 3"
"#,
    ));
    assert_eq!(r.outcome, Some("completed"));
    assert_eq!(task(&r, "bg").final_state, "killed");
    // One CPU, rr with quantum 4: bg runs 0-4, main sleeps 4-7, waits for
    // bg's next slice to end, and ends at 8; bg is killed then.
    assert_eq!(task(&r, "main").finish, Some(8));
    assert_eq!(task(&r, "bg").finish, Some(8));
    assert_eq!(r.end_tick, 8);
}

#[test]
fn delayed_start_is_an_arrival_at_that_tick() {
    let r = report(&with_header(
        "[[task]]\nname = \"timer\"\nstart = 30\nscript = \"compute 2\"\n",
    ));
    let t = task(&r, "timer");
    assert_eq!(
        (t.arrival, t.first_run, t.finish),
        (Some(30), Some(30), Some(32))
    );
    assert_eq!(t.turnaround, Some(2));
    assert_eq!(r.cpus[0].idle, 30);
}

#[test]
fn max_ticks_ends_an_endless_run_with_timeout() {
    let r = report(&with_header(
        "[machine]\nmax_ticks = 50\n[[task]]\nname = \"spin\"\nscript = \"\"\"\nloop {\n  compute 3\n}\n\"\"\"\n",
    ));
    assert_eq!(r.outcome, Some("timeout"));
    assert_eq!(r.end_tick, 50);
    assert_eq!(task(&r, "spin").ticks.running, 50);
}

#[test]
fn a_loop_where_no_time_passes_fails_instead_of_hanging() {
    let r = report(&with_header(
        "[vars]\nx = 0\n[[task]]\nname = \"spin\"\nscript = \"\"\"\nloop {\n  atomic_incr x\n}\n\"\"\"\n",
    ));
    assert_eq!(r.outcome, Some("failed"));
    assert!(task(&r, "spin")
        .failure
        .clone()
        .unwrap()
        .contains("no time passes"));
}

#[test]
fn yield_lets_the_other_task_run_first() {
    let (cat, ev) = events(&with_header(
        r#"
[[task]]
name = "a"
script = """
yield
print "a"
"""
[[task]]
name = "b"
script = "print \"b\""
"#,
    ));
    let prints: Vec<&str> = ev
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Print { text, .. } => Some(&**text),
            _ => None,
        })
        .collect();
    assert_eq!(prints, vec!["b", "a"]);
    assert_eq!(cat.tasks.len(), 2);
}

#[test]
fn repeat_break_and_restart_control_the_script() {
    let r = report(&with_header(
        r#"
[vars]
n = 0
rounds = 0
[[task]]
name = "t"
script = """
atomic_incr rounds
read rounds
repeat 10 {
  atomic_incr n
  read n
  if n >= 3 { break }
}
if rounds < 2 { restart }
"""
"#,
    ));
    // First round: n 1..3 then break; restart; second round: n 4, break at once.
    assert_eq!(r.vars["n"], 4);
    assert_eq!(r.vars["rounds"], 2);
}
