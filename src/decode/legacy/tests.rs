//! Round trips over the tables and detection on samples.

use super::detect::{CANDIDATES, detect};
use super::*;

/// The 134 Vietnamese letters that are not ASCII: the twelve vowels with and without each of
/// the five tones (less the six plain ASCII vowels), đ, and their capitals.
fn vietnamese_letters() -> Vec<char> {
    let mut out = Vec::new();
    for base in ["a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y"] {
        for tone in ["", "\u{300}", "\u{301}", "\u{309}", "\u{303}", "\u{323}"] {
            let s: String = format!("{base}{tone}").nfc().collect();
            let c = s.chars().next().unwrap_or(' ');
            if s.chars().count() == 1 && !c.is_ascii() {
                out.push(c);
            }
        }
    }
    out.push('đ');
    let upper: Vec<char> = out.iter().flat_map(|c| c.to_uppercase()).collect();
    out.extend(upper);
    out
}

/// The shortest byte sequence (one code, or a base code and a mark code) that `encoding`
/// decodes to `target`, found by search over the decoder: the tables are only ever read one way.
/// Only the codes the encoding assigns (and ASCII) are used, not the Windows-1252 fallbacks.
fn encode(target: &str, encoding: Encoding) -> Option<Vec<u8>> {
    let table = tables::table(encoding);
    let codes: Vec<u8> =
        (0..=255u8).filter(|b| b.is_ascii() || table.is_none_or(|t| t.assigned().contains(b))).collect();
    if let Some(&b) = codes.iter().find(|&&b| decode_with(&[b], encoding) == target) {
        return Some(vec![b]);
    }
    let nfd: String = target.nfd().collect();
    for &b1 in &codes {
        let base = decode_with(&[b1], encoding);
        if base.chars().count() != 1 || base.nfd().next() != nfd.chars().next() {
            continue;
        }
        if let Some(&b2) = codes.iter().find(|&&b2| decode_with(&[b1, b2], encoding) == target) {
            return Some(vec![b1, b2]);
        }
    }
    None
}

#[test]
fn every_letter_round_trips() {
    let letters = vietnamese_letters();
    assert_eq!(letters.len(), 134);
    for encoding in CANDIDATES {
        let mut covered = 0;
        for &c in &letters {
            let s = c.to_string();
            let Some(bytes) = encode(&s, encoding) else { continue };
            assert_eq!(decode_with(&bytes, encoding), s, "{encoding:?} {c}");
            covered += 1;
        }
        // TCVN3 (VN3) has the 67 lower-case letters and 7 capitals; VPS lacks the 14 capitals
        // it puts in C0 (see tables.txt).
        let want = match encoding {
            Encoding::Tcvn3 => 74,
            Encoding::Vps => 120,
            _ => 134,
        };
        assert_eq!(covered, want, "{encoding:?}");
    }
}

#[test]
fn every_mapped_code_round_trips() {
    for encoding in [Encoding::Tcvn3, Encoding::Vni, Encoding::Viscii, Encoding::Vps] {
        let table = tables::table(encoding).unwrap_or_else(tables::cp1252);
        for &b in table.assigned() {
            let s = decode_with(&[b], encoding);
            if s.chars().all(|c| ('\u{300}'..='\u{36F}').contains(&c)) {
                // A mark code (VNI): it must compose with a vowel, and the result round-trip.
                let base = if (0xC0..0xE0).contains(&b) { b'A' } else { b'a' };
                let composed = decode_with(&[base, b], encoding);
                assert_eq!(composed.chars().count(), 1, "{encoding:?} {b:02X}: {composed:?}");
                let back = encode(&composed, encoding).unwrap_or_default();
                assert_eq!(decode_with(&back, encoding), composed, "{encoding:?} {b:02X}");
                continue;
            }
            let back = encode(&s, encoding).unwrap_or_default();
            assert_eq!(back, vec![b], "{encoding:?} {b:02X} {s:?}");
        }
    }
}

#[test]
fn vni_typing_slips() {
    // A hook typed after the space, a grave after the bracket, a breve typed twice (dev/028).
    assert_eq!(decode_with(b"C\xf4 s\xf4 \xfbba\xe8ng", Encoding::Vni), "Cơ sở bằng");
    assert_eq!(decode_with(b"05 gi\xf4)\xf8 .", Encoding::Vni), "05 giờ) .");
    assert_eq!(decode_with(b"Ca\xea\xean c\xf6\xf9", Encoding::Vni), "Căn cứ");
    // A mark after a consonant stays where it is.
    assert_eq!(decode_with(b"n \xf9", Encoding::Vni), "n \u{301}");
}

#[test]
fn windows_1258_composes() {
    // "Việt" in Windows-1258: e-circumflex then a combining dot below.
    assert_eq!(decode_with(b"Vi\xEA\xF2t", Encoding::Windows1258), "Việt");
    assert_eq!(decode_with(b"\xD0i\xEA\xECu", Encoding::Windows1258), "Điếu");
}

/// A paragraph of real Unicode text (from the seeds).
const PARAGRAPH: &str = "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015; Căn cứ Quyết định \
    số 1968/QĐ-TTg ngày 22 tháng 11 năm 2021 của Thủ tướng Chính phủ phê duyệt Đề án Nâng cao năng lực \
    xúc tiến thương mại; Theo đề nghị của Giám đốc Sở Công Thương tại Tờ trình số 25/TTr-SCT. \
    Ủy ban nhân dân tỉnh ban hành Kế hoạch thực hiện với những nội dung chủ yếu sau đây: mục đích, \
    yêu cầu, nhiệm vụ và giải pháp, tổ chức thực hiện, kinh phí, trách nhiệm của các sở, ngành.";

fn encode_text(text: &str, encoding: Encoding) -> Vec<u8> {
    let mut out = Vec::new();
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c as u8);
        } else if let Some(bytes) = encode(&c.to_string(), encoding) {
            out.extend(bytes);
        } else {
            // A capital TCVN3 cannot write: the lower-case code (what .VnTimeH documents do).
            out.extend(c.to_lowercase().flat_map(|l| encode(&l.to_string(), encoding)).flatten());
        }
    }
    out
}

#[test]
fn each_encoding_is_detected() {
    for encoding in CANDIDATES {
        let bytes = encode_text(PARAGRAPH, encoding);
        let d = detect(&bytes, None);
        assert_eq!(d.verdict, Verdict::Clear(encoding), "{encoding:?}: {}", d.summary());
        let text = decode_legacy_bytes(&bytes, None).expect("decodes");
        assert_eq!(text.encoding, Some(encoding));
        if matches!(encoding, Encoding::Tcvn3 | Encoding::Vps) {
            let lower: String = PARAGRAPH.chars().flat_map(char::to_lowercase).collect();
            assert_eq!(text.text.to_lowercase(), lower, "{encoding:?}");
        } else {
            assert_eq!(text.text, PARAGRAPH, "{encoding:?}");
        }
    }
}

#[test]
fn tcvn3_without_fonts_says_capitals_are_lost() {
    let bytes = encode_text(PARAGRAPH, Encoding::Tcvn3);
    let text = decode_legacy_bytes(&bytes, None).expect("decodes");
    let codes: Vec<&str> = text.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["decode.legacy_encoding_detected", "decode.tcvn3_capitals_lost"]);
    assert!(!text.lossy);
}

#[test]
fn vni_sample_from_the_corpus() {
    let text = decode_legacy_bytes(crate::decode::sniff::tests::VNI_SAMPLE, None).expect("decodes");
    assert_eq!(text.encoding, Some(Encoding::Vni));
    assert!(text.text.starts_with("UỶ BAN NHÂN DÂN \t    \t  CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM\r\n"), "{}", text.text);
    assert!(text.text.contains("Độc lập – Tự do – Hạnh phúc"), "{}", text.text);
    assert!(text.text.contains("QUY ĐỊNH \r\nVỀ CHỨC NĂNG, NHIỆM VỤ, QUYỀN HẠN VÀ CƠ CẤU TỔ CHỨC"), "{}", text.text);
}

#[test]
fn mixed_unicode_inside_vni() {
    let mut bytes = encode_text(PARAGRAPH, Encoding::Vni);
    // A few real UTF-8 characters typed into the VNI file by a Unicode editor.
    let at = bytes.iter().position(|&b| b == b';').unwrap_or(0);
    bytes.splice(at..at, "… “Điều 1” – tiếng Việt".bytes());
    let text = decode_legacy_bytes(&bytes, None).expect("decodes");
    assert_eq!(text.encoding, Some(Encoding::Vni));
    assert!(text.text.contains("năm 2015… “Điều 1” – tiếng Việt;"), "{}", text.text);
    assert!(text.diagnostics.iter().any(|d| d.code == "decode.legacy_mixed_unicode"));
}

#[test]
fn not_vietnamese_is_refused() {
    let french = "Le numéro de téléphone était déjà là: où êtes-vous? Très élevé, à côté du château. "
        .repeat(4)
        .chars()
        .map(|c| u8::try_from(c).unwrap_or(b'?'))
        .collect::<Vec<u8>>();
    let e = decode_legacy_bytes(&french, None).expect_err("not Vietnamese");
    assert_eq!(e.code(), "decode.legacy_encoding");
}

#[test]
fn container_runs_with_fonts() {
    let vntime = classify_font(".VnTime");
    let vntimeh = classify_font(".VnTimeH");
    let tnr = classify_font("Times New Roman");
    let runs = vec![
        Run::ansi(vntimeh, b"b\xe9 t\xb5i ch\xddnh".to_vec()),
        Run::ansi(tnr, b"\r".to_vec()),
        Run::ansi(
            vntime,
            b"C\xa8n c\xf8 Lu\xcbt T\xe6 ch\xf8c Ch\xddnh ph\xf1 ng\xb5y 30 th\xb8ng 9 n\xa8m 1992;".to_vec(),
        ),
        Run::text(tnr, " Unicode: Việt Nam".to_owned()),
        Run::ansi(classify_font("Symbol"), vec![0xB7]),
    ];
    let out = decode_runs(&runs);
    assert_eq!(out.text, "BỘ TÀI CHÍNH\rCăn cứ Luật Tổ chức Chính phủ ngày 30 tháng 9 năm 1992; Unicode: Việt Nam•");
    assert_eq!(out.encoding, Some(Encoding::Tcvn3));
    let codes: Vec<&str> = out.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["decode.legacy_encoding_detected", "decode.tcvn3_capitals_restored"]);
    // Plain Windows-1252 in ordinary fonts stays Windows-1252.
    let out = decode_runs(&[Run::ansi(tnr, b"caf\xe9 \x93quoted\x94".to_vec())]);
    assert_eq!((out.text.as_str(), out.encoding), ("café “quoted”", None));
}

#[test]
fn pdf_lookalikes() {
    // pdftotext of dev/027: U+2212 stands for 0xAD (ư), U+2219 for 0xB7 (ã).
    let text = "cña Thñ t\u{2212}íng ChÝnh phñ sè 115/2004/Q§-TTg ngµy 25 th¸ng 6 n¨m 2004 Quü b¶o l\u{2219}nh";
    let out = decode_lookalike_text(text, &["GDNPNI+VnTime"]).expect("legacy");
    assert_eq!(out.text, "của Thủ tướng Chính phủ số 115/2004/QĐ-TTg ngày 25 tháng 6 năm 2004 Quỹ bảo lãnh");
    assert_eq!(out.encoding, Some(Encoding::Tcvn3));
    // Real Unicode text is left alone.
    assert!(decode_lookalike_text("của Thủ tướng Chính phủ về việc ban hành", &["Times New Roman"]).is_none());
    assert_eq!(lookalike_byte('\u{2212}'), Some(0xAD));
    assert_eq!(lookalike_byte('…'), Some(0x85));
    assert_eq!(lookalike_byte('ư'), None);
    assert_eq!(lookalike_byte('\u{FFFD}'), None);
}

#[test]
fn bounded_on_junk() {
    // Large inputs: detection reads a bounded number of words.
    let junk: Vec<u8> = (0..3_000_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8 | 0x80).collect();
    let start = std::time::Instant::now();
    let _ = decode_legacy_bytes(&junk, None);
    assert!(start.elapsed().as_secs() < 20);
}
