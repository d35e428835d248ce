//! Page furniture: running headers and footers, page numbers.
//!
//! Works on the visual lines of every page at once, before reading order, where positions are
//! still known. A line near the top or bottom of a page whose text (digits aside) comes back at
//! the same height on at least half of the pages (and on three or more) is a running header or
//! footer; a line that is only a page number ("3", "- 3 -", "Trang 3", "3/12") at the very top
//! or bottom of a page is a page number. Table rows are never furniture (a repeated table header
//! belongs to its table).

use std::collections::HashMap;

use super::lines::Line;

/// How many lines at each end of a page may be furniture.
const EDGE_LINES: usize = 3;
/// Furniture comes back at the same height within this many points.
const SAME_PLACE_PT: f32 = 4.0;

/// What was removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Removed {
    /// Running header and footer lines.
    pub(crate) running: usize,
    /// Page numbers.
    pub(crate) page_numbers: usize,
}

/// Remove the furniture from `pages` (each page's lines top to bottom).
pub(crate) fn remove(pages: &mut [Vec<Line>]) -> Removed {
    let mut removed = Removed::default();
    let with_text = pages.iter().filter(|p| !p.is_empty()).count();
    if with_text >= 3 {
        removed.running = remove_running(pages, with_text);
    }
    for page in pages.iter_mut() {
        for top in [true, false] {
            let idx = if top { 0 } else { page.len().saturating_sub(1) };
            if page.get(idx).is_some_and(|l| l.segments.len() == 1 && is_page_number(&l.segments[0].text)) {
                page.remove(idx);
                removed.page_numbers += 1;
            }
        }
    }
    removed
}

fn remove_running(pages: &mut [Vec<Line>], with_text: usize) -> usize {
    // key -> (page, y) of each occurrence near a page edge.
    let mut seen: HashMap<String, Vec<(usize, f32)>> = HashMap::new();
    for (p, page) in pages.iter().enumerate() {
        let n = page.len();
        for (i, line) in page.iter().enumerate() {
            if (i >= EDGE_LINES && i + EDGE_LINES < n) || line.segments.len() > 2 {
                continue;
            }
            let occurrences = seen.entry(key(line)).or_default();
            if occurrences.last().is_none_or(|&(q, _)| q != p) {
                occurrences.push((p, line.y));
            }
        }
    }
    let mut doomed: Vec<(usize, f32, String)> = Vec::new();
    for (k, occurrences) in seen {
        if k.chars().filter(|c| c.is_alphanumeric()).count() == 0 {
            continue;
        }
        let mut ys: Vec<f32> = occurrences.iter().map(|&(_, y)| y).collect();
        ys.sort_by(f32::total_cmp);
        let median = ys[ys.len() / 2];
        let at_place: Vec<usize> =
            occurrences.iter().filter(|&&(_, y)| (y - median).abs() <= SAME_PLACE_PT).map(|&(p, _)| p).collect();
        if at_place.len() >= 3 && at_place.len() * 2 >= with_text {
            doomed.extend(at_place.into_iter().map(|p| (p, median, k.clone())));
        }
    }
    let mut count = 0;
    for (p, y, k) in doomed {
        let before = pages[p].len();
        pages[p].retain(|l| !((l.y - y).abs() <= SAME_PLACE_PT && key(l) == k));
        count += before - pages[p].len();
    }
    count
}

/// The text of a line with digits blanked and case and spacing folded.
fn key(line: &Line) -> String {
    let mut k = String::new();
    for c in line.text().chars() {
        if c.is_ascii_digit() {
            if !k.ends_with('#') {
                k.push('#');
            }
        } else if c.is_whitespace() {
            if !k.ends_with(' ') {
                k.push(' ');
            }
        } else {
            k.extend(c.to_lowercase());
        }
    }
    k.trim().to_owned()
}

/// "3", "- 3 -", "Trang 3", "Page 3 of 12", "3/12".
fn is_page_number(text: &str) -> bool {
    let t = text.trim();
    let lower = t.to_lowercase();
    let t = lower
        .strip_prefix("trang")
        .or_else(|| lower.strip_prefix("page"))
        .map_or(lower.as_str(), str::trim_start)
        .trim_matches(|c: char| matches!(c, '-' | '–' | '—' | ' '));
    let mut parts =
        t.split(|c: char| c == '/' || c.is_whitespace()).filter(|p| !p.is_empty() && *p != "of" && *p != "trên");
    let Some(first) = parts.next() else { return false };
    let number = |p: &str| !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit());
    number(first) && parts.all(number) && t.len() <= 16
}

#[cfg(test)]
mod tests {
    use super::super::lines::Segment;
    use super::*;

    fn line(text: &str, y: f32) -> Line {
        Line {
            y,
            size: 12.0,
            segments: vec![Segment { x0: 50.0, x1: 300.0, text: text.to_owned(), first_word_x1: 80.0 }],
        }
    }

    #[test]
    fn page_numbers() {
        for t in ["3", "- 3 -", "Trang 3", "Page 3 of 12", "3/12", "– 12 –"] {
            assert!(is_page_number(t), "{t}");
        }
        for t in ["1.", "Điều 3", "2025-2030", "a", "12345"] {
            assert!(!is_page_number(t), "{t}");
        }
    }

    #[test]
    fn running_headers_and_numbers_go() {
        let last = ["Kết thúc mục", "Tiếp theo là", "Còn nữa", "Hết"];
        let mut pages: Vec<Vec<Line>> = (1..=4)
            .map(|p| {
                vec![
                    line(&p.to_string(), 30.0),
                    line(&format!("CÔNG BÁO/Số {p}/Ngày 3-1-2026"), 45.0),
                    line("Nội dung của trang", 100.0 + p as f32 * 10.0),
                    line(last[p - 1], 700.0),
                ]
            })
            .collect();
        let removed = remove(&mut pages);
        // "Nội dung của trang" repeats too, but not at the same height.
        assert_eq!(removed, Removed { running: 4, page_numbers: 4 });
        assert!(pages.iter().all(|p| p.len() == 2 && p[0].text() == "Nội dung của trang"));
    }
}
