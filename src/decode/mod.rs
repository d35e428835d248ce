//! Decode: bytes -> text.
//!
//! Tells the container format and the character encoding from the bytes (the file name is only
//! a hint), and turns what it can read into one Rust `String`. What it cannot read yet becomes a
//! [`DecodeError`], which the engine turns into a `failed` record: never a panic and never a
//! silently wrong text.

mod sniff;
mod text;

use crate::model::{Diagnostic, Encoding, Format};

pub use sniff::{Sniffed, sniff};

/// The text of one input, with what was learnt decoding it.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    /// The decoded text (not yet normalized).
    pub text: String,
    /// The container format.
    pub format: Format,
    /// The character encoding, `None` where the container fixes it.
    pub encoding: Option<Encoding>,
    /// Page count of paged inputs.
    pub pages: Option<u32>,
    /// Byte offsets into `text` where each page starts (paged inputs only).
    pub page_starts: Vec<usize>,
    /// What went wrong or was guessed while decoding.
    pub diagnostics: Vec<Diagnostic>,
    /// True when something material was lost (the record becomes `partial`).
    pub lossy: bool,
}

/// Why an input could not be decoded. Each has a stable diagnostic [`code`](DecodeError::code).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The input has no bytes.
    #[error("the file is empty")]
    Empty,
    /// A format this build cannot read yet (PDF, DOCX, …).
    #[error("{0} input is not supported yet")]
    UnsupportedFormat(&'static str),
    /// The bytes are not text in any encoding vanban knows.
    #[error("the bytes are not text: {0}")]
    NotText(String),
    /// UTF-16 text that stops in the middle of a code unit or a surrogate pair.
    #[error("truncated UTF-16: {0}")]
    TruncatedUtf16(String),
    /// Text that decodes to nothing but white space.
    #[error("the file holds no text")]
    NoText,
}

impl DecodeError {
    /// The stable diagnostic code, e.g. `decode.unsupported_format`.
    pub fn code(&self) -> &'static str {
        match self {
            DecodeError::Empty => "decode.empty_input",
            DecodeError::UnsupportedFormat(_) => "decode.unsupported_format",
            DecodeError::NotText(_) => "decode.not_text",
            DecodeError::TruncatedUtf16(_) => "decode.truncated_utf16",
            DecodeError::NoText => "decode.no_text",
        }
    }
}

/// Decode `bytes`; `path_hint` (the file name) breaks ties the bytes leave open.
///
/// # Errors
/// A [`DecodeError`] when the input holds no text this build can read.
pub fn decode(bytes: &[u8], path_hint: &str) -> Result<Decoded, DecodeError> {
    text::decode(sniff(bytes, path_hint), bytes)
}
