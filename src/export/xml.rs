//! A small XML writer: indented elements, escaped text and attributes, characters XML 1.0
//! cannot hold dropped. Text content is written as is (no indentation inside it), so
//! descriptions and memos keep their line breaks exactly.

pub struct Xml {
    out: String,
    stack: Vec<&'static str>,
}

/// An attribute; `None` values are left out.
pub type Attr<'a> = (&'static str, Option<&'a str>);

fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
}

pub fn escape_text(text: &str, out: &mut String) {
    for c in text.chars().filter(|&c| allowed(c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
}

pub fn escape_attr(text: &str, out: &mut String) {
    for c in text.chars().filter(|&c| allowed(c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
}

impl Xml {
    pub fn new() -> Self {
        Self {
            out: String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"),
            stack: Vec::new(),
        }
    }

    fn start_tag(&mut self, name: &str, attrs: &[Attr<'_>]) {
        for _ in 0..self.stack.len() {
            self.out.push_str("  ");
        }
        self.out.push('<');
        self.out.push_str(name);
        for (key, value) in attrs {
            if let Some(value) = value {
                self.out.push(' ');
                self.out.push_str(key);
                self.out.push_str("=\"");
                escape_attr(value, &mut self.out);
                self.out.push('"');
            }
        }
    }

    /// `<name attrs>` on its own line; close it with [`Xml::close`].
    pub fn open(&mut self, name: &'static str, attrs: &[Attr<'_>]) {
        self.start_tag(name, attrs);
        self.out.push_str(">\n");
        self.stack.push(name);
    }

    /// `<name attrs/>`.
    pub fn empty(&mut self, name: &'static str, attrs: &[Attr<'_>]) {
        self.start_tag(name, attrs);
        self.out.push_str("/>\n");
    }

    /// `<name attrs>text</name>`.
    pub fn text(&mut self, name: &'static str, attrs: &[Attr<'_>], text: &str) {
        self.start_tag(name, attrs);
        self.out.push('>');
        escape_text(text, &mut self.out);
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push_str(">\n");
    }

    /// Closes the innermost open element.
    pub fn close(&mut self) {
        let name = self.stack.pop().expect("close matches an open");
        for _ in 0..self.stack.len() {
            self.out.push_str("  ");
        }
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push_str(">\n");
    }

    pub fn finish(self) -> String {
        debug_assert!(self.stack.is_empty(), "unclosed elements: {:?}", self.stack);
        self.out
    }
}
