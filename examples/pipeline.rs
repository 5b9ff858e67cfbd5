//! A producer and a pool of two consumers over a bounded channel: the
//! producer makes 20 jobs faster than the consumers handle them (5 ms
//! each), so the channel fills to its 3 slots and the producer waits for
//! room; each consumer adds what it handled to a shared total.
//!
//! ```sh
//! WEFT_TRACE=pipeline.trace cargo run --example pipeline
//! weft replay pipeline.trace      # the queue's lane fills to 3 and the producer blocks on put
//! ```

use std::sync::Arc;
use std::time::Duration;

use weft::sync::{channel, thread, Mutex};

fn main() -> std::io::Result<()> {
    let _rec = weft::sync::record("pipeline.trace")?;
    let (tx, rx) = channel::bounded_named::<u64>("jobs", 3);
    let total = Arc::new(Mutex::named("total", 0u64));
    let consumers: Vec<_> = (0..2)
        .map(|i| {
            let (rx, total) = (rx.clone(), total.clone());
            thread::Builder::new()
                .name(format!("consumer[{i}]"))
                .spawn(move || {
                    while let Ok(job) = rx.recv() {
                        weft::sync::sleep(Duration::from_millis(5));
                        *total.lock() += job;
                    }
                })
        })
        .collect::<Result<_, _>>()?;
    drop(rx);
    let producer = thread::Builder::new()
        .name("producer".into())
        .spawn(move || {
            for job in 1..=20 {
                if tx.send(job).is_err() {
                    break;
                }
            }
        })?;
    let _ = producer.join();
    for c in consumers {
        let _ = c.join();
    }
    println!("total = {}", *total.lock());
    Ok(())
}
