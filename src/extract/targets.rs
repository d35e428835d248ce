//! Targets (chỉ tiêu, mục tiêu).

use super::DocContext;
use crate::model::Target;

pub(crate) fn extract(cx: &DocContext<'_>) -> Vec<Target> {
    let _ = cx;
    Vec::new()
}
