//! assets/scenario.schema.json stays true: every built-in lesson and worked
//! example fits it, its enums are the values the parser accepts, and a
//! misspelt key or a wrong value is rejected. The validator below covers the
//! part of JSON Schema (draft-07) that the file uses, and refuses any other
//! keyword, so the schema cannot use one that this test would ignore.

use std::path::PathBuf;

use serde_json::{json, Map, Value};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn schema() -> Value {
    let path = root().join("assets/scenario.schema.json");
    let text = std::fs::read_to_string(&path).expect("assets/scenario.schema.json");
    serde_json::from_str(&text).expect("the schema is JSON")
}

/// A TOML document as JSON, the way an editor's schema checker sees it.
fn to_json(toml_text: &str) -> Value {
    let v: toml::Value = toml::from_str(toml_text).expect("valid TOML");
    serde_json::to_value(v).expect("TOML converts to JSON")
}

// ---------------------------------------------------------------- patterns

/// One piece of a pattern: what a character must be.
#[derive(Debug)]
enum Atom {
    Any,
    Char(char),
    Class(Vec<(char, char)>),
}

impl Atom {
    fn matches(&self, c: char) -> bool {
        match self {
            Atom::Any => c != '\n',
            Atom::Char(x) => *x == c,
            Atom::Class(ranges) => ranges.iter().any(|(a, b)| (*a..=*b).contains(&c)),
        }
    }
}

/// How often an atom may repeat: (min, max).
type Piece = (Atom, usize, usize);

fn escape(c: char) -> Vec<(char, char)> {
    match c {
        'd' => vec![('0', '9')],
        's' => vec![(' ', ' '), ('\t', '\t'), ('\n', '\n'), ('\r', '\r')],
        'w' => vec![('a', 'z'), ('A', 'Z'), ('0', '9'), ('_', '_')],
        other => vec![(other, other)],
    }
}

/// Compiles the simple patterns the schema uses: `^…$`, literals, `.`,
/// `\d \s \w` and escaped characters, `[…]` classes with ranges, and the
/// quantifiers `* + ?`. Anything else (groups, `|`, `{n}`) panics.
fn compile(pattern: &str) -> (bool, Vec<Piece>, bool) {
    let mut chars: Vec<char> = pattern.chars().collect();
    let start = chars.first() == Some(&'^');
    if start {
        chars.remove(0);
    }
    let end = chars.last() == Some(&'$') && !chars.ends_with(&['\\', '$']);
    if end {
        chars.pop();
    }
    let mut pieces: Vec<Piece> = Vec::new();
    let mut k = 0;
    while k < chars.len() {
        let c = chars[k];
        k += 1;
        let atom = match c {
            '.' => Atom::Any,
            '\\' => {
                let e = chars[k];
                k += 1;
                Atom::Class(escape(e))
            }
            '[' => {
                let mut ranges = Vec::new();
                while chars[k] != ']' {
                    let mut lo = chars[k];
                    k += 1;
                    if lo == '\\' {
                        ranges.extend(escape(chars[k]));
                        k += 1;
                        continue;
                    }
                    let mut hi = lo;
                    if chars[k] == '-' && chars[k + 1] != ']' {
                        hi = chars[k + 1];
                        k += 2;
                    }
                    if lo > hi {
                        std::mem::swap(&mut lo, &mut hi);
                    }
                    ranges.push((lo, hi));
                }
                k += 1;
                Atom::Class(ranges)
            }
            '(' | ')' | '|' | '{' | '}' | '^' | '$' => {
                panic!("pattern `{pattern}` is beyond this test's validator")
            }
            other => Atom::Char(other),
        };
        let (min, max) = match chars.get(k) {
            Some('*') => (0, usize::MAX),
            Some('+') => (1, usize::MAX),
            Some('?') => (0, 1),
            _ => (1, 1),
        };
        if (min, max) != (1, 1) {
            k += 1;
        }
        pieces.push((atom, min, max));
    }
    (start, pieces, end)
}

fn match_here(pieces: &[Piece], text: &[char], end: bool) -> bool {
    let Some(((atom, min, max), rest)) = pieces.split_first() else {
        return !end || text.is_empty();
    };
    let mut n = 0;
    while n < *max && n < text.len() && atom.matches(text[n]) {
        n += 1;
    }
    (*min..=n).rev().any(|k| match_here(rest, &text[k..], end))
}

fn pattern_matches(pattern: &str, text: &str) -> bool {
    let (start, pieces, end) = compile(pattern);
    let text: Vec<char> = text.chars().collect();
    let starts = if start { 0..=0 } else { 0..=text.len() };
    starts
        .into_iter()
        .any(|k| match_here(&pieces, &text[k..], end))
}

#[test]
fn the_pattern_matcher_works() {
    let name = "^[A-Za-z_][A-Za-z0-9_]*$";
    assert!(pattern_matches(name, "fork"));
    assert!(pattern_matches(name, "_t2"));
    assert!(!pattern_matches(name, "2t"));
    assert!(!pattern_matches(name, "a-b"));
    assert!(!pattern_matches(name, ""));
    assert!(pattern_matches("^a\\[?[0-9]*\\]?$", "a[12]"));
    assert!(!pattern_matches("^a\\[?[0-9]*\\]?$", "a(1)"));
    assert!(pattern_matches("b+", "abbc"));
    assert!(!pattern_matches("^b+$", "abbc"));
}

// --------------------------------------------------------------- validator

/// Keywords that only annotate: editors show them, validation ignores them.
const ANNOTATIONS: [&str; 5] = ["$schema", "title", "description", "default", "definitions"];

struct Validator<'a> {
    root: &'a Value,
    errors: Vec<String>,
}

fn type_ok(want: &str, v: &Value) -> bool {
    match want {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "boolean" => v.is_boolean(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "null" => v.is_null(),
        other => panic!("unknown type `{other}` in the schema"),
    }
}

impl<'a> Validator<'a> {
    fn resolve(&self, reference: &str) -> &'a Value {
        let pointer = reference
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("only local $ref, not `{reference}`"));
        self.root
            .pointer(pointer)
            .unwrap_or_else(|| panic!("$ref `{reference}` points nowhere"))
    }

    fn fail(&mut self, path: &str, msg: String) {
        self.errors.push(format!(
            "{}: {msg}",
            if path.is_empty() { "/" } else { path }
        ));
    }

    /// Errors of `v` against `schema`, as a separate list (for anyOf).
    fn sub(&self, schema: &'a Value, v: &Value, path: &str) -> Vec<String> {
        let mut other = Validator {
            root: self.root,
            errors: Vec::new(),
        };
        other.check(schema, v, path);
        other.errors
    }

    fn check(&mut self, schema: &'a Value, v: &Value, path: &str) {
        let Some(s) = schema.as_object() else {
            if schema == &json!(false) {
                self.fail(path, "not allowed".into());
            }
            return;
        };
        for (key, arg) in s {
            match key.as_str() {
                k if ANNOTATIONS.contains(&k) => {}
                "$ref" => {
                    let target = self.resolve(arg.as_str().expect("$ref is a string"));
                    self.check(target, v, path);
                }
                "type" => {
                    let types: Vec<&str> = match arg {
                        Value::String(t) => vec![t.as_str()],
                        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
                        _ => panic!("bad `type`"),
                    };
                    if !types.iter().any(|t| type_ok(t, v)) {
                        self.fail(path, format!("{v} is not of type {}", types.join(" or ")));
                    }
                }
                "enum" => {
                    let choices = arg.as_array().expect("enum is an array");
                    if !choices.contains(v) {
                        let list: Vec<String> = choices.iter().map(Value::to_string).collect();
                        self.fail(path, format!("{v} is not one of {}", list.join(", ")));
                    }
                }
                "minimum" | "maximum" => {
                    if let (Some(n), Some(bound)) = (v.as_f64(), arg.as_f64()) {
                        let bad = if key == "minimum" {
                            n < bound
                        } else {
                            n > bound
                        };
                        if bad {
                            self.fail(path, format!("{v} is out of range ({key} {arg})"));
                        }
                    }
                }
                "minLength" => {
                    let min = arg.as_u64().expect("minLength is a number") as usize;
                    if v.as_str().is_some_and(|t| t.chars().count() < min) {
                        self.fail(path, format!("{v} is shorter than {min}"));
                    }
                }
                "pattern" => {
                    let p = arg.as_str().expect("pattern is a string");
                    if v.as_str().is_some_and(|t| !pattern_matches(p, t)) {
                        self.fail(path, format!("{v} does not match {p}"));
                    }
                }
                "required" => {
                    if let Some(obj) = v.as_object() {
                        for name in arg.as_array().expect("required is an array") {
                            let name = name.as_str().expect("a required name");
                            if !obj.contains_key(name) {
                                self.fail(path, format!("missing required key `{name}`"));
                            }
                        }
                    }
                }
                "properties" | "additionalProperties" | "propertyNames" => {
                    // Checked together, once, below.
                }
                "items" => {
                    if let Some(items) = v.as_array() {
                        for (k, item) in items.iter().enumerate() {
                            self.check(arg, item, &format!("{path}/{k}"));
                        }
                    }
                }
                "anyOf" | "oneOf" => {
                    let branches = arg.as_array().expect("anyOf/oneOf is an array");
                    let results: Vec<Vec<String>> =
                        branches.iter().map(|b| self.sub(b, v, path)).collect();
                    let fits = results.iter().filter(|e| e.is_empty()).count();
                    let ok = if key == "anyOf" { fits >= 1 } else { fits == 1 };
                    if !ok {
                        let why: Vec<String> = results.iter().map(|e| e.join("; ")).collect();
                        self.fail(
                            path,
                            format!("fits {fits} of the {key} choices: {}", why.join(" | ")),
                        );
                    }
                }
                other => panic!("the schema uses `{other}`, which this validator does not know"),
            }
        }
        if let Some(obj) = v.as_object() {
            self.check_object(s, obj, path);
        }
    }

    fn check_object(&mut self, s: &'a Map<String, Value>, obj: &Map<String, Value>, path: &str) {
        let props = s.get("properties").and_then(Value::as_object);
        for (name, value) in obj {
            let here = format!("{path}/{name}");
            if let Some(names) = s.get("propertyNames") {
                let errors = self.sub(names, &Value::String(name.clone()), &here);
                if !errors.is_empty() {
                    self.fail(&here, format!("`{name}` is not a valid name"));
                }
            }
            match props.and_then(|p| p.get(name)) {
                Some(sub) => self.check(sub, value, &here),
                None => match s.get("additionalProperties") {
                    Some(Value::Bool(false)) => {
                        let known: Vec<&str> =
                            props.map_or(vec![], |p| p.keys().map(String::as_str).collect());
                        self.fail(
                            &here,
                            format!("unknown key `{name}` (known: {})", known.join(", ")),
                        );
                    }
                    Some(extra) => self.check(extra, value, &here),
                    None => {}
                },
            }
        }
    }
}

fn validate(schema: &Value, doc: &Value) -> Vec<String> {
    let mut v = Validator {
        root: schema,
        errors: Vec::new(),
    };
    v.check(schema, doc, "");
    v.errors
}

// ------------------------------------------------------------------- tests

fn toml_files(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

#[test]
fn the_schema_is_draft_07_and_closed_where_the_language_is() {
    let s = schema();
    assert_eq!(s["$schema"], "http://json-schema.org/draft-07/schema#");
    assert_eq!(s["additionalProperties"], json!(false));
    for table in ["scenario", "machine", "expect"] {
        assert_eq!(
            s["properties"][table]["additionalProperties"],
            json!(false),
            "{table}"
        );
    }
    assert_eq!(
        s["properties"]["task"]["items"]["additionalProperties"],
        json!(false)
    );
    let tables: Vec<&String> = s["properties"].as_object().unwrap().keys().collect();
    assert_eq!(tables.len(), 12, "{tables:?}");
}

#[test]
fn every_built_in_lesson_and_example_fits_the_schema() {
    let s = schema();
    let mut files = toml_files("scenarios");
    assert!(files.len() > 40, "{}", files.len());
    files.extend(toml_files("docs/examples"));
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let errors = validate(&s, &to_json(&text));
        assert!(errors.is_empty(), "{}:\n{}", f.display(), errors.join("\n"));
    }
}

const BASE: &str = r#"
[scenario]
name = "probe"

[machine]
cpus = 2
policy = "rr"

[locks]
m = "mutex"

[[task]]
name = "t"
script = "acquire m"
"#;

fn errors_of(text: &str) -> Vec<String> {
    validate(&schema(), &to_json(text))
}

#[test]
fn a_misspelt_key_is_rejected() {
    assert!(errors_of(BASE).is_empty(), "{:?}", errors_of(BASE));
    let e = errors_of(&BASE.replace("policy = \"rr\"", "polcy = \"rr\""));
    assert!(
        e.iter()
            .any(|m| m.starts_with("/machine/polcy: unknown key `polcy`")),
        "{e:?}"
    );
    let e = errors_of(&BASE.replace("name = \"t\"", "name = \"t\"\npriorty = 2"));
    assert!(
        e.iter().any(|m| m.contains("unknown key `priorty`")),
        "{e:?}"
    );
    let e = errors_of(&BASE.replace("[locks]", "[lock]"));
    assert!(e.iter().any(|m| m.contains("unknown key `lock`")), "{e:?}");
    let e = errors_of(&BASE.replace("m = \"mutex\"", "m = { kind = \"mutex\", cnt = 2 }"));
    assert!(e.iter().any(|m| m.contains("unknown key `cnt`")), "{e:?}");
}

#[test]
fn a_wrong_value_is_rejected() {
    let e = errors_of(&BASE.replace("policy = \"rr\"", "policy = \"lifo\""));
    assert!(
        e.iter()
            .any(|m| m.starts_with("/machine/policy: \"lifo\" is not one of")),
        "{e:?}"
    );
    let cases = [
        ("cpus = 2", "cpus = 0"),
        ("cpus = 2", "cpus = \"2\""),
        ("m = \"mutex\"", "m = \"semaphore\""),
        ("name = \"t\"", "name = \"t\"\nkind = \"fiber\""),
        ("name = \"t\"", "name = \"t\"\nstart = \"later\""),
        ("name = \"t\"", "name = \"2t\""),
        ("name = \"probe\"", "title = \"probe\""),
        ("[[task]]\nname = \"t\"", "[[task]]"),
    ];
    for (from, to) in cases {
        let text = BASE.replace(from, to);
        assert!(!errors_of(&text).is_empty(), "accepted:\n{text}");
    }
    let e = errors_of(&format!("{BASE}\n[expect]\noutcome = \"hung\"\n"));
    assert!(
        e.iter().any(|m| m.contains("\"hung\" is not one of")),
        "{e:?}"
    );
    let sums = format!("{BASE}\n[expect]\nfinal = [\"a + b == 200\", \"a-b >= -3\"]\n");
    assert!(errors_of(&sums).is_empty(), "{:?}", errors_of(&sums));
    let e = errors_of(&format!("{BASE}\n[expect]\nfinal = [\"x equals 1\"]\n"));
    assert!(e.iter().any(|m| m.contains("does not match")), "{e:?}");
}

/// Every value of every enum of the schema is one the parser accepts, and a
/// value outside it is one the parser rejects.
#[test]
fn the_enums_are_the_parsers_choices() {
    let s = schema();
    let p = &s["properties"];
    let lock_table = &p["locks"]["additionalProperties"]["anyOf"][1]["properties"];
    let queue_table = &p["queues"]["additionalProperties"]["anyOf"][1]["properties"];
    let pool_table = &p["pools"]["additionalProperties"]["anyOf"][1]["properties"];
    let task = &p["task"]["items"]["properties"];
    let cases: [(&Value, &str); 8] = [
        (
            &p["machine"]["properties"]["policy"],
            "[machine]\npolicy = \"@\"",
        ),
        (&lock_table["kind"], "[locks]\nm = \"@\""),
        (
            &lock_table["prefer"],
            "[locks]\nm = { kind = \"rwlock\", prefer = \"@\" }",
        ),
        (&queue_table["order"], "[queues]\nq = { order = \"@\" }"),
        (
            &pool_table["kind"],
            "[pools]\np = { workers = 1, kind = \"@\" }",
        ),
        (
            &task["kind"],
            "[[task]]\nname = \"main\"\n\n[[task]]\nname = \"t\"\nkind = \"@\"\nloop = \"main\"",
        ),
        (
            &task["on_timeout"],
            "[[task]]\nname = \"t\"\non_timeout = \"@\"",
        ),
        (
            &p["expect"]["properties"]["outcome"],
            "[expect]\noutcome = \"@\"",
        ),
    ];
    for (enum_schema, template) in cases {
        let values = enum_schema["enum"].as_array().expect("an enum");
        assert!(!values.is_empty());
        let with = |v: &str| {
            let body = template.replace('@', v);
            format!("[scenario]\nname = \"probe\"\n\n{body}\n")
        };
        for v in values {
            let v = v.as_str().unwrap();
            let text = with(v);
            // A coroutine's `loop` is what makes it valid; for a thread or a
            // process task `loop` is an error of its own, not of the kind.
            let text = if v == "coroutine" {
                text
            } else {
                text.replace("\nloop = \"main\"", "")
            };
            if let Err(d) = weft::scenario::parse("probe.toml", text.as_bytes()) {
                panic!(
                    "schema value `{v}` is refused:\n{}\n{text}",
                    d.render(false)
                );
            }
        }
        let text = with("no_such_value").replace("\nloop = \"main\"", "");
        assert!(
            weft::scenario::parse("probe.toml", text.as_bytes()).is_err(),
            "the parser accepts a value the schema does not list:\n{text}"
        );
    }
}

/// The keys the schema knows for each table are the ones the language page
/// documents.
#[test]
fn every_key_of_the_schema_is_documented() {
    let page = std::fs::read_to_string(root().join("docs/language.md")).unwrap();
    let s = schema();
    let p = &s["properties"];
    let mut keys: Vec<String> = p.as_object().unwrap().keys().cloned().collect();
    for table in [
        &p["scenario"],
        &p["machine"],
        &p["expect"],
        &p["task"]["items"],
        &p["locks"]["additionalProperties"]["anyOf"][1],
        &p["semaphores"]["additionalProperties"]["anyOf"][1],
        &p["conditions"]["additionalProperties"]["anyOf"][1],
        &p["queues"]["additionalProperties"]["anyOf"][1],
        &p["pools"]["additionalProperties"]["anyOf"][1],
    ] {
        keys.extend(table["properties"].as_object().unwrap().keys().cloned());
    }
    for key in keys {
        assert!(
            page.contains(&format!("`{key}`")) || page.contains(&format!("[{key}]")),
            "`{key}` is in the schema but not in docs/language.md"
        );
    }
}
