//! Shared by the tests that start from literal events: a small builder of a
//! catalog and an event list, without the parser or the simulator.
#![allow(dead_code)]

use weft::event::{
    Catalog, Event, EventKind, ResourceId, ResourceInfo, ScriptInfo, TaskId, TaskInfo, TaskState,
    VarInfo, WaitOn,
};
use weft::trace::Trace;

/// A catalog and events being written.
pub struct Literal {
    /// The catalog so far.
    pub cat: Catalog,
    /// The events so far.
    pub events: Vec<Event>,
    tick: u64,
}

/// A resource of a kind, other fields empty.
pub fn res(name: &str, kind: &str) -> ResourceInfo {
    ResourceInfo {
        name: name.into(),
        kind: kind.into(),
        ..ResourceInfo::default()
    }
}

impl Literal {
    /// An empty scenario named `name` on `cpus` CPUs.
    pub fn new(name: &str, cpus: u32) -> Literal {
        Literal {
            cat: Catalog {
                path: "literal".into(),
                cpus,
                quantum: 2,
                tick_label: "10ms".into(),
                ..Catalog::empty(name, "sim")
            },
            events: Vec::new(),
            tick: 0,
        }
    }

    /// Adds a task of `kind` in process `proc` (an index into processes).
    pub fn task(&mut self, name: &str, kind: &str, proc: u32) -> TaskId {
        let process = self.cat.process_name(proc).to_string();
        self.cat.tasks.push(TaskInfo {
            name: name.into(),
            kind: kind.into(),
            process,
            priority: 0,
            daemon: false,
            script: ScriptInfo::default(),
            proc,
            event_loop: None,
            pool: None,
            os_id: None,
        });
        TaskId(self.cat.tasks.len() as u32 - 1)
    }

    /// Adds a resource.
    pub fn res(&mut self, info: ResourceInfo) -> ResourceId {
        self.cat.resources.push(info);
        ResourceId(self.cat.resources.len() as u32 - 1)
    }

    /// Adds a shared variable.
    pub fn var(&mut self, name: &str, initial: i64) {
        self.cat.vars.push(VarInfo {
            name: name.into(),
            initial,
        });
    }

    /// Later events happen at `tick`.
    pub fn at(&mut self, tick: u64) -> &mut Self {
        self.tick = tick;
        self
    }

    /// Appends an event at the current tick.
    pub fn ev(&mut self, kind: EventKind) -> &mut Self {
        self.events.push(Event {
            seq: self.events.len() as u64,
            tick: self.tick,
            kind,
        });
        self
    }

    /// `task` changes state.
    pub fn state(&mut self, task: TaskId, state: TaskState) -> &mut Self {
        self.ev(EventKind::State { task, state })
    }

    /// `task` runs on `cpu`.
    pub fn run(&mut self, task: TaskId, cpu: u32) -> &mut Self {
        self.state(
            task,
            TaskState::Running {
                cpu: weft::event::CpuId(cpu),
            },
        )
    }

    /// `task` is ready.
    pub fn ready(&mut self, task: TaskId) -> &mut Self {
        self.state(task, TaskState::Ready)
    }

    /// `task` blocks on `on` without a timeout.
    pub fn block(&mut self, task: TaskId, on: WaitOn) -> &mut Self {
        self.state(task, TaskState::Blocked { on, timed: false })
    }

    /// `task` ends.
    pub fn done(&mut self, task: TaskId) -> &mut Self {
        self.state(task, TaskState::Done)
    }

    /// `task` takes lock `lock` once.
    pub fn acquire(&mut self, task: TaskId, lock: ResourceId) -> &mut Self {
        self.ev(EventKind::LockAcquire {
            task,
            lock,
            depth: 1,
        })
    }

    /// `task` releases lock `lock` for good.
    pub fn release(&mut self, task: TaskId, lock: ResourceId) -> &mut Self {
        self.ev(EventKind::LockRelease {
            task,
            lock,
            depth: 0,
        })
    }

    /// The trace of it all.
    pub fn trace(&self) -> Trace {
        Trace::from_events(self.cat.clone(), self.events.clone())
    }
}
pub mod scenes;
