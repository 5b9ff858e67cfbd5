//! The long fuzz run: loops over generated inputs for the scenario parser,
//! the simulator and the trace reader, prints figures every ~10 s and at
//! the end, and minimises and saves under `target/fuzz-crashes/` every input
//! that panics, lacks a location in its error, takes more than 2 s or
//! raises the peak memory past 2 GB. See docs/fuzzing.md.
//!
//! ```text
//! cargo run --release --example fuzz -- --minutes 10 [--target scenario|sim|trace|all] [--seed S]
//! cargo run --release --example fuzz -- --regenerate-corpus
//! cargo run --release --example fuzz -- --replay FILE --target sim
//! ```

#[path = "../../tests/fuzz/mod.rs"]
mod harness;

mod run;

use std::time::Duration;

use run::{Run, Selection};

fn usage() -> ! {
    eprintln!(
        "usage: fuzz [--minutes N] [--target scenario|sim|trace|all] [--seed S] \
         [--max-events N]\n       fuzz --regenerate-corpus\n       fuzz --replay FILE [--target T]"
    );
    std::process::exit(2)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut minutes = 1.0f64;
    let mut selection = Selection::All;
    let mut seed = 0u64;
    let mut max_events = weft::limits::MAX_EVENTS;
    let mut replay = None;
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| usage());
        match arg.as_str() {
            "--minutes" => minutes = value().parse().unwrap_or_else(|_| usage()),
            "--seed" => seed = value().parse().unwrap_or_else(|_| usage()),
            "--max-events" => max_events = value().parse().unwrap_or_else(|_| usage()),
            "--target" => selection = Selection::parse(&value()).unwrap_or_else(|| usage()),
            "--replay" => replay = Some(value()),
            "--regenerate-corpus" => {
                match harness::corpus::regenerate() {
                    Ok(n) => println!("wrote {n} corpus files under tests/fuzz/corpus/"),
                    Err(e) => {
                        eprintln!("cannot write the corpus: {e}");
                        std::process::exit(1);
                    }
                }
                return;
            }
            _ => usage(),
        }
    }
    harness::quiet_panics();
    if let Some(path) = replay {
        let bytes = std::fs::read(&path).unwrap_or_else(|e| {
            eprintln!("cannot read {path}: {e}");
            std::process::exit(2)
        });
        run::replay(&bytes, selection, max_events);
        return;
    }
    let mut run = Run::new(selection, seed, max_events);
    run.fuzz(Duration::from_secs_f64(minutes * 60.0));
}
