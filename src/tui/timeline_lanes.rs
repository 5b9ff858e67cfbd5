//! The timeline's drawing beyond a task's state cells: labels over blocked
//! cells (what the task waits for; a GIL wait in its own style), a loop
//! thread's `run_loop` cells showing the coroutine it runs, the lanes of
//! who holds a CPU or a GIL over time, and a process header's variables.

use ratatui::buffer::Buffer;

use crate::event::{ResourceId, TaskId, TaskState, WaitOn};

use super::lanes::{cells, Cell, Mark, Window};
use super::theme::StateKind;
use super::timeline::{flash_of, wait_label, TimelineView};

impl TimelineView<'_> {
    /// Writes what blocked runs of cells wait for over them: the name when
    /// it fits, else its initial.
    pub(super) fn wait_labels(
        &self,
        buf: &mut Buffer,
        (x0, y): (u16, u16),
        row: &[Option<Cell<TaskState>>],
        w: &Window,
        col_w: u16,
    ) {
        let sc = self.scene;
        let on_of = |c: &Option<Cell<TaskState>>| match c {
            Some(Cell {
                value: TaskState::Blocked { on, .. },
                ..
            }) => Some(*on),
            _ => None,
        };
        let mut c = 0;
        while c < row.len() {
            let Some(on) = on_of(&row[c]) else {
                c += 1;
                continue;
            };
            let run = row[c..].iter().take_while(|x| on_of(x) == Some(on)).count();
            if let WaitOn::RunLoop(r) = on {
                let sub = Window {
                    from: w.from + c as u64 * w.per,
                    cells: run,
                    ..*w
                };
                self.loop_labels(buf, (x0 + c as u16 * col_w, y), r, &sub, col_w);
                c += run;
                continue;
            }
            let skip = u16::from(col_w > 1 && flash_of(&row[c], col_w).is_some());
            let room = run * usize::from(col_w) - usize::from(skip);
            let name = wait_label(sc.catalog, on);
            let short = sc.catalog.wait_name(on);
            // The wait's words, else what it waits on, else that one's initial.
            let text: String = if name.chars().count() <= room {
                name
            } else if short.chars().count() <= room {
                short.to_string()
            } else {
                short.chars().take(1).collect()
            };
            let x = x0 + (c as u16) * col_w + skip;
            let style = if matches!(on, WaitOn::Gil(_)) {
                sc.theme.gil_label()
            } else {
                sc.theme.state_label(StateKind::Blocked)
            };
            buf.set_stringn(x, y, text, room, style);
            c += run;
        }
    }

    /// Over a loop thread's `run_loop` cells: the coroutine holding its loop
    /// in each stretch (drawn as running), `·` while none runs.
    fn loop_labels(
        &self,
        buf: &mut Buffer,
        (x0, y): (u16, u16),
        r: ResourceId,
        w: &Window,
        col_w: u16,
    ) {
        let sc = self.scene;
        let Some(marks) = sc.lanes.holders.get(r.index()) else {
            return;
        };
        let row = cells(marks, None, w, |a, b| a.is_some() && b.is_none());
        let mut c = 0;
        while c < row.len() {
            let value = row[c].map(|x| x.value);
            let run = row[c..]
                .iter()
                .take_while(|x| x.map(|x| x.value) == value)
                .count();
            let x = x0 + (c as u16) * col_w;
            let room = run * usize::from(col_w);
            match value.flatten() {
                Some(t) => {
                    buf.set_string(x, y, "█".repeat(room), sc.theme.state(StateKind::Running));
                    let name = format!("▶{}", sc.catalog.task_name(t));
                    buf.set_stringn(x, y, name, room, sc.theme.state_label(StateKind::Running));
                }
                None => {
                    buf.set_string(x, y, "·".repeat(room), sc.theme.dim());
                }
            }
            c += run;
        }
    }

    /// A lane of who holds something over time (a CPU, a GIL): the
    /// holder's name over its run of cells, `·` when nobody holds it.
    pub(super) fn holder_lane(
        &self,
        buf: &mut Buffer,
        x0: u16,
        y: u16,
        marks: &[Mark<Option<TaskId>>],
        w: &Window,
        col_w: u16,
    ) {
        let sc = self.scene;
        let row = cells(marks, None, w, |a, b| a.is_some() && b.is_none());
        let mut c = 0;
        while c < row.len() {
            let Some(Cell { value, .. }) = row[c] else {
                c += 1;
                continue;
            };
            let run = row[c..]
                .iter()
                .take_while(|x| x.map(|x| x.value) == Some(value))
                .count();
            let x = x0 + c as u16 * col_w;
            let room = run * usize::from(col_w);
            match value {
                Some(t) => {
                    let style = sc.theme.state(StateKind::Running);
                    buf.set_string(x, y, "█".repeat(room), style);
                    let name = sc.catalog.task_name(t);
                    let label_style = sc.theme.state_label(StateKind::Running);
                    buf.set_stringn(x, y, name, room, label_style);
                }
                None => buf.set_string(x, y, "·".repeat(room), sc.theme.dim()),
            }
            c += run;
        }
    }

    /// Over a CPU's lane: `⇆` in the cells where it was switching to a task
    /// (`switch_cost`), time that is busy but runs nobody.
    pub(super) fn switch_cells(
        &self,
        buf: &mut Buffer,
        (x0, y): (u16, u16),
        cpu: usize,
        w: &Window,
        col_w: u16,
    ) {
        let sc = self.scene;
        let Some(sw) = sc.lanes.switches.get(cpu) else {
            return;
        };
        let per = w.per.max(1);
        let end = (w.from + per * w.cells as u64).min(w.cursor_tick + 1);
        for &(_, tick, ticks) in sw.iter().filter(|s| s.0 < w.cursor_step) {
            for t in tick..(tick + u64::from(ticks)).min(end) {
                if t < w.from {
                    continue;
                }
                let c = ((t - w.from) / per) as u16;
                for dx in 0..col_w {
                    if let Some(cell) = buf.cell_mut((x0 + c * col_w + dx, y)) {
                        cell.set_char('⇆').set_style(sc.theme.switch());
                    }
                }
            }
        }
    }

    /// A process header's lane: its variables at the cursor.
    pub(super) fn process_vars(&self, buf: &mut Buffer, x0: u16, y: u16, p: u32, right: u16) {
        let sc = self.scene;
        let vars: Vec<String> = sc
            .catalog
            .vars
            .iter()
            .zip(sc.world.vars_of(p))
            .map(|(v, x)| format!("{}={x}", v.name))
            .collect();
        let mut text = if vars.is_empty() {
            String::new()
        } else {
            vars.join("  ")
        };
        // A real process: its PID first.
        let info = sc.catalog.processes.get(p as usize);
        let pid = info.and_then(|i| i.pid).or_else(|| {
            info.and_then(|i| i.task)
                .and_then(|t| sc.catalog.tasks.get(t.index()))
                .and_then(|t| t.os_id)
        });
        if let Some(pid) = pid {
            text = format!("pid {pid}  {text}");
        }
        let room = usize::from(right.saturating_sub(x0));
        buf.set_stringn(x0, y, text, room, sc.theme.dim());
    }

    /// A queue's lane: its length in each cell as a bar (the most it held
    /// in the cell, against its capacity, or the most it ever held), and
    /// `⇄` where an item went in and out within one tick (handed straight
    /// to a waiting getter).
    pub(super) fn queue_lane(
        &self,
        buf: &mut Buffer,
        (x0, y): (u16, u16),
        q: ResourceId,
        w: &Window,
        col_w: u16,
    ) {
        let sc = self.scene;
        let Some(marks) = sc.lanes.queues.get(q.index()) else {
            return;
        };
        let cap = sc
            .catalog
            .resources
            .get(q.index())
            .and_then(|r| r.capacity)
            .unwrap_or(0);
        let top = if cap > 0 {
            cap
        } else {
            marks.iter().map(|m| m.value).max().unwrap_or(1).max(1)
        };
        let row = cells(marks, 0u32, w, |a, b| a > b);
        for (c, cell) in row.iter().enumerate() {
            let Some(Cell { value, flash, .. }) = *cell else {
                continue;
            };
            let (ch, style) = if value == 0 && flash.is_some_and(|f| f > 0) {
                ('⇄', sc.theme.accent())
            } else {
                let i = (value as usize * 8).div_ceil(top as usize).min(8);
                (SPARKS[i], sc.theme.gauge(cap > 0 && value >= cap))
            };
            for dx in 0..col_w {
                if let Some(cell) = buf.cell_mut((x0 + c as u16 * col_w + dx, y)) {
                    cell.set_char(ch).set_style(style);
                }
            }
        }
    }
}

/// A bar's height in eighths.
const SPARKS: [char; 9] = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
