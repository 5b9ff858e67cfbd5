//! The rwlocks panel: the writer or the readers holding each rwlock, its
//! preference, and who waits, marked `(r)` to read or `(w)` to write.

use crate::event::WaitOn;

use super::{holder_cell, name_cell, names, of_kind, Kind, Scene, Table, TableCell};
use crate::tui::theme::StateKind;

/// The rwlocks table.
pub fn table(sc: &Scene<'_>) -> Table {
    let mut t = Table::new(
        "RwLocks",
        vec!["rwlock", "prefer", "writer", "readers", "waiting, in order"],
    );
    for (r, info) in of_kind(sc.catalog, Kind::RwLocks) {
        let Some(rw) = sc.world.rwlock(r) else {
            continue;
        };
        let writer = rw
            .writer
            .map_or("-".to_string(), |w| sc.catalog.task_name(w).to_string());
        let waiters: Vec<String> = sc
            .world
            .waiters(r)
            .iter()
            .map(|w| {
                let mode = if matches!(w.on, WaitOn::Read(_)) {
                    "r"
                } else {
                    "w"
                };
                format!("{}({mode})", sc.catalog.task_name(w.task))
            })
            .collect();
        let waiters = if waiters.is_empty() {
            "-".to_string()
        } else {
            waiters.join(", ")
        };
        t.row(vec![
            name_cell(sc, r, info),
            TableCell::styled(
                info.mode.clone().unwrap_or_else(|| "fair".into()),
                sc.theme.dim(),
            ),
            holder_cell(sc, writer, rw.writer.is_some()),
            holder_cell(
                sc,
                names(sc.catalog, rw.readers.iter().copied()),
                !rw.readers.is_empty(),
            ),
            TableCell::styled(waiters, sc.theme.state(StateKind::Blocked)),
        ]);
    }
    t
}
