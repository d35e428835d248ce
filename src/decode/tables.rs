//! Tables of the structured formats (DOCX, HTML): merged cells resolved onto a grid, layout
//! tables told from data tables, and both written into the text the way later stages read it.
//!
//! * A **data table** becomes one line per grid row, cells joined by a tab (the rest of the
//!   pipeline reads a line holding a tab as a table row). Line breaks inside a cell become "; "
//!   (separate items, such as the names in a "Người thực hiện" cell) or a space (a wrapped
//!   sentence). A cell spanning several columns is written once, followed by empty cells; the
//!   cells a vertical merge covers are empty.
//! * A **layout table** (the letterhead "issuer | national motto / number | place and date", the
//!   "Nơi nhận | signature" block, a one-column frame) is not a table to the reader: its cells
//!   become plain lines, row by row and left column first, so the header and the closing block
//!   stay readable.
//!
//! Every table is also kept as a [`DecodedTable`] (the grid with merges resolved) for the stages
//! that will carry tables into SPEC §7 directly.

use unicode_normalization::UnicodeNormalization;

/// A table as read from the document, before merges are resolved.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct RawTable {
    /// Rows of cells, in document order.
    pub(crate) rows: Vec<Vec<RawCell>>,
}

/// One cell as read.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct RawCell {
    /// Its content: paragraphs and nested tables, in order.
    pub(crate) blocks: Vec<Block>,
    /// Columns it spans (at least 1).
    pub(crate) col_span: usize,
    /// Rows it spans (at least 1).
    pub(crate) row_span: usize,
    /// Grid columns left empty before this cell (DOCX `w:gridBefore`).
    pub(crate) skip_before: usize,
}

/// Content of a document body or a table cell.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Block {
    /// One paragraph (a line of text; it may hold `\n` for explicit line breaks).
    Para(String),
    /// A table.
    Table(RawTable),
}

/// A table of a structured input with merged cells resolved: every row has the same number of
/// cells.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DecodedTable {
    /// The cells, row by row (header rows included, as the document has them); the cells a
    /// merge covers are "" (the merged cell's text is in its first cell).
    pub rows: Vec<Vec<String>>,
    /// True when the table was judged a layout table (letterhead, signature block) and written
    /// into the text as plain lines rather than tab-separated rows.
    pub layout: bool,
    /// Byte offset in the decoded text where the table's text starts.
    pub start: usize,
}

/// Limits on what one table may expand to (a `colspan="100000"` must not allocate gigabytes).
const MAX_COLUMNS: usize = 256;
const MAX_SPAN_ROWS: usize = 4096;

/// A grid cell being filled.
#[derive(Debug, Clone, Default)]
struct Slot {
    text: String,
    /// Covered by a merge from another cell.
    covered: bool,
    filled: bool,
}

/// The text of a cell's blocks: paragraphs as lines, nested tables flattened.
fn cell_lines(blocks: &[Block]) -> Vec<String> {
    let mut lines = Vec::new();
    for b in blocks {
        match b {
            Block::Para(p) => {
                lines.extend(p.split('\n').map(|l| l.trim().to_owned()).filter(|l| !l.is_empty()));
            }
            Block::Table(t) => {
                for row in &t.rows {
                    let cells: Vec<String> = row.iter().map(|c| cell_lines(&c.blocks).join(" ")).collect();
                    let line = cells.iter().filter(|c| !c.is_empty()).cloned().collect::<Vec<_>>().join(" ");
                    if !line.is_empty() {
                        lines.push(line);
                    }
                }
            }
        }
    }
    lines
}

/// Join the lines of one data cell: "; " between separate items, a space inside a sentence.
pub(crate) fn join_cell(lines: &[String]) -> String {
    let mut out = String::new();
    for line in lines {
        let line = line.replace('\t', " ");
        if !out.is_empty() {
            let ends_open = out.ends_with([',', ';', ':', '-', '('])
                || !out.ends_with(|c: char| c.is_alphanumeric() || c == ')' || c == '.');
            let next_lower = line.starts_with(|c: char| c.is_lowercase());
            if ends_open || next_lower || out.ends_with('.') {
                out.push(' ');
            } else {
                out.push_str("; ");
            }
        }
        out.push_str(&line);
    }
    out
}

/// Resolve `table` onto a grid.
pub(crate) fn resolve(table: &RawTable) -> DecodedTable {
    let mut grid: Vec<Vec<Slot>> = Vec::with_capacity(table.rows.len());
    for (r, row) in table.rows.iter().enumerate() {
        if grid.len() <= r {
            grid.resize_with(r + 1, Vec::new);
        }
        let mut col = 0;
        for cell in row {
            col += cell.skip_before.min(MAX_COLUMNS);
            // Skip the slots that merges from rows above already cover.
            while grid[r].get(col).is_some_and(|s| s.covered || s.filled) {
                col += 1;
            }
            if col >= MAX_COLUMNS {
                break;
            }
            let span = cell.col_span.clamp(1, MAX_COLUMNS - col);
            let rows = cell.row_span.clamp(1, MAX_SPAN_ROWS.min(table.rows.len() - r));
            let text = join_cell(&cell_lines(&cell.blocks));
            for dr in 0..rows {
                let rr = r + dr;
                if grid.len() <= rr {
                    grid.resize_with(rr + 1, Vec::new);
                }
                if grid[rr].len() < col + span {
                    grid[rr].resize_with(col + span, Slot::default);
                }
                for dc in 0..span {
                    let slot = &mut grid[rr][col + dc];
                    if dr == 0 && dc == 0 {
                        slot.text.clone_from(&text);
                        slot.filled = true;
                    } else {
                        slot.covered = true;
                    }
                }
            }
            col += span;
        }
    }
    let width = grid.iter().map(Vec::len).max().unwrap_or(0);
    let rows = grid
        .into_iter()
        .map(|mut row| {
            row.resize_with(width, Slot::default);
            row.into_iter().map(|s| s.text).collect()
        })
        .collect();
    DecodedTable { rows, layout: false, start: 0 }
}

/// Is `table` (resolved as `grid`) a layout table? See the module documentation.
pub(crate) fn is_layout(table: &RawTable, grid: &DecodedTable) -> bool {
    let used_columns =
        (0..grid.rows.first().map_or(0, Vec::len)).filter(|&c| grid.rows.iter().any(|r| !r[c].is_empty())).count();
    let rows = grid.rows.iter().filter(|r| r.iter().any(|c| !c.is_empty())).count();
    if used_columns <= 1 || rows == 0 {
        return true;
    }
    if rows > 8 || used_columns > 3 {
        return false;
    }
    let first_cell = grid.rows.iter().find_map(|r| r.iter().find(|c| !c.is_empty())).map(|c| c.to_lowercase());
    if first_cell.as_deref().is_some_and(|c| matches!(c.trim_end_matches('.'), "stt" | "tt" | "số tt" | "số thứ tự"))
    {
        return false;
    }
    let mut all = String::new();
    for row in &table.rows {
        for cell in row {
            for line in cell_lines(&cell.blocks) {
                all.push_str(&line);
                all.push('\n');
            }
        }
    }
    layout_cue(&all)
}

/// `text` (a table's or a column block's) holds a letterhead or closing-block cue: the national
/// motto, "Số:", a place-and-date line, "Nơi nhận", a signing capacity (KT., TM. …).
pub(crate) fn layout_cue(text: &str) -> bool {
    let text: String = text.nfc().collect::<String>().to_lowercase();
    const CUES: [&str; 7] =
        ["xã hội chủ nghĩa", "độc lập", "đảng cộng sản", "nơi nhận", "(đã ký)", "kính gửi", "(ký tên"];
    if CUES.iter().any(|c| text.contains(c)) {
        return true;
    }
    text.lines().any(|l| {
        let l = l.trim();
        l.starts_with("số:")
            || ["kt.", "tm.", "tl.", "tuq.", "q.", "t/m", "k/t"].iter().any(|p| l.starts_with(p))
            || (l.contains(" ngày ") && l.contains(" tháng ") && l.contains(" năm "))
    })
}

/// Write `table` into `out` (see the module documentation) and return its grid.
pub(crate) fn render(table: &RawTable, out: &mut String) -> DecodedTable {
    let mut grid = resolve(table);
    grid.layout = is_layout(table, &grid);
    ensure_blank_line(out);
    grid.start = out.len();
    if grid.layout {
        render_layout(table, out);
    } else {
        ensure_blank_line(out);
        for row in &grid.rows {
            if row.iter().all(String::is_empty) {
                continue;
            }
            out.push_str(&row.join("\t"));
            out.push('\n');
        }
        out.push('\n');
    }
    grid
}

/// A layout table as plain lines: column by column, left column first, each cell's lines top
/// to bottom, a blank line between cells (so the issuer block, the motto block and the
/// recipients list each stay together).
fn render_layout(table: &RawTable, out: &mut String) {
    // The grid column each cell starts at, with row spans from above taken into account.
    let mut covered: Vec<Vec<bool>> = vec![Vec::new(); table.rows.len()];
    let mut order: Vec<(usize, usize, &RawCell)> = Vec::new();
    for (r, row) in table.rows.iter().enumerate() {
        let mut col = 0;
        for cell in row {
            col += cell.skip_before.min(MAX_COLUMNS);
            while covered[r].get(col).copied().unwrap_or(false) {
                col += 1;
            }
            if col >= MAX_COLUMNS {
                break;
            }
            let span = cell.col_span.clamp(1, MAX_COLUMNS - col);
            for (dr, marks) in covered.iter_mut().skip(r).take(cell.row_span.max(1)).enumerate() {
                if marks.len() < col + span {
                    marks.resize(col + span, false);
                }
                for m in &mut marks[col..col + span] {
                    *m = dr > 0 || *m;
                }
            }
            order.push((col, r, cell));
            col += span;
        }
    }
    order.sort_by_key(|&(col, row, _)| (col, row));
    for (_, _, cell) in order {
        let before = out.len();
        ensure_blank_line(out);
        let mark = out.len();
        render_blocks(&cell.blocks, out, &mut Vec::new(), "\n");
        if out.len() == mark {
            out.truncate(before);
        }
    }
    ensure_blank_line(out);
}

/// Write blocks: paragraphs as lines followed by `separator` ("\n\n" in a body, "\n" in a
/// cell), tables through [`render`]; the tables' grids go to `tables`.
pub(crate) fn render_blocks(blocks: &[Block], out: &mut String, tables: &mut Vec<DecodedTable>, separator: &str) {
    for b in blocks {
        match b {
            Block::Para(p) => {
                out.push_str(p);
                out.push_str(separator);
            }
            Block::Table(t) => tables.push(render(t, out)),
        }
    }
}

fn ensure_blank_line(out: &mut String) {
    if out.is_empty() || out.ends_with("\n\n") {
        return;
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out.push('\n');
}

/// The `decode.tables_read` diagnostic of a document's tables: how many were written as rows
/// and how many as plain lines (layout tables). `None` without tables.
pub(crate) fn tables_read(grids: &[DecodedTable]) -> Option<crate::model::Diagnostic> {
    if grids.is_empty() {
        return None;
    }
    let layout = grids.iter().filter(|g| g.layout).count();
    Some(crate::model::Diagnostic::new(
        crate::model::Severity::Info,
        "decode.tables_read",
        format!(
            "{} table(s): {} written as tab-separated rows, {layout} layout table(s) (letterhead, signature block) \
             written as lines",
            grids.len(),
            grids.len() - layout
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(text: &str) -> RawCell {
        RawCell {
            blocks: text.split('|').map(|p| Block::Para(p.to_owned())).collect(),
            col_span: 1,
            row_span: 1,
            skip_before: 0,
        }
    }

    #[test]
    fn spans_are_resolved() {
        let mut a = cell("STT");
        a.row_span = 2;
        let mut b = cell("Kinh phí");
        b.col_span = 2;
        let t = RawTable {
            rows: vec![vec![a, b], vec![cell("2024"), cell("2025")], vec![cell("1"), cell("5"), cell("6")]],
        };
        let g = resolve(&t);
        assert_eq!(g.rows, [vec!["STT", "Kinh phí", ""], vec!["", "2024", "2025"], vec!["1", "5", "6"]]);
        assert!(!is_layout(&t, &g));
    }

    #[test]
    fn huge_spans_are_bounded() {
        let mut a = cell("x");
        a.col_span = 1 << 40;
        a.row_span = 1 << 40;
        let g = resolve(&RawTable { rows: vec![vec![a]] });
        assert_eq!(g.rows.len(), 1);
        assert_eq!(g.rows[0].len(), MAX_COLUMNS);
    }

    #[test]
    fn letterhead_is_layout_and_reads_left_column_first() {
        let t = RawTable {
            rows: vec![
                vec![
                    cell("THỦ TƯỚNG CHÍNH PHỦ|--------"),
                    cell("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM|Độc lập - Tự do - Hạnh phúc"),
                ],
                vec![cell("Số: 07/CT-TTg"), cell("Hà Nội, ngày 02 tháng 03 năm 2012")],
            ],
        };
        let mut out = String::new();
        let g = render(&t, &mut out);
        assert!(g.layout);
        assert_eq!(
            out,
            "THỦ TƯỚNG CHÍNH PHỦ\n--------\n\nSố: 07/CT-TTg\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n\
             Độc lập - Tự do - Hạnh phúc\n\nHà Nội, ngày 02 tháng 03 năm 2012\n\n"
        );
    }

    #[test]
    fn data_table_rows_are_tab_separated() {
        let t = RawTable {
            rows: vec![
                vec![cell("TT"), cell("Nhiệm vụ"), cell("Người thực hiện")],
                vec![cell("1."), cell("Rà soát"), cell("Vũ Việt Linh|Nguyễn Thị Loan")],
                vec![cell("2."), cell("Xây dựng tài liệu,|bài kiểm tra"), cell("Đỗ Mạnh Cường")],
            ],
        };
        let mut out = String::new();
        render(&t, &mut out);
        assert_eq!(
            out,
            "TT\tNhiệm vụ\tNgười thực hiện\n1.\tRà soát\tVũ Việt Linh; Nguyễn Thị Loan\n\
             2.\tXây dựng tài liệu, bài kiểm tra\tĐỗ Mạnh Cường\n\n"
        );
    }
}
