//! `grammars/header.yaml`: the number, date and naming lines of a document's header.

use regex::Regex;
use serde::Deserialize;

use super::compile_with_groups;
use crate::error::GrammarError;

/// Compiled `header.yaml`.
#[derive(Debug, Clone)]
pub(crate) struct HeaderRules {
    /// "Số: 135 /KH-UBND": group `v`.
    pub(crate) number_line: Regex,
    /// "Hà Tĩnh, ngày 29 tháng 12 năm 2022": groups `place`, `d`/`m`/`y`, `d2`/`m2`/`y2`.
    pub(crate) date_line: Regex,
    /// Most chars of a place after its capital.
    pub(crate) place_max_chars: usize,
    /// "(Kèm theo Kế hoạch số: 135 /KH-UBND …)": groups `label` and `v`.
    pub(crate) attached_number: Regex,
    /// "Số: 114/2003/NĐ-CP": group `code`.
    pub(crate) number_code_line: Regex,
    /// A title naming a document by number, as the header reads it …
    pub(crate) numbered: Regex,
    /// … and as segmenting reads it.
    pub(crate) numbered_spaced: Regex,
    /// "<label> của <issuer> số <num> ngày <date> <rest>", the label optional.
    pub(crate) naming: Regex,
    /// The same without a label, for a label too long to be one.
    pub(crate) naming_bare: Regex,
    /// Most chars of the label before the naming words.
    pub(crate) naming_label_max_chars: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    number_line: String,
    date_line: String,
    place_max_chars: usize,
    attached_number: String,
    number_code_line: String,
    numbered: String,
    numbered_spaced: String,
    naming: String,
    naming_label_max_chars: usize,
}

pub(super) fn compile(file: &str, yaml: &str) -> Result<HeaderRules, GrammarError> {
    let f: File = super::parse(file, yaml)?;
    let date = ["place", "d", "m", "y", "d2", "m2", "y2"];
    let naming_groups = ["issuer", "num", "d", "m", "y", "d2", "m2", "y2", "rest"];
    // The label is 2 or more letters and spaces, lazily: its length is checked after the
    // match (a bounded repeat of a letter class is slow to compile), falling back to the form
    // without a label as a bounded pattern would.
    let naming = format!(r"^(?:(?P<label>[\p{{L}} ]{{2,}}?)\s+)?(?:{})", f.naming);
    Ok(HeaderRules {
        number_line: compile_with_groups(file, "number_line", &f.number_line, false, &["v"])?,
        date_line: compile_with_groups(file, "date_line", &f.date_line, false, &date)?,
        place_max_chars: f.place_max_chars,
        attached_number: compile_with_groups(file, "attached_number", &f.attached_number, false, &["label", "v"])?,
        number_code_line: compile_with_groups(file, "number_code_line", &f.number_code_line, false, &["code"])?,
        numbered: compile_with_groups(file, "numbered", &f.numbered, false, &[])?,
        numbered_spaced: compile_with_groups(file, "numbered_spaced", &f.numbered_spaced, false, &[])?,
        naming: compile_with_groups(file, "naming", &naming, false, &naming_groups)?,
        naming_bare: compile_with_groups(file, "naming", &format!("^(?:{})", f.naming), false, &naming_groups)?,
        naming_label_max_chars: f.naming_label_max_chars,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pattern_without_its_groups_names_the_file_and_the_groups() {
        let yaml = include_str!("../../grammars/header.yaml").replace("(?P<v>", "(");
        let err = compile("header.yaml", &yaml).unwrap_err().to_string();
        assert!(err.contains("header.yaml") && err.contains("number_line") && err.contains("`v`"), "{err}");
    }
}
