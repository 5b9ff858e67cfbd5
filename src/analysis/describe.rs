//! Words: how failures and waits read, in one place for the reports, the
//! log and every panel.

use crate::event::{Catalog, Failure, WaitOn};

/// A failure as a user reads it, named like Python's exceptions.
pub fn failure_text(cat: &Catalog, f: Failure) -> String {
    let r = |id| cat.resource_name(id);
    match f {
        Failure::Timeout(x) => format!("timeout waiting for {}", r(x)),
        Failure::Full(q) => format!("queue.Full: {} is full", r(q)),
        Failure::Empty(q) => format!("queue.Empty: {} is empty", r(q)),
        Failure::NotHeld(x) => format!(
            "RuntimeError: release of {}, which this task does not hold",
            r(x)
        ),
        Failure::TooManyDone(q) => format!(
            "ValueError: task_done on {} called more times than items were put",
            r(q)
        ),
        Failure::AlreadyStarted(t) => {
            format!("RuntimeError: {} was already started", cat.task_name(t))
        }
        Failure::NoProgress => {
            "no time passes: a loop runs without compute, sleep or a wait".to_string()
        }
        Failure::TooManyReleases(s) => {
            format!("ValueError: Semaphore {} released too many times", r(s))
        }
        Failure::Unacquired(c) => format!(
            "RuntimeError: wait or notify on {} without holding its lock",
            r(c)
        ),
        Failure::BrokenBarrier(b) => format!("BrokenBarrierError: barrier {} is broken", r(b)),
        Failure::JoinSelf => "RuntimeError: cannot join current thread".to_string(),
        Failure::Overflow(v) => format!(
            "OverflowError: {} does not fit in a 64-bit integer",
            cat.var_name(v)
        ),
        Failure::PoolClosed(p) => format!(
            "RuntimeError: cannot schedule new jobs on {} after it was joined",
            r(p)
        ),
    }
}

/// The short name of what a task waits for, as lanes and lists label it.
pub fn wait_label(cat: &Catalog, on: WaitOn) -> String {
    let name = cat.wait_name(on);
    match on {
        WaitOn::Lock(_) | WaitOn::Task(_) | WaitOn::Gil(_) => name.to_string(),
        WaitOn::Read(_) => format!("read {name}"),
        WaitOn::Permit(_) => format!("permit {name}"),
        WaitOn::Notify(_) => format!("wait {name}"),
        WaitOn::Flag(_) => format!("event {name}"),
        WaitOn::Barrier(_) => format!("barrier {name}"),
        WaitOn::Put(_) => format!("put {name}"),
        WaitOn::Get(_) => format!("get {name}"),
        WaitOn::QueueJoin(_) => format!("join {name}"),
        WaitOn::Worker(_) => format!("pool {name}"),
        WaitOn::PoolJoin(_) => format!("join {name}"),
        WaitOn::Loop(_) => format!("loop {name}"),
        WaitOn::RunLoop(_) => "run_loop".to_string(),
        WaitOn::Await(_) => format!("await {name}"),
        WaitOn::AwaitSleep => "await sleep".to_string(),
    }
}
