//! Names: identifier rules, reserved words and "did you mean" hints.
//!
//! Imports nothing else of weft.

/// Words a scenario may not use as a name, because scripts give them a meaning.
pub const RESERVED: [&str; 2] = ["i", "last"];

/// Whether `s` is an identifier: `[A-Za-z_][A-Za-z0-9_]*`.
pub fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' => {}
        _ => return false,
    }
    chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The edit distance between two strings (insertions, deletions, substitutions).
pub fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The candidate nearest to `word`, if it is near enough to be a likely typo.
///
/// Candidates whose length differs from the word's by more than the limit
/// are skipped without computing a distance (it is at least that
/// difference), so a file with thousands of misspelt words stays fast.
pub fn nearest<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let len = word.chars().count();
    let limit = (len / 3).max(1) + usize::from(word.len() > 5);
    let lower = word.to_lowercase();
    candidates
        .into_iter()
        .filter(|c| *c != word && c.chars().count().abs_diff(len) <= limit)
        .map(|c| (levenshtein(&lower, &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// A "did you mean" hint for `word` among `candidates`, if one is near.
pub fn did_you_mean<'a, I>(word: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    nearest(word, candidates).map(|c| format!("did you mean `{c}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(levenshtein("acquire", "aquire"), 1);
        assert_eq!(levenshtein("", "abc"), 3);
        assert_eq!(nearest("aquire", ["release", "acquire"]), Some("acquire"));
        assert_eq!(nearest("zzz", ["release", "acquire"]), None);
    }

    #[test]
    fn identifiers() {
        assert!(is_ident("fork_2"));
        assert!(!is_ident("2fork"));
        assert!(!is_ident("my lock"));
        assert!(!is_ident(""));
    }
}
