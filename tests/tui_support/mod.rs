//! Shared by the TUI tests: an [`Engine`] that runs scenario files on the
//! real parser and simulator, on a thread, as the CLI's does.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use weft::event::{Catalog, Event};
use weft::tui::session::Session;
use weft::tui::{Action, App, Engine, Entry, RunRequest};

/// Runs scenario files from `scenarios/`.
pub struct FileEngine {
    /// The scenario files, relative to the crate root.
    pub paths: Vec<String>,
}

impl FileEngine {
    /// An engine over these files of `scenarios/`.
    pub fn new(names: &[&str]) -> FileEngine {
        FileEngine {
            paths: names
                .iter()
                .map(|n| format!("{}/scenarios/{n}", env!("CARGO_MANIFEST_DIR")))
                .collect(),
        }
    }
}

/// Parses and simulates a scenario file to the end.
pub fn simulate(path: &str, req: &RunRequest) -> Result<(Catalog, Vec<Event>), String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let scenario = weft::scenario::parse(path, &bytes).map_err(|e| format!("{e:?}"))?;
    let options = weft::sim::Options {
        seed: req.seed,
        max_ticks: None,
        schedule: req.schedule.clone(),
        record_choices: req.record_choices,
        ..weft::sim::Options::default()
    };
    Ok(weft::sim::simulate(&scenario, &options))
}

impl Engine for FileEngine {
    fn entries(&self) -> Vec<Entry> {
        self.paths
            .iter()
            .map(|p| Entry {
                name: p.rsplit('/').next().unwrap_or(p).to_string(),
                description: "a test scenario".to_string(),
                origin: "scenarios/".to_string(),
                topic: "Tests".to_string(),
            })
            .collect()
    }

    fn start(
        &self,
        req: &RunRequest,
    ) -> Result<(Catalog, crossbeam_channel::Receiver<Event>), String> {
        let path = self.paths.get(req.entry).ok_or("no such entry")?;
        let (catalog, events) = simulate(path, req)?;
        let (tx, rx) = crossbeam_channel::unbounded();
        std::thread::spawn(move || {
            for e in events {
                if tx.send(e).is_err() {
                    return;
                }
            }
        });
        Ok((catalog, rx))
    }
}

/// Pumps until the engine has sent everything (at most 10 s).
pub fn drain(app: &mut App<'_>) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10) {
        app.update(Action::Pump);
        let s: Option<&Session> = app.session.as_ref();
        if s.is_none_or(|s| !s.streaming() && s.resume_at.is_none()) {
            return;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    panic!("the engine did not finish");
}
