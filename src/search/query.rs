//! The query language: tantivy's grammar (words, "phrases", AND/OR/NOT, `+`/`-`, `field:`,
//! ranges, boosts), read with normcode's tokenizer and rules:
//!
//! - a word or phrase becomes a term query when it is one token, else a phrase query, so
//!   unquoted Chinese (`关键基础设施`) is an exact substring match;
//! - a trailing `*` makes a prefix query (`vulnerab*`, `"responsible report"*`);
//! - the default operator is AND; unfielded words search `text` and `title`;
//! - `code:X coder:Y` side by side in a conjunction mean "Y coded X" (see [`pair_codes`]);
//! - fuzzy matching, when asked for, applies to single unquoted words.
//!
//! The grammar is tantivy's (`tantivy::query_grammar`); the step from its syntax tree to a
//! [`Query`] is ours, because tantivy's `QueryParser` rejects single-word prefixes, cannot make
//! fuzzy queries per call, and gives nothing to highlight with.

use std::borrow::Cow;
use std::ops::Bound;

use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, EmptyQuery, EnableScoring, FuzzyTermQuery, Occur,
    PhrasePrefixQuery, PhraseQuery, Query, RangeQuery, TermQuery, Weight,
};
use tantivy::query_grammar::{
    self, Delimiter, UserInputAst, UserInputBound, UserInputLeaf, UserInputLiteral,
};
use tantivy::schema::{Field, IndexRecordOption, Term};

use super::grams::CommonGrams;
use super::schema::{FieldKind, Fields};
use super::tokenizer::{QueryTerm, analyze, is_cjk, keyword_term, query_terms};

/// How to treat a query that does not parse.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ParseMode {
    /// Never fails: a half-typed query searches what can be made of it (for search as you type).
    #[default]
    Lenient,
    /// A malformed query is an error with a message saying what is wrong (for the CLI).
    Strict,
}

/// How much weight a match in the title has against one in the unit's text.
const TITLE_BOOST: f32 = 0.5;
/// How many terms a prefix may expand to inside a phrase.
const PHRASE_PREFIX_EXPANSIONS: u32 = 1000;

/// A parsed query, ready to become a tantivy query (given the index's fields) and to highlight.
#[derive(Debug, Clone)]
pub struct ParsedQuery {
    ast: UserInputAst,
    fuzzy: bool,
    strict: bool,
}

/// The longest query, in characters.
pub const MAX_QUERY_CHARS: usize = 10_000;
/// The most words (runs of non-blank characters) in a query.
pub const MAX_QUERY_WORDS: usize = 1_000;
/// The deepest nesting of parentheses and NOT (or `-`, `+`, `!`) in a query.
pub const MAX_QUERY_DEPTH: usize = 32;

/// Parses `query`. In [`ParseMode::Strict`] a syntax error is an `Err` with a message for the
/// user. In either mode a query that is too long or nests too deeply (see [`check_limits`]) is
/// an `Err`; otherwise lenient parsing never fails.
pub fn parse(query: &str, mode: ParseMode, fuzzy: bool) -> Result<ParsedQuery, String> {
    check_limits(query)?;
    let strict = mode == ParseMode::Strict;
    let mut ast = match query_grammar::parse_query(query) {
        Ok(ast) => ast,
        Err(_) if strict => return Err(syntax_error(query)),
        Err(_) => lenient_ast(query),
    };
    if !strict {
        drop_dangling_operators(&mut ast);
    }
    pair_codes(&mut ast);
    Ok(ParsedQuery { ast, fuzzy, strict })
}

/// Refuses a query longer than [`MAX_QUERY_CHARS`] characters or [`MAX_QUERY_WORDS`] words,
/// or nested deeper than [`MAX_QUERY_DEPTH`] levels, before anything reads it: tantivy's grammar
/// and its queries are recursive, and `NOT NOT … a` or `a AND (a AND (…))` hundreds of levels
/// deep overflow the stack, which aborts the process (no panic to catch).
pub fn check_limits(query: &str) -> Result<(), String> {
    let chars = query.chars().count();
    if chars > MAX_QUERY_CHARS {
        return Err(format!(
            "the query is too long ({chars} characters, more than {MAX_QUERY_CHARS}): shorten it"
        ));
    }
    if nesting_depth(query) > MAX_QUERY_DEPTH {
        return Err(format!(
            "the query nests too deeply (more than {MAX_QUERY_DEPTH} levels of NOT, parentheses \
             or AND/OR): simplify it"
        ));
    }
    let words = query.split_whitespace().count();
    if words > MAX_QUERY_WORDS {
        return Err(format!(
            "the query has too many words ({words}, more than {MAX_QUERY_WORDS}): shorten it"
        ));
    }
    Ok(())
}

/// How deeply `query` nests: each open parenthesis is a level, and each NOT (or leading `-`,
/// `+`, `!`) a level over the word or bracket it applies to. Brackets inside quotes count too:
/// an overestimate, never an underestimate, whatever the quotes.
fn nesting_depth(query: &str) -> usize {
    // `level` is the nesting where the scan is, `base` that of the innermost open bracket.
    let (mut level, mut base, mut deepest) = (0usize, 0usize, 0usize);
    let mut bases = Vec::new();
    for word in query.split_whitespace() {
        match word {
            "NOT" => level += 1,
            "AND" | "OR" => {}
            _ => {
                // Opening brackets and unary operators, then a NOT (`(NOT`) or a word.
                let rest = word.trim_start_matches(|c| {
                    match c {
                        '(' => {
                            bases.push(base);
                            level += 1;
                            base = level;
                        }
                        '-' | '+' | '!' => level += 1,
                        _ => return false,
                    }
                    deepest = deepest.max(level);
                    true
                });
                if rest == "NOT" {
                    level += 1;
                } else {
                    for c in rest.chars() {
                        match c {
                            '(' => {
                                bases.push(base);
                                level += 1;
                                base = level;
                            }
                            ')' => {
                                base = bases.pop().unwrap_or(0);
                                level = base;
                            }
                            _ => level = base,
                        }
                        deepest = deepest.max(level);
                    }
                }
            }
        }
        deepest = deepest.max(level);
    }
    deepest
}

/// tantivy's lenient parse, or plain words should it ever give up.
fn lenient_ast(query: &str) -> UserInputAst {
    match std::panic::catch_unwind(|| query_grammar::parse_query_lenient(query)) {
        Ok((ast, _errors)) => ast,
        Err(_) => plain_words(query),
    }
}

/// Every word of the query, as a quoted term: the last resort of the lenient parse.
fn plain_words(query: &str) -> UserInputAst {
    let words = query
        .split(|c: char| c.is_whitespace() || "\"'()[]{}:^~*+!\\".contains(c))
        .filter(|w| !w.is_empty() && !matches!(*w, "AND" | "OR" | "NOT" | "TO" | "IN"))
        .map(|w| {
            (
                None,
                UserInputAst::from(UserInputLeaf::Literal(UserInputLiteral {
                    field_name: None,
                    phrase: w.trim_start_matches('-').to_string(),
                    delimiter: Delimiter::DoubleQuotes,
                    slop: 0,
                    prefix: false,
                })),
            )
        })
        .collect();
    UserInputAst::Clause(words)
}

/// The lenient parser reads a dangling `AND`/`OR`/`NOT` (`disclosure AND`) as a word; while
/// typing it is an operator still waiting for its right side.
fn drop_dangling_operators(ast: &mut UserInputAst) {
    match ast {
        UserInputAst::Clause(children) => {
            children.retain(|(_, child)| !is_operator_word(child));
            for (_, child) in children {
                drop_dangling_operators(child);
            }
        }
        UserInputAst::Boost(inner, _) => drop_dangling_operators(inner),
        UserInputAst::Leaf(_) => {
            if is_operator_word(ast) {
                *ast = UserInputAst::Clause(Vec::new());
            }
        }
    }
}

fn is_operator_word(ast: &UserInputAst) -> bool {
    matches!(ast, UserInputAst::Leaf(leaf) if matches!(&**leaf,
        UserInputLeaf::Literal(l) if l.field_name.is_none()
            && l.delimiter == Delimiter::None
            && matches!(l.phrase.as_str(), "AND" | "OR" | "NOT")))
}

/// What is wrong with a query tantivy's grammar rejects, and where.
fn syntax_error(query: &str) -> String {
    let (_, errors) = match std::panic::catch_unwind(|| query_grammar::parse_query_lenient(query)) {
        Ok(parsed) => parsed,
        Err(_) => (UserInputAst::Clause(Vec::new()), Vec::new()),
    };
    let hint = "see `normcode search --help` for the query syntax";
    // The most telling of the parser's complaints first.
    const KNOWN: &[(&str, &str)] = &[
        ("missing delimiter", "a quote is not closed"),
        (
            "range delimiter",
            "a range is not complete (write it like year:[2013 TO 2016])",
        ),
        ("expected ')'", "a parenthesis is not closed"),
        (
            "invalid field",
            "a ':' inside a word (write field:value, or quote the word)",
        ),
        (
            "expected word",
            "a word is missing (after a field name, an operator or a bracket)",
        ),
    ];
    let found = KNOWN.iter().find_map(|(needle, what)| {
        errors
            .iter()
            .find(|e| e.message.contains(needle))
            .map(|e| (e.pos, what.to_string()))
    });
    let Some((pos, what)) = found.or_else(|| errors.first().map(|e| (e.pos, e.message.clone())))
    else {
        let last = query.split_whitespace().last().unwrap_or("");
        return if matches!(last, "AND" | "OR" | "NOT") {
            format!("'{last}' at the end needs a word after it; {hint}")
        } else {
            format!(
                "AND, OR and NOT need a word on each side, and brackets and quotes must be \
                 closed; {hint}"
            )
        };
    };
    let place = if pos >= query.len() {
        " at the end".to_string()
    } else {
        query
            .get(..pos)
            .map(|before| format!(" at character {}", before.chars().count() + 1))
            .unwrap_or_default()
    };
    format!("{what}{place}; {hint}")
}

/// While typing, the last word is probably not finished: `vulner` searches `vulner*`. Applies
/// when the query ends in a letter or digit outside quotes.
pub fn as_you_type(query: &str) -> Cow<'_, str> {
    let Some(last) = query.chars().last() else {
        return Cow::Borrowed(query);
    };
    let quotes = query.chars().filter(|&c| c == '"').count();
    let word = query
        .rsplit(|c: char| c.is_whitespace() || "()[]{}:\"".contains(c))
        .next()
        .unwrap_or("");
    // A number is a whole value (`year:2015`), never the start of a longer word.
    if !last.is_alphanumeric()
        || word.chars().all(|c| c.is_ascii_digit())
        || is_cjk(last)
        || quotes % 2 == 1
        || matches!(word, "AND" | "OR" | "NOT" | "TO")
    {
        return Cow::Borrowed(query);
    }
    Cow::Owned(format!("{query}*"))
}

fn literal_field(literal: &UserInputLiteral) -> Option<String> {
    literal.field_name.as_ref().map(|f| f.to_lowercase())
}

/// A literal's text without a trailing `*`, and whether it is a prefix.
fn phrase_and_prefix(literal: &UserInputLiteral) -> (&str, bool) {
    if literal.delimiter == Delimiter::None && literal.phrase.len() > 1 {
        let stripped = literal.phrase.trim_end_matches('*');
        if stripped.len() < literal.phrase.len() {
            return (stripped, true);
        }
    }
    (literal.phrase.as_str(), literal.prefix)
}

/// `code:VU01 coder:alice` side by side in a conjunction mean "alice coded VU01 on this unit",
/// not "someone coded VU01 and alice coded something": each such pair becomes a required
/// `coded:alice:vu01`. With several codes and coders, every coder must have applied every code.
/// `code:` and `coder:` under OR, or negated, keep their own meaning.
fn pair_codes(ast: &mut UserInputAst) {
    let UserInputAst::Clause(children) = ast else {
        if let UserInputAst::Boost(inner, _) = ast {
            pair_codes(inner);
        }
        return;
    };
    for (_, child) in children.iter_mut() {
        pair_codes(child);
    }
    let required = |occur: &Option<Occur>| matches!(occur, None | Some(Occur::Must));
    let mut codes = Vec::new();
    let mut coders = Vec::new();
    for (index, (occur, child)) in children.iter().enumerate() {
        let UserInputAst::Leaf(leaf) = child else {
            continue;
        };
        let UserInputLeaf::Literal(literal) = &**leaf else {
            continue;
        };
        if !required(occur) {
            continue;
        }
        let (phrase, prefix) = phrase_and_prefix(literal);
        match literal_field(literal).as_deref() {
            Some("code") if !phrase.is_empty() => codes.push((index, phrase.to_string(), prefix)),
            Some("coder") if !prefix && !phrase.is_empty() => {
                coders.push((index, phrase.to_string()))
            }
            _ => {}
        }
    }
    if codes.is_empty() || coders.is_empty() {
        return;
    }
    let mut pairs = Vec::new();
    for (_, coder) in &coders {
        for (_, code, prefix) in &codes {
            let literal = UserInputLiteral {
                field_name: Some("coded".to_string()),
                phrase: format!("{coder}:{code}"),
                delimiter: Delimiter::DoubleQuotes,
                slop: 0,
                prefix: *prefix,
            };
            pairs.push((Some(Occur::Must), UserInputLeaf::Literal(literal).into()));
        }
    }
    let mut remove: Vec<usize> = codes
        .iter()
        .map(|c| c.0)
        .chain(coders.iter().map(|c| c.0))
        .collect();
    remove.sort_unstable();
    for index in remove.into_iter().rev() {
        children.remove(index);
    }
    children.extend(pairs);
}

/// One token of a highlight pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum TokenMatch {
    Exact(String),
    Prefix(String),
    Fuzzy(String, u8),
}

impl TokenMatch {
    fn matches(&self, token: &str) -> bool {
        match self {
            TokenMatch::Exact(t) => t == token,
            TokenMatch::Prefix(p) => token.starts_with(p.as_str()),
            TokenMatch::Fuzzy(t, distance) => edit_distance(t, token) <= *distance as usize,
        }
    }
}

/// A word or phrase of the query that shows in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Pattern {
    tokens: Vec<TokenMatch>,
    slop: u32,
}

/// How far a fuzzy word may be from what it matches: none for short words and CJK characters.
fn fuzzy_distance(term: &str) -> u8 {
    if term.chars().any(is_cjk) {
        return 0;
    }
    match term.chars().count() {
        0..=2 => 0,
        3..=5 => 1,
        _ => 2,
    }
}

/// Optimal string alignment distance (adjacent transpositions cost one), as tantivy's fuzzy
/// queries count it.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut rows: Vec<Vec<usize>> = (0..=a.len())
        .map(|i| {
            let mut row = vec![0usize; b.len() + 1];
            row[0] = i;
            row
        })
        .collect();
    rows[0] = (0..=b.len()).collect();
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

/// Finds where a query's words and phrases occur in a text, for highlighting. Only what the
/// query looks for in the body counts: unfielded and `text:` words and phrases that are not
/// negated.
#[derive(Debug, Clone, Default)]
pub struct Highlighter {
    patterns: Vec<Pattern>,
}

impl Highlighter {
    /// Reads `query` leniently (so it works on any input).
    pub fn new(query: &str, fuzzy: bool) -> Self {
        match parse(query, ParseMode::Lenient, fuzzy) {
            Ok(parsed) => Self::for_query(&parsed),
            Err(_) => Self::default(),
        }
    }

    pub fn for_query(query: &ParsedQuery) -> Self {
        let mut patterns = Vec::new();
        collect_patterns(&query.ast, false, query.fuzzy, &mut patterns);
        Self { patterns }
    }

    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// The ranges of `text` that match, in code points plus `offset` (pass the unit's start in
    /// the document body to get body offsets), sorted, overlaps merged.
    pub fn matches(&self, text: &str, offset: usize) -> Vec<crate::corpus::CodePointRange> {
        if self.patterns.is_empty() {
            return Vec::new();
        }
        let tokens = analyze(text);
        let mut found: Vec<(usize, usize)> = Vec::new();
        for pattern in &self.patterns {
            let n = pattern.tokens.len();
            if pattern.slop == 0 {
                for window in tokens.windows(n) {
                    let matched = window
                        .iter()
                        .zip(&pattern.tokens)
                        .all(|(token, m)| m.matches(&token.text));
                    // CJK characters next to each other in a phrase must be next to each other
                    // in the text, as the index's bigrams require (`关键` is not in `关，键`).
                    let adjacent = || {
                        window.windows(2).all(|pair| {
                            !(is_cjk_token(&pair[0].text) && is_cjk_token(&pair[1].text))
                                || pair[0].chars.end == pair[1].chars.start
                        })
                    };
                    if matched && adjacent() {
                        found.push((window[0].chars.start, window[n - 1].chars.end));
                    }
                }
            } else {
                // A sloppy phrase: show each of its words.
                for token in &tokens {
                    if pattern.tokens.iter().any(|m| m.matches(&token.text)) {
                        found.push((token.chars.start, token.chars.end));
                    }
                }
            }
        }
        found.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::with_capacity(found.len());
        for (start, end) in found {
            match merged.last_mut() {
                Some(last) if start < last.1 => last.1 = last.1.max(end),
                _ => merged.push((start, end)),
            }
        }
        merged
            .into_iter()
            .map(|(s, e)| crate::corpus::CodePointRange::new(s + offset, e + offset))
            .collect()
    }
}

/// A token that is one CJK character (the query side's analysis makes no other kind with CJK).
fn is_cjk_token(text: &str) -> bool {
    text.chars().next().is_some_and(is_cjk)
}

fn is_body_field(field: Option<&str>) -> bool {
    matches!(field, None | Some("text") | Some("body"))
}

fn collect_patterns(ast: &UserInputAst, negated: bool, fuzzy: bool, out: &mut Vec<Pattern>) {
    match ast {
        UserInputAst::Clause(children) => {
            for (occur, child) in children {
                let flip = *occur == Some(Occur::MustNot);
                collect_patterns(child, negated ^ flip, fuzzy, out);
            }
        }
        UserInputAst::Boost(inner, _) => collect_patterns(inner, negated, fuzzy, out),
        UserInputAst::Leaf(leaf) if !negated => match &**leaf {
            UserInputLeaf::Literal(literal) if is_body_field(literal_field(literal).as_deref()) => {
                let (phrase, prefix) = phrase_and_prefix(literal);
                let fuzzy = fuzzy && literal.delimiter == Delimiter::None && !prefix;
                out.extend(pattern(phrase, prefix, fuzzy, literal.slop));
            }
            UserInputLeaf::Set { field, elements }
                if is_body_field(field.as_ref().map(|f| f.to_lowercase()).as_deref()) =>
            {
                for element in elements {
                    out.extend(pattern(element, false, false, 0));
                }
            }
            _ => {}
        },
        UserInputAst::Leaf(_) => {}
    }
}

fn pattern(phrase: &str, prefix: bool, fuzzy: bool, slop: u32) -> Option<Pattern> {
    let terms: Vec<String> = analyze(phrase).into_iter().map(|t| t.text).collect();
    let last = terms.len().checked_sub(1)?;
    let single = terms.len() == 1;
    let tokens = terms
        .into_iter()
        .enumerate()
        .map(|(i, term)| {
            if i == last && prefix {
                TokenMatch::Prefix(term)
            } else if fuzzy && single && fuzzy_distance(&term) > 0 {
                let distance = fuzzy_distance(&term);
                TokenMatch::Fuzzy(term, distance)
            } else {
                TokenMatch::Exact(term)
            }
        })
        .collect();
    Some(Pattern { tokens, slop })
}

/// Turns a parsed query into a tantivy query over `fields`. `Ok(None)` when nothing is left to
/// search (an empty or half-typed query in lenient mode: no hits).
/// CJK phrases use the index's `grams`.
pub fn compile(
    query: &ParsedQuery,
    fields: &Fields,
    grams: &CommonGrams,
) -> Result<Box<dyn Query>, String> {
    let compiler = Compiler {
        fields,
        grams,
        fuzzy: query.fuzzy,
        strict: query.strict,
    };
    match compiler.ast(&query.ast)? {
        Some(compiled) => Ok(compiled),
        None if query.strict => Err("the query has nothing to search for".to_string()),
        None => Ok(Box::new(EmptyQuery)),
    }
}

struct Compiler<'a> {
    fields: &'a Fields,
    grams: &'a CommonGrams,
    fuzzy: bool,
    strict: bool,
}

type Compiled = Result<Option<Box<dyn Query>>, String>;

impl Compiler<'_> {
    /// In strict mode the error, in lenient mode nothing (the part is left out).
    fn fail(&self, message: String) -> Compiled {
        if self.strict { Err(message) } else { Ok(None) }
    }

    fn ast(&self, ast: &UserInputAst) -> Compiled {
        match ast {
            UserInputAst::Clause(children) => {
                let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                for (occur, child) in children {
                    if let Some(query) = self.ast(child)? {
                        clauses.push((occur.unwrap_or(Occur::Must), query));
                    }
                }
                if clauses.is_empty() {
                    return Ok(None);
                }
                if clauses.iter().all(|(occur, _)| *occur == Occur::MustNot) {
                    // `NOT x` alone: every unit without x.
                    clauses.push((Occur::Must, Box::new(AllQuery)));
                }
                if clauses.len() == 1 {
                    return Ok(clauses.pop().map(|(_, query)| query));
                }
                Ok(Some(Box::new(BooleanQuery::new(clauses))))
            }
            UserInputAst::Boost(inner, boost) => Ok(self.ast(inner)?.map(|query| {
                Box::new(BoostQuery::new(query, boost.into_inner() as f32)) as Box<dyn Query>
            })),
            UserInputAst::Leaf(leaf) => self.leaf(leaf),
        }
    }

    fn field(&self, name: &str) -> Result<(Field, FieldKind), String> {
        self.fields.resolve(name).ok_or_else(|| {
            format!(
                "there is no field '{name}' (fields: {})",
                self.fields.names().join(", ")
            )
        })
    }

    fn leaf(&self, leaf: &UserInputLeaf) -> Compiled {
        match leaf {
            UserInputLeaf::Literal(literal) => self.literal(literal),
            UserInputLeaf::All => Ok(Some(Box::new(AllQuery))),
            UserInputLeaf::Range {
                field,
                lower,
                upper,
            } => {
                let Some(name) = field else {
                    return self
                        .fail("a range needs a field, as in year:[2013 TO 2016]".to_string());
                };
                match self.field(name) {
                    Ok((field, kind)) => self.range(name, field, kind, lower, upper),
                    Err(message) => self.fail(message),
                }
            }
            UserInputLeaf::Set { field, elements } => {
                let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                for element in elements {
                    let literal = UserInputLiteral {
                        field_name: field.clone(),
                        phrase: element.clone(),
                        delimiter: Delimiter::DoubleQuotes,
                        slop: 0,
                        prefix: false,
                    };
                    if let Some(query) = self.literal(&literal)? {
                        clauses.push((Occur::Should, query));
                    }
                }
                Ok((!clauses.is_empty())
                    .then(|| Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>))
            }
            UserInputLeaf::Exists { field } => match self.field(field) {
                Ok((field, kind)) => Ok(Some(exists(field, kind))),
                Err(message) => self.fail(message),
            },
            UserInputLeaf::Regex { .. } => {
                self.fail("regular expressions (/.../) are not supported".to_string())
            }
        }
    }

    fn literal(&self, literal: &UserInputLiteral) -> Compiled {
        let (phrase, prefix) = phrase_and_prefix(literal);
        if self.strict && literal.delimiter == Delimiter::None && phrase.contains('*') {
            return Err(format!(
                "'*' works only at the end of a word, as in vulnerab* (in '{}')",
                literal.phrase
            ));
        }
        let name = literal_field(literal);
        let targets: Vec<(Field, FieldKind, f32)> = match name.as_deref() {
            None => vec![
                (self.fields.text, FieldKind::Text, 1.0),
                (self.fields.title, FieldKind::Text, TITLE_BOOST),
            ],
            Some(name) => match self.field(name) {
                Ok((field, kind)) => vec![(field, kind, 1.0)],
                // Half-typed field names search as plain words.
                Err(_) if !self.strict => vec![
                    (self.fields.text, FieldKind::Text, 1.0),
                    (self.fields.title, FieldKind::Text, TITLE_BOOST),
                ],
                Err(message) => return Err(message),
            },
        };
        let fuzzy = self.fuzzy && literal.delimiter == Delimiter::None && !prefix;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (field, kind, boost) in targets {
            let query = match kind {
                FieldKind::Text if field == self.fields.text && literal.slop == 0 => {
                    gram_query(self.fields.text_grams, phrase, self.grams)
                        .or_else(|| text_query(field, phrase, prefix, 0, fuzzy))
                }
                FieldKind::Text => text_query(field, phrase, prefix, literal.slop, fuzzy),
                FieldKind::Keyword => keyword_query(field, phrase, prefix),
                FieldKind::Integer => {
                    let shown = name.as_deref().unwrap_or("field");
                    match integer(shown, phrase) {
                        Ok(_) if prefix => {
                            return self.fail(format!(
                                "{shown}: a prefix (*) works on words, not numbers; \
                                 use a range like {shown}:[2010 TO 2019]"
                            ));
                        }
                        Ok(value) => Some(Box::new(TermQuery::new(
                            Term::from_field_i64(field, value),
                            IndexRecordOption::Basic,
                        )) as Box<dyn Query>),
                        Err(message) => return self.fail(message),
                    }
                }
            };
            if let Some(query) = query {
                let query: Box<dyn Query> = if boost == 1.0 {
                    query
                } else {
                    Box::new(BoostQuery::new(query, boost))
                };
                clauses.push((Occur::Should, query));
            }
        }
        Ok(match clauses.len() {
            0 => None,
            1 => clauses.pop().map(|(_, query)| query),
            _ => Some(Box::new(BooleanQuery::new(clauses))),
        })
    }

    fn range(
        &self,
        name: &str,
        field: Field,
        kind: FieldKind,
        lower: &UserInputBound,
        upper: &UserInputBound,
    ) -> Compiled {
        let bound = |bound: &UserInputBound| -> Result<Bound<Term>, String> {
            let value = bound.term_str();
            if value == "*" || matches!(bound, UserInputBound::Unbounded) {
                return Ok(Bound::Unbounded);
            }
            let term = match kind {
                FieldKind::Integer => Term::from_field_i64(field, integer(name, value)?),
                FieldKind::Keyword => Term::from_field_text(field, &keyword_term(value)),
                FieldKind::Text => {
                    let tokens = analyze(value);
                    match tokens.as_slice() {
                        [one] => Term::from_field_text(field, &one.text),
                        _ => {
                            return Err(format!(
                                "{name}: a range bound must be one word, not '{value}'"
                            ));
                        }
                    }
                }
            };
            Ok(match bound {
                UserInputBound::Inclusive(_) => Bound::Included(term),
                UserInputBound::Exclusive(_) => Bound::Excluded(term),
                UserInputBound::Unbounded => Bound::Unbounded,
            })
        };
        let (lower, upper) = match (bound(lower), bound(upper)) {
            (Ok(lower), Ok(upper)) => (lower, upper),
            (Err(message), _) | (_, Err(message)) => return self.fail(message),
        };
        if matches!((&lower, &upper), (Bound::Unbounded, Bound::Unbounded)) {
            return Ok(Some(exists(field, kind)));
        }
        Ok(Some(Box::new(RangeQuery::new(lower, upper))))
    }
}

fn integer(field: &str, value: &str) -> Result<i64, String> {
    value
        .trim()
        .parse()
        .map_err(|_| format!("{field}: '{value}' is not a whole number"))
}

/// Units with any value in `field` (`memo:*`, `code:*`, `year:[* TO *]`).
fn exists(field: Field, kind: FieldKind) -> Box<dyn Query> {
    let lowest = match kind {
        FieldKind::Integer => Term::from_field_i64(field, i64::MIN),
        FieldKind::Text | FieldKind::Keyword => Term::from_field_text(field, ""),
    };
    Box::new(RangeQuery::new(Bound::Included(lowest), Bound::Unbounded))
}

fn text_query(
    field: Field,
    phrase: &str,
    prefix: bool,
    slop: u32,
    fuzzy: bool,
) -> Option<Box<dyn Query>> {
    let tokens = analyze(phrase);
    // A `*` continues a word; after a CJK character it adds nothing (the character is already
    // matched wherever it starts a longer run).
    let prefix = prefix && tokens.last().is_some_and(|t| !t.text.chars().any(is_cjk));
    let mut terms = query_terms(&tokens);
    let last = terms.pop()?;
    let term = |text: &str| Term::from_field_text(field, text);
    if terms.is_empty() {
        return Some(match last {
            QueryTerm::Exact(_, text) => single_term(term(&text), prefix, fuzzy),
            QueryTerm::StartsWith(_, c) => Box::new(CjkCharQuery {
                field,
                character: c,
            }),
        });
    }
    let (last, starts_with) = match last {
        QueryTerm::Exact(position, text) => ((position, term(&text)), prefix),
        QueryTerm::StartsWith(position, c) => ((position, term(&c.to_string())), true),
    };
    let mut terms: Vec<(usize, Term)> = terms
        .into_iter()
        .map(|t| match t {
            QueryTerm::Exact(position, text) => (position, term(&text)),
            // Only ever last (see `query_terms`).
            QueryTerm::StartsWith(position, c) => (position, term(&c.to_string())),
        })
        .collect();
    terms.push(last);
    if starts_with {
        let mut query = PhrasePrefixQuery::new_with_offset(terms);
        query.set_max_expansions(PHRASE_PREFIX_EXPANSIONS);
        Some(Box::new(query))
    } else {
        Some(Box::new(PhraseQuery::new_with_offset_and_slop(terms, slop)))
    }
}

/// A gram is searched as the stored grams that start with it; when more than this many do, it
/// is searched as bigrams instead.
const MAX_GRAM_EXTENSIONS: usize = 64;

/// When `phrase` is CJK characters only (what separates them does not matter, as in
/// [`query_terms`]) and they are one of the index's `grams`: the units that contain it, from
/// the grams field with no position checks (see [`super::grams`]).
fn gram_query(field: Field, phrase: &str, grams: &CommonGrams) -> Option<Box<dyn Query>> {
    if grams.is_empty() {
        return None;
    }
    let mut gram = String::new();
    for token in analyze(phrase) {
        let mut chars = token.text.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) if is_cjk(c) => gram.push(c),
            _ => return None,
        }
    }
    if !grams.contains(&gram) {
        return None;
    }
    let extensions = grams.extensions(&gram);
    if extensions.len() > MAX_GRAM_EXTENSIONS {
        return None;
    }
    let clauses = extensions
        .iter()
        .map(|text| {
            let term = Term::from_field_text(field, text);
            let query = TermQuery::new(term, IndexRecordOption::WithFreqs);
            (Occur::Should, Box::new(query) as Box<dyn Query>)
        })
        .collect();
    Some(Box::new(BooleanQuery::new(clauses)))
}

/// A single CJK character: every term that starts with it (the character alone, at the end of
/// a run, and every bigram it begins), each scored as a word would be. The terms are found in
/// the term dictionaries of the searcher's segments when the query runs.
#[derive(Debug, Clone)]
struct CjkCharQuery {
    field: Field,
    character: char,
}

/// A character that starts more terms than this is searched as a range (every match scores
/// the same) rather than as a union of that many terms.
const MAX_CHARACTER_TERMS: usize = 2048;

impl Query for CjkCharQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let mut alone = [0u8; 4];
        let alone = self.character.encode_utf8(&mut alone).as_bytes();
        let range = || {
            let term = Term::from_field_text(self.field, &self.character.to_string());
            PhrasePrefixQuery::new(vec![term])
        };
        let Some(searcher) = scoring.searcher() else {
            return range().weight(scoring);
        };
        // Every term that starts with the character's bytes sorts below them plus 0xFF (a byte
        // UTF-8 never uses).
        let mut upper = alone.to_vec();
        upper.push(0xFF);
        let mut terms = std::collections::BTreeSet::new();
        for segment in searcher.segment_readers() {
            let inverted = segment.inverted_index(self.field)?;
            let mut stream = inverted
                .terms()
                .range()
                .ge(alone)
                .lt(&upper)
                .into_stream()?;
            while stream.advance() {
                terms.insert(stream.key().to_vec());
                if terms.len() > MAX_CHARACTER_TERMS {
                    return range().weight(scoring);
                }
            }
        }
        let clauses: Vec<(Occur, Box<dyn Query>)> = terms
            .iter()
            .filter_map(|bytes| std::str::from_utf8(bytes).ok())
            .map(|text| {
                let query = TermQuery::new(
                    Term::from_field_text(self.field, text),
                    IndexRecordOption::WithFreqs,
                );
                (Occur::Should, Box::new(query) as Box<dyn Query>)
            })
            .collect();
        if clauses.is_empty() {
            return EmptyQuery.weight(scoring);
        }
        BooleanQuery::new(clauses).weight(scoring)
    }
}

fn single_term(term: Term, prefix: bool, fuzzy: bool) -> Box<dyn Query> {
    if prefix {
        // One term: tantivy runs it as a range over the term dictionary.
        return Box::new(PhrasePrefixQuery::new(vec![term]));
    }
    let distance = term.value().as_str().map(fuzzy_distance).unwrap_or(0);
    let exact = Box::new(TermQuery::new(
        term.clone(),
        IndexRecordOption::WithFreqsAndPositions,
    ));
    if !fuzzy || distance == 0 {
        return exact;
    }
    // The exact word still ranks first.
    Box::new(BooleanQuery::new(vec![
        (Occur::Should, Box::new(BoostQuery::new(exact, 2.0))),
        (
            Occur::Should,
            Box::new(FuzzyTermQuery::new(term, distance, true)),
        ),
    ]))
}

fn keyword_query(field: Field, value: &str, prefix: bool) -> Option<Box<dyn Query>> {
    if value.is_empty() {
        return None;
    }
    let term = Term::from_field_text(field, &keyword_term(value));
    Some(if prefix {
        Box::new(PhrasePrefixQuery::new(vec![term]))
    } else {
        Box::new(TermQuery::new(term, IndexRecordOption::Basic))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::CodePointRange;

    fn matches(query: &str, text: &str) -> Vec<(usize, usize)> {
        Highlighter::new(query, false)
            .matches(text, 0)
            .into_iter()
            .map(|r: CodePointRange| (r.start, r.end))
            .collect()
    }

    #[test]
    fn highlights_words_phrases_prefixes_and_cjk_substrings() {
        let text = "Report ICT vulnerabilities; 保护关键基础设施。";
        assert_eq!(matches("vulnerab*", text), [(11, 26)]);
        assert_eq!(matches("\"ict vulnerabilities\"", text), [(7, 26)]);
        assert_eq!(matches("基础", text), [(32, 34)]);
        assert_eq!(matches("设基", text), []);
        assert_eq!(matches("\"施 关\"", "设施关键；设施，关键"), [(1, 3)]);
        assert_eq!(
            matches("report -ict", text),
            [(0, 6)],
            "negated words are not shown"
        );
        assert_eq!(
            matches("publisher:report", text),
            [],
            "other fields are not the body"
        );
    }

    #[test]
    fn fuzzy_highlights_near_words_only_when_asked() {
        let text = "vulnerabilities and vulnerability";
        assert_eq!(matches("vulnerabilty", text), []);
        let fuzzy = Highlighter::new("vulnerabilty", true).matches(text, 100);
        assert_eq!(fuzzy, [CodePointRange::new(120, 133)]);
    }

    #[test]
    fn code_and_coder_side_by_side_become_pairs() {
        let parsed = parse("code:VU01 coder:alice disclosure", ParseMode::Strict, false).unwrap();
        let shown = format!("{:?}", parsed.ast);
        assert!(shown.contains("\"coded\":\"alice:VU01\""), "{shown}");
        assert!(!shown.contains("\"code\":"), "{shown}");
        let parsed = parse("code:VU01 OR coder:alice", ParseMode::Strict, false).unwrap();
        assert!(!format!("{:?}", parsed.ast).contains("coded"));
    }

    #[test]
    fn strict_errors_say_what_is_wrong() {
        let err = parse("\"vulner", ParseMode::Strict, false).unwrap_err();
        assert!(err.contains("quote is not closed"), "{err}");
        let err = parse("year:[2013 TO", ParseMode::Strict, false).unwrap_err();
        assert!(err.contains("range"), "{err}");
        let err = parse("disclosure AND", ParseMode::Strict, false).unwrap_err();
        assert!(err.contains("'AND' at the end"), "{err}");
    }

    #[test]
    fn deep_long_and_wordy_queries_are_refused_in_both_modes() {
        let deep = [
            "NOT ".repeat(300) + "a",
            "-".repeat(300) + "a",
            "a AND (".repeat(500) + "a" + &")".repeat(500),
            "(".repeat(10_000),
            "NOT (".repeat(17) + "a" + &")".repeat(17),
        ];
        for mode in [ParseMode::Strict, ParseMode::Lenient] {
            for query in &deep {
                let err = parse(query, mode, false).unwrap_err();
                assert!(err.contains("nests too deeply"), "{mode:?} {err}");
            }
            let long = "a".repeat(MAX_QUERY_CHARS + 1);
            assert!(parse(&long, mode, false).unwrap_err().contains("too long"));
            let wordy = "a ".repeat(MAX_QUERY_WORDS + 1);
            assert!(
                parse(&wordy, mode, false)
                    .unwrap_err()
                    .contains("too many words")
            );
        }
        // Up to the limits, queries are read as before.
        for query in [
            "NOT ".repeat(MAX_QUERY_DEPTH - 1) + "a",
            "(".repeat(MAX_QUERY_DEPTH) + "a" + &")".repeat(MAX_QUERY_DEPTH),
            "(a) ".repeat(200),
            "a AND b OR ".repeat(200) + "c",
            "vulnerab* -ransomware +\"supply chain\" year:[2013 TO 2016]".to_owned(),
        ] {
            assert!(parse(&query, ParseMode::Strict, false).is_ok(), "{query}");
        }
        assert_eq!(nesting_depth("NOT (NOT a) AND -(b OR c)"), 3);
    }

    #[test]
    fn as_you_type_makes_the_last_word_a_prefix() {
        assert_eq!(as_you_type("ict vulner"), "ict vulner*");
        assert_eq!(as_you_type("ict vulner "), "ict vulner ");
        assert_eq!(as_you_type("\"ict vulner"), "\"ict vulner");
        assert_eq!(as_you_type("disclosure AND"), "disclosure AND");
        assert_eq!(as_you_type("关键"), "关键");
        assert_eq!(as_you_type("norms year:2015"), "norms year:2015");
    }

    #[test]
    fn edit_distance_counts_transpositions_once() {
        assert_eq!(edit_distance("form", "from"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    proptest::proptest! {
        #[test]
        fn lenient_parsing_never_fails(query in "[a-z\"():\\[\\]{}*+~^ 关键 TOANDOR-]{0,24}") {
            let fields = Fields::for_codebook(&crate::codebook::Codebook::parse(
                std::path::Path::new("codebook.yaml"),
                "name: t\nversion: '1'\nlanguages: [en]\ncategories: []\n",
            ).unwrap());
            let parsed = parse(&query, ParseMode::Lenient, true).unwrap();
            proptest::prop_assert!(compile(&parsed, &fields, &CommonGrams::default()).is_ok());
            let _ = Highlighter::for_query(&parsed).matches("关键 text", 0);
        }
    }
}
