//! Review mode: the review session (see [`crate::tui::review`]) with the autosave worker of
//! its consensus file, and whether the unit is shown in its document (`peek`).

use super::super::review::Review;
use super::super::saver::Saver;

pub struct ReviewMode {
    pub review: Review,
    pub saver: Saver,
    /// Showing the disagreement's unit in the document pane instead of the review.
    pub peek: bool,
}
