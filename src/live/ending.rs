//! How tasks end in a live run: done, failed or terminated; what their end
//! wakes (joiners, a pool's or a loop's join), the daemons it leaves
//! without a reason to live, and the run's own end once every task that
//! counts has ended.

use super::board::{Board, Grant, Guard};
use crate::event::{Outcome, TaskId, TaskState, WaitOn};
use crate::scenario::TaskKind;

impl Board {
    /// Ends `t` for good: it leaves its CPU, its GIL, its loop, its pool
    /// worker and every line; the locks it holds stay held.
    pub fn end_task(&self, g: &mut Guard<'_>, t: TaskId, state: TaskState) {
        if !g.alive(t) {
            return;
        }
        self.leave(g, t);
        if let Some(l) = self.loop_of(t) {
            self.give_token(g, t, l);
        }
        for r in g.res.iter_mut() {
            r.forget(t);
        }
        g.ready.retain(|&r| r != t);
        g.relock[t.index()] = None;
        if matches!(state, TaskState::Failed { .. }) {
            g.failed = true;
        }
        g.set_state(t, state);
        self.free_worker(g, t);
        self.wake_enders(g);
        self.end_daemons(g);
        let p = g.tasks[t.index()].proc;
        if p != 0 && self.process_over(g, p) {
            self.workers.finish(p);
        }
        if self.all_ended(g) {
            let outcome = if g.failed {
                Outcome::Failed
            } else {
                Outcome::Completed
            };
            return g.finish(outcome);
        }
        self.stuck_check(g);
    }

    /// `terminate c`: `c` (for a process, every task in it, and the process
    /// itself) ends at once, killed.
    pub fn kill(&self, g: &mut Guard<'_>, c: TaskId) {
        if !g.alive(c) {
            return;
        }
        let victims: Vec<TaskId> = if self.fixed[c.index()].kind == TaskKind::Process {
            let p = g.tasks[c.index()].proc;
            self.workers.kill(p);
            self.ids(g)
                .filter(|&x| g.tasks[x.index()].proc == p)
                .collect()
        } else {
            vec![c]
        };
        for x in victims {
            g.tasks[x.index()].killed = true;
            self.end_task(g, x, TaskState::Killed);
            self.wake[x.index()].notify_all();
        }
    }

    fn ids(&self, g: &Guard<'_>) -> impl Iterator<Item = TaskId> {
        (0..g.tasks.len()).map(|i| TaskId(i as u32))
    }

    /// Wakes the tasks whose wait ended with a task's end.
    fn wake_enders(&self, g: &mut Guard<'_>) {
        let waiting: Vec<(TaskId, WaitOn)> = self
            .ids(g)
            .filter_map(|j| match g.tasks[j.index()].state {
                TaskState::Blocked { on, .. } => Some((j, on)),
                _ => None,
            })
            .collect();
        for (j, on) in waiting {
            let over = match on {
                WaitOn::Task(x) | WaitOn::Await(x) => self.task_over(g, x),
                WaitOn::PoolJoin(p) => self.pool_done(g, p.0),
                WaitOn::RunLoop(_) => self.loop_done(g, j),
                _ => false,
            };
            if over && g.tasks[j.index()].grant.is_none() {
                g.grant(j, Grant::Done);
            }
        }
    }

    /// Kills the daemons of every process whose other tasks have all ended.
    fn end_daemons(&self, g: &mut Guard<'_>) {
        let daemons: Vec<TaskId> = self
            .ids(g)
            .filter(|&d| self.fixed[d.index()].daemon && g.alive(d) && !self.never_started(g, d))
            .filter(|&d| {
                let p = g.tasks[d.index()].proc;
                self.ids(g)
                    .filter(|&x| g.tasks[x.index()].proc == p && !self.fixed[x.index()].daemon)
                    .all(|x| !g.alive(x) || self.never_started(g, x))
            })
            .collect();
        for d in daemons {
            g.tasks[d.index()].killed = true;
            self.end_task(g, d, TaskState::Killed);
            self.wake[d.index()].notify_all();
        }
    }

    /// Whether every task of process `p` has ended.
    fn process_over(&self, g: &Guard<'_>, p: u32) -> bool {
        self.ids(g)
            .filter(|&x| g.tasks[x.index()].proc == p)
            .all(|x| !g.alive(x) || self.never_started(g, x))
    }

    /// Whether every task the run waits for has ended: all but daemons,
    /// the tasks of daemon processes and tasks nobody spawned.
    fn all_ended(&self, g: &Guard<'_>) -> bool {
        self.ids(g)
            .all(|t| !g.alive(t) || self.never_started(g, t) || self.optional(g, t))
    }

    fn optional(&self, g: &Guard<'_>, t: TaskId) -> bool {
        if self.fixed[t.index()].daemon {
            return true;
        }
        let p = g.tasks[t.index()].proc as usize;
        self.catalog
            .processes
            .get(p)
            .and_then(|info| info.task)
            .is_some_and(|pt| self.fixed[pt.index()].daemon)
    }
}
