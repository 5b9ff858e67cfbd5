//! docs/language.md stays true: every scenario in it parses, every script
//! snippet parses inside a task, every worked example in docs/examples/ is
//! in the page, and weft prints for it what the page says.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn page() -> String {
    std::fs::read_to_string(root().join("docs/language.md")).expect("docs/language.md")
}

/// A fenced block of the page: its language tag, its text and its line.
struct Block {
    lang: String,
    text: String,
    line: usize,
}

/// Every fenced block (```lang ... ```) of a Markdown text.
fn blocks(md: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut open: Option<Block> = None;
    for (n, line) in md.lines().enumerate() {
        match open.take() {
            None => {
                if let Some(lang) = line.strip_prefix("```") {
                    open = Some(Block {
                        lang: lang.trim().to_string(),
                        text: String::new(),
                        line: n + 1,
                    });
                }
            }
            Some(mut b) => {
                if line.starts_with("```") {
                    out.push(b);
                } else {
                    b.text.push_str(line);
                    b.text.push('\n');
                    open = Some(b);
                }
            }
        }
    }
    assert!(
        open.is_none(),
        "docs/language.md has an unclosed code block"
    );
    out
}

fn parse_or_panic(what: &str, src: &str) {
    if let Err(d) = weft::scenario::parse(what, src.as_bytes()) {
        panic!("{what} does not parse:\n{}\n{src}", d.render(false));
    }
}

#[test]
fn every_scenario_in_the_page_parses() {
    let page = page();
    let scenarios: Vec<Block> = blocks(&page)
        .into_iter()
        .filter(|b| b.lang == "toml" && b.text.trim_start().starts_with("[scenario]"))
        .collect();
    assert!(scenarios.len() >= 15, "only {} scenarios", scenarios.len());
    for b in &scenarios {
        parse_or_panic(&format!("docs/language.md:{}", b.line), &b.text);
    }
}

#[test]
fn every_toml_block_of_the_page_is_a_whole_scenario() {
    // A fragment (a lone `[machine]`) could not be checked on its own; the
    // page writes every TOML example as a scenario.
    for b in blocks(&page()).iter().filter(|b| b.lang == "toml") {
        assert!(
            b.text.trim_start().starts_with("[scenario]"),
            "docs/language.md:{}: a toml block that does not start with [scenario]",
            b.line
        );
    }
}

/// A scenario declaring every name the page's snippets use, with `snippet`
/// as the script of `main`, or of the coroutine `co` when it awaits.
fn harness(snippet: &str) -> String {
    assert!(
        !snippet.contains("'''"),
        "a snippet with ''' cannot be wrapped"
    );
    let (main, co) = if snippet.contains("await") {
        ("run_loop", snippet)
    } else {
        (snippet, "await sleep 1")
    };
    format!(
        r#"[scenario]
name = "snippet"

[vars]
x = 0
total = 0
counter = 0

[locks]
m = "mutex"
A = "mutex"
B = "mutex"
R = "rlock"
RW = "rwlock"

[semaphores]
S = 2

[conditions]
c = {{ lock = "m" }}

[events]
go = false

[barriers]
b = 3

[queues]
q = 3

[pools]
pool = 2

[[task]]
name = "main"
script = '''
{main}
'''

[[task]]
name = "worker"
start = "spawned"
script = "compute 1"

[[task]]
name = "child"
kind = "process"
start = "spawned"
script = "compute 1"

[[task]]
name = "fetch"
kind = "coroutine"
loop = "main"
script = "await sleep 1"

[[task]]
name = "co"
kind = "coroutine"
loop = "main"
script = '''
{co}
'''
"#
    )
}

#[test]
fn every_script_snippet_is_valid_in_a_task() {
    let snippets: Vec<Block> = blocks(&page())
        .into_iter()
        .filter(|b| b.lang == "script")
        .collect();
    assert!(snippets.len() >= 25, "only {} snippets", snippets.len());
    for b in &snippets {
        parse_or_panic(
            &format!("the snippet at docs/language.md:{}", b.line),
            &harness(&b.text),
        );
    }
}

#[test]
fn the_harness_rejects_a_bad_snippet() {
    // So that the test above cannot pass by accepting anything.
    for bad in ["aquire m", "release q", "notify m", "break", "await sleep"] {
        let src = harness(bad);
        assert!(
            weft::scenario::parse("bad", src.as_bytes()).is_err(),
            "`{bad}` was accepted"
        );
    }
}

fn examples() -> Vec<PathBuf> {
    let dir = root().join("docs/examples");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("docs/examples")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

/// The file without its `#:schema` line, as the page shows it.
fn without_schema_line(text: &str) -> String {
    text.lines()
        .filter(|l| !l.starts_with("#:schema"))
        .map(|l| format!("{l}\n"))
        .collect()
}

#[test]
fn every_example_file_is_in_the_page_and_parses() {
    let page = page();
    let files = examples();
    assert_eq!(files.len(), 3, "{files:?}");
    let shown: Vec<String> = blocks(&page)
        .into_iter()
        .filter(|b| b.lang == "toml")
        .map(|b| b.text)
        .collect();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        assert!(
            text.starts_with("#:schema ../../assets/scenario.schema.json\n"),
            "{} lacks its #:schema line",
            f.display()
        );
        let body = without_schema_line(&text);
        assert!(
            shown.contains(&body),
            "{} is not shown, as it is, in docs/language.md",
            f.display()
        );
        parse_or_panic(&f.display().to_string(), &text);
    }
}

fn weft(args: &[&str]) -> (Option<i32>, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_weft"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("run weft");
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
    )
}

/// The report the page shows after `$ weft run FILE --headless`.
fn shown_report(page: &str, file: &str) -> String {
    let command = format!("$ weft run {file} --headless\n");
    blocks(page)
        .into_iter()
        .find(|b| b.lang == "text" && b.text.starts_with(&command))
        .map(|b| b.text[command.len()..].to_string())
        .unwrap_or_else(|| panic!("docs/language.md shows no report of {file}"))
}

/// The lines of a report that carry its meaning: the outcome, a cycle,
/// the variables and the checks of `[expect]`.
fn key_lines(report: &str) -> Vec<String> {
    report
        .lines()
        .filter(|l| {
            l.starts_with(|c: char| c.is_ascii_uppercase())
                || l.starts_with("  cycle")
                || l.starts_with("variables:")
                || l.starts_with("  ok ")
                || l.starts_with("  FAIL ")
                || l.starts_with("average")
        })
        .map(|l| {
            // A check may add the values it saw, `(counter = 6)`; the
            // check itself is what the page must show.
            let l = l.trim_end();
            let check = l.starts_with("  ok ") || l.starts_with("  FAIL ");
            if l.starts_with(|c: char| c.is_ascii_uppercase()) {
                // The headline: its outcome and end tick, whatever else it
                // says about the run (the seed, what a tick stands for).
                let outcome = l.split(' ').next().unwrap_or_default();
                let tick: String = l
                    .split("ended at tick ")
                    .nth(1)
                    .unwrap_or_default()
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect();
                return format!("{outcome} at tick {tick}");
            }
            match l.find(" (").filter(|_| check) {
                Some(at) => l[..at].to_string(),
                None => l.to_string(),
            }
        })
        .collect()
}

#[test]
fn every_example_runs_as_the_page_says() {
    let page = page();
    for f in examples() {
        let rel = format!("docs/examples/{}", f.file_name().unwrap().to_string_lossy());
        let (code, out) = weft(&["run", &rel, "--headless"]);
        let shown = shown_report(&page, &rel);
        assert_eq!(key_lines(&out), key_lines(&shown), "{rel}:\n{out}");
        let deadlock = out.starts_with("DEADLOCK");
        assert_eq!(code, Some(if deadlock { 3 } else { 0 }), "{rel}:\n{out}");
    }
    let (code, out) = weft(&["test", "docs/examples"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("3 passed, 0 failed"), "{out}");
}

#[test]
fn the_page_is_linked_from_the_readme_and_the_help() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    assert!(readme.matches("docs/language.md").count() >= 2, "README");
    let (code, help) = weft(&["--help"]);
    assert_eq!(code, Some(0));
    assert!(help.contains("docs/language.md"), "{help}");
    assert!(help.contains("weft list"), "{help}");
    assert!(Path::new(&root().join("assets/scenario.schema.json")).exists());
}

/// Every `$ weft run … --headless` shown in docs/language.md is followed by
/// exactly what that command prints (trailing spaces aside).
#[test]
fn the_reports_shown_in_the_reference_are_the_real_ones() {
    let root = env!("CARGO_MANIFEST_DIR");
    let doc = std::fs::read_to_string(format!("{root}/docs/language.md")).unwrap();
    let lines: Vec<&str> = doc.lines().collect();
    let mut seen = 0;
    for (i, l) in lines.iter().enumerate() {
        let Some(cmd) = l.strip_prefix("$ weft ") else {
            continue;
        };
        let shown: Vec<&str> = lines[i + 1..]
            .iter()
            .take_while(|x| !x.starts_with("```"))
            .map(|x| x.trim_end())
            .collect();
        let out = Command::new(env!("CARGO_BIN_EXE_weft"))
            .args(cmd.split_whitespace())
            .current_dir(root)
            .output()
            .unwrap();
        let real = String::from_utf8_lossy(&out.stdout);
        let mut real: Vec<&str> = real.lines().map(str::trim_end).collect();
        while real.last() == Some(&"") {
            real.pop();
        }
        assert_eq!(shown, real, "the output shown for `weft {cmd}`");
        seen += 1;
    }
    assert!(seen >= 3, "the reference shows {seen} runs");
}
