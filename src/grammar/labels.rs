//! `grammars/labels.yaml`: field labels and cue words of tasks, responsibilities, recipients
//! and signatures.

use std::collections::BTreeMap;

use regex_syntax::hir::{ClassUnicode, ClassUnicodeRange};
use serde::Deserialize;

use crate::error::GrammarError;
use crate::text::lower_fast;

/// Which field of a task a label introduces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TaskField {
    Lead,
    Partners,
    Timeline,
    Budget,
    Result,
}

/// Whether a line may start with a task label, asked before lower-casing the line. Made once
/// with the grammar: tasks and responsibilities ask it of every document.
#[derive(Debug, Clone)]
pub(crate) struct LabelStarts {
    /// The labels by their first char.
    by_first: Vec<(char, Vec<String>)>,
    /// A label holds σ or ς (see [`LabelStarts::may_start`]).
    sigma: bool,
    /// No label holds a colon, σ or ς: a label followed by a colon ends at the first colon of a
    /// line, and is found in the lower case of the line up to there.
    before_colon: bool,
}

impl LabelStarts {
    pub(crate) fn new(labels: &[(TaskField, String)]) -> Self {
        let sigma = labels.iter().any(|(_, l)| l.contains(['σ', 'ς']));
        let mut by_first: Vec<(char, Vec<String>)> = Vec::new();
        for (_, l) in labels {
            let Some(first) = l.chars().next() else { continue };
            match by_first.iter_mut().find(|(c, _)| *c == first) {
                Some((_, group)) => group.push(l.clone()),
                None => by_first.push((first, vec![l.clone()])),
            }
        }
        let before_colon = !labels.iter().any(|(_, l)| l.contains([':', 'σ', 'ς']));
        LabelStarts { by_first, sigma, before_colon }
    }

    /// See the field `before_colon`.
    pub(crate) fn end_before_colon(&self) -> bool {
        self.before_colon
    }

    /// False when `to_lower(s)` starts with none of the labels (lower case). The start of `s`
    /// is lower-cased char by char, as far as it is compared with a label of its first char;
    /// that differs from the whole-string lower case only at "Σ" (σ or ς by its context), so
    /// labels holding either give every line the benefit of the doubt.
    pub(crate) fn may_start(&self, s: &str) -> bool {
        if self.sigma {
            return true;
        }
        let Some(c) = s.chars().next() else { return false };
        let first = lower_fast(c).or_else(|| c.to_lowercase().next());
        let Some((_, labels)) = self.by_first.iter().find(|(c, _)| Some(*c) == first) else { return false };
        labels.iter().any(|l| starts_with_lower(s, l))
    }
}

/// `s`, lower-cased char by char, starts with `label`.
fn starts_with_lower(s: &str, label: &str) -> bool {
    let mut label = label.chars();
    for c in s.chars() {
        match lower_fast(c) {
            Some(l) => {
                let Some(want) = label.next() else { return true };
                if l != want {
                    return false;
                }
            }
            None => {
                for l in c.to_lowercase() {
                    let Some(want) = label.next() else { return true };
                    if l != want {
                        return false;
                    }
                }
            }
        }
    }
    label.next().is_none()
}

/// Compiled `labels.yaml`. Labels and cues are kept lower case for matching.
#[derive(Debug, Clone)]
pub(crate) struct Labels {
    /// `(field, label)`, longest label first.
    pub(crate) task_fields: Vec<(TaskField, String)>,
    /// Whether a line may start with one of `task_fields`.
    pub(crate) task_label_starts: LabelStarts,
    pub(crate) lead_cue: String,
    /// Finds `lead_cue` in any case: a cheap test before a line is lower-cased.
    pub(crate) lead_cue_finder: Caseless,
    pub(crate) assign_cues: Vec<String>,
    /// Lower case.
    pub(crate) passive_subject_ends: Vec<String>,
    pub(crate) partner_cues: Vec<String>,
    pub(crate) work_verbs: Vec<String>,
    /// Finds every occurrence of every work verb in one pass; `None` when a verb may overlap
    /// itself (then found verb by verb, as a string search does, one occurrence after another).
    pub(crate) work_verb_finder: Option<aho_corasick::AhoCorasick>,
    /// Lower case, each with the space that follows it: a work verb right after one is a noun.
    pub(crate) work_verb_noun_markers: Vec<String>,
    /// Regexes capturing `agency`, anchored at the start.
    pub(crate) responsibility_title_patterns: Vec<TitlePattern>,
    /// Finds " <verb>" of `responsibility_verbs` in any case: a cheap test before a heading is
    /// lower-cased.
    pub(crate) responsibility_verb_finder: regex::Regex,
    /// " <verb>" of each of `responsibility_verbs`, in their order, to find in a lower-cased
    /// heading.
    pub(crate) responsibility_verb_spaced: Vec<memchr::memmem::Finder<'static>>,
    pub(crate) not_agency_words: Vec<String>,
    pub(crate) recipient_item_prefixes: Vec<String>,
    pub(crate) signed_marks: Vec<String>,
    /// `(as printed in capitals, how to write it)`, longest first.
    pub(crate) positions: Vec<(String, String)>,
    pub(crate) authority_positions: Vec<String>,
    pub(crate) title_stops: Vec<String>,
}

/// A heading pattern anchored at the start, and how a match can begin: every section's heading
/// is tried, and most are ruled out by their first bytes before the regex engine is set up.
#[derive(Debug, Clone)]
pub(crate) struct TitlePattern {
    re: regex::Regex,
    /// By first byte, the first bytes (at most [`PREFIX_BYTES`]) of the prefixes a match begins
    /// with; `None` when the pattern does not tell.
    starts: Option<Vec<Vec<Box<[u8]>>>>,
}

/// How many first bytes of a match [`TitlePattern`] looks at.
const PREFIX_BYTES: usize = 4;

impl TitlePattern {
    fn new(re: regex::Regex) -> Self {
        // Every match begins with one of the prefixes, when they are finitely many.
        let prefixes =
            regex_syntax::parse(re.as_str()).map(|hir| regex_syntax::hir::literal::Extractor::new().extract(&hir));
        let mut starts = None;
        if let Ok(prefixes) = prefixes
            && let Some(literals) = prefixes.literals()
            && literals.iter().all(|l| !l.as_bytes().is_empty())
        {
            let mut by_first: Vec<Vec<Box<[u8]>>> = vec![Vec::new(); 256];
            for l in literals {
                let b = l.as_bytes();
                let start: Box<[u8]> = b[..b.len().min(PREFIX_BYTES)].into();
                let group = &mut by_first[usize::from(b[0])];
                if !group.contains(&start) {
                    group.push(start);
                }
            }
            starts = Some(by_first);
        }
        TitlePattern { re, starts }
    }

    /// The match at the start of `s` and its groups.
    pub(crate) fn captures<'h>(&self, s: &'h str) -> Option<regex::Captures<'h>> {
        if let Some(starts) = &self.starts {
            let b = s.as_bytes();
            let &first = b.first()?;
            if !starts[usize::from(first)].iter().any(|p| b.starts_with(p)) {
                return None;
            }
        }
        // (Most headings match no pattern: is_match spares them the capture slots.)
        self.re.is_match(s).then(|| self.re.captures(s)).flatten()
    }
}

/// Finds a phrase in any case, as the regex `(?i:phrase)` does (every char stands for its
/// simple case folds). When the spellings are few, they are searched for as plain strings
/// (aho-corasick): the regex engine does not extract that many literals, and falls back to
/// scanning every byte with its automaton.
#[derive(Debug, Clone)]
pub(crate) struct Caseless {
    spellings: Option<aho_corasick::AhoCorasick>,
    re: regex::Regex,
}

/// Most spellings searched for as strings.
const MAX_SPELLINGS: usize = 256;

impl Caseless {
    fn new(file: &str, what: &str, phrase: &str) -> Result<Self, GrammarError> {
        let re = super::compile_regex(file, what, &format!("(?i:{})", regex::escape(phrase)), false)?;
        let mut spellings = vec![String::new()];
        for c in phrase.chars() {
            let mut class = ClassUnicode::new([ClassUnicodeRange::new(c, c)]);
            class.case_fold_simple();
            let forms: Vec<char> = class.iter().flat_map(|r| r.start()..=r.end()).collect();
            if spellings.len() * forms.len() > MAX_SPELLINGS {
                return Ok(Caseless { spellings: None, re });
            }
            spellings = spellings.iter().flat_map(|s| forms.iter().map(move |f| format!("{s}{f}"))).collect();
        }
        let spellings = aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostFirst)
            .build(&spellings)
            .ok()
            .filter(|_| !phrase.is_empty());
        Ok(Caseless { spellings, re })
    }

    /// `(start, end)` of the matches in `hay`, leftmost first, not overlapping.
    pub(crate) fn find_all(&self, hay: &str) -> Vec<(usize, usize)> {
        match &self.spellings {
            Some(ac) => ac.find_iter(hay).map(|m| (m.start(), m.end())).collect(),
            None => self.re.find_iter(hay).map(|m| (m.start(), m.end())).collect(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    task_fields: TaskFields,
    lead_cue: String,
    assign_cues: Vec<String>,
    passive_subject_ends: Vec<String>,
    partner_cues: Vec<String>,
    work_verbs: Vec<String>,
    work_verb_noun_markers: Vec<String>,
    responsibility_title_patterns: Vec<String>,
    responsibility_verbs: Vec<String>,
    not_agency_words: Vec<String>,
    recipient_item_prefixes: Vec<String>,
    signed_marks: Vec<String>,
    positions: BTreeMap<String, String>,
    authority_positions: Vec<String>,
    title_stops: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TaskFields {
    lead: Vec<String>,
    partners: Vec<String>,
    timeline: Vec<String>,
    budget: Vec<String>,
    result: Vec<String>,
}

fn lower(v: Vec<String>) -> Vec<String> {
    let mut v: Vec<String> = v.into_iter().map(|s| s.trim().to_lowercase()).filter(|s| !s.is_empty()).collect();
    v.sort_by(|a, b| b.chars().count().cmp(&a.chars().count()).then_with(|| a.cmp(b)));
    v
}

pub(super) fn compile(file: &str, yaml: &str) -> Result<Labels, GrammarError> {
    let f: File = super::parse(file, yaml)?;
    let mut task_fields = Vec::new();
    for (field, labels) in [
        (TaskField::Lead, f.task_fields.lead),
        (TaskField::Partners, f.task_fields.partners),
        (TaskField::Timeline, f.task_fields.timeline),
        (TaskField::Budget, f.task_fields.budget),
        (TaskField::Result, f.task_fields.result),
    ] {
        task_fields.extend(lower(labels).into_iter().map(|l| (field, l)));
    }
    task_fields.sort_by(|a, b| b.1.chars().count().cmp(&a.1.chars().count()).then_with(|| a.1.cmp(&b.1)));
    if f.lead_cue.trim().is_empty() {
        return Err(GrammarError::Invalid { file: file.to_owned(), message: "lead_cue must not be empty".into() });
    }
    let mut responsibility_title_patterns = Vec::new();
    for p in &f.responsibility_title_patterns {
        responsibility_title_patterns.push(TitlePattern::new(super::compile_with_groups(
            file,
            "responsibility_title_patterns",
            p,
            true,
            &["agency"],
        )?));
    }
    let mut positions: Vec<(String, String)> = f.positions.into_iter().collect();
    positions.sort_by(|a, b| b.0.chars().count().cmp(&a.0.chars().count()).then_with(|| a.0.cmp(&b.0)));
    let lead_cue = f.lead_cue.trim().to_lowercase();
    let lead_cue_finder = Caseless::new(file, "lead_cue", &lead_cue)?;
    let responsibility_verbs = lower(f.responsibility_verbs);
    let verbs: Vec<String> = responsibility_verbs.iter().map(|v| regex::escape(&format!(" {v}"))).collect();
    let responsibility_verb_finder =
        super::compile_regex(file, "responsibility_verbs", &format!("(?i:{})", verbs.join("|")), false)?;
    let responsibility_verb_spaced =
        responsibility_verbs.iter().map(|v| memchr::memmem::Finder::new(&format!(" {v}")).into_owned()).collect();
    let work_verbs = lower(f.work_verbs);
    let work_verb_finder = if work_verbs.iter().any(|v| overlaps_itself(v)) {
        None
    } else {
        aho_corasick::AhoCorasick::new(&work_verbs).ok()
    };
    Ok(Labels {
        task_label_starts: LabelStarts::new(&task_fields),
        task_fields,
        lead_cue,
        lead_cue_finder,
        assign_cues: f.assign_cues,
        passive_subject_ends: lower(f.passive_subject_ends),
        partner_cues: lower(f.partner_cues),
        work_verbs,
        work_verb_finder,
        work_verb_noun_markers: lower(f.work_verb_noun_markers).into_iter().map(|m| m + " ").collect(),
        responsibility_title_patterns,
        responsibility_verb_finder,
        responsibility_verb_spaced,
        not_agency_words: lower(f.not_agency_words),
        recipient_item_prefixes: f.recipient_item_prefixes,
        signed_marks: f.signed_marks,
        positions,
        authority_positions: f.authority_positions,
        title_stops: f.title_stops,
    })
}

/// Some proper prefix of `s` is also its suffix (empty `s` counts too): two occurrences may
/// overlap, and all occurrences are more than a left-to-right search finds.
fn overlaps_itself(s: &str) -> bool {
    let b = s.as_bytes();
    b.is_empty() || (1..b.len()).any(|k| b[..k] == b[b.len() - k..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caseless_phrases_are_found_as_the_regex_finds_them() {
        let cue = Caseless::new("t", "t", "chủ trì").expect("compiles");
        assert!(cue.spellings.is_some());
        let hay = "Sở X CHỦ TRÌ, Chủ Trì; chủ trìnhx cHủ tRì chủ  trì \u{212a}";
        let re = regex::Regex::new("(?i:chủ trì)").expect("regex");
        let expected: Vec<(usize, usize)> = re.find_iter(hay).map(|m| (m.start(), m.end())).collect();
        assert_eq!(cue.find_all(hay), expected);
        assert_eq!(expected.len(), 4);
        // The Kelvin sign is a spelling of "k".
        let k = Caseless::new("t", "t", "kế").expect("compiles");
        assert_eq!(k.find_all("\u{212a}Ế"), [(0, 6)]);
    }

    #[test]
    fn verbs_that_may_overlap_themselves() {
        assert!(overlaps_itself("aba") && overlaps_itself("aa") && overlaps_itself(""));
        assert!(!overlaps_itself("tổ chức") && !overlaps_itself("a") && !overlaps_itself("ab"));
    }

    #[test]
    fn title_patterns_know_how_a_match_begins() {
        let re = |p: &str| super::super::compile_regex("t", "t", p, true).expect("regex");
        let p = TitlePattern::new(re(r"(?i:đối với)\s+(?P<agency>.+)"));
        let starts = p.starts.as_ref().expect("literal prefixes");
        let firsts: Vec<usize> = (0..256).filter(|&b| !starts[b].is_empty()).collect();
        assert_eq!(firsts, [usize::from("đ".as_bytes()[0])], "Đ and đ share their first byte");
        assert!(p.captures("ĐỐI VỚI Sở Tài chính").is_some());
        assert!(p.captures("Đối với Sở Tài chính").is_some());
        assert!(p.captures("Mục tiêu").is_none());
        assert!(p.captures("Đào tạo").is_none());
        assert!(p.captures("").is_none());
        let any = TitlePattern::new(re(r"\w*x"));
        assert!(any.starts.is_none());
        assert!(any.captures("abx").is_some());
    }
}
