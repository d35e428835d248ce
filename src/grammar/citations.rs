//! `grammars/citations.yaml`: how documents cite other documents, and which citations are the
//! basis (căn cứ). Also [`Phrases`], the case-insensitive whole-word phrase matcher the citation,
//! target and budget rules share.

use std::collections::HashMap;
use std::sync::OnceLock;

use regex::{Regex, RegexBuilder};
use serde::Deserialize;

use super::{compile_regex, compile_with_groups};
use crate::error::GrammarError;
use crate::text::is_alphanumeric;

/// A set of phrases matched case-insensitively as whole words, the longest first. A space in a
/// phrase matches any run of whitespace (line breaks included).
#[derive(Debug, Clone, Default)]
pub(crate) struct Phrases {
    /// `(lower-case chars with single spaces, index in the list given to `new`)`, longest first.
    items: Vec<(Vec<char>, usize)>,
    /// Lower-case first char -> positions in `items` (ascending, so longest first): `match_at`
    /// only tries the phrases that can start at the char it sees.
    by_first: HashMap<char, Vec<usize>>,
    /// Finds where a phrase may start, boundaries not checked, built on first use. A plain
    /// case-insensitive alternation runs on the regex crate's DFA; word boundaries (`\b`) would
    /// push it onto the much slower NFA simulation on Vietnamese text.
    candidates: OnceLock<Option<Regex>>,
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
        let mut by_first: HashMap<char, Vec<usize>> = HashMap::new();
        for (k, (chars, _)) in items.iter().enumerate() {
            by_first.entry(chars[0]).or_default().push(k);
        }
        Phrases { items, by_first, candidates: OnceLock::new() }
    }

    /// The longest phrase `s` starts with: `(bytes of s it covers, its index in the list)`.
    pub(crate) fn match_at(&self, s: &str) -> Option<(usize, usize)> {
        // Phrases are lower case, and `match_one` compares a char by its one-char lower case.
        let c = s.chars().next()?;
        let mut lower = c.to_lowercase();
        let key = match (lower.next(), lower.next()) {
            (Some(l), None) => l,
            _ => c,
        };
        self.by_first.get(&key)?.iter().find_map(|&k| {
            let (p, i) = &self.items[k];
            match_one(p, s).map(|len| (len, *i))
        })
    }

    /// The leftmost phrase found in `s` as whole words: `(start, end, index)`.
    pub(crate) fn find(&self, s: &str) -> Option<(usize, usize, usize)> {
        self.find_at(s, 0)
    }

    /// [`Phrases::find`] from byte `pos` of `s` on (what precedes `pos` still counts for the
    /// word boundary).
    pub(crate) fn find_at(&self, s: &str, mut pos: usize) -> Option<(usize, usize, usize)> {
        let Some(re) = self.candidates.get_or_init(|| self.candidate_regex()) else {
            return self.find_by_char(s, pos);
        };
        while pos <= s.len() {
            let m = re.find_at(s, pos)?;
            let at = m.start();
            let prev = s[..at].chars().next_back();
            let c = s[at..].chars().next();
            let boundary = !prev.is_some_and(is_alphanumeric) || !c.is_some_and(is_alphanumeric);
            if boundary && let Some((len, i)) = self.match_at(&s[at..]) {
                return Some((at, at + len, i));
            }
            pos = at + c.map_or(1, char::len_utf8);
        }
        None
    }

    /// [`Phrases::find_at`] trying every char position: the fallback without a regex.
    fn find_by_char(&self, s: &str, pos: usize) -> Option<(usize, usize, usize)> {
        let mut prev: Option<char> = s[..pos].chars().next_back();
        for (at, c) in s[pos..].char_indices() {
            let at = pos + at;
            if (!prev.is_some_and(is_alphanumeric) || !is_alphanumeric(c))
                && let Some((len, i)) = self.match_at(&s[at..])
            {
                return Some((at, at + len, i));
            }
            prev = Some(c);
        }
        None
    }

    /// `(?i)` alternation of every phrase, spaces as `\s+`; `None` for an empty set.
    fn candidate_regex(&self) -> Option<Regex> {
        if self.items.is_empty() {
            return None;
        }
        let alternation: Vec<String> = (self.items.iter())
            .map(|(p, _)| {
                let p: String = p.iter().collect();
                p.split(' ').map(regex::escape).collect::<Vec<_>>().join(r"\s+")
            })
            .collect();
        // Built from escaped literals, so it compiles; a size limit is the only way to fail,
        // and then `find_at` falls back to trying every position.
        RegexBuilder::new(&format!("(?i:{})", alternation.join("|"))).size_limit(1 << 24).build().ok()
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
            let boundary = s[..at].chars().next_back().is_none_or(|c| !is_alphanumeric(c));
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
    let word_end = p.last().is_some_and(|&c| is_alphanumeric(c));
    if word_end && s[end..].chars().next().is_some_and(is_alphanumeric) {
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
    /// Lower case: the words of the types cited by title ("bộ", "luật") and the year word.
    pub(crate) title_kind_words: Vec<String>,
    pub(crate) title_year_word: String,
    /// Lower case.
    pub(crate) and_word: String,
    pub(crate) basis_openers: Phrases,
    pub(crate) enacting: Vec<Regex>,
    pub(crate) basis_section_titles: Phrases,
    pub(crate) own_number: Phrases,
}

impl CitationRules {
    /// The first document-type word (whole word, any case) at or after byte `pos` of `s`:
    /// `(start, end, kind)`.
    pub(crate) fn find_kind(&self, s: &str, pos: usize) -> Option<(usize, usize, &CitedKind)> {
        self.kind_phrases.find_at(s, pos).map(|(start, end, i)| (start, end, &self.kind_list[i]))
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
    and_word: String,
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
    year_word: String,
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
    let mut kind_list = Vec::new();
    let mut words: Vec<String> = Vec::new();
    for k in &f.kinds {
        if k.kind.trim().is_empty() || k.words.is_empty() {
            return Err(invalid(file, format!("kinds: `{}` needs a kind and at least one word", k.kind)));
        }
        for w in &k.words {
            if w.trim().is_empty() {
                return Err(invalid(file, format!("kinds: `{}` has an empty word", k.kind)));
            }
            let cited = CitedKind { kind: k.kind.clone(), by_title: k.by_title };
            kind_list.push(cited);
            words.push(w.clone());
        }
    }
    let standards = (f.standards.iter())
        .map(|s| Ok((s.kind.clone(), compile_regex(file, "standards", &s.pattern, false)?)))
        .collect::<Result<Vec<_>, GrammarError>>()?;
    let dates = (f.dates.iter())
        .map(|p| compile_with_groups(file, "dates", &format!("(?i:{p})"), true, &["d", "m", "y"]))
        .collect::<Result<Vec<_>, GrammarError>>()?;
    let enacting = (f.basis.enacting.iter())
        .map(|p| compile_regex(file, "basis.enacting", p, false))
        .collect::<Result<Vec<_>, GrammarError>>()?;
    if f.number_word.is_empty() || f.issuer.openers.is_empty() || f.basis.openers.is_empty() {
        return Err(invalid(file, "number_word, issuer.openers and basis.openers must not be empty"));
    }
    let mut title_kind_words: Vec<String> = Vec::new();
    for (w, k) in words.iter().zip(&kind_list) {
        for word in w.split_whitespace().map(str::to_lowercase) {
            if k.by_title && !title_kind_words.contains(&word) {
                title_kind_words.push(word);
            }
        }
    }
    Ok(CitationRules {
        kind_phrases: Phrases::new(&words),
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
        title_kind_words,
        title_year_word: f.law_title.year_word.trim().to_lowercase(),
        and_word: f.and_word.trim().to_lowercase(),
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
        let kind = |s: &'static str| r.find_kind(s, 0).map(|(a, b, k)| (&s[a..b], k.kind.clone(), k.by_title));
        assert_eq!(kind("Văn  bản"), Some(("Văn  bản", "cong_van".into(), false)));
        assert_eq!(kind("THÔNG TƯ LIÊN TỊCH"), Some(("THÔNG TƯ LIÊN TỊCH", "thong_tu".into(), false)));
        assert!(kind("Luật").is_some_and(|k| k.2));
        assert_eq!(kind("theo Thông tư liên tịch số 3"), Some(("Thông tư liên tịch", "thong_tu".into(), false)));
        // Whole words only, the longest at the leftmost start.
        assert_eq!(kind("Luậtsư và Nghị định 5"), Some(("Nghị định", "nghi_dinh".into(), false)));
        assert_eq!(kind("ĐLuật"), None);
    }

    #[test]
    fn find_at_checks_the_boundary_before_pos() {
        let p = Phrases::new(&["tỷ", "tỷ lệ"]);
        let s = "xtỷ tỷ\nlệ";
        assert_eq!(p.find_at(s, 1), Some((s.rfind("tỷ").unwrap(), s.len(), 1)));
        assert_eq!(p.find_at("tỷ", 3), None);
        assert_eq!(Phrases::new::<&str>(&[]).find("tỷ"), None);
    }

    #[test]
    fn bad_rules_name_the_file() {
        let err = compile("citations.yaml", "kinds: []\nbogus: 1\n").unwrap_err();
        assert!(err.to_string().contains("citations.yaml"), "{err}");
    }
}
