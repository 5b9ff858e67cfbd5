//! Splits a script into tokens: words (names, numbers, `name[i+1]`), quoted
//! strings with `{placeholders}`, symbols and line ends. Comments are dropped.
//!
//! Every token carries its span in the TOML file. Imports only the
//! scenario's own modules.

use super::super::model::Span;
use super::super::strmap::StrMap;
use super::super::value::Ctx;

/// A piece of a quoted string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RawPart {
    /// Literal text.
    Text(String),
    /// A `{name}` placeholder and where it is written.
    Name(String, Span),
}

/// What a token is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tok {
    /// A name, keyword or number, possibly with an index: `acquire`, `3`, `fork[i]`.
    Word(String),
    /// A quoted string, split at its placeholders.
    Str(Vec<RawPart>),
    /// `{ } = == != < <= > >= + -`.
    Sym(&'static str),
    /// The end of a line.
    Newline,
}

/// A token and where it is written in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    /// The token.
    pub tok: Tok,
    /// Its span in the TOML file.
    pub span: Span,
}

impl Token {
    /// The word, if this token is one.
    pub fn word(&self) -> Option<&str> {
        match &self.tok {
            Tok::Word(w) => Some(w),
            _ => None,
        }
    }

    /// Whether this token is the symbol `s`.
    pub fn is_sym(&self, s: &str) -> bool {
        matches!(self.tok, Tok::Sym(x) if x == s)
    }

    /// The token as the user wrote it, for messages.
    pub fn describe(&self) -> String {
        match &self.tok {
            Tok::Word(w) => format!("`{w}`"),
            Tok::Str(_) => "a string".to_string(),
            Tok::Sym(s) => format!("`{s}`"),
            Tok::Newline => "the end of the line".to_string(),
        }
    }
}

const SYMBOLS: [&str; 11] = ["==", "!=", "<=", ">=", "{", "}", "=", "<", ">", "+", "-"];

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Tokenizes a script; `map` turns content offsets into file offsets.
pub(crate) fn lex(text: &str, map: &StrMap, ctx: &mut Ctx) -> Vec<Token> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(c) = text[i..].chars().next() {
        let start = i;
        i = match c {
            '\n' => {
                out.push(Token {
                    tok: Tok::Newline,
                    span: map.span(start, start + 1),
                });
                i + 1
            }
            ' ' | '\t' | '\r' => i + 1,
            '#' => text[i..].find('\n').map_or(text.len(), |n| i + n),
            '"' => string(text, i, map, ctx, &mut out),
            c if is_word_char(c) => word(text, i, map, ctx, &mut out),
            _ => symbol(text, i, map, ctx, &mut out),
        };
    }
    out
}

fn word(text: &str, start: usize, map: &StrMap, ctx: &mut Ctx, out: &mut Vec<Token>) -> usize {
    let rest = &text[start..];
    let mut end = start + rest.find(|c: char| !is_word_char(c)).unwrap_or(rest.len());
    if text[end..].starts_with('[') {
        let line_end = text[end..].find('\n').map_or(text.len(), |n| end + n);
        match text[end..line_end].find(']') {
            Some(n) => end += n + 1,
            None => {
                let msg = "unclosed `[`: an index ends with `]`";
                ctx.error(map.span(end, end + 1), msg);
                end = line_end;
            }
        }
    }
    out.push(Token {
        tok: Tok::Word(text[start..end].to_string()),
        span: map.span(start, end),
    });
    end
}

fn symbol(text: &str, start: usize, map: &StrMap, ctx: &mut Ctx, out: &mut Vec<Token>) -> usize {
    let rest = &text[start..];
    if let Some(s) = SYMBOLS.iter().find(|s| rest.starts_with(**s)) {
        out.push(Token {
            tok: Tok::Sym(s),
            span: map.span(start, start + s.len()),
        });
        return start + s.len();
    }
    let c = rest.chars().next().unwrap_or(' ');
    let end = start + c.len_utf8();
    ctx.error(map.span(start, end), format!("unexpected character `{c}`"));
    end
}

/// Reads a quoted string starting at `start` (the opening quote).
fn string(text: &str, start: usize, map: &StrMap, ctx: &mut Ctx, out: &mut Vec<Token>) -> usize {
    let mut parts = Vec::new();
    let mut lit = String::new();
    let mut i = start + 1;
    loop {
        let Some(c) = text[i..].chars().next().filter(|c| *c != '\n') else {
            let hint = Some("close the text with `\"` on the same line".to_string());
            ctx.error_hint(map.span(start, start + 1), "unterminated string", hint);
            break;
        };
        match c {
            '"' => {
                i += 1;
                break;
            }
            '\\' => {
                let next = text[i + 1..].chars().next().filter(|c| *c != '\n');
                lit.push(next.unwrap_or('\\'));
                i += 1 + next.map_or(0, char::len_utf8);
            }
            '{' => match placeholder(text, i) {
                Some(end) => {
                    if !lit.is_empty() {
                        parts.push(RawPart::Text(std::mem::take(&mut lit)));
                    }
                    let name = text[i + 1..end - 1].to_string();
                    parts.push(RawPart::Name(name, map.span(i, end)));
                    i = end;
                }
                None => {
                    lit.push('{');
                    i += 1;
                }
            },
            c => {
                lit.push(c);
                i += c.len_utf8();
            }
        }
    }
    if !lit.is_empty() {
        parts.push(RawPart::Text(lit));
    }
    out.push(Token {
        tok: Tok::Str(parts),
        span: map.span(start, i),
    });
    i
}

/// The end (after `}`) of a `{name}` placeholder starting at `at`, if it is one.
fn placeholder(text: &str, at: usize) -> Option<usize> {
    let rest = &text[at + 1..];
    let n = rest.find(|c: char| !is_word_char(c))?;
    (n > 0 && rest[n..].starts_with('}')).then_some(at + 1 + n + 1)
}
