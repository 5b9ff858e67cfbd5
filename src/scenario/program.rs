//! Scripts flattened into programs: a list of instructions with jumps, so a
//! task's position is one number (`pc`) and loop counters are a small vector.
//! This keeps the simulator's state a plain value that hashes and compares,
//! and gives both engines one reading of a script.

use super::{Cond, Expr, Op, Operand, Stmt, TextPart};

/// One instruction. Control instructions (`Jump`, `Loop*`, `JumpUnless`)
/// take no part in scheduling; every other one is a point where a switch
/// may happen.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Instr {
    /// An operation of the language, with where to go when it fails.
    Op {
        /// The operation (never a block: blocks are compiled away).
        op: Op1,
        /// The start of its `else` block, if any.
        on_fail: Option<u32>,
        /// The statement's byte offset in the scenario file.
        at: usize,
    },
    /// Unconditional jump.
    Jump(u32),
    /// Sets repeat counter `slot` to `times`.
    LoopInit {
        /// The counter.
        slot: u32,
        /// The count.
        times: u64,
    },
    /// If counter `slot` is zero, jumps to `exit`; else counts one down.
    LoopTest {
        /// The counter.
        slot: u32,
        /// Where the loop ends.
        exit: u32,
    },
    /// Jumps to `target` unless the condition holds.
    JumpUnless {
        /// The condition.
        cond: Cond,
        /// Where the `else` part (or the end) starts.
        target: u32,
    },
}

/// A non-block operation. Mirrors [`Op`] without the blocks; `incr` is
/// split into its read and write steps here.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Op1 {
    /// `compute N`.
    Compute(u64),
    /// `sleep N` or `io N`.
    Sleep {
        /// Ticks.
        ticks: u64,
        /// `io` rather than `sleep`.
        io: bool,
    },
    /// `yield`.
    Yield,
    /// `acquire X [timeout N]`.
    Acquire {
        /// The lock.
        res: u32,
        /// Ticks before giving up.
        timeout: Option<u64>,
    },
    /// `release X`.
    Release(u32),
    /// `acquire_read X [timeout N]`.
    AcquireRead {
        /// The rwlock.
        res: u32,
        /// Ticks before giving up.
        timeout: Option<u64>,
    },
    /// `release_read X`.
    ReleaseRead(u32),
    /// `wait X [timeout N]` on a condition, an event or a barrier.
    Wait {
        /// The resource.
        res: u32,
        /// Ticks before giving up.
        timeout: Option<u64>,
    },
    /// `notify X [N]` (`None`: `notify_all`).
    Notify {
        /// The condition.
        res: u32,
        /// Waiters to wake; `None` for all.
        n: Option<u32>,
    },
    /// `set X`.
    Set(u32),
    /// `clear X`.
    Clear(u32),
    /// `join POOL`.
    JoinPool(u32),
    /// `await sleep N`.
    AwaitSleep(u64),
    /// `await T`.
    AwaitTask(u32),
    /// `run_loop`.
    RunLoop,
    /// `put Q [VALUE]` / `put_nowait`.
    Put {
        /// The queue.
        queue: u32,
        /// The item, or the queue's next number.
        value: Option<Expr>,
        /// Ticks to wait for space before failing with `Full`.
        timeout: Option<u64>,
        /// Fail instead of blocking.
        nowait: bool,
    },
    /// `get Q [timeout N]` / `get_nowait`.
    Get {
        /// The queue.
        queue: u32,
        /// Ticks before giving up.
        timeout: Option<u64>,
        /// Fail instead of blocking.
        nowait: bool,
    },
    /// `task_done Q`.
    TaskDone(u32),
    /// `join Q`.
    JoinQueue(u32),
    /// `spawn T`.
    Spawn(u32),
    /// `join T`.
    JoinTask(u32),
    /// `terminate T`.
    Terminate(u32),
    /// `read V`, also the first step of `incr`.
    Read(u32),
    /// `write V = EXPR`.
    Write {
        /// The variable.
        var: u32,
        /// The value.
        expr: Expr,
    },
    /// The second step of `incr V N`: write the local plus `delta`.
    WriteAdd {
        /// The variable.
        var: u32,
        /// What is added.
        delta: i64,
    },
    /// `atomic_incr V N`.
    AtomicAdd {
        /// The variable.
        var: u32,
        /// What is added.
        delta: i64,
    },
    /// `print "TEXT"`; a text without placeholders is built once.
    Print {
        /// The pieces of the text.
        parts: Vec<TextPart>,
        /// The whole text, when it has no placeholder.
        constant: Option<std::sync::Arc<str>>,
    },
    /// `exit`.
    Exit,
    /// `restart`.
    Restart,
}

/// A compiled script.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Program {
    /// The instructions; running past the last one ends the task.
    pub code: Vec<Instr>,
    /// How many repeat counters the program uses.
    pub slots: u32,
}

/// Compiles a script.
pub fn compile(script: &[Stmt]) -> Program {
    let mut c = Compiler::default();
    c.block(script);
    Program {
        code: c.code,
        slots: c.slots,
    }
}

#[derive(Default)]
struct Compiler {
    code: Vec<Instr>,
    slots: u32,
    /// For each enclosing loop, the jumps that `break` must patch to its exit.
    breaks: Vec<Vec<usize>>,
}

fn idx(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

impl Compiler {
    fn here(&self) -> u32 {
        idx(self.code.len())
    }

    fn block(&mut self, stmts: &[Stmt]) {
        for s in stmts {
            self.stmt(s);
        }
    }

    fn patch(&mut self, at: usize, target: u32) {
        match &mut self.code[at] {
            Instr::Jump(t) => *t = target,
            Instr::LoopTest { exit, .. } => *exit = target,
            Instr::JumpUnless { target: t, .. } => *t = target,
            Instr::Op { on_fail, .. } => *on_fail = Some(target),
            Instr::LoopInit { .. } => {}
        }
    }

    fn stmt(&mut self, s: &Stmt) {
        let at = s.span.start;
        match &s.op {
            Op::Repeat { times, body } => {
                let slot = self.slots;
                self.slots += 1;
                self.code.push(Instr::LoopInit {
                    slot,
                    times: *times,
                });
                let top = self.here();
                self.code.push(Instr::LoopTest { slot, exit: 0 });
                self.looped(body, top, Some(top as usize))
            }
            Op::Loop(body) => {
                let top = self.here();
                self.looped(body, top, None)
            }
            Op::Break => {
                let at = self.code.len();
                self.code.push(Instr::Jump(0));
                if let Some(b) = self.breaks.last_mut() {
                    b.push(at);
                }
            }
            Op::If {
                cond,
                then,
                otherwise,
            } => {
                let test = self.code.len();
                self.code.push(Instr::JumpUnless {
                    cond: *cond,
                    target: 0,
                });
                self.block(then);
                if otherwise.is_empty() {
                    let end = self.here();
                    self.patch(test, end);
                    return;
                }
                let skip = self.code.len();
                self.code.push(Instr::Jump(0));
                let else_start = self.here();
                self.patch(test, else_start);
                self.block(otherwise);
                let end = self.here();
                self.patch(skip, end);
            }
            other => {
                let Some(op) = lower(other) else { return };
                match op {
                    Lowered::One(op) => self.code.push(Instr::Op {
                        op,
                        on_fail: None,
                        at,
                    }),
                    Lowered::Two(a, b) => {
                        self.code.push(Instr::Op {
                            op: a,
                            on_fail: None,
                            at,
                        });
                        self.code.push(Instr::Op {
                            op: b,
                            on_fail: None,
                            at,
                        });
                    }
                }
                if let Some(else_block) = &s.on_fail {
                    let op_at = self.code.len() - 1;
                    let skip = self.code.len();
                    self.code.push(Instr::Jump(0));
                    let else_start = self.here();
                    self.patch(op_at, else_start);
                    self.block(else_block);
                    let end = self.here();
                    self.patch(skip, end);
                }
            }
        }
    }

    /// Compiles a loop body that jumps back to `top`; `test` is the
    /// `LoopTest` to patch with the exit, for counted loops.
    fn looped(&mut self, body: &[Stmt], top: u32, test: Option<usize>) {
        self.breaks.push(Vec::new());
        self.block(body);
        self.code.push(Instr::Jump(top));
        let exit = self.here();
        if let Some(t) = test {
            self.patch(t, exit);
        }
        for b in self.breaks.pop().unwrap_or_default() {
            self.patch(b, exit);
        }
    }
}

enum Lowered {
    One(Op1),
    Two(Op1, Op1),
}

/// Lowers one operation; `None` for the blocks, which `stmt` compiles itself.
fn lower(op: &Op) -> Option<Lowered> {
    let one = |op| Some(Lowered::One(op));
    match op {
        Op::Compute(n) => one(Op1::Compute(*n)),
        Op::Sleep(n) => one(Op1::Sleep {
            ticks: *n,
            io: false,
        }),
        Op::Io(n) => one(Op1::Sleep {
            ticks: *n,
            io: true,
        }),
        Op::Yield => one(Op1::Yield),
        Op::Acquire { res, timeout } => one(Op1::Acquire {
            res: idx(*res),
            timeout: *timeout,
        }),
        Op::Release(r) => one(Op1::Release(idx(*r))),
        Op::AcquireRead { res, timeout } => one(Op1::AcquireRead {
            res: idx(*res),
            timeout: *timeout,
        }),
        Op::ReleaseRead(r) => one(Op1::ReleaseRead(idx(*r))),
        Op::Wait { res, timeout } => one(Op1::Wait {
            res: idx(*res),
            timeout: *timeout,
        }),
        Op::Notify { res, n } => one(Op1::Notify {
            res: idx(*res),
            n: Some(*n),
        }),
        Op::NotifyAll(r) => one(Op1::Notify {
            res: idx(*r),
            n: None,
        }),
        Op::Set(r) => one(Op1::Set(idx(*r))),
        Op::Clear(r) => one(Op1::Clear(idx(*r))),
        Op::Put {
            queue,
            value,
            timeout,
            nowait,
        } => one(Op1::Put {
            queue: idx(*queue),
            value: value.clone(),
            timeout: *timeout,
            nowait: *nowait,
        }),
        Op::Get {
            queue,
            timeout,
            nowait,
        } => one(Op1::Get {
            queue: idx(*queue),
            timeout: *timeout,
            nowait: *nowait,
        }),
        Op::TaskDone(q) => one(Op1::TaskDone(idx(*q))),
        Op::JoinQueue(q) => one(Op1::JoinQueue(idx(*q))),
        Op::Spawn(t) => one(Op1::Spawn(idx(*t))),
        Op::JoinTask(t) => one(Op1::JoinTask(idx(*t))),
        Op::JoinPool(p) => one(Op1::JoinPool(idx(*p))),
        Op::Terminate(t) => one(Op1::Terminate(idx(*t))),
        Op::Read(v) => one(Op1::Read(idx(*v))),
        Op::Write { var, expr } => one(Op1::Write {
            var: idx(*var),
            expr: expr.clone(),
        }),
        Op::Incr { var, delta, atomic } => {
            let var = idx(*var);
            if *atomic {
                one(Op1::AtomicAdd { var, delta: *delta })
            } else {
                Some(Lowered::Two(
                    Op1::Read(var),
                    Op1::WriteAdd { var, delta: *delta },
                ))
            }
        }
        Op::Print(parts) => one(Op1::Print {
            parts: parts.clone(),
            constant: match parts.as_slice() {
                [] => Some("".into()),
                [TextPart::Text(t)] => Some(t.as_str().into()),
                _ => None,
            },
        }),
        Op::AwaitSleep(n) => one(Op1::AwaitSleep(*n)),
        Op::AwaitTask(t) => one(Op1::AwaitTask(idx(*t))),
        Op::RunLoop => one(Op1::RunLoop),
        Op::Exit => one(Op1::Exit),
        Op::Restart => one(Op1::Restart),
        Op::Repeat { .. } | Op::Loop(_) | Op::Break | Op::If { .. } => None,
    }
}

/// A task's values as its script reads them: its locals, its index `i`
/// and its register `last`. Both engines read scripts through this.
#[derive(Debug, Clone, Copy)]
pub struct Values<'a> {
    /// The task's copies of the shared variables.
    pub locals: &'a [i64],
    /// `i`: the task's index in its array (0 without `count`).
    pub index: i64,
    /// `last`: the item of its last `get`.
    pub last: i64,
}

impl Values<'_> {
    /// The value of an operand.
    pub fn operand(&self, o: Operand) -> i64 {
        match o {
            Operand::Int(n) => n,
            Operand::Local(v) => self.locals.get(v).copied().unwrap_or(0),
            Operand::Index => self.index,
            Operand::Last => self.last,
        }
    }

    /// An expression's value; `None` when it overflows.
    pub fn eval(&self, e: &Expr) -> Option<i64> {
        e.terms.iter().try_fold(0i64, |acc, &(plus, o)| {
            let v = self.operand(o);
            if plus {
                acc.checked_add(v)
            } else {
                acc.checked_sub(v)
            }
        })
    }

    /// Whether an `if` condition holds.
    pub fn holds(&self, c: &Cond) -> bool {
        c.op.holds(self.operand(c.lhs), self.operand(c.rhs))
    }

    /// A `print` text with its placeholders filled in.
    pub fn format(&self, parts: &[TextPart]) -> String {
        let mut s = String::new();
        for p in parts {
            match p {
                TextPart::Text(text) => s.push_str(text),
                TextPart::Local(v) => s.push_str(&self.operand(Operand::Local(*v)).to_string()),
                TextPart::Index => s.push_str(&self.index.to_string()),
                TextPart::Last => s.push_str(&self.last.to_string()),
            }
        }
        s
    }
}

impl Instr {
    /// Where a control instruction (a jump, a loop's counter, an `if`)
    /// goes from `pc`, counting the loop down in `counters`; `None` for an
    /// operation. `holds` says whether an `if` condition holds.
    pub fn next_pc(
        &self,
        pc: u32,
        counters: &mut [u64],
        holds: impl FnOnce(&Cond) -> bool,
    ) -> Option<u32> {
        Some(match self {
            Instr::Op { .. } => return None,
            Instr::Jump(to) => *to,
            Instr::LoopInit { slot, times } => {
                counters[*slot as usize] = *times;
                pc + 1
            }
            Instr::LoopTest { slot, exit } => {
                let n = &mut counters[*slot as usize];
                if *n == 0 {
                    *exit
                } else {
                    *n -= 1;
                    pc + 1
                }
            }
            Instr::JumpUnless { cond, target } => {
                if holds(cond) {
                    pc + 1
                } else {
                    *target
                }
            }
        })
    }
}

/// The ticks of `compute` from `pc` on until the next operation that may
/// block or yield (the next CPU burst, as `sjf` and `srtf` see it),
/// following loops with `counters` (a copy) and `if`s by `holds`, for at
/// most `steps` instructions.
pub fn burst_from(
    code: &[Instr],
    mut pc: u32,
    mut counters: Vec<u64>,
    holds: impl Fn(&Cond) -> bool,
    steps: u32,
) -> u64 {
    let mut total = 0u64;
    for _ in 0..steps {
        let Some(instr) = code.get(pc as usize) else {
            break;
        };
        if let Some(next) = instr.next_pc(pc, &mut counters, &holds) {
            pc = next;
            continue;
        }
        let Instr::Op { op, .. } = instr else { break };
        match op {
            Op1::Compute(n) => total = total.saturating_add(*n),
            Op1::Release(_)
            | Op1::ReleaseRead(_)
            | Op1::Notify { .. }
            | Op1::Set(_)
            | Op1::Clear(_)
            | Op1::Read(_)
            | Op1::Write { .. }
            | Op1::WriteAdd { .. }
            | Op1::AtomicAdd { .. }
            | Op1::Print { .. }
            | Op1::Spawn(_)
            | Op1::Terminate(_)
            | Op1::TaskDone(_) => {}
            _ => break,
        }
        pc += 1;
    }
    total
}

/// A kind of operation that can end another task's wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Act {
    /// `put`: ends a `get`'s wait.
    Put,
    /// `get`: ends a full queue's `put`.
    Get,
    /// `task_done`: ends a queue's `join`.
    TaskDone,
    /// `release`: gives a semaphore's permit back.
    Release,
    /// `notify`: ends a condition's `wait`.
    Notify,
    /// `set`: ends an event's `wait`.
    Set,
    /// `wait` on a barrier: the arrival of another party.
    Arrive,
}

impl Op1 {
    /// The resource and the act of an operation that can end another
    /// task's wait (who could free a waiter, for the deadlock rule).
    pub fn act(&self) -> Option<(u32, Act)> {
        match self {
            Op1::Put { queue, .. } => Some((*queue, Act::Put)),
            Op1::Get { queue, .. } => Some((*queue, Act::Get)),
            Op1::TaskDone(q) => Some((*q, Act::TaskDone)),
            Op1::Release(r) => Some((*r, Act::Release)),
            Op1::Notify { res, .. } => Some((*res, Act::Notify)),
            Op1::Set(r) => Some((*r, Act::Set)),
            Op1::Wait { res, .. } => Some((*res, Act::Arrive)),
            _ => None,
        }
    }
}

/// For each resource and act, the indices of the programs that do it,
/// each once, in order.
pub fn actors<'p>(
    programs: impl IntoIterator<Item = &'p Program>,
) -> std::collections::BTreeMap<(u32, Act), Vec<u32>> {
    let mut map: std::collections::BTreeMap<(u32, Act), Vec<u32>> = Default::default();
    for (i, p) in programs.into_iter().enumerate() {
        for instr in &p.code {
            if let Instr::Op { op, .. } = instr {
                if let Some(key) = op.act() {
                    let who = map.entry(key).or_default();
                    if who.last() != Some(&(i as u32)) {
                        who.push(i as u32);
                    }
                }
            }
        }
    }
    map
}
