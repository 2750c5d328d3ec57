//! The checker on a book Quire makes, and on that book with one fault.

use super::zip::Archive;
use super::*;
use crate::{Book, InputFile, Options, convert};

/// Converts a two-chapter book with a link between chapters, a fragment
/// link, an image and the default NCX and nav.
fn quire_book() -> Vec<(String, Vec<u8>)> {
    let png = include_bytes!("../../tests/books/sample/images/cover.png").to_vec();
    let book = Book {
        files: vec![
            InputFile {
                path: "one.md".into(),
                bytes: b"# One\n\nSee [two](two.md#later) and ![a diagram](cover.png).\n".to_vec(),
                modified: None,
            },
            InputFile {
                path: "two.md".into(),
                bytes: b"# Two\n\n## Later\n\nText.\n".to_vec(),
                modified: None,
            },
            InputFile {
                path: "cover.png".into(),
                bytes: png,
                modified: None,
            },
        ],
        chapters: Some(vec!["one.md".into(), "two.md".into()]),
    };
    let output = convert(&book, &Options::default()).expect("the book converts");
    let archive = Archive::read(&output.epub).expect("readable");
    archive
        .entries
        .iter()
        .skip(1)
        .map(|entry| {
            let bytes = archive.read_entry(entry, 1 << 30).expect("entry reads");
            (entry.name.clone(), bytes)
        })
        .collect()
}

fn zip(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    crate::epub::write_zip(entries).expect("zip written")
}

/// Applies `edit` to the text of the first entry whose name ends with
/// `suffix`.
fn edit_entry(
    entries: &mut [(String, Vec<u8>)],
    suffix: &str,
    edit: impl FnOnce(String) -> String,
) {
    let entry = entries
        .iter_mut()
        .find(|(name, _)| name.ends_with(suffix))
        .unwrap_or_else(|| panic!("no entry ends with {suffix}"));
    let text = String::from_utf8(std::mem::take(&mut entry.1)).expect("UTF-8");
    entry.1 = edit(text).into_bytes();
}

fn codes(findings: &[Finding]) -> Vec<&'static str> {
    findings.iter().map(|finding| finding.code).collect()
}

#[test]
fn quire_book_has_no_findings() {
    let findings = check_epub(&zip(&quire_book()));
    assert!(findings.is_empty(), "{findings:#?}");
}

#[test]
fn entry_names_are_known() {
    let names: Vec<String> = quire_book().into_iter().map(|(name, _)| name).collect();
    assert!(names.iter().any(|name| name.ends_with(".opf")), "{names:?}");
    assert!(names.iter().any(|name| name.ends_with(".ncx")), "{names:?}");
}

#[test]
fn not_a_zip_is_fatal() {
    let findings = check_epub(b"just some text");
    assert_eq!(codes(&findings), ["PKG-008"]);
    assert_eq!(findings[0].severity, Severity::Fatal);
    assert!(has_errors(&findings));
}

#[test]
fn missing_chapter_file_is_rsc_001() {
    let mut entries = quire_book();
    entries.retain(|(name, _)| !name.ends_with("two.xhtml"));
    let findings = check_epub(&zip(&entries));
    assert!(codes(&findings).contains(&"RSC-001"), "{findings:#?}");
    assert!(codes(&findings).contains(&"RSC-007"), "{findings:#?}");
    // The NCX still has its entry; only the file is missing.
    assert!(!codes(&findings).contains(&"OPF-059"), "{findings:#?}");
}

#[test]
fn broken_fragment_is_rsc_012() {
    let mut entries = quire_book();
    edit_entry(&mut entries, "one.xhtml", |text| {
        text.replace("#later", "#nowhere")
    });
    let text = &entries
        .iter()
        .find(|(name, _)| name.ends_with("one.xhtml"))
        .expect("chapter one")
        .1;
    let line = String::from_utf8_lossy(text)
        .lines()
        .position(|line| line.contains("#nowhere"))
        .expect("the edited link")
        + 1;
    let findings = check_epub(&zip(&entries));
    assert_eq!(codes(&findings), ["RSC-012"], "{findings:#?}");
    assert_eq!(findings[0].line, Some(line));
}

#[test]
fn bad_language_is_opf_092() {
    let mut entries = quire_book();
    edit_entry(&mut entries, ".opf", |text| {
        text.replace(
            "<dc:language>en</dc:language>",
            "<dc:language>english!</dc:language>",
        )
    });
    let findings = check_epub(&zip(&entries));
    assert_eq!(codes(&findings), ["OPF-092"], "{findings:#?}");
}

#[test]
fn inline_math_needs_mathml_property() {
    let mut entries = quire_book();
    edit_entry(&mut entries, "two.xhtml", |text| {
        text.replace(
            "<p>Text.</p>",
            "<p><math xmlns=\"http://www.w3.org/1998/Math/MathML\"><mi>x</mi></math></p>",
        )
    });
    let findings = check_epub(&zip(&entries));
    assert_eq!(codes(&findings), ["OPF-014"], "{findings:#?}");
}

#[test]
fn finding_displays_location_and_code() {
    let finding = Finding {
        code: "RSC-007",
        severity: Severity::Error,
        file: "EPUB/a.xhtml".into(),
        line: Some(4),
        message: "missing".into(),
    };
    assert_eq!(
        finding.to_string(),
        "EPUB/a.xhtml:4: error RSC-007: missing"
    );
}
