//! weft makes concurrency visible: a scenario of threads, locks and queues is
//! parsed, run on a deterministic simulator, and every change of state is an
//! [`event::Event`] that reports and views fold over.
#![deny(unsafe_code)]

pub mod analysis;
pub mod cli;
pub mod event;
pub mod limits;
pub mod report;
pub mod scenario;
pub mod sim;
pub mod sync;
pub mod trace;
pub mod tui;
