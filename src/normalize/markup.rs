//! Markdown and HTML leftovers of converters, removed while keeping what they meant.
//!
//! One forward scan over the text, line by line. At each line start the line is classified
//! (code fence, rule, pipe-table separator or row, `#` heading, `* ` bullet, tab-separated
//! table row); then the line is copied with the inline markup resolved: backslash escapes,
//! HTML tags, comments and character references, links and images, emphasis markers.
//!
//! Emphasis markers are recorded while copying and paired at once (openers wait on a stack for
//! a closer in the same scope: the paragraph, or the cell of a table row); a second, linear pass
//! over the copied text then drops the markers that were paired (and unpaired `**` glued to a
//! word, which is never literal), and puts a line break where a `**` glued two headings
//! together (`I. MỤC TIÊU**1. Mục tiêu chung**`).
//!
//! Tab-separated table rows are never broken: block tags inside them become spaces, not line
//! breaks, and nothing inserts or removes a tab.

use std::borrow::Cow;
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder};
use memchr::{memchr, memmem};

use super::html::{TagKind, parse_autolink, parse_declaration, parse_entity, parse_tag};
use crate::grammar::HeadingScheme;

/// What the pass removed or changed, by kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct MarkupStats {
    /// `#` heading marks.
    pub(crate) heading_marks: usize,
    /// Emphasis markers (`**`, `*`, `__`).
    pub(crate) emphasis: usize,
    /// Headings glued by `**`, put on two lines.
    pub(crate) split_headings: usize,
    /// Line-leading `* ` bullets written `- `.
    pub(crate) bullets: usize,
    /// HTML tags and declarations.
    pub(crate) html_tags: usize,
    /// Character references decoded.
    pub(crate) entities: usize,
    /// Backslash escapes resolved.
    pub(crate) escapes: usize,
    /// Trailing-backslash hard breaks.
    pub(crate) hard_breaks: usize,
    /// `<scheme://…>` autolinks unwrapped.
    pub(crate) autolinks: usize,
    /// Pipe-table rows turned into tab-separated rows.
    pub(crate) pipe_rows: usize,
    /// Pipe-table separator lines (`|---|:---:|`).
    pub(crate) table_separators: usize,
    /// Rule and underline lines (`---`, `***`, `___`, `===`).
    pub(crate) rules: usize,
    /// Code-fence lines.
    pub(crate) fences: usize,
    /// Links whose address was dropped (the text stays).
    pub(crate) links: usize,
    /// Images (markdown or `<img>`) dropped with their alternative text.
    pub(crate) images: usize,
    /// HTML comments dropped.
    pub(crate) comments: usize,
    /// `<script>` and `<style>` bodies dropped.
    pub(crate) raw_blocks: usize,
}

impl MarkupStats {
    fn add(&mut self, o: &MarkupStats) {
        self.heading_marks += o.heading_marks;
        self.emphasis += o.emphasis;
        self.split_headings += o.split_headings;
        self.bullets += o.bullets;
        self.html_tags += o.html_tags;
        self.entities += o.entities;
        self.escapes += o.escapes;
        self.hard_breaks += o.hard_breaks;
        self.autolinks += o.autolinks;
        self.pipe_rows += o.pipe_rows;
        self.table_separators += o.table_separators;
        self.rules += o.rules;
        self.fences += o.fences;
        self.links += o.links;
        self.images += o.images;
        self.comments += o.comments;
        self.raw_blocks += o.raw_blocks;
    }

    /// "3 heading marks, 12 emphasis markers" for the formatting that went, `None` if none.
    pub(crate) fn markup_summary(&self) -> Option<String> {
        summary(&[
            (self.heading_marks, "heading marks"),
            (self.emphasis, "emphasis markers"),
            (self.split_headings, "glued headings split onto two lines"),
            (self.bullets, "`* ` bullets written `- `"),
            (self.html_tags, "HTML tags"),
            (self.entities, "character references decoded"),
            (self.escapes, "backslash escapes"),
            (self.hard_breaks, "backslash hard breaks"),
            (self.autolinks, "autolinks unwrapped"),
            (self.pipe_rows, "pipe-table rows made tab-separated"),
            (self.table_separators, "pipe-table separator lines"),
            (self.rules, "rule lines"),
            (self.fences, "code-fence lines"),
        ])
    }

    /// The same for what carried text (link addresses, images, comments), `None` if none.
    pub(crate) fn content_summary(&self) -> Option<String> {
        summary(&[
            (self.links, "link addresses"),
            (self.images, "images with their alternative text"),
            (self.comments, "HTML comments"),
            (self.raw_blocks, "script/style blocks"),
        ])
    }
}

fn summary(parts: &[(usize, &str)]) -> Option<String> {
    let kept: Vec<String> = parts.iter().filter(|(n, _)| *n > 0).map(|(n, what)| format!("{n} {what}")).collect();
    (!kept.is_empty()).then(|| kept.join(", "))
}

/// How to read the text.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Options<'g> {
    /// Markdown syntax is markup (everything but HTML input); HTML tags and references always are.
    pub(crate) markdown: bool,
    /// Heading schemes: a `**` glued to text followed by one of these starts a new line.
    pub(crate) headings: &'g [HeadingScheme],
}

/// Bytes the inline scanner stops at, for markdown and for HTML-only input.
static SPECIAL_MD: [bool; 256] = special(b"\\<&*_![]|\t");
static SPECIAL_HTML: [bool; 256] = special(b"<&\t");

const fn special(bytes: &[u8]) -> [bool; 256] {
    let mut t = [false; 256];
    let mut i = 0;
    while i < bytes.len() {
        t[bytes[i] as usize] = true;
        i += 1;
    }
    t
}

/// The first byte of `b` that `special` holds. Eight bytes are told at a time without a branch
/// each: special bytes are rare, and this scan walks most of a marked-up text.
fn next_special(b: &[u8], special: &[bool; 256]) -> Option<usize> {
    let mut base = 0;
    for chunk in b.chunks_exact(8) {
        if chunk.iter().fold(false, |hit, &c| hit | special[usize::from(c)]) {
            break;
        }
        base += 8;
    }
    b[base..].iter().position(|&c| special[usize::from(c)]).map(|k| base + k)
}

/// The end of the body of a `<script>` or `<style>`.
static RAW_END: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .build(["</script", "</style"])
        .expect("two literal patterns always build")
});

/// The end of a removable body (`-->`, `</script>`) and the last tab, line end and marker
/// before it.
#[derive(Debug, Clone, Copy)]
struct BodyMemo {
    /// Where the closing sequence starts.
    close: usize,
    /// One past the closing sequence.
    after: usize,
    last_tab: Option<usize>,
    last_newline: Option<usize>,
    last_marker: Option<usize>,
}

impl BodyMemo {
    fn new(b: &[u8], body: usize, close: usize, after: usize) -> BodyMemo {
        let inner = &b[body..close];
        BodyMemo {
            close,
            after,
            last_tab: memchr::memrchr(b'\t', inner).map(|t| body + t),
            last_newline: memchr::memrchr(b'\n', inner).map(|t| body + t),
            last_marker: last_marker(inner).map(|t| body + t),
        }
    }

    /// The body from `body` to the close holds what must never be dropped: a cell separator,
    /// a marker, or (`row`) the end of a table row.
    fn swallows(&self, body: usize, row: bool) -> bool {
        let holds = |at: Option<usize>| at.is_some_and(|at| at >= body);
        holds(self.last_tab) || holds(self.last_marker) || (row && holds(self.last_newline))
    }
}

/// The last Unicode noncharacter of U+FDD0–U+FDEF in `s` (UTF-8 `EF B7 90`–`EF B7 AF`). These
/// are for a program's internal use: the engine marks page starts with them, and nothing
/// removed with markup may take one along.
fn last_marker(s: &[u8]) -> Option<usize> {
    let mut end = s.len();
    while let Some(at) = memmem::rfind(&s[..end], &[0xEF, 0xB7]) {
        if s.get(at + 2).is_some_and(|b| (0x90..=0xAF).contains(b)) {
            return Some(at);
        }
        end = at;
    }
    None
}

/// Emphasis kinds, each paired on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `**`.
    Strong = 0,
    /// `*`.
    Em = 1,
    /// `__`.
    UStrong = 2,
}

/// One emphasis marker in the copied text.
#[derive(Debug, Clone, Copy)]
struct Delim {
    /// Byte offset in the copied text.
    pos: usize,
    len: usize,
    /// Paired with an opener or closer.
    matched: bool,
    /// Dropped even when unpaired (a `**` glued to a word).
    drop_unpaired: bool,
    /// Becomes a line break, not nothing.
    split: bool,
}

/// Remove markup from `text` (LF line ends). Returns the text and what went.
///
/// Removing markup can reveal markup (`<b>---</b>` is a rule once the tags are gone, `<*!a>*`
/// a declaration once the stars are), so the pass runs again on its own output while it
/// changes something, at most [`MAX_ROUNDS`] times in all: normalizing twice is then
/// normalizing once. Not after escapes or references were decoded: their characters are text
/// on purpose (`\#`, `&lt;b&gt;`), and a second round would take them for markup.
pub(crate) fn strip(text: Cow<'_, str>, opts: Options<'_>) -> (String, MarkupStats) {
    if inert(&text, opts) {
        return (text.into_owned(), MarkupStats::default());
    }
    let (mut out, mut stats) = strip_once(&text, opts);
    // Not needed for the next rounds: a big input is not held through them.
    drop(text);
    let mut last = stats.clone();
    for _ in 1..MAX_ROUNDS {
        if last == MarkupStats::default() || stats.escapes > 0 || stats.entities > 0 || inert(&out, opts) {
            break;
        }
        let (again, more) = strip_once(&out, opts);
        out = again;
        stats.add(&more);
        last = more;
    }
    (out, stats)
}

/// Rounds of [`strip`] at most.
const MAX_ROUNDS: usize = 3;

/// Whether [`strip_once`] would give `text` back unchanged and count nothing, told by a scan
/// much cheaper than the pass itself (a round after the first usually has nothing left to do).
/// Never true when it is not so: it looks at every byte the pass acts on, and at every line
/// start for what the line classification acts on.
fn inert(text: &str, opts: Options<'_>) -> bool {
    let b = text.as_bytes();
    // The bytes the inline scanner stops at are rare: found three at a time with `memchr3`.
    let references_inert =
        |hits: memchr::Memchr3<'_>| hits.into_iter().all(|i| b[i] == b'&' && parse_entity(b, i, b.len()).is_none());
    let inline_inert = if opts.markdown {
        memchr::memchr3_iter(b'[', b']', b'|', b).next().is_none()
            && references_inert(memchr::memchr3_iter(b'\\', b'<', b'&', b))
            && markers_inert(b, memchr::memchr3_iter(b'*', b'_', b'!', b))
    } else {
        references_inert(memchr::memchr3_iter(b'<', b'&', b'<', b))
    };
    if !inline_inert {
        return false;
    }
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', b).chain([b.len()]) {
        let line = &b[start..end];
        start = end + 1;
        // Leading spaces are dropped, and so is a line of spaces.
        if line.first() == Some(&b' ') {
            return false;
        }
        // Fences, rules, `#` headings and `* ` bullets (separators and pipe rows need a `|`)
        // start with one of these bytes.
        if opts.markdown && line.first().is_some_and(|c| b"`~-_*=#".contains(c)) {
            let mut t = line;
            while let [rest @ .., b' '] = t {
                t = rest;
            }
            if is_fence(t) || is_rule(t) || heading_content(t).is_some() || t.starts_with(b"* ") {
                return false;
            }
        }
    }
    true
}

/// The `*`, `_` and `!` of `b` at `hits` would be copied as they are, counting nothing: runs of
/// `*` or `_` that are no emphasis marker, or the only marker of their cell in a table row (with
/// nothing to pair with, an unpaired `*` or `__` stays; an unpaired `**` may go, so it never
/// counts). Each cell of a row is a scope of its own for emphasis; other lines share theirs.
fn markers_inert(b: &[u8], hits: memchr::Memchr3<'_>) -> bool {
    // Where the cell of the last marker starts.
    let mut last_cell = None;
    // The end of the last run looked at.
    let mut done = 0;
    for i in hits {
        if i < done {
            continue;
        }
        let c = b[i];
        let n = b[i..].iter().take_while(|x| **x == c).count();
        done = i + n;
        match (c, n) {
            (b'*', 1) | (b'_', 2) => {}
            (b'*', 4..) | (b'_', _) => continue,
            _ => return false,
        }
        let line_start = memchr::memrchr(b'\n', &b[..i]).map_or(0, |k| k + 1);
        let line_end = memchr(b'\n', &b[i..]).map_or(b.len(), |k| i + k);
        if memchr(b'\t', &b[line_start..line_end]).is_none() {
            return false;
        }
        let cell = memchr::memrchr(b'\t', &b[line_start..i]).map_or(line_start, |k| line_start + k + 1);
        if last_cell == Some(cell) {
            return false;
        }
        last_cell = Some(cell);
    }
    true
}

fn strip_once(text: &str, opts: Options<'_>) -> (String, MarkupStats) {
    let mut s = Scanner::new(text, opts);
    let len = text.len();
    let mut pos = 0;
    while pos < len {
        let eol = memchr(b'\n', &s.b[pos..]).map_or(len, |k| pos + k);
        pos = s.line(pos, eol);
    }
    s.finish()
}

struct Scanner<'a> {
    src: &'a str,
    b: &'a [u8],
    opts: Options<'a>,
    out: String,
    stats: MarkupStats,
    delims: Vec<Delim>,
    /// The unpaired openers of each [`Kind`] in the current scope, innermost last.
    openers: [Vec<usize>; 3],
    /// The current line is a table row: no line breaks may be inserted, each cell is a scope.
    table_line: bool,
    /// The current line is a pipe-table row: `|` separates cells.
    pipe_row: bool,
    /// A separator line was seen and no non-row line since.
    in_pipe_table: bool,
    /// The previous line was a heading or a table row (emphasis does not continue from it).
    prev_isolated: bool,
    /// Where the current line of `out` starts.
    out_line_start: usize,
    /// `out[out_line_start..case_scan]` has been looked at for letter case.
    case_scan: usize,
    case_upper: bool,
    case_lower: bool,
    /// A block tag asked for a line break before the next content.
    pending_break: bool,
    /// An HTML cell was opened in the current row (outside tab-separated lines).
    cell_in_row: bool,
    /// The close bracket of the link being copied and where to go on from there.
    link: Option<(usize, usize)>,
    /// No `-->` after some `<!--`: every later one is literal too.
    comment_unclosed: bool,
    /// The last `-->` found, see [`Scanner::comment_end`].
    comment_memo: Option<BodyMemo>,
    /// The last `</script>` or `</style>` found.
    raw_memo: Option<BodyMemo>,
    /// Same for `</script` / `</style`.
    raw_unclosed: bool,
}

fn is_punct(c: char) -> bool {
    !c.is_alphanumeric() && !c.is_whitespace()
}

fn is_open_quote(c: char) -> bool {
    matches!(c, '"' | '\'' | '“' | '‘' | '«' | '(')
}

fn is_fence(t: &[u8]) -> bool {
    t.starts_with(b"```") || t.starts_with(b"~~~")
}

/// `|---|:---:|`, `--- | ---`: only `|`, `-`, `:` and spaces, with a `|` and a `-`.
fn is_table_separator(t: &[u8]) -> bool {
    t.iter().all(|b| matches!(b, b'|' | b'-' | b':' | b' ')) && t.contains(&b'|') && t.contains(&b'-')
}

/// A line of 3 or more `-`, `_`, `*`, `=` (spaces allowed between).
fn is_rule(t: &[u8]) -> bool {
    t.iter().all(|b| matches!(b, b'-' | b'_' | b'*' | b'=' | b' ')) && t.iter().filter(|b| **b != b' ').count() >= 3
}

/// `| a | b |`: starts with a `|` and has another.
fn is_pipe_row(t: &[u8]) -> bool {
    t.first() == Some(&b'|') && t.len() > 1 && memchr(b'|', &t[1..]).is_some()
}

/// For `## Title ##`: the range of "Title" in `t`.
fn heading_content(t: &[u8]) -> Option<(usize, usize)> {
    let n = t.iter().take_while(|b| **b == b'#').count();
    if !(1..=6).contains(&n) || (t.len() > n && t[n] != b' ') {
        return None;
    }
    let mut start = n;
    while start < t.len() && t[start] == b' ' {
        start += 1;
    }
    let mut end = t.len();
    // A closing sequence of `#`, preceded by a space (or making up the whole title).
    let hashes = t[start..end].iter().rev().take_while(|b| **b == b'#').count();
    if hashes > 0 && (end - hashes == start || t[end - hashes - 1] == b' ') {
        end -= hashes;
        while end > start && t[end - 1] == b' ' {
            end -= 1;
        }
    }
    Some((start, end))
}

impl<'a> Scanner<'a> {
    fn new(src: &'a str, opts: Options<'a>) -> Self {
        Scanner {
            src,
            b: src.as_bytes(),
            opts,
            out: String::with_capacity(src.len()),
            stats: MarkupStats::default(),
            delims: Vec::new(),
            openers: [Vec::new(), Vec::new(), Vec::new()],
            table_line: false,
            pipe_row: false,
            in_pipe_table: false,
            prev_isolated: false,
            out_line_start: 0,
            case_scan: 0,
            case_upper: false,
            case_lower: false,
            pending_break: false,
            cell_in_row: false,
            link: None,
            comment_unclosed: false,
            comment_memo: None,
            raw_memo: None,
            raw_unclosed: false,
        }
    }

    fn new_scope(&mut self) {
        self.openers.iter_mut().for_each(Vec::clear);
    }

    /// The line starting at `start` and ending at `eol` (a `\n` or the end). Returns where the
    /// next line starts.
    fn line(&mut self, start: usize, eol: usize) -> usize {
        let b = self.b;
        let len = b.len();
        let next_line = |eol: usize| if eol < len { eol + 1 } else { len };
        let t0 = start + b[start..eol].iter().take_while(|c| **c == b' ').count();
        let mut t_end = eol;
        while t_end > t0 && b[t_end - 1] == b' ' {
            t_end -= 1;
        }
        let t = &b[t0..t_end];
        if t.is_empty() {
            self.new_scope();
            self.in_pipe_table = false;
            self.prev_isolated = false;
            self.end_line(eol);
            return next_line(eol);
        }
        // One search for the two bytes that make a table row: most lines have neither.
        let (has_tab, has_pipe) = match memchr::memchr2(b'\t', b'|', t) {
            None => (false, false),
            Some(k) if t[k] == b'\t' => (true, self.opts.markdown && memchr(b'|', &t[k + 1..]).is_some()),
            Some(k) => (memchr(b'\t', &t[k + 1..]).is_some(), true),
        };
        let (mut from, mut to) = (t0, eol);
        let mut heading = false;
        let mut pipe_row = false;
        let mut bullet = false;
        if self.opts.markdown {
            if !has_tab && is_fence(t) {
                self.stats.fences += 1;
                self.new_scope();
                return next_line(eol);
            }
            if !has_tab && is_table_separator(t) {
                self.stats.table_separators += 1;
                self.in_pipe_table = true;
                return next_line(eol);
            }
            if !has_tab && is_rule(t) {
                self.stats.rules += 1;
                self.new_scope();
                return next_line(eol);
            }
            pipe_row = has_pipe && (is_pipe_row(t) || self.in_pipe_table || self.next_is_separator(eol));
            if pipe_row {
                self.stats.pipe_rows += 1;
                if t[0] == b'|' {
                    from = t0 + 1;
                }
                if t.len() > 1 && t[t.len() - 1] == b'|' && t[t.len() - 2] != b'\\' {
                    to = t_end - 1;
                }
            } else {
                self.in_pipe_table = false;
                if let Some((cs, ce)) = heading_content(t) {
                    heading = true;
                    self.stats.heading_marks += 1;
                    (from, to) = (t0 + cs, t0 + ce);
                    // Stacked marks ("# # Tiêu đề") all go; a rule as the title is a rule.
                    while let Some((cs, ce)) = heading_content(&b[from..to]) {
                        self.stats.heading_marks += 1;
                        (from, to) = (from + cs, from + ce);
                    }
                    if is_rule(&b[from..to]) {
                        self.stats.rules += 1;
                        self.new_scope();
                        return next_line(eol);
                    }
                } else if t.starts_with(b"* ") {
                    self.stats.bullets += 1;
                    bullet = true;
                    from = t0 + 2;
                }
            }
        }
        let table = pipe_row || has_tab;
        if table || heading || self.prev_isolated {
            self.new_scope();
        }
        self.table_line = table;
        self.pipe_row = pipe_row;
        if bullet {
            self.push_str("- ");
        }
        let eol = self.inline(from, to, eol);
        self.prev_isolated = table || heading;
        if heading {
            self.new_scope();
        }
        self.end_line(eol);
        next_line(eol)
    }

    /// Whether the line after the one ending at `eol` is a pipe-table separator.
    fn next_is_separator(&self, eol: usize) -> bool {
        if eol >= self.b.len() {
            return false;
        }
        let rest = &self.b[eol + 1..];
        let line = &rest[..memchr(b'\n', rest).unwrap_or(rest.len())];
        let trimmed = line.trim_ascii();
        !trimmed.contains(&b'\t') && is_table_separator(trimmed)
    }

    /// Close the current output line (the input line ended at `eol`).
    fn end_line(&mut self, eol: usize) {
        self.pending_break = false;
        self.link = None;
        self.cell_in_row = false;
        if eol < self.b.len() {
            self.out.push('\n');
            self.reset_out_line();
        }
    }

    fn reset_out_line(&mut self) {
        self.out_line_start = self.out.len();
        self.case_scan = self.out.len();
        self.case_upper = false;
        self.case_lower = false;
    }

    /// Apply a pending line break before content is written.
    fn apply_break(&mut self) {
        if !self.pending_break {
            return;
        }
        self.pending_break = false;
        let trimmed = self.out.trim_end_matches(' ').len().max(self.out_line_start);
        self.out.truncate(trimmed);
        if self.out.len() > self.out_line_start {
            self.out.push('\n');
        }
        self.reset_out_line();
    }

    fn push_str(&mut self, s: &str) {
        let s = if self.pending_break { s.trim_start_matches(' ') } else { s };
        if s.is_empty() {
            return;
        }
        self.apply_break();
        self.out.push_str(s);
    }

    fn push_char(&mut self, c: char) {
        let mut buf = [0u8; 4];
        self.push_str(c.encode_utf8(&mut buf));
    }

    /// A block tag: a line break, or a space inside a table row or an HTML cell.
    fn block_break(&mut self) {
        if self.table_line || self.cell_in_row {
            self.out.push(' ');
        } else {
            self.pending_break = true;
        }
    }

    /// The last character of the current output line.
    fn prev_char(&self) -> Option<char> {
        self.out[self.out_line_start..].chars().next_back()
    }

    /// Every letter so far on the current output line is upper case (and there is one).
    fn line_is_upper(&mut self) -> bool {
        let from = self.case_scan.max(self.out_line_start);
        for c in self.out[from..].chars() {
            if c.is_lowercase() {
                self.case_lower = true;
            } else if c.is_uppercase() {
                self.case_upper = true;
            }
        }
        self.case_scan = self.out.len();
        self.case_upper && !self.case_lower
    }

    /// `rest` starts with a heading marker of the grammar: the first scheme that matches
    /// decides (as in the segment stage), and a `title_case` scheme wants its title to start
    /// with an upper-case letter, a digit or an opening quote ("1.5 tỷ" is not heading 1).
    fn starts_heading(&self, rest: &str) -> bool {
        let Some((scheme, m)) =
            self.opts.headings.iter().find_map(|s| s.pattern.find(rest).filter(|m| m.start() == 0).map(|m| (s, m)))
        else {
            return false;
        };
        !scheme.title_case
            || rest[m.end()..]
                .chars()
                .next()
                .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit() || is_open_quote(c))
    }

    /// Copy `[i, end)` with inline markup resolved; the line ends at `eol`. Returns the end of
    /// the line actually consumed (later than `eol` when a comment spanned lines).
    fn inline(&mut self, mut i: usize, mut end: usize, mut eol: usize) -> usize {
        let b = self.b;
        let special = if self.opts.markdown { &SPECIAL_MD } else { &SPECIAL_HTML };
        while i < end {
            let run = next_special(&b[i..end], special).map_or(end, |k| i + k);
            if run > i {
                self.push_str(&self.src[i..run]);
                i = run;
                continue;
            }
            i = match b[i] {
                b'\\' => self.backslash(i, end, eol),
                b'<' => self.angle(i, end),
                b'&' => self.entity(i, end),
                b'*' | b'_' => self.emphasis(i, end),
                b'!' if b.get(i + 1) == Some(&b'[') && i + 1 < end => match self.link_at(i + 1, end) {
                    Some((_, resume)) => {
                        self.stats.images += 1;
                        resume
                    }
                    None => {
                        self.push_str("!");
                        i + 1
                    }
                },
                b'[' => match self.link_at(i, end) {
                    Some(found) => {
                        self.stats.links += 1;
                        self.link = Some(found);
                        i + 1
                    }
                    None => {
                        self.push_str("[");
                        i + 1
                    }
                },
                b']' => match self.link {
                    Some((close, resume)) if close == i => {
                        self.link = None;
                        resume
                    }
                    _ => {
                        self.push_str("]");
                        i + 1
                    }
                },
                b'|' if self.pipe_row => {
                    self.out.push('\t');
                    self.new_scope();
                    i + 1
                }
                b'\t' => {
                    self.out.push('\t');
                    if self.table_line {
                        self.new_scope();
                    }
                    i + 1
                }
                other => {
                    self.push_char(other as char);
                    i + 1
                }
            };
            if i > eol {
                // A comment or a script body ran over line ends.
                eol = memchr(b'\n', &b[i..]).map_or(b.len(), |k| i + k);
                end = eol;
            }
        }
        eol
    }

    /// `\` at `i`: an escaped ASCII punctuation character, a trailing hard break, or itself.
    fn backslash(&mut self, i: usize, end: usize, eol: usize) -> usize {
        let b = self.b;
        if end == eol && b[i + 1..end].iter().all(|c| *c == b' ') {
            self.stats.hard_breaks += 1;
            return end;
        }
        match b.get(i + 1) {
            Some(&c) if i + 1 < end && c.is_ascii_punctuation() => {
                self.stats.escapes += 1;
                self.push_char(c as char);
                i + 2
            }
            _ => {
                self.push_str("\\");
                i + 1
            }
        }
    }

    /// `&` at `i`: a character reference, or itself.
    fn entity(&mut self, i: usize, end: usize) -> usize {
        let Some((c, next)) = parse_entity(self.b, i, end) else {
            self.push_str("&");
            return i + 1;
        };
        self.stats.entities += 1;
        match c {
            // Never let a reference add a cell or a line to a table row.
            '\t' => self.push_str(" "),
            '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}' => self.block_break(),
            // A decoded `*` or `<` is text, not markup: written directly.
            _ => {
                self.apply_break();
                self.out.push(c);
            }
        }
        next
    }

    /// `<` at `i`: a comment, declaration, autolink, tag, or itself.
    fn angle(&mut self, i: usize, end: usize) -> usize {
        let b = self.b;
        if b[i + 1..].starts_with(b"!--") {
            if let Some(end) = self.comment_end(i + 4) {
                self.stats.comments += 1;
                return end;
            }
            self.push_str("<");
            return i + 1;
        }
        if let Some((from, to, next)) = parse_autolink(b, i, end) {
            self.stats.autolinks += 1;
            self.push_str(&self.src[from..to]);
            return next;
        }
        if let Some(next) = parse_declaration(b, i, end) {
            self.stats.html_tags += 1;
            return next;
        }
        let Some(tag) = parse_tag(b, i, end) else {
            self.push_str("<");
            return i + 1;
        };
        self.stats.html_tags += 1;
        match tag.kind {
            TagKind::Inline => {}
            TagKind::Block => self.block_break(),
            TagKind::Row => {
                self.cell_in_row = false;
                self.block_break();
            }
            TagKind::ListItem if tag.closing => self.block_break(),
            TagKind::ListItem => {
                self.block_break();
                // The item text may bring its own bullet ("<li>- Đơn vị chủ trì").
                let rest = &self.src[tag.end..end];
                let own_bullet = rest.trim_start_matches(' ').starts_with(['-', '+', '•', '*', '–']);
                if !own_bullet {
                    self.push_str("- ");
                }
            }
            TagKind::Cell if self.table_line => self.out.push(' '),
            TagKind::Cell => {
                if !tag.closing {
                    if self.cell_in_row {
                        self.pending_break = false;
                        self.out.push('\t');
                    } else {
                        self.apply_break();
                    }
                    self.cell_in_row = true;
                }
            }
            TagKind::Image => self.stats.images += 1,
            TagKind::Raw if tag.closing => {}
            TagKind::Raw => {
                if let Some(next) = self.raw_end(tag.end) {
                    self.stats.raw_blocks += 1;
                    self.stats.html_tags += 1;
                    return next;
                }
            }
        }
        tag.end
    }

    /// The end of the comment whose body starts at `body`, if it is one: a `-->` follows and
    /// the body swallows nothing it must not (see [`BodyMemo::swallows`]). The `-->` found
    /// is remembered, so many `<!--` before one far `-->` cost one scan.
    fn comment_end(&mut self, body: usize) -> Option<usize> {
        let b = self.b;
        let memo = match self.comment_memo {
            Some(m) if m.close >= body => m,
            _ if self.comment_unclosed => return None,
            _ => {
                let Some(k) = memmem::find(&b[body..], b"-->") else {
                    self.comment_unclosed = true;
                    return None;
                };
                let memo = BodyMemo::new(b, body, body + k, body + k + 3);
                self.comment_memo = Some(memo);
                memo
            }
        };
        (!memo.swallows(body, self.table_line)).then_some(memo.after)
    }

    /// The end of the `</script>`/`</style>` closing a body that starts at `body`, if there is
    /// one and the body swallows nothing it must not; remembered like [`Scanner::comment_end`].
    fn raw_end(&mut self, body: usize) -> Option<usize> {
        let b = self.b;
        let memo = match self.raw_memo {
            Some(m) if m.close >= body => m,
            _ if self.raw_unclosed => return None,
            _ => {
                let found = RAW_END.find(&b[body..]).and_then(|m| {
                    let gt = memchr(b'>', &b[body + m.end()..])?;
                    Some((body + m.start(), body + m.end() + gt + 1))
                });
                let Some((close, after)) = found else {
                    self.raw_unclosed = true;
                    return None;
                };
                let memo = BodyMemo::new(b, body, close, after);
                self.raw_memo = Some(memo);
                memo
            }
        };
        (!memo.swallows(body, self.table_line)).then_some(memo.after)
    }

    /// A link `[text](address)` whose `[` is at `open`: the `]` and the end of the `)`.
    fn link_at(&self, open: usize, end: usize) -> Option<(usize, usize)> {
        let b = self.b;
        let mut k = open + 1;
        // The text stays on one cell: a tab is never dropped with an image or link.
        while k < end && !matches!(b[k], b']' | b'[' | b'\t') {
            k += 1;
        }
        if k + 1 >= end || b[k] != b']' || b[k + 1] != b'(' {
            return None;
        }
        // The address: no space, tab or parenthesis; then an optional "title".
        let mut m = k + 2;
        while m < end && !matches!(b[m], b')' | b'(' | b' ' | b'\t' | b'<' | b'>') {
            m += 1;
        }
        if m < end && b[m] == b' ' {
            while m < end && b[m] == b' ' {
                m += 1;
            }
            if m < end && b[m] == b'"' {
                let limit = end.min(m + 256);
                let close = memchr(b'"', &b[m + 1..limit])?;
                m += close + 2;
                while m < end && b[m] == b' ' {
                    m += 1;
                }
            }
        }
        (m < end && b[m] == b')').then_some((k, m + 1))
    }

    /// A run of `*` or `_` at `i`.
    fn emphasis(&mut self, i: usize, end: usize) -> usize {
        let b = self.b;
        let c = b[i];
        let mut j = i;
        while j < end && b[j] == c {
            j += 1;
        }
        let n = j - i;
        self.apply_break();
        let prev = self.prev_char();
        let next = self.src[j..end].chars().next();
        let pos = self.out.len();
        self.out.push_str(&self.src[i..j]);
        let kind = match (c, n) {
            (b'*', 1) => Kind::Em,
            (b'*', 2 | 3) => Kind::Strong,
            (b'_', 2) => Kind::UStrong,
            _ => return j,
        };
        let prev_ws = prev.is_none_or(char::is_whitespace);
        let next_ws = next.is_none_or(char::is_whitespace);
        let prev_p = prev.is_some_and(is_punct);
        let next_p = next.is_some_and(is_punct);
        let left = !next_ws && (!next_p || prev_ws || prev_p);
        let right = !prev_ws && (!prev_p || next_ws || next_p);
        // `(*)`, `[**]`: a literal star in brackets, never emphasis.
        let open_ok = left && !matches!(next, Some(')' | ']' | '}'));
        let close_ok = right && !matches!(prev, Some('(' | '[' | '{'));
        // A single `*` inside a word (2*3*4) is not emphasis.
        let em_open = open_ok && (prev_ws || prev_p);
        let em_close = close_ok && (next_ws || next_p);
        match kind {
            Kind::Strong => {
                let split = !self.table_line
                    && !prev_ws
                    && !next_ws
                    && (self.starts_heading(&self.src[j..end]) || self.line_is_upper());
                self.add_delim(
                    Kind::Strong,
                    Delim { pos, len: 2, matched: false, drop_unpaired: open_ok || close_ok, split },
                    open_ok,
                    close_ok,
                );
                if n == 3 {
                    self.add_delim(
                        Kind::Em,
                        Delim { pos: pos + 2, len: 1, matched: false, drop_unpaired: false, split: false },
                        em_open,
                        em_close,
                    );
                }
            }
            Kind::Em => {
                self.add_delim(
                    Kind::Em,
                    Delim { pos, len: 1, matched: false, drop_unpaired: false, split: false },
                    em_open,
                    em_close,
                );
            }
            Kind::UStrong => {
                // `_` never opens or closes inside a word.
                let open = open_ok && (!right || prev_p);
                let close = close_ok && (!left || next_p);
                self.add_delim(
                    Kind::UStrong,
                    Delim { pos, len: 2, matched: false, drop_unpaired: false, split: false },
                    open,
                    close,
                );
            }
        }
        j
    }

    fn add_delim(&mut self, kind: Kind, delim: Delim, can_open: bool, can_close: bool) {
        let idx = self.delims.len();
        self.delims.push(delim);
        let stack = &mut self.openers[kind as usize];
        if can_close && let Some(open) = stack.pop() {
            self.delims[open].matched = true;
            self.delims[idx].matched = true;
        } else if can_open {
            stack.push(idx);
        }
    }

    /// Drop the emphasis markers that go and return the text.
    fn finish(mut self) -> (String, MarkupStats) {
        if self.delims.is_empty() {
            return (self.out, self.stats);
        }
        let mut res = String::with_capacity(self.out.len());
        let mut copied = 0;
        for d in &self.delims {
            if !(d.matched || d.drop_unpaired) {
                continue;
            }
            res.push_str(&self.out[copied..d.pos]);
            if d.split {
                let trimmed = res.trim_end_matches(' ').len();
                res.truncate(trimmed);
                res.push('\n');
                self.stats.split_headings += 1;
            }
            self.stats.emphasis += 1;
            copied = d.pos + d.len;
        }
        res.push_str(&self.out[copied..]);
        (res, self.stats)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grammar::Grammar;

    fn schemes() -> &'static [HeadingScheme] {
        static GRAMMAR: LazyLock<Grammar> = LazyLock::new(|| Grammar::embedded().expect("embedded grammars"));
        &GRAMMAR.headings.schemes
    }

    fn md(text: &str) -> String {
        strip(text.into(), Options { markdown: true, headings: schemes() }).0
    }

    fn md_stats(text: &str) -> MarkupStats {
        strip(text.into(), Options { markdown: true, headings: schemes() }).1
    }

    fn html(text: &str) -> String {
        strip(text.into(), Options { markdown: false, headings: schemes() }).0
    }

    #[test]
    fn heading_marks() {
        assert_eq!(md("## **2. Mục tiêu cụ thể**\n"), "2. Mục tiêu cụ thể\n");
        assert_eq!(md("# A\n###### B ##\n####### C"), "A\nB\n####### C");
        assert_eq!(md("#### *1.1. Tham gia hiệu quả*"), "1.1. Tham gia hiệu quả");
        // `#` + tab is a table cell ("#" as the row number), not a heading.
        assert_eq!(md("#\tPhát triển\t1.2"), "#\tPhát triển\t1.2");
        assert_eq!(md("#hashtag và C# 5"), "#hashtag và C# 5");
        assert_eq!(md_stats("## a\n### b").heading_marks, 2);
        assert_eq!(md("# # ## Tiêu đề\n## ---\nx"), "Tiêu đề\nx");
    }

    #[test]
    fn bold_and_italic() {
        assert_eq!(md("**KẾ HOẠCH**  \n**Chuyển đổi số**"), "KẾ HOẠCH  \nChuyển đổi số");
        assert_eq!(md("gửi Sở **trước ngày 05/12** để"), "gửi Sở trước ngày 05/12 để");
        assert_eq!(md("__đậm__ và *nghiêng* và ***cả hai***"), "đậm và nghiêng và cả hai");
        // Across lines of one paragraph.
        assert_eq!(md("**TM. ỦY BAN NHÂN DÂN  \nKT. CHỦ TỊCH**"), "TM. ỦY BAN NHÂN DÂN  \nKT. CHỦ TỊCH");
        assert_eq!(md("*(Kèm theo Quyết định\ncủa Chủ tịch)*"), "(Kèm theo Quyết định\ncủa Chủ tịch)");
        assert_eq!(md_stats("**a** *b*").emphasis, 4);
    }

    #[test]
    fn literal_stars_survive() {
        for s in [
            "Chỉ tiêu (*) và (**)",
            "Ghi chú (*): số liệu ước (*)",
            "5 * 3 = 15 và 2 ** 8",
            "2*3*4",
            "*Vốn ĐTPT phân theo KH 134",
            "x_y_z và ngày __ tháng __ năm",
            "snake__case__name",
            "a * b",
            "*",
            "**",
        ] {
            assert_eq!(md(s), s, "{s:?}");
        }
        // A blank line ends the scope: the stars stay.
        assert_eq!(md("*a\n\nb*"), "*a\n\nb*");
    }

    #[test]
    fn unbalanced_bold_glued_to_a_word_goes() {
        assert_eq!(md("**Phần I"), "Phần I");
        assert_eq!(md("năm 2022**\n\nx"), "năm 2022\n\nx");
    }

    #[test]
    fn bullet_star() {
        assert_eq!(md("* Một\n  * Hai\n*Ba*"), "- Một\n- Hai\nBa");
        assert_eq!(md_stats("* a").bullets, 1);
    }

    #[test]
    fn glued_headings_split() {
        assert_eq!(md("I. MỤC TIÊU**1. Mục tiêu chung**"), "I. MỤC TIÊU\n1. Mục tiêu chung");
        assert_eq!(md("2. Mục tiêu cụ thể**2.1. Mục tiêu đến 2025**"), "2. Mục tiêu cụ thể\n2.1. Mục tiêu đến 2025");
        assert_eq!(
            md("KẾ HOẠCH**Triển khai thực hiện Đề án “Nâng cao\nđến năm 2030”**"),
            "KẾ HOẠCH\nTriển khai thực hiện Đề án “Nâng cao\nđến năm 2030”"
        );
        assert_eq!(md("QUYẾT ĐỊNH:**Điều 1. Ban hành**"), "QUYẾT ĐỊNH:\nĐiều 1. Ban hành");
        assert_eq!(md("Chương trình**Phần II**"), "Chương trình\nPhần II");
        assert_eq!(md_stats("I. MỤC TIÊU**1. Mục tiêu chung**").split_headings, 1);
        // Not glued on both sides, or nothing heading-like: no split.
        assert_eq!(md("Điều 1.**Ban hành** kèm theo"), "Điều 1.Ban hành kèm theo");
        assert_eq!(md("gửi Sở **trước ngày**để"), "gửi Sở trước ngàyđể");
        assert_eq!(md("tổng**1.5 tỷ**"), "tổng1.5 tỷ");
        // Never in a table row.
        assert_eq!(md("I. MỤC**1. Một**\tx"), "I. MỤC1. Một\tx");
    }

    #[test]
    fn hard_breaks_and_escapes() {
        assert_eq!(md("dòng một\\\ndòng hai"), "dòng một\ndòng hai");
        assert_eq!(md("1\\. Mục \\- \\* \\(a\\) \\\\ \\q"), "1. Mục - * (a) \\ \\q");
        // An escaped star is text.
        assert_eq!(md("\\*không nghiêng\\*"), "*không nghiêng*");
    }

    #[test]
    fn links_images_fences_rules() {
        assert_eq!(md("xem [Cổng dữ liệu](https://data.hatinh.gov.vn) nhé"), "xem Cổng dữ liệu nhé");
        assert_eq!(md("[**đậm**](a.html \"tiêu đề\")"), "đậm");
        assert_eq!(md("a ![logo](img/logo.png) b"), "a  b");
        assert_eq!(md("[không phải link] (x) [a]b ]["), "[không phải link] (x) [a]b ][");
        assert_eq!(md("```\ncode\n```\nx"), "code\nx");
        assert_eq!(md("```\t1"), "```\t1");
        assert_eq!(md("a\n---\n___\n* * *\n=====\nb"), "a\nb");
        assert_eq!(md("a\n--\nb"), "a\n--\nb");
        let st = md_stats("[a](b) ![c](d)\n---\n```");
        assert_eq!((st.links, st.images, st.rules, st.fences), (1, 1, 1, 1));
    }

    #[test]
    fn pipe_tables() {
        assert_eq!(md("| a | b |\n|---|:---:|\n| 1 | 2 |\n"), "a \t b \n1 \t 2 \n");
        assert_eq!(md("STT | Nội dung\n--- | ---\n1 | Xây dựng\n\nx | y"), "STT \t Nội dung\n1 \t Xây dựng\n\nx | y");
        assert_eq!(md("| a \\| b | c |"), " a | b \t c ");
        assert_eq!(md("| *a | b* |"), "*a \t b* ");
        assert_eq!(md_stats("| a | b |\n|---|---|").pipe_rows, 1);
    }

    #[test]
    fn html_tags_removed_text_kept() {
        assert_eq!(md("Lưu: VT, VX<sub>1</sub>."), "Lưu: VT, VX1.");
        assert_eq!(md("<b>Tổng cộng</b> <i>x</i> <u>y</u> <strong>z</strong> <em>w</em>"), "Tổng cộng x y z w");
        assert_eq!(md("<span style=\"color:red\">đỏ</span><font face=\"Arial\">f</font><o:p></o:p>"), "đỏf");
        assert_eq!(md("<custom-tag a=1>x</custom-tag>"), "x");
        assert_eq!(md("a <!-- ghi chú --> b"), "a  b");
        assert_eq!(md("a <!-- nhiều\ndòng --> b\nc"), "a  b\nc");
        assert_eq!(md("<script>var x = '<b>';</script>text<style>p{}</style>"), "text");
        // Never across the cells of a table row.
        assert_eq!(md("a<!-- x\ty -->b\tc"), "a<!-- x\ty -->b\tc");
        assert_eq!(md("<!--\n\t-->"), "<!--\n\t-->");
        assert_eq!(md("a\t<!--\n-->b"), "a\t<!--\n-->b");
        assert_eq!(md("<!--\t<!-- c -->x"), "<!--\tx");
        // Nor across a marker (the engine's page marks).
        assert_eq!(md("a<!-- x\n\u{FDD0}\n-->b"), "a<!-- x\n\u{FDD0}\n-->b");
        assert_eq!(md("<style>\n\u{FDD0}\n</style>x"), "\n\u{FDD0}\nx");
        assert_eq!(last_marker("a\u{FDD0}b\u{FDEF}c\u{FDF0}".as_bytes()), Some(5));
        assert_eq!(last_marker("\u{FDCF}\u{FDF0}".as_bytes()), None);
        assert_eq!(md("a\t<!-- x -->b"), "a\tb");
        assert_eq!(md("![a\tb](u) [c\td](v)"), "![a\tb](u) [c\td](v)");
    }

    #[test]
    fn block_tags_outside_tables_break_lines() {
        assert_eq!(md("<p>Đoạn một</p><p>Đoạn hai</p>"), "Đoạn một\nĐoạn hai");
        assert_eq!(md("a<br>b<br/>c"), "a\nb\nc");
        assert_eq!(md("<ul><li>Một</li><li>- Hai</li></ul>"), "- Một\n- Hai");
        assert_eq!(md("<tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr>"), "a\tb\nc\td");
        assert_eq!(md("<table><tr><td><p>a</p></td><td>b<br>c</td></tr></table>x"), "a \tb c\nx");
    }

    #[test]
    fn block_tags_inside_table_rows_stay_on_the_row() {
        let row = "2.2\t<p>phục vụ dạy</p>\t<p>Đào tạo</p>\t\t";
        assert_eq!(md(row), "2.2\t phục vụ dạy \t Đào tạo \t\t");
        let row =
            "4\t70\t<ul style=\"list-style-type: none\"> <li>- Đơn vị chủ trì: Sở.</li> <li>- Phối hợp: sở.</li> </ul>";
        assert_eq!(md(row).matches('\n').count(), 0);
        assert_eq!(md(row).matches('\t').count(), 2);
        assert!(md(row).contains("- Đơn vị chủ trì: Sở.") && md(row).contains("- Phối hợp: sở."));
        assert_eq!(md("a\t<ul><li>x</li><li>y</li></ul>\tb"), "a\t  - x  - y  \tb");
        assert_eq!(md("\t<br>\t"), "\t \t");
    }

    #[test]
    fn entities() {
        assert_eq!(md("TT&amp;TT &lt;b&gt; &quot;x&quot; &apos;y&apos;"), "TT&TT <b> \"x\" 'y'");
        assert_eq!(md("&#272;&#x110;&#x1ea1;i &nbsp;x"), "ĐĐại \u{A0}x");
        assert_eq!(md("Bộ TT&TT; a & b; &unknown; &#xZZ;"), "Bộ TT&TT; a & b; &unknown; &#xZZ;");
        // A decoded `*` or `<` is text.
        assert_eq!(md("&#42;a&#42; &lt;p&gt;"), "*a* <p>");
        // A reference cannot break a table row.
        assert_eq!(md("a&#10;b\tc&#9;d"), "a b\tc d");
        assert_eq!(md_stats("&amp;&lt;").entities, 2);
    }

    #[test]
    fn stray_angle_brackets_stay() {
        for s in ["a < b và c > d", "x <5 năm>", "<Tên cơ quan>", "<", "a <", "<<>>", "<b", "</", "<!--", "<!-- x"]
        {
            assert_eq!(md(s), s, "{s:?}");
        }
        assert_eq!(md("<https://vanban.gov.vn/x>"), "https://vanban.gov.vn/x");
    }

    #[test]
    fn html_only_input_keeps_markdown_characters() {
        assert_eq!(html("<p>**a** # b [c](d)</p>"), "**a** # b [c](d)");
        assert_eq!(html("# x\n|a|b|"), "# x\n|a|b|");
        assert_eq!(html("a&amp;b<br>c"), "a&b\nc");
    }

    #[test]
    fn markup_revealed_by_stripping_goes_too() {
        assert_eq!(md("<b>-----</b>\nx"), "x");
        assert_eq!(md("# ||"), "");
        assert_eq!(md("**## Tiêu đề**"), "Tiêu đề");
        // Escaped and decoded characters stay text.
        assert_eq!(md("\\# không phải đề mục"), "# không phải đề mục");
        assert_eq!(md("&#35; không phải đề mục"), "# không phải đề mục");
        assert_eq!(md("<*!a>*"), "");
        assert_eq!(md_stats("<b>---</b>").rules, 1);
    }

    #[test]
    fn odd_input_does_not_panic() {
        for s in [
            "",
            "*",
            "**",
            "***",
            "****",
            "_",
            "__",
            "<",
            "&",
            "&#",
            "\\",
            "[",
            "![",
            "](",
            "[a](",
            "|",
            "||",
            "#",
            "<!--",
            "<a",
            "**a\n\n**",
            "<li>",
            "<td>",
            "\t<li>",
            "a**",
            "**\u{301}",
            "\u{301}**a",
            "<script>",
            "<style",
            "`",
            "```",
        ] {
            let _ = md(s);
            let _ = html(s);
        }
    }

    /// The cheap check never calls a text inert that the pass would change or count in.
    #[test]
    fn inert_texts_are_left_as_they_are() {
        let cases = [
            "KH&ĐT\tTT&TT\t*Vốn ĐTPT\n",
            "1\t*a\t*b\n2\t__c\n",
            "1\t*a *b\n",
            "1\t**a\n",
            "1\t***a\n",
            "*a\n",
            "a *b* c\n",
            "a\t*b\nc*\n",
            "a\t*b\n\n*c*\n",
            "x_y __init__ ****\n",
            "&amp;\t&#x41;\t&nbsp\n",
            "#\tx\n",
            "# x\n",
            "* x\n",
            "a\t(*)\n",
            "a\t*b\t*c\n*d\n",
        ];
        for text in cases {
            for markdown in [true, false] {
                let opts = Options { markdown, headings: schemes() };
                if inert(text, opts) {
                    assert_eq!(strip_once(text, opts), (text.to_owned(), MarkupStats::default()), "{text:?}");
                }
            }
        }
        let opts = Options { markdown: true, headings: schemes() };
        assert!(inert("Bộ KH&ĐT\n1\t*Vốn ĐTPT\t*Hợp tác\n#\tx\n", opts));
        assert!(!inert("1\t*a\t**b\n", opts));
        assert!(!inert("a *b\n", opts));
        assert!(!inert("&amp;\n", opts));
    }

    mod props {
        use proptest::prelude::*;

        use super::*;

        proptest! {
            #![proptest_config(ProptestConfig { failure_persistence: None, cases: 2000, ..ProptestConfig::default() })]

            /// Whatever the cheap check calls inert, the pass gives back as it is.
            #[test]
            fn inert_means_unchanged(text in "[*_&#;a-zA-Z \t\n()\\[\\]|<>!\\\\-]{0,40}") {
                for markdown in [true, false] {
                    let opts = Options { markdown, headings: schemes() };
                    if inert(&text, opts) {
                        prop_assert_eq!(strip_once(&text, opts), (text.clone(), MarkupStats::default()));
                    }
                }
            }

            /// The same on texts built from what the check lets through.
            #[test]
            fn inert_means_unchanged_on_tokens(tokens in proptest::collection::vec(proptest::sample::select(vec![
                "*", "*", "**", "_", "__", "____", "&", "&amp;", "&x", "\t", "\t", "\n", "\n\n", "a", "Ủy", " ", "#", "# ",
                "(", ")", "[", ".", ":", "-", "1. ", "I. ",
            ]), 0..16)) {
                let text: String = tokens.concat();
                for markdown in [true, false] {
                    let opts = Options { markdown, headings: schemes() };
                    if inert(&text, opts) {
                        prop_assert_eq!(strip_once(&text, opts), (text.clone(), MarkupStats::default()));
                    }
                }
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn next_special_agrees_with_a_plain_scan(b in proptest::collection::vec(proptest::sample::select(
            vec![b'a', b' ', b'*', b'\t', 0xE1, 0xBA, b'<', b'x'],
        ), 0..40)) {
            proptest::prop_assert_eq!(next_special(&b, &SPECIAL_MD), b.iter().position(|&c| SPECIAL_MD[usize::from(c)]));
        }
    }
}
