//! Emit: a [`Record`] as one canonical JSON line.
//!
//! Canonical means byte-stable: keys in the order of the struct fields (no maps anywhere in the
//! record), no insignificant white space, non-ASCII written as UTF-8, one `\n` at the end.

use crate::model::Record;

/// Append `record` as one JSON line (with the trailing newline) to `out`.
pub fn write_json_line(record: &Record, out: &mut Vec<u8>) {
    // Serializing plain structs of strings, numbers and vectors into memory cannot fail.
    serde_json::to_writer(&mut *out, record).expect("a record always serializes");
    out.push(b'\n');
}

/// Write `record` as one JSON line (with the trailing newline) to `w`, without building the
/// line in memory first: for records of big inputs, whose text alone is the size of the file.
///
/// # Errors
/// Only those of `w`.
pub fn write_json_line_to<W: std::io::Write>(record: &Record, mut w: W) -> std::io::Result<()> {
    serde_json::to_writer(&mut w, record).map_err(std::io::Error::from)?;
    w.write_all(b"\n")
}

/// `record` as one JSON line.
pub fn to_json_line(record: &Record) -> String {
    let mut out = Vec::with_capacity(record.text.as_ref().map_or(1024, |t| t.len() * 2));
    write_json_line(record, &mut out);
    // serde_json writes UTF-8 only.
    String::from_utf8(out).expect("serde_json writes UTF-8")
}
