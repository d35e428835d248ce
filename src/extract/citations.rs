//! Citations (trích dẫn) of other legal documents, and the basis (căn cứ) among them.
//!
//! One pass over the document's text (after its letterhead) finds every document-type word of
//! `citations.yaml` ("Quyết định", "Văn bản", "Luật" …) and reads what follows:
//!
//! - a number, after "số" or not ("Quyết định số 1968/QĐ-TTg", "Nghị định 12/CP", "Kế hoạch số
//!   135 /KH-UBND" -> "135/KH-UBND", a code split by a line join "1358/QĐ-" + "BKHĐT"); a list
//!   under one type word ("các Quyết định số 964/QĐ-TTg, 505/QĐ-TTg"; "Nghị định 87,88,31/CP");
//! - for laws, a title instead ("Luật Tổ chức chính quyền địa phương"), ending before "ngày",
//!   "năm 2024", "số …", punctuation, a stop word, or a comma followed by a capital word; a title
//!   that amends laws runs on through ", Luật …" and "và Luật …" ("Luật sửa đổi, bổ sung một số
//!   điều của Luật Tổ chức Chính phủ và Luật Tổ chức chính quyền địa phương" is one law); a law
//!   cited by number names its subject after "về" ("Luật số 42/2024/QH15 … về Quản lý, …");
//! - then a date ("ngày 22 tháng 11 năm 2021", "ngày 28/12/2021") and an issuer ("của Thủ tướng
//!   Chính phủ"), in either order.
//!
//! A number without "số" needs a symbol with letters ("Quyết định 2783/QĐ-UBND"), or must repeat
//! the digits of a full number of the same kind ("Quyết định 1968" after "1968/QĐ-TTg"); a bare
//! number after "số" that matches none stays a citation of its own ("đề án số 11").
//!
//! `citations` lists each cited document once, in order of first mention: mentions are merged by
//! number (compared on letters and digits only, so the misprints "17/2021/T-T-BTNMT" and
//! "17/2021/TT-BTNMT" are one document; the printed form that carries the kind's code, "TT", is
//! kept), laws without number by title and compatible date. The document itself is not cited:
//! its own number ("Số: 525 /KH-UBND") and the "(Kèm theo Kế hoạch số …)" line of its own kind
//! are skipped. `basis` holds the citations made in the "Căn cứ …" / "Thực hiện …" / "Theo đề
//! nghị …" paragraphs of the preamble (before the first section and the enacting formula
//! "QUYẾT ĐỊNH:") and in a section titled "Căn cứ …"; they are in `citations` as well.

use std::collections::HashMap;

use super::DocContext;
use crate::grammar::citations::{CitationRules, Phrases};
use crate::model::{Citation, Section, Span};
use crate::text::{collapse_spaces, is_alphanumeric};

/// One place where a document is cited.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Mention {
    kind: String,
    /// Normalized number; `None` for a law cited by title only.
    number: Option<String>,
    /// The number has no symbol ("Quyết định 1968").
    bare: bool,
    /// "số" was printed before the number.
    with_so: bool,
    title: Option<String>,
    date: Option<String>,
    issuer: Option<String>,
    text: String,
    span: Span,
}

/// `(basis, citations)` of one document whose own number (from its header) is `own`.
pub(crate) fn extract(cx: &DocContext<'_>, own: Option<&str>) -> (Vec<Citation>, Vec<Citation>) {
    let rules = &cx.g.citations;
    let lines = cx.lines();
    if lines.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let first = cx.header_lines().end.min(lines.end.saturating_sub(1)).max(lines.start);
    let text = cx.text();
    let (base, end) = (cx.line_span(first).start, cx.line_span(lines.end - 1).end);
    if base >= end {
        return (Vec::new(), Vec::new());
    }
    let mut mentions = scan(rules, &text[base..end], base);
    // The document itself: its own number, and the "(Kèm theo <own kind> số …)" line.
    let own: Vec<String> = own.map(number_key).into_iter().chain(own_number(cx)).collect();
    // Asked only of the mentions of the document's own kind: most lines hold none.
    let in_attached_line = |span: Span| {
        cx.line_holding(span).is_some_and(|i| {
            let t = cx.line(i);
            (t.starts_with('(') || cx.after_body(cx.line_span(i).start))
                && cx.g.doc_types.appendix_attached.iter().any(|re| re.is_match(t))
        })
    };
    // A line of the head that opens with the document's own type word and a number is its own
    // title line ("Nghị định của Chính phủ số 114/2003/NĐ-CP ngày 10/10/2003 …").
    let basis_spans = basis_spans(cx);
    let head_end =
        basis_spans.iter().map(|s| s.start).chain([first_section_start(&cx.doc.sections)]).min().unwrap_or(usize::MAX);
    let own_lines: Vec<usize> = lines
        .clone()
        .take(12)
        .map(|i| cx.line_span(i))
        .filter(|s| s.end <= head_end)
        .map(|s| s.start + (text[s.start..s.end].len() - text[s.start..s.end].trim_start().len()))
        .collect();
    mentions.retain(|m| {
        let own_kind_attached =
            m.kind == cx.doc.kind && (in_attached_line(m.span) || own_lines.contains(&m.span.start));
        let own_number = !own.is_empty() && m.number.as_deref().is_some_and(|n| own.contains(&number_key(n)));
        !own_kind_attached && !own_number
    });
    let codes = &cx.g.doc_types.number_codes;
    let groups = group(&cx.g.citations, &mentions);
    let in_basis = super::Stretches::new(basis_spans);
    let mut basis = Vec::new();
    let mut citations = Vec::with_capacity(groups.len());
    for g in groups {
        let c = citation_of(&mentions, &g, codes);
        if g.iter().any(|&i| in_basis.hold(mentions[i].span.start)) {
            basis.push(c.clone());
        }
        citations.push(c);
    }
    (basis, citations)
}

/// The document's own number, as a [`number_key`], from a "Số: …" line of its letterhead (the
/// lines before the type line; the first lines when there is none).
fn own_number(cx: &DocContext<'_>) -> Option<String> {
    let rules = &cx.g.citations;
    let lines = cx.lines();
    let head = if cx.doc.type_line.is_some() { cx.header_lines() } else { lines.start..lines.end.min(lines.start + 8) };
    for i in head {
        let t = cx.line(i);
        if !t.starts_with(char::is_uppercase) {
            continue;
        }
        let Some((len, _)) = rules.own_number.match_at(t) else { continue };
        let rest = t[len..].trim_start().trim_start_matches([':', '.']).trim_start();
        if let Some(n) = scan_number(rest, &rules.fill_chars)
            && n.symbol
        {
            return Some(number_key(&n.text));
        }
    }
    None
}

fn first_section_start(sections: &[Section]) -> usize {
    sections.iter().map(|s| s.span.start).min().unwrap_or(usize::MAX)
}

/// The spans whose citations are the basis: the opener paragraphs of the preamble, and the
/// sections titled "Căn cứ …".
fn basis_spans(cx: &DocContext<'_>) -> Vec<Span> {
    let rules = &cx.g.citations;
    let stop = first_section_start(&cx.doc.sections);
    let mut out = Vec::new();
    let mut in_paragraph = false;
    for i in cx.body_lines() {
        let span = cx.line_span(i);
        if span.start >= stop {
            break;
        }
        let t = cx.line(i);
        if t.is_empty() {
            continue;
        }
        let opener = rules.basis_openers.match_at(t).is_some();
        if opener || in_paragraph {
            out.push(span);
            in_paragraph = !t.ends_with(['.', ';', ':']);
        }
        if rules.enacting.iter().any(|re| re.is_match(t)) {
            break;
        }
    }
    fn walk(rules: &CitationRules, sections: &[Section], out: &mut Vec<Span>) {
        for s in sections {
            if rules.basis_section_titles.match_at(s.title.trim()).is_some() {
                out.push(s.span);
            }
            walk(rules, &s.children, out);
        }
    }
    walk(rules, &cx.doc.sections, &mut out);
    out
}

/// Letters and digits of a number in upper case, "Đ" as "D": the identity of a cited document.
fn number_key(n: &str) -> String {
    n.chars()
        .filter(|&c| is_alphanumeric(c))
        .flat_map(char::to_uppercase)
        .map(|c| if c == 'Đ' { 'D' } else { c })
        .collect()
}

/// The leading digits of a number.
fn leading_digits(n: &str) -> &str {
    let end = n.find(|c: char| !c.is_ascii_digit()).unwrap_or(n.len());
    &n[..end]
}

/// The law-title key: lower-case words without the leading type words ("bộ luật") and a
/// trailing "<year word> YYYY".
fn title_key(rules: &CitationRules, t: &str) -> String {
    let lower = t.to_lowercase();
    let mut words: Vec<&str> = lower.split(|c: char| !is_alphanumeric(c)).filter(|w| !w.is_empty()).collect();
    let lead = words.iter().take_while(|w| rules.title_kind_words.iter().any(|k| k == *w)).count();
    words.drain(..lead);
    if words.last().is_some_and(|w| w.len() == 4 && w.bytes().all(|b| b.is_ascii_digit())) {
        words.pop();
        if words.last() == Some(&rules.title_year_word.as_str()) {
            words.pop();
        }
    }
    words.join(" ")
}

/// Merge mentions of one document: indexes into `mentions`, groups in order of first mention.
fn group(rules: &CitationRules, mentions: &[Mention]) -> Vec<Vec<usize>> {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut by_number: HashMap<String, usize> = HashMap::new();
    // (kind, leading digits) of full numbers -> the first group, for the bare numbers.
    let mut by_digits: HashMap<(&str, &str), usize> = HashMap::new();
    for (i, m) in mentions.iter().enumerate() {
        if let Some(n) = &m.number
            && !m.bare
        {
            let g = *by_number.entry(number_key(n)).or_insert_with(|| {
                groups.push(Vec::new());
                groups.len() - 1
            });
            groups[g].push(i);
            by_digits.entry((m.kind.as_str(), leading_digits(n))).or_insert(g);
        }
    }
    // A bare number joins a full number of the same kind with the same leading digits.
    let mut bare_groups: HashMap<(&str, &str), usize> = HashMap::new();
    for (i, m) in mentions.iter().enumerate() {
        let Some(n) = m.number.as_deref().filter(|_| m.bare) else { continue };
        if let Some(&g) = by_digits.get(&(m.kind.as_str(), n)) {
            groups[g].push(i);
        } else if m.with_so {
            let g = *bare_groups.entry((m.kind.as_str(), n)).or_insert_with(|| {
                groups.push(Vec::new());
                groups.len() - 1
            });
            groups[g].push(i);
        }
    }
    // A law cited by title joins a group with the same title and no other date.
    let keys: Vec<Option<String>> = mentions.iter().map(|m| m.title.as_deref().map(|t| title_key(rules, t))).collect();
    let mut dates: Vec<Option<&str>> =
        groups.iter().map(|g| g.iter().find_map(|&j| mentions[j].date.as_deref())).collect();
    let mut by_title: HashMap<&str, Vec<usize>> = HashMap::new();
    for (g, members) in groups.iter().enumerate() {
        for &j in members {
            if let Some(k) = keys[j].as_deref() {
                let list = by_title.entry(k).or_default();
                if !list.contains(&g) {
                    list.push(g);
                }
            }
        }
    }
    for (i, m) in mentions.iter().enumerate() {
        let Some(key) = keys[i].as_deref().filter(|_| m.number.is_none()) else { continue };
        let candidates = by_title.entry(key).or_default();
        let same = candidates
            .iter()
            .copied()
            .find(|&g| m.date.is_none() || dates[g].is_none() || dates[g] == m.date.as_deref());
        match same {
            Some(g) => {
                groups[g].push(i);
                if dates[g].is_none() {
                    dates[g] = m.date.as_deref();
                }
            }
            None => {
                groups.push(vec![i]);
                dates.push(m.date.as_deref());
                candidates.push(groups.len() - 1);
            }
        }
    }
    for g in &mut groups {
        g.sort_unstable();
    }
    groups.retain(|g| !g.is_empty());
    groups.sort_by_key(|g| mentions[g[0]].span.start);
    groups
}

/// The citation of a group of mentions.
fn citation_of(mentions: &[Mention], g: &[usize], codes: &[(String, String)]) -> Citation {
    let kind = &mentions[g[0]].kind;
    // The printed number: the variant carrying the kind's code ("TT" in "17/2021/TT-BTNMT"), then
    // the most frequent, then the first.
    let mut variants: Vec<(&str, usize, usize)> = Vec::new();
    for &i in g {
        if let Some(n) = mentions[i].number.as_deref().filter(|_| !mentions[i].bare) {
            match variants.iter_mut().find(|v| v.0 == n) {
                Some(v) => v.1 += 1,
                None => variants.push((n, 1, i)),
            }
        }
    }
    let has_code = |n: &str| {
        let tokens: Vec<String> = n.split(|c: char| !is_alphanumeric(c)).map(number_key).collect();
        codes.iter().any(|(k, code)| k == kind && tokens.contains(&number_key(code)))
    };
    let best =
        variants.iter().max_by(|a, b| (has_code(a.0), a.1).cmp(&(has_code(b.0), b.1)).then_with(|| b.2.cmp(&a.2)));
    let rep = best.map_or(g[0], |v| v.2);
    let m = &mentions[rep];
    Citation {
        kind: m.kind.as_str().into(),
        number: best.map(|v| v.0).or(m.number.as_deref()).map(Into::into),
        date: m.date.as_deref().or_else(|| g.iter().find_map(|&i| mentions[i].date.as_deref())).map(Into::into),
        issuer: m.issuer.as_deref().or_else(|| g.iter().find_map(|&i| mentions[i].issuer.as_deref())).map(Into::into),
        title: m.title.as_deref().or_else(|| g.iter().find_map(|&i| mentions[i].title.as_deref())).map(Into::into),
        text: m.text.as_str().into(),
        span: m.span,
    }
}

/// Every citation mention in `s`, which starts at byte `base` of the record text.
fn scan(rules: &CitationRules, s: &str, base: usize) -> Vec<Mention> {
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some((m_start, m_end, kind)) = rules.find_kind(s, pos) {
        let capital = s[m_start..].starts_with(char::is_uppercase);
        let before = out.len();
        let mut next = m_end;
        if let Some(end) = numbered(rules, s, m_start, m_end, &kind.kind, base, &mut out) {
            next = end;
        } else if kind.by_title
            && capital
            && rules.title_not_after.ends_with(&s[..m_start]).is_none()
            && let Some(end) = titled(rules, s, m_start, m_end, &kind.kind, base, &mut out)
        {
            next = end;
        }
        // A law cited by number names its subject after "về": that is its title.
        if kind.by_title && out.len() > before && out[before].title.is_none() {
            let m0 = &out[before];
            let from = m0.span.end - base;
            let j = skip_ws(s, from, 4);
            if let Some((len, _)) = rules.title_subject_openers.match_at(&s[j..]) {
                let k = skip_ws(s, j + len, 4);
                if let Some((end, _)) = law_title(rules, s, k, false) {
                    let title = format!("{} {}", collapse_spaces(&s[m_start..m_end]), collapse_spaces(&s[k..end]));
                    let m0 = &mut out[before];
                    m0.title = Some(title);
                    m0.text = collapse_spaces(&s[m_start..end]);
                    m0.span = Span::new(base + m_start, base + end);
                }
            }
        }
        pos = next.max(m_end);
    }
    for (kind, re) in &rules.standards {
        for m in re.find_iter(s) {
            let text = collapse_spaces(m.as_str());
            out.push(Mention {
                kind: kind.clone(),
                number: Some(text.clone()),
                bare: false,
                with_so: false,
                title: None,
                date: None,
                issuer: None,
                text,
                span: Span::new(base + m.start(), base + m.end()),
            });
        }
    }
    out.sort_by_key(|m| m.span.start);
    out
}

/// A number after the type word `s[start..after]`: push its mention(s), return where the last
/// number ends.
fn numbered(
    rules: &CitationRules,
    s: &str,
    start: usize,
    after: usize,
    kind: &str,
    base: usize,
    out: &mut Vec<Mention>,
) -> Option<usize> {
    let mut i = skip_ws(s, after, 4);
    if i == after && s[i..].starts_with(|c: char| is_alphanumeric(c)) {
        return None;
    }
    // "Chương trình hành động của Tỉnh ủy số 02-CT/TU": the issuer before the number.
    let mut issuer_before = None;
    if let Some((len, name)) = issuer_at(rules, &s[i..]) {
        let name = i + name.start..i + name.end;
        let j = skip_ws(s, i + len, 3);
        if rules.number_word.match_at(&s[j..]).is_some() {
            issuer_before = Some(collapse_spaces(&s[name]));
            i = j;
        }
    }
    let mut with_so = false;
    if let Some((len, _)) = rules.number_word.match_at(&s[i..]) {
        with_so = true;
        i = skip_ws(s, i + len, 4);
        if s[i..].starts_with([':', '.']) && !s[i + 1..].starts_with('.') {
            i = skip_ws(s, i + 1, 4);
        }
    }
    let n = scan_number(&s[i..], &rules.fill_chars)?;
    let letters = n.text.chars().any(is_letter);
    if issuer_before.is_some() && !(n.symbol && letters) {
        return None;
    }
    if !with_so && n.symbol && !letters {
        return None; // "Kế hoạch 2021-2025"
    }
    let mut numbers: Vec<(usize, ScannedNumber)> = Vec::new();
    let mut end = i + n.len;
    if !n.symbol && s[end..].starts_with(',') {
        // "Nghị định 87,88,31/CP": the last number's symbol belongs to all.
        let mut run = vec![(i, n)];
        let mut j = end;
        while s[j..].starts_with(',') {
            let k = skip_ws(s, j + 1, 2);
            let Some(m) = scan_number(&s[k..], &rules.fill_chars) else { break };
            let (symbol, len) = (m.symbol, m.len);
            run.push((k, m));
            j = k + len;
            if symbol {
                break;
            }
        }
        let last = &run[run.len() - 1].1;
        if run.len() > 1 && last.symbol {
            let suffix = last.text[last.digits_len..].to_owned();
            for (at, m) in &mut run {
                if !m.symbol {
                    m.text.push_str(&suffix);
                    m.symbol = true;
                }
                numbers.push((*at, m.clone()));
            }
            end = j;
        } else {
            let (at, m) = run.swap_remove(0);
            numbers.push((at, m));
        }
    } else {
        numbers.push((i, n));
    }
    let mut first_start = start;
    let mut k = 0;
    while k < numbers.len() {
        let (at, n) = &numbers[k];
        let n_end = at + n.len;
        let (tail_end, date, issuer) = if k + 1 == numbers.len() { tail(rules, s, n_end) } else { (n_end, None, None) };
        out.push(Mention {
            kind: kind.to_owned(),
            number: Some(n.text.clone()),
            bare: !n.symbol,
            with_so,
            title: None,
            date,
            issuer: issuer.or_else(|| issuer_before.clone()),
            text: collapse_spaces(&s[first_start..tail_end]),
            span: Span::new(base + first_start, base + tail_end),
        });
        end = end.max(n_end);
        k += 1;
        if k == numbers.len() {
            // A list: ", 505/QĐ-TTg", "và 1656/QĐ-UBND", right after the number or after its
            // date and issuer.
            let joined = |from: usize| {
                let j = skip_ws(s, from, 2);
                rules.list_joiners.match_at(&s[j..]).map(|(len, _)| skip_ws(s, j + len, 3))
            };
            let next = joined(n_end).or_else(|| if tail_end > n_end { joined(tail_end) } else { None });
            if let Some(j) = next {
                let j = rules.number_word.match_at(&s[j..]).map_or(j, |(len, _)| skip_ws(s, j + len, 2));
                if let Some(m) = scan_number(&s[j..], &rules.fill_chars)
                    && m.symbol
                    && m.text.chars().any(is_letter)
                {
                    first_start = j;
                    numbers.push((j, m));
                }
            }
        }
    }
    Some(end)
}

/// A law cited by title after the type word `s[start..after]`: push it, return the title's end.
fn titled(
    rules: &CitationRules,
    s: &str,
    start: usize,
    after: usize,
    kind: &str,
    base: usize,
    out: &mut Vec<Mention>,
) -> Option<usize> {
    let i = skip_ws(s, after, 2);
    if i == after {
        return None;
    }
    let caps = is_caps(&s[start..after]);
    let (title_end, _) = law_title(rules, s, i, caps)?;
    let title = collapse_spaces(&s[start..title_end]);
    // "(sửa đổi) số 03/1998/QH10 ngày …"
    let mut j = skip_ws(s, title_end, 4);
    if s[j..].starts_with('(')
        && let Some(close) = s[j..].find(')').filter(|&c| c < 40 && !s[j..j + c].contains('\n'))
    {
        j = skip_ws(s, j + close + 1, 4);
    }
    let mut number = None;
    let mut end = title_end;
    if let Some((len, _)) = rules.number_word.match_at(&s[j..]) {
        let k = skip_ws(s, j + len, 4);
        if let Some(n) = scan_number(&s[k..], &rules.fill_chars).filter(|n| n.symbol) {
            end = k + n.len;
            number = Some(n.text);
        }
    }
    let (tail_end, date, issuer) = tail(rules, s, end);
    out.push(Mention {
        kind: kind.to_owned(),
        number,
        bare: false,
        with_so: false,
        title: Some(title),
        date,
        issuer,
        text: collapse_spaces(&s[start..tail_end]),
        span: Span::new(base + start, base + tail_end),
    });
    Some(title_end)
}

/// The end of a law title starting at `i` (its first word), and whether it amends laws. `caps`:
/// the title is printed in capitals ("LUẬT SỬA ĐỔI, BỔ SUNG …"), and ends at a word that is not.
fn law_title(rules: &CitationRules, s: &str, i: usize, caps: bool) -> Option<(usize, bool)> {
    let first = s[i..].chars().next()?;
    if caps && !is_caps(&s[i..word_end(s, i)]) {
        return None;
    }
    if !first.is_uppercase() && rules.title_lowercase_starts.match_at(&s[i..]).is_none() {
        return None;
    }
    if rules.title_stops.match_at(&s[i..]).is_some() && rules.title_lowercase_starts.match_at(&s[i..]).is_none() {
        return None; // "LUẬT VỀ …"
    }
    let amending = rules.title_amending_starts.match_at(&s[i..]).is_some();
    let is_law = |at: usize| rules.kind_at(&s[at..]).is_some_and(|(_, k)| k.by_title);
    let capital_kind = |at: usize| s[at..].starts_with(char::is_uppercase) && rules.kind_at(&s[at..]).is_some();
    let (mut j, mut end, mut words) = (i, i, 0);
    while words < rules.title_max_words {
        let rest = &s[j..];
        let c = rest.chars().next()?;
        if !is_alphanumeric(c) {
            break;
        }
        if words > 0 {
            if rules.title_stops.match_at(rest).is_some() || before_number(&rules.title_stops_before_number, s, j) {
                break;
            }
            if caps && !is_caps(&s[j..word_end(s, j)]) {
                break;
            }
            if capital_kind(j) && !(amending && is_law(j)) {
                break;
            }
            if let Some(k) = word_then(s, j, &rules.and_word)
                && rules.kind_at(&s[k..]).is_some()
                && !(amending && is_law(k))
            {
                break;
            }
        }
        let wend = word_end(s, j);
        let core = s[j..wend].trim_end_matches(|c: char| !is_alphanumeric(c));
        if core.is_empty() {
            break;
        }
        end = j + core.len();
        words += 1;
        let punct = &s[end..wend];
        if !punct.is_empty() && !punct.starts_with(',') {
            break;
        }
        let Some(k) = next_word_after(s, wend) else { break };
        if punct.starts_with(',') {
            if amending && is_law(k) {
                j = k;
                continue;
            }
            let goes_on = if caps { is_caps(&s[k..word_end(s, k)]) } else { s[k..].starts_with(char::is_lowercase) };
            if !goes_on
                || rules.title_stops.match_at(&s[k..]).is_some()
                || before_number(&rules.title_stops_before_number, s, k)
            {
                break;
            }
        }
        j = k;
    }
    (words > 0).then_some((end, amending))
}

/// Where the word after the one ending at `wend` starts, when only spaces and at most one line
/// break part them: a tab is a cell border, a blank line ends the run.
fn next_word_after(s: &str, wend: usize) -> Option<usize> {
    let k = skip_ws(s, wend, 3);
    let gap = &s[wend..k];
    (k > wend && !gap.contains('\t') && gap.matches('\n').count() <= 1).then_some(k)
}

/// `s[at..]` starts with one of `stops` followed by a number ("năm 2024", "số 04/1998/QH10").
fn before_number(stops: &Phrases, s: &str, at: usize) -> bool {
    stops.match_at(&s[at..]).is_some_and(|(len, _)| {
        let k = skip_ws(s, at + len, 3);
        k > at + len && s[k..].starts_with(|c: char| c.is_ascii_digit())
    })
}

/// If `s[at..]` is the word `w` (any case) then whitespace, where the next word starts.
fn word_then(s: &str, at: usize, w: &str) -> Option<usize> {
    let rest = &s[at..];
    let head = rest.get(..w.len())?;
    if !head.eq_ignore_ascii_case(w) && !lower_case_is(head, w) {
        return None;
    }
    let k = skip_ws(s, at + w.len(), 3);
    (k > at + w.len()).then_some(k)
}

/// `t.to_lowercase() == lower`, without building the lower case (char by char: only a final
/// sigma lower-cases otherwise in context).
fn lower_case_is(t: &str, lower: &str) -> bool {
    if lower.contains(['σ', 'ς']) {
        return t.to_lowercase() == lower;
    }
    t.chars().flat_map(char::to_lowercase).eq(lower.chars())
}

/// After a number or a title: a date and an issuer, in either order. `(end, date, issuer)`.
fn tail(rules: &CitationRules, s: &str, from: usize) -> (usize, Option<String>, Option<String>) {
    let (mut end, mut date, mut issuer) = (from, None, None);
    for _ in 0..2 {
        let mut j = skip_ws(s, end, 4);
        if s[j..].starts_with(',') {
            j = skip_ws(s, j + 1, 3);
        }
        if date.is_none()
            && let Some((len, d)) = date_at(rules, &s[j..])
        {
            date = Some(d);
            end = j + len;
            continue;
        }
        if issuer.is_none()
            && let Some((len, name)) = issuer_at(rules, &s[j..])
        {
            issuer = Some(collapse_spaces(&s[j + name.start..j + name.end]));
            end = j + len;
            continue;
        }
        break;
    }
    (end, date, issuer)
}

/// A date at the start of `s`: `(bytes, ISO date)`.
fn date_at(rules: &CitationRules, s: &str) -> Option<(usize, String)> {
    rules.dates.iter().find_map(|re| {
        let c = re.captures(s)?;
        // The groups d, m, y (see `CitationRules::dates`).
        let num = |k: usize| c.get(re.groups[k]).and_then(|m| m.as_str().parse::<u32>().ok());
        let (d, m, y) = (num(0)?, num(1)?, num(2)?);
        ((1..=31).contains(&d) && (1..=12).contains(&m) && (1900..=2100).contains(&y))
            .then(|| (c.get(0).map_or(0, |m| m.end()), iso_date(y, m, d)))
    })
}

/// "YYYY-MM-DD" of a year of four digits, a month and a day (`format!` costs more than the
/// rest of reading a date).
fn iso_date(y: u32, m: u32, d: u32) -> String {
    let mut out = String::with_capacity(10);
    for (value, width) in [(y, 4u32), (m, 2), (d, 2)] {
        if !out.is_empty() {
            out.push('-');
        }
        // Zero-padded to `width` digits, more when the value has more.
        let digits = value.checked_ilog10().unwrap_or(0) + 1;
        for place in (0..digits.max(width)).rev() {
            out.push(char::from(b'0' + (value / 10u32.pow(place) % 10) as u8));
        }
    }
    out
}

/// An issuer at the start of `s` ("của Thủ tướng Chính phủ"): `(bytes, where its name is)`.
/// The name is not copied here: most issuers read after a type word are dropped (no "số"
/// follows).
fn issuer_at(rules: &CitationRules, s: &str) -> Option<(usize, std::ops::Range<usize>)> {
    let (len, _) = rules.issuer_openers.match_at(s)?;
    let start = skip_ws(s, len, 3);
    if start == len || !s[start..].starts_with(char::is_uppercase) {
        return None;
    }
    let (mut j, mut end, mut words) = (start, start, 0);
    while words < rules.issuer_max_words {
        let rest = &s[j..];
        if !rest.starts_with(is_letter) {
            break; // punctuation, or a figure ("1.7" of the next table row)
        }
        if words > 0 {
            let kind_word = rest.starts_with(char::is_uppercase) && rules.kind_at(rest).is_some();
            let and_kind = word_then(s, j, &rules.and_word).is_some_and(|k| rules.kind_at(&s[k..]).is_some());
            if rules.issuer_stops.match_at(rest).is_some() || kind_word || and_kind {
                break;
            }
        }
        let wend = word_end(s, j);
        let core = s[j..wend].trim_end_matches(|c: char| !is_alphanumeric(c));
        if core.is_empty() {
            break;
        }
        end = j + core.len();
        words += 1;
        if end < wend {
            break;
        }
        let Some(k) = next_word_after(s, wend) else { break };
        j = k;
    }
    (words > 0).then_some((end, start..end))
}

/// A scanned số/ký hiệu.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ScannedNumber {
    /// Bytes of the input it covers.
    len: usize,
    /// Normalized: no spaces around "/" and "-", blanks and dashes unified.
    text: String,
    /// Bytes of `text` that are the leading number ("135" of "135/KH-UBND").
    digits_len: usize,
    /// It has a symbol ("/KH-UBND").
    symbol: bool,
}

fn is_sep(c: char) -> bool {
    matches!(c, '/' | '-' | '–' | '‐' | '‑')
}

fn peek(s: &str, i: usize) -> Option<char> {
    s.get(i..).and_then(|r| r.chars().next())
}

/// A số/ký hiệu at the start of `s`: "1968/QĐ-TTg", "135 /KH-UBND", "05-NQ/TU", "01.6/GĐN/KSYB",
/// "2180/BTN MT-TCMT", "…05…./2006/ QĐ-UBND", "1968". `None` when no digit starts it (a blank
/// number "/QĐ-UBND").
fn scan_number(s: &str, fill: &[char]) -> Option<ScannedNumber> {
    let mut i = 0;
    while let Some(c) = peek(s, i).filter(|c| fill.contains(c)) {
        i += c.len_utf8();
    }
    let d0 = i;
    while peek(s, i).is_some_and(|c| c.is_ascii_digit()) {
        i += 1;
    }
    if i == d0 || peek(s, i).is_some_and(is_letter) {
        return None;
    }
    while peek(s, i) == Some('.') && peek(s, i + 1).is_some_and(|c| c.is_ascii_digit()) {
        i += 1;
        while peek(s, i).is_some_and(|c| c.is_ascii_digit()) {
            i += 1;
        }
    }
    let mut text = s[d0..i].to_owned();
    let digits_len = text.len();
    // Fill after the digits, before the symbol: "05…./2006".
    let mut j = i;
    while let Some(c) = peek(s, j).filter(|c| fill.contains(c)) {
        j += c.len_utf8();
    }
    if j > i && peek(s, skip_inline(s, j, 2)).is_some_and(is_sep) {
        i = j;
    }
    let mut symbol = false;
    loop {
        let j = skip_inline(s, i, 2);
        let Some(c) = peek(s, j).filter(|&c| is_sep(c)) else { break };
        let k = skip_ws(s, j + c.len_utf8(), 3);
        if k - (j + c.len_utf8()) > 0 && s[j + c.len_utf8()..k].matches('\n').count() > 1 {
            break;
        }
        let Some(first) = peek(s, k) else { break };
        if !(first.is_uppercase() || first.is_ascii_digit()) {
            break;
        }
        let seg_end = segment_end(s, k);
        if seg_end == k {
            break;
        }
        text.push(if c == '/' { '/' } else { '-' });
        text.push_str(&s[k..seg_end]);
        i = seg_end;
        symbol = true;
        // "BTN MT-TCMT", "UBND D-NL2": a space inside the code.
        if peek(s, i) == Some(' ') {
            let k2 = i + 1;
            let mut e2 = k2;
            while peek(s, e2).is_some_and(|c| c.is_uppercase() || c.is_ascii_digit()) {
                e2 += peek(s, e2).map_or(1, char::len_utf8);
            }
            if e2 > k2 && peek(s, e2).is_some_and(is_sep) && peek(s, k2).is_some_and(char::is_uppercase) {
                text.push(' ');
                text.push_str(&s[k2..e2]);
                i = e2;
            }
        }
    }
    Some(ScannedNumber { len: i, text, digits_len, symbol })
}

/// End of a code segment starting at `k`: letters, digits, "&", and "." between them.
fn segment_end(s: &str, k: usize) -> usize {
    let mut e = k;
    loop {
        match peek(s, e) {
            Some(c) if is_alphanumeric(c) || c == '&' => e += c.len_utf8(),
            Some('.') if e > k && peek(s, e + 1).is_some_and(is_alphanumeric) => e += 1,
            _ => return e,
        }
    }
}

/// Skip up to `max` spaces (no line break, no tab) from `i`.
fn skip_inline(s: &str, mut i: usize, max: usize) -> usize {
    let mut n = 0;
    while n < max
        && let Some(c) = peek(s, i).filter(|&c| c == ' ' || c == '\u{a0}')
    {
        i += c.len_utf8();
        n += 1;
    }
    i
}

/// Skip whitespace from `i`, at most `max` characters of it.
fn skip_ws(s: &str, mut i: usize, max: usize) -> usize {
    let mut n = 0;
    while n < max
        && let Some(c) = peek(s, i).filter(|c| c.is_whitespace())
    {
        i += c.len_utf8();
        n += 1;
    }
    i
}

/// The end of the word (run of non-whitespace) at `i`.
fn word_end(s: &str, i: usize) -> usize {
    s[i..].find(char::is_whitespace).map_or(s.len(), |e| i + e)
}

/// `c.is_alphabetic()`, answered at once for ASCII and for the precomposed Latin letters
/// Vietnamese is written in, where the general Unicode lookup is slow.
fn is_letter(c: char) -> bool {
    match c {
        '\0'..='\u{7f}' => c.is_ascii_alphabetic(),
        '\u{c0}'..='\u{24f}' => c != '×' && c != '÷',
        '\u{1e00}'..='\u{1eff}' => true,
        _ => c.is_alphabetic(),
    }
}

/// `w` has letters, all of them capitals.
fn is_caps(w: &str) -> bool {
    w.chars().any(is_letter) && w.chars().filter(|&c| is_letter(c)).all(char::is_uppercase)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Grammar;

    fn rules() -> &'static CitationRules {
        static GRAMMAR: std::sync::OnceLock<Grammar> = std::sync::OnceLock::new();
        &GRAMMAR.get_or_init(|| Grammar::embedded().expect("grammars")).citations
    }

    fn cited(s: &str) -> Vec<Mention> {
        scan(rules(), s, 0)
    }

    fn number(s: &str) -> Option<(String, bool)> {
        scan_number(s, &['…', '.']).map(|n| (n.text, n.symbol))
    }

    #[test]
    fn iso_dates_are_formatted() {
        for (y, m, d) in [(1900, 1, 1), (2021, 11, 22), (2100, 12, 31), (999, 5, 9), (0, 0, 0), (12345, 100, 7)] {
            assert_eq!(iso_date(y, m, d), format!("{y:04}-{m:02}-{d:02}"));
        }
        for t in ["và", "VÀ", "Và", "vÀ", "va", "vả", "ΣΑ"] {
            for w in ["và", "σα", "ςα"] {
                assert_eq!(lower_case_is(t, w), t.to_lowercase() == w, "{t} {w}");
            }
        }
    }

    #[test]
    fn letters_are_alphabetic_chars() {
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            assert_eq!(is_letter(c), c.is_alphabetic(), "{c:?}");
        }
    }

    #[test]
    fn numbers_are_normalized() {
        assert_eq!(number("1968/QĐ-TTg ngày"), Some(("1968/QĐ-TTg".into(), true)));
        assert_eq!(number("135 /KH-UBND ngày"), Some(("135/KH-UBND".into(), true)));
        assert_eq!(number("310/KH - UBND ngày"), Some(("310/KH-UBND".into(), true)));
        assert_eq!(number("916/KHDT- TH ngày"), Some(("916/KHDT-TH".into(), true)));
        assert_eq!(number("2180/BTN MT-TCMT ngày"), Some(("2180/BTN MT-TCMT".into(), true)));
        assert_eq!(number("01.6/GĐN/KSYB;"), Some(("01.6/GĐN/KSYB".into(), true)));
        assert_eq!(number("101/QĐ.BQL-TC."), Some(("101/QĐ.BQL-TC".into(), true)));
        assert_eq!(number("…05…./2006/ QĐ-UBND, ngày"), Some(("05/2006/QĐ-UBND".into(), true)));
        assert_eq!(number("1358/QĐ-\nBKHĐT ngày"), Some(("1358/QĐ-BKHĐT".into(), true)));
        assert_eq!(number("1968 năm 2022"), Some(("1968".into(), false)));
        assert_eq!(number("57-NQ/TW."), Some(("57-NQ/TW".into(), true)));
        assert_eq!(number("/QĐ-UBND ngày"), None);
        assert_eq!(number("4G"), None);
    }

    #[test]
    fn citation_with_date_and_issuer() {
        let s = "Thực hiện Quyết định số 1968/QĐ-TTg ngày 22 tháng 11 năm 2021 của Thủ tướng Chính phủ phê duyệt Đề án";
        let m = cited(s);
        assert_eq!(m.len(), 1, "{m:?}");
        assert_eq!(m[0].kind, "quyet_dinh");
        assert_eq!(m[0].number.as_deref(), Some("1968/QĐ-TTg"));
        assert_eq!(m[0].date.as_deref(), Some("2021-11-22"));
        assert_eq!(m[0].issuer.as_deref(), Some("Thủ tướng Chính phủ"));
        assert_eq!(m[0].text, "Quyết định số 1968/QĐ-TTg ngày 22 tháng 11 năm 2021 của Thủ tướng Chính phủ");
        assert_eq!(&s[m[0].span.start..m[0].span.end], m[0].text);
        let m = cited("và Công văn số 8425/BCT-XTTM ngày 28/12/2021 của Bộ Công Thương về việc xây dựng");
        assert_eq!((m[0].kind.as_str(), m[0].date.as_deref()), ("cong_van", Some("2021-12-28")));
        assert_eq!(m[0].issuer.as_deref(), Some("Bộ Công Thương"));
        let m = cited("Căn cứ Nghị định số 80/2021/NĐ-CP ngày 26 tháng 8 năm 2021 của Chính phủ Quy định chi tiết");
        assert_eq!(m[0].issuer.as_deref(), Some("Chính phủ"));
        let m = cited("Quyết định số 749/QĐ-TTg ngày 03 tháng 6 tháng 2020 của Thủ\ntướng Chính phủ phê duyệt");
        assert_eq!((m[0].date.as_deref(), m[0].issuer.as_deref()), (Some("2020-06-03"), Some("Thủ tướng Chính phủ")));
    }

    #[test]
    fn laws_by_title() {
        let m = cited("Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;");
        assert_eq!(m.len(), 1);
        assert_eq!((m[0].kind.as_str(), m[0].title.as_deref()), ("luat", Some("Luật Tổ chức chính quyền địa phương")));
        assert_eq!((m[0].number.as_deref(), m[0].date.as_deref()), (None, Some("2015-06-19")));
        let s = "Căn cứ Luật sửa đổi, bổ sung một số điều của Luật Tổ chức Chính phủ và Luật Tổ chức chính quyền địa phương ngày 22 tháng 11 năm 2019;";
        let m = cited(s);
        assert_eq!(m.len(), 1, "{m:?}");
        assert_eq!(
            m[0].title.as_deref(),
            Some("Luật sửa đổi, bổ sung một số điều của Luật Tổ chức Chính phủ và Luật Tổ chức chính quyền địa phương")
        );
        let m = cited(
            "các dự án: Luật Tổ chức Quốc hội, Luật Cán bộ, công chức, Luật Viên chức; Bộ luật Hình sự, Luật Phòng, chống tham nhũng",
        );
        let titles: Vec<_> = m.iter().filter_map(|m| m.title.as_deref()).collect();
        assert_eq!(
            titles,
            [
                "Luật Tổ chức Quốc hội",
                "Luật Cán bộ, công chức",
                "Luật Viên chức",
                "Bộ luật Hình sự",
                "Luật Phòng, chống tham nhũng"
            ]
        );
        let m = cited(
            "Các quy định của Luật Địa chất và Khoáng sản năm 2024 và các văn bản; Luật Thương mại và các dự án luật",
        );
        let titles: Vec<_> = m.iter().filter_map(|m| m.title.as_deref()).collect();
        assert_eq!(titles, ["Luật Địa chất và Khoáng sản", "Luật Thương mại"]);
        let m = cited(
            "Căn cứ Luật số 42/2024/QH15 ngày 29/6/2024 về Quản lý, sử dụng vũ khí, vật liệu nổ và công cụ hỗ trợ;",
        );
        assert_eq!(m[0].number.as_deref(), Some("42/2024/QH15"));
        assert_eq!(m[0].title.as_deref(), Some("Luật Quản lý, sử dụng vũ khí, vật liệu nổ và công cụ hỗ trợ"));
        let m = cited("Luật Khuyến khích đầu tư trong nước (sửa đổi) số 03/1998/QH10 ngày 20 tháng 5 năm 1998;");
        assert_eq!(m[0].title.as_deref(), Some("Luật Khuyến khích đầu tư trong nước"));
        assert_eq!((m[0].number.as_deref(), m[0].date.as_deref()), (Some("03/1998/QH10"), Some("1998-05-20")));
        assert!(cited("theo quy định của pháp luật hiện hành và luật có liên quan").is_empty());
        let m = cited(
            "QUY ĐỊNH CHI TIẾT THI HÀNH LUẬT SỬA ĐỔI, BỔ SUNG MỘT\nSỐ ĐIỀU CỦA LUẬT THUẾ XUẤT KHẨU, THUẾ NHẬP KHẨU\nSỐ 04/1998/QH10 NGÀY 20",
        );
        assert_eq!(m.len(), 1, "{m:?}");
        assert_eq!(
            m[0].title.as_deref(),
            Some("LUẬT SỬA ĐỔI, BỔ SUNG MỘT SỐ ĐIỀU CỦA LUẬT THUẾ XUẤT KHẨU, THUẾ NHẬP KHẨU")
        );
        assert_eq!(m[0].number.as_deref(), Some("04/1998/QH10"));
        assert!(cited("KHEN THƯỞNG VÀ KỶ LUẬT\n\tĐiều 23. Khen thưởng.").is_empty());
        assert!(cited("CHẤP HÀNH PHÁP LUẬT VỀ AN TOÀN THỰC PHẨM; KỶ LUẬT LAO ĐỘNG").is_empty());
        assert!(cited("Luật sư Nguyễn Văn A; theo Luật về").is_empty());
        let m = cited("Chương trình hành động của Tỉnh ủy số 02-CT/TU thực hiện Nghị Quyết 36-NQ/TU của Bộ chính trị");
        let n: Vec<_> = m.iter().map(|m| (m.kind.as_str(), m.number.as_deref(), m.issuer.as_deref())).collect();
        assert_eq!(
            n,
            [
                ("chuong_trinh", Some("02-CT/TU"), Some("Tỉnh ủy")),
                ("nghi_quyet", Some("36-NQ/TU"), Some("Bộ chính trị"))
            ]
        );
    }

    #[test]
    fn lists_and_bare_numbers() {
        let m = cited("các Quyết định số 964/QĐ-TTg, 505/QĐ-TTg của Thủ tướng");
        let n: Vec<_> = m.iter().filter_map(|m| m.number.as_deref()).collect();
        assert_eq!(n, ["964/QĐ-TTg", "505/QĐ-TTg"]);
        let m = cited("các Nghị định 87,88,31/CP của Chính phủ");
        let n: Vec<_> = m.iter().filter_map(|m| m.number.as_deref()).collect();
        assert_eq!(n, ["87/CP", "88/CP", "31/CP"]);
        let m = cited("Quyết định 1968 năm 2022; Kế hoạch 2022-2025; Đề án 06; Quyết định này");
        assert_eq!(m.len(), 2, "{m:?}");
        assert!(m.iter().all(|m| m.bare && !m.with_so));
        let g = group(rules(), &m);
        assert!(g.is_empty(), "bare numbers without a full number and without 'số' are dropped");
        let m = cited(
            "Quyết định số 1968/QĐ-TTg; Quyết định 1968; đề án số 11; Thông tư số 17/2021/T-T-BTNMT; Thông tư số 17/2021/TT-BTNMT",
        );
        let g = group(rules(), &m);
        assert_eq!(g.len(), 3, "{g:?}");
        let codes = vec![("thong_tu".to_owned(), "TT".to_owned())];
        assert_eq!(citation_of(&m, &g[2], &codes).number.as_deref(), Some("17/2021/TT-BTNMT"));
    }

    #[test]
    fn citations_split_by_line_breaks() {
        let m = cited("hướng dẫn một số điều của Nghị định\n\nsố 80/2021/NĐ-CP ngày 26 tháng 8 năm 2021 của Chính phủ");
        assert_eq!(m[0].number.as_deref(), Some("80/2021/NĐ-CP"));
        assert_eq!(m[0].text, "Nghị định số 80/2021/NĐ-CP ngày 26 tháng 8 năm 2021 của Chính phủ");
    }

    proptest::proptest! {
        #[test]
        fn scanning_never_panics(parts in proptest::collection::vec(proptest::sample::select(vec![
            "Quyết định", "số", " ", "\n", "\n\n", "1968", "/", "-", "–", "QĐ", "TTg", "…", ".", ",", ";", ":",
            "ngày", "22", "tháng", "năm", "2021", "của", "Thủ tướng", "Luật", "LUẬT", "sửa đổi", "và", "(", ")",
            "Đ", "ệ", "\u{a0}", "\t", "về", "Ủy ban", "QCVN", "01:2019/BCT", "87,88,31/CP", "Căn cứ",
        ]), 0..40)) {
            let s: String = parts.concat();
            let r = rules();
            for m in scan(r, &s, 0) {
                assert!(s.is_char_boundary(m.span.start) && s.is_char_boundary(m.span.end) && m.span.end <= s.len());
            }
            let m = scan(r, &s, 0);
            let _ = group(rules(), &m);
            let _ = scan_number(&s, &r.fill_chars);
        }
    }

    #[test]
    fn law_titles_merge_unless_dates_differ() {
        let s = "Luật Sửa đổi, bổ sung một số điều của Luật Thuế xuất khẩu, thuế nhập khẩu số 04/1998/QH10 ngày 20 tháng 5 năm 1998; \
                 Luật Sửa đổi bổ sung một số điều của Luật Thuế xuất khẩu, thuế nhập khẩu ngày 5 tháng 7 năm 1993; \
                 Luật Khuyến khích đầu tư trong nước (sửa đổi) số 03/1998/QH10; theo Luật Khuyến khích đầu tư trong nước.";
        let m = cited(s);
        let g = group(rules(), &m);
        assert_eq!(g.len(), 3, "{m:#?}");
    }
}
