//! The resources of a live run, with the simulator's rules: locks and
//! rlocks hand over in FIFO order, rwlocks by their preference, semaphores
//! FIFO (bounded ones refuse an over-release), a condition's waiter queues
//! for its lock again after a notify, an event wakes every waiter, the
//! last of a barrier's parties lets all pass and a timeout breaks it, a
//! queue hands items straight to waiting getters and takes them from
//! waiting putters, and tokens (a GIL, a loop's turn) go to the longest
//! waiter.
//!
//! Each operation runs under the board's lock and says whether it is done,
//! must wait, or failed; the waiter's thread then parks (see `board`).

use std::collections::VecDeque;

use super::board::{Grant, State};
use crate::event::{Catalog, EventKind, Failure, ResourceId, TaskId, WaitOn};
use crate::scenario::{QueueOrder, ResourceKind, RwPrefer, Scenario};

/// How an operation ended for the task that ran it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum OpEnd {
    Done,
    /// The task must wait on this (it is in the resource's line already).
    Wait(WaitOn),
    Failed(Failure),
}

/// A condition's waiter on its way back to the lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Relock {
    pub cond: u32,
    pub lock: u32,
    pub depth: u32,
    pub timed_out: bool,
}

/// One resource's state.
#[derive(Debug)]
pub(super) enum Res {
    Lock {
        reentrant: bool,
        holder: Option<TaskId>,
        depth: u32,
        waiters: VecDeque<TaskId>,
    },
    Rw {
        prefer: RwPrefer,
        writer: Option<TaskId>,
        readers: Vec<TaskId>,
        waiters: VecDeque<(TaskId, bool)>,
    },
    Sem {
        start: u32,
        bounded: bool,
        left: u32,
        holders: Vec<(TaskId, u32)>,
        waiters: VecDeque<TaskId>,
    },
    Cond {
        lock: u32,
        waiters: VecDeque<TaskId>,
    },
    Flag {
        set: bool,
        waiters: Vec<TaskId>,
    },
    Barrier {
        parties: u32,
        waiting: Vec<TaskId>,
        broken: bool,
    },
    Queue {
        capacity: u32,
        order: QueueOrder,
        items: VecDeque<i64>,
        getters: VecDeque<TaskId>,
        putters: VecDeque<(TaskId, i64)>,
        joiners: Vec<TaskId>,
        unfinished: u32,
        next: i64,
    },
    Pool {
        workers: Vec<Option<TaskId>>,
        waiters: VecDeque<TaskId>,
        closed: bool,
    },
    /// A GIL or a loop's turn: one holder, FIFO waiters; a loop is open
    /// once its thread reaches `run_loop`.
    Token {
        holder: Option<TaskId>,
        waiters: VecDeque<TaskId>,
        open: bool,
    },
}

impl Res {
    /// The states of a run's resources, by the catalog's ids.
    pub fn all(scenario: &Scenario, catalog: &Catalog) -> Vec<Res> {
        catalog
            .resources
            .iter()
            .enumerate()
            .map(
                |(i, info)| match scenario.resources.get(i).map(|r| &r.kind) {
                    Some(kind) => Res::of(kind),
                    None => Res::Token {
                        holder: None,
                        waiters: VecDeque::new(),
                        open: info.kind != "loop",
                    },
                },
            )
            .collect()
    }

    fn of(kind: &ResourceKind) -> Res {
        match *kind {
            ResourceKind::Mutex | ResourceKind::RLock => Res::Lock {
                reentrant: matches!(kind, ResourceKind::RLock),
                holder: None,
                depth: 0,
                waiters: VecDeque::new(),
            },
            ResourceKind::RwLock { prefer } => Res::Rw {
                prefer,
                writer: None,
                readers: Vec::new(),
                waiters: VecDeque::new(),
            },
            ResourceKind::Semaphore { permits, bounded } => Res::Sem {
                start: permits,
                bounded,
                left: permits,
                holders: Vec::new(),
                waiters: VecDeque::new(),
            },
            ResourceKind::Condition { lock } => Res::Cond {
                lock: lock as u32,
                waiters: VecDeque::new(),
            },
            ResourceKind::Event { set } => Res::Flag {
                set,
                waiters: Vec::new(),
            },
            ResourceKind::Barrier { parties } => Res::Barrier {
                parties: parties.max(1),
                waiting: Vec::new(),
                broken: false,
            },
            ResourceKind::Queue { capacity, order } => Res::Queue {
                capacity,
                order,
                items: VecDeque::new(),
                getters: VecDeque::new(),
                putters: VecDeque::new(),
                joiners: Vec::new(),
                unfinished: 0,
                next: 1,
            },
            ResourceKind::Pool { workers, .. } => Res::Pool {
                workers: vec![None; workers.max(1) as usize],
                waiters: VecDeque::new(),
                closed: false,
            },
        }
    }

    /// Takes `t` off every wait line of this resource.
    pub fn forget(&mut self, t: TaskId) {
        match self {
            Res::Lock { waiters, .. } | Res::Sem { waiters, .. } | Res::Cond { waiters, .. } => {
                waiters.retain(|&w| w != t)
            }
            Res::Token { waiters, .. } | Res::Pool { waiters, .. } => waiters.retain(|&w| w != t),
            Res::Rw { waiters, .. } => waiters.retain(|&(w, _)| w != t),
            Res::Flag { waiters, .. } => waiters.retain(|&w| w != t),
            Res::Barrier { waiting, .. } => waiting.retain(|&w| w != t),
            Res::Queue {
                getters,
                putters,
                joiners,
                ..
            } => {
                getters.retain(|&w| w != t);
                putters.retain(|&(w, _)| w != t);
                joiners.retain(|&w| w != t);
            }
        }
    }

    /// The lock's holder (a mutex or an rlock).
    pub fn holder(&self) -> Option<TaskId> {
        match self {
            Res::Lock { holder, .. } | Res::Token { holder, .. } => *holder,
            _ => None,
        }
    }

    pub fn free_worker(&self) -> Option<u32> {
        match self {
            Res::Pool { workers, .. } => workers.iter().position(Option::is_none).map(|k| k as u32),
            _ => Some(0),
        }
    }

    pub fn queue_job(&mut self, t: TaskId) {
        if let Res::Pool { waiters, .. } = self {
            if !waiters.contains(&t) {
                waiters.push_back(t);
            }
        }
    }

    pub fn next_job(&mut self) -> Option<TaskId> {
        match self {
            Res::Pool { waiters, .. } => waiters.pop_front(),
            _ => None,
        }
    }

    pub fn set_worker(&mut self, k: u32, t: Option<TaskId>) {
        if let Res::Pool { workers, .. } = self {
            if let Some(w) = workers.get_mut(k as usize) {
                *w = t;
            }
        }
    }

    pub fn token_free_for(&self, t: TaskId) -> bool {
        match self {
            Res::Token {
                holder,
                waiters,
                open,
            } => *open && (holder.is_none() && waiters.is_empty() || *holder == Some(t)),
            _ => true,
        }
    }

    pub fn token_take(&mut self, t: TaskId) {
        if let Res::Token { holder, .. } = self {
            *holder = Some(t);
        }
    }

    pub fn token_queue(&mut self, t: TaskId) {
        if let Res::Token { waiters, .. } = self {
            if !waiters.contains(&t) {
                waiters.push_back(t);
            }
        }
    }

    /// `t` gives the token back: whether it held it.
    pub fn token_give(&mut self, t: TaskId) -> bool {
        match self {
            Res::Token { holder, .. } if *holder == Some(t) => {
                *holder = None;
                true
            }
            _ => false,
        }
    }

    /// The first waiter takes the free token.
    pub fn token_next(&mut self) -> Option<TaskId> {
        match self {
            Res::Token {
                holder: holder @ None,
                waiters,
                open: true,
            } => {
                let w = waiters.pop_front()?;
                *holder = Some(w);
                Some(w)
            }
            _ => None,
        }
    }

    pub fn token_has_waiters(&self) -> bool {
        matches!(self, Res::Token { waiters, .. } if !waiters.is_empty())
    }
}

impl State {
    /// `acquire X`: a mutex, an rlock, an rwlock for writing, a semaphore.
    pub fn acquire(&mut self, t: TaskId, r: u32, timeout: Option<u64>) -> OpEnd {
        let lock = ResourceId(r);
        match &mut self.res[r as usize] {
            Res::Rw { .. } => self.rw_acquire(t, r, true, timeout),
            Res::Sem {
                left,
                holders,
                waiters,
                ..
            } => {
                if *left > 0 && waiters.is_empty() {
                    *left -= 1;
                    count(holders, t, 1);
                    let left = *left;
                    self.emit(EventKind::PermitAcquire {
                        task: t,
                        sem: lock,
                        left,
                    });
                    return OpEnd::Done;
                }
                if timeout == Some(0) {
                    return OpEnd::Failed(Failure::Timeout(lock));
                }
                waiters.push_back(t);
                OpEnd::Wait(WaitOn::Permit(lock))
            }
            Res::Lock {
                reentrant,
                holder,
                depth,
                waiters,
            } => {
                match *holder {
                    None => {
                        *holder = Some(t);
                        *depth = 1;
                    }
                    Some(h) if h == t && *reentrant => *depth += 1,
                    Some(_) if timeout == Some(0) => return OpEnd::Failed(Failure::Timeout(lock)),
                    Some(_) => {
                        waiters.push_back(t);
                        self.emit(EventKind::LockWait { task: t, lock });
                        return OpEnd::Wait(WaitOn::Lock(lock));
                    }
                }
                let depth = *depth;
                self.emit(EventKind::LockAcquire {
                    task: t,
                    lock,
                    depth,
                });
                OpEnd::Done
            }
            _ => OpEnd::Done,
        }
    }

    /// `release X`.
    pub fn release(&mut self, t: TaskId, r: u32) -> OpEnd {
        let lock = ResourceId(r);
        match &mut self.res[r as usize] {
            Res::Rw { .. } => self.rw_release(t, r, true),
            Res::Sem {
                start,
                bounded,
                left,
                holders,
                waiters,
            } => {
                if *bounded && *left >= *start {
                    return OpEnd::Failed(Failure::TooManyReleases(lock));
                }
                count(holders, t, -1);
                *left = left.saturating_add(1);
                let next = waiters.pop_front();
                if let Some(w) = next {
                    *left -= 1;
                    count(holders, w, 1);
                }
                let after = *left;
                let released = after + u32::from(next.is_some());
                self.emit(EventKind::PermitRelease {
                    task: t,
                    sem: lock,
                    left: released,
                });
                if let Some(w) = next {
                    self.emit(EventKind::PermitAcquire {
                        task: w,
                        sem: lock,
                        left: after,
                    });
                    self.grant(w, Grant::Done);
                }
                OpEnd::Done
            }
            Res::Lock { holder, depth, .. } => {
                if *holder != Some(t) {
                    return OpEnd::Failed(Failure::NotHeld(lock));
                }
                *depth -= 1;
                let d = *depth;
                if d == 0 {
                    *holder = None;
                }
                self.emit(EventKind::LockRelease {
                    task: t,
                    lock,
                    depth: d,
                });
                if d == 0 {
                    self.hand_over_lock(r);
                }
                OpEnd::Done
            }
            _ => OpEnd::Done,
        }
    }

    /// A free lock goes to its first waiter (with its re-entry depth, for a
    /// condition's waiter coming back).
    fn hand_over_lock(&mut self, r: u32) {
        let Res::Lock {
            holder: holder @ None,
            depth,
            waiters,
            ..
        } = &mut self.res[r as usize]
        else {
            return;
        };
        let Some(w) = waiters.pop_front() else { return };
        let relock = self.relock[w.index()].take();
        *holder = Some(w);
        *depth = relock.map_or(1, |k| k.depth.max(1));
        let d = *depth;
        self.emit(EventKind::LockAcquire {
            task: w,
            lock: ResourceId(r),
            depth: d,
        });
        match relock {
            Some(k) if k.timed_out => {
                self.grant(w, Grant::Fail(Failure::Timeout(ResourceId(k.cond))))
            }
            _ => self.grant(w, Grant::Done),
        }
    }

    /// `acquire_read` (`write` false) or `acquire` (true) of an rwlock.
    pub fn rw_acquire(&mut self, t: TaskId, r: u32, write: bool, timeout: Option<u64>) -> OpEnd {
        let lock = ResourceId(r);
        let Res::Rw {
            prefer,
            writer,
            readers,
            waiters,
        } = &mut self.res[r as usize]
        else {
            return OpEnd::Done;
        };
        let may = if write {
            writer.is_none() && readers.is_empty() && waiters.is_empty()
        } else {
            writer.is_none()
                && match prefer {
                    RwPrefer::Fair => waiters.is_empty(),
                    RwPrefer::Reader => true,
                    RwPrefer::Writer => !waiters.iter().any(|&(_, w)| w),
                }
        };
        if may {
            if write {
                *writer = Some(t);
            } else {
                readers.push(t);
            }
            let n = readers.len() as u32;
            self.emit(rw_grant(t, lock, write, n));
            return OpEnd::Done;
        }
        if timeout == Some(0) {
            return OpEnd::Failed(Failure::Timeout(lock));
        }
        waiters.push_back((t, write));
        self.emit(EventKind::LockWait { task: t, lock });
        OpEnd::Wait(if write {
            WaitOn::Lock(lock)
        } else {
            WaitOn::Read(lock)
        })
    }

    /// `release_read` (`write` false) or `release` (true) of an rwlock.
    pub fn rw_release(&mut self, t: TaskId, r: u32, write: bool) -> OpEnd {
        let lock = ResourceId(r);
        let Res::Rw {
            prefer,
            writer,
            readers,
            waiters,
        } = &mut self.res[r as usize]
        else {
            return OpEnd::Done;
        };
        if write {
            if *writer != Some(t) {
                return OpEnd::Failed(Failure::NotHeld(lock));
            }
            *writer = None;
        } else {
            let Some(i) = readers.iter().position(|&x| x == t) else {
                return OpEnd::Failed(Failure::NotHeld(lock));
            };
            readers.remove(i);
        }
        let before = readers.len() as u32;
        let mut granted: Vec<(TaskId, bool)> = Vec::new();
        let mut admit = |writer: &mut Option<TaskId>, readers: &mut Vec<TaskId>, t, w| {
            if w {
                *writer = Some(t);
            } else {
                readers.push(t);
            }
            granted.push((t, w));
        };
        match prefer {
            RwPrefer::Fair => {
                while let Some(&(w, wr)) = waiters.front() {
                    let ok = writer.is_none() && (!wr || readers.is_empty());
                    if !ok {
                        break;
                    }
                    waiters.pop_front();
                    admit(writer, readers, w, wr);
                    if wr {
                        break;
                    }
                }
            }
            RwPrefer::Reader | RwPrefer::Writer => {
                let writer_waits = waiters.iter().any(|&(_, w)| w);
                let readers_now = *prefer == RwPrefer::Reader || !writer_waits;
                if readers_now && writer.is_none() {
                    let (rs, rest): (VecDeque<_>, VecDeque<_>) =
                        waiters.drain(..).partition(|&(_, w)| !w);
                    *waiters = rest;
                    for (w, _) in rs {
                        admit(writer, readers, w, false);
                    }
                }
                if writer.is_none() && readers.is_empty() {
                    if let Some(i) = waiters.iter().position(|&(_, w)| w) {
                        if let Some((w, _)) = waiters.remove(i) {
                            admit(writer, readers, w, true);
                        }
                    }
                }
            }
        }
        self.emit(if write {
            EventKind::LockRelease {
                task: t,
                lock,
                depth: 0,
            }
        } else {
            EventKind::ReadRelease {
                task: t,
                lock,
                readers: before,
            }
        });
        let mut n = before;
        for (w, wr) in granted {
            if !wr {
                n += 1;
            }
            self.emit(rw_grant(w, lock, wr, n));
            self.grant(w, Grant::Done);
        }
        OpEnd::Done
    }

    /// `wait C` on a condition: lets its lock go completely and waits.
    pub fn cond_wait(&mut self, t: TaskId, c: u32) -> OpEnd {
        let Res::Cond { lock, .. } = self.res[c as usize] else {
            return OpEnd::Done;
        };
        let Res::Lock { holder, depth, .. } = &mut self.res[lock as usize] else {
            return OpEnd::Failed(Failure::Unacquired(ResourceId(c)));
        };
        if *holder != Some(t) {
            return OpEnd::Failed(Failure::Unacquired(ResourceId(c)));
        }
        let d = *depth;
        *holder = None;
        *depth = 0;
        self.emit(EventKind::LockRelease {
            task: t,
            lock: ResourceId(lock),
            depth: 0,
        });
        self.hand_over_lock(lock);
        self.relock[t.index()] = Some(Relock {
            cond: c,
            lock,
            depth: d,
            timed_out: false,
        });
        if let Res::Cond { waiters, .. } = &mut self.res[c as usize] {
            waiters.push_back(t);
        }
        OpEnd::Wait(WaitOn::Notify(ResourceId(c)))
    }

    /// `notify C [N]` / `notify_all C`.
    pub fn notify(&mut self, t: TaskId, c: u32, n: Option<u32>) -> OpEnd {
        let Res::Cond { lock, .. } = self.res[c as usize] else {
            return OpEnd::Done;
        };
        if self.res[lock as usize].holder() != Some(t) {
            return OpEnd::Failed(Failure::Unacquired(ResourceId(c)));
        }
        let Res::Cond { waiters, .. } = &mut self.res[c as usize] else {
            return OpEnd::Done;
        };
        let take = n.map_or(waiters.len(), |n| (n as usize).min(waiters.len()));
        let woken: Vec<TaskId> = waiters.drain(..take).collect();
        self.emit(EventKind::Notify {
            task: t,
            cond: ResourceId(c),
            woken: woken.len() as u32,
        });
        for w in woken {
            self.back_to_lock(w, false);
        }
        OpEnd::Done
    }

    /// A condition's waiter (notified, or timed out) queues for its lock;
    /// it keeps waiting, now on the lock, unless the lock is free.
    pub fn back_to_lock(&mut self, w: TaskId, timed_out: bool) {
        let Some(mut k) = self.relock[w.index()].take() else {
            return;
        };
        k.timed_out = timed_out;
        let lock = ResourceId(k.lock);
        let Res::Lock {
            holder,
            depth,
            waiters,
            ..
        } = &mut self.res[k.lock as usize]
        else {
            return;
        };
        if holder.is_none() && waiters.is_empty() {
            *holder = Some(w);
            *depth = k.depth.max(1);
            let d = *depth;
            self.emit(EventKind::LockAcquire {
                task: w,
                lock,
                depth: d,
            });
            let g = if timed_out {
                Grant::Fail(Failure::Timeout(ResourceId(k.cond)))
            } else {
                Grant::Done
            };
            return self.grant(w, g);
        }
        waiters.push_back(w);
        self.relock[w.index()] = Some(k);
        self.emit(EventKind::LockWait { task: w, lock });
        self.set_state(
            w,
            crate::event::TaskState::Blocked {
                on: WaitOn::Lock(lock),
                timed: false,
            },
        );
    }

    /// `wait E` on an event.
    pub fn flag_wait(&mut self, t: TaskId, e: u32, timeout: Option<u64>) -> OpEnd {
        let Res::Flag { set, waiters } = &mut self.res[e as usize] else {
            return OpEnd::Done;
        };
        if *set {
            return OpEnd::Done;
        }
        if timeout == Some(0) {
            return OpEnd::Failed(Failure::Timeout(ResourceId(e)));
        }
        waiters.push(t);
        OpEnd::Wait(WaitOn::Flag(ResourceId(e)))
    }

    /// `set E` (true) or `clear E` (false).
    pub fn flag_set(&mut self, t: TaskId, e: u32, on: bool) -> OpEnd {
        let Res::Flag { set, waiters } = &mut self.res[e as usize] else {
            return OpEnd::Done;
        };
        *set = on;
        let woken = if on {
            std::mem::take(waiters)
        } else {
            Vec::new()
        };
        self.emit(if on {
            EventKind::FlagSet {
                task: t,
                event: ResourceId(e),
            }
        } else {
            EventKind::FlagClear {
                task: t,
                event: ResourceId(e),
            }
        });
        for w in woken {
            self.grant(w, Grant::Done);
        }
        OpEnd::Done
    }

    /// `wait B` on a barrier.
    pub fn barrier_wait(&mut self, t: TaskId, b: u32, timeout: Option<u64>) -> OpEnd {
        let barrier = ResourceId(b);
        let Res::Barrier {
            parties,
            waiting,
            broken,
        } = &mut self.res[b as usize]
        else {
            return OpEnd::Done;
        };
        if *broken {
            return OpEnd::Failed(Failure::BrokenBarrier(barrier));
        }
        let arrived = waiting.len() as u32 + 1;
        let all = arrived >= *parties;
        let others = if all {
            std::mem::take(waiting)
        } else {
            Vec::new()
        };
        self.emit(EventKind::BarrierWait {
            task: t,
            barrier,
            arrived,
        });
        if all {
            for w in others {
                self.grant(w, Grant::Done);
            }
            return OpEnd::Done;
        }
        if timeout == Some(0) {
            return self.break_barrier(t, b);
        }
        if let Res::Barrier { waiting, .. } = &mut self.res[b as usize] {
            waiting.push(t);
        }
        OpEnd::Wait(WaitOn::Barrier(barrier))
    }

    /// A wait on the barrier timed out: it breaks, and every waiter fails.
    pub fn break_barrier(&mut self, t: TaskId, b: u32) -> OpEnd {
        let barrier = ResourceId(b);
        let waiting = match &mut self.res[b as usize] {
            Res::Barrier {
                waiting, broken, ..
            } => {
                *broken = true;
                std::mem::take(waiting)
            }
            _ => Vec::new(),
        };
        self.emit(EventKind::BarrierBroken { task: t, barrier });
        for w in waiting.into_iter().filter(|&w| w != t) {
            self.grant(w, Grant::Fail(Failure::BrokenBarrier(barrier)));
        }
        OpEnd::Failed(Failure::BrokenBarrier(barrier))
    }

    /// `put Q [VALUE]`; a `timeout` of 0 is `put_nowait`.
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

/// The event of an rwlock's grant.
fn rw_grant(t: TaskId, lock: ResourceId, write: bool, readers: u32) -> EventKind {
    if write {
        EventKind::LockAcquire {
            task: t,
            lock,
            depth: 1,
        }
    } else {
        EventKind::ReadAcquire {
            task: t,
            lock,
            readers,
        }
    }
}

/// Counts a semaphore's permit in (`by` 1) or out (-1) of `t`'s hands.
fn count(holders: &mut Vec<(TaskId, u32)>, t: TaskId, by: i32) {
    match holders.iter().position(|(h, _)| *h == t) {
        Some(i) if by > 0 => holders[i].1 += 1,
        Some(i) => {
            holders[i].1 -= 1;
            if holders[i].1 == 0 {
                holders.remove(i);
            }
        }
        None if by > 0 => holders.push((t, 1)),
        None => {}
    }
}
