//! `App::update(Action)`: the cursor, playback, focus, zoom, selection and
//! be-the-scheduler mode, on real runs of the simulator.

use crate::support;

use std::time::Duration;

use support::{drain, FileEngine};
use weft::event::{EventKind, TaskId};
use weft::tui::keymap::{map_key, Mode};
use weft::tui::layout::Panel;
use weft::tui::panels::Kind;
use weft::tui::timeline::ZOOMS;
use weft::tui::{Action, App, Open, Theme};

fn open(engine: &FileEngine) -> App<'_> {
    let mut app = App::new(engine, Open::Entry(0), Theme::new(true));
    app.update(Action::Resize {
        width: 100,
        height: 30,
    });
    drain(&mut app);
    app
}

fn cursor(app: &App<'_>) -> usize {
    app.session.as_ref().unwrap().view.cursor
}

fn len(app: &App<'_>) -> usize {
    app.session.as_ref().unwrap().trace.len()
}

fn abba() -> FileEngine {
    FileEngine::new(&["abba_deadlock.toml"])
}

#[test]
fn stepping_moves_the_cursor_and_the_world_follows() {
    let engine = abba();
    let mut app = open(&engine);
    assert_eq!(cursor(&app), 0);
    app.update(Action::StepBack);
    assert_eq!(cursor(&app), 0, "no step before the first");
    for _ in 0..5 {
        app.update(Action::StepForward);
    }
    assert_eq!(cursor(&app), 5);
    assert_eq!(app.session.as_ref().unwrap().world.step, 5);
    app.update(Action::StepBack);
    assert_eq!(cursor(&app), 4);
    assert_eq!(app.session.as_ref().unwrap().world.step, 4);
    app.update(Action::End);
    assert_eq!(cursor(&app), len(&app));
    app.update(Action::StepForward);
    assert_eq!(cursor(&app), len(&app), "no step past the end");
    app.update(Action::Start);
    assert_eq!(cursor(&app), 0);
}

#[test]
fn tick_steps_go_to_tick_boundaries() {
    let engine = abba();
    let mut app = open(&engine);
    app.update(Action::TickForward);
    let s = app.session.as_ref().unwrap();
    let c = s.view.cursor;
    assert_eq!(s.world.tick, 0);
    assert_eq!(s.trace.events()[c].tick, 1, "the cursor ends tick 0");
    app.update(Action::TickForward);
    assert_eq!(app.session.as_ref().unwrap().world.tick, 1);
    app.update(Action::TickBack);
    assert_eq!(cursor(&app), c);
}

#[test]
fn d_jumps_to_the_deadlock_and_playback_pauses_there() {
    let engine = abba();
    let mut app = open(&engine);
    let s = app.session.as_ref().unwrap();
    let at = s
        .trace
        .events()
        .iter()
        .position(|e| matches!(e.kind, EventKind::Deadlock { .. }))
        .unwrap()
        + 1;
    app.update(Action::JumpDeadlock);
    assert_eq!(cursor(&app), at);
    assert_eq!(app.session.as_ref().unwrap().world.deadlocks.len(), 1);

    app.update(Action::Start);
    app.update(Action::TogglePlay);
    for _ in 0..100 {
        app.update(Action::Tick(Duration::from_millis(100)));
    }
    let s = app.session.as_ref().unwrap();
    assert_eq!(s.view.cursor, at, "playback stops at the deadlock");
    assert!(!s.playing);
}

#[test]
fn zoom_clamps_and_focus_cycles() {
    let engine = abba();
    let mut app = open(&engine);
    for _ in 0..50 {
        app.update(Action::ZoomOut);
    }
    assert_eq!(app.session.as_ref().unwrap().view.zoom, ZOOMS.len() - 1);
    for _ in 0..50 {
        app.update(Action::ZoomIn);
    }
    assert_eq!(app.session.as_ref().unwrap().view.zoom, 0);

    let mut seen = Vec::new();
    for _ in 0..5 {
        app.update(Action::FocusNext);
        seen.push(app.session.as_ref().unwrap().view.focus);
    }
    // ABBA has locks but no queues: the queues panel is hidden and skipped.
    let want = [
        Panel::Resource(Kind::Locks),
        Panel::Waits,
        Panel::Scripts,
        Panel::Log,
        Panel::Timeline,
    ];
    assert_eq!(seen, want);
    app.update(Action::FocusPrev);
    assert_eq!(app.session.as_ref().unwrap().view.focus, Panel::Log);
}

#[test]
fn enter_selects_the_task_under_the_lane_cursor_and_clicks_select_and_seek() {
    let engine = abba();
    let mut app = open(&engine);
    app.update(Action::Down);
    app.update(Action::Select);
    assert_eq!(app.session.as_ref().unwrap().view.selected, Some(TaskId(1)));
    // The first lane is on row 2 (header, border); its label starts at column 1.
    app.update(Action::Click { x: 2, y: 2 });
    assert_eq!(app.session.as_ref().unwrap().view.selected, Some(TaskId(0)));
    // The axis is under the two lanes; the lanes start after the label column.
    app.update(Action::Click { x: 10, y: 4 });
    let s = app.session.as_ref().unwrap();
    assert_eq!(
        s.world.tick, 1,
        "a click on tick 1 of the axis seeks to its end"
    );
    assert_eq!(s.view.cursor, s.trace.len());
}

#[test]
fn keys_map_to_actions() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let key = |c, m| map_key(&KeyEvent::new(c, m), Mode::Session);
    assert_eq!(
        key(KeyCode::Char(' '), KeyModifiers::NONE),
        Some(Action::TogglePlay)
    );
    assert_eq!(
        key(KeyCode::Right, KeyModifiers::SHIFT),
        Some(Action::TickForward)
    );
    assert_eq!(
        key(KeyCode::Left, KeyModifiers::NONE),
        Some(Action::StepBack)
    );
    assert_eq!(
        key(KeyCode::Char('c'), KeyModifiers::CONTROL),
        Some(Action::Quit)
    );
    assert_eq!(
        key(KeyCode::Char('3'), KeyModifiers::NONE),
        Some(Action::Pick(3))
    );
    let help = map_key(
        &KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE),
        Mode::Help,
    );
    assert_eq!(help, Some(Action::Help), "any key closes the help");
}

#[test]
fn filter_typing_and_restart() {
    let engine = abba();
    let mut app = open(&engine);
    app.update(Action::FilterStart);
    assert_eq!(app.mode(), Mode::Filter);
    for c in "lock".chars() {
        app.update(Action::FilterChar(c));
    }
    app.update(Action::FilterDone);
    assert_eq!(app.mode(), Mode::Session);
    assert_eq!(app.session.as_ref().unwrap().view.filter, "lock");
    app.update(Action::End);
    app.update(Action::Restart);
    drain(&mut app);
    assert_eq!(cursor(&app), 0);
    assert_eq!(app.session.as_ref().unwrap().view.filter, "lock");
    app.update(Action::OpenPicker);
    assert_eq!(app.mode(), Mode::Picker);
}

#[test]
fn a_restart_opens_paused_at_step_0_like_a_new_run() {
    let engine = abba();
    let mut app = open(&engine);
    assert!(
        !app.session.as_ref().unwrap().playing,
        "a new run is paused"
    );
    for restart in [Action::Restart, Action::RestartNewSeed] {
        app.update(Action::TogglePlay);
        app.update(Action::Tick(Duration::from_millis(200)));
        assert!(app.session.as_ref().unwrap().playing);
        assert!(cursor(&app) > 0);
        app.update(restart.clone());
        drain(&mut app);
        let s = app.session.as_ref().unwrap();
        assert!(!s.playing, "{restart:?} opens paused");
        assert_eq!(s.view.cursor, 0, "{restart:?}");
        assert!(s.message.is_none(), "{restart:?}: {:?}", s.message);
        app.update(Action::Tick(Duration::from_millis(200)));
        assert_eq!(cursor(&app), 0, "{restart:?}: nothing plays until space");
    }
}

fn play_until_paused(app: &mut App<'_>) {
    for _ in 0..1000 {
        drain(app);
        app.update(Action::Tick(Duration::from_millis(50)));
        if !app.session.as_ref().unwrap().playing {
            return;
        }
    }
    panic!("playback never paused");
}

#[test]
fn scheduler_mode_stops_at_choices_and_replays_the_pick() {
    let engine = abba();
    let mut app = open(&engine);
    app.update(Action::Scheduler);
    drain(&mut app);
    play_until_paused(&mut app);
    let s = app.session.as_ref().unwrap();
    let (k, step) = s
        .sched
        .as_ref()
        .unwrap()
        .awaiting
        .expect("a choice is awaited");
    assert_eq!(k, 0);
    assert_eq!(s.view.cursor, step);
    assert_eq!(s.awaited_options().unwrap(), &[TaskId(0), TaskId(1)]);

    app.update(Action::Pick(2));
    drain(&mut app);
    let s = app.session.as_ref().unwrap();
    assert_eq!(s.req.as_ref().unwrap().schedule, vec![TaskId(1)]);
    assert_eq!(s.view.cursor, step, "the cursor stays at the choice");
    match &s.trace.events()[step].kind {
        EventKind::Choice { chosen, .. } => assert_eq!(*chosen, TaskId(1)),
        other => panic!("not a choice: {other:?}"),
    }
    play_until_paused(&mut app);
    let s = app.session.as_ref().unwrap();
    let (k, _) = s.sched.as_ref().unwrap().awaiting.expect("the next choice");
    assert_eq!(k, 1);
    app.update(Action::Pick(9));
    assert!(
        app.session.as_ref().unwrap().message.is_some(),
        "no option 9"
    );
}

#[test]
fn playback_moves_in_ticks_per_second_through_ticks_without_events() {
    // fcfs_textbook: P1 computes ticks 0-23 with no event in between.
    let engine = FileEngine::new(&["fcfs_textbook.toml"]);
    let mut app = open(&engine);
    let speed = weft::tui::session::SPEEDS[weft::tui::session::DEFAULT_SPEED];
    assert_eq!(speed, 5, "a run plays at 5 ticks/s");
    app.update(Action::TogglePlay);
    let shown = |app: &App<'_>| app.session.as_ref().unwrap().tick();
    app.update(Action::Tick(Duration::from_millis(199)));
    assert_eq!(
        cursor(&app),
        0,
        "a tick is shown whole, once its time has passed"
    );
    app.update(Action::Tick(Duration::from_millis(1)));
    let after_tick0 = cursor(&app);
    assert_eq!(
        after_tick0,
        app.session.as_ref().unwrap().lanes.step_after_tick(0)
    );
    app.update(Action::Tick(Duration::from_millis(800)));
    // Ticks 0 to 4 in the first second: the cursor is at the end of tick 0's
    // events and the tick shown is 4, though the next event is at tick 24.
    assert_eq!(shown(&app), 4);
    let s = app.session.as_ref().unwrap();
    assert_eq!(s.world.tick, 0);
    assert!(cursor(&app) >= after_tick0);
    assert_eq!(cursor(&app), s.lanes.step_after_tick(0));
    for _ in 0..4 {
        app.update(Action::Tick(Duration::from_secs(1)));
    }
    assert_eq!(shown(&app), 24, "five ticks a second, second after second");
    let s = app.session.as_ref().unwrap();
    assert_eq!(
        s.world.tick, 24,
        "the events of tick 24 are applied with it"
    );
    assert_eq!(cursor(&app), s.lanes.step_after_tick(24));
    // A step puts the shown tick back on the cursor's event.
    app.update(Action::StepBack);
    let s = app.session.as_ref().unwrap();
    assert_eq!(s.tick(), s.world.tick);
    // To the end: playback stops at the last tick (30).
    assert!(s.playing);
    for _ in 0..20 {
        app.update(Action::Tick(Duration::from_secs(1)));
    }
    let s = app.session.as_ref().unwrap();
    assert!(!s.playing);
    assert_eq!((s.tick(), cursor(&app)), (30, len(&app)));
}
