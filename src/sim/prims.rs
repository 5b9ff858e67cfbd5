//! Locks and queues: acquire and release with FIFO hand-over and re-entry
//! counts; bounded queues with blocking and failing puts and gets, direct
//! hand-over to waiting getters, and `task_done` / `join` accounting.

use super::exec::Step;
use super::{Prim, PrimKind, QueueRt, Sim};
use crate::event::{Event, EventKind, Failure, ResourceId, TaskId, WaitOn};
use crate::scenario::QueueOrder;

impl Sim {
    /// The task holding lock `r`, if any.
    pub(super) fn lock_holder(&self, r: ResourceId) -> Option<TaskId> {
        match &self.prims[r.index()] {
            Prim::Lock(l) => l.holder,
            Prim::Queue(_) => None,
        }
    }

    pub(super) fn acquire(
        &mut self,
        t: TaskId,
        r: u32,
        timeout: Option<u64>,
        out: &mut Vec<Event>,
    ) -> Step {
        let lock = ResourceId(r);
        let reentrant = matches!(
            self.fixed.kinds[r as usize],
            PrimKind::Lock { reentrant: true }
        );
        let Prim::Lock(l) = &mut self.prims[r as usize] else {
            return Step::Done;
        };
        match l.holder {
            None => {
                l.holder = Some(t);
                l.depth = 1;
            }
            Some(h) if h == t && reentrant => l.depth += 1,
            Some(_) if timeout == Some(0) => return Step::Failed(Failure::Timeout(lock)),
            Some(_) => {
                l.waiters.push_back(t);
                self.emit(out, EventKind::LockWait { task: t, lock });
                self.block(t, WaitOn::Lock(lock), timeout, out);
                return Step::Blocked;
            }
        }
        let depth = l.depth;
        self.emit(
            out,
            EventKind::LockAcquire {
                task: t,
                lock,
                depth,
            },
        );
        Step::Done
    }

    pub(super) fn release(&mut self, t: TaskId, r: u32, out: &mut Vec<Event>) -> Step {
        let lock = ResourceId(r);
        let Prim::Lock(l) = &mut self.prims[r as usize] else {
            return Step::Done;
        };
        if l.holder != Some(t) {
            return Step::Failed(Failure::NotHeld(lock));
        }
        l.depth -= 1;
        let depth = l.depth;
        let next = if depth == 0 {
            l.holder = l.waiters.pop_front();
            l.depth = u32::from(l.holder.is_some());
            l.holder
        } else {
            None
        };
        self.emit(
            out,
            EventKind::LockRelease {
                task: t,
                lock,
                depth,
            },
        );
        if let Some(w) = next {
            self.emit(
                out,
                EventKind::LockAcquire {
                    task: w,
                    lock,
                    depth: 1,
                },
            );
            self.wake_done(w, out);
        }
        Step::Done
    }

    fn queue(&mut self, q: u32) -> Option<&mut QueueRt> {
        match &mut self.prims[q as usize] {
            Prim::Queue(rt) => Some(rt),
            Prim::Lock(_) => None,
        }
    }

    fn queue_kind(&self, q: u32) -> (u32, QueueOrder) {
        match self.fixed.kinds[q as usize] {
            PrimKind::Queue { capacity, order } => (capacity, order),
            PrimKind::Lock { .. } => (0, QueueOrder::Fifo),
        }
    }

    pub(super) fn put(
        &mut self,
        t: TaskId,
        q: u32,
        value: Option<i64>,
        nowait: bool,
        out: &mut Vec<Event>,
    ) -> Step {
        let queue = ResourceId(q);
        let (capacity, _) = self.queue_kind(q);
        let Some(rt) = self.queue(q) else {
            return Step::Done;
        };
        let full = capacity > 0 && rt.items.len() >= capacity as usize;
        if full && nowait {
            return Step::Failed(Failure::Full(queue));
        }
        let value = value.unwrap_or_else(|| {
            rt.next_value += 1;
            rt.next_value - 1
        });
        if full {
            rt.putters.push_back((t, value));
            self.block(t, WaitOn::Put(queue), None, out);
            return Step::Blocked;
        }
        self.enqueue(t, q, value, out);
        Step::Done
    }

    /// An item enters queue `q`; a waiting getter receives it at once.
    fn enqueue(&mut self, t: TaskId, q: u32, value: i64, out: &mut Vec<Event>) {
        let queue = ResourceId(q);
        let Some(rt) = self.queue(q) else { return };
        rt.items.push_back(value);
        rt.unfinished += 1;
        let len = rt.items.len() as u32;
        let getter = rt.getters.pop_front();
        self.emit(
            out,
            EventKind::QueuePut {
                task: t,
                queue,
                value,
                len,
            },
        );
        if let Some(g) = getter {
            self.dequeue(g, q, out);
            self.wake_done(g, out);
        }
    }

    /// Task `t` takes the next item of queue `q` (which has one); a blocked
    /// putter's item enters in its place.
    fn dequeue(&mut self, t: TaskId, q: u32, out: &mut Vec<Event>) {
        let queue = ResourceId(q);
        let (_, order) = self.queue_kind(q);
        let Some(rt) = self.queue(q) else { return };
        let value = match order {
            QueueOrder::Fifo => rt.items.pop_front(),
            QueueOrder::Lifo => rt.items.pop_back(),
            QueueOrder::Priority => {
                let min = (0..rt.items.len()).min_by_key(|&i| (rt.items[i], i));
                min.and_then(|i| rt.items.remove(i))
            }
        };
        let Some(value) = value else { return };
        let len = rt.items.len() as u32;
        let putter = rt.putters.pop_front();
        self.tasks[t.index()].last = value;
        self.emit(
            out,
            EventKind::QueueGet {
                task: t,
                queue,
                value,
                len,
            },
        );
        if let Some((p, item)) = putter {
            self.enqueue(p, q, item, out);
            self.wake_done(p, out);
        }
    }

    pub(super) fn get(
        &mut self,
        t: TaskId,
        q: u32,
        timeout: Option<u64>,
        nowait: bool,
        out: &mut Vec<Event>,
    ) -> Step {
        let queue = ResourceId(q);
        let Some(rt) = self.queue(q) else {
            return Step::Done;
        };
        if !rt.items.is_empty() {
            self.dequeue(t, q, out);
            return Step::Done;
        }
        if nowait || timeout == Some(0) {
            return Step::Failed(Failure::Empty(queue));
        }
        rt.getters.push_back(t);
        self.block(t, WaitOn::Get(queue), timeout, out);
        Step::Blocked
    }

    pub(super) fn task_done(&mut self, t: TaskId, q: u32, out: &mut Vec<Event>) -> Step {
        let queue = ResourceId(q);
        let Some(rt) = self.queue(q) else {
            return Step::Done;
        };
        if rt.unfinished == 0 {
            return Step::Failed(Failure::TooManyDone(queue));
        }
        rt.unfinished -= 1;
        let unfinished = rt.unfinished;
        let joiners = if unfinished == 0 {
            std::mem::take(&mut rt.joiners)
        } else {
            Vec::new()
        };
        self.emit(
            out,
            EventKind::QueueDone {
                task: t,
                queue,
                unfinished,
            },
        );
        for j in joiners {
            self.wake_done(j, out);
        }
        Step::Done
    }

    pub(super) fn join_queue(&mut self, t: TaskId, q: u32, out: &mut Vec<Event>) -> Step {
        let Some(rt) = self.queue(q) else {
            return Step::Done;
        };
        if rt.unfinished == 0 {
            return Step::Done;
        }
        rt.joiners.push(t);
        self.block(t, WaitOn::QueueJoin(ResourceId(q)), None, out);
        Step::Blocked
    }

    /// Removes `t` from every wait list (a timeout, a kill).
    pub(super) fn forget_waiter(&mut self, t: TaskId) {
        for p in &mut self.prims {
            match p {
                Prim::Lock(l) => l.waiters.retain(|&w| w != t),
                Prim::Queue(rt) => {
                    rt.getters.retain(|&w| w != t);
                    rt.putters.retain(|&(w, _)| w != t);
                    rt.joiners.retain(|&w| w != t);
                }
            }
        }
    }
}
