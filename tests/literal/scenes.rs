//! One small literal run per primitive, stopped at an interesting moment,
//! for the view and report tests.

use weft::event::{
    DeadlockRule, EventKind as K, Outcome, ProcessInfo, StuckTask, TaskId, VarId, WaitEdge, WaitOn,
};

use super::{res, Literal};

/// Two permits of `slots` taken by w1 and w2 (w1 twice of a bounded `gate`);
/// w3 waits for a slot and w4 behind it.
pub fn semaphore() -> Literal {
    let mut l = Literal::new("Semaphore slots", 2);
    let (w1, w2, w3, w4) = (
        l.task("w1", "thread", 0),
        l.task("w2", "thread", 0),
        l.task("w3", "thread", 0),
        l.task("w4", "thread", 0),
    );
    let mut s = res("slots", "semaphore");
    s.permits = Some(2);
    let slots = l.res(s);
    let mut g = res("gate", "semaphore");
    g.permits = Some(3);
    g.bounded = Some(true);
    let gate = l.res(g);
    l.at(0).run(w1, 0).run(w2, 1);
    for w in [w3, w4] {
        l.ready(w);
    }
    l.ev(K::PermitAcquire {
        task: w1,
        sem: slots,
        left: 1,
    })
    .ev(K::PermitAcquire {
        task: w2,
        sem: slots,
        left: 0,
    })
    .ev(K::PermitAcquire {
        task: w1,
        sem: gate,
        left: 2,
    })
    .ev(K::PermitAcquire {
        task: w1,
        sem: gate,
        left: 1,
    });
    l.at(2)
        .ready(w1)
        .run(w3, 0)
        .block(w3, WaitOn::Permit(slots));
    l.run(w4, 0).block(w4, WaitOn::Permit(slots)).run(w1, 0);
    l.at(3);
    l.ev(K::Pc { task: w1, pc: 0 });
    l
}

/// Readers r1 and r2 hold `db`; writer w waits to write, r3 waits to read
/// behind it (writers preferred).
pub fn rwlock() -> Literal {
    let mut l = Literal::new("Readers and a writer", 2);
    let (r1, r2, w, r3) = (
        l.task("r1", "thread", 0),
        l.task("r2", "thread", 0),
        l.task("writer", "thread", 0),
        l.task("r3", "thread", 0),
    );
    let mut rw = res("db", "rwlock");
    rw.mode = Some("writer".into());
    let db = l.res(rw);
    l.at(0).run(r1, 0).run(r2, 1).ready(w).ready(r3);
    l.ev(K::ReadAcquire {
        task: r1,
        lock: db,
        readers: 1,
    })
    .ev(K::ReadAcquire {
        task: r2,
        lock: db,
        readers: 2,
    });
    l.at(1)
        .state(r1, weft::event::TaskState::Sleeping { io: true });
    l.run(w, 0).block(w, WaitOn::Lock(db));
    l.run(r3, 0).block(r3, WaitOn::Read(db));
    l.at(3).ev(K::Pc { task: r2, pc: 0 });
    l
}

/// `consumer` waits on `c` (bound to `L`) after a notify was lost;
/// `producer` holds `L`.
pub fn condition() -> Literal {
    let mut l = Literal::new("Condition and a lost notify", 1);
    let (consumer, producer) = (
        l.task("consumer", "thread", 0),
        l.task("producer", "thread", 0),
    );
    let lock = l.res(res("L", "mutex"));
    let mut c = res("c", "condition");
    c.lock = Some(lock);
    let c = l.res(c);
    l.at(0).run(producer, 0).ready(consumer);
    l.acquire(producer, lock)
        .ev(K::Notify {
            task: producer,
            cond: c,
            woken: 0,
        })
        .release(producer, lock)
        .ready(producer);
    l.at(1)
        .run(consumer, 0)
        .acquire(consumer, lock)
        .release(consumer, lock);
    l.block(consumer, WaitOn::Notify(c))
        .run(producer, 0)
        .acquire(producer, lock);
    l.at(2).ev(K::Pc {
        task: producer,
        pc: 0,
    });
    l
}

/// Two waiters on the event `ready`, set once and cleared again; `go` is
/// set from the start.
pub fn event() -> Literal {
    let mut l = Literal::new("Events", 1);
    let (a, b, setter) = (
        l.task("a", "thread", 0),
        l.task("b", "thread", 0),
        l.task("setter", "thread", 0),
    );
    let ready = l.res(res("ready", "event"));
    let mut go = res("go", "event");
    go.initially_set = Some(true);
    l.res(go);
    l.at(0).run(setter, 0).ready(a).ready(b);
    l.ev(K::FlagSet {
        task: setter,
        event: ready,
    })
    .ev(K::FlagClear {
        task: setter,
        event: ready,
    })
    .state(setter, weft::event::TaskState::Sleeping { io: false });
    l.at(1)
        .run(a, 0)
        .block(a, WaitOn::Flag(ready))
        .run(b, 0)
        .block(b, WaitOn::Flag(ready));
    l
}

/// A barrier of 3 parties: one round passed; p1 and p2 wait in the second
/// while p3 is still computing.
pub fn barrier() -> Literal {
    let mut l = Literal::new("Barrier rounds", 3);
    let (p1, p2, p3) = (
        l.task("p1", "thread", 0),
        l.task("p2", "thread", 0),
        l.task("p3", "thread", 0),
    );
    let mut b = res("sync", "barrier");
    b.permits = Some(3);
    let b = l.res(b);
    l.at(0).run(p1, 0).run(p2, 1).run(p3, 2);
    l.ev(K::BarrierWait {
        task: p1,
        barrier: b,
        arrived: 1,
    })
    .block(p1, WaitOn::Barrier(b));
    l.ev(K::BarrierWait {
        task: p2,
        barrier: b,
        arrived: 2,
    })
    .block(p2, WaitOn::Barrier(b));
    l.ev(K::BarrierWait {
        task: p3,
        barrier: b,
        arrived: 3,
    });
    l.run(p1, 0).run(p2, 1);
    l.at(2);
    l.ev(K::BarrierWait {
        task: p1,
        barrier: b,
        arrived: 1,
    })
    .block(p1, WaitOn::Barrier(b));
    l.ev(K::BarrierWait {
        task: p2,
        barrier: b,
        arrived: 2,
    })
    .block(p2, WaitOn::Barrier(b));
    l.at(3).ev(K::Pc { task: p3, pc: 0 });
    l
}

/// A thread pool of 2 workers: j1 and j2 run, j3 and j4 are queued, j0
/// is done, and main joins the pool (closed).
pub fn pool() -> Literal {
    let mut l = Literal::new("Thread pool", 2);
    let main = l.task("main", "thread", 0);
    let mut p = res("workers", "pool");
    p.permits = Some(2);
    p.mode = Some("thread".into());
    let pool = l.res(p);
    let jobs: Vec<TaskId> = (0..5)
        .map(|i| {
            let j = l.task(&format!("j{i}"), "thread", 0);
            l.cat.tasks[j.index()].pool = Some(pool);
            j
        })
        .collect();
    l.at(0).run(main, 0);
    l.ev(K::PoolStart {
        task: jobs[0],
        pool,
        worker: 0,
    })
    .run(jobs[0], 1);
    l.ev(K::PoolStart {
        task: jobs[1],
        pool,
        worker: 1,
    })
    .ready(jobs[1]);
    l.ev(K::PoolClose { task: main, pool })
        .block(main, WaitOn::PoolJoin(pool));
    for &j in &jobs[2..] {
        l.block(j, WaitOn::Worker(pool));
    }
    l.at(2).done(jobs[0]).run(jobs[1], 1);
    l.block(jobs[2], WaitOn::Worker(pool));
    l.ev(K::PoolStart {
        task: jobs[2],
        pool,
        worker: 0,
    })
    .run(jobs[2], 0);
    l.at(3).ev(K::Pc {
        task: jobs[2],
        pc: 0,
    });
    l
}

/// gil = true, two processes: in main, t1 holds the GIL and t2 waits for
/// it; process `worker` has its own GIL and its own `x`.
pub fn gil() -> Literal {
    let mut l = Literal::new("GIL and processes", 2);
    l.cat.gil = true;
    l.cat.switch_interval = 2;
    l.var("x", 0);
    let t1 = l.task("t1", "thread", 0);
    let t2 = l.task("t2", "thread", 0);
    let g0 = l.res({
        let mut g = res("GIL", "gil");
        g.process = Some(0);
        g
    });
    l.cat.processes[0].gil = Some(g0);
    l.cat.processes.push(ProcessInfo {
        name: "worker".into(),
        task: Some(TaskId(2)),
        worker: None,
        gil: None,
        pid: None,
    });
    let w = l.task("worker", "process", 1);
    let g1 = l.res({
        let mut g = res("GIL(worker)", "gil");
        g.process = Some(1);
        g
    });
    l.cat.processes[1].gil = Some(g1);
    l.at(0).run(t1, 0).acquire(t1, g0);
    l.ev(K::VarWrite {
        task: t1,
        var: VarId(0),
        value: 1,
    });
    l.ev(K::Spawn { task: t1, child: w });
    l.ready(t2).block(t2, WaitOn::Gil(g0));
    l.run(w, 1).acquire(w, g1);
    l.ev(K::VarWrite {
        task: w,
        var: VarId(0),
        value: 10,
    });
    l.at(2)
        .release(t1, g0)
        .block(t1, WaitOn::Gil(g0))
        .acquire(t2, g0)
        .run(t2, 0);
    l.ev(K::VarWrite {
        task: t2,
        var: VarId(0),
        value: 2,
    });
    l.at(4)
        .release(t2, g0)
        .block(t2, WaitOn::Gil(g0))
        .acquire(t1, g0)
        .run(t1, 0);
    l.at(5).ev(K::Pc { task: t1, pc: 0 });
    l
}

/// A loop thread `lt` in run_loop; coroutines c1 then c2 take turns on its
/// loop; c3 awaits c1.
pub fn event_loop() -> Literal {
    let mut l = Literal::new("Event loop", 1);
    let lt = l.task("lt", "thread", 0);
    let lp = l.res({
        let mut r = res("loop(lt)", "loop");
        r.owner = Some(lt);
        r
    });
    let cs: Vec<TaskId> = (1..=3)
        .map(|i| {
            let c = l.task(&format!("c{i}"), "coroutine", 0);
            l.cat.tasks[c.index()].event_loop = Some(lt);
            c
        })
        .collect();
    let other = l.task("bystander", "thread", 0);
    l.at(0).run(lt, 0);
    for &c in &cs {
        l.block(c, WaitOn::Loop(lp));
    }
    l.ready(other);
    l.block(lt, WaitOn::RunLoop(lp))
        .acquire(cs[0], lp)
        .run(cs[0], 0);
    l.at(2).release(cs[0], lp).state(
        cs[0],
        weft::event::TaskState::Blocked {
            on: WaitOn::AwaitSleep,
            timed: true,
        },
    );
    l.acquire(cs[1], lp).run(cs[1], 0);
    l.at(3)
        .release(cs[1], lp)
        .done(cs[1])
        .acquire(cs[2], lp)
        .run(cs[2], 0);
    l.release(cs[2], lp).block(cs[2], WaitOn::Await(cs[0]));
    l.run(other, 0);
    l.at(4).ev(K::Pc { task: other, pc: 0 });
    l
}

/// A knot: the consumer holds L and waits on q; the producer, the only
/// task seen putting into q, waits for L.
pub fn knot() -> Literal {
    let mut l = Literal::new("Consumer holds the producer's lock", 1);
    let (consumer, producer) = (
        l.task("consumer", "thread", 0),
        l.task("producer", "thread", 0),
    );
    let lock = l.res(res("L", "mutex"));
    let q = l.res({
        let mut r = res("q", "queue");
        r.capacity = Some(2);
        r.order = Some("fifo".into());
        r
    });
    l.at(0).run(producer, 0).ready(consumer);
    l.ev(K::QueuePut {
        task: producer,
        queue: q,
        value: 1,
        len: 1,
    })
    .ready(producer);
    l.at(1).run(consumer, 0);
    l.ev(K::QueueGet {
        task: consumer,
        queue: q,
        value: 1,
        len: 0,
    });
    l.acquire(consumer, lock).block(consumer, WaitOn::Get(q));
    l.run(producer, 0).block(producer, WaitOn::Lock(lock));
    l.ev(K::Deadlock {
        rule: DeadlockRule::Knot,
        cycle: vec![
            WaitEdge {
                task: consumer,
                waits_for: WaitOn::Get(q),
                held_by: producer,
            },
            WaitEdge {
                task: producer,
                waits_for: WaitOn::Lock(lock),
                held_by: consumer,
            },
        ]
        .into(),
    });
    l.ev(K::End {
        outcome: Outcome::Deadlock,
    });
    l
}

/// A stall: main joins `late`, which was never spawned, and `consumer`
/// waits on condition c that nobody left can notify.
pub fn stall() -> Literal {
    let mut l = Literal::new("Nobody left to wake them", 1);
    let main = l.task("main", "thread", 0);
    let late = l.task("late", "thread", 0);
    let consumer = l.task("consumer", "thread", 0);
    let lock = l.res(res("L", "mutex"));
    let c = l.res({
        let mut r = res("c", "condition");
        r.lock = Some(lock);
        r
    });
    l.at(0).run(consumer, 0).ready(main);
    l.acquire(consumer, lock)
        .release(consumer, lock)
        .block(consumer, WaitOn::Notify(c));
    l.run(main, 0).block(main, WaitOn::Task(late));
    let _ = late;
    l.ev(K::Stall {
        stuck: vec![
            StuckTask {
                task: main,
                waits_for: WaitOn::Task(late),
            },
            StuckTask {
                task: consumer,
                waits_for: WaitOn::Notify(c),
            },
        ]
        .into(),
    });
    l.ev(K::End {
        outcome: Outcome::Stalled,
    });
    l
}
