//! The codebook as a readable document for a paper's appendix: Markdown or one self-contained
//! HTML file, in one of the codebook's languages.
//!
//! Title, version and languages; an overview of the categories; the document variables with
//! their values and publisher groups; the indicator attributes; then per category each
//! indicator with its id, label, definition, include and exclude rules, examples and
//! attributes (retired indicators are kept and marked); last the version history.

use super::{Codebook, Indicator, Localized, VariableType};

/// The headings and fixed phrases of the document, in English or Chinese.
struct Words {
    version: &'static str,
    languages: &'static str,
    overview: &'static str,
    category: &'static str,
    label: &'static str,
    indicators: &'static str,
    variables: &'static str,
    kind: &'static str,
    groups: &'static str,
    group: &'static str,
    values: &'static str,
    value: &'static str,
    /// After a lead word: ":" or "：".
    colon: &'static str,
    /// Between a word and a list: ": " or "：".
    sep: &'static str,
    attributes_heading: &'static str,
    attributes: &'static str,
    definition: &'static str,
    include: &'static str,
    exclude: &'static str,
    examples: &'static str,
    retired: &'static str,
    retired_note: &'static str,
    history: &'static str,
    date: &'static str,
    by: &'static str,
    changes: &'static str,
    counts: fn(usize, usize) -> String,
    type_name: fn(VariableType) -> &'static str,
}

const EN: Words = Words {
    version: "Version",
    languages: "Languages",
    overview: "Overview",
    category: "Category",
    label: "Label",
    indicators: "Indicators",
    variables: "Document variables",
    kind: "Type",
    groups: "Groups",
    group: "Group",
    values: "Values",
    value: "Value",
    colon: ":",
    sep: ": ",
    attributes_heading: "Indicator attributes",
    attributes: "Attributes",
    definition: "Definition",
    include: "Code when",
    exclude: "Do not code when",
    examples: "Examples",
    retired: "retired",
    retired_note: "Retired: kept for earlier annotations and reports, not used for new coding.",
    history: "Version history",
    date: "Date",
    by: "By",
    changes: "Changes",
    counts: |indicators, categories| format!("{indicators} indicators in {categories} categories"),
    type_name: |t| match t {
        VariableType::Category => "category",
        VariableType::Integer => "integer",
        VariableType::Text => "text",
        VariableType::Date => "date",
    },
};

const ZH: Words = Words {
    version: "版本",
    languages: "语言",
    overview: "概览",
    category: "类别",
    label: "名称",
    indicators: "指标",
    variables: "文档变量",
    kind: "类型",
    groups: "分组",
    group: "分组",
    values: "取值",
    value: "取值",
    colon: "：",
    sep: "：",
    attributes_heading: "指标属性",
    attributes: "属性",
    definition: "定义",
    include: "编码情形",
    exclude: "不予编码的情形",
    examples: "示例",
    retired: "已停用",
    retired_note: "已停用：保留用于既有标注和报告，不再用于新的编码。",
    history: "版本历史",
    date: "日期",
    by: "修订人",
    changes: "修订内容",
    counts: |indicators, categories| format!("{categories} 个类别，{indicators} 个指标"),
    type_name: |t| match t {
        VariableType::Category => "类别",
        VariableType::Integer => "整数",
        VariableType::Text => "文本",
        VariableType::Date => "日期",
    },
};

fn words(lang: &str) -> &'static Words {
    if lang == "zh" || lang.starts_with("zh-") {
        &ZH
    } else {
        &EN
    }
}

/// The parts of the document, rendered to Markdown or HTML.
enum Block {
    Heading {
        level: usize,
        /// An id shown in code style before the text.
        code: Option<String>,
        text: String,
        /// A note after the text, e.g. "retired".
        tag: Option<String>,
    },
    Para {
        lead: Option<String>,
        text: String,
        class: Option<&'static str>,
    },
    List {
        lead: String,
        items: Vec<String>,
    },
    Table {
        head: Vec<String>,
        rows: Vec<Vec<String>>,
    },
}

fn document(codebook: &Codebook, lang: &str) -> (String, Vec<Block>) {
    let w = words(lang);
    let lead = |word: &str| format!("{word}{}", w.colon);
    let mut blocks = Vec::new();
    let title = codebook.name.clone();
    blocks.push(Block::Para {
        lead: None,
        text: format!(
            "{} {} · {}{}{} · {}",
            w.version,
            codebook.version,
            w.languages,
            w.sep,
            codebook.languages.join(", "),
            (w.counts)(codebook.indicators.len(), codebook.categories.len())
        ),
        class: Some("meta"),
    });
    if let Some(description) = &codebook.description {
        blocks.push(para(description.get(lang)));
    }

    // Overview of the categories.
    blocks.push(heading(2, None, w.overview));
    blocks.push(Block::Table {
        head: vec![
            w.category.to_string(),
            w.label.to_string(),
            w.indicators.to_string(),
        ],
        rows: codebook
            .categories
            .iter()
            .enumerate()
            .map(|(position, c)| {
                let ids: Vec<&str> = c
                    .indicators
                    .iter()
                    .map(|&i| codebook.indicators[i].id.as_str())
                    .collect();
                let path: Vec<&str> = codebook
                    .category_path(position)
                    .iter()
                    .map(|c| c.id.as_str())
                    .collect();
                vec![
                    path.join(" › "),
                    c.label.get(lang).to_string(),
                    ids.join(", "),
                ]
            })
            .collect(),
    });

    if !codebook.variables.is_empty() {
        blocks.push(heading(2, None, w.variables));
        for v in &codebook.variables {
            blocks.push(heading(3, Some(&v.id), v.label.get(lang)));
            let mut kind = (w.type_name)(v.kind).to_string();
            if v.min.is_some() || v.max.is_some() {
                kind.push_str(&format!(
                    " ({}–{})",
                    v.min.map(|m| m.to_string()).unwrap_or_default(),
                    v.max.map(|m| m.to_string()).unwrap_or_default()
                ));
            }
            blocks.push(Block::Para {
                lead: Some(lead(w.kind)),
                text: kind,
                class: None,
            });
            if !v.groups.is_empty() {
                blocks.push(Block::Para {
                    lead: Some(lead(w.groups)),
                    text: String::new(),
                    class: None,
                });
                blocks.push(Block::Table {
                    head: vec![w.group.to_string(), w.label.to_string()],
                    rows: v
                        .groups
                        .iter()
                        .map(|(id, label)| vec![id.clone(), label.get(lang).to_string()])
                        .collect(),
                });
            }
            if !v.values.is_empty() {
                let group_label = |g: &str| {
                    v.groups
                        .iter()
                        .find(|(id, _)| id == g)
                        .map(|(_, l)| l.get(lang).to_string())
                        .unwrap_or_else(|| g.to_string())
                };
                blocks.push(Block::Para {
                    lead: Some(lead(w.values)),
                    text: String::new(),
                    class: None,
                });
                blocks.push(Block::Table {
                    head: vec![
                        w.value.to_string(),
                        w.label.to_string(),
                        w.group.to_string(),
                    ],
                    rows: v
                        .values
                        .iter()
                        .map(|value| {
                            vec![
                                value.id.clone(),
                                value
                                    .label
                                    .as_ref()
                                    .map(|l| l.get(lang).to_string())
                                    .unwrap_or_default(),
                                value.group.as_deref().map(group_label).unwrap_or_default(),
                            ]
                        })
                        .collect(),
                });
            }
        }
    }

    if !codebook.attributes.is_empty() {
        blocks.push(heading(2, None, w.attributes_heading));
        blocks.push(Block::Table {
            head: vec!["id".to_string(), w.label.to_string(), w.values.to_string()],
            rows: codebook
                .attributes
                .iter()
                .map(|a| {
                    vec![
                        a.id.clone(),
                        a.label.get(lang).to_string(),
                        a.values.join(", "),
                    ]
                })
                .collect(),
        });
    }

    for (position, category) in codebook.categories.iter().enumerate() {
        let path: Vec<&str> = codebook
            .category_path(position)
            .iter()
            .map(|c| c.id.as_str())
            .collect();
        let level = (2 + category.depth).min(5);
        blocks.push(Block::Heading {
            level,
            code: Some(path.join(" › ")),
            text: category.label.get(lang).to_string(),
            tag: None,
        });
        if let Some(description) = &category.description {
            blocks.push(para(description.get(lang)));
        }
        for &i in &category.indicators {
            indicator(
                codebook,
                &codebook.indicators[i],
                lang,
                level + 1,
                &mut blocks,
            );
        }
    }

    if !codebook.history().is_empty() {
        blocks.push(heading(2, None, w.history));
        blocks.push(Block::Table {
            head: vec![
                w.version.to_string(),
                w.date.to_string(),
                w.by.to_string(),
                w.changes.to_string(),
            ],
            rows: codebook
                .history()
                .iter()
                .map(|e| {
                    vec![
                        e.version.clone(),
                        e.date.clone().unwrap_or_default(),
                        e.by.clone().unwrap_or_default(),
                        e.changes.join(" "),
                    ]
                })
                .collect(),
        });
    }
    (title, blocks)
}

fn indicator(
    codebook: &Codebook,
    indicator: &Indicator,
    lang: &str,
    level: usize,
    blocks: &mut Vec<Block>,
) {
    let w = words(lang);
    blocks.push(Block::Heading {
        level,
        code: Some(indicator.id.to_string()),
        text: indicator.label.get(lang).to_string(),
        tag: indicator.retired.then(|| w.retired.to_string()),
    });
    if indicator.retired {
        blocks.push(Block::Para {
            lead: None,
            text: w.retired_note.to_string(),
            class: Some("retired"),
        });
    }
    blocks.push(Block::Para {
        lead: Some(format!("{}{}", w.definition, w.colon)),
        text: indicator.definition.get(lang).to_string(),
        class: None,
    });
    let texts = |items: &[Localized]| -> Vec<String> {
        items
            .iter()
            .map(|l| l.get(lang).to_string())
            .filter(|t| !t.is_empty())
            .collect()
    };
    for (lead, items) in [
        (w.include, &indicator.include),
        (w.exclude, &indicator.exclude),
        (w.examples, &indicator.examples),
    ] {
        let items = texts(items);
        if !items.is_empty() {
            blocks.push(Block::List {
                lead: format!("{lead}{}", w.colon),
                items,
            });
        }
    }
    if !indicator.attributes.is_empty() {
        let text: Vec<String> = indicator
            .attributes
            .iter()
            .map(|(key, value)| {
                let label = codebook
                    .attributes
                    .iter()
                    .find(|a| a.id == *key)
                    .map(|a| a.label.get(lang).to_string())
                    .unwrap_or_else(|| key.clone());
                format!("{label}: {value}")
            })
            .collect();
        blocks.push(Block::Para {
            lead: Some(format!("{}{}", w.attributes, w.colon)),
            text: text.join("; "),
            class: None,
        });
    }
}

fn heading(level: usize, code: Option<&str>, text: &str) -> Block {
    Block::Heading {
        level,
        code: code.map(str::to_string),
        text: text.to_string(),
        tag: None,
    }
}

fn para(text: &str) -> Block {
    Block::Para {
        lead: None,
        text: text.to_string(),
        class: None,
    }
}

/// Control characters (and bidirectional overrides, which reorder what a reader sees) have no
/// place in a published document: each becomes U+FFFD; a tab becomes a space.
fn printable(c: char) -> char {
    match c {
        '\t' => ' ',
        c if c.is_control() => '\u{fffd}',
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => '\u{fffd}',
        c => c,
    }
}

// ----- Markdown -----

/// Escapes what Markdown would read as markup (and raw HTML); line breaks become spaces.
fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '&' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(printable(c)),
        }
    }
    out
}

/// The codebook as Markdown (CommonMark with pipe tables), labels and texts in `lang`.
pub fn to_markdown(codebook: &Codebook, lang: &str) -> String {
    let (title, blocks) = document(codebook, lang);
    let mut out = format!("# {}\n", md(&title));
    for block in blocks {
        out.push('\n');
        match block {
            Block::Heading {
                level,
                code,
                text,
                tag,
            } => {
                out.push_str(&"#".repeat(level));
                if let Some(code) = code {
                    out.push_str(&format!(" `{code}`"));
                }
                out.push_str(&format!(" {}", md(&text)));
                if let Some(tag) = tag {
                    out.push_str(&format!(" ({})", md(&tag)));
                }
                out.push('\n');
            }
            Block::Para { lead, text, class } => {
                let text = md(&text);
                let text = if class == Some("retired") {
                    format!("*{text}*")
                } else {
                    text
                };
                match lead {
                    Some(lead) if text.is_empty() => out.push_str(&format!("**{}**\n", md(&lead))),
                    Some(lead) => out.push_str(&format!("**{}** {text}\n", md(&lead))),
                    None => out.push_str(&format!("{text}\n")),
                }
            }
            Block::List { lead, items } => {
                out.push_str(&format!("**{}**\n\n", md(&lead)));
                for item in items {
                    out.push_str(&format!("- {}\n", md(&item)));
                }
            }
            Block::Table { head, rows } => {
                let row = |cells: &[String]| {
                    let cells: Vec<String> = cells.iter().map(|c| md(c.trim())).collect();
                    format!("| {} |\n", cells.join(" | "))
                };
                out.push_str(&row(&head));
                out.push_str(&format!("|{}\n", "---|".repeat(head.len())));
                for r in &rows {
                    out.push_str(&row(r));
                }
            }
        }
    }
    out
}

// ----- HTML -----

/// Escapes text for HTML content and attribute values.
pub fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' => out.push('\n'),
            _ => out.push(printable(c)),
        }
    }
    out
}

const CSS: &str = "body{font-family:system-ui,-apple-system,\"Segoe UI\",\"Noto Sans\",\"PingFang SC\",\"Microsoft YaHei\",sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;line-height:1.55;color:#1a1a1a}
h1{font-size:1.8rem}h2{margin-top:2.2rem;border-bottom:1px solid #ccc}
h3,h4,h5,h6{margin-bottom:.3rem}
code{font-family:ui-monospace,Menlo,Consolas,monospace;background:#f2f2f2;padding:0 .25rem;border-radius:3px}
.meta{color:#555}.tag{font-size:.8em;font-weight:normal;color:#a00}.retired{color:#a00;font-style:italic}
table{border-collapse:collapse;margin:.5rem 0 1rem}th,td{border:1px solid #ccc;padding:.2rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f6f6}ul{margin-top:.2rem}p{margin:.4rem 0}
@media print{body{max-width:none;margin:0}h2{page-break-after:avoid}}";

/// The codebook as one self-contained HTML file (inline CSS, no scripts), texts in `lang`.
pub fn to_html(codebook: &Codebook, lang: &str) -> String {
    let (title, blocks) = document(codebook, lang);
    let e = html_escape;
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>\n{CSS}\n</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        e(lang),
        e(&title),
        e(&title)
    );
    for block in blocks {
        match block {
            Block::Heading {
                level,
                code,
                text,
                tag,
            } => {
                let anchor = code
                    .as_deref()
                    .map(|c| format!(" id=\"{}\"", e(&c.replace(" › ", "-"))))
                    .unwrap_or_default();
                out.push_str(&format!("<h{level}{anchor}>"));
                if let Some(code) = code {
                    out.push_str(&format!("<code>{}</code> ", e(&code)));
                }
                out.push_str(&e(&text));
                if let Some(tag) = tag {
                    out.push_str(&format!(" <span class=\"tag\">({})</span>", e(&tag)));
                }
                out.push_str(&format!("</h{level}>\n"));
            }
            Block::Para { lead, text, class } => {
                let class = class.map(|c| format!(" class=\"{c}\"")).unwrap_or_default();
                out.push_str(&format!("<p{class}>"));
                if let Some(lead) = lead {
                    out.push_str(&format!("<strong>{}</strong> ", e(&lead)));
                }
                out.push_str(&e(&text));
                out.push_str("</p>\n");
            }
            Block::List { lead, items } => {
                out.push_str(&format!("<p><strong>{}</strong></p>\n<ul>\n", e(&lead)));
                for item in items {
                    out.push_str(&format!("<li>{}</li>\n", e(&item)));
                }
                out.push_str("</ul>\n");
            }
            Block::Table { head, rows } => {
                out.push_str("<table>\n<thead><tr>");
                for h in &head {
                    out.push_str(&format!("<th>{}</th>", e(h)));
                }
                out.push_str("</tr></thead>\n<tbody>\n");
                for row in &rows {
                    out.push_str("<tr>");
                    for cell in row {
                        out.push_str(&format!("<td>{}</td>", e(cell.trim())));
                    }
                    out.push_str("</tr>\n");
                }
                out.push_str("</tbody>\n</table>\n");
            }
        }
    }
    out.push_str("</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_escapes_markup() {
        assert_eq!(md("a_b *c* <x> |"), "a\\_b \\*c\\* \\<x\\> \\|");
    }

    #[test]
    fn control_characters_do_not_reach_the_document() {
        assert_eq!(md("a\u{1b}[2J\u{202e}b"), "a\u{fffd}\\[2J\u{fffd}b");
        assert_eq!(html_escape("x\u{7}\u{9b}y"), "x\u{fffd}\u{fffd}y");
    }

    #[test]
    fn html_escapes_everything() {
        assert_eq!(
            html_escape("<script>alert('x') & \"y\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"
        );
    }
}
