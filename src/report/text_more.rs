//! The text report's lines for lock-order inversions, semaphores, rwlocks,
//! conditions, events, barriers, pools, GILs and the variables of processes
//! other than main: one short line each.

use std::fmt::Write;

use super::Report;

fn list(v: &[String]) -> String {
    if v.is_empty() {
        "-".to_string()
    } else {
        v.join(" ")
    }
}

/// Appends one line per inversion of the lock order, under a heading,
/// when there are any.
pub fn lock_order(s: &mut String, r: &Report) {
    if r.lock_order.inversions.is_empty() {
        return;
    }
    let _ = writeln!(s, "\nlock order:");
    for inv in &r.lock_order.inversions {
        let _ = writeln!(s, "  {}", inv.text);
    }
}

/// Appends one line per primitive, under a heading, when there are any.
pub fn primitives(s: &mut String, r: &Report) {
    let mut lines: Vec<String> = Vec::new();
    for x in &r.semaphores {
        let holders: Vec<String> = x
            .holders
            .iter()
            .map(|h| match h.permits {
                1 => h.task.clone(),
                n => format!("{}×{n}", h.task),
            })
            .collect();
        let bounded = if x.bounded { ", bounded" } else { "" };
        lines.push(format!(
            "semaphore {}: {} of {} permits left{bounded}; held by {}; waiting: {}",
            x.name,
            x.left,
            x.permits,
            list(&holders),
            list(&x.waiters)
        ));
    }
    for x in &r.rwlocks {
        let waiters: Vec<String> = x
            .waiters
            .iter()
            .map(|w| format!("{}({})", w.task, w.mode))
            .collect();
        lines.push(format!(
            "rwlock {} ({}): writer {}, readers {}; waiting: {}",
            x.name,
            x.prefer.as_deref().unwrap_or("fair"),
            x.writer.as_deref().unwrap_or("-"),
            list(&x.readers),
            list(&waiters)
        ));
    }
    for x in &r.conditions {
        lines.push(format!(
            "condition {} (lock {}): {} notifies, {} lost; waiting: {}",
            x.name,
            x.lock.as_deref().unwrap_or("-"),
            x.notifies,
            x.lost_notifies,
            list(&x.waiters)
        ));
    }
    for x in &r.events {
        lines.push(format!(
            "event {}: {}, set {} times; waiting: {}",
            x.name,
            if x.set { "set" } else { "clear" },
            x.sets,
            list(&x.waiters)
        ));
    }
    for x in &r.barriers {
        let broken = if x.broken { ", BROKEN" } else { "" };
        lines.push(format!(
            "barrier {}: {} of {} arrived, {} rounds{broken}; waiting: {}",
            x.name,
            x.arrived,
            x.parties,
            x.rounds,
            list(&x.waiting)
        ));
    }
    for x in &r.pools {
        let busy: Vec<String> = x
            .busy
            .iter()
            .map(|b| format!("{}:{}", b.worker, b.job))
            .collect();
        let closed = if x.closed { ", closed" } else { "" };
        lines.push(format!(
            "pool {} ({}, {} workers{closed}): {} jobs done; busy {}; queued: {}",
            x.name,
            x.kind.as_deref().unwrap_or("thread"),
            x.workers,
            x.jobs_done,
            list(&busy),
            list(&x.queued)
        ));
    }
    for x in &r.gil {
        lines.push(format!(
            "{} of {}: {} handovers, {} acquisitions; held by {}",
            x.name,
            x.process,
            x.handovers,
            x.acquisitions,
            x.holder.as_deref().unwrap_or("-")
        ));
    }
    if lines.is_empty() {
        return;
    }
    let _ = writeln!(s, "\nprimitives:");
    for l in lines {
        let _ = writeln!(s, "  {l}");
    }
}

/// Appends the variables of every process but main (main's are the
/// report's `variables` line).
pub fn processes(s: &mut String, r: &Report) {
    for p in r.processes.iter().skip(1) {
        if p.vars.is_empty() {
            continue;
        }
        let vars: Vec<String> = p.vars.iter().map(|(k, v)| format!("{k} = {v}")).collect();
        let _ = writeln!(s, "variables of {}: {}", p.name, vars.join(", "));
    }
}
