//! The engine: compiled grammars plus the pipeline, for one buffer or whole archives.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, TryLockError};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use crate::decode::{self, DecodeError};
use crate::error::GrammarError;
use crate::grammar::Grammar;
use crate::inputs::{InputRef, Inputs};
use crate::model::{Diagnostic, Record, SCHEMA_ID, Severity, Source, Status};
use crate::{extract, layout, normalize, segment};

/// Records per worker thread that may wait, converted, for an earlier one still in work. The
/// reorder window bounds memory whatever the archive size: a worker that would run further ahead
/// of the output waits for it.
const WINDOW_PER_THREAD: usize = 16;

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
        let source = new_source(path, bytes);
        let record = self.convert_cow(source, Cow::Borrowed(bytes), &mut times);
        (record, times)
    }

    /// Convert `bytes`, catching a panic of any stage. Owned bytes are dropped once decoded, so
    /// that a big file is not held in memory three times over.
    fn convert_cow(&self, source: Source, bytes: Cow<'_, [u8]>, times: &mut StageTimes) -> Record {
        match catch_unwind(AssertUnwindSafe(|| self.run(source.clone(), bytes, times))) {
            Ok(record) => record,
            Err(panic) => {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".to_owned());
                failed(source, "internal.panic", format!("vanban panicked on this input: {what}"))
            }
        }
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
                let mut times = StageTimes { read: started.elapsed(), ..StageTimes::default() };
                let source = new_source(&shown, &bytes);
                let record = self.convert_cow(source, Cow::Owned(bytes), &mut times);
                (record, times)
            }
            Err(e) => (io_failed(&shown, &e), StageTimes { read: started.elapsed(), ..StageTimes::default() }),
        }
    }

    /// Convert `inputs` in parallel on the current rayon pool and hand each record to `sink` in
    /// input order, as soon as it and every record before it are done. Memory stays bounded: at
    /// most a window of records waits for an earlier one, whatever the number of inputs.
    pub fn convert_all<I, F>(&self, inputs: &I, mut sink: F)
    where
        I: Inputs + ?Sized,
        F: FnMut(Record) + Send,
    {
        let never: Result<(), std::convert::Infallible> = self.try_convert_all(inputs, |record| {
            sink(record);
            Ok(())
        });
        let Ok(()) = never;
    }

    /// As [`convert_all`](Engine::convert_all), but `sink` may stop the run: the first error it
    /// returns is returned once the conversions in flight end, and no further input is started
    /// (a closed pipe, a full disk).
    ///
    /// # Errors
    /// The first error `sink` returns.
    pub fn try_convert_all<I, E, F>(&self, inputs: &I, mut sink: F) -> Result<(), E>
    where
        I: Inputs + ?Sized,
        E: Send,
        F: FnMut(Record) -> Result<(), E> + Send,
    {
        self.try_convert_all_timed(inputs, |record, _| sink(record))
    }

    /// As [`try_convert_all`](Engine::try_convert_all), handing `sink` the stage times of each
    /// record too.
    ///
    /// Each worker of the pool takes the next input in turn; `sink` runs on whichever worker
    /// completes the record the output is waiting for, one call at a time.
    ///
    /// # Errors
    /// The first error `sink` returns.
    pub fn try_convert_all_timed<I, E, F>(&self, inputs: &I, mut sink: F) -> Result<(), E>
    where
        I: Inputs + ?Sized,
        E: Send,
        F: FnMut(Record, StageTimes) -> Result<(), E> + Send,
    {
        self.try_convert_all_prepared(
            inputs,
            |record, times| (record, times),
            move |(record, times)| sink(record, times),
        )
    }

    /// As [`try_convert_all_timed`](Engine::try_convert_all_timed), with `prepare` run on each
    /// record (and its stage times) by the worker that converted it, in parallel and in any
    /// order; `sink` then gets what `prepare` made, in input order, one call at a time. Work
    /// done in `prepare` (serializing the record) stays out of that one-at-a-time step.
    ///
    /// # Errors
    /// The first error `sink` returns.
    pub fn try_convert_all_prepared<I, T, E, P, F>(&self, inputs: &I, prepare: P, sink: F) -> Result<(), E>
    where
        I: Inputs + ?Sized,
        T: Send,
        E: Send,
        P: Fn(Record, StageTimes) -> T + Sync,
        F: FnMut(T) -> Result<(), E> + Send,
    {
        let workers = rayon::current_num_threads().clamp(1, inputs.len().max(1));
        let run = Reorder::new(sink, workers * WINDOW_PER_THREAD);
        rayon::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|_| {
                    let engine = self.for_worker();
                    while let Some(i) = run.take(inputs.len()) {
                        let (record, times) = engine.convert_input_timed(inputs.get(i));
                        // A panic of `prepare` stops the run first: the other workers may be
                        // waiting for this record's place in the window.
                        let ready = match catch_unwind(AssertUnwindSafe(|| prepare(record, times))) {
                            Ok(ready) => ready,
                            Err(panic) => {
                                run.stop();
                                resume_unwind(panic);
                            }
                        };
                        run.finish(i, ready);
                    }
                });
            }
        });
        run.into_result()
    }

    /// This engine with a grammar of its own, for one worker of a batch: the compiled regexes
    /// are shared, but each copy keeps its own search caches, so workers never wait for one
    /// another's (the `regex` crate's advice for a regex used by many threads at once). About
    /// 0.1 ms.
    fn for_worker(&self) -> Engine {
        Engine { grammar: Arc::new(Grammar::clone(&self.grammar)), keep_text: self.keep_text }
    }

    /// Convert one input of a batch (see [`Input::as_ref`](crate::Input::as_ref)).
    pub fn convert_input(&self, input: InputRef<'_>) -> Record {
        self.convert_input_timed(input).0
    }

    fn convert_input_timed(&self, input: InputRef<'_>) -> (Record, StageTimes) {
        match input.walk_error {
            Some((code, message)) => {
                let source = empty_source(&input.path.to_string_lossy());
                (failed(source, code, message.clone()), StageTimes::default())
            }
            None => self.convert_file_timed(input.path),
        }
    }

    fn run(&self, mut source: Source, bytes: Cow<'_, [u8]>, times: &mut StageTimes) -> Record {
        let mut clock = Instant::now();
        let mut lap = |slot: &mut Duration| {
            let now = Instant::now();
            *slot = now - clock;
            clock = now;
        };
        let decoded = decode::decode(&bytes, &source.path);
        drop(bytes);
        lap(&mut times.decode);
        let mut decoded = match decoded {
            Ok(d) => d,
            Err(e) => return decode_failed(source, &e),
        };
        source.format = Some(decoded.format);
        source.encoding = decoded.encoding;
        source.pages = decoded.pages;
        // Page starts travel through normalize and layout as marks (see `layout::PAGE_MARK`).
        let marked = (!decoded.page_starts.is_empty()).then(|| layout::mark_pages(&decoded.text, &decoded.page_starts));
        // Each stage's text is dropped once the next one has its own.
        let input = marked.unwrap_or_else(|| std::mem::take(&mut decoded.text));
        decoded.text = String::new();
        let mut canonical = normalize::normalize_owned(input, decoded.format, &self.grammar);
        lap(&mut times.normalize);
        let laid = layout::layout(&canonical.text, &self.grammar);
        canonical.text = String::new();
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
        let (documents, found) = extract::extract_with_diagnostics(&laid, skeleton, &self.grammar);
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

/// The reorder window of [`Engine::try_convert_all_timed`]: hands out input indices, keeps the
/// records that finish early, and feeds the sink in input order.
struct Reorder<T, F, E> {
    /// The next index to hand out.
    next_input: AtomicUsize,
    /// Set once the sink failed: no new input is started.
    stopped: AtomicBool,
    window: usize,
    waiting: Mutex<Waiting<T>>,
    /// Signalled when the output moves on (room in the window) or the run stops.
    room: Condvar,
    /// The sink and its first error; whoever holds it writes, the others leave their records.
    sink: Mutex<(F, Option<E>)>,
}

/// Records done but not yet written, and the index the output waits for.
struct Waiting<T> {
    next_out: usize,
    done: BTreeMap<usize, T>,
}

impl<T, F, E> Reorder<T, F, E>
where
    F: FnMut(T) -> Result<(), E>,
{
    fn new(sink: F, window: usize) -> Self {
        Reorder {
            next_input: AtomicUsize::new(0),
            stopped: AtomicBool::new(false),
            window: window.max(1),
            waiting: Mutex::new(Waiting { next_out: 0, done: BTreeMap::new() }),
            room: Condvar::new(),
            sink: Mutex::new((sink, None)),
        }
    }

    /// The next input to convert, once the window has room for it; `None` when all are taken
    /// or the run stopped.
    fn take(&self, len: usize) -> Option<usize> {
        if self.stopped.load(Ordering::Acquire) {
            return None;
        }
        let i = self.next_input.fetch_add(1, Ordering::AcqRel);
        if i >= len {
            return None;
        }
        // The worker converting `next_out` never waits here, so the window always moves on.
        let mut waiting = lock(&self.waiting);
        while i >= waiting.next_out + self.window && !self.stopped.load(Ordering::Acquire) {
            waiting = self.room.wait(waiting).unwrap_or_else(PoisonError::into_inner);
        }
        (!self.stopped.load(Ordering::Acquire)).then_some(i)
    }

    /// Record `i` is done: write it and every record after it that is ready, unless another
    /// worker is writing (it picks them up before it lets go).
    fn finish(&self, i: usize, done: T) {
        lock(&self.waiting).done.insert(i, done);
        loop {
            let mut sink = match self.sink.try_lock() {
                Ok(sink) => sink,
                Err(TryLockError::WouldBlock) => return,
                Err(TryLockError::Poisoned(p)) => p.into_inner(),
            };
            loop {
                let ready = {
                    let mut waiting = lock(&self.waiting);
                    let next = waiting.next_out;
                    let ready = waiting.done.remove(&next);
                    if ready.is_some() {
                        waiting.next_out += 1;
                    }
                    ready
                };
                let Some(item) = ready else { break };
                if sink.1.is_none() {
                    match catch_unwind(AssertUnwindSafe(|| (sink.0)(item))) {
                        Ok(Ok(())) => {}
                        Ok(Err(e)) => {
                            sink.1 = Some(e);
                            self.stop();
                        }
                        // The sink's own panic: wake the waiting workers so the scope can end,
                        // then let it go on up to the caller.
                        Err(panic) => {
                            self.stop();
                            resume_unwind(panic);
                        }
                    }
                }
                self.room.notify_all();
            }
            drop(sink);
            // A record that arrived while this worker wrote found the sink taken: look again.
            let waiting = lock(&self.waiting);
            if !waiting.done.contains_key(&waiting.next_out) {
                return;
            }
        }
    }

    fn stop(&self) {
        self.stopped.store(true, Ordering::Release);
        // Under the lock, so that no worker checks `stopped` and then misses the wake-up.
        let _waiting = lock(&self.waiting);
        self.room.notify_all();
    }

    fn into_result(self) -> Result<(), E> {
        let (_, error) = self.sink.into_inner().unwrap_or_else(PoisonError::into_inner);
        error.map_or(Ok(()), Err)
    }
}

/// Lock `m`, also after a panic elsewhere: no code here panics between its writes to the data.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The source of a record for `bytes` read from `path`, before decoding tells more.
fn new_source(path: &str, bytes: &[u8]) -> Source {
    Source {
        path: path.to_owned(),
        bytes: bytes.len() as u64,
        sha256: Some(sha256_hex(bytes)),
        format: None,
        encoding: None,
        pages: None,
        page_starts: Vec::new(),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn record(n: usize) -> (Record, StageTimes) {
        (failed(empty_source(&n.to_string()), "test", String::new()), StageTimes::default())
    }

    fn path_of(r: &Record) -> usize {
        r.source.path.parse().unwrap()
    }

    #[test]
    fn reorder_writes_in_input_order_as_soon_as_it_can() {
        let written = Mutex::new(Vec::new());
        let run = Reorder::new(
            |(r, _): (Record, StageTimes)| -> Result<(), ()> {
                lock(&written).push(path_of(&r));
                Ok(())
            },
            4,
        );
        assert_eq!((run.take(3), run.take(3), run.take(3), run.take(3)), (Some(0), Some(1), Some(2), None));
        run.finish(2, record(2));
        run.finish(1, record(1));
        assert!(lock(&written).is_empty(), "nothing before record 0");
        run.finish(0, record(0));
        assert_eq!(*lock(&written), [0, 1, 2]);
        assert_eq!(run.into_result(), Ok(()));
    }

    #[test]
    fn a_worker_has_its_own_grammar_and_converts_the_same() {
        let engine = Engine::new().unwrap();
        let worker = engine.for_worker();
        assert!(!Arc::ptr_eq(&engine.grammar, &worker.grammar));
        let text = "KẾ HOẠCH\nThử\n\nI. MỤC TIÊU\n\n1. Cơ quan chủ trì: Sở Nội vụ.\n".as_bytes();
        let mut a = Vec::new();
        let mut b = Vec::new();
        crate::emit::write_json_line(&engine.convert_bytes("a.txt", text), &mut a);
        crate::emit::write_json_line(&worker.convert_bytes("a.txt", text), &mut b);
        assert_eq!(a, b);
    }

    #[test]
    fn a_full_window_holds_back_the_workers_ahead() {
        let run = Reorder::new(|_: (Record, StageTimes)| -> Result<(), ()> { Ok(()) }, 2);
        assert_eq!((run.take(10), run.take(10)), (Some(0), Some(1)));
        std::thread::scope(|s| {
            // Input 2 is outside the window until record 0 is written.
            let ahead = s.spawn(|| run.take(10));
            std::thread::sleep(Duration::from_millis(50));
            assert!(!ahead.is_finished(), "input 2 waits for the window");
            run.finish(0, record(0));
            assert_eq!(ahead.join().unwrap(), Some(2));
        });
    }

    #[test]
    fn a_failing_sink_stops_the_run() {
        let calls = AtomicUsize::new(0);
        let run = Reorder::new(
            |_: (Record, StageTimes)| {
                calls.fetch_add(1, Ordering::SeqCst);
                Err("disk full")
            },
            4,
        );
        assert_eq!((run.take(10), run.take(10)), (Some(0), Some(1)));
        run.finish(0, record(0));
        assert_eq!(run.take(10), None, "no new input after the error");
        run.finish(1, record(1));
        assert_eq!(calls.load(Ordering::SeqCst), 1, "the sink is not called again");
        assert_eq!(run.into_result(), Err("disk full"));
    }

    /// `n` inputs that do not exist (each gives a failed record at once, named by its number
    /// "000" …), an engine, and a pool of `threads`.
    fn missing_files(n: usize, threads: usize) -> (Vec<crate::Input>, Engine, rayon::ThreadPool) {
        let inputs = (0..n).map(|i| crate::Input::file(format!("/nonexistent/vanban-test/{i:03}"))).collect();
        (inputs, Engine::new().unwrap(), rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap())
    }

    #[test]
    fn every_input_comes_out_once_in_order_on_many_threads() {
        let (inputs, engine, pool) = missing_files(300, 4);
        let mut seen = Vec::new();
        pool.install(|| engine.convert_all(&inputs, |r| seen.push(r.source.path)));
        let expected: Vec<String> = inputs.iter().map(|i| i.path.to_string_lossy().into_owned()).collect();
        assert_eq!(seen, expected);
    }

    #[test]
    fn prepared_items_come_out_in_input_order() {
        let (inputs, engine, pool) = missing_files(100, 3);
        let mut seen = Vec::new();
        let done: Result<(), ()> = pool.install(|| {
            engine.try_convert_all_prepared(
                &inputs,
                |r, _| r.source.path.rsplit('/').next().unwrap().parse::<usize>().unwrap(),
                |n| {
                    seen.push(n);
                    Ok(())
                },
            )
        });
        assert_eq!(done, Ok(()));
        assert_eq!(seen, (0..100).collect::<Vec<_>>());
    }

    #[test]
    fn a_panicking_prepare_ends_the_run_instead_of_hanging_it() {
        let (inputs, engine, pool) = missing_files(200, 2);
        let run = catch_unwind(AssertUnwindSafe(|| {
            pool.install(|| {
                engine.try_convert_all_prepared(
                    &inputs,
                    |r, _| assert!(!r.source.path.ends_with("/005"), "prepare fails"),
                    |()| -> Result<(), ()> { Ok(()) },
                )
            })
        }));
        assert!(run.is_err(), "the panic reaches the caller");
    }
}
