//! A scan of a file's brackets before the TOML parser sees it: arrays and
//! inline tables opened and never closed (or nested absurdly deep) would
//! make the parser recurse once per level, and deep enough that overflows
//! the stack. Strings and comments are skipped; the count is approximate
//! only where the file is already broken.

use super::limits::MAX_TOML_NESTING;

/// The byte offset of the first `[` or `{` that opens a level past
/// [`MAX_TOML_NESTING`], if any.
pub fn too_deep(source: &str) -> Option<usize> {
    let b = source.as_bytes();
    // The open brackets, innermost last: a closer counts only when it
    // matches the innermost (`[locks]]` closes its own `[` and nothing more,
    // for the parser as here).
    let mut open: Vec<u8> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            // A quote opens a string only where a key or a value can start
            // (a line's start, or after `=`, `[`, `{` or `,`); elsewhere, as
            // in `[l"""ocs]`, the parser does not read one either.
            q @ (b'"' | b'\'') if starts_string(b, i) => {
                i = skip_string(b, i, q);
                continue;
            }
            c @ (b'[' | b'{') => {
                open.push(c);
                if open.len() > MAX_TOML_NESTING {
                    return Some(i);
                }
            }
            b']' if open.last() == Some(&b'[') => {
                open.pop();
            }
            b'}' if open.last() == Some(&b'{') => {
                open.pop();
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Whether a quote at `i` is where a string may start.
fn starts_string(b: &[u8], i: usize) -> bool {
    let before = b[..i].iter().rev().find(|&&c| c != b' ' && c != b'\t');
    matches!(
        before,
        None | Some(b'\n' | b'=' | b'[' | b'{' | b',' | b'.')
    )
}

/// The offset just past the string that starts at `i` with quote `q`
/// (single-line or triple-quoted; `\` escapes in basic strings).
fn skip_string(b: &[u8], i: usize, q: u8) -> usize {
    let triple = b.get(i..i + 3) == Some(&[q, q, q][..]);
    let mut j = if triple { i + 3 } else { i + 1 };
    while j < b.len() {
        let c = b[j];
        if c == b'\\' && q == b'"' {
            j += 2;
            continue;
        }
        if triple {
            if b.get(j..j + 3) == Some(&[q, q, q][..]) {
                return j + 3;
            }
        } else if c == q || c == b'\n' {
            return j + 1;
        }
        j += 1;
    }
    j
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brackets_in_strings_and_comments_do_not_count() {
        let s = "a = \"{{{{[[[[\" # {{{{\nb = '''\n[[[[\n'''\nc = [[1], {x = [2]}]\n";
        assert_eq!(too_deep(s), None);
    }

    #[test]
    fn a_closer_that_matches_nothing_closes_nothing() {
        // Found by the long run: `[locks]]` lines undid the count of the
        // inline tables opened between them.
        let s = "[locks]]\nL0 = {\n".repeat(MAX_TOML_NESTING + 5);
        assert!(too_deep(&s).is_some());
        assert_eq!(too_deep("a = [[1], {b = [2]}]\n[t]\nc = {d = 1}\n"), None);
    }

    #[test]
    fn a_quote_inside_a_word_opens_no_string() {
        // Found by the long run: a `"""` inside a table header hid the
        // inline tables after it from the count, not from the parser.
        let s = format!(
            "[l\"\"\"ocs]\n{}\"\"\"L0 = {{\n",
            "[locks]\nL0 = {\n".repeat(MAX_TOML_NESTING + 5)
        );
        assert!(too_deep(&s).is_some());
        let ok = "name = \"x{{{{\"\nscript = \"\"\"\nloop {\n}\n\"\"\"\n";
        assert_eq!(too_deep(ok), None);
    }

    #[test]
    fn inline_tables_never_closed_are_caught_at_the_level_past_the_limit() {
        let s = "[locks]\nL0 = {\n".repeat(MAX_TOML_NESTING + 5);
        let at = too_deep(&s).expect("too deep");
        let line = s[..at].matches('\n').count();
        // 128 `{` are open when the next `[locks]` opens one more.
        assert_eq!(line, 2 * MAX_TOML_NESTING, "the level past the limit");
        let ok = "[locks]\nL0 = {\n".repeat(MAX_TOML_NESTING);
        assert_eq!(too_deep(&ok), None);
    }
}
