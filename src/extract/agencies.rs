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
        let entry = self.gaz.lookup_key(&key);
        // A name or alias of the gazetteer gets the gazetteer's spelling; a longer name
        // ("Sở Công Thương tỉnh Lào Cai") keeps its own words.
        let name = match self.gaz.lookup_exact_key(&key) {
            Some(e) => e.name.clone(),
            None => self.gaz.expand(text),
        };
        Agency { name: name.into(), text: text.into(), id: entry.map(|e| e.id.as_str().into()) }
    }

    /// Split a list of agencies into its members.
    pub(crate) fn split(&self, text: &str) -> Vec<Agency> {
        self.split_text(text).into_iter().map(|t| self.resolve(t)).collect()
    }

    /// The member texts of a list of agencies, as printed.
    pub(crate) fn split_text<'t>(&self, text: &'t str) -> Vec<&'t str> {
        let mut out = Vec::new();
        for part in clean(text).split(';') {
            let mut start = 0;
            for (comma, _) in part.match_indices(',') {
                let left = part[start..comma].trim();
                let right = part[comma + 1..].trim_start();
                if self.is_complete(left) && self.starts_agency(right) {
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

    /// `text` is nothing but a list of agencies (a heading such as "3. Sở Kế hoạch và Đầu tư,
    /// Sở Tài chính"), not a sentence about them.
    pub(crate) fn is_agency_list(&self, text: &str, not_names: &[String]) -> bool {
        let text = clean(text);
        // Long text is a sentence: decided before lower-casing it (a char is at most 4 bytes).
        if text.is_empty() || (text.len() > 240 && (text.len() > 4 * 240 || text.chars().count() > 240)) {
            return false;
        }
        let low = to_lower(text);
        if not_names.iter().any(|w| low.contains(w.as_str())) {
            return false;
        }
        let parts = self.split_text(text);
        !parts.is_empty()
            && parts.iter().all(|p| self.starts_agency(p) && p.split_whitespace().count() <= 28 && !p.contains(". "))
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
        assert!(m.is_agency_list("Sở Kế hoạch và Đầu tư, Sở Tài chính", not));
        assert!(m.is_agency_list("Các sở, ban, ngành cấp tỉnh; UBND các huyện, thành phố, thị xã", not));
        assert!(!m.is_agency_list("Giao Giám đốc Sở Thông tin và Truyền thông chủ trì, phối hợp", not));
        assert!(!m.is_agency_list("Chánh Văn phòng UBND tỉnh; Giám đốc Sở Tài chính chịu trách nhiệm thi hành", not));
        assert!(!m.is_agency_list("Nhận thức số", not));
        assert!(!m.is_agency_list("Mục tiêu chung", not));
        assert!(!m.is_agency_list("Tổ chức thực hiện", not));
    }
}
