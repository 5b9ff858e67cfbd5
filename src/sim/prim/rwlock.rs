//! Readers-writer locks: shared reads, exclusive writes, and the three
//! preferences (fair FIFO, readers first, writers first).

use std::collections::VecDeque;

use super::{prim_as, PrimKind};
use crate::event::{Event, EventKind, Failure, ResourceId, TaskId, WaitOn};
use crate::scenario::RwPrefer;
use crate::sim::exec::OpEnd;
use crate::sim::Sim;

/// Who holds an rwlock and who waits, with the mode each wants (true: write).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub(in crate::sim) struct RwRt {
    pub(in crate::sim) writer: Option<TaskId>,
    pub(in crate::sim) readers: Vec<TaskId>,
    pub(in crate::sim) waiters: VecDeque<(TaskId, bool)>,
}

impl RwRt {
    /// Whether a new reader may enter now.
    fn reader_may_enter(&self, prefer: RwPrefer) -> bool {
        self.writer.is_none()
            && match prefer {
                RwPrefer::Fair => self.waiters.is_empty(),
                RwPrefer::Reader => true,
                RwPrefer::Writer => !self.waiters.iter().any(|&(_, w)| w),
            }
    }

    /// Whether a new writer may enter now.
    fn writer_may_enter(&self) -> bool {
        self.writer.is_none() && self.readers.is_empty() && self.waiters.is_empty()
    }

    /// The waiters to let in now, in order, after a release.
    fn grants(&mut self, prefer: RwPrefer) -> Vec<(TaskId, bool)> {
        let mut granted = Vec::new();
        match prefer {
            RwPrefer::Fair => {
                while let Some(&(t, write)) = self.waiters.front() {
                    let ok = if write {
                        self.writer.is_none() && self.readers.is_empty()
                    } else {
                        self.writer.is_none()
                    };
                    if !ok {
                        break;
                    }
                    self.waiters.pop_front();
                    self.admit(t, write, &mut granted);
                    if write {
                        break;
                    }
                }
            }
            RwPrefer::Reader | RwPrefer::Writer => {
                let writer_waits = self.waiters.iter().any(|&(_, w)| w);
                let readers_now = prefer == RwPrefer::Reader || !writer_waits;
                if readers_now && self.writer.is_none() {
                    let (readers, rest): (VecDeque<_>, VecDeque<_>) =
                        self.waiters.drain(..).partition(|&(_, w)| !w);
                    self.waiters = rest;
                    for (t, _) in readers {
                        self.admit(t, false, &mut granted);
                    }
                }
                if self.writer.is_none() && self.readers.is_empty() {
                    if let Some(i) = self.waiters.iter().position(|&(_, w)| w) {
                        if let Some((t, _)) = self.waiters.remove(i) {
                            self.admit(t, true, &mut granted);
                        }
                    }
                }
            }
        }
        granted
    }

    fn admit(&mut self, t: TaskId, write: bool, granted: &mut Vec<(TaskId, bool)>) {
        if write {
            self.writer = Some(t);
        } else {
            self.readers.push(t);
        }
        granted.push((t, write));
    }
}

impl Sim {
    fn prefer(&self, r: u32) -> RwPrefer {
        match self.fixed.kinds[r as usize] {
            PrimKind::RwLock { prefer } => prefer,
            _ => RwPrefer::Fair,
        }
    }

    /// `acquire` (`write`) or `acquire_read` of an rwlock.
    pub(in crate::sim) fn rw_acquire(
        &mut self,
        t: TaskId,
        r: u32,
        write: bool,
        timeout: Option<u64>,
        out: &mut Vec<Event>,
    ) -> OpEnd {
        let lock = ResourceId(r);
        let prefer = self.prefer(r);
        let Some(rw) = prim_as!(self, r, RwLock) else {
            return OpEnd::Done;
        };
        let may = if write {
            rw.writer_may_enter()
        } else {
            rw.reader_may_enter(prefer)
        };
        if may {
            let mut granted = Vec::new();
            rw.admit(t, write, &mut granted);
            let readers = rw.readers.len() as u32;
            self.emit_rw_grant(t, lock, write, readers, out);
            return OpEnd::Done;
        }
        if timeout == Some(0) {
            return OpEnd::Failed(Failure::Timeout(lock));
        }
        rw.waiters.push_back((t, write));
        self.emit(out, EventKind::LockWait { task: t, lock });
        let on = if write {
            WaitOn::Lock(lock)
        } else {
            WaitOn::Read(lock)
        };
        self.block(t, on, timeout, out);
        OpEnd::Blocked
    }

    fn emit_rw_grant(
        &mut self,
        t: TaskId,
        lock: ResourceId,
        write: bool,
        readers: u32,
        out: &mut Vec<Event>,
    ) {
        let kind = if write {
            EventKind::LockAcquire {
                task: t,
                lock,
                depth: 1,
            }
        } else {
            EventKind::ReadAcquire {
                task: t,
                lock,
                readers,
            }
        };
        self.emit(out, kind);
    }

    /// `release` (`write`) or `release_read` of an rwlock.
    pub(in crate::sim) fn rw_release(
        &mut self,
        t: TaskId,
        r: u32,
        write: bool,
        out: &mut Vec<Event>,
    ) -> OpEnd {
        let lock = ResourceId(r);
        let prefer = self.prefer(r);
        let Some(rw) = prim_as!(self, r, RwLock) else {
            return OpEnd::Done;
        };
        if write {
            if rw.writer != Some(t) {
                return OpEnd::Failed(Failure::NotHeld(lock));
            }
            rw.writer = None;
        } else {
            let Some(i) = rw.readers.iter().position(|&x| x == t) else {
                return OpEnd::Failed(Failure::NotHeld(lock));
            };
            rw.readers.remove(i);
        }
        let readers = rw.readers.len() as u32;
        let granted = rw.grants(prefer);
        let after: Vec<u32> = {
            let mut n = readers;
            granted
                .iter()
                .map(|&(_, w)| {
                    if !w {
                        n += 1;
                    }
                    n
                })
                .collect()
        };
        let released = if write {
            EventKind::LockRelease {
                task: t,
                lock,
                depth: 0,
            }
        } else {
            EventKind::ReadRelease {
                task: t,
                lock,
                readers,
            }
        };
        self.emit(out, released);
        for (&(w, write), n) in granted.iter().zip(after) {
            self.emit_rw_grant(w, lock, write, n, out);
            self.wake_done(w, out);
        }
        OpEnd::Done
    }
}
