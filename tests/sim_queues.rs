//! Queues on the simulator: capacity, order, blocking and failing puts and
//! gets, hand-over to waiters, timeouts, and `task_done` / `join`.

use crate::common;
use common::{events, report, task};
use weft::event::EventKind;

fn scenario(queue: &str, tasks: &str) -> String {
    format!("[scenario]\nname = \"q\"\n[vars]\nx = 0\nsum = 0\n[queues]\nq = {queue}\n{tasks}")
}

/// The values got from queues, in order.
fn gets(src: &str) -> Vec<i64> {
    let (_, ev) = events(src);
    ev.iter()
        .filter_map(|e| match e.kind {
            EventKind::QueueGet { value, .. } => Some(value),
            _ => None,
        })
        .collect()
}

/// The queue's length after every put and get.
fn lengths(src: &str) -> Vec<u32> {
    let (_, ev) = events(src);
    ev.iter()
        .filter_map(|e| match e.kind {
            EventKind::QueuePut { len, .. } | EventKind::QueueGet { len, .. } => Some(len),
            _ => None,
        })
        .collect()
}

const PUT_3_1_2_THEN_GET_3: &str = r#"
[[task]]
name = "t"
script = """
put q 3
put q 1
put q 2
get q
get q
get q
"""
"#;

#[test]
fn fifo_lifo_and_priority_orders() {
    assert_eq!(
        gets(&scenario(
            "{ capacity = 0, order = \"fifo\" }",
            PUT_3_1_2_THEN_GET_3
        )),
        vec![3, 1, 2]
    );
    assert_eq!(
        gets(&scenario(
            "{ capacity = 0, order = \"lifo\" }",
            PUT_3_1_2_THEN_GET_3
        )),
        vec![2, 1, 3]
    );
    assert_eq!(
        gets(&scenario(
            "{ capacity = 0, order = \"priority\" }",
            PUT_3_1_2_THEN_GET_3
        )),
        vec![1, 2, 3]
    );
}

#[test]
fn put_without_a_value_puts_increasing_numbers() {
    let src = scenario(
        "{ capacity = 0 }",
        "[[task]]\nname = \"t\"\nscript = \"\"\"\nrepeat 3 {\n  put q\n}\nrepeat 3 {\n  get q\n}\n\"\"\"\n",
    );
    assert_eq!(gets(&src), vec![1, 2, 3]);
}

#[test]
fn a_full_queue_blocks_the_producer_until_a_get_frees_space() {
    let src = scenario(
        "{ capacity = 2 }",
        r#"
[[task]]
name = "producer"
script = """
repeat 4 {
  put q
}
"""
[[task]]
name = "consumer"
script = """
sleep 5
repeat 4 {
  get q
  compute 1
}
"""
"#,
    );
    let r = report(&src);
    assert_eq!(r.outcome, Some("completed"));
    assert_eq!(r.queues[0].max_len, 2);
    assert_eq!((r.queues[0].puts, r.queues[0].gets), (4, 4));
    // The producer blocks at 0 on the third put; the get at 5 lets its item
    // in. It then waits for the CPU until the consumer blocks on the empty
    // queue at 8, and its last item goes straight to the waiting consumer.
    let producer = task(&r, "producer");
    assert_eq!((producer.ticks.blocked, producer.ticks.ready), (5, 3));
    assert_eq!(lengths(&src), vec![1, 2, 1, 2, 1, 0, 1, 0]);
}

#[test]
fn a_blocked_get_receives_the_next_item_as_it_is_put() {
    let src = scenario(
        "{ capacity = 1 }",
        r#"
[[task]]
name = "c1"
script = """
get q
write x = last
"""
[[task]]
name = "c2"
script = """
get q
write sum = last
"""
[[task]]
name = "p"
start = 2
script = """
put q 10
put q 20
"""
"#,
    );
    let r = report(&src);
    assert_eq!(r.outcome, Some("completed"));
    assert_eq!((r.vars["x"], r.vars["sum"]), (10, 20));
    assert_eq!(r.queues[0].max_len, 1);
    assert_eq!(r.queues[0].final_len, 0);
}

#[test]
fn put_nowait_on_a_full_queue_fails_with_full() {
    let src = scenario(
        "{ capacity = 1 }",
        "[[task]]\nname = \"t\"\nscript = \"\"\"\nput q\nput_nowait q\n\"\"\"\n",
    );
    let r = report(&src);
    assert_eq!(r.outcome, Some("failed"));
    assert_eq!(
        task(&r, "t").failure.as_deref(),
        Some("queue.Full: q is full")
    );
    assert_eq!(r.queues[0].final_len, 1);
}

#[test]
fn get_nowait_on_an_empty_queue_runs_the_else_block() {
    let src = scenario(
        "{ capacity = 1 }",
        "[[task]]\nname = \"t\"\nscript = \"\"\"\nget_nowait q else {\n  write x = 99\n}\n\"\"\"\n",
    );
    let r = report(&src);
    assert_eq!(r.outcome, Some("completed"));
    assert_eq!(r.vars["x"], 99);
}

#[test]
fn get_with_timeout_gives_up_with_empty() {
    let src = scenario(
        "{ capacity = 1 }",
        "[[task]]\nname = \"t\"\nscript = \"get q timeout 4\"\n",
    );
    let r = report(&src);
    assert_eq!(r.outcome, Some("failed"));
    assert_eq!(task(&r, "t").finish, Some(4));
    assert_eq!(
        task(&r, "t").failure.as_deref(),
        Some("queue.Empty: q is empty")
    );
}

#[test]
fn a_consumer_on_an_empty_queue_with_no_producer_left_stalls() {
    let src = scenario(
        "{ capacity = 2 }",
        r#"
[[task]]
name = "producer"
script = "put q"
[[task]]
name = "consumer"
script = """
get q
get q
"""
"#,
    );
    let r = report(&src);
    assert_eq!(r.outcome, Some("stalled"));
    assert!(r.deadlocks.is_empty());
    assert_eq!(task(&r, "consumer").blocked_on.as_deref(), Some("q"));
}

#[test]
fn join_on_a_queue_waits_until_every_item_is_marked_done() {
    let src = scenario(
        "{ capacity = 0 }",
        r#"
[[task]]
name = "producer"
script = """
put q
put q
join q
write x = 1
"""
[[task]]
name = "worker"
script = """
repeat 2 {
  get q
  compute 3
  task_done q
}
"""
"#,
    );
    let r = report(&src);
    assert_eq!(r.outcome, Some("completed"));
    assert_eq!(r.vars["x"], 1);
    assert_eq!(task(&r, "producer").finish, Some(6));
    assert_eq!(task(&r, "producer").ticks.blocked, 6);
}

#[test]
fn task_done_more_than_put_is_a_value_error() {
    let src = scenario(
        "{ capacity = 0 }",
        "[[task]]\nname = \"t\"\nscript = \"task_done q\"\n",
    );
    let r = report(&src);
    assert!(task(&r, "t")
        .failure
        .clone()
        .unwrap()
        .starts_with("ValueError"));
}

#[test]
fn the_queue_never_exceeds_its_capacity_under_many_producers() {
    let src = scenario(
        "{ capacity = 3 }",
        r#"
[machine]
cpus = 3
[[task]]
name = "p"
count = 4
script = """
repeat 5 {
  put q
  compute 1
}
"""
[[task]]
name = "c"
count = 2
script = """
repeat 10 {
  get q
  compute 2
}
"""
"#,
    );
    assert!(lengths(&src).into_iter().all(|l| l <= 3));
    let r = report(&src);
    assert_eq!(r.outcome, Some("completed"));
    assert_eq!((r.queues[0].puts, r.queues[0].gets), (20, 20));
}
