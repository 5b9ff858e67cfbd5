//! Reading scenarios and traces from the user's paths, with errors that
//! name the file, and running a scenario headless into a trace.

use std::fs::File;
use std::io::{BufReader, Write};
use std::path::Path;

use super::builtin;
use crate::event::{Catalog, Event};
use crate::scenario::{parse, Diagnostics, Scenario};
use crate::sim::{build, Options};
use crate::trace::{self, Trace};

pub use crate::limits::MAX_EVENTS;

/// Why a command could not do its work.
#[derive(Debug)]
pub enum Failure {
    /// Bad input: exit code 2, with the text to print.
    BadInput(String),
    /// Scenario errors: exit code 2.
    Scenario(Box<Diagnostics>),
    /// Anything else: exit code 1.
    Internal(String),
}

/// Reads a scenario from a file, or from the built-in scenario of that name.
pub fn scenario(file: &str) -> Result<Scenario, Failure> {
    let bytes = match std::fs::read(file) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => match builtin::find(file) {
            Some((_, text)) => text.as_bytes().to_vec(),
            None => {
                return Err(Failure::BadInput(format!(
                    "{file}: no such file or built-in scenario (see `weft list`)"
                )))
            }
        },
        Err(e) => return Err(Failure::BadInput(format!("{file}: {e}"))),
    };
    parse(file, &bytes).map_err(|d| Failure::Scenario(Box::new(d)))
}

/// Reads a trace file.
pub fn trace(path: &Path, partial: bool) -> Result<Trace, Failure> {
    let file =
        File::open(path).map_err(|e| Failure::BadInput(format!("{}: {e}", path.display())))?;
    trace::read(BufReader::new(file), partial)
        .map_err(|e| Failure::BadInput(format!("{}: {e}", path.display())))
}

/// Builds the simulator for a scenario.
pub fn simulator(scenario: &Scenario, options: &Options) -> (crate::sim::Sim, Catalog) {
    build(scenario, options)
}

/// Runs a scenario to the end on the simulator, writing the trace to
/// `record` as it goes when asked. Returns the trace and whether the event
/// limit stopped the run: the warning to show.
pub fn run_headless(
    scenario: &Scenario,
    options: &Options,
    record: Option<&Path>,
) -> Result<(Trace, Option<String>), Failure> {
    let (mut sim, catalog) = simulator(scenario, options);
    let recorder = match record {
        Some(path) => Some(Recorder::start(path, &catalog)?),
        None => None,
    };
    let mut events: Vec<Event> = Vec::new();
    let mut sent = 0;
    let mut limited = None;
    while sim.outcome().is_none() {
        sim.step(&mut events);
        if events.len() > MAX_EVENTS {
            sim.stop(&mut events);
            limited = Some(format!(
                "the run was stopped after {MAX_EVENTS} events (the event limit); \
                 lower machine.max_ticks or --max-ticks to see its end"
            ));
        }
        if let Some(r) = &recorder {
            if events.len() - sent >= Recorder::BATCH || sim.outcome().is_some() {
                r.send(&events[sent..]);
                sent = events.len();
            }
        }
    }
    if let Some(limit) = sim.limit() {
        limited = Some(limit_message(&catalog, limit));
    }
    // Fold while the recorder finishes the file.
    let trace = Trace::from_events(catalog, events);
    if let Some(r) = recorder {
        r.finish()?;
    }
    Ok((trace, limited))
}

/// Writes a trace file on its own thread, so that recording overlaps the
/// run. Written batches come back to be filled again, so that the two
/// threads do not keep touching fresh memory.
struct Recorder {
    batches: crossbeam_channel::Sender<Vec<Event>>,
    empties: crossbeam_channel::Receiver<Vec<Event>>,
    thread: std::thread::JoinHandle<std::io::Result<()>>,
    path: std::path::PathBuf,
}

impl Recorder {
    /// Events handed to the writer at a time.
    const BATCH: usize = 16_384;

    fn start(path: &Path, catalog: &Catalog) -> Result<Recorder, Failure> {
        let mut w = File::create(path).map_err(io_failure(path))?;
        trace::write_header(&mut w, catalog).map_err(io_failure(path))?;
        let (batches, full) = crossbeam_channel::bounded::<Vec<Event>>(8);
        let (give_back, empties) = crossbeam_channel::bounded::<Vec<Event>>(8);
        let thread = std::thread::spawn(move || {
            let mut buf = Vec::with_capacity(Recorder::BATCH * 32);
            for mut batch in full {
                buf.clear();
                for e in &batch {
                    serde_json::to_writer(&mut buf, e)?;
                    buf.push(b'\n');
                }
                w.write_all(&buf)?;
                batch.clear();
                let _ = give_back.try_send(batch);
            }
            w.flush()
        });
        Ok(Recorder {
            batches,
            empties,
            thread,
            path: path.to_path_buf(),
        })
    }

    /// Hands copies of `events` to the writer (a failed writer reports at `finish`).
    fn send(&self, events: &[Event]) {
        if events.is_empty() {
            return;
        }
        let mut batch = self
            .empties
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(Recorder::BATCH));
        batch.extend_from_slice(events);
        let _ = self.batches.send(batch);
    }

    /// Waits for the writer to finish the file.
    fn finish(self) -> Result<(), Failure> {
        drop(self.batches);
        match self.thread.join() {
            Ok(result) => result.map_err(io_failure(&self.path)),
            Err(_) => Err(Failure::Internal("the trace writer panicked".into())),
        }
    }
}

fn io_failure(path: &Path) -> impl Fn(std::io::Error) -> Failure + '_ {
    move |e| Failure::BadInput(format!("{}: {e}", path.display()))
}

/// What a limit of the simulator that halted a run means, in words.
pub fn limit_message(catalog: &Catalog, limit: crate::sim::Limit) -> String {
    match limit {
        crate::sim::Limit::Steps { task, pc, steps } => {
            let info = catalog.tasks.get(task.index());
            let line = info.and_then(|t| {
                let l = t.script.pc_line.get(pc as usize)?;
                Some(t.script.first_line + l)
            });
            let at = line.map_or(String::new(), |l| format!(" at line {l}"));
            format!(
                "the run was stopped after {steps} operations that take no time: task `{}` \
                 loops{at} without letting time pass; put a `sleep` or `compute` in the loop, \
                 or make it shorter",
                catalog.task_name(task)
            )
        }
        crate::sim::Limit::PrintBytes(n) => format!(
            "the run was stopped after printing {} MiB of text (the print limit); print less, \
             or lower machine.max_ticks",
            n >> 20
        ),
    }
}
