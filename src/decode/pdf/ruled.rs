//! Ruled tables: text inside a grid of drawn horizontal and vertical rules.
//!
//! Administrative tables (task lists, budget appendices) are nearly always printed with their
//! borders, and the borders are drawn as rules: stroked lines or thin filled rectangles. Rules
//! that touch each other form a grid; a grid of at least two rows and two columns is a table.
//! Each glyph inside it goes to the cell its middle falls in (a cell whose dividing rule is
//! missing spans several columns: its text goes to the first, the others stay empty), the lines
//! of a cell are joined, and the table's rows become tab-separated lines in the page text, so
//! that a cell wrapped over several lines stays one cell. A grid holding a letterhead or a
//! signature block is left to the column reading instead.

use super::backend::{Glyph, RawPage, Rule};
use super::lines::{self, Line};

/// Rules closer than this (points) are the same rule; rules this close touch.
const SNAP: f32 = 2.0;
/// Rows and columns thinner than this (points) are double rules, not cells.
const MIN_CELL: f32 = 4.0;
/// Above this many rule pairs the page is a drawing, not a table: no grid is looked for.
const MAX_PAIRS: usize = 4_000_000;

/// A table found on a page.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RuledTable {
    /// Its top edge (points from the top of the page).
    pub(crate) top: f32,
    /// The cells, row by row.
    pub(crate) rows: Vec<Vec<String>>,
}

/// A merged rule: a position across and an extent along.
#[derive(Debug, Clone, Copy)]
struct Line1 {
    at: f32,
    from: f32,
    to: f32,
}

/// Horizontal (`horizontal`) or vertical rules of `rules`, merged where they continue each
/// other.
fn merged(rules: &[Rule], horizontal: bool) -> Vec<Line1> {
    let mut lines: Vec<Line1> = rules
        .iter()
        .filter(|r| r.is_horizontal() == horizontal)
        .map(|r| {
            if horizontal {
                Line1 { at: (r.y0 + r.y1) / 2.0, from: r.x0, to: r.x1 }
            } else {
                Line1 { at: (r.x0 + r.x1) / 2.0, from: r.y0, to: r.y1 }
            }
        })
        .collect();
    lines.sort_by(|a, b| a.at.total_cmp(&b.at).then(a.from.total_cmp(&b.from)));
    let mut out: Vec<Line1> = Vec::with_capacity(lines.len());
    for l in lines {
        match out.last_mut() {
            Some(m) if (l.at - m.at).abs() <= SNAP && l.from <= m.to + SNAP => m.to = m.to.max(l.to),
            _ => out.push(l),
        }
    }
    out
}

fn find_root(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

/// Distinct positions, sorted, those within [`SNAP`] of each other merged.
fn distinct(mut values: Vec<f32>) -> Vec<f32> {
    values.sort_by(f32::total_cmp);
    let mut out: Vec<f32> = Vec::with_capacity(values.len());
    for v in values {
        if out.last().is_none_or(|&l| v - l > SNAP) {
            out.push(v);
        }
    }
    out
}

/// The ruled tables of `page`; the glyphs they hold are marked in `used`.
pub(crate) fn find(page: &RawPage, glyphs: &[Glyph], used: &mut [bool], gutter: f32) -> Vec<RuledTable> {
    if page.rules.len() < 4 {
        return Vec::new();
    }
    let hs = merged(&page.rules, true);
    let vs = merged(&page.rules, false);
    if hs.len() < 2 || vs.len() < 2 || hs.len().saturating_mul(vs.len()) > MAX_PAIRS {
        return Vec::new();
    }
    // Rules that touch belong to one grid.
    let mut parent: Vec<usize> = (0..hs.len() + vs.len()).collect();
    for (i, h) in hs.iter().enumerate() {
        for (j, v) in vs.iter().enumerate() {
            let touch = v.at >= h.from - SNAP && v.at <= h.to + SNAP && h.at >= v.from - SNAP && h.at <= v.to + SNAP;
            if touch {
                let (a, b) = (find_root(&mut parent, i), find_root(&mut parent, hs.len() + j));
                parent[a] = b;
            }
        }
    }
    let mut groups: std::collections::BTreeMap<usize, (Vec<Line1>, Vec<Line1>)> = std::collections::BTreeMap::new();
    for (i, h) in hs.iter().enumerate() {
        let root = find_root(&mut parent, i);
        groups.entry(root).or_default().0.push(*h);
    }
    for (j, v) in vs.iter().enumerate() {
        let root = find_root(&mut parent, hs.len() + j);
        groups.entry(root).or_default().1.push(*v);
    }
    let mut tables = Vec::new();
    for (h, v) in groups.into_values() {
        if let Some(table) = grid(page, glyphs, used, gutter, &h, &v) {
            tables.push(table);
        }
    }
    tables.sort_by(|a, b| a.top.total_cmp(&b.top));
    tables
}

/// The table of one grid of rules, if it is one.
fn grid(
    page: &RawPage,
    glyphs: &[Glyph],
    used: &mut [bool],
    gutter: f32,
    hs: &[Line1],
    vs: &[Line1],
) -> Option<RuledTable> {
    let ys: Vec<f32> = distinct(hs.iter().map(|h| h.at).collect());
    let xs: Vec<f32> = distinct(vs.iter().map(|v| v.at).collect());
    let bands: Vec<(f32, f32)> = ys.windows(2).map(|w| (w[0], w[1])).filter(|(a, b)| b - a >= MIN_CELL).collect();
    let cols: Vec<(f32, f32)> = xs.windows(2).map(|w| (w[0], w[1])).filter(|(a, b)| b - a >= MIN_CELL).collect();
    if bands.len() < 2 || cols.len() < 2 {
        return None;
    }
    let (top, bottom) = (ys[0], ys[ys.len() - 1]);
    let (left, right) = (xs[0], xs[xs.len() - 1]);
    // Which column dividers are drawn across each band: a missing one merges two cells.
    let divided = |band: (f32, f32), x: f32| {
        vs.iter().any(|v| (v.at - x).abs() <= SNAP && v.from <= band.0 + SNAP && v.to >= band.1 - SNAP)
    };
    // cell (band, first column of its run) -> glyph indices
    let mut cells: Vec<Vec<Vec<usize>>> = vec![vec![Vec::new(); cols.len()]; bands.len()];
    let mut inside = Vec::new();
    for (i, g) in glyphs.iter().enumerate() {
        if used[i] {
            continue;
        }
        let cx = g.x + g.width / 2.0;
        let cy = g.y - g.size * 0.3;
        if cx < left || cx > right || cy < top || cy > bottom {
            continue;
        }
        inside.push(i);
        let Some(b) = bands.iter().position(|&(a, z)| cy >= a && cy < z) else { continue };
        let Some(mut c) = cols.iter().position(|&(a, z)| cx >= a && cx < z) else { continue };
        // Back to the first column of the merged run.
        while c > 0 && !divided(bands[b], cols[c].0) {
            c -= 1;
        }
        cells[b][c].push(i);
    }
    let rows: Vec<Vec<String>> = cells
        .into_iter()
        .map(|row| {
            row.into_iter()
                .map(|mut idx| {
                    let lines = cell_lines(page, glyphs, &mut idx, gutter);
                    crate::decode::tables::join_cell(&lines).replace('\t', " ")
                })
                .collect::<Vec<String>>()
        })
        .filter(|r: &Vec<String>| r.iter().any(|c| !c.is_empty()))
        .collect();
    let used_cols = (0..cols.len()).filter(|&c| rows.iter().any(|r| !r[c].is_empty())).count();
    if rows.len() < 2 || used_cols < 2 {
        return None;
    }
    let all: String = rows.iter().flatten().map(|c| format!("{c}\n")).collect();
    if used_cols <= 3 && rows.len() <= 8 && crate::decode::tables::layout_cue(&all) {
        return None;
    }
    for i in inside {
        used[i] = true;
    }
    Some(RuledTable { top, rows })
}

/// The text lines of the glyphs `idx` of one cell, top to bottom.
fn cell_lines(page: &RawPage, glyphs: &[Glyph], idx: &mut [usize], gutter: f32) -> Vec<String> {
    if idx.is_empty() {
        return Vec::new();
    }
    idx.sort_by(|&a, &b| glyphs[a].y.total_cmp(&glyphs[b].y).then(glyphs[a].x.total_cmp(&glyphs[b].x)));
    let mut out = Vec::new();
    let mut current: Vec<usize> = Vec::new();
    let mut line_y = glyphs[idx[0]].y;
    for &i in idx.iter() {
        let g = &glyphs[i];
        if !current.is_empty() && (g.y - line_y).abs() > 0.45 * g.size.max(1.0) {
            out.extend(line_text(page, glyphs, &mut current, gutter));
            line_y = g.y;
        }
        if current.is_empty() {
            line_y = g.y;
        }
        current.push(i);
    }
    out.extend(line_text(page, glyphs, &mut current, gutter));
    out
}

fn line_text(page: &RawPage, glyphs: &[Glyph], current: &mut Vec<usize>, gutter: f32) -> Option<String> {
    // Inside a cell there are no columns: a large gap is a space.
    let line: Option<Line> = lines::make_line(page, glyphs, current, gutter.max(1000.0));
    line.map(|l| l.text()).filter(|t| !t.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(words: &[(&str, f32, f32)], rules: &[(f32, f32, f32, f32)]) -> (RawPage, Vec<Glyph>) {
        let mut p = RawPage { width: 600.0, height: 800.0, ..RawPage::default() };
        for &(text, x, y) in words {
            let mut x = x;
            for c in text.chars() {
                let start = p.text.len() as u32;
                p.text.push(c);
                let width = if c == ' ' { 3.0 } else { 6.0 };
                p.glyphs.push(Glyph { x, y, width, size: 10.0, start, len: c.len_utf8() as u16 });
                x += width;
            }
        }
        p.rules = rules.iter().map(|&(x0, y0, x1, y1)| Rule { x0, y0, x1, y1 }).collect();
        let glyphs = p.glyphs.clone();
        (p, glyphs)
    }

    #[test]
    fn a_grid_becomes_rows_and_wrapped_cells_stay_whole() {
        // Three columns (50-100-300-450), three rows (100-120-160-180).
        let rules = [
            (50.0, 100.0, 450.0, 100.0),
            (50.0, 120.0, 450.0, 120.0),
            (50.0, 160.0, 450.0, 160.0),
            (50.0, 180.0, 450.0, 180.0),
            (50.0, 100.0, 50.0, 180.0),
            (100.0, 100.0, 100.0, 180.0),
            (300.0, 100.0, 300.0, 180.0),
            (450.0, 100.0, 450.0, 180.0),
        ];
        let words = [
            ("TT", 55.0, 115.0),
            ("Nhiệm vụ", 105.0, 115.0),
            ("Người thực hiện", 305.0, 115.0),
            ("1.", 55.0, 135.0),
            ("Rà soát việc đáp ứng", 105.0, 135.0),
            ("các điều kiện", 105.0, 150.0),
            ("Vũ Việt Linh", 305.0, 135.0),
            ("Nguyễn Thị Loan", 305.0, 150.0),
            ("2.", 55.0, 175.0),
            ("In ấn", 105.0, 175.0),
            ("Đỗ Mạnh Cường", 305.0, 175.0),
            ("Bên ngoài", 55.0, 300.0),
        ];
        let (p, glyphs) = page(&words, &rules);
        let mut used = vec![false; glyphs.len()];
        let tables = find(&p, &glyphs, &mut used, 1.0);
        assert_eq!(tables.len(), 1);
        assert_eq!(
            tables[0].rows,
            [
                vec!["TT", "Nhiệm vụ", "Người thực hiện"],
                vec!["1.", "Rà soát việc đáp ứng các điều kiện", "Vũ Việt Linh; Nguyễn Thị Loan"],
                vec!["2.", "In ấn", "Đỗ Mạnh Cường"],
            ]
        );
        // The text outside the grid is left to the lines.
        let outside: String = glyphs.iter().zip(&used).filter(|(_, u)| !**u).map(|(g, _)| p.glyph_text(g)).collect();
        assert_eq!(outside, "Bên ngoài");
    }

    #[test]
    fn a_frame_is_no_table() {
        let rules = [
            (50.0, 100.0, 450.0, 100.0),
            (50.0, 300.0, 450.0, 300.0),
            (50.0, 100.0, 50.0, 300.0),
            (450.0, 100.0, 450.0, 300.0),
        ];
        let (p, glyphs) = page(&[("DỰ THẢO", 60.0, 150.0)], &rules);
        let mut used = vec![false; glyphs.len()];
        assert!(find(&p, &glyphs, &mut used, 1.0).is_empty());
        assert!(used.iter().all(|u| !u));
    }
}
