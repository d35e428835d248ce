//! HTML pieces found in converted text: tags, comments and character references.
//!
//! Only the recognizing is here (what a `<…>` or `&…;` at a given byte is); what to do with it
//! is decided by the markup pass. Everything is parsed on one line (a tag never spans a line
//! break or a tab, so a stray `<` cannot swallow a table cell), except comments and the bodies
//! of `<script>`/`<style>`, which the markup pass looks for across lines.

/// How a tag affects the text around it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TagKind {
    /// Formatting only (`<b>`, `<span>`, unknown tags): removed, the text stays joined.
    Inline,
    /// A line break between blocks (`<p>`, `<br>`, `<div>`, `<ul>`, …).
    Block,
    /// A table row boundary (`<tr>`, `<table>`, …): a line break that also ends the cells.
    Row,
    /// A list item (`<li>`): a line break and a bullet.
    ListItem,
    /// A table cell (`<td>`, `<th>`): a tab between cells.
    Cell,
    /// `<img>`: removed with its alternative text.
    Image,
    /// `<script>`, `<style>`: removed with their content.
    Raw,
}

/// A tag found at some byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tag {
    /// One past the `>`.
    pub(crate) end: usize,
    /// `</…>`.
    pub(crate) closing: bool,
    /// What it does.
    pub(crate) kind: TagKind,
}

const BLOCK_TAGS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "br",
    "caption",
    "center",
    "dd",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "header",
    "hr",
    "html",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "title",
    "ul",
];

fn kind_of(name: &[u8]) -> TagKind {
    let mut lower = [0u8; 16];
    if name.len() > lower.len() {
        return TagKind::Inline;
    }
    for (l, b) in lower.iter_mut().zip(name) {
        *l = b.to_ascii_lowercase();
    }
    let name = &lower[..name.len()];
    match name {
        b"li" => TagKind::ListItem,
        b"td" | b"th" => TagKind::Cell,
        b"tr" | b"table" | b"thead" | b"tbody" | b"tfoot" => TagKind::Row,
        b"img" => TagKind::Image,
        b"script" | b"style" => TagKind::Raw,
        _ if BLOCK_TAGS.iter().any(|t| t.as_bytes() == name) => TagKind::Block,
        _ => TagKind::Inline,
    }
}

/// Name bytes after the first letter; `:` for the namespaced tags of Word HTML (`<o:p>`).
fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b':'
}

fn is_attr_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || matches!(b, b'_' | b':' | b'@')
}

fn is_attr_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b':' | b'@' | b'-' | b'.')
}

/// The tag starting at `s[i] == b'<'` and ending before `end`, if it is one: `<name attrs>`,
/// `</name>`, `<name/>`. The name is ASCII letters, digits, `-` and `:` and must be followed by a space,
/// `/` or `>`; attributes are `name`, `name=value`, `name="…"` or `name='…'`. A tab or a line
/// end inside makes it not a tag.
pub(crate) fn parse_tag(s: &[u8], i: usize, end: usize) -> Option<Tag> {
    let at = |j: usize| if j < end { s[j] } else { b'\n' };
    let mut j = i + 1;
    let closing = at(j) == b'/';
    if closing {
        j += 1;
    }
    if !at(j).is_ascii_alphabetic() {
        return None;
    }
    let name_start = j;
    while is_name_byte(at(j)) {
        j += 1;
    }
    let kind = kind_of(&s[name_start..j]);
    loop {
        let before_space = j;
        while at(j) == b' ' {
            j += 1;
        }
        match at(j) {
            b'>' => return Some(Tag { end: j + 1, closing, kind }),
            b'/' if at(j + 1) == b'>' => return Some(Tag { end: j + 2, closing, kind }),
            b if is_attr_start(b) && j > before_space && !closing => {
                while is_attr_byte(at(j)) {
                    j += 1;
                }
                while at(j) == b' ' {
                    j += 1;
                }
                if at(j) == b'=' {
                    j += 1;
                    while at(j) == b' ' {
                        j += 1;
                    }
                    match at(j) {
                        q @ (b'"' | b'\'') => {
                            j += 1;
                            while at(j) != q {
                                if matches!(at(j), b'\n' | b'\t') {
                                    return None;
                                }
                                j += 1;
                            }
                            j += 1;
                        }
                        b'\n' | b'\t' | b' ' | b'>' | b'<' | b'=' | b'`' => return None,
                        _ => {
                            while !matches!(at(j), b'\n' | b'\t' | b' ' | b'"' | b'\'' | b'=' | b'<' | b'>' | b'`') {
                                j += 1;
                            }
                        }
                    }
                }
                // The next attribute must be separated by a space.
                if !matches!(at(j), b' ' | b'>' | b'/') {
                    return None;
                }
            }
            _ => return None,
        }
    }
}

/// `<!…>` or `<?…>` on one line (a doctype, `<![CDATA[`, an XML declaration): its end.
pub(crate) fn parse_declaration(s: &[u8], i: usize, end: usize) -> Option<usize> {
    let next = *s.get(i + 1)?;
    let ok = (next == b'!' && s.get(i + 2).is_some_and(|b| b.is_ascii_alphabetic() || *b == b'['))
        || (next == b'?' && s.get(i + 2).is_some_and(u8::is_ascii_alphabetic));
    if !ok {
        return None;
    }
    let close = memchr::memchr(b'>', &s[i..end])?;
    let inner = &s[i..i + close];
    (!inner.contains(&b'\t')).then_some(i + close + 1)
}

/// `<scheme://…>` (an autolink): the byte range of the address and the end of the `>`.
pub(crate) fn parse_autolink(s: &[u8], i: usize, end: usize) -> Option<(usize, usize, usize)> {
    let mut j = i + 1;
    while j < end && (s[j].is_ascii_alphanumeric() || matches!(s[j], b'+' | b'.' | b'-')) {
        j += 1;
    }
    let scheme_len = j - (i + 1);
    let is_mail = s[i + 1..end].starts_with(b"mailto:");
    if !(2..=32).contains(&scheme_len) || !(s[j..end].starts_with(b"://") || is_mail) {
        return None;
    }
    while j < end && !matches!(s[j], b' ' | b'\t' | b'<' | b'>') {
        j += 1;
    }
    (j < end && s[j] == b'>').then_some((i + 1, j, j + 1))
}

/// Named character references decoded: the XML five, `nbsp` and the Latin-1 letters and signs
/// that show up in converted Vietnamese text.
const NAMED: &[(&str, char)] = &[
    ("amp", '&'),
    ("lt", '<'),
    ("gt", '>'),
    ("quot", '"'),
    ("apos", '\''),
    ("nbsp", '\u{A0}'),
    ("ensp", '\u{2002}'),
    ("emsp", '\u{2003}'),
    ("thinsp", '\u{2009}'),
    ("zwnj", '\u{200C}'),
    ("zwj", '\u{200D}'),
    ("shy", '\u{AD}'),
    ("ndash", '–'),
    ("mdash", '—'),
    ("hellip", '…'),
    ("lsquo", '‘'),
    ("rsquo", '’'),
    ("sbquo", '‚'),
    ("ldquo", '“'),
    ("rdquo", '”'),
    ("bdquo", '„'),
    ("laquo", '«'),
    ("raquo", '»'),
    ("bull", '•'),
    ("middot", '·'),
    ("deg", '°'),
    ("plusmn", '±'),
    ("times", '×'),
    ("divide", '÷'),
    ("frac12", '½'),
    ("frac14", '¼'),
    ("frac34", '¾'),
    ("sup1", '¹'),
    ("sup2", '²'),
    ("sup3", '³'),
    ("micro", 'µ'),
    ("para", '¶'),
    ("sect", '§'),
    ("copy", '©'),
    ("reg", '®'),
    ("trade", '™'),
    ("euro", '€'),
    ("cent", '¢'),
    ("pound", '£'),
    ("yen", '¥'),
    ("curren", '¤'),
    ("permil", '‰'),
    ("prime", '′'),
    ("iexcl", '¡'),
    ("iquest", '¿'),
    ("ordf", 'ª'),
    ("ordm", 'º'),
    ("not", '¬'),
    ("macr", '¯'),
    ("acute", '´'),
    ("cedil", '¸'),
    ("uml", '¨'),
    ("brvbar", '¦'),
    ("Agrave", 'À'),
    ("Aacute", 'Á'),
    ("Acirc", 'Â'),
    ("Atilde", 'Ã'),
    ("Auml", 'Ä'),
    ("Aring", 'Å'),
    ("AElig", 'Æ'),
    ("Ccedil", 'Ç'),
    ("Egrave", 'È'),
    ("Eacute", 'É'),
    ("Ecirc", 'Ê'),
    ("Euml", 'Ë'),
    ("Igrave", 'Ì'),
    ("Iacute", 'Í'),
    ("Icirc", 'Î'),
    ("Iuml", 'Ï'),
    ("ETH", 'Ð'),
    ("Ntilde", 'Ñ'),
    ("Ograve", 'Ò'),
    ("Oacute", 'Ó'),
    ("Ocirc", 'Ô'),
    ("Otilde", 'Õ'),
    ("Ouml", 'Ö'),
    ("Oslash", 'Ø'),
    ("Ugrave", 'Ù'),
    ("Uacute", 'Ú'),
    ("Ucirc", 'Û'),
    ("Uuml", 'Ü'),
    ("Yacute", 'Ý'),
    ("THORN", 'Þ'),
    ("szlig", 'ß'),
    ("agrave", 'à'),
    ("aacute", 'á'),
    ("acirc", 'â'),
    ("atilde", 'ã'),
    ("auml", 'ä'),
    ("aring", 'å'),
    ("aelig", 'æ'),
    ("ccedil", 'ç'),
    ("egrave", 'è'),
    ("eacute", 'é'),
    ("ecirc", 'ê'),
    ("euml", 'ë'),
    ("igrave", 'ì'),
    ("iacute", 'í'),
    ("icirc", 'î'),
    ("iuml", 'ï'),
    ("eth", 'ð'),
    ("ntilde", 'ñ'),
    ("ograve", 'ò'),
    ("oacute", 'ó'),
    ("ocirc", 'ô'),
    ("otilde", 'õ'),
    ("ouml", 'ö'),
    ("oslash", 'ø'),
    ("ugrave", 'ù'),
    ("uacute", 'ú'),
    ("ucirc", 'û'),
    ("uuml", 'ü'),
    ("yacute", 'ý'),
    ("thorn", 'þ'),
    ("yuml", 'ÿ'),
];

/// What Windows-1252 puts at 0x80–0x9F, which HTML uses for numeric references in that range
/// (`&#150;` is an en dash). `\0` where 1252 has nothing.
const CP1252_HIGH: [char; 32] = [
    '€', '\0', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\0', 'Ž', '\0', '\0', '‘', '’', '“', '”', '•',
    '–', '—', '˜', '™', 'š', '›', 'œ', '\0', 'ž', 'Ÿ',
];

/// The character reference at `s[i] == b'&'` ending before `end`: the character and the end of
/// the `;`. Named (`&amp;`), decimal (`&#272;`) and hexadecimal (`&#x110;`) references need the
/// `;`; an unknown name or an invalid code point is not a reference (the `&` stays).
pub(crate) fn parse_entity(s: &[u8], i: usize, end: usize) -> Option<(char, usize)> {
    let rest = &s[i + 1..end];
    let semi = memchr::memchr(b';', &rest[..rest.len().min(34)])?;
    let body = &rest[..semi];
    let c = if let Some(num) = body.strip_prefix(b"#") {
        let (digits, radix) = match num.first() {
            Some(b'x' | b'X') => (&num[1..], 16),
            _ => (num, 10),
        };
        if digits.is_empty() || digits.len() > 8 {
            return None;
        }
        let text = std::str::from_utf8(digits).ok()?;
        let code = u32::from_str_radix(text, radix).ok()?;
        match code {
            0x80..=0x9F => Some(CP1252_HIGH[(code - 0x80) as usize]).filter(|c| *c != '\0'),
            _ => char::from_u32(code).filter(|c| *c != '\0'),
        }?
    } else {
        NAMED.iter().find(|(name, _)| name.as_bytes() == body).map(|(_, c)| *c)?
    };
    Some((c, i + 1 + semi + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(s: &str) -> Option<(usize, bool, TagKind)> {
        parse_tag(s.as_bytes(), 0, s.len()).map(|t| (t.end, t.closing, t.kind))
    }

    #[test]
    fn tags() {
        assert_eq!(tag("<b>x"), Some((3, false, TagKind::Inline)));
        assert_eq!(tag("</B>"), Some((4, true, TagKind::Inline)));
        assert_eq!(tag("<br/>"), Some((5, false, TagKind::Block)));
        assert_eq!(tag("<br />"), Some((6, false, TagKind::Block)));
        assert_eq!(tag("<p>"), Some((3, false, TagKind::Block)));
        assert_eq!(tag("<li>"), Some((4, false, TagKind::ListItem)));
        assert_eq!(tag("<td colspan=2>"), Some((14, false, TagKind::Cell)));
        let ul = r#"<ul style="list-style-type: none">"#;
        assert_eq!(tag(ul), Some((ul.len(), false, TagKind::Block)));
        let font = r#"<font face='Times New Roman' size=3 bold>"#;
        assert_eq!(tag(font), Some((font.len(), false, TagKind::Inline)));
        assert_eq!(tag("<o:p>"), Some((5, false, TagKind::Inline)));
        assert_eq!(tag("<TR>"), Some((4, false, TagKind::Row)));
        assert_eq!(tag("<custom-tag data-x=\"1\">"), Some((23, false, TagKind::Inline)));
    }

    #[test]
    fn not_tags() {
        for s in
            ["< b>", "<", "<5 năm>", "<Tên cơ quan>", "<b", "<b x=\"1>", "<b\t>", "<b\n>", "</b x>", "<b =1>", "<a b=>"]
        {
            assert_eq!(tag(s), None, "{s:?}");
        }
    }

    #[test]
    fn declarations_and_autolinks() {
        let s = b"<!DOCTYPE html>x";
        assert_eq!(parse_declaration(s, 0, s.len()), Some(15));
        let s = b"<?xml version=\"1.0\"?>";
        assert_eq!(parse_declaration(s, 0, s.len()), Some(s.len()));
        assert_eq!(parse_declaration(b"<!>", 0, 3), None);
        let s = b"<https://data.hatinh.gov.vn/a?b=1> x";
        assert_eq!(parse_autolink(s, 0, s.len()), Some((1, 33, 34)));
        assert_eq!(parse_autolink(b"<b>", 0, 3), None);
    }

    #[test]
    fn entities() {
        let e = |s: &str| parse_entity(s.as_bytes(), 0, s.len());
        assert_eq!(e("&amp;"), Some(('&', 5)));
        assert_eq!(e("&lt;b"), Some(('<', 4)));
        assert_eq!(e("&nbsp;"), Some(('\u{A0}', 6)));
        assert_eq!(e("&#272;"), Some(('Đ', 6)));
        assert_eq!(e("&#x110;"), Some(('Đ', 7)));
        assert_eq!(e("&#X1EA1;"), Some(('ạ', 8)));
        assert_eq!(e("&#150;"), Some(('–', 6)));
        assert_eq!(e("&Ocirc;"), Some(('Ô', 7)));
        for s in ["&", "&TT", "&amp", "&foo;", "&#;", "&#x;", "&#0;", "&#xD800;", "&#99999999;", "&#1114112;", "& amp;"]
        {
            assert_eq!(e(s), None, "{s:?}");
        }
    }
}
