//! Golden-file tests: whole books converted and compared, document by
//! document, with the files under `tests/golden/`.
//!
//! After an intended change of output, regenerate the golden files with
//!
//! ```text
//! UPDATE_GOLDEN=1 cargo test --test golden
//! ```
//!
//! and review the diff before committing it.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use quire::styles::Style;
use quire::{Book, InputFile, Options, convert};

#[path = "common/safety.rs"]
mod safety;

/// A fixed `dcterms:modified`, so golden files do not depend on file times.
const FIXED_EPOCH: i64 = 1_700_000_000;

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Reads every file under `dir` into a book, with paths relative to it.
fn read_book(dir: &Path) -> Book {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in std::fs::read_dir(&current).expect("readable test folder") {
            let path = entry.expect("readable entry").path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let relative = path
                    .strip_prefix(dir)
                    .expect("under dir")
                    .to_string_lossy()
                    .replace('\\', "/");
                files.push(InputFile {
                    path: relative,
                    bytes: std::fs::read(&path).expect("readable test file"),
                    modified: None,
                });
            }
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Book {
        files,
        chapters: None,
    }
}

/// Unzips an EPUB into its entries, in archive order.
fn unzip(epub: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(epub)).expect("a readable zip");
    let mut entries = Vec::new();
    for index in 0..archive.len() {
        let mut file = archive.by_index(index).expect("a readable entry");
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).expect("entry bytes");
        entries.push((file.name().expect("a UTF-8 entry name").to_string(), bytes));
    }
    entries
}

fn is_text_entry(name: &str) -> bool {
    [".opf", ".xhtml", ".ncx", ".xml", ".css", ".svg"]
        .iter()
        .any(|extension| name.ends_with(extension))
}

/// Compares the book's text entries and warnings with the golden folder,
/// or rewrites the folder when `UPDATE_GOLDEN` is set.
fn check_golden(name: &str, book: &Book, options: &Options) {
    let output = convert(book, options).expect("the book converts");
    let mut actual: BTreeMap<String, String> = unzip(&output.epub)
        .into_iter()
        .filter(|(entry, _)| is_text_entry(entry))
        .map(|(entry, bytes)| {
            (
                entry,
                String::from_utf8(bytes).expect("text entries are UTF-8"),
            )
        })
        .collect();
    let warnings: Vec<String> = output.warnings.iter().map(ToString::to_string).collect();
    actual.insert("warnings.txt".to_string(), warnings.join("\n") + "\n");

    let golden_dir = manifest_dir().join("tests/golden").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        let _ = std::fs::remove_dir_all(&golden_dir);
        for (entry, text) in &actual {
            let path = golden_dir.join(entry);
            std::fs::create_dir_all(path.parent().expect("has a parent"))
                .expect("creatable golden folder");
            std::fs::write(&path, text).expect("writable golden file");
        }
        return;
    }

    let mut expected_names = Vec::new();
    let mut pending = vec![golden_dir.clone()];
    while let Some(current) = pending.pop() {
        let entries = std::fs::read_dir(&current).unwrap_or_else(|error| {
            panic!(
                "missing golden folder {}: {error}; run UPDATE_GOLDEN=1 cargo test --test golden",
                current.display()
            )
        });
        for entry in entries {
            let path = entry.expect("readable entry").path();
            if path.is_dir() {
                pending.push(path);
            } else {
                expected_names.push(
                    path.strip_prefix(&golden_dir)
                        .expect("under golden")
                        .to_string_lossy()
                        .replace('\\', "/"),
                );
            }
        }
    }
    expected_names.sort();
    let actual_names: Vec<String> = actual.keys().cloned().collect();
    assert_eq!(
        actual_names, expected_names,
        "{name}: the set of documents changed"
    );

    for (entry, text) in &actual {
        let expected =
            std::fs::read_to_string(golden_dir.join(entry)).expect("readable golden file");
        assert!(
            *text == expected,
            "{name}/{entry} differs from its golden file; if the change is intended, run UPDATE_GOLDEN=1 cargo test --test golden\n--- expected ---\n{expected}\n--- actual ---\n{text}"
        );
    }
}

fn fixed_options() -> Options {
    Options {
        source_date_epoch: Some(FIXED_EPOCH),
        ..Options::default()
    }
}

#[test]
fn sample_book_matches_golden() {
    let book = read_book(&manifest_dir().join("tests/books/sample"));
    check_golden("sample", &book, &fixed_options());
}

#[test]
fn split_notes_match_golden() {
    let book = read_book(&manifest_dir().join("tests/books/notes"));
    check_golden("notes", &book, &fixed_options());
}

#[test]
fn mdbook_fixture_matches_golden() {
    let book = read_book(&manifest_dir().join("tests/books/mdbook"));
    check_golden("mdbook", &book, &fixed_options());
}

#[test]
fn hostile_html_matches_golden() {
    let book = read_book(&manifest_dir().join("tests/books/hostile"));
    check_golden("hostile", &book, &fixed_options());
}

#[test]
fn arabic_book_matches_golden() {
    let book = read_book(&manifest_dir().join("tests/books/arabic"));
    let options = Options {
        auto_cover: true,
        ..fixed_options()
    };
    check_golden("arabic", &book, &options);
}

#[test]
fn japanese_vertical_matches_golden() {
    let book = read_book(&manifest_dir().join("tests/books/japanese-vertical"));
    let options = Options {
        vertical: true,
        style: Style::Classic,
        auto_cover: true,
        ..fixed_options()
    };
    check_golden("japanese-vertical", &book, &options);
}

#[test]
fn typographic_cover_matches_golden() {
    let book = read_book(&manifest_dir().join("tests/books/cover-auto"));
    let options = Options {
        auto_cover: true,
        style: Style::Classic,
        ..fixed_options()
    };
    check_golden("cover-auto", &book, &options);
}

#[test]
fn technical_book_matches_golden() {
    // MathML, TeX kept as code, and highlighted code in many languages.
    let book = read_book(&manifest_dir().join("tests/books/technical"));
    check_golden("technical", &book, &fixed_options());
}

#[test]
fn hostile_html_leaves_no_script() {
    let book = read_book(&manifest_dir().join("tests/books/hostile"));
    let output = convert(&book, &fixed_options()).expect("the book converts");
    let mut found = Vec::new();
    for (entry, bytes) in unzip(&output.epub)
        .iter()
        .filter(|(entry, _)| entry.ends_with(".xhtml"))
    {
        found.extend(safety::problems(
            entry,
            std::str::from_utf8(bytes).expect("UTF-8"),
        ));
    }
    assert!(
        found.is_empty(),
        "{} unsafe constructs:\n{}",
        found.len(),
        found.join("\n")
    );
}

#[test]
fn every_document_is_xml() {
    let all_options = Options {
        auto_cover: true,
        vertical: true,
        ..fixed_options()
    };
    for name in [
        "sample",
        "notes",
        "hostile",
        "mdbook",
        "arabic",
        "japanese-vertical",
        "cover-auto",
        "technical",
    ] {
        let book = read_book(&manifest_dir().join("tests/books").join(name));
        let options = match name {
            "arabic" | "japanese-vertical" | "cover-auto" => &all_options,
            _ => &fixed_options(),
        };
        let output = convert(&book, options).expect("the book converts");
        for (entry, bytes) in unzip(&output.epub)
            .iter()
            // SVG images are the book's own files, copied as they are. The
            // cover module's tests parse the typographic cover.
            .filter(|(entry, _)| {
                is_text_entry(entry) && !entry.ends_with(".css") && !entry.ends_with(".svg")
            })
        {
            let text = std::str::from_utf8(bytes).expect("UTF-8");
            assert!(
                text.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>"),
                "{name}/{entry} lacks the XML declaration at byte 0"
            );
            let options = roxmltree::ParsingOptions {
                allow_dtd: true,
                ..roxmltree::ParsingOptions::default()
            };
            if let Err(error) = roxmltree::Document::parse_with_options(text, options) {
                panic!("{name}/{entry} is not well-formed XML: {error}");
            }
        }
    }
}

#[test]
fn same_input_same_bytes() {
    let book = read_book(&manifest_dir().join("tests/books/sample"));
    let first = convert(&book, &fixed_options()).expect("converts");
    let second = convert(&book, &fixed_options()).expect("converts");
    assert_eq!(first.epub, second.epub);
}

#[test]
fn mimetype_first_and_stored() {
    let book = read_book(&manifest_dir().join("tests/books/sample"));
    let output = convert(&book, &fixed_options()).expect("converts");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&output.epub)).expect("zip");
    let first = archive.by_index(0).expect("an entry");
    assert_eq!(first.name().expect("a UTF-8 entry name"), "mimetype");
    assert_eq!(first.compression(), zip::CompressionMethod::Stored);
    assert!(
        first.extra_data().is_none_or(|extra| extra.is_empty()),
        "mimetype has no extra field"
    );
    drop(first);
    assert!(archive.comment().is_empty());
    assert_eq!(&output.epub[30..38], b"mimetype");
    assert_eq!(&output.epub[38..58], b"application/epub+zip");
}
