//! The `[vars]` table and the resource tables: `[locks]`, `[semaphores]`,
//! `[conditions]`, `[events]`, `[barriers]`, `[queues]` and `[pools]`.
//!
//! Declares every name in the shared namespace and expands `count` arrays.
//! Imports only the scenario's own modules and `toml`'s spanned document.

use toml::de::{DeTable, DeValue};

use super::limits::{MAX_COUNT, MAX_PERMITS, MAX_QUEUE_CAPACITY, MAX_RESOURCES};
use super::model::{PoolKind, QueueOrder, Resource, ResourceKind, RwPrefer, Span, Var};
use super::namespace::{parse_ref, Entity, Names, Target};
use super::value::{entries, integer, span_of, type_name, Ctx, Key, Val};

/// The tables that declare resources.
pub(crate) const RESOURCE_TABLES: [&str; 7] = [
    "locks",
    "semaphores",
    "conditions",
    "events",
    "barriers",
    "queues",
    "pools",
];

/// "a mutex", "an rwlock": a resource kind with its article, for messages.
pub(crate) fn article(kind: &ResourceKind) -> String {
    let name = kind.name();
    let vowel = matches!(name.chars().next(), Some('a' | 'e' | 'i' | 'o' | 'u' | 'r'));
    format!("{} {name}", if vowel { "an" } else { "a" })
}

/// Reads `[vars]`: integer variables in declaration order.
pub(crate) fn vars(ctx: &mut Ctx, doc: &DeTable<'_>, names: &mut Names) -> Vec<Var> {
    let mut out = Vec::new();
    let Some(t) = doc.get("vars").and_then(|v| ctx.table(v, "vars")) else {
        return out;
    };
    for (k, v) in entries(t) {
        let name: &str = k.get_ref();
        let initial = match integer(v.get_ref()) {
            Some(Some(n)) => n,
            Some(None) => {
                ctx.error(
                    span_of(v),
                    format!("`{name}` is too large for a 64-bit integer"),
                );
                0
            }
            None => {
                let found = type_name(v.get_ref());
                ctx.error(
                    span_of(v),
                    format!("variable `{name}` must be an integer, found {found}"),
                );
                0
            }
        };
        if names.declare(ctx, name, span_of(k), Entity::Var(out.len())) {
            out.push(Var {
                name: name.to_string(),
                initial,
                span: span_of(k),
            });
        }
    }
    out
}

/// A condition whose lock is resolved once every resource is declared.
struct PendingLock {
    condition: usize,
    lock: String,
    span: Span,
}

/// Reads every resource table, in declaration order across tables.
pub(crate) fn resources(
    ctx: &mut Ctx,
    doc: &DeTable<'_>,
    names: &mut Names,
    cpus: u32,
) -> Vec<Resource> {
    let mut all: Vec<(&str, &Key<'_>, &Val<'_>)> = Vec::new();
    for table in RESOURCE_TABLES {
        if let Some(t) = doc.get(table).and_then(|v| ctx.table(v, table)) {
            all.extend(entries(t).into_iter().map(|(k, v)| (table, k, v)));
        }
    }
    all.sort_by_key(|(_, k, _)| k.span().start);
    let mut out = Vec::new();
    let mut pending = Vec::new();
    for (table, k, v) in all {
        let Some((kind, count)) = resource(ctx, table, v, cpus, &mut pending) else {
            continue;
        };
        let n = count.unwrap_or(1) as usize;
        if out.len() + n > MAX_RESOURCES {
            let msg =
                format!("too many resources: at most {MAX_RESOURCES} after `count` expansion");
            ctx.error(span_of(k), msg);
            break;
        }
        let name: &str = k.get_ref();
        let entity = Entity::Resource {
            first: out.len(),
            len: count,
        };
        if !names.declare(ctx, name, span_of(k), entity) {
            continue;
        }
        if let Some(p) = pending.last_mut().filter(|p| p.condition == usize::MAX) {
            p.condition = out.len();
        }
        push_elements(&mut out, name, kind, count, span_of(k));
    }
    pending.retain(|p| p.condition != usize::MAX);
    resolve_locks(ctx, names, &mut out, &pending);
    out
}

fn push_elements(
    out: &mut Vec<Resource>,
    name: &str,
    kind: ResourceKind,
    count: Option<u32>,
    span: Span,
) {
    match count {
        None => out.push(Resource {
            name: name.to_string(),
            kind,
            span,
        }),
        Some(n) => out.extend((0..n).map(|k| Resource {
            name: format!("{name}[{k}]"),
            kind: kind.clone(),
            span,
        })),
    }
}

/// Binds each condition to its lock, which must be a mutex or an rlock.
fn resolve_locks(ctx: &mut Ctx, names: &Names, out: &mut [Resource], pending: &[PendingLock]) {
    for p in pending {
        let target = parse_ref(&p.lock, p.span)
            .and_then(|r| names.resolve(&r, 0, |e| matches!(e, Entity::Resource { .. })));
        let lock = match target {
            Ok(Target::Resource(r)) => r,
            Ok(_) => {
                let msg = format!(
                    "condition needs a mutex or rlock, but `{}` is not a lock",
                    p.lock
                );
                ctx.error(p.span, msg);
                continue;
            }
            Err(d) => {
                ctx.errors.push(d);
                continue;
            }
        };
        let Some(kind) = out.get(lock).map(|r| r.kind.clone()) else {
            continue;
        };
        if !matches!(kind, ResourceKind::Mutex | ResourceKind::RLock) {
            let what = article(&kind);
            let msg = format!(
                "condition needs a mutex or rlock, but `{}` is {what}",
                p.lock
            );
            ctx.error(p.span, msg);
            continue;
        }
        for r in out.iter_mut().skip(p.condition) {
            match &mut r.kind {
                ResourceKind::Condition { lock: l } if *l == usize::MAX => *l = lock,
                _ => break,
            }
        }
    }
}

/// Reads one resource declaration: its kind and its `count`, if an array.
fn resource(
    ctx: &mut Ctx,
    table: &str,
    v: &Val<'_>,
    cpus: u32,
    pending: &mut Vec<PendingLock>,
) -> Option<(ResourceKind, Option<u32>)> {
    match table {
        "locks" => lock(ctx, v),
        "semaphores" => semaphore(ctx, v),
        "conditions" => {
            let (lock, span) = condition_lock(ctx, v)?;
            pending.push(PendingLock {
                condition: usize::MAX,
                lock,
                span,
            });
            Some((ResourceKind::Condition { lock: usize::MAX }, None))
        }
        "events" => ctx
            .boolean(v, "event")
            .map(|set| (ResourceKind::Event { set }, None)),
        "barriers" => ctx
            .uint(v, "parties", 1, MAX_PERMITS)
            .map(|parties| (ResourceKind::Barrier { parties }, None)),
        "queues" => queue(ctx, v),
        _ => pool(ctx, v, cpus),
    }
}

/// Reads `count` from an inline table: `Some(n)` for an array of n > 1.
fn count(ctx: &mut Ctx, t: &DeTable<'_>) -> Option<u32> {
    let n = t
        .get("count")
        .and_then(|v| ctx.uint(v, "count", 1, MAX_COUNT))?;
    (n > 1).then_some(n)
}

fn lock(ctx: &mut Ctx, v: &Val<'_>) -> Option<(ResourceKind, Option<u32>)> {
    const KINDS: [(&str, u8); 3] = [("mutex", 0), ("rlock", 1), ("rwlock", 2)];
    const PREFER: [(&str, RwPrefer); 3] = [
        ("fair", RwPrefer::Fair),
        ("reader", RwPrefer::Reader),
        ("writer", RwPrefer::Writer),
    ];
    let (kind, prefer, count) = match v.get_ref() {
        DeValue::Table(t) => {
            ctx.check_keys(t, &["kind", "count", "prefer"], "a lock");
            let kind = match t.get("kind") {
                Some(k) => ctx.choice(k, "lock kind", &KINDS)?,
                None => 0,
            };
            let prefer = t
                .get("prefer")
                .map(|p| (p, ctx.choice(p, "rwlock preference", &PREFER)));
            (kind, prefer, count(ctx, t))
        }
        _ => (ctx.choice(v, "lock kind", &KINDS)?, None, None),
    };
    if let (Some((p, _)), true) = (prefer, kind != 2) {
        ctx.error(span_of(p), "`prefer` is only for an rwlock");
    }
    let prefer = prefer.and_then(|(_, p)| p).unwrap_or(RwPrefer::Fair);
    let kind = match kind {
        0 => ResourceKind::Mutex,
        1 => ResourceKind::RLock,
        _ => ResourceKind::RwLock { prefer },
    };
    Some((kind, count))
}

fn semaphore(ctx: &mut Ctx, v: &Val<'_>) -> Option<(ResourceKind, Option<u32>)> {
    let (permits, bounded, count) = match v.get_ref() {
        DeValue::Table(t) => {
            ctx.check_keys(t, &["permits", "bounded", "count"], "a semaphore");
            let permits = match t.get("permits") {
                Some(p) => ctx.uint(p, "permits", 0, MAX_PERMITS)?,
                None => 1,
            };
            let bounded = t.get("bounded").and_then(|b| ctx.boolean(b, "bounded"));
            (permits, bounded.unwrap_or(false), count(ctx, t))
        }
        _ => (ctx.uint(v, "permits", 0, MAX_PERMITS)?, false, None),
    };
    Some((ResourceKind::Semaphore { permits, bounded }, count))
}

fn condition_lock(ctx: &mut Ctx, v: &Val<'_>) -> Option<(String, Span)> {
    let lock = match v.get_ref() {
        DeValue::Table(t) => {
            ctx.check_keys(t, &["lock"], "a condition");
            let Some(lock) = t.get("lock") else {
                let hint = Some("write `{ lock = \"m\" }` with a declared mutex".to_string());
                ctx.error_hint(span_of(v), "condition needs `lock`", hint);
                return None;
            };
            lock
        }
        _ => v,
    };
    let name = ctx.string(lock, "lock")?;
    Some((name.to_string(), span_of(lock)))
}

fn queue(ctx: &mut Ctx, v: &Val<'_>) -> Option<(ResourceKind, Option<u32>)> {
    const ORDERS: [(&str, QueueOrder); 3] = [
        ("fifo", QueueOrder::Fifo),
        ("lifo", QueueOrder::Lifo),
        ("priority", QueueOrder::Priority),
    ];
    let (capacity, order, count) = match v.get_ref() {
        DeValue::Table(t) => {
            ctx.check_keys(t, &["capacity", "order", "count"], "a queue");
            let capacity = match t.get("capacity") {
                Some(c) => ctx.uint(c, "capacity", 0, MAX_QUEUE_CAPACITY)?,
                None => 0,
            };
            let order = match t.get("order") {
                Some(o) => ctx.choice(o, "queue order", &ORDERS)?,
                None => QueueOrder::Fifo,
            };
            (capacity, order, count(ctx, t))
        }
        _ => (
            ctx.uint(v, "capacity", 0, MAX_QUEUE_CAPACITY)?,
            QueueOrder::Fifo,
            None,
        ),
    };
    Some((ResourceKind::Queue { capacity, order }, count))
}

fn pool(ctx: &mut Ctx, v: &Val<'_>, cpus: u32) -> Option<(ResourceKind, Option<u32>)> {
    const KINDS: [(&str, PoolKind); 2] =
        [("thread", PoolKind::Thread), ("process", PoolKind::Process)];
    let (workers, kind) = match v.get_ref() {
        DeValue::Table(t) => {
            ctx.check_keys(t, &["workers", "kind"], "a pool");
            let workers = match t.get("workers") {
                Some(w) => ctx.uint(w, "workers", 1, MAX_PERMITS)?,
                None => cpus,
            };
            let kind = match t.get("kind") {
                Some(k) => ctx.choice(k, "pool kind", &KINDS)?,
                None => PoolKind::Thread,
            };
            (workers, kind)
        }
        _ => (ctx.uint(v, "workers", 1, MAX_PERMITS)?, PoolKind::Thread),
    };
    Some((ResourceKind::Pool { workers, kind }, None))
}
