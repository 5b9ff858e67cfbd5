//! The built-in lessons on conditions, events, semaphores, barriers, rwlocks,
//! the GIL, processes, pools, coroutines, daemons and priorities, run through
//! the real binary. Every number below is worked out by hand from
//! docs/semantics.md (each scenario's comments show the ticks), so a test
//! checks what its lesson's description promises.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// Runs `scenarios/NAME.toml` headless and returns the exit code and the JSON report.
fn run(name: &str) -> (Option<i32>, Value) {
    let file = format!("scenarios/{name}.toml");
    let out = Command::new(env!("CARGO_BIN_EXE_weft"))
        .args(["run", &file, "--headless", "--json"])
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")))
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{file}: no JSON report ({e})\nstdout: {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code(), report)
}

/// A lesson's report with helpers for the facts the tests check.
struct Lesson {
    name: &'static str,
    code: Option<i32>,
    v: Value,
}

impl Lesson {
    fn run(name: &'static str) -> Lesson {
        let (code, v) = run(name);
        Lesson { name, code, v }
    }

    fn outcome(&self, want: &str) -> &Self {
        assert_eq!(self.v["outcome"], want, "{}: outcome", self.name);
        self
    }

    /// The run matched its own `[expect]`: outcome and every `final` check.
    fn expect_met(&self) -> &Self {
        let e = &self.v["expect"];
        assert_eq!(e["outcome_ok"], true, "{}: expected outcome", self.name);
        for check in e["final"].as_array().expect("final checks") {
            assert_eq!(check["ok"], true, "{}: {}", self.name, check["check"]);
        }
        self
    }

    fn exit_code(&self, want: i32) -> &Self {
        assert_eq!(self.code, Some(want), "{}: exit code", self.name);
        self
    }

    fn end_tick(&self, want: u64) -> &Self {
        assert_eq!(self.v["end_tick"], want, "{}: end_tick", self.name);
        self
    }

    /// Makespan and end tick of a run where every required task ended.
    fn makespan(&self, want: u64) -> &Self {
        assert_eq!(self.v["makespan"], want, "{}: makespan", self.name);
        self.end_tick(want)
    }

    fn var(&self, name: &str, want: i64) -> &Self {
        assert_eq!(self.v["vars"][name], want, "{}: var {name}", self.name);
        self
    }

    fn task(&self, name: &str) -> &Value {
        self.v["tasks"]
            .as_array()
            .expect("tasks")
            .iter()
            .find(|t| t["name"] == name)
            .unwrap_or_else(|| panic!("{}: no task {name}", self.name))
    }

    fn state(&self, task: &str, want: &str) -> &Self {
        assert_eq!(
            self.task(task)["final_state"],
            want,
            "{}: {task} final_state",
            self.name
        );
        self
    }

    fn finish(&self, task: &str, want: u64) -> &Self {
        assert_eq!(
            self.task(task)["finish"],
            want,
            "{}: {task} finish",
            self.name
        );
        self
    }

    /// Ticks a task spent in one state: running, ready, blocked or sleeping.
    fn ticks(&self, task: &str, state: &str, want: u64) -> &Self {
        assert_eq!(
            self.task(task)["ticks"][state],
            want,
            "{}: {task} ticks {state}",
            self.name
        );
        self
    }

    fn kind(&self, task: &str, want: &str) -> &Self {
        assert_eq!(self.task(task)["kind"], want, "{}: {task} kind", self.name);
        self
    }

    fn no_deadlock(&self) -> &Self {
        assert_eq!(
            self.v["deadlocks"].as_array().map(Vec::len),
            Some(0),
            "{}: deadlocks",
            self.name
        );
        self
    }
}

// ---- Condition ----

#[test]
fn condition_while_recheck_waits_again_when_the_item_is_gone() {
    Lesson::run("condition_while_recheck")
        .outcome("completed")
        .expect_met()
        .exit_code(0)
        .makespan(5)
        .finish("consumer[0]", 3)
        .finish("producer", 4)
        .finish("consumer[1]", 5)
        .var("consumed", 2)
        .var("items", 0)
        .var("waits", 3);
}

#[test]
fn condition_if_recheck_takes_an_item_that_is_not_there() {
    Lesson::run("condition_if_recheck_bug")
        .outcome("completed")
        .expect_met()
        .makespan(4)
        .finish("consumer[0]", 3)
        .finish("consumer[1]", 4)
        .finish("producer", 4)
        .var("overdrawn", 1)
        .var("waits", 2)
        .var("items", 0)
        .var("consumed", 2);
}

#[test]
fn lost_wakeup_stalls_at_tick_2() {
    let l = Lesson::run("lost_wakeup");
    l.outcome("stalled")
        .expect_met()
        .exit_code(0)
        .end_tick(2)
        .no_deadlock()
        .finish("producer", 0)
        .state("consumer", "blocked")
        .var("received", 0)
        .var("data", 1);
    assert_eq!(l.task("consumer")["blocked_on"], "c");
    assert!(l.v["makespan"].is_null());
}

#[test]
fn lost_wakeup_fixed_never_waits() {
    Lesson::run("lost_wakeup_fixed")
        .outcome("completed")
        .expect_met()
        .makespan(2)
        .finish("consumer", 2)
        .ticks("consumer", "blocked", 0)
        .var("received", 1);
}

// ---- Event ----

#[test]
fn event_start_signal_releases_the_workers_at_tick_3() {
    Lesson::run("event_start_signal")
        .outcome("completed")
        .expect_met()
        .makespan(7)
        .finish("main", 3)
        .ticks("worker[0]", "blocked", 3)
        .ticks("worker[1]", "blocked", 3)
        .finish("worker[0]", 5)
        .finish("worker[1]", 5)
        .ticks("latecomer", "blocked", 0)
        .finish("latecomer", 7)
        .var("started", 3)
        .var("at_set", 0);
}

// ---- Semaphores ----

#[test]
fn semaphore_downloads_run_two_at_a_time() {
    Lesson::run("semaphore_downloads")
        .outcome("completed")
        .expect_met()
        .makespan(9)
        .finish("download[0]", 3)
        .finish("download[1]", 3)
        .finish("download[2]", 6)
        .finish("download[3]", 6)
        .finish("download[4]", 9)
        .ticks("download[4]", "blocked", 6)
        .var("max_seen", 2)
        .var("done", 5)
        .var("active", 0);
}

#[test]
fn bounded_semaphore_released_twice_fails_with_value_error() {
    let l = Lesson::run("bounded_semaphore_overrelease");
    l.outcome("failed")
        .expect_met()
        .exit_code(0)
        .end_tick(3)
        .state("worker", "failed")
        .finish("worker", 2)
        .state("other", "done")
        .finish("other", 3)
        .var("uses", 2);
    let failure = l.task("worker")["failure"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(
        failure.contains("released too many times"),
        "worker's failure: {failure:?}"
    );
}

#[test]
fn plain_semaphore_released_twice_lets_two_in() {
    Lesson::run("semaphore_overrelease_plain")
        .outcome("completed")
        .expect_met()
        .makespan(4)
        .finish("worker", 1)
        .finish("user[0]", 4)
        .finish("user[1]", 4)
        .ticks("user[1]", "blocked", 0)
        .var("max_seen", 2);
}

#[test]
fn dining_savages_eat_six_meals_from_three_refills() {
    Lesson::run("dining_savages")
        .outcome("completed")
        .expect_met()
        .makespan(6)
        .finish("savage[0]", 5)
        .finish("savage[1]", 6)
        .finish("savage[2]", 6)
        .state("cook", "killed")
        .finish("cook", 6)
        .var("eaten", 6)
        .var("refills", 3)
        .var("servings", 0);
}

#[test]
fn the_sleeping_barber_cuts_three_and_turns_one_away() {
    Lesson::run("sleeping_barber")
        .outcome("completed")
        .expect_met()
        .makespan(9)
        .finish("customer[0]", 3)
        .finish("customer[1]", 6)
        .finish("customer[2]", 2)
        .finish("customer[3]", 9)
        .state("barber", "killed")
        .finish("barber", 9)
        .var("cuts", 3)
        .var("served", 3)
        .var("turned_away", 1)
        .var("waiting", 0);
}

// ---- Barrier ----

#[test]
fn barrier_lets_all_three_through_at_tick_6() {
    Lesson::run("barrier_three_parties")
        .outcome("completed")
        .expect_met()
        .makespan(7)
        .finish("fast", 7)
        .finish("medium", 7)
        .finish("slow", 7)
        .ticks("fast", "blocked", 4)
        .ticks("medium", "blocked", 2)
        .ticks("slow", "blocked", 0)
        .var("arrived", 3)
        .var("early", 0);
}

#[test]
fn a_barrier_timeout_breaks_it_for_everyone() {
    let l = Lesson::run("barrier_broken_timeout");
    l.outcome("failed")
        .expect_met()
        .exit_code(0)
        .end_tick(10)
        .state("fast", "failed")
        .finish("fast", 6)
        .state("medium", "failed")
        .finish("medium", 6)
        .state("slow", "failed")
        .finish("slow", 10)
        .var("passed", 0);
    for t in ["fast", "medium", "slow"] {
        let failure = l.task(t)["failure"].as_str().unwrap_or("").to_string();
        assert!(failure.contains("BrokenBarrierError"), "{t}: {failure:?}");
    }
}

// ---- Readers-writer locks ----

#[test]
fn reader_preference_starves_the_writer_until_tick_11() {
    Lesson::run("rwlock_reader_preference")
        .outcome("completed")
        .expect_met()
        .makespan(12)
        .finish("reader_a", 10)
        .finish("reader_b", 11)
        .finish("writer", 12)
        .ticks("writer", "blocked", 10)
        .var("stale_reads", 10)
        .var("version", 1);
}

#[test]
fn fair_rwlock_lets_the_writer_in_at_tick_3() {
    Lesson::run("rwlock_fair")
        .outcome("completed")
        .expect_met()
        .makespan(12)
        .finish("writer", 4)
        .ticks("writer", "blocked", 2)
        .ticks("reader_a", "blocked", 2)
        .ticks("reader_b", "blocked", 1)
        .finish("reader_a", 12)
        .finish("reader_b", 12)
        .var("stale_reads", 2)
        .var("version", 1);
}

// ---- The GIL ----

#[test]
fn gil_makes_two_cpu_bound_threads_take_20_ticks() {
    Lesson::run("gil_cpu_threads")
        .outcome("completed")
        .expect_met()
        .makespan(20)
        .finish("t1", 15)
        .finish("t2", 20)
        .ticks("t1", "running", 10)
        .ticks("t2", "running", 10)
        .ticks("t1", "blocked", 5)
        .ticks("t2", "blocked", 10)
        .var("finished", 2);
}

#[test]
fn without_the_gil_two_threads_take_10_ticks() {
    Lesson::run("gil_cpu_threads_nogil")
        .outcome("completed")
        .expect_met()
        .makespan(10)
        .finish("t1", 10)
        .finish("t2", 10)
        .var("finished", 2);
}

#[test]
fn two_processes_take_10_ticks_under_the_gil() {
    Lesson::run("gil_cpu_processes")
        .outcome("completed")
        .expect_met()
        .makespan(10)
        .kind("p1", "process")
        .kind("p2", "process")
        .finish("p1", 10)
        .finish("p2", 10)
        .ticks("p1", "blocked", 0)
        .ticks("p2", "blocked", 0)
        .finish("main", 10)
        .var("seen", 0);
}

#[test]
fn processes_bump_their_own_copies_not_mains() {
    Lesson::run("gil_cpu_processes").var("finished", 0);
}

#[test]
fn io_bound_threads_overlap_under_the_gil() {
    Lesson::run("gil_io_threads")
        .outcome("completed")
        .expect_met()
        .makespan(11)
        .finish("t1", 10)
        .finish("t2", 11)
        .ticks("t1", "blocked", 0)
        .ticks("t2", "blocked", 1)
        .ticks("t1", "sleeping", 8)
        .var("pages", 4);
}

// ---- Processes ----

#[test]
fn a_child_process_changes_only_its_own_copy() {
    // `seen` is written by main alone: main read 3 from its own copy.
    Lesson::run("process_globals")
        .outcome("completed")
        .expect_met()
        .makespan(1)
        .kind("child", "process")
        .finish("child", 1)
        .finish("main", 1)
        .var("seen", 3);
}

#[test]
fn main_keeps_its_own_count_after_the_child_process() {
    Lesson::run("process_globals").var("count", 3);
}

#[test]
fn a_child_thread_changes_the_shared_variable() {
    Lesson::run("thread_globals")
        .outcome("completed")
        .expect_met()
        .makespan(1)
        .kind("child", "thread")
        .var("count", 4)
        .var("seen", 4);
}

#[test]
fn processes_pass_results_through_a_queue() {
    Lesson::run("process_queue_ipc")
        .outcome("completed")
        .expect_met()
        .makespan(2)
        .kind("worker[0]", "process")
        .finish("worker[0]", 2)
        .finish("worker[1]", 2)
        .finish("main", 2)
        .ticks("main", "blocked", 2)
        .var("received", 10)
        .var("main_total", 0);
}

#[test]
fn the_workers_totals_stay_in_their_processes() {
    Lesson::run("process_queue_ipc").var("total", 0);
}

// ---- Pools ----

#[test]
fn thread_pool_jobs_finish_one_by_one_under_the_gil() {
    Lesson::run("pool_threads_gil")
        .outcome("completed")
        .expect_met()
        .makespan(16)
        .finish("job[0]", 4)
        .finish("job[1]", 8)
        .finish("job[2]", 12)
        .finish("job[3]", 16)
        .finish("main", 16)
        .var("jobs_done", 4);
}

#[test]
fn process_pool_jobs_run_two_at_once() {
    Lesson::run("pool_processes_gil")
        .outcome("completed")
        .expect_met()
        .makespan(8)
        .finish("job[0]", 4)
        .finish("job[1]", 4)
        .finish("job[2]", 8)
        .finish("job[3]", 8)
        .finish("main", 8)
        .var("seen", 0);
}

#[test]
fn process_pool_jobs_count_in_the_workers_copies() {
    Lesson::run("pool_processes_gil").var("jobs_done", 0);
}

// ---- asyncio ----

#[test]
fn awaited_sleeps_overlap_on_one_loop() {
    Lesson::run("asyncio_await_sleep")
        .outcome("completed")
        .expect_met()
        .makespan(3)
        .kind("fetch[0]", "coroutine")
        .finish("fetch[0]", 3)
        .finish("fetch[1]", 3)
        .finish("fetch[2]", 3)
        .finish("main", 3)
        .var("fetched", 3);
}

#[test]
fn blocking_sleeps_run_one_after_another() {
    Lesson::run("asyncio_blocking_sleep")
        .outcome("completed")
        .expect_met()
        .makespan(9)
        .finish("fetch[0]", 3)
        .finish("fetch[1]", 6)
        .finish("fetch[2]", 9)
        .finish("main", 9)
        .var("fetched", 3);
}

// ---- Daemons ----

#[test]
fn the_daemon_is_killed_when_main_ends() {
    Lesson::run("daemon_heartbeat")
        .outcome("completed")
        .expect_met()
        .exit_code(0)
        .makespan(7)
        .finish("main", 7)
        .state("heartbeat", "killed")
        .finish("heartbeat", 7)
        .var("beats", 3);
}

#[test]
fn a_forgotten_daemon_flag_runs_into_max_ticks() {
    let l = Lesson::run("daemon_forgotten");
    l.outcome("timeout")
        .expect_met()
        .end_tick(30)
        .finish("main", 7)
        .var("beats", 11);
    assert!(l.task("heartbeat")["finish"].is_null());
}

// ---- Priorities ----

#[test]
fn priority_inversion_delays_high_until_tick_15() {
    Lesson::run("priority_inversion")
        .outcome("completed")
        .expect_met()
        .makespan(15)
        .finish("medium", 12)
        .finish("low", 14)
        .finish("high", 15)
        .ticks("high", "blocked", 13)
        .var("high_done", 1);
}

#[test]
fn priority_ceiling_lets_high_finish_at_tick_5() {
    Lesson::run("priority_ceiling")
        .outcome("completed")
        .expect_met()
        .makespan(15)
        .finish("low", 4)
        .finish("high", 5)
        .finish("medium", 15)
        .ticks("high", "blocked", 0)
        .var("high_done", 1);
}

// ---- Deadlock by the knot rule ----

#[test]
fn a_queue_wait_under_a_lock_deadlocks_all_three() {
    let l = Lesson::run("queue_under_lock_deadlock");
    l.outcome("deadlock")
        .expect_met()
        .exit_code(3)
        .end_tick(1)
        .state("consumer", "blocked")
        .state("producer[0]", "blocked")
        .state("producer[1]", "blocked")
        .var("handled", 0);
    assert_eq!(l.task("consumer")["blocked_on"], "q");
    assert_eq!(l.task("producer[0]")["blocked_on"], "L");
    let deadlocks = l.v["deadlocks"].as_array().expect("deadlocks");
    assert_eq!(deadlocks.len(), 1, "{deadlocks:?}");
    let d = &deadlocks[0];
    assert_eq!(d["tick"], 1);
    let members: Vec<&str> = d["cycle"]
        .as_array()
        .expect("edges")
        .iter()
        .filter_map(|e| e["task"].as_str())
        .collect();
    for t in ["consumer", "producer[0]", "producer[1]"] {
        assert!(members.contains(&t), "{t} missing from {members:?}");
    }
}

#[test]
fn the_queue_deadlock_is_reported_by_the_knot_rule() {
    // The consumer waits on q, which either producer could end: a wait with
    // several possible releasers, so the rule is a knot, not a cycle.
    let l = Lesson::run("queue_under_lock_deadlock");
    let d = &l.v["deadlocks"][0];
    assert_eq!(d["rule"], "knot", "{d}");
}

#[test]
fn the_queue_wait_outside_the_lock_completes() {
    Lesson::run("queue_under_lock_fixed")
        .outcome("completed")
        .expect_met()
        .no_deadlock()
        .makespan(1)
        .var("handled", 2);
}
