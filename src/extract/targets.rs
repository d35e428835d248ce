//! Targets (chỉ tiêu, mục tiêu).
//!
//! What counts as a target (rules and words in `units.yaml`, `targets`):
//!
//! - every figure with a unit ("100%", "trên 1000 lượt", "02 chuyên gia", "10-20 xã/ khu dân
//!   cư") in a target part: a section whose title says "Mục tiêu"/"Chỉ tiêu", with its
//!   subsections. One target per figure: "100% tổ chức … và 100% doanh nghiệp …" is two,
//!   "70%/60%/40%" is three. A number without a unit ("mức độ 3, 4", "năm 2025") is not one.
//!   A line "Mục tiêu cụ thể:" that the section tree does not hold (no marker) opens such a part
//!   up to the next heading. "Chương trình mục tiêu quốc gia" names no target part.
//! - not the results an evaluation reports: nothing under a section titled "Đánh giá", "Kết quả
//!   đạt được", "Tình hình", "Thực trạng" … (even "TÌNH HÌNH THỰC HIỆN MỤC TIÊU …"), nor table
//!   rows, nor footnotes.
//! - in a document without any target part, a figure in a line with a goal word ("phấn đấu",
//!   "mục tiêu", "chỉ tiêu") outside the evaluation parts.
//!
//! `comparator` comes from the words right before the figure ("trên" -> gt, "tối thiểu" -> ge,
//! "dưới" -> lt, "tối đa" -> le) or right after its unit ("trở lên" -> ge); `year` from the item
//! ("đến năm 2025"), else from the nearest section title that names a year ("Mục tiêu đến
//! 2025"; "… đến năm 2025, định hướng đến năm 2030" -> 2025; "GIAI ĐOẠN 2017-2020" -> 2020),
//! else from the document's title ("… năm 2023");
//! `text` is the clause (between ";" or sentence ends) holding the figure, without its bullet.

use std::sync::LazyLock;

use regex::Regex;

use super::money::{self, Separator, parse_number};
use super::{DocContext, Stretches};
use crate::grammar::gate::Prefix;
use crate::grammar::units::{Units, YearPattern};
use crate::layout::LineKind;
use crate::model::{Section, Span, Target};

/// A list marker at the start of an item: "- ", "+ ", "a) ", "1. ", "2.1. ".
pub(super) static MARKER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[-+•*–]\s*|(?:\d+(?:\.\d+)*|[IVXLC]+|[\p{Ll}\p{Lu}])[.)]\s+)+").expect("valid regex")
});

/// [`MARKER`] walked by hand (see [`Prefix`]).
static MARKER_PREFIX: LazyLock<Option<Prefix>> = LazyLock::new(|| Prefix::new(MARKER.as_str()));

/// The end of the [`MARKER`] at the start of `t`, if any. Most lines start with a word, which
/// no marker does: a letter followed by more than `.` or `)` is no marker unless it may be a
/// Roman numeral, and an ASCII char that is no letter, digit or bullet starts none either.
/// Those lines are answered without the regex (which costs far more than this test).
fn marker_end(t: &str) -> Option<usize> {
    let mut chars = t.chars();
    let first = chars.next()?;
    let no_marker = if first.is_ascii() {
        !(first.is_ascii_alphanumeric() || matches!(first, '-' | '+' | '*'))
            || (first.is_ascii_alphabetic()
                && !matches!(first, 'I' | 'V' | 'X' | 'L' | 'C')
                && !matches!(chars.next(), Some('.' | ')')))
    } else {
        first.is_alphabetic() && !matches!(chars.next(), Some('.' | ')'))
    };
    if no_marker {
        return None;
    }
    match MARKER_PREFIX.as_ref().map(|p| p.end(t)) {
        Some(Ok(end)) => end,
        _ => MARKER.find(t).map(|m| m.end()),
    }
}

/// A part of the document whose figures are targets, and the year its title (or an ancestor's)
/// names.
#[derive(Debug, Clone, Copy)]
struct Part {
    span: Span,
    year: Option<i32>,
}

pub(crate) fn extract(cx: &DocContext<'_>) -> Vec<Target> {
    let u = &cx.g.units;
    let (mut parts, mut excluded, mut starts) = (Vec::new(), Vec::new(), Vec::new());
    walk(u, &cx.doc.sections, (false, false), &mut Vec::new(), &mut parts, &mut excluded, &mut starts);
    starts.sort_unstable();
    let doc_year = document_year(cx);
    // Asked of every line: by binary search and by a sweep, not by going through the parts
    // (a document of n target sections would cost n² here).
    let excluded = Stretches::new(excluded);
    let in_parts = Stretches::new(parts.iter().map(|p| p.span).collect());
    let mut innermost = Innermost::new(&parts);
    let text_lines = || cx.body_lines().filter(|&i| cx.layout.lines[i].kind == LineKind::Text);
    // A target heading the section tree does not hold ("Mục tiêu cụ thể:" without a marker)
    // opens a part up to the next heading.
    let pseudo_heading = |i: usize| {
        let t = cx.line(i);
        let t = marker_end(t).map_or(t, |end| &t[end..]);
        // The anchored phrase match first: it rules out most lines at once.
        u.target_sections.match_at(t).is_some()
            && t.chars().count() <= 100
            && u.names_targets(t)
            && u.target_exclude_sections.find(t).is_none()
            && !in_parts.hold(cx.line_span(i).start)
    };
    let has_parts = !parts.is_empty() || text_lines().any(pseudo_heading);
    let mut pseudo: Option<Part> = None;
    let mut out = Vec::new();
    for i in text_lines() {
        let span = cx.line_span(i);
        if excluded.hold(span.start) {
            continue;
        }
        let holding = innermost.at(span.start);
        if starts.binary_search(&span.start).is_ok() || (pseudo.is_some() && heading_like(cx.line(i))) {
            pseudo = None;
        }
        if pseudo_heading(i) {
            let year = title_year(u, cx.line(i));
            pseudo =
                Some(Part { span: Span::new(span.start, usize::MAX), year: year.or(holding.and_then(|p| p.year)) });
            continue;
        }
        let year = match holding.or(pseudo.as_ref()) {
            Some(p) => p.year,
            None if !has_parts && u.goal_cues.find(cx.line(i)).is_some() => None,
            None => continue,
        };
        figures(cx, u, span, year.or(doc_year), &mut out);
    }
    out
}

/// A line that reads as a heading: short, not a list item, ending with ":" or in capitals.
fn heading_like(t: &str) -> bool {
    let caps = t.chars().any(char::is_alphabetic) && t.chars().filter(|c| c.is_alphabetic()).all(char::is_uppercase);
    t.chars().count() <= 100 && !t.starts_with(['-', '+', '•', '*']) && (t.ends_with(':') || caps)
}

impl Part {
    fn contains(&self, at: usize) -> bool {
        self.span.start <= at && at < self.span.end
    }
}

/// The innermost part holding each place of a rising sequence: the last part in the list
/// (pre-order: parts nest, and start in order) that holds it. The parts open at the place are
/// kept on a stack as the places rise, so each part is looked at a few times in all.
struct Innermost<'p> {
    parts: &'p [Part],
    /// The parts before it start at or before the last place asked.
    next: usize,
    /// Indexes of parts started so far, not yet found ended; the innermost on top.
    open: Vec<usize>,
}

impl<'p> Innermost<'p> {
    fn new(parts: &'p [Part]) -> Innermost<'p> {
        debug_assert!(parts.windows(2).all(|w| w[0].span.start <= w[1].span.start), "parts start in order");
        Innermost { parts, next: 0, open: Vec::new() }
    }

    /// The last part holding `at`; `at` is never below the place asked before.
    fn at(&mut self, at: usize) -> Option<&'p Part> {
        while self.parts.get(self.next).is_some_and(|p| p.span.start <= at) {
            self.open.push(self.next);
            self.next += 1;
        }
        // A part that does not hold `at` (it started before) has ended: no later place is in it.
        while self.open.last().is_some_and(|&k| !self.parts[k].contains(at)) {
            self.open.pop();
        }
        self.open.last().map(|&k| &self.parts[k])
    }
}

/// Collect the target parts and the evaluation parts of `sections`. `inherited`: (in a target
/// part, in an evaluation part); `titles`: the titles of the sections above, each with its
/// year once read ([`year_of`]).
fn walk<'s>(
    u: &Units,
    sections: &'s [Section],
    inherited: (bool, bool),
    titles: &mut Vec<(&'s str, Option<Option<i32>>)>,
    parts: &mut Vec<Part>,
    excluded: &mut Vec<Span>,
    starts: &mut Vec<usize>,
) {
    let (in_target, in_eval) = inherited;
    for s in sections {
        let eval = in_eval || u.target_exclude_sections.find(&s.title).is_some();
        let target = !eval && (in_target || u.names_targets(&s.title));
        titles.push((&s.title, None));
        if eval {
            excluded.push(s.span);
        } else if target {
            parts.push(Part { span: s.span, year: year_of(u, titles) });
        }
        starts.push(s.span.start);
        walk(u, &s.children, (target, eval), titles, parts, excluded, starts);
        titles.pop();
    }
}

/// The year the innermost of `titles` naming one names. Only target parts need it, so each
/// title is read when first asked, and once.
fn year_of(u: &Units, titles: &mut [(&str, Option<Option<i32>>)]) -> Option<i32> {
    titles.iter_mut().rev().find_map(|(title, year)| *year.get_or_insert_with(|| title_year(u, title)))
}

/// The last year one of `patterns` finds in `s`.
fn last_year(patterns: &[YearPattern], s: &str) -> Option<i32> {
    patterns
        .iter()
        .filter(|p| p.may_match(s))
        .filter_map(|p| p.re.captures_iter(s).filter_map(|c| c.name("y")).last().map(|m| (m.start(), m.as_str())))
        .max_by_key(|(at, _)| *at)
        .and_then(|(_, y)| y.parse().ok())
}

/// The first year one of `patterns` finds in `s`.
fn first_year(patterns: &[YearPattern], s: &str) -> Option<i32> {
    patterns
        .iter()
        .filter(|p| p.may_match(s))
        .filter_map(|p| p.re.captures(s).and_then(|c| c.name("y")).map(|m| (m.start(), m.as_str())))
        .min_by_key(|(at, _)| *at)
        .and_then(|(_, y)| y.parse().ok())
}

/// The target year a title names: the first "đến năm 2025" ("… đến năm 2025, định hướng đến
/// năm 2030" -> 2025), else the last year ("GIAI ĐOẠN 2017-2020" -> 2020).
fn title_year(u: &Units, title: &str) -> Option<i32> {
    first_year(&u.item_year, title).or_else(|| last_year(&u.title_year, title))
}

/// The year the document's title names ("Kế hoạch Chuyển đổi số tỉnh Hà Tĩnh năm 2023"): the
/// lines after the type line, up to the preamble or the first section.
fn document_year(cx: &DocContext<'_>) -> Option<i32> {
    cx.doc.type_line?;
    let u = &cx.g.units;
    let stop = cx.doc.sections.first().map_or(usize::MAX, |s| s.span.start);
    let mut year = None;
    let mut seen = 0;
    for i in cx.body_lines() {
        let t = cx.line(i);
        if cx.line_span(i).start >= stop || cx.g.citations.basis_openers.match_at(t).is_some() || seen >= 4 {
            break;
        }
        if t.is_empty() {
            continue;
        }
        seen += 1;
        year = title_year(u, t).or(year);
    }
    year
}

/// The targets of one line.
fn figures(cx: &DocContext<'_>, u: &Units, line: Span, year: Option<i32>, out: &mut Vec<Target>) {
    let text = cx.text();
    let s = &text[line.start..line.end];
    let mut from = 0;
    while let Some(number) = money::next_number(s, from) {
        let m = number.start..figure_end(s, number.end);
        from = m.end;
        let prev = s[..m.start].chars().next_back();
        if prev.is_some_and(|c| c.is_alphanumeric() || c == '.' || c == ',') {
            continue;
        }
        let after = &s[m.end..];
        if after.starts_with(char::is_alphanumeric) {
            continue; // "4G"
        }
        let gap = after.len() - after.trim_start_matches([' ', '\u{a0}']).len();
        let Some((ulen, idx)) = u.target_units.match_at(&after[gap..]) else { continue };
        let mut unit = u.target_unit_names[idx].clone();
        let mut unit_end = m.end + gap + ulen;
        // "xã/ khu dân cư": a unit per another.
        if unit != "%"
            && let Some(extra) = per_unit(&s[unit_end..])
        {
            unit = format!("{unit}/{}", extra.1);
            unit_end += extra.0;
        }
        let Some(value) = value_of(&s[m.clone()]) else { continue };
        let before = u.comparators_before.ends_with(&s[..m.start]).map(|(_, i)| u.comparator_keys_before[i].clone());
        let rest = &s[unit_end..];
        let rest = &rest[rest.len() - rest.trim_start().len()..];
        let after_cmp = u.comparators_after.match_at(rest).map(|(_, i)| u.comparator_keys_after[i].clone());
        let (cstart, cend) = clause(s, m.start, unit_end);
        let clause_text = &s[cstart..cend];
        let year = first_year(&u.item_year, clause_text).or(year);
        out.push(Target {
            section: cx.section_at(line.start + m.start).into(),
            text: clause_text.into(),
            value: value.into(),
            unit: Some(unit.into()),
            comparator: before.or(after_cmp).map(Into::into),
            year,
            span: Span::new(line.start + cstart, line.start + cend),
        });
    }
}

/// Where a figure whose first number ends at byte `end` of `s` ends: a range goes on to its
/// second number ("10-20", "10 – 20"). With [`money::next_number`], what
/// `\d+(?:[.,]\d+)*(?:\s*[-–]\s*\d+(?:[.,]\d+)*)?` finds.
fn figure_end(s: &str, end: usize) -> usize {
    let Some(dash) = s[end..].trim_start().strip_prefix(['-', '–']) else { return end };
    let at = s.len() - dash.trim_start().len();
    let to = money::number_end(s, at);
    if to == at { end } else { to }
}

/// "/ khu dân cư" right after a unit: `(bytes, "khu dân cư")`, one to three lower-case words
/// ending at punctuation or the end of the line.
fn per_unit(s: &str) -> Option<(usize, String)> {
    let rest = s.strip_prefix('/')?;
    let end = rest.find(|c: char| !(c.is_alphabetic() || c == ' ')).unwrap_or(rest.len());
    let words: Vec<&str> = rest[..end].split_whitespace().collect();
    let ok = (1..=3).contains(&words.len()) && words.iter().all(|w| w.starts_with(char::is_lowercase));
    ok.then(|| (1 + rest[..end].trim_end().len(), words.join(" ")))
}

/// The value of a figure in plain notation: "100", "59.2", "10-20".
fn value_of(figure: &str) -> Option<String> {
    let parts: Vec<&str> = figure.split(['-', '–']).map(str::trim).collect();
    let plain: Option<Vec<String>> =
        parts.iter().map(|p| parse_number(p, Separator::Auto).map(|d| d.to_plain())).collect();
    plain.map(|p| p.join("-"))
}

/// The clause of `s` around `[start, end)`: from after the previous ";" or sentence end to the
/// next one, without a leading list marker.
fn clause(s: &str, start: usize, end: usize) -> (usize, usize) {
    let bytes = s.as_bytes();
    // (Only a ";" or "." can be a break: those are found with memchr, not every byte asked.)
    let is_break =
        |i: usize| bytes[i] == b';' || (bytes.get(i + 1) == Some(&b' ') && (i == 0 || !bytes[i - 1].is_ascii_digit()));
    let mut a = memchr::memrchr2_iter(b';', b'.', &bytes[..start]).find(|&i| is_break(i)).map_or(0, |i| i + 1);
    let b = memchr::memchr2_iter(b';', b'.', &bytes[end..]).map(|i| end + i).find(|&i| is_break(i)).unwrap_or(s.len());
    let head = &s[a..b];
    let trimmed = head.trim_start();
    a += head.len() - trimmed.len();
    if let Some(end) = marker_end(trimmed) {
        a += end;
    }
    let body = s[a..b].trim_end();
    (a, a + body.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_in_plain_notation() {
        assert_eq!(value_of("100").as_deref(), Some("100"));
        assert_eq!(value_of("59,2").as_deref(), Some("59.2"));
        assert_eq!(value_of("1.000").as_deref(), Some("1000"));
        assert_eq!(value_of("02").as_deref(), Some("2"));
        assert_eq!(value_of("10-20").as_deref(), Some("10-20"));
    }

    #[test]
    fn figures_are_the_regex_matches() {
        let re = Regex::new(r"\d+(?:[.,]\d+)*(?:\s*[-–]\s*\d+(?:[.,]\d+)*)?").unwrap();
        for s in ["10-20 xã, 10 – 20, 5 -x, 7- 8-9, 1.5 –2,5%; 3 - ", "năm 2025 -\u{a0}2030", "", "4-"] {
            let want: Vec<_> = re.find_iter(s).map(|m| m.range()).collect();
            let mut got = Vec::new();
            let mut from = 0;
            while let Some(n) = money::next_number(s, from) {
                let end = figure_end(s, n.end);
                got.push(n.start..end);
                from = end;
            }
            assert_eq!(got, want, "{s}");
        }
    }

    #[test]
    fn clauses_and_markers() {
        let s =
            "- 100% thủ tục hành chính đủ điều kiện, trong đó tối thiểu 80% dịch vụ công; 80% dịch vụ công trực tuyến.";
        let at = s.find("80% dịch vụ công;").unwrap();
        let (a, b) = clause(s, at, at + 3);
        assert_eq!(&s[a..b], "100% thủ tục hành chính đủ điều kiện, trong đó tối thiểu 80% dịch vụ công");
        let at = s.rfind("80%").unwrap();
        let (a, b) = clause(s, at, at + 3);
        assert_eq!(&s[a..b], "80% dịch vụ công trực tuyến.");
        assert_eq!(per_unit("/ khu dân cư."), Some(("/ khu dân cư".len(), "khu dân cư".to_owned())));
        assert_eq!(per_unit(" trên địa bàn"), None);
    }

    proptest::proptest! {
        #[test]
        fn innermost_is_the_last_part_holding_the_place(
            mut spans in proptest::collection::vec((0usize..60, 0usize..30), 0..10),
            mut places in proptest::collection::vec(0usize..90, 0..20),
        ) {
            spans.sort_unstable_by_key(|&(start, _)| start);
            let parts: Vec<Part> =
                spans.iter().map(|&(start, len)| Part { span: Span::new(start, start + len), year: None }).collect();
            places.sort_unstable();
            let mut innermost = Innermost::new(&parts);
            for at in places {
                let naive = parts.iter().rposition(|p| p.contains(at));
                let swept = innermost.at(at).map(|p| std::ptr::from_ref(p) as usize);
                proptest::prop_assert_eq!(swept, naive.map(|k| std::ptr::from_ref(&parts[k]) as usize), "{}", at);
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn marker_ends_are_the_regex_matches(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "-", "+", "•", "*", "–", "—", " ", "1", "12", ".", ")", "I", "V", "X", "C", "D", "a", "đ", "Đ",
                "Mục", "tiêu", "ứ", "(", "\"", "\u{661}", "ǅ", "ª", "Ⅳ", "x",
            ]), 0..8),
        ) {
            let t: String = parts.concat();
            proptest::prop_assert_eq!(marker_end(&t), MARKER.find(&t).map(|m| m.end()), "{:?}", t);
        }
    }

    #[test]
    fn years_from_titles() {
        let g = crate::Grammar::embedded().expect("grammars");
        let u = &g.units;
        assert_eq!(last_year(&u.title_year, "KẾ HOẠCH PHÁT TRIỂN CNTT GIAI ĐOẠN 2017-2020"), Some(2020));
        assert_eq!(last_year(&u.title_year, "Mục tiêu đến 2025"), Some(2025));
        assert_eq!(last_year(&u.item_year, "phát triển đến năm 2030 và hơn"), Some(2030));
        assert_eq!(last_year(&u.title_year, "Mục tiêu cụ thể"), None);
        assert_eq!(title_year(u, "Mục tiêu đến năm 2025, định hướng đến năm 2030"), Some(2025));
        assert_eq!(title_year(u, "GIAI ĐOẠN 2017-2020"), Some(2020));
        assert_eq!(first_year(&u.item_year, "tập huấn đến 2000 người"), None);
    }
}
