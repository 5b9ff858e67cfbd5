//! The watchdog of a live run: after every untimed wait and every task's
//! end, the board's waits are folded into the wait-for graph with the
//! simulator's rules (who could still end each wait) and the rule of the
//! event contract finds a cycle or a knot; when nothing can run again and
//! there is no deadlock, the run is stalled. Either ends the run at once.

use std::collections::BTreeMap;

use super::board::{Board, Guard, State, TaskFixed};
use super::prim::Res;
use crate::event::{
    find_deadlock, EventKind, Outcome, StuckTask, TaskId, TaskState, WaitOn, Waiter,
};
use crate::scenario::program::Act;
use crate::scenario::{Start, TaskKind};

/// Which tasks' scripts can do what to each resource.
pub(super) fn actors(tasks: &[TaskFixed]) -> BTreeMap<(u32, Act), Vec<TaskId>> {
    crate::scenario::program::actors(tasks.iter().map(|t| &t.program))
        .into_iter()
        .map(|(key, who)| (key, who.into_iter().map(TaskId).collect()))
        .collect()
}

impl Board {
    /// Ends the run when a deadlock has closed or nothing can run again.
    pub fn stuck_check(&self, g: &mut Guard<'_>) {
        if g.over() {
            return;
        }
        let n = g.tasks.len();
        let waiters: Vec<Waiter> = (0..n)
            .map(|i| TaskId(i as u32))
            .filter_map(|t| {
                let on = waits_untimed(g, t)?;
                Some(Waiter {
                    task: t,
                    on,
                    releasers: self.releasers(g, t, on),
                })
            })
            .collect();
        if let Some((rule, cycle)) = find_deadlock(&waiters, n) {
            g.emit(EventKind::Deadlock {
                rule,
                cycle: cycle.into_boxed_slice(),
            });
            return g.finish(Outcome::Deadlock);
        }
        let moving = (0..n)
            .map(|i| TaskId(i as u32))
            .any(|t| g.alive(t) && !self.never_started(g, t) && waits_untimed(g, t).is_none());
        if !moving && !waiters.is_empty() {
            let stuck: Vec<StuckTask> = waiters
                .iter()
                .map(|w| StuckTask {
                    task: w.task,
                    waits_for: w.on,
                })
                .collect();
            g.emit(EventKind::Stall {
                stuck: stuck.into_boxed_slice(),
            });
            g.finish(Outcome::Stalled);
        }
    }

    /// A task declared `start = "spawned"` that nobody has spawned.
    pub fn never_started(&self, g: &State, t: TaskId) -> bool {
        let rt = &g.tasks[t.index()];
        rt.state == TaskState::New && self.fixed[t.index()].start == Start::Spawned && !rt.spawned
    }

    /// Whether `join x` would return: `x` has ended (for a process, every
    /// task in it).
    pub fn task_over(&self, g: &State, x: TaskId) -> bool {
        if self.fixed[x.index()].kind != TaskKind::Process {
            return !g.alive(x);
        }
        let p = g.tasks[x.index()].proc;
        (0..g.tasks.len())
            .map(|i| TaskId(i as u32))
            .filter(|&y| g.tasks[y.index()].proc == p)
            .all(|y| !g.alive(y) || self.never_started(g, y))
    }

    /// Whether every job of pool `p` has ended (or will never start).
    pub fn pool_done(&self, g: &State, p: u32) -> bool {
        (0..g.tasks.len())
            .map(|i| TaskId(i as u32))
            .filter(|&j| self.fixed[j.index()].pool == Some(p))
            .all(|j| !g.alive(j) || self.never_started(g, j))
    }

    /// Whether every coroutine of loop thread `l` has ended.
    pub fn loop_done(&self, g: &State, l: TaskId) -> bool {
        (0..g.tasks.len())
            .map(|i| TaskId(i as u32))
            .filter(|&c| self.fixed[c.index()].event_loop == Some(l.0))
            .all(|c| !g.alive(c) || self.never_started(g, c))
    }

    /// The living tasks that could end `t`'s wait on `on`.
    fn releasers(&self, g: &State, t: TaskId, on: WaitOn) -> Vec<TaskId> {
        let actors = |r: u32, act: Act| -> Vec<TaskId> {
            let mut v = self.actors.get(&(r, act)).cloned().unwrap_or_default();
            v.retain(|&x| x != t);
            v
        };
        let all = (0..g.tasks.len()).map(|i| TaskId(i as u32));
        let mut who: Vec<TaskId> = match on {
            WaitOn::Task(x) | WaitOn::Await(x) => {
                if self.fixed[x.index()].kind == TaskKind::Process {
                    let p = g.tasks[x.index()].proc;
                    all.filter(|&y| g.tasks[y.index()].proc == p).collect()
                } else {
                    vec![x]
                }
            }
            WaitOn::AwaitSleep | WaitOn::Gil(_) => Vec::new(),
            other => {
                let Some(r) = other.resource() else {
                    return Vec::new();
                };
                let r = r.0;
                match (&g.res[r as usize], on) {
                    (Res::Lock { holder, .. }, _) => holder.iter().copied().collect(),
                    (
                        Res::Rw {
                            writer,
                            readers,
                            waiters,
                            ..
                        },
                        WaitOn::Read(_),
                    ) => {
                        let mut v: Vec<TaskId> = writer.iter().copied().collect();
                        v.extend(waiters.iter().filter(|&&(_, w)| w).map(|&(x, _)| x));
                        v.extend(readers.iter().copied());
                        v
                    }
                    (
                        Res::Rw {
                            writer, readers, ..
                        },
                        _,
                    ) => writer.iter().chain(readers.iter()).copied().collect(),
                    (Res::Sem { holders, .. }, _) => {
                        let mut v = actors(r, Act::Release);
                        v.extend(holders.iter().map(|&(h, _)| h));
                        v
                    }
                    (Res::Cond { .. }, _) => actors(r, Act::Notify),
                    (Res::Flag { .. }, _) => actors(r, Act::Set),
                    (Res::Barrier { waiting, .. }, _) => {
                        let mut v = actors(r, Act::Arrive);
                        v.retain(|x| !waiting.contains(x));
                        v
                    }
                    (Res::Queue { .. }, WaitOn::Put(_)) => actors(r, Act::Get),
                    (Res::Queue { .. }, WaitOn::QueueJoin(_)) => actors(r, Act::TaskDone),
                    (Res::Queue { .. }, _) => actors(r, Act::Put),
                    (Res::Pool { workers, .. }, WaitOn::Worker(_)) => {
                        workers.iter().flatten().copied().collect()
                    }
                    (Res::Pool { .. }, _) => all
                        .filter(|&j| self.fixed[j.index()].pool == Some(r))
                        .filter(|&j| !self.never_started(g, j))
                        .collect(),
                    (Res::Token { holder, .. }, WaitOn::RunLoop(_)) => all
                        .filter(|&c| self.loop_of(c) == Some(r))
                        .filter(|&c| !self.never_started(g, c))
                        .chain(*holder)
                        .collect(),
                    (Res::Token { holder, open, .. }, _) => match (holder, open) {
                        (Some(h), _) => vec![*h],
                        (None, false) => self.catalog.resources[r as usize]
                            .owner
                            .into_iter()
                            .collect(),
                        _ => Vec::new(),
                    },
                }
            }
        };
        who.retain(|&x| g.alive(x));
        who.sort();
        who.dedup();
        who
    }
}

/// The untimed wait of `t` that may be part of a deadlock, if any: a task
/// already handed what it waited for is on its way, whatever its state says
/// until its thread has woken.
fn waits_untimed(g: &State, t: TaskId) -> Option<WaitOn> {
    if g.tasks[t.index()].grant.is_some() {
        return None;
    }
    match g.tasks[t.index()].state {
        TaskState::Blocked { on, timed: false } if !matches!(on, WaitOn::Gil(_)) => Some(on),
        _ => None,
    }
}
