//! PDF backends: bytes in, positioned glyphs per page out.
//!
//! [`PdfBackend`] is the seam between vanban and whatever library reads PDF; everything after it
//! (lines, columns, page furniture, the Vietnamese check) works on [`RawPage`]s and does not
//! know which backend made them. [`PdfExtract`] is the one backend today, over the
//! `pdf-extract` crate (itself over `lopdf`).
//!
//! Backends are not trusted: the caller runs them in a thread of their own, under
//! `catch_unwind`, with a deadline ([`Budget`]). A backend checks the budget as it goes and
//! stops when it is spent; pages that fail or panic are reported page by page.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Instant;

use pdf_extract::{ColorSpace, MediaBox, OutputDev, OutputError, Path, PathOp, Transform};

/// One glyph, in page space: points, origin at the top-left corner, y growing downwards.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Glyph {
    /// Left edge of the glyph.
    pub(crate) x: f32,
    /// Baseline.
    pub(crate) y: f32,
    /// Advance width.
    pub(crate) width: f32,
    /// Font size as drawn (after the text and graphics matrices).
    pub(crate) size: f32,
    /// Byte range of the glyph's text in [`RawPage::text`].
    pub(crate) start: u32,
    /// Length in bytes of the glyph's text.
    pub(crate) len: u16,
}

/// What went wrong on one page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PageFailure {
    /// The backend returned an error.
    Error(String),
    /// The backend panicked.
    Panic(String),
}

/// The glyphs of one page.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct RawPage {
    /// Page width in points.
    pub(crate) width: f32,
    /// Page height in points.
    pub(crate) height: f32,
    /// Glyphs in drawing order.
    pub(crate) glyphs: Vec<Glyph>,
    /// The text of all glyphs, one after the other.
    pub(crate) text: String,
    /// Set when the page could not be read (its glyphs may be partial).
    pub(crate) failure: Option<PageFailure>,
    /// The page held more glyphs than [`Budget::max_glyphs_per_page`]; the rest were dropped.
    pub(crate) clipped: bool,
    /// Glyphs drawn with no text at all: their font has no usable character map.
    pub(crate) unmapped: usize,
    /// Base names of the fonts the page uses (`ABCDEF+VnTime` …).
    pub(crate) fonts: Vec<String>,
    /// Horizontal and vertical rules drawn on the page (table borders, underlines).
    pub(crate) rules: Vec<Rule>,
}

/// An axis-aligned line segment drawn on a page, in page space (see [`Glyph`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Rule {
    pub(crate) x0: f32,
    pub(crate) y0: f32,
    pub(crate) x1: f32,
    pub(crate) y1: f32,
}

impl Rule {
    pub(crate) fn is_horizontal(&self) -> bool {
        (self.y1 - self.y0).abs() <= (self.x1 - self.x0).abs()
    }
}

/// Rules after this many on a page are ignored.
const MAX_RULES_PER_PAGE: usize = 20_000;
/// A filled rectangle thinner than this (points) is a rule.
const RULE_THICKNESS: f64 = 2.5;
/// Shorter segments are not rules (glyph strokes, dots).
const MIN_RULE_LENGTH: f64 = 3.0;

impl RawPage {
    /// The text of glyph `g`.
    pub(crate) fn glyph_text(&self, g: &Glyph) -> &str {
        let start = g.start as usize;
        self.text.get(start..start + usize::from(g.len)).unwrap_or("")
    }
}

/// Why a whole document could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BackendError {
    /// Encrypted, and the empty user password does not open it.
    Encrypted(String),
    /// Not a PDF the backend can parse (bad xref, broken objects …).
    Malformed(String),
    /// The budget ran out.
    OutOfTime,
}

/// Limits a backend must respect.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Budget {
    /// Stop when this instant has passed.
    pub(crate) deadline: Instant,
    /// Read at most this many pages.
    pub(crate) max_pages: usize,
    /// Keep at most this many glyphs per page.
    pub(crate) max_glyphs_per_page: usize,
}

impl Budget {
    fn spent(&self) -> bool {
        Instant::now() >= self.deadline
    }
}

/// A PDF text extractor.
pub(crate) trait PdfBackend: Send + Sync {
    /// Short name, for messages.
    fn name(&self) -> &'static str;

    /// The glyphs of each page of the PDF in `bytes`, in page order (at most
    /// [`Budget::max_pages`]), plus the page count the document declares.
    ///
    /// # Errors
    /// A [`BackendError`] when the document as a whole cannot be read.
    fn extract(&self, bytes: &[u8], budget: &Budget) -> Result<(Vec<RawPage>, usize), BackendError>;
}

/// The `pdf-extract` backend.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct PdfExtract;

impl PdfBackend for PdfExtract {
    fn name(&self) -> &'static str {
        "pdf-extract"
    }

    fn extract(&self, bytes: &[u8], budget: &Budget) -> Result<(Vec<RawPage>, usize), BackendError> {
        let mut doc = match pdf_extract::Document::load_mem(bytes) {
            Ok(doc) => doc,
            Err(e) => return Err(classify_load_error(&e)),
        };
        // lopdf opens an encrypted file with the empty user password when that works, and
        // otherwise loads it without its objects (the trailer still names /Encrypt).
        let locked = doc.trailer.get(b"Encrypt").is_ok() && !doc.was_encrypted();
        if locked || (doc.is_encrypted() && doc.decrypt("").is_err()) {
            return Err(BackendError::Encrypted("the document is encrypted and needs a password".to_owned()));
        }
        let page_ids = doc.get_pages();
        let declared = page_ids.len();
        // The whole document in one pass first (looking pages up one by one costs a walk of
        // the page tree each); when it fails, page by page, so that one bad page costs only
        // itself.
        if declared <= budget.max_pages {
            let mut device = Collector::new(budget);
            let outcome = catch_unwind(AssertUnwindSafe(|| pdf_extract::output_doc(&doc, &mut device)));
            match outcome {
                Ok(Ok(())) if device.pages.len() == declared => {
                    let mut pages = device.pages;
                    for (page, &id) in pages.iter_mut().zip(page_ids.values()) {
                        page.fonts = font_names(&doc, id);
                    }
                    return Ok((pages, declared));
                }
                Ok(Err(_)) if budget.spent() => return Err(BackendError::OutOfTime),
                _ => {}
            }
        }
        let mut pages = Vec::with_capacity(declared.min(budget.max_pages));
        for (&number, &id) in page_ids.iter().take(budget.max_pages) {
            if budget.spent() {
                return Err(BackendError::OutOfTime);
            }
            let mut device = Collector::new(budget);
            // A panic inside one page is that page's failure; the document goes on.
            let outcome = catch_unwind(AssertUnwindSafe(|| pdf_extract::output_doc_page(&doc, &mut device, number)));
            device.end_page_now();
            let mut page = device.pages.pop().unwrap_or_default();
            page.fonts = font_names(&doc, id);
            match outcome {
                Ok(Ok(())) => {}
                Ok(Err(_)) if budget.spent() => return Err(BackendError::OutOfTime),
                Ok(Err(e)) => page.failure = Some(PageFailure::Error(output_error(&e))),
                Err(panic) => page.failure = Some(PageFailure::Panic(panic_message(panic.as_ref()))),
            }
            pages.push(page);
        }
        Ok((pages, declared))
    }
}

/// Encryption errors are told from the others by lopdf's error kind.
fn classify_load_error(e: &pdf_extract::Error) -> BackendError {
    use pdf_extract::Error;
    match e {
        Error::Decryption(_) | Error::InvalidPassword | Error::AlreadyEncrypted => {
            BackendError::Encrypted(e.to_string())
        }
        _ => BackendError::Malformed(e.to_string()),
    }
}

/// The base font names of a page's font resources.
fn font_names(doc: &pdf_extract::Document, page: pdf_extract::ObjectId) -> Vec<String> {
    let Ok(fonts) = doc.get_page_fonts(page) else { return Vec::new() };
    let mut names: Vec<String> = fonts
        .values()
        .filter_map(|f| f.get(b"BaseFont").ok()?.as_name().ok())
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .collect();
    names.sort();
    names.dedup();
    names
}

fn output_error(e: &OutputError) -> String {
    match e {
        OutputError::PdfError(e) => e.to_string(),
        OutputError::FormatError(_) => "the page text could not be written".to_owned(),
        OutputError::IoError(e) => e.to_string(),
    }
}

/// The message of a caught panic.
pub(crate) fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned())
}

/// An `OutputDev` that keeps every glyph with its position.
struct Collector<'a> {
    budget: &'a Budget,
    /// Pages finished.
    pages: Vec<RawPage>,
    /// The page being drawn, if one is open.
    page: Option<RawPage>,
    seen: usize,
    /// The media box's left and top edges, in PDF space.
    left: f64,
    top: f64,
}

impl<'a> Collector<'a> {
    fn new(budget: &'a Budget) -> Self {
        Collector { budget, pages: Vec::new(), page: None, seen: 0, left: 0.0, top: 0.0 }
    }

    /// Close the open page (after an error or a panic that skipped `end_page`), or file an empty
    /// one when none was begun.
    fn end_page_now(&mut self) {
        let page = self.page.take().unwrap_or_default();
        self.pages.push(page);
    }
}

impl Collector<'_> {
    /// A point of user space `(x, y)` through `ctm`, in page space.
    fn to_page(&self, ctm: &Transform, x: f64, y: f64) -> (f64, f64) {
        let dx = ctm.m11 * x + ctm.m21 * y + ctm.m31;
        let dy = ctm.m12 * x + ctm.m22 * y + ctm.m32;
        (dx - self.left, self.top - dy)
    }

    fn push_rule(&mut self, (ax, ay): (f64, f64), (bx, by): (f64, f64)) {
        let Some(page) = self.page.as_mut() else { return };
        let (w, h) = ((bx - ax).abs(), (by - ay).abs());
        let axis = (h <= 1.0 && w >= MIN_RULE_LENGTH) || (w <= 1.0 && h >= MIN_RULE_LENGTH);
        if !axis || page.rules.len() >= MAX_RULES_PER_PAGE || !(ax + ay + bx + by).is_finite() {
            return;
        }
        page.rules.push(Rule {
            x0: ax.min(bx) as f32,
            y0: ay.min(by) as f32,
            x1: ax.max(bx) as f32,
            y1: ay.max(by) as f32,
        });
    }

    /// The corners of a rectangle of user space, in page space: (left, top), (right, bottom).
    fn rect(&self, ctm: &Transform, x: f64, y: f64, w: f64, h: f64) -> Corners {
        let (ax, ay) = self.to_page(ctm, x, y);
        let (bx, by) = self.to_page(ctm, x + w, y + h);
        ((ax.min(bx), ay.min(by)), (ax.max(bx), ay.max(by)))
    }
}

/// Two corners of a box in page space: (left, top), (right, bottom).
type Corners = ((f64, f64), (f64, f64));

/// How often (in glyphs) the deadline is looked at.
const CLOCK_EVERY: usize = 4096;

impl OutputDev for Collector<'_> {
    fn begin_page(
        &mut self,
        _page: u32,
        media_box: &MediaBox,
        _art: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        self.page = Some(RawPage {
            width: (media_box.urx - media_box.llx).abs() as f32,
            height: (media_box.ury - media_box.lly).abs() as f32,
            ..RawPage::default()
        });
        self.left = media_box.llx.min(media_box.urx);
        self.top = media_box.ury.max(media_box.lly);
        Ok(())
    }

    fn end_page(&mut self) -> Result<(), OutputError> {
        if let Some(page) = self.page.take() {
            self.pages.push(page);
        }
        Ok(())
    }

    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        text: &str,
    ) -> Result<(), OutputError> {
        self.seen += 1;
        if self.seen.is_multiple_of(CLOCK_EVERY) && self.budget.spent() {
            return Err(OutputError::FormatError(std::fmt::Error));
        }
        let Some(page) = self.page.as_mut() else { return Ok(()) };
        if page.glyphs.len() >= self.budget.max_glyphs_per_page {
            page.clipped = true;
            return Ok(());
        }
        // Glyphs turned by more than 45 degrees (stamps, margin notes) are not running text.
        if trm.m12.abs() > trm.m11.abs() || !trm.m31.is_finite() || !trm.m32.is_finite() {
            return Ok(());
        }
        let text = text.trim_matches(|c: char| c.is_control());
        if text.is_empty() {
            page.unmapped += 1;
            return Ok(());
        }
        if text.len() > usize::from(u16::MAX) {
            return Ok(());
        }
        // The size of the glyph as drawn: the font size through the text rendering matrix.
        let vx = font_size * (trm.m11 + trm.m21);
        let vy = font_size * (trm.m12 + trm.m22);
        let size = (vx * vy).abs().sqrt();
        let x = trm.m31 - self.left;
        let y = self.top - trm.m32;
        let start = u32::try_from(page.text.len()).map_err(|_| OutputError::FormatError(std::fmt::Error))?;
        page.text.push_str(text);
        page.glyphs.push(Glyph {
            x: x as f32,
            y: y as f32,
            width: (width * size) as f32,
            size: size as f32,
            start,
            len: text.len() as u16,
        });
        Ok(())
    }

    fn stroke(&mut self, ctm: &Transform, _: &ColorSpace, _: &[f64], path: &Path) -> Result<(), OutputError> {
        let mut at = None;
        let mut start = None;
        for op in &path.ops {
            match *op {
                PathOp::MoveTo(x, y) => {
                    at = Some(self.to_page(ctm, x, y));
                    start = at;
                }
                PathOp::LineTo(x, y) => {
                    let p = self.to_page(ctm, x, y);
                    if let Some(a) = at {
                        self.push_rule(a, p);
                    }
                    at = Some(p);
                }
                PathOp::CurveTo(_, _, _, _, x, y) => at = Some(self.to_page(ctm, x, y)),
                PathOp::Rect(x, y, w, h) => {
                    let ((l, t), (r, b)) = self.rect(ctm, x, y, w, h);
                    for (a, p) in [((l, t), (r, t)), ((l, b), (r, b)), ((l, t), (l, b)), ((r, t), (r, b))] {
                        self.push_rule(a, p);
                    }
                }
                PathOp::Close => {
                    if let (Some(a), Some(s)) = (at, start) {
                        self.push_rule(a, s);
                    }
                    at = start;
                }
            }
        }
        Ok(())
    }

    fn fill(&mut self, ctm: &Transform, _: &ColorSpace, _: &[f64], path: &Path) -> Result<(), OutputError> {
        // Borders drawn as thin filled rectangles (Word), or as thin filled polygons.
        let mut bbox: Option<Corners> = None;
        let flush = |c: &mut Self, bbox: &mut Option<Corners>| {
            if let Some(((l, t), (r, b))) = bbox.take() {
                if b - t <= RULE_THICKNESS {
                    let y = f64::midpoint(t, b);
                    c.push_rule((l, y), (r, y));
                } else if r - l <= RULE_THICKNESS {
                    let x = f64::midpoint(l, r);
                    c.push_rule((x, t), (x, b));
                }
            }
        };
        for op in &path.ops {
            match *op {
                PathOp::Rect(x, y, w, h) => {
                    flush(self, &mut bbox);
                    bbox = Some(self.rect(ctm, x, y, w, h));
                    flush(self, &mut bbox);
                }
                PathOp::MoveTo(x, y) => {
                    flush(self, &mut bbox);
                    let p = self.to_page(ctm, x, y);
                    bbox = Some((p, p));
                }
                PathOp::LineTo(x, y) | PathOp::CurveTo(_, _, _, _, x, y) => {
                    let (px, py) = self.to_page(ctm, x, y);
                    if let Some(((l, t), (r, b))) = bbox.as_mut() {
                        (*l, *t, *r, *b) = (l.min(px), t.min(py), r.max(px), b.max(py));
                    }
                }
                PathOp::Close => {}
            }
        }
        flush(self, &mut bbox);
        Ok(())
    }

    fn begin_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
}
