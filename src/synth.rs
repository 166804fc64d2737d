//! Seeded synthetic data for the benchmarks (`benches/`, `BENCHMARKS.md`): corpora of UN- and
//! policy-style documents in English, Chinese or both, coder files valid against such a corpus
//! and the project's codebook, and `unit,coder,value` reliability data.
//!
//! Everything is a pure function of its spec and seed: the same seed writes the same bytes.
//! Nothing here is used by the tool itself.

use std::fmt::Write as _;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use crate::annotations::{Annotation, CoderFile, DocumentCoding, Status, unit_quote};
use crate::codebook::DEFAULT_CODEBOOK;
use crate::corpus::{CodePointRange, IndicatorId};
use crate::project::{LoadedCoder, Project};

/// A small, fast, seedable generator (SplitMix64). Not for cryptography.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed ^ 0x9e37_79b9_7f4a_7c15)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 11) as u128 * n as u128) >> 53) as usize
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The language of a synthetic corpus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    English,
    Chinese,
    /// Half the documents English, half Chinese, and English terms inside Chinese text.
    Mixed,
}

impl Language {
    pub fn code(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::Chinese => "zh",
            Language::Mixed => "mixed",
        }
    }
}

/// What corpus to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CorpusSpec {
    pub language: Language,
    /// Total size of the document files, roughly (each document is filled to its share).
    pub bytes: u64,
    pub documents: usize,
    pub seed: u64,
}

impl CorpusSpec {
    /// `megabytes` MB of `language`, one document per 10 KB, at most 10,000 documents.
    pub fn sized(language: Language, megabytes: u64, seed: u64) -> Self {
        let bytes = megabytes * 1_000_000;
        Self {
            language,
            bytes,
            documents: ((bytes / 10_000) as usize).clamp(1, 10_000),
            seed,
        }
    }
}

/// What [`write_project`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CorpusSummary {
    pub documents: usize,
    /// Bytes of all document files.
    pub bytes: u64,
}

const PUBLISHERS: &[(&str, &str)] = &[
    ("UN GGE", "gge"),
    ("UN OEWG", "oewg"),
    ("Microsoft", "microsoft"),
    ("Cybersecurity Tech Accord", "tech-accord"),
    ("Paris Call", "paris-call"),
];

const EN_SUBJECTS: &[&str] = &[
    "States",
    "The Group",
    "Member States",
    "The international community",
    "Governments and the private sector",
    "Each State",
    "Industry partners",
    "Regional organizations",
    "The Working Group",
    "All stakeholders",
];
const EN_VERBS: &[&str] = &[
    "should cooperate to",
    "reaffirm the need to",
    "are encouraged to",
    "recognize the importance of efforts to",
    "recommend that States",
    "should not knowingly",
    "call upon all parties to",
    "note with concern attempts to",
    "agree to continue to",
    "underline the obligation to",
];
const EN_OBJECTS: &[&str] = &[
    "protect critical infrastructure from malicious ICT activity",
    "ensure the integrity of the supply chain",
    "report ICT vulnerabilities responsibly",
    "share information on threats and incidents",
    "strengthen capacity-building in developing countries",
    "apply international law, and in particular the Charter of the United Nations",
    "respect human rights and fundamental freedoms online",
    "develop confidence-building measures among States",
    "prevent the proliferation of malicious tools and techniques",
    "support computer emergency response teams",
    "refrain from attacks on the public core of the Internet",
    "promote an open, secure, stable, accessible and peaceful ICT environment",
    "attribute incidents on the basis of credible evidence",
    "limit offensive operations in cyberspace",
    "protect the electoral infrastructure of other States",
];
const EN_TAILS: &[&str] = &[
    "",
    " in accordance with their national legislation",
    " on a voluntary and non-binding basis",
    " as a matter of priority",
    " consistent with the purposes of the United Nations",
    " through bilateral, regional and multilateral channels",
    " while taking into account the views of civil society",
    " in the context of international security",
];
const EN_HEADINGS: &[&str] = &[
    "Introduction",
    "Existing and emerging threats",
    "Norms, rules and principles for the responsible behaviour of States",
    "Confidence-building measures",
    "International cooperation and assistance in ICT security and capacity-building",
    "How international law applies to the use of ICTs",
    "Conclusions and recommendations",
];

const ZH_SUBJECTS: &[&str] = &[
    "各国",
    "专家组",
    "会员国",
    "国际社会",
    "各国政府和私营部门",
    "每个国家",
    "工作组",
    "区域组织",
    "所有利益攸关方",
];
const ZH_VERBS: &[&str] = &[
    "应当合作",
    "重申有必要",
    "鼓励",
    "认识到努力",
    "建议各国",
    "不应蓄意",
    "呼吁各方",
    "关切地注意到企图",
    "同意继续",
    "强调有义务",
];
const ZH_OBJECTS: &[&str] = &[
    "保护关键基础设施免受恶意信息通信技术活动的侵害",
    "确保供应链的完整性",
    "以负责任的方式报告信息通信技术漏洞",
    "交流关于威胁和事件的信息",
    "加强发展中国家的能力建设",
    "适用国际法特别是联合国宪章",
    "尊重网上的人权和基本自由",
    "制定国家间建立信任措施",
    "防止恶意工具和技术的扩散",
    "支持计算机应急响应小组",
    "不攻击互联网的公共核心",
    "促进开放、安全、稳定、可访问与和平的信息通信技术环境",
    "在可信证据的基础上对事件进行归因",
    "保护他国的选举基础设施",
];
const ZH_TAILS: &[&str] = &[
    "",
    "，并符合本国立法",
    "，这是自愿和非约束性的",
    "，作为优先事项",
    "，符合联合国的宗旨",
    "，通过双边、区域和多边渠道",
    "，同时考虑到民间社会的意见",
];
const ZH_HEADINGS: &[&str] = &[
    "导言",
    "现有和新出现的威胁",
    "国家负责任行为的规范、规则和原则",
    "建立信任措施",
    "信息通信技术安全和能力建设方面的国际合作与援助",
    "国际法如何适用于信息通信技术的使用",
    "结论和建议",
];
/// English terms that appear inside Chinese sentences in mixed corpora.
const MIXED_TERMS: &[&str] = &["ICT", "CERT", "Internet", "5G", "AI", "GGE", "OEWG"];

const ROMAN: &[&str] = &["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"];

fn en_sentence(rng: &mut Rng, out: &mut String) {
    let _ = write!(
        out,
        "{} {} {}{}.",
        rng.pick(EN_SUBJECTS),
        rng.pick(EN_VERBS),
        rng.pick(EN_OBJECTS),
        rng.pick(EN_TAILS)
    );
}

fn zh_sentence(rng: &mut Rng, mixed: bool, out: &mut String) {
    out.push_str(rng.pick::<&str>(ZH_SUBJECTS));
    out.push_str(rng.pick::<&str>(ZH_VERBS));
    if mixed && rng.chance(0.3) {
        let _ = write!(out, "在{}领域", rng.pick(MIXED_TERMS));
    }
    out.push_str(rng.pick::<&str>(ZH_OBJECTS));
    out.push_str(rng.pick::<&str>(ZH_TAILS));
    out.push('。');
}

/// One document's file text (front matter and body), about `target` bytes.
pub fn document_text(
    rng: &mut Rng,
    language: Language,
    chinese: bool,
    index: usize,
    target: usize,
) -> String {
    let (publisher, _) = PUBLISHERS[index % PUBLISHERS.len()];
    let year = 2004 + rng.below(22);
    let mixed = language == Language::Mixed;
    let mut out = String::with_capacity(target + 1024);
    let title = if chinese {
        format!("{publisher} 关于信息通信技术与国际安全的报告 第{index}号")
    } else {
        format!("{publisher} report on developments in the field of ICTs, number {index}")
    };
    let _ = write!(
        out,
        "---\ntitle: \"{title}\"\npublisher: {publisher}\nyear: {year}\nlanguage: {}\nsymbol: A/{}/{}\n---\n# {title}\n\n",
        if chinese { "zh" } else { "en" },
        year - 1945,
        100 + index
    );
    let mut paragraph = 0usize;
    let mut section = 0usize;
    while out.len() < target {
        if paragraph.is_multiple_of(12) && section < ROMAN.len() {
            let heading = if chinese {
                *rng.pick(ZH_HEADINGS)
            } else {
                *rng.pick(EN_HEADINGS)
            };
            let _ = write!(out, "{}. {heading}\n\n", ROMAN[section]);
            section += 1;
        }
        paragraph += 1;
        let _ = write!(out, "{paragraph}. ");
        let sentences = 2 + rng.below(4);
        for s in 0..sentences {
            if chinese {
                zh_sentence(rng, mixed, &mut out);
            } else {
                if s > 0 {
                    out.push(' ');
                }
                en_sentence(rng, &mut out);
            }
        }
        // UN reports list lettered sub-paragraphs on consecutive lines.
        if paragraph.is_multiple_of(5) {
            out.push_str(if chinese { "：\n" } else { ":\n" });
            for letter in ['a', 'b', 'c', 'd'].iter().take(2 + rng.below(3)) {
                if chinese {
                    let _ = write!(out, "（{letter}）");
                    zh_sentence(rng, mixed, &mut out);
                } else {
                    let _ = write!(out, "({letter}) ");
                    en_sentence(rng, &mut out);
                }
                out.push('\n');
            }
            out.push('\n');
        } else {
            out.push_str("\n\n");
        }
    }
    out
}

/// Writes a project into `dir`: the repository's codebook, `documents/<publisher>/<lang>-NNNNN.md`
/// and an empty `annotations/`. `dir` should be empty or absent.
pub fn write_project(dir: &Path, spec: &CorpusSpec) -> io::Result<CorpusSummary> {
    std::fs::create_dir_all(dir.join("annotations"))?;
    std::fs::write(dir.join("codebook.yaml"), DEFAULT_CODEBOOK)?;
    let mut rng = Rng::new(spec.seed);
    let share = (spec.bytes / spec.documents.max(1) as u64) as usize;
    let mut bytes = 0u64;
    for index in 0..spec.documents {
        let chinese = match spec.language {
            Language::English => false,
            Language::Chinese => true,
            Language::Mixed => index % 2 == 1,
        };
        let (_, folder) = PUBLISHERS[index % PUBLISHERS.len()];
        let folder = dir.join("documents").join(folder);
        std::fs::create_dir_all(&folder)?;
        let text = document_text(&mut rng, spec.language, chinese, index, share);
        let name = format!("{}-{index:05}.md", if chinese { "zh" } else { "en" });
        std::fs::write(folder.join(name), &text)?;
        bytes += text.len() as u64;
    }
    Ok(CorpusSummary {
        documents: spec.documents,
        bytes,
    })
}

/// A coder file with `annotations` annotations spread over the project's documents: whole
/// units (quote = the unit's start) and, one in five, spans inside a unit (quote = the exact
/// text), each with one to three of the codebook's (not retired) indicators. Valid against the
/// corpus and the codebook: `normcode check` finds nothing. Not saved; see
/// [`Project::save_coder`].
pub fn coder_file(project: &Project, coder: &str, annotations: usize, seed: u64) -> LoadedCoder {
    let mut rng = Rng::new(seed);
    let codes: Vec<&IndicatorId> = project
        .codebook
        .indicators
        .iter()
        .filter(|i| !i.retired)
        .map(|i| &i.id)
        .collect();
    let mut file = CoderFile::new(coder, Some(project.codebook.version.clone()));
    let documents = &project.corpus.documents;
    let units: usize = documents.iter().map(|d| d.units.len()).sum();
    let now = chrono::DateTime::from_timestamp(1_795_000_000, 0).expect("a valid time");
    let mut written = 0usize;
    // Every document gets its share (and the first ones one more), on distinct units.
    let per_unit = annotations as f64 / units.max(1) as f64;
    for document in documents {
        if written >= annotations || document.units.is_empty() {
            continue;
        }
        let want = ((document.units.len() as f64 * per_unit).round() as usize)
            .max(1)
            .min(annotations - written);
        let mut coding = DocumentCoding {
            status: if rng.chance(0.8) {
                Status::Done
            } else {
                Status::InProgress
            },
            memo: None,
            suggestions: false,
            annotations: Vec::with_capacity(want),
        };
        for k in 0..want {
            let position = k * document.units.len() / want;
            // More annotations than units: the extra ones are spans.
            let repeated = k > 0 && (k - 1) * document.units.len() / want == position;
            let unit = &document.units[position];
            let text = document.unit_text(unit);
            let n_codes = 1 + rng.below(3);
            let picked: Vec<IndicatorId> =
                (0..n_codes).map(|_| (*rng.pick(&codes)).clone()).collect();
            let mut annotation = Annotation::new_unit(unit.id.clone(), picked, now);
            let len = unit.range.len();
            if len > 20 && (repeated || rng.chance(0.2)) {
                let start = unit.range.start + rng.below(len - 10);
                let end = (start + 5 + rng.below(40)).min(unit.range.end);
                let range = CodePointRange::new(start, end);
                annotation.quote = document.slice(range).map(str::to_string);
                annotation.span = Some(range);
            } else {
                annotation.quote = Some(unit_quote(text));
            }
            if rng.chance(0.05) {
                annotation.memo = Some("Check against the 2015 wording.".to_string());
            }
            coding.annotations.push(annotation);
        }
        written += coding.annotations.len();
        file.documents
            .insert(document.id.clone(), std::sync::Arc::new(coding));
    }
    file.normalize(&project.corpus);
    LoadedCoder {
        name: coder.to_string(),
        path: project.annotations_dir().join(format!("{coder}.yaml")),
        file,
        anchors: Default::default(),
        disk: crate::annotations::DiskVersion::MISSING,
        migrated: None,
    }
}

/// Writes `unit,coder,value` CSV: `codings` lines (rounded down to whole units of `coders`
/// lines), values `1`..`5` (nominal categories), each coder agreeing with a unit's true value
/// four times in five, and a share `missing` of empty values (missing data).
pub fn write_codings_csv(
    path: &Path,
    codings: usize,
    coders: usize,
    missing: f64,
    seed: u64,
) -> io::Result<usize> {
    let mut rng = Rng::new(seed);
    let mut out = BufWriter::new(std::fs::File::create(path)?);
    writeln!(out, "unit,coder,value")?;
    let units = codings / coders.max(1);
    // Skewed category frequencies, as in real coding.
    const WEIGHTED: &[u8] = &[1, 1, 1, 1, 2, 2, 2, 3, 3, 4, 5];
    for unit in 0..units {
        let truth = *rng.pick(WEIGHTED);
        for coder in 0..coders {
            write!(out, "u{unit},coder{},", coder + 1)?;
            if rng.chance(missing) {
                writeln!(out)?;
            } else {
                let value = if rng.chance(0.8) {
                    truth
                } else {
                    *rng.pick(WEIGHTED)
                };
                writeln!(out, "{value}")?;
            }
        }
    }
    out.flush()?;
    Ok(units * coders)
}
