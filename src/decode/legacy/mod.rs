//! Legacy Vietnamese 8-bit encodings: TCVN3 (ABC), VNI-Windows, VISCII, VPS and Windows-1258.
//!
//! Most documents issued before about 2008 are not Unicode: their text is 8-bit codes that a
//! legacy font draws as Vietnamese letters. This module turns such codes into Unicode, for bare
//! byte streams (a `.txt` file), for containers that store the codes with font names (Word 97,
//! RTF) and for PDF text layers whose extracted text is the codes read through Windows-1252
//! look-alikes.
//!
//! * `tables.txt` holds the byte tables (data, one section per encoding) and `syllables.txt` a
//!   model of the Vietnamese syllable; Windows-1258 comes from encoding_rs. Output is NFC.
//! * [`detect`] scores each candidate decoding by the share of accented words that read as
//!   well-formed syllables and picks the best only when it clearly wins; a font name (`.VnTime`,
//!   `VNI-Times`) is a hint the score can overrule.
//! * TCVN3 has no codes for capitals with tone marks: documents show capitals with an all-capital
//!   font (`.VnTimeH`). Runs in such fonts are upper-cased; where no font is named, the text stays
//!   lower-case and `decode.tcvn3_capitals_lost` says so.
//!
//! Entry points: [`decode_legacy_bytes`] (a bare byte stream), [`decode_runs`] (container runs
//! with their fonts), [`decode_lookalike_text`] and [`push_lookalikes`] (PDF text layers),
//! [`decode_with`] (a known encoding).
//!
//! Diagnostic codes: `decode.legacy_encoding_detected` (info: which encoding, with the scores),
//! `decode.legacy_encoding_guessed` (warning, lossy: the best reading does not clearly win),
//! `decode.legacy_encoding` (error: no candidate reads the bytes), `decode.legacy_mixed_unicode`
//! (info: UTF-8 characters kept inside legacy bytes), `decode.tcvn3_capitals_restored` (info),
//! `decode.tcvn3_capitals_lost` (warning).

mod builder;
mod detect;
mod fonts;
mod syllable;
mod tables;
#[cfg(test)]
mod tests;

use std::borrow::Cow;

use unicode_normalization::UnicodeNormalization;

use super::DecodeError;
use crate::model::{Diagnostic, Encoding, Severity};
pub(crate) use builder::RunBuilder;
pub(crate) use detect::{Verdict, label};
pub(crate) use fonts::{Family, FontKind, classify_font};

/// Bytes of 8-bit text fed to detection at most (detection stops after its word budget anyway).
const DETECT_BYTES: usize = 2 * 1024 * 1024;

/// One stretch of text from a container, in one font.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Run {
    /// The font the stretch is shown in.
    pub(crate) font: FontKind,
    /// The text or the codes.
    pub(crate) content: Content,
}

/// What a [`Run`] holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Content {
    /// 8-bit codes in the container's ANSI code page (Windows-1252): Windows-1252 text, or
    /// legacy Vietnamese codes when the font (and the syllable score) says so.
    Ansi(Vec<u8>),
    /// Bytes in a code page the container names (RTF `\fcharset163` is Windows-1258).
    CodePage(&'static encoding_rs::Encoding, Vec<u8>),
    /// Unicode text.
    Text(String),
}

impl Run {
    /// 8-bit codes in `font`.
    pub(crate) fn ansi(font: FontKind, bytes: Vec<u8>) -> Run {
        Run { font, content: Content::Ansi(bytes) }
    }

    /// Unicode text in `font`.
    pub(crate) fn text(font: FontKind, text: String) -> Run {
        Run { font, content: Content::Text(text) }
    }
}

/// Decoded legacy text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LegacyText {
    /// The text, NFC.
    pub(crate) text: String,
    /// The legacy encoding read, if any (`None`: Windows-1252 or Unicode throughout).
    pub(crate) encoding: Option<Encoding>,
    /// What was detected, guessed or lost.
    pub(crate) diagnostics: Vec<Diagnostic>,
    /// Something material was guessed or lost.
    pub(crate) lossy: bool,
}

/// Where runs come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    /// A container that names fonts (Word, RTF, PDF): plain Windows-1252 is a valid reading.
    Container,
    /// A bare byte stream already known not to be UTF-8: it must read as a legacy encoding.
    Bare,
}

/// Decode a bare byte stream that is not UTF-8 (a `.txt` file in TCVN3, VNI …); `hint` is an
/// encoding named by the caller, if any. Valid UTF-8 sequences of Vietnamese letters and
/// punctuation inside the bytes (files edited with a Unicode tool) are kept as they are.
///
/// # Errors
/// [`DecodeError::LegacyEncoding`] when no candidate encoding reads the bytes as Vietnamese.
pub(crate) fn decode_legacy_bytes(bytes: &[u8], hint: Option<Encoding>) -> Result<LegacyText, DecodeError> {
    let (runs, kept) = split_utf8(bytes);
    let (mut out, detection) = resolve(&runs, Origin::Bare, hint);
    match detection.verdict {
        Verdict::Clear(_) | Verdict::Guess(_) => {}
        Verdict::Nothing | Verdict::Unreadable => {
            let invalid = bytes.iter().filter(|&&b| b >= 0x80).count();
            let first = bytes.iter().position(|&b| b >= 0x80).unwrap_or(0);
            return Err(DecodeError::LegacyEncoding { invalid, first });
        }
    }
    if kept > 0 {
        out.diagnostics.push(Diagnostic::new(
            Severity::Info,
            "decode.legacy_mixed_unicode",
            format!("kept {kept} UTF-8 character{} found among the legacy bytes", if kept == 1 { "" } else { "s" }),
        ));
    }
    Ok(out)
}

/// Decode container runs: detect the legacy encoding of the 8-bit runs (hinted by their fonts),
/// decode them with it (or as Windows-1252 when no legacy encoding reads them), restore the
/// capitals of all-capital TCVN3 fonts, and compose to NFC.
pub(crate) fn decode_runs(runs: &[Run]) -> LegacyText {
    resolve(runs, Origin::Container, None).0
}

/// Decode the text of a PDF text layer whose fonts may be legacy ones: characters that stand
/// for 8-bit codes through Windows-1252 (or the look-alikes PDF tools produce, U+2212 for the
/// code 0xAD, U+2219 for 0xB7) are mapped back to the codes and decoded. `font_names` are the
/// names of the fonts the text is shown in (`GDNPNI+VnTime` …).
///
/// Returns `None` when the text does not clearly read as a legacy encoding (leave it as it is).
/// To keep per-font capitals (`VnTimeH`), build runs with [`push_lookalikes`] per font span and
/// call [`decode_runs`] instead.
// Called by the PDF decoder for text layers in legacy fonts (dev/027).
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn decode_lookalike_text(text: &str, font_names: &[&str]) -> Option<LegacyText> {
    let family = font_names
        .iter()
        .map(|n| classify_font(n).family)
        .find(|f| !matches!(f, Family::Other | Family::Symbol | Family::Dingbats))
        .unwrap_or_default();
    let mut runs = Vec::new();
    push_lookalikes(text, FontKind { family, caps: false }, &mut runs);
    let (mut out, detection) = resolve(&runs, Origin::Container, None);
    let changed = out.text != text.nfc().collect::<String>();
    if !(changed && matches!(detection.verdict, Verdict::Clear(_))) {
        return None;
    }
    if out.encoding == Some(Encoding::Tcvn3) && font_names.iter().any(|n| classify_font(n).caps) {
        out.diagnostics.push(Diagnostic::new(
            Severity::Warning,
            "decode.tcvn3_capitals_lost",
            "some text is shown in an all-capital TCVN3 font (.VnTimeH), but which text is not known here: \
             it stays lower-case",
        ));
    }
    Some(out)
}

/// Append `text`, shown in `font`, to `runs`: characters that stand for an 8-bit code (see
/// [`lookalike_byte`]) as [`Content::Ansi`] runs, the others as [`Content::Text`] runs.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn push_lookalikes(text: &str, font: FontKind, runs: &mut Vec<Run>) {
    let mut bytes = Vec::new();
    let mut other = String::new();
    for c in text.chars() {
        match lookalike_byte(c) {
            Some(b) => {
                if !other.is_empty() {
                    runs.push(Run::text(font, std::mem::take(&mut other)));
                }
                bytes.push(b);
            }
            None => {
                if !bytes.is_empty() {
                    runs.push(Run::ansi(font, std::mem::take(&mut bytes)));
                }
                other.push(c);
            }
        }
    }
    if !bytes.is_empty() {
        runs.push(Run::ansi(font, bytes));
    }
    if !other.is_empty() {
        runs.push(Run::text(font, other));
    }
}

/// The 8-bit code a character stands for when legacy codes were read as Windows-1252: ASCII and
/// Latin-1 as themselves, the Windows-1252 characters of 0x80-0x9F, C1 controls as their byte,
/// and the look-alikes PDF text extraction produces for glyph names (U+2212 MINUS SIGN for
/// 0xAD, U+2219 BULLET OPERATOR for 0xB7).
pub(crate) fn lookalike_byte(c: char) -> Option<u8> {
    if let Ok(b) = u8::try_from(c) {
        return Some(b);
    }
    match c {
        '\u{2212}' => Some(0xAD),
        '\u{2219}' => Some(0xB7),
        '\u{FFFD}' => None,
        _ => (0x80..=0x9F).find(|&b| tables::cp1252().get(b).starts_with(c)),
    }
}

/// Decode `bytes` in a known legacy `encoding` (TCVN3, VNI, VISCII, VPS, Windows-1258), to NFC.
/// Other encodings read the bytes as Windows-1252.
pub(crate) fn decode_with(bytes: &[u8], encoding: Encoding) -> String {
    let raw: Cow<'_, str> = if encoding == Encoding::Windows1258 {
        encoding_rs::WINDOWS_1258.decode_without_bom_handling(bytes).0
    } else {
        let table = tables::table(encoding).unwrap_or_else(tables::cp1252);
        Cow::Owned(bytes.iter().map(|&b| table.get(b)).collect())
    };
    if matches!(encoding, Encoding::Vni | Encoding::Windows1258) && raw.chars().any(is_mark) {
        repair_marks(&raw).nfc().collect()
    } else {
        raw.nfc().collect()
    }
}

/// A combining mark (the tone and vowel marks of the composing encodings).
fn is_mark(c: char) -> bool {
    ('\u{0300}'..='\u{036F}').contains(&c)
}

/// Typing slips that mark-after-letter encodings (VNI, Windows-1258) show harmlessly, since a
/// mark glyph is drawn over whatever precedes it: a mark typed after the space or the closing
/// punctuation that follows a vowel ("sơ ̉bằng", "giơ)̀") goes back onto the vowel, and the same
/// mark typed twice in a row ("Că̆n") counts once.
fn repair_marks(raw: &str) -> String {
    let mut out: Vec<char> = Vec::with_capacity(raw.len());
    for c in raw.chars() {
        if is_mark(c) {
            if out.last() == Some(&c) {
                continue;
            }
            let n = out.len();
            if n >= 2 && matches!(out[n - 1], ' ' | ')' | ',' | '.' | ';' | ':' | '"' | '\'') {
                let vowel_end = out[..n - 1].iter().rposition(|&p| !is_mark(p));
                if let Some(v) = vowel_end
                    && std::iter::once(out[v]).nfd().next().is_some_and(|b| "aeiouyAEIOUY".contains(b))
                    && !out[v + 1..n - 1].contains(&c)
                {
                    out.insert(n - 1, c);
                    continue;
                }
            }
        }
        out.push(c);
    }
    out.into_iter().collect()
}

/// `bytes` read as Windows-1252 (the five undefined codes as U+FFFD).
pub(crate) fn windows_1252(bytes: &[u8]) -> String {
    let table = tables::cp1252();
    bytes.iter().map(|&b| table.get(b)).collect()
}

/// A letter or a combining mark: what words are made of.
pub(crate) fn is_word_char(c: char) -> bool {
    c.is_alphabetic() || ('\u{0300}'..='\u{036F}').contains(&c)
}

/// Detect and decode `runs`.
fn resolve(runs: &[Run], origin: Origin, hint: Option<Encoding>) -> (LegacyText, detect::Detection) {
    let fonts_hint = font_hint(runs);
    let named =
        runs.iter().any(|r| matches!(r.font.family, Family::Tcvn3 | Family::Vni | Family::Vps | Family::Viscii));
    let mut stream = Vec::new();
    for run in runs {
        if stream.len() >= DETECT_BYTES {
            break;
        }
        match &run.content {
            Content::Ansi(bytes) if !matches!(run.font.family, Family::Symbol | Family::Dingbats) => {
                stream.extend_from_slice(bytes);
            }
            _ => stream.push(b' '),
        }
    }
    let detection = detect::detect(&stream, hint.or(fonts_hint));
    let mut diagnostics = Vec::new();
    let mut lossy = false;
    let chosen = match detection.verdict {
        Verdict::Clear(e) => {
            diagnostics.push(Diagnostic::new(
                Severity::Info,
                "decode.legacy_encoding_detected",
                format!("read as {}: {}", label(e), detection.summary()),
            ));
            Some(e)
        }
        Verdict::Guess(e) => {
            lossy = true;
            diagnostics.push(Diagnostic::new(
                Severity::Warning,
                "decode.legacy_encoding_guessed",
                format!("read as {}, but no encoding clearly wins: {}", label(e), detection.summary()),
            ));
            Some(e)
        }
        Verdict::Nothing => hint.or(fonts_hint),
        Verdict::Unreadable => match (origin, hint.or(fonts_hint)) {
            (Origin::Container, Some(e)) => {
                lossy = true;
                diagnostics.push(Diagnostic::new(
                    Severity::Warning,
                    "decode.legacy_encoding_guessed",
                    format!(
                        "the fonts say {}, but the text reads as no known encoding: {}",
                        label(e),
                        detection.summary()
                    ),
                ));
                Some(e)
            }
            _ => None,
        },
    };

    let mut text = String::new();
    let mut capitalized = 0usize;
    let mut code_page_1258 = false;
    for run in runs {
        let piece: Cow<'_, str> = match &run.content {
            Content::Ansi(bytes) if run.font.family == Family::Symbol => Cow::Owned(symbols(bytes, true)),
            Content::Ansi(bytes) if run.font.family == Family::Dingbats => Cow::Owned(symbols(bytes, false)),
            Content::Ansi(bytes) => match chosen {
                Some(e) => Cow::Owned(decode_with(bytes, e)),
                None => Cow::Owned(windows_1252(bytes)),
            },
            Content::CodePage(enc, bytes) => {
                code_page_1258 |= *enc == encoding_rs::WINDOWS_1258 && bytes.iter().any(|&b| b >= 0x80);
                Cow::Owned(enc.decode_without_bom_handling(bytes).0.nfc().collect())
            }
            Content::Text(s) => Cow::Borrowed(s.as_str()),
        };
        let caps = run.font.caps && matches!(chosen, Some(Encoding::Tcvn3) | None);
        if caps && piece.chars().any(char::is_lowercase) {
            capitalized += 1;
            text.extend(piece.chars().flat_map(char::to_uppercase));
        } else {
            text.push_str(&piece);
        }
    }
    let text: String = if text.is_ascii() { text } else { text.nfc().collect() };
    if capitalized > 0 {
        diagnostics.push(Diagnostic::new(
            Severity::Info,
            "decode.tcvn3_capitals_restored",
            format!(
                "upper-cased {capitalized} run{} shown in all-capital TCVN3 fonts (.VnTimeH …)",
                plural(capitalized)
            ),
        ));
    }
    if chosen == Some(Encoding::Tcvn3) && !named {
        diagnostics.push(Diagnostic::new(
            Severity::Warning,
            "decode.tcvn3_capitals_lost",
            "TCVN3 has no codes for capitals with tone marks and no font names say which text was shown in an \
             all-capital font (.VnTimeH): such text stays lower-case",
        ));
    }
    let encoding = chosen.or(code_page_1258.then_some(Encoding::Windows1258));
    (LegacyText { text, encoding, diagnostics, lossy }, detection)
}

/// The legacy encoding the fonts of the 8-bit runs name, weighted by the accented codes shown
/// in each; `None` when no legacy font shows any.
fn font_hint(runs: &[Run]) -> Option<Encoding> {
    let mut weight = [0usize; 4];
    for run in runs {
        let Content::Ansi(bytes) = &run.content else { continue };
        let slot = match run.font.family {
            Family::Tcvn3 => 0,
            Family::Vni => 1,
            Family::Vps => 2,
            Family::Viscii => 3,
            Family::Other | Family::Symbol | Family::Dingbats => continue,
        };
        weight[slot] += bytes.iter().filter(|&&b| b >= 0x80).count() + 1;
    }
    let (slot, &w) = weight.iter().enumerate().max_by_key(|&(i, w)| (*w, std::cmp::Reverse(i)))?;
    (w > 0).then(|| [Encoding::Tcvn3, Encoding::Vni, Encoding::Vps, Encoding::Viscii][slot])
}

/// Codes shown in a symbol font: for the Symbol font (`greek`), the Greek letters and the
/// mathematical signs documents use (Σ ≤ ≥ ± × ÷ → ⇒ °), with ASCII digits and punctuation as
/// themselves; for picture fonts (Wingdings …) and any other code, a bullet.
pub(crate) fn symbol_char(code: u8, greek: bool) -> char {
    const UPPER: &str = "ΑΒΧΔΕΦΓΗΙϑΚΛΜΝΟΠΘΡΣΤΥςΩΞΨΖ";
    const LOWER: &str = "αβχδεφγηιϕκλμνοπθρστυϖωξψζ";
    if !greek {
        return if code == b' ' { ' ' } else { '•' };
    }
    match code {
        b'A'..=b'Z' => UPPER.chars().nth(usize::from(code - b'A')).unwrap_or('•'),
        b'a'..=b'z' => LOWER.chars().nth(usize::from(code - b'a')).unwrap_or('•'),
        b' ' | b'\t' | b'0'..=b'9' | b'(' | b')' | b'+' | b'=' | b'.' | b',' | b'/' | b':' | b';' | b'<' | b'>' => {
            char::from(code)
        }
        0x2D => '\u{2212}',
        0xA3 => '≤',
        0xA5 => '∞',
        0xAB => '↔',
        0xAC => '←',
        0xAD => '↑',
        0xAE => '→',
        0xAF => '↓',
        0xB0 => '°',
        0xB1 => '±',
        0xB3 => '≥',
        0xB4 => '×',
        0xB8 => '÷',
        0xB9 => '≠',
        0xBA => '≡',
        0xBB => '≈',
        0xBC => '…',
        0xD6 => '√',
        0xDB => '⇔',
        0xDE => '⇒',
        0xE5 => '∑',
        _ => '•',
    }
}

fn symbols(bytes: &[u8], greek: bool) -> String {
    bytes.iter().map(|&b| symbol_char(b, greek)).collect()
}

/// Split a bare byte stream into 8-bit runs and the valid UTF-8 characters found among them
/// that are plausible in Vietnamese text (letters with Vietnamese diacritics, combining tone
/// marks, general punctuation, ₫ and €). UTF-8 sequences of other characters are far likelier
/// to be two legacy codes that happen to form one. Returns the runs and the characters kept.
fn split_utf8(bytes: &[u8]) -> (Vec<Run>, usize) {
    let font = FontKind::default();
    let mut runs = Vec::new();
    let mut pending = Vec::new();
    let mut kept = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let len = match b {
            0xC3..=0xDF => 2,
            0xE0..=0xEF => 3,
            _ => 0,
        };
        if len > 0
            && let Some(seq) = bytes.get(i..i + len)
            && let Ok(s) = std::str::from_utf8(seq)
            && s.chars().all(plausible_in_legacy)
        {
            if !pending.is_empty() {
                runs.push(Run::ansi(font, std::mem::take(&mut pending)));
            }
            match runs.last_mut() {
                Some(Run { content: Content::Text(t), .. }) => t.push_str(s),
                _ => runs.push(Run::text(font, s.to_owned())),
            }
            kept += 1;
            i += len;
            continue;
        }
        pending.push(b);
        i += 1;
    }
    if !pending.is_empty() {
        runs.push(Run::ansi(font, pending));
    }
    (runs, kept)
}

/// Characters a UTF-8 sequence inside legacy bytes is kept as (see [`split_utf8`]).
fn plausible_in_legacy(c: char) -> bool {
    matches!(c,
        '\u{00C0}'..='\u{00FF}'
        | 'Ă' | 'ă' | 'Đ' | 'đ' | 'Ĩ' | 'ĩ' | 'Ũ' | 'ũ' | 'Ơ' | 'ơ' | 'Ư' | 'ư'
        | '\u{0300}' | '\u{0301}' | '\u{0303}' | '\u{0309}' | '\u{0323}'
        | '\u{1EA0}'..='\u{1EF9}'
        | '\u{2010}'..='\u{2027}' | '\u{2030}'..='\u{203A}'
        | '₫' | '€')
}

const fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
