//! Extract: document skeletons -> the fields of each document.
//!
//! Each field group has its own module; all read the same `DocContext` (the final text, the
//! document's lines and sections) and the grammars, and none depends on another's output except
//! through plain values passed here in order.

mod agencies;
mod budgets;
mod citations;
mod closing;
mod header;
pub mod money;
mod responsibilities;
mod table_rows;
mod tables;
mod targets;
mod tasks;
mod timeline;

use std::borrow::Cow;
use std::cell::OnceCell;

use crate::grammar::Grammar;
use crate::layout::Layout;
use crate::model::{Diagnostic, Document, Section, Span};
use crate::segment::{DocumentSkeleton, Skeleton};

pub(crate) use agencies::AgencyMatcher;

/// What every extractor reads about one document.
pub(crate) struct DocContext<'a> {
    pub(crate) layout: &'a Layout,
    pub(crate) doc: &'a DocumentSkeleton,
    pub(crate) g: &'a Grammar,
    /// Every section in pre-order.
    flat: Vec<&'a Section>,
    /// `(section address, its position in flat)`, by address: looked up by binary search
    /// (no hashing for every question about a section).
    index: Vec<(usize, usize)>,
    /// The agencies heading each section of `flat` when it is a responsibility block, worked
    /// out once: tasks and responsibilities both ask about every section, the latter twice.
    blocks: OnceCell<Vec<Option<Vec<String>>>>,
    /// [`DocContext::section_at`]'s map, made at its first call.
    all_sections: OnceCell<SectionMap<'a>>,
}

impl<'a> DocContext<'a> {
    pub(crate) fn new(layout: &'a Layout, doc: &'a DocumentSkeleton, g: &'a Grammar) -> Self {
        fn walk<'s>(out: &mut Vec<&'s Section>, sections: &'s [Section]) {
            for s in sections {
                out.push(s);
                walk(out, &s.children);
            }
        }
        let mut flat = Vec::new();
        walk(&mut flat, &doc.sections);
        let mut index: Vec<(usize, usize)> =
            flat.iter().enumerate().map(|(i, &s)| (std::ptr::from_ref(s) as usize, i)).collect();
        index.sort_unstable();
        DocContext { layout, doc, g, flat, index, blocks: OnceCell::new(), all_sections: OnceCell::new() }
    }

    /// The agencies heading section `s` (a section of this document) when it is a
    /// responsibility block (see [`responsibilities::block_agencies`]).
    pub(crate) fn block_heads(&self, s: &Section) -> Option<&[String]> {
        let blocks = self.blocks.get_or_init(|| {
            let cues = responsibilities::HeadingCues::new(self.g);
            self.flat.iter().map(|s| responsibilities::block_agencies(self, s, &cues)).collect()
        });
        let at = std::ptr::from_ref(s) as usize;
        match self.index.binary_search_by_key(&at, |&(addr, _)| addr) {
            Ok(k) => blocks[self.index[k].1].as_deref(),
            Err(_) => None,
        }
    }

    /// The whole text of the record.
    pub(crate) fn text(&self) -> &'a str {
        &self.layout.text
    }

    /// The text of line `i`, trimmed.
    pub(crate) fn line(&self, i: usize) -> &'a str {
        let s = self.layout.lines[i].span;
        self.layout.text[s.start..s.end].trim()
    }

    /// The span of line `i`.
    pub(crate) fn line_span(&self, i: usize) -> Span {
        self.layout.lines[i].span
    }

    /// The line of this document that holds `span` whole, if one does (lines are in order and
    /// apart: a binary search).
    pub(crate) fn line_holding(&self, span: Span) -> Option<usize> {
        let lines = self.lines();
        let all = &self.layout.lines[lines.clone()];
        let k = all.partition_point(|l| l.span.end < span.end);
        (k < all.len() && all[k].span.contains(span)).then_some(lines.start + k)
    }

    /// All lines of the document: `[first, end)`.
    pub(crate) fn lines(&self) -> std::ops::Range<usize> {
        self.doc.lines.0..self.doc.lines.1
    }

    /// The lines of the body: after the type line (or from the start), before the closing
    /// block and the appendix.
    pub(crate) fn body_lines(&self) -> std::ops::Range<usize> {
        let start = self.doc.type_line.map_or(self.doc.lines.0, |t| t + 1);
        let end =
            [self.doc.closing_line, self.doc.appendix_line].into_iter().flatten().min().unwrap_or(self.doc.lines.1);
        start..end.max(start)
    }

    /// The lines before the type line (letterhead), and the type line's title block.
    pub(crate) fn header_lines(&self) -> std::ops::Range<usize> {
        self.doc.lines.0..self.doc.type_line.map_or(self.doc.lines.0, |t| t + 1)
    }

    /// The path of the innermost section holding byte `offset`, or "" outside every section.
    pub(crate) fn section_at(&self, offset: usize) -> &'a str {
        let map = self.all_sections.get_or_init(|| self.section_map(|_| true));
        map.holding(offset).map_or("", |s| s.path.as_str())
    }

    /// Which section (of those `keep` accepts) holds each offset, for a caller that asks about
    /// many: see [`SectionMap`].
    pub(crate) fn section_map(&self, keep: impl Fn(&Section) -> bool) -> SectionMap<'a> {
        SectionMap::new(self.flat.iter().copied().filter(|s| keep(s)))
    }

    /// Every section in pre-order.
    pub(crate) fn sections(&self) -> impl Iterator<Item = &'a Section> + '_ {
        self.flat.iter().copied()
    }

    /// True when byte `offset` lies in the closing block or the appendix.
    pub(crate) fn after_body(&self, offset: usize) -> bool {
        let body = self.body_lines();
        body.end < self.layout.lines.len() && offset >= self.layout.lines[body.end].span.start
    }
}

/// The innermost section holding a byte offset: the deepest of the sections whose span holds
/// it (an empty span holds its start), the last in pre-order among equals. Asking every
/// section about every line is quadratic in a big document: the answer only changes where a
/// span starts or ends, so it is worked out once for each stretch between those, and looked
/// up by binary search.
pub(crate) struct SectionMap<'a> {
    /// Where each stretch starts, in order; a stretch runs to the next start.
    starts: Vec<usize>,
    /// The innermost section of each stretch.
    innermost: Vec<Option<&'a Section>>,
}

impl<'a> SectionMap<'a> {
    /// The map of `sections`, given in pre-order.
    fn new(sections: impl Iterator<Item = &'a Section>) -> Self {
        let sections: Vec<&'a Section> = sections.collect();
        // What a section holds: an empty span its start.
        let end = |s: &Section| s.span.end.max(s.span.start + 1);
        let mut starts: Vec<usize> = sections.iter().flat_map(|s| [s.span.start, end(s)]).collect();
        starts.sort_unstable();
        starts.dedup();
        // Pre-order positions by start.
        let mut by_start: Vec<usize> = (0..sections.len()).collect();
        by_start.sort_by_key(|&i| sections[i].span.start);
        // The sections open at a stretch, deepest then latest on top; one that has ended is
        // dropped when it comes to the top.
        let mut open = std::collections::BinaryHeap::new();
        let mut next = 0;
        let mut innermost = Vec::with_capacity(starts.len());
        for &at in &starts {
            while let Some(&i) = by_start.get(next)
                && sections[i].span.start <= at
            {
                open.push((sections[i].level, i));
                next += 1;
            }
            while open.peek().is_some_and(|&(_, i)| end(sections[i]) <= at) {
                open.pop();
            }
            innermost.push(open.peek().map(|&(_, i)| sections[i]));
        }
        SectionMap { starts, innermost }
    }

    /// The innermost section holding byte `offset`.
    pub(crate) fn holding(&self, offset: usize) -> Option<&'a Section> {
        let stretch = self.starts.partition_point(|&s| s <= offset).checked_sub(1)?;
        self.innermost[stretch]
    }
}

/// The bytes some span of a set covers, as sorted stretches apart from one another, asked of
/// by binary search: asking a list of n spans for each of n places would cost n² (a preamble of
/// n "Căn cứ" lines, a document of n target sections).
pub(crate) struct Stretches(Vec<Span>);

impl Stretches {
    pub(crate) fn new(mut spans: Vec<Span>) -> Stretches {
        spans.sort_unstable_by_key(|s| s.start);
        let mut out: Vec<Span> = Vec::with_capacity(spans.len());
        for s in spans {
            match out.last_mut() {
                Some(last) if s.start <= last.end => last.end = last.end.max(s.end),
                _ => out.push(s),
            }
        }
        Stretches(out)
    }

    /// Whether some span holds byte `at` (`start <= at < end`).
    pub(crate) fn hold(&self, at: usize) -> bool {
        let k = self.0.partition_point(|s| s.start <= at);
        k > 0 && at < self.0[k - 1].end
    }
}

/// Fill the fields of every document of `skeleton`. Each document takes its section tree
/// from the skeleton (moved, not copied: a big file's tree is big).
pub fn extract(layout: &Layout, skeleton: Skeleton, grammar: &Grammar) -> Vec<Document> {
    extract_with_diagnostics(layout, skeleton, grammar).0
}

/// [`extract`], with what extraction found worth reporting (sums in tables that do not add
/// up, numbers it had to guess).
pub fn extract_with_diagnostics(
    layout: &Layout,
    skeleton: Skeleton,
    grammar: &Grammar,
) -> (Vec<Document>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let matcher = AgencyMatcher::new(grammar);
    let mut documents: Vec<Document> = Vec::with_capacity(skeleton.documents.len());
    for mut doc in skeleton.documents {
        let cx = DocContext::new(layout, &doc, grammar);
        let head = header::extract(&cx, &matcher);
        let close = closing::extract(&cx);
        let (basis, citations) = citations::extract(&cx, head.number.as_deref());
        let read_tables = tables::read(&cx, &mut diagnostics);
        let mut budgets = budgets::extract(&cx);
        let table_budgets = table_rows::budgets(&cx, &read_tables, &budgets, &mut diagnostics);
        let mut tasks = tasks::extract(&cx, &matcher);
        tasks.extend(table_rows::tasks(&cx, &matcher, &read_tables, &table_budgets));
        budgets.extend(table_budgets.into_budgets());
        let responsibilities = responsibilities::extract(&cx, &matcher);
        let targets = targets::extract(&cx);
        let issuer_from_signature = if head.issuer.is_none() {
            closing::issuer_from_signature(&cx, &matcher, head.place.as_deref())
        } else {
            None
        };
        drop(cx);
        let mut d = Document {
            kind: std::mem::take(&mut doc.kind).into(),
            kind_label: doc.kind_label.take().map(Into::into),
            number: head.number.map(Into::into),
            date: head.date.map(Into::into),
            place: head.place.map(Into::into),
            issuer: head.issuer,
            title: head.title.map(Into::into),
            signer: close.signer,
            recipients: close.recipients.into_iter().map(Into::into).collect(),
            basis,
            citations,
            sections: std::mem::take(&mut doc.sections),
            tasks,
            responsibilities,
            targets,
            budgets,
            tables: read_tables.into_iter().map(|t| t.table).collect(),
            span: doc.span,
        };
        if d.issuer.is_none() {
            d.issuer = issuer_from_signature;
        }
        // An issued plan often has no letterhead or signature of its own: it takes the issuer
        // of the decision that issues it.
        if d.issuer.is_none()
            && let Some(prev) = documents.last()
        {
            d.issuer = prev.issuer.clone();
        }
        documents.push(d);
    }
    (documents, diagnostics)
}

/// "PHÓ CHỦ TỊCH" -> "Phó chủ tịch": the first letter upper case, the rest lower case; words
/// that were not all capitals keep their case.
pub(crate) fn sentence_case(s: &str) -> String {
    sentence_case_cow(s).into_owned()
}

/// [`sentence_case`], borrowing `s` (trimmed) when it is not all capitals, as most text is not.
pub(crate) fn sentence_case_cow(s: &str) -> Cow<'_, str> {
    let s = s.trim();
    if !crate::text::is_upper(s) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    for (i, c) in s.chars().enumerate() {
        if i == 0 {
            out.extend(c.to_uppercase());
        } else {
            // (The Unicode table only for chars outside the Latin letters of Vietnamese.)
            match crate::text::lower_fast(c) {
                Some(l) => out.push(l),
                None => out.extend(c.to_lowercase()),
            }
        }
    }
    Cow::Owned(out)
}

/// The byte offset in `s` of what is byte `low_at` of `to_lower(s)`; `None` when that falls
/// inside the lower case of one char. Lower-casing keeps the byte length of most letters (all
/// of Vietnamese), not of all ("İ" grows by a byte): an offset found in the lower case must be
/// carried back before it cuts the original.
pub(crate) fn offset_before_lowering(s: &str, low_at: usize) -> Option<usize> {
    let mut low = 0;
    for (at, c) in s.char_indices() {
        if low == low_at {
            return Some(at);
        }
        if low > low_at {
            return None;
        }
        // Σ lower-cases to σ or ς by its context: both two bytes, as σ.
        low += crate::text::lower_fast(c).map_or_else(|| c.to_lowercase().map(char::len_utf8).sum(), char::len_utf8);
    }
    (low == low_at).then_some(s.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn stretches_hold_what_some_span_holds(
            spans in proptest::collection::vec((0usize..60, 0usize..12), 0..8),
            at in 0usize..80,
        ) {
            let spans: Vec<Span> = spans.iter().map(|&(start, len)| Span { start, end: start + len }).collect();
            let naive = spans.iter().any(|s| s.start <= at && at < s.end);
            proptest::prop_assert_eq!(Stretches::new(spans).hold(at), naive);
        }
    }

    /// The innermost section as first written: every section asked.
    fn holding_plain(sections: &[Section], offset: usize) -> Option<&Section> {
        let mut best: Option<&Section> = None;
        for s in sections {
            let inside = s.span.start <= offset && offset < s.span.end.max(s.span.start + 1);
            if inside && best.is_none_or(|b| s.level >= b.level) {
                best = Some(s);
            }
        }
        best
    }

    proptest::proptest! {
        #[test]
        fn the_section_map_agrees_with_asking_every_section(
            spans in proptest::collection::vec((0usize..40, 0usize..12, 1u32..4), 0..12),
        ) {
            let sections: Vec<Section> = spans
                .iter()
                .enumerate()
                .map(|(i, &(start, len, level))| Section {
                    marker: "".into(),
                    scheme: "".into(),
                    path: i.to_string().into(),
                    level,
                    title: "".into(),
                    span: Span::new(start, start + len),
                    children: Vec::new(),
                })
                .collect();
            let map = SectionMap::new(sections.iter());
            for offset in 0..60 {
                let got = map.holding(offset).map(|s| s.path.as_str());
                proptest::prop_assert_eq!(got, holding_plain(&sections, offset).map(|s| s.path.as_str()), "at {}", offset);
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn sentence_case_agrees_with_the_unicode_tables(s in "[A-ZĐƠƯÂÊÔĂÁÀẢÃẠỤỆỐỨ İΣẞ×ÿ\\u{301}a-z,.-]{0,24}") {
            let plain: String = s.trim().chars().enumerate().flat_map(|(i, c)| -> Vec<char> {
                if i == 0 { c.to_uppercase().collect() } else { c.to_lowercase().collect() }
            }).collect();
            let expected = if crate::text::is_upper(s.trim()) { plain } else { s.trim().to_owned() };
            proptest::prop_assert_eq!(sentence_case(&s), expected);
        }
    }

    #[test]
    fn offsets_carried_back_from_the_lower_case() {
        for s in ["Bộ Công an có trách nhiệm", "İSTANBUL có", "ΣΑΣ x", "", "K\u{212a}x"] {
            let low = crate::text::to_lower(s);
            let mut expected = Vec::new();
            for (at, c) in s.char_indices() {
                let before = crate::text::to_lower(&s[..at]).len();
                expected.push((before, at));
                let _ = c;
            }
            expected.push((low.len(), s.len()));
            for (low_at, at) in expected {
                assert_eq!(offset_before_lowering(s, low_at), Some(at), "{s:?} at {low_at}");
            }
        }
        // Inside the lower case of "İ" ("i̇", three bytes).
        assert_eq!(offset_before_lowering("İx", 1), None);
        assert_eq!(offset_before_lowering("İx", 3), Some(2));
    }
}
