//! The recorder: a process-wide switch, the ids of tasks and primitives,
//! and a writer thread that gathers the catalog and the events sent to it
//! over a bounded channel and writes them as a trace.
//!
//! The recorded threads never wait for the writer: an event that finds the
//! channel full is dropped and counted (the count is written into the
//! trace's description and printed when the recording ends). Registering a
//! task or a primitive, once each, does wait for room, so that the catalog
//! has no holes.

use std::cell::Cell;
use std::panic::Location;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicU8, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crossbeam_channel::{bounded, Receiver, Sender, TrySendError};

use crate::event::{
    Catalog, Event, EventKind, Outcome, ProcessInfo, ResourceId, ResourceInfo, ScriptInfo, TaskId,
    TaskInfo, TaskState,
};

/// Events in flight between the recorded threads and the writer.
const CHANNEL: usize = 1 << 16;

/// What the recorded threads send to the writer.
pub(super) enum Msg {
    Task(TaskId, TaskInfo),
    Resource(ResourceId, ResourceInfo),
    Event(u64, EventKind),
    /// Write the trace now; answer when it is written.
    Flush(Sender<()>),
}

/// The recording of this process.
pub(super) struct Recorder {
    start: Instant,
    tx: Sender<Msg>,
    dropped: AtomicU64,
    next_task: AtomicU32,
    next_resource: AtomicU32,
    /// A deadlock was recorded: the trace's outcome.
    pub(super) deadlocked: AtomicBool,
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
            deadlocked: AtomicBool::new(false),
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
    rec.flush();
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

    /// This thread's task, registered (and recorded as running) on its
    /// first use of a primitive.
    pub(super) fn task(&'static self) -> TaskId {
        if let Ok(Some(t)) = TASK.try_with(|s| s.id.get()) {
            return t;
        }
        let t = PRESET
            .with(|p| p.take())
            .unwrap_or_else(|| self.new_task_id());
        let name = std::thread::current()
            .name()
            .map_or_else(|| format!("thread-{}", t.0), str::to_string);
        self.register_task(t, name);
        let _ = TASK.try_with(|s| s.id.set(Some(t)));
        t
    }

    /// A task id for a thread about to start (see [`preset_task`]).
    pub(super) fn new_task_id(&self) -> TaskId {
        TaskId(self.next_task.fetch_add(1, Ordering::Relaxed))
    }

    fn register_task(&self, t: TaskId, name: String) {
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
        };
        let _ = self.tx.send(Msg::Task(t, info));
        self.event(EventKind::State {
            task: t,
            state: TaskState::Ready,
        });
        self.event(EventKind::State {
            task: t,
            state: running(t),
        });
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
        let id = ResourceId(self.next_resource.fetch_add(1, Ordering::Relaxed));
        let mut info = ResourceInfo {
            name,
            kind: kind.into(),
            ..ResourceInfo::default()
        };
        more(&mut info);
        let _ = self.tx.send(Msg::Resource(id, info));
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
}

/// The name of a primitive nobody named: its constructor's place.
pub(super) fn place_name(at: &Location<'_>) -> String {
    let file = at.file().rsplit(['/', '\\']).next().unwrap_or(at.file());
    format!("{file}:{}", at.line())
}

/// The writer thread: gathers the catalog and the events, and writes the
/// whole trace at every flush (and when every sender is gone).
fn writer(rx: Receiver<Msg>, path: PathBuf) {
    let mut tasks: Vec<Option<TaskInfo>> = Vec::new();
    let mut resources: Vec<Option<ResourceInfo>> = Vec::new();
    let mut events: Vec<(u64, EventKind)> = Vec::new();
    let write = |tasks: &[Option<TaskInfo>],
                 resources: &[Option<ResourceInfo>],
                 events: &[(u64, EventKind)]| {
        let rec = RECORDER.get();
        let dropped = rec.map_or(0, |r| r.dropped.load(Ordering::Relaxed));
        let deadlocked = rec.is_some_and(|r| r.deadlocked.load(Ordering::Relaxed));
        let (catalog, evs) = trace_of(tasks, resources, events, dropped, deadlocked);
        let tmp = path.with_extension("weft-tmp");
        let ok = std::fs::File::create(&tmp).and_then(|f| {
            let mut out = std::io::BufWriter::new(f);
            crate::trace::write(&mut out, &catalog, &evs)
        });
        if ok.is_ok() {
            let _ = std::fs::rename(&tmp, &path);
        }
        if dropped > 0 {
            eprintln!("weft: {dropped} events were dropped: the recorder fell behind");
        }
    };
    while let Ok(m) = rx.recv() {
        match m {
            Msg::Task(t, info) => put(&mut tasks, t.index(), info),
            Msg::Resource(r, info) => put(&mut resources, r.index(), info),
            Msg::Event(at, kind) => {
                if events.len() < crate::limits::MAX_EVENTS {
                    events.push((at, kind));
                } else if let Some(r) = RECORDER.get() {
                    r.dropped.fetch_add(1, Ordering::Relaxed);
                }
            }
            Msg::Flush(done) => {
                write(&tasks, &resources, &events);
                let _ = done.send(());
            }
        }
    }
}

fn put<T>(v: &mut Vec<Option<T>>, i: usize, x: T) {
    if v.len() <= i {
        v.resize_with(i + 1, || None);
    }
    v[i] = Some(x);
}

/// The trace of what was gathered: ticks of a millisecond, events in time
/// order, each task's first state before its others, and an end.
fn trace_of(
    tasks: &[Option<TaskInfo>],
    resources: &[Option<ResourceInfo>],
    events: &[(u64, EventKind)],
    dropped: u64,
    deadlocked: bool,
) -> (Catalog, Vec<Event>) {
    const TICK_NS: u64 = 1_000_000;
    let tasks: Vec<TaskInfo> = tasks
        .iter()
        .enumerate()
        .map(|(i, t)| {
            t.clone().unwrap_or_else(|| TaskInfo {
                name: format!("thread-{i}"),
                kind: "thread".into(),
                process: "main".into(),
                priority: 0,
                daemon: false,
                script: ScriptInfo::default(),
                proc: 0,
                event_loop: None,
                pool: None,
            })
        })
        .collect();
    let resources: Vec<ResourceInfo> = resources
        .iter()
        .enumerate()
        .map(|(i, r)| {
            r.clone().unwrap_or_else(|| ResourceInfo {
                name: format!("lock-{i}"),
                kind: "mutex".into(),
                ..ResourceInfo::default()
            })
        })
        .collect();
    let mut order: Vec<usize> = (0..events.len()).collect();
    order.sort_by_key(|&i| events[i].0);
    let mut out: Vec<Event> = Vec::with_capacity(events.len() + 1);
    let mut last = 0;
    for i in order {
        let (at, kind) = &events[i];
        let known = kind.task().is_none_or(|t| t.index() < tasks.len());
        if !known {
            continue;
        }
        last = at / TICK_NS;
        out.push(Event {
            seq: out.len() as u64,
            tick: last,
            kind: kind.clone(),
        });
    }
    let outcome = if deadlocked {
        Outcome::Deadlock
    } else {
        Outcome::Completed
    };
    out.push(Event {
        seq: out.len() as u64,
        tick: last,
        kind: EventKind::End { outcome },
    });
    let description = if dropped > 0 {
        format!("A real program recorded by weft::sync; {dropped} events were dropped.")
    } else {
        "A real program recorded by weft::sync.".to_string()
    };
    let catalog = Catalog {
        scenario: std::env::args()
            .next()
            .and_then(|a| a.rsplit('/').next().map(str::to_string))
            .unwrap_or_else(|| "program".into()),
        description,
        path: "weft::sync".into(),
        engine: "live".into(),
        seed: 0,
        cpus: (tasks.len() as u32).clamp(1, crate::limits::MAX_CPUS as u32),
        policy: "os".into(),
        quantum: 1,
        tick_label: "1ms".into(),
        max_ticks: crate::limits::MAX_TICKS as u64,
        tasks,
        resources,
        vars: Vec::new(),
        processes: vec![ProcessInfo {
            name: "main".into(),
            ..ProcessInfo::default()
        }],
        gil: false,
        switch_interval: 0,
        switch_cost: 0,
        expect: None,
    };
    (catalog, out)
}
