//! The lock-order graph of a trace, as lockdep and Helgrind keep it: an
//! edge A→B each time a task asks for lock B while it holds lock A, and the
//! inversions among those edges, cycles whose edges come from distinct
//! tasks. An inversion is a deadlock the run could have had, whether or not
//! this run had it.
//!
//! Mutexes, rlocks and rwlocks (held for writing or for reading) count as
//! locks; semaphores, conditions and weft's own GIL and loops do not. The
//! events of any trace (simulated, live, or a `weft::sync` program's) are
//! folded in order. Imports the event contract and the trace only.

use std::collections::{BTreeSet, HashMap};

use crate::event::{Catalog, EventKind, ResourceId, TaskId, TaskState, WaitOn};
use crate::trace::Trace;

/// The longest cycle of the lock-order graph searched for, in edges.
pub const MAX_CYCLE: usize = 8;

/// The most inversions reported for one trace.
pub const MAX_INVERSIONS: usize = 64;

/// The most edges the cycle search follows, all starts together.
const SEARCH_STEPS: usize = 200_000;

/// One edge of the lock-order graph: `task` asked for `to` while it held
/// `from`. The first time is the witness kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockEdge {
    /// The lock held.
    pub from: ResourceId,
    /// The lock asked for.
    pub to: ResourceId,
    /// The task.
    pub task: TaskId,
    /// The line in the scenario file where the task took `from` (`None`
    /// when the trace does not say, as in a `weft::sync` program's).
    pub from_line: Option<u32>,
    /// The line where it asked for `to`.
    pub to_line: Option<u32>,
    /// `from` was held for reading (an rwlock).
    pub from_read: bool,
    /// `to` was asked for reading (an rwlock).
    pub to_read: bool,
    /// The other locks the task had held exclusively (not for reading)
    /// since before it took `from`, every time it asked for `to` while
    /// holding `from`; in id order.
    pub held: Vec<ResourceId>,
}

/// A cycle of the lock-order graph whose edges come from distinct tasks:
/// each task holds the lock the previous one asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inversion {
    /// The edges, each one's `to` the next one's `from`, the last one's
    /// `to` the first one's `from`; the first starts at the cycle's
    /// smallest lock id.
    pub edges: Vec<LockEdge>,
    /// The locks outside the cycle that every edge's task held throughout
    /// (gate locks): with one, the inversion cannot deadlock.
    pub guards: Vec<ResourceId>,
}

impl Inversion {
    /// Whether a gate lock keeps the cycle from ever closing.
    pub fn is_guarded(&self) -> bool {
        !self.guards.is_empty()
    }

    /// The tasks of the cycle, in its order.
    pub fn tasks(&self) -> Vec<TaskId> {
        self.edges.iter().map(|e| e.task).collect()
    }

    /// The locks of the cycle, in its order.
    pub fn locks(&self) -> Vec<ResourceId> {
        self.edges.iter().map(|e| e.from).collect()
    }
}

/// The lock-order graph of a trace and its inversions.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LockOrder {
    /// Every edge, one per (held lock, lock asked for, task), in the order
    /// of their first witness.
    pub edges: Vec<LockEdge>,
    /// Every inversion found (at most [`MAX_INVERSIONS`], each of at most
    /// [`MAX_CYCLE`] edges), one per cycle of locks; an unguarded witness is
    /// kept over a guarded one.
    pub inversions: Vec<Inversion>,
}

/// The lock-order graph of `trace` and the inversions in it.
pub fn lock_order(trace: &Trace) -> LockOrder {
    let mut fold = Fold::new(&trace.catalog);
    for e in trace.events() {
        fold.apply(&e.kind);
    }
    let inversions = Search::new(&trace.catalog, &fold.edges).run();
    LockOrder {
        edges: fold.edges,
        inversions,
    }
}

/// An inversion in words: `t1 takes A then B at lines 3, 5; t2 takes B then
/// A at lines 12, 14`, the lines left out when the trace has none, and
/// ` (guarded by G: cannot deadlock)` after a guarded one.
pub fn inversion_text(cat: &Catalog, inv: &Inversion) -> String {
    let line = |l: Option<u32>| l.map_or_else(|| "?".to_string(), |l| l.to_string());
    let parts: Vec<String> = inv
        .edges
        .iter()
        .map(|e| {
            let mut s = format!(
                "{} takes {} then {}",
                cat.task_name(e.task),
                cat.resource_name(e.from),
                cat.resource_name(e.to)
            );
            if e.from_line.is_some() || e.to_line.is_some() {
                s.push_str(&format!(
                    " at lines {}, {}",
                    line(e.from_line),
                    line(e.to_line)
                ));
            }
            s
        })
        .collect();
    let mut text = parts.join("; ");
    if inv.is_guarded() {
        let names: Vec<&str> = inv.guards.iter().map(|&g| cat.resource_name(g)).collect();
        text.push_str(&format!(
            " (guarded by {}: cannot deadlock)",
            names.join(", ")
        ));
    }
    text
}

/// A lock a task holds: where it took it, how, and how many read holds.
struct Hold {
    lock: ResourceId,
    line: Option<u32>,
    read: bool,
    reads: u32,
}

/// What the fold knows of a task: its holds in the order taken, and the
/// instruction it reached last.
#[derive(Default)]
struct TaskLocks {
    holds: Vec<Hold>,
    pc: Option<u32>,
}

struct Fold<'c> {
    cat: &'c Catalog,
    tasks: Vec<TaskLocks>,
    edges: Vec<LockEdge>,
    index: HashMap<(ResourceId, ResourceId, TaskId), usize>,
}

impl<'c> Fold<'c> {
    fn new(cat: &'c Catalog) -> Fold<'c> {
        Fold {
            cat,
            tasks: (0..cat.tasks.len()).map(|_| TaskLocks::default()).collect(),
            edges: Vec::new(),
            index: HashMap::new(),
        }
    }

    fn apply(&mut self, kind: &EventKind) {
        match *kind {
            EventKind::Pc { task, pc } => {
                if let Some(t) = self.tasks.get_mut(task.index()) {
                    t.pc = Some(pc);
                }
            }
            EventKind::State {
                task,
                state: TaskState::Blocked { on, .. },
            } => match on {
                WaitOn::Lock(r) => self.ask(task, r, false),
                WaitOn::Read(r) => self.ask(task, r, true),
                _ => {}
            },
            EventKind::LockAcquire { task, lock, .. } => self.take(task, lock, false),
            EventKind::ReadAcquire { task, lock, .. } => self.take(task, lock, true),
            EventKind::LockRelease {
                task,
                lock,
                depth: 0,
            } => self.drop_hold(task, lock, false),
            EventKind::ReadRelease { task, lock, .. } => self.drop_hold(task, lock, true),
            _ => {}
        }
    }

    /// Whether the resource is a lock this graph covers.
    fn covered(&self, r: ResourceId) -> bool {
        self.cat
            .resources
            .get(r.index())
            .is_some_and(|x| matches!(x.kind.as_str(), "mutex" | "rlock" | "rwlock"))
    }

    /// The file line of the instruction `task` reached last.
    fn line(&self, task: TaskId) -> Option<u32> {
        let pc = self.tasks.get(task.index())?.pc?;
        let script = &self.cat.tasks.get(task.index())?.script;
        let at = *script.pc_line.get(pc as usize)?;
        script.first_line.checked_add(at)
    }

    /// `task` asks for `lock` (and waits, or gets it at once): an edge from
    /// each lock it holds.
    fn ask(&mut self, task: TaskId, lock: ResourceId, read: bool) {
        if !self.covered(lock) {
            return;
        }
        let to_line = self.line(task);
        let Some(t) = self.tasks.get(task.index()) else {
            return;
        };
        if t.holds.iter().any(|h| h.lock == lock) {
            // A re-entry, or a wait on itself: no order between two locks.
            return;
        }
        for (i, h) in t.holds.iter().enumerate() {
            let mut before: Vec<ResourceId> = t.holds[..i]
                .iter()
                .filter(|b| !b.read)
                .map(|b| b.lock)
                .collect();
            before.sort();
            before.dedup();
            let key = (h.lock, lock, task);
            match self.index.get(&key) {
                Some(&k) => self.edges[k].held.retain(|g| before.contains(g)),
                None => {
                    self.index.insert(key, self.edges.len());
                    self.edges.push(LockEdge {
                        from: h.lock,
                        to: lock,
                        task,
                        from_line: h.line,
                        to_line,
                        from_read: h.read,
                        to_read: read,
                        held: before,
                    });
                }
            }
        }
    }

    /// `task` now holds `lock`: asked for first, unless it holds it already.
    fn take(&mut self, task: TaskId, lock: ResourceId, read: bool) {
        if !self.covered(lock) {
            return;
        }
        let line = self.line(task);
        let Some(t) = self.tasks.get_mut(task.index()) else {
            return;
        };
        if let Some(h) = t.holds.iter_mut().find(|h| h.lock == lock) {
            h.reads += u32::from(read);
            return;
        }
        self.ask(task, lock, read);
        if let Some(t) = self.tasks.get_mut(task.index()) {
            t.holds.push(Hold {
                lock,
                line,
                read,
                reads: u32::from(read),
            });
        }
    }

    /// `task` let go of `lock` for good (or of one read hold).
    fn drop_hold(&mut self, task: TaskId, lock: ResourceId, read: bool) {
        let Some(t) = self.tasks.get_mut(task.index()) else {
            return;
        };
        let Some(i) = t.holds.iter().position(|h| h.lock == lock) else {
            return;
        };
        if read {
            let h = &mut t.holds[i];
            h.reads = h.reads.saturating_sub(1);
            if h.reads > 0 || !h.read {
                return;
            }
        }
        t.holds.remove(i);
    }
}

/// A depth-first search for elementary cycles, each found once from its
/// smallest lock, with one edge per task.
struct Search<'e> {
    edges: &'e [LockEdge],
    /// The edges out of each lock, in the order of the edges.
    out: HashMap<ResourceId, Vec<usize>>,
    /// Rwlocks that let a reader in past waiting writers: a read hold of
    /// one never blocks a read request.
    reader_pref: BTreeSet<ResourceId>,
    path: Vec<usize>,
    steps: usize,
    found: Vec<Inversion>,
    by_locks: HashMap<Vec<ResourceId>, usize>,
}

impl<'e> Search<'e> {
    fn new(cat: &Catalog, edges: &'e [LockEdge]) -> Search<'e> {
        let mut out: HashMap<ResourceId, Vec<usize>> = HashMap::new();
        for (i, e) in edges.iter().enumerate() {
            out.entry(e.from).or_default().push(i);
        }
        let reader_pref = cat
            .resources
            .iter()
            .enumerate()
            .filter(|(_, r)| r.kind == "rwlock" && r.mode.as_deref() == Some("reader"))
            .map(|(i, _)| ResourceId(i as u32))
            .collect();
        Search {
            edges,
            out,
            reader_pref,
            path: Vec::new(),
            steps: 0,
            found: Vec::new(),
            by_locks: HashMap::new(),
        }
    }

    fn run(mut self) -> Vec<Inversion> {
        let starts: BTreeSet<ResourceId> = self.edges.iter().map(|e| e.from).collect();
        for s in starts {
            self.walk(s, s);
        }
        self.found
    }

    fn walk(&mut self, start: ResourceId, at: ResourceId) {
        let Some(out) = self.out.get(&at).cloned() else {
            return;
        };
        for i in out {
            if self.steps >= SEARCH_STEPS {
                return;
            }
            self.steps += 1;
            let e = &self.edges[i];
            if self.path.iter().any(|&p| self.edges[p].task == e.task) || !self.joins(i) {
                continue;
            }
            if e.to == start {
                self.path.push(i);
                self.close();
                self.path.pop();
                continue;
            }
            let seen = self.path.iter().any(|&p| self.edges[p].from == e.to);
            if e.to < start || seen || self.path.len() + 2 > MAX_CYCLE {
                continue;
            }
            self.path.push(i);
            self.walk(start, e.to);
            self.path.pop();
        }
    }

    /// Whether edge `i` can follow the path: the task before it must be
    /// able to block on the lock it holds (a read request is not blocked by
    /// a read hold of a reader-preferring rwlock).
    fn joins(&self, i: usize) -> bool {
        let e = &self.edges[i];
        let Some(&last) = self.path.last() else {
            return true;
        };
        let prev = &self.edges[last];
        !(prev.to_read && e.from_read && self.reader_pref.contains(&e.from))
    }

    /// The path is a cycle: keep it, or let it stand in for a guarded
    /// witness of the same locks.
    fn close(&mut self) {
        let first = &self.edges[self.path[0]];
        let last = &self.edges[self.path[self.path.len() - 1]];
        if last.to_read && first.from_read && self.reader_pref.contains(&first.from) {
            return;
        }
        let edges: Vec<LockEdge> = self.path.iter().map(|&p| self.edges[p].clone()).collect();
        let locks: Vec<ResourceId> = edges.iter().map(|e| e.from).collect();
        let mut guards = edges[0].held.clone();
        for e in &edges[1..] {
            guards.retain(|g| e.held.contains(g));
        }
        guards.retain(|g| !locks.contains(g));
        let inv = Inversion { edges, guards };
        match self.by_locks.get(&locks) {
            Some(&k) if self.found[k].is_guarded() && !inv.is_guarded() => self.found[k] = inv,
            Some(_) => {}
            None if self.found.len() < MAX_INVERSIONS => {
                self.by_locks.insert(locks, self.found.len());
                self.found.push(inv);
            }
            None => {}
        }
    }
}
