//! The script language inside a task's `script` string: tokens, statements
//! and blocks, and their resolution into model statements.
//!
//! Imports only the scenario's own modules.

mod lexer;
mod ops;
mod resolve;
mod syntax;

pub(crate) use resolve::{cmp_op, Resolver, Scope, TaskInfo};
pub(crate) use syntax::RawStmt;

use super::strmap::StrMap;
use super::value::Ctx;

/// Parses the shape of a script; `map` locates it in the TOML file.
pub(crate) fn parse(text: &str, map: &StrMap, ctx: &mut Ctx) -> Vec<RawStmt> {
    let toks = lexer::lex(text, map, ctx);
    syntax::parse(&toks, ctx)
}

/// How many statements a parsed script holds, blocks included.
pub(crate) fn count(stmts: &[RawStmt]) -> usize {
    stmts.iter().map(syntax::RawStmt::size).sum()
}
