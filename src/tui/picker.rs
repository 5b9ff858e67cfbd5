//! The scenario picker: the entries under their topics (the lessons in
//! teaching order), the highlighted one's description and origin, and the
//! diagnostics of that entry when it failed to open (scrollable).
//! Imports nothing of weft but the UI's own types.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};

use super::app::App;
use super::{Entry, Theme};

/// The picker screen.
pub struct PickerView<'a> {
    entries: &'a [Entry],
    selected: usize,
    error: Option<&'a str>,
    scroll: usize,
    theme: Theme,
}

/// A row of the list: a topic's heading or an entry.
enum Row {
    Topic(usize),
    Entry(usize),
}

impl<'a> PickerView<'a> {
    /// The picker of an app.
    pub fn new(app: &'a App<'_>) -> PickerView<'a> {
        let selected = app.picker.selected;
        PickerView {
            entries: &app.entries,
            selected,
            error: app
                .picker
                .error
                .as_ref()
                .filter(|(i, _)| *i == selected)
                .map(|(_, e)| e.as_str()),
            scroll: app.picker.details_scroll,
            theme: app.theme,
        }
    }

    fn rows(&self) -> Vec<Row> {
        let mut out = Vec::new();
        for (i, e) in self.entries.iter().enumerate() {
            if i == 0 || self.entries[i - 1].topic != e.topic {
                out.push(Row::Topic(i));
            }
            out.push(Row::Entry(i));
        }
        out
    }

    fn list(&self, area: Rect, buf: &mut Buffer) {
        let th = self.theme;
        let rows = self.rows();
        let height = usize::from(area.height.saturating_sub(2)).max(1);
        let at = rows
            .iter()
            .position(|r| matches!(r, Row::Entry(i) if *i == self.selected))
            .unwrap_or(0);
        // Keep the highlighted row in view, with its topic when it fits.
        let first = (at + 1).saturating_sub(height);
        let first = if first > 0 && at.saturating_sub(first) + 2 <= height {
            first.saturating_sub(1)
        } else {
            first
        };
        let lines: Vec<Line<'static>> = rows
            .iter()
            .skip(first)
            .take(height)
            .map(|r| match *r {
                Row::Topic(i) => Line::styled(self.entries[i].topic.clone(), th.accent()),
                Row::Entry(i) => {
                    let e = &self.entries[i];
                    let sel = i == self.selected;
                    let mark = if sel { "▶ " } else { "  " };
                    let style = if sel { th.selected() } else { th.title() };
                    let mut spans = vec![Span::styled(format!("{mark}{}", e.name), style)];
                    if !e.origin.starts_with("built-in") {
                        spans.push(Span::styled(format!("  {}", e.origin), th.dim()));
                    }
                    Line::from(spans)
                }
            })
            .collect();
        let lines = if lines.is_empty() {
            vec![Line::styled("no scenarios found", th.dim())]
        } else {
            lines
        };
        let title = format!(" Scenarios ({}) ", self.entries.len());
        Paragraph::new(lines)
            .block(Block::bordered().title(title).border_style(th.accent()))
            .render(area, buf);
    }

    fn details(&self, area: Rect, buf: &mut Buffer) {
        let th = self.theme;
        let mut lines = Vec::new();
        if let Some(e) = self.entries.get(self.selected) {
            lines.push(Line::styled(e.name.clone(), th.title()));
            lines.push(Line::styled(
                format!("{} · {}", e.topic, e.origin),
                th.dim(),
            ));
            lines.push(Line::raw(""));
            lines.extend(e.description.lines().map(|l| Line::raw(l.to_string())));
        }
        if let Some(err) = self.error {
            lines.push(Line::raw(""));
            lines.push(Line::styled("It could not be opened:", th.error()));
            lines.extend(err.lines().map(|l| Line::raw(l.to_string())));
        }
        let title = if self.scroll > 0 {
            format!(" About (scrolled {} lines; Shift+↑ back) ", self.scroll)
        } else {
            " About ".to_string()
        };
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((self.scroll.min(usize::from(u16::MAX)) as u16, 0))
            .block(Block::bordered().title(title))
            .render(area, buf);
    }
}

impl Widget for &PickerView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let th = self.theme;
        let [head, body, foot] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(3),
            Constraint::Length(1),
        ])
        .areas(area);
        Line::from(vec![
            Span::styled(" weft ", th.accent()),
            Span::raw(" pick a scenario to watch it run"),
        ])
        .render(head, buf);
        let [list, details] =
            Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)])
                .areas(body);
        self.list(list, buf);
        self.details(details, buf);
        let hint = if self.error.is_some() {
            " ↑/↓ choose · Shift+↑/↓ scroll the errors · Enter open · ? help · q quit"
        } else {
            " ↑/↓ choose · PgUp/PgDn · Enter open · ? help · q quit"
        };
        Line::styled(hint, th.dim()).render(foot, buf);
    }
}
