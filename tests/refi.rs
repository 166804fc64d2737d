//! REFI-QDA both ways: what normcode exports reads back as the same project, what QualCoder
//! and other tools write imports, and hostile archives change nothing on disk.
//!
//! The QualCoder fixtures live in `../shared/refi-qda/fixtures/` (outside the repository):
//! without them those tests are skipped with a note.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use normcode::codebook::Codebook;
use normcode::project::Project;

const BIN: &str = env!("CARGO_BIN_EXE_normcode");

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
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

/// A copy of the bundled project (the repository's codebook, samples and annotations).
fn bundled(dir: &Path) -> PathBuf {
    let root = dir.join("bundled");
    std::fs::create_dir_all(&root).unwrap();
    for file in ["codebook.yaml", "normcode.yaml"] {
        std::fs::copy(repo().join(file), root.join(file)).unwrap();
    }
    copy_dir(&repo().join("samples"), &root.join("samples"));
    copy_dir(&repo().join("annotations"), &root.join("annotations"));
    root
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env_remove("NORMCODE_PROJECT")
        .env_remove("NORMCODE_CODER")
        .output()
        .unwrap()
}

fn ok(output: Output) -> String {
    assert!(
        output.status.success(),
        "normcode failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr)
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn export_qdpx(project: &Path, out: &Path) {
    ok(run(&[
        "--project",
        s(project),
        "export",
        "--format",
        "qdpx",
        "--out",
        s(out),
    ]));
}

fn unzip(path: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut file = zip.by_index(i).unwrap();
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut file, &mut bytes).unwrap();
            (file.name().unwrap().to_string(), bytes)
        })
        .collect()
}

/// Zips `files` (path in the zip, bytes) into `to`.
fn zip_files(to: &Path, files: &[(&str, Vec<u8>)]) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(to).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    for (name, bytes) in files {
        zip.start_file(*name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
}

/// The codebook's content, in a form two codebooks can be compared in.
fn codebook_shape(codebook: &Codebook) -> String {
    format!(
        "{}\n{}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
        codebook.name,
        codebook.version,
        codebook.languages,
        codebook.description,
        codebook.variables,
        codebook.attributes,
        codebook.categories,
        codebook.indicators,
        codebook.history()
    )
}

#[test]
fn qdpx_export_carries_dates_users_memo_selections_and_ids() {
    let dir = tempfile::tempdir().unwrap();
    let project = bundled(dir.path());
    let qdpx = dir.path().join("study.qdpx");
    export_qdpx(&project, &qdpx);
    let files = unzip(&qdpx);
    let qde = String::from_utf8(files["project.qde"].clone()).unwrap();
    assert!(qde.starts_with("<?xml"));

    let notes: Vec<&str> = qde
        .split("<Note ")
        .skip(1)
        .map(|n| n.split("</Note>").next().unwrap())
        .collect();
    assert_eq!(notes.len(), 2, "alice's and bob's document memos");
    for note in &notes {
        for attr in [
            "creationDateTime=",
            "modifiedDateTime=",
            "creatingUser=",
            "<PlainTextContent>",
            "<PlainTextSelection ",
        ] {
            assert!(note.contains(attr), "a note without {attr}: {note}");
        }
    }
    let sources: Vec<&str> = qde
        .split("<TextSource ")
        .skip(1)
        .map(|t| t.split('>').next().unwrap())
        .collect();
    assert_eq!(sources.len(), 14);
    for source in &sources {
        assert!(source.contains("creatingUser=\""), "{source}");
        assert!(source.contains("creationDateTime=\""), "{source}");
        let name = source
            .split("name=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        assert!(!name.contains('/'), "a source name with a slash: {name}");
    }
    assert!(qde.contains("name=\"company_microsoft-2013\""));
    assert!(qde.contains("normcode: document=company/microsoft-2013 status=alice:done,bob:done"));
    // Every front matter key travels: date and source too, not only the codebook's variables.
    assert!(qde.contains("<TextValue>2013-10-15</TextValue>"));
    assert!(qde.contains("name=\"date\" typeOfVariable=\"Text\""));
    // Indicator attributes in the code's description, which every tool keeps.
    assert!(qde.contains("normcode: indicator=IL01 languages=en,zh attr:orientation=relevance"));
    // The codebook's settings in the project's description.
    assert!(qde.contains("<Description>normcode settings:"));
    // One case per document, named by its title, with its source and its variable values.
    let cases: Vec<&str> = qde
        .split("<Case ")
        .skip(1)
        .map(|c| c.split("</Case>").next().unwrap())
        .collect();
    assert_eq!(cases.len(), 14);
    // Case names are unique (QualCoder refuses a second case of a name; two of the samples
    // share a title, so theirs carry the document id).
    let names: std::collections::BTreeSet<&str> = cases
        .iter()
        .map(|c| {
            c.split("name=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
        })
        .collect();
    assert_eq!(names.len(), 14, "{names:?}");
    for case in &cases {
        assert_eq!(case.matches("<SourceRef ").count(), 1, "{case}");
        assert!(case.contains("<VariableValue>"), "{case}");
    }
    assert!(
        cases
            .iter()
            .any(|c| c.contains("<TextValue>2013-10-15</TextValue>")),
        "no case carries the date"
    );

    // It still validates.
    if Command::new("xmllint").arg("--version").output().is_ok() {
        let schema = repo().join("../shared/refi-qda/Project.xsd");
        if schema.is_file() {
            let file = dir.path().join("project.qde");
            std::fs::write(&file, &qde).unwrap();
            let out = Command::new("xmllint")
                .args(["--noout", "--schema", s(&schema), s(&file)])
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

#[test]
fn normcode_qdpx_normcode_is_the_identity() {
    let dir = tempfile::tempdir().unwrap();
    let original = bundled(dir.path());
    let qdpx = dir.path().join("study.qdpx");
    export_qdpx(&original, &qdpx);
    let back = dir.path().join("back");
    let report = ok(run(&["import", s(&qdpx), "--into", s(&back)]));
    assert!(report.contains("14 documents"), "{report}");

    let a = Project::open(&original).unwrap();
    let b = Project::open(&back).unwrap();
    assert_eq!(codebook_shape(&a.codebook), codebook_shape(&b.codebook));
    assert_eq!(a.settings.segmentation, b.settings.segmentation);
    assert_eq!(a.corpus.len(), b.corpus.len());
    for (x, y) in a.corpus.documents.iter().zip(&b.corpus.documents) {
        assert_eq!(x.id, y.id);
        assert_eq!(x.body, y.body, "{}", x.id);
        assert_eq!(x.metadata.values, y.metadata.values, "{}", x.id);
    }
    let coders_a = a.load_coders(None).unwrap();
    let coders_b = b.load_coders(None).unwrap();
    assert_eq!(coders_a.len(), 2);
    for (x, y) in coders_a.iter().zip(&coders_b) {
        assert_eq!(x.name, y.name);
        assert_eq!(
            x.file, y.file,
            "{}'s annotations, memos and statuses",
            x.name
        );
    }
    // And once more: the import exports to the same project text.
    let again = dir.path().join("again.qdpx");
    export_qdpx(&back, &again);
    let strip = |path: &Path| {
        let qde = String::from_utf8(unzip(path)["project.qde"].clone()).unwrap();
        // Dates of files and the project's folder name differ; the rest is the same.
        qde.lines()
            .filter(|l| !l.contains("DateTime") && !l.contains("<Project "))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(&qdpx), strip(&again));
}

#[test]
fn qdc_round_trip_keeps_attributes_variables_and_name() {
    let dir = tempfile::tempdir().unwrap();
    let project = bundled(dir.path());
    let qdc = dir.path().join("codes.qdc");
    let yaml = dir.path().join("back.yaml");
    ok(run(&[
        "--project",
        s(&project),
        "export",
        "--format",
        "qdc",
        "--out",
        s(&qdc),
    ]));
    ok(run(&["export", "--import-qdc", s(&qdc), "--out", s(&yaml)]));
    let a = Codebook::load(&project.join("codebook.yaml")).unwrap();
    let b = Codebook::load(&yaml).unwrap();
    assert_eq!(b.name, "Cybersecurity norms (UN GGE/OEWG and industry)");
    assert_eq!(codebook_shape(&a), codebook_shape(&b));
    let il01 = b.indicator(&"IL01".into()).unwrap();
    assert_eq!(il01.attributes["orientation"], "relevance");
    assert_eq!(b.variables.len(), 2, "publisher and year");

    // QualCoder drops sets (and so the settings), but keeps the codes' descriptions: the
    // attributes still come back, declared from what the codes carry.
    let text = std::fs::read_to_string(&qdc).unwrap();
    let without_sets = text[..text.find("<Sets>").unwrap()].to_string() + "</CodeBook>\n";
    std::fs::write(&qdc, without_sets).unwrap();
    ok(run(&[
        "export",
        "--import-qdc",
        s(&qdc),
        "--out",
        s(&yaml),
        "--force",
    ]));
    let c = Codebook::load(&yaml).unwrap();
    assert_eq!(c.name, "codes", "no settings: the file's name");
    assert_eq!(c.attributes.len(), 1);
    assert_eq!(
        c.indicator(&"IL01".into()).unwrap().attributes["orientation"],
        "relevance"
    );
}

fn shared_fixture(name: &str) -> Option<PathBuf> {
    let path = repo().join("../shared/refi-qda/fixtures").join(name);
    if path.is_file() {
        Some(path)
    } else {
        eprintln!("note: {} not found; test skipped", path.display());
        None
    }
}

/// (coder, document, unit, span, sorted codes, memo) of every annotation.
fn codings(root: &Path) -> Vec<String> {
    let project = Project::open(root).unwrap();
    let mut out = Vec::new();
    for coder in project.load_coders(None).unwrap() {
        for (document, coding) in &coder.file.documents {
            for a in &coding.annotations {
                let mut codes: Vec<String> = a.codes.iter().map(|c| c.to_string()).collect();
                codes.sort();
                out.push(format!(
                    "{} {document} {} {:?} {codes:?} {:?}",
                    coder.name, a.unit, a.span, a.memo
                ));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn qualcoder_export_of_the_bundled_project_imports_to_the_same_codings() {
    let Some(qdpx) = shared_fixture("qualcoder-4.0-bundled-project.qdpx") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let into = dir.path().join("from-qualcoder");
    let report = ok(run(&["import", s(&qdpx), "--into", s(&into)]));
    assert!(report.contains("2 coders (alice, bob)"), "{report}");
    let bundled = bundled(dir.path());
    let expected = codings(&bundled);
    assert_eq!(expected.len(), 348);
    assert_eq!(codings(&into), expected);
    // QualCoder kept the codebook's ids in the descriptions normcode wrote.
    let codebook = Codebook::load(&into.join("codebook.yaml")).unwrap();
    assert!(codebook.indicator(&"IL01".into()).is_some());
    // Its BOM-prefixed texts are the same bodies.
    let doc = std::fs::read_to_string(into.join("documents/zh/gge-2015-zh.md")).unwrap();
    let original = std::fs::read_to_string(repo().join("samples/zh/gge-2015-zh.md")).unwrap();
    let body = |t: &str| t.splitn(3, "---\n").nth(2).unwrap().to_string();
    assert_eq!(body(&doc), body(&original));
    assert!(doc.contains("year: 2015"));
}

#[test]
fn qualcoder_codebook_imports_with_the_bundled_ids() {
    let Some(qdc) = shared_fixture("qualcoder-4.0-bundled-codebook.qdc") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let yaml = dir.path().join("codebook.yaml");
    ok(run(&["export", "--import-qdc", s(&qdc), "--out", s(&yaml)]));
    let b = Codebook::load(&yaml).unwrap();
    let a = Codebook::load(&repo().join("codebook.yaml")).unwrap();
    let ids = |c: &Codebook| {
        c.indicators
            .iter()
            .map(|i| i.id.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&a), ids(&b));
    assert_eq!(b.languages, a.languages);
}

/// The hand-made project in `tests/fixtures/refi/mixed`, zipped.
fn mixed(dir: &Path) -> PathBuf {
    let root = repo().join("tests/fixtures/refi/mixed");
    let mut files: Vec<(String, Vec<u8>)> = vec![(
        "project.qde".into(),
        std::fs::read(root.join("project.qde")).unwrap(),
    )];
    for entry in std::fs::read_dir(root.join("sources")).unwrap() {
        let entry = entry.unwrap();
        files.push((
            format!("sources/{}", entry.file_name().to_string_lossy()),
            std::fs::read(entry.path()).unwrap(),
        ));
    }
    let to = dir.join("mixed.qdpx");
    let files: Vec<(&str, Vec<u8>)> = files.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
    zip_files(&to, &files);
    to
}

#[test]
fn utf16_offsets_inclusive_ends_and_crlf_are_corrected_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let qdpx = mixed(dir.path());
    let into = dir.path().join("mixed");
    let report = ok(run(&["import", s(&qdpx), "--into", s(&into)]));
    assert!(
        report.contains("1 selection counted UTF-16 code units instead of code points:"),
        "{report}"
    );
    assert!(
        report.contains(
            "1 selection counted UTF-16 code units instead of code points, had an inclusive end"
        ),
        "{report}"
    );
    assert!(
        report.contains("1 selection counted a line break \\r\\n as one character"),
        "{report}"
    );
    assert!(
        report.contains("1 selection could not be checked against the selected text"),
        "{report}"
    );
    assert!(
        report.contains("1 note no source or coding refers to"),
        "{report}"
    );

    let project = Project::open(&into).unwrap();
    let emoji = project
        .corpus
        .get(&"Interviews/Emoji_talk".into())
        .expect("id from the name");
    assert!(emoji.body.starts_with("Emoji 😀 first"), "BOM dropped");
    assert_eq!(
        emoji
            .metadata
            .get("interview_year")
            .map(|v| v.to_string())
            .as_deref(),
        Some("2024")
    );
    let windows = project.corpus.get(&"Windows_file".into()).unwrap();
    assert!(!windows.body.contains('\r'));
    let coders = project.load_coders(None).unwrap();
    assert_eq!(coders.len(), 1);
    assert_eq!(coders[0].name, "Ana_María");
    let file = &coders[0].file;
    let quotes = |id: &str| -> Vec<String> {
        let document = project.corpus.get(&id.into()).unwrap();
        file.documents[id]
            .annotations
            .iter()
            .map(|a| match a.span {
                Some(span) => document.slice(span).unwrap().to_string(),
                None => format!(
                    "unit {}",
                    document.unit_text(document.unit(&a.unit).unwrap())
                ),
            })
            .collect()
    };
    assert_eq!(
        quotes("Interviews/Emoji_talk"),
        [
            "first paragraph".to_string(),
            "unit Second paragraph with 𠀋 and 😀 again.".to_string()
        ]
    );
    assert_eq!(
        quotes("Windows_file"),
        [
            "second paragraph is coded".to_string(),
            "unit Third one.".to_string()
        ]
    );
    let windows_coding = &file.documents["Windows_file"];
    assert_eq!(windows_coding.memo.as_deref(), Some("Saved on Windows."));
    let memo = file.documents["Interviews/Emoji_talk"].annotations[1]
        .memo
        .clone();
    assert_eq!(memo.as_deref(), Some("Two astral characters."));
}

/// Runs an import that must fail, and checks that nothing was written next to `into`.
fn refused(qdpx: &Path, into: &Path) -> String {
    let output = run(&["import", s(qdpx), "--into", s(into)]);
    assert!(
        !output.status.success(),
        "imported: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!into.exists(), "{} was written", into.display());
    let parent = into.parent().unwrap();
    for entry in std::fs::read_dir(parent).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            !name.starts_with(".normcode-import-"),
            "a temporary folder was left: {name}"
        );
    }
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn hostile_archives_are_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let root = repo().join("tests/fixtures/refi/mixed");
    let qde = std::fs::read_to_string(root.join("project.qde")).unwrap();
    let source = |n: u32| {
        std::fs::read(root.join(format!(
            "sources/a1b2c3d4-0000-4000-8000-00000000000{n}.txt"
        )))
        .unwrap()
    };
    let into = dir.path().join("out");
    let make = |name: &str, files: Vec<(&str, Vec<u8>)>| {
        let path = dir.path().join(name);
        zip_files(&path, &files);
        path
    };
    let good = |qde: &str| {
        vec![
            ("project.qde", qde.as_bytes().to_vec()),
            (
                "sources/a1b2c3d4-0000-4000-8000-000000000001.txt",
                source(1),
            ),
            (
                "sources/a1b2c3d4-0000-4000-8000-000000000002.txt",
                source(2),
            ),
        ]
    };

    // Zip slip: a path that climbs out, an absolute path.
    for evil in ["../evil.txt", "/etc/evil.txt"] {
        let mut files = good(&qde);
        files.push((evil, b"x".to_vec()));
        let err = refused(&make("slip.qdpx", files), &into);
        assert!(err.contains("unsafe path"), "{err}");
    }
    // A missing source text.
    let err = refused(
        &make("missing.qdpx", good(&qde).into_iter().take(2).collect()),
        &into,
    );
    assert!(
        err.contains("is not in the archive") && err.contains("Windows file"),
        "{err}"
    );
    // A selection out of range.
    let far = qde.replace(
        "startPosition=\"70\" endPosition=\"80\"",
        "startPosition=\"70\" endPosition=\"8000\"",
    );
    let err = refused(&make("far.qdpx", good(&far)), &into);
    assert!(err.contains("lies outside the text"), "{err}");
    assert!(err.contains("project.qde:"), "names the line: {err}");
    // Duplicate GUIDs.
    let twice = qde.replace(
        "44444444-4444-4444-8444-444444444442",
        "44444444-4444-4444-8444-444444444441",
    );
    let err = refused(&make("twice.qdpx", good(&twice)), &into);
    assert!(err.contains("two sources have the GUID"), "{err}");
    // Deeply nested XML.
    let deep = qde.replace(
        "<Sources>",
        &("<Sources>".to_string() + &"<X>".repeat(500) + &"</X>".repeat(500)),
    );
    let err = refused(&make("deep.qdpx", good(&deep)), &into);
    assert!(err.contains("nested more than"), "{err}");
    // Not XML, not a zip.
    let err = refused(
        &make("broken.qdpx", good("<Project name=\"x\"><Sources>")),
        &into,
    );
    assert!(err.contains("project.qde"), "{err}");
    let junk = dir.path().join("junk.qdpx");
    std::fs::write(&junk, "not a zip").unwrap();
    let err = refused(&junk, &into);
    assert!(err.contains("not a REFI-QDA project archive"), "{err}");

    // An existing, non-empty folder is never written into.
    std::fs::create_dir(&into).unwrap();
    std::fs::write(into.join("keep.txt"), "mine").unwrap();
    let output = run(&["import", s(&mixed(dir.path())), "--into", s(&into)]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("is not empty"));
    assert_eq!(std::fs::read_dir(&into).unwrap().count(), 1);
}

/// Sets the modification time of every file under `dir`.
fn touch_all(dir: &Path, time: std::time::SystemTime) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            touch_all(&entry.path(), time);
        } else {
            let file = std::fs::File::options()
                .write(true)
                .open(entry.path())
                .unwrap();
            file.set_modified(time).unwrap();
        }
    }
}

#[test]
fn qdpx_export_is_the_same_whenever_the_project_was_checked_out() {
    let dir = tempfile::tempdir().unwrap();
    let mut exports = Vec::new();
    for (copy, seconds) in [("a", 1_000_000_000u64), ("b", 1_700_000_000)] {
        let root = bundled(&dir.path().join(copy));
        // A document nobody coded: dated by its front matter, or the fixed date.
        std::fs::write(
            root.join("samples/zz-dated.md"),
            "---\ntitle: Dated\ndate: 2014-03-02\n---\nA text nobody coded.\n",
        )
        .unwrap();
        std::fs::write(
            root.join("samples/zz-undated.md"),
            "---\ntitle: Undated\n---\nAnother text nobody coded.\n",
        )
        .unwrap();
        touch_all(
            &root,
            std::time::UNIX_EPOCH + std::time::Duration::from_secs(seconds),
        );
        let out = dir.path().join(format!("{copy}.qdpx"));
        export_qdpx(&root, &out);
        exports.push(std::fs::read(&out).unwrap());
    }
    assert!(exports[0] == exports[1], "the two exports differ");
    let files = unzip(&dir.path().join("a.qdpx"));
    let qde = String::from_utf8(files["project.qde"].clone()).unwrap();
    let source = |title: &str| {
        let at = qde.find(&format!("<Description>{title}")).unwrap();
        let start = qde[..at].rfind("<TextSource").unwrap();
        qde[start..at].to_string()
    };
    assert!(
        source("Dated").contains(r#"creationDateTime="2014-03-02T00:00:00Z""#),
        "{}",
        source("Dated")
    );
    assert!(
        source("Undated").contains(r#"creationDateTime="2000-01-01T00:00:00Z""#),
        "{}",
        source("Undated")
    );
}

#[test]
fn case_variables_become_the_sources_front_matter() {
    let dir = tempfile::tempdir().unwrap();
    let qde = r#"<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Cases">
  <Users><User guid="11111111-1111-1111-1111-111111111111" name="ana"/></Users>
  <CodeBook><Codes>
    <Code guid="22222222-2222-2222-2222-222222222222" name="Trust" isCodable="true"/>
  </Codes></CodeBook>
  <Variables>
    <Variable guid="33333333-3333-3333-3333-333333333333" name="Country" typeOfVariable="Text"/>
  </Variables>
  <Cases>
    <Case guid="44444444-4444-4444-4444-444444444444" name="Interview one">
      <VariableValue><VariableRef targetGUID="33333333-3333-3333-3333-333333333333"/><TextValue>Chile</TextValue></VariableValue>
      <SourceRef targetGUID="55555555-5555-5555-5555-555555555555"/>
    </Case>
  </Cases>
  <Sources>
    <TextSource guid="55555555-5555-5555-5555-555555555555" name="interview-one.txt">
      <PlainTextContent>We trust them.</PlainTextContent>
    </TextSource>
  </Sources>
</Project>"#;
    let qdpx = dir.path().join("cases.qdpx");
    zip_files(&qdpx, &[("project.qde", qde.as_bytes().to_vec())]);
    let into = dir.path().join("imported");
    let report = ok(run(&["import", s(&qdpx), "--into", s(&into)]));
    assert!(report.contains("1 case"), "{report}");
    let document = std::fs::read_to_string(into.join("documents/interview-one.md")).unwrap();
    assert!(document.contains("country: \"Chile\""), "{document}");
}

/// A PDF source as the standard describes it: the PDF itself, a plain-text `Representation` in
/// the archive, text selections on the representation and an area selection on the PDF. The
/// representation's text becomes the document, its selections the codings; the area is reported
/// as left out (normcode codes text).
#[test]
fn a_pdf_source_imports_through_its_text_representation() {
    let dir = tempfile::tempdir().unwrap();
    let text = "Principle one.\n\nStates should not attack critical infrastructure.\n";
    let qde = r#"<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="PDF">
  <Users><User guid="11111111-1111-1111-1111-111111111111" name="ana"/></Users>
  <CodeBook><Codes>
    <Code guid="22222222-2222-2222-2222-222222222222" name="Critical infrastructure" isCodable="true"/>
  </Codes></CodeBook>
  <Sources>
    <PDFSource guid="55555555-5555-5555-5555-555555555555" name="Paris Call.pdf" path="internal://66666666-6666-6666-6666-666666666666.pdf">
      <Representation guid="77777777-7777-7777-7777-777777777777" plainTextPath="internal://77777777-7777-7777-7777-777777777777.txt">
        <PlainTextSelection guid="88888888-8888-8888-8888-888888888888" name="attack critical infrastructure" startPosition="34" endPosition="64" creatingUser="11111111-1111-1111-1111-111111111111">
          <Coding guid="99999999-9999-9999-9999-999999999999" creatingUser="11111111-1111-1111-1111-111111111111">
            <CodeRef targetGUID="22222222-2222-2222-2222-222222222222"/>
          </Coding>
        </PlainTextSelection>
      </Representation>
      <PDFSelection guid="aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa" page="1" firstX="10" firstY="10" secondX="100" secondY="40" creatingUser="11111111-1111-1111-1111-111111111111">
        <Coding guid="bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb" creatingUser="11111111-1111-1111-1111-111111111111">
          <CodeRef targetGUID="22222222-2222-2222-2222-222222222222"/>
        </Coding>
      </PDFSelection>
    </PDFSource>
  </Sources>
</Project>"#;
    let qdpx = dir.path().join("pdf.qdpx");
    zip_files(
        &qdpx,
        &[
            ("project.qde", qde.as_bytes().to_vec()),
            (
                "sources/66666666-6666-6666-6666-666666666666.pdf",
                b"%PDF-1.4 not read: the representation is".to_vec(),
            ),
            (
                "sources/77777777-7777-7777-7777-777777777777.txt",
                text.as_bytes().to_vec(),
            ),
        ],
    );
    let into = dir.path().join("imported");
    let report = ok(run(&["import", s(&qdpx), "--into", s(&into)]));
    assert!(report.contains("PDF"), "the area is reported: {report}");

    let project = Project::open(&into).unwrap();
    assert_eq!(project.corpus.documents.len(), 1);
    let document = &project.corpus.documents[0];
    assert!(
        document
            .body
            .contains("States should not attack critical infrastructure."),
        "{}",
        document.body
    );
    let coders = project.load_coders(None).unwrap();
    assert_eq!(coders.len(), 1);
    let coding = &coders[0].file.documents[document.id.as_str()];
    let quotes: Vec<String> = coding
        .annotations
        .iter()
        .map(|a| match a.span {
            Some(span) => document.slice(span).unwrap().to_string(),
            None => document
                .unit_text(document.unit(&a.unit).unwrap())
                .to_string(),
        })
        .collect();
    assert_eq!(quotes, ["attack critical infrastructure"]);
}
