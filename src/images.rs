//! Images: their type read from their bytes, and each stored once in the
//! book however often chapters use it.

use std::collections::{HashMap, HashSet};

use crate::book::{FileIndex, resolve_relative};
use crate::error::{Warning, Warnings};
use crate::links::percent_decode;

/// An image type EPUB 3.3 lists as a core media type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageType {
    Jpeg,
    Png,
    Gif,
    Webp,
    Svg,
}

impl ImageType {
    pub fn media_type(self) -> &'static str {
        match self {
            ImageType::Jpeg => "image/jpeg",
            ImageType::Png => "image/png",
            ImageType::Gif => "image/gif",
            ImageType::Webp => "image/webp",
            ImageType::Svg => "image/svg+xml",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            ImageType::Jpeg => "jpg",
            ImageType::Png => "png",
            ImageType::Gif => "gif",
            ImageType::Webp => "webp",
            ImageType::Svg => "svg",
        }
    }
}

/// Identifies an image by its leading bytes, whatever its file name claims.
pub fn sniff(bytes: &[u8]) -> Option<ImageType> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(ImageType::Jpeg);
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(ImageType::Png);
    }
    if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        return Some(ImageType::Gif);
    }
    if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Some(ImageType::Webp);
    }
    if looks_like_svg(bytes) {
        return Some(ImageType::Svg);
    }
    None
}

/// Reads an image's width and height in pixels from its header. Returns
/// `None` for SVG, which has no pixel size, and for a header that is cut
/// short or damaged.
pub fn pixel_size(bytes: &[u8], image_type: ImageType) -> Option<(u32, u32)> {
    let u16_le = |at: usize| {
        Some(u32::from(u16::from_le_bytes([
            *bytes.get(at)?,
            *bytes.get(at + 1)?,
        ])))
    };
    let u24_le = |at: usize| {
        Some(u32::from_le_bytes([
            *bytes.get(at)?,
            *bytes.get(at + 1)?,
            *bytes.get(at + 2)?,
            0,
        ]))
    };
    let u32_be = |at: usize| Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?));
    match image_type {
        // The PNG format puts the IHDR chunk, with width and height, first.
        ImageType::Png if bytes.get(12..16) == Some(b"IHDR") => Some((u32_be(16)?, u32_be(20)?)),
        // The logical screen descriptor follows the signature.
        ImageType::Gif => Some((u16_le(6)?, u16_le(8)?)),
        ImageType::Webp => match bytes.get(12..16)? {
            // A lossy frame header: 14-bit width and height after a start code.
            b"VP8 " if bytes.get(23..26) == Some(&[0x9D, 0x01, 0x2A]) => {
                Some((u16_le(26)? & 0x3FFF, u16_le(28)? & 0x3FFF))
            }
            // A lossless header: 14 bits each of width - 1 and height - 1.
            b"VP8L" if bytes.get(20) == Some(&0x2F) => {
                let bits = u32::from_le_bytes(bytes.get(21..25)?.try_into().ok()?);
                Some(((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1))
            }
            // The extended header: 24 bits each of width - 1 and height - 1.
            b"VP8X" => Some((u24_le(24)? + 1, u24_le(27)? + 1)),
            _ => None,
        },
        ImageType::Jpeg => jpeg_size(bytes),
        ImageType::Png | ImageType::Svg => None,
    }
}

/// Finds a JPEG's start-of-frame segment, which contains its height and
/// width, by walking the segments from the start of the file.
fn jpeg_size(bytes: &[u8]) -> Option<(u32, u32)> {
    let mut at = 2;
    loop {
        if *bytes.get(at)? != 0xFF {
            return None;
        }
        // Any number of 0xFF fill bytes may come before a marker.
        while *bytes.get(at + 1)? == 0xFF {
            at += 1;
        }
        let marker = *bytes.get(at + 1)?;
        at += 2;
        match marker {
            // Markers that stand alone, with no length.
            0x01 | 0xD0..=0xD7 => continue,
            // End of image, or start of scan before any frame header.
            0xD9 | 0xDA => return None,
            // Start of frame, all but DHT (C4), JPG (C8) and DAC (CC).
            0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => {
                let height = u16::from_be_bytes([*bytes.get(at + 3)?, *bytes.get(at + 4)?]);
                let width = u16::from_be_bytes([*bytes.get(at + 5)?, *bytes.get(at + 6)?]);
                return Some((u32::from(width), u32::from(height)));
            }
            _ => {
                let length = u16::from_be_bytes([*bytes.get(at)?, *bytes.get(at + 1)?]);
                at += usize::from(length);
            }
        }
    }
}

/// Reports whether the text starts, after an optional BOM, XML declaration,
/// comments and doctype, with an `<svg` element.
fn looks_like_svg(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    let Ok(text) = std::str::from_utf8(head)
        .or_else(|error| std::str::from_utf8(&head[..error.valid_up_to()]))
    else {
        return false;
    };
    let mut rest = text.trim_start_matches('\u{FEFF}').trim_start();
    loop {
        if rest.starts_with("<svg") {
            return true;
        }
        let skipped = if rest.starts_with("<?") {
            rest.find("?>").map(|end| end + 2)
        } else if rest.starts_with("<!--") {
            rest.find("-->").map(|end| end + 3)
        } else if rest.starts_with("<!") {
            rest.find('>').map(|end| end + 1)
        } else {
            None
        };
        match skipped {
            Some(end) => rest = rest[end..].trim_start(),
            None => return false,
        }
    }
}

/// Returns why an SVG image cannot go into a book as is, if it cannot. It
/// must run no script, load nothing from outside the book, and nest its
/// tags, or reading systems and EPUBCheck reject the whole book.
///
/// NOTE: this reads the SVG with the HTML tokenizer the sanitiser already
/// uses, to keep the WebAssembly module small, so it checks tag nesting and
/// entity names but not every rule of XML well-formedness (unquoted
/// attribute values pass, for one).
pub fn svg_problem(bytes: &[u8]) -> Option<String> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Some("it is not UTF-8 text".to_string());
    };
    if let Some(entity) = unknown_xml_entity(text) {
        return Some(format!(
            "it uses the entity &{entity}; which XML does not define"
        ));
    }

    let mut open: Vec<String> = Vec::new();
    let mut roots = 0;
    for token in crate::sanitize::tokenize(text) {
        match token {
            crate::sanitize::RawToken::Start {
                name,
                attributes,
                self_closing,
            } => {
                if name == "script" || name == "foreignobject" {
                    return Some(format!("it contains a <{name}> element"));
                }
                for (attribute, value) in &attributes {
                    if attribute.starts_with("on") {
                        return Some(format!("it has an event-handler attribute ({attribute})"));
                    }
                    let is_link = attribute == "href" || attribute.ends_with(":href");
                    let value = value.trim();
                    if is_link && !(value.starts_with('#') || value.starts_with("data:image/")) {
                        return Some(format!("it refers to \"{value}\" outside the image"));
                    }
                }
                if open.is_empty() {
                    roots += 1;
                    let namespace = attributes
                        .iter()
                        .find(|(attribute, _)| attribute == "xmlns")
                        .map(|(_, value)| value.as_str());
                    if namespace != Some("http://www.w3.org/2000/svg") {
                        return Some(
                            "its <svg> element lacks xmlns=\"http://www.w3.org/2000/svg\""
                                .to_string(),
                        );
                    }
                }
                if !self_closing {
                    open.push(name);
                }
            }
            crate::sanitize::RawToken::End { name } => {
                if open.pop().as_deref() != Some(name.as_str()) {
                    return Some(format!(
                        "it is not well-formed XML (</{name}> closes nothing open)"
                    ));
                }
            }
            crate::sanitize::RawToken::Text(text) => {
                if open.is_empty() && !text.trim().is_empty() {
                    return Some(
                        "it is not well-formed XML (text outside the <svg> element)".to_string(),
                    );
                }
            }
        }
    }
    if let Some(name) = open.last() {
        return Some(format!(
            "it is not well-formed XML (<{name}> is never closed)"
        ));
    }
    (roots != 1)
        .then(|| "it is not well-formed XML (it needs exactly one root element)".to_string())
}

/// Returns the first entity reference other than XML's five predefined
/// ones. Comments and doctypes are not skipped, so an SVG whose DTD declares
/// its own entities is reported too.
fn unknown_xml_entity(text: &str) -> Option<&str> {
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        let after = &rest[amp + 1..];
        let end = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '#'))
            .unwrap_or(after.len());
        let name = &after[..end];
        let terminated = after[end..].starts_with(';');
        if terminated
            && !name.starts_with('#')
            && !matches!(name, "amp" | "lt" | "gt" | "quot" | "apos")
        {
            return Some(name);
        }
        rest = after;
    }
    None
}

/// An image stored in the book.
#[derive(Debug, Clone)]
pub struct StoredImage {
    /// The image's path among the input files.
    pub source: String,
    /// Its path in the EPUB, relative to the package document.
    pub href: String,
    /// Its manifest id.
    pub id: String,
    pub image_type: ImageType,
    /// The bytes of an image Quire made itself, such as a typographic
    /// cover, which has no input file.
    pub generated: Option<Vec<u8>>,
}

/// The images the book uses, in order of first use.
#[derive(Debug, Default)]
pub struct ImageStore {
    pub images: Vec<StoredImage>,
    /// Input path to index in `images`, or `None` for a file already
    /// rejected, so its warning is given once.
    by_source: HashMap<String, Option<usize>>,
    /// File names in use under `images/`, lowercased.
    names: HashSet<String>,
    /// Paths that were named but are not among the book's files.
    pub missing: Vec<String>,
}

/// The outcome of looking at an image's file, before the image is stored.
pub enum Examined {
    /// A file that can go into the book, of this type.
    Usable(ImageType),
    /// No file at the path, with the warning for this use.
    Missing(Warning),
    /// A file that cannot go into the book, with the warning for its first
    /// use. Later uses are left out without a warning.
    Unusable(Warning),
}

/// Returns the path among the book's files of the image `src` names from
/// the chapter source `from`. Returns `None`, with a warning, when `src` is
/// empty or names no file (a web address or another scheme).
pub fn image_path(
    from: &str,
    src: &str,
    line: Option<usize>,
    warnings: &mut Warnings,
) -> Option<String> {
    let src = src.trim();
    if src.is_empty() {
        warnings.push(Warning::new(
            from,
            line,
            "image has no source; kept its alt text",
        ));
        return None;
    }
    let lower = src.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("//") {
        warnings.push(Warning::new(
            from,
            line,
            format!("remote image \"{src}\" was not fetched (Quire never downloads); kept its alt text. Save the image beside the chapter and link to the file to include it"),
        ));
        return None;
    }
    if lower.contains(':')
        && !lower.starts_with("./")
        && lower
            .split(':')
            .next()
            .is_some_and(|scheme| scheme.len() > 1 && !scheme.contains('/'))
    {
        warnings.push(Warning::new(
            from,
            line,
            format!(
                "image source \"{}\" is not a file in the book; kept its alt text",
                shorten(src)
            ),
        ));
        return None;
    }
    Some(resolve_relative(
        from,
        &percent_decode(src.split(['?', '#']).next().unwrap_or("")),
    ))
}

/// Returns whether an image's bytes stop before the end its format marks:
/// a PNG's `IEND` chunk, a JPEG's end-of-image marker, a GIF's trailer, or
/// the size a WebP's header gives. A file cut short in a copy or download
/// still has its header, so its type and size read well. SVG is not
/// looked at.
pub fn cut_short(bytes: &[u8], image_type: ImageType) -> bool {
    // Some tools add a few bytes after the end; these look a little
    // further back than the last bytes.
    let tail = &bytes[bytes.len().saturating_sub(1024)..];
    let contains = |marker: &[u8]| tail.windows(marker.len()).any(|window| window == marker);
    match image_type {
        ImageType::Png => !contains(b"IEND"),
        ImageType::Jpeg => !contains(&[0xFF, 0xD9]),
        // NOTE: 0x3B is a common byte, so this finds only a GIF cut so short
        // that its last kilobyte has none; most cut GIFs pass.
        ImageType::Gif => !tail.contains(&0x3B),
        ImageType::Webp => bytes
            .get(4..8)
            .map(|size| u32::from_le_bytes([size[0], size[1], size[2], size[3]]) as usize)
            .is_none_or(|size| size.saturating_add(8) > bytes.len()),
        ImageType::Svg => false,
    }
}

/// Looks at the file at `path`, which `src` named from `from`: whether it
/// is there, and an image the book can hold.
pub fn examine(
    files: &FileIndex<'_>,
    from: &str,
    src: &str,
    path: &str,
    line: Option<usize>,
) -> Examined {
    let src = src.trim();
    let Some(file) = files.get(path) else {
        return Examined::Missing(Warning::new(
            from,
            line,
            format!(
                "image \"{src}\" not found (looked for {path}); kept its alt text{}",
                crate::text::accent_form_hint(path)
            ),
        ));
    };
    if file.bytes.len() > crate::convert::MAX_IMAGE_BYTES {
        return Examined::Unusable(Warning::new(
            from,
            line,
            format!(
                "image \"{src}\" is {}, over the {} limit for one image; kept its alt text. Make the image smaller",
                crate::error::megabytes(file.bytes.len()),
                crate::error::megabytes(crate::convert::MAX_IMAGE_BYTES)
            ),
        ));
    }
    let left_out = |problem: &str| {
        Examined::Unusable(Warning::new(
            from,
            line,
            format!("image \"{src}\" left out because {problem}; kept its alt text"),
        ))
    };
    let Some(image_type) = sniff(&file.bytes) else {
        return left_out("it is not a JPEG, PNG, GIF, WebP or SVG image");
    };
    if image_type == ImageType::Svg
        && let Some(problem) = svg_problem(&file.bytes)
    {
        return left_out(&problem);
    }
    Examined::Usable(image_type)
}

/// Returns the file name an image stored from `source` gets under
/// `images/` when no other image has taken it, lowercased, and the stem a
/// second image of that name is numbered from.
fn first_name(source: &str, image_type: ImageType) -> (String, String) {
    let stem = ascii_name(crate::book::file_stem(source));
    let stem = if stem.is_empty() {
        "image".to_string()
    } else {
        stem
    };
    let name = format!("{stem}.{}", image_type.extension()).to_ascii_lowercase();
    (name, stem)
}

/// Returns the href relative to the package document that an image stored
/// from `source` gets when no other image has taken its name.
pub fn first_href(source: &str, image_type: ImageType) -> String {
    format!("images/{}", first_name(source, image_type).0)
}

impl ImageStore {
    /// Finds the image `src` names from the chapter source `from`, stores it
    /// once, and returns its path relative to the package document. Returns
    /// `None`, with a warning, when the image cannot go into the book.
    pub fn resolve(
        &mut self,
        files: &FileIndex<'_>,
        from: &str,
        src: &str,
        line: Option<usize>,
        warnings: &mut Warnings,
    ) -> Option<String> {
        let path = image_path(from, src, line, warnings)?;
        if let Some(entry) = self.by_source.get(&path) {
            return entry.map(|index| self.images[index].href.clone());
        }
        match examine(files, from, src, &path, line) {
            Examined::Usable(image_type) => Some(self.store(path, image_type)),
            Examined::Missing(warning) => {
                warnings.push(warning);
                self.note_missing(path);
                None
            }
            Examined::Unusable(warning) => {
                warnings.push(warning);
                self.by_source.insert(path, None);
                None
            }
        }
    }

    /// Records the file at `path` as left out, so later uses of it are
    /// left out without a warning.
    pub fn reject(&mut self, path: String) {
        self.by_source.entry(path).or_insert(None);
    }

    /// Reports whether the file at `path` was left out already.
    pub fn rejected(&self, path: &str) -> bool {
        matches!(self.by_source.get(path), Some(None))
    }

    /// Forgets the images stored after the first `count`, and the names
    /// they took, as if they had not been stored.
    pub fn forget_after(&mut self, count: usize) {
        for image in self.images.drain(count..) {
            self.by_source.remove(&image.source);
            let name = image.href.strip_prefix("images/").unwrap_or(&image.href);
            self.names.remove(name);
        }
    }

    /// Adds `path` to the paths named but not found, once.
    pub fn note_missing(&mut self, path: String) {
        if !self.missing.contains(&path) {
            self.missing.push(path);
        }
    }

    /// Returns each path looked up so far: with the href of its image, or
    /// `None` for a file left out.
    pub fn known(&self) -> impl Iterator<Item = (&str, Option<&StoredImage>)> {
        self.by_source
            .iter()
            .map(|(path, entry)| (path.as_str(), entry.map(|index| &self.images[index])))
    }

    /// Stores an image known to be valid and returns its href.
    pub fn store(&mut self, source: String, image_type: ImageType) -> String {
        if let Some(Some(index)) = self.by_source.get(&source) {
            return self.images[*index].href.clone();
        }
        let name = self.unique_name(&source, image_type);
        let stored = StoredImage {
            href: format!("images/{name}"),
            id: format!("img-{}", name.replace('.', "-")),
            source: source.clone(),
            image_type,
            generated: None,
        };
        self.by_source.insert(source, Some(self.images.len()));
        self.images.push(stored);
        self.images
            .last()
            .map(|image| image.href.clone())
            .unwrap_or_default()
    }

    /// Stores an image Quire made, named after `stem`, and returns its
    /// manifest id.
    pub fn store_generated(&mut self, stem: &str, image_type: ImageType, bytes: Vec<u8>) -> String {
        let name = self.unique_name(stem, image_type);
        let id = format!("img-{}", name.replace('.', "-"));
        self.images.push(StoredImage {
            source: String::new(),
            href: format!("images/{name}"),
            id: id.clone(),
            image_type,
            generated: Some(bytes),
        });
        id
    }

    /// Names an image after its file, numbering from 2 the second and
    /// later images of one name. A number skips a name taken already,
    /// even by a file whose own name ends in one (`fig-2.png`).
    fn unique_name(&mut self, source: &str, image_type: ImageType) -> String {
        let (base, stem) = first_name(source, image_type);
        let mut name = base;
        let mut number = 1;
        while self.names.contains(&name) {
            number += 1;
            name = format!("{stem}-{number}.{}", image_type.extension()).to_ascii_lowercase();
        }
        self.names.insert(name.clone());
        name
    }
}

/// Reduces a name to ASCII letters, digits, `-` and `_`, for file names in
/// the EPUB that every reading system and zip tool handles. An accented
/// Latin letter keeps its base letter (`grüße` becomes `grusse`), and each
/// run of other characters becomes one `-`.
pub fn ascii_name(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            out.push(c.to_ascii_lowercase());
        } else if let Some(base) = crate::text::latin_base(c) {
            out.push_str(&base.to_ascii_lowercase());
        } else if crate::text::is_combining_accent(c) {
            // The letter before it was kept already.
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

fn shorten(text: &str) -> String {
    match text.char_indices().nth(60) {
        Some((index, _)) => format!("{}...", &text[..index]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::book::{Book, InputFile};

    #[test]
    fn forgotten_images_free_names() {
        let mut store = ImageStore::default();
        assert_eq!(
            store.store("one/x.png".to_string(), ImageType::Png),
            "images/x.png"
        );
        let first_only = store.images.len();
        assert_eq!(
            store.store("two/X.png".to_string(), ImageType::Png),
            "images/x-2.png"
        );
        assert_eq!(
            store.store("y.svg".to_string(), ImageType::Svg),
            "images/y.svg"
        );
        store.forget_after(first_only);
        assert_eq!(store.images.len(), 1);
        assert!(store.known().all(|(path, _)| path == "one/x.png"));
        // Stored in another order, the names are as if the others never were.
        assert_eq!(
            store.store("y.svg".to_string(), ImageType::Svg),
            "images/y.svg"
        );
        assert_eq!(
            store.store("two/X.png".to_string(), ImageType::Png),
            "images/x-2.png"
        );
        assert_eq!(
            store.store("one/x.png".to_string(), ImageType::Png),
            "images/x.png"
        );

        store.reject("bad.png".to_string());
        assert!(store.rejected("bad.png"));
        assert!(!store.rejected("y.svg"));
        assert!(!store.rejected("other.png"));
    }

    #[test]
    fn numbered_names_skip_names_taken() {
        let mut store = ImageStore::default();
        let stored: Vec<String> = ["a/fig.png", "b/fig.png", "c/fig-2.png", "d/FIG.png"]
            .into_iter()
            .map(|path| store.store(path.to_string(), ImageType::Png))
            .collect();
        assert_eq!(
            stored,
            [
                "images/fig.png",
                "images/fig-2.png",
                "images/fig-2-2.png",
                "images/fig-3.png"
            ]
        );
        // The file named like a numbered one first: the number moves on.
        let mut store = ImageStore::default();
        assert_eq!(
            store.store("c/fig-2.png".to_string(), ImageType::Png),
            "images/fig-2.png"
        );
        assert_eq!(
            store.store("a/fig.png".to_string(), ImageType::Png),
            "images/fig.png"
        );
        assert_eq!(
            store.store("b/fig.png".to_string(), ImageType::Png),
            "images/fig-3.png"
        );
    }

    #[test]
    fn pixel_size_from_headers() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend(12_000u32.to_be_bytes());
        png.extend(800u32.to_be_bytes());
        assert_eq!(pixel_size(&png, ImageType::Png), Some((12_000, 800)));
        assert_eq!(pixel_size(&png[..22], ImageType::Png), None, "cut short");

        let gif = b"GIF89a\x40\x06\x00\x0a";
        assert_eq!(pixel_size(gif, ImageType::Gif), Some((1600, 2560)));

        // SOI, an APP0 segment of 16 bytes, fill bytes, then SOF2.
        let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
        jpeg.extend([0; 14]);
        jpeg.extend([0xFF, 0xFF, 0xC2, 0x00, 0x11, 0x08, 0x0A, 0x00, 0x06, 0x40]);
        assert_eq!(pixel_size(&jpeg, ImageType::Jpeg), Some((1600, 2560)));
        let mut no_frame = jpeg[..20].to_vec();
        no_frame.extend([0xFF, 0xDA]);
        assert_eq!(pixel_size(&no_frame, ImageType::Jpeg), None);

        let mut lossy = b"RIFF\0\0\0\0WEBPVP8 \0\0\0\0\0\0\0\x9d\x01\x2a".to_vec();
        lossy.extend([0x40, 0x06, 0x00, 0x0A]);
        assert_eq!(pixel_size(&lossy, ImageType::Webp), Some((1600, 2560)));
        // Lossless: width - 1 = 1599 and height - 1 = 2559 packed in 14-bit fields.
        let bits: u32 = 1599 | (2559 << 14);
        let mut lossless = b"RIFF\0\0\0\0WEBPVP8L\0\0\0\0\x2f".to_vec();
        lossless.extend(bits.to_le_bytes());
        assert_eq!(pixel_size(&lossless, ImageType::Webp), Some((1600, 2560)));
        let mut extended = b"RIFF\0\0\0\0WEBPVP8X\0\0\0\0\0\0\0\0".to_vec();
        extended.extend([0x0F, 0x27, 0x00, 0x0F, 0x27, 0x00]);
        assert_eq!(
            pixel_size(&extended, ImageType::Webp),
            Some((10_000, 10_000))
        );

        assert_eq!(pixel_size(b"<svg/>", ImageType::Svg), None);
    }

    #[test]
    fn ascii_name_keeps_base_letters() {
        assert_eq!(ascii_name("Grüße"), "grusse");
        assert_eq!(ascii_name("Zweite Straße"), "zweite-strasse");
        assert_eq!(ascii_name("Łódź, 1939"), "lodz-1939");
        assert_eq!(ascii_name("Œuvre complète"), "oeuvre-complete");
        assert_eq!(ascii_name("日本 map"), "map");
        assert_eq!(ascii_name("日本"), "");
        // Decomposed: u and a combining diaeresis.
        assert_eq!(ascii_name("U\u{308}bung"), "ubung");
    }

    #[test]
    fn sniff_reads_bytes_not_names() {
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0rest"), Some(ImageType::Jpeg));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\nrest"), Some(ImageType::Png));
        assert_eq!(sniff(b"GIF89a..."), Some(ImageType::Gif));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(ImageType::Webp));
        assert_eq!(
            sniff(
                b"<?xml version=\"1.0\"?>\n<!-- c -->\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>"
            ),
            Some(ImageType::Svg)
        );
        assert_eq!(sniff(b"BM\x00\x00"), None);
        assert_eq!(sniff(b"<html><svg/></html>"), None);
    }

    #[test]
    fn malformed_svg_rejected() {
        assert!(svg_problem(br#"<svg xmlns="http://www.w3.org/2000/svg"><g></svg>"#).is_some());
        assert!(svg_problem(br#"<svg xmlns="http://www.w3.org/2000/svg">&nbsp;</svg>"#).is_some());
        assert!(svg_problem(br#"<svg xmlns="http://www.w3.org/2000/svg"/><svg/>"#).is_some());
        assert!(
            svg_problem(br#"<svg width="1" height="1"><rect/></svg>"#).is_some(),
            "no namespace"
        );
        assert!(svg_problem(br#"<?xml version="1.0"?><!-- c --><svg xmlns="http://www.w3.org/2000/svg">&amp;&#160;</svg>"#).is_none());
    }

    #[test]
    fn svg_with_script_rejected() {
        assert!(
            svg_problem(
                br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#
            )
            .is_some()
        );
        assert!(
            svg_problem(br#"<svg xmlns="http://www.w3.org/2000/svg" onload="x()"/>"#).is_some()
        );
        assert!(svg_problem(br#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink"><image x:href="https://e.example/a.png"/></svg>"#).is_some());
        assert!(
            svg_problem(
                br#"<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>"#
            )
            .is_none()
        );
    }

    #[test]
    fn image_stored_once() {
        let book = Book {
            files: vec![InputFile {
                path: "img/my pic.png".to_string(),
                bytes: b"\x89PNG\r\n\x1a\n".to_vec(),
                modified: None,
            }],
            chapters: None,
        };
        let files = FileIndex::new(&book);
        let mut store = ImageStore::default();
        let mut warnings = Warnings::default();
        let first = store.resolve(&files, "ch1.md", "img/my%20pic.png", Some(1), &mut warnings);
        let second = store.resolve(
            &files,
            "sub/ch2.md",
            "../img/my pic.png",
            Some(1),
            &mut warnings,
        );
        assert_eq!(first.as_deref(), Some("images/my-pic.png"));
        assert_eq!(first, second);
        assert_eq!(store.images.len(), 1);
        assert!(warnings.is_empty());
    }

    #[test]
    fn missing_and_remote_images_warn() {
        let book = Book::default();
        let files = FileIndex::new(&book);
        let mut store = ImageStore::default();
        let mut warnings = Warnings::default();
        assert_eq!(
            store.resolve(&files, "a.md", "x.png", Some(3), &mut warnings),
            None
        );
        assert_eq!(
            store.resolve(
                &files,
                "a.md",
                "https://e.example/x.png",
                Some(4),
                &mut warnings
            ),
            None
        );
        assert_eq!(warnings.len(), 2);
        assert!(warnings[0].message.contains("not found"));
        assert!(warnings[1].message.contains("not fetched"));
        assert_eq!(store.missing, ["x.png"]);
    }
}
