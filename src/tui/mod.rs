//! The interactive terminal UI: open a scenario and watch it run, tick by
//! tick. An [`Engine`] runs the scenario on its own thread and streams
//! events; the UI folds them into a [`Trace`] and draws the [`World`] at its
//! cursor.
//!
//! This module imports only `crate::event`, `crate::trace` and
//! `crate::analysis` of weft (plus ratatui, crossterm and crossbeam); never
//! an engine or the scenario parser.
//!
//! [`World`]: crate::trace::World

pub mod app;
pub mod header;
pub mod help;
pub mod info;
pub mod keymap;
pub mod lanes;
pub mod layout;
pub mod log;
pub mod panels;
pub mod picker;
pub mod runs;
pub mod scene;
pub mod script;
pub mod session;
pub mod term;
pub mod theme;
pub mod timeline;
mod timeline_lanes;
pub mod view_state;

use crate::event::{Catalog, Event, TaskId};
use crate::trace::Trace;

pub use app::{App, ViewState};
pub use keymap::Action;
pub use theme::Theme;

/// One scenario the picker offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The scenario's name.
    pub name: String,
    /// Its one-paragraph description.
    pub description: String,
    /// Where it comes from: a built-in lesson (and its file) or a path.
    pub origin: String,
    /// The topic it is listed under.
    pub topic: String,
}

/// What to run: which entry, and how.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RunRequest {
    /// The index into [`Engine::entries`].
    pub entry: usize,
    /// Overrides the scenario's seed.
    pub seed: Option<u64>,
    /// The task to take at each scheduling choice, in order; past its end
    /// the scenario's policy chooses.
    pub schedule: Vec<TaskId>,
    /// Emit a `Choice` event at every scheduling choice.
    pub record_choices: bool,
}

/// What runs scenarios for the UI. The UI knows nothing else of engines.
pub trait Engine {
    /// Built-in scenarios and `./scenarios/*.toml`, for the picker.
    fn entries(&self) -> Vec<Entry>;
    /// Starts a run of entry `req.entry` on a background thread: its catalog
    /// and a receiver that yields every event then disconnects;
    /// `Err(text)` = diagnostics to show (a scenario with errors opens nothing).
    fn start(
        &self,
        req: &RunRequest,
    ) -> Result<(Catalog, crossbeam_channel::Receiver<Event>), String>;
}

/// An engine with no scenarios: for showing a recorded trace on its own
/// (the picker is empty and a restart is refused).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoEngine;

impl Engine for NoEngine {
    fn entries(&self) -> Vec<Entry> {
        Vec::new()
    }

    fn start(
        &self,
        _req: &RunRequest,
    ) -> Result<(Catalog, crossbeam_channel::Receiver<Event>), String> {
        Err("this trace was opened on its own: there is no scenario to run".into())
    }
}

/// What the UI opens on.
// A trace is opened once; boxing it would only change the lead's interface.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Open {
    /// The scenario picker.
    Picker,
    /// A run of this entry of [`Engine::entries`].
    Entry(usize),
    /// A recorded trace (it cannot be restarted).
    Trace(Trace),
    /// A trace another process is writing, followed as it grows: the
    /// header's catalog and the reader.
    Follow(Catalog, crate::trace::follow::Following),
}

/// How the UI uses the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UiOptions {
    /// Capture the mouse (clicks select lanes and seek).
    pub mouse: bool,
    /// Use colours; false under `NO_COLOR` (states still show by glyph).
    pub color: bool,
}

/// Runs the TUI until the user quits; restores the terminal on every exit
/// path (quit, Ctrl-C, SIGTERM, panic, error). Returns the trace of the run
/// on screen when the user quit, once that run had ended, so that the
/// command can exit with the run's code.
pub fn run(
    engine: &dyn Engine,
    open: Open,
    opts: UiOptions,
) -> std::io::Result<Option<crate::trace::Trace>> {
    let mut app = App::new(engine, open, Theme::new(opts.color));
    term::run_loop(&mut app, opts.mouse)?;
    Ok(app
        .session
        .take()
        .filter(|s| !s.streaming() && s.trace.last().outcome.is_some())
        .map(|s| s.trace))
}
