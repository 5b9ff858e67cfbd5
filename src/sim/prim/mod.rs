//! The primitives' states, one kind a file: each file holds the state type
//! and the `Sim` operations that act on it. `exec.rs` dispatches to them.

mod barrier;
mod condition;
mod flag;
mod lock;
mod pool;
mod queue;
mod rwlock;
mod semaphore;
mod token;

pub(super) use barrier::BarrierRt;
pub(super) use condition::CondRt;
pub(super) use flag::FlagRt;
pub(super) use lock::LockRt;
pub(super) use pool::PoolRt;
pub(super) use queue::QueueRt;
pub(super) use rwlock::RwRt;
pub(super) use semaphore::SemRt;
pub(super) use token::TokenRt;

use crate::event::TaskId;
use crate::scenario::{PoolKind, QueueOrder, RwPrefer};

/// A resource's fixed settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum PrimKind {
    Lock {
        reentrant: bool,
    },
    RwLock {
        prefer: RwPrefer,
    },
    Semaphore {
        permits: u32,
        bounded: bool,
    },
    Condition {
        lock: u32,
    },
    Flag {
        set: bool,
    },
    Barrier {
        parties: u32,
    },
    Queue {
        capacity: u32,
        order: QueueOrder,
    },
    Pool {
        workers: u32,
        kind: PoolKind,
        first_proc: u32,
    },
    /// A process's GIL.
    Gil,
    /// A thread's event loop, held by the coroutine that runs on it.
    Loop {
        thread: TaskId,
    },
}

impl PrimKind {
    /// The state a resource of this kind starts in.
    pub(super) fn start(&self) -> Prim {
        match *self {
            PrimKind::Lock { .. } => Prim::Lock(LockRt::default()),
            PrimKind::RwLock { .. } => Prim::RwLock(RwRt::default()),
            PrimKind::Semaphore { permits, .. } => Prim::Semaphore(SemRt::new(permits)),
            PrimKind::Condition { .. } => Prim::Condition(CondRt::default()),
            PrimKind::Flag { set } => Prim::Flag(FlagRt::new(set)),
            PrimKind::Barrier { .. } => Prim::Barrier(BarrierRt::default()),
            PrimKind::Queue { .. } => Prim::Queue(QueueRt::new()),
            PrimKind::Pool { workers, .. } => Prim::Pool(PoolRt::new(workers)),
            PrimKind::Gil | PrimKind::Loop { .. } => Prim::Token(TokenRt::default()),
        }
    }
}

/// A resource's changing state.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) enum Prim {
    Lock(LockRt),
    RwLock(RwRt),
    Semaphore(SemRt),
    Condition(CondRt),
    Flag(FlagRt),
    Barrier(BarrierRt),
    Queue(QueueRt),
    Pool(PoolRt),
    Token(TokenRt),
}

impl Prim {
    /// Takes `t` off the resource's wait lists (a timeout, a kill).
    pub(super) fn forget(&mut self, t: TaskId) {
        match self {
            Prim::Lock(l) => l.waiters.retain(|&w| w != t),
            Prim::RwLock(l) => l.waiters.retain(|&(w, _)| w != t),
            Prim::Semaphore(s) => s.waiters.retain(|&w| w != t),
            Prim::Condition(c) => c.waiters.retain(|&w| w != t),
            Prim::Flag(f) => f.waiters.retain(|&w| w != t),
            Prim::Barrier(b) => b.waiting.retain(|&w| w != t),
            Prim::Queue(q) => q.forget(t),
            Prim::Pool(p) => p.waiters.retain(|&w| w != t),
            Prim::Token(k) => k.waiters.retain(|&w| w != t),
        }
    }

    /// Whether `t` is on one of the resource's wait lists.
    pub(super) fn has_waiter(&self, t: TaskId) -> bool {
        match self {
            Prim::Lock(l) => l.waiters.contains(&t),
            Prim::RwLock(l) => l.waiters.iter().any(|&(w, _)| w == t),
            Prim::Semaphore(s) => s.waiters.contains(&t),
            Prim::Condition(c) => c.waiters.contains(&t),
            Prim::Flag(f) => f.waiters.contains(&t),
            Prim::Barrier(b) => b.waiting.contains(&t),
            Prim::Queue(q) => {
                q.getters.contains(&t)
                    || q.putters.iter().any(|&(w, _)| w == t)
                    || q.joiners.contains(&t)
            }
            Prim::Pool(p) => p.waiters.contains(&t),
            Prim::Token(k) => k.waiters.contains(&t),
        }
    }
}

/// Returns the state of the resource if it is of the given variant.
macro_rules! prim_as {
    ($sim:expr, $r:expr, $variant:ident) => {
        match $sim.prims.get_mut($r as usize) {
            Some(crate::sim::prim::Prim::$variant(x)) => Some(x),
            _ => None,
        }
    };
}
pub(super) use prim_as;
