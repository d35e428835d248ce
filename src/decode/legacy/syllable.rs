//! Is a word a well-formed Vietnamese syllable? The model (onsets, rhymes, stop codas) is data,
//! in `syllables.txt`; see its header for the rules.

use std::collections::HashSet;
use std::sync::OnceLock;

use unicode_normalization::UnicodeNormalization;

use super::tables::section_lines;

const DATA: &str = include_str!("syllables.txt");

/// The parsed model.
#[derive(Debug)]
struct Model {
    /// Onsets, longest first.
    onsets: Vec<&'static str>,
    rhymes: HashSet<&'static str>,
    stops: Vec<&'static str>,
}

fn model() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| {
        let words = |name| section_lines(DATA, name).flat_map(str::split_ascii_whitespace);
        let mut onsets: Vec<&str> = words("onsets").collect();
        onsets.sort_by_key(|o| std::cmp::Reverse(o.len()));
        Model { onsets, rhymes: words("rhymes").collect(), stops: words("stops").collect() }
    })
}

/// The five tone marks, as combining characters (and the two deprecated tone-mark forms).
fn tone_of(c: char) -> Option<Tone> {
    match c {
        '\u{0300}' | '\u{0340}' => Some(Tone::Grave),
        '\u{0301}' | '\u{0341}' => Some(Tone::Acute),
        '\u{0309}' => Some(Tone::Hook),
        '\u{0303}' => Some(Tone::Tilde),
        '\u{0323}' => Some(Tone::Dot),
        _ => None,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tone {
    Grave,
    Acute,
    Hook,
    Tilde,
    Dot,
}

/// True when `word` (letters only, any case, any normalization form) is a well-formed
/// Vietnamese syllable: an onset from the model (or none) and a rhyme from the model, at most
/// one tone mark, placed on a vowel, and after a stop coda only the acute or dot-below tone.
pub(crate) fn is_syllable(word: &str) -> bool {
    if word.is_empty() || word.len() > 32 {
        return false;
    }
    let mut bare = String::with_capacity(word.len());
    let mut tone = None;
    let mut previous = None;
    for c in word.nfd() {
        if let Some(t) = tone_of(c) {
            if tone.is_some() || !previous.is_some_and(is_vowel_base) {
                return false;
            }
            tone = Some(t);
        } else {
            bare.push(c);
            if !is_combining(c) {
                previous = Some(c);
            }
        }
    }
    let bare: String = bare.nfc().flat_map(char::to_lowercase).collect();
    let m = model();
    let split = |onset: &str| {
        let rhyme = &bare[onset.len()..];
        let fits = m.rhymes.contains(rhyme) && !(onset == "qu" && rhyme.starts_with('u'));
        fits.then_some(rhyme)
    };
    let rhyme = m.onsets.iter().filter(|o| bare.starts_with(**o)).find_map(|o| split(o)).or_else(|| split(""));
    let Some(rhyme) = rhyme else { return false };
    let stopped = m.stops.iter().any(|s| rhyme.ends_with(s));
    !stopped || matches!(tone, Some(Tone::Acute | Tone::Dot))
}

/// The base letters that carry tone marks (in NFD: before any combining mark).
fn is_vowel_base(c: char) -> bool {
    matches!(c.to_ascii_lowercase(), 'a' | 'e' | 'i' | 'o' | 'u' | 'y')
}

fn is_combining(c: char) -> bool {
    ('\u{0300}'..='\u{036F}').contains(&c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syllables() {
        for w in [
            "a",
            "anh",
            "người",
            "Nghiêng",
            "quốc",
            "QUYẾT",
            "định",
            "khuya",
            "thuở",
            "giữa",
            "gì",
            "giêng",
            "hoàng",
            "được",
            "luật",
            "xoá",
            "xóa",
            "Uỷ",
            "ủy",
            "việc",
            "tuyển",
            "khuyến",
            "oong",
            "những",
            "trường",
        ] {
            assert!(is_syllable(w), "{w}");
        }
        // A tone mark on a consonant.
        assert!(!is_syllable("đ\u{0301}a"));
        for w in ["", "qđ", "ồồ", "vµ", "nhaân", "tàt", "hiện2", "aâ", "quu", "ỏằ", "xyz", "byte"] {
            assert!(!is_syllable(w), "{w}");
        }
        // Stop codas take only the acute and dot-below tones.
        assert!(is_syllable("tốt") && is_syllable("một") && !is_syllable("tồt") && !is_syllable("tỏt"));
        // Two tone marks.
        assert!(!is_syllable("a\u{0301}\u{0300}"));
    }
}
