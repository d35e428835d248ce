//! Table rows as tasks (SPEC §4) and money cells as budgets (SPEC §6).
//!
//! - **Tasks.** A table with a lead column ("Cơ quan chủ trì", "Đơn vị thực hiện", "Người thực
//!   hiện" …, `grammars/tables.yaml`) gives one task per item row whose lead cell is filled:
//!   `section` "table:N/row:M" (M counts body rows as `rows` does), `origin` "table", `lead` and
//!   `partners` split with the agency rules, `timeline` from the time column, `result` from the
//!   expected-result column, `budget` the row's grand-total cell. A lead cell that labels its
//!   parts ("- Đơn vị chủ trì: Sở Công Thương. - Đơn vị phối hợp: …") gives both lead and
//!   partners; a trailing "thực hiện" is not part of a name. When a row's cells were shifted and
//!   its lead cell holds no agency, the nearest cell that does (at most two columns away) is
//!   taken instead.
//! - **Budgets.** In a table whose unit is money (from "ĐVT:", a header bracket, or, when the
//!   table prints none, the unit of a prose budget that states one of its figures), every
//!   number in a money column is a budget: `section` "table:N/row:M", `text` "`<row label>` —
//!   `<column header>`: `<cell>`" (the column header carries the year and the source of funds as
//!   printed), `amount_vnd` in đồng with the table's reading of ".", `unit` the table's unit,
//!   `source_of_funds` from the column header, `is_total` for the grand-total cell of the total
//!   row (or of the only row of a one-row table).

use compact_str::CompactString;
use std::borrow::Cow;
use std::collections::HashMap;

use super::agencies::clean;
use super::money;
use super::tables::ReadTable;
use super::{AgencyMatcher, DocContext, timeline};
use crate::grammar::tables::ColumnRole;
use crate::grammar::time::TimeRules;
use crate::model::{Agency, Budget, Diagnostic, Severity, Task, Timeline};

/// Longest row label kept in a budget's text, in characters.
const MAX_LABEL_CHARS: usize = 120;

/// The budgets of every money cell, by table and row: `(table position, row, column, budget)`,
/// in that order.
pub(crate) struct TableBudgets {
    cells: Vec<(usize, usize, usize, Budget)>,
}

impl TableBudgets {
    /// All the budgets, in table and row order.
    pub(crate) fn into_budgets(self) -> Vec<Budget> {
        self.cells.into_iter().map(|(_, _, _, b)| b).collect()
    }

    /// The budgets of row `row` of table `table` (position in the list).
    fn row(&self, table: usize, row: usize) -> &[(usize, usize, usize, Budget)] {
        let start = self.cells.partition_point(|(t, r, _, _)| (*t, *r) < (table, row));
        let end = self.cells.partition_point(|(t, r, _, _)| (*t, *r) <= (table, row));
        &self.cells[start..end]
    }

    /// The budget of row `row` of table `table`, column `col`.
    fn get(&self, table: usize, row: usize, col: usize) -> Option<&Budget> {
        self.row(table, row).iter().find(|(_, _, c, _)| *c == col).map(|(_, _, _, b)| b)
    }

    /// The only budget of a row, if it has exactly one.
    fn only(&self, table: usize, row: usize) -> Option<&Budget> {
        match self.row(table, row) {
            [(_, _, _, b)] => Some(b),
            _ => None,
        }
    }
}

/// The label of row `r`: its name cell, or the first filled text cell.
fn row_label(rt: &ReadTable, r: usize) -> Cow<'_, str> {
    let row = &rt.table.rows[r];
    let name = rt.columns.iter().position(|c| c.role == Some(ColumnRole::Name));
    let from_name = name.and_then(|c| row.get(c)).filter(|c| !c.is_empty());
    let label = from_name
        .or_else(|| {
            row.iter()
                .enumerate()
                .find(|(c, cell)| {
                    !cell.is_empty()
                        && !rt.columns[*c].marker
                        && money::parse_number(cell, money::Separator::Auto).is_none()
                })
                .map(|(_, cell)| cell)
        })
        .map_or("", CompactString::as_str);
    // (No more bytes than the most chars: no need to look for the cut.)
    match label.char_indices().nth(MAX_LABEL_CHARS).filter(|_| label.len() > MAX_LABEL_CHARS) {
        Some((cut, _)) => format!("{}…", label[..cut].trim_end()).into(),
        None => label.into(),
    }
}

/// The money unit of a table and its value, and whether it was inferred from prose.
fn money_unit(cx: &DocContext<'_>, rt: &ReadTable, prose: &[Budget]) -> Option<(String, i64, bool)> {
    if let Some(u) = &rt.table.unit
        && let Some(m) = money::unit_multiplier(u, cx.g)
    {
        return Some((u.to_string(), m, false));
    }
    for row in &rt.table.rows {
        for (c, cell) in row.iter().enumerate() {
            if !rt.columns[c].money || cell.is_empty() {
                continue;
            }
            for b in prose {
                let Some(unit) = &b.unit else { continue };
                if has_number(&b.text, cell)
                    && let Some(m) = money::unit_multiplier(unit, cx.g)
                {
                    return Some((unit.to_string(), m, true));
                }
            }
        }
    }
    None
}

/// `text` holds `number` as a whole number ("185,083" in "Tổng kinh phí: 185,083 tỷ đồng").
fn has_number(text: &str, number: &str) -> bool {
    let is_part = |c: char| c.is_ascii_digit() || c == '.' || c == ',';
    text.match_indices(number).any(|(at, m)| {
        let before = text[..at].chars().next_back();
        let after = text[at + m.len()..].chars().next();
        before.is_none_or(|c| !is_part(c))
            && after.is_none_or(|c| {
                !(c.is_ascii_digit()
                    || ((c == '.' || c == ',') && text[at + m.len() + 1..].starts_with(|d: char| d.is_ascii_digit())))
            })
    })
}

/// Where the money of a column comes from, from its header: the lowest header cell first.
/// `known` keeps what each header cell names, as a spanning cell heads several columns and
/// split tables repeat their headers.
fn source_of<'l>(cx: &DocContext<'_>, label: &'l str, known: &mut HashMap<&'l str, Option<String>>) -> Option<String> {
    let t = &cx.g.tables;
    let u = &cx.g.units;
    label.rsplit(" / ").find_map(|part| {
        known
            .entry(part)
            .or_insert_with(|| {
                t.sources
                    .find(part)
                    .map(|(_, _, i)| t.source_labels[i].clone())
                    .or_else(|| u.budget_sources.find(part).map(|(_, _, i)| u.source_labels[i].clone()))
            })
            .clone()
    })
}

/// Every money cell of every budget table.
pub(crate) fn budgets(
    cx: &DocContext<'_>,
    tables: &[ReadTable],
    prose: &[Budget],
    diagnostics: &mut Vec<Diagnostic>,
) -> TableBudgets {
    let mut cells = Vec::new();
    let mut sources = HashMap::new();
    for (ti, rt) in tables.iter().enumerate() {
        if !rt.columns.iter().any(|c| c.money) {
            continue;
        }
        let Some((unit, multiplier, inferred)) = money_unit(cx, rt, prose) else { continue };
        if inferred {
            diagnostics.push(
                Diagnostic::new(
                    Severity::Info,
                    "table.unit_inferred",
                    format!(
                        "table {} prints no unit; its amounts are read in {unit}, the unit of the same figure in the text",
                        rt.index
                    ),
                )
                .with_span(rt.table.span),
            );
        }
        let kinds = &rt.table.row_kinds;
        let has_total_row = kinds.iter().any(|k| k == "total");
        // Asked once per money column, not per cell.
        let column_sources: Vec<Option<String>> =
            rt.columns.iter().map(|c| if c.money { source_of(cx, &c.label, &mut sources) } else { None }).collect();
        for (r, row) in rt.table.rows.iter().enumerate() {
            // (Made at the row's first money cell: most rows of a task table have none.)
            let mut label_and_section = None;
            for (c, cell) in row.iter().enumerate() {
                if !rt.columns[c].money || cell.is_empty() {
                    continue;
                }
                let Some(d) = money::parse_number(cell, rt.separator) else { continue };
                let Some(amount) = d.times(multiplier) else { continue };
                let grand = rt.total_col == Some(c);
                let is_total = grand && (kinds[r] == "total" || (!has_total_row && rt.table.rows.len() == 1));
                let (label, section) = label_and_section.get_or_insert_with(|| {
                    (row_label(rt, r), compact_str::format_compact!("table:{}/row:{}", rt.index, r + 1))
                });
                let column = &rt.columns[c].label;
                // "<label> — <column>: <cell>", leaving out what is empty (pushed, not format!ted:
                // a budget table has many money cells).
                let mut text = String::with_capacity(label.len() + column.len() + cell.len() + 8);
                text.push_str(label);
                if !label.is_empty() && !column.is_empty() {
                    text.push_str(" — ");
                }
                text.push_str(column);
                if !label.is_empty() || !column.is_empty() {
                    text.push_str(": ");
                }
                text.push_str(cell);
                let budget = Budget {
                    section: section.clone(),
                    text: text.into(),
                    amount_vnd: Some(amount),
                    unit: Some(unit.as_str().into()),
                    source_of_funds: column_sources[c].as_deref().map(Into::into),
                    is_total,
                    span: rt.row_spans[r],
                };
                cells.push((ti, r, c, budget));
            }
        }
    }
    TableBudgets { cells }
}

/// The tasks of every table with a lead column.
pub(crate) fn tasks(
    cx: &DocContext<'_>,
    matcher: &AgencyMatcher<'_>,
    tables: &[ReadTable],
    budgets: &TableBudgets,
) -> Vec<Task> {
    let mut out = Vec::new();
    // Rows often repeat a time ("Năm 2023", "Thường xuyên") or a lead cell: each distinct
    // text is read once.
    let mut timelines = Timelines { rules: &cx.g.time, known: HashMap::new() };
    let mut fields: HashMap<&str, Option<(String, Option<String>)>> = HashMap::new();
    // Rows often name the same agencies: each distinct cell text is stripped and split once.
    let mut agencies: HashMap<String, (String, Vec<Agency>)> = HashMap::new();
    let mut agencies_of = |text: &str| -> (String, Vec<Agency>) {
        if let Some(known) = agencies.get(text) {
            return known.clone();
        }
        let stripped = strip_trailing_verb(cx, text);
        let found = (stripped.clone(), if stripped.is_empty() { Vec::new() } else { matcher.split(&stripped) });
        agencies.insert(text.to_owned(), found.clone());
        found
    };
    for (ti, rt) in tables.iter().enumerate() {
        let role = |r: ColumnRole| rt.columns.iter().position(|c| c.role == Some(r));
        let Some(lead_col) = role(ColumnRole::Lead) else { continue };
        let partners_col = role(ColumnRole::Partners);
        let time_col = role(ColumnRole::Time);
        let result_col = role(ColumnRole::Result);
        let name_col = role(ColumnRole::Name);
        for (r, row) in rt.table.rows.iter().enumerate() {
            if rt.table.row_kinds[r] != "item" {
                continue;
            }
            let Some((at, lead_cell)) = lead_cell(matcher, row, lead_col, &[name_col, result_col]) else {
                continue;
            };
            let (lead_text, mut partners_text) =
                match fields.entry(lead_cell).or_insert_with(|| in_cell_fields(cx, lead_cell)) {
                    Some((l, p)) => (l.clone(), p.clone()),
                    None => (lead_cell.to_owned(), None),
                };
            let (lead_text, lead) = agencies_of(&lead_text);
            if lead_text.is_empty() {
                continue;
            }
            if partners_text.is_none()
                && let Some(pc) = partners_col
            {
                let pc =
                    if at != lead_col { (pc as isize + at as isize - lead_col as isize).max(0) as usize } else { pc };
                partners_text =
                    row.get(pc).filter(|c| !c.is_empty() && matcher.starts_agency(clean(c))).map(|c| c.to_string());
            }
            let partners: Vec<Agency> = partners_text.map(|p| agencies_of(&p).1).unwrap_or_default();
            let cell = |c: Option<usize>| c.and_then(|c| row.get(c)).filter(|s| !s.is_empty());
            let budget = rt.total_col.and_then(|c| budgets.get(ti, r, c)).or_else(|| budgets.only(ti, r)).cloned();
            out.push(Task {
                section: compact_str::format_compact!("table:{}/row:{}", rt.index, r + 1),
                name: cell(name_col).cloned().unwrap_or_else(|| row_label(rt, r).into()),
                lead,
                partners,
                timeline: time_cell(&mut timelines, row, time_col, &[Some(at), name_col, result_col])
                    .map(|t| timelines.of(t).clone()),
                result: cell(result_col).cloned(),
                budget,
                origin: "table".into(),
                span: rt.row_spans[r],
            });
        }
    }
    out
}

/// The lead cell of a row: the lead column's cell when it names an agency (or, in a column of
/// people, whatever it holds), else the nearest agency-like cell up to two columns away that
/// is not the name, result or time cell.
fn lead_cell<'r>(
    matcher: &AgencyMatcher<'_>,
    row: &'r [CompactString],
    col: usize,
    not: &[Option<usize>],
) -> Option<(usize, &'r str)> {
    let own = row.get(col).map_or("", CompactString::as_str);
    let agency_like = |s: &str| !s.is_empty() && matcher.starts_agency(clean(s));
    if agency_like(own) {
        return Some((col, own));
    }
    for d in 1..=2usize {
        for c in [col.checked_sub(d), Some(col + d)].into_iter().flatten() {
            if not.contains(&Some(c)) {
                continue;
            }
            if let Some(cell) = row.get(c)
                && agency_like(cell)
                && money::parse_number(cell, money::Separator::Auto).is_none()
            {
                return Some((c, cell));
            }
        }
    }
    (!own.is_empty() && money::parse_number(own, money::Separator::Auto).is_none()).then_some((col, own))
}

/// The time cell of a row: the time column's, or, when that is empty because the row's cells
/// were shifted, the nearest cell up to two columns away that reads as a time.
fn time_cell<'r>(
    timelines: &mut Timelines<'r, '_>,
    row: &'r [CompactString],
    col: Option<usize>,
    not: &[Option<usize>],
) -> Option<&'r CompactString> {
    let col = col?;
    if let Some(own) = row.get(col).filter(|c| !c.is_empty())
        && !not.contains(&Some(col))
    {
        return Some(own);
    }
    for d in 1..=2usize {
        for c in [col.checked_sub(d), Some(col + d)].into_iter().flatten() {
            if not.contains(&Some(c)) {
                continue;
            }
            if let Some(cell) = row.get(c).filter(|c| !c.is_empty() && c.chars().count() <= 40) {
                let t = timelines.of(cell);
                let number = money::parse_number(cell, money::Separator::Auto).is_some();
                let year = cell.len() == 4 && (cell.starts_with("19") || cell.starts_with("20"));
                if (t.start.is_some() || t.end.is_some() || t.recurrence.is_some()) && (!number || year) {
                    return Some(cell);
                }
            }
        }
    }
    None
}

/// The timelines the cells of a document's tables read as, each distinct text parsed once.
struct Timelines<'t, 'g> {
    rules: &'g TimeRules,
    known: HashMap<&'t str, Timeline>,
}

impl<'t> Timelines<'t, '_> {
    fn of(&mut self, text: &'t str) -> &Timeline {
        self.known.entry(text).or_insert_with(|| timeline::parse(text, self.rules))
    }
}

/// "- Đơn vị chủ trì: Sở Công Thương. - Đơn vị phối hợp: Các sở, ngành liên quan thực hiện."
/// -> ("Sở Công Thương", Some("Các sở, ngành liên quan thực hiện")).
fn in_cell_fields(cx: &DocContext<'_>, cell: &str) -> Option<(String, Option<String>)> {
    let t = &cx.g.tables;
    // (start of label, end of label and colon, is lead)
    let mut labels: Vec<(usize, usize, bool)> = Vec::new();
    let mut prev: Option<char> = None;
    let mut skip_to = 0;
    for (at, ch) in cell.char_indices() {
        if at >= skip_to && !prev.is_some_and(char::is_alphanumeric) && ch.is_alphabetic() {
            let rest = &cell[at..];
            let found = t
                .cell_lead_labels
                .match_at(rest)
                .map(|(l, _)| (l, true))
                .into_iter()
                .chain(t.cell_partner_labels.match_at(rest).map(|(l, _)| (l, false)));
            if let Some((len, lead)) = found.max_by_key(|(l, _)| *l) {
                let after = rest[len..].trim_start();
                if let Some(stripped) = after.strip_prefix(':') {
                    let end = cell.len() - stripped.len();
                    labels.push((at, end, lead));
                    skip_to = end;
                }
            }
        }
        prev = Some(ch);
    }
    if !labels.iter().any(|l| l.2) {
        return None;
    }
    let mut lead = None;
    let mut partners = None;
    for (k, &(_, end, is_lead)) in labels.iter().enumerate() {
        let stop = labels.get(k + 1).map_or(cell.len(), |n| n.0);
        let value = clean(cell[end..stop].trim_end_matches(['-', '+', '•', ' ', '.', ';', ','])).to_owned();
        if value.is_empty() {
            continue;
        }
        if is_lead {
            lead.get_or_insert(value)
        } else {
            partners.get_or_insert(value)
        };
    }
    Some((lead?, partners))
}

/// "Các sở, ngành liên quan thực hiện." -> "Các sở, ngành liên quan".
fn strip_trailing_verb(cx: &DocContext<'_>, text: &str) -> String {
    let t = clean(text);
    match cx.g.tables.agency_trailing_verbs.ends_with(t) {
        Some((start, _)) if start > 0 => clean(&t[..start]).to_owned(),
        _ => t.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_prose() {
        assert!(has_number("Tổng kinh phí: 185,083 tỷ đồng", "185,083"));
        assert!(!has_number("Tổng kinh phí: 185,0831 tỷ đồng", "185,083"));
        assert!(!has_number("1185,083", "185,083"));
        assert!(has_number("là 38,39.", "38,39"));
    }
}
