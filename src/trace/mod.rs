//! The event log of a run: its [`Catalog`], its events, checkpoints of the
//! fold for fast seeking, and the JSON Lines trace format.
//!
//! Imports only the event contract.

mod check;
pub mod compare;
pub mod follow;
mod jsonl;
mod lookup;
mod resources;
mod world;

pub use check::{check_catalog, check_ids};
pub use jsonl::{
    read, write, write_declaration, write_event, write_header, Declaration, TraceError,
};
pub use resources::{
    BarrierState, ConditionState, FlagState, LockState, PoolState, PrimState, QueueState,
    ResourceState, RwLockState, SemaphoreState, Waiting,
};
pub use world::{CpuView, DeadlockFound, StateTicks, TaskView, World};

use crate::event::{Catalog, Event};

/// A checkpoint of the fold is kept every this many events (at the least:
/// see [`CHECKPOINT_BYTES_PER_EVENT`]).
pub const CHECKPOINT_EVERY: usize = 4096;

/// The checkpoints of a world of more than `CHECKPOINT_EVERY` times this
/// many bytes are further apart: one every (its bytes / this) events, so
/// that they take about this many bytes per event, and a seek folds at
/// most that many events.
pub const CHECKPOINT_BYTES_PER_EVENT: usize = 4;

/// A run's events with checkpoints of the fold.
#[derive(Debug, Clone)]
pub struct Trace {
    /// The names behind the ids.
    pub catalog: Catalog,
    events: Vec<Event>,
    /// Worlds after some of the events, in order, the first after none:
    /// each one after `step` events.
    checkpoints: Vec<World>,
    /// The world after every event so far.
    last: World,
    /// Events between checkpoints (the fewest, when `scaled`).
    every: usize,
    /// Checkpoints of a large world are further apart (see
    /// [`CHECKPOINT_BYTES_PER_EVENT`]).
    scaled: bool,
    /// The number of events after which the next checkpoint is kept.
    next_checkpoint: usize,
    /// Events a real program's recorder dropped (its writer fell behind).
    pub dropped_events: u64,
    /// A real program's trace: each event's time in nanoseconds since the
    /// recording started (empty when the events have none).
    ns: Vec<u64>,
    /// A real program's trace: the places of its waits, each once.
    places: Vec<String>,
    place_ids: std::collections::HashMap<String, u32>,
    /// Per task, the places of its waits declared and not yet given to a
    /// `blocked` state (at most [`MAX_DUE`] a task).
    sites_due: Vec<std::collections::VecDeque<u32>>,
    /// The place of the wait of each `blocked` state that has one, by the
    /// event's index.
    sites: std::collections::HashMap<usize, u32>,
}

/// The most places of waits a trace may name.
pub const MAX_PLACES: usize = 1 << 16;

/// The most places of a task's waits kept waiting for its `blocked` state.
const MAX_DUE: usize = 1024;

impl Trace {
    /// An empty trace for a run of `catalog`, keeping a checkpoint every
    /// [`CHECKPOINT_EVERY`] events, or more events apart for a large world.
    pub fn new(catalog: Catalog) -> Trace {
        Trace::spaced(catalog, CHECKPOINT_EVERY, true)
    }

    /// An empty trace keeping a checkpoint every `every` events (at least 1).
    pub fn with_checkpoints_every(catalog: Catalog, every: usize) -> Trace {
        Trace::spaced(catalog, every, false)
    }

    fn spaced(catalog: Catalog, every: usize, scaled: bool) -> Trace {
        let start = World::new(&catalog);
        let mut trace = Trace {
            catalog,
            events: Vec::new(),
            checkpoints: Vec::new(),
            last: start,
            every: every.max(1),
            scaled,
            next_checkpoint: 0,
            dropped_events: 0,
            ns: Vec::new(),
            places: Vec::new(),
            place_ids: std::collections::HashMap::new(),
            sites_due: Vec::new(),
            sites: std::collections::HashMap::new(),
        };
        trace.checkpoint();
        trace
    }

    /// Keeps the world after every event so far as a checkpoint, and sets
    /// when the next one is due.
    fn checkpoint(&mut self) {
        let n = self.last.step;
        let gap = if self.scaled {
            self.every
                .max(self.last.heap_bytes() / CHECKPOINT_BYTES_PER_EVENT)
        } else {
            self.every
        };
        self.checkpoints.push(self.last.clone());
        self.next_checkpoint = n.saturating_add(gap);
    }

    /// A trace holding `events` (the same vector: they are folded, not copied).
    pub fn from_events(catalog: Catalog, events: Vec<Event>) -> Trace {
        let mut trace = Trace::new(catalog);
        for (index, e) in events.iter().enumerate() {
            trace.fold(e, index);
        }
        trace.events = events;
        // Give back the room the growing vector kept.
        trace.events.shrink_to_fit();
        trace
    }

    /// Appends an event with its time in nanoseconds, when it has one. Once
    /// one event has a time, every event has: one without gets the time of
    /// the one before (and those before the first, the start of their tick).
    pub fn push_at(&mut self, event: Event, ns: Option<u64>) {
        if ns.is_some() || !self.ns.is_empty() {
            if self.ns.is_empty() {
                let tick_ns = self.catalog.tick_ns().unwrap_or(0);
                self.ns = self
                    .events
                    .iter()
                    .map(|e| e.tick.saturating_mul(tick_ns))
                    .collect();
            }
            let before = self.ns.last().copied().unwrap_or(0);
            self.ns.push(ns.unwrap_or(before).max(before));
        }
        self.fold(&event, self.events.len());
        self.events.push(event);
    }

    /// Folds in the event at `index`: the place of its wait, if it is a
    /// `blocked` state with one due, the world, and a checkpoint when due.
    fn fold(&mut self, event: &Event, index: usize) {
        if let crate::event::EventKind::State {
            task,
            state: crate::event::TaskState::Blocked { .. },
        } = event.kind
        {
            if let Some(at) = self
                .sites_due
                .get_mut(task.index())
                .and_then(std::collections::VecDeque::pop_front)
            {
                self.sites.insert(index, at);
            }
        }
        self.last.apply(event);
        if self.last.step >= self.next_checkpoint {
            self.checkpoint();
        }
    }

    /// Where in the program the wait that the event at `step` (a `blocked`
    /// state) began was made, when the trace says (`file.rs:LINE`).
    pub fn wait_site(&self, step: usize) -> Option<&str> {
        let id = *self.sites.get(&step)?;
        self.places.get(id as usize).map(String::as_str)
    }

    /// The time of the event at `step` in nanoseconds, in a trace whose
    /// events have times.
    pub fn ns_at(&self, step: usize) -> Option<u64> {
        self.ns.get(step).copied()
    }

    /// Appends an event.
    pub fn push(&mut self, event: Event) {
        self.push_at(event, None);
    }

    /// Takes in a declaration of a real program's trace as it is read: a
    /// task or resource joins the catalog (and the world, not started or in
    /// its initial state), or the dropped count is updated. In a live trace
    /// each thread has a CPU lane of its own, so a task brings its lane.
    /// An error (past a limit) changes nothing.
    pub fn declare(&mut self, d: Declaration) -> Result<(), String> {
        match d {
            Declaration::WaitAt { task, at } => {
                jsonl::check_place(task, &at, &self.catalog)?;
                self.keep_place(task, at)
            }
            d => {
                jsonl::apply_declaration(d, &mut self.catalog, &mut self.dropped_events)?;
                follow::grow_live_cpus(&mut self.catalog);
                self.last.grow(&self.catalog);
                Ok(())
            }
        }
    }

    /// Keeps the place of `task`'s next wait (once each place), for its
    /// next `blocked` state.
    fn keep_place(&mut self, task: crate::event::TaskId, at: String) -> Result<(), String> {
        let id = match self.place_ids.get(&at) {
            Some(&id) => id,
            None if self.places.len() >= MAX_PLACES => {
                return Err(format!("more than {MAX_PLACES} places of waits"));
            }
            None => {
                let id = self.places.len() as u32;
                self.place_ids.insert(at.clone(), id);
                self.places.push(at);
                id
            }
        };
        let i = task.index();
        if self.sites_due.len() <= i {
            self.sites_due
                .resize(i + 1, std::collections::VecDeque::new());
        }
        let due = &mut self.sites_due[i];
        if due.len() >= MAX_DUE {
            due.pop_front();
        }
        due.push_back(id);
        Ok(())
    }

    /// The events so far.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// The number of events.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// Whether there are no events.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The world after every event.
    pub fn last(&self) -> &World {
        &self.last
    }

    /// The world after the first `step` events (clamped to the trace's
    /// length): the nearest checkpoint plus a short fold.
    pub fn world_at(&self, step: usize) -> World {
        let step = step.min(self.events.len());
        if step == self.events.len() {
            return self.last.clone();
        }
        let k = self
            .checkpoints
            .partition_point(|c| c.step <= step)
            .saturating_sub(1);
        let mut world = self.checkpoints[k].clone();
        world.grow(&self.catalog);
        for e in &self.events[world.step..step] {
            world.apply(e);
        }
        world
    }

    /// The world after the first `step` events, folded from the very start
    /// (for checking the checkpoints).
    pub fn world_from_start(&self, step: usize) -> World {
        let mut world = World::new(&self.catalog);
        for e in &self.events[..step.min(self.events.len())] {
            world.apply(e);
        }
        world
    }
}

#[cfg(test)]
#[path = "trace_tests.rs"]
mod tests;
