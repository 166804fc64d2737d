//! Splitting an indicator in the workspace: stepping through every coder's segments coded with
//! it and deciding, for each, which of the new indicators it goes to.

use crate::project::revise::{SplitAssignment, SplitSegment};

/// A split under way: the segments of `source` and the decision made for each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitSession {
    pub source: String,
    /// The indicators to split into; key `1` assigns the first.
    pub targets: Vec<String>,
    pub segments: Vec<SplitSegment>,
    /// Per segment: the position in `targets` it goes to; `None` leaves it with `source`.
    pub choices: Vec<Option<usize>>,
    /// The segment shown; `segments.len()` once past the last.
    pub position: usize,
}

impl SplitSession {
    pub fn new(source: String, targets: Vec<String>, segments: Vec<SplitSegment>) -> Self {
        let choices = vec![None; segments.len()];
        Self {
            source,
            targets,
            segments,
            choices,
            position: 0,
        }
    }

    /// The segment to decide, or `None` past the last.
    pub fn current(&self) -> Option<&SplitSegment> {
        self.segments.get(self.position)
    }

    /// Sends the current segment to target `n` (from 0) and moves on; false when there is no
    /// such target or no current segment.
    pub fn assign(&mut self, n: usize) -> bool {
        if n >= self.targets.len() || self.position >= self.segments.len() {
            return false;
        }
        self.choices[self.position] = Some(n);
        self.position += 1;
        true
    }

    /// Leaves the current segment with the source and moves on.
    pub fn skip(&mut self) {
        if self.position < self.segments.len() {
            self.choices[self.position] = None;
            self.position += 1;
        }
    }

    /// Back to the previous segment (its decision stays until changed).
    pub fn back(&mut self) {
        self.position = self.position.saturating_sub(1);
    }

    /// How many segments go to each target, and how many stay.
    pub fn tally(&self) -> (Vec<usize>, usize) {
        let mut counts = vec![0; self.targets.len()];
        let mut left = 0;
        for choice in &self.choices {
            match choice {
                Some(n) => counts[*n] += 1,
                None => left += 1,
            }
        }
        (counts, left)
    }

    pub fn assignments(&self) -> Vec<SplitAssignment> {
        self.segments
            .iter()
            .zip(&self.choices)
            .filter_map(|(segment, choice)| choice.map(|n| segment.assign(&self.targets[n])))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::{DocumentId, IndicatorId, UnitId};

    fn segment(unit: &str) -> SplitSegment {
        SplitSegment {
            coder: "bob".into(),
            document: DocumentId::new("d"),
            unit: UnitId::new(unit),
            span: None,
            quote: None,
            memo: None,
            codes: vec![IndicatorId::from("A")],
        }
    }

    #[test]
    fn decisions_can_be_revised_and_only_assigned_segments_move() {
        let mut s = SplitSession::new(
            "A".into(),
            vec!["A1".into(), "A2".into()],
            vec![segment("1"), segment("2"), segment("3")],
        );
        assert!(s.assign(0));
        s.skip();
        assert!(!s.assign(5), "there is no sixth target");
        assert!(s.assign(1));
        assert!(s.current().is_none());
        assert!(!s.assign(0), "past the last segment");
        s.back();
        s.back();
        assert!(s.assign(1), "the skipped one is decided after all");
        assert_eq!(s.tally(), (vec![1, 2], 0));
        let units: Vec<(String, String)> = s
            .assignments()
            .into_iter()
            .map(|a| (a.unit, a.into))
            .collect();
        assert_eq!(
            units,
            [
                ("1".into(), "A1".into()),
                ("2".into(), "A2".into()),
                ("3".into(), "A2".into())
            ]
        );
    }
}
