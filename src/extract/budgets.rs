//! Budgets (kinh phí) stated in prose. Tables are read elsewhere.
//!
//! A money amount (a number and a money unit of `units.yaml`: "185,083 tỷ đồng", "56 tỷ đồng",
//! "500 triệu") is a budget when the words before it in its clause (since the line start, a ";"
//! or a "(") hold a budget word ("kinh phí", "vốn", "ngân sách", "dự toán" …): "Tổng kinh phí:
//! 185,083 tỷ đồng, trong đó: - Vốn ngân sách Trung ương: 56 tỷ đồng …" gives a total and its
//! parts. A rate ("38 triệu đồng / người / năm", "… cho mỗi doanh nghiệp") is not an amount.
//!
//! - `is_total`: the clause names a grand total ("Tổng kinh phí", "Tổng cộng", "Tổng vốn") and
//!   no limit word stands right before the number ("tổng kinh phí hỗ trợ tối đa 100 triệu đồng").
//! - `source_of_funds`: the first source phrase of the clause ("ngân sách Trung ương" ->
//!   "ngân sách trung ương"), else null.
//! - `amount_vnd`: [`super::money::amount_vnd`], the "." read per number (the Vietnamese
//!   convention, a decimal mark only when the grouping reading is absurd); `unit` as printed.
//! - `text`: the clause up to the unit, without its list marker ("Tổng kinh phí: 185,083 tỷ
//!   đồng"); `span` its bytes; `section` where the number is.

use super::DocContext;
use super::money;
use super::targets::MARKER;
use crate::layout::LineKind;
use crate::model::{Budget, Span};

pub(crate) fn extract(cx: &DocContext<'_>) -> Vec<Budget> {
    let mut out = Vec::new();
    for i in cx.body_lines() {
        if cx.layout.lines[i].kind == LineKind::Text {
            line_budgets(cx, cx.line_span(i), &mut out);
        }
    }
    out
}

fn line_budgets(cx: &DocContext<'_>, line: Span, out: &mut Vec<Budget>) {
    let u = &cx.g.units;
    let s = &cx.text()[line.start..line.end];
    // Where the previous amount of the line ends: "Tổng kinh phí: 1.250 triệu đồng, trong đó
    // ngân sách tỉnh: 1.000 triệu đồng" gives the second amount its own words.
    let mut prev_end = 0;
    let mut clauses = ClauseStarts::new(s);
    // A number as written in prose: "185,083", "95.200", "56".
    for m in money::numbers(s) {
        if s[..m.start].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '/' || c == '-') {
            continue;
        }
        let after = &s[m.end..];
        let gap = after.len() - after.trim_start_matches([' ', '\u{a0}']).len();
        let Some((ulen, unit)) = u.money_at(&after[gap..]) else { continue };
        let unit_end = m.end + gap + ulen;
        let start = clauses.at(m.start).max(prev_end);
        prev_end = unit_end;
        if u.per_unit.is_match(&s[unit_end..]) {
            continue;
        }
        let label = &s[start..m.start];
        // A bare "tỷ"/"triệu" needs the budget word next to it: within the last few words.
        let near = if unit.in_context_only { last_words(label, 6) } else { label };
        if u.budget_keywords.find(near).is_none() && u.budget_sources.find(near).is_none() {
            continue;
        }
        let unit_text = &s[m.end + gap..unit_end];
        let Some(amount) = money::amount_vnd(&s[m.clone()], unit_text, cx.g) else { continue };
        let head = &s[start..unit_end];
        let trimmed = head.trim_start_matches(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | ':' | '.'));
        let mut a = start + head.len() - trimmed.len();
        if let Some(mk) = MARKER.find(trimmed) {
            a += mk.end();
        }
        out.push(Budget {
            section: cx.section_at(line.start + m.start).into(),
            text: s[a..unit_end].into(),
            amount_vnd: Some(amount),
            unit: Some(unit_text.into()),
            source_of_funds: u.budget_sources.find(label).map(|(_, _, i)| u.source_labels[i].as_str().into()),
            is_total: u.budget_totals.find(label).is_some() && u.budget_limits.ends_with(label).is_none(),
            span: Span::new(line.start + a, line.start + unit_end),
        });
    }
}

/// The last `n` words of `s`.
fn last_words(s: &str, n: usize) -> &str {
    let t = s.trim_end();
    let mut count = 0;
    for (i, c) in t.char_indices().rev() {
        let next = i + c.len_utf8();
        if c.is_whitespace() && next < t.len() && !t[next..].starts_with(char::is_whitespace) {
            count += 1;
            if count == n {
                return &t[next..];
            }
        }
    }
    t
}

/// Where the clause holding byte `at` of `s` starts: after the last ";", "(" or sentence end.
#[cfg(test)]
fn clause_start(s: &str, at: usize) -> usize {
    (0..at).rev().find(|&i| ends_clause(s, i)).map_or(0, |i| i + 1)
}

/// Whether byte `i` of `s` ends a clause: ";", "(" or a sentence end.
fn ends_clause(s: &str, i: usize) -> bool {
    let b = s.as_bytes();
    b[i] == b';' || b[i] == b'(' || (b[i] == b'.' && s[i + 1..].starts_with(' ') && i > 0 && !b[i - 1].is_ascii_digit())
}

/// [`clause_start`] for rising places of one line, reading its bytes once: a line of many
/// amounts and no clause breaks (a table flattened into one line) would otherwise be read back
/// to its start for each amount.
struct ClauseStarts<'s> {
    s: &'s str,
    /// The bytes before it are read.
    read: usize,
    /// Where the clause holding `read` starts.
    start: usize,
}

impl<'s> ClauseStarts<'s> {
    fn new(s: &'s str) -> ClauseStarts<'s> {
        ClauseStarts { s, read: 0, start: 0 }
    }

    /// Where the clause holding byte `at` starts; `at` is never below the place asked before.
    fn at(&mut self, at: usize) -> usize {
        for i in self.read..at {
            if ends_clause(self.s, i) {
                self.start = i + 1;
            }
        }
        self.read = self.read.max(at);
        self.start
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn clause_starts_read_once_agree_with_reading_back(
            parts in proptest::collection::vec(proptest::sample::select(vec!["a", " ", ";", "(", ".", "1", "ế", ". "]), 0..40),
            mut places in proptest::collection::vec(0usize..120, 0..8),
        ) {
            let s: String = parts.concat();
            places.retain(|&p| p <= s.len() && s.is_char_boundary(p));
            places.sort_unstable();
            let mut clauses = ClauseStarts::new(&s);
            for at in places {
                proptest::prop_assert_eq!(clauses.at(at), clause_start(&s, at), "{:?} {}", s, at);
            }
        }
    }

    #[test]
    fn clauses_start_after_breaks() {
        let s = "- Vốn khác: 42,16 tỷ đồng (trong đó: vốn phân theo kế hoạch: 31,36 tỷ đồng; vốn hợp tác công tư: 10,8 tỷ đồng)";
        let at = s.find("31,36").unwrap();
        assert_eq!(s[clause_start(s, at)..at].trim(), "trong đó: vốn phân theo kế hoạch:");
        let at = s.find("10,8").unwrap();
        assert_eq!(s[clause_start(s, at)..at].trim(), "vốn hợp tác công tư:");
        assert_eq!(clause_start(s, s.find("42,16").unwrap()), 0);
        assert_eq!(last_words("một hai ba bốn", 2), "ba bốn");
        assert_eq!(last_words("một", 2), "một");
    }
}
