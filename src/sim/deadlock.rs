//! The wait-for graph of the simulator's state: for each task blocked
//! without a timeout, the living tasks that could end its wait (see
//! docs/semantics.md, "Deadlock: cycles and knots"); the rule itself is
//! the event contract's, shared with the analysis of traces.

use super::prim::{Prim, PrimKind};
use super::{Act, Sim};
use crate::event::{find_deadlock, DeadlockRule, TaskId, TaskState, WaitEdge, WaitOn, Waiter};

impl Sim {
    /// A deadlock that has closed at this boundary, if any. `fresh` are the
    /// tasks that began an untimed wait here; when a task ended, every
    /// blocked task is a candidate.
    ///
    /// A task is in a deadlock exactly when every task reachable from it
    /// through "could be freed by" is blocked without a timeout and has
    /// someone who could free it: that closure is then a knot (or a cycle).
    /// The walk stops at the first task that is free, so a wait with a
    /// running releaser costs one look.
    pub(super) fn deadlock(
        &self,
        fresh: Vec<TaskId>,
        ended: bool,
    ) -> Option<(DeadlockRule, Vec<WaitEdge>)> {
        let candidates: Vec<TaskId> = if ended {
            self.task_ids()
                .filter(|&t| self.waits_untimed(t).is_some())
                .collect()
        } else {
            fresh
        };
        candidates
            .into_iter()
            .find_map(|t| self.closed_knot(t))
            .and_then(|knot| find_deadlock(&knot, self.tasks.len()))
    }

    /// The untimed wait of `t` that may be part of a deadlock, if any.
    fn waits_untimed(&self, t: TaskId) -> Option<WaitOn> {
        match self.tasks[t.index()].state {
            TaskState::Blocked { on, timed: false } if !matches!(on, WaitOn::Gil(_)) => Some(on),
            _ => None,
        }
    }

    /// The closure of `start` under "could be freed by", if all of it is stuck.
    fn closed_knot(&self, start: TaskId) -> Option<Vec<Waiter>> {
        let on = self.waits_untimed(start)?;
        let first = self.releasers(start, on);
        if first.is_empty() || first.iter().any(|&r| self.waits_untimed(r).is_none()) {
            return None;
        }
        let mut seen = vec![false; self.tasks.len()];
        let mut stack = vec![start];
        let mut knot = Vec::new();
        seen[start.index()] = true;
        while let Some(t) = stack.pop() {
            let on = self.waits_untimed(t)?;
            let releasers = self.releasers(t, on);
            if releasers.is_empty() {
                return None;
            }
            for &r in &releasers {
                if !seen[r.index()] {
                    self.waits_untimed(r)?;
                    seen[r.index()] = true;
                    stack.push(r);
                }
            }
            knot.push(Waiter {
                task: t,
                on,
                releasers,
            });
        }
        Some(knot)
    }

    /// The living tasks that could end `t`'s wait on `on`.
    fn releasers(&self, t: TaskId, on: WaitOn) -> Vec<TaskId> {
        let mut who: Vec<TaskId> = match on {
            WaitOn::Task(x) | WaitOn::Await(x) => self.enders(x),
            WaitOn::AwaitSleep | WaitOn::Gil(_) => Vec::new(),
            other => match other.resource() {
                Some(r) => self.resource_releasers(t, r.0, on),
                None => Vec::new(),
            },
        };
        who.retain(|&x| self.alive(x));
        who.sort();
        who.dedup();
        who
    }

    /// The tasks that must end for `join x` to return.
    fn enders(&self, x: TaskId) -> Vec<TaskId> {
        if self.fixed_task(x).kind != crate::scenario::TaskKind::Process {
            return vec![x];
        }
        let p = self.tasks[x.index()].proc;
        self.task_ids()
            .filter(|&y| self.tasks[y.index()].proc == p)
            .collect()
    }

    /// The tasks other than `t` whose scripts can do `act` on `r`: a
    /// blocked task cannot end its own wait.
    fn actors(&self, t: TaskId, r: u32, act: Act) -> Vec<TaskId> {
        let mut v = self
            .fixed
            .actors
            .get(&(r, act))
            .cloned()
            .unwrap_or_default();
        v.retain(|&x| x != t);
        v
    }

    fn resource_releasers(&self, t: TaskId, r: u32, on: WaitOn) -> Vec<TaskId> {
        let Some(prim) = self.prims.get(r as usize) else {
            return Vec::new();
        };
        match (prim, on) {
            (Prim::Lock(l), _) => l.holder.into_iter().collect(),
            (Prim::RwLock(l), WaitOn::Read(_)) => {
                let mut v: Vec<TaskId> = l.writer.into_iter().collect();
                v.extend(l.waiters.iter().filter(|&&(_, w)| w).map(|&(x, _)| x));
                v.extend(l.readers.iter().copied());
                v
            }
            (Prim::RwLock(l), _) => l
                .writer
                .into_iter()
                .chain(l.readers.iter().copied())
                .collect(),
            (Prim::Semaphore(s), _) => {
                let mut v = self.actors(t, r, Act::Release);
                v.extend(s.holders.iter().map(|&(h, _)| h));
                v
            }
            (Prim::Condition(_), _) => self.actors(t, r, Act::Notify),
            (Prim::Flag(_), _) => self.actors(t, r, Act::Set),
            (Prim::Barrier(b), _) => {
                let mut v = self.actors(t, r, Act::Arrive);
                v.retain(|x| !b.waiting.contains(x));
                v
            }
            (Prim::Queue(_), WaitOn::Put(_)) => self.actors(t, r, Act::Get),
            (Prim::Queue(_), WaitOn::QueueJoin(_)) => self.actors(t, r, Act::TaskDone),
            (Prim::Queue(_), _) => self.actors(t, r, Act::Put),
            (Prim::Pool(p), WaitOn::Worker(_)) => p.workers.iter().flatten().copied().collect(),
            (Prim::Pool(_), _) => self.jobs(r).filter(|&j| !self.never_started(j)).collect(),
            (Prim::Token(k), WaitOn::RunLoop(_)) => self
                .task_ids()
                .filter(|&c| self.fixed_task(c).event_loop == Some(r))
                .filter(|&c| !self.never_started(c))
                .chain(k.holder)
                .collect(),
            (Prim::Token(k), _) => match (k.holder, self.fixed.kinds[r as usize]) {
                (Some(h), _) => vec![h],
                (None, PrimKind::Loop { thread }) if !k.open => vec![thread],
                _ => Vec::new(),
            },
        }
    }
}
