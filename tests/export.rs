//! `normcode export`: tabular exports, merged YAML, REFI-QDA codebooks and projects, and the
//! import of `.qdc` codebooks. Every test works on a copy of `tests/fixtures/export/project` in
//! a temporary folder: two coders, an English and a Chinese document, whole-unit and span
//! annotations, memos that look like spreadsheet formulas, a code the codebook does not know.
//!
//! The XML schema checks run `xmllint` (Debian package libxml2-utils). Without it they are
//! skipped with a note, except under CI (the `CI` environment variable set), where they fail.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use normcode::annotations::CoderFile;
use normcode::codebook::{Codebook, DEFAULT_CODEBOOK};
use normcode::corpus::IndicatorId;
use normcode::export::{self, qdc};
use quick_xml::events::Event;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_normcode");

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/export")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A copy of the fixture project in a temporary folder.
struct Fixture {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("study");
        copy_dir(&fixtures().join("project"), &root);
        Self { _dir: dir, root }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(BIN)
            .arg("--project")
            .arg(&self.root)
            .args(args)
            .env_remove("NORMCODE_PROJECT")
            .env_remove("NORMCODE_CODER")
            .output()
            .unwrap()
    }

    /// Runs `normcode export ARGS` and returns its standard output; it must succeed.
    fn export(&self, args: &[&str]) -> Vec<u8> {
        let mut all = vec!["export"];
        all.extend_from_slice(args);
        let out = self.run(&all);
        assert!(
            out.status.success(),
            "normcode {all:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    }

    /// Runs `normcode export ARGS --out FILE` and returns the file's bytes.
    fn export_to(&self, file: &str, args: &[&str]) -> Vec<u8> {
        let out = self.path(file);
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--out", out.to_str().unwrap()]);
        let stdout = self.export(&all);
        assert!(stdout.is_empty(), "nothing on stdout with --out");
        std::fs::read(&out).unwrap()
    }
}

fn text(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap()
}

fn read_csv(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_reader(bytes);
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

// ---------------------------------------------------------------------------------------------
// Tabular exports

#[test]
fn csv_is_tidy_with_variables_spans_and_chinese_text() {
    let fixture = Fixture::new();
    let csv = fixture.export(&["--format", "csv"]);
    let expected = std::fs::read_to_string(fixtures().join("expected/tidy.csv")).unwrap();
    assert_eq!(text(&csv), expected, "the csv export changed");

    let (header, rows) = read_csv(&csv);
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    // The Chinese span: code points 23..29 of the body, its own text as the quote.
    let span = rows
        .iter()
        .find(|r| r[col("coder")] == "alice" && r[col("span_start")] == "23")
        .unwrap();
    assert_eq!(span[col("span_end")], "29");
    assert_eq!(span[col("quote")], "信通技术活动");
    assert_eq!(span[col("unit")], "13");
    assert_eq!(span[col("publisher_group")], "intergovernmental");
    assert_eq!(span[col("memo")], "中文备忘：注意");
    assert_eq!(span[col("status")], "in_progress");
    // A whole-unit annotation: no span, the whole unit's text.
    let unit = rows
        .iter()
        .find(|r| r[col("coder")] == "alice" && r[col("indicator")] == "IL02")
        .unwrap();
    assert_eq!(unit[col("span_start")], "");
    assert_eq!(
        unit[col("quote")],
        "14. 国际法特别是《联合国宪章》适用于各国使用信通技术。"
    );
    assert_eq!(unit[col("category")], "LAW", "the top category of LAW.IHL");
    assert_eq!(unit[col("indicator_label")], "Humanitarian law applies");

    // Same rows, same order, every time.
    assert_eq!(fixture.export(&["--format", "csv"]), csv);
}

#[test]
fn csv_escapes_formulas_for_spreadsheets() {
    let fixture = Fixture::new();
    let (header, rows) = read_csv(&fixture.export(&["--format", "csv"]));
    let memo = header.iter().position(|h| h == "memo").unwrap();
    let memos: BTreeSet<&str> = rows.iter().map(|r| r[memo].as_str()).collect();
    assert!(
        memos.contains(r#"'=HYPERLINK("http://evil.example","click")"#),
        "{memos:?}"
    );
    assert!(memos.contains("'-not sure"), "{memos:?}");
    assert!(memos.contains("'+ only a memo"), "{memos:?}");
    for row in &rows {
        for cell in row {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "unescaped cell {cell:?}"
            );
        }
    }
    // The same memo is data in JSON Lines and YAML: unchanged there.
    let jsonl = fixture.export(&["--format", "jsonl"]);
    assert!(text(&jsonl).contains(r#""memo":"=HYPERLINK(\"http://evil.example\",\"click\")""#));

    for (input, escaped) in [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("a=b", "a=b"),
        ("国际法", "国际法"),
        ("", ""),
    ] {
        assert_eq!(export::table::escape_formula(input), escaped);
    }
}

#[test]
fn bom_only_when_asked() {
    let fixture = Fixture::new();
    let plain = fixture.export(&["--format", "csv"]);
    let bom = fixture.export(&["--format", "csv", "--bom"]);
    assert!(!plain.starts_with(b"\xEF\xBB\xBF"));
    assert_eq!(&bom[..3], b"\xEF\xBB\xBF");
    assert_eq!(&bom[3..], &plain[..]);

    let file = fixture.export_to("matrix.csv", &["--format", "matrix", "--bom"]);
    assert!(file.starts_with(b"\xEF\xBB\xBFcoder,document,title,"));

    let out = fixture.run(&["export", "--format", "jsonl", "--bom"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "--bom is for csv and matrix only"
    );
}

#[test]
fn matrix_presence_and_counts() {
    let fixture = Fixture::new();
    let (header, rows) = read_csv(&fixture.export(&["--format", "matrix", "--counts"]));
    assert_eq!(
        header,
        [
            "coder",
            "document",
            "title",
            "publisher",
            "publisher_group",
            "year",
            "language",
            "region",
            "status",
            "IL01",
            "IL02",
            "CI01",
            "CI00",
            "XX99"
        ],
        "indicators in codebook order (retired too), then unknown codes"
    );
    let cell = |coder: &str, document: &str, column: &str| {
        let c = header.iter().position(|h| h == column).unwrap();
        rows.iter()
            .find(|r| r[0] == coder && r[1] == document)
            .map(|r| r[c].clone())
            .unwrap()
    };
    assert_eq!(rows.len(), 4, "2 coders × 2 documents");
    assert_eq!(cell("bob", "un/gge-2015-zh", "IL01"), "2");
    // alice has not finished it: her cells are missing, not 0 (an indicator not coded yet is
    // not an indicator absent), and R and pandas read them as NA.
    assert_eq!(cell("alice", "un/gge-2015-zh", "status"), "in_progress");
    assert_eq!(cell("alice", "un/gge-2015-zh", "IL01"), "");
    assert_eq!(cell("alice", "un/gge-2015-zh", "IL02"), "");
    assert_eq!(cell("alice", "company/ms-2018", "CI01"), "2");
    assert_eq!(cell("alice", "company/ms-2018", "IL02"), "0");
    assert_eq!(cell("bob", "un/gge-2015-zh", "XX99"), "1");
    assert_eq!(cell("bob", "un/gge-2015-zh", "year"), "2015");
    assert_eq!(cell("alice", "un/gge-2015-zh", "status"), "in_progress");

    let (_, presence) = read_csv(&fixture.export(&["--format", "matrix"]));
    let il01 = header.iter().position(|h| h == "IL01").unwrap();
    let bob = presence
        .iter()
        .find(|r| r[0] == "bob" && r[1] == "un/gge-2015-zh")
        .unwrap();
    assert_eq!(bob[il01], "1");
    assert!(
        presence
            .iter()
            .filter(|r| r[il01 - 1] == "done")
            .flat_map(|r| &r[il01..])
            .all(|c| c == "0" || c == "1")
    );
    assert!(
        presence
            .iter()
            .filter(|r| r[il01 - 1] != "done")
            .flat_map(|r| &r[il01..])
            .all(String::is_empty)
    );

    // One coder, one block.
    let (_, only_bob) = read_csv(&fixture.export(&["--format", "matrix", "--coders", "bob"]));
    assert!(only_bob.iter().all(|r| r[0] == "bob") && only_bob.len() == 2);
}

#[test]
fn jsonl_lines_are_typed_json() {
    let fixture = Fixture::new();
    let out = fixture.export(&["--format", "jsonl"]);
    let lines: Vec<Value> = text(&out)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let (_, csv_rows) = read_csv(&fixture.export(&["--format", "csv"]));
    assert_eq!(lines.len(), csv_rows.len(), "one object per csv row");
    let first = &lines[0];
    let keys: Vec<&str> = first
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert!(keys.contains(&"publisher_group") && keys.contains(&"category_label"));
    assert_eq!(first["year"], Value::from(2018));
    assert_eq!(first["unit_start"], Value::from(0));
    assert_eq!(first["span_start"], Value::Null);
    let span = lines.iter().find(|l| l["quote"] == "信通技术活动").unwrap();
    assert_eq!(span["span_start"], Value::from(23));
    assert_eq!(span["span_end"], Value::from(29));
    assert_eq!(span["region"], Value::Null, "missing variable is null");
    let no_code = lines.iter().find(|l| l["memo"] == "+ only a memo").unwrap();
    assert_eq!(
        no_code["indicator"],
        Value::Null,
        "an annotation without codes"
    );
}

#[test]
fn jsonl_escapes_bidi_and_c1_controls_and_reads_back_the_same() {
    let fixture = Fixture::new();
    let bob = fixture.path("annotations/bob.yaml");
    let text_before = std::fs::read_to_string(&bob).unwrap();
    let memo_line = text_before
        .lines()
        .find(|l| l.contains("not sure"))
        .unwrap()
        .to_string();
    let indent = &memo_line[..memo_line.len() - memo_line.trim_start().len()];
    std::fs::write(
        &bob,
        text_before.replace(
            &memo_line,
            &format!("{indent}memo: \"not\u{202e} sure\u{85}\""),
        ),
    )
    .unwrap();
    let out = fixture.export(&["--format", "jsonl"]);
    let text = text(&out);
    assert!(
        !text.contains('\u{202e}') && !text.contains('\u{85}'),
        "raw controls reach the output"
    );
    assert!(text.contains(r"not\u202e sure\u0085"), "{text}");
    let memos: Vec<String> = text
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter_map(|v| v["memo"].as_str().map(str::to_string))
        .collect();
    assert!(
        memos.contains(&"not\u{202e} sure\u{85}".to_string()),
        "{memos:?}"
    );
}

#[test]
fn yaml_merges_the_coder_files() {
    let fixture = Fixture::new();
    let out = fixture.export(&["--format", "yaml", "--coders", "bob,alice"]);
    let merged: BTreeMap<String, CoderFile> = serde_saphyr::from_str(text(&out)).unwrap();
    assert_eq!(merged.len(), 2);
    assert_eq!(merged["alice"].coder, "alice");
    assert_eq!(merged["bob"].annotation_count(), 4);
    let order: Vec<&str> = text(&out)
        .lines()
        .filter(|l| !l.starts_with([' ', '#']))
        .collect();
    assert_eq!(order, ["bob:", "alice:"], "coders in the order asked");
}

#[test]
fn usage_errors_exit_2() {
    let fixture = Fixture::new();
    for args in [
        &["export", "--format", "csv", "--coders", "carol"][..],
        &["export", "--format", "qdpx"],
        &["export", "--format", "csv", "--counts"],
        &["export"],
    ] {
        let out = fixture.run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(!out.stderr.is_empty());
    }
}

// ---------------------------------------------------------------------------------------------
// XML schema validation

/// Whether `xmllint` can run; under CI its absence is a failure.
fn have_xmllint() -> bool {
    let found = Command::new("xmllint")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "xmllint is missing: install it (apt-get install -y libxml2-utils) so that the \
             REFI-QDA exports are checked against their schemas"
        );
        eprintln!("note: xmllint not found (Debian package libxml2-utils); schema checks skipped");
    }
    found
}

fn assert_valid(schema: &str, file: &Path) {
    let out = Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(fixtures().join(schema))
        .arg(file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{} does not validate against {schema}:\n{}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn unzip(bytes: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut files = BTreeMap::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let mut content = Vec::new();
        file.read_to_end(&mut content).unwrap();
        files.insert(file.name().unwrap().to_string(), content);
    }
    files
}

#[test]
fn qdc_and_qdpx_validate_against_the_schemas() {
    if !have_xmllint() {
        return;
    }
    let fixture = Fixture::new();
    fixture.export_to("codes.qdc", &["--format", "qdc"]);
    assert_valid("Codebook.xsd", &fixture.path("codes.qdc"));

    let qdpx = fixture.export_to("study.qdpx", &["--format", "qdpx"]);
    let files = unzip(&qdpx);
    let qde = fixture.path("project.qde");
    std::fs::write(&qde, &files["project.qde"]).unwrap();
    assert_valid("Project.xsd", &qde);

    // The shipped default codebook, bilingual and large, too.
    let codebook = Codebook::parse(Path::new("codebook.yaml"), DEFAULT_CODEBOOK).unwrap();
    let file = fixture.path("default.qdc");
    std::fs::write(&file, qdc::export(&codebook).unwrap()).unwrap();
    assert_valid("Codebook.xsd", &file);

    // The hand-written foreign fixture is a valid codebook itself.
    assert_valid("Codebook.xsd", &fixtures().join("maxqda-codebook.qdc"));
}

// ---------------------------------------------------------------------------------------------
// REFI-QDA codebooks

fn assert_same_codebook(a: &Codebook, b: &Codebook) {
    assert_eq!(a.languages, b.languages);
    let categories = |c: &Codebook| -> Vec<(String, Option<String>, usize)> {
        c.categories
            .iter()
            .map(|x| {
                (
                    x.id.clone(),
                    x.parent.map(|p| c.categories[p].id.clone()),
                    x.depth,
                )
            })
            .collect()
    };
    assert_eq!(categories(a), categories(b), "category tree");
    for (x, y) in a.categories.iter().zip(&b.categories) {
        assert_eq!(x.label, y.label, "label of {}", x.id);
        assert_eq!(x.description, y.description, "description of {}", x.id);
    }
    assert_eq!(a.indicators.len(), b.indicators.len());
    for (x, y) in a.indicators.iter().zip(&b.indicators) {
        assert_eq!(x.id, y.id);
        assert_eq!(x.label, y.label, "label of {}", x.id);
        assert_eq!(x.definition, y.definition, "definition of {}", x.id);
        assert_eq!(x.include, y.include, "include of {}", x.id);
        assert_eq!(x.exclude, y.exclude, "exclude of {}", x.id);
        assert_eq!(x.examples, y.examples, "examples of {}", x.id);
        assert_eq!(
            a.categories[x.category].id, b.categories[y.category].id,
            "category of {}",
            x.id
        );
        assert_eq!(x.color, y.color, "color of {}", x.id);
        assert_eq!(x.retired, y.retired, "retired {}", x.id);
    }
}

fn round_trip(codebook: &Codebook) -> Codebook {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("codes.qdc");
    std::fs::write(&file, qdc::export(codebook).unwrap()).unwrap();
    let yaml = qdc::import(&file).unwrap();
    Codebook::parse(Path::new("imported.yaml"), &yaml).unwrap_or_else(|e| panic!("{e}\n{yaml}"))
}

#[test]
fn qdc_round_trip_keeps_ids_labels_definitions_and_hierarchy() {
    let fixture = Fixture::new();
    let original = Codebook::load(&fixture.path("codebook.yaml")).unwrap();
    let qdc_text = text(&fixture.export(&["--format", "qdc"])).to_string();
    assert!(qdc_text.contains(r##"color="#00CDCD""##), "cyan as #RRGGBB");
    assert!(qdc_text.contains(r##"color="#A1B2C3""##));
    assert!(qdc_text.contains("Law &amp; principles &lt;for States&gt;."));
    assert!(
        qdc_text.contains(r#"isCodable="false""#),
        "categories are not codable"
    );
    assert!(
        qdc_text.contains("Need for orientation: relevance"),
        "attribute sets"
    );

    // Through the command line, into a file that must not exist yet.
    let qdc_file = fixture.path("codes.qdc");
    std::fs::write(&qdc_file, &qdc_text).unwrap();
    let out_file = fixture.path("imported.yaml");
    let out = fixture.run(&[
        "export",
        "--import-qdc",
        qdc_file.to_str().unwrap(),
        "--out",
        out_file.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let imported = Codebook::load(&out_file).unwrap();
    assert_same_codebook(&original, &imported);
    let again = fixture.run(&[
        "export",
        "--import-qdc",
        qdc_file.to_str().unwrap(),
        "--out",
        out_file.to_str().unwrap(),
    ]);
    assert_eq!(again.status.code(), Some(2), "no overwrite without --force");

    // The shipped default codebook: 64 bilingual indicators with rules and examples.
    let default = Codebook::parse(Path::new("codebook.yaml"), DEFAULT_CODEBOOK).unwrap();
    assert_same_codebook(&default, &round_trip(&default));
}

#[test]
fn foreign_qdc_imports_as_a_valid_codebook() {
    let yaml = qdc::import(&fixtures().join("maxqda-codebook.qdc")).unwrap();
    let codebook = Codebook::parse(Path::new("codebook.yaml"), &yaml)
        .unwrap_or_else(|e| panic!("{e}\n{yaml}"));
    assert_eq!(codebook.languages, ["en"]);
    assert_eq!(codebook.name, "maxqda-codebook");

    let tree: Vec<(&str, Option<&str>)> = codebook
        .categories
        .iter()
        .map(|c| {
            (
                c.id.as_str(),
                c.parent.map(|p| codebook.categories[p].id.as_str()),
            )
        })
        .collect();
    assert_eq!(
        tree,
        [
            ("Norm_content", None),
            ("Restraint", Some("Norm_content")),
            ("Actors", None),
            ("uncategorized", None),
        ],
        "codes with children became categories; loose leaves went to `uncategorized`"
    );
    let indicator = |id: &str| {
        codebook
            .indicator(&IndicatorId::new(id))
            .unwrap_or_else(|| panic!("no indicator {id} in\n{yaml}"))
    };
    let category_of = |id: &str| codebook.categories[indicator(id).category].id.as_str();
    assert_eq!(
        category_of("No_attacks_on_critical_infrastructure"),
        "Restraint"
    );
    assert_eq!(category_of("Other"), "Restraint");
    assert_eq!(
        category_of("Other_2"),
        "Norm_content",
        "same name, unique id"
    );
    assert_eq!(category_of("Cooperation"), "Norm_content");
    assert_eq!(category_of("政府"), "Actors");
    assert_eq!(category_of("Private_sector_companies"), "Actors");
    assert_eq!(category_of("Memo-worthy"), "uncategorized");

    assert_eq!(indicator("Other_2").label.get("en"), "Other");
    assert_eq!(
        indicator("Cooperation").definition.get("en"),
        "Working <together> on incidents."
    );
    assert_eq!(indicator("政府").definition.get("en"), "国家政府及其机构。");
    assert_eq!(
        indicator("Private_sector_companies").definition.get("en"),
        "Private sector (companies)",
        "no description: the label stands in"
    );
    assert_eq!(indicator("Memo-worthy").color.as_deref(), Some("cyan"));
    assert_eq!(indicator("Cooperation").color.as_deref(), Some("#0000ff"));
    assert_eq!(
        indicator("No_attacks_on_critical_infrastructure")
            .color
            .as_deref(),
        Some("lightgreen"),
        "#0F0 is #00FF00"
    );
    let restraint = &codebook.categories[1];
    assert_eq!(
        restraint.description.as_ref().unwrap().get("en"),
        "States refrain from harmful ICT operations.\nSecond line & more.",
        "CRLF read as LF, entities resolved"
    );

    // Told otherwise: the codebook's language.
    let zh = qdc::import_with(&fixtures().join("maxqda-codebook.qdc"), "zh").unwrap();
    let zh = Codebook::parse(Path::new("codebook.yaml"), &zh).unwrap();
    assert_eq!(zh.languages, ["zh"]);
    assert_eq!(zh.indicators.len(), codebook.indicators.len());
}

#[test]
fn bad_qdc_files_are_reported_with_their_place() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.qdc");
    std::fs::write(
        &broken,
        "<?xml version=\"1.0\"?>\n<CodeBook xmlns=\"urn:QDA-XML:codebook:1.0\">\n<Codes>\n<Code name=\"a\">\n</Codes>",
    )
    .unwrap();
    let err = qdc::import(&broken).unwrap_err().to_string();
    assert!(err.starts_with(&broken.display().to_string()), "{err}");
    let other = dir.path().join("other.qdc");
    std::fs::write(&other, "<html><body/></html>").unwrap();
    let err = qdc::import(&other).unwrap_err().to_string();
    assert!(err.contains("not a REFI-QDA codebook"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// REFI-QDA projects

/// A `PlainTextSelection` as read from `project.qde`.
#[derive(Debug)]
struct Selection {
    source: String,
    guid: String,
    start: usize,
    end: usize,
    user: String,
    description: Option<String>,
    code: String,
}

/// The selections, the `internal://` path of each source, and every GUID attribute.
fn read_qde(qde: &str) -> (Vec<Selection>, BTreeMap<String, String>, BTreeSet<String>) {
    let mut reader = quick_xml::Reader::from_str(qde);
    let mut selections: Vec<Selection> = Vec::new();
    let mut paths = BTreeMap::new();
    let mut guids = BTreeSet::new();
    let mut source = String::new();
    let mut in_selection = false;
    let mut in_description = false;
    loop {
        let event = reader.read_event().unwrap();
        let (start, is_start) = match &event {
            Event::Start(s) => (Some(s.clone()), true),
            Event::Empty(s) => (Some(s.clone()), false),
            _ => (None, false),
        };
        if let Some(start) = start {
            let attrs: BTreeMap<String, String> = start
                .attributes()
                .map(|a| {
                    let a = a.unwrap();
                    (
                        a.key.as_ref().to_string(),
                        a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .unwrap()
                            .into_owned(),
                    )
                })
                .collect();
            if let Some(guid) = attrs.get("guid") {
                guids.insert(guid.clone());
            }
            match start.local_name().as_ref() {
                "TextSource" => {
                    source = attrs["guid"].clone();
                    paths.insert(source.clone(), attrs["plainTextPath"].clone());
                }
                // A note's selection is where the note applies, not a coding.
                "Notes" => source.clear(),
                "PlainTextSelection" if !source.is_empty() => {
                    selections.push(Selection {
                        source: source.clone(),
                        guid: attrs["guid"].clone(),
                        start: attrs["startPosition"].parse().unwrap(),
                        end: attrs["endPosition"].parse().unwrap(),
                        user: attrs["creatingUser"].clone(),
                        description: None,
                        code: String::new(),
                    });
                    in_selection = is_start;
                }
                "CodeRef" if in_selection => {
                    selections.last_mut().unwrap().code = attrs["targetGUID"].clone();
                }
                "Description" if in_selection => in_description = is_start,
                _ => {}
            }
        }
        match event {
            Event::Text(t) if in_description => {
                let s = selections.last_mut().unwrap();
                s.description
                    .get_or_insert_default()
                    .push_str(&t.xml10_content());
            }
            Event::End(e) => match e.local_name().as_ref() {
                "PlainTextSelection" => in_selection = false,
                "Description" => in_description = false,
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    (selections, paths, guids)
}

#[test]
fn qdpx_positions_are_code_points_into_the_source_text() {
    let fixture = Fixture::new();
    let qdpx = fixture.export_to("study.qdpx", &["--format", "qdpx"]);
    let files = unzip(&qdpx);
    let qde = text(&files["project.qde"]);
    let (selections, paths, _) = read_qde(qde);

    let source_text = |source: &str| -> String {
        let path = paths[source].strip_prefix("internal://").unwrap();
        assert_eq!(path, format!("{source}.txt"));
        let bytes = &files[&format!("sources/{path}")];
        assert!(!bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 without BOM");
        String::from_utf8(bytes.clone()).unwrap()
    };
    let selected = |s: &Selection| -> String {
        source_text(&s.source)
            .chars()
            .skip(s.start)
            .take(s.end - s.start)
            .collect()
    };

    let zh = export::guid::source(&"un/gge-2015-zh".into());
    let alice = export::guid::user("alice");
    let il01 = export::guid::code(&"IL01".into());
    let span = selections
        .iter()
        .find(|s| s.source == zh && s.user == alice && s.start == 23)
        .expect("alice's Chinese span");
    assert_eq!(span.end, 29);
    assert_eq!(selected(span), "信通技术活动");
    assert_eq!(span.code, il01);
    assert_eq!(
        span.guid,
        export::guid::selection(
            "alice",
            &"un/gge-2015-zh".into(),
            &"13".into(),
            Some(normcode::corpus::CodePointRange::new(23, 29)),
            &"IL01".into()
        )
    );
    assert_eq!(span.description.as_deref(), Some("中文备忘：注意"));
    assert!(
        source_text(&zh).starts_with("13. 各国不应"),
        "the body, without front matter"
    );

    // Whole-unit codings select the unit; one selection per coder × annotation × code.
    let unit14: Vec<&Selection> = selections
        .iter()
        .filter(|s| s.source == zh && s.user == alice && s.start == 32)
        .collect();
    assert_eq!(unit14.len(), 2, "IL01 and IL02");
    assert_eq!(
        selected(unit14[0]),
        "14. 国际法特别是《联合国宪章》适用于各国使用信通技术。"
    );

    // Every selection: positions inside the text, a code that exists.
    let (_, _, guids) = read_qde(qde);
    let xx99 = export::guid::code(&"XX99".into());
    assert!(
        guids.contains(&xx99),
        "unknown codes are added to the codebook"
    );
    for s in &selections {
        assert!(s.start < s.end && s.end <= source_text(&s.source).chars().count());
        assert!(guids.contains(&s.code), "{s:?}");
    }
    assert_eq!(selections.len(), 10, "csv rows with a code");

    // Document memos are notes the source refers to.
    assert!(qde.contains("<PlainTextContent>@ check the translation</PlainTextContent>"));
    let memo = export::guid::document_memo("bob", &"un/gge-2015-zh".into());
    assert!(qde.contains(&format!("<NoteRef targetGUID=\"{memo}\"/>")));
    // Document variables.
    assert!(qde.contains("<IntegerValue>2015</IntegerValue>"));
    assert!(qde.contains("<TextValue>intergovernmental</TextValue>"));
}

#[test]
fn qdpx_guids_are_stable_across_exports() {
    let fixture = Fixture::new();
    let first = fixture.export_to("one.qdpx", &["--format", "qdpx"]);
    let second = fixture.export_to("two.qdpx", &["--format", "qdpx"]);
    assert_eq!(first, second, "the same project gives the same bytes");

    let guids = |bytes: &[u8]| {
        let files = unzip(bytes);
        read_qde(text(&files["project.qde"])).2
    };
    let before = guids(&first);
    assert!(before.len() > 20);

    // A new coder and an edited memo change nothing that was there.
    let alice = fixture.path("annotations/alice.yaml");
    let edited = std::fs::read_to_string(&alice)
        .unwrap()
        .replace("Read twice.", "Read three times.");
    std::fs::write(&alice, edited).unwrap();
    std::fs::write(
        fixture.path("annotations/carol.yaml"),
        "schema: 1\ncoder: carol\ndocuments:\n  company/ms-2018:\n    status: done\n    annotations:\n      - unit: \"2\"\n        codes: [CI01]\n",
    )
    .unwrap();
    let after = guids(&fixture.export_to("three.qdpx", &["--format", "qdpx"]));
    let lost: Vec<&String> = before.difference(&after).collect();
    assert!(lost.is_empty(), "GUIDs changed: {lost:?}");
    assert!(after.contains(&export::guid::user("carol")));

    // UUID v5 of the kind and the id in normcode's namespace, as documented.
    let namespace = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, b"urn:normcode:refi-qda");
    let expected = uuid::Uuid::new_v5(&namespace, b"code\nIL01").to_string();
    assert_eq!(export::guid::code(&"IL01".into()), expected);
    assert!(before.contains(&expected));
}
