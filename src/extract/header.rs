//! The formal header: số/ký hiệu, place and date, issuing body, trích yếu.

use super::{AgencyMatcher, DocContext};
use crate::model::Agency;

/// Header fields of one document.
#[derive(Debug, Clone, Default)]
pub(crate) struct Header {
    pub(crate) number: Option<String>,
    pub(crate) date: Option<String>,
    pub(crate) place: Option<String>,
    pub(crate) issuer: Option<Agency>,
    pub(crate) title: Option<String>,
}

pub(crate) fn extract(cx: &DocContext<'_>, agencies: &AgencyMatcher) -> Header {
    let _ = (cx, agencies);
    Header::default()
}
