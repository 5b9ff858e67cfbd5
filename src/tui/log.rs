//! The log panel: the events up to the cursor as readable text, newest
//! last, the next event dimmed below, filterable with `/`. Also the text of
//! one event, which other views reuse. Imports the event contract and the
//! analysis.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};

use crate::analysis::{chain_text, knot_lines};
use crate::event::{Catalog, DeadlockRule, Event, EventKind, TaskState};

use super::scene::{Panel, Scene};
use super::timeline::wait_label;

/// A filter looks back at most this many events, so a frame stays fast.
const SCAN_LIMIT: usize = 50_000;

/// The log panel.
pub struct LogView<'a> {
    /// What to draw.
    pub scene: &'a Scene<'a>,
}

use crate::analysis::failure_text;

fn state_text(cat: &Catalog, s: TaskState) -> String {
    match s {
        TaskState::Running { cpu } => format!("running on cpu{}", cpu.0),
        TaskState::Blocked { on, timed } => format!(
            "blocked on {}{}",
            wait_label(cat, on),
            if timed { " (timeout)" } else { "" }
        ),
        TaskState::Sleeping { io: true } => "in io".to_string(),
        TaskState::Failed { reason } => format!("failed: {}", failure_text(cat, reason)),
        other => other.name().to_string(),
    }
}

pub use crate::event::strip_comment;

/// One event as a line of text.
pub fn event_text(cat: &Catalog, e: &Event) -> String {
    let t = |id| cat.task_name(id).to_string();
    let r = |id| cat.resource_name(id).to_string();
    match &e.kind {
        EventKind::State { task, state } => format!("{} → {}", t(*task), state_text(cat, *state)),
        EventKind::Pc { task, pc } => {
            let line = cat
                .tasks
                .get(task.index())
                .and_then(|x| x.script.code_at(*pc))
                .unwrap_or_default();
            format!("{} at `{}`", t(*task), line)
        }
        EventKind::LockWait { task, lock } => format!("{} waits for {} (held)", t(*task), r(*lock)),
        EventKind::LockAcquire { task, lock, depth } if *depth > 1 => {
            format!("{} re-acquires {} (depth {depth})", t(*task), r(*lock))
        }
        EventKind::LockAcquire { task, lock, .. } => format!("{} acquires {}", t(*task), r(*lock)),
        EventKind::LockRelease { task, lock, depth } if *depth > 0 => {
            format!("{} releases {} once (depth {depth})", t(*task), r(*lock))
        }
        EventKind::LockRelease { task, lock, .. } => format!("{} releases {}", t(*task), r(*lock)),
        EventKind::WaitTimeout { task, on } => {
            format!("{} gives up waiting for {}", t(*task), wait_label(cat, *on))
        }
        EventKind::QueuePut {
            task,
            queue,
            value,
            len,
        } => {
            format!("{} puts {value} into {} (len {len})", t(*task), r(*queue))
        }
        EventKind::QueueGet {
            task,
            queue,
            value,
            len,
        } => {
            format!("{} gets {value} from {} (len {len})", t(*task), r(*queue))
        }
        EventKind::QueueDone {
            task,
            queue,
            unfinished,
        } => {
            format!(
                "{} task_done {} ({unfinished} unfinished)",
                t(*task),
                r(*queue)
            )
        }
        EventKind::PermitAcquire { task, sem, left } => {
            format!("{} takes a permit of {} ({left} left)", t(*task), r(*sem))
        }
        EventKind::PermitRelease { task, sem, left } => {
            format!(
                "{} releases a permit of {} ({left} free)",
                t(*task),
                r(*sem)
            )
        }
        EventKind::ReadAcquire {
            task,
            lock,
            readers,
        } => format!("{} reads under {} ({readers} readers)", t(*task), r(*lock)),
        EventKind::ReadRelease {
            task,
            lock,
            readers,
        } => format!(
            "{} stops reading {} ({readers} readers left)",
            t(*task),
            r(*lock)
        ),
        EventKind::Notify { task, cond, woken } if *woken == 0 => {
            format!(
                "{} notifies {}: nobody waits, the notify is lost",
                t(*task),
                r(*cond)
            )
        }
        EventKind::Notify { task, cond, woken } => {
            format!("{} notifies {} ({woken} woken)", t(*task), r(*cond))
        }
        EventKind::FlagSet { task, event } => format!("{} sets {}", t(*task), r(*event)),
        EventKind::FlagClear { task, event } => format!("{} clears {}", t(*task), r(*event)),
        EventKind::BarrierWait {
            task,
            barrier,
            arrived,
        } => format!(
            "{} arrives at {} ({arrived} arrived)",
            t(*task),
            r(*barrier)
        ),
        EventKind::BarrierBroken { task, barrier } => {
            format!("{} breaks {} (timed out)", t(*task), r(*barrier))
        }
        EventKind::PoolStart { task, pool, worker } => {
            format!("{} starts on {} worker {worker}", t(*task), r(*pool))
        }
        EventKind::PoolClose { task, pool } => format!("{} closes {}", t(*task), r(*pool)),
        EventKind::VarRead { task, var, value } => {
            format!("{} reads {} = {value}", t(*task), cat.var_name(*var))
        }
        EventKind::VarWrite { task, var, value } => {
            format!("{} writes {} = {value}", t(*task), cat.var_name(*var))
        }
        EventKind::Print { task, text } => format!("{}: \"{text}\"", t(*task)),
        EventKind::Spawn { task, child } => format!("{} spawns {}", t(*task), t(*child)),
        EventKind::Terminate { task, target } => format!("{} kills {}", t(*task), t(*target)),
        EventKind::Switch { cpu, task, ticks } => {
            format!("cpu{} switches to {} ({ticks} ticks)", cpu.0, t(*task))
        }
        EventKind::Choice { options, chosen } => {
            let names: Vec<String> = options.iter().map(|o| t(*o)).collect();
            format!("choice among {} → {}", names.join(", "), t(*chosen))
        }
        EventKind::Deadlock {
            rule: DeadlockRule::Knot,
            cycle,
        } => format!("DEADLOCK (knot) {}", knot_lines(cat, cycle).join("; ")),
        EventKind::Deadlock { cycle, .. } => format!("DEADLOCK {}", chain_text(cat, cycle)),
        EventKind::Stall { stuck } => format!("STALL: {} task(s) wait forever", stuck.len()),
        EventKind::End { outcome } => format!("end: {}", outcome.name()),
    }
}

impl LogView<'_> {
    /// The indices of the events shown: up to `rows` matching the filter,
    /// ending at the cursor (minus the scroll), oldest first.
    pub fn visible(&self, rows: usize) -> Vec<usize> {
        let sc = self.scene;
        let events = sc.trace.events();
        let end = sc.view.cursor.min(events.len());
        let filter = sc.view.filter.to_lowercase();
        let mut picked = Vec::new();
        let mut skip = sc.view.log_back;
        for i in (end.saturating_sub(SCAN_LIMIT)..end).rev() {
            if picked.len() >= rows {
                break;
            }
            if !filter.is_empty() && !self.text(i).to_lowercase().contains(&filter) {
                continue;
            }
            if skip > 0 {
                skip -= 1;
                continue;
            }
            picked.push(i);
        }
        picked.reverse();
        picked
    }

    fn text(&self, i: usize) -> String {
        let sc = self.scene;
        sc.trace
            .events()
            .get(i)
            .map_or(String::new(), |e| event_text(sc.catalog, e))
    }

    /// When event `i` happened: its tick, or in a real program's trace its
    /// time in seconds to the microsecond.
    fn when(&self, i: usize, tick: u64) -> String {
        match self.scene.trace.ns_at(i) {
            Some(ns) => format!("{:>10.6}", ns as f64 / 1e9),
            None => format!("{tick:>4}"),
        }
    }

    fn line(&self, i: usize, current: bool, width: usize) -> Line<'static> {
        let sc = self.scene;
        let th = sc.theme;
        let Some(e) = sc.trace.events().get(i) else {
            return Line::raw("");
        };
        let when = self.when(i, e.tick);
        // A line too long for the panel loses the middle, not the event's end.
        let text = fit(
            &event_text(sc.catalog, e),
            width.saturating_sub(9 + when.len()),
        );
        let style = match &e.kind {
            EventKind::Deadlock { .. } | EventKind::Stall { .. } => th.error(),
            EventKind::Pc { .. } => th.dim(),
            _ if current => th.title(),
            _ => ratatui::style::Style::new(),
        };
        let mark = if current { "▶" } else { " " };
        Line::from(vec![
            Span::styled(format!("{:>5} {when} {mark} ", i + 1), th.dim()),
            Span::styled(text, style),
        ])
    }
}

impl Widget for &LogView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let sc = self.scene;
        let title = if !sc.view.filter.is_empty() {
            format!(" Log  filter: /{} ", sc.view.filter)
        } else if sc.trace.ns_at(0).is_some() {
            " Log  (step, time in s) ".to_string()
        } else {
            " Log  (step tick) ".to_string()
        };
        let block = Block::bordered()
            .title(title)
            .border_style(sc.theme.border(sc.focused(Panel::Log)));
        let rows = usize::from(area.height.saturating_sub(3));
        let width = usize::from(area.width.saturating_sub(2));
        let shown = self.visible(rows);
        let last = sc.view.cursor.checked_sub(1);
        let mut lines: Vec<Line<'static>> = shown
            .iter()
            .map(|&i| self.line(i, Some(i) == last, width))
            .collect();
        if let Some(e) = sc.trace.events().get(sc.view.cursor) {
            let when = self.when(sc.view.cursor, e.tick);
            let text = format!(
                "{:>5} {when}   next: {}",
                sc.view.cursor + 1,
                fit(
                    &event_text(sc.catalog, e),
                    width.saturating_sub(15 + when.len())
                )
            );
            lines.push(Line::styled(text, sc.theme.dim()));
        }
        Paragraph::new(lines).block(block).render(area, buf);
    }
}

/// `text` in `room` characters: its first third, `…`, and the rest of its end.
fn fit(text: &str, room: usize) -> String {
    let n = text.chars().count();
    if n <= room || room < 8 {
        return text.to_string();
    }
    let head = (room - 1) / 3;
    let tail = room - 1 - head;
    let start: String = text.chars().take(head).collect();
    let end: String = text.chars().skip(n - tail).collect();
    format!("{start}…{end}")
}
