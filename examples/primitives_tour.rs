//! Every primitive of `weft::sync` once, as the lessons use them: a start
//! signal (`Event`), two readers and a writer on an `RwLock`, three workers
//! sharing two slots of a `Semaphore`, a `Barrier` of three, and a
//! `ReentrantMutex` taken twice by its holder, and a `Mutex` held by
//! another thread, for which `try_lock_for` gives up after 5 ms.
//!
//! ```sh
//! WEFT_TRACE=tour.trace cargo run --example primitives_tour
//! weft replay tour.trace
//! ```

use std::sync::Arc;
use std::time::Duration;

use weft::sync::{thread, Barrier, Event, Mutex, ReentrantMutex, RwLock, Semaphore};

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
    // A lock held elsewhere: a wait with a timeout gives up.
    let door = Arc::new(Mutex::named("door", 0u32));
    let (held, leave) = (
        Arc::new(Event::named("held")),
        Arc::new(Event::named("leave")),
    );
    let holder = {
        let (door, held, leave) = (door.clone(), held.clone(), leave.clone());
        thread::Builder::new()
            .name("holder".into())
            .spawn(move || {
                let mut inside = door.lock();
                held.set();
                leave.wait();
                *inside += 1;
            })?
    };
    held.wait();
    let gave_up = door.try_lock_for(Duration::from_millis(5)).is_none();
    leave.set();
    let _ = holder.join();
    *door.lock() += 1;
    println!("config = {}", *config.read());
    println!("the door timed out: {gave_up}; door = {}", *door.lock());
    Ok(())
}
