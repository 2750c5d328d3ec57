//! Inputs the fuzzers found that once broke the safety property, kept as
//! named tests. Each file in `tests/fuzz-regressions/` is converted both as
//! a book and as a fragment; the fragment must pass the shared safety
//! check, and the book must convert or fail without a panic.

use quire::{Book, InputFile, Options, convert, render_fragment};

#[path = "common/safety.rs"]
mod safety;

fn check(name: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let body = render_fragment(&text, true);
    let fragment = format!(
        "<div xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\">{body}</div>"
    );
    let problems = safety::problems(name, &fragment);
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    let book = Book {
        files: vec![InputFile {
            path: "chapter.md".to_string(),
            bytes: bytes.to_vec(),
            modified: Some(0),
        }],
        chapters: None,
    };
    // An error is an acceptable result, but a panic is not.
    let _ = convert(&book, &Options::default());
}

#[test]
fn render_fragment_control_character() {
    check(
        "render-fragment-control-character.md",
        include_bytes!("fuzz-regressions/render-fragment-control-character.md"),
    );
}

#[test]
fn script_scheme_in_style() {
    check(
        "render-fragment-script-scheme-in-style.md",
        include_bytes!("fuzz-regressions/render-fragment-script-scheme-in-style.md"),
    );
}

/// The fuzzer's input arrived as a metadata file, whose values reached the
/// title page with a control character in them.
#[test]
fn control_character_in_metadata_file() {
    let bytes: &[u8] =
        include_bytes!("fuzz-regressions/convert-control-character-in-metadata-file.md");
    let book = Book {
        files: vec![
            InputFile {
                path: "chapter.md".to_string(),
                bytes: b"# Chapter\n".to_vec(),
                modified: Some(0),
            },
            InputFile {
                path: "meta.yaml".to_string(),
                bytes: bytes.to_vec(),
                modified: Some(0),
            },
        ],
        chapters: None,
    };
    let options = Options {
        metadata_file: Some("meta.yaml".to_string()),
        ..Options::default()
    };
    let output = convert(&book, &options).expect("converts");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(output.epub)).expect("zip");
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).expect("entry");
        let name = entry.name().expect("name").to_string();
        if name.ends_with(".xhtml") || name.ends_with(".opf") || name.ends_with(".ncx") {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut entry, &mut text).expect("UTF-8");
            let options = roxmltree::ParsingOptions {
                allow_dtd: true,
                ..roxmltree::ParsingOptions::default()
            };
            if let Err(error) = roxmltree::Document::parse_with_options(&text, options) {
                panic!("{name} is not well-formed XML: {error}");
            }
        }
    }
}

/// A script scheme in alt text is text, not a URL: the fuzzer's checker
/// once took it for one. The alt text is kept, and no URL carries it.
#[test]
fn script_scheme_in_alt_text() {
    check(
        "render-fragment-script-scheme-in-alt.md",
        include_bytes!("fuzz-regressions/render-fragment-script-scheme-in-alt.md"),
    );
}
