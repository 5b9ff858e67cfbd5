//! `Mutex<T>`: parking_lot's mutex, recording waits, acquisitions and
//! releases (no poisoning, as parking_lot).

use std::ops::{Deref, DerefMut};
use std::panic::Location;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use crate::event::{EventKind, ResourceId, TaskId, WaitOn};

use super::recorder::{active, place_name, Recorder};

/// A mutual exclusion lock that records what it does while recording.
pub struct Mutex<T: ?Sized> {
    name: Name,
    pub(super) id: OnceLock<ResourceId>,
    /// The holder's task id + 1 (0: free), for the watchdog.
    pub(super) owner: Arc<AtomicU32>,
    inner: parking_lot::Mutex<T>,
}

/// A primitive's name: given, or the place of its constructor.
#[derive(Debug, Clone)]
pub(super) enum Name {
    Given(String),
    At(&'static Location<'static>),
}

impl Name {
    pub(super) fn text(&self) -> String {
        match self {
            Name::Given(s) => s.clone(),
            Name::At(at) => place_name(at),
        }
    }
}

impl<T> Mutex<T> {
    /// A mutex named after the place of this call (`main.rs:12`).
    #[track_caller]
    pub fn new(value: T) -> Mutex<T> {
        Mutex::with_name(Name::At(Location::caller()), value)
    }

    /// A mutex with a name of its own, as the views and reports show it.
    pub fn named(name: impl Into<String>, value: T) -> Mutex<T> {
        Mutex::with_name(Name::Given(name.into()), value)
    }

    fn with_name(name: Name, value: T) -> Mutex<T> {
        Mutex {
            name,
            id: OnceLock::new(),
            owner: Arc::new(AtomicU32::new(0)),
            inner: parking_lot::Mutex::new(value),
        }
    }

    /// The value, once nobody can lock it any more.
    pub fn into_inner(self) -> T {
        self.inner.into_inner()
    }
}

impl<T: ?Sized> Mutex<T> {
    /// The name the views show.
    pub fn name(&self) -> String {
        self.name.text()
    }

    fn id(&self, rec: &Recorder) -> ResourceId {
        *self
            .id
            .get_or_init(|| rec.lock_resource(self.name.text(), "mutex", |_| {}, &self.owner))
    }

    /// Locks it, waiting as long as it takes.
    #[track_caller]
    #[inline]
    pub fn lock(&self) -> MutexGuard<'_, T> {
        let Some(rec) = active() else {
            return MutexGuard {
                lock: self,
                task: None,
                guard: self.inner.lock(),
            };
        };
        self.lock_recorded(rec)
    }

    // Kept out of line, so that `lock` without a recording stays small.
    #[cold]
    #[inline(never)]
    #[track_caller]
    fn lock_recorded(&self, rec: &'static Recorder) -> MutexGuard<'_, T> {
        let waited = self.take_recorded(rec, None, Location::caller());
        let Some(guard) = waited else {
            unreachable!("an untimed lock always gets the lock")
        };
        guard
    }

    /// Locks it, waiting at most `d`: `None` when it stayed held that long
    /// (recorded as a timed wait that timed out).
    #[track_caller]
    pub fn try_lock_for(&self, d: Duration) -> Option<MutexGuard<'_, T>> {
        let Some(rec) = active() else {
            return Some(MutexGuard {
                lock: self,
                task: None,
                guard: self.inner.try_lock_for(d)?,
            });
        };
        self.take_recorded(rec, Some(d), Location::caller())
    }

    /// A recorded hold: at once if free, else a wait (timed with `d`).
    fn take_recorded(
        &self,
        rec: &'static Recorder,
        d: Option<Duration>,
        at: &'static Location<'static>,
    ) -> Option<MutexGuard<'_, T>> {
        let task = rec.task();
        let id = self.id(rec);
        let guard = rec.take_lock(
            task,
            id,
            WaitOn::Lock(id),
            d.is_some(),
            at,
            || self.inner.try_lock(),
            || match d {
                Some(d) => self.inner.try_lock_for(d),
                None => Some(self.inner.lock()),
            },
        )?;
        self.acquired(rec, task, id);
        Some(MutexGuard {
            lock: self,
            task: Some(task),
            guard,
        })
    }

    /// Locks it if it is free.
    pub fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
        let guard = self.inner.try_lock()?;
        let task = active().map(|rec| {
            let task = rec.task();
            let id = self.id(rec);
            self.acquired(rec, task, id);
            task
        });
        Some(MutexGuard {
            lock: self,
            task,
            guard,
        })
    }

    fn acquired(&self, rec: &Recorder, task: TaskId, id: ResourceId) {
        self.owner.store(task.0 + 1, Ordering::Release);
        rec.event(EventKind::LockAcquire {
            task,
            lock: id,
            depth: 1,
        });
    }
}

impl<T: ?Sized + std::fmt::Debug> std::fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mutex")
            .field("name", &self.name.text())
            .finish_non_exhaustive()
    }
}

/// The lock held; dropping it releases the lock (and records the release).
pub struct MutexGuard<'a, T: ?Sized> {
    pub(super) lock: &'a Mutex<T>,
    pub(super) task: Option<TaskId>,
    pub(super) guard: parking_lot::MutexGuard<'a, T>,
}

impl<T: ?Sized> Deref for MutexGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.guard
    }
}

impl<T: ?Sized> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.guard
    }
}

impl<T: ?Sized> Drop for MutexGuard<'_, T> {
    #[inline]
    fn drop(&mut self) {
        if let Some(task) = self.task {
            self.released(task);
        }
    }
}

impl<T: ?Sized> MutexGuard<'_, T> {
    /// Records the release (before the lock is let go, when the guard's
    /// fields drop).
    #[cold]
    #[inline(never)]
    fn released(&self, task: TaskId) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_recording_it_is_a_plain_mutex() {
        let m = Arc::new(Mutex::new(0u64));
        assert!(m.name().starts_with("mutex.rs:"), "{}", m.name());
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let m = m.clone();
                std::thread::spawn(move || {
                    for _ in 0..1000 {
                        *m.lock() += 1;
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(*m.lock(), 4000);
        let g = m.try_lock().expect("free");
        assert!(m.try_lock().is_none(), "held");
        drop(g);
        assert_eq!(m.owner.load(Ordering::Relaxed), 0);
    }
}
