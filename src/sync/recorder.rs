//! The recorder: a process-wide switch, the ids of tasks and primitives,
//! and a writer thread that gathers the catalog and the events sent to it
//! over a bounded channel and writes them as a trace.
//!
//! The recorded threads never wait for the writer: an event that finds the
//! channel full is dropped and counted (the count is written into the
//! trace's description and printed when the recording ends). Registering a
//! task or a primitive, once each, does wait for room (and takes its id
//! under a lock), so that the trace declares every id, in order, before an
//! event names it.

use std::cell::Cell;
use std::panic::Location;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicU8, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crossbeam_channel::{bounded, Receiver, Sender, TrySendError};

use crate::event::lines::Declaration;
use crate::event::{
    Catalog, Event, EventKind, Outcome, ProcessInfo, ResourceId, ResourceInfo, ScriptInfo, TaskId,
    TaskInfo, TaskState,
};

/// Events in flight between the recorded threads and the writer.
const CHANNEL: usize = 1 << 16;

/// What the recorded threads send to the writer.
pub(super) enum Msg {
    Task(TaskInfo),
    Resource(ResourceInfo),
    Event(u64, EventKind),
    /// A task's id in the operating system.
    OsId(TaskId, u64),
    /// Write what was sent so far; answer when it is written.
    Flush(Sender<()>),
    /// The run is over, with this outcome: written last.
    End(Outcome),
}

/// The recording of this process.
pub(super) struct Recorder {
    start: Instant,
    tx: Sender<Msg>,
    dropped: AtomicU64,
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
            .spawn(move || writer(rx, path))
            .ok();
        Recorder {
            start: Instant::now(),
            tx,
            dropped: AtomicU64::new(0),
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
        self.start.elapsed().as_nanos().min(u128::from(u64::MAX)) as u64
    }

    /// Sends an event; drops and counts it when the writer is behind.
    pub(super) fn event(&self, kind: EventKind) {
        let at = self.now();
        if let Err(TrySendError::Full(_)) = self.tx.try_send(Msg::Event(at, kind)) {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
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
fn os_thread_id() -> Option<u64> {
    let link = std::fs::read_link("/proc/thread-self").ok()?;
    link.file_name()?.to_str()?.parse().ok()
}

/// The name of a primitive nobody named: its constructor's place.
pub(super) fn place_name(at: &Location<'_>) -> String {
    let file = at.file().rsplit(['/', '\\']).next().unwrap_or(at.file());
    format!("{file}:{}", at.line())
}

/// The writer thread: writes the header, then each declaration and event
/// as it comes (ticks of a millisecond, never going back), flushing at
/// every `Flush`, and the end when told; the file is complete after it.
fn writer(rx: Receiver<Msg>, path: PathBuf) {
    let tick_ns = tick_ns();
    let Ok(file) = std::fs::File::create(&path) else {
        eprintln!("weft: cannot write the trace {}", path.display());
        return;
    };
    let mut out = std::io::BufWriter::new(file);
    let _ = crate::event::lines::write_header(&mut out, &live_catalog(tick_ns));
    let mut seq = 0u64;
    let mut tick = 0u64;
    let mut ns = 0u64;
    let mut ended = false;
    let mut dropped_said = 0;
    let mut dropped_written = 0;
    let dropped_now = || {
        RECORDER
            .get()
            .map_or(0, |r| r.dropped.load(Ordering::Relaxed))
    };
    // The count of dropped events, written when it has grown (at a flush
    // and before the end), so that a reader following the trace sees it.
    let mut write_dropped = |out: &mut std::io::BufWriter<std::fs::File>| {
        let dropped = dropped_now();
        if dropped > dropped_written {
            dropped_written = dropped;
            return crate::event::lines::write_declaration(
                out,
                &Declaration::DroppedEvents(dropped),
            );
        }
        Ok(())
    };
    while let Ok(m) = rx.recv() {
        let line = match m {
            Msg::OsId(task, id) => {
                crate::event::lines::write_declaration(&mut out, &Declaration::OsId { task, id })
            }
            Msg::Task(info) => {
                crate::event::lines::write_declaration(&mut out, &Declaration::Task(info))
            }
            Msg::Resource(info) => {
                crate::event::lines::write_declaration(&mut out, &Declaration::Resource(info))
            }
            Msg::Event(..) | Msg::End(_) if ended => Ok(()),
            Msg::Event(..) if seq as usize >= crate::limits::MAX_EVENTS => {
                if let Some(r) = RECORDER.get() {
                    r.dropped.fetch_add(1, Ordering::Relaxed);
                }
                Ok(())
            }
            Msg::Event(at, kind) => {
                // Events of different threads may come a little out of
                // order: time never goes back in the trace.
                ns = ns.max(at);
                tick = tick.max(ns / tick_ns);
                let e = Event { seq, tick, kind };
                seq += 1;
                crate::event::lines::write_stamped(&mut out, &e, ns)
            }
            Msg::End(outcome) => {
                ended = true;
                let e = Event {
                    seq,
                    tick,
                    kind: EventKind::End { outcome },
                };
                seq += 1;
                write_dropped(&mut out)
                    .and_then(|()| crate::event::lines::write_stamped(&mut out, &e, ns))
            }
            Msg::Flush(done) => {
                let r = write_dropped(&mut out).and_then(|()| std::io::Write::flush(&mut out));
                let dropped = dropped_now();
                if dropped > dropped_said {
                    eprintln!("weft: {dropped} events were dropped: the recorder fell behind");
                    dropped_said = dropped;
                }
                let _ = done.send(());
                r
            }
        };
        // Nothing more is waiting: what was written goes to the file now,
        // so that a reader following it (`weft watch`) is not held back
        // by the buffer; under load the writes stay batched.
        let line = line.and_then(|()| {
            if rx.is_empty() {
                std::io::Write::flush(&mut out)
            } else {
                Ok(())
            }
        });
        if line.is_err() {
            eprintln!("weft: writing the trace {} failed", path.display());
            return;
        }
    }
}

/// The shortest and the longest tick `WEFT_TICK` may set.
const TICK_RANGE: std::ops::RangeInclusive<u64> = 1_000..=10_000_000_000;

/// The length of the trace's tick: `WEFT_TICK` (`100us`, `10ms`) when it
/// is a duration from 1µs to 10s, else 1 ms (said on stderr).
fn tick_ns() -> u64 {
    const DEFAULT: u64 = 1_000_000;
    let Some(text) = std::env::var_os("WEFT_TICK") else {
        return DEFAULT;
    };
    let text = text.to_string_lossy();
    match crate::event::parse_duration(&text) {
        Some(ns) if TICK_RANGE.contains(&ns) => ns,
        _ => {
            eprintln!(
                "weft: WEFT_TICK={text} is not a duration from 1us to 10s (such as 100us or 10ms); \
                 the tick is 1ms"
            );
            DEFAULT
        }
    }
}

/// The header of a real program's trace: its tasks and resources come as
/// declarations; it may use up to `MAX_CPUS` CPU lanes (one a thread), and
/// the reader keeps those its events use.
fn live_catalog(tick_ns: u64) -> Catalog {
    Catalog {
        scenario: std::env::args()
            .next()
            .and_then(|a| a.rsplit(['/', '\\']).next().map(str::to_string))
            .unwrap_or_else(|| "program".into()),
        description: "A real program, recorded by weft::sync.".into(),
        path: "weft::sync".into(),
        engine: "live".into(),
        seed: 0,
        cpus: crate::limits::MAX_CPUS as u32,
        policy: "os".into(),
        quantum: 1,
        tick_label: crate::event::format_duration(tick_ns),
        max_ticks: crate::limits::MAX_TICKS as u64,
        tasks: Vec::new(),
        resources: Vec::new(),
        vars: Vec::new(),
        processes: vec![ProcessInfo {
            name: "main".into(),
            ..ProcessInfo::default()
        }],
        gil: false,
        switch_interval: 0,
        switch_cost: 0,
        expect: None,
    }
}
