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
            // Whole blocks without a kept character, told without a branch per byte.
            while let Some(window) = b.get(at..at + BLOCK + 2) {
                if block_may_keep(window) {
                    break;
                }
                at += BLOCK;
            }
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

/// Bytes [`Checked`] skips at a time when none of them starts a character it keeps.
const BLOCK: usize = 32;

/// Whether `window[..BLOCK]` (followed by two more bytes, for the characters that end after the
/// block) may hold the lead byte of a character [`Checked`] keeps: a lead byte of U+0300 or
/// above (0xCC..) that is not one of the skipped ranges. Branch-free, so that it is vectorized;
/// it looks at the same bytes as the scan in [`Checked::next`], so it is exact for the leads.
fn block_may_keep(window: &[u8]) -> bool {
    let Some(w) = window.first_chunk::<{ BLOCK + 2 }>() else { return true };
    let mut any = false;
    for k in 0..BLOCK {
        let (lead, b1, b2) = (w[k], w[k + 1], w[k + 2]);
        // U+1E00–U+1EFF.
        let latin_extended = (lead == 0xE1) & (b1.wrapping_sub(0xB8) < 4);
        // U+2010–U+2027, U+2030–U+203F (a continuation byte is at most 0xBF), U+2040–U+205E.
        let punctuation = (lead == 0xE2)
            & (((b1 == 0x80) & ((b2.wrapping_sub(0x90) < 0x18) | (b2 >= 0xB0)))
                | ((b1 == 0x81) & (b2.wrapping_sub(0x80) < 0x1F)));
        any |= (lead >= 0xCC) & !latin_extended & !punctuation;
    }
    any
}

/// `text` in NFC, and how many characters of the result came from a change (0 when none).
pub(crate) fn to_nfc(text: &str) -> (Cow<'_, str>, usize) {
    if is_nfc_quick(Checked { text, at: 0 }) == IsNormalized::Yes {
        return (Cow::Borrowed(text), 0);
    }
    let mut out = String::with_capacity(text.len());
    let mut changed = 0;
    // `text[..copied]` is in `out`.
    let mut copied = 0;
    // The segment being gathered: from its starter to the end of its last non-starter.
    let mut segment: Option<(usize, usize)> = None;
    let mut flush = |(start, end): (usize, usize), copied: &mut usize, out: &mut String| {
        out.push_str(&text[*copied..start]);
        let seg = &text[start..end];
        let before = out.len();
        out.extend(seg.nfc());
        let composed = &out[before..];
        if composed != seg {
            changed += composed.chars().count();
        }
        *copied = end;
    };
    // Only a segment holding a character that does not start one can change, and such a
    // character always needs the check: the scan visits those characters only, and copies the
    // text between the segments they make as it is.
    let mut scan = Checked { text, at: 0 };
    while let Some(c) = scan.next() {
        if is_segment_start(c) {
            continue;
        }
        let end = scan.at;
        let at = end - c.len_utf8();
        segment = match segment {
            // Right after the segment being gathered: it goes on.
            Some((start, seg_end)) if seg_end == at => Some((start, end)),
            other => {
                if let Some(done) = other {
                    flush(done, &mut copied, &mut out);
                }
                // The segment starts at the character before (a starter: a non-starter there
                // would have been gathered already), if any.
                let start = text[..at].chars().next_back().map_or(at, |p| at - p.len_utf8());
                Some((start, end))
            }
        };
    }
    if let Some(done) = segment {
        flush(done, &mut copied, &mut out);
    }
    out.push_str(&text[copied..]);
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

    /// Block skipping keeps what the byte scan keeps, wherever the blocks fall.
    #[test]
    fn block_skipping_keeps_the_same_characters() {
        let samples = ["Ủy ban “nhân” dân – tỉnh", "cu\u{309}a Chi\u{301}nh", "\u{2126}Ω‰⁞ \u{2028}‐‧", "𝒽ệ\u{1F00}"];
        for pad in 0..40 {
            for s in samples {
                let text = format!("{}{s}{}", "a".repeat(pad), "ệ".repeat(pad));
                let kept: Vec<char> = Checked { text: &text, at: 0 }.collect();
                let expected: Vec<char> = text.chars().filter(|c| needs_check(*c)).collect();
                assert_eq!(kept, expected, "{text:?}");
            }
        }
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

    mod props {
        use proptest::prelude::*;
        use unicode_normalization::UnicodeNormalization;

        use super::super::to_nfc;

        proptest! {
            #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

            /// Normalizing segment by segment is normalizing the whole text.
            #[test]
            fn same_as_nfc_of_the_whole(text in "[a-zA-Z \u{300}-\u{36F}ăâêôơưđĐ\u{1E00}-\u{1EFF}\u{1100}-\u{1175}\u{AC00}\u{2126}x]{0,40}") {
                let whole: String = text.nfc().collect();
                prop_assert_eq!(to_nfc(&text).0, whole);
            }
        }
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
