//! Segment: lines -> documents and their section trees. (stub)

use crate::grammar::Grammar;
use crate::layout::Layout;
use crate::model::{Section, Span};

/// The skeleton of one document.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentSkeleton {
    /// Kind key.
    pub kind: String,
    /// Type line as printed.
    pub kind_label: Option<String>,
    /// Whole document.
    pub span: Span,
    /// Section tree.
    pub sections: Vec<Section>,
}

/// All documents of a file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Skeleton {
    /// In reading order.
    pub documents: Vec<DocumentSkeleton>,
}

/// Segment `layout` into documents and sections.
pub fn segment(layout: &Layout, grammar: &Grammar) -> Skeleton {
    let _ = grammar;
    Skeleton {
        documents: vec![DocumentSkeleton {
            kind: "other".into(),
            kind_label: None,
            span: Span::new(0, layout.text.len()),
            sections: Vec::new(),
        }],
    }
}
