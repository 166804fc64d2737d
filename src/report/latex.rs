//! Reports as LaTeX for a paper: the report's Markdown ([`super::Render::markdown`], the same
//! tables, in the same order, with the same numbers) turned into a fragment to `\input`:
//! headings as starred sections, paragraphs and lists as text, and every table as a booktabs
//! `longtable` (`\toprule`, `\midrule`, `\bottomrule`; the header repeats on every page),
//! numeric columns right-aligned and a label column that wraps. LaTeX's special characters are
//! escaped; Chinese stays UTF-8 (XeLaTeX or LuaLaTeX with `xeCJK` or `ctex`).

/// The preamble a paper needs, as a comment at the top of the fragment.
const PREAMBLE: &str = "\
% Written by normcode. Needs in the preamble: \\usepackage{booktabs} \\usepackage{longtable}
% (and \\usepackage{array}). Text is UTF-8; for Chinese labels compile with XeLaTeX or LuaLaTeX
% and \\usepackage{xeCJK} (or use the ctex document class).
";

/// `text` with LaTeX's special characters escaped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\textbackslash{}"),
            '&' | '%' | '$' | '#' | '_' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            '~' => out.push_str("\\textasciitilde{}"),
            '^' => out.push_str("\\textasciicircum{}"),
            '<' => out.push_str("\\textless{}"),
            '>' => out.push_str("\\textgreater{}"),
            '|' => out.push_str("\\textbar{}"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The cells of a Markdown table line (`| a | b \| c |`), unescaped.
fn cells(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|');
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    let mut out = Vec::new();
    let mut cell = String::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                cell.push('|');
                chars.next();
            }
            '|' => out.push(std::mem::take(&mut cell).trim().to_string()),
            c => cell.push(c),
        }
    }
    out.push(cell.trim().to_string());
    out
}

fn is_separator(line: &str) -> bool {
    let line = line.trim();
    line.starts_with('|')
        && line.contains('-')
        && line.chars().all(|c| matches!(c, '|' | '-' | ':' | ' '))
}

/// A booktabs table of a Markdown table's lines (header, separator, rows).
fn table(lines: &[&str]) -> String {
    let header = cells(lines[0]);
    let right: Vec<bool> = cells(lines[1]).iter().map(|c| c.ends_with(':')).collect();
    let rows: Vec<Vec<String>> = lines[2..].iter().map(|l| cells(l)).collect();
    let spec: String = header
        .iter()
        .enumerate()
        .map(|(i, h)| {
            if right.get(i).copied().unwrap_or(false) {
                "r"
            } else if h == "Label" {
                ">{\\raggedright\\arraybackslash}p{0.36\\linewidth}"
            } else {
                "l"
            }
        })
        .collect();
    let line = |cells: &[String]| {
        let cells: Vec<String> = (0..header.len())
            .map(|i| escape(cells.get(i).map_or("", String::as_str)))
            .collect();
        format!("{} \\\\\n", cells.join(" & "))
    };
    let mut out = format!("\\begin{{longtable}}{{{spec}}}\n\\toprule\n");
    out.push_str(&line(&header));
    out.push_str("\\midrule\n\\endhead\n");
    for row in &rows {
        out.push_str(&line(row));
    }
    out.push_str("\\bottomrule\n\\end{longtable}\n");
    out
}

/// A LaTeX fragment of a report's Markdown.
pub fn from_markdown(markdown: &str) -> String {
    let mut out = String::from(PREAMBLE);
    let lines: Vec<&str> = markdown.lines().collect();
    let mut i = 0;
    let mut in_list = false;
    while i < lines.len() {
        let line = lines[i];
        let item = line.strip_prefix("- ");
        if in_list && item.is_none() {
            out.push_str("\\end{itemize}\n");
            in_list = false;
        }
        if line.trim_start().starts_with('|')
            && lines.get(i + 1).is_some_and(|next| is_separator(next))
        {
            let end = lines[i..]
                .iter()
                .position(|l| !l.trim_start().starts_with('|'))
                .map_or(lines.len(), |n| i + n);
            out.push('\n');
            out.push_str(&table(&lines[i..end]));
            i = end;
            continue;
        }
        if let Some(item) = item {
            if !in_list {
                out.push_str("\\begin{itemize}\n");
                in_list = true;
            }
            out.push_str(&format!("  \\item {}\n", escape(item)));
        } else if let Some(h) = line.strip_prefix("### ") {
            out.push_str(&format!("\n\\subsubsection*{{{}}}\n", escape(h)));
        } else if let Some(h) = line.strip_prefix("## ") {
            out.push_str(&format!("\n\\subsection*{{{}}}\n", escape(h)));
        } else if let Some(h) = line.strip_prefix("# ") {
            out.push_str(&format!("\n\\section*{{{}}}\n", escape(h)));
        } else if line.trim().is_empty() {
            out.push('\n');
        } else {
            out.push_str(&escape(line));
            out.push('\n');
        }
        i += 1;
    }
    if in_list {
        out.push_str("\\end{itemize}\n");
    }
    // One blank line between blocks is enough.
    while out.contains("\n\n\n") {
        out = out.replace("\n\n\n", "\n\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_characters_are_escaped_and_chinese_kept() {
        assert_eq!(
            escape(r"50% & R_1 {x} #2 $ ~ ^ \ 漏洞"),
            r"50\% \& R\_1 \{x\} \#2 \$ \textasciitilde{} \textasciicircum{} \textbackslash{} 漏洞"
        );
    }

    #[test]
    fn a_markdown_table_becomes_booktabs() {
        let md = "# Title\n\nSome text.\n\n| Indicator | Label | n |\n| --- | --- | --: |\n| IL01 | a \\| b | 3 |\n\n- one\n- two\n";
        let tex = from_markdown(md);
        assert!(tex.contains("\\section*{Title}"));
        assert!(
            tex.contains(
                "\\begin{longtable}{l>{\\raggedright\\arraybackslash}p{0.36\\linewidth}r}"
            )
        );
        assert!(tex.contains("\\toprule\nIndicator & Label & n \\\\\n\\midrule\n\\endhead\nIL01 & a \\textbar{} b & 3 \\\\\n\\bottomrule"));
        assert!(tex.contains("\\begin{itemize}\n  \\item one\n  \\item two\n\\end{itemize}"));
    }
}
