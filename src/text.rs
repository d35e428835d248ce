//! Small facts about Vietnamese text that every stage asks: is a line in capitals, is a char
//! part of a word, what a word reads as without its diacritics, Roman numerals. Shared so that no stage reaches into
//! another for them.

use std::borrow::Cow;
use std::sync::LazyLock;

use memchr::memmem::Finder;

/// All letters upper case, and at least two of them ("KẾ HOẠCH", "PHÓ CHỦ TỊCH").
pub(crate) fn is_upper(s: &str) -> bool {
    Caps::of(s).is_upper()
}

/// What [`is_upper`] reads of a text, kept for a text that grows: a paragraph being joined
/// line by line is told whether it is in capitals without reading it again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Caps {
    /// A lower-case letter was seen (the count of letters is then no longer kept).
    lower: bool,
    letters: usize,
}

impl Caps {
    pub(crate) fn of(s: &str) -> Caps {
        let mut letters = 0;
        for c in s.chars() {
            // A capital that lower-cases fast is a letter, not lower case: answered without the
            // Unicode tables, as most chars of a heading in capitals are.
            let capital = c.is_ascii_uppercase() || lower_fast(c).is_some_and(|l| l != c);
            if !capital {
                if !c.is_alphabetic() {
                    continue;
                }
                if c.is_lowercase() {
                    return Caps { lower: true, letters };
                }
            }
            letters += 1;
        }
        Caps { lower: false, letters }
    }

    /// The text with `more` written after it.
    pub(crate) fn then(self, more: Caps) -> Caps {
        Caps { lower: self.lower || more.lower, letters: self.letters + more.letters }
    }

    pub(crate) fn is_upper(self) -> bool {
        !self.lower && self.letters >= 2
    }
}

/// `c.is_alphanumeric()`, answered at once for ASCII and for the precomposed Latin letters
/// Vietnamese is written in, where the general Unicode lookup is slow.
pub(crate) fn is_alphanumeric(c: char) -> bool {
    match c {
        '\0'..='\u{7f}' => c.is_ascii_alphanumeric(),
        '\u{c0}'..='\u{24f}' => c != '×' && c != '÷',
        '\u{1e00}'..='\u{1eff}' => true,
        _ => c.is_alphanumeric(),
    }
}

/// `s` in upper case without diacritics ("Phụ lục" -> "PHU LUC"), for matching labels printed
/// without their marks.
pub(crate) fn fold(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .map(|c| if c == 'đ' || c == 'Đ' { 'D' } else { c })
        .flat_map(char::to_uppercase)
        .collect()
}

const ROMAN: [(u32, &str); 13] = [
    (1000, "M"),
    (900, "CM"),
    (500, "D"),
    (400, "CD"),
    (100, "C"),
    (90, "XC"),
    (50, "L"),
    (40, "XL"),
    (10, "X"),
    (9, "IX"),
    (5, "V"),
    (4, "IV"),
    (1, "I"),
];

/// `n` as a Roman numeral (1 to 3999); other numbers in digits.
pub(crate) fn to_roman(mut n: u32) -> String {
    if n == 0 || n > 3999 {
        return n.to_string();
    }
    let mut out = String::new();
    for (v, r) in ROMAN {
        while n >= v {
            out.push_str(r);
            n -= v;
        }
    }
    out
}

/// Value of a canonically written Roman numeral (I … MMMCMXCIX), `None` for anything else
/// ("IIII", "VX", "ABC").
pub(crate) fn roman_value(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 15 {
        return None;
    }
    let mut total = 0u32;
    let mut rest = s;
    for (v, r) in ROMAN {
        while let Some(after) = rest.strip_prefix(r) {
            total += v;
            rest = after;
        }
    }
    (rest.is_empty() && total > 0 && to_roman(total) == s).then_some(total)
}

/// The lower case of `c` when it is one char, answered at once for ASCII and the Latin letters
/// Vietnamese is written in (where `char::to_lowercase` searches a table); `None` elsewhere.
pub(crate) fn lower_fast(c: char) -> Option<char> {
    let u = u32::from(c);
    match u {
        0..=0x7f => Some(c.to_ascii_lowercase()),
        0xc0..=0xde if u != 0xd7 => char::from_u32(u + 0x20),
        0xd7..=0xff | 0x300..=0x36f => Some(c),
        // Upper and lower case alternate here: even is upper case.
        0x100..=0x12f | 0x132..=0x137 | 0x1a0..=0x1a1 | 0x1e00..=0x1e95 | 0x1ea0..=0x1eff => char::from_u32(u | 1),
        0x1af => Some('\u{1b0}'),
        0x1b0 => Some(c),
        _ => None,
    }
}

/// `s.to_lowercase()`, faster on Vietnamese text (see [`lower_fast`]).
pub(crate) fn to_lower(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    // Σ lower-cases by its context (ς at the end of a word): leave that to the standard library.
    if s.contains('Σ') {
        return s.to_lowercase();
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match lower_fast(c) {
            Some(l) => out.push(l),
            None => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// `s` with white space runs made single spaces and the ends trimmed.
pub(crate) fn collapse_spaces(s: &str) -> String {
    collapse_spaces_cow(s).into_owned()
}

/// [`collapse_spaces`], borrowing `s` when it is clean already (single spaces between words,
/// none at the ends), as most strings (table cells, citation texts) are.
pub(crate) fn collapse_spaces_cow(s: &str) -> Cow<'_, str> {
    if is_collapsed(s) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    for w in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    Cow::Owned(out)
}

/// The `sep`-separated fields of `s` (a table line split at its tabs), each as
/// [`collapse_spaces_cow`] gives it, appended to `out`. Most lines are clean already: told by a
/// few vectorized searches over the whole line (no control char but `sep`, no doubled space,
/// no byte that may start white space beyond ASCII) and a look at the ends of each field, and
/// then every field is borrowed as split. `sep` is an ASCII byte other than the space.
pub(crate) fn split_collapsed<'a>(s: &'a str, sep: u8, out: &mut Vec<Cow<'a, str>>) {
    static DOUBLE_SPACE: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("  "));
    // U+1680 (the only white space starting with 0xE1: the Vietnamese letters do too).
    static OGHAM_SPACE: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"\xe1\x9a"));
    debug_assert!(sep.is_ascii() && sep != b' ');
    let b = s.as_bytes();
    // (A fold, not `any`: it runs through without a branch per byte.)
    let control = b.iter().fold(false, |any, &x| any | (x < 0x20 && x != sep));
    let mut clean = !control
        && memchr::memchr3(0xc2, 0xe2, 0xe3, b).is_none()
        && OGHAM_SPACE.find(b).is_none()
        && DOUBLE_SPACE.find(b).is_none();
    let first = out.len();
    let mut start = 0;
    for end in memchr::memchr_iter(sep, b).chain([b.len()]) {
        let field = &s[start..end];
        clean &= !field.starts_with(' ') && !field.ends_with(' ');
        out.push(Cow::Borrowed(field));
        start = end + 1;
    }
    if !clean {
        for field in &mut out[first..] {
            if let Cow::Borrowed(f) = *field {
                *field = collapse_spaces_cow(f);
            }
        }
    }
}

/// No white space in `s` but single spaces between other chars, read byte by byte: the only
/// white space beyond ASCII is U+0085, U+00A0, U+1680, U+2000..=U+200A, U+2028, U+2029,
/// U+202F, U+205F and U+3000 (`char::is_whitespace`), told by their first two or three bytes.
fn is_collapsed(s: &str) -> bool {
    let b = s.as_bytes();
    // The char before was a space (the start counts as one).
    let mut space = true;
    let mut i = 0;
    while i < b.len() {
        let x = b[i];
        if x < 0x80 {
            if x == b' ' {
                if space {
                    return false;
                }
                space = true;
            } else if matches!(x, b'\t' | b'\n' | 0x0b | 0x0c | b'\r') {
                return false;
            } else {
                space = false;
            }
            i += 1;
            continue;
        }
        let at = |k: usize| b.get(i + k).copied().unwrap_or(0);
        let white = match x {
            0xc2 => matches!(at(1), 0x85 | 0xa0),
            0xe1 => at(1) == 0x9a && at(2) == 0x80,
            0xe2 => {
                (at(1) == 0x80 && matches!(at(2), 0x80..=0x8a | 0xa8 | 0xa9 | 0xaf)) || (at(1) == 0x81 && at(2) == 0x9f)
            }
            0xe3 => at(1) == 0x80 && at(2) == 0x80,
            _ => false,
        };
        if white {
            return false;
        }
        space = false;
        i += 1;
        // Continuation bytes are neither spaces nor white space.
        while i < b.len() && b[i] & 0xc0 == 0x80 {
            i += 1;
        }
    }
    b.is_empty() || !space
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capitals_that_lower_case_fast_are_upper_case_letters() {
        for c in (0..=0x1_ffffu32).filter_map(char::from_u32) {
            if c.is_ascii_uppercase() || lower_fast(c).is_some_and(|l| l != c) {
                assert!(c.is_alphabetic() && !c.is_lowercase(), "{c:?}");
            }
        }
        assert!(is_upper("KẾ HOẠCH 2024"));
        assert!(!is_upper("Kế hoạch"));
        assert!(!is_upper("K"));
        assert!(is_upper("ƠƯ"));
        for (a, b) in [("K", "Ế"), ("KẾ", "hoạch"), ("1.", "KẾ HOẠCH"), ("Kế", "HOẠCH"), ("", ""), ("K", "")]
        {
            assert_eq!(Caps::of(a).then(Caps::of(b)).is_upper(), is_upper(&format!("{a} {b}")), "{a:?} {b:?}");
        }
    }

    #[test]
    fn alphanumeric_fast_path() {
        for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
            assert_eq!(is_alphanumeric(c), c.is_alphanumeric(), "{c:?}");
        }
    }

    #[test]
    fn spaces_collapsed() {
        assert_eq!(collapse_spaces("Sở Tài chính"), "Sở Tài chính");
        assert_eq!(collapse_spaces("  Sở  Tài\tchính \n"), "Sở Tài chính");
        assert_eq!(collapse_spaces("Sở Tài chính "), "Sở Tài chính");
        assert_eq!(collapse_spaces(" "), "");
        assert_eq!(collapse_spaces(""), "");
        assert!(matches!(collapse_spaces_cow("Sở Tài chính"), Cow::Borrowed(_)));
    }

    #[test]
    fn lines_split_into_collapsed_fields() {
        // Every string of up to four of these chars.
        let chars = [' ', '\t', 'a', 'ệ', '\u{a0}', '\u{3000}', '\n', 'Ú', '–', '\u{1680}', '\u{2028}'];
        let mut strings = vec![String::new()];
        let mut longest = vec![String::new()];
        for _ in 0..4 {
            longest = longest.iter().flat_map(|s| chars.iter().map(move |&c| format!("{s}{c}"))).collect();
            strings.extend(longest.iter().cloned());
        }
        strings
            .extend(["STT\tNội dung\t\t2023", "STT\tNội  dung", " a\tb", "a\tb ", "a \tb", "a\t b"].map(String::from));
        let mut fields = Vec::new();
        for s in &strings {
            fields.clear();
            split_collapsed(s, b'\t', &mut fields);
            let want: Vec<Cow<'_, str>> = s.split('\t').map(collapse_spaces_cow).collect();
            assert_eq!(fields, want, "{s:?}");
            assert!(
                fields.iter().zip(&want).all(|(f, w)| matches!(f, Cow::Borrowed(_)) == matches!(w, Cow::Borrowed(_)))
            );
        }
    }

    #[test]
    fn collapsed_strings_told_by_their_bytes() {
        // `is_collapsed` against its definition, on every char alone, between letters, doubled
        // and at the ends.
        let plain = |s: &str| {
            let mut space = true;
            let clean = s.chars().all(|c| {
                let ok = !c.is_whitespace() || (c == ' ' && !space);
                space = c.is_whitespace();
                ok
            });
            clean && (s.is_empty() || !space)
        };
        let mut s = String::new();
        for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
            // `X` stands for `c`.
            for pattern in ["X", "aXb", "aXXb", "ệ X", "X ệ"] {
                s.clear();
                s.extend(pattern.chars().map(|p| if p == 'X' { c } else { p }));
                assert_eq!(is_collapsed(&s), plain(&s), "{s:?}");
            }
        }
        for s in ["", " ", "a", "a b", "a  b", " a", "a ", "Sở Tài chính", "Sở\u{a0}Tài", "ạ\u{3000}"] {
            assert_eq!(is_collapsed(s), plain(s), "{s:?}");
        }
    }

    #[test]
    fn capitals_and_folding() {
        assert!(is_upper("KẾ HOẠCH"));
        assert!(!is_upper("Kế hoạch"));
        assert!(!is_upper("I."));
        assert_eq!(fold("Phụ lục"), "PHU LUC");
        assert_eq!(fold("ĐIỀU"), "DIEU");
    }

    #[test]
    fn roman_numerals() {
        assert_eq!(roman_value("IV"), Some(4));
        assert_eq!(roman_value("XIX"), Some(19));
        assert_eq!(roman_value("IIII"), None);
        assert_eq!(roman_value("VX"), None);
        assert_eq!(to_roman(1994), "MCMXCIV");
        assert_eq!(to_roman(0), "0");
        for n in 1..4000 {
            assert_eq!(roman_value(&to_roman(n)), Some(n));
        }
    }
}

#[cfg(test)]
mod lower_tests {
    use super::*;

    #[test]
    fn fast_lower_case_is_the_standard_one() {
        for c in (0..0x2000).chain(0x1e00..0x1f00).filter_map(char::from_u32) {
            if let Some(l) = lower_fast(c) {
                assert_eq!(c.to_lowercase().collect::<String>(), l.to_string(), "{c:?}");
            }
        }
        for s in ["KẾ HOẠCH Đầu Tư", "ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝĂĐĨŨƠƯẠỸ İ", "ΣΑΣ ΟΔΟΣ", "abc", ""]
        {
            assert_eq!(to_lower(s), s.to_lowercase(), "{s}");
        }
    }
}
