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
pub const ZOOMS: [(u64, u16); 15] = [
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
    (100_000, 1),
    (1_000_000, 1),
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
    end: u64,
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
    // CPU lanes are labelled `cpuN ⇆S` (S switches so far).
    let cpu_w = view
        .cpu_lanes
        .then(|| format!("cpu{} ⇆{}", cat.cpus, 1000).chars().count());
    let name_w = name_w.max(cpu_w);
    let label_w = (name_w.unwrap_or(4).max(4) as u16 + 2)
        .min(18)
        .min(inner.width / 3);
    let (per, col_w) = ZOOMS[view.zoom.min(ZOOMS.len() - 1)];
    let cells = (inner.width.saturating_sub(label_w) / col_w) as usize;
    let cursor_cell = (cursor_tick / per) as usize;
    let end_cell = (end_tick.max(cursor_tick) / per) as usize;
    let keep = cells * 3 / 4;
    let last_first = (end_cell + 1).saturating_sub(cells);
    let first_cell = match view.pan {
        Some(t) => ((t / per) as usize).min(last_first),
        None if end_cell < cells => 0,
        None => cursor_cell.saturating_sub(keep).min(last_first),
    };
    let rows_vis = inner.height.saturating_sub(2) as usize;
    let all = rows(cat, view.cpu_lanes);
    let cur_row = all
        .iter()
        .position(|r| match r {
            Row::Task(i, _) => *i == view.lane_cursor,
            Row::Cpu(c) => *c as usize == view.lane_cursor,
            Row::Process(_) | Row::Gil(_) | Row::Queue(_) => false,
        })
        .unwrap_or(0);
    // The lane cursor stays in view; on the last task, the rows after it
    // (processes without tasks, queues) come into view too.
    let last_task = all
        .iter()
        .rposition(|r| matches!(r, Row::Task(..) | Row::Cpu(_)));
    let cur_row = if Some(cur_row) == last_task {
        all.len().saturating_sub(1)
    } else {
        cur_row
    };
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
        end: end_tick.max(cursor_tick),
    }
}

/// The first tick shown of a timeline drawn in `area`, and the number of
/// ticks it shows (for panning by a part of the width).
pub fn window_of(s: &Session, area: Rect) -> (u64, u64) {
    let g = geom(s.catalog(), &s.view, s.tick(), s.trace.last().tick, area);
    (g.from, g.cells as u64 * g.per)
}

/// The closest zoom (an index into [`ZOOMS`]) at which the whole run fits a
/// timeline drawn in `area`.
pub fn fit_zoom(s: &Session, area: Rect) -> usize {
    let end = s.trace.last().tick.max(s.tick());
    (0..ZOOMS.len())
        .find(|&z| {
            let view = super::ViewState {
                zoom: z,
                pan: None,
                ..s.view.clone()
            };
            let g = geom(s.catalog(), &view, 0, end, area);
            end / g.per < g.cells as u64
        })
        .unwrap_or(ZOOMS.len() - 1)
}

/// The scale of a zoom, as the timeline's title says it.
pub fn scale_text(cat: &Catalog, zoom: usize) -> String {
    let (per, col_w) = ZOOMS[zoom.min(ZOOMS.len() - 1)];
    let cols = if col_w == 1 { "column" } else { "columns" };
    let scale = if per == 1 {
        format!("1 tick = {col_w} {cols}")
    } else {
        format!("1 column = {per} ticks")
    };
    match cat.time_of(per) {
        Some(t) => format!("{scale} = {t}"),
        None => scale,
    }
}

/// What a click at (x, y) hits in a timeline drawn in `area`.
pub fn hit(s: &Session, area: Rect, x: u16, y: u16) -> Option<Hit> {
    let g = geom(s.catalog(), &s.view, s.tick(), s.trace.last().tick, area);
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
        Row::Process(_) | Row::Gil(_) | Row::Queue(_) => None,
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
        let g = geom(sc.catalog, sc.view, sc.tick, sc.trace.last().tick, area);
        let (per, col_w) = (g.per, g.col_w);
        let title = format!(
            " Timeline: {} · {}{} ",
            if sc.view.cpu_lanes { "CPUs" } else { "tasks" },
            scale_text(sc.catalog, sc.view.zoom),
            if sc.view.pan.is_some() {
                " · panned (a step follows the cursor again)"
            } else {
                ""
            }
        );
        let total = rows_needed(sc.catalog, sc.view.cpu_lanes);
        let title = if total > g.rows_vis {
            let last = (g.first_row + g.rows_vis).min(total);
            let lanes = format!(
                "lanes {}-{last} of {total}, +{} hidden (↑↓ scroll) ",
                g.first_row + 1,
                total - (last - g.first_row)
            );
            // At a small width the scale gives way to the lanes' count.
            if title.chars().count() + lanes.chars().count() + 4 > usize::from(area.width) {
                let kind = if sc.view.cpu_lanes { "CPUs" } else { "tasks" };
                format!(" Timeline: {kind} · {lanes}")
            } else {
                format!("{title}· {lanes}")
            }
        } else {
            title
        };
        Block::bordered()
            .title(title)
            .border_style(sc.theme.border(sc.focused(Panel::Timeline)))
            .render(area, buf);
        let w = Window {
            from: g.from,
            per,
            cells: g.cells,
            cursor_step: sc.view.cursor,
            cursor_tick: sc.tick,
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
                    self.holder_lane(buf, x0, y, marks.map_or(&[], Vec::as_slice), &w, col_w);
                    self.switch_cells(buf, (x0, y), *c as usize, &w, col_w);
                }
                Row::Gil(r) => {
                    let marks = sc.lanes.holders.get(r.index());
                    self.holder_lane(buf, x0, y, marks.map_or(&[], Vec::as_slice), &w, col_w)
                }
                Row::Process(p) => self.process_vars(buf, x0, y, *p, g.inner.right()),
                Row::Queue(q) => self.queue_lane(buf, (x0, y), *q, &w, col_w),
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
            Row::Queue(q) => (
                format!("≡{}", sc.catalog.resource_name(*q)),
                th.accent(),
                false,
            ),
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
                match sc.world.cpus.get(*c as usize).map(|x| x.switches) {
                    Some(n) if n > 0 => format!(" cpu{c} ⇆{n}"),
                    _ => format!(" cpu{c}"),
                },
                th.title(),
                *c as usize == sc.view.lane_cursor,
            ),
        };
        if under_cursor && focused {
            style = style.patch(th.selected());
        }
        let text = cut_middle(&text, usize::from(g.label_w - 1));
        buf.set_stringn(g.inner.x, y, text, usize::from(g.label_w - 1), style);
    }

    fn task_lane(&self, buf: &mut Buffer, x0: u16, y: u16, t: TaskId, w: &Window, col_w: u16) {
        let sc = self.scene;
        let Some(marks) = sc.lanes.tasks.get(t.index()) else {
            return;
        };
        let rank = |s: &TaskState| StateKind::of(*s);
        let row = cells(marks, TaskState::New, w, |a, b| rank(a) > rank(b));
        let put = |buf: &mut Buffer, x: u16, ch: char, kind: StateKind| {
            if let Some(cell) = buf.cell_mut((x, y)) {
                cell.set_char(ch).set_style(sc.theme.state(kind));
            }
        };
        for (c, cell) in row.iter().enumerate() {
            let Some(Cell { value, first, .. }) = *cell else {
                continue;
            };
            let kind = StateKind::of(value);
            let x = x0 + c as u16 * col_w;
            for dx in 0..col_w {
                // An end state shows its glyph once, where it begins.
                let ch = if value.is_final() && (dx > 0 || !first) {
                    ' '
                } else {
                    kind.glyph()
                };
                put(buf, x + dx, ch, kind);
            }
        }
        // What took no time: a state entered and left within one tick takes
        // the cell's first column (the whole cell at one column a cell, if
        // it outranks the cell's state); a label over the cell starts after it.
        for (c, cell) in row.iter().enumerate() {
            let Some(fk) = flash_of(cell, col_w) else {
                continue;
            };
            let x = x0 + c as u16 * col_w;
            match cell.map(|x| x.value).filter(|v| v.is_final()) {
                // An end state's glyph moves one column right of the mark.
                Some(end) => {
                    if col_w > 1 {
                        put(buf, x, fk.glyph(), fk);
                        let kind = StateKind::of(end);
                        put(buf, x + 1, kind.glyph(), kind);
                    }
                }
                None => put(buf, x, fk.glyph(), fk),
            }
        }
        self.wait_labels(buf, (x0, y), &row, w, col_w);
        let visible = &marks[..marks.partition_point(|m| m.step < w.cursor_step)];
        // An end before the window: its glyph, dim, in the first cell, so
        // an ended lane never looks empty.
        if let Some(m) = visible
            .last()
            .filter(|m| m.value.is_final() && m.tick < w.from)
        {
            let kind = StateKind::of(m.value);
            if let Some(cell) = buf.cell_mut((x0, y)) {
                cell.set_char(kind.glyph()).set_style(sc.theme.dim());
            }
        }
        // An end reached inside a cell another state wins (zoomed out):
        // the end's glyph still shows there.
        if let Some(m) = visible.last().filter(|m| m.value.is_final()) {
            let per = w.per.max(1);
            let c = m.tick.checked_sub(w.from).map(|d| (d / per) as usize);
            let won = |c: usize| row[c].is_some_and(|x| x.value.is_final());
            if let Some(c) = c.filter(|&c| c < row.len() && m.tick <= w.cursor_tick && !won(c)) {
                let kind = StateKind::of(m.value);
                let x = x0 + c as u16 * col_w;
                put(buf, x + col_w - 1, kind.glyph(), kind);
            }
        }
    }

    fn cursor_column(&self, buf: &mut Buffer, g: &Geom) {
        let sc = self.scene;
        let tick = sc.tick;
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
        // A real program's run is labelled in time, a simulated one in the
        // ticks its lesson counts.
        let tick_ns = sc.catalog.tick_ns().filter(|_| sc.catalog.engine == "live");
        let label_of = |tick: u64| match tick_ns {
            Some(_) if tick == 0 => "|0".to_string(),
            Some(ns) => format!(
                "|{}",
                crate::event::format_duration(tick.saturating_mul(ns))
            ),
            None => format!("|{tick}"),
        };
        let name = if tick_ns.is_some() { "time" } else { "tick" };
        buf.set_stringn(g.inner.x, y, name, usize::from(g.label_w), sc.theme.dim());
        // Labels at multiples of a round number of cells, far enough apart
        // for the widest label, and only over the run (not past its end).
        let widest = match tick_ns {
            // A time's label is at most as long as "|999.999ms".
            Some(_) => 10,
            None => g.end.max(1).ilog10() as u64 + 2,
        };
        let need_cells = (widest + 1).div_ceil(u64::from(g.col_w)).max(1);
        let step = [1, 2, 5]
            .iter()
            .flat_map(|&m| (0..19).map(move |e| m * 10u64.pow(e)))
            .filter(|&m| m >= need_cells)
            .min()
            .unwrap_or(need_cells)
            * g.per;
        let last = g.from + g.cells as u64 * g.per;
        let mut tick = g.from.div_ceil(step) * step;
        let cursor_x = (sc.tick >= g.from && sc.tick < last)
            .then(|| x0 + ((sc.tick - g.from) / g.per) as u16 * g.col_w);
        while tick < last && tick <= g.end {
            let cell = (tick - g.from) / g.per;
            let x = x0 + cell as u16 * g.col_w;
            let label = label_of(tick);
            let len = label.chars().count() as u16;
            // A label the cursor's mark would cut is left out.
            let cut = cursor_x.is_some_and(|c| c > x && c < x + len);
            let room = usize::from(g.inner.right().saturating_sub(x));
            if !cut {
                buf.set_stringn(x, y, label, room, sc.theme.dim());
            }
            tick += step;
        }
        // Where a scheduling choice was taken (recorded by be-the-scheduler
        // and by a replayed schedule): a mark on the axis at its tick.
        for &step in &sc.lanes.choice_steps {
            let Some(&tick) = sc.lanes.ticks.get(step) else {
                continue;
            };
            if tick < g.from || tick >= last {
                continue;
            }
            let x = x0 + ((tick - g.from) / g.per) as u16 * g.col_w;
            buf.set_string(x, y, "◆", sc.theme.choice());
        }
        let tick = sc.tick;
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
        if sc.view.cpu_lanes && sc.catalog.switch_cost > 0 && x + 12 <= g.inner.right() {
            buf.set_string(x, y, "⇆", sc.theme.switch());
            buf.set_stringn(x + 1, y, " switching  ", 12, Style::new());
            x += 13;
        }
        if !sc.lanes.choice_steps.is_empty() && x + 10 <= g.inner.right() {
            buf.set_string(x, y, "◆", sc.theme.choice());
            buf.set_stringn(x + 1, y, " choice  ", 9, Style::new());
            x += 10;
        }
        let text = "▲ cursor";
        if x + 8 <= g.inner.right() {
            buf.set_string(x, y, text, sc.theme.accent());
        }
    }
}

/// `text` in at most `room` characters: whole when it fits, else its start,
/// `…` and its end (an index such as `[12]` is kept whole).
pub fn cut_middle(text: &str, room: usize) -> String {
    let n = text.chars().count();
    if n <= room {
        return text.to_string();
    }
    if room < 3 {
        return text.chars().take(room).collect();
    }
    let tail = match text.rfind('[') {
        Some(i) if text.ends_with(']') && text[i..].chars().count() < room - 1 => {
            text[i..].chars().count()
        }
        _ => (room - 1) / 3,
    };
    let head = room - 1 - tail;
    let start: String = text.chars().take(head).collect();
    let end: String = text.chars().skip(n - tail).collect();
    format!("{start}…{end}")
}

/// The state to mark in a cell as held for no time, if any: one that
/// differs from the cell's, is worth marking, and (at one column a cell)
/// outranks it. A loop thread's `run_loop` cells show their coroutines
/// instead.
pub(super) fn flash_of(cell: &Option<Cell<TaskState>>, col_w: u16) -> Option<StateKind> {
    let Cell {
        value,
        flash: Some(f),
        ..
    } = (*cell)?
    else {
        return None;
    };
    if matches!(
        value,
        TaskState::Blocked {
            on: crate::event::WaitOn::RunLoop(_),
            ..
        }
    ) {
        return None;
    }
    let (kind, fk) = (StateKind::of(value), StateKind::of(f));
    (fk != kind && fk.flashes() && (col_w > 1 || fk > kind)).then_some(fk)
}

pub use crate::analysis::wait_label;
