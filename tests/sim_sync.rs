//! The simulator's synchronisation primitives beyond locks and queues:
//! semaphores, rwlocks, conditions, events and barriers, asserted on the
//! events a run emits.

use crate::sim_run;
use sim_run::{run, Run};
use weft::event::{EventKind, Failure, TaskState, WaitOn};

fn permit_takers(r: &Run) -> Vec<(u64, String)> {
    r.ticks_of(|k| match k {
        EventKind::PermitAcquire { task, .. } => Some(*task),
        _ => None,
    })
}

#[test]
fn a_semaphore_lets_in_as_many_tasks_as_it_has_permits_in_fifo_order() {
    let r = run(r#"
[machine]
cpus = 4
[semaphores]
S = 2
[[task]]
name = "w"
count = 4
start = "i"
script = """
acquire S
compute 3
release S
"""
"#
    .replace("start = \"i\"", "")
    .as_str());
    assert_eq!(r.outcome(), "completed");
    let takers = permit_takers(&r);
    let names: Vec<&str> = takers.iter().map(|(_, n)| n.as_str()).collect();
    assert_eq!(names, ["w[0]", "w[1]", "w[2]", "w[3]"]);
    let ticks: Vec<u64> = takers.iter().map(|(t, _)| *t).collect();
    assert_eq!(ticks, [0, 0, 3, 3]);
    assert_eq!(r.end_tick(), 6);
    assert!(matches!(
        r.first_state("w[2]", |s| matches!(
            s,
            TaskState::Blocked {
                on: WaitOn::Permit(_),
                ..
            }
        )),
        Some(0)
    ));
}

#[test]
fn waiters_of_a_semaphore_are_served_in_arrival_order_not_declaration_order() {
    let r = run(r#"
[semaphores]
S = 1
[[task]]
name = "holder"
script = """
acquire S
sleep 10
release S
"""
[[task]]
name = "late"
start = 5
script = """
acquire S
release S
"""
[[task]]
name = "early"
start = 2
script = """
acquire S
release S
"""
"#);
    let names: Vec<String> = permit_takers(&r).into_iter().map(|(_, n)| n).collect();
    assert_eq!(names, ["holder", "early", "late"]);
    assert_eq!(r.outcome(), "completed");
}

#[test]
fn a_plain_semaphore_may_be_released_above_its_start_but_a_bounded_one_fails() {
    let plain = run(r#"
[semaphores]
S = 1
[[task]]
name = "t"
script = "release S"
"#);
    assert_eq!(plain.outcome(), "completed");
    assert!(plain.has(|k| matches!(k, EventKind::PermitRelease { left: 2, .. })));
    let bounded = run(r#"
[semaphores]
S = { permits = 1, bounded = true }
[[task]]
name = "t"
script = """
acquire S
release S
release S
"""
"#);
    assert_eq!(bounded.outcome(), "failed");
    assert!(matches!(
        bounded.final_state("t"),
        TaskState::Failed {
            reason: Failure::TooManyReleases(_)
        }
    ));
}

#[test]
fn a_semaphore_acquire_with_a_timeout_gives_up() {
    let r = run(r#"
[semaphores]
S = 0
[[task]]
name = "t"
script = "acquire S timeout 3"
"#);
    assert_eq!(r.outcome(), "failed");
    assert_eq!(r.end_tick(), 3);
}

const READERS_WRITER: &str = r#"
[machine]
cpus = 3
[locks]
RW = { kind = "rwlock", prefer = "PREFER" }
[[task]]
name = "r1"
script = """
acquire_read RW
compute 4
release_read RW
"""
[[task]]
name = "w"
start = 1
script = """
acquire RW
compute 2
release RW
"""
[[task]]
name = "r2"
start = 2
script = """
acquire_read RW
compute 1
release_read RW
"""
"#;

fn rw(prefer: &str) -> Run {
    run(&READERS_WRITER.replace("PREFER", prefer))
}

fn read_ticks(r: &Run, who: &str) -> Option<u64> {
    r.ticks_of(|k| match k {
        EventKind::ReadAcquire { task, .. } => Some(*task),
        _ => None,
    })
    .into_iter()
    .find(|(_, n)| n == who)
    .map(|(t, _)| t)
}

fn write_tick(r: &Run) -> Option<u64> {
    r.ticks_of(|k| match k {
        EventKind::LockAcquire { task, .. } => Some(*task),
        _ => None,
    })
    .into_iter()
    .find(|(_, n)| n == "w")
    .map(|(t, _)| t)
}

#[test]
fn a_fair_rwlock_holds_later_readers_behind_a_waiting_writer() {
    let r = rw("fair");
    assert_eq!(read_ticks(&r, "r1"), Some(0));
    assert_eq!(write_tick(&r), Some(4));
    assert_eq!(read_ticks(&r, "r2"), Some(6));
    assert_eq!(r.outcome(), "completed");
}

#[test]
fn a_reader_preferring_rwlock_lets_readers_pass_a_waiting_writer() {
    let r = rw("reader");
    assert_eq!(read_ticks(&r, "r2"), Some(2));
    assert_eq!(write_tick(&r), Some(4));
}

#[test]
fn a_writer_preferring_rwlock_behaves_like_fair_here() {
    let r = rw("writer");
    assert_eq!(write_tick(&r), Some(4));
    assert_eq!(read_ticks(&r, "r2"), Some(6));
}

#[test]
fn releasing_an_rwlock_one_does_not_hold_fails() {
    let r = run(r#"
[locks]
RW = { kind = "rwlock" }
[[task]]
name = "t"
script = "release_read RW"
"#);
    assert!(matches!(
        r.final_state("t"),
        TaskState::Failed {
            reason: Failure::NotHeld(_)
        }
    ));
}

const CONSUMER_PRODUCER: &str = r#"
[locks]
m = "mutex"
[conditions]
c = { lock = "m" }
[vars]
items = 0
[[task]]
name = "consumer"
script = """
acquire m
loop {
  read items
  if items > 0 { break }
  wait c
}
decr items
release m
"""
[[task]]
name = "producer"
start = 3
script = """
acquire m
incr items
notify c
compute 2
release m
"""
"#;

#[test]
fn a_condition_wait_releases_the_lock_and_gets_it_back_after_the_notifier_releases() {
    let r = run(CONSUMER_PRODUCER);
    assert_eq!(r.outcome(), "completed");
    let acquires = r.ticks_of(|k| match k {
        EventKind::LockAcquire { task, .. } => Some(*task),
        _ => None,
    });
    let names: Vec<(u64, &str)> = acquires.iter().map(|(t, n)| (*t, n.as_str())).collect();
    assert_eq!(
        names,
        [(0, "consumer"), (3, "producer"), (5, "consumer")],
        "the consumer waits for the lock until the producer releases it at 5"
    );
    assert_eq!(
        r.first_state("consumer", |s| matches!(
            s,
            TaskState::Blocked {
                on: WaitOn::Lock(_),
                ..
            }
        )),
        Some(3)
    );
    assert_eq!(r.end_tick(), 5);
}

#[test]
fn a_notify_before_the_wait_is_lost_and_the_run_stalls() {
    let r = run(r#"
[locks]
m = "mutex"
[conditions]
c = { lock = "m" }
[[task]]
name = "notifier"
script = """
acquire m
notify c
release m
"""
[[task]]
name = "waiter"
start = 1
script = """
acquire m
wait c
release m
"""
"#);
    assert!(r.has(|k| matches!(k, EventKind::Notify { woken: 0, .. })));
    assert_eq!(r.outcome(), "stalled");
}

#[test]
fn wait_or_notify_without_the_lock_fails() {
    for op in ["wait c", "notify c", "notify_all c"] {
        let r = run(&format!(
            "[locks]\nm = \"mutex\"\n[conditions]\nc = {{ lock = \"m\" }}\n[[task]]\nname = \"t\"\nscript = \"{op}\"\n"
        ));
        assert!(
            matches!(
                r.final_state("t"),
                TaskState::Failed {
                    reason: Failure::Unacquired(_)
                }
            ),
            "{op}"
        );
    }
}

#[test]
fn a_condition_wait_gives_back_an_rlocks_whole_depth() {
    let r = run(r#"
[locks]
R = "rlock"
[conditions]
c = { lock = "R" }
[[task]]
name = "waiter"
script = """
acquire R
acquire R
wait c
release R
release R
"""
[[task]]
name = "notifier"
start = 1
script = """
acquire R
notify c
release R
"""
"#);
    assert_eq!(r.outcome(), "completed");
    assert!(r.has(|k| matches!(k, EventKind::LockRelease { depth: 0, .. })));
    let regained = r
        .events
        .iter()
        .filter(|e| e.tick == 1)
        .any(|e| matches!(e.kind, EventKind::LockAcquire { depth: 2, .. }));
    assert!(regained, "the waiter holds R twice again after the notify");
}

#[test]
fn notify_n_wakes_the_first_n_waiters_in_order() {
    let r = run(r#"
[locks]
m = "mutex"
[conditions]
c = { lock = "m" }
[[task]]
name = "w"
count = 3
script = """
acquire m
wait c
release m
"""
[[task]]
name = "n"
start = 1
script = """
acquire m
notify c 2
release m
"""
"#);
    assert!(r.has(|k| matches!(k, EventKind::Notify { woken: 2, .. })));
    assert_eq!(r.outcome(), "stalled");
    assert!(matches!(
        r.final_state("w[2]"),
        TaskState::Blocked {
            on: WaitOn::Notify(_),
            ..
        }
    ));
    assert_eq!(r.final_state("w[0]"), TaskState::Done);
    assert_eq!(r.final_state("w[1]"), TaskState::Done);
}

#[test]
fn a_timed_condition_wait_takes_its_else_block_holding_the_lock_again() {
    let r = run(r#"
[locks]
m = "mutex"
[conditions]
c = { lock = "m" }
[vars]
gave_up = 0
[[task]]
name = "t"
script = """
acquire m
wait c timeout 4 else {
  write gave_up = 1
}
release m
"""
"#);
    assert_eq!(r.outcome(), "completed");
    assert_eq!(r.end_tick(), 4);
    assert!(r.has(|k| matches!(k, EventKind::VarWrite { value: 1, .. })));
}

#[test]
fn an_event_wait_returns_at_once_when_set_and_set_wakes_every_waiter() {
    let r = run(r#"
[machine]
cpus = 3
[events]
go = false
[[task]]
name = "w"
count = 2
script = """
wait go
compute 1
"""
[[task]]
name = "starter"
start = 4
script = """
set go
clear go
set go
"""
[[task]]
name = "late"
start = 6
script = "wait go"
"#);
    assert_eq!(r.outcome(), "completed");
    for w in ["w[0]", "w[1]"] {
        let woken = r.ready_after(w, |s| {
            matches!(
                s,
                TaskState::Blocked {
                    on: WaitOn::Flag(_),
                    ..
                }
            )
        });
        assert_eq!(woken, Some(4), "{w}");
    }
    assert_eq!(r.finish("late"), Some(6));
    assert_eq!(r.end_tick(), 6);
}

#[test]
fn an_event_wait_can_time_out() {
    let r = run(r#"
[events]
go = false
[[task]]
name = "t"
script = "wait go timeout 2"
"#);
    assert_eq!(r.outcome(), "failed");
    assert_eq!(r.end_tick(), 2);
}

#[test]
fn a_barrier_releases_all_parties_when_the_last_arrives() {
    let r = run(r#"
[machine]
cpus = 3
[barriers]
b = 3
[[task]]
name = "p0"
script = """
wait b
compute 1
"""
[[task]]
name = "p1"
start = 2
script = """
wait b
compute 1
"""
[[task]]
name = "p2"
start = 4
script = """
wait b
compute 1
"""
"#);
    assert_eq!(r.outcome(), "completed");
    for p in ["p0", "p1"] {
        let passed = r.ready_after(p, |s| {
            matches!(
                s,
                TaskState::Blocked {
                    on: WaitOn::Barrier(_),
                    ..
                }
            )
        });
        assert_eq!(passed, Some(4), "{p} passes when p2 arrives");
    }
    let arrivals: Vec<u32> = r
        .events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::BarrierWait { arrived, .. } => Some(arrived),
            _ => None,
        })
        .collect();
    assert_eq!(arrivals, [1, 2, 3]);
    assert_eq!(r.end_tick(), 5);
}

#[test]
fn a_barrier_wait_that_times_out_breaks_it_for_everyone() {
    let r = run(r#"
[barriers]
b = 3
[[task]]
name = "patient"
script = "wait b"
[[task]]
name = "impatient"
script = "wait b timeout 2"
[[task]]
name = "late"
start = 5
script = "wait b"
"#);
    assert!(r.has(|k| matches!(k, EventKind::BarrierBroken { .. })));
    for t in ["patient", "impatient", "late"] {
        assert!(
            matches!(
                r.final_state(t),
                TaskState::Failed {
                    reason: Failure::BrokenBarrier(_)
                }
            ),
            "{t}: {:?}",
            r.final_state(t)
        );
    }
    assert_eq!(r.finish("patient"), Some(2));
    assert_eq!(r.finish("late"), Some(5));
}
