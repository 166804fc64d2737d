//! HTML: the text of a web page or saved report, read with html5ever's tokenizer (the HTML
//! standard's, so entities, unclosed `<p>`s and raw `<script>` text are handled as browsers do).
//! Block elements (`p`, `div`, `li`, `h1`..`h6`, table cells, ...) become paragraphs and
//! headings, `<br>` a line break; scripts, styles, navigation and footers are left out. Items of
//! an ordered list get the number a browser shows (`1.`, or `(a)` for `type="a"`), so that UN
//! paragraph numbering survives. The charset comes from a byte order mark, then a
//! `<meta charset>`, else UTF-8 (or Windows-1252 when the bytes are not UTF-8).

use std::cell::RefCell;
use std::sync::LazyLock;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use regex::Regex;

use super::Extracted;
use super::text::Block;

/// Elements whose start and end delimit a paragraph.
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "caption",
    "center",
    "dd",
    "details",
    "dialog",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "li",
    "main",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
];

/// Elements whose content is not part of the text.
const SKIPPED: &[&str] = &[
    "script", "style", "noscript", "template", "svg", "math", "nav", "footer", "select", "button",
    "iframe", "object", "textarea", "xmp", "noembed", "noframes",
];

/// `<meta name=...>` (or `property=...`) that give the date of the text.
const DATE_META: &[&str] = &[
    "citation_publication_date",
    "citation_date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.date",
    "dcterms.created",
    "article:published_time",
    "publication_date",
    "pubdate",
    "date",
];

/// `<meta name=...>` that give the title of the text.
const TITLE_META: &[&str] = &["citation_title", "dc.title", "dcterms.title", "og:title"];

#[derive(Debug, Clone, Copy)]
struct List {
    /// `None` for `<ul>`; else the numbering type (`1`, `a`, `A`, `i`, `I`).
    numbering: Option<char>,
    next: i64,
}

#[derive(Default)]
struct State {
    blocks: Vec<Block>,
    current: String,
    heading: Option<u8>,
    skip: usize,
    pre: usize,
    in_title: bool,
    title: String,
    meta_title: Option<String>,
    first_h1: Option<String>,
    dates: Vec<String>,
    lists: Vec<List>,
}

impl State {
    fn flush(&mut self) {
        let text = std::mem::take(&mut self.current);
        if !text.trim().is_empty() {
            let block = match self.heading {
                Some(level) => {
                    if level == 1 && self.first_h1.is_none() {
                        self.first_h1 = Some(super::text::collapse(&text));
                    }
                    Block::heading(level, text)
                }
                None => Block::paragraph(text),
            };
            self.blocks.push(block);
        }
    }

    fn text(&mut self, text: &str) {
        if self.in_title {
            self.title.push_str(text);
        } else if self.skip == 0 {
            if self.pre > 0 {
                self.current.push_str(text);
            } else {
                // Source line breaks are no breaks in HTML (only <br> is): `\r` tells the body
                // writer to show them as a space, or as nothing between Chinese characters.
                self.current
                    .extend(text.chars().map(|c| if c == '\n' { '\r' } else { c }));
            }
        }
    }

    fn start(&mut self, tag: &Tag) -> TokenSinkResult<()> {
        let name: &str = &tag.name;
        let attr = |key: &str| {
            tag.attrs
                .iter()
                .find(|a| &*a.name.local == key)
                .map(|a| a.value.to_string())
        };
        match name {
            // An SVG image has <title>s too: only the page's counts.
            "title" if self.skip == 0 => {
                self.in_title = !tag.self_closing;
                return raw(tag, RawKind::Rcdata);
            }
            "meta" => {
                let key = attr("name")
                    .or_else(|| attr("property"))
                    .unwrap_or_default()
                    .to_ascii_lowercase();
                if let Some(content) = attr("content").filter(|c| !c.trim().is_empty()) {
                    if DATE_META.contains(&key.as_str()) {
                        self.dates.push(content);
                    } else if TITLE_META.contains(&key.as_str()) && self.meta_title.is_none() {
                        self.meta_title = Some(super::text::collapse(&content));
                    }
                }
                return TokenSinkResult::Continue;
            }
            "br" => {
                if self.skip == 0 {
                    self.current.push('\n');
                }
                return TokenSinkResult::Continue;
            }
            _ => {}
        }
        if SKIPPED.contains(&name) {
            if tag.self_closing {
                return TokenSinkResult::Continue;
            }
            self.skip += 1;
            // The tokenizer reads these elements' content as text up to their end tag.
            return match name {
                "script" => TokenSinkResult::RawData(RawKind::ScriptData),
                "textarea" => TokenSinkResult::RawData(RawKind::Rcdata),
                "style" | "noscript" | "xmp" | "iframe" | "noembed" | "noframes" => {
                    TokenSinkResult::RawData(RawKind::Rawtext)
                }
                _ => TokenSinkResult::Continue,
            };
        }
        if !BLOCKS.contains(&name) {
            return TokenSinkResult::Continue;
        }
        self.flush();
        self.heading = None;
        match name {
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                self.heading = name[1..].parse().ok();
            }
            "pre" => self.pre += 1,
            "ol" => {
                let numbering = attr("type")
                    .and_then(|t| t.chars().next())
                    .filter(|c| matches!(c, '1' | 'a' | 'A' | 'i' | 'I'))
                    .unwrap_or('1');
                let start = attr("start")
                    .and_then(|s| s.trim().parse().ok())
                    .unwrap_or(1);
                self.lists.push(List {
                    numbering: Some(numbering),
                    next: start,
                });
            }
            "ul" => self.lists.push(List {
                numbering: None,
                next: 1,
            }),
            "li" => {
                if let Some(list) = self.lists.last_mut()
                    && let Some(numbering) = list.numbering
                {
                    let number = attr("value")
                        .and_then(|v| v.trim().parse().ok())
                        .unwrap_or(list.next);
                    list.next = number + 1;
                    self.current = format!("{} ", list_label(numbering, number));
                }
            }
            _ => {}
        }
        TokenSinkResult::Continue
    }

    fn end(&mut self, tag: &Tag) {
        let name: &str = &tag.name;
        if name == "title" {
            self.in_title = false;
            return;
        }
        if SKIPPED.contains(&name) {
            self.skip = self.skip.saturating_sub(1);
            return;
        }
        if BLOCKS.contains(&name) {
            self.flush();
            self.heading = None;
            match name {
                "pre" => self.pre = self.pre.saturating_sub(1),
                "ol" | "ul" => {
                    self.lists.pop();
                }
                _ => {}
            }
        }
    }
}

fn raw(tag: &Tag, kind: RawKind) -> TokenSinkResult<()> {
    if tag.self_closing {
        TokenSinkResult::Continue
    } else {
        TokenSinkResult::RawData(kind)
    }
}

/// The label a browser shows for item `number` of an `<ol type=...>`, in UN style.
fn list_label(numbering: char, number: i64) -> String {
    match numbering {
        'a' | 'A' if number > 0 => {
            let mut letters = Vec::new();
            let mut n = number;
            while n > 0 {
                n -= 1;
                letters.push(char::from(b'a' + (n % 26) as u8));
                n /= 26;
            }
            let letters: String = letters.iter().rev().collect();
            if numbering == 'A' {
                format!("({})", letters.to_uppercase())
            } else {
                format!("({letters})")
            }
        }
        'i' | 'I' if number > 0 => {
            let roman = super::docx::roman(number);
            if numbering == 'I' {
                format!("({})", roman.to_uppercase())
            } else {
                format!("({roman})")
            }
        }
        _ => format!("{number}."),
    }
}

struct Sink(RefCell<State>);

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut state = self.0.borrow_mut();
        match token {
            Token::TagToken(tag) => match tag.kind {
                TagKind::StartTag => return state.start(&tag),
                TagKind::EndTag => state.end(&tag),
            },
            Token::CharacterTokens(text) => state.text(&text),
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

static META_CHARSET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)"#).expect("valid regex")
});

/// The text of an HTML file in any charset browsers read.
pub fn decode(bytes: &[u8]) -> String {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        return encoding
            .decode_without_bom_handling(&bytes[bom..])
            .0
            .into_owned();
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
    let declared = META_CHARSET
        .captures(&head)
        .and_then(|c| encoding_rs::Encoding::for_label(c[1].as_bytes()))
        // A page that says UTF-16 in ASCII is not UTF-16 (the HTML standard reads it as UTF-8).
        .map(|e| e.output_encoding());
    match declared {
        Some(encoding) => encoding.decode_without_bom_handling(bytes).0.into_owned(),
        None => match std::str::from_utf8(bytes) {
            Ok(text) => text.to_string(),
            Err(_) => encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0
                .into_owned(),
        },
    }
}

/// Reads the headings and paragraphs of an HTML page.
pub fn extract(bytes: &[u8]) -> Extracted {
    let text = decode(bytes);
    let sink = Sink(RefCell::new(State::default()));
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from(text.as_str()));
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    let mut state = tokenizer.sink.0.into_inner();
    state.flush();
    let page_title = Some(super::text::collapse(&state.title)).filter(|t| !t.is_empty());
    // A page title often carries the site's name too: prefer the metadata's, then the first h1.
    let title = state.meta_title.or(state.first_h1).or(page_title);
    Extracted {
        title,
        dates: state.dates,
        blocks: state.blocks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(html: &str) -> String {
        super::super::text::render_body(&extract(html.as_bytes()).blocks)
    }

    #[test]
    fn blocks_lists_breaks_and_skipped_parts() {
        let html = r#"<!doctype html><html><head><title>Page | Site</title>
            <style>p { color: red }</style><script>if (a < b) { document.write("<p>x</p>") }</script>
            </head><body><nav><a href="/">Home</a></nav>
            <h1>Report &amp; recommendations</h1>
            <p>1. The Group met
               in New York.
            <p>2. It recommends:<br>(a) to cooperate;<br>(b) to report.
            <ol start="3"><li>Third point.</li><li>Fourth point.</li></ol>
            <ol type="a"><li><p>lettered item</p></li></ol>
            <footer>Copyright</footer></body></html>"#;
        assert_eq!(
            body(html),
            "# Report & recommendations\n\n1. The Group met in New York.\n\n2. It recommends:\n\n\
             (a) to cooperate;\n\n(b) to report.\n\n3. Third point.\n\n4. Fourth point.\n\n\
             (a) lettered item\n"
        );
        assert_eq!(
            extract(html.as_bytes()).title.as_deref(),
            Some("Report & recommendations")
        );
    }

    #[test]
    fn charsets_from_meta_and_bom() {
        let (gbk, _, _) = encoding_rs::GBK.encode("<meta charset=gb2312><p>各国应当合作。");
        assert_eq!(body_bytes(&gbk), "各国应当合作。\n");
        let mut utf8_bom = b"\xEF\xBB\xBF".to_vec();
        utf8_bom.extend_from_slice("<p>网络安全".as_bytes());
        assert_eq!(body_bytes(&utf8_bom), "网络安全\n");
        assert_eq!(body_bytes(b"<p>caf\xe9"), "caf\u{e9}\n");
    }

    fn body_bytes(bytes: &[u8]) -> String {
        super::super::text::render_body(&extract(bytes).blocks)
    }

    #[test]
    fn list_labels() {
        assert_eq!(list_label('1', 13), "13.");
        assert_eq!(list_label('a', 1), "(a)");
        assert_eq!(list_label('a', 28), "(ab)");
        assert_eq!(list_label('i', 4), "(iv)");
    }
}
