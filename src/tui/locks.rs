//! The locks panel: each lock's holder (and re-entry depth), its FIFO
//! waiters, how long it has been held, and how often it was contended.
//! Imports the event contract and the trace.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};

use super::layout::{Panel, Scene};

/// The locks panel.
pub struct LocksView<'a> {
    /// What to draw.
    pub scene: &'a Scene<'a>,
}

impl LocksView<'_> {
    /// One line per lock.
    pub fn lines(&self) -> Vec<Line<'static>> {
        let sc = self.scene;
        let th = sc.theme;
        let names = sc.catalog.resources.iter().filter(|r| r.is_lock());
        let nw = names
            .map(|r| r.name.chars().count())
            .max()
            .unwrap_or(4)
            .max(4);
        let tw = sc
            .catalog
            .tasks
            .iter()
            .map(|t| t.name.chars().count())
            .max();
        let hw = tw.unwrap_or(6).max(6) + 3;
        let mut out = vec![Line::styled(
            format!(
                "{:<nw$} {:<hw$} {:>5}  {:>4}  waiters (first first)",
                "lock", "holder", "held", "cont"
            ),
            th.dim(),
        )];
        for (i, info) in sc.catalog.resources.iter().enumerate() {
            if !info.is_lock() {
                continue;
            }
            let Some(l) = sc.world.locks.get(i) else {
                continue;
            };
            let holder = match l.holder {
                Some(t) if l.depth > 1 => format!("{} ×{}", sc.catalog.task_name(t), l.depth),
                Some(t) => sc.catalog.task_name(t).to_string(),
                None => "free".to_string(),
            };
            let held = match l.holder {
                Some(_) => format!("{}t", sc.world.tick.saturating_sub(l.held_since)),
                None => "-".to_string(),
            };
            let waiters: Vec<&str> = l.waiters.iter().map(|t| sc.catalog.task_name(*t)).collect();
            let waiters = if waiters.is_empty() {
                "-".to_string()
            } else {
                waiters.join(", ")
            };
            let in_cycle = sc.lock_in_cycle.get(i).copied().unwrap_or(false);
            let name_style = if in_cycle { th.error() } else { th.title() };
            let holder_style = if l.holder.is_some() {
                th.state(super::theme::StateKind::Running)
            } else {
                th.dim()
            };
            out.push(Line::from(vec![
                Span::styled(format!("{:<nw$} ", info.name), name_style),
                Span::styled(format!("{holder:<hw$} "), holder_style),
                Span::raw(format!("{held:>5}  {:>4}  ", l.contentions)),
                Span::styled(
                    waiters,
                    if in_cycle {
                        th.error()
                    } else {
                        th.state(super::theme::StateKind::Blocked)
                    },
                ),
            ]));
        }
        out
    }
}

impl Widget for &LocksView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let sc = self.scene;
        let block = Block::bordered()
            .title(" Locks ")
            .border_style(sc.theme.border(sc.focused(Panel::Locks)));
        let lines = self.lines();
        let skip = sc.view.scroll[0].min(lines.len().saturating_sub(2));
        let mut shown = vec![lines[0].clone()];
        shown.extend(lines.into_iter().skip(1 + skip));
        Paragraph::new(shown).block(block).render(area, buf);
    }
}
