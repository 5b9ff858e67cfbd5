//! The locks panel: each mutex's or rlock's holder (and re-entry depth;
//! when free, who held it last), how long it has been held, how often it
//! was acquired and contended so far, and its FIFO waiters.

use super::{holder_cell, name_cell, of_kind, waiters_cell, Kind, Scene, Table, TableCell};

/// The locks table.
pub fn table(sc: &Scene<'_>) -> Table {
    let mut t = Table::new(
        "Locks",
        vec!["lock", "holder", "held", "acq", "cont", "waiting, in order"],
    );
    for (r, info) in of_kind(sc.catalog, Kind::Locks) {
        let Some(l) = sc.world.lock(r) else { continue };
        let holder = match l.holder {
            Some(h) if l.depth > 1 => format!("{} ×{}", sc.catalog.task_name(h), l.depth),
            Some(h) => sc.catalog.task_name(h).to_string(),
            None => match l.last_holder {
                Some(h) => format!("free (last {})", sc.catalog.task_name(h)),
                None => "free".to_string(),
            },
        };
        let held = match l.holder {
            Some(_) => format!("{}t", sc.tick.saturating_sub(l.held_since)),
            None => "-".to_string(),
        };
        t.row(vec![
            name_cell(sc, r, info),
            holder_cell(sc, holder, l.holder.is_some()),
            TableCell::raw(held),
            TableCell::raw(l.acquisitions.to_string()),
            TableCell::raw(l.contentions.to_string()),
            waiters_cell(sc, r, |_| true),
        ]);
    }
    t
}
