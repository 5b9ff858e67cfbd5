//! Following a trace while another process writes it: its header once
//! whole, then each line as it is completed, checked as [`read`] checks
//! them, handed on as [`Update`]s from a reader thread.
//!
//! A line is taken only once its newline has been written, so a line read
//! half-written is waited for, not mistaken for a corrupt one.
//!
//! [`read`]: super::read

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crossbeam_channel::{Receiver, Sender};

use super::jsonl::{apply_declaration, parse_event, read_header, Declaration};
use super::TraceError;
use crate::event::{Catalog, Event, EventKind};
use crate::limits::{MAX_EVENTS, MAX_TRACE_LINE};

/// How often the reader looks for more at the end of the file.
const POLL: Duration = Duration::from_millis(20);

/// One line of a followed trace, checked.
#[derive(Debug, Clone)]
pub enum Update {
    /// A task or resource joins the catalog, or the dropped count changes.
    Declare(Declaration),
    /// The next event, with its time in nanoseconds when it has one.
    Event(Event, Option<u64>),
    /// The trace went wrong at this line; nothing more follows.
    Bad {
        /// The 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// The reading end of a trace being written.
pub struct Tail {
    input: BufReader<File>,
    catalog: Catalog,
    pending: Vec<u8>,
    line: usize,
    events: usize,
    last_tick: u64,
    dropped: u64,
    ended: bool,
}

/// The catalog a followed trace starts with: a real program's header
/// offers every CPU there may be, and its CPUs come with its threads.
pub fn starting_catalog(mut catalog: Catalog) -> Catalog {
    if catalog.engine == "live" {
        catalog.cpus = 1;
    }
    catalog
}

/// A live trace gives each thread a CPU lane of its own: after a task's
/// declaration, as many lanes as tasks (within the limit).
pub(super) fn grow_live_cpus(catalog: &mut Catalog) {
    if catalog.engine == "live" {
        let lanes = catalog
            .tasks
            .len()
            .clamp(1, crate::limits::MAX_CPUS as usize) as u32;
        catalog.cpus = catalog.cpus.max(lanes);
    }
}

impl Tail {
    /// Opens the trace at `path` once its header line is whole: `Ok(None)`
    /// while the file does not exist yet or its first line is unfinished.
    pub fn open(path: &Path) -> Result<Option<(Catalog, Tail)>, TraceError> {
        let Ok(mut file) = File::open(path) else {
            return Ok(None);
        };
        let mut start = Vec::new();
        (&mut file)
            .take(crate::limits::MAX_TRACE_HEADER as u64 + 1)
            .read_to_end(&mut start)?;
        let Some(end) = start.iter().position(|&b| b == b'\n') else {
            if start.len() > crate::limits::MAX_TRACE_HEADER {
                // Too long to be a header: let the reader say so.
                read_header(&start[..])?;
            }
            return Ok(None);
        };
        let catalog = starting_catalog(read_header(&start[..=end])?);
        // The rest is read from the line after the header.
        file.seek(SeekFrom::Start(end as u64 + 1))?;
        let input = BufReader::new(file);
        let tail = Tail {
            input,
            catalog: catalog.clone(),
            pending: Vec::new(),
            line: 1,
            events: 0,
            last_tick: 0,
            dropped: 0,
            ended: false,
        };
        Ok(Some((catalog, tail)))
    }

    /// Whether the trace's end has been read (or it went wrong).
    pub fn ended(&self) -> bool {
        self.ended
    }

    /// Reads every line completed since the last call into `out`.
    pub fn poll(&mut self, out: &mut Vec<Update>) -> std::io::Result<()> {
        while !self.ended {
            let room = (MAX_TRACE_LINE + 1).saturating_sub(self.pending.len());
            (&mut self.input)
                .take(room as u64)
                .read_until(b'\n', &mut self.pending)?;
            if self.pending.last() == Some(&b'\n') {
                self.pending.pop();
                self.line += 1;
                let line = std::mem::take(&mut self.pending);
                self.take_line(&line, out);
            } else if self.pending.len() > MAX_TRACE_LINE {
                self.line += 1;
                self.fail(
                    format!("line longer than {} MiB", MAX_TRACE_LINE >> 20),
                    out,
                );
            } else {
                // The end of what has been written so far (perhaps in the
                // middle of a line, kept for the next call).
                return Ok(());
            }
        }
        Ok(())
    }

    fn take_line(&mut self, line: &[u8], out: &mut Vec<Update>) {
        if line.iter().all(u8::is_ascii_whitespace) {
            return;
        }
        if line.first() == Some(&b'{') {
            let d = serde_json::from_slice::<Declaration>(line)
                .map_err(|e| format!("corrupt declaration ({e})"))
                .and_then(|d| {
                    apply_declaration(d.clone(), &mut self.catalog, &mut self.dropped)?;
                    grow_live_cpus(&mut self.catalog);
                    Ok(d)
                });
            match d {
                Ok(d) => out.push(Update::Declare(d)),
                Err(m) => self.fail(m, out),
            }
            return;
        }
        if self.events >= MAX_EVENTS {
            return self.fail(
                format!("more than {MAX_EVENTS} events (the event limit)"),
                out,
            );
        }
        match parse_event(line, self.events, self.last_tick, &self.catalog) {
            Ok((e, ns)) => {
                self.events += 1;
                self.last_tick = e.tick;
                self.ended = matches!(e.kind, EventKind::End { .. });
                out.push(Update::Event(e, ns));
            }
            Err(m) => self.fail(m, out),
        }
    }

    fn fail(&mut self, message: String, out: &mut Vec<Update>) {
        self.ended = true;
        out.push(Update::Bad {
            line: self.line,
            message,
        });
    }
}

/// A followed trace: updates from the reader thread, which stops when this
/// is dropped, at the trace's end, or after `done` is set and nothing more
/// is written.
pub struct Following {
    /// The updates, in the file's order.
    pub rx: Receiver<Update>,
    stop: Arc<AtomicBool>,
    /// The file followed.
    pub path: PathBuf,
}

impl std::fmt::Debug for Following {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Following")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl Drop for Following {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

impl Following {
    /// Starts the reader thread on `tail`. `done` tells it that the writer
    /// has gone (a program that has exited): what is left in the file is
    /// read, and the updates end there even without the trace's end.
    pub fn start(tail: Tail, path: &Path, done: Arc<AtomicBool>) -> Following {
        let (tx, rx) = crossbeam_channel::unbounded();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        std::thread::Builder::new()
            .name("weft-follow".into())
            .spawn(move || reader(tail, &tx, &flag, &done))
            .ok();
        Following {
            rx,
            stop,
            path: path.to_path_buf(),
        }
    }
}

fn reader(mut tail: Tail, tx: &Sender<Update>, stop: &AtomicBool, done: &AtomicBool) {
    let mut batch = Vec::new();
    loop {
        // Read `done` before the file, so that what the writer wrote before
        // it went is read after.
        let gone = done.load(Ordering::Acquire);
        if let Err(e) = tail.poll(&mut batch) {
            batch.push(Update::Bad {
                line: tail.line + 1,
                message: e.to_string(),
            });
            tail.ended = true;
        }
        for u in batch.drain(..) {
            if tx.send(u).is_err() {
                return;
            }
        }
        if tail.ended() || gone || stop.load(Ordering::Relaxed) {
            return;
        }
        std::thread::sleep(POLL);
    }
}
