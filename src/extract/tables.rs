//! Tables (SPEC §7): the tab-separated rows of a document read back into tables.
//!
//! Every converter in front of this stage writes a table row as one line of cells separated by
//! tabs ([`LineKind::TableRow`]). What comes out of a PDF or a Word file is damaged in the same
//! few ways, and each has a rule here:
//!
//! - **Grouping.** Consecutive table rows make a block; blank lines, page numbers and a few
//!   short debris lines between them (a page break) do not end it, any other line does. A row
//!   with one filled cell never starts a block (a tab-indented paragraph is not a table), and a
//!   row whose cell is only ":" or "=" is a formula or a "key : value" line, not a table row.
//!   Blocks in the letterhead, or holding the recipients label or a signing capacity, are layout.
//! - **Header.** The rows at the top that read like labels (no amounts, no row marker, short
//!   cells) are the header: the first with at least two filled cells, the next ones only where
//!   they fill the columns under a spanning cell above them or start with an empty cell. A
//!   column-index row right after it ("A  B  1  2 … 12= 5 + 10 + 11  13") is dropped.
//! - **Stitching.** After a page break, rows that repeat the header (most of their words are
//!   header words, even when a page garbled "2018" into "DÂN") are dropped with the index row
//!   after them, and the table goes on. A piece that starts with a header of its own that does
//!   not match starts a new table. So a table split over pages is one table whether its header
//!   is repeated or not, and two tables one after the other stay two.
//! - **Continuation rows.** A row without a marker, without amounts, whose text starts in lower
//!   case or goes on from a cell that stops mid-phrase ("… thông qua các" + "hoạt động truyền
//!   thông …") is the rest of the row above cut by a page break: its pieces are appended to the
//!   cells of that row.
//! - **Alignment.** Every body row gets exactly as many cells as the table has columns. A row
//!   printed with fewer cells (the converter dropped an empty cell) or more (spurious empty
//!   cells) is aligned by trying where the missing cells go (or which empty cells go): each try
//!   is scored by how well each cell fits its column (numbers in number columns, text in text
//!   columns, as the complete rows show) and by the sums the table states (a "Cộng"/"Tổng"
//!   column equals the columns it adds up). The best try wins; ties keep the earliest.
//! - **Row kinds.** "total": the label starts with a total word ("TỔNG CỘNG (dự kiến)");
//!   "group": only a marker and a label ("I  Phát triển Chính quyền số"), or a Roman or
//!   upper-case letter marker with no lead; otherwise "item". All are kept in `rows`.
//! - **Caption and unit.** The caption is the title above the table (an upper-case title line,
//!   with the sub-title line under it); "(Kèm theo …)" lines are skipped. The unit comes from an
//!   "ĐVT:" / "Đơn vị tính:" line above the table or a bracket in a header cell ("(triệu đồng)").
//! - **Arithmetic.** Which columns add up to a "Cộng"/"Tổng" column is learnt from the header
//!   (the columns beside it under the same spanning cell, or the other totals for a top-level
//!   total) and kept only when the complete rows agree. Each row is checked against those sums
//!   and each column against the total row; a disagreement is a `table.sum_mismatch`
//!   diagnostic with both figures. The same checks settle an ambiguous "." ("95.200"): the
//!   reading under which the table adds up (and its total is not below its items) wins; when
//!   nothing settles it, the Vietnamese reading is kept and `table.ambiguous_number` says so.

use compact_str::CompactString;
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::DocContext;
use super::money::{self, Separator};
use crate::grammar::gate::{CAPACITY, Hits, RECIPIENTS};
use crate::grammar::tables::{ColumnRole, TableRules};
use crate::layout::LineKind;
use crate::model::{Diagnostic, Severity, Span, Table};
use crate::text::{collapse_spaces, is_alphanumeric, is_upper, lower_fast, split_collapsed};

/// Most alignments tried for one row.
const MAX_CANDIDATES: usize = 4096;
/// Most `table.sum_mismatch` diagnostics per table (then one line counts the rest).
const MAX_SUM_DIAGNOSTICS: usize = 8;
/// Non-blank lines looked at above a table for its caption and unit.
const CAPTION_WINDOW: usize = 6;
/// Fixed-point scale of the sums: numbers are compared in millionths.
const SCALE: u32 = 6;

/// A table read from the text, with what the tasks and budgets need to know about it.
#[derive(Debug, Clone)]
pub(crate) struct ReadTable {
    /// The SPEC §7 table.
    pub(crate) table: Table,
    /// 1-based index of the table in its document.
    pub(crate) index: usize,
    /// One per column.
    pub(crate) columns: Vec<Column>,
    /// Where each body row is.
    pub(crate) row_spans: Vec<Span>,
    /// How "." and "," are read in this table.
    pub(crate) separator: Separator,
    /// The column holding each row's grand total ("Tổng kinh phí", "Tổng"), if any.
    pub(crate) total_col: Option<usize>,
}

/// What the header says about one column.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Column {
    /// The header cells over the column, top down, joined by " / ".
    pub(crate) label: String,
    /// The role its header names (the lowest header cell first).
    pub(crate) role: Option<ColumnRole>,
    /// A row-number column (STT).
    pub(crate) marker: bool,
    /// Holds amounts of money.
    pub(crate) money: bool,
    /// Adds up other columns ("Cộng", "Tổng").
    pub(crate) total: bool,
}

/// Read every table of the document, in reading order.
pub(crate) fn read(cx: &DocContext<'_>, diagnostics: &mut Vec<Diagnostic>) -> Vec<ReadTable> {
    let mut out = Vec::new();
    for block in blocks(cx) {
        for draft in split(&cx.g.tables, block) {
            let index = out.len() + 1;
            if let Some(t) = build(cx, draft, index, diagnostics) {
                out.push(t);
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Lines -> blocks of rows

/// A table cell, white space collapsed: most are clean as printed and borrow the document's
/// text; a cell is only copied when it must change (white space, a continuation row appended).
type Cell<'a> = Cow<'a, str>;

/// One table line.
#[derive(Debug, Clone, Default)]
struct RawRow<'a> {
    cells: Vec<Cell<'a>>,
    span: Span,
    /// A page break (blank lines, a page number) lies between it and the row before.
    after_break: bool,
}

impl RawRow<'_> {
    fn filled(&self) -> usize {
        self.cells.iter().filter(|c| !c.is_empty()).count()
    }
}

fn blocks<'a>(cx: &DocContext<'a>) -> Vec<Vec<RawRow<'a>>> {
    let t = &cx.g.tables;
    let letterhead_end = cx.header_lines().end;
    let mut out = Vec::new();
    let mut cur: Vec<RawRow> = Vec::new();
    let (mut gap, mut debris) = (false, 0usize);
    // The cells of a line as split, before they go to a row of their own size.
    let mut split: Vec<Cell<'a>> = Vec::new();
    for i in cx.lines() {
        let line = cx.layout.lines[i];
        let text = &cx.text()[line.span.start..line.span.end];
        match line.kind {
            LineKind::TableRow if i >= letterhead_end => {
                split_collapsed(text, b'\t', &mut split);
                let mut cells: Vec<Cell<'a>> = Vec::with_capacity(split.len());
                cells.append(&mut split);
                if cells.iter().any(|c| t.is_layout_cell(c)) {
                    flush(cx, &mut cur, &mut out);
                    gap = false;
                    continue;
                }
                let row = RawRow { cells, span: line.span, after_break: gap && !cur.is_empty() };
                match row.filled() {
                    0 => gap |= !cur.is_empty(),
                    1 if cur.is_empty() => {}
                    _ => {
                        cur.push(row);
                        gap = false;
                        debris = 0;
                    }
                }
            }
            LineKind::Blank => gap |= !cur.is_empty(),
            LineKind::Text if !cur.is_empty() && debris < t.max_debris_lines && is_debris(cx, text) => {
                debris += 1;
                gap = true;
            }
            _ => {
                flush(cx, &mut cur, &mut out);
                gap = false;
                debris = 0;
            }
        }
    }
    flush(cx, &mut cur, &mut out);
    out
}

/// A short line between two table pieces: a page number, a stray mark.
fn is_debris(cx: &DocContext<'_>, text: &str) -> bool {
    let t = text.trim();
    t.chars().count() <= cx.g.tables.max_debris_chars
        && (cx.g.text.page_number.iter().any(|r| r.is_match(t)) || !t.chars().any(char::is_alphabetic))
}

fn flush<'a>(cx: &DocContext<'_>, cur: &mut Vec<RawRow<'a>>, out: &mut Vec<Vec<RawRow<'a>>>) {
    while cur.last().is_some_and(|r| r.filled() < 2) {
        cur.pop();
    }
    if cur.iter().filter(|r| r.filled() >= 2).count() < 2 {
        cur.clear();
        return;
    }
    // The block in a vector of its own size; `cur` keeps its room for the next one.
    let mut rows = Vec::with_capacity(cur.len());
    rows.append(cur);
    // The recipients label, a signing capacity (and, in a short block, the letterhead), asked
    // through the gates of those patterns: one walk per cell rather than a regex per pattern.
    let gates = &cx.g.gates;
    let closes = |c: &str| {
        // (Most cells start with a byte neither can: asked first.)
        let first = c.bytes().next();
        let closing = (gates.blocks.may_start(RECIPIENTS, first) || gates.blocks.may_start(CAPACITY, first)) && {
            let hits = gates.blocks.matches(c);
            hits.has(RECIPIENTS) || hits.has(CAPACITY)
        };
        closing || (rows.len() <= 4 && gates.letterhead.matches(c) != Hits::NONE)
    };
    // (Empty cells all answer alike: asked once.)
    let empty_closes = closes("");
    let closing = rows.iter().flat_map(|r| &r.cells).any(|c| if c.is_empty() { empty_closes } else { closes(c) });
    if !closing {
        out.push(rows);
    }
}

// ---------------------------------------------------------------------------------------------
// Blocks -> tables: header, index row, repeated headers, new tables

/// A table before its rows are aligned.
#[derive(Debug, Clone)]
struct Draft<'a> {
    header: Vec<Vec<Cell<'a>>>,
    body: Vec<RawRow<'a>>,
    span: Span,
}

fn split<'a>(t: &TableRules, mut rows: Vec<RawRow<'a>>) -> Vec<Draft<'a>> {
    let mut out: Vec<Draft> = Vec::new();
    let mut i = 0;
    // Which rows of the piece make the body: they are moved there once the piece is read.
    let mut body: Vec<usize> = Vec::new();
    while i < rows.len() {
        let (h, skip) = header_at(t, &rows, i);
        let words = HeaderWords::new(&rows[i..i + h]);
        let mut span = rows[i].span;
        body.clear();
        let mut j = i + h + usize::from(skip);
        while j < rows.len() {
            let r = &rows[j];
            // A repeated header: drop it, and the index row after it.
            let repeated = repeats_header(t, r, &words, if r.after_break { 0.6 } else { 0.9 });
            if repeated && !words.is_empty() {
                let mut k = j + 1;
                while k < rows.len() && k - j < t.max_header_rows && repeats_header(t, &rows[k], &words, 0.6) {
                    k += 1;
                }
                if k < rows.len() && is_index_row(t, &rows[k]) {
                    k += 1;
                }
                span.end = rows[k - 1].span.end;
                j = k;
                continue;
            }
            // A header of its own after a page break: a new table.
            if r.after_break && !body.is_empty() && header_like(t, r, true) {
                let (h2, _) = header_at(t, &rows, j);
                let data_after = rows.get(j + h2).is_some_and(|n| !header_like(t, n, false));
                if h2 > 0 && data_after {
                    break;
                }
            }
            span.end = r.span.end;
            body.push(j);
            j += 1;
        }
        // The rows of this piece are read: the next starts at `j` (or `i + 1`) and looks no
        // further back, so they can be moved out.
        let mut take = |k: usize| std::mem::take(&mut rows[k]);
        let draft = if body.is_empty() && h > 1 {
            // Labels only: the first row is the header, the rest are data.
            Draft { header: vec![take(i).cells], body: (i + 1..i + h).map(take).collect(), span }
        } else {
            Draft {
                header: (i..i + h).map(|k| take(k).cells).collect(),
                body: body.iter().map(|&k| take(k)).collect(),
                span,
            }
        };
        if !draft.body.is_empty() {
            out.push(draft);
        }
        i = j.max(i + 1);
    }
    out
}

/// How many header rows start at `i`, and whether a column-index row follows them.
fn header_at(t: &TableRules, rows: &[RawRow], i: usize) -> (usize, bool) {
    let mut h = 0;
    while h < t.max_header_rows && i + h < rows.len() {
        let r = &rows[i + h];
        if !header_like(t, r, h == 0) {
            break;
        }
        if h > 0 {
            let above = &rows[i + h - 1];
            let starts_empty = r.cells.first().is_none_or(|c| c.is_empty());
            if !(starts_empty || fills_span(above, r)) {
                break;
            }
        }
        h += 1;
    }
    let index = rows.get(i + h).is_some_and(|r| is_index_row(t, r));
    (h, index)
}

/// `r` reads like a header row: labels, no amounts, no row marker, no total word.
fn header_like(t: &TableRules, r: &RawRow, first: bool) -> bool {
    if first && r.filled() < 2 {
        return false;
    }
    let lead = r.cells.first().map_or("", |c| c);
    if !lead.is_empty() && t.is_item_marker(lead) && !t.is_marker_column(lead) {
        return false;
    }
    // ("Tổng" is a column label here: a total row would hold amounts.)
    let max = t.max_header_cell_chars;
    let mut letters = false;
    for c in r.cells.iter().filter(|c| !c.is_empty()) {
        // (A char is one to four bytes: most cells need no counting.)
        let long = c.len() > max && (c.len() > 4 * max || c.chars().count() > max);
        if long || (is_number(c) && !is_year(c)) {
            return false;
        }
        letters = letters || c.chars().any(char::is_alphabetic);
    }
    // The costliest test last.
    letters && !is_index_row(t, r)
}

/// `r` has a cell under a cell of `above` that spans over empty cells.
fn fills_span(above: &RawRow, r: &RawRow) -> bool {
    let mut open = false;
    for (c, cell) in r.cells.iter().enumerate() {
        let up = above.cells.get(c).map_or("", |c| c);
        if !up.is_empty() {
            open = true;
        } else if open && !cell.is_empty() {
            return true;
        }
    }
    false
}

/// "A  B  1  2 … 12= 5 + 10 + 11  13": every filled cell an index, numbers rising.
fn is_index_row(t: &TableRules, r: &RawRow) -> bool {
    let filled = r.filled();
    if filled < 3 || filled * 5 < r.cells.len() * 3 {
        return false;
    }
    let mut last: Option<u32> = None;
    let mut numbers = 0;
    for c in r.cells.iter().filter(|c| !c.is_empty()) {
        if !t.index_cell.is_match(c) {
            return false;
        }
        let mut digits = c.trim_start_matches('(').bytes().take_while(u8::is_ascii_digit);
        // (What `str::parse::<u32>` reads of the leading digits: none or too many are no number.)
        let n = digits.try_fold(None, |n: Option<u32>, d| {
            n.unwrap_or(0).checked_mul(10)?.checked_add(u32::from(d - b'0')).map(Some)
        });
        if let Some(Some(n)) = n {
            if last.is_some_and(|l| n <= l) {
                return false;
            }
            last = Some(n);
            numbers += 1;
        }
    }
    numbers >= 2
}

/// The distinct words of the header rows, lower case, for [`repeats_header`] to look up: one
/// text holding them all, and a small open-addressing hash table of where each is in it (a
/// header has a few dozen words; a data row asks for each of its words until it fails).
struct HeaderWords {
    text: String,
    /// `(start, end)` of a word in `text`, `(0, 0)` for a free slot; a power of two long.
    slots: Vec<(u32, u32)>,
    len: usize,
}

impl HeaderWords {
    fn new(header: &[RawRow<'_>]) -> HeaderWords {
        let mut set = HeaderWords { text: String::new(), slots: Vec::new(), len: 0 };
        let words: Vec<&str> = header.iter().flat_map(|r| &r.cells).flat_map(|c| raw_words(c)).collect();
        if words.is_empty() {
            return set;
        }
        // At most half full.
        set.slots = vec![(0, 0); (2 * words.len()).next_power_of_two()];
        for w in words {
            let start = set.text.len();
            push_lowercase(&mut set.text, w);
            let end = set.text.len();
            match set.find(&set.text[start..end]) {
                Ok(_) => set.text.truncate(start),
                Err(slot) => {
                    set.slots[slot] = (start as u32, end as u32);
                    set.len += 1;
                }
            }
        }
        set
    }

    fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn contains(&self, w: &str) -> bool {
        !self.slots.is_empty() && self.find(w).is_ok()
    }

    /// The slot holding `w`, or the free slot where it would go. (Words are never empty, so
    /// `(0, 0)` marks a free slot.)
    fn find(&self, w: &str) -> Result<usize, usize> {
        // FNV-1a.
        let hash = w.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
        let mask = self.slots.len() - 1;
        let mut i = (hash as usize) & mask;
        loop {
            match self.slots[i] {
                (0, 0) => return Err(i),
                (a, b) if &self.text[a as usize..b as usize] == w => return Ok(i),
                _ => i = (i + 1) & mask,
            }
        }
    }
}

/// The words of `s` as printed: runs of letters and digits.
fn raw_words(s: &str) -> impl Iterator<Item = &str> + '_ {
    let mut at = 0;
    std::iter::from_fn(move || {
        // Up to the next word, then to its end.
        while at < s.len() {
            let (alnum, len) = char_at(s, at);
            if alnum {
                break;
            }
            at += len;
        }
        let start = at;
        while at < s.len() {
            let (alnum, len) = char_at(s, at);
            if !alnum {
                break;
            }
            at += len;
        }
        (at > start).then(|| &s[start..at])
    })
}

/// Whether the char at byte `i` of `s` is a letter or digit ([`is_alphanumeric`]), and its
/// length: ASCII, and the Latin letters Vietnamese is written in (U+00C0..=U+023F but "×" and
/// "÷", U+1E00..=U+1EFF), are told by their first bytes; any other char is decoded and asked.
#[inline(always)]
fn char_at(s: &str, i: usize) -> (bool, usize) {
    let b = s.as_bytes();
    let next = b.get(i + 1).copied().unwrap_or(0);
    match b[i] {
        x @ 0..=0x7f => (x.is_ascii_alphanumeric(), 1),
        0xc3 => (!matches!(next, 0x97 | 0xb7), 2),
        0xc4..=0xc8 => (true, 2),
        0xe1 if matches!(next, 0xb8..=0xbb) => (true, 3),
        _ => {
            let c = s[i..].chars().next().unwrap_or_default();
            (is_alphanumeric(c), c.len_utf8())
        }
    }
}

/// `r` repeats the header: at least `share` of its words are header words, and it holds no
/// amount. A "#" or other marker debris in its first cell does not count.
fn repeats_header(t: &TableRules, r: &RawRow<'_>, header: &HeaderWords, share: f64) -> bool {
    if header.is_empty() {
        return false;
    }
    let skip_first = r.cells.first().is_some_and(|c| !c.is_empty() && t.is_item_marker(c));
    let cells = || r.cells.iter().skip(usize::from(skip_first)).filter(|c| !c.is_empty());
    if cells().any(|c| is_number(c) && !is_year(c)) {
        return false;
    }
    // Words are counted first so that the lookups can stop as soon as the share is reached
    // or out of reach; most rows are data and fail after a few words.
    let total: usize = cells().map(|c| word_count(c)).sum();
    let needed = share * (total as f64);
    let (mut known, mut seen) = (0usize, 0usize);
    let mut lower = String::new();
    for cell in cells() {
        for w in raw_words(cell) {
            if ((known + total - seen) as f64) < needed {
                return false;
            }
            // (Most words are in lower case already: looked up as they are.)
            let is_known = if w.chars().all(|c| lower_fast(c) == Some(c)) {
                header.contains(w)
            } else {
                lower.clear();
                push_lowercase(&mut lower, w);
                header.contains(&lower)
            };
            known += usize::from(is_known);
            seen += 1;
            if (known as f64) >= needed {
                return true;
            }
        }
    }
    total > 0 && (known as f64) >= needed
}

/// How many words [`raw_words`] finds in `s`.
fn word_count(s: &str) -> usize {
    let (mut n, mut in_word, mut i) = (0, false, 0);
    while i < s.len() {
        let (alnum, len) = char_at(s, i);
        n += usize::from(alnum && !in_word);
        in_word = alnum;
        i += len;
    }
    n
}

/// Appends `w.to_lowercase()` to `out` without allocating (`str::to_lowercase` differs from
/// lowering each char only for a final "Σ"); the letters Vietnamese is written in are lowered
/// without the Unicode tables ([`lower_fast`]).
fn push_lowercase(out: &mut String, w: &str) {
    let start = out.len();
    for c in w.chars() {
        match lower_fast(c) {
            Some(l) => out.push(l),
            None if c == 'Σ' => {
                out.truncate(start);
                out.push_str(&w.to_lowercase());
                return;
            }
            None => out.extend(c.to_lowercase()),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Cells

fn is_number(c: &str) -> bool {
    parse_number(c, Separator::Auto).is_some()
}

/// [`money::parse_number`], answering at once for text cells (a number starts with a digit)
/// and for plain whole numbers (all digits), the most common cells of a table.
fn parse_number(c: &str, sep: Separator) -> Option<money::Decimal> {
    let t = c.trim();
    if !t.starts_with(|ch: char| ch.is_ascii_digit()) {
        return None;
    }
    if t.bytes().all(|b| b.is_ascii_digit()) {
        let m = t.bytes().try_fold(0i128, |m, b| m.checked_mul(10)?.checked_add(i128::from(b - b'0')));
        return m.map(|m| money::Decimal::new(m, 0));
    }
    money::parse_number(c, sep)
}

fn is_year(c: &str) -> bool {
    c.len() == 4 && (c.starts_with("19") || c.starts_with("20")) && c.bytes().all(|b| b.is_ascii_digit())
}

/// The first filled cell among the first three: a row's label.
fn first_label<'c>(cells: &'c [Cell<'_>]) -> &'c str {
    cells.iter().take(3).find(|c| !c.is_empty() && !is_number(c)).map_or("", |c| c)
}

/// "Tổng cộng", "TỔNG CỘNG (dự kiến)", "Cộng": a total word and at most a few more words.
fn is_total_label(t: &TableRules, label: &str) -> bool {
    let Some((len, _)) = t.total_rows.match_at(label) else { return false };
    let rest = label[len..].trim_start_matches([' ', ':', '-']);
    rest.is_empty() || rest.starts_with('(') || rest.split_whitespace().count() <= t.total_row_max_extra_words
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Empty,
    Num,
    Marker,
    /// Both a number and a row marker ("1", "2.1").
    NumMarker,
    Text,
}

fn class(t: &TableRules, c: &str) -> Class {
    class_of(t, c, is_number(c))
}

/// [`class`] of `c`, told whether it is a number.
fn class_of(t: &TableRules, c: &str, number: bool) -> Class {
    if c.is_empty() || c == "-" {
        return Class::Empty;
    }
    let marker = t.is_item_marker(c);
    match (number, marker) {
        (true, true) => Class::NumMarker,
        (true, false) => Class::Num,
        (false, true) => Class::Marker,
        (false, false) => Class::Text,
    }
}

/// A number in millionths, with its count of decimals.
fn value(c: &str, sep: Separator) -> Option<(i128, u32)> {
    millionths(parse_number(c, sep)?)
}

/// `d` in millionths, with its count of decimals.
fn millionths(d: money::Decimal) -> Option<(i128, u32)> {
    if d.scale() > SCALE {
        return None;
    }
    Some((d.mantissa().checked_mul(10i128.pow(SCALE - d.scale()))?, d.scale()))
}

// ---------------------------------------------------------------------------------------------
// Columns, profiles and sums

/// How a column's cells look in the rows that were printed whole.
#[derive(Debug, Clone, Default)]
struct Profile {
    num: u32,
    text: u32,
    marker: u32,
}

impl Profile {
    fn total(&self) -> u32 {
        self.num + self.text + self.marker
    }
}

/// Column `total` adds up columns `parts`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Relation {
    total: usize,
    parts: Vec<usize>,
}

/// What aligning a row needs to know about the table.
struct Model<'a> {
    t: &'a TableRules,
    ncols: usize,
    columns: Vec<Column>,
    profiles: Vec<Profile>,
    relations: Vec<Relation>,
    sep: Separator,
    /// [`Model::cost`] of every kind of cell in every column, once the columns and profiles
    /// are known ([`Model::with_fits`]): `fits[c * FITS + fit_index(k, year)]`.
    fits: Vec<f64>,
}

/// The kinds of cell [`Model::cost`] tells apart: a class, and whether it is a year.
const FITS: usize = 10;

fn fit_index(k: Class, year: bool) -> usize {
    k as usize * 2 + usize::from(year)
}

impl Model<'_> {
    /// `self` with its [`Model::fits`] filled.
    fn with_fits(mut self) -> Self {
        let kinds = [Class::Empty, Class::Num, Class::Marker, Class::NumMarker, Class::Text];
        self.fits = vec![0.0; self.ncols * FITS];
        for c in 0..self.ncols {
            for k in kinds {
                for year in [false, true] {
                    self.fits[c * FITS + fit_index(k, year)] = self.cost(k, year, c);
                }
            }
        }
        self
    }

    /// How badly a cell fits a column: 0 (fits) to 1. The cell is given by its class `k` and
    /// whether it is a year, both read once per cell rather than once per column.
    fn cost(&self, k: Class, year: bool, col: usize) -> f64 {
        if k == Class::Empty {
            return 0.0;
        }
        let p = &self.profiles[col];
        let n = p.total();
        if self.columns[col].role == Some(ColumnRole::Time) {
            // Years, ranges, "Năm 2023", "Quý II": anything goes in a time column.
            return 0.2;
        }
        // A year in a money column is more likely a shifted time cell than an amount.
        let year = if self.columns[col].money && year { 0.5 } else { 0.0 };
        if n >= 2 {
            let share = |x: u32| f64::from(x) / f64::from(n);
            return year
                + match k {
                    Class::Num => 1.0 - share(p.num),
                    Class::Text => 1.0 - share(p.text),
                    Class::Marker => 1.0 - share(p.marker),
                    Class::NumMarker => 1.0 - share(p.num).max(share(p.marker)),
                    Class::Empty => 0.0,
                };
        }
        let c = &self.columns[col];
        if c.marker {
            return if matches!(k, Class::Marker | Class::NumMarker) { 0.0 } else { 1.0 };
        }
        year + match (c.money || c.role == Some(ColumnRole::NotMoney), c.role) {
            (true, _) => match k {
                Class::Num => 0.0,
                Class::Text => 1.0,
                _ => 0.3,
            },
            (false, Some(ColumnRole::Time)) => 0.2,
            (false, Some(_)) => match k {
                Class::Text => 0.0,
                Class::Marker => 0.8,
                _ => 1.0,
            },
            (false, None) => 0.5,
        }
    }

    /// Score of a try: column `c` gets cell `cand[c]` of `row` (or an empty cell). The fit of
    /// the cells (`fit`, summed left to right), minus the sums it satisfies, plus the sums it
    /// breaks, plus tiny preferences for missing cells in runs of empty cells and for the row
    /// as printed. Lower is better.
    fn score(&self, row: &RowCells<'_>, cand: &[Option<usize>], fit: f64) -> f64 {
        let mut s = fit;
        let read = |c: usize| cand.get(c).copied().flatten().map_or(Some(None), |k| row.values[k]);
        for r in &self.relations {
            match check_with(r, read) {
                Some(Check::Holds) => s -= 0.5,
                Some(Check::Fails { .. }) => s += 0.5,
                None => {}
            }
        }
        let empty = |c: usize| cand[c].is_none_or(|k| row.empty[k]);
        let n = cand.len();
        // A sliding window over the columns: whether the one before, this one and the one
        // after are empty (the row's ends count as empty).
        let (mut before, mut this) = (true, n > 0 && empty(0));
        for (c, k) in cand.iter().enumerate() {
            let after = c + 1 == n || empty(c + 1);
            if this && !before && !after {
                s += 0.01;
            }
            (before, this) = (this, after);
            if *k != Some(c) {
                s += 0.001;
            }
        }
        s
    }
}

/// The cells of one row, read once: how each fits each column, and its number.
struct RowCells<'c> {
    cells: &'c [Cell<'c>],
    ncols: usize,
    /// `cost[k * ncols + c]`: how badly cell `k` fits column `c`.
    cost: Vec<f64>,
    values: Vec<Value>,
    /// Cell `k` is the empty string.
    empty: Vec<bool>,
}

impl<'c> RowCells<'c> {
    fn new(model: &Model<'_>, cells: &'c [Cell<'c>]) -> Self {
        let ncols = model.ncols;
        let mut cost = Vec::with_capacity(cells.len() * ncols);
        let mut values = Vec::with_capacity(cells.len());
        for cell in cells {
            // Each cell read once as a number: "." and "," are all the separator changes.
            let auto = parse_number(cell, Separator::Auto);
            let kind = fit_index(class_of(model.t, cell, auto.is_some()), is_year(cell));
            cost.extend((0..ncols).map(|c| model.fits[c * FITS + kind]));
            values.push(if cell.is_empty() || *cell == "-" {
                Some(None)
            } else if model.sep == Separator::Auto || !cell.contains(['.', ',']) {
                auto.and_then(millionths).map(Some)
            } else {
                value(cell, model.sep).map(Some)
            });
        }
        let empty = cells.iter().map(|c| c.is_empty()).collect();
        RowCells { cells, ncols, cost, values, empty }
    }

    /// How badly cell `k` fits column `c`.
    fn cost(&self, k: usize, c: usize) -> f64 {
        self.cost[k * self.ncols + c]
    }

    /// How badly the cells of a try fit their columns ([`Search::walk`] sums it column by
    /// column, in the same order).
    #[cfg(test)]
    fn fit(&self, cand: &[Option<usize>]) -> f64 {
        cand.iter().enumerate().filter_map(|(c, k)| k.map(|k| self.cost(k, c))).sum()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Check {
    Holds,
    Fails { total: i128, sum: i128 },
}

/// [`check_with`] over the cells of `row`.
#[cfg(test)]
fn check(r: &Relation, row: &[Cell<'_>], sep: Separator) -> Option<Check> {
    check_with(r, |c: usize| cell_value(row.get(c).map_or("", |c| c), sep))
}

/// What a cell says to a sum: `Some(None)` nothing (empty, "-"), `Some(Some(v))` a number,
/// `None` text.
type Value = Option<Option<(i128, u32)>>;

fn cell_value(cell: &str, sep: Separator) -> Value {
    if cell.is_empty() || cell == "-" {
        return Some(None);
    }
    value(cell, sep).map(Some)
}

/// Whether the cells (their [`Value`] as `read` gives it) satisfy `r`; `None` when they say
/// nothing (all empty, or text in the way).
fn check_with(r: &Relation, read: impl Fn(usize) -> Value) -> Option<Check> {
    let total = read(r.total)?;
    let mut sum = 0i128;
    let mut any = false;
    let mut scale = total.map_or(0, |v| v.1);
    for &p in &r.parts {
        if let Some((v, s)) = read(p)? {
            sum += v;
            any = true;
            scale = scale.max(s);
        }
    }
    let total_v = total.map(|v| v.0);
    if total_v.is_none() && !any {
        return None;
    }
    let t = total_v.unwrap_or(0);
    let ulp = if scale == 0 { 0 } else { 10i128.pow(SCALE - scale) * (r.parts.len() as i128).div_euclid(2).max(1) };
    if (t - sum).abs() <= ulp { Some(Check::Holds) } else { Some(Check::Fails { total: t, sum }) }
}

/// The header text over each column: the spanning cells above it, then its own.
fn column_paths<'h>(header: &'h [Vec<Cell<'_>>], ncols: usize) -> Vec<Vec<&'h str>> {
    let mut paths = vec![Vec::with_capacity(header.len()); ncols];
    for (r, row) in header.iter().enumerate() {
        let mut carry: Option<&str> = None;
        for (c, path) in paths.iter_mut().enumerate() {
            let cell = row.get(c).map_or("", |c| c);
            if !cell.is_empty() {
                carry = Some(cell);
                path.push(cell);
            } else if let Some(label) = carry {
                // An empty cell continues the spanning cell on its left when a lower header
                // row labels this column.
                if header[r + 1..].iter().any(|lower| lower.get(c).is_some_and(|x| !x.is_empty())) {
                    path.push(label);
                } else {
                    carry = None;
                }
            }
        }
    }
    paths
}

fn columns(t: &TableRules, paths: &[Vec<&str>]) -> Vec<Column> {
    // What each header cell names, asked once (and only when needed): a spanning cell is in
    // the path of each column under it.
    fn asked<'h, T: Copy>(known: &mut Vec<(&'h str, T)>, p: &'h str, ask: impl FnOnce(&str) -> T) -> T {
        match known.iter().find(|(q, _)| *q == p) {
            Some(&(_, answer)) => answer,
            None => {
                let answer = ask(p);
                known.push((p, answer));
                answer
            }
        }
    }
    let (mut roles, mut markers) = (Vec::new(), Vec::new());
    paths
        .iter()
        .map(|path| {
            let role = path.iter().rev().find_map(|&p| asked(&mut roles, p, |p| t.role_of(p)));
            let leaf = path.last().copied().unwrap_or("");
            let marker = path.iter().any(|&p| asked(&mut markers, p, |p| t.is_marker_column(p)));
            let total = t.total_columns.match_at(leaf).is_some_and(|(len, _)| {
                let rest = leaf[len..].trim();
                rest.is_empty() || rest.starts_with('(') || rest.split_whitespace().count() <= 2
            });
            let mut label: Vec<&str> = Vec::new();
            for &p in path {
                if label.last() != Some(&p) {
                    label.push(p);
                }
            }
            Column { label: label.join(" / "), role, marker, money: false, total }
        })
        .collect()
}

/// Which columns hold money: a money header (or none at all) and mostly numbers below it.
fn mark_money(model: &mut Model<'_>, has_header: bool) {
    for (c, col) in model.columns.iter_mut().enumerate() {
        let p = &model.profiles[c];
        let numeric = p.num > 0 && p.num * 2 >= p.total();
        let header_money = matches!(col.role, Some(ColumnRole::Money)) || (col.role.is_none() && col.total);
        let other_role = matches!(
            col.role,
            Some(
                ColumnRole::Lead
                    | ColumnRole::Partners
                    | ColumnRole::Time
                    | ColumnRole::Result
                    | ColumnRole::Note
                    | ColumnRole::NotMoney
                    | ColumnRole::Name
            )
        );
        col.money = !col.marker
            && !other_role
            && if has_header { header_money && (numeric || p.total() == 0) } else { numeric && c > 0 };
    }
}

/// The sums the header suggests and the whole rows confirm.
fn find_relations(model: &Model<'_>, parents: &[Vec<&str>], trusted: &[&[Cell<'_>]]) -> Vec<Relation> {
    let cols = &model.columns;
    let n = cols.len();
    let parent = |c: usize| parents[c].first().filter(|_| parents[c].len() > 1).copied();
    // The value of each trusted money cell, read once (when there is a sum to try): every sum
    // tried reads them again.
    let totals = cols.iter().any(|c| c.total && c.money);
    let values = Values::new(model, if totals { trusted } else { &[] }, model.sep);
    let verify = |r: &Relation| -> (usize, usize) {
        let (mut holds, mut fails) = (0, 0);
        for row in values.rows() {
            match check_with(r, |c| row[c]) {
                Some(Check::Holds) => holds += 1,
                Some(Check::Fails { .. }) => fails += 1,
                None => {}
            }
        }
        (holds, fails)
    };
    let accepted = |holds: usize, fails: usize| holds >= 1 && (fails == 0 || (holds >= 2 && holds >= 3 * fails));
    let mut out: Vec<Relation> = Vec::new();
    for c in (0..n).filter(|&c| cols[c].total && cols[c].money) {
        let p = parent(c);
        let mut best: Option<(usize, Relation)> = None;
        for dir in [-1isize, 1] {
            let mut run = Vec::new();
            let mut k = c as isize + dir;
            while k >= 0 && (k as usize) < n {
                let ku = k as usize;
                if !cols[ku].money || cols[ku].total || (p.is_some() && parent(ku) != p) {
                    break;
                }
                run.push(ku);
                k += dir;
            }
            for len in 2..=run.len() {
                let mut parts = run[..len].to_vec();
                parts.sort_unstable();
                let rel = Relation { total: c, parts };
                let (holds, fails) = verify(&rel);
                let ok = if trusted.is_empty() { p.is_some() && len == run.len() } else { accepted(holds, fails) };
                if ok && best.as_ref().is_none_or(|(h, _)| holds >= *h) {
                    best = Some((holds, rel));
                }
            }
        }
        if let Some((_, rel)) = best {
            out.push(rel);
        }
    }
    // A top-level total: the other totals and the money columns no sum covers.
    let covered: BTreeSet<usize> = out.iter().flat_map(|r| r.parts.iter().copied()).collect();
    for c in (0..n).filter(|&c| cols[c].total && cols[c].money && parent(c).is_none()) {
        if out.iter().any(|r| r.total == c) || covered.contains(&c) {
            continue;
        }
        let parts: Vec<usize> = (0..n).filter(|&k| k != c && cols[k].money && !covered.contains(&k)).collect();
        if parts.len() < 2 {
            continue;
        }
        let rel = Relation { total: c, parts };
        let (holds, fails) = verify(&rel);
        if accepted(holds, fails) {
            out.push(rel);
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Aligning rows

/// `cells` with exactly `model.ncols` cells, the best of the tries.
fn align<'a>(model: &Model<'_>, mut cells: Vec<Cell<'a>>) -> Vec<Cell<'a>> {
    let n = model.ncols;
    if cells.len() == n {
        // Printed with every cell: trusted as it is.
        return cells;
    }
    // The cells up to the last filled one; the empty cells after it say nothing.
    cells.truncate(cells.iter().rposition(|c| !c.is_empty()).map_or(0, |p| p + 1));
    if cells.len() == n {
        return cells;
    }
    if cells.len() < n {
        let d = n - cells.len();
        if combinations_count(n, d) > MAX_CANDIDATES {
            cells.resize(n, Cell::default());
            return cells;
        }
        let cand = best_try(model, &RowCells::new(model, &cells), Tries::Gaps);
        return build_try(model, cells, cand);
    }
    // Too many cells: drop empty ones.
    let extra = cells.len() - n;
    let empties = cells.iter().filter(|c| c.is_empty()).count();
    if empties < extra || combinations_count(empties, extra) > MAX_CANDIDATES {
        let mut kept: Vec<Cell<'a>> = Vec::with_capacity(n);
        let mut to_drop = extra;
        for (k, c) in cells.into_iter().enumerate().rev() {
            if to_drop > 0 && c.is_empty() && k > 0 {
                to_drop -= 1;
            } else {
                kept.push(c);
            }
        }
        kept.reverse();
        if kept.len() > n {
            let tail = kept.split_off(n - 1).into_iter().filter(|c| !c.is_empty()).collect::<Vec<_>>().join(" ");
            kept.push(tail.into());
        }
        return kept;
    }
    let cand = best_try(model, &RowCells::new(model, &cells), Tries::Drops);
    build_try(model, cells, cand)
}

/// Only the first two cells are filled, one of them with a label.
fn label_only(t: &TableRules, cells: &[Cell<'_>]) -> bool {
    cells.iter().skip(2).all(|c| c.is_empty())
        && cells.iter().take(2).any(|c| !c.is_empty() && !t.is_item_marker(c) && !is_number(c))
}

/// The sum of each money column over the item rows of a table as its rows are aligned, for the
/// total rows: kept as rows come, not summed again at each total (a table of many subtotals
/// would cost its length squared).
struct ItemSums {
    /// Over the rows before `settled`.
    sums: Vec<Option<i128>>,
    settled: usize,
}

impl ItemSums {
    fn new(model: &Model<'_>) -> ItemSums {
        ItemSums { sums: vec![None; model.ncols], settled: 0 }
    }

    /// The sums over `rows`, the rows aligned so far (the same rows as at the last call, and
    /// more: only the last row may have changed since, joined by a continuation row).
    fn over(&mut self, model: &Model<'_>, rows: &[Vec<Cell<'_>>]) -> Vec<Option<i128>> {
        let last = rows.len().saturating_sub(1);
        for row in &rows[self.settled.min(last)..last] {
            add_item_row(model, row, &mut self.sums);
        }
        self.settled = self.settled.max(last);
        let mut sums = self.sums.clone();
        if let Some(row) = rows.get(last) {
            add_item_row(model, row, &mut sums);
        }
        sums
    }
}

/// Add `row` to the sums of the money columns when it is an item row.
fn add_item_row(model: &Model<'_>, row: &[Cell<'_>], sums: &mut [Option<i128>]) {
    if group_like(model, row) || is_total_label(model.t, first_label(row)) {
        return;
    }
    for (c, sum) in sums.iter_mut().enumerate().filter(|(c, _)| model.columns[*c].money) {
        if let Some((v, _)) = value(&row[c], model.sep) {
            *sum = Some(sum.unwrap_or(0) + v);
        }
    }
}

/// A total row: its label where it is printed, its numbers in the money columns, in order, so
/// that as many as possible equal the sums of their columns (the earliest columns when none
/// does). `None` when the row does not fit that shape.
fn align_total<'a>(model: &Model<'_>, cells: &[Cell<'a>], sums: &[Option<i128>]) -> Option<Vec<Cell<'a>>> {
    let money: Vec<usize> = (0..model.ncols).filter(|&c| model.columns[c].money).collect();
    let mut label: Option<(usize, &Cell<'a>)> = None;
    let mut numbers: Vec<&Cell<'a>> = Vec::new();
    for (k, c) in cells.iter().enumerate().filter(|(_, c)| !c.is_empty()) {
        if value(c, model.sep).is_some() {
            numbers.push(c);
        } else if label.is_none() && k <= 1 && numbers.is_empty() {
            label = Some((k, c));
        } else {
            return None;
        }
    }
    let (at, text) = label?;
    let money: Vec<usize> = money.into_iter().filter(|&c| c > at).collect();
    let (k, m) = (numbers.len(), money.len());
    if k == 0 || k > m {
        return None;
    }
    let hit = |i: usize, j: usize| -> u32 {
        u32::from(value(numbers[i], model.sep).zip(sums[money[j]]).is_some_and(|((v, _), s)| v == s))
    };
    // best[i][j]: most hits placing numbers i.. in money columns j..
    let mut best = vec![vec![0u32; m + 1]; k + 1];
    for i in (0..k).rev() {
        for j in (0..m).rev() {
            let take = if m - j >= k - i { hit(i, j) + best[i + 1][j + 1] } else { 0 };
            let skip = if m - j > k - i { best[i][j + 1] } else { 0 };
            best[i][j] = take.max(skip);
        }
    }
    let mut out = vec![Cell::default(); model.ncols];
    out[at] = text.clone();
    let (mut i, mut j) = (0, 0);
    while i < k {
        let take = hit(i, j) + best[i + 1][j + 1];
        if m - j == k - i || take >= best[i][j] {
            out[money[j]] = numbers[i].clone();
            i += 1;
        }
        j += 1;
    }
    Some(out)
}

/// Which tries of a row are walked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tries {
    /// Too few cells: the cells in order, with empty columns between them.
    Gaps,
    /// Too many cells: the cells in order, some empty ones left out.
    Drops,
}

/// The winning try of `row`: the best score, and on a tie the first of the plain enumeration
/// (the sets of gaps, or of dropped empty cells, in lexicographic order), where a try wins only
/// by more than 1e-9 over the best so far. `None` when there is no try.
///
/// The plain enumeration reaches the usual winner (the missing cells at the row's end) last,
/// so pruning it against the best so far saves little. Instead the tries are walked likeliest
/// first, which finds the least score `m` early, and every try scoring less than [`NEAR`] above
/// the least so far is kept (none of them is left by the pruning); at the end those within
/// [`NEAR`] of `m` remain, and the first of them in the plain order is taken when it scores
/// within 1e-9 of `m`: every try before it scores at least [`NEAR`] above `m`, so each of them
/// would have lost to it and none after it can beat it; it is the plain enumeration's winner.
/// Otherwise (scores closer than [`NEAR`] without being equal: not seen in real tables) the
/// plain order is walked through, pruned only against the best so far.
fn best_try(model: &Model<'_>, row: &RowCells<'_>, tries: Tries) -> Option<Vec<Option<usize>>> {
    let mut search = Search::new(model, row, tries);
    let mut near = Near { least: f64::INFINITY, kept: Vec::new() };
    search.run(Order::Likeliest, &mut near);
    let least = near.least;
    let first = near
        .kept
        .into_iter()
        .filter(|(s, _)| *s < least + NEAR)
        .reduce(|a, b| if plain_before(tries, &b.1, &a.1) { b } else { a });
    match first {
        None => None,
        Some((s, cand)) if s <= least + 1e-9 => Some(cand),
        Some(_) => {
            let mut best = Best::default();
            search.run(Order::Plain, &mut best);
            best.best.map(|(_, cand)| cand)
        }
    }
}

/// How far above the least score the plain order's winner is taken without a full walk.
const NEAR: f64 = 1e-7;

/// Try `a` comes before try `b` in the plain order: at the first column where they differ,
/// `a` leaves a gap (too few cells) or has dropped the cell that `b` places there (too many).
fn plain_before(tries: Tries, a: &[Option<usize>], b: &[Option<usize>]) -> bool {
    a.iter().zip(b).find(|(x, y)| x != y).is_some_and(|(x, y)| match tries {
        Tries::Gaps => x.is_none(),
        Tries::Drops => x > y,
    })
}

/// In which order [`Search::walk`] takes the tries.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Order {
    /// The plain enumeration's: a gap (or a drop) before a cell.
    Plain,
    /// A cell before a gap (or a drop): the row as printed first, the usual winner.
    Likeliest,
}

/// What a walk does with each try, and which branches it leaves.
trait Visit {
    /// Branches whose tries all score at least this are left.
    fn cutoff(&self) -> f64;
    /// Sees try `cand`, whose fit is `fit`; `true` ends the walk.
    fn visit(&mut self, model: &Model<'_>, row: &RowCells<'_>, cand: &[Option<usize>], fit: f64) -> bool;
}

/// The least score, and the tries scoring less than [`NEAR`] above the least so far.
struct Near {
    least: f64,
    kept: Vec<(f64, Vec<Option<usize>>)>,
}

impl Visit for Near {
    fn cutoff(&self) -> f64 {
        self.least + NEAR
    }

    fn visit(&mut self, model: &Model<'_>, row: &RowCells<'_>, cand: &[Option<usize>], fit: f64) -> bool {
        let s = model.score(row, cand, fit);
        if s >= self.least + NEAR {
            return false;
        }
        if s < self.least {
            self.least = s;
            let least = s;
            self.kept.retain(|(k, _)| *k < least + NEAR);
        }
        self.kept.push((s, cand.to_vec()));
        false
    }
}

/// The best of the tries so far (the first on a tie), as the plain enumeration keeps it. A try
/// is kept only when it wins, so the candidates themselves can live in one reused buffer.
#[derive(Default)]
struct Best {
    best: Option<(f64, Vec<Option<usize>>)>,
}

impl Visit for Best {
    fn cutoff(&self) -> f64 {
        // A try wins only by more than 1e-9.
        self.best.as_ref().map_or(f64::INFINITY, |(b, _)| *b - 1e-9)
    }

    fn visit(&mut self, model: &Model<'_>, row: &RowCells<'_>, cand: &[Option<usize>], fit: f64) -> bool {
        let s = model.score(row, cand, fit);
        match &mut self.best {
            Some((b, kept)) if s < *b - 1e-9 => {
                *b = s;
                kept.clear();
                kept.extend_from_slice(cand);
            }
            Some(_) => {}
            None => self.best = Some((s, cand.to_vec())),
        }
        false
    }
}

/// The tries of one row as a tree: cell by cell and column by column, each step places the
/// next cell in the next column, or leaves the column empty (too few cells) or drops the
/// next cell when it is empty (too many). A branch is left when no try in it can score below
/// the walk's cutoff: the fit of its columns so far, plus the least fit the rest can have,
/// plus what its shifted cells surely cost, less every sum it could satisfy.
struct Search<'a, 'r> {
    model: &'a Model<'a>,
    row: &'r RowCells<'r>,
    tries: Tries,
    /// `rest[k * (ncols + 1) + c]`: the least fit of columns `c..` holding cells `k..`
    /// (infinite where they cannot, and where no walk goes).
    rest: Vec<f64>,
    /// The try so far, one entry per column decided.
    cand: Vec<Option<usize>>,
    /// `sums_of[sums_at[c]..sums_at[c + 1]]`: the sums column `c` is the total or a part of.
    sums_of: Vec<usize>,
    sums_at: Vec<usize>,
    /// `last[i]`: the last column of sum `i`.
    last: Vec<usize>,
    /// The bits of [`Node::settled`] in use.
    sums_mask: u64,
    /// `numbers_from[k]`: how many of cells `k..` are numbers.
    numbers_from: Vec<usize>,
    order: Order,
}

impl<'a, 'r> Search<'a, 'r> {
    fn new(model: &'a Model<'a>, row: &'r RowCells<'r>, tries: Tries) -> Self {
        let (n, len) = (model.ncols, row.cells.len());
        let w = n + 1;
        let mut rest = vec![f64::INFINITY; (len + 1) * w];
        rest[len * w + n] = 0.0;
        for k in (0..=len).rev() {
            // Only the branches a walk can reach are filled (they only need each other): with
            // `k` cells placed, `c - k` columns were left empty, at most `n - len` (too few
            // cells), or `k - c` cells dropped, at most `len - n` (too many).
            let columns = match tries {
                Tries::Gaps => k..=(k + n.saturating_sub(len)).min(n),
                Tries::Drops => k.saturating_sub(len.saturating_sub(n))..=k.min(n),
            };
            for c in columns.rev() {
                if k == len && c == n {
                    continue;
                }
                let keep = if k < len && c < n { row.cost(k, c) + rest[(k + 1) * w + c + 1] } else { f64::INFINITY };
                let skip = match tries {
                    Tries::Gaps if c < n && n - c > len - k => rest[k * w + c + 1],
                    Tries::Drops if k < len && len - k > n - c && row.empty[k] => rest[(k + 1) * w + c],
                    _ => f64::INFINITY,
                };
                rest[k * w + c] = keep.min(skip);
            }
        }
        let relations = &model.relations;
        let last = relations.iter().map(|r| r.parts.iter().copied().fold(r.total, usize::max)).collect();
        // By column, each sum once per column, in the order of the sums.
        let (mut sums_of, mut sums_at) = (Vec::new(), Vec::with_capacity(n + 1));
        sums_at.push(0);
        for col in 0..n {
            sums_of.extend(
                (0..relations.len()).filter(|&i| relations[i].total == col || relations[i].parts.contains(&col)),
            );
            sums_at.push(sums_of.len());
        }
        let sums_mask = match model.relations.len() {
            r @ 0..64 => (1u64 << r) - 1,
            _ => u64::MAX,
        };
        let mut numbers_from = vec![0; len + 1];
        for k in (0..len).rev() {
            numbers_from[k] = numbers_from[k + 1] + usize::from(matches!(row.values[k], Some(Some(_))));
        }
        Search {
            model,
            row,
            tries,
            rest,
            cand: Vec::with_capacity(n),
            sums_of,
            sums_at,
            last,
            sums_mask,
            numbers_from,
            order: Order::Plain,
        }
    }
}

impl Search<'_, '_> {
    /// Updates `at` once column `c` holds what the end of `self.cand` says: the empty
    /// columns now known to lie between filled ones, and what the sums add at least to the
    /// score (a sum with text in one of its columns adds nothing, a sum whose columns are all
    /// decided adds what it adds, the others may hold: -0.5).
    fn decide(&self, at: &mut Node, c: usize) {
        // The window term of `Model::score` for column `c - 1`, now that its neighbours are
        // known.
        let empty = |col: usize| self.cand[col].is_none_or(|k| self.row.empty[k]);
        if c >= 1 && empty(c - 1) && !(c == 1 || empty(c - 2)) && !empty(c) {
            at.isolated += 1;
        }
        let cell = self.cand[c].map_or(Some(None), |k| self.row.values[k]);
        for &i in &self.sums_of[self.sums_at[c]..self.sums_at[c + 1]] {
            let r = &self.model.relations[i];
            // Sums past the 64th are never marked; their check below sees the text.
            let bit = if i < 64 { 1u64 << i } else { 0 };
            let settled = at.settled & bit != 0;
            if c == self.last[i] {
                let read = |col: usize| self.cand[col].map_or(Some(None), |k| self.row.values[k]);
                let now = match check_with(r, read) {
                    Some(Check::Holds) => -0.5,
                    Some(Check::Fails { .. }) => 0.5,
                    None => 0.0,
                };
                at.sums += now - if settled { 0.0 } else { -0.5 };
                at.settled |= bit;
            } else if !settled && cell.is_none() {
                at.settled |= bit;
                at.sums += 0.5;
            } else if matches!(cell, Some(Some(_))) {
                at.valued |= bit;
            }
        }
    }

    /// Walks the tries in `order`, showing each to `v` until it says stop.
    fn run(&mut self, order: Order, v: &mut impl Visit) {
        self.order = order;
        self.cand.clear();
        let sums = -0.5 * self.model.relations.len() as f64;
        self.walk(Node { k: 0, c: 0, fit: -0.0, first_skip: None, sums, settled: 0, valued: 0, isolated: 0 }, v);
    }

    /// Walks the tries under `at`. `true` when `v` ended the walk.
    fn walk(&mut self, at: Node, v: &mut impl Visit) -> bool {
        let (n, len) = (self.model.ncols, self.row.cells.len());
        let Node { k, c, fit, first_skip, mut sums, .. } = at;
        if k == len && c == n {
            return v.visit(self.model, self.row, &self.cand, fit);
        }
        if self.numbers_from[k] == 0 {
            // With no number left to place, a sum without one so far says nothing.
            let open = self.sums_mask & !at.settled & !at.valued;
            sums += 0.5 * f64::from(open.count_ones());
        }
        // Every column from the first gap (or drop) on holds another cell than its own; the
        // gaps still to place come at the latest at the end.
        let shifted = match (first_skip, self.tries) {
            (Some(f), _) => n - f,
            (None, Tries::Gaps) => (n - c) - (len - k),
            (None, Tries::Drops) => 0,
        };
        // 1e-6 of slack covers any rounding in the sums.
        let bound =
            fit + self.rest[k * (n + 1) + c] + 0.001 * shifted as f64 + 0.01 * f64::from(at.isolated) + sums - 1e-6;
        if bound >= v.cutoff() {
            return false;
        }
        let can_skip = match self.tries {
            Tries::Gaps => n - c > len - k,
            Tries::Drops => len - k > n - c && self.row.empty[k],
        };
        let steps = match self.order {
            Order::Plain => [false, true],
            Order::Likeliest => [true, false],
        };
        for keep in steps {
            let ended = if keep {
                if k == len || c == n {
                    continue;
                }
                self.cand.push(Some(k));
                let mut next = Node { k: k + 1, c: c + 1, fit: fit + self.row.cost(k, c), ..at };
                self.decide(&mut next, c);
                let ended = self.walk(next, v);
                self.cand.pop();
                ended
            } else if !can_skip {
                continue;
            } else if self.tries == Tries::Gaps {
                self.cand.push(None);
                let mut next = Node { c: c + 1, first_skip: first_skip.or(Some(c)), ..at };
                self.decide(&mut next, c);
                let ended = self.walk(next, v);
                self.cand.pop();
                ended
            } else {
                self.walk(Node { k: k + 1, first_skip: first_skip.or(Some(c)), ..at }, v)
            };
            if ended {
                return true;
            }
        }
        false
    }
}

/// A branch of [`Search::walk`]: cells `..k` placed in columns `..c`.
#[derive(Debug, Clone, Copy)]
struct Node {
    k: usize,
    c: usize,
    /// The fit of columns `..c`, summed left to right.
    fit: f64,
    /// The first column that does not hold its own cell.
    first_skip: Option<usize>,
    /// The least the sums add to the score ([`Search::decide`]).
    sums: f64,
    /// The sums (the first 64) whose share of `sums` is final: with text in a decided
    /// column, or all their columns decided.
    settled: u64,
    /// The sums (the first 64) with a number in a decided column.
    valued: u64,
    /// Empty columns `..c - 1` between two filled ones.
    isolated: u32,
}

/// `cells` in the columns of `cand`, or as printed (padded) when there was no try.
fn build_try<'a>(model: &Model<'_>, mut cells: Vec<Cell<'a>>, cand: Option<Vec<Option<usize>>>) -> Vec<Cell<'a>> {
    match cand {
        // (Each cell is in `cand` at most once.)
        Some(cand) => cand.iter().map(|k| k.map_or_else(Cell::default, |k| std::mem::take(&mut cells[k]))).collect(),
        None => {
            cells.resize(model.ncols, Cell::default());
            cells
        }
    }
}

fn combinations_count(n: usize, k: usize) -> usize {
    let mut c: usize = 1;
    for i in 0..k.min(n) {
        c = c.saturating_mul(n - i) / (i + 1);
        if c > MAX_CANDIDATES * 4 {
            return usize::MAX;
        }
    }
    if k > n { 0 } else { c }
}

/// `f` on each `k`-subset of `0..n`, in lexicographic order (one buffer, stepped in place).
#[cfg(test)]
fn for_each_combination(n: usize, k: usize, mut f: impl FnMut(&[usize])) {
    if k > n {
        return;
    }
    let mut cur: Vec<usize> = (0..k).collect();
    loop {
        f(&cur);
        // The rightmost index that can still move right moves one step; those after it follow.
        let Some(i) = (0..k).rev().find(|&i| cur[i] < n - k + i) else { return };
        cur[i] += 1;
        for j in i + 1..k {
            cur[j] = cur[j - 1] + 1;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Building one table

fn build(cx: &DocContext<'_>, draft: Draft<'_>, index: usize, diagnostics: &mut Vec<Diagnostic>) -> Option<ReadTable> {
    let t = &cx.g.tables;
    let last_filled = |cells: &[Cell<'_>]| cells.iter().rposition(|c| !c.is_empty()).map_or(0, |p| p + 1);
    let header_cols = draft.header.iter().map(|r| last_filled(r)).max().unwrap_or(0);
    let ncols = header_cols.max(mode(draft.body.iter().map(|r| last_filled(&r.cells)))).max(1);

    let mut header = draft.header;
    for r in &mut header {
        r.resize(ncols, Cell::default());
    }
    let paths = column_paths(&header, ncols);
    let mut model = Model {
        t,
        ncols,
        columns: columns(t, &paths),
        profiles: vec![Profile::default(); ncols],
        relations: Vec::new(),
        sep: Separator::Auto,
        fits: Vec::new(),
    };

    // Rows printed whole: their cells sit in their columns.
    let trusted: Vec<&[Cell<'_>]> = draft
        .body
        .iter()
        .filter_map(|r| {
            let cells = if r.cells.len() == ncols { &r.cells[..] } else { &r.cells[..last_filled(&r.cells)] };
            (cells.len() == ncols).then_some(cells)
        })
        .collect();
    // The row-number column: named so, or markers in the whole rows.
    if let Some(first) = model.columns.first_mut()
        && !first.marker
    {
        let markers = trusted.iter().filter(|r| t.is_item_marker(&r[0])).count();
        first.marker = markers * 5 >= trusted.len() * 3 && markers > 0;
    }
    for row in &trusted {
        for (c, cell) in row.iter().enumerate() {
            let p = &mut model.profiles[c];
            match class(t, cell) {
                Class::Num => p.num += 1,
                Class::Text => p.text += 1,
                Class::Marker => p.marker += 1,
                Class::NumMarker if model.columns[c].marker => p.marker += 1,
                Class::NumMarker => p.num += 1,
                Class::Empty => {}
            }
        }
    }
    mark_money(&mut model, !header.is_empty());
    let mut model = model.with_fits();
    model.sep = money::decide_separator(
        draft
            .body
            .iter()
            .flat_map(|r| r.cells.iter().enumerate().skip(1))
            // Cells with anything but digits, "." and "," (and spaces) are no numbers to it, and
            // those without a "." or a "," say nothing to it.
            .filter(|(_, c)| c.bytes().any(|b| b == b'.' || b == b','))
            .filter(|(_, c)| c.chars().all(|ch| matches!(ch, '0'..='9' | '.' | ',') || ch.is_whitespace()))
            .filter(|(k, c)| !(*k <= 1 && t.is_item_marker(c)))
            .map(|(_, c)| &**c),
    );
    model.relations = find_relations(&model, &paths, &trusted);

    // Body rows: continuation rows joined to the row above, the others aligned.
    let mut rows: Vec<Vec<Cell<'_>>> = Vec::with_capacity(draft.body.len());
    let mut spans: Vec<Span> = Vec::with_capacity(draft.body.len());
    let mut item_sums = ItemSums::new(&model);
    for raw in draft.body {
        if let Some(prev) = rows.last_mut()
            && continues(cx, &model, prev, &raw)
        {
            merge(&model, prev, &raw);
            if let Some(s) = spans.last_mut() {
                s.end = raw.span.end;
            }
            continue;
        }
        let aligned = if label_only(t, &raw.cells) {
            // "I  Phát triển Chính quyền số", "Phát triển nguồn nhân lực": kept as printed.
            let mut cells = raw.cells;
            cells.resize(ncols, Cell::default());
            cells
        } else if is_total_label(t, first_label(&raw.cells)) {
            let sums = item_sums.over(&model, &rows);
            align_total(&model, &raw.cells, &sums).unwrap_or_else(|| align(&model, raw.cells))
        } else {
            align(&model, raw.cells)
        };
        rows.push(aligned);
        spans.push(raw.span);
    }
    let kinds = row_kinds(&model, &rows);

    // How "." reads in this table, and the sums checked.
    let (sep, values) = settle_separator(&model, &rows, &kinds, draft.span, index, diagnostics);
    model.sep = sep;
    let values = values.unwrap_or_else(|| Values::new(&model, &rows, sep));
    check_sums(&model, &values, &kinds, &spans, index, diagnostics);
    let total_col = grand_total_column(&model);

    let (caption, unit) = caption_and_unit(cx, draft.span.start, &header);
    let table = Table {
        section: cx.section_at(draft.span.start).into(),
        caption: caption.map(Into::into),
        unit: unit.map(Into::into),
        header: compact_rows(header),
        rows: compact_rows(rows),
        row_kinds: kinds.iter().map(|&k| k.into()).collect(),
        span: draft.span,
    };
    Some(ReadTable { table, index, columns: model.columns, row_spans: spans, separator: sep, total_col })
}

fn mode(values: impl Iterator<Item = usize>) -> usize {
    let mut counts: Vec<(usize, usize)> = Vec::new();
    for v in values {
        match counts.iter_mut().find(|(x, _)| *x == v) {
            Some((_, n)) => *n += 1,
            None => counts.push((v, 1)),
        }
    }
    // Most frequent; on a tie the larger width.
    counts.into_iter().max_by_key(|&(v, n)| (n, v)).map_or(0, |(v, _)| v)
}

/// `raw` is the rest of `prev`, cut by a page break or a wrapped line.
fn continues(cx: &DocContext<'_>, model: &Model<'_>, prev: &[Cell<'_>], raw: &RawRow<'_>) -> bool {
    let t = model.t;
    if raw.cells.first().is_some_and(|c| !c.is_empty()) {
        return false;
    }
    let frags: Vec<&Cell> = raw.cells.iter().filter(|c| !c.is_empty()).collect();
    if frags.is_empty() || frags.iter().any(|c| is_number(c)) {
        return false;
    }
    // The row above must be an item: something beyond a marker and a label.
    if is_total_label(t, first_label(prev)) || group_like(model, prev) {
        return false;
    }
    let first = frags[0];
    if first.chars().next().is_some_and(char::is_lowercase) {
        return true;
    }
    // Or the cell it goes on from stops mid-phrase.
    let Some(target) = target_column(model, prev, raw, 1) else { return false };
    let cell = prev[target].trim_end();
    let last_word = cell.rsplit(char::is_whitespace).next().unwrap_or("").to_lowercase();
    cell.ends_with(',') || cell.ends_with('-') || cx.g.text.wrap_join_after.contains(&last_word)
}

/// The column of `prev` that the `nth` (1-based) filled cell of `raw` goes on.
fn target_column(model: &Model<'_>, prev: &[Cell<'_>], raw: &RawRow<'_>, nth: usize) -> Option<usize> {
    let text_cols: Vec<usize> =
        (0..prev.len()).filter(|&c| !prev[c].is_empty() && !is_number(&prev[c]) && !model.columns[c].marker).collect();
    let filled: Vec<usize> = (0..raw.cells.len()).filter(|&k| !raw.cells[k].is_empty()).collect();
    let pos = *filled.get(nth - 1)?;
    if text_cols.is_empty() {
        return Some(pos.min(prev.len().saturating_sub(1)));
    }
    if filled.len() == text_cols.len() {
        return Some(text_cols[nth - 1]);
    }
    text_cols.iter().copied().min_by_key(|&c| (c.abs_diff(pos), c))
}

fn merge(model: &Model<'_>, prev: &mut [Cell<'_>], raw: &RawRow<'_>) {
    let filled = raw.cells.iter().filter(|c| !c.is_empty()).count();
    for nth in 1..=filled {
        let Some(col) = target_column(model, prev, raw, nth) else { continue };
        let frag = raw.cells.iter().filter(|c| !c.is_empty()).nth(nth - 1).map_or("", |c| c);
        let cell = &mut prev[col];
        if cell.is_empty() || (cell.ends_with('-') && !cell.ends_with(" -")) {
            cell.to_mut().push_str(frag);
        } else {
            let cell = cell.to_mut();
            cell.push(' ');
            cell.push_str(frag);
        }
    }
}

/// The label column: named so, or the first text column after the marker.
fn name_column(model: &Model<'_>) -> usize {
    if let Some(c) = model.columns.iter().position(|c| c.role == Some(ColumnRole::Name)) {
        return c;
    }
    let first = usize::from(model.columns.first().is_some_and(|c| c.marker));
    first.min(model.ncols.saturating_sub(1))
}

/// Only a marker and a label are filled.
fn group_like(model: &Model<'_>, row: &[Cell<'_>]) -> bool {
    let name = name_column(model);
    let mut label = false;
    for (c, cell) in row.iter().enumerate().filter(|(_, c)| !c.is_empty()) {
        if c != 0 && c != name {
            return false;
        }
        label |= !model.t.is_item_marker(cell);
    }
    label
}

fn row_kinds(model: &Model<'_>, rows: &[Vec<Cell<'_>>]) -> Vec<&'static str> {
    let t = model.t;
    let lead = model.columns.iter().position(|c| c.role == Some(ColumnRole::Lead));
    let arabic = rows.iter().any(|r| r.first().is_some_and(|m| m.starts_with(|c: char| c.is_ascii_digit())));
    (0..rows.len())
        .map(|i| {
            let row = &rows[i];
            if is_total_label(t, first_label(row)) {
                return "total";
            }
            let marker = row.first().map_or("", |c| c);
            if group_like(model, row) {
                // "1  Phát triển hạ tầng số" is a group when the rows under it are "1.1", … or
                // carry no marker; "3  Tổ chức hội nghị" followed by "4" (or by nothing) is an
                // item.
                let numbered = marker.starts_with(|c: char| c.is_ascii_digit()) || marker == "#";
                if !numbered || t.group_marker.is_match(marker) {
                    return "group";
                }
                let Some(next) = rows.get(i + 1).and_then(|r| r.first()) else { return "item" };
                let base = marker.trim_end_matches('.');
                return if next.is_empty() || next.starts_with(&format!("{base}.")) { "group" } else { "item" };
            }
            let no_lead = lead.is_none_or(|l| row.get(l).is_none_or(|c| c.is_empty()));
            if arabic && t.group_marker.is_match(marker) && no_lead {
                return "group";
            }
            "item"
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Sums and the separator

/// The values of the money cells of the aligned rows under one reading of ".", read once for
/// every sum that checks them. Only money columns are read: the sums and the totals are all
/// over money columns (other cells are left empty here).
struct Values {
    ncols: usize,
    /// `cells[r * ncols + c]`: the value of cell `c` of row `r`.
    cells: Vec<Value>,
}

impl Values {
    fn new<'c, R: AsRef<[Cell<'c>]>>(model: &Model<'_>, rows: &[R], sep: Separator) -> Values {
        let ncols = model.ncols;
        let mut cells = vec![Some(None); rows.len() * ncols];
        for (r, row) in rows.iter().map(AsRef::as_ref).enumerate() {
            for c in (0..ncols).filter(|&c| model.columns[c].money) {
                cells[r * ncols + c] = cell_value(row.get(c).map_or("", |c| c), sep);
            }
        }
        Values { ncols, cells }
    }

    /// The number in cell `c` of row `r` (as [`value`] reads it).
    fn number(&self, r: usize, c: usize) -> Option<(i128, u32)> {
        self.cells[r * self.ncols + c].flatten()
    }

    fn rows(&self) -> impl Iterator<Item = &[Value]> {
        self.cells.chunks_exact(self.ncols.max(1))
    }
}

/// The total row's cell of column `c`, and the sum of the item cells above it.
fn column_sums(model: &Model<'_>, values: &Values, kinds: &[&str]) -> Vec<(usize, usize, i128, i128)> {
    let mut out = Vec::new();
    let Some(total_row) = kinds.iter().position(|k| *k == "total") else { return out };
    for c in (0..model.ncols).filter(|&c| model.columns[c].money) {
        let Some((total, _)) = values.number(total_row, c) else { continue };
        let sum_of = |kind: &str| -> (i128, usize) {
            let mut s = 0i128;
            let mut n = 0;
            for r in (0..total_row).filter(|&r| kinds[r] == kind) {
                if let Some((v, _)) = values.number(r, c) {
                    s += v;
                    n += 1;
                }
            }
            (s, n)
        };
        let (items, n) = sum_of("item");
        let (groups, g) = sum_of("group");
        if n == 0 && g == 0 {
            continue;
        }
        if items != total && !(g > 0 && groups == total) {
            out.push((total_row, c, total, items));
        }
    }
    out
}

/// How many of the table's checks hold under the reading of `values` (sums, and totals not
/// below items).
fn sums_score(model: &Model<'_>, values: &Values, kinds: &[&str]) -> i64 {
    let mut score = 0i64;
    for row in values.rows() {
        for r in &model.relations {
            match check_with(r, |c| row[c]) {
                Some(Check::Holds) => score += 1,
                Some(Check::Fails { .. }) => score -= 1,
                None => {}
            }
        }
    }
    let total_row = kinds.iter().position(|k| *k == "total");
    for c in (0..model.ncols).filter(|&c| model.columns[c].money) {
        let Some(tr) = total_row else { break };
        let Some((total, _)) = values.number(tr, c) else { continue };
        let items: Vec<i128> =
            (0..kinds.len()).filter(|&r| kinds[r] == "item").filter_map(|r| values.number(r, c)).map(|v| v.0).collect();
        if items.is_empty() {
            continue;
        }
        score += if items.iter().sum::<i128>() == total { 2 } else { -1 };
        score += if items.iter().all(|&v| v <= total) { 1 } else { -1 };
    }
    score
}

/// How "." reads in the table, and the values of its cells under that reading when they were
/// read to settle it.
fn settle_separator(
    model: &Model<'_>,
    rows: &[Vec<Cell<'_>>],
    kinds: &[&str],
    span: Span,
    index: usize,
    diagnostics: &mut Vec<Diagnostic>,
) -> (Separator, Option<Values>) {
    if model.sep != Separator::Auto {
        return (model.sep, None);
    }
    let ambiguous: Vec<&Cell> = rows
        .iter()
        .flat_map(|r| r.iter().enumerate())
        .filter(|(c, cell)| model.columns[*c].money && money::is_ambiguous(cell))
        .map(|(_, cell)| cell)
        .collect();
    let Some(example) = ambiguous.first() else { return (Separator::Auto, None) };
    let thousands = Values::new(model, rows, Separator::DotThousands);
    let decimal = Values::new(model, rows, Separator::DotDecimal);
    let (thousands_score, decimal_score) = (sums_score(model, &thousands, kinds), sums_score(model, &decimal, kinds));
    if thousands_score > decimal_score {
        (Separator::DotThousands, Some(thousands))
    } else if decimal_score > thousands_score {
        (Separator::DotDecimal, Some(decimal))
    } else {
        diagnostics.push(
            Diagnostic::new(
                Severity::Warning,
                "table.ambiguous_number",
                format!(
                    "table {index}: \"{example}\" and {} more number(s) may group thousands or hold a decimal point; \
                     nothing in the table settles it, read as thousands (the Vietnamese writing)",
                    ambiguous.len() - 1
                ),
            )
            .with_span(span),
        );
        (Separator::DotThousands, Some(thousands))
    }
}

fn check_sums(
    model: &Model<'_>,
    values: &Values,
    kinds: &[&str],
    spans: &[Span],
    index: usize,
    diagnostics: &mut Vec<Diagnostic>,
) {
    // The messages are written in one string each.
    let show = |m: &mut String, v: i128| m.push_str(&money::Decimal::new(v, SCALE).to_plain());
    let name = |m: &mut String, c: usize| {
        let l = &model.columns[c].label;
        if l.is_empty() {
            let _ = write!(m, "column {}", c + 1);
        } else {
            m.push('"');
            m.push_str(l);
            m.push('"');
        }
    };
    // Only the first few are written out; the others are counted.
    let mut found = 0usize;
    let mut report = |diagnostics: &mut Vec<Diagnostic>, message: &dyn Fn(&mut String), span: Span| {
        if found < MAX_SUM_DIAGNOSTICS {
            let mut m = String::with_capacity(200);
            message(&mut m);
            diagnostics.push(Diagnostic::new(Severity::Warning, "table.sum_mismatch", m).with_span(span));
        }
        found += 1;
    };
    for (r, row) in values.rows().enumerate() {
        for rel in &model.relations {
            if let Some(Check::Fails { total, sum }) = check_with(rel, |c| row[c]) {
                // "table {index}, row {r}: {total column} reads {total} but {parts joined by " + "}
                // add up to {sum}"
                let message = |m: &mut String| {
                    let _ = write!(m, "table {index}, row {}: ", r + 1);
                    name(m, rel.total);
                    m.push_str(" reads ");
                    show(m, total);
                    m.push_str(" but ");
                    for (i, &p) in rel.parts.iter().enumerate() {
                        if i > 0 {
                            m.push_str(" + ");
                        }
                        name(m, p);
                    }
                    m.push_str(" add up to ");
                    show(m, sum);
                };
                report(diagnostics, &message, spans[r]);
            }
        }
    }
    for (r, c, total, sum) in column_sums(model, values, kinds) {
        // "table {index}, column {column}: the total row reads {total} but the item rows add up
        // to {sum}"
        let message = |m: &mut String| {
            let _ = write!(m, "table {index}, column ");
            name(m, c);
            m.push_str(": the total row reads ");
            show(m, total);
            m.push_str(" but the item rows add up to ");
            show(m, sum);
        };
        report(diagnostics, &message, spans[r]);
    }
    let more = found.saturating_sub(MAX_SUM_DIAGNOSTICS);
    if more > 0 {
        diagnostics.push(Diagnostic::new(
            Severity::Warning,
            "table.sum_mismatch",
            format!("table {index}: {more} more sum(s) do not add up"),
        ));
    }
}

/// The column of the grand total: a total column no other sum includes, the top-level one
/// first; else the only money column.
fn grand_total_column(model: &Model<'_>) -> Option<usize> {
    let parts: BTreeSet<usize> = model.relations.iter().flat_map(|r| r.parts.iter().copied()).collect();
    let totals: Vec<usize> =
        (0..model.ncols).filter(|&c| model.columns[c].money && model.columns[c].total && !parts.contains(&c)).collect();
    if let Some(&c) = totals.iter().find(|&&c| !model.columns[c].label.contains(" / ")) {
        return Some(c);
    }
    if let Some(&c) = totals.first() {
        return Some(c);
    }
    let money: Vec<usize> = (0..model.ncols).filter(|&c| model.columns[c].money).collect();
    (money.len() == 1).then(|| money[0])
}

// ---------------------------------------------------------------------------------------------
// Caption and unit

fn caption_and_unit(cx: &DocContext<'_>, start: usize, header: &[Vec<Cell<'_>>]) -> (Option<String>, Option<String>) {
    let t = &cx.g.tables;
    let first_line = cx.lines().find(|&i| cx.layout.lines[i].span.start >= start).unwrap_or(cx.lines().start);
    let mut unit: Option<String> = None;
    // Lines above, nearest first: (text, is upper-case title).
    let mut above: Vec<&str> = Vec::new();
    let mut seen = 0;
    let mut i = first_line;
    while i > cx.lines().start && seen < CAPTION_WINDOW {
        i -= 1;
        let line = cx.layout.lines[i];
        match line.kind {
            LineKind::Blank => continue,
            LineKind::TableRow | LineKind::Note => break,
            LineKind::Text => {}
        }
        seen += 1;
        let text = cx.line(i);
        if let Some(u) = unit_of(t, text) {
            unit.get_or_insert(u);
            continue;
        }
        if text.starts_with('(') {
            continue;
        }
        // A sentence ("Các nhiệm vụ như sau:") introduces the table; it is no title, and
        // nothing above it is the table's.
        if !is_upper(text) && text.ends_with(['.', ':', ';', ',']) {
            break;
        }
        above.push(text);
        if is_upper(text) || above.len() == 2 {
            break;
        }
    }
    let caption = match above.as_slice() {
        [] => None,
        [only] => Some((*only).to_owned()),
        [near, far, ..] if is_upper(far) && !is_upper(near) => Some(format!("{far} {near}")),
        [near, ..] => Some((*near).to_owned()),
    };
    if unit.is_none() {
        unit = header.iter().flatten().find_map(|c| bracket_unit(cx, c));
    }
    if unit.is_none() {
        unit = caption.as_deref().and_then(|c| bracket_unit(cx, c));
    }
    (caption.map(|c| collapse_spaces(&c)), unit)
}

/// "ĐVT: Triệu đồng" / "(Đơn vị tính: tỷ đồng)" -> the unit as printed.
fn unit_of(t: &TableRules, line: &str) -> Option<String> {
    let s = line.trim().trim_start_matches('(').trim_end_matches(')').trim();
    let (len, _) = t.unit_labels.match_at(s)?;
    let rest = s[len..].trim_start();
    let rest = rest.strip_prefix(':')?.trim();
    (!rest.is_empty() && rest.chars().count() <= 40).then(|| rest.trim_end_matches(['.', ';']).to_owned())
}

/// A money unit in brackets inside `cell`: "Kinh phí (triệu đồng)" -> "triệu đồng".
fn bracket_unit(cx: &DocContext<'_>, cell: &str) -> Option<String> {
    let mut rest = cell;
    while let Some(open) = rest.find('(') {
        let inner = &rest[open + 1..];
        let close = inner.find(')')?;
        let content = inner[..close].trim();
        let content = unit_of(&cx.g.tables, content).unwrap_or_else(|| content.to_owned());
        if money::unit_multiplier(&content, cx.g).is_some() {
            return Some(content);
        }
        rest = &inner[close + 1..];
    }
    None
}

/// The cells as the record stores them (short cells without a heap allocation).
fn compact_rows(rows: Vec<Vec<Cell<'_>>>) -> Vec<Vec<CompactString>> {
    rows.into_iter().map(|r| r.into_iter().map(Into::into).collect()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grammar::Grammar;
    use crate::text::collapse_spaces_cow;

    fn rules() -> Grammar {
        Grammar::embedded().expect("grammars")
    }

    fn raw(line: &str) -> RawRow<'_> {
        RawRow { cells: line.split('\t').map(collapse_spaces_cow).collect(), span: Span::default(), after_break: false }
    }

    /// Cells as the rows hold them.
    fn cells<'a>(texts: &[&'a str]) -> Vec<Cell<'a>> {
        texts.iter().map(|&t| Cell::from(t)).collect()
    }

    #[test]
    fn index_rows() {
        let g = rules();
        let t = &g.tables;
        assert!(is_index_row(t, &raw("A\tB\t1\t2\t3\t4\t5\t6\t7\t8\t9\t10\t11\t12= 5 + 10 + 11\t13")));
        assert!(is_index_row(t, &raw("(1)\t(2)\t(3)\t(4)")));
        assert!(!is_index_row(t, &raw("1\tTổ chức\t250\t\t250")));
        assert!(!is_index_row(t, &raw("3\t2\t1")));
    }

    #[test]
    fn header_rows() {
        let g = rules();
        let t = &g.tables;
        let rows = vec![
            raw("STT\tNội dung\tKinh phí trung ương\t\t\tTổng kinh phí"),
            raw("\t\t2022\t2023\tCộng\t"),
            raw("A\tB\t1\t2\t3\t4"),
            raw("1\tTổ chức đánh giá\t250\t\t250\t250"),
        ];
        assert_eq!(header_at(t, &rows, 0), (2, true));
        assert!(!header_like(t, &raw("1\tTổ chức đánh giá\tSở Công Thương"), true));
        assert!(!header_like(t, &raw("Tổng cộng\t\t425"), true));
        assert!(header_like(t, &raw("\t\tTổng\t2017\tDÂN\tTIN\tNS TW"), false));
    }

    #[test]
    fn totals() {
        let g = rules();
        let t = &g.tables;
        assert!(is_total_label(t, "TỔNG CỘNG (dự kiến)"));
        assert!(is_total_label(t, "Tổng cộng"));
        assert!(is_total_label(t, "Cộng"));
        assert!(!is_total_label(t, "Tổng kết, đánh giá việc thực hiện kế hoạch năm 2023 và đề ra phương hướng"));
    }

    #[test]
    fn spans_over_columns() {
        let header = vec![cells(&["STT", "Kinh phí", "", "", "Ghi chú"]), cells(&["", "2022", "2023", "Cộng", ""])];
        let p = column_paths(&header, 5);
        assert_eq!(p[2], ["Kinh phí", "2023"]);
        assert_eq!(p[3], ["Kinh phí", "Cộng"]);
        assert_eq!(p[4], ["Ghi chú"]);
    }

    #[test]
    fn lowercase_words() {
        let mut s = String::new();
        for w in ["ĐƠN", "Vị", "ΣΑΣ", "İ", "x", "ĐƠNΣ", "AΣB"] {
            s.clear();
            s.push('(');
            push_lowercase(&mut s, w);
            assert_eq!(s, format!("({}", w.to_lowercase()));
        }
    }

    #[test]
    fn words_counted() {
        for s in ["", " ", "Nội dung", "Kinh phí (triệu đồng)", "2023 - 2025", "a–b…c", "x", "  Tổng  cộng: ", "2×3÷4"]
        {
            assert_eq!(word_count(s), raw_words(s).count(), "{s:?}");
        }
        // Every char alone, inside a word and between words.
        let mut s = String::new();
        for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
            for pattern in ["X", "aXb", "a X", "X b"] {
                s.clear();
                s.extend(pattern.chars().map(|p| if p == 'X' { c } else { p }));
                assert_eq!(word_count(&s), raw_words(&s).count(), "{s:?}");
                assert!(raw_words(&s).eq(s.split(|c: char| !is_alphanumeric(c)).filter(|w| !w.is_empty())), "{s:?}");
            }
        }
    }

    #[test]
    fn numbers_as_money_reads_them() {
        for c in [
            "",
            "abc",
            "7",
            " 2023 ",
            "007",
            "1.500",
            "95 200",
            "1,5",
            "12a",
            "99999999999999999999999999999999999999999",
        ] {
            for sep in [Separator::Auto, Separator::DotThousands, Separator::DotDecimal] {
                assert_eq!(parse_number(c, sep), money::parse_number(c, sep), "{c:?}");
            }
        }
    }

    #[test]
    fn clean_cells() {
        for (s, want) in [
            ("", ""),
            (" ", ""),
            ("a b", "a b"),
            ("a  b", "a b"),
            (" a", "a"),
            ("a ", "a"),
            ("a\u{a0}b", "a b"),
            ("a\tb\n", "a b"),
            ("Kinh phí (triệu đồng)", "Kinh phí (triệu đồng)"),
        ] {
            assert_eq!(collapse_spaces(s), want, "{s:?}");
        }
    }

    #[test]
    fn subsets() {
        let combinations = |n, k| {
            let mut all: Vec<Vec<usize>> = Vec::new();
            for_each_combination(n, k, |c| all.push(c.to_vec()));
            all
        };
        let all = combinations(4, 2);
        assert_eq!(all, [[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]]);
        assert_eq!(combinations(3, 0).len(), 1);
        assert!(combinations(2, 3).is_empty());
        assert_eq!(combinations(5, 3).len(), combinations_count(5, 3));
        assert_eq!(combinations_count(15, 2), 105);
    }

    /// The best try by scoring every one, in the order of the sets of gaps (or of dropped
    /// empty cells), the first best kept: what [`Search`] must agree with.
    fn best_try_plain(model: &Model<'_>, row: &RowCells<'_>, tries: Tries) -> Option<Vec<Option<usize>>> {
        let (n, len) = (model.ncols, row.cells.len());
        let mut best: Option<(f64, Vec<Option<usize>>)> = None;
        let mut offer = |cand: Vec<Option<usize>>| {
            let s = model.score(row, &cand, row.fit(&cand));
            if best.as_ref().is_none_or(|(b, _)| s < *b - 1e-9) {
                best = Some((s, cand));
            }
        };
        match tries {
            Tries::Gaps => for_each_combination(n, n - len, |gaps| {
                let mut next = 0..len;
                offer((0..n).map(|c| if gaps.contains(&c) { None } else { next.next() }).collect());
            }),
            Tries::Drops => {
                let empties: Vec<usize> = (0..len).filter(|&k| row.empty[k]).collect();
                for_each_combination(empties.len(), len - n, |pick| {
                    offer((0..len).filter(|k| !pick.iter().any(|&i| empties[i] == *k)).map(Some).collect());
                });
            }
        }
        best.map(|(_, cand)| cand)
    }

    const ROLES: [Option<ColumnRole>; 5] =
        [None, Some(ColumnRole::Time), Some(ColumnRole::Money), Some(ColumnRole::Name), Some(ColumnRole::NotMoney)];

    proptest::proptest! {
        #[test]
        fn item_sums_kept_as_rows_come_equal_the_sums_over_all_rows(
            money in proptest::collection::vec(proptest::bool::ANY, 3),
            steps in proptest::collection::vec(
                (
                    proptest::bool::ANY,
                    proptest::collection::vec(
                        proptest::sample::select(vec!["", "1", "a", "Cộng", "Tổng cộng", "x y", "10", "2.500", "7"]),
                        3,
                    ),
                ),
                0..30,
            ),
        ) {
            static GRAMMAR: std::sync::LazyLock<Grammar> = std::sync::LazyLock::new(rules);
            let model = Model {
                t: &GRAMMAR.tables,
                ncols: 3,
                columns: money.iter().map(|&money| Column { money, ..Column::default() }).collect(),
                profiles: vec![Profile::default(); 3],
                relations: Vec::new(),
                sep: Separator::Auto,
                fits: Vec::new(),
            };
            let mut kept = ItemSums::new(&model);
            let mut rows: Vec<Vec<Cell<'_>>> = Vec::new();
            // Each step pushes a row or (as a continuation row does) changes the last one, and
            // asks for the sums.
            for (push, texts) in &steps {
                match rows.last_mut() {
                    Some(last) if !push => *last = cells(texts),
                    _ => rows.push(cells(texts)),
                }
                let mut all = vec![None; 3];
                rows.iter().for_each(|r| add_item_row(&model, r, &mut all));
                proptest::prop_assert_eq!(kept.over(&model, &rows), all);
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        #[test]
        fn search_keeps_the_plain_best_try(
            columns in proptest::collection::vec(
                (0..ROLES.len(), proptest::bool::ANY, proptest::bool::ANY, 0u32..4, 0u32..4, 0u32..3),
                1..9,
            ),
            cells in proptest::collection::vec(
                proptest::sample::select(vec!["", "", "-", "10", "20", "30", "50", "1.500", "2023", "I", "a", "Cộng", "1.2", "x y"]),
                0..12,
            ),
            relations in proptest::collection::vec((0usize..9, proptest::collection::vec(0usize..9, 1..4)), 0..4),
        ) {
            static GRAMMAR: std::sync::LazyLock<Grammar> = std::sync::LazyLock::new(rules);
            let g = &*GRAMMAR;
            let ncols = columns.len();
            let model = Model {
                t: &g.tables,
                ncols,
                columns: columns
                    .iter()
                    .map(|&(r, marker, money, ..)| Column { role: ROLES[r], marker, money, ..Column::default() })
                    .collect(),
                profiles: columns.iter().map(|&(.., num, text, marker)| Profile { num, text, marker }).collect(),
                relations: relations
                    .iter()
                    .map(|(t, parts)| Relation { total: t % ncols, parts: parts.iter().map(|p| p % ncols).collect() })
                    .collect(),
                sep: Separator::Auto,
                fits: Vec::new(),
            }
            .with_fits();
            let cells = self::cells(&cells);
            let row = RowCells::new(&model, &cells);
            let tries = match cells.len().cmp(&ncols) {
                std::cmp::Ordering::Less => Tries::Gaps,
                std::cmp::Ordering::Greater if cells.iter().filter(|c| c.is_empty()).count() >= cells.len() - ncols => {
                    Tries::Drops
                }
                _ => return Ok(()),
            };
            let plain = best_try_plain(&model, &row, tries);
            // The walk kept for near ties, on its own.
            let mut best = Best::default();
            Search::new(&model, &row, tries).run(Order::Plain, &mut best);
            proptest::prop_assert_eq!(&best.best.map(|(_, cand)| cand), &plain);
            proptest::prop_assert_eq!(&best_try(&model, &row, tries), &plain);
        }
    }

    #[test]
    fn sums_hold_and_fail() {
        let row = cells(&["x", "60", "", "", "", "60"]);
        let r = Relation { total: 5, parts: vec![1, 2, 3, 4] };
        assert_eq!(check(&r, &row, Separator::Auto), Some(Check::Holds));
        let row = cells(&["x", "", "60", "", "", "60"]);
        let r2 = Relation { total: 5, parts: vec![1, 2] };
        assert_eq!(check(&r2, &row, Separator::Auto), Some(Check::Holds));
        let r3 = Relation { total: 4, parts: vec![1, 2] };
        assert!(matches!(check(&r3, &row, Separator::Auto), Some(Check::Fails { .. })));
        let dec = cells(&["46.273", "6.4", "17.5", "15.2", "7.173"]);
        let r4 = Relation { total: 0, parts: vec![1, 2, 3, 4] };
        assert_eq!(check(&r4, &dec, Separator::DotDecimal), Some(Check::Holds));
    }
}
