//! The section tree of one region of a document, from the document's own nesting.
//!
//! There is no fixed level table: a scheme's depth is where the document first put it. A
//! heading whose scheme is already open becomes a sibling of that open heading (closing
//! everything below it); a scheme seen for the first time becomes a child of the innermost open
//! heading, unless the document has shown it above that heading's scheme before. Structural
//! schemes with a rank (Phần > Chương > Mục > Điều) always nest in rank order.

use super::classify::{HeadingCandidate, LineInfo};
use crate::grammar::{Grammar, Ordinal};
use crate::layout::Layout;
use crate::model::{Section, Span};

/// A heading placed in the tree, before spans and children are filled in.
#[derive(Debug, Clone)]
struct Placed {
    line: usize,
    /// Its [`scheme_key`], as an index in [`TreeBuilder::keys`].
    key: usize,
    scheme: usize,
    marker: String,
    value: u32,
    depth: usize,
    path: String,
    title: String,
}

/// Identity of a scheme for nesting: decimal headings of different depth ("1.1" and "2.3.1")
/// nest under each other, so the depth is part of the key: the scheme's name, and for a
/// decimal scheme the number of its parts (0 for the others). Compared as a pair, not spelled
/// out as a string for every heading.
fn scheme_key<'g>(g: &'g Grammar, c: &HeadingCandidate) -> (&'g str, usize) {
    let s = &g.headings.schemes[c.scheme];
    let depth = if s.ordinal == Ordinal::Decimal { c.num.matches('.').count() + 1 } else { 0 };
    (s.name.as_str(), depth)
}

/// Which keys the document has shown above which: a bit matrix by key index (a document
/// shows a handful of schemes), not a hash set probed for every open heading.
#[derive(Default)]
struct Above {
    /// Row `a`: bit `d` set when key `a` has stood above key `d`.
    rows: Vec<Vec<u64>>,
}

impl Above {
    fn insert(&mut self, a: usize, d: usize) {
        if self.rows.len() <= a {
            self.rows.resize_with(a + 1, Vec::new);
        }
        let row = &mut self.rows[a];
        if row.len() <= d / 64 {
            row.resize(d / 64 + 1, 0);
        }
        row[d / 64] |= 1 << (d % 64);
    }

    fn contains(&self, a: usize, d: usize) -> bool {
        self.rows.get(a).and_then(|row| row.get(d / 64)).is_some_and(|w| w >> (d % 64) & 1 == 1)
    }
}

/// State of the tree being built for one region.
pub(crate) struct TreeBuilder<'g> {
    g: &'g Grammar,
    /// The open headings, outermost first, as indexes in `placed`.
    stack: Vec<usize>,
    placed: Vec<Placed>,
    /// The scheme keys seen, each once: headings name them by index.
    keys: Vec<(&'g str, usize)>,
    /// (ancestor key, descendant key) pairs the document has shown.
    above: Above,
    /// Extra depth for every heading (1 inside an appendix section).
    base_depth: usize,
    base_path: String,
}

impl<'g> TreeBuilder<'g> {
    pub(crate) fn new(g: &'g Grammar) -> Self {
        TreeBuilder {
            g,
            stack: Vec::new(),
            placed: Vec::new(),
            keys: Vec::new(),
            above: Above::default(),
            base_depth: 0,
            base_path: String::new(),
        }
    }

    /// Nest every following heading under a fixed parent (an appendix section).
    pub(crate) fn under(g: &'g Grammar, depth: usize, path: &str) -> Self {
        TreeBuilder { base_depth: depth, base_path: path.to_owned(), ..TreeBuilder::new(g) }
    }

    /// Place the heading on `line`, choosing among its readings.
    pub(crate) fn push(&mut self, line: usize, info: &LineInfo, layout: &Layout, infos: &[LineInfo]) {
        let Some(c) = self.choose(&info.headings) else { return };
        let g = self.g;
        let scheme = &g.headings.schemes[c.scheme];
        let key = self.key_of(c);

        if let Some(rank) = scheme.rank {
            // Structural: close everything unranked or of the same or a lower rank.
            while let Some(&top) = self.stack.last() {
                match g.headings.schemes[self.placed[top].scheme].rank {
                    Some(r) if r < rank => break,
                    _ => {
                        self.stack.pop();
                    }
                }
            }
        } else if let Some(pos) = self.stack.iter().rposition(|&p| self.placed[p].key == key) {
            self.stack.truncate(pos);
        } else {
            // A new scheme: child of the innermost open heading, unless the document has shown
            // this scheme above it.
            while let Some(&top) = self.stack.last() {
                let top = &self.placed[top];
                let ranked = g.headings.schemes[top.scheme].rank.is_some();
                if !ranked && self.above.contains(key, top.key) {
                    self.stack.pop();
                } else {
                    break;
                }
            }
        }
        for &open in &self.stack {
            self.above.insert(self.placed[open].key, key);
        }

        let marker = fill_marker(&scheme.marker, &c.num);
        // The path of the innermost open heading is the path of the open headings (they were
        // open below it when it was placed): extended, not spelled out again.
        let parent = self.stack.last().map_or(self.base_path.as_str(), |&p| self.placed[p].path.as_str());
        let mut path = String::with_capacity(parent.len() + 1 + marker.len());
        path.push_str(parent);
        if !path.is_empty() {
            path.push('/');
        }
        path.push_str(&marker);
        let text = layout.line(line).trim();
        let title = heading_title(&text[c.title_at.min(text.len())..], line, layout, infos, self.g);
        let placed = Placed {
            line,
            key,
            scheme: c.scheme,
            marker,
            value: c.value,
            depth: self.base_depth + self.stack.len() + 1,
            path,
            title,
        };
        self.stack.push(self.placed.len());
        self.placed.push(placed);
    }

    /// The index in `keys` of the [`scheme_key`] of `c`, added when new.
    fn key_of(&mut self, c: &HeadingCandidate) -> usize {
        let key = scheme_key(self.g, c);
        self.keys.iter().position(|k| *k == key).unwrap_or_else(|| {
            self.keys.push(key);
            self.keys.len() - 1
        })
    }

    /// The index in `keys` of the [`scheme_key`] of `c`, if seen.
    fn known_key(&self, c: &HeadingCandidate) -> Option<usize> {
        let key = scheme_key(self.g, c);
        self.keys.iter().position(|k| *k == key)
    }

    /// Pick the reading that continues an open sequence ("I." after "H." is a letter), else
    /// the first reading, except that a lone C, D, L or M is a letter unless a Roman sequence
    /// is open right before it.
    fn choose<'c>(&self, cands: &'c [HeadingCandidate]) -> Option<&'c HeadingCandidate> {
        if cands.len() <= 1 {
            return cands.first();
        }
        let continues = |c: &HeadingCandidate| {
            let Some(key) = self.known_key(c) else { return false };
            (self.stack.iter().rev().map(|&p| &self.placed[p]))
                .find(|p| p.key == key)
                .is_some_and(|p| c.value == p.value + 1)
        };
        if let Some(c) = cands.iter().find(|c| continues(c)) {
            return Some(c);
        }
        let first = &cands[0];
        let lone_big_letter = first.num.len() == 1 && "CDLM".contains(first.num.as_str());
        if lone_big_letter
            && let Some(alpha) = cands.iter().find(|c| self.g.headings.schemes[c.scheme].ordinal == Ordinal::Alpha)
        {
            return Some(alpha);
        }
        Some(first)
    }

    /// The finished tree: spans end where the next heading of the same or a higher level starts,
    /// or at `region_end`.
    pub(crate) fn finish(self, layout: &Layout, region_end: usize) -> Vec<Section> {
        let n = self.placed.len();
        let mut ends = vec![region_end; n];
        let mut open: Vec<usize> = Vec::new();
        for (i, p) in self.placed.iter().enumerate() {
            let start = layout.lines[p.line].span.start;
            while let Some(&o) = open.last() {
                if self.placed[o].depth >= p.depth {
                    ends[o] = start;
                    open.pop();
                } else {
                    break;
                }
            }
            open.push(i);
        }
        let trim = |start: usize, end: usize| {
            let body = &layout.text[start..end.max(start)];
            start + body.trim_end().len()
        };
        let flat: Vec<(usize, Section)> = (self.placed.into_iter().zip(ends))
            .map(|(p, end)| {
                let start = layout.lines[p.line].span.start;
                let section = Section {
                    marker: p.marker.into(),
                    scheme: self.g.headings.schemes[p.scheme].name.as_str().into(),
                    path: p.path.into(),
                    level: u32::try_from(p.depth).unwrap_or(u32::MAX),
                    title: p.title.into(),
                    span: Span::new(start, trim(start, end)),
                    children: Vec::new(),
                };
                (p.depth, section)
            })
            .collect();
        nest(flat)
    }
}

/// `template` with every `{num}` replaced by `num` (as `str::replace`, which sets up a
/// general searcher for each heading).
fn fill_marker(template: &str, num: &str) -> String {
    let mut out = String::with_capacity(template.len() + num.len());
    let mut rest = template;
    while let Some((before, after)) = rest.split_once("{num}") {
        out.push_str(before);
        out.push_str(num);
        rest = after;
    }
    out.push_str(rest);
    out
}

/// Turn a pre-order list of (depth, section) into a tree.
fn nest(flat: Vec<(usize, Section)>) -> Vec<Section> {
    let mut roots: Vec<Section> = Vec::new();
    let mut stack: Vec<(usize, Section)> = Vec::new();
    for (depth, s) in flat {
        while stack.last().is_some_and(|(d, _)| *d >= depth) {
            let (_, done) = stack.pop().expect("checked non-empty");
            attach(&mut stack, &mut roots, done);
        }
        stack.push((depth, s));
    }
    while let Some((_, done)) = stack.pop() {
        attach(&mut stack, &mut roots, done);
    }
    roots
}

fn attach(stack: &mut [(usize, Section)], roots: &mut Vec<Section>, done: Section) {
    match stack.last_mut() {
        Some((_, parent)) => parent.children.push(done),
        None => roots.push(done),
    }
}

/// The title of a heading: the rest of its line, cut at a colon followed by body text ("3. Sở
/// Tài chính: Trên cơ sở …" -> "Sở Tài chính"); when the line holds only the marker, the next
/// line if it is an upper-case title ("Phần I" / "ĐÁNH GIÁ KẾT QUẢ …").
fn heading_title(rest: &str, line: usize, layout: &Layout, infos: &[LineInfo], g: &Grammar) -> String {
    let rest = rest.trim();
    if rest.is_empty() {
        let next = (line + 1..layout.lines.len().min(line + 3)).find(|&j| !layout.line(j).trim().is_empty());
        if let Some(j) = next
            && infos[j].upper
            && infos[j].headings.is_empty()
            && infos[j].doc_type.is_none()
        {
            return layout.line(j).trim().to_owned();
        }
        return String::new();
    }
    // (Counted only as far as the answer needs: a body runs long.)
    // (": " found by its colon with memchr: `str::find` sets up a general searcher per line.)
    let colon_space = memchr::memchr_iter(b':', rest.as_bytes()).find(|&i| rest.as_bytes().get(i + 1) == Some(&b' '));
    if let Some(colon) = colon_space
        && rest[colon + 2..].trim().chars().nth(1).is_some()
    {
        return rest[..colon].trim().to_owned();
    }
    // A char is at least a byte: a title of no more bytes than that is not too long.
    if rest.len() > g.headings.max_title_chars && rest.chars().count() > g.headings.max_title_chars {
        let cut = rest.find(". ").map_or_else(
            || rest.char_indices().nth(g.headings.max_title_chars).map_or(rest.len(), |(i, _)| i),
            |p| p + 1,
        );
        return rest[..cut].trim().to_owned();
    }
    rest.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_filled_as_by_replace() {
        for (t, n) in
            [("Phần {num}", "II"), ("{num}", "2.3"), ("{num}/{num}", "a"), ("Mục", "1"), ("", "x"), ("{nu{num}m}", "7")]
        {
            assert_eq!(fill_marker(t, n), t.replace("{num}", n), "{t:?}");
        }
    }
}
