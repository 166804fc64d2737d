//! PDF: the text layer, read with the `pdf-extract` crate (fonts, encodings, text positions),
//! laid out again into lines and paragraphs by position. A new paragraph starts where the gap
//! between two lines is clearly larger than the usual line spacing, where the text moves up
//! (a new column), on a new page after a finished sentence, and at a UN label (`13.`, `(a)`)
//! after a finished clause. Lines of larger type become headings; lines that are only a page
//! number are dropped.

use std::collections::{BTreeSet, HashMap};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use pdf_extract::{Document, MediaBox, Object, OutputDev, OutputError, Transform};

use super::Extracted;
use super::text::{Block, is_cjk};
use crate::error::{Error, Result, SourcePos};

/// One glyph run on a baseline.
#[derive(Debug, Clone)]
struct Line {
    page: u32,
    /// Baseline height from the bottom of the page (PDF space: up is larger).
    y: f64,
    /// Where the last glyph ends, to tell a space from a kerned neighbour.
    end_x: f64,
    size: f64,
    text: String,
}

/// Collects the glyphs pdf-extract reports into lines.
#[derive(Default)]
struct Collector {
    page: u32,
    lines: Vec<Line>,
}

impl OutputDev for Collector {
    fn begin_page(
        &mut self,
        page: u32,
        _media_box: &MediaBox,
        _art_box: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        self.page = page;
        Ok(())
    }

    fn end_page(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        text: &str,
    ) -> Result<(), OutputError> {
        // The font size in page space: the side of the square with the area of the glyph box.
        let vx = font_size * trm.m11 + font_size * trm.m21;
        let vy = font_size * trm.m12 + font_size * trm.m22;
        let size = (vx * vy).abs().sqrt().max(0.1);
        let (x, y) = (trm.m31, trm.m32);
        let end_x = x + width * size;
        let same_line = self
            .lines
            .last()
            .is_some_and(|l| l.page == self.page && (l.y - y).abs() <= size * 0.5);
        if same_line {
            let line = self.lines.last_mut().expect("checked above");
            if x > line.end_x + size * 0.1 && !line.text.ends_with(' ') && !text.starts_with(' ') {
                line.text.push(' ');
            }
            line.text.push_str(text);
            line.end_x = end_x;
            line.size = line.size.max(size);
        } else {
            self.lines.push(Line {
                page: self.page,
                y,
                end_x,
                size,
                text: text.to_string(),
            });
        }
        Ok(())
    }

    fn begin_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
}

/// A PDF text string: UTF-16BE with a byte order mark, UTF-8 with one, else PDFDocEncoding
/// (read as Latin-1, which it matches for letters).
fn text_string(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xfe, 0xff]) {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    } else if let Some(rest) = bytes.strip_prefix(&[0xef, 0xbb, 0xbf]) {
        String::from_utf8_lossy(rest).into_owned()
    } else {
        bytes.iter().map(|&b| char::from(b)).collect()
    }
}

/// `Title`, `CreationDate` and `ModDate` of the document information dictionary.
fn info(doc: &Document) -> (Option<String>, Vec<String>) {
    let Some(dict) = doc
        .trailer
        .get(b"Info")
        .ok()
        .and_then(|o| doc.dereference(o).ok())
        .and_then(|(_, o)| o.as_dict().ok())
    else {
        return (None, Vec::new());
    };
    let text = |key: &[u8]| match dict.get(key).ok().and_then(|o| doc.dereference(o).ok()) {
        Some((_, Object::String(bytes, _))) => {
            Some(text_string(bytes).trim().to_string()).filter(|t| !t.is_empty())
        }
        _ => None,
    };
    let dates = [b"CreationDate".as_slice(), b"ModDate"]
        .iter()
        .filter_map(|k| text(k))
        .collect();
    // Many PDFs carry the name of the file they were made from ("Microsoft Word - A_70_174.docx")
    // as their title: that is no title of the text.
    let title = text(b"Title").filter(|t| {
        let lower = t.to_lowercase();
        !(lower.starts_with("microsoft word - ")
            || [".doc", ".docx", ".pdf", ".indd", ".rtf", ".odt", ".tmp"]
                .iter()
                .any(|ext| lower.ends_with(ext))
            || lower == "untitled")
    });
    (title, dates)
}

/// A line that is only a page number: `7`, `- 7 -`, `7/12`, `Page 7`, `Page 7 of 12`.
fn is_page_number(text: &str) -> bool {
    let t = text.trim();
    let t = t
        .strip_prefix("Page ")
        .or_else(|| t.strip_prefix("page "))
        .unwrap_or(t);
    let core = t.trim_matches(|c: char| c == '-' || c == '–' || c == '—' || c.is_whitespace());
    let core = match core.split_once(" of ").or_else(|| core.split_once('/')) {
        Some((a, b)) if b.trim().bytes().all(|b| b.is_ascii_digit()) => a.trim(),
        _ => core,
    };
    !core.is_empty() && core.len() <= 4 && core.bytes().all(|b| b.is_ascii_digit())
}

fn median(mut values: Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    Some(values[values.len() / 2])
}

fn ends_sentence(text: &str) -> bool {
    text.trim_end()
        .ends_with(['.', ':', ';', '!', '?', '。', '；', '：', '！', '？'])
}

/// Drops running heads and feet: a line at the very top or bottom of two or more pages with the
/// same text (digits aside: `A/70/174`, `15-12353 2/17`), such as a UN document symbol. Top and
/// bottom are by position on the page, whatever the order the PDF draws them in.
fn without_running_heads(lines: Vec<Line>) -> Vec<Line> {
    let shape = |text: &str| -> String {
        text.chars()
            .map(|c| if c.is_ascii_digit() { '#' } else { c })
            .collect()
    };
    // The highest and lowest baseline of each page.
    let mut extremes: HashMap<u32, (f64, f64)> = HashMap::new();
    for line in &lines {
        let e = extremes.entry(line.page).or_insert((line.y, line.y));
        e.0 = e.0.max(line.y);
        e.1 = e.1.min(line.y);
    }
    if extremes.len() < 2 {
        return lines;
    }
    let at_edge = |line: &Line| {
        let (top, bottom) = extremes[&line.page];
        (line.y - top).abs() < 1.0 || (line.y - bottom).abs() < 1.0
    };
    let mut pages_of: HashMap<String, BTreeSet<u32>> = HashMap::new();
    for line in lines.iter().filter(|l| at_edge(l)) {
        pages_of
            .entry(shape(&line.text))
            .or_default()
            .insert(line.page);
    }
    lines
        .into_iter()
        .filter(|line| !(at_edge(line) && pages_of[&shape(&line.text)].len() >= 2))
        .collect()
}

/// Lines into headings and paragraphs (lines of a paragraph joined by `\n`).
fn blocks(lines: Vec<Line>) -> Vec<Block> {
    let lines: Vec<Line> = lines
        .into_iter()
        .map(|mut l| {
            l.text = l.text.trim().to_string();
            l
        })
        .filter(|l| !l.text.is_empty() && !is_page_number(&l.text))
        .collect();
    let lines = without_running_heads(lines);
    // The body type size: the size most of the text is set in (weighted by length).
    let body_size = median(
        lines
            .iter()
            .flat_map(|l| std::iter::repeat_n(l.size, l.text.chars().count().min(200)))
            .collect(),
    )
    .unwrap_or(10.0);
    let is_heading = |l: &Line| l.size >= body_size * 1.15;
    let largest = lines.iter().map(|l| l.size).fold(0.0, f64::max);
    // The usual line spacing of body text.
    let leading = median(
        lines
            .windows(2)
            .filter(|w| w[0].page == w[1].page && !is_heading(&w[0]) && !is_heading(&w[1]))
            .map(|w| w[0].y - w[1].y)
            .filter(|gap| *gap > 0.0)
            .collect(),
    )
    .unwrap_or(body_size * 1.2);

    let mut out: Vec<Block> = Vec::new();
    let mut previous: Option<&Line> = None;
    for line in &lines {
        let heading = is_heading(line);
        let new_block = match previous {
            None => true,
            Some(prev) => {
                let gap = prev.y - line.y;
                if heading != is_heading(prev) || (heading && (prev.size - line.size).abs() > 0.5) {
                    true
                } else if prev.page != line.page {
                    ends_sentence(&prev.text)
                } else {
                    gap > leading * 1.4 || gap < -line.size
                }
            }
        };
        if new_block {
            out.push(if heading {
                Block::heading(if line.size >= largest - 0.5 { 1 } else { 2 }, "")
            } else {
                Block::wrapped("")
            });
        }
        let block = out.last_mut().expect("a block was started");
        if !block.text.is_empty() {
            // Heading lines are joined here; paragraph lines keep their breaks for the labels.
            let cjk = block.text.chars().last().is_some_and(is_cjk)
                && line.text.chars().next().is_some_and(is_cjk);
            if !heading {
                block.text.push('\n');
            } else if !cjk {
                block.text.push(' ');
            }
        }
        block.text.push_str(&line.text);
        previous = Some(line);
    }
    out
}

/// Reads the text layer of the PDF in `bytes`.
pub fn extract(path: &Path, bytes: &[u8]) -> Result<Extracted> {
    let invalid = |message: String| Error::invalid(SourcePos::file(path), message);
    let mut doc =
        Document::load_mem(bytes).map_err(|e| invalid(format!("cannot read this PDF: {e}")))?;
    if doc.is_encrypted() && doc.decrypt("").is_err() {
        return Err(invalid(
            "the PDF is encrypted with a password; save an unprotected copy first".into(),
        ));
    }
    let (title, dates) = info(&doc);
    let mut collector = Collector::default();
    // pdf-extract panics on some malformed files; a bad file must not take the import down.
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        pdf_extract::output_doc(&doc, &mut collector)
    }));
    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(invalid(format!("cannot read the PDF's text: {e:?}"))),
        Err(_) => {
            return Err(invalid(
                "cannot read the PDF's text (the PDF reader failed on this file)".into(),
            ));
        }
    }
    let letters = collector
        .lines
        .iter()
        .flat_map(|l| l.text.chars())
        .filter(|c| c.is_alphanumeric())
        .count();
    if letters == 0 {
        return Err(invalid(
            "no text layer; run OCR first (the PDF holds only images of its pages, e.g. \
             `ocrmypdf in.pdf out.pdf`, then import out.pdf)"
                .into(),
        ));
    }
    Ok(Extracted {
        title,
        dates,
        blocks: blocks(collector.lines),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(page: u32, y: f64, size: f64, text: &str) -> Line {
        Line {
            page,
            y,
            end_x: 0.0,
            size,
            text: text.to_string(),
        }
    }

    #[test]
    fn running_heads_are_dropped_and_the_text_joins_across_the_page() {
        let lines = vec![
            line(1, 800.0, 11.0, "A/70/174"),
            line(1, 770.0, 11.0, "1. The Group"),
            line(1, 756.0, 11.0, "met and"),
            line(1, 40.0, 11.0, "15-12353 1/2"),
            line(2, 800.0, 11.0, "A/70/174"),
            line(2, 770.0, 11.0, "agreed."),
            line(2, 40.0, 11.0, "15-12353 2/2"),
        ];
        assert_eq!(
            blocks(lines),
            [Block::wrapped("1. The Group\nmet and\nagreed.")]
        );
    }

    #[test]
    fn page_numbers_are_recognized() {
        for text in ["7", "- 7 -", "7/12", "Page 7", "Page 7 of 12"] {
            assert!(is_page_number(text), "{text}");
        }
        for text in ["13.", "2015 was a year", "(a)", "A/70/174"] {
            assert!(!is_page_number(text), "{text}");
        }
    }

    #[test]
    fn gaps_type_sizes_and_pages_make_the_blocks() {
        let lines = vec![
            line(1, 800.0, 16.0, "A Title"),
            line(1, 770.0, 11.0, "1. First paragraph"),
            line(1, 756.0, 11.0, "goes on."),
            line(1, 730.0, 11.0, "2. Second paragraph"),
            line(1, 716.0, 11.0, "does not end"),
            line(1, 40.0, 11.0, "3"),
            line(2, 800.0, 11.0, "on this page."),
            line(2, 786.0, 11.0, "(a) next line item;"),
        ];
        let blocks = blocks(lines);
        assert_eq!(
            blocks,
            [
                Block::heading(1, "A Title"),
                Block::wrapped("1. First paragraph\ngoes on."),
                Block::wrapped(
                    "2. Second paragraph\ndoes not end\non this page.\n(a) next line item;"
                ),
            ]
        );
    }
}
