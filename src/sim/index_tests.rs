//! The simulator's indexes of its own state (who awaits an end, the
//! untimed waits, the free actors, a ready task's burst) agree with the
//! state after every tick boundary, under every policy and in the
//! explored model (which keeps only the first).

use std::collections::{BTreeMap, BTreeSet};

use super::deadlock::{untimed_wait, wait_key};
use super::{awaits_end, build, Options, Sim};
use crate::event::TaskId;
use crate::scenario::parse;

/// Every index recomputed from the tasks' states.
fn check(sim: &Sim) {
    let ids = || (0..sim.tasks.len() as u32).map(TaskId);
    let awaiting: BTreeSet<TaskId> = ids()
        .filter(|t| awaits_end(sim.tasks[t.index()].state))
        .collect();
    assert_eq!(sim.awaiting_ends, awaiting, "tasks awaiting an end");
    if !sim.indexed() {
        assert!(sim.untimed.is_empty() && sim.free_actors.is_empty());
        return;
    }
    let mut untimed = BTreeMap::new();
    for t in ids() {
        if let Some(on) = untimed_wait(sim.tasks[t.index()].state) {
            untimed.entry(wait_key(on)).or_insert((on, 0)).1 += 1;
        }
    }
    let untimed: Vec<_> = untimed.into_values().collect();
    assert_eq!(sim.untimed, untimed, "untimed waits");
    for (list, who) in sim.fixed.actors.values() {
        let free = who
            .iter()
            .filter(|&&t| {
                let state = sim.tasks[t.index()].state;
                !state.is_final() && untimed_wait(state).is_none()
            })
            .count();
        assert_eq!(
            sim.free_actors[*list as usize] as usize, free,
            "free actors"
        );
    }
    let bursts = sim.policy().keys_are_bursts();
    assert_eq!(sim.bursts.len(), if bursts { sim.tasks.len() } else { 0 });
    for t in ids().filter(|_| bursts) {
        let want = sim.ready.contains(&t).then(|| sim.next_burst(t));
        assert_eq!(sim.bursts[t.index()], want, "the burst of {t:?}");
    }
}

const SCENARIO: &str = r#"
[scenario]
name = "indexes"
[machine]
cpus = 2
policy = "POLICY"
quantum = 2
preempt = 0.1
max_ticks = 400
[vars]
n = 0
[locks]
L = { kind = "mutex", count = 2 }
[semaphores]
S = 1
[conditions]
c = { lock = "L[0]" }
[queues]
q = { capacity = 2 }
[[task]]
name = "main"
script = """
spawn w[0]
spawn w[1]
join w[0]
join w[1]
"""
[[task]]
name = "w"
count = 2
start = "spawned"
script = """
repeat 3 {
  acquire L[i]
  compute 1
  incr n
  release L[i]
  acquire L[0]
  notify_all c
  release L[0]
  put q i
  yield
}
"""
[[task]]
name = "x"
count = 3
start = 1
script = """
repeat 2 {
  acquire S
  compute 2
  release S
  acquire L[0]
  wait c timeout 3 else { yield }
  release L[0]
  get q
}
"""
[[task]]
name = "d"
daemon = true
script = """
loop {
  compute 1
  sleep 2
}
"""
"#;

#[test]
fn the_indexes_agree_with_the_state_at_every_boundary() {
    for policy in [
        "fifo",
        "rr",
        "sjf",
        "srtf",
        "priority",
        "priority-preemptive",
        "random",
    ] {
        let src = SCENARIO.replace("POLICY", policy);
        let scenario = match parse("indexes.toml", src.as_bytes()) {
            Ok(s) => s,
            Err(d) => panic!("{}", d.render(false)),
        };
        for (seed, explore) in (0..4).flat_map(|s| [(s, false), (s, true)]) {
            let options = Options {
                seed: Some(seed),
                explore,
                ..Options::default()
            };
            let (mut sim, _) = build(&scenario, &options);
            let mut out = Vec::new();
            check(&sim);
            while sim.outcome().is_none() {
                sim.step(&mut out);
                check(&sim);
            }
        }
    }
}
