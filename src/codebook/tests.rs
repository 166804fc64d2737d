use std::path::Path;

use super::*;

const SMALL: &str = r#"name: Test
version: 1.0
languages: [en, zh]
variables:
  - id: publisher
    label: {en: Publisher, zh: 发布者}
    type: category
    groups:
      - id: company
        label: {en: Company, zh: 企业}
    values:
      - id: Microsoft
        group: company
  - id: year
    label: {en: Year, zh: 年份}
    type: integer
attributes:
  - id: orientation
    label: {en: Need for orientation, zh: 导向需求}
    values: [relevance, relevance_uncertainty]
categories:
  - id: VULN
    label: {en: Vulnerabilities, zh: 漏洞}
    indicators:
      - id: VU01
        label: {en: Responsible disclosure, zh: 负责任披露}
        definition: {en: Report vulnerabilities., zh: 报告漏洞。}
        include: ["Plain rule"]
        exclude: [{en: Not this, zh: 不是这个}]
        attributes: {orientation: relevance}
    categories:
      - id: SUB
        label: {en: Sub, zh: 子类}
        indicators:
          - id: VU02
            label: {en: Patch, zh: 补丁}
            definition: {en: Patch., zh: 补丁。}
"#;

fn parse(text: &str) -> Result<Codebook> {
    Codebook::parse(Path::new("codebook.yaml"), text)
}

#[test]
fn parses_nested_categories_variables_and_attributes() {
    let cb = parse(SMALL).unwrap();
    assert_eq!(cb.version, "1.0");
    assert_eq!(cb.indicators.len(), 2);
    assert_eq!(cb.categories[1].parent, Some(0));
    assert_eq!(cb.categories[1].depth, 1);
    let vu02 = cb.indicator(&"VU02".into()).unwrap();
    assert_eq!(vu02.label.get("zh"), "补丁");
    let path: Vec<_> = cb
        .category_path(vu02.category)
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(path, ["VULN", "SUB"]);
    assert_eq!(
        cb.variable("publisher").unwrap().group_of("Microsoft"),
        Some("company")
    );
    assert_eq!(cb.indicators[0].include[0].get("en"), "Plain rule");
}

#[test]
fn unknown_field_names_line_and_column() {
    let text = SMALL.replace(
        "definition: {en: Patch.",
        "lable: x\n            definition: {en: Patch.",
    );
    let err = parse(&text).unwrap_err().to_string();
    assert!(err.starts_with("codebook.yaml:37:13: "), "{err}");
    assert!(err.contains("lable"), "{err}");
}

#[test]
fn duplicate_ids_point_at_the_second_and_name_the_first() {
    let text = SMALL.replace("id: VU02", "id: VU01");
    let err = parse(&text).unwrap_err().to_string();
    assert!(err.starts_with("codebook.yaml:35:17:"), "{err}");
    assert!(
        err.contains("duplicate id 'VU01' (first defined at codebook.yaml:25:13)"),
        "{err}"
    );
}

#[test]
fn missing_translation_is_an_error() {
    let text = SMALL.replace("{en: Patch, zh: 补丁}", "{en: Patch}");
    let err = parse(&text).unwrap_err().to_string();
    assert!(
        err.contains("indicator 'VU02' label has no text for language 'zh'"),
        "{err}"
    );
}

#[test]
fn undeclared_attribute_value_and_dangling_group_are_errors() {
    let err = parse(&SMALL.replace("{orientation: relevance}", "{orientation: urgency}"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("'urgency' is not a value of attribute 'orientation'"),
        "{err}"
    );
    let err = parse(&SMALL.replace("group: company", "group: government"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("names group 'government'"), "{err}");
}

#[test]
fn the_default_codebook_is_valid() {
    let cb = parse(DEFAULT_CODEBOOK).unwrap();
    assert!(
        cb.indicators.len() >= 60,
        "{} indicators",
        cb.indicators.len()
    );
    assert_eq!(cb.languages, ["en", "zh"]);
    assert!(cb.variable("publisher").is_some() && cb.variable("year").is_some());
}
