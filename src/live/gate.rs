//! The gates a live task passes to run, as in the simulator: its pool's
//! worker (a job), its loop's turn (a coroutine), its process's GIL, and a
//! virtual CPU, given by the policy. A CPU and the GIL are given up when
//! the task blocks or sleeps; at each tick of a `compute` the task looks
//! whether its time slice, a better task or its GIL's switch interval says
//! it must let another run.

use super::board::{Board, Grant, Guard, State, Waited};
use crate::event::{CpuId, EventKind, ResourceId, TaskId, TaskState, WaitOn};
use crate::scenario::Policy;

impl Board {
    /// Takes `t` through its gates and onto a CPU; false when the run is
    /// over (or `t` was terminated) before it got there.
    pub fn enter(&self, g: &mut Guard<'_>, t: TaskId) -> bool {
        if let Some(p) = self.fixed[t.index()].pool {
            if g.tasks[t.index()].worker.is_none() && !self.take_worker(g, t, p) {
                return false;
            }
        }
        if let Some(l) = self.loop_of(t) {
            if !self.take_token(g, t, l, WaitOn::Loop(ResourceId(l))) {
                return false;
            }
        }
        if let Some(gil) = self.gil_of(g, t) {
            if !g.tasks[t.index()].gil {
                if !self.take_token(g, t, gil, WaitOn::Gil(ResourceId(gil))) {
                    return false;
                }
                g.tasks[t.index()].gil = true;
                g.tasks[t.index()].gil_ticks = 0;
            }
        }
        self.take_cpu(g, t)
    }

    /// `t` stops running for a while: its CPU goes to the next ready task
    /// and its GIL to the longest waiter.
    pub fn leave(&self, g: &mut Guard<'_>, t: TaskId) {
        self.free_cpu(g, t);
        self.drop_gil(g, t);
    }

    /// Gives up `t`'s CPU, if it has one, to the task the policy picks.
    pub fn free_cpu(&self, g: &mut Guard<'_>, t: TaskId) {
        if let Some(c) = g.tasks[t.index()].cpu.take() {
            g.cpus[c as usize] = None;
        }
        g.ready.retain(|&r| r != t);
        self.dispatch(g);
    }

    /// Gives up `t`'s GIL, if it holds it.
    pub fn drop_gil(&self, g: &mut Guard<'_>, t: TaskId) {
        if !g.tasks[t.index()].gil {
            return;
        }
        g.tasks[t.index()].gil = false;
        if let Some(gil) = self.gil_of(g, t) {
            self.give_token(g, t, gil);
        }
    }

    /// The GIL of the process `t` runs in, when the run has GILs.
    fn gil_of(&self, g: &State, t: TaskId) -> Option<u32> {
        if !self.catalog.gil {
            return None;
        }
        let p = g.tasks[t.index()].proc as usize;
        self.catalog.processes.get(p)?.gil.map(|r| r.0)
    }

    /// The loop resource of a coroutine.
    pub fn loop_of(&self, t: TaskId) -> Option<u32> {
        let thread = self.fixed[t.index()].event_loop?;
        self.catalog
            .resources
            .iter()
            .position(|r| r.kind == "loop" && r.owner == Some(TaskId(thread)))
            .map(|i| i as u32)
    }

    /// A CPU for `t`: at once when one is free and nobody waits, else
    /// `ready` until the policy picks it.
    fn take_cpu(&self, g: &mut Guard<'_>, t: TaskId) -> bool {
        if g.tasks[t.index()].cpu.is_some() {
            return true;
        }
        if g.tasks[t.index()].state != TaskState::Ready {
            g.set_state(t, TaskState::Ready);
        }
        g.ready.push_back(t);
        self.end_hold(g, t);
        self.dispatch(g);
        if g.tasks[t.index()].cpu.is_some() {
            g.tasks[t.index()].grant = None;
            return true;
        }
        matches!(self.wait_grant(g, t, None), Waited::Granted(_))
    }

    /// Free CPUs, lowest first, take ready tasks by the policy.
    pub fn dispatch(&self, g: &mut Guard<'_>) {
        if g.hold_dispatch.is_some() {
            return;
        }
        while let Some(c) = g.cpus.iter().position(Option::is_none) {
            let Some(i) = self.pick(g) else { return };
            let Some(w) = g.ready.remove(i) else { return };
            g.cpus[c] = Some(w);
            let rt = &mut g.tasks[w.index()];
            rt.cpu = Some(c as u32);
            rt.slice = 0;
            g.set_state(
                w,
                TaskState::Running {
                    cpu: CpuId(c as u32),
                },
            );
            g.grant(w, Grant::Done);
        }
    }

    /// The index in the ready queue of the task the policy takes next.
    fn pick(&self, g: &mut Guard<'_>) -> Option<usize> {
        if g.ready.is_empty() {
            return None;
        }
        let best =
            |key: &dyn Fn(TaskId) -> i64| (0..g.ready.len()).min_by_key(|&i| (key(g.ready[i]), i));
        match self.scenario.machine.policy {
            Policy::Fifo | Policy::Rr => Some(0),
            Policy::Sjf | Policy::Srtf => best(&|t| g.tasks[t.index()].burst as i64),
            Policy::Priority | Policy::PriorityPreemptive => {
                best(&|t| self.fixed[t.index()].priority)
            }
            Policy::Random => {
                let n = g.ready.len() as u64;
                g.rng ^= g.rng << 13;
                g.rng ^= g.rng >> 7;
                g.rng ^= g.rng << 17;
                Some((g.rng % n) as usize)
            }
        }
    }

    /// A tick of `compute` is done; `burst` ticks of the burst remain.
    pub fn tick_done(&self, g: &mut Guard<'_>, t: TaskId, burst: u64) {
        let rt = &mut g.tasks[t.index()];
        rt.slice += 1;
        rt.burst = burst;
        if rt.gil {
            rt.gil_ticks += 1;
        }
    }

    /// At a tick boundary inside a burst: lets another task run when the
    /// GIL's switch interval, the time slice or a better ready task says
    /// so, and takes `t` back through its gates. A compute that ends at
    /// that boundary looks only when its next compute starts, so that the
    /// zero-time operations after it run first, as in the simulator.
    /// False when the run is over.
    pub fn take_turn(&self, g: &mut Guard<'_>, t: TaskId) -> bool {
        let gil_turn = match self.gil_of(g, t) {
            Some(gil) if g.tasks[t.index()].gil => {
                g.tasks[t.index()].gil_ticks >= u64::from(self.catalog.switch_interval.max(1))
                    && self.token_waited(g, gil)
            }
            _ => false,
        };
        if gil_turn {
            self.free_cpu(g, t);
            self.drop_gil(g, t);
            return self.enter(g, t);
        }
        if self.must_yield(g, t) {
            self.free_cpu(g, t);
            g.set_state(t, TaskState::Ready);
            return self.enter(g, t);
        }
        !g.over()
    }

    /// Whether the policy takes the CPU from the computing task `t`.
    fn must_yield(&self, g: &State, t: TaskId) -> bool {
        if g.ready.is_empty() {
            return false;
        }
        let quantum = u64::from(self.catalog.quantum.max(1));
        let rt = &g.tasks[t.index()];
        let mine = self.fixed[t.index()].priority;
        match self.scenario.machine.policy {
            Policy::Rr => rt.slice >= quantum,
            Policy::PriorityPreemptive => g.ready.iter().any(|&r| {
                let p = self.fixed[r.index()].priority;
                p < mine || (p == mine && rt.slice >= quantum)
            }),
            Policy::Srtf => g.ready.iter().any(|&r| g.tasks[r.index()].burst < rt.burst),
            _ => false,
        }
    }

    /// `yield`: `t` goes to the back of the ready queue.
    pub fn yield_cpu(&self, g: &mut Guard<'_>, t: TaskId) -> bool {
        self.free_cpu(g, t);
        self.drop_gil(g, t);
        g.set_state(t, TaskState::Ready);
        self.enter(g, t)
    }

    /// A pool's worker for job `t`, waiting for one while all are busy.
    fn take_worker(&self, g: &mut Guard<'_>, t: TaskId, p: u32) -> bool {
        if let Some(k) = g.res[p as usize].free_worker() {
            self.start_job(g, t, p, k);
            return true;
        }
        g.res[p as usize].queue_job(t);
        self.end_hold(g, t);
        self.dispatch(g);
        g.set_state(
            t,
            TaskState::Blocked {
                on: WaitOn::Worker(ResourceId(p)),
                timed: false,
            },
        );
        self.stuck_check(g);
        matches!(self.wait_grant(g, t, None), Waited::Granted(_))
    }

    /// Job `t` takes worker `k` of pool `p`.
    pub fn start_job(&self, g: &mut Guard<'_>, t: TaskId, p: u32, k: u32) {
        g.res[p as usize].set_worker(k, Some(t));
        g.tasks[t.index()].worker = Some(k);
        if let Some(first) = self.catalog.resources[p as usize].process {
            if self.catalog.processes[first as usize].worker.is_some() {
                let proc = first + k;
                g.tasks[t.index()].proc = proc;
                // A process pool's worker is a process, started at its first
                // job with the variables the run began with (the simulator
                // makes it when the run starts).
                let vars: Vec<i64> = self.scenario.vars.iter().map(|v| v.initial).collect();
                match self.workers.start(proc, &vars) {
                    Ok(pid) => g.out.push(super::writer::Out::Decl(
                        crate::event::lines::Declaration::OsId { task: t, id: pid },
                    )),
                    Err(e) => {
                        g.limit = Some(format!("cannot start a process of the pool: {e}"));
                        g.finish(crate::event::Outcome::Timeout);
                    }
                }
            }
        }
        g.emit(EventKind::PoolStart {
            task: t,
            pool: ResourceId(p),
            worker: k,
        });
    }

    /// A finished job gives its worker to the next job waiting.
    pub fn free_worker(&self, g: &mut Guard<'_>, t: TaskId) {
        let (Some(p), Some(k)) = (self.fixed[t.index()].pool, g.tasks[t.index()].worker) else {
            return;
        };
        g.res[p as usize].set_worker(k, None);
        if let Some(w) = g.res[p as usize].next_job() {
            self.start_job(g, w, p, k);
            g.grant(w, Grant::Done);
        }
    }

    /// A token (a GIL, a loop's turn) for `t`, waiting in line for it.
    pub fn take_token(&self, g: &mut Guard<'_>, t: TaskId, r: u32, on: WaitOn) -> bool {
        if g.res[r as usize].token_free_for(t) {
            g.res[r as usize].token_take(t);
            g.emit(EventKind::LockAcquire {
                task: t,
                lock: ResourceId(r),
                depth: 1,
            });
            return true;
        }
        g.res[r as usize].token_queue(t);
        self.end_hold(g, t);
        self.dispatch(g);
        g.emit(EventKind::LockWait {
            task: t,
            lock: ResourceId(r),
        });
        g.set_state(t, TaskState::Blocked { on, timed: false });
        if !matches!(on, WaitOn::Gil(_)) {
            self.stuck_check(g);
        }
        matches!(self.wait_grant(g, t, None), Waited::Granted(_))
    }

    /// `t` gives its token back; the longest waiter gets it.
    pub fn give_token(&self, g: &mut Guard<'_>, t: TaskId, r: u32) {
        if !g.res[r as usize].token_give(t) {
            return;
        }
        g.emit(EventKind::LockRelease {
            task: t,
            lock: ResourceId(r),
            depth: 0,
        });
        self.hand_token(g, r);
    }

    /// A free token goes to its first waiter.
    pub fn hand_token(&self, g: &mut Guard<'_>, r: u32) {
        if let Some(w) = g.res[r as usize].token_next() {
            if r == self.gil_of(g, w).unwrap_or(u32::MAX) {
                g.tasks[w.index()].gil = true;
                g.tasks[w.index()].gil_ticks = 0;
            }
            g.emit(EventKind::LockAcquire {
                task: w,
                lock: ResourceId(r),
                depth: 1,
            });
            g.grant(w, Grant::Done);
        }
    }

    /// The last task arriving at a tick is ready (or waits at a gate): the
    /// CPUs may take their tasks.
    fn end_hold(&self, g: &mut Guard<'_>, t: TaskId) {
        if g.hold_dispatch == Some(t) {
            g.hold_dispatch = None;
        }
    }

    fn token_waited(&self, g: &State, r: u32) -> bool {
        g.res[r as usize].token_has_waiters()
    }
}
