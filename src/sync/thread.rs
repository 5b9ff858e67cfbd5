//! Threads whose start, join and end are recorded: `weft::sync::thread::
//! spawn` and `Builder` as std's, with `JoinHandle::join` recorded as a wait
//! on that thread (an edge of the wait-for graph, as a join in a scenario).

use std::panic::Location;

use crate::event::{EventKind, TaskId, TaskState, WaitOn};

use super::recorder::{active, preset_task, running};
use super::watchdog;

/// Spawns a thread, as `std::thread::spawn`.
#[track_caller]
pub fn spawn<F, T>(f: F) -> JoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    match Builder::new().spawn(f) {
        Ok(h) => h,
        Err(e) => panic!("failed to spawn a thread: {e}"),
    }
}

/// A thread's settings, as `std::thread::Builder`.
#[derive(Debug)]
pub struct Builder {
    inner: std::thread::Builder,
    name: Option<String>,
}

impl Default for Builder {
    fn default() -> Builder {
        Builder::new()
    }
}

impl Builder {
    /// Settings for a new thread.
    pub fn new() -> Builder {
        Builder {
            inner: std::thread::Builder::new(),
            name: None,
        }
    }

    /// Its name: the name of its task in the trace.
    pub fn name(self, name: String) -> Builder {
        Builder {
            inner: self.inner.name(name.clone()),
            name: Some(name),
        }
    }

    /// Its stack size in bytes.
    pub fn stack_size(self, size: usize) -> Builder {
        Builder {
            inner: self.inner.stack_size(size),
            name: self.name,
        }
    }

    /// Starts it; with a recording, the spawner and the thread become tasks
    /// and the start is recorded.
    #[track_caller]
    pub fn spawn<F, T>(self, f: F) -> std::io::Result<JoinHandle<T>>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let Some(rec) = active() else {
            let inner = self.inner.spawn(f)?;
            return Ok(JoinHandle { inner, task: None });
        };
        let parent = rec.task();
        let child = rec.declare_task(self.name.clone());
        let inner = self.inner.spawn(move || {
            preset_task(child);
            if let Some(rec) = active() {
                rec.task();
            }
            f()
        })?;
        rec.event(EventKind::Spawn {
            task: parent,
            child,
        });
        Ok(JoinHandle {
            inner,
            task: Some(child),
        })
    }
}

/// A started thread.
#[derive(Debug)]
pub struct JoinHandle<T> {
    inner: std::thread::JoinHandle<T>,
    task: Option<TaskId>,
}

impl<T> JoinHandle<T> {
    /// Waits for the thread to end, as std's `join`; recorded as a wait on
    /// its task.
    #[track_caller]
    pub fn join(self) -> std::thread::Result<T> {
        let (Some(rec), Some(child)) = (active(), self.task) else {
            return self.inner.join();
        };
        if self.inner.is_finished() {
            return self.inner.join();
        }
        let me = rec.task();
        rec.event(EventKind::State {
            task: me,
            state: TaskState::Blocked {
                on: WaitOn::Task(child),
                timed: false,
            },
        });
        watchdog::waiting(me, WaitOn::Task(child), Location::caller());
        let r = self.inner.join();
        watchdog::done_waiting(me);
        rec.event(EventKind::State {
            task: me,
            state: running(me),
        });
        r
    }

    /// The std thread.
    pub fn thread(&self) -> &std::thread::Thread {
        self.inner.thread()
    }
}
