//! weft makes concurrency visible: a scenario of threads, locks and queues is
//! parsed, run on a deterministic simulator, and every change of state is an
//! [`event::Event`] that reports and views fold over.
#![deny(unsafe_code)]

#[cfg(feature = "app")]
pub mod analysis;
#[cfg(feature = "app")]
pub mod check;
#[cfg(feature = "app")]
pub mod cli;
pub mod event;
pub mod limits;
#[cfg(feature = "app")]
pub mod live;
#[cfg(feature = "app")]
pub mod report;
#[cfg(feature = "app")]
pub mod scenario;
#[cfg(feature = "app")]
pub mod sim;
pub mod sync;
#[cfg(feature = "app")]
pub mod trace;
#[cfg(feature = "app")]
pub mod tui;
