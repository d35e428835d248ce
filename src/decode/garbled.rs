//! Does a text read as Vietnamese? A check for text layers and decoders that may produce garbage.
//!
//! A PDF whose fonts carry broken ToUnicode maps gives text such as "6Ӣ CÔNG 7+ѬѪ1*" for
//! "SỞ CÔNG THƯƠNG"; a legacy TCVN3 text layer read as Latin-1 gives "QuyÕt ®Þnh cña Thñ t−íng".
//! Both are valid Unicode, so nothing downstream would notice: this module tells them from real
//! Vietnamese by three signals, measured on the words of the text:
//!
//! * the share of words that are **valid Vietnamese syllables** (an initial consonant, a rhyme
//!   from the closed list of Vietnamese rhymes, at most one tone mark): above 0.85 in real
//!   documents, even with names, abbreviations and a few English terms;
//! * **letters that do not belong**: Cyrillic, Greek, letters with diacritics Vietnamese does not
//!   use (ñ, Þ, Ĉ, ÿ …);
//! * **odd characters** inside the text: combining marks left after NFC, U+FFFD, private-use
//!   code points, C0 controls.
//!
//! [`vietnamese_score`] is the first signal alone, a number comparable across candidate decodings
//! of the same bytes (the legacy-encoding decoders pick the encoding that scores highest);
//! [`assess`] gives all three and [`Assessment::is_garbled`] the verdict the PDF reader acts on.

use std::borrow::Cow;
use std::sync::LazyLock;

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// Below this many judged words a text is too short for the syllable share to mean much.
const MIN_JUDGED: usize = 12;
/// A text whose valid-syllable share is below this does not read as Vietnamese.
const MIN_VALID_SHARE: f64 = 0.6;
/// More than this share of judged words with foreign letters is garbage.
const MAX_FOREIGN_SHARE: f64 = 0.12;
/// More odd characters than this share of the letters is garbage.
const MAX_ODD_SHARE: f64 = 0.04;

/// The vowels of Vietnamese, each with its six tones (none, huyền, sắc, hỏi, ngã, nặng).
const VOWELS: [(char, &str); 12] = [
    ('a', "aàáảãạ"),
    ('ă', "ăằắẳẵặ"),
    ('â', "âầấẩẫậ"),
    ('e', "eèéẻẽẹ"),
    ('ê', "êềếểễệ"),
    ('i', "iìíỉĩị"),
    ('o', "oòóỏõọ"),
    ('ô', "ôồốổỗộ"),
    ('ơ', "ơờớởỡợ"),
    ('u', "uùúủũụ"),
    ('ư', "ưừứửữự"),
    ('y', "yỳýỷỹỵ"),
];

/// Initial consonants, longest first.
const INITIALS: [&str; 27] = [
    "ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr", "b", "c", "d", "đ", "g", "h", "k", "l", "m",
    "n", "p", "r", "s", "t", "v", "x",
];

/// The rhymes (vần) of Vietnamese without their tone, medial included.
const RHYMES: &[&str] = &[
    "a", "ac", "ach", "ai", "am", "an", "ang", "anh", "ao", "ap", "at", "au", "ay", // a
    "ăc", "ăm", "ăn", "ăng", "ăp", "ăt", // ă
    "âc", "âm", "ân", "âng", "âp", "ât", "âu", "ây", // â
    "e", "ec", "em", "en", "eng", "eo", "ep", "et", // e
    "ê", "êch", "êm", "ên", "êng", "ênh", "êp", "êt", "êu", // ê
    "i", "ia", "ich", "im", "in", "inh", "ip", "it", "iu", // i
    "iêc", "iêm", "iên", "iêng", "iêp", "iêt", "iêu", // iê
    "o", "oc", "oi", "om", "on", "ong", "op", "ot", "ooc", "oong", // o
    "ô", "ôc", "ôi", "ôm", "ôn", "ông", "ôp", "ôt", // ô
    "ơ", "ơi", "ơm", "ơn", "ơp", "ơt", // ơ
    "u", "uc", "ui", "um", "un", "ung", "up", "ut", // u
    "ua", "uôc", "uôi", "uôm", "uôn", "uông", "uôt", // uô
    "ư", "ưa", "ưc", "ưi", "ưm", "ưn", "ưng", "ưt", "ưu", // ư
    "ươc", "ươi", "ươm", "ươn", "ương", "ươp", "ươt", "ươu", // ươ
    "y", "yêm", "yên", "yêng", "yêt", "yêu", // y
    "oa", "oac", "oach", "oai", "oam", "oan", "oang", "oanh", "oao", "oap", "oat", "oay", // oa
    "oăc", "oăm", "oăn", "oăng", "oăt", // oă
    "oe", "oen", "oeo", "oet", // oe
    "uân", "uâng", "uât", "uây", // uâ
    "uê", "uêch", "uên", "uênh", // uê
    "uy", "uya", "uych", "uyn", "uynh", "uyp", "uyt", "uyu", "uyên", "uyêt", // uy
    "uơ",   // thuở
];

/// Common English words: a text of them is English, not garbage.
const ENGLISH: [&str; 16] =
    ["the", "of", "and", "to", "in", "is", "for", "on", "with", "that", "by", "this", "be", "are", "or", "from"];

/// The toned vowels live in U+00C0–U+01BF and U+1EA0–U+1EFF: a table per range, indexed by code
/// point, of (the vowel without its tone, whether it had one), lower case.
struct ToneTable {
    latin: [Option<(char, bool)>; 0x100],
    extended: [Option<(char, bool)>; 0x60],
}

static TONES: LazyLock<ToneTable> = LazyLock::new(|| {
    let mut t = ToneTable { latin: [None; 0x100], extended: [None; 0x60] };
    for (base, forms) in VOWELS {
        for (i, c) in forms.chars().enumerate() {
            for c in [c, c.to_uppercase().next().unwrap_or(c)] {
                let entry = Some((base, i > 0));
                match u32::from(c) {
                    cp @ 0xC0..=0x1BF => t.latin[(cp - 0xC0) as usize] = entry,
                    cp @ 0x1EA0..=0x1EFF => t.extended[(cp - 0x1EA0) as usize] = entry,
                    _ => {}
                }
            }
        }
    }
    t
});

/// The rhymes, sorted for binary search.
static RHYME_SET: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    let mut rhymes = RHYMES.to_vec();
    rhymes.sort_unstable();
    rhymes
});

fn is_rhyme(s: &str) -> bool {
    RHYME_SET.binary_search(&s).is_ok()
}

/// What [`assess`] measured.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Assessment {
    /// Letters (alphabetic characters).
    pub(crate) letters: usize,
    /// Words whose validity was judged (abbreviations, single letters and numbers are not).
    pub(crate) judged: usize,
    /// Judged words that are valid Vietnamese syllables.
    pub(crate) valid: usize,
    /// Judged words holding a letter that Vietnamese does not use.
    pub(crate) foreign: usize,
    /// Odd characters: combining marks after NFC, U+FFFD, private use, C0 controls.
    pub(crate) odd: usize,
    /// Latin-1 letters and signs that legacy 8-bit encodings (TCVN3, VNI) leave when read as
    /// Latin-1 (®, µ, ¸, Õ, Þ, ñ …), when they sit inside words.
    pub(crate) legacy_signs: usize,
    /// Judged words that are common English words.
    pub(crate) english: usize,
}

impl Assessment {
    /// Share of judged words that are valid syllables; 0 when nothing was judged.
    pub(crate) fn score(&self) -> f64 {
        if self.judged == 0 { 0.0 } else { self.valid as f64 / self.judged as f64 }
    }

    /// The text does not read as Vietnamese: too few valid syllables (unless it reads as
    /// English), too many foreign letters or too many odd characters. A short text is only
    /// garbage when its odd characters and foreign letters dominate.
    pub(crate) fn is_garbled(&self) -> bool {
        let odd_share = self.odd as f64 / self.letters.max(1) as f64;
        if self.judged < MIN_JUDGED {
            return self.odd + self.foreign >= 3 && (self.odd + self.foreign) * 5 > self.letters.max(1);
        }
        let foreign_share = self.foreign as f64 / self.judged as f64;
        if odd_share > MAX_ODD_SHARE || foreign_share > MAX_FOREIGN_SHARE {
            return true;
        }
        let english = self.foreign == 0 && self.english * 8 >= self.judged;
        self.score() < MIN_VALID_SHARE && !english
    }

    /// The garbage looks like a legacy 8-bit Vietnamese encoding read as Latin-1.
    pub(crate) fn looks_legacy(&self) -> bool {
        self.legacy_signs * 20 > self.letters.max(1)
    }

    /// Add the counts of `other`.
    pub(crate) fn add(&mut self, other: &Assessment) {
        self.letters += other.letters;
        self.judged += other.judged;
        self.valid += other.valid;
        self.foreign += other.foreign;
        self.odd += other.odd;
        self.legacy_signs += other.legacy_signs;
        self.english += other.english;
    }
}

/// Share of the words of `text` that are valid Vietnamese syllables, in `[0, 1]`: about 0.9 or
/// more for real Vietnamese, low for mojibake. Words with letters Vietnamese does not use count
/// as invalid; abbreviations ("UBND", "QĐ"), single letters and numbers are not counted. Returns
/// 0 when no word could be judged.
#[allow(dead_code, reason = "the score the legacy-encoding decoders rank candidate readings by")]
pub(crate) fn vietnamese_score(text: &str) -> f64 {
    assess(text).score()
}

/// Measure `text` (see [`Assessment`]). Linear in the length of the text.
pub(crate) fn assess(text: &str) -> Assessment {
    let composed: Cow<'_, str> = match is_nfc_quick(text.chars()) {
        IsNormalized::Yes => Cow::Borrowed(text),
        _ => Cow::Owned(text.nfc().collect()),
    };
    let mut a = Assessment::default();
    let mut word = String::new();
    // A legacy sign right before a letter ("®Þnh") waits for that letter to be counted.
    let mut pending_sign = false;
    for c in composed.chars() {
        let alphabetic =
            c.is_ascii_alphabetic() || (!c.is_ascii() && (vietnamese_letter(c).is_some() || c.is_alphabetic()));
        if alphabetic {
            a.letters += 1;
            word.push(c);
            if pending_sign {
                a.legacy_signs += 1;
                pending_sign = false;
            }
            continue;
        }
        if is_odd(c) {
            a.odd += 1;
        }
        pending_sign = false;
        if is_legacy_sign(c) {
            // A sign glued to a letter (TCVN3 "t−íng", "®Þnh") is a letter in disguise.
            if word.is_empty() {
                pending_sign = true;
            } else {
                a.legacy_signs += 1;
            }
        }
        if !word.is_empty() {
            judge(&word, &mut a);
            word.clear();
        }
    }
    if !word.is_empty() {
        judge(&word, &mut a);
    }
    a
}

/// Judge one word (a run of letters) into `a`.
fn judge(word: &str, a: &mut Assessment) {
    a.legacy_signs += word.chars().filter(|&c| is_legacy_letter(c)).count();
    let mut foreign = false;
    let mut ascii_or_d = true;
    let mut upper = true;
    let mut lower_then_upper = false;
    let mut prev_lower = false;
    let mut count = 0usize;
    for c in word.chars() {
        count += 1;
        let lower = c.is_lowercase();
        if prev_lower && c.is_uppercase() {
            lower_then_upper = true;
        }
        prev_lower = lower;
        if lower {
            upper = false;
        }
        if !(c.is_ascii_alphabetic() || c == 'đ' || c == 'Đ') {
            ascii_or_d = false;
        }
        if vietnamese_letter(c).is_none() {
            foreign = true;
        }
    }
    if foreign {
        a.judged += 1;
        a.foreign += 1;
        return;
    }
    if count == 1 {
        return;
    }
    let valid = !lower_then_upper && is_syllable(word);
    if !valid && upper && ascii_or_d {
        // An abbreviation: UBND, HĐND, QĐ, CNTT.
        return;
    }
    a.judged += 1;
    if valid {
        a.valid += 1;
    }
    if ENGLISH.iter().any(|e| word.eq_ignore_ascii_case(e)) {
        a.english += 1;
    }
}

/// `c` lower-cased, without its tone, and whether it had a tone; `None` for a letter that is
/// not in the Vietnamese alphabet (f, j, w and z are ASCII and allowed here: loanwords).
fn vietnamese_letter(c: char) -> Option<(char, bool)> {
    if c.is_ascii_alphabetic() {
        return Some((c.to_ascii_lowercase(), false));
    }
    match u32::from(c) {
        0x110 | 0x111 => Some(('đ', false)),
        cp @ 0xC0..=0x1BF => TONES.latin[(cp - 0xC0) as usize],
        cp @ 0x1EA0..=0x1EFF => TONES.extended[(cp - 0x1EA0) as usize],
        _ => None,
    }
}

/// `word` is one valid Vietnamese syllable: an optional initial, a rhyme, at most one tone.
pub(crate) fn is_syllable(word: &str) -> bool {
    // Syllables are short: the bare letters fit a small buffer (7 letters at most, "nghiêng").
    let mut buf = [0u8; 32];
    let mut len = 0;
    let mut tones = 0;
    for c in word.chars() {
        let Some((base, toned)) = vietnamese_letter(c) else { return false };
        tones += usize::from(toned);
        if len + base.len_utf8() > buf.len() {
            return false;
        }
        len += base.encode_utf8(&mut buf[len..]).len();
    }
    let Ok(bare) = std::str::from_utf8(&buf[..len]) else { return false };
    if tones > 1 || bare.is_empty() {
        return false;
    }
    // The initial is everything before the first vowel; after "g" and "q" the vowel "i"/"u"
    // may belong to the initial ("gi", "qu").
    let Some(v) = bare.find(['a', 'ă', 'â', 'e', 'ê', 'i', 'o', 'ô', 'ơ', 'u', 'ư', 'y']) else { return false };
    let is_initial = |i: &str| i.is_empty() || INITIALS.contains(&i);
    if is_initial(&bare[..v]) && is_rhyme(&bare[v..]) {
        return true;
    }
    let (head, rest) = bare.split_at(v);
    match (head, rest.chars().next()) {
        ("g", Some('i')) | ("q", Some('u')) => {
            let rest = &rest[1..];
            (rest.is_empty() && head == "g") || is_rhyme(rest)
        }
        _ => false,
    }
}

/// Characters that have no place in a Vietnamese text layer.
fn is_odd(c: char) -> bool {
    matches!(c,
        '\u{FFFD}'
        | '\u{0300}'..='\u{036F}'
        | '\u{E000}'..='\u{F8FF}'
        | '\u{00}'..='\u{08}'
        | '\u{0E}'..='\u{1F}'
    )
}

/// Latin-1 signs that TCVN3 and VNI use for Vietnamese letters (® = đ, µ = à, ¸ = á …).
fn is_legacy_sign(c: char) -> bool {
    matches!(
        c,
        '¡' | '¢'
            | '£'
            | '¤'
            | '¥'
            | '¦'
            | '§'
            | '¨'
            | '©'
            | '«'
            | '¬'
            | '®'
            | '¯'
            | '¶'
            | '·'
            | '¸'
            | '¹'
            | '»'
            | '¼'
            | '½'
            | '¾'
            | '−'
            | '∙'
    )
}

/// Latin-1 letters that TCVN3 and VNI use but Vietnamese text does not (µ, ª, Þ, ñ, Ò, Õ in
/// words that are not syllables …). Counted only as a hint, see [`Assessment::looks_legacy`].
fn is_legacy_letter(c: char) -> bool {
    matches!(
        c,
        'µ' | 'ª'
            | 'º'
            | 'Æ'
            | 'Ç'
            | 'Ë'
            | 'Î'
            | 'Ï'
            | 'Ñ'
            | 'Ö'
            | 'Ø'
            | 'Ü'
            | 'Þ'
            | 'ß'
            | 'å'
            | 'æ'
            | 'ç'
            | 'ë'
            | 'î'
            | 'ï'
            | 'ð'
            | 'ñ'
            | 'ö'
            | 'ø'
            | 'û'
            | 'ü'
            | 'þ'
            | 'ÿ'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syllables() {
        for w in [
            "Sở",
            "CÔNG",
            "THƯƠNG",
            "nghiêng",
            "giữ",
            "gì",
            "quốc",
            "khuya",
            "thuở",
            "người",
            "Việt",
            "khuỷu",
            "hoà",
            "hòa",
            "oanh",
            "quyết",
            "định",
            "xoong",
            "giường",
            "gìn",
        ] {
            assert!(is_syllable(w), "{w}");
        }
        for w in ["QuyÕt", "cña", "ChÝnh", "the", "strength", "hóà", "qu", "ngng", "xyz", "Ѭ"] {
            assert!(!is_syllable(w) || w == "the", "{w}");
        }
    }

    const CLEAN: &str = "SỞ CÔNG THƯƠNG TỈNH LÀO CAI. Căn cứ Luật Xử lý vi phạm hành chính số 15/2012/QH13 \
        ngày 20/6/2012; Căn cứ Nghị định số 189/2025/NĐ-CP ngày 01/7/2025 của Chính phủ quy định chi \
        tiết Luật Xử lý vi phạm hành chính về thẩm quyền xử phạt vi phạm hành chính; Theo đề nghị của \
        Trưởng phòng Quản lý công nghiệp, UBND tỉnh, HĐND tỉnh, CNTT.";

    #[test]
    fn clean_vietnamese_scores_high() {
        let a = assess(CLEAN);
        assert!(a.score() > 0.9, "{a:?}");
        assert!(!a.is_garbled(), "{a:?}");
        assert!(vietnamese_score(CLEAN) > 0.9);
        // Decomposed (NFD) input is composed first.
        let nfd: String = CLEAN.nfd().collect();
        assert!(!assess(&nfd).is_garbled());
    }

    /// Dev file 030 as pdftotext reads it: broken ToUnicode maps.
    const BROKEN: &str = "UBND 7Ӌ1+ LÀO CAI &Ӝ1* HÒA XÃ +Ӝ, &+Ӫ 1*+Ƭ$ 9,ӊ7 NAM 6Ӣ CÔNG 7+ѬѪ1* ĈӝF OұS - 7ӵ do - \
        +ҥQK phúc 6ӕ 1050 4Ĉ6&7 Lào Cai, ngày 06 tháng 3 năm 2026 48<ӂ7 Ĉӎ1+ KiӇm tra YLӋF FKҩS hành pháp \
        OXұW trong sӱ dөng và bҧo quҧn vұt liӋu nә công nghiӋp trên ÿӏa bàn tӍnh Lào Cai năm 2026 GIÁM ĈӔ& \
        &ăQ Fͱ /X̵W V͙ 42/2024/QH15 ngày 29/6/2024 Y͉ 4X̫Q lý, V͵ GͭQJ YǊ khí, Y̵W OL͏X Q͝ và công Fͭ K͟ WUͫ";

    #[test]
    fn broken_font_maps_are_garbled() {
        let a = assess(BROKEN);
        assert!(a.is_garbled(), "{a:?}");
        assert!(a.score() < 0.6, "{a:?}");
        assert!(!a.looks_legacy(), "{a:?}");
    }

    /// Dev file 027: a TCVN3 text layer read as Latin-1.
    const TCVN3: &str = "QuyÕt ®Þnh cña Thñ t−íng ChÝnh phñ sè 115/2004/Q§-TTg ngµy 25 th¸ng 6 n¨m 2004 vÒ viÖc \
        söa ®æi, bæ sung Quy chÕ thµnh lËp, tæ chøc vµ ho¹t ®éng cña Quü b¶o l∙nh tÝn dông cho doanh nghiÖp \
        nhá vµ võa ban hµnh kÌm theo QuyÕt ®Þnh sè 193/2001/Q§-TTg";

    #[test]
    fn legacy_text_is_garbled_and_looks_legacy() {
        let a = assess(TCVN3);
        assert!(a.is_garbled(), "{a:?}");
        assert!(a.looks_legacy(), "{a:?}");
        assert!(vietnamese_score(TCVN3) < vietnamese_score(CLEAN));
    }

    #[test]
    fn english_is_not_garbage() {
        let text = "The Ministry of Planning and Investment shall be responsible for the guidance of this \
                    Directive and report to the Prime Minister on the results of the review in the third quarter.";
        assert!(!assess(text).is_garbled(), "{:?}", assess(text));
    }

    #[test]
    fn short_texts_need_strong_evidence() {
        assert!(!assess("Trang 2").is_garbled());
        assert!(!assess("Phạm Minh Hà").is_garbled());
        assert!(!assess("").is_garbled());
        assert!(assess("Ѭ Ѫ Ӣ Ӌ ҩ ұ").is_garbled());
        assert!(assess("\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD} ab").is_garbled());
        assert_eq!(vietnamese_score(""), 0.0);
    }
}
