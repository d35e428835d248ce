//! Rich Text Format (`.rtf`).
//!
//! A tokenizer for groups and control words, with one state per group (font, Unicode skip count,
//! hidden text, table paragraph, destination being skipped). Text bytes (`\'hh` and raw bytes)
//! are kept in the code page of their font's `\fcharset` (or the document's `\ansicpg`); bytes
//! in ANSI fonts go through [`legacy::decode_runs`], which reads them as TCVN3, VNI … when the
//! font names and the syllable score say so. `\uN` is Unicode. Ignorable destinations
//! (`{\*…}`), the font table (read for the font names), the colour table, the style sheet,
//! `\info`, pictures, headers, footers and footnotes are not text. `\par` and `\line` end lines;
//! `\cell` and `\row` lay a table row out as one line of TAB-separated cells.
//!
//! Malformed input is bounded: groups deeper than [`MAX_DEPTH`] share the state of the group at
//! that depth, unbalanced braces are counted and reported, `\bin` skips at most the bytes left,
//! and the whole pass is one loop over the bytes (no recursion).
//!
//! Diagnostic codes: `decode.rtf_unbalanced_groups` (warning: braces that do not pair up),
//! `decode.rtf_too_deep` (warning: groups nested deeper than vanban follows),
//! `decode.rtf_embedded_object` (warning, lossy: `\object`s whose content is not read),
//! `decode.rtf_stories_skipped` (info: footnotes and comments not read).

use super::DecodeError;
use super::legacy::{self, Family, FontKind, LegacyText, Run, RunBuilder, classify_font};
use crate::model::{Diagnostic, Severity};

/// Groups nest at most this deep; deeper ones share the state at this depth.
const MAX_DEPTH: usize = 256;
/// Fonts in the font table at most.
const MAX_FONTS: usize = 4096;

/// Destinations whose content is not text.
const SKIPPED: [&str; 30] = [
    "fonttbl",
    "colortbl",
    "stylesheet",
    "info",
    "pict",
    "header",
    "headerl",
    "headerr",
    "headerf",
    "footer",
    "footerl",
    "footerr",
    "footerf",
    "footnote",
    "annotation",
    "atnid",
    "atnauthor",
    "xe",
    "tc",
    "fldinst",
    "listtable",
    "listoverridetable",
    "revtbl",
    "rsidtbl",
    "filetbl",
    "pgdsctbl",
    "objdata",
    "objclass",
    "datafield",
    "template",
];

/// How a font's bytes are to be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Charset {
    /// The document's ANSI code page when it is Windows-1252: legacy Vietnamese codes possible.
    Ansi,
    /// A code page encoding_rs reads.
    CodePage(&'static encoding_rs::Encoding),
}

#[derive(Debug, Clone)]
struct Font {
    number: i32,
    kind: FontKind,
    charset: Charset,
}

/// The state a group carries.
#[derive(Debug, Clone, Copy)]
struct State {
    /// Index into the font list (`None`: the default font).
    font: Option<usize>,
    /// Characters to skip after `\uN`.
    uc: u32,
    /// Not text: an ignorable or known non-text destination.
    skip: bool,
    /// In the font table.
    font_table: bool,
    /// In a group of the font table that is not the font name (`{\*\panose …}`).
    name_off: bool,
    /// Hidden text (`\v`).
    hidden: bool,
    /// The paragraph is in a table (`\intbl`).
    in_table: bool,
}

impl Default for State {
    fn default() -> Self {
        State { font: None, uc: 1, skip: false, font_table: false, name_off: false, hidden: false, in_table: false }
    }
}

/// Decode the RTF document in `bytes`.
///
/// # Errors
/// Never at present: malformed RTF gives what could be read and diagnostics.
pub(super) fn decode(bytes: &[u8]) -> Result<LegacyText, DecodeError> {
    let mut p = Parser::new(bytes);
    p.run();
    let runs = p.finish();
    let mut out = legacy::decode_runs(&runs);
    if p.unbalanced_open > 0 || p.unbalanced_close > 0 {
        out.diagnostics.push(Diagnostic::new(
            Severity::Warning,
            "decode.rtf_unbalanced_groups",
            format!(
                "the RTF groups do not balance: {} left open at the end, {} closing braces without a group",
                p.unbalanced_open, p.unbalanced_close
            ),
        ));
    }
    if p.too_deep > 0 {
        out.diagnostics.push(Diagnostic::new(
            Severity::Warning,
            "decode.rtf_too_deep",
            format!("{} groups nested deeper than {MAX_DEPTH} were read with the state of their parent", p.too_deep),
        ));
    }
    if p.notes > 0 {
        out.diagnostics.push(Diagnostic::new(
            Severity::Info,
            "decode.rtf_stories_skipped",
            format!("{} footnote{} or comment{} not read", p.notes, plural(p.notes), plural(p.notes)),
        ));
    }
    if p.objects > 0 {
        out.lossy = true;
        out.diagnostics.push(Diagnostic::new(
            Severity::Warning,
            "decode.rtf_embedded_object",
            format!(
                "{} embedded object{} not read: what they hold (a table, a chart …) may be missing from the text",
                p.objects,
                if p.objects == 1 { "" } else { "s" }
            ),
        ));
    }
    Ok(out)
}

struct Parser<'a> {
    bytes: &'a [u8],
    at: usize,
    state: State,
    stack: Vec<State>,
    /// Groups opened beyond [`MAX_DEPTH`] and not yet closed.
    overflow: usize,
    fonts: Vec<Font>,
    default_font: i32,
    ansi: Charset,
    /// Characters still to skip after a `\uN`.
    skip_chars: u32,
    /// The first control word of the group has not been seen yet (for `{\*\…}`).
    group_start: bool,
    ignorable: bool,
    out: RunBuilder,
    /// The font name being read in the font table.
    font_name: Vec<u8>,
    unbalanced_open: usize,
    unbalanced_close: usize,
    too_deep: usize,
    objects: usize,
    /// Footnotes and comments skipped.
    notes: usize,
}

impl<'a> Parser<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Parser {
            bytes,
            at: 0,
            state: State::default(),
            stack: Vec::new(),
            overflow: 0,
            fonts: Vec::new(),
            default_font: 0,
            ansi: Charset::Ansi,
            skip_chars: 0,
            group_start: false,
            ignorable: false,
            out: RunBuilder::default(),
            font_name: Vec::new(),
            unbalanced_open: 0,
            unbalanced_close: 0,
            too_deep: 0,
            objects: 0,
            notes: 0,
        }
    }

    fn run(&mut self) {
        while let Some(&b) = self.bytes.get(self.at) {
            self.at += 1;
            match b {
                b'{' => self.open(),
                b'}' => self.close(),
                b'\\' => self.control(),
                b'\r' | b'\n' | 0 => {}
                b'\t' => self.special('\t'),
                _ => {
                    self.group_start = false;
                    self.byte(b);
                }
            }
        }
    }

    fn finish(&mut self) -> Vec<Run> {
        self.unbalanced_open = self.stack.len() + self.overflow;
        std::mem::take(&mut self.out).finish()
    }

    fn open(&mut self) {
        if self.stack.len() >= MAX_DEPTH {
            self.overflow += 1;
            self.too_deep += 1;
        } else {
            self.stack.push(self.state);
        }
        self.group_start = true;
        self.ignorable = false;
    }

    fn close(&mut self) {
        self.group_start = false;
        if self.overflow > 0 {
            self.overflow -= 1;
        } else if let Some(state) = self.stack.pop() {
            if self.state.font_table && !state.font_table {
                self.end_font_name();
            }
            self.state = state;
        } else {
            self.unbalanced_close += 1;
        }
    }

    fn control(&mut self) {
        let Some(&c) = self.bytes.get(self.at) else { return };
        self.at += 1;
        match c {
            b'a'..=b'z' | b'A'..=b'Z' => {
                let start = self.at - 1;
                while self.bytes.get(self.at).is_some_and(u8::is_ascii_alphabetic) && self.at - start < 32 {
                    self.at += 1;
                }
                let word = &self.bytes[start..self.at];
                let param = self.param();
                if self.bytes.get(self.at) == Some(&b' ') {
                    self.at += 1;
                }
                let first = std::mem::take(&mut self.group_start);
                let ignorable = std::mem::take(&mut self.ignorable);
                self.word(std::str::from_utf8(word).unwrap_or(""), param, first, ignorable);
            }
            b'\'' => {
                self.group_start = false;
                let hex = self.bytes.get(self.at..self.at + 2).and_then(|h| std::str::from_utf8(h).ok());
                if let Some(b) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    self.at += 2;
                    self.byte(b);
                }
            }
            b'*' => self.ignorable = true,
            b'\\' | b'{' | b'}' => {
                self.group_start = false;
                self.byte(c);
            }
            b'~' => self.special('\u{A0}'),
            b'_' => self.special('-'),
            b'\r' | b'\n' => self.paragraph(),
            _ => {} // \- optional hyphen, \: index sub-entry …
        }
    }

    /// The numeric parameter of a control word, if any.
    fn param(&mut self) -> Option<i32> {
        let start = self.at;
        if self.bytes.get(self.at) == Some(&b'-') {
            self.at += 1;
        }
        let digits = self.at;
        while self.bytes.get(self.at).is_some_and(u8::is_ascii_digit) && self.at - digits < 10 {
            self.at += 1;
        }
        if self.at == digits {
            self.at = start;
            return None;
        }
        let text = std::str::from_utf8(&self.bytes[start..self.at]).unwrap_or("0");
        Some(text.parse::<i64>().unwrap_or(0).clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32)
    }

    fn word(&mut self, word: &str, param: Option<i32>, first: bool, ignorable: bool) {
        if first && ignorable {
            // `{\*\dest …}`: a destination readers may skip.
            self.state.skip = true;
            self.state.name_off = self.state.font_table;
            return;
        }
        if first && SKIPPED.contains(&word) {
            self.notes += usize::from(matches!(word, "footnote" | "annotation") && !self.state.skip);
            self.state.skip = true;
            if word == "fonttbl" {
                self.state.font_table = true;
            }
            return;
        }
        let n = param.unwrap_or(0);
        match word {
            "f" if self.state.font_table => self.start_font(n),
            "fcharset" if self.state.font_table => {
                if let Some(font) = self.fonts.last_mut() {
                    font.charset = charset(n, self.ansi);
                }
            }
            "f" => self.state.font = self.fonts.iter().position(|f| f.number == n),
            "deff" => self.default_font = n,
            "plain" => {
                self.state.font = None;
                self.state.hidden = false;
            }
            "ansicpg" => self.ansi = code_page(n),
            "mac" => self.ansi = Charset::CodePage(encoding_rs::MACINTOSH),
            "uc" => self.state.uc = u32::try_from(n).unwrap_or(1).min(8),
            "u" => {
                let code = if n < 0 { n + 65536 } else { n };
                let c = u32::try_from(code).ok().and_then(char::from_u32).unwrap_or('\u{FFFD}');
                self.unicode(c);
                self.skip_chars = self.state.uc;
            }
            "v" => self.state.hidden = param != Some(0),
            "bin" => {
                let skip = usize::try_from(n).unwrap_or(0).min(self.bytes.len() - self.at);
                self.at += skip;
            }
            "object" => self.objects += 1,
            "par" | "sect" | "page" | "line" => self.paragraph(),
            "pard" => self.state.in_table = false,
            "intbl" => self.state.in_table = true,
            "cell" if !self.state.skip => self.out.cell_end(),
            "row" if !self.state.skip => self.out.row_end(),
            "nestcell" => self.special(' '),
            "tab" => self.special('\t'),
            "emdash" => self.special('—'),
            "endash" => self.special('–'),
            "bullet" => self.special('•'),
            "lquote" => self.special('‘'),
            "rquote" => self.special('’'),
            "ldblquote" => self.special('“'),
            "rdblquote" => self.special('”'),
            "emspace" | "enspace" | "qmspace" => self.special(' '),
            _ => {}
        }
    }

    fn start_font(&mut self, number: i32) {
        self.end_font_name();
        if self.fonts.len() < MAX_FONTS {
            self.fonts.push(Font { number, kind: FontKind::default(), charset: self.ansi });
            self.font_name.clear();
        }
    }

    fn end_font_name(&mut self) {
        if let Some(font) = self.fonts.last_mut()
            && !self.font_name.is_empty()
        {
            let name = legacy::windows_1252(&self.font_name);
            font.kind = classify_font(name.trim().trim_end_matches(';'));
            // Legacy and symbol fonts show their own codes whatever the code page says.
            if font.kind.family != Family::Other {
                font.charset = Charset::Ansi;
            }
            self.font_name.clear();
        }
    }

    /// A text byte (`\'hh` or raw).
    fn byte(&mut self, b: u8) {
        if self.state.font_table {
            if !self.state.name_off {
                if b == b';' {
                    self.end_font_name();
                } else if self.font_name.len() < 256 {
                    self.font_name.push(b);
                }
            }
            return;
        }
        if self.skip_chars > 0 {
            self.skip_chars -= 1;
            return;
        }
        if self.state.skip || self.state.hidden {
            return;
        }
        let (kind, charset) = self.font();
        match charset {
            Charset::Ansi => self.out.push_byte(kind, b, self.state.in_table),
            Charset::CodePage(enc) => self.out.push_code(kind, enc, b, self.state.in_table),
        }
    }

    fn unicode(&mut self, c: char) {
        if self.state.skip || self.state.hidden || self.state.font_table {
            return;
        }
        let (kind, _) = self.font();
        match legacy::lookalike_byte(c) {
            // A legacy font's code written as \uN (its Windows-1252 character).
            Some(b) if !matches!(kind.family, Family::Other | Family::Symbol | Family::Dingbats) => {
                self.out.push_byte(kind, b, self.state.in_table);
            }
            _ => self.out.push_char(kind, c, self.state.in_table),
        }
    }

    /// A character from a control symbol or word.
    fn special(&mut self, c: char) {
        self.group_start = false;
        if self.skip_chars > 0 {
            self.skip_chars -= 1;
            return;
        }
        if self.state.skip || self.state.hidden || self.state.font_table {
            return;
        }
        let in_table = self.state.in_table;
        let c = if c == '\t' && in_table { ' ' } else { c };
        self.out.push_char(FontKind::default(), c, in_table);
    }

    fn paragraph(&mut self) {
        self.group_start = false;
        if self.state.skip || self.state.font_table {
            return;
        }
        let in_table = self.state.in_table;
        self.out.push_char(FontKind::default(), if in_table { ' ' } else { '\n' }, in_table);
    }

    /// The current font and how to read its bytes.
    fn font(&self) -> (FontKind, Charset) {
        let font = match self.state.font {
            Some(i) => self.fonts.get(i),
            None => self.fonts.iter().find(|f| f.number == self.default_font),
        };
        font.map_or((FontKind::default(), self.ansi), |f| (f.kind, f.charset))
    }
}

const fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The code page of `\fcharsetN`.
fn charset(n: i32, ansi: Charset) -> Charset {
    let enc = match n {
        0 | 1 => return ansi,
        2 => return Charset::Ansi,
        77 => encoding_rs::MACINTOSH,
        128 => encoding_rs::SHIFT_JIS,
        129 => encoding_rs::EUC_KR,
        134 => encoding_rs::GBK,
        136 => encoding_rs::BIG5,
        161 => encoding_rs::WINDOWS_1253,
        162 => encoding_rs::WINDOWS_1254,
        163 => encoding_rs::WINDOWS_1258,
        177 => encoding_rs::WINDOWS_1255,
        178 => encoding_rs::WINDOWS_1256,
        186 => encoding_rs::WINDOWS_1257,
        204 => encoding_rs::WINDOWS_1251,
        222 => encoding_rs::WINDOWS_874,
        238 => encoding_rs::WINDOWS_1250,
        _ => return ansi,
    };
    Charset::CodePage(enc)
}

/// The code page of `\ansicpgN`.
fn code_page(n: i32) -> Charset {
    let enc = match n {
        1252 => return Charset::Ansi,
        1250 => encoding_rs::WINDOWS_1250,
        1251 => encoding_rs::WINDOWS_1251,
        1253 => encoding_rs::WINDOWS_1253,
        1254 => encoding_rs::WINDOWS_1254,
        1255 => encoding_rs::WINDOWS_1255,
        1256 => encoding_rs::WINDOWS_1256,
        1257 => encoding_rs::WINDOWS_1257,
        1258 => encoding_rs::WINDOWS_1258,
        874 => encoding_rs::WINDOWS_874,
        932 => encoding_rs::SHIFT_JIS,
        936 => encoding_rs::GBK,
        949 => encoding_rs::EUC_KR,
        950 => encoding_rs::BIG5,
        10000 => encoding_rs::MACINTOSH,
        _ => return Charset::Ansi,
    };
    Charset::CodePage(enc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Encoding;

    fn text(rtf: &str) -> LegacyText {
        decode(rtf.as_bytes()).expect("RTF decodes")
    }

    const HEAD: &str = "{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0\\froman\\fcharset0 Times New Roman;}\
        {\\f1\\fswiss\\fcharset0{\\*\\panose 020b7200000000000000}.VnTime;}{\\f2\\fcharset163 Arial;}\
        {\\f3\\fswiss\\fcharset0 .VnTimeH;}{\\f4\\fcharset2 Symbol;}}";

    #[test]
    fn unicode_and_code_pages() {
        // \uN with its fallback skipped; Windows-1258 bytes in a \fcharset163 font.
        let out = text(&format!("{HEAD}\\f0 Vi\\u7879?t Nam, \\f2 Vi\\'ea\\'f2t\\par}}"));
        assert_eq!(out.text, "Việt Nam, Việt\n");
        assert_eq!(out.encoding, Some(Encoding::Windows1258));
        // \uc2: two fallback characters.
        assert_eq!(text(&format!("{HEAD}\\uc2 \\u273\\'64\\'64 i\\par}}")).text, "đ i\n");
    }

    #[test]
    fn legacy_fonts_and_capitals() {
        let out = text(&format!(
            "{HEAD}{{\\f3 c\\'f1a ch\\'ddnh ph\\'f1}}\\par \\f1 C\\'a8n c\\'f8 Lu\\'cbt T\\'e6 ch\\'f8c Ch\\'ddnh ph\\'f1 \
             ng\\'b5y 30 th\\'b8ng 9 n\\'a8m 1992;\\par}}"
        ));
        assert_eq!(out.text, "CỦA CHÍNH PHỦ\nCăn cứ Luật Tổ chức Chính phủ ngày 30 tháng 9 năm 1992;\n");
        assert_eq!(out.encoding, Some(Encoding::Tcvn3));
    }

    #[test]
    fn destinations_fields_tables() {
        let out = text(&format!(
            "{HEAD}{{\\header page header\\par}}{{\\*\\generator Word;}}{{\\info{{\\title T}}}}\
             {{\\field{{\\*\\fldinst HYPERLINK \"http://x\"}}{{\\fldrslt link}}}} {{\\v hidden}}shown\\line\
             \\trowd\\cellx100\\cellx200\\pard\\intbl a\\par b\\cell c\\tab d\\cell\\row\\pard after\\par\
             {{\\pict\\pngblip 89504e47}}{{\\f4 \\'b7}} item{{\\footnote note}} \\bin4 {{}}x done}}"
        ));
        assert_eq!(out.text, "link shown\na b\tc d\nafter\n• item done");
        assert!(out.diagnostics.iter().any(|d| d.code == "decode.rtf_stories_skipped"));
    }

    #[test]
    fn malformed_is_bounded() {
        let deep = format!("{HEAD}{}x{}", "{".repeat(10_000), "}".repeat(20_000));
        let out = text(&deep);
        assert_eq!(out.text, "x");
        let out = text("{\\rtf1 \\'zz\\'4 \\u99999999999 \\bin-5 \\");
        assert!(!out.text.contains('\u{0}'));
    }
}
