//! Per-lane histories for the timeline and the sparklines, built
//! incrementally as events stream in: for each task the steps at which its
//! state changed, for each CPU which task it ran, for each queue its length.
//! Views ask for one window of cells at a time, so nothing is refolded per
//! cell. Also the order of the lanes. Imports only the event contract.

use crate::event::{Catalog, Event, EventKind, ResourceId, TaskId, TaskState};

/// A value that holds from the event at `step` (at `tick`) on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mark<T> {
    /// The index of the event that set it.
    pub step: usize,
    /// The tick of that event.
    pub tick: u64,
    /// The value.
    pub value: T,
}

/// One timeline cell: the value shown, whether its interval starts here,
/// and the best value held for no time at all within the cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell<T> {
    /// The value that wins the cell.
    pub value: T,
    /// The winning interval begins inside this cell.
    pub first: bool,
    /// Of the values entered and left at one tick of this cell (a zero
    /// length interval), the one `better` prefers.
    pub flash: Option<T>,
}

/// Which ticks a row of cells covers, and how much of the trace is visible.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// The first tick of the first cell.
    pub from: u64,
    /// Ticks per cell (at least 1).
    pub per: u64,
    /// The number of cells.
    pub cells: usize,
    /// Events before this index are visible (the cursor).
    pub cursor_step: usize,
    /// The tick of the cursor; later cells stay empty.
    pub cursor_tick: u64,
}

/// The histories of every lane.
#[derive(Debug, Clone, Default)]
pub struct Lanes {
    /// Per task, its state changes.
    pub tasks: Vec<Vec<Mark<TaskState>>>,
    /// Per CPU, the task it runs (None: idle).
    pub cpus: Vec<Vec<Mark<Option<TaskId>>>>,
    /// Per resource, a queue's length after each put or get.
    pub queues: Vec<Vec<Mark<u32>>>,
    /// Per resource, the holder of a GIL or an event loop after each
    /// acquire or release (empty for other resources).
    pub holders: Vec<Vec<Mark<Option<TaskId>>>>,
    /// Per resource: a GIL or a loop, whose holders are kept.
    tracked: Vec<bool>,
    /// Per CPU, its context switches that cost time: (step, tick, ticks).
    pub switches: Vec<Vec<(usize, u64, u32)>>,
    /// The cursor position just after each `Deadlock` event.
    pub deadlock_steps: Vec<usize>,
    /// The index of each `Choice` event.
    pub choice_steps: Vec<usize>,
    /// Ticks of the events, in order, for seeking by tick.
    pub ticks: Vec<u64>,
}

impl Lanes {
    /// Empty histories for a run of `catalog`.
    pub fn new(catalog: &Catalog) -> Lanes {
        Lanes {
            tasks: vec![Vec::new(); catalog.tasks.len()],
            cpus: vec![Vec::new(); catalog.cpus as usize],
            switches: vec![Vec::new(); catalog.cpus as usize],
            queues: vec![Vec::new(); catalog.resources.len()],
            holders: vec![Vec::new(); catalog.resources.len()],
            tracked: catalog.resources.iter().map(|r| r.is_builtin()).collect(),
            ..Lanes::default()
        }
    }

    /// Makes room for the tasks, CPUs and resources `catalog` has declared
    /// since (a real program's trace, followed as it is written).
    pub fn grow(&mut self, catalog: &Catalog) {
        let cpus = catalog.cpus as usize;
        let res = catalog.resources.len();
        self.tasks
            .resize(catalog.tasks.len().max(self.tasks.len()), Vec::new());
        self.cpus.resize(cpus.max(self.cpus.len()), Vec::new());
        self.switches
            .resize(cpus.max(self.switches.len()), Vec::new());
        self.queues.resize(res.max(self.queues.len()), Vec::new());
        self.holders.resize(res.max(self.holders.len()), Vec::new());
        for r in catalog.resources.iter().skip(self.tracked.len()) {
            self.tracked.push(r.is_builtin());
        }
    }

    /// Records the event at index `step`.
    pub fn push(&mut self, step: usize, e: &Event) {
        self.ticks.push(e.tick);
        let tick = e.tick;
        match &e.kind {
            EventKind::State { task, state } => self.state(step, tick, *task, *state),
            EventKind::QueuePut { queue, len, .. } | EventKind::QueueGet { queue, len, .. } => {
                if let Some(q) = self.queues.get_mut(queue.index()) {
                    q.push(Mark {
                        step,
                        tick,
                        value: *len,
                    });
                }
            }
            EventKind::LockAcquire { task, lock, .. } => self.hold(step, tick, *lock, Some(*task)),
            EventKind::LockRelease { lock, depth: 0, .. } => self.hold(step, tick, *lock, None),
            EventKind::Switch { cpu, ticks, .. } => {
                if let Some(sw) = self.switches.get_mut(cpu.index()) {
                    sw.push((step, tick, *ticks));
                }
            }
            EventKind::Deadlock { .. } => self.deadlock_steps.push(step + 1),
            EventKind::Choice { .. } => self.choice_steps.push(step),
            _ => {}
        }
    }

    fn hold(&mut self, step: usize, tick: u64, r: ResourceId, value: Option<TaskId>) {
        if !self.tracked.get(r.index()).copied().unwrap_or(false) {
            return;
        }
        if let Some(h) = self.holders.get_mut(r.index()) {
            if h.last().map(|m| m.value) != Some(value) {
                h.push(Mark { step, tick, value });
            }
        }
    }

    fn state(&mut self, step: usize, tick: u64, task: TaskId, state: TaskState) {
        let Some(lane) = self.tasks.get_mut(task.index()) else {
            return;
        };
        let old = lane.last().map(|m| m.value);
        lane.push(Mark {
            step,
            tick,
            value: state,
        });
        let mut set_cpu = |cpu: usize, value: Option<TaskId>| {
            if let Some(c) = self.cpus.get_mut(cpu) {
                c.push(Mark { step, tick, value });
            }
        };
        if let Some(TaskState::Running { cpu }) = old {
            if !matches!(state, TaskState::Running { cpu: c } if c == cpu) {
                set_cpu(cpu.index(), None);
            }
        }
        if let TaskState::Running { cpu } = state {
            set_cpu(cpu.index(), Some(task));
        }
    }

    /// The number of events recorded.
    pub fn len(&self) -> usize {
        self.ticks.len()
    }

    /// Whether no event was recorded.
    pub fn is_empty(&self) -> bool {
        self.ticks.is_empty()
    }

    /// The cursor position after every event at a tick at or before `tick`.
    pub fn step_after_tick(&self, tick: u64) -> usize {
        self.ticks.partition_point(|&t| t <= tick)
    }

    /// The cursor position before every event at `tick` or later.
    pub fn step_before_tick(&self, tick: u64) -> usize {
        self.ticks.partition_point(|&t| t < tick)
    }

    /// The tick of the last event.
    pub fn last_tick(&self) -> u64 {
        self.ticks.last().copied().unwrap_or(0)
    }
}

/// Lays a history over a window of cells. Each interval a mark opens (up to
/// the next visible mark, or through the cursor's tick) paints the cells it
/// overlaps; of several intervals in one cell, the one `better` prefers wins
/// (a later one on a tie). A zero-length interval (a value entered and left
/// at the same tick) does not win a cell; it is kept as the cell's `flash`.
/// Cells past the cursor stay `None`.
pub fn cells<T: Copy>(
    marks: &[Mark<T>],
    initial: T,
    w: &Window,
    better: impl Fn(&T, &T) -> bool,
) -> Vec<Option<Cell<T>>> {
    let mut out: Vec<Option<Cell<T>>> = vec![None; w.cells];
    let per = w.per.max(1);
    let visible = &marks[..marks.partition_point(|m| m.step < w.cursor_step)];
    let end = (w.from + per * w.cells as u64).min(w.cursor_tick + 1);
    if end <= w.from {
        return out;
    }
    let start = visible.partition_point(|m| m.tick < w.from);
    let (mut value, mut since) = match start.checked_sub(1).and_then(|i| visible.get(i)) {
        Some(m) => (m.value, m.tick),
        None => (initial, 0),
    };
    let mut flashes: Vec<Option<T>> = vec![None; w.cells];
    for m in visible[start..].iter().take_while(|m| m.tick < end) {
        if since == m.tick && since >= w.from {
            let c = ((since - w.from) / per) as usize;
            if let Some(f) = flashes.get_mut(c) {
                if f.is_none_or(|old| better(&value, &old)) {
                    *f = Some(value);
                }
            }
        }
        paint(&mut out, w, (since, m.tick), value, &better);
        value = m.value;
        since = m.tick;
    }
    paint(&mut out, w, (since, end), value, &better);
    for (slot, f) in out.iter_mut().zip(flashes) {
        if let (Some(cell), Some(f)) = (slot.as_mut(), f) {
            cell.flash = Some(f);
        }
    }
    out
}

fn paint<T: Copy>(
    out: &mut [Option<Cell<T>>],
    w: &Window,
    (start, end): (u64, u64),
    value: T,
    better: &impl Fn(&T, &T) -> bool,
) {
    let per = w.per.max(1);
    let lo = start.max(w.from);
    if end <= lo {
        return;
    }
    let first_cell = ((lo - w.from) / per) as usize;
    let last_cell = ((end - 1 - w.from) / per) as usize;
    for (c, slot) in out
        .iter_mut()
        .enumerate()
        .take(last_cell + 1)
        .skip(first_cell)
    {
        let first = start >= w.from && c == first_cell;
        match slot {
            Some(old) if better(&old.value, &value) => {}
            _ => {
                *slot = Some(Cell {
                    value,
                    first,
                    flash: None,
                })
            }
        }
    }
}

/// One row of the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Row {
    /// A process heading its threads (an index into the catalog's processes).
    Process(u32),
    /// A process's GIL: which thread holds it over time.
    Gil(ResourceId),
    /// A task's lane, with its index in [`task_order`].
    Task(usize, TaskId),
    /// A CPU's lane.
    Cpu(u32),
    /// A queue's length over time, under the tasks.
    Queue(ResourceId),
}

/// The tasks in lane order: grouped by process (in the catalog's order),
/// each coroutine right after its loop thread.
pub fn task_order(cat: &Catalog) -> Vec<TaskId> {
    let n = cat.tasks.len() as u32;
    let loop_of = |t: TaskId| cat.tasks[t.index()].event_loop.filter(|l| l.0 < n);
    let mut order = Vec::with_capacity(cat.tasks.len());
    let mut procs: Vec<u32> = cat.tasks.iter().map(|t| t.proc).collect();
    procs.sort_unstable();
    procs.dedup();
    for p in procs {
        for t in (0..n).map(TaskId) {
            if cat.tasks[t.index()].proc != p || loop_of(t).is_some() {
                continue;
            }
            order.push(t);
            order.extend((0..n).map(TaskId).filter(|&c| loop_of(c) == Some(t)));
        }
    }
    // Coroutines whose loop thread is in another process or missing.
    for t in (0..n).map(TaskId) {
        if !order.contains(&t) {
            order.push(t);
        }
    }
    order
}

/// The rows of the timeline: with several processes or a GIL, a header
/// row per process (and its GIL's lane) above its tasks.
pub fn rows(cat: &Catalog, cpu_lanes: bool) -> Vec<Row> {
    if cpu_lanes {
        return (0..cat.cpus).map(Row::Cpu).collect();
    }
    let order = task_order(cat);
    let proc_of = |t: TaskId| cat.tasks[t.index()].proc;
    let grouped = cat.gil
        || cat.processes.len() > 1
        || order.iter().any(|&t| proc_of(t) != proc_of(order[0]));
    let mut out = Vec::new();
    let mut last: Option<u32> = None;
    for (i, &t) in order.iter().enumerate() {
        let p = proc_of(t);
        if grouped && last != Some(p) {
            out.push(Row::Process(p));
            if let Some(g) = cat.processes.get(p as usize).and_then(|x| x.gil) {
                out.push(Row::Gil(g));
            }
            last = Some(p);
        }
        out.push(Row::Task(i, t));
    }
    if grouped {
        // Processes without tasks of their own (a process pool's workers,
        // whose jobs move in as they start): their variables and GIL.
        for (p, info) in cat.processes.iter().enumerate() {
            let p = p as u32;
            if !cat.tasks.iter().any(|t| t.proc == p) {
                out.push(Row::Process(p));
                out.extend(info.gil.map(Row::Gil));
            }
        }
    }
    let queues = cat
        .resources
        .iter()
        .enumerate()
        .filter(|(_, r)| r.is_queue());
    out.extend(queues.map(|(i, _)| Row::Queue(ResourceId(i as u32))));
    out
}

/// How many rows the lanes want.
pub fn rows_needed(cat: &Catalog, cpu_lanes: bool) -> usize {
    rows(cat, cpu_lanes).len()
}
