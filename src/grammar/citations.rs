//! `grammars/citations.yaml`: how documents cite other documents, and which citations are the
//! basis (căn cứ). Also [`Phrases`], the case-insensitive whole-word phrase matcher the citation,
//! target and budget rules share.

use std::collections::HashMap;
use std::sync::OnceLock;

use regex::{Captures, Regex};
use regex_syntax::hir::literal::Extractor;
use regex_syntax::hir::{ClassUnicode, ClassUnicodeRange};
use serde::Deserialize;

use super::{compile_regex, compile_with_groups};
use crate::error::GrammarError;
use crate::text::is_alphanumeric;

/// A set of phrases matched case-insensitively as whole words, the longest first. A space in a
/// phrase matches any run of whitespace (line breaks included).
///
/// The phrases are a trie over their lower-case chars in which every char is spelled in bytes in
/// each form whose lower case it is ("Đ" and "đ"; "K", "k" and the Kelvin sign), all leading to
/// the same node, so matching walks the text's bytes as they are: nothing is lower-cased,
/// decoded or compiled. Finding one walks the trie only where the text has the first two bytes of
/// a spelling, at the start of a word when every phrase begins with a letter or digit.
#[derive(Debug, Clone)]
pub(crate) struct Phrases {
    /// Node 0 is the root.
    trie: Vec<Node>,
    /// The edges of the nodes, `(byte, node)`, those of each node together: walked for every
    /// place tried, so laid out flat (and small) to stay in cache.
    edges: Vec<(u8, u32)>,
    /// The root's edges by byte (0 for none): the bytes a phrase can begin with.
    first: Box<[u32; 256]>,
    /// Every phrase begins with a letter or digit, so none starts right after an ASCII one.
    word_starts: bool,
    /// Finds the places where a match can begin in long texts, for [`Phrases::find_at`]: on
    /// Vietnamese text, where most words begin with a byte some phrase begins with, the first
    /// four bytes rule out nearly all of them before the trie is walked. Built on first use
    /// (most sets are only ever matched at a given place).
    heads: OnceLock<Option<Heads>>,
    /// The pairs of bytes a match can begin with, as bits (`a << 8 | b`), to search short texts
    /// (where [`Heads`] would not pay): the second byte rules out most places a phrase's first
    /// byte is at before the trie is walked. Built on first use.
    pairs: OnceLock<Box<[u64; 1024]>>,
}

/// A node of [`Phrases`]: after a prefix of phrases in lower case, or inside a char's bytes.
#[derive(Debug, Clone, Copy)]
struct Node {
    /// Its edges: `Phrases::edges[edges..edges + degree]`.
    edges: u32,
    degree: u32,
    /// The node a run of whitespace leads to (a space of a phrase); 0 for none.
    space: u32,
    /// The phrase ending here plus one (0 for none): its index in the list given to
    /// [`Phrases::new`].
    phrase: u32,
    /// The phrase ends with a letter or digit (then it must end where a word does).
    word_end: bool,
}

impl Node {
    fn space(self) -> Option<usize> {
        (self.space != 0).then_some(self.space as usize)
    }

    fn phrase(self) -> Option<(usize, bool)> {
        self.phrase.checked_sub(1).map(|i| (i as usize, self.word_end))
    }
}

/// A [`Node`] while [`Phrases::new`] builds the trie.
#[derive(Debug, Clone, Default)]
struct Draft {
    /// `(byte, node)`.
    next: Vec<(u8, usize)>,
    space: Option<usize>,
    phrase: Option<(usize, bool)>,
}

/// Where a match of a [`Phrases`] can begin in a long text: a bit for each hash of the first
/// `len` bytes of every start string ([`Phrases::starts`]). Each place is looked up on its own,
/// eight at a time, so the look-ups overlap (a DFA reading byte after byte waits on each table
/// step in turn), and only the places whose bit is set go on: on Vietnamese text about one in
/// fifty bytes for the type words, most of them the words themselves. There the bytes are
/// looked up exactly, for the trie node they lead to. The spellings of all case forms of the
/// type words (a hundred strings) overwhelm a SIMD prefilter such as Teddy.
#[derive(Debug, Clone)]
struct Heads {
    /// The bytes hashed: the shortest start string's length, at most 4.
    len: usize,
    /// Keeps the first `len` bytes of a little-endian word of four.
    keep: u32,
    bits: Box<[u64; 1 << (Heads::BITS - 6)]>,
    /// An open hash table of the start strings' first `len` bytes: `(word, trie node, bytes
    /// read to it)`, the node the bytes lead to up to where a phrase ends or whitespace follows.
    /// Empty slots read no bytes.
    nodes: Vec<(u32, u32, u32)>,
}

impl Heads {
    /// Bits of the hash.
    const BITS: u32 = 16;

    /// Places looked up at a time.
    const BLOCK: usize = 8;

    /// Texts from this many bytes on are searched with the hashes.
    const LONG: usize = 1024;

    /// ... and from this many on when the hashes read four bytes: testing each byte a phrase
    /// can begin with stops too often to pay even there (section titles, lines).
    const SHORT: usize = 32;

    /// The hashes of `phrases`' start strings; `None` when there are none.
    fn new(phrases: &Phrases) -> Option<Heads> {
        let strings = phrases.starts();
        let len = strings.iter().map(Vec::len).min()?;
        let keep = u32::MAX >> (8 * (4 - len));
        let nodes = vec![(0, 0, 0); (2 * strings.len()).next_power_of_two()];
        let mut heads = Heads { len, keep, bits: Box::new([0; 1 << (Heads::BITS - 6)]), nodes };
        for string in &strings {
            let mut head = [0; 4];
            head[..len].copy_from_slice(&string[..len]);
            let word = u32::from_le_bytes(head);
            let h = heads.hash(word);
            heads.bits[h / 64] |= 1 << (h % 64);
            let (mut node, mut read) = (0, 0);
            while read < len {
                let n = phrases.trie[node];
                if read > 0 && (n.phrase().is_some() || n.space().is_some()) {
                    break;
                }
                let Some(next) = phrases.next(n, head[read]) else { break };
                (node, read) = (next, read + 1);
            }
            let mask = heads.nodes.len() - 1;
            let mut slot = h & mask;
            while heads.nodes[slot].2 != 0 && heads.nodes[slot].0 != word {
                slot = (slot + 1) & mask;
            }
            heads.nodes[slot] = (word, u32::try_from(node).ok()?, u32::try_from(read).ok()?);
        }
        Some(heads)
    }

    /// The hash of the first `len` bytes of `word`.
    fn hash(&self, word: u32) -> usize {
        ((word & self.keep).wrapping_mul(0x9e37_79b1) >> (32 - Heads::BITS)) as usize
    }

    /// A match may begin with the (little-endian) bytes of `word`.
    fn may_begin(&self, word: u32) -> bool {
        let h = self.hash(word);
        self.bits[h / 64] >> (h % 64) & 1 != 0
    }

    /// The trie node the first `len` bytes of `word` lead to, and the bytes read to it.
    fn node(&self, word: u32) -> Option<(usize, usize)> {
        let word = word & self.keep;
        let mask = self.nodes.len() - 1;
        let mut slot = self.hash(word) & mask;
        loop {
            let (w, node, read) = self.nodes[slot];
            if read == 0 {
                return None;
            }
            if w == word {
                return Some((node as usize, read as usize));
            }
            slot = (slot + 1) & mask;
        }
    }

    /// The first value `check` gives, called in order on the places at or after `pos` where a
    /// match may begin, with the trie node the first bytes there lead to and their number.
    fn find<T>(
        &self,
        bytes: &[u8],
        mut pos: usize,
        mut check: impl FnMut(usize, usize, usize) -> Option<T>,
    ) -> Option<T> {
        // Four bytes from `at`, zero after the end.
        let word_at = |at: usize| {
            let mut word = [0; 4];
            let n = bytes.len().saturating_sub(at).min(4);
            word[..n].copy_from_slice(&bytes[at..at + n]);
            u32::from_le_bytes(word)
        };
        while let Some(block) = bytes.get(pos..pos + Heads::BLOCK + 3) {
            let mut hits = 0u32;
            for (i, w) in block.windows(4).enumerate() {
                hits |= u32::from(self.may_begin(u32::from_le_bytes([w[0], w[1], w[2], w[3]]))) << i;
            }
            while hits != 0 {
                let at = pos + hits.trailing_zeros() as usize;
                hits &= hits - 1;
                if let Some((node, read)) = self.node(word_at(at))
                    && let Some(found) = check(at, node, read)
                {
                    return Some(found);
                }
            }
            pos += Heads::BLOCK;
        }
        // The last places, with fewer than four bytes after some.
        while pos + self.len <= bytes.len() {
            if let Some((node, read)) = self.node(word_at(pos))
                && let Some(found) = check(pos, node, read)
            {
                return Some(found);
            }
            pos += 1;
        }
        None
    }
}

impl Phrases {
    /// The phrases of `list`; empty entries are dropped, and of two entries that are the same
    /// phrase the first counts.
    pub(crate) fn new<S: AsRef<str>>(list: &[S]) -> Phrases {
        let mut trie = vec![Draft::default()];
        // `(node, lower-case char)` -> the node after it, whatever its spelling.
        let mut after: HashMap<(usize, char), usize> = HashMap::new();
        let mut forms: HashMap<char, Vec<char>> = HashMap::new();
        let mut word_starts = true;
        for (index, p) in list.iter().enumerate() {
            let phrase = p.as_ref().split_whitespace().map(str::to_lowercase).collect::<Vec<_>>().join(" ");
            let (Some(first), Some(last)) = (phrase.chars().next(), phrase.chars().next_back()) else { continue };
            word_starts &= is_alphanumeric(first);
            let mut node = 0;
            for lower in phrase.chars() {
                if lower == ' ' {
                    let fresh = trie.len();
                    node = *trie[node].space.get_or_insert(fresh);
                    if node == fresh {
                        trie.push(Draft::default());
                    }
                    continue;
                }
                if let Some(&next) = after.get(&(node, lower)) {
                    node = next;
                    continue;
                }
                trie.push(Draft::default());
                let next = trie.len() - 1;
                after.insert((node, lower), next);
                for &form in forms.entry(lower).or_insert_with(|| forms_of(lower)).iter() {
                    let mut buf = [0; 4];
                    let (&last, lead) = form.encode_utf8(&mut buf).as_bytes().split_last().expect("a char has bytes");
                    let mut at = node;
                    for &b in lead {
                        at = match trie[at].next.iter().find(|&&(x, _)| x == b) {
                            Some(&(_, inner)) => inner,
                            None => {
                                trie.push(Draft::default());
                                let inner = trie.len() - 1;
                                trie[at].next.push((b, inner));
                                inner
                            }
                        };
                    }
                    trie[at].next.push((last, next));
                }
                node = next;
            }
            trie[node].phrase.get_or_insert((index, is_alphanumeric(last)));
        }
        let mut first = Box::new([0; 256]);
        for &(b, node) in &trie[0].next {
            first[usize::from(b)] = u32::try_from(node).unwrap_or(0);
        }
        let mut edges = Vec::new();
        let mut flat = Vec::with_capacity(trie.len());
        for d in &trie {
            let at = |n: usize| u32::try_from(n).expect("a trie of fewer than 2^32 nodes");
            flat.push(Node {
                edges: at(edges.len()),
                degree: at(d.next.len()),
                space: at(d.space.unwrap_or(0)),
                phrase: d.phrase.map_or(0, |(i, _)| at(i + 1)),
                word_end: d.phrase.is_some_and(|(_, w)| w),
            });
            edges.extend(d.next.iter().map(|&(b, n)| (b, at(n))));
        }
        Phrases { trie: flat, edges, first, word_starts, heads: OnceLock::new(), pairs: OnceLock::new() }
    }

    /// The edges of `node`.
    fn edges(&self, node: Node) -> &[(u8, u32)] {
        &self.edges[node.edges as usize..(node.edges + node.degree) as usize]
    }

    /// The node after `node` by byte `b`.
    fn next(&self, node: Node, b: u8) -> Option<usize> {
        self.edges(node).iter().find(|e| e.0 == b).map(|e| e.1 as usize)
    }

    /// The bits of [`Phrases::pairs`]: the first two bytes of every spelling, or the first byte
    /// and any other where a phrase can end or a run of whitespace follow after one byte.
    fn pairs(&self) -> Box<[u64; 1024]> {
        let mut bits = Box::new([0; 1024]);
        for &(a, node) in self.edges(self.trie[0]) {
            let node = self.trie[node as usize];
            let any = node.phrase().is_some() || node.space().is_some();
            for b in 0..=255u8 {
                if any || self.next(node, b).is_some() {
                    let bit = usize::from(a) << 8 | usize::from(b);
                    bits[bit / 64] |= 1 << (bit % 64);
                }
            }
        }
        bits
    }

    /// The byte strings every match begins with: the trie's paths from the root, each of four
    /// bytes or up to where a phrase ends, a run of whitespace read as its first byte (after
    /// which the path ends).
    fn starts(&self) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        let mut stack = vec![(0, Vec::new())];
        while let Some((node, path)) = stack.pop() {
            let n = self.trie[node];
            if path.len() == 4 || !path.is_empty() && n.phrase().is_some() {
                out.push(path);
                continue;
            }
            if n.space().is_some() {
                out.extend(WHITESPACE_FIRST_BYTES.iter().map(|&b| [&path[..], &[b]].concat()));
            }
            for &(b, next) in self.edges(n) {
                let mut p = path.clone();
                p.push(b);
                stack.push((next as usize, p));
            }
        }
        out
    }

    /// The longest phrase `s` starts with: `(bytes of s it covers, its index in the list)`.
    pub(crate) fn match_at(&self, s: &str) -> Option<(usize, usize)> {
        let bytes = s.as_bytes();
        let first = self.first[usize::from(*bytes.first()?)] as usize;
        if first == 0 {
            return None;
        }
        self.match_from(s, first, 1)
    }

    /// [`Phrases::match_at`] once the first `at` bytes of `s` have led to `node`, where no phrase
    /// ends and no whitespace follows before.
    fn match_from(&self, s: &str, node: usize, mut at: usize) -> Option<(usize, usize)> {
        let bytes = s.as_bytes();
        let (mut node, mut found) = (self.trie[node], None);
        loop {
            if let Some((index, word_end)) = node.phrase()
                && !(word_end && s[at..].chars().next().is_some_and(is_alphanumeric))
            {
                found = Some((at, index));
            }
            let gap = node.space().map_or(0, |_| whitespace_len(s, at));
            let next = if gap > 0 {
                at += gap;
                node.space()
            } else {
                let b = bytes.get(at);
                at += 1;
                b.and_then(|&b| self.next(node, b))
            };
            let Some(next) = next else { return found };
            node = self.trie[next];
        }
    }

    /// The leftmost phrase found in `s` as whole words: `(start, end, index)`.
    pub(crate) fn find(&self, s: &str) -> Option<(usize, usize, usize)> {
        self.find_at(s, 0)
    }

    /// [`Phrases::find`] from byte `pos` of `s` on (what precedes `pos` still counts for the
    /// word boundary).
    pub(crate) fn find_at(&self, s: &str, pos: usize) -> Option<(usize, usize, usize)> {
        // Short texts (table headers), and texts shorter than `LONG` for a set whose hashes read
        // fewer than four bytes, are searched byte by byte.
        let rest = s.len().saturating_sub(pos);
        if rest >= Heads::LONG
            || rest >= Heads::SHORT && self.heads.get_or_init(|| Heads::new(self)).as_ref().is_some_and(|h| h.len == 4)
        {
            return self.find_in_long(s, pos);
        }
        self.find_in_short(s, pos)
    }

    /// [`Phrases::find_at`] testing the places [`Heads`] lets through.
    fn find_in_long(&self, s: &str, pos: usize) -> Option<(usize, usize, usize)> {
        let heads = self.heads.get_or_init(|| Heads::new(self)).as_ref()?;
        let bytes = s.as_bytes();
        heads.find(bytes, pos, |at, node, read| {
            // Not inside an ASCII word when every phrase begins a word.
            if self.word_starts && at > 0 && bytes[at - 1].is_ascii_alphanumeric() {
                return None;
            }
            let (len, i) = self.match_from(&s[at..], node, read)?;
            let before = s[..at].chars().next_back();
            let c = s[at..].chars().next();
            (!before.is_some_and(is_alphanumeric) || !c.is_some_and(is_alphanumeric)).then_some((at, at + len, i))
        })
    }

    /// [`Phrases::find_at`] testing every byte a phrase can begin with.
    fn find_in_short(&self, s: &str, mut pos: usize) -> Option<(usize, usize, usize)> {
        let bytes = s.as_bytes();
        let (first, pairs) = (&*self.first, &**self.pairs.get_or_init(|| self.pairs()));
        loop {
            // A byte a phrase can begin with (never inside a char: the first byte of one)...
            let at = pos + bytes.get(pos..)?.iter().position(|&b| first[usize::from(b)] != 0)?;
            pos = at + 1;
            // ... with a byte that can follow it ...
            if let Some(&next) = bytes.get(pos) {
                let pair = usize::from(bytes[at]) << 8 | usize::from(next);
                if pairs[pair / 64] >> (pair % 64) & 1 == 0 {
                    continue;
                }
            }
            // ... not inside an ASCII word when every phrase begins a word.
            if self.word_starts && at > 0 && bytes[at - 1].is_ascii_alphanumeric() {
                continue;
            }
            if let Some((len, i)) = self.match_at(&s[at..]) {
                let before = s[..at].chars().next_back();
                let c = s[at..].chars().next();
                if !before.is_some_and(is_alphanumeric) || !c.is_some_and(is_alphanumeric) {
                    return Some((at, at + len, i));
                }
            }
        }
    }

    /// The phrase `s` ends with (trailing whitespace ignored), as whole words: `(start, index)`.
    pub(crate) fn ends_with(&self, s: &str) -> Option<(usize, usize)> {
        let s = s.trim_end();
        // The last 41 chars, leftmost first.
        let from = s.char_indices().rev().take(41).last().map_or(0, |(at, _)| at);
        let mut prev = s[..from].chars().next_back();
        for (at, c) in s[from..].char_indices() {
            let at = from + at;
            let boundary = !prev.is_some_and(is_alphanumeric);
            prev = Some(c);
            if boundary
                && let Some((len, i)) = self.match_at(&s[at..])
                && at + len == s.len()
            {
                return Some((at, i));
            }
        }
        None
    }
}

/// The first bytes of the chars that are whitespace (`char::is_whitespace`).
const WHITESPACE_FIRST_BYTES: [u8; 10] = [b'\t', b'\n', 0x0b, 0x0c, b'\r', b' ', 0xc2, 0xe1, 0xe2, 0xe3];

/// Bytes of whitespace at byte `at` of `s` (a char boundary), ASCII read as bytes.
fn whitespace_len(s: &str, at: usize) -> usize {
    let mut i = at;
    while let Some(&b) = s.as_bytes().get(i) {
        if b.is_ascii() {
            // `char::is_whitespace` of ASCII: space, and tab to carriage return.
            if b != b' ' && !(b'\t'..=b'\r').contains(&b) {
                break;
            }
            i += 1;
        } else {
            match s[i..].chars().next() {
                Some(c) if c.is_whitespace() => i += c.len_utf8(),
                _ => break,
            }
        }
    }
    i - at
}

/// The chars whose lower case (when that is one char) is `lower`: `lower` itself, its upper
/// case and its simple case folds (the Kelvin sign for "k").
fn forms_of(lower: char) -> Vec<char> {
    let mut class = ClassUnicode::new([ClassUnicodeRange::new(lower, lower)]);
    class.case_fold_simple();
    let folds = class.iter().flat_map(|r| r.start()..=r.end());
    let mut forms = vec![lower];
    for c in lower.to_uppercase().chain(folds) {
        if !forms.contains(&c) && lower_char(c) == lower {
            forms.push(c);
        }
    }
    forms
}

/// `c` in lower case when that is one char, else `c`.
fn lower_char(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

/// A regex anchored at the start of the text, and the bytes a match can begin with: most places
/// where one is tried (after every cited number) rule it out by their first byte, before the
/// regex engine is set up.
#[derive(Debug, Clone)]
pub(crate) struct Anchored {
    re: Regex,
    /// All of them when the pattern does not tell.
    first: [bool; 256],
    /// The literal prefixes every match begins with ("ngày" in each case); none when the
    /// pattern does not tell. Most places that pass `first` fail here ("năm", "này").
    prefixes: Vec<Vec<u8>>,
    /// The indexes of the groups named to [`Anchored::new`], in that order: looked up once
    /// rather than by name (hashed) at every match.
    pub(crate) groups: Vec<usize>,
}

impl Anchored {
    fn new(re: Regex, names: &[&str]) -> Anchored {
        let groups = (names.iter())
            .map(|&name| re.capture_names().position(|n| n == Some(name)).unwrap_or(usize::MAX))
            .collect();
        let (mut first, mut starts) = ([true; 256], Vec::new());
        // Every match begins with one of the prefixes, when they are finitely many.
        let prefixes = regex_syntax::parse(re.as_str()).map(|hir| Extractor::new().extract(&hir));
        if let Ok(prefixes) = prefixes
            && let Some(literals) = prefixes.literals()
            && literals.iter().all(|l| !l.as_bytes().is_empty())
        {
            first = [false; 256];
            for l in literals {
                first[usize::from(l.as_bytes()[0])] = true;
                starts.push(l.as_bytes().to_vec());
            }
        }
        Anchored { re, first, prefixes: starts, groups }
    }

    /// The match at the start of `s` and its groups.
    pub(crate) fn captures<'h>(&self, s: &'h str) -> Option<Captures<'h>> {
        let b = s.as_bytes();
        if b.first().is_some_and(|&b| !self.first[usize::from(b)])
            || !self.prefixes.is_empty() && !self.prefixes.iter().any(|p| b.starts_with(p))
        {
            return None;
        }
        self.re.captures(s)
    }
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
    pub(crate) dates: Vec<Anchored>,
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
        .map(|re| re.map(|re| Anchored::new(re, &["d", "m", "y"])))
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
    fn every_char_is_matched_by_its_lower_case() {
        // A char of the text follows the trie's edges of its one-char lower case, as `lower_char`
        // gives it.
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            let lower = lower_char(c);
            if lower != c {
                assert!(forms_of(lower).contains(&c), "{c:?} -> {lower:?}");
            }
        }
        let mut de = forms_of('đ');
        de.sort();
        assert_eq!(de, ['Đ', 'đ']);
        assert_eq!(forms_of('k'), ['k', 'K', '\u{212a}'], "the Kelvin sign lower-cases to k");
        let p = Phrases::new(&["Chương trình hành động", "Kế hoạch"]);
        assert!(p.trie.len() < 80, "the spellings of a char meet again: {} nodes", p.trie.len());
        assert_eq!(p.match_at("CHƯƠNG TRÌNH  hành\nĐỘNG"), Some(("CHƯƠNG TRÌNH  hành\nĐỘNG".len(), 0)));
        assert_eq!(p.match_at("\u{212a}Ế HOẠCH"), Some(("\u{212a}Ế HOẠCH".len(), 1)));
    }

    proptest::proptest! {
        #[test]
        fn find_at_agrees_with_trying_every_position(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "Quyết", "QUYẾT", "quyết", "định", "ĐỊNH", "Định", "đề", "Đề", "ĐỀ", "án", "Án", "tỷ", "TỶ",
                "lệ", " ", "  ", "\n", "\t", "\u{a0}", "x", "1", ",", "%", "\u{212a}ế", "kế", "hoạch", "Kế",
                "(", "“", "ệ", "quyếtđịnh",
            ]), 0..80),
            pos in 0usize..200,
            word_starts in proptest::bool::ANY,
        ) {
            let s: String = parts.concat();
            let p = if word_starts {
                Phrases::new(&["Quyết định", "Đề án", "tỷ lệ", "kế hoạch", "định", "hoạch định"])
            } else {
                // "x,1" begins before the "," inside it and ends after it.
                Phrases::new(&["Quyết định", "Đề án", "tỷ", "tỷ lệ", "%", "kế hoạch", ",", "định", "x,1"])
            };
            proptest::prop_assert_eq!(p.word_starts, word_starts);
            let mut pos = pos.min(s.len());
            while !s.is_char_boundary(pos) {
                pos -= 1;
            }
            // Reference: try every char position.
            let mut prev = s[..pos].chars().next_back();
            let mut expected = None;
            for (at, c) in s[pos..].char_indices() {
                let at = pos + at;
                if (!prev.is_some_and(is_alphanumeric) || !is_alphanumeric(c))
                    && let Some((len, i)) = p.match_at(&s[at..])
                {
                    expected = Some((at, at + len, i));
                    break;
                }
                prev = Some(c);
            }
            proptest::prop_assert_eq!(p.find_at(&s, pos), expected);
            proptest::prop_assert_eq!(p.find_in_short(&s, pos), expected);
            proptest::prop_assert_eq!(p.find_in_long(&s, pos), expected);
        }
    }

    #[test]
    fn long_texts_are_searched_by_their_heads() {
        let g = crate::Grammar::embedded().expect("grammars");
        let kinds = &g.citations.kind_phrases;
        let s = "Căn cứ Luật Tổ chức chính quyền; thông tin về công tác, theo \u{212a}Ế HOẠCH số 5. ".repeat(20);
        let mut pos = 0;
        while let Some((a, b, i)) = kinds.find_at(&s, pos) {
            assert_eq!(kinds.find_in_short(&s, pos), Some((a, b, i)));
            pos = b;
        }
        assert!(kinds.heads.get().is_some_and(|h| h.as_ref().is_some_and(|h| h.len == 4)), "the hashes were built");
        assert_eq!(kinds.find_in_short(&s, pos), None);
        // A phrase that begins before another one inside it, and ends after it.
        let p = Phrases::new(&[",", "x,1"]);
        let s = format!("{}x,1", " ".repeat(Heads::LONG));
        assert_eq!(p.find_at(&s, 0), Some((Heads::LONG, s.len(), 1)));
        // A text that ends with a phrase shorter than four bytes.
        let s = format!("{}x,", " ".repeat(Heads::LONG));
        assert_eq!(p.find_at(&s, 0), Some((Heads::LONG + 1, s.len(), 0)));
    }

    #[test]
    fn whitespace_is_measured_as_by_chars() {
        for s in ["", " ", "a b", " \t\r\n\x0b\x0cx", "\u{a0} \u{3000}đ", "\u{85}\u{2028}", "\x1c\x1f", " \u{200b}"] {
            assert_eq!(whitespace_len(s, 0), s.find(|c: char| !c.is_whitespace()).unwrap_or(s.len()), "{s:?}");
        }
    }

    #[test]
    fn whitespace_first_bytes_are_complete() {
        for c in (0..=0x10ffff).filter_map(char::from_u32).filter(|c| c.is_whitespace()) {
            let mut buf = [0; 4];
            assert!(WHITESPACE_FIRST_BYTES.contains(&c.encode_utf8(&mut buf).as_bytes()[0]), "{c:?}");
        }
    }

    #[test]
    fn anchored_patterns_know_their_first_bytes() {
        let date = Anchored::new(compile_regex("t", "t", r"(?i:ngày\s+(?P<d>\d+))", true).expect("regex"), &["d"]);
        let first: Vec<u8> = (0..=255u8).filter(|&b| date.first[usize::from(b)]).collect();
        assert_eq!(first, b"Nn");
        assert!(date.captures("NGÀY 5").is_some() && date.captures("năm 5").is_none());
        assert_eq!(date.prefixes.len(), 16, "every case of ngày");
        assert!(date.captures("nGàY\n12").is_some_and(|c| &c[date.groups[0]] == "12"));
        assert!(date.captures("ngàn 5").is_none() && date.captures("").is_none());
        let any = Anchored::new(compile_regex("t", "t", r"\w*x", true).expect("regex"), &[]);
        assert!(any.first.iter().all(|&b| b) && any.captures("").is_none() && any.captures("x").is_some());
    }

    #[test]
    fn bad_rules_name_the_file() {
        let err = compile("citations.yaml", "kinds: []\nbogus: 1\n").unwrap_err();
        assert!(err.to_string().contains("citations.yaml"), "{err}");
    }
}
