//! The wait-for analysis of a trace from literal events: who could end each
//! wait (as far as the fold has seen), and the deadlock by the shared rule.

use crate::literal;

use literal::{res, scenes, Literal};
use weft::analysis::{wait_chains, waiters};
use weft::event::{DeadlockRule, EventKind as K, ProcessInfo, TaskId, WaitOn};

fn releasers_of(l: &Literal, task: &str) -> Vec<String> {
    let trace = l.trace();
    let cat = &trace.catalog;
    let ws = waiters(cat, trace.last(), true);
    let w = ws
        .iter()
        .find(|w| cat.task_name(w.task) == task)
        .unwrap_or_else(|| panic!("{task} is not waiting"));
    w.releasers
        .iter()
        .map(|&t| cat.task_name(t).to_string())
        .collect()
}

#[test]
fn a_permit_waits_for_every_holder() {
    let l = scenes::semaphore();
    assert_eq!(releasers_of(&l, "w3"), ["w1", "w2"]);
    let trace = l.trace();
    let chains = wait_chains(&trace.catalog, trace.last());
    assert!(
        chains.iter().all(|c| c.deadlock.is_none()),
        "the holders run"
    );
}

#[test]
fn holders_blocked_on_the_waiters_lock_make_a_knot() {
    let mut l = Literal::new("knot", 1);
    let (a, b, c) = (
        l.task("a", "thread", 0),
        l.task("b", "thread", 0),
        l.task("c", "thread", 0),
    );
    let mut s = res("s", "semaphore");
    s.permits = Some(2);
    let s = l.res(s);
    let lock = l.res(res("L", "mutex"));
    l.at(0).run(a, 0);
    l.ev(K::PermitAcquire {
        task: a,
        sem: s,
        left: 1,
    });
    l.ev(K::PermitAcquire {
        task: b,
        sem: s,
        left: 0,
    });
    l.acquire(c, lock).block(c, WaitOn::Permit(s));
    l.block(a, WaitOn::Lock(lock)).block(b, WaitOn::Lock(lock));
    let trace = l.trace();
    let chains = wait_chains(&trace.catalog, trace.last());
    let knot = chains
        .iter()
        .find(|c| c.deadlock.is_some())
        .expect("a deadlock");
    assert_eq!(knot.deadlock, Some(DeadlockRule::Knot));
    let edges: Vec<(u32, u32)> = knot.edges.iter().map(|e| (e.task.0, e.held_by.0)).collect();
    assert_eq!(edges, [(0, 2), (1, 2), (2, 0), (2, 1)]);
}

#[test]
fn a_wait_nobody_seen_can_end_is_no_deadlock() {
    let l = scenes::stall();
    assert!(releasers_of(&l, "consumer").is_empty(), "nobody notified c");
    assert_eq!(
        releasers_of(&l, "main"),
        ["late"],
        "a task not arrived may still come"
    );
    let trace = l.trace();
    assert!(wait_chains(&trace.catalog, trace.last())
        .iter()
        .all(|c| c.deadlock.is_none()));
}

#[test]
fn joining_a_process_waits_for_all_its_threads() {
    let mut l = Literal::new("process join", 1);
    let main = l.task("main", "thread", 0);
    l.cat.processes.push(ProcessInfo {
        name: "p".into(),
        task: Some(TaskId(1)),
        ..ProcessInfo::default()
    });
    let p = l.task("p", "process", 1);
    l.task("helper", "thread", 1);
    l.at(0).run(p, 0).block(main, WaitOn::Task(p));
    assert_eq!(releasers_of(&l, "main"), ["p", "helper"]);
    l.done(p);
    assert_eq!(
        releasers_of(&l, "main"),
        ["helper"],
        "an ended thread cannot"
    );
}

#[test]
fn the_loop_thread_waits_for_its_coroutines_and_they_for_the_holder() {
    let l = scenes::event_loop();
    assert_eq!(releasers_of(&l, "lt"), ["c1", "c3"], "c2 has ended");
    assert_eq!(releasers_of(&l, "c3"), ["c1"], "await c1");
    let mut l2 = scenes::event_loop();
    l2.events.truncate(6);
    assert_eq!(
        releasers_of(&l2, "c2"),
        ["lt"],
        "nobody holds the loop: the loop thread"
    );
}

#[test]
fn a_pool_join_waits_for_every_unfinished_job() {
    let l = scenes::pool();
    assert_eq!(releasers_of(&l, "main"), ["j1", "j2", "j3", "j4"]);
    assert_eq!(
        releasers_of(&l, "j3"),
        ["j1", "j2"],
        "the jobs on the workers"
    );
}

#[test]
fn a_task_blocked_on_a_semaphore_is_not_its_own_releaser() {
    let mut l = Literal::new("signal", 1);
    let (cook, savage) = (l.task("cook", "thread", 0), l.task("savage", "thread", 0));
    let mut s = res("empty_pot", "semaphore");
    s.permits = Some(0);
    let s = l.res(s);
    l.at(0).run(savage, 0);
    l.ev(K::PermitRelease {
        task: savage,
        sem: s,
        left: 1,
    });
    l.ev(K::PermitAcquire {
        task: cook,
        sem: s,
        left: 0,
    });
    l.block(cook, WaitOn::Permit(s));
    assert_eq!(
        releasers_of(&l, "cook"),
        ["savage"],
        "cook holds a permit but waits"
    );
    let mut m = Literal::new("self", 1);
    let t = m.task("t", "thread", 0);
    let lock = m.res(res("m", "mutex"));
    m.at(0).acquire(t, lock).block(t, WaitOn::Lock(lock));
    let trace = m.trace();
    let chains = wait_chains(&trace.catalog, trace.last());
    assert_eq!(
        chains[0].deadlock,
        Some(DeadlockRule::Cycle),
        "a mutex taken twice"
    );
    assert_eq!(chains[0].edges.len(), 1);
}
