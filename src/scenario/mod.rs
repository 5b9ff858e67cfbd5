//! The scenario language: the TOML model, the script parser, validation and
//! diagnostics with spans. Imports nothing else of weft.
//!
//! [`parse`] turns a file's bytes into a checked [`Scenario`], or into
//! [`Diagnostics`] listing every error in the file.

mod build;
pub mod diag;
mod expect;
pub use crate::limits;
mod machine;
pub mod model;
mod names;
mod namespace;
mod nesting;
pub mod program;
mod resources;
mod script;
mod strmap;
mod tasks;
mod value;

pub use diag::{Diagnostic, Diagnostics};
pub use model::*;
pub use names::did_you_mean;

use toml::de::DeTable;

use namespace::Names;
use value::{entries, span_of, Ctx};

/// The top-level tables a scenario may have.
const TABLES: [&str; 12] = [
    "scenario",
    "machine",
    "vars",
    "locks",
    "semaphores",
    "conditions",
    "events",
    "barriers",
    "queues",
    "pools",
    "task",
    "expect",
];

/// Parses and checks a scenario file.
///
/// `path` is only used in messages. Every error in the file is reported;
/// nothing panics, whatever the bytes.
pub fn parse(path: &str, bytes: &[u8]) -> Result<Scenario, Diagnostics> {
    let source = match std::str::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => {
            let at = e.valid_up_to();
            let lossy = String::from_utf8_lossy(bytes).into_owned();
            let msg = format!("file is not valid UTF-8 at byte {at}");
            return Err(Diagnostics::single(
                path,
                lossy,
                Span::new(at, at + 1),
                msg,
                None,
            ));
        }
    };
    let fail = |items: Vec<Diagnostic>| {
        let mut d = Diagnostics {
            path: path.to_string(),
            source: source.to_string(),
            items,
        };
        d.sort();
        d
    };
    if source.trim().is_empty() {
        let hint = Some("start with `[scenario]` and `name = \"...\"`".to_string());
        return Err(fail(vec![Diagnostic::new(
            Span::new(0, 0),
            "file is empty",
            hint,
        )]));
    }
    if let Some(at) = nesting::too_deep(source) {
        let msg = format!(
            "arrays and inline tables nested deeper than {}",
            limits::MAX_TOML_NESTING
        );
        let hint = Some("close each `[` and `{` on the line that opens it".to_string());
        return Err(fail(vec![Diagnostic::new(
            Span::new(at, at + 1),
            msg,
            hint,
        )]));
    }
    let (doc, errors) = DeTable::parse_recoverable(source);
    if !errors.is_empty() {
        return Err(fail(errors.iter().map(syntax_error).collect()));
    }
    let mut ctx = Ctx::default();
    let scenario = check(&mut ctx, doc.get_ref(), path, source);
    if ctx.errors.is_empty() {
        Ok(scenario)
    } else {
        Err(fail(ctx.errors))
    }
}

/// Reports a scenario whose processes, or copies of its variables, would
/// not fit in memory.
fn check_sizes(ctx: &mut Ctx, vars: &[Var], resources: &[Resource], tasks: &[Task]) {
    use limits::{MAX_PROCESSES, MAX_VAR_COPIES};
    let mut processes = 1usize;
    let mut last = None;
    for t in tasks.iter().filter(|t| t.kind == TaskKind::Process) {
        processes += 1;
        last = Some(t.span);
    }
    for r in resources {
        if let ResourceKind::Pool {
            workers,
            kind: PoolKind::Process,
        } = r.kind
        {
            processes = processes.saturating_add(workers as usize);
            last = Some(r.span);
        }
    }
    if processes > MAX_PROCESSES {
        let at = last.unwrap_or_default();
        ctx.error(
            at,
            format!("too many processes: {processes}, at most {MAX_PROCESSES} (process tasks and process-pool workers)"),
        );
        return;
    }
    let copies = vars
        .len()
        .saturating_mul(tasks.len().saturating_add(processes));
    if copies > MAX_VAR_COPIES {
        let at = vars.first().map(|v| v.span).unwrap_or_default();
        ctx.error(
            at,
            format!(
                "too many variables for this many tasks: {} variables × ({} tasks + {processes} processes) copies, at most {MAX_VAR_COPIES}",
                vars.len(),
                tasks.len()
            ),
        );
    }
}

/// A TOML syntax error as a diagnostic.
fn syntax_error(e: &toml::de::Error) -> Diagnostic {
    let span = e
        .span()
        .map_or(Span::new(0, 0), |r| Span::new(r.start, r.end));
    let mut message = e.message().trim().to_string();
    if let Some(first) = message.get(..1) {
        message = first.to_lowercase() + &message[1..];
    }
    Diagnostic::new(span, message, None)
}

/// Reads and checks every table of a syntactically valid document.
fn check(ctx: &mut Ctx, doc: &DeTable<'_>, path: &str, source: &str) -> Scenario {
    for (k, _) in entries(doc) {
        let name: &str = k.get_ref();
        if !TABLES.contains(&name) {
            let hint = names::did_you_mean(name, TABLES);
            ctx.error_hint(span_of(k), format!("unknown table `{name}`"), hint);
        }
    }
    let (name, description) = machine::scenario(ctx, doc);
    let machine = machine::machine(ctx, doc);
    let mut names = Names::new(source);
    let vars = resources::vars(ctx, doc, &mut names);
    let resources = resources::resources(ctx, doc, &mut names, machine.cpus);
    let decls = tasks::decls(ctx, doc, &mut names, source);
    let infos = tasks::infos(&decls);
    let scope = script::Scope {
        names: &names,
        resources: &resources,
        tasks: &infos,
    };
    let tasks = build::tasks(ctx, &decls, &scope);
    check_sizes(ctx, &vars, &resources, &tasks);
    let expect = expect::expect(ctx, doc, &names);
    Scenario {
        path: path.to_string(),
        source: source.to_string(),
        name,
        description,
        machine,
        vars,
        resources,
        tasks,
        expect,
    }
}
