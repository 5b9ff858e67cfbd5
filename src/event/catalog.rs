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

impl ScriptInfo {
    /// The code of instruction `pc`'s line, trimmed, without its comment.
    pub fn code_at(&self, pc: u32) -> Option<&str> {
        let line = self.lines.get(*self.pc_line.get(pc as usize)? as usize)?;
        Some(strip_comment(line).trim())
    }
}

/// A script line without its `#` comment (a `#` inside quotes stays).
pub fn strip_comment(line: &str) -> &str {
    let mut quoted = false;
    for (i, c) in line.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '#' if !quoted => return &line[..i],
            _ => {}
        }
    }
    line
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
    /// The index into [`Catalog::processes`] of the process it runs in
    /// (a process pool's job: the process of the worker that runs it).
    #[serde(default)]
    pub proc: u32,
    /// Coroutines: the loop thread that runs them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_loop: Option<TaskId>,
    /// Pool jobs: the pool.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pool: Option<ResourceId>,
    /// A real thread's or process's id in the operating system (its TID or
    /// PID), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os_id: Option<u64>,
}

/// What the catalog knows of a resource. Fields that do not apply to its
/// kind are `None`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ResourceInfo {
    /// Its name.
    pub name: String,
    /// `mutex`, `rlock`, `rwlock`, `semaphore`, `condition`, `event`,
    /// `barrier`, `queue`, `pool`, or one weft adds: `gil` (a process's global
    /// interpreter lock) and `loop` (a thread's event loop, held by the
    /// coroutine that runs on it).
    pub kind: String,
    /// Queues: capacity, 0 for unbounded.
    pub capacity: Option<u32>,
    /// Queues: `fifo`, `lifo` or `priority`.
    pub order: Option<String>,
    /// Semaphores: the initial permits; barriers: the parties; pools: the workers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permits: Option<u32>,
    /// Semaphores: releasing past the initial permits fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bounded: Option<bool>,
    /// Rwlocks: `fair`, `reader` or `writer`; pools: `thread` or `process`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// Conditions: the lock they are bound to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lock: Option<ResourceId>,
    /// Events: the initial flag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initially_set: Option<bool>,
    /// GILs: the process (an index into [`Catalog::processes`]); process
    /// pools: the process of worker 0 (the others follow in order).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub process: Option<u32>,
    /// Loops: the thread that runs the loop.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<TaskId>,
}

impl ResourceInfo {
    /// Whether the resource is a lock that one task at a time holds
    /// (mutex, rlock; the GIL and loops are such locks too, but weft's own).
    pub fn is_lock(&self) -> bool {
        matches!(self.kind.as_str(), "mutex" | "rlock")
    }

    /// Whether the resource is a queue.
    pub fn is_queue(&self) -> bool {
        self.kind == "queue"
    }

    /// Whether the resource is one weft adds (`gil`, `loop`) rather than one
    /// the scenario declares.
    pub fn is_builtin(&self) -> bool {
        matches!(self.kind.as_str(), "gil" | "loop")
    }
}

/// What the catalog knows of a process: `main`, a `kind = "process"` task,
/// or a worker of a process pool. Each has its own copy of the variables.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ProcessInfo {
    /// Its name: `main`, the process task's name, or `POOL[k]` for worker k.
    pub name: String,
    /// The process task whose script is its main thread (none for `main`
    /// and pool workers).
    pub task: Option<TaskId>,
    /// Pool workers: the pool and the worker's number.
    pub worker: Option<(ResourceId, u32)>,
    /// Its GIL (a resource of kind `gil`), when `gil = true`.
    pub gil: Option<ResourceId>,
    /// A live run's main process: its PID (a process task's PID is its
    /// task's `os_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pid: Option<u64>,
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
    /// The text as written (`counter == 6`, `a + b == 200`).
    pub text: String,
    /// The left side: variables, each added (`true`) or subtracted.
    pub terms: Vec<(bool, VarId)>,
    /// The comparison.
    pub op: Compare,
    /// The value compared with.
    pub value: i64,
}

impl FinalCheck {
    /// The left side's value with variables `vars` (`None` when it names a
    /// variable out of range or overflows).
    pub fn lhs(&self, vars: &[i64]) -> Option<i64> {
        self.terms.iter().try_fold(0i64, |acc, &(plus, v)| {
            let x = *vars.get(v.index())?;
            if plus {
                acc.checked_add(x)
            } else {
                acc.checked_sub(x)
            }
        })
    }
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
    /// Processes, main first; a task's `proc` indexes it. Each has its own
    /// copy of `vars`.
    #[serde(default = "main_only")]
    pub processes: Vec<ProcessInfo>,
    /// `gil = true`: threads need their process's GIL to run.
    #[serde(default)]
    pub gil: bool,
    /// Ticks a GIL holder runs before it must hand over to a waiter.
    #[serde(default)]
    pub switch_interval: u32,
    /// Ticks a CPU spends on each context switch.
    #[serde(default)]
    pub switch_cost: u32,
    /// The `[expect]` table, if any.
    pub expect: Option<Expectation>,
}

/// A duration written as a number and a unit (`10ms`, `1s`, `2.5ms`,
/// `500us`, `100ns`), in nanoseconds; `None` when it is not one.
pub fn parse_duration(text: &str) -> Option<u64> {
    let t = text.trim();
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (num, unit) = t.split_at(split);
    let scale = match unit.trim() {
        "ns" => 1.0,
        "us" | "µs" => 1e3,
        "ms" => 1e6,
        "s" => 1e9,
        "min" => 60e9,
        _ => return None,
    };
    let n: f64 = num.parse().ok()?;
    let ns = n * scale;
    (ns.is_finite() && (1.0..1e19).contains(&ns)).then_some(ns as u64)
}

/// A time in nanoseconds, in the largest unit that keeps it readable
/// (`120ms`, `1.5s`).
pub fn format_duration(ns: u64) -> String {
    let (div, unit) = match ns {
        n if n >= 1_000_000_000 => (1e9, "s"),
        n if n >= 1_000_000 => (1e6, "ms"),
        n if n >= 1_000 => (1e3, "µs"),
        _ => (1.0, "ns"),
    };
    let v = ns as f64 / div;
    let text = format!("{v:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text}{unit}")
}

fn main_only() -> Vec<ProcessInfo> {
    vec![ProcessInfo {
        name: "main".to_string(),
        ..ProcessInfo::default()
    }]
}

impl Catalog {
    /// A catalog of nothing yet: a run named `scenario` of `engine` on one
    /// CPU, first come first served, ticks of 1 ms, the main process only;
    /// what differs is set over it (`Catalog { cpus: 4, ..Catalog::empty(..) }`).
    pub fn empty(scenario: &str, engine: &str) -> Catalog {
        Catalog {
            scenario: scenario.into(),
            description: String::new(),
            path: String::new(),
            engine: engine.into(),
            seed: 0,
            cpus: 1,
            policy: "fcfs".into(),
            quantum: 1,
            tick_label: "1ms".into(),
            max_ticks: 1000,
            tasks: Vec::new(),
            resources: Vec::new(),
            vars: Vec::new(),
            processes: main_only(),
            gil: false,
            switch_interval: 0,
            switch_cost: 0,
            expect: None,
        }
    }

    /// The length of one tick in nanoseconds, when the tick label is a duration.
    pub fn tick_ns(&self) -> Option<u64> {
        parse_duration(&self.tick_label)
    }

    /// The real time `ticks` ticks stand for, when the tick is a duration.
    pub fn time_of(&self, ticks: u64) -> Option<String> {
        let ns = self.tick_ns()?;
        Some(format_duration(ns.saturating_mul(ticks)))
    }

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

    /// The name of a process.
    pub fn process_name(&self, p: u32) -> &str {
        self.processes
            .get(p as usize)
            .map_or("?", |p| p.name.as_str())
    }

    /// The name of what a task waits for: a resource's or a task's name
    /// (`await` for `await sleep`).
    pub fn wait_name(&self, on: WaitOn) -> &str {
        match on {
            WaitOn::Task(t) | WaitOn::Await(t) => self.task_name(t),
            WaitOn::AwaitSleep => "await",
            other => other.resource().map_or("?", |r| self.resource_name(r)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_and_print() {
        assert_eq!(parse_duration("10ms"), Some(10_000_000));
        assert_eq!(parse_duration("1s"), Some(1_000_000_000));
        assert_eq!(parse_duration("2.5ms"), Some(2_500_000));
        assert_eq!(parse_duration(" 500us "), Some(500_000));
        assert_eq!(parse_duration("a while"), None);
        assert_eq!(parse_duration("5"), None);
        assert_eq!(format_duration(120_000_000), "120ms");
        assert_eq!(format_duration(1_500_000_000), "1.5s");
        assert_eq!(format_duration(750), "750ns");
    }
}
