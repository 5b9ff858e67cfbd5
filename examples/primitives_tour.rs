//! Every primitive of `weft::sync` once, as the lessons use them: a start
//! signal (`Event`), two readers and a writer on an `RwLock`, three workers
//! sharing two slots of a `Semaphore`, a `Barrier` of three, and a
//! `ReentrantMutex` taken twice by its holder.
//!
//! ```sh
//! WEFT_TRACE=tour.trace cargo run --example primitives_tour
//! weft replay tour.trace
//! ```

use std::sync::Arc;
use std::time::Duration;

use weft::sync::{thread, Barrier, Event, ReentrantMutex, RwLock, Semaphore};

fn main() -> std::io::Result<()> {
    let _rec = weft::sync::record("primitives_tour.trace")?;
    let go = Arc::new(Event::named("go"));
    let config = Arc::new(RwLock::named("config", 1u32));
    let slots = Arc::new(Semaphore::named("slots", 2));
    let round = Arc::new(Barrier::named("round", 3));
    let log = Arc::new(ReentrantMutex::named("log", ()));
    let mut handles = Vec::new();
    for i in 0..3 {
        let (go, config, slots, round, log) = (
            go.clone(),
            config.clone(),
            slots.clone(),
            round.clone(),
            log.clone(),
        );
        handles.push(
            thread::Builder::new()
                .name(format!("w{i}"))
                .spawn(move || {
                    go.wait();
                    if i == 2 {
                        *config.write() += 1;
                    } else {
                        let _seen = *config.read();
                    }
                    {
                        let _slot = slots.acquire();
                        weft::sync::sleep(Duration::from_millis(3));
                    }
                    round.wait();
                    let _outer = log.lock();
                    let _inner = log.lock();
                })?,
        );
    }
    weft::sync::sleep(Duration::from_millis(2));
    go.set();
    for h in handles {
        let _ = h.join();
    }
    println!("config = {}", *config.read());
    Ok(())
}
