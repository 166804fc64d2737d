//! Fuzzy filtering for the codebook, quick-assign and the document picker.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

/// Scores each haystack against `query`; returns the indices that match, best first (ties keep
/// their order). An empty query matches everything in order.
pub fn rank(query: &str, haystacks: &[String]) -> Vec<usize> {
    if query.trim().is_empty() {
        return (0..haystacks.len()).collect();
    }
    let pattern = Pattern::parse(query, CaseMatching::Ignore, Normalization::Smart);
    let mut matcher = Matcher::new(Config::DEFAULT);
    let mut buf = Vec::new();
    let mut scored: Vec<(u32, usize)> = haystacks
        .iter()
        .enumerate()
        .filter_map(|(i, h)| {
            let score = pattern.score(Utf32Str::new(h, &mut buf), &mut matcher)?;
            Some((score, i))
        })
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.into_iter().map(|(_, i)| i).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_labels_and_chinese_match() {
        let items = vec![
            "VU01 Responsible vulnerability disclosure 负责任地报告漏洞".to_string(),
            "CI01 Protect critical infrastructure 保护关键基础设施".to_string(),
            "SC01 Supply chain integrity 供应链完整性".to_string(),
        ];
        assert_eq!(rank("vu01", &items)[0], 0);
        assert_eq!(rank("crit infra", &items), [1]);
        assert_eq!(rank("供应链", &items), [2]);
        assert_eq!(rank("", &items), [0, 1, 2]);
        assert!(rank("zzzz", &items).is_empty());
    }
}
