//! Tokens one task holds at a time that weft adds itself: each process's
//! GIL and each thread's event loop. The GIL is handed to its longest waiter
//! when the holder blocks, sleeps or ends, and after `switch_interval`
//! ticks of holding it while another thread waits; a loop is held by the
//! coroutine that runs on it until that coroutine awaits or ends.

use std::collections::VecDeque;

use super::{prim_as, PrimKind};
use crate::event::{Event, EventKind, Failure, ResourceId, TaskId, TaskState, WaitOn};
use crate::scenario::Start;
use crate::sim::exec::OpEnd;
use crate::sim::Sim;

/// A GIL or a loop: its holder and waiters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub(in crate::sim) struct TokenRt {
    pub(in crate::sim) holder: Option<TaskId>,
    pub(in crate::sim) waiters: VecDeque<TaskId>,
    /// GIL: ticks held while another thread waits.
    pub(in crate::sim) held: u64,
    /// Loop: its thread is in `run_loop`.
    pub(in crate::sim) open: bool,
}

impl Sim {
    /// The GIL `t` needs to run, if the machine has one.
    pub(in crate::sim) fn gil_of(&self, t: TaskId) -> Option<u32> {
        let p = self.tasks[t.index()].proc as usize;
        self.fixed.procs.get(p).and_then(|p| p.gil)
    }

    /// `t` takes token `r` if it is free (or already its own); else it
    /// queues for it.
    pub(in crate::sim) fn take_token(&mut self, t: TaskId, r: u32, out: &mut Vec<Event>) -> bool {
        let lock = ResourceId(r);
        let Some(k) = prim_as!(self, r, Token) else {
            return true;
        };
        if k.holder == Some(t) {
            return true;
        }
        let open = k.open || matches!(self.fixed.kinds[r as usize], PrimKind::Gil);
        let Some(k) = prim_as!(self, r, Token) else {
            return true;
        };
        let first = k.waiters.front().is_none_or(|&w| w == t);
        if open && k.holder.is_none() && first {
            k.waiters.retain(|&w| w != t);
            k.holder = Some(t);
            k.held = 0;
            self.emit(
                out,
                EventKind::LockAcquire {
                    task: t,
                    lock,
                    depth: 1,
                },
            );
            return true;
        }
        if !k.waiters.contains(&t) {
            k.waiters.push_back(t);
            if k.holder.is_some() {
                self.emit(out, EventKind::LockWait { task: t, lock });
            }
        }
        false
    }

    /// `t` gives token `r` up; its first waiter takes it and moves on.
    pub(in crate::sim) fn drop_token(&mut self, t: TaskId, r: u32, out: &mut Vec<Event>) {
        let Some(k) = prim_as!(self, r, Token) else {
            return;
        };
        if k.holder != Some(t) {
            return;
        }
        k.holder = None;
        k.held = 0;
        self.emit(
            out,
            EventKind::LockRelease {
                task: t,
                lock: ResourceId(r),
                depth: 0,
            },
        );
        self.hand_over_token(r, out);
    }

    /// A free token goes to its first waiter (a loop only while it runs).
    fn hand_over_token(&mut self, r: u32, out: &mut Vec<Event>) {
        let gil = matches!(self.fixed.kinds[r as usize], PrimKind::Gil);
        let Some(k) = prim_as!(self, r, Token) else {
            return;
        };
        if k.holder.is_some() || !(gil || k.open) {
            return;
        }
        let Some(w) = k.waiters.pop_front() else {
            return;
        };
        k.holder = Some(w);
        k.held = 0;
        self.emit(
            out,
            EventKind::LockAcquire {
                task: w,
                lock: ResourceId(r),
                depth: 1,
            },
        );
        if self.alive(w) {
            self.make_ready(w, out);
        }
    }

    /// `t` gives up its GIL, if it holds one.
    pub(in crate::sim) fn drop_gil(&mut self, t: TaskId, out: &mut Vec<Event>) {
        if let Some(g) = self.gil_of(t) {
            self.drop_token(t, g, out);
        }
    }

    /// `yield` (Python's `time.sleep(0)`) lets a waiting thread have the GIL.
    pub(in crate::sim) fn yield_gil(&mut self, t: TaskId, out: &mut Vec<Event>) {
        let Some(g) = self.gil_of(t) else { return };
        let waited = matches!(self.prims.get(g as usize),
            Some(super::Prim::Token(k)) if k.holder == Some(t) && !k.waiters.is_empty());
        if waited {
            self.drop_token(t, g, out);
        }
    }

    /// A coroutine gives up its loop, if it holds it.
    pub(in crate::sim) fn drop_loop(&mut self, t: TaskId, out: &mut Vec<Event>) {
        if let Some(l) = self.fixed_task(t).event_loop {
            self.drop_token(t, l, out);
        }
    }

    /// GIL holders that have held it for `switch_interval` ticks while
    /// another thread waited hand it to the longest waiter and wait at the back.
    pub(in crate::sim) fn switch_gils(&mut self, out: &mut Vec<Event>) {
        let interval = self.fixed.switch_interval;
        for r in 0..self.prims.len() as u32 {
            let due = match self.prims.get(r as usize) {
                Some(super::Prim::Token(k))
                    if matches!(self.fixed.kinds[r as usize], PrimKind::Gil)
                        && !k.waiters.is_empty()
                        && k.held >= interval =>
                {
                    k.holder
                }
                _ => None,
            };
            let Some(h) = due else { continue };
            self.drop_token(h, r, out);
            self.off_cpu(h);
            self.unready(h);
            if let Some(k) = prim_as!(self, r, Token) {
                k.waiters.push_back(h);
            }
            self.emit(
                out,
                EventKind::LockWait {
                    task: h,
                    lock: ResourceId(r),
                },
            );
            let on = WaitOn::Gil(ResourceId(r));
            self.set_state(h, TaskState::Blocked { on, timed: false }, out);
        }
    }

    /// Ticks until the next forced GIL hand-over, if one is due.
    pub(in crate::sim) fn next_gil_switch(&self) -> Option<u64> {
        let interval = self.fixed.switch_interval;
        self.prims
            .iter()
            .zip(&self.fixed.kinds)
            .filter_map(|(p, k)| match (p, k) {
                (super::Prim::Token(t), PrimKind::Gil)
                    if t.holder.is_some() && !t.waiters.is_empty() =>
                {
                    Some(interval.saturating_sub(t.held).max(1))
                }
                _ => None,
            })
            .min()
    }

    /// Time passes for the GILs with waiters.
    pub(in crate::sim) fn age_gils(&mut self, d: u64) {
        for (p, k) in self.prims.iter_mut().zip(&self.fixed.kinds) {
            if let (super::Prim::Token(t), PrimKind::Gil) = (p, k) {
                if t.holder.is_some() && !t.waiters.is_empty() {
                    t.held = t.held.saturating_add(d);
                }
            }
        }
    }

    /// `await sleep N`: the coroutine gives up its loop for N ticks.
    pub(in crate::sim) fn await_sleep(&mut self, t: TaskId, n: u64, out: &mut Vec<Event>) -> OpEnd {
        self.drop_loop(t, out);
        if n == 0 {
            self.tasks[t.index()].pc += 1;
            self.tasks[t.index()].yielded = Some(self.tick);
            self.leave(t, out);
            self.make_ready(t, out);
            return OpEnd::Blocked;
        }
        self.block(t, WaitOn::AwaitSleep, Some(n), out);
        OpEnd::Blocked
    }

    /// `await T`: the coroutine gives up its loop until T ends.
    pub(in crate::sim) fn await_task(
        &mut self,
        t: TaskId,
        c: TaskId,
        out: &mut Vec<Event>,
    ) -> OpEnd {
        if c == t {
            return OpEnd::Failed(Failure::JoinSelf);
        }
        if self.task_over(c) {
            return OpEnd::Done;
        }
        self.drop_loop(t, out);
        self.block(t, WaitOn::Await(c), None, out);
        OpEnd::Blocked
    }

    /// The loop of thread `t`, if it has coroutines.
    fn loop_of(&self, t: TaskId) -> Option<u32> {
        self.fixed
            .kinds
            .iter()
            .position(|k| matches!(k, PrimKind::Loop { thread } if *thread == t))
            .map(|i| i as u32)
    }

    /// `run_loop`: the thread runs its coroutines until they have all ended.
    pub(in crate::sim) fn run_loop(&mut self, t: TaskId, out: &mut Vec<Event>) -> OpEnd {
        let Some(l) = self.loop_of(t) else {
            return OpEnd::Done;
        };
        if self.loop_done(l) {
            return OpEnd::Done;
        }
        if let Some(k) = prim_as!(self, l, Token) {
            k.open = true;
        }
        self.block(t, WaitOn::RunLoop(ResourceId(l)), None, out);
        self.hand_over_token(l, out);
        OpEnd::Blocked
    }

    /// Every coroutine of loop `l` has ended (ones never spawned do not count).
    pub(in crate::sim) fn loop_done(&self, l: u32) -> bool {
        self.task_ids()
            .filter(|&c| self.fixed_task(c).event_loop == Some(l))
            .all(|c| {
                let rt = &self.tasks[c.index()];
                rt.state.is_final()
                    || (rt.state == TaskState::New
                        && self.fixed_task(c).start == Start::Spawned
                        && !rt.spawned)
            })
    }

    /// `run_loop` returned: the loop runs no coroutine until it runs again.
    pub(in crate::sim) fn close_loop(&mut self, l: u32) {
        if let Some(k) = prim_as!(self, l, Token) {
            k.open = false;
        }
    }
}
