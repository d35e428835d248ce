//! The inputs of a batch: files as given or found walking folders, in a compact sorted list.
//!
//! An archive may hold 10^5 files or more. A `PathBuf` per file costs its own heap block on top
//! of the list, so [`InputList`] keeps every path in one shared buffer (about the path's length
//! plus 8 bytes per file): the memory of a run barely grows with the number of files.

use std::path::{Path, PathBuf};

/// One input of a batch: a path to read, or a path that could not even be listed.
#[derive(Debug, Clone)]
pub struct Input {
    /// The path as given or as found walking a directory.
    pub path: PathBuf,
    /// Set when walking the directory failed at this path (a loop, a permission error).
    /// `(diagnostic code, message)`; boxed, as it is rare and the list of a big archive is long.
    pub walk_error: Option<Box<(String, String)>>,
}

impl Input {
    /// An input read from `path`.
    pub fn file(path: impl Into<PathBuf>) -> Input {
        Input { path: path.into(), walk_error: None }
    }

    /// This input, borrowed.
    pub fn as_ref(&self) -> InputRef<'_> {
        InputRef { path: &self.path, walk_error: self.walk_error.as_deref() }
    }
}

/// One input of a batch, borrowed from its list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InputRef<'a> {
    /// The path as given or as found walking a directory.
    pub path: &'a Path,
    /// `(diagnostic code, message)` when walking the directory failed at this path.
    pub walk_error: Option<&'a (String, String)>,
}

/// A list of inputs the batch functions of [`Engine`](crate::Engine) read by index: a slice or
/// `Vec` of [`Input`], or the compact [`InputList`] that [`expand_paths`] returns.
pub trait Inputs: Sync {
    /// How many inputs there are.
    fn len(&self) -> usize;

    /// True when there is none.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Input `i` (`i < len()`; panics otherwise, as slice indexing does).
    fn get(&self, i: usize) -> InputRef<'_>;
}

impl Inputs for [Input] {
    fn len(&self) -> usize {
        <[Input]>::len(self)
    }

    fn get(&self, i: usize) -> InputRef<'_> {
        self[i].as_ref()
    }
}

impl Inputs for Vec<Input> {
    fn len(&self) -> usize {
        Vec::len(self)
    }

    fn get(&self, i: usize) -> InputRef<'_> {
        self[i].as_ref()
    }
}

/// Inputs in one shared buffer: each UTF-8 path is a slice of `text`; the rare others (paths
/// that are not UTF-8) and the walk errors are kept aside, by index.
#[derive(Debug, Clone, Default)]
pub struct InputList {
    /// The UTF-8 paths, one after another.
    text: String,
    /// Where input `i`'s path ends in `text` (it starts where input `i - 1`'s ends). An input
    /// whose path is not UTF-8 has an empty slice there and its path in `other_paths`.
    ends: Vec<usize>,
    /// `(index, path)` of the inputs whose path is not UTF-8, by index.
    other_paths: Vec<(usize, PathBuf)>,
    /// `(index, (code, message))` of the inputs the walk failed at, by index.
    walk_errors: Vec<(usize, Box<(String, String)>)>,
}

impl InputList {
    /// An empty list.
    pub fn new() -> InputList {
        InputList::default()
    }

    /// Add `input` at the end.
    pub fn push(&mut self, input: InputRef<'_>) {
        let i = self.ends.len();
        match input.path.to_str() {
            Some(s) => self.text.push_str(s),
            None => self.other_paths.push((i, input.path.to_owned())),
        }
        self.ends.push(self.text.len());
        if let Some(e) = input.walk_error {
            self.walk_errors.push((i, Box::new(e.clone())));
        }
    }

    /// Keep only the inputs `keep` accepts, in order.
    pub fn retain(&mut self, mut keep: impl FnMut(InputRef<'_>) -> bool) {
        let dropped: Vec<usize> = (0..self.len()).filter(|&i| !keep(self.get(i))).collect();
        if dropped.is_empty() {
            return;
        }
        let mut kept = InputList::new();
        for i in (0..self.len()).filter(|i| dropped.binary_search(i).is_err()) {
            kept.push(self.get(i));
        }
        *self = kept.compact();
    }

    /// Sort by path (byte order), then drop a file listed twice (given twice, or found by two
    /// walks); failed walk entries are all kept.
    fn sort_dedup(self) -> InputList {
        let mut order: Vec<usize> = (0..self.len()).collect();
        order.sort_by(|&a, &b| self.get(a).path.as_os_str().cmp(self.get(b).path.as_os_str()));
        let mut sorted = InputList::new();
        let mut last: Option<InputRef<'_>> = None;
        for i in order {
            let input = self.get(i);
            let twice =
                last.is_some_and(|l| l.walk_error.is_none() && input.walk_error.is_none() && l.path == input.path);
            if !twice {
                sorted.push(input);
                last = Some(input);
            }
        }
        sorted.compact()
    }

    /// Give back the spare capacity of the buffers.
    fn compact(mut self) -> InputList {
        self.text.shrink_to_fit();
        self.ends.shrink_to_fit();
        self.other_paths.shrink_to_fit();
        self.walk_errors.shrink_to_fit();
        self
    }

    /// The inputs in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = InputRef<'_>> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }
}

impl Inputs for InputList {
    fn len(&self) -> usize {
        self.ends.len()
    }

    fn get(&self, i: usize) -> InputRef<'_> {
        let end = self.ends[i];
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        let path = match self.other_paths.binary_search_by_key(&i, |(j, _)| *j) {
            Ok(k) => self.other_paths[k].1.as_path(),
            Err(_) => Path::new(&self.text[start..end]),
        };
        let walk_error = self.walk_errors.binary_search_by_key(&i, |(j, _)| *j).ok().map(|k| &*self.walk_errors[k].1);
        InputRef { path, walk_error }
    }
}

impl FromIterator<Input> for InputList {
    fn from_iter<T: IntoIterator<Item = Input>>(iter: T) -> InputList {
        let mut list = InputList::new();
        for input in iter {
            list.push(input.as_ref());
        }
        list.compact()
    }
}

/// Expand `args` into the sorted list of inputs: files as given, directories walked
/// recursively (following links, with loops reported as failed inputs, not followed forever).
/// Pipes, sockets and devices met in a walk become failed inputs (`io.not_a_file`) rather than
/// reads that may never end.
pub fn expand_paths(args: &[PathBuf]) -> InputList {
    let mut inputs = InputList::new();
    for arg in args {
        if !arg.is_dir() {
            inputs.push(InputRef { path: arg, walk_error: None });
            continue;
        }
        for entry in walkdir::WalkDir::new(arg).follow_links(true) {
            match entry {
                Ok(e) if e.file_type().is_dir() => {}
                Ok(e) if e.file_type().is_file() => inputs.push(InputRef { path: e.path(), walk_error: None }),
                // A named pipe, socket or device found in a folder: reading it could block
                // forever. Given by name on the command line (`<(…)`, /dev/stdin) it is read.
                Ok(e) => {
                    let message = format!("{}: not a regular file (a pipe, socket or device)", e.path().display());
                    let error = ("io.not_a_file".to_owned(), message);
                    inputs.push(InputRef { path: e.path(), walk_error: Some(&error) });
                }
                Err(e) => {
                    let path = e.path().map(Path::to_path_buf).unwrap_or_else(|| arg.clone());
                    // The same codes as a failed read: a dangling link is `io.not_found` either way.
                    let code = match e.io_error().map(std::io::Error::kind) {
                        _ if e.loop_ancestor().is_some() => "io.directory_loop",
                        Some(std::io::ErrorKind::NotFound) => "io.not_found",
                        Some(std::io::ErrorKind::PermissionDenied) => "io.permission_denied",
                        _ => "io.walk_error",
                    };
                    let error = (code.to_owned(), e.to_string());
                    inputs.push(InputRef { path: &path, walk_error: Some(&error) });
                }
            }
        }
    }
    inputs.sort_dedup()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(list: &InputList) -> Vec<String> {
        list.iter().map(|i| i.path.to_string_lossy().into_owned()).collect()
    }

    #[test]
    fn a_list_gives_back_what_was_pushed() {
        let error = ("io.directory_loop".to_owned(), "loop".to_owned());
        let mut list = InputList::new();
        list.push(InputRef { path: Path::new("b/đề án.txt"), walk_error: None });
        list.push(InputRef { path: Path::new(""), walk_error: None });
        list.push(InputRef { path: Path::new("a"), walk_error: Some(&error) });
        assert_eq!(list.len(), 3);
        assert_eq!(list.get(0), InputRef { path: Path::new("b/đề án.txt"), walk_error: None });
        assert_eq!(list.get(1).path, Path::new(""));
        assert_eq!(list.get(2), InputRef { path: Path::new("a"), walk_error: Some(&error) });
    }

    #[test]
    fn sorted_by_bytes_and_listed_once() {
        let error = ("io.not_found".to_owned(), "gone".to_owned());
        let mut list = InputList::new();
        for (p, e) in
            [("b", None), ("a/x", None), ("a.txt", None), ("b", None), ("c", Some(&error)), ("c", Some(&error))]
        {
            list.push(InputRef { path: Path::new(p), walk_error: e });
        }
        let list = list.sort_dedup();
        // Byte order: '.' < '/', so "a.txt" before "a/x"; a failed entry is never merged.
        assert_eq!(paths(&list), ["a.txt", "a/x", "b", "c", "c"]);
        assert_eq!(list.get(3).walk_error, Some(&error));
        assert_eq!(list.get(2).walk_error, None);
    }

    #[test]
    fn retain_keeps_order_and_errors() {
        let error = ("io.walk_error".to_owned(), "x".to_owned());
        let mut list: InputList = ["1", "2", "3", "4"].into_iter().map(Input::file).collect();
        list.push(InputRef { path: Path::new("5"), walk_error: Some(&error) });
        list.retain(|i| i.path != Path::new("2"));
        assert_eq!(paths(&list), ["1", "3", "4", "5"]);
        assert_eq!(list.get(3).walk_error, Some(&error));
        assert_eq!(list.iter().filter(|i| i.walk_error.is_some()).count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn paths_that_are_not_utf8_are_kept_as_they_are() {
        use std::os::unix::ffi::OsStrExt;
        let odd = Path::new(std::ffi::OsStr::from_bytes(b"z\xff.txt"));
        let list: InputList = [Input::file("y.txt"), Input::file(odd), Input::file("a.txt")].into_iter().collect();
        let list = list.sort_dedup();
        assert_eq!(list.get(0).path, Path::new("a.txt"));
        assert_eq!(list.get(1).path, Path::new("y.txt"));
        assert_eq!(list.get(2).path, odd);
    }

    #[test]
    fn a_walk_lists_files_sorted() {
        let dir = std::env::temp_dir().join(format!("vanban-inputs-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        for name in ["b.txt", "a.txt", "sub/c.txt"] {
            std::fs::write(dir.join(name), "x").unwrap();
        }
        let list = expand_paths(&[dir.clone(), dir.join("a.txt")]);
        let names: Vec<String> =
            list.iter().map(|i| i.path.strip_prefix(&dir).unwrap().to_string_lossy().into_owned()).collect();
        assert_eq!(names, ["a.txt", "b.txt", "sub/c.txt"], "a.txt given twice is listed once");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
