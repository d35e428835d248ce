//! `grammars/citations.yaml`: how documents cite other documents, and which citations are the
//! basis (căn cứ). Also [`Phrases`], the case-insensitive whole-word phrase matcher the citation,
//! target and budget rules share.

use std::collections::HashMap;

use regex::Regex;
use serde::Deserialize;

use super::compile_regex;
use crate::error::GrammarError;

/// A set of phrases matched case-insensitively as whole words, the longest first. A space in a
/// phrase matches any run of whitespace (line breaks included).
#[derive(Debug, Clone, Default)]
pub(crate) struct Phrases {
    /// `(lower-case chars with single spaces, index in the list given to `new`)`, longest first.
    items: Vec<(Vec<char>, usize)>,
}

impl Phrases {
    /// The phrases of `list`; empty entries are dropped.
    pub(crate) fn new<S: AsRef<str>>(list: &[S]) -> Phrases {
        let mut items: Vec<(Vec<char>, usize)> = Vec::with_capacity(list.len());
        for (i, p) in list.iter().enumerate() {
            let words: Vec<String> = p.as_ref().split_whitespace().map(str::to_lowercase).collect();
            let chars: Vec<char> = words.join(" ").chars().collect();
            if !chars.is_empty() && !items.iter().any(|(c, _)| *c == chars) {
                items.push((chars, i));
            }
        }
        items.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.1.cmp(&b.1)));
        Phrases { items }
    }

    /// The longest phrase `s` starts with: `(bytes of s it covers, its index in the list)`.
    pub(crate) fn match_at(&self, s: &str) -> Option<(usize, usize)> {
        self.items.iter().find_map(|(p, i)| match_one(p, s).map(|len| (len, *i)))
    }

    /// The leftmost phrase found in `s` as whole words: `(start, end, index)`.
    pub(crate) fn find(&self, s: &str) -> Option<(usize, usize, usize)> {
        let mut prev: Option<char> = None;
        for (at, c) in s.char_indices() {
            if (!prev.is_some_and(char::is_alphanumeric) || !c.is_alphanumeric())
                && let Some((len, i)) = self.match_at(&s[at..])
            {
                return Some((at, at + len, i));
            }
            prev = Some(c);
        }
        None
    }

    /// The phrase `s` ends with (trailing whitespace ignored), as whole words: `(start, index)`.
    pub(crate) fn ends_with(&self, s: &str) -> Option<(usize, usize)> {
        let s = s.trim_end();
        let mut starts: Vec<usize> = Vec::new();
        let mut count = 0;
        for (at, _) in s.char_indices().rev() {
            starts.push(at);
            count += 1;
            if count > 40 {
                break;
            }
        }
        for at in starts.into_iter().rev() {
            let boundary = s[..at].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
            if !boundary {
                continue;
            }
            if let Some((len, i)) = self.match_at(&s[at..])
                && at + len == s.len()
            {
                return Some((at, i));
            }
        }
        None
    }
}

/// Bytes of `s` covered by phrase `p` at its start, or `None`.
fn match_one(p: &[char], s: &str) -> Option<usize> {
    let mut it = s.char_indices().peekable();
    for &pc in p {
        if pc == ' ' {
            let mut n = 0;
            while it.next_if(|&(_, c)| c.is_whitespace()).is_some() {
                n += 1;
            }
            if n == 0 {
                return None;
            }
            continue;
        }
        let (_, c) = it.next()?;
        if !lower_eq(c, pc) {
            return None;
        }
    }
    let end = it.peek().map_or(s.len(), |&(i, _)| i);
    let word_end = p.last().is_some_and(|c| c.is_alphanumeric());
    if word_end && s[end..].chars().next().is_some_and(char::is_alphanumeric) {
        return None;
    }
    Some(end)
}

/// `c` in lower case is `lower`.
fn lower_eq(c: char, lower: char) -> bool {
    if c == lower {
        return true;
    }
    let mut l = c.to_lowercase();
    l.next() == Some(lower) && l.next().is_none()
}

/// One document-type word of a citation.
#[derive(Debug, Clone)]
pub(crate) struct CitedKind {
    pub(crate) kind: String,
    /// Also cited by title alone (laws).
    pub(crate) by_title: bool,
}

/// Compiled `citations.yaml`.
#[derive(Debug, Clone)]
pub(crate) struct CitationRules {
    /// Finds a document-type word anywhere (whole word, any case).
    pub(crate) kind_word: Regex,
    /// Lower-case type word (single spaces) -> its kind.
    kinds: HashMap<String, CitedKind>,
    /// The type words as phrases (index into `kind_list`).
    pub(crate) kind_phrases: Phrases,
    kind_list: Vec<CitedKind>,
    /// `(kind, pattern)` of documents cited by a code alone.
    pub(crate) standards: Vec<(String, Regex)>,
    pub(crate) number_word: Phrases,
    pub(crate) fill_chars: Vec<char>,
    pub(crate) list_joiners: Phrases,
    /// Anchored date patterns with groups d, m, y.
    pub(crate) dates: Vec<Regex>,
    pub(crate) issuer_openers: Phrases,
    pub(crate) issuer_stops: Phrases,
    pub(crate) issuer_max_words: usize,
    pub(crate) title_lowercase_starts: Phrases,
    pub(crate) title_amending_starts: Phrases,
    pub(crate) title_stops: Phrases,
    pub(crate) title_stops_before_number: Phrases,
    pub(crate) title_subject_openers: Phrases,
    pub(crate) title_not_after: Phrases,
    pub(crate) title_max_words: usize,
    pub(crate) basis_openers: Phrases,
    pub(crate) enacting: Vec<Regex>,
    pub(crate) basis_section_titles: Phrases,
    pub(crate) own_number: Phrases,
}

impl CitationRules {
    /// The kind of a type word as matched by [`CitationRules::kind_word`].
    pub(crate) fn kind_of(&self, word: &str) -> Option<&CitedKind> {
        let key: Vec<String> = word.split_whitespace().map(str::to_lowercase).collect();
        self.kinds.get(&key.join(" "))
    }

    /// The kind of the type word `s` starts with: `(bytes, kind)`.
    pub(crate) fn kind_at(&self, s: &str) -> Option<(usize, &CitedKind)> {
        self.kind_phrases.match_at(s).map(|(len, i)| (len, &self.kind_list[i]))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    kinds: Vec<KindEntry>,
    #[serde(default)]
    standards: Vec<StandardEntry>,
    number_word: Vec<String>,
    #[serde(default)]
    fill_chars: String,
    list_joiners: Vec<String>,
    dates: Vec<String>,
    issuer: IssuerEntry,
    law_title: LawTitleEntry,
    basis: BasisEntry,
    own_number: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KindEntry {
    kind: String,
    words: Vec<String>,
    #[serde(default)]
    by_title: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StandardEntry {
    kind: String,
    pattern: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IssuerEntry {
    openers: Vec<String>,
    stops: Vec<String>,
    max_words: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LawTitleEntry {
    lowercase_starts: Vec<String>,
    amending_starts: Vec<String>,
    stops: Vec<String>,
    stops_before_number: Vec<String>,
    subject_openers: Vec<String>,
    #[serde(default)]
    not_after: Vec<String>,
    max_words: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BasisEntry {
    openers: Vec<String>,
    enacting: Vec<String>,
    section_titles: Vec<String>,
}

fn invalid(file: &str, message: impl Into<String>) -> GrammarError {
    GrammarError::Invalid { file: file.to_owned(), message: message.into() }
}

pub(super) fn compile(file: &str, yaml: &str) -> Result<CitationRules, GrammarError> {
    let f: File = super::parse(file, yaml)?;
    let mut kinds = HashMap::new();
    let mut kind_list = Vec::new();
    let mut words: Vec<String> = Vec::new();
    for k in &f.kinds {
        if k.kind.trim().is_empty() || k.words.is_empty() {
            return Err(invalid(file, format!("kinds: `{}` needs a kind and at least one word", k.kind)));
        }
        for w in &k.words {
            let key: Vec<String> = w.split_whitespace().map(str::to_lowercase).collect();
            if key.is_empty() {
                return Err(invalid(file, format!("kinds: `{}` has an empty word", k.kind)));
            }
            let cited = CitedKind { kind: k.kind.clone(), by_title: k.by_title };
            kinds.insert(key.join(" "), cited.clone());
            kind_list.push(cited);
            words.push(w.clone());
        }
    }
    let mut alternatives: Vec<&String> = words.iter().collect();
    alternatives.sort_by(|a, b| b.chars().count().cmp(&a.chars().count()).then_with(|| a.cmp(b)));
    let alternation: Vec<String> =
        alternatives.iter().map(|w| w.split_whitespace().map(regex::escape).collect::<Vec<_>>().join(r"\s+")).collect();
    let kind_word = compile_regex(file, "kinds", &format!(r"(?i)\b(?:{})\b", alternation.join("|")), false)?;
    let standards = (f.standards.iter())
        .map(|s| Ok((s.kind.clone(), compile_regex(file, "standards", &s.pattern, false)?)))
        .collect::<Result<Vec<_>, GrammarError>>()?;
    let dates = (f.dates.iter())
        .map(|p| {
            let re = compile_regex(file, "dates", &format!("(?i:{p})"), true)?;
            if ["d", "m", "y"].iter().any(|g| !re.capture_names().flatten().any(|n| n == *g)) {
                return Err(invalid(file, format!("dates: `{p}` needs the groups d, m and y")));
            }
            Ok(re)
        })
        .collect::<Result<Vec<_>, GrammarError>>()?;
    let enacting = (f.basis.enacting.iter())
        .map(|p| compile_regex(file, "basis.enacting", p, false))
        .collect::<Result<Vec<_>, GrammarError>>()?;
    if f.number_word.is_empty() || f.issuer.openers.is_empty() || f.basis.openers.is_empty() {
        return Err(invalid(file, "number_word, issuer.openers and basis.openers must not be empty"));
    }
    Ok(CitationRules {
        kind_word,
        kind_phrases: Phrases::new(&words),
        kinds,
        kind_list,
        standards,
        number_word: Phrases::new(&f.number_word),
        fill_chars: f.fill_chars.chars().collect(),
        list_joiners: Phrases::new(&f.list_joiners),
        dates,
        issuer_openers: Phrases::new(&f.issuer.openers),
        issuer_stops: Phrases::new(&f.issuer.stops),
        issuer_max_words: f.issuer.max_words.max(1),
        title_lowercase_starts: Phrases::new(&f.law_title.lowercase_starts),
        title_amending_starts: Phrases::new(&f.law_title.amending_starts),
        title_stops: Phrases::new(&f.law_title.stops),
        title_stops_before_number: Phrases::new(&f.law_title.stops_before_number),
        title_subject_openers: Phrases::new(&f.law_title.subject_openers),
        title_not_after: Phrases::new(&f.law_title.not_after),
        title_max_words: f.law_title.max_words.max(1),
        basis_openers: Phrases::new(&f.basis.openers),
        enacting,
        basis_section_titles: Phrases::new(&f.basis.section_titles),
        own_number: Phrases::new(&f.own_number),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_match_whole_words_any_case_longest_first() {
        let p = Phrases::new(&["tỷ", "tỷ đồng", "%"]);
        assert_eq!(p.match_at("Tỷ đồng, trong đó"), Some(("Tỷ đồng".len(), 1)));
        assert_eq!(p.match_at("tỷ\nđồng"), Some(("tỷ\nđồng".len(), 1)));
        assert_eq!(p.match_at("tỷlệ"), None);
        assert_eq!(p.match_at("% doanh"), Some((1, 2)));
        let s = "đạt 56 tỷ.";
        let at = s.find("tỷ").unwrap();
        assert_eq!(p.find(s), Some((at, at + "tỷ".len(), 0)));
        let c = Phrases::new(&["trên", "tối thiểu"]);
        assert_eq!(c.ends_with("đạt tối thiểu "), Some(("đạt ".len(), 1)));
        assert_eq!(c.ends_with("bên trên"), Some(("bên ".len(), 0)));
        assert_eq!(c.ends_with("ngoàitrên"), None);
    }

    #[test]
    fn embedded_rules_compile_and_map_kinds() {
        let g = crate::Grammar::embedded().expect("grammars");
        let r = &g.citations;
        assert_eq!(r.kind_of("Văn  bản").map(|k| k.kind.as_str()), Some("cong_van"));
        assert_eq!(r.kind_of("THÔNG TƯ LIÊN TỊCH").map(|k| k.kind.as_str()), Some("thong_tu"));
        assert!(r.kind_of("Luật").is_some_and(|k| k.by_title));
        assert_eq!(r.kind_word.find("theo Thông tư liên tịch số 3").map(|m| m.as_str()), Some("Thông tư liên tịch"));
    }

    #[test]
    fn bad_rules_name_the_file() {
        let err = compile("citations.yaml", "kinds: []\nbogus: 1\n").unwrap_err();
        assert!(err.to_string().contains("citations.yaml"), "{err}");
    }
}
