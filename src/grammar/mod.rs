//! Grammars: every language fact vanban uses, as data.
//!
//! The YAML files under `grammars/` are embedded in the binary. A user folder given to
//! [`Grammar::with_overrides`] replaces any of them by a file of the same name, so a data team
//! can add a document type or a heading scheme without rebuilding. Everything is parsed and
//! compiled once, here, into an immutable [`Grammar`] that the parallel pipeline shares.

pub(crate) mod agencies;
pub(crate) mod citations;
mod files;
pub(crate) mod gate;
pub(crate) mod header;
pub(crate) mod labels;
pub(crate) mod tables;
pub(crate) mod time;
pub(crate) mod units;

use std::path::Path;

use regex::Regex;

use crate::error::GrammarError;
pub use files::FILE_NAMES;
use files::{BlocksFile, DocTypesFile, HeadingsFile, TextFile};

/// All grammars, parsed and compiled. Cheap to share across threads (`Send + Sync`).
#[derive(Debug, Clone)]
pub struct Grammar {
    pub(crate) doc_types: DocTypes,
    pub(crate) headings: Headings,
    pub(crate) text: TextRules,
    pub(crate) blocks: Blocks,
    pub(crate) labels: labels::Labels,
    pub(crate) header: header::HeaderRules,
    pub(crate) agencies: agencies::Gazetteer,
    pub(crate) citations: citations::CitationRules,
    pub(crate) units: units::Units,
    pub(crate) time: time::TimeRules,
    pub(crate) tables: tables::TableRules,
    /// Pre-checks over the patterns above that layout and segment try on every line.
    pub(crate) gates: gate::Gates,
}

/// Document types and appendix markers (`doc_types.yaml`).
#[derive(Debug, Clone)]
pub(crate) struct DocTypes {
    /// `(kind, label in upper case)`, longest label first.
    pub(crate) labels: Vec<(String, String)>,
    /// `(kind, code)` as found in a số/ký hiệu.
    pub(crate) number_codes: Vec<(String, String)>,
    pub(crate) fallback: String,
    pub(crate) letter_subject_prefixes: Vec<String>,
    pub(crate) letter_kind: String,
    pub(crate) appendix_marker: String,
    /// The marker at the start of a line, with or without diacritics ("Phụ lục", "PHU LUC"),
    /// and its number if any (`num`).
    pub(crate) appendix_marker_re: Regex,
    /// Upper-case appendix title starts.
    pub(crate) appendix_titles: Vec<String>,
    pub(crate) appendix_attached: Vec<Regex>,
    pub(crate) appendix_window: usize,
    pub(crate) appendix_kind: String,
}

/// How the ordinal of a heading counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Ordinal {
    Roman,
    Arabic,
    Alpha,
    Decimal,
}

/// One compiled heading scheme.
#[derive(Debug, Clone)]
pub(crate) struct HeadingScheme {
    pub(crate) name: String,
    /// Anchored at the start of the line.
    pub(crate) pattern: Regex,
    pub(crate) marker: String,
    pub(crate) ordinal: Ordinal,
    pub(crate) rank: Option<u32>,
    pub(crate) title_case: bool,
}

/// Heading schemes and list bullets (`headings.yaml`).
#[derive(Debug, Clone)]
pub(crate) struct Headings {
    pub(crate) schemes: Vec<HeadingScheme>,
    pub(crate) bullets: Vec<Regex>,
    pub(crate) alphabet: Vec<char>,
    pub(crate) max_title_chars: usize,
}

/// Tone-mark placement convention for oa/oe/uy syllables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TonePlacement {
    /// hòa, khỏe, thủy, Ủy.
    New,
    /// hoà, khoẻ, thuỷ, Uỷ.
    Old,
    /// Leave as found.
    Keep,
}

/// Normalization and layout facts (`text.yaml`).
#[derive(Debug, Clone)]
pub(crate) struct TextRules {
    pub(crate) tone: TonePlacement,
    /// Lower-cased words after which a line never ends a sentence.
    pub(crate) wrap_join_after: Vec<String>,
    pub(crate) sentence_end: Vec<char>,
    pub(crate) page_number: Vec<Regex>,
    pub(crate) footnote_body: Regex,
}

/// Letterhead and closing-block patterns (`blocks.yaml`).
#[derive(Debug, Clone)]
pub(crate) struct Blocks {
    pub(crate) letterhead: Vec<Regex>,
    /// National motto and party heading, cut out of letterhead lines.
    pub(crate) motto: Vec<Regex>,
    pub(crate) recipients_labels: Vec<Regex>,
    pub(crate) capacity: Vec<Regex>,
}

impl Grammar {
    /// The grammars embedded in the binary.
    ///
    /// Called on a rayon pool (inside [`rayon::ThreadPool::install`]), the files compile side
    /// by side on its threads; elsewhere, one after the other on the calling thread.
    ///
    /// # Errors
    /// Never in a released build (a test compiles them); the `Result` keeps one code path
    /// with [`Grammar::with_overrides`].
    pub fn embedded() -> Result<Grammar, GrammarError> {
        Self::build(&files::Sources::embedded())
    }

    /// The embedded grammars with every file found in `dir` replacing the one of the same name.
    /// Compiled as [`Grammar::embedded`] is.
    ///
    /// # Errors
    /// A file that cannot be read, does not parse, has unknown keys or bad regexes, or whose name
    /// is not a grammar file vanban reads.
    pub fn with_overrides(dir: &Path) -> Result<Grammar, GrammarError> {
        let mut sources = files::Sources::embedded();
        sources.override_from(dir)?;
        Self::build(&sources)
    }

    fn build(src: &files::Sources) -> Result<Grammar, GrammarError> {
        let (mut header, mut labels, mut agencies, mut citations, mut units, mut time, mut tables) =
            (None, None, None, None, None, None, None);
        let mut layout = None;
        // Building the grammar is mostly regex construction (about 15 ms in all), file by file
        // independent. Biggest first: on a pool, other threads take the oldest task and this one
        // the newest (the layout grammars).
        let tasks: Vec<Box<dyn FnOnce() + Send + '_>> = vec![
            Box::new(|| header = Some(compile_file(src, "header.yaml", header::compile))),
            Box::new(|| units = Some(compile_file(src, "units.yaml", units::compile))),
            Box::new(|| citations = Some(compile_file(src, "citations.yaml", citations::compile))),
            Box::new(|| labels = Some(compile_file(src, "labels.yaml", labels::compile))),
            Box::new(|| agencies = Some(compile_file(src, "agencies.yaml", agencies::compile))),
            Box::new(|| time = Some(compile_file(src, "time.yaml", time::compile))),
            Box::new(|| tables = Some(compile_file(src, "tables.yaml", tables::compile))),
            Box::new(|| layout = Some(Self::build_layout(src))),
        ];
        // Side by side only on a pool the caller set up: outside one, the global pool's threads
        // would start here (and a process forked after building an engine would inherit a pool
        // without its threads).
        if rayon::current_thread_index().is_some() {
            rayon::scope(|s| tasks.into_iter().for_each(|task| s.spawn(|_| task())));
        } else {
            tasks.into_iter().for_each(|task| task());
        }
        // Errors are read in one fixed order, whichever came first.
        let done = "every task has run";
        let (doc_types, headings, text, blocks, gates) = layout.expect(done)?;
        Ok(Grammar {
            gates,
            doc_types,
            headings,
            text,
            blocks,
            labels: labels.expect(done)?,
            header: header.expect(done)?,
            agencies: agencies.expect(done)?,
            citations: citations.expect(done)?,
            units: units.expect(done)?,
            time: time.expect(done)?,
            tables: tables.expect(done)?,
        })
    }

    /// The grammars that layout and segment use, which the gates are built over.
    fn build_layout(
        src: &files::Sources,
    ) -> Result<(DocTypes, Headings, TextRules, Blocks, gate::Gates), GrammarError> {
        let (f, y) = src.get("doc_types.yaml");
        let doc_types = files::parse::<DocTypesFile>(f, y)?.compile(f)?;
        let (f, y) = src.get("headings.yaml");
        let headings = files::parse::<HeadingsFile>(f, y)?.compile(f)?;
        let (f, y) = src.get("text.yaml");
        let text = files::parse::<TextFile>(f, y)?.compile(f)?;
        let (f, y) = src.get("blocks.yaml");
        let blocks = files::parse::<BlocksFile>(f, y)?.compile(f)?;
        let gates = gate::Gates::new(&blocks, &doc_types, &headings);
        Ok((doc_types, headings, text, blocks, gates))
    }

    /// The tone-mark placement this grammar asks for.
    pub fn tone_placement(&self) -> TonePlacement {
        self.text.tone
    }
}

pub(crate) use files::parse;

/// Compile grammar file `name` of `src` with `compile`.
fn compile_file<T>(
    src: &files::Sources,
    name: &str,
    compile: fn(&str, &str) -> Result<T, GrammarError>,
) -> Result<T, GrammarError> {
    let (f, y) = src.get(name);
    compile(f, y)
}

/// Compile `pattern` for `file`/`what`, anchored at the start when `anchor` is set.
pub(crate) fn compile_regex(file: &str, what: &str, pattern: &str, anchor: bool) -> Result<Regex, GrammarError> {
    let full = if anchor && !pattern.starts_with('^') { format!("^(?:{pattern})") } else { pattern.to_owned() };
    Regex::new(&full).map_err(|e| GrammarError::Regex {
        file: file.to_owned(),
        what: what.to_owned(),
        pattern: pattern.to_owned(),
        message: e.to_string(),
    })
}

/// [`compile_regex`], and the pattern must capture every group of `groups` (the code reads
/// them by name).
pub(crate) fn compile_with_groups(
    file: &str,
    what: &str,
    pattern: &str,
    anchor: bool,
    groups: &[&str],
) -> Result<Regex, GrammarError> {
    let re = compile_regex(file, what, pattern, anchor)?;
    let missing: Vec<String> =
        groups.iter().filter(|g| !re.capture_names().flatten().any(|n| n == **g)).map(|g| format!("`{g}`")).collect();
    if missing.is_empty() {
        Ok(re)
    } else {
        Err(GrammarError::Invalid {
            file: file.to_owned(),
            message: format!("{what}: `{pattern}` must capture {}", missing.join(", ")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_grammars_compile() {
        let g = Grammar::embedded().expect("embedded grammars are valid");
        assert!(g.headings.schemes.iter().any(|s| s.name == "roman"));
        assert!(g.doc_types.labels.iter().any(|(k, l)| k == "ke_hoach" && l == "KẾ HOẠCH"));
        assert_eq!(g.tone_placement(), TonePlacement::New);
    }
}
