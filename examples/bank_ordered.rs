//! `bank_deadlock` fixed by lock ordering: every transfer locks the two
//! accounts in one global order (by name), whichever way the money goes,
//! so no cycle of waits can form. The threads are weft's own
//! (`weft::sync::thread`), so that `main`'s joins are recorded as waits.
//!
//! ```sh
//! WEFT_TRACE=ordered.trace cargo run --example bank_ordered
//! weft replay ordered.trace --headless
//! ```

use std::sync::Arc;
use std::time::Duration;

use weft::sync::{thread, Mutex};

fn transfer(from: &Mutex<i64>, to: &Mutex<i64>, amount: i64) {
    let (first, second) = if from.name() < to.name() {
        (from, to)
    } else {
        (to, from)
    };
    let mut x = first.lock();
    weft::sync::sleep(Duration::from_millis(20));
    let mut y = second.lock();
    let (f, t) = if from.name() < to.name() {
        (&mut *x, &mut *y)
    } else {
        (&mut *y, &mut *x)
    };
    *f -= amount;
    *t += amount;
}

fn main() -> std::io::Result<()> {
    let _rec = weft::sync::record("bank_ordered.trace")?;
    let a = Arc::new(Mutex::named("A", 100i64));
    let b = Arc::new(Mutex::named("B", 100i64));
    let t1 = thread::Builder::new().name("t1".into()).spawn({
        let (a, b) = (a.clone(), b.clone());
        move || transfer(&a, &b, 10)
    })?;
    let t2 = thread::Builder::new().name("t2".into()).spawn({
        let (a, b) = (a.clone(), b.clone());
        move || transfer(&b, &a, 20)
    })?;
    let _ = t1.join();
    let _ = t2.join();
    let (x, y) = (*a.lock(), *b.lock());
    println!("A = {x}, B = {y}, total {}", x + y);
    Ok(())
}
