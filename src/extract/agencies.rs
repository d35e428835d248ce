//! Agencies (cơ quan): recognising agency names and splitting lists of them.
//!
//! Splitting is the hard part: "Sở Văn hóa, Thể thao và Du lịch" is one agency, "Sở Kế hoạch
//! và Đầu tư, Sở Tài chính" two, "UBND các huyện, thành phố, thị xã" one collective. A list is
//! split on ";" always, and on "," only where a complete agency name ends and a new one starts
//! (a head word such as "Sở", "Trung tâm", "Chủ tịch", or a collective "các cơ quan …"); never on
//! "và", which joins words inside names far more often than it joins agencies.

use crate::grammar::Grammar;
use crate::grammar::agencies::Gazetteer;
use crate::model::Agency;
use crate::text::to_lower;

/// Recognises and splits agency names with the grammar's gazetteer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AgencyMatcher<'g> {
    gaz: &'g Gazetteer,
}

impl<'g> AgencyMatcher<'g> {
    pub(crate) fn new(grammar: &'g Grammar) -> Self {
        AgencyMatcher { gaz: &grammar.agencies }
    }

    /// The gazetteer.
    pub(crate) fn gazetteer(&self) -> &'g Gazetteer {
        self.gaz
    }

    /// One agency as printed: `name` with abbreviations written out (the gazetteer's spelling
    /// when the whole name is known), `id` when the gazetteer knows it.
    pub(crate) fn resolve(&self, text: &str) -> Agency {
        let text = clean(text);
        let key = self.gaz.key(text);
        // A name or alias of the gazetteer gets the gazetteer's spelling; a longer name
        // ("Sở Công Thương tỉnh Lào Cai") keeps its own words. (An exact key is what
        // `lookup_key` finds first: it is looked up once.)
        let (entry, name) = match self.gaz.lookup_exact_key(&key) {
            Some(e) => (Some(e), e.name.clone()),
            None => (self.gaz.lookup_key(&key), self.gaz.expand(text)),
        };
        Agency { name: name.into(), text: text.into(), id: entry.map(|e| e.id.as_str().into()) }
    }

    /// Split a list of agencies into its members.
    pub(crate) fn split(&self, text: &str) -> Vec<Agency> {
        self.split_text(text).into_iter().map(|t| self.resolve(t)).collect()
    }

    /// The member texts of a list of agencies, as printed.
    pub(crate) fn split_text<'t>(&self, text: &'t str) -> Vec<&'t str> {
        self.parts(text).collect()
    }

    /// [`AgencyMatcher::split_text`] one member at a time: a caller that gives up at the first
    /// member that is no agency does not pay for the comma decisions of the rest.
    fn parts<'t>(&self, text: &'t str) -> Parts<'g, 't> {
        Parts { matcher: *self, pieces: clean(text).split(';'), piece: None, start: 0, from: 0 }
    }

    /// `text` starts like an agency name: a head word or a collective.
    pub(crate) fn starts_agency(&self, text: &str) -> bool {
        self.gaz.head_of(text).is_some()
            || self.gaz.is_collective(text)
            || self.gaz.lookup(first_words(text, 6)).is_some()
    }

    /// `text` is a whole agency name: a head word followed by more, a known body, or a
    /// collective of at least three words.
    fn is_complete(&self, text: &str) -> bool {
        let words = text.split_whitespace().count();
        if let Some(head) = self.gaz.head_of(text) {
            return words > head.split_whitespace().count() || self.gaz.lookup(text).is_some();
        }
        (self.gaz.is_collective(text) && words >= 3) || self.gaz.lookup(text).is_some()
    }

    /// False when no list of agencies cut from the start of `text` (before a `,` `;` `.` `:` or
    /// white space) can pass [`AgencyMatcher::agency_list`]: a cheap test on the first word
    /// (see [`Gazetteer::may_start_agency`]).
    pub(crate) fn may_start_list(&self, text: &str) -> bool {
        self.gaz.may_start_agency(text)
    }

    /// The members of `text` ([`AgencyMatcher::split_text`]) when it is nothing but a list of
    /// agencies (a heading such as "3. Sở Kế hoạch và Đầu tư, Sở Tài chính"), not a sentence
    /// about them.
    pub(crate) fn agency_list<'t>(&self, text: &'t str, not_names: &[String]) -> Option<Vec<&'t str>> {
        let text = clean(text);
        // Long text is a sentence: decided before lower-casing it (a char is at most 4 bytes).
        if text.is_empty() || (text.len() > 240 && (text.len() > 4 * 240 || text.chars().count() > 240)) {
            return None;
        }
        let member = |p: &str| self.starts_agency(p) && p.split_whitespace().count() <= 28 && !p.contains(". ");
        // Most headings are no list at all: their first member already fails, so that is asked
        // before the whole text is lower-cased and the other members are split off.
        let mut parts = self.parts(text);
        let first = parts.next().filter(|&p| member(p))?;
        let low = to_lower(text);
        if not_names.iter().any(|w| low.contains(w.as_str())) {
            return None;
        }
        let mut members = vec![first];
        for p in parts {
            if !member(p) {
                return None;
            }
            members.push(p);
        }
        Some(members)
    }
}

/// The members of a list of agencies, split off one at a time (see
/// [`AgencyMatcher::split_text`]).
struct Parts<'g, 't> {
    matcher: AgencyMatcher<'g>,
    /// The `;` pieces not yet started.
    pieces: std::str::Split<'t, char>,
    /// The `;` piece being split on commas.
    piece: Option<&'t str>,
    /// Where the next member of `piece` starts.
    start: usize,
    /// Where to look for the next comma of `piece`.
    from: usize,
}

impl<'t> Iterator for Parts<'_, 't> {
    type Item = &'t str;

    fn next(&mut self) -> Option<&'t str> {
        loop {
            let Some(part) = self.piece else {
                self.piece = Some(self.pieces.next()?);
                (self.start, self.from) = (0, 0);
                continue;
            };
            // A comma ends a member where a complete name stops and a new one starts.
            while let Some(rel) = part[self.from..].find(',') {
                let comma = self.from + rel;
                self.from = comma + 1;
                let left = part[self.start..comma].trim();
                let right = part[comma + 1..].trim_start();
                if self.matcher.is_complete(left) && self.matcher.starts_agency(right) {
                    self.start = comma + 1;
                    let member = clean(left);
                    if !member.is_empty() {
                        return Some(member);
                    }
                }
            }
            self.piece = None;
            // (`clean` is not idempotent: "- \t- Sở" takes two.)
            let last = clean(&part[self.start..]);
            let member = clean(last);
            if !member.is_empty() {
                return Some(member);
            }
        }
    }
}

fn first_words(text: &str, n: usize) -> &str {
    let mut end = text.len();
    for (count, (i, _)) in text.match_indices(' ').enumerate() {
        if count + 1 == n {
            end = i;
            break;
        }
    }
    &text[..end]
}

/// Trim spaces, bullets and the punctuation that closes a list item.
pub(crate) fn clean(text: &str) -> &str {
    text.trim().trim_start_matches(['-', '+', '•', '*', ' ']).trim_end_matches(['.', ';', ',', ':', ' ']).trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<String> {
        let g = Grammar::embedded().unwrap();
        AgencyMatcher::new(&g).split_text(text).into_iter().map(str::to_owned).collect()
    }

    #[test]
    fn splitting_agency_lists() {
        assert_eq!(split("Sở Văn hóa, Thể thao và Du lịch"), ["Sở Văn hóa, Thể thao và Du lịch"]);
        assert_eq!(
            split("Sở Công Thương; Sở Nông nghiệp và Phát triển nông thôn"),
            ["Sở Công Thương", "Sở Nông nghiệp và Phát triển nông thôn"]
        );
        assert_eq!(split("UBND các huyện, thành phố, thị xã"), ["UBND các huyện, thành phố, thị xã"]);
        assert_eq!(split("Sở Kế hoạch và Đầu tư, Sở Tài chính"), ["Sở Kế hoạch và Đầu tư", "Sở Tài chính"]);
        assert_eq!(
            split("Trung tâm Xúc tiến Đầu tư, Thương mại và Du lịch tỉnh, Sở Thông tin và Truyền thông."),
            ["Trung tâm Xúc tiến Đầu tư, Thương mại và Du lịch tỉnh", "Sở Thông tin và Truyền thông"]
        );
        assert_eq!(
            split("Sở Thông tin và Truyền thông, các cơ quan thông tấn báo chí."),
            ["Sở Thông tin và Truyền thông", "các cơ quan thông tấn báo chí"]
        );
        assert_eq!(split("Hiệp hội, các hội doanh nghiệp tỉnh"), ["Hiệp hội, các hội doanh nghiệp tỉnh"]);
        assert_eq!(
            split("Các Sở, ban, ngành tỉnh; UBND các huyện, thị xã, thành phố."),
            ["Các Sở, ban, ngành tỉnh", "UBND các huyện, thị xã, thành phố"]
        );
        assert_eq!(
            split(
                "Thủ trưởng cơ quan, ban ngành tỉnh, Chủ tịch UBND các huyện, thị xã, thành phố và các đơn vị có liên quan"
            ),
            [
                "Thủ trưởng cơ quan, ban ngành tỉnh",
                "Chủ tịch UBND các huyện, thị xã, thành phố và các đơn vị có liên quan"
            ]
        );
    }

    /// The splitting and list test as first written: every member split off, then tested.
    fn split_text_plain<'t>(m: &AgencyMatcher<'_>, text: &'t str) -> Vec<&'t str> {
        let mut out = Vec::new();
        for part in clean(text).split(';') {
            let mut start = 0;
            for (comma, _) in part.match_indices(',') {
                let left = part[start..comma].trim();
                let right = part[comma + 1..].trim_start();
                if m.is_complete(left) && m.starts_agency(right) {
                    out.push(left);
                    start = comma + 1;
                }
            }
            let last = clean(&part[start..]);
            if !last.is_empty() {
                out.push(last);
            }
        }
        out.into_iter().map(clean).filter(|s| !s.is_empty()).collect()
    }

    fn is_agency_list_plain(m: &AgencyMatcher<'_>, text: &str, not_names: &[String]) -> bool {
        let text = clean(text);
        if text.is_empty() || text.chars().count() > 240 {
            return false;
        }
        let low = to_lower(text);
        if not_names.iter().any(|w| low.contains(w.as_str())) {
            return false;
        }
        let parts = split_text_plain(m, text);
        !parts.is_empty()
            && parts.iter().all(|p| m.starts_agency(p) && p.split_whitespace().count() <= 28 && !p.contains(". "))
    }

    static GRAMMAR: std::sync::LazyLock<Grammar> = std::sync::LazyLock::new(|| Grammar::embedded().unwrap());

    proptest::proptest! {
        #[test]
        fn lazy_splitting_agrees_with_the_plain_one(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "Sở", "SỞ", "Tài chính", "Công Thương", "UBND", "tỉnh", "các", "Các", "huyện", "thị xã",
                "cơ quan", "Trung tâm", "Xúc tiến", "và", "chủ trì", "Mục tiêu", ",", ", ", ";", "; ", " ",
                "-", "\t", ".", ". ", ":", "Bộ Nội vụ", "Văn phòng", "x",
            ]), 0..16),
        ) {
            let g = &*GRAMMAR;
            let m = AgencyMatcher::new(g);
            let s: String = parts.concat();
            proptest::prop_assert_eq!(m.split_text(&s), split_text_plain(&m, &s));
            let not = &g.labels.not_agency_words;
            let list = m.agency_list(&s, not);
            proptest::prop_assert_eq!(list.is_some(), is_agency_list_plain(&m, &s, not));
            if let Some(members) = list {
                proptest::prop_assert_eq!(members, split_text_plain(&m, &s));
            }
        }
    }

    proptest::proptest! {
        /// `may_start_list` turns down only text none of whose cuts is a list or starts an
        /// agency.
        #[test]
        fn a_list_cut_from_the_start_may_start_one(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "Sở", "SỞ", "Tài chính", "Công Thương", "UBND", "tỉnh", "các", "Các", "huyện", "thị xã",
                "cơ quan", "Trung tâm", "VH,TT&DL", "VH", "và", "có trách nhiệm", "Mục tiêu", ",", ", ", ";",
                " ", ".", ": ", "Bộ Nội vụ", "Ủy", "ban nhân dân", "Văn phòng", "x", "Ban", "Bảo", "(",
            ]), 1..12),
        ) {
            let g = &*GRAMMAR;
            let m = AgencyMatcher::new(g);
            let s: String = parts.concat();
            if !m.may_start_list(&s) {
                let not = &g.labels.not_agency_words;
                let cuts = s.char_indices().filter(|&(_, c)| matches!(c, ',' | ';' | '.' | ':') || c.is_whitespace());
                for k in cuts.map(|(k, _)| k).chain([s.len()]) {
                    let cut = &s[..k];
                    proptest::prop_assert!(m.agency_list(cut, not).is_none(), "{:?}", cut);
                    if let Some(first) = m.split_text(cut).first() {
                        proptest::prop_assert!(!m.starts_agency(first), "{:?}", cut);
                    }
                }
            }
        }
    }

    #[test]
    fn resolving_names() {
        let g = Grammar::embedded().unwrap();
        let m = AgencyMatcher::new(&g);
        let a = m.resolve("Sở TT&TT");
        assert_eq!(
            (a.name.as_str(), a.text.as_str(), a.id.as_deref()),
            ("Sở Thông tin và Truyền thông", "Sở TT&TT", Some("so_tttt"))
        );
        // An alias takes the gazetteer's spelling and id; `text` keeps the printed order.
        let a = m.resolve("UBND các huyện, thị xã, thành phố");
        assert_eq!(a.name, "Ủy ban nhân dân các huyện, thành phố, thị xã");
        assert_eq!(a.text, "UBND các huyện, thị xã, thành phố");
        assert_eq!(a.id.as_deref(), Some("ubnd_cac_huyen"));
        let a = m.resolve("UBND các huyện, thành phố, thị xã và các đơn vị có liên quan");
        assert_eq!(a.name, "Ủy ban nhân dân các huyện, thành phố, thị xã và các đơn vị có liên quan");
        let a = m.resolve("Sở Xúc tiến Mới");
        assert_eq!(a.id, None);
    }

    #[test]
    fn agency_lists_and_sentences() {
        let g = Grammar::embedded().unwrap();
        let m = AgencyMatcher::new(&g);
        let not = &g.labels.not_agency_words;
        assert!(m.agency_list("Sở Kế hoạch và Đầu tư, Sở Tài chính", not).is_some());
        assert!(m.agency_list("Các sở, ban, ngành cấp tỉnh; UBND các huyện, thành phố, thị xã", not).is_some());
        assert!(m.agency_list("Giao Giám đốc Sở Thông tin và Truyền thông chủ trì, phối hợp", not).is_none());
        assert!(
            m.agency_list("Chánh Văn phòng UBND tỉnh; Giám đốc Sở Tài chính chịu trách nhiệm thi hành", not).is_none()
        );
        assert!(m.agency_list("Nhận thức số", not).is_none());
        assert!(m.agency_list("Mục tiêu chung", not).is_none());
        assert!(m.agency_list("Tổ chức thực hiện", not).is_none());
    }
}
