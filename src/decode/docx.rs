//! DOCX (Office Open XML): the main story of `word/document.xml`, streamed.
//!
//! The archive is read with `zip` (deflate only); every entry is inflated through a cap
//! ([`MAX_ENTRY_BYTES`], and [`MAX_TOTAL_BYTES`] over the entries read), whatever size the
//! archive declares, so a zip bomb is a `decode.zip_bomb` error after a bounded amount of work.
//! `word/document.xml` is then read with `quick-xml` as a stream of events:
//!
//! * paragraphs become lines; runs are concatenated; `w:br`/`w:cr` break the line; a tab after
//!   a list marker is a space, a tab before a capitalised part ("Nơi nhận:⇥KT. BỘ TRƯỞNG") a line
//!   break, any other tab a space (a tab must not make a paragraph look like a table row);
//! * automatic numbering is rendered from `word/numbering.xml` (through the paragraph's style
//!   when the paragraph has no `w:numPr` of its own), so "I.", "1.", "a)" are in the text as
//!   printed: Word draws them, they are not in the runs;
//! * tables (`w:tbl`, with `w:gridSpan`, `w:vMerge` and `w:gridBefore`) go through
//!   [`super::tables`]: data tables as tab-separated rows, layout tables (letterhead, signature
//!   block) as plain lines;
//! * what is not running text stays out: drawings and their anchors (`w:drawing`, `w:pict`,
//!   `w:object`), text boxes (`w:txbxContent`), the fallback copy of alternate content,
//!   field instructions (`w:instrText`; the field result is kept), deleted and moved-away text,
//!   hidden runs (`w:vanish`), and footnote and endnote references (the notes are not read).
//!   What was left out is counted in `decode.docx_content_skipped`.
//!
//! Diagnostic codes: `decode.docx_error` (error: not a readable Word document), `decode.zip_bomb`
//! (error), `decode.input_too_large` (error), `decode.docx_xml_error` (warning, lossy: the XML
//! breaks off; the text up to there is kept), `decode.docx_numbering` (info: list numbers
//! rendered), `decode.docx_content_skipped` (info).

use std::collections::HashMap;
use std::io::{Cursor, Read};

use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

use super::tables::{self, Block, RawCell, RawTable};
use super::{DecodeError, Decoded};
use crate::model::{Diagnostic, Format, Severity};

/// Larger inputs are refused before the archive is opened.
const MAX_INPUT_BYTES: usize = 256 << 20;
/// No entry may inflate to more than this.
const MAX_ENTRY_BYTES: u64 = 128 << 20;
/// Nor all the entries read together.
const MAX_TOTAL_BYTES: u64 = 192 << 20;
/// Tables nested deeper than this are read as the paragraphs of their cell.
const MAX_TABLE_DEPTH: usize = 32;

/// Decode the DOCX in `bytes`.
///
/// # Errors
/// [`DecodeError::DocxError`] for an archive that is not a readable Word document,
/// [`DecodeError::ZipBomb`] for an entry over the inflation cap, [`DecodeError::NoText`] for a
/// document without text.
pub(super) fn decode(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(DecodeError::TooLarge { format: "DOCX", bytes: bytes.len(), limit: MAX_INPUT_BYTES });
    }
    let mut archive = Archive::open(bytes)?;
    let main = archive.main_part()?;
    let document = archive
        .read(&main)?
        .ok_or_else(|| DecodeError::DocxError(format!("the archive has no {main}: not a Word document")))?;
    let styles = archive.read("word/styles.xml")?.map(|x| Styles::parse(&x)).unwrap_or_default();
    let numbering = archive.read("word/numbering.xml")?.map(|x| Numbering::parse(&x)).unwrap_or_default();

    let mut reader = BodyReader::new(&styles, &numbering);
    let xml_error = reader.read(&document).err();
    let (blocks, stats) = reader.finish();

    let mut text = String::with_capacity(document.len() / 4);
    let mut grids = Vec::new();
    tables::render_blocks(&blocks, &mut text, &mut grids, "\n\n");
    if super::is_blank(&text) {
        return Err(match xml_error {
            Some(e) => DecodeError::DocxError(format!("{main} is not well-formed XML: {e}")),
            None => DecodeError::NoText,
        });
    }

    let mut diagnostics = Vec::new();
    let mut lossy = false;
    if let Some(e) = xml_error {
        lossy = true;
        diagnostics.push(Diagnostic::new(
            Severity::Warning,
            "decode.docx_xml_error",
            format!("{main} breaks off ({e}); the text up to there is kept"),
        ));
    }
    if stats.numbers > 0 {
        diagnostics.push(Diagnostic::new(
            Severity::Info,
            "decode.docx_numbering",
            format!("rendered {} automatic list number(s) from the numbering definitions", stats.numbers),
        ));
    }
    if let Some(summary) = stats.skipped_summary() {
        diagnostics.push(Diagnostic::new(Severity::Info, "decode.docx_content_skipped", format!("left out {summary}")));
    }
    diagnostics.extend(tables::tables_read(&grids));
    Ok(Decoded {
        text,
        format: Format::Docx,
        encoding: None,
        pages: None,
        page_starts: Vec::new(),
        diagnostics,
        lossy,
        tables: grids,
    })
}

/// The ZIP archive, with the inflation budget.
struct Archive<'a> {
    zip: zip::ZipArchive<Cursor<&'a [u8]>>,
    inflated: u64,
}

impl<'a> Archive<'a> {
    fn open(bytes: &'a [u8]) -> Result<Self, DecodeError> {
        let zip = zip::ZipArchive::new(Cursor::new(bytes))
            .map_err(|e| DecodeError::DocxError(format!("not a readable ZIP archive: {e}")))?;
        Ok(Archive { zip, inflated: 0 })
    }

    /// The main document part, from `_rels/.rels` (usually `word/document.xml`).
    fn main_part(&mut self) -> Result<String, DecodeError> {
        let fallback = "word/document.xml".to_owned();
        let Some(rels) = self.read("_rels/.rels")? else { return Ok(fallback) };
        let mut reader = Reader::from_str(&rels);
        loop {
            match reader.read_event() {
                Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == "Relationship" => {
                    let kind = attr(&e, "Type").unwrap_or_default();
                    if kind.ends_with("/officeDocument")
                        && let Some(target) = attr(&e, "Target")
                    {
                        let target = target.trim_start_matches('/').to_owned();
                        if self.zip.index_for_name(&target).is_some() {
                            return Ok(target);
                        }
                    }
                }
                Ok(Event::Eof) | Err(_) => return Ok(fallback),
                _ => {}
            }
        }
    }

    /// The text of entry `name`, inflated through the caps; `None` when there is no such entry.
    fn read(&mut self, name: &str) -> Result<Option<String>, DecodeError> {
        let Some(index) = self.zip.index_for_name(name) else { return Ok(None) };
        let mut file = self
            .zip
            .by_index(index)
            .map_err(|e| DecodeError::DocxError(format!("cannot open {name} in the archive: {e}")))?;
        let cap = MAX_ENTRY_BYTES.min(MAX_TOTAL_BYTES.saturating_sub(self.inflated));
        if file.size() > cap {
            return Err(DecodeError::ZipBomb(format!(
                "{name} declares {} bytes uncompressed, over the limit of {cap} bytes",
                file.size()
            )));
        }
        let mut buf = Vec::with_capacity(usize::try_from(file.size()).unwrap_or(0).min(1 << 24));
        let read = (&mut file)
            .take(cap + 1)
            .read_to_end(&mut buf)
            .map_err(|e| DecodeError::DocxError(format!("cannot inflate {name}: {e}")))?;
        if read as u64 > cap {
            return Err(DecodeError::ZipBomb(format!(
                "{name} inflates to more than {cap} bytes ({} bytes compressed)",
                file.compressed_size()
            )));
        }
        self.inflated += read as u64;
        Ok(Some(xml_text(buf)))
    }
}

/// XML bytes as text: UTF-8 (BOM dropped, invalid bytes replaced) or UTF-16 with a BOM.
fn xml_text(buf: Vec<u8>) -> String {
    let utf16 = |big: bool| -> String {
        let units: Vec<u16> = buf[2..]
            .chunks_exact(2)
            .map(|c| if big { u16::from_be_bytes([c[0], c[1]]) } else { u16::from_le_bytes([c[0], c[1]]) })
            .collect();
        String::from_utf16_lossy(&units)
    };
    if buf.starts_with(&[0xFF, 0xFE]) {
        return utf16(false);
    }
    if buf.starts_with(&[0xFE, 0xFF]) {
        return utf16(true);
    }
    let body = buf.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&buf);
    match std::str::from_utf8(body) {
        Ok(s) => s.to_owned(),
        Err(_) => String::from_utf8_lossy(body).into_owned(),
    }
}

/// The value of attribute `name` (qualified, e.g. `w:val`), or of an attribute with that local
/// name under another prefix.
fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    let local = name.rsplit(':').next().unwrap_or(name);
    for a in e.attributes().with_checks(false).flatten() {
        let key = a.key.as_ref();
        if key == name || key.rsplit(':').next() == Some(local) {
            return a.normalized_value(XmlVersion::Implicit1_0).ok().map(|v| v.into_owned());
        }
    }
    None
}

/// `w:val` of an on/off property: absent or anything but false/0/off means on.
fn on(e: &BytesStart<'_>) -> bool {
    !matches!(attr(e, "w:val").as_deref(), Some("0" | "false" | "off"))
}

fn local(e: &BytesStart<'_>) -> String {
    e.local_name().as_ref().to_owned()
}

/// Paragraph styles: what the body reader needs from `word/styles.xml`.
#[derive(Debug, Default)]
struct Styles {
    by_id: HashMap<String, Style>,
}

#[derive(Debug, Default, Clone)]
struct Style {
    based_on: Option<String>,
    num: Option<(String, u8)>,
}

impl Styles {
    fn parse(xml: &str) -> Styles {
        let mut styles = Styles::default();
        let mut reader = Reader::from_str(xml);
        let mut current: Option<(String, Style)> = None;
        let mut in_num = false;
        loop {
            let ev = match reader.read_event() {
                Ok(Event::Eof) | Err(_) => break,
                Ok(ev) => ev,
            };
            match ev {
                Event::Start(e) | Event::Empty(e) => match local(&e).as_str() {
                    "style" => {
                        current = attr(&e, "w:styleId").map(|id| (id, Style::default()));
                    }
                    "basedOn" => {
                        if let Some((_, s)) = current.as_mut() {
                            s.based_on = attr(&e, "w:val");
                        }
                    }
                    "numPr" => in_num = true,
                    "numId" if in_num => {
                        if let Some((_, s)) = current.as_mut() {
                            let level = s.num.as_ref().map_or(0, |n| n.1);
                            s.num = attr(&e, "w:val").map(|id| (id, level));
                        }
                    }
                    "ilvl" if in_num => {
                        if let Some((_, s)) = current.as_mut() {
                            let level = attr(&e, "w:val").and_then(|v| v.parse().ok()).unwrap_or(0);
                            let id = s.num.take().map(|n| n.0).unwrap_or_default();
                            s.num = Some((id, level));
                        }
                    }
                    _ => {}
                },
                Event::End(e) => match e.local_name().as_ref() {
                    "style" => {
                        if let Some((id, s)) = current.take() {
                            styles.by_id.insert(id, s);
                        }
                    }
                    "numPr" => in_num = false,
                    _ => {}
                },
                _ => {}
            }
        }
        styles
    }

    /// The numbering a paragraph of style `id` inherits, following `w:basedOn` (bounded).
    fn numbering(&self, id: &str) -> Option<(String, u8)> {
        let mut id = id;
        for _ in 0..16 {
            let s = self.by_id.get(id)?;
            if let Some((num, level)) = &s.num
                && !num.is_empty()
            {
                return Some((num.clone(), *level));
            }
            id = s.based_on.as_deref()?;
        }
        None
    }
}

/// One level of a list definition.
#[derive(Debug, Clone)]
struct Level {
    start: u32,
    format: String,
    text: String,
    suffix: String,
    legal: bool,
}

impl Default for Level {
    fn default() -> Self {
        Level { start: 1, format: "decimal".to_owned(), text: String::new(), suffix: "tab".to_owned(), legal: false }
    }
}

/// A list instance (`w:num`): an abstract definition and level overrides.
#[derive(Debug, Clone, Default)]
struct Num {
    abstract_id: String,
    start_overrides: HashMap<u8, u32>,
    levels: HashMap<u8, Level>,
}

/// `word/numbering.xml`.
#[derive(Debug, Default)]
struct Numbering {
    abstracts: HashMap<String, HashMap<u8, Level>>,
    nums: HashMap<String, Num>,
}

impl Numbering {
    fn parse(xml: &str) -> Numbering {
        let mut n = Numbering::default();
        let mut reader = Reader::from_str(xml);
        let mut abstract_id: Option<String> = None;
        let mut num: Option<(String, Num)> = None;
        let mut level: Option<(u8, Level)> = None;
        let mut override_level: Option<u8> = None;
        loop {
            let ev = match reader.read_event() {
                Ok(Event::Eof) | Err(_) => break,
                Ok(ev) => ev,
            };
            match ev {
                Event::Start(e) | Event::Empty(e) => {
                    let val = || attr(&e, "w:val");
                    match local(&e).as_str() {
                        "abstractNum" => abstract_id = attr(&e, "w:abstractNumId"),
                        "num" => num = attr(&e, "w:numId").map(|id| (id, Num::default())),
                        "abstractNumId" => {
                            if let Some((_, m)) = num.as_mut() {
                                m.abstract_id = val().unwrap_or_default();
                            }
                        }
                        "lvlOverride" => override_level = attr(&e, "w:ilvl").and_then(|v| v.parse().ok()),
                        "startOverride" => {
                            if let (Some((_, m)), Some(l), Some(v)) =
                                (num.as_mut(), override_level, val().and_then(|v| v.parse().ok()))
                            {
                                m.start_overrides.insert(l, v);
                            }
                        }
                        "lvl" => {
                            let ilvl = attr(&e, "w:ilvl").and_then(|v| v.parse().ok()).unwrap_or(0);
                            level = Some((ilvl, Level::default()));
                        }
                        "start" => {
                            if let Some((_, l)) = level.as_mut() {
                                l.start = val().and_then(|v| v.parse().ok()).unwrap_or(1);
                            }
                        }
                        "numFmt" => {
                            if let Some((_, l)) = level.as_mut() {
                                l.format = val().unwrap_or_default();
                            }
                        }
                        "lvlText" => {
                            if let Some((_, l)) = level.as_mut() {
                                l.text = val().unwrap_or_default();
                            }
                        }
                        "suff" => {
                            if let Some((_, l)) = level.as_mut() {
                                l.suffix = val().unwrap_or_default();
                            }
                        }
                        "isLgl" => {
                            if let Some((_, l)) = level.as_mut() {
                                l.legal = on(&e);
                            }
                        }
                        _ => {}
                    }
                }
                Event::End(e) => match e.local_name().as_ref() {
                    "lvl" => {
                        if let Some((ilvl, l)) = level.take() {
                            if let Some((_, m)) = num.as_mut() {
                                m.levels.insert(ilvl, l);
                            } else if let Some(id) = &abstract_id {
                                n.abstracts.entry(id.clone()).or_default().insert(ilvl, l);
                            }
                        }
                    }
                    "abstractNum" => abstract_id = None,
                    "num" => {
                        if let Some((id, m)) = num.take() {
                            n.nums.insert(id, m);
                        }
                    }
                    "lvlOverride" => override_level = None,
                    _ => {}
                },
                _ => {}
            }
        }
        n
    }

    fn level(&self, num: &str, ilvl: u8) -> Option<&Level> {
        let m = self.nums.get(num)?;
        m.levels.get(&ilvl).or_else(|| self.abstracts.get(&m.abstract_id)?.get(&ilvl))
    }
}

/// The list counters of a document, per list instance.
#[derive(Debug, Default)]
struct Counters {
    by_num: HashMap<String, [Option<u32>; 9]>,
}

impl Counters {
    /// The number text of the next item of list `num` at level `ilvl`, e.g. "2.1." or "a)".
    fn next(&mut self, numbering: &Numbering, num: &str, ilvl: u8) -> Option<String> {
        let ilvl = ilvl.min(8);
        let level = numbering.level(num, ilvl)?;
        let overrides = numbering.nums.get(num).map(|m| &m.start_overrides);
        let start_of = |l: u8| -> u32 {
            overrides.and_then(|o| o.get(&l).copied()).or_else(|| numbering.level(num, l).map(|x| x.start)).unwrap_or(1)
        };
        let counters = self.by_num.entry(num.to_owned()).or_default();
        let i = usize::from(ilvl);
        counters[i] = Some(counters[i].map_or(start_of(ilvl), |c| c.saturating_add(1)));
        for deeper in counters.iter_mut().skip(i + 1) {
            *deeper = None;
        }
        if level.format == "none" {
            return Some(String::new());
        }
        if level.format == "bullet" {
            let bullet = level.text.trim();
            let bullet = if matches!(bullet, "-" | "+" | "•" | "–" | "—" | "*") { bullet } else { "-" };
            return Some(bullet.to_owned());
        }
        let mut out = String::new();
        let mut chars = level.text.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '%'
                && let Some(d) = chars.peek().and_then(|d| d.to_digit(10))
                && (1..=9).contains(&d)
            {
                chars.next();
                let l = (d - 1) as u8;
                let value = counters[usize::from(l)].unwrap_or_else(|| start_of(l));
                let format = if level.legal {
                    "decimal"
                } else {
                    numbering.level(num, l).map_or("decimal", |x| x.format.as_str())
                };
                out.push_str(&format_number(value, format));
            } else {
                out.push(c);
            }
        }
        Some(out)
    }
}

/// `value` in Word's number format `format`.
fn format_number(value: u32, format: &str) -> String {
    match format {
        "upperRoman" => crate::text::to_roman(value),
        "lowerRoman" => crate::text::to_roman(value).to_lowercase(),
        "upperLetter" => letters(value).to_uppercase(),
        "lowerLetter" => letters(value),
        "decimalZero" => format!("{value:02}"),
        _ => value.to_string(),
    }
}

/// Word's letter numbering: a … z, then aa … zz, aaa …
fn letters(n: u32) -> String {
    if n == 0 {
        return String::new();
    }
    let letter = char::from(b'a' + ((n - 1) % 26) as u8);
    std::iter::repeat_n(letter, ((n - 1) / 26 + 1).min(16) as usize).collect()
}

/// What the body reader counted.
#[derive(Debug, Default, Clone, Copy)]
struct Stats {
    numbers: usize,
    drawings: usize,
    text_boxes: usize,
    fields: usize,
    notes: usize,
    hidden: usize,
    deleted: usize,
}

impl Stats {
    fn skipped_summary(&self) -> Option<String> {
        let parts: Vec<String> = [
            (self.drawings, "drawing(s) and their anchors"),
            (self.text_boxes, "text box(es)"),
            (self.fields, "field instruction(s) (their results are kept)"),
            (self.notes, "footnote/endnote reference(s) (the notes are not read)"),
            (self.hidden, "hidden run(s)"),
            (self.deleted, "deleted or moved-away revision(s)"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
        (!parts.is_empty()).then(|| parts.join(", "))
    }
}

/// A paragraph being read.
#[derive(Debug, Default)]
struct Para {
    text: String,
    style: Option<String>,
    num_id: Option<String>,
    ilvl: Option<u8>,
}

/// A table being read.
#[derive(Debug, Default)]
struct TableState {
    rows: Vec<Vec<CellState>>,
    row: Option<Vec<CellState>>,
    cell: Option<CellState>,
    skip_before: usize,
}

#[derive(Debug, Default)]
struct CellState {
    blocks: Vec<Block>,
    span: usize,
    /// `Some(true)` restarts a vertical merge, `Some(false)` continues one.
    vmerge: Option<bool>,
    skip_before: usize,
}

/// Streams `document.xml` into blocks.
struct BodyReader<'s> {
    styles: &'s Styles,
    numbering: &'s Numbering,
    counters: Counters,
    body: Vec<Block>,
    tables: Vec<TableState>,
    /// Tables too deep to keep as tables: their paragraphs go to the enclosing cell.
    flattened: usize,
    para: Option<Para>,
    /// Depth of the element whose subtree is being skipped.
    skip: Option<usize>,
    depth: usize,
    in_run: bool,
    /// Inside `w:t`: the only element whose text is taken.
    in_t: bool,
    in_rpr: bool,
    in_ppr: bool,
    in_num_pr: bool,
    hidden: bool,
    stats: Stats,
}

impl<'s> BodyReader<'s> {
    fn new(styles: &'s Styles, numbering: &'s Numbering) -> Self {
        BodyReader {
            styles,
            numbering,
            counters: Counters::default(),
            body: Vec::new(),
            tables: Vec::new(),
            flattened: 0,
            para: None,
            skip: None,
            depth: 0,
            in_run: false,
            in_t: false,
            in_rpr: false,
            in_ppr: false,
            in_num_pr: false,
            hidden: false,
            stats: Stats::default(),
        }
    }

    fn read(&mut self, xml: &str) -> Result<(), quick_xml::Error> {
        let mut reader = Reader::from_str(xml);
        reader.config_mut().check_end_names = false;
        reader.config_mut().allow_unmatched_ends = true;
        loop {
            match reader.read_event()? {
                Event::Eof => return Ok(()),
                Event::Start(e) => {
                    self.depth += 1;
                    if self.skip.is_none() {
                        self.start(&e, false);
                    }
                }
                Event::Empty(e) if self.skip.is_none() => {
                    self.depth += 1;
                    self.start(&e, true);
                    self.depth -= 1;
                    // An empty element skips nothing.
                    if self.skip.is_some_and(|d| d > self.depth) {
                        self.skip = None;
                    }
                    let name = local(&e);
                    self.end(&name);
                }
                Event::End(e) => {
                    let name = e.local_name().as_ref().to_owned();
                    if let Some(d) = self.skip {
                        if d == self.depth {
                            self.skip = None;
                        }
                    } else {
                        self.end(&name);
                    }
                    self.depth = self.depth.saturating_sub(1);
                }
                Event::Text(t) if self.skip.is_none() && self.in_text() => {
                    let content = t.xml_content(XmlVersion::Implicit1_0);
                    self.push_text(&content);
                }
                Event::CData(t) if self.skip.is_none() && self.in_text() => {
                    let content = t.into_inner().into_owned();
                    self.push_text(&content);
                }
                Event::GeneralRef(r) if self.skip.is_none() && self.in_text() => {
                    let c = match r.resolve_char_ref() {
                        Ok(Some(c)) => Some(c),
                        _ => match &*r {
                            "amp" => Some('&'),
                            "lt" => Some('<'),
                            "gt" => Some('>'),
                            "quot" => Some('"'),
                            "apos" => Some('\''),
                            _ => None,
                        },
                    };
                    if let Some(c) = c {
                        self.push_text(c.encode_utf8(&mut [0; 4]));
                    }
                }
                _ => {}
            }
        }
    }

    /// Text is only taken from `w:t` inside a run (tracked by `in_t`).
    fn in_text(&self) -> bool {
        self.in_t
    }

    fn push_text(&mut self, s: &str) {
        if self.hidden {
            return;
        }
        if let Some(p) = self.para.as_mut() {
            p.text.push_str(s);
        }
    }

    fn skip_subtree(&mut self) {
        self.skip = Some(self.depth);
    }

    fn start(&mut self, e: &BytesStart<'_>, empty: bool) {
        let name = local(e);
        match name.as_str() {
            "drawing" | "pict" | "object" => {
                self.stats.drawings += 1;
                self.skip_subtree();
            }
            "txbxContent" => {
                self.stats.text_boxes += 1;
                self.skip_subtree();
            }
            "Fallback" => self.skip_subtree(),
            "instrText" => {
                self.stats.fields += 1;
                self.skip_subtree();
            }
            "del" | "moveFrom" | "delText" => {
                self.stats.deleted += 1;
                self.skip_subtree();
            }
            "footnoteReference" | "endnoteReference" => self.stats.notes += 1,
            "sectPr" if !self.in_ppr => self.skip_subtree(),
            "p" => {
                self.para = Some(Para::default());
            }
            "pPr" => self.in_ppr = true,
            "pStyle" if self.in_ppr && !self.in_rpr => {
                if let Some(p) = self.para.as_mut() {
                    p.style = attr(e, "w:val");
                }
            }
            "numPr" if self.in_ppr => self.in_num_pr = true,
            "numId" if self.in_num_pr => {
                if let Some(p) = self.para.as_mut() {
                    p.num_id = attr(e, "w:val");
                }
            }
            "ilvl" if self.in_num_pr => {
                if let Some(p) = self.para.as_mut() {
                    p.ilvl = attr(e, "w:val").and_then(|v| v.parse().ok());
                }
            }
            "r" => {
                self.in_run = true;
                self.hidden = false;
            }
            "rPr" => self.in_rpr = true,
            "vanish" | "webHidden" if self.in_rpr && self.in_run && on(e) => {
                self.hidden = true;
                self.stats.hidden += 1;
            }
            "t" if self.in_run && !empty => self.in_t = true,
            "tab" | "ptab" if self.in_run => self.push_text("\t"),
            "br" | "cr" if self.in_run => self.push_text("\n"),
            "noBreakHyphen" if self.in_run => self.push_text("-"),
            "tbl" => {
                if self.tables.len() >= MAX_TABLE_DEPTH {
                    self.flattened += 1;
                } else {
                    self.close_para();
                    self.tables.push(TableState::default());
                }
            }
            "tr" if self.flattened == 0 => {
                if let Some(t) = self.tables.last_mut() {
                    t.row = Some(Vec::new());
                    t.skip_before = 0;
                }
            }
            "gridBefore" if self.flattened == 0 => {
                if let Some(t) = self.tables.last_mut() {
                    t.skip_before = attr(e, "w:val").and_then(|v| v.parse().ok()).unwrap_or(0).min(64);
                }
            }
            "tc" if self.flattened == 0 => {
                if let Some(t) = self.tables.last_mut() {
                    let skip_before = if t.row.as_ref().is_some_and(Vec::is_empty) { t.skip_before } else { 0 };
                    t.cell = Some(CellState { span: 1, skip_before, ..CellState::default() });
                }
            }
            "gridSpan" if self.flattened == 0 => {
                if let Some(c) = self.tables.last_mut().and_then(|t| t.cell.as_mut()) {
                    c.span = attr(e, "w:val").and_then(|v| v.parse().ok()).unwrap_or(1).clamp(1, 64);
                }
            }
            "vMerge" if self.flattened == 0 => {
                if let Some(c) = self.tables.last_mut().and_then(|t| t.cell.as_mut()) {
                    c.vmerge = Some(attr(e, "w:val").as_deref() == Some("restart"));
                }
            }
            _ => {}
        }
    }

    fn end(&mut self, name: &str) {
        match name {
            "t" => self.in_t = false,
            "r" => {
                self.in_run = false;
                self.hidden = false;
            }
            "rPr" => self.in_rpr = false,
            "pPr" => self.in_ppr = false,
            "numPr" => self.in_num_pr = false,
            "p" => self.close_para(),
            "tc" if self.flattened == 0 => {
                self.close_para();
                if let Some(t) = self.tables.last_mut()
                    && let Some(cell) = t.cell.take()
                {
                    t.row.get_or_insert_with(Vec::new).push(cell);
                }
            }
            "tr" if self.flattened == 0 => {
                if let Some(t) = self.tables.last_mut()
                    && let Some(row) = t.row.take()
                {
                    t.rows.push(row);
                }
            }
            "tbl" => {
                if self.flattened > 0 {
                    self.flattened -= 1;
                } else if let Some(t) = self.tables.pop() {
                    let table = finish_table(t);
                    self.push_block(Block::Table(table));
                }
            }
            _ => {}
        }
    }

    /// End the open paragraph, if any, and file it where it belongs.
    fn close_para(&mut self) {
        let Some(p) = self.para.take() else { return };
        let mut number = None;
        let num = match (&p.num_id, p.ilvl) {
            (Some(id), level) => Some((id.clone(), level.unwrap_or(0))),
            (None, _) => p.style.as_deref().and_then(|s| self.styles.numbering(s)),
        };
        if let Some((id, level)) = num
            && id != "0"
        {
            number = self.counters.next(self.numbering, &id, level);
            if number.as_ref().is_some_and(|n| !n.is_empty()) {
                self.stats.numbers += 1;
            }
        }
        let body = tidy_tabs(&p.text);
        let text = match number {
            Some(n) if !n.is_empty() && !body.trim().is_empty() => format!("{n} {}", body.trim_start()),
            Some(n) if !n.is_empty() => n,
            _ => body,
        };
        self.push_block(Block::Para(text));
    }

    fn push_block(&mut self, block: Block) {
        match self.tables.last_mut() {
            Some(t) => match t.cell.as_mut() {
                Some(c) => c.blocks.push(block),
                // Content between cells (invalid, but seen): into a cell of its own.
                None => t.row.get_or_insert_with(Vec::new).push(CellState {
                    blocks: vec![block],
                    span: 1,
                    ..CellState::default()
                }),
            },
            None => self.body.push(block),
        }
    }

    fn finish(mut self) -> (Vec<Block>, Stats) {
        self.close_para();
        while let Some(t) = self.tables.pop() {
            let table = finish_table(t);
            self.push_block(Block::Table(table));
        }
        (self.body, self.stats)
    }
}

/// Turn vertical merges into row spans and the cells into [`RawCell`]s.
fn finish_table(mut t: TableState) -> RawTable {
    if let Some(row) = t.row.take() {
        t.rows.push(row);
    }
    // Grid column of each cell.
    let positions: Vec<Vec<usize>> = t
        .rows
        .iter()
        .map(|row| {
            let mut col = 0;
            row.iter()
                .map(|c| {
                    col += c.skip_before;
                    let at = col;
                    col += c.span.max(1);
                    at
                })
                .collect()
        })
        .collect();
    let mut spans: Vec<Vec<usize>> = t.rows.iter().map(|r| vec![1; r.len()]).collect();
    let mut drop: Vec<Vec<bool>> = t.rows.iter().map(|r| vec![false; r.len()]).collect();
    for r in 0..t.rows.len() {
        for c in 0..t.rows[r].len() {
            if t.rows[r][c].vmerge != Some(true) {
                continue;
            }
            let col = positions[r][c];
            let mut rr = r + 1;
            while rr < t.rows.len() {
                let Some(k) = positions[rr].iter().position(|&p| p == col) else { break };
                if t.rows[rr][k].vmerge != Some(false) {
                    break;
                }
                drop[rr][k] = true;
                spans[r][c] += 1;
                rr += 1;
            }
        }
    }
    let rows = t
        .rows
        .into_iter()
        .enumerate()
        .map(|(r, row)| {
            row.into_iter()
                .enumerate()
                .filter(|&(c, _)| !drop[r][c])
                .map(|(c, cell)| RawCell {
                    blocks: cell.blocks,
                    col_span: cell.span.max(1),
                    row_span: spans[r][c],
                    skip_before: cell.skip_before,
                })
                .collect()
        })
        .collect();
    RawTable { rows }
}

/// Tabs of a paragraph: leading and trailing ones dropped, one after a list marker a space,
/// one before a capitalised part a line break, any other a space.
fn tidy_tabs(text: &str) -> String {
    if !text.contains('\t') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    for (n, line) in text.split('\n').enumerate() {
        if n > 0 {
            out.push('\n');
        }
        let parts: Vec<&str> = line.split('\t').map(str::trim).filter(|p| !p.is_empty()).collect();
        let mut current = String::new();
        for part in parts {
            if current.is_empty() {
                current.push_str(part);
                continue;
            }
            let marker = current.chars().count() <= 8 && !current.contains(' ') || is_marker(&current);
            let capital = part.starts_with(|c: char| c.is_uppercase());
            if !marker && capital && current.chars().count() >= 8 {
                out.push_str(&current);
                out.push('\n');
                current = part.to_owned();
            } else {
                current.push(' ');
                current.push_str(part);
            }
        }
        out.push_str(&current);
    }
    out
}

/// "1.", "a)", "Điều 5.", "-": a list or heading marker standing before a tab.
fn is_marker(s: &str) -> bool {
    let s = s.trim();
    s.chars().count() <= 12 && (s.ends_with('.') || s.ends_with(')')) && s.split(' ').count() <= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_formatted_like_word() {
        assert_eq!(crate::text::to_roman(4), "IV");
        assert_eq!(crate::text::to_roman(1994), "MCMXCIV");
        assert_eq!(letters(1), "a");
        assert_eq!(letters(27), "aa");
        assert_eq!(format_number(3, "lowerRoman"), "iii");
        assert_eq!(format_number(7, "decimalZero"), "07");
    }

    #[test]
    fn tabs() {
        assert_eq!(tidy_tabs("\tCăn cứ Luật"), "Căn cứ Luật");
        assert_eq!(tidy_tabs("1.\tMục tiêu"), "1. Mục tiêu");
        assert_eq!(tidy_tabs("Nơi nhận:\t\tKT. BỘ TRƯỞNG"), "Nơi nhận:\nKT. BỘ TRƯỞNG");
        assert_eq!(tidy_tabs("Hà Nội, ngày\t\ttháng\tnăm 2026"), "Hà Nội, ngày tháng năm 2026");
    }

    /// A DOCX in memory: `document.xml` body, and optionally `numbering.xml`.
    fn docx(body: &str, numbering: Option<&str>) -> Vec<u8> {
        use std::io::Write;
        let mut out = Cursor::new(Vec::new());
        let mut zip = zip::ZipWriter::new(&mut out);
        let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        let w = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006""#;
        zip.start_file("word/document.xml", options).unwrap();
        write!(zip, r#"<?xml version="1.0" encoding="UTF-8"?><w:document {w}><w:body>{body}</w:body></w:document>"#)
            .unwrap();
        if let Some(n) = numbering {
            zip.start_file("word/numbering.xml", options).unwrap();
            write!(zip, r#"<?xml version="1.0"?><w:numbering {w}>{n}</w:numbering>"#).unwrap();
        }
        zip.finish().unwrap();
        out.into_inner()
    }

    fn p(text: &str) -> String {
        format!("<w:p><w:r><w:t xml:space=\"preserve\">{text}</w:t></w:r></w:p>")
    }

    fn text_of(bytes: &[u8]) -> String {
        decode(bytes).unwrap().text
    }

    #[test]
    fn paragraphs_runs_breaks_and_entities() {
        let body = format!(
            "{}<w:p><w:r><w:t>Điều 1.</w:t></w:r><w:r><w:t xml:space=\"preserve\"> Phạm vi &amp; đối tượng</w:t></w:r>\
             <w:r><w:br/><w:t>dòng hai</w:t></w:r></w:p>",
            p("QUYẾT ĐỊNH")
        );
        assert_eq!(text_of(&docx(&body, None)), "QUYẾT ĐỊNH\n\nĐiều 1. Phạm vi & đối tượng\ndòng hai\n\n");
    }

    #[test]
    fn anchors_text_boxes_fields_and_notes_stay_out() {
        let body = "<w:p><w:r><w:drawing><wp:anchor><wp:positionH><wp:posOffset>669290</wp:posOffset></wp:positionH>\
            <wp:positionV><wp:posOffset>381000</wp:posOffset></wp:positionV></wp:anchor></w:drawing></w:r>\
            <w:r><mc:AlternateContent><mc:Choice><w:drawing><w:txbxContent><w:p><w:r><w:t>HỘP</w:t></w:r></w:p>\
            </w:txbxContent></w:drawing></mc:Choice><mc:Fallback><w:pict><w:t>HỘP</w:t></w:pict></mc:Fallback>\
            </mc:AlternateContent></w:r><w:r><w:t>Số: 12/QĐ-UBND</w:t></w:r>\
            <w:r><w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:instrText> PAGE \\* MERGEFORMAT </w:instrText></w:r>\
            <w:r><w:fldChar w:fldCharType=\"separate\"/></w:r><w:r><w:t>3</w:t></w:r><w:r><w:fldChar w:fldCharType=\"end\"/></w:r>\
            <w:r><w:footnoteReference w:id=\"1\"/></w:r><w:r><w:rPr><w:vanish/></w:rPr><w:t>ẩn</w:t></w:r></w:p>";
        let d = decode(&docx(body, None)).unwrap();
        assert_eq!(d.text, "Số: 12/QĐ-UBND3\n\n");
        let skipped = d.diagnostics.iter().find(|d| d.code == "decode.docx_content_skipped").unwrap();
        assert!(skipped.message.contains("footnote"), "{}", skipped.message);
    }

    #[test]
    fn automatic_numbering_is_rendered() {
        let numbering = r#"<w:abstractNum w:abstractNumId="0">
            <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperRoman"/><w:lvlText w:val="%1."/></w:lvl>
            <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%2."/></w:lvl>
            <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%3)"/></w:lvl>
            <w:lvl w:ilvl="3"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%2.%4."/></w:lvl>
            </w:abstractNum><w:num w:numId="5"><w:abstractNumId w:val="0"/></w:num>"#;
        let item = |level: u8, text: &str| {
            format!(
                "<w:p><w:pPr><w:numPr><w:ilvl w:val=\"{level}\"/><w:numId w:val=\"5\"/></w:numPr></w:pPr>\
                 <w:r><w:t>{text}</w:t></w:r></w:p>"
            )
        };
        let body = [
            item(0, "MỤC TIÊU"),
            item(1, "Mục tiêu chung"),
            item(1, "Mục tiêu cụ thể"),
            item(3, "Đến 2025"),
            item(2, "Chủ trì"),
            item(2, "Phối hợp"),
            item(0, "NHIỆM VỤ"),
            item(1, "Nhiệm vụ"),
        ]
        .concat();
        let d = decode(&docx(&body, Some(numbering))).unwrap();
        assert_eq!(
            d.text,
            "I. MỤC TIÊU\n\n1. Mục tiêu chung\n\n2. Mục tiêu cụ thể\n\n2.1. Đến 2025\n\na) Chủ trì\n\nb) Phối hợp\n\n\
             II. NHIỆM VỤ\n\n1. Nhiệm vụ\n\n"
        );
        assert!(d.diagnostics.iter().any(|d| d.code == "decode.docx_numbering"));
    }

    #[test]
    fn tables_with_merges_become_tab_rows() {
        let cell = |attrs: &str, text: &str| format!("<w:tc><w:tcPr>{attrs}</w:tcPr>{}</w:tc>", p(text));
        let row = |cells: &[String]| format!("<w:tr>{}</w:tr>", cells.concat());
        let body = format!(
            "<w:tbl>{}{}{}</w:tbl>",
            row(&[cell("<w:vMerge w:val=\"restart\"/>", "STT"), cell("<w:gridSpan w:val=\"2\"/>", "Kinh phí")]),
            row(&[cell("<w:vMerge/>", ""), cell("", "2024"), cell("", "2025")]),
            row(&[cell("", "1"), cell("", "5"), cell("", "6")]),
        );
        let d = decode(&docx(&body, None)).unwrap();
        assert_eq!(d.text, "STT\tKinh phí\t\n\t2024\t2025\n1\t5\t6\n\n");
        assert_eq!(d.tables.len(), 1);
        assert_eq!(d.tables[0].rows, [vec!["STT", "Kinh phí", ""], vec!["", "2024", "2025"], vec!["1", "5", "6"]]);
        assert!(!d.tables[0].layout);
        assert!(d.text[d.tables[0].start..].starts_with("STT\t"));
    }

    #[test]
    fn malformed_archives_are_diagnostics() {
        assert_eq!(decode(b"PK\x03\x04garbage").unwrap_err().code(), "decode.docx_error");
        let good = docx(&p("Điều 1."), None);
        assert_eq!(decode(&good[..good.len() / 2]).unwrap_err().code(), "decode.docx_error");
        // Not well-formed XML: the text up to the break is kept.
        let broken = docx(&format!("{}<w:p><w:r><w:t>x</w:r></w:p><w:p", p("Điều 1. Phạm vi")), None);
        let d = decode(&broken).unwrap();
        assert!(d.text.starts_with("Điều 1. Phạm vi"), "{}", d.text);
        // No document part at all.
        let mut out = Cursor::new(Vec::new());
        let mut zip = zip::ZipWriter::new(&mut out);
        zip.start_file("readme.txt", zip::write::SimpleFileOptions::default()).unwrap();
        zip.finish().unwrap();
        assert_eq!(decode(&out.into_inner()).unwrap_err().code(), "decode.docx_error");
    }
}
