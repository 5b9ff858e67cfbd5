//! Turns a script's statements into model [`Stmt`]s for one task instance:
//! resolves every name and array index, and parses numbers, expressions and
//! conditions.
//!
//! Imports only the scenario's own modules.

use super::super::diag::Diagnostic;
use super::super::limits::MAX_TICKS;
use super::super::model::{CmpOp, Cond, Expr, Op, Operand, Resource, Span, Stmt, TaskKind};
use super::super::namespace::{parse_ref, Entity, Names, Target};
use super::super::resources::article;
use super::super::value::Ctx;
use super::lexer::{Tok, Token};
use super::syntax::{RawKind, RawStmt};

/// What the resolver needs to know about every (expanded) task.
#[derive(Debug, Clone)]
pub(crate) struct TaskInfo {
    /// The task's name.
    pub name: String,
    /// Its kind.
    pub kind: TaskKind,
    /// Whether it is declared with `start = "spawned"`.
    pub spawned: bool,
}

/// Everything declared in the scenario, for resolving names.
pub(crate) struct Scope<'a> {
    /// The namespace.
    pub names: &'a Names,
    /// Every resource.
    pub resources: &'a [Resource],
    /// Every task.
    pub tasks: &'a [TaskInfo],
}

/// Resolves the scripts of one task instance.
pub(crate) struct Resolver<'a, 'c> {
    pub(crate) scope: &'a Scope<'a>,
    pub(crate) ctx: &'c mut Ctx,
    /// The instance's index `i`.
    pub(crate) i: u32,
    /// The task the script belongs to.
    pub(crate) me: &'a TaskInfo,
}

/// The arguments of one operation, consumed left to right.
pub(crate) struct Args<'t> {
    toks: &'t [Token],
    pos: usize,
    /// The operation's name.
    pub op: &'t str,
    /// Where the operation's name is written.
    pub op_span: Span,
}

impl<'t> Args<'t> {
    /// The arguments `toks` of operation `op`.
    pub fn new(op: &'t str, op_span: Span, toks: &'t [Token]) -> Self {
        Args {
            toks,
            pos: 0,
            op,
            op_span,
        }
    }

    /// The next argument, without consuming it.
    pub fn peek(&self) -> Option<&'t Token> {
        self.toks.get(self.pos)
    }

    /// Consumes the next argument.
    pub fn next(&mut self) -> Option<&'t Token> {
        let t = self.toks.get(self.pos);
        self.pos += usize::from(t.is_some());
        t
    }

    /// Consumes the next argument if it is the word `w`.
    pub fn keyword(&mut self, w: &str) -> bool {
        let hit = self.peek().and_then(Token::word) == Some(w);
        self.pos += usize::from(hit);
        hit
    }

    /// Where a missing argument would be: just after what was read.
    pub fn missing_span(&self) -> Span {
        let end = self.toks[..self.pos]
            .last()
            .map_or(self.op_span.end, |t| t.span.end);
        Span::new(end, end)
    }

    /// The arguments not consumed yet.
    pub fn rest(&mut self) -> &'t [Token] {
        let rest = &self.toks[self.pos.min(self.toks.len())..];
        self.pos = self.toks.len();
        rest
    }
}

impl<'a> Resolver<'a, '_> {
    /// Resolves a block of statements.
    pub fn block(&mut self, raw: &[RawStmt]) -> Vec<Stmt> {
        raw.iter().filter_map(|s| self.stmt(s)).collect()
    }

    fn stmt(&mut self, raw: &RawStmt) -> Option<Stmt> {
        let op = self.stmt_op(raw)?;
        let on_fail = match &raw.on_fail {
            Some((else_span, body)) => {
                self.check_fallible(&op, &raw.kind, *else_span);
                Some(self.block(body))
            }
            None => None,
        };
        Some(Stmt {
            op,
            on_fail,
            span: raw.span,
        })
    }

    /// Resolves a statement's operation, blocks included.
    fn stmt_op(&mut self, raw: &RawStmt) -> Option<Op> {
        match &raw.kind {
            RawKind::Op {
                name,
                name_span,
                args,
            } => {
                let mut a = Args::new(name, *name_span, args);
                let op = self.op(&mut a);
                if op.is_some() {
                    self.finish(&mut a);
                }
                op
            }
            RawKind::Repeat { args, body } => {
                let mut a = Args::new("repeat", raw.span, args);
                let times = self.number(&mut a, "a number of times", 0, MAX_TICKS);
                self.finish(&mut a);
                let body = self.block(body);
                times.map(|t| Op::Repeat {
                    times: t as u64,
                    body,
                })
            }
            RawKind::Loop(body) => Some(Op::Loop(self.block(body))),
            RawKind::If {
                cond,
                then,
                otherwise,
            } => {
                let cond = self.cond(cond, raw.span);
                let then = self.block(then);
                let otherwise = self.block(otherwise);
                cond.map(|cond| Op::If {
                    cond,
                    then,
                    otherwise,
                })
            }
        }
    }

    /// Reports arguments left over after an operation.
    pub(super) fn finish(&mut self, a: &mut Args<'_>) {
        let rest = a.rest();
        if let (Some(first), Some(last)) = (rest.first(), rest.last()) {
            let span = Span::new(first.span.start, last.span.end);
            let msg = format!("unexpected {} after `{}`", first.describe(), a.op);
            self.ctx.error(span, msg);
        }
    }

    /// Reads the name of a declared thing and resolves it for this instance;
    /// returns the target, the name as written and where it is written.
    pub(super) fn target(
        &mut self,
        a: &mut Args<'_>,
        need: &str,
        want: impl Fn(Entity) -> bool,
    ) -> Option<(Target, String, Span)> {
        let Some(tok) = a.next() else {
            let msg = format!("`{}` needs {need}", a.op);
            self.ctx.error(a.missing_span(), msg);
            return None;
        };
        let Some(word) = tok
            .word()
            .filter(|w| !w.starts_with(|c: char| c.is_ascii_digit()))
        else {
            let msg = format!("`{}` needs {need}, found {}", a.op, tok.describe());
            self.ctx.error(tok.span, msg);
            return None;
        };
        let resolved =
            parse_ref(word, tok.span).and_then(|r| self.scope.names.resolve(&r, self.i, want));
        match resolved {
            Ok(t) => Some((t, word.to_string(), tok.span)),
            Err(d) => self.report(d),
        }
    }

    /// Records a diagnostic and returns `None`.
    pub(super) fn report<T>(&mut self, d: Diagnostic) -> Option<T> {
        self.ctx.errors.push(d);
        None
    }

    /// Describes a target for "but `x` is ..." messages.
    pub(super) fn what(&self, t: Target) -> String {
        match t {
            Target::Var(_) => "a variable".to_string(),
            Target::Resource(r) => self
                .scope
                .resources
                .get(r)
                .map_or("unknown".into(), |r| article(&r.kind)),
            Target::Task(k) => match self.scope.tasks.get(k).map(|t| t.kind) {
                Some(TaskKind::Process) => "a process task".to_string(),
                Some(TaskKind::Coroutine) => "a coroutine task".to_string(),
                _ => "a thread task".to_string(),
            },
        }
    }

    /// Reads an integer (optionally negative) within `min..=max`.
    pub(super) fn number(
        &mut self,
        a: &mut Args<'_>,
        need: &str,
        min: i64,
        max: i64,
    ) -> Option<i64> {
        let Some(first) = a.next() else {
            let msg = format!("`{}` needs {need}", a.op);
            self.ctx.error(a.missing_span(), msg);
            return None;
        };
        let (neg, tok) = if first.is_sym("-") {
            (true, a.next())
        } else {
            (false, Some(first))
        };
        let span = Span::new(first.span.start, tok.map_or(first.span.end, |t| t.span.end));
        let Some(n) = tok.and_then(|t| int_value(t, neg)) else {
            let found = tok.map_or("nothing".to_string(), Token::describe);
            let msg = format!("`{}` needs {need}, found {found}", a.op);
            return self.report(Diagnostic::new(span, msg, None));
        };
        if n < min || n > max {
            let bound = if n < min {
                format!(">= {min}")
            } else {
                format!("<= {max}")
            };
            let msg = format!("`{}` needs {need} {bound}, got {n}", a.op);
            return self.report(Diagnostic::new(span, msg, None));
        }
        Some(n)
    }

    /// Parses one operand: an integer, `i`, `last` or a variable's local copy.
    fn operand(&mut self, toks: &[Token], pos: &mut usize, op: &str) -> Option<Operand> {
        let neg = toks.get(*pos).is_some_and(|t| t.is_sym("-"));
        *pos += usize::from(neg);
        let Some(tok) = toks.get(*pos) else {
            let end = toks.last().map_or(0, |t| t.span.end);
            return self.report(Diagnostic::new(
                Span::new(end, end),
                format!("`{op}` needs a value"),
                None,
            ));
        };
        *pos += 1;
        if let Some(n) = int_value(tok, neg) {
            return Some(Operand::Int(n));
        }
        match tok.word() {
            Some("i") if !neg => Some(Operand::Index),
            Some("last") if !neg => Some(Operand::Last),
            Some(w) if !neg && !w.starts_with(|c: char| c.is_ascii_digit()) => {
                self.local(w, tok.span)
            }
            _ => {
                let msg = format!("expected a number or a variable, found {}", tok.describe());
                self.report(Diagnostic::new(tok.span, msg, None))
            }
        }
    }

    /// Resolves a name used as a task's local copy of a shared variable.
    pub(super) fn local(&mut self, name: &str, span: Span) -> Option<Operand> {
        match self.scope.names.get(name) {
            Some(Entity::Var(v)) => Some(Operand::Local(v)),
            Some(_) => {
                let msg = format!("`{name}` is not a variable");
                let hint = self.scope.names.hint(name, |e| matches!(e, Entity::Var(_)));
                self.report(Diagnostic::new(span, msg, hint))
            }
            None => {
                let msg = format!("`{name}` is not declared");
                let hint = self.scope.names.hint(name, |e| matches!(e, Entity::Var(_)));
                let hint = hint.or_else(|| Some("declare it under [vars]".to_string()));
                self.report(Diagnostic::new(span, msg, hint))
            }
        }
    }

    /// Parses `a + 1 - b` from the remaining arguments.
    /// Parses a sum (`a + 1 - b`): the rest of the arguments.
    pub(super) fn expr(&mut self, a: &mut Args<'_>) -> Option<Expr> {
        self.expr_before(a, None)
    }

    /// Parses a sum up to the end of the arguments or the keyword `stop`
    /// (`put q last timeout 2`), which is left for the operation to read.
    pub(super) fn expr_before(&mut self, a: &mut Args<'_>, stop: Option<&str>) -> Option<Expr> {
        let start = a.pos;
        let all = a.rest();
        let end = all
            .iter()
            .position(|t| stop.is_some() && t.word() == stop)
            .unwrap_or(all.len());
        let toks = &all[..end];
        a.pos = start + end;
        let mut pos = 0;
        let mut terms = vec![(true, self.operand(toks, &mut pos, a.op)?)];
        while let Some(t) = toks.get(pos) {
            let plus = match &t.tok {
                Tok::Sym("+") => true,
                Tok::Sym("-") => false,
                _ => {
                    let msg = format!("expected `+` or `-`, found {}", t.describe());
                    return self.report(Diagnostic::new(t.span, msg, None));
                }
            };
            pos += 1;
            terms.push((plus, self.operand(toks, &mut pos, a.op)?));
        }
        Some(Expr { terms })
    }

    /// Parses `NAME OP VALUE`.
    fn cond(&mut self, toks: &[Token], header: Span) -> Option<Cond> {
        let mut pos = 0;
        if toks.is_empty() {
            let hint = Some("write a comparison such as `last == 0`".to_string());
            return self.report(Diagnostic::new(header, "`if` needs a condition", hint));
        }
        let lhs = self.operand(toks, &mut pos, "if")?;
        if matches!(lhs, Operand::Int(_)) {
            let hint = Some("put the variable, `i` or `last` on the left".to_string());
            return self.report(Diagnostic::new(
                toks[0].span,
                "a condition starts with a name",
                hint,
            ));
        }
        let op = match toks.get(pos).map(|t| &t.tok) {
            Some(Tok::Sym(s)) => cmp_op(s),
            _ => None,
        };
        let Some(op) = op else {
            let span = toks
                .get(pos)
                .map_or(Span::new(header.end, header.end), |t| t.span);
            let hint = Some("compare with one of `==` `!=` `<` `<=` `>` `>=`".to_string());
            return self.report(Diagnostic::new(span, "expected a comparison", hint));
        };
        pos += 1;
        let rhs = self.operand(toks, &mut pos, "if")?;
        if let Some(t) = toks.get(pos) {
            let msg = format!("unexpected {} after the condition", t.describe());
            return self.report(Diagnostic::new(t.span, msg, None));
        }
        Some(Cond { lhs, op, rhs })
    }
}

/// The comparison operator written as `s`.
pub(crate) fn cmp_op(s: &str) -> Option<CmpOp> {
    Some(match s {
        "==" => CmpOp::Eq,
        "!=" => CmpOp::Ne,
        "<" => CmpOp::Lt,
        "<=" => CmpOp::Le,
        ">" => CmpOp::Gt,
        ">=" => CmpOp::Ge,
        _ => return None,
    })
}

/// The value of a number token, negated when `neg`.
fn int_value(tok: &Token, neg: bool) -> Option<i64> {
    let w = tok.word()?;
    if !w.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let digits: String = w.chars().filter(|c| *c != '_').collect();
    let n: i64 = digits.parse().ok()?;
    Some(if neg { -n } else { n })
}
