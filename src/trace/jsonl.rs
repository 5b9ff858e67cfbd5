//! The trace file: JSON Lines, a header line with the catalog, then one
//! event a line. A trace of a real program, which cannot know its threads
//! and locks in advance, declares each task and resource on a line of its
//! own (`{"task": {...}}`, `{"resource": {...}}`) before any event names it.

use std::io::{BufRead, Write};

use serde::Deserialize;

pub use crate::event::lines::{
    write_declaration, write_event, write_header, Declaration, TRACE_VERSION,
};

use super::check::{check_catalog, check_ids};
use super::Trace;
use crate::event::{Catalog, Event};
use crate::limits::{MAX_EVENTS, MAX_TRACE_HEADER, MAX_TRACE_LINE};

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

/// Writes a whole trace: the header, then the events.
pub fn write(out: &mut impl Write, catalog: &Catalog, events: &[Event]) -> std::io::Result<()> {
    write_header(out, catalog)?;
    for e in events {
        serde_json::to_writer(&mut *out, e)?;
        out.write_all(b"\n")?;
    }
    out.flush()
}

/// Reads one line of at most `max` bytes (without its newline); `None` at
/// the end of the input. A longer line is an error, read no further.
pub(super) fn read_line<R: BufRead>(
    input: &mut R,
    max: usize,
    buf: &mut Vec<u8>,
) -> std::io::Result<Option<bool>> {
    buf.clear();
    let n = std::io::Read::take(&mut *input, max as u64 + 1).read_until(b'\n', buf)?;
    if n == 0 {
        return Ok(None);
    }
    if buf.last() == Some(&b'\n') {
        buf.pop();
        return Ok(Some(true));
    }
    Ok(Some(buf.len() <= max))
}

/// Reads and checks the header line; the input is left at the next line.
pub(super) fn read_header(mut input: impl BufRead) -> Result<Catalog, TraceError> {
    let bad = |line: usize, message: String| TraceError::Bad { line, message };
    if input.fill_buf()?.first().is_some_and(|&b| b != b'{') {
        return Err(bad(
            1,
            "not a weft trace: the header must be a JSON object".into(),
        ));
    }
    let mut buf = Vec::new();
    match read_line(&mut input, MAX_TRACE_HEADER, &mut buf)? {
        None => return Err(bad(1, "empty file: not a weft trace".into())),
        Some(false) => {
            return Err(bad(
                1,
                format!(
                    "the header is longer than {} MiB: not a weft trace",
                    MAX_TRACE_HEADER >> 20
                ),
            ))
        }
        Some(true) => {}
    }
    let header: Header = serde_json::from_slice(&buf)
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
    check_catalog(&header.catalog).map_err(|m| bad(1, m))?;
    Ok(header.catalog)
}

/// Reads a trace. With `partial`, a bad or truncated line ends the trace
/// instead of failing it (the header must still be good).
///
/// Every line is read with a bound on its length, the header's numbers are
/// checked against the limits a scenario has, and every id of every event
/// against the header's tables; a trace of more than [`MAX_EVENTS`] events
/// is refused.
pub fn read(mut input: impl BufRead, partial: bool) -> Result<Trace, TraceError> {
    let bad = |line: usize, message: String| TraceError::Bad { line, message };
    let mut catalog = read_header(&mut input)?;
    let mut buf = Vec::new();
    let mut events: Vec<Event> = Vec::new();
    let mut stamps: Vec<Option<u64>> = Vec::new();
    let mut sites: Vec<(usize, usize, Declaration)> = Vec::new();
    let mut dropped = 0;
    let mut n = 1;
    loop {
        n += 1;
        let whole = match read_line(&mut input, MAX_TRACE_LINE, &mut buf)? {
            None => break,
            Some(whole) => whole,
        };
        let line = &buf;
        if whole && line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let parsed = if !whole {
            Err(format!("line longer than {} MiB", MAX_TRACE_LINE >> 20))
        } else if events.len() >= MAX_EVENTS {
            Err(format!("more than {MAX_EVENTS} events (the event limit)"))
        } else if line.first() == Some(&b'{') {
            declaration(line)
                .and_then(|d| match d {
                    // A wait's place belongs to the events that follow.
                    Declaration::WaitAt { task, ref at } => {
                        check_place(task, at, &catalog)?;
                        sites.push((events.len(), n, d));
                        Ok(())
                    }
                    d => apply_declaration(d, &mut catalog, &mut dropped),
                })
                .map(|()| None)
        } else {
            let last = events.last().map_or(0, |e| e.tick);
            parse_event(line, events.len(), last, &catalog).map(Some)
        };
        match parsed {
            Ok(Some((e, ns))) => {
                events.push(e);
                stamps.push(ns);
            }
            Ok(None) => {}
            Err(_) if partial => break,
            Err(message) => return Err(bad(n, message)),
        }
    }
    check_catalog(&catalog).map_err(|m| bad(n, m))?;
    // A real program's header cannot know its CPUs either: it gives the
    // most there may be, and the trace has as many as its events use.
    if catalog.engine == "live" {
        let used = events
            .iter()
            .filter_map(|e| match e.kind {
                crate::event::EventKind::State {
                    state: crate::event::TaskState::Running { cpu },
                    ..
                } => Some(cpu.0 + 1),
                _ => None,
            })
            .max()
            .unwrap_or(1);
        catalog.cpus = catalog.cpus.min(used).max(1);
    }
    let mut trace = Trace::new(catalog);
    let mut sites = sites.into_iter().peekable();
    'events: for (i, (e, ns)) in events.into_iter().zip(stamps).enumerate() {
        while let Some((_, line, site)) = sites.next_if(|(at, _, _)| *at <= i) {
            match trace.declare(site) {
                Ok(()) => {}
                Err(_) if partial => break 'events,
                Err(m) => return Err(bad(line, m)),
            }
        }
        trace.push_at(e, ns);
    }
    trace.dropped_events = dropped;
    if trace.last().outcome.is_none() && !partial {
        return Err(bad(
            n,
            "the trace ends before the run did (truncated?); --partial replays what is there"
                .into(),
        ));
    }
    Ok(trace)
}

/// The longest place of a wait a trace may give (`file.rs:LINE`).
const MAX_PLACE: usize = 512;

/// Checks the place of a wait: its task is declared, the place not too long.
pub(super) fn check_place(
    task: crate::event::TaskId,
    at: &str,
    catalog: &Catalog,
) -> Result<(), String> {
    if task.index() >= catalog.tasks.len() {
        return Err(format!(
            "the place of a wait of task {}, which is not declared",
            task.0
        ));
    }
    if at.len() > MAX_PLACE {
        return Err(format!("a wait's place longer than {MAX_PLACE} bytes"));
    }
    Ok(())
}

/// Parses a declaration line.
fn declaration(line: &[u8]) -> Result<Declaration, String> {
    serde_json::from_slice(line).map_err(|e| format!("corrupt declaration ({e})"))
}

/// Adds a declared task or resource to the catalog, within the limits, or
/// takes the count of dropped events.
pub(super) fn apply_declaration(
    d: Declaration,
    catalog: &mut Catalog,
    dropped: &mut u64,
) -> Result<(), String> {
    use crate::limits::{MAX_PROCESSES, MAX_RESOURCES, MAX_TASKS};
    match d {
        Declaration::Task(_) if catalog.tasks.len() >= MAX_TASKS => {
            Err(format!("more than {MAX_TASKS} tasks declared"))
        }
        Declaration::Resource(_)
            if catalog.resources.len() >= MAX_RESOURCES + MAX_PROCESSES + MAX_TASKS =>
        {
            Err("more resources declared than a trace may have".into())
        }
        Declaration::Task(t) => {
            catalog.tasks.push(t);
            Ok(())
        }
        Declaration::Resource(r) => {
            catalog.resources.push(r);
            Ok(())
        }
        Declaration::OsId { task, id } => match catalog.tasks.get_mut(task.index()) {
            Some(t) => {
                t.os_id = Some(id);
                Ok(())
            }
            None => Err(format!(
                "the OS id of task {}, which is not declared",
                task.0
            )),
        },
        Declaration::WaitAt { task, at } => check_place(task, &at, catalog),
        Declaration::DroppedEvents(n) => {
            *dropped = n;
            Ok(())
        }
    }
}

pub(super) fn parse_event(
    line: &[u8],
    expected_seq: usize,
    last_tick: u64,
    catalog: &Catalog,
) -> Result<(Event, Option<u64>), String> {
    let crate::event::Stamped { event: mut e, ns } =
        serde_json::from_slice(line).map_err(|e| format!("corrupt event ({e})"))?;
    e.seq = expected_seq as u64;
    if e.tick < last_tick {
        return Err(format!("tick {} comes after tick {last_tick}", e.tick));
    }
    check_ids(&e.kind, catalog)?;
    Ok((e, ns))
}
