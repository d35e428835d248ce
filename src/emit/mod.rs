//! Emit: a [`Record`] as one canonical JSON line.
//!
//! Canonical means byte-stable: keys in the order of the struct fields (no maps anywhere in the
//! record), no insignificant white space, non-ASCII written as UTF-8, one `\n` at the end.

use std::io::{self, Write};

use crate::model::Record;

mod json;

/// Append `record` as one JSON line (with the trailing newline) to `out`.
pub fn write_json_line(record: &Record, out: &mut Vec<u8>) {
    // Serializing plain structs of strings, numbers and vectors into memory cannot fail.
    write_json_line_to(record, out).expect("a record always serializes");
}

/// Write `record` as one JSON line (with the trailing newline) to `w`, without building the
/// line in memory first: for records of big inputs, whose text alone is the size of the file.
///
/// # Errors
/// Only those of `w`.
pub fn write_json_line_to<W: Write>(record: &Record, mut w: W) -> io::Result<()> {
    // Destructured so that a new field of `Record` does not compile until it is written here,
    // in field order; `text`, as long as the input, is written without serde.
    let Record { schema, source, status, diagnostics, text, documents } = record;
    w.write_all(b"{\"schema\":")?;
    json::write(&mut w, schema)?;
    w.write_all(b",\"source\":")?;
    json::write(&mut w, source)?;
    w.write_all(b",\"status\":")?;
    json::write(&mut w, status)?;
    w.write_all(b",\"diagnostics\":")?;
    json::write(&mut w, diagnostics)?;
    w.write_all(b",\"text\":")?;
    match text {
        Some(text) => json::write_string(text, &mut w)?,
        None => w.write_all(b"null")?,
    }
    w.write_all(b",\"documents\":")?;
    json::write(&mut w, documents)?;
    w.write_all(b"}\n")
}

/// `record` as one JSON line.
pub fn to_json_line(record: &Record) -> String {
    let mut out = Vec::with_capacity(record.text.as_ref().map_or(1024, |t| t.len() * 2));
    write_json_line(record, &mut out);
    // Only UTF-8 is written: the string parts are whole `str`s, the rest ASCII.
    String::from_utf8(out).expect("JSON lines are UTF-8")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_is_the_serde_json_of_the_record() {
        let engine = crate::Engine::new().unwrap();
        let text = "KẾ HOẠCH\nChuyển đổi số \"năm\" 2023\n\nI. MỤC TIÊU\n\n1. Mục tiêu\\chung\t\u{1}\n";
        for keep in [true, false] {
            let record = engine.clone().keep_text(keep).convert_bytes("plan.txt", text.as_bytes());
            let mut expected = serde_json::to_vec(&record).unwrap();
            expected.push(b'\n');
            assert_eq!(to_json_line(&record).into_bytes(), expected);
        }
    }
}
