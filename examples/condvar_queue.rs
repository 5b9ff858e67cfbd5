//! A list guarded by a mutex and a condition variable, as Python's
//! `threading.Condition`: the consumer waits `while` the list is empty (and
//! looks again after each wakeup), the producer appends five items, one
//! every 5 ms, and notifies after each.
//!
//! ```sh
//! WEFT_TRACE=condvar.trace cargo run --example condvar_queue
//! weft replay condvar.trace      # the consumer blocked on `items ready`, woken by each notify
//! ```

use std::sync::Arc;
use std::time::Duration;

use weft::sync::{thread, Condvar, Mutex};

fn main() -> std::io::Result<()> {
    let _rec = weft::sync::record("condvar_queue.trace")?;
    let items = Arc::new((
        Mutex::named("items", Vec::<u32>::new()),
        Condvar::named("items ready"),
    ));
    let consumer = thread::Builder::new().name("consumer".into()).spawn({
        let items = items.clone();
        move || {
            let (list, ready) = &*items;
            let mut got = Vec::new();
            while got.len() < 5 {
                let mut g = list.lock();
                while g.is_empty() {
                    ready.wait(&mut g);
                }
                got.append(&mut g);
            }
            got
        }
    })?;
    let producer = thread::Builder::new().name("producer".into()).spawn({
        let items = items.clone();
        move || {
            let (list, ready) = &*items;
            for i in 1..=5 {
                weft::sync::sleep(Duration::from_millis(5));
                list.lock().push(i);
                ready.notify_one();
            }
        }
    })?;
    let _ = producer.join();
    let got = consumer.join().unwrap_or_default();
    println!("consumer got {got:?}");
    Ok(())
}
