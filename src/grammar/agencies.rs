//! `grammars/agencies.yaml`: the gazetteer of state bodies and the words that name agencies.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use serde::Deserialize;

use crate::error::GrammarError;
use crate::text::{is_alphanumeric, lower_fast, to_lower};

/// One gazetteer entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    pub(crate) id: String,
    pub(crate) name: String,
}

/// Compiled `agencies.yaml`.
#[derive(Debug, Clone)]
pub(crate) struct Gazetteer {
    /// `(abbreviation, expansion)`, longest abbreviation first.
    pub(crate) abbreviations: Vec<(String, String)>,
    /// First byte of an abbreviation -> its positions in `abbreviations`, in order (256
    /// buckets: looked up at every word start of every name).
    abbreviations_by_first_byte: Vec<Vec<usize>>,
    /// The abbreviations holding a char that may end a member of a list ("VH,TT&DL"): a member
    /// may end inside one (see [`Gazetteer::may_start_agency`]).
    abbreviations_with_cuts: Vec<memchr::memmem::Finder<'static>>,
    pub(crate) entries: Vec<Entry>,
    /// Matching key of every name and alias -> entry index.
    by_key: HashMap<String, usize, KeyHasher>,
    /// Every key cut after a word ("ủy", "ủy ban", … "ủy ban nhân dân tỉnh"): a lookup stops
    /// at the first word of a name that no key goes on with.
    key_prefixes: HashSet<String, KeyHasher>,
    /// Agency head words, longest first.
    pub(crate) heads: Vec<String>,
    /// First byte of a head word -> its positions in `heads`, in order.
    heads_by_first_byte: Vec<Vec<usize>>,
    /// What opens a collective, each with the space after it ("các ", "Các ").
    collective_openers: Vec<String>,
    /// Nouns that make "các …" a collective, lower case.
    pub(crate) collective_nouns: Vec<String>,
    /// How many bytes of expanded text after a collective word are enough to compare with the
    /// nouns (three times the longest); 0 when a noun holds σ or ς (whose lower case from Σ
    /// depends on what follows): then the whole text.
    collective_head: usize,
    pub(crate) cities: Vec<String>,
    /// Bodies named by their level alone, in capitals ("ỦY BAN NHÂN DÂN").
    pub(crate) level_bodies: Vec<String>,
    /// The level a place takes after such a body, in capitals: a city's, a province's.
    pub(crate) city_level: String,
    pub(crate) province_level: String,
    /// Levels that may end a letterhead line with the name left out, in capitals.
    pub(crate) bare_levels: Vec<String>,
    /// Administrative levels, lower case.
    pub(crate) localities: Vec<String>,
    /// A locality at the end of a name: `kind` (the level) and `name`.
    pub(crate) locality: regex::Regex,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    abbreviations: BTreeMap<String, String>,
    agencies: Vec<AgencyEntry>,
    sectors: Vec<Sector>,
    heads: Vec<String>,
    collective_words: Vec<String>,
    collective_nouns: Vec<String>,
    cities: Vec<String>,
    localities: Vec<String>,
    level_bodies: Vec<String>,
    city_level: String,
    province_level: String,
    bare_levels: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AgencyEntry {
    id: String,
    name: String,
    #[serde(default)]
    aliases: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Sector {
    key: String,
    name: String,
}

pub(super) fn compile(file: &str, yaml: &str) -> Result<Gazetteer, GrammarError> {
    let f: File = super::parse(file, yaml)?;
    let mut abbreviations: Vec<(String, String)> = f.abbreviations.into_iter().collect();
    abbreviations.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
    let localities: Vec<String> = f.localities.iter().map(|l| l.trim().to_lowercase()).collect();
    let alternatives: Vec<String> = localities.iter().map(|l| regex::escape(l)).collect();
    let locality = super::compile_regex(
        file,
        "localities",
        &format!(r"(?i)\b(?P<kind>{})\s+(?P<name>\p{{Lu}}[\p{{L}}\s.\-–]*)$", alternatives.join("|")),
        false,
    )?;
    let abbreviations_by_first_byte = by_first_byte(abbreviations.iter().map(|(abbr, _)| abbr.as_str()));
    let abbreviations_with_cuts = abbreviations
        .iter()
        .filter(|(abbr, _)| abbr.contains(is_cut))
        .map(|(abbr, _)| memchr::memmem::Finder::new(abbr.as_bytes()).into_owned())
        .collect();
    let mut heads = f.heads;
    heads.sort_by(|a, b| b.chars().count().cmp(&a.chars().count()).then_with(|| a.cmp(b)));
    let heads_by_first_byte = by_first_byte(heads.iter().map(String::as_str));
    let mut g = Gazetteer {
        abbreviations,
        abbreviations_by_first_byte,
        abbreviations_with_cuts,
        entries: Vec::new(),
        by_key: HashMap::default(),
        key_prefixes: HashSet::default(),
        heads,
        heads_by_first_byte,
        collective_openers: f.collective_words.iter().map(|w| format!("{} ", w.trim())).collect(),
        collective_nouns: f.collective_nouns.iter().map(|n| n.to_lowercase()).collect(),
        collective_head: 0,
        cities: f.cities,
        level_bodies: f.level_bodies.iter().map(|b| b.trim().to_uppercase()).collect(),
        city_level: f.city_level.trim().to_uppercase(),
        province_level: f.province_level.trim().to_uppercase(),
        bare_levels: f.bare_levels.iter().map(|l| l.trim().to_uppercase()).collect(),
        localities,
        locality,
    };
    if !g.collective_nouns.iter().any(|n| n.contains(['σ', 'ς'])) {
        g.collective_head = 3 * g.collective_nouns.iter().map(String::len).max().unwrap_or(0) + 4;
    }
    let add = |g: &mut Gazetteer, id: String, name: String, aliases: Vec<String>| -> Result<(), GrammarError> {
        if id.is_empty() || name.trim().is_empty() {
            return Err(GrammarError::Invalid {
                file: file.to_owned(),
                message: "an agency needs an id and a name".into(),
            });
        }
        let idx = g.entries.len();
        for form in std::iter::once(&name).chain(&aliases) {
            let key = g.key(form);
            for (space, _) in key.match_indices(' ') {
                g.key_prefixes.insert(key[..space].to_owned());
            }
            g.key_prefixes.insert(key.clone());
            g.by_key.entry(key).or_insert(idx);
        }
        g.entries.push(Entry { id, name });
        Ok(())
    };
    for a in f.agencies {
        add(&mut g, a.id, a.name, a.aliases)?;
    }
    for s in f.sectors {
        add(&mut g, format!("bo_{}", s.key), format!("Bộ {}", s.name), Vec::new())?;
        add(&mut g, format!("so_{}", s.key), format!("Sở {}", s.name), Vec::new())?;
    }
    Ok(g)
}

/// A char a member of a list or a clause may end before: `,` and `;` between members, `.` `:`
/// and white space trimmed off its end, a space before the next word.
fn is_cut(c: char) -> bool {
    matches!(c, ',' | ';' | '.' | ':') || c.is_whitespace()
}

/// Positions of `words` by their first byte: 256 buckets, each in the order of `words`.
fn by_first_byte<'w>(words: impl Iterator<Item = &'w str>) -> Vec<Vec<usize>> {
    let mut buckets = vec![Vec::new(); 256];
    for (k, w) in words.enumerate() {
        if let Some(&b) = w.as_bytes().first() {
            buckets[usize::from(b)].push(k);
        }
    }
    buckets
}

/// Hashes the gazetteer's keys: FxHash, a multiply and rotate per 8 bytes. The keys come from
/// the grammar, not from documents, so SipHash's flooding resistance buys nothing, and
/// `lookup_key` hashes several cuts of every name it is asked about.
type KeyHasher = BuildHasherDefault<FxHasher>;

#[derive(Default)]
struct FxHasher(u64);

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w) ^ ((rest.len() as u64) << 59));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Append the key form of `c` to `key`: lower case, `-–—&,().;:` and whitespace as one space
/// between words.
fn push_key_char(key: &mut String, c: char) {
    let mut put = |c: char| {
        let c = if matches!(c, '-' | '–' | '—' | '&' | ',' | '(' | ')' | '.' | ';' | ':') { ' ' } else { c };
        if c.is_whitespace() {
            if !key.ends_with(' ') && !key.is_empty() {
                key.push(' ');
            }
        } else {
            key.push(c);
        }
    };
    match lower_fast(c) {
        Some(l) => put(l),
        None => c.to_lowercase().for_each(put),
    }
}

impl Gazetteer {
    /// `text` with abbreviations written out ("UBND tỉnh" -> "Ủy ban nhân dân tỉnh",
    /// "Sở TT&TT" -> "Sở Thông tin và Truyền thông"). Only whole tokens are expanded.
    pub(crate) fn expand(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len() + 16);
        self.expand_into(text, |piece| {
            out.push_str(piece);
            true
        });
        out
    }

    /// [`Gazetteer::expand`], handing the pieces of the result (copied text up to a white
    /// space, expansions) to `put` in order, so that [`Gazetteer::key`] folds them without an
    /// expanded copy and a lookup can stop early. Stops when `put` returns false; returns
    /// whether it went to the end.
    fn expand_into<'s>(&'s self, text: &'s str, mut put: impl FnMut(&'s str) -> bool) -> bool {
        // The char before the current position in the output: an expansion counts as written.
        let mut prev: Option<char> = None;
        let mut copied = 0;
        let mut at = 0;
        while let Some(c) = text[at..].chars().next() {
            if prev.is_none_or(|p| !is_alphanumeric(p))
                && let Some((abbr, full)) = self.abbreviations_by_first_byte[usize::from(text.as_bytes()[at])]
                    .iter()
                    .map(|&k| &self.abbreviations[k])
                    .find(|(abbr, _)| {
                        text[at..]
                            .strip_prefix(abbr.as_str())
                            .is_some_and(|after| after.chars().next().is_none_or(|c| !is_alphanumeric(c) && c != '&'))
                    })
            {
                if !put(&text[copied..at]) || !put(full) {
                    return false;
                }
                at += abbr.len();
                copied = at;
                prev = full.chars().next_back().or(prev);
                continue;
            }
            prev = Some(c);
            at += c.len_utf8();
            if c.is_whitespace() {
                if !put(&text[copied..at]) {
                    return false;
                }
                copied = at;
            }
        }
        put(&text[copied..])
    }

    /// The matching key of an agency name: abbreviations expanded, lower case, punctuation and
    /// spacing unified.
    pub(crate) fn key(&self, text: &str) -> String {
        self.key_while(text, |_| true).unwrap_or_default()
    }

    /// [`Gazetteer::key`], built word by word: `go_on` sees the key up to each word end (the
    /// space after it not included); `None` as soon as it returns false.
    fn key_while(&self, text: &str, mut go_on: impl FnMut(&str) -> bool) -> Option<String> {
        let mut key = String::with_capacity(text.len() + 16);
        let whole = self.expand_into(text, |piece| {
            for c in piece.chars() {
                let len = key.len();
                push_key_char(&mut key, c);
                if key.len() > len && key.ends_with(' ') && !go_on(&key[..key.len() - 1]) {
                    return false;
                }
            }
            true
        });
        if !whole {
            return None;
        }
        let end = key.trim_end().len();
        key.truncate(end);
        Some(key)
    }

    /// The gazetteer entry whose name or alias is exactly `text` (up to case and spacing).
    pub(crate) fn lookup_exact(&self, text: &str) -> Option<&Entry> {
        self.lookup_exact_key(&self.key(text))
    }

    /// [`Gazetteer::lookup_exact`] of a [`Gazetteer::key`].
    pub(crate) fn lookup_exact_key(&self, key: &str) -> Option<&Entry> {
        self.by_key.get(key).map(|&i| &self.entries[i])
    }

    /// The gazetteer entry named by `text`: the whole name, or the longest entry the name starts
    /// with ("Sở Công Thương tỉnh Lào Cai" -> Sở Công Thương).
    pub(crate) fn lookup(&self, text: &str) -> Option<&Entry> {
        // Most text is no agency: give up at the first word end where the words so far start
        // no key and hold none ([`Gazetteer::lookup_key`] would find nothing either).
        let mut met = false;
        let key = self.key_while(text, |cut| {
            met |= self.by_key.contains_key(cut);
            met || self.key_prefixes.contains(cut)
        })?;
        self.lookup_key(&key)
    }

    /// [`Gazetteer::lookup`] of a [`Gazetteer::key`].
    pub(crate) fn lookup_key(&self, key: &str) -> Option<&Entry> {
        if let Some(&i) = self.by_key.get(key) {
            return Some(&self.entries[i]);
        }
        // The longest cut after a word that is a key: walk the cuts forward while some key goes
        // on with them (most text stops at its first word), keep the last key met.
        let mut found = None;
        for (space, _) in key.match_indices(' ') {
            let cut = &key[..space];
            if !self.key_prefixes.contains(cut) {
                break;
            }
            if let Some(&i) = self.by_key.get(cut) {
                found = Some((space, i));
            }
        }
        let (cut, i) = found?;
        // Only a locality may follow ("… tỉnh Lào Cai"), not more of a name; after a body named
        // by its level ("Ủy ban nhân dân tỉnh") the place name itself.
        let rest = &key[cut + 1..];
        self.localities
            .iter()
            .any(|l| rest.starts_with(l.as_str()) || key[..cut].ends_with(l.as_str()))
            .then(|| &self.entries[i])
    }

    /// The agency head word `text` starts with, if any ("Sở", "Ủy ban", "Trung tâm" …).
    pub(crate) fn head_of<'t>(&self, text: &'t str) -> Option<&'t str> {
        let t = text.trim_start();
        let &first = t.as_bytes().first()?;
        self.heads_by_first_byte[usize::from(first)].iter().find_map(|&k| {
            let h = &self.heads[k];
            let after = t.strip_prefix(h.as_str())?;
            after.chars().next().is_none_or(|c| !is_alphanumeric(c)).then(|| &t[..h.len()])
        })
    }

    /// False when no `text[..k]` where `text[k]` is a `,` `;` `.` `:` or white space (or `k` is
    /// the end) can start an agency name (`AgencyMatcher::starts_agency`): neither starts with
    /// a head word nor a collective, nor its first word starts a name of the gazetteer. Most
    /// headings are asked whether they list agencies; this answers most of them without
    /// splitting or looking up their members: the members of a list that starts like `text`
    /// are such cuts. Only for `text` that starts with a letter or digit (true otherwise).
    pub(crate) fn may_start_agency(&self, text: &str) -> bool {
        let Some(&first) = text.as_bytes().first() else { return true };
        if !text.starts_with(is_alphanumeric)
            // A cut inside an abbreviation changes how the first word reads.
            || self.abbreviations_with_cuts.iter().any(|a| a.find(text.as_bytes()).is_some())
            || self.heads_by_first_byte[usize::from(first)].iter().any(|&k| text.starts_with(self.heads[k].as_str()))
            || self.after_collective_word(text).is_some()
        {
            return true;
        }
        // A lookup finds nothing unless the key's first word starts a key ([`Gazetteer::lookup`],
        // [`Gazetteer::lookup_key`]); the first word of a cut's key is that of `text` (a cut
        // ends a key word, and no abbreviation spans it).
        let mut first_word_starts = None;
        let whole = self.key_while(text, |cut| {
            first_word_starts = Some(self.key_prefixes.contains(cut));
            false
        });
        match first_word_starts {
            Some(starts) => starts,
            None => whole.is_some_and(|key| self.key_prefixes.contains(&key)),
        }
    }

    /// What follows the collective word ("các", "all the …") opening `t`.
    fn after_collective_word<'t>(&self, t: &'t str) -> Option<&'t str> {
        self.collective_openers.iter().find_map(|o| t.strip_prefix(o.as_str()))
    }

    /// True when `text` opens a collective ("các cơ quan", "Các Sở, ban, ngành").
    pub(crate) fn is_collective(&self, text: &str) -> bool {
        let t = text.trim_start();
        let Some(rest) = self.after_collective_word(t) else { return false };
        // Only the start of the rest is compared: it is expanded and lower-cased as far as the
        // longest noun needs (a char lower-cases to no less than a third of its bytes, and
        // char by char but for Σ, which no noun holds: see `collective_head`).
        let mut head = String::new();
        let need = self.collective_head;
        self.expand_into(rest, |piece| {
            head.push_str(piece);
            need == 0 || head.len() < need
        });
        let head = to_lower(&head);
        self.collective_nouns.iter().any(|n| head.starts_with(n.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use crate::grammar::Grammar;

    proptest::proptest! {
        #[test]
        fn collectives_are_told_from_the_start_as_from_the_whole(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "các ", "Các ", "cơ quan", "CƠ QUAN", "Sở", "sở", "UBND", " ", ",", "đơn vị", "ĐƠN", " VỊ", "İ", "\u{212a}",
                "Σ", "x", "huyện", "ban", "ngành", "-",
            ]), 0..10),
        ) {
            let g = &*GRAMMAR;
            let a = &g.agencies;
            let text: String = parts.concat();
            let plain = a.after_collective_word(text.trim_start()).is_some_and(|rest| {
                let rest = crate::text::to_lower(&a.expand(rest));
                a.collective_nouns.iter().any(|n| rest.starts_with(n.as_str()))
            });
            proptest::prop_assert_eq!(a.is_collective(&text), plain, "{:?}", text);
        }
    }

    static GRAMMAR: std::sync::LazyLock<Grammar> = std::sync::LazyLock::new(|| Grammar::embedded().unwrap());

    #[test]
    fn lookups() {
        let g = Grammar::embedded().unwrap();
        let a = &g.agencies;
        assert_eq!(a.expand("Sở TT&TT"), "Sở Thông tin và Truyền thông");
        assert_eq!(a.expand("UBND các huyện"), "Ủy ban nhân dân các huyện");
        assert_eq!(a.expand("TUBND"), "TUBND", "only whole tokens");
        assert_eq!(a.lookup("Sở Công Thương").map(|e| e.id.as_str()), Some("so_cong_thuong"));
        assert_eq!(a.lookup("SỞ CÔNG THƯƠNG").map(|e| e.id.as_str()), Some("so_cong_thuong"));
        assert_eq!(a.lookup("Sở TT&TT").map(|e| e.id.as_str()), Some("so_tttt"));
        assert_eq!(a.lookup("Sở Công Thương tỉnh Lào Cai").map(|e| e.id.as_str()), Some("so_cong_thuong"));
        assert_eq!(a.lookup("Sở Văn hóa, Thể thao và Du lịch").map(|e| e.id.as_str()), Some("so_vhttdl"));
        assert_eq!(a.lookup("Sở Công Thương Mới"), None);
        assert_eq!(a.lookup("Ủy ban nhân dân tỉnh Vĩnh Long").map(|e| e.id.as_str()), Some("ubnd_tinh"));
        assert_eq!(a.head_of("Trung tâm Xúc tiến"), Some("Trung tâm"));
        assert_eq!(a.head_of("Sởi"), None);
        assert!(a.is_collective("các cơ quan, đơn vị liên quan"));
        assert!(a.is_collective("Các Sở, ban, ngành tỉnh"));
        assert!(!a.is_collective("các nội dung"));
    }
}
