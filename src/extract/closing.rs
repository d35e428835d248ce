//! The closing block: recipients (nơi nhận) and signature (chữ ký).
//!
//! Two-column layouts interleave them ("Nơi nhận:" beside "KT. CHỦ TỊCH"), so both are read
//! from the same lines: bullet items after the recipients label are recipients; capacity lines
//! (TM./KT./Q./TL.), the position in capitals and the name under it are the signature.

use super::header::with_place;
use super::{AgencyMatcher, DocContext, sentence_case};
use crate::model::{Agency, Signer};
use crate::text::is_upper;

/// Closing fields of one document.
#[derive(Debug, Clone, Default)]
pub(crate) struct Closing {
    pub(crate) signer: Option<Signer>,
    pub(crate) recipients: Vec<String>,
}

/// The lines of the closing block: from its first line to the appendix or the document's end.
fn closing_lines(cx: &DocContext<'_>) -> std::ops::Range<usize> {
    let Some(start) = cx.doc.closing_line else { return 0..0 };
    let end = cx.doc.appendix_line.filter(|&a| a > start).unwrap_or(cx.doc.lines.1);
    start..end
}

fn is_capacity(cx: &DocContext<'_>, line: &str) -> bool {
    cx.g.blocks.capacity.iter().any(|r| r.is_match(line))
}

fn is_recipients_label(cx: &DocContext<'_>, line: &str) -> bool {
    cx.g.blocks.recipients_labels.iter().any(|r| r.is_match(line))
}

pub(crate) fn extract(cx: &DocContext<'_>) -> Closing {
    let range = closing_lines(cx);
    Closing { recipients: recipients(cx, range.clone()), signer: signer(cx, range) }
}

fn recipients(cx: &DocContext<'_>, range: std::ops::Range<usize>) -> Vec<String> {
    let Some(label) = range.clone().find(|&i| is_recipients_label(cx, cx.line(i))) else { return Vec::new() };
    let bullets = &cx.g.labels.recipient_item_prefixes;
    let strip = |s: &str| -> String {
        let s = s.trim();
        let s = bullets.iter().find_map(|b| s.strip_prefix(b.as_str())).unwrap_or(s);
        s.trim().trim_end_matches([';', '.', ',']).trim().to_owned()
    };
    let mut items: Vec<String> = Vec::new();
    // Text on the label's own line ("Nơi nhận: - Như trên;"), unless it is the signature column.
    let first = cx.line(label);
    if let Some(colon) = first.find(':') {
        let rest = first[colon + 1..].trim();
        if !rest.is_empty() && !is_capacity(cx, rest) && !is_upper(rest) {
            items.push(strip(rest));
        }
    }
    let mut bulleted = !items.is_empty()
        && bullets.iter().any(|b| first[first.find(':').unwrap_or(0) + 1..].trim().starts_with(b.as_str()));
    for i in label + 1..range.end {
        let line = cx.line(i);
        if line.is_empty() || is_capacity(cx, line) || (is_upper(line) && !starts_with_bullet(line, bullets)) {
            continue;
        }
        if starts_with_bullet(line, bullets) {
            bulleted = true;
            items.push(strip(line));
        } else if !bulleted && line.contains(';') {
            // A list written on one line: "Như trên; Bộ Tài chính; Lưu: VT."
            items.extend(line.split(';').map(strip));
        } else {
            break;
        }
    }
    items.retain(|s| !s.is_empty());
    items
}

fn starts_with_bullet(line: &str, bullets: &[String]) -> bool {
    bullets.iter().any(|b| line.starts_with(b.as_str()))
}

fn signer(cx: &DocContext<'_>, range: std::ops::Range<usize>) -> Option<Signer> {
    let bullets = &cx.g.labels.recipient_item_prefixes;
    let mut capacity: Vec<String> = Vec::new();
    let mut position: Option<String> = None;
    let mut name: Option<String> = None;
    for i in range {
        let line = cx.line(i);
        if line.is_empty() || starts_with_bullet(line, bullets) || is_recipients_label(cx, line) {
            continue;
        }
        let line = strip_signed_marks(cx, line);
        if line.is_empty() {
            continue;
        }
        if is_capacity(cx, line) {
            capacity.push(line.to_owned());
            continue;
        }
        if is_upper(line) {
            if name.is_none() && line.split_whitespace().count() <= 6 {
                position = Some(write_position(cx, line));
            }
            continue;
        }
        if (position.is_some() || !capacity.is_empty()) && is_person_name(line) {
            name = Some(line.to_owned());
            break;
        }
    }
    if capacity.is_empty() && position.is_none() && name.is_none() {
        return None;
    }
    // "KT. CHỦ TỊCH" with no position line under it: the capacity names the position.
    Some(Signer {
        name: name.map(Into::into),
        position: position.map(Into::into),
        capacity: capacity.into_iter().map(Into::into).collect(),
    })
}

fn strip_signed_marks<'l>(cx: &DocContext<'_>, line: &'l str) -> &'l str {
    let mut line = line.trim();
    for m in &cx.g.labels.signed_marks {
        if let Some(rest) = line.strip_suffix(m.as_str()) {
            line = rest.trim();
        }
        if let Some(rest) = line.strip_prefix(m.as_str()) {
            line = rest.trim();
        }
    }
    line
}

fn write_position(cx: &DocContext<'_>, caps: &str) -> String {
    let up = caps.trim().to_uppercase();
    cx.g.labels.positions.iter().find(|(k, _)| *k == up).map_or_else(|| sentence_case(caps), |(_, v)| v.clone())
}

/// A person's name: two to six words, each capitalised, letters only ("Lê Ngọc Châu").
fn is_person_name(line: &str) -> bool {
    let words: Vec<&str> = line.split_whitespace().collect();
    (2..=6).contains(&words.len())
        && words.iter().all(|w| {
            let mut cs = w.chars();
            cs.next().is_some_and(char::is_uppercase) && cs.all(|c| c.is_alphabetic() && c.is_lowercase())
        })
}

/// The issuing body named by the signature block: "TM. ỦY BAN NHÂN DÂN" (+ the place of the
/// date line: "Ủy ban nhân dân tỉnh Nghệ An"), "TM. CHÍNH PHỦ".
pub(crate) fn issuer_from_signature(
    cx: &DocContext<'_>,
    agencies: &AgencyMatcher<'_>,
    place: Option<&str>,
) -> Option<Agency> {
    for i in closing_lines(cx) {
        let line = cx.line(i);
        let Some(body) = line.strip_prefix("TM.").or_else(|| line.strip_prefix("T/M.")) else { continue };
        let body = body.trim();
        if !body.is_empty() {
            return Some(with_place(body, place, cx, agencies));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn person_names() {
        assert!(is_person_name("Lê Ngọc Châu"));
        assert!(is_person_name("Nguyễn Thành Sinh"));
        assert!(!is_person_name("Lưu: VT, KT"));
        assert!(!is_person_name("PHÓ CHỦ TỊCH"));
        assert!(!is_person_name("Như trên"));
        assert!(!is_person_name("Đặng"));
    }
}
