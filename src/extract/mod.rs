//! Extract: document skeletons -> the fields of each document.

use crate::grammar::Grammar;
use crate::layout::Layout;
use crate::model::Document;
use crate::segment::Skeleton;

/// Fill the fields of every document of `skeleton`.
pub fn extract(layout: &Layout, skeleton: &Skeleton, grammar: &Grammar) -> Vec<Document> {
    let _ = (layout, grammar);
    skeleton
        .documents
        .iter()
        .map(|d| Document {
            kind: d.kind.clone(),
            kind_label: d.kind_label.clone(),
            sections: d.sections.clone(),
            span: d.span,
            ..Document::default()
        })
        .collect()
}
