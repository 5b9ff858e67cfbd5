//! A reader-heavy `RwLock`: four readers look up a price list over and
//! over, each holding the read lock for 20 ms, while one writer updates it
//! every 150 ms. Readers share the lock, so they overlap; the writer must
//! wait until every reader inside has left, and readers who come while it
//! waits queue behind it (parking_lot's fair policy), so no side starves.
//! It runs for about two seconds: long enough to watch live.
//!
//! ```sh
//! weft watch -- cargo run --example readers_writer   # the writer's lane blocks on "prices"
//! WEFT_TRACE=rw.trace cargo run --example readers_writer && weft replay rw.trace
//! ```

use std::sync::Arc;
use std::time::Duration;

use weft::sync::{sleep, thread, RwLock};

const READERS: usize = 4;
const LOOKUPS: usize = 60;
const UPDATES: u64 = 12;

fn main() -> std::io::Result<()> {
    let _rec = weft::sync::record("readers_writer.trace")?;
    let prices = Arc::new(RwLock::named("prices", vec![100u64; 8]));
    let readers: Vec<_> = (0..READERS)
        .map(|i| {
            let prices = Arc::clone(&prices);
            thread::Builder::new()
                .name(format!("reader[{i}]"))
                .spawn(move || {
                    let mut seen = 0u64;
                    for k in 0..LOOKUPS {
                        {
                            let list = prices.read();
                            seen = seen.max(list[(i + k) % list.len()]);
                            sleep(Duration::from_millis(20));
                        }
                        sleep(Duration::from_millis(10));
                    }
                    seen
                })
        })
        .collect::<Result<_, _>>()?;
    let writer = {
        let prices = Arc::clone(&prices);
        thread::Builder::new()
            .name("writer".into())
            .spawn(move || {
                for round in 1..=UPDATES {
                    sleep(Duration::from_millis(150));
                    let mut list = prices.write();
                    for p in list.iter_mut() {
                        *p = 100 + round;
                    }
                }
            })?
    };
    let _ = writer.join();
    let highest = readers
        .into_iter()
        .filter_map(|r| r.join().ok())
        .max()
        .unwrap_or(0);
    println!("the writer made {UPDATES} updates; the highest price a reader saw: {highest}");
    Ok(())
}
