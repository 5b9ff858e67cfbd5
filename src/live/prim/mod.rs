//! The resources of a live run, with the simulator's rules: locks and
//! rlocks hand over in FIFO order, rwlocks by their preference, semaphores
//! FIFO (bounded ones refuse an over-release), a condition's waiter queues
//! for its lock again after a notify, an event wakes every waiter, the
//! last of a barrier's parties lets all pass and a timeout breaks it, a
//! queue hands items straight to waiting getters and takes them from
//! waiting putters, and tokens (a GIL, a loop's turn) go to the longest
//! waiter.
//!
//! Each operation runs under the board's lock and says whether it is done,
//! must wait, or failed; the waiter's thread then parks (see `board`).
//! This file holds the states; each kind's operations are in a file of
//! their own.

mod barrier;
mod condition;
mod flag;
mod lock;
mod queue;
mod rwlock;
mod semaphore;

use std::collections::VecDeque;

use crate::event::{Catalog, Failure, TaskId, WaitOn};
use crate::scenario::{QueueOrder, ResourceKind, RwPrefer, Scenario};

/// How an operation ended for the task that ran it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum OpEnd {
    Done,
    /// The task must wait on this (it is in the resource's line already).
    Wait(WaitOn),
    Failed(Failure),
}

/// A condition's waiter on its way back to the lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Relock {
    pub cond: u32,
    pub lock: u32,
    pub depth: u32,
    pub timed_out: bool,
}

/// One resource's state.
#[derive(Debug)]
pub(super) enum Res {
    Lock {
        reentrant: bool,
        holder: Option<TaskId>,
        depth: u32,
        waiters: VecDeque<TaskId>,
    },
    Rw {
        prefer: RwPrefer,
        writer: Option<TaskId>,
        readers: Vec<TaskId>,
        waiters: VecDeque<(TaskId, bool)>,
    },
    Sem {
        start: u32,
        bounded: bool,
        left: u32,
        holders: Vec<(TaskId, u32)>,
        waiters: VecDeque<TaskId>,
    },
    Cond {
        lock: u32,
        waiters: VecDeque<TaskId>,
    },
    Flag {
        set: bool,
        waiters: Vec<TaskId>,
    },
    Barrier {
        parties: u32,
        waiting: Vec<TaskId>,
        broken: bool,
    },
    Queue {
        capacity: u32,
        order: QueueOrder,
        items: VecDeque<i64>,
        getters: VecDeque<TaskId>,
        putters: VecDeque<(TaskId, i64)>,
        joiners: Vec<TaskId>,
        unfinished: u32,
        next: i64,
    },
    Pool {
        workers: Vec<Option<TaskId>>,
        waiters: VecDeque<TaskId>,
        closed: bool,
    },
    /// A GIL or a loop's turn: one holder, FIFO waiters; a loop is open
    /// once its thread reaches `run_loop`.
    Token {
        holder: Option<TaskId>,
        waiters: VecDeque<TaskId>,
        open: bool,
    },
}

impl Res {
    /// The states of a run's resources, by the catalog's ids.
    pub fn all(scenario: &Scenario, catalog: &Catalog) -> Vec<Res> {
        catalog
            .resources
            .iter()
            .enumerate()
            .map(
                |(i, info)| match scenario.resources.get(i).map(|r| &r.kind) {
                    Some(kind) => Res::of(kind),
                    None => Res::Token {
                        holder: None,
                        waiters: VecDeque::new(),
                        open: info.kind != "loop",
                    },
                },
            )
            .collect()
    }

    fn of(kind: &ResourceKind) -> Res {
        match *kind {
            ResourceKind::Mutex | ResourceKind::RLock => Res::Lock {
                reentrant: matches!(kind, ResourceKind::RLock),
                holder: None,
                depth: 0,
                waiters: VecDeque::new(),
            },
            ResourceKind::RwLock { prefer } => Res::Rw {
                prefer,
                writer: None,
                readers: Vec::new(),
                waiters: VecDeque::new(),
            },
            ResourceKind::Semaphore { permits, bounded } => Res::Sem {
                start: permits,
                bounded,
                left: permits,
                holders: Vec::new(),
                waiters: VecDeque::new(),
            },
            ResourceKind::Condition { lock } => Res::Cond {
                lock: lock as u32,
                waiters: VecDeque::new(),
            },
            ResourceKind::Event { set } => Res::Flag {
                set,
                waiters: Vec::new(),
            },
            ResourceKind::Barrier { parties } => Res::Barrier {
                parties: parties.max(1),
                waiting: Vec::new(),
                broken: false,
            },
            ResourceKind::Queue { capacity, order } => Res::Queue {
                capacity,
                order,
                items: VecDeque::new(),
                getters: VecDeque::new(),
                putters: VecDeque::new(),
                joiners: Vec::new(),
                unfinished: 0,
                next: 1,
            },
            ResourceKind::Pool { workers, .. } => Res::Pool {
                workers: vec![None; workers.max(1) as usize],
                waiters: VecDeque::new(),
                closed: false,
            },
        }
    }

    /// Takes `t` off every wait line of this resource.
    pub fn forget(&mut self, t: TaskId) {
        match self {
            Res::Lock { waiters, .. } | Res::Sem { waiters, .. } | Res::Cond { waiters, .. } => {
                waiters.retain(|&w| w != t)
            }
            Res::Token { waiters, .. } | Res::Pool { waiters, .. } => waiters.retain(|&w| w != t),
            Res::Rw { waiters, .. } => waiters.retain(|&(w, _)| w != t),
            Res::Flag { waiters, .. } => waiters.retain(|&w| w != t),
            Res::Barrier { waiting, .. } => waiting.retain(|&w| w != t),
            Res::Queue {
                getters,
                putters,
                joiners,
                ..
            } => {
                getters.retain(|&w| w != t);
                putters.retain(|&(w, _)| w != t);
                joiners.retain(|&w| w != t);
            }
        }
    }

    /// The lock's holder (a mutex or an rlock).
    pub fn holder(&self) -> Option<TaskId> {
        match self {
            Res::Lock { holder, .. } | Res::Token { holder, .. } => *holder,
            _ => None,
        }
    }

    pub fn free_worker(&self) -> Option<u32> {
        match self {
            Res::Pool { workers, .. } => workers.iter().position(Option::is_none).map(|k| k as u32),
            _ => Some(0),
        }
    }

    pub fn queue_job(&mut self, t: TaskId) {
        if let Res::Pool { waiters, .. } = self {
            if !waiters.contains(&t) {
                waiters.push_back(t);
            }
        }
    }

    pub fn next_job(&mut self) -> Option<TaskId> {
        match self {
            Res::Pool { waiters, .. } => waiters.pop_front(),
            _ => None,
        }
    }

    pub fn set_worker(&mut self, k: u32, t: Option<TaskId>) {
        if let Res::Pool { workers, .. } = self {
            if let Some(w) = workers.get_mut(k as usize) {
                *w = t;
            }
        }
    }

    pub fn token_free_for(&self, t: TaskId) -> bool {
        match self {
            Res::Token {
                holder,
                waiters,
                open,
            } => *open && (holder.is_none() && waiters.is_empty() || *holder == Some(t)),
            _ => true,
        }
    }

    pub fn token_take(&mut self, t: TaskId) {
        if let Res::Token { holder, .. } = self {
            *holder = Some(t);
        }
    }

    pub fn token_queue(&mut self, t: TaskId) {
        if let Res::Token { waiters, .. } = self {
            if !waiters.contains(&t) {
                waiters.push_back(t);
            }
        }
    }

    /// `t` gives the token back: whether it held it.
    pub fn token_give(&mut self, t: TaskId) -> bool {
        match self {
            Res::Token { holder, .. } if *holder == Some(t) => {
                *holder = None;
                true
            }
            _ => false,
        }
    }

    /// The first waiter takes the free token.
    pub fn token_next(&mut self) -> Option<TaskId> {
        match self {
            Res::Token {
                holder: holder @ None,
                waiters,
                open: true,
            } => {
                let w = waiters.pop_front()?;
                *holder = Some(w);
                Some(w)
            }
            _ => None,
        }
    }

    pub fn token_has_waiters(&self) -> bool {
        matches!(self, Res::Token { waiters, .. } if !waiters.is_empty())
    }
}
