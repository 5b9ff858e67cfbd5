//! Queues: bounded or not, FIFO, LIFO or priority, with direct hand-over
//! to waiting getters and from waiting putters, and `task_done` / `join`.

use super::super::board::{Grant, State};
use super::{OpEnd, Res};
use crate::event::{EventKind, Failure, ResourceId, TaskId, WaitOn};
use crate::scenario::QueueOrder;

impl State {
    pub fn put(&mut self, t: TaskId, q: u32, value: Option<i64>, timeout: Option<u64>) -> OpEnd {
        let queue = ResourceId(q);
        let Res::Queue {
            capacity,
            items,
            putters,
            next,
            ..
        } = &mut self.res[q as usize]
        else {
            return OpEnd::Done;
        };
        let full = *capacity > 0 && items.len() >= *capacity as usize;
        if full && timeout == Some(0) {
            return OpEnd::Failed(Failure::Full(queue));
        }
        let value = value.unwrap_or_else(|| {
            *next += 1;
            *next - 1
        });
        if full {
            putters.push_back((t, value));
            return OpEnd::Wait(WaitOn::Put(queue));
        }
        self.enqueue(t, q, value);
        OpEnd::Done
    }

    fn enqueue(&mut self, t: TaskId, q: u32, value: i64) {
        let Res::Queue {
            items,
            getters,
            unfinished,
            ..
        } = &mut self.res[q as usize]
        else {
            return;
        };
        items.push_back(value);
        *unfinished += 1;
        let len = items.len() as u32;
        let getter = getters.pop_front();
        self.emit(EventKind::QueuePut {
            task: t,
            queue: ResourceId(q),
            value,
            len,
        });
        if let Some(g) = getter {
            self.dequeue(g, q);
            self.grant(g, Grant::Done);
        }
    }

    fn dequeue(&mut self, t: TaskId, q: u32) {
        let Res::Queue {
            order,
            items,
            putters,
            ..
        } = &mut self.res[q as usize]
        else {
            return;
        };
        let value = match order {
            QueueOrder::Fifo => items.pop_front(),
            QueueOrder::Lifo => items.pop_back(),
            QueueOrder::Priority => {
                let min = (0..items.len()).min_by_key(|&i| (items[i], i));
                min.and_then(|i| items.remove(i))
            }
        };
        let Some(value) = value else { return };
        let len = items.len() as u32;
        let putter = putters.pop_front();
        self.tasks[t.index()].last = value;
        self.emit(EventKind::QueueGet {
            task: t,
            queue: ResourceId(q),
            value,
            len,
        });
        if let Some((p, item)) = putter {
            self.enqueue(p, q, item);
            self.grant(p, Grant::Done);
        }
    }

    /// `get Q [timeout N]` / `get_nowait Q`.
    pub fn get(&mut self, t: TaskId, q: u32, timeout: Option<u64>, nowait: bool) -> OpEnd {
        let queue = ResourceId(q);
        let Res::Queue { items, getters, .. } = &mut self.res[q as usize] else {
            return OpEnd::Done;
        };
        if !items.is_empty() {
            self.dequeue(t, q);
            return OpEnd::Done;
        }
        if nowait || timeout == Some(0) {
            return OpEnd::Failed(Failure::Empty(queue));
        }
        getters.push_back(t);
        OpEnd::Wait(WaitOn::Get(queue))
    }

    /// `task_done Q`.
    pub fn task_done(&mut self, t: TaskId, q: u32) -> OpEnd {
        let queue = ResourceId(q);
        let Res::Queue {
            unfinished,
            joiners,
            ..
        } = &mut self.res[q as usize]
        else {
            return OpEnd::Done;
        };
        if *unfinished == 0 {
            return OpEnd::Failed(Failure::TooManyDone(queue));
        }
        *unfinished -= 1;
        let left = *unfinished;
        let woken = if left == 0 {
            std::mem::take(joiners)
        } else {
            Vec::new()
        };
        self.emit(EventKind::QueueDone {
            task: t,
            queue,
            unfinished: left,
        });
        for j in woken {
            self.grant(j, Grant::Done);
        }
        OpEnd::Done
    }

    /// `join Q`.
    pub fn join_queue(&mut self, t: TaskId, q: u32) -> OpEnd {
        let Res::Queue {
            unfinished,
            joiners,
            ..
        } = &mut self.res[q as usize]
        else {
            return OpEnd::Done;
        };
        if *unfinished == 0 {
            return OpEnd::Done;
        }
        joiners.push(t);
        OpEnd::Wait(WaitOn::QueueJoin(ResourceId(q)))
    }
}
