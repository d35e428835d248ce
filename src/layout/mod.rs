//! Layout: canonical text -> the final text of the record, line by line.
//!
//! Converters leave the layout of the page in the text: lines hard-wrapped at the margin
//! (PDF text breaks every ~80 characters, often with a blank line between), page numbers
//! standing alone between pages, and footnotes whose mark is glued to a word ("60%1") and
//! whose body sits in the middle of the running text at the bottom of a page. This stage
//! repairs that: it joins wrapped lines back into paragraphs, drops page numbers and moves
//! footnote bodies to a notes area at the end of the text (`[^1]: …`), so that later stages
//! see paragraphs and headings. Everything it removes is counted in a diagnostic.
//!
//! The output text is the record's `text`: every span of the record indexes into it.
//!
//! Paged inputs (PDF) know where each page starts in the decoded text; [`mark_pages`] puts a
//! [`PAGE_MARK`] line there before normalization, and this stage takes the marks out again and
//! reports where the pages start in the final text ([`Layout::page_starts`]), wherever joins,
//! removals and normalization moved them.

mod footnotes;
mod wrap;

use std::borrow::Cow;

use crate::grammar::Grammar;
use crate::model::{Diagnostic, Severity, Span};

/// What a line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// Empty.
    Blank,
    /// Running text, a heading or a list item.
    Text,
    /// A tab-separated table row.
    TableRow,
    /// A footnote moved out of the running text (`[^1]: …`).
    Note,
}

/// One line of the final text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line {
    /// Its bytes in [`Layout::text`], without the newline.
    pub span: Span,
    /// What it is.
    pub kind: LineKind,
}

/// The final text of a record and its lines.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// The text every span of the record points into.
    pub text: String,
    /// Its lines in order.
    pub lines: Vec<Line>,
    /// What layout repair changed or removed.
    pub diagnostics: Vec<Diagnostic>,
    /// Byte offsets in `text` where each page starts, for a text with [`PAGE_MARK`] lines (paged
    /// inputs); else empty. A page whose first line was joined to the last line of the page
    /// before starts inside that line.
    pub page_starts: Vec<usize>,
}

/// A line holding only this character marks the start of a page (a Unicode noncharacter, so
/// that no document text is mistaken for it).
pub const PAGE_MARK: char = '\u{FDD0}';

/// `text` with a [`PAGE_MARK`] line before the line holding each offset of `page_starts`.
pub fn mark_pages(text: &str, page_starts: &[usize]) -> String {
    let mut out = String::with_capacity(text.len() + page_starts.len() * 4);
    let mut done = 0;
    for &start in page_starts {
        let start = start.min(text.len());
        // Back to the start of the line (a page always starts a line in decoded text).
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1).max(done);
        out.push_str(&text[done..line_start]);
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        out.push(PAGE_MARK);
        out.push('\n');
        done = line_start;
    }
    out.push_str(&text[done..]);
    out
}

impl Layout {
    /// The text of line `i`.
    pub fn line(&self, i: usize) -> &str {
        let s = self.lines[i].span;
        &self.text[s.start..s.end]
    }
}

/// A line being worked on: its text and kind. The text borrows from the canonical text until a
/// repair changes it, so a big file's lines are not all copied once more.
#[derive(Debug, Clone)]
pub(crate) struct WorkLine<'t> {
    pub(crate) text: Cow<'t, str>,
    pub(crate) kind: LineKind,
    /// Absorbed into another line: left out of the output altogether.
    pub(crate) removed: bool,
}

/// A line is a table row when tabs separate cells in it: a tab between two pieces of text, or
/// several tabs (a row continued on the next page is one cell among empty ones). A single tab
/// that only indents a line ("\tCăn cứ Luật …") or trails it is layout, not a table.
fn kind_of(line: &str) -> LineKind {
    if line.trim().is_empty() {
        return LineKind::Blank;
    }
    // Two tabs or more, or one with text on both sides. (`memchr`'s vector search: most
    // lines have no tab, and the standard library's search for a char is a slower one.)
    let b = line.as_bytes();
    let Some(first) = memchr::memchr(b'\t', b) else { return LineKind::Text };
    let last = memchr::memrchr(b'\t', b).unwrap_or(first);
    if first != last || (first > 0 && first + 1 < b.len()) { LineKind::TableRow } else { LineKind::Text }
}

/// The lines of `text` as [`str::lines`] gives them (split at `\n`, a `\r` before it dropped,
/// no empty line after a final `\n`), found with `memchr`'s vector search.
fn text_lines(text: &str) -> impl Iterator<Item = &str> {
    let b = text.as_bytes();
    let mut start = 0;
    memchr::memchr_iter(b'\n', b).map(Some).chain([None]).filter_map(move |newline| {
        let from = start;
        match newline {
            Some(end) => {
                start = end + 1;
                let line = &text[from..end];
                Some(line.strip_suffix('\r').unwrap_or(line))
            }
            None => (from < b.len()).then(|| &text[from..]),
        }
    })
}

/// Repair the layout of canonical `text` (already normalized: LF line ends, trimmed lines).
pub fn layout(text: &str, grammar: &Grammar) -> Layout {
    let mut lines: Vec<WorkLine> = Vec::with_capacity(text.len() / 40);
    // Line index at which each page starts.
    let mut marks = Vec::new();
    for l in text_lines(text) {
        if l.len() == PAGE_MARK.len_utf8() && l.starts_with(PAGE_MARK) {
            marks.push(lines.len());
            continue;
        }
        lines.push(WorkLine { text: Cow::Borrowed(l), kind: kind_of(l), removed: false });
    }
    let mut diagnostics = Vec::new();

    let removed = remove_page_numbers(&mut lines, &marks, grammar);
    if removed > 0 {
        diagnostics.push(Diagnostic::new(
            Severity::Info,
            "layout.page_number_removed",
            format!("{removed} stand-alone page number line(s) removed"),
        ));
    }

    let notes = footnotes::extract(&mut lines, grammar);

    // The first line of each page, and the text it starts with, to find it after the joins.
    let page_firsts: Vec<Option<(usize, String)>> = marks
        .iter()
        .map(|&m| {
            (m..lines.len())
                .find(|&j| lines[j].kind != LineKind::Blank && !lines[j].removed)
                .map(|j| (j, lines[j].text.trim().chars().take(24).collect()))
        })
        .collect();

    let joined = wrap::join_wrapped(&mut lines, grammar);
    if joined > 0 {
        diagnostics.push(Diagnostic::new(
            Severity::Info,
            "layout.lines_joined",
            format!("{joined} hard-wrapped line break(s) joined"),
        ));
    }

    // Assemble the final text; blank-line runs left by the removals collapse to one.
    let mut out = String::with_capacity(text.len() + 64);
    let mut out_lines = Vec::with_capacity(lines.len());
    let mut prev_blank = true;
    // Where each work line went in `out`.
    let mut placed: Vec<Option<usize>> = vec![None; lines.len()];
    for (i, l) in lines.iter().enumerate().filter(|(_, l)| !l.removed) {
        if l.kind == LineKind::Blank {
            if prev_blank {
                continue;
            }
            prev_blank = true;
        } else {
            prev_blank = false;
        }
        placed[i] = Some(out.len());
        push_line(&mut out, &mut out_lines, &l.text, l.kind);
    }
    while out_lines.last().is_some_and(|l: &Line| l.kind == LineKind::Blank) {
        out_lines.pop();
        out.pop();
    }
    let page_starts = page_offsets(&page_firsts, &lines, &placed, &out);
    let mut anchors = Vec::new();
    if !notes.is_empty() {
        push_line(&mut out, &mut out_lines, "", LineKind::Blank);
        for note in &notes {
            let line = format!("[^{}]: {}", note.number, note.body);
            anchors.push(Span::new(out.len(), out.len() + line.len()));
            push_line(&mut out, &mut out_lines, &line, LineKind::Note);
        }
    }
    for (note, span) in notes.iter().zip(anchors) {
        diagnostics.push(
            Diagnostic::new(
                Severity::Info,
                "layout.footnote_moved",
                format!(
                    "footnote {} (mark glued to \"{}\") moved out of the running text to the notes at the end",
                    note.number, note.anchor_word
                ),
            )
            .with_span(span),
        );
    }
    Layout { text: out, lines: out_lines, diagnostics, page_starts }
}

/// Where each page starts in `out`: at its first line, or inside the line that absorbed it.
fn page_offsets(
    firsts: &[Option<(usize, String)>],
    lines: &[WorkLine],
    placed: &[Option<usize>],
    out: &str,
) -> Vec<usize> {
    let end = out.len();
    let mut starts = Vec::with_capacity(firsts.len());
    let mut prev = 0;
    for first in firsts {
        let start = match first {
            None => end,
            Some((j, _)) if !lines[*j].removed && placed[*j].is_some() => placed[*j].unwrap_or(end),
            Some((j, snippet)) => {
                let host = (0..*j).rev().find(|&i| !lines[i].removed && lines[i].kind != LineKind::Blank);
                match host.and_then(|i| placed[i].map(|at| (at, at + lines[i].text.len()))) {
                    Some((at, host_end)) => {
                        let host_text = out.get(at..host_end.min(end)).unwrap_or("");
                        at + host_text.rfind(snippet.as_str()).unwrap_or(0)
                    }
                    None => end,
                }
            }
        };
        let start = start.clamp(prev, end);
        starts.push(start);
        prev = start;
    }
    starts
}

fn push_line(out: &mut String, lines: &mut Vec<Line>, text: &str, kind: LineKind) {
    let start = out.len();
    out.push_str(text);
    lines.push(Line { span: Span::new(start, out.len()), kind });
    out.push('\n');
}

/// Index of the nearest non-blank line before / after `i`.
pub(crate) fn prev_non_blank(lines: &[WorkLine], i: usize) -> Option<usize> {
    (0..i).rev().find(|&j| lines[j].kind != LineKind::Blank)
}

pub(crate) fn next_non_blank(lines: &[WorkLine], i: usize) -> Option<usize> {
    (i + 1..lines.len()).find(|&j| lines[j].kind != LineKind::Blank)
}

/// Drop lines that are only a page number ("4", "- 4 -", "Trang 4") and stand next to a
/// blank line, outside tables (a lone number between two table rows is a cell). A run of such
/// lines goes or stays as one, so that what is left is stable under a second pass.
///
/// When the pages are known (`marks`, the line at which each page starts, from a PDF), a page
/// number is where the pages meet: only the first or last lines of a page are dropped. Lines
/// elsewhere are the cells of a table whose layout the text layer lost ("1" of an "STT"
/// column between blank lines).
fn remove_page_numbers(lines: &mut [WorkLine], marks: &[usize], grammar: &Grammar) -> usize {
    let is_number = |l: &WorkLine| {
        let t = l.text.trim();
        l.kind == LineKind::Text && t.len() <= 12 && grammar.text.page_number.iter().any(|r| r.is_match(t))
    };
    let mut removed = 0;
    let mut i = 0;
    while i < lines.len() {
        if !is_number(&lines[i]) {
            i += 1;
            continue;
        }
        let mut end = i + 1;
        while end < lines.len() && is_number(&lines[end]) {
            end += 1;
        }
        // Only a real blank line counts, not the start or end of the text.
        let blank_before = i > 0 && lines[i - 1].kind == LineKind::Blank;
        let blank_after = end < lines.len() && lines[end].kind == LineKind::Blank;
        let table_before = prev_non_blank(lines, i).is_some_and(|j| lines[j].kind == LineKind::TableRow);
        let table_after = next_non_blank(lines, end - 1).is_some_and(|j| lines[j].kind == LineKind::TableRow);
        // Pages known: the run must be first or last on its page (nothing but blank lines
        // between it and a page start, or the end of the text).
        let at_page_edge = marks.is_empty()
            || marks.iter().any(|&m| m <= i && lines[m..i].iter().all(|l| l.kind == LineKind::Blank))
            || lines[end..].iter().take_while(|l| l.kind == LineKind::Blank).count() + end == lines.len()
            || marks.iter().any(|&m| m >= end && lines[end..m].iter().all(|l| l.kind == LineKind::Blank));
        if (blank_before || blank_after) && !(table_before && table_after) && at_page_edge {
            for line in &mut lines[i..end] {
                *line = WorkLine { text: Cow::Borrowed(""), kind: LineKind::Blank, removed: false };
                removed += 1;
            }
        }
        i = end;
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Layout {
        layout(text, &Grammar::embedded().unwrap())
    }

    #[test]
    fn text_lines_are_str_lines() {
        for t in ["", "\n", "a", "a\n", "a\r\nb\r", "\r\n\r\n", "a\n\nb\n", "\r", "x\r\r\n", "é\nü"] {
            assert_eq!(text_lines(t).collect::<Vec<_>>(), t.lines().collect::<Vec<_>>(), "{t:?}");
        }
    }

    #[test]
    fn kinds_as_the_plain_tab_tests() {
        let plain = |line: &str| {
            if line.trim().is_empty() {
                LineKind::Blank
            } else if line.trim_matches('\t').contains('\t') || line.matches('\t').count() >= 2 {
                LineKind::TableRow
            } else {
                LineKind::Text
            }
        };
        for t in ["", "\t", "\t\t", "a", "\ta", "a\t", "a\tb", "\ta\t", "\t\ta", "a\t\t", " \t ", "a\tb\tc", "\u{A0}"] {
            assert_eq!(kind_of(t), plain(t), "{t:?}");
        }
    }

    #[test]
    fn lines_index_the_text() {
        let l = run("KẾ HOẠCH\n\nI. MỤC TIÊU\nNâng cao.\n");
        for (i, line) in l.lines.iter().enumerate() {
            assert!(!l.line(i).contains('\n'));
            assert!(line.span.end <= l.text.len());
        }
        assert_eq!(l.line(0), "KẾ HOẠCH");
        assert_eq!(l.lines[1].kind, LineKind::Blank);
    }

    #[test]
    fn a_lone_indenting_or_trailing_tab_is_no_table() {
        assert_eq!(kind_of("\tCăn cứ Luật Tổ chức Chính phủ;"), LineKind::Text);
        assert_eq!(kind_of("3. Các cá nhân trực thuộc.\t"), LineKind::Text);
        assert_eq!(kind_of("1\tMột"), LineKind::TableRow);
        assert_eq!(kind_of("\thoạt động truyền thông.\t\t\t"), LineKind::TableRow);
    }

    #[test]
    fn page_numbers_between_pages_are_removed() {
        let l = run("- Một mục tiêu đạt được.\n\n4\n\n- Mục tiêu tiếp theo.\n");
        assert!(!l.text.contains("\n4\n"), "{}", l.text);
        assert!(l.diagnostics.iter().any(|d| d.code == "layout.page_number_removed"));
    }

    #[test]
    fn with_pages_known_only_numbers_at_a_page_edge_are_page_numbers() {
        // Page one ends with its number; a lone "1" in the middle of page two is a table cell.
        let text = "Mục tiêu.\n\n4\nSTT\n\n1\n\nTổ chức hội nghị.\n";
        let marked = mark_pages(text, &[0, text.find("STT").unwrap()]);
        let l = run(&marked);
        assert!(!l.text.contains("\n4\n"), "{}", l.text);
        assert!(l.text.contains("\n1\n"), "{}", l.text);
        // The same text without pages: both stand between blank lines.
        let l = run(text);
        assert!(!l.text.contains("\n1\n") && !l.text.contains("\n4\n"), "{}", l.text);
    }

    #[test]
    fn numbers_inside_tables_are_kept() {
        let l = run("1\tMột\t2\n\n4\n\n2\tHai\t3\n");
        assert!(l.text.contains("\n4\n"), "{}", l.text);
    }

    #[test]
    fn numbered_headings_are_not_page_numbers() {
        let l = run("Mở đầu.\n\n2.\n\nTiếp.\n");
        assert!(l.text.contains("2."));
    }

    #[test]
    fn page_marks_become_page_starts() {
        let decoded = "Trang một.\nHết trang một.\nĐầu trang hai.\n";
        let marked = mark_pages(decoded, &[0, decoded.find("Đầu").unwrap()]);
        assert_eq!(marked.matches(PAGE_MARK).count(), 2);
        let l = run(&marked);
        assert!(!l.text.contains(PAGE_MARK), "{}", l.text);
        assert_eq!(l.page_starts.len(), 2);
        assert_eq!(l.page_starts[0], 0);
        assert!(l.text[l.page_starts[1]..].starts_with("Đầu trang hai."), "{:?}", l);
    }

    #[test]
    fn a_page_joined_to_the_one_before_starts_inside_the_line() {
        let text = "Căn cứ Luật Tổ chức chính quyền\nđịa phương ngày 19 tháng 6;\n";
        let marked = mark_pages(text, &[0, text.find("địa").unwrap()]);
        let l = run(&marked);
        assert_eq!(l.text, "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6;\n");
        assert!(l.text[l.page_starts[1]..].starts_with("địa phương"), "{:?}", l.page_starts);
    }
}
