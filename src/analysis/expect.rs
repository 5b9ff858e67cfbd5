//! Checking a run against its scenario's `[expect]` table: what was
//! expected and what the run gave, so a failed check says both.

use crate::event::{Catalog, FinalCheck, Outcome};
use crate::trace::World;

/// The result of checking `[expect]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectResult {
    /// The outcome asked for (`completed` when none was named).
    pub outcome_expected: Outcome,
    /// The outcome is the one asked for.
    pub outcome_ok: bool,
    /// Each final check.
    pub checks: Vec<CheckResult>,
}

/// One `final` check against the main process's variables at the end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckResult {
    /// As written (`sum == 36`).
    pub text: String,
    /// Whether it holds.
    pub ok: bool,
    /// The left side's value at the end (`None` if it cannot be computed).
    pub actual: Option<i64>,
    /// The values it was made of, as `name = value` (`sum = 30`, or
    /// `a = 10, b = 20` for a sum).
    pub values: String,
}

impl ExpectResult {
    /// Everything expected holds.
    pub fn ok(&self) -> bool {
        self.outcome_ok && self.checks.iter().all(|c| c.ok)
    }
}

/// Checks the world at the end of a run against the catalog's `[expect]`;
/// `None` when the scenario has none.
pub fn check_expectations(catalog: &Catalog, world: &World) -> Option<ExpectResult> {
    let expect = catalog.expect.as_ref()?;
    let wanted = expect.outcome.unwrap_or(Outcome::Completed);
    let vars = world.main_vars();
    let checks = expect
        .checks
        .iter()
        .map(|c| judge_final(catalog, c, vars))
        .collect();
    Some(ExpectResult {
        outcome_expected: wanted,
        outcome_ok: world.outcome == Some(wanted),
        checks,
    })
}

/// One `final` check against the variables `vars` (the main process's).
pub fn judge_final(catalog: &Catalog, c: &FinalCheck, vars: &[i64]) -> CheckResult {
    let actual = c.lhs(vars);
    let mut values: Vec<String> = c
        .terms
        .iter()
        .map(|(_, v)| {
            let value = vars.get(v.index()).map_or("?".into(), i64::to_string);
            format!("{} = {value}", catalog.var_name(*v))
        })
        .collect();
    values.dedup();
    if c.terms.len() > 1 {
        if let Some(a) = actual {
            values.push(format!("in all {a}"));
        }
    }
    CheckResult {
        text: c.text.clone(),
        ok: actual.is_some_and(|v| c.op.holds(v, c.value)),
        actual,
        values: values.join(", "),
    }
}
