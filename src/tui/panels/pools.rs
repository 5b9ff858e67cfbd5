//! The pools panel: busy workers over all, the job on each worker (`·` for
//! a free one), the jobs queued for a worker, and jobs done; a closed pool
//! says so.

use crate::event::WaitOn;

use super::{holder_cell, name_cell, of_kind, waiters_cell, Kind, Scene, Table, TableCell};

/// The pools table.
pub fn table(sc: &Scene<'_>) -> Table {
    let mut t = Table::new(
        "Pools",
        vec!["pool", "busy", "workers", "done", "queued, in order"],
    );
    for (r, info) in of_kind(sc.catalog, Kind::Pools) {
        let Some(p) = sc.world.pool(r) else { continue };
        let workers: Vec<String> = p
            .workers
            .iter()
            .enumerate()
            .map(|(k, job)| match job {
                Some(j) => format!("{k}:{}", sc.catalog.task_name(*j)),
                None => format!("{k}:·"),
            })
            .collect();
        let kind = if info.mode.as_deref() == Some("process") {
            "p"
        } else {
            "t"
        };
        let closed = if p.closed { " closed" } else { "" };
        t.row(vec![
            name_cell(sc, r, info),
            TableCell::styled(
                format!("{}/{} {kind}{closed}", p.busy(), p.workers.len()),
                sc.theme.gauge(p.busy() == p.workers.len()),
            ),
            holder_cell(sc, workers.join(" "), p.busy() > 0),
            TableCell::raw(p.done.to_string()),
            waiters_cell(sc, r, |on| matches!(on, WaitOn::Worker(_))),
        ]);
    }
    t
}
