//! `grammars/time.yaml`: words of time expressions.

use regex::Regex;
use serde::Deserialize;

use crate::error::GrammarError;

/// Compiled `time.yaml`, lower case.
#[derive(Debug, Clone, Default)]
pub(crate) struct TimeRules {
    /// Longest first.
    pub(crate) deadline_cues: Vec<String>,
    pub(crate) first_half: Vec<String>,
    pub(crate) second_half: Vec<String>,
    /// `(recurrence, phrase)`.
    pub(crate) recurrence: Vec<(&'static str, String)>,
    /// "quý II-IV/2022", "quý IV năm 2026".
    pub(crate) quarter_re: Option<Regex>,
    /// "2021-2025", "2021 đến năm 2025": groups `a` and `b`.
    pub(crate) year_range_re: Option<Regex>,
    /// "tháng 6/2023", "tháng 6 năm 2023".
    pub(crate) month_re: Option<Regex>,
    /// "ngày 30 tháng 11 năm 2022".
    pub(crate) long_date_re: Option<Regex>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    quarter: String,
    month: String,
    year: String,
    day: String,
    range_words: Vec<String>,
    deadline_cues: Vec<String>,
    first_half: Vec<String>,
    second_half: Vec<String>,
    recurrence: Recurrence,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Recurrence {
    yearly: Vec<String>,
    semiannual: Vec<String>,
    quarterly: Vec<String>,
    monthly: Vec<String>,
}

pub(super) fn compile(file: &str, yaml: &str) -> Result<TimeRules, GrammarError> {
    let f: File = super::parse(file, yaml)?;
    let low = |v: Vec<String>| -> Vec<String> { v.into_iter().map(|s| s.to_lowercase()).collect() };
    let mut deadline_cues = low(f.deadline_cues);
    deadline_cues.sort_by_key(|c| std::cmp::Reverse(c.chars().count()));
    let mut recurrence = Vec::new();
    // Semiannual first: "định kỳ 6 tháng" also contains a monthly-looking word.
    for (name, phrases) in [
        ("semiannual", f.recurrence.semiannual),
        ("quarterly", f.recurrence.quarterly),
        ("monthly", f.recurrence.monthly),
        ("yearly", f.recurrence.yearly),
    ] {
        recurrence.extend(low(phrases).into_iter().map(|p| (name, p)));
    }
    for (what, v) in [("quarter", &f.quarter), ("month", &f.month), ("year", &f.year), ("day", &f.day)] {
        if v.trim().is_empty() {
            return Err(GrammarError::Invalid {
                file: file.to_owned(),
                message: format!("`{what}` must not be empty"),
            });
        }
    }
    let q = regex::escape(&f.quarter.to_lowercase());
    let m = regex::escape(&f.month.to_lowercase());
    let y = regex::escape(&f.year.to_lowercase());
    let d = regex::escape(&f.day.to_lowercase());
    let words: Vec<String> =
        f.range_words.iter().map(|w| regex::escape(&w.trim().to_lowercase())).filter(|w| !w.is_empty()).collect();
    // A dash or a range word; between years, the range word may take the year word.
    let to = format!("(?:-|–|—{})", words.iter().map(|w| format!("|{w}")).collect::<String>());
    let years_to = format!("(?:-|–|—{})", words.iter().map(|w| format!(r"|{w}(?:\s+{y})?")).collect::<String>());
    let build = |what: &str, p: String| super::compile_regex(file, what, &p, false).map(Some);
    let quarter_re = build(
        "quarter",
        format!(
            r"(?i){q}\s+(?P<a>IV|I{{1,3}}|[1-4])(?:\s*{to}\s*(?:{q}\s+)?(?P<b>IV|I{{1,3}}|[1-4]))?\s*(?:/|{y}|,)\s*(?:{y}\s*)?(?P<year>\d{{4}})"
        ),
    )?;
    let month_re = build("month", format!(r"(?i){m}\s+(?P<m>\d{{1,2}})\s*(?:/|{y})\s*(?P<year>\d{{4}})"))?;
    let long_date_re =
        build("long date", format!(r"(?i){d}\s+(?P<d>\d{{1,2}})\s+{m}\s+(?P<m>\d{{1,2}})\s+{y}\s+(?P<year>\d{{4}})"))?;
    let year_range_re =
        build("year range", format!(r"(?i)\b(?P<a>(?:19|20)\d{{2}})\s*{years_to}\s*(?P<b>(?:19|20)\d{{2}})\b"))?;
    Ok(TimeRules {
        quarter_re,
        year_range_re,
        month_re,
        long_date_re,
        deadline_cues,
        first_half: low(f.first_half),
        second_half: low(f.second_half),
        recurrence,
    })
}
