//! The semaphores panel: permits left of the start, who holds how many,
//! and the FIFO of tasks waiting for one.

use super::{holder_cell, name_cell, of_kind, waiters_cell, Kind, Scene, Table, TableCell};

/// The semaphores table.
pub fn table(sc: &Scene<'_>) -> Table {
    let mut t = Table::new(
        "Semaphores",
        vec!["sem", "left/start", "holders", "waiting, in order"],
    );
    for (r, info) in of_kind(sc.catalog, Kind::Semaphores) {
        let Some(s) = sc.world.semaphore(r) else {
            continue;
        };
        let holders: Vec<String> = s
            .holders
            .iter()
            .map(|&(h, n)| match n {
                1 => sc.catalog.task_name(h).to_string(),
                n => format!("{}×{n}", sc.catalog.task_name(h)),
            })
            .collect();
        let bounded = if info.bounded == Some(true) { " b" } else { "" };
        let left_style = if s.left == 0 {
            sc.theme.gauge(true)
        } else {
            sc.theme.gauge(false)
        };
        t.row(vec![
            name_cell(sc, r, info),
            TableCell::styled(format!("{}/{}{bounded}", s.left, s.permits), left_style),
            holder_cell(
                sc,
                if holders.is_empty() {
                    "-".to_string()
                } else {
                    holders.join(", ")
                },
                !holders.is_empty(),
            ),
            waiters_cell(sc, r, |_| true),
        ]);
    }
    t
}
