//! One search to tell which of a group of grammar patterns can match a line.
//!
//! The layout and segment stages try a dozen patterns of the grammar on every line (letterhead,
//! closing block, heading schemes), and most lines match none. Trying them one by one costs a regex
//! call each, and a pattern with a Unicode word boundary (`\b`) costs far more on Vietnamese text:
//! the regex crate's DFAs give up on `\b` next to a non-ASCII byte and the slower engines run
//! instead. A [`Gate`] puts a relaxed copy of every pattern anchored at the start of the line (its
//! Unicode word boundaries dropped, which only lets it match more) in one lazy DFA, walked byte
//! by byte from the start of the line until every pattern has failed (a few bytes, mostly);
//! only the patterns whose copy matched, and whose copy is not the pattern itself, are then
//! tried themselves. Patterns that are not anchored (they search the whole line) are walked the
//! same way, from each place in the line where one of the literals their matches start with
//! starts (derived from the patterns, found by Aho-Corasick), or tried themselves when there
//! are no such literals. Nothing here knows what the patterns say: the grammars stay data.

use std::panic::{RefUnwindSafe, UnwindSafe};

use aho_corasick::AhoCorasick;
use regex::Regex;
use regex_automata::hybrid::dfa::{Cache, DFA};
use regex_automata::nfa::thompson::{self, WhichCaptures};
use regex_automata::util::pool::Pool;
use regex_automata::{Anchored, Input, MatchKind};
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

    fn add(&mut self, group: usize) {
        if group < 64 {
            self.0 |= 1 << group;
        }
    }
}

/// The gates of the layout and segment stages.
#[derive(Debug, Clone)]
pub(crate) struct Gates {
    /// Groups [`RECIPIENTS`], [`CAPACITY`], [`ATTACHED`]: asked of every line.
    pub(crate) blocks: Gate,
    /// The letterhead patterns, one group: asked of fewer lines, and costlier (some search the
    /// whole line).
    pub(crate) letterhead: Gate,
    /// Group [`BULLETS`], then heading scheme `i` as group `i + 1`.
    pub(crate) headings: Gate,
}

pub(crate) const RECIPIENTS: usize = 0;
pub(crate) const CAPACITY: usize = 1;
pub(crate) const ATTACHED: usize = 2;
pub(crate) const BULLETS: usize = 0;

impl Gates {
    pub(crate) fn new(blocks: &super::Blocks, doc_types: &super::DocTypes, headings: &super::Headings) -> Gates {
        let mut heading_groups: Vec<&[Regex]> = vec![&headings.bullets];
        heading_groups.extend(headings.schemes.iter().map(|s| std::slice::from_ref(&s.pattern)));
        Gates {
            blocks: Gate::new(&[&blocks.recipients_labels, &blocks.capacity, &doc_types.appendix_attached]),
            letterhead: Gate::new(&[&blocks.letterhead]),
            headings: Gate::new(&heading_groups),
        }
    }
}

/// A group of patterns tried as one; see the module documentation.
#[derive(Debug, Clone)]
pub(crate) struct Gate {
    /// `(group, pattern)` for every pattern.
    patterns: Vec<(usize, Regex)>,
    /// The relaxed copies of the anchored patterns, walked as one from the start of the line.
    set: Option<Walker>,
    /// By first byte of a line: whether the walk of `set` may go past it (false: the DFA is
    /// dead after that byte, no member matches). Most lines of most gates are told so from
    /// their first byte, without setting up a walk.
    set_firsts: [bool; 256],
    /// For each member of `set`: the index in `patterns`, and whether the copy is the pattern
    /// itself (a hit is a match).
    members: Vec<(usize, bool)>,
    /// Indexes in `patterns` of the patterns outside `set`.
    rest: Vec<usize>,
    /// Every match of a pattern of `rest` starts with one of these literals (derived from the
    /// patterns): a line holding none of them matches none of `rest`, told by one literal
    /// search instead of a regex search per pattern. `None` when some pattern has no such
    /// finite set.
    rest_prefixes: Option<Starts>,
    /// With `rest_prefixes`: relaxed copies of the patterns of `rest`, walked from each place a
    /// literal starts (a match can start nowhere else), and their members as for `set`.
    rest_set: Option<(Walker, Vec<(usize, bool)>)>,
    /// For each group, the bytes a line it matches can start with, when that is known: every
    /// pattern of the group anchored at the start, every match of it starting with one of a
    /// finite set of literals (derived from the patterns). `None`: any byte.
    firsts: Vec<Option<[bool; 256]>>,
}

impl Gate {
    /// A gate over `groups` of patterns (each group matches when one of its patterns does).
    pub(crate) fn new(groups: &[&[Regex]]) -> Gate {
        let patterns: Vec<(usize, Regex)> =
            groups.iter().enumerate().flat_map(|(g, rs)| rs.iter().map(move |r| (g, r.clone()))).collect();
        // Each pattern parsed once; `None` when it does not parse as its own HIR.
        let parsed: Vec<Option<Parsed>> = patterns.iter().map(|(_, r)| Parsed::new(r.as_str())).collect();
        let mut relaxed = Vec::new();
        let mut members = Vec::new();
        let mut rest = Vec::new();
        for (i, p) in parsed.iter().enumerate() {
            match p.as_ref().filter(|p| p.anchored) {
                Some(p) => {
                    relaxed.push(&p.relaxed);
                    members.push((i, p.exact));
                }
                None => rest.push(i),
            }
        }
        let set = if relaxed.is_empty() { None } else { Walker::new(&relaxed) };
        let set_firsts = set.as_ref().map_or([true; 256], Walker::live_firsts);
        if set.is_none() {
            members.clear();
            rest = (0..patterns.len()).collect();
        }
        let rest_parsed: Option<Vec<&Parsed>> = rest.iter().map(|&i| parsed[i].as_ref()).collect();
        let rest_prefixes = match &rest_parsed {
            Some(ps) if !ps.is_empty() => {
                let prefixes: Option<Vec<&Vec<Vec<u8>>>> = ps.iter().map(|p| p.prefixes.as_ref()).collect();
                prefixes.and_then(|p| Starts::new(p.into_iter().flatten().cloned().collect()))
            }
            _ => None,
        };
        let rest_set = rest_prefixes.as_ref().zip(rest_parsed).and_then(|(_, ps)| {
            let walker = Walker::new(&ps.iter().map(|p| &p.relaxed).collect::<Vec<_>>())?;
            Some((walker, rest.iter().zip(&ps).map(|(&i, p)| (i, p.exact)).collect()))
        });
        let mut parsed = parsed.iter();
        let firsts = groups
            .iter()
            .map(|rs| {
                // Every pattern of the group is taken from `parsed`, also after one fails.
                let group: Vec<Option<&Parsed>> = parsed.by_ref().take(rs.len()).map(Option::as_ref).collect();
                let mut firsts = [false; 256];
                for p in group {
                    let p = p.filter(|p| p.anchored)?;
                    for literal in p.prefixes.as_ref()? {
                        firsts[usize::from(literal[0])] = true;
                    }
                }
                Some(firsts)
            })
            .collect();
        Gate { patterns, set, set_firsts, members, rest, rest_prefixes, rest_set, firsts }
    }

    /// Whether a line whose first byte is `first` (`None`: an empty line) may match group
    /// `group`: false only when no such line does (a cheap question to ask before
    /// [`Gate::matches`] when only some groups matter).
    pub(crate) fn may_start(&self, group: usize, first: Option<u8>) -> bool {
        match (self.firsts.get(group).and_then(Option::as_ref), first) {
            (None, _) => true,
            (Some(firsts), Some(b)) => firsts[usize::from(b)],
            // (The literals are not empty: no empty line matches.)
            (Some(_), None) => false,
        }
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
        let mut hits = Hits::NONE;
        // A member of a walked set that matched: its group is in, once confirmed by the
        // pattern itself when the copy is not exact and an exact answer is asked for.
        let confirm = |hits: &mut Hits, (i, is_exact): (usize, bool)| {
            let (group, re) = &self.patterns[i];
            if !hits.has(*group) && (!exact || is_exact || re.is_match(line)) {
                hits.add(*group);
            }
        };
        if let Some(set) = &self.set
            && line.as_bytes().first().is_none_or(|&b| self.set_firsts[usize::from(b)])
            && set.walk(line, 0, |m, _| confirm(&mut hits, self.members[m])).is_err()
        {
            self.try_each(line, self.members.iter().map(|m| m.0), &mut hits);
        }
        match (&self.rest_prefixes, &self.rest_set) {
            (None, _) => self.try_each(line, self.rest.iter().copied(), &mut hits),
            (Some(prefixes), None) => {
                if prefixes.next(line, 0).is_some() {
                    self.try_each(line, self.rest.iter().copied(), &mut hits);
                }
            }
            (Some(prefixes), Some((walker, members))) => {
                let mut from = 0;
                while let Some(start) = prefixes.next(line, from) {
                    if walker.walk(line, start, |m, _| confirm(&mut hits, members[m])).is_err() {
                        self.try_each(line, self.rest.iter().copied(), &mut hits);
                        break;
                    }
                    from = start + 1;
                }
            }
        }
        hits
    }

    /// Try the patterns `which` (indexes in `patterns`) themselves on `line`.
    fn try_each(&self, line: &str, which: impl Iterator<Item = usize>, hits: &mut Hits) {
        for i in which {
            let (group, re) = &self.patterns[i];
            if !hits.has(*group) && re.is_match(line) {
                hits.add(*group);
            }
        }
    }
}

/// Where literals start in a line.
#[derive(Debug, Clone)]
struct Starts(AhoCorasick);

impl Starts {
    fn new(literals: Vec<Vec<u8>>) -> Option<Starts> {
        AhoCorasick::new(literals).ok().map(Starts)
    }

    /// The first place at or after `from` where one of the literals starts. Searching again
    /// one byte after each answer finds every such place, those inside another literal too.
    fn next(&self, line: &str, from: usize) -> Option<usize> {
        if from > line.len() {
            return None;
        }
        self.0.find(aho_corasick::Input::new(line).range(from..)).map(|m| m.start())
    }
}

/// A lazy DFA of several patterns, searched anchored and walked byte by byte by hand: a gate
/// mostly looks at the first few bytes of a line before every pattern has failed, and the
/// fixed cost of a search through the `regex` APIs is many times that.
struct Walker {
    dfa: DFA,
    /// One cache per thread, as the `regex` crate keeps them.
    caches: Pool<Cache, CacheFn>,
}

type CacheFn = Box<dyn Fn() -> Cache + Send + Sync + UnwindSafe + RefUnwindSafe>;

impl Walker {
    fn new(patterns: &[&Hir]) -> Option<Walker> {
        // Straight from the HIRs: printing them and parsing again would double the work.
        let nfa = thompson::Compiler::new()
            .configure(thompson::Config::new().which_captures(WhichCaptures::None))
            .build_many_from_hir(patterns)
            .ok()?;
        let dfa = DFA::builder().configure(DFA::config().match_kind(MatchKind::All)).build_from_nfa(nfa).ok()?;
        Some(Walker::with_dfa(dfa))
    }

    fn with_dfa(dfa: DFA) -> Walker {
        let for_cache = dfa.clone();
        Walker { dfa, caches: Pool::new(Box::new(move || for_cache.create_cache())) }
    }

    /// For each byte, whether a walk from the start of a line may go on after that first byte
    /// (true when the DFA cannot tell).
    fn live_firsts(&self) -> [bool; 256] {
        let mut live = [true; 256];
        let mut cache = self.dfa.create_cache();
        let Ok(start) = self.dfa.start_state_forward(&mut cache, &Input::new("").anchored(Anchored::Yes)) else {
            return live;
        };
        for (b, live) in (0..=255u8).zip(&mut live) {
            *live = !self.dfa.next_state(&mut cache, start, b).is_ok_and(|sid| sid.is_dead());
        }
        live
    }

    /// Call `hit` with every pattern that matches `line` starting at byte `start`, and where
    /// the match ends (a pattern may be named more than once, at each end, shortest first). An
    /// error when the DFA gives up on the line.
    fn walk(&self, line: &str, start: usize, mut hit: impl FnMut(usize, usize)) -> Result<(), ()> {
        let dfa = &self.dfa;
        let mut cache = self.caches.get();
        let cache = &mut *cache;
        let input = Input::new(line).range(start..).anchored(Anchored::Yes);
        let mut sid = dfa.start_state_forward(cache, &input).map_err(drop)?;
        // Matches show one byte late, and the last ones at the end of input.
        for (at, &b) in line.as_bytes().iter().enumerate().skip(start) {
            sid = dfa.next_state(cache, sid, b).map_err(drop)?;
            if sid.is_tagged() {
                if sid.is_match() {
                    (0..dfa.match_len(cache, sid)).for_each(|k| hit(dfa.match_pattern(cache, sid, k).as_usize(), at));
                }
                if sid.is_dead() {
                    return Ok(());
                }
                if sid.is_quit() || sid.is_unknown() {
                    return Err(());
                }
            }
        }
        sid = dfa.next_eoi_state(cache, sid).map_err(drop)?;
        if sid.is_match() {
            (0..dfa.match_len(cache, sid)).for_each(|k| hit(dfa.match_pattern(cache, sid, k).as_usize(), line.len()));
        }
        Ok(())
    }
}

impl Clone for Walker {
    fn clone(&self) -> Walker {
        Walker::with_dfa(self.dfa.clone())
    }
}

impl std::fmt::Debug for Walker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Walker").field("patterns", &self.dfa.pattern_len()).finish_non_exhaustive()
    }
}

/// One pattern anchored at the start of a text, whose match end is found by walking its lazy
/// DFA by hand, as a [`Walker`] does: for a pattern asked of every line that matches a few
/// bytes at most (a list marker), the fixed cost of a search through the `regex` APIs is most
/// of the cost.
#[derive(Debug, Clone)]
pub(crate) struct Prefix(Walker);

impl Prefix {
    /// `None` when the lazy DFA cannot be built for `pattern`.
    pub(crate) fn new(pattern: &str) -> Option<Prefix> {
        let dfa = DFA::builder().configure(DFA::config().match_kind(MatchKind::LeftmostFirst)).build(pattern).ok()?;
        Some(Prefix(Walker::with_dfa(dfa)))
    }

    /// The end of the (leftmost-first) match of the pattern at the start of `s`, as
    /// `Regex::find` anchored at the start finds it. An error when the DFA gives up on `s`.
    pub(crate) fn end(&self, s: &str) -> Result<Option<usize>, ()> {
        // Leftmost-first: the walk stops once no longer match can follow.
        let mut end = None;
        self.0.walk(s, 0, |_, at| end = Some(at))?;
        Ok(end)
    }
}

/// A pattern of a gate, parsed once, and what the gate needs of it.
struct Parsed {
    /// A copy for a walked set: Unicode word boundaries dropped and groups made non-capturing.
    relaxed: Hir,
    /// Whether the copy matches exactly what the pattern does (it had no Unicode word
    /// boundary).
    exact: bool,
    /// Whether the pattern is anchored at the start.
    anchored: bool,
    /// Literals one of which every match of the pattern starts with, if there is a finite set
    /// of them and none is empty.
    prefixes: Option<Vec<Vec<u8>>>,
}

impl Parsed {
    fn new(pattern: &str) -> Option<Parsed> {
        let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
        let mut seq = Extractor::new().kind(ExtractKind::Prefix).extract(&hir);
        seq.optimize_for_prefix_by_preference();
        let prefixes = seq
            .literals()
            .filter(|ls| !ls.is_empty() && ls.iter().all(|l| !l.is_empty()))
            .map(|ls| ls.iter().map(|l| l.as_bytes().to_vec()).collect());
        Some(Parsed {
            relaxed: drop_word_unicode(&hir),
            exact: !hir.properties().look_set().contains_word_unicode(),
            anchored: hir.properties().look_set_prefix().contains(Look::Start),
            prefixes,
        })
    }
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
        let num = Parsed::new(r"^(?P<num>\d+)\s").unwrap();
        assert_eq!(num.relaxed, Parsed::new(r"^(\d+)\s").unwrap().relaxed);
        assert!(num.exact && num.anchored);
        let attached = Parsed::new(r"^(?i:kèm theo)\b").unwrap();
        assert!(!attached.exact && attached.anchored && !attached.relaxed.to_string().contains(r"\b"));
        assert!(!Parsed::new(r"cộng hòa\b").unwrap().anchored);
        assert!(!Parsed::new(r"(?:^a|b)").unwrap().anchored);
    }

    #[test]
    fn prefixes_are_finite_sets_of_non_empty_literals() {
        let p = |s: &str| Parsed::new(s).unwrap().prefixes;
        assert_eq!(p(r"^(?:TM|KT)\."), Some(vec![b"TM.".to_vec(), b"KT.".to_vec()]));
        assert_eq!(p(r"\d+"), None);
        assert_eq!(p(r"(?:a|)x?"), None);
    }

    proptest::proptest! {
        #[test]
        fn prefixes_end_where_the_regex_match_ends(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "-", "+", "•", "–", " ", "\t", "1", "12", ".", ")", "I", "V", "a", "đ", "Đ", "ạ", "x", "Mục",
            ]), 0..10),
        ) {
            let line: String = parts.concat();
            for p in [r"^(?:[-+•*–]\s*|(?:\d+(?:\.\d+)*|[IVXLC]+|[\p{Ll}\p{Lu}])[.)]\s+)+", r"^\d+\.?", r"^(?:a|ab|abc)?"] {
                let prefix = Prefix::new(p).unwrap();
                proptest::prop_assert_eq!(prefix.end(&line), Ok(re(p).find(&line).map(|m| m.end())), "{:?} {:?}", p, line);
            }
        }
    }

    #[test]
    fn first_bytes_of_anchored_groups() {
        let d = [re(r"^(?i:nơi nhận|noi nhận)\s*:?"), re(r"^(?:TM|KT|Q)\.\s*\p{Lu}")];
        let e = [re(r"^\(?\s*(?i:kèm theo)\b")];
        let f = [re(r"độc lập")];
        let gate = Gate::new(&[&d, &e, &f]);
        let firsts: String = (0..=255u8).filter(|&b| gate.may_start(0, Some(b))).map(char::from).collect();
        assert_eq!(firsts, "KNQTn");
        assert!(!gate.may_start(0, None));
        // An infinite set of prefixes (white space), an unanchored pattern: any byte.
        assert!(gate.may_start(1, Some(b'1')) && gate.may_start(2, Some(b'1')) && gate.may_start(2, None));
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

    proptest::proptest! {
        #[test]
        fn gate_agrees_with_the_patterns_on_any_line(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "Kèm", "kèm", "theo", "độc", "Độc", "lập", "ĐỘC LẬP", "cộng", "hòa", "a", "x", "12", ".", ")",
                " ", "-", "\t", "ạ", "SỞ", "BỘ", "aba", "b",
            ]), 0..12),
        ) {
            let line: String = parts.concat();
            let a = [re(r"^(?i:kèm theo)\b"), re(r"^\d+\.")];
            // Unanchored, with literals that start inside one another ("aba" / "ba").
            let b = [re(r"(?i:độc lập)\b"), re(r"aba\s*x"), re(r"ba\b"), re(r"^(?:SỞ|BỘ)\b[^a-z]*$")];
            let c = [re(r"^(?P<x>x)"), re(r"cộng hòa|\d+\)$")];
            // Anchored, with finite prefixes: their first bytes are known.
            let d = [re(r"^(?i:nơi nhận|noi nhận)\s*:?"), re(r"^(?:TM|KT|SỞ)\.?\s*\p{Lu}")];
            let gate = Gate::new(&[&a, &b, &c, &d]);
            let (m, cands) = (gate.matches(&line), gate.candidates(&line));
            for (g, rs) in [&a[..], &b[..], &c[..], &d[..]].iter().enumerate() {
                let expect = rs.iter().any(|r| r.is_match(&line));
                proptest::prop_assert_eq!(m.has(g), expect, "{:?} group {}", line, g);
                proptest::prop_assert!(!expect || cands.has(g), "{:?} group {}", line, g);
                proptest::prop_assert!(!expect || gate.may_start(g, line.bytes().next()), "{:?} group {}", line, g);
            }
        }
    }
}
