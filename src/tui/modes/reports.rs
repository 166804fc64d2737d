//! The report view: frequencies and progress as bar charts, computed when opened from the
//! files as they were then.

use super::super::action::Action;

pub struct ReportView {
    pub frequencies: crate::report::frequencies::Frequencies,
    pub progress: crate::report::progress::Progress,
    /// 0: frequencies, 1: progress.
    pub tab: usize,
    pub scroll: usize,
}

impl ReportView {
    /// Scrolls or switches tabs; false for any other action.
    pub fn handle(&mut self, action: Action) -> bool {
        match action {
            Action::SwitchTab => {
                self.tab = 1 - self.tab;
                self.scroll = 0;
            }
            Action::Down => self.scroll += 1,
            Action::Up => self.scroll = self.scroll.saturating_sub(1),
            Action::PageDown => self.scroll += 10,
            Action::PageUp => self.scroll = self.scroll.saturating_sub(10),
            _ => return false,
        }
        true
    }
}
