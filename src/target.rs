//! Rules for where a book is going. A book that passes EPUBCheck can still
//! be rejected by a store or break on a device. So a [`Target`] adjusts
//! the built-in stylesheet and the table of contents before packaging, and
//! checks and edits the finished entries before they are zipped:
//!
//! - kindle: Amazon's languages, stylesheet, table of contents depth, alt
//!   text, image kinds, cover size and e-mail size limit.
//! - apple: image pixel counts, the Apple Books options for embedded fonts
//!   and `ibooks:version`.
//! - kobo: KEPUB ([`crate::kepub`]), file names and document sizes.
//! - google: a cover, and SVG images of at most 3,200 units a side.
//! - legacy: Adobe RMSDK devices, with no `var()` or `calc()` in the
//!   built-in stylesheet, plain NCX fragment ids and a `guide`.
//!
//! The stylesheet edits live in `target/stylesheet.rs`, and the legacy
//! target's ids and guide in `target/legacy.rs`.
//!
//! NOTE: stores change their limits and language lists, so a warning may
//! lag behind what a store takes today.

mod legacy;
mod stylesheet;

pub use stylesheet::{adjust_stylesheet, check_stylesheet};

use std::borrow::Cow;
use std::collections::HashMap;

use crate::epub::Entries;
use crate::error::{Warning, Warnings, megabytes};
use crate::images::{ImageType, StoredImage, pixel_size, sniff};
use crate::kepub::{Token, attribute, kepubify, tokens, unescape};
use crate::links::encode_url;
use crate::package::{ROOT, TocEntry};
use crate::xml::{XmlWriter, escape_attribute_into};

/// A store or family of reading systems a book is made for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Amazon Kindle, through Send to Kindle or KDP.
    Kindle,
    /// Apple Books.
    Apple,
    /// Kobo readers, as a KEPUB.
    Kobo,
    /// Google Play Books.
    Google,
    /// Older reading systems built on Adobe RMSDK.
    Legacy,
}

/// The names of the targets, as the command line and the page take them.
pub const TARGET_NAMES: [&str; 5] = ["kindle", "apple", "kobo", "google", "legacy"];

/// The default pixel count above which the apple target warns about an
/// image.
pub const DEFAULT_MAX_IMAGE_PIXELS: u64 = 4_000_000;

/// The largest book Send to Kindle takes by e-mail.
pub const KINDLE_MAX_BYTES: usize = 50 * 1024 * 1024;

/// The deepest table of contents Kindle shows.
pub const KINDLE_TOC_DEPTH: usize = 2;

/// The longest alt text, in characters, that the kindle target takes
/// without a warning.
pub const KINDLE_MAX_ALT_CHARS: usize = 140;

/// Kindle's cover minimum and ideal, as width and height in pixels.
pub const KINDLE_COVER_MIN: (u32, u32) = (625, 1000);
pub const KINDLE_COVER_IDEAL: (u32, u32) = (1600, 2560);

/// The largest XHTML document, in bytes, that the kobo target takes
/// without a warning.
pub const KOBO_MAX_DOCUMENT_BYTES: usize = 10 * 1024 * 1024;

/// Google Play Books' limit on an SVG image's width and height.
pub const GOOGLE_MAX_SVG_SIDE: f64 = 3200.0;

/// The primary language subtags of the languages KDP accepts for e-books,
/// as its list of supported languages names them.
const KINDLE_LANGUAGES: [&str; 44] = [
    "af", "ar", "br", "ca", "co", "cy", "da", "de", "en", "es", "eu", "fi", "fr", "frr", "frs",
    "fy", "ga", "gd", "gl", "gsw", "gu", "gv", "hi", "is", "it", "ja", "kw", "lb", "ml", "mr",
    "nb", "nl", "nn", "no", "oc", "pl", "pt", "rm", "sco", "sv", "ta", "uk", "yi", "zh",
];

/// The `ibooks:` prefix, which Apple Books' metadata properties use.
const IBOOKS_PREFIX: &str =
    "ibooks: http://vocabulary.itunes.apple.com/rdf/ibooks/vocabulary-extensions-1.0/";

/// The file Apple Books reads its display options from.
pub const APPLE_DISPLAY_OPTIONS: &str = "META-INF/com.apple.ibooks.display-options.xml";

impl Target {
    /// Returns the target with this name, or `None` for an unknown name.
    pub fn from_name(name: &str) -> Option<Target> {
        match name {
            "kindle" => Some(Target::Kindle),
            "apple" => Some(Target::Apple),
            "kobo" => Some(Target::Kobo),
            "google" => Some(Target::Google),
            "legacy" => Some(Target::Legacy),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Target::Kindle => "kindle",
            Target::Apple => "apple",
            Target::Kobo => "kobo",
            Target::Google => "google",
            Target::Legacy => "legacy",
        }
    }

    /// Returns the file extension a book for this target takes: Kobo's
    /// readers open a book as KEPUB only when its name ends in
    /// `.kepub.epub`.
    pub fn extension(self) -> &'static str {
        match self {
            Target::Kobo => "kepub.epub",
            _ => "epub",
        }
    }
}

/// Facts about a packaged book that the target checks use.
pub struct BookFacts<'a> {
    /// The first chapter's source, which book-wide warnings name.
    pub first_source: &'a str,
    pub lang: &'a str,
    pub images: &'a [StoredImage],
    /// The manifest id of the cover image.
    pub cover_id: Option<&'a str>,
    /// Whether the book embeds fonts that its stylesheets use.
    pub has_fonts: bool,
    /// The book's version, for `ibooks:version`.
    pub version: Option<&'a str>,
    /// The image size, in pixels, above which the apple target warns.
    pub max_image_pixels: u64,
    /// Each chapter document by its name in the archive, with what it was
    /// written from, so that warnings about its content name the source.
    pub documents: HashMap<String, DocumentSource<'a>>,
}

/// The source of a chapter document: a Markdown file, or part of one.
pub struct DocumentSource<'a> {
    pub source: &'a str,
    /// The line of each image the chapter shows, by its `src` in the
    /// document.
    pub image_lines: &'a [(String, Option<usize>)],
}

/// Cuts the table of contents to a target's depth: Kindle shows two
/// levels at most.
pub fn limit_toc(target: Option<Target>, toc: &mut [TocEntry]) {
    if target == Some(Target::Kindle) {
        cut_toc(toc, KINDLE_TOC_DEPTH);
    }
}

fn cut_toc(entries: &mut [TocEntry], depth: usize) {
    for entry in entries {
        if depth <= 1 {
            entry.children.clear();
        } else {
            cut_toc(&mut entry.children, depth - 1);
        }
    }
}

/// Applies a target's rules to the book's entries (zip path and bytes,
/// without `mimetype`) before they are zipped: edits them where the
/// target needs it, and warns about what only the author can fix.
pub fn finish(
    target: Option<Target>,
    entries: &mut Entries<'_>,
    book: &BookFacts<'_>,
    warnings: &mut Warnings,
) {
    let Some(target) = target else { return };
    match target {
        Target::Kindle => {
            check_kindle_language(book, warnings);
            check_alt_text(entries, book, warnings);
            check_kindle_images(entries, book, warnings);
            check_kindle_cover(entries, book, warnings);
        }
        Target::Apple => {
            check_pixel_counts(entries, book, warnings);
            add_apple_metadata(entries, book);
        }
        Target::Kobo => {
            for (name, bytes) in entries.iter_mut() {
                if is_content_document(name) {
                    let document = String::from_utf8_lossy(bytes);
                    *bytes = kepubify(&document).into_bytes().into();
                }
            }
            for image in book
                .images
                .iter()
                .filter(|image| image.image_type == ImageType::Svg)
            {
                let name = format!("{ROOT}/{}", image.href);
                if let Some((_, bytes)) = entries.iter_mut().find(|(entry, _)| *entry == name)
                    && let Some(without) = remove_external_doctype(bytes)
                {
                    *bytes = without.into();
                }
            }
            check_kobo_files(entries, book, warnings);
        }
        Target::Google => {
            if book.cover_id.is_none() {
                warnings.push(Warning::new(
                    book.first_source,
                    None,
                    "the book has no cover, which Google Play Books requires; give a cover image (--cover or cover-image in the metadata) or --cover auto",
                ));
            }
            check_svg_sides(entries, book, warnings);
        }
        Target::Legacy => {
            legacy::plain_ncx_fragments(entries);
            legacy::add_guide(entries);
        }
    }
}

/// Warns when a finished book is over a target's size limit.
pub fn check_epub_size(
    target: Option<Target>,
    size: usize,
    first_source: &str,
    warnings: &mut Warnings,
) {
    if target == Some(Target::Kindle) && size > KINDLE_MAX_BYTES {
        warnings.push(Warning::new(
            first_source,
            None,
            format!(
                "the book is {}, over the {} that Send to Kindle takes by e-mail; make its images smaller, or send it through the Send to Kindle app or KDP",
                megabytes(size),
                megabytes(KINDLE_MAX_BYTES)
            ),
        ));
    }
}

/// Reports whether a zip entry is an XHTML content document other than
/// the navigation document.
fn is_content_document(name: &str) -> bool {
    name.ends_with(".xhtml") && name != format!("{ROOT}/{}", crate::package::NAV)
}

fn entry<'a>(entries: &'a [(String, Cow<'_, [u8]>)], href: &str) -> Option<&'a [u8]> {
    let name = format!("{ROOT}/{href}");
    entries
        .iter()
        .find(|(entry_name, _)| *entry_name == name)
        .map(|(_, bytes)| bytes.as_ref())
}

/// Returns the file an image warning names: its source, or its path in
/// the book for an image Quire made.
/// Returns the image that a chapter document's `src` names.
fn image_named_by<'i>(images: &'i [StoredImage], src: &str) -> Option<&'i StoredImage> {
    let href = src.strip_prefix("../")?;
    images.iter().find(|image| encode_url(&image.href) == href)
}

fn image_file(image: &StoredImage) -> &str {
    if image.source.is_empty() {
        &image.href
    } else {
        &image.source
    }
}

fn check_kindle_language(book: &BookFacts<'_>, warnings: &mut Warnings) {
    let primary = book
        .lang
        .split('-')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if !KINDLE_LANGUAGES.contains(&primary.as_str()) {
        warnings.push(Warning::new(
            book.first_source,
            None,
            format!(
                "language \"{}\" is not one that Amazon accepts for Kindle books, so KDP may reject the book; check KDP's list of supported languages",
                book.lang
            ),
        ));
    }
}

fn check_alt_text(
    entries: &[(String, Cow<'_, [u8]>)],
    book: &BookFacts<'_>,
    warnings: &mut Warnings,
) {
    for (name, bytes) in entries {
        if !is_content_document(name) {
            continue;
        }
        let document = String::from_utf8_lossy(bytes);
        for token in tokens(&document) {
            let Token::Start {
                name: "img",
                markup,
                ..
            } = token
            else {
                continue;
            };
            let alt = attribute(markup, "alt").unwrap_or_default();
            let alt = unescape(alt).unwrap_or_else(|| alt.to_string());
            let length = alt.chars().count();
            if length > KINDLE_MAX_ALT_CHARS {
                let src = attribute(markup, "src").unwrap_or_default();
                let src = unescape(src).unwrap_or_else(|| src.to_string());
                // Named by the chapter and line that show the image, and
                // by the image's own file, where Quire wrote the document
                // from a chapter.
                let (file, line, image) = match book.documents.get(name.as_str()) {
                    Some(document) => (
                        document.source,
                        document
                            .image_lines
                            .iter()
                            .find(|(href, _)| *href == src)
                            .and_then(|(_, line)| *line),
                        image_named_by(book.images, &src).map_or(src.as_str(), image_file),
                    ),
                    None => (
                        name.strip_prefix(&format!("{ROOT}/")).unwrap_or(name),
                        None,
                        src.as_str(),
                    ),
                };
                warnings.push(Warning::new(
                    file,
                    line,
                    format!("the alt text of image {image} has {length} characters, over the {KINDLE_MAX_ALT_CHARS} that Kindle reads out; shorten it and put the rest in a caption"),
                ));
            }
        }
    }
}

fn check_kindle_images(
    entries: &[(String, Cow<'_, [u8]>)],
    book: &BookFacts<'_>,
    warnings: &mut Warnings,
) {
    for image in book.images {
        let Some(bytes) = entry(entries, &image.href) else {
            continue;
        };
        let file = image_file(image);
        let problem = match image.image_type {
            // Quire's own cover: the user can only give another.
            ImageType::Svg if image.generated.is_some() => Some(
                "is the made cover, an SVG image, which older Kindle devices and apps cannot show; give a PNG or JPEG cover (--cover FILE, or the Cover image field on the page)",
            ),
            ImageType::Svg => Some(
                "is an SVG image, which older Kindle devices and apps cannot show; use a PNG or JPEG",
            ),
            ImageType::Gif if gif_frames(bytes) > 1 => {
                Some("is an animated GIF, and Kindle shows only its first frame; use a still image")
            }
            _ if has_transparency(bytes, image.image_type) => Some(
                "has an alpha channel or a transparent colour, so it may have transparent pixels, where dark lines can vanish in Kindle's dark mode (Quire does not look at the pixels); save it without transparency, on a solid background",
            ),
            _ => None,
        };
        if let Some(problem) = problem {
            warnings.push(Warning::new(file, None, format!("this image {problem}")));
        }
    }
}

fn check_kindle_cover(
    entries: &[(String, Cow<'_, [u8]>)],
    book: &BookFacts<'_>,
    warnings: &mut Warnings,
) {
    // KDP takes the cover apart from the book, so a missing one is left
    // to the upload form.
    let Some(cover) = book
        .cover_id
        .and_then(|id| book.images.iter().find(|image| image.id == id))
    else {
        return;
    };
    let Some((width, height)) =
        entry(entries, &cover.href).and_then(|bytes| pixel_size(bytes, cover.image_type))
    else {
        return;
    };
    let (min_width, min_height) = KINDLE_COVER_MIN;
    let (ideal_width, ideal_height) = KINDLE_COVER_IDEAL;
    let message = if width < min_width || height < min_height {
        format!(
            "cover image is {width} × {height} pixels, under the {min_width} × {min_height} that Amazon requires; use a larger image, ideally {ideal_width} × {ideal_height}"
        )
    } else if width < ideal_width || height < ideal_height {
        format!(
            "cover image is {width} × {height} pixels, under the {ideal_width} × {ideal_height} that Amazon recommends, so it may look blurred on large screens"
        )
    } else {
        return;
    };
    warnings.push(Warning::new(image_file(cover), None, message));
}

/// Counts the image descriptors of a GIF, one a frame. Stops at the
/// trailer or at damaged data.
pub fn gif_frames(bytes: &[u8]) -> usize {
    let Some(&flags) = bytes.get(10) else {
        return 0;
    };
    let mut at = 13;
    if flags & 0x80 != 0 {
        at += 3 << ((flags & 0x07) + 1);
    }
    let skip_blocks = |mut at: usize| -> Option<usize> {
        loop {
            let size = usize::from(*bytes.get(at)?);
            at += 1;
            if size == 0 {
                return Some(at);
            }
            at += size;
        }
    };
    let mut frames = 0;
    while let Some(&byte) = bytes.get(at) {
        match byte {
            0x2C => {
                frames += 1;
                let Some(&local) = bytes.get(at + 9) else {
                    break;
                };
                at += 10;
                if local & 0x80 != 0 {
                    at += 3 << ((local & 0x07) + 1);
                }
                // The LZW minimum code size, then the data blocks.
                match skip_blocks(at + 1) {
                    Some(next) => at = next,
                    None => break,
                }
            }
            0x21 => match skip_blocks(at + 2) {
                Some(next) => at = next,
                None => break,
            },
            _ => break,
        }
    }
    frames
}

/// Reports whether an image may have transparent pixels: a PNG with an
/// alpha channel or a `tRNS` chunk, a GIF with a transparent colour, or a
/// WebP with an alpha flag.
pub fn has_transparency(bytes: &[u8], image_type: ImageType) -> bool {
    match image_type {
        ImageType::Png => {
            let alpha_channel = matches!(bytes.get(25), Some(4 | 6));
            let mut at = 8;
            let mut trns = false;
            while let Some(header) = bytes.get(at..at + 8) {
                let length = u32::from_be_bytes([header[0], header[1], header[2], header[3]]);
                let kind = &header[4..8];
                if kind == b"tRNS" {
                    trns = true;
                }
                if kind == b"IDAT" || kind == b"IEND" {
                    break;
                }
                at += 12 + length as usize;
            }
            alpha_channel || trns
        }
        // A graphic control extension with its transparency flag set.
        ImageType::Gif => bytes.windows(4).any(|window| {
            window[0] == 0x21 && window[1] == 0xF9 && window[2] == 4 && window[3] & 1 == 1
        }),
        ImageType::Webp => {
            bytes.get(12..16) == Some(b"VP8X")
                && bytes.get(20).is_some_and(|flags| flags & 0x10 != 0)
        }
        ImageType::Jpeg | ImageType::Svg => false,
    }
}

fn check_pixel_counts(
    entries: &[(String, Cow<'_, [u8]>)],
    book: &BookFacts<'_>,
    warnings: &mut Warnings,
) {
    for image in book.images {
        let Some((width, height)) =
            entry(entries, &image.href).and_then(|bytes| pixel_size(bytes, image.image_type))
        else {
            continue;
        };
        let pixels = u64::from(width) * u64::from(height);
        if pixels > book.max_image_pixels {
            warnings.push(Warning::new(
                image_file(image),
                None,
                format!(
                    "this image is {width} × {height} pixels ({pixels} in all), over the {} that Apple Books shows without scaling down; make it smaller",
                    book.max_image_pixels
                ),
            ));
        }
    }
}

/// Adds what Apple Books needs: with embedded fonts, the display option
/// that makes it use them and the `ibooks:specified-fonts` property, and
/// the book's version as `ibooks:version`.
fn add_apple_metadata(entries: &mut Entries<'_>, book: &BookFacts<'_>) {
    let mut metadata = XmlWriter::new();
    if book.has_fonts {
        metadata.text_element("meta", &[("property", "ibooks:specified-fonts")], "true");
    }
    if let Some(version) = book.version {
        metadata.text_element("meta", &[("property", "ibooks:version")], version);
    }
    let metadata = strip_declaration(&metadata.finish());
    if metadata.trim().is_empty() {
        return;
    }
    edit_package_document(entries, |opf| {
        add_prefix(opf, IBOOKS_PREFIX);
        insert_before(opf, "</metadata>", &metadata);
    });

    if book.has_fonts {
        let mut options = XmlWriter::new();
        options.start("display_options", &[]);
        options.start("platform", &[("name", "*")]);
        options.text_element("option", &[("name", "specified-fonts")], "true");
        let position = entries
            .iter()
            .position(|(name, _)| name == "META-INF/container.xml")
            .map_or(0, |index| index + 1);
        entries.insert(
            position,
            (
                APPLE_DISPLAY_OPTIONS.to_string(),
                options.finish().into_bytes().into(),
            ),
        );
    }
}

fn strip_declaration(xml: &str) -> String {
    match xml.split_once('\n') {
        Some((first, rest)) if first.starts_with("<?xml") => rest.to_string(),
        _ => xml.to_string(),
    }
}

/// Runs `edit` on the package document's text.
fn edit_package_document(entries: &mut [(String, Cow<'_, [u8]>)], edit: impl FnOnce(&mut String)) {
    let name = format!("{ROOT}/package.opf");
    if let Some((_, bytes)) = entries.iter_mut().find(|(entry, _)| *entry == name) {
        let mut opf = String::from_utf8_lossy(bytes).into_owned();
        edit(&mut opf);
        *bytes = opf.into_bytes().into();
    }
}

/// Inserts markup before the last `marker` in a document Quire wrote,
/// where the marker is a closing tag that occurs once.
/// The markup goes on lines of its own, indented one level more than the
/// marker's line.
fn insert_before(document: &mut String, marker: &str, markup: &str) {
    let Some(index) = document.rfind(marker) else {
        return;
    };
    let line_start = document[..index].rfind('\n').map_or(0, |at| at + 1);
    let indent = &document[line_start..index];
    let indent = if indent.trim().is_empty() { indent } else { "" };
    let lines: String = markup
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| format!("{indent}  {line}\n"))
        .collect();
    document.insert_str(line_start, &lines);
}

/// Adds a prefix mapping to the `package` element's `prefix` attribute.
fn add_prefix(opf: &mut String, mapping: &str) {
    let Some(start) = opf.find("<package") else {
        return;
    };
    let tag_end = start + opf[start..].find('>').unwrap_or(0);
    let mut escaped = String::new();
    escape_attribute_into(&mut escaped, mapping);
    match opf[start..tag_end].find("prefix=\"") {
        Some(at) => {
            let value = start + at + "prefix=\"".len();
            opf.insert_str(value, &format!("{escaped} "));
        }
        None => opf.insert_str(start + "<package".len(), &format!(" prefix=\"{escaped}\"")),
    }
}

/// Removes a document type declaration with an external identifier, such
/// as SVG 1.1's, which EPUBCheck 4.2.6 rejects (OPF-073) and EPUBCheck 5
/// allows. Returns `None` when there is none, or when it has an internal
/// subset whose entities the document may use.
pub fn remove_external_doctype(bytes: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(bytes).ok()?;
    let start = text.find("<!DOCTYPE")?;
    let length = text[start..].find('>')? + 1;
    let declaration = &text[start..start + length];
    if declaration.contains('[')
        || !(declaration.contains("PUBLIC") || declaration.contains("SYSTEM"))
    {
        return None;
    }
    let rest = text[start + length..].trim_start_matches(['\r', '\n']);
    Some([&text[..start], rest].concat().into_bytes())
}

fn check_kobo_files(
    entries: &[(String, Cow<'_, [u8]>)],
    book: &BookFacts<'_>,
    warnings: &mut Warnings,
) {
    for (name, bytes) in entries {
        if name.contains(' ') {
            warnings.push(Warning::new(
                book.first_source,
                None,
                format!(
                    "the file {name} has a space in its name, which Kobo's store rejects; rename it"
                ),
            ));
        }
        if name.ends_with(".xhtml") && bytes.len() > KOBO_MAX_DOCUMENT_BYTES {
            warnings.push(Warning::new(
                name.strip_prefix(&format!("{ROOT}/")).unwrap_or(name),
                None,
                format!(
                    "this document is {}, over the {} that Kobo readers open; split the chapter at its headings",
                    megabytes(bytes.len()),
                    megabytes(KOBO_MAX_DOCUMENT_BYTES)
                ),
            ));
        }
    }
}

/// Reads an SVG image's width and height: its `width` and `height`
/// attributes in user units or pixels, else the size its `viewBox` gives.
pub fn svg_size(bytes: &[u8]) -> Option<(f64, f64)> {
    let text = String::from_utf8_lossy(bytes);
    let root = tokens(&text).find_map(|token| match token {
        Token::Start {
            name: "svg",
            markup,
            ..
        } => Some(markup),
        _ => None,
    })?;
    let number = |value: &str| -> Option<f64> {
        let value = value.trim();
        let value = value.strip_suffix("px").unwrap_or(value);
        value.parse::<f64>().ok()
    };
    let width = attribute(root, "width").and_then(number);
    let height = attribute(root, "height").and_then(number);
    if let (Some(width), Some(height)) = (width, height) {
        return Some((width, height));
    }
    let view_box: Vec<f64> = attribute(root, "viewBox")?
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|part| !part.is_empty())
        .filter_map(|part| part.parse().ok())
        .collect();
    match view_box.as_slice() {
        [_, _, box_width, box_height] => {
            Some((width.unwrap_or(*box_width), height.unwrap_or(*box_height)))
        }
        _ => None,
    }
}

fn check_svg_sides(
    entries: &[(String, Cow<'_, [u8]>)],
    book: &BookFacts<'_>,
    warnings: &mut Warnings,
) {
    for image in book.images {
        if image.image_type != ImageType::Svg {
            continue;
        }
        let Some(bytes) = entry(entries, &image.href) else {
            continue;
        };
        if sniff(bytes) != Some(ImageType::Svg) {
            continue;
        }
        if let Some((width, height)) = svg_size(bytes)
            && (width > GOOGLE_MAX_SVG_SIDE || height > GOOGLE_MAX_SVG_SIDE)
        {
            warnings.push(Warning::new(
                image_file(image),
                None,
                format!("this SVG image is {width} × {height}, over the {GOOGLE_MAX_SVG_SIDE} a side that Google Play Books takes; set its width and height to {GOOGLE_MAX_SVG_SIDE} or less (keep the viewBox)"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for name in TARGET_NAMES {
            assert_eq!(Target::from_name(name).map(Target::name), Some(name));
        }
        assert_eq!(Target::from_name("nook"), None);
        assert_eq!(Target::Kobo.extension(), "kepub.epub");
        assert_eq!(Target::Kindle.extension(), "epub");
    }

    #[test]
    fn kindle_toc_keeps_two_levels() {
        let leaf = |label: &str, children| TocEntry {
            label: label.to_string(),
            href: format!("{label}.xhtml"),
            children,
        };
        let mut toc = vec![leaf("a", vec![leaf("b", vec![leaf("c", vec![])])])];
        let mut other = toc.clone();
        limit_toc(Some(Target::Kindle), &mut toc);
        assert_eq!(toc[0].children.len(), 1);
        assert!(toc[0].children[0].children.is_empty());
        limit_toc(Some(Target::Apple), &mut other);
        assert_eq!(other[0].children[0].children.len(), 1);
    }

    #[test]
    fn gif_frames_counts_images() {
        // A 1 × 1 GIF with no colour table: header, screen descriptor,
        // then the frames and the trailer.
        let mut gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00".to_vec();
        let frame = [0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x4C, 0x01, 0];
        gif.extend_from_slice(&[0x21, 0xF9, 4, 0, 10, 0, 0, 0]);
        gif.extend_from_slice(&frame);
        assert_eq!(gif_frames(&[gif.as_slice(), &[0x3B]].concat()), 1);
        gif.extend_from_slice(&[0x21, 0xF9, 4, 1, 10, 0, 0, 0]);
        gif.extend_from_slice(&frame);
        gif.push(0x3B);
        assert_eq!(gif_frames(&gif), 2);
        assert!(has_transparency(&gif, ImageType::Gif));
    }

    #[test]
    fn svg_size_reads_attributes_and_view_box() {
        assert_eq!(
            svg_size(b"<svg width=\"4000px\" height=\"10\"/>"),
            Some((4000.0, 10.0))
        );
        assert_eq!(
            svg_size(b"<svg viewBox=\"0 0 1600 2560\"/>"),
            Some((1600.0, 2560.0))
        );
        assert_eq!(svg_size(b"<svg/>"), None);
    }

    #[test]
    fn add_prefix_extends_an_existing_attribute() {
        let mut opf = "<package xmlns=\"x\" prefix=\"a: http://a/\">".to_string();
        add_prefix(&mut opf, "b: http://b/");
        assert_eq!(
            opf,
            "<package xmlns=\"x\" prefix=\"b: http://b/ a: http://a/\">"
        );
        let mut opf = "<package xmlns=\"x\">".to_string();
        add_prefix(&mut opf, "b: http://b/");
        assert_eq!(opf, "<package prefix=\"b: http://b/\" xmlns=\"x\">");
    }

    fn facts<'a>(images: &'a [StoredImage]) -> BookFacts<'a> {
        BookFacts {
            first_source: "book.md",
            lang: "en",
            images,
            cover_id: None,
            has_fonts: false,
            version: None,
            max_image_pixels: DEFAULT_MAX_IMAGE_PIXELS,
            documents: HashMap::new(),
        }
    }

    #[test]
    fn kindle_size_limit_warned() {
        let mut warnings = Warnings::default();
        check_epub_size(
            Some(Target::Kindle),
            KINDLE_MAX_BYTES,
            "book.md",
            &mut warnings,
        );
        check_epub_size(
            Some(Target::Apple),
            KINDLE_MAX_BYTES + 1,
            "book.md",
            &mut warnings,
        );
        check_epub_size(None, KINDLE_MAX_BYTES + 1, "book.md", &mut warnings);
        assert!(warnings.into_vec().is_empty());

        let mut warnings = Warnings::default();
        check_epub_size(
            Some(Target::Kindle),
            KINDLE_MAX_BYTES + 1,
            "book.md",
            &mut warnings,
        );
        let warnings = warnings.into_vec();
        assert_eq!(warnings.len(), 1);
        assert!(
            warnings[0].message.contains("Send to Kindle"),
            "{}",
            warnings[0]
        );
    }

    #[test]
    fn kobo_files_checked() {
        let mut entries: Entries<'_> = vec![
            ("EPUB/text/a b.xhtml".to_string(), b"<p/>".into()),
            (
                "EPUB/text/big.xhtml".to_string(),
                vec![b' '; KOBO_MAX_DOCUMENT_BYTES + 1].into(),
            ),
            ("EPUB/text/fine.xhtml".to_string(), b"<p/>".into()),
        ];
        let mut warnings = Warnings::default();
        check_kobo_files(&entries, &facts(&[]), &mut warnings);
        let warnings = warnings.into_vec();
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(
            warnings[0]
                .message
                .contains("EPUB/text/a b.xhtml has a space"),
            "{}",
            warnings[0]
        );
        assert_eq!(warnings[1].file, "text/big.xhtml");
        assert!(
            warnings[1].message.contains("over the 10.0 MB"),
            "{}",
            warnings[1]
        );

        entries.truncate(0);
        let mut none = Warnings::default();
        finish(Some(Target::Kobo), &mut entries, &facts(&[]), &mut none);
        assert!(none.into_vec().is_empty());
    }

    #[test]
    fn external_doctype_removed() {
        let svg = b"<?xml version=\"1.0\"?>\n<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\"\n \"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\">\n<svg/>";
        assert_eq!(
            remove_external_doctype(svg).as_deref(),
            Some(&b"<?xml version=\"1.0\"?>\n<svg/>"[..])
        );
        assert_eq!(remove_external_doctype(b"<svg/>"), None);
        let subset = b"<!DOCTYPE svg SYSTEM \"x\" [<!ENTITY a \"b\">]><svg>&a;</svg>";
        assert_eq!(remove_external_doctype(subset), None);
    }
}
