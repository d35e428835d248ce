//! The record types of the output contract (record schema `vanban/1`).
//!
//! Every type here serializes to exactly the JSON that `README.md` ("Record format") documents.
//! Field order in the structs is the field order in the output, which keeps the JSON byte-stable.
//! Absent things are `null` or `[]`, never missing keys, so no field is skipped when empty.

use compact_str::CompactString;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The value of [`Record::schema`].
pub const SCHEMA_ID: &str = "vanban/1";

/// A half-open byte range `[start, end)` into [`Record::text`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize, JsonSchema)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end`.
    pub const fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// Length in bytes.
    pub const fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }

    /// True when the span covers no byte.
    pub const fn is_empty(&self) -> bool {
        self.end <= self.start
    }

    /// True when `other` lies inside `self`.
    pub const fn contains(&self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }
}

/// One output record: everything vanban learnt from one input file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Record {
    /// Always [`SCHEMA_ID`].
    pub schema: String,
    /// Where the record came from.
    pub source: Source,
    /// Whether the conversion succeeded.
    pub status: Status,
    /// Everything worth telling about the conversion, in a stable order.
    pub diagnostics: Vec<Diagnostic>,
    /// The normalized text every span points into; `None` with `--no-text`.
    pub text: Option<String>,
    /// The documents the file holds, in reading order.
    pub documents: Vec<Document>,
}

/// The input file a record was made from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Source {
    /// The path as given (relative stays relative).
    pub path: String,
    /// Size of the input in bytes.
    pub bytes: u64,
    /// Lower-case hex SHA-256 of the input bytes; `None` when the file could not be read.
    pub sha256: Option<String>,
    /// The container format, `None` when it could not be told.
    pub format: Option<Format>,
    /// The character encoding, `None` where the container fixes it or it could not be told.
    pub encoding: Option<Encoding>,
    /// Page count for paged inputs, else `None`.
    pub pages: Option<u32>,
    /// Byte offsets into `text` where each page starts, for paged inputs; else `[]`.
    /// An extension to SPEC §1.
    pub page_starts: Vec<usize>,
}

/// Input container formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Plain text.
    Text,
    /// Markdown-ish text (headings with `#`, `**bold**`, pipe tables, HTML fragments).
    Markdown,
    /// HTML.
    Html,
    /// PDF.
    Pdf,
    /// Office Open XML word processing.
    Docx,
    /// Word 97-2003 binary.
    Doc,
    /// Rich Text Format.
    Rtf,
}

impl Format {
    /// The lower-case name used in the output.
    pub const fn as_str(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Markdown => "markdown",
            Format::Html => "html",
            Format::Pdf => "pdf",
            Format::Docx => "docx",
            Format::Doc => "doc",
            Format::Rtf => "rtf",
        }
    }
}

/// Character encodings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
pub enum Encoding {
    /// UTF-8, with or without a byte-order mark.
    #[serde(rename = "utf-8")]
    Utf8,
    /// UTF-16, little-endian.
    #[serde(rename = "utf-16le")]
    Utf16Le,
    /// UTF-16, big-endian.
    #[serde(rename = "utf-16be")]
    Utf16Be,
    /// Windows code page 1258 (Vietnamese).
    #[serde(rename = "windows-1258")]
    Windows1258,
    /// TCVN 5712:1993 (ABC, the .VnTime fonts).
    #[serde(rename = "tcvn3")]
    Tcvn3,
    /// VNI-Windows.
    #[serde(rename = "vni")]
    Vni,
    /// VISCII (RFC 1456).
    #[serde(rename = "viscii")]
    Viscii,
    /// VPS (the Vietnamese Professionals Society's 8-bit code). An extension to SPEC §1.
    #[serde(rename = "vps")]
    Vps,
}

impl Encoding {
    /// The name used in the output.
    pub const fn as_str(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Utf16Le => "utf-16le",
            Encoding::Utf16Be => "utf-16be",
            Encoding::Windows1258 => "windows-1258",
            Encoding::Tcvn3 => "tcvn3",
            Encoding::Vni => "vni",
            Encoding::Viscii => "viscii",
            Encoding::Vps => "vps",
        }
    }
}

/// Outcome of converting one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Converted; nothing material lost.
    Ok,
    /// Converted, but something was lost or guessed; each loss is a diagnostic.
    Partial,
    /// No usable text; `documents` is empty and an `error` diagnostic says why.
    Failed,
}

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Something was changed on purpose and is reported for transparency.
    Info,
    /// Something was lost or guessed.
    Warning,
    /// The file could not be converted.
    Error,
}

/// A message about the conversion, with a stable dotted code (listed in README.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Diagnostic {
    /// How serious it is.
    pub severity: Severity,
    /// Stable dotted code, e.g. `layout.page_number_removed`.
    pub code: String,
    /// Human-readable detail.
    pub message: String,
    /// Where in `text` it applies, if anywhere.
    pub span: Option<Span>,
}

impl Diagnostic {
    /// A diagnostic with no span.
    pub fn new(severity: Severity, code: &str, message: impl Into<String>) -> Self {
        Diagnostic { severity, code: code.to_owned(), message: message.into(), span: None }
    }

    /// The same diagnostic pointing at `span`.
    pub fn with_span(mut self, span: Span) -> Self {
        self.span = Some(span);
        self
    }
}

/// One document in a file: a Quyết định, the Kế hoạch it issues, a Quy định …
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Document {
    /// Document type key from `grammars/doc_types.yaml` (`ke_hoach`, `quyet_dinh`, …, `other`).
    pub kind: CompactString,
    /// The type line as printed ("KẾ HOẠCH"), `None` when the document has none.
    pub kind_label: Option<CompactString>,
    /// Số/ký hiệu with spaces around "/" and "-" removed; `None` when blank.
    pub number: Option<CompactString>,
    /// ISO date, "YYYY-MM" when the day is blank, `None` when absent.
    pub date: Option<CompactString>,
    /// Place name of the date line.
    pub place: Option<CompactString>,
    /// The issuing body.
    pub issuer: Option<Agency>,
    /// The trích yếu on one line, without the type word.
    pub title: Option<CompactString>,
    /// Who signed.
    pub signer: Option<Signer>,
    /// The "Nơi nhận" items.
    pub recipients: Vec<CompactString>,
    /// The citations the document rests on ("Căn cứ …", "Thực hiện …").
    pub basis: Vec<Citation>,
    /// Every distinct document referred to.
    pub citations: Vec<Citation>,
    /// The section tree.
    pub sections: Vec<Section>,
    /// Units of work with a named lead.
    pub tasks: Vec<Task>,
    /// Agency-headed blocks of duties.
    pub responsibilities: Vec<Responsibility>,
    /// Quantitative targets.
    pub targets: Vec<Target>,
    /// Money.
    pub budgets: Vec<Budget>,
    /// Tables.
    pub tables: Vec<Table>,
    /// Where the document lies in `text`.
    pub span: Span,
}

/// An agency (cơ quan): a state body named in a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Agency {
    /// Full name, abbreviations expanded.
    pub name: CompactString,
    /// As printed.
    pub text: CompactString,
    /// Gazetteer key, `None` when the agency is not in the gazetteer.
    pub id: Option<CompactString>,
}

/// The person who signed (người ký).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Signer {
    /// The person's name.
    pub name: Option<CompactString>,
    /// Position in sentence case ("Phó Chủ tịch").
    pub position: Option<CompactString>,
    /// TM./KT./Q./TL./TUQ. lines as printed.
    pub capacity: Vec<CompactString>,
}

/// A heading and the body under it (phần, chương, điều, mục …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Section {
    /// Marker as printed without the trailing "." or ")": "Phần I", "Điều 3", "I", "1.1", "a".
    pub marker: CompactString,
    /// Heading scheme from `grammars/headings.yaml` that matched.
    pub scheme: CompactString,
    /// Markers from the root joined by "/".
    pub path: CompactString,
    /// Depth in the tree, 1 = top.
    pub level: u32,
    /// Heading text without the marker.
    pub title: CompactString,
    /// The heading and its body up to the next heading of the same or a higher level.
    pub span: Span,
    /// Sub-sections.
    pub children: Vec<Section>,
}

/// A task (nhiệm vụ): a unit of work with a named lead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Task {
    /// Path of the section it belongs to, or `table:N/row:M`.
    pub section: CompactString,
    /// What is to be done.
    pub name: CompactString,
    /// Lead agencies (chủ trì).
    pub lead: Vec<Agency>,
    /// Partner agencies (phối hợp).
    pub partners: Vec<Agency>,
    /// When.
    pub timeline: Option<Timeline>,
    /// Expected result or product.
    pub result: Option<CompactString>,
    /// Money attached to the task.
    pub budget: Option<Budget>,
    /// "section" or "table".
    pub origin: CompactString,
    /// Where it is.
    pub span: Span,
}

/// When something is to be done (thời gian thực hiện).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Timeline {
    /// As printed.
    pub text: CompactString,
    /// ISO start date where the text fixes it.
    pub start: Option<CompactString>,
    /// ISO end date where the text fixes it.
    pub end: Option<CompactString>,
    /// "yearly", "semiannual", "quarterly", "monthly" or `None`.
    pub recurrence: Option<CompactString>,
}

/// A responsibility (trách nhiệm): an agency-headed block of duties.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Responsibility {
    /// Path of the block's section.
    pub section: CompactString,
    /// The agency the block is headed by.
    pub agency: Agency,
    /// The block's items, each on one line.
    pub duties: Vec<CompactString>,
    /// Where it is.
    pub span: Span,
}

/// A target (chỉ tiêu, mục tiêu).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Target {
    /// Path of the section it is in.
    pub section: CompactString,
    /// The sentence or item that states it.
    pub text: CompactString,
    /// The number in plain decimal notation.
    pub value: CompactString,
    /// "%", "người", "doanh nghiệp" …
    pub unit: Option<CompactString>,
    /// "gt", "ge", "lt", "le" or `None`.
    pub comparator: Option<CompactString>,
    /// Target year, if stated.
    pub year: Option<i32>,
    /// Where it is.
    pub span: Span,
}

/// Money (kinh phí).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Budget {
    /// Path of the section it is in.
    pub section: CompactString,
    /// As printed.
    pub text: CompactString,
    /// Amount in đồng.
    pub amount_vnd: Option<i64>,
    /// Unit as printed ("tỷ đồng", "triệu đồng").
    pub unit: Option<CompactString>,
    /// Where the money comes from ("ngân sách trung ương" …).
    pub source_of_funds: Option<CompactString>,
    /// The document's or table's grand total.
    pub is_total: bool,
    /// Where it is.
    pub span: Span,
}

/// A table (bảng).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Table {
    /// Path of the section it is in.
    pub section: CompactString,
    /// Title line above the table.
    pub caption: Option<CompactString>,
    /// Unit from "ĐVT:" or a header cell.
    pub unit: Option<CompactString>,
    /// Header rows.
    pub header: Vec<Vec<CompactString>>,
    /// Body rows (items, groups, totals), column-index row dropped.
    pub rows: Vec<Vec<CompactString>>,
    /// "item", "group" or "total", one per row.
    pub row_kinds: Vec<CompactString>,
    /// Where it is.
    pub span: Span,
}

/// A reference to another legal document (trích dẫn).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Citation {
    /// Document type key.
    pub kind: CompactString,
    /// Số/ký hiệu, normalized as for [`Document::number`].
    pub number: Option<CompactString>,
    /// ISO date.
    pub date: Option<CompactString>,
    /// Issuing body.
    pub issuer: Option<CompactString>,
    /// Title, for laws cited by title.
    pub title: Option<CompactString>,
    /// As printed.
    pub text: CompactString,
    /// First place it is cited.
    pub span: Span,
}
