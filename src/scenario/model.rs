//! The validated scenario: what the parser produces and the engines consume.
//!
//! Every name has been resolved to an index into one of the tables of
//! [`Scenario`], every array has been expanded (`fork[0]` .. `fork[4]`, `t[0]`
//! .. `t[n-1]`) and every array index in a script has been reduced to a
//! concrete element for the task instance that runs it. Spans are byte ranges
//! into [`Scenario::source`], kept so that an engine can point at the line
//! that asked for something it cannot do.

/// A byte range into the scenario's source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// First byte of the range.
    pub start: usize,
    /// One past the last byte of the range.
    pub end: usize,
}

impl Span {
    /// Builds a span from a byte range.
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
}

/// A whole scenario, parsed and checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// The file name the scenario was read from, as given by the user.
    pub path: String,
    /// The full source text.
    pub source: String,
    /// `scenario.name`.
    pub name: String,
    /// `scenario.description`, empty when absent.
    pub description: String,
    /// The `[machine]` table with defaults filled in.
    pub machine: Machine,
    /// Shared integer variables, in declaration order.
    pub vars: Vec<Var>,
    /// Locks, semaphores, conditions, events, barriers, queues and pools, in
    /// declaration order, arrays expanded.
    pub resources: Vec<Resource>,
    /// Tasks in declaration order, `count` arrays expanded.
    pub tasks: Vec<Task>,
    /// The `[expect]` table, if any.
    pub expect: Option<Expect>,
}

impl Scenario {
    /// The 1-based line and column of a byte offset in the source.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        line_col(&self.source, offset)
    }

    /// Index of the resource with this name.
    pub fn resource(&self, name: &str) -> Option<usize> {
        self.resources.iter().position(|r| r.name == name)
    }

    /// Index of the task with this name.
    pub fn task(&self, name: &str) -> Option<usize> {
        self.tasks.iter().position(|t| t.name == name)
    }

    /// Index of the variable with this name.
    pub fn var(&self, name: &str) -> Option<usize> {
        self.vars.iter().position(|v| v.name == name)
    }
}

/// The 1-based line and column (in characters) of a byte offset in `source`.
pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(source.len());
    let before = source.get(..offset).unwrap_or(source);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

/// Where each line of a text starts, for finding the line of many offsets
/// in one pass over the text instead of one pass each.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes `source`.
    pub fn new(source: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(source.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// The 1-based line of a byte offset.
    pub fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset).max(1)
    }

    /// The byte offset where the 1-based line `line` starts.
    pub fn start(&self, line: usize) -> usize {
        self.starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(0)
    }

    /// The 1-based line and column (in characters) of a byte offset in `source`.
    pub fn line_col(&self, source: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(source.len());
        let line = self.line(offset);
        let start = self.start(line).min(offset);
        let col = source.get(start..offset).map_or(0, |s| s.chars().count()) + 1;
        (line, col)
    }
}

/// The `[machine]` table.
#[derive(Debug, Clone, PartialEq)]
pub struct Machine {
    /// Virtual CPUs, at least 1.
    pub cpus: u32,
    /// The scheduling policy.
    pub policy: Policy,
    /// Ticks per time slice (rr, priority-preemptive), at least 1.
    pub quantum: u32,
    /// One global interpreter lock per process.
    pub gil: bool,
    /// Ticks a GIL holder runs before it must hand over to a waiter.
    pub switch_interval: u32,
    /// Ticks a CPU spends on each context switch.
    pub switch_cost: u32,
    /// Probability of a preemption after each operation, 0.0 ..= 1.0.
    pub preempt: f64,
    /// Seed for every random choice.
    pub seed: u64,
    /// What one tick means, as written (`"10ms"`).
    pub tick: String,
    /// The run stops with outcome `timeout` past this many ticks.
    pub max_ticks: u64,
    /// Where `gil` was set to true, for engines that cannot model it yet.
    pub gil_span: Option<Span>,
}

impl Default for Machine {
    fn default() -> Self {
        Machine {
            cpus: 1,
            policy: Policy::Rr,
            quantum: 4,
            gil: false,
            switch_interval: 5,
            switch_cost: 0,
            preempt: 0.0,
            seed: 0,
            tick: "10ms".to_string(),
            max_ticks: 100_000,
            gil_span: None,
        }
    }
}

/// A scheduling policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Policy {
    /// First come, first served; runs until it blocks or ends.
    Fifo,
    /// Round robin with a time slice of `quantum`.
    Rr,
    /// Shortest next CPU burst first, not preemptive.
    Sjf,
    /// Shortest remaining burst first, preemptive.
    Srtf,
    /// Smallest priority number first, not preemptive.
    Priority,
    /// Smallest priority number first, preemptive; equal priorities share round robin.
    PriorityPreemptive,
    /// Uniform random choice by seed.
    Random,
}

impl Policy {
    /// The name used in scenario files.
    pub fn as_str(self) -> &'static str {
        match self {
            Policy::Fifo => "fifo",
            Policy::Rr => "rr",
            Policy::Sjf => "sjf",
            Policy::Srtf => "srtf",
            Policy::Priority => "priority",
            Policy::PriorityPreemptive => "priority-preemptive",
            Policy::Random => "random",
        }
    }

    /// Every policy, in the order the documentation lists them.
    pub const ALL: [Policy; 7] = [
        Policy::Fifo,
        Policy::Rr,
        Policy::Sjf,
        Policy::Srtf,
        Policy::Priority,
        Policy::PriorityPreemptive,
        Policy::Random,
    ];
}

/// A shared integer variable.
#[derive(Debug, Clone, PartialEq)]
pub struct Var {
    /// Its name.
    pub name: String,
    /// Its initial value.
    pub initial: i64,
    /// Where it is declared.
    pub span: Span,
}

/// A shared resource: a lock, semaphore, condition, event, barrier, queue or pool.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    /// Its name; array elements are named `base[index]`.
    pub name: String,
    /// What it is.
    pub kind: ResourceKind,
    /// Where it is declared.
    pub span: Span,
}

/// The kind of a resource, with its settings.
#[derive(Debug, Clone, PartialEq)]
pub enum ResourceKind {
    /// A plain lock (`threading.Lock`).
    Mutex,
    /// A re-entrant lock (`threading.RLock`).
    RLock,
    /// A readers-writer lock.
    RwLock {
        /// Who goes first when both readers and writers wait.
        prefer: RwPrefer,
    },
    /// A counting semaphore.
    Semaphore {
        /// Initial permits.
        permits: u32,
        /// Releasing above the initial count fails (`BoundedSemaphore`).
        bounded: bool,
    },
    /// A condition variable bound to a lock.
    Condition {
        /// Index of the lock in [`Scenario::resources`].
        lock: usize,
    },
    /// An event flag.
    Event {
        /// The initial flag.
        set: bool,
    },
    /// A barrier.
    Barrier {
        /// Parties that must arrive.
        parties: u32,
    },
    /// A queue.
    Queue {
        /// Capacity; 0 is unbounded.
        capacity: u32,
        /// Which item `get` takes.
        order: QueueOrder,
    },
    /// A worker pool.
    Pool {
        /// Jobs that may run at once.
        workers: u32,
        /// Thread or process workers.
        kind: PoolKind,
    },
}

impl ResourceKind {
    /// The kind's name as written in scenario files.
    pub fn name(&self) -> &'static str {
        match self {
            ResourceKind::Mutex => "mutex",
            ResourceKind::RLock => "rlock",
            ResourceKind::RwLock { .. } => "rwlock",
            ResourceKind::Semaphore { .. } => "semaphore",
            ResourceKind::Condition { .. } => "condition",
            ResourceKind::Event { .. } => "event",
            ResourceKind::Barrier { .. } => "barrier",
            ResourceKind::Queue { .. } => "queue",
            ResourceKind::Pool { .. } => "pool",
        }
    }
}

/// Preference of a readers-writer lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RwPrefer {
    /// Arrival order.
    Fair,
    /// Readers first.
    Reader,
    /// Writers first.
    Writer,
}

impl RwPrefer {
    /// The name used in scenario files.
    pub fn as_str(self) -> &'static str {
        match self {
            RwPrefer::Fair => "fair",
            RwPrefer::Reader => "reader",
            RwPrefer::Writer => "writer",
        }
    }
}

/// Which item a queue's `get` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QueueOrder {
    /// Oldest first (`queue.Queue`).
    Fifo,
    /// Newest first (`queue.LifoQueue`).
    Lifo,
    /// Smallest value first (`queue.PriorityQueue`).
    Priority,
}

impl QueueOrder {
    /// The name used in scenario files.
    pub fn as_str(self) -> &'static str {
        match self {
            QueueOrder::Fifo => "fifo",
            QueueOrder::Lifo => "lifo",
            QueueOrder::Priority => "priority",
        }
    }
}

/// Whether a pool's workers are threads or processes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PoolKind {
    /// `ThreadPoolExecutor`.
    Thread,
    /// `multiprocessing.Pool`.
    Process,
}

impl PoolKind {
    /// The name used in scenario files.
    pub fn as_str(self) -> &'static str {
        match self {
            PoolKind::Thread => "thread",
            PoolKind::Process => "process",
        }
    }
}

/// What runs a task's script.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaskKind {
    /// A thread of a process.
    Thread,
    /// A process with its own copy of the variables.
    Process,
    /// A coroutine on an event loop.
    Coroutine,
}

impl TaskKind {
    /// The name used in scenario files.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskKind::Thread => "thread",
            TaskKind::Process => "process",
            TaskKind::Coroutine => "coroutine",
        }
    }
}

/// When a task arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Start {
    /// Becomes ready at this tick.
    At(u64),
    /// Waits for a `spawn` from another task.
    Spawned,
}

/// What an operation without `else` does when it fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OnTimeout {
    /// The task ends with state `failed`.
    Fail,
    /// The failure is ignored and the script goes on.
    Ignore,
}

/// One task, after `count` expansion.
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    /// Its name; array elements are named `base[index]`.
    pub name: String,
    /// Thread, process or coroutine.
    pub kind: TaskKind,
    /// The process a thread lives in (`"main"` by default); a process task's own name.
    pub process: String,
    /// Coroutines: index of the thread task whose event loop runs them.
    pub event_loop: Option<usize>,
    /// Pool jobs: index of the pool resource.
    pub pool: Option<usize>,
    /// When it arrives.
    pub start: Start,
    /// Smaller is more important.
    pub priority: i64,
    /// Killed when every non-daemon task of its process has ended.
    pub daemon: bool,
    /// What a failed operation without `else` does.
    pub on_timeout: OnTimeout,
    /// The array index `i`, 0 for a task without `count`.
    pub index: u32,
    /// The script, as a tree of statements.
    pub script: Vec<Stmt>,
    /// Where the task's table is declared.
    pub span: Span,
    /// Where its `script` string starts.
    pub script_span: Span,
}

/// One statement of a script.
#[derive(Debug, Clone, PartialEq)]
pub struct Stmt {
    /// The operation.
    pub op: Op,
    /// The `else { ... }` block run instead of failing, if given.
    pub on_fail: Option<Vec<Stmt>>,
    /// Where the operation is written (inside the TOML file).
    pub span: Span,
}

/// An operation of the script language.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// A CPU burst of N ticks.
    Compute(u64),
    /// Blocked for N ticks.
    Sleep(u64),
    /// Blocked on I/O for N ticks.
    Io(u64),
    /// Gives up the CPU and goes to the back of the ready queue.
    Yield,
    /// Acquires a mutex, rlock, semaphore, or an rwlock for writing.
    Acquire {
        /// The resource.
        res: usize,
        /// Ticks before giving up.
        timeout: Option<u64>,
    },
    /// Acquires an rwlock for reading.
    AcquireRead {
        /// The resource.
        res: usize,
        /// Ticks before giving up.
        timeout: Option<u64>,
    },
    /// Releases a mutex, rlock, semaphore, or an rwlock held for writing.
    Release(usize),
    /// Releases an rwlock held for reading.
    ReleaseRead(usize),
    /// Waits on a condition, event or barrier.
    Wait {
        /// The resource.
        res: usize,
        /// Ticks before giving up.
        timeout: Option<u64>,
    },
    /// Wakes N waiters of a condition.
    Notify {
        /// The condition.
        res: usize,
        /// How many waiters.
        n: u32,
    },
    /// Wakes every waiter of a condition.
    NotifyAll(usize),
    /// Sets an event.
    Set(usize),
    /// Clears an event.
    Clear(usize),
    /// Puts an item into a queue.
    Put {
        /// The queue.
        queue: usize,
        /// The item (the priority for priority queues); `None` for the next number.
        value: Option<Expr>,
        /// Ticks to wait for space before failing with `Full`.
        timeout: Option<u64>,
        /// `put_nowait`: fail with `Full` instead of blocking.
        nowait: bool,
    },
    /// Takes an item from a queue into `last`.
    Get {
        /// The queue.
        queue: usize,
        /// Ticks before giving up.
        timeout: Option<u64>,
        /// `get_nowait`: fail with `Empty` instead of blocking.
        nowait: bool,
    },
    /// Marks one item of a queue as processed.
    TaskDone(usize),
    /// Blocks until every item put into the queue has been marked done.
    JoinQueue(usize),
    /// Starts a task declared with `start = "spawned"`.
    Spawn(usize),
    /// Waits until a task ends.
    JoinTask(usize),
    /// Closes a pool and waits for all its jobs.
    JoinPool(usize),
    /// Kills a task at once.
    Terminate(usize),
    /// Copies a shared variable into the task's local of the same name.
    Read(usize),
    /// Stores an expression into a shared variable.
    Write {
        /// The variable.
        var: usize,
        /// The value.
        expr: Expr,
    },
    /// Adds to a shared variable: a read then a write unless atomic.
    Incr {
        /// The variable.
        var: usize,
        /// What is added (negative for `decr`).
        delta: i64,
        /// `atomic_incr`: one step.
        atomic: bool,
    },
    /// A line in the log.
    Print(Vec<TextPart>),
    /// Coroutine: suspends for N ticks.
    AwaitSleep(u64),
    /// Coroutine: suspends until another coroutine ends.
    AwaitTask(usize),
    /// Thread: runs its event loop until its coroutines have ended.
    RunLoop,
    /// A counted block.
    Repeat {
        /// How many times.
        times: u64,
        /// The block.
        body: Vec<Stmt>,
    },
    /// An endless block.
    Loop(Vec<Stmt>),
    /// Leaves the innermost `repeat` or `loop`.
    Break,
    /// A conditional block.
    If {
        /// The condition.
        cond: Cond,
        /// Run when it holds.
        then: Vec<Stmt>,
        /// Run when it does not.
        otherwise: Vec<Stmt>,
    },
    /// Ends the task.
    Exit,
    /// Starts the script again from the top.
    Restart,
}

/// A value in an expression or a condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operand {
    /// An integer literal.
    Int(i64),
    /// The task's local copy of a shared variable (index into [`Scenario::vars`]).
    Local(usize),
    /// The task's array index `i`.
    Index,
    /// The last item the task got from a queue.
    Last,
}

/// A sum of operands: `counter + 1`, `a - b + 2`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Expr {
    /// The terms, each added (`true`) or subtracted (`false`).
    pub terms: Vec<(bool, Operand)>,
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CmpOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CmpOp {
    /// Applies the comparison.
    pub fn holds(self, lhs: i64, rhs: i64) -> bool {
        match self {
            CmpOp::Eq => lhs == rhs,
            CmpOp::Ne => lhs != rhs,
            CmpOp::Lt => lhs < rhs,
            CmpOp::Le => lhs <= rhs,
            CmpOp::Gt => lhs > rhs,
            CmpOp::Ge => lhs >= rhs,
        }
    }

    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

/// `NAME OP VALUE` in an `if`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cond {
    /// The left side: a local, `i` or `last`.
    pub lhs: Operand,
    /// The comparison.
    pub op: CmpOp,
    /// The right side: an integer or a local.
    pub rhs: Operand,
}

/// A piece of a `print` text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TextPart {
    /// Literal text.
    Text(String),
    /// `{V}`: a local.
    Local(usize),
    /// `{i}`.
    Index,
    /// `{last}`.
    Last,
}

/// The outcome an `[expect]` table asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExpectedOutcome {
    /// Every non-daemon task ended.
    Completed,
    /// A wait-for cycle.
    Deadlock,
    /// Nothing can run again, without a cycle.
    Stalled,
    /// A task failed.
    Failed,
    /// `max_ticks` reached.
    Timeout,
}

/// One `final` comparison: `counter == 6`, `a + b == 200`.
#[derive(Debug, Clone, PartialEq)]
pub struct FinalCheck {
    /// The text as written.
    pub text: String,
    /// The left side: variables (indices into [`Scenario::vars`]), each
    /// added (`true`) or subtracted (`false`).
    pub terms: Vec<(bool, usize)>,
    /// The comparison.
    pub op: CmpOp,
    /// The value compared with.
    pub value: i64,
    /// Where it is written.
    pub span: Span,
}

/// The `[expect]` table.
#[derive(Debug, Clone, PartialEq)]
pub struct Expect {
    /// The expected outcome, if given.
    pub outcome: Option<ExpectedOutcome>,
    /// The final comparisons.
    pub checks: Vec<FinalCheck>,
}
