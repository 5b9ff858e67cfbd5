//! The waits panel: the wait-for graph at the cursor as text chains
//! (`t1 -[B]-> t2 -[A]-> t1`), cycles in the error colour, every other
//! blocked task and what it waits for, and a stall explained: who waits for
//! what and why nobody can wake it. Imports the event contract, the trace
//! and the analysis.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};

use crate::analysis::chain_text;
use crate::event::{Catalog, StuckTask, TaskId, TaskState, WaitOn};
use crate::trace::World;

use super::layout::{Panel, Scene};

/// The waits panel.
pub struct WaitsView<'a> {
    /// What to draw.
    pub scene: &'a Scene<'a>,
}

/// What a task waits for, in words, with the resource's state.
pub fn wait_words(cat: &Catalog, world: &World, on: WaitOn) -> String {
    let name = cat.wait_name(on);
    let q = |r: crate::event::ResourceId| world.queues.get(r.index()).map_or(0, |q| q.len);
    match on {
        WaitOn::Lock(r) => match world.locks.get(r.index()).and_then(|l| l.holder) {
            Some(h) => format!("lock {name} (held by {})", cat.task_name(h)),
            None => format!("lock {name} (free)"),
        },
        WaitOn::Put(r) => format!("space in {name} (len {})", q(r)),
        WaitOn::Get(r) => format!("an item in {name} (len {})", q(r)),
        WaitOn::QueueJoin(_) => format!("every item of {name} marked done"),
        WaitOn::Task(_) => format!("task {name} to end"),
        _ => name.to_string(),
    }
}

/// Why nobody can wake a stuck task.
pub fn explain(cat: &Catalog, world: &World, s: &StuckTask) -> String {
    let who = cat.task_name(s.task);
    let name = cat.wait_name(s.waits_for);
    let state_of = |t: TaskId| world.tasks.get(t.index()).map(|v| v.state);
    match s.waits_for {
        WaitOn::Lock(r) => match world.locks.get(r.index()).and_then(|l| l.holder) {
            Some(h) if state_of(h).is_some_and(TaskState::is_final) => format!(
                "{who} waits for lock {name}: its holder {} has ended ({}) without releasing it",
                cat.task_name(h),
                state_of(h).map_or("?", TaskState::name)
            ),
            Some(h) => format!(
                "{who} waits for lock {name}, held by {}, which waits forever too",
                cat.task_name(h)
            ),
            None => format!("{who} waits for lock {name}, and nobody is left to hand it over"),
        },
        WaitOn::Get(_) => {
            format!("{who} waits to get from {name}: it is empty and no task left will put into it")
        }
        WaitOn::Put(_) => {
            format!("{who} waits to put into {name}: it is full and no task left will get from it")
        }
        WaitOn::QueueJoin(_) => {
            format!("{who} joins {name}: items were never marked done, and nobody is left to call task_done")
        }
        WaitOn::Task(t) => format!(
            "{who} waits for {name} to end, but {name} is {} forever",
            state_of(t).map_or("?", TaskState::name)
        ),
        _ => format!("{who} waits on {name} forever"),
    }
}

impl WaitsView<'_> {
    /// The panel's lines.
    pub fn lines(&self) -> Vec<Line<'static>> {
        let sc = self.scene;
        let th = sc.theme;
        let mut out = Vec::new();
        if let Some((tick, _)) = sc.world.deadlocks.first() {
            out.push(Line::styled(
                format!("DEADLOCK at tick {tick}: a wait-for cycle"),
                th.error(),
            ));
        }
        let mut in_chain = vec![false; sc.world.tasks.len()];
        for c in &sc.chains {
            for e in &c.edges {
                if let Some(x) = in_chain.get_mut(e.task.index()) {
                    *x = true;
                }
            }
            let timed = c.edges.iter().any(|e| {
                sc.world
                    .tasks
                    .get(e.task.index())
                    .is_some_and(|t| matches!(t.state, TaskState::Blocked { timed: true, .. }))
            });
            let text = chain_text(sc.catalog, &c.edges);
            out.push(if c.cycle {
                Line::from(vec![
                    Span::styled("⟳ ", th.error()),
                    Span::styled(text, th.error()),
                ])
            } else {
                let note = if timed { "  (has a timeout)" } else { "" };
                Line::from(vec![
                    Span::raw("→ "),
                    Span::raw(text),
                    Span::styled(note, th.dim()),
                ])
            });
        }
        self.others(&in_chain, &mut out);
        self.stall(&mut out);
        if out.is_empty() {
            out.push(Line::styled("no task is waiting for another", th.dim()));
        }
        out
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
            out.push(Line::from(vec![
                Span::styled(format!("· {who}"), sc.theme.title()),
                Span::raw(format!(" waits for {what}{note}")),
            ]));
        }
    }

    fn stall(&self, out: &mut Vec<Line<'static>>) {
        let sc = self.scene;
        let Some(stuck) = &sc.world.stall else {
            return;
        };
        out.push(Line::styled(
            "STALLED: nothing can ever run again, and there is no cycle",
            sc.theme.error(),
        ));
        for s in stuck {
            out.push(Line::raw(format!("  {}", explain(sc.catalog, sc.world, s))));
        }
    }
}

impl Widget for &WaitsView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let sc = self.scene;
        let cycle = sc.chains.iter().any(|c| c.cycle);
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
        let block = Block::bordered().title(title).border_style(border);
        let lines = self.lines();
        let skip = sc.view.scroll[2].min(lines.len().saturating_sub(1));
        Paragraph::new(lines.into_iter().skip(skip).collect::<Vec<_>>())
            .block(block)
            .wrap(Wrap { trim: false })
            .render(area, buf);
    }
}
