//! Keys and mouse clicks become [`Action`]s, one mapping per input mode.
//! Only `App::update` acts on them. Also the list of keys the help overlay
//! shows. Imports nothing of weft.

use std::time::Duration;

use crossterm::event::{
    Event as TermEvent, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEventKind,
};

/// Everything the user (or the clock) can ask the app to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Leave the UI.
    Quit,
    /// Play or pause.
    TogglePlay,
    /// One event forward.
    StepForward,
    /// One event back.
    StepBack,
    /// To the end of the next tick.
    TickForward,
    /// To the end of the previous tick.
    TickBack,
    /// Slower playback.
    Slower,
    /// Faster playback.
    Faster,
    /// To the first step.
    Start,
    /// To the last step.
    End,
    /// To the deadlock.
    JumpDeadlock,
    /// Focus the next panel.
    FocusNext,
    /// Focus the previous panel.
    FocusPrev,
    /// Up within the focused panel.
    Up,
    /// Down within the focused panel.
    Down,
    /// Enter: select the task under the lane cursor, or open the picked entry.
    Select,
    /// Task lanes or CPU lanes.
    ToggleCpuLanes,
    /// Show or hide the lesson panel.
    ToggleInfo,
    /// More detail per tick.
    ZoomIn,
    /// More ticks per cell.
    ZoomOut,
    /// The zoom at which the whole run fits.
    FitRun,
    /// Pan the timeline towards the start, leaving the cursor.
    PanBack,
    /// Pan the timeline towards the end, leaving the cursor.
    PanForward,
    /// Enter or leave be-the-scheduler mode.
    Scheduler,
    /// In scheduler mode: take option `n` (1-based).
    Pick(u8),
    /// Run again with the same seed.
    Restart,
    /// Run again with a new random seed.
    RestartNewSeed,
    /// Back to the picker.
    OpenPicker,
    /// In the picker: a page up the list.
    PageUp,
    /// In the picker: a page down the list.
    PageDown,
    /// In the picker: scroll the description and errors up.
    DetailsUp,
    /// In the picker: scroll the description and errors down.
    DetailsDown,
    /// Show or hide the help overlay.
    Help,
    /// Start typing a log filter.
    FilterStart,
    /// A character of the filter.
    FilterChar(char),
    /// Delete the filter's last character.
    FilterBackspace,
    /// Keep the filter and stop typing.
    FilterDone,
    /// Drop the filter.
    FilterCancel,
    /// A left click at a terminal cell.
    Click {
        /// Column.
        x: u16,
        /// Row.
        y: u16,
    },
    /// The terminal's new size.
    Resize {
        /// Columns.
        width: u16,
        /// Rows.
        height: u16,
    },
    /// Take in the events the engine has sent.
    Pump,
    /// One event from the engine, received while waiting.
    Engine(crate::event::Event),
    /// Time passed (drives playback).
    Tick(Duration),
}

/// The input mode, which decides what keys mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The scenario picker.
    Picker,
    /// Watching a run.
    Session,
    /// Typing a log filter.
    Filter,
    /// The help overlay is open: any key closes it.
    Help,
}

/// The action of a terminal event in a mode, if it has one.
pub fn map(event: &TermEvent, mode: Mode) -> Option<Action> {
    match event {
        TermEvent::Key(key) if key.kind != KeyEventKind::Release => map_key(key, mode),
        TermEvent::Mouse(m) => match m.kind {
            MouseEventKind::Down(MouseButton::Left) => Some(Action::Click {
                x: m.column,
                y: m.row,
            }),
            MouseEventKind::ScrollUp => Some(Action::Up),
            MouseEventKind::ScrollDown => Some(Action::Down),
            _ => None,
        },
        TermEvent::Resize(width, height) => Some(Action::Resize {
            width: *width,
            height: *height,
        }),
        _ => None,
    }
}

/// The action of a key in a mode.
pub fn map_key(key: &KeyEvent, mode: Mode) -> Option<Action> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl && matches!(key.code, KeyCode::Char('c')) {
        return Some(Action::Quit);
    }
    match mode {
        Mode::Help => Some(Action::Help),
        Mode::Filter => filter_key(key),
        Mode::Picker => picker_key(key),
        Mode::Session => session_key(key),
    }
}

fn filter_key(key: &KeyEvent) -> Option<Action> {
    match key.code {
        KeyCode::Enter => Some(Action::FilterDone),
        KeyCode::Esc => Some(Action::FilterCancel),
        KeyCode::Backspace => Some(Action::FilterBackspace),
        KeyCode::Char(c) => Some(Action::FilterChar(c)),
        _ => None,
    }
}

fn picker_key(key: &KeyEvent) -> Option<Action> {
    let shift = key.modifiers.contains(KeyModifiers::SHIFT);
    match key.code {
        KeyCode::Char('q') | KeyCode::Esc => Some(Action::Quit),
        KeyCode::Up if shift => Some(Action::DetailsUp),
        KeyCode::Down if shift => Some(Action::DetailsDown),
        KeyCode::Char('K') => Some(Action::DetailsUp),
        KeyCode::Char('J') => Some(Action::DetailsDown),
        KeyCode::Up | KeyCode::Char('k') => Some(Action::Up),
        KeyCode::Down | KeyCode::Char('j') => Some(Action::Down),
        KeyCode::Home | KeyCode::Char('g') => Some(Action::Start),
        KeyCode::End | KeyCode::Char('G') => Some(Action::End),
        KeyCode::PageUp => Some(Action::PageUp),
        KeyCode::PageDown => Some(Action::PageDown),
        KeyCode::Enter => Some(Action::Select),
        KeyCode::Char('?') => Some(Action::Help),
        _ => None,
    }
}

fn session_key(key: &KeyEvent) -> Option<Action> {
    let shift = key.modifiers.contains(KeyModifiers::SHIFT);
    let a = match key.code {
        KeyCode::Right if shift => Action::TickForward,
        KeyCode::Left if shift => Action::TickBack,
        KeyCode::Right | KeyCode::Char('l') => Action::StepForward,
        KeyCode::Left | KeyCode::Char('h') => Action::StepBack,
        KeyCode::Char('L') => Action::TickForward,
        KeyCode::Char('H') => Action::TickBack,
        KeyCode::Up | KeyCode::Char('k') => Action::Up,
        KeyCode::Down | KeyCode::Char('j') => Action::Down,
        KeyCode::Tab => Action::FocusNext,
        KeyCode::BackTab => Action::FocusPrev,
        KeyCode::Enter => Action::Select,
        KeyCode::Home => Action::Start,
        KeyCode::End => Action::End,
        KeyCode::Char(c) => return session_char(c),
        _ => return None,
    };
    Some(a)
}

fn session_char(c: char) -> Option<Action> {
    let a = match c {
        'q' => Action::Quit,
        ' ' => Action::TogglePlay,
        '[' => Action::Slower,
        ']' => Action::Faster,
        'g' => Action::Start,
        'G' => Action::End,
        'd' => Action::JumpDeadlock,
        'c' => Action::ToggleCpuLanes,
        'i' => Action::ToggleInfo,
        '+' | '=' => Action::ZoomIn,
        '-' | '_' => Action::ZoomOut,
        'z' => Action::FitRun,
        ',' | '<' => Action::PanBack,
        '.' | '>' => Action::PanForward,
        's' => Action::Scheduler,
        'r' => Action::Restart,
        'R' => Action::RestartNewSeed,
        'o' => Action::OpenPicker,
        '?' => Action::Help,
        '/' => Action::FilterStart,
        '1'..='9' => Action::Pick(c as u8 - b'0'),
        _ => return None,
    };
    Some(a)
}

/// Every key of the picker, as (keys, what it does), for the help overlay.
pub const PICKER_HELP: &[(&str, &str)] = &[
    ("↑ ↓ / k j", "choose a scenario"),
    ("PgUp / PgDn", "a page up / down"),
    ("Home End / g G", "the first / last scenario"),
    ("Enter", "open it (paused: space plays)"),
    ("Shift+↑ ↓ / K J", "scroll its description and errors"),
    ("?", "this help"),
    ("q / Esc / Ctrl-C", "quit"),
];

/// Every key of the session, as (keys, what it does), for the help overlay.
pub const HELP: &[(&str, &str)] = &[
    ("space", "play / pause, a tick at a time"),
    ("→ ← / l h", "one event forward / back"),
    ("Shift+→ ← / L H", "one tick forward / back"),
    ("[ / ]", "slower / faster (ticks per second)"),
    ("g G / Home End", "start / end of the run (live: follow it)"),
    ("d", "jump to the deadlock"),
    ("Tab / Shift+Tab", "focus the next / previous panel"),
    ("↑ ↓ / k j", "move within the focused panel"),
    ("Enter", "select the task under the lane cursor"),
    ("c", "task lanes / CPU lanes"),
    ("+ / - / z", "zoom in / out / fit the whole run"),
    (", / .", "pan the timeline (the cursor stays)"),
    ("i", "lesson, variables, statistics, checks"),
    ("s", "be the scheduler (1-9 picks; s leaves)"),
    ("r / R", "restart / restart with a new seed"),
    ("/", "filter the log (Enter keeps, Esc drops)"),
    ("o", "back to the scenario picker"),
    ("? / q", "this help / quit (also Ctrl-C)"),
    ("mouse", "click a lane: select; the axis: seek"),
];
