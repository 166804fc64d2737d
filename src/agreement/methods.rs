//! The methods paragraph of `normcode agree --methods-text`: the reliability test in the words a
//! reviewer expects, built from the same [`AgreementTable`] as the table and the JSON, so every
//! number in it is one the report shows (alpha and kappa to three decimals without the leading
//! zero, as APA style writes statistics bounded by 1; percentages to one decimal).

use super::{AgreementTable, DEFAULT_THRESHOLD, FIRM_THRESHOLD, KappaKind, Level};

/// The language of the paragraph.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Lang {
    #[default]
    En,
    Zh,
}

/// `.832`, `−.250`, `1.000`: three decimals, no leading zero (APA).
pub fn apa(v: f64) -> String {
    let text = format!("{:.3}", v.abs());
    let text = text.strip_prefix('0').unwrap_or(&text).to_owned();
    if v < 0.0 && text != ".000" {
        format!("−{text}")
    } else {
        text
    }
}

/// `1,000`: a count with thousands separators, as English prose writes it.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn percent(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

/// The rows with a defined alpha: `(indicator, alpha)`, lowest first.
fn alphas(table: &AgreementTable) -> Vec<(&str, f64)> {
    let mut list: Vec<(&str, f64)> = table
        .rows
        .iter()
        .filter_map(|r| Some((r.indicator.as_str(), *r.stats.alpha.as_ref().ok()?)))
        .collect();
    list.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(b.0)));
    list
}

/// The methods paragraph for `table` in `lang`, one paragraph ending in a newline.
pub fn methods_text(table: &AgreementTable, lang: Lang) -> String {
    let mut text = match lang {
        Lang::En => english(table),
        Lang::Zh => chinese(table),
    };
    text.push('\n');
    text
}

fn english(table: &AgreementTable) -> String {
    let coders = table.coders.len();
    let docs = table.compared_documents.len();
    let mut s = String::new();
    let design = match table.level {
        Level::Unit => format!(
            "{} text units of {docs} document{}",
            table.units,
            plural(docs)
        ),
        Level::Document => format!("{docs} document{}", plural(docs)),
        Level::Span => format!(
            "the text of {docs} document{} ({} code points)",
            plural(docs),
            table.units
        ),
    };
    s.push_str(&format!(
        "Intercoder reliability was assessed on {design}, each coded independently by {coders} \
         coders ({}).",
        table.coders.join(", ")
    ));
    let left = table.left_out_documents.len();
    if left > 0 {
        s.push_str(&format!(
            " {left} further document{} that not every coder had finished {} excluded rather than \
             treated as uncoded.",
            plural(left),
            if left == 1 { "was" } else { "were" }
        ));
    }
    let unit_word = match table.level {
        Level::Unit => "text unit",
        Level::Document => "document",
        Level::Span => "code point",
    };
    let kappa = match (table.level, table.kappa) {
        (Level::Span, _) => String::new(),
        (_, KappaKind::Cohen) => " and Cohen's kappa".to_owned(),
        (_, KappaKind::Fleiss) => " and Fleiss' kappa".to_owned(),
    };
    let coefficient = if table.level == Level::Span {
        "Krippendorff's unitizing alpha (αU)".to_owned()
    } else {
        format!("Krippendorff's alpha (nominal){kappa}")
    };
    s.push_str(&format!(
        " For each of the {} indicators used, the presence or absence of the indicator on each \
         {unit_word} was compared with {coefficient}, alongside percent agreement.",
        table.rows.len()
    ));
    let list = alphas(table);
    if let (Some(low), Some(high)) = (list.first(), list.last()) {
        s.push_str(&format!(
            " Alpha ranged from {} ({}) to {} ({}).",
            apa(low.1),
            low.0,
            apa(high.1),
            high.0
        ));
    }
    let overall = &table.overall.stats;
    if let Ok(alpha) = overall.alpha {
        let how = match table.level {
            Level::Unit => {
                "with all the codes of a unit taken as one set and compared with the MASI distance"
            }
            Level::Document => "pooled over every indicator and document",
            Level::Span => "over all indicators",
        };
        s.push_str(&format!(" Overall, {how}, α = {}", apa(alpha)));
        let mut aside = Vec::new();
        if let Some(ci) = &table.overall.alpha_interval {
            aside.push(format!(
                "95% bootstrap CI [{}, {}], {} resamples of the units",
                apa(ci.lower),
                apa(ci.upper),
                thousands(ci.replicates)
            ));
        }
        if let Ok(p) = overall.percent_agreement {
            let what = if table.level == Level::Unit {
                "units with identical code sets"
            } else {
                "agreement"
            };
            aside.push(format!("{what}: {}", percent(p)));
        }
        if !aside.is_empty() {
            s.push_str(&format!(" ({})", aside.join("; ")));
        }
        s.push('.');
    }
    let undefined: Vec<&str> = table
        .rows
        .iter()
        .filter(|r| r.stats.alpha.is_err())
        .map(|r| r.indicator.as_str())
        .collect();
    if !undefined.is_empty() {
        s.push_str(&format!(
            " Alpha is undefined for {} (no variation in the compared values).",
            undefined.join(", ")
        ));
    }
    s.push_str(&format!(
        " Following Krippendorff (2004), alpha of at least {} was required for firm conclusions \
         and {} accepted for tentative ones;",
        apa(FIRM_THRESHOLD),
        apa(DEFAULT_THRESHOLD)
    ));
    let flagged: Vec<String> = table
        .flagged()
        .map(|r| {
            format!(
                "{} (α = {})",
                r.indicator,
                apa(*r.stats.alpha.as_ref().unwrap_or(&0.0))
            )
        })
        .collect();
    if flagged.is_empty() {
        s.push_str(&format!(
            " every indicator reached {}.",
            apa(table.threshold)
        ));
    } else {
        s.push_str(&format!(
            " {} of {} indicators fell below {}: {}.",
            flagged.len(),
            table.rows.len(),
            apa(table.threshold),
            flagged.join(", ")
        ));
    }
    s
}

fn chinese(table: &AgreementTable) -> String {
    let coders = table.coders.len();
    let docs = table.compared_documents.len();
    let mut s = String::new();
    let design = match table.level {
        Level::Unit => format!("{docs}份文档的{}个文本单元", table.units),
        Level::Document => format!("{docs}份文档"),
        Level::Span => format!("{docs}份文档的文本（{}个字符）", table.units),
    };
    s.push_str(&format!(
        "编码员间信度基于{design}进行检验，由{coders}名编码员（{}）各自独立编码。",
        table.coders.join("、")
    ));
    let left = table.left_out_documents.len();
    if left > 0 {
        s.push_str(&format!(
            "另有{left}份文档未由全部编码员完成，未计入检验（而非视为未编码）。"
        ));
    }
    let unit_word = match table.level {
        Level::Unit => "文本单元",
        Level::Document => "文档",
        Level::Span => "字符",
    };
    let coefficient = match (table.level, table.kappa) {
        (Level::Span, _) => "Krippendorff 单元化 alpha（αU）",
        (_, KappaKind::Cohen) => "Krippendorff alpha（定类）与 Cohen kappa",
        (_, KappaKind::Fleiss) => "Krippendorff alpha（定类）与 Fleiss kappa",
    };
    s.push_str(&format!(
        "对所使用的{}个指标，逐一比较各{unit_word}上该指标的有无，计算{coefficient}及百分比一致率。",
        table.rows.len()
    ));
    let list = alphas(table);
    if let (Some(low), Some(high)) = (list.first(), list.last()) {
        s.push_str(&format!(
            "各指标的 alpha 介于 {}（{}）与 {}（{}）之间。",
            apa(low.1),
            low.0,
            apa(high.1),
            high.0
        ));
    }
    let overall = &table.overall.stats;
    if let Ok(alpha) = overall.alpha {
        let how = match table.level {
            Level::Unit => "将每个单元的全部编码视为一个集合并以 MASI 距离比较",
            Level::Document => "合并所有指标与文档",
            Level::Span => "合并所有指标",
        };
        s.push_str(&format!("总体上（{how}），α = {}", apa(alpha)));
        let mut aside = Vec::new();
        if let Some(ci) = &table.overall.alpha_interval {
            aside.push(format!(
                "对单元{}次自助重抽样的95%置信区间 [{}, {}]",
                ci.replicates,
                apa(ci.lower),
                apa(ci.upper)
            ));
        }
        if let Ok(p) = overall.percent_agreement {
            let what = if table.level == Level::Unit {
                "编码集合完全相同的单元"
            } else {
                "一致率"
            };
            aside.push(format!("{what}：{}", percent(p)));
        }
        if !aside.is_empty() {
            s.push_str(&format!("（{}）", aside.join("；")));
        }
        s.push('。');
    }
    let undefined: Vec<&str> = table
        .rows
        .iter()
        .filter(|r| r.stats.alpha.is_err())
        .map(|r| r.indicator.as_str())
        .collect();
    if !undefined.is_empty() {
        s.push_str(&format!(
            "{} 的 alpha 无定义（比较值无变异）。",
            undefined.join("、")
        ));
    }
    s.push_str(&format!(
        "依 Krippendorff（2004），得出确定结论需 alpha 不低于 {}，初步结论可接受 {}；",
        apa(FIRM_THRESHOLD),
        apa(DEFAULT_THRESHOLD)
    ));
    let flagged: Vec<String> = table
        .flagged()
        .map(|r| {
            format!(
                "{}（α = {}）",
                r.indicator,
                apa(*r.stats.alpha.as_ref().unwrap_or(&0.0))
            )
        })
        .collect();
    if flagged.is_empty() {
        s.push_str(&format!("所有指标均达到 {}。", apa(table.threshold)));
    } else {
        s.push_str(&format!(
            "{}个指标中有{}个低于 {}：{}。",
            table.rows.len(),
            flagged.len(),
            apa(table.threshold),
            flagged.join("、")
        ));
    }
    s
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apa_numbers() {
        assert_eq!(apa(0.8321), ".832");
        assert_eq!(apa(-0.25), "−.250");
        assert_eq!(apa(1.0), "1.000");
        assert_eq!(apa(-0.0001), ".000");
    }
}
