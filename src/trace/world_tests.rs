//! The fold from literal events: each kind of resource, waiters derived
//! from blocked states, per-process variables, and ids out of range.

use super::*;
use crate::event::{
    Catalog, Event, EventKind as K, ProcessInfo, ResourceInfo, ScriptInfo, TaskInfo, VarId, VarInfo,
};

fn task(name: &str, kind: &str, proc: u32) -> TaskInfo {
    TaskInfo {
        name: name.into(),
        kind: kind.into(),
        process: "main".into(),
        priority: 0,
        daemon: false,
        script: ScriptInfo::default(),
        proc,
        event_loop: None,
        pool: None,
        os_id: None,
    }
}

fn res(name: &str, kind: &str) -> ResourceInfo {
    ResourceInfo {
        name: name.into(),
        kind: kind.into(),
        ..ResourceInfo::default()
    }
}

fn catalog(tasks: Vec<TaskInfo>, resources: Vec<ResourceInfo>) -> Catalog {
    Catalog {
        cpus: 2,
        max_ticks: 100,
        tasks,
        resources,
        vars: vec![VarInfo {
            name: "x".into(),
            initial: 5,
        }],
        ..Catalog::empty("test", "sim")
    }
}

fn fold(cat: &Catalog, events: Vec<K>) -> World {
    let mut w = World::new(cat);
    for (i, kind) in events.into_iter().enumerate() {
        w.apply(&Event {
            seq: i as u64,
            tick: i as u64,
            kind,
        });
    }
    w
}

fn blocked(task: u32, on: WaitOn) -> K {
    K::State {
        task: TaskId(task),
        state: TaskState::Blocked { on, timed: false },
    }
}

fn ready(task: u32) -> K {
    K::State {
        task: TaskId(task),
        state: TaskState::Ready,
    }
}

const R0: ResourceId = ResourceId(0);

fn three_threads() -> Vec<TaskInfo> {
    vec![
        task("a", "thread", 0),
        task("b", "thread", 0),
        task("c", "thread", 0),
    ]
}

#[test]
fn semaphore_counts_permits_and_holders() {
    let mut s = res("s", "semaphore");
    s.permits = Some(2);
    let cat = catalog(three_threads(), vec![s]);
    let (a, b) = (TaskId(0), TaskId(1));
    let w = fold(
        &cat,
        vec![
            K::PermitAcquire {
                task: a,
                sem: R0,
                left: 1,
            },
            K::PermitAcquire {
                task: a,
                sem: R0,
                left: 0,
            },
            blocked(1, WaitOn::Permit(R0)),
            blocked(2, WaitOn::Permit(R0)),
        ],
    );
    let sem = w.semaphore(R0).unwrap();
    assert_eq!((sem.permits, sem.left), (2, 0));
    assert_eq!(sem.holders, vec![(a, 2)]);
    let waiters: Vec<TaskId> = w.waiters(R0).iter().map(|x| x.task).collect();
    assert_eq!(
        waiters,
        vec![b, TaskId(2)],
        "FIFO, in the order they blocked"
    );
    let w2 = fold(
        &cat,
        vec![
            K::PermitAcquire {
                task: a,
                sem: R0,
                left: 1,
            },
            blocked(1, WaitOn::Permit(R0)),
            K::PermitRelease {
                task: a,
                sem: R0,
                left: 1,
            },
            K::PermitAcquire {
                task: b,
                sem: R0,
                left: 0,
            },
            ready(1),
        ],
    );
    let sem = w2.semaphore(R0).unwrap();
    assert_eq!(sem.holders, vec![(b, 1)], "the permit passed to b");
    assert_eq!(sem.releasers, vec![a]);
    assert!(w2.waiters(R0).is_empty());
    assert_eq!(w2.held_by(b), vec![R0]);
}

#[test]
fn rwlock_tracks_readers_writer_and_waiting_modes() {
    let cat = catalog(three_threads(), vec![res("rw", "rwlock")]);
    let w = fold(
        &cat,
        vec![
            K::ReadAcquire {
                task: TaskId(0),
                lock: R0,
                readers: 1,
            },
            K::ReadAcquire {
                task: TaskId(1),
                lock: R0,
                readers: 2,
            },
            blocked(2, WaitOn::Lock(R0)),
            K::ReadRelease {
                task: TaskId(0),
                lock: R0,
                readers: 1,
            },
        ],
    );
    let rw = w.rwlock(R0).unwrap();
    assert_eq!(rw.readers, vec![TaskId(1)]);
    assert_eq!(rw.writer, None);
    assert_eq!(w.waiters(R0)[0].on, WaitOn::Lock(R0), "c waits to write");
    let w = fold(
        &cat,
        vec![
            K::LockAcquire {
                task: TaskId(2),
                lock: R0,
                depth: 1,
            },
            blocked(0, WaitOn::Read(R0)),
        ],
    );
    assert_eq!(w.rwlock(R0).unwrap().writer, Some(TaskId(2)));
    assert_eq!(w.waiters(R0)[0].on, WaitOn::Read(R0));
    assert_eq!(w.held_by(TaskId(2)), vec![R0]);
}

#[test]
fn condition_counts_lost_notifies_and_moves_waiters_to_the_lock() {
    let mut c = res("c", "condition");
    c.lock = Some(ResourceId(1));
    let cat = catalog(three_threads(), vec![c, res("L", "mutex")]);
    let l = ResourceId(1);
    let w = fold(
        &cat,
        vec![
            K::Notify {
                task: TaskId(1),
                cond: R0,
                woken: 0,
            },
            blocked(0, WaitOn::Notify(R0)),
            K::Notify {
                task: TaskId(1),
                cond: R0,
                woken: 1,
            },
            blocked(0, WaitOn::Lock(l)),
        ],
    );
    let cond = w.condition(R0).unwrap();
    assert_eq!((cond.notifies, cond.lost, cond.woken), (2, 1, 1));
    assert_eq!(cond.lock, Some(l));
    assert!(w.waiters(R0).is_empty(), "woken: no longer a waiter of c");
    assert_eq!(w.waiters(l)[0].task, TaskId(0), "now waits for the lock");
}

#[test]
fn event_flag_and_barrier_rounds() {
    let mut e = res("e", "event");
    e.initially_set = Some(true);
    let mut b = res("b", "barrier");
    b.permits = Some(2);
    let cat = catalog(three_threads(), vec![e, b]);
    let bar = ResourceId(1);
    let w = fold(
        &cat,
        vec![
            K::FlagClear {
                task: TaskId(0),
                event: R0,
            },
            blocked(1, WaitOn::Flag(R0)),
            K::BarrierWait {
                task: TaskId(2),
                barrier: bar,
                arrived: 1,
            },
            blocked(2, WaitOn::Barrier(bar)),
        ],
    );
    assert!(!w.flag(R0).unwrap().set);
    assert_eq!(w.waiters(R0).len(), 1);
    let barrier = w.barrier(bar).unwrap();
    assert_eq!(
        (barrier.parties, barrier.arrived, barrier.rounds),
        (2, 1, 0)
    );
    let mut events = vec![
        K::BarrierWait {
            task: TaskId(2),
            barrier: bar,
            arrived: 1,
        },
        K::BarrierWait {
            task: TaskId(0),
            barrier: bar,
            arrived: 2,
        },
        K::FlagSet {
            task: TaskId(0),
            event: R0,
        },
    ];
    let w = fold(&cat, events.clone());
    let barrier = w.barrier(bar).unwrap();
    assert_eq!((barrier.arrived, barrier.rounds), (0, 1), "it tripped");
    assert_eq!(w.flag(R0).unwrap().sets, 1);
    events.push(K::BarrierBroken {
        task: TaskId(1),
        barrier: bar,
    });
    assert!(fold(&cat, events).barrier(bar).unwrap().broken);
}

#[test]
fn pool_workers_free_when_their_job_ends() {
    let mut p = res("p", "pool");
    p.permits = Some(2);
    p.mode = Some("process".into());
    p.process = Some(1);
    let mut cat = catalog(three_threads(), vec![p]);
    for i in 0..2 {
        cat.processes.push(ProcessInfo {
            name: format!("p[{i}]"),
            worker: Some((R0, i)),
            ..ProcessInfo::default()
        });
    }
    let w = fold(
        &cat,
        vec![
            K::PoolStart {
                task: TaskId(0),
                pool: R0,
                worker: 1,
            },
            K::VarWrite {
                task: TaskId(0),
                var: VarId(0),
                value: 9,
            },
            blocked(1, WaitOn::Worker(R0)),
            K::PoolClose {
                task: TaskId(2),
                pool: R0,
            },
        ],
    );
    let pool = w.pool(R0).unwrap();
    assert_eq!(pool.workers, vec![None, Some(TaskId(0))]);
    assert!(pool.closed);
    assert_eq!(w.tasks[0].proc, 2, "worker 1 of a pool based at process 1");
    assert_eq!(w.vars_of(2), &[9]);
    assert_eq!(w.main_vars(), &[5], "main's copy is untouched");
    let mut w2 = w.clone();
    w2.apply(&Event {
        seq: 9,
        tick: 9,
        kind: K::State {
            task: TaskId(0),
            state: TaskState::Done,
        },
    });
    let pool = w2.pool(R0).unwrap();
    assert_eq!((pool.busy(), pool.done), (0, 1));
}

#[test]
fn a_spawned_process_copies_its_spawners_variables() {
    let mut cat = catalog(
        vec![task("main", "thread", 0), task("child", "process", 1)],
        vec![],
    );
    cat.processes.push(ProcessInfo {
        name: "child".into(),
        task: Some(TaskId(1)),
        ..ProcessInfo::default()
    });
    let w = fold(
        &cat,
        vec![
            K::VarWrite {
                task: TaskId(0),
                var: VarId(0),
                value: 7,
            },
            K::Spawn {
                task: TaskId(0),
                child: TaskId(1),
            },
            K::VarWrite {
                task: TaskId(0),
                var: VarId(0),
                value: 8,
            },
        ],
    );
    assert_eq!(w.main_vars(), &[8]);
    assert_eq!(w.vars_of(1), &[7], "a copy taken at the spawn");
}

#[test]
fn gil_and_loop_are_locks_with_handovers() {
    let cat = catalog(three_threads(), vec![res("GIL", "gil")]);
    let acq = |t| K::LockAcquire {
        task: TaskId(t),
        lock: R0,
        depth: 1,
    };
    let rel = |t| K::LockRelease {
        task: TaskId(t),
        lock: R0,
        depth: 0,
    };
    let w = fold(
        &cat,
        vec![
            acq(0),
            blocked(1, WaitOn::Gil(R0)),
            rel(0),
            acq(1),
            rel(1),
            acq(1),
        ],
    );
    let gil = w.lock(R0).unwrap();
    assert_eq!(gil.holder, Some(TaskId(1)));
    assert_eq!((gil.acquisitions, gil.handovers), (3, 1));
    assert_eq!(
        w.waiters(R0)[0].task,
        TaskId(1),
        "still blocked in the fold"
    );
}

#[test]
fn ids_out_of_range_are_ignored() {
    let cat = catalog(three_threads(), vec![res("s", "semaphore")]);
    let far = ResourceId(99);
    let w = fold(
        &cat,
        vec![
            K::PermitAcquire {
                task: TaskId(0),
                sem: far,
                left: 0,
            },
            K::PoolStart {
                task: TaskId(77),
                pool: R0,
                worker: 5,
            },
            K::PoolStart {
                task: TaskId(0),
                pool: far,
                worker: 0,
            },
            blocked(50, WaitOn::Permit(R0)),
            blocked(0, WaitOn::Barrier(far)),
            K::VarWrite {
                task: TaskId(40),
                var: VarId(9),
                value: 1,
            },
            K::Spawn {
                task: TaskId(0),
                child: TaskId(60),
            },
            K::BarrierWait {
                task: TaskId(0),
                barrier: R0,
                arrived: 3,
            },
        ],
    );
    assert!(w.waiters(R0).is_empty());
    assert_eq!(w.semaphore(R0).unwrap().left, 1);
    assert_eq!(w.main_vars(), &[5]);
}

#[test]
fn waiters_keep_their_order_whoever_leaves_first() {
    let tasks = (0..40)
        .map(|i| task(&format!("t{i}"), "thread", 0))
        .collect();
    let cat = catalog(tasks, vec![res("m", "mutex")]);
    let mut events: Vec<K> = (0..40).map(|t| blocked(t, WaitOn::Lock(R0))).collect();
    // The longest waiters leave one by one, then one from the middle.
    events.extend((0..25).map(ready));
    events.push(ready(30));
    let w = fold(&cat, events);
    let waiting: Vec<u32> = w.waiters(R0).iter().map(|x| x.task.0).collect();
    let want: Vec<u32> = (25..40).filter(|&t| t != 30).collect();
    assert_eq!(waiting, want);
    // The same waiters reached another way: equal resources.
    let wait = |t: u32| super::super::resources::Waiting {
        task: TaskId(t),
        on: WaitOn::Lock(R0),
        since: 0,
        timed: false,
    };
    let mut a = ResourceState::new(&res("m", "mutex"));
    let mut b = a.clone();
    (0..10).for_each(|t| a.add_waiter(wait(t)));
    (0..6).for_each(|t| assert_eq!(a.remove_waiter(TaskId(t)), Some(wait(t))));
    (6..10).for_each(|t| b.add_waiter(wait(t)));
    assert_eq!(a, b);
    assert_eq!(a.remove_waiter(TaskId(3)), None);
}
