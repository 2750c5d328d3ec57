//! Inputs the fuzzers found that once broke the safety property, kept as
//! named tests. Each file in `tests/fuzz-regressions/` is converted both as
//! a book and as a fragment; every content document must be well-formed.

use quire::{Book, InputFile, Options, convert, render_fragment};

fn check(name: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let body = render_fragment(&text, true);
    let fragment = format!(
        "<div xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\">{body}</div>"
    );
    let document = match roxmltree::Document::parse(&fragment) {
        Ok(document) => document,
        Err(error) => panic!("{name}: the fragment is not well-formed XML: {error}"),
    };
    for node in document.descendants().filter(roxmltree::Node::is_element) {
        for attribute in node.attributes() {
            let value = attribute.value().trim().to_ascii_lowercase();
            assert!(
                !attribute.name().starts_with("on"),
                "{name}: {} attribute",
                attribute.name()
            );
            assert!(
                !value.starts_with("javascript:"),
                "{name}: javascript: in {}",
                attribute.name()
            );
        }
    }

    let book = Book {
        files: vec![InputFile {
            path: "chapter.md".to_string(),
            bytes: bytes.to_vec(),
            modified: Some(0),
        }],
        chapters: None,
    };
    // An error is an acceptable answer; a panic is not.
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
