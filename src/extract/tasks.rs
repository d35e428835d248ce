//! Tasks (nhiệm vụ): units of work with a named lead.
//!
//! Two sources in running text (table rows are the tables' business):
//! - labelled fields under a numbered item ("a) Cơ quan chủ trì: …", "- Đơn vị phối hợp: …",
//!   "Thời gian thực hiện: Quý II-IV/2022"), in any order and bullet style; a new lead field
//!   opens a new task;
//! - sentences "X chủ trì, phối hợp với Y …" and "Giao X chủ trì …".
//!
//! Blocks headed by an agency are responsibilities, not tasks, even when a duty says "chủ trì":
//! nothing inside them is read here.

use super::agencies::clean;
use super::{AgencyMatcher, DocContext, timeline};
use crate::grammar::labels::{LabelStarts, Labels, TaskField};
use crate::model::{Agency, Section, Span, Task, Timeline};
use crate::text::to_lower;

/// Most words an agency subject of a task sentence may have.
const MAX_SUBJECT_WORDS: usize = 18;
/// How far (bytes) after "chủ trì" a partner cue may stand behind "… và".
const PARTNER_CUE_REACH: usize = 48;

#[derive(Default)]
struct Draft {
    section: String,
    name: String,
    lead: Vec<Agency>,
    partners: Vec<Agency>,
    timeline: Option<Timeline>,
    result: Option<String>,
    span: Option<Span>,
}

impl Draft {
    fn grow(&mut self, span: Span) {
        self.span = Some(match self.span {
            Some(s) => Span::new(s.start.min(span.start), s.end.max(span.end)),
            None => span,
        });
    }

    fn finish(self, out: &mut Vec<Task>) {
        if self.lead.is_empty() {
            return;
        }
        out.push(Task {
            section: self.section.into(),
            name: self.name.into(),
            lead: self.lead,
            partners: self.partners,
            timeline: self.timeline,
            result: self.result.map(Into::into),
            budget: None,
            origin: "section".into(),
            span: self.span.unwrap_or_default(),
        });
    }
}

pub(crate) fn extract(cx: &DocContext<'_>, agencies: &AgencyMatcher<'_>) -> Vec<Task> {
    let blocks = Blocks::new(cx.sections().filter(|s| s.scheme != "appendix" && cx.block_heads(s).is_some()));
    let sections = cx.section_map(|s| s.scheme != "alpha_lower");
    let cues = LeadCues::new(cx, &blocks);

    let label_starts = &cx.g.labels.task_label_starts;
    let mut tasks = Vec::new();
    let mut draft = Draft::default();
    let mut resolved = Resolved::default();
    for i in cx.body_lines() {
        let span = cx.line_span(i);
        let line = cx.line(i);
        if line.is_empty() || blocks.holds(span.start) {
            continue;
        }
        let section = || sections.holding(span.start);
        let path = || section().map_or("", |s| s.path.as_str());
        if let Some((field, value)) = labelled_field(cx, label_starts, line) {
            let path = path();
            if draft.section != path || (field == TaskField::Lead && !draft.lead.is_empty()) {
                std::mem::take(&mut draft).finish(&mut tasks);
            }
            if draft.section != path || draft.span.is_none() {
                draft.section = path.to_owned();
                draft.name = section().map(|s| s.title.to_string()).unwrap_or_default();
            }
            draft.grow(span);
            match field {
                TaskField::Lead => draft.lead = resolved.split(agencies, value),
                TaskField::Partners => draft.partners = resolved.split(agencies, value),
                TaskField::Timeline => draft.timeline = Some(timeline::parse(value, &cx.g.time)),
                TaskField::Result => draft.result = Some(value.to_owned()),
                TaskField::Budget => {}
            }
            continue;
        }
        if cues.in_line(span) {
            tasks.extend(sentence_tasks(cx, agencies, &mut resolved, line, span, path()));
        }
    }
    draft.finish(&mut tasks);
    tasks
}

/// The agencies resolved so far in a document, by their text: a document names the same few
/// agencies in task after task, and resolving one (expanding, keying, looking it up) costs
/// far more than finding it here.
#[derive(Default)]
struct Resolved<'t> {
    by_text: std::collections::HashMap<&'t str, Agency>,
}

impl<'t> Resolved<'t> {
    /// [`AgencyMatcher::split`], each member resolved once per document.
    fn split(&mut self, agencies: &AgencyMatcher<'_>, text: &'t str) -> Vec<Agency> {
        (agencies.split_text(text).into_iter())
            .map(|member| self.by_text.entry(member).or_insert_with(|| agencies.resolve(member)).clone())
            .collect()
    }
}

/// Whether an offset lies in a responsibility block, asked for every line: a block holds it
/// when the furthest end of the blocks starting at or before it lies beyond it.
struct Blocks {
    /// `(start, furthest end of the blocks starting here or before)`, by start.
    reach: Vec<(usize, usize)>,
}

impl Blocks {
    fn new<'s>(blocks: impl Iterator<Item = &'s Section>) -> Self {
        let mut reach: Vec<(usize, usize)> = blocks.map(|s| (s.span.start, s.span.end)).collect();
        reach.sort_unstable();
        let mut furthest = 0;
        for r in &mut reach {
            furthest = furthest.max(r.1);
            r.1 = furthest;
        }
        Blocks { reach }
    }

    fn holds(&self, offset: usize) -> bool {
        let before = self.reach.partition_point(|&(start, _)| start <= offset);
        before > 0 && self.reach[before - 1].1 > offset
    }
}

/// Where the lead cue ("chủ trì", in any case) stands in the body: found in one pass over
/// the body, not by setting up a search for every line.
struct LeadCues {
    /// `(start, end)` of each match, in order.
    at: Vec<(usize, usize)>,
}

impl LeadCues {
    /// The cues in the body lines outside `blocks` (the only lines read for task sentences),
    /// each run of such lines searched at once.
    fn new(cx: &DocContext<'_>, blocks: &Blocks) -> Self {
        let finder = &cx.g.labels.lead_cue_finder;
        let mut at = Vec::new();
        let mut search = |from: usize, to: usize| {
            at.extend(finder.find_all(&cx.text()[from..to]).into_iter().map(|(start, end)| (from + start, from + end)));
        };
        let mut run: Option<(usize, usize)> = None;
        for i in cx.body_lines() {
            let span = cx.line_span(i);
            if blocks.holds(span.start) {
                if let Some((from, to)) = run.take() {
                    search(from, to);
                }
            } else {
                run = Some((run.map_or(span.start, |r| r.0), span.end));
            }
        }
        if let Some((from, to)) = run {
            search(from, to);
        }
        LeadCues { at }
    }

    /// True when the cue stands inside `line` (its span): a match never runs over a line end,
    /// as the cue holds no line break.
    fn in_line(&self, line: Span) -> bool {
        let first = self.at.partition_point(|&(start, _)| start < line.start);
        self.at.get(first).is_some_and(|&(start, end)| start < line.end && end <= line.end)
    }
}

/// A labelled field line: `(field, value)`. Bullets and letter markers in front are skipped.
fn labelled_field<'l>(cx: &DocContext<'_>, starts: &LabelStarts, line: &'l str) -> Option<(TaskField, &'l str)> {
    let mut rest = line.trim_start_matches(['-', '+', '•', '*', ' ']);
    let mut chars = rest.char_indices();
    if let (Some((_, c)), Some((_, ')'))) = (chars.next(), chars.next())
        && c.is_lowercase()
    {
        rest = rest[c.len_utf8() + 1..].trim_start();
    }
    // Every label is followed by a colon: most lines have none and need no lower-casing.
    let colon = memchr::memchr(b':', rest.as_bytes())?;
    // Nor does a line start with a label most of the time: compare the start before lower-casing
    // the whole line.
    if !starts.may_start(rest) {
        return None;
    }
    if starts.end_before_colon() {
        return labelled_before_colon(cx, rest, colon);
    }
    let low = to_lower(rest);
    for (field, label) in &cx.g.labels.task_fields {
        if let Some(after) = low.strip_prefix(label.as_str()) {
            let after_trim = after.trim_start();
            if let Some(value) = after_trim.strip_prefix(':') {
                // Same byte length: lower-casing Vietnamese keeps UTF-8 lengths for these letters;
                // take the value from the original by the length of what follows.
                let value_len = value.len();
                if value_len <= rest.len() {
                    let v = rest[rest.len() - value_len..].trim();
                    return Some((*field, clean(v)));
                }
            }
        }
    }
    None
}

/// [`labelled_field`] when no label holds a colon (nor σ, ς): the label and the white space
/// after it end at the first colon of `rest` (at `colon`), so only `rest` up to there is
/// lower-cased; the value is taken as there, by the byte length of its lower case.
fn labelled_before_colon<'l>(cx: &DocContext<'_>, rest: &'l str, colon: usize) -> Option<(TaskField, &'l str)> {
    let head = to_lower(&rest[..colon]);
    let value = &rest[colon + 1..];
    let mut value_len = None;
    for (field, label) in &cx.g.labels.task_fields {
        if let Some(after) = head.strip_prefix(label.as_str())
            && after.trim_start().is_empty()
        {
            let value_len = *value_len.get_or_insert_with(|| lowered_len(value));
            if value_len <= rest.len() {
                let v = rest[rest.len() - value_len..].trim();
                return Some((*field, clean(v)));
            }
        }
    }
    None
}

/// `to_lower(s).len()`, without writing it (Σ lower-cases to σ or ς: two bytes either way).
fn lowered_len(s: &str) -> usize {
    if s.is_ascii() {
        return s.len();
    }
    s.chars()
        .map(|c| crate::text::lower_fast(c).map_or_else(|| c.to_lowercase().map(char::len_utf8).sum(), char::len_utf8))
        .sum()
}

/// Tasks stated in a sentence: "<lead> chủ trì, phối hợp với <partners> <work>", in a line the
/// lead cue stands in.
fn sentence_tasks<'t>(
    cx: &DocContext<'_>,
    agencies: &AgencyMatcher<'_>,
    resolved: &mut Resolved<'t>,
    line: &'t str,
    span: Span,
    path: &str,
) -> Vec<Task> {
    let labels = &cx.g.labels;
    let mut out = Vec::new();
    let low = to_lower(line);
    let cue = labels.lead_cue.as_str();
    let mut from = 0;
    while let Some(rel) = low[from..].find(cue) {
        let at = from + rel;
        from = at + cue.len();
        if low.len() != line.len() {
            // Lower-casing changed byte lengths: positions would not line up; skip the line.
            break;
        }
        let clause_start = line[..at].rfind(['.', ';', ':']).map_or(0, |p| p + 1);
        let mut subject = clean(&line[clause_start..at]);
        for assign in &labels.assign_cues {
            if let Some(r) = subject.strip_prefix(assign.as_str())
                && r.starts_with(' ')
            {
                subject = r.trim_start();
            }
        }
        // "Căn cứ …, Bộ Công an chủ trì …": the subject is the last comma piece when the
        // clause opens with something else.
        if !agencies.starts_agency(subject)
            && let Some(comma) = subject.rfind(", ")
        {
            let last = clean(&subject[comma + 2..]);
            if agencies.starts_agency(last) && last.split_whitespace().count() <= 10 {
                subject = last;
            }
        }
        let words = subject.split_whitespace().count();
        if words == 0 || words > MAX_SUBJECT_WORDS || !agencies.starts_agency(subject) || {
            let low_subject = to_lower(subject);
            labels.passive_subject_ends.iter().any(|e| low_subject.ends_with(e.as_str()))
        } {
            continue;
        }
        // After the cue: optional ", phối hợp với <partners>" then the work.
        let after = line[from..].trim_start_matches([',', ' ']);
        let after_low = to_lower(after);
        let mut partners_text = "";
        let mut work = after;
        // The partner cue follows the lead cue, at once or after a short verb phrase ("chủ trì
        // tổng hợp và phối hợp với …").
        let cue_at = labels
            .partner_cues
            .iter()
            .filter_map(|p| after_low.find(p.as_str()).map(|at| (at, p.len())))
            .filter(|&(at, _)| at == 0 || (at <= PARTNER_CUE_REACH && after_low[..at].trim_end().ends_with(" và")))
            // The first cue, and the longest one there ("phối hợp với", not "phối hợp").
            .min_by_key(|&(at, len)| (at, std::cmp::Reverse(len)));
        if let Some((at, len)) = cue_at {
            let rest = after[at + len..].trim_start();
            let end = work_start(&to_lower(rest), labels).unwrap_or(rest.len());
            partners_text = rest[..end].trim();
            work = rest[end..].trim();
        }
        let mut partners = Vec::new();
        for piece in split_on_cues(partners_text, &labels.partner_cues) {
            partners.extend(resolved.split(agencies, piece));
        }
        let name = work.split(". ").next().unwrap_or(work).trim().trim_end_matches(['.', ';']).to_owned();
        out.push(Task {
            section: path.into(),
            name: name.into(),
            lead: resolved.split(agencies, subject),
            partners,
            timeline: None,
            result: None,
            budget: None,
            origin: "section".into(),
            span,
        });
    }
    out
}

/// Byte offset of the first work verb that stands as a word (not after "các"/"những", where it
/// is a noun: "các tổ chức"). All verbs are found in one pass when the grammar could set that
/// up (see [`Labels::work_verb_finder`]).
fn work_start(low: &str, labels: &Labels) -> Option<usize> {
    let Some(finder) = &labels.work_verb_finder else { return work_start_plain(low, labels) };
    finder
        .find_overlapping_iter(low)
        .map(|m| (m.start(), m.end()))
        .filter(|&(at, end)| stands_as_work(low, at, end, labels))
        .map(|(at, _)| at)
        .min()
}

/// [`work_start`] verb by verb.
fn work_start_plain(low: &str, labels: &Labels) -> Option<usize> {
    let mut best: Option<usize> = None;
    for v in &labels.work_verbs {
        for (at, _) in low.match_indices(v.as_str()) {
            if stands_as_work(low, at, at + v.len(), labels) {
                best = Some(best.map_or(at, |b: usize| b.min(at)));
                break;
            }
        }
    }
    best
}

/// The verb at `low[at..end]` stands as a word, after the start, and not as a noun.
fn stands_as_work(low: &str, at: usize, end: usize, labels: &Labels) -> bool {
    let before_ok = at == 0 || low[..at].ends_with(' ');
    let after_ok = low[end..].chars().next().is_none_or(|c| !c.is_alphanumeric());
    let noun = labels.work_verb_noun_markers.iter().any(|m| low[..at].ends_with(m.as_str()));
    before_ok && after_ok && !noun && at > 0
}

/// "A phối hợp với B" -> ["A", "B"].
fn split_on_cues<'t>(text: &'t str, cues: &[String]) -> Vec<&'t str> {
    let low = to_lower(text);
    if low.len() != text.len() {
        return vec![text];
    }
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    for c in cues {
        for (at, _) in low.match_indices(c.as_str()) {
            if !cuts.iter().any(|&(s, e)| at < e && at + c.len() > s) {
                cuts.push((at, at + c.len()));
            }
        }
    }
    cuts.sort_unstable();
    let mut out = Vec::new();
    let mut start = 0;
    for (s, e) in cuts {
        out.push(&text[start..s]);
        start = e;
    }
    out.push(&text[start..]);
    out.into_iter().map(clean).filter(|p| !p.is_empty()).collect()
}

#[cfg(test)]
mod tests {
    use crate::Engine;

    fn tasks(text: &str) -> Vec<(String, Vec<String>, Vec<String>)> {
        let record = Engine::new().unwrap().convert_bytes("t.txt", text.as_bytes());
        let doc = &record.documents[0];
        doc.tasks
            .iter()
            .map(|t| {
                let names = |a: &[crate::Agency]| a.iter().map(|a| a.text.to_string()).collect::<Vec<_>>();
                (t.section.to_string(), names(&t.lead), names(&t.partners))
            })
            .collect()
    }

    proptest::proptest! {
        #[test]
        fn blocks_hold_what_some_block_holds(spans in proptest::collection::vec((0usize..40, 0usize..12), 0..8)) {
            let sections: Vec<crate::model::Section> = spans
                .iter()
                .map(|&(start, len)| crate::model::Section {
                    marker: "".into(),
                    scheme: "".into(),
                    path: "".into(),
                    level: 1,
                    title: "".into(),
                    span: crate::model::Span::new(start, start + len),
                    children: Vec::new(),
                })
                .collect();
            let blocks = super::Blocks::new(sections.iter());
            for offset in 0..60 {
                let plain = sections.iter().any(|b| b.span.start <= offset && offset < b.span.end);
                proptest::prop_assert_eq!(blocks.holds(offset), plain, "at {}", offset);
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn label_starts_agree_with_lower_casing_the_line(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "Cơ", "CƠ", "cơ", " quan", " QUAN", " chủ trì", " CHỦ TRÌ", "Đơn", "ĐƠN", " vị", "Thời", " gian",
                "İ", "ẞ", ":", " ", "x", "Chủ", " trì", "\u{212a}inh", " phí",
            ]), 0..8),
        ) {
            use crate::grammar::labels::TaskField::{Budget, Lead};
            let labels: Vec<_> = [(Lead, "cơ quan chủ trì"), (Lead, "chủ trì"), (Lead, "đơn vị"), (Budget, "kinh phí"), (Lead, "thời gian")]
                .into_iter()
                .map(|(f, l)| (f, l.to_owned()))
                .collect();
            let s: String = parts.concat();
            let low = crate::text::to_lower(&s);
            let plain = labels.iter().any(|(_, l)| low.starts_with(l.as_str()));
            proptest::prop_assert_eq!(crate::grammar::labels::LabelStarts::new(&labels).may_start(&s), plain);
        }
    }

    proptest::proptest! {
        #[test]
        fn lowered_lengths_are_the_lower_case_lengths(s in "[a-zA-ZĐđƠÁẠỆİΣẞ\u{212a}: ,.-]{0,16}") {
            proptest::prop_assert_eq!(super::lowered_len(&s), crate::text::to_lower(&s).len());
        }
    }

    proptest::proptest! {
        #[test]
        fn work_verbs_found_at_once_as_one_by_one(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "tổ chức", "các ", "những ", "triển khai", "để", "đểx", " ", "x", "thực hiện", "trong việc", "nhằm",
                "báo cáo", "a",
            ]), 0..10),
        ) {
            let g = &*GRAMMAR;
            let low: String = parts.concat();
            proptest::prop_assert!(g.labels.work_verb_finder.is_some());
            proptest::prop_assert_eq!(super::work_start(&low, &g.labels), super::work_start_plain(&low, &g.labels));
        }
    }

    #[test]
    fn a_work_verb_after_a_noun_marker_is_no_work() {
        let g = &*GRAMMAR;
        let low = "sở công thương, các tổ chức liên quan triển khai";
        assert_eq!(super::work_start(low, &g.labels), low.find("triển khai"));
        assert_eq!(super::work_start_plain(low, &g.labels), low.find("triển khai"));
        assert_eq!(super::work_start("sở công thương tổ chức", &g.labels), Some("sở công thương ".len()));
    }

    static GRAMMAR: std::sync::LazyLock<crate::grammar::Grammar> =
        std::sync::LazyLock::new(|| crate::grammar::Grammar::embedded().unwrap());

    #[test]
    fn agencies_resolved_once_are_as_resolved_anew() {
        let m = crate::extract::AgencyMatcher::new(&GRAMMAR);
        let mut resolved = super::Resolved::default();
        for text in ["Sở Tài chính, UBND các huyện", "UBND các huyện; Sở TT&TT", "Sở Tài chính", "", "x, Sở Tài chính"]
        {
            for _ in 0..2 {
                assert_eq!(resolved.split(&m, text), m.split(text), "{text:?}");
            }
        }
    }

    #[test]
    fn labels_are_compared_lower_case() {
        use crate::grammar::labels::TaskField::Lead;
        let labels = |l: &[&str]| l.iter().map(|l| (Lead, (*l).to_owned())).collect::<Vec<_>>();
        let may = |s: &str, l: &[&str]| crate::grammar::labels::LabelStarts::new(&labels(l)).may_start(s);
        assert!(may("CƠ QUAN CHỦ TRÌ: Sở", &["đơn vị", "cơ quan chủ trì"]));
        assert!(may("Cơ quan chủ trì", &["cơ quan"]));
        assert!(!may("Cơ quan", &["cơ quan chủ trì"]));
        assert!(!may("Đơn vị: x", &["cơ quan"]));
    }

    #[test]
    fn sentence_tasks() {
        let t = tasks(
            "KẾ HOẠCH\nThử\n\nI. NHIỆM VỤ\n\n1. Hạ tầng\n\nSở Công Thương chủ trì, phối hợp với Sở Tài chính, UBND các huyện, thị xã triển khai hạ tầng.\n",
        );
        assert_eq!(
            t,
            [(
                "I/1".into(),
                vec!["Sở Công Thương".into()],
                vec!["Sở Tài chính".into(), "UBND các huyện, thị xã".into()]
            )]
        );
    }

    #[test]
    fn subject_after_a_comma_and_partner_cue_after_a_verb() {
        let t = tasks(
            "QUYẾT ĐỊNH\nThử\n\nĐiều 1. Phân bổ\n\nCăn cứ đề xuất của các bộ, Bộ Công an chủ trì tổng hợp và phối hợp với các bộ, cơ quan trung ương xây dựng phương án phân bổ.\n",
        );
        assert_eq!(t, [("Điều 1".into(), vec!["Bộ Công an".into()], vec!["các bộ, cơ quan trung ương".into()])]);
    }

    #[test]
    fn passive_and_non_agency_subjects_are_not_tasks() {
        let t = tasks(
            "KẾ HOẠCH\nThử\n\nI. NHIỆM VỤ\n\n- Các cơ quan được giao chủ trì các nội dung có trách nhiệm báo cáo.\n- Đối với các nhiệm vụ của Sở Thông tin và Truyền thông chủ trì: lồng ghép.\n",
        );
        assert!(t.is_empty(), "{t:?}");
    }
}
