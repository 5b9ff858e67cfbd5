//! The built-in scenarios, embedded from `scenarios/` at build time.

include!(concat!(env!("OUT_DIR"), "/builtin.rs"));

/// The built-in scenario whose file name (with or without `.toml`) is `name`.
pub fn find(name: &str) -> Option<(&'static str, &'static str)> {
    let stem = name.strip_suffix(".toml").unwrap_or(name);
    let stem = stem.strip_prefix("scenarios/").unwrap_or(stem);
    BUILTIN
        .iter()
        .find(|(file, _)| file.strip_suffix(".toml") == Some(stem))
        .copied()
}
