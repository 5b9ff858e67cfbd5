//! The queues panel: each queue's fill gauge (length over capacity; an
//! unbounded queue shows its length), a sparkline of its length over time,
//! and who is blocked putting or getting. Imports the event contract and the
//! trace.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};

use crate::event::{ResourceId, TaskState, WaitOn};

use super::lanes::{cells, Window};
use super::layout::{Panel, Scene};
use super::theme::StateKind;

const SPARKS: [char; 9] = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// The queues panel.
pub struct QueuesView<'a> {
    /// What to draw.
    pub scene: &'a Scene<'a>,
}

impl QueuesView<'_> {
    /// The gauge text of a queue, `width` cells of bar.
    pub fn gauge(len: u32, capacity: u32, width: usize) -> String {
        if capacity == 0 {
            return format!("{len} (unbounded)");
        }
        let filled = (len.min(capacity) as usize * width).div_ceil(capacity as usize);
        format!(
            "[{}{}] {len}/{capacity}",
            "█".repeat(filled),
            "·".repeat(width - filled.min(width))
        )
    }

    /// The sparkline of a queue's length, `width` characters over ticks 0..=cursor.
    pub fn sparkline(&self, q: ResourceId, top: u32, width: usize) -> String {
        let sc = self.scene;
        let Some(marks) = sc.lanes.queues.get(q.index()) else {
            return String::new();
        };
        let ticks = sc.world.tick + 1;
        let per = ticks.div_ceil(width.max(1) as u64).max(1);
        let w = Window {
            from: 0,
            per,
            cells: width,
            cursor_step: sc.view.cursor,
            cursor_tick: sc.world.tick,
        };
        cells(marks, 0u32, &w, |a, b| a > b)
            .iter()
            .map(|c| match c {
                Some(c) => {
                    let i = (c.value as usize * 8).div_ceil(top.max(1) as usize);
                    SPARKS[i.min(8)]
                }
                None => ' ',
            })
            .collect::<String>()
            .trim_end()
            .to_string()
    }

    fn waiting(&self, want: impl Fn(WaitOn) -> bool) -> String {
        let sc = self.scene;
        let names: Vec<&str> = sc
            .world
            .tasks
            .iter()
            .enumerate()
            .filter(|(_, t)| matches!(t.state, TaskState::Blocked { on, .. } if want(on)))
            .map(|(i, _)| sc.catalog.task_name(crate::event::TaskId(i as u32)))
            .collect();
        if names.is_empty() {
            "-".to_string()
        } else {
            names.join(", ")
        }
    }

    /// Three lines per queue.
    pub fn lines(&self, width: usize) -> Vec<Line<'static>> {
        let sc = self.scene;
        let th = sc.theme;
        let mut out = Vec::new();
        for (i, info) in sc.catalog.resources.iter().enumerate() {
            if !info.is_queue() {
                continue;
            }
            let r = ResourceId(i as u32);
            let Some(q) = sc.world.queues.get(i) else {
                continue;
            };
            let cap = info.capacity.unwrap_or(0);
            let full = cap > 0 && q.len >= cap;
            let top = if cap > 0 { cap } else { q.max_len.max(1) };
            out.push(Line::from(vec![
                Span::styled(format!("{:<6} ", info.name), th.title()),
                Span::styled(Self::gauge(q.len, cap, 10), th.gauge(full)),
                Span::styled(format!("  puts {} gets {}", q.puts, q.gets), th.dim()),
            ]));
            let spark = self.sparkline(r, top, width.saturating_sub(8).clamp(4, 60));
            out.push(Line::from(vec![
                Span::styled(format!("{:<7}", " len"), th.dim()),
                Span::styled(spark, th.gauge(false)),
            ]));
            let putters = self.waiting(|on| on == WaitOn::Put(r));
            let getters = self.waiting(|on| on == WaitOn::Get(r) || on == WaitOn::QueueJoin(r));
            out.push(Line::from(vec![
                Span::styled(format!("{:<7}", " wait"), th.dim()),
                Span::styled(format!("put: {putters}  "), th.state(StateKind::Blocked)),
                Span::styled(format!("get: {getters}"), th.state(StateKind::Blocked)),
            ]));
        }
        out
    }
}

impl Widget for &QueuesView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let sc = self.scene;
        let block = Block::bordered()
            .title(" Queues ")
            .border_style(sc.theme.border(sc.focused(Panel::Queues)));
        let lines = self.lines(usize::from(area.width.saturating_sub(2)));
        let skip = (sc.view.scroll[1] * 3).min(lines.len().saturating_sub(2));
        Paragraph::new(lines.into_iter().skip(skip).collect::<Vec<_>>())
            .block(block)
            .render(area, buf);
    }
}
