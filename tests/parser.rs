//! Valid scenarios parse into the expected model values.

use weft::scenario::{
    parse, CmpOp, Cond, Expr, OnTimeout, Op, Operand, Policy, PoolKind, QueueOrder, ResourceKind,
    RwPrefer, Scenario, Start, Stmt, TaskKind, TextPart,
};

fn ok(src: &str) -> Scenario {
    match parse("test.toml", src.as_bytes()) {
        Ok(s) => s,
        Err(d) => panic!("unexpected errors:\n{}", d.render(false)),
    }
}

fn ops(stmts: &[Stmt]) -> Vec<&Op> {
    stmts.iter().map(|s| &s.op).collect()
}

const FULL: &str = r#"
[scenario]
name = "everything"
description = "all tables"

[machine]
cpus = 2
policy = "priority-preemptive"
gil = true

[vars]
counter = 0
balance = 1000

[locks]
A = "mutex"
R = "rlock"
RW = { kind = "rwlock", prefer = "writer" }
fork = { kind = "mutex", count = 5 }

[semaphores]
S = 2
B = { permits = 3, bounded = true }

[conditions]
c = { lock = "A" }

[events]
ready = true

[barriers]
bar = 3

[queues]
q = { capacity = 3, order = "lifo" }

[pools]
pool = { workers = 3, kind = "process" }

[[task]]
name = "t1"
script = """
acquire A timeout 5 else {
  print "gave up on {counter} at {i}"
}
release A
"""

[[task]]
name = "p"
kind = "process"
start = "spawned"
priority = 3
daemon = true
on_timeout = "ignore"

[expect]
outcome = "deadlock"
final = ["counter == 6", "balance>=0"]
"#;

#[test]
fn every_table_parses_with_defaults() {
    let s = ok(FULL);
    assert_eq!(s.name, "everything");
    assert_eq!(s.machine.cpus, 2);
    assert_eq!(s.machine.policy, Policy::PriorityPreemptive);
    assert_eq!(s.machine.quantum, 4);
    assert_eq!(s.machine.max_ticks, 100_000);
    let gil = s.machine.gil_span.expect("gil span");
    assert_eq!(&s.source[gil.start..gil.end], "gil = true");
    assert_eq!(s.vars.len(), 2);
    assert_eq!(s.vars[1].initial, 1000);
    let names: Vec<&str> = s.resources.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "A", "R", "RW", "fork[0]", "fork[1]", "fork[2]", "fork[3]", "fork[4]", "S", "B", "c",
            "ready", "bar", "q", "pool"
        ]
    );
    assert_eq!(
        s.resources[2].kind,
        ResourceKind::RwLock {
            prefer: RwPrefer::Writer
        }
    );
    assert_eq!(
        s.resources[9].kind,
        ResourceKind::Semaphore {
            permits: 3,
            bounded: true
        }
    );
    assert_eq!(s.resources[10].kind, ResourceKind::Condition { lock: 0 });
    assert_eq!(s.resources[11].kind, ResourceKind::Event { set: true });
    assert_eq!(
        s.resources[13].kind,
        ResourceKind::Queue {
            capacity: 3,
            order: QueueOrder::Lifo
        }
    );
    assert_eq!(
        s.resources[14].kind,
        ResourceKind::Pool {
            workers: 3,
            kind: PoolKind::Process
        }
    );
    let t1 = &s.tasks[0];
    assert_eq!(
        (t1.kind, t1.process.as_str(), t1.start, t1.priority),
        (TaskKind::Thread, "main", Start::At(0), 1)
    );
    assert_eq!(
        (t1.daemon, t1.on_timeout, t1.index),
        (false, OnTimeout::Fail, 0)
    );
    let p = &s.tasks[1];
    assert_eq!(
        (p.kind, p.process.as_str(), p.start, p.priority),
        (TaskKind::Process, "p", Start::Spawned, 3)
    );
    assert_eq!((p.daemon, p.on_timeout), (true, OnTimeout::Ignore));
    let expect = s.expect.expect("expect");
    assert_eq!(expect.checks.len(), 2);
    assert_eq!(
        (
            expect.checks[1].terms.clone(),
            expect.checks[1].op,
            expect.checks[1].value
        ),
        (vec![(true, 1)], CmpOp::Ge, 0)
    );
}

#[test]
fn else_block_and_print_parts() {
    let s = ok(FULL);
    let first = &s.tasks[0].script[0];
    assert_eq!(
        first.op,
        Op::Acquire {
            res: 0,
            timeout: Some(5)
        }
    );
    let on_fail = first.on_fail.as_ref().expect("else block");
    assert_eq!(
        on_fail[0].op,
        Op::Print(vec![
            TextPart::Text("gave up on ".into()),
            TextPart::Local(0),
            TextPart::Text(" at ".into()),
            TextPart::Index,
        ])
    );
}

const PHILOSOPHERS: &str = r#"
[scenario]
name = "philosophers"

[locks]
fork = { kind = "mutex", count = 3 }

[[task]]
name = "phil"
count = 3
script = """
# think, then eat
acquire fork[i]
acquire fork[i+1]
compute 2
release fork[i-1]
"""
"#;

#[test]
fn arrays_expand_and_indices_wrap() {
    let s = ok(PHILOSOPHERS);
    let names: Vec<&str> = s.tasks.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["phil[0]", "phil[1]", "phil[2]"]);
    let last = &s.tasks[2];
    assert_eq!(last.index, 2);
    assert_eq!(
        ops(&last.script),
        [
            &Op::Acquire {
                res: 2,
                timeout: None
            },
            &Op::Acquire {
                res: 0,
                timeout: None
            },
            &Op::Compute(2),
            &Op::Release(1),
        ]
    );
    assert_eq!(s.tasks[0].script[3].op, Op::Release(2));
}

#[test]
fn spans_point_at_lines_inside_the_script() {
    let s = ok(PHILOSOPHERS);
    let stmt = &s.tasks[1].script[2];
    assert_eq!(&s.source[stmt.span.start..stmt.span.end], "compute 2");
    assert_eq!(s.line_col(stmt.span.start), (15, 1));
    let second = &s.tasks[0].script[1];
    assert_eq!(s.line_col(second.span.start), (14, 1));
}

const BLOCKS: &str = r#"
[scenario]
name = "blocks"

[vars]
n = 0

[queues]
q = 2

[[task]]
name = "consumer"
script = '''
loop {
  get q timeout 3 else { exit }
  if last == 0 { break }
  repeat 2 {
    if n < 10 {
      incr n
    } else {
      decr n 2
    }
  }
  write n = n + last - 1
  put_nowait q n else {
    yield
  }
}
join q
'''
"#;

#[test]
fn nested_blocks_and_else() {
    let s = ok(BLOCKS);
    let script = &s.tasks[0].script;
    assert_eq!(script.len(), 2);
    assert_eq!(script[1].op, Op::JoinQueue(0));
    let Op::Loop(body) = &script[0].op else {
        panic!("expected a loop")
    };
    assert_eq!(
        body[0].op,
        Op::Get {
            queue: 0,
            timeout: Some(3),
            nowait: false
        }
    );
    assert_eq!(
        body[0].on_fail,
        Some(vec![Stmt {
            op: Op::Exit,
            on_fail: None,
            span: body[0].on_fail.as_ref().unwrap()[0].span
        }])
    );
    let cond = Cond {
        lhs: Operand::Last,
        op: CmpOp::Eq,
        rhs: Operand::Int(0),
    };
    assert!(
        matches!(&body[1].op, Op::If { cond: c, then, otherwise } if *c == cond && then[0].op == Op::Break && otherwise.is_empty())
    );
    let Op::Repeat {
        times: 2,
        body: inner,
    } = &body[2].op
    else {
        panic!("expected repeat 2")
    };
    let Op::If {
        then, otherwise, ..
    } = &inner[0].op
    else {
        panic!("expected if")
    };
    assert_eq!(
        then[0].op,
        Op::Incr {
            var: 0,
            delta: 1,
            atomic: false
        }
    );
    assert_eq!(
        otherwise[0].op,
        Op::Incr {
            var: 0,
            delta: -2,
            atomic: false
        }
    );
    let expr = Expr {
        terms: vec![
            (true, Operand::Local(0)),
            (true, Operand::Last),
            (false, Operand::Int(1)),
        ],
    };
    assert_eq!(body[3].op, Op::Write { var: 0, expr });
    assert!(matches!(
        &body[4].op,
        Op::Put {
            nowait: true,
            value: Some(_),
            ..
        }
    ));
    assert_eq!(s.line_col(body[4].span.start), (25, 3));
}

#[test]
fn coroutines_loops_and_processes() {
    let s = ok(r#"
[scenario]
name = "async"

[[task]]
name = "worker"
kind = "process"
count = 2

[[task]]
name = "helper"
process = "worker[i]"
count = 2

[[task]]
name = "runner"
process = "worker[1]"
script = "run_loop"

[[task]]
name = "co"
kind = "coroutine"
loop = "runner"
script = """
await sleep 2
await co2
"""

[[task]]
name = "co2"
kind = "coroutine"
loop = "runner"
"#);
    assert_eq!(s.tasks[2].process, "worker[0]");
    assert_eq!(s.tasks[3].process, "worker[1]");
    let co = &s.tasks[5];
    assert_eq!((co.event_loop, co.process.as_str()), (Some(4), "worker[1]"));
    assert_eq!(ops(&co.script), [&Op::AwaitSleep(2), &Op::AwaitTask(6)]);
}
