//! HTML: a real HTML5 parse (html5ever, through `scraper`), the document body found, the site
//! chrome dropped.
//!
//! Pages saved from the national legal database (vbpl.vn) and similar sites wrap the document in
//! navigation, a table of contents, metadata panels, scripts and styles. The reader:
//!
//! 1. decodes the bytes: a byte-order mark, else UTF-8, else the `<meta charset>` the page
//!    declares (through `encoding_rs`);
//! 2. parses them into a tree (html5ever: entities decoded, broken markup repaired the way
//!    browsers do);
//! 3. finds the document body: an element the site marks as the content root
//!    (`data-vbpl-content-root`, `#toanvancontent`, …), else the element whose children hold the
//!    most paragraph text (links count against it), so that menus, sidebars and footers stay out;
//! 4. writes the body as lines: block elements (`p`, `div`, `li`, `h1`…, `br`) end lines, inline
//!    elements do not, white space is collapsed as a browser does, `<ol>` items get the numbers a
//!    browser draws, and `<table>` goes through [`super::tables`] (rowspan and colspan resolved;
//!    letterhead and signature tables as plain lines, data tables as tab-separated rows).
//!    Scripts, styles, forms, images and elements marked `hidden` or `display: none` are skipped;
//!    other inline CSS is ignored.
//!
//! The walk over the tree is iterative, so nesting depth (100 000 nested `<div>`s) costs time
//! linear in the input and no stack.
//!
//! Diagnostic codes: `decode.html_body` (info: which element was taken as the body, and how much
//! of the page was chrome), `decode.input_too_large` (error), `decode.invalid_utf8` (warning).

use std::collections::HashMap;

use ego_tree::NodeRef;
use scraper::{Html, Node};

use super::tables::{self, Block, RawCell, RawTable};
use super::{DecodeError, Decoded};
use crate::model::{Diagnostic, Format, Severity};

/// Larger inputs are refused before parsing.
const MAX_INPUT_BYTES: usize = 64 << 20;
/// Tables nested deeper than this are read as plain blocks.
const MAX_TABLE_DEPTH: usize = 32;
/// A `colspan`/`rowspan` above this is taken as this.
const MAX_SPAN: usize = 1000;
/// Elements nested deeper than this lose their tags (not their text) before parsing: the HTML5
/// tree builder looks through the stack of open elements at every tag, so a page of 100 000
/// nested `<div>`s would take quadratic time.
const MAX_NESTING: usize = 400;

/// Elements whose content is never text of the document.
const SKIPPED: &[&str] = &[
    "script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed", "canvas", "head", "title",
    "meta", "link", "img", "picture", "video", "audio", "source", "button", "select", "input", "textarea", "form",
    "nav", "aside", "footer", "header", "dialog",
];

/// Elements that end a line before and after them.
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "blockquote",
    "body",
    "caption",
    "center",
    "dd",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "li",
    "main",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "details",
    "ul",
    "html",
];

/// Ids and classes sites use for the document body, and the vbpl.vn attribute.
const BODY_IDS: &[&str] = &["toanvancontent", "divContentDoc", "content-doc", "vbpl-content"];
const BODY_CLASSES: &[&str] = &["toanvancontent", "content1", "the-document-body", "fulltext", "vbpl-content"];
const BODY_ATTRIBUTES: &[&str] = &["data-vbpl-content-root"];

/// Decode the HTML page in `bytes`.
///
/// # Errors
/// [`DecodeError::TooLarge`] over the size limit, [`DecodeError::NoText`] when the page holds no
/// text.
pub(super) fn decode(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(DecodeError::TooLarge { format: "HTML", bytes: bytes.len(), limit: MAX_INPUT_BYTES });
    }
    let mut diagnostics = Vec::new();
    let (source, encoding_note) = to_text(bytes);
    let mut lossy = false;
    if let Some((code, message, material)) = encoding_note {
        lossy |= material;
        diagnostics.push(Diagnostic::new(Severity::Warning, code, message));
    }
    let flattened = limit_nesting(&source, MAX_NESTING);
    if let Some((_, dropped)) = &flattened {
        diagnostics.push(Diagnostic::new(
            Severity::Warning,
            "decode.html_too_deep",
            format!("elements nested deeper than {MAX_NESTING} levels: {dropped} tags dropped, their text kept"),
        ));
    }
    let html = Html::parse_document(flattened.as_ref().map_or(source.as_str(), |(s, _)| s.as_str()));
    let root = html.tree.root();
    let (body, how) = find_body(root);
    let mut writer = Writer::default();
    writer.walk(body);
    let blocks = writer.finish();
    let mut text = String::with_capacity(source.len() / 8);
    let mut grids = Vec::new();
    tables::render_blocks(&blocks, &mut text, &mut grids, "\n\n");
    if super::is_blank(&text) {
        return Err(DecodeError::NoText);
    }
    if let Some(how) = how {
        let page = text_len(root);
        let kept = text.chars().filter(|c| !c.is_whitespace()).count();
        diagnostics.push(Diagnostic::new(
            Severity::Info,
            "decode.html_body",
            format!(
                "read the document body ({how}): {kept} of the page's {page} visible characters; what is left \
                 out is site navigation, panels and scripts"
            ),
        ));
    }
    diagnostics.extend(tables::tables_read(&grids));
    Ok(Decoded {
        text,
        format: Format::Html,
        encoding: None,
        pages: None,
        page_starts: Vec::new(),
        diagnostics,
        lossy,
        tables: grids,
    })
}

type Note = Option<(&'static str, String, bool)>;

/// The page as text: BOM, UTF-8, or the declared charset.
fn to_text(bytes: &[u8]) -> (String, Note) {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom..]);
        let note = had_errors.then(|| {
            ("decode.invalid_utf8", format!("invalid {} sequences replaced by U+FFFD", encoding.name()), true)
        });
        return (text.into_owned(), note);
    }
    // UTF-16 without a byte-order mark: the zero bytes of ASCII markup sit at one parity.
    let head = &bytes[..bytes.len().min(1024) & !1];
    let zeros = |parity: usize| head.iter().skip(parity).step_by(2).filter(|&&b| b == 0).count();
    let half = head.len() / 2;
    if half >= 8 && (zeros(0) * 10 > half * 7 || zeros(1) * 10 > half * 7) {
        let encoding = if zeros(1) > zeros(0) { encoding_rs::UTF_16LE } else { encoding_rs::UTF_16BE };
        let (text, _) = encoding.decode_without_bom_handling(bytes);
        return (text.into_owned(), None);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return (text.to_owned(), None);
    }
    if let Some(encoding) = declared_charset(bytes)
        && encoding != encoding_rs::UTF_8
    {
        let (text, _, _) = encoding.decode(bytes);
        return (text.into_owned(), None);
    }
    let text = String::from_utf8_lossy(bytes).into_owned();
    let bad = text.matches('\u{FFFD}').count();
    let note = ("decode.invalid_utf8", format!("{bad} invalid UTF-8 sequence(s) replaced by U+FFFD"), bad > 5);
    (text, Some(note))
}

/// Elements without content (never on the stack of open elements).
const VOID: &[&str] =
    &["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"];
/// Elements whose content is raw text (no tags inside).
const RAW_TEXT: &[&str] =
    &["script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "plaintext"];

/// A tag found by [`scan_tags`].
struct Tag {
    /// Byte range of the whole tag.
    start: usize,
    end: usize,
    /// Lower-case name.
    name: String,
    closing: bool,
    self_closing: bool,
}

/// The start and end tags of `html`, in order (comments, declarations and raw-text content
/// skipped). A light tokenizer, only good enough to count nesting.
fn scan_tags(html: &str) -> Vec<Tag> {
    let bytes = html.as_bytes();
    let mut tags = Vec::new();
    let mut i = 0;
    while let Some(off) = memchr::memchr(b'<', &bytes[i..]) {
        let start = i + off;
        let rest = &bytes[start..];
        if rest.starts_with(b"<!--") {
            i = memchr::memmem::find(&rest[4..], b"-->").map_or(bytes.len(), |e| start + 4 + e + 3);
            continue;
        }
        if rest.starts_with(b"<!") || rest.starts_with(b"<?") {
            i = memchr::memchr(b'>', rest).map_or(bytes.len(), |e| start + e + 1);
            continue;
        }
        let closing = rest.get(1) == Some(&b'/');
        let name_at = start + 1 + usize::from(closing);
        let name_len = bytes[name_at..].iter().take_while(|b| b.is_ascii_alphanumeric() || **b == b'-').count();
        if name_len == 0 || !bytes[name_at].is_ascii_alphabetic() {
            i = start + 1;
            continue;
        }
        // The end of the tag, quotes respected.
        let mut j = name_at + name_len;
        let mut quote = None;
        while j < bytes.len() {
            match (quote, bytes[j]) {
                (None, b'"' | b'\'') => quote = Some(bytes[j]),
                (Some(q), b) if b == q => quote = None,
                (None, b'>') => break,
                _ => {}
            }
            j += 1;
        }
        let end = (j + 1).min(bytes.len());
        let name = html[name_at..name_at + name_len].to_ascii_lowercase();
        let self_closing = bytes[..end.saturating_sub(1)].ends_with(b"/");
        let raw = !closing && RAW_TEXT.contains(&name.as_str());
        tags.push(Tag { start, end, name: name.clone(), closing, self_closing });
        i = end;
        if raw {
            // Skip to the matching end tag.
            let lower_end = format!("</{name}");
            let mut k = end;
            i = bytes.len();
            while let Some(p) = memchr::memchr(b'<', &bytes[k..]) {
                let at = k + p;
                if bytes[at..].len() >= lower_end.len()
                    && bytes[at..at + lower_end.len()].eq_ignore_ascii_case(lower_end.as_bytes())
                {
                    i = at;
                    break;
                }
                k = at + 1;
            }
        }
    }
    tags
}

/// When elements nest deeper than `max`, `html` with the tags beyond that depth removed (their
/// text stays) and how many tags went; `None` when the nesting is within bounds.
fn limit_nesting(html: &str, max: usize) -> Option<(String, usize)> {
    let tags = scan_tags(html);
    // Elements a start tag closes implicitly: the same family, and an open `<p>` before a block.
    let closes = |open: &str, top: &str| match open {
        "p" | "li" | "dt" | "dd" | "option" => {
            open == top || (open == "dd" && top == "dt") || (open == "dt" && top == "dd") || top == "p"
        }
        "tr" => matches!(top, "td" | "th" | "tr"),
        "td" | "th" => matches!(top, "td" | "th"),
        _ => top == "p" && BLOCKS.contains(&open),
    };
    // First pass: is there anything to do?
    let mut stack: Vec<(String, bool)> = Vec::new();
    let mut keep = vec![true; tags.len()];
    let mut too_deep = false;
    for (n, tag) in tags.iter().enumerate() {
        let name = tag.name.as_str();
        if tag.closing {
            // Pop to the matching element, looking only a little way down.
            if let Some(pos) = stack.iter().rev().take(64).position(|(s, _)| s == name) {
                let at = stack.len() - 1 - pos;
                if stack[at].1 {
                    keep[n] = false;
                }
                stack.truncate(at);
            }
            continue;
        }
        if VOID.contains(&name) || tag.self_closing {
            continue;
        }
        while stack.last().is_some_and(|(top, _)| closes(name, top)) {
            stack.pop();
        }
        let deep = stack.len() >= max;
        if deep {
            too_deep = true;
            keep[n] = false;
        }
        stack.push((name.to_owned(), deep));
    }
    if !too_deep {
        return None;
    }
    let mut out = String::with_capacity(html.len());
    let mut at = 0;
    let mut dropped = 0;
    for (tag, keep) in tags.iter().zip(keep) {
        if !keep {
            out.push_str(&html[at..tag.start]);
            at = tag.end;
            dropped += 1;
        }
    }
    out.push_str(&html[at..]);
    Some((out, dropped))
}

/// The charset a `<meta>` in the first 4 KiB declares.
fn declared_charset(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).to_ascii_lowercase();
    let at = head.find("charset=")? + "charset=".len();
    let rest = head[at..].trim_start_matches(['"', '\'', ' ']);
    let label: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_')).collect();
    encoding_rs::Encoding::for_label(label.as_bytes())
}

fn element_name<'a>(node: &NodeRef<'a, Node>) -> Option<&'a str> {
    match node.value() {
        Node::Element(e) => Some(e.name()),
        _ => None,
    }
}

/// Skipped elements, and elements hidden by the `hidden` attribute or `display: none`.
fn is_skipped(node: &NodeRef<'_, Node>) -> bool {
    let Node::Element(e) = node.value() else { return matches!(node.value(), Node::Comment(_)) };
    if SKIPPED.contains(&e.name()) || e.attr("hidden").is_some() || e.attr("aria-hidden") == Some("true") {
        return true;
    }
    e.attr("style").is_some_and(|s| {
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_lowercase();
        s.contains("display:none") || s.contains("visibility:hidden")
    })
}

/// Characters (not white space) of visible text under `node`.
fn text_len(node: NodeRef<'_, Node>) -> usize {
    let mut n = 0;
    walk(node, |child| {
        if is_skipped(&child) {
            return false;
        }
        if let Node::Text(t) = child.value() {
            n += t.chars().filter(|c| !c.is_whitespace()).count();
        }
        true
    });
    n
}

/// Depth-first walk from `start`, without recursion; `visit` says whether to go inside a node.
fn walk<'a>(start: NodeRef<'a, Node>, mut visit: impl FnMut(NodeRef<'a, Node>) -> bool) {
    let mut stack = vec![start];
    while let Some(node) = stack.pop() {
        if !visit(node) {
            continue;
        }
        let children: Vec<NodeRef<'a, Node>> = node.children().collect();
        stack.extend(children.into_iter().rev());
    }
}

/// The element holding the document body, and how it was found (`None`: the whole page).
fn find_body(root: NodeRef<'_, Node>) -> (NodeRef<'_, Node>, Option<String>) {
    // A site's own marker.
    let mut marked = None;
    walk(root, |node| {
        if marked.is_some() || is_skipped(&node) {
            return false;
        }
        if let Node::Element(e) = node.value() {
            let id = e.id().unwrap_or("");
            let hit = BODY_ATTRIBUTES
                .iter()
                .find(|a| e.attr(a).is_some())
                .map(|a| format!("[{a}]"))
                .or_else(|| BODY_IDS.iter().find(|i| id.eq_ignore_ascii_case(i)).map(|i| format!("#{i}")));
            let hit = hit.or_else(|| {
                e.classes().find(|c| BODY_CLASSES.iter().any(|b| c.eq_ignore_ascii_case(b))).map(|c| format!(".{c}"))
            });
            if let Some(hit) = hit {
                marked = Some((node, format!("<{}{hit}>", e.name())));
                return false;
            }
        }
        true
    });
    if let Some((node, how)) = marked
        && text_len(node) >= 100
    {
        return (node, Some(how));
    }

    // Else the element whose paragraphs hold the most text: each text-bearing block gives its
    // text length to its parent and half to its grandparent; text inside links counts against.
    let mut scores: HashMap<ego_tree::NodeId, f64> = HashMap::new();
    let mut nodes = HashMap::new();
    walk(root, |node| {
        if is_skipped(&node) {
            return false;
        }
        if let Some(name) = element_name(&node)
            && matches!(
                name,
                "p" | "td" | "li" | "div" | "pre" | "blockquote" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6"
            )
        {
            let own: usize = node
                .children()
                .map(|c| match c.value() {
                    Node::Text(t) => t.chars().filter(|c| !c.is_whitespace()).count(),
                    Node::Element(e) if !BLOCKS.contains(&e.name()) && e.name() != "table" && e.name() != "a" => {
                        text_len(c)
                    }
                    _ => 0,
                })
                .sum();
            if own > 0 {
                let mut weight = own as f64;
                let mut up = node.parent();
                for _ in 0..2 {
                    let Some(p) = up else { break };
                    *scores.entry(p.id()).or_default() += weight;
                    nodes.insert(p.id(), p);
                    weight /= 2.0;
                    up = p.parent();
                }
            }
        }
        true
    });
    let best =
        scores.iter().max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(a.0))).and_then(|(id, _)| nodes.get(id).copied());
    match best {
        Some(node) if text_len(node) * 2 >= 200.min(text_len(root)) => {
            let how = element_name(&node).map(|n| format!("<{n}> with the most paragraph text"));
            (node, how)
        }
        _ => (root, None),
    }
}

/// Collects lines and tables from the body.
#[derive(Default)]
struct Writer {
    /// Open containers: the body, then one per open table cell.
    sinks: Vec<Sink>,
    /// Open tables.
    tables: Vec<TableBuild>,
    /// Tables nested too deep, read as blocks.
    flattened: usize,
    /// Inside `<pre>`.
    pre: usize,
    /// Open lists: `Some(next number)` for `<ol>`, `None` for `<ul>`.
    lists: Vec<Option<u64>>,
}

#[derive(Default)]
struct Sink {
    blocks: Vec<Block>,
    line: String,
}

impl Sink {
    /// End the paragraph: its lines (from `<br>`) trimmed, empty ones at its ends dropped.
    fn end_line(&mut self) {
        if !self.line.trim().is_empty() {
            let lines: Vec<&str> = self.line.split('\n').map(str::trim).collect();
            let first = lines.iter().position(|l| !l.is_empty()).unwrap_or(0);
            let last = lines.iter().rposition(|l| !l.is_empty()).unwrap_or(0);
            self.blocks.push(Block::Para(lines[first..=last].join("\n")));
        }
        self.line.clear();
    }

    /// A `<br>`: a line break inside the paragraph.
    fn break_line(&mut self) {
        let trimmed = self.line.trim_end_matches(' ').len();
        self.line.truncate(trimmed);
        self.line.push('\n');
    }

    fn push_text(&mut self, text: &str, pre: bool) {
        if pre {
            for (i, part) in text.split('\n').enumerate() {
                if i > 0 {
                    self.end_line();
                }
                self.line.push_str(part);
            }
            return;
        }
        for c in text.chars() {
            if matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{0C}') {
                if !self.line.is_empty() && !self.line.ends_with([' ', '\n']) {
                    self.line.push(' ');
                }
            } else {
                self.line.push(c);
            }
        }
    }
}

#[derive(Default)]
struct TableBuild {
    rows: Vec<Vec<RawCell>>,
    row: Option<Vec<RawCell>>,
    /// Attributes of the open cell.
    cell: Option<(usize, usize)>,
}

/// What to do when a node closes.
enum Exit {
    Block,
    Cell,
    Row,
    Table,
    /// A table nested too deep, read as a block.
    FlatTable,
    Pre,
    List,
    Inline,
}

impl Writer {
    fn sink(&mut self) -> &mut Sink {
        if self.sinks.is_empty() {
            self.sinks.push(Sink::default());
        }
        let last = self.sinks.len() - 1;
        &mut self.sinks[last]
    }

    /// Walk the tree under `body` (iteratively: open and close events from an explicit stack).
    fn walk(&mut self, body: NodeRef<'_, Node>) {
        enum Step<'a> {
            Open(NodeRef<'a, Node>),
            Close(Exit),
        }
        let mut stack = vec![Step::Open(body)];
        while let Some(step) = stack.pop() {
            match step {
                Step::Close(exit) => self.close(exit),
                Step::Open(node) => {
                    if let Some(exit) = self.open(&node) {
                        stack.push(Step::Close(exit));
                        let children: Vec<NodeRef<'_, Node>> = node.children().collect();
                        stack.extend(children.into_iter().rev().map(Step::Open));
                    }
                }
            }
        }
    }

    /// Enter `node`; `None` when its content is skipped.
    fn open(&mut self, node: &NodeRef<'_, Node>) -> Option<Exit> {
        match node.value() {
            Node::Text(t) => {
                let pre = self.pre > 0;
                self.sink().push_text(t, pre);
                None
            }
            Node::Element(e) => {
                if is_skipped(node) {
                    return None;
                }
                let name = e.name();
                match name {
                    "br" => {
                        self.sink().break_line();
                        None
                    }
                    "table" if self.tables.len() < MAX_TABLE_DEPTH => {
                        self.sink().end_line();
                        self.tables.push(TableBuild::default());
                        Some(Exit::Table)
                    }
                    "table" => {
                        self.flattened += 1;
                        self.sink().end_line();
                        Some(Exit::FlatTable)
                    }
                    "tr" if self.flattened == 0 && !self.tables.is_empty() => {
                        if let Some(t) = self.tables.last_mut() {
                            if let Some(row) = t.row.take() {
                                t.rows.push(row);
                            }
                            t.row = Some(Vec::new());
                        }
                        Some(Exit::Row)
                    }
                    "td" | "th" if self.flattened == 0 && !self.tables.is_empty() => {
                        let span = |a: &str| e.attr(a).and_then(|v| v.trim().parse::<usize>().ok()).unwrap_or(1);
                        let (cols, rows) = (span("colspan").clamp(1, MAX_SPAN), span("rowspan").clamp(1, MAX_SPAN));
                        if let Some(t) = self.tables.last_mut() {
                            t.cell = Some((cols, rows));
                        }
                        self.sinks.push(Sink::default());
                        Some(Exit::Cell)
                    }
                    "pre" => {
                        self.sink().end_line();
                        self.pre += 1;
                        Some(Exit::Pre)
                    }
                    "ol" | "ul" => {
                        self.sink().end_line();
                        let start = e.attr("start").and_then(|s| s.trim().parse::<u64>().ok()).unwrap_or(1);
                        self.lists.push((name == "ol").then_some(start));
                        Some(Exit::List)
                    }
                    "li" => {
                        self.sink().end_line();
                        let marker = match self.lists.last_mut() {
                            Some(Some(n)) => {
                                let m = format!("{n}. ");
                                *n += 1;
                                Some(m)
                            }
                            Some(None) => Some("- ".to_owned()),
                            None => None,
                        };
                        if let Some(m) = marker
                            && !starts_with_marker(node)
                        {
                            self.sink().line.push_str(&m);
                        }
                        Some(Exit::Block)
                    }
                    _ if BLOCKS.contains(&name) || matches!(name, "tr" | "td" | "th" | "thead" | "tbody" | "tfoot") => {
                        self.sink().end_line();
                        Some(Exit::Block)
                    }
                    _ => Some(Exit::Inline),
                }
            }
            Node::Document | Node::Fragment => Some(Exit::Inline),
            _ => None,
        }
    }

    fn close(&mut self, exit: Exit) {
        match exit {
            Exit::Block => self.sink().end_line(),
            Exit::FlatTable => {
                self.flattened = self.flattened.saturating_sub(1);
                self.sink().end_line();
            }
            Exit::Pre => {
                self.pre = self.pre.saturating_sub(1);
                self.sink().end_line();
            }
            Exit::List => {
                self.lists.pop();
                self.sink().end_line();
            }
            Exit::Cell => {
                let mut sink = self.sinks.pop().unwrap_or_default();
                sink.end_line();
                if let Some(t) = self.tables.last_mut() {
                    let (cols, rows) = t.cell.take().unwrap_or((1, 1));
                    let cell = RawCell { blocks: sink.blocks, col_span: cols, row_span: rows, skip_before: 0 };
                    t.row.get_or_insert_with(Vec::new).push(cell);
                }
            }
            Exit::Row => {
                if let Some(t) = self.tables.last_mut()
                    && let Some(row) = t.row.take()
                {
                    t.rows.push(row);
                }
            }
            Exit::Table => {
                if let Some(mut t) = self.tables.pop() {
                    if let Some(row) = t.row.take() {
                        t.rows.push(row);
                    }
                    t.rows.retain(|r| !r.is_empty());
                    let sink = self.sink();
                    sink.end_line();
                    sink.blocks.push(Block::Table(RawTable { rows: t.rows }));
                }
            }
            Exit::Inline => {}
        }
    }

    fn finish(mut self) -> Vec<Block> {
        // Unclosed containers (only possible on a bug): fold them into the body.
        while self.sinks.len() > 1 {
            let mut sink = self.sinks.pop().unwrap_or_default();
            sink.end_line();
            self.sink().blocks.extend(sink.blocks);
        }
        let mut body = self.sinks.pop().unwrap_or_default();
        body.end_line();
        body.blocks
    }
}

/// The list item's text already starts with a bullet or a number.
fn starts_with_marker(li: &NodeRef<'_, Node>) -> bool {
    let mut first = String::new();
    walk(*li, |n| {
        if first.len() >= 4 {
            return false;
        }
        if let Node::Text(t) = n.value() {
            first.push_str(t.trim_start());
        }
        true
    });
    first.starts_with(['-', '+', '•', '–', '*']) || first.starts_with(|c: char| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(html: &str) -> String {
        decode(html.as_bytes()).map(|d| d.text).unwrap_or_default()
    }

    #[test]
    fn blocks_inline_entities_and_chrome() {
        let t = text(
            "<html><head><style>p{color:red}</style><script>var x='Điều 9';</script></head><body>\
             <nav><a href='/'>Trang chủ</a></nav><div><p>Điều 1. <b>Phạm vi</b>&nbsp;điều&#32;chỉnh</p>\
             <p>Căn cứ&nbsp;Luật &amp; Nghị định;<br>dòng hai</p></div><footer>Bản quyền</footer></body></html>",
        );
        assert_eq!(t, "Điều 1. Phạm vi\u{a0}điều chỉnh\n\nCăn cứ\u{a0}Luật & Nghị định;\ndòng hai\n\n");
    }

    #[test]
    fn ordered_lists_get_their_numbers() {
        let t = text("<body><ol><li>Một</li><li>Hai</li></ol><ul><li>Ba</li><li>- Bốn</li></ul></body>");
        assert_eq!(t, "1. Một\n\n2. Hai\n\n- Ba\n\n- Bốn\n\n");
    }

    #[test]
    fn table_spans() {
        let t = text(
            "<body><table border=1><tr><th rowspan=2>STT</th><th colspan=2>Kinh phí</th></tr>\
             <tr><td>2024</td><td>2025</td></tr><tr><td>1</td><td>5</td><td>6</td></tr></table></body>",
        );
        assert_eq!(t, "STT\tKinh phí\t\n\t2024\t2025\n1\t5\t6\n\n");
    }

    #[test]
    fn vbpl_content_root_is_the_body() {
        let body = "<p>QUYẾT ĐỊNH</p>".to_owned() + &"<p>Điều 1. Nội dung của quyết định này.</p>".repeat(5);
        let page = format!(
            "<html><body><div class=menu>{}</div><div data-vbpl-content-root='true'>{body}</div>\
             <div class=toc><span>Điều 1. Mục lục</span></div></body></html>",
            "<div><a href='#'>Văn bản pháp luật</a></div>".repeat(50)
        );
        let d = decode(page.as_bytes()).unwrap();
        assert!(d.text.starts_with("QUYẾT ĐỊNH\n\nĐiều 1."), "{}", d.text);
        assert!(!d.text.contains("Văn bản pháp luật") && !d.text.contains("Mục lục"), "{}", d.text);
        assert!(d.diagnostics.iter().any(|d| d.code == "decode.html_body"));
    }

    #[test]
    fn nesting_is_limited_before_parsing() {
        assert!(limit_nesting("<div><p>a<p>b</div>", 3).is_none());
        let (out, dropped) = limit_nesting("<div><div><div><div>x</div></div></div></div>", 2).unwrap();
        assert_eq!((out.as_str(), dropped), ("<div><div>x</div></div>", 4));
        // Paragraphs and cells close each other: no depth from them.
        assert!(limit_nesting(&"<p>a".repeat(1000), 10).is_none());
        assert!(limit_nesting(&"<tr><td>a<td>b".repeat(1000), 10).is_none());
        // Raw text and comments hold no tags.
        assert!(limit_nesting("<script>if (a<div) {}</script><!-- <div><div><div> -->", 1).is_none());
    }

    #[test]
    fn deep_nesting_is_linear_and_safe() {
        let n = 100_000;
        let page = format!("<html><body>{}Điều 1. Sâu{}</body></html>", "<div>".repeat(n), "</div>".repeat(n));
        let started = std::time::Instant::now();
        let d = decode(page.as_bytes()).unwrap();
        assert!(d.text.contains("Điều 1. Sâu"));
        assert!(started.elapsed() < std::time::Duration::from_secs(30));
    }

    #[test]
    fn utf16_pages_with_and_without_bom() {
        let page = "<html><body><p>Điều 1. Phạm vi</p></body></html>";
        for bom in [true, false] {
            let mut bytes: Vec<u8> = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
            bytes.extend(page.encode_utf16().flat_map(u16::to_le_bytes));
            let d = decode(&bytes).unwrap();
            assert_eq!(d.text, "Điều 1. Phạm vi\n\n", "bom {bom}");
        }
    }
}
