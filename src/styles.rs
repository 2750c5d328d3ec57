//! Stylesheets: Quire's default one, then the book's own, with the files
//! their `url()` references name brought into the book and remote ones cut,
//! since EPUB forbids remote fonts and images in stylesheets.

use std::collections::HashSet;

use crate::book::{FileIndex, file_stem, resolve_relative};
use crate::error::{Error, Warning, Warnings};
use crate::images::{ImageStore, ascii_name, sniff};
use crate::links::percent_decode;
use crate::locale::Direction;
use crate::metadata::Metadata;
use crate::package::{Resource, Stylesheet};
use crate::text::decode;

/// Quire's default stylesheet.
pub const DEFAULT_CSS: &str = include_str!("templates/quire.css");

/// Rules added after the default ones for a right-to-left book: the
/// indents and borders those put on the left go on the right. The default
/// rules use physical sides because older reading systems ignore logical
/// ones such as `margin-inline-start`.
const RTL_CSS: &str = include_str!("templates/rtl.css");

/// Rules added last for a book set in vertical lines. Reading systems take
/// the writing mode of the whole book from the root element, and older
/// WebKit-based ones read only the prefixed properties. In `vertical-rl`
/// text the block direction runs from right to left, so the default
/// rules' top and bottom margins become right and left ones.
const VERTICAL_CSS: &str = include_str!("templates/vertical.css");

/// A built-in style: rules added to Quire's default stylesheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Style {
    /// The default stylesheet alone, which leaves type to the reading
    /// system.
    #[default]
    Plain,
    /// Serif type, justified paragraphs with a first-line indent instead
    /// of a gap (none after a heading or rule), and centred headings.
    Classic,
}

/// The names of the built-in styles, as the command line and the page
/// take them.
pub const STYLE_NAMES: [&str; 2] = ["plain", "classic"];

impl Style {
    /// Returns the style with this name, or `None` for an unknown name.
    pub fn from_name(name: &str) -> Option<Style> {
        match name {
            "plain" => Some(Style::Plain),
            "classic" => Some(Style::Classic),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Style::Plain => "plain",
            Style::Classic => "classic",
        }
    }

    fn rules(self) -> &'static str {
        match self {
            Style::Plain => "",
            Style::Classic => include_str!("templates/classic.css"),
        }
    }
}

/// The colours of highlighted code, added to the default stylesheet of a
/// book that has some.
#[cfg(feature = "highlight")]
pub const HIGHLIGHT_CSS: &str = include_str!("templates/highlight.css");

/// The layout of TeX environments, added to the default stylesheet of a
/// book with MathML.
#[cfg(feature = "math")]
pub const MATH_CSS: &str = include_str!("templates/math.css");

/// Returns the text of Quire's stylesheet for a book: the default rules,
/// the right-to-left ones for a right-to-left book, the sections for
/// highlighted code and MathML when it has them, the style's, and the
/// vertical ones last, so that they win over the style's margins.
pub fn default_stylesheet(
    style: Style,
    direction: Direction,
    vertical: bool,
    highlighted_code: bool,
    mathml: bool,
) -> String {
    #[cfg(feature = "highlight")]
    let highlight_css = HIGHLIGHT_CSS;
    #[cfg(not(feature = "highlight"))]
    let highlight_css = "";
    #[cfg(feature = "math")]
    let math_css = MATH_CSS;
    #[cfg(not(feature = "math"))]
    let math_css = "";

    let mut css = DEFAULT_CSS.to_string();
    let parts = [
        (direction == Direction::Rtl, RTL_CSS),
        (highlighted_code, highlight_css),
        (mathml, math_css),
        (true, style.rules()),
        (vertical, VERTICAL_CSS),
    ];
    for (used, rules) in parts {
        if used && !rules.is_empty() {
            css.push('\n');
            css.push_str(rules);
        }
    }
    css
}

/// Stylesheets, the manifest entries of files they use, and those files'
/// zip paths and bytes.
pub type CollectedStyles = (Vec<Stylesheet>, Vec<Resource>, Vec<(String, Vec<u8>)>);

/// Collects Quire's stylesheet, whose text is `default_css`, and the
/// book's own, in order.
pub fn collect(
    files: &FileIndex<'_>,
    metadata: &Metadata,
    default_css: String,
    images: &mut ImageStore,
    warnings: &mut Warnings,
) -> Result<CollectedStyles, Error> {
    let mut sheets = vec![Stylesheet {
        href: "styles/quire.css".to_string(),
        id: "css-quire".to_string(),
        content: default_css,
    }];
    let mut resources = Vec::new();
    let mut resource_files = Vec::new();
    let mut names: HashSet<String> = HashSet::from(["quire".to_string()]);

    for path in metadata.css.iter().flatten() {
        let file = files.get(path).ok_or_else(|| Error::FileNotFound {
            path: path.clone(),
            purpose: "stylesheet",
        })?;
        let css = decode(path, &file.bytes, warnings)?;
        let mut rewriter = UrlRewriter {
            files,
            sheet_path: path,
            images,
            resources: &mut resources,
            resource_files: &mut resource_files,
            warnings,
        };
        let content = rewriter.rewrite(&css);
        let name = unique(&mut names, &ascii_name(file_stem(path)));
        sheets.push(Stylesheet {
            href: format!("styles/{name}.css"),
            id: format!("css-{name}"),
            content,
        });
    }
    Ok((sheets, resources, resource_files))
}

fn unique(names: &mut HashSet<String>, base: &str) -> String {
    let base = if base.is_empty() { "style" } else { base };
    let mut name = base.to_string();
    let mut suffix = 2;
    while !names.insert(name.clone()) {
        name = format!("{base}-{suffix}");
        suffix += 1;
    }
    name
}

struct UrlRewriter<'a, 'b> {
    files: &'a FileIndex<'a>,
    sheet_path: &'a str,
    images: &'b mut ImageStore,
    resources: &'b mut Vec<Resource>,
    resource_files: &'b mut Vec<(String, Vec<u8>)>,
    warnings: &'b mut Warnings,
}

impl UrlRewriter<'_, '_> {
    /// Rewrites each `url(...)` to the file's place in the book, or to
    /// `none` when it cannot be in the book; drops `@import` rules.
    fn rewrite(&mut self, css: &str) -> String {
        let mut out = String::with_capacity(css.len());
        let mut rest = css;
        while let Some(start) = find_ascii_case_insensitive(rest, "url(") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 4..];
            let Some(close) = after.find(')') else {
                out.push_str(&rest[start..]);
                return self.drop_imports(&out);
            };
            let reference = after[..close].trim().trim_matches(['"', '\'']).trim();
            match self.bring_in(reference) {
                Some(href) => {
                    out.push_str("url(\"");
                    out.push_str(&href);
                    out.push_str("\")");
                }
                None => out.push_str("none"),
            }
            rest = &after[close + 1..];
        }
        out.push_str(rest);
        self.drop_imports(&out)
    }

    fn drop_imports(&mut self, css: &str) -> String {
        let mut out = String::with_capacity(css.len());
        for line in css.split_inclusive('\n') {
            if line
                .trim_start()
                .to_ascii_lowercase()
                .starts_with("@import")
            {
                self.warnings.push(Warning::new(
                    self.sheet_path,
                    None,
                    format!(
                        "removed \"{}\": give each stylesheet with --css instead",
                        line.trim()
                    ),
                ));
                continue;
            }
            out.push_str(line);
        }
        out
    }

    /// Adds the file a `url()` names to the book and returns its href
    /// relative to the stylesheet.
    fn bring_in(&mut self, reference: &str) -> Option<String> {
        if reference.starts_with('#') || reference.starts_with("data:") {
            return Some(reference.to_string());
        }
        let lower = reference.to_ascii_lowercase();
        if lower.contains("://") || lower.starts_with("//") {
            self.warnings.push(Warning::new(
                self.sheet_path,
                None,
                format!("remote url({reference}) removed: books may not load fonts or images from the web; save the file beside the stylesheet"),
            ));
            return None;
        }
        let path = resolve_relative(
            self.sheet_path,
            &percent_decode(reference.split(['?', '#']).next().unwrap_or("")),
        );
        let Some(file) = self.files.get(&path) else {
            self.warnings.push(Warning::new(
                self.sheet_path,
                None,
                format!("url({reference}) not found (looked for {path}); removed it"),
            ));
            if !self.images.missing.contains(&path) {
                self.images.missing.push(path);
            }
            return None;
        };
        if let Some(image_type) = sniff(&file.bytes) {
            return Some(format!("../{}", self.images.store(path, image_type)));
        }
        let media_type = font_media_type(&path, &file.bytes)?;
        let href = format!("styles/{}", ascii_file_name(&path));
        if !self.resources.iter().any(|resource| resource.href == href) {
            self.resources.push(Resource {
                id: format!(
                    "res-{}",
                    href.trim_start_matches("styles/").replace('.', "-")
                ),
                href: href.clone(),
                media_type,
            });
            self.resource_files.push((href.clone(), file.bytes.clone()));
        }
        Some(href.trim_start_matches("styles/").to_string())
    }
}

fn ascii_file_name(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    let (stem, extension) = name.rsplit_once('.').unwrap_or((name, ""));
    let stem = match ascii_name(stem) {
        stem if stem.is_empty() => "file".to_string(),
        stem => stem,
    };
    format!("{stem}.{}", ascii_name(extension))
}

/// Returns the media type of a font file, read from its first bytes.
fn font_media_type(path: &str, bytes: &[u8]) -> Option<&'static str> {
    let _ = path;
    match bytes.get(..4)? {
        b"wOF2" => Some("font/woff2"),
        b"wOFF" => Some("font/woff"),
        b"OTTO" => Some("font/otf"),
        [0, 1, 0, 0] | b"true" => Some("font/ttf"),
        _ => None,
    }
}

fn find_ascii_case_insensitive(haystack: &str, needle: &str) -> Option<usize> {
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|window| window.eq_ignore_ascii_case(needle.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Splits a stylesheet into (selector, property, value) triples.
    fn declarations(css: &str) -> Vec<(String, String, String)> {
        let mut text = String::new();
        let mut rest = css;
        while let Some(start) = rest.find("/*") {
            text.push_str(&rest[..start]);
            rest = rest[start..]
                .find("*/")
                .map_or("", |end| &rest[start + end + 2..]);
        }
        text.push_str(rest);

        let mut found = Vec::new();
        for block in text.split('}') {
            let Some((selector, body)) = block.split_once('{') else {
                continue;
            };
            for declaration in body.split(';') {
                if let Some((property, value)) = declaration.split_once(':') {
                    found.push((
                        selector.trim().to_string(),
                        property.trim().to_string(),
                        value.trim().to_string(),
                    ));
                }
            }
        }
        found
    }

    /// Checks the rules the styles and layouts add to the default ones.
    #[test]
    fn added_rules_leave_reader_settings() {
        let sheets = [
            ("rtl.css", RTL_CSS),
            ("vertical.css", VERTICAL_CSS),
            ("classic.css", Style::Classic.rules()),
        ];
        for (name, css) in sheets {
            let found = declarations(css);
            assert!(!found.is_empty(), "{name} has no rules");
            for (selector, property, value) in found {
                let at = format!("{name}: {selector} {{ {property}: {value} }}");
                assert_ne!(property, "color", "{at}: a forced colour");
                assert!(!property.starts_with("background"), "{at}: a background");
                assert!(!value.contains("!important"), "{at}: overrides the reader");
                assert!(
                    !matches!(property.as_str(), "direction" | "unicode-bidi"),
                    "{at}: EPUB 3.3 forbids this property"
                );
                if value.contains("px") {
                    assert!(property.starts_with("border"), "{at}: a fixed size");
                }
                if property == "font-size" {
                    assert!(value.ends_with("em"), "{at}: not relative");
                    assert!(
                        !selector
                            .split(',')
                            .any(|part| matches!(part.trim(), "body" | "p")),
                        "{at}: a size on body text"
                    );
                }
            }
        }
    }

    #[test]
    fn default_stylesheet_parts_in_order() {
        let plain = default_stylesheet(Style::Plain, Direction::Ltr, false, false, false);
        assert_eq!(plain, DEFAULT_CSS, "the plain style adds nothing");

        let classic = default_stylesheet(Style::Classic, Direction::Rtl, false, false, false);
        let rtl_at = classic.find(RTL_CSS).expect("right-to-left rules");
        let classic_at = classic.find(Style::Classic.rules()).expect("classic rules");
        assert!(classic.starts_with(DEFAULT_CSS));
        assert!(rtl_at < classic_at);
        assert!(!classic.contains(VERTICAL_CSS));

        let vertical = default_stylesheet(Style::Classic, Direction::Ltr, true, false, false);
        assert!(vertical.ends_with(VERTICAL_CSS), "vertical rules come last");
        assert!(!vertical.contains(RTL_CSS));
    }

    #[test]
    fn style_names_round_trip() {
        for name in STYLE_NAMES {
            let style = Style::from_name(name).expect("a known name");
            assert_eq!(style.name(), name);
        }
        assert_eq!(Style::from_name("Classic"), None);
    }
}
