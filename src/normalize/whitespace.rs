//! Line ends, invisible characters and white space.
//!
//! Two passes share one character classification:
//!
//! * [`prepare`] runs first, so that the markup and tone passes see plain `\n` line ends, plain
//!   spaces and no invisible characters hiding inside words or markup. It does not collapse
//!   anything.
//! * [`tidy`] runs after markup removal, which leaves double spaces, trailing spaces and blank
//!   lines behind: spaces collapsed, lines trimmed, blank-line runs collapsed, one final `\n`.
//!
//! Tabs are never touched: they separate the cells of table rows, and a leading or trailing tab
//! marks an empty first or last cell. Spaces next to a tab are cell padding and are dropped.

use std::borrow::Cow;

/// What one character becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// Kept as it is.
    Keep,
    /// A space (U+0020 or a space-like character that becomes one).
    Space,
    /// A tab, kept.
    Tab,
    /// A line end (`\n`, a lone `\r`, form feed, U+2028 …).
    Newline,
    /// `\r` directly followed by `\n`: dropped, the `\n` ends the line.
    CarriageReturn,
    /// Invisible: zero-width characters, BOM, soft hyphen, bidi marks, control characters.
    Invisible,
}

/// The class of `c`. `\r` is [`Class::CarriageReturn`]; the caller decides by what follows.
fn class(c: char) -> Class {
    match c {
        ' ' => Class::Space,
        '\t' => Class::Tab,
        '\n' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}' => Class::Newline,
        '\r' => Class::CarriageReturn,
        // No-break space, the typographic spaces, narrow no-break, medium mathematical, ideographic.
        '\u{A0}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}' => Class::Space,
        // Zero-width space/non-joiner/joiner, LRM/RLM, bidi embeddings and isolates, word
        // joiner and invisible operators, BOM anywhere, soft hyphen.
        '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}'
        | '\u{FEFF}'
        | '\u{AD}' => Class::Invisible,
        // Other C0 controls, DEL and C1 controls.
        '\u{00}'..='\u{1F}' | '\u{7F}'..='\u{9F}' => Class::Invisible,
        _ => Class::Keep,
    }
}

/// Bytes that can start a character [`class`] does not keep as it is: ASCII controls (but not
/// `\t`/`\n`), `\r`, DEL, and the lead bytes of U+0080–U+00BF (0xC2), U+2000–U+206F (0xE2),
/// U+3000 (0xE3) and U+FEFF (0xEF).
static TRIGGER: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = is_trigger(b as u8);
        b += 1;
    }
    t
};

/// [`TRIGGER`] computed: branch-free, so that a loop over a whole line can be vectorized.
const fn is_trigger(b: u8) -> bool {
    (b < 0x20) & (b != b'\t') & (b != b'\n') | (b == 0x7F) | (b == 0xC2) | (b == 0xE2) | (b == 0xE3) | (b == 0xEF)
}

/// First byte index at which [`TRIGGER`] holds, if any. Triggers are rare: blocks without one
/// are skipped by a branch-free (vectorized) test.
fn first_trigger(bytes: &[u8]) -> Option<usize> {
    let mut at = 0;
    for block in bytes.chunks(64) {
        if block.iter().fold(false, |any, &c| any | is_trigger(c)) {
            return block.iter().position(|&c| TRIGGER[c as usize]).map(|k| at + k);
        }
        at += block.len();
    }
    None
}

/// Line ends to `\n`, space-like characters to a space, invisible characters removed.
///
/// Returns the text (borrowed when nothing changed) and how many invisible characters went.
pub(crate) fn prepare(text: &str) -> (Cow<'_, str>, usize) {
    let bytes = text.as_bytes();
    // Allocated at the first change only: most triggers (quotes, dashes) are kept as they are.
    let mut out: Option<String> = None;
    // Bytes of `text` already copied into `out`.
    let mut copied = 0;
    let mut removed = 0;
    let mut i = 0;
    while let Some(k) = first_trigger(&bytes[i..]) {
        let at = i + k;
        // A trigger byte is ASCII or a lead byte, so `at` is a character boundary.
        let c = text[at..].chars().next().unwrap_or(' ');
        i = at + c.len_utf8();
        let replacement = match class(c) {
            Class::Keep | Class::Tab => continue,
            Class::Space if c == ' ' => continue,
            Class::Newline if c == '\n' => continue,
            Class::Space => Some(' '),
            Class::Newline => Some('\n'),
            Class::CarriageReturn => (bytes.get(i) != Some(&b'\n')).then_some('\n'),
            Class::Invisible => {
                removed += 1;
                None
            }
        };
        let buf = out.get_or_insert_with(|| String::with_capacity(text.len()));
        buf.push_str(&text[copied..at]);
        buf.extend(replacement);
        copied = i;
    }
    match out {
        Some(mut buf) => {
            buf.push_str(&text[copied..]);
            (Cow::Owned(buf), removed)
        }
        None => (Cow::Borrowed(text), 0),
    }
}

/// Bytes [`tidy`] looks at one by one: the triggers of [`prepare`], space, tab and `\n`. Every
/// other byte is copied as part of a run (a UTF-8 continuation byte never is a trigger).
static TIDY_SPECIAL: [bool; 256] = {
    let mut t = TRIGGER;
    t[b' ' as usize] = true;
    t[b'\t' as usize] = true;
    t[b'\n' as usize] = true;
    t
};

/// The final white-space pass; see the module documentation. Returns the text and how many
/// invisible characters it removed (markup decoding can produce some, e.g. `&#8203;`).
///
/// `clean`: no character of `text` is one [`class`] changes, but spaces (U+0020), tabs and
/// `\n` (it is [`prepare`]'s output, and no pass since has added any other), so lines are not
/// searched for them.
pub(crate) fn tidy(text: &str, clean: bool) -> (String, usize) {
    tidy_with(text, Some(clean))
}

/// [`tidy`]. With `whole_lines` (`Some(clean)`), lines that need no tidying are copied whole;
/// without, every line is walked (the plain version, for the tests to compare with).
fn tidy_with(text: &str, whole_lines: Option<bool>) -> (String, usize) {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len() + 1);
    let mut removed = 0;
    // State of the current line.
    let mut line_has_content = false;
    let mut line_has_tab = false;
    let mut pending_space = false;
    // Spaces in the current run, to tell a column gap from a word space.
    let mut space_run = 0usize;
    // A blank line was seen since the last line with content.
    let mut blank_seen = false;
    let mut i = 0;
    while i < bytes.len() {
        // A line with nothing to tidy but trailing spaces (a markdown hard break "  ", a space
        // before the line end, one line in eight) is copied whole without them: the spaces
        // would only set a pending space that the line end drops.
        if let Some(clean) = whole_lines
            && (i == 0 || bytes[i - 1] == b'\n')
            && !line_has_content
        {
            let eol = memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |k| i + k);
            let mut end = eol;
            while end > i && bytes[end - 1] == b' ' {
                end -= 1;
            }
            if end > i && is_tidy(&text[i..end], clean) {
                start_line(&mut out, &mut blank_seen);
                // (`line_has_tab` stays false: the line end that follows resets it unread.)
                line_has_content = true;
                pending_space = false;
                space_run = 0;
                out.push_str(&text[i..end]);
                i = eol;
                continue;
            }
        }
        let special_from = |from: usize| {
            bytes[from..].iter().position(|b| TIDY_SPECIAL[*b as usize]).map_or(bytes.len(), |k| from + k)
        };
        let mut run = special_from(i);
        // A single space between two runs of kept characters stays as it is (a gap of one
        // space is never a column gap): the runs are copied as one.
        while run > i && bytes.get(run) == Some(&b' ') && bytes.get(run + 1).is_some_and(|b| !TIDY_SPECIAL[*b as usize])
        {
            run = special_from(run + 1);
        }
        let (piece, class) = if run > i {
            (&text[i..run], Class::Keep)
        } else if bytes[i] == b' ' {
            // The most frequent special byte, classified without decoding.
            (" ", Class::Space)
        } else {
            let c = text[i..].chars().next().unwrap_or(' ');
            if c == '\r' && bytes.get(i + 1) == Some(&b'\n') {
                // The `\r` of a CRLF: the `\n` ends the line.
                i += 1;
                continue;
            }
            let class = match class(c) {
                Class::CarriageReturn => Class::Newline,
                other => other,
            };
            (&text[i..i + c.len_utf8()], class)
        };
        i += piece.len();
        match class {
            Class::Invisible => removed += 1,
            Class::Space => {
                pending_space = line_has_content;
                space_run += 1;
            }
            Class::Newline | Class::CarriageReturn => {
                if !line_has_content {
                    blank_seen = true;
                }
                line_has_content = false;
                line_has_tab = false;
                pending_space = false;
                space_run = 0;
            }
            Class::Keep | Class::Tab => {
                if !line_has_content {
                    start_line(&mut out, &mut blank_seen);
                    line_has_content = true;
                } else if pending_space && class != Class::Tab && !out.ends_with('\t') {
                    if is_column_gap(space_run, piece, line_has_tab) {
                        out.push('\n');
                    } else {
                        out.push(' ');
                    }
                }
                line_has_tab |= class == Class::Tab;
                pending_space = false;
                space_run = 0;
                out.push_str(piece);
            }
        }
    }
    if !out.is_empty() {
        out.push('\n');
    }
    (out, removed)
}

/// A non-empty line that [`tidy`] copies as it is: no space at either end, no space next to
/// a space or a tab, and every character [`class`] does not keep as it is a space or a tab
/// (known of a `clean` line, see [`tidy`]).
fn is_tidy(line: &str, clean: bool) -> bool {
    let b = line.as_bytes();
    if b.first() == Some(&b' ') || b.last() == Some(&b' ') {
        return false;
    }
    // Both folds run over the whole line without branching (vectorized); a line is short.
    let space_next_to_space_or_tab = b
        .iter()
        .zip(&b[1.min(b.len())..])
        .fold(false, |any, (&x, &y)| any | (x == b' ') & ((y == b' ') | (y == b'\t')) | (x == b'\t') & (y == b' '));
    if space_next_to_space_or_tab {
        return false;
    }
    if clean || !b.iter().fold(false, |any, &c| any | is_trigger(c)) {
        return true;
    }
    // A trigger byte is ASCII or a lead byte, so `k` is a character boundary.
    (b.iter().enumerate().filter(|(_, c)| TRIGGER[**c as usize]))
        .all(|(k, _)| line[k..].chars().next().is_some_and(|ch| class(ch) == Class::Keep))
}

/// A line with content begins: end the one before, with one blank line kept between them
/// when blank lines were seen.
fn start_line(out: &mut String, blank_seen: &mut bool) {
    if !out.is_empty() {
        out.push('\n');
        if *blank_seen {
            out.push('\n');
        }
    }
    *blank_seen = false;
}

/// Spaces that separate two columns of a page flattened into one line of text
/// ("ỦY BAN NHÂN DÂN                CỘNG HÒA XÃ HỘI …", "Nơi nhận:          KT. CHỦ TỊCH").
const COLUMN_GAP: usize = 8;
// `tidy` copies a single space between kept characters with them.
const _: () = assert!(COLUMN_GAP > 1);

/// A wide gap before a capital starts another column: the line is split there. Gaps before
/// anything else are blanks left in a form ("Số:         /QĐ-UBND", "ngày     tháng 01").
fn is_column_gap(spaces: usize, next: &str, in_table: bool) -> bool {
    spaces >= COLUMN_GAP && !in_table && next.chars().next().is_some_and(char::is_uppercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> String {
        tidy(&prepare(s).0, true).0
    }

    #[test]
    fn line_ends() {
        assert_eq!(prepare("a\r\nb\rc\n").0, "a\nb\nc\n");
        assert_eq!(t("a\r\nb\rc"), "a\nb\nc\n");
        assert_eq!(t("a\u{0C}b"), "a\nb\n");
        assert_eq!(t("a\u{2028}b"), "a\nb\n");
    }

    #[test]
    fn spaces_mapped_and_collapsed() {
        assert_eq!(t("a\u{A0}\u{A0}b"), "a b\n");
        assert_eq!(t("a\u{2003}b\u{202F}c\u{205F}d\u{3000}e"), "a b c d e\n");
        assert_eq!(t("a    b"), "a b\n");
        assert_eq!(t("   a b   \n  c  "), "a b\nc\n");
    }

    #[test]
    fn invisible_removed_and_counted() {
        let (p, n) = prepare("\u{FEFF}Ủy\u{200B} ban\u{AD}\u{200D} nh\u{2060}ân\u{FEFF}");
        assert_eq!(p, "Ủy ban nhân");
        assert_eq!(n, 6);
        assert_eq!(prepare("a\u{0}b\u{1B}c").0, "abc");
        let (s, n) = tidy("x\u{200C}y", false);
        assert_eq!((s.as_str(), n), ("xy\n", 1));
    }

    #[test]
    fn column_gaps_split_lines_but_form_blanks_do_not() {
        assert_eq!(
            t("  ỦY BAN NHÂN DÂN                  CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"),
            "ỦY BAN NHÂN DÂN\nCỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        );
        assert_eq!(t("Nơi nhận:                          KT. CHỦ TỊCH\n"), "Nơi nhận:\nKT. CHỦ TỊCH\n");
        assert_eq!(t("Số:         /QĐ-UBND\n"), "Số: /QĐ-UBND\n");
        assert_eq!(t("Bà Rịa, ngày          tháng 01 năm 2024\n"), "Bà Rịa, ngày tháng 01 năm 2024\n");
        assert_eq!(t("1\tMột          Hai\n"), "1\tMột Hai\n");
    }

    /// Lines that take the slow path (a double or trailing space somewhere) keep their single
    /// spaces between words, whatever is around them.
    #[test]
    fn single_spaces_in_untidy_lines() {
        assert_eq!(t("a b c  d e "), "a b c d e\n");
        assert_eq!(t(" Số: 12 /QĐ  ngày 1 "), "Số: 12 /QĐ ngày 1\n");
        assert_eq!(t("x y\t z w  \t v u "), "x y\tz w\tv u\n");
        assert_eq!(t("a b\u{A0}c d  e\u{200B} f"), "a b c d e f\n");
        assert_eq!(t("Số:         /QĐ a b  "), "Số: /QĐ a b\n");
        assert_eq!(t("a b        C d  "), "a b\nC d\n");
    }

    #[test]
    fn tabs_are_kept() {
        assert_eq!(t("\t3.2\tTriển khai\t\n"), "\t3.2\tTriển khai\t\n");
        assert_eq!(t("\t\t\t\n"), "\t\t\t\n");
        assert_eq!(t("a\t\tb"), "a\t\tb\n");
        // Spaces next to a tab are cell padding.
        assert_eq!(t("  a  \t  b \t c  "), "a\tb\tc\n");
        assert_eq!(t(" \ta"), "\ta\n");
    }

    #[test]
    fn blank_lines() {
        assert_eq!(t("\n\n  \na\n\n\n \nb\n\n\n"), "a\n\nb\n");
        assert_eq!(t("a"), "a\n");
        assert_eq!(t(""), "");
        assert_eq!(t(" \n\t\n"), "\t\n");
        assert_eq!(t("   \n \n"), "");
    }

    #[test]
    fn triggers_are_the_bytes_that_start_what_class_changes() {
        for c in ('\0'..='\u{FFFF}').filter(|c| class(*c) != Class::Keep && !matches!(c, ' ' | '\t' | '\n')) {
            let mut buf = [0; 4];
            assert!(TRIGGER[c.encode_utf8(&mut buf).as_bytes()[0] as usize], "{c:?}");
        }
        let expected: Vec<u8> =
            (0..=255u8).filter(|b| matches!(b, 0..=8 | 11..=31 | 0x7F | 0xC2 | 0xE2 | 0xE3 | 0xEF)).collect();
        assert_eq!((0..=255u8).filter(|b| TRIGGER[*b as usize]).collect::<Vec<_>>(), expected);
        assert_eq!(first_trigger(&[b'a'; 200]), None);
        let mut long = vec![b'a'; 200];
        long[130] = 0xE2;
        assert_eq!(first_trigger(&long), Some(130));
    }

    /// A line is tidy when tidying it alone gives it back.
    #[test]
    fn tidy_lines_are_what_tidy_leaves() {
        for line in [
            "a b",
            "a  b",
            " a",
            "a ",
            "a\tb",
            "a \tb",
            "a\t b",
            "\ta\t",
            "“a” – b",
            "a\u{A0}b",
            "a\u{200B}b",
            "x",
            "a\t\tb",
        ] {
            assert_eq!(is_tidy(line, false), tidy(line, false).0 == format!("{line}\n"), "{line:?}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { failure_persistence: None, ..Default::default() })]

        /// Lines copied whole come out as the plain walk gives them, and prepared text is
        /// clean.
        #[test]
        fn whole_line_copies_are_the_plain_walk(text in "[ \t\nab\u{A0}\u{200B}Đ\r“\u{1}]{0,40}") {
            proptest::prop_assert_eq!(tidy_with(&text, Some(false)), tidy_with(&text, None));
            let prepared = prepare(&text).0;
            proptest::prop_assert_eq!(tidy_with(&prepared, Some(true)), tidy_with(&prepared, None));
        }
    }

    #[test]
    fn untouched_text_is_borrowed() {
        assert!(matches!(prepare("Kế hoạch “số” – 2023\tx\n").0, Cow::Borrowed(_)));
        assert!(matches!(prepare("").0, Cow::Borrowed(_)));
    }
}
