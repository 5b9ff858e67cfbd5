//! Two runs as one trace (`--compare`): the second run's ids move after
//! the first's, its names are marked, and the merged trace has one end.

use weft::event::{EventKind, TaskState, WaitOn};
use weft::trace::compare::{side_by_side, MARK};
use weft::trace::Trace;

use crate::common;

const ABBA: &str = r#"
[scenario]
name = "abba"
[locks]
A = "mutex"
B = "mutex"
[[task]]
name = "t1"
script = """
acquire A
sleep 1
acquire B
"""
[[task]]
name = "t2"
script = """
acquire B
sleep 1
acquire A
"""
"#;

#[test]
fn the_second_run_moves_after_the_first_and_both_fold() {
    let (cat, events) = common::events(ABBA);
    let (both, merged) = side_by_side((&cat, &events), (&cat, &events));
    assert_eq!(both.tasks.len(), 4);
    assert_eq!(both.tasks[2].name, format!("t1{MARK}"));
    assert_eq!(both.resources[2].name, format!("A{MARK}"));
    assert_eq!(both.processes.len(), 2);
    assert_eq!(both.tasks[3].proc, 1);
    assert_eq!(both.cpus, 2 * cat.cpus);
    let ends = merged
        .iter()
        .filter(|e| matches!(e.kind, EventKind::End { .. }))
        .count();
    assert_eq!(ends, 1);
    assert!(matches!(merged.last().unwrap().kind, EventKind::End { .. }));
    assert!(merged.windows(2).all(|w| w[0].tick <= w[1].tick));
    assert_eq!(merged.len(), 2 * events.len() - 1);
    // The second copy of t2 waits for the second copy of A.
    let waits: Vec<_> = merged
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::State {
                task,
                state:
                    TaskState::Blocked {
                        on: WaitOn::Lock(r),
                        ..
                    },
            } => Some((task.0, r.0)),
            _ => None,
        })
        .collect();
    assert!(waits.contains(&(3, 2)), "{waits:?}");
    assert!(waits.contains(&(1, 0)), "{waits:?}");
    // Both deadlocks fold into one world.
    let t = Trace::from_events(both, merged);
    let w = t.last();
    assert_eq!(w.tasks.len(), 4);
}
