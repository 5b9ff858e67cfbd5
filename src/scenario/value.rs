//! Reading spanned TOML values into typed settings, collecting an error with
//! a span for every value of the wrong type, out of range or unknown.
//!
//! Owns [`Ctx`], the error collector every part of the parser writes to.
//! Imports only `toml`'s spanned document types and the scenario's own modules.

use toml::de::{DeString, DeTable, DeValue};
use toml::Spanned;

use super::diag::Diagnostic;
use super::model::Span;
use super::names::did_you_mean;

/// A spanned TOML value.
pub(crate) type Val<'i> = Spanned<DeValue<'i>>;
/// A spanned TOML key.
pub(crate) type Key<'i> = Spanned<DeString<'i>>;

/// The span of a spanned TOML item.
pub(crate) fn span_of<T>(v: &Spanned<T>) -> Span {
    let r = v.span();
    Span::new(r.start, r.end)
}

/// The entries of a table in the order they are written in the file.
pub(crate) fn entries<'a, 'i>(t: &'a DeTable<'i>) -> Vec<(&'a Key<'i>, &'a Val<'i>)> {
    let mut all: Vec<_> = t.iter().collect();
    all.sort_by_key(|(k, _)| k.span().start);
    all
}

/// How a value's type is named in messages ("a string", "an integer").
pub(crate) fn type_name(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

/// The integer value of a TOML integer, if it fits in an `i64`.
pub(crate) fn integer(v: &DeValue<'_>) -> Option<Option<i64>> {
    match v {
        DeValue::Integer(n) => Some(i64::from_str_radix(n.as_str(), n.radix()).ok()),
        _ => None,
    }
}

/// Collects the errors of one scenario file.
#[derive(Debug, Default)]
pub(crate) struct Ctx {
    /// Every error so far.
    pub errors: Vec<Diagnostic>,
}

impl Ctx {
    /// Records an error without a hint.
    pub fn error(&mut self, span: Span, message: impl Into<String>) {
        self.errors.push(Diagnostic::new(span, message, None));
    }

    /// Records an error with an optional hint.
    pub fn error_hint(&mut self, span: Span, message: impl Into<String>, hint: Option<String>) {
        self.errors.push(Diagnostic::new(span, message, hint));
    }

    /// Reports every key of `t` not in `allowed`, with the nearest allowed key as hint.
    pub fn check_keys(&mut self, t: &DeTable<'_>, allowed: &[&str], place: &str) {
        for (k, _) in entries(t) {
            let name: &str = k.get_ref();
            if !allowed.contains(&name) {
                let hint = did_you_mean(name, allowed.iter().copied());
                self.error_hint(span_of(k), format!("unknown key `{name}` in {place}"), hint);
            }
        }
    }

    /// Reads an integer within `min..=max`.
    pub fn int(&mut self, v: &Val<'_>, what: &str, min: i64, max: i64) -> Option<i64> {
        let span = span_of(v);
        let n = match integer(v.get_ref()) {
            None => {
                let found = type_name(v.get_ref());
                self.error(span, format!("`{what}` must be an integer, found {found}"));
                return None;
            }
            Some(None) => {
                self.error(span, format!("`{what}` is too large"));
                return None;
            }
            Some(Some(n)) => n,
        };
        self.in_range(span, what, n, min, max)
    }

    /// Checks that `n` is within `min..=max`.
    pub fn in_range(&mut self, span: Span, what: &str, n: i64, min: i64, max: i64) -> Option<i64> {
        if n < min {
            self.error(span, format!("`{what}` must be at least {min}, got {n}"));
            None
        } else if n > max {
            self.error(span, format!("`{what}` must be at most {max}, got {n}"));
            None
        } else {
            Some(n)
        }
    }

    /// Reads an integer within `min..=max` as a `u32`.
    pub fn uint(&mut self, v: &Val<'_>, what: &str, min: i64, max: i64) -> Option<u32> {
        self.int(v, what, min, max.min(i64::from(u32::MAX)))
            .and_then(|n| u32::try_from(n).ok())
    }

    /// Reads a string.
    pub fn string<'a>(&mut self, v: &'a Val<'_>, what: &str) -> Option<&'a str> {
        match v.get_ref() {
            DeValue::String(s) => Some(s.as_ref()),
            other => {
                let found = type_name(other);
                self.error(
                    span_of(v),
                    format!("`{what}` must be a string, found {found}"),
                );
                None
            }
        }
    }

    /// Reads a boolean.
    pub fn boolean(&mut self, v: &Val<'_>, what: &str) -> Option<bool> {
        match v.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            other => {
                let found = type_name(other);
                let msg = format!("`{what}` must be `true` or `false`, found {found}");
                self.error(span_of(v), msg);
                None
            }
        }
    }

    /// Reads a table.
    pub fn table<'a, 'i>(&mut self, v: &'a Val<'i>, what: &str) -> Option<&'a DeTable<'i>> {
        match v.get_ref() {
            DeValue::Table(t) => Some(t),
            other => {
                let found = type_name(other);
                self.error(
                    span_of(v),
                    format!("`{what}` must be a table, found {found}"),
                );
                None
            }
        }
    }

    /// Reads a string that must be one of `options`; `kind` names the
    /// setting in the message ("policy", "queue order").
    pub fn choice<T: Copy>(&mut self, v: &Val<'_>, kind: &str, options: &[(&str, T)]) -> Option<T> {
        let s = self.string(v, kind)?;
        if let Some((_, t)) = options.iter().find(|(name, _)| *name == s) {
            return Some(*t);
        }
        let python = match s.to_ascii_lowercase().as_str() {
            "lock" => Some("did you mean `mutex`? (Python's `threading.Lock`)"),
            "rlock" => Some("did you mean `rlock`? (names are lower-case)"),
            _ => None,
        };
        let hint = python
            .map(str::to_string)
            .or_else(|| did_you_mean(s, options.iter().map(|(n, _)| *n)))
            .or_else(|| {
                let all: Vec<String> = options.iter().map(|(n, _)| format!("`{n}`")).collect();
                Some(format!("expected one of {}", all.join(", ")))
            });
        self.error_hint(span_of(v), format!("unknown {kind} `{s}`"), hint);
        None
    }
}
