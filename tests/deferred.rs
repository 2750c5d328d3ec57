//! Files listed with a book but read only when a chapter uses them, as the
//! command line lists a folder.

use std::cell::RefCell;

use quire::{Book, DeferredFile, InputFile, Options, convert_with_deferred};

fn listed(path: &str, modified: i64) -> DeferredFile {
    DeferredFile {
        path: path.to_string(),
        modified: Some(modified),
    }
}

/// Converts a book whose chapter uses an image and an include, with an
/// unused file beside them and every non-Markdown file deferred. Returns
/// the output and the sorted paths that were read.
fn convert_logging_reads() -> (quire::Output, Vec<String>) {
    let book = Book {
        files: vec![InputFile {
            path: "src/intro.md".to_string(),
            bytes: b"# Intro\n\n![Logo](logo.svg)\n\n```\n{{#include code/main.rs}}\n```\n"
                .to_vec(),
            modified: Some(1_700_000_000),
        }],
        chapters: None,
    };
    let deferred = vec![
        listed("src/logo.svg", 1_700_000_100),
        listed("src/code/main.rs", 1_700_000_200),
        listed("src/code/unused.rs", 1_700_000_300),
    ];
    let reads = RefCell::new(Vec::new());
    let read_file = |path: &str| -> Option<Vec<u8>> {
        reads.borrow_mut().push(path.to_string());
        match path {
            "src/logo.svg" => Some(
                b"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"4\" height=\"4\"/>".to_vec(),
            ),
            "src/code/main.rs" => Some(b"fn main() {}\n".to_vec()),
            "src/code/unused.rs" => Some(b"fn unused() {}\n".to_vec()),
            _ => None,
        }
    };
    let options = Options {
        metadata: quire::Metadata {
            lang: Some("en".to_string()),
            ..Default::default()
        },
        ..Default::default()
    };
    let output =
        convert_with_deferred(&book, &deferred, Some(&read_file), &options).expect("converts");
    let mut reads = reads.into_inner();
    reads.sort();
    (output, reads)
}

#[test]
fn only_used_files_are_read() {
    let (_, reads) = convert_logging_reads();
    assert_eq!(reads, ["src/code/main.rs", "src/logo.svg"]);
}

#[test]
fn deferred_files_reach_the_book() {
    let (output, _) = convert_logging_reads();
    assert!(output.warnings.is_empty(), "{:?}", output.warnings);
    assert!(output.chapters[0].body.contains("fn main() {}"));
    assert_eq!(output.images.len(), 1);
    assert_eq!(output.images[0].1, "src/logo.svg");
}

#[test]
fn unreadable_deferred_file_is_missing() {
    let book = Book {
        files: vec![InputFile {
            path: "a.md".to_string(),
            bytes: b"# A\n\n![Gone](gone.png)\n".to_vec(),
            modified: None,
        }],
        chapters: None,
    };
    let deferred = vec![listed("gone.png", 0)];
    let read_file = |_: &str| -> Option<Vec<u8>> { None };
    let output = convert_with_deferred(&book, &deferred, Some(&read_file), &Options::default())
        .expect("converts");
    assert!(
        output
            .warnings
            .iter()
            .any(|warning| warning.message.contains("gone.png")),
        "{:?}",
        output.warnings
    );
}
