//! The formal header: số/ký hiệu, place and date, issuing body, trích yếu.
//!
//! The letterhead is often a two-column table flattened into lines ("ỦY BAN NHÂN DÂN CỘNG HÒA
//! XÃ HỘI CHỦ NGHĨA VIỆT NAM" / "TỈNH BÀ RỊA-VŨNG TÀU Độc lập - Tự do - Hạnh phúc"): the
//! national motto is cut out of those lines and what is left, in order, names the issuer.

use super::agencies::clean;
use super::timeline::ymd;
use super::{AgencyMatcher, DocContext};
use crate::grammar::header::HeaderRules;
use crate::model::Agency;
use crate::text::is_upper;

/// Header fields of one document.
#[derive(Debug, Clone, Default)]
pub(crate) struct Header {
    pub(crate) number: Option<String>,
    pub(crate) date: Option<String>,
    pub(crate) place: Option<String>,
    pub(crate) issuer: Option<Agency>,
    pub(crate) title: Option<String>,
}

/// How far into a document without a type line the header may reach.
const HEADER_WINDOW: usize = 30;

pub(crate) fn extract(cx: &DocContext<'_>, agencies: &AgencyMatcher<'_>) -> Header {
    let head = header_range(cx);
    let mut h = Header::default();
    // `Some(None)`: a "Số:" line with the number left blank, which is null, not missing.
    let mut number_seen: Option<Option<String>> = None;
    let mut letterhead: Vec<String> = Vec::new();
    for i in head.clone() {
        let line = cx.line(i);
        if line.is_empty() {
            continue;
        }
        if number_seen.is_none()
            && let Some(c) = cx.g.header.number_line.captures(line)
        {
            number_seen = Some(number(&c["v"]));
            continue;
        }
        if h.date.is_none()
            && let Some((place, date)) = place_and_date(&cx.g.header, line)
        {
            h.place = Some(place);
            h.date = date;
            continue;
        }
        if in_letterhead(cx, i) {
            let mut rest = line.to_owned();
            for motto in &cx.g.blocks.motto {
                rest = motto.replace_all(&rest, " ").into_owned();
            }
            let rest = rest.split_whitespace().collect::<Vec<_>>().join(" ");
            if is_upper(&rest) && !rest.starts_with("SỐ") {
                letterhead.push(rest);
            }
        }
    }
    h.number = number_seen.unwrap_or_else(|| number_from_attachment(cx));
    h.issuer = issuer_from_letterhead(&letterhead, agencies)
        .or_else(|| issuer_from_authority_line(cx, agencies, h.place.as_deref()));
    h.title = title(cx);
    if let Some(g) = h.title.as_deref().and_then(|t| parse_gazette(&cx.g.header, t, &cx.g.doc_types.labels)) {
        h.number = h.number.take().or(g.number);
        h.date = h.date.take().or(g.date);
        if h.issuer.is_none() {
            h.issuer = g.issuer.map(|i| agency_from_caps(&i, agencies));
        }
        if !g.subject.is_empty() {
            h.title = Some(g.subject);
        }
    }
    h
}

/// Letterhead lines stand above the type line; without one, above the first line that is
/// neither in capitals nor a letterhead line.
fn in_letterhead(cx: &DocContext<'_>, i: usize) -> bool {
    match cx.doc.type_line {
        Some(t) => i < t,
        None => (cx.doc.lines.0..i).all(|j| {
            let l = cx.line(j);
            l.is_empty() || is_upper(l) || cx.g.blocks.letterhead.iter().any(|r| r.is_match(l))
        }),
    }
}

/// The lines the header may use: everything before the type line and a little after it (the
/// date line of some documents stands under the title); without a type line, the top.
fn header_range(cx: &DocContext<'_>) -> std::ops::Range<usize> {
    let (first, end) = cx.doc.lines;
    let stop = match cx.doc.type_line {
        Some(t) => (t + 6).min(end),
        None => (first + HEADER_WINDOW).min(end),
    };
    first..stop
}

/// A số/ký hiệu with the spaces around "/" and "-" removed; `None` when the number is blank.
fn number(raw: &str) -> Option<String> {
    let mut out = String::new();
    for c in raw.chars().filter(|c| !c.is_whitespace()) {
        out.push(if c == '–' { '-' } else { c });
    }
    let out = out.trim_end_matches(['.', ',', ';']).to_owned();
    (!out.is_empty() && !out.starts_with('/') && out.chars().next().is_some_and(|c| c.is_ascii_digit())).then_some(out)
}

/// "Hà Tĩnh, ngày 29 tháng 12 năm 2022" -> ("Hà Tĩnh", "2022-12-29"); a blank day gives
/// "YYYY-MM", a blank month "YYYY".
fn place_and_date(rules: &HeaderRules, line: &str) -> Option<(String, Option<String>)> {
    let c = rules.date_line.captures(line)?;
    if c["place"].chars().count() > rules.place_max_chars + 1 {
        return None;
    }
    let place = c["place"].trim().trim_start_matches("TP.").trim().to_owned();
    let (d, m, y) = match c.name("y") {
        Some(y) => (c.name("d"), c.name("m"), y.as_str()),
        None => (c.name("d2"), c.name("m2"), c.name("y2")?.as_str()),
    };
    let date = match (d, m) {
        (Some(d), Some(m)) => ymd(y, m.as_str(), d.as_str()),
        (None, Some(m)) => {
            m.as_str().parse::<u32>().ok().filter(|m| (1..=12).contains(m)).map(|m| format!("{y}-{m:02}"))
        }
        _ => Some(y.to_owned()),
    };
    Some((place, date))
}

/// "(Kèm theo Kế hoạch số: 135 /KH-UBND ngày …)" in an appendix names the document's own number
/// when its header does not.
fn number_from_attachment(cx: &DocContext<'_>) -> Option<String> {
    let label = cx
        .doc
        .kind_label
        .as_deref()
        .map(str::to_lowercase)
        .or_else(|| cx.g.doc_types.labels.iter().find(|(k, _)| *k == cx.doc.kind).map(|(_, l)| l.to_lowercase()))?;
    let from = cx.doc.appendix_line?;
    (from..cx.doc.lines.1).find_map(|i| {
        let c = cx.g.header.attached_number.captures(cx.line(i))?;
        (c["label"].trim().to_lowercase() == label).then(|| number(&c["v"]))?
    })
}

/// The issuer named by the letterhead lines left once the motto is cut out: the lowest body,
/// with the locality of the line above when it has none ("UBND TỈNH LÀO CAI" / "SỞ CÔNG
/// THƯƠNG" -> "Sở Công Thương tỉnh Lào Cai"; "ỦY BAN NHÂN DÂN" / "TỈNH BÀ RỊA-VŨNG TÀU" ->
/// "Ủy ban nhân dân tỉnh Bà Rịa-Vũng Tàu").
fn issuer_from_letterhead(lines: &[String], agencies: &AgencyMatcher<'_>) -> Option<Agency> {
    let mut lines: Vec<&str> = lines.iter().map(|l| clean(l)).filter(|l| l.chars().count() > 2).collect();
    // A locality on its own line belongs to the line above, and so does a line that names no
    // agency ("BQL CÁC KHU CÔNG NGHIỆP" / "BÀ RỊA – VŨNG TÀU": one name on two lines).
    let mut merged: Vec<String> = Vec::new();
    for l in lines.drain(..) {
        let is_locality = agencies.gazetteer().locality.find(l).is_some_and(|m| m.start() == 0);
        let continues = !agencies.starts_agency(&super::sentence_case(&agencies.gazetteer().expand(l)));
        match merged.last_mut() {
            Some(prev) if (is_locality || continues) && agencies.gazetteer().locality.find(prev).is_none() => {
                prev.push(' ');
                prev.push_str(l);
            }
            _ => merged.push(l.to_owned()),
        }
    }
    let body = merged.last()?.clone();
    let printed = if agencies.gazetteer().locality.is_match(&body) {
        body
    } else {
        match merged.iter().rev().skip(1).find_map(|p| agencies.gazetteer().locality.captures(p)) {
            Some(c) if agencies.gazetteer().lookup(&body).is_some_and(|e| e.id.starts_with("so_")) => {
                format!("{body} {}", &c[0])
            }
            _ => body,
        }
    };
    Some(agency_from_caps(&printed, agencies))
}

/// "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH" / "BỘ TRƯỞNG BỘ XÂY DỰNG" above the "Căn cứ" lines of a
/// decision name the body in whose name it is issued.
fn issuer_from_authority_line(
    cx: &DocContext<'_>,
    agencies: &AgencyMatcher<'_>,
    place: Option<&str>,
) -> Option<Agency> {
    let t = cx.doc.type_line?;
    let body = cx.body_lines();
    for i in t + 1..body.end.min(t + 12) {
        let line = cx.line(i);
        if line.is_empty() || !is_upper(line) || line.ends_with(':') {
            continue;
        }
        // "TRƯỞNG BAN QUẢN LÝ …" is the position "TRƯỞNG" of the body "BAN QUẢN LÝ …": try
        // each position the line may start with, and keep the reading that leaves an agency.
        let is_agency = |s: &str| {
            agencies.starts_agency(&super::sentence_case(&agencies.gazetteer().expand(s)))
                || agencies.gazetteer().lookup(s).is_some()
        };
        let rest = (cx.g.labels.authority_positions.iter())
            .filter_map(|p| line.strip_prefix(p.as_str()).filter(|r| r.starts_with(' ')).map(str::trim_start))
            .chain(std::iter::once(line))
            .find(|r| is_agency(r));
        if let Some(rest) = rest {
            return Some(with_place(rest, place, cx, agencies));
        }
    }
    None
}

/// An agency printed in capitals, possibly ending with a bare level ("… TỈNH") whose name is the
/// place, or a body named by its level alone ("ỦY BAN NHÂN DÂN"), which the place completes.
pub(crate) fn with_place(caps: &str, place: Option<&str>, cx: &DocContext<'_>, agencies: &AgencyMatcher<'_>) -> Agency {
    let gaz = &cx.g.agencies;
    let trimmed = caps.trim();
    let up = trimmed.to_uppercase();
    let bare = gaz.bare_levels.iter().any(|l| up.strip_suffix(l.as_str()).is_some_and(|r| r.ends_with(' ')));
    let printed = match place {
        Some(p) if bare => format!("{trimmed} {}", p.to_uppercase()),
        Some(p) if gaz.level_bodies.contains(&up) => {
            let level = if gaz.cities.iter().any(|c| c == p) { &gaz.city_level } else { &gaz.province_level };
            format!("{trimmed} {level} {}", p.to_uppercase())
        }
        _ => trimmed.to_owned(),
    };
    agency_from_caps(&printed, agencies)
}

/// Turn an agency printed in capitals into its usual spelling: the gazetteer's where known,
/// sentence case otherwise, with the locality's name in title case.
pub(crate) fn agency_from_caps(printed: &str, agencies: &AgencyMatcher<'_>) -> Agency {
    let printed = printed.trim();
    if !is_upper(printed) {
        return agencies.resolve(printed);
    }
    let (body, locality) = match agencies.gazetteer().locality.captures(printed) {
        Some(c) => (
            printed[..c.get(0).map_or(0, |m| m.start())].trim(),
            Some((c["kind"].to_lowercase(), title_case(&c["name"]))),
        ),
        None => (printed, None),
    };
    let body_name = match agencies.gazetteer().lookup(body) {
        Some(e) if agencies.gazetteer().key(&e.name) == agencies.gazetteer().key(body) => e.name.clone(),
        _ => super::sentence_case(&agencies.gazetteer().expand(body)),
    };
    let name = match locality {
        Some((kind, place)) if !body.is_empty() => format!("{body_name} {kind} {place}"),
        Some((kind, place)) => format!("{kind} {place}"),
        None => body_name,
    };
    let id = agencies.gazetteer().lookup(&name).map(|e| e.id.clone());
    Agency { name: name.into(), text: printed.into(), id: id.map(Into::into) }
}

/// "BÀ RỊA-VŨNG TÀU" -> "Bà Rịa-Vũng Tàu": every syllable capitalised, as place names are.
pub(crate) fn title_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut start = true;
    for c in s.trim().chars() {
        if c.is_alphabetic() {
            if start {
                out.extend(c.to_uppercase());
            } else {
                out.extend(c.to_lowercase());
            }
            start = false;
        } else {
            out.push(c);
            start = true;
        }
    }
    out
}

/// The trích yếu: the lines under the type line up to the first blank line, the "V/v" line of
/// a letter, or — in a gazette copy without a type line — the line naming the document
/// ("Nghị định của Chính phủ số 114/2003/NĐ-CP ngày … về …") and the lines that go on with it.
fn title(cx: &DocContext<'_>) -> Option<String> {
    let (first, end) = cx.doc.lines;
    let start = match cx.doc.type_line {
        Some(t) => t + 1,
        None => {
            let window = first..end.min(first + HEADER_WINDOW);
            let prefixes = &cx.g.doc_types.letter_subject_prefixes;
            if let Some(at) = window.clone().find(|&i| prefixes.iter().any(|p| cx.line(i).starts_with(p.as_str()))) {
                return Some(cx.line(at).to_owned());
            }
            let at = window.clone().find(|&i| names_document(cx, cx.line(i)))?;
            return Some(gazette_title(cx, at, window.end));
        }
    };
    let mut parts: Vec<&str> = Vec::new();
    if let Some(inline) = cx.doc.inline_title {
        parts.push(cx.text()[inline.start..inline.end].trim());
    }
    let mut caps_title = false;
    for i in start..end.min(start + 12) {
        let line = cx.line(i);
        if line.is_empty() {
            if parts.is_empty() {
                continue;
            }
            break;
        }
        let stop = cx.g.labels.title_stops.iter().any(|s| line.starts_with(s.as_str()));
        let is_heading = cx.doc.sections.first().is_some_and(|s| cx.line_span(i).start >= s.span.start);
        // A title printed in capitals goes on in capitals; a mixed-case one ends at them.
        if !parts.is_empty() && (stop || (is_upper(line) && !caps_title)) || is_heading || line.starts_with('(') {
            break;
        }
        if parts.is_empty() {
            caps_title = is_upper(line);
        }
        parts.push(line);
    }
    let title = parts.join(" ");
    (!title.is_empty()).then_some(title)
}

/// A line that names a document by type and number: "Quyết định của Thủ tướng Chính phủ số
/// 115/2004/QĐ-TTg ngày …".
fn names_document(cx: &DocContext<'_>, line: &str) -> bool {
    let up = line.to_uppercase();
    cx.g.header.numbered.is_match(line) && cx.g.doc_types.labels.iter().any(|(_, l)| up.starts_with(l.as_str()))
}

/// The naming line and the lines that go on with it, across blank lines, up to the body: an
/// agency standing alone ("Thủ tướng Chính phủ"), a basis line or a heading.
fn gazette_title(cx: &DocContext<'_>, at: usize, end: usize) -> String {
    let mut parts = vec![cx.line(at)];
    for i in at + 1..end {
        let line = cx.line(i);
        if line.is_empty() {
            continue;
        }
        let stop = cx.g.labels.title_stops.iter().any(|s| line.starts_with(s.as_str()))
            || cx.g.agencies.lookup_exact(line).is_some()
            || cx.doc.sections.first().is_some_and(|s| cx.line_span(i).start >= s.span.start)
            || parts.len() >= 6;
        if stop {
            break;
        }
        parts.push(line);
    }
    parts.join(" ")
}

/// What a gazette-style title holds besides the subject: "[NGHỊ ĐỊNH] CỦA CHÍNH PHỦ SỐ 94 /1998/
/// NĐ-CP NGÀY 17 THÁNG 11 NĂM 1998 QUY ĐỊNH …" -> issuer, number, date and the subject.
#[derive(Debug, Default, PartialEq)]
struct Gazette {
    issuer: Option<String>,
    number: Option<String>,
    date: Option<String>,
    subject: String,
}

/// `title` read as a gazette title; a label before "của" must be one of `labels`.
fn parse_gazette(rules: &HeaderRules, title: &str, labels: &[(String, String)]) -> Option<Gazette> {
    let title = title.trim();
    let c = rules.naming.captures(title)?;
    let c = match c.name("label") {
        Some(label) if label.as_str().chars().count() > rules.naming_label_max_chars => {
            rules.naming_bare.captures(title)?
        }
        _ => c,
    };
    if let Some(label) = c.name("label")
        && !labels.iter().any(|(_, l)| *l == label.as_str().trim().to_uppercase())
    {
        return None;
    }
    let date = match c.name("y") {
        Some(y) => ymd(y.as_str(), &c["m"], &c["d"]),
        None => ymd(&c["y2"], &c["m2"], &c["d2"]),
    };
    Some(Gazette {
        issuer: Some(c["issuer"].trim().to_owned()),
        number: number(&c["num"]),
        date,
        subject: c["rest"].trim().to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(number("525 /KH-UBND"), Some("525/KH-UBND".into()));
        assert_eq!(number("        /QĐ-UBND"), None);
        assert_eq!(number("144/2002/QĐ/BTC"), Some("144/2002/QĐ/BTC".into()));
        assert_eq!(number("3260-KH/ĐĐQH15"), Some("3260-KH/ĐĐQH15".into()));
        assert_eq!(number("/QĐ."), None);
    }

    #[test]
    fn dates() {
        let g = crate::Grammar::embedded().unwrap();
        let d = |s: &str| place_and_date(&g.header, s);
        assert_eq!(d("Hà Tĩnh, ngày 29 tháng 12 năm 2022"), Some(("Hà Tĩnh".into(), Some("2022-12-29".into()))));
        assert_eq!(
            d("Bà Rịa - Vũng Tàu, ngày tháng 01 năm 2024"),
            Some(("Bà Rịa - Vũng Tàu".into(), Some("2024-01".into())))
        );
        assert_eq!(d("Vũng Tàu, ngày tháng năm 2007"), Some(("Vũng Tàu".into(), Some("2007".into()))));
        assert_eq!(d("Hà Nội, ngày 02/3/2012"), Some(("Hà Nội".into(), Some("2012-03-02".into()))));
        assert_eq!(d("Thực hiện Quyết định số 1968/QĐ-TTg ngày 22 tháng 11 năm 2021"), None);
        // A place is a capital and at most 40 more chars.
        let place = format!("H{}", "a".repeat(40));
        assert_eq!(d(&format!("{place}, ngày 02/3/2012")).map(|p| p.0), Some(place.clone()));
        assert_eq!(d(&format!("{place}a, ngày 02/3/2012")), None);
    }

    #[test]
    fn gazette_titles() {
        let grammar = crate::Grammar::embedded().unwrap();
        let parse_gazette = |title: &str, labels: &[(String, String)]| parse_gazette(&grammar.header, title, labels);
        let labels =
            vec![("nghi_dinh".to_owned(), "NGHỊ ĐỊNH".to_owned()), ("quyet_dinh".to_owned(), "QUYẾT ĐỊNH".to_owned())];
        let g = parse_gazette(
            "CỦA CHÍNH PHỦ SỐ 94 /1998/NĐ-CP NGÀY 17 THÁNG 11 NĂM 1998 QUY ĐỊNH CHI TIẾT THI HÀNH",
            &labels,
        )
        .unwrap();
        assert_eq!(g.issuer.as_deref(), Some("CHÍNH PHỦ"));
        assert_eq!(g.number.as_deref(), Some("94/1998/NĐ-CP"));
        assert_eq!(g.date.as_deref(), Some("1998-11-17"));
        assert_eq!(g.subject, "QUY ĐỊNH CHI TIẾT THI HÀNH");
        let g = parse_gazette(
            "Nghị định của Chính phủ số 114/2003/NĐ-CP ngày 10/10/2003 về cán bộ, công chức xã.",
            &labels,
        )
        .unwrap();
        assert_eq!(g.number.as_deref(), Some("114/2003/NĐ-CP"));
        assert_eq!(g.date.as_deref(), Some("2003-10-10"));
        assert_eq!(g.subject, "về cán bộ, công chức xã.");
        assert_eq!(parse_gazette("Ban hành Kế hoạch của tỉnh", &labels), None);
        assert_eq!(parse_gazette("Thực hiện Quyết định của Thủ tướng số 12/QĐ-TTg ngày 1/2/2020 về", &labels), None);
    }

    #[test]
    fn place_names() {
        assert_eq!(title_case("BÀ RỊA-VŨNG TÀU"), "Bà Rịa-Vũng Tàu");
        assert_eq!(title_case("LÀO CAI"), "Lào Cai");
    }
}
