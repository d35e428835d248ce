//! `grammars/units.yaml`: money units and their value in đồng, the words of prose budgets
//! (totals, sources of funds), and the units, comparators and sections of targets.

use regex::Regex;
use serde::Deserialize;

use super::citations::Phrases;
use super::compile_regex;
use crate::error::GrammarError;

/// One money unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MoneyUnit {
    /// What one unit is worth in đồng.
    pub(crate) multiplier: i64,
    /// Money only next to a budget word (a bare "tỷ").
    pub(crate) in_context_only: bool,
}

/// Compiled `units.yaml`.
#[derive(Debug, Clone)]
pub(crate) struct Units {
    /// Money units as phrases; the index points into `money_list`.
    pub(crate) money: Phrases,
    pub(crate) money_list: Vec<MoneyUnit>,
    pub(crate) unit_labels: Phrases,
    pub(crate) max_plausible_vnd: i64,
    pub(crate) budget_keywords: Phrases,
    pub(crate) budget_totals: Phrases,
    /// Source phrases; the index points into `source_labels`.
    pub(crate) budget_sources: Phrases,
    pub(crate) source_labels: Vec<String>,
    pub(crate) per_unit: Regex,
    pub(crate) budget_limits: Phrases,
    pub(crate) target_sections: Phrases,
    pub(crate) target_not_sections: Phrases,
    pub(crate) target_exclude_sections: Phrases,
    pub(crate) goal_cues: Phrases,
    /// Target unit forms; the index points into `target_unit_names`.
    pub(crate) target_units: Phrases,
    pub(crate) target_unit_names: Vec<String>,
    /// Comparator phrases before the figure; the index points into `comparator_keys_before`.
    pub(crate) comparators_before: Phrases,
    pub(crate) comparator_keys_before: Vec<String>,
    /// Comparator phrases after the unit; the index points into `comparator_keys_after`.
    pub(crate) comparators_after: Phrases,
    pub(crate) comparator_keys_after: Vec<String>,
    pub(crate) item_year: Vec<YearPattern>,
    pub(crate) title_year: Vec<YearPattern>,
}

/// A year pattern (capturing `y`), with a screen: a copy without its Unicode word boundaries.
/// A `\b` sends the pattern to the regex crate's slow engines on Vietnamese text, while the copy
/// runs on its DFAs; the copy matches wherever the pattern does, so a text it does not match
/// (most titles and clauses) is passed over at that price.
#[derive(Debug, Clone)]
pub(crate) struct YearPattern {
    pub(crate) re: Regex,
    /// `None` when the pattern has no Unicode word boundary (or the copy does not compile).
    screen: Option<Regex>,
}

impl YearPattern {
    fn new(re: Regex) -> Self {
        let screen = regex_syntax::Parser::new()
            .parse(re.as_str())
            .ok()
            .filter(|hir| hir.properties().look_set().contains_word_unicode())
            .and_then(|hir| Regex::new(&super::gate::drop_word_unicode(&hir).to_string()).ok());
        YearPattern { re, screen }
    }

    /// False when the pattern cannot match `s`.
    pub(crate) fn may_match(&self, s: &str) -> bool {
        self.screen.as_ref().is_none_or(|screen| screen.is_match(s))
    }
}

impl Units {
    /// `title` names a target part ("Mục tiêu cụ thể"), not only a name that holds the words
    /// ("Chương trình mục tiêu quốc gia").
    pub(crate) fn names_targets(&self, title: &str) -> bool {
        // Most titles hold no such name: read them as they are, without a copy.
        let Some((a, b, _)) = self.target_not_sections.find(title) else {
            return self.target_sections.find(title).is_some();
        };
        let mut t = title.to_owned();
        t.replace_range(a..b, " ");
        while let Some((a, b, _)) = self.target_not_sections.find(&t) {
            t.replace_range(a..b, " ");
        }
        self.target_sections.find(&t).is_some()
    }

    /// The money unit `s` starts with: `(bytes, unit)`.
    pub(crate) fn money_at(&self, s: &str) -> Option<(usize, &MoneyUnit)> {
        self.money.match_at(s).map(|(len, i)| (len, &self.money_list[i]))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    money: MoneyEntry,
    budgets: BudgetsEntry,
    targets: TargetsEntry,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MoneyEntry {
    units: Vec<MoneyUnitEntry>,
    unit_labels: Vec<String>,
    max_plausible_vnd: i64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MoneyUnitEntry {
    unit: String,
    multiplier: i64,
    #[serde(default)]
    in_context_only: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BudgetsEntry {
    keywords: Vec<String>,
    totals: Vec<String>,
    sources: Vec<SourceEntry>,
    per_unit: String,
    #[serde(default)]
    limits: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SourceEntry {
    label: String,
    phrases: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetsEntry {
    sections: Vec<String>,
    #[serde(default)]
    not_sections: Vec<String>,
    exclude_sections: Vec<String>,
    goal_cues: Vec<String>,
    units: Vec<TargetUnitEntry>,
    comparators: Vec<ComparatorEntry>,
    item_year: Vec<String>,
    title_year: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetUnitEntry {
    unit: String,
    #[serde(default)]
    forms: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ComparatorEntry {
    key: String,
    #[serde(default)]
    before: Vec<String>,
    #[serde(default)]
    after: Vec<String>,
}

const COMPARATOR_KEYS: [&str; 4] = ["gt", "ge", "lt", "le"];

fn invalid(file: &str, message: impl Into<String>) -> GrammarError {
    GrammarError::Invalid { file: file.to_owned(), message: message.into() }
}

fn year_patterns(file: &str, what: &str, list: &[String]) -> Result<Vec<YearPattern>, GrammarError> {
    list.iter()
        .map(|p| {
            let re = compile_regex(file, what, p, false)?;
            if !re.capture_names().flatten().any(|n| n == "y") {
                return Err(invalid(file, format!("{what}: `{p}` needs the group y")));
            }
            Ok(YearPattern::new(re))
        })
        .collect()
}

pub(super) fn compile(file: &str, yaml: &str) -> Result<Units, GrammarError> {
    let f: File = super::parse(file, yaml)?;
    let mut money_forms = Vec::new();
    let mut money_list = Vec::new();
    for u in &f.money.units {
        if u.unit.trim().is_empty() || u.multiplier <= 0 {
            return Err(invalid(file, format!("money.units: `{}` needs a unit and a positive multiplier", u.unit)));
        }
        money_forms.push(u.unit.clone());
        money_list.push(MoneyUnit { multiplier: u.multiplier, in_context_only: u.in_context_only });
    }
    if f.money.max_plausible_vnd <= 0 {
        return Err(invalid(file, "money.max_plausible_vnd must be positive"));
    }
    let mut source_forms = Vec::new();
    let mut source_labels = Vec::new();
    for s in &f.budgets.sources {
        for p in &s.phrases {
            source_forms.push(p.clone());
            source_labels.push(s.label.clone());
        }
    }
    let mut unit_forms = Vec::new();
    let mut target_unit_names = Vec::new();
    for u in &f.targets.units {
        if u.unit.trim().is_empty() {
            return Err(invalid(file, "targets.units: a unit must not be empty"));
        }
        let forms = if u.forms.is_empty() { std::slice::from_ref(&u.unit) } else { &u.forms[..] };
        for form in forms {
            unit_forms.push(form.clone());
            target_unit_names.push(u.unit.clone());
        }
    }
    let (mut before, mut keys_before, mut after, mut keys_after) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for c in &f.targets.comparators {
        if !COMPARATOR_KEYS.contains(&c.key.as_str()) {
            return Err(invalid(file, format!("targets.comparators: key `{}` is not one of gt, ge, lt, le", c.key)));
        }
        for p in &c.before {
            before.push(p.clone());
            keys_before.push(c.key.clone());
        }
        for p in &c.after {
            after.push(p.clone());
            keys_after.push(c.key.clone());
        }
    }
    Ok(Units {
        money: Phrases::new(&money_forms),
        money_list,
        unit_labels: Phrases::new(&f.money.unit_labels),
        max_plausible_vnd: f.money.max_plausible_vnd,
        budget_keywords: Phrases::new(&f.budgets.keywords),
        budget_totals: Phrases::new(&f.budgets.totals),
        budget_sources: Phrases::new(&source_forms),
        source_labels,
        per_unit: compile_regex(file, "budgets.per_unit", &f.budgets.per_unit, false)?,
        budget_limits: Phrases::new(&f.budgets.limits),
        target_sections: Phrases::new(&f.targets.sections),
        target_not_sections: Phrases::new(&f.targets.not_sections),
        target_exclude_sections: Phrases::new(&f.targets.exclude_sections),
        goal_cues: Phrases::new(&f.targets.goal_cues),
        target_units: Phrases::new(&unit_forms),
        target_unit_names,
        comparators_before: Phrases::new(&before),
        comparator_keys_before: keys_before,
        comparators_after: Phrases::new(&after),
        comparator_keys_after: keys_after,
        item_year: year_patterns(file, "targets.item_year", &f.targets.item_year)?,
        title_year: year_patterns(file, "targets.title_year", &f.targets.title_year)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_units_compile() {
        let g = crate::Grammar::embedded().expect("grammars");
        let u = &g.units;
        assert_eq!(
            u.money_at("tỷ đồng, trong đó").map(|(n, m)| (n, m.multiplier)),
            Some(("tỷ đồng".len(), 1_000_000_000))
        );
        assert!(u.money_at("triệu (90%)").is_some_and(|(_, m)| m.in_context_only));
        assert_eq!(u.target_units.match_at("phần trăm").map(|(_, i)| u.target_unit_names[i].as_str()), Some("%"));
        assert!(u.names_targets("2. Mục tiêu cụ thể") && u.names_targets("II. CHỈ TIÊU"));
        assert!(!u.names_targets("III. Vốn Chương trình mục tiêu quốc gia"));
    }

    #[test]
    fn year_screens_pass_what_the_patterns_match() {
        let g = crate::Grammar::embedded().expect("grammars");
        let u = &g.units;
        assert!(u.title_year[0].screen.is_some() && u.item_year[0].screen.is_some());
        for s in ["đến năm 2025", "Giai đoạn 2021-2025", "năm 20255", "2025ạ", "đến 2030)", "Mục tiêu", ""]
        {
            for p in u.title_year.iter().chain(&u.item_year) {
                assert!(!p.re.is_match(s) || p.may_match(s), "{s}");
            }
        }
        assert!(!u.title_year[0].may_match("Mục tiêu cụ thể"));
    }

    #[test]
    fn bad_comparator_key_is_an_error_naming_the_file() {
        let yaml = include_str!("../../grammars/units.yaml").replace("key: gt", "key: greater");
        let err = compile("units.yaml", &yaml).unwrap_err();
        assert!(err.to_string().contains("units.yaml") && err.to_string().contains("greater"), "{err}");
    }
}
