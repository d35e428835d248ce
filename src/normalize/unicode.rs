//! Unicode NFC.
//!
//! Converters and older Vietnamese input methods write tones as combining marks (NFD, "a" +
//! U+0301) while most text is precomposed (NFC, "á"); both look the same but do not compare
//! equal. Everything after this pass sees NFC only.
//!
//! Text that is already NFC (the common case) is detected with the quick check and returned
//! as is. Otherwise the text is cut into normalization segments (a segment starts at a
//! character that never combines with what precedes it) and only segments that are not plain
//! starters are normalized, which also counts the characters that changed.

use std::borrow::Cow;
use std::iter;

use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// True when `c` starts a new normalization segment: a starter that never composes with the
/// character before it.
fn is_segment_start(c: char) -> bool {
    // What the quick check skips are starters with NFC_QC=Yes.
    !needs_check(c) || (canonical_combining_class(c) == 0 && is_nfc_quick(iter::once(c)) == IsNormalized::Yes)
}

/// Characters the quick check can skip: below U+0300, the precomposed letters of Latin
/// Extended Additional (all of Vietnamese's toned vowels) and the dashes, quotes and other
/// punctuation of U+2010–U+2027 and U+2030–U+205E, all starters with NFC_QC=Yes. Skipping
/// starters only merges runs of marks, which can make the check stricter, never laxer, so a
/// `Yes` on the rest is a `Yes` on the whole.
fn needs_check(c: char) -> bool {
    !(c < '\u{300}'
        || ('\u{1E00}'..='\u{1EFF}').contains(&c)
        || ('\u{2010}'..='\u{2027}').contains(&c)
        || ('\u{2030}'..='\u{205E}').contains(&c))
}

/// The characters of a text that `needs_check` keeps, found by their UTF-8 bytes: most
/// Vietnamese text is skipped without decoding a character.
struct Checked<'a> {
    text: &'a str,
    at: usize,
}

impl Iterator for Checked<'_> {
    type Item = char;

    fn next(&mut self) -> Option<char> {
        let b = self.text.as_bytes();
        let mut at = self.at;
        loop {
            // ASCII, continuation bytes and the lead bytes of U+0080–U+02FF.
            while at < b.len() && b[at] < 0xCC {
                at += 1;
            }
            let Some(&lead) = b.get(at) else {
                self.at = at;
                return None;
            };
            let b1 = b.get(at + 1).copied().unwrap_or(0);
            let skip = match lead {
                // U+1E00–U+1EFF.
                0xE1 => matches!(b1, 0xB8..=0xBB),
                // U+2010–U+2027, U+2030–U+203F, U+2040–U+205E.
                0xE2 => {
                    let b2 = b.get(at + 2).copied().unwrap_or(0);
                    matches!((b1, b2), (0x80, 0x90..=0xA7 | 0xB0..=0xBF) | (0x81, 0x80..=0x9E))
                }
                _ => false,
            };
            if skip {
                at += 3;
                continue;
            }
            // `lead` is a lead byte, so `at` is a character boundary.
            let c = self.text[at..].chars().next()?;
            self.at = at + c.len_utf8();
            return Some(c);
        }
    }
}

/// `text` in NFC, and how many characters of the result came from a change (0 when none).
pub(crate) fn to_nfc(text: &str) -> (Cow<'_, str>, usize) {
    if is_nfc_quick(Checked { text, at: 0 }) == IsNormalized::Yes {
        return (Cow::Borrowed(text), 0);
    }
    let mut out = String::with_capacity(text.len());
    let mut changed = 0;
    let mut seg_start = 0;
    // The segment holds a single character that is already NFC.
    let mut seg_simple = true;
    let mut flush = |seg: &str, simple: bool, out: &mut String| {
        if simple {
            out.push_str(seg);
            return;
        }
        let before = out.len();
        out.extend(seg.nfc());
        let composed = &out[before..];
        if composed != seg {
            changed += composed.chars().count();
        }
    };
    for (i, c) in text.char_indices() {
        let start = is_segment_start(c);
        if i > seg_start && start {
            flush(&text[seg_start..i], seg_simple, &mut out);
            seg_start = i;
            seg_simple = true;
        } else if i > seg_start || !start {
            seg_simple = false;
        }
    }
    flush(&text[seg_start..], seg_simple, &mut out);
    if changed == 0 { (Cow::Borrowed(text), 0) } else { (Cow::Owned(out), changed) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skipped_characters_are_nfc_starters() {
        for c in ('\0'..='\u{10FFFF}').filter(|c| !needs_check(*c)) {
            assert_eq!(canonical_combining_class(c), 0, "{c:?}");
            assert_eq!(is_nfc_quick(iter::once(c)), IsNormalized::Yes, "{c:?}");
        }
        assert!(needs_check('\u{301}') && needs_check('\u{2126}') && needs_check('\u{2000}'));
    }

    #[test]
    fn the_byte_scan_keeps_what_needs_a_check() {
        let all: String = ('\0'..='\u{10FFFF}').collect();
        let kept: Vec<char> = Checked { text: &all, at: 0 }.collect();
        let expected: Vec<char> = all.chars().filter(|c| needs_check(*c)).collect();
        assert!(kept == expected);
    }

    #[test]
    fn nfc_text_is_borrowed() {
        let (s, n) = to_nfc("Ủy ban nhân dân tỉnh Hà Tĩnh");
        assert!(matches!(s, Cow::Borrowed(_)));
        assert_eq!(n, 0);
        assert!(matches!(to_nfc("").0, Cow::Borrowed(_)));
    }

    #[test]
    fn nfd_is_composed_and_counted() {
        // "Thủ tướng" with the hook and the horn+acute written as combining marks.
        let nfd = "Thu\u{309} tu\u{31B}o\u{31B}\u{301}ng";
        let (s, n) = to_nfc(nfd);
        assert_eq!(s, "Thủ tướng");
        assert_eq!(n, 3, "ủ, ư and ớ");
        // Marks out of canonical order: dot below (ccc 220) after circumflex (ccc 230).
        assert_eq!(to_nfc("a\u{302}\u{323}").0, "ậ");
        assert_eq!(to_nfc("a\u{323}\u{302}").0, "ậ");
    }

    #[test]
    fn mixed_nfd_and_nfc() {
        let (s, n) = to_nfc("Căn cứ Luật sư\u{309}a đổi, bô\u{309} sung một sô\u{301} điều");
        assert_eq!(s, "Căn cứ Luật sửa đổi, bổ sung một số điều");
        assert_eq!(n, 3);
    }

    #[test]
    fn lone_marks_do_not_panic() {
        // A mark with no base stays (NFC has nothing to compose it with).
        let (s, n) = to_nfc("\u{301}\u{300}x\u{323}");
        assert_eq!(s, "\u{301}\u{300}x\u{323}");
        assert_eq!(n, 0);
        assert_eq!(to_nfc("\u{301}").0, "\u{301}");
        // Singletons change even without a mark: OHM SIGN -> GREEK CAPITAL OMEGA.
        assert_eq!(to_nfc("\u{2126}").0, "\u{3A9}");
    }

    #[test]
    fn seed_002_is_composed() {
        let seed =
            "Căn cứ Nghị định số 80/2021/NĐ-CP ngày 26 tháng 8 năm 2021 cu\u{309}a \nChi\u{301}nh phu\u{309} Quy định";
        let (s, n) = to_nfc(seed);
        assert!(unicode_normalization::is_nfc(&s));
        assert_eq!(s, "Căn cứ Nghị định số 80/2021/NĐ-CP ngày 26 tháng 8 năm 2021 của \nChính phủ Quy định");
        assert_eq!(n, 3);
    }
}
