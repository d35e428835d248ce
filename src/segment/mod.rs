//! Segment: lines -> documents, and for each document its section tree.
//!
//! A file can hold several documents (a Quyết định and the Kế hoạch it issues). Each starts at
//! its document-type line ("QUYẾT ĐỊNH", "KẾ HOẠCH"), or rather at the letterhead above it, and
//! runs to the next one. Inside a document, the body runs from the type line to the closing
//! block (Nơi nhận, the signature); an appendix after the closing block ("PHỤ LỤC", "DỰ TOÁN
//! KINH PHÍ", "(Kèm theo Kế hoạch số …)") is a top-level section of scheme `appendix`.

mod classify;
mod tree;

use crate::grammar::Grammar;
use crate::layout::{Layout, LineKind};
use crate::model::{Section, Span};
use classify::LineInfo;

use tree::TreeBuilder;

/// The skeleton of one document: where it is, what it is, and its sections.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentSkeleton {
    /// Kind key from `grammars/doc_types.yaml`.
    pub kind: String,
    /// The type line as printed ("KẾ HOẠCH"), if the document has one.
    pub kind_label: Option<String>,
    /// The whole document.
    pub span: Span,
    /// Its lines: `[first, end)` indexes into [`Layout::lines`].
    pub lines: (usize, usize),
    /// The type line, if any.
    pub type_line: Option<usize>,
    /// The title where it runs on after the type label on the type line itself.
    pub inline_title: Option<Span>,
    /// First line of the closing block (recipients, signature), if found.
    pub closing_line: Option<usize>,
    /// First line of the appendix, if any.
    pub appendix_line: Option<usize>,
    /// The section tree, appendix included.
    pub sections: Vec<Section>,
}

/// All documents of a file, in reading order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Skeleton {
    /// The documents.
    pub documents: Vec<DocumentSkeleton>,
}

/// A document needs this many non-blank lines after its type line before another type line
/// can open a new document (a title block is not a whole document).
const MIN_DOCUMENT_LINES: usize = 3;

/// Segment `layout` into documents and section trees.
pub fn segment(layout: &Layout, g: &Grammar) -> Skeleton {
    let infos = classify::classify(layout, g);
    let n = layout.lines.len();
    if n == 0 {
        return Skeleton::default();
    }

    // Document starts: type lines that open a document.
    let mut opens: Vec<(usize, usize)> = Vec::new(); // (first line, type line)
    let mut last_type: Option<usize> = None;
    // The lines after the last opening type line, as far as line i: counted as the walk goes,
    // not again at each type line (a file of many type lines that open nothing would cost
    // their number squared).
    let mut since = Since::default();
    for (i, info) in infos.iter().enumerate() {
        if let Some((kind, _)) = &info.doc_type {
            let is_appendix = *kind == g.doc_types.appendix_kind;
            match last_type {
                None if !is_appendix => {
                    opens.push((0, i));
                    last_type = Some(i);
                }
                Some(t) if !is_appendix && opens_another(&infos, t, i, &since) => {
                    let first = letterhead_start(layout, g, t + 1, i);
                    opens.push((first, i));
                    last_type = Some(i);
                }
                _ => {}
            }
        }
        if last_type == Some(i) {
            since = Since::default();
        } else {
            since.closing |= info.closing;
            since.non_blank += usize::from(!layout.line(i).trim().is_empty());
        }
    }

    let mut documents = Vec::new();
    if opens.is_empty() {
        documents.push(build_document(layout, &infos, g, 0, n, None));
    } else {
        for (k, &(first, type_line)) in opens.iter().enumerate() {
            let end = opens.get(k + 1).map_or(n, |o| o.0);
            documents.push(build_document(layout, &infos, g, first, end, Some(type_line)));
        }
    }
    Skeleton { documents }
}

/// Whether the type line `next` opens a document after the one whose type line is `prev`. The
/// same type again ("QUYẾT ĐỊNH" as the enacting formula printed without its colon) opens one
/// only after the first document has closed (recipients or signature); another type needs the
/// first document to have a body.
/// `since` tells of the lines between the two.
fn opens_another(infos: &[LineInfo], prev: usize, next: usize, since: &Since) -> bool {
    let same_kind = infos[prev].doc_type.as_ref().map(|d| &d.0) == infos[next].doc_type.as_ref().map(|d| &d.0);
    if same_kind {
        return since.closing;
    }
    since.non_blank >= MIN_DOCUMENT_LINES
}

/// What the lines after a type line hold, so far.
#[derive(Debug, Default)]
struct Since {
    /// A line of a closing block (recipients, signature).
    closing: bool,
    /// Lines that are not blank.
    non_blank: usize,
}

/// Walk back from a type line over its letterhead (blank and letterhead lines).
fn letterhead_start(layout: &Layout, g: &Grammar, floor: usize, type_line: usize) -> usize {
    let mut first = type_line;
    let mut j = type_line;
    while j > floor {
        j -= 1;
        let blank = layout.line(j).trim().is_empty();
        if blank {
            continue;
        }
        if layout.lines[j].kind == LineKind::Text && classify::is_letterhead(layout.line(j).trim(), g) {
            first = j;
        } else {
            break;
        }
    }
    first
}

fn build_document(
    layout: &Layout,
    infos: &[LineInfo],
    g: &Grammar,
    first: usize,
    end: usize,
    type_line: Option<usize>,
) -> DocumentSkeleton {
    let body_from = type_line.map_or(first, |t| t + 1);
    let closing_line = (body_from..end).find(|&j| infos[j].closing);
    let appendix_line = find_appendix(layout, infos, g, body_from, closing_line, end);
    let body_end_line = [closing_line, appendix_line].into_iter().flatten().min().unwrap_or(end);

    let line_start = |j: usize| if j < layout.lines.len() { layout.lines[j].span.start } else { layout.text.len() };
    let doc_start = line_start(first);
    let doc_end = if end >= layout.lines.len() { layout.text.len() } else { line_start(end) };
    let trimmed_end = doc_start + layout.text[doc_start..doc_end].trim_end().len();

    let mut builder = TreeBuilder::new(g);
    for j in body_from..body_end_line {
        if !infos[j].headings.is_empty() {
            builder.push(j, &infos[j], layout, infos);
        }
    }
    let mut sections = builder.finish(layout, line_start(body_end_line).min(trimmed_end));

    if let Some(a) = appendix_line {
        let marker = appendix_marker(layout.line(a), g);
        let mut sub = TreeBuilder::under(g, 1, &marker);
        for j in a + 1..end {
            if !infos[j].headings.is_empty() {
                sub.push(j, &infos[j], layout, infos);
            }
        }
        let title = layout.line(a).trim().to_owned();
        let start = line_start(a);
        sections.push(Section {
            path: marker.as_str().into(),
            marker: marker.into(),
            scheme: "appendix".into(),
            level: 1,
            title: appendix_title(&title, g).into(),
            span: Span::new(start, trimmed_end.max(start)),
            children: sub.finish(layout, trimmed_end),
        });
    }

    let (kind, kind_label) = match type_line.and_then(|t| infos[t].doc_type.clone()) {
        Some((kind, label)) => (kind, Some(label)),
        None => (kind_without_type_line(layout, g, first, end), None),
    };
    let inline_title = type_line.and_then(|t| {
        let at = infos[t].title_at?;
        let line = layout.lines[t].span;
        let lead = layout.line(t).len() - layout.line(t).trim_start().len();
        Some(Span::new(line.start + lead + at, line.end))
    });
    DocumentSkeleton {
        kind,
        kind_label,
        inline_title,
        span: Span::new(doc_start, trimmed_end.max(doc_start)),
        lines: (first, end),
        type_line,
        closing_line,
        appendix_line,
        sections,
    }
}

/// An appendix starts after the closing block at an appendix title ("PHỤ LỤC …", "DỰ TOÁN
/// KINH PHÍ") or at the upper-case title above an "attached to" line. "PHỤ LỤC" itself opens an
/// appendix anywhere after the type line.
fn find_appendix(
    layout: &Layout,
    infos: &[LineInfo],
    g: &Grammar,
    body_from: usize,
    closing: Option<usize>,
    end: usize,
) -> Option<usize> {
    let is_phu_luc = |j: usize| infos[j].doc_type.as_ref().is_some_and(|(k, _)| *k == g.doc_types.appendix_kind);
    let strong =
        (body_from..end).find(|&j| is_phu_luc(j) || (infos[j].appendix_title && starts_phu_luc(layout.line(j), g)));
    let after = closing?;
    let weak = (after..end).find(|&j| {
        if infos[j].appendix_title {
            return true;
        }
        if !infos[j].upper || infos[j].closing {
            return false;
        }
        // An upper-case title with an "attached to" line just below it.
        (j + 1..end.min(j + 1 + g.doc_types.appendix_window * 2)).any(|k| infos[k].attached)
            && !looks_like_signature(layout.line(j))
    });
    let attached_only = (after..end).find(|&j| infos[j].attached);
    [strong, weak, attached_only].into_iter().flatten().min()
}

/// The line opens with the appendix marker ("PHỤ LỤC", also printed "PHU LUC").
fn starts_phu_luc(line: &str, g: &Grammar) -> bool {
    g.doc_types.appendix_marker_re.is_match(line.trim_start())
}

/// Position lines of a signature ("PHÓ CHỦ TỊCH", "CHỦ TỊCH", "GIÁM ĐỐC") are short and upper
/// case like an appendix title; they never carry more than a few words.
fn looks_like_signature(line: &str) -> bool {
    line.split_whitespace().count() <= 4
}

/// "Phụ lục I" / "Phụ lục 2" when the appendix is numbered, else the plain marker.
fn appendix_marker(line: &str, g: &Grammar) -> String {
    let plain = &g.doc_types.appendix_marker;
    match g.doc_types.appendix_marker_re.captures(line.trim()).and_then(|c| c.name("num")) {
        Some(num) => format!("{plain} {}", num.as_str()),
        None => plain.clone(),
    }
}

/// The appendix heading without its marker ("PHỤ LỤC: DANH MỤC …" -> "DANH MỤC …").
fn appendix_title(line: &str, g: &Grammar) -> String {
    let t = line.trim();
    match g.doc_types.appendix_marker_re.find(t) {
        Some(m) if m.end() < t.len() => t[m.end()..].to_owned(),
        _ => t.to_owned(),
    }
}

/// Kind of a document printed without a type line: from the type code of its number
/// ("Số: 114/2003/NĐ-CP" -> nghi_dinh), from a heading line that names its type and number
/// ("Nghị định của Chính phủ số 114/2003/NĐ-CP …"), or a letter (công văn) by its "V/v"
/// subject line.
fn kind_without_type_line(layout: &Layout, g: &Grammar, first: usize, end: usize) -> String {
    let head = first..end.min(first + 40);
    for j in head.clone() {
        let line = layout.line(j).trim();
        if let Some(c) = g.header.number_code_line.captures(line) {
            let code = &c["code"];
            if let Some((kind, _)) = g.doc_types.number_codes.iter().find(|(_, k)| k == code) {
                return kind.clone();
            }
        }
        if g.header.numbered_spaced.is_match(line) {
            let up = line.to_uppercase();
            if let Some((kind, _)) = g.doc_types.labels.iter().find(|(_, label)| up.starts_with(label.as_str())) {
                return kind.clone();
            }
        }
    }
    for j in head {
        let t = layout.line(j).trim_start();
        if g.doc_types.letter_subject_prefixes.iter().any(|p| t.starts_with(p.as_str())) {
            return g.doc_types.letter_kind.clone();
        }
    }
    g.doc_types.fallback.clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appendix_markers_come_from_the_grammar() {
        let g = Grammar::embedded().unwrap();
        assert_eq!(appendix_marker("PHỤ LỤC II", &g), "Phụ lục II");
        assert_eq!(appendix_marker("Phụ lục 2: Danh mục", &g), "Phụ lục 2");
        assert_eq!(appendix_marker("PHU LUC", &g), "Phụ lục");
        assert_eq!(appendix_marker("DỰ TOÁN KINH PHÍ", &g), "Phụ lục");
        assert_eq!(appendix_title("PHỤ LỤC: DANH MỤC NHIỆM VỤ", &g), "DANH MỤC NHIỆM VỤ");
        assert_eq!(appendix_title("DỰ TOÁN KINH PHÍ", &g), "DỰ TOÁN KINH PHÍ");
        assert!(starts_phu_luc("PHU LUC", &g) && starts_phu_luc("Phụ lục I", &g));
        assert!(!starts_phu_luc("Phương án", &g));
    }
}
