//! A schedule told as steps in the user's words: at each choice, who goes
//! on and what the tasks then do until the next choice.

use crate::event::{Catalog, Event, EventKind, TaskId};
use crate::scenario::Scenario;
use crate::sim::{self, ChoiceKind};

/// One step of a schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The task chosen.
    pub task: TaskId,
    /// How it came to run: `t2 runs`, `t2 runs on cpu1`, `t1 goes on`,
    /// `t2 runs (t1 preempted)`.
    pub how: String,
    /// What the tasks did until the next choice: `read counter → 0`.
    pub did: Vec<String>,
}

/// How a replayed schedule went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Told {
    /// The steps, one a choice.
    pub steps: Vec<Step>,
    /// The tick the run ended at, and its outcome, if it ended.
    pub end: Option<(u64, crate::event::Outcome)>,
    /// The first choice the schedule could not take (its task was not an option).
    pub diverged: Option<usize>,
}

/// Replays `schedule` in the explored model and tells each step.
pub fn tell(scenario: &Scenario, base: &sim::Options, schedule: &[TaskId], reduce: bool) -> Told {
    let options = sim::Options {
        explore: true,
        suspend: true,
        unreduced: !reduce,
        schedule: Vec::new(),
        record_choices: false,
        ..base.clone()
    };
    let (mut sim, catalog) = sim::build(scenario, &options);
    let mut events = Vec::new();
    sim.run_to_choice(&mut events);
    let mut steps: Vec<Step> = Vec::new();
    let mut diverged = None;
    let mut from = events.len();
    for (k, &want) in schedule.iter().enumerate() {
        let Some(point) = sim.pending().cloned() else {
            diverged = Some(k);
            break;
        };
        let Some(i) = point.options.iter().position(|&t| t == want) else {
            diverged = Some(k);
            break;
        };
        let name = |t: TaskId| catalog.task_name(t).to_string();
        let how = match point.kind {
            ChoiceKind::Dispatch { cpu } if catalog.cpus > 1 => {
                format!("{} runs on cpu{cpu}", name(want))
            }
            ChoiceKind::Dispatch { .. } => format!("{} runs", name(want)),
            ChoiceKind::Switch { running } if running == want => format!("{} goes on", name(want)),
            ChoiceKind::Switch { running } => {
                format!("{} runs ({} preempted)", name(want), name(running))
            }
        };
        sim.answer(i);
        sim.run_to_choice(&mut events);
        steps.push(Step {
            task: want,
            how,
            did: did(&catalog, want, &events[from..]),
        });
        from = events.len();
    }
    // Past the schedule: the first option at each choice, to the end.
    while diverged.is_none() && sim.pending().is_some() {
        sim.answer(0);
        sim.run_to_choice(&mut events);
    }
    let end = sim.outcome().map(|o| (sim.tick(), o));
    Told {
        steps,
        end,
        diverged,
    }
}

/// What happened in `events`: the chosen task's operations first, then
/// each other task's, as `t3: acquire A`.
fn did(catalog: &Catalog, chosen: TaskId, events: &[Event]) -> Vec<String> {
    let mut order: Vec<TaskId> = vec![chosen];
    for e in events {
        if let EventKind::Pc { task, .. } = e.kind {
            if !order.contains(&task) {
                order.push(task);
            }
        }
    }
    let mut lines = Vec::new();
    for &who in &order {
        let mut ops: Vec<String> = Vec::new();
        for e in events {
            match &e.kind {
                EventKind::Pc { task, pc } if *task == who => ops.push(line_of(catalog, who, *pc)),
                EventKind::VarRead { task, value, .. } if *task == who => {
                    if let Some(last) = ops.last_mut() {
                        last.push_str(&format!(" → {value}"));
                    }
                }
                EventKind::VarWrite {
                    task, var, value, ..
                } if *task == who => {
                    if let Some(last) = ops.last_mut() {
                        last.push_str(&format!(" ({} = {value})", catalog.var_name(*var)));
                    }
                }
                _ => {}
            }
        }
        if ops.is_empty() {
            continue;
        }
        if who == chosen {
            lines.push(ops.join(", "));
        } else {
            lines.push(format!("{}: {}", catalog.task_name(who), ops.join(", ")));
        }
    }
    lines
}

/// The script line of task `t`'s instruction `pc`, without its comment.
fn line_of(catalog: &Catalog, t: TaskId, pc: u32) -> String {
    catalog
        .tasks
        .get(t.index())
        .and_then(|x| x.script.code_at(pc))
        .unwrap_or_default()
        .to_string()
}
