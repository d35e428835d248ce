//! Layout: canonical text -> the final text and its lines.
//!
//! Stub, replaced below.

use crate::grammar::Grammar;
use crate::model::{Diagnostic, Span};

/// What a line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// Empty.
    Blank,
    /// Running text, a heading or a list item.
    Text,
    /// A tab-separated table row.
    TableRow,
    /// A footnote moved out of the running text.
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
}

impl Layout {
    /// The text of line `i`.
    pub fn line(&self, i: usize) -> &str {
        let s = self.lines[i].span;
        &self.text[s.start..s.end]
    }
}

/// Repair the layout of canonical `text`.
pub fn layout(text: &str, grammar: &Grammar) -> Layout {
    let _ = grammar;
    let mut lines = Vec::new();
    let mut start = 0;
    for l in text.split('\n') {
        let end = start + l.len();
        let kind = if l.trim().is_empty() { LineKind::Blank } else if l.contains('\t') { LineKind::TableRow } else { LineKind::Text };
        lines.push(Line { span: Span::new(start, end), kind });
        start = end + 1;
    }
    Layout { text: text.to_owned(), lines, diagnostics: Vec::new() }
}
