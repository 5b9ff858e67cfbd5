//! Per-lane histories for the timeline and the sparklines, built
//! incrementally as events stream in: for each task the steps at which its
//! state changed, for each CPU which task it ran, for each queue its length.
//! Views ask for one window of cells at a time, so nothing is refolded per
//! cell. Also the order of the lanes. Imports only the event contract.

use crate::event::{Catalog, Event, EventKind, TaskId, TaskState};

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

/// One timeline cell: the value shown, and whether its interval starts here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell<T> {
    /// The value that wins the cell.
    pub value: T,
    /// The winning interval begins inside this cell.
    pub first: bool,
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
            queues: vec![Vec::new(); catalog.resources.len()],
            ..Lanes::default()
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
            EventKind::Deadlock { .. } => self.deadlock_steps.push(step + 1),
            EventKind::Choice { .. } => self.choice_steps.push(step),
            _ => {}
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
/// (a later one on a tie). Zero-length intervals paint nothing. Cells past
/// the cursor stay `None`.
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
    let start = visible.partition_point(|m| m.tick <= w.from);
    let (mut value, mut since) = match start.checked_sub(1).and_then(|i| visible.get(i)) {
        Some(m) => (m.value, m.tick),
        None => (initial, 0),
    };
    for m in visible[start..].iter().take_while(|m| m.tick < end) {
        paint(&mut out, w, (since, m.tick), value, &better);
        value = m.value;
        since = m.tick;
    }
    paint(&mut out, w, (since, end), value, &better);
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
            _ => *slot = Some(Cell { value, first }),
        }
    }
}

/// One row of the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Row {
    /// The name of a process heading its threads.
    Process(String),
    /// A task's lane, with its index in [`task_order`].
    Task(usize, TaskId),
    /// A CPU's lane.
    Cpu(u32),
}

/// The tasks in lane order: grouped by process, in order of first appearance.
pub fn task_order(cat: &Catalog) -> Vec<TaskId> {
    let mut procs: Vec<&str> = Vec::new();
    for t in &cat.tasks {
        if !procs.contains(&t.process.as_str()) {
            procs.push(&t.process);
        }
    }
    let mut order: Vec<TaskId> = (0..cat.tasks.len() as u32).map(TaskId).collect();
    order.sort_by_key(|t| {
        let p = cat.tasks[t.index()].process.as_str();
        procs.iter().position(|x| *x == p)
    });
    order
}

/// The rows of the timeline.
pub fn rows(cat: &Catalog, cpu_lanes: bool) -> Vec<Row> {
    if cpu_lanes {
        return (0..cat.cpus).map(Row::Cpu).collect();
    }
    let order = task_order(cat);
    let grouped = order
        .iter()
        .any(|t| cat.tasks[t.index()].process != cat.tasks[order[0].index()].process);
    let mut out = Vec::new();
    let mut last: Option<&str> = None;
    for (i, &t) in order.iter().enumerate() {
        let p = cat.tasks[t.index()].process.as_str();
        if grouped && last != Some(p) {
            out.push(Row::Process(p.to_string()));
            last = Some(p);
        }
        out.push(Row::Task(i, t));
    }
    out
}

/// How many rows the lanes want.
pub fn rows_needed(cat: &Catalog, cpu_lanes: bool) -> usize {
    rows(cat, cpu_lanes).len()
}
