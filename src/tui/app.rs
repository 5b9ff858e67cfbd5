//! The app: the picker or an open [`Session`], the help overlay, and
//! [`App::update`], the only place where app state changes. Imports the
//! event contract and the trace; runs go through the [`Engine`] trait.

use crate::trace::Trace;

use super::keymap::{Action, Mode};
use super::layout::{self, Panel};
use super::session::{Session, SPEEDS};
use super::timeline::{self, Hit, ZOOMS};
use super::{Engine, Entry, Open, RunRequest, Theme};

pub use super::session::Scheduler;
pub use super::view_state::ViewState;

pub use super::view_state::DEFAULT_ZOOM;

/// The picker's state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PickerState {
    /// The highlighted entry.
    pub selected: usize,
    /// The entry that last failed to open, and its diagnostics (shown only
    /// while that entry is highlighted).
    pub error: Option<(usize, String)>,
    /// Lines the description and errors are scrolled down.
    pub details_scroll: usize,
    /// Rows of the list on screen (for paging).
    pub page: usize,
}

/// The whole app.
pub struct App<'a> {
    pub(super) engine: &'a dyn Engine,
    /// Colours or not.
    pub theme: Theme,
    /// The picker's entries.
    pub entries: Vec<Entry>,
    /// The picker's state.
    pub picker: PickerState,
    /// The open run, if any (else the picker shows).
    pub session: Option<Session>,
    /// The help overlay is open.
    pub help: bool,
    /// The user asked to quit.
    pub quit: bool,
    /// The terminal's size.
    pub size: (u16, u16),
}

impl<'a> App<'a> {
    /// An app opened on `open`.
    pub fn new(engine: &'a dyn Engine, open: Open, theme: Theme) -> App<'a> {
        let mut app = App {
            engine,
            theme,
            entries: engine.entries(),
            picker: PickerState::default(),
            session: None,
            help: false,
            quit: false,
            size: (100, 30),
        };
        match open {
            Open::Picker => {}
            Open::Entry(i) => {
                app.picker.selected = i;
                app.open_entry(i);
                if let Some(s) = &mut app.session {
                    s.playing = false;
                }
            }
            Open::Trace(trace) => app.open_trace(trace),
            Open::Follow(catalog, feed) => {
                app.session = Some(Session::following(catalog, feed));
            }
        }
        app
    }

    /// What keys mean now.
    pub fn mode(&self) -> Mode {
        match &self.session {
            _ if self.help => Mode::Help,
            None => Mode::Picker,
            Some(s) if s.view.filtering => Mode::Filter,
            Some(_) => Mode::Session,
        }
    }

    fn open_entry(&mut self, i: usize) {
        let req = RunRequest {
            entry: i,
            ..RunRequest::default()
        };
        match self.engine.start(&req) {
            Ok((catalog, rx)) => {
                self.picker.error = None;
                self.session = Some(Session::new(catalog, Some(rx), Some(req)));
            }
            Err(text) => {
                self.session = None;
                self.picker.error = Some((i, text));
                self.picker.details_scroll = 0;
            }
        }
    }

    fn open_trace(&mut self, trace: Trace) {
        let mut s = Session::from_trace(trace);
        s.set_cursor(0);
        self.session = Some(s);
    }

    /// Applies one action: the only way app state changes.
    pub fn update(&mut self, action: Action) {
        match action {
            Action::Quit => self.quit = true,
            Action::Help => self.help = !self.help,
            Action::Resize { width, height } => {
                self.size = (width, height);
                self.picker.page = usize::from(height.saturating_sub(6)).max(1);
            }
            Action::OpenPicker => {
                self.session = None;
                self.entries = self.engine.entries();
            }
            _ if self.session.is_none() => self.update_picker(action),
            _ => self.update_session(action),
        }
    }

    fn update_picker(&mut self, action: Action) {
        let n = self.entries.len();
        let last = n.saturating_sub(1);
        let p = &mut self.picker;
        let page = p.page.max(1);
        let before = p.selected;
        match action {
            Action::Up => p.selected = p.selected.saturating_sub(1),
            Action::Down => p.selected = (p.selected + 1).min(last),
            Action::PageUp => p.selected = p.selected.saturating_sub(page),
            Action::PageDown => p.selected = (p.selected + page).min(last),
            Action::Start => p.selected = 0,
            Action::End => p.selected = last,
            Action::DetailsUp => p.details_scroll = p.details_scroll.saturating_sub(1),
            Action::DetailsDown => p.details_scroll = (p.details_scroll + 1).min(10_000),
            // A run opens paused, as from `weft run`: space starts it.
            Action::Select if p.selected < n => {
                let i = p.selected;
                self.open_entry(i);
            }
            _ => {}
        }
        if self.picker.selected != before {
            self.picker.details_scroll = 0;
        }
    }

    fn update_session(&mut self, action: Action) {
        let user = !matches!(action, Action::Pump | Action::Tick(_) | Action::Engine(_));
        self.update_session_with(action);
        // A user who moves the cursor off the newest event of a followed
        // trace stops following it.
        if let Some(s) = self.session.as_mut() {
            if user && s.follow_head && s.view.cursor != s.trace.len() {
                s.follow_head = false;
                s.playing = false;
            }
        }
    }

    fn update_session_with(&mut self, action: Action) {
        let Some(s) = self.session.as_mut() else {
            return;
        };
        if !matches!(action, Action::Pump | Action::Tick(_) | Action::Engine(_)) {
            s.message = None;
        }
        match action {
            Action::Pump => s.pump(),
            Action::Engine(e) => s.accept(e),
            Action::Tick(dt) => s.advance(dt.as_secs_f64()),
            // Following a trace as it is written, space pauses: the
            // cursor stays while recording goes on.
            Action::TogglePlay if s.follow_head => {
                s.follow_head = false;
                s.playing = false;
            }
            Action::TogglePlay => s.playing = !s.playing,
            Action::StepForward => s.set_cursor(s.view.cursor + 1),
            Action::StepBack => s.set_cursor(s.view.cursor.saturating_sub(1)),
            Action::TickForward => s.tick_forward(),
            Action::TickBack => s.tick_back(),
            Action::Slower => s.speed = s.speed.saturating_sub(1),
            Action::Faster => s.speed = (s.speed + 1).min(SPEEDS.len() - 1),
            Action::Start => s.set_cursor(0),
            Action::End => {
                s.set_cursor(s.trace.len());
                if s.live() {
                    s.follow_head = true;
                    s.playing = true;
                }
            }
            Action::JumpDeadlock => jump_deadlock(s),
            Action::ToggleCpuLanes => {
                s.view.cpu_lanes = !s.view.cpu_lanes;
                s.view.lane_cursor = 0;
            }
            Action::ToggleInfo => {
                s.view.info = !s.view.info;
                s.view.focus = if s.view.info {
                    Panel::Info
                } else {
                    Panel::Timeline
                };
            }
            Action::ZoomIn => s.view.zoom = s.view.zoom.saturating_sub(1),
            Action::ZoomOut => s.view.zoom = (s.view.zoom + 1).min(ZOOMS.len() - 1),
            Action::FilterStart => s.view.filtering = true,
            Action::FilterChar(c) => s.view.filter.push(c),
            Action::FilterBackspace => {
                s.view.filter.pop();
            }
            Action::FilterDone => s.view.filtering = false,
            Action::FilterCancel => {
                s.view.filtering = false;
                s.view.filter.clear();
            }
            other => self.update_more(other),
        }
    }

    fn update_more(&mut self, action: Action) {
        let size = self.size;
        match action {
            Action::FocusNext | Action::FocusPrev => self.cycle_focus(action == Action::FocusNext),
            Action::Up => self.move_within(-1),
            Action::Down => self.move_within(1),
            Action::Select => {
                if let Some(s) = self.session.as_mut() {
                    if s.view.focus == Panel::Timeline && !s.view.cpu_lanes {
                        let order = timeline::task_order(s.catalog());
                        s.view.selected = order.get(s.view.lane_cursor).copied();
                    }
                }
            }
            Action::Click { x, y } => self.click(x, y, size),
            Action::FitRun | Action::PanBack | Action::PanForward => self.zoom_or_pan(&action),
            Action::Scheduler => self.toggle_scheduler(),
            Action::Pick(n) => self.pick(n),
            Action::Restart => self.restart(false),
            Action::RestartNewSeed => self.restart(true),
            _ => {}
        }
    }

    /// Fits the whole run, or pans the timeline by a quarter of its width.
    fn zoom_or_pan(&mut self, action: &Action) {
        let size = self.size;
        let Some(s) = self.session.as_mut() else {
            return;
        };
        let Some(area) = layout::compute(s, size).and_then(|p| p.timeline) else {
            return;
        };
        if *action == Action::FitRun {
            s.view.zoom = timeline::fit_zoom(s, area);
            s.view.pan = None;
            return;
        }
        let (from, width) = timeline::window_of(s, area);
        let by = (width / 4).max(1);
        s.view.pan = Some(if *action == Action::PanBack {
            from.saturating_sub(by)
        } else {
            from + by
        });
    }

    fn cycle_focus(&mut self, forward: bool) {
        let size = self.size;
        let Some(s) = self.session.as_mut() else {
            return;
        };
        let panels = layout::visible_panels(s, size);
        if panels.is_empty() {
            return;
        }
        let at = panels.iter().position(|p| *p == s.view.focus).unwrap_or(0);
        let n = panels.len();
        let next = if forward {
            (at + 1) % n
        } else {
            (at + n - 1) % n
        };
        s.view.focus = panels[next];
    }

    fn move_within(&mut self, delta: isize) {
        let Some(s) = self.session.as_mut() else {
            if delta < 0 {
                self.update_picker(Action::Up);
            } else {
                self.update_picker(Action::Down);
            }
            return;
        };
        let step = |v: usize, max: usize| v.saturating_add_signed(delta).min(max);
        let tasks = s.catalog().tasks.len();
        match s.view.focus {
            Panel::Timeline => {
                let rows = if s.view.cpu_lanes {
                    s.catalog().cpus as usize
                } else {
                    tasks
                };
                s.view.lane_cursor = step(s.view.lane_cursor, rows.saturating_sub(1));
            }
            p @ (Panel::Resource(_) | Panel::Waits | Panel::Info) => {
                let at = s.view.scroll_of(p);
                s.view.scroll.insert(p, step(at, 1000));
            }
            Panel::Log => s.view.log_back = s.view.log_back.saturating_add_signed(-delta),
            Panel::Scripts => {
                let order = timeline::task_order(s.catalog());
                let at = s
                    .view
                    .selected
                    .and_then(|t| order.iter().position(|x| *x == t))
                    .unwrap_or(0);
                s.view.selected = order.get(step(at, order.len().saturating_sub(1))).copied();
            }
        }
    }

    fn click(&mut self, x: u16, y: u16, size: (u16, u16)) {
        let Some(s) = self.session.as_mut() else {
            return;
        };
        let Some(panels) = layout::compute(s, size) else {
            return;
        };
        let Some(area) = panels.timeline else {
            return;
        };
        match timeline::hit(s, area, x, y) {
            Some(Hit::Lane(row, task)) => {
                s.view.focus = Panel::Timeline;
                s.view.lane_cursor = row;
                if task.is_some() {
                    s.view.selected = task;
                }
            }
            Some(Hit::Tick(t)) => {
                let to = s.lanes.step_after_tick(t);
                s.set_cursor(to);
            }
            None => {}
        }
    }
}

fn jump_deadlock(s: &mut Session) {
    match s.lanes.deadlock_steps.first() {
        Some(&d) => {
            s.playing = false;
            s.set_cursor(d);
        }
        None => s.message = Some("no deadlock in this run (so far)".into()),
    }
}
