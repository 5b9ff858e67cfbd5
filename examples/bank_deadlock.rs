//! Two transfers between accounts A and B, each locking the account it
//! takes money from first: t1 locks A then B, t2 locks B then A. With the
//! pause between the two locks both take their first lock, and each then
//! waits for the other's: the ABBA deadlock, in a real program.
//!
//! ```sh
//! cargo run --example bank_deadlock            # weft names the cycle on stderr; Ctrl-C ends it
//! WEFT_TRACE=bank.trace WEFT_ON_DEADLOCK=exit cargo run --example bank_deadlock
//! weft replay bank.trace                       # the TUI on what it did
//! ```
//!
//! `bank_ordered` is the fix: both take the locks in one order.

use std::sync::Arc;
use std::time::Duration;

use weft::sync::Mutex;

fn transfer(from: &Mutex<i64>, to: &Mutex<i64>, amount: i64) {
    let mut a = from.lock();
    weft::sync::sleep(Duration::from_millis(50));
    let mut b = to.lock();
    *a -= amount;
    *b += amount;
}

fn main() -> std::io::Result<()> {
    let _rec = weft::sync::record("bank_deadlock.trace")?;
    let a = Arc::new(Mutex::named("A", 100i64));
    let b = Arc::new(Mutex::named("B", 100i64));
    let t1 = std::thread::Builder::new().name("t1".into()).spawn({
        let (a, b) = (a.clone(), b.clone());
        move || transfer(&a, &b, 10)
    })?;
    let t2 = std::thread::Builder::new().name("t2".into()).spawn({
        let (a, b) = (a.clone(), b.clone());
        move || transfer(&b, &a, 20)
    })?;
    let _ = t1.join();
    let _ = t2.join();
    println!("A = {}, B = {}", *a.lock(), *b.lock());
    Ok(())
}
