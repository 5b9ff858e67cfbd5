//! Where each panel goes at a terminal size, which panels show, and the
//! drawing of a whole frame (or the "too small" notice, the picker, the
//! help overlay). Imports the event contract, the trace and the analysis.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget, Wrap};
use ratatui::Frame;

use crate::analysis::{wait_chains, WaitChain};
use crate::event::{Catalog, WaitOn};
use crate::trace::{Trace, World};

use super::app::{App, ViewState};
use super::deadlock::WaitsView;
use super::header::{FooterView, HeaderView};
use super::help::HelpView;
use super::lanes::Lanes;
use super::locks::LocksView;
use super::log::LogView;
use super::picker::PickerView;
use super::queues::QueuesView;
use super::script::ScriptsView;
use super::session::Session;
use super::timeline::{self, TimelineView};
use super::Theme;

/// The smallest terminal the UI draws in.
pub const MIN_SIZE: (u16, u16) = (80, 24);

/// The panels that can take the focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Panel {
    /// Lanes over time.
    Timeline,
    /// Locks and their holders.
    Locks,
    /// Queues and their lengths.
    Queues,
    /// The wait-for graph.
    Waits,
    /// The tasks' scripts.
    Scripts,
    /// The event log.
    Log,
}

/// The rectangles of one frame; a panel that does not fit is `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Panels {
    /// The header line.
    pub header: Rect,
    /// Lanes over time.
    pub timeline: Option<Rect>,
    /// Locks.
    pub locks: Option<Rect>,
    /// Queues.
    pub queues: Option<Rect>,
    /// Waits and deadlocks.
    pub waits: Option<Rect>,
    /// Scripts.
    pub scripts: Option<Rect>,
    /// Log.
    pub log: Option<Rect>,
    /// The footer line.
    pub footer: Rect,
}

impl Panels {
    /// The panels present, in focus order.
    pub fn present(&self) -> Vec<Panel> {
        [
            (Panel::Timeline, self.timeline),
            (Panel::Locks, self.locks),
            (Panel::Queues, self.queues),
            (Panel::Waits, self.waits),
            (Panel::Scripts, self.scripts),
            (Panel::Log, self.log),
        ]
        .into_iter()
        .filter_map(|(p, r)| r.map(|_| p))
        .collect()
    }
}

/// The panels a session shows at a terminal size, in focus order.
pub fn visible_panels(s: &Session, size: (u16, u16)) -> Vec<Panel> {
    compute(s, size).map(|p| p.present()).unwrap_or_default()
}

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
    let locks = cat.resources.iter().filter(|r| r.is_lock()).count() as u16;
    let queues = cat.resources.iter().filter(|r| r.is_queue()).count() as u16;
    let mid_need = (locks + 3).max(queues * 3 + 2).max(6);
    let mid_h = mid_need.clamp(5, (body_h / 3).max(5));
    let rest = body_h.saturating_sub(tl_h + mid_h);
    let [header, tl, mid, bottom, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(tl_h),
        Constraint::Length(mid_h),
        Constraint::Length(if rest >= 5 { rest } else { 0 }),
        Constraint::Length(1),
    ])
    .areas(area);
    let (lk, qu, wa) = split_middle(mid, locks > 0, queues > 0);
    let (scripts, log) = if bottom.height >= 5 {
        let [a, b] = Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
            .areas(bottom);
        (Some(a), Some(b))
    } else {
        (None, None)
    };
    Some(Panels {
        header,
        timeline: Some(tl),
        locks: lk,
        queues: qu,
        waits: wa,
        scripts,
        log,
        footer,
    })
}

fn split_middle(
    mid: Rect,
    locks: bool,
    queues: bool,
) -> (Option<Rect>, Option<Rect>, Option<Rect>) {
    match (locks, queues) {
        (true, true) => {
            let [a, b, c] = Layout::horizontal([
                Constraint::Percentage(32),
                Constraint::Percentage(33),
                Constraint::Percentage(35),
            ])
            .areas(mid);
            (Some(a), Some(b), Some(c))
        }
        (true, false) | (false, true) => {
            let [a, c] =
                Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
                    .areas(mid);
            if locks {
                (Some(a), None, Some(c))
            } else {
                (None, Some(a), Some(c))
            }
        }
        (false, false) => (None, None, Some(mid)),
    }
}

/// Everything a view reads: the world at the cursor, the view state, and
/// what is derived from them once per frame.
pub struct Scene<'a> {
    /// The names behind the ids.
    pub catalog: &'a Catalog,
    /// The world at the cursor.
    pub world: &'a World,
    /// Cursor, focus, zoom, selection.
    pub view: &'a ViewState,
    /// The events.
    pub trace: &'a Trace,
    /// The lane histories.
    pub lanes: &'a Lanes,
    /// Colours.
    pub theme: Theme,
    /// The wait-for graph at the cursor, as chains.
    pub chains: Vec<WaitChain>,
    /// Per task: in a wait-for cycle at the cursor.
    pub task_in_cycle: Vec<bool>,
    /// Per resource: a lock some cycle waits for.
    pub lock_in_cycle: Vec<bool>,
}

impl<'a> Scene<'a> {
    /// The scene of a session.
    pub fn new(s: &'a Session, theme: Theme) -> Scene<'a> {
        let chains = wait_chains(&s.world);
        let mut task_in_cycle = vec![false; s.world.tasks.len()];
        let mut lock_in_cycle = vec![false; s.catalog().resources.len()];
        for e in chains.iter().filter(|c| c.cycle).flat_map(|c| &c.edges) {
            if let Some(t) = task_in_cycle.get_mut(e.task.index()) {
                *t = true;
            }
            if let WaitOn::Lock(r) = e.waits_for {
                if let Some(l) = lock_in_cycle.get_mut(r.index()) {
                    *l = true;
                }
            }
        }
        Scene {
            catalog: s.catalog(),
            world: &s.world,
            view: &s.view,
            trace: &s.trace,
            lanes: &s.lanes,
            theme,
            chains,
            task_in_cycle,
            lock_in_cycle,
        }
    }

    /// Whether a panel has the focus.
    pub fn focused(&self, p: Panel) -> bool {
        self.view.focus == p
    }
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
        HelpView { theme: app.theme }.render(area, buf);
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
    if let Some(r) = p.locks {
        LocksView { scene: &scene }.render(r, buf);
    }
    if let Some(r) = p.queues {
        QueuesView { scene: &scene }.render(r, buf);
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
