//! The scenario picker: the entries with their origins, the highlighted
//! one's description, and the diagnostics of an entry that failed to open.
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
    theme: Theme,
}

impl<'a> PickerView<'a> {
    /// The picker of an app.
    pub fn new(app: &'a App<'_>) -> PickerView<'a> {
        PickerView {
            entries: &app.entries,
            selected: app.picker.selected,
            error: app.picker.error.as_deref(),
            theme: app.theme,
        }
    }

    fn list(&self, area: Rect, buf: &mut Buffer) {
        let th = self.theme;
        let rows = usize::from(area.height.saturating_sub(2)).max(1);
        let first = (self.selected + 1).saturating_sub(rows);
        let lines: Vec<Line<'static>> = self
            .entries
            .iter()
            .enumerate()
            .skip(first)
            .take(rows)
            .map(|(i, e)| {
                let sel = i == self.selected;
                let mark = if sel { "▶ " } else { "  " };
                let style = if sel { th.selected() } else { th.title() };
                Line::from(vec![
                    Span::styled(format!("{mark}{}", e.name), style),
                    Span::styled(format!("  {}", e.origin), th.dim()),
                ])
            })
            .collect();
        let lines = if lines.is_empty() {
            vec![Line::styled("no scenarios found", th.dim())]
        } else {
            lines
        };
        Paragraph::new(lines)
            .block(
                Block::bordered()
                    .title(" Scenarios ")
                    .border_style(th.accent()),
            )
            .render(area, buf);
    }

    fn details(&self, area: Rect, buf: &mut Buffer) {
        let th = self.theme;
        let mut lines = Vec::new();
        if let Some(e) = self.entries.get(self.selected) {
            lines.push(Line::styled(e.name.clone(), th.title()));
            lines.push(Line::styled(e.origin.clone(), th.dim()));
            lines.push(Line::raw(""));
            lines.extend(e.description.lines().map(|l| Line::raw(l.to_string())));
        }
        if let Some(err) = self.error {
            lines.push(Line::raw(""));
            lines.push(Line::styled("It could not be opened:", th.error()));
            lines.extend(err.lines().map(|l| Line::raw(l.to_string())));
        }
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(" About "))
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
        Line::styled(" ↑/↓ choose · Enter open · ? help · q quit", th.dim()).render(foot, buf);
    }
}
