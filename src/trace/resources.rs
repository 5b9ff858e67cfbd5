//! The fold of each kind of resource: one small state type per kind, built
//! from the catalog's settings and changed only by the events of its kind.
//! Who waits on a resource is not here: `World` derives it for every kind
//! alike from the tasks' `blocked` states (see [`Waiting`]).
//!
//! Imports only the event contract.

use crate::event::{ResourceId, ResourceInfo, TaskId, WaitOn};

/// A task blocked on a resource, in the order the tasks blocked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Waiting {
    /// The blocked task.
    pub task: TaskId,
    /// What it waits for (tells a reader from a writer, a putter from a getter).
    pub on: WaitOn,
    /// The tick it blocked.
    pub since: u64,
    /// The wait has a timeout.
    pub timed: bool,
}

/// A lock one task at a time holds: a mutex, an rlock, and weft's own GIL
/// and event loops.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LockState {
    /// Who holds it.
    pub holder: Option<TaskId>,
    /// How many times the holder holds it.
    pub depth: u32,
    /// Since when the holder holds it.
    pub held_since: u64,
    /// Acquisitions so far (re-entries count).
    pub acquisitions: u64,
    /// Requests that had to wait so far.
    pub contentions: u64,
    /// Times the lock went from one task to another (its first holder is
    /// not a handover).
    pub handovers: u64,
    /// The last task that held it.
    pub last_holder: Option<TaskId>,
}

impl LockState {
    fn acquire(&mut self, task: TaskId, depth: u32, now: u64) {
        if self.holder != Some(task) || depth == 1 {
            self.held_since = now;
        }
        if self.holder.is_none() && self.last_holder.is_some_and(|last| last != task) {
            self.handovers += 1;
        }
        self.holder = Some(task);
        self.last_holder = Some(task);
        self.depth = depth;
        self.acquisitions += 1;
    }

    fn release(&mut self, depth: u32) {
        self.depth = depth;
        if depth == 0 {
            self.holder = None;
        }
    }
}

/// An rwlock: its shared holders and its writer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RwLockState {
    /// Who holds it for reading, in the order they entered.
    pub readers: Vec<TaskId>,
    /// Who holds it for writing.
    pub writer: Option<TaskId>,
    /// Read acquisitions so far.
    pub reads: u64,
    /// Write acquisitions so far.
    pub writes: u64,
}

/// A semaphore: permits left and who took them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SemaphoreState {
    /// The permits it started with.
    pub permits: u32,
    /// Permits left now.
    pub left: u32,
    /// Who holds how many permits (a task that releases one it never took
    /// is not listed).
    pub holders: Vec<(TaskId, u32)>,
    /// Acquisitions so far.
    pub acquisitions: u64,
    /// Releases so far.
    pub releases: u64,
    /// Tasks that have released a permit (they may release again).
    pub releasers: Vec<TaskId>,
}

impl SemaphoreState {
    fn acquire(&mut self, task: TaskId, left: u32) {
        self.left = left;
        self.acquisitions += 1;
        match self.holders.iter_mut().find(|(t, _)| *t == task) {
            Some((_, n)) => *n += 1,
            None => self.holders.push((task, 1)),
        }
    }

    fn release(&mut self, task: TaskId, left: u32) {
        self.left = left;
        self.releases += 1;
        if let Some(i) = self.holders.iter().position(|(t, _)| *t == task) {
            self.holders[i].1 -= 1;
            if self.holders[i].1 == 0 {
                self.holders.remove(i);
            }
        }
        remember(&mut self.releasers, task);
    }
}

/// A condition: its lock and its notifies.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConditionState {
    /// The lock it is bound to.
    pub lock: Option<ResourceId>,
    /// Notifies so far (`notify` and `notify_all`).
    pub notifies: u64,
    /// Notifies that found no waiter.
    pub lost: u64,
    /// Waiters woken so far.
    pub woken: u64,
    /// Tasks that have notified it.
    pub notifiers: Vec<TaskId>,
}

/// An event's flag.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FlagState {
    /// The flag.
    pub set: bool,
    /// `set` calls so far.
    pub sets: u64,
    /// `clear` calls so far.
    pub clears: u64,
    /// Tasks that have set it.
    pub setters: Vec<TaskId>,
}

/// A barrier: arrivals in this round.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BarrierState {
    /// The parties a round needs.
    pub parties: u32,
    /// Arrivals in the current round.
    pub arrived: u32,
    /// Rounds completed (the barrier tripped).
    pub rounds: u64,
    /// It broke: every wait on it fails.
    pub broken: bool,
    /// Tasks that have arrived at it, in any round.
    pub seen: Vec<TaskId>,
}

/// A queue's length and traffic.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QueueState {
    /// Items in it now.
    pub len: u32,
    /// The most it held.
    pub max_len: u32,
    /// Items put so far.
    pub puts: u64,
    /// Items got so far.
    pub gets: u64,
    /// Items put and not yet marked done.
    pub unfinished: u32,
    /// Tasks that have put into it.
    pub putters: Vec<TaskId>,
    /// Tasks that have got from it.
    pub getters: Vec<TaskId>,
    /// Tasks that have called `task_done` on it.
    pub finishers: Vec<TaskId>,
    /// The items in it, in the order they leave (front first), while it
    /// holds at most [`QUEUE_ITEMS_KEPT`]; `None` while it holds more (a
    /// longer queue is not followed item by item, so a world stays small).
    pub items: Option<Vec<i64>>,
    /// Items leave from the back (a LIFO queue).
    pub lifo: bool,
    /// The smallest item leaves first (a priority queue).
    pub priority: bool,
}

/// The most items of a queue a world keeps; see [`QueueState::items`].
pub const QUEUE_ITEMS_KEPT: usize = 64;

/// A pool: which job runs on which worker.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PoolState {
    /// Per worker, the job it runs (None: free).
    pub workers: Vec<Option<TaskId>>,
    /// A process pool: the process of worker 0 (the others follow).
    pub process: Option<u32>,
    /// `join` closed it.
    pub closed: bool,
    /// Jobs started so far.
    pub started: u64,
    /// Jobs that ended so far.
    pub done: u64,
}

impl PoolState {
    /// Workers running a job now.
    pub fn busy(&self) -> usize {
        self.workers.iter().filter(|w| w.is_some()).count()
    }
}

/// The state of one resource, by kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrimState {
    /// A mutex, an rlock, the GIL or an event loop.
    Lock(LockState),
    /// An rwlock.
    RwLock(RwLockState),
    /// A semaphore.
    Semaphore(SemaphoreState),
    /// A condition.
    Condition(ConditionState),
    /// An event.
    Flag(FlagState),
    /// A barrier.
    Barrier(BarrierState),
    /// A queue.
    Queue(QueueState),
    /// A pool.
    Pool(PoolState),
    /// A kind this version does not know.
    Other,
}

/// Cap on the tasks a resource remembers as having released it (per list).
const REMEMBER: usize = 4096;

fn remember(list: &mut Vec<TaskId>, t: TaskId) {
    if list.len() < REMEMBER && !list.contains(&t) {
        list.push(t);
    }
}

impl PrimState {
    /// The start state of a resource of the catalog.
    pub fn new(info: &ResourceInfo) -> PrimState {
        match info.kind.as_str() {
            "mutex" | "rlock" | "gil" | "loop" => PrimState::Lock(LockState::default()),
            "rwlock" => PrimState::RwLock(RwLockState::default()),
            "semaphore" => {
                let permits = info.permits.unwrap_or(1);
                PrimState::Semaphore(SemaphoreState {
                    permits,
                    left: permits,
                    ..SemaphoreState::default()
                })
            }
            "condition" => PrimState::Condition(ConditionState {
                lock: info.lock,
                ..ConditionState::default()
            }),
            "event" => PrimState::Flag(FlagState {
                set: info.initially_set.unwrap_or(false),
                ..FlagState::default()
            }),
            "barrier" => PrimState::Barrier(BarrierState {
                parties: info.permits.unwrap_or(1),
                ..BarrierState::default()
            }),
            "queue" => PrimState::Queue(QueueState {
                items: Some(Vec::new()),
                lifo: info.order.as_deref() == Some("lifo"),
                priority: info.order.as_deref() == Some("priority"),
                ..QueueState::default()
            }),
            "pool" => {
                // A pool's worker count comes from an untrusted trace: keep it sane.
                let n = info.permits.unwrap_or(1).min(4096) as usize;
                let process = (info.mode.as_deref() == Some("process"))
                    .then_some(info.process)
                    .flatten();
                PrimState::Pool(PoolState {
                    workers: vec![None; n],
                    process,
                    ..PoolState::default()
                })
            }
            _ => PrimState::Other,
        }
    }

    /// `LockAcquire`: a lock's, or an rwlock's writer.
    pub fn lock_acquire(&mut self, task: TaskId, depth: u32, now: u64) {
        match self {
            PrimState::Lock(l) => l.acquire(task, depth, now),
            PrimState::RwLock(rw) => {
                rw.writer = Some(task);
                rw.writes += 1;
            }
            _ => {}
        }
    }

    /// `LockRelease`.
    pub fn lock_release(&mut self, task: TaskId, depth: u32) {
        match self {
            PrimState::Lock(l) => l.release(depth),
            PrimState::RwLock(rw) if depth == 0 && rw.writer == Some(task) => rw.writer = None,
            _ => {}
        }
    }

    /// `LockWait`: a request that must wait.
    pub fn lock_wait(&mut self) {
        if let PrimState::Lock(l) = self {
            l.contentions += 1;
        }
    }

    /// `ReadAcquire` / `ReadRelease`.
    pub fn read(&mut self, task: TaskId, acquire: bool) {
        if let PrimState::RwLock(rw) = self {
            if acquire {
                rw.reads += 1;
                if !rw.readers.contains(&task) {
                    rw.readers.push(task);
                }
            } else {
                rw.readers.retain(|&t| t != task);
            }
        }
    }

    /// `PermitAcquire` / `PermitRelease`.
    pub fn permit(&mut self, task: TaskId, left: u32, acquire: bool) {
        if let PrimState::Semaphore(s) = self {
            if acquire {
                s.acquire(task, left);
            } else {
                s.release(task, left);
            }
        }
    }

    /// `Notify`.
    pub fn notify(&mut self, task: TaskId, woken: u32) {
        if let PrimState::Condition(c) = self {
            c.notifies += 1;
            c.woken += u64::from(woken);
            if woken == 0 {
                c.lost += 1;
            }
            remember(&mut c.notifiers, task);
        }
    }

    /// `FlagSet` / `FlagClear`.
    pub fn flag(&mut self, task: TaskId, set: bool) {
        if let PrimState::Flag(f) = self {
            f.set = set;
            if set {
                f.sets += 1;
                remember(&mut f.setters, task);
            } else {
                f.clears += 1;
            }
        }
    }

    /// `BarrierWait`: the `arrived`-th arrival of the round.
    pub fn barrier_wait(&mut self, task: TaskId, arrived: u32) {
        if let PrimState::Barrier(b) = self {
            remember(&mut b.seen, task);
            if arrived >= b.parties {
                b.arrived = 0;
                b.rounds += 1;
            } else {
                b.arrived = arrived;
            }
        }
    }

    /// `BarrierBroken`.
    pub fn barrier_broken(&mut self) {
        if let PrimState::Barrier(b) = self {
            b.broken = true;
            b.arrived = 0;
        }
    }

    /// `QueuePut` / `QueueGet` / `QueueDone`.
    pub fn queue(&mut self, task: TaskId, op: QueueOp) {
        let PrimState::Queue(q) = self else { return };
        match op {
            QueueOp::Put(len, value) => {
                q.items = match q.items.take() {
                    Some(mut v) if v.len() + 1 == len as usize && v.len() < QUEUE_ITEMS_KEPT => {
                        // A priority queue gives its smallest item first.
                        let at = if q.priority {
                            v.partition_point(|&x| x <= value)
                        } else {
                            v.len()
                        };
                        v.insert(at, value);
                        Some(v)
                    }
                    _ if len == 0 => Some(Vec::new()),
                    _ => None,
                };
                q.len = len;
                q.max_len = q.max_len.max(len);
                q.puts += 1;
                q.unfinished = q.unfinished.saturating_add(1);
                remember(&mut q.putters, task);
            }
            QueueOp::Get(len, value) => {
                q.items = match q.items.take() {
                    Some(mut v) => {
                        let at = if q.lifo {
                            v.iter().rposition(|&x| x == value)
                        } else {
                            v.iter().position(|&x| x == value)
                        };
                        match at {
                            Some(i) if v.len() == len as usize + 1 => {
                                v.remove(i);
                                Some(v)
                            }
                            _ => (len == 0).then(Vec::new),
                        }
                    }
                    None => (len == 0).then(Vec::new),
                };
                q.len = len;
                q.gets += 1;
                remember(&mut q.getters, task);
            }
            QueueOp::Done(unfinished) => {
                q.unfinished = unfinished;
                remember(&mut q.finishers, task);
            }
        }
    }

    /// `PoolStart`: worker `worker` runs `job`.
    pub fn pool_start(&mut self, job: TaskId, worker: u32) -> bool {
        let PrimState::Pool(p) = self else {
            return false;
        };
        let Some(w) = p.workers.get_mut(worker as usize) else {
            return false;
        };
        *w = Some(job);
        p.started += 1;
        true
    }

    /// A pool's job ended: its worker is free.
    pub fn pool_end(&mut self, job: TaskId, worker: u32) {
        if let PrimState::Pool(p) = self {
            if let Some(w) = p.workers.get_mut(worker as usize) {
                if *w == Some(job) {
                    *w = None;
                    p.done += 1;
                }
            }
        }
    }

    /// `PoolClose`.
    pub fn pool_close(&mut self) {
        if let PrimState::Pool(p) = self {
            p.closed = true;
        }
    }

    /// About how many bytes it owns on the heap.
    pub fn heap_bytes(&self) -> usize {
        use std::mem::size_of_val;
        match self {
            PrimState::RwLock(rw) => size_of_val(&rw.readers[..]),
            PrimState::Semaphore(s) => size_of_val(&s.holders[..]) + size_of_val(&s.releasers[..]),
            PrimState::Condition(c) => size_of_val(&c.notifiers[..]),
            PrimState::Flag(f) => size_of_val(&f.setters[..]),
            PrimState::Barrier(b) => size_of_val(&b.seen[..]),
            PrimState::Queue(q) => {
                size_of_val(&q.putters[..])
                    + size_of_val(&q.getters[..])
                    + size_of_val(&q.finishers[..])
                    + q.items.as_deref().map_or(0, size_of_val)
            }
            PrimState::Pool(p) => size_of_val(&p.workers[..]),
            PrimState::Lock(_) | PrimState::Other => 0,
        }
    }

    /// The tasks holding it now (a lock's holder, a writer or the readers,
    /// a semaphore's permit holders, a pool's running jobs).
    pub fn holders(&self) -> Vec<TaskId> {
        match self {
            PrimState::Lock(l) => l.holder.into_iter().collect(),
            PrimState::RwLock(rw) => rw.writer.into_iter().chain(rw.readers.clone()).collect(),
            PrimState::Semaphore(s) => s.holders.iter().map(|(t, _)| *t).collect(),
            PrimState::Pool(p) => p.workers.iter().flatten().copied().collect(),
            _ => Vec::new(),
        }
    }
}

/// A queue event's effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueOp {
    /// An item entered: the length after, and the item.
    Put(u32, i64),
    /// An item left: the length after, and the item.
    Get(u32, i64),
    /// `task_done`; the items still not marked done.
    Done(u32),
}

/// One resource as the fold sees it: its kind's state, its waiters, and
/// the waits on it that have ended.
#[derive(Debug, Clone)]
pub struct ResourceState {
    /// The state of its kind.
    pub prim: PrimState,
    /// Tasks blocked on it, in the order they blocked, after the first
    /// `woken` (see [`ResourceState::waiters`]).
    waiters: Vec<Waiting>,
    /// The first waiters that no longer wait: the longest waiter is the
    /// one woken most often, and it leaves the list in one step, which is
    /// closed up once most of it is gone.
    woken: usize,
    /// Ticks spent in the waits on it that have ended.
    pub waited: u64,
    /// The longest of those waits, in ticks.
    pub longest_wait: u64,
}

impl PartialEq for ResourceState {
    fn eq(&self, other: &ResourceState) -> bool {
        self.prim == other.prim
            && self.waiters() == other.waiters()
            && self.waited == other.waited
            && self.longest_wait == other.longest_wait
    }
}

impl Eq for ResourceState {}

impl ResourceState {
    /// The state of a resource before any event.
    pub fn new(info: &ResourceInfo) -> ResourceState {
        ResourceState {
            prim: PrimState::new(info),
            waiters: Vec::new(),
            woken: 0,
            waited: 0,
            longest_wait: 0,
        }
    }

    /// About how many bytes it owns on the heap.
    pub fn heap_bytes(&self) -> usize {
        std::mem::size_of_val(&self.waiters[..]) + self.prim.heap_bytes()
    }

    /// Tasks blocked on it, in the order they blocked.
    pub fn waiters(&self) -> &[Waiting] {
        &self.waiters[self.woken..]
    }

    /// `task`'s wait on it, if it waits.
    pub(super) fn waiter_mut(&mut self, task: TaskId) -> Option<&mut Waiting> {
        self.waiters[self.woken..]
            .iter_mut()
            .find(|w| w.task == task)
    }

    /// A task begins to wait on it.
    pub(super) fn add_waiter(&mut self, w: Waiting) {
        self.waiters.push(w);
    }

    /// `task` no longer waits on it: its wait, if it waited.
    pub(super) fn remove_waiter(&mut self, task: TaskId) -> Option<Waiting> {
        let i = self.woken + self.waiters().iter().position(|w| w.task == task)?;
        if i > self.woken {
            return Some(self.waiters.remove(i));
        }
        let w = self.waiters[i];
        self.woken += 1;
        if 2 * self.woken >= self.waiters.len() {
            self.waiters.drain(..self.woken);
            self.woken = 0;
        }
        Some(w)
    }

    /// The total and the longest wait on it by tick `now`, the waits still
    /// going on counted up to `now`.
    pub fn waits_by(&self, now: u64) -> (u64, u64) {
        self.waiters()
            .iter()
            .map(|w| now.saturating_sub(w.since))
            .fold((self.waited, self.longest_wait), |(total, longest), d| {
                (total + d, longest.max(d))
            })
    }
}
