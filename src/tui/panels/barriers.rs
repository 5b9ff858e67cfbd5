//! The barriers panel: arrivals of this round over the parties, rounds
//! passed, who waits, and how many are missing (naming those seen at the
//! barrier before who are not waiting now). A broken barrier says so.

use super::{name_cell, names, of_kind, waiters_cell, Kind, Scene, Table, TableCell};

/// The barriers table.
pub fn table(sc: &Scene<'_>) -> Table {
    let mut t = Table::new(
        "Barriers",
        vec!["barrier", "arrived", "rounds", "waiting", "missing"],
    );
    for (r, info) in of_kind(sc.catalog, Kind::Barriers) {
        let Some(b) = sc.world.barrier(r) else {
            continue;
        };
        let waiting: Vec<_> = sc.world.waiters(r).iter().map(|w| w.task).collect();
        let arrived = if b.broken {
            TableCell::styled("BROKEN", sc.theme.error())
        } else {
            TableCell::styled(
                format!("{}/{}", b.arrived, b.parties),
                sc.theme.gauge(false),
            )
        };
        let absent = b
            .seen
            .iter()
            .copied()
            .filter(|t| !waiting.contains(t) && !sc.world.ended(*t));
        let missing = b
            .parties
            .saturating_sub(b.arrived.max(waiting.len() as u32));
        let missing = match names(sc.catalog, absent).as_str() {
            "-" => missing.to_string(),
            seen => format!("{missing} ({seen})"),
        };
        t.row(vec![
            name_cell(sc, r, info),
            arrived,
            TableCell::raw(b.rounds.to_string()),
            waiters_cell(sc, r, |_| true),
            TableCell::styled(missing, sc.theme.dim()),
        ]);
    }
    t
}
