//! The timeline: one lane per task (grouped by process when there are
//! several) or per CPU, time left to right, states by colour and glyph,
//! blocked cells labelled with what they wait for, a cursor column, a time
//! axis and a legend. Imports the event contract and the trace.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::{Block, Widget};

use crate::event::{Catalog, TaskId, TaskState};

use super::lanes::{cells, Cell, Window};
pub use super::lanes::{rows, rows_needed, task_order, Row};
use super::scene::{Panel, Scene};
use super::session::Session;
use super::theme::StateKind;

/// Zoom levels: (ticks per cell, columns per cell).
pub const ZOOMS: [(u64, u16); 13] = [
    (1, 4),
    (1, 3),
    (1, 2),
    (1, 1),
    (2, 1),
    (5, 1),
    (10, 1),
    (20, 1),
    (50, 1),
    (100, 1),
    (500, 1),
    (1000, 1),
    (10_000, 1),
];

/// What a click on the timeline hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hit {
    /// A lane: its index (task order or CPU number) and its task.
    Lane(usize, Option<TaskId>),
    /// A tick of the time axis.
    Tick(u64),
}

/// Where everything of the timeline goes in its area.
#[derive(Debug, Clone, Copy)]
struct Geom {
    inner: Rect,
    label_w: u16,
    cells: usize,
    col_w: u16,
    per: u64,
    from: u64,
    first_row: usize,
    rows_vis: usize,
}

/// Where everything goes. The window of ticks starts at 0 while the whole
/// run (up to `end_tick`, the last tick known) fits; else it follows the
/// cursor, keeping it three quarters of the way across, and never runs
/// past the end.
fn geom(
    cat: &Catalog,
    view: &super::ViewState,
    cursor_tick: u64,
    end_tick: u64,
    area: Rect,
) -> Geom {
    let inner = Block::bordered().inner(area);
    let name_w = cat
        .tasks
        .iter()
        .map(|t| t.name.chars().count() + usize::from(t.event_loop.is_some()))
        .chain(
            cat.processes
                .iter()
                .filter(|_| cat.gil || cat.processes.len() > 1)
                .map(|p| p.name.chars().count() + 1),
        )
        .max();
    let label_w = (name_w.unwrap_or(4).max(4) as u16 + 2)
        .min(18)
        .min(inner.width / 3);
    let (per, col_w) = ZOOMS[view.zoom.min(ZOOMS.len() - 1)];
    let cells = (inner.width.saturating_sub(label_w) / col_w) as usize;
    let cursor_cell = (cursor_tick / per) as usize;
    let end_cell = (end_tick.max(cursor_tick) / per) as usize;
    let keep = cells * 3 / 4;
    let first_cell = if end_cell < cells {
        0
    } else {
        cursor_cell
            .saturating_sub(keep)
            .min((end_cell + 1).saturating_sub(cells))
    };
    let rows_vis = inner.height.saturating_sub(2) as usize;
    let all = rows(cat, view.cpu_lanes);
    let cur_row = all
        .iter()
        .position(|r| match r {
            Row::Task(i, _) => *i == view.lane_cursor,
            Row::Cpu(c) => *c as usize == view.lane_cursor,
            Row::Process(_) | Row::Gil(_) => false,
        })
        .unwrap_or(0);
    let first_row = (cur_row + 1).saturating_sub(rows_vis);
    Geom {
        inner,
        label_w,
        cells,
        col_w,
        per,
        from: first_cell as u64 * per,
        first_row,
        rows_vis,
    }
}

/// What a click at (x, y) hits in a timeline drawn in `area`.
pub fn hit(s: &Session, area: Rect, x: u16, y: u16) -> Option<Hit> {
    let g = geom(
        s.catalog(),
        &s.view,
        s.world.tick,
        s.trace.last().tick,
        area,
    );
    let lanes_x = g.inner.x + g.label_w;
    let axis_y = g.inner.y + g.rows_vis as u16;
    if y == axis_y && x >= lanes_x && x < g.inner.right() {
        let cell = u64::from((x - lanes_x) / g.col_w);
        return Some(Hit::Tick(g.from + cell * g.per));
    }
    if y < g.inner.y || y >= axis_y || x < g.inner.x || x >= g.inner.right() {
        return None;
    }
    let all = rows(s.catalog(), s.view.cpu_lanes);
    match all.get(g.first_row + usize::from(y - g.inner.y))? {
        Row::Task(i, t) => Some(Hit::Lane(*i, Some(*t))),
        Row::Cpu(c) => Some(Hit::Lane(*c as usize, None)),
        Row::Process(_) | Row::Gil(_) => None,
    }
}

/// The timeline panel.
pub struct TimelineView<'a> {
    /// What to draw.
    pub scene: &'a Scene<'a>,
}

impl Widget for &TimelineView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let sc = self.scene;
        let g = geom(
            sc.catalog,
            sc.view,
            sc.world.tick,
            sc.trace.last().tick,
            area,
        );
        let (per, col_w) = (g.per, g.col_w);
        let title = format!(
            " Timeline: {} · 1 cell = {} tick{} ",
            if sc.view.cpu_lanes { "CPUs" } else { "tasks" },
            per,
            if per == 1 { "" } else { "s" }
        );
        Block::bordered()
            .title(title)
            .border_style(sc.theme.border(sc.focused(Panel::Timeline)))
            .render(area, buf);
        let w = Window {
            from: g.from,
            per,
            cells: g.cells,
            cursor_step: sc.view.cursor,
            cursor_tick: sc.world.tick,
        };
        let all = rows(sc.catalog, sc.view.cpu_lanes);
        for (i, row) in all.iter().skip(g.first_row).take(g.rows_vis).enumerate() {
            let y = g.inner.y + i as u16;
            self.label(buf, &g, y, row);
            let x0 = g.inner.x + g.label_w;
            match row {
                Row::Task(_, t) => self.task_lane(buf, x0, y, *t, &w, col_w),
                Row::Cpu(c) => {
                    let marks = sc.lanes.cpus.get(*c as usize);
                    self.holder_lane(buf, x0, y, marks.map_or(&[], Vec::as_slice), &w, col_w)
                }
                Row::Gil(r) => {
                    let marks = sc.lanes.holders.get(r.index());
                    self.holder_lane(buf, x0, y, marks.map_or(&[], Vec::as_slice), &w, col_w)
                }
                Row::Process(p) => self.process_vars(buf, x0, y, *p, g.inner.right()),
            }
        }
        self.cursor_column(buf, &g);
        self.axis(buf, &g);
        self.legend(buf, &g);
    }
}

impl TimelineView<'_> {
    fn label(&self, buf: &mut Buffer, g: &Geom, y: u16, row: &Row) {
        let sc = self.scene;
        let th = sc.theme;
        let focused = sc.focused(Panel::Timeline);
        let (text, mut style, under_cursor) = match row {
            Row::Process(p) => (
                format!("{}:", sc.catalog.process_name(*p)),
                th.accent(),
                false,
            ),
            Row::Gil(_) => ("  GIL".to_string(), th.dim(), false),
            Row::Task(i, t) => {
                let sel = sc.view.selected == Some(*t);
                let mark = if sel { "▸" } else { " " };
                let co = sc
                    .catalog
                    .tasks
                    .get(t.index())
                    .is_some_and(|x| x.event_loop.is_some());
                let name = format!("{}{}", if co { "·" } else { "" }, sc.catalog.task_name(*t));
                let mut st = if sel { th.accent() } else { th.title() };
                if sc.task_in_cycle.get(t.index()).copied().unwrap_or(false) {
                    st = th.error();
                }
                (format!("{mark}{name}"), st, *i == sc.view.lane_cursor)
            }
            Row::Cpu(c) => (
                format!(" cpu{c}"),
                th.title(),
                *c as usize == sc.view.lane_cursor,
            ),
        };
        if under_cursor && focused {
            style = style.patch(th.selected());
        }
        buf.set_stringn(g.inner.x, y, text, usize::from(g.label_w - 1), style);
    }

    fn task_lane(&self, buf: &mut Buffer, x0: u16, y: u16, t: TaskId, w: &Window, col_w: u16) {
        let sc = self.scene;
        let Some(marks) = sc.lanes.tasks.get(t.index()) else {
            return;
        };
        let rank = |s: &TaskState| StateKind::of(*s);
        let row = cells(marks, TaskState::New, w, |a, b| rank(a) > rank(b));
        for (c, cell) in row.iter().enumerate() {
            let Some(Cell { value, first }) = *cell else {
                continue;
            };
            let kind = StateKind::of(value);
            let final_rest = value.is_final() && !first;
            let glyph = if final_rest { ' ' } else { kind.glyph() };
            let x = x0 + c as u16 * col_w;
            let style = sc.theme.state(kind);
            for dx in 0..col_w {
                let ch = if value.is_final() && dx > 0 {
                    ' '
                } else {
                    glyph
                };
                if let Some(cell) = buf.cell_mut((x + dx, y)) {
                    cell.set_char(ch).set_style(style);
                }
            }
        }
        self.wait_labels(buf, (x0, y), &row, w, col_w);
    }

    fn cursor_column(&self, buf: &mut Buffer, g: &Geom) {
        let sc = self.scene;
        let tick = sc.world.tick;
        if tick < g.from || g.cells == 0 {
            return;
        }
        let cell = ((tick - g.from) / g.per) as usize;
        if cell >= g.cells {
            return;
        }
        let x = g.inner.x + g.label_w + cell as u16 * g.col_w;
        let h = g.rows_vis.min(rows_needed(sc.catalog, sc.view.cpu_lanes)) as u16;
        let area = Rect::new(x, g.inner.y, g.col_w, h);
        let style = sc.theme.cursor();
        for y in area.top()..area.bottom() {
            for x in area.left()..area.right() {
                if let Some(c) = buf.cell_mut((x, y)) {
                    let merged = c.style().patch(style);
                    c.set_style(merged);
                }
            }
        }
    }

    fn axis(&self, buf: &mut Buffer, g: &Geom) {
        let sc = self.scene;
        let y = g.inner.y + g.rows_vis as u16;
        let x0 = g.inner.x + g.label_w;
        buf.set_stringn(g.inner.x, y, "tick", usize::from(g.label_w), sc.theme.dim());
        let every = ((8 / g.col_w).max(1) as usize).max(1);
        let mut c = 0;
        while c < g.cells {
            let tick = g.from + c as u64 * g.per;
            let x = x0 + c as u16 * g.col_w;
            let room = usize::from(g.inner.right().saturating_sub(x));
            buf.set_stringn(x, y, format!("|{tick}"), room, sc.theme.dim());
            c += every;
        }
        let tick = sc.world.tick;
        if tick >= g.from {
            let cell = ((tick - g.from) / g.per) as usize;
            if cell < g.cells {
                let x = x0 + cell as u16 * g.col_w;
                buf.set_string(x, y, "▲", sc.theme.accent());
            }
        }
    }

    fn legend(&self, buf: &mut Buffer, g: &Geom) {
        let sc = self.scene;
        let y = g.inner.y + g.rows_vis as u16 + 1;
        let mut x = g.inner.x;
        for kind in StateKind::LEGEND {
            let glyph = kind.glyph().to_string();
            buf.set_string(x, y, &glyph, sc.theme.state(kind));
            let text = format!(" {}  ", kind.label());
            let room = usize::from(g.inner.right().saturating_sub(x + 1));
            buf.set_stringn(x + 1, y, &text, room, Style::new());
            x += 1 + text.chars().count() as u16;
        }
        let text = "▲ cursor";
        if x + 8 <= g.inner.right() {
            buf.set_string(x, y, text, sc.theme.accent());
        }
    }
}

pub use crate::analysis::wait_label;
