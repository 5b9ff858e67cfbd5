//! Mutations of real inputs: bytes flipped, inserted and deleted, chunks
//! repeated, lines spliced in from another seed, numbers replaced by
//! extreme values, and for traces lines dropped, repeated and swapped.
//! Then the three ways of making an input for each target.

use arbitrary::{Result, Unstructured};

use super::gen::{structured, EXTREMES};

/// Pieces of scenario and trace syntax worth inserting.
const TOKENS: [&str; 24] = [
    "{",
    "}",
    "[",
    "]",
    "\"\"\"",
    "\n",
    "=",
    "#",
    "\"",
    ",",
    "\\u0000",
    "loop {\n",
    "repeat 1000000000 {\n",
    "count = 10000\n",
    "[[task]]\nname = \"z\"\nscript = \"loop { yield }\"\n",
    "max_ticks = 1000000000\n",
    "\u{0}",
    "\u{feff}",
    "é",
    "\r\n",
    "null",
    "-1",
    "{\"kind\":",
    "\"tick\":18446744073709551615",
];

/// Applies one to eight random mutations to `input`, with `others` as the
/// lines spliced in.
pub fn mutate(u: &mut Unstructured<'_>, input: &[u8], others: &[Vec<u8>]) -> Result<Vec<u8>> {
    let mut out = input.to_vec();
    let n = u.int_in_range(1..=8)?;
    for _ in 0..n {
        mutate_once(u, &mut out, others)?;
    }
    Ok(out)
}

fn mutate_once(u: &mut Unstructured<'_>, out: &mut Vec<u8>, others: &[Vec<u8>]) -> Result<()> {
    let len = out.len();
    let at = if len == 0 {
        0
    } else {
        u.choose_index(len + 1)?
    };
    match u.int_in_range(0..=10)? {
        0 if len > 0 => {
            let i = at.min(len - 1);
            out[i] ^= 1 << u.int_in_range(0..=7)?;
        }
        1 => out.insert(at, u.arbitrary()?),
        2 if len > 0 => {
            let n = u.int_in_range(1..=64)?.min(len - at.min(len));
            out.drain(at.min(len)..at.min(len) + n);
        }
        3 => {
            let token = TOKENS[u.choose_index(TOKENS.len())?];
            out.splice(at..at, token.bytes());
        }
        4 => replace_number(u, out)?,
        5 => replace_number(u, out)?,
        6 if !others.is_empty() => {
            let other = &others[u.choose_index(others.len())?];
            splice_line(u, out, other)?
        }
        7 => line_edit(u, out)?,
        8 if len > 0 => {
            // A chunk repeated many times: deep nesting, long lines.
            let n = u.int_in_range(1..=16)?.min(len - at.min(len - 1));
            let start = at.min(len - 1);
            let chunk = out[start..start + n].to_vec();
            let times = [2, 10, 100, 1000, 10_000][u.choose_index(5)?];
            let repeated: Vec<u8> = chunk.iter().copied().cycle().take(n * times).collect();
            out.splice(start..start, repeated);
        }
        9 => out.truncate(at),
        _ => line_edit(u, out)?,
    }
    Ok(())
}

/// Replaces one run of digits (with its sign) by an extreme number.
fn replace_number(u: &mut Unstructured<'_>, out: &mut Vec<u8>) -> Result<()> {
    let starts: Vec<usize> = (0..out.len())
        .filter(|&i| out[i].is_ascii_digit() && (i == 0 || !out[i - 1].is_ascii_digit()))
        .collect();
    if starts.is_empty() {
        return Ok(());
    }
    let start = starts[u.choose_index(starts.len())?];
    let end = (start..out.len())
        .find(|&i| !out[i].is_ascii_digit())
        .unwrap_or(out.len());
    let start = if start > 0 && out[start - 1] == b'-' {
        start - 1
    } else {
        start
    };
    let value = EXTREMES[u.choose_index(EXTREMES.len())?];
    out.splice(start..end, value.bytes());
    Ok(())
}

fn lines(bytes: &[u8]) -> Vec<Vec<u8>> {
    bytes.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect()
}

fn join(lines: &[Vec<u8>]) -> Vec<u8> {
    lines.join(&b'\n')
}

/// Puts a line of `other` somewhere in `out`, in place of one or between two.
fn splice_line(u: &mut Unstructured<'_>, out: &mut Vec<u8>, other: &[u8]) -> Result<()> {
    let theirs = lines(other);
    let mut ours = lines(out);
    let take = u.int_in_range(1..=4)?;
    let from = u.choose_index(theirs.len())?;
    let at = u.choose_index(ours.len() + 1)?;
    let replace = u.arbitrary::<bool>()? && at < ours.len();
    let picked: Vec<Vec<u8>> = theirs[from..(from + take).min(theirs.len())].to_vec();
    let end = if replace { at + 1 } else { at };
    ours.splice(at..end, picked);
    *out = join(&ours);
    Ok(())
}

/// Drops, repeats, swaps or cuts a line.
fn line_edit(u: &mut Unstructured<'_>, out: &mut Vec<u8>) -> Result<()> {
    let mut ls = lines(out);
    let i = u.choose_index(ls.len())?;
    match u.int_in_range(0..=3)? {
        0 => {
            ls.remove(i);
        }
        1 => {
            let line = ls[i].clone();
            let times = u.int_in_range(1..=3)?;
            for _ in 0..times {
                ls.insert(i, line.clone());
            }
        }
        2 => {
            let j = u.choose_index(ls.len())?;
            ls.swap(i, j);
        }
        _ => {
            let cut = u.choose_index(ls[i].len() + 1)?;
            ls[i].truncate(cut);
        }
    }
    *out = join(&ls);
    Ok(())
}

/// A scenario input: raw bytes, a mutated lesson or corpus file, or a
/// generated scenario (now and then mutated too).
pub fn scenario_input(u: &mut Unstructured<'_>, seeds: &[Vec<u8>]) -> Vec<u8> {
    let made = match u.int_in_range(0..=9).unwrap_or(0) {
        0 => Ok(raw(u)),
        1..=5 if !seeds.is_empty() => {
            let seed = &seeds[u.choose_index(seeds.len()).unwrap_or(0)];
            mutate(u, seed, seeds)
        }
        6 => {
            let s = structured(u);
            mutate(u, &s, seeds)
        }
        _ => Ok(structured(u)),
    };
    made.unwrap_or_default()
}

/// A trace input: raw bytes, or a mutated recorded trace.
pub fn trace_input(u: &mut Unstructured<'_>, seeds: &[Vec<u8>]) -> Vec<u8> {
    if seeds.is_empty() || u.ratio(1, 8).unwrap_or(true) {
        return raw(u);
    }
    let s = &seeds[u.choose_index(seeds.len()).unwrap_or(0)];
    mutate(u, s, seeds).unwrap_or_default()
}

fn raw(u: &mut Unstructured<'_>) -> Vec<u8> {
    let n = u.int_in_range(0..=512).unwrap_or(0);
    u.bytes(n.min(u.len()))
        .map(<[u8]>::to_vec)
        .unwrap_or_default()
}
