//! The help overlay: every key, over the screen, closed by any key.
//! Imports nothing of weft but the key list.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget};

use super::keymap::HELP;
use super::Theme;

/// The help overlay.
pub struct HelpView {
    /// Colours.
    pub theme: Theme,
}

impl Widget for &HelpView {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let th = self.theme;
        let w = 64.min(area.width);
        let h = (HELP.len() as u16 + 6).min(area.height);
        let r = Rect::new(
            area.x + (area.width - w) / 2,
            area.y + (area.height - h) / 2,
            w,
            h,
        );
        Clear.render(r, buf);
        let mut lines = vec![Line::styled(
            "weft plays a run event by event; the screen is the world at the cursor.",
            th.dim(),
        )];
        lines.push(Line::raw(""));
        for (keys, what) in HELP {
            lines.push(Line::from(vec![
                Span::styled(format!("{keys:>16}  "), th.accent()),
                Span::raw(*what),
            ]));
        }
        lines.push(Line::raw(""));
        lines.push(Line::styled("press any key to close", th.dim()));
        Paragraph::new(lines)
            .block(
                Block::bordered()
                    .title(" Help: keys ")
                    .border_style(th.accent()),
            )
            .render(r, buf);
    }
}
