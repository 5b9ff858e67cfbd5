//! The screen pictures of `assets/screens/`: real runs of a few lessons,
//! drawn by the TUI into a ratatui `Buffer` and written as SVG and as plain
//! text. Shared by `examples/screens.rs` (which writes the files) and the
//! test suite (which checks one picture is well formed).
//!
//! Uses only weft's public API; nothing here is part of the library.
#![allow(dead_code)]

use std::fmt::Write;

use ratatui::buffer::{Buffer, Cell};
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier};
use ratatui::text::Span;

use weft::tui::{layout, Action, App, NoEngine, Open, Theme};

/// Where in the run a picture is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum At {
    /// The step at which the first deadlock closes.
    Deadlock,
    /// The end of the run.
    End,
}

/// One picture: the file it is written to, the lesson and the moment.
#[derive(Debug, Clone, Copy)]
pub struct Screen {
    /// The file name under `assets/screens/`, without extension.
    pub name: &'static str,
    /// The lesson, a file of `scenarios/`.
    pub lesson: &'static str,
    /// The terminal's columns.
    pub width: u16,
    /// The terminal's rows.
    pub height: u16,
    /// Where the cursor is.
    pub at: At,
}

/// Every picture `cargo run --example screens` writes.
pub const SCREENS: [Screen; 5] = [
    Screen {
        name: "abba_120x40",
        lesson: "abba_deadlock.toml",
        width: 120,
        height: 40,
        at: At::Deadlock,
    },
    Screen {
        name: "abba_80x24",
        lesson: "abba_deadlock.toml",
        width: 80,
        height: 24,
        at: At::Deadlock,
    },
    Screen {
        name: "bounded_queue_120x40",
        lesson: "bounded_queue.toml",
        width: 120,
        height: 40,
        at: At::End,
    },
    Screen {
        name: "fcfs_textbook_120x40",
        lesson: "fcfs_textbook.toml",
        width: 120,
        height: 40,
        at: At::End,
    },
    Screen {
        name: "queue_under_lock_120x40",
        lesson: "queue_under_lock_deadlock.toml",
        width: 120,
        height: 40,
        at: At::Deadlock,
    },
];

/// A drawn screen and the name of its scenario.
pub struct Drawn {
    /// The scenario's name (from its `[scenario]` table).
    pub scenario: String,
    /// The cells.
    pub buffer: Buffer,
}

/// Runs the lesson on the simulator and draws the TUI over the finished
/// run, in colour, with the cursor where `screen.at` says.
pub fn draw(screen: &Screen) -> Result<Drawn, String> {
    let path = format!("{}/scenarios/{}", env!("CARGO_MANIFEST_DIR"), screen.lesson);
    let bytes = std::fs::read(&path).map_err(|e| format!("{path}: {e}"))?;
    let scenario = weft::scenario::parse(&path, &bytes).map_err(|d| d.render(false))?;
    let (catalog, events) = weft::sim::simulate(&scenario, &weft::sim::Options::default());
    let trace = weft::trace::Trace::from_events(catalog, events);
    let engine = NoEngine;
    let mut app = App::new(&engine, Open::Trace(trace), Theme::new(true));
    app.update(Action::Resize {
        width: screen.width,
        height: screen.height,
    });
    app.update(match screen.at {
        At::Deadlock => Action::JumpDeadlock,
        At::End => Action::End,
    });
    if let Some(message) = app.session.as_ref().and_then(|s| s.message.clone()) {
        return Err(format!("{}: {message}", screen.lesson));
    }
    let area = Rect::new(0, 0, screen.width, screen.height);
    let mut buffer = Buffer::empty(area);
    layout::draw_into(area, &mut buffer, &app);
    Ok(Drawn {
        scenario: scenario.name,
        buffer,
    })
}

/// The columns a cell's symbol covers (a wide one hides the cells after it).
fn columns(cell: &Cell) -> usize {
    Span::raw(cell.symbol()).width().max(1)
}

/// The screen as plain text: a line per row, trailing blanks cut.
pub fn text(buf: &Buffer) -> String {
    let a = buf.area;
    let mut out = String::new();
    for y in a.top()..a.bottom() {
        let mut row = String::new();
        let mut x = a.left();
        while x < a.right() {
            let cell = &buf[(x, y)];
            row.push_str(cell.symbol());
            x += columns(cell) as u16;
        }
        out.push_str(row.trim_end());
        out.push('\n');
    }
    out
}

/// The font size, in pixels: a monospace font's line (about 1.16 em) fills
/// a row, so that box-drawing lines join from row to row.
const FONT: f64 = 14.6;
/// The width of a cell in the picture, in pixels (a monospace font's
/// advance, about 0.6 em).
const CELL_W: f64 = 8.8;
/// The height of a row, in pixels.
const CELL_H: f64 = 17.0;
/// From a row's top to the baseline of its text, in pixels.
const BASELINE: f64 = 13.6;
/// The terminal's own background and foreground (`Color::Reset`).
const BACKGROUND: (u8, u8, u8) = (0x1c, 0x1c, 0x1c);
const FOREGROUND: (u8, u8, u8) = (0xd0, 0xd0, 0xd0);

/// The fixed palette of the 16 named colours (xterm's), in ANSI order.
const NAMED: [(u8, u8, u8); 16] = [
    (0x00, 0x00, 0x00),
    (0xcd, 0x00, 0x00),
    (0x00, 0xcd, 0x00),
    (0xcd, 0xcd, 0x00),
    (0x00, 0x00, 0xee),
    (0xcd, 0x00, 0xcd),
    (0x00, 0xcd, 0xcd),
    (0xe5, 0xe5, 0xe5),
    (0x7f, 0x7f, 0x7f),
    (0xff, 0x00, 0x00),
    (0x00, 0xff, 0x00),
    (0xff, 0xff, 0x00),
    (0x5c, 0x5c, 0xff),
    (0xff, 0x00, 0xff),
    (0x00, 0xff, 0xff),
    (0xff, 0xff, 0xff),
];

/// A colour of the 256-colour palette as RGB.
fn indexed(i: u8) -> (u8, u8, u8) {
    const LEVELS: [u8; 6] = [0, 95, 135, 175, 215, 255];
    match i {
        0..=15 => NAMED[usize::from(i)],
        16..=231 => {
            let n = usize::from(i - 16);
            (LEVELS[n / 36], LEVELS[n / 6 % 6], LEVELS[n % 6])
        }
        _ => {
            let v = 8 + 10 * (i - 232);
            (v, v, v)
        }
    }
}

/// A cell colour as RGB; `None` for the terminal's default.
fn rgb(c: Color) -> Option<(u8, u8, u8)> {
    Some(match c {
        Color::Reset => return None,
        Color::Black => NAMED[0],
        Color::Red => NAMED[1],
        Color::Green => NAMED[2],
        Color::Yellow => NAMED[3],
        Color::Blue => NAMED[4],
        Color::Magenta => NAMED[5],
        Color::Cyan => NAMED[6],
        Color::Gray => NAMED[7],
        Color::DarkGray => NAMED[8],
        Color::LightRed => NAMED[9],
        Color::LightGreen => NAMED[10],
        Color::LightYellow => NAMED[11],
        Color::LightBlue => NAMED[12],
        Color::LightMagenta => NAMED[13],
        Color::LightCyan => NAMED[14],
        Color::White => NAMED[15],
        Color::Rgb(r, g, b) => (r, g, b),
        Color::Indexed(i) => indexed(i),
    })
}

fn hex((r, g, b): (u8, u8, u8)) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// Text escaped for XML, in content or in a quoted attribute.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// What a run of cells shares: its colours (reversal applied) and the
/// modifiers that change how text is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Look {
    fg: (u8, u8, u8),
    bg: Option<(u8, u8, u8)>,
    bold: bool,
    italic: bool,
    underlined: bool,
    dim: bool,
}

fn look(cell: &Cell) -> Look {
    let m = cell.modifier;
    let (mut fg, mut bg) = (rgb(cell.fg).unwrap_or(FOREGROUND), rgb(cell.bg));
    if m.contains(Modifier::REVERSED) {
        let old_bg = bg.unwrap_or(BACKGROUND);
        bg = Some(fg);
        fg = old_bg;
    }
    Look {
        fg,
        bg,
        bold: m.contains(Modifier::BOLD),
        italic: m.contains(Modifier::ITALIC),
        underlined: m.contains(Modifier::UNDERLINED),
        dim: m.contains(Modifier::DIM),
    }
}

/// A run of cells of one row with the same look: its first column, its
/// width in columns and its text.
struct Run {
    x: usize,
    cols: usize,
    text: String,
    look: Look,
}

fn runs(buf: &Buffer, y: u16) -> Vec<Run> {
    let a = buf.area;
    let mut out: Vec<Run> = Vec::new();
    let mut x = a.left();
    while x < a.right() {
        let cell = &buf[(x, y)];
        let cols = columns(cell);
        let l = look(cell);
        match out.last_mut() {
            Some(r) if r.look == l => {
                r.text.push_str(cell.symbol());
                r.cols += cols;
            }
            _ => out.push(Run {
                x: usize::from(x - a.left()),
                cols,
                text: cell.symbol().to_string(),
                look: l,
            }),
        }
        x += cols as u16;
    }
    out
}

/// The screen as an SVG picture: a rectangle per run of cells with a
/// background of its own, and a monospace `<text>` per run of cells with
/// the same look, stretched to its columns so that the grid stays whole
/// whatever the font.
pub fn svg(buf: &Buffer, title: &str) -> String {
    let a = buf.area;
    let (w, h) = (f64::from(a.width) * CELL_W, f64::from(a.height) * CELL_H);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w:.0}\" height=\"{h:.0}\" \
         viewBox=\"0 0 {w:.1} {h:.1}\" xml:space=\"preserve\">"
    );
    let _ = writeln!(s, "<title>{}</title>", escape(title));
    let _ = writeln!(
        s,
        "<style>text {{ font-family: 'DejaVu Sans Mono', Menlo, Consolas, monospace; \
         font-size: {FONT}px; white-space: pre; }}</style>"
    );
    let _ = writeln!(
        s,
        "<rect width=\"100%\" height=\"100%\" fill=\"{}\"/>",
        hex(BACKGROUND)
    );
    for row in 0..a.height {
        let y = f64::from(row) * CELL_H;
        for r in runs(buf, a.top() + row) {
            let x = r.x as f64 * CELL_W;
            let width = r.cols as f64 * CELL_W;
            if let Some(bg) = r.look.bg {
                let _ = writeln!(
                    s,
                    "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{width:.1}\" height=\"{CELL_H:.1}\" fill=\"{}\"/>",
                    hex(bg)
                );
            }
            if r.text.trim().is_empty() && !r.look.underlined {
                continue;
            }
            let mut attrs = format!("fill=\"{}\"", hex(r.look.fg));
            if r.look.bold {
                attrs.push_str(" font-weight=\"bold\"");
            }
            if r.look.italic {
                attrs.push_str(" font-style=\"italic\"");
            }
            if r.look.underlined {
                attrs.push_str(" text-decoration=\"underline\"");
            }
            if r.look.dim {
                attrs.push_str(" opacity=\"0.6\"");
            }
            let _ = writeln!(
                s,
                "<text x=\"{x:.1}\" y=\"{:.1}\" textLength=\"{width:.1}\" \
                 lengthAdjust=\"spacingAndGlyphs\" {attrs}>{}</text>",
                y + BASELINE,
                escape(&r.text)
            );
        }
    }
    s.push_str("</svg>\n");
    s
}

/// `text` with every text capture replaced by `capture(name)`: a capture is
/// the fenced block right after a `<!-- screen NAME -->` line, up to the
/// `<!-- /screen -->` line. A name `capture` does not know is left as it is.
pub fn with_captures(text: &str, capture: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::new();
    let mut lines = text.split_inclusive('\n');
    while let Some(line) = lines.next() {
        out.push_str(line);
        let Some(name) = line
            .trim()
            .strip_prefix("<!-- screen ")
            .and_then(|r| r.strip_suffix(" -->"))
        else {
            continue;
        };
        let Some(shot) = capture(name.trim()) else {
            continue;
        };
        let mut old = String::new();
        let mut closed = false;
        for l in lines.by_ref() {
            if l.trim() == "<!-- /screen -->" {
                out.push_str("```text\n");
                out.push_str(&shot);
                if !shot.ends_with('\n') {
                    out.push('\n');
                }
                out.push_str("```\n");
                out.push_str(l);
                closed = true;
                break;
            }
            old.push_str(l);
        }
        if !closed {
            out.push_str(&old);
        }
    }
    out
}
