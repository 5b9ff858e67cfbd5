//! `Condvar`: parking_lot's condition variable over a [`Mutex`]'s guard.
//! A wait is recorded as the release of the mutex, the task blocked on the
//! condition (a wait for a notify), and the mutex taken again; a notify
//! with the number of waiters it woke (0: a notify nobody heard, a lost
//! wakeup's mark). A wait for a notify has no single owner, so the watchdog
//! leaves it out of deadlock cycles.

use std::panic::Location;
use std::sync::atomic::Ordering;
use std::sync::OnceLock;
use std::time::Duration;

use crate::event::{EventKind, ResourceId, TaskState, WaitOn};

use super::mutex::{MutexGuard, Name};
use super::recorder::{active, running, Recorder};

/// A condition variable that records what it does while recording.
pub struct Condvar {
    name: Name,
    id: OnceLock<ResourceId>,
    inner: parking_lot::Condvar,
}

impl Default for Condvar {
    #[track_caller]
    fn default() -> Condvar {
        Condvar::new()
    }
}

impl std::fmt::Debug for Condvar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Condvar({})", self.name.text())
    }
}

impl Condvar {
    /// A condition variable named after the place of this call.
    #[track_caller]
    pub fn new() -> Condvar {
        Condvar::with_name(Name::At(Location::caller()))
    }

    /// A condition variable with a name of its own.
    pub fn named(name: impl Into<String>) -> Condvar {
        Condvar::with_name(Name::Given(name.into()))
    }

    fn with_name(name: Name) -> Condvar {
        Condvar {
            name,
            id: OnceLock::new(),
            inner: parking_lot::Condvar::new(),
        }
    }

    fn id(&self, rec: &Recorder) -> ResourceId {
        *self
            .id
            .get_or_init(|| rec.resource(self.name.text(), "condition"))
    }

    /// Releases the guard's mutex, waits for a notify, and takes the mutex
    /// again (a spurious wakeup can end the wait early, as with std's).
    pub fn wait<T: ?Sized>(&self, guard: &mut MutexGuard<'_, T>) {
        self.wait_inner(guard, None);
    }

    /// As [`Condvar::wait`], for at most `timeout`; true when it timed out.
    pub fn wait_for<T: ?Sized>(&self, guard: &mut MutexGuard<'_, T>, timeout: Duration) -> bool {
        self.wait_inner(guard, Some(timeout))
    }

    fn wait_inner<T: ?Sized>(
        &self,
        guard: &mut MutexGuard<'_, T>,
        timeout: Option<Duration>,
    ) -> bool {
        let wait = |g: &mut parking_lot::MutexGuard<'_, T>| match timeout {
            Some(d) => self.inner.wait_for(g, d).timed_out(),
            None => {
                self.inner.wait(g);
                false
            }
        };
        let (Some(rec), Some(task), Some(&lock)) = (active(), guard.task, guard.lock.id.get())
        else {
            return wait(&mut guard.guard);
        };
        let id = self.id(rec);
        guard.lock.owner.store(0, Ordering::Release);
        rec.event(EventKind::LockRelease {
            task,
            lock,
            depth: 0,
        });
        rec.event(EventKind::State {
            task,
            state: TaskState::Blocked {
                on: WaitOn::Notify(id),
                timed: timeout.is_some(),
            },
        });
        let timed_out = wait(&mut guard.guard);
        if timed_out {
            rec.event(EventKind::WaitTimeout {
                task,
                on: WaitOn::Notify(id),
            });
        }
        guard.lock.owner.store(task.0 + 1, Ordering::Release);
        rec.event(EventKind::State {
            task,
            state: running(task),
        });
        rec.event(EventKind::LockAcquire {
            task,
            lock,
            depth: 1,
        });
        timed_out
    }

    /// Wakes one waiter, if any.
    pub fn notify_one(&self) -> bool {
        let woke = self.inner.notify_one();
        self.notified(u32::from(woke));
        woke
    }

    /// Wakes every waiter; how many there were.
    pub fn notify_all(&self) -> usize {
        let n = self.inner.notify_all();
        self.notified(n.min(u32::MAX as usize) as u32);
        n
    }

    fn notified(&self, woken: u32) {
        if let Some(rec) = active() {
            let task = rec.task();
            let cond = self.id(rec);
            rec.event(EventKind::Notify { task, cond, woken });
        }
    }
}
