//! The agenda as a figure for a paper, checked the way a reader looks at it: the bundled
//! project's agenda (English and Chinese) is laid out with the system's fonts, parsed and laid
//! out again by usvg (the renderer's own text layout), and drawn to PNG and PDF. No label is
//! cut or wider than its column, each panel has its own legend with a shape per group, the
//! axis has a title and a tick per year, markers of one year do not hide each other, and the
//! Chinese figure has no English words left. Also the tables as LaTeX, agreeing with Markdown.
//!
//! Fonts: DejaVu Sans (fonts-dejavu-core) and, for Chinese, Noto Sans CJK (fonts-noto-cjk);
//! `.ci/run` installs both. Without a Chinese font the Chinese checks are skipped with a note,
//! except under CI, where they fail.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use normcode::project::Project;
use normcode::report::figure::{self, Fonts, PNG_SCALE};
use normcode::report::{self, Combine, Format, Kind, Options, agenda};
use resvg::tiny_skia;
use resvg::usvg::{self, Node, Paint};

const BIN: &str = env!("CARGO_BIN_EXE_normcode");

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn project() -> Project {
    Project::open(&repo()).unwrap()
}

/// The bundled project's agenda as SVG.
fn svg(fonts: &Fonts, lang: &str, combine: Combine) -> String {
    let project = project();
    let coders = project.load_coders(None).unwrap();
    let mut options = Options::new(&project.codebook);
    options.lang = lang.into();
    options.combine = combine;
    figure::agenda(&agenda::build(&project, &coders, &options), fonts)
}

/// Whether this system can draw Chinese; outside CI a missing font skips the test.
fn chinese_font(fonts: &Fonts) -> bool {
    if fonts.covers('漏') && fonts.covers('国') {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "no Chinese font on the CI machine: .ci/run installs fonts-noto-cjk"
    );
    eprintln!("skipped: no Chinese font (apt install fonts-noto-cjk)");
    false
}

struct Shown {
    id: String,
    text: String,
    /// left, top, right, bottom
    bbox: (f32, f32, f32, f32),
}

struct Drawn {
    width: f32,
    texts: Vec<Shown>,
    /// Paths by id (`plot-0`, `legend-0-company`, ...), and the groups they are in.
    paths: Vec<(String, Vec<String>, usvg::Path)>,
    groups: Vec<String>,
}

fn walk(group: &usvg::Group, parents: &mut Vec<String>, drawn: &mut Drawn) {
    if !group.id().is_empty() {
        drawn.groups.push(group.id().to_string());
        parents.push(group.id().to_string());
    }
    for node in group.children() {
        match node {
            Node::Group(g) => walk(g, parents, drawn),
            Node::Path(p) => drawn
                .paths
                .push((p.id().to_string(), parents.clone(), (**p).clone())),
            Node::Text(t) => {
                let b = t.abs_bounding_box();
                drawn.texts.push(Shown {
                    id: t.id().to_string(),
                    text: t.chunks().iter().map(|c| c.text()).collect(),
                    bbox: (b.left(), b.top(), b.right(), b.bottom()),
                });
            }
            Node::Image(_) => {}
        }
    }
    if !group.id().is_empty() {
        parents.pop();
    }
}

/// The SVG as the renderer lays it out.
fn drawn(svg: &str, fonts: &Fonts) -> Drawn {
    let tree = figure::tree(svg, fonts).unwrap();
    let mut drawn = Drawn {
        width: tree.size().width(),
        texts: Vec::new(),
        paths: Vec::new(),
        groups: Vec::new(),
    };
    walk(tree.root(), &mut Vec::new(), &mut drawn);
    drawn
}

fn path_box(drawn: &Drawn, id: &str) -> (f32, f32, f32, f32) {
    let (_, _, path) = drawn
        .paths
        .iter()
        .find(|(i, _, _)| i == id)
        .unwrap_or_else(|| panic!("no {id}"));
    let b = path.abs_bounding_box();
    (b.left(), b.top(), b.right(), b.bottom())
}

fn panels(drawn: &Drawn) -> usize {
    drawn
        .paths
        .iter()
        .filter(|(id, _, _)| id.starts_with("plot-"))
        .count()
}

/// Every text inside the figure, labels left of the plot, verdicts right of it, nothing cut.
fn assert_fits(drawn: &Drawn, project: &Project, lang: &str) {
    assert!(!drawn.texts.is_empty());
    for t in &drawn.texts {
        assert!(!t.text.contains('…'), "cut text {:?}: {}", t.id, t.text);
        assert!(
            t.bbox.0 >= 0.0 && t.bbox.2 <= drawn.width,
            "{} ({}) runs off the figure: {:?}, width {}",
            t.id,
            t.text,
            t.bbox,
            drawn.width
        );
    }
    for p in 0..panels(drawn) {
        let plot = path_box(drawn, &format!("plot-{p}"));
        let mut labels: BTreeMap<usize, Vec<&Shown>> = BTreeMap::new();
        for t in &drawn.texts {
            if t.id.starts_with(&format!("label-{p}-")) {
                assert!(
                    t.bbox.2 <= plot.0,
                    "label {} ({}) is wider than its column: ends at {}, the plot starts at {}",
                    t.id,
                    t.text,
                    t.bbox.2,
                    plot.0
                );
                let row: usize = t.id.split('-').nth(2).unwrap().parse().unwrap();
                labels.entry(row).or_default().push(t);
            }
            if t.id.starts_with(&format!("verdict-{p}-")) {
                assert!(t.bbox.0 >= plot.2, "{} overlaps the plot", t.id);
            }
        }
        // Every label whole: its lines put together are the codebook's label.
        let ids: Vec<&Shown> = drawn
            .texts
            .iter()
            .filter(|t| t.id.starts_with(&format!("id-{p}-")))
            .collect();
        assert!(ids.len() > 10, "{} rows", ids.len());
        for id in ids {
            let row: usize = id.id.split('-').nth(2).unwrap().parse().unwrap();
            let Some(indicator) = project.codebook.indicator(&id.text.as_str().into()) else {
                continue;
            };
            let whole: String = labels
                .get(&row)
                .map(|lines| lines.iter().map(|l| l.text.as_str()).collect())
                .unwrap_or_default();
            let expected: String = indicator.label.get(lang).split_whitespace().collect();
            let whole: String = whole.split_whitespace().collect();
            assert_eq!(whole, expected, "label of {}", id.text);
        }
    }
}

#[test]
fn no_label_is_cut_or_wider_than_its_column_in_english() {
    let fonts = Fonts::system();
    let drawn = drawn(&svg(&fonts, "en", Combine::PerCoder), &fonts);
    assert_fits(&drawn, &project(), "en");
    // A label that needs two lines is wrapped, not cut.
    assert!(
        drawn
            .texts
            .iter()
            .any(|t| t.id.starts_with("label-0-") && t.id.ends_with("-1"))
    );
}

#[test]
fn no_label_is_cut_or_wider_than_its_column_in_chinese() {
    let fonts = Fonts::system();
    if !chinese_font(&fonts) {
        return;
    }
    let drawn = drawn(&svg(&fonts, "zh", Combine::PerCoder), &fonts);
    assert_fits(&drawn, &project(), "zh");
}

#[test]
fn the_figure_is_as_wide_as_its_content() {
    let fonts = Fonts::system();
    let drawn = drawn(&svg(&fonts, "en", Combine::Any), &fonts);
    let right = drawn
        .texts
        .iter()
        .map(|t| t.bbox.2)
        .chain(
            drawn
                .paths
                .iter()
                .filter(|(id, _, _)| id.starts_with("plot-"))
                .map(|(_, _, p)| p.abs_bounding_box().right()),
        )
        .fold(0.0, f32::max);
    // The margin on the right is the margin on the left (24 px), plus what a wrapped verdict
    // column leaves: never hundreds of pixels of empty width.
    assert!(
        drawn.width - right < 24.0 + 60.0,
        "{} px of empty width on the right",
        drawn.width - right
    );
}

/// The shape of a marker: its segments, relative to its box.
fn shape(path: &usvg::Path) -> String {
    let b = path.data().bounds();
    let mut out = String::new();
    for segment in path.data().segments() {
        use tiny_skia::PathSegment::*;
        let point = |p: tiny_skia::Point| {
            format!(
                "{:.1},{:.1} ",
                (p.x - b.left()) / b.width(),
                (p.y - b.top()) / b.height()
            )
        };
        match segment {
            MoveTo(p) => out += &format!("M{}", point(p)),
            LineTo(p) => out += &format!("L{}", point(p)),
            QuadTo(_, p) | CubicTo(_, _, p) => out += &format!("C{}", point(p)),
            Close => out += "Z ",
        }
    }
    out
}

fn colour(path: &usvg::Path) -> (u8, u8, u8) {
    match path.fill().map(|f| f.paint()) {
        Some(Paint::Color(c)) => (c.red, c.green, c.blue),
        _ => panic!("a marker without a plain fill"),
    }
}

#[test]
fn every_panel_has_its_own_legend_with_a_shape_and_colour_per_group() {
    let fonts = Fonts::system();
    let project = project();
    let svg = svg(&fonts, "en", Combine::PerCoder);
    let drawn = drawn(&svg, &fonts);
    let coders = project.load_coders(None).unwrap();
    assert!(coders.len() >= 2);
    assert_eq!(panels(&drawn), coders.len(), "a panel per coder");
    let groups = report::groups(&project, "en", true);
    assert!(groups.len() >= 3, "{groups:?}");
    for p in 0..coders.len() {
        let legend = format!("legend-{p}");
        assert!(drawn.groups.contains(&legend), "panel {p} has no legend");
        let mut shapes = BTreeSet::new();
        let mut colours = BTreeSet::new();
        for group in &groups {
            let (_, parents, path) = drawn
                .paths
                .iter()
                .find(|(id, _, _)| *id == format!("legend-{p}-{}", group.id))
                .unwrap_or_else(|| panic!("panel {p}'s legend lacks {}", group.id));
            assert!(parents.contains(&legend));
            shapes.insert(shape(path));
            colours.insert(colour(path));
            assert!(
                drawn.texts.iter().any(|t| t
                    .id
                    .starts_with(&format!("legendtext-{p}-{}-", group.id))
                    && group.label.starts_with(&t.text)),
                "panel {p}'s legend does not name {}",
                group.label
            );
        }
        assert_eq!(shapes.len(), groups.len(), "a shape per group: {shapes:?}");
        assert_eq!(colours.len(), groups.len(), "a colour per group");
    }
}

#[test]
fn the_axis_has_a_title_and_a_tick_per_year() {
    let fonts = Fonts::system();
    let drawn = drawn(&svg(&fonts, "en", Combine::Any), &fonts);
    let text = |id: &str| {
        drawn
            .texts
            .iter()
            .find(|t| t.id == id)
            .map(|t| t.text.clone())
    };
    assert_eq!(text("axis-0").as_deref(), Some("Year"));
    let years: Vec<i64> = drawn
        .texts
        .iter()
        .filter_map(|t| t.id.strip_prefix("tick-0-"))
        .map(|y| y.parse().unwrap())
        .collect();
    assert!(years.len() >= 5, "{years:?}");
    let (first, last) = (years[0], *years.last().unwrap());
    assert_eq!(
        years,
        (first..=last).collect::<Vec<_>>(),
        "a tick for every year"
    );
    // Ticks in order, left to right, below the plot.
    let plot = path_box(&drawn, "plot-0");
    let mut x = plot.0;
    for year in first..=last {
        let tick = drawn
            .texts
            .iter()
            .find(|t| t.id == format!("tick-0-{year}"))
            .unwrap();
        assert!(
            tick.bbox.0 > x - 1.0 && tick.bbox.1 >= plot.3,
            "tick {year}"
        );
        x = tick.bbox.2;
    }
}

#[test]
fn markers_of_the_same_year_sit_side_by_side() {
    let fonts = Fonts::system();
    let drawn = drawn(&svg(&fonts, "en", Combine::Any), &fonts);
    let plot = path_box(&drawn, "plot-0");
    let markers: Vec<(f32, f32, f32, f32)> = drawn
        .paths
        .iter()
        .filter(|(id, parents, p)| {
            id.is_empty()
                && parents.is_empty()
                && matches!(p.fill().map(|f| f.paint()), Some(Paint::Color(_)))
                && p.stroke().is_some()
        })
        .map(|(_, _, p)| {
            let b = p.abs_bounding_box();
            (b.left(), b.top(), b.right(), b.bottom())
        })
        // Markers, not the grid's lines or the lead bars.
        .filter(|b| b.2 - b.0 > 4.0 && b.3 - b.1 > 4.0 && b.2 - b.0 < 20.0)
        .filter(|b| b.0 >= plot.0 && b.2 <= plot.2 && b.1 >= plot.1 && b.3 <= plot.3)
        .collect();
    assert!(markers.len() > 40, "{} markers", markers.len());
    let mut neighbours = 0;
    for (i, a) in markers.iter().enumerate() {
        for b in &markers[i + 1..] {
            let same_row = (a.1 + a.3 - b.1 - b.3).abs() < 1.0;
            let overlap = a.0 < b.2 - 0.5 && b.0 < a.2 - 0.5 && a.1 < b.3 && b.1 < a.3;
            assert!(!overlap, "markers overlap: {a:?} {b:?}");
            if same_row && (a.0 - b.0).abs() < 14.0 {
                neighbours += 1;
            }
        }
    }
    assert!(
        neighbours > 0,
        "no two groups share a year: the test shows nothing"
    );
}

#[test]
fn the_chinese_figure_has_no_english_words_left() {
    let fonts = Fonts::system();
    if !chinese_font(&fonts) {
        return;
    }
    let project = project();
    let drawn = drawn(&svg(&fonts, "zh", Combine::PerCoder), &fonts);
    let mut allowed: BTreeSet<String> = BTreeSet::new();
    for coder in project.load_coders(None).unwrap() {
        allowed.insert(coder.name.clone());
    }
    let word = regex::Regex::new("[A-Za-z]{2,}").unwrap();
    let id = regex::Regex::new(r"^[A-Z]{2,4}\d+$").unwrap();
    let mut english = Vec::new();
    for t in &drawn.texts {
        for token in t.text.split(|c: char| !c.is_alphanumeric()) {
            if id.is_match(token) || allowed.contains(token) {
                continue;
            }
            if word.is_match(token) {
                english.push(format!("{} in {:?}", token, t.text));
            }
        }
    }
    assert!(
        english.is_empty(),
        "English left in the zh figure: {english:?}"
    );
    for zh in ["年份", "议程", "领先"] {
        assert!(drawn.texts.iter().any(|t| t.text.contains(zh)), "no {zh}");
    }
}

fn decode(png: &[u8]) -> tiny_skia::Pixmap {
    tiny_skia::Pixmap::decode_png(png).expect("a PNG")
}

/// Share of the pixels that are not white, and whether each of `colours` is drawn.
fn ink(pixmap: &tiny_skia::Pixmap, colours: &[(u8, u8, u8)]) -> (f64, Vec<bool>) {
    let mut inked = 0usize;
    let mut seen = vec![false; colours.len()];
    for p in pixmap.pixels() {
        let (r, g, b) = (p.red(), p.green(), p.blue());
        if (r, g, b) != (255, 255, 255) {
            inked += 1;
        }
        for (i, c) in colours.iter().enumerate() {
            if (r, g, b) == *c {
                seen[i] = true;
            }
        }
    }
    (inked as f64 / pixmap.pixels().len() as f64, seen)
}

#[test]
fn the_agenda_renders_to_a_png_of_the_figure_size_with_every_group_drawn() {
    let fonts = Fonts::system();
    let svg = svg(&fonts, "en", Combine::Any);
    let drawn = drawn(&svg, &fonts);
    let tree = figure::tree(&svg, &fonts).unwrap();
    let pixmap = decode(&figure::png(&svg, &fonts).unwrap());
    assert_eq!(
        pixmap.width(),
        (tree.size().width() * PNG_SCALE).round() as u32
    );
    assert_eq!(
        pixmap.height(),
        (tree.size().height() * PNG_SCALE).round() as u32
    );
    let colours: Vec<(u8, u8, u8)> = drawn
        .paths
        .iter()
        .filter(|(id, _, _)| id.starts_with("legend-0-"))
        .map(|(_, _, p)| colour(p))
        .collect();
    assert!(colours.len() >= 3);
    let (share, seen) = ink(&pixmap, &colours);
    assert!(share > 0.05 && share < 0.8, "{share} of the pixels drawn");
    assert!(
        seen.iter().all(|s| *s),
        "colours drawn: {seen:?} of {colours:?}"
    );
}

#[test]
fn the_chinese_agenda_renders_to_png() {
    let fonts = Fonts::system();
    if !chinese_font(&fonts) {
        return;
    }
    let svg = svg(&fonts, "zh", Combine::Any);
    let pixmap = decode(&figure::png(&svg, &fonts).unwrap());
    let (share, _) = ink(&pixmap, &[]);
    assert!(share > 0.05, "{share}");
}

#[test]
fn without_fonts_the_figure_fails_clearly() {
    use resvg::usvg::fontdb::Database;
    let none = Fonts::from_database(Database::new());
    let svg_text = svg(&Fonts::system(), "en", Combine::Any);
    let err = figure::png(&svg_text, &none).unwrap_err().to_string();
    assert!(
        err.contains("no fonts") && err.contains("fonts-dejavu-core"),
        "{err}"
    );
    // Latin fonts only: the Chinese figure names what is missing.
    let mut latin = Database::new();
    latin.load_fonts_dir("/usr/share/fonts/truetype/dejavu");
    if latin.is_empty() {
        eprintln!(
            "skipped the Latin-only half: no DejaVu fonts in /usr/share/fonts/truetype/dejavu"
        );
        return;
    }
    let latin = Fonts::from_database(latin);
    let zh = svg(&latin, "zh", Combine::Any);
    let err = figure::pdf(&zh, &latin).unwrap_err().to_string();
    assert!(
        err.contains("Chinese") && err.contains("fonts-noto-cjk"),
        "{err}"
    );
}

fn run(project: &Path, args: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .arg("--project")
        .arg(project)
        .args(args)
        .env_remove("NORMCODE_PROJECT")
        .env_remove("NORMCODE_CODER")
        .output()
        .unwrap()
}

#[test]
fn png_and_pdf_are_written_by_the_report_command() {
    let dir = tempfile::tempdir().unwrap();
    for (format, magic) in [("png", &b"\x89PNG"[..]), ("pdf", &b"%PDF-"[..])] {
        let path = dir.path().join(format!("agenda.{format}"));
        let out = run(
            &repo(),
            &[
                "report",
                "agenda",
                "--combine",
                "any",
                "--format",
                format,
                "--out",
            ],
        );
        assert!(!out.status.success(), "--out needs a value");
        let out = Command::new(BIN)
            .args(["--project"])
            .arg(repo())
            .args([
                "report",
                "agenda",
                "--combine",
                "any",
                "--format",
                format,
                "--out",
            ])
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let bytes = std::fs::read(&path).unwrap();
        assert!(bytes.starts_with(magic), "{format}");
        assert!(bytes.len() > 10_000, "{format}: {} bytes", bytes.len());
    }
    let out = run(&repo(), &["report", "frequencies", "--format", "pdf"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("agenda report only"));
}

/// The data rows of the Markdown tables: their first two cells.
fn md_rows(md: &str) -> Vec<(String, String)> {
    md.lines()
        .filter(|l| l.starts_with('|') && !l.starts_with("| -") && !l.contains("| ---"))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split(" | ").map(str::trim).collect();
            (
                cells[0].to_string(),
                cells.get(1).unwrap_or(&"").to_string(),
            )
        })
        .collect()
}

#[test]
fn latex_tables_are_booktabs_and_agree_with_markdown() {
    let project = project();
    let coders = project.load_coders(None).unwrap();
    for kind in [Kind::Agenda, Kind::Frequencies] {
        for lang in ["en", "zh"] {
            let mut options = Options::new(&project.codebook);
            options.lang = lang.into();
            let md = report::report(&project, &coders, kind, Format::Markdown, &options).unwrap();
            let tex = report::report(&project, &coders, kind, Format::Latex, &options).unwrap();
            let md = String::from_utf8(md.bytes).unwrap();
            let tex = String::from_utf8(tex.bytes).unwrap();
            let tables = md_rows(&md);
            let heads = md
                .lines()
                .filter(|l| l.starts_with("| -") || l.contains("| ---"))
                .count();
            assert!(heads >= 2);
            for rule in [
                "\\toprule",
                "\\midrule",
                "\\bottomrule",
                "\\begin{longtable}",
            ] {
                assert_eq!(
                    tex.matches(rule).count(),
                    heads,
                    "{rule} in {kind:?} {lang}"
                );
            }
            // The same rows in the same order: each row's first cells, escaped.
            let rows: Vec<&str> = tex.lines().filter(|l| l.ends_with("\\\\")).collect();
            assert_eq!(rows.len(), tables.len(), "{kind:?} {lang}");
            for (row, (first, second)) in rows.iter().zip(&tables) {
                let expected = format!(
                    "{} & {}",
                    report::latex::escape(first),
                    report::latex::escape(second)
                );
                assert!(row.starts_with(&expected), "{row} vs {expected}");
            }
            if lang == "zh" {
                assert!(tex.contains("xeCJK"));
                assert!(tex.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)));
            }
            assert!(
                !tex.contains(" & _") && !tex.contains("|"),
                "unescaped in {kind:?}"
            );
        }
    }
}
