//! Emit: a [`Record`] as one canonical JSON line.
//!
//! Canonical means byte-stable: keys in the order of the struct fields (no maps anywhere in the
//! record), no insignificant white space, non-ASCII written as UTF-8, one `\n` at the end.

use std::io::{self, Write};

use crate::model::Record;

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
    // The record's own fields are written here so that `text`, as long as the input, skips
    // serde_json's byte-at-a-time escaping; everything else is serde's. Destructured so that a
    // new field of `Record` does not compile until it is written here, in field order.
    let Record { schema, source, status, diagnostics, text, documents } = record;
    w.write_all(b"{\"schema\":")?;
    serde_json::to_writer(&mut w, schema)?;
    w.write_all(b",\"source\":")?;
    serde_json::to_writer(&mut w, source)?;
    w.write_all(b",\"status\":")?;
    serde_json::to_writer(&mut w, status)?;
    w.write_all(b",\"diagnostics\":")?;
    serde_json::to_writer(&mut w, diagnostics)?;
    w.write_all(b",\"text\":")?;
    match text {
        Some(text) => write_json_string(text, &mut w)?,
        None => w.write_all(b"null")?,
    }
    w.write_all(b",\"documents\":")?;
    serde_json::to_writer(&mut w, documents)?;
    w.write_all(b"}\n")
}

/// `record` as one JSON line.
pub fn to_json_line(record: &Record) -> String {
    let mut out = Vec::with_capacity(record.text.as_ref().map_or(1024, |t| t.len() * 2));
    write_json_line(record, &mut out);
    // Only UTF-8 is written: the string parts are whole `str`s, the rest ASCII.
    String::from_utf8(out).expect("JSON lines are UTF-8")
}

/// `s` as a JSON string, escaped exactly as serde_json does (`\"`, `\\`, `\b`, `\f`, `\n`,
/// `\r`, `\t`, other control chars as `\u00xx`; everything else as is). Eight bytes are
/// checked at a time: text is almost all plain bytes.
fn write_json_string<W: Write>(s: &str, w: &mut W) -> io::Result<()> {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    // Set bits mark bytes that may be zero (no false negatives; a false positive only sends
    // the chunk to the byte-by-byte path).
    let has_zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS;
    let bytes = s.as_bytes();
    w.write_all(b"\"")?;
    let mut run = 0; // start of the bytes not yet written
    let mut i = 0;
    while i < bytes.len() {
        if let Some(chunk) = bytes.get(i..i + 8) {
            let v = u64::from_ne_bytes(chunk.try_into().unwrap_or_default());
            // A byte < 0x20 (the borrow test works for bounds up to 0x80), `"` or `\`.
            let control = v.wrapping_sub(u64::from_ne_bytes([0x20; 8])) & !v & HIGHS;
            let quote = has_zero(v ^ u64::from_ne_bytes([b'"'; 8]));
            let backslash = has_zero(v ^ u64::from_ne_bytes([b'\\'; 8]));
            if control | quote | backslash == 0 {
                i += 8;
                continue;
            }
        }
        let end = (i + 8).min(bytes.len());
        for (j, &b) in bytes.iter().enumerate().take(end).skip(i) {
            let escape: &[u8] = match b {
                b'"' => b"\\\"",
                b'\\' => b"\\\\",
                b'\n' => b"\\n",
                b'\r' => b"\\r",
                b'\t' => b"\\t",
                0x08 => b"\\b",
                0x0c => b"\\f",
                0x00..=0x1f => &[b'\\', b'u', b'0', b'0', HEX[usize::from(b >> 4)], HEX[usize::from(b & 0xf)]],
                _ => continue,
            };
            w.write_all(&bytes[run..j])?;
            w.write_all(escape)?;
            run = j + 1;
        }
        i = end;
    }
    w.write_all(&bytes[run..])?;
    w.write_all(b"\"")
}

const HEX: [u8; 16] = *b"0123456789abcdef";

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(s: &str) -> String {
        let mut out = Vec::new();
        write_json_string(s, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn strings_are_escaped_as_serde_json_does() {
        let all_ascii: String = (0u8..0x80).map(char::from).collect();
        for s in ["", "a", "Kế hoạch \"số 5\"\\\n\t", "\u{7f}\u{a0}\u{2028}é", &all_ascii, "12345678\n2345678\u{1}"]
        {
            assert_eq!(escaped(s), serde_json::to_string(s).unwrap(), "{s:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_string_is_escaped_as_serde_json_does(s in "(?s).{0,40}", t in "[\\x00-\\x7f]{0,40}") {
            proptest::prop_assert_eq!(escaped(&s), serde_json::to_string(&s).unwrap());
            proptest::prop_assert_eq!(escaped(&t), serde_json::to_string(&t).unwrap());
        }
    }

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
