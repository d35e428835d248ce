//! Tables (SPEC §7) and what they feed into tasks (§4) and budgets (§6).
//!
//! The golden assertions were checked by reading the seed documents in `fixtures/seeds/`:
//! - 000: the appendix "DỰ TOÁN KINH PHÍ" (ĐVT: Triệu đồng) has a two-row header, a column-index
//!   row "A B 1 … 13", items 1-5 (item 2 continued after a page break with "hoạt động truyền
//!   thông trên báo đài, mạng xã hội.", items 3-5 printed with one cell too few) and the row
//!   "TỔNG CỘNG (dự kiến)": 425 (central budget, 2022 and its "Cộng"), 235 per local year, 705,
//!   grand total 1130. Items 1, 2, 4, 5 name their lead ("- Đơn vị chủ trì: …") and partners.
//! - 001: the appendix "PHỤ LỤC: DANH MỤC NHIỆM VỤ …" is split over pages without a repeated
//!   header; 32 body rows (24 items, 7 groups, "Tổng cộng" 95.200 triệu đồng); item 2.2's cells
//!   ("Sở Giáo dục và" + "Đào tạo") are cut by a page break.
//! - 003: the "Phân kỳ đầu tư" table (one row: 185,083 tỷ đồng and its parts) and the appendix
//!   "KHÁI TOÁN KINH PHÍ …" (Đơn vị tính: tỷ đồng), its header repeated on every page (garbled
//!   "DÂN"/"TIN" on one), 19 items and one group row, "46.273" in a table of decimal points.

use std::path::Path;

use proptest::prelude::*;
use vanban::{Budget, Document, Engine, Record, Table, Task};

fn engine() -> &'static Engine {
    static ENGINE: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
    ENGINE.get_or_init(|| Engine::new().expect("embedded grammars are valid"))
}

fn seed(prefix: &str) -> Record {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/seeds");
    let path = std::fs::read_dir(&dir)
        .expect("fixtures/seeds")
        .map(|e| e.expect("entry").path())
        .find(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with(prefix)))
        .expect("seed exists");
    engine().convert_file(&path)
}

fn only_doc(r: &Record) -> &Document {
    assert_eq!(r.documents.len(), 1, "one document");
    &r.documents[0]
}

fn kinds(t: &Table, kind: &str) -> usize {
    t.row_kinds.iter().filter(|k| *k == kind).count()
}

fn table_tasks(d: &Document) -> Vec<&Task> {
    d.tasks.iter().filter(|t| t.origin == "table").collect()
}

fn leads(t: &Task) -> Vec<&str> {
    t.lead.iter().map(|a| a.text.as_str()).collect()
}

fn grand_total(d: &Document) -> Option<i64> {
    d.budgets.iter().filter(|b| b.is_total).filter_map(|b| b.amount_vnd).max()
}

fn budget_at<'d>(d: &'d Document, section: &str, column: &str) -> Vec<&'d Budget> {
    d.budgets.iter().filter(|b| b.section == section && b.text.contains(column)).collect()
}

#[test]
fn seed_000_budget_table() {
    let r = seed("000_");
    let d = only_doc(&r);
    assert_eq!(d.tables.len(), 1);
    let t = &d.tables[0];
    assert!(t.caption.as_deref().is_some_and(|c| c.starts_with("DỰ TOÁN KINH PHÍ")), "{:?}", t.caption);
    assert_eq!(t.unit.as_deref(), Some("Triệu đồng"));
    assert_eq!(t.header.len(), 2, "two header rows; the column-index row is dropped");
    assert_eq!(t.header[0][0], "STT");
    assert_eq!(t.header[1][2], "2022");
    assert_eq!(t.rows.len(), 6);
    assert_eq!((kinds(t, "item"), kinds(t, "total")), (5, 1));
    assert_eq!(t.row_kinds[5], "total");
    // Row 2 continued after the page break: one row, its text joined.
    assert!(
        t.rows[1][1].ends_with("thông qua các hoạt động truyền thông trên báo đài, mạng xã hội."),
        "{}",
        t.rows[1][1]
    );
    // Rows printed with a cell missing are aligned by their sums: 60 is central 2022 money.
    assert_eq!(t.rows[2][..7], ["3", t.rows[2][1].as_str(), "60", "", "", "", "60"]);
    assert_eq!(t.rows[2][13], "240");
    assert_eq!(t.rows[4][10..14], ["60", "180", "", "180"]);
    // The total row: central 2022 and its "Cộng" 425, local 235 × 3 and 705, grand total 1130.
    let total = &t.rows[5];
    assert_eq!(total[0], "TỔNG CỘNG (dự kiến)");
    assert_eq!((total[2].as_str(), total[6].as_str()), ("425", "425"));
    assert_eq!(total[8..12], ["235", "235", "235", "705"]);
    assert_eq!(total[13], "1130");

    assert_eq!(grand_total(d), Some(1_130_000_000));
    let central = budget_at(d, "table:1/row:6", "Kinh phí trung ương 2022-2025 / Cộng");
    assert_eq!(central.len(), 1);
    assert_eq!(central[0].amount_vnd, Some(425_000_000));
    assert_eq!(central[0].source_of_funds.as_deref(), Some("ngân sách trung ương"));
    assert!(!central[0].is_total);
    assert!(!r.diagnostics.iter().any(|x| x.code == "table.sum_mismatch"), "000 adds up: {:?}", r.diagnostics);

    let tasks = table_tasks(d);
    let sections: Vec<&str> = tasks.iter().map(|t| t.section.as_str()).collect();
    assert_eq!(sections, ["table:1/row:1", "table:1/row:2", "table:1/row:4", "table:1/row:5"]);
    assert_eq!(leads(tasks[0]), ["Sở Công Thương"]);
    let partners: Vec<&str> = tasks[0].partners.iter().map(|a| a.text.as_str()).collect();
    assert_eq!(partners, ["Cơ quan trực thuộc Bộ Công Thương", "các sở, ngành liên quan"]);
    assert_eq!(leads(tasks[2]), ["Trung tâm Xúc tiến Đầu tư Thương mại và Du lịch tỉnh"]);
    assert_eq!(leads(tasks[3]), ["Sở Thông tin và Truyền thông"]);
    assert_eq!(tasks[1].budget.as_ref().and_then(|b| b.amount_vnd), Some(180_000_000));
}

#[test]
fn seed_001_task_table_over_pages() {
    let r = seed("001_");
    let d = only_doc(&r);
    assert_eq!(d.tables.len(), 1, "one table, not one per page");
    let t = &d.tables[0];
    assert_eq!(t.unit.as_deref(), Some("triệu đồng"));
    assert!(t.caption.as_deref().is_some_and(|c| c.starts_with("PHỤ LỤC: DANH MỤC NHIỆM VỤ")));
    assert_eq!(t.header[0][0], "TT");
    assert_eq!(t.rows.len(), 32);
    assert_eq!((kinds(t, "item"), kinds(t, "group"), kinds(t, "total")), (24, 7, 1));
    assert_eq!(t.rows[0][..2], ["I", "Phát triển Chính quyền số"]);
    assert_eq!(t.row_kinds[0], "group");
    assert_eq!(t.rows[18][0], "Phát triển nguồn nhân lực");
    assert_eq!(t.row_kinds[18], "group");
    assert_eq!(t.row_kinds[31], "total");
    // Item 2.2 was cut by a page break: its cells are joined.
    assert_eq!(t.rows[12][0], "2.2");
    assert_eq!(t.rows[12][3], "Sở Giáo dục và Đào tạo");
    assert!(t.rows[12][1].starts_with("Triển khai nền tảng phục vụ dạy và học trực tuyến"));

    assert_eq!(grand_total(d), Some(95_200_000_000));
    // The visible items do not add up to the printed total: reported, with both figures.
    assert!(
        r.diagnostics.iter().any(|x| x.code == "table.sum_mismatch" && x.message.contains("95200")),
        "{:?}",
        r.diagnostics
    );

    let tasks = table_tasks(d);
    let mut rows: Vec<usize> = (3..=10).chain(12..=18).chain([20, 21, 23]).chain(25..=27).chain(29..=31).collect();
    rows.sort_unstable();
    let sections: Vec<String> = tasks.iter().map(|t| t.section.to_string()).collect();
    let expected: Vec<String> = rows.iter().map(|m| format!("table:1/row:{m}")).collect();
    assert_eq!(sections, expected);
    let by_row = |m: usize| tasks.iter().find(|t| t.section == format!("table:1/row:{m}")).expect("task");
    assert_eq!(leads(by_row(5)), ["Chi cục Kiểm lâm"]);
    assert_eq!(leads(by_row(13)), ["Sở Giáo dục và Đào tạo"]);
    assert_eq!(leads(by_row(20)), ["Sở Thông tin và Truyền thông"]);
    assert_eq!(leads(by_row(27)), ["Sở Kế hoạch và Đầu tư", "Sở Thông tin và Truyền thông"]);
    assert_eq!(leads(by_row(30)), ["UBND thị xã Kỳ Anh"]);
    let tl = by_row(6).timeline.as_ref().expect("timeline");
    assert_eq!(
        (tl.text.as_str(), tl.start.as_deref(), tl.end.as_deref()),
        ("2023-2024", Some("2023-01-01"), Some("2024-12-31"))
    );
    assert!(by_row(3).result.as_deref().is_some_and(|x| x.starts_with("Hình thành Công dữ liệu")));
}

#[test]
fn seed_003_repeated_headers_and_decimal_points() {
    let r = seed("003_");
    let d = only_doc(&r);
    assert_eq!(d.tables.len(), 2);
    let phase = &d.tables[0];
    assert_eq!(phase.header.len(), 3);
    assert_eq!(phase.header[0][0], "Khái toán kinh phí (Giai đoạn 2017-2020)");
    assert_eq!(phase.rows.len(), 1);
    assert_eq!(phase.rows[0][0], "185,083");
    let appendix = &d.tables[1];
    assert_eq!(appendix.unit.as_deref(), Some("tỷ đồng"));
    assert_eq!(appendix.header.len(), 3, "the header of the first page; the repeats are dropped");
    assert_eq!(appendix.rows.len(), 20, "every page's rows");
    assert_eq!((kinds(appendix, "item"), kinds(appendix, "group")), (19, 1));
    assert_eq!(appendix.row_kinds[15], "group");
    assert!(
        appendix.rows.iter().all(|row| !row.iter().any(|c| c == "DÂN" || c == "Chủ trì")),
        "no header rows in the body"
    );
    assert_eq!(appendix.rows[9][0], "#");

    // The phase table gives the plan's total; "46.273" is 46.273 tỷ in a table of decimal points.
    let phase_total: Vec<&Budget> = d.budgets.iter().filter(|b| b.section == "table:1/row:1" && b.is_total).collect();
    assert_eq!(phase_total.len(), 1);
    assert_eq!(phase_total[0].amount_vnd, Some(185_083_000_000));
    assert_eq!(grand_total(d), Some(185_083_000_000));
    let first = budget_at(d, "table:2/row:1", "/ Tổng");
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].amount_vnd, Some(46_273_000_000));

    let tasks = table_tasks(d);
    assert_eq!(tasks.len(), 19);
    assert!(tasks.iter().all(|t| t.section != "table:2/row:16"));
    let last = tasks.last().expect("tasks");
    assert_eq!(last.section, "table:2/row:20");
    assert_eq!(leads(last), ["Sở Nội vụ", "Sở Thông tin và Truyền thông"]);
    let partners: Vec<&str> = tasks[0].partners.iter().map(|a| a.text.as_str()).collect();
    assert_eq!(partners, ["Các sở, ban, ngành", "UBND các huyện, thành phố"]);
    assert_eq!(leads(tasks[4]), ["Trung tâm CNTT&TT"]);
    assert!(tasks[4].partners.is_empty());
}

#[test]
fn layout_lines_are_not_tables() {
    let text = "ỦY BAN NHÂN DÂN\t\tCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nTỈNH CÀ MAU\t\tĐộc lập - Tự do - Hạnh phúc\n\n\
                QUY ĐỊNH\n\nVề việc kiểm tra\n\nĐiều 1. Nghỉ phép\n\nKết hôn\t:\tNghỉ 03 ngày\nCon kết hôn\t:\tNghỉ 01 ngày\n\n\
                \tCăn cứ Luật Tổ chức chính quyền địa phương;\n\tCăn cứ Nghị định số 1/CP;\n\n\
                K1\t: Hệ số trách nhiệm.\nK2\t: Hệ số khối lượng.\n";
    let r = engine().convert_bytes("layout.txt", text.as_bytes());
    for d in &r.documents {
        assert!(d.tables.is_empty(), "{:?}", d.tables);
    }
}

#[test]
fn two_tables_stay_two() {
    let text = "KẾ HOẠCH\n\nNăm 2024\n\nI. NỘI DUNG\n\n\
                STT\tNội dung\tĐơn vị chủ trì\n1\tXây dựng phần mềm\tSở Tài chính\n2\tĐào tạo cán bộ\tSở Nội vụ\n\n\
                TT\tHạng mục\tKinh phí (triệu đồng)\tGhi chú\n1\tMáy chủ\t500\t\n2\tPhần mềm\t700\t\nTổng cộng\t\t1.200\t\n";
    let r = engine().convert_bytes("two.txt", text.as_bytes());
    let d = only_doc(&r);
    assert_eq!(d.tables.len(), 2, "{:?}", d.tables);
    assert_eq!(d.tables[0].rows.len(), 2);
    assert_eq!(d.tables[1].rows.len(), 3);
    assert_eq!(d.tables[1].unit.as_deref(), Some("triệu đồng"));
    assert_eq!(grand_total(d), Some(1_200_000_000));
    assert_eq!(table_tasks(d).len(), 2);
    assert_eq!(table_tasks(d)[1].section, "table:1/row:2");
}

#[test]
fn an_ambiguous_total_is_settled_by_the_sums() {
    // "1.200" is 1 200 (the items add up to it), "2.5" shows the dot is a decimal mark.
    let grouped = "KẾ HOẠCH\n\nNăm 2024\n\nĐVT: triệu đồng\n\nSTT\tNội dung\tKinh phí\n1\tMáy chủ\t500\n2\tPhần mềm\t700\nTổng cộng\t\t1.200\n";
    let d = engine().convert_bytes("a.txt", grouped.as_bytes());
    assert_eq!(grand_total(only_doc(&d)), Some(1_200_000_000));
    let decimal = "KẾ HOẠCH\n\nNăm 2024\n\nĐVT: tỷ đồng\n\nSTT\tNội dung\tKinh phí\n1\tMáy chủ\t2.5\n2\tPhần mềm\t1.225\nTổng cộng\t\t3.725\n";
    let d = engine().convert_bytes("b.txt", decimal.as_bytes());
    assert_eq!(grand_total(only_doc(&d)), Some(3_725_000_000));
}

#[test]
fn markdown_pipe_tables_over_a_page_break() {
    let text = "# KẾ HOẠCH\n\nNăm 2024\n\n**DANH MỤC NHIỆM VỤ**\n\n\
                | STT | Nhiệm vụ | Cơ quan chủ trì | Thời gian | Kinh phí (triệu đồng) |\n|---|---|---|---|---|\n\
                | 1 | Xây dựng CSDL | Sở Tài chính | Quý II/2024 | 1.500 |\n\
                | 2 | Đào tạo | Sở Nội vụ; Sở Tư pháp | 2024 | 500 |\n\n5\n\n\
                | 3 | Tuyên truyền | Sở Thông tin và Truyền thông | 2024-2025 | 300 |\n\
                | | **Tổng cộng** | | | 2.300 |\n";
    let r = engine().convert_bytes("pipe.md", text.as_bytes());
    let d = only_doc(&r);
    assert_eq!(d.tables.len(), 1);
    let t = &d.tables[0];
    assert_eq!(t.caption.as_deref(), Some("DANH MỤC NHIỆM VỤ"));
    assert_eq!(t.unit.as_deref(), Some("triệu đồng"));
    assert_eq!(t.row_kinds, ["item", "item", "item", "total"]);
    assert_eq!(grand_total(d), Some(2_300_000_000));
    let tasks = table_tasks(d);
    assert_eq!(tasks.len(), 3);
    assert_eq!(leads(tasks[1]), ["Sở Nội vụ", "Sở Tư pháp"]);
    let tl = tasks[0].timeline.as_ref().expect("timeline");
    assert_eq!((tl.start.as_deref(), tl.end.as_deref()), (Some("2024-04-01"), Some("2024-06-30")));
    assert_eq!(tasks[0].budget.as_ref().and_then(|b| b.amount_vnd), Some(1_500_000_000));
}

// ---------------------------------------------------------------------------------------------
// Property: a table split over pages reads back as the same single table.

const HEADER_WORDS: [&str; 10] =
    ["Kinh phí", "Nội dung", "Đơn vị", "Ghi chú", "Năm", "Nguồn vốn", "Chủ trì", "Phối hợp", "Thời gian", "Kết quả"];
const BODY_WORDS: [&str; 12] = ["xây", "dựng", "hệ", "thống", "phần", "mềm", "dữ", "liệu", "đào", "tạo", "cán", "bộ"];

fn header_cell() -> impl Strategy<Value = String> {
    proptest::sample::select(HEADER_WORDS.to_vec()).prop_map(str::to_owned)
}

fn body_cell() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        (1u32..99_999).prop_map(|n| n.to_string()),
        proptest::collection::vec(proptest::sample::select(BODY_WORDS.to_vec()), 1..5).prop_map(|w| {
            let s = w.join(" ");
            let mut c = s.chars();
            c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
        }),
    ]
}

#[derive(Debug, Clone)]
struct Case {
    header: Vec<Vec<String>>,
    rows: Vec<Vec<String>>,
    /// Page breaks after these body rows.
    breaks: Vec<usize>,
    repeat_header: bool,
    page_numbers: bool,
}

fn case() -> impl Strategy<Value = Case> {
    (3usize..7, 1usize..3, 1usize..25).prop_flat_map(|(ncols, nheader, nrows)| {
        let first = proptest::collection::vec(header_cell(), ncols);
        let second = proptest::collection::vec(header_cell(), ncols - 1);
        let rows = proptest::collection::vec(
            (proptest::collection::vec(body_cell(), ncols - 2), body_cell().prop_filter("a label", |c| !c.is_empty())),
            nrows,
        );
        let breaks = proptest::collection::vec(0..nrows, 0..4);
        (first, second, rows, breaks, any::<bool>(), any::<bool>()).prop_map(
            move |(first, second, rows, breaks, repeat_header, page_numbers)| {
                let mut header = vec![first];
                if nheader == 2 {
                    header.push(std::iter::once(String::new()).chain(second).collect());
                }
                let rows = rows
                    .into_iter()
                    .enumerate()
                    .map(|(i, (rest, label))| {
                        let label = if label.parse::<u32>().is_ok() { format!("Mục {label}") } else { label };
                        std::iter::once((i + 1).to_string()).chain(std::iter::once(label)).chain(rest).collect()
                    })
                    .collect();
                Case { header, rows, breaks, repeat_header, page_numbers }
            },
        )
    })
}

fn render(c: &Case) -> String {
    let mut s = String::from("KẾ HOẠCH\n\nThực hiện nhiệm vụ năm 2024\n\nI. NỘI DUNG\n\nCác nhiệm vụ như sau.\n\n");
    let header: String = c.header.iter().map(|r| r.join("\t") + "\n").collect();
    s.push_str(&header);
    let mut page = 2;
    for (i, row) in c.rows.iter().enumerate() {
        s.push_str(&row.join("\t"));
        s.push('\n');
        if c.breaks.contains(&i) && i + 1 < c.rows.len() {
            s.push('\n');
            if c.page_numbers {
                s.push_str(&format!("{page}\n\n"));
                page += 1;
            }
            if c.repeat_header {
                s.push_str(&header);
            }
        }
    }
    s.push_str("\nII. TỔ CHỨC THỰC HIỆN\n\nCác sở, ngành thực hiện kế hoạch này.\n");
    s
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, .. ProptestConfig::default() })]

    #[test]
    fn a_table_split_over_pages_reads_back_whole(c in case()) {
        let text = render(&c);
        let r = engine().convert_bytes("table.txt", text.as_bytes());
        prop_assert_eq!(r.documents.len(), 1);
        let tables = &r.documents[0].tables;
        prop_assert_eq!(tables.len(), 1, "{}", text);
        prop_assert_eq!(&tables[0].header, &c.header, "{}", text);
        prop_assert_eq!(&tables[0].rows, &c.rows, "{}", text);
    }
}
