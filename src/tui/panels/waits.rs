//! The waits panel: the wait-for graph at the cursor as text chains
//! (`t1 -[B]-> t2 -[A]-> t1`), a deadlock in the error colour with the rule
//! that found it (a cycle, or a knot listed one member a line), every
//! other blocked task and what it waits for, and a stall explained: who
//! waits for what and why nobody can end it. Words come from the analysis.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};

use crate::analysis::{chain_text, knot_lines, rule_text, stall_reason, wait_words};
use crate::event::{DeadlockRule, TaskId, TaskState, WaitEdge};

use super::{Panel, Scene};

/// The waits panel.
pub struct WaitsView<'a> {
    /// What to draw.
    pub scene: &'a Scene<'a>,
}

impl WaitsView<'_> {
    /// The panel's lines.
    pub fn lines(&self) -> Vec<Line<'static>> {
        let sc = self.scene;
        let th = sc.theme;
        let mut out = Vec::new();
        let mut in_chain = vec![false; sc.world.tasks.len()];
        let mut mark = |edges: &[WaitEdge]| {
            for e in edges {
                if let Some(x) = in_chain.get_mut(e.task.index()) {
                    *x = true;
                }
            }
        };
        // The engine's own deadlock, which knows the scripts, comes first;
        // the fold's chains then only add what it does not cover.
        let reported = sc.world.deadlocks.first();
        if let Some(d) = reported {
            out.push(Line::styled(
                format!("DEADLOCK at tick {} ({})", d.tick, d.rule.name()),
                th.error(),
            ));
            self.deadlock_lines(d.rule, &d.edges, &mut out);
            mark(&d.edges);
        }
        for c in &sc.chains {
            let covered = c
                .edges
                .iter()
                .all(|e| reported.is_some_and(|d| d.edges.iter().any(|x| x.task == e.task)));
            if covered || (reported.is_some() && c.is_deadlock()) {
                continue;
            }
            mark(&c.edges);
            match c.deadlock {
                Some(rule) => self.deadlock_lines(rule, &c.edges, &mut out),
                None => self.chain_lines(&c.edges, &mut out),
            }
        }
        if let Some(d) = reported {
            out.push(Line::styled(rule_text(d.rule).to_string(), th.dim()));
        }
        self.others(&in_chain, &mut out);
        self.stall(&mut out);
        if out.is_empty() {
            out.push(Line::styled("no task is waiting for another", th.dim()));
        }
        out
    }

    /// A deadlock's edges: a cycle as one chain, a knot one member a line.
    fn deadlock_lines(&self, rule: DeadlockRule, edges: &[WaitEdge], out: &mut Vec<Line<'static>>) {
        let th = self.scene.theme;
        match rule {
            DeadlockRule::Knot => {
                for l in knot_lines(self.scene.catalog, edges) {
                    out.push(Line::styled(format!("⊗ {l}"), th.error()));
                }
            }
            DeadlockRule::Cycle => out.push(Line::from(vec![
                Span::styled("⟳ ", th.error()),
                Span::styled(chain_text(self.scene.catalog, edges), th.error()),
            ])),
        }
        self.places(edges.iter().map(|e| e.task), out);
    }

    /// In a real program's trace, where each of `tasks` waits (the place of
    /// its waiting call), once a task; a scenario's scripts panel shows the
    /// line instead.
    fn places(&self, tasks: impl Iterator<Item = TaskId>, out: &mut Vec<Line<'static>>) {
        let sc = self.scene;
        let mut said = Vec::new();
        for t in tasks {
            if said.contains(&t) {
                continue;
            }
            said.push(t);
            let Some(at) = sc.wait_site(t) else {
                continue;
            };
            out.push(Line::styled(
                format!("  {} waits at {at}", sc.catalog.task_name(t)),
                sc.theme.dim(),
            ));
        }
    }

    /// A chain of waits that is no deadlock, noting a timeout on it.
    fn chain_line(&self, edges: &[WaitEdge]) -> Line<'static> {
        let sc = self.scene;
        let timed = edges.iter().any(|e| {
            sc.world
                .tasks
                .get(e.task.index())
                .is_some_and(|t| matches!(t.state, TaskState::Blocked { timed: true, .. }))
        });
        let note = if timed { "  (has a timeout)" } else { "" };
        Line::from(vec![
            Span::raw("→ "),
            Span::raw(chain_text(sc.catalog, edges)),
            Span::styled(note, sc.theme.dim()),
        ])
    }

    /// A chain of waits that is no deadlock, and where its tasks wait.
    fn chain_lines(&self, edges: &[WaitEdge], out: &mut Vec<Line<'static>>) {
        out.push(self.chain_line(edges));
        self.places(edges.iter().map(|e| e.task), out);
    }

    fn others(&self, in_chain: &[bool], out: &mut Vec<Line<'static>>) {
        let sc = self.scene;
        for (i, t) in sc.world.tasks.iter().enumerate() {
            let TaskState::Blocked { on, timed } = t.state else {
                continue;
            };
            if in_chain.get(i).copied().unwrap_or(false) {
                continue;
            }
            let who = sc.catalog.task_name(TaskId(i as u32)).to_string();
            let what = wait_words(sc.catalog, sc.world, on);
            let note = if timed { " (with a timeout)" } else { "" };
            let at = sc
                .wait_site(TaskId(i as u32))
                .map_or(String::new(), |a| format!(" at {a}"));
            out.push(Line::from(vec![
                Span::styled(format!("· {who}"), sc.theme.title()),
                Span::raw(format!(" waits for {what}{note}{at}")),
            ]));
        }
    }

    fn stall(&self, out: &mut Vec<Line<'static>>) {
        let sc = self.scene;
        let Some(stuck) = &sc.world.stall else {
            return;
        };
        out.push(Line::styled(
            "STALLED: nothing can run again, and no deadlock holds them",
            sc.theme.error(),
        ));
        for s in stuck {
            out.push(Line::raw(format!(
                "  {}",
                stall_reason(sc.catalog, sc.world, s)
            )));
        }
    }
}

impl Widget for &WaitsView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let sc = self.scene;
        let cycle = sc.chains.iter().any(|c| c.is_deadlock()) || !sc.world.deadlocks.is_empty();
        let title = if cycle {
            " Waits: DEADLOCK "
        } else {
            " Waits "
        };
        let border = if cycle {
            sc.theme.error()
        } else {
            sc.theme.border(sc.focused(Panel::Waits))
        };
        let lines = self.lines();
        let inner_w = usize::from(area.width.saturating_sub(2)).max(1);
        let wrapped: usize = lines
            .iter()
            .map(|l| l.width().div_ceil(inner_w).max(1))
            .sum();
        let hidden = wrapped > usize::from(area.height.saturating_sub(2));
        let title = if hidden {
            format!("{title}(more: Tab here, ↓) ")
        } else {
            title.to_string()
        };
        let block = Block::bordered().title(title).border_style(border);
        let skip = sc
            .view
            .scroll_of(Panel::Waits)
            .min(lines.len().saturating_sub(1));
        Paragraph::new(lines.into_iter().skip(skip).collect::<Vec<_>>())
            .block(block)
            .wrap(Wrap { trim: false })
            .render(area, buf);
    }
}
