//! PDF, DOCX and HTML inputs: real documents against their checked outlines, a PDF printed from
//! a seed against the seed's text, and malformed inputs of each format against their diagnostics.
//!
//! `fixtures/formats/` holds dev-corpus documents of each format (cut down where large: the PDF's
//! images blanked, the HTML pages' styles, scripts and inline images removed, their navigation,
//! table of contents and footer kept) and two seeds printed to PDF with LibreOffice
//! (`libreoffice --headless --convert-to pdf`). `fixtures/formats/expected/*.outline` are their
//! outlines in the format of `tests/golden.rs`, checked against the documents (see
//! `fixtures/README.md`). `VANBAN_BLESS=1 cargo test --test formats` rewrites them; a rewritten
//! outline must be read against its document again before it is committed.
//!
//! The malformed inputs are made here, from the fixtures or from scratch.

use std::fs;
use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use vanban::{Engine, Record, Section, Span, Status};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/formats")
}

fn engine() -> Engine {
    Engine::new().expect("embedded grammars are valid")
}

fn fixture(name: &str) -> Vec<u8> {
    fs::read(dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn outline(record: &Record) -> String {
    fn walk(out: &mut String, sections: &[Section]) {
        for s in sections {
            out.push_str(&format!("{} | {} | {}\n", s.path, s.scheme, s.title));
            walk(out, &s.children);
        }
    }
    let mut out = String::new();
    for d in &record.documents {
        out.push_str(&format!("# {} {}\n", d.kind, d.kind_label.as_deref().unwrap_or("-")));
        walk(&mut out, &d.sections);
    }
    out
}

/// Spans inside the text and their parents, paths made of the markers, page starts in order.
fn check_invariants(record: &Record) {
    let text = record.text.as_deref().expect("the text is kept");
    let in_text = |s: Span| {
        s.start <= s.end && s.end <= text.len() && text.is_char_boundary(s.start) && text.is_char_boundary(s.end)
    };
    fn check(parent: Span, path: &str, sections: &[Section], in_text: &dyn Fn(Span) -> bool) {
        let mut prev = parent.start;
        for s in sections {
            assert!(
                in_text(s.span) && parent.contains(s.span) && s.span.start >= prev,
                "{}: span {:?}",
                s.path,
                s.span
            );
            prev = s.span.end;
            let expected = if path.is_empty() { s.marker.to_string() } else { format!("{path}/{}", s.marker) };
            assert_eq!(s.path, expected);
            check(s.span, &s.path, &s.children, in_text);
        }
    }
    for d in &record.documents {
        assert!(in_text(d.span));
        check(d.span, "", &d.sections, &in_text);
    }
    let starts = &record.source.page_starts;
    if let Some(pages) = record.source.pages {
        assert_eq!(starts.len(), pages as usize, "one start per page");
        assert_eq!(starts.first(), Some(&0));
    } else {
        assert!(starts.is_empty());
    }
    assert!(starts.windows(2).all(|w| w[0] <= w[1]), "page starts in order: {starts:?}");
    assert!(starts.iter().all(|&s| s <= text.len() && text.is_char_boundary(s)), "{starts:?}");
}

#[test]
fn formats_match_their_checked_outlines() {
    let engine = engine();
    let bless = std::env::var_os("VANBAN_BLESS").is_some();
    let mut names: Vec<String> = fs::read_dir(dir())
        .expect("fixtures/formats exists")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".pdf") || n.ends_with(".docx") || n.ends_with(".html"))
        .collect();
    names.sort();
    assert_eq!(names.len(), 8, "{names:?}");
    let mut failures = Vec::new();
    for name in names {
        let record = engine.convert_file(&dir().join(&name));
        assert_eq!(record.status, Status::Ok, "{name}: {:?}", record.diagnostics);
        check_invariants(&record);
        let got = outline(&record);
        let expected_path = dir().join("expected").join(format!("{name}.outline"));
        if bless {
            fs::write(&expected_path, &got).unwrap();
            continue;
        }
        let expected = fs::read_to_string(&expected_path).unwrap_or_default();
        if got != expected {
            failures.push(format!("{name}:\n--- expected\n{expected}+++ got\n{got}"));
        }
    }
    assert!(failures.is_empty(), "outlines differ from the checked ones:\n{}", failures.join("\n"));
}

#[test]
fn pdf_page_starts_point_at_each_page() {
    let record = engine().convert_bytes("004.pdf", &fixture("004_bxd-QD1074-2026-giaiphap-pccc.pdf"));
    let text = record.text.as_deref().unwrap();
    assert_eq!(record.source.pages, Some(2));
    assert_eq!(record.source.page_starts.len(), 2);
    // Page 2 of the decision starts with its Điều 3 (checked with `pdftotext -f 2`).
    assert!(text[record.source.page_starts[1]..].starts_with("Điều 3. Tổ chức thực hiện"), "{text}");
}

#[test]
fn letterhead_tables_keep_issuer_number_place_and_date() {
    // 015: the letterhead is a borderless table; read as lines, left column first.
    let record = engine().convert_bytes("015.docx", &fixture("015_ttg-CT07-2012-KKT-KCN-CCN.docx"));
    let d = &record.documents[0];
    assert_eq!(d.number.as_deref(), Some("07/CT-TTg"));
    assert_eq!(d.date.as_deref(), Some("2012-03-02"));
    assert_eq!(d.place.as_deref(), Some("Hà Nội"));
    assert_eq!(d.issuer.as_ref().map(|i| i.name.as_str()), Some("Thủ tướng Chính phủ"));
    assert!(d.tables.is_empty(), "layout tables are no tables");
    let text = record.text.as_deref().unwrap();
    assert!(!text.lines().any(|l| l.contains('\t') && l.contains("CỘNG HÒA")), "{text}");
}

#[test]
fn docx_numbering_is_rendered_and_tables_are_rows() {
    // 012: the appendix table's TT column is Word auto-numbering ("1." … "9.").
    let record = engine().convert_bytes("012.docx", &fixture("012_laocai-SCT-KH3898-2026-huanluyen-vlncn.docx"));
    let text = record.text.as_deref().unwrap();
    let rows: Vec<&str> = text.lines().filter(|l| l.contains('\t')).collect();
    assert_eq!(rows.len(), 10, "a header row and nine task rows: {rows:#?}");
    assert!(rows[0].starts_with("TT\tNhiệm vụ thực hiện\tNgười thực hiện"), "{}", rows[0]);
    assert!(rows[1].starts_with("1.\tRà soát việc đáp ứng"), "{}", rows[1]);
    assert!(rows[9].starts_with("9.\tTrình ký Quyết định"), "{}", rows[9]);
    // No anchor offsets leak (the drawings' wp:posOffset values).
    assert!(!text.contains("270510") && !text.contains("9525"), "{text}");
}

#[test]
fn a_ruled_pdf_table_reads_like_the_docx_table() {
    // 012 printed to PDF by LibreOffice: the bordered attachment table, with cells wrapped over
    // several lines, gives the same tab-separated rows as the DOCX; the letterhead (no borders)
    // is read left column first.
    let engine = engine();
    let rows = |r: &Record| -> Vec<String> {
        r.text.as_deref().unwrap().lines().filter(|l| l.contains('\t')).map(str::to_owned).collect()
    };
    let docx = engine.convert_bytes("012.docx", &fixture("012_laocai-SCT-KH3898-2026-huanluyen-vlncn.docx"));
    let pdf = engine.convert_bytes("012.pdf", &fixture("printed_012_laocai-SCT-KH3898-2026-huanluyen-vlncn.pdf"));
    assert_eq!(pdf.status, Status::Ok, "{:?}", pdf.diagnostics);
    assert_eq!(rows(&pdf), rows(&docx));
    assert_eq!(rows(&pdf).len(), 10);
    let text = pdf.text.as_deref().unwrap();
    assert!(text.starts_with("UBND TỈNH LÀO CAI\nSỞ CÔNG THƯƠNG\n\nSố: /KH-SCT\n\nCỘNG HÒA"), "{}", &text[..200]);
    let (a, b) = (&docx.documents[0], &pdf.documents[0]);
    assert_eq!((&a.kind, &a.date, &a.place), (&b.kind, &b.date, &b.place));
    assert_eq!(outline(&docx), outline(&pdf));
}

#[test]
fn html_chrome_is_dropped() {
    let record = engine().convert_bytes("021.html", &fixture("021_ttg-QD05-2026-phanbo-von_vbpl.html"));
    let text = record.text.as_deref().unwrap();
    assert!(text.starts_with("THỦ TƯỚNG CHÍNH PHỦ"), "{}", &text[..200]);
    for chrome in ["Mục lục", "Thuộc tính", "CƠ SỞ DỮ LIỆU QUỐC GIA", "anticon", "function("] {
        assert!(!text.contains(chrome), "{chrome} leaked");
    }
    // Each Điều once: the table of contents does not repeat them.
    assert_eq!(text.matches("Điều 1. Phạm vi điều chỉnh").count(), 1);
}

/// Tasks as (section, lead names).
type Tasks = Vec<(String, Vec<String>)>;

/// Kinds, the section outline and the tasks of a record.
fn structure(record: &Record) -> (Vec<String>, String, Tasks) {
    let kinds = record.documents.iter().map(|d| d.kind.to_string()).collect();
    let tasks = record
        .documents
        .iter()
        .flat_map(|d| &d.tasks)
        .map(|t| (t.section.to_string(), t.lead.iter().map(|a| a.name.to_string()).collect()))
        .collect();
    (kinds, outline(record), tasks)
}

#[test]
fn a_pdf_printed_from_a_seed_reads_like_the_seed() {
    let engine = engine();
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/seeds");
    for seed in ["000_2085c6b71fa0b3ee", "004_86f8ac647726014a"] {
        let text = engine.convert_file(&seeds.join(format!("{seed}.txt")));
        let pdf = engine.convert_file(&dir().join(format!("seed_{seed}.pdf")));
        assert_eq!(pdf.status, Status::Ok, "{seed}: {:?}", pdf.diagnostics);
        let (a, b) = (structure(&text), structure(&pdf));
        assert_eq!(a.0, b.0, "{seed}: documents");
        assert_eq!(a.1, b.1, "{seed}: sections");
        assert!(!b.1.is_empty() && !b.2.is_empty());
        if seed.starts_with("004") {
            assert_eq!(a.2, b.2, "{seed}: tasks");
        } else {
            // Seed 000's appendix is a tab-separated table in the text; printed from plain text
            // it becomes lines of words in the PDF, no table. Every task of the body is found.
            let body = |t: &Tasks| t.iter().filter(|(s, _)| !s.starts_with("table:")).cloned().collect::<Vec<_>>();
            assert_eq!(body(&a.2), body(&b.2), "{seed}: tasks");
        }
    }
}

/// A PDF from its objects (`n 0 obj` bodies, in order from 1), with a correct xref table.
fn pdf(objects: &[String]) -> Vec<u8> {
    let mut out = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        write!(out, "{} 0 obj\n{body}\nendobj\n", i + 1).unwrap();
    }
    let xref = out.len();
    write!(out, "xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).unwrap();
    for o in offsets {
        writeln!(out, "{o:010} 00000 n ").unwrap();
    }
    write!(out, "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).unwrap();
    out
}

fn stream(dict: &str, content: &str) -> String {
    format!("<< {dict} /Length {} >>\nstream\n{content}\nendstream", content.len())
}

/// One page showing `lines` in Helvetica, the font's codes mapped to text by `to_unicode` (a
/// CMap body) when given.
fn text_pdf(lines: &[&str], to_unicode: Option<&str>) -> Vec<u8> {
    let mut content = String::from("BT /F1 12 Tf 14 TL 72 760 Td\n");
    for l in lines {
        content.push_str(&format!("({l}) Tj T*\n"));
    }
    content.push_str("ET");
    let tounicode = if to_unicode.is_some() { " /ToUnicode 6 0 R" } else { "" };
    let mut objects = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_owned(),
        stream("", &content),
        format!("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding{tounicode} >>"),
    ];
    if let Some(cmap) = to_unicode {
        let body = format!(
            "/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /X def\n\
             1 begincodespacerange <00> <FF> endcodespacerange\n{cmap}\nendcmap CMapName currentdict /CMap defineresource pop end end"
        );
        objects.push(stream("", &body));
    }
    pdf(&objects)
}

fn codes(record: &Record) -> Vec<&str> {
    record.diagnostics.iter().map(|d| d.code.as_str()).collect()
}

const LINES: [&str; 6] = [
    "ABCDE FGHIJ KLMNO PQRST",
    "UVWXY ABCDE FGHIJ KLMNO",
    "PQRST UVWXY ABCDE FGHIJ",
    "KLMNO PQRST UVWXY ABCDE",
    "FGHIJ KLMNO PQRST UVWXY",
    "ABCDE FGHIJ KLMNO PQRST",
];

#[test]
fn a_garbled_text_layer_fails_with_no_text() {
    // Broken character maps: the letters map to Cyrillic (as in dev/030, "6Ӣ CÔNG 7+ѬѪ1*").
    let cyrillic = "1 beginbfrange <41> <5A> <0460> endbfrange\n1 beginbfchar <20> <0020> endbfchar";
    let record = engine().convert_bytes("broken.pdf", &text_pdf(&LINES, Some(cyrillic)));
    assert_eq!(record.status, Status::Failed);
    assert_eq!(codes(&record), ["decode.garbled_text_layer"]);
    assert!(record.text.is_none() && record.documents.is_empty());
    // Glyphs mapped to nothing leave holes in the words: garbled as well.
    let holes = "1 beginbfrange <41> <4D> <0061> endbfrange\n1 beginbfchar <20> <0020> endbfchar";
    let record = engine().convert_bytes("holes.pdf", &text_pdf(&LINES, Some(holes)));
    assert_eq!(record.status, Status::Failed, "{:?} {:?}", record.diagnostics, record.text);
    assert_eq!(codes(&record), ["decode.garbled_text_layer"]);
}

/// A PDF of several pages, each in its own font: (lines, ToUnicode CMap body or none).
fn pages_pdf(pages: &[(&[&str], Option<&str>)]) -> Vec<u8> {
    let mut objects = vec!["<< /Type /Catalog /Pages 2 0 R >>".to_owned(), String::new()];
    let mut kids = Vec::new();
    for (lines, cmap) in pages {
        let page = objects.len() + 1;
        kids.push(format!("{page} 0 R"));
        let (content, font, map) = (page + 1, page + 2, page + 3);
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {content} 0 R /Resources << /Font << /F1 {font} 0 R >> >> >>"
        ));
        let mut text = String::from("BT /F1 12 Tf 14 TL 72 760 Td\n");
        for l in lines.iter() {
            text.push_str(&format!("({l}) Tj T*\n"));
        }
        text.push_str("ET");
        objects.push(stream("", &text));
        let tounicode = if cmap.is_some() { format!(" /ToUnicode {map} 0 R") } else { String::new() };
        objects.push(format!(
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding{tounicode} >>"
        ));
        if let Some(cmap) = cmap {
            let body = format!(
                "/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /X def\n\
                 1 begincodespacerange <00> <FF> endcodespacerange\n{cmap}\nendcmap CMapName currentdict /CMap defineresource pop end end"
            );
            objects.push(stream("", &body));
        }
    }
    objects[1] = format!("<< /Type /Pages /Kids [{}] /Count {} >>", kids.join(" "), pages.len());
    pdf(&objects)
}

#[test]
fn a_garbled_page_is_left_out_and_named() {
    // Page 1 reads as Vietnamese: ASCII as itself, five codes for Đ, ề, ạ, ỉ, đ.
    let vietnamese = "1 beginbfrange <20> <7E> <0020> endbfrange\n\
                      5 beginbfchar <80> <0110> <81> <1EC1> <82> <1EA1> <83> <1EC9> <84> <0111> endbfchar";
    let line = "\\200i\\201u 1. Ph\\202m vi \\204i\\201u ch\\203nh c\\202nh tranh trong kinh doanh";
    let good: Vec<&str> = vec![line; 6];
    let cyrillic = "1 beginbfrange <41> <5A> <0460> endbfrange\n1 beginbfchar <20> <0020> endbfchar";
    let record =
        engine().convert_bytes("mixed.pdf", &pages_pdf(&[(&good, Some(vietnamese)), (&LINES, Some(cyrillic))]));
    assert_eq!(record.status, Status::Partial, "{:?}", record.diagnostics);
    let garbled = record.diagnostics.iter().find(|d| d.code == "decode.garbled_text_layer").expect("named");
    assert_eq!(garbled.severity, vanban::Severity::Warning);
    assert!(garbled.message.starts_with("page 2 "), "{}", garbled.message);
    let text = record.text.as_deref().unwrap();
    assert!(text.starts_with("Điều 1. Phạm vi điều chỉnh"), "{text}");
    assert!(!text.contains('Ѡ') && !text.contains("ABCDE"), "{text}");
    assert_eq!(record.source.pages, Some(2));
    assert_eq!(record.source.page_starts, [0, text.len()], "the left-out page starts where the text ends");
}

#[test]
fn an_image_only_pdf_has_no_text_layer() {
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>".to_owned(),
        stream("", "0 0 1 rg 100 100 200 200 re f"),
    ];
    let record = engine().convert_bytes("scan.pdf", &pdf(&objects));
    assert_eq!(record.status, Status::Failed);
    assert_eq!(codes(&record), ["decode.no_text_layer"]);
    assert!(record.diagnostics[0].message.contains("OCR"), "{}", record.diagnostics[0].message);
}

#[test]
fn an_encrypted_pdf_is_reported() {
    let mut bytes = text_pdf(&["Dieu 1"], None);
    let trailer = memchr::memmem::rfind(&bytes, b"trailer").unwrap();
    let encrypt = b"trailer\n<< /Encrypt << /Filter /Standard /V 1 /R 2 /O <0000000000000000000000000000000000000000000000000000000000000000> /U <1111111111111111111111111111111111111111111111111111111111111111> /P -4 >> /ID [<00112233445566778899aabbccddeeff> <00112233445566778899aabbccddeeff>]";
    bytes.splice(trailer..trailer + b"trailer\n<<".len(), encrypt.iter().copied());
    let record = engine().convert_bytes("locked.pdf", &bytes);
    assert_eq!(record.status, Status::Failed);
    assert_eq!(codes(&record), ["decode.encrypted_pdf"], "{:?}", record.diagnostics);
}

/// Convert `bytes` within a time bound; the record must say what is wrong with an error or a
/// warning.
fn malformed(name: &str, bytes: &[u8]) -> Record {
    let started = Instant::now();
    let record = engine().convert_bytes(name, bytes);
    assert!(started.elapsed() < Duration::from_secs(60), "{name}: took {:?}", started.elapsed());
    assert!(
        record.diagnostics.iter().any(|d| d.severity != vanban::Severity::Info),
        "{name}: no diagnostic: {:?}",
        record.diagnostics
    );
    assert!(!codes(&record).contains(&"internal.panic"), "{name}: {:?}", record.diagnostics);
    record
}

#[test]
fn malformed_pdfs_give_diagnostics() {
    let good = fixture("004_bxd-QD1074-2026-giaiphap-pccc.pdf");
    // Truncated: the cross-reference table and the end-of-file marker are gone.
    for keep in [good.len() / 2, good.len() - 300, 2000, 20] {
        let r = malformed("cut.pdf", &good[..keep]);
        assert!(codes(&r).contains(&"decode.truncated_pdf"), "{keep}: {:?}", r.diagnostics);
    }
    // A bad cross-reference table: every offset points at nothing.
    let mut bad = good.clone();
    let at = memchr::memmem::rfind(&bad, b"startxref").unwrap();
    let tail = b"startxref\n999999999\n%%EOF\n";
    bad.truncate(at);
    bad.extend_from_slice(tail);
    let r = malformed("xref.pdf", &bad);
    assert_ne!(r.status, Status::Ok);
    // Wrong magic: a PDF signature and nothing of a PDF after it, and a ".pdf" that is no PDF.
    let r = malformed("junk.pdf", b"%PDF-1.7\n\x01\x02\x03 not an object at all\n%%EOF\n");
    assert_eq!(r.status, Status::Failed);
    malformed("fake.pdf", b"\x00\x01\x02\x03PDF? no\xFF\xFE\x00");
    // Objects nested far deeper than any document.
    let deep = format!("{}0{}", "[".repeat(50_000), "]".repeat(50_000));
    let objects = ["<< /Type /Catalog /Pages 2 0 R >>".to_owned(), format!("<< /Type /Pages /Kids {deep} /Count 1 >>")];
    malformed("deep.pdf", &pdf(&objects));
}

/// A ZIP holding `word/document.xml` as a deflate stream of about `n` zero bytes, made by hand
/// (fixed Huffman codes, repeats of length 258 at distance 1): a megabyte that inflates to
/// hundreds. (A header that understates the size is no bomb: the archive reader stops there.)
fn zip_bomb(n: usize) -> Vec<u8> {
    struct Bits {
        out: Vec<u8>,
        acc: u32,
        len: u32,
    }
    impl Bits {
        fn put(&mut self, value: u32, n: u32) {
            for i in 0..n {
                self.acc |= ((value >> i) & 1) << self.len;
                self.len += 1;
                if self.len == 8 {
                    self.out.push(self.acc as u8);
                    (self.acc, self.len) = (0, 0);
                }
            }
        }
        /// A Huffman code, most significant bit first.
        fn code(&mut self, code: u32, n: u32) {
            for i in (0..n).rev() {
                self.put((code >> i) & 1, 1);
            }
        }
    }
    let mut bits = Bits { out: Vec::new(), acc: 0, len: 0 };
    bits.put(1, 1); // last block
    bits.put(1, 2); // fixed Huffman codes
    bits.code(0x30, 8); // literal 0
    for _ in 0..n / 258 {
        bits.code(0b1100_0101, 8); // length 258
        bits.code(0, 5); // distance 1
    }
    bits.code(0, 7); // end of block
    if bits.len > 0 {
        bits.out.push(bits.acc as u8);
    }
    let data = bits.out;
    let inflated = 1 + n / 258 * 258;
    let name = b"word/document.xml";
    let mut zip = Vec::new();
    let header = |zip: &mut Vec<u8>, central: bool, offset: u32| {
        zip.extend_from_slice(if central { b"PK\x01\x02" } else { b"PK\x03\x04" });
        if central {
            zip.extend_from_slice(&20u16.to_le_bytes());
        }
        zip.extend_from_slice(&20u16.to_le_bytes()); // version needed
        zip.extend_from_slice(&0u16.to_le_bytes()); // flags
        zip.extend_from_slice(&8u16.to_le_bytes()); // deflate
        zip.extend_from_slice(&[0, 0, 0x21, 0]); // time, date
        zip.extend_from_slice(&0u32.to_le_bytes()); // crc (never reached)
        zip.extend_from_slice(&(data.len() as u32).to_le_bytes());
        zip.extend_from_slice(&(inflated as u32).to_le_bytes());
        zip.extend_from_slice(&(name.len() as u16).to_le_bytes());
        zip.extend_from_slice(&0u16.to_le_bytes());
        if central {
            zip.extend_from_slice(&[0; 6]); // comment length, disk, internal attributes
            zip.extend_from_slice(&0u32.to_le_bytes()); // external attributes
            zip.extend_from_slice(&offset.to_le_bytes());
        }
        zip.extend_from_slice(name);
    };
    header(&mut zip, false, 0);
    zip.extend_from_slice(&data);
    let central = zip.len();
    header(&mut zip, true, 0);
    let size = zip.len() - central;
    zip.extend_from_slice(b"PK\x05\x06");
    zip.extend_from_slice(&[0, 0, 0, 0, 1, 0, 1, 0]);
    zip.extend_from_slice(&(size as u32).to_le_bytes());
    zip.extend_from_slice(&(central as u32).to_le_bytes());
    zip.extend_from_slice(&0u16.to_le_bytes());
    zip
}

#[test]
fn malformed_docx_give_diagnostics() {
    let good = fixture("015_ttg-CT07-2012-KKT-KCN-CCN.docx");
    for keep in [good.len() / 2, good.len() - 10, 100] {
        let r = malformed("cut.docx", &good[..keep]);
        assert_eq!(r.status, Status::Failed);
    }
    // Wrong magic: a ZIP signature and garbage.
    let r = malformed("junk.docx", b"PK\x03\x04 this is not an archive");
    assert_eq!(codes(&r), ["decode.docx_error"]);
    // A zip bomb: 1 MB that inflates to 300 MB.
    let bomb = zip_bomb(300 << 20);
    assert!(bomb.len() < 2 << 20, "{}", bomb.len());
    let r = malformed("bomb.docx", &bomb);
    assert_eq!(codes(&r), ["decode.zip_bomb"], "{:?}", r.diagnostics);
}

#[test]
fn malformed_html_gives_diagnostics_or_text() {
    // 100 000 nested <div>s: bounded time, the text kept, the flattening said.
    let n = 100_000;
    let page =
        format!("<!DOCTYPE html><html><body>{}Điều 1. Phạm vi{}</body></html>", "<div>".repeat(n), "</div>".repeat(n));
    let r = malformed("deep.html", page.as_bytes());
    assert!(codes(&r).contains(&"decode.html_too_deep"));
    assert!(r.text.as_deref().unwrap().contains("Điều 1. Phạm vi"));
    // Cut in the middle of a tag and an entity: what is there is read.
    let good = fixture("022_bkhcn-TT57-2025-chi-ungdung-cntt_vbpl.html");
    let cut = &good[..good.len() * 3 / 5];
    let record = engine().convert_bytes("cut.html", cut);
    assert_ne!(record.status, Status::Failed, "{:?}", record.diagnostics);
    // Invalid UTF-8 in a page that declares none.
    let r = malformed("latin.html", b"<html><body><p>Ph\xE1m vi \xFF\xFE \xC3</p></body></html>");
    assert_ne!(r.status, Status::Failed);
    // Nothing but chrome.
    let r =
        engine().convert_bytes("empty.html", b"<html><head><script>var a = 1;</script></head><body> </body></html>");
    assert_eq!(r.status, Status::Failed);
}

#[test]
fn damaged_fixtures_never_panic() {
    // Bytes flipped through the structured formats: each gives a record, never a panic.
    let engine = engine();
    for name in [
        "004_bxd-QD1074-2026-giaiphap-pccc.pdf",
        "015_ttg-CT07-2012-KKT-KCN-CCN.docx",
        "021_ttg-QD05-2026-phanbo-von_vbpl.html",
    ] {
        let good = fixture(name);
        for seed in 1..=12usize {
            let mut bytes = good.clone();
            let mut x = seed.wrapping_mul(0x9E37_79B9);
            for _ in 0..64 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let at = x % bytes.len();
                bytes[at] = (x >> 8) as u8;
            }
            let record = engine.convert_bytes(name, &bytes);
            assert!(!codes(&record).contains(&"internal.panic"), "{name} #{seed}: {:?}", record.diagnostics);
        }
    }
}

#[test]
fn zip_helpers_are_sound() {
    // The hand-made bomb is a valid archive: a small one inflates to exactly its zeros.
    let small = zip_bomb(258 * 4);
    let mut archive = zip::ZipArchive::new(Cursor::new(small)).unwrap();
    let mut file = archive.by_index(0).unwrap();
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut file, &mut out).ok();
    assert!(out.len() == 258 * 4 + 1 && out.iter().all(|&b| b == 0), "{}", out.len());
}
