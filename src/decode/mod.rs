//! Decode: bytes -> text.
//!
//! Tells the container format and the character encoding from the bytes (the file name is only
//! a hint), and turns what it can read into one Rust `String`. What it cannot read yet becomes a
//! [`DecodeError`], which the engine turns into a `failed` record: never a panic and never a
//! silently wrong text.
//!
//! `sniff.rs` tells the format and the encoding from the bytes ([`sniff`], and the richer
//! internal verdict [`decode`] acts on, which carries the UTF-8 text validated in that one pass);
//! `text.rs` decodes UTF-8 and UTF-16. Readers for PDF, DOCX, HTML, .doc, RTF and the legacy
//! 8-bit encodings are meant to come as sibling files, each taking over one arm of the `match` in
//! [`decode`] (today those arms fail with `decode.unsupported_format` / `decode.legacy_encoding`).
//!
//! Diagnostic codes: failures are [`DecodeError::code`]; warnings on decoded text are
//! `decode.invalid_utf8` and `decode.invalid_utf16` (sequences replaced by U+FFFD, counted, with
//! the byte offset of the first; `lossy` when material), `decode.truncated_utf16` (UTF-16 cut in
//! the middle of a character; always `lossy`), and the info `decode.utf16_without_bom`.

mod doc;
mod docx;
pub(crate) mod garbled;
mod html;
pub(crate) mod legacy;
mod pdf;
mod rtf;
mod sniff;
mod tables;
mod text;

use crate::model::{Diagnostic, Encoding, Format};

use sniff::Verdict;
pub use sniff::{Sniffed, sniff};
pub use tables::DecodedTable;

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
    /// The tables of structured inputs (DOCX, HTML) with merged cells resolved, in document
    /// order; they are also in `text`, as tab-separated rows or, for layout tables, as lines.
    pub tables: Vec<DecodedTable>,
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
    /// 8-bit text (not UTF-8) that no legacy Vietnamese encoding reads: `invalid` bytes are not
    /// ASCII, the first at byte offset `first`.
    #[error(
        "8-bit text that reads as no known Vietnamese encoding (TCVN3, VNI, VISCII, VPS, Windows-1258): \
         {invalid} bytes are not ASCII, the first at byte {first}"
    )]
    LegacyEncoding {
        /// How many invalid UTF-8 sequences.
        invalid: usize,
        /// Byte offset of the first.
        first: usize,
    },
    /// The input is larger than the reader of its format accepts.
    #[error("{format} input of {bytes} bytes is over the limit of {limit} bytes")]
    TooLarge {
        /// The format ("PDF", "DOCX", "HTML").
        format: &'static str,
        /// Size of the input.
        bytes: usize,
        /// The limit.
        limit: usize,
    },
    /// A PDF the reader cannot parse (bad cross-reference table, broken objects).
    #[error("unreadable PDF: {0}")]
    PdfError(String),
    /// The PDF reader panicked.
    #[error("the PDF reader panicked: {0}")]
    PdfPanic(String),
    /// The PDF reader ran past its time budget (seconds) and was abandoned.
    #[error("reading the PDF took longer than {0} s and was abandoned")]
    PdfTimeout(u64),
    /// An encrypted PDF that the empty password does not open.
    #[error("encrypted PDF: {0}")]
    EncryptedPdf(String),
    /// A PDF cut short.
    #[error("truncated PDF: {0}")]
    TruncatedPdf(String),
    /// A PDF whose pages hold no text at all: scanned images.
    #[error("the PDF has no text layer ({pages} page(s) of images only); OCR is needed to read it")]
    NoTextLayer {
        /// Page count.
        pages: u32,
    },
    /// A text layer that does not read as Vietnamese (broken font maps); nothing is emitted.
    #[error("garbled text layer: {0}")]
    GarbledTextLayer(String),
    /// A DOCX (or other ZIP) that cannot be read as a Word document.
    #[error("unreadable DOCX: {0}")]
    DocxError(String),
    /// A ZIP entry that inflates beyond the limit: a zip bomb, or a document too large to read.
    #[error("zip bomb: {0}")]
    ZipBomb(String),
    /// A Word 97 (.doc) or RTF container that cannot be read: `code` says why
    /// (`decode.doc_corrupt`, `decode.doc_encrypted`, `decode.doc_unsupported_version`).
    #[error("{message}")]
    Container {
        /// The stable diagnostic code.
        code: &'static str,
        /// What is wrong.
        message: String,
    },
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
            DecodeError::LegacyEncoding { .. } => "decode.legacy_encoding",
            DecodeError::TooLarge { .. } => "decode.input_too_large",
            DecodeError::PdfError(_) => "decode.pdf_error",
            DecodeError::PdfPanic(_) => "decode.pdf_panic",
            DecodeError::PdfTimeout(_) => "decode.pdf_timeout",
            DecodeError::EncryptedPdf(_) => "decode.encrypted_pdf",
            DecodeError::TruncatedPdf(_) => "decode.truncated_pdf",
            DecodeError::NoTextLayer { .. } => "decode.no_text_layer",
            DecodeError::GarbledTextLayer(_) => "decode.garbled_text_layer",
            DecodeError::DocxError(_) => "decode.docx_error",
            DecodeError::ZipBomb(_) => "decode.zip_bomb",
            DecodeError::Container { code, .. } => code,
        }
    }
}

/// Decode `bytes`; `path_hint` (the file name) breaks ties the bytes leave open.
///
/// # Errors
/// A [`DecodeError`] when the input holds no text this build can read.
pub fn decode(bytes: &[u8], path_hint: &str) -> Result<Decoded, DecodeError> {
    let decoded = match sniff::classify(bytes, path_hint) {
        Verdict::Empty => return Err(DecodeError::Empty),
        Verdict::Container(Format::Pdf) => return pdf::decode(bytes),
        Verdict::Container(Format::Docx) => return docx::decode(bytes),
        Verdict::Container(Format::Html) => return html::decode(bytes),
        Verdict::Container(Format::Doc) => return from_legacy(doc::decode(bytes)?, Format::Doc),
        Verdict::Container(Format::Rtf) => return from_legacy(rtf::decode(bytes)?, Format::Rtf),
        Verdict::Container(format) => {
            return Err(DecodeError::UnsupportedFormat(container_label(format)));
        }
        Verdict::Unsupported(name) => return Err(DecodeError::UnsupportedFormat(name)),
        Verdict::NotText(why) => return Err(DecodeError::NotText(why)),
        Verdict::Legacy { .. } => {
            let out = legacy::decode_legacy_bytes(bytes, None)?;
            let encoding = out.encoding.unwrap_or(Encoding::Windows1258);
            text::Text { text: out.text, encoding, diagnostics: out.diagnostics, lossy: out.lossy }
        }
        Verdict::Utf8 { text, .. } => text::utf8(text),
        Verdict::Utf8Damaged { body, bom } => text::damaged_utf8(body, bom),
        Verdict::Utf16 { big_endian, body, bom } => text::utf16(body, big_endian, bom)?,
    };
    if is_blank(&decoded.text) {
        return Err(DecodeError::NoText);
    }
    let format = sniff::text_format(&decoded.text, path_hint);
    Ok(Decoded {
        text: decoded.text,
        format,
        encoding: Some(decoded.encoding),
        pages: None,
        page_starts: Vec::new(),
        diagnostics: decoded.diagnostics,
        lossy: decoded.lossy,
        tables: Vec::new(),
    })
}

/// The [`Decoded`] of a Word 97 or RTF container read through [`legacy`].
fn from_legacy(out: legacy::LegacyText, format: Format) -> Result<Decoded, DecodeError> {
    if is_blank(&out.text) {
        return Err(DecodeError::NoText);
    }
    Ok(Decoded {
        text: out.text,
        format,
        encoding: out.encoding,
        pages: None,
        page_starts: Vec::new(),
        diagnostics: out.diagnostics,
        lossy: out.lossy,
        tables: Vec::new(),
    })
}

/// Nothing but white space and byte-order marks (U+FEFF, which is not white space to Rust).
fn is_blank(text: &str) -> bool {
    text.chars().all(|c| c.is_whitespace() || c == '\u{FEFF}')
}

/// How a container format is named in [`DecodeError::UnsupportedFormat`].
const fn container_label(format: Format) -> &'static str {
    match format {
        Format::Pdf => "PDF",
        Format::Docx => "DOCX (ZIP)",
        Format::Doc => "DOC (OLE compound file)",
        Format::Rtf => "RTF",
        Format::Html => "HTML",
        Format::Text => "plain text",
        Format::Markdown => "markdown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Severity;
    use proptest::prelude::*;

    fn utf16(s: &str, big_endian: bool, bom: bool) -> Vec<u8> {
        let units = bom.then_some(0xFEFF).into_iter().chain(s.encode_utf16());
        if big_endian { units.flat_map(u16::to_be_bytes).collect() } else { units.flat_map(u16::to_le_bytes).collect() }
    }

    const VIET: &str = "ỦY BAN NHÂN DÂN\nTỈNH CÀ MAU\nĐiều 1. Phạm vi điều chỉnh 😀\n";

    #[test]
    fn utf8_with_and_without_bom() {
        let d = decode(VIET.as_bytes(), "a.txt").unwrap();
        assert_eq!((d.text.as_str(), d.encoding, d.format, d.lossy), (VIET, Some(Encoding::Utf8), Format::Text, false));
        assert!(d.diagnostics.is_empty() && d.pages.is_none() && d.page_starts.is_empty());
        let with_bom = [b"\xEF\xBB\xBF".as_slice(), VIET.as_bytes()].concat();
        let d = decode(&with_bom, "a.txt").unwrap();
        assert_eq!((d.text.as_str(), d.encoding), (VIET, Some(Encoding::Utf8)));
    }

    #[test]
    fn utf16_all_four_ways() {
        for (big_endian, bom, encoding) in [
            (false, true, Encoding::Utf16Le),
            (true, true, Encoding::Utf16Be),
            (false, false, Encoding::Utf16Le),
            (true, false, Encoding::Utf16Be),
        ] {
            let d = decode(&utf16(VIET, big_endian, bom), "a.txt").unwrap();
            assert_eq!(d.text, VIET, "{encoding:?} bom={bom}");
            assert_eq!(d.encoding, Some(encoding));
            assert!(!d.lossy);
            let codes: Vec<&str> = d.diagnostics.iter().map(|d| d.code.as_str()).collect();
            assert_eq!(codes, if bom { vec![] } else { vec!["decode.utf16_without_bom"] });
        }
    }

    #[test]
    fn truncated_utf16() {
        let mut bytes = utf16(VIET, false, true);
        bytes.pop();
        let d = decode(&bytes, "a.txt").unwrap();
        assert_eq!(d.text, VIET.trim_end_matches('\n'));
        assert!(d.lossy);
        assert!(d.diagnostics.iter().any(|d| d.code == "decode.truncated_utf16" && d.severity == Severity::Warning));
        // Cut between the two halves of a surrogate pair.
        let bytes = utf16("Điều 1 😀", true, true);
        let d = decode(&bytes[..bytes.len() - 2], "a.txt").unwrap();
        assert_eq!((d.text.as_str(), d.lossy), ("Điều 1 ", true));
        let e = decode(b"\xFF\xFE\x41", "a.txt").unwrap_err();
        assert_eq!(e.code(), "decode.truncated_utf16");
    }

    #[test]
    fn unsupported_formats_fail_with_their_name() {
        let e = decode(b"\x89PNG\r\n\x1A\n\0\0\0\rIHDR", "a.txt").unwrap_err();
        assert_eq!(e, DecodeError::UnsupportedFormat("PNG image"));
        assert_eq!(e.code(), "decode.unsupported_format");
        assert!(e.to_string().contains("PNG image"), "{e}");
    }

    #[test]
    fn containers_are_read_or_refused_with_a_reason() {
        let e = decode(b"%PDF-1.4\n", "a.txt").unwrap_err();
        assert_eq!(e.code(), "decode.truncated_pdf", "{e}");
        let e = decode(b"PK\x03\x04\x14\0\0\0word/document.xml", "a.txt").unwrap_err();
        assert_eq!(e.code(), "decode.docx_error", "{e}");
        let d = decode(b"<!DOCTYPE html><html><body>x</body></html>", "a.txt").unwrap();
        assert_eq!((d.text.as_str(), d.format), ("x\n\n", Format::Html));
    }

    #[test]
    fn junk_is_not_text() {
        for bytes in [
            vec![0xFF; 10_000],
            vec![0xFF],
            b"abc\0\0\0\x01\x02garbage\0".to_vec(),
            (0..=255u8).cycle().take(5000).collect(),
        ] {
            let e = decode(&bytes, "a.txt").unwrap_err();
            assert_eq!(e.code(), "decode.not_text", "{e}");
        }
    }

    #[test]
    fn legacy_encodings() {
        let d = decode(sniff::tests::VNI_SAMPLE, "a.txt").unwrap();
        assert_eq!((d.encoding, d.format), (Some(Encoding::Vni), Format::Text));
        assert!(d.text.starts_with("UỶ BAN NHÂN DÂN"), "{}", d.text);
        // 8-bit text that no Vietnamese encoding reads.
        let latin1: Vec<u8> =
            "Très élevé, à côté du château où était déjà né ".repeat(8).chars().map(|c| c as u8).collect();
        let e = decode(&latin1, "a.txt").unwrap_err();
        assert_eq!(e.code(), "decode.legacy_encoding");
        assert!(e.to_string().starts_with("8-bit text that reads as no known Vietnamese encoding"), "{e}");
        assert!(e.to_string().contains("the first at byte 2"), "{e}");
    }

    #[test]
    fn invalid_utf8_is_replaced_and_counted() {
        // One bad byte in a long text: a warning, not lossy.
        let mut long = VIET.repeat(100).into_bytes();
        long[7] = 0xC0;
        let d = decode(&long, "a.txt").unwrap();
        assert!(!d.lossy);
        assert_eq!(d.text.matches('\u{FFFD}').count(), 1);
        assert_eq!(d.diagnostics.len(), 1);
        assert_eq!(d.diagnostics[0].code, "decode.invalid_utf8");
        assert!(d.diagnostics[0].message.contains("1 invalid UTF-8 sequence replaced by U+FFFD, the first at byte 7"));
        // Ten bad bytes: material.
        let ascii: Vec<usize> = (0..long.len()).filter(|&i| long[i].is_ascii_alphabetic()).collect();
        for &i in ascii.iter().skip(50).step_by(100).take(10) {
            long[i] = 0xFF;
        }
        let d = decode(&long, "a.txt").unwrap();
        assert!(d.lossy);
        assert!(d.diagnostics[0].message.starts_with("11 invalid"), "{}", d.diagnostics[0].message);
        // Stray Latin-1 in ASCII text with a BOM: damage, offsets count the BOM.
        let d = decode(b"\xEF\xBB\xBFcaf\xE9", "a.txt").unwrap();
        assert_eq!(d.text, "caf\u{FFFD}");
        assert!(d.lossy && d.diagnostics[0].message.ends_with("at byte 6"));
    }

    #[test]
    fn empty_and_blank() {
        assert_eq!(decode(b"", "a.txt"), Err(DecodeError::Empty));
        assert_eq!(DecodeError::Empty.code(), "decode.empty_input");
        for blank in
            [&b" \r\n\t "[..], b"\xEF\xBB\xBF", b"\xEF\xBB\xBF\n\n", b"\xFF\xFE \0\n\0", b"\xEF\xBB\xBF\xEF\xBB\xBF"]
        {
            assert_eq!(decode(blank, "a.txt"), Err(DecodeError::NoText), "{blank:?}");
        }
        assert_eq!(DecodeError::NoText.code(), "decode.no_text");
    }

    #[test]
    fn markdown_format() {
        let d = decode("## KẾ HOẠCH\n\n**Thực hiện**\n\n### I. MỤC ĐÍCH\n".as_bytes(), "a.txt").unwrap();
        assert_eq!(d.format, Format::Markdown);
        let d = decode("KẾ HOẠCH\nThực hiện\n".as_bytes(), "a.md").unwrap();
        assert_eq!(d.format, Format::Markdown);
        let d = decode("KẾ HOẠCH\nThực hiện\n".as_bytes(), "a.txt").unwrap();
        assert_eq!(d.format, Format::Text);
    }

    proptest! {
        #[test]
        fn never_panics(
            bytes in proptest::collection::vec(any::<u8>(), 0..2048),
            name in "[a-z]{0,4}(\\.[a-z]{1,4})?",
        ) {
            let _ = decode(&bytes, &name);
            let _ = sniff(&bytes, &name);
        }

        #[test]
        fn never_panics_after_a_bom(
            bom in prop_oneof![
                Just(&b""[..]),
                Just(&b"\xEF\xBB\xBF"[..]),
                Just(&b"\xFF\xFE"[..]),
                Just(&b"\xFE\xFF"[..]),
            ],
            bytes in proptest::collection::vec(any::<u8>(), 0..512),
        ) {
            let input = [bom, &bytes].concat();
            if let Ok(d) = decode(&input, "a.md") {
                prop_assert!(!d.text.is_empty());
            }
        }

        #[test]
        fn never_panics_on_texty_bytes(bytes in proptest::collection::vec(
            prop_oneof![
                4 => 0x20u8..0x7F,
                1 => Just(0u8),
                1 => 0x80u8..=0xFF,
                1 => Just(b'\n'),
                1 => Just(0xFEu8),
                1 => Just(0xFFu8),
            ],
            0..512,
        )) {
            let _ = decode(&bytes, "a.txt");
        }

        #[test]
        fn utf8_decodes_to_itself(s in any::<String>(), bom in any::<bool>()) {
            let bytes = if bom { format!("\u{FEFF}{s}") } else { s.clone() };
            if let Ok(d) = decode(bytes.as_bytes(), "a.txt")
                && d.encoding == Some(Encoding::Utf8)
            {
                prop_assert_eq!(d.text, s);
                prop_assert!(d.diagnostics.is_empty() && !d.lossy);
            }
        }

        #[test]
        fn plain_utf8_text_decodes(
            s in "[a-zA-ZàáảãạăâđêôơưỦỲĐ0-9][^\\p{Cc}]{0,300}",
            bom in any::<bool>(),
        ) {
            let bytes = if bom { format!("\u{FEFF}{s}") } else { s.clone() };
            let d = decode(bytes.as_bytes(), "a.txt");
            prop_assert!(d.is_ok(), "{:?}", d);
            let d = d.unwrap();
            prop_assert_eq!(d.text, s);
            prop_assert_eq!(d.encoding, Some(Encoding::Utf8));
        }
    }
}
