//! Maps byte offsets in a TOML string's decoded content back to byte offsets
//! in the file, so that an error inside a `script = """..."""` points at the
//! right line and column of the TOML file.
//!
//! Literal strings map one to one; basic strings with escapes map
//! approximately (each escape maps to where it starts). Imports only the
//! model's [`Span`].

use super::model::Span;

/// The file offset of every byte of a decoded string, plus one for its end.
#[derive(Debug, Clone)]
pub(crate) struct StrMap {
    offsets: Vec<usize>,
}

impl StrMap {
    /// Builds the map for `decoded`, the value of the string written at
    /// `raw_span` (quotes included) in `source`.
    pub fn new(source: &str, raw_span: Span, decoded: &str) -> Self {
        let raw = source.get(raw_span.start..raw_span.end).unwrap_or("");
        let (skip, literal) = opening(raw);
        let mut offsets = Vec::with_capacity(decoded.len() + 1);
        let mut pos = raw_span.start + skip;
        let mut rest = raw.get(skip..).unwrap_or("");
        for c in decoded.chars() {
            let step = match_char(&mut rest, c, literal);
            pos += step.0;
            offsets.extend((0..c.len_utf8()).map(|_| pos));
            pos += step.1;
        }
        offsets.push(pos.min(raw_span.end.max(raw_span.start)));
        StrMap { offsets }
    }

    /// The file offset of a content offset.
    pub fn offset(&self, at: usize) -> usize {
        let last = self.offsets.last().copied().unwrap_or(0);
        self.offsets.get(at).copied().unwrap_or(last)
    }

    /// The file span of a content range.
    pub fn span(&self, start: usize, end: usize) -> Span {
        let s = self.offset(start);
        let e = if end > start {
            self.offset(end - 1) + 1
        } else {
            s
        };
        Span::new(s, e.max(s))
    }
}

/// How many raw bytes precede the content, and whether escapes are literal.
fn opening(raw: &str) -> (usize, bool) {
    let (delim, literal) = if raw.starts_with("\"\"\"") {
        (3, false)
    } else if raw.starts_with("'''") {
        (3, true)
    } else {
        (1, raw.starts_with('\''))
    };
    let mut skip = delim.min(raw.len());
    if delim == 3 {
        let after = raw.get(skip..).unwrap_or("");
        if after.starts_with("\r\n") {
            skip += 2;
        } else if after.starts_with('\n') {
            skip += 1;
        }
    }
    (skip, literal)
}

/// Advances `rest` past the raw text of the decoded character `c`.
/// Returns (raw bytes skipped before the character, raw bytes of the character).
fn match_char(rest: &mut &str, c: char, literal: bool) -> (usize, usize) {
    let mut before = 0;
    if !literal {
        before += skip_line_continuations(rest);
    }
    if rest.starts_with(c) {
        *rest = &rest[c.len_utf8()..];
        return (before, c.len_utf8());
    }
    if c == '\n' && rest.starts_with("\r\n") {
        *rest = &rest[2..];
        return (before + 1, 1);
    }
    if !literal && rest.starts_with('\\') {
        let len = escape_len(rest);
        *rest = rest.get(len..).unwrap_or("");
        return (before, len);
    }
    (before, 0)
}

/// Skips `\` at the end of a line and the whitespace that follows it.
fn skip_line_continuations(rest: &mut &str) -> usize {
    let mut skipped = 0;
    // Only a backslash starts a continuation: test it first, so that a long
    // run of spaces is not rescanned at each of its characters.
    while rest.starts_with('\\') {
        let trimmed = rest[1..].trim_start_matches([' ', '\t']);
        if !(trimmed.starts_with('\n') || trimmed.starts_with("\r\n")) {
            return skipped;
        }
        let tail = trimmed.trim_start_matches([' ', '\t', '\r', '\n']);
        skipped += rest.len() - tail.len();
        *rest = tail;
    }
    skipped
}

/// The length in bytes of the escape sequence at the start of `rest`.
fn escape_len(rest: &str) -> usize {
    let mut chars = rest.chars().skip(1);
    let hex = match chars.next() {
        Some('u') => 4,
        Some('U') => 8,
        Some('x') => 2,
        Some(c) => return 1 + c.len_utf8(),
        None => return 1,
    };
    let digits = rest[2..]
        .chars()
        .take(hex)
        .take_while(char::is_ascii_hexdigit)
        .count();
    2 + digits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multiline_basic() {
        let src = "s = \"\"\"\nab\\tc\n\"\"\"";
        let map = StrMap::new(src, Span::new(4, src.len()), "ab\tc\n");
        assert_eq!(map.offset(0), 8);
        assert_eq!(map.offset(2), 10);
        assert_eq!(map.offset(3), 12);
    }

    #[test]
    fn literal() {
        let src = "s = '''\nx\\ty'''";
        let map = StrMap::new(src, Span::new(4, src.len()), "x\\ty");
        assert_eq!(map.offset(1), 9);
        assert_eq!(map.offset(3), 11);
    }
}
