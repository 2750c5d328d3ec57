//! Rules every book Quire makes follows so that stores and devices accept
//! it, beyond what EPUB requires: each test builds books and inspects the
//! EPUB's bytes for one rule.

#[path = "common/large_book.rs"]
mod large_book;

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use quire::check::zip::{Archive, METHOD_STORED};
use quire::{Book, InputFile, Options, convert};

const MAX_DOCUMENT_BYTES: usize = quire::split::MAX_DOCUMENT_BYTES;

fn file(path: &str, text: &str) -> InputFile {
    InputFile {
        path: path.to_string(),
        bytes: text.as_bytes().to_vec(),
        modified: None,
    }
}

/// Reads every file under a folder of `tests/books` into a book.
fn book_from_folder(name: &str) -> Book {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/books")
        .join(name);
    let mut files = Vec::new();
    let mut folders = vec![root.clone()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("test book folder readable") {
            let path = entry.expect("folder entry").path();
            if path.is_dir() {
                folders.push(path);
                continue;
            }
            let relative = path.strip_prefix(&root).expect("under the root");
            files.push(InputFile {
                path: relative.to_string_lossy().replace('\\', "/"),
                bytes: std::fs::read(&path).expect("test file readable"),
                modified: None,
            });
        }
    }
    Book {
        files,
        chapters: None,
    }
}

/// Reads every entry of the EPUB, `mimetype` included, by name.
fn entries(epub: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let archive = Archive::read(epub).expect("the EPUB is a zip");
    archive
        .entries
        .iter()
        .map(|entry| {
            let bytes = archive.read_entry(entry, 1 << 30).expect("entry reads");
            (entry.name.clone(), bytes)
        })
        .collect()
}

fn text(entries: &BTreeMap<String, Vec<u8>>, name: &str) -> String {
    let bytes = entries
        .get(name)
        .unwrap_or_else(|| panic!("no entry {name}"));
    String::from_utf8(bytes.clone()).expect("UTF-8")
}

fn parse(xml: &str) -> roxmltree::Document<'_> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        nodes_limit: u32::MAX,
        ..roxmltree::ParsingOptions::default()
    };
    roxmltree::Document::parse_with_options(xml, options).expect("well-formed XML")
}

fn xhtml_names(entries: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    entries
        .keys()
        .filter(|name| name.ends_with(".xhtml"))
        .cloned()
        .collect()
}

/// Returns (id, href) of each manifest item.
fn manifest(entries: &BTreeMap<String, Vec<u8>>) -> Vec<(String, String)> {
    let opf = text(entries, "EPUB/package.opf");
    let document = parse(&opf);
    document
        .descendants()
        .filter(|node| node.has_tag_name("item"))
        .map(|node| {
            (
                node.attribute("id").expect("id").to_string(),
                node.attribute("href").expect("href").to_string(),
            )
        })
        .collect()
}

fn sample_output() -> quire::Output {
    convert(&book_from_folder("sample"), &Options::default()).expect("sample converts")
}

/// Returns a book with raw HTML that tries to put an id on the body, an
/// image without a source and links to both.
fn hostile_markup_book() -> Book {
    Book {
        files: vec![file(
            "one.md",
            "# One\n\n<body id=\"top\">\n\nText with [a link to the body](#top).\n\n<img alt=\"no source\">\n\n<img src=\"\" alt=\"empty source\">\n\n![empty]()\n\n![missing](nowhere.png)\n\n</body>\n",
        )],
        chapters: None,
    }
}

#[test]
fn xml_declaration_at_byte_zero() {
    let output = sample_output();
    let entries = entries(&output.epub);
    let names = xhtml_names(&entries);
    assert!(names.len() >= 4, "{names:?}");
    for name in names {
        let bytes = &entries[&name];
        assert!(
            bytes.starts_with(b"<?xml version=\"1.0\" encoding=\"utf-8\"?>"),
            "{name} starts with {:?}",
            String::from_utf8_lossy(&bytes[..40.min(bytes.len())])
        );
    }
}

#[test]
fn body_has_no_id() {
    for output in [
        sample_output(),
        convert(&hostile_markup_book(), &Options::default()).expect("converts"),
    ] {
        let entries = entries(&output.epub);
        for name in xhtml_names(&entries) {
            let xhtml = text(&entries, &name);
            let document = parse(&xhtml);
            let body = document
                .descendants()
                .find(|node| node.has_tag_name("body"))
                .expect("a body");
            assert_eq!(body.attribute("id"), None, "{name} has a body id");
            assert!(
                !xhtml.contains("<body "),
                "{name} has attributes on its body"
            );
        }
    }
}

#[test]
fn no_link_points_at_body() {
    let output = convert(&hostile_markup_book(), &Options::default()).expect("converts");
    let entries = entries(&output.epub);
    let mut hrefs = Vec::new();
    for name in entries.keys() {
        let is_document = name.ends_with(".xhtml") || name.ends_with(".ncx");
        if !is_document {
            continue;
        }
        let xml = text(&entries, name);
        let document = parse(&xml);
        for node in document.descendants().filter(|node| node.is_element()) {
            for attribute in ["href", "src"] {
                if let Some(value) = node.attribute(attribute) {
                    hrefs.push((name.clone(), value.to_string()));
                }
            }
        }
    }
    assert!(!hrefs.is_empty());
    for (name, href) in hrefs {
        assert_ne!(href, "#top", "{name} links to the body's old id");
        assert!(!href.ends_with('#'), "{name} has an empty fragment: {href}");
    }
    let warnings: Vec<String> = output.warnings.iter().map(ToString::to_string).collect();
    assert!(
        warnings.iter().any(|warning| warning.contains("#top")),
        "no warning about the link to the body: {warnings:#?}"
    );
}

#[test]
fn every_img_has_usable_src() {
    let output = convert(&hostile_markup_book(), &Options::default()).expect("converts");
    let entries = entries(&output.epub);
    let chapter = text(&entries, "EPUB/text/one.xhtml");
    let document = parse(&chapter);
    for image in document
        .descendants()
        .filter(|node| node.has_tag_name("img"))
    {
        let src = image.attribute("src").unwrap_or("");
        assert!(!src.trim().is_empty(), "img without src: {chapter}");
    }
    for alt in ["no source", "empty source", "missing"] {
        assert!(chapter.contains(alt), "alt text \"{alt}\" kept: {chapter}");
    }
    assert!(
        output.findings.is_empty(),
        "checker findings: {:#?}",
        output.findings
    );
}

#[test]
fn cover_marked_both_ways() {
    let output = sample_output();
    let entries = entries(&output.epub);
    let opf = text(&entries, "EPUB/package.opf");
    let document = parse(&opf);
    let cover_items: Vec<_> = document
        .descendants()
        .filter(|node| node.attribute("properties") == Some("cover-image"))
        .collect();
    assert_eq!(cover_items.len(), 1, "one cover-image item");
    let cover_id = cover_items[0].attribute("id").expect("cover id");
    let cover_href = cover_items[0].attribute("href").expect("cover href");
    let meta = document
        .descendants()
        .find(|node| node.has_tag_name("meta") && node.attribute("name") == Some("cover"))
        .expect("meta name=cover");
    assert_eq!(meta.attribute("content"), Some(cover_id));

    let page = text(&entries, "EPUB/cover.xhtml");
    let page_document = parse(&page);
    let images: Vec<_> = page_document
        .descendants()
        .filter(|node| node.has_tag_name("img"))
        .collect();
    assert_eq!(images.len(), 1, "one image on the cover page");
    assert_eq!(images[0].attribute("src"), Some(cover_href));
    assert!(
        !page_document
            .descendants()
            .any(|node| node.has_tag_name("a")),
        "a link on the cover page"
    );

    let spine: Vec<&str> = document
        .descendants()
        .filter(|node| node.has_tag_name("itemref"))
        .filter_map(|node| node.attribute("idref"))
        .collect();
    assert_eq!(spine.first(), Some(&"cover-page"), "cover page first");
    for name in xhtml_names(&entries) {
        if name == "EPUB/cover.xhtml" {
            continue;
        }
        let xhtml = text(&entries, &name);
        assert!(
            !xhtml.contains(cover_href.rsplit('/').next().expect("name")),
            "{name} shows the cover image a second time"
        );
    }
}

#[test]
fn cover_in_chapter_warned() {
    let png = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/books/sample/images/cover.png"),
    )
    .expect("cover image");
    let book = Book {
        files: vec![
            file(
                "one.md",
                "---\nlang: en\ncover-image: cover.png\n---\n\n# One\n\n![The cover](cover.png)\n",
            ),
            file("two.md", "# Two\n\nText.\n"),
            InputFile {
                path: "cover.png".into(),
                bytes: png,
                modified: None,
            },
        ],
        chapters: None,
    };
    let output = convert(&book, &Options::default()).expect("converts");
    let warnings: Vec<String> = output.warnings.iter().map(ToString::to_string).collect();
    let cover_warnings: Vec<&String> = warnings
        .iter()
        .filter(|warning| warning.contains("two visible covers"))
        .collect();
    assert_eq!(cover_warnings.len(), 1, "{warnings:#?}");
    // The warning names the line that shows the image.
    assert!(
        cover_warnings[0].starts_with("one.md:8: warning:"),
        "{warnings:#?}"
    );
}

#[test]
fn zip_has_no_comment_or_extra_fields() {
    let output = sample_output();
    let archive = Archive::read(&output.epub).expect("zip");
    assert_eq!(archive.comment_length, 0, "archive comment");
    assert_eq!(archive.entries[0].name, "mimetype");
    assert_eq!(archive.entries[0].method, METHOD_STORED);
    for entry in &archive.entries {
        assert_eq!(entry.local_extra_length, 0, "{} local extra", entry.name);
        assert_eq!(
            entry.central_extra_length, 0,
            "{} central extra",
            entry.name
        );
    }
    // The end record is the last 22 bytes when there is no comment.
    let end = &output.epub[output.epub.len() - 22..];
    assert_eq!(&end[..4], b"PK\x05\x06");
}

#[test]
fn ncx_and_landmarks_point_at_toc() {
    let output = sample_output();
    let entries = entries(&output.epub);
    let opf = text(&entries, "EPUB/package.opf");
    assert!(opf.contains("<spine toc=\"ncx\""), "{opf}");
    assert!(opf.contains("media-type=\"application/x-dtbncx+xml\""));
    let ncx = text(&entries, "EPUB/toc.ncx");
    assert!(ncx.contains("<navPoint"), "{ncx}");

    let nav = text(&entries, "EPUB/nav.xhtml");
    let document = parse(&nav);
    let landmarks = document
        .descendants()
        .find(|node| node.has_tag_name("nav") && node.attribute("id") == Some("landmarks"))
        .expect("landmarks nav");
    let toc_link = landmarks
        .descendants()
        .find(|node| {
            node.has_tag_name("a")
                && node
                    .attributes()
                    .any(|attribute| attribute.name() == "type" && attribute.value() == "toc")
        })
        .expect("landmark of type toc");
    let href = toc_link.attribute("href").expect("href");
    let (file, fragment) = href.split_once('#').expect("a fragment");
    assert_eq!(file, "nav.xhtml");
    assert!(
        document
            .descendants()
            .any(|node| node.has_tag_name("nav") && node.attribute("id") == Some(fragment)),
        "the toc landmark points at {href}, which is missing"
    );
}

#[test]
fn manifest_ids_survive_inserted_chapter() {
    let chapters = |names: &[&str]| Book {
        files: names
            .iter()
            .map(|name| {
                file(
                    &format!("{name}.md"),
                    &format!("# Chapter {name}\n\nText.\n"),
                )
            })
            .collect(),
        chapters: Some(names.iter().map(|name| format!("{name}.md")).collect()),
    };
    let before =
        convert(&chapters(&["alpha", "beta", "gamma"]), &Options::default()).expect("converts");
    let after = convert(
        &chapters(&["alpha", "inserted", "beta", "gamma"]),
        &Options::default(),
    )
    .expect("converts");
    let before = manifest(&entries(&before.epub));
    let after: HashSet<(String, String)> = manifest(&entries(&after.epub)).into_iter().collect();
    for item in &before {
        assert!(
            after.contains(item),
            "{item:?} changed after inserting a chapter"
        );
    }
}

#[test]
fn split_ids_survive_inserted_chapter() {
    let one_file = |middle: &str| Book {
        files: vec![file(
            "book.md",
            &format!("# First\n\nText.\n\n{middle}# Second\n\nText.\n\n# Third\n\nText.\n"),
        )],
        chapters: None,
    };
    let before = convert(&one_file(""), &Options::default()).expect("converts");
    let after = convert(
        &one_file("# Inserted\n\nNew text.\n\n"),
        &Options::default(),
    )
    .expect("converts");
    let before = manifest(&entries(&before.epub));
    let after: HashSet<(String, String)> = manifest(&entries(&after.epub)).into_iter().collect();
    assert!(before.len() >= 6, "{before:?}");
    for item in &before {
        assert!(
            after.contains(item),
            "{item:?} changed after inserting a chapter"
        );
    }
}

fn large_book() -> Book {
    Book {
        files: vec![
            file("big.md", &large_book::large_chapter()),
            file("after.md", &large_book::short_chapter()),
        ],
        chapters: Some(vec!["big.md".into(), "after.md".into()]),
    }
}

#[test]
fn large_chapter_split_below_limit() {
    let output = convert(&large_book(), &Options::default()).expect("converts");
    let entries = entries(&output.epub);
    let parts: Vec<String> = xhtml_names(&entries)
        .into_iter()
        .filter(|name| name.starts_with("EPUB/text/big"))
        .collect();
    assert!(parts.len() >= 2, "not split: {parts:?}");
    assert!(parts.contains(&"EPUB/text/big.xhtml".to_string()));
    assert!(parts.contains(&"EPUB/text/big-2.xhtml".to_string()));
    for name in xhtml_names(&entries) {
        let size = entries[&name].len();
        assert!(size <= MAX_DOCUMENT_BYTES, "{name} is {size} bytes");
    }
    assert!(
        output.findings.is_empty(),
        "links or fragments broken by the split: {:#?}",
        output.findings
    );
    let warnings: Vec<String> = output.warnings.iter().map(ToString::to_string).collect();
    assert!(warnings.is_empty(), "{warnings:#?}");
}

#[test]
fn split_parts_start_at_headings() {
    let output = convert(&large_book(), &Options::default()).expect("converts");
    let entries = entries(&output.epub);
    let part = text(&entries, "EPUB/text/big-2.xhtml");
    let body_start = part.find("doc-chapter\">").expect("chapter section") + "doc-chapter\">".len();
    let first_element = part[body_start..].trim_start();
    assert!(
        first_element.starts_with("<h2"),
        "part 2 starts with {:?}",
        &first_element[..60.min(first_element.len())]
    );
}

#[test]
fn split_keeps_reading_order_and_toc() {
    let output = convert(&large_book(), &Options::default()).expect("converts");
    let entries = entries(&output.epub);
    let opf = text(&entries, "EPUB/package.opf");
    let document = parse(&opf);
    let spine: Vec<&str> = document
        .descendants()
        .filter(|node| node.has_tag_name("itemref"))
        .filter_map(|node| node.attribute("idref"))
        .collect();
    let big = spine.iter().position(|id| *id == "c-big").expect("c-big");
    let second = spine
        .iter()
        .position(|id| *id == "c-big-2")
        .expect("c-big-2");
    let after = spine
        .iter()
        .position(|id| *id == "c-after")
        .expect("c-after");
    assert!(big < second && second < after, "{spine:?}");

    // Every section heading is in the table of contents, in order, and
    // each entry names the part that contains the heading.
    let nav = text(&entries, "EPUB/nav.xhtml");
    let nav_document = parse(&nav);
    let hrefs: Vec<&str> = nav_document
        .descendants()
        .find(|node| node.attribute("id") == Some("toc"))
        .expect("toc nav")
        .descendants()
        .filter(|node| node.has_tag_name("a"))
        .filter_map(|node| node.attribute("href"))
        .collect();
    for section in 1..=large_book::SECTIONS {
        let fragment = format!("#section-{section}");
        let href = hrefs
            .iter()
            .find(|href| href.ends_with(&fragment))
            .unwrap_or_else(|| panic!("no toc entry for section {section}: {hrefs:?}"));
        let (path, _) = href.split_once('#').expect("fragment");
        let target = text(&entries, &format!("EPUB/{path}"));
        assert!(
            target.contains(&format!("id=\"section-{section}\"")),
            "{href} points at a file without the heading"
        );
    }
    let ncx = text(&entries, "EPUB/toc.ncx");
    assert!(
        ncx.contains("text/big-2.xhtml#section-"),
        "NCX not rewritten"
    );
}

#[test]
fn links_into_split_chapter_follow() {
    let output = convert(&large_book(), &Options::default()).expect("converts");
    let entries = entries(&output.epub);
    let after = text(&entries, "EPUB/text/after.xhtml");
    assert!(after.contains("href=\"big.xhtml#section-2\""), "{after}");
    assert!(after.contains("href=\"big.xhtml\""), "{after}");
    let late = xhtml_names(&entries)
        .into_iter()
        .find(|name| text(&entries, name).contains("id=\"section-45\""))
        .expect("a part with section 45");
    let late_file = late.rsplit('/').next().expect("file name");
    assert_ne!(late_file, "big.xhtml");
    assert!(
        after.contains(&format!("href=\"{late_file}#section-45\"")),
        "{after}"
    );
}

#[test]
fn single_large_block_warned() {
    let huge_code = format!(
        "```\n{}```\n",
        "let x = 1; // a long line of code\n".repeat(9000)
    );
    let book = Book {
        files: vec![file(
            "code.md",
            &format!("# Code\n\nIntro.\n\n{huge_code}\nAfter.\n"),
        )],
        chapters: None,
    };
    let output = convert(&book, &Options::default()).expect("converts");
    let warnings: Vec<String> = output.warnings.iter().map(ToString::to_string).collect();
    assert!(
        warnings
            .iter()
            .any(|warning| warning.starts_with("code.md") && warning.contains("single block")),
        "{warnings:#?}"
    );
    let entries = entries(&output.epub);
    let chapters: Vec<String> = xhtml_names(&entries)
        .into_iter()
        .filter(|name| name.starts_with("EPUB/text/"))
        .collect();
    let with_code: Vec<&String> = chapters
        .iter()
        .filter(|name| text(&entries, name).contains("<pre"))
        .collect();
    assert_eq!(with_code.len(), 1, "the code block was cut: {chapters:?}");
    assert!(
        output.findings.is_empty(),
        "the warning covers the size: {:#?}",
        output.findings
    );
}

#[test]
fn large_table_of_contents_leaves_the_spine() {
    // 150 chapters of 20 long headings: a navigation document of about
    // 600 KB, over what older reading systems open as a page.
    let files: Vec<InputFile> = (1..=150)
        .map(|chapter| {
            let mut text = format!("# Chapter {chapter}\n\n");
            for section in 1..=20 {
                text.push_str(&format!(
                    "## Section {section} of chapter {chapter}, with a heading long enough to fill a line of the contents\n\nText.\n\n"
                ));
            }
            file(&format!("ch{chapter:03}.md"), &text)
        })
        .collect();
    let output = convert(
        &Book {
            files,
            chapters: None,
        },
        &Options::default(),
    )
    .expect("converts");
    let entries = entries(&output.epub);
    let nav = &entries["EPUB/nav.xhtml"];
    assert!(nav.len() > MAX_DOCUMENT_BYTES, "nav is {} bytes", nav.len());
    let opf = text(&entries, "EPUB/package.opf");
    assert!(
        opf.contains("properties=\"nav\""),
        "still the navigation document"
    );
    assert!(!opf.contains("idref=\"nav\""), "not in the spine");
    // No landmark points at a document outside the spine.
    let nav_text = text(&entries, "EPUB/nav.xhtml");
    assert!(
        !nav_text.contains("epub:type=\"toc\" href="),
        "{}",
        &nav_text[..2000]
    );
    assert!(nav_text.contains("epub:type=\"bodymatter\""));
    assert!(output.findings.is_empty(), "{:#?}", output.findings);

    // A small table of contents stays a page.
    let small = sample_output();
    let small = text(&self::entries(&small.epub), "EPUB/package.opf");
    assert!(small.contains("<itemref idref=\"nav\""), "{small}");
}
