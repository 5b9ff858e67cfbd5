//! Processes and the lives of tasks: `spawn` (a process gets a copy of the
//! spawner's variables), `terminate` (a process takes its threads with it),
//! when a task or a process is over, daemons, and completion.

use super::exec::OpEnd;
use super::Sim;
use crate::event::{Event, EventKind, Failure, TaskId, TaskState};
use crate::scenario::{Start, TaskKind};

impl Sim {
    pub(super) fn spawn(&mut self, t: TaskId, c: TaskId, out: &mut Vec<Event>) -> OpEnd {
        let child = &self.tasks[c.index()];
        if child.spawned || child.state != TaskState::New {
            return OpEnd::Failed(Failure::AlreadyStarted(c));
        }
        if let Some(p) = self.fixed_task(c).pool {
            if self.pool_closed(p) {
                return OpEnd::Failed(Failure::PoolClosed(crate::event::ResourceId(p)));
            }
        }
        self.tasks[c.index()].spawned = true;
        if self.fixed_task(c).kind == TaskKind::Process {
            let from = self.tasks[t.index()].proc as usize;
            let to = self.tasks[c.index()].proc as usize;
            if from != to {
                self.vars[to] = self.vars[from].clone();
            }
        }
        self.emit(out, EventKind::Spawn { task: t, child: c });
        self.make_ready(c, out);
        OpEnd::Done
    }

    /// `terminate`: kills `c` at once; a process with all its threads.
    pub(super) fn kill(&mut self, c: TaskId, out: &mut Vec<Event>) {
        if self.fixed_task(c).kind == TaskKind::Process {
            let p = self.tasks[c.index()].proc;
            let members: Vec<TaskId> = self
                .task_ids()
                .filter(|&x| x != c && self.tasks[x.index()].proc == p && self.alive(x))
                .collect();
            for x in members {
                self.end_task(x, TaskState::Killed, out);
            }
        }
        if self.alive(c) {
            self.end_task(c, TaskState::Killed, out);
        }
    }

    /// Whether `join c` is over: `c` has ended (a process: with all its threads).
    pub(super) fn task_over(&self, c: TaskId) -> bool {
        if self.fixed_task(c).kind != TaskKind::Process {
            return !self.alive(c);
        }
        let p = self.tasks[c.index()].proc;
        self.task_ids()
            .filter(|&x| self.tasks[x.index()].proc == p)
            .all(|x| !self.alive(x) || self.never_started(x))
    }

    /// A task that waits for a `spawn` that has not come.
    pub(super) fn never_started(&self, t: TaskId) -> bool {
        let rt = &self.tasks[t.index()];
        rt.state == TaskState::New && self.fixed_task(t).start == Start::Spawned && !rt.spawned
    }

    /// Whether the run can complete without `t`: daemons, tasks inside a
    /// daemon process, and tasks never spawned.
    fn optional(&self, t: TaskId) -> bool {
        let f = self.fixed_task(t);
        let p = self.tasks[t.index()].proc as usize;
        f.daemon || self.fixed.procs.get(p).is_some_and(|p| p.daemon) || self.never_started(t)
    }

    /// Every task that must end for the run to complete has ended.
    pub(super) fn all_required_ended(&self) -> bool {
        self.task_ids().all(|t| !self.alive(t) || self.optional(t))
    }

    /// Daemons whose process has no non-daemon task left are killed; a
    /// daemon process (and a daemon of `main`) when no required task is
    /// left. Returns whether any was killed.
    pub(super) fn kill_orphan_daemons(&mut self, out: &mut Vec<Event>) -> bool {
        if self.fixed.daemons.is_empty() {
            return false;
        }
        let mut everyone_done = None;
        let doomed: Vec<TaskId> = self
            .fixed
            .daemons
            .iter()
            .copied()
            .filter(|&t| self.alive(t))
            .filter(|&t| {
                let p = self.tasks[t.index()].proc;
                let of_main = p == 0 || self.fixed_task(t).kind == TaskKind::Process;
                if of_main {
                    *everyone_done.get_or_insert_with(|| self.all_required_ended())
                } else {
                    self.process_quiet(p)
                }
            })
            .collect();
        for &t in &doomed {
            if self.alive(t) {
                self.kill(t, out);
            }
        }
        !doomed.is_empty()
    }

    /// No non-daemon task of process `p` is alive.
    fn process_quiet(&self, p: u32) -> bool {
        self.task_ids()
            .filter(|&x| self.tasks[x.index()].proc == p && !self.fixed_task(x).daemon)
            .all(|x| !self.alive(x) || self.never_started(x))
    }
}
