//! The recorder: a process-wide switch, the ids of tasks and primitives,
//! and each recorded thread's ring of events, which the writer thread
//! ([`super::writer`]) empties and merges into the trace.
//!
//! The recorded threads never wait for the writer: an event is a read of a
//! fast clock (the CPU's time-stamp counter, through quanta) and a push
//! into the thread's own ring; when the ring is full the event is dropped
//! and counted (the count is written into the trace and printed when the
//! recording ends). Registering a task or a primitive, once each, goes over
//! a channel and does wait for room (and takes its id under a lock), so that
//! the trace declares every id, in order, before an event names it.

use std::cell::{Cell, RefCell};
use std::panic::Location;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicU8, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

use crossbeam_channel::{bounded, Sender};
use crossbeam_utils::CachePadded;

use super::writer::{Msg, Rings, Stamp};
use crate::event::{
    EventKind, Outcome, ResourceId, ResourceInfo, ScriptInfo, TaskId, TaskInfo, TaskState,
};

/// Messages in flight between the recorded threads and the writer.
const CHANNEL: usize = 1 << 12;

/// Events a thread's ring holds until the writer takes them, unless
/// `WEFT_RING` says otherwise (within [`RING_RANGE`]).
const RING: usize = 1 << 13;

/// The sizes `WEFT_RING` may set.
const RING_RANGE: std::ops::RangeInclusive<usize> = 4..=(1 << 20);

/// The recording of this process.
pub(super) struct Recorder {
    clock: quanta::Clock,
    /// The clock's reading when the recording started.
    start: u64,
    /// Written by the writer at every round and by the threads that drop
    /// events: each on a cache line of its own, away from what every event
    /// reads (the clock and the start).
    rings: CachePadded<Rings>,
    dropped: CachePadded<AtomicU64>,
    /// Events a thread's ring holds.
    ring: usize,
    tx: Sender<Msg>,
    next_task: AtomicU32,
    next_resource: AtomicU32,
    /// Held while an id is taken and declared, so that the writer gets the
    /// declarations in the order of their ids.
    declaring: parking_lot::Mutex<()>,
}

/// 0: not looked at yet; 1: off; 2: on.
static STATE: AtomicU8 = AtomicU8::new(0);
static RECORDER: OnceLock<Recorder> = OnceLock::new();

thread_local! {
    static TASK: TaskSlot = const { TaskSlot { id: Cell::new(None) } };
    /// This thread's ring of events (made at its first event).
    static OUT: RefCell<Option<rtrb::Producer<Stamp>>> = const { RefCell::new(None) };
}

/// This thread's task; its end is recorded when the thread exits.
struct TaskSlot {
    id: Cell<Option<TaskId>>,
}

impl Drop for TaskSlot {
    fn drop(&mut self) {
        if let (Some(t), Some(rec)) = (self.id.get(), active()) {
            super::watchdog::task_ended(t);
            rec.event(EventKind::State {
                task: t,
                state: TaskState::Done,
            });
        }
    }
}

/// The recorder, when recording: one relaxed load once it is known.
#[inline]
pub(super) fn active() -> Option<&'static Recorder> {
    match STATE.load(Ordering::Relaxed) {
        1 => None,
        2 => RECORDER.get(),
        _ => start_from_env(),
    }
}

#[cold]
fn start_from_env() -> Option<&'static Recorder> {
    match std::env::var_os("WEFT_TRACE").filter(|p| !p.is_empty()) {
        Some(path) => start(PathBuf::from(path), true).ok(),
        None => {
            let _ = STATE.compare_exchange(0, 1, Ordering::Relaxed, Ordering::Relaxed);
            RECORDER.get()
        }
    }
}

/// Starts the one recording of this process (idempotent).
fn start(path: PathBuf, at_exit: bool) -> std::io::Result<&'static Recorder> {
    if let Some(r) = RECORDER.get() {
        return Ok(r);
    }
    // Fail early, in the caller, when the file cannot be written.
    std::fs::write(&path, b"")?;
    let (tx, rx) = bounded(CHANNEL);
    let rec = RECORDER.get_or_init(|| {
        std::thread::Builder::new()
            .name("weft-recorder".into())
            .spawn(move || {
                // The recorder is set as soon as this closure returns.
                let rec = loop {
                    match RECORDER.get() {
                        Some(r) => break r,
                        None => std::thread::yield_now(),
                    }
                };
                super::writer::writer(rx, path, rec);
            })
            .ok();
        let clock = quanta::Clock::new();
        Recorder {
            start: clock.raw(),
            clock,
            rings: CachePadded::new(Rings::default()),
            tx,
            dropped: CachePadded::new(AtomicU64::new(0)),
            ring: std::env::var("WEFT_RING")
                .ok()
                .and_then(|v| v.parse().ok())
                .filter(|n| RING_RANGE.contains(n))
                .unwrap_or(RING),
            next_task: AtomicU32::new(0),
            next_resource: AtomicU32::new(0),
            declaring: parking_lot::Mutex::new(()),
        }
    });
    STATE.store(2, Ordering::Relaxed);
    super::watchdog::start();
    if at_exit {
        flush_at_exit();
    }
    Ok(rec)
}

/// Flushes the trace when the process exits (`WEFT_TRACE` without a
/// [`Recording`] to drop).
#[allow(unsafe_code)]
fn flush_at_exit() {
    extern "C" fn on_exit() {
        finish_now();
    }
    extern "C" {
        fn atexit(f: extern "C" fn()) -> std::os::raw::c_int;
    }
    // SAFETY: registers a plain function, with no arguments, that the C
    // library calls once at `exit`; it only sends on a channel and waits.
    unsafe {
        atexit(on_exit);
    }
}

/// Records this thread's end if it has a task, then writes the trace.
fn finish_now() {
    let Some(rec) = RECORDER.get() else { return };
    if let Ok(Some(t)) = TASK.try_with(|s| s.id.take()) {
        rec.event(EventKind::State {
            task: t,
            state: TaskState::Done,
        });
    }
    rec.end(Outcome::Completed);
}

/// A recording to a trace file; dropping it (or [`Recording::finish`])
/// records the calling thread's end and writes the file.
#[derive(Debug)]
pub struct Recording {
    done: bool,
}

/// Starts recording this process to the trace file at `path` (the format
/// `weft replay` reads). With `WEFT_TRACE` set, that path wins, so that a
/// tool watching the program gets the trace. One recording a process: a
/// second call returns a handle to the first.
pub fn record(path: impl Into<PathBuf>) -> std::io::Result<Recording> {
    let path = match std::env::var_os("WEFT_TRACE").filter(|p| !p.is_empty()) {
        Some(p) => PathBuf::from(p),
        None => path.into(),
    };
    start(path, false)?;
    Ok(Recording { done: false })
}

impl Recording {
    /// Records the calling thread's end and writes the trace now.
    pub fn finish(mut self) {
        self.done = true;
        finish_now();
    }

    /// Events dropped so far because the writer fell behind.
    pub fn dropped(&self) -> u64 {
        RECORDER
            .get()
            .map_or(0, |r| r.dropped.load(Ordering::Relaxed))
    }
}

impl Drop for Recording {
    fn drop(&mut self) {
        if !self.done {
            finish_now();
        }
    }
}

impl Recorder {
    /// Nanoseconds since the recording started.
    pub(super) fn now(&self) -> u64 {
        self.clock.delta_as_nanos(self.start, self.clock.raw())
    }

    /// Records an event of this thread: into its ring, or dropped and
    /// counted when the ring is full. A thread whose ring is already gone
    /// (it is ending) sends it over the channel.
    #[inline]
    pub(super) fn event(&self, kind: EventKind) {
        let mut item = Some((self.clock.raw(), kind));
        let pushed = OUT.try_with(|out| {
            let mut out = out.borrow_mut();
            let ring = out.get_or_insert_with(|| self.new_ring());
            if let Some(item) = item.take() {
                if ring.push(item).is_err() {
                    self.count_dropped(1);
                }
            }
        });
        if let (Err(_), Some((raw, kind))) = (pushed, item) {
            let at = self.clock.delta_as_nanos(self.start, raw);
            if self.tx.try_send(Msg::Event(at, kind)).is_err() {
                self.count_dropped(1);
            }
        }
    }

    /// A new ring for this thread, registered with the writer.
    #[cold]
    fn new_ring(&self) -> rtrb::Producer<Stamp> {
        let (tx, rx) = rtrb::RingBuffer::new(self.ring);
        self.rings.lock().push(rx);
        tx
    }

    /// Moves the events of every ring into `into`, as (nanoseconds since
    /// the start, what), forgetting the rings of threads that have ended
    /// once they are empty; whether it took any.
    pub(super) fn drain_rings(&self, into: &mut Vec<(u64, EventKind)>) -> bool {
        let before = into.len();
        let mut rings = self.rings.lock();
        for ring in rings.iter_mut() {
            // All that is there, taken at once.
            let Ok(chunk) = ring.read_chunk(ring.slots()) else {
                continue;
            };
            into.extend(
                chunk
                    .into_iter()
                    .map(|(raw, kind)| (self.clock.delta_as_nanos(self.start, raw), kind)),
            );
        }
        rings.retain(|r| !(r.is_abandoned() && r.is_empty()));
        into.len() > before
    }

    /// Counts events that could not be recorded.
    pub(super) fn count_dropped(&self, n: u64) {
        self.dropped.fetch_add(n, Ordering::Relaxed);
    }

    /// Events dropped so far.
    pub(super) fn dropped_so_far(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// This thread's task: declared (and recorded as running) on its
    /// first use of a primitive, or at its spawn by `weft::sync::thread`.
    pub(super) fn task(&'static self) -> TaskId {
        if let Ok(Some(t)) = TASK.try_with(|s| s.id.get()) {
            return t;
        }
        let t = match PRESET.with(|p| p.take()) {
            Some(t) => t,
            None => {
                let name = std::thread::current().name().map(str::to_string);
                self.declare_task(name)
            }
        };
        let _ = TASK.try_with(|s| s.id.set(Some(t)));
        if let Some(id) = os_thread_id() {
            let _ = self.tx.send(Msg::OsId(t, id));
        }
        self.event(EventKind::State {
            task: t,
            state: TaskState::Ready,
        });
        self.event(EventKind::State {
            task: t,
            state: running(t),
        });
        t
    }

    /// Declares a task named `name` (else `thread-N`): its id.
    pub(super) fn declare_task(&self, name: Option<String>) -> TaskId {
        let _order = self.declaring.lock();
        let t = TaskId(self.next_task.fetch_add(1, Ordering::Relaxed));
        let name = name.unwrap_or_else(|| format!("thread-{}", t.0));
        super::watchdog::name_task(t, &name);
        let info = TaskInfo {
            name,
            kind: "thread".into(),
            process: "main".into(),
            priority: 0,
            daemon: false,
            script: ScriptInfo::default(),
            proc: 0,
            event_loop: None,
            pool: None,
            os_id: None,
        };
        let _ = self.tx.send(Msg::Task(info));
        t
    }

    /// Registers a primitive: its id.
    pub(super) fn resource(&self, name: String, kind: &str) -> ResourceId {
        self.resource_with(name, kind, |_| {})
    }

    /// Registers a primitive with more of its description set by `more`.
    pub(super) fn resource_with(
        &self,
        name: String,
        kind: &str,
        more: impl FnOnce(&mut ResourceInfo),
    ) -> ResourceId {
        let _order = self.declaring.lock();
        let id = ResourceId(self.next_resource.fetch_add(1, Ordering::Relaxed));
        let mut info = ResourceInfo {
            name,
            kind: kind.into(),
            ..ResourceInfo::default()
        };
        more(&mut info);
        let _ = self.tx.send(Msg::Resource(info));
        id
    }

    /// Ends the trace with `outcome` (the first end counts) and writes it.
    pub(super) fn end(&self, outcome: Outcome) {
        let _ = self.tx.send(Msg::End(outcome));
        self.flush();
    }

    /// Registers a lock (a single-owner primitive) and gives the watchdog
    /// its name and the cell that says who holds it: its id.
    pub(super) fn lock_resource(
        &self,
        name: String,
        kind: &str,
        more: impl FnOnce(&mut ResourceInfo),
        owner: &std::sync::Arc<AtomicU32>,
    ) -> ResourceId {
        let id = self.resource_with(name.clone(), kind, more);
        super::watchdog::lock_registered(id, &name, owner.clone());
        id
    }

    /// Waits until everything sent so far is written.
    pub(super) fn flush(&self) {
        let (done_tx, done_rx) = bounded(1);
        if self.tx.send(Msg::Flush(done_tx)).is_ok() {
            let _ = done_rx.recv_timeout(Duration::from_secs(10));
        }
    }
}

thread_local! {
    /// The task id a spawning thread chose for this thread.
    static PRESET: Cell<Option<TaskId>> = const { Cell::new(None) };
}

/// In a thread just started by [`super::thread`]: take the id its spawner
/// chose, so that a join waits on the right task.
pub(super) fn preset_task(t: TaskId) {
    PRESET.with(|p| p.set(Some(t)));
}

/// A task's running state: a real thread has no virtual CPU, so each task
/// gets a CPU lane of its own (modulo the limit of lanes).
pub(super) fn running(t: TaskId) -> TaskState {
    TaskState::Running {
        cpu: crate::event::CpuId(t.0 % crate::limits::MAX_CPUS as u32),
    }
}

impl Recorder {
    /// `task` waits on `on` (timed or not).
    pub(super) fn blocked(&self, task: TaskId, on: crate::event::WaitOn, timed: bool) {
        self.event(EventKind::State {
            task,
            state: TaskState::Blocked { on, timed },
        });
    }

    /// `task` runs again after a wait.
    pub(super) fn resumed(&self, task: TaskId) {
        self.event(EventKind::State {
            task,
            state: running(task),
        });
    }

    /// A hold of `lock`: at once when `now` gives one; else recorded as
    /// `task` waiting on it (`on`; timed or not), the watchdog told of an
    /// untimed wait made at `at`, until `later` gives one (`None`: it
    /// timed out).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn take_lock<G>(
        &self,
        task: TaskId,
        lock: ResourceId,
        on: crate::event::WaitOn,
        timed: bool,
        at: &'static Location<'static>,
        now: impl FnOnce() -> Option<G>,
        later: impl FnOnce() -> Option<G>,
    ) -> Option<G> {
        if let Some(g) = now() {
            return Some(g);
        }
        // Where the program waits, once a wait: the wait is slow already.
        let _ = self
            .tx
            .send(Msg::WaitAt(task, format!("{}:{}", at.file(), at.line())));
        self.event(EventKind::LockWait { task, lock });
        self.blocked(task, on, timed);
        if !timed {
            super::watchdog::waiting(task, on, at);
        }
        let g = later();
        super::watchdog::done_waiting(task);
        if g.is_none() {
            self.event(EventKind::WaitTimeout { task, on });
        }
        self.resumed(task);
        g
    }
}

/// This thread's id in the operating system (Linux's TID, read once a
/// thread from `/proc/thread-self`); `None` where there is no such file.
pub(crate) fn os_thread_id() -> Option<u64> {
    let link = std::fs::read_link("/proc/thread-self").ok()?;
    link.file_name()?.to_str()?.parse().ok()
}

/// The name of a primitive nobody named: its constructor's place.
pub(super) fn place_name(at: &Location<'_>) -> String {
    let file = at.file().rsplit(['/', '\\']).next().unwrap_or(at.file());
    format!("{file}:{}", at.line())
}
