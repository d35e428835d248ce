//! Telling the legacy encoding of 8-bit text: decode every accented word with every candidate
//! encoding and count how many come out as well-formed Vietnamese syllables.
//!
//! Only words holding a byte >= 0x80 (or one of the VISCII capitals in C0) are scored: plain
//! ASCII words read the same in every candidate. The candidate with the most syllables wins
//! *clearly* when at least [`CLEAR_SHARE`] of the scored words read as syllables and, on the
//! words where it and the runner-up disagree, it is right at least twice as often plus two.
//! A font-name hint wins unless another candidate clearly beats it.

use std::collections::HashMap;

use super::syllable::is_syllable;
use super::{decode_with, is_word_char};
use crate::model::Encoding;

/// The candidates, in the order that breaks ties (most common first).
pub(crate) const CANDIDATES: [Encoding; 5] =
    [Encoding::Tcvn3, Encoding::Vni, Encoding::Windows1258, Encoding::Viscii, Encoding::Vps];

/// A clear winner reads at least this share of the scored words as syllables.
const CLEAR_SHARE: f64 = 0.6;
/// Below this share the best candidate is not a reading of the text at all.
const GUESS_SHARE: f64 = 0.3;
/// A hinted encoding is kept when it reads at least this share.
const HINT_SHARE: f64 = 0.5;
/// Words scored at most (the first ones): enough to decide, bounded time on huge inputs.
const MAX_WORDS: usize = 20_000;
/// Longer "words" are not words.
const MAX_WORD_BYTES: usize = 40;

/// What detection concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// No accented word to score.
    Nothing,
    /// This encoding clearly wins.
    Clear(Encoding),
    /// This encoding reads best, but not clearly.
    Guess(Encoding),
    /// No candidate reads the text as Vietnamese.
    Unreadable,
}

/// The verdict with the evidence, for diagnostics.
#[derive(Debug, Clone)]
pub(crate) struct Detection {
    pub(crate) verdict: Verdict,
    /// Scored words.
    pub(crate) words: usize,
    /// Syllables per candidate, best first.
    pub(crate) scores: Vec<(Encoding, usize)>,
}

impl Detection {
    /// "TCVN3 reads 96% of 1234 accented words as Vietnamese syllables; VNI 3%".
    pub(crate) fn summary(&self) -> String {
        let pct = |n: usize| (n * 100 + self.words / 2).checked_div(self.words).unwrap_or(0);
        let mut parts = self.scores.iter().take(2).map(|&(e, n)| format!("{} {}%", label(e), pct(n)));
        let first = parts.next().unwrap_or_default();
        let rest: Vec<String> = parts.collect();
        let rest = if rest.is_empty() { String::new() } else { format!(" (next: {})", rest.join(", ")) };
        format!("{first} of {} accented words read as Vietnamese syllables{rest}", self.words)
    }
}

/// The human name of a legacy encoding.
pub(crate) const fn label(e: Encoding) -> &'static str {
    match e {
        Encoding::Tcvn3 => "TCVN3 (ABC)",
        Encoding::Vni => "VNI-Windows",
        Encoding::Viscii => "VISCII",
        Encoding::Vps => "VPS",
        Encoding::Windows1258 => "Windows-1258",
        Encoding::Utf8 => "UTF-8",
        Encoding::Utf16Le => "UTF-16LE",
        Encoding::Utf16Be => "UTF-16BE",
    }
}

/// Detect the encoding of `stream` (8-bit text; runs that are not 8-bit text replaced by a
/// space); `hint` is what font names say.
pub(crate) fn detect(stream: &[u8], hint: Option<Encoding>) -> Detection {
    let mut memo: HashMap<&[u8], [bool; 5]> = HashMap::new();
    let mut valid = [0usize; 5];
    let mut pairwise = [[0usize; 5]; 5]; // pairwise[a][b]: words a reads and b does not
    let mut words = 0usize;
    for word in words_of(stream).take(MAX_WORDS) {
        let reads = *memo.entry(word).or_insert_with(|| CANDIDATES.map(|e| reads_as_syllable(word, e)));
        words += 1;
        for a in 0..5 {
            valid[a] += usize::from(reads[a]);
            for b in 0..5 {
                pairwise[a][b] += usize::from(reads[a] && !reads[b]);
            }
        }
    }
    let mut order: Vec<usize> = (0..5).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(valid[i])); // stable: ties keep CANDIDATES order
    let scores = order.iter().map(|&i| (CANDIDATES[i], valid[i])).collect();
    if words == 0 {
        return Detection { verdict: Verdict::Nothing, words, scores };
    }
    let share = |i: usize| valid[i] as f64 / words as f64;
    let beats = |a: usize, b: usize| pairwise[a][b] >= 2 * pairwise[b][a] + 2 || pairwise[a][b] + pairwise[b][a] == 0;
    let (best, second) = (order[0], order[1]);
    let hinted = hint.and_then(|h| CANDIDATES.iter().position(|&e| e == h));
    let verdict = match hinted {
        Some(h) if share(h) >= HINT_SHARE && (h == best || !beats(best, h) || pairwise[best][h] == 0) => {
            Verdict::Clear(CANDIDATES[h])
        }
        _ if share(best) >= CLEAR_SHARE && beats(best, second) => Verdict::Clear(CANDIDATES[best]),
        _ if share(best) >= GUESS_SHARE => Verdict::Guess(CANDIDATES[best]),
        _ => Verdict::Unreadable,
    };
    Detection { verdict, words, scores }
}

/// The scored words of `stream`: maximal runs of ASCII letters and bytes >= 0x80 (and the
/// VISCII capitals in C0) that hold at least one of the latter.
fn words_of(stream: &[u8]) -> impl Iterator<Item = &[u8]> {
    stream
        .split(|&b| !(b.is_ascii_alphabetic() || b >= 0x80 || is_viscii_c0(b)))
        .filter(|w| w.len() <= MAX_WORD_BYTES && w.iter().any(|&b| b >= 0x80 || is_viscii_c0(b)))
}

/// The six C0 bytes VISCII gives capitals.
pub(crate) const fn is_viscii_c0(b: u8) -> bool {
    matches!(b, 0x02 | 0x05 | 0x06 | 0x14 | 0x19 | 0x1E)
}

/// `word` decoded with `encoding`, less leading and trailing punctuation, is a syllable.
fn reads_as_syllable(word: &[u8], encoding: Encoding) -> bool {
    let text = decode_with(word, encoding);
    let trimmed = text.trim_matches(|c: char| !is_word_char(c));
    !trimmed.is_empty() && trimmed.chars().all(is_word_char) && is_syllable(trimmed)
}
