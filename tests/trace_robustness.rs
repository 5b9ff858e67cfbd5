//! Nothing panics on a damaged trace: reading it, reporting it, or drawing
//! it in the TUI, whatever its bytes.

use crate::common;
use proptest::prelude::*;
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use weft::report::{render_text, Report};
use weft::tui::{layout, Action, App, NoEngine, Open, Theme};

/// A real trace of the ABBA lesson, as text lines.
fn abba_lines() -> Vec<String> {
    common::lesson_trace_lines("abba_deadlock.toml")
}

/// Reads, reports and draws `text` (partially, as `--partial` would).
fn exercise(text: &str) {
    let Ok(trace) = weft::trace::read(text.as_bytes(), true) else {
        return;
    };
    let report = Report::from_trace(&trace);
    let _ = render_text(&report, false);
    let _ = serde_json::to_string(&report).unwrap();
    let len = trace.len();
    let engine = NoEngine;
    let mut app = App::new(&engine, Open::Trace(trace), Theme::new(true));
    app.update(Action::Resize {
        width: 100,
        height: 30,
    });
    let mut term = Terminal::new(TestBackend::new(100, 30)).unwrap();
    for action in [Action::End, Action::ToggleCpuLanes, Action::Start] {
        app.update(action);
        term.draw(|f| layout::draw(f, &app)).unwrap();
    }
    assert!(len <= text.lines().count());
}

proptest! {
    #![proptest_config(common::proptest_config(200))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = weft::trace::read(&bytes[..], false);
        let _ = weft::trace::read(&bytes[..], true);
    }

    #[test]
    fn numbers_changed_in_a_real_trace_never_panic(
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0u32..40), 1..6)
    ) {
        let mut lines = abba_lines();
        for (pick, value) in edits {
            let i = 1 + pick.index(lines.len() - 1);
            // Replace the last number of the line (an id, a depth, a length).
            let line = &lines[i];
            if let Some(pos) = line.rfind(|c: char| c.is_ascii_digit()) {
                let start = line[..=pos].rfind(|c: char| !c.is_ascii_digit()).map_or(0, |p| p + 1);
                lines[i] = format!("{}{}{}", &line[..start], value, &line[pos + 1..]);
            }
        }
        exercise(&lines.join("\n"));
    }

    #[test]
    fn lines_dropped_or_cut_never_panic(drop in any::<prop::sample::Index>(), cut in 0usize..60) {
        let mut lines = abba_lines();
        let i = 1 + drop.index(lines.len() - 1);
        lines.remove(i);
        let mut text = lines.join("\n");
        text.truncate(text.len().saturating_sub(cut));
        exercise(&text);
    }
}
