//! The header line (scenario, tick, step, play state, speed, outcome badge)
//! and the footer line (scheduler options, filter input, messages, key
//! hints). Imports the event contract and the trace.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use crate::event::Outcome;

use super::scene::Scene;
use super::session::{Session, SPEEDS};

/// The header line.
pub struct HeaderView<'a> {
    /// The session (play state, speed).
    pub session: &'a Session,
    /// What to draw.
    pub scene: &'a Scene<'a>,
}

/// The outcome known at the cursor: a deadlock as soon as one has formed.
pub fn outcome_at(scene: &Scene<'_>) -> Option<Outcome> {
    if !scene.world.deadlocks.is_empty() {
        return Some(Outcome::Deadlock);
    }
    scene.world.outcome
}

fn speed_text(speed: u32) -> String {
    match speed {
        s if s >= 1_000_000 => "max speed".to_string(),
        s if s >= 1000 => format!("{}k ticks/s", s / 1000),
        1 => "1 tick/s".to_string(),
        s => format!("{s} ticks/s"),
    }
}

impl Widget for &HeaderView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let s = self.session;
        let sc = self.scene;
        let th = sc.theme;
        let play = if s.follow_head {
            "● live".to_string()
        } else {
            let state = if s.playing {
                "▶ playing"
            } else {
                "⏸ paused"
            };
            if s.live() {
                // How far the cursor is behind the newest event.
                let behind = s.trace.last().tick.saturating_sub(sc.tick);
                let far = sc
                    .catalog
                    .time_of(behind)
                    .unwrap_or_else(|| format!("{behind} ticks"));
                format!("{state}, {far} behind live")
            } else {
                state.to_string()
            }
        };
        let sep = Span::styled(" │ ", th.dim());
        let total = if s.streaming() {
            format!("{}…", s.trace.len())
        } else {
            s.trace.len().to_string()
        };
        let mut spans = vec![
            Span::styled(" weft ", th.accent()),
            sep.clone(),
            Span::styled(sc.catalog.scenario.clone(), th.title()),
            sep.clone(),
            Span::raw(if sc.catalog.engine == "live" {
                "real run".to_string()
            } else {
                format!("seed {}", sc.catalog.seed)
            }),
            sep.clone(),
            Span::raw(match sc.catalog.time_of(sc.tick) {
                Some(t) => format!("tick {} = {t}", sc.tick),
                None => format!("tick {}", sc.tick),
            }),
            sep.clone(),
            Span::raw(format!("step {}/{}", sc.view.cursor, total)),
            sep.clone(),
            Span::raw(play),
            sep.clone(),
            Span::raw(speed_text(SPEEDS[s.speed.min(SPEEDS.len() - 1)])),
        ];
        if s.sched.is_some() {
            spans.push(sep.clone());
            spans.push(Span::styled("SCHEDULER", th.accent()));
        }
        if s.trace.dropped_events > 0 {
            spans.push(sep.clone());
            spans.push(Span::styled(
                format!("{} events dropped", s.trace.dropped_events),
                th.accent(),
            ));
        }
        // The outcome badge keeps its place at the right end whatever the
        // width; the rest gives way, the scenario's name first.
        let badge = outcome_at(sc).map(|o| {
            let style = match o {
                Outcome::Completed => th.ok_badge(),
                _ => th.error_badge(),
            };
            Span::styled(format!(" {} ", o.name().to_uppercase()), style)
        });
        let badge_w = badge.as_ref().map_or(0, |b| b.width() as u16 + 1);
        let room = usize::from(area.width.saturating_sub(badge_w));
        let width = |spans: &[Span<'_>]| spans.iter().map(Span::width).sum::<usize>();
        // What gives way when the line is too long: the name of the program
        // goes, the scenario's name is shortened (down to "…"), then the
        // seed goes; tick, step, play state and speed stay.
        if width(&spans) > room {
            spans.drain(0..2);
        }
        let over = width(&spans).saturating_sub(room);
        if over > 0 {
            let name = sc.catalog.scenario.as_str();
            let keep = name.chars().count().saturating_sub(over + 1);
            let short: String = name.chars().take(keep).collect();
            spans[0] = Span::styled(format!("{short}…"), th.title());
        }
        if width(&spans) > room {
            if let Some(i) = spans
                .iter()
                .position(|x| x.content.starts_with("seed ") || x.content == "real run")
            {
                spans.drain(i..i + 2);
            }
        }
        let room = room as u16;
        let left = Rect {
            width: room,
            ..area
        };
        Line::from(spans).render(left, buf);
        if let Some(b) = badge {
            let w = b.width() as u16;
            let x = area.right().saturating_sub(w);
            let at = Rect {
                x,
                width: w.min(area.width),
                ..area
            };
            Line::from(b).render(at, buf);
        }
    }
}

/// The footer's key hints, most useful first.
const HINTS: &[&str] = &[
    "space play",
    "←/→ step",
    "⇧←/⇧→ tick",
    "d deadlock",
    "i lesson",
    "Tab focus",
    "c CPUs",
    "s scheduler",
    "o picker",
];

/// The footer line.
pub struct FooterView<'a> {
    /// The session (messages, scheduler, filter).
    pub session: &'a Session,
    /// What to draw.
    pub scene: &'a Scene<'a>,
}

impl Widget for &FooterView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let s = self.session;
        let th = self.scene.theme;
        let line = if let Some(opts) = s.awaited_options() {
            let mut spans = vec![Span::styled(" Choose the next task: ", th.accent())];
            for (i, t) in opts.iter().enumerate().take(9) {
                spans.push(Span::styled(format!("{}", i + 1), th.selected()));
                spans.push(Span::raw(format!(
                    " {}  ",
                    self.scene.catalog.task_name(*t)
                )));
            }
            Line::from(spans)
        } else if s.view.filtering {
            Line::from(vec![
                Span::styled(" filter log: /", th.accent()),
                Span::raw(format!("{}█", s.view.filter)),
                Span::styled("   Enter keeps · Esc drops", th.dim()),
            ])
        } else if let Some(m) = &s.message {
            Line::from(Span::styled(format!(" {m}"), th.accent()))
        } else {
            // As many hints as fit before the right end's.
            let room = usize::from(area.width).saturating_sub(20);
            let mut text = String::new();
            for h in HINTS {
                if text.chars().count() + h.chars().count() + 3 > room {
                    break;
                }
                text.push_str(if text.is_empty() { " " } else { " · " });
                text.push_str(h);
            }
            Line::from(Span::styled(text, th.dim()))
        };
        // The way to help and out is always on screen, at the right end.
        let keys = " · ? help · q quit ";
        let keys_w = keys.chars().count() as u16;
        let left = Rect {
            width: area.width.saturating_sub(keys_w),
            ..area
        };
        line.render(left, buf);
        let right = Rect {
            x: area.right().saturating_sub(keys_w),
            width: keys_w.min(area.width),
            ..area
        };
        Line::from(Span::styled(keys, th.dim())).render(right, buf);
    }
}
