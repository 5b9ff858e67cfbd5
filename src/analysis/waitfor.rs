//! The wait-for graph of a [`World`]: who waits for whom, and the cycles.

use crate::event::{find_cycle, Catalog, TaskId, TaskState, WaitEdge, WaitOn};
use crate::trace::World;

/// The wait-for edge out of each blocked task whose wait names a holder:
/// a held lock, or a task that has not ended. Timed waits are included
/// (views show them); [`wait_chains`] marks which edges can close a cycle.
pub fn wait_edges(world: &World) -> Vec<WaitEdge> {
    (0..world.tasks.len())
        .filter_map(|i| edge_of(world, TaskId(i as u32), true))
        .collect()
}

fn edge_of(world: &World, t: TaskId, include_timed: bool) -> Option<WaitEdge> {
    let TaskState::Blocked { on, timed } = world.tasks.get(t.index())?.state else {
        return None;
    };
    if timed && !include_timed {
        return None;
    }
    let held_by = match on {
        WaitOn::Lock(r) => world.locks.get(r.index())?.holder?,
        WaitOn::Task(x) if !world.tasks.get(x.index())?.state.is_final() => x,
        _ => return None,
    };
    Some(WaitEdge {
        task: t,
        waits_for: on,
        held_by,
    })
}

/// A chain of waits starting at a task nobody waits for (or a cycle).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitChain {
    /// The edges in order.
    pub edges: Vec<WaitEdge>,
    /// The chain closes on itself: a deadlock.
    pub cycle: bool,
}

/// The wait-for graph as chains: every cycle once, then every maximal
/// chain that ends at a task that is not waiting.
pub fn wait_chains(world: &World) -> Vec<WaitChain> {
    let n = world.tasks.len();
    let untimed = |t: TaskId| edge_of(world, t, false);
    let mut chains = Vec::new();
    let mut in_cycle = vec![false; n];
    for i in 0..n {
        if in_cycle[i] {
            continue;
        }
        if let Some(cycle) = find_cycle(TaskId(i as u32), n, untimed) {
            if cycle.iter().any(|e| in_cycle[e.task.index()]) {
                continue;
            }
            for e in &cycle {
                in_cycle[e.task.index()] = true;
            }
            chains.push(WaitChain {
                edges: cycle,
                cycle: true,
            });
        }
    }
    let edges = wait_edges(world);
    let waited_on: Vec<bool> = (0..n)
        .map(|i| edges.iter().any(|e| e.held_by.index() == i))
        .collect();
    for start in edges
        .iter()
        .filter(|e| !waited_on[e.task.index()] && !in_cycle[e.task.index()])
    {
        let mut chain = vec![*start];
        let mut at = start.held_by;
        while let Some(e) = edges.iter().find(|e| e.task == at) {
            if chain.len() > n || in_cycle[at.index()] {
                break;
            }
            chain.push(*e);
            at = e.held_by;
        }
        chains.push(WaitChain {
            edges: chain,
            cycle: false,
        });
    }
    chains
}

/// A chain as text: `t1 -[B]-> t2 -[A]-> t1`.
pub fn chain_text(catalog: &Catalog, edges: &[WaitEdge]) -> String {
    let Some(first) = edges.first() else {
        return String::new();
    };
    let mut s = catalog.task_name(first.task).to_string();
    for e in edges {
        s.push_str(&format!(
            " -[{}]-> {}",
            catalog.wait_name(e.waits_for),
            catalog.task_name(e.held_by)
        ));
    }
    s
}
