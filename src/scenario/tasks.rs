//! The `[[task]]` tables: reading each declaration, expanding `count`
//! arrays, and building the model's tasks with their processes, loops, pools
//! and resolved scripts.
//!
//! Imports only the scenario's own modules and `toml`'s spanned document.

use toml::de::{DeTable, DeValue};

use super::limits::{MAX_COUNT, MAX_TASKS, MAX_TICKS};
use super::model::{OnTimeout, Span, Start, TaskKind};
use super::namespace::{Entity, Names};
use super::script::{self, RawStmt, TaskInfo};
use super::strmap::StrMap;
use super::value::{span_of, Ctx, Val};

const TASK_KEYS: [&str; 11] = [
    "name",
    "kind",
    "process",
    "loop",
    "pool",
    "start",
    "priority",
    "daemon",
    "count",
    "on_timeout",
    "script",
];

/// A name given as a setting (`process = "p"`) and where it is written.
pub(crate) type NameRef = Option<(String, Span)>;

/// One `[[task]]` table, read but not yet expanded or resolved.
#[derive(Debug, Clone)]
pub(crate) struct TaskDecl {
    /// The task's name.
    pub name: String,
    /// Where the task's name is written.
    pub name_span: Span,
    /// Where the task's table is declared.
    pub span: Span,
    /// Thread, process or coroutine.
    pub kind: TaskKind,
    /// `process = "..."`.
    pub process: NameRef,
    /// `loop = "..."`.
    pub event_loop: NameRef,
    /// `pool = "..."`.
    pub pool: NameRef,
    /// When it arrives.
    pub start: Start,
    /// Its priority.
    pub priority: i64,
    /// Whether it is a daemon.
    pub daemon: bool,
    /// `Some(n)` for an array of n tasks.
    pub count: Option<u32>,
    /// What a failed operation without `else` does.
    pub on_timeout: OnTimeout,
    /// The parsed script.
    pub script: Vec<RawStmt>,
    /// Where the script string is written.
    pub script_span: Span,
    /// Index of the first expanded task.
    pub first: usize,
}

impl TaskDecl {
    /// The expanded instances: (index `i`, name).
    pub fn instances(&self) -> Vec<(u32, String)> {
        match self.count {
            None => vec![(0, self.name.clone())],
            Some(n) => (0..n).map(|k| (k, format!("{}[{k}]", self.name))).collect(),
        }
    }
}

/// Reads every `[[task]]` table and declares the task names.
pub(crate) fn decls(
    ctx: &mut Ctx,
    doc: &DeTable<'_>,
    names: &mut Names,
    source: &str,
) -> Vec<TaskDecl> {
    let mut out = Vec::new();
    let Some((key, v)) = doc.get_key_value("task") else {
        return out;
    };
    let DeValue::Array(items) = v.get_ref() else {
        let hint = Some("write each task as `[[task]]`".to_string());
        ctx.error_hint(span_of(key), "`task` must be an array of tables", hint);
        return out;
    };
    let mut total = 0usize;
    for item in items.iter() {
        let Some(t) = ctx.table(item, "task") else {
            continue;
        };
        let Some(mut d) = decl(ctx, t, span_of(item), source) else {
            continue;
        };
        let n = d.count.unwrap_or(1) as usize;
        if total + n > MAX_TASKS {
            ctx.error(
                d.name_span,
                format!("too many tasks: at most {MAX_TASKS} after `count` expansion"),
            );
            break;
        }
        d.first = total;
        let entity = Entity::Task {
            first: total,
            len: d.count,
        };
        if names.declare(ctx, &d.name, d.name_span, entity) {
            total += n;
            out.push(d);
        }
    }
    out
}

/// Reads a task's `name`, which is required.
fn task_name(ctx: &mut Ctx, v: Option<&Val<'_>>, table: Span) -> Option<String> {
    let Some(v) = v else {
        let hint = Some("add `name = \"...\"`".to_string());
        ctx.error_hint(table, "task needs a `name`", hint);
        return None;
    };
    ctx.string(v, "name").map(str::to_string)
}

/// Reads one `[[task]]` table.
fn decl(ctx: &mut Ctx, t: &DeTable<'_>, span: Span, source: &str) -> Option<TaskDecl> {
    const KINDS: [(&str, TaskKind); 3] = [
        ("thread", TaskKind::Thread),
        ("process", TaskKind::Process),
        ("coroutine", TaskKind::Coroutine),
    ];
    const ON_TIMEOUT: [(&str, OnTimeout); 2] =
        [("fail", OnTimeout::Fail), ("ignore", OnTimeout::Ignore)];
    ctx.check_keys(t, &TASK_KEYS, "a [[task]]");
    let name_val = t.get("name");
    let name = task_name(ctx, name_val, span);
    let mut d = TaskDecl {
        name: name.clone().unwrap_or_default(),
        name_span: name_val.map_or(span, span_of),
        span,
        // The defaults are the values shown in SCENARIOS.md: thread, start 0, priority 1.
        kind: get(t, "kind")
            .and_then(|v| ctx.choice(v, "task kind", &KINDS))
            .unwrap_or(TaskKind::Thread),
        process: name_ref(ctx, t, "process"),
        event_loop: name_ref(ctx, t, "loop"),
        pool: name_ref(ctx, t, "pool"),
        start: get(t, "start")
            .and_then(|v| start(ctx, v))
            .unwrap_or(Start::At(0)),
        priority: get(t, "priority")
            .and_then(|v| ctx.int(v, "priority", -MAX_TICKS, MAX_TICKS))
            .unwrap_or(1),
        daemon: get(t, "daemon")
            .and_then(|v| ctx.boolean(v, "daemon"))
            .unwrap_or(false),
        count: get(t, "count")
            .and_then(|v| ctx.uint(v, "count", 1, MAX_COUNT))
            .filter(|n| *n > 1),
        on_timeout: get(t, "on_timeout")
            .and_then(|v| ctx.choice(v, "on_timeout value", &ON_TIMEOUT))
            .unwrap_or(OnTimeout::Fail),
        script: Vec::new(),
        script_span: span,
        first: 0,
    };
    if let Some(v) = t.get("script") {
        d.script_span = span_of(v);
        d.script = parse_script(ctx, v, source);
    }
    name.map(|_| d)
}

/// Parses a task's `script` string, locating it in the file.
fn parse_script(ctx: &mut Ctx, v: &Val<'_>, source: &str) -> Vec<RawStmt> {
    let Some(text) = ctx.string(v, "script") else {
        return Vec::new();
    };
    let map = StrMap::new(source, span_of(v), text);
    script::parse(text, &map, ctx)
}

fn get<'a, 'i>(t: &'a DeTable<'i>, key: &str) -> Option<&'a Val<'i>> {
    t.get(key)
}

fn name_ref(ctx: &mut Ctx, t: &DeTable<'_>, key: &str) -> NameRef {
    let v = t.get(key)?;
    let s = ctx.string(v, key)?;
    Some((s.to_string(), span_of(v)))
}

fn start(ctx: &mut Ctx, v: &Val<'_>) -> Option<Start> {
    if let DeValue::String(s) = v.get_ref() {
        if s.as_ref() == "spawned" {
            return Some(Start::Spawned);
        }
        let hint = Some("write a tick number or `\"spawned\"`".to_string());
        ctx.error_hint(span_of(v), format!("unknown start `{s}`"), hint);
        return None;
    }
    ctx.int(v, "start", 0, MAX_TICKS)
        .map(|n| Start::At(n as u64))
}

/// What the script resolver needs to know about every expanded task.
pub(crate) fn infos(decls: &[TaskDecl]) -> Vec<TaskInfo> {
    decls
        .iter()
        .flat_map(|d| {
            d.instances().into_iter().map(|(_, name)| TaskInfo {
                name,
                kind: d.kind,
                spawned: d.start == Start::Spawned,
            })
        })
        .collect()
}
