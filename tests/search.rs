//! Full-text search: real tantivy indexes over small projects in temporary folders, through
//! the library API and through `normcode search` / `normcode index`.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::cargo::cargo_bin_cmd;
use normcode::annotations::Annotation;
use normcode::corpus::{CodePointRange, UnitId};
use normcode::project::Project;
use normcode::search::{
    self, Hit, LOCK_FILE, META_FILE, OpenOptions, ParseMode, SearchIndex, SearchOptions,
    SyncReport, grams::GramRule,
};
use serde_json::Value;
use tempfile::TempDir;

const CODEBOOK: &str = r#"name: Search test
version: "1.0"
languages: [en]
variables:
  - id: publisher
    label: {en: Publisher}
    type: category
    values:
      - id: UN GGE
      - id: Microsoft
  - id: year
    label: {en: Year}
    type: integer
  - id: region
    label: {en: Region}
    type: text
categories:
  - id: VULN
    label: {en: Vulnerabilities}
    indicators:
      - id: VU01
        label: {en: Responsible disclosure}
        definition: {en: Report vulnerabilities.}
      - id: IL01
        label: {en: International law applies}
        definition: {en: Law applies.}
"#;

const GGE: &str = "---
title: Report of the Group of Governmental Experts
publisher: UN GGE
year: 2015
language: en
region: global
---
1. The Group met in four sessions in New York and Geneva.

13. States should consider the following norms:
(a) States should not knowingly allow their territory to be used for internationally wrongful acts;
(j) States should encourage responsible reporting and disclosure of ICT vulnerabilities.

14. Disclosure of vulnerabilities can help the attribution of incidents.
";

const MICROSOFT: &str = "---
title: Cybersecurity norms for a safer world
publisher: Microsoft
year: 2013
language: en
---
Governments should not target vulnerabilities in commercial products.

Coordinated vulnerability disclosure protects customers.

Cloud security matters for everyone.
";

const GGE_ZH: &str = "---
title: 政府专家组的报告
publisher: UN GGE
year: 2015
language: zh
---
4. 针对向公众提供基本服务的关键基础设施的恶意活动尤其令人关切。

5. 各国应鼓励负责任地报告信息通信技术漏洞。
";

const MIXED: &str = "---
title: Mixed notes
year: 2016
language: en
---
Résumé: the ICT安全 framework protects 供应链 integrity and critical infrastructure (关键基础设施).
";

const ALICE: &str = r#"schema: 1
coder: alice
codebook_version: "1.0"
documents:
  un/gge-2015:
    status: done
    annotations:
      - unit: "13.j"
        codes: [VU01]
        memo: "Clear case of responsible disclosure."
      - unit: "14"
        codes: [IL01]
        memo: "About attribution, not disclosure."
  company/ms-2013:
    status: in_progress
    annotations:
      - unit: "p2"
        codes: [VU01]
"#;

const BOB: &str = r#"schema: 1
coder: bob
codebook_version: "1.0"
documents:
  un/gge-2015:
    annotations:
      - unit: "14"
        codes: [VU01]
"#;

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A project with four documents (English, Chinese, mixed) and two coder files.
fn project_dir() -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(&root.join("codebook.yaml"), CODEBOOK);
    write(&root.join("documents/un/gge-2015.md"), GGE);
    write(&root.join("documents/company/ms-2013.md"), MICROSOFT);
    write(&root.join("documents/zh/gge-2015-zh.md"), GGE_ZH);
    write(&root.join("documents/mixed.md"), MIXED);
    write(&root.join("annotations/alice.yaml"), ALICE);
    write(&root.join("annotations/bob.yaml"), BOB);
    dir
}

struct Fixture {
    project_dir: TempDir,
    cache: TempDir,
}

impl Fixture {
    fn new() -> Self {
        Self {
            project_dir: project_dir(),
            cache: tempfile::tempdir().unwrap(),
        }
    }

    fn root(&self) -> &Path {
        self.project_dir.path()
    }

    fn index_dir(&self) -> PathBuf {
        self.cache.path().join("index")
    }

    fn options(&self) -> OpenOptions {
        OpenOptions {
            index_dir: Some(self.index_dir()),
            ..OpenOptions::default()
        }
    }

    fn project(&self) -> Project {
        Project::open(self.root()).unwrap()
    }

    fn open(&self) -> (SearchIndex, SyncReport) {
        self.open_with(&self.options())
    }

    fn open_with(&self, options: &OpenOptions) -> (SearchIndex, SyncReport) {
        let mut steps = 0;
        let opened =
            SearchIndex::open_with(&self.project(), &[], options, &mut |_| steps += 1).unwrap();
        if opened.1.units > 0 {
            assert!(steps > 0, "progress is reported while writing");
        }
        opened
    }
}

fn strict(limit: usize) -> SearchOptions {
    SearchOptions {
        limit,
        mode: ParseMode::Strict,
        ..SearchOptions::default()
    }
}

/// `document#unit` of every hit, sorted.
fn ids(hits: &[Hit]) -> Vec<String> {
    let mut ids: Vec<String> = hits
        .iter()
        .map(|h| format!("{}#{}", h.document, h.unit))
        .collect();
    ids.sort();
    ids
}

fn find(index: &SearchIndex, query: &str) -> Vec<String> {
    ids(&index
        .search(query, &strict(100))
        .unwrap_or_else(|e| panic!("{query}: {e}")))
}

#[test]
fn english_words_phrases_prefixes_booleans_and_fields() {
    let fixture = Fixture::new();
    let (index, report) = fixture.open();
    assert_eq!(report.added, 4, "{report:?}");
    assert_eq!(report.rebuilt.as_deref(), Some("there was no index yet"));

    // Words: all required, case-insensitive, accents folded.
    assert_eq!(
        find(&index, "Disclosure"),
        ["company/ms-2013#p2", "un/gge-2015#13.j", "un/gge-2015#14"]
    );
    assert_eq!(find(&index, "disclosure attribution"), ["un/gge-2015#14"]);
    assert_eq!(find(&index, "resume"), ["mixed#p1"]);
    // Phrases keep their order.
    assert_eq!(
        find(&index, "\"responsible reporting\""),
        ["un/gge-2015#13.j"]
    );
    assert!(find(&index, "\"reporting responsible\"").is_empty());
    // Prefixes, alone and at the end of a phrase.
    assert_eq!(
        find(&index, "vulnerab*"),
        [
            "company/ms-2013#p1",
            "company/ms-2013#p2",
            "un/gge-2015#13.j",
            "un/gge-2015#14"
        ]
    );
    assert_eq!(
        find(&index, "\"coordinated vuln\"*"),
        ["company/ms-2013#p2"]
    );
    // Booleans, in words and in signs.
    assert_eq!(
        find(&index, "vulnerabilities AND NOT disclosure"),
        ["company/ms-2013#p1"]
    );
    assert_eq!(
        find(&index, "+vulnerabilities -commercial -attribution"),
        ["un/gge-2015#13.j"]
    );
    assert_eq!(
        find(&index, "cloud OR 供应链"),
        ["company/ms-2013#p3", "mixed#p1"]
    );
    assert_eq!(
        find(&index, "(cloud OR geneva) security"),
        ["company/ms-2013#p3"]
    );
    // Fields: variables, ranges, ids, the title.
    assert_eq!(find(&index, "publisher:microsoft").len(), 3);
    assert_eq!(
        find(&index, "publisher:\"UN GGE\" vulnerabilities"),
        ["un/gge-2015#13.j", "un/gge-2015#14"]
    );
    assert_eq!(
        find(&index, "year:[2013 TO 2014]").len(),
        3,
        "only the 2013 document"
    );
    assert_eq!(
        find(&index, "year:{2013 TO 2016]").len(),
        5 + 2 + 1,
        "2015 and 2016, not 2013"
    );
    assert_eq!(find(&index, "year:2016"), ["mixed#p1"]);
    assert_eq!(
        find(&index, "region:global").len(),
        5,
        "a codebook variable"
    );
    assert_eq!(find(&index, "language:zh").len(), 2);
    assert_eq!(find(&index, "unit:13.j"), ["un/gge-2015#13.j"]);
    assert_eq!(find(&index, "document:company/ms-2013").len(), 3);
    assert_eq!(find(&index, "title:cybersecurity").len(), 3);
    // Unfielded words search the title too.
    assert_eq!(find(&index, "cybersecurity cloud"), ["company/ms-2013#p3"]);
}

#[test]
fn chinese_substrings_and_mixed_text() {
    let fixture = Fixture::new();
    let (index, _) = fixture.open();
    let both = ["mixed#p1", "zh/gge-2015-zh#4"];
    assert_eq!(find(&index, "关键基础设施"), both);
    assert_eq!(find(&index, "基础"), both);
    assert_eq!(find(&index, "础设"), both);
    assert_eq!(find(&index, "\"础设\""), both);
    assert!(find(&index, "设基").is_empty(), "characters out of order");
    assert_eq!(
        find(&index, "漏"),
        ["zh/gge-2015-zh#5"],
        "a single character"
    );
    assert_eq!(
        find(&index, "漏洞 OR 供应链"),
        ["mixed#p1", "zh/gge-2015-zh#5"]
    );
    // Mixed: Latin words and Han characters side by side, in one word of the query.
    assert_eq!(find(&index, "ict安全"), ["mixed#p1"]);
    assert_eq!(find(&index, "ICT 安全 integrity"), ["mixed#p1"]);
    assert!(find(&index, "安全 cloud").is_empty());
    assert_eq!(find(&index, "title:专家组").len(), 2);
}

#[test]
fn codes_coders_and_memos_from_the_coder_files() {
    let fixture = Fixture::new();
    let (index, _) = fixture.open();
    assert_eq!(
        find(&index, "code:VU01"),
        ["company/ms-2013#p2", "un/gge-2015#13.j", "un/gge-2015#14"]
    );
    // Side by side, a code and a coder go together: on unit 14 bob coded VU01 and alice
    // coded IL01, so it is not a unit alice coded VU01.
    assert_eq!(
        find(&index, "code:VU01 coder:alice disclosure"),
        ["company/ms-2013#p2", "un/gge-2015#13.j"]
    );
    assert_eq!(find(&index, "code:vu01 coder:bob"), ["un/gge-2015#14"]);
    assert!(find(&index, "code:IL01 coder:bob").is_empty());
    // Under OR they keep their own meaning.
    assert_eq!(find(&index, "code:IL01 OR coder:bob"), ["un/gge-2015#14"]);
    assert_eq!(find(&index, "coder:alice").len(), 3);
    assert_eq!(find(&index, "code:VU0*"), find(&index, "code:VU01"));
    assert_eq!(find(&index, "memo:attribution"), ["un/gge-2015#14"]);
    assert_eq!(find(&index, "memo:disclosure").len(), 2);
    assert_eq!(find(&index, "memo:*").len(), 2, "units with any memo");
    assert_eq!(find(&index, "NOT code:*").len(), 11 - 3, "uncoded units");
}

#[test]
fn matches_and_snippets_are_in_code_points_of_the_body() {
    let fixture = Fixture::new();
    let project = fixture.project();
    let (index, _) = fixture.open();
    for (query, expected) in [
        ("integrity", "integrity"),
        ("供应链", "供应链"),
        ("恶意活动", "恶意活动"),
        ("ict安全", "ICT安全"),
        ("resume", "Résumé"),
    ] {
        let hits = index.search(query, &strict(10)).unwrap();
        assert_eq!(hits.len(), 1, "{query}");
        let hit = &hits[0];
        let document = project.corpus.get(&hit.document).unwrap();
        assert_eq!(hit.matches.len(), 1, "{query}: {hit:?}");
        let m = hit.matches[0];
        assert!(hit.unit_range.contains_range(&m), "{query}: {hit:?}");
        assert_eq!(document.slice(m), Some(expected), "{query}");
        assert_eq!(document.slice(hit.unit_range), Some(hit.text.as_str()));
        assert!(
            hit.snippet
                .render("[", "]")
                .contains(&format!("[{expected}]")),
            "{query}: {:?}",
            hit.snippet
        );
    }
    // A phrase is one match from its first word to its last; negated words are not shown.
    let hits = index
        .search("\"ICT vulnerabilities\" -commercial", &strict(10))
        .unwrap();
    let document = project.corpus.get(&hits[0].document).unwrap();
    let shown: Vec<_> = hits[0]
        .matches
        .iter()
        .map(|m| document.slice(*m).unwrap())
        .collect();
    assert_eq!(shown, ["ICT vulnerabilities"]);
    // The same ranges without an index.
    let unit = &document.units[document.unit_position(&UnitId::new("13.j")).unwrap()];
    assert_eq!(
        search::match_ranges(
            "\"ict vulnerabilities\"",
            false,
            document.unit_text(unit),
            unit.range.start
        ),
        hits[0].matches
    );
}

#[test]
fn fuzzy_matching_is_an_option() {
    let fixture = Fixture::new();
    let (index, _) = fixture.open();
    assert!(find(&index, "vulnerabilites").is_empty());
    let fuzzy = SearchOptions {
        fuzzy: true,
        ..strict(10)
    };
    let hits = index.search("vulnerabilites", &fuzzy).unwrap();
    // Two edits away from "vulnerabilities" and from "vulnerability".
    assert_eq!(
        ids(&hits),
        [
            "company/ms-2013#p1",
            "company/ms-2013#p2",
            "un/gge-2015#13.j",
            "un/gge-2015#14"
        ]
    );
    assert!(
        !hits[0].matches.is_empty(),
        "near spellings are highlighted"
    );
    assert!(
        index
            .search("\"vulnerabilites\"", &fuzzy)
            .unwrap()
            .is_empty(),
        "quoted words stay exact"
    );
}

#[test]
fn half_typed_queries_never_fail_in_lenient_mode_and_do_in_strict() {
    let fixture = Fixture::new();
    let (index, _) = fixture.open();
    let lenient = SearchOptions::default();
    for query in [
        "\"vulner",
        "code:",
        "year:[2013 TO",
        "disclosure AND",
        "(cloud OR",
        "foo:bar",
        "vul*ab",
        "year:abc",
        "",
        "-",
        "\"",
        "[",
        ")",
        "coder:alice code:",
    ] {
        index
            .search(query, &lenient)
            .unwrap_or_else(|e| panic!("lenient {query:?}: {e}"));
        let err = index.search(query, &strict(10)).unwrap_err();
        assert!(err.is_usage(), "{query:?}");
        assert!(err.to_string().starts_with("bad query"), "{query:?}: {err}");
    }
    // What the lenient parse makes of them.
    assert_eq!(
        ids(&index.search("disclosure AND", &lenient).unwrap()).len(),
        3
    );
    assert_eq!(
        ids(&index.search("year:[2015 TO", &lenient).unwrap()).len(),
        8,
        "an open range"
    );
    let typing = SearchOptions {
        as_you_type: true,
        ..SearchOptions::default()
    };
    assert_eq!(
        ids(&index.search("coordinated vulner", &typing).unwrap()),
        ["company/ms-2013#p2"]
    );
    let message = index
        .search("\"vulner", &strict(10))
        .unwrap_err()
        .to_string();
    assert!(message.contains("quote is not closed"), "{message}");
    let message = index
        .search("sector:ict", &strict(10))
        .unwrap_err()
        .to_string();
    assert!(message.contains("no field 'sector'"), "{message}");
}

#[test]
fn incremental_updates_reindex_only_what_changed() {
    let fixture = Fixture::new();
    let (index, _) = fixture.open();
    assert_eq!(find(&index, "cloud"), ["company/ms-2013#p3"]);

    // Nothing changed: nothing written.
    let (_, report) = fixture.open();
    assert_eq!(report.unchanged, 4, "{report:?}");
    assert!(!report.changed(), "{report:?}");

    // One document edited: only it is reindexed; the open index sees it at once.
    let path = fixture.root().join("documents/company/ms-2013.md");
    write(&path, &MICROSOFT.replace("Cloud security", "Edge security"));
    let report = index.sync(&fixture.project(), &[], &mut |_| {}).unwrap();
    assert_eq!(
        (
            report.added,
            report.updated,
            report.removed,
            report.unchanged
        ),
        (0, 1, 0, 3),
        "{report:?}"
    );
    assert_eq!(report.units, 3, "the three units of the edited document");
    assert_eq!(find(&index, "edge"), ["company/ms-2013#p3"]);
    assert!(find(&index, "cloud").is_empty());

    // A document deleted and one added.
    std::fs::remove_file(fixture.root().join("documents/mixed.md")).unwrap();
    write(
        &fixture.root().join("documents/new.txt"),
        "Supply chain integrity.",
    );
    let report = index.sync(&fixture.project(), &[], &mut |_| {}).unwrap();
    assert_eq!(
        (
            report.added,
            report.updated,
            report.removed,
            report.unchanged
        ),
        (1, 0, 1, 3),
        "{report:?}"
    );
    assert!(find(&index, "供应链").is_empty());
    assert_eq!(find(&index, "integrity"), ["new#p1"]);
    assert_eq!(find(&index, "基础"), ["zh/gge-2015-zh#4"]);

    // A fresh process sees the same.
    drop(index);
    let (index, report) = fixture.open();
    assert!(!report.changed(), "{report:?}");
    assert_eq!(find(&index, "edge"), ["company/ms-2013#p3"]);
}

#[test]
fn annotation_changes_reindex_only_their_documents() {
    let fixture = Fixture::new();
    let (index, _) = fixture.open();
    let project = fixture.project();
    assert!(find(&index, "code:IL01 coder:alice commercial").is_empty());

    // The TUI's way: the coder file as it holds it (here: just saved).
    let mut alice = project.load_coder("alice").unwrap();
    let now = "2026-11-27T08:00:00Z".parse().unwrap();
    let mut annotation = Annotation::new_unit(UnitId::new("p1"), vec!["IL01".into()], now);
    annotation.memo = Some("Sovereignty over products".into());
    std::sync::Arc::make_mut(
        alice
            .file
            .documents
            .entry("company/ms-2013".into())
            .or_default(),
    )
    .annotations
    .push(annotation);
    project.save_coder(&mut alice).unwrap();
    let report = index
        .update_annotations(&project, std::slice::from_ref(&alice))
        .unwrap();
    assert_eq!((report.updated, report.unchanged), (1, 3), "{report:?}");
    assert_eq!(
        find(&index, "code:IL01 coder:alice commercial"),
        ["company/ms-2013#p1"]
    );
    assert_eq!(find(&index, "memo:sovereignty"), ["company/ms-2013#p1"]);
    // bob's file, read from disk, is still there.
    assert_eq!(find(&index, "coder:bob"), ["un/gge-2015#14"]);

    // A second edit of the same document in the same session (the index has seen this very
    // coder file before) is a change too.
    let document = alice.file.documents.get_mut("company/ms-2013").unwrap();
    let edited = std::sync::Arc::make_mut(document)
        .annotations
        .iter_mut()
        .find(|a| a.memo.is_some())
        .unwrap();
    edited.memo = Some("Sovereignty over devices".into());
    project.save_coder(&mut alice).unwrap();
    let report = index
        .update_annotations(&project, std::slice::from_ref(&alice))
        .unwrap();
    assert_eq!((report.updated, report.unchanged), (1, 3), "{report:?}");
    assert_eq!(find(&index, "memo:devices"), ["company/ms-2013#p1"]);
    assert!(find(&index, "memo:products").is_empty());

    // Another coder's file changed on disk (a git pull): picked up too.
    write(
        &fixture.root().join("annotations/bob.yaml"),
        &BOB.replace("VU01", "IL01"),
    );
    let report = index.update_annotations(&project, &[alice]).unwrap();
    assert_eq!(report.updated, 1, "{report:?}");
    assert_eq!(find(&index, "code:IL01 coder:bob"), ["un/gge-2015#14"]);

    // No change: no commit.
    let report = index.update_annotations(&project, &[]).unwrap();
    assert!(!report.changed(), "{report:?}");

    // A full update (a new session, `normcode index`) picks up annotation changes as well.
    drop(index);
    write(&fixture.root().join("annotations/bob.yaml"), BOB);
    let (index, report) = fixture.open();
    assert_eq!((report.updated, report.unchanged), (1, 3), "{report:?}");
    assert_eq!(find(&index, "code:VU01 coder:bob"), ["un/gge-2015#14"]);
    assert!(find(&index, "code:IL01 coder:bob").is_empty());
}

#[test]
fn a_schema_change_rebuilds_the_index() {
    let fixture = Fixture::new();
    let (index, _) = fixture.open();
    drop(index);
    let meta_path = fixture.index_dir().join(META_FILE);
    let mut meta: Value = serde_json::from_str(&std::fs::read_to_string(&meta_path).unwrap())
        .expect("the meta file is JSON");
    assert_eq!(meta["schema_version"], search::SCHEMA_VERSION);
    meta["schema_version"] = Value::from(search::SCHEMA_VERSION - 1);
    std::fs::write(&meta_path, meta.to_string()).unwrap();

    let (index, report) = fixture.open();
    let reason = report.rebuilt.expect("rebuilt");
    assert!(reason.contains("layout version"), "{reason}");
    assert_eq!(report.added, 4);
    assert_eq!(find(&index, "础设").len(), 2);

    // A new codebook variable changes the layout too.
    drop(index);
    let codebook = CODEBOOK.replace(
        "categories:",
        "  - id: sector\n    label: {en: Sector}\n    type: text\ncategories:",
    );
    write(&fixture.root().join("codebook.yaml"), &codebook);
    let (index, report) = fixture.open();
    assert!(report.rebuilt.is_some(), "{report:?}");
    assert!(
        find(&index, "sector:ict").is_empty(),
        "the new field exists"
    );

    // --rebuild.
    drop(index);
    let options = OpenOptions {
        rebuild: true,
        ..fixture.options()
    };
    let (_, report) = fixture.open_with(&options);
    assert_eq!(report.rebuilt.as_deref(), Some("a rebuild was asked for"));
}

#[test]
fn a_second_writer_waits_then_searches_the_last_commit() {
    let fixture = Fixture::new();
    let (index, _) = fixture.open();
    drop(index);
    write(
        &fixture.root().join("documents/company/ms-2013.md"),
        &MICROSOFT.replace("Cloud", "Edge"),
    );
    // Another process writing: it holds the lock file.
    let holder = File::options()
        .write(true)
        .open(fixture.index_dir().join(LOCK_FILE))
        .unwrap();
    holder.lock().unwrap();
    let options = OpenOptions {
        lock_wait: Duration::from_millis(100),
        ..fixture.options()
    };
    let (index, report) = fixture.open_with(&options);
    let note = report.read_only.expect("read only");
    assert!(note.contains("another normcode process"), "{note}");
    assert_eq!(
        find(&index, "cloud"),
        ["company/ms-2013#p3"],
        "the last commit"
    );
    // When it is done, the update goes through.
    holder.unlock().unwrap();
    let report = index.sync(&fixture.project(), &[], &mut |_| {}).unwrap();
    assert_eq!(report.updated, 1);
    assert_eq!(find(&index, "edge"), ["company/ms-2013#p3"]);

    // With no index yet there is nothing to search: a clear error.
    let other = Fixture::new();
    std::fs::create_dir_all(other.index_dir()).unwrap();
    let holder = File::create(other.index_dir().join(LOCK_FILE)).unwrap();
    holder.lock().unwrap();
    let options = OpenOptions {
        lock_wait: Duration::from_millis(100),
        ..other.options()
    };
    let err = SearchIndex::open_with(&other.project(), &[], &options, &mut |_| {})
        .err()
        .expect("busy");
    assert!(err.to_string().contains("try again"), "{err}");
}

#[test]
fn the_index_never_goes_inside_the_project() {
    let fixture = Fixture::new();
    let options = OpenOptions {
        index_dir: Some(fixture.root().join(".index")),
        ..OpenOptions::default()
    };
    let err = SearchIndex::open_with(&fixture.project(), &[], &options, &mut |_| {})
        .err()
        .expect("refused");
    assert!(err.to_string().contains("inside the project"), "{err}");
    assert!(
        !fixture.root().join(".index").exists(),
        "nothing was created"
    );
}

// ---- the command line ----

fn normcode(fixture: &Fixture) -> assert_cmd::Command {
    let mut cmd = cargo_bin_cmd!("normcode");
    cmd.env("XDG_CACHE_HOME", fixture.cache.path())
        .env_remove("NORMCODE_PROJECT")
        .arg("--project")
        .arg(fixture.root());
    cmd
}

fn listing(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(listing(&path));
        }
        out.push(path);
    }
    out.sort();
    out
}

#[test]
fn cli_index_lives_in_the_cache_folder_and_says_what_it_did() {
    let fixture = Fixture::new();
    let before = listing(fixture.root());
    let output = normcode(&fixture).arg("index").output().unwrap();
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.contains("4 documents indexed, 0 updated, 0 removed, 0 unchanged (11 units"),
        "{stdout}"
    );
    let folder = stdout
        .lines()
        .find_map(|l| l.strip_prefix("Index folder: "))
        .expect("the folder is shown");
    let expected_parent = fixture.cache.path().join("normcode").join("indexes");
    assert!(Path::new(folder).starts_with(&expected_parent), "{folder}");
    assert!(Path::new(folder).join(META_FILE).is_file());
    assert_eq!(
        listing(fixture.root()),
        before,
        "nothing written in the project"
    );

    let output = normcode(&fixture).arg("index").output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.contains("The index is up to date (4 documents"),
        "{stdout}"
    );

    let output = normcode(&fixture)
        .args(["index", "--rebuild"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.contains("Built the index from scratch (a rebuild was asked for)"),
        "{stdout}"
    );
}

/// A corpus with a phrase in thousands of units: the build says it keeps it whole, and search
/// finds every unit with it (and not the ones without).
#[test]
fn cli_index_keeps_a_common_phrase_whole_and_search_finds_it() {
    let fixture = Fixture::new();
    let mut body = String::new();
    for n in 0..2_500 {
        let topic = if n % 5 == 0 {
            "供应链"
        } else {
            "关键基础设施"
        };
        body.push_str(&format!("{n}. 各国应保护{topic}免受威胁。\n\n"));
    }
    write(
        &fixture.root().join("documents/many.md"),
        &format!("---\ntitle: t\n---\n{body}"),
    );
    let out = normcode(&fixture)
        .args(["index", "--rebuild"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains("Common CJK phrases kept whole for fast search:")
            && stdout.contains("关键基础设施"),
        "{stdout}"
    );
    let out = normcode(&fixture)
        .args(["search", "--format", "json", "--limit", "1", "关键基础设施"])
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let project = Project::open(fixture.root()).unwrap();
    let expected = units_containing(&project, "关键基础设施");
    assert!(expected > 2_000);
    assert_eq!(json["total"], expected, "{json}");
}

#[test]
fn cli_search_prints_hits_with_marked_matches() {
    let fixture = Fixture::new();
    let output = normcode(&fixture)
        .args(["search", "disclosure", "code:VU01", "coder:alice"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("un/gge-2015  13.j  (score ")),
        "{stdout}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("company/ms-2013  p2  (score ")),
        "{stdout}"
    );
    assert!(
        stdout.contains("    (j) States should encourage responsible reporting and [disclosure] of ICT vulnerabilities."),
        "{stdout}"
    );
    assert!(!stdout.contains('\x1b'), "no ANSI codes into a pipe");
    assert_eq!(lines.last(), Some(&"2 hits"));

    let output = normcode(&fixture)
        .args(["search", "--limit", "1", "基础"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("[基础]"), "{stdout}");
    assert!(
        stdout.ends_with("2 hits, the best 1 shown (see --limit)\n"),
        "{stdout}"
    );

    let output = normcode(&fixture)
        .args(["search", "nothingmatchesthis"])
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(String::from_utf8(output.stdout).unwrap(), "no hits\n");
}

#[test]
fn cli_search_json_offsets_are_code_points_of_the_document() {
    let fixture = Fixture::new();
    let project = fixture.project();
    for (query, words) in [
        ("供应链 OR integrity", vec!["供应链", "integrity"]),
        (
            "础设 OR vulnerab*",
            vec!["础设", "vulnerabilities", "vulnerability"],
        ),
        ("\"ICT vulnerabilities\"", vec!["ICT vulnerabilities"]),
    ] {
        let output = normcode(&fixture)
            .args(["search", query, "--format", "json", "--limit", "50"])
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        let json: Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(json["query"], query);
        let hits = json["hits"].as_array().unwrap();
        assert_eq!(json["total"].as_u64(), Some(hits.len() as u64));
        assert!(!hits.is_empty(), "{query}");
        for hit in hits {
            let document = project
                .corpus
                .get(&hit["document"].as_str().unwrap().into())
                .unwrap();
            let range = |v: &Value| {
                CodePointRange::new(
                    v["start"].as_u64().unwrap() as usize,
                    v["end"].as_u64().unwrap() as usize,
                )
            };
            let unit = range(&hit["range"]);
            assert_eq!(document.slice(unit), hit["text"].as_str());
            assert!(hit["unit"].is_string() && hit["score"].as_f64().unwrap() > 0.0);
            let matches = hit["matches"].as_array().unwrap();
            assert!(!matches.is_empty(), "{hit}");
            for m in matches {
                let text = document.slice(range(m)).unwrap();
                assert!(
                    words.iter().any(|w| w.eq_ignore_ascii_case(text)),
                    "{query}: {text:?} in {hit}"
                );
                assert!(
                    hit["snippet"]
                        .as_str()
                        .unwrap()
                        .contains(&format!("[{text}]")),
                    "{hit}"
                );
            }
        }
    }
}

#[test]
fn cli_bad_query_exits_2_with_a_clear_message() {
    let fixture = Fixture::new();
    for (query, says) in [
        ("\"vulner", "a quote is not closed"),
        ("year:[2013 TO", "a range is not complete"),
        ("sector:ict", "there is no field 'sector'"),
        ("year:twenty", "'twenty' is not a whole number"),
        ("disclosure AND", "'AND' at the end needs a word after it"),
    ] {
        let output = normcode(&fixture).args(["search", query]).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{query}: {output:?}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(
            stderr.starts_with(&format!("normcode: bad query '{query}': ")),
            "{stderr}"
        );
        assert!(stderr.contains(says), "{query}: {stderr}");
        assert!(output.stdout.is_empty());
    }
    assert!(
        !fixture.cache.path().join("normcode").exists(),
        "a bad query is refused before any indexing"
    );
}

/// Queries that used to overflow the stack and abort (exit 134) are refused with a message
/// saying what to do, exit 2, before any indexing; a pasted megabyte is not echoed back.
#[test]
fn cli_deep_or_huge_query_exits_2_without_a_crash() {
    let fixture = Fixture::new();
    let cases = [
        (
            "NOT ".repeat(300) + "a",
            "the query nests too deeply (more than 32 levels of NOT, parentheses or AND/OR): simplify it",
        ),
        (
            "a AND (".repeat(500) + "a" + &")".repeat(500),
            "the query nests too deeply",
        ),
        ("(".repeat(10_000), "the query nests too deeply"),
        (
            "a ".repeat(1_500),
            "the query has too many words (1500, more than 1000)",
        ),
    ];
    // A megabyte, in ten arguments (one argument may not exceed 128 KiB on Linux).
    let megabyte = vec!["vulnerability ".repeat(7_500); 10];
    let output = normcode(&fixture)
        .arg("search")
        .arg("--")
        .args(&megabyte)
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("the query is too long ("), "{stderr}");
    assert!(stderr.contains("more than 10000): shorten it"), "{stderr}");
    assert!(
        stderr.len() < 300,
        "the query is not echoed in full: {stderr}"
    );
    for (query, says) in &cases {
        let output = normcode(&fixture)
            .args(["search", "--", query])
            .output()
            .unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(output.status.code(), Some(2), "{}: {stderr}", &query[..20]);
        assert!(stderr.starts_with("normcode: bad query '"), "{stderr}");
        assert!(stderr.contains(says), "{stderr}");
        assert!(
            stderr.len() < 300,
            "the query is not echoed in full: {stderr}"
        );
        assert!(!stderr.contains("overflow") && !stderr.contains("panicked"));
        assert!(output.stdout.is_empty());
    }
    assert!(
        !fixture.cache.path().join("normcode").exists(),
        "a bad query is refused before any indexing"
    );
}

/// A small seeded generator (the tests need no randomness crate for this).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % below as u64) as usize
    }
}

/// The index finds a CJK string exactly in the units whose text holds it, whatever its length
/// (odd or even), wherever it sits in a run (start, middle, end, across punctuation or not),
/// and mixed with English words: checked against a plain substring search and against the
/// highlighter (which reads text one character at a time, as the index did before bigrams).
#[test]
fn cjk_queries_find_exactly_the_units_that_contain_them() {
    let (index, _, _dirs) = check_cjk_queries(GramRule::default());
    assert!(index.common_grams().is_empty(), "a small corpus has none");
}

/// The same with common phrases indexed whole (see `normcode::search::grams`): here any phrase
/// in two units, so that most queries are, or start with, such a phrase. A document added
/// afterwards has them too.
#[test]
fn cjk_queries_find_exactly_the_units_that_contain_them_with_common_phrases() {
    let (index, project, dirs) = check_cjk_queries(EVERY_PHRASE_IN_TWO_UNITS);
    let grams = index.common_grams();
    assert!(grams.len() > 20, "{} grams", grams.len());
    assert!(
        grams.iter().any(|g| g.chars().count() >= 6),
        "long ones too: {grams:?}"
    );
    let root = project.root.clone();
    // A new document with the longest gram, twice in a new unit, and its prefix alone.
    let longest = grams.iter().max_by_key(|g| g.chars().count()).unwrap();
    let prefix: String = longest.chars().take(3).collect();
    write(
        &root.join("documents/new.md"),
        &format!("---\ntitle: t\n---\nICT{longest}，{longest}\n\n{prefix}\n"),
    );
    let project = Project::open(&root).unwrap();
    let options = OpenOptions {
        index_dir: Some(dirs.1.path().join("index")),
        ..OpenOptions::default()
    };
    let (index, report) = SearchIndex::open_with(&project, &[], &options, &mut |_| {}).unwrap();
    assert_eq!((report.added, report.rebuilt), (1, None));
    assert_eq!(index.common_grams(), grams, "kept from the build");
    let every = SearchOptions {
        limit: 10_000,
        ..SearchOptions::default()
    };
    for query in [longest.as_str(), prefix.as_str()] {
        let hits = index.search(query, &every).unwrap();
        let expected = units_containing(&project, query);
        assert_eq!(hits.len(), expected, "{query}");
        assert!(
            hits.iter().any(|h| h.document.as_str() == "new"),
            "{query} is found in the new document"
        );
    }
}

/// Another process rebuilds the index with other grams (here none) while this one has it open:
/// this one follows, instead of looking for its old grams in the new index.
#[test]
fn an_index_rebuilt_by_another_process_is_searched_with_its_own_grams() {
    let (first, project, dirs) = check_cjk_queries(EVERY_PHRASE_IN_TWO_UNITS);
    let grams = first.common_grams();
    assert!(!grams.is_empty());
    let options = OpenOptions {
        index_dir: Some(dirs.1.path().join("index")),
        rebuild: true,
        ..OpenOptions::default()
    };
    let (second, report) = SearchIndex::open_with(&project, &[], &options, &mut |_| {}).unwrap();
    assert!(report.rebuilt.is_some());
    assert!(
        second.common_grams().is_empty(),
        "the default rule picks none here"
    );
    // Long enough for the first one's reader to have moved to the new index.
    std::thread::sleep(Duration::from_millis(1500));
    let every = SearchOptions {
        limit: 10_000,
        ..SearchOptions::default()
    };
    for gram in grams.iter().take(20) {
        let expected = units_containing(&project, gram.as_str());
        assert_eq!(
            first.search(gram, &every).unwrap().len(),
            expected,
            "{gram}"
        );
    }
    assert!(first.common_grams().is_empty());
}

/// Common phrases for a small test corpus: every phrase in two units of it.
const EVERY_PHRASE_IN_TWO_UNITS: GramRule = GramRule {
    min_units: 2,
    min_share: 0.0,
    sample_units: 1_000,
    max_grams: 10_000,
};

/// How many units of `project` have `text` in them.
fn units_containing(project: &Project, text: &str) -> usize {
    project
        .corpus
        .documents
        .iter()
        .flat_map(|d| d.units.iter().map(move |u| d.unit_text(u)))
        .filter(|unit| unit.contains(text))
        .count()
}

/// Writes a random CJK project, indexes it with `rule`, and checks every kind of CJK query
/// against plain substring search. Returns the index, the project and its folders.
fn check_cjk_queries(rule: GramRule) -> (SearchIndex, Project, (TempDir, TempDir)) {
    const PIECES: &[&str] = &[
        "关",
        "键",
        "基",
        "础",
        "设",
        "施",
        "安",
        "全",
        "关键",
        "基础设施",
        "，",
        "。",
        " ",
        " ICT ",
        "ICT",
        "（",
        "）",
        "\n",
    ];
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(&root.join("codebook.yaml"), CODEBOOK);
    let mut rng = Lcg(20261127);
    for doc in 0..12 {
        let mut body = String::new();
        for paragraph in 0..6 {
            if paragraph > 0 {
                body.push_str("\n\n");
            }
            for _ in 0..(2 + rng.next(14)) {
                body.push_str(PIECES[rng.next(PIECES.len())]);
            }
            body.push('安');
        }
        write(
            &root.join(format!("documents/d{doc}.md")),
            &format!("---\ntitle: t\n---\n{body}\n"),
        );
    }
    let cache = tempfile::tempdir().unwrap();
    let project = Project::open(root).unwrap();
    let options = OpenOptions {
        index_dir: Some(cache.path().join("index")),
        common_grams: rule,
        ..OpenOptions::default()
    };
    let (index, _) = SearchIndex::open_with(&project, &[], &options, &mut |_| {}).unwrap();
    let units: Vec<(String, String)> = project
        .corpus
        .documents
        .iter()
        .flat_map(|d| {
            d.units
                .iter()
                .map(move |u| (format!("{}#{}", d.id, u.id), d.unit_text(u).to_string()))
        })
        .collect();
    let every = SearchOptions {
        limit: 10_000,
        mode: ParseMode::Strict,
        ..SearchOptions::default()
    };
    let alphabet: Vec<char> = "关键基础设施安全".chars().collect();
    let mut queries: Vec<String> = Vec::new();
    for length in 1..=9 {
        for _ in 0..24 {
            queries.push((0..length).map(|_| alphabet[rng.next(8)]).collect());
        }
    }
    // Substrings that certainly occur, at every place in the text.
    for (_, text) in units.iter().take(20) {
        let chars: Vec<char> = text.chars().collect();
        for start in 0..chars.len().min(12) {
            for length in 1..=9 {
                if let Some(slice) = chars.get(start..start + length)
                    && slice.iter().all(|&c| alphabet.contains(&c))
                {
                    queries.push(slice.iter().collect());
                }
            }
        }
    }
    queries.sort();
    queries.dedup();
    let mut found_some = 0;
    for query in &queries {
        let mut expected: Vec<String> = units
            .iter()
            .filter(|(_, text)| text.contains(query.as_str()))
            .map(|(id, _)| id.clone())
            .collect();
        expected.sort();
        let hits = index.search(query, &every).unwrap();
        assert_eq!(ids(&hits), expected, "query {query}");
        found_some += usize::from(!expected.is_empty());
        for hit in &hits {
            assert!(!hit.matches.is_empty(), "{query}: a hit is highlighted");
            let body: Vec<char> = hit.text.chars().collect();
            for m in &hit.matches {
                let shown: String = body
                    [m.start - hit.unit_range.start..m.end - hit.unit_range.start]
                    .iter()
                    .collect();
                // Overlapping matches (`安安` in `安安安`) are shown as one.
                assert!(
                    shown.contains(query.as_str()),
                    "{query}: highlighted {shown}"
                );
            }
        }
    }
    assert!(
        found_some > queries.len() / 3,
        "the queries are not all misses"
    );
    // Mixed and quoted phrases agree with the highlighter's reading of each unit.
    let mixed = [
        "ICT安",
        "ICT安全",
        "ICT关键基础",
        "\"安 ICT\"",
        "\"关键 ICT\"",
        "\"ICT 关键\"",
        "\"全 ict\"",
        "\"施 关\"",
        "\"施，关键\"",
        "关键*",
        "ict*",
        "\"ict 安\"*",
    ];
    for query in mixed {
        let mut expected: Vec<String> = units
            .iter()
            .filter(|(_, text)| !normcode::search::match_ranges(query, false, text, 0).is_empty())
            .map(|(id, _)| id.clone())
            .collect();
        expected.sort();
        let hits = index.search(query, &every).unwrap();
        assert_eq!(ids(&hits), expected, "query {query}");
    }
    // Common phrases, quoted or not, with separators between the characters or not.
    for gram in index.common_grams().iter().take(50) {
        let plain = ids(&index.search(gram, &every).unwrap());
        let chars: Vec<String> = gram.chars().map(String::from).collect();
        for query in [
            format!("\"{gram}\""),
            format!("\"{}\"", chars.join(" ")),
            chars.join("，"),
        ] {
            assert_eq!(
                ids(&index.search(&query, &every).unwrap()),
                plain,
                "{query}"
            );
        }
        assert!(!plain.is_empty(), "{gram} is in the corpus");
    }
    (index, project, (dir, cache))
}

fn fresh_files(fixture: &Fixture) -> usize {
    listing(fixture.cache.path())
        .iter()
        .filter(|p| p.file_name().is_some_and(|n| n == "normcode-fresh.json"))
        .count()
}

fn stdout_of(fixture: &Fixture, args: &[&str]) -> String {
    let output = normcode(fixture).args(args).output().unwrap();
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).unwrap()
}

/// `normcode search` skips loading the project when no file changed since the index was last
/// brought up to date (by file metadata, as git does); it must give what loading it gives,
/// and never serve what a changed document or coder file no longer says.
#[test]
fn cli_search_without_loading_the_project_is_never_stale() {
    let fixture = Fixture::new();
    // Files changed in the last seconds are never trusted by their metadata.
    std::thread::sleep(Duration::from_millis(2100));
    let queries: [&[&str]; 3] = [
        &["search", "vulnerabilities"],
        &["search", "--format", "json", "基础 OR disclosure"],
        &["search", "code:VU01 coder:alice"],
    ];
    let slow: Vec<String> = queries.iter().map(|q| stdout_of(&fixture, q)).collect();
    assert_eq!(
        fresh_files(&fixture),
        1,
        "the first search records the files"
    );
    let fast: Vec<String> = queries.iter().map(|q| stdout_of(&fixture, q)).collect();
    assert_eq!(fast, slow);
    assert!(slow[2].ends_with("2 hits\n"), "{}", slow[2]);

    // Same sizes: only the times and inodes tell.
    let document = fixture.root().join("documents/company/ms-2013.md");
    let original = std::fs::read_to_string(&document).unwrap();
    write(
        &document,
        &original.replace("vulnerabilities", "weaknesses12345"),
    );
    let coder = fixture.root().join("annotations/alice.yaml");
    let text = std::fs::read_to_string(&coder).unwrap();
    write(&coder, &text.replace("codes: [VU01]\n", "codes: [IL01]\n"));
    std::thread::sleep(Duration::from_millis(2100));
    let changed = stdout_of(&fixture, queries[0]);
    assert!(!changed.contains("company/ms-2013"), "{changed}");
    assert!(stdout_of(&fixture, &["search", "weaknesses12345"]).contains("company/ms-2013"));
    assert_ne!(
        stdout_of(&fixture, queries[2]),
        slow[2],
        "alice's codes changed"
    );
    assert_eq!(fresh_files(&fixture), 1);

    // Changed just now: the metadata is not trusted (it may change again within the clock's
    // resolution), the project is loaded. (Scores differ a little after an update: tantivy's
    // statistics count deleted units until segments merge.)
    write(&document, &original);
    let unscored = |text: &str| -> Vec<String> {
        text.lines()
            .map(|l| l.split("  (score").next().unwrap_or(l).to_string())
            .collect()
    };
    assert_eq!(
        unscored(&stdout_of(&fixture, queries[0])),
        unscored(&slow[0])
    );
    assert_eq!(
        fresh_files(&fixture),
        0,
        "nothing recorded from a racy snapshot"
    );
    assert_eq!(
        unscored(&stdout_of(&fixture, queries[0])),
        unscored(&slow[0])
    );
}
