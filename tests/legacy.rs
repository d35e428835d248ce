//! Legacy Vietnamese encodings and old Word/RTF containers (`fixtures/legacy/`).
//!
//! * Golden texts: each input's decoded text against `<input>.expected.txt`. The expected texts
//!   were checked against the independent transcripts in `fixtures/legacy/reference/` (the
//!   `reference_word_f1` test keeps that check) and by reading them; `VANBAN_BLESS=1 cargo test
//!   --test legacy` rewrites them, and a rewritten file must be read again before it is committed.
//! * Unicode input is never taken for a legacy encoding: every UTF-8 fixture decodes to itself.
//! * Malformed containers (truncated .doc, cyclic sector chains, RTF with 10 000 unbalanced
//!   groups, random damage) give diagnostics or a failed record, never a panic, in bounded time.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use unicode_normalization::UnicodeNormalization;
use vanban::decode::{DecodeError, Decoded, decode};
use vanban::{Encoding, Engine, Format, Status};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/legacy")
}

fn read(name: &str) -> Vec<u8> {
    fs::read(dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The legacy inputs: name, format, encoding.
const INPUTS: [(&str, Format, Encoding); 5] = [
    ("024_btc-QD144-2002-thue-nhapkhau_tcvn3.doc", Format::Doc, Encoding::Tcvn3),
    ("025_chinhphu-ND114-2003-cbcc-xa_tcvn3.cut.doc", Format::Doc, Encoding::Tcvn3),
    ("026_chinhphu-ND94-1998-thue-xnk_tcvn3.rtf", Format::Rtf, Encoding::Tcvn3),
    ("028_brvt-BQLKCN-QD-quyche-chitieu-2007_vni.cut.doc", Format::Doc, Encoding::Vni),
    ("032_camau-quydinh-doi-kiemtra-814-2006_vni-bytes_crlf.txt", Format::Text, Encoding::Vni),
];

fn codes(d: &Decoded) -> Vec<&str> {
    d.diagnostics.iter().map(|d| d.code.as_str()).collect()
}

#[test]
fn golden_texts() {
    let bless = std::env::var_os("VANBAN_BLESS").is_some();
    for (name, format, encoding) in INPUTS {
        let d = decode(&read(name), name).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!((d.format, d.encoding), (format, Some(encoding)), "{name}");
        assert!(codes(&d).contains(&"decode.legacy_encoding_detected"), "{name}: {:?}", codes(&d));
        let expected = dir().join(format!("{name}.expected.txt"));
        if bless {
            fs::write(&expected, &d.text).expect("write the expected text");
            continue;
        }
        let want = fs::read_to_string(&expected).unwrap_or_else(|e| panic!("{}: {e}", expected.display()));
        assert!(d.text == want, "{name}: the decoded text differs from {}", expected.display());
    }
}

#[test]
fn diagnostics_of_each_input() {
    let d = decode(&read(INPUTS[0].0), "a.doc").expect("024");
    // The tariff table of 024 is an embedded Excel sheet: reported, and the record is partial.
    assert!(codes(&d).contains(&"decode.doc_embedded_object"), "{:?}", codes(&d));
    assert!(d.lossy);
    assert!(d.diagnostics.iter().any(|x| x.message.contains("Excel.Sheet.8")));
    // .VnTimeH capitals restored; the EMBED field code does not leak.
    assert!(codes(&d).contains(&"decode.tcvn3_capitals_restored"));
    assert!(d.text.starts_with("    BỘ TÀI CHÍNH"), "{}", &d.text[..80]);
    assert!(d.text.contains("QUYẾT ĐỊNH CỦA BỘ TRƯỞNG BỘ TÀI CHÍNH"));
    assert!(!d.text.contains("EMBED") && !d.text.contains("Excel"));
    // 026: headers are not text, \line and \par are line ends.
    let d = decode(&read(INPUTS[2].0), "a.rtf").expect("026");
    assert!(d.text.starts_with("NGHỊ ĐỊNH \nCỦA CHÍNH PHỦ SỐ  94 /1998/NĐ-CP"), "{}", &d.text[..100]);
    assert!(!d.text.contains("LAWDATA"));
    assert!(!d.lossy);
    // 028: VNI in Word, tables as TAB-separated rows.
    let d = decode(&read(INPUTS[3].0), "a.doc").expect("028");
    // A row of three cells, one of which holds two paragraphs (a fraction).
    let row = "Tiền lương gánh việc\t=\tTổng tiền lương cơ bản Số ngày làm việc theo quy định\tX\tsố ngày thưc tế gánh việc\n";
    assert!(d.text.contains(row), "no table row");
}

#[test]
fn vni_text_with_ellipsis_bytes() {
    let bytes = read(INPUTS[4].0);
    let d = decode(&bytes, "a.txt").expect("032");
    // Byte 0x85 is "…" (Windows-1252), not NEXT LINE: no line is invented.
    assert_eq!(d.text.matches('…').count(), bytes.iter().filter(|&&b| b == 0x85).count());
    assert!(!d.text.contains('\u{85}'));
    let line_ends = |s: &[u8]| s.iter().filter(|&&b| b == b'\n').count();
    assert_eq!(line_ends(d.text.as_bytes()), line_ends(&bytes));
    assert!(d.text.contains("( Ban hành kèm theo Quyết định số …05…./2006/ QĐ-UBND,\r\n"), "{}", &d.text[..600]);
    assert!(d.text.contains("ngày …25..tháng 01 năm 2006 của UBND tỉnh Cà Mau )"));
}

/// Canonical tone placement of the scorer: in a syllable ending in oa, oe or uy, a tone mark on
/// the second vowel moves to the first (`hoà` -> `hòa`), except after q.
fn canonical_tones(token: &str) -> String {
    const TONES: [char; 5] = ['\u{300}', '\u{301}', '\u{303}', '\u{309}', '\u{323}'];
    let nfd: Vec<char> = token.nfd().collect();
    let bare: String = nfd.iter().filter(|c| !TONES.contains(c)).collect();
    let tone = nfd.iter().find(|c| TONES.contains(c));
    let ends = ["oa", "oe", "uy"].iter().any(|e| bare.ends_with(e)) && !bare.ends_with("quy");
    match tone {
        Some(&t) if ends => {
            let mut chars: Vec<char> = bare.chars().collect();
            let at = chars.len() - 1;
            chars.insert(at, t);
            chars.into_iter().collect::<String>().nfc().collect()
        }
        _ => token.to_owned(),
    }
}

/// The scorer's word tokens: NFC, case-folded, canonical tones, runs of letters and digits.
fn tokens(text: &str) -> HashMap<String, usize> {
    let text: String = text.nfc().collect::<String>().to_lowercase();
    let mut out = HashMap::new();
    for t in text.split(|c: char| !c.is_alphanumeric()).filter(|t| !t.is_empty()) {
        *out.entry(canonical_tones(t)).or_insert(0) += 1;
    }
    out
}

/// (precision, recall, F1) of `text`'s tokens against `reference`'s.
fn word_scores(text: &str, reference: &str) -> (f64, f64, f64) {
    let (a, b) = (tokens(text), tokens(reference));
    let common: usize = a.iter().map(|(t, n)| (*n).min(b.get(t).copied().unwrap_or(0))).sum();
    let (na, nb) = (a.values().sum::<usize>() as f64, b.values().sum::<usize>() as f64);
    let common = common as f64;
    (common / na, common / nb, 2.0 * common / (na + nb))
}

#[test]
fn reference_word_f1() {
    let engine = Engine::new().expect("grammars");
    let reference = |prefix: &str| {
        let path = fs::read_dir(dir().join("reference"))
            .expect("reference dir")
            .map(|e| e.expect("entry").path())
            .find(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(prefix)))
            .expect("a transcript");
        fs::read_to_string(path).expect("utf-8 transcript")
    };
    for (name, ..) in &INPUTS[..4] {
        let record = engine.convert_bytes(name, &read(name));
        assert_ne!(record.status, Status::Failed, "{name}");
        let text = record.text.as_deref().unwrap_or("");
        let (p, r, f1) = word_scores(text, &reference(&name[..4]));
        if name.contains(".cut.") {
            // A cut-down input: what it holds must be in the transcript.
            assert!(p >= 0.98, "{name}: precision {p:.3}");
        } else {
            assert!(f1 >= 0.98, "{name}: word F1 {f1:.3} (P {p:.3}, R {r:.3})");
        }
    }
    // 025 is cut down to its whole text (only unused parts of the file were dropped).
    let record = engine.convert_bytes(INPUTS[1].0, &read(INPUTS[1].0));
    let (.., f1) = word_scores(record.text.as_deref().unwrap_or(""), &reference("025_"));
    assert!(f1 >= 0.98, "025: word F1 {f1:.3}");
}

/// Every fixture that is UTF-8 (the seeds, the expected texts, the transcripts, the outlines)
/// decodes as UTF-8 to exactly its own text, with no legacy diagnostic.
#[test]
fn unicode_fixtures_are_never_legacy() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut checked = 0;
    let mut stack = vec![root];
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            stack.extend(fs::read_dir(&path).expect("read dir").map(|e| e.expect("entry").path()));
            continue;
        }
        let bytes = fs::read(&path).expect("read");
        let Ok(text) = std::str::from_utf8(&bytes) else { continue };
        let name = path.to_string_lossy();
        let d = decode(&bytes, &name).unwrap_or_else(|e| panic!("{name}: {e}"));
        if !matches!(d.format, Format::Text | Format::Markdown) {
            continue; // an ASCII container (RTF)
        }
        assert_eq!(d.encoding, Some(Encoding::Utf8), "{name}");
        assert_eq!(d.text, text.trim_start_matches('\u{FEFF}'), "{name}");
        assert!(!codes(&d).iter().any(|c| c.contains("legacy") || c.contains("tcvn3")), "{name}: {:?}", codes(&d));
        checked += 1;
    }
    assert!(checked >= 14, "only {checked} UTF-8 fixtures");
}

// ---------------------------------------------------------------------------------------------
// Malformed containers.

/// Runs `f` and fails if it takes longer than `limit` (the work itself is bounded; this only
/// turns a hang into a failure instead of a stuck test run).
fn within<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(limit).expect("finished in time")
}

/// The whole pipeline on `bytes`: a record, never a panic (`internal.panic`).
fn convert(name: &'static str, bytes: Vec<u8>) -> vanban::Record {
    within(Duration::from_secs(60), move || {
        let engine = Engine::new().expect("grammars");
        let record = engine.convert_bytes(name, &bytes);
        assert!(!record.diagnostics.iter().any(|d| d.code == "internal.panic"), "{:?}", record.diagnostics);
        record
    })
}

#[test]
fn truncated_doc() {
    let bytes = read(INPUTS[0].0);
    let mut statuses = HashMap::new();
    for cut in (0..bytes.len()).step_by(1531).chain([bytes.len() - 1, 513, 511]) {
        let record = convert("cut.doc", bytes[..cut].to_vec());
        *statuses.entry(record.status).or_insert(0) += 1;
        if record.status == Status::Failed {
            assert!(record.diagnostics.iter().any(|d| d.code.starts_with("decode.")), "{:?}", record.diagnostics);
        }
    }
    assert!(statuses.contains_key(&Status::Failed), "{statuses:?}");
}

/// A small reader of compound files with 512-byte sectors, to damage them on purpose.
struct Cfb(Vec<u8>);

impl Cfb {
    fn u32(&self, at: usize) -> u32 {
        u32::from_le_bytes(self.0[at..at + 4].try_into().expect("4 bytes"))
    }

    fn fat_at(&self, sector: u32) -> usize {
        let fat_sector = self.u32(76 + 4 * (sector as usize / 128));
        512 + fat_sector as usize * 512 + (sector as usize % 128) * 4
    }

    fn next(&self, sector: u32) -> u32 {
        self.u32(self.fat_at(sector))
    }

    fn set_next(&mut self, sector: u32, next: u32) {
        let at = self.fat_at(sector);
        self.0[at..at + 4].copy_from_slice(&next.to_le_bytes());
    }

    /// The first sector of the stream `name` (in the first directory sector).
    fn stream_start(&self, name: &str) -> u32 {
        let dir = 512 + self.u32(48) as usize * 512;
        let utf16: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
        (0..4)
            .map(|i| dir + i * 128)
            .find(|&e| self.0[e..].starts_with(&utf16))
            .map(|e| self.u32(e + 116))
            .expect("stream")
    }
}

#[test]
fn cyclic_sector_chains() {
    let original = Cfb(read(INPUTS[0].0));
    let start = original.stream_start("WordDocument");
    let second = original.next(start);
    let third = original.next(second);
    let dir = original.u32(48);
    // Back to the start; back into the middle; a sector pointing to itself; the directory chain.
    for (from, to) in [(third, start), (third, second), (second, second), (dir, dir)] {
        let mut damaged = Cfb(original.0.clone());
        damaged.set_next(from, to);
        let record = convert("cyclic.doc", damaged.0);
        assert_eq!(record.status, Status::Failed, "{from} -> {to}");
        assert_eq!(record.diagnostics[0].code, "decode.doc_corrupt", "{:?}", record.diagnostics);
    }
}

#[test]
fn encrypted_and_old_word() {
    let original = Cfb(read(INPUTS[0].0));
    let fib = 512 + original.stream_start("WordDocument") as usize * 512;
    let mut encrypted = original.0.clone();
    encrypted[fib + 11] |= 0x01; // fEncrypted
    let e = decode(&encrypted, "a.doc").expect_err("encrypted");
    assert_eq!(e.code(), "decode.doc_encrypted");
    let mut word95 = original.0.clone();
    word95[fib + 2..fib + 4].copy_from_slice(&0x0065u16.to_le_bytes());
    let e = decode(&word95, "a.doc").expect_err("Word 95");
    assert_eq!(e.code(), "decode.doc_unsupported_version");
    // An OLE file that is not a Word document.
    let mut not_word = original.0.clone();
    not_word[fib..fib + 2].copy_from_slice(b"XX");
    assert!(matches!(decode(&not_word, "a.doc"), Err(DecodeError::Container { code: "decode.doc_corrupt", .. })));
}

#[test]
fn rtf_with_ten_thousand_unbalanced_groups() {
    let head = "{\\rtf1\\ansi{\\fonttbl{\\f0\\fswiss .VnTime;}}\\f0 ";
    // Opened and never closed.
    let mut rtf = head.to_owned();
    rtf.push_str(&"{".repeat(10_000));
    rtf.push_str("C\\'a8n c\\'f8 Lu\\'cbt\\par ");
    let record = convert("deep.rtf", rtf.into_bytes());
    assert_ne!(record.status, Status::Failed);
    assert!(record.text.as_deref().unwrap_or("").contains("Căn cứ Luật"), "{:?}", record.text);
    let codes: Vec<&str> = record.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert!(codes.contains(&"decode.rtf_unbalanced_groups") && codes.contains(&"decode.rtf_too_deep"), "{codes:?}");
    // Closed too often, and deep nesting that balances.
    let rtf =
        format!("{head}C\\'a8n c\\'f8{}{}{} Lu\\'cbt}}", "}".repeat(10_000), "{".repeat(10_000), "}".repeat(10_000));
    let record = convert("closed.rtf", rtf.into_bytes());
    assert!(record.text.as_deref().unwrap_or("").contains("Căn cứ"), "{:?}", record.text);
    assert!(record.diagnostics.iter().any(|d| d.code == "decode.rtf_unbalanced_groups"));
    // A \bin that claims more bytes than there are.
    let record = convert("bin.rtf", format!("{head}C\\'a8n c\\'f8 \\bin999999999 xyz").into_bytes());
    assert_ne!(record.status, Status::Failed, "{:?}", record.diagnostics);
}

#[test]
fn random_damage_never_panics() {
    // A deterministic xorshift: flip bytes of the fixtures, cut them, repeat.
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for name in [INPUTS[0].0, INPUTS[2].0, INPUTS[3].0] {
        let original = read(name);
        let started = Instant::now();
        for _ in 0..24 {
            let mut bytes = original.clone();
            for _ in 0..(next() % 64 + 1) {
                let at = (next() % bytes.len() as u64) as usize;
                bytes[at] = next() as u8;
            }
            if next() % 3 == 0 {
                bytes.truncate((next() % bytes.len() as u64) as usize + 1);
            }
            // The decoder alone: the later stages have their own tests.
            within(Duration::from_secs(60), move || {
                let _ = decode(&bytes, "damaged");
            });
        }
        assert!(started.elapsed() < Duration::from_secs(120), "{name}: too slow");
    }
}
