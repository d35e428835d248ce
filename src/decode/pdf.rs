//! PDF: the text layer, page by page, checked before it is trusted.
//!
//! The steps, each in its own module:
//!
//! 1. [`backend`]: a [`PdfBackend`](backend::PdfBackend) turns the bytes into positioned glyphs
//!    per page. It runs in a thread of its own with a deadline, under `catch_unwind`, after the
//!    input size was checked, so a PDF that panics or loops inside the library gives a `failed`
//!    record (`decode.pdf_panic`, `decode.pdf_timeout`, `decode.pdf_error`), never a crash or a
//!    stalled batch. A page that fails alone is dropped and named (`partial`).
//! 2. [`lines`]: glyphs become lines, lines a reading order (columns, table rows), and wrapped
//!    lines are joined into paragraphs.
//! 3. [`furniture`]: running headers and footers and page numbers are removed
//!    (`decode.page_furniture_removed`).
//! 4. Every page is checked to read as Vietnamese ([`super::garbled`]): a garbled page (broken
//!    ToUnicode maps, a legacy 8-bit font encoding) is dropped and named
//!    (`decode.garbled_text_layer`, `partial`); when every page is garbled the record fails with
//!    that code and no text. Garbage is never passed on as text.
//!
//! The pages' texts are joined by line breaks; [`Decoded::page_starts`] says where each page
//! starts.

mod backend;
mod furniture;
mod lines;
mod ruled;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use backend::{BackendError, Budget, PageFailure, PdfBackend, PdfExtract, RawPage, panic_message};

use super::garbled::{self, Assessment};
use super::{DecodeError, Decoded};
use crate::model::{Diagnostic, Format, Severity};

/// Larger inputs are refused (`decode.input_too_large`) before any parsing.
pub(crate) const MAX_BYTES: usize = 256 << 20;
/// Pages after this many are not read (`decode.pdf_pages_clipped`).
const MAX_PAGES: usize = 5_000;
/// Glyphs after this many on one page are dropped (`decode.pdf_pages_clipped`).
const MAX_GLYPHS_PER_PAGE: usize = 400_000;
/// Time allowed for extraction: a base plus an allowance per megabyte.
const BASE_TIME: Duration = Duration::from_secs(30);
const TIME_PER_MB: Duration = Duration::from_secs(2);
/// Stack of the extraction thread: lopdf and pdf-extract recurse on nested objects.
const STACK_BYTES: usize = 64 << 20;

/// The backend in use.
static BACKEND: PdfExtract = PdfExtract;

/// Decode the PDF in `bytes`.
///
/// # Errors
/// A [`DecodeError`] when no usable text comes out: too large, unreadable, encrypted, truncated
/// beyond repair, no text layer, garbled text layer, or the backend panicked or ran out of time.
pub(super) fn decode(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    decode_with(&BACKEND, bytes, time_budget(bytes.len()))
}

fn time_budget(len: usize) -> Duration {
    BASE_TIME + TIME_PER_MB * u32::try_from(len >> 20).unwrap_or(u32::MAX / 4).min(300)
}

fn decode_with(backend: &'static dyn PdfBackend, bytes: &[u8], time: Duration) -> Result<Decoded, DecodeError> {
    if bytes.len() > MAX_BYTES {
        return Err(DecodeError::TooLarge { format: "PDF", bytes: bytes.len(), limit: MAX_BYTES });
    }
    let truncated = looks_truncated(bytes);
    let (raw, declared) = match run_guarded(backend, bytes, time) {
        Ok(done) => done,
        Err(Guarded::Backend(BackendError::Encrypted(why))) => return Err(DecodeError::EncryptedPdf(why)),
        Err(Guarded::Backend(BackendError::Malformed(why))) if truncated => {
            return Err(DecodeError::TruncatedPdf(format!("the file ends before its end-of-file marker ({why})")));
        }
        Err(Guarded::Backend(BackendError::Malformed(why))) => return Err(DecodeError::PdfError(why)),
        Err(Guarded::Backend(BackendError::OutOfTime) | Guarded::TimedOut) => {
            return Err(DecodeError::PdfTimeout(time.as_secs()));
        }
        Err(Guarded::Panicked(why)) => return Err(DecodeError::PdfPanic(format!("{}: {why}", backend.name()))),
    };
    assemble(raw, declared, truncated)
}

/// What running the backend can end in besides a result.
enum Guarded {
    Backend(BackendError),
    Panicked(String),
    TimedOut,
}

type Extracted = (Vec<RawPage>, usize);

/// Run the backend in a thread of its own, under `catch_unwind`, and wait at most `time` (plus a
/// grace period) for it. On a time-out the thread is left to stop at its own deadline check.
fn run_guarded(backend: &'static dyn PdfBackend, bytes: &[u8], time: Duration) -> Result<Extracted, Guarded> {
    let budget =
        Budget { deadline: Instant::now() + time, max_pages: MAX_PAGES, max_glyphs_per_page: MAX_GLYPHS_PER_PAGE };
    let guarded = move |bytes: &[u8]| -> Result<Extracted, Guarded> {
        match catch_unwind(AssertUnwindSafe(|| backend.extract(bytes, &budget))) {
            Ok(Ok(done)) => Ok(done),
            Ok(Err(e)) => Err(Guarded::Backend(e)),
            Err(panic) => Err(Guarded::Panicked(panic_message(panic.as_ref()))),
        }
    };
    let owned: Arc<[u8]> = Arc::from(bytes);
    let (tx, rx) = mpsc::sync_channel(1);
    let spawned = std::thread::Builder::new().name("vanban-pdf".to_owned()).stack_size(STACK_BYTES).spawn({
        let owned = Arc::clone(&owned);
        move || {
            // The receiver may be gone after a time-out: nothing to report to.
            let _ = tx.send(guarded(&owned));
        }
    });
    if spawned.is_err() {
        // No thread to be had (resource limits): run here, still under catch_unwind.
        return guarded(&owned);
    }
    match rx.recv_timeout(time + Duration::from_secs(5)) {
        Ok(result) => result,
        Err(mpsc::RecvTimeoutError::Timeout) => Err(Guarded::TimedOut),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            Err(Guarded::Panicked("the extraction thread stopped without an answer".to_owned()))
        }
    }
}

/// No `%%EOF` near the end: the file was cut short (or is not finished being written).
fn looks_truncated(bytes: &[u8]) -> bool {
    let tail = &bytes[bytes.len().saturating_sub(2048)..];
    memchr::memmem::rfind(tail, b"%%EOF").is_none()
}

/// What became of one page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PageFate {
    Kept,
    Failed,
    Empty,
    Garbled,
}

fn assemble(raw: Vec<RawPage>, declared: usize, truncated: bool) -> Result<Decoded, DecodeError> {
    let (mut page_lines, tables): (Vec<Vec<lines::Line>>, Vec<Vec<ruled::RuledTable>>) =
        raw.iter().map(lines::build_page).unzip();
    let removed = furniture::remove(&mut page_lines);
    let pieces: Vec<Vec<lines::Piece>> =
        page_lines.iter().zip(&tables).map(|(l, t)| lines::reading_order(l, t)).collect();
    let frame = lines::Frame::measure(&pieces);
    let mut joins = lines::Joins::default();
    let mut texts: Vec<String> = pieces.iter().map(|p| lines::page_text(p, &frame, &mut joins)).collect();

    let mut diagnostics = Vec::new();
    let mut lossy = false;
    let mut encoding = None;
    let mut assessments: Vec<Assessment> = texts.iter().map(|t| garbled::assess(t)).collect();
    let mut whole = sum(&assessments);
    if whole.is_garbled()
        && let Some(legacy) = read_legacy(&raw, &texts)
    {
        // A text layer in a legacy 8-bit font encoding (TCVN3, VNI): decoded, not dropped.
        texts = legacy.pages;
        encoding = legacy.encoding;
        lossy |= legacy.lossy;
        diagnostics.extend(legacy.diagnostics);
        assessments = texts.iter().map(|t| garbled::assess(t)).collect();
        whole = sum(&assessments);
    }
    let whole_garbled = whole.is_garbled();
    let fates: Vec<PageFate> = (0..raw.len())
        .map(|i| {
            let text_less = texts[i].trim().is_empty();
            if raw[i].failure.is_some() && text_less {
                PageFate::Failed
            } else if text_less && raw[i].unmapped == 0 {
                PageFate::Empty
            } else if text_less
                || unmapped_share(&raw[i]) > MAX_UNMAPPED_SHARE
                || assessments[i].is_garbled()
                || (whole_garbled && !clearly_clean(&assessments[i]))
            {
                PageFate::Garbled
            } else {
                PageFate::Kept
            }
        })
        .collect();
    let pages_of = |fate: PageFate| -> Vec<usize> { (0..fates.len()).filter(|&i| fates[i] == fate).collect() };
    let (kept, failed, empty, garbled_pages) =
        (pages_of(PageFate::Kept), pages_of(PageFate::Failed), pages_of(PageFate::Empty), pages_of(PageFate::Garbled));

    if kept.is_empty() {
        return Err(whole_failure(&raw, &failed, &garbled_pages, &whole, declared));
    }

    let mut text = String::with_capacity(texts.iter().map(String::len).sum::<usize>() + raw.len());
    let mut page_starts = Vec::with_capacity(raw.len());
    for (i, page_text) in texts.iter().enumerate() {
        page_starts.push(text.len());
        if fates[i] == PageFate::Kept {
            text.push_str(page_text);
            // A blank line between pages; layout joins a paragraph that runs on.
            text.push_str("\n\n");
        }
    }

    // The ruled tables of the pages kept, found again in the text.
    let mut decoded_tables = Vec::new();
    for (i, page_tables) in tables.iter().enumerate() {
        if fates[i] != PageFate::Kept {
            continue;
        }
        let mut from = page_starts[i];
        for t in page_tables {
            let first = t.rows.first().map(|r| r.join("\t")).unwrap_or_default();
            let start = text[from..].find(first.as_str()).map_or(from, |at| from + at);
            from = start;
            decoded_tables.push(super::DecodedTable { rows: t.rows.clone(), layout: false, start });
        }
    }

    if !garbled_pages.is_empty() {
        lossy = true;
        let hint = if whole.looks_legacy() { legacy_hint() } else { "" };
        diagnostics.push(Diagnostic::new(
            Severity::Warning,
            "decode.garbled_text_layer",
            format!(
                "{} left out: the text layer does not read as Vietnamese (broken font maps?){hint}",
                page_list(&garbled_pages)
            ),
        ));
    }
    let panicked: Vec<usize> =
        (0..raw.len()).filter(|&i| matches!(raw[i].failure, Some(PageFailure::Panic(_)))).collect();
    let errored: Vec<usize> =
        (0..raw.len()).filter(|&i| matches!(raw[i].failure, Some(PageFailure::Error(_)))).collect();
    if !panicked.is_empty() {
        lossy = true;
        diagnostics.push(Diagnostic::new(
            Severity::Warning,
            "decode.pdf_panic",
            format!("the PDF reader panicked on {}; their text is missing or partial", page_list(&panicked)),
        ));
    }
    if !errored.is_empty() {
        lossy = true;
        let why = raw.iter().find_map(|p| match &p.failure {
            Some(PageFailure::Error(e)) => Some(e.as_str()),
            _ => None,
        });
        diagnostics.push(Diagnostic::new(
            Severity::Warning,
            "decode.pdf_page_error",
            format!("{} could not be read: {}", page_list(&errored), why.unwrap_or("unknown error")),
        ));
    }
    if !empty.is_empty() {
        // One image page (a signature, a stamp) is common; several are scanned pages.
        let several = empty.len() >= 2;
        lossy |= several;
        diagnostics.push(Diagnostic::new(
            if several { Severity::Warning } else { Severity::Info },
            "decode.no_text_layer",
            format!("{} have no text layer (images only); OCR would be needed if they hold text", page_list(&empty)),
        ));
    }
    let clipped: Vec<usize> = (0..raw.len()).filter(|&i| raw[i].clipped).collect();
    if declared > raw.len() || !clipped.is_empty() {
        lossy = true;
        diagnostics.push(Diagnostic::new(
            Severity::Warning,
            "decode.pdf_pages_clipped",
            format!(
                "read {} of {declared} pages (limit {MAX_PAGES}); {} pages over {MAX_GLYPHS_PER_PAGE} glyphs were cut",
                raw.len(),
                clipped.len()
            ),
        ));
    }
    if truncated {
        lossy = true;
        diagnostics.push(Diagnostic::new(
            Severity::Warning,
            "decode.truncated_pdf",
            "the file ends before its end-of-file marker: pages at the end may be missing",
        ));
    }
    if removed.running + removed.page_numbers > 0 {
        diagnostics.push(Diagnostic::new(
            Severity::Info,
            "decode.page_furniture_removed",
            format!(
                "removed {} running header/footer line(s) and {} page number(s)",
                removed.running, removed.page_numbers
            ),
        ));
    }
    if joins.wraps > 0 {
        diagnostics.push(Diagnostic::new(
            Severity::Info,
            "decode.pdf_lines_joined",
            format!("joined {} wrapped line(s) into their paragraphs ({} at a hyphen)", joins.wraps, joins.hyphens),
        ));
    }
    Ok(Decoded {
        text,
        format: Format::Pdf,
        encoding,
        pages: Some(u32::try_from(declared).unwrap_or(u32::MAX)),
        page_starts,
        diagnostics,
        lossy,
        tables: decoded_tables,
    })
}

/// Pages whose glyphs are more than this share without text are garbled: their fonts lack a
/// usable character map, so what text there is has holes ("Ki m tra", "n m 2026").
const MAX_UNMAPPED_SHARE: f64 = 0.05;

fn unmapped_share(page: &RawPage) -> f64 {
    let drawn = page.glyphs.len() + page.unmapped;
    if drawn < 20 { 0.0 } else { page.unmapped as f64 / drawn as f64 }
}

fn sum(assessments: &[Assessment]) -> Assessment {
    let mut whole = Assessment::default();
    for a in assessments {
        whole.add(a);
    }
    whole
}

/// Page texts decoded from a legacy 8-bit font encoding.
struct Legacy {
    pages: Vec<String>,
    encoding: Option<crate::model::Encoding>,
    diagnostics: Vec<Diagnostic>,
    lossy: bool,
}

/// Read the text layer as a legacy encoding (TCVN3, VNI …) when it clearly is one, with the
/// fonts' names as a hint. The pages are decoded together (detection needs text) and split again
/// at the same line breaks.
fn read_legacy(raw: &[RawPage], texts: &[String]) -> Option<Legacy> {
    let mut fonts: Vec<&str> = raw.iter().flat_map(|p| p.fonts.iter().map(String::as_str)).collect();
    fonts.sort_unstable();
    fonts.dedup();
    let joined = texts.join("\n");
    let out = super::legacy::decode_lookalike_text(&joined, &fonts)?;
    let mut lines = out.text.split('\n');
    let mut pages = Vec::with_capacity(texts.len());
    for t in texts {
        let n = t.split('\n').count();
        let page: Vec<&str> = lines.by_ref().take(n).collect();
        if page.len() != n {
            return None;
        }
        pages.push(page.join("\n"));
    }
    if lines.next().is_some() {
        return None;
    }
    Some(Legacy { pages, encoding: out.encoding, diagnostics: out.diagnostics, lossy: out.lossy })
}

/// A page that reads as Vietnamese beyond doubt, even when the document as a whole does not.
fn clearly_clean(a: &Assessment) -> bool {
    a.judged >= 12 && a.foreign == 0 && a.odd == 0 && a.score() >= 0.85
}

/// The error when no page is kept.
fn whole_failure(
    raw: &[RawPage],
    failed: &[usize],
    garbled_pages: &[usize],
    whole: &Assessment,
    declared: usize,
) -> DecodeError {
    if !garbled_pages.is_empty() {
        let hint = if whole.looks_legacy() { legacy_hint() } else { "" };
        let unmapped: usize = raw.iter().map(|p| p.unmapped).sum();
        let drawn: usize = raw.iter().map(|p| p.unmapped + p.glyphs.len()).sum::<usize>().max(1);
        return DecodeError::GarbledTextLayer(format!(
            "{} of text do not read as Vietnamese ({:.0}% of the glyphs have no character, {:.0}% of the words \
             are valid syllables, {} words with foreign letters, {} odd characters): the fonts' character maps \
             are broken{hint}; OCR of the page images is needed",
            page_list(garbled_pages),
            unmapped as f64 * 100.0 / drawn as f64,
            whole.score() * 100.0,
            whole.foreign,
            whole.odd
        ));
    }
    if !failed.is_empty() {
        let first = failed.iter().find_map(|&i| raw[i].failure.clone());
        return match first {
            Some(PageFailure::Panic(why)) => DecodeError::PdfPanic(format!("on every page: {why}")),
            Some(PageFailure::Error(why)) => DecodeError::PdfError(format!("no page could be read: {why}")),
            None => DecodeError::PdfError("no page could be read".to_owned()),
        };
    }
    if declared == 0 {
        return DecodeError::PdfError("the document has no pages".to_owned());
    }
    DecodeError::NoTextLayer { pages: u32::try_from(declared).unwrap_or(u32::MAX) }
}

fn legacy_hint() -> &'static str {
    " (it looks like a legacy 8-bit Vietnamese font encoding such as TCVN3 or VNI read as Latin-1)"
}

/// "page 3", "pages 2, 5-7".
fn page_list(pages: &[usize]) -> String {
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    for &p in pages {
        let n = p + 1;
        match ranges.last_mut() {
            Some((_, end)) if *end + 1 == n => *end = n,
            _ => ranges.push((n, n)),
        }
    }
    let parts: Vec<String> =
        ranges.iter().map(|&(a, b)| if a == b { a.to_string() } else { format!("{a}-{b}") }).collect();
    let word = if pages.len() == 1 { "page" } else { "pages" };
    format!("{word} {}", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_lists() {
        assert_eq!(page_list(&[0]), "page 1");
        assert_eq!(page_list(&[1, 2, 3, 6]), "pages 2-4, 7");
    }

    struct Panicking;
    impl PdfBackend for Panicking {
        fn name(&self) -> &'static str {
            "panicking"
        }
        fn extract(&self, _: &[u8], _: &Budget) -> Result<Extracted, BackendError> {
            panic!("boom")
        }
    }

    struct Sleeping;
    impl PdfBackend for Sleeping {
        fn name(&self) -> &'static str {
            "sleeping"
        }
        fn extract(&self, _: &[u8], budget: &Budget) -> Result<Extracted, BackendError> {
            while Instant::now() < budget.deadline + Duration::from_secs(60) {
                std::thread::sleep(Duration::from_millis(10));
            }
            Ok((Vec::new(), 0))
        }
    }

    #[test]
    fn a_panicking_backend_is_a_diagnostic() {
        static P: Panicking = Panicking;
        let e = decode_with(&P, b"%PDF-1.4\n%%EOF", Duration::from_secs(5)).unwrap_err();
        assert_eq!(e.code(), "decode.pdf_panic");
        assert!(e.to_string().contains("boom"), "{e}");
    }

    #[test]
    fn a_stuck_backend_is_abandoned() {
        static S: Sleeping = Sleeping;
        let started = Instant::now();
        let e = decode_with(&S, b"%PDF-1.4\n%%EOF", Duration::from_millis(50)).unwrap_err();
        assert_eq!(e.code(), "decode.pdf_timeout");
        assert!(started.elapsed() < Duration::from_secs(10));
    }
}
