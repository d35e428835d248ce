//! Collecting container text as runs, with table rows laid out as lines of TAB-separated cells
//! (how the rest of the pipeline reads tables today).

use super::{Content, FontKind, Run};

/// Collects the runs of a container's text. Text pushed with `in_table` goes to the current
/// cell; [`cell_end`](RunBuilder::cell_end) and [`row_end`](RunBuilder::row_end) close cells and
/// rows; a row left open is closed by the next text outside the table or by
/// [`finish`](RunBuilder::finish).
#[derive(Debug, Default)]
pub(crate) struct RunBuilder {
    runs: Vec<Run>,
    /// The cells of the table row being read.
    row: Vec<Vec<Run>>,
    /// The cell being read.
    cell: Vec<Run>,
}

impl RunBuilder {
    fn target(&mut self, in_table: bool) -> &mut Vec<Run> {
        if in_table {
            &mut self.cell
        } else {
            if !self.cell.is_empty() || !self.row.is_empty() {
                self.row_end();
            }
            &mut self.runs
        }
    }

    /// An 8-bit code in the container's ANSI code page, shown in `font`.
    pub(crate) fn push_byte(&mut self, font: FontKind, b: u8, in_table: bool) {
        let runs = self.target(in_table);
        if let Some(Run { font: f, content: Content::Ansi(bytes) }) = runs.last_mut()
            && *f == font
        {
            bytes.push(b);
            return;
        }
        runs.push(Run::ansi(font, vec![b]));
    }

    /// A byte in the code page `enc`, shown in `font`.
    pub(crate) fn push_code(&mut self, font: FontKind, enc: &'static encoding_rs::Encoding, b: u8, in_table: bool) {
        let runs = self.target(in_table);
        if let Some(Run { font: f, content: Content::CodePage(e, bytes) }) = runs.last_mut()
            && *f == font
            && *e == enc
        {
            bytes.push(b);
            return;
        }
        runs.push(Run { font, content: Content::CodePage(enc, vec![b]) });
    }

    /// A Unicode character shown in `font`. ASCII white space (line structure) goes in as a
    /// code of the default font: it reads the same in every encoding.
    pub(crate) fn push_char(&mut self, font: FontKind, c: char, in_table: bool) {
        if let Ok(b) = u8::try_from(c)
            && b.is_ascii()
        {
            let font = if b.is_ascii_whitespace() { FontKind::default() } else { font };
            return self.push_byte(font, b, in_table);
        }
        let runs = self.target(in_table);
        if let Some(Run { font: f, content: Content::Text(text) }) = runs.last_mut()
            && *f == font
        {
            text.push(c);
            return;
        }
        runs.push(Run::text(font, c.to_string()));
    }

    /// A paragraph ends: a line end, or a space between the paragraphs of one cell.
    pub(crate) fn paragraph_end(&mut self, in_table: bool) {
        self.push_char(FontKind::default(), if in_table { ' ' } else { '\n' }, in_table);
    }

    /// A table cell ends.
    pub(crate) fn cell_end(&mut self) {
        let cell = std::mem::take(&mut self.cell);
        self.row.push(cell);
    }

    /// A table row ends: its cells become one line, separated by TAB.
    pub(crate) fn row_end(&mut self) {
        if !self.cell.is_empty() {
            self.cell_end();
        }
        let row = std::mem::take(&mut self.row);
        for (i, mut cell) in row.into_iter().enumerate() {
            if i > 0 {
                self.runs.push(Run::ansi(FontKind::default(), vec![b'\t']));
            }
            trim_end_spaces(&mut cell);
            self.runs.extend(cell);
        }
        self.runs.push(Run::ansi(FontKind::default(), vec![b'\n']));
    }

    /// Close what is open and hand the runs over.
    pub(crate) fn finish(mut self) -> Vec<Run> {
        if !self.cell.is_empty() || !self.row.is_empty() {
            self.row_end();
        }
        self.runs
    }
}

/// Drop the spaces that paragraph ends left at the end of a cell.
fn trim_end_spaces(cell: &mut Vec<Run>) {
    while let Some(Run { content: Content::Ansi(bytes), .. }) = cell.last_mut() {
        while bytes.last() == Some(&b' ') {
            bytes.pop();
        }
        if !bytes.is_empty() {
            break;
        }
        cell.pop();
    }
}
