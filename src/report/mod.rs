//! Reports of a finished run, computed from its event log only: the JSON
//! report of CLI.md and a text report readable at a glance.
//!
//! Imports the event contract, the trace and the analysis.

mod lock_order;
mod resources;
mod text;
mod text_more;

pub use lock_order::{InversionReport, LockOrderReport};
pub use resources::{
    BarrierReport, BusyWorker, ConditionReport, EventReport, GilReport, PoolReport, ProcessReport,
    RwLockReport, SemaphoreReport,
};
pub use text::render_text;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::analysis::{averages, check_expectations, task_stats};
use crate::event::{Catalog, Outcome, ResourceId, ResourceInfo, TaskState, WaitEdge};
use crate::trace::{StateTicks, Trace};

/// The report of one run (field names as in CLI.md).
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The scenario's name.
    pub scenario: String,
    /// `sim` or `live`.
    pub engine: String,
    /// The seed used.
    pub seed: u64,
    /// What one tick is, as the scenario says (`10ms`).
    pub tick: String,
    /// The length of a tick in nanoseconds (`null` when the tick is no
    /// duration).
    pub tick_ns: Option<u64>,
    /// A real program's run: the events its recorder dropped (left out of
    /// a simulated run's report).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dropped_events: Option<u64>,
    /// How the run ended (`null` for a trace cut short).
    pub outcome: Option<&'static str>,
    /// The tick of the last event.
    pub end_tick: u64,
    /// `end_tick` when the outcome is `completed`.
    pub makespan: Option<u64>,
    /// Every task.
    pub tasks: Vec<TaskReport>,
    /// Every deadlock found.
    pub deadlocks: Vec<DeadlockReport>,
    /// The stall, when the run stalled: who waits forever, and why.
    pub stall: Option<StallReport>,
    /// Every lock.
    pub locks: Vec<LockReport>,
    /// The lock-order graph: its edges and inversions, deadlocked or not.
    pub lock_order: LockOrderReport,
    /// Every queue.
    pub queues: Vec<QueueReport>,
    /// Every semaphore.
    pub semaphores: Vec<SemaphoreReport>,
    /// Every rwlock.
    pub rwlocks: Vec<RwLockReport>,
    /// Every condition.
    pub conditions: Vec<ConditionReport>,
    /// Every event.
    pub events: Vec<EventReport>,
    /// Every barrier.
    pub barriers: Vec<BarrierReport>,
    /// Every pool.
    pub pools: Vec<PoolReport>,
    /// Each process's GIL (empty without `gil = true`).
    pub gil: Vec<GilReport>,
    /// Shared variables of the main process at the end.
    pub vars: BTreeMap<String, i64>,
    /// Every process and its variables at the end, main first.
    pub processes: Vec<ProcessReport>,
    /// The `[expect]` check, `null` without one.
    pub expect: Option<ExpectReport>,
    /// Averages over the tasks that finished.
    pub averages: AveragesReport,
    /// Every CPU's busy and idle ticks.
    pub cpus: Vec<CpuReport>,
}

/// One task in a report.
#[derive(Debug, Clone, Serialize)]
pub struct TaskReport {
    /// Its name.
    pub name: String,
    /// `thread`, `process` or `coroutine`.
    pub kind: String,
    /// Its process.
    pub process: String,
    /// Its state at the end.
    pub final_state: &'static str,
    /// What it waits for at the end, if blocked.
    pub blocked_on: Option<String>,
    /// The tick it arrived.
    pub arrival: Option<u64>,
    /// The tick it first ran.
    pub first_run: Option<u64>,
    /// The tick it ended.
    pub finish: Option<u64>,
    /// Ticks per state.
    pub ticks: TicksReport,
    /// Ticks ready.
    pub waiting_time: u64,
    /// Finish minus arrival.
    pub turnaround: Option<u64>,
    /// First run minus arrival.
    pub response_time: Option<u64>,
    /// Why it failed.
    pub failure: Option<String>,
    /// The locks it holds at the end.
    pub held: Vec<String>,
    /// Where it waits at the end, when blocked (as a deadlock's `at`).
    pub blocked_at: Option<String>,
    /// A real program's run: the thread's or process's id in the operating
    /// system (`null` when unknown; left out of a simulated run's report).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os_id: Option<Option<u64>>,
}

/// Ticks per state.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct TicksReport {
    /// On a CPU.
    pub running: u64,
    /// Waiting for a CPU.
    pub ready: u64,
    /// Waiting for another task.
    pub blocked: u64,
    /// Sleeping or in I/O.
    pub sleeping: u64,
}

impl From<StateTicks> for TicksReport {
    fn from(t: StateTicks) -> Self {
        TicksReport {
            running: t.running,
            ready: t.ready,
            blocked: t.blocked,
            sleeping: t.sleeping,
        }
    }
}

/// A deadlock: its tick, rule and edges.
#[derive(Debug, Clone, Serialize)]
pub struct DeadlockReport {
    /// The tick it closed.
    pub tick: u64,
    /// `cycle` or `knot`.
    pub rule: &'static str,
    /// Each task waiting for the next; for a knot, one edge from each
    /// member to each member that could end its wait.
    pub cycle: Vec<CycleEdge>,
}

/// A stall: the tasks that wait forever.
#[derive(Debug, Clone, Serialize)]
pub struct StallReport {
    /// The tick nothing could run any more.
    pub tick: u64,
    /// Every stuck task.
    pub stuck: Vec<StuckReport>,
}

/// One task of a stall.
#[derive(Debug, Clone, Serialize)]
pub struct StuckReport {
    /// The task.
    pub task: String,
    /// What it waits for (a resource's or a task's name).
    pub waits_for: String,
    /// Why nobody can end the wait, in words.
    pub reason: String,
}

/// One edge of a cycle.
#[derive(Debug, Clone, Serialize)]
pub struct CycleEdge {
    /// The waiting task.
    pub task: String,
    /// What it waits for.
    pub waits_for: String,
    /// Who holds it.
    pub held_by: String,
    /// Where the task waits: the place of the waiting call in a real
    /// program (`bank.rs:22`), the script's line in a scenario.
    pub at: Option<String>,
}

/// A lock at the end of the run.
#[derive(Debug, Clone, Serialize)]
pub struct LockReport {
    /// Its name.
    pub name: String,
    /// `mutex` or `rlock`.
    pub kind: String,
    /// Who holds it.
    pub holder: Option<String>,
    /// Who waits for it, first first.
    pub waiters: Vec<String>,
    /// Acquisitions (re-entries count).
    pub acquisitions: u64,
    /// Requests that had to wait.
    pub contentions: u64,
    /// Ticks spent waiting for it, all waits together (those still going
    /// on at the end counted up to it).
    pub total_wait: u64,
    /// The longest wait for it, in ticks.
    pub longest_wait: u64,
}

/// A queue at the end of the run.
#[derive(Debug, Clone, Serialize)]
pub struct QueueReport {
    /// Its name.
    pub name: String,
    /// Capacity, 0 for unbounded.
    pub capacity: u32,
    /// `fifo`, `lifo` or `priority`.
    pub order: String,
    /// Items left in it.
    pub final_len: u32,
    /// The most it held.
    pub max_len: u32,
    /// Items put.
    pub puts: u64,
    /// Items got.
    pub gets: u64,
}

/// The `[expect]` check. A trace that ends before the run did (read with
/// `--partial`) has no end to judge: `judged` is false, `reason` says why,
/// and `outcome_ok` and every check's `ok`, `actual` and `values` are null.
#[derive(Debug, Clone, Serialize)]
pub struct ExpectReport {
    /// Whether the run was judged against `[expect]` (it had an end).
    pub judged: bool,
    /// Why it was not judged (`null` when it was).
    pub reason: Option<String>,
    /// The outcome asked for (`completed` when `[expect]` names none).
    pub outcome: &'static str,
    /// The outcome is the one asked for (`null` when not judged).
    pub outcome_ok: Option<bool>,
    /// Each final check.
    #[serde(rename = "final")]
    pub checks: Vec<CheckReport>,
}

impl ExpectReport {
    /// Judged, and everything expected holds.
    pub fn met(&self) -> bool {
        self.outcome_ok == Some(true) && self.checks.iter().all(|c| c.ok == Some(true))
    }
}

/// One final check.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    /// As written.
    pub check: String,
    /// Whether it holds (`null` when not judged).
    pub ok: Option<bool>,
    /// The left side's value at the end (`null` if it cannot be computed
    /// or was not judged).
    pub actual: Option<i64>,
    /// The values it was made of, as `name = value` (`null` when not judged).
    pub values: Option<String>,
}

/// Why a trace without an end is not judged against `[expect]`.
pub const NOT_JUDGED: &str = "the trace ends before the run did, so the run has no outcome \
                              or final values to judge";

/// Averages over the tasks that finished.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct AveragesReport {
    /// Mean waiting time.
    pub waiting_time: Option<f64>,
    /// Mean turnaround.
    pub turnaround: Option<f64>,
    /// Mean response time.
    pub response_time: Option<f64>,
}

/// One CPU's use.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct CpuReport {
    /// Its number.
    pub id: u32,
    /// Busy ticks.
    pub busy: u64,
    /// Idle ticks.
    pub idle: u64,
    /// Context switches (starting a task other than the one it ran last).
    pub switches: u64,
    /// Of the busy ticks, those spent switching (`switch_cost` each).
    pub switch_ticks: u64,
}

impl Report {
    /// The report of a whole trace.
    pub fn from_trace(trace: &Trace) -> Report {
        let cat = &trace.catalog;
        let world = trace.last();
        let end = world.tick;
        let stats = task_stats(world, end);
        let live = cat.engine == "live";
        let tasks = world
            .tasks
            .iter()
            .zip(&stats)
            .enumerate()
            .map(|(i, (t, s))| {
                let info = &cat.tasks[i];
                let blocked_on = match t.state {
                    TaskState::Blocked { on, .. } => Some(cat.wait_name(on).to_string()),
                    _ => None,
                };
                let failure = match t.state {
                    TaskState::Failed { reason } => Some(failure_text(cat, reason)),
                    _ => None,
                };
                let held = world
                    .held_by(crate::event::TaskId(i as u32))
                    .into_iter()
                    .filter(|r| {
                        cat.resources
                            .get(r.index())
                            .is_some_and(|x| !x.is_builtin())
                    })
                    .map(|r| cat.resource_name(r).to_string())
                    .collect();
                TaskReport {
                    name: info.name.clone(),
                    kind: info.kind.clone(),
                    // A process pool's job runs in its worker's process.
                    process: match (t.worker, cat.processes.get(t.proc as usize)) {
                        (Some(_), Some(p)) => p.name.clone(),
                        _ => info.process.clone(),
                    },
                    final_state: t.state.name(),
                    blocked_on,
                    arrival: t.arrival,
                    first_run: t.first_run,
                    finish: t.finish,
                    ticks: s.ticks.into(),
                    waiting_time: s.waiting_time,
                    turnaround: s.turnaround,
                    response_time: s.response_time,
                    failure,
                    held,
                    blocked_at: place_of_wait(trace, crate::event::TaskId(i as u32)),
                    os_id: live.then_some(info.os_id),
                }
            })
            .collect();
        let avg = averages(&stats);
        let judged = world.outcome.is_some();
        let expect = check_expectations(cat, world).map(|r| ExpectReport {
            judged,
            reason: (!judged).then(|| NOT_JUDGED.to_string()),
            outcome: r.outcome_expected.name(),
            outcome_ok: judged.then_some(r.outcome_ok),
            checks: r
                .checks
                .into_iter()
                .map(|c| CheckReport {
                    check: c.text,
                    ok: judged.then_some(c.ok),
                    actual: c.actual.filter(|_| judged),
                    values: judged.then_some(c.values),
                })
                .collect(),
        });
        Report {
            scenario: cat.scenario.clone(),
            engine: cat.engine.clone(),
            seed: cat.seed,
            tick: cat.tick_label.clone(),
            tick_ns: cat.tick_ns(),
            dropped_events: live.then_some(trace.dropped_events),
            outcome: world.outcome.map(Outcome::name),
            end_tick: end,
            makespan: (world.outcome == Some(Outcome::Completed)).then_some(end),
            tasks,
            deadlocks: world
                .deadlocks
                .iter()
                .map(|d| DeadlockReport {
                    tick: d.tick,
                    rule: d.rule.name(),
                    cycle: cycle_edges(trace, &d.edges),
                })
                .collect(),
            stall: world.stall.as_ref().map(|stuck| StallReport {
                tick: end,
                stuck: stuck
                    .iter()
                    .map(|s| StuckReport {
                        task: cat.task_name(s.task).to_string(),
                        waits_for: cat.wait_name(s.waits_for).to_string(),
                        reason: crate::analysis::stall_reason(cat, world, s),
                    })
                    .collect(),
            }),
            locks: lock_reports(trace),
            lock_order: lock_order::lock_order_report(trace),
            queues: queue_reports(trace),
            semaphores: resources::semaphores(cat, world),
            rwlocks: resources::rwlocks(cat, world),
            conditions: resources::conditions(cat, world),
            events: resources::events(cat, world),
            barriers: resources::barriers(cat, world),
            pools: resources::pools(cat, world),
            gil: resources::gil(cat, world),
            vars: resources::var_map(cat, world.main_vars()),
            processes: resources::processes(cat, world),
            expect,
            averages: AveragesReport {
                waiting_time: avg.waiting_time,
                turnaround: avg.turnaround,
                response_time: avg.response_time,
            },
            cpus: world
                .cpus
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let busy = c.busy_at(end);
                    CpuReport {
                        id: i as u32,
                        busy,
                        idle: end.saturating_sub(busy),
                        switches: c.switches,
                        switch_ticks: c.switch_ticks,
                    }
                })
                .collect(),
        }
    }

    /// Whether the run matched its `[expect]` (or completed, without one).
    /// A run without an end (a cut trace) matches nothing.
    pub fn expectation_met(&self) -> bool {
        match &self.expect {
            Some(e) => e.met(),
            None => self.outcome == Some("completed"),
        }
    }

    /// The exit code of CLI.md: 3 when a deadlock was found (even an
    /// expected one, so that scripts can rely on it; in a cut trace, a
    /// deadlock recorded before the cut); otherwise 0 when the run
    /// completed or matched its `[expect]`, and 4 when it did not. A cut
    /// trace without a deadlock exits 4 because the run did not end, not
    /// for its `[expect]`, which is not judged.
    pub fn exit_code(&self) -> i32 {
        let unfinished = self.outcome.is_none();
        if self.outcome == Some("deadlock") || (unfinished && !self.deadlocks.is_empty()) {
            3
        } else if unfinished {
            4
        } else if self.expectation_met() {
            0
        } else {
            4
        }
    }
}

fn cycle_edges(trace: &Trace, cycle: &[WaitEdge]) -> Vec<CycleEdge> {
    let cat = &trace.catalog;
    cycle
        .iter()
        .map(|e| CycleEdge {
            task: cat.task_name(e.task).to_string(),
            waits_for: cat.wait_name(e.waits_for).to_string(),
            held_by: cat.task_name(e.held_by).to_string(),
            at: place_of_wait(trace, e.task),
        })
        .collect()
}

/// Where a task blocked at the end waits.
fn place_of_wait(trace: &Trace, task: crate::event::TaskId) -> Option<String> {
    let t = trace.last().tasks.get(task.index())?;
    if !matches!(t.state, TaskState::Blocked { .. }) {
        return None;
    }
    let step = crate::analysis::state_step(trace, task, trace.len());
    crate::analysis::wait_place(trace, task, step, t.pc)
}

fn lock_reports(trace: &Trace) -> Vec<LockReport> {
    let cat = &trace.catalog;
    let world = trace.last();
    kinds(cat, ResourceInfo::is_lock)
        .filter_map(|(r, info)| {
            let l = world.lock(r)?;
            let (total_wait, longest_wait) = world.resources.get(r.index())?.waits_by(world.tick);
            Some(LockReport {
                name: info.name.clone(),
                kind: info.kind.clone(),
                holder: l.holder.map(|t| cat.task_name(t).to_string()),
                waiters: resources::waiter_names(cat, world, r),
                acquisitions: l.acquisitions,
                contentions: l.contentions,
                total_wait,
                longest_wait,
            })
        })
        .collect()
}

/// The resources of the catalog that `want` picks, with their ids.
fn kinds<'c>(
    cat: &'c Catalog,
    want: impl Fn(&ResourceInfo) -> bool + 'c,
) -> impl Iterator<Item = (ResourceId, &'c ResourceInfo)> + 'c {
    cat.resources
        .iter()
        .enumerate()
        .filter(move |(_, r)| want(r))
        .map(|(i, r)| (ResourceId(i as u32), r))
}

fn queue_reports(trace: &Trace) -> Vec<QueueReport> {
    let cat = &trace.catalog;
    let world = trace.last();
    kinds(cat, ResourceInfo::is_queue)
        .filter_map(|(r, info)| {
            let q = world.queue(r)?;
            Some(QueueReport {
                name: info.name.clone(),
                capacity: info.capacity.unwrap_or(0),
                order: info.order.clone().unwrap_or_else(|| "fifo".into()),
                final_len: q.len,
                max_len: q.max_len,
                puts: q.puts,
                gets: q.gets,
            })
        })
        .collect()
}

pub use crate::analysis::failure_text;
