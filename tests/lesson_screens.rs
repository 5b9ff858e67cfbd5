//! What each lesson's description tells the learner to watch is on the
//! lesson's final screen (the cursor at the end, `G`), at 120x40 and at
//! 80x24, after the one key the description names, if any ("press i",
//! "press c", "press z").
//!
//! Every file of `scenarios/` is opened in the TUI over a real run. The
//! table [`WATCH`] lists, per lesson and key, text that must show on that
//! screen: a lane's cells, a panel's row, a variable in the lesson panel, a
//! log line's end. A needle is found within one row of the screen.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

use crate::support::{drain, simulate, FileEngine};
use weft::event::Catalog;
use weft::tui::keymap::{map_key, Mode};
use weft::tui::{layout, Action, App, Open, RunRequest, Theme};

/// The two terminal sizes every lesson is checked at.
const SIZES: [(u16, u16); 2] = [(120, 40), (80, 24)];

/// Per lesson: the key pressed on its final screen ("" for none) and what
/// must then be on the screen, at both sizes.
const WATCH: &[(&str, &str, &[&str])] = &[
    (
        "abba_deadlock",
        "",
        &[
            " t1   █~~█B▒",
            " t2   █~~█A▒",
            "DEADLOCK at tick 1 (cycle)",
            "⟳ t1 -[B]-> t2 -[A]-> t1",
        ],
    ),
    (
        "abba_livelock",
        "",
        &[
            "█~~█B▒▒▒▒█~~~~~█~~█B▒▒▒▒█~~~~~█~~█B▒▒▒▒█~~~~~█~~",
            "█~~█A▒▒▒▒█~~~~~█~~█A▒▒▒▒█~~~~~█~~█A▒▒▒▒█~~~~~█~~",
            "TIMEOUT",
        ],
    ),
    (
        "abba_livelock",
        "i",
        &["done = 0  backoffs = 20", "TIMEOUT"],
    ),
    (
        "abba_lock_order",
        "",
        &[" t1   █~~█✓", " t2   █A▒█~~█✓", "COMPLETED"],
    ),
    (
        "abba_timeout_backoff",
        "",
        &[" t1   █~~█B▒▒▒▒█~~~~~█~~███✓", " t2   █~~█A▒▒▒▒███✓"],
    ),
    (
        "abba_timeout_backoff",
        "i",
        &[" t1   █~~█B▒▒▒▒█~~~~~█~~███✓", "backoffs = 1"],
    ),
    (
        "asyncio_await_sleep",
        "",
        &[
            " main      ·········█✓",
            " ·fetch[0] await▒▒▒▒█✓",
            " ·fetch[1] await▒▒▒▒▒✓",
            " ·fetch[2] await▒▒▒▒▒✓",
            "tick 3 ",
        ],
    ),
    (
        "asyncio_blocking_sleep",
        "",
        &[
            " main      ▶fetch[0]▶fetch[1]▶fetch[2]█✓",
            " ·fetch[0] ▒~~~~~~~~█✓",
            " ·fetch[1] main.loop█~~~~~~~~█✓",
            " ·fetch[2] loop main.loop▒▒▒▒█~~~~~~~~█✓",
            "tick 9 ",
        ],
    ),
    (
        "bank_overdraft",
        "",
        &[" withdraw[0] █~~█✓", " withdraw[1] █~~█✓"],
    ),
    ("bank_overdraft", "i", &["balance = -60  paid = 160"]),
    (
        "bank_with_lock",
        "",
        &[" withdraw[1] █m▒█✓", "1: refused\""],
    ),
    ("bank_with_lock", "i", &["balance = 20", "refused = 1"]),
    (
        "barrier_broken_timeout",
        "",
        &[
            " fast   ███barrier b▒▒▒▒▒▒✗",
            " medium ██████barrier b▒▒▒✗",
            " slow   ██████████████████████████████✗",
            "b       BROKEN",
            "FAILED",
        ],
    ),
    (
        "barrier_three_parties",
        "",
        &[
            " fast   ██████barrier b▒▒▒███✓",
            " medium ████████████b▒▒▒▒▒███✓",
            " slow   █████████████████████✓",
            "|6 ▲7",
        ],
    ),
    (
        "bounded_queue",
        "",
        &[
            "▒██put q▒███put q▒█✓",
            "▃▃▃▆▆▆██████████████████████████████▆▆▆",
        ],
    ),
    (
        "bounded_semaphore_overrelease",
        "",
        &[" worker ██████✗", " other  ░░░░░░███✓", "FAILED"],
    ),
    (
        "condition_if_recheck_bug",
        "i",
        &[" consumer[1] █c▒▒▒▒▒░░███✓", "overdrawn = 1"],
    ),
    (
        "condition_while_recheck",
        "",
        &[" consumer[0] █c▒▒▒▒▒██✓", " consumer[1] █c▒▒▒▒▒░░█c▒▒██✓"],
    ),
    (
        "counter_with_lock",
        "",
        &[
            " t1   ████████████████████████✓",
            " t2   ▒█████████████████▒█████████████████✓",
            "counter = 8",
        ],
    ),
    (
        "daemon_forgotten",
        "z",
        &[
            "tick       |0 ",
            " main      █≈",
            "≈█✓",
            " heartbeat █~~~~~",
            "beats = 11",
            "TIMEOUT",
        ],
    ),
    (
        "daemon_heartbeat",
        "",
        &[
            " main      █≈≈≈≈≈≈≈≈≈≈≈≈≈≈≈≈≈≈≈≈█✓",
            " heartbeat █~~~~~~~~█~~~~~~~~█~~×",
            "COMPLETED",
        ],
    ),
    (
        "dining_savages",
        "i",
        &[
            // Savage 0 waits at tick 0, eats at 1 and 3, ends at 5.
            "▒█~~~~~█~~~~~█✓",
            " cook      ███▒██",
            "▒▒▒▒▒×",
            "servings = 0  eaten = 6  refills = 3",
        ],
    ),
    (
        "event_start_signal",
        "i",
        &[
            " main      █████████✓",
            " worker[0] █event go██████✓",
            " worker[1] █event go██████✓",
            " latecomer                   ███✓",
            "started = 3  at_set = 0",
        ],
    ),
    (
        "fcfs_textbook",
        "i",
        &[
            "P1      24     0",
            "P2       3    24",
            "P3       3    27",
            "17.00",
        ],
    ),
    (
        "fcfs_textbook_rr",
        "",
        // P1 waits until tick 10, then keeps the CPU to 30.
        &["░████████████████████████████████████████████████████████████✓"],
    ),
    (
        "gil_cpu_processes",
        "c",
        &[
            "p1████████████████████████████···",
            "p2████████████████████████████···",
            "▲10",
        ],
    ),
    (
        "gil_cpu_threads",
        "",
        &[
            " t1    ███████████████GIL▒▒▒▒▒▒▒▒▒▒▒▒███████████████✓",
            " t2    GIL▒▒▒▒▒▒▒▒▒▒▒▒███████████████GIL▒▒▒▒▒▒▒▒▒▒▒▒███████████████✓",
        ],
    ),
    (
        "gil_cpu_threads",
        "c",
        &[
            "t1█████████████t2█████████████t1█████████████t2█████████████",
            " cpu1       ······························································",
        ],
    ),
    (
        "gil_cpu_threads_nogil",
        "",
        &[
            " t1   ██████████████████████████████✓",
            " t2   ██████████████████████████████✓",
            "▲10",
        ],
    ),
    (
        "gil_io_threads",
        "",
        &[
            " t1    █≈≈≈≈≈≈≈≈≈≈≈███≈≈≈≈≈≈≈≈≈≈≈≈███✓",
            " t2    ▒≈≈≈≈≈≈≈≈≈≈≈GIL███≈≈≈≈≈≈≈≈≈≈≈≈▒██✓",
            "tick 11 ",
        ],
    ),
    (
        "join_workers",
        "",
        &[
            " main     █download█✓",
            " download █≈≈≈≈≈≈≈≈█✓",
            " resize   ██████✓",
        ],
    ),
    (
        "lost_update",
        "i",
        &[
            " t1   ████████████████████████✓",
            " t2   ████████████████████████████████████✓",
            "counter = 6",
        ],
    ),
    (
        "lost_wakeup",
        "",
        &[
            " producer █✓",
            " consumer █~~~~~█c▒",
            "1 (1 lost) consumer",
            "STALLED: nothing can run again",
        ],
    ),
    (
        "lost_wakeup_fixed",
        "",
        &[" consumer █~~~~~█✓", "1 (1 lost) -", "COMPLETED"],
    ),
    (
        "mutex_self_deadlock",
        "",
        &[
            " worker █m▒",
            "m    worker 0t   1   1    worker",
            "DEADLOCK at tick 0 (cycle)",
            "⟳ worker -[m]-> worker",
        ],
    ),
    (
        "philosophers_deadlock",
        "",
        &[
            "DEADLOCK at tick 1 (cycle)",
            "⟳ philosopher[0] -[fork[1]]->",
            "-[fork[2]]->",
            "-[fork[3]]->",
            "-[fork[4]]->",
            "-[fork[0]]->",
        ],
    ),
    (
        "philosophers_ordered",
        "",
        &[
            " philosopher[3] █~~██████✓",
            " philosopher[2] █~~█f▒▒▒▒██████✓",
            " philosopher[1] █~~█fork[2]▒▒▒▒██████✓",
            " philosopher[0] █~~█fork[1]▒▒▒▒▒▒▒▒▒▒██████✓",
            " philosopher[4] █fork[0]▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒█~~██████✓",
        ],
    ),
    (
        "pool_processes_gil",
        "c",
        &[
            "job[0]██████job[3]██████···",
            "job[1]██████job[2]██████···",
            "▲8",
        ],
    ),
    (
        "pool_threads_gil",
        "",
        &[
            "job[0]██████job[1]██████job[2]██████job[3]██████···",
            " job[0] ▒███████████✓",
            " job[1] GIL▒▒▒▒▒▒▒▒▒████████████✓",
        ],
    ),
    (
        "priority_inversion",
        "",
        &[
            " high      █bus▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒███✓",
            " medium       ██████████████████████████████✓",
        ],
    ),
    (
        "process_globals",
        "",
        &[
            "main:   count=3  seen=3",
            " main   █c▒█✓",
            "child:  count=4",
        ],
    ),
    (
        "process_queue_ipc",
        "",
        &[
            " main       █get q█✓",
            "main:       total=0  received=10  main_total=0",
        ],
    ),
    (
        "put_nowait_full",
        "",
        &[" producer ████████████✗", "q is full", "[██████████] 3/3"],
    ),
    (
        "put_nowait_handled",
        "i",
        &[
            " producer ███████████████✓",
            " consumer                   █✓",
            "≡q           ▃▃▃▆▆▆█████████⇄⇄⇄",
            "dropped = 2  got = 3",
        ],
    ),
    (
        "queue_join_task_done",
        "",
        &[" producer  █join q▒▒▒▒▒█✓", "≡q         ▆▆▆▆▆▆⇄⇄⇄   "],
    ),
    (
        "queue_under_lock_deadlock",
        "",
        &[
            "DEADLOCK at tick 1 (knot)",
            "⊗ consumer -[get q]->",
            "⊗ producer[0] -[L]-> consumer",
            "⊗ producer[1] -[L]-> consumer",
        ],
    ),
    (
        "queue_under_lock_fixed",
        "",
        &[
            " consumer    █q▒█✓",
            "L    free (last consumer) -    4   0",
            "⇄⇄⇄",
        ],
    ),
    (
        "queue_under_lock_fixed",
        "i",
        &[" consumer    █q▒█✓", "handled = 2", "COMPLETED"],
    ),
    (
        "rlock_reentrant",
        "",
        &[" worker[0] █~~█~~█✓", " worker[1] █R▒▒▒▒█~~█~~█✓"],
    ),
    (
        "round_robin_slices",
        "",
        &[
            " A    ██████░░░░░░░░░░░░██████░░░░░░░░░███✓",
            " B    ░░░░░░██████░░░░░░░░░░░░███✓",
            " C    ░░░░░░░░░░░░██████░░░░░░░░░██████✓",
        ],
    ),
    (
        "round_robin_switch_cost",
        "c",
        &[
            " cpu0 ⇆6",
            "A█████⇆⇆⇆B█████⇆⇆⇆C█████⇆⇆⇆A█████⇆⇆⇆B██⇆⇆⇆C█████⇆⇆⇆A██···",
        ],
    ),
    ("round_robin_switch_cost", "i", &["11.67"]),
    (
        "rwlock_fair",
        "",
        &[
            " reader_a █≈≈≈≈≈█RW▒▒▒█≈≈≈≈≈",
            " reader_b    █≈≈≈≈≈█RW█≈≈≈≈≈",
            " writer      █RW▒▒▒█≈≈█✓",
        ],
    ),
    (
        "rwlock_reader_preference",
        "i",
        &[
            " writer      █RW▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒█≈≈█✓",
            "stale_reads = 10",
        ],
    ),
    (
        "semaphore_downloads",
        "",
        &[
            " download[0] █≈≈≈≈≈≈≈≈█✓",
            " download[1] █≈≈≈≈≈≈≈≈█✓",
            " download[2] █permit S█≈≈≈≈≈≈≈≈█✓",
            " download[3] █permit S█≈≈≈≈≈≈≈≈█✓",
            " download[4] █permit S▒▒▒▒▒▒▒▒▒█≈≈≈≈≈≈≈≈█✓",
        ],
    ),
    ("semaphore_downloads", "i", &["max_seen = 2", "done = 5"]),
    (
        "semaphore_overrelease_plain",
        "",
        &[" user[0]       █≈≈≈≈≈█✓", " user[1]       █≈≈≈≈≈█✓"],
    ),
    (
        "semaphore_overrelease_plain",
        "i",
        &["max_seen = 2", "COMPLETED", "tick 4 "],
    ),
    (
        "sing_dance_sequential",
        "",
        &[" main █~~█~~█~~█~~█~~█~~█✓", "tick 6 "],
    ),
    (
        "sing_dance_threaded",
        "",
        &[" sing  █~~█~~█~~█✓", " dance █~~█~~█~~█✓", "tick 3 "],
    ),
    (
        "sleeping_barber",
        "",
        &[
            " customer[0] cut_done▒█✓",
            " customer[1] █~~█b▒▒▒▒█cut_done█✓",
            " customer[2] █~~~~~█✓",
            " customer[3] █~~~~~~~~~~~~~~~~~cut_done▒█✓",
            " barber      ▒█████████████████▒████████▒×",
        ],
    ),
    ("sleeping_barber", "i", &["turned_away = 1", "cuts = 3"]),
    (
        "terminate_holding_lock",
        "",
        &[
            " worker █≈≈≈≈≈×",
            " main   █~~~~~█m▒",
            "m    worker 2t   1   1    main",
            "STALLED",
        ],
    ),
    (
        "thread_globals",
        "",
        &[" main  █c▒█✓", "main reads count = 4"],
    ),
    (
        "timer",
        "",
        &[
            " main     █≈≈≈≈≈≈≈≈≈≈≈≈≈≈█✓",
            " alarm    █~~~~~~~~█✓",
            " reminder █~~~~~~~~~~~~~~×",
        ],
    ),
];

/// Every lesson: the files of `scenarios/`, without `.toml`, sorted.
fn lessons() -> Vec<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("scenarios/")
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".toml").map(str::to_string)
        })
        .collect();
    names.sort();
    names
}

/// A lesson's catalog: its description and its `[expect]`.
fn catalog(lesson: &str) -> Catalog {
    let path = format!("{}/scenarios/{lesson}.toml", env!("CARGO_MANIFEST_DIR"));
    simulate(&path, &RunRequest::default())
        .unwrap_or_else(|e| panic!("{lesson}: {e}"))
        .0
}

/// The action of a key on the run's screen, as the terminal maps it.
fn key(c: char) -> Action {
    map_key(&KeyEvent::from(KeyCode::Char(c)), Mode::Session)
        .unwrap_or_else(|| panic!("the key {c} does nothing on a run"))
}

/// The lesson's screen at `w`x`h` with the cursor at the end (`G`), after
/// `keys`, one row of text per line.
fn final_screen(lesson: &str, (w, h): (u16, u16), keys: &str) -> Vec<String> {
    let file = format!("{lesson}.toml");
    let engine = FileEngine::new(&[file.as_str()]);
    let mut app = App::new(&engine, Open::Entry(0), Theme::new(true));
    app.update(Action::Resize {
        width: w,
        height: h,
    });
    drain(&mut app);
    app.update(key('G'));
    for c in keys.chars() {
        app.update(key(c));
    }
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| layout::draw(f, &app)).unwrap();
    let buf = t.backend().buffer();
    let a = buf.area;
    (a.top()..a.bottom())
        .map(|y| {
            // A non-breaking space (keeping `name = value` on one line)
            // reads as a space.
            (a.left()..a.right())
                .map(|x| buf[(x, y)].symbol().replace('\u{a0}', " "))
                .collect::<String>()
        })
        .collect()
}

/// The words of a description, lower case.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric() && c != '_')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The keys a description asks for: the word after each "press".
fn keys_named(text: &str) -> Vec<String> {
    let w = words(text);
    w.windows(2)
        .filter(|p| p[0] == "press")
        .map(|p| p[1].clone())
        .collect()
}

#[test]
fn every_lesson_ends_on_its_outcome_at_both_sizes() {
    let all = lessons();
    assert!(all.len() >= 50, "the lessons are missing: {all:?}");
    for lesson in &all {
        let cat = catalog(lesson);
        let want = cat
            .expect
            .as_ref()
            .and_then(|e| e.outcome)
            .unwrap_or_else(|| panic!("{lesson} has no expected outcome"))
            .name()
            .to_uppercase();
        for size in SIZES {
            let screen = final_screen(lesson, size, "");
            let header = &screen[0];
            assert!(
                header.trim_end().ends_with(&want),
                "{lesson} at {size:?}: the header does not end on {want}:\n{header}"
            );
            let step = header
                .split('│')
                .find_map(|f| f.trim().strip_prefix("step "))
                .unwrap_or_else(|| panic!("{lesson} at {size:?}: no step in\n{header}"));
            let (at, of) = step.split_once('/').expect("step n/total");
            assert_eq!(at, of, "{lesson} at {size:?}: the cursor is not at the end");
        }
    }
}

#[test]
fn every_lesson_that_says_what_to_watch_has_its_needles() {
    for lesson in lessons() {
        let desc = catalog(&lesson).description;
        let w = words(&desc);
        let says = w
            .iter()
            .any(|x| ["watch", "look", "see", "press"].contains(&x.as_str()));
        let listed = WATCH.iter().any(|(l, ..)| *l == lesson);
        if says {
            assert!(listed, "{lesson} says what to watch but WATCH has no row");
        }
    }
    let all = lessons();
    for (lesson, ..) in WATCH {
        assert!(all.iter().any(|l| l == lesson), "no lesson {lesson}");
    }
}

#[test]
fn the_keys_pressed_are_the_keys_each_description_names() {
    for lesson in lessons() {
        let desc = catalog(&lesson).description;
        let mut named = keys_named(&desc);
        named.sort();
        named.dedup();
        let mut pressed: Vec<String> = WATCH
            .iter()
            .filter(|(l, k, _)| *l == lesson && !k.is_empty())
            .map(|(_, k, _)| k.to_string())
            .collect();
        pressed.sort();
        pressed.dedup();
        assert_eq!(
            named, pressed,
            "{lesson}: the description names the keys {named:?}, WATCH presses {pressed:?}"
        );
    }
}

#[test]
fn what_each_lesson_says_to_watch_is_on_its_final_screen() {
    let mut missing = Vec::new();
    for (lesson, keys, needles) in WATCH {
        for size in SIZES {
            let screen = final_screen(lesson, size, keys);
            let absent: Vec<&str> = needles
                .iter()
                .copied()
                .filter(|n| !screen.iter().any(|row| row.contains(n)))
                .collect();
            if !absent.is_empty() {
                missing.push(format!(
                    "{lesson} at {}x{} after {keys:?}: missing {absent:?} in\n{}",
                    size.0,
                    size.1,
                    screen.join("\n")
                ));
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n\n"));
}
