//! Responsibilities (trách nhiệm): agency-headed blocks of duties.
//!
//! A section is a responsibility block when its heading names agencies and nothing else ("1. Sở
//! Công Thương", "3. Sở Tài chính: Trên cơ sở …", "1. Bộ Kế hoạch và Đầu tư: a) Chủ trì …"),
//! names them after a prefix ("Điều 24. Trách nhiệm của Bộ Nội vụ"), or opens with an agency
//! and a duty verb ("1. Bộ Công an có trách nhiệm …"). A block headed by several agencies gives
//! one responsibility per agency, with the same duties.

use super::agencies::clean;
use super::{AgencyMatcher, DocContext, offset_before_lowering, sentence_case_cow};
use compact_str::CompactString;
use memchr::memmem;

use crate::grammar::Grammar;
use crate::grammar::labels::LabelStarts;
use crate::model::{Responsibility, Section};
use crate::text::to_lower;

pub(crate) fn extract(cx: &DocContext<'_>, agencies: &AgencyMatcher<'_>) -> Vec<Responsibility> {
    let mut out = Vec::new();
    for s in &cx.doc.sections {
        collect(cx, agencies, s, &mut out);
    }
    out
}

/// The blocks in `s` and below. Blocks do not nest: a heading whose sub-sections are all blocks
/// is only their container ("2.2. Các Tổ đảng …" over "a) Tổ đảng ở …", "b) …": most of its
/// sub-sections are blocks), and inside a
/// block the lettered points are its duties, not blocks of their own.
fn collect(cx: &DocContext<'_>, agencies: &AgencyMatcher<'_>, s: &Section, out: &mut Vec<Responsibility>) {
    if s.scheme == "appendix" || cx.after_body(s.span.start) {
        return;
    }
    let heads = cx.block_heads(s);
    let child_blocks = s.children.iter().filter(|c| cx.block_heads(c).is_some()).count();
    let children_are_blocks = child_blocks >= 2 && child_blocks * 2 >= s.children.len();
    match heads {
        Some(heads) if !children_are_blocks => {
            // Made once in their final form: each agency of the heading gets a copy.
            let duties: Vec<CompactString> = duty_items(cx, s).map(CompactString::from).collect();
            for text in heads {
                out.push(Responsibility {
                    section: s.path.clone(),
                    agency: agencies.resolve(text),
                    duties: duties.clone(),
                    span: s.span,
                });
            }
        }
        _ => {
            for c in &s.children {
                collect(cx, agencies, c, out);
            }
        }
    }
}

/// What [`block_agencies`] looks for in every heading: all made with the grammar, none per
/// document.
pub(super) struct HeadingCues<'g> {
    agencies: AgencyMatcher<'g>,
    /// Whether a heading may open with a task field label.
    task_labels: &'g LabelStarts,
    /// " có trách nhiệm" …: a duty verb after the agency.
    verbs: &'g [memmem::Finder<'static>],
}

impl<'g> HeadingCues<'g> {
    pub(super) fn new(g: &'g Grammar) -> Self {
        HeadingCues {
            agencies: AgencyMatcher::new(g),
            task_labels: &g.labels.task_label_starts,
            verbs: &g.labels.responsibility_verb_spaced,
        }
    }
}

/// The agencies a section's heading names, if it is a responsibility block. Ask
/// [`DocContext::block_heads`], which remembers the answer.
///
/// Every section's heading is asked, and most are no block: the tests are ordered so that
/// those are turned down early, without lower-casing, splitting or looking up the heading.
pub(super) fn block_agencies(cx: &DocContext<'_>, s: &Section, cues: &HeadingCues<'_>) -> Option<Vec<String>> {
    let title = sentence_case_cow(clean(&s.title));
    let title = title.as_ref();
    let heads = heading_agencies(cx, s, cues, title)?;
    // "b) Cơ quan phối hợp: …" is a task field, not an agency heading.
    if cues.task_labels.may_start(title) {
        let low = to_lower(title);
        if cx.g.labels.task_fields.iter().any(|(_, l)| low.starts_with(l.as_str())) {
            return None;
        }
    }
    Some(heads.into_iter().map(str::to_owned).collect())
}

/// [`block_agencies`] before the task field test.
fn heading_agencies<'t>(
    cx: &DocContext<'_>,
    s: &Section,
    cues: &HeadingCues<'_>,
    title: &'t str,
) -> Option<Vec<&'t str>> {
    let labels = &cx.g.labels;
    let agencies = &cues.agencies;
    if let Some(c) = labels.responsibility_title_patterns.iter().find_map(|p| p.captures(title)) {
        let rest = clean(c.name("agency").map_or("", |m| m.as_str()));
        return agencies.starts_agency(rest).then(|| agencies.split_text(rest));
    }
    // Both the bare list and the subject before a duty verb are lists cut from the start of the
    // heading.
    if !agencies.may_start_list(title) {
        return None;
    }
    // A bare list of agencies heads a block only when the block states duties (a lettered point
    // that only names office holders does not).
    if let Some(members) = agencies.agency_list(title, &labels.not_agency_words)
        && has_duties(cx, s)
    {
        return Some(members);
    }
    if !labels.responsibility_verb_finder.is_match(title) {
        return None;
    }
    let low = to_lower(title);
    for verb in cues.verbs {
        if let Some(at) = verb.find(low.as_bytes())
            && let Some(at) = offset_before_lowering(title, at)
            && let Some(members) = agencies.agency_list(clean(&title[..at]), &labels.not_agency_words)
        {
            return Some(members);
        }
    }
    None
}

fn has_duties(cx: &DocContext<'_>, s: &Section) -> bool {
    duty_items(cx, s).next().is_some()
}

/// The block's items, each on one line: the text after the heading's colon, then every
/// non-blank line of the body (bullets and letter markers stripped). Borrowed lines, so asking
/// whether there are any reads one line, not the block.
fn duty_items<'a>(cx: &DocContext<'a>, s: &Section) -> impl Iterator<Item = &'a str> {
    let text = &cx.text()[s.span.start..s.span.end];
    let mut lines = text.lines();
    let first = lines.next().and_then(|first| {
        let colon = first.find(": ")?;
        let rest = first[colon + 2..].trim();
        (!rest.is_empty()).then(|| strip_marker(rest))
    });
    let body = lines.map(|line| strip_marker(line.trim())).filter(|item| !item.is_empty() && !item.starts_with("[^"));
    first.into_iter().chain(body)
}

fn strip_marker(line: &str) -> &str {
    let line = line.trim_start_matches(['-', '+', '•', '*', ' ']);
    let mut chars = line.char_indices();
    if let (Some((_, c)), Some((_, ')'))) = (chars.next(), chars.next())
        && c.is_lowercase()
    {
        return line[c.len_utf8() + 1..].trim_start();
    }
    line.trim()
}

#[cfg(test)]
mod tests {
    use crate::Engine;

    #[test]
    fn a_verb_found_in_the_lower_case_cuts_the_heading_where_it_stands() {
        // "İ" lower-cases to three bytes: the subject ends where the verb starts in the heading,
        // not at the verb's offset in the lower case (inside "ó", which panicked).
        let text = "KẾ HOẠCH\nThử\n\nI. TỔ CHỨC THỰC HIỆN\n\n1. Sở Tài chính İİİ có trách nhiệm bố trí kinh phí:\n\na) Bố trí kinh phí.\n";
        let record = Engine::new().unwrap().convert_bytes("t.txt", text.as_bytes());
        let found: Vec<(&str, &str)> =
            record.documents[0].responsibilities.iter().map(|r| (r.section.as_str(), r.agency.text.as_str())).collect();
        assert_eq!(found, [("I/1", "Sở Tài chính İİİ")]);
    }
}
