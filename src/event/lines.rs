//! The lines of a trace file, as any engine writes them: the header (the
//! format's version and the catalog), a declaration of a task or resource
//! (for a real program, which cannot know them in advance), and an event.
//! Each is one JSON line written in one write. Reading them is the trace
//! module's; writing them is shared by the simulator's recorder and
//! `weft::sync`, which stands on this module only.

use std::io::Write;

use serde::{Deserialize, Serialize};

use super::{Catalog, Event};

/// The version of the trace format.
pub const TRACE_VERSION: u32 = 1;

/// A line of a real program's trace that is not an event: it adds a task
/// or a resource to the catalog (ids follow the order of the
/// declarations), or gives the count of events dropped so far.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Declaration {
    /// A task.
    Task(crate::event::TaskInfo),
    /// A resource.
    Resource(crate::event::ResourceInfo),
    /// A declared task's id in the operating system (a thread learns it
    /// only once it runs, after its spawner declared it).
    OsId {
        /// The task.
        task: crate::event::TaskId,
        /// Its TID or PID.
        id: u64,
    },
    /// Where in the program a task's next wait was made (`file.rs:LINE`):
    /// it belongs to the task's next `blocked` state after this line.
    WaitAt {
        /// The task.
        task: crate::event::TaskId,
        /// The place of the waiting call.
        at: String,
    },
    /// Events the recorder dropped so far, because its writer fell behind
    /// (the latest such line counts).
    DroppedEvents(u64),
}

/// Writes a declaration line (in one write).
pub fn write_declaration(out: &mut impl Write, d: &Declaration) -> std::io::Result<()> {
    let mut line = serde_json::to_vec(d)?;
    line.push(b'\n');
    out.write_all(&line)
}

/// Writes one event line (in one write).
pub fn write_event(out: &mut impl Write, e: &Event) -> std::io::Result<()> {
    let mut line = serde_json::to_vec(e)?;
    line.push(b'\n');
    out.write_all(&line)
}

/// Writes one event line with its time in nanoseconds, as a real
/// program's trace has them, straight into a buffered `out` (not in one
/// write: `out` must be the trace's only writer).
pub fn write_stamped_to(out: &mut impl Write, e: &Event, ns: u64) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, &super::codec::StampedRef(e, ns))?;
    out.write_all(b"\n")
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
