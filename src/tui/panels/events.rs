//! The events panel: each event's flag, how often it was set, and who
//! waits for it.

use super::{name_cell, of_kind, waiters_cell, Kind, Scene, Table, TableCell};
use crate::tui::theme::StateKind;

/// The events table.
pub fn table(sc: &Scene<'_>) -> Table {
    let mut t = Table::new("Events", vec!["event", "flag", "sets", "waiters"]);
    for (r, info) in of_kind(sc.catalog, Kind::Events) {
        let Some(f) = sc.world.flag(r) else { continue };
        let (flag, style) = if f.set {
            ("● set", sc.theme.state(StateKind::Running))
        } else {
            ("○ clear", sc.theme.dim())
        };
        t.row(vec![
            name_cell(sc, r, info),
            TableCell::styled(flag, style),
            TableCell::raw(f.sets.to_string()),
            waiters_cell(sc, r, |_| true),
        ]);
    }
    t
}
