//! The trace of a live run: the header at once, then every few
//! milliseconds the events and declarations the board has queued, in
//! their order (each was stamped under the board's lock), each event with
//! its tick (its time over the tick's length) and its nanoseconds.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use super::board::Board;
use crate::event::lines::{write_declaration, write_header, write_stamped_to, Declaration};
use crate::event::{Catalog, Event, EventKind};

/// How often the queued lines are written.
const ROUND: Duration = Duration::from_millis(5);

/// A line to write.
#[derive(Debug)]
pub(super) enum Out {
    /// An event at its nanoseconds since the start.
    Event(u64, EventKind),
    Decl(Declaration),
}

pub(super) struct Writer {
    out: std::io::BufWriter<std::fs::File>,
    tick_ns: u64,
}

impl Writer {
    /// Creates the trace and writes its header.
    pub fn create(path: &Path, catalog: &Catalog, tick_ns: u64) -> std::io::Result<Writer> {
        let file = std::fs::File::create(path)?;
        let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
        write_header(&mut out, catalog)?;
        out.flush()?;
        Ok(Writer { out, tick_ns })
    }

    /// Writes what the board queues until the run's end is written.
    pub fn run(mut self, board: &Board) {
        let mut seq = 0u64;
        loop {
            std::thread::sleep(ROUND);
            let batch = std::mem::take(&mut board.lock().out);
            let mut ended = false;
            for item in batch {
                let written = match item {
                    Out::Decl(d) => write_declaration(&mut self.out, &d),
                    Out::Event(ns, kind) => {
                        ended |= matches!(kind, EventKind::End { .. });
                        let e = Event {
                            seq,
                            tick: ns / self.tick_ns,
                            kind,
                        };
                        seq += 1;
                        write_stamped_to(&mut self.out, &e, ns)
                    }
                };
                if let Err(e) = written {
                    eprintln!("weft: cannot write the trace: {e}");
                    return;
                }
            }
            if self.out.flush().is_err() || ended {
                return;
            }
        }
    }
}
