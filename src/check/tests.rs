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

/// Writes the entries with the `zip` crate, adding an extended timestamp
/// extra field to each entry after `mimetype` when `extra_field` is set.
fn zip_with_extra_fields(entries: &[(String, Vec<u8>)], extra_field: bool) -> Vec<u8> {
    use ::zip::write::{FullFileOptions, SimpleFileOptions};
    use std::io::Write;

    let mut writer = ::zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored = SimpleFileOptions::default().compression_method(::zip::CompressionMethod::Stored);
    writer.start_file("mimetype", stored).expect("entry");
    writer.write_all(b"application/epub+zip").expect("written");
    for (name, bytes) in entries {
        let mut options =
            FullFileOptions::default().compression_method(::zip::CompressionMethod::Deflated);
        if extra_field {
            options
                .add_extra_field(0x5455, [1, 0, 0, 0, 0], false)
                .expect("extra field");
        }
        writer.start_file(name.as_str(), options).expect("entry");
        writer.write_all(bytes).expect("written");
    }
    writer.finish().expect("zip finished").into_inner()
}

#[test]
fn extra_fields_are_quire_pkg_007() {
    let entries = quire_book();
    let plain = check_epub(&zip_with_extra_fields(&entries, false));
    assert!(plain.is_empty(), "{plain:#?}");
    let findings = check_epub(&zip_with_extra_fields(&entries, true));
    assert_eq!(codes(&findings), ["QUIRE-PKG-007"], "{findings:#?}");
    assert_eq!(findings[0].severity, Severity::Warning);
}

#[test]
fn archive_comment_is_quire_pkg_006() {
    let mut epub = zip(&quire_book());
    let comment = b"made by a zip tool";
    let length_at = epub.len() - 2;
    epub[length_at..].copy_from_slice(&(comment.len() as u16).to_le_bytes());
    epub.extend_from_slice(comment);
    let findings = check_epub(&epub);
    assert_eq!(codes(&findings), ["QUIRE-PKG-006"], "{findings:#?}");
    assert!(findings[0].message.contains("18 bytes"), "{findings:#?}");
}

#[test]
fn missing_xml_declaration_is_quire_htm_001() {
    let mut entries = quire_book();
    edit_entry(&mut entries, "two.xhtml", |text| {
        let (_, rest) = text.split_once('\n').expect("a declaration line");
        rest.to_string()
    });
    let findings = check_epub(&zip(&entries));
    assert_eq!(codes(&findings), ["QUIRE-HTM-001"], "{findings:#?}");
    assert!(findings[0].file.ends_with("two.xhtml"));
}

#[test]
fn blank_line_before_declaration_is_quire_htm_001() {
    let mut entries = quire_book();
    edit_entry(&mut entries, "two.xhtml", |text| format!("\n{text}"));
    let findings = check_epub(&zip(&entries));
    // The XML parser rejects a declaration after a blank line as well, so
    // its finding may come too.
    assert!(codes(&findings).contains(&"QUIRE-HTM-001"), "{findings:#?}");
}

#[test]
fn declaration_without_encoding_is_quire_htm_001() {
    let mut entries = quire_book();
    edit_entry(&mut entries, "two.xhtml", |text| {
        text.replacen(" encoding=\"utf-8\"", "", 1)
    });
    let findings = check_epub(&zip(&entries));
    assert_eq!(codes(&findings), ["QUIRE-HTM-001"], "{findings:#?}");
    assert!(findings[0].message.contains("encoding"), "{findings:#?}");
}

#[test]
fn body_id_is_quire_htm_002() {
    let mut entries = quire_book();
    edit_entry(&mut entries, "two.xhtml", |text| {
        text.replacen("<body>", "<body id=\"start\">", 1)
    });
    edit_entry(&mut entries, "one.xhtml", |text| {
        text.replace("two.xhtml#later", "two.xhtml#start")
    });
    let findings = check_epub(&zip(&entries));
    assert_eq!(codes(&findings), ["QUIRE-HTM-002"], "{findings:#?}");
}

#[test]
fn img_without_src_is_rsc_005() {
    let mut entries = quire_book();
    edit_entry(&mut entries, "two.xhtml", |text| {
        text.replace("<p>Text.</p>", "<p><img src=\"\" alt=\"nothing\" /></p>")
    });
    let findings = check_epub(&zip(&entries));
    assert_eq!(codes(&findings), ["RSC-005"], "{findings:#?}");
}

#[test]
fn oversized_document_is_quire_rsc_001() {
    let mut entries = quire_book();
    let filler = "<p>Text.</p>\n".repeat(crate::split::MAX_DOCUMENT_BYTES / 13 + 10);
    edit_entry(&mut entries, "two.xhtml", |text| {
        text.replace("<p>Text.</p>", &filler)
    });
    let findings = check_epub(&zip(&entries));
    assert_eq!(codes(&findings), ["QUIRE-RSC-001"], "{findings:#?}");
}

#[test]
fn oversized_document_outside_the_spine_is_allowed() {
    // The same document, left out of the spine but still in the manifest.
    let mut entries = quire_book();
    let filler = "<p>Text.</p>\n".repeat(crate::split::MAX_DOCUMENT_BYTES / 13 + 10);
    edit_entry(&mut entries, "two.xhtml", |text| {
        text.replace("<p>Text.</p>", &filler)
    });
    let mut removed = false;
    edit_entry(&mut entries, "package.opf", |text| {
        let (before, after) = text
            .split_once("<itemref idref=\"c-two\"")
            .expect("two's itemref");
        let (_, after) = after.split_once("/>").expect("the itemref's end");
        removed = true;
        format!("{before}{after}")
    });
    assert!(removed);
    let findings = check_epub(&zip(&entries));
    assert!(
        !codes(&findings).contains(&"QUIRE-RSC-001"),
        "{findings:#?}"
    );
}

#[test]
fn undeclared_reserved_prefix_is_quire_opf_001() {
    let mut entries = quire_book();
    // Quire's books declare the prefixes their metadata uses, so the
    // declaration is taken out first.
    edit_entry(&mut entries, ".opf", |text| {
        let Some(start) = text.find(" prefix=\"") else {
            return text.to_string();
        };
        let end = start + " prefix=\"".len();
        let end = end + text[end..].find('"').expect("closing quote") + 1;
        format!("{}{}", &text[..start], &text[end..])
    });
    edit_entry(&mut entries, ".opf", |text| {
        text.replace(
            "<meta property=\"dcterms:modified\">",
            "<meta property=\"schema:accessMode\">textual</meta>\n    <meta property=\"dcterms:modified\">",
        )
    });
    let findings = check_epub(&zip(&entries));
    assert_eq!(codes(&findings), ["QUIRE-OPF-001"], "{findings:#?}");

    edit_entry(&mut entries, ".opf", |text| {
        text.replacen(
            "<package ",
            "<package prefix=\"schema: http://schema.org/\" ",
            1,
        )
    });
    let findings = check_epub(&zip(&entries));
    assert!(findings.is_empty(), "{findings:#?}");
}

/// Scans the documents among `entries` as the zip writer does while Quire
/// writes a book.
fn scanned(entries: &[(String, Vec<u8>)]) -> Vec<(String, Scanned)> {
    entries
        .iter()
        .filter_map(|(name, bytes)| Some((name.clone(), scan_entry(name, bytes)?)))
        .collect()
}

#[test]
fn documents_are_scanned_by_name() {
    let entries = quire_book();
    let names: Vec<String> = scanned(&entries)
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    assert!(
        names.iter().any(|name| name.ends_with("one.xhtml")),
        "{names:?}"
    );
    assert!(
        names.iter().any(|name| name.ends_with("nav.xhtml")),
        "{names:?}"
    );
    assert!(
        !names.iter().any(|name| name.ends_with(".opf")),
        "{names:?}"
    );
    assert!(
        !names.iter().any(|name| name.ends_with(".png")),
        "{names:?}"
    );
}

#[test]
fn scan_made_while_writing_is_used() {
    // The scan is of a chapter with a broken link, but it is given the
    // checksum and size of the sound chapter in the archive: the finding
    // can only come from the scan, since the archive has no fault.
    let entries = quire_book();
    let mut broken = entries.clone();
    edit_entry(&mut broken, "one.xhtml", |text| {
        text.replace("#later", "#nowhere")
    });
    let sound = &entries
        .iter()
        .find(|(name, _)| name.ends_with("one.xhtml"))
        .expect("chapter one")
        .1;
    let mut scans = scanned(&broken);
    for (name, scan) in &mut scans {
        if name.ends_with("one.xhtml") {
            scan.crc = crc32fast::hash(sound);
            scan.size = sound.len() as u64;
        }
    }
    let archive = zip(&entries);
    assert!(check_epub(&archive).is_empty());
    let findings = check_epub_scanned(&archive, Vec::new(), scans);
    assert_eq!(codes(&findings), ["RSC-012"], "{findings:#?}");
}

#[test]
fn scan_of_other_bytes_is_not_used() {
    // The chapter was scanned with a broken link, then written sound.
    let entries = quire_book();
    let mut broken = entries.clone();
    edit_entry(&mut broken, "one.xhtml", |text| {
        text.replace("#later", "#nowhere")
    });
    let findings = check_epub_scanned(&zip(&entries), Vec::new(), scanned(&broken));
    assert!(findings.is_empty(), "{findings:#?}");
    // And the other way round: the fault in the archive is found.
    let findings = check_epub_scanned(&zip(&broken), Vec::new(), scanned(&entries));
    assert_eq!(codes(&findings), ["RSC-012"], "{findings:#?}");
}

#[test]
fn scan_outside_spine_is_not_used() {
    // A document over the size limit is scanned as a spine item, which
    // finds QUIRE-RSC-001, but the package leaves it out of the spine.
    let mut entries = quire_book();
    let filler = "<p>Text.</p>\n".repeat(crate::split::MAX_DOCUMENT_BYTES / 13 + 10);
    edit_entry(&mut entries, "two.xhtml", |text| {
        text.replace("<p>Text.</p>", &filler)
    });
    let scans = scanned(&entries);
    edit_entry(&mut entries, "package.opf", |text| {
        let (before, after) = text
            .split_once("<itemref idref=\"c-two\"")
            .expect("two's itemref");
        let (_, after) = after.split_once("/>").expect("the itemref's end");
        format!("{before}{after}")
    });
    let archive = zip(&entries);
    let findings = check_epub_scanned(&archive, Vec::new(), scans);
    assert!(
        !codes(&findings).contains(&"QUIRE-RSC-001"),
        "{findings:#?}"
    );
    assert_eq!(findings, check_epub(&archive));
}
