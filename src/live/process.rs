//! The processes of a live run. A process task (or a process pool's
//! worker) is a real OS process: weft itself, started as `weft live-worker`
//! (fork and exec, through `std::process::Command`; the engine is
//! multi-threaded, so a bare fork could not safely run Rust in the child).
//! The worker holds that process's copy of the variables and burns its CPU
//! time; the engine's thread for each task in it sends it requests over
//! its standard input, one line each, and reads the answers from its
//! standard output:
//!
//! ```text
//! vars 0 1000        the copy of the variables, at the process's start
//! 3 compute 10000000 task 3 burns 10 ms of the worker's CPU time → "3 ok"
//! 3 read 1           → "3 1000"
//! 3 write 1 990      → "3 ok"
//! ```
//!
//! A compute runs on a thread of the worker of its own, so that threads of
//! one process compute at once when nothing holds them back. The worker
//! asks to be killed when the engine's spawning thread dies
//! (`PR_SET_PDEATHSIG`), checks that its parent is still the engine, and
//! ends at the end of its input; the engine kills (on `terminate`) and
//! reaps every worker it started before the run returns.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{bounded, unbounded, Receiver, Sender};
use parking_lot::Mutex;

use super::board::{Board, Guard};
use crate::event::TaskId;

/// The environment variable that tells a worker its parent's PID.
const PARENT_ENV: &str = "WEFT_LIVE_PARENT";

/// One worker process, as the engine sees it.
struct Worker {
    child: Child,
    stdin: Option<ChildStdin>,
    /// Where each task waits for its answer.
    answers: Arc<Mutex<HashMap<u32, Sender<String>>>>,
}

/// A request for the spawner thread: start a worker for a process.
struct Start {
    vars: Vec<i64>,
    reply: Sender<std::io::Result<Worker>>,
}

/// The workers of a run, by process index.
pub(super) struct Workers {
    running: Mutex<HashMap<u32, Worker>>,
    spawner: Mutex<Option<Sender<Start>>>,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
    started: std::sync::atomic::AtomicUsize,
}

impl Workers {
    /// The workers of a run that starts `exe` as each worker. A thread of
    /// their own starts them, so that `PR_SET_PDEATHSIG` (which fires when
    /// the thread that forked dies) only fires when the engine dies.
    pub fn new(exe: PathBuf) -> Workers {
        let (tx, rx) = unbounded::<Start>();
        let thread = std::thread::Builder::new()
            .name("weft-spawner".into())
            .spawn(move || {
                for req in rx {
                    let _ = req.reply.send(start_worker(&exe, &req.vars));
                }
            })
            .ok();
        Workers {
            running: Mutex::new(HashMap::new()),
            spawner: Mutex::new(Some(tx)),
            thread: Mutex::new(thread),
            started: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// Starts the worker of process `p` (once) with its copy of the
    /// variables: its PID.
    pub fn start(&self, p: u32, vars: &[i64]) -> std::io::Result<u64> {
        if let Some(w) = self.running.lock().get(&p) {
            return Ok(u64::from(w.child.id()));
        }
        let n = self
            .started
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if n >= crate::limits::MAX_PROCESSES {
            return Err(std::io::Error::other(format!(
                "a live run starts at most {} processes",
                crate::limits::MAX_PROCESSES
            )));
        }
        let (reply, answer) = bounded(1);
        let sent = self.spawner.lock().as_ref().map(|s| {
            s.send(Start {
                vars: vars.to_vec(),
                reply,
            })
        });
        if !matches!(sent, Some(Ok(()))) {
            return Err(std::io::Error::other("the run is ending"));
        }
        let worker = answer
            .recv()
            .map_err(|_| std::io::Error::other("the spawner is gone"))??;
        let pid = u64::from(worker.child.id());
        self.running.lock().insert(p, worker);
        Ok(pid)
    }

    /// Sends `line` for task `t` to process `p` and waits for the answer.
    fn ask(&self, p: u32, t: TaskId, line: &str) -> Option<String> {
        let (tx, rx): (Sender<String>, Receiver<String>) = bounded(1);
        {
            let mut running = self.running.lock();
            let w = running.get_mut(&p)?;
            w.answers.lock().insert(t.0, tx);
            let stdin = w.stdin.as_mut()?;
            writeln!(stdin, "{} {line}", t.0).ok()?;
            stdin.flush().ok()?;
        }
        rx.recv().ok()
    }

    /// Burns `ns` of process `p`'s CPU time for task `t`; false when the
    /// process is gone.
    pub fn compute(&self, p: u32, t: TaskId, ns: u64) -> bool {
        self.ask(p, t, &format!("compute {ns}")).as_deref() == Some("ok")
    }

    fn read(&self, p: u32, t: TaskId, v: u32) -> i64 {
        self.ask(p, t, &format!("read {v}"))
            .and_then(|a| a.parse().ok())
            .unwrap_or(0)
    }

    fn write(&self, p: u32, t: TaskId, v: u32, value: i64) {
        let _ = self.ask(p, t, &format!("write {v} {value}"));
    }

    /// Process `p` has nothing left to run: its input closes and it ends
    /// (it is reaped by [`Workers::stop_all`]).
    pub fn finish(&self, p: u32) {
        if let Some(w) = self.running.lock().get_mut(&p) {
            w.stdin = None;
        }
    }

    /// `terminate`: process `p` is killed now.
    pub fn kill(&self, p: u32) {
        if let Some(w) = self.running.lock().get_mut(&p) {
            w.stdin = None;
            let _ = w.child.kill();
            let _ = w.child.wait();
        }
    }

    /// Ends every worker and reaps it: its input closes, and one that has
    /// not ended within a second is killed.
    pub fn stop_all(&self) {
        self.spawner.lock().take();
        if let Some(h) = self.thread.lock().take() {
            let _ = h.join();
        }
        let mut running = std::mem::take(&mut *self.running.lock());
        for w in running.values_mut() {
            w.stdin = None;
        }
        let deadline = Instant::now() + Duration::from_secs(1);
        for w in running.values_mut() {
            loop {
                match w.child.try_wait() {
                    Ok(Some(_)) => break,
                    Ok(None) if Instant::now() < deadline => {
                        std::thread::sleep(Duration::from_millis(5))
                    }
                    _ => {
                        let _ = w.child.kill();
                        let _ = w.child.wait();
                        break;
                    }
                }
            }
        }
    }
}

/// Starts one worker and the thread that reads its answers.
fn start_worker(exe: &PathBuf, vars: &[i64]) -> std::io::Result<Worker> {
    let mut child = Command::new(exe)
        .arg("live-worker")
        .env(PARENT_ENV, std::process::id().to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()?;
    let mut stdin = child.stdin.take();
    let stdout = child.stdout.take();
    let answers: Arc<Mutex<HashMap<u32, Sender<String>>>> = Arc::default();
    if let Some(out) = stdout {
        let answers = Arc::clone(&answers);
        std::thread::Builder::new()
            .name("weft-worker-answers".into())
            .spawn(move || {
                for line in BufReader::new(out).lines() {
                    let Ok(line) = line else { break };
                    let Some((slot, answer)) = line.split_once(' ') else {
                        continue;
                    };
                    let Ok(slot) = slot.parse::<u32>() else {
                        continue;
                    };
                    if let Some(tx) = answers.lock().remove(&slot) {
                        let _ = tx.send(answer.to_string());
                    }
                }
                // The worker is gone: nobody waits for an answer that will
                // not come.
                answers.lock().clear();
            })?;
    }
    if let Some(stdin) = stdin.as_mut() {
        let line: Vec<String> = vars.iter().map(i64::to_string).collect();
        writeln!(stdin, "vars {}", line.join(" "))?;
        stdin.flush()?;
    }
    Ok(Worker {
        child,
        stdin,
        answers,
    })
}

impl Board {
    /// The value of variable `v` as task `t` sees it: its process's copy.
    pub fn read_var(&self, g: &Guard<'_>, t: TaskId, v: u32) -> i64 {
        match g.tasks[t.index()].proc {
            0 => g.vars.get(v as usize).copied().unwrap_or(0),
            p => self.workers.read(p, t, v),
        }
    }

    /// Stores into task `t`'s process's copy of variable `v`.
    pub fn write_var(&self, g: &mut Guard<'_>, t: TaskId, v: u32, value: i64) {
        match g.tasks[t.index()].proc {
            0 => {
                if let Some(x) = g.vars.get_mut(v as usize) {
                    *x = value;
                }
            }
            p => self.workers.write(p, t, v, value),
        }
    }
}

/// The body of `weft live-worker`: one process of a live run. Exit code 0
/// at the end of its input, 2 when it was not started by a live run.
pub fn worker_main() -> i32 {
    let Some(parent) = std::env::var(PARENT_ENV)
        .ok()
        .and_then(|p| p.parse::<i32>().ok())
    else {
        eprintln!("weft live-worker is started by `weft run --engine live`, not by hand");
        return 2;
    };
    // Die with the engine; and if it died before this line, go now.
    let _ = nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL);
    if nix::unistd::getppid().as_raw() != parent {
        return 0;
    }
    let vars: Arc<Mutex<Vec<i64>>> = Arc::default();
    let out = Arc::new(Mutex::new(std::io::stdout()));
    let say = |out: &Mutex<std::io::Stdout>, slot: &str, what: &str| {
        let mut o = out.lock();
        let _ = writeln!(o, "{slot} {what}");
        let _ = o.flush();
    };
    let mut burners = Vec::new();
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        let mut words = line.split_whitespace();
        let Some(first) = words.next() else { continue };
        if first == "vars" {
            *vars.lock() = words.filter_map(|w| w.parse().ok()).collect();
            continue;
        }
        let slot = first.to_string();
        let args: Vec<&str> = words.collect();
        let num = |i: usize| args.get(i).and_then(|w| w.parse::<i64>().ok()).unwrap_or(0);
        match args.first().copied() {
            Some("compute") => {
                let ns = num(1).max(0) as u64;
                let out = Arc::clone(&out);
                burners.retain(|h: &std::thread::JoinHandle<()>| !h.is_finished());
                if let Ok(h) = std::thread::Builder::new().spawn(move || {
                    super::clock::burn(ns, || false);
                    say(&out, &slot, "ok");
                }) {
                    burners.push(h);
                }
            }
            Some("read") => {
                let v = vars.lock().get(num(1) as usize).copied().unwrap_or(0);
                say(&out, &slot, &v.to_string());
            }
            Some("write") => {
                if let Some(x) = vars.lock().get_mut(num(1) as usize) {
                    *x = num(2);
                }
                say(&out, &slot, "ok");
            }
            _ => say(&out, &slot, "?"),
        }
    }
    0
}
