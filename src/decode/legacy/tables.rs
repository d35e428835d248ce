//! The byte tables of the table-driven legacy encodings, parsed once from `tables.txt`.
//!
//! Every table has all 256 entries: the bytes the encoding assigns (listed in `tables.txt`) and,
//! for the others, their Windows-1252 meaning (ASCII below 0x80). Windows-1252 itself is one of
//! the tables, built from encoding_rs, because it is what containers (Word, RTF, PDF fonts) store
//! the bytes of a legacy font as.

use std::sync::OnceLock;

use crate::model::Encoding;

/// The table data, see the header of the file for its format and sources.
const DATA: &str = include_str!("tables.txt");

/// What one encoding maps each byte to.
#[derive(Debug)]
pub(crate) struct ByteTable {
    /// The decoding of each byte (not yet composed: VNI bytes may be combining marks).
    entries: Vec<String>,
    /// The bytes the encoding itself assigns (listed in `tables.txt`), sorted.
    #[cfg_attr(not(test), allow(dead_code))]
    assigned: Vec<u8>,
}

impl ByteTable {
    /// What `byte` stands for.
    pub(crate) fn get(&self, byte: u8) -> &str {
        &self.entries[usize::from(byte)]
    }

    /// The bytes the encoding assigns (not the Windows-1252 fallbacks).
    #[cfg(test)]
    pub(crate) fn assigned(&self) -> &[u8] {
        &self.assigned
    }
}

/// The four table-driven encodings and Windows-1252.
#[derive(Debug)]
struct Tables {
    tcvn3: ByteTable,
    vni: ByteTable,
    viscii: ByteTable,
    vps: ByteTable,
    cp1252: ByteTable,
}

/// The table of `encoding`, if it is one of the table-driven ones (TCVN3, VNI, VISCII, VPS).
pub(crate) fn table(encoding: Encoding) -> Option<&'static ByteTable> {
    let t = tables();
    match encoding {
        Encoding::Tcvn3 => Some(&t.tcvn3),
        Encoding::Vni => Some(&t.vni),
        Encoding::Viscii => Some(&t.viscii),
        Encoding::Vps => Some(&t.vps),
        _ => None,
    }
}

/// Windows-1252, the code page containers store 8-bit text in. The five bytes Windows-1252
/// leaves undefined (81 8D 8F 90 9D) decode to U+FFFD.
pub(crate) fn cp1252() -> &'static ByteTable {
    &tables().cp1252
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let cp1252: Vec<String> = (0..=255u8).map(cp1252_char).map(String::from).collect();
        let section = |name: &str| parse_section(DATA, name, &cp1252);
        Tables {
            tcvn3: section("tcvn3"),
            vni: section("vni"),
            viscii: section("viscii"),
            vps: section("vps"),
            cp1252: ByteTable { entries: cp1252.clone(), assigned: (0x80..=0xFF).collect() },
        }
    })
}

/// The Windows-1252 character of `byte` (U+FFFD for the five undefined ones).
fn cp1252_char(byte: u8) -> char {
    let bytes = [byte];
    let (text, _, _) = encoding_rs::WINDOWS_1252.decode(&bytes);
    let c = text.chars().next().unwrap_or('\u{FFFD}');
    if ('\u{80}'..='\u{9F}').contains(&c) { '\u{FFFD}' } else { c }
}

/// Parse the section `[name]` of `data` over the Windows-1252 fallbacks. Lines that do not
/// parse are skipped (a unit test checks that every line of the embedded file parses).
fn parse_section(data: &str, name: &str, fallback: &[String]) -> ByteTable {
    let mut entries = fallback.to_vec();
    let mut assigned = Vec::new();
    for (byte, text) in section_lines(data, name).filter_map(parse_line) {
        entries[usize::from(byte)] = text;
        assigned.push(byte);
    }
    assigned.sort_unstable();
    assigned.dedup();
    ByteTable { entries, assigned }
}

/// The content lines (comments and blanks removed) of section `[name]`.
pub(super) fn section_lines<'a>(data: &'a str, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    let header = format!("[{name}]");
    data.lines()
        .map(|line| line.split('#').next().unwrap_or("").trim())
        .skip_while(move |line| *line != header)
        .skip(1)
        .take_while(|line| !line.starts_with('['))
        .filter(|line| !line.is_empty())
}

/// `A1 0102` -> (0xA1, "Ă"); `E1 0302 0301` -> (0xE1, "\u{302}\u{301}").
pub(super) fn parse_line(line: &str) -> Option<(u8, String)> {
    let mut fields = line.split_ascii_whitespace();
    let byte = u8::from_str_radix(fields.next()?, 16).ok()?;
    let text: Option<String> = fields.map(|f| u32::from_str_radix(f, 16).ok().and_then(char::from_u32)).collect();
    text.filter(|t| !t.is_empty()).map(|t| (byte, t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_parses() {
        let mut sections = 0;
        for name in ["tcvn3", "vni", "viscii", "vps"] {
            let lines: Vec<&str> = section_lines(DATA, name).collect();
            assert!(!lines.is_empty(), "no section [{name}]");
            for line in &lines {
                assert!(parse_line(line).is_some(), "[{name}] bad line {line:?}");
            }
            sections += 1;
        }
        assert_eq!(sections, 4);
        // VN3: 67 lower-case letters, 7 capitals, no-break space.
        assert_eq!(table(Encoding::Tcvn3).map(|t| t.assigned().len()), Some(75));
        assert_eq!(table(Encoding::Tcvn3).map(|t| t.get(0xAD)), Some("ư"));
        assert_eq!(table(Encoding::Vni).map(|t| t.get(0xF1)), Some("đ"));
        assert_eq!(table(Encoding::Viscii).map(|t| t.get(0x02)), Some("Ẳ"));
        assert_eq!(cp1252().get(0x85), "…");
        assert_eq!(cp1252().get(0x81), "\u{FFFD}");
        assert!(table(Encoding::Windows1258).is_none());
    }
}
