//! The container (EPUB Open Container Format 3.3, section 4): the
//! `mimetype` entry, entry names, and `META-INF/container.xml`.

use std::collections::HashSet;

use super::zip::METHOD_STORED;
use super::{Files, Report, as_utf8, line_of, package, parse_xml};

const MIMETYPE: &[u8] = b"application/epub+zip";
const CONTAINER: &str = "META-INF/container.xml";
const CONTAINER_NAMESPACE: &str = "urn:oasis:names:tc:opendocument:xmlns:container";
const PACKAGE_MEDIA_TYPE: &str = "application/oebps-package+xml";

/// Characters OCF 3.3 section 4.1.3 forbids in file names, besides the C0
/// controls and DEL.
const FORBIDDEN_NAME_CHARS: &[char] = &['"', '*', ':', '<', '>', '?', '\\', '|'];

/// Runs the container checks, then the package document's.
pub(super) fn check(files: &mut Files, report: &mut Report) {
    check_mimetype(files, report);
    check_archive_extras(files, report);
    check_names(files, report);
    files.read_all(report);

    if !files.contains(CONTAINER) {
        report.fatal(
            "RSC-002",
            CONTAINER,
            None,
            "the EPUB has no META-INF/container.xml, so reading systems cannot find the package document; add one that names the .opf file",
        );
        return;
    }
    let Some(package_path) = find_package(files, report) else {
        return;
    };
    if !files.contains(&package_path) {
        report.fatal(
            "OPF-002",
            CONTAINER,
            None,
            format!("the package document {package_path} named in container.xml is not in the EPUB; add it or correct full-path"),
        );
        return;
    }
    package::check(files, &package_path, report);
}

fn check_mimetype(files: &mut Files, report: &mut Report) {
    let first = files.entries().first().cloned();
    let Some(first) = first.filter(|entry| entry.name == "mimetype") else {
        let message = if files.contains("mimetype") {
            "the mimetype file is not the first entry of the zip; reading systems identify an EPUB by it, so rebuild the zip with mimetype first"
        } else {
            "the EPUB has no mimetype file; add one containing application/epub+zip as the first, uncompressed entry"
        };
        report.error("PKG-006", "mimetype", None, message);
        return;
    };
    if first.method != METHOD_STORED {
        report.error(
            "PKG-007",
            "mimetype",
            None,
            "the mimetype file is compressed; store it uncompressed so its text sits at a fixed place at the start of the file",
        );
    }
    if first.local_extra_length > 0 {
        report.error(
            "PKG-005",
            "mimetype",
            None,
            format!(
                "the mimetype entry has an extra field of {} bytes, which moves its text from where reading systems look; rebuild the zip without extra fields for it",
                first.local_extra_length
            ),
        );
    }
    // Reading systems look at the stored bytes themselves, so those are
    // compared even when the CRC-32 is wrong.
    let stored = (first.method == METHOD_STORED)
        .then(|| files.archive.raw_data(&first))
        .flatten()
        .map(<[u8]>::to_vec);
    let content = stored.or_else(|| files.read("mimetype", report).map(|bytes| bytes.to_vec()));
    if let Some(bytes) = content
        && bytes != MIMETYPE
    {
        report.error(
            "PKG-007",
            "mimetype",
            None,
            format!(
                "the mimetype file contains \"{}\" but must contain exactly application/epub+zip, with no line break or spaces",
                String::from_utf8_lossy(&bytes).escape_debug()
            ),
        );
    }
}

/// Reports an archive comment and extra fields, which EPUB allows but
/// stores and devices trip over: Kobo's readers are reported to take an
/// EPUB with an archive comment for one protected by Adobe DRM.
fn check_archive_extras(files: &Files, report: &mut Report) {
    let comment_length = files.archive.comment_length;
    if comment_length > 0 {
        report.warning(
            "QUIRE-PKG-006",
            "",
            None,
            format!("the zip has an archive comment of {comment_length} bytes; some Kobo readers are reported to take the book for one protected by Adobe DRM and not open it, so rebuild the zip without a comment"),
        );
    }
    // The mimetype entry's extra field has its own finding, PKG-005.
    let with_extra: Vec<&str> = files
        .entries()
        .iter()
        .skip(1)
        .filter(|entry| entry.local_extra_length > 0 || entry.central_extra_length > 0)
        .map(|entry| entry.name.as_str())
        .collect();
    if let Some(first) = with_extra.first() {
        report.warning(
            "QUIRE-PKG-007",
            "",
            None,
            format!(
                "{} zip entries have extra fields (such as timestamps), the first being {first}; some store checks reject them, so rebuild the zip without extra fields (zip -X leaves them out)",
                with_extra.len()
            ),
        );
    }
}

/// Reports entry names that escape the container, clash, or use
/// characters OCF forbids.
fn check_names(files: &Files, report: &mut Report) {
    let mut seen = HashSet::new();
    let mut seen_folded = HashSet::new();
    for entry in files.entries() {
        let name = entry.name.as_str();
        if !seen.insert(name) {
            report.error(
                "OPF-060",
                name,
                None,
                "the zip has two entries with this name, and readers disagree on which one they open; remove one",
            );
            continue;
        }
        if !seen_folded.insert(name.to_lowercase()) {
            report.warning(
                "OPF-060",
                name,
                None,
                "another entry has this name in a different case, so the two clash on file systems that ignore case; rename one",
            );
        }
        if name.starts_with('/') || name.starts_with('\\') {
            report.error(
                "QUIRE-PKG-002",
                name,
                None,
                "the entry name starts with a slash, so unzipping it writes outside the target folder; use a name relative to the EPUB's root",
            );
        }
        if name.split(['/', '\\']).any(|segment| segment == "..") {
            report.error(
                "QUIRE-PKG-001",
                name,
                None,
                "the entry name contains a \"..\" segment, so unzipping it writes outside the target folder; remove the segment",
            );
        }
        let forbidden: String = name
            .chars()
            .filter(|&c| FORBIDDEN_NAME_CHARS.contains(&c) || c.is_control() || c == '\u{7F}')
            .collect();
        if !forbidden.is_empty() {
            report.error(
                "PKG-009",
                name,
                None,
                format!(
                    "the file name contains {}, which OCF forbids in file names; rename the file and the links to it",
                    forbidden.escape_debug()
                ),
            );
        }
        if name.ends_with('.') {
            report.error(
                "PKG-011",
                name,
                None,
                "the file name ends with a dot, which OCF forbids; rename the file",
            );
        }
    }
}

/// Reads container.xml and returns the package document's path.
fn find_package(files: &mut Files, report: &mut Report) -> Option<String> {
    let bytes = files.read(CONTAINER, report)?;
    let text = as_utf8(&bytes, CONTAINER, report)?;
    let document = parse_xml(text, CONTAINER, report)?;

    let rootfile = document.descendants().find(|node| {
        node.has_tag_name((CONTAINER_NAMESPACE, "rootfile"))
            && node.attribute("media-type") == Some(PACKAGE_MEDIA_TYPE)
    });
    let Some(rootfile) = rootfile else {
        report.fatal(
            "RSC-003",
            CONTAINER,
            None,
            format!("container.xml has no rootfile element with media-type {PACKAGE_MEDIA_TYPE}; add one whose full-path names the .opf file"),
        );
        return None;
    };
    let line = line_of(&document, rootfile.range().start);
    match rootfile.attribute("full-path").map(str::trim) {
        Some(path) if !path.is_empty() => Some(path.to_string()),
        _ => {
            report.fatal(
                "OPF-016",
                CONTAINER,
                line,
                "the rootfile element has no full-path; set it to the .opf file's path from the EPUB's root",
            );
            None
        }
    }
}
