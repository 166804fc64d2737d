//! Markdown (GitHub) tables whose columns line up in a terminal too: cells padded to the widest
//! one by display width, so that Chinese characters (two columns each) keep the bars aligned.

use unicode_width::UnicodeWidthStr;

/// A table to write as Markdown.
#[derive(Debug, Clone, Default)]
pub struct MarkdownTable {
    pub header: Vec<String>,
    /// Right-aligned columns (numbers).
    pub right: Vec<bool>,
    pub rows: Vec<Vec<String>>,
}

/// A cell's text: `|` escaped, line breaks as spaces.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

impl MarkdownTable {
    /// A table with these columns; `right` marks the numeric ones.
    pub fn new(header: &[(&str, bool)]) -> Self {
        Self {
            header: header.iter().map(|(h, _)| h.to_string()).collect(),
            right: header.iter().map(|(_, r)| *r).collect(),
            rows: Vec::new(),
        }
    }

    pub fn push(&mut self, row: Vec<String>) {
        self.rows.push(row);
    }

    pub fn render(&self) -> String {
        let columns = self.header.len();
        let header: Vec<String> = self.header.iter().map(|h| cell(h)).collect();
        let rows: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| {
                (0..columns)
                    .map(|i| cell(r.get(i).map_or("", String::as_str)))
                    .collect()
            })
            .collect();
        let widths: Vec<usize> = (0..columns)
            .map(|i| {
                rows.iter()
                    .map(|r| r[i].width())
                    .chain([header[i].width(), 3])
                    .max()
                    .unwrap_or(3)
            })
            .collect();
        let line = |cells: &[String]| {
            let mut out = String::from("|");
            for (i, text) in cells.iter().enumerate() {
                let pad = " ".repeat(widths[i] - text.width());
                if self.right.get(i).copied().unwrap_or(false) {
                    out.push_str(&format!(" {pad}{text} |"));
                } else {
                    out.push_str(&format!(" {text}{pad} |"));
                }
            }
            out.push('\n');
            out
        };
        let mut out = line(&header);
        out.push('|');
        for (i, width) in widths.iter().enumerate() {
            if self.right.get(i).copied().unwrap_or(false) {
                out.push_str(&format!(" {}: |", "-".repeat(width - 1)));
            } else {
                out.push_str(&format!(" {} |", "-".repeat(*width)));
            }
        }
        out.push('\n');
        for row in &rows {
            out.push_str(&line(row));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_line_up_by_display_width() {
        let mut table = MarkdownTable::new(&[("Indicator", false), ("n", true)]);
        table.push(vec!["漏洞披露".into(), "3".into()]);
        table.push(vec!["a|b".into(), "12".into()]);
        assert_eq!(
            table.render(),
            "| Indicator |   n |\n| --------- | --: |\n| 漏洞披露  |   3 |\n| a\\|b      |  12 |\n"
        );
    }
}
