//! The report view: frequencies as bars, the agenda as a timeline and progress as bars,
//! computed when opened from the files as they were then. Frequencies and the agenda count
//! the documents the coder marked done, as `normcode report` does by default, and list those
//! left out.

use crate::tui::modes::Mode;

use crate::tui::app::App;

use super::super::action::Action;

pub struct ReportView {
    pub frequencies: crate::report::frequencies::Frequencies,
    pub agenda: crate::report::agenda::Agenda,
    pub progress: crate::report::progress::Progress,
    /// 0: frequencies, 1: the agenda's timeline, 2: progress.
    pub tab: usize,
    pub scroll: usize,
}

impl ReportView {
    /// Scrolls or switches tabs; false for any other action.
    pub fn handle(&mut self, action: Action) -> bool {
        match action {
            Action::SwitchTab => {
                self.tab = (self.tab + 1) % 3;
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

impl App {
    pub(crate) fn open_reports(&mut self) {
        use crate::report::{Options, agenda, frequencies, progress};
        // Every coder's file as on disk, but this coder's as it is now.
        let mut coders = match self.project.load_coders(None) {
            Ok(coders) => coders,
            Err(err) => {
                self.error(format!("cannot read the coder files: {err}"));
                return;
            }
        };
        coders.retain(|c| c.name != self.coder.name);
        let mut options = Options::new(&self.project.codebook);
        options.lang = self.language.clone();
        let me = std::slice::from_ref(&self.coder);
        let frequencies = frequencies::build(&self.project, me, &options);
        let agenda = agenda::build(&self.project, me, &options);
        coders.insert(0, self.coder.clone());
        let progress = progress::build(&self.project, &coders);
        self.mode = Mode::Reports(Box::new(ReportView {
            frequencies,
            agenda,
            progress,
            tab: 0,
            scroll: 0,
        }));
    }
}
