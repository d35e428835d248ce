//! Budgets (kinh phí) stated in prose.

use super::DocContext;
use crate::model::Budget;

pub(crate) fn extract(cx: &DocContext<'_>) -> Vec<Budget> {
    let _ = cx;
    Vec::new()
}
