//! The lesson panel (`i`): the scenario's text, its `[expect]` checks
//! judged on the world at the cursor, the shared variables (per process),
//! and each task's scheduling figures with their averages. Imports the
//! event contract, the trace and the analysis.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};

use crate::analysis::{averages, check_expectations, task_stats};

use super::scene::{Panel, Scene};
use super::timeline::task_order;

/// The lesson panel.
pub struct InfoView<'a> {
    /// What to draw.
    pub scene: &'a Scene<'a>,
}

impl Widget for &InfoView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        // Side by side when there is room for the figures' table, else the
        // lesson above the figures, which take the rows they need (the
        // lesson keeps five and scrolls).
        let figures = self.figure_lines();
        let [left, right] = if area.width >= 110 {
            Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(area)
        } else {
            let width = usize::from(area.width.saturating_sub(2)).max(1);
            let need: usize = figures
                .iter()
                .map(|l| l.width().div_ceil(width).max(1))
                .sum();
            let fig = (need as u16 + 2).min(area.height.saturating_sub(5));
            Layout::vertical([Constraint::Min(0), Constraint::Length(fig)]).areas(area)
        };
        self.lesson(left, buf);
        self.figures(figures, right, buf);
    }
}

impl InfoView<'_> {
    /// The scenario's text and its checks.
    fn lesson(&self, area: Rect, buf: &mut Buffer) {
        let sc = self.scene;
        let th = sc.theme;
        let mut lines = vec![Line::styled(sc.catalog.scenario.clone(), th.title())];
        lines.push(Line::raw(""));
        let text = sc
            .catalog
            .description
            .split_whitespace()
            .collect::<Vec<_>>();
        lines.push(Line::raw(text.join(" ")));
        lines.push(Line::raw(""));
        lines.extend(self.checks());
        let scroll = sc.view.scroll_of(Panel::Info).min(usize::from(u16::MAX)) as u16;
        Paragraph::new(lines)
            .wrap(Wrap { trim: true })
            .scroll((scroll, 0))
            .block(
                Block::bordered()
                    .title(" Lesson (i closes) ")
                    .border_style(th.border(sc.focused(Panel::Info))),
            )
            .render(area, buf);
    }

    /// The `[expect]` checks on the world at the cursor.
    fn checks(&self) -> Vec<Line<'static>> {
        let sc = self.scene;
        let th = sc.theme;
        let Some(r) = check_expectations(sc.catalog, sc.world) else {
            return vec![Line::styled("No [expect] checks.", th.dim())];
        };
        let ended = sc.world.outcome.is_some();
        let when = if ended {
            "Checks (the run has ended):"
        } else {
            "Checks (judged when the run ends; now):"
        };
        let mark = |ok: bool| {
            if ok {
                Span::styled("✓ ", th.state(super::theme::StateKind::Done))
            } else if ended {
                Span::styled("✗ ", th.error())
            } else {
                Span::styled("· ", th.dim())
            }
        };
        let got = sc.world.outcome.map_or("not ended yet", |o| o.name());
        let mut out = vec![
            Line::styled(when, th.accent()),
            Line::from(vec![
                mark(r.outcome_ok),
                Span::raw(format!("outcome {} (got {got})", r.outcome_expected.name())),
            ]),
        ];
        for c in &r.checks {
            out.push(Line::from(vec![
                mark(c.ok),
                Span::raw(format!("{} ({})", c.text, c.values)),
            ]));
        }
        out
    }

    /// The variables and the scheduling figures at the cursor.
    fn figure_lines(&self) -> Vec<Line<'static>> {
        let sc = self.scene;
        let th = sc.theme;
        let cat = sc.catalog;
        let mut lines = Vec::new();
        if !cat.vars.is_empty() {
            let several = cat.processes.len() > 1;
            let procs = if several { cat.processes.len() } else { 1 };
            for p in 0..procs as u32 {
                let vals = sc.world.vars_of(p);
                let text = cat
                    .vars
                    .iter()
                    .zip(vals)
                    .map(|(v, x)| format!("{}\u{a0}=\u{a0}{x}", v.name))
                    .collect::<Vec<_>>()
                    .join("  ");
                let head = if several {
                    format!("{}: ", cat.process_name(p))
                } else {
                    String::new()
                };
                lines.push(Line::from(vec![
                    Span::styled(head, th.accent()),
                    Span::raw(text),
                ]));
            }
            lines.push(Line::raw(""));
        }
        let stats = task_stats(sc.world, sc.tick);
        let name_w = cat
            .tasks
            .iter()
            .map(|t| t.name.chars().count())
            .max()
            .unwrap_or(4)
            .clamp(4, 16);
        lines.push(Line::styled(
            format!(
                "{:<name_w$} {:>5} {:>5} {:>5} {:>5} {:>5} {:>5}",
                "task", "run", "ready", "block", "sleep", "turn", "resp"
            ),
            th.title(),
        ));
        let opt = |x: Option<u64>| x.map_or("-".to_string(), |v| v.to_string());
        for t in task_order(cat) {
            let Some(s) = stats.get(t.index()) else {
                continue;
            };
            let name: String = cat.task_name(t).chars().take(name_w).collect();
            lines.push(Line::raw(format!(
                "{name:<name_w$} {:>5} {:>5} {:>5} {:>5} {:>5} {:>5}",
                s.ticks.running,
                s.ticks.ready,
                s.ticks.blocked,
                s.ticks.sleeping,
                opt(s.turnaround),
                opt(s.response_time),
            )));
        }
        let avg = averages(&stats);
        let f = |x: Option<f64>| x.map_or("-".to_string(), |v| format!("{v:.2}"));
        lines.push(Line::styled(
            format!(
                "average over the finished: waiting {}  turnaround {}  response {}",
                f(avg.waiting_time),
                f(avg.turnaround),
                f(avg.response_time)
            ),
            th.accent(),
        ));
        lines.push(Line::styled(
            "waiting = ticks ready; turnaround = end - arrival; response = first run - arrival",
            th.dim(),
        ));
        lines
    }

    fn figures(&self, mut lines: Vec<Line<'static>>, area: Rect, buf: &mut Buffer) {
        let sc = self.scene;
        let th = sc.theme;
        // Lines that do not fit are counted, never dropped without a word.
        let height = usize::from(area.height.saturating_sub(2));
        let width = usize::from(area.width.saturating_sub(2)).max(1);
        let rows = |l: &Line<'_>| l.width().div_ceil(width).max(1);
        if lines.iter().map(rows).sum::<usize>() > height && height >= 2 {
            let mut used = 0;
            let keep = lines
                .iter()
                .take_while(|l| {
                    used += rows(l);
                    used < height
                })
                .count();
            let hidden = lines.len() - keep;
            lines.truncate(keep);
            lines.push(Line::styled(format!("+{hidden} more lines"), th.accent()));
        }
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(format!(" Variables and figures at tick {} ", sc.tick)))
            .render(area, buf);
    }
}
