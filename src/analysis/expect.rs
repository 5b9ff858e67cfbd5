//! Checking a run against its scenario's `[expect]` table.

use crate::event::{Catalog, Outcome};
use crate::trace::World;

/// The result of checking `[expect]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectResult {
    /// The outcome is the one asked for (`completed` when none was named).
    pub outcome_ok: bool,
    /// Each final check as written, and whether it holds.
    pub checks: Vec<(String, bool)>,
}

impl ExpectResult {
    /// Everything expected holds.
    pub fn ok(&self) -> bool {
        self.outcome_ok && self.checks.iter().all(|(_, ok)| *ok)
    }
}

/// Checks the world at the end of a run against the catalog's `[expect]`;
/// `None` when the scenario has none.
pub fn check_expectations(catalog: &Catalog, world: &World) -> Option<ExpectResult> {
    let expect = catalog.expect.as_ref()?;
    let wanted = expect.outcome.unwrap_or(Outcome::Completed);
    let checks = expect
        .checks
        .iter()
        .map(|c| {
            let value = world.main_vars().get(c.var.index()).copied();
            let ok = value.is_some_and(|v| c.op.holds(v, c.value));
            (c.text.clone(), ok)
        })
        .collect();
    Some(ExpectResult {
        outcome_ok: world.outcome == Some(wanted),
        checks,
    })
}
