//! A team on git: `normcode sync`, the merge driver for coder files, and codebook changes
//! that travel with them.
//!
//! Everything goes through the user's `git` command ([`git::Git`]), never a git library.
//!
//! - [`setup`]: `.gitattributes`, `.gitignore` and the repository's merge-driver configuration.
//! - [`driver`]: `normcode merge-driver %O %A %B %P`, git's merge of a coder file, annotation
//!   by annotation.
//! - [`codebook_driver`]: `normcode merge-driver --codebook`, git's merge of `codebook.yaml`
//!   changed on two machines, through its history.
//! - [`migrate`]: a coder file written under an older codebook brought up to this one through
//!   the codebook's history (in [`crate::project::migrate`]: every load of a coder file does it).
//! - [`run`]: `normcode sync`: commit this coder's work (and what this machine changed of the
//!   codebook), pull with the driver, migrate, push; and complete a merge an interrupted sync
//!   left.

pub mod codebook_driver;
pub mod driver;
pub mod git;
pub mod message;
pub mod run;
pub mod setup;

pub use crate::project::migrate::{self, Migrated, migrate};
pub use driver::{Merged, Side, merge_files};
pub use run::{Outcome, sync};
pub use setup::{Setup, setup};
