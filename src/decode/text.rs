//! Text decoding: UTF-8 (valid or damaged) and UTF-16 (with or without BOM, possibly truncated).
//!
//! Damage is repaired with U+FFFD, one per invalid UTF-8 sequence (as `String::from_utf8_lossy`
//! does) or per unpaired UTF-16 surrogate, counted in one Warning diagnostic. It is *material*
//! (the record becomes `partial`) when [`material`] says so.

use super::DecodeError;
use super::sniff::units;
use crate::model::{Diagnostic, Encoding, Severity};

/// More replacements than this are material whatever the length of the text.
pub(super) const HANDFUL: usize = 5;
/// Replacements are material when they are more than 1 in this many characters (0.1%).
pub(super) const PER_MILLE: usize = 1000;

/// Decoded text before format detection.
#[derive(Debug)]
pub(super) struct Text {
    /// The text, without the BOM.
    pub(super) text: String,
    /// The encoding it was decoded from.
    pub(super) encoding: Encoding,
    /// Damage and guesses.
    pub(super) diagnostics: Vec<Diagnostic>,
    /// Something material was lost.
    pub(super) lossy: bool,
}

/// `replaced` replacements in a text of `chars` characters are material: more than a
/// [`HANDFUL`], or more than 0.1% of the characters.
pub(super) const fn material(replaced: usize, chars: usize) -> bool {
    replaced > HANDFUL || replaced.saturating_mul(PER_MILLE) > chars
}

/// Valid UTF-8 (already validated): the one copy into the final `String`.
pub(super) fn utf8(text: &str) -> Text {
    Text { text: text.to_owned(), encoding: Encoding::Utf8, diagnostics: Vec::new(), lossy: false }
}

/// UTF-8 with invalid sequences; `bom` is the length of the BOM before `body` (for offsets).
pub(super) fn damaged_utf8(body: &[u8], bom: usize) -> Text {
    let mut text = String::with_capacity(body.len() + 16);
    let mut replaced = 0usize;
    let mut first = None;
    let mut pos = bom;
    for chunk in body.utf8_chunks() {
        text.push_str(chunk.valid());
        pos += chunk.valid().len();
        if !chunk.invalid().is_empty() {
            text.push('\u{FFFD}');
            replaced += 1;
            first.get_or_insert(pos);
            pos += chunk.invalid().len();
        }
    }
    let mut diagnostics = Vec::new();
    let mut lossy = false;
    if let Some(first) = first {
        lossy = material(replaced, text.chars().count());
        diagnostics.push(Diagnostic::new(
            Severity::Warning,
            "decode.invalid_utf8",
            format!(
                "{replaced} invalid UTF-8 sequence{} replaced by U+FFFD, the first at byte {first}",
                plural(replaced)
            ),
        ));
    }
    Text { text, encoding: Encoding::Utf8, diagnostics, lossy }
}

/// UTF-16 `body` after a `bom`-byte BOM (0: told without one).
///
/// Unpaired surrogates inside become U+FFFD (`decode.invalid_utf16`). A trailing odd byte or a
/// high surrogate at the very end is truncation: a Warning `decode.truncated_utf16` and `lossy`,
/// or [`DecodeError::TruncatedUtf16`] when nothing but white space is left.
pub(super) fn utf16(body: &[u8], big_endian: bool, bom: usize) -> Result<Text, DecodeError> {
    let encoding = if big_endian { Encoding::Utf16Be } else { Encoding::Utf16Le };
    let codes: Vec<u16> = units(body, big_endian).collect();
    let mut text = String::with_capacity(body.len() + body.len() / 2);
    let mut replaced = 0usize;
    let mut first = None;
    let mut cut_surrogate = false;
    let mut i = 0;
    while i < codes.len() {
        let u = codes[i];
        let c = match u {
            0xD800..=0xDBFF => match codes.get(i + 1) {
                Some(&low @ 0xDC00..=0xDFFF) => {
                    i += 1;
                    let scalar = 0x10000 + ((u32::from(u) - 0xD800) << 10) + (u32::from(low) - 0xDC00);
                    char::from_u32(scalar)
                }
                Some(_) => None,
                None => {
                    cut_surrogate = true;
                    break;
                }
            },
            _ => char::from_u32(u32::from(u)),
        };
        match c {
            Some(c) => text.push(c),
            None => {
                text.push('\u{FFFD}');
                replaced += 1;
                first.get_or_insert(bom + 2 * i);
            }
        }
        i += 1;
    }

    let dropped = body.len() % 2 + if cut_surrogate { 2 } else { 0 };
    if dropped > 0 && super::is_blank(&text) {
        return Err(DecodeError::TruncatedUtf16(format!(
            "{} byte{} after the byte-order mark hold no complete character",
            body.len(),
            plural(body.len())
        )));
    }

    let mut diagnostics = Vec::new();
    let mut lossy = false;
    if bom == 0 {
        diagnostics.push(Diagnostic::new(
            Severity::Info,
            "decode.utf16_without_bom",
            format!("{} without a byte-order mark, told from its zero bytes", encoding_label(encoding)),
        ));
    }
    if let Some(first) = first {
        lossy = material(replaced, text.chars().count());
        diagnostics.push(Diagnostic::new(
            Severity::Warning,
            "decode.invalid_utf16",
            format!(
                "{replaced} unpaired UTF-16 surrogate{} replaced by U+FFFD, the first at byte {first}",
                plural(replaced)
            ),
        ));
    }
    if dropped > 0 {
        lossy = true;
        let why = if cut_surrogate { "in the middle of a surrogate pair" } else { "in the middle of a code unit" };
        diagnostics.push(Diagnostic::new(
            Severity::Warning,
            "decode.truncated_utf16",
            format!("the UTF-16 text ends {why}; the last {dropped} byte{} were dropped", plural(dropped)),
        ));
    }
    Ok(Text { text, encoding, diagnostics, lossy })
}

const fn encoding_label(encoding: Encoding) -> &'static str {
    match encoding {
        Encoding::Utf16Be => "UTF-16BE",
        _ => "UTF-16LE",
    }
}

const fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn le(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(u16::to_le_bytes).collect()
    }

    #[test]
    fn utf16_pairs_and_lone_surrogates() {
        let mut bytes = le("a😀b");
        let t = utf16(&bytes, false, 2).unwrap();
        assert_eq!(t.text, "a😀b");
        assert!(t.diagnostics.is_empty() && !t.lossy);
        // A lone low surrogate in the middle, then a high surrogate followed by a non-surrogate.
        bytes.splice(2..2, [0x00, 0xDC]);
        bytes.extend_from_slice(&[0x00, 0xD8, b'c', 0]);
        let t = utf16(&bytes, false, 2).unwrap();
        assert_eq!(t.text, "a\u{FFFD}😀b\u{FFFD}c");
        assert_eq!(t.diagnostics.len(), 1);
        assert_eq!(t.diagnostics[0].code, "decode.invalid_utf16");
        assert!(t.diagnostics[0].message.starts_with("2 unpaired"), "{}", t.diagnostics[0].message);
        assert!(t.diagnostics[0].message.ends_with("at byte 4"), "{}", t.diagnostics[0].message);
        assert!(t.lossy, "2 in 6 characters is material");
    }

    #[test]
    fn utf16_truncated() {
        let mut bytes = le("Điều 1");
        bytes.push(b'x');
        let t = utf16(&bytes, false, 2).unwrap();
        assert_eq!(t.text, "Điều 1");
        assert!(t.lossy);
        assert_eq!(t.diagnostics[0].code, "decode.truncated_utf16");
        assert_eq!(t.diagnostics[0].severity, Severity::Warning);
        // A high surrogate at the very end.
        let mut bytes = le("Điều 1");
        bytes.extend_from_slice(&[0x3D, 0xD8]);
        let t = utf16(&bytes, false, 2).unwrap();
        assert_eq!(t.text, "Điều 1");
        assert!(t.lossy && t.diagnostics[0].message.contains("surrogate pair"));
        // Nothing usable.
        assert!(matches!(utf16(b"x", false, 2), Err(DecodeError::TruncatedUtf16(_))));
        assert!(matches!(utf16(&[b' ', 0, b'\n', 0, 0x3D, 0xD8], false, 2), Err(DecodeError::TruncatedUtf16(_))));
    }

    #[test]
    fn damaged_utf8_counts() {
        let t = damaged_utf8(b"ab\xFFc\xE1\xBB", 3);
        assert_eq!(t.text, "ab\u{FFFD}c\u{FFFD}");
        assert_eq!(t.diagnostics[0].code, "decode.invalid_utf8");
        assert_eq!(t.diagnostics[0].severity, Severity::Warning);
        assert_eq!(t.diagnostics[0].message, "2 invalid UTF-8 sequences replaced by U+FFFD, the first at byte 5");
        assert!(t.lossy);
    }

    #[test]
    fn materiality() {
        assert!(!material(0, 0));
        assert!(!material(1, 1000));
        assert!(material(1, 999));
        assert!(!material(5, 1_000_000));
        assert!(material(6, 1_000_000));
    }
}
