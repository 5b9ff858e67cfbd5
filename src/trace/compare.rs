//! Two runs of one scenario as one trace, for `weft run FILE --compare`:
//! the simulator's run above, the live run below, on one time axis. The
//! second run's tasks, resources, processes and CPUs get ids after the
//! first's, and its names a mark (`t1·live`, `A·live`, `main·live`), so
//! every view shows both runs with no change; its events are merged with
//! the first's in the order of their ticks (the first run's first at a
//! tick). The merged trace has one end, at the later run's end, with the
//! second run's outcome.

use crate::event::{
    Catalog, CpuId, Event, EventKind, Failure, ResourceId, StuckTask, TaskId, TaskState, WaitEdge,
    WaitOn,
};

/// The mark on the second run's names.
pub const MARK: &str = "·live";

/// How the second run's ids move.
#[derive(Clone, Copy)]
struct Shift {
    tasks: u32,
    resources: u32,
    cpus: u32,
}

impl Shift {
    fn t(self, t: TaskId) -> TaskId {
        TaskId(t.0 + self.tasks)
    }

    fn r(self, r: ResourceId) -> ResourceId {
        ResourceId(r.0 + self.resources)
    }

    fn on(self, on: WaitOn) -> WaitOn {
        use WaitOn::*;
        match on {
            Lock(r) => Lock(self.r(r)),
            Read(r) => Read(self.r(r)),
            Permit(r) => Permit(self.r(r)),
            Notify(r) => Notify(self.r(r)),
            Flag(r) => Flag(self.r(r)),
            Barrier(r) => Barrier(self.r(r)),
            Put(r) => Put(self.r(r)),
            Get(r) => Get(self.r(r)),
            QueueJoin(r) => QueueJoin(self.r(r)),
            Worker(r) => Worker(self.r(r)),
            PoolJoin(r) => PoolJoin(self.r(r)),
            Gil(r) => Gil(self.r(r)),
            Loop(r) => Loop(self.r(r)),
            RunLoop(r) => RunLoop(self.r(r)),
            Task(t) => Task(self.t(t)),
            Await(t) => Await(self.t(t)),
            AwaitSleep => AwaitSleep,
        }
    }

    fn failure(self, f: Failure) -> Failure {
        use Failure::*;
        match f {
            Timeout(r) => Timeout(self.r(r)),
            Full(r) => Full(self.r(r)),
            Empty(r) => Empty(self.r(r)),
            NotHeld(r) => NotHeld(self.r(r)),
            TooManyDone(r) => TooManyDone(self.r(r)),
            AlreadyStarted(t) => AlreadyStarted(self.t(t)),
            TooManyReleases(r) => TooManyReleases(self.r(r)),
            Unacquired(r) => Unacquired(self.r(r)),
            BrokenBarrier(r) => BrokenBarrier(self.r(r)),
            PoolClosed(r) => PoolClosed(self.r(r)),
            other @ (NoProgress | JoinSelf | Overflow(_)) => other,
        }
    }

    fn state(self, s: TaskState) -> TaskState {
        match s {
            TaskState::Running { cpu } => TaskState::Running {
                cpu: CpuId(cpu.0 + self.cpus),
            },
            TaskState::Blocked { on, timed } => TaskState::Blocked {
                on: self.on(on),
                timed,
            },
            TaskState::Failed { reason } => TaskState::Failed {
                reason: self.failure(reason),
            },
            other => other,
        }
    }

    fn edge(self, e: &WaitEdge) -> WaitEdge {
        WaitEdge {
            task: self.t(e.task),
            waits_for: self.on(e.waits_for),
            held_by: self.t(e.held_by),
        }
    }

    /// The event with every id moved; `None` for the run's end.
    fn kind(self, k: &EventKind) -> Option<EventKind> {
        use EventKind::*;
        let (t, r) = (|x| self.t(x), |x| self.r(x));
        Some(match k.clone() {
            State { task, state } => State {
                task: t(task),
                state: self.state(state),
            },
            Pc { task, pc } => Pc { task: t(task), pc },
            LockWait { task, lock } => LockWait {
                task: t(task),
                lock: r(lock),
            },
            LockAcquire { task, lock, depth } => LockAcquire {
                task: t(task),
                lock: r(lock),
                depth,
            },
            LockRelease { task, lock, depth } => LockRelease {
                task: t(task),
                lock: r(lock),
                depth,
            },
            WaitTimeout { task, on } => WaitTimeout {
                task: t(task),
                on: self.on(on),
            },
            QueuePut {
                task,
                queue,
                value,
                len,
            } => QueuePut {
                task: t(task),
                queue: r(queue),
                value,
                len,
            },
            QueueGet {
                task,
                queue,
                value,
                len,
            } => QueueGet {
                task: t(task),
                queue: r(queue),
                value,
                len,
            },
            QueueDone {
                task,
                queue,
                unfinished,
            } => QueueDone {
                task: t(task),
                queue: r(queue),
                unfinished,
            },
            VarRead { task, var, value } => VarRead {
                task: t(task),
                var,
                value,
            },
            VarWrite { task, var, value } => VarWrite {
                task: t(task),
                var,
                value,
            },
            PermitAcquire { task, sem, left } => PermitAcquire {
                task: t(task),
                sem: r(sem),
                left,
            },
            PermitRelease { task, sem, left } => PermitRelease {
                task: t(task),
                sem: r(sem),
                left,
            },
            ReadAcquire {
                task,
                lock,
                readers,
            } => ReadAcquire {
                task: t(task),
                lock: r(lock),
                readers,
            },
            ReadRelease {
                task,
                lock,
                readers,
            } => ReadRelease {
                task: t(task),
                lock: r(lock),
                readers,
            },
            Notify { task, cond, woken } => Notify {
                task: t(task),
                cond: r(cond),
                woken,
            },
            FlagSet { task, event } => FlagSet {
                task: t(task),
                event: r(event),
            },
            FlagClear { task, event } => FlagClear {
                task: t(task),
                event: r(event),
            },
            BarrierWait {
                task,
                barrier,
                arrived,
            } => BarrierWait {
                task: t(task),
                barrier: r(barrier),
                arrived,
            },
            BarrierBroken { task, barrier } => BarrierBroken {
                task: t(task),
                barrier: r(barrier),
            },
            PoolStart { task, pool, worker } => PoolStart {
                task: t(task),
                pool: r(pool),
                worker,
            },
            PoolClose { task, pool } => PoolClose {
                task: t(task),
                pool: r(pool),
            },
            Print { task, text } => Print {
                task: t(task),
                text,
            },
            Spawn { task, child } => Spawn {
                task: t(task),
                child: t(child),
            },
            Terminate { task, target } => Terminate {
                task: t(task),
                target: t(target),
            },
            Switch { cpu, task, ticks } => Switch {
                cpu: CpuId(cpu.0 + self.cpus),
                task: t(task),
                ticks,
            },
            Choice { options, chosen } => Choice {
                options: options.iter().map(|&x| t(x)).collect(),
                chosen: t(chosen),
            },
            Deadlock { rule, cycle } => Deadlock {
                rule,
                cycle: cycle.iter().map(|e| self.edge(e)).collect(),
            },
            Stall { stuck } => Stall {
                stuck: stuck
                    .iter()
                    .map(|s| StuckTask {
                        task: t(s.task),
                        waits_for: self.on(s.waits_for),
                    })
                    .collect(),
            },
            End { .. } => return None,
        })
    }
}

/// The catalog of both runs: the first's, then the second's with its ids
/// moved and its names marked.
fn catalog(first: &Catalog, second: &Catalog, shift: Shift) -> Catalog {
    let procs = first.processes.len() as u32;
    let mut c = first.clone();
    c.engine = "sim+live".into();
    c.cpus = first.cpus + second.cpus;
    c.expect = None;
    c.max_ticks = first.max_ticks.max(second.max_ticks);
    c.tasks.extend(second.tasks.iter().map(|t| {
        let mut t = t.clone();
        t.name.push_str(MARK);
        t.process.push_str(MARK);
        t.proc += procs;
        t.event_loop = t.event_loop.map(|x| shift.t(x));
        t.pool = t.pool.map(|x| shift.r(x));
        t
    }));
    c.resources.extend(second.resources.iter().map(|r| {
        let mut r = r.clone();
        r.name.push_str(MARK);
        r.lock = r.lock.map(|x| shift.r(x));
        r.process = r.process.map(|p| p + procs);
        r.owner = r.owner.map(|x| shift.t(x));
        r
    }));
    c.processes.extend(second.processes.iter().map(|p| {
        let mut p = p.clone();
        p.name.push_str(MARK);
        p.task = p.task.map(|x| shift.t(x));
        p.worker = p.worker.map(|(r, k)| (shift.r(r), k));
        p.gil = p.gil.map(|x| shift.r(x));
        p
    }));
    c
}

/// The two runs as one: `first`'s catalog and events, then `second`'s moved
/// after them, merged by tick, with one end.
pub fn side_by_side(
    first: (&Catalog, &[Event]),
    second: (&Catalog, &[Event]),
) -> (Catalog, Vec<Event>) {
    let shift = Shift {
        tasks: first.0.tasks.len() as u32,
        resources: first.0.resources.len() as u32,
        cpus: first.0.cpus,
    };
    let cat = catalog(first.0, second.0, shift);
    let end_of = |events: &[Event]| {
        events.iter().rev().find_map(|e| match e.kind {
            EventKind::End { outcome } => Some((e.tick, outcome)),
            _ => None,
        })
    };
    let ends = (end_of(first.1), end_of(second.1));
    let a = first
        .1
        .iter()
        .filter(|e| !matches!(e.kind, EventKind::End { .. }));
    let b = second.1.iter().filter_map(|e| {
        shift.kind(&e.kind).map(|kind| Event {
            seq: 0,
            tick: e.tick,
            kind,
        })
    });
    let mut out: Vec<Event> = Vec::with_capacity(first.1.len() + second.1.len() + 1);
    let mut b = b.peekable();
    for e in a {
        while let Some(x) = b.next_if(|x| x.tick < e.tick) {
            out.push(x);
        }
        out.push(e.clone());
    }
    out.extend(b);
    let end = match ends {
        (Some((t1, _)), Some((t2, o))) => Some((t1.max(t2), o)),
        (x, y) => y.or(x),
    };
    if let Some((tick, outcome)) = end {
        let tick = tick.max(out.last().map_or(0, |e| e.tick));
        out.push(Event {
            seq: 0,
            tick,
            kind: EventKind::End { outcome },
        });
    }
    for (i, e) in out.iter_mut().enumerate() {
        e.seq = i as u64;
    }
    (cat, out)
}
