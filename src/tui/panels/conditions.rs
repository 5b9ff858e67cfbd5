//! The conditions panel: each condition's bound lock and who holds it, the
//! tasks waiting for a notify, and how many notifies were lost.

use super::{holder_cell, name_cell, of_kind, waiters_cell, Kind, Scene, Table, TableCell};

/// The conditions table.
pub fn table(sc: &Scene<'_>) -> Table {
    let mut t = Table::new(
        "Conditions",
        vec!["cond", "lock", "notifies", "waiting for a notify"],
    );
    for (r, info) in of_kind(sc.catalog, Kind::Conditions) {
        let Some(c) = sc.world.condition(r) else {
            continue;
        };
        let holder = c.lock.and_then(|l| sc.world.lock(l)).and_then(|l| l.holder);
        let lock = match (c.lock, holder) {
            (Some(l), Some(h)) => format!(
                "{} ({})",
                sc.catalog.resource_name(l),
                sc.catalog.task_name(h)
            ),
            (Some(l), None) => format!("{} (free)", sc.catalog.resource_name(l)),
            (None, _) => "-".to_string(),
        };
        let lost = if c.lost > 0 {
            format!(" ({} lost)", c.lost)
        } else {
            String::new()
        };
        let lost_style = if c.lost > 0 {
            sc.theme.gauge(true)
        } else {
            sc.theme.dim()
        };
        t.row(vec![
            name_cell(sc, r, info),
            holder_cell(sc, lock, holder.is_some()),
            TableCell::styled(format!("{}{lost}", c.notifies), lost_style),
            waiters_cell(sc, r, |_| true),
        ]);
    }
    t
}
