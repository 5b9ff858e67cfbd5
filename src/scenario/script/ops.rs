//! The operations of the script language: each one's arguments, the kind of
//! thing it works on, and whether it may take an `else` block.
//!
//! Imports only the scenario's own modules.

use super::super::limits::{MAX_NOTIFY, MAX_TICKS};
use super::super::model::{Op, Span, TaskKind, TextPart};
use super::super::names::did_you_mean;
use super::super::namespace::{Entity, Target};
use super::lexer::{RawPart, Tok};
use super::resolve::{Args, Resolver};
use super::syntax::RawKind;

/// Every operation name, for "did you mean" hints.
pub(crate) const OPERATIONS: [&str; 35] = [
    "compute",
    "sleep",
    "io",
    "yield",
    "acquire",
    "acquire_read",
    "release",
    "release_read",
    "wait",
    "notify",
    "notify_all",
    "set",
    "clear",
    "put",
    "put_nowait",
    "get",
    "get_nowait",
    "task_done",
    "join",
    "spawn",
    "terminate",
    "read",
    "write",
    "incr",
    "decr",
    "atomic_incr",
    "print",
    "await",
    "run_loop",
    "repeat",
    "loop",
    "if",
    "break",
    "exit",
    "restart",
];

const LOCKS: [&str; 4] = ["mutex", "rlock", "semaphore", "rwlock"];
const LOCKS_NEED: &str = "a mutex, rlock, semaphore or rwlock";

impl Resolver<'_, '_> {
    /// Resolves one operation and its arguments.
    pub(super) fn op(&mut self, a: &mut Args<'_>) -> Option<Op> {
        match a.op {
            "compute" => self.ticks(a, 1).map(Op::Compute),
            "sleep" => self.ticks(a, 0).map(Op::Sleep),
            "io" => self.ticks(a, 1).map(Op::Io),
            "yield" => Some(Op::Yield),
            "exit" => Some(Op::Exit),
            "restart" => Some(Op::Restart),
            "break" => Some(Op::Break),
            "run_loop" => self.run_loop(a),
            "acquire" | "acquire_read" | "wait" => self.blocking(a),
            "release" => self.res(a, &LOCKS, LOCKS_NEED).map(Op::Release),
            "release_read" => self.res(a, &["rwlock"], "an rwlock").map(Op::ReleaseRead),
            "notify" => {
                let res = self.res(a, &["condition"], "a condition")?;
                let n = self.opt_number(a, "a number of waiters", 1, MAX_NOTIFY, 1)?;
                Some(Op::Notify { res, n: n as u32 })
            }
            "notify_all" => self
                .res(a, &["condition"], "a condition")
                .map(Op::NotifyAll),
            "set" => self.res(a, &["event"], "an event").map(Op::Set),
            "clear" => self.res(a, &["event"], "an event").map(Op::Clear),
            "put" | "put_nowait" => self.put(a),
            "get" | "get_nowait" => self.get(a),
            "task_done" => self.res(a, &["queue"], "a queue").map(Op::TaskDone),
            "join" => self.join(a),
            "spawn" => self.spawn(a),
            "terminate" => self.task(a, "a task").map(|(t, _)| Op::Terminate(t)),
            "read" => self.var(a).map(Op::Read),
            "write" => self.write(a),
            "incr" | "decr" | "atomic_incr" => self.incr(a),
            "print" => self.print(a),
            "await" => self.await_op(a),
            other => {
                let hint = did_you_mean(other, OPERATIONS);
                let msg = format!("unknown operation `{other}`");
                self.ctx.error_hint(a.op_span, msg, hint);
                None
            }
        }
    }

    fn ticks(&mut self, a: &mut Args<'_>, min: i64) -> Option<u64> {
        self.number(a, "a number of ticks", min, MAX_TICKS)
            .map(|n| n as u64)
    }

    fn opt_number(
        &mut self,
        a: &mut Args<'_>,
        need: &str,
        min: i64,
        max: i64,
        default: i64,
    ) -> Option<i64> {
        match a.peek() {
            Some(_) => self.number(a, need, min, max),
            None => Some(default),
        }
    }

    fn timeout(&mut self, a: &mut Args<'_>) -> Option<Option<u64>> {
        if !a.keyword("timeout") {
            return Some(None);
        }
        self.number(a, "a timeout in ticks", 0, MAX_TICKS)
            .map(|n| Some(n as u64))
    }

    /// Reads a resource of one of `kinds`; `need` names them for messages.
    fn res(&mut self, a: &mut Args<'_>, kinds: &[&str], need: &str) -> Option<usize> {
        let resources = self.scope.resources;
        let want = |e: Entity| match e {
            Entity::Resource { first, .. } => resources
                .get(first)
                .is_some_and(|r| kinds.contains(&r.kind.name())),
            _ => false,
        };
        let (t, word, span) = self.target(a, need, want)?;
        match t {
            Target::Resource(r)
                if resources
                    .get(r)
                    .is_some_and(|r| kinds.contains(&r.kind.name())) =>
            {
                Some(r)
            }
            _ => self.wrong_kind(a.op, need, t, &word, span),
        }
    }

    fn wrong_kind<T>(
        &mut self,
        op: &str,
        need: &str,
        t: Target,
        word: &str,
        span: Span,
    ) -> Option<T> {
        let msg = format!("`{op}` needs {need}, but `{word}` is {}", self.what(t));
        self.ctx.error(span, msg);
        None
    }

    /// Reads a task; returns its index and where it is named.
    fn task(&mut self, a: &mut Args<'_>, need: &str) -> Option<(usize, Span)> {
        let (t, word, span) = self.target(a, need, |e| matches!(e, Entity::Task { .. }))?;
        match t {
            Target::Task(k) => Some((k, span)),
            _ => self.wrong_kind(a.op, need, t, &word, span),
        }
    }

    fn var(&mut self, a: &mut Args<'_>) -> Option<usize> {
        let need = "a variable";
        let (t, word, span) = self.target(a, need, |e| matches!(e, Entity::Var(_)))?;
        match t {
            Target::Var(v) => Some(v),
            _ => self.wrong_kind(a.op, need, t, &word, span),
        }
    }

    fn run_loop(&mut self, a: &mut Args<'_>) -> Option<Op> {
        if self.me.kind == TaskKind::Coroutine {
            let msg = format!(
                "`run_loop` is for a thread, but `{}` is a coroutine",
                self.me.name
            );
            self.ctx.error(a.op_span, msg);
            return None;
        }
        Some(Op::RunLoop)
    }

    fn blocking(&mut self, a: &mut Args<'_>) -> Option<Op> {
        let op = a.op;
        let (kinds, need): (&[&str], &str) = match op {
            "acquire" => (&LOCKS, LOCKS_NEED),
            "acquire_read" => (&["rwlock"], "an rwlock"),
            _ => (
                &["condition", "event", "barrier"],
                "a condition, event or barrier",
            ),
        };
        let res = self.res(a, kinds, need)?;
        let timeout = self.timeout(a)?;
        Some(match op {
            "acquire" => Op::Acquire { res, timeout },
            "acquire_read" => Op::AcquireRead { res, timeout },
            _ => Op::Wait { res, timeout },
        })
    }

    fn put(&mut self, a: &mut Args<'_>) -> Option<Op> {
        let queue = self.res(a, &["queue"], "a queue")?;
        let value = match a.peek() {
            Some(t) if t.word() != Some("timeout") => Some(self.expr_before(a, Some("timeout"))?),
            _ => None,
        };
        let nowait = a.op == "put_nowait";
        let timeout = if nowait { None } else { self.timeout(a)? };
        Some(Op::Put {
            queue,
            value,
            timeout,
            nowait,
        })
    }

    fn get(&mut self, a: &mut Args<'_>) -> Option<Op> {
        let queue = self.res(a, &["queue"], "a queue")?;
        let nowait = a.op == "get_nowait";
        let timeout = if nowait { None } else { self.timeout(a)? };
        Some(Op::Get {
            queue,
            timeout,
            nowait,
        })
    }

    fn join(&mut self, a: &mut Args<'_>) -> Option<Op> {
        let need = "a task, queue or pool";
        let resources = self.scope.resources;
        let want = |e: Entity| match e {
            Entity::Resource { first, .. } => resources
                .get(first)
                .is_some_and(|r| matches!(r.kind.name(), "queue" | "pool")),
            Entity::Task { .. } => true,
            Entity::Var(_) => false,
        };
        let (t, word, span) = self.target(a, need, want)?;
        match (
            t,
            resources
                .get(match t {
                    Target::Resource(r) => r,
                    _ => usize::MAX,
                })
                .map(|r| r.kind.name()),
        ) {
            (Target::Task(k), _) => Some(Op::JoinTask(k)),
            (Target::Resource(r), Some("queue")) => Some(Op::JoinQueue(r)),
            (Target::Resource(r), Some("pool")) => Some(Op::JoinPool(r)),
            _ => self.wrong_kind(a.op, need, t, &word, span),
        }
    }

    fn spawn(&mut self, a: &mut Args<'_>) -> Option<Op> {
        let (k, span) = self.task(a, "a task")?;
        let info = self.scope.tasks.get(k)?;
        if !info.spawned {
            let msg = format!(
                "`spawn` needs a task declared with `start = \"spawned\"`, but `{}` is not",
                info.name
            );
            let hint = Some(format!("add `start = \"spawned\"` to task `{}`", info.name));
            self.ctx.error_hint(span, msg, hint);
            return None;
        }
        Some(Op::Spawn(k))
    }

    fn write(&mut self, a: &mut Args<'_>) -> Option<Op> {
        let var = self.var(a)?;
        match a.next() {
            Some(t) if t.is_sym("=") => {}
            other => {
                let span = other.map_or(a.missing_span(), |t| t.span);
                let hint = Some("write `write V = EXPR`".to_string());
                self.ctx
                    .error_hint(span, "`write` needs `=` after the variable", hint);
                return None;
            }
        }
        let expr = self.expr(a)?;
        Some(Op::Write { var, expr })
    }

    fn incr(&mut self, a: &mut Args<'_>) -> Option<Op> {
        let var = self.var(a)?;
        let n = self.opt_number(a, "an amount", -i64::MAX, i64::MAX, 1)?;
        let delta = if a.op == "decr" { -n } else { n };
        Some(Op::Incr {
            var,
            delta,
            atomic: a.op == "atomic_incr",
        })
    }

    fn print(&mut self, a: &mut Args<'_>) -> Option<Op> {
        let parts = match a.next().map(|t| (&t.tok, t.span)) {
            Some((Tok::Str(parts), _)) => parts,
            other => {
                let span = other.map_or(a.missing_span(), |(_, s)| s);
                let hint = Some("write `print \"TEXT\"`".to_string());
                self.ctx
                    .error_hint(span, "`print` needs a quoted text", hint);
                return None;
            }
        };
        let mut out = Vec::new();
        for part in parts {
            out.push(match part {
                RawPart::Text(t) => TextPart::Text(t.clone()),
                RawPart::Name(n, _) if n == "i" => TextPart::Index,
                RawPart::Name(n, _) if n == "last" => TextPart::Last,
                RawPart::Name(n, span) => match self.local(n, *span)? {
                    super::super::model::Operand::Local(v) => TextPart::Local(v),
                    _ => return None,
                },
            });
        }
        Some(Op::Print(out))
    }

    fn await_op(&mut self, a: &mut Args<'_>) -> Option<Op> {
        if self.me.kind != TaskKind::Coroutine {
            let kind = self.me.kind.as_str();
            let msg = format!(
                "`await` is only allowed in a coroutine, but `{}` is a {kind}",
                self.me.name
            );
            let hint = Some("use `sleep N` or `join T` in a thread".to_string());
            self.ctx.error_hint(a.op_span, msg, hint);
            return None;
        }
        if a.keyword("sleep") {
            return self.ticks(a, 0).map(Op::AwaitSleep);
        }
        let (k, span) = self.task(a, "a coroutine or `sleep N`")?;
        let info = self.scope.tasks.get(k)?;
        if info.kind != TaskKind::Coroutine {
            let msg = format!(
                "`await` needs a coroutine, but `{}` is a {}",
                info.name,
                info.kind.as_str()
            );
            self.ctx.error_hint(
                span,
                msg,
                Some("use `join` to wait for a thread or process".to_string()),
            );
            return None;
        }
        Some(Op::AwaitTask(k))
    }

    /// Reports an `else` after an operation that cannot fail.
    pub(super) fn check_fallible(&mut self, op: &Op, raw: &RawKind, else_span: Span) {
        let fallible = match op {
            Op::Acquire { timeout, .. }
            | Op::AcquireRead { timeout, .. }
            | Op::Wait { timeout, .. } => timeout.is_some(),
            Op::Get {
                timeout, nowait, ..
            } => timeout.is_some() || *nowait,
            Op::Put {
                nowait, timeout, ..
            } => *nowait || timeout.is_some(),
            _ => false,
        };
        if fallible {
            return;
        }
        let name = match raw {
            RawKind::Op { name, .. } => name.as_str(),
            _ => "this",
        };
        let hint = match op {
            Op::Acquire { .. } | Op::AcquireRead { .. } | Op::Wait { .. } | Op::Get { .. } => Some(
                format!("add `timeout N` after `{name} ...` so that it can fail"),
            ),
            Op::Put { .. } => Some(
                "add `timeout N`, or use `put_nowait`, so that it can fail when the queue is full"
                    .to_string(),
            ),
            _ => None,
        };
        let msg = format!("`{name}` cannot fail here, so it takes no `else`");
        self.ctx.error_hint(else_span, msg, hint);
    }
}
