//! What a font's name says about the 8-bit codes shown in it.
//!
//! Legacy Vietnamese text was written with ordinary 8-bit fonts whose glyphs were redrawn: the
//! ".Vn…" fonts of the ABC package show TCVN3, "VNI-…" fonts show VNI-Windows, "VPS …" fonts
//! VPS. Containers that name fonts (Word, RTF, PDF) therefore tell the encoding of each run;
//! the syllable score still has the last word (`super::detect`), since a name can lie.

/// The encoding family a font name implies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub(crate) enum Family {
    /// An ordinary font: its 8-bit codes are the container's code page (Windows-1252).
    #[default]
    Other,
    /// A TCVN3 (ABC) font: `.VnTime`, `.VnArialH` …
    Tcvn3,
    /// A VNI-Windows font: `VNI-Times`, `VNI-Helve` …
    Vni,
    /// A VPS font.
    Vps,
    /// A VISCII font.
    Viscii,
    /// The Symbol font: Greek letters and mathematical signs.
    Symbol,
    /// A picture font (Wingdings, Webdings …): bullets and ornaments.
    Dingbats,
}

/// A font as far as decoding cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub(crate) struct FontKind {
    /// The encoding family.
    pub(crate) family: Family,
    /// An all-capital font (`.VnTimeH`): TCVN3 has no codes for capitals with tone marks, so
    /// documents write lower-case codes in these fonts to show capitals.
    pub(crate) caps: bool,
}

/// ABC font families, for names that lost their leading dot (PDF base fonts: `VnTime`,
/// `VnTimeHBold`). With the dot, any `.Vn…` name is an ABC font.
const ABC_FAMILIES: [&str; 24] = [
    "time",
    "arial",
    "helvet",
    "centur",
    "avant",
    "book",
    "courier",
    "black",
    "bodoni",
    "clarendon",
    "cooper",
    "commercial",
    "monotype",
    "linus",
    "southern",
    "univers",
    "free",
    "aristote",
    "aptima",
    "bahamas",
    "exotic",
    "lucida",
    "souvenir",
    "shelley",
];

/// Picture fonts, by their compact lower-case name (prefixes).
const DINGBAT_FONTS: [&str; 5] = ["wingdings", "webdings", "marlett", "zapfdingbats", "msoutlook"];

/// Style words PDF and Word add to a family name (`VnTimeHBold`, `.VnTimeH Tur`).
const STYLE_SUFFIXES: [&str; 12] =
    ["Bold", "Italic", "Oblique", "Regular", "Tur", "CE", "Cyr", "Greek", "Baltic", "Narrow", "Condensed", "MT"];

/// Classify the font named `name` (as Word, RTF or a PDF names it; a PDF subset prefix such
/// as `GDNPNI+` is ignored).
pub(crate) fn classify_font(name: &str) -> FontKind {
    let name = strip_subset_prefix(name.trim());
    let dotted = name.starts_with('.');
    let name = name.trim_start_matches('.');
    let compact: String = name.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect();
    let family = if compact.starts_with("vni") {
        Family::Vni
    } else if compact.starts_with("vps") {
        Family::Vps
    } else if compact.starts_with("viscii") {
        Family::Viscii
    } else if compact.starts_with("vn") && (dotted || ABC_FAMILIES.iter().any(|f| compact[2..].starts_with(f))) {
        Family::Tcvn3
    } else if compact == "symbol" || compact == "symbolmt" {
        Family::Symbol
    } else if DINGBAT_FONTS.iter().any(|f| compact.starts_with(f)) {
        Family::Dingbats
    } else {
        Family::Other
    };
    let caps = family == Family::Tcvn3 && strip_styles(name).ends_with('H');
    FontKind { family, caps }
}

/// `ABCDEF+Name` -> `Name`.
fn strip_subset_prefix(name: &str) -> &str {
    match name.split_once('+') {
        Some((tag, rest)) if tag.len() == 6 && tag.bytes().all(|b| b.is_ascii_uppercase()) => rest,
        _ => name,
    }
}

/// The family name without trailing style words and separators.
fn strip_styles(mut name: &str) -> &str {
    loop {
        let trimmed = name.trim_end_matches([' ', ',', '-', '_']);
        match STYLE_SUFFIXES.iter().find_map(|s| trimmed.strip_suffix(s)) {
            Some(rest) if !rest.is_empty() => name = rest,
            _ => return trimmed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(family: Family, caps: bool) -> FontKind {
        FontKind { family, caps }
    }

    #[test]
    fn names() {
        assert_eq!(classify_font(".VnTime"), kind(Family::Tcvn3, false));
        assert_eq!(classify_font(".VnTimeH"), kind(Family::Tcvn3, true));
        assert_eq!(classify_font(".VnTimeH Tur"), kind(Family::Tcvn3, true));
        assert_eq!(classify_font(".VnCentury SchoolbookH"), kind(Family::Tcvn3, true));
        assert_eq!(classify_font(".VnArial NarrowH"), kind(Family::Tcvn3, true));
        assert_eq!(classify_font("GDNPNI+VnTime"), kind(Family::Tcvn3, false));
        assert_eq!(classify_font("GDNPMG+VnTimeHBold"), kind(Family::Tcvn3, true));
        assert_eq!(classify_font("VnTimeItalic"), kind(Family::Tcvn3, false));
        assert_eq!(classify_font("VNI-Times"), kind(Family::Vni, false));
        assert_eq!(classify_font("VNI-Helve-Condense"), kind(Family::Vni, false));
        assert_eq!(classify_font("VPS Times"), kind(Family::Vps, false));
        assert_eq!(classify_font("Wingdings 2"), kind(Family::Dingbats, false));
        assert_eq!(classify_font("Symbol"), kind(Family::Symbol, false));
        for other in ["Times New Roman", "Arial", "SVNtimes new roman", "Tahoma", "VnExpress Sans?", "", "+", "H"] {
            assert_eq!(classify_font(other).family, Family::Other, "{other}");
        }
    }
}
