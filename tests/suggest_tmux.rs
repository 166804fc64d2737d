//! Suggestions in a real terminal (tmux): shown beside the codebook once the recommender has
//! trained in the background, `y` accepts the first and the coder file records where it came
//! from, `x` rejects one into `annotations/rejections/CODER.yaml`, `u` undoes an acceptance;
//! `--no-suggestions` shows none.

mod common;

use common::{Session, tmux_available};

#[test]
fn accept_reject_and_undo_suggestions_in_a_real_terminal() {
    if !tmux_available() {
        return;
    }
    let s = Session::new("suggest");
    // alice has documents marked done: the recommender trains on them.
    s.start("main", "alice");
    s.wait_for("main", "Suggestions");
    s.keys("main", &["o", "microsoft-2018", "Enter"]);
    s.wait_for("main", "company/microsoft-2018");
    // An uncoded unit, then the first suggestion accepted.
    s.keys("main", &[">"]);
    let screen = s.wait_until("main", "a suggestion on screen", |screen| {
        screen.contains("│y   ")
    });
    assert!(!screen.contains("no suggestion for this unit"), "{screen}");
    s.keys("main", &["y"]);
    s.wait_for("main", "accepted the suggestion");
    let file = s.wait_for_file("alice", "model: normcode-recommender/1");
    assert!(file.contains("      suggested:\n      - code: "), "{file}");
    assert!(file.contains("    suggestions: true\n"), "{file}");
    // Undo takes the accepted code back, and the file follows.
    s.keys("main", &["u"]);
    s.wait_for("main", "undone: accepted the suggestion");
    s.wait_until("main", "the save", |_| {
        !s.coder_file("alice").contains("normcode-recommender/1")
    });
    // A rejection goes to the coder's rejections file.
    s.keys("main", &["x"]);
    s.wait_for("main", "not offered there again");
    let rejections = s.project.path().join("annotations/rejections/alice.yaml");
    let text = std::fs::read_to_string(&rejections).unwrap();
    assert!(text.contains("coder: alice"), "{text}");
    assert!(text.contains("company/microsoft-2018:"), "{text}");
    s.keys("main", &["q"]);
    s.wait_dead("main");
    assert!(s.leftovers().is_empty(), "{:?}", s.leftovers());

    // Blind coding: no suggestions.
    s.start_args("blind", "--coder alice --no-suggestions", None);
    let screen = s.wait_for("blind", "alice");
    assert!(!screen.contains("Suggestions"), "{screen}");
    s.keys("blind", &["y"]);
    s.wait_for("blind", "--no-suggestions");
    s.keys("blind", &["q"]);
}
