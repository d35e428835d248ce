//! Citations, basis, targets and prose budgets of the seed fixtures (`fixtures/seeds/`).
//!
//! Every value asserted here was checked by reading the source document, not copied from the
//! program's output; the comment above each check says where in the source it comes from.

use std::path::Path;
use std::sync::LazyLock;

use vanban::extract::money::{self, Separator};
use vanban::{Budget, Citation, Document, Engine, Record, Target};

static ENGINE: LazyLock<Engine> = LazyLock::new(|| Engine::new().expect("embedded grammars"));

fn seed(name: &str) -> Record {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/seeds").join(name);
    let record = ENGINE.convert_file(&path);
    assert!(!record.documents.is_empty(), "{name}: no document");
    record
}

fn text(record: &Record) -> &str {
    record.text.as_deref().expect("the engine keeps the text")
}

fn find<'a>(list: &'a [Citation], number: &str) -> &'a Citation {
    list.iter().find(|c| c.number.as_deref() == Some(number)).unwrap_or_else(|| panic!("{number} not in {list:#?}"))
}

fn find_law<'a>(list: &'a [Citation], title: &str) -> &'a Citation {
    list.iter().find(|c| c.title.as_deref() == Some(title)).unwrap_or_else(|| panic!("{title} not in {list:#?}"))
}

fn numbers(d: &Document) -> Vec<&str> {
    d.citations.iter().filter_map(|c| c.number.as_deref()).collect()
}

/// The budgets read from prose (table rows give budgets too, with a `table:` section).
fn prose(d: &Document) -> impl Iterator<Item = &Budget> {
    d.budgets.iter().filter(|b| !b.section.starts_with("table:"))
}

/// Spans point at what they describe.
fn check_spans(record: &Record) {
    let t = text(record);
    for d in &record.documents {
        for c in d.basis.iter().chain(&d.citations) {
            assert_eq!(t[c.span.start..c.span.end].split_whitespace().collect::<Vec<_>>().join(" "), c.text, "{c:?}");
        }
        for x in &d.targets {
            assert_eq!(&t[x.span.start..x.span.end], x.text, "{x:?}");
        }
        for b in prose(d) {
            assert_eq!(&t[b.span.start..b.span.end], b.text, "{b:?}");
        }
    }
}

#[test]
fn seed_000_basis_citations_and_targets() {
    let r = seed("000_2085c6b71fa0b3ee.txt");
    check_spans(&r);
    let d = &r.documents[0];
    // "Thực hiện Quyết định số 1968/QĐ-TTg ngày 22 tháng 11 năm 2021 của Thủ tướng Chính phủ
    // phê duyệt Đề án … và Công văn số 8425/BCT-XTTM ngày 28/12/2021 của Bộ Công Thương về việc …"
    let qd = find(&d.basis, "1968/QĐ-TTg");
    assert_eq!(qd.kind, "quyet_dinh");
    assert_eq!(qd.date.as_deref(), Some("2021-11-22"));
    assert_eq!(qd.issuer.as_deref(), Some("Thủ tướng Chính phủ"));
    assert_eq!(qd.title, None);
    let cv = find(&d.basis, "8425/BCT-XTTM");
    assert_eq!((cv.kind.as_str(), cv.date.as_deref()), ("cong_van", Some("2021-12-28")));
    assert_eq!(cv.issuer.as_deref(), Some("Bộ Công Thương"));
    // "Quyết định 1968" later is the same decision; the appendix line "(Kèm theo Kế hoạch số:
    // 135 /KH-UBND …)" is the plan itself.
    assert_eq!(numbers(d), ["1968/QĐ-TTg", "8425/BCT-XTTM"]);
    // The first mention is in the bold title line "Thực hiện Quyết định số 1968/QĐ-TTg …".
    let first = text(&r).find("Quyết định số 1968/QĐ-TTg").unwrap();
    assert_eq!(find(&d.citations, "1968/QĐ-TTg").span.start, first);

    // "2. Mục tiêu cụ thể đến năm 2025": "- 100% tổ chức xúc tiến thương mại và 100% doanh
    // nghiệp được cấp tài khoản … và 20% trong số này …", "- 25% số lượng hội chợ …", "- 100% các
    // tổ chức …; trên 1000 lượt doanh nghiệp …", "- 100% các tổ chức … và trên 1000 lượt …",
    // "- 100% thủ tục hành chính … với trên 90% doanh nghiệp hài lòng …".
    let t: Vec<(&str, Option<&str>, Option<&str>)> =
        d.targets.iter().map(|t| (t.value.as_str(), t.unit.as_deref(), t.comparator.as_deref())).collect();
    let pct = (Some("%"), None);
    let mut expected = vec![("100", pct), ("100", pct), ("20", pct), ("25", pct), ("100", pct)];
    expected.extend([("1000", (Some("lượt"), Some("gt"))), ("100", pct), ("1000", (Some("lượt"), Some("gt")))]);
    expected.extend([("100", pct), ("90", (Some("%"), Some("gt")))]);
    let expected: Vec<_> = expected.into_iter().map(|(v, (u, c))| (v, u, c)).collect();
    assert_eq!(t, expected);
    assert!(d.targets.iter().all(|t| t.year == Some(2025) && t.section == "II/2"), "{:#?}", d.targets);
    assert!(d.targets[0].text.starts_with("100% tổ chức xúc tiến thương mại và 100% doanh nghiệp"));
    // "mức độ 3, 4" has no unit: not a target.
    assert!(!d.targets.iter().any(|t| t.value == "3" || t.value == "4"));
}

#[test]
fn seed_001_own_number_misprints_and_evaluation() {
    let r = seed("001_5cca675edecf9f94.txt");
    check_spans(&r);
    let d = &r.documents[0];
    let n = numbers(d);
    // The plan's own number "Số: 525 /KH-UBND" (and "Kèm theo Kế hoạch số 525 /KH-UBND").
    assert!(!n.iter().any(|x| x.starts_with("525")), "{n:?}");
    // "Kế hoạch số 310/KH - UBND ngày 09/8/2022".
    assert!(n.contains(&"310/KH-UBND"), "{n:?}");
    // Appendix Ghi chú cells: "Văn bản số 2180/BTN MT-TCMT ngày 27/4/2022 của Bộ Tài nguyên và
    // Môi trường"; "Thông tư số 17/2021/T-T-BTNMT" (row 2.4) is "Thông tư số 17/2021/TT-BTNMT
    // ngày 14/10/2021" (row 2.5).
    let v = find(&d.citations, "2180/BTN MT-TCMT");
    assert_eq!((v.kind.as_str(), v.date.as_deref()), ("cong_van", Some("2022-04-27")));
    assert_eq!(v.issuer.as_deref(), Some("Bộ Tài nguyên và Môi trường"));
    assert_eq!(find(&d.citations, "17/2021/TT-BTNMT").kind, "thong_tu");
    assert!(!n.contains(&"17/2021/T-T-BTNMT"));
    // "Nghị quyết số 05-NQ/TU ngày 22/10/2021 của Ban Chấp hành Đảng bộ tỉnh (khóa XIX)" opens
    // the "Thực hiện …" preamble; "I. CĂN CỨ LẬP KẾ HOẠCH" lists "- Nghị quyết số 52-NQ/TW ngày
    // 27/9/2019 của Bộ Chính trị …".
    let nq = find(&d.basis, "05-NQ/TU");
    assert_eq!((nq.date.as_deref(), nq.issuer.as_deref()), (Some("2021-10-22"), Some("Ban Chấp hành Đảng bộ tỉnh")));
    let nq = find(&d.basis, "52-NQ/TW");
    assert_eq!(
        (nq.kind.as_str(), nq.date.as_deref(), nq.issuer.as_deref()),
        ("nghi_quyet", Some("2019-09-27"), Some("Bộ Chính trị"))
    );
    // "Quyết định số 1402/QĐ-UBND ngày 12/7/2022 về việc …" is in the evaluation, not the basis.
    assert!(d.citations.iter().any(|c| c.number.as_deref() == Some("1402/QĐ-UBND")));
    assert!(!d.basis.iter().any(|c| c.number.as_deref() == Some("1402/QĐ-UBND")));
    // Each document once.
    let mut sorted = n.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), n.len());

    // Targets only from "2. Mục tiêu cụ thể": the evaluation's "mới chỉ đạt 45%/ 40%/ 20%" (Phần
    // I) is a result; "tỷ lệ hồ sơ điện tử đạt tương ứng các cấp là 70%/60%/40%" is three
    // targets; "đến trên 1000 doanh nghiệp" has unit "doanh nghiệp"; "10-20 xã/ khu dân cư" is a
    // range. The plan is "Chuyển đổi số tỉnh Hà Tĩnh năm 2023".
    assert!(d.targets.iter().all(|t| t.section.starts_with("Phần II/II/2")), "{:#?}", d.targets);
    assert!(!d.targets.iter().any(|t| t.value == "45"));
    assert_eq!(d.targets.len(), 20);
    let values: Vec<&str> =
        d.targets.iter().filter(|t| t.text.contains("70%/60%/40%")).map(|t| t.value.as_str()).collect();
    assert_eq!(values, ["100", "70", "60", "40"]);
    let dn = d.targets.iter().find(|t| t.unit.as_deref() == Some("doanh nghiệp")).expect("1000 doanh nghiệp");
    assert_eq!((dn.value.as_str(), dn.comparator.as_deref()), ("1000", Some("gt")));
    let range = d.targets.last().expect("targets");
    assert_eq!((range.value.as_str(), range.unit.as_deref()), ("10-20", Some("xã/khu dân cư")));
    assert!(d.targets.iter().all(|t| t.year == Some(2023)));
    // "Tối thiểu 50% cơ sở kinh doanh bán lẻ …".
    assert!(d.targets.iter().any(|t| t.value == "50" && t.comparator.as_deref() == Some("ge")));
}

#[test]
fn seed_002_laws_by_title_and_two_documents() {
    let r = seed("002_87269858c6d15d9c.txt");
    check_spans(&r);
    assert_eq!(r.documents.len(), 2);
    let qd = &r.documents[0];
    // "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;"
    let law = find_law(&qd.basis, "Luật Tổ chức chính quyền địa phương");
    assert_eq!((law.kind.as_str(), law.number.as_deref(), law.date.as_deref()), ("luat", None, Some("2015-06-19")));
    // "Căn cứ Luật sửa đổi, bổ sung một số điều của Luật Tổ chức Chính phủ và Luật Tổ chức chính
    // quyền địa phương ngày 22 tháng 11 năm 2019;": one law; "Luật Tổ chức Chính phủ" is not
    // cited on its own.
    let amend = "Luật sửa đổi, bổ sung một số điều của Luật Tổ chức Chính phủ và Luật Tổ chức chính quyền địa phương";
    assert_eq!(find_law(&qd.basis, amend).date.as_deref(), Some("2019-11-22"));
    assert!(!qd.citations.iter().any(|c| c.title.as_deref() == Some("Luật Tổ chức Chính phủ")));
    // "Căn cứ Nghị định số 80/2021/NĐ-CP ngày 26 tháng 8 năm 2021 của Chính phủ Quy định chi tiết
    // …"; later "… của Nghị định" + "số 80/2021/NĐ-CP" split by a line break is the same decree.
    let nd = find(&qd.basis, "80/2021/NĐ-CP");
    assert_eq!(
        (nd.kind.as_str(), nd.date.as_deref(), nd.issuer.as_deref()),
        ("nghi_dinh", Some("2021-08-26"), Some("Chính phủ"))
    );
    // "Quyết định số 749/QĐ-TTg ngày 03 tháng 6 tháng 2020 (sic) của Thủ tướng Chính phủ".
    assert_eq!(find(&qd.basis, "749/QĐ-TTg").date.as_deref(), Some("2020-06-03"));
    // "Theo đề nghị của Giám đốc Sở Thông tin và Truyền thông tại Tờ trình số 115/TTr-STTTT ngày
    // 06 tháng 12 năm 2023."
    let tt = find(&qd.basis, "115/TTr-STTTT");
    assert_eq!((tt.kind.as_str(), tt.date.as_deref()), ("to_trinh", Some("2023-12-06")));
    // Three laws, 80/2021, 749, 411, 377, 06/2022, 52/2023, 38/KH-UBND and the Tờ trình.
    assert_eq!(qd.citations.len(), 11, "{:#?}", qd.citations);
    assert_eq!(qd.basis.len(), 11);

    let plan = &r.documents[1];
    // "(Ban hành kèm theo Quyết định số /QĐ-UBND …)": the number is blank, nothing is cited.
    assert!(plan.citations.iter().all(|c| c.number.as_deref().is_none_or(|n| !n.starts_with('/'))));
    // "Quyết định số 1358/QĐ-" + "BKHĐT" joined across the line break; the footnote cites
    // "Quyết định số 411/QĐ-TTg ngày 31/3/2022".
    let n = numbers(plan);
    assert!(n.contains(&"1358/QĐ-BKHĐT") && n.contains(&"411/QĐ-TTg"), "{n:?}");
    assert!(plan.citations.iter().any(|c| c.title.as_deref() == Some("Luật Ngân sách nhà nước")));
    // "2.2. Mục tiêu cụ thể đến năm 2025": 100%, 100%, "đạt tối thiểu 60%", "đạt trên 80%"; the
    // footnote's "đạt trên 50%" is not a target of this plan.
    let t: Vec<(&str, Option<&str>)> =
        plan.targets.iter().map(|t| (t.value.as_str(), t.comparator.as_deref())).collect();
    assert_eq!(t, [("100", None), ("100", None), ("60", Some("ge")), ("80", Some("gt"))]);
    assert!(plan.targets.iter().all(|t| t.year == Some(2025) && t.unit.as_deref() == Some("%")));
    assert!(qd.targets.is_empty() && prose(qd).next().is_none() && prose(plan).next().is_none());
}

#[test]
fn seed_003_prose_budget_and_targets_by_part() {
    let r = seed("003_bfbd08b261ba9875.txt");
    check_spans(&r);
    let d = &r.documents[0];
    // "1. Tổng kinh phí: 185,083 tỷ đồng, trong đó: - Vốn ngân sách Trung ương: 56 tỷ đồng. - Vốn
    // ngân sách địa phương: 86,923 tỷ đồng. - Vốn khác và vốn hợp tác công tư: 42,16 tỷ đồng …"
    let total: Vec<&Budget> = prose(d).filter(|b| b.is_total).collect();
    assert_eq!(total.len(), 1, "{:#?}", d.budgets);
    assert_eq!(total[0].text, "Tổng kinh phí: 185,083 tỷ đồng");
    assert_eq!((total[0].amount_vnd, total[0].unit.as_deref()), (Some(185_083_000_000), Some("tỷ đồng")));
    assert_eq!(total[0].section, "B/III/1");
    let part = |amount: i64| prose(d).find(|b| b.amount_vnd == Some(amount)).unwrap_or_else(|| panic!("{amount}"));
    assert_eq!(part(56_000_000_000).source_of_funds.as_deref(), Some("ngân sách trung ương"));
    assert_eq!(part(86_923_000_000).source_of_funds.as_deref(), Some("ngân sách địa phương"));
    assert_eq!(part(42_160_000_000).source_of_funds.as_deref(), Some("vốn khác"));
    // "III. Khái toán kinh phí: 38,39 tỷ đồng" is the 2017 part (C), not the grand total.
    assert!(!part(38_390_000_000).is_total);

    // "Chương trình hành động của Tỉnh ủy số 02-CT/TU"; "Văn bản số 916/KHDT- TH"; "đề án số 11"
    // is "11-ĐA/TU" of the appendix.
    let n = numbers(d);
    for want in ["02-CT/TU", "916/KHDT-TH", "11-ĐA/TU", "36/2016/NQ-HĐND", "03/2014/TT-BTTTT"] {
        assert!(n.contains(&want), "{want} not in {n:?}");
    }
    assert!(!n.contains(&"11") && !n.iter().any(|x| x.starts_with("391")), "{n:?}");

    // "B. KẾ HOẠCH … GIAI ĐOẠN 2017-2020 / I. Mục tiêu:" (15 percentages) and "C. KẾ HOẠCH … NĂM
    // 2017 / I. Mục tiêu:" (18); "liên thông 3 cấp" and "mức độ 3, 4" have no unit.
    let by = |section: &str| d.targets.iter().filter(|t| t.section == section).collect::<Vec<&Target>>();
    let (b, c) = (by("B/I"), by("C/I"));
    assert_eq!((b.len(), c.len(), d.targets.len()), (15, 18, 33));
    assert!(b.iter().all(|t| t.year == Some(2020)) && c.iter().all(|t| t.year == Some(2017)));
    // "gửi nhận văn bản điện tử đạt 80% trở lên", "Tối thiểu 80% công chức cấp tỉnh, 10% …".
    assert_eq!(b[2].value, "80");
    assert_eq!(b[2].comparator.as_deref(), Some("ge"));
    assert_eq!((b[13].value.as_str(), b[13].comparator.as_deref()), ("80", Some("ge")));
    assert_eq!((b[14].value.as_str(), b[14].comparator.as_deref()), ("10", None));
}

#[test]
fn seed_004_issued_plan() {
    let r = seed("004_86f8ac647726014a.txt");
    check_spans(&r);
    let (qd, plan) = (&r.documents[0], &r.documents[1]);
    // "Căn cứ Luật Tổ chức Chính quyền địa phương, ngày 19/6/2015;" and "Tờ trình số
    // 20/TTr-STTTT".
    let law = find_law(&qd.basis, "Luật Tổ chức Chính quyền địa phương");
    assert_eq!(law.date.as_deref(), Some("2015-06-19"));
    assert_eq!(find(&qd.basis, "20/TTr-STTTT").kind, "to_trinh");
    // The plan: "(Kèm theo Quyết định số /QĐ-UBND, ngày /3/2022 …)" is blank; "Thực hiện Quyết
    // định số 146/QĐ-TTg ngày 28/01/2022 của Thủ tướng Chính phủ …".
    assert_eq!(numbers(plan), ["146/QĐ-TTg"]);
    assert_eq!(find(&plan.basis, "146/QĐ-TTg").date.as_deref(), Some("2022-01-28"));
    // "2.1. Mục tiêu đến 2025" (7 figures, "tối thiểu 02 chuyên gia") and "2.2. Mục tiêu đến 2030" (6).
    let y2025 = plan.targets.iter().filter(|t| t.year == Some(2025)).count();
    let y2030 = plan.targets.iter().filter(|t| t.year == Some(2030)).count();
    assert_eq!((y2025, y2030), (7, 6));
    let experts = plan.targets.iter().find(|t| t.unit.as_deref() == Some("chuyên gia")).expect("02 chuyên gia");
    assert_eq!((experts.value.as_str(), experts.comparator.as_deref()), ("2", Some("ge")));
    assert!(qd.targets.is_empty());
}

#[test]
fn money_writing_for_tables() {
    let g = ENGINE.grammar();
    // The appendix table of seed 003 (Đơn vị tính: tỷ đồng) writes "46.273", "6.4", "17.5" in
    // its first row: the column's dots are decimal marks.
    let hint = money::decide_separator(["46.273", "6.4", "17.5", "15.2", "7.173"]);
    assert_eq!(hint, Separator::DotDecimal);
    assert_eq!(money::amount_vnd_with("46.273", "tỷ đồng", hint, g), Some(46_273_000_000));
    // Seed 001's total row "Tổng cộng … 95.200" in "(triệu đồng)".
    assert_eq!(money::amount_vnd("95.200", "(triệu đồng)", g), Some(95_200_000_000));
    // Seed 000's "TỔNG CỘNG (dự kiến) … 1130" under "ĐVT: Triệu đồng".
    assert_eq!(money::amount_vnd("1130", "ĐVT: Triệu đồng", g), Some(1_130_000_000));
}

/// A small plan written for this test: a target heading without a marker, an evaluation part, the
/// plan's own number cited in its preamble, a total with its parts on one line, and a rate.
#[test]
fn synthetic_plan_rules() {
    let plan = "ỦY BAN NHÂN DÂN TỈNH QUẢNG TRỊ\n\nSố: 12/KH-UBND\n\nQuảng Trị, ngày 05 tháng 01 năm 2024\n\n\
        KẾ HOẠCH\nPhát triển thương mại điện tử năm 2024\n\n\
        Căn cứ Quyết định số 645/QĐ-TTg ngày 15/5/2020 của Thủ tướng Chính phủ phê duyệt Kế hoạch tổng thể;\n\n\
        Thực hiện Kế hoạch số 12/KH-UBND của UBND tỉnh, Ủy ban nhân dân tỉnh ban hành Kế hoạch như sau:\n\n\
        I. KẾT QUẢ THỰC HIỆN NĂM 2023\n\nNăm 2023 mới chỉ đạt 45% doanh nghiệp có website.\n\n\
        II. NHIỆM VỤ\n\nMục tiêu cụ thể:\n\n\
        - 80% doanh nghiệp nhỏ và vừa ứng dụng thương mại điện tử;\n\
        - Tối đa 5% hồ sơ trễ hạn; không dưới 2.000 người được tập huấn.\n\n\
        Triển khai các nhiệm vụ theo Nghị định số 52/2013/NĐ-CP.\n\n\
        III. KINH PHÍ\n\n\
        Tổng kinh phí thực hiện: 1.250 triệu đồng, trong đó ngân sách tỉnh: 1.000 triệu đồng; xã hội hóa: 250 triệu đồng.\n\n\
        Mức hỗ trợ 2 triệu đồng/người/khóa; tổng kinh phí hỗ trợ tối đa 100 triệu đồng; kinh phí 5 triệu đồng cho mỗi doanh nghiệp.\n";
    let r = ENGINE.convert_bytes("plan.txt", plan.as_bytes());
    check_spans(&r);
    let d = &r.documents[0];
    assert_eq!(d.number.as_deref(), Some("12/KH-UBND"));
    assert_eq!(numbers(d), ["645/QĐ-TTg", "52/2013/NĐ-CP"]);
    assert_eq!(d.basis.len(), 1);
    let t: Vec<(&str, Option<&str>, Option<&str>)> =
        d.targets.iter().map(|t| (t.value.as_str(), t.unit.as_deref(), t.comparator.as_deref())).collect();
    assert_eq!(t, [("80", Some("%"), None), ("5", Some("%"), Some("le")), ("2000", Some("người"), Some("ge"))]);
    assert!(d.targets.iter().all(|t| t.year == Some(2024) && t.section == "II"));
    let b: Vec<(Option<i64>, Option<&str>, bool)> = d
        .budgets
        .iter()
        .filter(|b| b.section == "III")
        .map(|b| (b.amount_vnd, b.source_of_funds.as_deref(), b.is_total))
        .collect();
    assert_eq!(
        b,
        [
            (Some(1_250_000_000), None, true),
            (Some(1_000_000_000), Some("ngân sách tỉnh"), false),
            (Some(250_000_000), Some("xã hội hóa"), false),
            (Some(100_000_000), None, false)
        ]
    );
    assert_eq!(prose(d).filter(|b| b.is_total).count(), 1);
    // A ceiling is not a total; rates ("/người/khóa", "cho mỗi doanh nghiệp") are not amounts.
    let ceiling = prose(d).find(|b| b.amount_vnd == Some(100_000_000)).expect("tối đa 100 triệu đồng");
    assert!(!ceiling.is_total);
    assert!(!prose(d).any(|b| b.amount_vnd == Some(2_000_000) || b.amount_vnd == Some(5_000_000)));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
    /// Documents made of plan-like fragments never make the extractors panic, and every span of
    /// a citation, target or prose budget points at its text.
    #[test]
    fn fragments_never_panic(lines in proptest::collection::vec(proptest::sample::select(vec![
        "KẾ HOẠCH", "Số: 12/KH-UBND", "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;",
        "Căn cứ Nghị định\n\nsố 80/2021/NĐ-CP ngày 26/8/2021 của", "Chính phủ;", "QUYẾT ĐỊNH:", "I. MỤC TIÊU",
        "1. Mục tiêu cụ thể đến năm 2025", "- 100% xã, 70%/60%/40% hồ sơ; trên 1.000 người", "Mục tiêu:",
        "II. ĐÁNH GIÁ", "mới chỉ đạt 45%", "III. KINH PHÍ", "Tổng kinh phí: 185,083 tỷ đồng, trong đó: 56 tỷ",
        "- Vốn ngân sách Trung ương: 1.5 tỷ đồng/năm;", "(Kèm theo Kế hoạch số 12/KH-UBND)", "LUẬT SỬA ĐỔI, BỔ",
        "Luật sửa đổi, bổ sung một số điều của Luật A và", "Văn bản số 2180/BTN MT-TCMT", "…05…./2006/ QĐ",
        "ngân sách tỉnh: 10\u{a0}tỷ", "\t1.2\tx\t95.200\t", "[^1]: Quyết định số 411/QĐ-TTg", "", "Đ ư ơ",
    ]), 0..30)) {
        let text = lines.join("\n");
        let r = ENGINE.convert_bytes("fragments.txt", text.as_bytes());
        assert!(!r.diagnostics.iter().any(|d| d.code == "internal.panic"), "{:?}", r.diagnostics);
        if r.text.is_some() {
            check_spans(&r);
        }
    }
}
