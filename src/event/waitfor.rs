//! The deadlock rule shared by every engine and by the analysis of a trace:
//! from the blocked tasks and, for each, the tasks that could still end its
//! wait, find a cycle of single-owner waits or a knot.

use super::{DeadlockRule, TaskId, WaitEdge, WaitOn};

/// A blocked task without a timeout, and the living tasks that could end its
/// wait: the holder of a lock, the task joined, a semaphore's holders, the
/// tasks that may still `put` into an empty queue, and so on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiter {
    /// The blocked task.
    pub task: TaskId,
    /// What it waits for.
    pub on: WaitOn,
    /// The tasks that could end the wait; empty when nobody alive can.
    pub releasers: Vec<TaskId>,
}

/// Finds a deadlock among `waiters`: the largest set of blocked tasks in
/// which every task that could end a member's wait is itself a member.
///
/// When every member waits for a single owner the answer is a cycle (rotated
/// to start at its smallest task), with [`DeadlockRule::Cycle`]; otherwise it
/// is the whole knot, one edge from each member to each member that could
/// release it, with [`DeadlockRule::Knot`]. `tasks` is the number of tasks.
pub fn find_deadlock(waiters: &[Waiter], tasks: usize) -> Option<(DeadlockRule, Vec<WaitEdge>)> {
    let mut slot: Vec<Option<usize>> = vec![None; tasks];
    for (i, w) in waiters.iter().enumerate() {
        if let Some(s) = slot.get_mut(w.task.index()) {
            *s = Some(i);
        }
    }
    let mut member: Vec<bool> = waiters.iter().map(|w| !w.releasers.is_empty()).collect();
    let inside = |member: &[bool], t: TaskId| {
        slot.get(t.index())
            .copied()
            .flatten()
            .is_some_and(|i| member[i])
    };
    loop {
        let mut changed = false;
        for i in 0..waiters.len() {
            if member[i] && !waiters[i].releasers.iter().all(|&r| inside(&member, r)) {
                member[i] = false;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let knot: Vec<&Waiter> = (0..waiters.len())
        .filter(|&i| member[i])
        .map(|i| &waiters[i])
        .collect();
    if knot.is_empty() {
        return None;
    }
    if knot.iter().all(|w| w.releasers.len() == 1) {
        let edge = |t: TaskId| {
            let w = &waiters[slot.get(t.index()).copied().flatten()?];
            Some(WaitEdge {
                task: w.task,
                waits_for: w.on,
                held_by: w.releasers[0],
            })
        };
        let start = knot.iter().map(|w| w.task).min()?;
        return super::find_cycle(start, tasks, edge).map(|c| (DeadlockRule::Cycle, c));
    }
    let mut edges: Vec<WaitEdge> = knot
        .iter()
        .flat_map(|w| {
            w.releasers.iter().map(|&r| WaitEdge {
                task: w.task,
                waits_for: w.on,
                held_by: r,
            })
        })
        .collect();
    edges.sort_by_key(|e| (e.task, e.held_by));
    edges.dedup();
    Some((DeadlockRule::Knot, edges))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::ResourceId;

    fn w(task: u32, on: WaitOn, releasers: &[u32]) -> Waiter {
        Waiter {
            task: TaskId(task),
            on,
            releasers: releasers.iter().map(|&r| TaskId(r)).collect(),
        }
    }

    #[test]
    fn two_lock_waits_make_a_cycle() {
        let a = WaitOn::Lock(ResourceId(0));
        let b = WaitOn::Lock(ResourceId(1));
        let (rule, cycle) = find_deadlock(&[w(1, a, &[0]), w(0, b, &[1])], 2).unwrap();
        assert_eq!(rule, DeadlockRule::Cycle);
        let tasks: Vec<u32> = cycle.iter().map(|e| e.task.0).collect();
        assert_eq!(tasks, vec![0, 1]);
        assert_eq!(cycle[0].waits_for, b);
    }

    #[test]
    fn a_wait_with_a_releaser_outside_is_no_deadlock() {
        let q = WaitOn::Get(ResourceId(0));
        let l = WaitOn::Lock(ResourceId(1));
        // The consumer could be fed by 1 (blocked on the lock 0 holds) or by 2 (running).
        assert!(find_deadlock(&[w(0, q, &[1, 2]), w(1, l, &[0])], 3).is_none());
        // Once 2 is gone, 0 and 1 form a knot.
        let (rule, edges) = find_deadlock(&[w(0, q, &[1]), w(1, l, &[0])], 3).unwrap();
        assert_eq!(rule, DeadlockRule::Cycle);
        assert_eq!(edges.len(), 2);
    }

    #[test]
    fn several_releasers_all_blocked_make_a_knot() {
        let s = WaitOn::Permit(ResourceId(0));
        let l = WaitOn::Lock(ResourceId(1));
        let waiters = [w(0, s, &[1, 2]), w(1, l, &[0]), w(2, l, &[0])];
        let (rule, edges) = find_deadlock(&waiters, 3).unwrap();
        assert_eq!(rule, DeadlockRule::Knot);
        assert_eq!(edges.len(), 4);
    }

    #[test]
    fn a_wait_nobody_can_end_is_no_deadlock() {
        let c = WaitOn::Notify(ResourceId(0));
        let l = WaitOn::Lock(ResourceId(1));
        assert!(find_deadlock(&[w(0, c, &[]), w(1, l, &[0])], 2).is_none());
    }
}
