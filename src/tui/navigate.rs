//! Moving through documents, units, the codebook and the panes.

use super::modes::Mode;
use super::text;

use super::app::{App, Focus, Row};

impl App {
    pub(crate) fn page(&self) -> usize {
        let height = self.layout.document.height.saturating_sub(2) as usize;
        (height / 4).max(1)
    }

    pub(crate) fn cycle_focus(&mut self, step: isize) {
        let last = if self.search.is_some() {
            Focus::Search
        } else {
            Focus::Details
        };
        let order = [Focus::Document, Focus::Codebook, last];
        let at = order.iter().position(|f| *f == self.focus).unwrap_or(0) as isize;
        self.set_focus(order[(at + step).rem_euclid(order.len() as isize) as usize]);
    }

    /// Focuses a pane: the search pane's keys are the search mode's.
    pub(crate) fn set_focus(&mut self, focus: Focus) {
        self.focus = focus;
        match (&self.mode, focus) {
            (Mode::Normal, Focus::Search) => self.mode = Mode::Search { editing: false },
            (Mode::Search { .. }, f) if f != Focus::Search => self.mode = Mode::Normal,
            _ => {}
        }
    }

    pub(crate) fn move_in_focus(&mut self, delta: isize) {
        match self.focus {
            Focus::Codebook => self.move_codebook(delta),
            Focus::Search => self.move_hit(delta),
            Focus::Document | Focus::Details => self.move_unit(delta),
        }
    }

    pub(crate) fn move_unit(&mut self, delta: isize) {
        let Some(count) = self.document().map(|d| d.units.len()) else {
            return;
        };
        if count == 0 {
            return;
        }
        let target = (self.unit as isize)
            .saturating_add(delta)
            .clamp(0, count as isize - 1);
        self.go_to_unit(target as usize);
    }

    pub fn go_to_unit(&mut self, position: usize) {
        self.leave_visual();
        self.unit = position;
        self.ensure_visible();
    }

    /// A selection ends when the cursor leaves its unit; other modes stay (a review or a
    /// split shows its units in the document pane).
    pub(crate) fn leave_visual(&mut self) {
        if let Mode::Visual(visual) = &self.mode {
            let visual = visual.clone();
            self.remember_cursor(&visual);
            self.mode = Mode::Normal;
        }
    }

    pub(crate) fn move_codebook(&mut self, delta: isize) {
        let indicators: Vec<usize> = self
            .rows
            .iter()
            .enumerate()
            .filter(|(_, r)| matches!(r, Row::Indicator(_)))
            .map(|(i, _)| i)
            .collect();
        if indicators.is_empty() {
            return;
        }
        let at = indicators
            .iter()
            .position(|&r| r >= self.selected_row)
            .unwrap_or(0) as isize;
        let target = at
            .saturating_add(delta)
            .clamp(0, indicators.len() as isize - 1);
        self.selected_row = indicators[target as usize];
    }

    pub(crate) fn jump(&mut self, forward: bool, coded: bool) {
        let Some(count) = self.document().map(|d| d.units.len()) else {
            return;
        };
        let mut positions: Box<dyn Iterator<Item = usize>> = if forward {
            Box::new(self.unit + 1..count)
        } else {
            Box::new((0..self.unit).rev())
        };
        match positions.find(|&u| self.unit_codes(u).is_empty() != coded) {
            Some(u) => self.go_to_unit(u),
            None => self.info(format!(
                "no {} unit {} in this document",
                if coded { "coded" } else { "uncoded" },
                if forward { "below" } else { "above" }
            )),
        }
    }

    pub fn switch_document(&mut self, target: isize) {
        let count = self.project.corpus.len();
        if count == 0 {
            return;
        }
        if target < 0 || target as usize >= count {
            self.info(if target < 0 {
                "this is the first document"
            } else {
                "this is the last document"
            });
            return;
        }
        self.open_document(target as usize, 0);
    }

    pub fn open_document(&mut self, doc: usize, unit: usize) {
        self.leave_visual();
        self.doc = doc;
        self.unit = unit.min(
            self.document()
                .map_or(0, |d| d.units.len().saturating_sub(1)),
        );
        self.top = self.unit.saturating_sub(2);
        self.recount();
        self.ensure_visible();
    }

    /// Scrolls so that the current unit is in view, using the last frame's pane size. Only the
    /// units between the top and the cursor are measured, so this is cheap in long documents.
    pub fn ensure_visible(&mut self) {
        let area = self.layout.document;
        let (width, height) = (area.width.saturating_sub(2), area.height.saturating_sub(2));
        let room = height as usize + 1; // the blank row after the last unit may be cut off
        if self.unit < self.top {
            self.top = self.unit;
            self.fill_pane(width as usize, room);
            return;
        }
        if width == 0 || height == 0 {
            return;
        }
        let mut rows = 0;
        let fits = (self.top..=self.unit).all(|u| {
            rows += self.unit_height(u, width as usize) + 1;
            rows <= room
        });
        if fits {
            self.fill_pane(width as usize, room);
            return;
        }
        // Put the current unit at the bottom: walk up while units above still fit.
        let mut rows = self.unit_height(self.unit, width as usize) + 1;
        let mut top = self.unit;
        while top > 0 {
            let above = self.unit_height(top - 1, width as usize) + 1;
            if rows + above > room {
                break;
            }
            rows += above;
            top -= 1;
        }
        self.top = top;
        self.fill_pane(width as usize, room);
    }

    /// Near the end of the document, scrolls up so the units from the top to the last fill the
    /// pane instead of leaving its bottom empty.
    pub(crate) fn fill_pane(&mut self, width: usize, room: usize) {
        let Some(count) = self.document().map(|d| d.units.len()) else {
            return;
        };
        if width == 0 || room <= 1 {
            return;
        }
        let mut rows = 0;
        for u in self.top..count {
            rows += self.unit_height(u, width) + 1;
            if rows >= room {
                return;
            }
        }
        while self.top > 0 {
            let above = self.unit_height(self.top - 1, width) + 1;
            if rows + above > room {
                break;
            }
            rows += above;
            self.top -= 1;
        }
    }

    /// Rows a unit takes in a document pane `width` columns wide (without the blank row after),
    /// counted up to a little more than the pane's height: all that scrolling needs to know.
    pub fn unit_height(&self, position: usize, width: usize) -> usize {
        let Some(document) = self.document() else {
            return 1;
        };
        let text = document.unit_text(&document.units[position]);
        let limit = self.layout.document.height as usize + 2;
        let lines = text::wrap_rows(text, width.saturating_sub(super::ui::GUTTER), limit)
            .1
            .len();
        lines.max(1 + self.unit_codes(position).len())
    }
}
