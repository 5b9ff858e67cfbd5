//! Invariants of the simulator and the fold over random scenarios.

use crate::common;
use proptest::prelude::*;
use weft::event::{EventKind, TaskState};
use weft::trace::{Trace, World};

/// One random operation of a generated script.
#[derive(Debug, Clone)]
enum Gen {
    Compute(u8),
    Sleep(u8),
    Locked(u8, u8),
    Put(u8),
    Get(u8),
    Incr,
    Yield,
}

fn op() -> impl Strategy<Value = Gen> {
    prop_oneof![
        (1u8..4).prop_map(Gen::Compute),
        (0u8..3).prop_map(Gen::Sleep),
        (0u8..3, 0u8..3).prop_map(|(l, c)| Gen::Locked(l, c)),
        (0u8..2).prop_map(Gen::Put),
        (1u8..4).prop_map(Gen::Get),
        Just(Gen::Incr),
        Just(Gen::Yield),
    ]
}

fn script(ops: &[Gen]) -> String {
    let mut s = String::new();
    for o in ops {
        let line = match o {
            Gen::Compute(n) => format!("compute {n}\n"),
            Gen::Sleep(n) => format!("sleep {n}\n"),
            Gen::Locked(l, c) => {
                format!(
                    "acquire L[{l}]\nacquire L[{}]\ncompute {}\nrelease L[{}]\nrelease L[{l}]\n",
                    l + 1,
                    c + 1,
                    l + 1
                )
            }
            Gen::Put(0) => "put q\n".into(),
            Gen::Put(_) => "put_nowait q else { yield }\n".into(),
            Gen::Get(t) => format!("get q timeout {t} else {{ yield }}\n"),
            Gen::Incr => "incr counter\n".into(),
            Gen::Yield => "yield\n".into(),
        };
        s.push_str(&line);
    }
    s
}

fn scenario() -> impl Strategy<Value = String> {
    let policy = prop_oneof![
        Just("fifo"),
        Just("rr"),
        Just("sjf"),
        Just("srtf"),
        Just("priority"),
        Just("priority-preemptive"),
        Just("random"),
    ];
    let task = (prop::collection::vec(op(), 1..8), 0u8..4, 0u8..5);
    (
        policy,
        1u8..4,
        0u8..4,
        1u8..4,
        prop::collection::vec(task, 1..6),
        0u8..3,
    )
        .prop_map(|(policy, cpus, capacity, quantum, tasks, preempt)| {
            let mut s = format!(
                "[scenario]\nname = \"random\"\n[machine]\npolicy = \"{policy}\"\ncpus = {cpus}\nquantum = {quantum}\npreempt = {}\nmax_ticks = 500\n[vars]\ncounter = 0\n[locks]\nL = {{ kind = \"mutex\", count = 3 }}\n[queues]\nq = {{ capacity = {capacity} }}\n",
                f64::from(preempt) * 0.25
            );
            for (i, (ops, start, priority)) in tasks.iter().enumerate() {
                s.push_str(&format!(
                    "[[task]]\nname = \"t{i}\"\nstart = {start}\npriority = {priority}\nscript = \"\"\"\n{}\"\"\"\n",
                    script(ops)
                ));
            }
            s
        })
}

proptest! {
    #![proptest_config(common::proptest_config(120))]

    #[test]
    fn invariants_hold_on_random_scenarios(src in scenario()) {
        let (catalog, events) = common::events(&src);
        let capacity = catalog.resources.iter().find(|r| r.is_queue()).and_then(|r| r.capacity).unwrap_or(0);
        let mut world = World::new(&catalog);
        for e in &events {
            match &e.kind {
                EventKind::LockAcquire { task, lock, .. } => {
                    let holder = world.lock(*lock).and_then(|l| l.holder);
                    prop_assert!(holder.is_none() || holder == Some(*task), "two holders of a mutex");
                }
                EventKind::QueuePut { len, .. } if capacity > 0 => {
                    prop_assert!(*len <= capacity, "queue over capacity");
                }
                EventKind::State { state: TaskState::Running { cpu }, task } => {
                    let on_cpu = world.cpus[cpu.index()].task;
                    prop_assert!(on_cpu.is_none() || on_cpu == Some(*task), "two tasks on one cpu");
                }
                _ => {}
            }
            world.apply(e);
        }
        prop_assert!(world.outcome.is_some());
        let end = world.tick;
        for t in &world.tasks {
            if let Some(arrival) = t.arrival {
                let ticks = t.ticks_at(end);
                let total = ticks.running + ticks.ready + ticks.blocked + ticks.sleeping;
                prop_assert_eq!(total, t.finish.unwrap_or(end) - arrival);
            }
        }
        let again = common::events(&src).1;
        prop_assert_eq!(&events, &again, "same seed, different events");
    }

    #[test]
    fn the_fold_from_a_checkpoint_equals_the_fold_from_the_start(src in scenario(), every in 1usize..40, picks in prop::collection::vec(any::<prop::sample::Index>(), 5)) {
        let (catalog, events) = common::events(&src);
        let mut trace = Trace::with_checkpoints_every(catalog, every);
        for e in events {
            trace.push(e);
        }
        for pick in picks {
            let step = pick.index(trace.len() + 1);
            prop_assert_eq!(trace.world_at(step), trace.world_from_start(step));
        }
    }
}

/// One random operation of a script over the newer primitives.
#[derive(Debug, Clone)]
enum Sync {
    Compute(u8),
    Sleep(u8),
    Permit(u8),
    Read(u8),
    Write(u8),
    Signal,
    Await(u8),
    Yield,
}

fn sync_op() -> impl Strategy<Value = Sync> {
    prop_oneof![
        (1u8..4).prop_map(Sync::Compute),
        (0u8..3).prop_map(Sync::Sleep),
        (0u8..3).prop_map(Sync::Permit),
        (0u8..3).prop_map(Sync::Read),
        (0u8..3).prop_map(Sync::Write),
        Just(Sync::Signal),
        (1u8..4).prop_map(Sync::Await),
        Just(Sync::Yield),
    ]
}

fn sync_script(ops: &[Sync], coroutine: bool) -> String {
    let mut s = String::new();
    for o in ops {
        let line = match o {
            Sync::Compute(n) => format!("compute {n}\n"),
            Sync::Sleep(n) if coroutine => format!("await sleep {n}\n"),
            Sync::Sleep(n) => format!("sleep {n}\n"),
            Sync::Permit(n) => format!(
                "acquire S timeout 5 else {{ yield }}\ncompute {}\nrelease S\n",
                n + 1
            ),
            Sync::Read(n) => format!("acquire_read RW\ncompute {}\nrelease_read RW\n", n + 1),
            Sync::Write(n) => format!(
                "acquire RW timeout 6 else {{ yield }}\ncompute {}\nrelease RW\n",
                n + 1
            ),
            Sync::Signal => "set e\nclear e\n".into(),
            Sync::Await(n) => format!("wait e timeout {n} else {{ yield }}\n"),
            Sync::Yield => "yield\n".into(),
        };
        s.push_str(&line);
    }
    s
}

fn sync_scenario() -> impl Strategy<Value = String> {
    let prefer = prop_oneof![Just("fair"), Just("reader"), Just("writer")];
    let task = (
        prop::collection::vec(sync_op(), 1..6),
        0u8..3,
        any::<bool>(),
    );
    (
        1u8..4,
        any::<bool>(),
        1u8..4,
        prefer,
        prop::collection::vec(task, 1..6),
        1u8..6,
    )
        .prop_map(|(cpus, gil, permits, prefer, tasks, interval)| {
            let mut s = format!(
                "[scenario]\nname = \"random\"\n[machine]\ncpus = {cpus}\ngil = {gil}\nswitch_interval = {interval}\nmax_ticks = 500\n[semaphores]\nS = {{ permits = {permits}, bounded = true }}\n[locks]\nRW = {{ kind = \"rwlock\", prefer = \"{prefer}\" }}\n[events]\ne = false\n[[task]]\nname = \"looper\"\nscript = \"run_loop\"\n"
            );
            for (i, (ops, start, coroutine)) in tasks.iter().enumerate() {
                let kind = if *coroutine {
                    "kind = \"coroutine\"\nloop = \"looper\"\n"
                } else if i % 3 == 2 {
                    "kind = \"process\"\n"
                } else {
                    ""
                };
                s.push_str(&format!(
                    "[[task]]\nname = \"t{i}\"\n{kind}start = {start}\nscript = \"\"\"\n{}\"\"\"\n",
                    sync_script(ops, *coroutine)
                ));
            }
            s
        })
}

proptest! {
    #![proptest_config(common::proptest_config(150))]

    #[test]
    fn the_newer_primitives_keep_their_invariants(src in sync_scenario()) {
        let (catalog, events) = common::events(&src);
        let find = |kind: &str| -> Vec<usize> {
            catalog.resources.iter().enumerate().filter(|(_, r)| r.kind == kind).map(|(i, _)| i).collect()
        };
        let sem = find("semaphore")[0];
        let rw = find("rwlock")[0];
        let tokens: Vec<usize> = find("gil").into_iter().chain(find("loop")).collect();
        let start = catalog.resources[sem].permits.unwrap_or(0);
        let mut holder: Vec<Option<weft::event::TaskId>> = vec![None; catalog.resources.len()];
        let mut readers = 0u32;
        for e in &events {
            match &e.kind {
                EventKind::PermitAcquire { left, .. } | EventKind::PermitRelease { left, .. } => {
                    prop_assert!(*left <= start, "a bounded semaphore above its start");
                }
                EventKind::ReadAcquire { readers: n, .. } => {
                    prop_assert!(holder[rw].is_none(), "a reader beside a writer");
                    readers = *n;
                }
                EventKind::ReadRelease { readers: n, .. } => readers = *n,
                EventKind::LockAcquire { task, lock, .. } => {
                    let r = lock.index();
                    prop_assert!(holder[r].is_none(), "two holders of {}", catalog.resources[r].name);
                    if r == rw {
                        prop_assert_eq!(readers, 0, "a writer beside readers");
                    }
                    holder[r] = Some(*task);
                }
                EventKind::LockRelease { lock, depth: 0, .. } => holder[lock.index()] = None,
                EventKind::State { task, state: TaskState::Running { .. } } => {
                    for &r in &tokens {
                        let info = &catalog.resources[r];
                        let t = &catalog.tasks[task.index()];
                        let mine = match info.kind.as_str() {
                            "loop" => t.event_loop.is_some() && t.event_loop == info.owner,
                            _ => t.event_loop.is_none() && Some(t.proc) == info.process && t.pool.is_none(),
                        };
                        if mine {
                            prop_assert_eq!(holder[r], Some(*task), "{} runs without {}", t.name, info.name);
                        }
                    }
                }
                _ => {}
            }
        }
        let ended = matches!(events.last().map(|e| &e.kind), Some(EventKind::End { .. }));
        prop_assert!(ended, "the run ends with an end event");
    }
}
