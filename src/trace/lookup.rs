//! Typed lookups into a [`World`]'s resources: the state of one kind by
//! id (`None` for an id out of range or of another kind), its waiters, and
//! what a task holds.

use crate::event::{ResourceId, TaskId};

use super::resources::{
    BarrierState, ConditionState, FlagState, LockState, PoolState, PrimState, QueueState,
    ResourceState, RwLockState, SemaphoreState, Waiting,
};
use super::World;

impl World {
    /// The state of a resource's kind.
    pub fn prim_of(&self, r: ResourceId) -> Option<&PrimState> {
        self.resources.get(r.index()).map(|x| &x.prim)
    }

    /// Who is blocked on a resource, in the order they blocked.
    pub fn waiters(&self, r: ResourceId) -> &[Waiting] {
        self.resources
            .get(r.index())
            .map_or(&[], ResourceState::waiters)
    }

    /// A lock's state (mutex, rlock, GIL, loop).
    pub fn lock(&self, r: ResourceId) -> Option<&LockState> {
        match self.prim_of(r)? {
            PrimState::Lock(l) => Some(l),
            _ => None,
        }
    }

    /// An rwlock's state.
    pub fn rwlock(&self, r: ResourceId) -> Option<&RwLockState> {
        match self.prim_of(r)? {
            PrimState::RwLock(x) => Some(x),
            _ => None,
        }
    }

    /// A semaphore's state.
    pub fn semaphore(&self, r: ResourceId) -> Option<&SemaphoreState> {
        match self.prim_of(r)? {
            PrimState::Semaphore(x) => Some(x),
            _ => None,
        }
    }

    /// A condition's state.
    pub fn condition(&self, r: ResourceId) -> Option<&ConditionState> {
        match self.prim_of(r)? {
            PrimState::Condition(x) => Some(x),
            _ => None,
        }
    }

    /// An event's state.
    pub fn flag(&self, r: ResourceId) -> Option<&FlagState> {
        match self.prim_of(r)? {
            PrimState::Flag(x) => Some(x),
            _ => None,
        }
    }

    /// A barrier's state.
    pub fn barrier(&self, r: ResourceId) -> Option<&BarrierState> {
        match self.prim_of(r)? {
            PrimState::Barrier(x) => Some(x),
            _ => None,
        }
    }

    /// A queue's state.
    pub fn queue(&self, r: ResourceId) -> Option<&QueueState> {
        match self.prim_of(r)? {
            PrimState::Queue(x) => Some(x),
            _ => None,
        }
    }

    /// A pool's state.
    pub fn pool(&self, r: ResourceId) -> Option<&PoolState> {
        match self.prim_of(r)? {
            PrimState::Pool(x) => Some(x),
            _ => None,
        }
    }

    /// The resources a task holds, in id order: locks (GIL and loops
    /// included), rwlocks for reading or writing, semaphore permits.
    pub fn held_by(&self, task: TaskId) -> Vec<ResourceId> {
        (0..self.resources.len())
            .map(|i| ResourceId(i as u32))
            .filter(|&r| {
                let Some(p) = self.prim_of(r) else {
                    return false;
                };
                !matches!(p, PrimState::Pool(_)) && p.holders().contains(&task)
            })
            .collect()
    }
}
