//! `ReentrantMutex<T>`: parking_lot's reentrant mutex (Python's `RLock`):
//! the thread that holds it may lock it again; each lock and unlock is
//! recorded with the depth it leaves, and a wait is a single-owner wait the
//! watchdog follows.

use std::ops::Deref;
use std::panic::Location;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, OnceLock};

use crate::event::{EventKind, ResourceId, TaskId, WaitOn};

use super::mutex::Name;
use super::recorder::{active, Recorder};

/// A reentrant mutex that records what it does while recording.
pub struct ReentrantMutex<T: ?Sized> {
    name: Name,
    id: OnceLock<ResourceId>,
    /// The holder's task id + 1 (0: free), for the watchdog.
    owner: Arc<AtomicU32>,
    /// How many times the holder holds it (changed by the holder only).
    depth: AtomicU32,
    inner: parking_lot::ReentrantMutex<T>,
}

impl<T> ReentrantMutex<T> {
    /// A reentrant mutex named after the place of this call.
    #[track_caller]
    pub fn new(value: T) -> ReentrantMutex<T> {
        ReentrantMutex::with_name(Name::At(Location::caller()), value)
    }

    /// A reentrant mutex with a name of its own.
    pub fn named(name: impl Into<String>, value: T) -> ReentrantMutex<T> {
        ReentrantMutex::with_name(Name::Given(name.into()), value)
    }

    fn with_name(name: Name, value: T) -> ReentrantMutex<T> {
        ReentrantMutex {
            name,
            id: OnceLock::new(),
            owner: Arc::new(AtomicU32::new(0)),
            depth: AtomicU32::new(0),
            inner: parking_lot::ReentrantMutex::new(value),
        }
    }
}

impl<T: ?Sized> std::fmt::Debug for ReentrantMutex<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ReentrantMutex({})", self.name.text())
    }
}

impl<T: ?Sized> ReentrantMutex<T> {
    fn id(&self, rec: &Recorder) -> ResourceId {
        *self
            .id
            .get_or_init(|| rec.lock_resource(self.name.text(), "rlock", |_| {}, &self.owner))
    }

    /// Locks it (again, when this thread holds it), waiting for another
    /// holder to leave.
    #[track_caller]
    pub fn lock(&self) -> ReentrantMutexGuard<'_, T> {
        let Some(rec) = active() else {
            return ReentrantMutexGuard {
                lock: self,
                task: None,
                guard: self.inner.lock(),
            };
        };
        let task = rec.task();
        let id = self.id(rec);
        let waited = rec.take_lock(
            task,
            id,
            WaitOn::Lock(id),
            false,
            Location::caller(),
            || self.inner.try_lock(),
            || Some(self.inner.lock()),
        );
        let Some(guard) = waited else {
            unreachable!("an untimed lock always gets the lock")
        };
        self.owner.store(task.0 + 1, Ordering::Release);
        let depth = self.depth.fetch_add(1, Ordering::Relaxed) + 1;
        rec.event(EventKind::LockAcquire {
            task,
            lock: id,
            depth,
        });
        ReentrantMutexGuard {
            lock: self,
            task: Some(task),
            guard,
        }
    }
}

/// One hold of the lock; dropping it releases that hold.
pub struct ReentrantMutexGuard<'a, T: ?Sized> {
    lock: &'a ReentrantMutex<T>,
    task: Option<TaskId>,
    guard: parking_lot::ReentrantMutexGuard<'a, T>,
}

impl<T: ?Sized> Deref for ReentrantMutexGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.guard
    }
}

impl<T: ?Sized> Drop for ReentrantMutexGuard<'_, T> {
    fn drop(&mut self) {
        let Some(task) = self.task else { return };
        let depth = self
            .lock
            .depth
            .fetch_sub(1, Ordering::Relaxed)
            .saturating_sub(1);
        if depth == 0 {
            self.lock.owner.store(0, Ordering::Release);
        }
        if let (Some(rec), Some(&id)) = (active(), self.lock.id.get()) {
            rec.event(EventKind::LockRelease {
                task,
                lock: id,
                depth,
            });
        }
    }
}
