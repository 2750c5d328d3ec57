//! The book as the engine receives it: files as paths and bytes, and the
//! order of its chapters.
//!
//! Paths are relative, with `/` between segments, as a browser's folder
//! upload or the command line gives them. The engine never touches a file
//! system, so the same code runs natively and as WebAssembly.

use crate::error::Warnings;
use crate::parallel::lock;
use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, OnceLock, PoisonError};

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

/// Reads files that a book does not contain, by their path relative to
/// the book's root, when the conversion first needs one. The command line
/// reads a folder this way, because an mdBook folder contains many files
/// that no chapter uses. Any closure from a path to
/// `Option<(bytes, modification time)>` is one.
pub trait FileSource {
    /// Returns the file's bytes and its modification time in seconds since
    /// the Unix epoch, if known, or `None` when there is no such file or it
    /// cannot be read, which the conversion treats like a missing file.
    fn read(&self, path: &str) -> Option<(Vec<u8>, Option<i64>)>;

    /// Reports whether the file exists, without needing its bytes.
    fn exists(&self, path: &str) -> bool {
        self.read(path).is_some()
    }
}

impl<F> FileSource for F
where
    F: Fn(&str) -> Option<(Vec<u8>, Option<i64>)>,
{
    fn read(&self, path: &str) -> Option<(Vec<u8>, Option<i64>)> {
        self(path)
    }
}

/// The source a conversion reads the files a book does not contain from.
pub type ReadFile<'a> = &'a (dyn FileSource + Sync);

/// An index of the book's files by normalised path: the files it contains,
/// and those read from its [`FileSource`] on first use, which it keeps.
pub struct FileIndex<'a> {
    book_files: HashMap<String, &'a InputFile>,
    read_file: Option<ReadFile<'a>>,
    read: ReadStore,
    /// The newest modification time among the files looked up so far.
    newest: Mutex<Option<i64>>,
}

impl<'a> FileIndex<'a> {
    pub fn new(book: &'a Book) -> Self {
        Self::with_source(book, None)
    }

    /// Indexes the book's files. Any other path is requested of
    /// `read_file` once, and a file in the book wins over one it could read.
    pub fn with_source(book: &'a Book, read_file: Option<ReadFile<'a>>) -> Self {
        let book_files = book
            .files
            .iter()
            .map(|file| (normalize_path(&file.path), file))
            .collect();
        FileIndex {
            book_files,
            read_file,
            read: ReadStore::default(),
            newest: Mutex::new(None),
        }
    }

    /// Adds what an earlier index read and its newest time, as if this
    /// index had read and looked them up.
    pub(crate) fn with_read(mut self, earlier: ReadFiles) -> Self {
        self.read = ReadStore::with_files(earlier.files);
        self.newest = Mutex::new(earlier.newest);
        self
    }

    pub fn get(&self, path: &str) -> Option<&InputFile> {
        let path = normalize_path(path);
        let file = match self.book_files.get(&path) {
            Some(file) => Some(*file),
            None => {
                let read_file = self.read_file?;
                self.read
                    .get_or_read(path, |path| read_input(path, read_file.read(path)))
            }
        }?;
        let mut newest = lock(&self.newest);
        if file.modified > *newest {
            *newest = file.modified;
        }
        Some(file)
    }

    /// Reads the files at `paths` that the book does not contain and were
    /// not read yet, on several threads natively, so that later lookups
    /// find them read.
    pub fn read_ahead(&self, paths: &[String]) {
        let Some(read_file) = self.read_file else {
            return;
        };
        let mut seen = HashSet::new();
        let unread: Vec<String> = paths
            .iter()
            .map(|path| normalize_path(path))
            .filter(|path| {
                !self.book_files.contains_key(path)
                    && self.read.get(path).is_none()
                    && seen.insert(path.clone())
            })
            .collect();
        let read =
            crate::parallel::map_in_order(&unread, true, || (), |(), path| read_file.read(path));
        for (path, result) in unread.into_iter().zip(read) {
            self.read.get_or_read(path, |path| read_input(path, result));
        }
    }

    pub fn contains(&self, path: &str) -> bool {
        let path = normalize_path(path);
        if self.book_files.contains_key(&path) {
            return true;
        }
        match (self.read.get(&path), self.read_file) {
            (Some(read), _) => read.is_some(),
            (None, Some(read_file)) => read_file.exists(&path),
            (None, None) => false,
        }
    }

    /// Returns the newest modification time among the files that
    /// [`Self::get`] returned, so a file the book does not use cannot change it.
    pub fn newest_modified(&self) -> Option<i64> {
        *lock(&self.newest)
    }

    /// Counts the paths not in the book looked up so far, read or not.
    /// [`FileIndex::into_read`] lists them in the order they were first
    /// looked up, so this count marks where later lookups begin.
    pub(crate) fn tried_count(&self) -> usize {
        self.read.tried()
    }

    /// Gives up the files read from the source, in the order they were
    /// first looked up, and the newest time.
    pub(crate) fn into_read(self) -> ReadFiles {
        ReadFiles {
            files: self.read.into_files(),
            newest: self
                .newest
                .into_inner()
                .unwrap_or_else(PoisonError::into_inner),
        }
    }
}

/// Returns the file at `path` from what a [`FileSource`] read for it.
fn read_input(path: &str, read: Option<(Vec<u8>, Option<i64>)>) -> Option<InputFile> {
    let (bytes, modified) = read?;
    Some(InputFile {
        path: path.to_string(),
        bytes,
        modified,
    })
}

/// The files an index read from its source: each path tried, with its file
/// or `None` when it could not be read, and the newest modification time
/// among the files the index returned.
pub(crate) struct ReadFiles {
    pub files: Vec<(String, Option<InputFile>)>,
    pub newest: Option<i64>,
}

/// Files read on request. Each stays where it was first put, so the index
/// can lend it out for as long as the index lives. The slots come in blocks
/// of 16, 32, 64 and so on, and a block never moves once made.
#[derive(Default)]
struct ReadStore {
    /// The slot of each path tried, in the order they were tried.
    slots: Mutex<HashMap<String, usize>>,
    first: Block,
}

/// A block of slots, and the block of twice as many after it once needed.
struct Block {
    slots: Box<[OnceLock<Option<InputFile>>]>,
    next: OnceLock<Box<Block>>,
}

impl Default for Block {
    fn default() -> Self {
        Block::with_slots(16)
    }
}

impl Block {
    fn with_slots(count: usize) -> Self {
        Block {
            slots: (0..count).map(|_| OnceLock::new()).collect(),
            next: OnceLock::new(),
        }
    }

    /// Returns slot `index`, counting on through the blocks after this one
    /// and making them as needed.
    fn slot(&self, mut index: usize) -> &OnceLock<Option<InputFile>> {
        let mut block = self;
        while index >= block.slots.len() {
            index -= block.slots.len();
            block = block
                .next
                .get_or_init(|| Box::new(Block::with_slots(block.slots.len() * 2)));
        }
        &block.slots[index]
    }
}

impl ReadStore {
    fn with_files(files: Vec<(String, Option<InputFile>)>) -> Self {
        let store = ReadStore::default();
        for (path, file) in files {
            store.get_or_read(path, |_| file);
        }
        store
    }

    /// Returns what was read for `path`, if it was tried.
    fn get(&self, path: &str) -> Option<Option<&InputFile>> {
        let index = *lock(&self.slots).get(path)?;
        Some(self.first.slot(index).get()?.as_ref())
    }

    /// Returns the file at `path`, reading it with `read` the first time.
    fn get_or_read(
        &self,
        path: String,
        read: impl FnOnce(&str) -> Option<InputFile>,
    ) -> Option<&InputFile> {
        let index = {
            let mut slots = lock(&self.slots);
            let next = slots.len();
            *slots.entry(path.clone()).or_insert(next)
        };
        self.first.slot(index).get_or_init(|| read(&path)).as_ref()
    }

    /// Counts the paths tried so far.
    fn tried(&self) -> usize {
        lock(&self.slots).len()
    }

    /// Gives up what was read, in the order the paths were tried.
    fn into_files(self) -> Vec<(String, Option<InputFile>)> {
        let mut contents = Vec::new();
        let mut block = Some(self.first);
        while let Some(Block { slots, next }) = block {
            contents.extend(slots.into_vec().into_iter().map(OnceLock::into_inner));
            block = next.into_inner().map(|next| *next);
        }
        let mut paths: Vec<(String, usize)> = self
            .slots
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
            .into_iter()
            .collect();
        paths.sort_unstable_by_key(|(_, index)| *index);
        paths
            .into_iter()
            .map(|(path, index)| (path, contents[index].take().flatten()))
            .collect()
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
/// `ch10.md`: runs of ASCII digits compare by value, the rest by character
/// without case, an accented Latin letter as its base letter (`Über.md`
/// between `Tor.md` and `Uhr.md`). Strings equal in that order compare by
/// their characters.
pub fn natural_cmp(left: &str, right: &str) -> Ordering {
    // Both sides are compared as the letters they sort as, so `Œuvre`
    // compares as `oeuvre`. A combining accent is skipped, so a decomposed
    // name sorts as its composed form does.
    let accentless = |c: &char| !crate::text::is_combining_accent(*c);
    let mut a = left
        .chars()
        .filter(accentless)
        .flat_map(sort_key)
        .peekable();
    let mut b = right
        .chars()
        .filter(accentless)
        .flat_map(sort_key)
        .peekable();
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
                if x != y {
                    return x.cmp(&y);
                }
                a.next();
                b.next();
            }
        }
    }
}

/// Returns the letters `c` sorts as: lower case, without an accent.
fn sort_key(c: char) -> impl Iterator<Item = char> {
    let (letters, other) = match crate::text::latin_base(c) {
        Some(letters) => (letters, None),
        None => ("", Some(unaccented_greek_or_cyrillic(c))),
    };
    letters.chars().chain(other).flat_map(char::to_lowercase)
}

/// Returns the Greek letter under a tonos or dialytika, and Cyrillic Е for
/// Ё, which Russian sorts with Е; any other character as it is.
fn unaccented_greek_or_cyrillic(c: char) -> char {
    match c {
        'Ά' => 'Α',
        'Έ' => 'Ε',
        'Ή' => 'Η',
        'Ί' | 'Ϊ' => 'Ι',
        'Ό' => 'Ο',
        'Ύ' | 'Ϋ' => 'Υ',
        'Ώ' => 'Ω',
        'ά' => 'α',
        'έ' => 'ε',
        'ή' => 'η',
        'ί' | 'ϊ' | 'ΐ' => 'ι',
        'ό' => 'ο',
        'ύ' | 'ϋ' | 'ΰ' => 'υ',
        'ώ' => 'ω',
        'ς' => 'σ',
        'Ё' => 'Е',
        'ё' => 'е',
        _ => c,
    }
}

fn take_digits(chars: &mut std::iter::Peekable<impl Iterator<Item = char>>) -> String {
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

/// Determines the chapters of `book`, whose files `files` indexes, in
/// reading order. Paths in the result are normalised.
pub fn chapter_order(book: &Book, files: &FileIndex<'_>) -> (Vec<String>, OrderSource) {
    if let Some(chapters) = &book.chapters {
        return (
            chapters.iter().map(|path| normalize_path(path)).collect(),
            OrderSource::Given,
        );
    }

    for summary_path in summary_candidates(files) {
        if let Some(summary) = files.get(&summary_path) {
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

/// Reports whether a path has a hidden segment, one whose name starts with
/// a dot, which is never part of a book.
pub fn is_hidden(path: &str) -> bool {
    path.split('/')
        .any(|segment| segment.starts_with('.') && segment != "..")
}

/// Returns the first `SUMMARY.md` among the places mdBook looks, for a
/// book in natural order, whose summary therefore named no chapter.
pub(crate) fn summary_without_chapters(index: &FileIndex<'_>) -> Option<String> {
    summary_candidates(index)
        .into_iter()
        .find(|path| index.contains(path))
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
    fn files_read_ahead_not_read_again() {
        let reads = std::sync::Mutex::new(Vec::new());
        let source = |path: &str| -> Option<(Vec<u8>, Option<i64>)> {
            reads.lock().expect("not poisoned").push(path.to_string());
            (path != "gone.rs").then(|| (path.as_bytes().to_vec(), Some(7)))
        };
        let book = Book::default();
        let index = FileIndex::with_source(&book, Some(&source));
        let paths = ["a.rs", "./a.rs", "b/../b.rs", "gone.rs"].map(String::from);
        index.read_ahead(&paths);
        let mut read: Vec<String> = reads.lock().expect("not poisoned").clone();
        read.sort();
        assert_eq!(read, ["a.rs", "b.rs", "gone.rs"]);

        assert_eq!(
            index.get("a.rs").map(|file| file.bytes.as_slice()),
            Some(&b"a.rs"[..])
        );
        assert!(index.get("gone.rs").is_none());
        assert!(!index.contains("gone.rs"));
        assert!(index.contains("b.rs"));
        assert_eq!(reads.lock().expect("not poisoned").len(), 3);
        // Only the files looked up count towards the newest time.
        assert_eq!(index.newest_modified(), Some(7));
    }

    #[test]
    fn read_store_keeps_files_in_place() {
        // More files than the first blocks hold, each still found where
        // it was put, and given back whole.
        let source = |path: &str| -> Option<(Vec<u8>, Option<i64>)> {
            Some((path.as_bytes().to_vec(), None))
        };
        let book = Book::default();
        let index = FileIndex::with_source(&book, Some(&source));
        let first = index.get("f0").expect("read");
        for number in 1..200 {
            index.get(&format!("f{number}")).expect("read");
        }
        assert_eq!(first.bytes, b"f0");
        assert_eq!(index.get("f150").expect("read").bytes, b"f150");
        assert_eq!(index.tried_count(), 200);
        // Given back in the order they were first looked up.
        let files = index.into_read().files;
        assert_eq!(files.len(), 200);
        for (number, (path, file)) in files.iter().enumerate() {
            assert_eq!(*path, format!("f{number}"));
            assert_eq!(file.as_ref().expect("read").bytes, path.as_bytes());
        }
    }

    #[test]
    fn paths_not_found_counted_as_tried() {
        let source = |path: &str| -> Option<(Vec<u8>, Option<i64>)> {
            (path != "gone.md").then(|| (Vec::new(), None))
        };
        let book = Book {
            files: vec![file("given.md", "# Given")],
            chapters: None,
        };
        let index = FileIndex::with_source(&book, Some(&source));
        index.get("gone.md");
        index.get("given.md");
        index.get("read.md");
        index.get("gone.md");
        // The book's own file is never asked of the source.
        assert_eq!(index.tried_count(), 2);
        let paths: Vec<String> = index
            .into_read()
            .files
            .into_iter()
            .map(|(path, _)| path)
            .collect();
        assert_eq!(paths, ["gone.md", "read.md"]);
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
    fn natural_order_sorts_accents_with_base_letter() {
        let mut names = vec![
            "Zweite.md",
            "Überblick.md",
            "Uhr.md",
            "Über.md",
            "Tor.md",
            "Uber.md",
            "école.md",
            "Ende.md",
            "U\u{308}bung.md",
            "Ølandet.md",
            "Œuvre.md",
        ];
        names.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            names,
            [
                "école.md",
                "Ende.md",
                "Œuvre.md",
                "Ølandet.md",
                "Tor.md",
                "Uber.md",
                "Über.md",
                "Überblick.md",
                "U\u{308}bung.md",
                "Uhr.md",
                "Zweite.md"
            ]
        );
    }

    #[test]
    fn natural_order_sorts_greek_and_cyrillic_accents() {
        let mut names = vec![
            "Έψιλον.md",
            "Αλφα.md",
            "Жук.md",
            "Ёлка.md",
            "Яблоко.md",
            "Ель.md",
        ];
        names.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            names,
            [
                "Αλφα.md",
                "Έψιλον.md",
                "Ёлка.md",
                "Ель.md",
                "Жук.md",
                "Яблоко.md"
            ]
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
        let (chapters, source) = chapter_order(&book, &FileIndex::new(&book));
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
        let (chapters, source) = chapter_order(&book, &FileIndex::new(&book));
        assert_eq!(chapters, ["ch9.md", "ch10.md"]);
        assert_eq!(source, OrderSource::Natural);
    }
}
