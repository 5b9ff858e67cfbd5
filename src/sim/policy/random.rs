//! Random scheduling: a uniform choice among the ready tasks, drawn from the
//! simulator's seeded generator.

use super::{Keys, Scheduler};
use crate::event::TaskId;
use crate::sim::rng::Rng;

/// Uniform choice by seed.
pub struct Random;

impl Scheduler for Random {
    fn picks_by_key(&self) -> bool {
        false
    }

    fn pick(&self, ready: &[TaskId], _keys: &dyn Keys, rng: &mut Rng) -> usize {
        rng.below(ready.len())
    }
}
