//! Citations (trích dẫn) of other legal documents, and the basis (căn cứ) among them.

use super::DocContext;
use crate::model::Citation;

/// `(basis, citations)` of one document.
pub(crate) fn extract(cx: &DocContext<'_>) -> (Vec<Citation>, Vec<Citation>) {
    let _ = cx;
    (Vec::new(), Vec::new())
}
