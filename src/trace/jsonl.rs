//! The trace file: JSON Lines, a header line with the catalog, then one
//! event a line.

use std::io::{BufRead, Write};

use serde::{Deserialize, Serialize};

use super::Trace;
use crate::event::{Catalog, Event};

/// The version of the trace format.
pub const TRACE_VERSION: u32 = 1;

#[derive(Deserialize)]
struct Header {
    weft_trace: u32,
    catalog: Catalog,
}

/// A trace that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum TraceError {
    /// The file could not be read.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// A line is not what the format says.
    #[error("line {line}: {message}")]
    Bad {
        /// The 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// The header as written: the catalog borrowed, not copied.
#[derive(Serialize)]
struct HeaderOut<'a> {
    weft_trace: u32,
    catalog: &'a Catalog,
}

/// Writes the header line (in one write, so `out` need not be buffered).
pub fn write_header(out: &mut impl Write, catalog: &Catalog) -> std::io::Result<()> {
    let mut line = serde_json::to_vec(&HeaderOut {
        weft_trace: TRACE_VERSION,
        catalog,
    })?;
    line.push(b'\n');
    out.write_all(&line)
}

/// Writes a whole trace: the header, then the events.
pub fn write(out: &mut impl Write, catalog: &Catalog, events: &[Event]) -> std::io::Result<()> {
    write_header(out, catalog)?;
    for e in events {
        serde_json::to_writer(&mut *out, e)?;
        out.write_all(b"\n")?;
    }
    out.flush()
}

/// Reads a trace. With `partial`, a bad or truncated line ends the trace
/// instead of failing it (the header must still be good).
pub fn read(input: impl BufRead, partial: bool) -> Result<Trace, TraceError> {
    let mut lines = input.split(b'\n');
    let bad = |line: usize, message: String| TraceError::Bad { line, message };
    let first = match lines.next() {
        Some(l) => l?,
        None => return Err(bad(1, "empty file: not a weft trace".into())),
    };
    let header: Header = serde_json::from_slice(&first)
        .map_err(|e| bad(1, format!("not a weft trace header ({e})")))?;
    if header.weft_trace != TRACE_VERSION {
        return Err(bad(
            1,
            format!(
                "trace format {} is not supported (this weft reads {TRACE_VERSION})",
                header.weft_trace
            ),
        ));
    }
    let mut trace = Trace::new(header.catalog);
    let mut n = 1;
    for line in lines {
        n += 1;
        let line = line?;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match parse_event(&line, trace.len(), &trace) {
            Ok(e) => trace.push(e),
            Err(_) if partial => break,
            Err(message) => return Err(bad(n, message)),
        }
    }
    if trace.last().outcome.is_none() && !partial {
        return Err(bad(
            n + 1,
            "the trace ends before the run did (truncated?); --partial replays what is there"
                .into(),
        ));
    }
    Ok(trace)
}

fn parse_event(line: &[u8], expected_seq: usize, trace: &Trace) -> Result<Event, String> {
    let catalog = &trace.catalog;
    let mut e: Event = serde_json::from_slice(line).map_err(|e| format!("corrupt event ({e})"))?;
    e.seq = expected_seq as u64;
    if e.tick < trace.last().tick {
        return Err(format!(
            "tick {} comes after tick {}",
            e.tick,
            trace.last().tick
        ));
    }
    if let Some(t) = e.kind.task() {
        if t.index() >= catalog.tasks.len() {
            return Err(format!(
                "event names task {} but the trace has {}",
                t.0,
                catalog.tasks.len()
            ));
        }
    }
    Ok(e)
}
