//! The `[expect]` table: the expected outcome and the `final` comparisons.
//!
//! Imports only the scenario's own modules and `toml`'s spanned document.

use toml::de::{DeTable, DeValue};

use super::model::{Expect, ExpectedOutcome, FinalCheck};
use super::namespace::{Entity, Names};
use super::script::cmp_op;
use super::value::{span_of, type_name, Ctx, Val};

/// Reads `[expect]`, if present.
pub(crate) fn expect(ctx: &mut Ctx, doc: &DeTable<'_>, names: &Names) -> Option<Expect> {
    const OUTCOMES: [(&str, ExpectedOutcome); 5] = [
        ("completed", ExpectedOutcome::Completed),
        ("deadlock", ExpectedOutcome::Deadlock),
        ("stalled", ExpectedOutcome::Stalled),
        ("failed", ExpectedOutcome::Failed),
        ("timeout", ExpectedOutcome::Timeout),
    ];
    let t = ctx.table(doc.get("expect")?, "expect")?;
    ctx.check_keys(t, &["outcome", "final"], "[expect]");
    let outcome = t
        .get("outcome")
        .and_then(|v| ctx.choice(v, "outcome", &OUTCOMES));
    let mut checks = Vec::new();
    match t.get("final").map(|v| (v, v.get_ref())) {
        Some((_, DeValue::Array(items))) => {
            checks.extend(items.iter().filter_map(|item| check(ctx, item, names)));
        }
        Some((v, other)) => {
            let found = type_name(other);
            let msg = format!("`final` must be an array of strings, found {found}");
            let hint = Some("write `final = [\"counter == 6\"]`".to_string());
            ctx.error_hint(span_of(v), msg, hint);
        }
        None => {}
    }
    Some(Expect { outcome, checks })
}

/// Reads one `final` entry: `SUM OP INT`, where SUM is variables joined by
/// `+` and `-` (`counter == 6`, `a + b == 200`).
fn check(ctx: &mut Ctx, item: &Val<'_>, names: &Names) -> Option<FinalCheck> {
    let text = ctx.string(item, "final")?;
    let span = span_of(item);
    let shape = Some(
        "write `VAR OP INT` or a sum of variables, such as `counter == 6` or `a + b == 200`"
            .to_string(),
    );
    let found = ["==", "!=", "<=", ">=", "<", ">"]
        .iter()
        .filter_map(|op| text.find(op).map(|at| (at, *op)))
        .min_by_key(|(at, op)| (*at, usize::MAX - op.len()));
    let Some((at, op_text)) = found else {
        ctx.error_hint(span, format!("`{text}` is not a comparison"), shape);
        return None;
    };
    let value = text[at + op_text.len()..].trim();
    let op = cmp_op(op_text)?;
    let mut terms = Vec::new();
    let mut plus = true;
    let mut rest = text[..at].trim();
    loop {
        let end = rest.find(['+', '-']).unwrap_or(rest.len());
        let name = rest[..end].trim();
        match names.get(name) {
            Some(Entity::Var(v)) => terms.push((plus, v)),
            _ => {
                let hint = names.hint(name, |e| matches!(e, Entity::Var(_)));
                let msg = if name.is_empty() {
                    format!("`{text}` has a `+` or `-` without a variable beside it")
                } else {
                    format!("`{name}` in `final` is not a declared variable")
                };
                ctx.error_hint(span, msg, hint.or(shape));
                return None;
            }
        }
        let Some(sign) = rest[end..].chars().next() else {
            break;
        };
        plus = sign == '+';
        rest = &rest[end + 1..];
    }
    let Ok(value) = value.replace('_', "").parse::<i64>() else {
        let msg = format!("`{value}` in `final` is not an integer");
        ctx.error_hint(span, msg, shape);
        return None;
    };
    Some(FinalCheck {
        text: text.to_string(),
        terms,
        op,
        value,
        span,
    })
}
