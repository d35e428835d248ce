//! The engine: compiled grammars plus the pipeline, for one buffer or whole archives.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::decode::{self, DecodeError};
use crate::error::GrammarError;
use crate::grammar::Grammar;
use crate::model::{Diagnostic, Record, SCHEMA_ID, Severity, Source, Status};
use crate::{extract, layout, normalize, segment};

/// Files converted per parallel batch per worker thread. Records of a batch are handed back in
/// input order before the next batch starts, which bounds memory whatever the archive size.
const BATCH_PER_THREAD: usize = 16;

/// Time one conversion spent in each stage. Kept out of the record, which must not depend on
/// timing; `vanban convert --stats` sums it over a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StageTimes {
    /// Reading the file.
    pub read: Duration,
    /// Bytes to text.
    pub decode: Duration,
    /// Text to canonical text.
    pub normalize: Duration,
    /// Layout repair.
    pub layout: Duration,
    /// Documents and sections.
    pub segment: Duration,
    /// Fields.
    pub extract: Duration,
}

impl StageTimes {
    /// The stages in pipeline order with their names.
    pub fn stages(&self) -> [(&'static str, Duration); 6] {
        [
            ("read", self.read),
            ("decode", self.decode),
            ("normalize", self.normalize),
            ("layout", self.layout),
            ("segment", self.segment),
            ("extract", self.extract),
        ]
    }
}

impl std::ops::AddAssign for StageTimes {
    fn add_assign(&mut self, o: StageTimes) {
        self.read += o.read;
        self.decode += o.decode;
        self.normalize += o.normalize;
        self.layout += o.layout;
        self.segment += o.segment;
        self.extract += o.extract;
    }
}

/// Converts documents. Build once; share freely (`Send + Sync`, cheap to clone).
#[derive(Debug, Clone)]
pub struct Engine {
    grammar: Arc<Grammar>,
    keep_text: bool,
}

/// One input of a batch: a path to read, or a path that could not even be listed.
#[derive(Debug, Clone)]
pub struct Input {
    /// The path as given or as found walking a directory.
    pub path: PathBuf,
    /// Set when walking the directory failed at this path (a loop, a permission error).
    pub walk_error: Option<(String, String)>,
}

impl Input {
    /// An input read from `path`.
    pub fn file(path: impl Into<PathBuf>) -> Input {
        Input { path: path.into(), walk_error: None }
    }
}

impl Engine {
    /// An engine with the embedded grammars.
    ///
    /// # Errors
    /// Only if the embedded grammars were broken at build time (a test guards against it).
    pub fn new() -> Result<Engine, GrammarError> {
        Ok(Engine::with_grammar(Grammar::embedded()?))
    }

    /// An engine with the embedded grammars, overridden by the files in `dir`.
    ///
    /// # Errors
    /// A grammar file that cannot be read or is not valid.
    pub fn with_grammar_dir(dir: &Path) -> Result<Engine, GrammarError> {
        Ok(Engine::with_grammar(Grammar::with_overrides(dir)?))
    }

    /// An engine over `grammar`.
    pub fn with_grammar(grammar: Grammar) -> Engine {
        Engine { grammar: Arc::new(grammar), keep_text: true }
    }

    /// Whether records carry `text` (default true). Spans still refer to the text vanban made.
    pub fn keep_text(mut self, keep: bool) -> Engine {
        self.keep_text = keep;
        self
    }

    /// The grammars in use.
    pub fn grammar(&self) -> &Grammar {
        &self.grammar
    }

    /// Convert one buffer. `path` is reported in `source.path` and used as a format hint.
    /// Never panics: a panic inside a stage becomes a `failed` record (`internal.panic`).
    pub fn convert_bytes(&self, path: &str, bytes: &[u8]) -> Record {
        self.convert_bytes_timed(path, bytes).0
    }

    /// [`convert_bytes`](Engine::convert_bytes), with the time each stage took.
    pub fn convert_bytes_timed(&self, path: &str, bytes: &[u8]) -> (Record, StageTimes) {
        let mut times = StageTimes::default();
        let source = Source {
            path: path.to_owned(),
            bytes: bytes.len() as u64,
            sha256: Some(sha256_hex(bytes)),
            format: None,
            encoding: None,
            pages: None,
            page_starts: Vec::new(),
        };
        let record = match catch_unwind(AssertUnwindSafe(|| self.run(source.clone(), bytes, &mut times))) {
            Ok(record) => record,
            Err(panic) => {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".to_owned());
                failed(source, "internal.panic", format!("vanban panicked on this input: {what}"))
            }
        };
        (record, times)
    }

    /// Read and convert the file at `path`. A file that cannot be read gives a `failed`
    /// record with an `io.*` diagnostic.
    pub fn convert_file(&self, path: &Path) -> Record {
        self.convert_file_timed(path).0
    }

    fn convert_file_timed(&self, path: &Path) -> (Record, StageTimes) {
        let shown = path.to_string_lossy();
        let started = Instant::now();
        match std::fs::read(path) {
            Ok(bytes) => {
                let read = started.elapsed();
                let (record, mut times) = self.convert_bytes_timed(&shown, &bytes);
                times.read = read;
                (record, times)
            }
            Err(e) => (io_failed(&shown, &e), StageTimes { read: started.elapsed(), ..StageTimes::default() }),
        }
    }

    /// Convert `inputs` in parallel on the current rayon pool and hand each record to `sink` in
    /// input order. Memory stays bounded: records are passed on batch by batch.
    pub fn convert_all<F: FnMut(Record)>(&self, inputs: &[Input], mut sink: F) {
        let never: Result<(), std::convert::Infallible> = self.try_convert_all(inputs, |record| {
            sink(record);
            Ok(())
        });
        let Ok(()) = never;
    }

    /// As [`convert_all`](Engine::convert_all), but `sink` may stop the run: the first error it
    /// returns is returned at once and no further batch is converted (a closed pipe, a full disk).
    ///
    /// # Errors
    /// The first error `sink` returns.
    pub fn try_convert_all<E, F>(&self, inputs: &[Input], mut sink: F) -> Result<(), E>
    where
        F: FnMut(Record) -> Result<(), E>,
    {
        self.try_convert_all_timed(inputs, |record, _| sink(record))
    }

    /// As [`try_convert_all`](Engine::try_convert_all), handing `sink` the stage times of each
    /// record too.
    ///
    /// # Errors
    /// The first error `sink` returns.
    pub fn try_convert_all_timed<E, F>(&self, inputs: &[Input], mut sink: F) -> Result<(), E>
    where
        F: FnMut(Record, StageTimes) -> Result<(), E>,
    {
        let batch = rayon::current_num_threads().max(1) * BATCH_PER_THREAD;
        for chunk in inputs.chunks(batch) {
            let records: Vec<(Record, StageTimes)> =
                chunk.par_iter().map(|input| self.convert_input_timed(input)).collect();
            records.into_iter().try_for_each(|(record, times)| sink(record, times))?;
        }
        Ok(())
    }

    /// Convert one [`Input`].
    pub fn convert_input(&self, input: &Input) -> Record {
        self.convert_input_timed(input).0
    }

    fn convert_input_timed(&self, input: &Input) -> (Record, StageTimes) {
        match &input.walk_error {
            Some((code, message)) => {
                let source = empty_source(&input.path.to_string_lossy());
                (failed(source, code, message.clone()), StageTimes::default())
            }
            None => self.convert_file_timed(&input.path),
        }
    }

    fn run(&self, mut source: Source, bytes: &[u8], times: &mut StageTimes) -> Record {
        let mut clock = Instant::now();
        let mut lap = |slot: &mut Duration| {
            let now = Instant::now();
            *slot = now - clock;
            clock = now;
        };
        let decoded = decode::decode(bytes, &source.path);
        lap(&mut times.decode);
        let decoded = match decoded {
            Ok(d) => d,
            Err(e) => return decode_failed(source, &e),
        };
        source.format = Some(decoded.format);
        source.encoding = decoded.encoding;
        source.pages = decoded.pages;
        // Page starts travel through normalize and layout as marks (see `layout::PAGE_MARK`).
        let marked = (!decoded.page_starts.is_empty()).then(|| layout::mark_pages(&decoded.text, &decoded.page_starts));
        let canonical = normalize::normalize(marked.as_deref().unwrap_or(&decoded.text), decoded.format, &self.grammar);
        lap(&mut times.normalize);
        let laid = layout::layout(&canonical.text, &self.grammar);
        lap(&mut times.layout);
        if laid.text.trim().is_empty() {
            // Only markup, white space or page furniture: nothing usable is left.
            let mut record = failed(
                source,
                "normalize.no_text",
                "no text is left once markup and layout debris are removed".to_owned(),
            );
            let mut diagnostics = decoded.diagnostics;
            diagnostics.extend(canonical.diagnostics);
            diagnostics.append(&mut record.diagnostics);
            record.diagnostics = diagnostics;
            return record;
        }
        source.page_starts.clone_from(&laid.page_starts);
        let skeleton = segment::segment(&laid, &self.grammar);
        lap(&mut times.segment);
        let (documents, found) = extract::extract_with_diagnostics(&laid, &skeleton, &self.grammar);
        lap(&mut times.extract);

        let mut diagnostics = decoded.diagnostics;
        diagnostics.extend(canonical.diagnostics);
        diagnostics.extend(laid.diagnostics);
        diagnostics.extend(found);
        let status = if decoded.lossy || diagnostics.iter().any(|d| d.severity == Severity::Error) {
            Status::Partial
        } else {
            Status::Ok
        };
        Record {
            schema: SCHEMA_ID.to_owned(),
            source,
            status,
            diagnostics,
            text: self.keep_text.then_some(laid.text),
            documents,
        }
    }
}

/// Expand `args` into the sorted list of inputs: files as given, directories walked
/// recursively (following links, with loops reported as failed inputs, not followed forever).
/// Pipes, sockets and devices met in a walk become failed inputs (`io.not_a_file`) rather than
/// reads that may never end.
pub fn expand_paths(args: &[PathBuf]) -> Vec<Input> {
    let mut inputs = Vec::new();
    for arg in args {
        if !arg.is_dir() {
            inputs.push(Input::file(arg.clone()));
            continue;
        }
        for entry in walkdir::WalkDir::new(arg).follow_links(true) {
            match entry {
                Ok(e) if e.file_type().is_dir() => {}
                Ok(e) if e.file_type().is_file() => inputs.push(Input::file(e.into_path())),
                // A named pipe, socket or device found in a folder: reading it could block
                // forever. Given by name on the command line (`<(…)`, /dev/stdin) it is read.
                Ok(e) => {
                    let message = format!("{}: not a regular file (a pipe, socket or device)", e.path().display());
                    inputs.push(Input { path: e.into_path(), walk_error: Some(("io.not_a_file".to_owned(), message)) });
                }
                Err(e) => {
                    let path = e.path().map(Path::to_path_buf).unwrap_or_else(|| arg.clone());
                    // The same codes as a failed read: a dangling link is `io.not_found` either way.
                    let code = match e.io_error().map(std::io::Error::kind) {
                        _ if e.loop_ancestor().is_some() => "io.directory_loop",
                        Some(std::io::ErrorKind::NotFound) => "io.not_found",
                        Some(std::io::ErrorKind::PermissionDenied) => "io.permission_denied",
                        _ => "io.walk_error",
                    };
                    inputs.push(Input { path, walk_error: Some((code.to_owned(), e.to_string())) });
                }
            }
        }
    }
    inputs.sort_by(|a, b| a.path.as_os_str().cmp(b.path.as_os_str()));
    inputs.dedup_by(|a, b| a.path == b.path && a.walk_error.is_none() && b.walk_error.is_none());
    inputs
}

fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut hex = String::with_capacity(64);
    for b in digest {
        hex.push(char::from_digit(u32::from(b >> 4), 16).unwrap_or('0'));
        hex.push(char::from_digit(u32::from(b & 0xf), 16).unwrap_or('0'));
    }
    hex
}

fn empty_source(path: &str) -> Source {
    Source {
        path: path.to_owned(),
        bytes: 0,
        sha256: None,
        format: None,
        encoding: None,
        pages: None,
        page_starts: Vec::new(),
    }
}

fn failed(source: Source, code: &str, message: String) -> Record {
    Record {
        schema: SCHEMA_ID.to_owned(),
        source,
        status: Status::Failed,
        diagnostics: vec![Diagnostic::new(Severity::Error, code, message)],
        text: None,
        documents: Vec::new(),
    }
}

fn decode_failed(source: Source, e: &DecodeError) -> Record {
    failed(source, e.code(), e.to_string())
}

fn io_failed(path: &str, e: &std::io::Error) -> Record {
    use std::io::ErrorKind;
    let code = match e.kind() {
        ErrorKind::NotFound => "io.not_found",
        ErrorKind::PermissionDenied => "io.permission_denied",
        ErrorKind::IsADirectory => "io.is_a_directory",
        _ => "io.read_error",
    };
    failed(empty_source(path), code, format!("cannot read {path}: {e}"))
}
