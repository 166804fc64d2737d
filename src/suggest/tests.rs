use std::path::Path;
use std::sync::Arc;

use super::*;
use crate::annotations::{Anchoring, Annotation, DocumentCoding};
use crate::corpus::{CodePointRange, Document, Segmentation};

#[test]
fn recommender_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Recommender>();
}

fn corpus() -> Corpus {
    let doc = |id: &str, body: &str| {
        Document::parse(
            DocumentId::new(id),
            Path::new("x.md"),
            &format!("---\ntitle: {id}\n---\n{body}"),
            Segmentation::Paragraph,
        )
        .unwrap()
    };
    Corpus::from_documents(
        vec![
            doc(
                "a",
                "First paragraph on vulnerability disclosure.\n\nSecond paragraph on norms.\n",
            ),
            doc("b", "Only paragraph of b.\n"),
        ],
        Vec::new(),
    )
}

fn coding(status: Status, annotations: Vec<Annotation>) -> Arc<DocumentCoding> {
    Arc::new(DocumentCoding {
        status,
        memo: None,
        suggestions: false,
        annotations,
    })
}

#[test]
fn examples_are_the_units_of_done_documents_with_codes_spans_and_rejections() {
    let corpus = corpus();
    let a = corpus.get(&DocumentId::new("a")).unwrap();
    let first = a.units[0].id.clone();
    let second = a.units[1].id.clone();
    let now = crate::annotations::now();
    let mut span = Annotation::new_unit(first.clone(), vec![IndicatorId::new("VU01")], now);
    let start = a.units[0].range.start + 19;
    span.span = Some(CodePointRange::new(start, start + 24));
    let mut orphan = Annotation::new_unit(second.clone(), vec![IndicatorId::new("XX99")], now);
    orphan.anchoring = Anchoring::Orphaned;
    let mut alice = CoderFile::new("alice", None);
    alice.documents.insert(
        DocumentId::new("a"),
        coding(
            Status::Done,
            vec![
                Annotation::new_unit(first.clone(), vec![IndicatorId::new("NM01")], now),
                span,
                orphan,
            ],
        ),
    );
    alice
        .documents
        .insert(DocumentId::new("b"), coding(Status::InProgress, Vec::new()));
    let mut bob = CoderFile::new("bob", None);
    bob.documents
        .insert(DocumentId::new("b"), coding(Status::Done, Vec::new()));
    let mut rejected = Rejections::new();
    rejected.insert(
        (DocumentId::new("a"), second.clone()),
        BTreeSet::from([IndicatorId::new("TH01")]),
    );

    let mine = examples(
        &corpus,
        &[&alice, &bob],
        &TrainOn::Coder("alice".into()),
        &rejected,
    );
    assert_eq!(
        mine.len(),
        2,
        "only document a is done for alice: {mine:#?}"
    );
    assert_eq!(
        mine[0].codes,
        BTreeSet::from([IndicatorId::new("NM01"), IndicatorId::new("VU01")])
    );
    assert_eq!(mine[0].spans.len(), 1);
    assert_eq!(mine[0].spans[0].text, "vulnerability disclosure");
    assert!(mine[0].text.starts_with("First paragraph"));
    assert!(
        mine[1].codes.is_empty(),
        "an orphaned annotation does not count"
    );
    assert_eq!(mine[1].rejected, BTreeSet::from([IndicatorId::new("TH01")]));

    let all = examples(&corpus, &[&alice, &bob], &TrainOn::All, &rejected);
    assert_eq!(all.len(), 3);
    assert_eq!(all[2].document.as_str(), "b");
    let consensus = examples(&corpus, &[&alice, &bob], &TrainOn::Consensus, &rejected);
    assert!(consensus.is_empty());
}

#[test]
fn a_file_the_recommender_wrote_is_known_and_left_out_of_all() {
    let corpus = corpus();
    let cb = crate::codebook::Codebook::parse(
        Path::new("codebook.yaml"),
        crate::codebook::DEFAULT_CODEBOOK,
    )
    .unwrap();
    let file = machine::code_corpus(
        &cb,
        &corpus,
        &[],
        "m",
        0.0,
        "nothing",
        crate::annotations::now(),
    );
    assert!(machine::is_machine_file(&file));
    assert_eq!(file.documents.len(), 2);
    assert!(file.documents.values().all(|d| d.status == Status::Done));
    assert!(examples(&corpus, &[&file], &TrainOn::All, &Rejections::new()).is_empty());
    assert_eq!(
        examples(
            &corpus,
            &[&file],
            &TrainOn::Coder("m".into()),
            &Rejections::new()
        )
        .len(),
        3
    );
    let mut person = file.clone();
    Arc::make_mut(person.documents.get_mut(&DocumentId::new("a")).unwrap()).memo =
        Some("my own memo".into());
    assert!(!machine::is_machine_file(&person));
    assert!(!machine::is_machine_file(&CoderFile::new("empty", None)));
}

#[test]
fn train_on_reads_all_consensus_or_a_name() {
    assert_eq!(TrainOn::parse("all"), TrainOn::All);
    assert_eq!(TrainOn::parse("consensus"), TrainOn::Consensus);
    assert_eq!(TrainOn::parse(" alice "), TrainOn::Coder("alice".into()));
}

#[test]
fn an_exclude_rule_word_counts_against_its_indicator() {
    let yaml = "name: T\nversion: \"1\"\nlanguages: [en]\ncategories:\n  - id: C\n    label: {en: C}\n    indicators:\n      - id: A1\n        label: {en: Attack on infrastructure}\n        definition: {en: Attacks on critical infrastructure.}\n        exclude: [{en: Mere espionage is not an attack.}]\n";
    let cb = crate::codebook::Codebook::parse(Path::new("codebook.yaml"), yaml).unwrap();
    let r = Recommender::train(&cb, &[]);
    let none = BTreeSet::new();
    let plain = r.suggest("an attack on critical infrastructure", 1, &none);
    let spied = r.suggest(
        "espionage against critical infrastructure, an attack",
        1,
        &none,
    );
    assert_eq!(plain[0].indicator.as_str(), "A1");
    assert!(spied[0].score < plain[0].score, "{spied:?} {plain:?}");
    assert_eq!(spied[0].evidence.excluded, 1);
    assert!(
        spied[0]
            .reason
            .contains("“espionage” is in its exclude rule"),
        "{}",
        spied[0].reason
    );
}
