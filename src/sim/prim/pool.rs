//! Pools: a job waits for a free worker and holds it until it ends; a
//! process pool's worker runs its job in the worker's own process. `join`
//! closes the pool and waits for every job.

use std::collections::VecDeque;

use super::{prim_as, PrimKind};
use crate::event::{Event, EventKind, ResourceId, TaskId, TaskState, WaitOn};
use crate::scenario::{PoolKind, Start};
use crate::sim::exec::OpEnd;
use crate::sim::Sim;

/// Which job each worker runs, the jobs waiting, and whether it is closed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub(in crate::sim) struct PoolRt {
    pub(in crate::sim) workers: Vec<Option<TaskId>>,
    pub(in crate::sim) waiters: VecDeque<TaskId>,
    pub(in crate::sim) closed: bool,
}

impl PoolRt {
    pub(in crate::sim) fn new(workers: u32) -> PoolRt {
        PoolRt {
            workers: vec![None; workers.max(1) as usize],
            ..PoolRt::default()
        }
    }
}

impl Sim {
    /// Job `t` takes a free worker of pool `p`, or queues for one.
    pub(in crate::sim) fn take_worker(&mut self, t: TaskId, p: u32, out: &mut Vec<Event>) -> bool {
        let Some(rt) = prim_as!(self, p, Pool) else {
            return true;
        };
        let Some(k) = rt.workers.iter().position(Option::is_none) else {
            if !rt.waiters.contains(&t) {
                rt.waiters.push_back(t);
            }
            return false;
        };
        rt.workers[k] = Some(t);
        rt.waiters.retain(|&w| w != t);
        let task = &mut self.tasks[t.index()];
        task.worker = Some(k as u32);
        if let PrimKind::Pool {
            kind: PoolKind::Process,
            first_proc,
            ..
        } = self.fixed.kinds[p as usize]
        {
            task.proc = first_proc + k as u32;
        }
        self.emit(
            out,
            EventKind::PoolStart {
                task: t,
                pool: ResourceId(p),
                worker: k as u32,
            },
        );
        true
    }

    /// An ended job frees its worker for the first waiting job.
    pub(in crate::sim) fn free_worker(&mut self, t: TaskId, out: &mut Vec<Event>) {
        let (Some(p), Some(k)) = (self.fixed_task(t).pool, self.tasks[t.index()].worker) else {
            return;
        };
        let Some(rt) = prim_as!(self, p, Pool) else {
            return;
        };
        if let Some(w) = rt.workers.get_mut(k as usize) {
            *w = None;
        }
        let next = rt.waiters.pop_front();
        if let Some(w) = next {
            self.make_ready(w, out);
        }
    }

    /// `join POOL`: closes the pool and waits for all its jobs.
    pub(in crate::sim) fn join_pool(&mut self, t: TaskId, p: u32, out: &mut Vec<Event>) -> OpEnd {
        if let Some(rt) = prim_as!(self, p, Pool) {
            rt.closed = true;
        }
        self.emit(
            out,
            EventKind::PoolClose {
                task: t,
                pool: ResourceId(p),
            },
        );
        if self.pool_done(p) {
            return OpEnd::Done;
        }
        self.block(t, WaitOn::PoolJoin(ResourceId(p)), None, out);
        OpEnd::Blocked
    }

    /// Whether pool `p` is closed to new jobs.
    pub(in crate::sim) fn pool_closed(&self, p: u32) -> bool {
        matches!(self.prims.get(p as usize), Some(super::Prim::Pool(rt)) if rt.closed)
    }

    /// Every job of pool `p` has ended (jobs never spawned do not count).
    pub(in crate::sim) fn pool_done(&self, p: u32) -> bool {
        self.jobs(p).all(|j| {
            let rt = &self.tasks[j.index()];
            rt.state.is_final()
                || (rt.state == TaskState::New
                    && self.fixed_task(j).start == Start::Spawned
                    && !rt.spawned)
        })
    }

    /// The jobs of pool `p`.
    pub(in crate::sim) fn jobs(&self, p: u32) -> impl Iterator<Item = TaskId> + '_ {
        self.task_ids()
            .filter(move |&j| self.fixed_task(j).pool == Some(p))
    }
}
