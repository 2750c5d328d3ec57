//! The book as the engine receives it: files as paths and bytes, and the
//! order of its chapters.
//!
//! Paths are relative, with `/` between segments, as a browser's folder
//! upload or the command line gives them. The engine never touches a file
//! system, so the same code runs natively and as WebAssembly.

use crate::error::Warnings;
use std::cell::OnceCell;
use std::cmp::Ordering;
use std::collections::HashMap;

/// One file of the book: a chapter, an image, a stylesheet or anything else.
#[derive(Debug, Clone, Default)]
pub struct InputFile {
    /// The path relative to the book's root, with `/` separators.
    pub path: String,
    /// The file's contents.
    pub bytes: Vec<u8>,
    /// The last modification time in seconds since the Unix epoch, if known.
    pub modified: Option<i64>,
}

/// The files of a book and, optionally, the order of its chapters.
#[derive(Debug, Clone, Default)]
pub struct Book {
    /// Every file the user gave, chapters and resources alike.
    pub files: Vec<InputFile>,
    /// Paths of the Markdown files to use as chapters, in reading order.
    /// `None` takes the order of a `SUMMARY.md` if the book has one, else
    /// every `.md` file in natural order.
    pub chapters: Option<Vec<String>>,
}

impl Book {
    /// Returns the file at `path`, after normalising the path.
    pub fn file(&self, path: &str) -> Option<&InputFile> {
        let wanted = normalize_path(path);
        self.files
            .iter()
            .find(|file| normalize_path(&file.path) == wanted)
    }
}

/// A file that is listed with the book but read only if the conversion
/// needs it. The command line lists a folder this way, because an mdBook
/// folder contains many files that no chapter uses.
#[derive(Debug, Clone)]
pub struct DeferredFile {
    /// The path relative to the book's root, with `/` separators.
    pub path: String,
    /// The last modification time in seconds since the Unix epoch, if known.
    pub modified: Option<i64>,
}

/// Reads a deferred file's bytes by its path, or returns `None` when it
/// cannot, which the conversion treats like a missing file.
pub type ReadFile<'a> = &'a dyn Fn(&str) -> Option<Vec<u8>>;

/// An entry of the index: a file given with its bytes, or a deferred file
/// and its bytes once read.
enum Slot<'a> {
    Given(&'a InputFile),
    Deferred {
        file: &'a DeferredFile,
        read: OnceCell<Option<InputFile>>,
    },
}

/// An index of the book's files by normalised path.
pub struct FileIndex<'a> {
    by_path: HashMap<String, Slot<'a>>,
    read_file: Option<ReadFile<'a>>,
}

impl<'a> FileIndex<'a> {
    pub fn new(book: &'a Book) -> Self {
        Self::with_deferred(book, &[], None)
    }

    /// Indexes the book's files and the deferred ones, which `read_file`
    /// reads on first use. A given file wins over a deferred one at the
    /// same path.
    pub fn with_deferred(
        book: &'a Book,
        deferred: &'a [DeferredFile],
        read_file: Option<ReadFile<'a>>,
    ) -> Self {
        let mut by_path: HashMap<String, Slot<'a>> = deferred
            .iter()
            .map(|file| {
                let slot = Slot::Deferred {
                    file,
                    read: OnceCell::new(),
                };
                (normalize_path(&file.path), slot)
            })
            .collect();
        by_path.extend(
            book.files
                .iter()
                .map(|file| (normalize_path(&file.path), Slot::Given(file))),
        );
        FileIndex { by_path, read_file }
    }

    pub fn get(&self, path: &str) -> Option<&InputFile> {
        match self.by_path.get(&normalize_path(path))? {
            Slot::Given(file) => Some(file),
            Slot::Deferred { file, read } => read
                .get_or_init(|| {
                    let bytes = (self.read_file?)(&file.path)?;
                    Some(InputFile {
                        path: file.path.clone(),
                        bytes,
                        modified: file.modified,
                    })
                })
                .as_ref(),
        }
    }

    pub fn contains(&self, path: &str) -> bool {
        self.by_path.contains_key(&normalize_path(path))
    }
}

/// Normalises a relative path: `\` becomes `/`, empty and `.` segments go,
/// and `a/../` collapses. Leading `..` segments are kept, since a chapter may
/// name an image beside its folder.
pub fn normalize_path(path: &str) -> String {
    // Most paths are normal already: every file of a folder is indexed by
    // its path, so this saves splitting and joining thousands of them.
    let already_normal = !path.contains('\\')
        && path
            .split('/')
            .all(|segment| !matches!(segment, "" | "." | ".."));
    if already_normal {
        return path.to_string();
    }
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split(['/', '\\']) {
        match segment {
            "" | "." => {}
            ".." => {
                if matches!(segments.last(), Some(last) if *last != "..") {
                    segments.pop();
                } else {
                    segments.push("..");
                }
            }
            _ => segments.push(segment),
        }
    }
    segments.join("/")
}

/// Returns the folder part of a normalised path, empty for the root.
pub fn parent_dir(path: &str) -> &str {
    match path.rfind('/') {
        Some(index) => &path[..index],
        None => "",
    }
}

/// Resolves `reference` relative to the folder of the file at `from`.
pub fn resolve_relative(from: &str, reference: &str) -> String {
    let dir = parent_dir(from);
    if dir.is_empty() {
        normalize_path(reference)
    } else {
        normalize_path(&format!("{dir}/{reference}"))
    }
}

/// Returns the file name without its folder and last extension.
pub fn file_stem(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    match name.rfind('.') {
        Some(index) if index > 0 => &name[..index],
        _ => name,
    }
}

/// Reports whether a path names a Markdown file by its extension.
pub fn is_markdown_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    [".md", ".markdown", ".mdown", ".mkd", ".mkdn"]
        .iter()
        .any(|extension| lower.ends_with(extension))
}

/// Compares two strings in natural order, so `ch2.md` sorts before
/// `ch10.md`: runs of ASCII digits compare by value, the rest by character.
pub fn natural_cmp(left: &str, right: &str) -> Ordering {
    let mut a = left.chars().peekable();
    let mut b = right.chars().peekable();
    loop {
        match (a.peek().copied(), b.peek().copied()) {
            (None, None) => return left.cmp(right),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let first = take_digits(&mut a);
                let second = take_digits(&mut b);
                let by_value = first
                    .trim_start_matches('0')
                    .len()
                    .cmp(&second.trim_start_matches('0').len())
                    .then_with(|| {
                        first
                            .trim_start_matches('0')
                            .cmp(second.trim_start_matches('0'))
                    });
                if by_value != Ordering::Equal {
                    return by_value;
                }
            }
            (Some(x), Some(y)) => {
                let by_char = x.to_lowercase().cmp(y.to_lowercase());
                if by_char != Ordering::Equal {
                    return by_char;
                }
                a.next();
                b.next();
            }
        }
    }
}

fn take_digits(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> String {
    let mut digits = String::new();
    while let Some(c) = chars.peek().copied().filter(char::is_ascii_digit) {
        digits.push(c);
        chars.next();
    }
    digits
}

/// The source of a book's chapter order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderSource {
    /// The caller listed the chapters.
    Given,
    /// The links of this `SUMMARY.md`, in document order.
    Summary(String),
    /// Every Markdown file, in natural order of its path.
    Natural,
}

/// Determines the chapters of `book` in reading order. Paths in the result
/// are normalised.
pub fn chapter_order(book: &Book) -> (Vec<String>, OrderSource) {
    if let Some(chapters) = &book.chapters {
        return (
            chapters.iter().map(|path| normalize_path(path)).collect(),
            OrderSource::Given,
        );
    }

    let index = FileIndex::new(book);
    for summary_path in summary_candidates(&index) {
        if let Some(summary) = index.get(&summary_path) {
            let text = String::from_utf8_lossy(&summary.bytes);
            let chapters = summary_links(&summary_path, &text);
            if !chapters.is_empty() {
                return (chapters, OrderSource::Summary(summary_path));
            }
        }
    }

    let mut chapters: Vec<String> = book
        .files
        .iter()
        .map(|file| normalize_path(&file.path))
        .filter(|path| is_markdown_path(path) && !is_hidden(path) && file_stem(path) != "SUMMARY")
        .collect();
    chapters.sort_by(|a, b| natural_cmp(a, b));
    chapters.dedup();
    (chapters, OrderSource::Natural)
}

fn is_hidden(path: &str) -> bool {
    path.split('/')
        .any(|segment| segment.starts_with('.') && segment != "..")
}

/// Returns where a `SUMMARY.md` may be: in the folder `book.toml` names
/// as `src`, then at the root, then in `src/`, as mdBook looks.
fn summary_candidates(index: &FileIndex<'_>) -> Vec<String> {
    let mut candidates = Vec::new();
    if let Some(toml) = index.get("book.toml") {
        let text = String::from_utf8_lossy(&toml.bytes);
        let (_, source_dir) =
            crate::mdbook::read_book_toml("book.toml", &text, &mut Warnings::default());
        if let Some(dir) = source_dir {
            candidates.push(normalize_path(&format!("{dir}/SUMMARY.md")));
        }
    }
    candidates.push("SUMMARY.md".to_string());
    candidates.push("src/SUMMARY.md".to_string());
    candidates
}

/// Returns the local Markdown files a `SUMMARY.md` links to, in order and
/// without repeats. Draft chapters and links to anything but a local
/// Markdown file are skipped.
fn summary_links(summary_path: &str, text: &str) -> Vec<String> {
    let mut chapters: Vec<String> = Vec::new();
    for item in crate::mdbook::parse_summary(summary_path, text) {
        if let crate::mdbook::SummaryItem::Chapter { path, .. } = item
            && !chapters.contains(&path)
        {
            chapters.push(path);
        }
    }
    chapters
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, text: &str) -> InputFile {
        InputFile {
            path: path.to_string(),
            bytes: text.as_bytes().to_vec(),
            modified: None,
        }
    }

    #[test]
    fn normalize_path_cases() {
        let cases = [
            ("a/b/../c.md", "a/c.md"),
            ("./a//b.md", "a/b.md"),
            ("../img.png", "../img.png"),
            ("a/../../img.png", "../img.png"),
            ("a\\b.md", "a/b.md"),
            // Normal already, and each kind of segment that is not.
            ("src/ch01.md", "src/ch01.md"),
            ("a/b/", "a/b"),
            ("/a", "a"),
            ("a/./b", "a/b"),
            ("a/..", ""),
            ("", ""),
            ("...", "..."),
        ];
        for (input, expected) in cases {
            assert_eq!(normalize_path(input), expected, "normalising {input}");
        }
    }

    #[test]
    fn natural_order_sorts_numbers_by_value() {
        let mut names = vec!["ch10.md", "ch2.md", "ch1.md", "appendix.md", "ch02b.md"];
        names.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            names,
            ["appendix.md", "ch1.md", "ch2.md", "ch02b.md", "ch10.md"]
        );
    }

    #[test]
    fn summary_order_wins_over_names() {
        let book = Book {
            files: vec![
                file(
                    "src/SUMMARY.md",
                    "# Summary\n\n- [B](b.md)\n  - [A](./a.md#x)\n- [Draft]()\n- [Web](https://example.com/x.md)\n",
                ),
                file("src/a.md", "# A"),
                file("src/b.md", "# B"),
            ],
            chapters: None,
        };
        let (chapters, source) = chapter_order(&book);
        assert_eq!(chapters, ["src/b.md", "src/a.md"]);
        assert_eq!(source, OrderSource::Summary("src/SUMMARY.md".to_string()));
    }

    #[test]
    fn folder_without_summary_uses_natural_order() {
        let book = Book {
            files: vec![
                file("ch10.md", "# Ten"),
                file("ch9.md", "# Nine"),
                file(".hidden/x.md", "# Hidden"),
                file("cover.png", ""),
            ],
            chapters: None,
        };
        let (chapters, source) = chapter_order(&book);
        assert_eq!(chapters, ["ch9.md", "ch10.md"]);
        assert_eq!(source, OrderSource::Natural);
    }
}
