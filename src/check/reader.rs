//! Reading the archive for the checks: the entry cache with its inflation
//! budget, XML parsing, and the report the checks write to.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use super::content::{Scan, Scanned};
use super::zip::{self, Archive, Entry, EntryError};
use super::{Finding, Severity, container};
use crate::epub::Entries;
use crate::parallel::{PARALLEL_MIN_BYTES, map_in_order};

/// At most this many bytes are inflated for one check, in all. A 400 MB
/// EPUB of text is far past what reading systems open, and a zip bomb
/// stops here instead of filling memory.
pub const MAX_INFLATED_BYTES: u64 = 1 << 30;

/// Checks an EPUB file's bytes and returns the findings, sorted by file
/// and line. An archive that cannot be read gives one fatal finding.
pub fn check_epub(bytes: &[u8]) -> Vec<Finding> {
    check_epub_with_contents(bytes, Vec::new())
}

/// Checks an EPUB file's bytes as [`check_epub`] does, given the contents
/// of some of its entries by name, as the zip writer had them. Those
/// entries are not inflated again, which saves the time and memory of
/// reading back a book Quire has just written. The zip writer's own tests
/// show that what it writes reads back as these contents.
pub fn check_epub_with_contents<'a>(bytes: &'a [u8], contents: Entries<'a>) -> Vec<Finding> {
    check_epub_scanned(bytes, contents, Vec::new())
}

/// Checks an EPUB file's bytes as [`check_epub_with_contents`] does, given
/// also the documents that [`scan_entry`](super::scan_entry) scanned as the zip writer
/// compressed them. Such a document is neither inflated nor parsed again
/// when the archive has the bytes it scanned and the package lists it as
/// it was scanned (see [`scan_entry`](super::scan_entry)).
pub fn check_epub_scanned<'a>(
    bytes: &'a [u8],
    contents: Entries<'a>,
    scanned: Vec<(String, Scanned)>,
) -> Vec<Finding> {
    let mut report = Report::default();
    match Archive::read(bytes) {
        Ok(archive) => {
            let mut book = Files::new(&archive);
            book.know(contents);
            book.know_scanned(scanned);
            container::check(&mut book, &mut report);
        }
        Err(error) => report.fatal(
            "PKG-008",
            "",
            None,
            match error {
                zip::ZipError::NotZip => "the file is not a zip archive, or it is cut short; an EPUB is a zip file, so export or download it again".to_string(),
                zip::ZipError::Corrupt(reason) => format!(
                    "the zip archive is damaged ({reason}); export or download the EPUB again"
                ),
            },
        ),
    }
    let mut findings = report.findings;
    findings.sort_by(|a, b| {
        (a.file.as_str(), a.line.unwrap_or(0)).cmp(&(b.file.as_str(), b.line.unwrap_or(0)))
    });
    findings
}

/// The findings of one check, gathered as the stages run.
#[derive(Default, Clone)]
pub(crate) struct Report {
    findings: Vec<Finding>,
}

impl Report {
    /// Adds the findings of another report after this one's.
    pub(crate) fn append(&mut self, mut other: Report) {
        self.findings.append(&mut other.findings);
    }

    pub(crate) fn push(
        &mut self,
        severity: Severity,
        code: &'static str,
        file: &str,
        line: Option<usize>,
        message: impl Into<String>,
    ) {
        self.findings.push(Finding {
            code,
            severity,
            file: file.to_string(),
            line,
            message: message.into(),
        });
    }

    pub(crate) fn fatal(
        &mut self,
        code: &'static str,
        file: &str,
        line: Option<usize>,
        message: impl Into<String>,
    ) {
        self.push(Severity::Fatal, code, file, line, message);
    }

    pub(crate) fn error(
        &mut self,
        code: &'static str,
        file: &str,
        line: Option<usize>,
        message: impl Into<String>,
    ) {
        self.push(Severity::Error, code, file, line, message);
    }

    pub(crate) fn warning(
        &mut self,
        code: &'static str,
        file: &str,
        line: Option<usize>,
        message: impl Into<String>,
    ) {
        self.push(Severity::Warning, code, file, line, message);
    }
}

/// An entry's bytes: inflated from the archive, or given by the caller
/// (borrowed when the caller has them as a file, such as an image).
pub(crate) type EntryBytes<'a> = Rc<Cow<'a, [u8]>>;

/// The archive's entries by name, read on first use within the budget.
pub(crate) struct Files<'a> {
    pub(crate) archive: &'a Archive<'a>,
    /// The first entry of each name; duplicates are reported by
    /// [`container`].
    by_name: HashMap<&'a str, &'a Entry>,
    /// Bytes read so far, by name; `None` when reading failed (already
    /// reported).
    cache: HashMap<String, Option<EntryBytes<'a>>>,
    /// Documents scanned as they were written, by name, whose bytes are
    /// not kept.
    scanned: HashMap<String, Scanned>,
    budget: u64,
}

impl<'a> Files<'a> {
    pub(crate) fn new(archive: &'a Archive<'a>) -> Files<'a> {
        let mut by_name = HashMap::new();
        for entry in &archive.entries {
            by_name.entry(entry.name.as_str()).or_insert(entry);
        }
        Files {
            archive,
            by_name,
            cache: HashMap::new(),
            scanned: HashMap::new(),
            budget: MAX_INFLATED_BYTES,
        }
    }

    /// Takes the contents of entries as known, so that reading them does
    /// not inflate them. Names the archive does not hold are left out.
    fn know(&mut self, contents: Entries<'a>) {
        for (name, bytes) in contents {
            if self.by_name.contains_key(name.as_str()) && !self.cache.contains_key(&name) {
                self.budget = self.budget.saturating_sub(bytes.len() as u64);
                self.cache.insert(name, Some(Rc::new(bytes)));
            }
        }
    }

    /// Takes the scans of documents whose entries contain the bytes that
    /// were scanned. The others are read from the archive when needed.
    fn know_scanned(&mut self, scanned: Vec<(String, Scanned)>) {
        for (name, scan) in scanned {
            let matches = self
                .by_name
                .get(name.as_str())
                .is_some_and(|entry| entry.crc == scan.crc && entry.uncompressed_size == scan.size);
            if matches && !self.cache.contains_key(&name) {
                self.scanned.insert(name, scan);
            }
        }
    }

    /// Takes the scan of document `name` made as it was written, if it was
    /// scanned as having `media_type` and the place in the spine the
    /// package gives it. Without one, the entry is read from the archive.
    pub(crate) fn take_scanned(
        &mut self,
        name: &str,
        media_type: &str,
        in_spine: bool,
    ) -> Option<Scan> {
        let scanned = self.scanned.remove(name)?;
        (scanned.media_type == media_type && scanned.in_spine == in_spine).then_some(scanned.scan)
    }

    /// Frees the cached bytes of `name` and returns them to the budget. A
    /// later read reads the entry again.
    pub(crate) fn release(&mut self, name: &str) {
        if let Some(Some(bytes)) = self.cache.remove(name) {
            self.budget += bytes.len() as u64;
        }
    }

    pub(crate) fn entries(&self) -> &'a [Entry] {
        &self.archive.entries
    }

    pub(crate) fn contains(&self, name: &str) -> bool {
        self.by_name.contains_key(name)
    }

    /// Returns the bytes of `name`, or `None` when it is missing or cannot
    /// be read; a read failure is reported once.
    pub(crate) fn read(&mut self, name: &str, report: &mut Report) -> Option<EntryBytes<'a>> {
        if let Some(cached) = self.cache.get(name) {
            return cached.clone();
        }
        let entry = *self.by_name.get(name)?;
        let result = self.archive.read_entry(entry, self.budget);
        self.store(name, result, report)
    }

    /// Reads every entry, so that damaged data (a wrong CRC-32, say) is
    /// found even in files no document refers to.
    pub(crate) fn read_all(&mut self, report: &mut Report) {
        let mut names: Vec<&'a str> = Vec::new();
        let mut entries: Vec<&'a Entry> = Vec::new();
        let mut seen: HashSet<&str> = HashSet::new();
        for entry in &self.archive.entries {
            let name = entry.name.as_str();
            // A document scanned as it was written is not inflated, because
            // its scan matched the checksum and size in the archive.
            let scanned = self.scanned.contains_key(name);
            if !scanned && !self.cache.contains_key(name) && seen.insert(name) {
                names.push(name);
                entries.push(self.by_name[name]);
            }
        }

        // When the declared sizes of all entries fit the budget, each read
        // fits whatever the order, so the entries can inflate on several
        // threads with the results of reading them one at a time.
        let declared = entries.iter().fold(0u64, |sum, entry| {
            sum.saturating_add(entry.uncompressed_size)
        });
        if declared > self.budget {
            for name in names {
                self.read(name, report);
            }
            return;
        }
        let archive = self.archive;
        let budget = self.budget;
        let results = map_in_order(
            &entries,
            declared >= PARALLEL_MIN_BYTES as u64,
            || (),
            |_, entry| archive.read_entry(entry, budget),
        );
        for (name, result) in names.into_iter().zip(results) {
            self.store(name, result, report);
        }
    }

    /// Caches the result of reading `name`, takes its bytes from the
    /// budget, and reports a failure.
    fn store(
        &mut self,
        name: &str,
        result: Result<Vec<u8>, EntryError>,
        report: &mut Report,
    ) -> Option<EntryBytes<'a>> {
        let stored = match result {
            Ok(bytes) => {
                self.budget -= bytes.len() as u64;
                Some(Rc::new(Cow::Owned(bytes)))
            }
            Err(error) => {
                report_entry_error(name, error, report);
                None
            }
        };
        self.cache.insert(name.to_string(), stored.clone());
        stored
    }
}

fn report_entry_error(name: &str, error: EntryError, report: &mut Report) {
    match error {
        EntryError::TooLarge { limit } => report.fatal(
            "QUIRE-PKG-005",
            name,
            None,
            format!(
                "the file inflates past the checker's limit of {} MB for a whole book, as a zip bomb does; this EPUB cannot be checked",
                limit / (1024 * 1024)
            ),
        ),
        EntryError::Unsupported(reason) => report.error(
            "PKG-008",
            name,
            None,
            format!("the file cannot be read because {reason}; rebuild the EPUB with stored or deflated entries"),
        ),
        EntryError::Corrupt(reason) => report.error(
            "PKG-008",
            name,
            None,
            format!("the file is damaged: {reason}; rebuild the EPUB"),
        ),
        EntryError::CrcMismatch => report.error(
            "QUIRE-PKG-003",
            name,
            None,
            "the file's bytes do not match the CRC-32 in the zip header, so it was damaged after zipping; rebuild the EPUB",
        ),
    }
}

/// The start of each line of a document, for finding the lines of many
/// nodes; roxmltree's own `text_pos_at` scans from the start each time.
pub(crate) struct Lines(Vec<usize>);

impl Lines {
    /// WebAssembly has no vector instructions in Quire's build, and the
    /// standard library's search for a byte, which reads a word at a
    /// time, is quicker there.
    #[cfg(target_arch = "wasm32")]
    pub(crate) fn new(text: &str) -> Lines {
        Lines(text.match_indices('\n').map(|(at, _)| at).collect())
    }

    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn new(text: &str) -> Lines {
        // Each block of 32 bytes becomes a mask of its line feeds, built
        // without branches so that it compiles to vector instructions, and
        // only the set bits are visited.
        const BLOCK: usize = 32;
        let bytes = text.as_bytes();
        let mut starts = Vec::with_capacity(bytes.len() / 64);
        let (blocks, rest) = bytes.as_chunks::<BLOCK>();
        for (number, block) in blocks.iter().enumerate() {
            let mut mask = block.iter().enumerate().fold(0u32, |mask, (at, &byte)| {
                mask | (u32::from(byte == b'\n') << at)
            });
            while mask != 0 {
                starts.push(number * BLOCK + mask.trailing_zeros() as usize);
                mask &= mask - 1;
            }
        }
        let rest_start = bytes.len() - rest.len();
        starts.extend(
            rest.iter()
                .enumerate()
                .filter(|(_, byte)| **byte == b'\n')
                .map(|(at, _)| rest_start + at),
        );
        Lines(starts)
    }

    /// Returns the 1-based line of a byte offset.
    pub(crate) fn line(&self, offset: usize) -> Option<usize> {
        Some(self.0.partition_point(|&newline| newline < offset) + 1)
    }
}

/// Returns the 1-based line of a byte offset in an XML document.
pub(crate) fn line_of(document: &roxmltree::Document, offset: usize) -> Option<usize> {
    Some(document.text_pos_at(offset).row as usize)
}

/// Parses an XML document the way EPUB requires: a DOCTYPE is allowed,
/// external entities are not resolved.
pub(crate) fn parse_xml<'t>(
    text: &'t str,
    file: &str,
    report: &mut Report,
) -> Option<roxmltree::Document<'t>> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        nodes_limit: u32::MAX,
        ..roxmltree::ParsingOptions::default()
    };
    match roxmltree::Document::parse_with_options(text, options) {
        Ok(document) => Some(document),
        Err(error) => {
            let line = error.pos().row as usize;
            report.error(
                "RSC-016",
                file,
                Some(line),
                format!("the file is not well-formed XML ({error}); fix the markup, since reading systems reject the whole document"),
            );
            None
        }
    }
}

/// Decodes bytes as the UTF-8 an EPUB's XML documents must be.
pub(crate) fn as_utf8<'b>(bytes: &'b [u8], file: &str, report: &mut Report) -> Option<&'b str> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Some(text),
        Err(error) => {
            report.error(
                "RSC-016",
                file,
                None,
                format!(
                    "the file is not valid UTF-8 (invalid byte at offset {}); save it as UTF-8",
                    error.valid_up_to()
                ),
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Lines, check_epub, check_epub_with_contents};
    use crate::book::{Book, InputFile};
    use crate::check::zip::Archive;
    use crate::epub::Entries;

    /// Makes a book with Quire and returns it with the contents of each
    /// entry.
    fn book_and_contents() -> (Vec<u8>, Entries<'static>) {
        let book = Book {
            files: vec![InputFile {
                path: "one.md".to_string(),
                bytes: b"# One\n\nText with [a link](#one).\n".to_vec(),
                modified: None,
            }],
            chapters: None,
        };
        let epub = crate::convert(&book, &crate::Options::default())
            .unwrap()
            .epub;
        let archive = Archive::read(&epub).unwrap();
        let contents = archive
            .entries
            .iter()
            .map(|entry| {
                (
                    entry.name.clone(),
                    archive.read_entry(entry, u64::MAX).unwrap().into(),
                )
            })
            .collect();
        (epub, contents)
    }

    #[test]
    fn given_contents_agree_with_inflating() {
        let (epub, contents) = book_and_contents();
        let full: Vec<String> = check_epub(&epub).iter().map(ToString::to_string).collect();
        let given: Vec<String> = check_epub_with_contents(&epub, contents)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(full, given);
        assert!(full.is_empty(), "{full:?}");
    }

    #[test]
    fn given_contents_are_read_instead_of_the_archive() {
        // A chapter given with a duplicate id the archive's copy does not
        // have: the finding shows the given bytes were checked.
        let (epub, mut contents) = book_and_contents();
        let (name, bytes) = contents
            .iter_mut()
            .find(|(name, _)| name.ends_with("one.xhtml"))
            .expect("the chapter");
        let text = String::from_utf8(bytes.to_vec()).unwrap();
        *bytes = text
            .replacen("<p>", "<p id=\"twice\">", 1)
            .replacen("</p>", "</p><p id=\"twice\">again</p>", 1)
            .into_bytes()
            .into();
        let name = name.clone();
        let findings = check_epub_with_contents(&epub, contents);
        assert!(
            findings
                .iter()
                .any(|finding| finding.file == name && finding.message.contains("twice")),
            "{findings:?}"
        );
    }

    #[test]
    fn lines_found_across_blocks() {
        // Line feeds at block edges and in a short last block.
        let text: String = (0..100)
            .map(|at| if at % 31 == 0 || at == 64 { '\n' } else { 'x' })
            .collect();
        let lines = Lines::new(&text);
        for offset in 0..text.len() {
            let expected = text[..offset].matches('\n').count() + 1;
            assert_eq!(lines.line(offset), Some(expected), "offset {offset}");
        }
        assert_eq!(Lines::new("").line(0), Some(1));
    }
}
