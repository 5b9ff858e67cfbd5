//! The integration tests, built as one binary.
//!
//! Every file beside this one is a module of this crate, so the crate and
//! its dependencies are linked once and the tests of every file run in
//! parallel. A new test file must be listed below; `Cargo.toml` sets
//! `autotests = false`, so a file not listed here is not run.
//! `cargo test --test suite sim_queues::` runs one file's tests.

// Shared helpers.
mod common;
#[path = "fuzz/mod.rs"]
mod harness;
mod literal;
mod pty;
#[path = "../examples/screens/render.rs"]
mod screens_render;
mod sim_run;
#[path = "tui_support/mod.rs"]
mod support;

// The tests, a file each.
mod analysis_waits;
mod check;
mod cli;
mod diagnostics;
#[path = "fuzz.rs"]
mod fuzz;
mod language_doc;
mod lesson_screens;
mod lessons;
mod limits;
mod live_engine;
mod lock_order;
mod parser;
mod report_json;
mod schema;
mod screens;
mod sim_primitives;
mod sim_properties;
mod sim_queues;
mod sim_scheduling;
mod sim_sync;
mod sim_tasks;
mod stats;
mod sync_record;
mod trace_compare;
mod trace_limits;
mod trace_robustness;
mod tui_app;
mod tui_e2e;
mod tui_learner;
mod tui_panels;
mod tui_terminal;
mod tui_timeline;
mod tui_views;
mod watch_live;
