//! The report's sections for semaphores, rwlocks, conditions, events,
//! barriers, pools, GILs and processes, each read from the fold's state of
//! its kind at the end of the run.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::event::{Catalog, ResourceId, ResourceInfo, WaitOn};
use crate::trace::World;

/// A semaphore at the end of the run.
#[derive(Debug, Clone, Serialize)]
pub struct SemaphoreReport {
    /// Its name.
    pub name: String,
    /// The permits it started with.
    pub permits: u32,
    /// Releasing past the start fails.
    pub bounded: bool,
    /// Permits left.
    pub left: u32,
    /// Who holds permits, and how many.
    pub holders: Vec<PermitHolder>,
    /// Who waits for a permit, first first.
    pub waiters: Vec<String>,
}

/// A task holding permits.
#[derive(Debug, Clone, Serialize)]
pub struct PermitHolder {
    /// The task.
    pub task: String,
    /// How many permits it holds.
    pub permits: u32,
}

/// An rwlock at the end of the run.
#[derive(Debug, Clone, Serialize)]
pub struct RwLockReport {
    /// Its name.
    pub name: String,
    /// `fair`, `reader` or `writer`.
    pub prefer: Option<String>,
    /// Who holds it for writing.
    pub writer: Option<String>,
    /// Who holds it for reading.
    pub readers: Vec<String>,
    /// Who waits, first first, and for which side.
    pub waiters: Vec<RwWaiter>,
}

/// A task waiting on an rwlock.
#[derive(Debug, Clone, Serialize)]
pub struct RwWaiter {
    /// The task.
    pub task: String,
    /// `read` or `write`.
    pub mode: &'static str,
}

/// A condition at the end of the run.
#[derive(Debug, Clone, Serialize)]
pub struct ConditionReport {
    /// Its name.
    pub name: String,
    /// The lock it is bound to.
    pub lock: Option<String>,
    /// Who waits for a notify, first first.
    pub waiters: Vec<String>,
    /// Notifies (`notify` and `notify_all`).
    pub notifies: u64,
    /// Notifies that found no waiter.
    pub lost_notifies: u64,
}

/// An event at the end of the run.
#[derive(Debug, Clone, Serialize)]
pub struct EventReport {
    /// Its name.
    pub name: String,
    /// The flag.
    pub set: bool,
    /// Who waits for the flag.
    pub waiters: Vec<String>,
    /// `set` calls.
    pub sets: u64,
}

/// A barrier at the end of the run.
#[derive(Debug, Clone, Serialize)]
pub struct BarrierReport {
    /// Its name.
    pub name: String,
    /// The parties of a round.
    pub parties: u32,
    /// Arrivals in the unfinished round.
    pub arrived: u32,
    /// Who waits at it.
    pub waiting: Vec<String>,
    /// It broke.
    pub broken: bool,
    /// Rounds completed.
    pub rounds: u64,
}

/// A pool at the end of the run.
#[derive(Debug, Clone, Serialize)]
pub struct PoolReport {
    /// Its name.
    pub name: String,
    /// `thread` or `process`.
    pub kind: Option<String>,
    /// Its number of workers.
    pub workers: u32,
    /// The workers running a job.
    pub busy: Vec<BusyWorker>,
    /// Jobs waiting for a worker, first first.
    pub queued: Vec<String>,
    /// Jobs that ended.
    pub jobs_done: u64,
    /// `join` closed it.
    pub closed: bool,
}

/// A worker and its job.
#[derive(Debug, Clone, Serialize)]
pub struct BusyWorker {
    /// The worker, from 0.
    pub worker: u32,
    /// The job it runs.
    pub job: String,
}

/// A process's GIL.
#[derive(Debug, Clone, Serialize)]
pub struct GilReport {
    /// The process.
    pub process: String,
    /// The GIL's name.
    pub name: String,
    /// Who holds it at the end.
    pub holder: Option<String>,
    /// Times it went from one thread to another.
    pub handovers: u64,
    /// Acquisitions.
    pub acquisitions: u64,
}

/// A process and its copy of the variables.
#[derive(Debug, Clone, Serialize)]
pub struct ProcessReport {
    /// Its name.
    pub name: String,
    /// Its variables at the end.
    pub vars: BTreeMap<String, i64>,
}

fn of_kind<'c>(
    cat: &'c Catalog,
    kind: &'c str,
) -> impl Iterator<Item = (ResourceId, &'c ResourceInfo)> + 'c {
    cat.resources
        .iter()
        .enumerate()
        .filter(move |(_, r)| r.kind == kind)
        .map(|(i, r)| (ResourceId(i as u32), r))
}

/// The names of the tasks blocked on a resource, first first.
pub fn waiter_names(cat: &Catalog, world: &World, r: ResourceId) -> Vec<String> {
    waiters_where(cat, world, r, |_| true)
}

fn waiters_where(
    cat: &Catalog,
    world: &World,
    r: ResourceId,
    want: impl Fn(WaitOn) -> bool,
) -> Vec<String> {
    world
        .waiters(r)
        .iter()
        .filter(|w| want(w.on))
        .map(|w| cat.task_name(w.task).to_string())
        .collect()
}

/// The semaphores section.
pub fn semaphores(cat: &Catalog, world: &World) -> Vec<SemaphoreReport> {
    of_kind(cat, "semaphore")
        .filter_map(|(r, info)| {
            let s = world.semaphore(r)?;
            Some(SemaphoreReport {
                name: info.name.clone(),
                permits: s.permits,
                bounded: info.bounded.unwrap_or(false),
                left: s.left,
                holders: s
                    .holders
                    .iter()
                    .map(|&(t, n)| PermitHolder {
                        task: cat.task_name(t).to_string(),
                        permits: n,
                    })
                    .collect(),
                waiters: waiter_names(cat, world, r),
            })
        })
        .collect()
}

/// The rwlocks section.
pub fn rwlocks(cat: &Catalog, world: &World) -> Vec<RwLockReport> {
    of_kind(cat, "rwlock")
        .filter_map(|(r, info)| {
            let rw = world.rwlock(r)?;
            Some(RwLockReport {
                name: info.name.clone(),
                prefer: info.mode.clone(),
                writer: rw.writer.map(|t| cat.task_name(t).to_string()),
                readers: rw
                    .readers
                    .iter()
                    .map(|&t| cat.task_name(t).to_string())
                    .collect(),
                waiters: world
                    .waiters(r)
                    .iter()
                    .map(|w| RwWaiter {
                        task: cat.task_name(w.task).to_string(),
                        mode: if matches!(w.on, WaitOn::Read(_)) {
                            "read"
                        } else {
                            "write"
                        },
                    })
                    .collect(),
            })
        })
        .collect()
}

/// The conditions section.
pub fn conditions(cat: &Catalog, world: &World) -> Vec<ConditionReport> {
    of_kind(cat, "condition")
        .filter_map(|(r, info)| {
            let c = world.condition(r)?;
            Some(ConditionReport {
                name: info.name.clone(),
                lock: c.lock.map(|l| cat.resource_name(l).to_string()),
                waiters: waiter_names(cat, world, r),
                notifies: c.notifies,
                lost_notifies: c.lost,
            })
        })
        .collect()
}

/// The events section.
pub fn events(cat: &Catalog, world: &World) -> Vec<EventReport> {
    of_kind(cat, "event")
        .filter_map(|(r, info)| {
            let f = world.flag(r)?;
            Some(EventReport {
                name: info.name.clone(),
                set: f.set,
                waiters: waiter_names(cat, world, r),
                sets: f.sets,
            })
        })
        .collect()
}

/// The barriers section.
pub fn barriers(cat: &Catalog, world: &World) -> Vec<BarrierReport> {
    of_kind(cat, "barrier")
        .filter_map(|(r, info)| {
            let b = world.barrier(r)?;
            Some(BarrierReport {
                name: info.name.clone(),
                parties: b.parties,
                arrived: b.arrived,
                waiting: waiter_names(cat, world, r),
                broken: b.broken,
                rounds: b.rounds,
            })
        })
        .collect()
}

/// The pools section.
pub fn pools(cat: &Catalog, world: &World) -> Vec<PoolReport> {
    of_kind(cat, "pool")
        .filter_map(|(r, info)| {
            let p = world.pool(r)?;
            Some(PoolReport {
                name: info.name.clone(),
                kind: info.mode.clone(),
                workers: p.workers.len() as u32,
                busy: p
                    .workers
                    .iter()
                    .enumerate()
                    .filter_map(|(k, job)| {
                        Some(BusyWorker {
                            worker: k as u32,
                            job: cat.task_name((*job)?).to_string(),
                        })
                    })
                    .collect(),
                queued: waiters_where(cat, world, r, |on| matches!(on, WaitOn::Worker(_))),
                jobs_done: p.done,
                closed: p.closed,
            })
        })
        .collect()
}

/// The GIL section: one entry per process that has a GIL.
pub fn gil(cat: &Catalog, world: &World) -> Vec<GilReport> {
    of_kind(cat, "gil")
        .filter_map(|(r, info)| {
            let l = world.lock(r)?;
            Some(GilReport {
                process: cat.process_name(info.process.unwrap_or(0)).to_string(),
                name: info.name.clone(),
                holder: l.holder.map(|t| cat.task_name(t).to_string()),
                handovers: l.handovers,
                acquisitions: l.acquisitions,
            })
        })
        .collect()
}

/// Variables by name.
pub fn var_map(cat: &Catalog, values: &[i64]) -> BTreeMap<String, i64> {
    cat.vars
        .iter()
        .zip(values)
        .map(|(v, x)| (v.name.clone(), *x))
        .collect()
}

/// The processes section: every process of the catalog with its variables.
pub fn processes(cat: &Catalog, world: &World) -> Vec<ProcessReport> {
    cat.processes
        .iter()
        .enumerate()
        .map(|(i, p)| ProcessReport {
            name: p.name.clone(),
            vars: var_map(cat, world.vars_of(i as u32)),
        })
        .collect()
}
