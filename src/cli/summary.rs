//! The end-of-run summary printed on stderr.

use std::fmt::Write as _;
use std::time::Duration;

use vanban::{Record, Severity, Status};

/// How many failed files the summary names before "and N more".
const FAILED_SHOWN: usize = 20;

/// Counts gathered while records stream past.
#[derive(Debug, Default)]
pub(crate) struct Summary {
    files: usize,
    ok: usize,
    partial: usize,
    failed: usize,
    bytes: u64,
    /// The first [`FAILED_SHOWN`] failed files: path and diagnostic codes.
    failed_shown: Vec<(String, String)>,
}

/// What the summary counts of one record, taken before the record is written and dropped.
#[derive(Debug)]
pub(crate) struct Counted {
    bytes: u64,
    status: Status,
    /// For a failed record: its path and diagnostic codes.
    failure: Option<(String, String)>,
}

impl Counted {
    pub(crate) fn of(record: &Record) -> Counted {
        let failure = (record.status == Status::Failed).then(|| (record.source.path.clone(), failure_codes(record)));
        Counted { bytes: record.source.bytes, status: record.status, failure }
    }
}

impl Summary {
    /// Count a record.
    pub(crate) fn add(&mut self, counted: Counted) {
        self.files += 1;
        self.bytes += counted.bytes;
        match counted.status {
            Status::Ok => self.ok += 1,
            Status::Partial => self.partial += 1,
            Status::Failed => {
                self.failed += 1;
                if self.failed_shown.len() < FAILED_SHOWN
                    && let Some(failure) = counted.failure
                {
                    self.failed_shown.push(failure);
                }
            }
        }
    }

    /// Input bytes counted so far.
    pub(crate) fn bytes(&self) -> u64 {
        self.bytes
    }

    /// True when any record failed.
    pub(crate) fn any_failed(&self) -> bool {
        self.failed > 0
    }

    /// The summary text, one or more lines each ending in `\n`.
    pub(crate) fn render(&self, elapsed: Duration) -> String {
        let secs = elapsed.as_secs_f64();
        let per_sec = |x: f64| if secs > 0.0 { x / secs } else { 0.0 };
        let mb = self.bytes as f64 / 1e6;
        let mut out = format!(
            "vanban: {} {} ({} ok, {} partial, {} failed), {mb:.2} MB in {secs:.2} s: {:.2} MB/s, {:.1} docs/s\n",
            self.files,
            if self.files == 1 { "file" } else { "files" },
            self.ok,
            self.partial,
            self.failed,
            per_sec(mb),
            per_sec(self.files as f64),
        );
        if self.failed > 0 {
            out.push_str("failed:\n");
            for (path, codes) in &self.failed_shown {
                let _ = writeln!(out, "  {path}: {codes}");
            }
            if self.failed > self.failed_shown.len() {
                let _ = writeln!(out, "  and {} more", self.failed - self.failed_shown.len());
            }
        }
        out
    }
}

/// The codes of `record`'s error diagnostics (all its codes if none is an error).
fn failure_codes(record: &Record) -> String {
    let errors: Vec<&str> =
        record.diagnostics.iter().filter(|d| d.severity == Severity::Error).map(|d| d.code.as_str()).collect();
    let codes = if errors.is_empty() { record.diagnostics.iter().map(|d| d.code.as_str()).collect() } else { errors };
    if codes.is_empty() { "no diagnostic".to_owned() } else { codes.join(", ") }
}

#[cfg(test)]
mod tests {
    use vanban::{Diagnostic, Source};

    use super::*;

    fn record(path: &str, status: Status, bytes: u64, codes: &[&str]) -> Record {
        Record {
            schema: "vanban/1".to_owned(),
            source: Source {
                path: path.to_owned(),
                bytes,
                sha256: None,
                format: None,
                encoding: None,
                pages: None,
                page_starts: Vec::new(),
            },
            status,
            diagnostics: codes.iter().map(|c| Diagnostic::new(Severity::Error, c, "x")).collect(),
            text: None,
            documents: Vec::new(),
        }
    }

    #[test]
    fn counts_rates_and_failed_files() {
        let mut s = Summary::default();
        s.add(Counted::of(&record("a.txt", Status::Ok, 1_500_000, &[])));
        s.add(Counted::of(&record("b.txt", Status::Partial, 500_000, &[])));
        s.add(Counted::of(&record("c.bin", Status::Failed, 0, &["decode.not_text"])));
        assert!(s.any_failed());
        assert_eq!((s.files, s.bytes()), (3, 2_000_000));
        assert_eq!(
            s.render(Duration::from_secs(2)),
            "vanban: 3 files (1 ok, 1 partial, 1 failed), 2.00 MB in 2.00 s: 1.00 MB/s, 1.5 docs/s\n\
             failed:\n  c.bin: decode.not_text\n"
        );
    }

    #[test]
    fn failed_list_is_capped() {
        let mut s = Summary::default();
        for i in 0..25 {
            s.add(Counted::of(&record(&format!("f{i:02}"), Status::Failed, 1, &["io.not_found"])));
        }
        let text = s.render(Duration::ZERO);
        assert!(text.contains("  f19: io.not_found\n  and 5 more\n"), "{text}");
        assert!(!text.contains("f20"));
        assert!(text.contains("0.00 MB/s"));
    }
}
