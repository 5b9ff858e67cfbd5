//! From a scenario to a ready-to-run [`Sim`] and the [`Catalog`] naming its
//! ids: processes, the GILs and loops weft adds, and who can act on what.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use super::program::{compile, Instr, Program};
use super::{Act, Fixed, PrimKind, ProcFixed, Sim, TaskFixed};
use crate::event::{
    Catalog, Compare, Expectation, FinalCheck, Outcome, ProcessInfo, ResourceId, ResourceInfo,
    ScriptInfo, TaskId, TaskInfo, VarId, VarInfo,
};
use crate::scenario::{
    CmpOp, ExpectedOutcome, LineIndex, PoolKind, ResourceKind, Scenario, Task, TaskKind,
};

/// Settings of one run that override the scenario's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// Overrides `machine.seed`.
    pub seed: Option<u64>,
    /// Overrides `machine.max_ticks`.
    pub max_ticks: Option<u64>,
    /// The task to take at each successive scheduling choice (a free CPU
    /// with two or more eligible ready tasks); past its end, the policy chooses.
    pub schedule: Vec<TaskId>,
    /// Record every scheduling choice as a `Choice` event.
    pub record_choices: bool,
    /// The model `weft check` explores: any eligible ready task may take a
    /// free CPU, and after each operation another ready task may take the
    /// running task's CPU. Choices come from `schedule` (then the first
    /// option); the scenario's policy, slices and `preempt` are not used.
    pub explore: bool,
    /// With `explore`: stop at each choice past the schedule's end instead
    /// of taking the first option (see [`Sim::pending`]).
    pub suspend: bool,
    /// With `explore`: offer a switch before every operation, even one no
    /// other task can observe (the unreduced model).
    pub unreduced: bool,
}

/// Builds the simulator for a scenario, with the catalog of its names.
/// Every scenario that validates can be built.
pub fn build(scenario: &Scenario, options: &Options) -> (Sim, Catalog) {
    let m = &scenario.machine;
    let procs = Processes::of(scenario);
    let mut kinds: Vec<PrimKind> = scenario
        .resources
        .iter()
        .enumerate()
        .map(|(i, r)| prim_kind(&r.kind, procs.first_worker(i)))
        .collect();
    let mut resources: Vec<ResourceInfo> = scenario.resources.iter().map(resource_info).collect();
    for (i, r) in scenario.resources.iter().enumerate() {
        if let (ResourceKind::Pool { .. }, Some(first)) = (&r.kind, procs.first_worker(i)) {
            resources[i].process = Some(first);
        }
    }
    let mut gils = vec![None; procs.infos.len()];
    if m.gil {
        for (p, info) in procs.infos.iter().enumerate() {
            gils[p] = Some(kinds.len() as u32);
            kinds.push(PrimKind::Gil);
            resources.push(ResourceInfo {
                name: if p == 0 {
                    "GIL".to_string()
                } else {
                    format!("GIL({})", info.name)
                },
                kind: "gil".to_string(),
                process: Some(p as u32),
                ..ResourceInfo::default()
            });
        }
    }
    let mut loops = vec![None; scenario.tasks.len()];
    for t in &scenario.tasks {
        if let Some(l) = t.event_loop {
            if loops[l].is_none() {
                loops[l] = Some(kinds.len() as u32);
                kinds.push(PrimKind::Loop {
                    thread: TaskId(l as u32),
                });
                resources.push(ResourceInfo {
                    name: format!("{}.loop", scenario.tasks[l].name),
                    kind: "loop".to_string(),
                    owner: Some(TaskId(l as u32)),
                    ..ResourceInfo::default()
                });
            }
        }
    }
    let lines_of = LineIndex::new(&scenario.source);
    let mut tasks = Vec::with_capacity(scenario.tasks.len());
    let mut infos = Vec::with_capacity(scenario.tasks.len());
    let mut programs: HashMap<Program, Arc<Program>> = HashMap::new();
    for (i, task) in scenario.tasks.iter().enumerate() {
        let compiled = compile(&task.script);
        let program = match programs.get(&compiled) {
            Some(shared) => shared.clone(),
            None => {
                let shared = Arc::new(compiled.clone());
                programs.insert(compiled, shared.clone());
                shared
            }
        };
        let proc = procs.of_task(scenario, i);
        let mut info = task_info(scenario, &lines_of, task, &program);
        info.proc = proc;
        info.event_loop = task.event_loop.map(|l| TaskId(l as u32));
        info.pool = task.pool.map(|p| ResourceId(p as u32));
        infos.push(info);
        tasks.push(TaskFixed {
            program,
            kind: task.kind,
            priority: task.priority,
            daemon: task.daemon,
            on_timeout: task.on_timeout,
            index: i64::from(task.index),
            start: task.start,
            proc,
            event_loop: task.event_loop.and_then(|l| loops[l]),
            pool: task.pool.map(|p| p as u32),
        });
    }
    let fixed_procs = procs
        .infos
        .iter()
        .enumerate()
        .map(|(p, info)| ProcFixed {
            gil: gils[p],
            task: info.task,
            daemon: info.task.is_some_and(|t| scenario.tasks[t.index()].daemon),
        })
        .collect();
    let catalog_procs = procs
        .infos
        .iter()
        .enumerate()
        .map(|(p, info)| ProcessInfo {
            gil: gils[p].map(ResourceId),
            ..info.clone()
        })
        .collect();
    let seed = options.seed.unwrap_or(m.seed);
    let max_ticks = options.max_ticks.unwrap_or(m.max_ticks);
    let preempt = (m.preempt.clamp(0.0, 1.0) * 4_294_967_296.0) as u64;
    let actors = actors(&tasks);
    let acts_in = acts_in(tasks.len(), &actors);
    let locality = super::choice::Locality::of(tasks.iter().map(|t| &*t.program));
    let daemons = (0..tasks.len() as u32)
        .map(TaskId)
        .filter(|t| tasks[t.index()].daemon)
        .collect();
    let fixed = Fixed {
        cpus: m.cpus.max(1),
        policy: m.policy,
        quantum: m.quantum.max(1),
        switch_cost: m.switch_cost,
        switch_interval: u64::from(m.switch_interval.max(1)),
        preempt,
        max_ticks,
        tasks,
        daemons,
        kinds,
        procs: fixed_procs,
        actors,
        acts_in,
        schedule: options.schedule.clone(),
        record_choices: options.record_choices,
        explore: options.explore,
        suspend: options.explore && options.suspend,
        locality: if options.unreduced {
            super::choice::Locality::default()
        } else {
            locality
        },
    };
    let vars = scenario.vars.iter().map(|v| v.initial).collect();
    let catalog = Catalog {
        scenario: scenario.name.clone(),
        description: scenario.description.clone(),
        path: scenario.path.clone(),
        engine: "sim".to_string(),
        seed,
        cpus: fixed.cpus,
        policy: m.policy.as_str().to_string(),
        quantum: fixed.quantum,
        tick_label: m.tick.clone(),
        max_ticks,
        tasks: infos,
        resources,
        vars: scenario
            .vars
            .iter()
            .map(|v| VarInfo {
                name: v.name.clone(),
                initial: v.initial,
            })
            .collect(),
        processes: catalog_procs,
        gil: m.gil,
        switch_interval: m.switch_interval,
        switch_cost: m.switch_cost,
        expect: scenario.expect.as_ref().map(|e| Expectation {
            outcome: e.outcome.map(outcome),
            checks: e
                .checks
                .iter()
                .map(|c| FinalCheck {
                    text: c.text.clone(),
                    terms: c
                        .terms
                        .iter()
                        .map(|&(plus, v)| (plus, VarId(v as u32)))
                        .collect(),
                    op: compare(c.op),
                    value: c.value,
                })
                .collect(),
        }),
    };
    (Sim::new(fixed, vars, seed), catalog)
}

/// The processes of a scenario: `main`, every process task, then every
/// process pool's workers.
struct Processes {
    infos: Vec<ProcessInfo>,
}

impl Processes {
    fn of(scenario: &Scenario) -> Processes {
        let mut infos = vec![ProcessInfo {
            name: "main".to_string(),
            ..ProcessInfo::default()
        }];
        for (i, t) in scenario.tasks.iter().enumerate() {
            if t.kind == TaskKind::Process {
                infos.push(ProcessInfo {
                    name: t.name.clone(),
                    task: Some(TaskId(i as u32)),
                    ..ProcessInfo::default()
                });
            }
        }
        for (i, r) in scenario.resources.iter().enumerate() {
            if let ResourceKind::Pool {
                workers,
                kind: PoolKind::Process,
            } = r.kind
            {
                for k in 0..workers.max(1) {
                    infos.push(ProcessInfo {
                        name: format!("{}[{k}]", r.name),
                        worker: Some((ResourceId(i as u32), k)),
                        ..ProcessInfo::default()
                    });
                }
            }
        }
        Processes { infos }
    }

    /// The process of worker 0 of process pool `r`.
    fn first_worker(&self, r: usize) -> Option<u32> {
        self.infos
            .iter()
            .position(|p| p.worker == Some((ResourceId(r as u32), 0)))
            .map(|p| p as u32)
    }

    /// The process task `i` runs in: its own for a process task, its loop
    /// thread's for a coroutine, the named one for a thread.
    fn of_task(&self, scenario: &Scenario, i: usize) -> u32 {
        let t = &scenario.tasks[i];
        let name = match (t.kind, t.event_loop) {
            (TaskKind::Process, _) => &t.name,
            (TaskKind::Coroutine, Some(l)) => &scenario.tasks[l].process,
            _ => &t.process,
        };
        self.infos
            .iter()
            .position(|p| p.worker.is_none() && &p.name == name)
            .unwrap_or(0) as u32
    }
}

/// The simulator's kind for a declared resource; `first_worker` is the
/// process of a process pool's worker 0.
fn prim_kind(kind: &ResourceKind, first_worker: Option<u32>) -> PrimKind {
    match kind {
        ResourceKind::Mutex => PrimKind::Lock { reentrant: false },
        ResourceKind::RLock => PrimKind::Lock { reentrant: true },
        ResourceKind::RwLock { prefer } => PrimKind::RwLock { prefer: *prefer },
        ResourceKind::Semaphore { permits, bounded } => PrimKind::Semaphore {
            permits: *permits,
            bounded: *bounded,
        },
        ResourceKind::Condition { lock } => PrimKind::Condition { lock: *lock as u32 },
        ResourceKind::Event { set } => PrimKind::Flag { set: *set },
        ResourceKind::Barrier { parties } => PrimKind::Barrier { parties: *parties },
        ResourceKind::Queue { capacity, order } => PrimKind::Queue {
            capacity: *capacity,
            order: *order,
        },
        ResourceKind::Pool { workers, kind } => PrimKind::Pool {
            workers: *workers,
            kind: *kind,
            first_proc: first_worker.unwrap_or(0),
        },
    }
}

/// For each resource and kind of operation, the tasks whose scripts can do
/// it, numbered in order.
fn actors(tasks: &[TaskFixed]) -> BTreeMap<(u32, Act), (u32, Vec<TaskId>)> {
    super::program::actors(tasks.iter().map(|t| &*t.program))
        .into_iter()
        .enumerate()
        .map(|(n, (key, who))| (key, (n as u32, who.into_iter().map(TaskId).collect())))
        .collect()
}

/// For each task, the numbers of the lists of `actors` it is in.
fn acts_in(tasks: usize, actors: &BTreeMap<(u32, Act), (u32, Vec<TaskId>)>) -> Vec<Vec<u32>> {
    let mut acts_in = vec![Vec::new(); tasks];
    for (n, who) in actors.values() {
        for t in who {
            if let Some(lists) = acts_in.get_mut(t.index()) {
                lists.push(*n);
            }
        }
    }
    acts_in
}

fn resource_info(r: &crate::scenario::Resource) -> ResourceInfo {
    let mut info = ResourceInfo {
        name: r.name.clone(),
        kind: r.kind.name().to_string(),
        ..ResourceInfo::default()
    };
    match &r.kind {
        ResourceKind::Queue { capacity, order } => {
            info.capacity = Some(*capacity);
            info.order = Some(order.as_str().to_string());
        }
        ResourceKind::RwLock { prefer } => info.mode = Some(prefer.as_str().to_string()),
        ResourceKind::Semaphore { permits, bounded } => {
            info.permits = Some(*permits);
            info.bounded = Some(*bounded);
        }
        ResourceKind::Condition { lock } => info.lock = Some(ResourceId(*lock as u32)),
        ResourceKind::Event { set } => info.initially_set = Some(*set),
        ResourceKind::Barrier { parties } => info.permits = Some(*parties),
        ResourceKind::Pool { workers, kind } => {
            info.permits = Some(*workers);
            info.mode = Some(kind.as_str().to_string());
        }
        ResourceKind::Mutex | ResourceKind::RLock => {}
    }
    info
}

/// The task's script lines as written in the file (without the TOML
/// around it: `script = """` or the quotes of a one-line script), and the
/// line of each instruction.
fn task_info(
    scenario: &Scenario,
    lines_of: &LineIndex,
    task: &Task,
    program: &Program,
) -> TaskInfo {
    let src = &scenario.source;
    let span = task.script_span;
    let start = span.start.min(src.len());
    let end = span.end.clamp(start, src.len());
    let text = src.get(start..end).unwrap_or("");
    let quote = ['"', '\''];
    let mut first = lines_of.line(start);
    let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    if let Some(head) = lines.first_mut() {
        *head = head.trim_start_matches(quote).to_string();
    }
    if let Some(tail) = lines.last_mut() {
        *tail = tail.trim_end().trim_end_matches(quote).to_string();
    }
    if lines.len() > 1 && lines[0].trim().is_empty() {
        lines.remove(0);
        first += 1;
    }
    if lines.len() > 1 && lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    let mut current = 0u32;
    let pc_line = program
        .code
        .iter()
        .map(|i| {
            if let Instr::Op { at, .. } = i {
                current = lines_of.line(*at).saturating_sub(first) as u32;
            }
            current
        })
        .collect();
    TaskInfo {
        name: task.name.clone(),
        kind: task.kind.as_str().to_string(),
        process: task.process.clone(),
        priority: task.priority,
        daemon: task.daemon,
        script: ScriptInfo {
            first_line: first as u32,
            lines,
            pc_line,
        },
        proc: 0,
        event_loop: None,
        pool: None,
        os_id: None,
    }
}

fn outcome(o: ExpectedOutcome) -> Outcome {
    match o {
        ExpectedOutcome::Completed => Outcome::Completed,
        ExpectedOutcome::Deadlock => Outcome::Deadlock,
        ExpectedOutcome::Stalled => Outcome::Stalled,
        ExpectedOutcome::Failed => Outcome::Failed,
        ExpectedOutcome::Timeout => Outcome::Timeout,
    }
}

fn compare(op: CmpOp) -> Compare {
    match op {
        CmpOp::Eq => Compare::Eq,
        CmpOp::Ne => Compare::Ne,
        CmpOp::Lt => Compare::Lt,
        CmpOp::Le => Compare::Le,
        CmpOp::Gt => Compare::Gt,
        CmpOp::Ge => Compare::Ge,
    }
}
