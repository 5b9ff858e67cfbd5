//! `Semaphore`: a count of permits (a parking_lot mutex and condition
//! variable underneath), recording each acquisition and release with the
//! permits left, and a wait for a permit (no single owner: the watchdog
//! leaves it out). `release()` without a permit adds one, as Python's
//! `Semaphore.release` does (an over-release).

use std::panic::Location;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::event::{EventKind, ResourceId, WaitOn};

use super::mutex::Name;
use super::recorder::{active, Recorder};

/// A counting semaphore that records what it does while recording.
pub struct Semaphore {
    name: Name,
    start: u32,
    id: OnceLock<ResourceId>,
    left: parking_lot::Mutex<u32>,
    freed: parking_lot::Condvar,
}

impl std::fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Semaphore({})", self.name.text())
    }
}

impl Semaphore {
    /// A semaphore of `permits`, named after the place of this call.
    #[track_caller]
    pub fn new(permits: u32) -> Semaphore {
        Semaphore::with_name(Name::At(Location::caller()), permits)
    }

    /// A semaphore of `permits` with a name of its own.
    pub fn named(name: impl Into<String>, permits: u32) -> Semaphore {
        Semaphore::with_name(Name::Given(name.into()), permits)
    }

    fn with_name(name: Name, permits: u32) -> Semaphore {
        Semaphore {
            name,
            start: permits,
            id: OnceLock::new(),
            left: parking_lot::Mutex::new(permits),
            freed: parking_lot::Condvar::new(),
        }
    }

    fn id(&self, rec: &Recorder) -> ResourceId {
        *self.id.get_or_init(|| {
            rec.resource_with(self.name.text(), "semaphore", |r| {
                r.permits = Some(self.start);
                r.bounded = Some(false);
            })
        })
    }

    /// Takes a permit, waiting for one; it is given back when the permit
    /// is dropped.
    pub fn acquire(&self) -> SemaphorePermit<'_> {
        match self.take(None) {
            Some(p) => p,
            None => unreachable!("an untimed acquire always gets a permit"),
        }
    }

    /// Takes a permit, waiting at most `d`.
    pub fn try_acquire_for(&self, d: Duration) -> Option<SemaphorePermit<'_>> {
        self.take(Some(d))
    }

    fn take(&self, d: Option<Duration>) -> Option<SemaphorePermit<'_>> {
        let rec = active();
        let mut left = self.left.lock();
        if *left == 0 {
            let until = d.map(|d| Instant::now() + d);
            let me = rec.map(|r| (r, r.task(), self.id(r)));
            if let Some((r, t, id)) = me {
                r.blocked(t, WaitOn::Permit(id), d.is_some());
            }
            while *left == 0 {
                match until {
                    Some(u) => {
                        if self.freed.wait_until(&mut left, u).timed_out() && *left == 0 {
                            if let Some((r, t, id)) = me {
                                r.event(EventKind::WaitTimeout {
                                    task: t,
                                    on: WaitOn::Permit(id),
                                });
                                r.resumed(t);
                            }
                            return None;
                        }
                    }
                    None => self.freed.wait(&mut left),
                }
            }
            if let Some((r, t, _)) = me {
                r.resumed(t);
            }
        }
        *left -= 1;
        if let Some(r) = rec {
            let (task, sem) = (r.task(), self.id(r));
            r.event(EventKind::PermitAcquire {
                task,
                sem,
                left: *left,
            });
        }
        Some(SemaphorePermit { sem: self })
    }

    /// Adds a permit (Python's `release`: one may release more than it
    /// took, and the count grows past the start).
    pub fn release(&self) {
        let mut left = self.left.lock();
        *left = left.saturating_add(1);
        if let Some(r) = active() {
            let (task, sem) = (r.task(), self.id(r));
            r.event(EventKind::PermitRelease {
                task,
                sem,
                left: *left,
            });
        }
        drop(left);
        self.freed.notify_one();
    }

    /// Permits free now.
    pub fn available(&self) -> u32 {
        *self.left.lock()
    }
}

/// A permit held; dropping it gives it back.
#[derive(Debug)]
pub struct SemaphorePermit<'a> {
    sem: &'a Semaphore,
}

impl Drop for SemaphorePermit<'_> {
    fn drop(&mut self) {
        self.sem.release();
    }
}
