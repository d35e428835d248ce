//! Golden tests: every fixture under `fixtures/seeds/` against its checked outline under
//! `fixtures/expected/`: each document with its kind, header and closing fields, citations,
//! every section path and title, tasks, responsibilities, targets, budgets and tables.
//!
//! The expected outlines were checked against the source documents by reading them, section by
//! section (see `fixtures/README.md`); they are not whatever the code printed. Before comparing,
//! each record is checked for the invariants every record must hold (spans inside the text and
//! inside their parents, siblings in order, paths made of the markers from the root).
//!
//! `VANBAN_BLESS=1 cargo test --test golden` rewrites the outlines; a rewritten outline must be
//! read against its source document again before it is committed.

use std::fs;
use std::path::{Path, PathBuf};

use vanban::{Engine, Record, Section, Span};

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/seeds");
    let mut files: Vec<PathBuf> =
        fs::read_dir(&dir).expect("fixtures/seeds exists").map(|e| e.unwrap().path()).collect();
    files.sort();
    assert!(!files.is_empty());
    files
}

/// Everything the record says about each document, one fact per line, in a form a reader can
/// check against the source document.
fn outline(record: &Record) -> String {
    fn walk(out: &mut String, sections: &[Section]) {
        for s in sections {
            out.push_str(&format!("{} | {} | {}\n", s.path, s.scheme, s.title));
            walk(out, &s.children);
        }
    }
    fn opt<S: AsRef<str>>(v: &Option<S>) -> &str {
        v.as_ref().map_or("-", AsRef::as_ref)
    }
    fn agencies(a: &[vanban::Agency]) -> String {
        a.iter().map(|a| a.text.as_str()).collect::<Vec<_>>().join("; ")
    }
    fn citation(c: &vanban::Citation) -> String {
        format!("{} {} {} | {} | {}", c.kind, opt(&c.number), opt(&c.date), opt(&c.issuer), opt(&c.title))
    }
    let mut out = String::new();
    for d in &record.documents {
        out.push_str(&format!("# {} {}\n", d.kind, d.kind_label.as_deref().unwrap_or("-")));
        out.push_str(&format!("number: {}\ndate: {}\nplace: {}\n", opt(&d.number), opt(&d.date), opt(&d.place)));
        let issuer =
            d.issuer.as_ref().map_or("-".to_owned(), |a| format!("{} [{}]", a.name, a.id.as_deref().unwrap_or("-")));
        out.push_str(&format!("issuer: {issuer}\ntitle: {}\n", opt(&d.title)));
        if let Some(s) = &d.signer {
            out.push_str(&format!(
                "signer: {} | {} | {}\n",
                opt(&s.name),
                opt(&s.position),
                s.capacity.iter().map(|c| c.as_str()).collect::<Vec<_>>().join("; ")
            ));
        }
        for r in &d.recipients {
            out.push_str(&format!("recipient: {r}\n"));
        }
        for c in &d.basis {
            out.push_str(&format!("basis: {}\n", citation(c)));
        }
        for c in &d.citations {
            out.push_str(&format!("citation: {}\n", citation(c)));
        }
        walk(&mut out, &d.sections);
        for t in &d.tasks {
            let time = t.timeline.as_ref().map_or("-".to_owned(), |t| {
                format!("{} -> {}..{} {}", t.text, opt(&t.start), opt(&t.end), opt(&t.recurrence))
            });
            out.push_str(&format!(
                "task: {} | {} | lead {} | partners {} | {}\n",
                t.section,
                t.origin,
                agencies(&t.lead),
                agencies(&t.partners),
                time
            ));
        }
        for r in &d.responsibilities {
            out.push_str(&format!("responsibility: {} | {} | {} duties\n", r.section, r.agency.text, r.duties.len()));
        }
        for t in &d.targets {
            let year = t.year.map_or("-".to_owned(), |y| y.to_string());
            out.push_str(&format!(
                "target: {} | {} {} {} {}\n",
                t.section,
                opt(&t.comparator),
                t.value,
                opt(&t.unit),
                year
            ));
        }
        for b in &d.budgets {
            let amount = b.amount_vnd.map_or("-".to_owned(), |a| a.to_string());
            let total = if b.is_total { " total" } else { "" };
            out.push_str(&format!("budget: {} | {amount} đồng{total} | {}\n", b.section, opt(&b.source_of_funds)));
        }
        for t in &d.tables {
            out.push_str(&format!(
                "table: {} | {} | {} | {} header rows | {} rows: {}\n",
                t.section,
                opt(&t.caption),
                opt(&t.unit),
                t.header.len(),
                t.rows.len(),
                t.row_kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(" ")
            ));
        }
    }
    out
}

fn check_invariants(record: &Record) {
    let text = record.text.as_deref().expect("golden runs keep the text");
    let in_text = |s: Span| {
        s.start <= s.end && s.end <= text.len() && text.is_char_boundary(s.start) && text.is_char_boundary(s.end)
    };
    fn check_sections(
        parent: Span,
        parent_path: &str,
        level: u32,
        sections: &[Section],
        in_text: &dyn Fn(Span) -> bool,
    ) {
        let mut prev_end = parent.start;
        for s in sections {
            assert!(in_text(s.span), "{}: span {:?} outside the text", s.path, s.span);
            assert!(parent.contains(s.span), "{}: span {:?} outside its parent {:?}", s.path, s.span, parent);
            assert!(s.span.start >= prev_end, "{}: starts before its previous sibling ends", s.path);
            prev_end = s.span.end;
            assert_eq!(s.level, level, "{}: level", s.path);
            let expected_path =
                if parent_path.is_empty() { s.marker.to_string() } else { format!("{parent_path}/{}", s.marker) };
            assert_eq!(s.path, expected_path, "path is the markers from the root");
            check_sections(s.span, &s.path, level + 1, &s.children, in_text);
        }
    }
    let mut prev_end = 0;
    for d in &record.documents {
        assert!(in_text(d.span), "document span {:?} outside the text", d.span);
        assert!(d.span.start >= prev_end, "documents overlap");
        prev_end = d.span.end;
        check_sections(d.span, "", 1, &d.sections, &in_text);
    }
}

#[test]
fn seeds_match_their_checked_outlines() {
    let engine = Engine::new().unwrap();
    let bless = std::env::var_os("VANBAN_BLESS").is_some();
    let mut failures = Vec::new();
    for path in fixtures() {
        let record = engine.convert_file(&path);
        assert_eq!(record.status, vanban::Status::Ok, "{}: {:?}", path.display(), record.diagnostics);
        check_invariants(&record);
        let got = outline(&record);
        let name = path.file_name().unwrap().to_string_lossy().replace(".txt", ".outline");
        let expected_path = path.parent().unwrap().parent().unwrap().join("expected").join(name);
        if bless {
            fs::write(&expected_path, &got).unwrap();
            continue;
        }
        let expected = fs::read_to_string(&expected_path).unwrap_or_default();
        if got != expected {
            failures.push(format!("{}:\n{}", path.display(), diff(&expected, &got)));
        }
    }
    assert!(failures.is_empty(), "outlines differ from the checked ones:\n{}", failures.join("\n"));
}

/// Lines only in one side, marked - (expected) and + (got).
fn diff(expected: &str, got: &str) -> String {
    let e: Vec<&str> = expected.lines().collect();
    let g: Vec<&str> = got.lines().collect();
    let mut out = String::new();
    for l in &e {
        if !g.contains(l) {
            out.push_str(&format!("- {l}\n"));
        }
    }
    for l in &g {
        if !e.contains(l) {
            out.push_str(&format!("+ {l}\n"));
        }
    }
    out
}

#[test]
fn seeds_give_seven_documents_of_the_right_kinds() {
    let engine = Engine::new().unwrap();
    let kinds: Vec<Vec<String>> = fixtures()
        .iter()
        .map(|p| engine.convert_file(p).documents.iter().map(|d| d.kind.to_string()).collect())
        .collect();
    assert_eq!(
        kinds,
        [
            vec!["ke_hoach"],
            vec!["ke_hoach"],
            vec!["quyet_dinh", "ke_hoach"],
            vec!["ke_hoach"],
            vec!["quyet_dinh", "ke_hoach"],
        ]
    );
}

#[test]
fn output_is_the_same_whatever_the_thread_count_and_input_order() {
    let engine = Engine::new().unwrap();
    let inputs: Vec<vanban::Input> = fixtures().into_iter().map(vanban::Input::file).collect();
    let run = |threads: usize, inputs: &[vanban::Input]| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        let mut out = Vec::new();
        pool.install(|| engine.convert_all(inputs, |r| vanban::emit::write_json_line(&r, &mut out)));
        out
    };
    let one = run(1, &inputs);
    assert_eq!(one, run(2, &inputs));
    assert_eq!(one, run(4, &inputs));
    assert_eq!(one.iter().filter(|&&b| b == b'\n').count(), inputs.len());
}
