//! The writer thread: it gathers what the recorded threads send, merges
//! their events into one order of time, and writes the trace.
//!
//! Events reach it through each thread's own ring ([`Rings`]); the rest
//! (declarations of tasks and primitives, flushes, the end) through a
//! channel, rarely. The writer works in rounds: it empties every ring, then
//! the channel, writes the declarations, and writes the events gathered so
//! far in the order of their times, up to a little before the round began
//! (events of other threads may still be on their way). A thread pushes an
//! event only after it has declared what the event names, so a round that
//! takes an event from a ring has its declarations from the channel; a
//! release is stamped before the lock is let go and an acquisition after it
//! is taken, so the merge keeps a lock's hand-over in order.
//!
//! A flush or the end is done one round after it arrives, so that the
//! events its thread pushed before sending it are in.

use std::path::PathBuf;
use std::time::Duration;

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};

use crate::event::lines::Declaration;
use crate::event::{Catalog, Event, EventKind, Outcome, TaskId, TaskInfo};

/// One event as a thread records it: the clock's raw reading, and what
/// happened.
pub(super) type Stamp = (u64, EventKind);

/// What the recorded threads send to the writer over the channel.
pub(super) enum Msg {
    Task(TaskInfo),
    Resource(crate::event::ResourceInfo),
    /// An event of a thread whose ring is gone (at its very end), with its
    /// nanoseconds since the start.
    Event(u64, EventKind),
    /// A task's id in the operating system.
    OsId(TaskId, u64),
    /// The place of a task's next wait.
    WaitAt(TaskId, String),
    /// Write what was sent so far; answer when it is written.
    Flush(Sender<()>),
    /// The run is over, with this outcome: written last.
    End(Outcome),
}

/// The rings of the recorded threads, as the writer reads them.
pub(super) type Rings = parking_lot::Mutex<Vec<rtrb::Consumer<Stamp>>>;

/// How long an event waits before it is written, for the events of other
/// threads stamped before it to arrive.
const SETTLE_NS: u64 = 2_000_000;

/// How long the writer sleeps when nothing comes.
const IDLE: Duration = Duration::from_millis(2);

/// The shortest and the longest tick `WEFT_TICK` may set.
const TICK_RANGE: std::ops::RangeInclusive<u64> = 1_000..=10_000_000_000;

/// The writer's state between rounds.
struct Writer {
    out: std::io::BufWriter<std::fs::File>,
    path: PathBuf,
    tick_ns: u64,
    /// Events taken in but not written yet: (nanoseconds, what).
    pending: Vec<(u64, EventKind)>,
    /// The lines of a round, before they are written.
    lines: Vec<u8>,
    seq: u64,
    tick: u64,
    ns: u64,
    ended: bool,
    dropped_written: u64,
    dropped_said: u64,
}

/// Runs the writer until the end is written or every sender is gone.
pub(super) fn writer(rx: Receiver<Msg>, path: PathBuf, rec: &'static super::recorder::Recorder) {
    let tick_ns = tick_ns();
    let Ok(file) = std::fs::File::create(&path) else {
        eprintln!("weft: cannot write the trace {}", path.display());
        return;
    };
    let mut w = Writer {
        out: std::io::BufWriter::with_capacity(1 << 16, file),
        path,
        tick_ns,
        pending: Vec::new(),
        lines: Vec::new(),
        seq: 0,
        tick: 0,
        ns: 0,
        ended: false,
        dropped_written: 0,
        dropped_said: 0,
    };
    let _ = crate::event::lines::write_header(&mut w.out, &live_catalog(tick_ns));
    let mut due: Vec<Msg> = Vec::new();
    let mut gone = false;
    while !w.ended && !gone {
        let start = rec.now();
        let written = w.seq;
        let mut took = rec.drain_rings(&mut w.pending);
        let mut later: Vec<Msg> = Vec::new();
        loop {
            match rx.try_recv() {
                Ok(m) => {
                    took = true;
                    if let Err(e) = w.take(m, &mut later) {
                        return w.failed(&e);
                    }
                }
                Err(crossbeam_channel::TryRecvError::Empty) => break,
                Err(crossbeam_channel::TryRecvError::Disconnected) => {
                    gone = true;
                    break;
                }
            }
        }
        // The flushes and the end that came a round ago: everything their
        // threads pushed before sending them is in now.
        let settle = if due.is_empty() && !gone {
            start.saturating_sub(SETTLE_NS)
        } else {
            u64::MAX
        };
        if let Err(e) = w.write_events(settle, rec) {
            return w.failed(&e);
        }
        for m in due.drain(..) {
            if let Err(e) = w.finish(m, rec) {
                return w.failed(&e);
            }
        }
        due = later;
        // What this round wrote goes to the file now, so that a reader
        // following it (`weft watch`) is not held back by the buffer; a
        // busy round writes many events at once.
        if took || w.seq != written {
            if let Err(e) = std::io::Write::flush(&mut w.out) {
                return w.failed(&e);
            }
        }
        if !took && due.is_empty() {
            // Nothing came: wait for the channel a little, then look at
            // the rings again.
            match rx.recv_timeout(IDLE) {
                Ok(m) => {
                    let mut later = Vec::new();
                    if let Err(e) = w.take(m, &mut later) {
                        return w.failed(&e);
                    }
                    due = later;
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => gone = true,
            }
        }
    }
    // The trace is whole: what comes after is not recorded, but a flush
    // (one that came with the end, or later) is still answered once the
    // file is written, so that no thread waits for it.
    let _ = std::io::Write::flush(&mut w.out);
    for m in due.into_iter().chain(rx.iter()) {
        if let Msg::Flush(done) = m {
            let _ = std::io::Write::flush(&mut w.out);
            let _ = done.send(());
        }
    }
}

impl Writer {
    /// Takes one message: declarations are written at once, events join
    /// the pending ones, flushes and the end wait a round.
    fn take(&mut self, m: Msg, later: &mut Vec<Msg>) -> std::io::Result<()> {
        use crate::event::lines::write_declaration;
        match m {
            Msg::Task(info) => write_declaration(&mut self.out, &Declaration::Task(info)),
            Msg::Resource(info) => write_declaration(&mut self.out, &Declaration::Resource(info)),
            Msg::OsId(task, id) => {
                write_declaration(&mut self.out, &Declaration::OsId { task, id })
            }
            Msg::WaitAt(task, at) => {
                write_declaration(&mut self.out, &Declaration::WaitAt { task, at })
            }
            Msg::Event(at, kind) => {
                self.pending.push((at, kind));
                Ok(())
            }
            m @ (Msg::Flush(_) | Msg::End(_)) => {
                later.push(m);
                Ok(())
            }
        }
    }

    /// Writes the pending events stamped up to `until`, in the order of
    /// their times (those of one thread keep their order); the rest wait.
    fn write_events(&mut self, until: u64, rec: &super::recorder::Recorder) -> std::io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        self.pending.sort_by_key(|(at, _)| *at);
        let n = self.pending.partition_point(|(at, _)| *at <= until);
        // The lines are made in memory and written at once.
        let mut lines = std::mem::take(&mut self.lines);
        lines.clear();
        let ready: Vec<(u64, EventKind)> = self.pending.drain(..n).collect();
        for (at, kind) in ready {
            if self.ended {
                break;
            }
            if self.seq as usize >= crate::limits::MAX_EVENTS {
                rec.count_dropped(1);
                continue;
            }
            // A late event (its thread was held up between the clock and
            // the ring) takes the time already reached: time never goes
            // back in the trace.
            self.ns = self.ns.max(at);
            self.tick = self.tick.max(self.ns / self.tick_ns);
            let e = Event {
                seq: self.seq,
                tick: self.tick,
                kind,
            };
            self.seq += 1;
            crate::event::lines::write_stamped_to(&mut lines, &e, self.ns)?;
        }
        let written = std::io::Write::write_all(&mut self.out, &lines);
        self.lines = lines;
        written
    }

    /// Does a flush or writes the end.
    fn finish(&mut self, m: Msg, rec: &super::recorder::Recorder) -> std::io::Result<()> {
        match m {
            Msg::End(outcome) if !self.ended => {
                self.write_dropped(rec)?;
                let e = Event {
                    seq: self.seq,
                    tick: self.tick,
                    kind: EventKind::End { outcome },
                };
                self.seq += 1;
                self.ended = true;
                crate::event::lines::write_stamped_to(&mut self.out, &e, self.ns)?;
                std::io::Write::flush(&mut self.out)
            }
            Msg::Flush(done) => {
                let r = self
                    .write_dropped(rec)
                    .and_then(|()| std::io::Write::flush(&mut self.out));
                let dropped = rec.dropped_so_far();
                if dropped > self.dropped_said {
                    eprintln!("weft: {dropped} events were dropped: the recorder fell behind");
                    self.dropped_said = dropped;
                }
                let _ = done.send(());
                r
            }
            _ => Ok(()),
        }
    }

    /// The count of dropped events, written when it has grown, so that a
    /// reader following the trace sees it.
    fn write_dropped(&mut self, rec: &super::recorder::Recorder) -> std::io::Result<()> {
        let dropped = rec.dropped_so_far();
        if dropped > self.dropped_written {
            self.dropped_written = dropped;
            return crate::event::lines::write_declaration(
                &mut self.out,
                &Declaration::DroppedEvents(dropped),
            );
        }
        Ok(())
    }

    fn failed(&self, e: &std::io::Error) {
        eprintln!(
            "weft: writing the trace {} failed: {e}",
            self.path.display()
        );
    }
}

/// The length of the trace's tick: `WEFT_TICK` (`100us`, `10ms`) when it
/// is a duration from 1µs to 10s, else 1 ms (said on stderr).
fn tick_ns() -> u64 {
    const DEFAULT: u64 = 1_000_000;
    let Some(text) = std::env::var_os("WEFT_TICK") else {
        return DEFAULT;
    };
    let text = text.to_string_lossy();
    match crate::event::parse_duration(&text) {
        Some(ns) if TICK_RANGE.contains(&ns) => ns,
        _ => {
            eprintln!(
                "weft: WEFT_TICK={text} is not a duration from 1us to 10s (such as 100us or 10ms); \
                 the tick is 1ms"
            );
            DEFAULT
        }
    }
}

/// The header of a real program's trace: its tasks and resources come as
/// declarations; it may use up to `MAX_CPUS` CPU lanes (one a thread), and
/// the reader keeps those its events use.
fn live_catalog(tick_ns: u64) -> Catalog {
    let name = std::env::args()
        .next()
        .and_then(|a| a.rsplit(['/', '\\']).next().map(str::to_string))
        .unwrap_or_else(|| "program".into());
    Catalog {
        description: "A real program, recorded by weft::sync.".into(),
        path: "weft::sync".into(),
        cpus: crate::limits::MAX_CPUS as u32,
        policy: "os".into(),
        tick_label: crate::event::format_duration(tick_ns),
        max_ticks: crate::limits::MAX_TICKS as u64,
        ..Catalog::empty(&name, "live")
    }
}
