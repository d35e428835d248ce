//! `grammars/tables.yaml`: column names, row markers, total words and unit labels of tables.

use regex::Regex;
use regex_syntax::hir::Look;
use serde::Deserialize;

use super::citations::Phrases;
use super::compile_regex;
use crate::error::GrammarError;
use crate::text::lower_fast;

/// What a table column holds, from its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum ColumnRole {
    /// Lead agency or person.
    Lead,
    /// Partner agencies.
    Partners,
    /// Time of a task.
    Time,
    /// Expected result.
    Result,
    /// Remarks.
    Note,
    /// Money.
    Money,
    /// Numbers that are not money (quantities, rates).
    NotMoney,
    /// What the row is about.
    Name,
}

/// Compiled `tables.yaml`.
#[derive(Debug, Clone)]
pub(crate) struct TableRules {
    /// Column phrases; the index points into `column_roles`.
    pub(crate) columns: Phrases,
    pub(crate) column_roles: Vec<ColumnRole>,
    /// Whole header cells of a row-number column, lower case with single spaces.
    pub(crate) marker_columns: Vec<String>,
    pub(crate) item_marker: Regex,
    /// The longest cell `item_marker` can match (it matches whole cells).
    item_marker_max_len: usize,
    pub(crate) group_marker: Regex,
    pub(crate) index_cell: Regex,
    pub(crate) total_rows: Phrases,
    pub(crate) total_columns: Phrases,
    pub(crate) total_row_max_extra_words: usize,
    pub(crate) unit_labels: Phrases,
    pub(crate) cell_lead_labels: Phrases,
    pub(crate) cell_partner_labels: Phrases,
    pub(crate) agency_trailing_verbs: Phrases,
    /// Source phrases; the index points into `source_labels`.
    pub(crate) sources: Phrases,
    pub(crate) source_labels: Vec<String>,
    pub(crate) layout_cells: Vec<String>,
    pub(crate) layout_cell_prefixes: Vec<String>,
    /// `layout_first_bytes[b]`: `b` is the first byte of one of `layout_cells` and
    /// `layout_cell_prefixes`, as a layout cell's is (all true when one of them is empty).
    layout_first_bytes: [bool; 256],
    pub(crate) max_debris_lines: usize,
    pub(crate) max_debris_chars: usize,
    pub(crate) max_header_rows: usize,
    pub(crate) max_header_cell_chars: usize,
}

impl TableRules {
    /// The role a header text names: the phrase found first wins, ties go to the earlier role
    /// of the file.
    pub(crate) fn role_of(&self, header: &str) -> Option<ColumnRole> {
        let (_, _, i) = self.columns.find(header)?;
        Some(self.column_roles[i])
    }

    /// True when `cell` is a row marker ("1", "2.1", "II", "a)"): `item_marker`, asked only of
    /// cells short enough to be one.
    pub(crate) fn is_item_marker(&self, cell: &str) -> bool {
        cell.len() <= self.item_marker_max_len && self.item_marker.is_match(cell)
    }

    /// True when `cell` makes its row a layout row (a formula, a "key : value" line).
    pub(crate) fn is_layout_cell(&self, cell: &str) -> bool {
        // Most cells start with another byte than any of them: told without comparing.
        if let Some(&b) = cell.as_bytes().first()
            && !self.layout_first_bytes[usize::from(b)]
        {
            return false;
        }
        self.layout_cells.iter().any(|l| l == cell)
            || self.layout_cell_prefixes.iter().any(|p| cell.starts_with(p.as_str()))
    }

    /// True when `cell` is the whole header of a row-number column ("STT", "TT").
    pub(crate) fn is_marker_column(&self, cell: &str) -> bool {
        // "Σ" lower-cases by its context: only then is the lower-case text built.
        if cell.contains('Σ') {
            let low = cell.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
            return self.marker_columns.contains(&low);
        }
        self.marker_columns.iter().any(|m| words_lower_eq(cell, m))
    }
}

/// The words of `cell` joined by single spaces and in lower case equal `want` (compared as
/// they are read, without building that text; no "Σ" in `cell`, whose lower case depends on
/// its place).
fn words_lower_eq(cell: &str, want: &str) -> bool {
    let mut want = want.chars();
    for (i, w) in cell.split_whitespace().enumerate() {
        if i > 0 && want.next() != Some(' ') {
            return false;
        }
        for c in w.chars() {
            let same = match lower_fast(c) {
                Some(l) => want.next() == Some(l),
                None => c.to_lowercase().all(|l| want.next() == Some(l)),
            };
            if !same {
                return false;
            }
        }
    }
    want.next().is_none()
}

/// The longest text `re` matches when it matches only whole texts (anchored at both ends);
/// `usize::MAX` otherwise.
fn whole_match_max_len(re: &Regex) -> usize {
    let Ok(hir) = regex_syntax::Parser::new().parse(re.as_str()) else { return usize::MAX };
    let p = hir.properties();
    let whole = p.look_set_prefix().contains(Look::Start) && p.look_set_suffix().contains(Look::End);
    match p.maximum_len() {
        Some(n) if whole => n,
        _ => usize::MAX,
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    columns: Columns,
    marker_columns: Vec<String>,
    item_marker: String,
    group_marker: String,
    index_cell: String,
    total_rows: Vec<String>,
    total_columns: Vec<String>,
    total_row_max_extra_words: usize,
    unit_labels: Vec<String>,
    cell_lead_labels: Vec<String>,
    cell_partner_labels: Vec<String>,
    agency_trailing_verbs: Vec<String>,
    sources: Vec<SourceEntry>,
    layout_cells: Vec<String>,
    layout_cell_prefixes: Vec<String>,
    max_debris_lines: usize,
    max_debris_chars: usize,
    max_header_rows: usize,
    max_header_cell_chars: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Columns {
    lead: Vec<String>,
    partners: Vec<String>,
    time: Vec<String>,
    result: Vec<String>,
    note: Vec<String>,
    money: Vec<String>,
    not_money: Vec<String>,
    name: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SourceEntry {
    label: String,
    phrases: Vec<String>,
}

pub(super) fn compile(file: &str, yaml: &str) -> Result<TableRules, GrammarError> {
    let f: File = super::parse(file, yaml)?;
    let c = f.columns;
    let mut forms = Vec::new();
    let mut column_roles = Vec::new();
    for (role, list) in [
        (ColumnRole::Lead, c.lead),
        (ColumnRole::Partners, c.partners),
        (ColumnRole::Time, c.time),
        (ColumnRole::Result, c.result),
        (ColumnRole::Note, c.note),
        (ColumnRole::NotMoney, c.not_money),
        (ColumnRole::Money, c.money),
        (ColumnRole::Name, c.name),
    ] {
        for p in list {
            forms.push(p);
            column_roles.push(role);
        }
    }
    let mut source_forms = Vec::new();
    let mut source_labels = Vec::new();
    for s in &f.sources {
        for p in &s.phrases {
            source_forms.push(p.clone());
            source_labels.push(s.label.clone());
        }
    }
    if f.max_header_rows == 0 {
        return Err(GrammarError::Invalid {
            file: file.to_owned(),
            message: "max_header_rows must be at least 1".into(),
        });
    }
    let item_marker = compile_regex(file, "item_marker", &f.item_marker, true)?;
    Ok(TableRules {
        columns: Phrases::new(&forms),
        column_roles,
        marker_columns: (f.marker_columns.iter())
            .map(|m| m.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase())
            .collect(),
        item_marker_max_len: whole_match_max_len(&item_marker),
        item_marker,
        group_marker: compile_regex(file, "group_marker", &f.group_marker, true)?,
        index_cell: compile_regex(file, "index_cell", &f.index_cell, true)?,
        total_rows: Phrases::new(&f.total_rows),
        total_columns: Phrases::new(&f.total_columns),
        total_row_max_extra_words: f.total_row_max_extra_words,
        unit_labels: Phrases::new(&f.unit_labels),
        cell_lead_labels: Phrases::new(&f.cell_lead_labels),
        cell_partner_labels: Phrases::new(&f.cell_partner_labels),
        agency_trailing_verbs: Phrases::new(&f.agency_trailing_verbs),
        sources: Phrases::new(&source_forms),
        source_labels,
        layout_first_bytes: {
            let mut firsts = [false; 256];
            for l in f.layout_cells.iter().chain(&f.layout_cell_prefixes) {
                match l.as_bytes().first() {
                    Some(&b) => firsts[usize::from(b)] = true,
                    None => firsts = [true; 256],
                }
            }
            firsts
        },
        layout_cells: f.layout_cells,
        layout_cell_prefixes: f.layout_cell_prefixes,
        max_debris_lines: f.max_debris_lines,
        max_debris_chars: f.max_debris_chars,
        max_header_rows: f.max_header_rows,
        max_header_cell_chars: f.max_header_cell_chars,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_tables_compile() {
        let g = crate::Grammar::embedded().expect("grammars");
        let t = &g.tables;
        assert_eq!(t.role_of("Cơ quan chủ trì"), Some(ColumnRole::Lead));
        assert_eq!(t.role_of("Thời gian thực hiện"), Some(ColumnRole::Time));
        assert_eq!(t.role_of("Dự kiến kết quả đạt được"), Some(ColumnRole::Result));
        assert_eq!(t.role_of("Kinh phí thực hiện tạm tính (triệu đồng)"), Some(ColumnRole::Money));
        assert_eq!(t.role_of("Người thực hiện"), Some(ColumnRole::Lead));
        assert_eq!(t.role_of("Nhiệm vụ thực hiện"), Some(ColumnRole::Name));
        assert!(t.is_marker_column(" STT ") && !t.is_marker_column("Nội dung"));
        for cell in ["STT", "stt", " Số  TT ", "SỐ\tTHỨ TỰ", "Số thứ tự (1)", "S TT", "STTΣ", "TT ", "T T", "", "İSTT"]
        {
            let low = cell.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
            assert_eq!(t.is_marker_column(cell), t.marker_columns.contains(&low), "{cell:?}");
        }
        assert!(t.item_marker.is_match("1.2") && t.item_marker.is_match("II") && !t.item_marker.is_match("12a"));
        assert!(t.item_marker_max_len < 100);
        for cell in
            ["1", "1.2.3.4.", "123.123.123.123.", "123.123.123.123.1", "IV.", "đ)", "Đ.", "#", "", "Tổng cộng", "1.2 a"]
        {
            assert_eq!(t.is_item_marker(cell), t.item_marker.is_match(cell), "{cell:?}");
        }
        assert_eq!(whole_match_max_len(&Regex::new("^a+$").unwrap()), usize::MAX);
        assert_eq!(whole_match_max_len(&Regex::new("^ab?").unwrap()), usize::MAX);
        assert_eq!(whole_match_max_len(&Regex::new("^(?:ab?|c)$").unwrap()), 2);
        assert!(t.index_cell.is_match("12= 5 + 10 + 11") && t.index_cell.is_match("B"));
        for cell in [":", "=", "x", "X", "×", ": 5", "= 10", "xa", "Sở", "", "×2", "X:"] {
            let plain = t.layout_cells.iter().any(|l| l == cell)
                || t.layout_cell_prefixes.iter().any(|p| cell.starts_with(p.as_str()));
            assert_eq!(t.is_layout_cell(cell), plain, "{cell:?}");
        }
    }
}
