//! `weft::sync`: drop-in primitives for real Rust programs that record what
//! they do as weft events, so that a program's own threads, locks and
//! deadlocks can be replayed in the TUI (`weft replay TRACE`).
//!
//! Without a recording (no [`record`], no `WEFT_TRACE`) each operation costs
//! one check of an atomic flag over the parking_lot primitive it wraps.
//! With one, every thread that touches a primitive becomes a task, and each
//! operation records the events the simulator records for it (waits,
//! acquisitions, releases, a thread's start, join and end), into the same
//! event contract, so that the trace, the world, the wait-for analysis, the
//! reports and the views work on a real run unchanged. A watchdog thread
//! names a deadlock of the recorded primitives on stderr within a second.
//!
//! This module depends on `crate::event` (its `lines` write the trace) and
//! `crate::limits`, nothing above them: it knows nothing of the trace's
//! reader, the analysis or the TUI.

mod barrier;
pub mod channel;
mod condvar;
mod mutex;
mod recorder;
mod reentrant;
mod rwlock;
mod semaphore;
pub mod thread;
mod watchdog;
mod writer;

pub use barrier::{Barrier, Event};
pub use condvar::Condvar;
pub use mutex::{Mutex, MutexGuard};
#[cfg(feature = "app")]
pub(crate) use recorder::os_thread_id;
pub use recorder::{record, Recording};
pub use reentrant::{ReentrantMutex, ReentrantMutexGuard};
pub use rwlock::{ReadGuard, RwLock, WriteGuard};
pub use semaphore::{Semaphore, SemaphorePermit};

/// Sleeps, as `std::thread::sleep`; recorded as the task sleeping.
pub fn sleep(d: std::time::Duration) {
    let Some(rec) = recorder::active() else {
        return std::thread::sleep(d);
    };
    let task = rec.task();
    rec.event(crate::event::EventKind::State {
        task,
        state: crate::event::TaskState::Sleeping { io: false },
    });
    std::thread::sleep(d);
    rec.event(crate::event::EventKind::State {
        task,
        state: recorder::running(task),
    });
}
