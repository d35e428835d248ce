//! The `vanban` binary end to end: records, ordering, determinism, exit statuses, stderr.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;
use tempfile::TempDir;

/// Run `vanban args…` in `dir`.
fn vanban(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vanban"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("the vanban binary runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The JSON records of `out`'s stdout, each checked for the SPEC §1 keys.
fn records(out: &Output) -> Vec<Value> {
    let text = std::str::from_utf8(&out.stdout).expect("stdout is UTF-8");
    text.lines()
        .map(|line| {
            let record: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
            check_record_shape(&record);
            record
        })
        .collect()
}

fn check_record_shape(record: &Value) {
    assert_eq!(record["schema"], "vanban/1", "{record}");
    assert!(record["source"]["path"].is_string(), "{record}");
    for key in ["bytes", "sha256", "format", "encoding", "pages"] {
        assert!(record["source"].get(key).is_some(), "source.{key} missing: {record}");
    }
    let status = record["status"].as_str().expect("status is a string");
    assert!(["ok", "partial", "failed"].contains(&status), "{record}");
    assert!(record["diagnostics"].is_array(), "{record}");
    assert!(record.get("text").is_some_and(|t| t.is_string() || t.is_null()), "{record}");
    let documents = record["documents"].as_array().expect("documents is an array");
    if status == "failed" {
        assert!(documents.is_empty(), "a failed record has no documents: {record}");
        assert!(
            codes(record).iter().any(|(sev, _)| sev == "error"),
            "a failed record has an error diagnostic: {record}"
        );
    }
}

/// `(severity, code)` of each diagnostic.
fn codes(record: &Value) -> Vec<(String, String)> {
    record["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| (d["severity"].as_str().unwrap_or("").to_owned(), d["code"].as_str().unwrap_or("").to_owned()))
        .collect()
}

fn path_of(record: &Value) -> &str {
    record["source"]["path"].as_str().expect("source.path is a string")
}

fn record_for<'a>(records: &'a [Value], path: &str) -> &'a Value {
    records.iter().find(|r| path_of(r) == path).unwrap_or_else(|| panic!("no record for {path}"))
}

/// A folder of awkward inputs, each of which must give exactly one record.
fn awkward_folder() -> TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path().join("in");
    std::fs::create_dir(&d).expect("mkdir");
    std::fs::write(d.join("a_empty.txt"), b"").expect("write");
    std::fs::write(d.join("b_ff.bin"), [0xffu8; 256]).expect("write");
    std::fs::write(d.join("c_fake.pdf"), b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\n").expect("write");
    // UTF-16LE BOM, "KẾ" and half a code unit.
    std::fs::write(d.join("d_utf16.txt"), [0xff, 0xfe, b'K', 0x00, 0xbe, 0x1e, 0x48]).expect("write");
    std::fs::write(d.join("g_plan.txt"), PLANS[0].1).expect("write");
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("/nonexistent/vanban/target", d.join("e_dangling")).expect("symlink");
        // A named pipe found in a folder must not hang the run. Skipped where mkfifo is missing.
        let _ = Command::new("mkfifo").arg(d.join("f_fifo")).status();
    }
    dir
}

#[test]
fn awkward_inputs_give_one_record_each_in_sorted_order() {
    let dir = awkward_folder();
    let missing = "not_there.txt";
    let out = vanban(dir.path(), &["convert", "in", missing, "-j", "2"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "a failed record gives exit status 1; stderr:\n{err}");
    assert!(!err.contains("panicked"), "{err}");

    let records = records(&out);
    let mut expected: Vec<String> = std::fs::read_dir(dir.path().join("in"))
        .expect("read_dir")
        .map(|e| format!("in/{}", e.expect("entry").file_name().to_string_lossy()))
        .collect();
    expected.push(missing.to_owned());
    expected.sort();
    let paths: Vec<&str> = records.iter().map(path_of).collect();
    assert_eq!(paths, expected, "one record per input, in sorted path order");

    // Unreadable inputs fail with an io.* code.
    let mut unreadable = vec![missing];
    if cfg!(unix) {
        unreadable.push("in/e_dangling");
    }
    if paths.contains(&"in/f_fifo") {
        unreadable.push("in/f_fifo");
    }
    for path in unreadable {
        let record = record_for(&records, path);
        assert_eq!(record["status"], "failed", "{record}");
        assert!(codes(record).iter().any(|(_, c)| c.starts_with("io.")), "{path} has an io.* code: {record}");
    }
    let error = |code: &str| vec![("error".to_owned(), code.to_owned())];
    assert_eq!(codes(record_for(&records, missing)), error("io.not_found"));
    if cfg!(unix) {
        assert_eq!(codes(record_for(&records, "in/e_dangling")), error("io.not_found"));
    }
    if paths.contains(&"in/f_fifo") {
        assert_eq!(codes(record_for(&records, "in/f_fifo")), error("io.not_a_file"));
    }

    let empty = record_for(&records, "in/a_empty.txt");
    assert_eq!(empty["status"], "failed", "{empty}");
    assert_eq!(record_for(&records, "in/g_plan.txt")["status"], "ok");

    // The summary names every failed file with its codes.
    assert!(err.contains(" failed)"), "{err}");
    for record in records.iter().filter(|r| r["status"] == "failed") {
        let path = path_of(record);
        let line = err.lines().find(|l| l.trim_start().starts_with(&format!("{path}: ")));
        let line = line.unwrap_or_else(|| panic!("the summary names {path}:\n{err}"));
        for (_, code) in codes(record).iter().filter(|(sev, _)| sev == "error") {
            assert!(line.contains(code.as_str()), "{line}");
        }
    }
}

/// Bytes that hold no usable text must not pass as `ok` (SPEC §1: `failed`, with an error
/// diagnostic saying why); a truncated UTF-16 file loses its last code unit, which is said.
#[test]
fn garbage_inputs_are_not_reported_ok() {
    let dir = awkward_folder();
    let out = vanban(dir.path(), &["convert", "in/b_ff.bin", "in/c_fake.pdf", "in/d_utf16.txt"]);
    let records = records(&out);
    assert_eq!(records.len(), 3);
    for path in ["in/b_ff.bin", "in/c_fake.pdf"] {
        let record = record_for(&records, path);
        assert_eq!(record["status"], "failed", "{path}: {record}");
    }
    let utf16 = record_for(&records, "in/d_utf16.txt");
    assert_ne!(utf16["status"], "ok", "{utf16}");
    assert!(codes(utf16).iter().any(|(_, c)| c.starts_with("decode.")), "{utf16}");
    assert_eq!(out.status.code(), Some(1));
}

const PLANS: [(&str, &str); 6] = [
    (
        "01_ke_hoach.txt",
        "ỦY BAN NHÂN DÂN\nTỈNH HÀ TĨNH\n\nSố: 525/KH-UBND\n\nHà Tĩnh, ngày 29 tháng 12 năm 2022\n\nKẾ HOẠCH\n\
         Chuyển đổi số tỉnh Hà Tĩnh năm 2023\n\nI. MỤC TIÊU\n\n1. Mục tiêu chung\n\nNâng cao nhận thức về \
         chuyển đổi số.\n\n2. Mục tiêu cụ thể\n\n- 100% cơ quan nhà nước được kết nối.\n\nII. NHIỆM VỤ\n\n\
         1. Sở Thông tin và Truyền thông chủ trì, phối hợp với các sở triển khai nền tảng số.\n",
    ),
    (
        "02_quyet_dinh.txt",
        "QUYẾT ĐỊNH\nVề việc ban hành Kế hoạch phát triển doanh nghiệp\n\nĐiều 1. Ban hành kèm theo Quyết \
         định này Kế hoạch.\n\nĐiều 2. Quyết định có hiệu lực kể từ ngày ký.\n",
    ),
    (
        "03_chi_thi.txt",
        "CHỈ THỊ\nVề tăng cường công tác quản lý\n\n1. Bộ Kế hoạch và Đầu tư:\n\na) Chủ trì tổng hợp \
         báo cáo trước ngày 30/11/2022.\n\nb) Hướng dẫn các địa phương.\n",
    ),
    ("04_ngan.txt", "Thông báo ngắn.\n"),
    (
        "05_nfd.txt",
        "KE\u{302}\u{301} HOA\u{323}CH\nTri\u{1ec3}n khai\n\nA. MU\u{323}C \u{110}I\u{301}CH\n\nI. Nội dung\n",
    ),
    (
        "06_kinh_phi.txt",
        "KẾ HOẠCH\nỨng dụng công nghệ thông tin\n\nIV. KINH PHÍ\n\nTổng kinh phí: 185,083 tỷ đồng, trong \
         đó ngân sách tỉnh 95.200 triệu đồng.\n",
    ),
];

/// A folder `docs/` of small Vietnamese text files.
fn plans_folder() -> TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let docs = dir.path().join("docs");
    std::fs::create_dir_all(docs.join("sub")).expect("mkdir");
    for (i, (name, text)) in PLANS.iter().enumerate() {
        let at = if i % 2 == 0 { docs.join(name) } else { docs.join("sub").join(name) };
        std::fs::write(at, text).expect("write");
    }
    dir
}

#[test]
fn output_is_the_same_for_any_thread_count_and_argument_order() {
    let dir = plans_folder();
    let one = vanban(dir.path(), &["convert", "docs", "-j", "1", "-q"]);
    assert_eq!(one.status.code(), Some(0), "{}", stderr(&one));
    let records = records(&one);
    assert_eq!(records.len(), PLANS.len());
    let paths: Vec<&str> = records.iter().map(path_of).collect();
    let mut sorted = paths.clone();
    sorted.sort_unstable();
    assert_eq!(paths, sorted);

    for jobs in ["2", "4"] {
        let many = vanban(dir.path(), &["convert", "docs", "-j", jobs, "-q"]);
        assert!(one.stdout == many.stdout, "-j 1 and -j {jobs} differ");
    }
    // The same files named one by one, in another order.
    let mut reversed: Vec<&str> = paths.clone();
    reversed.reverse();
    let mut args = vec!["convert", "-q", "-j", "3"];
    args.extend(reversed);
    let by_name = vanban(dir.path(), &args);
    assert!(one.stdout == by_name.stdout, "argument order changed the output");
    // A file and the folder holding it: still one record per file.
    let overlapping = vanban(dir.path(), &["convert", "-q", "docs/sub", "docs", "docs/01_ke_hoach.txt"]);
    assert!(one.stdout == overlapping.stdout, "overlapping arguments changed the output");
}

#[test]
fn output_file_and_stdout_hold_the_same_bytes() {
    let dir = plans_folder();
    let stdout = vanban(dir.path(), &["convert", "docs"]);
    assert_eq!(stdout.status.code(), Some(0));
    assert!(!stdout.stdout.is_empty());
    let dash = vanban(dir.path(), &["convert", "docs", "-o", "-"]);
    assert!(stdout.stdout == dash.stdout);

    let to_file = vanban(dir.path(), &["convert", "docs", "-o", "out.jsonl"]);
    assert_eq!(to_file.status.code(), Some(0));
    assert!(to_file.stdout.is_empty(), "nothing on stdout with -o");
    assert!(std::fs::read(dir.path().join("out.jsonl")).expect("out.jsonl") == stdout.stdout);
    let summary = stderr(&to_file);
    assert!(summary.contains(&format!("{} files (", PLANS.len())), "{summary}");
    assert!(summary.contains("MB/s") && summary.contains("docs/s"), "{summary}");

    // Writing the output inside an input folder: the output file is not read back as an input.
    for _ in 0..2 {
        let inside = vanban(dir.path(), &["convert", "docs", "-q", "-o", "docs/out.jsonl"]);
        assert_eq!(inside.status.code(), Some(0), "{}", stderr(&inside));
        assert!(std::fs::read(dir.path().join("docs/out.jsonl")).expect("docs/out.jsonl") == stdout.stdout);
    }
}

#[test]
fn no_text_gives_null_text() {
    let dir = plans_folder();
    let with = records(&vanban(dir.path(), &["convert", "docs/01_ke_hoach.txt"]));
    assert!(with[0]["text"].is_string());
    let out = vanban(dir.path(), &["convert", "--no-text", "docs/01_ke_hoach.txt"]);
    assert_eq!(out.status.code(), Some(0));
    let without = records(&out);
    assert!(without[0]["text"].is_null());
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"text\":null"));
    assert_eq!(with[0]["documents"], without[0]["documents"], "spans and fields do not depend on --no-text");
}

#[test]
fn quiet_prints_nothing_on_stderr() {
    let dir = awkward_folder();
    let out = vanban(dir.path(), &["convert", "-q", "in"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr(&out), "");
}

#[test]
fn invalid_grammar_folder_exits_2_naming_the_file() {
    let dir = plans_folder();
    let grammars = dir.path().join("grammars");
    std::fs::create_dir(&grammars).expect("mkdir");
    let headings = include_str!("../grammars/headings.yaml");
    std::fs::write(grammars.join("headings.yaml"), format!("{headings}\nno_such_key: 1\n")).expect("write");
    let out = vanban(dir.path(), &["convert", "docs", "--grammars", "grammars"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(out.stdout.is_empty());
    assert!(err.contains("headings.yaml") && err.contains("no_such_key"), "{err}");

    let valid = tempfile::tempdir().expect("tempdir");
    std::fs::write(valid.path().join("headings.yaml"), headings).expect("write");
    let ok = vanban(dir.path(), &["convert", "docs", "-q", "--grammars", &valid.path().to_string_lossy()]);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    assert!(ok.stdout == vanban(dir.path(), &["convert", "docs", "-q"]).stdout);

    let missing = vanban(dir.path(), &["convert", "docs", "--grammars", "no_such_dir"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("no_such_dir"), "{}", stderr(&missing));
}

#[test]
fn bad_arguments_and_unwritable_output_exit_2() {
    let dir = plans_folder();
    let unknown = vanban(dir.path(), &["convert", "docs", "--no-such-flag"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("--no-such-flag"));
    assert_eq!(vanban(dir.path(), &["convert"]).status.code(), Some(2), "no PATH");
    assert_eq!(vanban(dir.path(), &["convert", "docs", "-j", "0"]).status.code(), Some(2));
    assert_eq!(vanban(dir.path(), &["frobnicate"]).status.code(), Some(2));

    for target in ["no_such_dir/out.jsonl", "docs"] {
        let out = vanban(dir.path(), &["convert", "docs", "-o", target]);
        assert_eq!(out.status.code(), Some(2), "-o {target}");
        assert!(stderr(&out).contains(target), "{}", stderr(&out));
    }

    let help = vanban(dir.path(), &["convert", "--help"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&help.stdout).contains("Exit status"));
}

#[test]
fn closed_stdout_exits_quietly_with_0() {
    let dir = tempfile::tempdir().expect("tempdir");
    let body = PLANS[0].1.repeat(20);
    for i in 0..60 {
        std::fs::write(dir.path().join(format!("{i:03}.txt")), &body).expect("write");
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_vanban"))
        .args(["convert", "."])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut first = String::new();
    let mut reader = BufReader::new(child.stdout.take().expect("stdout"));
    reader.read_line(&mut first).expect("read a line");
    drop(reader);
    let out = child.wait_with_output().expect("wait");
    assert!(first.starts_with("{\"schema\":\"vanban/1\""));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stderr(&out).contains("error"), "{}", stderr(&out));
}

#[test]
fn schema_command_prints_the_committed_schema() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = vanban(dir.path(), &["schema"]);
    assert_eq!(out.status.code(), Some(0));
    let schema: Value = serde_json::from_slice(&out.stdout).expect("the schema is JSON");
    assert_eq!(schema["title"], "Record");
    assert!(schema["properties"]["documents"].is_object());
    let committed = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/record.schema.json"))
        .expect("schema/record.schema.json exists");
    assert!(out.stdout == committed, "stale schema: run `VANBAN_BLESS=1 cargo test --test schema`");
}

#[test]
fn stats_report_every_stage_without_changing_the_records() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), "KẾ HOẠCH\nThử\n\nI. MỤC TIÊU\n\n1. Mục tiêu chung\n").unwrap();
    let plain = vanban(dir.path(), &["convert", "a.txt", "-q"]);
    let out = vanban(dir.path(), &["convert", "a.txt", "--stats", "--stats-json", "stats.json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(plain.stdout, out.stdout, "stats never touch the records");
    let err = stderr(&out);
    for stage in ["read", "decode", "normalize", "layout", "segment", "extract", "emit", "write"] {
        assert!(err.contains(stage), "{stage} missing from:\n{err}");
    }
    let json: Value = serde_json::from_str(&std::fs::read_to_string(dir.path().join("stats.json")).unwrap()).unwrap();
    assert_eq!(json["files"], 1);
    assert!(json["stages"]["extract"]["seconds"].is_number());
    assert!(json["docs_per_second"].is_number());
}
