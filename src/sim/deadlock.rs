//! The wait-for graph of the simulator's state: for each task blocked
//! without a timeout, the living tasks that could end its wait (see
//! docs/semantics.md, "Deadlock: cycles and knots"); the rule itself is
//! the event contract's, shared with the analysis of traces.

use std::ops::ControlFlow;

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
    /// The walk stops at the first task that is free; before it, the
    /// count of each list's free actors and a lock's holder show most waits
    /// not stuck in a look or two. After an end, the untimed waits are
    /// looked at once each, by what they wait for, before any candidate.
    pub(super) fn deadlock(
        &self,
        fresh: Vec<TaskId>,
        ended: bool,
    ) -> Option<(DeadlockRule, Vec<WaitEdge>)> {
        let candidates: Vec<TaskId> = if ended {
            // Whether a wait is plainly not stuck depends only on what is
            // waited for (its waiters are not free): when no untimed wait
            // is stuck, no candidate is in a deadlock.
            let nobody = TaskId(u32::MAX);
            if self.indexed()
                && self
                    .untimed
                    .iter()
                    .all(|&(on, _)| self.plainly_unstuck(nobody, on))
            {
                return None;
            }
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
        untimed_wait(self.tasks[t.index()].state)
    }

    /// Whether the indexes of the waits are kept: in a policy run, not in
    /// the explored model (whose states stay as small as they were, and
    /// whose few tasks are quickly looked through).
    pub(super) fn indexed(&self) -> bool {
        !self.fixed.explore
    }

    /// Keeps the indexes of the waits in step with `t`'s change of state
    /// from `old` to `new`: the untimed waits, and the free tasks of each
    /// list of actors.
    pub(super) fn index_waits(&mut self, t: TaskId, old: TaskState, new: TaskState) {
        if !self.indexed() {
            return;
        }
        let (was, is) = (untimed_wait(old), untimed_wait(new));
        if was != is {
            let find = |untimed: &[(WaitOn, u32)], on| {
                untimed.binary_search_by_key(&wait_key(on), |&(w, _)| wait_key(w))
            };
            if let Some(on) = was {
                if let Ok(i) = find(&self.untimed, on) {
                    self.untimed[i].1 -= 1;
                    if self.untimed[i].1 == 0 {
                        self.untimed.remove(i);
                    }
                }
            }
            if let Some(on) = is {
                match find(&self.untimed, on) {
                    Ok(i) => self.untimed[i].1 += 1,
                    Err(i) => self.untimed.insert(i, (on, 1)),
                }
            }
        }
        let (was_free, is_free) = (
            was.is_none() && !old.is_final(),
            is.is_none() && !new.is_final(),
        );
        if was_free != is_free {
            for &l in &self.fixed.acts_in[t.index()] {
                let n = &mut self.free_actors[l as usize];
                if is_free {
                    *n += 1;
                } else {
                    *n -= 1;
                }
            }
        }
    }

    /// Whether a living task that is not in an untimed wait itself could
    /// end `t`'s wait on `on`.
    fn free_releaser(&self, t: TaskId, on: WaitOn) -> bool {
        let free = |r: TaskId| self.alive(r) && self.waits_untimed(r).is_none();
        if let Some(list) = self.actor_list(on) {
            if self.free_actors[list as usize] > 0 {
                return true;
            }
            // No actor is free: only a semaphore's holders are left.
            return match on.resource().and_then(|r| self.prims.get(r.index())) {
                Some(Prim::Semaphore(s)) => s.holders.iter().any(|&(h, _)| free(h)),
                _ => false,
            };
        }
        self.plainly_freed(on)
            || self
                .each_releaser(t, on, &mut |r| {
                    if free(r) {
                        ControlFlow::Break(())
                    } else {
                        ControlFlow::Continue(())
                    }
                })
                .is_break()
    }

    /// Whether `t`'s wait on `on` has a free releaser, or a releaser whose
    /// own wait plainly has one: then the walk from `t` would meet a free
    /// task.
    fn plainly_unstuck(&self, t: TaskId, on: WaitOn) -> bool {
        self.free_releaser(t, on)
            || self
                .each_releaser(t, on, &mut |r| match self.waits_untimed(r) {
                    Some(wait) if self.plainly_freed(wait) => ControlFlow::Break(()),
                    _ => ControlFlow::Continue(()),
                })
                .is_break()
    }

    /// Whether a wait on `on` has a free releaser that a look or two finds:
    /// a free actor, or a lock's free holder. (Its waiters are not free,
    /// so that releaser is another task.)
    fn plainly_freed(&self, on: WaitOn) -> bool {
        if let Some(list) = self.actor_list(on) {
            if self.free_actors[list as usize] > 0 {
                return true;
            }
        }
        let free = |h: TaskId| self.alive(h) && self.waits_untimed(h).is_none();
        match (on, on.resource().and_then(|r| self.prims.get(r.index()))) {
            (WaitOn::Lock(_), Some(Prim::Lock(l))) => l.holder.is_some_and(free),
            _ => false,
        }
    }

    /// The number of the list of actors among whom are all the releasers
    /// of a wait on `on`, or some of them (a semaphore's holders are not
    /// listed), if there is one (as [`Sim::each_resource_releaser`] says)
    /// and the indexes are kept.
    fn actor_list(&self, on: WaitOn) -> Option<u32> {
        if !self.indexed() {
            return None;
        }
        let r = on.resource()?.0;
        let act = match (self.prims.get(r as usize)?, on) {
            (Prim::Semaphore(_), _) => Act::Release,
            (Prim::Condition(_), _) => Act::Notify,
            (Prim::Flag(_), _) => Act::Set,
            (Prim::Queue(_), WaitOn::Put(_)) => Act::Get,
            (Prim::Queue(_), WaitOn::QueueJoin(_)) => Act::TaskDone,
            (Prim::Queue(_), _) => Act::Put,
            _ => return None,
        };
        self.fixed.actors.get(&(r, act)).map(|(list, _)| *list)
    }

    /// The closure of `start` under "could be freed by", if all of it is stuck.
    fn closed_knot(&self, start: TaskId) -> Option<Vec<Waiter>> {
        let on = self.waits_untimed(start)?;
        // Most waits are found not stuck without listing the closure (a
        // wait with no living releaser ends the walk below at once).
        if self.plainly_unstuck(start, on) {
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
        let mut who = Vec::new();
        let _ = self.each_releaser(t, on, &mut |x| {
            if self.alive(x) {
                who.push(x);
            }
            ControlFlow::Continue(())
        });
        who.sort();
        who.dedup();
        who
    }

    /// Calls `f` on each task that could end `t`'s wait on `on`, living or
    /// not, some perhaps twice, until `f` breaks.
    fn each_releaser(
        &self,
        t: TaskId,
        on: WaitOn,
        f: &mut impl FnMut(TaskId) -> ControlFlow<()>,
    ) -> ControlFlow<()> {
        match on {
            WaitOn::Task(x) | WaitOn::Await(x) => self.each_ender(x, f),
            WaitOn::AwaitSleep | WaitOn::Gil(_) => ControlFlow::Continue(()),
            other => match other.resource() {
                Some(r) => self.each_resource_releaser(t, r.0, on, f),
                None => ControlFlow::Continue(()),
            },
        }
    }

    /// Each task that must end for `join x` to return.
    fn each_ender(
        &self,
        x: TaskId,
        f: &mut impl FnMut(TaskId) -> ControlFlow<()>,
    ) -> ControlFlow<()> {
        if self.fixed_task(x).kind != crate::scenario::TaskKind::Process {
            return f(x);
        }
        let p = self.tasks[x.index()].proc;
        self.task_ids()
            .filter(|&y| self.tasks[y.index()].proc == p)
            .try_for_each(f)
    }

    /// The tasks other than `t` whose scripts can do `act` on `r`: a
    /// blocked task cannot end its own wait.
    fn actors(&self, t: TaskId, r: u32, act: Act) -> impl Iterator<Item = TaskId> + '_ {
        self.fixed
            .actors
            .get(&(r, act))
            .map_or(&[][..], |(_, who)| who.as_slice())
            .iter()
            .copied()
            .filter(move |&x| x != t)
    }

    /// Each task that could end `t`'s wait on resource `r`.
    fn each_resource_releaser(
        &self,
        t: TaskId,
        r: u32,
        on: WaitOn,
        f: &mut impl FnMut(TaskId) -> ControlFlow<()>,
    ) -> ControlFlow<()> {
        let Some(prim) = self.prims.get(r as usize) else {
            return ControlFlow::Continue(());
        };
        match (prim, on) {
            (Prim::Lock(l), _) => l.holder.into_iter().try_for_each(f),
            (Prim::RwLock(l), WaitOn::Read(_)) => l
                .writer
                .into_iter()
                .chain(l.waiters.iter().filter(|&&(_, w)| w).map(|&(x, _)| x))
                .chain(l.readers.iter().copied())
                .try_for_each(f),
            (Prim::RwLock(l), _) => l
                .writer
                .into_iter()
                .chain(l.readers.iter().copied())
                .try_for_each(f),
            (Prim::Semaphore(s), _) => self
                .actors(t, r, Act::Release)
                .chain(s.holders.iter().map(|&(h, _)| h))
                .try_for_each(f),
            (Prim::Condition(_), _) => self.actors(t, r, Act::Notify).try_for_each(f),
            (Prim::Flag(_), _) => self.actors(t, r, Act::Set).try_for_each(f),
            (Prim::Barrier(b), _) => self
                .actors(t, r, Act::Arrive)
                .filter(|x| !b.waiting.contains(x))
                .try_for_each(f),
            (Prim::Queue(_), WaitOn::Put(_)) => self.actors(t, r, Act::Get).try_for_each(f),
            (Prim::Queue(_), WaitOn::QueueJoin(_)) => {
                self.actors(t, r, Act::TaskDone).try_for_each(f)
            }
            (Prim::Queue(_), _) => self.actors(t, r, Act::Put).try_for_each(f),
            (Prim::Pool(p), WaitOn::Worker(_)) => {
                p.workers.iter().flatten().copied().try_for_each(f)
            }
            (Prim::Pool(_), _) => self
                .jobs(r)
                .filter(|&j| !self.never_started(j))
                .try_for_each(f),
            (Prim::Token(k), WaitOn::RunLoop(_)) => self
                .task_ids()
                .filter(|&c| self.fixed_task(c).event_loop == Some(r))
                .filter(|&c| !self.never_started(c))
                .chain(k.holder)
                .try_for_each(f),
            (Prim::Token(k), _) => match (k.holder, self.fixed.kinds[r as usize]) {
                (Some(h), _) => f(h),
                (None, PrimKind::Loop { thread }) if !k.open => f(thread),
                _ => ControlFlow::Continue(()),
            },
        }
    }
}

/// A wait that may be part of a deadlock: untimed, and not for a GIL.
pub(super) fn untimed_wait(state: TaskState) -> Option<WaitOn> {
    match state {
        TaskState::Blocked { on, timed: false } if !matches!(on, WaitOn::Gil(_)) => Some(on),
        _ => None,
    }
}

/// An order of the waits: their kind and what they wait for.
pub(super) fn wait_key(on: WaitOn) -> (u8, u32) {
    match on {
        WaitOn::Lock(r) => (0, r.0),
        WaitOn::Read(r) => (1, r.0),
        WaitOn::Permit(r) => (2, r.0),
        WaitOn::Notify(r) => (3, r.0),
        WaitOn::Flag(r) => (4, r.0),
        WaitOn::Barrier(r) => (5, r.0),
        WaitOn::Put(r) => (6, r.0),
        WaitOn::Get(r) => (7, r.0),
        WaitOn::QueueJoin(r) => (8, r.0),
        WaitOn::Worker(r) => (9, r.0),
        WaitOn::PoolJoin(r) => (10, r.0),
        WaitOn::Gil(r) => (11, r.0),
        WaitOn::Loop(r) => (12, r.0),
        WaitOn::RunLoop(r) => (13, r.0),
        WaitOn::Task(t) => (14, t.0),
        WaitOn::Await(t) => (15, t.0),
        WaitOn::AwaitSleep => (16, 0),
    }
}
