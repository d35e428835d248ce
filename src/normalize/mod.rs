//! Normalize: decoded text -> canonical text.
//!
//! Unicode NFC (with a fast path for text that is already NFC), one tone-mark convention for
//! oa/oe/uy syllables, whitespace, and the markdown/HTML leftovers of converters, removed while
//! keeping what they meant. The output is the text later stages index into.
//!
//! The passes, in order (each linear, each with a fast path when it has nothing to do):
//!
//! 1. `whitespace::prepare`: line ends to `\n`, space-like characters to a space, zero-width
//!    characters, BOMs, soft hyphens and control characters removed, so that nothing
//!    invisible hides inside a word or a markup sequence.
//! 2. `unicode::to_nfc`: NFC.
//! 3. `markup::strip`: markdown and HTML leftovers (see that module). Character references
//!    it decodes are composed to NFC again.
//! 4. `whitespace::tidy`: spaces collapsed, lines trimmed (tabs kept), blank-line runs
//!    collapsed, exactly one final `\n`.
//! 5. `tone::place_tones`: the tone-mark convention of `grammars/text.yaml`.
//!
//! Normalizing the output again changes nothing, except where markup was written as text on
//! purpose (`\*`, `&lt;b&gt;`): unescaped once, it is markup the second time.

mod html;
mod markup;
mod tone;
mod unicode;
mod whitespace;

use std::borrow::Cow;

use crate::grammar::Grammar;
use crate::model::{Diagnostic, Format, Severity};

/// Canonical text and what normalizing it changed.
#[derive(Debug, Clone, PartialEq)]
pub struct Canonical {
    /// The normalized text.
    pub text: String,
    /// What was changed or removed (counts, not one diagnostic per character).
    pub diagnostics: Vec<Diagnostic>,
}

/// Normalize `text` decoded from a `format` input.
///
/// Markdown syntax (`#`, `*`, `_`, `|`, `[]()`, `\`) is taken as markup in every format but
/// [`Format::Html`], where only tags, comments and character references are.
pub fn normalize(text: &str, format: Format, grammar: &Grammar) -> Canonical {
    normalize_cow(Cow::Borrowed(text), format, grammar)
}

/// [`normalize`] taking the text: it is dropped as soon as a pass has made a new one, so a big
/// file is not held once more for the whole stage.
pub fn normalize_owned(text: String, format: Format, grammar: &Grammar) -> Canonical {
    normalize_cow(Cow::Owned(text), format, grammar)
}

fn normalize_cow(text: Cow<'_, str>, format: Format, grammar: &Grammar) -> Canonical {
    // Each pass's input is dropped as soon as the next text exists, so a big file is held at
    // most twice here, not once per pass.
    let (prepared, mut invisible) = whitespace::prepare(&text);
    // (An arm that does not move the old text must drop it: it would live to the end.)
    let prepared: Cow<'_, str> = match prepared {
        Cow::Owned(s) => {
            drop(text);
            Cow::Owned(s)
        }
        Cow::Borrowed(_) => text,
    };
    let (composed, composed_count) = unicode::to_nfc(&prepared);
    // Prepared text holds no character tidying changes but spaces, tabs and line ends; composing
    // and decoding references could make some.
    let mut clean = matches!(composed, Cow::Borrowed(_));
    let composed: Cow<'_, str> = match composed {
        Cow::Owned(s) => {
            drop(prepared);
            Cow::Owned(s)
        }
        Cow::Borrowed(_) => prepared,
    };
    let options = markup::Options { markdown: format != Format::Html, headings: &grammar.headings.schemes };
    let (stripped, markup) = markup::strip(composed, options);
    clean &= markup.entities == 0;
    let stripped = if markup.entities > 0 {
        match unicode::to_nfc(&stripped).0 {
            Cow::Owned(s) => {
                drop(stripped);
                s
            }
            Cow::Borrowed(_) => stripped,
        }
    } else {
        stripped
    };
    let (tidied, invisible_late) = whitespace::tidy(&stripped, clean);
    drop(stripped);
    invisible += invisible_late;
    let (toned, moved) = tone::place_tones(&tidied, grammar.text.tone);
    let text = match toned {
        Cow::Owned(s) => s,
        Cow::Borrowed(_) => tidied,
    };

    let mut diagnostics = Vec::new();
    let info = |code: &str, message: String| Diagnostic::new(Severity::Info, code, message);
    if invisible > 0 {
        diagnostics.push(info(
            "normalize.invisible_removed",
            format!("removed {invisible} invisible characters (zero-width, BOM, soft hyphen, control)"),
        ));
    }
    if composed_count > 0 {
        diagnostics.push(info(
            "normalize.nfd_input",
            format!("composed {composed_count} characters written with combining marks (NFD) to NFC"),
        ));
    }
    if let Some(summary) = markup.markup_summary() {
        diagnostics.push(info("normalize.markup_removed", format!("removed markup: {summary}")));
    }
    if let Some(summary) = markup.content_summary() {
        diagnostics.push(info("normalize.content_removed", format!("dropped with the markup: {summary}")));
    }
    if moved > 0 {
        let convention = match grammar.text.tone {
            crate::grammar::TonePlacement::New => "new (hòa, thủy)",
            crate::grammar::TonePlacement::Old => "old (hoà, thuỷ)",
            crate::grammar::TonePlacement::Keep => "keep",
        };
        diagnostics.push(info(
            "normalize.tone_placement",
            format!("moved the tone mark of {moved} oa/oe/uy syllables to the {convention} convention"),
        ));
    }
    Canonical { text, diagnostics }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grammar::TonePlacement;

    fn grammar() -> Grammar {
        static GRAMMAR: std::sync::LazyLock<Grammar> =
            std::sync::LazyLock::new(|| Grammar::embedded().expect("embedded grammars are valid"));
        GRAMMAR.clone()
    }

    fn norm(text: &str) -> Canonical {
        normalize(text, Format::Text, &grammar())
    }

    fn codes(c: &Canonical) -> Vec<&str> {
        c.diagnostics.iter().map(|d| d.code.as_str()).collect()
    }

    /// Seed 000 (markdown from Word): headings, bold across hard breaks, italics, a table with
    /// an HTML list in a cell and a row continued after a page break.
    const SEED_000: &str = "\n\nNghệ An, ngày 25 tháng 02 năm 2022\n\n## KẾ HOẠCH\n\n\
**Thực hiện Quyết định số 1968/QĐ-TTg ngày 22 tháng 11 năm 2021  \n\
và kế hoạch khung giai đoạn 2022 - 2025**\n\n\
### I. MỤC ĐÍCH, YÊU CẦU\n\n\
## **2. Mục tiêu cụ thể đến năm 2025**\n\n\
#### *1.1. Tham gia hiệu quả Hệ sinh thái xúc tiến thương mại số*\n\n\
- Ủy ban nhân dân các huyện, thành phố, thị xã.\n\n\
**TM. ỦY BAN NHÂN DÂN  \nKT. CHỦ TỊCH  \nPHÓ CHỦ TỊCH**\n\n\n\n**Lê Hồng Vinh**\n\n\
*(Kèm theo Kế hoạch số: 135 /KH-UBND ngày 25 tháng 02 năm 2022 của Ủy ban nhân dân tỉnh Nghệ An)*\n\n\
STT\tNội dung công việc triển khai\tKinh phí trung ương 2022-2025\t\t\t\t\tĐơn vị thực hiện\n\
\t\t2022\t2023\t2024\t2025\tCộng\t\n\
2\tTuyên truyền về lợi ích\t45\t\t\t\t45\t- Đơn vị chủ trì: Sở Công Thương.\n\n\
\thoạt động truyền thông trên báo đài, mạng xã hội.\t\t\t\t\t\t\n\
4\tHỗ trợ doanh nghiệp\t70\t<ul style=\"list-style-type: none\"> <li>- Đơn vị chủ trì: Trung tâm Xúc tiến.</li> <li>- Đơn vị phối hợp: Các sở.</li> </ul>\n\
<b>TỔNG CỘNG (dự kiến)</b>\t\t425\t\t\t425\t\t1130\t";

    /// Seed 001: bold headings, `<sub>`, `<p>` and `<b>` in table cells, a row with an empty
    /// first cell.
    const SEED_001: &str = "**KẾ HOẠCH**  \n**Chuyển đổi số tỉnh Hà Tĩnh năm 2023**\n\n\
**Phần I**  \n**ĐÁNH GIÁ KẾT QUẢ THỰC HIỆN NĂM 2022**\n\n\
### **2.1. Việc ban hành văn bản lãnh đạo, chỉ đạo**\n\n\
*d) Xã hội số và đô thị thông minh:*\n\n\
- Lưu: VT, VX<sub>1</sub>.\n\n\
TT\tTên nhiệm vụ /dự án\tDự kiến kết quả đạt được\tGhi chú\t\n\
<b>I</b>\t<b>Phát triển Chính quyền số</b>\t\t\t\n\
2.3\t<p>Xây dựng hệ thống quản lý</p>\t<p>Nâng cao công tác sản xuất</p>\t<p>Sở Nông nghiệp và PTNT</p>\t\n\
\t3.2\tTriển khai Kế hoạch\tTổ chức các chương trình đào tạo\tSở Thông tin và Truyền thông\n\
2.6\tChuyển đổi số trong công tác thư viện\tSở Văn hoá, Thể thao và Du lịch; Số hoá; lan toả; Xã hội hoá\t\t\n";

    /// Seed 004: headings glued to bold titles.
    const SEED_004: &str = "**KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH**\n\n\
KẾ HOẠCH**Triển khai thực hiện Đề án “Nâng cao nhận thức, phổ cập kỹ năng\n\
và phát triển nguồn nhân lực Chuyển đổi số quốc gia trên địa bàn tỉnh\n\
đến năm 2025, định hướng đến năm 2030”**\n\n\
*(Kèm theo Quyết định số /QĐ-UBND, ngày /3/2022\ncủa Chủ tịch Ủy ban nhân dân tỉnh Vĩnh Long)*\n\n\
I. MỤC TIÊU**1. Mục tiêu chung**\n\n\
- Triển khai, cụ thể hóa các mục tiêu.\n\n\
2. Mục tiêu cụ thể**2.1. Mục tiêu đến 2025**\n\n\
- Hàng năm, gửi Sở Thông tin và Truyền thông **trước ngày 05/12** để tổng hợp.\n";

    /// Seed 002 (from PDF, NFD mixed with NFC, trailing spaces, space-only lines).
    const SEED_002_NFD: &str = " U\u{309}Y BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM \n\n \n\
Số:         /QĐ-UBND \n\n \n\n\
Căn cứ Luật sư\u{309}a đổi, bổ sung một sô\u{301} điều cu\u{309}a Luật Tổ chức Chi\u{301}nh phu\u{309} và \n\n\
Căn cứ Kế hoạch số 38/KH-UBND ngày 15 tháng 3 năm 2023 của Ủy \n\n\
- Bộ KH&ĐT (để b/c); \n";

    #[test]
    fn seed_000() {
        let c = norm(SEED_000);
        let t = &c.text;
        assert!(t.starts_with("Nghệ An, ngày 25 tháng 02 năm 2022\n\nKẾ HOẠCH\n\nThực hiện Quyết định"), "{t}");
        assert!(t.contains("năm 2021\nvà kế hoạch khung giai đoạn 2022 - 2025\n\nI. MỤC ĐÍCH, YÊU CẦU\n"));
        assert!(t.contains(
            "\n2. Mục tiêu cụ thể đến năm 2025\n\n1.1. Tham gia hiệu quả Hệ sinh thái xúc tiến thương mại số\n"
        ));
        assert!(t.contains("\nTM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n\nLê Hồng Vinh\n\n(Kèm theo"));
        assert!(t.contains("tỉnh Nghệ An)\n\nSTT\t"));
        // Table rows keep every tab, the leading and trailing ones too.
        assert!(t.contains("\n\t\t2022\t2023\t2024\t2025\tCộng\t\n"));
        assert!(t.contains("\n\thoạt động truyền thông trên báo đài, mạng xã hội.\t\t\t\t\t\t\n"));
        // The HTML list in a cell stays on its row.
        assert!(t.contains(
            "\n4\tHỗ trợ doanh nghiệp\t70\t- Đơn vị chủ trì: Trung tâm Xúc tiến. - Đơn vị phối hợp: Các sở.\n"
        ));
        assert!(t.ends_with("\nTỔNG CỘNG (dự kiến)\t\t425\t\t\t425\t\t1130\t\n"));
        assert!(!t.contains(['*', '#', '<', '>']));
        for line in t.lines().filter(|l| l.contains('\t')) {
            let raw = SEED_000.lines().find(|r| r.contains('\t') && r.split('\t').count() == line.split('\t').count());
            assert!(raw.is_some(), "row lost or gained cells: {line:?}");
        }
        assert_eq!(codes(&c), ["normalize.markup_removed"]);
    }

    #[test]
    fn seed_001() {
        let c = norm(SEED_001);
        let t = &c.text;
        assert!(t.starts_with("KẾ HOẠCH\nChuyển đổi số tỉnh Hà Tĩnh năm 2023\n\nPhần I\nĐÁNH GIÁ KẾT QUẢ"));
        assert!(t.contains("\n2.1. Việc ban hành văn bản lãnh đạo, chỉ đạo\n\nd) Xã hội số và đô thị thông minh:\n"));
        assert!(t.contains("\n- Lưu: VT, VX1.\n"));
        assert!(t.contains("\nI\tPhát triển Chính quyền số\t\t\t\n"));
        assert!(t.contains("\n2.3\tXây dựng hệ thống quản lý\tNâng cao công tác sản xuất\tSở Nông nghiệp và PTNT\t\n"));
        assert!(t.contains("\n\t3.2\tTriển khai Kế hoạch\t"));
        assert!(t.contains("Sở Văn hóa, Thể thao và Du lịch; Số hóa; lan tỏa; Xã hội hóa\t\t\n"));
        assert_eq!(codes(&c), ["normalize.markup_removed", "normalize.tone_placement"]);
        assert!(c.diagnostics[1].message.contains("moved the tone mark of 4 "), "{:?}", c.diagnostics[1]);
    }

    #[test]
    fn seed_004_glued_headings() {
        let c = norm(SEED_004);
        let t = &c.text;
        assert!(t.starts_with("KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n\nKẾ HOẠCH\nTriển khai thực hiện Đề án “Nâng cao"), "{t}");
        assert!(t.contains("định hướng đến năm 2030”\n\n(Kèm theo Quyết định số /QĐ-UBND, ngày /3/2022\ncủa Chủ tịch"));
        assert!(t.contains("\n\nI. MỤC TIÊU\n1. Mục tiêu chung\n\n"));
        assert!(t.contains("\n\n2. Mục tiêu cụ thể\n2.1. Mục tiêu đến 2025\n\n"));
        assert!(t.contains("Truyền thông trước ngày 05/12 để tổng hợp.\n"));
        let markup = &c.diagnostics[0];
        assert_eq!(markup.code, "normalize.markup_removed");
        assert!(markup.message.contains("3 glued headings split onto two lines"), "{}", markup.message);
    }

    #[test]
    fn seed_002_nfd_composed() {
        let c = norm(SEED_002_NFD);
        assert_eq!(
            c.text,
            "ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n\nSố: /QĐ-UBND\n\n\
Căn cứ Luật sửa đổi, bổ sung một số điều của Luật Tổ chức Chính phủ và\n\n\
Căn cứ Kế hoạch số 38/KH-UBND ngày 15 tháng 3 năm 2023 của Ủy\n\n- Bộ KH&ĐT (để b/c);\n"
        );
        assert!(unicode_normalization::is_nfc(&c.text));
        assert_eq!(codes(&c), ["normalize.nfd_input"]);
        assert!(c.diagnostics[0].message.contains("composed 6 characters"), "{}", c.diagnostics[0].message);
    }

    #[test]
    fn idempotent_on_seed_snippets() {
        let g = grammar();
        for (name, seed) in [("000", SEED_000), ("001", SEED_001), ("002", SEED_002_NFD), ("004", SEED_004)] {
            for format in [Format::Text, Format::Html] {
                let once = normalize(seed, format, &g);
                let twice = normalize(&once.text, format, &g);
                assert_eq!(twice.text, once.text, "seed {name} {format:?}");
                assert!(twice.diagnostics.is_empty(), "seed {name} {format:?}: {:?}", twice.diagnostics);
            }
        }
    }

    #[test]
    fn idempotent_where_stripping_reveals_markup() {
        let g = grammar();
        for s in ["# ||", "*#*A*<*:", "<*!a>*", "<b>---</b>", "**## x**", "*a **b* c**"] {
            let once = normalize(s, Format::Text, &g);
            assert_eq!(normalize(&once.text, Format::Text, &g).text, once.text, "{s:?}");
        }
    }

    #[test]
    fn page_marks_survive() {
        let mark = crate::layout::PAGE_MARK;
        let text =
            format!("{mark}\nKẾ HOẠCH **Chuyển\n{mark}\nđổi số** <!-- ghi\n{mark}\nchú -->\n\n\n{mark}\n\tx\t\n");
        let c = norm(&text);
        assert_eq!(c.text.matches(mark).count(), 4, "{:?}", c.text);
        assert_eq!(c.text.lines().filter(|l| *l == mark.to_string()).count(), 4, "{:?}", c.text);
        assert!(c.text.starts_with(&format!("{mark}\nKẾ HOẠCH Chuyển\n{mark}\nđổi số <!-- ghi\n")), "{:?}", c.text);
    }

    #[test]
    fn already_canonical_text_has_no_diagnostics() {
        let t = "KẾ HOẠCH\nChuyển đổi số năm 2023\n\nI. MỤC TIÊU\n\n1. Mục tiêu chung\n\nNâng cao nhận thức.\n";
        let c = norm(t);
        assert_eq!(c.text, t);
        assert!(c.diagnostics.is_empty());
    }

    #[test]
    fn empty_and_blank_input() {
        assert_eq!(norm("").text, "");
        assert_eq!(norm(" \n\n \u{A0}\n").text, "");
        assert_eq!(norm("x").text, "x\n");
    }

    #[test]
    fn tone_policy_comes_from_the_grammar() {
        let mut g = grammar();
        assert_eq!(g.text.tone, TonePlacement::New);
        assert_eq!(normalize("UỶ BAN, quý, hoàn, khoẻ\n", Format::Text, &g).text, "ỦY BAN, quý, hoàn, khỏe\n");
        g.text.tone = TonePlacement::Old;
        assert_eq!(normalize("ỦY BAN, hòa\n", Format::Text, &g).text, "UỶ BAN, hoà\n");
        g.text.tone = TonePlacement::Keep;
        assert_eq!(normalize("Uỷ, Ủy\n", Format::Text, &g).text, "Uỷ, Ủy\n");
    }

    #[test]
    fn diagnostics_are_counted_and_ordered() {
        let c = norm("\u{FEFF}**Uỷ ban**\u{200B} [x](http://a) <!-- c --> cu\u{309}a\r\n");
        assert_eq!(
            codes(&c),
            [
                "normalize.invisible_removed",
                "normalize.nfd_input",
                "normalize.markup_removed",
                "normalize.content_removed",
                "normalize.tone_placement"
            ]
        );
        assert_eq!(c.text, "Ủy ban x của\n");
        assert!(c.diagnostics[0].message.contains("removed 2 "));
        assert!(c.diagnostics[3].message.contains("1 link addresses, 1 HTML comments"));
        assert!(c.diagnostics.iter().all(|d| d.severity == Severity::Info && d.span.is_none()));
    }

    #[test]
    fn html_entities_compose_to_nfc() {
        // A combining acute written as a reference composes with its base.
        assert_eq!(norm("Chi&#x301;nh phu&#777;").text, "Chính phủ\n");
        assert_eq!(norm("&#272;i&#7873;u 1").text, "Điều 1\n");
    }

    #[test]
    fn never_panics_on_odd_input() {
        let g = grammar();
        let samples = [
            "",
            "\u{301}",
            "\u{301}\u{300}\u{323}",
            "<",
            "a <",
            "&",
            "&#",
            "&#x",
            "**",
            "**a",
            "a**",
            "***",
            "\\",
            "*\n*",
            "<!--",
            "<script>",
            "[",
            "![",
            "|",
            "| |",
            "#",
            "\r",
            "\r\r\n",
            "\u{FEFF}",
            "\u{AD}",
            "ᄀ\u{1161}",
            "\u{2126}",
            "\t",
            "<li>",
            "<td>",
            "𝒽oà",
            "\u{10FFFF}",
            "\u{0}",
        ];
        for s in samples {
            for format in [Format::Text, Format::Html, Format::Pdf] {
                let c = normalize(s, format, &g);
                assert!(c.text.is_empty() || c.text.ends_with('\n'), "{s:?}");
            }
        }
    }

    mod props {
        use proptest::prelude::*;

        use super::*;

        proptest! {
            #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

            #[test]
            fn any_text_gives_nfc_lines_and_no_panic(text in any::<String>()) {
                let g = grammar();
                let c = normalize(&text, Format::Text, &g);
                prop_assert!(c.text.is_empty() || c.text.ends_with('\n'));
                prop_assert!(!c.text.contains("\n\n\n") && !c.text.starts_with('\n'));
                prop_assert!(unicode_normalization::is_nfc(&c.text));
                let h = normalize(&text, Format::Html, &g);
                prop_assert!(h.text.is_empty() || h.text.ends_with('\n'));
            }

            /// Converter-like text: table rows keep exactly their tabs (no HTML cells, pipes
            /// or scripts here, which legitimately add or drop them), and normalizing twice is
            /// normalizing once.
            #[test]
            fn rows_keep_their_tabs(tokens in proptest::collection::vec(proptest::sample::select(vec![
                "<b>", "</b>", "<p>", "</p>", "<br>", "<li>", "</li>", "<ul style=\"x\">", "<sub>", "<!-- c -->", "<!--",
                "-->", "**", "*", "__", "# ", "## ", "* ", "- ", "1. ", "I. ", "2.1. ", "Điều 1. ", "KẾ HOẠCH", "Mục tiêu",
                "Uỷ ban", "hoà", "quý", "(*)", "[x](y)", "![i](j)", "[", "]", "(", ")", "&amp;", "a < b", "\t", "\t",
                "\t", "\n", "\n", " ", "  ", "x", "---", "```", "\u{A0}", "\u{200B}",
            ]), 0..40)) {
                let text: String = tokens.concat();
                let g = grammar();
                let once = normalize(&text, Format::Text, &g);
                prop_assert_eq!(once.text.matches('\t').count(), text.matches('\t').count(), "input {:?}", text);
                let twice = normalize(&once.text, Format::Text, &g);
                if !text.contains("&amp;") {
                    prop_assert_eq!(&twice.text, &once.text, "input {:?}", text);
                }
            }

            /// Without `\` and `&` (whose unescaped output is markup again), normalizing twice
            /// is normalizing once.
            #[test]
            fn idempotent_on_markup_soup(text in "[*_#|<>\\[\\]()!:.=~`/\"'{} \t\nabAB12IVĐƯỦÀyoàđ-]{0,80}") {
                let g = grammar();
                let once = normalize(&text, Format::Text, &g);
                let twice = normalize(&once.text, Format::Text, &g);
                prop_assert_eq!(&twice.text, &once.text, "input {:?}", text);
            }
        }
    }

    /// All seed files, when `VANBAN_SEEDS` names their folder: idempotence and invariants on
    /// whole documents (not run by default).
    #[test]
    fn seeds_from_env() {
        let Ok(dir) = std::env::var("VANBAN_SEEDS") else { return };
        let g = grammar();
        let mut paths: Vec<_> =
            std::fs::read_dir(dir).expect("seed folder").map(|e| e.expect("entry").path()).collect();
        paths.sort();
        for path in paths {
            let raw = std::fs::read_to_string(&path).expect("utf-8 seed");
            let once = normalize(&raw, Format::Text, &g);
            let twice = normalize(&once.text, Format::Text, &g);
            assert_eq!(twice.text, once.text, "{}", path.display());
            assert!(unicode_normalization::is_nfc(&once.text));
            let raw_tabs = raw.matches('\t').count();
            let tabs = once.text.matches('\t').count();
            assert_eq!(raw_tabs, tabs, "{}: tabs", path.display());
        }
    }
}
