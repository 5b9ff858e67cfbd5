//! Per-task scheduling statistics: waiting time, turnaround and response
//! time, and their averages over the tasks that finished.

use crate::trace::{StateTicks, World};

/// One task's figures at the end of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskStats {
    /// Ticks per state.
    pub ticks: StateTicks,
    /// Ticks spent ready.
    pub waiting_time: u64,
    /// Finish tick minus arrival tick, once finished.
    pub turnaround: Option<u64>,
    /// First tick running minus arrival tick, once it ran.
    pub response_time: Option<u64>,
}

/// The figures of every task at tick `end`.
pub fn task_stats(world: &World, end: u64) -> Vec<TaskStats> {
    world
        .tasks
        .iter()
        .map(|t| {
            let ticks = t.ticks_at(end);
            let after_arrival = |x: Option<u64>| Some(x?.saturating_sub(t.arrival?));
            TaskStats {
                ticks,
                waiting_time: ticks.ready,
                turnaround: after_arrival(t.finish),
                response_time: after_arrival(t.first_run),
            }
        })
        .collect()
}

/// Averages over the tasks that finished; `None` when none did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Averages {
    /// Mean waiting time.
    pub waiting_time: Option<f64>,
    /// Mean turnaround.
    pub turnaround: Option<f64>,
    /// Mean response time.
    pub response_time: Option<f64>,
}

/// The averages of `stats` over the tasks with a turnaround (that finished).
pub fn averages(stats: &[TaskStats]) -> Averages {
    let finished: Vec<&TaskStats> = stats.iter().filter(|s| s.turnaround.is_some()).collect();
    let mean = |f: &dyn Fn(&TaskStats) -> Option<u64>| {
        let values: Vec<u64> = finished.iter().filter_map(|s| f(s)).collect();
        (!values.is_empty()).then(|| values.iter().sum::<u64>() as f64 / values.len() as f64)
    };
    Averages {
        waiting_time: mean(&|s| Some(s.waiting_time)),
        turnaround: mean(&|s| s.turnaround),
        response_time: mean(&|s| s.response_time),
    }
}
