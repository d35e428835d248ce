//! Properties that hold for every input: conversion never panics, every record is well formed,
//! spans point into the text, and the output is a pure function of the input bytes.

use proptest::prelude::*;
use vanban::{Engine, Record, Section, Span, Status};

fn engine() -> &'static Engine {
    static ENGINE: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
    ENGINE.get_or_init(|| Engine::new().expect("embedded grammars are valid"))
}

fn check(record: &Record) {
    let text = record.text.as_deref().unwrap_or("");
    let ok = |s: Span| {
        s.start <= s.end && s.end <= text.len() && text.is_char_boundary(s.start) && text.is_char_boundary(s.end)
    };
    fn sections(s: &[Section], parent: Span, ok: &dyn Fn(Span) -> bool) {
        for x in s {
            assert!(ok(x.span), "section span {:?}", x.span);
            assert!(parent.contains(x.span), "section {:?} outside parent {:?}", x.span, parent);
            sections(&x.children, x.span, ok);
        }
    }
    match record.status {
        Status::Failed => {
            assert!(record.documents.is_empty());
            assert!(record.diagnostics.iter().any(|d| d.severity == vanban::Severity::Error));
        }
        _ => assert!(record.text.is_some()),
    }
    for d in &record.diagnostics {
        if let Some(s) = d.span {
            assert!(ok(s), "diagnostic span {:?}", s);
        }
    }
    for doc in &record.documents {
        assert!(ok(doc.span));
        sections(&doc.sections, doc.span, &ok);
        for t in &doc.tasks {
            assert!(ok(t.span));
            assert!(!t.lead.is_empty(), "a task has a lead");
        }
        for r in &doc.responsibilities {
            assert!(ok(r.span));
        }
    }
    // The record always serializes, to one line.
    let line = vanban::emit::to_json_line(record);
    assert_eq!(line.matches('\n').count(), 1);
}

/// Lines that look like the documents: headings of every scheme, bullets, labels, tables.
fn doc_line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("KẾ HOẠCH".to_owned()),
        Just("QUYẾT ĐỊNH".to_owned()),
        Just("QUYẾT ĐỊNH:".to_owned()),
        Just("Nơi nhận:".to_owned()),
        Just("TM. ỦY BAN NHÂN DÂN".to_owned()),
        Just("PHỤ LỤC".to_owned()),
        Just("(Kèm theo Kế hoạch số 12/KH-UBND)".to_owned()),
        Just("".to_owned()),
        "(Phần|Chương|Điều|Mục) [IVX1-9]{1,3}\\.? [A-ZĐ][a-zà-ỹ ]{0,20}",
        "[IVX]{1,4}\\. [A-ZĐ ]{1,20}",
        "[A-E]\\. [A-ZĐ ]{1,20}",
        "[1-9](\\.[1-9]){0,3}\\.? [A-Z][a-zà-ỹ ]{0,30}",
        "[a-eđ]\\) [a-zà-ỹ: ]{0,30}",
        "- (Cơ quan chủ trì|Cơ quan phối hợp|Thời gian thực hiện): [A-ZĐa-zà-ỹ,;& ]{0,40}",
        "Sở [A-Z][a-z]{1,8}( và [A-Z][a-z]{1,8})? chủ trì, phối hợp với [A-Za-zà-ỹ, ]{0,30}",
        "[0-9]{1,3}\t[^\t\n]{0,10}\t[0-9.,]{0,8}",
        "[^\n]{0,60}",
        "\\*\\*[A-ZĐ ]{1,10}\\*\\*[0-9]\\. [A-Z][a-z]{0,10}",
        "<b>[^<\n]{0,10}</b>|&amp;|&#[0-9]{1,6};|<p>",
        "[0-9]{1,3}",
        "[a-z]{1,8}[0-9]\\.",
        "[0-9] [A-ZĐ][a-zà-ỹ ]{0,30}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let record = engine().convert_bytes("x.bin", &bytes);
        check(&record);
    }

    #[test]
    fn document_like_text_gives_well_formed_records(lines in proptest::collection::vec(doc_line(), 0..60),
                                                    crlf in any::<bool>()) {
        let text = lines.join(if crlf { "\r\n" } else { "\n" });
        let a = engine().convert_bytes("doc.txt", text.as_bytes());
        check(&a);
        // Deterministic: the same bytes give the same record.
        let b = engine().convert_bytes("doc.txt", text.as_bytes());
        prop_assert_eq!(vanban::emit::to_json_line(&a), vanban::emit::to_json_line(&b));
    }

    #[test]
    fn normalized_text_is_stable(lines in proptest::collection::vec(doc_line(), 0..40)) {
        // Normalizing canonical text again changes nothing. (Escapes and character references
        // are the exception by design: "\\<b>" and "&lt;b&gt;" mean a literal "<b>", which a
        // second pass would read as a tag; so the markup pass does not repeat after decoding
        // them.) Layout repair is not idempotent and need not be: it guesses the wrap margin
        // from the line lengths, which joining changes.
        let text = lines.join("\n");
        prop_assume!(!text.contains('\\') && !text.contains('&'));
        let g = engine().grammar();
        let once = vanban::normalize::normalize(&text, vanban::Format::Markdown, g).text;
        let twice = vanban::normalize::normalize(&once, vanban::Format::Markdown, g).text;
        prop_assert_eq!(once, twice);
    }
}
