//! Files a book does not contain, read from a source only when the conversion
//! uses them, as the command line reads a folder.

use std::sync::Mutex;

use quire::{Book, InputFile, Options, convert_owned, convert_with_deferred};

/// The files of a folder on a pretend disk: path, contents and time.
const FOLDER: &[(&str, &[u8], i64)] = &[
    (
        "src/logo.svg",
        b"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"4\" height=\"4\"/>",
        1_700_000_100,
    ),
    ("src/code/main.rs", b"fn main() {}\n", 1_700_000_200),
    ("src/code/unused.rs", b"fn unused() {}\n", 1_700_000_300),
    ("src/notes.pdf", b"%PDF-1.7\n", 1_700_000_050),
];

/// Reads from `FOLDER`, noting each path it is asked for in `reads`.
fn folder_reader(
    reads: &Mutex<Vec<String>>,
) -> impl Fn(&str) -> Option<(Vec<u8>, Option<i64>)> + Sync + '_ {
    move |path: &str| {
        reads.lock().expect("not poisoned").push(path.to_string());
        FOLDER
            .iter()
            .find(|(name, _, _)| *name == path)
            .map(|(_, bytes, time)| (bytes.to_vec(), Some(*time)))
    }
}

fn options() -> Options {
    Options {
        metadata: quire::Metadata {
            lang: Some("en".to_string()),
            ..Default::default()
        },
        ..Default::default()
    }
}

/// Returns a book of one chapter that uses an image and an include, with
/// unused files beside them in the folder.
fn intro_book() -> Book {
    let text = b"# Intro\n\n![Logo](logo.svg)\n\n```\n{{#include code/main.rs}}\n```\n";
    one_chapter("src/intro.md", text, Some(1_700_000_000))
}

/// Returns a book of the one chapter file at `path`.
fn one_chapter(path: &str, text: &[u8], modified: Option<i64>) -> Book {
    Book {
        files: vec![InputFile {
            path: path.to_string(),
            bytes: text.to_vec(),
            modified,
        }],
        chapters: None,
    }
}

/// Converts `intro_book`. Returns the output and the sorted paths read.
fn convert_logging_reads() -> (quire::Output, Vec<String>) {
    let reads = Mutex::new(Vec::new());
    let output = {
        let read_file = folder_reader(&reads);
        convert_with_deferred(&intro_book(), Some(&read_file), &options()).expect("converts")
    };
    let mut reads = reads.into_inner().expect("not poisoned");
    reads.sort();
    reads.dedup();
    (output, reads)
}

fn package_document(epub: &[u8]) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(epub)).expect("a zip");
    let mut entry = archive
        .by_name("EPUB/package.opf")
        .expect("package document");
    let mut text = String::new();
    std::io::Read::read_to_string(&mut entry, &mut text).expect("UTF-8");
    text
}

#[test]
fn only_used_files_are_read() {
    let (_, reads) = convert_logging_reads();
    // `book.toml` and the places mdBook keeps a `SUMMARY.md` are looked for
    // too; nothing else the chapter does not name.
    let unasked: Vec<&String> = reads
        .iter()
        .filter(|path| !path.ends_with("SUMMARY.md") && *path != "book.toml")
        .collect();
    assert_eq!(unasked, ["src/code/main.rs", "src/logo.svg"]);
}

#[test]
fn each_used_file_read_once() {
    let text = b"# Intro\n\n```\n{{#include code/main.rs}}\n```\n\n```\n{{#include code/main.rs:1}}\n```\n\n![Logo](logo.svg)\n\n![Again](./logo.svg)\n";
    let book = one_chapter("src/intro.md", text, None);
    let reads = Mutex::new(Vec::new());
    {
        let read_file = folder_reader(&reads);
        convert_owned(book, Some(&read_file), &options()).expect("converts");
    }
    let mut reads = reads.into_inner().expect("not poisoned");
    reads.retain(|path| path.starts_with("src/"));
    reads.sort();
    assert_eq!(
        reads,
        ["src/SUMMARY.md", "src/code/main.rs", "src/logo.svg"]
    );
}

#[test]
fn files_read_reach_the_book() {
    let (output, _) = convert_logging_reads();
    assert!(output.warnings.is_empty(), "{:?}", output.warnings);
    assert!(output.chapters[0].body.contains("fn main() {}"));
    assert_eq!(output.images.len(), 1);
    assert_eq!(output.images[0].1, "src/logo.svg");
}

#[test]
fn modified_time_is_the_newest_file_used() {
    let (output, _) = convert_logging_reads();
    // `src/code/main.rs` (1_700_000_200) is the newest file used; the
    // newer `src/code/unused.rs` is in the folder but not in the book.
    let opf = package_document(&output.epub);
    assert!(
        opf.contains("<meta property=\"dcterms:modified\">2023-11-14T22:16:40Z</meta>"),
        "{opf}"
    );
}

#[test]
fn unreadable_file_is_missing() {
    let book = one_chapter("a.md", b"# A\n\n![Gone](gone.png)\n", None);
    let read_file = |_: &str| -> Option<(Vec<u8>, Option<i64>)> { None };
    let output =
        convert_with_deferred(&book, Some(&read_file), &Options::default()).expect("converts");
    assert!(
        output
            .warnings
            .iter()
            .any(|warning| warning.message.contains("gone.png")),
        "{:?}",
        output.warnings
    );
}

#[test]
fn link_to_non_chapter_file_told_apart() {
    let text = b"# A\n\nSee [the notes](notes.pdf) and [the old notes](old.pdf).\n";
    let book = one_chapter("src/a.md", text, None);
    let reads = Mutex::new(Vec::new());
    let read_file = folder_reader(&reads);
    let output = convert_with_deferred(&book, Some(&read_file), &options()).expect("converts");
    let messages: Vec<&str> = output
        .warnings
        .iter()
        .map(|warning| warning.message.as_str())
        .collect();
    assert!(
        messages
            .iter()
            .any(|message| message.contains("points at src/notes.pdf, which is not a chapter")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|message| message.contains("\"old.pdf\" is not a file in the book")),
        "{messages:?}"
    );
}

/// Reads an mdBook folder of which the book contains nothing: the
/// `SUMMARY.md`, the chapters and their image all come from here.
fn summary_reader(path: &str) -> Option<(Vec<u8>, Option<i64>)> {
    let bytes: &[u8] = match path {
        "src/SUMMARY.md" => b"# Summary\n\n- [Two](two.md)\n- [One](one.md)\n",
        "src/one.md" => b"# One\n\nBack to [two](two.md).\n",
        "src/two.md" => b"# Two\n\n![Logo](logo.svg)\n",
        "src/logo.svg" => FOLDER[0].1,
        _ => return None,
    };
    Some((bytes.to_vec(), Some(1_700_000_000)))
}

#[test]
fn summary_chapters_read_from_source() {
    let output = convert_with_deferred(&Book::default(), Some(&summary_reader), &options())
        .expect("converts");
    assert!(output.warnings.is_empty(), "{:?}", output.warnings);
    assert!(output.findings.is_empty(), "{:?}", output.findings);
    let titles: Vec<&str> = output
        .chapters
        .iter()
        .map(|chapter| chapter.title.as_str())
        .collect();
    assert_eq!(titles, ["Two", "One"]);
    assert_eq!(output.images.len(), 1);
}

#[test]
fn owned_conversion_from_source_same() {
    let borrowed = convert_with_deferred(&Book::default(), Some(&summary_reader), &options())
        .expect("converts");
    let owned =
        convert_owned(Book::default(), Some(&summary_reader), &options()).expect("converts");
    assert_eq!(borrowed.epub, owned.epub);
    assert_eq!(borrowed.warnings, owned.warnings);
}

#[test]
fn no_summary_only_own_markdown() {
    // The source could read `src/other.md`, but nothing names it.
    let read_file = |path: &str| -> Option<(Vec<u8>, Option<i64>)> {
        (path == "src/other.md").then(|| (b"# Other\n".to_vec(), None))
    };
    let output =
        convert_with_deferred(&intro_book(), Some(&read_file), &options()).expect("converts");
    assert_eq!(output.chapters.len(), 1);
    assert_eq!(output.chapters[0].title, "Intro");
}

#[test]
fn unreadable_chapter_fails_first() {
    // The second chapter is missing and the cover image too: reading the
    // chapters comes first, whichever way they are read.
    let read_file = |path: &str| -> Option<(Vec<u8>, Option<i64>)> {
        let bytes: &[u8] = match path {
            "SUMMARY.md" => b"- [One](one.md)\n- [Two](two.md)\n",
            "one.md" => b"---\ncover-image: gone.png\n---\n\n# One\n",
            _ => return None,
        };
        Some((bytes.to_vec(), None))
    };
    let borrowed = convert_with_deferred(&Book::default(), Some(&read_file), &options());
    let owned = convert_owned(Book::default(), Some(&read_file), &options());
    let expected = quire::Error::ChapterNotFound {
        path: "two.md".to_string(),
        listed_in: Some("SUMMARY.md".to_string()),
    };
    assert_eq!(borrowed.err(), Some(expected.clone()));
    assert_eq!(owned.err(), Some(expected));
}
