//! `vanban convert`: run the engine over the inputs and stream the records out.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use vanban::{Engine, InputList, Inputs, Record, StageTimes};

use super::args::ConvertArgs;
use super::stats::Stats;
use super::summary::{Counted, Summary};

/// Output buffer size: records are written in large chunks, not line by line.
const OUT_BUFFER: usize = 1 << 16;
/// Records whose text is longer than this are serialized straight into the output instead of
/// a line buffer (their emit time then includes writing).
const STREAM_ABOVE: usize = 1 << 20;

/// Run `vanban convert`. `Ok` carries the exit status (0, or 1 when a record failed); `Err` is a
/// run that cannot proceed (exit 2), or a closed stdout (exit 0, told apart by the caller).
pub(crate) fn run(args: &ConvertArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.jobs.map_or(0, NonZeroUsize::get))
        .build()
        .context("cannot start the worker threads")?;
    // The grammar compiles on the workers too: `-j` bounds the threads of the whole run.
    let engine = pool
        .install(|| match &args.grammars {
            Some(dir) => {
                Engine::with_grammar_dir(dir).with_context(|| format!("invalid grammar folder {}", dir.display()))
            }
            None => Engine::new().context("the embedded grammars are invalid"),
        })?
        .keep_text(!args.no_text);

    // Open the output before walking the inputs: an unwritable path fails at once.
    let mut out = Output::open(args.output.as_deref())?;
    let mut inputs = vanban::expand_paths(&args.paths);
    if let Some(path) = &out.file {
        skip_output_file(&mut inputs, path, args.quiet);
    }

    let progress = progress_bar(inputs.len(), args.quiet || out.is_terminal());
    let mut summary = Summary::default();
    let mut stats = Stats::default();
    // Each record is counted and serialized by the worker that converted it; only the writing
    // is done one record at a time, in input order.
    let prepare = |record: Record, times: StageTimes| {
        let counted = Counted::of(&record);
        if record.text.as_ref().is_some_and(|t| t.len() > STREAM_ABOVE) {
            return Ready { counted, times, out: ReadyOut::Record(record) };
        }
        let emitting = Instant::now();
        let mut line = Vec::with_capacity(record.text.as_ref().map_or(1 << 12, |t| t.len() * 3));
        vanban::emit::write_json_line(&record, &mut line);
        Ready { counted, times, out: ReadyOut::Line { line, emit: emitting.elapsed() } }
    };
    let written = pool.install(|| {
        engine.try_convert_all_prepared(&inputs, prepare, |ready| {
            summary.add(ready.counted);
            stats.stages += ready.times;
            progress.inc(1);
            progress.set_message(format!("{:.1} MB", summary.bytes() as f64 / 1e6));
            match ready.out {
                ReadyOut::Line { line, emit } => {
                    stats.emit += emit;
                    let writing = Instant::now();
                    let written = out.writer.write_all(&line);
                    stats.write += writing.elapsed();
                    written
                }
                // Serialized straight into the output: no second copy of a big text.
                ReadyOut::Record(record) => {
                    let emitting = Instant::now();
                    let written = vanban::emit::write_json_line_to(&record, &mut out.writer);
                    stats.emit += emitting.elapsed();
                    written
                }
            }
        })
    });
    let written = written.and_then(|()| out.writer.flush());
    progress.finish_and_clear();
    written.with_context(|| format!("cannot write {}", out.name()))?;

    let wall = started.elapsed();
    if !args.quiet {
        eprint!("{}", summary.render(wall));
    }
    if args.stats {
        eprint!("{}", stats.render(inputs.len(), summary.bytes(), wall));
    }
    if let Some(path) = &args.stats_json {
        let json = stats.to_json(inputs.len(), summary.bytes(), wall);
        let text = serde_json::to_string_pretty(&json).context("cannot serialize the stats")?;
        std::fs::write(path, text + "\n").with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(if summary.any_failed() { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// A record made ready by the worker that converted it.
struct Ready {
    counted: Counted,
    times: StageTimes,
    out: ReadyOut,
}

enum ReadyOut {
    /// The JSON line, and the time serializing it took.
    Line { line: Vec<u8>, emit: Duration },
    /// A record with a big text, serialized when written.
    Record(Record),
}

/// Where the records go.
struct Output {
    writer: BufWriter<Box<dyn Write + Send>>,
    /// The output file, `None` for stdout.
    file: Option<PathBuf>,
}

impl Output {
    /// Stdout for `None` or `-`, else a new (truncated) file.
    fn open(path: Option<&Path>) -> anyhow::Result<Output> {
        match path {
            None => Ok(Output::stdout()),
            Some(p) if p.as_os_str() == "-" => Ok(Output::stdout()),
            Some(p) => {
                let file = File::create(p).with_context(|| format!("cannot create output file {}", p.display()))?;
                Ok(Output { writer: BufWriter::with_capacity(OUT_BUFFER, Box::new(file)), file: Some(p.to_owned()) })
            }
        }
    }

    fn stdout() -> Output {
        Output { writer: BufWriter::with_capacity(OUT_BUFFER, Box::new(io::stdout())), file: None }
    }

    /// True when the records are written to a terminal, where a progress bar would tangle with them.
    fn is_terminal(&self) -> bool {
        self.file.is_none() && io::stdout().is_terminal()
    }

    fn name(&self) -> String {
        self.file.as_ref().map_or_else(|| "to stdout".to_owned(), |p| p.display().to_string())
    }
}

/// Drop the output file from `inputs` when a folder walk found it: it was just truncated, and
/// reading it while writing it would make the output depend on timing.
fn skip_output_file(inputs: &mut InputList, output: &Path, quiet: bool) {
    let Ok(output) = output.canonicalize() else { return };
    inputs.retain(|input| {
        let same = input.walk_error.is_none() && input.path.canonicalize().is_ok_and(|p| p == output);
        if same && !quiet {
            eprintln!("vanban: skipping {}: it is the output file", input.path.display());
        }
        !same
    });
}

/// A progress bar on stderr, drawn only when stderr is a terminal and `hide` is not set.
fn progress_bar(files: usize, hide: bool) -> ProgressBar {
    let target =
        if hide || !io::stderr().is_terminal() { ProgressDrawTarget::hidden() } else { ProgressDrawTarget::stderr() };
    let bar = ProgressBar::with_draw_target(Some(files as u64), target);
    let style =
        ProgressStyle::with_template("{elapsed_precise} [{wide_bar}] {human_pos}/{human_len} files, {msg}, eta {eta}")
            .map(|s| s.progress_chars("=> "));
    if let Ok(style) = style {
        bar.set_style(style);
    }
    bar
}
