//! The TUI's views rendered into ratatui's `TestBackend` after real runs of
//! the ABBA deadlock and the bounded producer/consumer queue, compared with
//! insta snapshots; key colours are checked on cells, since text drops them.

use crate::support;

use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Color;
use ratatui::widgets::Widget;
use ratatui::Terminal;

use support::{drain, FileEngine};
use weft::event::{EventKind, ResourceId, TaskState, WaitOn};
use weft::tui::header::HeaderView;
use weft::tui::layout::{self, Scene};
use weft::tui::log::LogView;
use weft::tui::panels::waits::WaitsView;
use weft::tui::panels::{Kind, ResourcePanelView};
use weft::tui::script::ScriptsView;
use weft::tui::theme::{BLUISH_GREEN, VERMILLION};
use weft::tui::timeline::TimelineView;
use weft::tui::{Action, App, Open, Theme};

fn open<'a>(engine: &'a FileEngine, color: bool) -> App<'a> {
    let mut app = App::new(engine, Open::Entry(0), Theme::new(color));
    app.update(Action::Resize {
        width: 100,
        height: 30,
    });
    drain(&mut app);
    app
}

fn screen(app: &App<'_>, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| layout::draw(f, app)).unwrap();
    t
}

fn text(buf: &Buffer) -> String {
    let a = buf.area;
    (a.top()..a.bottom())
        .map(|y| {
            let row: String = (a.left()..a.right())
                .map(|x| buf[(x, y)].symbol())
                .collect();
            row.trim_end().to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn find(buf: &Buffer, needle: &str) -> Option<(u16, u16)> {
    let a = buf.area;
    for y in a.top()..a.bottom() {
        let row: Vec<&str> = (a.left()..a.right())
            .map(|x| buf[(x, y)].symbol())
            .collect();
        let joined: String = row.concat();
        if let Some(byte) = joined.find(needle) {
            let col = joined[..byte].chars().count() as u16;
            return Some((a.left() + col, y));
        }
    }
    None
}

fn view(app: &App<'_>, w: u16, h: u16, draw: impl Fn(&Scene<'_>, Rect, &mut Buffer)) -> String {
    let s = app.session.as_ref().unwrap();
    let scene = Scene::new(s, app.theme);
    let area = Rect::new(0, 0, w, h);
    let mut buf = Buffer::empty(area);
    draw(&scene, area, &mut buf);
    text(&buf)
}

fn abba() -> FileEngine {
    FileEngine::new(&["abba_deadlock.toml"])
}

fn queue() -> FileEngine {
    FileEngine::new(&["bounded_queue.toml"])
}

#[test]
fn abba_at_the_deadlock_whole_screen() {
    let engine = abba();
    let mut app = open(&engine, true);
    app.update(Action::JumpDeadlock);
    let t = screen(&app, 100, 30);
    insta::assert_snapshot!(text(t.backend().buffer()));
    let buf = t.backend().buffer();
    let (x, y) = find(buf, "DEADLOCK").expect("a DEADLOCK badge");
    assert_eq!(y, 0, "the badge is in the header");
    assert_eq!(buf[(x, y)].bg, VERMILLION);
    let (x, y) = find(buf, "t1 -[B]-> t2 -[A]-> t1").expect("the cycle as text");
    assert_eq!(
        buf[(x, y)].fg,
        VERMILLION,
        "the cycle is in the error colour"
    );
}

#[test]
fn abba_views_one_by_one() {
    let engine = abba();
    let mut app = open(&engine, true);
    app.update(Action::JumpDeadlock);
    let views = [
        (
            "header",
            view(&app, 100, 1, |sc, r, b| {
                let s = app.session.as_ref().unwrap();
                HeaderView {
                    session: s,
                    scene: sc,
                }
                .render(r, b)
            }),
        ),
        (
            "timeline",
            view(&app, 100, 7, |sc, r, b| {
                TimelineView { scene: sc }.render(r, b)
            }),
        ),
        (
            "locks",
            view(&app, 50, 5, |sc, r, b| {
                ResourcePanelView {
                    scene: sc,
                    kind: Kind::Locks,
                }
                .render(r, b)
            }),
        ),
        (
            "waits",
            view(&app, 50, 6, |sc, r, b| WaitsView { scene: sc }.render(r, b)),
        ),
        (
            "scripts",
            view(&app, 60, 12, |sc, r, b| {
                ScriptsView { scene: sc }.render(r, b)
            }),
        ),
        (
            "log",
            view(&app, 60, 12, |sc, r, b| LogView { scene: sc }.render(r, b)),
        ),
    ];
    for (name, text) in views {
        insta::assert_snapshot!(format!("abba_{name}"), text);
    }
}

/// The step just after the producer blocks on a full queue for the first time.
fn queue_full_step(app: &App<'_>) -> usize {
    let s = app.session.as_ref().unwrap();
    let i = s.trace.events().iter().position(|e| {
        matches!(
            e.kind,
            EventKind::State {
                state: TaskState::Blocked {
                    on: WaitOn::Put(ResourceId(0)),
                    ..
                },
                ..
            }
        )
    });
    i.expect("the producer blocks on put") + 1
}

#[test]
fn bounded_queue_full_whole_screen() {
    let engine = queue();
    let mut app = open(&engine, true);
    let step = queue_full_step(&app);
    app.session.as_mut().unwrap().set_cursor(step);
    let t = screen(&app, 100, 30);
    insta::assert_snapshot!(text(t.backend().buffer()));
    let buf = t.backend().buffer();
    assert!(find(buf, "[██████████] 3/3").is_some(), "the gauge is full");
    let (x, y) = find(buf, "producer").expect("the producer's lane");
    let running = (x..100)
        .find(|&c| buf[(c, y)].symbol() == "█")
        .expect("a running cell");
    assert_eq!(
        buf[(running, y)].fg,
        BLUISH_GREEN,
        "running cells are bluish green"
    );
}

#[test]
fn bounded_queue_panel_and_cpu_lanes() {
    let engine = queue();
    let mut app = open(&engine, true);
    let step = queue_full_step(&app);
    app.session.as_mut().unwrap().set_cursor(step);
    let q = view(&app, 100, 5, |sc, r, b| {
        ResourcePanelView {
            scene: sc,
            kind: Kind::Queues,
        }
        .render(r, b)
    });
    insta::assert_snapshot!("queue_panel_full", q);
    app.update(Action::ToggleCpuLanes);
    let cpus = view(&app, 100, 5, |sc, r, b| {
        TimelineView { scene: sc }.render(r, b)
    });
    insta::assert_snapshot!("queue_cpu_lanes", cpus);
}

#[test]
fn monochrome_still_shows_states_by_glyph() {
    let engine = queue();
    let mut app = open(&engine, false);
    app.update(Action::End);
    let t = screen(&app, 100, 30);
    let buf = t.backend().buffer();
    let colored = buf
        .content
        .iter()
        .any(|c| matches!(c.fg, Color::Rgb(..)) || matches!(c.bg, Color::Rgb(..)));
    assert!(!colored, "NO_COLOR draws no colour");
    let all = text(buf);
    for glyph in ["█", "░", "▒", "~", "✓"] {
        assert!(all.contains(glyph), "glyph {glyph} missing:\n{all}");
    }
}

#[test]
fn too_small_terminal_says_so() {
    let engine = abba();
    let app = open(&engine, true);
    let t = screen(&app, 79, 23);
    assert!(text(t.backend().buffer()).contains("Terminal too small"));
}

#[test]
fn help_overlay_and_picker() {
    let engine = FileEngine::new(&["abba_deadlock.toml", "no_such_file.toml"]);
    let mut app = App::new(&engine, Open::Picker, Theme::new(true));
    app.update(Action::Down);
    app.update(Action::Select);
    assert!(app.session.is_none(), "a broken entry opens nothing");
    let t = screen(&app, 100, 30);
    insta::assert_snapshot!("picker_with_error", text(t.backend().buffer()));
    app.update(Action::Up);
    app.update(Action::Select);
    assert!(app.session.is_some());
    drain(&mut app);
    app.update(Action::Help);
    let t = screen(&app, 100, 30);
    insta::assert_snapshot!("help_overlay", text(t.backend().buffer()));
}

#[test]
fn screens_at_80x24_and_200x60() {
    let engine = abba();
    let mut app = open(&engine, true);
    app.update(Action::JumpDeadlock);
    let small = screen(&app, 80, 24);
    insta::assert_snapshot!("abba_80x24", text(small.backend().buffer()));
    let big = screen(&app, 200, 60);
    insta::assert_snapshot!("abba_200x60", text(big.backend().buffer()));
}

#[test]
fn a_simulated_knot_is_drawn_by_its_rule() {
    let engine = FileEngine::new(&["queue_under_lock_deadlock.toml"]);
    let mut app = open(&engine, true);
    app.update(Action::JumpDeadlock);
    let t = screen(&app, 120, 40);
    let all = text(t.backend().buffer());
    assert!(all.contains("DEADLOCK at tick 1 (knot)"), "{all}");
    assert!(
        all.contains("⊗ consumer -[get q]-> producer[0], producer[1]"),
        "{all}"
    );
    let buf = t.backend().buffer();
    let (x, y) = find(buf, "⊗ producer[0] -[L]-> consumer").expect("a member a line");
    assert_eq!(buf[(x, y)].fg, VERMILLION);
}

#[test]
fn a_simulated_process_pool_shows_each_workers_gil_and_variables() {
    let engine = FileEngine::new(&["pool_processes_gil.toml"]);
    let mut app = open(&engine, true);
    app.update(Action::End);
    let all = text(screen(&app, 120, 40).backend().buffer());
    for row in ["pool[0]:", "pool[1]:", "  GIL "] {
        assert!(all.contains(row), "{row} missing:\n{all}");
    }
    let pool = all
        .lines()
        .find(|l| l.contains("p closed"))
        .expect("the pools panel");
    assert!(pool.contains("0/2 p closed 0:· 1:·"), "{pool}");
}

#[test]
fn a_run_that_fits_is_shown_from_tick_0_even_with_the_cursor_at_its_end() {
    for (w, file) in [(120, "fcfs_textbook.toml"), (80, "gil_cpu_threads.toml")] {
        let engine = FileEngine::new(&[file]);
        let mut app = open(&engine, false);
        app.update(Action::End);
        let t = screen(&app, w, 40);
        let shown = text(t.backend().buffer());
        let axis = shown
            .lines()
            .find(|l| l.contains("tick ") && l.contains('|'))
            .unwrap_or_else(|| panic!("no axis:\n{shown}"));
        assert!(
            axis.contains("|0 "),
            "{file} at {w} columns starts later:\n{axis}"
        );
    }
}

#[test]
fn the_outcome_badge_and_the_seed_stay_in_the_header_at_80_columns() {
    let engine = FileEngine::new(&["philosophers_deadlock.toml"]);
    let mut app = open(&engine, false);
    app.update(Action::End);
    let t = screen(&app, 80, 24);
    let shown = text(t.backend().buffer());
    let header = shown.lines().next().unwrap();
    assert!(header.ends_with(" DEADLOCK"), "{header}");
    assert!(header.contains("seed 0"), "{header}");
    assert!(header.contains('…'), "the long name gives way: {header}");
}

/// The text inside a rectangle of the buffer (its border left out).
fn inside(buf: &Buffer, r: Rect) -> Vec<String> {
    (r.top() + 1..r.bottom() - 1)
        .map(|y| {
            (r.left() + 1..r.right() - 1)
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>()
                .trim_end()
                .to_string()
        })
        .collect()
}

#[test]
fn the_locks_panel_beside_a_queues_panel_is_not_cut_at_120x40() {
    let engine = FileEngine::new(&["queue_under_lock_deadlock.toml"]);
    let mut app = open(&engine, false);
    app.update(Action::Resize {
        width: 120,
        height: 40,
    });
    app.update(Action::End);
    let t = screen(&app, 120, 40);
    let buf = t.backend().buffer();
    insta::assert_snapshot!(text(buf));
    let panels = layout::compute(app.session.as_ref().unwrap(), (120, 40)).unwrap();
    let kinds: Vec<Kind> = panels.resources.iter().map(|(k, _)| *k).collect();
    assert!(kinds.contains(&Kind::Queues), "{kinds:?}");
    let (_, locks) = panels
        .resources
        .iter()
        .find(|(k, _)| *k == Kind::Locks)
        .expect("a locks panel");
    let rows = inside(buf, *locks);
    assert_eq!(
        rows[0], "lock holder   held acq cont waiting, in order",
        "{rows:?}"
    );
    assert_eq!(
        rows[1], "L    consumer 1t   1   2    producer[0], producer[1]",
        "{rows:?}"
    );
    assert!(rows.iter().all(|r| !r.contains('…')), "{rows:?}");
}
