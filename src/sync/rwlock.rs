//! `RwLock<T>`: parking_lot's readers-writer lock. Readers are recorded as
//! read holds (with the number of readers), a writer as the lock's holder;
//! a writer waiting while another writer holds it is a single-owner wait
//! the watchdog follows (one waiting on readers is not).

use std::ops::{Deref, DerefMut};
use std::panic::Location;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use crate::event::{EventKind, ResourceId, TaskId, WaitOn};

use super::mutex::Name;
use super::recorder::{active, Recorder};

/// A readers-writer lock that records what it does while recording.
pub struct RwLock<T: ?Sized> {
    name: Name,
    id: OnceLock<ResourceId>,
    /// The writer's task id + 1 (0: no writer), for the watchdog.
    owner: Arc<AtomicU32>,
    readers: AtomicU32,
    inner: parking_lot::RwLock<T>,
}

impl<T> RwLock<T> {
    /// An rwlock named after the place of this call.
    #[track_caller]
    pub fn new(value: T) -> RwLock<T> {
        RwLock::with_name(Name::At(Location::caller()), value)
    }

    /// An rwlock with a name of its own.
    pub fn named(name: impl Into<String>, value: T) -> RwLock<T> {
        RwLock::with_name(Name::Given(name.into()), value)
    }

    fn with_name(name: Name, value: T) -> RwLock<T> {
        RwLock {
            name,
            id: OnceLock::new(),
            owner: Arc::new(AtomicU32::new(0)),
            readers: AtomicU32::new(0),
            inner: parking_lot::RwLock::new(value),
        }
    }
}

impl<T: ?Sized> std::fmt::Debug for RwLock<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RwLock({})", self.name.text())
    }
}

impl<T: ?Sized> RwLock<T> {
    fn id(&self, rec: &Recorder) -> ResourceId {
        *self.id.get_or_init(|| {
            let fair = |r: &mut crate::event::ResourceInfo| r.mode = Some("fair".into());
            rec.lock_resource(self.name.text(), "rwlock", fair, &self.owner)
        })
    }

    /// Holds it for reading, waiting while a writer holds it.
    #[track_caller]
    pub fn read(&self) -> ReadGuard<'_, T> {
        match self.try_read_for_inner(None, Location::caller()) {
            Some(g) => g,
            None => unreachable!("an untimed read always gets the lock"),
        }
    }

    /// Holds it for reading, waiting at most `d`.
    #[track_caller]
    pub fn try_read_for(&self, d: Duration) -> Option<ReadGuard<'_, T>> {
        self.try_read_for_inner(Some(d), Location::caller())
    }

    fn try_read_for_inner(
        &self,
        d: Option<Duration>,
        at: &'static Location<'static>,
    ) -> Option<ReadGuard<'_, T>> {
        let Some(rec) = active() else {
            let guard = match d {
                Some(d) => self.inner.try_read_for(d)?,
                None => self.inner.read(),
            };
            return Some(ReadGuard {
                lock: self,
                task: None,
                guard,
            });
        };
        let task = rec.task();
        let id = self.id(rec);
        let guard = rec.take_lock(
            task,
            id,
            WaitOn::Read(id),
            d.is_some(),
            at,
            || self.inner.try_read(),
            || match d {
                Some(d) => self.inner.try_read_for(d),
                None => Some(self.inner.read()),
            },
        )?;
        let readers = self.readers.fetch_add(1, Ordering::Relaxed) + 1;
        rec.event(EventKind::ReadAcquire {
            task,
            lock: id,
            readers,
        });
        Some(ReadGuard {
            lock: self,
            task: Some(task),
            guard,
        })
    }

    /// Holds it for writing, waiting for every holder to leave.
    #[track_caller]
    pub fn write(&self) -> WriteGuard<'_, T> {
        match self.try_write_for_inner(None, Location::caller()) {
            Some(g) => g,
            None => unreachable!("an untimed write always gets the lock"),
        }
    }

    /// Holds it for writing, waiting at most `d`.
    #[track_caller]
    pub fn try_write_for(&self, d: Duration) -> Option<WriteGuard<'_, T>> {
        self.try_write_for_inner(Some(d), Location::caller())
    }

    fn try_write_for_inner(
        &self,
        d: Option<Duration>,
        at: &'static Location<'static>,
    ) -> Option<WriteGuard<'_, T>> {
        let Some(rec) = active() else {
            let guard = match d {
                Some(d) => self.inner.try_write_for(d)?,
                None => self.inner.write(),
            };
            return Some(WriteGuard {
                lock: self,
                task: None,
                guard,
            });
        };
        let task = rec.task();
        let id = self.id(rec);
        let guard = rec.take_lock(
            task,
            id,
            WaitOn::Lock(id),
            d.is_some(),
            at,
            || self.inner.try_write(),
            || match d {
                Some(d) => self.inner.try_write_for(d),
                None => Some(self.inner.write()),
            },
        )?;
        self.owner.store(task.0 + 1, Ordering::Release);
        rec.event(EventKind::LockAcquire {
            task,
            lock: id,
            depth: 1,
        });
        Some(WriteGuard {
            lock: self,
            task: Some(task),
            guard,
        })
    }
}

/// A read hold; dropping it releases it.
pub struct ReadGuard<'a, T: ?Sized> {
    lock: &'a RwLock<T>,
    task: Option<TaskId>,
    guard: parking_lot::RwLockReadGuard<'a, T>,
}

impl<T: ?Sized> Deref for ReadGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.guard
    }
}

impl<T: ?Sized> Drop for ReadGuard<'_, T> {
    fn drop(&mut self) {
        let Some(task) = self.task else { return };
        let readers = self
            .lock
            .readers
            .fetch_sub(1, Ordering::Relaxed)
            .saturating_sub(1);
        if let (Some(rec), Some(&id)) = (active(), self.lock.id.get()) {
            rec.event(EventKind::ReadRelease {
                task,
                lock: id,
                readers,
            });
        }
    }
}

/// A write hold; dropping it releases it.
pub struct WriteGuard<'a, T: ?Sized> {
    lock: &'a RwLock<T>,
    task: Option<TaskId>,
    guard: parking_lot::RwLockWriteGuard<'a, T>,
}

impl<T: ?Sized> Deref for WriteGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.guard
    }
}

impl<T: ?Sized> DerefMut for WriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.guard
    }
}

impl<T: ?Sized> Drop for WriteGuard<'_, T> {
    fn drop(&mut self) {
        let Some(task) = self.task else { return };
        self.lock.owner.store(0, Ordering::Release);
        if let (Some(rec), Some(&id)) = (active(), self.lock.id.get()) {
            rec.event(EventKind::LockRelease {
                task,
                lock: id,
                depth: 0,
            });
        }
    }
}
