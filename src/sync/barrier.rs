//! `Barrier` and `Event`, on a parking_lot mutex and condition variable:
//! a barrier records each arrival (the `arrived`-th of its parties) and
//! the wait for the rest; an event its set and clear and the waits for it
//! to be set. Neither wait has a single owner: the watchdog leaves them out.

use std::panic::Location;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::event::{EventKind, ResourceId, WaitOn};

use super::mutex::Name;
use super::recorder::{active, Recorder};

/// A barrier for `n` threads: each waits until all `n` have arrived.
pub struct Barrier {
    name: Name,
    parties: u32,
    id: OnceLock<ResourceId>,
    /// (arrived this round, round)
    state: parking_lot::Mutex<(u32, u64)>,
    passed: parking_lot::Condvar,
}

impl std::fmt::Debug for Barrier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Barrier({})", self.name.text())
    }
}

impl Barrier {
    /// A barrier for `n` threads, named after the place of this call.
    #[track_caller]
    pub fn new(n: u32) -> Barrier {
        Barrier::with_name(Name::At(Location::caller()), n)
    }

    /// A barrier for `n` threads with a name of its own.
    pub fn named(name: impl Into<String>, n: u32) -> Barrier {
        Barrier::with_name(Name::Given(name.into()), n)
    }

    fn with_name(name: Name, n: u32) -> Barrier {
        Barrier {
            name,
            parties: n.max(1),
            id: OnceLock::new(),
            state: parking_lot::Mutex::new((0, 0)),
            passed: parking_lot::Condvar::new(),
        }
    }

    fn id(&self, rec: &Recorder) -> ResourceId {
        *self.id.get_or_init(|| {
            rec.resource_with(self.name.text(), "barrier", |r| {
                r.permits = Some(self.parties)
            })
        })
    }

    /// Arrives and waits for the others; true for one of them (the last
    /// to arrive), as std's leader.
    pub fn wait(&self) -> bool {
        let rec = active();
        let mut st = self.state.lock();
        st.0 += 1;
        let arrived = st.0;
        let me = rec.map(|r| (r, r.task(), self.id(r)));
        if let Some((r, task, barrier)) = me {
            r.event(EventKind::BarrierWait {
                task,
                barrier,
                arrived,
            });
        }
        if arrived >= self.parties {
            *st = (0, st.1 + 1);
            drop(st);
            self.passed.notify_all();
            return true;
        }
        let round = st.1;
        if let Some((r, task, barrier)) = me {
            r.blocked(task, WaitOn::Barrier(barrier), false);
        }
        while st.1 == round {
            self.passed.wait(&mut st);
        }
        if let Some((r, task, _)) = me {
            r.resumed(task);
        }
        false
    }
}

/// A flag threads can wait for, as Python's `threading.Event`.
pub struct Event {
    name: Name,
    id: OnceLock<ResourceId>,
    set: parking_lot::Mutex<bool>,
    changed: parking_lot::Condvar,
}

impl Default for Event {
    #[track_caller]
    fn default() -> Event {
        Event::new()
    }
}

impl std::fmt::Debug for Event {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Event({})", self.name.text())
    }
}

impl Event {
    /// A clear event, named after the place of this call.
    #[track_caller]
    pub fn new() -> Event {
        Event::with_name(Name::At(Location::caller()))
    }

    /// A clear event with a name of its own.
    pub fn named(name: impl Into<String>) -> Event {
        Event::with_name(Name::Given(name.into()))
    }

    fn with_name(name: Name) -> Event {
        Event {
            name,
            id: OnceLock::new(),
            set: parking_lot::Mutex::new(false),
            changed: parking_lot::Condvar::new(),
        }
    }

    fn id(&self, rec: &Recorder) -> ResourceId {
        *self.id.get_or_init(|| {
            rec.resource_with(self.name.text(), "event", |r| r.initially_set = Some(false))
        })
    }

    /// Sets the flag; every waiter wakes.
    pub fn set(&self) {
        *self.set.lock() = true;
        if let Some(r) = active() {
            let (task, event) = (r.task(), self.id(r));
            r.event(EventKind::FlagSet { task, event });
        }
        self.changed.notify_all();
    }

    /// Clears the flag.
    pub fn clear(&self) {
        *self.set.lock() = false;
        if let Some(r) = active() {
            let (task, event) = (r.task(), self.id(r));
            r.event(EventKind::FlagClear { task, event });
        }
    }

    /// Whether the flag is set.
    pub fn is_set(&self) -> bool {
        *self.set.lock()
    }

    /// Waits until the flag is set.
    pub fn wait(&self) {
        self.wait_inner(None);
    }

    /// Waits at most `d` for the flag; true when it timed out (the flag
    /// still clear).
    pub fn wait_for(&self, d: Duration) -> bool {
        self.wait_inner(Some(d))
    }

    fn wait_inner(&self, d: Option<Duration>) -> bool {
        let mut set = self.set.lock();
        if *set {
            return false;
        }
        let me = active().map(|r| (r, r.task(), self.id(r)));
        if let Some((r, task, ev)) = me {
            r.blocked(task, WaitOn::Flag(ev), d.is_some());
        }
        let until = d.map(|d| Instant::now() + d);
        let mut timed_out = false;
        while !*set {
            match until {
                Some(u) => {
                    if self.changed.wait_until(&mut set, u).timed_out() {
                        timed_out = !*set;
                        break;
                    }
                }
                None => self.changed.wait(&mut set),
            }
        }
        if let Some((r, task, ev)) = me {
            if timed_out {
                r.event(EventKind::WaitTimeout {
                    task,
                    on: WaitOn::Flag(ev),
                });
            }
            r.resumed(task);
        }
        timed_out
    }
}
