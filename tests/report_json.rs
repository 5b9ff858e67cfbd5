//! The JSON report's sections for every primitive, from literal events:
//! semaphores, rwlocks, conditions, events, barriers, pools, GILs,
//! processes and the rule of a deadlock. Field names and absent values
//! (null) as CLI.md asks.

use crate::literal;

use literal::{scenes, Literal};
use serde_json::{json, Value};
use weft::report::{render_text, Report};

fn report(l: &Literal) -> Value {
    serde_json::to_value(Report::from_trace(&l.trace())).unwrap()
}

#[test]
fn semaphores_list_permits_holders_and_waiters() {
    let v = report(&scenes::semaphore());
    assert_eq!(
        v["semaphores"][0],
        json!({
            "name": "slots", "permits": 2, "bounded": false, "left": 0,
            "holders": [{"task": "w1", "permits": 1}, {"task": "w2", "permits": 1}],
            "waiters": ["w3", "w4"]
        })
    );
    assert_eq!(v["semaphores"][1]["bounded"], true);
    assert_eq!(
        v["semaphores"][1]["holders"],
        json!([{"task": "w1", "permits": 2}])
    );
    assert_eq!(v["locks"], json!([]), "a semaphore is not a lock");
    let held = &v["tasks"][0]["held"];
    assert_eq!(held, &json!(["slots", "gate"]), "permits count as held");
}

#[test]
fn rwlocks_list_writer_readers_and_waiting_modes() {
    let v = report(&scenes::rwlock());
    assert_eq!(
        v["rwlocks"][0],
        json!({
            "name": "db", "prefer": "writer", "writer": null, "readers": ["r1", "r2"],
            "waiters": [{"task": "writer", "mode": "write"}, {"task": "r3", "mode": "read"}]
        })
    );
}

#[test]
fn conditions_count_lost_notifies() {
    let v = report(&scenes::condition());
    assert_eq!(
        v["conditions"][0],
        json!({"name": "c", "lock": "L", "waiters": ["consumer"], "notifies": 1, "lost_notifies": 1})
    );
}

#[test]
fn events_and_barriers() {
    let v = report(&scenes::event());
    assert_eq!(
        v["events"],
        json!([
            {"name": "ready", "set": false, "waiters": ["a", "b"], "sets": 1},
            {"name": "go", "set": true, "waiters": [], "sets": 0}
        ])
    );
    let v = report(&scenes::barrier());
    assert_eq!(
        v["barriers"][0],
        json!({"name": "sync", "parties": 3, "arrived": 2, "waiting": ["p1", "p2"],
               "broken": false, "rounds": 1})
    );
}

#[test]
fn pools_list_busy_workers_queue_and_jobs_done() {
    let v = report(&scenes::pool());
    assert_eq!(
        v["pools"][0],
        json!({
            "name": "workers", "kind": "thread", "workers": 2,
            "busy": [{"worker": 0, "job": "j2"}, {"worker": 1, "job": "j1"}],
            "queued": ["j3", "j4"], "jobs_done": 1, "closed": true
        })
    );
}

#[test]
fn processes_keep_their_own_variables_and_gils_count_handovers() {
    let v = report(&scenes::gil());
    assert_eq!(v["vars"], json!({"x": 2}), "vars stays main's copy");
    assert_eq!(
        v["processes"],
        json!([{"name": "main", "vars": {"x": 2}}, {"name": "worker", "vars": {"x": 10}}])
    );
    assert_eq!(
        v["gil"][0],
        json!({"process": "main", "name": "GIL", "holder": "t1", "handovers": 2, "acquisitions": 3})
    );
    assert_eq!(v["gil"][1]["holder"], "worker");
    assert_eq!(
        v["tasks"][0]["held"],
        json!([]),
        "the GIL is weft's own, not held"
    );
    let names: Vec<&str> = v["locks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap())
        .collect();
    assert!(names.is_empty(), "GILs are not in locks: {names:?}");
}

#[test]
fn a_knot_deadlock_carries_its_rule_in_json_and_text() {
    let l = scenes::knot();
    let v = report(&l);
    assert_eq!(v["outcome"], "deadlock");
    assert_eq!(v["deadlocks"][0]["rule"], "knot");
    assert_eq!(v["deadlocks"][0]["cycle"][0]["waits_for"], "q");
    let text = render_text(&Report::from_trace(&l.trace()), false);
    assert!(
        text.contains("knot at tick 1: consumer -[q]-> producer; producer -[L]-> consumer"),
        "{text}"
    );
}

#[test]
fn the_text_report_has_a_line_per_primitive() {
    let text = render_text(&Report::from_trace(&scenes::pool().trace()), false);
    assert!(
        text.contains(
            "pool workers (thread, 2 workers, closed): 1 jobs done; busy 0:j2 1:j1; queued: j3 j4"
        ),
        "{text}"
    );
    let text = render_text(&Report::from_trace(&scenes::gil().trace()), false);
    assert!(text.contains("variables of worker: x = 10"), "{text}");
    assert!(text.contains("GIL of main: 2 handovers"), "{text}");
}

#[test]
fn a_process_pool_job_reports_its_workers_process() {
    let mut l = scenes::pool();
    let pool = &mut l.cat.resources[0];
    pool.mode = Some("process".into());
    pool.process = Some(1);
    for k in 0..2 {
        l.cat.processes.push(weft::event::ProcessInfo {
            name: format!("workers[{k}]"),
            worker: Some((weft::event::ResourceId(0), k)),
            ..weft::event::ProcessInfo::default()
        });
    }
    let v = report(&l);
    let process = |name: &str| {
        v["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == name)
            .map(|t| t["process"].clone())
            .unwrap()
    };
    assert_eq!(process("j1"), "workers[1]");
    assert_eq!(process("j2"), "workers[0]", "j2 took worker 0 after j0");
    assert_eq!(process("j3"), "main", "not started: the catalog's process");
    assert_eq!(v["pools"][0]["kind"], "process");
    assert_eq!(v["processes"].as_array().unwrap().len(), 3);
}

#[test]
fn locks_give_the_total_and_the_longest_wait_and_a_sim_report_no_live_fields() {
    // t1 holds m for 3 ticks of compute; t2 asks for it at tick 0 and gets
    // it at 3; t3 asks at tick 1 (after a sleep) and gets it once t2 has
    // computed 2 more ticks, at 5: waits of 3 and 4 ticks.
    let src = r#"
[scenario]
name = "waits"
[machine]
cpus = 3
[locks]
m = "mutex"
[[task]]
name = "t1"
script = """
acquire m
compute 3
release m
"""
[[task]]
name = "t2"
script = """
acquire m
compute 2
release m
"""
[[task]]
name = "t3"
script = """
sleep 1
acquire m
release m
"""
"#;
    let r = serde_json::to_value(crate::common::report(src)).unwrap();
    let m = &r["locks"][0];
    assert_eq!(m["contentions"], 2, "{m}");
    assert_eq!(m["total_wait"], 7, "{m}");
    assert_eq!(m["longest_wait"], 4, "{m}");
    assert_eq!(r["tick_ns"], 10_000_000, "a tick of 10ms");
    assert!(r.get("dropped_events").is_none(), "a sim run drops nothing");
    assert!(r["tasks"][0].get("os_id").is_none());
    let text = render_text(&crate::common::report(src), false);
    assert!(
        text.contains("2 contended; waited 7 ticks in all, 4 at most"),
        "{text}"
    );
}

#[test]
fn a_live_trace_counts_its_dropped_events() {
    let trace = concat!(
        r#"{"weft_trace":1,"catalog":{"scenario":"prog","description":"","path":"weft::sync","#,
        r#""engine":"live","seed":0,"cpus":256,"policy":"os","quantum":1,"tick_label":"1ms","#,
        r#""max_ticks":1000000,"tasks":[],"resources":[],"vars":[],"#,
        r#""processes":[{"name":"main","task":null,"worker":null,"gil":null}],"#,
        r#""gil":false,"switch_interval":0,"switch_cost":0,"expect":null}}"#,
        "\n",
        r#"{"task":{"name":"main","kind":"thread","process":"main","priority":0,"daemon":false,"script":{"first_line":0,"lines":[],"pc_line":[]},"proc":0}}"#,
        "\n",
        r#"{"os_id":{"task":0,"id":4242}}"#,
        "\n[0,\"state\",0,\"ready\"]\n[0,\"state\",0,\"running\",0]\n",
        r#"{"dropped_events":5}"#,
        "\n",
        r#"{"dropped_events":12}"#,
        "\n[3,\"state\",0,\"done\"]\n[3,\"end\",\"completed\"]\n",
    );
    let t = weft::trace::read(trace.as_bytes(), false).unwrap();
    assert_eq!(t.dropped_events, 12, "the latest count holds");
    let r = serde_json::to_value(Report::from_trace(&t)).unwrap();
    assert_eq!(r["dropped_events"], 12);
    assert_eq!(r["tasks"][0]["os_id"], 4242);
    assert_eq!(r["tick_ns"], 1_000_000);
    let text = render_text(&Report::from_trace(&t), false);
    assert!(text.contains("12 events were dropped"), "{text}");
    // An OS id for a task never declared is a located error.
    let bad = trace.replace(r#"{"os_id":{"task":0,"#, r#"{"os_id":{"task":7,"#);
    match weft::trace::read(bad.as_bytes(), false) {
        Err(weft::trace::TraceError::Bad { line, message }) => {
            assert_eq!(line, 3);
            assert!(message.contains("task 7"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}
