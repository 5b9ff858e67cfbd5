//! Every kind of scenario error renders as `path:line:col: message`, the
//! line, a caret and a hint; all errors of a file are reported; nothing panics.

use crate::common;
use proptest::prelude::*;
use weft::scenario::parse;

/// The rendered errors of a scenario that must not parse.
fn errors(src: &str) -> String {
    match parse("x.toml", src.as_bytes()) {
        Ok(_) => panic!("expected errors in:\n{src}"),
        Err(d) => d.render(false),
    }
}

const DECLS: &str = r#"[scenario]
name = "t"

[vars]
x = 0

[locks]
A = "mutex"
fork = { kind = "mutex", count = 3 }

[queues]
q = 2

[conditions]
c = { lock = "A" }

[events]
e = false
"#;

/// The rendered errors of a thread task running `body`, with common declarations.
fn script(body: &str) -> String {
    errors(&format!(
        "{DECLS}\n[[task]]\nname = \"t1\"\nscript = \"\"\"\n{body}\n\"\"\"\n"
    ))
}

macro_rules! snap {
    ($name:ident, $value:expr) => {
        #[test]
        fn $name() {
            insta::assert_snapshot!(stringify!($name), $value);
        }
    };
}

snap!(toml_syntax, errors("[scenario]\nname = \"t\nfoo = = 1\n"));
snap!(
    unknown_table,
    errors("[scenario]\nname = \"t\"\n[lock]\nA = \"mutex\"\n")
);
snap!(
    unknown_key,
    errors("[scenario]\nname = \"t\"\n[machine]\ncpu = 2\n")
);
snap!(
    unknown_policy,
    errors("[scenario]\nname = \"t\"\n[machine]\npolicy = \"round-robin\"\n")
);
snap!(
    unknown_lock_kind,
    errors("[scenario]\nname = \"t\"\n[locks]\nA = \"mutx\"\n")
);
snap!(
    unknown_queue_order,
    errors("[scenario]\nname = \"t\"\n[queues]\nq = { order = \"lifo2\" }\n")
);
snap!(
    unknown_outcome,
    errors("[scenario]\nname = \"t\"\n[expect]\noutcome = \"deadlocked\"\n")
);
snap!(unknown_operation, script("aquire A"));
snap!(undeclared_name, script("acquire B"));
snap!(
    declared_twice,
    errors("[scenario]\nname = \"t\"\n[vars]\nA = 1\n[locks]\nA = \"mutex\"\n")
);
snap!(
    invalid_identifier,
    errors("[scenario]\nname = \"t\"\n[locks]\n\"my lock\" = \"mutex\"\n")
);
snap!(release_of_queue, script("release q"));
snap!(put_on_lock, script("put A 1"));
snap!(notify_non_condition, script("notify e"));
snap!(acquire_read_non_rwlock, script("acquire_read A"));
snap!(
    zero_cpus,
    errors("[scenario]\nname = \"t\"\n[machine]\ncpus = 0\nquantum = 0\n")
);
snap!(negative_compute, script("compute -1\ncompute 0"));
snap!(
    count_above_limit,
    errors("[scenario]\nname = \"t\"\n[[task]]\nname = \"w\"\ncount = 100000\n")
);
snap!(
    absurd_max_ticks,
    errors("[scenario]\nname = \"t\"\n[machine]\nmax_ticks = 99999999999\npreempt = 1.5\n")
);
snap!(missing_scenario, errors("[vars]\nx = 1\n"));
snap!(
    missing_name,
    errors("[scenario]\ndescription = \"no name\"\n")
);
snap!(
    coroutine_without_loop,
    errors("[scenario]\nname = \"t\"\n[[task]]\nname = \"co\"\nkind = \"coroutine\"\n")
);
snap!(loop_not_a_thread, errors("[scenario]\nname = \"t\"\n[queues]\nq = 1\n[[task]]\nname = \"co\"\nkind = \"coroutine\"\nloop = \"q\"\n"));
snap!(await_outside_coroutine, script("await sleep 1"));
snap!(
    spawn_not_spawned,
    errors(&format!(
        "{DECLS}\n[[task]]\nname = \"t1\"\nscript = \"spawn t2\"\n[[task]]\nname = \"t2\"\n"
    ))
);
snap!(unterminated_block, script("repeat 3 {\n  compute 1\n"));
snap!(stray_brace, script("compute 1\n}"));
snap!(break_outside_loop, script("if x == 0 { break }"));
snap!(else_after_infallible, script("acquire A else {\n  exit\n}"));
snap!(
    condition_on_non_lock,
    errors("[scenario]\nname = \"t\"\n[queues]\nq = 1\n[conditions]\nc = { lock = \"q\" }\n")
);
snap!(
    process_not_a_process,
    errors("[scenario]\nname = \"t\"\n[[task]]\nname = \"t1\"\nprocess = \"worker\"\n")
);
snap!(array_without_index, script("acquire fork"));
snap!(index_on_non_array, script("acquire A[1]"));
snap!(
    bad_final,
    errors(&format!(
        "{DECLS}\n[expect]\nfinal = [\"y == 1\", \"x is 3\"]\n"
    ))
);
snap!(empty_file, errors(""));
snap!(
    too_deep,
    script(&format!("{}{}", "loop {\n".repeat(70), "}\n".repeat(70)))
);
snap!(join_wrong_kind, script("join A"));
snap!(condition_names_a_lock, script("if A == 1 { exit }"));
snap!(print_unknown_placeholder, script("print \"x is {y}\""));

#[test]
fn invalid_utf8() {
    insta::assert_snapshot!(
        "invalid_utf8",
        errors_bytes(b"[scenario]\nname = \"\xff\"\n")
    );
}

fn errors_bytes(bytes: &[u8]) -> String {
    match parse("x.toml", bytes) {
        Ok(_) => panic!("expected errors"),
        Err(d) => d.render(false),
    }
}

#[test]
fn all_errors_are_reported() {
    let src = "[scenario]\nname = \"t\"\n[machine]\ncpus = 0\n[locks]\nA = \"mutex\"\n[[task]]\nname = \"t1\"\nscript = \"\"\"\nacquire A\nrelese A\ncompute -1\n\"\"\"\n";
    let out = errors(src);
    insta::assert_snapshot!("three_errors", out);
    let Err(d) = parse("x.toml", src.as_bytes()) else {
        panic!("expected errors")
    };
    assert_eq!(d.items.len(), 3);
    let firsts: Vec<&str> = out.lines().filter(|l| l.starts_with("x.toml:")).collect();
    assert_eq!(firsts.len(), 3);
    assert!(firsts[0].starts_with("x.toml:4:8: "));
    assert!(firsts[1].starts_with("x.toml:11:1: "));
    assert!(firsts[2].starts_with("x.toml:12:9: "));
}

#[test]
fn colour_only_when_asked() {
    let Err(d) = parse("x.toml", b"[scenario]\nname = 1\n") else {
        panic!("expected errors")
    };
    assert!(!d.render(false).contains('\u{1b}'));
    assert!(d.render(true).contains('\u{1b}'));
}

#[test]
fn deep_toml_nesting_does_not_panic() {
    for open in ["{", "[", "a = {", "a = ["] {
        let src = format!("[scenario]\nname = \"t\"\n{}", open.repeat(10_000));
        assert!(parse("x.toml", src.as_bytes()).is_err());
    }
    let huge = "[scenario]\nname = \"t\"\n[machine]\ncpus = 99999999999999999999999999\n";
    assert!(parse("x.toml", huge.as_bytes()).is_err());
}

const VALID: &str = r#"[scenario]
name = "abba"
[machine]
cpus = 2
[vars]
n = 0
[locks]
A = "mutex"
fork = { kind = "mutex", count = 3 }
[queues]
q = { capacity = 2 }
[[task]]
name = "t"
count = 2
script = """
loop {
  acquire fork[i+1] timeout 2 else { break }
  get q timeout 1 else { exit }
  if last > 3 { print "{n} {i}" } else { incr n }
  release fork[i+1]
}
"""
"#;

proptest! {
    #![proptest_config(common::proptest_config(256))]

    #[test]
    fn never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = parse("fuzz.toml", &bytes);
    }

    #[test]
    fn never_panics_on_mutations(edits in proptest::collection::vec((any::<usize>(), any::<u8>(), 0u8..3), 1..8)) {
        let mut bytes = VALID.as_bytes().to_vec();
        for (at, byte, how) in edits {
            let at = at % (bytes.len() + 1);
            match how {
                0 => bytes.insert(at, byte),
                1 if at < bytes.len() => { bytes.remove(at); }
                _ if at < bytes.len() => bytes[at] = byte,
                _ => {}
            }
        }
        if let Err(d) = parse("fuzz.toml", &bytes) {
            let _ = d.render(true);
            let _ = d.render(false);
        }
    }
}

#[test]
fn valid_fuzz_seed_parses() {
    assert!(parse("x.toml", VALID.as_bytes()).is_ok());
}

#[test]
fn deep_script_nesting_does_not_panic() {
    let out = script(&"loop {\n".repeat(10_000));
    assert!(out.contains("blocks nested deeper than 64"));
    let out = script(&"{".repeat(10_000));
    assert!(out.contains("expected an operation, found `{`"));
}

#[test]
fn large_expansion_is_accepted_quickly() {
    let body = "acquire fork[i]\ncompute 1\nrelease fork[i]\n".repeat(30);
    let src =
        format!("{DECLS}\n[[task]]\nname = \"w\"\ncount = 10000\nscript = \"\"\"\n{body}\"\"\"\n");
    let start = std::time::Instant::now();
    let s = parse("x.toml", src.as_bytes()).expect("valid");
    assert_eq!(s.tasks.len(), 10_000);
    assert!(start.elapsed().as_secs() < 20);
}

#[test]
fn escapes_in_basic_strings_keep_lines() {
    let src = format!("{DECLS}\n[[task]]\nname = \"t1\"\nscript = \"compute 1\\n\\tfrobnicate\"\n");
    let out = errors(&src);
    assert!(
        out.starts_with("x.toml:22:24: unknown operation `frobnicate`"),
        "{out}"
    );
}

#[test]
fn a_flood_of_errors_shows_the_first_hundred_and_counts_the_rest() {
    let keys: String = (0..5000).map(|i| format!("k{i} = 1\n")).collect();
    let src = format!("[scenario]\nname = \"k\"\n[machine]\n{keys}");
    let d = parse("keys.toml", src.as_bytes()).unwrap_err();
    assert_eq!(d.items.len(), 5000);
    let out = d.render(false);
    assert_eq!(out.matches("unknown key").count(), 100);
    assert!(
        out.contains("keys.toml:103:1:"),
        "the 100th error is on line 103"
    );
    assert!(!out.contains("keys.toml:104:1:"));
    assert!(out.ends_with("error: 5000 errors in keys.toml (the first 100 shown, and 4900 more)\n"));
}
