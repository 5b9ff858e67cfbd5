//! Opening the TUI: the engine it asks for runs (the simulator on its own
//! thread, streaming events through a channel) and the scenarios it offers.

use std::io::IsTerminal;

use super::builtin::{BUILTIN, TOPICS};
use super::load::{self, Failure, MAX_EVENTS};
use crate::event::{Catalog, Event};
use crate::scenario::{parse, Scenario};
use crate::sim::Options;
use crate::trace::Trace;
use crate::tui::{self, Engine, Entry, Open, RunRequest, UiOptions};

/// A scenario the picker offers: where it comes from and its text.
struct Source {
    origin: String,
    file: String,
    bytes: Vec<u8>,
    topic: String,
}

/// Runs scenarios for the TUI on the simulator.
struct SimEngine {
    sources: Vec<Source>,
    options: Options,
}

impl SimEngine {
    /// The engine over the built-in scenarios (in teaching order), then
    /// `./scenarios/*.toml` that are not built in, and `first` (a scenario
    /// named on the command line) where it is among them, else at the top;
    /// with the index of `first`.
    fn new(first: Option<Source>, options: Options) -> (SimEngine, usize) {
        let mut sources: Vec<Source> = BUILTIN
            .iter()
            .zip(TOPICS)
            .map(|((file, text), topic)| Source {
                origin: format!("built-in lesson (scenarios/{file})"),
                file: (*file).to_string(),
                bytes: text.as_bytes().to_vec(),
                topic: (*topic).to_string(),
            })
            .collect();
        let mut local: Vec<_> = std::fs::read_dir("scenarios")
            .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        local.retain(|p: &std::path::PathBuf| p.extension().is_some_and(|e| e == "toml"));
        local.sort();
        for path in local {
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            if sources.iter().any(|s| s.bytes == bytes) {
                continue;
            }
            sources.push(Source {
                origin: path.display().to_string(),
                file: path.display().to_string(),
                bytes,
                topic: "In ./scenarios".into(),
            });
        }
        let at = match first {
            Some(f) => match sources.iter().position(|s| s.bytes == f.bytes) {
                Some(i) => i,
                None => {
                    sources.insert(0, f);
                    0
                }
            },
            None => 0,
        };
        (SimEngine { sources, options }, at)
    }
}

impl Engine for SimEngine {
    fn entries(&self) -> Vec<Entry> {
        self.sources
            .iter()
            .map(|s| match parse(&s.file, &s.bytes) {
                Ok(sc) => Entry {
                    name: sc.name,
                    description: sc
                        .description
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" "),
                    origin: s.origin.clone(),
                    topic: s.topic.clone(),
                },
                Err(d) => Entry {
                    name: std::path::Path::new(&s.file)
                        .file_stem()
                        .map_or_else(|| s.file.clone(), |n| n.to_string_lossy().into_owned()),
                    description: format!(
                        "This file does not parse ({} error(s)); open it to see them.",
                        d.items.len()
                    ),
                    origin: s.origin.clone(),
                    topic: s.topic.clone(),
                },
            })
            .collect()
    }

    fn start(
        &self,
        req: &RunRequest,
    ) -> Result<(Catalog, crossbeam_channel::Receiver<Event>), String> {
        let source = self.sources.get(req.entry).ok_or("no such scenario")?;
        let scenario = parse(&source.file, &source.bytes).map_err(|d| d.render(false))?;
        // A request without choices of its own keeps the opened run's
        // schedule (a replayed counterexample), choices recorded.
        let own = !req.schedule.is_empty() || req.record_choices;
        let options = Options {
            seed: req.seed.or(self.options.seed),
            schedule: if own {
                req.schedule.clone()
            } else {
                self.options.schedule.clone()
            },
            record_choices: req.record_choices || self.options.record_choices,
            ..self.options.clone()
        };
        spawn_run(&scenario, &options)
    }
}

/// Runs the simulator on its own thread, sending every event; the thread
/// ends with the run, at the event limit, or when the receiver is gone.
fn spawn_run(
    scenario: &Scenario,
    options: &Options,
) -> Result<(Catalog, crossbeam_channel::Receiver<Event>), String> {
    let (mut sim, catalog) = load::simulator(scenario, options);
    let (tx, rx) = crossbeam_channel::unbounded();
    std::thread::spawn(move || {
        let mut batch = Vec::new();
        let mut sent = 0usize;
        while sim.outcome().is_none() {
            sim.step(&mut batch);
            if sent + batch.len() > MAX_EVENTS {
                sim.stop(&mut batch);
            }
            sent += batch.len();
            for e in batch.drain(..) {
                if tx.send(e).is_err() {
                    return;
                }
            }
        }
    });
    Ok((catalog, rx))
}

fn ui_options(mouse: bool) -> UiOptions {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    UiOptions {
        mouse,
        color: !no_color && std::io::stdout().is_terminal(),
    }
}

/// The exit code of a TUI session: 128 + the signal's number when a signal
/// from outside ended it, as shells expect; else, with `of_run`, the code
/// of the run on screen when the user quit (CLI.md's, as headless), or 0
/// when it had not ended.
fn finish(result: std::io::Result<Option<Trace>>, of_run: bool) -> Result<i32, Failure> {
    let trace = result.map_err(|e| Failure::Internal(format!("terminal: {e}")))?;
    if let Some(n) = tui::term::ending_signal() {
        return Ok(128 + n);
    }
    Ok(match trace {
        Some(t) if of_run => crate::report::Report::from_trace(&t).exit_code(),
        _ => 0,
    })
}

/// Opens a scenario in the TUI.
pub fn open_scenario(scenario: Scenario, options: Options, mouse: bool) -> Result<i32, Failure> {
    let first = Source {
        origin: scenario.path.clone(),
        file: scenario.path.clone(),
        bytes: scenario.source.clone().into_bytes(),
        topic: "Opened".into(),
    };
    let (engine, at) = SimEngine::new(Some(first), options);
    finish(tui::run(&engine, Open::Entry(at), ui_options(mouse)), true)
}

/// Opens a recorded trace in the TUI.
pub fn open_trace(trace: Trace, mouse: bool) -> Result<i32, Failure> {
    let (engine, _) = SimEngine::new(None, Options::default());
    finish(
        tui::run(&engine, Open::Trace(trace), ui_options(mouse)),
        true,
    )
}

/// Opens the scenario picker.
pub fn open_picker(mouse: bool) -> Result<i32, Failure> {
    let (engine, _) = SimEngine::new(None, Options::default());
    finish(tui::run(&engine, Open::Picker, ui_options(mouse)), false)
}

/// Opens the TUI on a trace being written, following it.
pub fn follow_trace(
    catalog: Catalog,
    feed: crate::trace::follow::Following,
    mouse: bool,
) -> Result<i32, Failure> {
    let (engine, _) = SimEngine::new(None, Options::default());
    finish(
        tui::run(&engine, Open::Follow(catalog, feed), ui_options(mouse)),
        true,
    )
}
