//! `grammars/agencies.yaml`: the gazetteer of state bodies and the words that name agencies.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;

use crate::error::GrammarError;
use crate::text::is_alphanumeric;

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
    /// First byte of an abbreviation -> its positions in `abbreviations`, in order.
    abbreviations_by_first_byte: HashMap<u8, Vec<usize>>,
    pub(crate) entries: Vec<Entry>,
    /// Matching key of every name and alias -> entry index.
    by_key: HashMap<String, usize>,
    /// Agency head words, longest first.
    pub(crate) heads: Vec<String>,
    /// Nouns that make "các …" a collective, lower case.
    pub(crate) collective_nouns: Vec<String>,
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
    let mut abbreviations_by_first_byte: HashMap<u8, Vec<usize>> = HashMap::new();
    for (k, (abbr, _)) in abbreviations.iter().enumerate() {
        if let Some(&b) = abbr.as_bytes().first() {
            abbreviations_by_first_byte.entry(b).or_default().push(k);
        }
    }
    let mut g = Gazetteer {
        abbreviations,
        abbreviations_by_first_byte,
        entries: Vec::new(),
        by_key: HashMap::new(),
        heads: f.heads,
        collective_nouns: f.collective_nouns.iter().map(|n| n.to_lowercase()).collect(),
        cities: f.cities,
        level_bodies: f.level_bodies.iter().map(|b| b.trim().to_uppercase()).collect(),
        city_level: f.city_level.trim().to_uppercase(),
        province_level: f.province_level.trim().to_uppercase(),
        bare_levels: f.bare_levels.iter().map(|l| l.trim().to_uppercase()).collect(),
        localities,
        locality,
    };
    g.heads.sort_by(|a, b| b.chars().count().cmp(&a.chars().count()).then_with(|| a.cmp(b)));
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

impl Gazetteer {
    /// `text` with abbreviations written out ("UBND tỉnh" -> "Ủy ban nhân dân tỉnh",
    /// "Sở TT&TT" -> "Sở Thông tin và Truyền thông"). Only whole tokens are expanded.
    pub(crate) fn expand(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len() + 16);
        // The char before the current position in the output: an expansion counts as written.
        let mut prev: Option<char> = None;
        let mut copied = 0;
        let mut at = 0;
        while let Some(c) = text[at..].chars().next() {
            if prev.is_none_or(|p| !is_alphanumeric(p))
                && let Some(bucket) = self.abbreviations_by_first_byte.get(&text.as_bytes()[at])
                && let Some((abbr, full)) = bucket.iter().map(|&k| &self.abbreviations[k]).find(|(abbr, _)| {
                    text[at..]
                        .strip_prefix(abbr.as_str())
                        .is_some_and(|after| after.chars().next().is_none_or(|c| !is_alphanumeric(c) && c != '&'))
                })
            {
                out.push_str(&text[copied..at]);
                out.push_str(full);
                at += abbr.len();
                copied = at;
                prev = full.chars().next_back().or(prev);
                continue;
            }
            prev = Some(c);
            at += c.len_utf8();
        }
        out.push_str(&text[copied..]);
        out
    }

    /// The matching key of an agency name: abbreviations expanded, lower case, punctuation and
    /// spacing unified.
    pub(crate) fn key(&self, text: &str) -> String {
        let expanded = self.expand(text);
        let mut key = String::with_capacity(expanded.len());
        for c in expanded.chars().flat_map(char::to_lowercase) {
            let c = if matches!(c, '-' | '–' | '—' | '&' | ',' | '(' | ')' | '.' | ';' | ':') { ' ' } else { c };
            if c.is_whitespace() {
                if !key.ends_with(' ') && !key.is_empty() {
                    key.push(' ');
                }
            } else {
                key.push(c);
            }
        }
        key.trim_end().to_owned()
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
        self.lookup_key(&self.key(text))
    }

    /// [`Gazetteer::lookup`] of a [`Gazetteer::key`].
    pub(crate) fn lookup_key(&self, key: &str) -> Option<&Entry> {
        if let Some(&i) = self.by_key.get(key) {
            return Some(&self.entries[i]);
        }
        let mut cut = key.len();
        while let Some(space) = key[..cut].rfind(' ') {
            cut = space;
            if let Some(&i) = self.by_key.get(&key[..cut]) {
                // Only a locality may follow ("… tỉnh Lào Cai"), not more of a name; after a
                // body named by its level ("Ủy ban nhân dân tỉnh") the place name itself.
                let rest = &key[cut + 1..];
                if self.localities.iter().any(|l| rest.starts_with(l.as_str()) || key[..cut].ends_with(l.as_str())) {
                    return Some(&self.entries[i]);
                }
                return None;
            }
        }
        None
    }

    /// The agency head word `text` starts with, if any ("Sở", "Ủy ban", "Trung tâm" …).
    pub(crate) fn head_of<'t>(&self, text: &'t str) -> Option<&'t str> {
        let expanded_ubnd = text.trim_start();
        self.heads.iter().find_map(|h| {
            let after = expanded_ubnd.strip_prefix(h.as_str())?;
            after.chars().next().is_none_or(|c| !is_alphanumeric(c)).then(|| &expanded_ubnd[..h.len()])
        })
    }

    /// True when `text` opens a collective ("các cơ quan", "Các Sở, ban, ngành").
    pub(crate) fn is_collective(&self, text: &str) -> bool {
        let t = text.trim_start();
        let Some(rest) = t.strip_prefix("các ").or_else(|| t.strip_prefix("Các ")) else { return false };
        let rest = self.expand(rest).to_lowercase();
        self.collective_nouns.iter().any(|n| rest.starts_with(n.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use crate::grammar::Grammar;

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
