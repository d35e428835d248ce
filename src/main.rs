//! The `vanban` command line: paths in, JSON Lines out, a summary and an exit status.
//!
//! Thin on purpose. Every conversion decision lives in the library ([`vanban::Engine`]); this
//! binary parses arguments, runs the engine on a rayon pool, draws progress, prints the summary
//! and maps the outcome to an exit status:
//!
//! | status | when |
//! |---|---|
//! | 0 | every record is `ok` or `partial`; also when stdout is closed early (`vanban … \| head`) |
//! | 1 | at least one record is `failed` (all records are still written) |
//! | 2 | the run cannot proceed: bad arguments, unwritable output, invalid grammar folder |

#![allow(clippy::print_stdout, clippy::print_stderr)]

mod cli {
    pub(crate) mod args;
    pub(crate) mod convert;
    pub(crate) mod stats;
    pub(crate) mod summary;
}

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;

/// See the `mimalloc` entry of Cargo.toml for why.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use cli::args::{Cli, Command};

/// Exit status of a run that could not proceed.
const EXIT_CANNOT_RUN: u8 = 2;

fn main() -> ExitCode {
    set_allocator_options();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version go to stdout with status 0, usage errors to stderr with status 2.
            let _ = e.print();
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(EXIT_CANNOT_RUN));
        }
    };
    let result = match cli.command {
        Command::Convert(args) => cli::convert::run(&args),
        Command::Schema => print_schema().map(|()| ExitCode::SUCCESS),
    };
    match result {
        Ok(code) => code,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("vanban: error: {e:#}");
            ExitCode::from(EXIT_CANNOT_RUN)
        }
    }
}

/// Freed memory goes back to the system after 50 ms instead of mimalloc 3's 1 s (see the
/// `libmimalloc-sys` entry of Cargo.toml for why), unless `MIMALLOC_PURGE_DELAY` says otherwise.
#[allow(unsafe_code)]
fn set_allocator_options() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
        return;
    }
    // SAFETY: `mi_option_set` stores a value in mimalloc's table of options, which any thread
    // may do at any time; `MI_OPTION_PURGE_DELAY` is an option of that table.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS) };
}

/// `mi_option_purge_delay` of `mi_option_e` in mimalloc.h, which `libmimalloc-sys` does not
/// name: the option right before `mi_option_use_numa_nodes`, which it does.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = libmimalloc_sys::mi_option_use_numa_nodes - 1;
const PURGE_DELAY_MS: std::ffi::c_long = 50;

/// `vanban schema`: the JSON Schema of one record, pretty-printed.
fn print_schema() -> anyhow::Result<()> {
    let mut text = serde_json::to_string_pretty(&vanban::record_schema())?;
    text.push('\n');
    let mut stdout = io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    Ok(())
}

/// True when `e` comes from writing to a closed pipe: the reader has all it wanted.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| cause.downcast_ref::<io::Error>().is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe))
}

#[cfg(test)]
mod tests {
    #[test]
    #[allow(unsafe_code)]
    fn the_allocator_purges_sooner_than_by_default() {
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
            return;
        }
        // SAFETY: reading an option of mimalloc's table.
        let get = || unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY) };
        // mimalloc 3's default purge delay: the option is the one meant.
        assert_eq!(get(), 1000);
        super::set_allocator_options();
        assert_eq!(get(), super::PURGE_DELAY_MS);
    }
}
