//! # vanban
//!
//! Turns Vietnamese administrative documents (Kế hoạch, Quyết định, Chỉ thị, Nghị quyết and
//! their appendices) into canonical, structured JSON records.
//!
//! The pipeline is one-way, one module per stage, each handing the next plain data:
//!
//! ```text
//! bytes ─ decode ─> Decoded ─ normalize ─> Canonical ─ layout ─> Layout ─ segment ─> Skeleton
//!       ─ extract ─> Vec<Document> ─ emit ─> one JSON line
//! ```
//!
//! [`Engine`] holds the compiled [`Grammar`] and runs the stages; build it once and share it.
//!
//! ```
//! use vanban::Engine;
//!
//! let engine = Engine::new().expect("embedded grammars are valid");
//! let text = "KẾ HOẠCH\nChuyển đổi số năm 2023\n\nI. MỤC TIÊU\n\n1. Mục tiêu chung\n\nNâng cao nhận thức.\n";
//! let record = engine.convert_bytes("plan.txt", text.as_bytes());
//! assert_eq!(record.status, vanban::Status::Ok);
//! let doc = &record.documents[0];
//! assert_eq!(doc.kind, "ke_hoach");
//! assert_eq!(doc.sections[0].marker, "I");
//! assert_eq!(doc.sections[0].children[0].path, "I/1");
//! ```

#![forbid(unsafe_code)]

pub mod decode;
pub mod emit;
mod engine;
pub mod error;
pub mod extract;
pub mod grammar;
mod inputs;
pub mod layout;
pub mod model;
pub mod normalize;
pub mod segment;
mod text;

/// The string type of the document fields: a `String` that keeps up to 24 bytes inline. Most
/// fields are short (section paths, units, dates, agency names), and a big input's records
/// hold millions of them; it derefs to `str` and serializes as a string.
pub use compact_str::CompactString;
pub use engine::{Engine, StageTimes};
pub use error::{Error, GrammarError};
pub use grammar::Grammar;
pub use inputs::{Input, InputList, InputRef, Inputs, expand_paths};
pub use model::{
    Agency, Budget, Citation, Diagnostic, Document, Encoding, Format, Record, Responsibility, Section, Severity,
    Signer, Source, Span, Status, Table, Target, Task, Timeline,
};

/// The JSON Schema (draft 2020-12) of one output line, a [`Record`].
///
/// `schema/record.schema.json` is this value, pretty-printed (`vanban schema` prints it). It is
/// generated for the serialize side, so every key the output always writes is `required`, even
/// when its value may be `null`: absent things are `null` or `[]`, never missing keys.
pub fn record_schema() -> serde_json::Value {
    schemars::generate::SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator()
        .into_root_schema_for::<Record>()
        .to_value()
}
