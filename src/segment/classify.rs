//! What each line is, as far as segmentation cares: a document-type line, a heading candidate,
//! the start of a closing block, an appendix title, or plain text.

use crate::grammar::gate::{self, Hits};
use crate::grammar::{Grammar, HeadingScheme, Ordinal};
use crate::layout::{Layout, LineKind};
use crate::text::{fold, is_upper, roman_value};
use compact_str::CompactString;
use regex::CaptureLocations;
use unicode_normalization::char::canonical_combining_class;

/// One way to read a line as a heading. "I." reads as Roman one or as the letter I; the tree
/// builder decides from the sequence around it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HeadingCandidate {
    /// Index of the scheme in `grammar.headings.schemes`.
    pub(crate) scheme: usize,
    /// The ordinal as printed ("IV", "2.3.1", "a", "thứ nhất"): short, kept inline (a heading
    /// line costs no allocation for it).
    pub(crate) num: CompactString,
    /// Numeric value of the ordinal, for following sequences (0 when unknown).
    pub(crate) value: u32,
    /// Byte offset in the line where the title starts.
    pub(crate) title_at: usize,
}

/// The classification of one line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct LineInfo {
    /// `(kind, label as printed)` when the line is a document-type line.
    pub(crate) doc_type: Option<(String, String)>,
    /// Heading readings, best first; empty when the line is no heading.
    pub(crate) headings: Vec<HeadingCandidate>,
    /// The line opens a closing block (recipients label or signing capacity).
    pub(crate) closing: bool,
    /// The line starts with an appendix title.
    pub(crate) appendix_title: bool,
    /// The line is an "attached to …" line ("(Kèm theo Kế hoạch số …)").
    pub(crate) attached: bool,
    /// The line is all upper case (at least two letters).
    pub(crate) upper: bool,
    /// On a type line with the title run on, where the title starts.
    pub(crate) title_at: Option<usize>,
}

/// Classify every line of `layout`.
pub(crate) fn classify(layout: &Layout, g: &Grammar) -> Vec<LineInfo> {
    let mut memo = Memo::new(g);
    (0..layout.lines.len())
        .map(|i| match layout.lines[i].kind {
            LineKind::Text => classify_line_with(layout.line(i).trim(), g, &mut memo),
            _ => LineInfo::default(),
        })
        .collect()
}

/// What classifying a line needs beyond the grammar, made once for all the lines.
struct Memo {
    /// The appendix title starts without diacritics.
    appendix_titles: Vec<String>,
    /// The byte length of the longest of them.
    appendix_title_len: usize,
    /// The first bytes of the type labels: a line starting otherwise runs no title on after
    /// one.
    label_first_bytes: [bool; 256],
    /// For each heading scheme: room for its groups (reused, not allocated per line), and the
    /// index of group `num`.
    schemes: Vec<(CaptureLocations, Option<usize>)>,
}

impl Memo {
    fn new(g: &Grammar) -> Memo {
        let appendix_titles: Vec<String> = g.doc_types.appendix_titles.iter().map(|t| fold(t)).collect();
        let schemes = (g.headings.schemes.iter())
            .map(|s| (s.pattern.capture_locations(), s.pattern.capture_names().position(|n| n == Some("num"))))
            .collect();
        let mut label_first_bytes = [false; 256];
        for (_, label) in &g.doc_types.labels {
            if let Some(&b) = label.as_bytes().first() {
                label_first_bytes[usize::from(b)] = true;
            }
        }
        Memo {
            label_first_bytes,
            appendix_title_len: appendix_titles.iter().map(String::len).max().unwrap_or(0),
            appendix_titles,
            schemes,
        }
    }

    /// The line starts with an appendix title, compared without diacritics.
    fn starts_appendix_title(&self, line: &str) -> bool {
        // Most capital lines start otherwise: their first folded chars (a prefix of the
        // folded line, as the longer one below) already part from every title.
        let head = folded_prefix(line, 1);
        if !self.appendix_titles.iter().any(|t| t.starts_with(head.as_str()) || head.starts_with(t.as_str())) {
            return false;
        }
        let folded = folded_prefix(line, self.appendix_title_len);
        self.appendix_titles.iter().any(|t| folded.starts_with(t.as_str()))
    }
}

/// The start of `fold(line)`, at least `len` bytes of it (all of it when shorter). Folding goes
/// character by character (its reordering of combining marks never crosses a starter), so a
/// prefix of the line cut before a starter folds to a prefix of the folded line: a long line
/// is not folded whole to compare its first words.
fn folded_prefix(line: &str, len: usize) -> String {
    let mut chars = len.max(1);
    loop {
        let cut = (line.char_indices())
            .skip(chars)
            .find(|&(_, c)| canonical_combining_class(c) == 0)
            .map_or(line.len(), |(at, _)| at);
        let folded = fold(&line[..cut]);
        if folded.len() >= len || cut == line.len() {
            return folded;
        }
        chars *= 2;
    }
}

/// The line (trimmed) is a letterhead line (tiêu đề, quốc hiệu, số, date line). Asked only of
/// the lines above a type line, not of every line: the letterhead patterns cost more.
pub(crate) fn is_letterhead(line: &str, g: &Grammar) -> bool {
    !line.is_empty() && g.gates.letterhead.matches(line) != Hits::NONE
}

#[cfg(test)]
pub(crate) fn classify_line(line: &str, g: &Grammar) -> LineInfo {
    classify_line_with(line, g, &mut Memo::new(g))
}

/// Classify `line`.
fn classify_line_with(line: &str, g: &Grammar, memo: &mut Memo) -> LineInfo {
    let upper = is_upper(line);
    let mut info = LineInfo { upper, ..LineInfo::default() };
    if line.is_empty() {
        return info;
    }
    if upper && !line.ends_with(':') {
        // The upper case of a line starting with an ASCII char starts with that char in upper
        // case: most headings in capitals start with a byte no label starts with, and are told
        // without upper-casing them.
        let first = line.as_bytes()[0];
        if !first.is_ascii() || memo.label_first_bytes[usize::from(first.to_ascii_uppercase())] {
            let key = line.trim_end_matches(['.', ' ']).to_uppercase();
            if let Some((kind, _)) = g.doc_types.labels.iter().find(|(_, label)| *label == key) {
                info.doc_type = Some((kind.clone(), line.trim_end_matches(['.', ' ']).to_owned()));
            }
        }
    } else if !line.ends_with(':') && memo.label_first_bytes[usize::from(line.as_bytes()[0])] {
        // "KẾ HOẠCH Triển khai thực hiện …": the type line with the title run on. The label
        // is printed in capitals and the rest is not ("QUY ĐỊNH CHUNG" is a heading).
        for (kind, label) in &g.doc_types.labels {
            if let Some(rest) = line.strip_prefix(label.as_str())
                && rest.starts_with(' ')
                && !is_upper(rest)
                && rest.trim_start().chars().next().is_some_and(char::is_alphabetic)
            {
                info.doc_type = Some((kind.clone(), label.clone()));
                info.title_at = Some(line.len() - rest.trim_start().len());
                break;
            }
        }
    }
    let blocks = g.gates.blocks.matches(line);
    info.closing = blocks.has(gate::RECIPIENTS) || blocks.has(gate::CAPACITY);
    info.attached = blocks.has(gate::ATTACHED);
    if upper {
        // Compared without diacritics: "PHU LUC" is printed too.
        info.appendix_title = memo.starts_appendix_title(line);
    }
    if info.doc_type.is_none() && !info.closing {
        let cands = g.gates.headings.candidates(line);
        let bullet = if cands.has(gate::BULLETS) { g.headings.bullets.iter().find_map(|b| b.find(line)) } else { None };
        match bullet {
            None => info.headings = heading_candidates_of(line, g, cands, memo),
            // "- a) Cơ quan chủ trì: …": a lettered item behind a dash is still the item.
            Some(bullet) => {
                let rest = &line[bullet.end()..];
                info.headings = heading_candidates(rest.trim_start(), g, memo)
                    .into_iter()
                    .filter(|c| {
                        let s = &g.headings.schemes[c.scheme];
                        s.ordinal == Ordinal::Alpha && !s.title_case
                    })
                    .map(|mut c| {
                        c.title_at += line.len() - rest.trim_start().len();
                        c
                    })
                    .collect();
            }
        }
    }
    info
}

fn heading_candidates(line: &str, g: &Grammar, memo: &mut Memo) -> Vec<HeadingCandidate> {
    heading_candidates_of(line, g, g.gates.headings.candidates(line), memo)
}

/// [`heading_candidates`], trying only the schemes in `cands` (from the headings gate).
fn heading_candidates_of(line: &str, g: &Grammar, cands: Hits, memo: &mut Memo) -> Vec<HeadingCandidate> {
    let mut out = Vec::new();
    for (idx, scheme) in g.headings.schemes.iter().enumerate() {
        if !cands.has(idx + 1) {
            continue;
        }
        let (locs, num_group) = &mut memo.schemes[idx];
        if scheme.pattern.captures_read(locs, line).is_none() {
            continue;
        }
        let (Some((start, title_at)), Some((num_start, num_end))) = (locs.get(0), num_group.and_then(|n| locs.get(n)))
        else {
            continue;
        };
        let whole = &line[start..title_at];
        let num = &line[num_start..num_end];
        // A marker glued to more digits is a number: "1.000 người", "1.1 Mục tiêu" read as "1.".
        let glued_digit =
            !whole.ends_with(char::is_whitespace) && line[title_at..].starts_with(|c: char| c.is_ascii_digit());
        if glued_digit {
            continue;
        }
        if scheme.title_case && !title_starts_well(&line[title_at..]) {
            continue;
        }
        let value = ordinal_value(scheme, num, &g.headings.alphabet);
        if scheme.ordinal == Ordinal::Roman && value == 0 && scheme.rank.is_none() {
            continue;
        }
        out.push(HeadingCandidate { scheme: idx, num: num.into(), value, title_at });
    }
    out
}

/// A heading title starts with an upper-case letter, a digit, an opening quote or parenthesis,
/// or is empty (the title is on the next line).
fn title_starts_well(rest: &str) -> bool {
    rest.trim_start().chars().next().is_none_or(|c| c.is_uppercase() || c.is_ascii_digit() || "\"“'(«".contains(c))
}

fn ordinal_value(scheme: &HeadingScheme, num: &str, alphabet: &[char]) -> u32 {
    match scheme.ordinal {
        Ordinal::Roman => roman_value(num).unwrap_or(0),
        Ordinal::Arabic => num.trim_end_matches(|c: char| c.is_alphabetic()).parse().unwrap_or(0),
        Ordinal::Decimal => num.rsplit('.').next().and_then(|n| n.parse().ok()).unwrap_or(0),
        Ordinal::Alpha => {
            let c = num.chars().next().map(|c| c.to_lowercase().next().unwrap_or(c)).unwrap_or(' ');
            alphabet.iter().position(|&a| a == c).map_or(0, |p| p as u32 + 1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g() -> Grammar {
        Grammar::embedded().unwrap()
    }

    fn schemes(line: &str) -> Vec<String> {
        let g = g();
        classify_line(line, &g).headings.iter().map(|c| g.headings.schemes[c.scheme].name.clone()).collect()
    }

    #[test]
    fn heading_schemes() {
        assert_eq!(schemes("Phần I"), ["part"]);
        assert_eq!(schemes("PHẦN THỨ HAI"), ["part"]);
        assert_eq!(schemes("Chương II. QUY ĐỊNH CHUNG"), ["chapter"]);
        assert_eq!(schemes("Điều 3. Tổ chức thực hiện"), ["article"]);
        assert_eq!(schemes("Điều 3"), ["article"]);
        assert_eq!(schemes("II. MỤC TIÊU"), ["roman"]);
        assert_eq!(schemes("I. MỤC TIÊU"), ["roman", "alpha_upper"]);
        assert_eq!(schemes("B. NHIỆM VỤ"), ["alpha_upper"]);
        assert_eq!(schemes("1. Mục tiêu chung"), ["arabic"]);
        assert_eq!(schemes("2.3.1. Tổ chức tập huấn"), ["decimal"]);
        assert_eq!(schemes("1.1 Mục tiêu"), ["decimal"]);
        assert_eq!(schemes("a) Kết quả đạt được:"), ["alpha_lower"]);
        assert_eq!(schemes("đ) Nội dung khác"), ["alpha_lower"]);
    }

    #[test]
    fn traps_are_not_headings() {
        assert!(schemes("- Triển khai các nhiệm vụ").is_empty());
        assert_eq!(schemes("- a) Cơ quan chủ trì: Sở Công Thương."), ["alpha_lower"]);
        assert!(schemes("- 1. Một mục").is_empty(), "only lettered items stand behind a dash");
        assert!(schemes("1.000 doanh nghiệp được hỗ trợ").is_empty());
        assert!(schemes("95.200 triệu đồng").is_empty());
        assert!(schemes("2022. năm bản lề").is_empty());
        assert!(schemes("1. và các nội dung khác").is_empty(), "a numbered sentence going on in lower case");
        assert!(schemes("Điều 5 Nghị định số 80/2021/NĐ-CP quy định").is_empty());
        assert!(schemes("Mục tiêu chung").is_empty());
        assert!(schemes("Phần lớn doanh nghiệp").is_empty());
    }

    #[test]
    fn type_lines() {
        let g = g();
        assert_eq!(classify_line("KẾ HOẠCH", &g).doc_type.map(|d| d.0), Some("ke_hoach".into()));
        assert_eq!(classify_line("QUYẾT ĐỊNH:", &g).doc_type, None, "the enacting formula opens nothing");
        assert_eq!(classify_line("Quyết định", &g).doc_type, None);
        assert_eq!(classify_line("QUY ĐỊNH CHUNG", &g).doc_type, None);
        let run_on = classify_line("KẾ HOẠCH khai thực hiện Nghị quyết số 57-NQ/TW", &g);
        assert_eq!(run_on.doc_type.map(|d| d.0), Some("ke_hoach".into()));
        assert_eq!(run_on.title_at, Some("KẾ HOẠCH ".len()));
        assert_eq!(classify_line("KẾ HOẠCH:", &g).doc_type, None);
        assert!(classify_line("Nơi nhận:", &g).closing);
        assert!(classify_line("Noi nhận:", &g).closing);
        assert!(classify_line("KT. CHỦ TỊCH", &g).closing);
        assert!(is_letterhead("TỈNH BÀ RỊA – VŨNG TÀU Độc lập – Tự do – Hạnh phúc", &g));
        assert!(is_letterhead("Bà Rịa - Vũng Tàu, ngày tháng 01 năm 2024", &g));
        assert!(!is_letterhead("Căn cứ Luật Tổ chức chính quyền địa phương;", &g));
        assert!(classify_line("(Kèm theo Kế hoạch số 525 /KH-UBND ngày 29 tháng 12 năm 2022)", &g).attached);
        assert!(classify_line("PHỤ LỤC: DANH MỤC NHIỆM VỤ", &g).appendix_title);
        assert!(classify_line("PHU LUC", &g).appendix_title, "printed without diacritics");
    }

    proptest::proptest! {
        #[test]
        fn appendix_titles_are_told_as_by_folding_the_whole_line(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "PHỤ", "Phụ", "PHU", " ", "LỤC", "LUC", "DỰ", "TOÁN", "DANH", "MỤC", "BIỂU", "BẢNG", "Đ", "\u{301}",
                "\u{323}", "x", "B", "P", ":",
            ]), 0..6),
        ) {
            let g = &*GRAMMAR;
            let memo = Memo::new(g);
            let line: String = parts.concat();
            let whole = fold(&line);
            let plain = memo.appendix_titles.iter().any(|t| whole.starts_with(t.as_str()));
            proptest::prop_assert_eq!(memo.starts_appendix_title(&line), plain, "{:?}", line);
        }
    }

    static GRAMMAR: std::sync::LazyLock<Grammar> = std::sync::LazyLock::new(|| Grammar::embedded().unwrap());

    proptest::proptest! {
        #[test]
        fn a_folded_prefix_is_a_prefix_of_the_folded_line(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "Phụ", "LỤC", "lục", "Đ", "đ", "a\u{301}", "\u{323}\u{302}", "\u{301}", "ß", " ", "Ơ", "x", "ﬁ",
            ]), 0..10),
            len in 0usize..24,
        ) {
            let line: String = parts.concat();
            let (whole, prefix) = (fold(&line), folded_prefix(&line, len));
            proptest::prop_assert!(whole.starts_with(&prefix), "{:?} -> {:?} / {:?}", line, prefix, whole);
            proptest::prop_assert!(prefix.len() >= len || prefix == whole, "{:?} -> {:?}", line, prefix);
        }
    }
}
