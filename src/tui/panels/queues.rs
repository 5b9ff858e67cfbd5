//! The queues panel: each queue's fill gauge (length over capacity; an
//! unbounded queue shows its length), puts and gets, who is blocked
//! putting or getting, and the items in it, front first (its length over
//! time is a lane of the timeline).

use crate::event::WaitOn;

use super::{name_cell, of_kind, waiters_cell, Kind, Scene, Table, TableCell};

/// Characters of the items column.
const ITEMS_WIDTH: usize = 24;

/// Drawing helpers of the queues panel.
pub struct QueuesView;

impl QueuesView {
    /// The gauge text of a queue, `width` cells of bar.
    pub fn gauge(len: u32, capacity: u32, width: usize) -> String {
        if capacity == 0 {
            return format!("{len} (unbounded)");
        }
        let filled = (len.min(capacity) as usize * width).div_ceil(capacity as usize);
        format!(
            "[{}{}] {len}/{capacity}",
            "█".repeat(filled),
            "·".repeat(width - filled.min(width))
        )
    }

    /// The items of a queue, front first, in at most `width` characters.
    pub fn items(q: &crate::trace::QueueState, width: usize) -> String {
        let Some(items) = &q.items else {
            return format!("({} items)", q.len);
        };
        if items.is_empty() {
            return "-".into();
        }
        let mut out = String::new();
        for (i, v) in items.iter().enumerate() {
            let next = if i == 0 {
                v.to_string()
            } else {
                format!(" {v}")
            };
            let left = items.len() - i;
            let more = format!(" +{left}");
            if out.chars().count() + next.chars().count() + if left > 1 { more.len() } else { 0 }
                > width
            {
                out.push_str(&more);
                break;
            }
            out.push_str(&next);
        }
        out
    }
}

/// The queues table.
pub fn table(sc: &Scene<'_>) -> Table {
    let mut t = Table::new(
        "Queues",
        vec![
            "queue",
            "fill",
            "puts/gets",
            "put waits",
            "get waits",
            "items",
        ],
    );
    for (r, info) in of_kind(sc.catalog, Kind::Queues) {
        let Some(q) = sc.world.queue(r) else { continue };
        let cap = info.capacity.unwrap_or(0);
        let full = cap > 0 && q.len >= cap;
        t.row(vec![
            name_cell(sc, r, info),
            TableCell::styled(QueuesView::gauge(q.len, cap, 10), sc.theme.gauge(full)),
            TableCell::styled(format!("{}/{}", q.puts, q.gets), sc.theme.dim()),
            waiters_cell(sc, r, |on| matches!(on, WaitOn::Put(_))),
            waiters_cell(sc, r, |on| {
                matches!(on, WaitOn::Get(_) | WaitOn::QueueJoin(_))
            }),
            TableCell::raw(QueuesView::items(q, ITEMS_WIDTH)),
        ]);
    }
    t
}
