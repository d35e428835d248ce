//! Grammars are the only place language facts live: a user folder passed as `--grammars`
//! (or `Engine::with_grammar_dir`) changes what vanban recognises, and a broken file is a clear
//! error naming the file, the line and the problem.

use std::fs;
use std::path::Path;

use vanban::{Engine, GrammarError};

const GRAMMARS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/grammars");

/// A copy of the embedded grammar `name` with `from` replaced by `to`, written into `dir`.
fn patched(dir: &Path, name: &str, from: &str, to: &str) {
    let text = fs::read_to_string(Path::new(GRAMMARS).join(name)).unwrap();
    assert!(text.contains(from), "{name} has no `{from}`");
    fs::write(dir.join(name), text.replacen(from, to, 1)).unwrap();
}

const PLAN: &str = "KẾ HOẠCH\nThử nghiệm\n\nI. NHIỆM VỤ\n\n1. Xây dựng cơ sở dữ liệu\n\n- Đơn vị đầu mối: Sở KHCNĐMST.\n- Thời gian thực hiện: Quý II/2026.\n";

#[test]
fn a_new_field_label_and_agency_alias_are_used() {
    let engine = Engine::new().unwrap();
    let record = engine.convert_bytes("plan.txt", PLAN.as_bytes());
    assert!(record.documents[0].tasks.is_empty(), "the label is unknown to the embedded grammar");

    let dir = tempfile::tempdir().unwrap();
    patched(
        dir.path(),
        "labels.yaml",
        "lead: [\"Cơ quan chủ trì\",",
        "lead: [\"Đơn vị đầu mối\", \"Cơ quan chủ trì\",",
    );
    patched(
        dir.path(),
        "agencies.yaml",
        "  - {id: chinh_phu, name: \"Chính phủ\", aliases: [\"CP\"]}",
        "  - {id: chinh_phu, name: \"Chính phủ\", aliases: [\"CP\"]}\n  - {id: so_khcn_dmst, name: \"Sở Khoa học, Công nghệ và Đổi mới sáng tạo\", aliases: [\"Sở KHCNĐMST\"]}",
    );
    let engine = Engine::with_grammar_dir(dir.path()).unwrap();
    let record = engine.convert_bytes("plan.txt", PLAN.as_bytes());
    let tasks = &record.documents[0].tasks;
    assert_eq!(tasks.len(), 1, "{tasks:?}");
    assert_eq!(tasks[0].section, "I/1");
    assert_eq!(tasks[0].lead[0].text, "Sở KHCNĐMST");
    assert_eq!(tasks[0].lead[0].name, "Sở Khoa học, Công nghệ và Đổi mới sáng tạo");
    assert_eq!(tasks[0].lead[0].id.as_deref(), Some("so_khcn_dmst"));
    assert_eq!(tasks[0].timeline.as_ref().and_then(|t| t.start.as_deref()), Some("2026-04-01"));
}

#[test]
fn a_new_document_type_is_recognised() {
    let text = "TỜ TRÌNH MỚI\nVề việc thử\n\nI. NỘI DUNG\n";
    let dir = tempfile::tempdir().unwrap();
    patched(
        dir.path(),
        "doc_types.yaml",
        "  - {kind: to_trinh, labels: [\"TỜ TRÌNH\"], in_number: [\"TTr\"]}",
        "  - {kind: to_trinh, labels: [\"TỜ TRÌNH\", \"TỜ TRÌNH MỚI\"], in_number: [\"TTr\"]}",
    );
    let engine = Engine::with_grammar_dir(dir.path()).unwrap();
    let record = engine.convert_bytes("x.txt", text.as_bytes());
    assert_eq!(record.documents[0].kind, "to_trinh");
    assert_eq!(record.documents[0].kind_label.as_deref(), Some("TỜ TRÌNH MỚI"));
}

fn error_for(name: &str, yaml: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join(name), yaml).unwrap();
    match Engine::with_grammar_dir(dir.path()) {
        Ok(_) => panic!("{name} should have been refused"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn an_unknown_key_names_the_file_and_the_line() {
    let text = fs::read_to_string(Path::new(GRAMMARS).join("headings.yaml")).unwrap();
    let msg = error_for("headings.yaml", &format!("{text}\nbogus_key: 1\n"));
    assert!(msg.contains("headings.yaml"), "{msg}");
    assert!(msg.contains("bogus_key"), "{msg}");
    assert!(msg.contains("line"), "{msg}");
}

#[test]
fn a_bad_regex_names_the_file_the_entry_and_the_pattern() {
    let text = fs::read_to_string(Path::new(GRAMMARS).join("headings.yaml")).unwrap();
    let broken = text.replacen("(?i:chương)", "(?i:chương", 1);
    let msg = error_for("headings.yaml", &broken);
    assert!(msg.contains("headings.yaml"), "{msg}");
    assert!(msg.contains("chapter"), "names the scheme: {msg}");
    assert!(msg.contains("bad regex"), "{msg}");
}

#[test]
fn wrong_types_and_unknown_files_are_refused() {
    let msg = error_for("text.yaml", "tone_placement: [1, 2]\n");
    assert!(msg.contains("text.yaml"), "{msg}");
    let msg = error_for("labels.yml", "this: is not a label file\n");
    assert!(msg.contains("labels.yml"), "{msg}");
    let msg = error_for("mystery.yaml", "a: 1\n");
    assert!(msg.contains("unknown grammar file"), "{msg}");
    let msg = error_for("text.yaml", "tone_placement: sideways\n");
    assert!(msg.contains("text.yaml"), "{msg}");
}

#[test]
fn a_missing_folder_is_an_error_not_a_panic() {
    let err = Engine::with_grammar_dir(Path::new("/nonexistent/grammars")).unwrap_err();
    assert!(matches!(err, GrammarError::Read { .. }), "{err}");
}

#[test]
fn with_several_broken_files_the_error_is_always_the_same() {
    // The files compile side by side; which one fails first in time must not change the error.
    let dir = tempfile::tempdir().unwrap();
    for name in ["text.yaml", "labels.yaml", "tables.yaml"] {
        fs::write(dir.path().join(name), "bogus_key: 1\n").unwrap();
    }
    let pool = rayon::ThreadPoolBuilder::new().num_threads(4).build().unwrap();
    let errors: std::collections::BTreeSet<String> = (0..20)
        .map(|_| pool.install(|| Engine::with_grammar_dir(dir.path()).map(|_| ()).unwrap_err().to_string()))
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    let msg = errors.first().unwrap();
    assert!(msg.contains("text.yaml"), "the first file in reading order: {msg}");
}
