//! From a scenario to a ready-to-run [`Sim`] and the [`Catalog`] naming its
//! ids; refuses, with the place in the file, what the simulator cannot run yet.

use super::program::{compile, Instr, Program};
use super::{Fixed, PrimKind, Sim, TaskFixed};
use crate::event::{
    Catalog, Compare, Expectation, FinalCheck, Outcome, ResourceInfo, ScriptInfo, TaskId, TaskInfo,
    VarId, VarInfo,
};
use crate::scenario::{
    line_col, CmpOp, ExpectedOutcome, ResourceKind, Scenario, Span, Task, TaskKind,
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
}

/// A feature the scenario uses that the simulator cannot run yet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not supported yet: {what}")]
pub struct NotSupported {
    /// What is missing.
    pub what: String,
    /// Where the scenario asks for it.
    pub span: Span,
}

fn not_yet(what: &str, span: Span) -> NotSupported {
    NotSupported {
        what: what.to_string(),
        span,
    }
}

/// Builds the simulator for a scenario, with the catalog of its names.
pub fn build(scenario: &Scenario, options: &Options) -> Result<(Sim, Catalog), NotSupported> {
    let m = &scenario.machine;
    if let (true, Some(span)) = (m.gil, m.gil_span) {
        return Err(not_yet("the GIL (machine.gil)", span));
    }
    let kinds = scenario
        .resources
        .iter()
        .map(|r| match &r.kind {
            ResourceKind::Mutex => Ok(PrimKind::Lock { reentrant: false }),
            ResourceKind::RLock => Ok(PrimKind::Lock { reentrant: true }),
            ResourceKind::Queue { capacity, order } => Ok(PrimKind::Queue {
                capacity: *capacity,
                order: *order,
            }),
            other => Err(not_yet(&format!("{}s", other.name()), r.span)),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut tasks = Vec::with_capacity(scenario.tasks.len());
    let mut infos = Vec::with_capacity(scenario.tasks.len());
    for task in &scenario.tasks {
        check_task(task)?;
        let program = compile(&task.script).map_err(|e| not_yet(e.what, Span::new(e.at, e.at)))?;
        infos.push(task_info(scenario, task, &program));
        tasks.push(TaskFixed {
            program,
            priority: task.priority,
            daemon: task.daemon,
            on_timeout: task.on_timeout,
            index: i64::from(task.index),
            start: task.start,
        });
    }
    let seed = options.seed.unwrap_or(m.seed);
    let max_ticks = options.max_ticks.unwrap_or(m.max_ticks);
    let preempt = (m.preempt.clamp(0.0, 1.0) * 4_294_967_296.0) as u64;
    let fixed = Fixed {
        cpus: m.cpus.max(1),
        policy: m.policy,
        quantum: m.quantum.max(1),
        switch_cost: m.switch_cost,
        preempt,
        max_ticks,
        tasks,
        kinds,
        schedule: options.schedule.clone(),
        record_choices: options.record_choices,
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
        resources: scenario.resources.iter().map(resource_info).collect(),
        vars: scenario
            .vars
            .iter()
            .map(|v| VarInfo {
                name: v.name.clone(),
                initial: v.initial,
            })
            .collect(),
        processes: vec![crate::event::ProcessInfo {
            name: "main".to_string(),
            ..Default::default()
        }],
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
                    var: VarId(c.var as u32),
                    op: compare(c.op),
                    value: c.value,
                })
                .collect(),
        }),
    };
    Ok((Sim::new(fixed, vars, seed), catalog))
}

fn check_task(task: &Task) -> Result<(), NotSupported> {
    match task.kind {
        TaskKind::Process => return Err(not_yet("processes", task.span)),
        TaskKind::Coroutine => return Err(not_yet("coroutines", task.span)),
        TaskKind::Thread => {}
    }
    if task.pool.is_some() {
        return Err(not_yet("pools", task.span));
    }
    if task.process != "main" {
        return Err(not_yet("processes", task.span));
    }
    Ok(())
}

fn resource_info(r: &crate::scenario::Resource) -> ResourceInfo {
    let (capacity, order) = match &r.kind {
        ResourceKind::Queue { capacity, order } => {
            (Some(*capacity), Some(order.as_str().to_string()))
        }
        _ => (None, None),
    };
    ResourceInfo {
        name: r.name.clone(),
        kind: r.kind.name().to_string(),
        capacity,
        order,
        ..ResourceInfo::default()
    }
}

/// The task's script lines as written in the file, and the line of each instruction.
fn task_info(scenario: &Scenario, task: &Task, program: &Program) -> TaskInfo {
    let src = &scenario.source;
    let file_lines: Vec<&str> = src.lines().collect();
    let span = task.script_span;
    let (mut first, _) = line_col(src, span.start);
    let (mut last, _) = line_col(src, span.end.saturating_sub(1).max(span.start));
    let only_quotes = |line: usize| {
        let text = file_lines.get(line.wrapping_sub(1)).copied().unwrap_or("");
        let t = text.trim();
        t.is_empty() || t.trim_matches(|c| c == '"' || c == '\'').is_empty()
    };
    let head = file_lines.get(first.wrapping_sub(1)).copied().unwrap_or("");
    let head_rest = head.get(line_col_byte(src, span.start)..).unwrap_or("");
    if head_rest
        .trim()
        .trim_matches(|c| c == '"' || c == '\'')
        .is_empty()
        && first < last
    {
        first += 1;
    }
    if only_quotes(last) && last > first {
        last -= 1;
    }
    let lines: Vec<String> = (first..=last)
        .filter_map(|l| file_lines.get(l - 1).map(|s| s.to_string()))
        .collect();
    let mut current = 0u32;
    let pc_line = program
        .code
        .iter()
        .map(|i| {
            if let Instr::Op { at, .. } = i {
                let (l, _) = line_col(src, *at);
                current = l.saturating_sub(first) as u32;
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
    }
}

/// The byte offset of `offset` within its line.
fn line_col_byte(src: &str, offset: usize) -> usize {
    let offset = offset.min(src.len());
    let start = src
        .get(..offset)
        .and_then(|s| s.rfind('\n'))
        .map_or(0, |i| i + 1);
    offset - start
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
