//! Every action of the workspace, defined once: its name (as in `config.yaml`), what it does,
//! its default keys and the modes it belongs to. The key map, the help and every mode's legend
//! are read from [`ACTIONS`]; adding an action is one row there and one arm where it is done.

use std::fmt;

/// The modes of the workspace, as far as keys are concerned: each has its own keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ModeKind {
    /// Moving through the document and the codebook, coding units.
    Normal,
    /// Selecting a span of the current unit.
    Visual,
    /// The search results, focused.
    Search,
    /// Typing the search query.
    Query,
    /// A one-line prompt: quick-assign, filter, picker, codebook changes.
    Prompt,
    /// Writing a memo (several lines).
    Memo,
    /// A question waiting for a yes before a change wider than the current unit.
    Confirm,
    Help,
    Review,
    Reports,
    Split,
    /// Re-attaching annotations that could not be placed after a document edit.
    Orphans,
}

impl ModeKind {
    pub const ALL: [ModeKind; 12] = [
        ModeKind::Normal,
        ModeKind::Visual,
        ModeKind::Search,
        ModeKind::Query,
        ModeKind::Prompt,
        ModeKind::Memo,
        ModeKind::Confirm,
        ModeKind::Help,
        ModeKind::Review,
        ModeKind::Reports,
        ModeKind::Split,
        ModeKind::Orphans,
    ];

    /// The heading of the mode's part of the help.
    pub fn title(self) -> &'static str {
        match self {
            ModeKind::Normal => "Coding (document and codebook panes)",
            ModeKind::Visual => "Selecting a span (v)",
            ModeKind::Search => "Search results (/ then Enter)",
            ModeKind::Query => "Typing a search query (/)",
            ModeKind::Prompt => "Prompts (quick-assign, filter, picker, codebook changes)",
            ModeKind::Memo => "Writing a memo (m, M)",
            ModeKind::Confirm => "Confirming a change wider than one unit",
            ModeKind::Help => "This help",
            ModeKind::Review => "Review and adjudication (R)",
            ModeKind::Reports => "Reports (r)",
            ModeKind::Split => "Splitting an indicator (S)",
            ModeKind::Orphans => "Re-attaching annotations that could not be placed (O)",
        }
    }

    /// The status bar's badge for the mode; none in normal mode.
    pub fn badge(self) -> Option<&'static str> {
        Some(match self {
            ModeKind::Normal => return None,
            ModeKind::Visual => " SELECT ",
            ModeKind::Search => " SEARCH ",
            ModeKind::Query => " QUERY ",
            ModeKind::Prompt => " PROMPT ",
            ModeKind::Memo => " MEMO ",
            ModeKind::Confirm => " CONFIRM ",
            ModeKind::Help => " HELP ",
            ModeKind::Review => " REVIEW ",
            ModeKind::Reports => " REPORTS ",
            ModeKind::Split => " SPLIT ",
            ModeKind::Orphans => " RE-ATTACH ",
        })
    }

    /// Whether printable keys not bound in the mode are typed into its text.
    pub fn takes_text(self) -> bool {
        matches!(self, ModeKind::Query | ModeKind::Prompt | ModeKind::Memo)
    }
}

impl fmt::Display for ModeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.title())
    }
}

macro_rules! actions {
    ($($variant:ident => $name:literal, $short:literal, $doc:literal, [$($key:literal),*], $modes:expr;)*) => {
        /// What a key does. See [`ACTIONS`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Action { $($variant,)* }

        /// One row of the table.
        #[derive(Debug)]
        pub struct ActionDef {
            pub action: Action,
            /// The name in `config.yaml`.
            pub name: &'static str,
            /// A word or two for a mode's legend at the bottom of the screen; empty: not
            /// shown in legends (the help lists it).
            pub short: &'static str,
            /// What it does, for the help.
            pub doc: &'static str,
            pub keys: &'static [&'static str],
            pub modes: &'static [ModeKind],
        }

        /// Every action once, in the order the help lists them.
        pub static ACTIONS: &[ActionDef] = &[
            $(ActionDef {
                action: Action::$variant,
                name: $name,
                short: $short,
                doc: $doc,
                keys: &[$($key),*],
                modes: $modes,
            },)*
        ];
    };
}

use ModeKind::*;

/// The document and codebook panes, and the search results (whose own keys shadow some).
const NS: &[ModeKind] = &[Normal, Search];
const NV: &[ModeKind] = &[Normal, Visual];
const NSH: &[ModeKind] = &[Normal, Search, Help, Reports, Orphans];
/// Every mode: leaving it.
const EVERY: &[ModeKind] = &ModeKind::ALL;
const TEXT: &[ModeKind] = &[Query, Prompt, Memo];
const CANDIDATES: &[ModeKind] = &[Prompt];

actions! {
    Down => "down", "", "down: next unit, indicator, hit, annotation or line", ["j", "Down"], NSH;
    Up => "up", "", "up: previous unit, indicator, hit, annotation or line", ["k", "Up"], NSH;
    PageDown => "page_down", "", "page down", ["PageDown", "C-d"], NSH;
    PageUp => "page_up", "", "page up", ["PageUp", "C-u"], NSH;
    Top => "top", "", "to the first unit, indicator or line", ["g", "Home"], &[Normal, Search, Help, Orphans];
    Bottom => "bottom", "", "to the last unit, indicator or line", ["G", "End"], &[Normal, Search, Help, Orphans];
    NextUncoded => "next_uncoded", "", "next uncoded unit", [">"], NS;
    PrevUncoded => "previous_uncoded", "", "previous uncoded unit", ["<"], NS;
    NextCoded => "next_coded", "", "next coded unit", ["}"], NS;
    PrevCoded => "previous_coded", "", "previous coded unit", ["{"], NS;
    NextDocument => "next_document", "", "next document", ["]"], NS;
    PrevDocument => "previous_document", "", "previous document", ["["], NS;
    PickDocument => "pick_document", "", "open a document (fuzzy picker)", ["o", "C-p"], NS;
    NextPane => "next_pane", "", "next pane", ["Tab"], NS;
    PrevPane => "previous_pane", "", "previous pane", ["S-Tab"], NS;
    Toggle => "toggle", "code", "toggle the highlighted indicator on the unit (or the selected span)", ["Enter"], NV;
    QuickAssign => "quick_assign", "quick-assign", "quick-assign: type an id or part of a label, Enter toggles it", ["a"], NV;
    Recent1 => "recent_1", "", "toggle recently used indicator #1", ["1"], NV;
    Recent2 => "recent_2", "", "toggle recently used indicator #2", ["2"], NV;
    Recent3 => "recent_3", "", "toggle recently used indicator #3", ["3"], NV;
    Recent4 => "recent_4", "", "toggle recently used indicator #4", ["4"], NV;
    Recent5 => "recent_5", "", "toggle recently used indicator #5", ["5"], NV;
    Recent6 => "recent_6", "", "toggle recently used indicator #6", ["6"], NV;
    Recent7 => "recent_7", "", "toggle recently used indicator #7", ["7"], NV;
    Recent8 => "recent_8", "", "toggle recently used indicator #8", ["8"], NV;
    Recent9 => "recent_9", "", "toggle recently used indicator #9", ["9"], NV;
    Visual => "select_span", "select", "select a span of the unit, from where the cursor was last", ["v"], NS;
    Memo => "memo", "memo", "memo on the unit's annotation (or the selected span's)", ["m"], NV;
    DocumentMemo => "document_memo", "", "memo on the document", ["M"], NS;
    ToggleDone => "toggle_done", "", "mark the document done / in progress", ["D"], NS;
    Undo => "undo", "", "undo", ["u"], &[Normal, Visual, Search, Review, Orphans];
    Redo => "redo", "", "redo", ["C-r"], &[Normal, Visual, Search, Orphans];
    Filter => "filter_codebook", "", "filter the codebook by id or label", ["f"], NS;
    Search => "search", "search", "search the corpus (in the results: edit the query)", ["/"], NS;
    NextHit => "next_hit", "", "next search hit, from anywhere", ["n"], NS;
    PrevHit => "previous_hit", "", "previous search hit, from anywhere", ["N"], NS;
    Review => "review", "", "review disagreements between coders and adjudicate", ["R"], NS;
    Reports => "reports", "", "reports: indicator frequencies, the agenda timeline and progress", ["r"], NS;
    Orphans => "orphans", "", "re-attach (or delete) your annotations that could not be placed after a document edit", ["O"], NS;
    NewIndicator => "new_indicator", "", "new indicator on the spot, and code the unit with it", ["+"], NS;
    RenameIndicator => "rename_indicator", "", "rename the highlighted indicator (every coder file follows)", ["e"], NS;
    MergeIndicator => "merge_indicator", "", "merge the highlighted indicator into another", ["&"], NS;
    EditIndicator => "edit_indicator", "", "edit the highlighted indicator: labels, definition, rules, examples, category", ["E"], NS;
    SplitIndicator => "split_indicator", "", "split the highlighted indicator: give each coded segment to a new one", ["S"], NS;
    RetireIndicator => "retire_indicator", "", "retire the highlighted indicator", ["X"], NS;
    AcceptSuggestion1 => "accept_suggestion", "", "accept the first suggestion for the unit (recorded as suggested; u undoes it)", ["y", "A-1"], &[Normal];
    AcceptSuggestion2 => "accept_suggestion_2", "", "accept suggestion #2", ["A-2"], &[Normal];
    AcceptSuggestion3 => "accept_suggestion_3", "", "accept suggestion #3", ["A-3"], &[Normal];
    AcceptSuggestion4 => "accept_suggestion_4", "", "accept suggestion #4", ["A-4"], &[Normal];
    AcceptSuggestion5 => "accept_suggestion_5", "", "accept suggestion #5", ["A-5"], &[Normal];
    RejectSuggestion => "reject_suggestion", "", "reject the first suggestion: not offered for this unit again", ["x"], &[Normal];
    LeastSure => "least_sure", "", "to the uncoded unit the recommender is least sure about", ["w"], &[Normal];

    CharRight => "char_right", "", "move the moving end one character right", ["l", "Right"], &[Visual];
    CharLeft => "char_left", "", "move the moving end one character left", ["h", "Left"], &[Visual];
    WordForward => "word_forward", "word", "move the moving end a word forward", ["w"], &[Visual];
    WordBack => "word_back", "word back", "move the moving end a word back", ["b"], &[Visual];
    UnitStart => "unit_start", "", "move the moving end to the unit's start", ["0", "Home"], &[Visual];
    UnitEnd => "unit_end", "", "move the moving end to the unit's end", ["$", "End"], &[Visual];
    SwapEnds => "swap_ends", "other end", "swap the ends, to move the other one", ["o"], &[Visual];

    OpenHit => "open_hit", "open", "open the highlighted hit in the document pane", ["Enter"], &[Search];
    MarkHit => "mark_hit", "mark", "mark or unmark the highlighted hit", ["Space"], &[Search];
    CodeHits => "code_hits", "code marked (or all)", "code the marked hits (or every hit) with an indicator, after you confirm", ["a"], &[Search];
    EndQuery => "end_query", "results", "to the results", ["Enter", "Down", "Tab"], &[Query];

    Submit => "submit", "accept", "accept (in a memo: save it)", ["Enter"], &[Prompt, Confirm];
    SaveMemo => "save_memo", "save", "save the memo", ["C-s", "A-Enter"], &[Memo];
    NewLine => "new_line", "new line", "start a new line", ["Enter"], &[Memo];
    NextCandidate => "next_candidate", "", "next candidate", ["Down", "Tab", "C-n"], CANDIDATES;
    PrevCandidate => "previous_candidate", "", "previous candidate", ["Up", "S-Tab", "C-p"], CANDIDATES;
    DeleteChar => "delete_char", "", "delete the last character", ["Backspace"], TEXT;
    ClearInput => "clear_input", "", "clear what was typed", ["C-u"], TEXT;
    Yes => "yes", "yes", "yes: make the change", ["y"], &[Confirm];

    NextDisagreement => "next_disagreement", "next", "next disagreement (scrolls the table when it is shown)", ["j", "n", "Down"], &[Review];
    PrevDisagreement => "previous_disagreement", "previous", "previous disagreement (scrolls the table when it is shown)", ["k", "N", "Up"], &[Review];
    Take1 => "take_1", "choose", "review: take coder #1's codes · split: give the segment to target #1", ["1"], &[Review, Split];
    Take2 => "take_2", "", "review: take coder #2's codes · split: give the segment to target #2", ["2"], &[Review, Split];
    Take3 => "take_3", "", "review: take coder #3's codes · split: give the segment to target #3", ["3"], &[Review, Split];
    Take4 => "take_4", "", "review: take coder #4's codes · split: give the segment to target #4", ["4"], &[Review, Split];
    Take5 => "take_5", "", "review: take coder #5's codes · split: give the segment to target #5", ["5"], &[Review, Split];
    Take6 => "take_6", "", "review: take coder #6's codes · split: give the segment to target #6", ["6"], &[Review, Split];
    Take7 => "take_7", "", "review: take coder #7's codes · split: give the segment to target #7", ["7"], &[Review, Split];
    Take8 => "take_8", "", "review: take coder #8's codes · split: give the segment to target #8", ["8"], &[Review, Split];
    Take9 => "take_9", "", "review: take coder #9's codes · split: give the segment to target #9", ["9"], &[Review, Split];
    TakeUnion => "take_union", "union", "take every code any coder gave", ["U"], &[Review];
    TakeIntersection => "take_intersection", "common", "take the codes every coder gave", ["I"], &[Review];
    EditConsensus => "edit_consensus", "edit", "toggle one code in the consensus (starting from the codes every coder gave)", ["a", "e"], &[Review];
    ShowUnit => "show_unit", "in context", "show the unit in its document, or back to the review", ["Enter"], &[Review];
    AgreementTable => "agreement_table", "table", "show or hide the agreement table", ["t"], &[Review];

    SwitchTab => "switch_tab", "next tab", "next tab: frequencies, agenda timeline, progress", ["Tab", "S-Tab", "h", "l", "Left", "Right"], &[Reports];

    SkipSegment => "skip_segment", "skip", "leave the segment with the indicator being split, to the next", ["s", "l", "Right"], &[Split];
    BackSegment => "back_segment", "back", "back to the previous segment", ["h", "Backspace", "Left"], &[Split];
    ApplySplit => "apply_split", "apply", "make the split as decided", ["Enter"], &[Split];

    OrphanSide => "orphans_list_or_document", "list / document", "move in the list of annotations, or in the document to the unit where the passage is now", ["Tab", "S-Tab"], &[Orphans];
    Reattach => "reattach", "attach to unit", "attach the highlighted annotation to the current unit of the document (u undoes it)", ["Enter"], &[Orphans];
    DeleteOrphan => "delete_orphan", "delete", "delete the highlighted annotation, after you confirm (u undoes it)", ["d"], &[Orphans];

    Help => "help", "help", "show or hide this help (F1 where ? is typed)", ["?", "F1"], EVERY;
    Quit => "quit", "", "save and quit", ["q"], &[Normal];
    Cancel => "cancel", "back", "back to the document pane, with nothing left open (in a prompt: cancel it)", ["Esc"], EVERY;
    Close => "close", "", "close this view", ["q"], &[Help, Review, Reports, Split, Orphans];
}

impl Action {
    pub fn def(self) -> &'static ActionDef {
        ACTIONS
            .iter()
            .find(|d| d.action == self)
            .expect("every action has a row in ACTIONS")
    }

    /// The name used in the config file.
    pub fn name(self) -> &'static str {
        self.def().name
    }

    pub fn description(self) -> &'static str {
        self.def().doc
    }

    pub fn from_name(name: &str) -> Option<Action> {
        ACTIONS.iter().find(|d| d.name == name).map(|d| d.action)
    }

    pub fn is_in(self, mode: ModeKind) -> bool {
        self.def().modes.contains(&mode)
    }

    /// Recent code #n (1-9), for the digit actions of the coding modes.
    pub fn recent(self) -> Option<usize> {
        use Action::*;
        let n = [
            Recent1, Recent2, Recent3, Recent4, Recent5, Recent6, Recent7, Recent8, Recent9,
        ]
        .iter()
        .position(|a| *a == self)?;
        Some(n + 1)
    }

    /// Suggestion #n (1-5) to accept.
    pub fn suggestion(self) -> Option<usize> {
        use Action::*;
        let n = [
            AcceptSuggestion1,
            AcceptSuggestion2,
            AcceptSuggestion3,
            AcceptSuggestion4,
            AcceptSuggestion5,
        ]
        .iter()
        .position(|a| *a == self)?;
        Some(n + 1)
    }

    /// Coder or target #n (1-9), in review and split.
    pub fn take(self) -> Option<usize> {
        use Action::*;
        let n = [
            Take1, Take2, Take3, Take4, Take5, Take6, Take7, Take8, Take9,
        ]
        .iter()
        .position(|a| *a == self)?;
        Some(n + 1)
    }

    /// Every action, in table order.
    pub fn all() -> impl Iterator<Item = Action> {
        ACTIONS.iter().map(|d| d.action)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn names_are_unique_and_every_action_has_a_mode_and_a_key() {
        let mut names = HashSet::new();
        for def in ACTIONS {
            assert!(names.insert(def.name), "{} twice", def.name);
            assert!(!def.modes.is_empty(), "{} has no mode", def.name);
            assert!(!def.keys.is_empty(), "{} has no key", def.name);
            assert_eq!(Action::from_name(def.name), Some(def.action));
        }
    }

    #[test]
    fn every_mode_can_be_left_with_esc() {
        for mode in ModeKind::ALL {
            assert!(Action::Cancel.is_in(mode), "{mode:?}");
        }
    }
}
