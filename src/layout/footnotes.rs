//! Footnotes: a mark glued to a word ("60%1.", "khoáng sản1.") and a body line starting with
//! the same number at the bottom of the page ("1 Cao hơn chỉ tiêu …"). The body is taken out
//! of the running text and the mark off the word; both are kept as a note.

use std::borrow::Cow;

use super::{LineKind, WorkLine};
use crate::grammar::Grammar;

/// How far back (in lines) a footnote mark may stand from its body: about two pages.
const MARK_WINDOW_LINES: usize = 120;
/// How many lines a footnote body may run over.
const MAX_BODY_LINES: usize = 25;

/// A footnote taken out of the running text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Note {
    pub(crate) number: u32,
    pub(crate) body: String,
    /// The word the mark was glued to.
    pub(crate) anchor_word: String,
}

/// Find footnotes (numbered 1, 2, 3 … in order, restarting at 1 for a new document), remove
/// their bodies and marks from `lines`, and return them in order.
pub(crate) fn extract(lines: &mut [WorkLine], grammar: &Grammar) -> Vec<Note> {
    let mut notes = Vec::new();
    let mut expected = 1u32;
    let mut i = 0;
    while i < lines.len() {
        if lines[i].kind != LineKind::Text {
            i += 1;
            continue;
        }
        // Most lines are no footnote: told by the regex's DFA before its groups are allocated.
        let body_re = &grammar.text.footnote_body;
        let Some(caps) = Some(lines[i].text.trim()).filter(|t| body_re.is_match(t)).and_then(|t| body_re.captures(t))
        else {
            i += 1;
            continue;
        };
        let Ok(number) = caps["num"].parse::<u32>() else {
            i += 1;
            continue;
        };
        if number != expected && number != 1 {
            i += 1;
            continue;
        }
        let Some((mark_line, mark_at, anchor_word)) = find_mark(lines, i, number) else {
            i += 1;
            continue;
        };
        let body_start = caps.name("body").map_or(0, |m| m.start());
        let mut body = lines[i].text.trim()[body_start..].trim().to_owned();
        let end = body_end(lines, i, &mut body, grammar);
        for line in &mut lines[i..end] {
            *line = WorkLine { text: Cow::Borrowed(""), kind: LineKind::Blank, removed: false };
        }
        let digits = number.to_string().len();
        lines[mark_line].text.to_mut().replace_range(mark_at..mark_at + digits, "");
        notes.push(Note { number, body, anchor_word });
        expected = number + 1;
        i = end;
    }
    notes
}

/// The last place before line `body` where `number` is glued to a word or a "%" / ")".
fn find_mark(lines: &[WorkLine], body: usize, number: u32) -> Option<(usize, usize, String)> {
    let digits = number.to_string();
    let lo = body.saturating_sub(MARK_WINDOW_LINES);
    for j in (lo..body).rev() {
        if lines[j].kind != LineKind::Text {
            continue;
        }
        let text = &lines[j].text;
        let mut found = None;
        for (at, _) in text.match_indices(digits.as_str()) {
            let before = text[..at].chars().next_back();
            let after = text[at + digits.len()..].chars().next();
            let glued = before
                .is_some_and(|c| c.is_alphabetic() && !c.is_ascii_uppercase() || matches!(c, '%' | ')' | '”' | '"'));
            let ends = after.is_none_or(|c| matches!(c, '.' | ',' | ';' | ':' | ')' | ' ' | '…'));
            if glued && ends {
                let word_start = text[..at].rfind(|c: char| c.is_whitespace()).map_or(0, |p| p + 1);
                found = Some((at, text[word_start..at].to_owned()));
            }
        }
        if let Some((at, word)) = found {
            return Some((j, at, word));
        }
    }
    None
}

/// The index one past the last line of the footnote body starting at `start`, appending the
/// continuation lines to `body`. A body goes on while it has not ended a sentence or the next
/// line continues in lower case; it stops at a page number, a blank line after a finished
/// sentence, or a table.
fn body_end(lines: &[WorkLine], start: usize, body: &mut String, grammar: &Grammar) -> usize {
    let mut end = start + 1;
    let mut j = start + 1;
    while j < lines.len() && j < start + MAX_BODY_LINES {
        let line = &lines[j];
        match line.kind {
            LineKind::Blank => {
                j += 1;
                continue;
            }
            LineKind::TableRow | LineKind::Note => break,
            LineKind::Text => {}
        }
        let t = line.text.trim();
        let finished = body.trim_end().ends_with(['.', ';', '…', ')']) && !body.trim_end().ends_with("-");
        let lower = t.chars().next().is_some_and(char::is_lowercase);
        if grammar.headings.bullets.iter().any(|b| b.is_match(t)) || (finished && !lower) {
            break;
        }
        if !body.ends_with('-') {
            body.push(' ');
        }
        body.push_str(t);
        j += 1;
        end = j;
    }
    end
}

#[cfg(test)]
mod tests {
    use super::super::layout;
    use crate::grammar::Grammar;

    #[test]
    fn glued_mark_and_body_become_a_note() {
        let g = Grammar::embedded().unwrap();
        let text = "- Tỷ lệ DNNVV sử dụng nền tảng số đạt tối thiểu 60%1.\n\n- Hỗ trợ doanh nghiệp.\n\n1 Cao hơn chỉ tiêu Thủ tướng Chính phủ giao tại Quyết định số 411/QĐ-TTg (đến năm 2025: tỷ lệ\n\nDNNVV sử dụng nền tảng số đạt trên 50%).\n- Vận động các DNNVV.\n";
        let l = layout(text, &g);
        assert!(l.text.contains("tối thiểu 60%."), "{}", l.text);
        assert!(l.text.contains("[^1]: Cao hơn chỉ tiêu"), "{}", l.text);
        assert!(l.text.contains("đạt trên 50%)."), "{}", l.text);
        let body_pos = l.text.find("Cao hơn").unwrap();
        assert!(l.text.find("Vận động").unwrap() < body_pos, "the note goes after the running text");
        assert!(l.diagnostics.iter().any(|d| d.code == "layout.footnote_moved"));
    }

    #[test]
    fn a_number_without_a_glued_mark_is_not_a_footnote() {
        let g = Grammar::embedded().unwrap();
        let text = "Lưu: VT, TH8\n\n1 Cao hơn chỉ tiêu.\n";
        let l = layout(text, &g);
        assert!(!l.text.contains("[^"), "{}", l.text);
    }
}
