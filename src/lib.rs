//! normcode: qualitative content analysis of policy and norm texts, in a terminal.
//!
//! The core (this library) knows nothing of terminals: [`project`] loads a project's
//! [`codebook`], [`corpus`] and coder files ([`annotations`]); [`reliability`] computes agreement.
//! The binary's `cli` and `tui` modules are thin shells over it.

pub mod adjudication;
pub mod agreement;
pub mod annotations;
pub mod cli;
pub mod codebook;
pub mod config;
pub mod corpus;
pub mod error;
pub mod export;
pub mod import;
pub mod output;
mod parallel;
pub mod project;
pub mod refi;
pub mod reliability;
pub mod report;
pub mod search;
pub mod suggest;
pub mod summary;
pub mod sync;
/// Seeded synthetic corpora, coder files and reliability data for the benchmarks.
pub mod synth;
pub mod text;
pub mod tui;
mod yaml;

pub use error::{Error, Result};
