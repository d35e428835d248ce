//! Responsibilities (trách nhiệm): agency-headed blocks of duties.

use super::{AgencyMatcher, DocContext};
use crate::model::Responsibility;

pub(crate) fn extract(cx: &DocContext<'_>, agencies: &AgencyMatcher) -> Vec<Responsibility> {
    let _ = (cx, agencies);
    Vec::new()
}
