//! The one table every resource panel draws with: a bordered block, a dim
//! header row, columns that fit their widest cell (the last one takes the
//! rest), cells cut to their column, and a scroll offset over the rows.
//! A panel only says which columns it has and what each row holds.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};

use crate::tui::Theme;

/// One cell: its text and style.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCell {
    /// The text.
    pub text: String,
    /// Its style.
    pub style: Style,
}

impl TableCell {
    /// A cell in the default style.
    pub fn raw(text: impl Into<String>) -> TableCell {
        TableCell {
            text: text.into(),
            style: Style::new(),
        }
    }

    /// A cell in a style.
    pub fn styled(text: impl Into<String>, style: Style) -> TableCell {
        TableCell {
            text: text.into(),
            style,
        }
    }
}

/// A resource panel's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The block's title.
    pub title: String,
    /// The column headers.
    pub headers: Vec<&'static str>,
    /// The rows, one cell per header.
    pub rows: Vec<Vec<TableCell>>,
    /// Draw the border in the error colour (a deadlock runs through it).
    pub alert: bool,
}

/// The widest a column other than the last may get.
const MAX_COL: usize = 24;

/// The narrowest a column gets when the table is too wide for its panel.
const MIN_COL: usize = 3;

fn cut(text: &str, w: usize) -> String {
    let n = text.chars().count();
    if n <= w {
        format!("{text:<w$}")
    } else if w == 0 {
        String::new()
    } else {
        let mut s: String = text.chars().take(w - 1).collect();
        s.push('…');
        s
    }
}

impl Table {
    /// A table with these headers and no rows yet.
    pub fn new(title: impl Into<String>, headers: Vec<&'static str>) -> Table {
        Table {
            title: title.into(),
            headers,
            rows: Vec::new(),
            alert: false,
        }
    }

    /// Adds a row.
    pub fn row(&mut self, cells: Vec<TableCell>) {
        self.rows.push(cells);
    }

    /// The rows of text a panel wants: header and rows (borders not counted).
    pub fn height(&self) -> usize {
        1 + self.rows.len().max(1)
    }

    /// The widths of the columns in `width` cells.
    fn widths(&self, width: usize) -> Vec<usize> {
        let n = self.headers.len();
        let mut w: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (i, c) in row.iter().enumerate().take(n) {
                w[i] = w[i].max(c.text.chars().count());
            }
        }
        for x in w.iter_mut().take(n.saturating_sub(1)) {
            *x = (*x).min(MAX_COL);
        }
        // Too wide even with no room for the last column: the others give
        // way from the right, one cell at a time, so that a column the panel
        // cannot hold is cut with "…" rather than clipped at its edge.
        if let Some((_, others)) = w.split_last_mut() {
            let mut fixed: usize = others.iter().map(|x| x + 1).sum();
            while fixed > width {
                let Some(x) = others.iter_mut().rev().find(|x| **x > MIN_COL) else {
                    break;
                };
                *x -= 1;
                fixed -= 1;
            }
        }
        let fixed: usize = w.iter().take(n.saturating_sub(1)).map(|x| x + 1).sum();
        if let Some(last) = w.last_mut() {
            *last = width.saturating_sub(fixed);
        }
        w
    }

    /// The table as lines of `width` cells.
    pub fn lines(&self, theme: Theme, width: usize, scroll: usize) -> Vec<Line<'static>> {
        let w = self.widths(width);
        let line = |cells: Vec<(String, Style)>| {
            let mut spans = Vec::new();
            for (i, (text, style)) in cells.into_iter().enumerate() {
                let cw = w.get(i).copied().unwrap_or(0);
                let sep = if i + 1 < w.len() { " " } else { "" };
                spans.push(Span::styled(cut(&text, cw), style));
                spans.push(Span::raw(sep));
            }
            Line::from(spans)
        };
        let mut out = vec![line(
            self.headers
                .iter()
                .map(|h| (h.to_string(), theme.dim()))
                .collect(),
        )];
        if self.rows.is_empty() {
            out.push(Line::styled("none", theme.dim()));
        }
        let skip = scroll.min(self.rows.len().saturating_sub(1));
        for row in self.rows.iter().skip(skip) {
            out.push(line(
                row.iter().map(|c| (c.text.clone(), c.style)).collect(),
            ));
        }
        out
    }

    /// Draws the table in a bordered block.
    pub fn render(&self, area: Rect, buf: &mut Buffer, theme: Theme, focused: bool, scroll: usize) {
        let border = if self.alert {
            theme.error()
        } else {
            theme.border(focused)
        };
        let block = Block::bordered()
            .title(format!(" {} ", self.title))
            .border_style(border);
        let inner = block.inner(area);
        let mut lines = self.lines(theme, usize::from(inner.width), scroll);
        // Rows that do not fit are counted on the last line, never dropped
        // without a word.
        let height = usize::from(inner.height);
        if height >= 2 && lines.len() > height {
            let hidden = lines.len() - height + 1;
            lines.truncate(height - 1);
            lines.push(Line::styled(
                format!("+{hidden} more (Tab here, then ↓)"),
                theme.accent(),
            ));
        }
        Paragraph::new(lines).block(block).render(area, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_that_do_not_fit_are_counted() {
        let mut t = Table::new("T", vec!["name"]);
        for i in 0..10 {
            t.row(vec![TableCell::raw(format!("r{i}"))]);
        }
        // Five rows inside the border: the header, three rows, "+7 more".
        let area = Rect::new(0, 0, 30, 7);
        let mut buf = Buffer::empty(area);
        t.render(area, &mut buf, Theme::new(false), false, 0);
        let row = |y: u16| {
            (0..30)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
        };
        assert!(row(4).contains("r2"), "{}", row(4));
        assert!(row(5).contains("+7 more"), "{}", row(5));
        let mut buf2 = Buffer::empty(area);
        t.render(area, &mut buf2, Theme::new(false), false, 5);
        let last: String = (0..30).map(|x| buf2[(x, 5)].symbol().to_string()).collect();
        assert!(last.contains("+2 more"), "scrolled: {last}");
    }

    #[test]
    fn columns_fit_their_widest_cell_and_the_last_takes_the_rest() {
        let mut t = Table::new("T", vec!["name", "holder", "waiters"]);
        t.row(vec![
            TableCell::raw("s"),
            TableCell::raw("worker_long"),
            TableCell::raw("a, b, c, d, e, f"),
        ]);
        let lines = t.lines(Theme::new(false), 30, 0);
        let text: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        assert_eq!(text[0], "name holder      waiters      ");
        assert_eq!(text[1], "s    worker_long a, b, c, d, …");
    }

    #[test]
    fn a_table_too_wide_for_its_panel_cuts_its_columns_from_the_right() {
        let mut t = Table::new("T", vec!["queue", "fill", "put waits", "get waits", "last"]);
        t.row(vec![
            TableCell::raw("q"),
            TableCell::raw("0 (unbounded)"),
            TableCell::raw("-"),
            TableCell::raw("consumer"),
            TableCell::raw("sparkline"),
        ]);
        let lines = t.lines(Theme::new(false), 34, 0);
        let text: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        assert_eq!(text[0], "queue fill          put waits ge… ");
        assert_eq!(text[1], "q     0 (unbounded) -         co… ");
        // Wide enough for the others: the last column takes what is left.
        let lines = t.lines(Theme::new(false), 45, 0);
        assert_eq!(
            lines[1].to_string(),
            "q     0 (unbounded) -         consumer  spar…"
        );
    }

    #[test]
    fn an_empty_table_says_none_and_scroll_keeps_the_header() {
        let mut t = Table::new("T", vec!["a"]);
        assert_eq!(t.lines(Theme::new(false), 10, 0)[1].to_string(), "none");
        t.row(vec![TableCell::raw("x")]);
        t.row(vec![TableCell::raw("y")]);
        let lines = t.lines(Theme::new(false), 10, 1);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1].to_string().trim_end(), "y");
    }
}
