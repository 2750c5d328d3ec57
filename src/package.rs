//! The EPUB's documents around the chapters: the container file, the
//! package document (metadata, manifest, spine), the navigation document
//! and its EPUB 2 twin `toc.ncx`, the title page, the cover page, and the
//! XHTML wrapper every content document shares.
//!
//! All of them are built with [`XmlWriter`], which escapes every value.

use std::collections::HashMap;

use crate::accessibility::{self, AccessibilityMetadata};
use crate::bidi::set_block_directions;
use crate::images::StoredImage;
use crate::locale::{self, Direction, Labels};
use crate::mdbook::SummaryItem;
use crate::metadata::Metadata;
use crate::xhtml::HeadingInfo;
use crate::xml::{XmlWriter, attribute_spans, attributes, tag_length, tag_name};

/// The folder in the zip that contains the package document and everything it lists.
pub const ROOT: &str = "EPUB";

/// A chapter ready to be packaged.
#[derive(Debug, Clone)]
pub struct ChapterDocument {
    /// Path relative to the package document, such as `text/intro.xhtml`.
    pub href: String,
    /// Manifest id.
    pub id: String,
    /// Title for the document's `<title>` and the table of contents.
    pub title: String,
    /// The finished XHTML body content.
    pub body: String,
    pub headings: Vec<HeadingInfo>,
    /// Whether the body contains MathML, which EPUB 3 requires the
    /// manifest to declare with the `mathml` property.
    pub mathml: bool,
}

/// A stylesheet in the book.
#[derive(Debug, Clone)]
pub struct Stylesheet {
    pub href: String,
    pub id: String,
    pub content: String,
}

/// Another file in the manifest that no document refers to by itself,
/// such as a font a stylesheet uses.
#[derive(Debug, Clone)]
pub struct Resource {
    pub href: String,
    pub id: String,
    pub media_type: &'static str,
}

/// Everything the package documents describe.
pub struct Package<'a> {
    pub metadata: &'a Metadata,
    /// The title, after falling back to the first heading.
    pub title: &'a str,
    pub identifier: &'a str,
    /// A valid BCP 47 tag.
    pub lang: &'a str,
    /// `dcterms:modified`, as `YYYY-MM-DDThh:mm:ssZ`.
    pub modified: &'a str,
    pub chapters: &'a [ChapterDocument],
    pub images: &'a [StoredImage],
    /// The manifest id of the cover image, which is among `images`.
    pub cover_id: Option<&'a str>,
    pub stylesheets: &'a [Stylesheet],
    pub resources: &'a [Resource],
    /// Headings deeper than this level are left out of the table of contents.
    pub toc_depth: u8,
    /// The table of contents, built from the chapters' headings or from an
    /// mdBook summary.
    pub toc: Vec<TocEntry>,
    /// Whether the book is set in vertical lines, which read from right to
    /// left.
    pub vertical: bool,
    /// The `schema:` accessibility properties and conformance claim.
    pub accessibility: &'a AccessibilityMetadata,
}

pub const TITLE_PAGE: &str = "title.xhtml";
pub const COVER_PAGE: &str = "cover.xhtml";
pub const NAV: &str = "nav.xhtml";
pub const NCX: &str = "toc.ncx";

/// Returns `META-INF/container.xml`, which points reading systems at the
/// package document.
pub fn container_xml() -> String {
    let mut xml = XmlWriter::new();
    xml.start(
        "container",
        &[
            ("version", "1.0"),
            ("xmlns", "urn:oasis:names:tc:opendocument:xmlns:container"),
        ],
    );
    xml.start("rootfiles", &[]);
    let full_path = format!("{ROOT}/package.opf");
    xml.empty_element(
        "rootfile",
        &[
            ("full-path", &full_path),
            ("media-type", "application/oebps-package+xml"),
        ],
    );
    xml.finish()
}

/// Returns a complete XHTML content document around `body`, which must
/// already be well-formed and escaped. The language sets `lang`, and a
/// right-to-left language sets `dir` too. Blocks of `body` written in the
/// other direction get a `dir` of their own.
pub fn xhtml_document(
    title: &str,
    lang: &str,
    stylesheets: &[String],
    body_type: Option<(&str, &str)>,
    body: &str,
) -> String {
    let direction = locale::direction(lang);
    let body = set_block_directions(body, direction);
    let mut html_attributes = vec![
        ("xmlns", "http://www.w3.org/1999/xhtml"),
        ("xmlns:epub", "http://www.idpf.org/2007/ops"),
        ("lang", lang),
        ("xml:lang", lang),
    ];
    if direction == Direction::Rtl {
        html_attributes.push(("dir", "rtl"));
    }

    // The head and the wrapping elements take well under 1 KB besides the
    // stylesheet links.
    let head_bytes: usize = 1024
        + stylesheets
            .iter()
            .map(|href| href.len() + 64)
            .sum::<usize>();
    let mut xml = XmlWriter::with_capacity(body.len() + head_bytes);
    xml.raw_line("<!DOCTYPE html>");
    xml.start("html", &html_attributes);
    xml.start("head", &[]);
    xml.empty_element("meta", &[("charset", "utf-8")]);
    xml.text_element("title", &[], title);
    for href in stylesheets {
        xml.empty_element(
            "link",
            &[("rel", "stylesheet"), ("type", "text/css"), ("href", href)],
        );
    }
    xml.end();
    xml.start("body", &[]);
    match body_type {
        Some((epub_type, role)) => {
            let mut attributes = vec![("epub:type", epub_type)];
            if !role.is_empty() {
                attributes.push(("role", role));
            }
            xml.start("section", &attributes);
            xml.trusted_markup(&body);
            xml.end();
        }
        None => xml.trusted_markup(&body),
    }
    xml.finish()
}

/// Returns the title page's body.
pub fn title_page_body(title: &str, metadata: &Metadata) -> String {
    let mut xml = XmlWriter::new();
    xml.start("div", &[("class", "titlepage")]);
    xml.text_element("h1", &[("class", "title")], title);
    if let Some(subtitle) = &metadata.subtitle {
        xml.text_element("p", &[("class", "subtitle")], subtitle);
    }
    for author in metadata.authors.iter().flatten() {
        xml.text_element("p", &[("class", "author")], author);
    }
    if let Some(publisher) = &metadata.publisher {
        xml.text_element("p", &[("class", "publisher")], publisher);
    }
    if let Some(date) = &metadata.date {
        xml.text_element("p", &[("class", "date")], date);
    }
    if let Some(rights) = &metadata.rights {
        xml.text_element("p", &[("class", "rights")], rights);
    }
    strip_declaration(xml.finish())
}

/// Returns the cover page's body: the image alone, with no link.
pub fn cover_page_body(image_href: &str, title: &str) -> String {
    let mut xml = XmlWriter::new();
    xml.start("div", &[("class", "cover")]);
    xml.empty_element(
        "img",
        &[("src", image_href), ("alt", title), ("role", "doc-cover")],
    );
    strip_declaration(xml.finish())
}

fn strip_declaration(document: String) -> String {
    match document.split_once('\n') {
        Some((declaration, rest)) if declaration.starts_with("<?xml") => rest.to_string(),
        _ => document,
    }
}

/// An entry of the table of contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TocEntry {
    pub label: String,
    /// Path relative to the package document, with a fragment for headings
    /// after a chapter's first.
    pub href: String,
    pub children: Vec<TocEntry>,
}

/// Builds the nested table of contents: each chapter's headings, nested by
/// level, down to `toc_depth`. A chapter's first heading, or its title if
/// it has none, always appears, so every chapter can be reached.
pub fn toc_entries(chapters: &[ChapterDocument], toc_depth: u8) -> Vec<TocEntry> {
    // Path of indexes from the root to the last entry added, with its level.
    let mut roots: Vec<TocEntry> = Vec::new();
    let mut open: Vec<usize> = Vec::new();

    for chapter in chapters {
        let mut items: Vec<(u8, String, String)> = Vec::new();
        match chapter.headings.first() {
            Some(first) => items.push((
                first.level,
                non_empty(&first.text, &chapter.title),
                chapter.href.clone(),
            )),
            None => items.push((1, chapter.title.clone(), chapter.href.clone())),
        }
        for heading in chapter
            .headings
            .iter()
            .skip(1)
            .filter(|heading| heading.level <= toc_depth)
        {
            items.push((
                heading.level,
                non_empty(&heading.text, &chapter.title),
                format!("{}#{}", chapter.href, heading.id),
            ));
        }

        for (level, label, href) in items {
            let entry = TocEntry {
                label,
                href,
                children: Vec::new(),
            };
            insert_nested(&mut roots, &mut open, usize::from(level), entry);
        }
    }
    roots
}

/// Builds the table of contents of an mdBook book from its `SUMMARY.md`:
/// the summary's titles, nesting and part titles, and below each chapter
/// its own headings after the first, down to `toc_depth`.
pub fn toc_from_summary(
    items: &[SummaryItem],
    chapters: &[ChapterDocument],
    chapter_of_source: &HashMap<String, usize>,
    toc_depth: u8,
) -> Vec<TocEntry> {
    let href_of = |path: &str| chapter_of_source.get(path).map(|index| &chapters[*index]);
    let mut roots: Vec<TocEntry> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    let mut in_part = false;

    for (position, item) in items.iter().enumerate() {
        let (depth, entry) = match item {
            SummaryItem::Part(title) => {
                // A part links to its first chapter, since EPUB 2's NCX
                // needs a target for every entry.
                let first = items[position + 1..].iter().find_map(|next| match next {
                    SummaryItem::Chapter { path, .. } => href_of(path),
                    _ => None,
                });
                let Some(first) = first else { continue };
                in_part = true;
                let entry = TocEntry {
                    label: title.clone(),
                    href: first.href.clone(),
                    children: Vec::new(),
                };
                (0, entry)
            }
            SummaryItem::Chapter {
                path,
                title,
                depth,
                numbered,
            } => {
                let Some(chapter) = href_of(path) else {
                    continue;
                };
                let entry = TocEntry {
                    label: non_empty(title, &chapter.title),
                    href: chapter.href.clone(),
                    children: heading_children(chapter, toc_depth),
                };
                (depth + usize::from(in_part && *numbered), entry)
            }
            SummaryItem::Draft { .. } => continue,
        };
        insert_nested(&mut roots, &mut open, depth, entry);
    }
    roots
}

/// Returns a chapter's headings after its first, nested by level, down to
/// `toc_depth`.
fn heading_children(chapter: &ChapterDocument, toc_depth: u8) -> Vec<TocEntry> {
    let mut roots: Vec<TocEntry> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    for heading in chapter
        .headings
        .iter()
        .skip(1)
        .filter(|heading| heading.level <= toc_depth)
    {
        let entry = TocEntry {
            label: non_empty(&heading.text, &chapter.title),
            href: format!("{}#{}", chapter.href, heading.id),
            children: Vec::new(),
        };
        insert_nested(&mut roots, &mut open, usize::from(heading.level), entry);
    }
    roots
}

/// Adds `entry` at `level` to a tree built in document order: it becomes a
/// child of the last entry with a lower level, or a root. `open` holds the
/// levels of the path from the roots to the last entry added.
fn insert_nested(roots: &mut Vec<TocEntry>, open: &mut Vec<usize>, level: usize, entry: TocEntry) {
    while open.last().is_some_and(|last| *last >= level) {
        open.pop();
    }
    let mut siblings = roots;
    for _ in 0..open.len() {
        siblings = &mut siblings
            .last_mut()
            .expect("open levels have entries")
            .children;
    }
    siblings.push(entry);
    open.push(level);
}

fn non_empty(text: &str, fallback: &str) -> String {
    if text.trim().is_empty() {
        fallback.to_string()
    } else {
        text.to_string()
    }
}

/// Returns the navigation document's body: the table of contents and the
/// landmarks, headed in the book's language.
pub fn nav_body(toc: &[TocEntry], labels: &Labels, landmarks: &[(&str, &str, &str)]) -> String {
    let mut xml = XmlWriter::new();
    xml.start(
        "nav",
        &[("epub:type", "toc"), ("id", "toc"), ("role", "doc-toc")],
    );
    xml.text_element("h1", &[], labels.contents);
    write_toc_list(&mut xml, toc);
    xml.end();

    xml.start(
        "nav",
        &[
            ("epub:type", "landmarks"),
            ("id", "landmarks"),
            ("hidden", "hidden"),
        ],
    );
    xml.text_element("h2", &[], labels.landmarks);
    xml.start("ol", &[]);
    for (epub_type, href, label) in landmarks {
        xml.start("li", &[]);
        xml.text_element("a", &[("epub:type", epub_type), ("href", href)], label);
        xml.end();
    }
    strip_declaration(xml.finish())
}

fn write_toc_list(xml: &mut XmlWriter, entries: &[TocEntry]) {
    xml.start("ol", &[]);
    for entry in entries {
        xml.start("li", &[]);
        xml.text_element("a", &[("href", &entry.href)], &entry.label);
        if !entry.children.is_empty() {
            write_toc_list(xml, &entry.children);
        }
        xml.end();
    }
    xml.end();
}

/// Returns `toc.ncx`, the EPUB 2 table of contents that older reading
/// systems (and Kindle's converter) still read.
pub fn ncx(package: &Package<'_>, toc: &[TocEntry]) -> String {
    let mut xml = XmlWriter::new();
    xml.start(
        "ncx",
        &[
            ("xmlns", "http://www.daisy.org/z3986/2005/ncx/"),
            ("version", "2005-1"),
            ("xml:lang", package.lang),
        ],
    );
    xml.start("head", &[]);
    xml.empty_element(
        "meta",
        &[("name", "dtb:uid"), ("content", package.identifier)],
    );
    let depth = toc_depth(toc).to_string();
    xml.empty_element("meta", &[("name", "dtb:depth"), ("content", &depth)]);
    xml.empty_element("meta", &[("name", "dtb:totalPageCount"), ("content", "0")]);
    xml.empty_element("meta", &[("name", "dtb:maxPageNumber"), ("content", "0")]);
    xml.end();
    xml.start("docTitle", &[]);
    xml.text_element("text", &[], package.title);
    xml.end();
    xml.start("navMap", &[]);
    write_nav_points(&mut xml, toc, &mut HashMap::new(), &mut 0);
    xml.finish()
}

fn toc_depth(entries: &[TocEntry]) -> usize {
    entries
        .iter()
        .map(|entry| 1 + toc_depth(&entry.children))
        .max()
        .unwrap_or(0)
}

/// Writes `navPoint`s. `play_orders` maps each target to its playOrder, and
/// `count` numbers the navPoints for their ids.
fn write_nav_points(
    xml: &mut XmlWriter,
    entries: &[TocEntry],
    play_orders: &mut HashMap<String, usize>,
    count: &mut usize,
) {
    for entry in entries {
        *count += 1;
        // Entries with the same target must share a playOrder (a part
        // title and its first chapter, say).
        let next = play_orders.len() + 1;
        let order = *play_orders.entry(entry.href.clone()).or_insert(next);
        let id = format!("navpoint-{count}");
        let order = order.to_string();
        xml.start("navPoint", &[("id", &id), ("playOrder", &order)]);
        xml.start("navLabel", &[]);
        xml.text_element("text", &[], &entry.label);
        xml.end();
        xml.empty_element("content", &[("src", &entry.href)]);
        write_nav_points(xml, &entry.children, play_orders, count);
        xml.end();
    }
}

/// Returns the package document.
/// Writes the package document. The spine lists the navigation document
/// only with `nav_in_spine`: a table of contents too large for one content
/// document stays the book's navigation without being a page.
pub fn package_document(package: &Package<'_>, has_title_page: bool, nav_in_spine: bool) -> String {
    let metadata = package.metadata;
    let direction = locale::direction(package.lang);
    let mut package_attributes = vec![
        ("xmlns", "http://www.idpf.org/2007/opf"),
        ("version", "3.0"),
        ("unique-identifier", "book-id"),
        ("xml:lang", package.lang),
    ];
    // The metadata's text direction, for reading systems that show it.
    if direction == Direction::Rtl {
        package_attributes.push(("dir", "rtl"));
    }
    let mut xml = XmlWriter::new();
    xml.start("package", &package_attributes);

    xml.start(
        "metadata",
        &[("xmlns:dc", "http://purl.org/dc/elements/1.1/")],
    );
    xml.text_element("dc:identifier", &[("id", "book-id")], package.identifier);
    xml.text_element("dc:title", &[("id", "title")], package.title);
    if let Some(subtitle) = &metadata.subtitle {
        xml.text_element(
            "meta",
            &[("refines", "#title"), ("property", "title-type")],
            "main",
        );
        xml.text_element("dc:title", &[("id", "subtitle")], subtitle);
        xml.text_element(
            "meta",
            &[("refines", "#subtitle"), ("property", "title-type")],
            "subtitle",
        );
    }
    for (index, author) in metadata.authors.iter().flatten().enumerate() {
        let id = format!("creator-{}", index + 1);
        xml.text_element("dc:creator", &[("id", &id)], author);
        let refines = format!("#{id}");
        xml.text_element(
            "meta",
            &[
                ("refines", &refines),
                ("property", "role"),
                ("scheme", "marc:relators"),
            ],
            "aut",
        );
    }
    for contributor in metadata.contributors.iter().flatten() {
        xml.text_element("dc:contributor", &[], contributor);
    }
    xml.text_element("dc:language", &[], package.lang);
    if let Some(date) = &metadata.date {
        xml.text_element("dc:date", &[], date);
    }
    if let Some(publisher) = &metadata.publisher {
        xml.text_element("dc:publisher", &[], publisher);
    }
    if let Some(rights) = &metadata.rights {
        xml.text_element("dc:rights", &[], rights);
    }
    if let Some(description) = &metadata.description {
        xml.text_element("dc:description", &[], description);
    }
    for subject in metadata.subjects.iter().flatten() {
        xml.text_element("dc:subject", &[], subject);
    }
    xml.text_element(
        "meta",
        &[("property", "dcterms:modified")],
        package.modified,
    );
    // Quire's own summary is in English; one from the metadata is taken
    // to be in the book's language.
    let summary_lang = if metadata.accessibility.summary.is_some()
        || package.lang == "en"
        || package.lang.starts_with("en-")
    {
        ""
    } else {
        "en"
    };
    accessibility::write_metadata(&mut xml, package.accessibility, summary_lang);
    if let Some(cover_id) = package.cover_id {
        // EPUB 2 reading systems find the cover this way.
        xml.empty_element("meta", &[("name", "cover"), ("content", cover_id)]);
    }
    xml.end();

    xml.start("manifest", &[]);
    xml.empty_element(
        "item",
        &[
            ("id", "nav"),
            ("href", NAV),
            ("media-type", "application/xhtml+xml"),
            ("properties", "nav"),
        ],
    );
    xml.empty_element(
        "item",
        &[
            ("id", "ncx"),
            ("href", NCX),
            ("media-type", "application/x-dtbncx+xml"),
        ],
    );
    if package.cover_id.is_some() {
        xml.empty_element(
            "item",
            &[
                ("id", "cover-page"),
                ("href", COVER_PAGE),
                ("media-type", "application/xhtml+xml"),
            ],
        );
    }
    if has_title_page {
        xml.empty_element(
            "item",
            &[
                ("id", "title-page"),
                ("href", TITLE_PAGE),
                ("media-type", "application/xhtml+xml"),
            ],
        );
    }
    for chapter in package.chapters {
        let mut attributes = vec![
            ("id", chapter.id.as_str()),
            ("href", chapter.href.as_str()),
            ("media-type", "application/xhtml+xml"),
        ];
        if chapter.mathml {
            attributes.push(("properties", "mathml"));
        }
        xml.empty_element("item", &attributes);
    }
    for image in package.images {
        let mut attributes = vec![
            ("id", image.id.as_str()),
            ("href", image.href.as_str()),
            ("media-type", image.image_type.media_type()),
        ];
        if package.cover_id == Some(image.id.as_str()) {
            attributes.push(("properties", "cover-image"));
        }
        xml.empty_element("item", &attributes);
    }
    for stylesheet in package.stylesheets {
        xml.empty_element(
            "item",
            &[
                ("id", &stylesheet.id),
                ("href", &stylesheet.href),
                ("media-type", "text/css"),
            ],
        );
    }
    for resource in package.resources {
        xml.empty_element(
            "item",
            &[
                ("id", &resource.id),
                ("href", &resource.href),
                ("media-type", resource.media_type),
            ],
        );
    }
    xml.end();

    let mut spine_attributes = vec![("toc", "ncx")];
    // A direction from the metadata wins. Otherwise, right-to-left and
    // vertical books turn their pages from right to left.
    let progression = match metadata.page_progression_direction.as_deref() {
        Some(given @ ("ltr" | "rtl")) => Some(given),
        Some(_) => None,
        None if package.vertical || direction == Direction::Rtl => Some("rtl"),
        None => None,
    };
    if let Some(progression) = progression {
        spine_attributes.push(("page-progression-direction", progression));
    }
    xml.start("spine", &spine_attributes);
    if package.cover_id.is_some() {
        xml.empty_element("itemref", &[("idref", "cover-page")]);
    }
    if has_title_page {
        xml.empty_element("itemref", &[("idref", "title-page")]);
    }
    if nav_in_spine {
        xml.empty_element("itemref", &[("idref", "nav")]);
    }
    for chapter in package.chapters {
        xml.empty_element("itemref", &[("idref", &chapter.id)]);
    }
    declare_reserved_prefixes(xml.finish())
}

/// Reserved prefixes of EPUB 3.3 that the package document declares on
/// `<package prefix>` when it uses them. Reading systems know them without
/// a declaration, but store ingestion checks, Apple's among them, are
/// reported to reject a property whose prefix is not declared.
pub const DECLARED_PREFIXES: &[(&str, &str)] = &[
    ("a11y", "http://www.idpf.org/epub/vocab/package/a11y/#"),
    ("rendition", "http://www.idpf.org/vocab/rendition/#"),
    ("schema", "http://schema.org/"),
];

/// Adds to the `<package>` start tag of a package document a `prefix`
/// attribute that declares each prefix of [`DECLARED_PREFIXES`] used in a
/// `property`, `properties`, `rel` or `scheme` value, keeping any
/// declaration already there.
pub fn declare_reserved_prefixes(document: String) -> String {
    let mut used: Vec<&str> = Vec::new();
    let mut package_tag = None;
    let mut index = 0;
    while let Some(offset) = document[index..].find('<') {
        let at = index + offset;
        let end = tag_length(&document[at..]);
        let tag = &document[at..at + end];
        index = at + end;
        if tag_name(tag) == "package" {
            package_tag = Some(at..at + end);
        }
        for (name, value) in attributes(tag) {
            if !matches!(name, "property" | "properties" | "rel" | "scheme") {
                continue;
            }
            for token in value.split_ascii_whitespace() {
                let Some((prefix, _)) = token.split_once(':') else {
                    continue;
                };
                if DECLARED_PREFIXES.iter().any(|(known, _)| *known == prefix)
                    && !used.contains(&prefix)
                {
                    used.push(prefix);
                }
            }
        }
    }
    let Some(package_tag) = package_tag else {
        return document;
    };

    let tag = &document[package_tag.clone()];
    let existing = attribute_spans(tag).find(|(name, _)| *name == "prefix");
    let declared = existing
        .as_ref()
        .map(|(_, value)| declared_prefixes(&tag[value.clone()]))
        .unwrap_or_default();
    let mut added = String::new();
    for (prefix, uri) in DECLARED_PREFIXES {
        if used.contains(prefix) && !declared.iter().any(|name| name == prefix) {
            if !added.is_empty() {
                added.push(' ');
            }
            added.push_str(&format!("{prefix}: {uri}"));
        }
    }
    if added.is_empty() {
        return document;
    }
    let (insert_at, insertion) = match existing {
        Some((_, value)) => (package_tag.start + value.end, format!(" {added}")),
        None => (
            package_tag.start + "<package".len(),
            format!(" prefix=\"{added}\""),
        ),
    };
    let mut out = document;
    out.insert_str(insert_at, &insertion);
    out
}

/// Returns the prefixes a `prefix` attribute declares, which is a list of
/// `name: URI` pairs.
fn declared_prefixes(value: &str) -> Vec<String> {
    value
        .split_ascii_whitespace()
        .filter_map(|token| token.strip_suffix(':'))
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chapter(href: &str, headings: &[(u8, &str)]) -> ChapterDocument {
        ChapterDocument {
            href: href.to_string(),
            id: href.replace(['/', '.'], "-"),
            title: href.to_string(),
            body: String::new(),
            headings: headings
                .iter()
                .map(|(level, text)| HeadingInfo {
                    level: *level,
                    text: text.to_string(),
                    id: text.to_lowercase(),
                })
                .collect(),
            mathml: false,
        }
    }

    #[test]
    fn toc_nests_by_level_across_chapters() {
        let chapters = [
            chapter(
                "text/a.xhtml",
                &[(1, "A"), (2, "A1"), (4, "Deep"), (2, "A2")],
            ),
            chapter("text/b.xhtml", &[(2, "B")]),
            chapter("text/c.xhtml", &[]),
        ];
        let toc = toc_entries(&chapters, 3);
        assert_eq!(toc.len(), 2, "{toc:#?}");
        assert_eq!(toc[0].label, "A");
        assert_eq!(toc[0].href, "text/a.xhtml");
        let children: Vec<&str> = toc[0]
            .children
            .iter()
            .map(|entry| entry.label.as_str())
            .collect();
        assert_eq!(
            children,
            ["A1", "A2", "B"],
            "level 4 left out, B nests under A"
        );
        assert_eq!(toc[0].children[0].href, "text/a.xhtml#a1");
        assert_eq!(toc[1].label, "text/c.xhtml");
    }

    #[test]
    fn used_reserved_prefixes_declared() {
        let document = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<package xmlns=\"http://www.idpf.org/2007/opf\" version=\"3.0\">\n<meta property=\"schema:accessMode\">textual</meta>\n<meta property=\"dcterms:modified\">x</meta>\n<itemref idref=\"a\" properties=\"page-spread-left rendition:layout-reflowable\" />\n</package>\n".to_string();
        let declared = declare_reserved_prefixes(document);
        assert!(
            declared.contains("<package prefix=\"rendition: http://www.idpf.org/vocab/rendition/# schema: http://schema.org/\" xmlns="),
            "{declared}"
        );
        assert!(
            !declared.contains("a11y:"),
            "unused prefix declared: {declared}"
        );
    }

    #[test]
    fn existing_prefix_attribute_extended() {
        let document = "<package prefix=\"schema: http://schema.org/\" version=\"3.0\"><meta property=\"schema:accessMode\">textual</meta><meta property=\"a11y:certifiedBy\">Q</meta></package>".to_string();
        let declared = declare_reserved_prefixes(document);
        assert!(
            declared.starts_with("<package prefix=\"schema: http://schema.org/ a11y: http://www.idpf.org/epub/vocab/package/a11y/#\" "),
            "{declared}"
        );
    }

    #[test]
    fn no_prefix_without_reserved_properties() {
        let document = "<package version=\"3.0\"><meta property=\"dcterms:modified\">x</meta><meta refines=\"#c\" property=\"role\" scheme=\"marc:relators\">aut</meta></package>".to_string();
        assert_eq!(declare_reserved_prefixes(document.clone()), document);
    }

    #[test]
    fn document_escapes_title() {
        let document = xhtml_document(
            "A & <B>",
            "en",
            &["styles/quire.css".to_string()],
            None,
            "<p>x</p>",
        );
        assert!(document.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>"));
        assert!(document.contains("<title>A &amp; &lt;B&gt;</title>"));
        assert!(
            roxmltree::Document::parse_with_options(
                &document,
                roxmltree::ParsingOptions {
                    allow_dtd: true,
                    ..Default::default()
                }
            )
            .is_ok()
        );
    }
}
