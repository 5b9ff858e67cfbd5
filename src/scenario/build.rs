//! Builds the model's tasks from their declarations: one task per `count`
//! instance, with its process, event loop and pool resolved and its script
//! resolved for its index `i`.
//!
//! Imports only the scenario's own modules.

use super::limits::MAX_TOTAL_STMTS;
use super::model::{ResourceKind, Span, Task, TaskKind};
use super::namespace::{parse_ref, Entity, Target};
use super::script::{self, Resolver, Scope, TaskInfo};
use super::tasks::TaskDecl;
use super::value::Ctx;

/// Builds every task instance, in declaration order.
pub(crate) fn tasks(ctx: &mut Ctx, decls: &[TaskDecl], scope: &Scope<'_>) -> Vec<Task> {
    if !within_statement_limit(ctx, decls) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for d in decls {
        for (i, name) in d.instances() {
            let before = ctx.errors.len();
            if let Some(me) = scope.tasks.get(d.first + i as usize) {
                out.push(instance(ctx, d, i, name, me, scope));
            }
            // Every instance resolves the same settings and script: once one
            // fails, the rest would only repeat its errors, each with its
            // own hint search (seconds for `count = 10000`). The file is
            // rejected either way.
            if ctx.errors.len() > before {
                break;
            }
        }
    }
    let loops: Vec<Option<String>> = out
        .iter()
        .map(|t| {
            t.event_loop
                .and_then(|l| out.get(l))
                .map(|l| l.process.clone())
        })
        .collect();
    for (t, process) in out.iter_mut().zip(loops) {
        if let (TaskKind::Coroutine, Some(p)) = (t.kind, process) {
            t.process = p;
        }
    }
    out
}

/// Reports a scenario whose scripts, once expanded, hold too many statements.
fn within_statement_limit(ctx: &mut Ctx, decls: &[TaskDecl]) -> bool {
    let mut total = 0usize;
    for d in decls {
        let n = script::count(&d.script).saturating_mul(d.count.unwrap_or(1) as usize);
        total = total.saturating_add(n);
        if total > MAX_TOTAL_STMTS {
            let msg = format!("too many operations: at most {MAX_TOTAL_STMTS} in all tasks after `count` expansion");
            ctx.error(d.name_span, msg);
            return false;
        }
    }
    true
}

fn instance(
    ctx: &mut Ctx,
    d: &TaskDecl,
    i: u32,
    name: String,
    me: &TaskInfo,
    scope: &Scope<'_>,
) -> Task {
    let process = match d.kind {
        TaskKind::Thread => process(ctx, d, i, scope),
        TaskKind::Process => {
            not_for(
                ctx,
                &d.process,
                "`process` is only for threads; a process task is its own process",
            );
            name.clone()
        }
        TaskKind::Coroutine => {
            not_for(
                ctx,
                &d.process,
                "`process` is only for threads; a coroutine runs in its loop's process",
            );
            "main".to_string()
        }
    };
    let event_loop = event_loop(ctx, d, i, scope);
    let pool = pool(ctx, d, i, scope);
    let script = Resolver { scope, ctx, i, me }.block(&d.script);
    Task {
        name,
        kind: d.kind,
        process,
        event_loop,
        pool,
        start: d.start,
        priority: d.priority,
        daemon: d.daemon,
        on_timeout: d.on_timeout,
        index: i,
        script,
        span: d.span,
        script_span: d.script_span,
    }
}

fn not_for(ctx: &mut Ctx, setting: &Option<(String, Span)>, msg: &str) {
    if let Some((_, span)) = setting {
        ctx.error(*span, msg);
    }
}

/// Resolves a setting naming a task, which must be of kind `kind`.
fn task_of_kind(
    ctx: &mut Ctx,
    text: &str,
    span: Span,
    i: u32,
    scope: &Scope<'_>,
    kind: TaskKind,
) -> Option<usize> {
    let tasks = scope.tasks;
    let want = |e: Entity| match e {
        Entity::Task { first, .. } => tasks.get(first).is_some_and(|t| t.kind == kind),
        _ => false,
    };
    let target = parse_ref(text, span).and_then(|r| scope.names.resolve(&r, i, want));
    match target {
        Ok(Target::Task(k)) if tasks.get(k).is_some_and(|t| t.kind == kind) => Some(k),
        Ok(_) => {
            let msg = format!("`{text}` is not a {} task", kind.as_str());
            let hint = scope.names.hint(text, want);
            ctx.error_hint(span, msg, hint);
            None
        }
        Err(mut d) => {
            if d.hint.is_none() {
                let main = if kind == TaskKind::Process {
                    ", or `main`"
                } else {
                    ""
                };
                d.hint = Some(format!(
                    "name a task with `kind = \"{}\"`{main}",
                    kind.as_str()
                ));
            }
            ctx.errors.push(d);
            None
        }
    }
}

fn process(ctx: &mut Ctx, d: &TaskDecl, i: u32, scope: &Scope<'_>) -> String {
    match &d.process {
        None => "main".to_string(),
        Some((p, _)) if p == "main" => "main".to_string(),
        Some((p, span)) => task_of_kind(ctx, p, *span, i, scope, TaskKind::Process)
            .and_then(|k| scope.tasks.get(k))
            .map_or_else(|| "main".to_string(), |t| t.name.clone()),
    }
}

fn event_loop(ctx: &mut Ctx, d: &TaskDecl, i: u32, scope: &Scope<'_>) -> Option<usize> {
    match (&d.event_loop, d.kind) {
        (Some((l, span)), TaskKind::Coroutine) => {
            task_of_kind(ctx, l, *span, i, scope, TaskKind::Thread)
        }
        (Some((_, span)), _) => {
            ctx.error(*span, "`loop` is only for coroutines");
            None
        }
        (None, TaskKind::Coroutine) => {
            let msg = format!("coroutine `{}` needs a `loop`", d.name);
            let hint = Some(
                "add `loop = \"THREAD\"` naming the thread that runs its event loop".to_string(),
            );
            ctx.error_hint(d.name_span, msg, hint);
            None
        }
        (None, _) => None,
    }
}

fn pool(ctx: &mut Ctx, d: &TaskDecl, i: u32, scope: &Scope<'_>) -> Option<usize> {
    let (text, span) = d.pool.as_ref()?;
    if d.kind == TaskKind::Coroutine {
        ctx.error(*span, "a coroutine cannot be a pool job");
        return None;
    }
    let resources = scope.resources;
    let is_pool = |r: usize| {
        resources
            .get(r)
            .is_some_and(|r| matches!(r.kind, ResourceKind::Pool { .. }))
    };
    let want = |e: Entity| matches!(e, Entity::Resource { first, .. } if is_pool(first));
    match parse_ref(text, *span).and_then(|r| scope.names.resolve(&r, i, want)) {
        Ok(Target::Resource(r)) if is_pool(r) => Some(r),
        Ok(_) => {
            let hint = scope.names.hint(text, want);
            ctx.error_hint(*span, format!("`{text}` is not a pool"), hint);
            None
        }
        Err(e) => {
            ctx.errors.push(e);
            None
        }
    }
}
