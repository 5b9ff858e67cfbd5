//! The wait-for graph of a [`World`]: for each blocked task, the living
//! tasks that could end its wait, and the deadlock among them by the rule
//! every engine shares ([`find_deadlock`]).
//!
//! A trace does not know the tasks' scripts, so where docs/semantics.md
//! counts "every task whose script has `put Q`" (and likewise for `release`,
//! `notify`, `set`, `task_done` and a barrier's `wait`), this graph counts
//! the tasks the fold has *seen* do it so far. The engine's own `deadlock`
//! and `stall` events, which know the scripts, stay the authority; this
//! graph explains the state at any cursor.

use crate::event::{
    find_deadlock, Catalog, DeadlockRule, TaskId, TaskState, WaitEdge, WaitOn, Waiter,
};
use crate::trace::{PrimState, World};

/// Every blocked task and the living tasks that could end its wait
/// (timed waits only when `include_timed`).
pub fn waiters(cat: &Catalog, world: &World, include_timed: bool) -> Vec<Waiter> {
    (0..world.tasks.len())
        .filter_map(|i| {
            let task = TaskId(i as u32);
            let TaskState::Blocked { on, timed } = world.tasks[i].state else {
                return None;
            };
            if timed && !include_timed {
                return None;
            }
            let mut releasers = releasers(cat, world, task, on);
            // Only a lock's holder can be the waiter itself (a mutex taken
            // twice); a task blocked on anything else cannot end its own wait.
            let own = matches!(on, WaitOn::Lock(_));
            releasers.retain(|&t| !world.ended(t) && (own || t != task));
            releasers.sort();
            releasers.dedup();
            Some(Waiter {
                task,
                on,
                releasers,
            })
        })
        .collect()
}

/// Who could end `task`'s wait on `on`, living or not.
fn releasers(cat: &Catalog, world: &World, task: TaskId, on: WaitOn) -> Vec<TaskId> {
    let Some(r) = on.resource() else {
        return match on.task() {
            Some(t) => process_threads(world, t),
            None => Vec::new(),
        };
    };
    let waiting = |want: &dyn Fn(WaitOn) -> bool| -> Vec<TaskId> {
        world
            .waiters(r)
            .iter()
            .filter(|w| want(w.on))
            .map(|w| w.task)
            .collect()
    };
    let Some(prim) = world.prim_of(r) else {
        return Vec::new();
    };
    match (on, prim) {
        (WaitOn::Read(_), PrimState::RwLock(rw)) => match rw.writer {
            Some(w) => vec![w],
            None => {
                let mut v = rw.readers.clone();
                v.extend(waiting(&|o| matches!(o, WaitOn::Lock(_))));
                v
            }
        },
        (WaitOn::Permit(_), PrimState::Semaphore(s)) => {
            let mut v: Vec<TaskId> = s.holders.iter().map(|(t, _)| *t).collect();
            v.extend(&s.releasers);
            v
        }
        (WaitOn::Notify(_), PrimState::Condition(c)) => c.notifiers.clone(),
        (WaitOn::Flag(_), PrimState::Flag(f)) => f.setters.clone(),
        (WaitOn::Barrier(_), PrimState::Barrier(b)) => {
            let now = waiting(&|_| true);
            b.seen
                .iter()
                .copied()
                .filter(|t| !now.contains(t))
                .collect()
        }
        (WaitOn::Put(_), PrimState::Queue(q)) => q.getters.clone(),
        (WaitOn::Get(_), PrimState::Queue(q)) => q.putters.clone(),
        (WaitOn::QueueJoin(_), PrimState::Queue(q)) => {
            let mut v = q.finishers.clone();
            v.extend(&q.getters);
            v
        }
        (WaitOn::PoolJoin(_), PrimState::Pool(p)) => {
            let mut v: Vec<TaskId> = p.workers.iter().flatten().copied().collect();
            v.extend(
                cat.tasks
                    .iter()
                    .enumerate()
                    .filter(|(_, t)| t.pool == Some(r))
                    .map(|(i, _)| TaskId(i as u32)),
            );
            v
        }
        (WaitOn::Loop(_), PrimState::Lock(l)) => {
            let owner = cat.resources.get(r.index()).and_then(|x| x.owner);
            l.holder.or(owner).into_iter().collect()
        }
        (WaitOn::RunLoop(_), _) => {
            let owner = cat.resources.get(r.index()).and_then(|x| x.owner);
            (0..cat.tasks.len())
                .map(|i| TaskId(i as u32))
                .filter(|&t| {
                    t != task && owner.is_some() && cat.tasks[t.index()].event_loop == owner
                })
                .collect()
        }
        // Locks, the GIL, an rwlock's writer side, a pool's free worker: the holders.
        _ => prim.holders(),
    }
}

/// A task, and when it is a process, every thread of that process.
fn process_threads(world: &World, t: TaskId) -> Vec<TaskId> {
    let Some(view) = world.tasks.get(t.index()) else {
        return Vec::new();
    };
    if !view.heads_process {
        return vec![t];
    }
    (0..world.tasks.len())
        .filter(|&i| world.tasks[i].proc == view.proc)
        .map(|i| TaskId(i as u32))
        .collect()
}

/// The wait-for edges: one from each blocked task to each living task that
/// could end its wait. Timed waits are included (views show them);
/// [`wait_chains`] leaves them out of deadlocks.
pub fn wait_edges(cat: &Catalog, world: &World) -> Vec<WaitEdge> {
    waiters(cat, world, true)
        .into_iter()
        .flat_map(|w| {
            w.releasers.into_iter().map(move |held_by| WaitEdge {
                task: w.task,
                waits_for: w.on,
                held_by,
            })
        })
        .collect()
}

/// A chain of waits starting at a task nobody waits for, or a deadlock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitChain {
    /// The edges in order (for a knot: one from each member to each releaser).
    pub edges: Vec<WaitEdge>,
    /// The rule of the deadlock these edges form, if they form one.
    pub deadlock: Option<DeadlockRule>,
}

impl WaitChain {
    /// Whether the chain is (part of) a deadlock.
    pub fn is_deadlock(&self) -> bool {
        self.deadlock.is_some()
    }
}

/// The wait-for graph as chains: the deadlock first (every cycle of it, or
/// its knot), then every maximal chain that ends at a task that is not
/// waiting, following the first releaser of each wait.
pub fn wait_chains(cat: &Catalog, world: &World) -> Vec<WaitChain> {
    let n = world.tasks.len();
    let untimed = waiters(cat, world, false);
    let mut chains = Vec::new();
    let mut in_deadlock = vec![false; n];
    if let Some((rule, edges)) = find_deadlock(&untimed, n) {
        match rule {
            DeadlockRule::Knot => {
                for e in &edges {
                    in_deadlock[e.task.index()] = true;
                }
                chains.push(WaitChain {
                    edges,
                    deadlock: Some(rule),
                });
            }
            DeadlockRule::Cycle => cycles(&untimed, edges, n, &mut in_deadlock, &mut chains),
        }
    }
    let edges = wait_edges(cat, world);
    let out_of = |t: TaskId| edges.iter().filter(move |e| e.task == t);
    let waited_on: Vec<bool> = (0..n)
        .map(|i| edges.iter().any(|e| e.held_by.index() == i))
        .collect();
    let mut started = vec![false; n];
    for e in &edges {
        let i = e.task.index();
        if waited_on[i] || in_deadlock[i] || started[i] {
            continue;
        }
        started[i] = true;
        let mut chain: Vec<WaitEdge> = out_of(e.task).copied().collect();
        let mut seen = vec![e.task];
        let mut at = e.held_by;
        while !in_deadlock[at.index()] && !seen.contains(&at) && seen.len() <= n {
            let next: Vec<WaitEdge> = out_of(at).copied().collect();
            let Some(first) = next.first() else { break };
            seen.push(at);
            at = first.held_by;
            chain.extend(next);
        }
        chains.push(WaitChain {
            edges: chain,
            deadlock: None,
        });
    }
    chains
}

/// Every cycle among single-owner waiters, starting with the one found.
fn cycles(
    untimed: &[Waiter],
    first: Vec<WaitEdge>,
    n: usize,
    in_deadlock: &mut [bool],
    chains: &mut Vec<WaitChain>,
) {
    let edge = |t: TaskId| {
        let w = untimed.iter().find(|w| w.task == t)?;
        (w.releasers.len() == 1).then(|| WaitEdge {
            task: t,
            waits_for: w.on,
            held_by: w.releasers[0],
        })
    };
    let mut push = |cycle: Vec<WaitEdge>, in_deadlock: &mut [bool]| {
        for e in &cycle {
            in_deadlock[e.task.index()] = true;
        }
        chains.push(WaitChain {
            edges: cycle,
            deadlock: Some(DeadlockRule::Cycle),
        });
    };
    push(first, in_deadlock);
    for w in untimed {
        if in_deadlock[w.task.index()] {
            continue;
        }
        if let Some(c) = crate::event::find_cycle(w.task, n, edge) {
            if c.iter().all(|e| !in_deadlock[e.task.index()]) {
                push(c, in_deadlock);
            }
        }
    }
}

/// A chain as text: `t1 -[B]-> t2 -[A]-> t1`. Several edges out of one
/// task read as one step to all its releasers (`c -[permit s]-> a, b`),
/// and the chain goes on from the first of them.
pub fn chain_text(catalog: &Catalog, edges: &[WaitEdge]) -> String {
    let Some(first) = edges.first() else {
        return String::new();
    };
    let mut s = catalog.task_name(first.task).to_string();
    let mut last: Option<TaskId> = None;
    for e in edges {
        if last == Some(e.task) {
            s.push_str(&format!(", {}", catalog.task_name(e.held_by)));
        } else {
            s.push_str(&format!(
                " -[{}]-> {}",
                super::wait_label(catalog, e.waits_for),
                catalog.task_name(e.held_by)
            ));
        }
        last = Some(e.task);
    }
    s
}

/// A knot's edges grouped by waiting task: `c -[s]-> a, b`, one a line.
pub fn knot_lines(catalog: &Catalog, edges: &[WaitEdge]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut last: Option<TaskId> = None;
    for e in edges {
        if last == Some(e.task) {
            if let Some(s) = out.last_mut() {
                s.push_str(&format!(", {}", catalog.task_name(e.held_by)));
            }
        } else {
            out.push(format!(
                "{} -[{}]-> {}",
                catalog.task_name(e.task),
                super::wait_label(catalog, e.waits_for),
                catalog.task_name(e.held_by)
            ));
            last = Some(e.task);
        }
    }
    out
}
