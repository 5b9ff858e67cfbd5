//! Embeds the scenarios of `scenarios/` in the binary, so that `weft list`
//! and the picker work from any directory: in the teaching order of
//! `docs/lessons.md` (its `## Topic` headings, and each lesson's
//! `**\`file.toml\`**` paragraph under one), then any lesson it does not
//! list, alphabetically, under "More".

use std::fmt::Write;
use std::path::Path;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "toml"));
    files.sort();
    let doc = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/lessons.md");
    println!("cargo:rerun-if-changed={}", doc.display());
    let order = teaching_order(&std::fs::read_to_string(&doc).unwrap_or_default());
    let place = |f: &Path| {
        let name = f.file_name().map(|n| n.to_string_lossy().into_owned());
        let at = order
            .iter()
            .position(|(file, _)| Some(file) == name.as_ref());
        (at.unwrap_or(usize::MAX), name)
    };
    files.sort_by_key(|f| place(f));
    let mut code = String::from(
        "/// Built-in scenarios: (file name, contents), in teaching order.\npub const BUILTIN: &[(&str, &str)] = &[\n",
    );
    let mut topics = String::from(
        "/// The topic of each built-in scenario, as `BUILTIN` orders them.\npub const TOPICS: &[&str] = &[\n",
    );
    for f in &files {
        let (at, _) = place(f);
        let topic = order.get(at).map_or("More", |(_, t)| t.as_str());
        let _ = writeln!(topics, "    {topic:?},");
        println!("cargo:rerun-if-changed={}", f.display());
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let _ = writeln!(
            code,
            "    ({name:?}, include_str!({:?})),",
            f.display().to_string()
        );
    }
    code.push_str("];\n");
    topics.push_str("];\n");
    code.push_str(&topics);
    let out =
        Path::new(&std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into())).join("builtin.rs");
    if let Err(e) = std::fs::write(&out, code) {
        println!("cargo:warning=cannot write {}: {e}", out.display());
    }
}

/// (file, topic) of every lesson `docs/lessons.md` lists, in its order.
fn teaching_order(doc: &str) -> Vec<(String, String)> {
    let mut topic = String::from("More");
    let mut out = Vec::new();
    for line in doc.lines() {
        if let Some(h) = line.strip_prefix("## ") {
            topic = h.trim().to_string();
        } else if let Some(rest) = line.strip_prefix("**`") {
            if let Some(end) = rest.find("`**") {
                let file = &rest[..end];
                if file.ends_with(".toml") && !out.iter().any(|(f, _)| f == file) {
                    out.push((file.to_string(), topic.clone()));
                }
            }
        }
    }
    out
}
