//! The panels of every primitive, drawn at 120x40 from literal events (no
//! parser, no simulator): semaphores, rwlocks, conditions, events,
//! barriers, pools, GIL lanes with per-process variables, a loop thread
//! running its coroutines, a knot and a stall explained. Text snapshots
//! plus checks of the facts each panel must show, and of key colours.

use crate::literal;

use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::Terminal;

use literal::{scenes, Literal};
use weft::tui::theme::{ORANGE, REDDISH_PURPLE, VERMILLION};
use weft::tui::{layout, Action, App, NoEngine, Open, Theme};

fn screen(l: &Literal, w: u16, h: u16) -> Buffer {
    let engine = NoEngine;
    let mut app = App::new(&engine, Open::Trace(l.trace()), Theme::new(true));
    app.update(Action::Resize {
        width: w,
        height: h,
    });
    app.update(Action::End);
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| layout::draw(f, &app)).unwrap();
    t.backend().buffer().clone()
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
        let joined: String = (a.left()..a.right())
            .map(|x| buf[(x, y)].symbol())
            .collect();
        if let Some(byte) = joined.find(needle) {
            return Some((a.left() + joined[..byte].chars().count() as u16, y));
        }
    }
    None
}

/// The row of the screen holding `needle`, trimmed.
fn line_with(all: &str, needle: &str) -> String {
    all.lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line with {needle:?} in\n{all}"))
        .to_string()
}

#[test]
fn semaphores_show_permits_left_holders_and_fifo_waiters() {
    let buf = screen(&scenes::semaphore(), 120, 40);
    let all = text(&buf);
    insta::assert_snapshot!("semaphores_120x40", all);
    let slots = line_with(&all, "│slots");
    assert!(slots.contains("0/2"), "no permit left of 2: {slots}");
    assert!(slots.contains("w1, w2"), "holders: {slots}");
    assert!(slots.contains("w3, w4"), "waiters first first: {slots}");
    let gate = line_with(&all, "│gate");
    assert!(gate.contains("1/3 b") && gate.contains("w1×2"), "{gate}");
    let (x, y) = find(&buf, "w3, w4").unwrap();
    assert_eq!(
        buf[(x, y)].fg,
        REDDISH_PURPLE,
        "waiters in the blocked colour"
    );
}

#[test]
fn rwlocks_show_readers_writer_and_waiting_modes() {
    let all = text(&screen(&scenes::rwlock(), 120, 40));
    insta::assert_snapshot!("rwlocks_120x40", all);
    let db = line_with(&all, "│db");
    assert!(db.contains("writer") && db.contains("r1, r2"), "{db}");
    assert!(db.contains("writer(w), r3(r)"), "{db}");
}

#[test]
fn conditions_show_the_bound_lock_waiters_and_lost_notifies() {
    let all = text(&screen(&scenes::condition(), 120, 40));
    insta::assert_snapshot!("conditions_120x40", all);
    let c = line_with(&all, "│c ");
    assert!(c.contains("L (producer)"), "{c}");
    assert!(c.contains("1 (1 lost)"), "{c}");
    assert!(c.contains("consumer"), "{c}");
    assert!(
        all.contains("consumer -[wait c]-> producer"),
        "the notifier seen: {all}"
    );
}

#[test]
fn events_show_the_flag_and_its_waiters() {
    let all = text(&screen(&scenes::event(), 120, 40));
    insta::assert_snapshot!("events_120x40", all);
    let ready = line_with(&all, "│ready");
    assert!(
        ready.contains("○ clear") && ready.contains("a, b"),
        "{ready}"
    );
    assert!(line_with(&all, "│go").contains("● set"));
}

#[test]
fn barriers_show_arrivals_rounds_and_who_is_missing() {
    let all = text(&screen(&scenes::barrier(), 120, 40));
    insta::assert_snapshot!("barriers_120x40", all);
    let b = line_with(&all, "│sync");
    assert!(b.contains("2/3"), "{b}");
    assert!(b.contains("p1, p2"), "{b}");
    assert!(b.contains("1 (p3)"), "one missing, p3 seen before: {b}");
}

#[test]
fn pools_show_the_job_on_each_worker_and_the_queue() {
    let buf = screen(&scenes::pool(), 120, 40);
    let all = text(&buf);
    insta::assert_snapshot!("pools_120x40", all);
    let p = line_with(&all, "│workers");
    assert!(p.contains("2/2 t closed"), "{p}");
    assert!(p.contains("0:j2 1:j1"), "{p}");
    assert!(p.contains("j3, j4"), "queued: {p}");
    let (x, y) = find(&buf, "2/2 t closed").unwrap();
    assert_eq!(buf[(x, y)].fg, ORANGE, "every worker busy: the full colour");
}

#[test]
fn gil_lanes_and_per_process_variables() {
    let buf = screen(&scenes::gil(), 120, 40);
    let all = text(&buf);
    insta::assert_snapshot!("gil_120x40", all);
    assert!(line_with(&all, "main:").contains("x=2"), "main's copy of x");
    assert!(
        line_with(&all, "worker:").contains("x=10"),
        "worker's copy of x"
    );
    let gil = line_with(&all, "  GIL ");
    assert!(
        gil.contains("t1") && gil.contains("t2"),
        "holders over time: {gil}"
    );
    let t2 = line_with(&all, " t2 ");
    assert!(t2.contains("GIL"), "t2 blocked on the GIL says so: {t2}");
    let (_, y) = find(&buf, " t2 ").unwrap();
    let x = (10..120)
        .find(|&x| buf[(x, y)].symbol() == "G")
        .expect("a GIL label on t2's lane");
    assert_eq!(
        buf[(x, y)].bg,
        ORANGE,
        "a GIL wait is drawn as could-run (the ready colour)"
    );
}

#[test]
fn a_loop_thread_shows_the_coroutine_it_runs() {
    let all = text(&screen(&scenes::event_loop(), 120, 40));
    insta::assert_snapshot!("loop_120x40", all);
    let lt = line_with(&all, " lt ");
    assert!(lt.contains("▶c1") && lt.contains("▶c2"), "{lt}");
    let rows: Vec<&str> = all.lines().collect();
    let at = |name: &str| rows.iter().position(|l| l.contains(name)).unwrap();
    assert!(
        at(" lt ") < at("·c1") && at("·c3") < at("bystander"),
        "coroutines sit under their loop thread"
    );
}

#[test]
fn a_knot_is_named_and_listed_by_member() {
    let buf = screen(&scenes::knot(), 120, 40);
    let all = text(&buf);
    insta::assert_snapshot!("knot_120x40", all);
    assert!(all.contains("DEADLOCK at tick 1 (knot)"), "{all}");
    let (x, y) = find(&buf, "consumer -[get q]-> producer").expect("the knot's members");
    assert_eq!(buf[(x, y)].fg, VERMILLION);
}

#[test]
fn a_stall_says_why_nobody_can_end_each_wait() {
    let all = text(&screen(&scenes::stall(), 120, 40));
    insta::assert_snapshot!("stall_120x40", all);
    assert!(
        all.contains("main joins late, which was never spawned"),
        "{all}"
    );
    assert!(
        all.contains("consumer waits on condition c; no task"),
        "{all}"
    );
}

#[test]
fn many_kinds_still_fit_at_80x24() {
    let mut l = scenes::semaphore();
    for r in scenes::barrier().cat.resources {
        l.cat.resources.push(r);
    }
    for r in scenes::event().cat.resources {
        l.cat.resources.push(r);
    }
    let all = text(&screen(&l, 80, 24));
    insta::assert_snapshot!("three_kinds_80x24", all);
    for title in ["Semaphores", "Events", "Barriers", "Waits"] {
        assert!(all.contains(title), "{title} missing:\n{all}");
    }
}
