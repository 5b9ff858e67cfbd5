//! The queues panel: each queue's fill gauge (length over capacity; an
//! unbounded queue shows its length), puts and gets, who is blocked
//! putting or getting, and a sparkline of its length over time.

use crate::event::{ResourceId, WaitOn};
use crate::tui::lanes::{cells, Window};

use super::{name_cell, of_kind, waiters_cell, Kind, Scene, Table, TableCell};

/// Cells of the sparkline.
const SPARK_WIDTH: usize = 24;

const SPARKS: [char; 9] = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

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

    /// The sparkline of a queue's length, `width` characters over ticks 0..=cursor.
    pub fn sparkline(sc: &Scene<'_>, q: ResourceId, top: u32, width: usize) -> String {
        let Some(marks) = sc.lanes.queues.get(q.index()) else {
            return String::new();
        };
        let ticks = sc.world.tick + 1;
        let per = ticks.div_ceil(width.max(1) as u64).max(1);
        let w = Window {
            from: 0,
            per,
            cells: width,
            cursor_step: sc.view.cursor,
            cursor_tick: sc.world.tick,
        };
        cells(marks, 0u32, &w, |a, b| a > b)
            .iter()
            .map(|c| match c {
                Some(c) => {
                    let i = (c.value as usize * 8).div_ceil(top.max(1) as usize);
                    SPARKS[i.min(8)]
                }
                None => ' ',
            })
            .collect::<String>()
            .trim_end()
            .to_string()
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
            "length over time",
        ],
    );
    for (r, info) in of_kind(sc.catalog, Kind::Queues) {
        let Some(q) = sc.world.queue(r) else { continue };
        let cap = info.capacity.unwrap_or(0);
        let full = cap > 0 && q.len >= cap;
        let top = if cap > 0 { cap } else { q.max_len.max(1) };
        t.row(vec![
            name_cell(sc, r, info),
            TableCell::styled(QueuesView::gauge(q.len, cap, 10), sc.theme.gauge(full)),
            TableCell::styled(format!("{}/{}", q.puts, q.gets), sc.theme.dim()),
            waiters_cell(sc, r, |on| matches!(on, WaitOn::Put(_))),
            waiters_cell(sc, r, |on| {
                matches!(on, WaitOn::Get(_) | WaitOn::QueueJoin(_))
            }),
            TableCell::styled(
                QueuesView::sparkline(sc, r, top, SPARK_WIDTH),
                sc.theme.gauge(false),
            ),
        ]);
    }
    t
}
