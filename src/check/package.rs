//! The package document (EPUB 3.3, section 5): metadata, manifest, spine
//! and the item properties that depend on the content documents.

use std::collections::{HashMap, HashSet};

use roxmltree::{Document, Node};

use super::content::{self, Summary};
use super::paths::{self, Target};
use super::{Files, Lines, Report, as_utf8, line_of, navigation, parse_xml};
use crate::metadata::{is_valid_date, is_valid_language_tag};

const OPF: &str = "http://www.idpf.org/2007/opf";
const DC: &str = "http://purl.org/dc/elements/1.1/";
pub(super) const XHTML_TYPE: &str = "application/xhtml+xml";
pub(super) const SVG_TYPE: &str = "image/svg+xml";
pub(super) const NCX_TYPE: &str = "application/x-dtbncx+xml";

/// One manifest item.
pub(super) struct Item {
    pub id: String,
    /// The entry name it resolves to; `None` for a remote resource.
    pub path: Option<String>,
    pub media_type: String,
    pub properties: Vec<String>,
    pub line: Option<usize>,
}

impl Item {
    fn has_property(&self, name: &str) -> bool {
        self.properties.iter().any(|property| property == name)
    }

    fn is_content_document(&self) -> bool {
        self.media_type == XHTML_TYPE || self.media_type == SVG_TYPE
    }
}

/// The parts of the package document that the later checks use.
pub(super) struct Package {
    pub path: String,
    pub items: Vec<Item>,
    /// The entry names of the spine's items, in reading order, linear
    /// items only.
    pub spine: Vec<String>,
    /// The entry names of every spine item, linear or not: the documents a
    /// reading system lays out as pages.
    pub in_spine: HashSet<String>,
    /// The value of the identifier named by `unique-identifier`.
    pub identifier: Option<String>,
    /// The NCX named by the spine's `toc` attribute or found by media type.
    pub ncx: Option<String>,
    pub epub2: bool,
}

/// Checks the package document and everything it lists.
pub(super) fn check(files: &mut Files, path: &str, report: &mut Report) {
    let Some(bytes) = files.read(path, report) else {
        return;
    };
    let Some(text) = as_utf8(&bytes, path, report) else {
        return;
    };
    let Some(document) = parse_xml(text, path, report) else {
        return;
    };
    let root = document.root_element();
    if !root.has_tag_name((OPF, "package")) {
        report.fatal(
            "RSC-005",
            path,
            line_of(&document, root.range().start),
            "the package document's root element is not an OPF package element; check that container.xml names the .opf file",
        );
        return;
    }

    let epub2 = root
        .attribute("version")
        .is_some_and(|v| v.starts_with('2'));
    let identifier = check_metadata(&document, root, path, epub2, report);
    if !epub2 {
        check_prefix_declarations(&document, root, path, report);
    }
    let items = read_manifest(&document, root, path, report);
    let mut package = Package {
        path: path.to_string(),
        items,
        spine: Vec::new(),
        in_spine: HashSet::new(),
        identifier,
        ncx: None,
        epub2,
    };
    check_files_listed(files, &package, report);
    check_media_types(files, &package, report);
    read_spine(&document, root, &mut package, report);

    let summaries = content::scan_all(files, &package, report);
    check_properties(&package, &summaries, report);
    content::check_links(files, &package, &summaries, report);
    navigation::check(files, &package, &summaries, report);
}

/// Warns about each reserved prefix among `rendition`, `a11y` and
/// `schema` that the package uses without declaring it on `<package
/// prefix>`. EPUB lets reading systems know these prefixes, but store
/// ingestion checks, Apple's among them, are reported to reject them.
fn check_prefix_declarations(document: &Document, root: Node, path: &str, report: &mut Report) {
    let declared: Vec<&str> = root
        .attribute("prefix")
        .unwrap_or("")
        .split_ascii_whitespace()
        .filter_map(|token| token.strip_suffix(':'))
        .collect();
    let mut reported: Vec<&str> = Vec::new();
    for node in root.descendants().filter(Node::is_element) {
        for attribute in ["property", "properties", "rel", "scheme"] {
            let Some(value) = node.attribute(attribute) else {
                continue;
            };
            for token in value.split_ascii_whitespace() {
                let Some((prefix, _)) = token.split_once(':') else {
                    continue;
                };
                let Some((known, uri)) = crate::package::DECLARED_PREFIXES
                    .iter()
                    .find(|(known, _)| *known == prefix)
                else {
                    continue;
                };
                if declared.contains(known) || reported.contains(known) {
                    continue;
                }
                reported.push(known);
                report.warning(
                    "QUIRE-OPF-001",
                    path,
                    line_of(document, node.range().start),
                    format!("the prefix \"{known}\" is used in \"{token}\" but not declared; some store checks reject that, so add prefix=\"{known}: {uri}\" to the package element"),
                );
            }
        }
    }
}

fn child<'a, 'input>(node: Node<'a, 'input>, name: (&str, &str)) -> Option<Node<'a, 'input>> {
    node.children().find(|child| child.has_tag_name(name))
}

fn text_of(node: Node) -> String {
    node.text().unwrap_or("").trim().to_string()
}

/// Checks the required metadata and returns the unique identifier.
fn check_metadata(
    document: &Document,
    root: Node,
    path: &str,
    epub2: bool,
    report: &mut Report,
) -> Option<String> {
    let line = |node: Node| line_of(document, node.range().start);
    let Some(metadata) = child(root, (OPF, "metadata")) else {
        report.error(
            "RSC-005",
            path,
            line(root),
            "the package document has no metadata element; add one with dc:identifier, dc:title and dc:language",
        );
        return None;
    };

    let identifiers: Vec<Node> = metadata
        .children()
        .filter(|node| node.has_tag_name((DC, "identifier")))
        .collect();
    if identifiers.is_empty() {
        report.error(
            "RSC-005",
            path,
            line(metadata),
            "the metadata has no dc:identifier; add one, such as a urn:uuid: or an ISBN, and name its id in the package's unique-identifier",
        );
    }
    let mut unique = None;
    match root.attribute("unique-identifier") {
        None => report.error(
            "OPF-048",
            path,
            line(root),
            "the package element has no unique-identifier attribute; set it to the id of the book's dc:identifier",
        ),
        Some(id) => match identifiers.iter().find(|node| node.attribute("id") == Some(id)) {
            None => report.error(
                "OPF-030",
                path,
                line(root),
                format!("unique-identifier names \"{id}\", but no dc:identifier has that id; give the book's identifier id=\"{id}\""),
            ),
            Some(node) => {
                let value = text_of(*node);
                if value.is_empty() {
                    report.error(
                        "RSC-005",
                        path,
                        line(*node),
                        "the book's dc:identifier is empty; give it a value such as urn:uuid:…",
                    );
                } else {
                    unique = Some(value);
                }
            }
        },
    }

    let titles: Vec<Node> = metadata
        .children()
        .filter(|node| node.has_tag_name((DC, "title")))
        .collect();
    if titles.iter().all(|node| text_of(*node).is_empty()) {
        report.error(
            "RSC-005",
            path,
            line(metadata),
            "the metadata has no non-empty dc:title; add the book's title",
        );
    }

    let languages: Vec<Node> = metadata
        .children()
        .filter(|node| node.has_tag_name((DC, "language")))
        .collect();
    if languages.is_empty() {
        report.error(
            "RSC-005",
            path,
            line(metadata),
            "the metadata has no dc:language; add the book's language as a BCP 47 tag, such as en or pt-BR",
        );
    }
    for language in &languages {
        let tag = text_of(*language);
        if !is_valid_language_tag(&tag) {
            report.error(
                "OPF-092",
                path,
                line(*language),
                format!("\"{tag}\" is not a well-formed BCP 47 language tag; use one such as en, de-CH or zh-Hant"),
            );
        }
    }

    for date in metadata
        .children()
        .filter(|node| node.has_tag_name((DC, "date")))
    {
        let value = text_of(date);
        if !is_valid_date(&value) {
            report.warning(
                "OPF-053",
                path,
                line(date),
                format!("the dc:date \"{value}\" is not a W3C date; write it as YYYY, YYYY-MM or YYYY-MM-DD"),
            );
        }
    }

    if !epub2 {
        let modified: Vec<Node> = metadata
            .children()
            .filter(|node| {
                node.has_tag_name((OPF, "meta"))
                    && node.attribute("property") == Some("dcterms:modified")
                    && node.attribute("refines").is_none()
            })
            .collect();
        match modified.as_slice() {
            [] => report.error(
                "RSC-005",
                path,
                line(metadata),
                "the metadata has no meta property=\"dcterms:modified\"; add the time of the last change, such as 2024-05-01T12:00:00Z",
            ),
            [one] => {
                let value = text_of(*one);
                if !is_modified_form(&value) {
                    report.error(
                        "RSC-005",
                        path,
                        line(*one),
                        format!("dcterms:modified is \"{value}\" but must have the form CCYY-MM-DDThh:mm:ssZ, in UTC, such as 2024-05-01T12:00:00Z"),
                    );
                }
            }
            [_, second, ..] => report.error(
                "RSC-005",
                path,
                line(*second),
                "the metadata has more than one dcterms:modified; keep one",
            ),
        }
    }
    unique
}

/// Reports whether `value` is `CCYY-MM-DDThh:mm:ssZ` (EPUB 3.3, section
/// 5.5.6, last modified date).
fn is_modified_form(value: &str) -> bool {
    let bytes = value.as_bytes();
    let pattern = b"dddd-dd-ddTdd:dd:ddZ";
    bytes.len() == pattern.len()
        && bytes
            .iter()
            .zip(pattern)
            .all(|(byte, expected)| match expected {
                b'd' => byte.is_ascii_digit(),
                other => byte == other,
            })
        && is_valid_date(&value[..10])
}

fn read_manifest(document: &Document, root: Node, path: &str, report: &mut Report) -> Vec<Item> {
    // A line for every item: `line_of` would scan from the start for each.
    let lines = Lines::new(document.input_text());
    let Some(manifest) = child(root, (OPF, "manifest")) else {
        report.error(
            "RSC-005",
            path,
            line_of(document, root.range().start),
            "the package document has no manifest; list every file of the book in one",
        );
        return Vec::new();
    };

    let mut items = Vec::new();
    let mut ids = HashSet::new();
    let mut hrefs: HashMap<String, String> = HashMap::new();
    for node in manifest
        .children()
        .filter(|node| node.has_tag_name((OPF, "item")))
    {
        let line = lines.line(node.range().start);
        let id = node.attribute("id").unwrap_or("").to_string();
        let href = node.attribute("href").unwrap_or("");
        let media_type = node
            .attribute("media-type")
            .unwrap_or("")
            .trim()
            .to_string();
        if id.is_empty() || href.is_empty() || media_type.is_empty() {
            report.error(
                "RSC-005",
                path,
                line,
                "a manifest item lacks id, href or media-type; give it all three",
            );
        }
        if !id.is_empty() && !ids.insert(id.clone()) {
            report.error(
                "RSC-005",
                path,
                line,
                format!(
                    "the id \"{id}\" is used by more than one manifest item; ids must be unique"
                ),
            );
        }
        if href.contains('#') {
            report.error(
                "OPF-091",
                path,
                line,
                format!("the item href \"{href}\" has a fragment; name the file only"),
            );
        }
        let target = paths::resolve(path, href);
        let item_path = match target {
            Target::Local {
                path: item_path, ..
            } => {
                if let Some(first) = hrefs.insert(item_path.clone(), id.clone()) {
                    report.error(
                        "OPF-074",
                        path,
                        line,
                        format!(
                            "{item_path} is listed by both items \"{first}\" and \"{id}\"; keep one"
                        ),
                    );
                }
                Some(item_path)
            }
            Target::Remote => None,
            _ => {
                report.error(
                    "RSC-026",
                    path,
                    line,
                    format!("the item href \"{href}\" points outside the container; put the file in the EPUB and link it relatively"),
                );
                None
            }
        };
        let properties = node
            .attribute("properties")
            .unwrap_or("")
            .split_ascii_whitespace()
            .map(str::to_string)
            .collect();
        items.push(Item {
            id,
            path: item_path,
            media_type,
            properties,
            line,
        });
    }
    items
}

/// Reports manifest items missing from the zip and files in the zip
/// missing from the manifest.
fn check_files_listed(files: &Files, package: &Package, report: &mut Report) {
    let mut listed = HashSet::new();
    for item in &package.items {
        let Some(path) = &item.path else { continue };
        listed.insert(path.as_str());
        if !files.contains(path) {
            report.error(
                "RSC-001",
                &package.path,
                item.line,
                format!("manifest item \"{}\" names {path}, which is not in the EPUB; add the file or remove the item", item.id),
            );
        }
    }
    for entry in files.entries() {
        let name = entry.name.as_str();
        let exempt = name == "mimetype"
            || name.starts_with("META-INF/")
            || name == package.path
            || name.ends_with('/');
        if !exempt && !listed.contains(name) {
            report.warning(
                "OPF-003",
                name,
                None,
                "the file is in the EPUB but not in the manifest, so reading systems ignore it; list it in the manifest or remove it",
            );
        }
    }
}

/// Compares each raster image's declared media type with its bytes.
fn check_media_types(files: &mut Files, package: &Package, report: &mut Report) {
    for item in &package.items {
        let Some(path) = &item.path else { continue };
        let declared = item.media_type.as_str();
        if !matches!(
            declared,
            "image/jpeg" | "image/png" | "image/gif" | "image/webp"
        ) {
            continue;
        }
        let Some(bytes) = files.read(path, report) else {
            continue;
        };
        let actual = sniff_image(&bytes);
        if actual != Some(declared) {
            let what = actual.unwrap_or("not a JPEG, PNG, GIF or WebP image");
            report.error(
                "OPF-029",
                &package.path,
                item.line,
                format!("{path} is declared as {declared}, but its bytes are {what}; correct the media-type or convert the file"),
            );
        }
    }
}

/// Returns the media type that an image's first bytes show.
pub(super) fn sniff_image(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

fn read_spine(document: &Document, root: Node, package: &mut Package, report: &mut Report) {
    // A line for every item: `line_of` would scan from the start for each.
    let lines = Lines::new(document.input_text());
    let path = package.path.clone();
    let Some(spine) = child(root, (OPF, "spine")) else {
        report.error(
            "OPF-019",
            &path,
            line_of(document, root.range().start),
            "the package document has no spine; add one listing the content documents in reading order",
        );
        return;
    };
    let by_id: HashMap<&str, &Item> = package
        .items
        .iter()
        .map(|item| (item.id.as_str(), item))
        .collect();

    if let Some(toc) = spine.attribute("toc") {
        match by_id.get(toc) {
            None => report.error(
                "OPF-049",
                &path,
                line_of(document, spine.range().start),
                format!("the spine's toc attribute names item \"{toc}\", which is not in the manifest; correct it"),
            ),
            Some(item) if item.media_type != NCX_TYPE => report.error(
                "OPF-050",
                &path,
                line_of(document, spine.range().start),
                format!("the spine's toc attribute names \"{toc}\", which is not an NCX ({NCX_TYPE})"),
            ),
            Some(item) => package.ncx = item.path.clone(),
        }
    } else if package.epub2 {
        report.error(
            "NCX-002",
            &path,
            line_of(document, spine.range().start),
            "an EPUB 2 spine needs a toc attribute naming the NCX",
        );
    }
    if package.ncx.is_none() {
        package.ncx = package
            .items
            .iter()
            .find(|item| item.media_type == NCX_TYPE)
            .and_then(|item| item.path.clone());
    }

    let mut seen = HashSet::new();
    let mut spine_paths = Vec::new();
    let mut any_linear = false;
    for itemref in spine
        .children()
        .filter(|node| node.has_tag_name((OPF, "itemref")))
    {
        let line = lines.line(itemref.range().start);
        let idref = itemref.attribute("idref").unwrap_or("");
        let Some(item) = by_id.get(idref) else {
            report.error(
                "OPF-049",
                &path,
                line,
                format!("the spine lists item \"{idref}\", which is not in the manifest; add the item or remove the itemref"),
            );
            continue;
        };
        if !seen.insert(idref) {
            report.error(
                "RSC-005",
                &path,
                line,
                format!("the spine lists item \"{idref}\" more than once; keep one itemref"),
            );
            continue;
        }
        if !item.is_content_document() && !package.epub2 {
            report.error(
                "OPF-043",
                &path,
                line,
                format!("spine item \"{idref}\" is {}, not an XHTML or SVG content document; remove it from the spine", item.media_type),
            );
        }
        if let Some(item_path) = &item.path {
            package.in_spine.insert(item_path.clone());
        }
        let linear = itemref.attribute("linear") != Some("no");
        any_linear |= linear;
        if linear && let Some(item_path) = &item.path {
            spine_paths.push(item_path.clone());
        }
    }
    if !any_linear && seen.is_empty() {
        report.error(
            "OPF-033",
            &path,
            line_of(document, spine.range().start),
            "the spine lists no content documents; add an itemref for each chapter",
        );
    }
    package.spine = spine_paths;
}

/// Checks `nav`, `cover-image`, `mathml`, `svg`, `scripted` and
/// `remote-resources` against the manifest and the content documents.
fn check_properties(package: &Package, summaries: &HashMap<String, Summary>, report: &mut Report) {
    let opf = package.path.as_str();
    let navs: Vec<&Item> = package
        .items
        .iter()
        .filter(|item| item.has_property("nav"))
        .collect();
    if !package.epub2 {
        if navs.is_empty() {
            report.error(
                "RSC-005",
                opf,
                None,
                "no manifest item has the nav property; mark the navigation document with properties=\"nav\"",
            );
        }
        for extra in navs.iter().skip(1) {
            report.error(
                "RSC-005",
                opf,
                extra.line,
                "more than one manifest item has the nav property; keep it on the navigation document only",
            );
        }
    }
    let covers: Vec<&Item> = package
        .items
        .iter()
        .filter(|item| item.has_property("cover-image"))
        .collect();
    for extra in covers.iter().skip(1) {
        report.error(
            "RSC-005",
            opf,
            extra.line,
            "more than one manifest item has the cover-image property; keep it on the cover image only",
        );
    }

    for item in &package.items {
        if item.has_property("nav") && item.media_type != XHTML_TYPE {
            report.error(
                "OPF-012",
                opf,
                item.line,
                format!("the nav property is on \"{}\", which is {}; it belongs on the XHTML navigation document", item.id, item.media_type),
            );
        }
        if item.has_property("cover-image") && !item.media_type.starts_with("image/") {
            report.error(
                "OPF-012",
                opf,
                item.line,
                format!("the cover-image property is on \"{}\", which is {}, not an image; move it to the cover image's item", item.id, item.media_type),
            );
        }
        for property in ["mathml", "svg", "scripted"] {
            if item.has_property(property) && !item.is_content_document() {
                report.error(
                    "OPF-012",
                    opf,
                    item.line,
                    format!("the {property} property is on \"{}\", which is {}, not a content document; remove it", item.id, item.media_type),
                );
            }
        }

        let Some(summary) = item.path.as_ref().and_then(|path| summaries.get(path)) else {
            continue;
        };
        let mut expect = |property: &str, needed: bool, why: &str| {
            let declared = item.has_property(property);
            if needed && !declared {
                report.error(
                    "OPF-014",
                    opf,
                    item.line,
                    format!("item \"{}\" {why} but lacks the {property} property; add it to the item's properties", item.id),
                );
            } else if declared && !needed {
                let code = if property == "remote-resources" {
                    "OPF-018"
                } else {
                    "OPF-015"
                };
                let message = format!(
                    "item \"{}\" has the {property} property, but the document has no such content; remove the property",
                    item.id
                );
                if code == "OPF-018" {
                    report.warning(code, opf, item.line, message);
                } else {
                    report.error(code, opf, item.line, message);
                }
            }
        };
        expect("mathml", summary.has_mathml, "contains MathML");
        if item.media_type == XHTML_TYPE {
            expect("svg", summary.has_svg, "contains inline SVG");
        }
        expect("scripted", summary.has_script, "contains scripts or forms");
        expect(
            "remote-resources",
            summary.has_remote_resources,
            "uses resources from the web",
        );
    }
}
