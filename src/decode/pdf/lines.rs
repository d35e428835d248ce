//! Glyphs -> lines -> reading order -> paragraphs, page by page.
//!
//! 1. [`build_lines`]: glyphs are grouped into visual lines by baseline and sorted left to right;
//!    a line is cut into segments where a wide gap holds no glyph at all (a column gutter, a tab
//!    stop), while gaps made of space glyphs are typed spaces and stay inside the segment.
//! 2. [`reading_order`]: a run of lines that share a gutter (the letterhead "BỘ XÂY DỰNG |
//!    CỘNG HÒA …", the "Nơi nhận | KT. BỘ TRƯỞNG" block) is read column by column, left column
//!    first; lines cut into three or more cells next to another such line are table rows, their
//!    cells joined by tabs as in the text inputs.
//! 3. [`page_text`]: consecutive lines of running text are joined into one paragraph when the
//!    geometry says the break is a wrap (the next line's first word would not have fitted at the
//!    end of the line, the next line is not indented, the spacing is the usual leading) and the
//!    next line does not start a heading or a list item; a wide vertical gap becomes a blank line.

use super::backend::{Glyph, RawPage};
use super::ruled::{self, RuledTable};
use crate::text::is_upper;

/// A gap wider than this many font sizes, with no glyph in it, cuts a line into segments...
const GUTTER_EMS: f32 = 2.5;
/// ... or this many, on a page that draws its spaces as glyphs (so that a gap with no glyph is a
/// tab stop or a column gutter, never a stretched word space).
const TAB_GUTTER_EMS: f32 = 1.0;
/// A page draws its spaces when at least this share of its glyphs are spaces.
const SPACE_GLYPH_SHARE: f32 = 0.05;
/// A gap wider than this many font sizes between two glyphs is a word space.
const SPACE_EMS: f32 = 0.16;
/// Glyphs whose baselines differ by less than this many font sizes are on the same line.
const BASELINE_EMS: f32 = 0.45;

/// A run of glyphs on one line with no gutter inside.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Segment {
    /// Left edge.
    pub(crate) x0: f32,
    /// Right edge.
    pub(crate) x1: f32,
    /// Its text, words separated by one space.
    pub(crate) text: String,
    /// Right edge of its first word.
    pub(crate) first_word_x1: f32,
}

/// A visual line.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Line {
    /// Baseline (points from the top of the page).
    pub(crate) y: f32,
    /// Median font size.
    pub(crate) size: f32,
    /// Segments, left to right.
    pub(crate) segments: Vec<Segment>,
}

impl Line {
    pub(crate) fn x0(&self) -> f32 {
        self.segments.first().map_or(0.0, |s| s.x0)
    }

    pub(crate) fn x1(&self) -> f32 {
        self.segments.last().map_or(0.0, |s| s.x1)
    }

    /// The segments' text, joined by single spaces.
    pub(crate) fn text(&self) -> String {
        let parts: Vec<&str> = self.segments.iter().map(|s| s.text.as_str()).collect();
        parts.join(" ")
    }
}

/// The visual lines of `page`, top to bottom.
#[cfg(test)]
pub(crate) fn build_lines(page: &RawPage) -> Vec<Line> {
    build_page(page).0
}

/// The ruled tables of `page` (see [`ruled`]) and the visual lines of the rest, top to bottom.
pub(crate) fn build_page(page: &RawPage) -> (Vec<Line>, Vec<RuledTable>) {
    let glyphs = attach_marks(page);
    let spaces = glyphs.iter().filter(|g| is_space(page.glyph_text(g))).count();
    let gutter = if spaces as f32 >= SPACE_GLYPH_SHARE * glyphs.len() as f32 { TAB_GUTTER_EMS } else { GUTTER_EMS };
    let mut used = vec![false; glyphs.len()];
    let tables = ruled::find(page, &glyphs, &mut used, gutter);
    let mut order: Vec<usize> = (0..glyphs.len()).filter(|&i| !used[i]).collect();
    order.sort_by(|&a, &b| glyphs[a].y.total_cmp(&glyphs[b].y).then(glyphs[a].x.total_cmp(&glyphs[b].x)));

    let mut lines = Vec::new();
    let mut current: Vec<usize> = Vec::new();
    let mut line_y = f32::NAN;
    let mut line_size = 0.0f32;
    for &i in &order {
        let g = &glyphs[i];
        let tolerance = BASELINE_EMS * line_size.max(g.size).max(1.0);
        if current.is_empty() || (g.y - line_y).abs() <= tolerance {
            if current.is_empty() {
                line_y = g.y;
                line_size = g.size;
            } else if !is_space(page.glyph_text(g)) {
                line_size = line_size.max(g.size);
            }
            current.push(i);
        } else {
            if let Some(line) = make_line(page, &glyphs, &mut current, gutter) {
                lines.push(line);
            }
            line_y = g.y;
            line_size = g.size;
            current.push(i);
        }
    }
    if let Some(line) = make_line(page, &glyphs, &mut current, gutter) {
        lines.push(line);
    }
    (lines, tables)
}

/// The page's glyphs with combining marks folded into the glyph before them (in drawing order),
/// so that sorting by position cannot separate a letter from its accent.
fn attach_marks(page: &RawPage) -> Vec<Glyph> {
    let mut out: Vec<Glyph> = Vec::with_capacity(page.glyphs.len());
    for g in &page.glyphs {
        let text = page.glyph_text(g);
        let is_mark = text.chars().all(is_combining);
        if is_mark
            && let Some(prev) = out.last_mut()
            && (prev.start as usize + usize::from(prev.len)) == g.start as usize
            && (prev.y - g.y).abs() <= prev.size.max(g.size)
            && let Some(len) = prev.len.checked_add(g.len)
        {
            prev.len = len;
            continue;
        }
        out.push(*g);
    }
    out
}

fn is_combining(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}')
}

fn is_space(text: &str) -> bool {
    text.chars().all(char::is_whitespace)
}

/// One line from the glyph indices in `current` (emptied), sorted left to right.
pub(crate) fn make_line(page: &RawPage, glyphs: &[Glyph], current: &mut Vec<usize>, gutter: f32) -> Option<Line> {
    current.sort_by(|&a, &b| glyphs[a].x.total_cmp(&glyphs[b].x));
    let mut sizes: Vec<f32> = Vec::with_capacity(current.len());
    let mut ys: Vec<f32> = Vec::with_capacity(current.len());
    let mut segments: Vec<Segment> = Vec::new();
    let mut seg: Option<Segment> = None;
    let mut prev: Option<&Glyph> = None;
    let mut spaced = false;
    // Width of the space glyphs since the last glyph: typed spaces, not a gutter.
    let mut space_width = 0.0f32;
    let mut in_first_word = true;
    for &i in current.iter() {
        let g = &glyphs[i];
        let text = page.glyph_text(g);
        if is_space(text) {
            spaced = true;
            space_width += g.width.max(0.0);
            continue;
        }
        // Fake bold: the same glyph drawn twice a hair apart.
        if let Some(p) = prev
            && page.glyph_text(p) == text
            && (g.x - p.x).abs() < 0.25 * g.size.max(1.0)
        {
            continue;
        }
        sizes.push(g.size);
        ys.push(g.y);
        let em = g.size.max(1.0);
        let gap = prev.map(|p| g.x - (p.x + p.width));
        let cut = gap.is_some_and(|gap| gap - space_width > gutter.max(GUTTER_EMS * f32::from(u8::from(spaced))) * em);
        match seg.as_mut() {
            Some(s) if !cut => {
                if (spaced || gap.is_some_and(|gap| gap > SPACE_EMS * em)) && !s.text.ends_with(' ') {
                    s.text.push(' ');
                    in_first_word = false;
                }
                s.text.push_str(text);
                s.x1 = s.x1.max(g.x + g.width);
                if in_first_word {
                    s.first_word_x1 = s.x1;
                }
            }
            _ => {
                segments.extend(seg.take());
                seg = Some(new_segment(g, text));
                in_first_word = true;
            }
        }
        spaced = false;
        space_width = 0.0;
        prev = Some(g);
    }
    current.clear();
    if let Some(s) = seg {
        segments.push(s);
    }
    for s in &mut segments {
        let trimmed = s.text.trim_end().len();
        s.text.truncate(trimmed);
    }
    segments.retain(|s| !s.text.is_empty());
    if segments.is_empty() {
        return None;
    }
    Some(Line { y: median(&mut ys), size: median(&mut sizes), segments })
}

fn new_segment(g: &Glyph, text: &str) -> Segment {
    Segment { x0: g.x, x1: g.x + g.width, text: text.to_owned(), first_word_x1: g.x + g.width }
}

fn median(values: &mut [f32]) -> f32 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f32::total_cmp);
    values[values.len() / 2]
}

/// How a line of the reading order is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// Running text across the text block.
    Flow,
    /// One side of a two-column block (letterhead, signature block).
    Column,
    /// A table row, cells joined by tabs.
    Table,
}

/// A line in reading order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Piece {
    pub(crate) text: String,
    pub(crate) x0: f32,
    pub(crate) x1: f32,
    pub(crate) y: f32,
    pub(crate) size: f32,
    pub(crate) first_word_x1: f32,
    pub(crate) shape: Shape,
    /// Starts a new block (a column, a block after a column block): a line break is forced.
    pub(crate) block_start: bool,
}

impl Piece {
    fn from_segments(segs: &[Segment], y: f32, size: f32, shape: Shape) -> Piece {
        let parts: Vec<&str> = segs.iter().map(|s| s.text.as_str()).collect();
        let sep = if shape == Shape::Table { "\t" } else { " " };
        Piece {
            text: parts.join(sep),
            x0: segs.first().map_or(0.0, |s| s.x0),
            x1: segs.last().map_or(0.0, |s| s.x1),
            y,
            size,
            first_word_x1: segs.first().map_or(0.0, |s| s.first_word_x1),
            shape,
            block_start: false,
        }
    }
}

/// How a line splits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Split {
    Single,
    /// Two sides, the left one ending before segment `at`.
    Two {
        at: usize,
    },
    Table,
}

/// Split at the widest gap between segments.
fn widest_gap(line: &Line) -> usize {
    (1..line.segments.len())
        .max_by(|&a, &b| {
            let ga = line.segments[a].x0 - line.segments[a - 1].x1;
            let gb = line.segments[b].x0 - line.segments[b - 1].x1;
            ga.total_cmp(&gb)
        })
        .unwrap_or(1)
}

/// The lines of one page in reading order (see the module documentation), with the rows of
/// its ruled tables where the tables stand.
pub(crate) fn reading_order(lines: &[Line], tables: &[RuledTable]) -> Vec<Piece> {
    let n = lines.len();
    let many = |i: usize| lines.get(i).is_some_and(|l| l.segments.len() >= 3);
    let splits: Vec<Split> = (0..n)
        .map(|i| match lines[i].segments.len() {
            0 | 1 => Split::Single,
            k if k >= 3 && (many(i.wrapping_sub(1)) || many(i + 1)) => Split::Table,
            _ => Split::Two { at: widest_gap(&lines[i]) },
        })
        .collect();

    // Column blocks: grown from each two-sided line up and down while the gutter stays open.
    let mut block_of: Vec<Option<usize>> = vec![None; n];
    let mut blocks: Vec<(usize, usize, f32, f32)> = Vec::new();
    for seed in 0..n {
        let Split::Two { at } = splits[seed] else { continue };
        if block_of[seed].is_some() {
            continue;
        }
        let line = &lines[seed];
        let mut left = line.segments[at - 1].x1;
        let mut right = line.segments[at].x0;
        let em = line.size.max(1.0);
        let id = blocks.len();
        block_of[seed] = Some(id);
        let (mut first, mut last) = (seed, seed);
        let fits = |j: usize, left: &mut f32, right: &mut f32| -> bool {
            let l = &lines[j];
            match splits[j] {
                Split::Table => false,
                Split::Two { at } => {
                    let nl = left.max(l.segments[at - 1].x1);
                    let nr = right.min(l.segments[at].x0);
                    if nr - nl < em {
                        return false;
                    }
                    (*left, *right) = (nl, nr);
                    true
                }
                Split::Single => {
                    let (x0, x1) = (l.x0(), l.x1());
                    if x1 <= *right && (x0 < *left || (x0 + x1) / 2.0 < (*left + *right) / 2.0) {
                        *left = left.max(x1);
                        true
                    } else if x0 >= *left {
                        *right = right.min(x0);
                        true
                    } else {
                        false
                    }
                }
            }
        };
        while first > 0 && block_of[first - 1].is_none() && fits(first - 1, &mut left, &mut right) {
            first -= 1;
            block_of[first] = Some(id);
        }
        while last + 1 < n && block_of[last + 1].is_none() && fits(last + 1, &mut left, &mut right) {
            last += 1;
            block_of[last] = Some(id);
        }
        blocks.push((first, last, left, right));
    }
    // A block whose lines are nearly all two-sided is a two-column table, read row by row.
    let mut table_rows = vec![false; n];
    for &(first, last, _, _) in &blocks {
        let rows = last + 1 - first;
        let two = (first..=last).filter(|&j| matches!(splits[j], Split::Two { .. })).count();
        let text: String = (first..=last).map(|j| lines[j].text() + "\n").collect();
        if rows >= 3 && two * 10 >= rows * 7 && !crate::decode::tables::layout_cue(&text) {
            for j in first..=last {
                block_of[j] = None;
                table_rows[j] = matches!(splits[j], Split::Two { .. });
            }
        }
    }

    let mut out = Vec::with_capacity(n + 4);
    let mut i = 0;
    let mut after_block = false;
    while i < n {
        if let Some(id) = block_of[i] {
            let (first, last, left, right) = blocks[id];
            let mut left_side = Vec::new();
            let mut right_side = Vec::new();
            for (j, line) in lines.iter().enumerate().take(last + 1).skip(first) {
                match splits[j] {
                    Split::Two { at } => {
                        left_side.push(Piece::from_segments(&line.segments[..at], line.y, line.size, Shape::Column));
                        right_side.push(Piece::from_segments(&line.segments[at..], line.y, line.size, Shape::Column));
                    }
                    _ => {
                        let piece = Piece::from_segments(&line.segments, line.y, line.size, Shape::Column);
                        let is_left = piece.x1 <= right && (piece.x0 < left || piece.x0 + piece.x1 < left + right);
                        if is_left { left_side.push(piece) } else { right_side.push(piece) }
                    }
                }
            }
            for side in [left_side, right_side] {
                for (k, mut piece) in side.into_iter().enumerate() {
                    piece.block_start = k == 0;
                    out.push(piece);
                }
            }
            i = last + 1;
            after_block = true;
            continue;
        }
        let line = &lines[i];
        let shape = if splits[i] == Split::Table || table_rows[i] { Shape::Table } else { Shape::Flow };
        let mut piece = Piece::from_segments(&line.segments, line.y, line.size, shape);
        piece.block_start = after_block;
        after_block = false;
        out.push(piece);
        i += 1;
    }
    for table in tables {
        let at = out.iter().position(|p| p.y > table.top).unwrap_or(out.len());
        let rows = table.rows.iter().enumerate().map(|(k, row)| Piece {
            text: row.join("\t"),
            x0: 0.0,
            x1: 0.0,
            y: table.top,
            size: 0.0,
            first_word_x1: 0.0,
            shape: Shape::Table,
            block_start: k == 0,
        });
        out.splice(at..at, rows);
    }
    out
}

/// The text block of a document: where running text starts and ends, and its usual leading.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Frame {
    pub(crate) left: f32,
    pub(crate) right: f32,
    /// Baseline-to-baseline distance of running text, in font sizes.
    pub(crate) leading: f32,
}

impl Frame {
    /// The frame of a document from the running-text lines of all its pages.
    pub(crate) fn measure(pages: &[Vec<Piece>]) -> Frame {
        let mut x0s = Vec::new();
        let mut x1s = Vec::new();
        let mut leads = Vec::new();
        for pieces in pages {
            for (k, p) in pieces.iter().enumerate() {
                if p.shape != Shape::Flow {
                    continue;
                }
                x0s.push(p.x0);
                x1s.push(p.x1);
                if let Some(prev) = k.checked_sub(1).map(|j| &pieces[j])
                    && prev.shape == Shape::Flow
                    && (prev.size - p.size).abs() < 0.2 * p.size
                    && p.size > 0.0
                {
                    let ratio = (p.y - prev.y) / p.size;
                    if (0.8..2.5).contains(&ratio) {
                        leads.push(ratio);
                    }
                }
            }
        }
        if x0s.is_empty() {
            return Frame { left: 0.0, right: 0.0, leading: 1.2 };
        }
        x0s.sort_by(f32::total_cmp);
        x1s.sort_by(f32::total_cmp);
        let left = x0s[x0s.len() / 20];
        let right = x1s[x1s.len() - 1 - x1s.len() / 10];
        let leading = if leads.is_empty() { 1.2 } else { median(&mut leads) };
        Frame { left, right, leading }
    }
}

/// Statistics of the joins made on a page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Joins {
    /// Wrapped lines joined.
    pub(crate) wraps: usize,
    /// Of which hyphenated.
    pub(crate) hyphens: usize,
}

/// The text of one page: pieces in reading order, wrapped lines joined, paragraphs separated.
pub(crate) fn page_text(pieces: &[Piece], frame: &Frame, joins: &mut Joins) -> String {
    let mut out = String::new();
    for (k, p) in pieces.iter().enumerate() {
        if k == 0 {
            out.push_str(&p.text);
            continue;
        }
        let prev = &pieces[k - 1];
        match boundary(prev, p, frame) {
            Boundary::Join { hyphen } => {
                joins.wraps += 1;
                if hyphen {
                    joins.hyphens += 1;
                    if out.ends_with('\u{AD}') {
                        out.pop();
                    }
                } else {
                    out.push(' ');
                }
            }
            // Lines of running text that are not joined are paragraphs of their own.
            Boundary::Line if p.shape == Shape::Flow && prev.shape == Shape::Flow => out.push_str("\n\n"),
            Boundary::Line => out.push('\n'),
            Boundary::Paragraph => out.push_str("\n\n"),
        }
        out.push_str(&p.text);
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Boundary {
    Join { hyphen: bool },
    Line,
    Paragraph,
}

fn boundary(a: &Piece, b: &Piece, frame: &Frame) -> Boundary {
    let em = a.size.max(b.size).max(1.0);
    let gap = b.y - a.y;
    let paragraph_gap = gap > frame.leading * em * 1.6 || gap < -em;
    if b.block_start || a.shape != b.shape {
        return if b.shape == Shape::Table && a.shape == Shape::Table { Boundary::Line } else { Boundary::Paragraph };
    }
    if b.shape != Shape::Flow {
        return if paragraph_gap && b.shape == Shape::Column { Boundary::Paragraph } else { Boundary::Line };
    }
    if paragraph_gap {
        return Boundary::Paragraph;
    }
    let block = starts_block(&b.text);
    // A capitalised line and a mixed-case one are two blocks ("QUYẾT ĐỊNH" / "Ban hành …").
    if gap <= 0.0
        || (a.size - b.size).abs() > 0.2 * em
        || block == Marker::Hard
        || is_upper(&a.text) != is_upper(&b.text)
    {
        return Boundary::Line;
    }
    // The next line's first word would have fitted at the end of this one: a deliberate break.
    let first_word = b.first_word_x1 - b.x0;
    let reaches = a.x1 + 0.3 * em + first_word > frame.right - 0.5 * em;
    let not_indented = b.x0 <= a.x0.max(frame.left) + 0.5 * em;
    // A centred title wraps when the next word would not have fitted in the text block.
    let middle = |p: &Piece| f32::midpoint(p.x0, p.x1);
    let centred = (middle(a) - middle(b)).abs() < em
        && (middle(a) - f32::midpoint(frame.left, frame.right)).abs() < 2.0 * em
        && b.x0 > frame.left + 0.5 * em
        && b.x1 < frame.right - 0.5 * em;
    let fills = (a.x1 - a.x0) + 0.3 * em + first_word > (frame.right - frame.left) - 2.0 * em;
    let wrapped = (reaches && not_indented) || (centred && fills);
    if !wrapped {
        return Boundary::Line;
    }
    // A number at the start of a wrapped line ("… Đề án\n06. Hiện đã …") is a list marker only
    // after a finished sentence.
    if block == Marker::Numbered && a.text.trim_end().ends_with(['.', ':', ';', '!', '?']) {
        return Boundary::Line;
    }
    let hyphen = (a.text.ends_with('-') && !a.text.ends_with(" -")) || a.text.ends_with('\u{AD}');
    Boundary::Join { hyphen }
}

/// How a line starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Marker {
    /// Running text.
    None,
    /// A bullet, "Điều 3", "Chương II", "Phụ lục": always a new block.
    Hard,
    /// "1.", "IV.", "a)": a new block unless the line before runs on into it.
    Numbered,
}

/// A line that starts a heading or a list item.
fn starts_block(text: &str) -> Marker {
    let t = text.trim_start();
    let Some(first) = t.chars().next() else { return Marker::None };
    if matches!(first, '-' | '–' | '—' | '+' | '•' | '*' | '·' | '\u{F0B7}' | '\u{F0A7}' | '▪' | '●' | '○')
    {
        return Marker::Hard;
    }
    for word in ["Điều ", "Chương ", "Mục ", "Phần ", "Phụ lục", "PHỤ LỤC", "CHƯƠNG ", "PHẦN ", "MỤC "]
    {
        if let Some(rest) = t.strip_prefix(word) {
            let numbered = rest.starts_with(|c: char| c.is_ascii_digit() || matches!(c, 'I' | 'V' | 'X' | 'L'));
            return if word.starts_with("Phụ") || word.starts_with("PHỤ") || numbered {
                Marker::Hard
            } else {
                Marker::None
            };
        }
    }
    // "1.", "1.2.", "12)", "IV.", "a)", "đ)".
    let marker_end = t.find([' ', '\t']).unwrap_or(t.len());
    let marker = &t[..marker_end];
    let Some(body) = marker.strip_suffix(['.', ')']) else { return Marker::None };
    if body.is_empty() || body.len() > 12 {
        return Marker::None;
    }
    let numeric = body.split('.').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    let roman = body.chars().all(|c| matches!(c, 'I' | 'V' | 'X' | 'L' | 'C'));
    let letter = marker.ends_with(')') && body.chars().count() == 1 && body.chars().all(char::is_lowercase);
    let capital = body.chars().count() == 1 && body.chars().all(char::is_uppercase);
    if numeric || roman || letter || capital { Marker::Numbered } else { Marker::None }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(glyphs: &[(&str, f32, f32)]) -> RawPage {
        let mut p = RawPage { width: 600.0, height: 800.0, ..RawPage::default() };
        for &(text, x, y) in glyphs {
            let mut x = x;
            for c in text.chars() {
                let start = p.text.len() as u32;
                p.text.push(c);
                let width = if c == ' ' { 3.0 } else { 6.0 };
                p.glyphs.push(Glyph { x, y, width, size: 12.0, start, len: c.len_utf8() as u16 });
                x += width;
            }
        }
        p
    }

    #[test]
    fn words_lines_and_gutters() {
        let p = page(&[("BỘ XÂY DỰNG", 60.0, 50.0), ("CỘNG HÒA", 300.0, 50.5), ("Độc lập", 310.0, 65.0)]);
        let lines = build_lines(&p);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].segments.len(), 2);
        assert_eq!(lines[0].segments[0].text, "BỘ XÂY DỰNG");
        assert_eq!(lines[0].segments[1].text, "CỘNG HÒA");
        let order = reading_order(&lines, &[]);
        let texts: Vec<&str> = order.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(texts, ["BỘ XÂY DỰNG", "CỘNG HÒA", "Độc lập"]);
        assert!(order.iter().all(|p| p.shape == Shape::Column));
    }

    #[test]
    fn typed_spaces_do_not_cut_a_line() {
        let p = page(&[("Số:                 /QĐ-UBND", 60.0, 50.0)]);
        let lines = build_lines(&p);
        assert_eq!(lines[0].segments.len(), 1);
        assert_eq!(lines[0].text(), "Số: /QĐ-UBND");
    }

    #[test]
    fn combining_marks_stay_with_their_letter() {
        let mut p = RawPage { width: 600.0, height: 800.0, ..RawPage::default() };
        for (c, x) in [('e', 10.0), ('\u{301}', 9.0), ('m', 16.0)] {
            let start = p.text.len() as u32;
            p.text.push(c);
            p.glyphs.push(Glyph { x, y: 10.0, width: 6.0, size: 12.0, start, len: c.len_utf8() as u16 });
        }
        assert_eq!(build_lines(&p)[0].text(), "e\u{301}m");
    }

    #[test]
    fn markers_start_blocks() {
        for t in ["1. Mục tiêu", "2.3.1. Tổ chức", "IV. TỔ CHỨC", "a) Chủ trì"] {
            assert_eq!(starts_block(t), Marker::Numbered, "{t}");
        }
        for t in ["- Như Điều 3;", "Điều 2. Hiệu lực", "Phụ lục I"] {
            assert_eq!(starts_block(t), Marker::Hard, "{t}");
        }
        for t in ["năm 2025, định hướng", "Điều này", "2025 và", "Ủy ban nhân dân"] {
            assert_eq!(starts_block(t), Marker::None, "{t}");
        }
    }
}
