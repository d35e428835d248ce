//! Typed errors of the library.
//!
//! Conversion problems with one input never surface as an [`Error`]: they become a `failed` record
//! with an `error` diagnostic, so that a batch goes on. [`Error`] is for what stops an [`Engine`]
//! from being built at all (a bad grammar file) or an I/O failure the caller asked about directly.
//!
//! [`Engine`]: crate::Engine

use std::path::PathBuf;

/// What can go wrong outside the per-file conversion.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A grammar file could not be read, parsed or compiled.
    #[error(transparent)]
    Grammar(#[from] GrammarError),
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

/// A grammar file that is not valid, with where and why.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GrammarError {
    /// The user grammar folder or one of its files could not be read.
    #[error("{file}: cannot read: {source}")]
    Read {
        /// The file or folder.
        file: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The YAML does not parse or does not fit the expected shape (unknown key, wrong type).
    #[error("{file}: {message}")]
    Parse {
        /// The grammar file, e.g. `headings.yaml`.
        file: String,
        /// The parser's message, with line and column.
        message: String,
    },
    /// A regular expression in a grammar file does not compile.
    #[error("{file}: {what}: bad regex `{pattern}`: {message}")]
    Regex {
        /// The grammar file.
        file: String,
        /// Which entry holds it.
        what: String,
        /// The pattern as written.
        pattern: String,
        /// The regex compiler's message.
        message: String,
    },
    /// A value is well-formed YAML but does not make sense.
    #[error("{file}: {message}")]
    Invalid {
        /// The grammar file.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// A file in the user grammar folder has a name vanban does not know.
    #[error("{file}: unknown grammar file (known: {known})")]
    UnknownFile {
        /// The file.
        file: String,
        /// The names vanban reads.
        known: String,
    },
}
