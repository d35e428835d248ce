//! Time expressions (thời gian thực hiện) normalized to intervals.
//!
//! "Quý II-IV/2022" -> 2022-04-01..2022-12-31; "2022 - 2030" -> 2022-01-01..2030-12-31;
//! "Năm 2023" -> the year; "6 tháng đầu năm 2023" -> the first half; "tháng 6/2023" -> the
//! month; "trước ngày 30/11/2022" -> end only; "trước ngày 30/11 hằng năm" -> no dates, yearly;
//! "Thường xuyên" or "Khi có hướng dẫn của Bộ …" -> no dates, text kept.

use std::sync::LazyLock;

use regex::Regex;

use crate::grammar::time::TimeRules;
use crate::model::Timeline;
use crate::text::to_lower;

static SHORT_DATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(?P<d>\d{1,2})\s*/\s*(?P<m>\d{1,2})\s*/\s*(?P<year>\d{4})\b").expect("valid"));
static YEAR: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b(?P<year>(?:19|20)\d{2})\b").expect("valid"));

/// Parse a time text as printed.
pub(crate) fn parse(text: &str, rules: &TimeRules) -> Timeline {
    let text = text.trim().trim_end_matches(['.', ';', ',']).trim();
    let low = to_lower(text);
    let recurrence = rules.recurrence.iter().find(|(_, p)| low.contains(p.as_str())).map(|(r, _)| (*r).to_owned());
    let (start, end) = interval(&low, rules);
    Timeline {
        text: text.into(),
        start: start.map(Into::into),
        end: end.map(Into::into),
        recurrence: recurrence.map(Into::into),
    }
}

fn interval(low: &str, rules: &TimeRules) -> (Option<String>, Option<String>) {
    // Every pattern below needs a digit (`\d`: any decimal digit): most time texts that have
    // none ("Thường xuyên", "Hằng năm") are done without trying them.
    if !low.chars().any(|c| c.is_ascii_digit() || (!c.is_ascii() && c.is_numeric())) {
        return (None, None);
    }
    let deadline = rules.deadline_cues.iter().any(|c| low.contains(c.as_str()));
    // An exact date: a deadline, or a one-day interval.
    // (A short date holds a "/", a year "19" or "20": without one, the regex, slow on
    // Vietnamese text because of its Unicode word boundaries, is not run.)
    let date = (rules.long_date_re.as_ref().and_then(|r| r.captures(low)))
        .or_else(|| if low.contains('/') { SHORT_DATE.captures(low) } else { None });
    if let Some(c) = date {
        // A date that does not exist fixes nothing.
        let Some(iso) = ymd(&c["year"], &c["m"], &c["d"]) else { return (None, None) };
        return if deadline { (None, Some(iso)) } else { (Some(iso.clone()), Some(iso)) };
    }
    if let Some(c) = rules.quarter_re.as_ref().and_then(|r| r.captures(low)) {
        let year: i32 = c["year"].parse().unwrap_or(0);
        let a = quarter(&c["a"]);
        let b = c.name("b").map_or(a, |b| quarter(b.as_str()));
        if let (Some(a), Some(b)) = (a, b)
            && a <= b
            && valid_year(year)
        {
            let start = format!("{year:04}-{:02}-01", (a - 1) * 3 + 1);
            let end = month_end(year, b * 3);
            return if deadline { (None, Some(end)) } else { (Some(start), Some(end)) };
        }
    }
    if let Some(c) = rules.year_range_re.as_ref().and_then(|r| r.captures(low)) {
        let (a, b): (i32, i32) = (c["a"].parse().unwrap_or(0), c["b"].parse().unwrap_or(0));
        if valid_year(a) && valid_year(b) && a <= b {
            return (Some(format!("{a:04}-01-01")), Some(format!("{b:04}-12-31")));
        }
    }
    if let Some(c) = rules.month_re.as_ref().and_then(|r| r.captures(low)) {
        let year: i32 = c["year"].parse().unwrap_or(0);
        let m: u32 = c["m"].parse().unwrap_or(0);
        if valid_year(year) && (1..=12).contains(&m) {
            let end = month_end(year, m);
            return if deadline { (None, Some(end)) } else { (Some(format!("{year:04}-{m:02}-01")), Some(end)) };
        }
    }
    if (low.contains("19") || low.contains("20"))
        && let Some(c) = YEAR.captures(low)
    {
        let year: i32 = c["year"].parse().unwrap_or(0);
        if valid_year(year) {
            if rules.first_half.iter().any(|p| low.contains(p.as_str())) {
                return (Some(format!("{year:04}-01-01")), Some(format!("{year:04}-06-30")));
            }
            if rules.second_half.iter().any(|p| low.contains(p.as_str())) {
                return (Some(format!("{year:04}-07-01")), Some(format!("{year:04}-12-31")));
            }
            let end = format!("{year:04}-12-31");
            return if deadline { (None, Some(end)) } else { (Some(format!("{year:04}-01-01")), Some(end)) };
        }
    }
    (None, None)
}

fn valid_year(y: i32) -> bool {
    (1900..=2200).contains(&y)
}

fn quarter(s: &str) -> Option<u32> {
    match s.to_uppercase().as_str() {
        "I" | "1" => Some(1),
        "II" | "2" => Some(2),
        "III" | "3" => Some(3),
        "IV" | "4" => Some(4),
        _ => None,
    }
}

fn month_end(year: i32, month: u32) -> String {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    format!("{year:04}-{month:02}-{days:02}")
}

/// An ISO date from day, month and year strings, if it is a real date.
pub(crate) fn ymd(year: &str, month: &str, day: &str) -> Option<String> {
    let (y, m, d): (i32, u32, u32) = (year.parse().ok()?, month.parse().ok()?, day.parse().ok()?);
    if !valid_year(y) || !(1..=12).contains(&m) || d == 0 {
        return None;
    }
    let last: u32 = month_end(y, m)[8..].parse().ok()?;
    (d <= last).then(|| format!("{y:04}-{m:02}-{d:02}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grammar::Grammar;

    fn p(text: &str) -> (Option<String>, Option<String>, Option<String>) {
        let g = Grammar::embedded().unwrap();
        let t = parse(text, &g.time);
        let s = |v: Option<compact_str::CompactString>| v.map(String::from);
        (s(t.start), s(t.end), s(t.recurrence))
    }

    fn s(v: &str) -> Option<String> {
        Some(v.to_owned())
    }

    #[test]
    fn intervals() {
        assert_eq!(p("Quý II-IV/2022"), (s("2022-04-01"), s("2022-12-31"), None));
        assert_eq!(p("Quý IV năm 2026"), (s("2026-10-01"), s("2026-12-31"), None));
        assert_eq!(p("quý III năm 2012"), (s("2012-07-01"), s("2012-09-30"), None));
        assert_eq!(p("2022 - 2030"), (s("2022-01-01"), s("2030-12-31"), None));
        assert_eq!(p("2022 – 2025"), (s("2022-01-01"), s("2025-12-31"), None));
        assert_eq!(p("Từ năm 2021 đến năm 2025"), (s("2021-01-01"), s("2025-12-31"), None));
        assert_eq!(p("Quý II đến quý IV năm 2024"), (s("2024-04-01"), s("2024-12-31"), None));
        assert_eq!(p("Năm 2023"), (s("2023-01-01"), s("2023-12-31"), None));
        assert_eq!(p("6 tháng đầu năm 2023"), (s("2023-01-01"), s("2023-06-30"), None));
        assert_eq!(p("tháng 6/2023"), (s("2023-06-01"), s("2023-06-30"), None));
        assert_eq!(p("trước ngày 15/12/2023"), (None, s("2023-12-15"), None));
        assert_eq!(p("trước ngày 30 tháng 11 năm 2022"), (None, s("2022-11-30"), None));
        assert_eq!(p("trước ngày 30/11 hằng năm"), (None, None, s("yearly")));
        assert_eq!(p("Hàng năm"), (None, None, s("yearly")));
        assert_eq!(p("Định kỳ 6 tháng"), (None, None, s("semiannual")));
        assert_eq!(p("hàng quý"), (None, None, s("quarterly")));
        assert_eq!(p("Thường xuyên"), (None, None, None));
        assert_eq!(p("Khi có hướng dẫn của Bộ Công Thương"), (None, None, None));
        assert_eq!(p("30/02/2023"), (None, None, None), "not a real date");
    }
}
