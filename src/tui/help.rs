//! The help overlay: the keys of the screen it covers (the picker's or a
//! run's), closed by any key. Imports nothing of weft but the key lists.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget, Wrap};

use super::keymap::{HELP, PICKER_HELP};
use super::Theme;

/// The help overlay.
pub struct HelpView {
    /// Colours.
    pub theme: Theme,
    /// Over the picker (its keys) rather than a run.
    pub picker: bool,
}

impl Widget for &HelpView {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let th = self.theme;
        let (keys, intro) = if self.picker {
            (
                PICKER_HELP,
                "Pick a lesson or a scenario of your own to watch it run.",
            )
        } else {
            (HELP, "The screen is the world at the cursor.")
        };
        let key_w = keys
            .iter()
            .map(|(k, _)| k.chars().count())
            .max()
            .unwrap_or(0);
        let text_w = keys
            .iter()
            .map(|(_, t)| t.chars().count())
            .max()
            .unwrap_or(0);
        let w = ((key_w + text_w + 6) as u16).min(area.width);
        let inner_w = usize::from(w.saturating_sub(2)).max(1);
        let intro_rows = intro.chars().count().div_ceil(inner_w);
        // Blank lines go first when the terminal is short.
        let full = keys.len() + intro_rows + 2 + 2 + 2;
        let roomy = full <= usize::from(area.height);
        let h = ((if roomy { full } else { full - 2 }) as u16).min(area.height);
        let r = Rect::new(
            area.x + (area.width - w) / 2,
            area.y + (area.height - h) / 2,
            w,
            h,
        );
        Clear.render(r, buf);
        let mut lines = vec![Line::styled(intro, th.dim())];
        if roomy {
            lines.push(Line::raw(""));
        }
        for (k, what) in keys {
            lines.push(Line::from(vec![
                Span::styled(format!("{k:>key_w$}  "), th.accent()),
                Span::raw(*what),
            ]));
        }
        if roomy {
            lines.push(Line::raw(""));
        }
        lines.push(Line::styled("press any key to close", th.dim()));
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(
                Block::bordered()
                    .title(" Help: keys ")
                    .border_style(th.accent()),
            )
            .render(r, buf);
    }
}
