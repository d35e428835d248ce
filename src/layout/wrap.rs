//! Hard-wrapped lines joined back into paragraphs.
//!
//! A line break inside a paragraph is recognised by what surrounds it: the first line does not
//! end a sentence, and the next goes on in lower case, or the first ends with a word that never
//! ends a sentence ("và", "của", "số" …, from `grammars/text.yaml`), or the text is wrapped at a
//! margin (most lines about the same length) and the first line reaches it. A line that starts a
//! heading, a list item, a letterhead or a signature block is never joined to the one before.

use super::{LineKind, WorkLine, next_non_blank};
use crate::grammar::Grammar;
use crate::grammar::gate::{self, Hits};
use crate::text::Caps;

/// Join wrapped lines in place; returns how many breaks were joined.
pub(crate) fn join_wrapped(lines: &mut [WorkLine], grammar: &Grammar) -> usize {
    let margin = wrap_margin(lines);
    let mut joined = 0;
    let mut i = 0;
    while i < lines.len() {
        if lines[i].kind != LineKind::Text {
            i += 1;
            continue;
        }
        // Keep absorbing the following lines into line i while they continue it. `last` is
        // the last line absorbed, so each line is looked at once.
        let mut last = i;
        let mut grown = Grown::default();
        while let Some(j) = next_non_blank(lines, last) {
            // A paragraph break may hide behind at most a few blank lines (page breaks).
            let gap = j - last - 1;
            if lines[j].kind != LineKind::Text || gap > 3 {
                break;
            }
            if !continues(&lines[i].text, &mut grown, &lines[j].text, margin, grammar) {
                break;
            }
            let next = std::mem::take(&mut lines[j].text);
            lines[j].kind = LineKind::Blank;
            lines[j].removed = true;
            let first = lines[i].text.to_mut();
            let hyphen = first.ends_with('-') && !first.ends_with(" -");
            if !hyphen {
                first.push(' ');
            }
            let next = next.trim();
            first.push_str(next);
            grown.add(next, hyphen);
            for line in &mut lines[last + 1..j] {
                line.kind = LineKind::Blank;
                line.removed = true;
            }
            last = j;
            joined += 1;
        }
        i += 1;
    }
    joined
}

/// The margin the text is wrapped at, if it is: the length most full lines reach.
fn wrap_margin(lines: &[WorkLine]) -> Option<usize> {
    let mut lens: Vec<usize> = (lines.iter())
        // (A line of fewer than 20 bytes has fewer than 20 chars: not counted.)
        .filter(|l| l.kind == LineKind::Text && l.text.len() >= 20)
        .map(|l| char_len(&l.text))
        .filter(|&n| n >= 20)
        .collect();
    if lens.len() < 8 {
        return None;
    }
    // The 90th percentile: the element a sort would put there, found without sorting.
    let k = lens.len() * 9 / 10;
    let p90 = *lens.select_nth_unstable(k).1;
    if p90 > 160 {
        return None;
    }
    // Wrapped text: a good share of the lines are within 25% of the margin.
    let near = lens.iter().filter(|&&n| n * 4 >= p90 * 3).count();
    (near * 10 >= lens.len() * 4).then_some(p90)
}

/// What is known of a paragraph (line i as it absorbs the lines after it), worked out when first
/// asked and kept as it grows: the paragraph is never read again from its start.
#[derive(Debug, Default)]
struct Grown {
    /// Its length in chars.
    chars: Option<usize>,
    /// Whether it is in capitals.
    caps: Option<Caps>,
}

impl Grown {
    fn chars(&mut self, paragraph: &str) -> usize {
        *self.chars.get_or_insert_with(|| char_len(paragraph))
    }

    fn caps(&mut self, paragraph: &str) -> Caps {
        *self.caps.get_or_insert_with(|| Caps::of(paragraph))
    }

    /// `next` was written after the paragraph, after a space unless `hyphen`.
    fn add(&mut self, next: &str, hyphen: bool) {
        self.chars = self.chars.map(|n| n + usize::from(!hyphen) + char_len(next));
        self.caps = self.caps.map(|c| c.then(Caps::of(next)));
    }
}

/// `s.chars().count()`: the bytes that do not continue a character, counted per block of 255 in
/// a byte, which the compiler does 16 or 32 bytes at a time (the length of every line is asked).
fn char_len(s: &str) -> usize {
    (s.as_bytes().chunks(255))
        .map(|block| usize::from(block.iter().fold(0u8, |n, &b| n + u8::from(!matches!(b, 0x80..=0xBF)))))
        .sum()
}

/// Whether `next` continues `first_line`, of which `grown` keeps what is known.
fn continues(first_line: &str, grown: &mut Grown, next: &str, margin: Option<usize>, g: &Grammar) -> bool {
    let first = first_line.trim_end();
    let next = next.trim_start();
    let Some(last) = first.chars().next_back() else { return false };
    if g.text.sentence_end.contains(&last) {
        return false;
    }
    // The text tests first: the pattern tests (a block starts) only veto a join, and most
    // line pairs are told apart without them.
    let next_first = next.chars().next().unwrap_or(' ');
    if !next_first.is_lowercase() && !joins_upper_case(first_line, grown, next, last, margin, g) {
        return false;
    }
    // A paragraph already longer than any letterhead, recipients or signing line is running
    // text: not asked again (some of those patterns search the whole line, and asking it of
    // a paragraph at every line it absorbs made long paragraphs cost their length squared).
    !(starts_block(next, g) || first.len() <= BLOCK_LINE_MAX_BYTES && starts_block_line(first, g))
}

/// The longest text asked whether it is a letterhead, recipients or signing-capacity line as it
/// grows: nearly six times the longest such line of the fixtures and the bench corpus (89 bytes).
const BLOCK_LINE_MAX_BYTES: usize = 512;

/// Whether `first_line` (ending in `last`) goes on in `next`, which does not start in lower
/// case, when neither line starts a block.
fn joins_upper_case(
    first_line: &str,
    grown: &mut Grown,
    next: &str,
    last: char,
    margin: Option<usize>,
    g: &Grammar,
) -> bool {
    let first = first_line.trim_end();
    let upper_first = grown.caps(first).is_upper();
    // "QUYẾT ĐỊNH" above "Ban hành …": a caps line and a mixed-case line are two blocks.
    if upper_first != crate::text::is_upper(next) {
        return false;
    }
    let at_margin = margin.is_some_and(|m| grown.chars(first_line) * 4 >= m * 3);
    // A heading's title may end with any word ("1. Kết quả đạt được" / "Năm 2016, …"): only
    // a wrap at the margin continues it.
    let after_word = || {
        last == ',' || last == '-' || {
            let last_word = first.rsplit(char::is_whitespace).next().unwrap_or("").to_lowercase();
            g.text.wrap_join_after.contains(&last_word)
        }
    };
    if at_margin {
        return true;
    }
    after_word() && !is_heading(first, g)
}

/// A line that must start a new block: a heading, a list item, a signature or recipients line.
fn starts_block(line: &str, g: &Grammar) -> bool {
    let cands = g.gates.headings.candidates(line);
    (cands.has(gate::BULLETS) && g.headings.bullets.iter().any(|r| r.is_match(line)))
        || is_heading_of(line, g, cands)
        || starts_block_line(line, g)
}

fn is_heading(line: &str, g: &Grammar) -> bool {
    is_heading_of(line, g, g.gates.headings.candidates(line))
}

/// [`is_heading`], trying only the schemes in `cands` (from the headings gate).
fn is_heading_of(line: &str, g: &Grammar, cands: Hits) -> bool {
    (g.headings.schemes.iter().enumerate())
        .filter(|(i, _)| cands.has(i + 1))
        .any(|(_, s)| s.pattern.find(line).is_some_and(|m| heading_like(s, line, m.end())))
}

/// Letterhead, recipients and signing-capacity lines never join anything.
fn starts_block_line(line: &str, g: &Grammar) -> bool {
    g.gates.blocks.matches(line) != Hits::NONE || g.gates.letterhead.matches(line) != Hits::NONE
}

fn heading_like(s: &crate::grammar::HeadingScheme, line: &str, end: usize) -> bool {
    if !s.title_case {
        return true;
    }
    line[end..].chars().next().is_none_or(|c| c.is_uppercase() || c.is_ascii_digit() || "\"“(".contains(c))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::any;

    use super::super::layout;
    use crate::grammar::Grammar;

    fn run(text: &str) -> String {
        layout(text, &Grammar::embedded().unwrap()).text
    }

    #[test]
    fn a_long_paragraph_is_not_asked_again_whether_it_is_a_letterhead_line() {
        // The letterhead phrase split over two lines of a running paragraph: neither line is a
        // letterhead line, the two joined hold the phrase. While the paragraph is short that
        // stops the joining, as after a letterhead line; once it is longer than any such line,
        // the paragraph goes on.
        let words = "các cơ quan đơn vị thực hiện nhiệm vụ được giao theo kế hoạch";
        let split = format!("{words} cộng hòa xã hội\nchủ nghĩa việt nam và\ntiếp theo\n");
        assert_eq!(run(&split).lines().count(), 2, "{}", run(&split));
        let long = format!("{}{split}", format!("{words}\n").repeat(8));
        assert_eq!(run(&long).lines().count(), 1, "{}", run(&long));
    }

    #[test]
    fn lower_case_continuation_is_joined_across_blank_lines() {
        let t = run("Ban hành Kế hoạch hỗ trợ doanh nghiệp nhỏ và vừa chuyển đổi số\n\ntrên địa bàn tỉnh\n");
        assert_eq!(t, "Ban hành Kế hoạch hỗ trợ doanh nghiệp nhỏ và vừa chuyển đổi số trên địa bàn tỉnh\n");
    }

    #[test]
    fn connective_word_joins_an_upper_case_continuation() {
        let t = run("Căn cứ Luật sửa đổi Luật Tổ chức Chính phủ và\n\nLuật Tổ chức chính quyền địa phương;\n");
        assert_eq!(t, "Căn cứ Luật sửa đổi Luật Tổ chức Chính phủ và Luật Tổ chức chính quyền địa phương;\n");
    }

    #[test]
    fn headings_bullets_and_sentence_ends_are_not_joined() {
        let t = run(
            "2. Mục tiêu\n\n2.1. Mục tiêu chung\n\n- Triển khai nội dung\n\na) Kết quả đạt được:\n\nCác sở đã làm.\n\nTiếp theo\n",
        );
        assert_eq!(
            t,
            "2. Mục tiêu\n\n2.1. Mục tiêu chung\n\n- Triển khai nội dung\n\na) Kết quả đạt được:\n\nCác sở đã làm.\n\nTiếp theo\n"
        );
    }

    proptest::proptest! {
        #[test]
        fn char_len_is_the_count_of_chars(s in any::<String>(), pad in 0..600usize) {
            let s = format!("{}{s}", "ệ".repeat(pad));
            proptest::prop_assert_eq!(super::char_len(&s), s.chars().count());
        }
    }

    #[test]
    fn type_line_is_not_joined_to_the_title() {
        let t = run("QUYẾT ĐỊNH\n\nBan hành Kế hoạch\n");
        assert_eq!(t, "QUYẾT ĐỊNH\n\nBan hành Kế hoạch\n");
    }
}
