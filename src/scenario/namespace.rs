//! The one namespace shared by tasks, resources, variables and pools, and the
//! resolution of a written name (`fork`, `fork[i+1]`) to a concrete element.
//!
//! Imports only the scenario's own modules.

use std::collections::HashMap;

use super::diag::Diagnostic;
use super::model::{LineIndex, Span};
use super::names::{did_you_mean, is_ident, RESERVED};
use super::value::Ctx;

/// What a declared name stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Entity {
    /// A shared variable: its index in `Scenario::vars`.
    Var(usize),
    /// A resource or an array of them: the index of the first element and
    /// the array length (`None` for a single resource).
    Resource { first: usize, len: Option<u32> },
    /// A task or an array of them, as for resources.
    Task { first: usize, len: Option<u32> },
}

/// A concrete element a name resolves to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    /// Index into `Scenario::vars`.
    Var(usize),
    /// Index into `Scenario::resources`.
    Resource(usize),
    /// Index into `Scenario::tasks`.
    Task(usize),
}

/// An array index as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Index {
    /// `name[3]`.
    Lit(i64),
    /// `name[i]`, `name[i+1]`, `name[i-1]`: the offset from `i`.
    Rel(i64),
}

/// A name as written, with its optional index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ref<'a> {
    /// The name before any `[`.
    pub base: &'a str,
    /// The index, if written.
    pub index: Option<Index>,
    /// Where it is written.
    pub span: Span,
}

/// Parses `name` or `name[INDEX]`.
pub(crate) fn parse_ref(text: &str, span: Span) -> Result<Ref<'_>, Diagnostic> {
    let Some(open) = text.find('[') else {
        return Ok(Ref {
            base: text,
            index: None,
            span,
        });
    };
    let base = &text[..open];
    let inner = text[open + 1..].strip_suffix(']');
    let index = inner.and_then(parse_index);
    match index {
        Some(index) => Ok(Ref {
            base,
            index: Some(index),
            span,
        }),
        None => Err(Diagnostic::new(
            span,
            format!("invalid array index in `{text}`"),
            Some("an index is an integer, `i`, `i+K` or `i-K`".to_string()),
        )),
    }
}

fn parse_index(inner: &str) -> Option<Index> {
    let s: String = inner.chars().filter(|c| !c.is_whitespace()).collect();
    if s == "i" {
        return Some(Index::Rel(0));
    }
    if let Some(k) = s.strip_prefix("i+") {
        return k.parse::<u32>().ok().map(|k| Index::Rel(i64::from(k)));
    }
    if let Some(k) = s.strip_prefix("i-") {
        return k.parse::<u32>().ok().map(|k| Index::Rel(-i64::from(k)));
    }
    s.parse::<i64>().ok().map(Index::Lit)
}

/// Every declared name.
#[derive(Debug)]
pub(crate) struct Names {
    lines: LineIndex,
    map: HashMap<String, (Entity, Span)>,
}

impl Names {
    /// An empty namespace over the given source (for "first declared" hints).
    pub fn new(source: &str) -> Self {
        Names {
            lines: LineIndex::new(source),
            map: HashMap::new(),
        }
    }

    /// Declares a name; reports an invalid, reserved or duplicate name.
    pub fn declare(&mut self, ctx: &mut Ctx, name: &str, span: Span, entity: Entity) -> bool {
        if !is_ident(name) {
            let hint = "names are letters, digits and `_`, not starting with a digit";
            ctx.error_hint(span, format!("invalid name `{name}`"), Some(hint.into()));
            return false;
        }
        if name.chars().count() > crate::limits::MAX_NAME {
            let msg = format!(
                "name `{}…` is too long: at most {} characters",
                name.chars().take(20).collect::<String>(),
                crate::limits::MAX_NAME
            );
            ctx.error(span, msg);
            return false;
        }
        if RESERVED.contains(&name) {
            let msg = format!("`{name}` is reserved in scripts and cannot be a name");
            ctx.error(span, msg);
            return false;
        }
        if let Some((_, first)) = self.map.get(name) {
            let line = self.lines.line(first.start);
            let hint = format!("`{name}` is first declared on line {line}");
            ctx.error_hint(span, format!("`{name}` is declared twice"), Some(hint));
            return false;
        }
        self.map.insert(name.to_string(), (entity, span));
        true
    }

    /// What a name stands for, if declared.
    pub fn get(&self, name: &str) -> Option<Entity> {
        self.map.get(name).map(|(e, _)| *e)
    }

    /// A "did you mean" hint among the names whose entity satisfies `want`.
    pub fn hint(&self, word: &str, want: impl Fn(Entity) -> bool) -> Option<String> {
        let mut pool: Vec<&str> = self
            .map
            .iter()
            .filter(|(_, (e, _))| want(*e))
            .map(|(n, _)| n.as_str())
            .collect();
        pool.sort_unstable();
        did_you_mean(word, pool)
    }

    /// Resolves a written name to a concrete element for the task instance
    /// with index `i`; `want` narrows the hint for an undeclared name.
    pub fn resolve(
        &self,
        r: &Ref<'_>,
        i: u32,
        want: impl Fn(Entity) -> bool,
    ) -> Result<Target, Diagnostic> {
        let Some(entity) = self.get(r.base) else {
            let msg = format!("`{}` is not declared", r.base);
            return Err(Diagnostic::new(r.span, msg, self.hint(r.base, want)));
        };
        let (first, len) = match entity {
            Entity::Var(v) => (v, None),
            Entity::Resource { first, len } | Entity::Task { first, len } => (first, len),
        };
        let offset = match (len, r.index) {
            (None, None) => 0,
            (Some(len), Some(index)) => element(len, index, i),
            (Some(len), None) => {
                let msg = format!("`{}` is an array of {len}; name one element", r.base);
                let hint = format!(
                    "write `{}[0]`, or `{}[i]` in a task with `count`",
                    r.base, r.base
                );
                return Err(Diagnostic::new(r.span, msg, Some(hint)));
            }
            (None, Some(_)) => {
                let msg = format!("`{}` is not an array", r.base);
                let hint = format!("write `{}` without an index", r.base);
                return Err(Diagnostic::new(r.span, msg, Some(hint)));
            }
        };
        Ok(match entity {
            Entity::Var(v) => Target::Var(v),
            Entity::Resource { .. } => Target::Resource(first + offset),
            Entity::Task { .. } => Target::Task(first + offset),
        })
    }
}

/// The element an index names, taken modulo the array length.
fn element(len: u32, index: Index, i: u32) -> usize {
    let raw = match index {
        Index::Lit(n) => i128::from(n),
        Index::Rel(k) => i128::from(i) + i128::from(k),
    };
    let m = raw.rem_euclid(i128::from(len.max(1)));
    usize::try_from(m).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refs() {
        let s = Span::new(0, 1);
        assert_eq!(
            parse_ref("fork[i+1]", s).map(|r| r.index),
            Ok(Some(Index::Rel(1)))
        );
        assert_eq!(
            parse_ref("fork[ i - 2 ]", s).map(|r| r.index),
            Ok(Some(Index::Rel(-2)))
        );
        assert_eq!(
            parse_ref("fork[3]", s).map(|r| r.index),
            Ok(Some(Index::Lit(3)))
        );
        assert!(parse_ref("fork[j]", s).is_err());
        assert_eq!(element(5, Index::Rel(1), 4), 0);
        assert_eq!(element(5, Index::Rel(-1), 0), 4);
    }
}
