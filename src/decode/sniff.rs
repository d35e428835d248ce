//! Format and encoding sniffing: what the bytes are, told from the bytes themselves.
//!
//! The checks run in this order, and the order matters:
//!
//! 1. empty input;
//! 2. UTF-32 byte-order marks (refused: not an encoding vanban reads);
//! 3. magic numbers of binary formats: PDF (`%PDF-` in the first 1024 bytes), ZIP/DOCX,
//!    OLE compound files (.doc), images, archives, executables, media;
//! 4. UTF-16: by its byte-order mark, or without one when the zero bytes of the first
//!    [`HEAD`] bytes sit at one parity and that head decodes cleanly; HTML in it is reported;
//! 5. binary junk: a NUL byte anywhere (in what is not UTF-16), or too many C0 control bytes
//!    in the first [`HEAD`] bytes;
//! 6. text-like formats in ASCII-compatible bytes: RTF, HTML, XML, PostScript;
//! 7. UTF-8 validation of the whole input with `simdutf8` (the one pass of the fast
//!    path); when that fails, damaged UTF-8 vs. a legacy 8-bit encoding vs. not text, see
//!    [`classify_non_utf8`].
//!
//! The file name only breaks ties: markdown vs. plain text (see [`text_format`]) and an HTML
//! fragment named `.html` that starts with a tag but has no `<html>`/`<head>`/`<body>`.

use crate::model::{Encoding, Format};
use memchr::memmem;

/// How many leading bytes the binary-junk and BOM-less UTF-16 heuristics look at.
pub(super) const HEAD: usize = 8 * 1024;
/// `%PDF-` may follow some junk; it must start within this many bytes.
const PDF_WINDOW: usize = 1024;
/// "Near the start" for HTML markers, in bytes (after a BOM and leading white space).
const HTML_WINDOW: usize = 1024;
/// How far into a ZIP archive to look for the names that tell DOCX from XLSX, ODT, EPUB …
const ZIP_WINDOW: usize = 64 * 1024;
/// Non-UTF-8 input is a legacy 8-bit encoding only with at least this many invalid sequences
/// (below it, a few stray bytes are replaced instead, see [`classify_non_utf8`]).
pub(super) const LEGACY_MIN_INVALID: usize = 8;
/// Non-UTF-8 input with more than this percentage of bytes >= 0x80 is not text at all: legacy
/// Vietnamese text has about 15-30% (one high byte per accented letter), 0xFF-filled has 100%.
const NOT_TEXT_HIGH_PERCENT: usize = 40;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// What the bytes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Sniffed {
    /// Text in this encoding; `bom` is the length of the byte-order mark to skip.
    Text {
        /// The encoding.
        encoding: Encoding,
        /// Bytes of BOM.
        bom: usize,
    },
    /// Text in a legacy 8-bit Vietnamese encoding (TCVN3, VNI, VISCII, Windows-1258) that is
    /// not told apart yet.
    Legacy,
    /// A document container format (PDF, DOCX, DOC, RTF, HTML).
    Container(Format),
    /// A known format that is not a document vanban will read (an image, an archive …), named.
    Unsupported(&'static str),
    /// Binary bytes that are not a known format.
    Binary,
    /// No bytes.
    Empty,
}

/// Sniff `bytes`; `path_hint` (the file name) only breaks ties.
///
/// This validates UTF-8 text in full (one pass), so the answer is the one [`decode`] acts on.
///
/// [`decode`]: super::decode
pub fn sniff(bytes: &[u8], path_hint: &str) -> Sniffed {
    match classify(bytes, path_hint) {
        Verdict::Empty => Sniffed::Empty,
        Verdict::Utf8 { bom, .. } | Verdict::Utf8Damaged { bom, .. } => Sniffed::Text { encoding: Encoding::Utf8, bom },
        Verdict::Utf16 { big_endian, bom, .. } => {
            Sniffed::Text { encoding: if big_endian { Encoding::Utf16Be } else { Encoding::Utf16Le }, bom }
        }
        Verdict::Legacy { .. } => Sniffed::Legacy,
        Verdict::Container(format) => Sniffed::Container(format),
        Verdict::Unsupported(name) => Sniffed::Unsupported(name),
        Verdict::NotText(_) => Sniffed::Binary,
    }
}

/// What [`classify`] found, with what decoding needs (the validated text, the body, the reason).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Verdict<'a> {
    /// No bytes.
    Empty,
    /// Valid UTF-8 after a `bom`-byte BOM.
    Utf8 { text: &'a str, bom: usize },
    /// Mostly UTF-8 with some invalid sequences, after a `bom`-byte BOM.
    Utf8Damaged { body: &'a [u8], bom: usize },
    /// UTF-16; `bom` is 0 when told without a byte-order mark.
    Utf16 { big_endian: bool, body: &'a [u8], bom: usize },
    /// A legacy 8-bit encoding: `invalid` non-UTF-8 sequences, the first at byte `first`.
    Legacy { invalid: usize, first: usize },
    /// A document container.
    Container(Format),
    /// A named format vanban does not read.
    Unsupported(&'static str),
    /// Not text, and why.
    NotText(String),
}

/// Tell what `bytes` are; see the module documentation for the order of the checks.
pub(super) fn classify<'a>(bytes: &'a [u8], path_hint: &str) -> Verdict<'a> {
    if bytes.is_empty() {
        return Verdict::Empty;
    }
    if bytes.starts_with(&[0xFF, 0xFE, 0, 0]) || bytes.starts_with(&[0, 0, 0xFE, 0xFF]) {
        return Verdict::Unsupported("UTF-32 text");
    }
    if let Some(verdict) = binary_magic(bytes) {
        return verdict;
    }

    let utf16 = if bytes.starts_with(&[0xFF, 0xFE]) {
        Some((false, 2))
    } else if bytes.starts_with(&[0xFE, 0xFF]) {
        Some((true, 2))
    } else {
        guess_utf16(bytes).map(|big_endian| (big_endian, 0))
    };
    if let Some((big_endian, bom)) = utf16 {
        let body = &bytes[bom..];
        if looks_html(utf16_head(body, big_endian).as_bytes(), path_hint) {
            return Verdict::Container(Format::Html);
        }
        return Verdict::Utf16 { big_endian, body, bom };
    }

    if let Some(at) = memchr::memchr(0, bytes) {
        return Verdict::NotText(format!("NUL byte at offset {at} and the input is not UTF-16"));
    }
    let bom = if bytes.starts_with(UTF8_BOM) { UTF8_BOM.len() } else { 0 };
    let body = &bytes[bom..];
    let head = &body[..body.len().min(HEAD)];
    let controls = count_junk_controls(head);
    if too_many_controls(controls, head.len()) {
        return Verdict::NotText(format!("{controls} control bytes in the first {} bytes", head.len()));
    }
    if let Some(verdict) = textual_magic(body, path_hint) {
        return verdict;
    }
    // SIMD validation: several times std's speed on Vietnamese text, the same answer.
    match simdutf8::basic::from_utf8(body) {
        Ok(text) => Verdict::Utf8 { text, bom },
        Err(_) => classify_non_utf8(body, bom),
    }
}

/// C0 control bytes (and DEL) that plain text does not hold; tab, line feed, vertical tab,
/// form feed (pdftotext's page break) and carriage return are text.
const fn is_junk_control(b: u8) -> bool {
    // Without branches (`\t` to `\r` are 9 to 13), so that a count over a block is vector code.
    (b < 0x20) & ((b < b'\t') | (b > b'\r')) | (b == 0x7F)
}

/// How many bytes of `head` are [`is_junk_control`]: counted per block of 255 in a byte, which
/// the compiler does 16 or 32 bytes at a time.
fn count_junk_controls(head: &[u8]) -> usize {
    (head.chunks(255)).map(|block| usize::from(block.iter().fold(0u8, |n, &b| n + u8::from(is_junk_control(b))))).sum()
}

/// Binary when more than 2% of the sample are junk controls, with a slack of 4 so that a very
/// short file with a stray control byte (a DOS end-of-file 0x1A) is still text.
const fn too_many_controls(controls: usize, len: usize) -> bool {
    controls > 4 + len / 50
}

/// The input is not valid UTF-8 (nor UTF-16). Decide between three readings:
///
/// * **not text** when the invalid sequences outnumber the valid non-ASCII characters and more
///   than [`NOT_TEXT_HIGH_PERCENT`]% of the bytes are >= 0x80 (a 0xFF-filled file, random bytes);
/// * **legacy 8-bit encoding** (TCVN3, VNI, VISCII, Windows-1258) when the invalid sequences
///   outnumber the valid non-ASCII characters and there are at least [`LEGACY_MIN_INVALID`] of
///   them, and there is no UTF-8 BOM. Vietnamese text in an 8-bit encoding has a high byte in
///   most words and these almost never form valid UTF-8 by accident, so the valid non-ASCII count
///   stays near zero; real UTF-8 Vietnamese has one valid non-ASCII character in most words, so
///   even heavy damage leaves the valid ones ahead;
/// * otherwise **damaged UTF-8**: each invalid sequence becomes U+FFFD (this includes ASCII text
///   with fewer than 8 stray high bytes, where replacing loses less than refusing).
fn classify_non_utf8(body: &[u8], bom: usize) -> Verdict<'_> {
    let mut invalid = 0usize;
    let mut valid_non_ascii = 0usize;
    let mut first = None;
    let mut pos = 0usize;
    for chunk in body.utf8_chunks() {
        valid_non_ascii += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        pos += chunk.valid().len();
        if !chunk.invalid().is_empty() {
            invalid += 1;
            first.get_or_insert(bom + pos);
            pos += chunk.invalid().len();
        }
    }
    let first = first.unwrap_or(bom);
    let high = body.iter().filter(|&&b| b >= 0x80).count();
    if invalid > valid_non_ascii {
        if high.saturating_mul(100) > body.len().saturating_mul(NOT_TEXT_HIGH_PERCENT) {
            return Verdict::NotText(format!("{high} of {} bytes are >= 0x80 and do not form UTF-8", body.len()));
        }
        if invalid >= LEGACY_MIN_INVALID && bom == 0 {
            return Verdict::Legacy { invalid, first };
        }
    }
    Verdict::Utf8Damaged { body, bom }
}

/// Binary formats told by their magic number.
fn binary_magic(bytes: &[u8]) -> Option<Verdict<'static>> {
    let at = |offset: usize, magic: &[u8]| bytes.get(offset..).is_some_and(|b| b.starts_with(magic));
    let unsupported = |name| Some(Verdict::Unsupported(name));
    if memmem::find(&bytes[..bytes.len().min(PDF_WINDOW)], b"%PDF-").is_some() {
        return Some(Verdict::Container(Format::Pdf));
    }
    if at(0, b"PK\x03\x04") || at(0, b"PK\x05\x06") || at(0, b"PK\x07\x08") {
        return Some(zip_kind(bytes));
    }
    if at(0, b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") {
        return Some(Verdict::Container(Format::Doc));
    }
    if at(0, b"\x89PNG\r\n\x1A\n") {
        return unsupported("PNG image");
    }
    if at(0, b"\xFF\xD8\xFF") {
        return unsupported("JPEG image");
    }
    if at(0, b"GIF87a") || at(0, b"GIF89a") {
        return unsupported("GIF image");
    }
    if at(0, b"II*\0") || at(0, b"MM\0*") {
        return unsupported("TIFF image");
    }
    if at(0, b"BM") && bytes.get(6..10) == Some(&[0, 0, 0, 0]) {
        return unsupported("BMP image");
    }
    if at(0, b"RIFF") {
        if at(8, b"WEBP") {
            return unsupported("WebP image");
        }
        if at(8, b"WAVE") {
            return unsupported("WAV audio");
        }
        if at(8, b"AVI ") {
            return unsupported("AVI video");
        }
    }
    if at(0, b"\x1F\x8B") {
        return unsupported("gzip archive");
    }
    if at(0, b"BZh") && at(4, b"\x31\x41\x59\x26\x53\x59") {
        return unsupported("bzip2 archive");
    }
    if at(0, b"\xFD7zXZ\0") {
        return unsupported("xz archive");
    }
    if at(0, b"7z\xBC\xAF\x27\x1C") {
        return unsupported("7-Zip archive");
    }
    if at(0, b"Rar!\x1A\x07") {
        return unsupported("RAR archive");
    }
    if at(0, b"\x28\xB5\x2F\xFD") {
        return unsupported("Zstandard archive");
    }
    if at(257, b"ustar") {
        return unsupported("tar archive");
    }
    if at(0, b"\x7FELF") {
        return unsupported("ELF executable");
    }
    if at(0, b"MZ") && bytes.len() >= 64 && bytes[..64].contains(&0) {
        return unsupported("Windows executable");
    }
    if at(0, b"SQLite format 3\0") {
        return unsupported("SQLite database");
    }
    if at(0, b"OggS") {
        return unsupported("Ogg media");
    }
    if at(0, b"fLaC") {
        return unsupported("FLAC audio");
    }
    if at(0, b"ID3") && bytes.get(3).is_some_and(|v| (2..=4).contains(v)) && bytes.get(4) == Some(&0) {
        return unsupported("MP3 audio");
    }
    if at(4, b"ftyp") {
        return unsupported("MP4/QuickTime media");
    }
    None
}

/// A ZIP archive: DOCX unless the entry names near the start say another kind.
fn zip_kind(bytes: &[u8]) -> Verdict<'static> {
    let head = &bytes[..bytes.len().min(ZIP_WINDOW)];
    let has = |needle: &[u8]| memmem::find(head, needle).is_some();
    if has(b"word/") {
        Verdict::Container(Format::Docx)
    } else if has(b"mimetypeapplication/vnd.oasis.opendocument.text") {
        Verdict::Unsupported("ODT (OpenDocument text)")
    } else if has(b"mimetypeapplication/vnd.oasis.opendocument") {
        Verdict::Unsupported("OpenDocument")
    } else if has(b"mimetypeapplication/epub+zip") {
        Verdict::Unsupported("EPUB")
    } else if has(b"xl/") {
        Verdict::Unsupported("XLSX spreadsheet")
    } else if has(b"ppt/") {
        Verdict::Unsupported("PPTX presentation")
    } else {
        // Word writes `word/document.xml` among the first entries, but other writers may not:
        // an unknown archive is left to the DOCX reader to refuse.
        Verdict::Container(Format::Docx)
    }
}

/// Text-like formats in ASCII-compatible bytes (after the UTF-8 BOM, if any).
fn textual_magic(body: &[u8], path_hint: &str) -> Option<Verdict<'static>> {
    let start = body.trim_ascii_start();
    if start.starts_with(b"{\\rtf") {
        return Some(Verdict::Container(Format::Rtf));
    }
    if looks_html(body, path_hint) {
        return Some(Verdict::Container(Format::Html));
    }
    if start.starts_with(b"<?xml") {
        return Some(Verdict::Unsupported("XML"));
    }
    if start.starts_with(b"%!PS") {
        return Some(Verdict::Unsupported("PostScript"));
    }
    None
}

/// HTML: after an optional BOM, white space, an XML declaration and comments, `<!DOCTYPE html`
/// or `<html`; or a `<head>`/`<body>` tag within the first [`HTML_WINDOW`] bytes; or (the file
/// name breaking the tie) a `.html`/`.htm` file that starts with a tag. Case-insensitive.
/// Fragments such as `<b>` or `<p>` in table cells of a text file are not HTML.
fn looks_html(bytes: &[u8], path_hint: &str) -> bool {
    let bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes).trim_ascii_start();
    let lower = bytes[..bytes.len().min(HTML_WINDOW)].to_ascii_lowercase();
    let mut rest = lower.as_slice();
    loop {
        rest = rest.trim_ascii_start();
        let skip = if rest.starts_with(b"<?xml") {
            memmem::find(rest, b"?>").map(|i| i + 2)
        } else if rest.starts_with(b"<!--") {
            memmem::find(rest, b"-->").map(|i| i + 3)
        } else {
            None
        };
        match skip {
            Some(n) => rest = &rest[n..],
            None => break,
        }
    }
    if rest.starts_with(b"<!doctype html") || tag_at(rest, b"<html") {
        return true;
    }
    if has_tag(&lower, b"<head") || has_tag(&lower, b"<body") {
        return true;
    }
    rest.starts_with(b"<") && matches!(extension(path_hint).as_deref(), Some("html" | "htm" | "xhtml"))
}

/// `hay` starts with the opening tag `tag` (`<html`, not `<htmlx`).
fn tag_at(hay: &[u8], tag: &[u8]) -> bool {
    hay.starts_with(tag) && hay.get(tag.len()).is_none_or(|&b| b == b'>' || b == b'/' || b.is_ascii_whitespace())
}

/// `hay` holds the opening tag `tag` somewhere (`<head>`, not `<header>`).
fn has_tag(hay: &[u8], tag: &[u8]) -> bool {
    memmem::find_iter(hay, tag).any(|i| tag_at(&hay[i..], tag))
}

/// The first [`HTML_WINDOW`] bytes' worth of UTF-16 `body`, decoded leniently.
fn utf16_head(body: &[u8], big_endian: bool) -> String {
    let head = &body[..body.len().min(2 * HTML_WINDOW)];
    char::decode_utf16(units(head, big_endian)).map(|r| r.unwrap_or('\u{FFFD}')).collect()
}

/// The 16-bit code units of `bytes` (a trailing odd byte is ignored).
pub(super) fn units(bytes: &[u8], big_endian: bool) -> impl Iterator<Item = u16> + '_ {
    bytes.chunks_exact(2).map(move |p| {
        let pair = [p[0], p[1]];
        if big_endian { u16::from_be_bytes(pair) } else { u16::from_le_bytes(pair) }
    })
}

/// UTF-16 without a byte-order mark: `Some(big_endian)` when, in the first [`HEAD`] bytes, at
/// least a quarter of the code units have a zero byte at one parity (ASCII and Latin-1 letters,
/// spaces, line ends: most of a Vietnamese text), the other parity has at most a quarter as many
/// zeros (combining marks such as U+0300 give a few), and the head decodes cleanly: no unpaired
/// surrogate (but one cut at the end of the sample) and no more control characters than
/// [`too_many_controls`] allows (U+0000 counts as one).
fn guess_utf16(bytes: &[u8]) -> Option<bool> {
    let n = bytes.len().min(HEAD) & !1;
    let head = &bytes[..n];
    if n < 4 || memchr::memchr(0, head).is_none() {
        return None;
    }
    let (mut zero_even, mut zero_odd) = (0usize, 0usize);
    for pair in head.chunks_exact(2) {
        zero_even += usize::from(pair[0] == 0);
        zero_odd += usize::from(pair[1] == 0);
    }
    let pairs = n / 2;
    let big_endian = if zero_odd * 4 >= pairs && zero_even * 4 <= zero_odd {
        false
    } else if zero_even * 4 >= pairs && zero_odd * 4 <= zero_even {
        true
    } else {
        return None;
    };
    let last = units(head, big_endian).last();
    let mut errors = 0usize;
    let mut controls = 0usize;
    let mut chars = 0usize;
    for r in char::decode_utf16(units(head, big_endian)) {
        match r {
            Ok(c) => {
                chars += 1;
                controls += usize::from(u8::try_from(c).is_ok_and(is_junk_control));
            }
            Err(_) => errors += 1,
        }
    }
    if last.is_some_and(|u| (0xD800..0xDC00).contains(&u)) {
        errors = errors.saturating_sub(1);
    }
    (errors == 0 && !too_many_controls(controls, chars)).then_some(big_endian)
}

/// The lower-case extension of the file name, if any.
fn extension(path_hint: &str) -> Option<String> {
    std::path::Path::new(path_hint).extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase)
}

/// How much of a text [`text_format`] reads; it stops earlier once it has enough evidence.
const MARKDOWN_SCAN: usize = 256 * 1024;
/// Points of markdown evidence that make a text markdown whatever its name.
const MARKDOWN_POINTS: usize = 3;

/// Markdown or plain text, from the decoded `text`.
///
/// Points of evidence: two per ATX heading line (`#`..`######`, a space and text, up to three
/// spaces of indent), one per `**bold**` pair (two `**`), one per opening inline HTML tag (`<b>`,
/// `<p>`, `<br>`, `<td>` …, which converters leave in markdown-ish text), and three per
/// pipe-table separator line (`|---|---|`: decisive). [`MARKDOWN_POINTS`] points make markdown
/// (two headings; a heading and a bold pair; three bold pairs …); fewer (one stray `**…**` as in
/// seed 003, a lone heading) leave the tie to the file name: `.md`/`.markdown` is markdown,
/// anything else plain text.
pub(super) fn text_format(text: &str, path_hint: &str) -> Format {
    let mut end = text.len().min(MARKDOWN_SCAN);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let scan = &text[..end];
    let bytes = scan.as_bytes();
    // Whole-window passes (SIMD) for what may sit anywhere in a line, each stopping once
    // the text has enough points …
    let mut points = memmem::find_iter(bytes, b"**").take(2 * MARKDOWN_POINTS).count() / 2;
    if points < MARKDOWN_POINTS {
        points += (memchr::memchr_iter(b'<', bytes).filter(|&i| is_html_fragment(&bytes[i + 1..])))
            .take(MARKDOWN_POINTS - points)
            .count();
    }
    // … and a look at the first bytes of each line for headings and table separators.
    let mut start = 0;
    for stop in memchr::memchr_iter(b'\n', bytes).chain(std::iter::once(bytes.len())) {
        if points >= MARKDOWN_POINTS {
            return Format::Markdown;
        }
        let line = &scan[start..stop];
        start = stop + 1;
        match line.trim_start_matches(' ').as_bytes().first() {
            Some(b'#') if is_heading(line) => points += 2,
            Some(b'|' | b'-' | b':') if is_table_separator(line) => points += 3,
            _ => {}
        }
    }
    if points >= MARKDOWN_POINTS {
        return Format::Markdown;
    }
    match extension(path_hint).as_deref() {
        Some("md" | "markdown") => Format::Markdown,
        _ => Format::Text,
    }
}

/// `#`..`######`, a space and some text, after at most three spaces. A tab after the hashes
/// does not count: `#\t` is the "No." column of the tab-separated tables converters emit (seed
/// 003 has a dozen such rows and is plain text).
fn is_heading(line: &str) -> bool {
    let trimmed = line.trim_start_matches(' ');
    if line.len() - trimmed.len() > 3 {
        return false;
    }
    let hashes = trimmed.bytes().take_while(|&b| b == b'#').count();
    (1..=6).contains(&hashes) && trimmed[hashes..].strip_prefix(' ').is_some_and(|rest| !rest.trim().is_empty())
}

/// A pipe-table delimiter row: only `|`, `-`, `:` and blanks, with a `|` and at least 3 `-`.
fn is_table_separator(line: &str) -> bool {
    let t = line.trim();
    t.contains('|')
        && t.bytes().filter(|&b| b == b'-').count() >= 3
        && t.bytes().all(|b| matches!(b, b'|' | b'-' | b':' | b' ' | b'\t'))
}

/// `after` (what follows a `<`) opens an inline HTML tag that converters leave in
/// markdown-ish text: `b>`, `br/>`, `td colspan=2>` … Closing tags are not counted again.
fn is_html_fragment(after: &[u8]) -> bool {
    const TAGS: [&[u8]; 16] = [
        b"b", b"i", b"u", b"p", b"br", b"strong", b"em", b"sup", b"sub", b"span", b"div", b"ul", b"ol", b"li", b"td",
        b"tr",
    ];
    TAGS.iter().any(|tag| {
        after.len() > tag.len()
            && after[..tag.len()].eq_ignore_ascii_case(tag)
            && matches!(after[tag.len()], b'>' | b' ' | b'/')
    })
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    #[test]
    fn boms() {
        assert_eq!(sniff(b"\xEF\xBB\xBFabc", "x"), Sniffed::Text { encoding: Encoding::Utf8, bom: 3 });
        assert_eq!(sniff(b"\xFF\xFEa\0", "x"), Sniffed::Text { encoding: Encoding::Utf16Le, bom: 2 });
        assert_eq!(sniff(b"\xFE\xFF\0a", "x"), Sniffed::Text { encoding: Encoding::Utf16Be, bom: 2 });
        assert_eq!(sniff(b"abc", "x"), Sniffed::Text { encoding: Encoding::Utf8, bom: 0 });
        assert_eq!(sniff(b"\xFF\xFE\0\0a\0\0\0", "x"), Sniffed::Unsupported("UTF-32 text"));
    }

    #[test]
    fn utf16_without_bom() {
        let text = "Điều 1. Phạm vi điều chỉnh\nQuy chế này quy định về tổ chức.\n";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(sniff(&le, "a.txt"), Sniffed::Text { encoding: Encoding::Utf16Le, bom: 0 });
        assert_eq!(sniff(&be, "a.txt"), Sniffed::Text { encoding: Encoding::Utf16Be, bom: 0 });
        // Zeros at both parities: not UTF-16 but NUL-laden junk.
        assert_eq!(sniff(&[0, 0, 1, 0, 0, 0, 2, 0, 0, 0], "a"), Sniffed::Binary);
        // Zeros at one parity but control characters: binary, not UTF-16.
        let junk: Vec<u8> = (0..200u8).flat_map(|i| [i % 20 + 1, 0]).collect();
        assert_eq!(sniff(&junk, "a"), Sniffed::Binary);
    }

    #[test]
    fn magic_numbers() {
        assert_eq!(sniff(b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj", "a.txt"), Sniffed::Container(Format::Pdf));
        let mut late_pdf = vec![b' '; 600];
        late_pdf.extend_from_slice(b"%PDF-1.4\n");
        assert_eq!(sniff(&late_pdf, "a"), Sniffed::Container(Format::Pdf));
        let docx = b"PK\x03\x04\x14\0\x06\0\x08\0\0\0!\0[Content_Types].xml PK\x03\x04 word/document.xml";
        assert_eq!(sniff(docx, "a.docx"), Sniffed::Container(Format::Docx));
        assert_eq!(sniff(b"PK\x03\x04\x14\0\0\0xl/workbook.xml", "a"), Sniffed::Unsupported("XLSX spreadsheet"));
        assert_eq!(sniff(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0\0\0", "a.doc"), Sniffed::Container(Format::Doc));
        assert_eq!(sniff(b"{\\rtf1\\ansi\\deff0 {\\fonttbl}}", "a.rtf"), Sniffed::Container(Format::Rtf));
        assert_eq!(sniff(b"\xEF\xBB\xBF\r\n{\\rtf1}", "a"), Sniffed::Container(Format::Rtf));
        assert_eq!(sniff(b"\x89PNG\r\n\x1A\n\0\0\0\rIHDR", "a.txt"), Sniffed::Unsupported("PNG image"));
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0\0\x10JFIF", "a"), Sniffed::Unsupported("JPEG image"));
        assert_eq!(sniff(b"\x1F\x8B\x08\0\0\0\0\0", "a.txt.gz"), Sniffed::Unsupported("gzip archive"));
        assert_eq!(sniff(b"GIF89a\x01\0", "a"), Sniffed::Unsupported("GIF image"));
        assert_eq!(sniff(b"<?xml version=\"1.0\"?><root/>", "a"), Sniffed::Unsupported("XML"));
    }

    #[test]
    fn html() {
        for html in [
            &b"<!DOCTYPE html>\n<html lang=\"vi\"><head>"[..],
            b"\xEF\xBB\xBF  \n<!doctype HTML><p>x",
            b"<HTML>\n<BODY>x</BODY></HTML>",
            b"<?xml version=\"1.0\"?>\n<!-- c -->\n<html xmlns=\"http://www.w3.org/1999/xhtml\">",
            b"<meta charset=\"utf-8\">\n<title>x</title>\n<body>\nVan ban",
            b"  <div>fragment</div>",
        ] {
            let name = if html.ends_with(b"</div>") { "a.html" } else { "a.txt" };
            assert_eq!(sniff(html, name), Sniffed::Container(Format::Html), "{:?}", String::from_utf8_lossy(html));
        }
        let utf16: Vec<u8> =
            [0xFEFF].into_iter().chain("<!DOCTYPE html><html>".encode_utf16()).flat_map(u16::to_le_bytes).collect();
        assert_eq!(sniff(&utf16, "a"), Sniffed::Container(Format::Html));
        // Markdown-ish text with HTML fragments in table cells (seed 001) is not HTML.
        let md = "Số: 525 /KH-UBND\n\n**KẾ HOẠCH**\n\n<b>I</b>\t<b>Phát triển Chính quyền số</b>\n\
                  \t<p>phục vụ</p>\t<p>x</p>\n";
        assert_eq!(sniff(md.as_bytes(), "a.txt"), Sniffed::Text { encoding: Encoding::Utf8, bom: 0 });
        assert_eq!(sniff(b"<b>I</b> <header>x</header>", "a.txt"), Sniffed::Text { encoding: Encoding::Utf8, bom: 0 });
    }

    #[test]
    fn junk_controls_counted_in_blocks() {
        let plain = |b: u8| (b < 0x20 && !matches!(b, b'\t' | b'\n' | 0x0B | 0x0C | b'\r')) || b == 0x7F;
        assert!((0..=255u8).all(|b| is_junk_control(b) == plain(b)));
        let bytes: Vec<u8> = (0..9000u32).map(|i| (i * 7 % 256) as u8).collect();
        for n in [0, 1, 254, 255, 256, 511, 8192, 9000] {
            assert_eq!(count_junk_controls(&bytes[..n]), bytes[..n].iter().filter(|&&b| plain(b)).count(), "{n}");
        }
    }

    #[test]
    fn junk() {
        assert_eq!(sniff(&[0xFF; 4096], "a.txt"), Sniffed::Binary);
        assert_eq!(sniff(&[0xFF; 3], "a.txt"), Sniffed::Binary);
        assert_eq!(sniff(b"text\0more text", "a.txt"), Sniffed::Binary);
        let controls: Vec<u8> = (0..400u32).map(|i| if i % 10 == 0 { 0x01 } else { b'a' }).collect();
        assert_eq!(sniff(&controls, "a.txt"), Sniffed::Binary);
        // A stray DOS end-of-file byte is not junk.
        assert_eq!(sniff(b"Hello\r\n\x1A", "a.txt"), Sniffed::Text { encoding: Encoding::Utf8, bom: 0 });
    }

    #[test]
    fn legacy_vs_damaged() {
        assert_eq!(sniff(VNI_SAMPLE, "a.txt"), Sniffed::Legacy);
        // A few stray high bytes in ASCII text are replaced, not refused.
        assert_eq!(sniff(b"caf\xE9 au lait", "a.txt"), Sniffed::Text { encoding: Encoding::Utf8, bom: 0 });
        // UTF-8 Vietnamese with damage stays UTF-8.
        let mut damaged = "Điều 1. Phạm vi điều chỉnh của Quy chế này ".repeat(4).into_bytes();
        for i in [3, 30, 60, 90, 120, 150, 170] {
            damaged[i] = 0xFF;
        }
        assert_eq!(sniff(&damaged, "a.txt"), Sniffed::Text { encoding: Encoding::Utf8, bom: 0 });
    }

    /// The first lines of `dev/032_camau-quydinh-doi-kiemtra-814-2006_vni-bytes_crlf.txt`.
    pub(in crate::decode) const VNI_SAMPLE: &[u8] = b"UY\xdb BAN NHA\xc2N DA\xc2N \t    \t  CO\xc4NG HOA\xd8 XA\xd5 HO\xc4I CHU\xdb NGH\xd3A VIE\xc4T NAM\r\n     T\xc6NH CA\xd8 MAU\t\t\t \t         \xd1o\xe4c la\xe4p \x96 T\xf6\xef do \x96 Ha\xefnh phu\xf9c\r\n\r\n\r\nQUY \xd1\xd2NH \r\nVE\xc0 CH\xd6\xd9C NA\xcaNG, NHIE\xc4M VU\xcf, QUYE\xc0N HA\xcfN VA\xd8 C\xd4 CA\xc1U TO\xc5 CH\xd6\xd9C\r\n";

    #[test]
    fn markdown_vs_text() {
        assert_eq!(text_format("## KẾ HOẠCH\n\n### I. MỤC ĐÍCH\n", "a.txt"), Format::Markdown);
        assert_eq!(text_format("**KẾ HOẠCH**\n**Chuyển đổi số**\n**2023**\n", "a.txt"), Format::Markdown);
        assert_eq!(text_format("| A | B |\n|---|---|\n| 1 | 2 |\n", "a.txt"), Format::Markdown);
        assert_eq!(text_format("x\n<b>I</b>\t<b>y</b>\n<p>a</p>\n<br/>\n", "a.txt"), Format::Markdown);
        // One bold line (seed 003) is not enough; the file name breaks the tie.
        let one = "KẾ HOẠCH\n1. **Tổng kinh phí: 185,083 tỷ đồng, trong đó:**\n- a\n";
        assert_eq!(text_format(one, "a.txt"), Format::Text);
        assert_eq!(text_format(one, "a.md"), Format::Markdown);
        assert_eq!(text_format("Điều 1. Phạm vi\n", "dir/A.MARKDOWN"), Format::Markdown);
        assert_eq!(text_format("Điều 1. Phạm vi\n", "a.txt"), Format::Text);
        // Not headings: no space after the hashes, seven hashes, indented four spaces.
        assert_eq!(text_format("#1\n####### x\n    # x\n#tag\n#\tx\n# \n#\t\t\n", "a.txt"), Format::Text);
        assert!(!is_table_separator("a | b --- c"));
        assert!(is_table_separator(" :---|:---: |"));
    }

    #[test]
    fn corpus_seeds() {
        let dir = std::path::Path::new("/work/shared/corpus");
        let cases = [
            ("seeds/000_2085c6b71fa0b3ee.txt", Format::Markdown),
            ("seeds/001_5cca675edecf9f94.txt", Format::Markdown),
            ("seeds/002_87269858c6d15d9c.txt", Format::Text),
            ("seeds/003_bfbd08b261ba9875.txt", Format::Text),
            ("seeds/004_86f8ac647726014a.txt", Format::Markdown),
            ("dev/008_ddqh-KH3260-2025-trienkhai-NQ57.md", Format::Markdown),
            ("dev/016_laocai-UBND-CV5973-2026-khoangsan_pdftotext-footnotes.txt", Format::Text),
        ];
        for (name, want) in cases {
            let Ok(bytes) = std::fs::read(dir.join(name)) else {
                continue;
            };
            let Verdict::Utf8 { text, .. } = classify(&bytes, name) else { panic!("{name}: not UTF-8") };
            assert_eq!(text_format(text, name), want, "{name}");
            // The name must not be what decides.
            assert_eq!(text_format(text, "x.txt"), want, "{name} as .txt");
        }
        if let Ok(bytes) = std::fs::read(dir.join("dev/032_camau-quydinh-doi-kiemtra-814-2006_vni-bytes_crlf.txt")) {
            assert_eq!(sniff(&bytes, "a.txt"), Sniffed::Legacy);
        }
    }
}
