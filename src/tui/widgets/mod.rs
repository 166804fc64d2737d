//! Small drawing helpers shared by the panes.

pub mod bar;
pub mod list;
pub mod popup;
pub mod wrap;
