//! A simulated run and questions about its events, for the simulator's tests.
#![allow(dead_code)]

use weft::event::{Catalog, Event, EventKind, TaskId, TaskState};

/// A finished run: its catalog and events.
pub struct Run {
    /// Names.
    pub catalog: Catalog,
    /// Every event.
    pub events: Vec<Event>,
}

/// Runs a scenario body (everything after `[scenario]`) on the simulator.
pub fn run(body: &str) -> Run {
    let src = format!("[scenario]\nname = \"t\"\n{body}");
    let (catalog, events) = super::common::events(&src);
    Run { catalog, events }
}

impl Run {
    fn id(&self, name: &str) -> TaskId {
        let i = self
            .catalog
            .tasks
            .iter()
            .position(|t| t.name == name)
            .unwrap_or_else(|| panic!("no task {name}"));
        TaskId(i as u32)
    }

    /// The outcome's name.
    pub fn outcome(&self) -> &'static str {
        self.events
            .iter()
            .find_map(|e| match e.kind {
                EventKind::End { outcome } => Some(outcome.name()),
                _ => None,
            })
            .expect("the run ended")
    }

    /// The tick of the last event.
    pub fn end_tick(&self) -> u64 {
        self.events.last().map_or(0, |e| e.tick)
    }

    /// Whether some event matches.
    pub fn has(&self, f: impl Fn(&EventKind) -> bool) -> bool {
        self.events.iter().any(|e| f(&e.kind))
    }

    /// The tick and task name of every event `f` picks a task from.
    pub fn ticks_of(&self, f: impl Fn(&EventKind) -> Option<TaskId>) -> Vec<(u64, String)> {
        self.events
            .iter()
            .filter_map(|e| f(&e.kind).map(|t| (e.tick, self.catalog.task_name(t).to_string())))
            .collect()
    }

    /// The states a task went through, with their ticks.
    pub fn states(&self, name: &str) -> Vec<(u64, TaskState)> {
        let id = self.id(name);
        self.events
            .iter()
            .filter_map(|e| match e.kind {
                EventKind::State { task, state } if task == id => Some((e.tick, state)),
                _ => None,
            })
            .collect()
    }

    /// The first tick a task entered a state `f` accepts.
    pub fn first_state(&self, name: &str, f: impl Fn(TaskState) -> bool) -> Option<u64> {
        self.states(name)
            .into_iter()
            .find(|(_, s)| f(*s))
            .map(|(t, _)| t)
    }

    /// The tick a task became ready again after it first entered a state
    /// `blocked` accepts (the end of that wait).
    pub fn ready_after(&self, name: &str, blocked: impl Fn(TaskState) -> bool) -> Option<u64> {
        self.states(name)
            .into_iter()
            .skip_while(|(_, s)| !blocked(*s))
            .find(|(_, s)| *s == TaskState::Ready)
            .map(|(t, _)| t)
    }

    /// A task's last state.
    pub fn final_state(&self, name: &str) -> TaskState {
        self.states(name).last().map_or(TaskState::New, |(_, s)| *s)
    }

    /// The tick a task ended.
    pub fn finish(&self, name: &str) -> Option<u64> {
        self.states(name)
            .into_iter()
            .find(|(_, s)| s.is_final())
            .map(|(t, _)| t)
    }

    /// The ticks at which a resource went to each task (`LockAcquire` on the
    /// resource of that name).
    pub fn holders_of(&self, resource: &str) -> Vec<(u64, String)> {
        let r = self
            .catalog
            .resources
            .iter()
            .position(|x| x.name == resource)
            .unwrap_or_else(|| panic!("no resource {resource}"));
        self.ticks_of(|k| match k {
            EventKind::LockAcquire { task, lock, .. } if lock.index() == r => Some(*task),
            _ => None,
        })
    }

    /// The values a task wrote, in order.
    pub fn writes(&self, name: &str) -> Vec<i64> {
        let id = self.id(name);
        self.events
            .iter()
            .filter_map(|e| match e.kind {
                EventKind::VarWrite { task, value, .. } if task == id => Some(value),
                _ => None,
            })
            .collect()
    }

    /// The values a task read, in order.
    pub fn reads(&self, name: &str) -> Vec<i64> {
        let id = self.id(name);
        self.events
            .iter()
            .filter_map(|e| match e.kind {
                EventKind::VarRead { task, value, .. } if task == id => Some(value),
                _ => None,
            })
            .collect()
    }
}
