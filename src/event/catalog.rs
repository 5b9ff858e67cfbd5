//! The catalog: the names and settings behind the ids of a run, written as
//! the header of a trace.

use serde::{Deserialize, Serialize};

use super::{Outcome, ResourceId, TaskId, VarId, WaitOn};

/// A task's script as text, for views that mark the current operation.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ScriptInfo {
    /// The 1-based line in the scenario file of the script's first line.
    pub first_line: u32,
    /// The script's lines as written.
    pub lines: Vec<String>,
    /// For each instruction `pc`, the index into `lines` it comes from.
    pub pc_line: Vec<u32>,
}

/// What the catalog knows of a task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskInfo {
    /// Its name.
    pub name: String,
    /// `thread`, `process` or `coroutine`.
    pub kind: String,
    /// The process it lives in.
    pub process: String,
    /// Smaller is more important.
    pub priority: i64,
    /// A daemon does not hold up completion.
    pub daemon: bool,
    /// Its script.
    pub script: ScriptInfo,
}

/// What the catalog knows of a resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceInfo {
    /// Its name.
    pub name: String,
    /// `mutex`, `rlock`, `queue`, …
    pub kind: String,
    /// Queues: capacity, 0 for unbounded.
    pub capacity: Option<u32>,
    /// Queues: `fifo`, `lifo` or `priority`.
    pub order: Option<String>,
}

impl ResourceInfo {
    /// Whether the resource is a lock that tasks hold.
    pub fn is_lock(&self) -> bool {
        matches!(self.kind.as_str(), "mutex" | "rlock")
    }

    /// Whether the resource is a queue.
    pub fn is_queue(&self) -> bool {
        self.kind == "queue"
    }
}

/// What the catalog knows of a shared variable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VarInfo {
    /// Its name.
    pub name: String,
    /// Its initial value.
    pub initial: i64,
}

/// A comparison operator of an expectation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Compare {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl Compare {
    /// Applies the comparison.
    pub fn holds(self, lhs: i64, rhs: i64) -> bool {
        match self {
            Compare::Eq => lhs == rhs,
            Compare::Ne => lhs != rhs,
            Compare::Lt => lhs < rhs,
            Compare::Le => lhs <= rhs,
            Compare::Gt => lhs > rhs,
            Compare::Ge => lhs >= rhs,
        }
    }
}

/// One `final` check of `[expect]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FinalCheck {
    /// The text as written (`counter == 6`).
    pub text: String,
    /// The variable.
    pub var: VarId,
    /// The comparison.
    pub op: Compare,
    /// The value compared with.
    pub value: i64,
}

/// The `[expect]` table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expectation {
    /// The expected outcome, if given.
    pub outcome: Option<Outcome>,
    /// The final checks.
    pub checks: Vec<FinalCheck>,
}

/// The names and settings behind the ids of a run: the header of a trace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalog {
    /// The scenario's name.
    pub scenario: String,
    /// The scenario's description.
    pub description: String,
    /// The file it came from.
    pub path: String,
    /// `sim` or `live`.
    pub engine: String,
    /// The seed of every random choice.
    pub seed: u64,
    /// Number of CPUs.
    pub cpus: u32,
    /// The scheduling policy's name.
    pub policy: String,
    /// The time slice in ticks.
    pub quantum: u32,
    /// What one tick means (`10ms`).
    pub tick_label: String,
    /// The tick limit.
    pub max_ticks: u64,
    /// Tasks, by [`TaskId`].
    pub tasks: Vec<TaskInfo>,
    /// Resources, by [`ResourceId`].
    pub resources: Vec<ResourceInfo>,
    /// Shared variables, by [`VarId`].
    pub vars: Vec<VarInfo>,
    /// The `[expect]` table, if any.
    pub expect: Option<Expectation>,
}

impl Catalog {
    /// The name of a task.
    pub fn task_name(&self, id: TaskId) -> &str {
        self.tasks.get(id.index()).map_or("?", |t| t.name.as_str())
    }

    /// The name of a resource.
    pub fn resource_name(&self, id: ResourceId) -> &str {
        self.resources
            .get(id.index())
            .map_or("?", |r| r.name.as_str())
    }

    /// The name of a variable.
    pub fn var_name(&self, id: VarId) -> &str {
        self.vars.get(id.index()).map_or("?", |v| v.name.as_str())
    }

    /// The name of what a task waits for: a resource's or a task's name.
    pub fn wait_name(&self, on: WaitOn) -> &str {
        match on {
            WaitOn::Lock(r) | WaitOn::Put(r) | WaitOn::Get(r) | WaitOn::QueueJoin(r) => {
                self.resource_name(r)
            }
            WaitOn::Task(t) => self.task_name(t),
        }
    }
}
