//! Command-line arguments.

use std::num::NonZeroUsize;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

const EXIT_STATUS_HELP: &str = "\
Exit status:
  0  every record is ok or partial (also when stdout closes early, e.g. `| head`)
  1  at least one record failed (all records are still written)
  2  the run cannot proceed: bad arguments, unwritable output, invalid grammar folder";

/// Turn Vietnamese administrative documents into canonical JSON Lines.
#[derive(Debug, Parser)]
#[command(name = "vanban", version, after_help = EXIT_STATUS_HELP)]
pub(crate) struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Convert files and folders to JSON Lines, one record per input file, in sorted path order
    #[command(after_help = EXIT_STATUS_HELP)]
    Convert(ConvertArgs),
    /// Print the JSON Schema of one output record
    Schema,
}

/// Arguments of `vanban convert`.
#[derive(Debug, Args)]
pub(crate) struct ConvertArgs {
    /// Files and folders to convert; folders are walked recursively
    #[arg(required = true, value_name = "PATH")]
    pub(crate) paths: Vec<PathBuf>,

    /// Write the records to OUT instead of stdout ("-" is stdout)
    #[arg(short, long, value_name = "OUT")]
    pub(crate) output: Option<PathBuf>,

    /// Worker threads [default: one per CPU]; the output is the same for any N
    #[arg(short, long, value_name = "N")]
    pub(crate) jobs: Option<NonZeroUsize>,

    /// Leave the normalized text out of the records ("text": null)
    #[arg(long)]
    pub(crate) no_text: bool,

    /// Folder of grammar files (doc_types.yaml, headings.yaml, …) replacing the embedded ones
    #[arg(long, value_name = "DIR")]
    pub(crate) grammars: Option<PathBuf>,

    /// No progress bar and no summary on stderr
    #[arg(short, long)]
    pub(crate) quiet: bool,

    /// After the summary, print the time and MB/s of every stage, docs/s and peak memory
    #[arg(long)]
    pub(crate) stats: bool,

    /// Write the same figures as JSON to FILE
    #[arg(long, value_name = "FILE")]
    pub(crate) stats_json: Option<PathBuf>,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn convert_arguments_parse() {
        let cli = Cli::try_parse_from(["vanban", "convert", "a", "b", "-o", "out.jsonl", "-j", "3", "--no-text"])
            .expect("valid arguments");
        let Command::Convert(args) = cli.command else { panic!("not convert") };
        assert_eq!(args.paths, [PathBuf::from("a"), PathBuf::from("b")]);
        assert_eq!(args.output, Some(PathBuf::from("out.jsonl")));
        assert_eq!(args.jobs.map(NonZeroUsize::get), Some(3));
        assert!(args.no_text && !args.quiet && args.grammars.is_none());
    }

    #[test]
    fn zero_jobs_and_missing_paths_are_rejected() {
        assert!(Cli::try_parse_from(["vanban", "convert", "a", "-j", "0"]).is_err());
        assert!(Cli::try_parse_from(["vanban", "convert"]).is_err());
    }
}
