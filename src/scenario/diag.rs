//! Diagnostics: errors in a scenario file, each with a span and an optional
//! hint, rendered like rustc (`path:line:col: message`, the line, a caret, a
//! hint).
//!
//! Owns the rendering of scenario errors; imports only the model's [`Span`]
//! and [`line_col`].

use std::fmt;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use super::model::{LineIndex, Span};

/// At most this many errors are shown; the count line says how many more.
pub const MAX_SHOWN: usize = 100;

/// One error in a scenario file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// What is wrong, starting lower-case, naming the offending thing in backticks.
    pub message: String,
    /// The bytes of the source the error points at.
    pub span: Span,
    /// A suggestion such as "did you mean `acquire`?", if there is one.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// Builds a diagnostic.
    pub fn new(span: Span, message: impl Into<String>, hint: Option<String>) -> Self {
        Diagnostic {
            message: message.into(),
            span,
            hint,
        }
    }
}

/// Every error found in one scenario file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostics {
    /// The file name, as given by the user.
    pub path: String,
    /// The file's text (invalid UTF-8 replaced).
    pub source: String,
    /// The errors, sorted by position.
    pub items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Diagnostics with a single error, for modules that reject a scenario
    /// after parsing (e.g. an engine that refuses a setting).
    pub fn single(
        path: impl Into<String>,
        source: impl Into<String>,
        span: Span,
        message: impl Into<String>,
        hint: Option<String>,
    ) -> Diagnostics {
        Diagnostics {
            path: path.into(),
            source: source.into(),
            items: vec![Diagnostic::new(span, message, hint)],
        }
    }

    /// Sorts the errors by position and drops exact duplicates.
    pub fn sort(&mut self) {
        self.items.sort_by(|a, b| {
            (a.span.start, a.span.end, &a.message).cmp(&(b.span.start, b.span.end, &b.message))
        });
        self.items.dedup();
    }

    /// Renders every error, sorted by position, then a count line.
    ///
    /// Each error starts with a line `path:line:col: message`; then the
    /// offending source line with a caret under the span, then the hint.
    /// ANSI colours are used only when `color` is true.
    pub fn render(&self, color: bool) -> String {
        let mut items: Vec<&Diagnostic> = self.items.iter().collect();
        items.sort_by_key(|d| (d.span.start, d.span.end));
        let lines = LineIndex::new(&self.source);
        let mut out = String::new();
        for item in items.iter().take(MAX_SHOWN) {
            out.push_str(&self.render_one(item, color, &lines));
            out.push('\n');
        }
        let n = self.items.len();
        let noun = if n == 1 { "error" } else { "errors" };
        let more = n.saturating_sub(MAX_SHOWN);
        let count = if more > 0 {
            format!(
                "{n} {noun} in {} (the first {MAX_SHOWN} shown, and {more} more)",
                self.path
            )
        } else {
            format!("{n} {noun} in {}", self.path)
        };
        if color {
            let red = anstyle::AnsiColor::Red.on_default().bold();
            out.push_str(&format!("{red}error{red:#}: {count}\n"));
        } else {
            out.push_str(&format!("error: {count}\n"));
        }
        out
    }

    fn render_one(&self, item: &Diagnostic, color: bool, lines: &LineIndex) -> String {
        let (start, end) = clamp_span(&self.source, item.span);
        let (line, col) = lines.line_col(&self.source, start);
        let header = format!("{}:{}:{}:", self.path, line, col);
        let mut out = if color {
            let bold = anstyle::Style::new().bold();
            let red = anstyle::AnsiColor::Red.on_default().bold();
            format!("{bold}{header}{bold:#} {red}{}{red:#}\n", item.message)
        } else {
            format!("{header} {}\n", item.message)
        };
        let line_start = lines.start(line).min(start);
        let line_end = self.source[start..]
            .find('\n')
            .map_or(self.source.len(), |i| start + i);
        let text = self.source[line_start..line_end].trim_end_matches('\r');
        let lo = (start - line_start).min(text.len());
        let hi = (end.min(line_end) - line_start).clamp(lo, text.len());
        let hi = widen_empty(text, lo, hi);
        let mut group = Group::with_level(Level::ERROR).element(
            Snippet::source(text)
                .line_start(line)
                .annotation(AnnotationKind::Primary.span(lo..hi)),
        );
        if let Some(hint) = &item.hint {
            group = group.element(Level::HELP.message(hint.as_str()));
        }
        let renderer = if color {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        out.push_str(&renderer.render(&[group]));
        out
    }
}

/// Clamps a span into the source and onto character boundaries.
fn clamp_span(source: &str, span: Span) -> (usize, usize) {
    let mut start = span.start.min(source.len());
    while !source.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = span.end.clamp(start, source.len());
    while !source.is_char_boundary(end) {
        end += 1;
    }
    (start, end)
}

/// Makes an empty range one character wide when a character follows it.
fn widen_empty(text: &str, lo: usize, hi: usize) -> usize {
    if hi > lo {
        return hi;
    }
    text[lo..].chars().next().map_or(hi, |c| lo + c.len_utf8())
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

impl std::error::Error for Diagnostics {}
