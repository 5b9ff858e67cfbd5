//! A trace is input like a scenario: its header's numbers stay within the
//! scenario limits, its ids within the header's tables, its lines within a
//! length; anything else is an error with its line, in bounded time and memory.

use std::io::{BufReader, Read};

use crate::common;

fn lines() -> Vec<String> {
    common::lesson_trace_lines("bounded_queue.toml")
}

fn error_of(lines: &[String]) -> String {
    match weft::trace::read(lines.join("\n").as_bytes(), false) {
        Ok(_) => panic!("read a bad trace"),
        Err(e) => e.to_string(),
    }
}

fn with_header(edit: impl Fn(&mut serde_json::Value)) -> Vec<String> {
    let mut l = lines();
    let mut h: serde_json::Value = serde_json::from_str(&l[0]).unwrap();
    edit(&mut h["catalog"]);
    l[0] = h.to_string();
    l
}

#[test]
fn a_good_trace_reads() {
    assert!(weft::trace::read(lines().join("\n").as_bytes(), false).is_ok());
}

#[test]
fn header_numbers_past_the_scenario_limits_are_refused_on_line_1() {
    let cases: [(&str, serde_json::Value); 4] = [
        ("cpus", 4_294_967_295u64.into()),
        ("cpus", 0.into()),
        ("max_ticks", 100_000_000_000u64.into()),
        ("quantum", 0.into()),
    ];
    for (key, value) in cases {
        let err = error_of(&with_header(|c| c[key] = value.clone()));
        assert!(err.starts_with("line 1: the header's"), "{key}: {err}");
        assert!(err.contains(key), "{err}");
    }
}

#[test]
fn header_references_out_of_range_are_refused() {
    let err = error_of(&with_header(|c| c["tasks"][0]["proc"] = 7.into()));
    assert!(
        err.contains("line 1") && err.contains("process of task 0"),
        "{err}"
    );
    let err = error_of(&with_header(|c| {
        c["tasks"][0]["script"]["pc_line"][0] = 999.into()
    }));
    assert!(err.contains("script line"), "{err}");
}

#[test]
fn every_kind_of_id_in_an_event_is_checked_against_the_header() {
    let edits: [(&str, usize, u64, &str); 5] = [
        ("\"queue_put\"", 3, 99, "resource 99"),
        ("\"var_write\"", 3, 42, "variable 42"),
        ("\"running\"", 4, 9, "cpu 9"),
        ("\"pc\"", 3, 5000, "instruction 5000"),
        ("\"state\"", 2, 77, "task 77"),
    ];
    for (tag, field, value, said) in edits {
        let mut l = lines();
        let at = l.iter().position(|x| x.contains(tag)).unwrap();
        let mut e: serde_json::Value = serde_json::from_str(&l[at]).unwrap();
        e[field] = value.into();
        l[at] = e.to_string();
        let err = error_of(&l);
        assert!(
            err.starts_with(&format!("line {}:", at + 1)) && err.contains(said),
            "{tag}: {err}"
        );
    }
}

#[test]
fn endless_input_is_refused_after_a_bounded_read() {
    let zeros = BufReader::new(std::io::repeat(0).take(u64::MAX));
    let err = weft::trace::read(zeros, false).err().map(|e| e.to_string());
    assert!(err.is_some_and(|e| e.contains("line 1") && e.contains("not a weft trace")));
    let header = lines().remove(0) + "\n";
    let endless = std::io::Read::chain(header.as_bytes(), std::io::repeat(b'[').take(u64::MAX));
    let err = weft::trace::read(BufReader::new(endless), false)
        .err()
        .map(|e| e.to_string());
    assert!(err.is_some_and(|e| e.contains("line 2") && e.contains("longer than")));
}

#[test]
fn an_overlong_event_line_is_an_error_with_its_line() {
    let mut l = lines();
    l.insert(3, "x".repeat(weft::limits::MAX_TRACE_LINE + 10));
    let err = error_of(&l);
    assert!(
        err.starts_with("line 4:") && err.contains("longer than"),
        "{err}"
    );
}

#[test]
fn a_trace_is_empty_until_its_first_event() {
    let t =
        common::trace("[scenario]\nname = \"x\"\n[[task]]\nname = \"t\"\nscript = \"compute 1\"\n");
    assert!(!t.is_empty());
    assert_eq!(t.len(), t.events().len());
    let empty = weft::trace::Trace::new(t.catalog.clone());
    assert!(empty.is_empty());
    assert_eq!(empty.len(), 0);
}
