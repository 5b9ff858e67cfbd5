//! Where each panel goes at a terminal size, which panels show, and the
//! drawing of a whole frame (or the "too small" notice, the picker, the
//! help overlay). Imports the event contract, the trace and the analysis.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget, Wrap};
use ratatui::Frame;

use crate::event::Catalog;
use crate::trace::World;

use super::app::App;
use super::header::{FooterView, HeaderView};
use super::help::HelpView;
use super::info::InfoView;
use super::log::LogView;
use super::panels::{self, waits::WaitsView, Kind, ResourcePanelView};
use super::picker::PickerView;
pub use super::scene::{Panel, Scene};
use super::script::ScriptsView;
use super::session::Session;
use super::timeline::{self, TimelineView};

/// The smallest terminal the UI draws in.
pub const MIN_SIZE: (u16, u16) = (80, 24);

/// The rectangles of one frame; a panel that does not fit is `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Panels {
    /// The header line.
    pub header: Rect,
    /// Lanes over time.
    pub timeline: Option<Rect>,
    /// The resource panels present, in placing order.
    pub resources: Vec<(Kind, Rect)>,
    /// Waits and deadlocks.
    pub waits: Option<Rect>,
    /// Scripts.
    pub scripts: Option<Rect>,
    /// Log.
    pub log: Option<Rect>,
    /// The lesson panel, when shown (in place of the panels under the timeline).
    pub info: Option<Rect>,
    /// The footer line.
    pub footer: Rect,
}

impl Panels {
    /// The panels present, in focus order.
    pub fn present(&self) -> Vec<Panel> {
        let mut out = Vec::new();
        out.extend(self.timeline.map(|_| Panel::Timeline));
        out.extend(self.resources.iter().map(|(k, _)| Panel::Resource(*k)));
        out.extend(self.waits.map(|_| Panel::Waits));
        out.extend(self.scripts.map(|_| Panel::Scripts));
        out.extend(self.log.map(|_| Panel::Log));
        out.extend(self.info.map(|_| Panel::Info));
        out
    }
}

/// The panels a session shows at a terminal size, in focus order.
pub fn visible_panels(s: &Session, size: (u16, u16)) -> Vec<Panel> {
    compute(s, size).map(|p| p.present()).unwrap_or_default()
}

/// The narrowest a column of resource panels gets.
const MIN_RESOURCE_COL: u16 = 36;

/// Lays out a session's frame; `None` when the terminal is too small.
pub fn compute(s: &Session, (width, height): (u16, u16)) -> Option<Panels> {
    if width < MIN_SIZE.0 || height < MIN_SIZE.1 {
        return None;
    }
    let area = Rect::new(0, 0, width, height);
    let body_h = height - 2;
    let cat = s.catalog();
    let lane_rows = timeline::rows_needed(cat, s.view.cpu_lanes) as u16;
    let tl_h = (lane_rows + 4).clamp(5, (body_h * 9 / 20).max(5));
    let kinds = panels::present(cat);
    let res_w = match kinds.len() {
        0 => 0,
        1 => width * 55 / 100,
        _ => width * 64 / 100,
    };
    let cap = (body_h / 2).max(5);
    let cols = columns(cat, &kinds, res_w, cap);
    let res_w = if cols.len() == 1 {
        width * 55 / 100
    } else {
        res_w
    };
    let need = cols
        .iter()
        .map(|c| {
            c.iter()
                .map(|k| panels::rows_wanted(cat, *k) as u16 + 2)
                .sum::<u16>()
        })
        .max()
        .unwrap_or(0)
        .max(waits_wanted(&s.world));
    let mid_h = need.max(6).clamp(5, cap);
    let mut rest = body_h.saturating_sub(tl_h + mid_h);
    // Too little room left for scripts and log: the middle takes it.
    let mid_h = if rest < 5 {
        let m = mid_h + rest;
        rest = 0;
        m
    } else {
        mid_h
    };
    let [header, tl, mid, bottom, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(tl_h),
        Constraint::Length(mid_h),
        Constraint::Length(if rest >= 5 { rest } else { 0 }),
        Constraint::Length(1),
    ])
    .areas(area);
    if s.view.info {
        let [_, below, _] = Layout::vertical([
            Constraint::Length(1 + tl_h),
            Constraint::Min(0),
            Constraint::Length(1),
        ])
        .areas(area);
        return Some(Panels {
            header,
            timeline: Some(tl),
            resources: Vec::new(),
            waits: None,
            scripts: None,
            log: None,
            info: Some(below),
            footer,
        });
    }
    let [res_area, waits] =
        Layout::horizontal([Constraint::Length(res_w), Constraint::Min(0)]).areas(mid);
    let resources = place(cat, &cols, res_area);
    // Threads of a real program have no scripts: the log takes their room.
    let scriptless = cat.engine == "live" && cat.tasks.iter().all(|t| t.script.lines.is_empty());
    let (scripts, log) = if bottom.height >= 5 && scriptless {
        (None, Some(bottom))
    } else if bottom.height >= 5 {
        let [a, b] = Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
            .areas(bottom);
        (Some(a), Some(b))
    } else {
        (None, None)
    };
    Some(Panels {
        header,
        timeline: Some(tl),
        resources,
        waits: Some(waits),
        scripts,
        log,
        info: None,
        footer,
    })
}

/// Deals the resource panels into columns: as few as keep each column's
/// stack within `height` rows, as many as fit `width`; each panel goes to
/// the column that wants the fewest rows so far.
fn columns(cat: &Catalog, kinds: &[Kind], width: u16, height: u16) -> Vec<Vec<Kind>> {
    let needs: Vec<usize> = kinds
        .iter()
        .map(|k| panels::rows_wanted(cat, *k) + 2)
        .collect();
    let total: usize = needs.iter().sum();
    let fit = usize::from(width / MIN_RESOURCE_COL).max(1);
    let n = total
        .div_ceil(usize::from(height.max(1)))
        .clamp(1, fit)
        .min(kinds.len().max(1));
    let mut cols: Vec<(usize, Vec<Kind>)> = vec![(0, Vec::new()); n];
    for (&k, &need) in kinds.iter().zip(&needs) {
        if let Some(c) = cols.iter_mut().min_by_key(|c| c.0) {
            c.0 += need;
            c.1.push(k);
        }
    }
    cols.into_iter()
        .map(|c| c.1)
        .filter(|c| !c.is_empty())
        .collect()
}

/// The rows the waits panel wants: a line per blocked task, and room to
/// explain a deadlock or a stall.
fn waits_wanted(world: &World) -> u16 {
    let blocked = world
        .tasks
        .iter()
        .filter(|t| matches!(t.state, crate::event::TaskState::Blocked { .. }))
        .count();
    let deadlock = world.deadlocks.first().map_or(0, |d| d.edges.len() + 3);
    let stall = world.stall.as_ref().map_or(0, |s| 2 * s.len() + 2);
    (blocked + deadlock + stall + 2).min(usize::from(u16::MAX)) as u16
}

/// The rectangle of each resource panel: columns side by side, each
/// stacking its panels, shrinking them in proportion when they do not fit.
fn place(cat: &Catalog, cols: &[Vec<Kind>], area: Rect) -> Vec<(Kind, Rect)> {
    if cols.is_empty() || area.width == 0 {
        return Vec::new();
    }
    let col_areas = Layout::horizontal(vec![Constraint::Fill(1); cols.len()]).split(area);
    let mut out = Vec::new();
    for (col, a) in cols.iter().zip(col_areas.iter()) {
        let needs: Vec<u16> = col
            .iter()
            .map(|k| panels::rows_wanted(cat, *k) as u16 + 2)
            .collect();
        let fits = needs.iter().sum::<u16>() <= a.height;
        let cons: Vec<Constraint> = needs
            .iter()
            .enumerate()
            .map(|(i, &n)| match (fits, i + 1 == needs.len()) {
                (true, true) => Constraint::Min(n),
                (true, false) => Constraint::Length(n),
                (false, _) => Constraint::Fill(n),
            })
            .collect();
        let rects = Layout::vertical(cons).split(*a);
        out.extend(col.iter().copied().zip(rects.iter().copied()));
    }
    out
}

/// Draws the whole app into a frame.
pub fn draw(frame: &mut Frame<'_>, app: &App<'_>) {
    let area = frame.area();
    let buf = frame.buffer_mut();
    draw_into(area, buf, app);
}

/// Draws the whole app into a buffer (what [`draw`] does, for tests and benches).
pub fn draw_into(area: Rect, buf: &mut ratatui::buffer::Buffer, app: &App<'_>) {
    if area.width < MIN_SIZE.0 || area.height < MIN_SIZE.1 {
        too_small(area, buf);
        return;
    }
    match &app.session {
        None => PickerView::new(app).render(area, buf),
        Some(s) => draw_session(area, buf, app, s),
    }
    if app.help {
        HelpView {
            theme: app.theme,
            picker: app.session.is_none(),
        }
        .render(area, buf);
    }
}

fn draw_session(area: Rect, buf: &mut ratatui::buffer::Buffer, app: &App<'_>, s: &Session) {
    let Some(p) = compute(s, (area.width, area.height)) else {
        too_small(area, buf);
        return;
    };
    let scene = Scene::new(s, app.theme);
    HeaderView {
        session: s,
        scene: &scene,
    }
    .render(p.header, buf);
    if let Some(r) = p.timeline {
        TimelineView { scene: &scene }.render(r, buf);
    }
    for (kind, r) in &p.resources {
        ResourcePanelView {
            scene: &scene,
            kind: *kind,
        }
        .render(*r, buf);
    }
    if let Some(r) = p.waits {
        WaitsView { scene: &scene }.render(r, buf);
    }
    if let Some(r) = p.scripts {
        ScriptsView { scene: &scene }.render(r, buf);
    }
    if let Some(r) = p.log {
        LogView { scene: &scene }.render(r, buf);
    }
    if let Some(r) = p.info {
        InfoView { scene: &scene }.render(r, buf);
    }
    FooterView {
        session: s,
        scene: &scene,
    }
    .render(p.footer, buf);
}

fn too_small(area: Rect, buf: &mut ratatui::buffer::Buffer) {
    let text = vec![
        Line::from("Terminal too small"),
        Line::from(format!(
            "{}x{} here; weft needs at least {}x{}.",
            area.width, area.height, MIN_SIZE.0, MIN_SIZE.1
        )),
        Line::from("Enlarge the window, or press q to quit."),
    ];
    Paragraph::new(text)
        .wrap(Wrap { trim: true })
        .render(area, buf);
}
