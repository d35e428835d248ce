//! One search to tell which of a group of grammar patterns can match a line.
//!
//! The layout and segment stages try a dozen patterns of the grammar on every line (letterhead,
//! closing block, heading schemes), and most lines match none. Trying them one by one costs a regex
//! call each, and a pattern with a Unicode word boundary (`\b`) costs far more on Vietnamese text:
//! the regex crate's DFAs give up on `\b` next to a non-ASCII byte and the slower engines run
//! instead. A [`Gate`] puts a relaxed copy of every pattern anchored at the start of the line (its
//! Unicode word boundaries dropped, which only lets it match more) in one multi-pattern regex,
//! which the DFAs handle; only the patterns whose copy matched, and whose copy is not the pattern
//! itself, are then tried themselves. Patterns that are not anchored (they search the whole line)
//! or cannot be relaxed are tried themselves, but only when the line holds one of the literals
//! their matches start with (derived from the patterns, found by one Aho-Corasick search). Nothing
//! here knows what the patterns say: the grammars stay data.

use std::cell::RefCell;

use aho_corasick::AhoCorasick;
use regex::Regex;
use regex_automata::meta;
use regex_automata::{Input, MatchKind, PatternSet};
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::{Hir, HirKind, Look, LookSet, Repetition};

/// Groups of a gate, as a bit set: bit `i` for group `i`. With more than 64 groups every group
/// past the 64th is always in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Hits(u64);

impl Hits {
    /// No group.
    pub(crate) const NONE: Hits = Hits(0);

    /// Group `i` is in.
    pub(crate) fn has(self, i: usize) -> bool {
        i >= 64 || self.0 >> i & 1 == 1
    }
}

/// The gates of the layout and segment stages.
#[derive(Debug, Clone)]
pub(crate) struct Gates {
    /// Groups [`RECIPIENTS`], [`CAPACITY`], [`LETTERHEAD`], [`ATTACHED`].
    pub(crate) blocks: Gate,
    /// Group [`BULLETS`], then heading scheme `i` as group `i + 1`.
    pub(crate) headings: Gate,
}

pub(crate) const RECIPIENTS: usize = 0;
pub(crate) const CAPACITY: usize = 1;
pub(crate) const LETTERHEAD: usize = 2;
pub(crate) const ATTACHED: usize = 3;
pub(crate) const BULLETS: usize = 0;

impl Gates {
    pub(crate) fn new(blocks: &super::Blocks, doc_types: &super::DocTypes, headings: &super::Headings) -> Gates {
        let mut heading_groups: Vec<&[Regex]> = vec![&headings.bullets];
        heading_groups.extend(headings.schemes.iter().map(|s| std::slice::from_ref(&s.pattern)));
        Gates {
            blocks: Gate::new(&[
                &blocks.recipients_labels,
                &blocks.capacity,
                &blocks.letterhead,
                &doc_types.appendix_attached,
            ]),
            headings: Gate::new(&heading_groups),
        }
    }
}

/// A group of patterns tried as one; see the module documentation.
#[derive(Debug, Clone)]
pub(crate) struct Gate {
    /// `(group, pattern)` for every pattern.
    patterns: Vec<(usize, Regex)>,
    /// The relaxed copies of the anchored patterns, searched as one (every member that matches).
    set: Option<meta::Regex>,
    /// For each member of `set`: the index in `patterns`, and whether the copy is the pattern
    /// itself (a hit is a match).
    members: Vec<(usize, bool)>,
    /// Indexes in `patterns` of the patterns outside `set`.
    rest: Vec<usize>,
    /// Every match of a pattern of `rest` starts with one of these literals (derived from the
    /// patterns): a line holding none of them matches none of `rest`, told by one literal
    /// search instead of a regex search per pattern. `None` when some pattern has no such
    /// finite set.
    rest_prefixes: Option<AhoCorasick>,
}

thread_local! {
    /// The members of a gate's set that matched, reused by every search on the thread (the
    /// `regex` crate's set API allocates one per search).
    static SET_HITS: RefCell<PatternSet> = RefCell::new(PatternSet::new(0));
}

impl Gate {
    /// A gate over `groups` of patterns (each group matches when one of its patterns does).
    pub(crate) fn new(groups: &[&[Regex]]) -> Gate {
        let patterns: Vec<(usize, Regex)> =
            groups.iter().enumerate().flat_map(|(g, rs)| rs.iter().map(move |r| (g, r.clone()))).collect();
        let mut relaxed = Vec::new();
        let mut members = Vec::new();
        let mut rest = Vec::new();
        for (i, (_, r)) in patterns.iter().enumerate() {
            match relax(r.as_str()) {
                Some((copy, exact)) => {
                    relaxed.push(copy);
                    members.push((i, exact));
                }
                None => rest.push(i),
            }
        }
        let set = if relaxed.is_empty() {
            None
        } else {
            meta::Regex::builder().configure(meta::Regex::config().match_kind(MatchKind::All)).build_many(&relaxed).ok()
        };
        if set.is_none() {
            members.clear();
            rest = (0..patterns.len()).collect();
        }
        let rest_prefixes = if rest.is_empty() {
            None
        } else {
            let prefixes: Option<Vec<Vec<Vec<u8>>>> =
                rest.iter().map(|&i| match_prefixes(patterns[i].1.as_str())).collect();
            prefixes.and_then(|p| AhoCorasick::new(p.into_iter().flatten()).ok())
        };
        Gate { patterns, set, members, rest, rest_prefixes }
    }

    /// The groups that may match `line`: every group that does, and maybe more.
    pub(crate) fn candidates(&self, line: &str) -> Hits {
        self.scan(line, false)
    }

    /// The groups that match `line`.
    pub(crate) fn matches(&self, line: &str) -> Hits {
        self.scan(line, true)
    }

    fn scan(&self, line: &str, exact: bool) -> Hits {
        let mut bits = 0u64;
        let add = |bits: &mut u64, group: usize| {
            if group < 64 {
                *bits |= 1 << group;
            }
        };
        if let Some(set) = &self.set {
            SET_HITS.with_borrow_mut(|hits| {
                if hits.capacity() < self.members.len() {
                    *hits = PatternSet::new(self.members.len());
                }
                hits.clear();
                set.which_overlapping_matches(&Input::new(line), hits);
                for member in hits.iter() {
                    let (i, is_exact) = self.members[member.as_usize()];
                    let (group, re) = &self.patterns[i];
                    if !exact || is_exact || re.is_match(line) {
                        add(&mut bits, *group);
                    }
                }
            });
        }
        if self.rest_prefixes.as_ref().is_some_and(|p| !p.is_match(line)) {
            return Hits(bits);
        }
        for &i in &self.rest {
            let (group, re) = &self.patterns[i];
            if !Hits(bits).has(*group) && re.is_match(line) {
                add(&mut bits, *group);
            }
        }
        Hits(bits)
    }
}

/// A copy of `pattern` for the set, if it is anchored at the start: Unicode word boundaries
/// dropped and groups made non-capturing. Also whether the copy matches exactly what the
/// pattern does (it had no Unicode word boundary).
fn relax(pattern: &str) -> Option<(String, bool)> {
    let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
    if !hir.properties().look_set_prefix().contains(Look::Start) {
        return None;
    }
    let exact = !hir.properties().look_set().contains_word_unicode();
    Some((drop_word_unicode(&hir).to_string(), exact))
}

/// Literals one of which every match of `pattern` starts with, if there is a finite set of
/// them and none is empty.
fn match_prefixes(pattern: &str) -> Option<Vec<Vec<u8>>> {
    let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
    let mut seq = Extractor::new().kind(ExtractKind::Prefix).extract(&hir);
    seq.optimize_for_prefix_by_preference();
    let literals = seq.literals()?;
    if literals.is_empty() || literals.iter().any(|l| l.is_empty()) {
        return None;
    }
    Some(literals.iter().map(|l| l.as_bytes().to_vec()).collect())
}

/// `hir` without Unicode word-boundary assertions and captures. Dropping an assertion only
/// lets more text match, never less.
pub(super) fn drop_word_unicode(hir: &Hir) -> Hir {
    match hir.kind() {
        HirKind::Look(look) if LookSet::singleton(*look).contains_word_unicode() => Hir::empty(),
        HirKind::Capture(c) => drop_word_unicode(&c.sub),
        HirKind::Concat(subs) => Hir::concat(subs.iter().map(drop_word_unicode).collect()),
        HirKind::Alternation(subs) => Hir::alternation(subs.iter().map(drop_word_unicode).collect()),
        HirKind::Repetition(rep) => {
            Hir::repetition(Repetition { sub: Box::new(drop_word_unicode(&rep.sub)), ..rep.clone() })
        }
        _ => hir.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn re(p: &str) -> Regex {
        Regex::new(p).unwrap()
    }

    #[test]
    fn word_boundaries_are_relaxed_anchored_patterns_only() {
        assert_eq!(relax(r"^(?P<num>\d+)\s"), Some((relax(r"^(\d+)\s").unwrap().0, true)));
        let (copy, exact) = relax(r"^(?i:kèm theo)\b").unwrap();
        assert!(!exact && !copy.contains(r"\b"), "{copy}");
        assert_eq!(relax(r"cộng hòa\b"), None);
        assert_eq!(relax(r"(?:^a|b)"), None);
    }

    #[test]
    fn gate_agrees_with_the_patterns() {
        let a = [re(r"^(?i:kèm theo)\b"), re(r"^\d+\.")];
        let b = [re(r"độc lập"), re(r"^(?:SỞ|BỘ)\b[^a-z]*$")];
        let c = [re(r"^(?P<x>x)")];
        let gate = Gate::new(&[&a, &b, &c]);
        for line in ["Kèm theo", "kèm theoX", "Kèm theo ạ", "12. Mục", "x Độc lập độc lập", "SỞ Y TẾ", "SỞa", "BỘ", ""]
        {
            let m = gate.matches(line);
            let cands = gate.candidates(line);
            for (g, rs) in [&a[..], &b[..], &c[..]].iter().enumerate() {
                let expect = rs.iter().any(|r| r.is_match(line));
                assert_eq!(m.has(g), expect, "{line:?} group {g}");
                assert!(!expect || cands.has(g), "{line:?} group {g}");
            }
        }
    }
}
