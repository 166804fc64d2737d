//! The figure's own words in the report's language: English, or Chinese for `--lang zh`
//! (and `zh-*`). Labels of indicators and groups come from the codebook in that language.

use crate::report::Combine;

pub struct Words {
    pub zh: bool,
}

impl Words {
    pub fn new(lang: &str) -> Self {
        Self {
            zh: lang == "zh" || lang.starts_with("zh-") || lang.starts_with("zh_"),
        }
    }

    pub fn title(&self) -> &'static str {
        if self.zh {
            "议程：各议题由谁最先提出"
        } else {
            "Agenda: who raised each issue first"
        }
    }

    pub fn indicator(&self) -> &'static str {
        if self.zh { "指标" } else { "Indicator" }
    }

    pub fn first_lead(&self) -> &'static str {
        if self.zh {
            "最先提出，领先（年）"
        } else {
            "First, lead (years)"
        }
    }

    pub fn axis(&self) -> &'static str {
        if self.zh { "年份" } else { "Year" }
    }

    /// The heading of a panel: one coder, or several combined.
    pub fn series(&self, name: &str, coders: &[String], combine: Combine) -> String {
        if coders.len() == 1 && combine == Combine::PerCoder {
            if self.zh {
                format!("编码员 {name}")
            } else {
                format!("Coder {name}")
            }
        } else if self.zh {
            let how = match combine {
                Combine::PerCoder | Combine::Any => "至少一名编码员编码",
                Combine::All => "全部编码员均编码",
                Combine::Majority => "过半数编码员编码",
            };
            format!("编码员 {} 合并：{how}", coders.join("、"))
        } else {
            let how = match combine {
                Combine::PerCoder | Combine::Any => "coded by at least one of the coders",
                Combine::All => "coded by every one of the coders",
                Combine::Majority => "coded by more than half of the coders",
            };
            format!("Coders {} combined: {how}", coders.join(", "))
        }
    }

    /// "Company +1", "tie: A, B", "Company only".
    /// "tie: …", "Company +3", "Company only", or, while other groups may yet raise the
    /// indicator (`pending`: units pending in a consensus, documents not counted),
    /// "Company (pending: …)": never "only" on the strength of work not finished.
    pub fn verdict(
        &self,
        firsts: &[String],
        lead: Option<i64>,
        groups: usize,
        pending: &[String],
    ) -> String {
        if firsts.len() > 1 {
            if self.zh {
                format!("并列：{}", firsts.join("、"))
            } else {
                format!("tie: {}", firsts.join(", "))
            }
        } else {
            let first = firsts.concat();
            match lead {
                Some(lead) => format!("{first} +{lead}"),
                None if !pending.is_empty() => {
                    if self.zh {
                        format!("{first}（待定：{}）", pending.join("、"))
                    } else {
                        format!("{first} (pending: {})", pending.join(", "))
                    }
                }
                None if groups > 1 => {
                    if self.zh {
                        format!("仅{first}")
                    } else {
                        format!("{first} only")
                    }
                }
                None => first,
            }
        }
    }

    pub fn lead_note(&self) -> &'static str {
        if self.zh {
            "领先：最先提出的群体（黑框标记）至下一群体提出的年数"
        } else {
            "lead: from the first group (outlined marker) to the next group"
        }
    }

    pub fn not_raised(&self, ids: &[String]) -> String {
        if self.zh {
            format!("这些群体均未提出（{}）：{}", ids.len(), ids.join("、"))
        } else {
            format!(
                "Not raised by these groups ({}): {}",
                ids.len(),
                ids.join(", ")
            )
        }
    }

    pub fn marker_tip(&self, indicator: &str, group: &str, year: i64) -> String {
        if self.zh {
            format!("{indicator}：{group}，{year}年")
        } else {
            format!("{indicator}: {group}, {year}")
        }
    }
}
