//! The deadlock watchdog: a thread that looks at the waits of the recorded
//! primitives every 200 ms and, when a cycle of untimed waits on single
//! owners (a mutex, a join) is seen twice in a row unchanged, records the
//! deadlock, writes the trace, names the cycle on stderr, and acts as
//! `WEFT_ON_DEADLOCK` says: `report` (the default: the program stays stuck,
//! as it would without weft), `exit` (exit code 3) or `abort`.
//!
//! Only a task that has to wait touches the shared graph; an uncontended
//! lock only stores its owner in the lock itself.

use std::collections::{HashMap, HashSet};
use std::panic::Location;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::event::{find_cycle, DeadlockRule, EventKind, ResourceId, TaskId, WaitEdge, WaitOn};

use super::recorder::active;

/// How often the waits are looked at.
const PERIOD: Duration = Duration::from_millis(200);

/// One task's wait.
#[derive(Clone)]
struct Wait {
    on: WaitOn,
    at: &'static Location<'static>,
    /// Counts this task's waits, so a cycle seen twice is the same waits.
    generation: u64,
}

#[derive(Default)]
struct Graph {
    waits: HashMap<TaskId, Wait>,
    generation: u64,
    /// Who holds each lock: the task id + 1, 0 when free.
    owners: HashMap<ResourceId, Arc<AtomicU32>>,
    task_names: HashMap<TaskId, String>,
    resource_names: HashMap<ResourceId, String>,
    ended: HashSet<TaskId>,
}

static GRAPH: parking_lot::Mutex<Option<Graph>> = parking_lot::Mutex::new(None);

fn with<R>(f: impl FnOnce(&mut Graph) -> R) -> R {
    let mut g = GRAPH.lock();
    f(g.get_or_insert_with(Graph::default))
}

/// Starts the watchdog thread (once).
pub(super) fn start() {
    static STARTED: std::sync::Once = std::sync::Once::new();
    STARTED.call_once(|| {
        let _ = std::thread::Builder::new()
            .name("weft-watchdog".into())
            .spawn(watch);
    });
}

pub(super) fn name_task(t: TaskId, name: &str) {
    with(|g| g.task_names.insert(t, name.to_string()));
}

pub(super) fn task_ended(t: TaskId) {
    with(|g| g.ended.insert(t));
}

pub(super) fn lock_registered(r: ResourceId, name: &str, owner: Arc<AtomicU32>) {
    with(|g| {
        g.resource_names.insert(r, name.to_string());
        g.owners.insert(r, owner);
    });
}

/// `t` starts an untimed wait, from the call at `at`.
pub(super) fn waiting(t: TaskId, on: WaitOn, at: &'static Location<'static>) {
    with(|g| {
        g.generation += 1;
        let generation = g.generation;
        g.waits.insert(t, Wait { on, at, generation });
    });
}

/// `t`'s wait is over.
pub(super) fn done_waiting(t: TaskId) {
    with(|g| g.waits.remove(&t));
}

fn watch() {
    let mut seen: Option<Vec<(TaskId, u64)>> = None;
    let mut reported: HashSet<Vec<(TaskId, u64)>> = HashSet::new();
    loop {
        std::thread::sleep(PERIOD);
        let Some((cycle, key)) = find() else {
            seen = None;
            continue;
        };
        if seen.as_ref() == Some(&key) && !reported.contains(&key) {
            reported.insert(key.clone());
            report(&cycle);
        }
        seen = Some(key);
    }
}

/// A cycle's edges, each with the place of its waiting call.
type Cycle = Vec<(WaitEdge, &'static Location<'static>)>;

/// A cycle of waits now, with the waits' generations (to tell the same
/// waits from new ones).
fn find() -> Option<(Cycle, Vec<(TaskId, u64)>)> {
    let g = GRAPH.lock();
    let g = g.as_ref()?;
    let edge = |t: TaskId| {
        let w = g.waits.get(&t)?;
        let held_by = match w.on {
            WaitOn::Lock(r) | WaitOn::Read(r) => {
                let o = g.owners.get(&r)?.load(Ordering::Acquire);
                TaskId(o.checked_sub(1)?)
            }
            WaitOn::Task(c) if !g.ended.contains(&c) => c,
            _ => return None,
        };
        Some(WaitEdge {
            task: t,
            waits_for: w.on,
            held_by,
        })
    };
    let mut starts: Vec<TaskId> = g.waits.keys().copied().collect();
    starts.sort();
    for t in starts {
        if let Some(cycle) = find_cycle(t, g.waits.len() + 1, edge) {
            let key = cycle
                .iter()
                .map(|e| (e.task, g.waits[&e.task].generation))
                .collect();
            let with_at = cycle.iter().map(|e| (*e, g.waits[&e.task].at)).collect();
            return Some((with_at, key));
        }
    }
    None
}

fn report(cycle: &Cycle) {
    let text = {
        let g = GRAPH.lock();
        let Some(g) = g.as_ref() else { return };
        let task = |t: TaskId| {
            g.task_names
                .get(&t)
                .cloned()
                .unwrap_or_else(|| format!("thread-{}", t.0))
        };
        let mut s = format!(
            "weft: deadlock: {} threads wait for each other in a cycle\n",
            cycle.len()
        );
        for (e, at) in cycle {
            let what = match e.waits_for {
                WaitOn::Lock(r) | WaitOn::Read(r) => format!(
                    "lock {}",
                    g.resource_names.get(&r).map_or("?", String::as_str)
                ),
                WaitOn::Task(c) => format!("the end of {}", task(c)),
                _ => "?".to_string(),
            };
            s.push_str(&format!(
                "  {} waits for {what}, held by {}, at {}:{}\n",
                task(e.task),
                task(e.held_by),
                at.file(),
                at.line()
            ));
        }
        s
    };
    // The deadlock ends the recording: nothing after it changes the run.
    if let Some(rec) = active() {
        rec.event(EventKind::Deadlock {
            rule: DeadlockRule::Cycle,
            cycle: cycle.iter().map(|(e, _)| *e).collect(),
        });
        rec.end(crate::event::Outcome::Deadlock);
    }
    eprint!("{text}");
    match std::env::var("WEFT_ON_DEADLOCK").as_deref() {
        Ok("exit") => std::process::exit(3),
        Ok("abort") => std::process::abort(),
        _ => {}
    }
}
