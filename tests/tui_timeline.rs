//! The timeline's marks and scale on real runs: what takes no time still
//! shows, a queue's length is a lane lined up with the tasks, end marks
//! survive zooming out, the axis stays on the run and its labels whole.

use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::Terminal;

use crate::literal::Literal;
use crate::support::{drain, FileEngine};
use weft::event::{EventKind, TaskState};
use weft::tui::timeline::ZOOMS;
use weft::tui::{layout, Action, App, NoEngine, Open, Theme};

fn at_end<'a>(engine: &'a FileEngine, w: u16, h: u16) -> App<'a> {
    let mut app = App::new(engine, Open::Entry(0), Theme::new(true));
    app.update(Action::Resize {
        width: w,
        height: h,
    });
    drain(&mut app);
    app.update(Action::End);
    app
}

fn lines(app: &App<'_>) -> Vec<String> {
    let (w, h) = app.size;
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| layout::draw(f, app)).unwrap();
    text(t.backend().buffer())
}

fn text(buf: &Buffer) -> Vec<String> {
    let a = buf.area;
    (a.top()..a.bottom())
        .map(|y| {
            (a.left()..a.right())
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>()
        })
        .collect()
}

/// The cells of a lane, after its label (the lane's text from the first
/// column of cells, `label_w` columns in).
fn lane<'a>(lines: &'a [String], label: &str) -> &'a str {
    lines
        .iter()
        .find(|l| l.starts_with(&format!("│ {label} ")) || l.starts_with(&format!("│{label} ")))
        .unwrap_or_else(|| panic!("no lane {label} in\n{}", lines.join("\n")))
}

fn cells_of(lane: &str, label_w: usize) -> Vec<char> {
    lane.chars().skip(1 + label_w).collect()
}

#[test]
fn a_block_of_no_time_is_marked_in_the_cell_of_its_tick() {
    // counter_with_lock: t2 blocks on m at tick 0 and at tick 6 and gets
    // it within the same tick; the lesson says to watch for it.
    let engine = FileEngine::new(&["counter_with_lock.toml"]);
    for (w, h) in [(120, 40), (80, 24)] {
        let app = at_end(&engine, w, h);
        let all = lines(&app);
        if (w, h) == (120, 40) {
            insta::assert_snapshot!("counter_with_lock_end_120x40", all.join("\n"));
        }
        // Labels are "t1"/"t2" padded to 4 + 2 columns; 3 columns a tick.
        let t2 = cells_of(lane(&all, "t2"), 6);
        assert_eq!(t2[0], '▒', "tick 0's cell starts with the block: {t2:?}");
        assert_eq!(t2[1], '█', "and goes on running");
        assert_eq!(t2[6 * 3], '▒', "the block at tick 6");
        let t1 = cells_of(lane(&all, "t1"), 6);
        assert!(!t1.contains(&'▒'), "t1 never waits: {t1:?}");
    }
}

#[test]
fn a_queue_is_a_lane_and_a_handoff_shows() {
    // queue_under_lock_fixed: both items are put and taken at tick 1, so
    // the length never stays above 0 for a whole tick.
    let engine = FileEngine::new(&["queue_under_lock_fixed.toml"]);
    let app = at_end(&engine, 120, 40);
    let all = lines(&app);
    let q = lane(&all, "≡q");
    let label_w = q.chars().skip(1).take_while(|c| *c != ' ').count();
    let cells: Vec<char> = q.chars().skip(1 + label_w).collect();
    let start = cells.iter().position(|c| *c != ' ').unwrap();
    let tick1: String = cells[start..start + 3].iter().collect();
    assert_eq!(tick1, "⇄⇄⇄", "the handoff at tick 1 in\n{}", all.join("\n"));
    let consumer = lane(&all, "consumer");
    let q_col = q.chars().position(|c| c == '⇄').unwrap();
    // The consumer's lane at the same column is tick 1 too: it runs there
    // for no time (the mark) and ends (the ✓ beside it).
    let at: String = consumer.chars().skip(q_col).take(2).collect();
    assert_eq!(at, "█✓", "the queue lane lines up with the task lanes");
    let before: String = consumer.chars().skip(q_col - 3).take(3).collect();
    assert!(before.contains('▒'), "blocked on q at tick 0: {before}");
}

#[test]
fn a_queue_panel_lists_its_items_front_first() {
    let engine = FileEngine::new(&["bounded_queue.toml"]);
    let mut app = at_end(&engine, 120, 40);
    // The first moment q is full: 3 items, put as 1, 2, 3.
    let s = app.session.as_ref().unwrap();
    let full = s
        .trace
        .events()
        .iter()
        .position(|e| matches!(e.kind, EventKind::QueuePut { len: 3, .. }))
        .unwrap();
    let q = weft::event::ResourceId(0);
    let world = s.trace.world_at(full + 1);
    let items = world.queue(q).unwrap().items.clone().unwrap();
    assert_eq!(items.len(), 3);
    let s = app.session.as_mut().unwrap();
    s.set_cursor(full + 1);
    let all = lines(&app);
    let row = all.iter().find(|l| l.contains("3/3")).unwrap();
    let shown = items
        .iter()
        .map(|v| v.to_string())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(row.contains(&shown), "{row} lists {shown}");
    // After the first get, the front one is gone.
    let s = app.session.as_ref().unwrap();
    let get = s
        .trace
        .events()
        .iter()
        .position(|e| matches!(e.kind, EventKind::QueueGet { .. }))
        .unwrap();
    let after = s.trace.world_at(get + 1);
    let left = after.queue(q).unwrap().items.clone().unwrap();
    let before = s
        .trace
        .world_at(get)
        .queue(q)
        .unwrap()
        .items
        .clone()
        .unwrap();
    assert_eq!(left, before[1..].to_vec());
}

#[test]
fn zoomed_out_every_end_still_shows_and_the_scale_is_said() {
    let engine = FileEngine::new(&["fcfs_textbook.toml"]);
    let mut app = at_end(&engine, 120, 40);
    let ten = ZOOMS.iter().position(|z| *z == (10, 1)).unwrap();
    while app.session.as_ref().unwrap().view.zoom < ten {
        app.update(Action::ZoomOut);
    }
    let all = lines(&app);
    assert!(all[1].contains("1 column = 10 ticks = 100ms"), "{}", all[1]);
    for p in ["P1", "P2", "P3"] {
        assert!(lane(&all, p).contains('✓'), "{p} done: {}", lane(&all, p));
    }
    // The axis stops at the run's end (tick 30): no label past it.
    let axis = all.iter().find(|l| l.starts_with("│tick")).unwrap();
    let labels: Vec<u64> = axis
        .split('|')
        .skip(1)
        .filter_map(|p| p.trim_end_matches(['│', ' ']).trim().parse().ok())
        .collect();
    assert!(labels.iter().all(|&t| t <= 30), "{axis}");
    // Zoomed in again at one tick to 3 columns.
    app.update(Action::FitRun);
    let all = lines(&app);
    assert!(all[1].contains("1 tick = 3 columns = 10ms"), "{}", all[1]);
    assert!(all.iter().any(|l| l.contains("|0 ") && l.contains("|28")));
}

#[test]
fn fit_and_pan_leave_the_cursor_where_it_is() {
    let engine = FileEngine::new(&["fcfs_textbook.toml"]);
    let mut app = at_end(&engine, 80, 24);
    app.update(Action::ZoomIn);
    app.update(Action::ZoomIn);
    let cursor = app.session.as_ref().unwrap().view.cursor;
    let axis = |app: &App<'_>| {
        lines(app)
            .into_iter()
            .find(|l| l.starts_with("│tick"))
            .unwrap()
    };
    let before = axis(&app);
    assert!(
        !before.contains("|0 "),
        "zoomed in, the start is off screen: {before}"
    );
    app.update(Action::PanBack);
    app.update(Action::PanBack);
    app.update(Action::PanBack);
    app.update(Action::PanBack);
    let s = app.session.as_ref().unwrap();
    assert_eq!(s.view.cursor, cursor, "panning does not move the cursor");
    assert!(axis(&app).contains("|0 "), "{}", axis(&app));
    // A step follows the cursor again.
    app.update(Action::StepBack);
    assert!(!axis(&app).contains("|0 "));
    app.update(Action::FitRun);
    assert!(axis(&app).contains("|0 "), "the whole run fits");
    assert_eq!(app.session.as_ref().unwrap().view.cursor, cursor - 1);
}

#[test]
fn tick_labels_of_six_digits_are_whole() {
    let mut l = Literal::new("long", 1);
    let t = l.task("t", "thread", 0);
    l.at(0).ready(t).run(t, 0);
    l.at(123_456).state(t, TaskState::Done);
    let engine = NoEngine;
    let mut app = App::new(&engine, Open::Trace(l.trace()), Theme::new(true));
    app.update(Action::Resize {
        width: 120,
        height: 40,
    });
    app.update(Action::End);
    for _ in 0..ZOOMS.len() {
        let all = lines(&app);
        let axis = all.iter().find(|l| l.starts_with("│tick")).unwrap();
        let inner = axis.trim_start_matches("│tick").trim_end_matches('│');
        for part in inner.split(['|', '▲']).skip(1) {
            let n = part.trim();
            if n.is_empty() {
                continue;
            }
            assert!(
                part.ends_with(' ') || n.len() >= 6 || inner.ends_with(part),
                "a label cut short: {part:?} in {axis}"
            );
            assert!(n.parse::<u64>().is_ok(), "{n:?} in {axis}");
        }
        app.update(Action::ZoomOut);
    }
}

#[test]
fn a_switch_that_costs_time_has_its_own_glyph_and_is_counted() {
    let engine = FileEngine::new(&["round_robin_switch_cost.toml"]);
    let mut app = at_end(&engine, 120, 40);
    app.update(Action::ToggleCpuLanes);
    let all = lines(&app);
    let cpu = all
        .iter()
        .find(|l| l.starts_with("│ cpu0"))
        .unwrap_or_else(|| panic!("{}", all.join("\n")));
    assert!(cpu.contains("cpu0 ⇆6"), "six switches: {cpu}");
    // Six one-tick switches of three columns each, none drawn as idle.
    assert_eq!(cpu.matches('⇆').count(), 1 + 6 * 3, "{cpu}");
    let before_end: String = cpu.chars().take(6 + 2 + 18 * 3).collect();
    assert!(!before_end.contains('·'), "busy all 18 ticks: {cpu}");
    assert!(
        all.iter().any(|l| l.contains("⇆ switching")),
        "in the legend"
    );
}

#[test]
fn a_lock_keeps_a_mark_of_its_acquisitions_after_the_last_release() {
    // counter_with_lock: 8 acquisitions of m, t2 the last to hold it.
    let engine = FileEngine::new(&["counter_with_lock.toml"]);
    let app = at_end(&engine, 120, 40);
    let all = lines(&app);
    let row = all
        .iter()
        .find(|l| l.starts_with("│m "))
        .unwrap_or_else(|| panic!("{}", all.join("\n")));
    let cells: Vec<&str> = row.trim_matches('│').split_whitespace().collect();
    assert_eq!(cells[..5], ["m", "free", "(last", "t2)", "-"], "{row}");
    assert_eq!(cells[5], "8", "acquisitions: {row}");
}

#[test]
fn a_replayed_schedule_marks_each_choice_on_the_time_axis() {
    // The check's counterexample for ABBA, replayed with its choices recorded:
    // choices at tick 0 and tick 1, each a diamond on the axis row.
    let path = "scenarios/abba_deadlock.toml";
    let bytes = std::fs::read(path).unwrap();
    let scenario = weft::scenario::parse(path, &bytes).unwrap();
    let never = std::sync::atomic::AtomicBool::new(false);
    let (verdict, _) = weft::check::check(
        &scenario,
        &weft::check::Options::default(),
        &never,
        &mut |_| {},
    );
    let cex = verdict.counterexample().expect("ABBA can deadlock");
    let options = weft::sim::Options {
        record_choices: true,
        ..weft::check::replay_options(&Default::default(), cex.schedule.clone(), true)
    };
    let (catalog, events) = weft::sim::simulate(&scenario, &options);
    let ticks: std::collections::BTreeSet<u64> = events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Choice { .. }))
        .map(|e| e.tick)
        .collect();
    assert_eq!(ticks.len(), 2, "choices at two ticks: {ticks:?}");
    let trace = weft::trace::Trace::from_events(catalog, events);
    let mut app = App::new(&NoEngine, Open::Trace(trace), Theme::new(true));
    app.update(Action::Resize {
        width: 120,
        height: 40,
    });
    // At the start the cursor stands on tick 0; go to the end so the
    // cursor's mark sits on tick 1 and the first diamond shows.
    app.update(Action::End);
    let screen = lines(&app);
    let axis = screen
        .iter()
        .find(|l| l.starts_with("│tick"))
        .expect("an axis row");
    assert!(axis.contains('◆'), "no choice mark on {axis}");
    assert!(
        screen.iter().any(|l| l.contains("◆ choice")),
        "no legend entry for choices"
    );
}
