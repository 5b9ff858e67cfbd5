//! The scripts panel: each task's script with the current operation marked
//! like a debugger's program counter; the selected task's script gets the
//! most room. Imports the event contract and the trace.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};

use crate::event::TaskId;

use super::scene::{Panel, Scene};
use super::theme::StateKind;
use super::timeline::task_order;

/// The narrowest column a script gets.
const MIN_COL: u16 = 18;

/// The narrowest column the selected task's script gets.
const MIN_BIG: u16 = 24;

/// The scripts panel.
pub struct ScriptsView<'a> {
    /// What to draw.
    pub scene: &'a Scene<'a>,
}

impl ScriptsView<'_> {
    /// The tasks shown, the selected one first, then those after it in lane order.
    fn shown(&self, width: u16) -> Vec<TaskId> {
        let order = task_order(self.scene.catalog);
        let Some(&first) = order.first() else {
            return Vec::new();
        };
        let sel = self.scene.view.selected.unwrap_or(first);
        let at = order.iter().position(|t| *t == sel).unwrap_or(0);
        let others = (width.saturating_sub(MIN_BIG) / MIN_COL) as usize;
        let n = order.len();
        (0..n.min(others + 1))
            .map(|k| order[(at + k) % n])
            .collect()
    }

    /// The lines of a task's script in a column of `height` rows, scrolled
    /// so the current operation shows.
    pub fn script_lines(&self, t: TaskId, height: usize) -> Vec<Line<'static>> {
        let sc = self.scene;
        let th = sc.theme;
        let Some(info) = sc.catalog.tasks.get(t.index()) else {
            return Vec::new();
        };
        let script = &info.script;
        let view = sc.world.tasks.get(t.index());
        let ended = view.is_some_and(|v| v.state.is_final());
        let pc_line = view
            .and_then(|v| v.pc)
            .and_then(|pc| script.pc_line.get(pc as usize))
            .map(|&l| l as usize)
            .filter(|_| !ended);
        let first = pc_line.map_or(0, |l| l.saturating_sub(height / 3));
        let width = (script.first_line as usize + script.lines.len())
            .to_string()
            .len();
        script
            .lines
            .iter()
            .enumerate()
            .skip(first)
            .take(height)
            .map(|(i, text)| {
                let no = format!("{:>width$}", script.first_line as usize + i);
                if pc_line == Some(i) {
                    Line::from(vec![
                        Span::styled(no, th.accent()),
                        Span::styled(" ▶ ", th.accent()),
                        Span::styled(text.clone(), th.selected()),
                    ])
                } else {
                    Line::from(vec![
                        Span::styled(no, th.dim()),
                        Span::raw("   "),
                        Span::raw(text.clone()),
                    ])
                }
            })
            .collect()
    }

    fn column(&self, t: TaskId, area: Rect, buf: &mut Buffer, selected: bool) {
        let sc = self.scene;
        let th = sc.theme;
        let state = sc.world.tasks.get(t.index()).map(|v| v.state);
        let kind = state.map_or(StateKind::New, StateKind::of);
        // The name gives way (its middle) before the state does.
        let label = format!("{} {} ", kind.glyph(), kind.label());
        let room = usize::from(area.width.saturating_sub(4)).saturating_sub(label.chars().count());
        let name = super::timeline::cut_middle(sc.catalog.task_name(t), room.max(4));
        // A real task's id in the operating system (TID or PID), where it fits.
        let os_id = sc
            .catalog
            .tasks
            .get(t.index())
            .and_then(|x| x.os_id)
            .map(|id| format!("{id} "))
            .filter(|id| name.chars().count() + id.chars().count() < room);
        let mut spans = vec![Span::styled(
            format!(" {name} "),
            if selected { th.accent() } else { th.title() },
        )];
        if let Some(id) = os_id {
            spans.push(Span::styled(id, th.dim()));
        }
        spans.push(Span::styled(label, th.state(kind)));
        let title = Line::from(spans);
        let focused = sc.focused(Panel::Scripts) && selected;
        let block = Block::bordered()
            .title(title)
            .border_style(th.border(focused));
        let h = usize::from(area.height.saturating_sub(2));
        // A failed task says why, first.
        let why = match state {
            Some(crate::event::TaskState::Failed { reason }) => {
                Some(crate::analysis::failure_text(sc.catalog, reason))
            }
            _ => None,
        };
        let mut lines = Vec::new();
        if let Some(w) = why {
            lines.push(Line::styled(format!("✗ {w}"), th.error()));
        }
        lines.extend(self.script_lines(t, h.saturating_sub(lines.len())));
        let scriptless = sc
            .catalog
            .tasks
            .get(t.index())
            .is_some_and(|x| x.script.lines.is_empty());
        if sc.catalog.engine == "live" && scriptless {
            lines.push(Line::styled(
                "a thread of a real program: no script",
                th.dim(),
            ));
        }
        Paragraph::new(lines).block(block).render(area, buf);
    }
}

impl Widget for &ScriptsView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let shown = self.shown(area.width);
        if shown.is_empty() {
            Block::bordered().title(" Scripts ").render(area, buf);
            return;
        }
        let mut constraints = vec![Constraint::Min(MIN_BIG)];
        constraints.extend(shown.iter().skip(1).map(|_| Constraint::Length(MIN_COL)));
        if shown.len() == 2 {
            constraints = vec![Constraint::Percentage(55), Constraint::Percentage(45)];
        }
        let cols = Layout::horizontal(constraints).split(area);
        for (i, (t, r)) in shown.iter().zip(cols.iter()).enumerate() {
            self.column(*t, *r, buf, i == 0);
        }
    }
}
