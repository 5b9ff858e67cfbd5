//! Channels, bounded and unbounded: crossbeam's, recording every send and
//! receive as a put or a get on a queue (with its length just after), and
//! a sender waiting for room or a receiver waiting for an item as a task
//! blocked on the queue. Items are recorded by number (the first sent is
//! 1), since a real item is no integer.
//!
//! A wait on a channel has no single owner, so the watchdog does not count
//! it in a deadlock cycle (as in a scenario, where such a wait is a knot or
//! a stall).

use std::panic::Location;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use crossbeam_channel as cb;

use crate::event::{EventKind, ResourceId, TaskState, WaitOn};

use super::mutex::Name;
use super::recorder::{active, running, Recorder};

/// What both ends share: the name, the id once registered, the count of
/// items sent.
struct Shared {
    name: Name,
    capacity: Option<usize>,
    id: OnceLock<ResourceId>,
    sent: AtomicI64,
}

impl Shared {
    fn id(&self, rec: &Recorder) -> ResourceId {
        *self.id.get_or_init(|| {
            rec.resource_with(self.name.text(), "queue", |r| {
                r.capacity = Some(self.capacity.unwrap_or(0).min(u32::MAX as usize) as u32);
                r.order = Some("fifo".into());
            })
        })
    }
}

/// A channel that holds at most `cap` items (`cap` 0: each send waits for
/// a receiver), named after the place of this call.
#[track_caller]
pub fn bounded<T>(cap: usize) -> (Sender<T>, Receiver<T>) {
    make(Name::At(Location::caller()), Some(cap))
}

/// A channel without a bound, named after the place of this call.
#[track_caller]
pub fn unbounded<T>() -> (Sender<T>, Receiver<T>) {
    make(Name::At(Location::caller()), None)
}

/// A bounded channel with a name of its own.
pub fn bounded_named<T>(name: impl Into<String>, cap: usize) -> (Sender<T>, Receiver<T>) {
    make(Name::Given(name.into()), Some(cap))
}

/// An unbounded channel with a name of its own.
pub fn unbounded_named<T>(name: impl Into<String>) -> (Sender<T>, Receiver<T>) {
    make(Name::Given(name.into()), None)
}

fn make<T>(name: Name, capacity: Option<usize>) -> (Sender<T>, Receiver<T>) {
    let (tx, rx) = match capacity {
        Some(n) => cb::bounded(n),
        None => cb::unbounded(),
    };
    let shared = Arc::new(Shared {
        name,
        capacity,
        id: OnceLock::new(),
        sent: AtomicI64::new(0),
    });
    (
        Sender {
            inner: tx,
            shared: shared.clone(),
        },
        Receiver { inner: rx, shared },
    )
}

/// The sending end (cloneable).
pub struct Sender<T> {
    inner: cb::Sender<T>,
    shared: Arc<Shared>,
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Sender<T> {
        Sender {
            inner: self.inner.clone(),
            shared: self.shared.clone(),
        }
    }
}

impl<T> std::fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Sender({})", self.shared.name.text())
    }
}

impl<T> Sender<T> {
    /// Sends, waiting for room; an error when every receiver is gone.
    pub fn send(&self, value: T) -> Result<(), cb::SendError<T>> {
        let Some(rec) = active() else {
            return self.inner.send(value);
        };
        let task = rec.task();
        let id = self.shared.id(rec);
        let value = match self.inner.try_send(value) {
            Ok(()) => {
                self.put(rec, task, id);
                return Ok(());
            }
            Err(cb::TrySendError::Disconnected(v)) => return Err(cb::SendError(v)),
            Err(cb::TrySendError::Full(v)) => v,
        };
        blocked(rec, task, WaitOn::Put(id));
        let r = self.inner.send(value);
        rec.event(EventKind::State {
            task,
            state: running(task),
        });
        if r.is_ok() {
            self.put(rec, task, id);
        }
        r
    }

    /// Sends if there is room now.
    pub fn try_send(&self, value: T) -> Result<(), cb::TrySendError<T>> {
        self.inner.try_send(value)?;
        if let Some(rec) = active() {
            let task = rec.task();
            let id = self.shared.id(rec);
            self.put(rec, task, id);
        }
        Ok(())
    }

    fn put(&self, rec: &Recorder, task: crate::event::TaskId, id: ResourceId) {
        let value = self.shared.sent.fetch_add(1, Ordering::Relaxed) + 1;
        rec.event(EventKind::QueuePut {
            task,
            queue: id,
            value,
            len: self.inner.len().min(u32::MAX as usize) as u32,
        });
    }
}

/// The receiving end (cloneable: several receivers share the items).
pub struct Receiver<T> {
    inner: cb::Receiver<T>,
    shared: Arc<Shared>,
}

impl<T> Clone for Receiver<T> {
    fn clone(&self) -> Receiver<T> {
        Receiver {
            inner: self.inner.clone(),
            shared: self.shared.clone(),
        }
    }
}

impl<T> std::fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Receiver({})", self.shared.name.text())
    }
}

impl<T> Receiver<T> {
    /// Receives, waiting for an item; an error once it is empty and every
    /// sender is gone.
    pub fn recv(&self) -> Result<T, cb::RecvError> {
        let Some(rec) = active() else {
            return self.inner.recv();
        };
        let task = rec.task();
        let id = self.shared.id(rec);
        match self.inner.try_recv() {
            Ok(v) => {
                self.got(rec, task, id);
                return Ok(v);
            }
            Err(cb::TryRecvError::Disconnected) => return Err(cb::RecvError),
            Err(cb::TryRecvError::Empty) => {}
        }
        blocked(rec, task, WaitOn::Get(id));
        let r = self.inner.recv();
        rec.event(EventKind::State {
            task,
            state: running(task),
        });
        if r.is_ok() {
            self.got(rec, task, id);
        }
        r
    }

    /// Receives if an item is there now.
    pub fn try_recv(&self) -> Result<T, cb::TryRecvError> {
        let v = self.inner.try_recv()?;
        if let Some(rec) = active() {
            let task = rec.task();
            let id = self.shared.id(rec);
            self.got(rec, task, id);
        }
        Ok(v)
    }

    /// Receives, waiting at most `timeout` (a timed wait).
    pub fn recv_timeout(&self, timeout: Duration) -> Result<T, cb::RecvTimeoutError> {
        let Some(rec) = active() else {
            return self.inner.recv_timeout(timeout);
        };
        let task = rec.task();
        let id = self.shared.id(rec);
        if let Ok(v) = self.inner.try_recv() {
            self.got(rec, task, id);
            return Ok(v);
        }
        rec.event(EventKind::State {
            task,
            state: TaskState::Blocked {
                on: WaitOn::Get(id),
                timed: true,
            },
        });
        let r = self.inner.recv_timeout(timeout);
        if matches!(r, Err(cb::RecvTimeoutError::Timeout)) {
            rec.event(EventKind::WaitTimeout {
                task,
                on: WaitOn::Get(id),
            });
        }
        rec.event(EventKind::State {
            task,
            state: running(task),
        });
        if r.is_ok() {
            self.got(rec, task, id);
        }
        r
    }

    fn got(&self, rec: &Recorder, task: crate::event::TaskId, id: ResourceId) {
        rec.event(EventKind::QueueGet {
            task,
            queue: id,
            value: 0,
            len: self.inner.len().min(u32::MAX as usize) as u32,
        });
    }
}

fn blocked(rec: &Recorder, task: crate::event::TaskId, on: WaitOn) {
    rec.event(EventKind::State {
        task,
        state: TaskState::Blocked { on, timed: false },
    });
}
