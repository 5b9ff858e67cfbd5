//! The shape of a script: statements, blocks and `else` blocks, before any
//! name is resolved. Reports unbalanced braces, `break` outside a loop, too
//! deep nesting and too many statements.
//!
//! Imports only the scenario's own modules.

use super::super::limits::{MAX_NESTING, MAX_STMTS};
use super::super::model::Span;
use super::super::value::Ctx;
use super::lexer::{Tok, Token};

/// A statement as written.
#[derive(Debug, Clone)]
pub(crate) struct RawStmt {
    /// What it is.
    pub kind: RawKind,
    /// The operation's text (for a block: its header, such as `repeat 3`).
    pub span: Span,
    /// The `else` keyword and the block after it, if any.
    pub on_fail: Option<(Span, Vec<RawStmt>)>,
}

/// The kinds of statement.
#[derive(Debug, Clone)]
pub(crate) enum RawKind {
    /// An operation with its argument tokens.
    Op {
        /// The operation's name.
        name: String,
        /// Where the name is written.
        name_span: Span,
        /// Everything after the name on its line.
        args: Vec<Token>,
    },
    /// `repeat N { ... }`.
    Repeat {
        args: Vec<Token>,
        body: Vec<RawStmt>,
    },
    /// `loop { ... }`.
    Loop(Vec<RawStmt>),
    /// `if COND { ... } else { ... }`.
    If {
        cond: Vec<Token>,
        then: Vec<RawStmt>,
        otherwise: Vec<RawStmt>,
    },
}

/// Parses a token stream into statements, reporting structural errors.
pub(crate) fn parse(toks: &[Token], ctx: &mut Ctx) -> Vec<RawStmt> {
    let mut p = Parser {
        toks,
        pos: 0,
        ctx,
        loops: 0,
        count: 0,
        stopped: false,
    };
    p.top()
}

struct Parser<'t, 'c> {
    toks: &'t [Token],
    pos: usize,
    ctx: &'c mut Ctx,
    loops: usize,
    count: usize,
    stopped: bool,
}

impl<'t> Parser<'t, '_> {
    fn peek(&self) -> Option<&'t Token> {
        self.toks.get(self.pos)
    }

    fn skip_newlines(&mut self) {
        while self.peek().is_some_and(|t| t.tok == Tok::Newline) {
            self.pos += 1;
        }
    }

    fn skip_line(&mut self) {
        while self.peek().is_some_and(|t| t.tok != Tok::Newline) {
            self.pos += 1;
        }
    }

    fn top(&mut self) -> Vec<RawStmt> {
        let mut out = Vec::new();
        while !self.stopped {
            self.skip_newlines();
            let Some(t) = self.peek() else { break };
            if t.is_sym("}") {
                let span = t.span;
                self.ctx.error(span, "unexpected `}`: no block is open");
                self.pos += 1;
            } else if let Some(s) = self.stmt(0) {
                out.push(s);
            }
        }
        out
    }

    /// Parses the statements of a block whose `{` at `open` was just consumed.
    fn block(&mut self, open: Span, depth: usize) -> Vec<RawStmt> {
        if depth > MAX_NESTING {
            let msg = format!("blocks nested deeper than {MAX_NESTING}");
            self.ctx.error(open, msg);
            self.skip_balanced();
            return Vec::new();
        }
        let mut out = Vec::new();
        while !self.stopped {
            self.skip_newlines();
            match self.peek() {
                None => {
                    let hint = Some("close the block with `}`".to_string());
                    self.ctx
                        .error_hint(open, "unclosed block: this `{` has no matching `}`", hint);
                    break;
                }
                Some(t) if t.is_sym("}") => {
                    self.pos += 1;
                    break;
                }
                Some(_) => out.extend(self.stmt(depth)),
            }
        }
        out
    }

    /// Skips to just after the `}` that closes an already consumed `{`.
    fn skip_balanced(&mut self) {
        let mut depth = 1usize;
        while let Some(t) = self.peek() {
            self.pos += 1;
            if t.is_sym("{") {
                depth += 1;
            } else if t.is_sym("}") {
                depth -= 1;
                if depth == 0 {
                    return;
                }
            }
        }
    }

    /// Tokens up to the end of the line, a brace or `else`.
    fn args(&mut self) -> Vec<Token> {
        let start = self.pos;
        while let Some(t) = self.peek() {
            if t.tok == Tok::Newline || t.is_sym("{") || t.is_sym("}") || t.word() == Some("else") {
                break;
            }
            self.pos += 1;
        }
        self.toks[start..self.pos].to_vec()
    }

    /// Parses `{ ... }` after a block header; `what` names the header.
    fn expect_block(&mut self, depth: usize, what: &str, at: Span) -> Option<Vec<RawStmt>> {
        match self.peek() {
            Some(t) if t.is_sym("{") => {
                let open = t.span;
                self.pos += 1;
                Some(self.block(open, depth + 1))
            }
            other => {
                let span = other.map_or(Span::new(at.end, at.end), |t| t.span);
                let found = other.map_or("the end of the script".to_string(), Token::describe);
                let msg = format!("expected `{{` after `{what}`, found {found}");
                self.ctx.error(span, msg);
                self.skip_line();
                None
            }
        }
    }

    /// Consumes an `else` that follows, possibly on a later line.
    fn take_else(&mut self) -> Option<Span> {
        let mut at = self.pos;
        while self.toks.get(at).is_some_and(|t| t.tok == Tok::Newline) {
            at += 1;
        }
        let t = self.toks.get(at).filter(|t| t.word() == Some("else"))?;
        self.pos = at + 1;
        Some(t.span)
    }

    fn stmt(&mut self, depth: usize) -> Option<RawStmt> {
        let first = self.peek()?.clone();
        let Some(name) = first.word() else {
            let msg = format!("expected an operation, found {}", first.describe());
            self.ctx.error(first.span, msg);
            self.pos += 1;
            self.skip_line();
            return None;
        };
        self.count += 1;
        if self.count > MAX_STMTS {
            let msg = format!("too many operations: at most {MAX_STMTS} in one script");
            self.ctx.error(first.span, msg);
            self.stopped = true;
            return None;
        }
        self.pos += 1;
        let stmt = match name {
            "repeat" | "loop" => self.looped(name, first.span, depth),
            "if" => self.if_block(first.span, depth),
            "else" => {
                let msg = "`else` without `if` or an operation that can fail before it";
                self.ctx.error(first.span, msg);
                self.skip_line();
                None
            }
            _ => self.op(name, first.span, depth),
        };
        self.end_of_stmt();
        stmt
    }

    fn end_of_stmt(&mut self) {
        match self.peek() {
            Some(t) if t.tok != Tok::Newline && !t.is_sym("}") => {
                let msg = format!("expected a new line, found {}", t.describe());
                self.ctx.error(t.span, msg);
                self.skip_line();
            }
            _ => {}
        }
    }

    fn header_span(&self, start: Span, args: &[Token]) -> Span {
        Span::new(start.start, args.last().map_or(start.end, |t| t.span.end))
    }

    fn looped(&mut self, name: &str, at: Span, depth: usize) -> Option<RawStmt> {
        let args = self.args();
        let span = self.header_span(at, &args);
        self.loops += 1;
        let body = self.expect_block(depth, name, span);
        self.loops -= 1;
        let kind = if name == "loop" {
            if let Some(t) = args.first() {
                self.ctx
                    .error(t.span, "`loop` takes no argument; use `repeat N` to count");
            }
            RawKind::Loop(body?)
        } else {
            RawKind::Repeat { args, body: body? }
        };
        Some(RawStmt {
            kind,
            span,
            on_fail: None,
        })
    }

    fn if_block(&mut self, at: Span, depth: usize) -> Option<RawStmt> {
        let cond = self.args();
        let span = self.header_span(at, &cond);
        let then = self.expect_block(depth, "if", span)?;
        let otherwise = match self.take_else() {
            Some(e) => self.expect_block(depth, "else", e)?,
            None => Vec::new(),
        };
        Some(RawStmt {
            kind: RawKind::If {
                cond,
                then,
                otherwise,
            },
            span,
            on_fail: None,
        })
    }

    fn op(&mut self, name: &str, at: Span, depth: usize) -> Option<RawStmt> {
        let args = self.args();
        let span = self.header_span(at, &args);
        if name == "break" && self.loops == 0 {
            self.ctx.error(at, "`break` outside a `loop` or `repeat`");
        }
        if let Some(t) = self.peek().filter(|t| t.is_sym("{")) {
            if super::ops::OPERATIONS.contains(&name) {
                let msg = format!("unexpected `{{` after `{name}`");
                self.ctx.error(t.span, msg);
            } else {
                let hint =
                    "blocks are `loop { ... }` (with `if COND { break }` inside for a `while`), \
                            `repeat N { ... }` and `if COND { ... } else { ... }`";
                let msg = format!("unknown operation `{name}`");
                self.ctx.error_hint(at, msg, Some(hint.to_string()));
            }
            let open = t.span;
            self.pos += 1;
            self.block(open, depth + 1);
            return None;
        }
        let on_fail = match self.take_else() {
            Some(e) => Some((e, self.expect_block(depth, "else", e)?)),
            None => None,
        };
        Some(RawStmt {
            kind: RawKind::Op {
                name: name.to_string(),
                name_span: at,
                args,
            },
            span,
            on_fail,
        })
    }
}

impl RawStmt {
    /// This statement and every statement nested in it.
    pub(crate) fn size(&self) -> usize {
        let inner: usize = match &self.kind {
            RawKind::Op { .. } => 0,
            RawKind::Repeat { body, .. } | RawKind::Loop(body) => body.iter().map(Self::size).sum(),
            RawKind::If {
                then, otherwise, ..
            } => then.iter().chain(otherwise).map(Self::size).sum(),
        };
        let fail: usize = self
            .on_fail
            .as_ref()
            .map_or(0, |(_, b)| b.iter().map(Self::size).sum());
        1 + inner + fail
    }
}
