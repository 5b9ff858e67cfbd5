//! Colours and glyphs: the Okabe-Ito palette for task states, and a
//! monochrome theme (under `NO_COLOR`) that still tells states apart by glyph.
//! Imports nothing of weft but the event contract.

use ratatui::style::{Color, Modifier, Style};

use crate::event::TaskState;

/// Okabe-Ito orange.
pub const ORANGE: Color = Color::Rgb(0xE6, 0x9F, 0x00);
/// Okabe-Ito sky blue.
pub const SKY_BLUE: Color = Color::Rgb(0x56, 0xB4, 0xE9);
/// Okabe-Ito bluish green.
pub const BLUISH_GREEN: Color = Color::Rgb(0x00, 0x9E, 0x73);
/// Okabe-Ito yellow.
pub const YELLOW: Color = Color::Rgb(0xF0, 0xE4, 0x42);
/// Okabe-Ito blue.
pub const BLUE: Color = Color::Rgb(0x00, 0x72, 0xB2);
/// Okabe-Ito vermillion.
pub const VERMILLION: Color = Color::Rgb(0xD5, 0x5E, 0x00);
/// Okabe-Ito reddish purple.
pub const REDDISH_PURPLE: Color = Color::Rgb(0xCC, 0x79, 0xA7);
/// A neutral grey for secondary text.
pub const GREY: Color = Color::Rgb(0x88, 0x88, 0x88);

/// The kinds of task state the views tell apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StateKind {
    /// Not arrived.
    New,
    /// Ended normally.
    Done,
    /// In `sleep`.
    Sleeping,
    /// In `io`.
    Io,
    /// Waiting for a CPU.
    Ready,
    /// On a CPU.
    Running,
    /// Waiting for another task.
    Blocked,
    /// Ended by a failed operation.
    Failed,
    /// Ended by `terminate` (or killed as a daemon).
    Killed,
}

impl StateKind {
    /// The kind of a task state.
    pub fn of(state: TaskState) -> StateKind {
        match state {
            TaskState::New => StateKind::New,
            TaskState::Ready => StateKind::Ready,
            TaskState::Running { .. } => StateKind::Running,
            TaskState::Blocked { .. } => StateKind::Blocked,
            TaskState::Sleeping { io: false } => StateKind::Sleeping,
            TaskState::Sleeping { io: true } => StateKind::Io,
            TaskState::Done => StateKind::Done,
            TaskState::Failed { .. } => StateKind::Failed,
            TaskState::Killed => StateKind::Killed,
        }
    }

    /// Whether a stay of no time in this state is marked on the timeline:
    /// running, blocked, sleeping and I/O are; ready is not (every dispatch
    /// passes through it), nor are the states a task never leaves.
    pub fn flashes(self) -> bool {
        matches!(
            self,
            StateKind::Running | StateKind::Blocked | StateKind::Sleeping | StateKind::Io
        )
    }

    /// The glyph that fills a timeline cell in this state.
    pub fn glyph(self) -> char {
        match self {
            StateKind::New => ' ',
            StateKind::Running => '█',
            StateKind::Ready => '░',
            StateKind::Blocked => '▒',
            StateKind::Sleeping => '~',
            StateKind::Io => '≈',
            StateKind::Done => '✓',
            StateKind::Failed => '✗',
            StateKind::Killed => '×',
        }
    }

    /// The word for the legend.
    pub fn label(self) -> &'static str {
        match self {
            StateKind::New => "new",
            StateKind::Running => "running",
            StateKind::Ready => "ready",
            StateKind::Blocked => "blocked",
            StateKind::Sleeping => "sleeping",
            StateKind::Io => "io",
            StateKind::Done => "done",
            StateKind::Failed => "failed",
            StateKind::Killed => "killed",
        }
    }

    /// Every kind shown in the legend, in legend order.
    pub const LEGEND: [StateKind; 8] = [
        StateKind::Running,
        StateKind::Ready,
        StateKind::Blocked,
        StateKind::Sleeping,
        StateKind::Io,
        StateKind::Done,
        StateKind::Failed,
        StateKind::Killed,
    ];
}

/// The styles of the UI; monochrome when colour is off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    /// Colours are on.
    pub color: bool,
}

impl Theme {
    /// A theme with or without colour.
    pub fn new(color: bool) -> Theme {
        Theme { color }
    }

    fn fg(self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    /// The colour of a state kind.
    pub fn state_color(self, kind: StateKind) -> Color {
        match kind {
            StateKind::New => Color::Reset,
            StateKind::Running => BLUISH_GREEN,
            StateKind::Ready => ORANGE,
            StateKind::Blocked => REDDISH_PURPLE,
            StateKind::Sleeping => SKY_BLUE,
            StateKind::Io => YELLOW,
            StateKind::Done => BLUE,
            StateKind::Failed => VERMILLION,
            StateKind::Killed => GREY,
        }
    }

    /// The style of a timeline cell in a state.
    pub fn state(self, kind: StateKind) -> Style {
        self.fg(self.state_color(kind))
    }

    /// The style of a label drawn over a state's cells (text on the state colour).
    pub fn state_label(self, kind: StateKind) -> Style {
        if self.color {
            Style::new().fg(Color::Black).bg(self.state_color(kind))
        } else {
            Style::new().add_modifier(Modifier::REVERSED)
        }
    }

    /// The label over cells of a thread blocked on its process's GIL:
    /// ready-coloured, since the thread could run but for the GIL.
    pub fn gil_label(self) -> Style {
        self.state_label(StateKind::Ready)
            .add_modifier(Modifier::ITALIC)
    }

    /// The colour of errors: deadlocks, failures, cycles.
    pub fn error_color(self) -> Color {
        VERMILLION
    }

    /// Text in the error colour.
    pub fn error(self) -> Style {
        self.fg(VERMILLION).add_modifier(Modifier::BOLD)
    }

    /// A badge: dark text on the error colour (reversed in monochrome).
    pub fn error_badge(self) -> Style {
        if self.color {
            Style::new()
                .fg(Color::Black)
                .bg(VERMILLION)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        }
    }

    /// A badge for a good outcome.
    pub fn ok_badge(self) -> Style {
        if self.color {
            Style::new().fg(Color::Black).bg(BLUISH_GREEN)
        } else {
            Style::new().add_modifier(Modifier::REVERSED)
        }
    }

    /// A CPU switching between tasks: busy, running nobody.
    pub fn switch(self) -> Style {
        self.fg(VERMILLION)
    }

    /// A scheduling choice's mark on the time axis.
    pub fn choice(self) -> Style {
        self.fg(SKY_BLUE).add_modifier(Modifier::BOLD)
    }

    /// Secondary text.
    pub fn dim(self) -> Style {
        self.fg(GREY)
    }

    /// Highlighted text (cursor, current line, focus).
    pub fn accent(self) -> Style {
        self.fg(YELLOW).add_modifier(Modifier::BOLD)
    }

    /// The selected item of a list.
    pub fn selected(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    /// Titles and names.
    pub fn title(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    /// The border of a panel, brighter when it has the focus.
    pub fn border(self, focused: bool) -> Style {
        if focused {
            self.accent()
        } else {
            self.dim()
        }
    }

    /// The cursor column of the timeline.
    pub fn cursor(self) -> Style {
        if self.color {
            Style::new().bg(Color::Rgb(0x44, 0x44, 0x44))
        } else {
            Style::new().add_modifier(Modifier::UNDERLINED)
        }
    }

    /// A queue's fill gauge: blue, orange when full.
    pub fn gauge(self, full: bool) -> Style {
        self.fg(if full { ORANGE } else { BLUE })
    }
}

/// The nearest colour of the 256-colour palette to a 24-bit one (the
/// 6×6×6 cube or the grey ramp), for terminals that do not say they take
/// 24-bit colour; other colours are kept.
pub fn to_256(c: Color) -> Color {
    let Color::Rgb(r, g, b) = c else { return c };
    const LEVELS: [u8; 6] = [0, 95, 135, 175, 215, 255];
    let level = |v: u8| {
        (0..6)
            .min_by_key(|&i| (i32::from(LEVELS[i]) - i32::from(v)).abs())
            .unwrap_or(0)
    };
    let (ri, gi, bi) = (level(r), level(g), level(b));
    let cube = (LEVELS[ri], LEVELS[gi], LEVELS[bi]);
    let avg = (u32::from(r) + u32::from(g) + u32::from(b)) / 3;
    let grey_i = ((avg.saturating_sub(8)) / 10).min(23) as u8;
    let grey = 8 + 10 * grey_i;
    let dist = |(x, y, z): (u8, u8, u8)| {
        let d = |a: u8, b: u8| (i32::from(a) - i32::from(b)).pow(2);
        d(x, r) + d(y, g) + d(z, b)
    };
    if dist((grey, grey, grey)) < dist(cube) {
        Color::Indexed(232 + grey_i)
    } else {
        Color::Indexed(16 + 36 * ri as u8 + 6 * gi as u8 + bi as u8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Failure;

    #[test]
    fn killed_failed_io_and_sleep_each_have_their_own_glyph_colour_and_word() {
        let states = [
            TaskState::Killed,
            TaskState::Failed {
                reason: Failure::NoProgress,
            },
            TaskState::Sleeping { io: true },
            TaskState::Sleeping { io: false },
        ];
        let kinds: Vec<StateKind> = states.iter().map(|s| StateKind::of(*s)).collect();
        let theme = Theme::new(true);
        for (i, a) in kinds.iter().enumerate() {
            for b in &kinds[i + 1..] {
                assert_ne!(a.glyph(), b.glyph());
                assert_ne!(a.label(), b.label());
                assert_ne!(theme.state_color(*a), theme.state_color(*b));
            }
        }
        assert_eq!(StateKind::of(TaskState::Killed).label(), "killed");
    }

    #[test]
    fn colours_fall_back_to_the_nearest_of_the_256() {
        assert_eq!(to_256(Color::Rgb(0, 0, 0)), Color::Indexed(16));
        assert_eq!(to_256(Color::Rgb(255, 255, 255)), Color::Indexed(231));
        assert_eq!(to_256(Color::Rgb(0x44, 0x44, 0x44)), Color::Indexed(238));
        assert_eq!(to_256(VERMILLION), Color::Indexed(166));
        assert_eq!(to_256(Color::Black), Color::Black);
        let palette = [
            ORANGE,
            SKY_BLUE,
            BLUISH_GREEN,
            YELLOW,
            BLUE,
            VERMILLION,
            REDDISH_PURPLE,
            GREY,
        ];
        let mapped: std::collections::HashSet<Color> = palette.iter().map(|&c| to_256(c)).collect();
        assert_eq!(mapped.len(), palette.len(), "the states stay apart");
    }
}
