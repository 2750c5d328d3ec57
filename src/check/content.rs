//! Content documents (EPUB 3.3, section 6): each XHTML and SVG document
//! must be well-formed with unique ids, its links and fragments must
//! resolve, it must not load resources from the web that EPUB forbids, and
//! its scripts are flagged.

use std::collections::{HashMap, HashSet};

use roxmltree::Node;

use super::package::{Package, SVG_TYPE, XHTML_TYPE};
use super::paths::{self, Target};
use super::{EntryBytes, Files, Lines, Report, as_utf8, line_of, parse_xml};
use crate::parallel::{PARALLEL_MIN_BYTES, map_in_order};

const XHTML: &str = "http://www.w3.org/1999/xhtml";
const SVG: &str = "http://www.w3.org/2000/svg";
const MATHML: &str = "http://www.w3.org/1998/Math/MathML";
const XLINK: &str = "http://www.w3.org/1999/xlink";
const XML: &str = "http://www.w3.org/XML/1998/namespace";
const OPS: &str = "http://www.idpf.org/2007/ops";

/// How a reference is used, which decides whether a web URL is allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum LinkKind {
    /// A hyperlink (`a`, `area`), followed only when the reader selects it.
    Hyperlink,
    /// Something the document loads (image, stylesheet, script, frame);
    /// EPUB requires it in the container.
    Resource,
    /// Audio or video, which EPUB allows from the web.
    Media,
}

/// One reference from a document.
#[derive(Clone)]
pub(super) struct Link {
    pub url: String,
    pub line: Option<usize>,
    pub kind: LinkKind,
}

/// The ids, links and features of one content document.
#[derive(Default, Clone)]
pub(super) struct Summary {
    pub ids: HashSet<String>,
    pub links: Vec<Link>,
    pub has_mathml: bool,
    pub has_svg: bool,
    pub has_script: bool,
    pub has_remote_resources: bool,
    /// The links of the `toc` nav, when the document has one.
    pub toc: Option<Vec<Link>>,
}

/// Parses every XHTML and SVG item of the manifest and summarises it, by
/// entry name.
pub(super) fn scan_all(
    files: &mut Files,
    package: &Package,
    report: &mut Report,
) -> HashMap<String, Summary> {
    // Each document is scanned already, as it was written, or is read here.
    let mut documents: Vec<(&str, Document)> = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    for item in &package.items {
        let is_content = item.media_type == XHTML_TYPE || item.media_type == SVG_TYPE;
        let Some(path) = item.path.as_deref().filter(|_| is_content) else {
            continue;
        };
        if !seen.insert(path) {
            continue;
        }
        let in_spine = package.in_spine.contains(path);
        if let Some(scan) = files.take_scanned(path, &item.media_type, in_spine) {
            documents.push((path, Document::Scanned(scan)));
        } else if let Some(bytes) = files.read(path, report) {
            documents.push((path, Document::Read(&item.media_type, bytes)));
        }
    }

    // Each document is parsed on its own, on several threads natively.
    // Its findings are added in manifest order, so the report is the same
    // on any number of threads.
    let texts: Vec<(&str, &str, &[u8])> = documents
        .iter()
        .filter_map(|(path, scan)| match scan {
            Document::Scanned(_) => None,
            Document::Read(media_type, bytes) => Some((*path, *media_type, &bytes[..])),
        })
        .collect();
    let total: usize = texts.iter().map(|(_, _, bytes)| bytes.len()).sum();
    let results = map_in_order(
        &texts,
        total >= PARALLEL_MIN_BYTES,
        || (),
        |_, (path, media_type, bytes)| {
            let in_spine = package.in_spine.contains(*path);
            scan_once(path, media_type, bytes, in_spine)
        },
    );
    memoized::finish_round();
    drop(texts);

    let mut results = results.into_iter();
    let mut summaries = HashMap::new();
    for (path, scan) in documents {
        let (summary, findings) = match scan {
            Document::Scanned(scan) => scan,
            Document::Read(_, bytes) => {
                // The later checks work from the summaries, so the
                // document's bytes can go: most of a book is its content
                // documents.
                drop(bytes);
                files.release(path);
                results.next().expect("a scan for each document read")
            }
        };
        report.append(findings);
        if let Some(summary) = summary {
            summaries.insert(path.to_string(), summary);
        }
    }
    summaries
}

/// A content document to summarise: scanned as it was written, or read
/// from the archive with its media type.
enum Document<'p, 'f> {
    Scanned(Scan),
    Read(&'p str, EntryBytes<'f>),
}

/// Scans a document, or takes its scan from the page's last book.
fn scan_once(path: &str, media_type: &str, bytes: &[u8], in_spine: bool) -> Scan {
    memoized::scan(path, media_type, bytes, in_spine, || {
        let mut findings = Report::default();
        let summary = scan_document(path, media_type, bytes, in_spine, &mut findings);
        (summary, findings)
    })
}

/// A content document scanned while its EPUB was written, before its
/// bytes were freed, for [`super::check_epub_scanned`].
pub struct Scanned {
    pub(super) crc: u32,
    pub(super) size: u64,
    pub(super) media_type: &'static str,
    pub(super) in_spine: bool,
    pub(super) scan: Scan,
}

/// Scans entry `name` of an EPUB being written, when its name is that of
/// an XHTML or SVG document, as if the package lists it so and, for
/// XHTML, in the spine. The check of the finished EPUB uses the scan when
/// the package agrees and the archive has these bytes, and otherwise
/// reads the entry again.
pub fn scan_entry(name: &str, bytes: &[u8]) -> Option<Scanned> {
    let (media_type, in_spine) = if name.ends_with(".xhtml") {
        (XHTML_TYPE, true)
    } else if name.ends_with(".svg") {
        (SVG_TYPE, false)
    } else {
        return None;
    };
    Some(Scanned {
        crc: crc32fast::hash(bytes),
        size: bytes.len() as u64,
        media_type,
        in_spine,
        scan: scan_once(name, media_type, bytes, in_spine),
    })
}

/// A document's summary, or `None`, and its findings.
pub(super) type Scan = (Option<Summary>, Report);

/// The documents the page's worker scanned for its last book, kept for the
/// next (see [`crate::memo`]). Natively each is scanned every time.
#[cfg(target_arch = "wasm32")]
mod memoized {
    use std::cell::RefCell;

    use super::Scan;
    use crate::memo::{LIMIT, Memo};

    /// A scan, with the media type and place in the spine it was made for.
    type KeptScan = (String, bool, Scan);

    thread_local! {
        static SCANNED: RefCell<Memo<KeptScan>> = RefCell::new(Memo::new(LIMIT));
    }

    /// Returns the scan of document `path` kept from before when it had
    /// the same bytes, media type and place in the spine, or runs `scan`
    /// and keeps what it returns.
    pub(super) fn scan(
        path: &str,
        media_type: &str,
        bytes: &[u8],
        in_spine: bool,
        scan: impl FnOnce() -> Scan,
    ) -> Scan {
        let kept = SCANNED.with_borrow_mut(|memo| {
            memo.get(path, bytes)
                .filter(|(kept_type, kept_in_spine, _)| {
                    kept_type == media_type && *kept_in_spine == in_spine
                })
                .map(|(_, _, scan)| scan.clone())
        });
        if let Some(scan) = kept {
            return scan;
        }
        let scanned = scan();
        SCANNED.with_borrow_mut(|memo| {
            memo.keep(
                path,
                bytes,
                (media_type.to_string(), in_spine, scanned.clone()),
            );
        });
        scanned
    }

    /// Drops the scans of documents the book just checked did not have.
    pub(super) fn finish_round() {
        SCANNED.with_borrow_mut(|memo| memo.finish_round());
    }
}

/// Natively each process checks one book, so nothing is kept.
#[cfg(not(target_arch = "wasm32"))]
mod memoized {
    use super::Scan;

    pub(super) fn scan(
        _path: &str,
        _media_type: &str,
        _bytes: &[u8],
        _in_spine: bool,
        scan: impl FnOnce() -> Scan,
    ) -> Scan {
        scan()
    }

    pub(super) fn finish_round() {}
}

/// Parses one XHTML or SVG document and summarises it, or returns `None`
/// when it cannot be read as one. `in_spine` is whether a reading system
/// lays the document out as pages.
fn scan_document(
    path: &str,
    media_type: &str,
    bytes: &[u8],
    in_spine: bool,
    report: &mut Report,
) -> Option<Summary> {
    if media_type == XHTML_TYPE {
        check_store_rules(bytes, path, in_spine, report);
    }
    let text = as_utf8(bytes, path, report)?;
    let document = parse_xml(text, path, report)?;
    let root = document.root_element();
    if media_type == XHTML_TYPE && !root.has_tag_name((XHTML, "html")) {
        report.error(
            "RSC-005",
            path,
            line_of(&document, root.range().start),
            "the document is declared as XHTML but its root is not an XHTML html element; correct the media-type or the markup",
        );
        return None;
    }
    Some(scan(&document, &Lines::new(text), path, report))
}

/// The size that Quire's splitting keeps content documents under, for
/// reading systems built on Adobe's RMSDK.
const MAX_DOCUMENT_BYTES: usize = crate::split::MAX_DOCUMENT_BYTES;

/// Checks an XHTML document's bytes against rules that EPUB does not set
/// but stores and devices enforce: an XML declaration naming UTF-8 at
/// byte 0, and, for a document in the spine, a size that older reading
/// systems open. (Those systems do not open a navigation document that is
/// only the book's table of contents; they read the NCX.)
fn check_store_rules(bytes: &[u8], path: &str, in_spine: bool, report: &mut Report) {
    let declaration_end = bytes.iter().position(|byte| *byte == b'>');
    let declaration = bytes
        .starts_with(b"<?xml")
        .then(|| &bytes[..declaration_end.map_or(bytes.len(), |end| end + 1)]);
    match declaration {
        None => report.warning(
            "QUIRE-HTM-001",
            path,
            Some(1),
            "the document does not start with an XML declaration at byte 0; some reading systems need <?xml version=\"1.0\" encoding=\"utf-8\"?> first, with nothing (not even a byte order mark or a blank line) before it",
        ),
        Some(declaration) => {
            let declaration = String::from_utf8_lossy(declaration).to_ascii_lowercase();
            let utf8 = ["encoding=\"utf-8\"", "encoding='utf-8'"]
                .iter()
                .any(|form| declaration.contains(form));
            if !utf8 {
                report.warning(
                    "QUIRE-HTM-001",
                    path,
                    Some(1),
                    "the XML declaration does not name encoding=\"utf-8\"; some reading systems guess another encoding without it, so add it",
                );
            }
        }
    }
    if in_spine && bytes.len() > MAX_DOCUMENT_BYTES {
        report.warning(
            "QUIRE-RSC-001",
            path,
            None,
            format!(
                "the document is {} KB, more than the {} KB that older reading systems built on Adobe's RMSDK open; split it into several documents, at headings where possible",
                bytes.len().div_ceil(1024),
                MAX_DOCUMENT_BYTES / 1024
            ),
        );
    }
}

fn scan(document: &roxmltree::Document, lines: &Lines, path: &str, report: &mut Report) -> Summary {
    let mut summary = Summary::default();
    for node in document.descendants().filter(Node::is_element) {
        let line = || lines.line(node.range().start);
        let id = node.attribute("id").or_else(|| node.attribute((XML, "id")));
        if let Some(id) = id
            && !summary.ids.insert(id.to_string())
        {
            report.error(
                "RSC-005",
                path,
                line(),
                format!("the id \"{id}\" is used more than once in this document; make each id unique, or links to it go to the first"),
            );
        }

        let name = node.tag_name();
        match (name.namespace(), name.name()) {
            (Some(XHTML), "body") if id.is_some() => report.warning(
                "QUIRE-HTM-002",
                path,
                line(),
                "the body element has an id; Kindle is reported to reject a book with a link, nav or NCX entry that points at a body id, so remove the id and point links at the document or at an element inside the body",
            ),
            (Some(XHTML), "img") if node.attribute("src").is_none_or(|src| src.trim().is_empty()) => {
                report.error(
                    "RSC-005",
                    path,
                    line(),
                    "the img element has no src or an empty one; give it the path of an image in the EPUB, or remove it",
                )
            }
            (Some(MATHML), "math") => summary.has_mathml = true,
            (Some(SVG), "svg") => summary.has_svg = true,
            (Some(XHTML), "script") => {
                summary.has_script = true;
                report.warning(
                    "SCP-010",
                    path,
                    line(),
                    "the document contains a script; scripts are a security risk and many reading systems do not run them, so make sure the book works without it",
                );
            }
            (Some(XHTML), "form") => summary.has_script = true,
            _ => {}
        }
        for attribute in node.attributes() {
            let event_handler =
                attribute.namespace().is_none() && attribute.name().starts_with("on");
            if event_handler && name.namespace() == Some(XHTML) {
                summary.has_script = true;
                report.warning(
                    "QUIRE-SCP-002",
                    path,
                    line(),
                    format!(
                        "the {} attribute runs a script, which is a security risk; remove it",
                        attribute.name()
                    ),
                );
            }
        }

        for (url, kind) in references(node) {
            summary.links.push(Link {
                url: url.to_string(),
                line: line(),
                kind,
            });
        }
    }

    summary.has_remote_resources = summary.links.iter().any(|link| {
        link.kind != LinkKind::Hyperlink && paths::resolve(path, &link.url) == Target::Remote
    });

    let toc_nav = document.descendants().find(|node| {
        node.has_tag_name((XHTML, "nav"))
            && node
                .attribute((OPS, "type"))
                .is_some_and(|types| types.split_ascii_whitespace().any(|t| t == "toc"))
    });
    if let Some(nav) = toc_nav {
        let links = nav
            .descendants()
            .filter(|node| node.has_tag_name((XHTML, "a")))
            .filter_map(|node| {
                Some(Link {
                    url: node.attribute("href")?.to_string(),
                    line: lines.line(node.range().start),
                    kind: LinkKind::Hyperlink,
                })
            })
            .collect();
        summary.toc = Some(links);
    }
    summary
}

/// Returns the URLs an element refers to, with how each is used.
fn references<'a>(node: Node<'a, '_>) -> Vec<(&'a str, LinkKind)> {
    let name = node.tag_name();
    let mut found = Vec::new();
    let mut take = |attribute: &str, kind: LinkKind| {
        if let Some(url) = node.attribute(attribute) {
            found.push((url, kind));
        }
    };
    match (name.namespace(), name.name()) {
        (Some(XHTML), "a" | "area") => take("href", LinkKind::Hyperlink),
        (Some(XHTML), "link") => {
            let stylesheet = node.attribute("rel").is_some_and(|rel| {
                rel.split_ascii_whitespace()
                    .any(|r| r.eq_ignore_ascii_case("stylesheet"))
            });
            take(
                "href",
                if stylesheet {
                    LinkKind::Resource
                } else {
                    LinkKind::Hyperlink
                },
            );
        }
        (Some(XHTML), "img" | "iframe" | "embed" | "script" | "input") => {
            take("src", LinkKind::Resource)
        }
        (Some(XHTML), "object") => take("data", LinkKind::Resource),
        (Some(XHTML), "audio" | "video" | "source" | "track") => {
            take("src", LinkKind::Media);
            take("poster", LinkKind::Resource);
        }
        (Some(SVG), "image" | "use" | "feImage" | "a") => {
            let kind = if name.name() == "a" {
                LinkKind::Hyperlink
            } else {
                LinkKind::Resource
            };
            match node.attribute((XLINK, "href")) {
                Some(url) => found.push((url, kind)),
                None => {
                    if let Some(url) = node.attribute("href") {
                        found.push((url, kind));
                    }
                }
            }
        }
        _ => {}
    }
    found
}

/// Resolves every link of every content document.
pub(super) fn check_links(
    files: &Files,
    package: &Package,
    summaries: &HashMap<String, Summary>,
    report: &mut Report,
) {
    let manifest: HashSet<&str> = package
        .items
        .iter()
        .filter_map(|item| item.path.as_deref())
        .collect();
    let mut documents: Vec<&String> = summaries.keys().collect();
    documents.sort();

    for from in documents {
        for link in &summaries[from].links {
            check_link(files, &manifest, summaries, from, link, report);
        }
    }
}

fn check_link(
    files: &Files,
    manifest: &HashSet<&str>,
    summaries: &HashMap<String, Summary>,
    from: &str,
    link: &Link,
    report: &mut Report,
) {
    let url = link.url.as_str();
    match paths::resolve(from, url) {
        Target::Script => report.warning(
            "QUIRE-SCP-001",
            from,
            link.line,
            format!("the link \"{}\" runs JavaScript, which is a security risk and does nothing in most reading systems; link to a page instead", shorten(url)),
        ),
        Target::Remote => {
            if link.kind == LinkKind::Resource {
                report.error(
                    "RSC-006",
                    from,
                    link.line,
                    format!("the document loads {} from the web, which EPUB forbids for images, stylesheets, scripts and frames; put the file in the EPUB", shorten(url)),
                );
            }
        }
        Target::OtherScheme => {}
        Target::OutsideContainer => report.error(
            "RSC-026",
            from,
            link.line,
            format!("the link \"{}\" climbs above the EPUB's root folder; correct the path", shorten(url)),
        ),
        Target::SameDocument(fragment) => {
            check_fragment(summaries, from, from, &fragment, link, report);
        }
        Target::Local { path, fragment } => {
            if !files.contains(&path) {
                report.error(
                    "RSC-007",
                    from,
                    link.line,
                    format!("the link \"{}\" points to {path}, which is not in the EPUB; add the file or correct the link", shorten(url)),
                );
            } else if !manifest.contains(path.as_str()) {
                report.error(
                    "RSC-008",
                    from,
                    link.line,
                    format!("the link \"{}\" points to {path}, which is in the EPUB but not in the manifest; list it in the manifest", shorten(url)),
                );
            } else if let Some(fragment) = fragment {
                check_fragment(summaries, from, &path, &fragment, link, report);
            }
        }
    }
}

fn check_fragment(
    summaries: &HashMap<String, Summary>,
    from: &str,
    target: &str,
    fragment: &str,
    link: &Link,
    report: &mut Report,
) {
    // Empty fragments, EPUB CFIs and SVG views are not element ids.
    if fragment.is_empty() || fragment.starts_with("epubcfi(") || fragment.contains('(') {
        return;
    }
    let Some(summary) = summaries.get(target) else {
        return;
    };
    if !summary.ids.contains(fragment) {
        report.error(
            "RSC-012",
            from,
            link.line,
            format!("the link \"{}\" names the fragment \"{fragment}\", but {target} has no element with that id; correct the link or add the id", shorten(&link.url)),
        );
    }
}

/// Shortens a long URL for a message.
fn shorten(url: &str) -> String {
    const MAX_CHARS: usize = 80;
    if url.chars().count() <= MAX_CHARS {
        url.to_string()
    } else {
        let start: String = url.chars().take(MAX_CHARS).collect();
        format!("{start}…")
    }
}
