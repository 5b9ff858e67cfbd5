//! What a learner reads on screen: the lesson panel (text, checks,
//! variables, figures), the picker (teaching order, errors under their own
//! entry, paging), the help of the screen it covers, and what 80x24 keeps.

use ratatui::backend::TestBackend;
use ratatui::Terminal;

use crate::support::{drain, FileEngine};
use weft::tui::keymap::{map_key, Mode, HELP, PICKER_HELP};
use weft::tui::{layout, Action, App, Open, Theme};

fn sized<'a>(engine: &'a FileEngine, open: Open, w: u16, h: u16) -> App<'a> {
    let mut app = App::new(engine, open, Theme::new(true));
    app.update(Action::Resize {
        width: w,
        height: h,
    });
    drain(&mut app);
    app
}

fn screen(app: &App<'_>) -> String {
    let (w, h) = app.size;
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| layout::draw(f, app)).unwrap();
    let buf = t.backend().buffer().clone();
    (0..h)
        .map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_lesson_panel_shows_the_text_the_checks_the_variables_and_the_figures() {
    let engine = FileEngine::new(&["fcfs_textbook.toml"]);
    let mut app = sized(&engine, Open::Entry(0), 120, 40);
    app.update(Action::End);
    app.update(Action::ToggleInfo);
    let all = screen(&app);
    insta::assert_snapshot!("fcfs_lesson_panel_120x40", all);
    assert!(all.contains("The textbook scheduling example"), "{all}");
    assert!(all.contains("✓ outcome completed (got completed)"));
    assert!(all.contains("✓ p2_place == 2 (p2_place = 2)"));
    assert!(all.contains("p1_place = 1"), "the variables");
    // The textbook's waiting times 0, 24, 27 and their average 17.
    let row = |t: &str| {
        all.lines()
            .find(|l| l.contains(&format!("│{t} ")))
            .unwrap_or_else(|| panic!("no row {t}"))
            .to_string()
    };
    let cols = |l: String| -> Vec<String> {
        let right = l.split('│').nth(3).unwrap().to_string();
        right.split_whitespace().map(str::to_string).collect()
    };
    assert_eq!(cols(row("P2"))[..3], ["P2", "3", "24"]);
    assert_eq!(cols(row("P3"))[..3], ["P3", "3", "27"]);
    assert!(all.contains("waiting 17.00"), "{all}");
    // i again gives the panels back.
    app.update(Action::ToggleInfo);
    assert!(!screen(&app).contains("Lesson (i closes)"));
}

#[test]
fn checks_before_the_end_are_not_judged_yet() {
    let engine = FileEngine::new(&["lost_update.toml"]);
    let mut app = sized(&engine, Open::Entry(0), 120, 40);
    app.update(Action::ToggleInfo);
    let start = screen(&app);
    assert!(start.contains("judged when the run ends"), "{start}");
    assert!(
        !start.lines().any(|l| l.starts_with("│✗ ")),
        "nothing fails before the end:\n{start}"
    );
    assert!(start.lines().any(|l| l.starts_with("│· outcome completed")));
    app.update(Action::End);
    let end = screen(&app);
    // lost_update expects the lost update: counter == 6 of 8 increments.
    assert!(end.contains("✓ counter == 6 (counter = 6)"), "{end}");
    assert!(end.contains("counter = 6"));
}

#[test]
fn at_80x24_the_badge_the_whole_cycle_and_the_way_out_are_on_screen() {
    let engine = FileEngine::new(&["philosophers_deadlock.toml"]);
    let mut app = sized(&engine, Open::Entry(0), 80, 24);
    app.update(Action::End);
    let all = screen(&app);
    insta::assert_snapshot!("philosophers_end_80x24", all);
    let lines: Vec<&str> = all.lines().collect();
    assert!(lines[0].contains("DEADLOCK"), "{}", lines[0]);
    assert!(lines[0].contains("tick 1"), "{}", lines[0]);
    assert!(lines[23].contains("? help · q quit"), "{}", lines[23]);
    for i in 0..5 {
        assert!(all.contains(&format!("fork[{i}]")), "fork[{i}] in\n{all}");
    }
    // The cycle wraps: it ends back at philosopher[0].
    let waits: String = lines
        .iter()
        .map(|l| l.split('│').nth(3).unwrap_or(""))
        .collect::<Vec<_>>()
        .join(" ");
    assert!(waits.contains("philosopher[4] -[fork[0]]->"), "{waits}");
    let after = waits.split("philosopher[4] -[fork[0]]->").nth(1).unwrap();
    assert!(after.trim_start().starts_with("philosopher[0]"), "{after}");
}

#[test]
fn the_picker_lists_lessons_by_topic_and_keeps_errors_with_their_entry() {
    let engine = FileEngine::new(&["abba_deadlock.toml", "no_such_file.toml", "timer.toml"]);
    let mut app = sized(&engine, Open::Picker, 100, 30);
    app.update(Action::Down);
    app.update(Action::Select);
    assert!(app.session.is_none(), "a broken entry opens nothing");
    assert!(screen(&app).contains("It could not be opened"));
    app.update(Action::Down);
    let other = screen(&app);
    assert!(
        !other.contains("It could not be opened"),
        "another entry shows no error:\n{other}"
    );
    app.update(Action::Up);
    assert!(
        screen(&app).contains("It could not be opened"),
        "back on it"
    );
    // Home/End and paging.
    app.update(Action::End);
    assert_eq!(app.picker.selected, 2);
    app.update(Action::Start);
    assert_eq!(app.picker.selected, 0);
    app.update(Action::PageDown);
    assert_eq!(app.picker.selected, 2);
    app.update(Action::PageUp);
    assert_eq!(app.picker.selected, 0);
    let key = |c| {
        map_key(
            &crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Char(c)),
            Mode::Picker,
        )
    };
    assert_eq!(key('G'), Some(Action::End));
    assert_eq!(key('g'), Some(Action::Start));
    assert_eq!(key('J'), Some(Action::DetailsDown));
    let code = |k| map_key(&crossterm::event::KeyEvent::from(k), Mode::Picker);
    assert_eq!(code(crossterm::event::KeyCode::Home), Some(Action::Start));
    assert_eq!(code(crossterm::event::KeyCode::End), Some(Action::End));
    assert_eq!(
        code(crossterm::event::KeyCode::PageDown),
        Some(Action::PageDown)
    );
}

#[test]
fn the_built_in_lessons_come_in_teaching_order_under_topics() {
    // `weft list` shows the order the picker uses.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_weft"))
        .arg("list")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let names: Vec<&str> = text
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/lessons.md")).unwrap();
    let doc_order: Vec<&str> = doc
        .lines()
        .filter_map(|l| l.strip_prefix("**`"))
        .filter_map(|l| l.split(".toml`**").next())
        .collect();
    assert_eq!(names[0], "sing_dance_sequential");
    let listed: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| doc_order.contains(n))
        .collect();
    let mut expected: Vec<&str> = doc_order.clone();
    expected.dedup();
    expected.retain(|n| names.contains(n));
    assert_eq!(listed, expected, "weft list follows docs/lessons.md");
}

#[test]
fn help_lists_the_keys_of_the_screen_it_covers_and_fits_80x24() {
    let engine = FileEngine::new(&["abba_deadlock.toml"]);
    let mut picker = sized(&engine, Open::Picker, 80, 24);
    picker.update(Action::Help);
    let p = screen(&picker);
    assert!(p.contains("choose a scenario"), "{p}");
    assert!(
        !p.contains("one event forward"),
        "no playback keys in the picker"
    );
    assert!(p.contains(PICKER_HELP[0].1));

    let mut run = sized(&engine, Open::Entry(0), 80, 24);
    run.update(Action::Help);
    let r = screen(&run);
    assert!(r.contains("The screen is the world at the cursor."), "{r}");
    for (_, what) in HELP {
        assert!(r.contains(what), "{what} missing at 80x24:\n{r}");
    }
    assert!(r.contains("s leaves"), "how to leave scheduler mode");
    assert!(r.contains("press any key to close"));
}
