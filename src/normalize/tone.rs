//! One tone-mark convention for open syllables ending in oa, oe, uy.
//!
//! Vietnamese has two conventions for where the tone mark of these syllables goes: the "new"
//! one puts it on the first vowel (hòa, khỏe, thủy, Ủy), the "old" one on the second (hoà,
//! khoẻ, thuỷ, Uỷ). Both are correct and both are in the corpus, so the same word would not
//! compare equal. `tone_placement` in `grammars/text.yaml` picks one (or `keep`).
//!
//! Only syllables whose vowels are exactly the final "oa", "oe" or "uy" and whose other letters
//! are consonants are touched: closed syllables (hoàn, khuyến, thuyền, hoạch) and syllables
//! with a third vowel (ngoài, khuya) never are, and neither is "uy" after "q" (quý, quỳ, Quỹ),
//! where "qu" is the onset and the tone always sits on "y". Case is kept (UỶ -> ỦY).
//!
//! The tones are the combining marks grave, acute, hook above, tilde and dot below; breve,
//! circumflex and horn are part of the vowel letter (ă â ê ô ơ ư), never a tone.

use std::borrow::Cow;
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind, packed};

use unicode_normalization::char::{compose, decompose_canonical, is_combining_mark};

use crate::grammar::TonePlacement;

/// The five Vietnamese tone marks as combining characters.
const TONE_MARKS: [char; 5] = ['\u{300}', '\u{301}', '\u{309}', '\u{303}', '\u{323}'];

/// The vowel pairs whose tone placement differs between the conventions.
const NUCLEI: [(char, char); 3] = [('o', 'a'), ('o', 'e'), ('u', 'y')];

/// `c` as a plain base letter and its tone mark, or `None` when `c` is not a plain letter with
/// at most a tone (a letter carrying a breve, circumflex or horn, a mark, a symbol).
fn split_tone(c: char) -> Option<(char, Option<char>)> {
    if c.is_ascii() {
        return c.is_ascii_alphabetic().then_some((c, None));
    }
    let mut parts = ['\0'; 4];
    let mut n = 0;
    decompose_canonical(c, |d| {
        if n < parts.len() {
            parts[n] = d;
        }
        n += 1;
    });
    match n {
        1 => c.is_alphabetic().then_some((c, None)),
        2 if parts[0].is_ascii_alphabetic() && TONE_MARKS.contains(&parts[1]) => Some((parts[0], Some(parts[1]))),
        _ => None,
    }
}

/// A consonant letter of an onset.
fn is_consonant(c: char) -> bool {
    matches!(c.to_ascii_lowercase(), 'b'..='z') && !matches!(c.to_ascii_lowercase(), 'e' | 'i' | 'o' | 'u' | 'y')
        || c == 'đ'
        || c == 'Đ'
}

/// [`split_tone`] when the base is an ASCII letter (the only bases of a nucleus), else `None`.
/// Latin-1 to Latin Extended Additional come from a table built once.
fn vowel(c: char) -> Option<(char, Option<char>)> {
    /// `(base, tone)` packed as `base | tone << 8`, 0 for `None`, from U+0080 to U+1EFF.
    static TABLE: LazyLock<Vec<u32>> = LazyLock::new(|| {
        // Non-ASCII: `split_tone` gives an ASCII base only for a letter with a tone.
        ('\u{80}'..='\u{1EFF}')
            .map(|c| {
                let mut parts = ['\0'; 3];
                let mut n = 0;
                decompose_canonical(c, |d| {
                    if n < parts.len() {
                        parts[n] = d;
                    }
                    n += 1;
                });
                if n == 2 && parts[0].is_ascii_alphabetic() && TONE_MARKS.contains(&parts[1]) {
                    parts[0] as u32 | (parts[1] as u32) << 8
                } else {
                    0
                }
            })
            .collect()
    });
    if c.is_ascii() {
        return c.is_ascii_alphabetic().then_some((c, None));
    }
    match TABLE.get(c as usize - 0x80) {
        Some(0) => None,
        Some(&packed) => {
            let base = char::from((packed & 0xFF) as u8);
            Some((base, char::from_u32(packed >> 8).filter(|t| *t != '\0')))
        }
        None => split_tone(c).filter(|(base, _)| base.is_ascii()),
    }
}

/// The word with its tone moved to where `policy` wants it, or `None` when it stays.
fn retone(word: &str, policy: TonePlacement) -> Option<String> {
    let mut rev = word.chars().rev();
    let (last, first) = (rev.next()?, rev.next()?);
    // A base that is not ASCII makes no nucleus: `vowel` is `split_tone` for the rest.
    let (b2, t2) = vowel(last)?;
    let (b1, t1) = vowel(first)?;
    let pair = (b1.to_ascii_lowercase(), b2.to_ascii_lowercase());
    if !NUCLEI.contains(&pair) {
        return None;
    }
    let on_first = match (t1, t2) {
        (Some(_), None) => true,
        (None, Some(_)) => false,
        _ => return None,
    };
    let want_first = match policy {
        TonePlacement::New => true,
        TonePlacement::Old => false,
        TonePlacement::Keep => return None,
    };
    if on_first == want_first {
        return None;
    }
    let onset_len = word.len() - first.len_utf8() - last.len_utf8();
    let onset = &word[..onset_len];
    if !onset.chars().all(is_consonant) {
        return None;
    }
    if pair.0 == 'u' && onset.chars().next_back().is_some_and(|c| c.eq_ignore_ascii_case(&'q')) {
        return None;
    }
    let tone = t1.or(t2)?;
    let (n1, n2) = if want_first { (compose(b1, tone)?, b2) } else { (b1, compose(b2, tone)?) };
    let mut out = String::with_capacity(word.len());
    out.push_str(onset);
    out.push(n1);
    out.push(n2);
    Some(out)
}

/// Part of a word: a letter or a combining mark. The Latin blocks Vietnamese is written in
/// and the general punctuation block are decided without the Unicode tables.
fn is_word_char(c: char) -> bool {
    match c {
        '\0'..='\u{7F}' => c.is_ascii_alphabetic(),
        '\u{D7}' | '\u{F7}' => false,
        '\u{C0}'..='\u{24F}' | '\u{1E00}'..='\u{1EFF}' => true,
        '\u{2000}'..='\u{206F}' => false,
        _ => c.is_alphabetic() || is_combining_mark(c),
    }
}

/// The starts of the byte sequences at which a tone may move under the new (`first`) or the old convention:
/// an untoned nucleus letter and its partner carrying a tone, in either case (`oà`, `Uỷ` for
/// the new one, `òa`, `Ủy` for the old one). Built from [`NUCLEI`] and the toned letters of
/// [`vowel`]; found by Aho-Corasick's vector search, since such pairs are rare in running text.
fn candidate_pairs(first: bool) -> Pairs {
    let mut patterns = Vec::new();
    // Every letter with a tone and an ASCII base is in Latin-1 or Latin Extended Additional
    // (see the tests).
    for c in ('\u{80}'..='\u{1EFF}').filter(|c| vowel(*c).is_some_and(|(_, tone)| tone.is_some())) {
        let Some((base, _)) = vowel(c) else { continue };
        let base = base.to_ascii_lowercase();
        for &(one, two) in &NUCLEI {
            let (toned, partner) = if first { (two, one) } else { (one, two) };
            if base != toned {
                continue;
            }
            for partner in [partner, partner.to_ascii_uppercase()] {
                let (x, y) = if first { (partner, c) } else { (c, partner) };
                patterns.push(format!("{x}{y}"));
            }
        }
    }
    // Cut to the length of the shortest (a toned letter of two bytes next to its partner):
    // fewer patterns make a faster search, and the scan checks the letter anyway.
    let shortest = patterns.iter().map(String::len).min().unwrap_or(0);
    let mut prefixes: Vec<&[u8]> = patterns.iter().map(|p| &p.as_bytes()[..shortest]).collect();
    prefixes.sort_unstable();
    prefixes.dedup();
    let packed = packed::Config::new().match_kind(packed::MatchKind::LeftmostFirst).builder().extend(&prefixes).build();
    let any = AhoCorasick::builder().match_kind(MatchKind::LeftmostFirst).build(&prefixes);
    Pairs { packed, any: any.expect("short literal patterns build") }
}

/// The searches of [`candidate_pairs`]: the packed (vector) searcher of Aho-Corasick where the
/// machine has one, else its automaton.
struct Pairs {
    packed: Option<packed::Searcher>,
    any: AhoCorasick,
}

impl Pairs {
    /// Where the first pair at or after `from` starts.
    fn find_at(&self, text: &str, from: usize) -> Option<usize> {
        match &self.packed {
            Some(p) => p.find_in(text, aho_corasick::Span::from(from..text.len())).map(|m| m.start()),
            None => self.any.find(aho_corasick::Input::new(text).range(from..)).map(|m| m.start()),
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.any.patterns_len()
    }
}

/// Move tone marks in `text` (NFC) to the `policy` convention. Returns the text (borrowed when
/// nothing moved) and how many words changed.
pub(crate) fn place_tones(text: &str, policy: TonePlacement) -> (Cow<'_, str>, usize) {
    if policy == TonePlacement::Keep || text.is_ascii() {
        return (Cow::Borrowed(text), 0);
    }
    let mut out: Option<String> = None;
    // Bytes of `text` already copied into `out`.
    let mut copied = 0;
    let mut moved = 0;
    let mut visit = |start: usize, end: usize, out: &mut Option<String>, copied: &mut usize| {
        if let Some(new) = retone(&text[start..end], policy) {
            let buf = out.get_or_insert_with(|| String::with_capacity(text.len()));
            buf.push_str(&text[*copied..start]);
            buf.push_str(&new);
            *copied = end;
            moved += 1;
        }
    };
    // Words are runs of `is_word_char`. Only a word with a tone on one of its last two letters
    // can change (see `retone`), and only when those two letters are a nucleus with the tone
    // where `policy` does not want it: the scan stops at such pairs only (see
    // `candidate_pairs`) and finds the word around the toned letter from there.
    static PAIRS: LazyLock<[Pairs; 2]> = LazyLock::new(|| [candidate_pairs(false), candidate_pairs(true)]);
    let want_first = policy == TonePlacement::New;
    let pairs = &PAIRS[usize::from(want_first)];
    // The end of the last word looked at.
    let mut done = 0;
    let mut from = 0;
    while let Some(pair) = pairs.find_at(text, from) {
        // The toned letter: the pair's second letter for the new convention, else its first.
        let at = if want_first { pair + 1 } else { pair };
        let Some(c) = text[at..].chars().next() else { break };
        let i = at + c.len_utf8();
        from = i;
        // A letter right after the toned one (new) or after its partner (old) makes a closed
        // syllable ("hoạt"): told by one byte before anything is decoded.
        let next = if want_first { i } else { i + 1 };
        if text.as_bytes().get(next).is_some_and(u8::is_ascii_alphabetic) {
            continue;
        }
        if at < done || vowel(c).is_none_or(|(_, tone)| tone.is_none()) {
            continue;
        }
        // At most one more letter in the word after this one.
        let mut following = text[i..].chars().take_while(|d| is_word_char(*d));
        let end = match (following.next(), following.next()) {
            (None, _) => i,
            (Some(d), None) => i + d.len_utf8(),
            (Some(_), Some(_)) => continue,
        };
        let start =
            (text[..at].char_indices().rev()).take_while(|(_, d)| is_word_char(*d)).last().map_or(at, |(k, _)| k);
        visit(start, end, &mut out, &mut copied);
        done = end;
    }
    match out {
        Some(mut buf) => {
            buf.push_str(&text[copied..]);
            (Cow::Owned(buf), moved)
        }
        None => (Cow::Borrowed(text), 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(s: &str) -> String {
        place_tones(s, TonePlacement::New).0.into_owned()
    }

    fn old(s: &str) -> String {
        place_tones(s, TonePlacement::Old).0.into_owned()
    }

    #[test]
    fn new_convention() {
        assert_eq!(new("hoà khoẻ thuỷ Uỷ hoạ"), "hòa khỏe thủy Ủy họa");
        assert_eq!(new("Số hoá, xã hội hoá, lan toả, Văn hoá"), "Số hóa, xã hội hóa, lan tỏa, Văn hóa");
        assert_eq!(new("tuỳ, luỹ, nhuỵ, xoá, loé"), "tùy, lũy, nhụy, xóa, lóe");
        let (_, n) = place_tones("hoà khoẻ thuỷ", TonePlacement::New);
        assert_eq!(n, 3);
    }

    #[test]
    fn old_convention() {
        assert_eq!(old("hòa khỏe thủy Ủy họa"), "hoà khoẻ thuỷ Uỷ hoạ");
    }

    #[test]
    fn case_is_kept() {
        assert_eq!(new("UỶ BAN NHÂN DÂN"), "ỦY BAN NHÂN DÂN");
        assert_eq!(new("HOÀ BÌNH, Hoà Bình, KHOẺ"), "HÒA BÌNH, Hòa Bình, KHỎE");
        assert_eq!(old("ỦY BAN"), "UỶ BAN");
    }

    #[test]
    fn qu_is_not_touched() {
        assert_eq!(new("quý quỳ Quỹ QUỸ"), "quý quỳ Quỹ QUỸ");
        assert_eq!(old("quý quỳ Quỹ"), "quý quỳ Quỹ");
    }

    #[test]
    fn closed_syllables_and_third_vowels_are_not_touched() {
        let s = "hoàn khuyến ngoài thuyền hoạch khoản khuya ngoẹo hoặc toàn";
        assert_eq!(new(s), s);
        assert_eq!(old(s), s);
    }

    #[test]
    fn already_right_and_untoned_words_stay() {
        let s = "hòa thủy Ủy hoa khoe Huy boa oa";
        let (out, n) = place_tones(s, TonePlacement::New);
        assert!(matches!(out, Cow::Borrowed(_)));
        assert_eq!(n, 0);
    }

    #[test]
    fn keep_leaves_everything() {
        let s = "hoà hòa thuỷ thủy";
        assert!(matches!(place_tones(s, TonePlacement::Keep).0, Cow::Borrowed(_)));
    }

    #[test]
    fn words_are_cut_at_non_letters() {
        assert_eq!(new("(hoà)"), "(hòa)");
        assert_eq!(new("Thuỷ-lợi 2hoà hoà2"), "Thủy-lợi 2hòa hòa2");
        assert_eq!(new("thuỷ\tđiện\nhoà"), "thủy\tđiện\nhòa");
    }

    #[test]
    fn word_chars() {
        for c in ['a', 'Z', 'ă', 'Đ', 'ơ', 'ư', 'ệ', 'Ỹ', 'ß', 'я', '\u{301}', '中'] {
            assert!(is_word_char(c), "{c:?}");
        }
        for c in [' ', '1', '-', '×', '÷', '“', '–', '\u{A0}', '。', '😀'] {
            assert!(!is_word_char(c), "{c:?}");
        }
    }

    #[test]
    fn vowel_is_split_tone_with_an_ascii_base() {
        for c in ('\0'..='\u{2FFF}').chain(['\u{212B}', '\u{1F00}', '𝒽']) {
            assert_eq!(vowel(c), split_tone(c).filter(|(b, _)| b.is_ascii()), "{c:?}");
        }
    }

    /// The scan (which skips letters by one byte next to them) moves exactly the words that
    /// `retone` moves, word by word.
    #[test]
    fn scan_agrees_with_retone_on_every_word() {
        let letters =
            ['h', 'q', 'o', 'O', 'u', 'U', 'a', 'e', 'y', 'Y', 'ò', 'ỏ', 'Ủ', 'ù', 'à', 'ẻ', 'ỷ', 'Ỳ', 'ư', 'ơ'];
        let mut words = Vec::new();
        for a in letters {
            for b in letters {
                words.push(format!("{a}{b}"));
                for c in letters {
                    words.push(format!("{a}{b}{c}"));
                }
            }
        }
        for policy in [TonePlacement::New, TonePlacement::Old] {
            let text = words.join(" ");
            let expected: Vec<String> = words.iter().map(|w| retone(w, policy).unwrap_or_else(|| w.clone())).collect();
            assert_eq!(place_tones(&text, policy).0, expected.join(" "), "{policy:?}");
        }
    }

    /// Wherever the blocks of the scan fall.
    #[test]
    fn words_at_every_offset_move() {
        for pad in 0..80 {
            let lead = "x".repeat(pad);
            assert_eq!(new(&format!("{lead} hoà thuỷ")), format!("{lead} hòa thủy"), "{pad}");
            assert_eq!(old(&format!("{lead} hòa thủy")), format!("{lead} hoà thuỷ"), "{pad}");
            assert_eq!(new(&format!("{lead}ư hoà")), format!("{lead}ư hòa"), "{pad}");
        }
    }

    /// The letters with a tone and an ASCII base (the only ones `retone` moves) are all in
    /// the range `candidate_pairs` is built from.
    #[test]
    fn toned_letters_are_below_u1f00() {
        let toned: Vec<char> =
            ('\0'..='\u{10FFFF}').filter(|c| vowel(*c).is_some_and(|(_, tone)| tone.is_some())).collect();
        assert!(toned.iter().all(|c| ('\u{80}'..='\u{1EFF}').contains(c)));
        assert_eq!(
            toned.iter().filter(|c| matches!(vowel(**c), Some(('a' | 'e' | 'y' | 'A' | 'E' | 'Y', _)))).count(),
            30
        );
        assert_eq!(candidate_pairs(true).len(), 28);
        assert_eq!(candidate_pairs(false).len(), 44);
    }

    #[test]
    fn odd_input_does_not_panic() {
        for s in ["", "\u{301}", "a\u{301}\u{301}", "ò\u{301}a", "y\u{309}", "\u{309}y", "ỏả", "𝒽oà"] {
            let _ = place_tones(s, TonePlacement::New);
            let _ = place_tones(s, TonePlacement::Old);
        }
        // Two tones: malformed, left alone.
        assert_eq!(new("hòà"), "hòà");
    }
}
