//! The `[scenario]` and `[machine]` tables.
//!
//! Imports only the scenario's own modules and `toml`'s spanned document.

use toml::de::{DeTable, DeValue};

use super::limits::{MAX_CPUS, MAX_TICKS};
use super::model::{Machine, Policy, Span};
use super::value::{entries, span_of, type_name, Ctx, Val};

/// The keys allowed in `[machine]`.
const MACHINE_KEYS: [&str; 10] = [
    "cpus",
    "policy",
    "quantum",
    "gil",
    "switch_interval",
    "switch_cost",
    "preempt",
    "seed",
    "tick",
    "max_ticks",
];

/// Reads `[scenario]`: its name (required) and description.
pub(crate) fn scenario(ctx: &mut Ctx, doc: &DeTable<'_>) -> (String, String) {
    let Some(v) = doc.get("scenario") else {
        ctx.error_hint(
            Span::new(0, 0),
            "missing `[scenario]` table",
            Some("start the file with `[scenario]` and `name = \"...\"`".to_string()),
        );
        return (String::new(), String::new());
    };
    let Some(t) = ctx.table(v, "scenario") else {
        return (String::new(), String::new());
    };
    ctx.check_keys(t, &["name", "description"], "[scenario]");
    let name = match t.get("name") {
        Some(n) => ctx.string(n, "name").unwrap_or_default().to_string(),
        None => {
            ctx.error_hint(
                span_of(v),
                "missing `name` in [scenario]",
                Some("add `name = \"...\"`".to_string()),
            );
            String::new()
        }
    };
    let description = t
        .get("description")
        .and_then(|d| ctx.string(d, "description"))
        .unwrap_or_default()
        .to_string();
    (name, description)
}

/// Reads `[machine]`, filling in the defaults.
pub(crate) fn machine(ctx: &mut Ctx, doc: &DeTable<'_>) -> Machine {
    let mut m = Machine::default();
    let Some(t) = doc.get("machine").and_then(|v| ctx.table(v, "machine")) else {
        return m;
    };
    ctx.check_keys(t, &MACHINE_KEYS, "[machine]");
    for (k, v) in entries(t) {
        let key: &str = k.get_ref();
        set_machine_key(ctx, &mut m, key, v);
        if key == "gil" && m.gil {
            m.gil_span = Some(Span::new(k.span().start, v.span().end));
        }
    }
    m
}

fn set_machine_key(ctx: &mut Ctx, m: &mut Machine, key: &str, v: &Val<'_>) {
    const POLICIES: [(&str, Policy); 7] = [
        ("fifo", Policy::Fifo),
        ("rr", Policy::Rr),
        ("sjf", Policy::Sjf),
        ("srtf", Policy::Srtf),
        ("priority", Policy::Priority),
        ("priority-preemptive", Policy::PriorityPreemptive),
        ("random", Policy::Random),
    ];
    match key {
        "cpus" => set(&mut m.cpus, ctx.uint(v, key, 1, MAX_CPUS)),
        "policy" => set(&mut m.policy, ctx.choice(v, "policy", &POLICIES)),
        "quantum" => set(&mut m.quantum, ctx.uint(v, key, 1, MAX_TICKS)),
        "gil" => set(&mut m.gil, ctx.boolean(v, key)),
        "switch_interval" => set(&mut m.switch_interval, ctx.uint(v, key, 1, MAX_TICKS)),
        "switch_cost" => set(&mut m.switch_cost, ctx.uint(v, key, 0, MAX_TICKS)),
        "preempt" => set(&mut m.preempt, probability(ctx, v)),
        "seed" => set(&mut m.seed, ctx.int(v, key, 0, i64::MAX).map(|n| n as u64)),
        "tick" => set(&mut m.tick, tick(ctx, v)),
        "max_ticks" => set(
            &mut m.max_ticks,
            ctx.int(v, key, 1, MAX_TICKS).map(|n| n as u64),
        ),
        _ => {}
    }
}

fn set<T>(slot: &mut T, value: Option<T>) {
    if let Some(value) = value {
        *slot = value;
    }
}

/// Reads `preempt`: a float (or an integer) within 0..=1.
fn probability(ctx: &mut Ctx, v: &Val<'_>) -> Option<f64> {
    let p = match v.get_ref() {
        DeValue::Float(f) => f.as_str().parse::<f64>().ok(),
        DeValue::Integer(n) => n.as_str().parse::<i64>().ok().map(|n| n as f64),
        other => {
            let found = type_name(other);
            ctx.error(
                span_of(v),
                format!("`preempt` must be a number, found {found}"),
            );
            return None;
        }
    };
    match p {
        Some(p) if (0.0..=1.0).contains(&p) => Some(p),
        Some(p) => {
            let msg = format!("`preempt` must be between 0 and 1, got {p}");
            ctx.error(span_of(v), msg);
            None
        }
        None => {
            ctx.error(span_of(v), "`preempt` is not a valid number");
            None
        }
    }
}

/// Reads `tick`: a non-empty label such as `"10ms"`.
fn tick(ctx: &mut Ctx, v: &Val<'_>) -> Option<String> {
    let s = ctx.string(v, "tick")?;
    if s.trim().is_empty() {
        ctx.error_hint(
            span_of(v),
            "`tick` must not be empty",
            Some("write a duration such as `\"10ms\"`".to_string()),
        );
        return None;
    }
    Some(s.to_string())
}
