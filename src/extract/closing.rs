//! The closing block: recipients (nơi nhận) and signature (chữ ký).

use super::{AgencyMatcher, DocContext};
use crate::model::{Agency, Signer};

/// Closing fields of one document.
#[derive(Debug, Clone, Default)]
pub(crate) struct Closing {
    pub(crate) signer: Option<Signer>,
    pub(crate) recipients: Vec<String>,
}

pub(crate) fn extract(cx: &DocContext<'_>) -> Closing {
    let _ = cx;
    Closing::default()
}

/// The issuing body named by the signature block ("TM. ỦY BAN NHÂN DÂN" + the place).
pub(crate) fn issuer_from_signature(cx: &DocContext<'_>, agencies: &AgencyMatcher, place: Option<&str>) -> Option<Agency> {
    let _ = (cx, agencies, place);
    None
}
