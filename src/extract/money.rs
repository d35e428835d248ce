//! Vietnamese number and money writing, shared by prose budgets and budget tables.
//!
//! The convention (SPEC §6): "." groups thousands and "," is the decimal mark: "95.200" triệu
//! đồng is 95 200 000 000 đồng, "185,083" tỷ đồng is 185 083 000 000 đồng. Sources mix it with
//! the English writing ("46.273" tỷ in a table whose other cells read "6.4" and "17.5"), so a
//! lone "." followed by exactly three digits is ambiguous. How it is read:
//!
//! - [`Separator::DotThousands`] / [`Separator::DotDecimal`] fix the reading. A table decides one
//!   for a whole column with [`decide_separator`] (one cell "6.4" or "0.32" shows that "." is the
//!   decimal mark there; one cell "42,16" or "54.000.000" shows the Vietnamese writing).
//! - [`Separator::Auto`] decides per number: "." + exactly three digits after an integer part of
//!   one to three digits that does not start with 0 groups thousands; any other lone "." ("6.4",
//!   "0.325", "1234.5") is a decimal mark. [`amount_vnd`] then checks the magnitude: when reading
//!   the dot as grouping gives more đồng than `money.max_plausible_vnd` of `units.yaml`, the dot
//!   is taken as a decimal mark instead.
//!
//! An ambiguous number read with `Auto` ([`is_ambiguous`]) is a guess: a caller that keeps such
//! an amount should say so in a diagnostic when nothing else (a column, a total that adds up)
//! confirms it.

use std::fmt;
use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use crate::grammar::Grammar;

/// How the "." and "," of a number are to be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Separator {
    /// Decide from the number itself (see the module documentation).
    #[default]
    Auto,
    /// "." groups thousands and "," is the decimal mark (the Vietnamese writing).
    DotThousands,
    /// "." is the decimal mark and "," groups thousands (the English writing).
    DotDecimal,
}

/// An exact decimal number, `mantissa × 10^-scale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Decimal {
    mantissa: i128,
    scale: u32,
}

impl Decimal {
    /// `mantissa × 10^-scale`.
    pub const fn new(mantissa: i128, scale: u32) -> Decimal {
        Decimal { mantissa, scale }
    }

    /// The digits as an integer.
    pub const fn mantissa(self) -> i128 {
        self.mantissa
    }

    /// How many of the digits are decimals.
    pub const fn scale(self) -> u32 {
        self.scale
    }

    /// True when the number has no fractional part.
    pub fn is_integer(self) -> bool {
        self.scale == 0 || self.mantissa % 10i128.pow(self.scale.min(38)) == 0
    }

    /// The same number without trailing decimal zeros: 59.20 -> 59.2.
    pub fn normalized(self) -> Decimal {
        let (mut m, mut scale) = (self.mantissa, self.scale);
        while scale > 0 && m % 10 == 0 {
            m /= 10;
            scale -= 1;
        }
        Decimal::new(m, scale)
    }

    /// Plain notation, no grouping, no trailing zeros: "100", "59.2", "0.32".
    pub fn to_plain(self) -> String {
        let Decimal { mantissa: m, scale } = self.normalized();
        let digits = m.unsigned_abs().to_string();
        let sign = if m < 0 { "-" } else { "" };
        if scale == 0 {
            return format!("{sign}{digits}");
        }
        let scale = scale as usize;
        let padded =
            if digits.len() <= scale { format!("{}{digits}", "0".repeat(scale + 1 - digits.len())) } else { digits };
        let (int, frac) = padded.split_at(padded.len() - scale);
        format!("{sign}{int}.{frac}")
    }

    /// `self × multiplier` as an integer, rounded half away from zero; `None` on overflow.
    pub fn times(self, multiplier: i64) -> Option<i64> {
        let product = self.mantissa.checked_mul(i128::from(multiplier))?;
        let div = 10i128.checked_pow(self.scale)?;
        let (q, r) = (product / div, product % div);
        let rounded = if r.abs() * 2 >= div { q + product.signum() } else { q };
        i64::try_from(rounded).ok()
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_plain())
    }
}

/// One decimal digit, as the regex crate reads `\d` (any Unicode decimal digit).
static UNICODE_DIGIT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\d$").expect("valid regex"));

/// Bytes that may start a decimal digit: ASCII digits, and the lead bytes of chars that are
/// not below U+0640 nor in U+2000..U+A000 (no decimal digit lies there). `0xE1` (U+1000..U+1FFF)
/// is mostly Vietnamese letters (U+1E00..): [`digit_len`] looks closer.
static MAY_START_DIGIT: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = matches!(b as u8, b'0'..=b'9' | 0xD9..=0xE1 | 0xEA..=0xF4);
        b += 1;
    }
    t
};

/// Byte length of the decimal digit starting at byte `i` of `s` (0 when there is none), as
/// the regex crate reads `\d` (any Unicode decimal digit). ASCII digits are decided by their
/// byte; no other decimal digit lies below U+0660 or in U+1E00..U+A620 (Vietnamese letters,
/// punctuation), so only rare chars ask the regex.
fn digit_len(s: &str, i: usize) -> usize {
    let bytes = s.as_bytes();
    let b = bytes[i];
    if b.is_ascii_digit() {
        return 1;
    }
    // ASCII, a continuation byte, or a char below U+0640 (0xD9 leads U+0640..U+067F); U+1E00..
    if !MAY_START_DIGIT[usize::from(b)] || (b == 0xE1 && bytes.get(i + 1).is_some_and(|&n| n >= 0xB8)) {
        return 0;
    }
    let Some(c) = s[i..].chars().next() else { return 0 };
    if c < '\u{660}' || ('\u{1E00}'..'\u{A620}').contains(&c) || !c.is_numeric() {
        return 0;
    }
    let mut buf = [0u8; 4];
    if UNICODE_DIGIT.is_match(c.encode_utf8(&mut buf)) { c.len_utf8() } else { 0 }
}

/// Where the run of digits starting at byte `i` of `s` ends (`i` when there is none).
fn digits_end(s: &str, mut i: usize) -> usize {
    let bytes = s.as_bytes();
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let n = digit_len(s, i);
        if n == 0 {
            break;
        }
        i += n;
    }
    i
}

/// Where the number starting at byte `i` of `s` ends: digits joined by single "." or ","
/// (`\d+(?:[.,]\d+)*`); `i` when no digit stands there.
pub(crate) fn number_end(s: &str, i: usize) -> usize {
    let mut end = digits_end(s, i);
    if end == i {
        return i;
    }
    while end < s.len() && matches!(s.as_bytes()[end], b'.' | b',') {
        let next = digits_end(s, end + 1);
        if next == end + 1 {
            break;
        }
        end = next;
    }
    end
}

/// The first number of `s` at or after byte `from` (see [`numbers`]).
pub(crate) fn next_number(s: &str, from: usize) -> Option<Range<usize>> {
    let bytes = s.as_bytes();
    let mut pos = from;
    // Bytes before `checked` were looked at by `skip_no_start` (one block with a hit).
    let mut checked = from;
    while pos < bytes.len() {
        if pos >= checked {
            pos = skip_no_start(bytes, pos);
            checked = pos + 16;
            if pos >= bytes.len() {
                break;
            }
        }
        let b = bytes[pos];
        if !MAY_START_DIGIT[usize::from(b)] {
            pos += 1;
        } else if b == 0xE1 && bytes.get(pos + 1).is_some_and(|&n| n >= 0xB8) {
            // U+1E00..U+1FFF, the Vietnamese letters: three bytes, no digit.
            pos += 3;
        } else if digit_len(s, pos) > 0 {
            return Some(pos..number_end(s, pos));
        } else {
            pos += 1;
        }
    }
    None
}

/// `pos` moved on over 16-byte blocks in which no number can start: no byte of
/// [`MAY_START_DIGIT`] but a Vietnamese letter's lead byte (the blocks the loop of
/// [`next_number`] would only step through). Written as a branch-free fold over the block so
/// that it compiles to vector compares; most blocks of prose hold no digit.
fn skip_no_start(bytes: &[u8], mut pos: usize) -> usize {
    while let Some(block) = bytes.get(pos..pos + 17) {
        let mut hit = 0u8;
        for i in 0..16 {
            let (b, next) = (block[i], block[i + 1]);
            let digit = b.wrapping_sub(b'0') < 10;
            let lead = b.wrapping_sub(0xD9) < 9 || b.wrapping_sub(0xEA) < 11;
            let vietnamese = b == 0xE1 && next >= 0xB8;
            hit |= u8::from(digit | (lead & !vietnamese));
        }
        if hit != 0 {
            break;
        }
        pos += 16;
    }
    pos
}

/// The numbers of `s` as prose writes them, left to right: what `\d+(?:[.,]\d+)*` finds, by a
/// byte scan instead of a regex search per line (most bytes of a line are not digits).
pub(crate) fn numbers(s: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut from = 0;
    std::iter::from_fn(move || {
        let m = next_number(s, from)?;
        from = m.end;
        Some(m)
    })
}

/// Spaces that group thousands ("95 200").
fn is_group_space(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}')
}

/// Digit groups `a.bbb.ccc` with `sep`: valid when the first has 1–3 digits and the others 3
/// (and there are two or more).
fn valid_grouping<'p>(parts: impl IntoIterator<Item = &'p str>) -> bool {
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    let mut parts = parts.into_iter();
    let Some(first) = parts.next() else { return false };
    let mut more = false;
    for p in parts {
        if p.len() != 3 || !digits(p) {
            return false;
        }
        more = true;
    }
    more && (1..=3).contains(&first.len()) && digits(first)
}

/// Parse a number written the Vietnamese way (or the English way, per `hint`): digits with "."
/// and "," as thousands grouping or decimal mark, thousands grouped by spaces ("95 200"). `None`
/// for anything else ("1.2.3", "10-20", "abc", "").
///
/// With both marks the last one is the decimal mark ("1.234,5", "1,234.5"). Several of the same
/// mark group thousands ("54.000.000"). A lone "," is a decimal mark ("185,083"), except under
/// [`Separator::DotDecimal`] when three digits follow ("1,234"). A lone "." follows `hint` (see
/// the module documentation for [`Separator::Auto`]).
pub fn parse_number(s: &str, hint: Separator) -> Option<Decimal> {
    let s = s.trim();
    // Text cells and plain whole numbers, the most common cases, answered at once.
    if !s.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Decimal::new(digits_value([s])?, 0));
    }
    let grouped: Vec<&str>;
    let compact: std::borrow::Cow<'_, str> = if s.contains(is_group_space) {
        grouped = s.split(is_group_space).filter(|p| !p.is_empty()).collect();
        if !space_groups_valid(&grouped) {
            return None;
        }
        grouped.concat().into()
    } else {
        s.into()
    };
    let compact = compact.as_ref();
    let b = compact.as_bytes();
    if b.is_empty() || !b[0].is_ascii_digit() || !b[b.len() - 1].is_ascii_digit() {
        return None;
    }
    if !b.iter().all(|c| c.is_ascii_digit() || *c == b'.' || *c == b',') {
        return None;
    }
    let dots = b.iter().filter(|c| **c == b'.').count();
    let commas = b.iter().filter(|c| **c == b',').count();
    // The integer part as digit groups read in order, and the decimals.
    let (mantissa, frac): (Option<i128>, &str) = match (dots, commas) {
        (0, 0) => (digits_value([compact]), ""),
        (_, 0) | (0, _) => {
            let sep = if dots > 0 { '.' } else { ',' };
            if dots + commas > 1 {
                if !valid_grouping(compact.split(sep)) {
                    return None;
                }
                (digits_value(compact.split(sep)), "")
            } else {
                let (int, dec) = compact.split_once(sep)?;
                let grouping = valid_grouping([int, dec]);
                let as_grouping = match (sep, hint) {
                    ('.', Separator::DotThousands) => grouping,
                    ('.', Separator::DotDecimal) => false,
                    ('.', Separator::Auto) => grouping && !int.starts_with('0'),
                    (_, Separator::DotDecimal) => grouping && !int.starts_with('0'),
                    _ => false,
                };
                // Grouping or not, the digits are the same: the dot only moves the decimals.
                (digits_value([int, dec]), if as_grouping { "" } else { dec })
            }
        }
        _ => {
            let last = compact.rfind(['.', ','])?;
            let dec = compact.as_bytes()[last];
            let group = if dec == b'.' { ',' } else { '.' };
            let (head, frac) = (&compact[..last], &compact[last + 1..]);
            if head.contains(dec as char) {
                return None;
            }
            if !valid_grouping(head.split(group)) {
                return None;
            }
            (digits_value(head.split(group).chain([frac])), frac)
        }
    };
    Some(Decimal::new(mantissa?, u32::try_from(frac.len()).ok()?))
}

/// The pieces of a number split at its group spaces ("95 200,5" -> "95", "200,5") are
/// thousands groups: one to three digits, then three digits each; the last group may go on
/// with a decimal or grouping mark.
fn space_groups_valid(parts: &[&str]) -> bool {
    let Some((first, rest)) = parts.split_first() else { return false };
    (1..=3).contains(&first.len())
        && first.bytes().all(|b| b.is_ascii_digit())
        && rest.iter().enumerate().all(|(i, p)| {
            let head = p.get(..3).unwrap_or(p);
            head.len() == 3
                && head.bytes().all(|b| b.is_ascii_digit())
                && (p.len() == 3 || (i + 1 == rest.len() && matches!(p.as_bytes()[3], b'.' | b',')))
        })
}

/// The digits of `pieces`, read one after the other as one whole number (`None` on overflow,
/// as `str::parse::<i128>` of the joined digits).
fn digits_value<'p>(pieces: impl IntoIterator<Item = &'p str>) -> Option<i128> {
    pieces.into_iter().flat_map(str::bytes).try_fold(0i128, |m, b| m.checked_mul(10)?.checked_add(i128::from(b - b'0')))
}

/// True when `s` holds one "." followed by exactly three digits and no ",": "46.273" may be
/// 46 273 or 46.273.
pub fn is_ambiguous(s: &str) -> bool {
    let s = s.trim();
    if s.contains(',') || s.matches('.').count() != 1 {
        return false;
    }
    let (int, frac) = s.split_once('.').unwrap_or_default();
    frac.len() == 3 && (1..=3).contains(&int.len()) && [int, frac].iter().all(|p| p.bytes().all(|b| b.is_ascii_digit()))
}

/// The reading of "." that the numbers of one column (or any set written by one hand) show:
/// [`Separator::DotDecimal`] when some number can only be read with a decimal dot ("6.4",
/// "0.32", "1,234.5", "1,234,567") and none with grouping dots; [`Separator::DotThousands`] in
/// the opposite case ("42,16", "54.000.000", "1.234,5"); [`Separator::Auto`] when nothing or
/// both are shown. Cells that are not numbers are ignored.
pub fn decide_separator<I, S>(cells: I) -> Separator
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let (mut dot_decimal, mut dot_thousands) = (false, false);
    for cell in cells {
        // The cell without its white space (copied only when it has some).
        let cell = cell.as_ref();
        let c: std::borrow::Cow<'_, str> = if cell.contains(char::is_whitespace) {
            cell.chars().filter(|c| !c.is_whitespace()).collect::<String>().into()
        } else {
            cell.into()
        };
        if c.is_empty() || !c.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b',') {
            continue;
        }
        let (dots, commas) = (c.matches('.').count(), c.matches(',').count());
        // (The first group is what comes before the first mark.)
        match (dots, commas) {
            (0, 0) => {}
            (_, 0) => {
                if dots > 1 {
                    dot_thousands |= valid_grouping(c.split('.'));
                } else if !valid_grouping(c.split('.')) || c.starts_with('0') {
                    dot_decimal = true;
                }
            }
            (0, _) => {
                if commas > 1 {
                    dot_decimal |= valid_grouping(c.split(','));
                } else if !valid_grouping(c.split(',')) || c.starts_with('0') {
                    dot_thousands = true;
                }
            }
            _ => {
                if c.rfind('.') > c.rfind(',') {
                    dot_decimal = true;
                } else {
                    dot_thousands = true;
                }
            }
        }
    }
    match (dot_decimal, dot_thousands) {
        (true, false) => Separator::DotDecimal,
        (false, true) => Separator::DotThousands,
        _ => Separator::Auto,
    }
}

/// What one `unit` is worth in đồng, from `money.units` of `units.yaml`: "tỷ đồng" ->
/// 1 000 000 000. Case and spacing do not matter; a table label ("ĐVT: Triệu đồng") and
/// brackets ("(triệu đồng)") are dropped.
pub fn unit_multiplier(unit: &str, grammar: &Grammar) -> Option<i64> {
    let units = &grammar.units;
    let mut u = unit.trim().trim_start_matches('(').trim_end_matches([')', '.', ':', ';', ',']);
    if let Some((len, _)) = units.unit_labels.match_at(u) {
        u = u[len..].trim_start().trim_start_matches(':').trim_start();
    }
    let (len, m) = units.money_at(u)?;
    u[len..].trim().is_empty().then_some(m.multiplier)
}

/// `number` `unit` in đồng: `amount_vnd("185,083", "tỷ đồng", g)` is 185 083 000 000. The "."
/// is read with [`Separator::Auto`], then the magnitude check of the module documentation.
/// `None` when the number or the unit cannot be read, or on overflow.
pub fn amount_vnd(number: &str, unit: &str, grammar: &Grammar) -> Option<i64> {
    amount_vnd_with(number, unit, Separator::Auto, grammar)
}

/// [`amount_vnd`] with the reading of "." fixed by `hint` (a table's column decision); the
/// magnitude check applies to [`Separator::Auto`] only.
pub fn amount_vnd_with(number: &str, unit: &str, hint: Separator, grammar: &Grammar) -> Option<i64> {
    let multiplier = unit_multiplier(unit, grammar)?;
    let value = parse_number(number, hint)?.times(multiplier);
    if hint == Separator::Auto && is_ambiguous(number) && value.is_none_or(|v| v > grammar.units.max_plausible_vnd) {
        return parse_number(number, Separator::DotDecimal)?.times(multiplier);
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(s: &str, hint: Separator) -> Option<String> {
        parse_number(s, hint).map(Decimal::to_plain)
    }

    #[test]
    fn vietnamese_writing() {
        use Separator::Auto;
        assert_eq!(plain("95.200", Auto).as_deref(), Some("95200"));
        assert_eq!(plain("185,083", Auto).as_deref(), Some("185.083"));
        assert_eq!(plain("42,16", Auto).as_deref(), Some("42.16"));
        assert_eq!(plain("54.000.000", Auto).as_deref(), Some("54000000"));
        assert_eq!(plain("1.234,5", Auto).as_deref(), Some("1234.5"));
        assert_eq!(plain("1,234.5", Auto).as_deref(), Some("1234.5"));
        assert_eq!(plain("95 200", Auto).as_deref(), Some("95200"));
        assert_eq!(plain("100", Auto).as_deref(), Some("100"));
        assert_eq!(plain("02", Auto).as_deref(), Some("2"));
        assert_eq!(plain("0.32", Auto).as_deref(), Some("0.32"));
        assert_eq!(plain("6.4", Auto).as_deref(), Some("6.4"));
        assert_eq!(plain("0.325", Auto).as_deref(), Some("0.325"));
        assert_eq!(plain("59,20", Auto).as_deref(), Some("59.2"));
        for bad in ["", "1.2.3", "10-20", "abc", "1..2", ".5", "5.", "1.23.456", "12 34"] {
            assert_eq!(parse_number(bad, Auto), None, "{bad}");
        }
    }

    #[test]
    fn numbers_in_prose() {
        let re = Regex::new(r"\d+(?:[.,]\d+)*").unwrap();
        for s in [
            "Tổng kinh phí: 185,083 tỷ đồng, trong đó 1.250.000 triệu; 1..2, 3., .4 và 5,a",
            "x٣٤.٥ y １２,３ z 7৮ đến năm 2025-2030",
            "",
            "12",
            "a1,2,3.4.",
        ] {
            let want: Vec<_> = re.find_iter(s).map(|m| m.range()).collect();
            assert_eq!(numbers(s).collect::<Vec<_>>(), want, "{s}");
        }
    }

    #[test]
    fn hints_fix_the_lone_dot() {
        assert_eq!(plain("46.273", Separator::Auto).as_deref(), Some("46273"));
        assert_eq!(plain("46.273", Separator::DotDecimal).as_deref(), Some("46.273"));
        assert_eq!(plain("46.273", Separator::DotThousands).as_deref(), Some("46273"));
        assert_eq!(plain("6.4", Separator::DotThousands).as_deref(), Some("6.4"));
        assert_eq!(plain("1,234", Separator::DotDecimal).as_deref(), Some("1234"));
        assert_eq!(plain("1,234", Separator::Auto).as_deref(), Some("1.234"));
        assert!(is_ambiguous("46.273") && !is_ambiguous("6.4") && !is_ambiguous("54.000.000"));
    }

    #[test]
    fn columns_decide_the_separator() {
        assert_eq!(decide_separator(["46.273", "6.4", "17.5", "", "Sở Nội vụ"]), Separator::DotDecimal);
        assert_eq!(decide_separator(["95.200", "82.200", "10.000", "1200"]), Separator::Auto);
        assert_eq!(decide_separator(["95.200", "42,16"]), Separator::DotThousands);
        assert_eq!(decide_separator(["54.000.000", "34.800.000"]), Separator::DotThousands);
        assert_eq!(decide_separator(["6.4", "42,16"]), Separator::Auto);
    }

    #[test]
    fn decimals_multiply_and_round() {
        assert_eq!(Decimal::new(185_083, 3).times(1_000_000_000), Some(185_083_000_000));
        assert_eq!(Decimal::new(15, 1).times(1), Some(2));
        assert_eq!(Decimal::new(-15, 1).times(1), Some(-2));
        assert_eq!(Decimal::new(i128::from(i64::MAX), 0).times(10), None);
        assert_eq!(Decimal::new(5, 3).to_plain(), "0.005");
        assert!(Decimal::new(1200, 2).is_integer() && !Decimal::new(1201, 2).is_integer());
    }

    /// [`parse_number`] as it was written first (strings joined, then parsed): the reference
    /// the faster one must agree with.
    fn parse_number_before(s: &str, hint: Separator) -> Option<Decimal> {
        let s = s.trim();
        let compact: String = if s.contains(is_group_space) {
            let parts: Vec<&str> = s.split(is_group_space).filter(|p| !p.is_empty()).collect();
            if !space_groups_valid(&parts) {
                return None;
            }
            parts.concat()
        } else {
            s.to_owned()
        };
        let b = compact.as_bytes();
        if b.is_empty() || !b[0].is_ascii_digit() || !b[b.len() - 1].is_ascii_digit() {
            return None;
        }
        if !b.iter().all(|c| c.is_ascii_digit() || *c == b'.' || *c == b',') {
            return None;
        }
        let dots = b.iter().filter(|c| **c == b'.').count();
        let commas = b.iter().filter(|c| **c == b',').count();
        let (int, frac): (String, &str) = match (dots, commas) {
            (0, 0) => (compact.clone(), ""),
            (_, 0) | (0, _) => {
                let sep = if dots > 0 { '.' } else { ',' };
                let parts: Vec<&str> = compact.split(sep).collect();
                if parts.len() > 2 {
                    if !valid_grouping(parts.iter().copied()) {
                        return None;
                    }
                    (parts.concat(), "")
                } else {
                    let grouping = valid_grouping(parts.iter().copied());
                    let as_grouping = match (sep, hint) {
                        ('.', Separator::DotThousands) => grouping,
                        ('.', Separator::DotDecimal) => false,
                        ('.', Separator::Auto) => grouping && !parts[0].starts_with('0'),
                        (_, Separator::DotDecimal) => grouping && !parts[0].starts_with('0'),
                        _ => false,
                    };
                    if as_grouping { (parts.concat(), "") } else { (parts[0].to_owned(), parts[1]) }
                }
            }
            _ => {
                let last = compact.rfind(['.', ','])?;
                let dec = compact.as_bytes()[last];
                let group = if dec == b'.' { ',' } else { '.' };
                let (head, frac) = (&compact[..last], &compact[last + 1..]);
                if head.contains(dec as char) {
                    return None;
                }
                let parts: Vec<&str> = head.split(group).collect();
                if !valid_grouping(parts.iter().copied()) {
                    return None;
                }
                (parts.concat(), frac)
            }
        };
        let digits = format!("{int}{frac}");
        let mantissa: i128 = digits.parse().ok()?;
        Some(Decimal::new(mantissa, u32::try_from(frac.len()).ok()?))
    }

    #[test]
    fn parsing_agrees_with_the_reference() {
        for s in [
            "95.200",
            "185,083",
            "1.234,5",
            "1,234.5",
            "95 200",
            "95 200,5",
            "0.32",
            "99999999999999999999999999999999999999999",
            "1.2.3",
            "12 34",
            " 7 ",
            "",
        ] {
            for hint in [Separator::Auto, Separator::DotThousands, Separator::DotDecimal] {
                assert_eq!(parse_number(s, hint), parse_number_before(s, hint), "{s:?}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn numbers_are_the_regex_matches(s in "[0-9.,a ٣１đ]{0,16}") {
            let re = Regex::new(r"\d+(?:[.,]\d+)*").unwrap();
            let want: Vec<_> = re.find_iter(&s).map(|m| m.range()).collect();
            assert_eq!(numbers(&s).collect::<Vec<_>>(), want);
        }

        #[test]
        fn numbers_in_long_lines_are_the_regex_matches(
            s in "([a-z ]{0,20}|[0-9]{1,3}|[.,]|ệ|ờ|Ạ|đ|ư|٣|１|၁|–|“|𝟘|ñ){0,40}",
        ) {
            // Long enough for the blocks of `skip_no_start`, with digits outside ASCII (Arabic,
            // full width, Myanmar: a lead byte 0xE1 below the Vietnamese letters, mathematical).
            let re = Regex::new(r"\d+(?:[.,]\d+)*").unwrap();
            let want: Vec<_> = re.find_iter(&s).map(|m| m.range()).collect();
            assert_eq!(numbers(&s).collect::<Vec<_>>(), want);
        }

        #[test]
        fn grouped_numbers_parse_as_before(s in "[0-9]{1,4}([., ][0-9]{1,4}){0,3}") {
            for hint in [Separator::Auto, Separator::DotThousands, Separator::DotDecimal] {
                assert_eq!(parse_number(&s, hint), parse_number_before(&s, hint), "{s:?}");
            }
        }

        #[test]
        fn separators_decided_as_before(cells in proptest::collection::vec("[0-9]{0,4}([., ][0-9]{0,4}){0,3}|x", 0..4)) {
            // The reading as first written: each cell copied without its white space, its
            // digit groups collected.
            let before = |cells: &[String]| {
                let (mut dot_decimal, mut dot_thousands) = (false, false);
                for cell in cells {
                    let c: String = cell.chars().filter(|c| !c.is_whitespace()).collect();
                    if c.is_empty() || !c.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b',') {
                        continue;
                    }
                    let (dots, commas) = (c.matches('.').count(), c.matches(',').count());
                    let parts = |sep: char| c.split(sep).collect::<Vec<&str>>();
                    match (dots, commas) {
                        (0, 0) => {}
                        (_, 0) if dots > 1 => dot_thousands |= valid_grouping(parts('.')),
                        (_, 0) => dot_decimal |= !valid_grouping(parts('.')) || parts('.')[0].starts_with('0'),
                        (0, _) if commas > 1 => dot_decimal |= valid_grouping(parts(',')),
                        (0, _) => dot_thousands |= !valid_grouping(parts(',')) || parts(',')[0].starts_with('0'),
                        _ if c.rfind('.') > c.rfind(',') => dot_decimal = true,
                        _ => dot_thousands = true,
                    }
                }
                match (dot_decimal, dot_thousands) {
                    (true, false) => Separator::DotDecimal,
                    (false, true) => Separator::DotThousands,
                    _ => Separator::Auto,
                }
            };
            assert_eq!(decide_separator(&cells), before(&cells), "{cells:?}");
        }

        #[test]
        fn parsing_never_panics(s in "[0-9.,  \u{a0}ñ đ]{0,12}") {
            for hint in [Separator::Auto, Separator::DotThousands, Separator::DotDecimal] {
                assert_eq!(parse_number(&s, hint), parse_number_before(&s, hint), "{s:?}");
                if let Some(d) = parse_number(&s, hint) {
                    // What parses is a plain decimal that parses back to itself.
                    assert_eq!(parse_number(&d.to_plain(), Separator::DotDecimal), Some(d.normalized()));
                }
            }
            let _ = is_ambiguous(&s);
            let _ = decide_separator([s.as_str(), "1.5"]);
        }
    }

    #[test]
    fn amounts_in_dong() {
        let g = Grammar::embedded().expect("grammars");
        assert_eq!(amount_vnd("185,083", "tỷ đồng", &g), Some(185_083_000_000));
        assert_eq!(amount_vnd("95.200", "triệu đồng", &g), Some(95_200_000_000));
        assert_eq!(amount_vnd("1130", "ĐVT: Triệu đồng", &g), Some(1_130_000_000));
        assert_eq!(amount_vnd("56", "(tỷ đồng)", &g), Some(56_000_000_000));
        assert_eq!(amount_vnd("54.000.000", "đ", &g), Some(54_000_000));
        assert_eq!(amount_vnd("46.273", "tỷ đồng", &g), Some(46_273_000_000_000));
        assert_eq!(amount_vnd_with("46.273", "tỷ đồng", Separator::DotDecimal, &g), Some(46_273_000_000));
        // Read as grouping, 950.000 nghìn tỷ would be absurd: the dot is a decimal mark.
        assert_eq!(amount_vnd("950.000", "nghìn tỷ đồng", &g), Some(950_000_000_000_000));
        assert_eq!(amount_vnd("9.500", "nghìn tỷ đồng", &g), Some(9_500_000_000_000_000));
        assert_eq!(amount_vnd("12", "người", &g), None);
        assert_eq!(unit_multiplier("Triệu  đồng", &g), Some(1_000_000));
    }
}
