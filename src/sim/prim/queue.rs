//! Queues: bounded or not, FIFO, LIFO or priority; blocking and failing puts
//! and gets with direct hand-over to waiting getters and putters, and
//! `task_done` / `join` accounting.

use std::collections::VecDeque;

use super::{prim_as, PrimKind};
use crate::event::{Event, EventKind, Failure, ResourceId, TaskId, WaitOn};
use crate::scenario::QueueOrder;
use crate::sim::exec::OpEnd;
use crate::sim::Sim;

/// A queue's items, waiters and accounting.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub(in crate::sim) struct QueueRt {
    pub(in crate::sim) items: VecDeque<i64>,
    pub(in crate::sim) getters: VecDeque<TaskId>,
    pub(in crate::sim) putters: VecDeque<(TaskId, i64)>,
    pub(in crate::sim) joiners: Vec<TaskId>,
    pub(in crate::sim) unfinished: u32,
    next_value: i64,
}

impl QueueRt {
    pub(in crate::sim) fn new() -> QueueRt {
        QueueRt {
            next_value: 1,
            ..QueueRt::default()
        }
    }

    pub(in crate::sim) fn forget(&mut self, t: TaskId) {
        self.getters.retain(|&w| w != t);
        self.putters.retain(|&(w, _)| w != t);
        self.joiners.retain(|&w| w != t);
    }
}

impl Sim {
    fn queue_kind(&self, q: u32) -> (u32, QueueOrder) {
        match self.fixed.kinds[q as usize] {
            PrimKind::Queue { capacity, order } => (capacity, order),
            _ => (0, QueueOrder::Fifo),
        }
    }

    pub(in crate::sim) fn put(
        &mut self,
        t: TaskId,
        q: u32,
        value: Option<i64>,
        nowait: bool,
        out: &mut Vec<Event>,
    ) -> OpEnd {
        let queue = ResourceId(q);
        let (capacity, _) = self.queue_kind(q);
        let Some(rt) = prim_as!(self, q, Queue) else {
            return OpEnd::Done;
        };
        let full = capacity > 0 && rt.items.len() >= capacity as usize;
        if full && nowait {
            return OpEnd::Failed(Failure::Full(queue));
        }
        let value = value.unwrap_or_else(|| {
            rt.next_value += 1;
            rt.next_value - 1
        });
        if full {
            rt.putters.push_back((t, value));
            self.block(t, WaitOn::Put(queue), None, out);
            return OpEnd::Blocked;
        }
        self.enqueue(t, q, value, out);
        OpEnd::Done
    }

    /// An item enters queue `q`; a waiting getter receives it at once.
    fn enqueue(&mut self, t: TaskId, q: u32, value: i64, out: &mut Vec<Event>) {
        let queue = ResourceId(q);
        let Some(rt) = prim_as!(self, q, Queue) else {
            return;
        };
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
        let Some(rt) = prim_as!(self, q, Queue) else {
            return;
        };
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

    pub(in crate::sim) fn get(
        &mut self,
        t: TaskId,
        q: u32,
        timeout: Option<u64>,
        nowait: bool,
        out: &mut Vec<Event>,
    ) -> OpEnd {
        let queue = ResourceId(q);
        let Some(rt) = prim_as!(self, q, Queue) else {
            return OpEnd::Done;
        };
        if !rt.items.is_empty() {
            self.dequeue(t, q, out);
            return OpEnd::Done;
        }
        if nowait || timeout == Some(0) {
            return OpEnd::Failed(Failure::Empty(queue));
        }
        rt.getters.push_back(t);
        self.block(t, WaitOn::Get(queue), timeout, out);
        OpEnd::Blocked
    }

    pub(in crate::sim) fn task_done(&mut self, t: TaskId, q: u32, out: &mut Vec<Event>) -> OpEnd {
        let queue = ResourceId(q);
        let Some(rt) = prim_as!(self, q, Queue) else {
            return OpEnd::Done;
        };
        if rt.unfinished == 0 {
            return OpEnd::Failed(Failure::TooManyDone(queue));
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
        OpEnd::Done
    }

    pub(in crate::sim) fn join_queue(&mut self, t: TaskId, q: u32, out: &mut Vec<Event>) -> OpEnd {
        let Some(rt) = prim_as!(self, q, Queue) else {
            return OpEnd::Done;
        };
        if rt.unfinished == 0 {
            return OpEnd::Done;
        }
        rt.joiners.push(t);
        self.block(t, WaitOn::QueueJoin(ResourceId(q)), None, out);
        OpEnd::Blocked
    }
}
