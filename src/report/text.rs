//! The text report: the outcome first, a deadlock cycle drawn as a chain,
//! then tasks, locks, lock-order inversions, queues, variables and
//! expectations as small tables.

use std::fmt::Write;

use anstyle::{AnsiColor, Style};

use super::Report;

fn paint(color: bool, style: Style, text: &str) -> String {
    if color {
        format!("{style}{text}{style:#}")
    } else {
        text.to_string()
    }
}

fn opt(v: Option<u64>) -> String {
    v.map_or_else(|| "-".to_string(), |v| v.to_string())
}

fn avg(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_string(), |v| format!("{v:.2}"))
}

/// Renders a report as text; `color` adds ANSI colours.
pub fn render_text(r: &Report, color: bool) -> String {
    let mut s = String::new();
    let outcome = r.outcome.unwrap_or("unfinished");
    let style = match outcome {
        "completed" => AnsiColor::Green.on_default().bold(),
        "deadlock" | "failed" => AnsiColor::Red.on_default().bold(),
        _ => AnsiColor::Yellow.on_default().bold(),
    };
    let _ = writeln!(
        s,
        "{} {}  ({} engine, seed {}, ended at tick {}{})",
        paint(color, style, &outcome.to_uppercase()),
        r.scenario,
        r.engine,
        r.seed,
        r.end_tick,
        match crate::event::parse_duration(&r.tick) {
            Some(ns) => format!(
                " = {}, 1 tick = {}",
                crate::event::format_duration(ns.saturating_mul(r.end_tick)),
                r.tick
            ),
            None => format!(", 1 tick = {}", r.tick),
        }
    );
    if let Some(n) = r.dropped_events.filter(|&n| n > 0) {
        let _ = writeln!(
            s,
            "{n} events were dropped while recording (the recorder fell behind): \
             what follows misses them"
        );
    }
    for d in &r.deadlocks {
        let mut chain = d.cycle.first().map(|e| e.task.clone()).unwrap_or_default();
        let mut last: Option<&str> = None;
        for e in &d.cycle {
            if d.rule == "knot" && last == Some(e.task.as_str()) {
                let _ = write!(chain, ", {}", e.held_by);
            } else if d.rule == "knot" && last.is_some() {
                let _ = write!(chain, "; {} -[{}]-> {}", e.task, e.waits_for, e.held_by);
            } else {
                let _ = write!(chain, " -[{}]-> {}", e.waits_for, e.held_by);
            }
            last = Some(e.task.as_str());
        }
        let _ = writeln!(
            s,
            "  {} at tick {}: {}",
            d.rule,
            d.tick,
            paint(color, style, &chain)
        );
        // Where each waits, once a task.
        let mut said: Vec<&str> = Vec::new();
        for e in &d.cycle {
            if let (Some(at), false) = (&e.at, said.contains(&e.task.as_str())) {
                let _ = writeln!(s, "    {} waits for {} at {at}", e.task, e.waits_for);
                said.push(&e.task);
            }
        }
    }
    for t in r.tasks.iter().filter(|t| t.final_state == "blocked") {
        if r.outcome == Some("stalled") {
            let on = t.blocked_on.as_deref().unwrap_or("?");
            let _ = writeln!(s, "  {} waits forever for {}", t.name, on);
        }
    }
    for t in r.tasks.iter().filter(|t| t.failure.is_some()) {
        let _ = writeln!(
            s,
            "  {} failed: {}",
            t.name,
            t.failure.as_deref().unwrap_or("")
        );
    }
    tasks_table(&mut s, r);
    locks_table(&mut s, r);
    super::text_more::lock_order(&mut s, r);
    queues_table(&mut s, r);
    super::text_more::primitives(&mut s, r);
    if !r.vars.is_empty() {
        let vars: Vec<String> = r.vars.iter().map(|(k, v)| format!("{k} = {v}")).collect();
        let _ = writeln!(s, "\nvariables: {}", vars.join(", "));
    }
    super::text_more::processes(&mut s, r);
    let busy: Vec<String> = r
        .cpus
        .iter()
        .map(|c| {
            let cost = if c.switch_ticks > 0 {
                format!(" ({} ticks switching)", c.switch_ticks)
            } else {
                String::new()
            };
            format!(
                "cpu{} busy {} idle {} switches {}{cost}",
                c.id, c.busy, c.idle, c.switches
            )
        })
        .collect();
    let _ = writeln!(s, "cpus: {}", busy.join(", "));
    expect_lines(&mut s, r, color);
    s
}

fn tasks_table(s: &mut String, r: &Report) {
    let states: Vec<String> = r
        .tasks
        .iter()
        .map(|t| match &t.blocked_on {
            Some(on) => format!("{} {on}", t.final_state),
            None => t.final_state.to_string(),
        })
        .collect();
    let w = r
        .tasks
        .iter()
        .map(|t| t.name.len())
        .max()
        .unwrap_or(4)
        .max(4);
    let sw = states.iter().map(String::len).max().unwrap_or(5).max(5);
    let _ = writeln!(
        s,
        "\n{:w$}  {:sw$} {:>7} {:>5} {:>5} {:>7} {:>5} {:>6} {:>10} {:>8}  held",
        "task",
        "state",
        "arrival",
        "run",
        "ready",
        "blocked",
        "sleep",
        "finish",
        "turnaround",
        "response"
    );
    for (t, state) in r.tasks.iter().zip(&states) {
        let _ = writeln!(
            s,
            "{:w$}  {:sw$} {:>7} {:>5} {:>5} {:>7} {:>5} {:>6} {:>10} {:>8}  {}",
            t.name,
            state,
            opt(t.arrival),
            t.ticks.running,
            t.ticks.ready,
            t.ticks.blocked,
            t.ticks.sleeping,
            opt(t.finish),
            opt(t.turnaround),
            opt(t.response_time),
            t.held.join(" ")
        );
    }
    let a = &r.averages;
    let _ = writeln!(
        s,
        "average waiting {}, turnaround {}, response {} (over finished tasks)",
        avg(a.waiting_time),
        avg(a.turnaround),
        avg(a.response_time)
    );
}

fn locks_table(s: &mut String, r: &Report) {
    if r.locks.is_empty() {
        return;
    }
    let _ = writeln!(s, "\nlocks:");
    for l in &r.locks {
        let holder = l.holder.as_deref().unwrap_or("free");
        let waiters = if l.waiters.is_empty() {
            String::new()
        } else {
            format!(", waiting: {}", l.waiters.join(" "))
        };
        let waited = if l.total_wait > 0 {
            format!(
                "; waited {} ticks in all, {} at most",
                l.total_wait, l.longest_wait
            )
        } else {
            String::new()
        };
        let _ = writeln!(
            s,
            "  {} ({}): {holder}{waiters}; {} acquisitions, {} contended{waited}",
            l.name, l.kind, l.acquisitions, l.contentions
        );
    }
}

fn queues_table(s: &mut String, r: &Report) {
    if r.queues.is_empty() {
        return;
    }
    let _ = writeln!(s, "\nqueues:");
    for q in &r.queues {
        let cap = if q.capacity == 0 {
            "unbounded".to_string()
        } else {
            format!("capacity {}", q.capacity)
        };
        let _ = writeln!(
            s,
            "  {} ({}, {cap}): {} left, at most {}, {} puts, {} gets",
            q.name, q.order, q.final_len, q.max_len, q.puts, q.gets
        );
    }
}

fn expect_lines(s: &mut String, r: &Report, color: bool) {
    let Some(e) = &r.expect else { return };
    let good = AnsiColor::Green.on_default();
    let bad = AnsiColor::Red.on_default().bold();
    let mark = |ok: bool| {
        if ok {
            paint(color, good, "ok  ")
        } else {
            paint(color, bad, "FAIL")
        }
    };
    if !e.judged {
        let why = e.reason.as_deref().unwrap_or("the run has no end");
        let _ = writeln!(s, "\nexpect: not judged: {why}");
        let _ = writeln!(s, "  -    outcome {}", e.outcome);
        for c in &e.checks {
            let _ = writeln!(s, "  -    {}", c.check);
        }
        return;
    }
    let _ = writeln!(s, "\nexpect:");
    let got = r.outcome.unwrap_or("unfinished");
    if e.outcome_ok == Some(true) {
        let _ = writeln!(s, "  {} outcome {got}", mark(true));
    } else {
        let _ = writeln!(
            s,
            "  {} outcome: expected {}, got {got}",
            mark(false),
            e.outcome
        );
    }
    for c in &e.checks {
        let values = c.values.as_deref().unwrap_or("");
        let _ = writeln!(s, "  {} {} ({values})", mark(c.ok == Some(true)), c.check);
    }
}
