//! Word 97-2003 binary documents (`.doc`).
//!
//! The file is an OLE compound file (read with the `cfb` crate). Its `WordDocument` stream
//! starts with the FIB, which locates everything else; the text is found through the piece table
//! (the `Clx` in the `0Table`/`1Table` stream): pieces of 8-bit text (Windows-1252 codes, or the
//! codes of a legacy Vietnamese font) and of UTF-16. The character properties (CHPX, for the
//! font of each run) and paragraph properties (PAPX, for table cells and rows) are read from
//! their FKP pages, the style sheet gives the fonts runs inherit, and the font table their
//! names. The 8-bit runs then go through [`legacy::decode_runs`], which detects the legacy
//! encoding (hinted by the font names) and restores `.VnTimeH` capitals.
//!
//! Only the main story is read (not headers, footnotes or text boxes). Paragraph marks become
//! line ends; a table row becomes one line with its cells separated by TAB; fields show their
//! result, never their instruction; pictures are dropped and embedded OLE objects (an Excel
//! sheet …) are reported, since their content is not read.
//!
//! Every size and offset comes from the file, so every one is checked: streams are read up to
//! [`MAX_STREAM`] bytes, the text up to [`MAX_CHARS`] characters, nesting of fields and style
//! inheritance is bounded, and the `cfb` crate rejects cyclic sector chains.
//!
//! Diagnostic codes: `decode.doc_corrupt` (error: not a readable Word 97 file), `decode.doc_encrypted`
//! (error), `decode.doc_unsupported_version` (error: Word 6/95), `decode.doc_truncated` (warning,
//! lossy: text pieces or property pages beyond the end of the stream), `decode.doc_embedded_object`
//! (warning, lossy: embedded OLE objects not read), `decode.doc_stories_skipped` (info: footnotes,
//! headers or text boxes not read).

use std::io::{Cursor, Read};

use super::DecodeError;
use super::legacy::{self, Family, FontKind, LegacyText, RunBuilder, classify_font};
use crate::model::{Diagnostic, Severity};

/// Streams are read up to this size.
const MAX_STREAM: u64 = 64 * 1024 * 1024;
/// Characters of the main story read at most.
const MAX_CHARS: usize = 16 * 1024 * 1024;
/// Pieces in the piece table at most.
const MAX_PIECES: usize = 1 << 20;
/// Fields nest at most this deep (deeper field marks are taken as text).
const MAX_FIELD_DEPTH: usize = 64;
/// Style inheritance is followed at most this deep.
const MAX_STYLE_DEPTH: usize = 16;

/// Decode the Word 97-2003 document in `bytes`.
///
/// # Errors
/// `decode.doc_corrupt`, `decode.doc_encrypted` or `decode.doc_unsupported_version`.
pub(super) fn decode(bytes: &[u8]) -> Result<LegacyText, DecodeError> {
    let mut file = cfb::CompoundFile::open(Cursor::new(bytes))
        .map_err(|e| corrupt(format!("the OLE compound file cannot be read: {e}")))?;
    let Some(word) = read_stream(&mut file, "/WordDocument")? else {
        // Another Office 97-2003 file (the sniffer only sees the compound-file signature).
        return Err(if file.is_stream("/Workbook") || file.is_stream("/Book") {
            DecodeError::UnsupportedFormat("Excel 97-2003 workbook (OLE compound file)")
        } else if file.is_stream("/PowerPoint Document") {
            DecodeError::UnsupportedFormat("PowerPoint 97-2003 presentation (OLE compound file)")
        } else {
            corrupt("an OLE compound file without a WordDocument stream: not a Word document".into())
        });
    };
    let fib = Fib::parse(&word)?;
    let table_name = if fib.which_table { "/1Table" } else { "/0Table" };
    let table =
        read_stream(&mut file, table_name)?.ok_or_else(|| corrupt(format!("no {} stream", &table_name[1..])))?;
    let objects = embedded_objects(&mut file);
    drop(file);

    let mut doc = Doc { word: &word, table: &table, diagnostics: Vec::new(), lossy: false };
    let pieces = doc.pieces(&fib)?;
    let fonts = doc.fonts(&fib);
    let styles = doc.styles(&fib);
    let chpx = doc.runs(fib.fc_lcb(12), Kind::Chpx);
    let papx = doc.runs(fib.fc_lcb(13), Kind::Papx);
    let units = doc.units(&pieces, fib.ccp_text);

    let mut builder = RunBuilder::default();
    let mut fields: Vec<Field> = Vec::new();
    let mut embeds: Vec<String> = Vec::new();
    let mut chp_at = Lookup::new(&chpx);
    let mut pap_at = Lookup::new(&papx);
    for unit in &units {
        let chp = chp_at.find(unit.fc);
        let pap = pap_at.find(unit.fc);
        let code = unit.code;
        // Fields: instructions are never text; results are.
        match code {
            0x13 if fields.len() < MAX_FIELD_DEPTH => {
                fields.push(Field::default());
                continue;
            }
            0x14 if !fields.is_empty() => {
                if let Some(f) = fields.last_mut() {
                    f.in_result = true;
                }
                continue;
            }
            0x15 if !fields.is_empty() => {
                if let Some(f) = fields.pop()
                    && let Some(program) = f.instruction.trim().strip_prefix("EMBED")
                {
                    embeds.push(program.trim().to_owned());
                }
                continue;
            }
            _ => {}
        }
        if let Some(f) = fields.last_mut()
            && !f.in_result
        {
            if f.instruction.len() < 256 {
                f.instruction.push(char::from_u32(code).unwrap_or(' '));
            }
            continue;
        }
        if fields.iter().any(|f| !f.in_result) {
            continue;
        }
        let in_table = pap.is_some_and(|p| p.in_table);
        if chp.is_some_and(|c| c.vanish) && !matches!(code, 0x07 | 0x0D) {
            continue;
        }
        match code {
            0x0D => builder.paragraph_end(in_table),
            0x07 if pap.is_some_and(|p| p.ttp) => builder.row_end(),
            0x07 => builder.cell_end(),
            0x09 => builder.push_char(FontKind::default(), if in_table { ' ' } else { '\t' }, in_table),
            0x0B | 0x0C | 0x0E => builder.push_char(FontKind::default(), '\n', in_table),
            0x1E => builder.push_char(FontKind::default(), '-', in_table),
            0x28 if chp.is_some_and(|c| c.symbol.is_some()) => {
                let (ftc, xchar) = chp.and_then(|c| c.symbol).unwrap_or_default();
                let greek = fonts.get(usize::from(ftc)).is_some_and(|f| f.family == Family::Symbol);
                let c = legacy::symbol_char(u8::try_from(xchar & 0xFF).unwrap_or(0), greek);
                builder.push_char(FontKind::default(), c, in_table);
            }
            0x00..=0x1F => {} // pictures, drawn objects, note references, optional hyphens …
            _ => {
                let ftc = chp
                    .and_then(|c| c.ftc)
                    .or_else(|| pap.and_then(|p| styles.font(p.istd)))
                    .unwrap_or(styles.default_ftc);
                let font = fonts.get(usize::from(ftc)).copied().unwrap_or_default();
                if unit.wide {
                    if (0xF020..=0xF0FF).contains(&code) {
                        // A symbol-font character stored in the private use area.
                        let c =
                            legacy::symbol_char(u8::try_from(code & 0xFF).unwrap_or(0), font.family == Family::Symbol);
                        builder.push_char(FontKind::default(), c, in_table);
                    } else {
                        let c = char::from_u32(code).unwrap_or('\u{FFFD}');
                        match legacy::lookalike_byte(c) {
                            Some(b) if legacy_family(font.family) => builder.push_byte(font, b, in_table),
                            _ => builder.push_char(font, c, in_table),
                        }
                    }
                } else {
                    builder.push_byte(font, u8::try_from(code).unwrap_or(b'?'), in_table);
                }
            }
        }
    }
    let runs = builder.finish();

    let mut out = legacy::decode_runs(&runs);
    out.diagnostics.append(&mut doc.diagnostics);
    out.lossy |= doc.lossy;
    // The objects of the ObjectPool, or the EMBED fields of the main story if it says more.
    let programs = if objects.len() >= embeds.len() { objects } else { embeds };
    let objects = programs.len();
    if objects > 0 {
        out.lossy = true;
        let named: Vec<&str> = programs.iter().map(String::as_str).filter(|p| !p.is_empty()).collect();
        let programs = if named.is_empty() { String::new() } else { format!(" ({})", named.join(", ")) };
        out.diagnostics.push(Diagnostic::new(
            Severity::Warning,
            "decode.doc_embedded_object",
            format!(
                "{objects} embedded OLE object{}{programs} not read: what {} hold (a table, a chart …) is missing from the text",
                if objects == 1 { "" } else { "s" },
                if objects == 1 { "it may" } else { "they may" },
            ),
        ));
    }
    if fib.ccp_other > 0 {
        out.diagnostics.push(Diagnostic::new(
            Severity::Info,
            "decode.doc_stories_skipped",
            format!("{} characters in headers, footnotes, comments or text boxes not read", fib.ccp_other),
        ));
    }
    Ok(out)
}

/// A legacy Vietnamese font family, whose UTF-16 text may hold codes read as Windows-1252.
fn legacy_family(family: Family) -> bool {
    matches!(family, Family::Tcvn3 | Family::Vni | Family::Vps | Family::Viscii)
}

fn corrupt(message: String) -> DecodeError {
    DecodeError::Container { code: "decode.doc_corrupt", message }
}

/// Read the stream at `path` (at most [`MAX_STREAM`] bytes); `None` when there is none.
fn read_stream(file: &mut cfb::CompoundFile<Cursor<&[u8]>>, path: &str) -> Result<Option<Vec<u8>>, DecodeError> {
    if !file.is_stream(path) {
        return Ok(None);
    }
    let stream = file.open_stream(path).map_err(|e| corrupt(format!("{path}: {e}")))?;
    let mut data = Vec::new();
    stream.take(MAX_STREAM).read_to_end(&mut data).map_err(|e| corrupt(format!("{path}: {e}")))?;
    Ok(Some(data))
}

/// The embedded OLE objects of the `ObjectPool` storage: the program of each (its ProgID, such
/// as `Excel.Sheet.8`, read from its `\x01CompObj` stream), or "" when it does not say.
fn embedded_objects(file: &mut cfb::CompoundFile<Cursor<&[u8]>>) -> Vec<String> {
    let storages: Vec<std::path::PathBuf> = match file.read_storage("/ObjectPool") {
        Ok(entries) => entries.filter(cfb::Entry::is_storage).take(1000).map(|e| e.path().to_path_buf()).collect(),
        Err(_) => return Vec::new(),
    };
    storages
        .into_iter()
        .map(|dir| {
            let mut data = Vec::new();
            if let Ok(stream) = file.open_stream(dir.join("\u{1}CompObj")) {
                let _ = stream.take(4096).read_to_end(&mut data);
            }
            prog_id(&data).unwrap_or_default()
        })
        .collect()
}

/// The ProgID of a `CompObj` stream: after a 28-byte header, the user type (a length-prefixed
/// string), the clipboard format (a marker and a format number, or a length-prefixed string),
/// then the ProgID (a length-prefixed string).
fn prog_id(data: &[u8]) -> Option<String> {
    let string = |at: usize| -> Option<(usize, &[u8])> {
        let len = usize::try_from(u32_at(data, at)?).ok()?;
        Some((at + 4 + len, data.get(at + 4..at + 4 + len)?))
    };
    let (at, _) = string(28)?;
    let at = match u32_at(data, at)? {
        0 => at + 4,
        0xFFFF_FFFF | 0xFFFF_FFFE => at + 8,
        _ => string(at)?.0,
    };
    let (_, id) = string(at)?;
    let id: String = id.iter().take_while(|&&b| b != 0).map(|&b| char::from(b)).collect();
    (!id.is_empty() && id.chars().all(|c| c.is_ascii_graphic())).then_some(id)
}

/// Little-endian reads that say `None` past the end.
fn u16_at(buf: &[u8], at: usize) -> Option<u16> {
    buf.get(at..at.checked_add(2)?).map(|b| u16::from_le_bytes([b[0], b[1]]))
}

fn u32_at(buf: &[u8], at: usize) -> Option<u32> {
    buf.get(at..at.checked_add(4)?).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// What vanban needs of the File Information Block.
#[derive(Debug)]
struct Fib {
    /// The table stream is `1Table` (else `0Table`).
    which_table: bool,
    /// Characters in the main story.
    ccp_text: u32,
    /// Characters in the other stories (footnotes, headers, comments, endnotes, text boxes).
    ccp_other: u64,
    /// The FibRgFcLcb pairs (offset, size) into the table stream.
    fc_lcb: Vec<(u32, u32)>,
}

impl Fib {
    fn parse(word: &[u8]) -> Result<Fib, DecodeError> {
        let ident = u16_at(word, 0).ok_or_else(|| corrupt("the WordDocument stream is too short".into()))?;
        if ident != 0xA5EC {
            return Err(corrupt(format!("not a Word document (FIB identifier {ident:#06x})")));
        }
        let n_fib = u16_at(word, 2).unwrap_or(0);
        let flags = u16_at(word, 10).unwrap_or(0);
        if flags & 0x0100 != 0 {
            return Err(DecodeError::Container {
                code: "decode.doc_encrypted",
                message: "the Word document is encrypted (password protected)".into(),
            });
        }
        if n_fib < 0x00C0 {
            return Err(DecodeError::Container {
                code: "decode.doc_unsupported_version",
                message: format!("Word 6/95 documents (FIB version {n_fib:#x}) are not supported"),
            });
        }
        let truncated = || corrupt("the FIB is truncated".into());
        let csw = usize::from(u16_at(word, 32).ok_or_else(truncated)?);
        let at_lw = 34 + csw * 2;
        let cslw = usize::from(u16_at(word, at_lw).ok_or_else(truncated)?);
        let lw = |i: usize| if i < cslw { u32_at(word, at_lw + 2 + i * 4) } else { None };
        let ccp_text = lw(3).ok_or_else(truncated)?;
        let ccp_other = [4, 5, 7, 8, 9, 10].iter().filter_map(|&i| lw(i)).map(|v| u64::from(v.min(1 << 30))).sum();
        let at_fc = at_lw + 2 + cslw * 4;
        let pairs = usize::from(u16_at(word, at_fc).ok_or_else(truncated)?);
        let fc_lcb = (0..pairs)
            .map_while(|i| Some((u32_at(word, at_fc + 2 + i * 8)?, u32_at(word, at_fc + 6 + i * 8)?)))
            .collect();
        Ok(Fib { which_table: flags & 0x0200 != 0, ccp_text, ccp_other, fc_lcb })
    }

    /// The `index`th (offset, size) pair, (0, 0) when absent.
    fn fc_lcb(&self, index: usize) -> (u32, u32) {
        self.fc_lcb.get(index).copied().unwrap_or((0, 0))
    }
}

/// A piece of the main story.
#[derive(Debug, Clone, Copy)]
struct Piece {
    cp_start: u32,
    cp_end: u32,
    /// Byte offset of the first character in the WordDocument stream.
    fc: u32,
    /// 16-bit characters (else 8-bit).
    wide: bool,
}

/// One character of the main story: its code (a byte or a UTF-16 unit) and where it is.
#[derive(Debug, Clone, Copy)]
struct Unit {
    code: u32,
    fc: u32,
    wide: bool,
}

/// Properties of a run of text (FC range), from a CHPX or a PAPX.
#[derive(Debug, Clone, Copy, Default)]
struct Props {
    /// Font index (sprmCRgFtc0), when set directly.
    ftc: Option<u16>,
    /// sprmCSymbol: a symbol-font character (font index, character).
    symbol: Option<(u16, u16)>,
    /// Hidden text (sprmCFVanish).
    vanish: bool,
    /// Paragraph style.
    istd: u16,
    /// Paragraph in a table (sprmPFInTable).
    in_table: bool,
    /// Table row end mark (sprmPFTtp).
    ttp: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Chpx,
    Papx,
}

/// The style sheet: the font each style sets or inherits.
#[derive(Debug, Default)]
struct Styles {
    /// (font set by the style, base style) per istd.
    styles: Vec<(Option<u16>, Option<u16>)>,
    /// The document's default font (rgftcStandardChpStsh[0]).
    default_ftc: u16,
}

impl Styles {
    /// The font of paragraph style `istd`, following its base styles.
    fn font(&self, istd: u16) -> Option<u16> {
        let mut at = istd;
        for _ in 0..MAX_STYLE_DEPTH {
            let &(ftc, base) = self.styles.get(usize::from(at))?;
            if ftc.is_some() {
                return ftc;
            }
            at = base?;
        }
        None
    }
}

/// Finds the run holding an FC, fast when FCs come in order.
struct Lookup<'a> {
    runs: &'a [(u32, u32, Props)],
    last: usize,
}

impl<'a> Lookup<'a> {
    fn new(runs: &'a [(u32, u32, Props)]) -> Self {
        Lookup { runs, last: 0 }
    }

    fn find(&mut self, fc: u32) -> Option<&'a Props> {
        for i in [self.last, self.last + 1] {
            if let Some(r) = self.runs.get(i)
                && r.0 <= fc
                && fc < r.1
            {
                self.last = i;
                return Some(&r.2);
            }
        }
        let i = self.runs.partition_point(|r| r.1 <= fc);
        let r = self.runs.get(i).filter(|r| r.0 <= fc)?;
        self.last = i;
        Some(&r.2)
    }
}

/// The streams being read and what went wrong so far.
struct Doc<'a> {
    word: &'a [u8],
    table: &'a [u8],
    diagnostics: Vec<Diagnostic>,
    lossy: bool,
}

impl Doc<'_> {
    /// The slice `(fc, lcb)` of the table stream, if it lies inside.
    fn table_slice(&self, (fc, lcb): (u32, u32)) -> Option<&[u8]> {
        let start = usize::try_from(fc).ok()?;
        let end = start.checked_add(usize::try_from(lcb).ok()?)?;
        self.table.get(start..end).filter(|s| !s.is_empty())
    }

    fn truncated(&mut self, what: &str) {
        if !self.diagnostics.iter().any(|d| d.code == "decode.doc_truncated") {
            self.diagnostics.push(Diagnostic::new(
                Severity::Warning,
                "decode.doc_truncated",
                format!("the document is truncated or damaged: {what} lie beyond the end of the file"),
            ));
        }
        self.lossy = true;
    }

    /// The pieces of the main story, from the Clx.
    fn pieces(&mut self, fib: &Fib) -> Result<Vec<Piece>, DecodeError> {
        let clx = self
            .table_slice(fib.fc_lcb(33))
            .ok_or_else(|| corrupt("the piece table lies outside the table stream".into()))?;
        let mut at = 0usize;
        // Skip the Prc entries (property modifiers of pieces).
        while clx.get(at) == Some(&1) {
            let size = usize::from(u16_at(clx, at + 1).ok_or_else(|| corrupt("truncated piece table".into()))?);
            at += 3 + size;
        }
        if clx.get(at) != Some(&2) {
            return Err(corrupt("no piece table in the Clx".into()));
        }
        let lcb = u32_at(clx, at + 1).and_then(|v| usize::try_from(v).ok()).unwrap_or(0);
        let plc = clx.get(at + 5..).map(|p| &p[..p.len().min(lcb)]).unwrap_or_default();
        if plc.len() < 4 + 12 {
            return Err(corrupt("empty piece table".into()));
        }
        let n = ((plc.len() - 4) / 12).min(MAX_PIECES);
        let mut pieces = Vec::with_capacity(n);
        for i in 0..n {
            let (Some(cp_start), Some(cp_end), Some(raw)) =
                (u32_at(plc, i * 4), u32_at(plc, i * 4 + 4), u32_at(plc, (n + 1) * 4 + i * 8 + 2))
            else {
                break;
            };
            if cp_end <= cp_start {
                continue;
            }
            let wide = raw & 0x4000_0000 == 0;
            let fc = if wide { raw } else { (raw & 0x3FFF_FFFF) / 2 };
            pieces.push(Piece { cp_start, cp_end, fc, wide });
        }
        Ok(pieces)
    }

    /// The characters of the main story (CPs `0..ccp_text`), in order.
    fn units(&mut self, pieces: &[Piece], ccp_text: u32) -> Vec<Unit> {
        let mut units = Vec::new();
        let mut short = false;
        let limit = ccp_text.min(u32::try_from(MAX_CHARS).unwrap_or(u32::MAX));
        let mut sorted: Vec<&Piece> = pieces.iter().filter(|p| p.cp_start < limit).collect();
        sorted.sort_by_key(|p| p.cp_start);
        let mut next_cp = 0u32;
        for p in sorted {
            let start = p.cp_start.max(next_cp);
            let end = p.cp_end.min(limit);
            if start >= end {
                continue;
            }
            let width = if p.wide { 2 } else { 1 };
            for cp in start..end {
                let fc = p.fc.saturating_add((cp - p.cp_start).saturating_mul(width));
                let at = fc as usize;
                let code = if p.wide {
                    u16_at(self.word, at).map(u32::from)
                } else {
                    self.word.get(at).map(|&b| u32::from(b))
                };
                match code {
                    Some(code) => units.push(Unit { code, fc, wide: p.wide }),
                    None => {
                        short = true;
                        break;
                    }
                }
            }
            next_cp = end;
        }
        if short {
            self.truncated("text pieces");
        }
        units
    }

    /// The font table: what each font index names.
    fn fonts(&self, fib: &Fib) -> Vec<FontKind> {
        let Some(sttb) = self.table_slice(fib.fc_lcb(15)) else { return Vec::new() };
        let count = usize::from(u16_at(sttb, 0).unwrap_or(0));
        let mut at = 4;
        let mut fonts = Vec::new();
        for _ in 0..count.min(4096) {
            let Some(&len) = sttb.get(at) else { break };
            let Some(ffn) = sttb.get(at + 1..at + 1 + usize::from(len)) else { break };
            let name: Vec<u16> = ffn
                .get(39..)
                .unwrap_or_default()
                .chunks_exact(2)
                .map(|p| u16::from_le_bytes([p[0], p[1]]))
                .take_while(|&u| u != 0)
                .collect();
            fonts.push(classify_font(&String::from_utf16_lossy(&name)));
            at += 1 + usize::from(len);
        }
        fonts
    }

    /// The style sheet (STSH): the font of each style and its base style.
    fn styles(&self, fib: &Fib) -> Styles {
        let mut styles = Styles::default();
        let Some(stsh) = self.table_slice(fib.fc_lcb(1)) else { return styles };
        let Some(cb_stshi) = u16_at(stsh, 0).map(usize::from) else { return styles };
        let stshi = stsh.get(2..2 + cb_stshi).unwrap_or_default();
        let cstd = usize::from(u16_at(stshi, 0).unwrap_or(0));
        let base_size = usize::from(u16_at(stshi, 2).unwrap_or(10));
        styles.default_ftc = u16_at(stshi, 12).unwrap_or(0);
        let mut at = 2 + cb_stshi;
        for _ in 0..cstd.min(4096) {
            let Some(cb) = u16_at(stsh, at).map(usize::from) else { break };
            let std = stsh.get(at + 2..at + 2 + cb).unwrap_or_default();
            at += 2 + cb;
            styles.styles.push(parse_std(std, base_size));
        }
        styles
    }

    /// The runs of a PlcBteChpx or PlcBtePapx: FC ranges and their properties.
    fn runs(&mut self, fc_lcb: (u32, u32), kind: Kind) -> Vec<(u32, u32, Props)> {
        let Some(plc) = self.table_slice(fc_lcb) else { return Vec::new() };
        let n = plc.len().saturating_sub(4) / 8;
        let mut runs = Vec::new();
        let mut short = false;
        for i in 0..n {
            let Some(pn) = u32_at(plc, (n + 1) * 4 + i * 4) else { break };
            let page_at = usize::try_from(pn & 0x003F_FFFF).unwrap_or(usize::MAX).saturating_mul(512);
            let Some(page) = self.word.get(page_at..page_at.saturating_add(512)) else {
                short = true;
                continue;
            };
            let crun = usize::from(page[511]);
            for r in 0..crun {
                let (Some(start), Some(end)) = (u32_at(page, r * 4), u32_at(page, r * 4 + 4)) else { break };
                let props = match kind {
                    Kind::Chpx => {
                        let offset = usize::from(page.get((crun + 1) * 4 + r).copied().unwrap_or(0)) * 2;
                        if offset == 0 {
                            Props::default()
                        } else {
                            let cb = usize::from(page.get(offset).copied().unwrap_or(0));
                            chp_props(page.get(offset + 1..offset + 1 + cb).unwrap_or_default())
                        }
                    }
                    Kind::Papx => {
                        let offset = usize::from(page.get((crun + 1) * 4 + r * 13).copied().unwrap_or(0)) * 2;
                        pap_props(page, offset)
                    }
                };
                if start < end {
                    runs.push((start, end, props));
                }
            }
            if runs.len() > MAX_CHARS {
                break;
            }
        }
        if short {
            self.truncated("property pages");
        }
        runs.sort_by_key(|r| r.0);
        runs
    }
}

/// One STD of the style sheet: (font set by its character properties, base style).
fn parse_std(std: &[u8], base_size: usize) -> (Option<u16>, Option<u16>) {
    let Some(word1) = u16_at(std, 2) else { return (None, None) };
    let stk = word1 & 0x000F;
    let istd_base = word1 >> 4;
    let cupx = usize::from(u16_at(std, 4).unwrap_or(0) & 0x000F);
    let base = (istd_base != 0x0FFF).then_some(istd_base);
    // The name: a length-prefixed UTF-16 string with a terminating zero.
    let name_len = usize::from(u16_at(std, base_size).unwrap_or(0));
    let mut at = base_size + 2 + name_len * 2 + 2;
    let mut ftc = None;
    for upx in 0..cupx.min(3) {
        at += at % 2;
        let Some(cb) = u16_at(std, at).map(usize::from) else { break };
        let data = std.get(at + 2..at + 2 + cb).unwrap_or_default();
        at += 2 + cb;
        // Paragraph styles: UPX 0 is the PAPX (istd + sprms), UPX 1 the CHPX. Character styles:
        // UPX 0 is the CHPX.
        let is_chpx = (stk == 1 && upx == 1) || (stk == 2 && upx == 0);
        if is_chpx {
            ftc = chp_props(data).ftc;
        }
    }
    (ftc, base)
}

/// Walk the sprms of `grpprl`: (sprm, operand).
fn sprms(grpprl: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    let mut at = 0usize;
    std::iter::from_fn(move || {
        let sprm = u16_at(grpprl, at)?;
        let operand_at = at + 2;
        let size = match sprm >> 13 {
            0 | 1 => 1,
            2 | 4 | 5 => 2,
            3 => 4,
            7 => 3,
            _ => match sprm {
                // sprmTDefTable and sprmTDefTable10: a 2-byte size, counted one too many.
                0xD608 | 0xD606 => 2 + usize::from(u16_at(grpprl, operand_at)?).saturating_sub(1),
                // sprmPChgTabs: a size byte, or 255 and two counted lists.
                0xC615 if grpprl.get(operand_at) == Some(&255) => {
                    let dels = usize::from(*grpprl.get(operand_at + 1)?);
                    let adds = usize::from(*grpprl.get(operand_at + 2 + dels * 4)?);
                    2 + dels * 4 + 1 + adds * 3
                }
                _ => 1 + usize::from(*grpprl.get(operand_at)?),
            },
        };
        let operand = grpprl.get(operand_at..operand_at + size)?;
        at = operand_at + size;
        Some((sprm, operand))
    })
}

/// Character properties from a CHPX grpprl.
fn chp_props(grpprl: &[u8]) -> Props {
    let mut props = Props::default();
    for (sprm, op) in sprms(grpprl) {
        match sprm {
            0x4A4F => props.ftc = u16_at(op, 0),
            0x083C => props.vanish = op.first().is_some_and(|&v| v == 1 || v == 0x81),
            0x6A09 => props.symbol = u16_at(op, 0).zip(u16_at(op, 2)),
            _ => {}
        }
    }
    props
}

/// Paragraph properties from the PapxInFkp at `offset` of an FKP page.
fn pap_props(page: &[u8], offset: usize) -> Props {
    let mut props = Props::default();
    if offset == 0 {
        return props;
    }
    let Some(&cb) = page.get(offset) else { return props };
    let (start, len) = if cb == 0 {
        (offset + 2, usize::from(page.get(offset + 1).copied().unwrap_or(0)) * 2)
    } else {
        (offset + 1, usize::from(cb) * 2 - 1)
    };
    let Some(papx) = page.get(start..start + len) else { return props };
    props.istd = u16_at(papx, 0).unwrap_or(0);
    for (sprm, op) in sprms(papx.get(2..).unwrap_or_default()) {
        match sprm {
            0x2416 => props.in_table = op.first() == Some(&1),
            0x2417 => props.ttp = op.first() == Some(&1),
            0x6649 => props.in_table |= u32_at(op, 0).is_some_and(|d| d > 0),
            _ => {}
        }
    }
    props
}

/// A field being read: its instruction until the separator, then its result.
#[derive(Debug, Default)]
struct Field {
    in_result: bool,
    instruction: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sprm_sizes() {
        // sprmCFBold (1 byte), sprmCRgFtc0 (2), sprmCSymbol (4), a variable one, sprmCFVanish.
        let grpprl = [
            0x35, 0x08, 0x81, 0x4F, 0x4A, 0x03, 0x00, 0x09, 0x6A, 0x01, 0x00, 0x53, 0xF0, 0x66, 0xCA, 0x02, 0xAA, 0xBB,
            0x3C, 0x08, 0x01,
        ];
        let got: Vec<(u16, usize)> = sprms(&grpprl).map(|(s, op)| (s, op.len())).collect();
        assert_eq!(got, [(0x0835, 1), (0x4A4F, 2), (0x6A09, 4), (0xCA66, 3), (0x083C, 1)]);
        let props = chp_props(&grpprl);
        assert_eq!((props.ftc, props.symbol, props.vanish), (Some(3), Some((1, 0xF053)), true));
        // A truncated operand ends the walk instead of reading past the end.
        assert_eq!(sprms(&[0x4F, 0x4A, 0x03]).count(), 0);
        // sprmTDefTable: a 2-byte size counted one too many.
        assert_eq!(
            sprms(&[0x08, 0xD6, 0x03, 0x00, 0xAA, 0xBB, 0x16, 0x24, 0x01]).map(|(s, _)| s).collect::<Vec<_>>(),
            [0xD608, 0x2416]
        );
    }

    #[test]
    fn paragraph_properties() {
        // A PapxInFkp with cb != 0: 2*cb-1 bytes of istd and sprms (in table, row end).
        let mut page = vec![0u8; 512];
        page[100] = 4; // 7 bytes follow
        page[101..108].copy_from_slice(&[0x07, 0x00, 0x16, 0x24, 0x01, 0x17, 0x24]);
        let p = pap_props(&page, 100);
        assert_eq!((p.istd, p.in_table, p.ttp), (7, true, false)); // sprmPFTtp's operand is cut off
        page[108] = 0x01;
        page[100] = 0;
        page[101] = 4; // cb == 0: the next byte counts 2-byte words
        page[102..110].copy_from_slice(&[0x07, 0x00, 0x16, 0x24, 0x01, 0x17, 0x24, 0x01]);
        let p = pap_props(&page, 100);
        assert_eq!((p.istd, p.in_table, p.ttp), (7, true, true));
        assert_eq!(pap_props(&page, 511).istd, 0);
    }

    #[test]
    fn compobj_prog_id() {
        let mut data = vec![0u8; 28];
        let user_type = b"Microsoft Excel Worksheet\0";
        data.extend_from_slice(&u32::try_from(user_type.len()).unwrap_or(0).to_le_bytes());
        data.extend_from_slice(user_type);
        data.extend_from_slice(&0xFFFF_FFFEu32.to_le_bytes());
        data.extend_from_slice(&3u32.to_le_bytes());
        data.extend_from_slice(&14u32.to_le_bytes());
        data.extend_from_slice(b"Excel.Sheet.8\0");
        assert_eq!(prog_id(&data).as_deref(), Some("Excel.Sheet.8"));
        assert_eq!(prog_id(&data[..40]), None);
        assert_eq!(prog_id(&[]), None);
    }

    #[test]
    fn not_a_compound_file() {
        for bytes in [&b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"[..], &[0xD0; 600], &[]] {
            let e = decode(bytes).expect_err("not readable");
            assert_eq!(e.code(), "decode.doc_corrupt");
        }
    }

    #[test]
    fn styles_follow_their_base_with_a_bound() {
        let styles =
            Styles { styles: vec![(Some(4), None), (None, Some(0)), (None, Some(2)), (None, Some(1))], default_ftc: 0 };
        assert_eq!(styles.font(3), Some(4));
        assert_eq!(styles.font(2), None); // a style based on itself
        assert_eq!(styles.font(99), None);
    }
}
