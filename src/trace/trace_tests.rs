//! Checkpoints: every 4,096 events for a small world, further apart for a
//! large one (a bounded number of bytes per event), and a seek from either
//! equals the fold from the start.

use super::*;
use crate::event::{EventKind, ScriptInfo, TaskId, TaskInfo, TaskState};

fn catalog(tasks: usize) -> Catalog {
    Catalog {
        cpus: 1,
        max_ticks: 1_000_000,
        tasks: (0..tasks)
            .map(|i| TaskInfo {
                name: format!("t{i}"),
                kind: "thread".into(),
                process: "main".into(),
                priority: 0,
                daemon: false,
                script: ScriptInfo::default(),
                proc: 0,
                event_loop: None,
                pool: None,
                os_id: None,
            })
            .collect(),
        ..Catalog::empty("checkpoints", "sim")
    }
}

/// `n` events: the tasks take turns at the CPU.
fn trace(tasks: usize, n: usize) -> Trace {
    let events = (0..n)
        .map(|i| {
            let task = TaskId((i / 2 % tasks) as u32);
            let state = if i % 2 == 0 {
                TaskState::Running {
                    cpu: crate::event::CpuId(0),
                }
            } else {
                TaskState::Ready
            };
            Event {
                seq: i as u64,
                tick: i as u64 / 2,
                kind: EventKind::State { task, state },
            }
        })
        .collect();
    Trace::from_events(catalog(tasks), events)
}

#[test]
fn a_small_world_is_kept_every_4096_events() {
    let t = trace(3, 20_000);
    assert!(t.last.heap_bytes() < CHECKPOINT_EVERY * CHECKPOINT_BYTES_PER_EVENT);
    assert_eq!(t.checkpoints.len(), 20_000 / CHECKPOINT_EVERY + 1);
    for step in [0, 1, 4095, 4096, 4097, 12_345, 19_999, 20_000] {
        assert_eq!(t.world_at(step), t.world_from_start(step));
    }
}

#[test]
fn a_large_world_is_kept_further_apart_in_bounded_bytes() {
    let n = 200_000;
    let t = trace(2_000, n);
    let bytes: usize = t.checkpoints.iter().map(World::heap_bytes).sum();
    assert!(t.checkpoints.len() < n / CHECKPOINT_EVERY / 4);
    // At most one world more than the bytes per event allow.
    assert!(bytes <= n * CHECKPOINT_BYTES_PER_EVENT + t.last.heap_bytes());
    for step in [0, 1, 4096, 50_001, 123_456, n - 1, n] {
        assert_eq!(t.world_at(step), t.world_from_start(step));
    }
}
