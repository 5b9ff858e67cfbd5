//! Opening the TUI: until it lands, print the text report.

use super::commands::print_report;
use super::load::{self, Failure};
use crate::scenario::Scenario;
use crate::sim::Options;
use crate::trace::Trace;

/// Opens a scenario in the TUI.
pub fn open_scenario(scenario: Scenario, options: Options, _mouse: bool) -> Result<i32, Failure> {
    let (trace, _) = load::run_headless(&scenario, &options, None)?;
    print_report(&trace, false)
}

/// Opens a trace in the TUI.
pub fn open_trace(trace: Trace, _mouse: bool) -> Result<i32, Failure> {
    print_report(&trace, false)
}

/// Opens the picker.
pub fn open_picker() -> Result<i32, Failure> {
    Ok(0)
}
