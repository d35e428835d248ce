//! The on-disk shape of each grammar file, and turning it into compiled form.

use std::path::Path;

use serde::Deserialize;

use super::{
    Blocks, DocTypes, HeadingScheme, Headings, Ordinal, TextRules, TonePlacement, compile_regex, compile_with_groups,
};
use crate::error::GrammarError;

/// The grammar files vanban reads, by name, with their embedded text.
const EMBEDDED: [(&str, &str); 11] = [
    ("doc_types.yaml", include_str!("../../grammars/doc_types.yaml")),
    ("headings.yaml", include_str!("../../grammars/headings.yaml")),
    ("text.yaml", include_str!("../../grammars/text.yaml")),
    ("blocks.yaml", include_str!("../../grammars/blocks.yaml")),
    ("labels.yaml", include_str!("../../grammars/labels.yaml")),
    ("header.yaml", include_str!("../../grammars/header.yaml")),
    ("agencies.yaml", include_str!("../../grammars/agencies.yaml")),
    ("citations.yaml", include_str!("../../grammars/citations.yaml")),
    ("units.yaml", include_str!("../../grammars/units.yaml")),
    ("time.yaml", include_str!("../../grammars/time.yaml")),
    ("tables.yaml", include_str!("../../grammars/tables.yaml")),
];

/// The grammar files vanban reads, by name.
pub const FILE_NAMES: [&str; EMBEDDED.len()] = {
    let mut names = [""; EMBEDDED.len()];
    let mut i = 0;
    while i < EMBEDDED.len() {
        names[i] = EMBEDDED[i].0;
        i += 1;
    }
    names
};

/// The YAML text of each file, embedded or overridden, in the order of [`FILE_NAMES`].
pub(super) struct Sources {
    texts: Vec<String>,
    /// Where each text came from, as errors name it: the file name, or the user's path.
    origins: Vec<String>,
}

impl Sources {
    pub(super) fn embedded() -> Sources {
        Sources {
            texts: EMBEDDED.iter().map(|(_, t)| (*t).to_owned()).collect(),
            origins: EMBEDDED.iter().map(|(n, _)| (*n).to_owned()).collect(),
        }
    }

    /// The origin (for errors) and YAML of grammar file `name` (one of [`FILE_NAMES`]).
    pub(super) fn get(&self, name: &str) -> (&str, &str) {
        match FILE_NAMES.iter().position(|n| *n == name) {
            Some(i) => (self.origins[i].as_str(), self.texts[i].as_str()),
            None => ("", ""),
        }
    }

    pub(super) fn override_from(&mut self, dir: &Path) -> Result<(), GrammarError> {
        let read_err = |file: String, source| GrammarError::Read { file, source };
        let entries = std::fs::read_dir(dir).map_err(|e| read_err(dir.display().to_string(), e))?;
        let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths {
            let is_yaml = path.extension().is_some_and(|e| e == "yaml" || e == "yml");
            if !is_yaml || !path.is_file() {
                continue;
            }
            let shown = path.display().to_string();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().replace(".yml", ".yaml");
            let Some(slot) = FILE_NAMES.iter().position(|n| *n == name) else {
                return Err(GrammarError::UnknownFile { file: shown, known: FILE_NAMES.join(", ") });
            };
            self.texts[slot] = std::fs::read_to_string(&path).map_err(|e| read_err(shown.clone(), e))?;
            self.origins[slot] = shown;
        }
        Ok(())
    }
}

pub(crate) fn parse<T: for<'de> Deserialize<'de>>(file: &str, yaml: &str) -> Result<T, GrammarError> {
    serde_saphyr::from_str(yaml).map_err(|e| GrammarError::Parse { file: file.to_owned(), message: e.to_string() })
}

fn invalid(file: &str, message: String) -> GrammarError {
    GrammarError::Invalid { file: file.to_owned(), message }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DocTypesFile {
    kinds: Vec<KindEntry>,
    fallback: String,
    letter_subject_prefixes: Vec<String>,
    letter_kind: String,
    appendix: AppendixEntry,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KindEntry {
    kind: String,
    labels: Vec<String>,
    #[serde(default)]
    in_number: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AppendixEntry {
    marker: String,
    titles: Vec<String>,
    attached: Vec<String>,
    attached_window: usize,
    kind: String,
}

impl DocTypesFile {
    pub(super) fn compile(self, file: &str) -> Result<DocTypes, GrammarError> {
        let f = file;
        let mut labels = Vec::new();
        let mut number_codes = Vec::new();
        for k in &self.kinds {
            if k.kind.is_empty() || k.labels.is_empty() {
                return Err(invalid(f, format!("kind `{}` needs a name and at least one label", k.kind)));
            }
            labels.extend(k.labels.iter().map(|l| (k.kind.clone(), l.trim().to_uppercase())));
            number_codes.extend(k.in_number.iter().map(|c| (k.kind.clone(), c.clone())));
        }
        // Longest label first, so "CHƯƠNG TRÌNH HÀNH ĐỘNG" wins over "CHƯƠNG TRÌNH".
        labels.sort_by(|a, b| b.1.chars().count().cmp(&a.1.chars().count()).then_with(|| a.1.cmp(&b.1)));
        let appendix_attached = (self.appendix.attached.iter())
            .map(|p| compile_regex(f, "appendix.attached", p, true))
            .collect::<Result<_, _>>()?;
        Ok(DocTypes {
            labels,
            number_codes,
            fallback: self.fallback,
            letter_subject_prefixes: self.letter_subject_prefixes,
            letter_kind: self.letter_kind,
            appendix_marker_re: {
                let m = self.appendix.marker.trim();
                let plain = crate::text::fold(m).to_lowercase();
                let pattern = format!(
                    r"(?i:{}|{})(?:\s+(?P<num>[IVXLC]+|\d{{1,3}}[a-z]?)\b)?[\s:.\-–]*",
                    regex::escape(m),
                    regex::escape(&plain)
                );
                compile_regex(f, "appendix.marker", &pattern, true)?
            },
            appendix_marker: self.appendix.marker,
            appendix_titles: self.appendix.titles.iter().map(|t| t.to_uppercase()).collect(),
            appendix_attached,
            appendix_window: self.appendix.attached_window,
            appendix_kind: self.appendix.kind,
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct HeadingsFile {
    schemes: Vec<SchemeEntry>,
    bullets: Vec<String>,
    alphabet: String,
    max_title_chars: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SchemeEntry {
    name: String,
    pattern: String,
    marker: String,
    ordinal: String,
    #[serde(default)]
    rank: Option<u32>,
    #[serde(default)]
    title_case: bool,
}

impl HeadingsFile {
    pub(super) fn compile(self, file: &str) -> Result<Headings, GrammarError> {
        let f = file;
        let mut schemes = Vec::with_capacity(self.schemes.len());
        for s in self.schemes {
            let what = format!("scheme `{}`", s.name);
            let pattern = compile_with_groups(f, &what, &s.pattern, true, &["num"])?;
            if !s.marker.contains("{num}") {
                return Err(invalid(f, format!("{what}: the marker must contain {{num}}")));
            }
            let ordinal = match s.ordinal.as_str() {
                "roman" => Ordinal::Roman,
                "arabic" => Ordinal::Arabic,
                "alpha" => Ordinal::Alpha,
                "decimal" => Ordinal::Decimal,
                other => {
                    return Err(invalid(
                        f,
                        format!("{what}: unknown ordinal `{other}` (roman, arabic, alpha, decimal)"),
                    ));
                }
            };
            schemes.push(HeadingScheme {
                name: s.name,
                pattern,
                marker: s.marker,
                ordinal,
                rank: s.rank,
                title_case: s.title_case,
            });
        }
        let bullets = (self.bullets.iter()).map(|p| compile_regex(f, "bullets", p, true)).collect::<Result<_, _>>()?;
        Ok(Headings {
            schemes,
            bullets,
            alphabet: self.alphabet.chars().collect(),
            max_title_chars: self.max_title_chars,
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TextFile {
    tone_placement: String,
    wrap_join_after_words: Vec<String>,
    sentence_end: String,
    page_number_patterns: Vec<String>,
    footnote_body_pattern: String,
}

impl TextFile {
    pub(super) fn compile(self, file: &str) -> Result<TextRules, GrammarError> {
        let f = file;
        let tone = match self.tone_placement.as_str() {
            "new" => TonePlacement::New,
            "old" => TonePlacement::Old,
            "keep" => TonePlacement::Keep,
            other => return Err(invalid(f, format!("tone_placement `{other}`: expected new, old or keep"))),
        };
        let page_number = (self.page_number_patterns.iter())
            .map(|p| compile_regex(f, "page_number_patterns", p, true))
            .collect::<Result<_, _>>()?;
        let footnote_body =
            compile_with_groups(f, "footnote_body_pattern", &self.footnote_body_pattern, true, &["num"])?;
        Ok(TextRules {
            tone,
            wrap_join_after: self.wrap_join_after_words.iter().map(|w| w.to_lowercase()).collect(),
            sentence_end: self.sentence_end.chars().collect(),
            page_number,
            footnote_body,
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct BlocksFile {
    letterhead_patterns: Vec<String>,
    motto_patterns: Vec<String>,
    recipients_labels: Vec<String>,
    capacity_patterns: Vec<String>,
}

impl BlocksFile {
    pub(super) fn compile(self, file: &str) -> Result<Blocks, GrammarError> {
        let f = file;
        let all = |what: &str, v: &[String]| -> Result<Vec<_>, GrammarError> {
            v.iter().map(|p| compile_regex(f, what, p, false)).collect()
        };
        Ok(Blocks {
            letterhead: all("letterhead_patterns", &self.letterhead_patterns)?,
            motto: all("motto_patterns", &self.motto_patterns)?,
            recipients_labels: all("recipients_labels", &self.recipients_labels)?,
            capacity: all("capacity_patterns", &self.capacity_patterns)?,
        })
    }
}
