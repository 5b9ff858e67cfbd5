//! Readers-writer locks: shared reads, exclusive writes, and the three
//! preferences (fair FIFO, readers first, writers first).

use super::super::board::{Grant, State};
use super::{OpEnd, Res};
use std::collections::VecDeque;

use crate::event::{EventKind, Failure, ResourceId, TaskId, WaitOn};
use crate::scenario::RwPrefer;

impl State {
    pub fn rw_acquire(&mut self, t: TaskId, r: u32, write: bool, timeout: Option<u64>) -> OpEnd {
        let lock = ResourceId(r);
        let Res::Rw {
            prefer,
            writer,
            readers,
            waiters,
        } = &mut self.res[r as usize]
        else {
            return OpEnd::Done;
        };
        let may = if write {
            writer.is_none() && readers.is_empty() && waiters.is_empty()
        } else {
            writer.is_none()
                && match prefer {
                    RwPrefer::Fair => waiters.is_empty(),
                    RwPrefer::Reader => true,
                    RwPrefer::Writer => !waiters.iter().any(|&(_, w)| w),
                }
        };
        if may {
            if write {
                *writer = Some(t);
            } else {
                readers.push(t);
            }
            let n = readers.len() as u32;
            self.emit(rw_grant(t, lock, write, n));
            return OpEnd::Done;
        }
        if timeout == Some(0) {
            return OpEnd::Failed(Failure::Timeout(lock));
        }
        waiters.push_back((t, write));
        self.emit(EventKind::LockWait { task: t, lock });
        OpEnd::Wait(if write {
            WaitOn::Lock(lock)
        } else {
            WaitOn::Read(lock)
        })
    }

    /// `release_read` (`write` false) or `release` (true) of an rwlock.
    pub fn rw_release(&mut self, t: TaskId, r: u32, write: bool) -> OpEnd {
        let lock = ResourceId(r);
        let Res::Rw {
            prefer,
            writer,
            readers,
            waiters,
        } = &mut self.res[r as usize]
        else {
            return OpEnd::Done;
        };
        if write {
            if *writer != Some(t) {
                return OpEnd::Failed(Failure::NotHeld(lock));
            }
            *writer = None;
        } else {
            let Some(i) = readers.iter().position(|&x| x == t) else {
                return OpEnd::Failed(Failure::NotHeld(lock));
            };
            readers.remove(i);
        }
        let before = readers.len() as u32;
        let mut granted: Vec<(TaskId, bool)> = Vec::new();
        let mut admit = |writer: &mut Option<TaskId>, readers: &mut Vec<TaskId>, t, w| {
            if w {
                *writer = Some(t);
            } else {
                readers.push(t);
            }
            granted.push((t, w));
        };
        match prefer {
            RwPrefer::Fair => {
                while let Some(&(w, wr)) = waiters.front() {
                    let ok = writer.is_none() && (!wr || readers.is_empty());
                    if !ok {
                        break;
                    }
                    waiters.pop_front();
                    admit(writer, readers, w, wr);
                    if wr {
                        break;
                    }
                }
            }
            RwPrefer::Reader | RwPrefer::Writer => {
                let writer_waits = waiters.iter().any(|&(_, w)| w);
                let readers_now = *prefer == RwPrefer::Reader || !writer_waits;
                if readers_now && writer.is_none() {
                    let (rs, rest): (VecDeque<_>, VecDeque<_>) =
                        waiters.drain(..).partition(|&(_, w)| !w);
                    *waiters = rest;
                    for (w, _) in rs {
                        admit(writer, readers, w, false);
                    }
                }
                if writer.is_none() && readers.is_empty() {
                    if let Some(i) = waiters.iter().position(|&(_, w)| w) {
                        if let Some((w, _)) = waiters.remove(i) {
                            admit(writer, readers, w, true);
                        }
                    }
                }
            }
        }
        self.emit(if write {
            EventKind::LockRelease {
                task: t,
                lock,
                depth: 0,
            }
        } else {
            EventKind::ReadRelease {
                task: t,
                lock,
                readers: before,
            }
        });
        let mut n = before;
        for (w, wr) in granted {
            if !wr {
                n += 1;
            }
            self.emit(rw_grant(w, lock, wr, n));
            self.grant(w, Grant::Done);
        }
        OpEnd::Done
    }
}

/// The event of an rwlock's grant.
fn rw_grant(t: TaskId, lock: ResourceId, write: bool, readers: u32) -> EventKind {
    if write {
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
    }
}
