//! Tasks (nhiệm vụ): units of work with a named lead.

use super::{AgencyMatcher, DocContext};
use crate::model::Task;

pub(crate) fn extract(cx: &DocContext<'_>, agencies: &AgencyMatcher) -> Vec<Task> {
    let _ = (cx, agencies);
    Vec::new()
}
