//! Scenarios generated structurally from `arbitrary` values: machine keys,
//! every kind of resource table, tasks of every kind with scripts of every
//! operation of the scenario language, written out as TOML text. Names are
//! drawn from small pools so that most references resolve and many
//! scenarios validate and run.

use std::fmt::Write;

use arbitrary::{Arbitrary, Result, Unstructured};

/// Numbers that sit on or past a limit.
pub const EXTREMES: [&str; 12] = [
    "0",
    "-1",
    "1",
    "2147483648",
    "9223372036854775807",
    "1000000001",
    "1000000000",
    "-9223372036854775808",
    "4294967296",
    "10001",
    "1000001",
    "18446744073709551616",
];

/// A number: mostly small, sometimes large, sometimes extreme.
#[derive(Debug, Clone, Copy)]
pub struct Num(i64, Option<&'static str>);

impl<'a> Arbitrary<'a> for Num {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let pick: u8 = u.arbitrary()?;
        let value: u16 = u.arbitrary()?;
        Ok(match pick {
            0..=199 => Num(i64::from(value % 6), None),
            200..=239 => Num(i64::from(value % 1000), None),
            _ => Num(0, Some(EXTREMES[usize::from(value) % EXTREMES.len()])),
        })
    }
}

impl std::fmt::Display for Num {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.1 {
            Some(s) => f.write_str(s),
            None => write!(f, "{}", self.0),
        }
    }
}

/// A key of `[machine]`.
#[derive(Debug, Arbitrary)]
enum MachineKey {
    Cpus(Num),
    Policy(u8),
    Quantum(Num),
    Gil(bool),
    SwitchInterval(Num),
    SwitchCost(Num),
    Preempt(u8),
    Seed(Num),
    Tick(u8),
    MaxTicks(Num),
    Unknown,
}

/// A lock: its kind, its rwlock preference, and an array count.
#[derive(Debug, Arbitrary)]
struct LockDecl(u8, u8, Option<Num>);

/// A queue: capacity, order, count.
#[derive(Debug, Arbitrary)]
struct QueueDecl(Option<Num>, u8, Option<Num>);

/// A name used by an operation: which one of its kind, and how.
#[derive(Debug, Arbitrary, Clone, Copy)]
struct Ref(u8, u8);

/// A check of `[expect] final`: a variable, a comparison, a number.
type FinalCheck = (u8, u8, Num);

/// A condition of `if`.
#[derive(Debug, Arbitrary)]
struct Cond(u8, u8, Num);

/// One operation of a script (blocks nest).
#[derive(Debug, Arbitrary)]
enum Op {
    Compute(Num),
    Sleep(Num),
    Io(Num),
    Yield,
    Acquire(Ref, Option<Num>),
    AcquireRead(Ref, Option<Num>),
    Release(Ref),
    ReleaseRead(Ref),
    Wait(Ref, Option<Num>),
    Notify(Ref, Option<Num>),
    NotifyAll(Ref),
    Set(Ref),
    Clear(Ref),
    Put(Ref, Option<Num>, Option<Num>),
    PutNowait(Ref, Option<Num>),
    Get(Ref, Option<Num>),
    GetNowait(Ref),
    TaskDone(Ref),
    JoinQueue(Ref),
    Spawn(Ref),
    Join(Ref),
    Terminate(Ref),
    Read(Ref),
    Write(Ref, Ref, i8),
    Incr(Ref, Option<Num>),
    Decr(Ref, Option<Num>),
    AtomicIncr(Ref, Option<Num>),
    Print(u8),
    AwaitSleep(Num),
    Await(Ref),
    RunLoop,
    Repeat(Num, Body),
    Loop(Body),
    Break,
    If(Cond, Body, Option<Body>),
    Exit,
    Restart,
    Else(Inner, Body),
    Garbage(u8),
}

/// A block's statements. Generation nests at most [`MAX_DEPTH`] blocks
/// deep: `arbitrary` recurses once per level, and a few kilobytes of data
/// could otherwise nest thousands deep and overflow the stack.
#[derive(Debug, Default)]
struct Body(Vec<Op>);

/// The deepest nesting generated, past weft's own limit of 64.
const MAX_DEPTH: usize = 80;

thread_local! {
    static DEPTH: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

impl<'a> Arbitrary<'a> for Body {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let depth = DEPTH.with(|d| d.get());
        if depth >= MAX_DEPTH {
            return Ok(Body::default());
        }
        DEPTH.with(|d| d.set(depth + 1));
        let ops = Vec::<Op>::arbitrary(u);
        DEPTH.with(|d| d.set(depth));
        ops.map(Body)
    }
}

/// The operation before an `else`, nested under the same depth bound.
#[derive(Debug)]
struct Inner(Box<Op>);

impl<'a> Arbitrary<'a> for Inner {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let depth = DEPTH.with(|d| d.get());
        if depth >= MAX_DEPTH {
            return Ok(Inner(Box::new(Op::Yield)));
        }
        DEPTH.with(|d| d.set(depth + 1));
        let op = Op::arbitrary(u);
        DEPTH.with(|d| d.set(depth));
        op.map(|op| Inner(Box::new(op)))
    }
}

impl std::ops::Deref for Body {
    type Target = [Op];
    fn deref(&self) -> &[Op] {
        &self.0
    }
}

/// A `[[task]]`.
#[derive(Debug, Arbitrary)]
struct TaskDecl {
    kind: u8,
    process: Option<u8>,
    event_loop: Option<u8>,
    pool: Option<u8>,
    start: Option<Num>,
    spawned: bool,
    priority: Option<Num>,
    daemon: Option<bool>,
    count: Option<Num>,
    on_timeout: Option<bool>,
    script: Body,
}

/// A whole scenario, before it is written out.
#[derive(Debug, Arbitrary)]
pub struct GenScenario {
    named: bool,
    machine: Vec<MachineKey>,
    vars: Vec<Num>,
    locks: Vec<LockDecl>,
    semaphores: Vec<(Num, Option<bool>)>,
    conditions: Vec<u8>,
    events: Vec<bool>,
    barriers: Vec<Num>,
    queues: Vec<QueueDecl>,
    pools: Vec<(Num, bool)>,
    tasks: Vec<TaskDecl>,
    expect: Option<(u8, Vec<FinalCheck>)>,
}

const POLICIES: [&str; 8] = [
    "fifo",
    "rr",
    "sjf",
    "srtf",
    "priority",
    "priority-preemptive",
    "random",
    "lottery",
];
const OPS: [&str; 6] = ["==", "!=", "<", "<=", ">", ">="];
const OUTCOMES: [&str; 6] = [
    "completed",
    "deadlock",
    "stalled",
    "failed",
    "timeout",
    "done",
];

/// The names declared, by kind, as the script writer picks from them.
struct Names {
    vars: usize,
    locks: usize,
    sems: usize,
    conds: usize,
    events: usize,
    barriers: usize,
    queues: usize,
    pools: usize,
    tasks: usize,
}

impl Names {
    /// Writes a name of one of `classes` (a prefix and how many there are),
    /// or, now and then, of any kind, undeclared, or an array element.
    fn pick(&self, r: Ref, classes: &[(&str, usize)]) -> String {
        let all = self.all();
        let (prefix, n) = match r.1 % 16 {
            0 => all[usize::from(r.0) % all.len()],
            1 => ("nosuch", 1),
            _ => classes[usize::from(r.1) % classes.len()],
        };
        let base = format!("{prefix}{}", usize::from(r.0) % n.max(1));
        match r.1 % 23 {
            2 => format!("{base}[i]"),
            3 => format!("{base}[i+1]"),
            4 => format!("{base}[{}]", r.0),
            _ => base,
        }
    }

    fn all(&self) -> [(&'static str, usize); 9] {
        [
            ("v", self.vars),
            ("L", self.locks),
            ("S", self.sems),
            ("C", self.conds),
            ("E", self.events),
            ("B", self.barriers),
            ("Q", self.queues),
            ("P", self.pools),
            ("t", self.tasks),
        ]
    }
}

impl GenScenario {
    /// The scenario as TOML text.
    pub fn to_toml(&self) -> String {
        let mut out = String::new();
        if self.named {
            out.push_str("[scenario]\nname = \"generated\"\n");
        }
        self.write_machine(&mut out);
        self.write_resources(&mut out);
        let names = Names {
            vars: self.vars.len(),
            locks: self.locks.len(),
            sems: self.semaphores.len(),
            conds: self.conditions.len(),
            events: self.events.len(),
            barriers: self.barriers.len(),
            queues: self.queues.len(),
            pools: self.pools.len(),
            tasks: self.tasks.len(),
        };
        for (i, t) in self.tasks.iter().enumerate() {
            write_task(&mut out, i, t, &names);
        }
        if let Some((outcome, finals)) = &self.expect {
            let _ = writeln!(
                out,
                "[expect]\noutcome = \"{}\"",
                OUTCOMES[usize::from(*outcome) % OUTCOMES.len()]
            );
            let checks: Vec<String> = finals
                .iter()
                .map(|(v, op, n)| {
                    format!(
                        "\"v{} {} {n}\"",
                        usize::from(*v) % self.vars.len().max(1),
                        OPS[usize::from(*op) % OPS.len()]
                    )
                })
                .collect();
            let _ = writeln!(out, "final = [{}]", checks.join(", "));
        }
        out
    }

    fn write_machine(&self, out: &mut String) {
        if self.machine.is_empty() {
            return;
        }
        out.push_str("[machine]\n");
        for key in &self.machine {
            let _ = match key {
                MachineKey::Cpus(n) => writeln!(out, "cpus = {n}"),
                MachineKey::Policy(p) => writeln!(
                    out,
                    "policy = \"{}\"",
                    POLICIES[usize::from(*p) % POLICIES.len()]
                ),
                MachineKey::Quantum(n) => writeln!(out, "quantum = {n}"),
                MachineKey::Gil(b) => writeln!(out, "gil = {b}"),
                MachineKey::SwitchInterval(n) => writeln!(out, "switch_interval = {n}"),
                MachineKey::SwitchCost(n) => writeln!(out, "switch_cost = {n}"),
                MachineKey::Preempt(p) => writeln!(out, "preempt = {}", f64::from(*p) / 200.0),
                MachineKey::Seed(n) => writeln!(out, "seed = {n}"),
                MachineKey::Tick(t) => writeln!(out, "tick = \"{}ms\"", t),
                MachineKey::MaxTicks(n) => writeln!(out, "max_ticks = {n}"),
                MachineKey::Unknown => writeln!(out, "cores = 2"),
            };
        }
    }

    fn write_resources(&self, out: &mut String) {
        table(out, "vars", &self.vars, |o, i, n| {
            let _ = writeln!(o, "v{i} = {n}");
        });
        table(
            out,
            "locks",
            &self.locks,
            |o, i, LockDecl(kind, prefer, count)| {
                let kind = ["mutex", "rlock", "rwlock", "spinlock"][usize::from(*kind) % 4];
                let prefer = ["fair", "reader", "writer", "none"][usize::from(*prefer) % 4];
                let _ = match (kind, count) {
                    ("rwlock", _) => {
                        writeln!(o, "L{i} = {{ kind = \"rwlock\", prefer = \"{prefer}\" }}")
                    }
                    (_, Some(n)) => writeln!(o, "L{i} = {{ kind = \"{kind}\", count = {n} }}"),
                    (_, None) => writeln!(o, "L{i} = \"{kind}\""),
                };
            },
        );
        table(out, "semaphores", &self.semaphores, |o, i, (n, bounded)| {
            let _ = match bounded {
                Some(b) => writeln!(o, "S{i} = {{ permits = {n}, bounded = {b} }}"),
                None => writeln!(o, "S{i} = {n}"),
            };
        });
        let locks = self.locks.len().max(1);
        table(out, "conditions", &self.conditions, |o, i, l| {
            let _ = writeln!(o, "C{i} = {{ lock = \"L{}\" }}", usize::from(*l) % locks);
        });
        table(out, "events", &self.events, |o, i, b| {
            let _ = writeln!(o, "E{i} = {b}");
        });
        table(out, "barriers", &self.barriers, |o, i, n| {
            let _ = writeln!(o, "B{i} = {n}");
        });
        table(
            out,
            "queues",
            &self.queues,
            |o, i, QueueDecl(cap, order, count)| {
                let order = ["fifo", "lifo", "priority", "random"][usize::from(*order) % 4];
                let _ = write!(o, "Q{i} = {{ order = \"{order}\"");
                if let Some(c) = cap {
                    let _ = write!(o, ", capacity = {c}");
                }
                if let Some(c) = count {
                    let _ = write!(o, ", count = {c}");
                }
                o.push_str(" }\n");
            },
        );
        table(out, "pools", &self.pools, |o, i, (n, process)| {
            let kind = if *process { "process" } else { "thread" };
            let _ = writeln!(o, "P{i} = {{ workers = {n}, kind = \"{kind}\" }}");
        });
    }
}

/// Writes `[name]` and one line per item, unless there are none.
fn table<T>(
    out: &mut String,
    name: &str,
    items: &[T],
    mut line: impl FnMut(&mut String, usize, &T),
) {
    if items.is_empty() {
        return;
    }
    let _ = writeln!(out, "[{name}]");
    for (i, item) in items.iter().enumerate() {
        line(out, i, item);
    }
}

fn write_task(out: &mut String, i: usize, t: &TaskDecl, names: &Names) {
    let kind = ["thread", "process", "coroutine", "fiber"][usize::from(t.kind) % 4];
    let _ = writeln!(out, "[[task]]\nname = \"t{i}\"\nkind = \"{kind}\"");
    let tasks = names.tasks.max(1);
    if let Some(p) = t.process {
        let _ = writeln!(out, "process = \"t{}\"", usize::from(p) % tasks);
    }
    if let Some(l) = t.event_loop {
        let _ = writeln!(out, "loop = \"t{}\"", usize::from(l) % tasks);
    }
    if let Some(p) = t.pool {
        let _ = writeln!(out, "pool = \"P{}\"", usize::from(p) % names.pools.max(1));
    }
    match (t.spawned, t.start) {
        (true, _) => out.push_str("start = \"spawned\"\n"),
        (false, Some(n)) => {
            let _ = writeln!(out, "start = {n}");
        }
        _ => {}
    }
    if let Some(n) = t.priority {
        let _ = writeln!(out, "priority = {n}");
    }
    if let Some(d) = t.daemon {
        let _ = writeln!(out, "daemon = {d}");
    }
    if let Some(n) = t.count {
        let _ = writeln!(out, "count = {n}");
    }
    if let Some(ignore) = t.on_timeout {
        let v = if ignore { "ignore" } else { "fail" };
        let _ = writeln!(out, "on_timeout = \"{v}\"");
    }
    out.push_str("script = \"\"\"\n");
    write_ops(out, &t.script, names, 0);
    out.push_str("\"\"\"\n");
}

fn write_ops(out: &mut String, ops: &[Op], names: &Names, depth: usize) {
    for op in ops {
        out.push_str(&"  ".repeat(depth.min(80)));
        write_op(out, op, names, depth);
        out.push('\n');
    }
}

fn timeout(n: &Option<Num>) -> String {
    n.map(|n| format!(" timeout {n}")).unwrap_or_default()
}

fn opt(n: &Option<Num>) -> String {
    n.map(|n| format!(" {n}")).unwrap_or_default()
}

fn write_op(out: &mut String, op: &Op, names: &Names, depth: usize) {
    let lock = [("L", names.locks), ("S", names.sems)];
    let rw = [("L", names.locks)];
    let waitable = [
        ("C", names.conds),
        ("E", names.events),
        ("B", names.barriers),
    ];
    let cond = [("C", names.conds)];
    let event = [("E", names.events)];
    let queue = [("Q", names.queues)];
    let task = [("t", names.tasks), ("P", names.pools)];
    let var = [("v", names.vars)];
    let n = |r: &Ref, c: &[(&str, usize)]| names.pick(*r, c);
    let _ = match op {
        Op::Compute(k) => write!(out, "compute {k}"),
        Op::Sleep(k) => write!(out, "sleep {k}"),
        Op::Io(k) => write!(out, "io {k}"),
        Op::Yield => write!(out, "yield"),
        Op::Acquire(r, t) => write!(out, "acquire {}{}", n(r, &lock), timeout(t)),
        Op::AcquireRead(r, t) => write!(out, "acquire_read {}{}", n(r, &rw), timeout(t)),
        Op::Release(r) => write!(out, "release {}", n(r, &lock)),
        Op::ReleaseRead(r) => write!(out, "release_read {}", n(r, &rw)),
        Op::Wait(r, t) => write!(out, "wait {}{}", n(r, &waitable), timeout(t)),
        Op::Notify(r, k) => write!(out, "notify {}{}", n(r, &cond), opt(k)),
        Op::NotifyAll(r) => write!(out, "notify_all {}", n(r, &cond)),
        Op::Set(r) => write!(out, "set {}", n(r, &event)),
        Op::Clear(r) => write!(out, "clear {}", n(r, &event)),
        Op::Put(r, v, t) => write!(out, "put {}{}{}", n(r, &queue), opt(v), timeout(t)),
        Op::PutNowait(r, v) => write!(out, "put_nowait {}{}", n(r, &queue), opt(v)),
        Op::Get(r, t) => write!(out, "get {}{}", n(r, &queue), timeout(t)),
        Op::GetNowait(r) => write!(out, "get_nowait {}", n(r, &queue)),
        Op::TaskDone(r) => write!(out, "task_done {}", n(r, &queue)),
        Op::JoinQueue(r) => write!(out, "join {}", n(r, &queue)),
        Op::Spawn(r) => write!(out, "spawn {}", n(r, &task)),
        Op::Join(r) => write!(out, "join {}", n(r, &task)),
        Op::Terminate(r) => write!(out, "terminate {}", n(r, &task)),
        Op::Read(r) => write!(out, "read {}", n(r, &var)),
        Op::Write(r, s, k) => write!(out, "write {} = {} + {k}", n(r, &var), n(s, &var)),
        Op::Incr(r, k) => write!(out, "incr {}{}", n(r, &var), opt(k)),
        Op::Decr(r, k) => write!(out, "decr {}{}", n(r, &var), opt(k)),
        Op::AtomicIncr(r, k) => write!(out, "atomic_incr {}{}", n(r, &var), opt(k)),
        Op::Print(k) => match k % 4 {
            0 => write!(out, "print \"i={{i}} last={{last}}\""),
            1 => write!(out, "print \"{{v0}} {{nosuch}}\""),
            2 => write!(out, "print \"{}\"", "x".repeat(usize::from(*k))),
            _ => write!(out, "print \"{{\""),
        },
        Op::AwaitSleep(k) => write!(out, "await sleep {k}"),
        Op::Await(r) => write!(out, "await {}", n(r, &task)),
        Op::RunLoop => write!(out, "run_loop"),
        Op::Repeat(k, body) => block(out, &format!("repeat {k}"), body, names, depth),
        Op::Loop(body) => block(out, "loop", body, names, depth),
        Op::Break => write!(out, "break"),
        Op::If(Cond(name, cmp, k), then, other) => {
            let name = match name % 4 {
                0 => "i".to_string(),
                1 => "last".to_string(),
                _ => format!("v{}", usize::from(*name) % names.vars.max(1)),
            };
            let head = format!("if {name} {} {k}", OPS[usize::from(*cmp) % OPS.len()]);
            let _ = block(out, &head, then, names, depth);
            if let Some(other) = other {
                let _ = block(out, " else", other, names, depth);
            }
            Ok(())
        }
        Op::Exit => write!(out, "exit"),
        Op::Restart => write!(out, "restart"),
        Op::Else(first, body) => {
            write_op(out, &first.0, names, depth);
            block(out, " else", body, names, depth)
        }
        Op::Garbage(k) => {
            let junk = [
                "}", "{", "acquire", "sleep", "if x ==", "repeat {", "\u{7f}", "\\\"",
            ];
            write!(out, "{}", junk[usize::from(*k) % junk.len()])
        }
    };
}

fn block(
    out: &mut String,
    head: &str,
    body: &[Op],
    names: &Names,
    depth: usize,
) -> std::fmt::Result {
    out.push_str(head);
    out.push_str(" {\n");
    write_ops(out, body, names, depth + 1);
    out.push_str(&"  ".repeat(depth.min(80)));
    out.push('}');
    Ok(())
}

/// A generated scenario's text from `arbitrary` data.
pub fn structured(u: &mut Unstructured<'_>) -> Vec<u8> {
    match GenScenario::arbitrary(u) {
        Ok(s) => s.to_toml().into_bytes(),
        Err(_) => Vec::new(),
    }
}
