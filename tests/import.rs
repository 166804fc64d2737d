//! `normcode import`: a DOCX and an HTML file made here, the PDFs in `tests/fixtures/import/`
//! (`un-report.pdf` with a text layer, `scanned.pdf` with only an image; both made by
//! `make_pdfs.py` there), imported into fresh projects. Each test reads the written document
//! back as normcode does (front matter, units and their ids) and runs `normcode check`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use normcode::project::Project;

const BIN: &str = env!("CARGO_BIN_EXE_normcode");

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import")
}

/// A new project (`normcode init`) in a temporary folder, and a folder for input files.
struct Study {
    dir: tempfile::TempDir,
    root: PathBuf,
}

impl Study {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("study");
        let out = Command::new(BIN).arg("init").arg(&root).output().unwrap();
        assert!(out.status.success());
        std::fs::create_dir_all(dir.path().join("in")).unwrap();
        Self { dir, root }
    }

    fn input(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.dir.path().join("in").join(name);
        std::fs::write(&path, bytes).unwrap();
        path
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

    fn import(&self, files: &[&Path]) -> Output {
        let mut args = vec!["import".to_string()];
        args.extend(files.iter().map(|f| f.to_str().unwrap().to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        self.run(&args)
    }

    fn document(&self, name: &str) -> String {
        std::fs::read_to_string(self.root.join("documents").join(name)).unwrap()
    }

    /// The unit ids of document `id`, as the project loads it.
    fn units(&self, id: &str) -> Vec<String> {
        let project = Project::open(&self.root).unwrap();
        let document = project
            .corpus
            .get(&normcode::corpus::DocumentId::new(id))
            .unwrap_or_else(|| panic!("no document {id}"));
        document.units.iter().map(|u| u.id.to_string()).collect()
    }

    /// `normcode check` after import: no error; the only warnings say that an imported
    /// document has no publisher (import cannot know it) or no year, naming the document.
    fn assert_check_is_clean(&self) {
        let out = self.run(&["check"]);
        let said = String::from_utf8_lossy(&out.stdout);
        if out.status.success() {
            return;
        }
        assert!(
            !said.contains("error:"),
            "normcode check after import: {said}"
        );
        for line in said.lines().filter(|l| l.starts_with("warning:")) {
            assert!(
                line.contains("documents/")
                    && (line.contains(": no publisher, so the reports")
                        || line.contains(": no year, so the reports")),
                "normcode check after import: {said}"
            );
        }
    }
}

fn success(out: &Output) -> String {
    assert!(
        out.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// The front matter and body of a document file.
fn split(text: &str) -> (String, String) {
    let rest = text.strip_prefix("---\n").expect("front matter");
    let (front, body) = rest.split_once("\n---\n").expect("closed front matter");
    (front.to_string(), body.to_string())
}

// ---------------------------------------------------------------------------------------------
// DOCX

const W: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;

fn docx(parts: &[(&str, String)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, text) in parts {
        zip.start_file(*name, options).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn paragraph(properties: &str, runs: &str) -> String {
    format!("<w:p><w:pPr>{properties}</w:pPr>{runs}</w:p>")
}

fn run_text(text: &str) -> String {
    format!(r#"<w:r><w:t xml:space="preserve">{text}</w:t></w:r>"#)
}

fn numbered(level: u8, text: &str) -> String {
    paragraph(
        &format!(r#"<w:numPr><w:ilvl w:val="{level}"/><w:numId w:val="1"/></w:numPr>"#),
        &run_text(text),
    )
}

/// A Word document as Word writes one: a title, a date, a heading with a localized style id,
/// typed numbering ("1." and a tab), automatic numbering (continuing at 2, with lettered
/// sub-paragraphs), lettered lines after line breaks, a Chinese paragraph, deleted text and a
/// field code that are not text, an entity.
fn sample_docx() -> Vec<u8> {
    let body = [
        paragraph(
            r#"<w:pStyle w:val="Title"/>"#,
            &run_text("Norms for responsible State behaviour"),
        ),
        paragraph(
            "",
            &format!(
                "{}<w:r><w:rPr><w:b/></w:rPr><w:t>in New York.</w:t></w:r>",
                run_text("Adopted on 14 July 2021 ")
            ),
        ),
        paragraph(r#"<w:pStyle w:val="berschrift1"/>"#, &run_text("A. Introduction")),
        paragraph(
            "",
            "<w:r><w:t>1.</w:t></w:r><w:r><w:tab/><w:t>The Group met four times.</w:t></w:r>",
        ),
        numbered(0, "States should consider the following:"),
        numbered(1, "cooperate to increase stability;"),
        numbered(1, "not damage critical infrastructure; and"),
        numbered(
            0,
            "Further measures:</w:t><w:br/><w:t>(a) report vulnerabilities;</w:t><w:br/><w:t>(b) share remedies.",
        ),
        paragraph("", &run_text("各国应当加强合作，负责任地报告信息通信技术漏洞。")),
        paragraph(
            "",
            "<w:r><w:delText>deleted words </w:delText></w:r><w:r><w:instrText> PAGE </w:instrText></w:r>\
             <w:r><w:t>Last &amp; final point.</w:t></w:r>",
        ),
    ]
    .concat();
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {W}><w:body>{body}<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>"#
    );
    let styles = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><w:styles {W}>
        <w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/></w:style>
        <w:style w:type="paragraph" w:styleId="berschrift1"><w:name w:val="heading 1"/></w:style>
        </w:styles>"#
    );
    let numbering = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><w:numbering {W}>
        <w:abstractNum w:abstractNumId="0">
          <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>
          <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="(%2)"/></w:lvl>
        </w:abstractNum>
        <w:num w:numId="1"><w:abstractNumId w:val="0"/>
          <w:lvlOverride w:ilvl="0"><w:startOverride w:val="2"/></w:lvlOverride></w:num>
        </w:numbering>"#
    );
    let core = r#"<?xml version="1.0" encoding="UTF-8"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"><dc:title>Norms report</dc:title><dcterms:created>2020-01-05T10:00:00Z</dcterms:created></cp:coreProperties>"#;
    let content_types = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>"#;
    docx(&[
        ("[Content_Types].xml", content_types.to_string()),
        ("word/document.xml", document),
        ("word/styles.xml", styles),
        ("word/numbering.xml", numbering),
        ("docProps/core.xml", core.to_string()),
    ])
}

#[test]
fn docx_paragraphs_numbering_and_chinese_text_become_units() {
    let study = Study::new();
    let file = study.input("Norms Report 2021.docx", &sample_docx());
    let stdout = success(&study.import(&[&file]));
    assert!(stdout.contains("norms-report-2021.md"), "{stdout}");

    let (front, body) = split(&study.document("norms-report-2021.md"));
    assert_eq!(
        front,
        "title: \"Norms report\"\nyear: 2021\nlanguage: en\nsource: \"Norms Report 2021.docx\""
    );
    assert_eq!(
        body,
        "# Norms for responsible State behaviour\n\n\
         Adopted on 14 July 2021 in New York.\n\n\
         # A. Introduction\n\n\
         1. The Group met four times.\n\n\
         2. States should consider the following:\n\n\
         (a) cooperate to increase stability;\n\n\
         (b) not damage critical infrastructure; and\n\n\
         3. Further measures:\n\n\
         (a) report vulnerabilities;\n\n\
         (b) share remedies.\n\n\
         各国应当加强合作，负责任地报告信息通信技术漏洞。\n\n\
         Last & final point.\n"
    );
    assert_eq!(
        study.units("norms-report-2021"),
        [
            "p1", "p2", "p3", "1", "2", "2.a", "2.b", "3", "3.a", "3.b", "p11", "p12"
        ]
    );
    study.assert_check_is_clean();
}

/// A Word template's creation date (2013) is not the text's: "Published in 2020" on its title
/// page wins, and `import` says where each field came from.
#[test]
fn a_date_in_the_text_wins_over_the_docx_metadata_and_import_says_where_each_field_came_from() {
    let study = Study::new();
    let body = [
        paragraph(
            r#"<w:pStyle w:val="Title"/>"#,
            &run_text("Digital Peace Now"),
        ),
        paragraph("", &run_text("A policy paper")),
        paragraph("", &run_text("Published in 2020")),
        paragraph(
            "",
            &run_text("1. States should protect the public core of the Internet."),
        ),
    ]
    .concat();
    let document = format!(r#"<w:document {W}><w:body>{body}</w:body></w:document>"#);
    let core = r#"<?xml version="1.0" encoding="UTF-8"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"><dc:title>Digital Peace</dc:title><dcterms:created>2013-03-01T09:00:00Z</dcterms:created><dcterms:modified>2013-03-02T09:00:00Z</dcterms:modified></cp:coreProperties>"#;
    let file = study.input(
        "paper.docx",
        &docx(&[
            ("word/document.xml", document),
            ("docProps/core.xml", core.to_string()),
        ]),
    );
    let stdout = success(&study.import(&[&file]));
    let written = study.document("paper.md");
    let (front, _) = split(&written);
    assert!(front.contains("year: 2020"), "{front}");
    // The line the output names is the line of the written document that says it.
    let line = written
        .lines()
        .position(|l| l == "Published in 2020")
        .unwrap()
        + 1;
    assert!(
        stdout.contains(&format!(
            "  year      2020  from text line {line}: \"Published in 2020\" (the file's metadata says 2013: not used, the text wins)"
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "  title     \"Digital Peace\"  from the file's metadata (docProps/core.xml)"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("  language  en  from the text"), "{stdout}");
    assert!(stdout.contains("  publisher -  not detected"), "{stdout}");
    study.assert_check_is_clean();
}

/// Without a date in the text, the metadata's year is taken, and import says so.
#[test]
fn without_a_date_in_the_text_the_metadata_year_is_taken_and_flagged() {
    let study = Study::new();
    let document = format!(
        r#"<w:document {W}><w:body>{}</w:body></w:document>"#,
        paragraph("", &run_text("1. A text with no date.")),
    );
    let core = r#"<?xml version="1.0" encoding="UTF-8"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dcterms="http://purl.org/dc/terms/"><dcterms:created>2013-03-01T09:00:00Z</dcterms:created></cp:coreProperties>"#;
    let file = study.input(
        "undated.docx",
        &docx(&[
            ("word/document.xml", document),
            ("docProps/core.xml", core.to_string()),
        ]),
    );
    let stdout = success(&study.import(&[&file]));
    assert!(study.document("undated.md").contains("\nyear: 2013\n"));
    assert!(
        stdout.contains("  year      2013  from the file's metadata (date 2013-03-01T09:00:00Z), as the text states no date: check it"),
        "{stdout}"
    );
    assert!(
        stdout.contains("  title     \"1. A text with no date.\"  from text line "),
        "{stdout}"
    );
}

#[test]
fn a_chinese_docx_is_guessed_chinese() {
    let study = Study::new();
    let document = format!(
        r#"<w:document {W}><w:body>{}{}</w:body></w:document>"#,
        paragraph("", &run_text("网络空间国际规则")),
        paragraph(
            "",
            &run_text("13．各国应当不攻击关键基础设施，并负责任地报告 ICT 漏洞。")
        ),
    );
    let file = study.input("规则.docx", &docx(&[("word/document.xml", document)]));
    success(&study.import(&[&file]));
    let (front, body) = split(&study.document("规则.md"));
    assert!(front.contains("language: zh"), "{front}");
    assert!(front.contains("title: \"网络空间国际规则\""), "{front}");
    assert!(!front.contains("year:"), "no year anywhere: {front}");
    assert!(body.contains("\n\n13．各国应当"), "{body}");
    assert_eq!(study.units("规则"), ["p1", "13"]);
    study.assert_check_is_clean();
}

// ---------------------------------------------------------------------------------------------
// HTML

#[test]
fn html_in_chinese_keeps_paragraphs_lists_and_drops_navigation_and_scripts() {
    let study = Study::new();
    let html = r#"<!DOCTYPE html>
<html lang="zh"><head><meta charset="utf-8"><title>数字日内瓦公约 - 某网站</title>
<style>body { font-family: serif }</style></head>
<body><nav><a href="/">首页</a> | <a href="/about">关于</a></nav>
<h1>数字日内瓦公约</h1>
<p>发布日期：2017年4月12日</p>
<p>12．网络空间需要
   新的规则。</p>
<p>13．各国应当：</p>
<ol type="a"><li>不攻击关键基础设施；</li><li>负责任地报告漏洞。</li></ol>
<p>14. Governments should &ldquo;protect civilians&rdquo;<br>(a) in peacetime;<br>(b) in war.</p>
<script>var x = "<p>不应出现</p>";</script>
<footer>版权所有</footer></body></html>"#;
    let file = study.input("digital-geneva.html", html.as_bytes());
    success(&study.import(&[&file]));
    let (front, body) = split(&study.document("digital-geneva.md"));
    assert_eq!(
        front,
        "title: \"数字日内瓦公约\"\nyear: 2017\nlanguage: zh\nsource: \"digital-geneva.html\""
    );
    assert_eq!(
        body,
        "# 数字日内瓦公约\n\n发布日期：2017年4月12日\n\n12．网络空间需要新的规则。\n\n\
         13．各国应当：\n\n(a) 不攻击关键基础设施；\n\n(b) 负责任地报告漏洞。\n\n\
         14. Governments should \u{201c}protect civilians\u{201d}\n\n(a) in peacetime;\n\n(b) in war.\n"
    );
    assert_eq!(
        study.units("digital-geneva"),
        ["p1", "p2", "12", "13", "13.a", "13.b", "14", "14.a", "14.b"]
    );
    study.assert_check_is_clean();
}

#[test]
fn html_in_a_legacy_chinese_charset_is_decoded() {
    let study = Study::new();
    let html = "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\">\
                <title>网络安全法</title></head><body><p>第一条 为了保障网络安全，制定本法。</p></body></html>";
    let (gbk, _, _) = encoding_rs::GBK.encode(html);
    let file = study.input("law.htm", &gbk);
    success(&study.import(&[&file]));
    let (front, body) = split(&study.document("law.md"));
    assert!(
        front.contains("title: \"网络安全法\"") && front.contains("language: zh"),
        "{front}"
    );
    assert_eq!(body, "第一条 为了保障网络安全，制定本法。\n");
}

// ---------------------------------------------------------------------------------------------
// PDF

#[test]
fn a_pdf_with_a_text_layer_keeps_paragraphs_and_un_numbering() {
    let study = Study::new();
    let file = fixtures().join("un-report.pdf");
    let stdout = success(&study.import(&[&file]));
    assert!(stdout.contains("2015, en, 8 units"), "{stdout}");
    let (front, body) = split(&study.document("un-report.md"));
    assert_eq!(
        front,
        "title: \"Report of the Group of Governmental Experts\"\nyear: 2015\nlanguage: en\n\
         source: \"un-report.pdf\""
    );
    // The running head (A/70/174) and foot (15-12353, 1/2) of both pages are gone.
    let paragraphs: Vec<&str> = body.trim_end().split("\n\n").collect();
    assert_eq!(
        paragraphs,
        [
            "# Report of the Group of Governmental Experts on Information Security",
            "General Assembly, 22 July 2015",
            // Three lines of the PDF, one paragraph.
            "1. The Group examined existing and emerging threats in the use of information and \
             communications technologies by States and considered how norms of responsible \
             behaviour could reduce risks to international peace and security.",
            "2. Taking into account existing and emerging threats, risks and vulnerabilities, the \
             Group offers the following recommendations for consideration by States:",
            "(a) States should cooperate in developing and applying measures to increase stability \
             and security in the use of ICTs;",
            "(b) States should not conduct or knowingly support ICT activity that damages critical \
             infrastructure;",
            "(c) States should encourage responsible reporting of ICT vulnerabilities.",
            // On the second page.
            "3. The Group recommends that States continue to study these questions and that the \
             United Nations play a leading role in promoting dialogue among Member States.",
        ]
    );
    assert_eq!(
        study.units("un-report"),
        ["p1", "p2", "1", "2", "2.a", "2.b", "2.c", "3"]
    );
    study.assert_check_is_clean();
}

#[test]
fn a_pdf_without_a_text_layer_asks_for_ocr_and_writes_nothing() {
    let study = Study::new();
    let out = study.import(&[&fixtures().join("scanned.pdf")]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("scanned.pdf") && err.contains("no text layer; run OCR first"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_dir(study.root.join("documents"))
            .unwrap()
            .count(),
        0
    );
}

// ---------------------------------------------------------------------------------------------
// Never overwrite

#[test]
fn existing_documents_are_never_overwritten_without_force() {
    let study = Study::new();
    let html = study.input("Speech.html", b"<h1>Speech</h1><p>First version.</p>");
    success(&study.import(&[&html]));
    let before = study.document("speech.md");

    std::fs::write(&html, b"<h1>Speech</h1><p>Second version.</p>").unwrap();
    let other = study.input("other.html", b"<p>Another text.</p>");
    // Two files, the second of which exists: neither is written.
    let out = study.import(&[&other, &html]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("speech.md already exists") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(study.document("speech.md"), before);
    assert!(!study.root.join("documents/other.md").exists());

    // A .txt document of the same id is not replaced even with --force.
    std::fs::write(study.root.join("documents/other.txt"), "Plain text.\n").unwrap();
    let out = study.run(&["import", other.to_str().unwrap(), "--force"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("other.txt already exists"));
    std::fs::remove_file(study.root.join("documents/other.txt")).unwrap();

    success(&study.run(&["import", html.to_str().unwrap(), "--force"]));
    assert!(study.document("speech.md").contains("Second version."));
}

#[test]
fn into_picks_the_folder_and_other_files_are_refused() {
    let study = Study::new();
    let html = study.input("a.html", b"<p>Text.</p>");
    let into = study.root.join("documents/web");
    success(&study.run(&[
        "import",
        html.to_str().unwrap(),
        "--into",
        into.to_str().unwrap(),
    ]));
    assert!(into.join("a.md").is_file());
    assert_eq!(study.units("web/a"), ["p1"]);

    let text = study.input("notes.txt", b"Just text.");
    let out = study.import(&[&text]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a PDF, HTML or DOCX file"));

    let broken = study.input("broken.docx", b"PK\x03\x04 not really a zip");
    let out = study.import(&[&broken]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a DOCX file"));
}
