//! Text decoding.

use super::{DecodeError, Decoded, Sniffed};
use crate::model::Format;

pub(super) fn decode(sniffed: Sniffed, bytes: &[u8]) -> Result<Decoded, DecodeError> {
    match sniffed {
        Sniffed::Empty => Err(DecodeError::Empty),
        Sniffed::Binary => Err(DecodeError::NotText("binary".into())),
        Sniffed::Container(_) => Err(DecodeError::UnsupportedFormat("container")),
        Sniffed::Text { encoding, .. } => Ok(Decoded {
            text: String::from_utf8_lossy(bytes).into_owned(),
            format: Format::Text,
            encoding: Some(encoding),
            pages: None,
            page_starts: Vec::new(),
            diagnostics: Vec::new(),
            lossy: false,
        }),
    }
}
