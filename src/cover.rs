//! Covers: the size check of a given cover image, and the plain
//! typographic cover Quire makes from the title and authors when asked to
//! and none is given.
//!
//! The made cover is SVG, not PNG or JPEG. Rasterising text needs a font
//! for every script a title may be in, which would add megabytes to the
//! WebAssembly module. An SVG cover is a few hundred bytes, and the
//! reading system draws its text with its own fonts. Stores that want a
//! raster cover (most of them do) need a JPEG or PNG given with `--cover`.

use crate::bidi::strong_direction;
use crate::error::{Warning, Warnings, megabytes};
use crate::images::{ImageType, pixel_size};
use crate::locale::{self, Direction};
use crate::xml::XmlWriter;

/// The largest cover file, in bytes, that Quire takes without a warning.
pub const MAX_COVER_BYTES: usize = 4 * 1024 * 1024;

/// The maximum width and height of a cover, in pixels, that Quire takes
/// without a warning.
pub const MAX_COVER_SIDE: u32 = 10_000;

/// Warns when a cover image is over [`MAX_COVER_BYTES`] or
/// [`MAX_COVER_SIDE`], or when its pixel size cannot be read from its
/// header. The cover is used all the same.
pub fn check_size(path: &str, bytes: &[u8], image_type: ImageType, warnings: &mut Warnings) {
    if bytes.len() > MAX_COVER_BYTES {
        // A photo saved as PNG is often several times its JPEG size.
        let smaller = if image_type == ImageType::Jpeg {
            "at a lower JPEG quality"
        } else {
            "as a JPEG, say"
        };
        warnings.push(Warning::new(
            path,
            None,
            format!(
                "cover image is {}, over {}, which some reading systems and stores reject; kept it. Save it smaller ({smaller}) or with fewer pixels",
                megabytes(bytes.len()),
                megabytes(MAX_COVER_BYTES)
            ),
        ));
    }
    if image_type == ImageType::Svg {
        return;
    }
    if crate::images::cut_short(bytes, image_type) {
        warnings.push(Warning::new(
            path,
            None,
            "the cover image ends before its format says it should, so it was probably cut short when copied or downloaded; kept it. Copy or save it again from the original",
        ));
        return;
    }
    match pixel_size(bytes, image_type) {
        Some((width, height)) if width.max(height) > MAX_COVER_SIDE => {
            warnings.push(Warning::new(
                path,
                None,
                format!(
                    "cover image is {width} × {height} pixels, over {MAX_COVER_SIDE} pixels a side, which some reading systems and stores reject; kept it. Scale it down (1600 × 2560 is a common cover size)"
                ),
            ));
        }
        Some(_) => {}
        None => warnings.push(Warning::new(
            path,
            None,
            "the width and height of the cover image cannot be read from its header, so it may be damaged; kept it. Open it in an image editor and save it again",
        )),
    }
}

/// The size of the made cover in SVG user units, in the 1:1.6 shape that
/// many e-book covers have.
const WIDTH: u32 = 1600;
const HEIGHT: u32 = 2560;

/// The width, in user units, that the title and author lines may fill.
const TEXT_WIDTH: u32 = 1240;

/// Title font sizes in user units, largest first: the largest at which the
/// title fits in [`MAX_TITLE_LINES`] is used.
const TITLE_SIZES: [u32; 5] = [150, 128, 110, 94, 80];
const MAX_TITLE_LINES: usize = 5;
const AUTHOR_SIZE: u32 = 76;
const MAX_AUTHOR_LINES: usize = 4;

/// Characters that may not begin a line of East Asian text, so that a
/// line never starts with a closing mark or a small kana.
const NO_BREAK_BEFORE: &str =
    "、。，．,.・：；？！?!ー）」』】〕〉》〙〗’”ぁぃぅぇぉっゃゅょァィゥェォッャュョ々";

/// Makes an SVG cover with the title and the authors, each wrapped over as
/// many lines as needed, centred on a plain paper-coloured page. The text
/// is escaped, and right-to-left text is embedded as such, so any script
/// works that the reading system has a font for.
pub fn typographic_cover(title: &str, authors: &[String], lang: &str) -> String {
    let book_direction = locale::direction(lang);
    let (title_size, title_lines) = fit_title(title);
    let author_lines = wrap_authors(authors);

    // Distances in user units, in integers, because float formatting
    // would add to the WebAssembly module's size.
    let title_line_height = title_size * 5 / 4;
    let author_line_height = AUTHOR_SIZE * 27 / 20;
    // A short rule sits below the title's last baseline, and the authors'
    // lines below the rule.
    let rule_below_title = title_size * 7 / 10;
    let authors_below_rule = AUTHOR_SIZE * 3 / 5;
    let mut block_height = title_line_height * title_lines.len() as u32;
    if !author_lines.is_empty() {
        block_height +=
            rule_below_title + authors_below_rule + author_line_height * author_lines.len() as u32;
    }
    // The block sits a little above the middle, as on a printed title page.
    let mut y = (HEIGHT * 9 / 20).saturating_sub(block_height / 2).max(260);

    let mut xml = XmlWriter::new();
    let (width, height) = (WIDTH.to_string(), HEIGHT.to_string());
    let view_box = format!("0 0 {WIDTH} {HEIGHT}");
    xml.start(
        "svg",
        &[
            ("xmlns", "http://www.w3.org/2000/svg"),
            ("version", "1.1"),
            ("width", &width),
            ("height", &height),
            ("viewBox", &view_box),
            ("xml:lang", lang),
        ],
    );
    xml.text_element("title", &[], title);
    // The page has its own colours because reading systems show an image
    // as it is, also in night mode.
    xml.empty_element(
        "rect",
        &[("width", &width), ("height", &height), ("fill", "#f5f1e8")],
    );
    xml.empty_element(
        "rect",
        &[
            ("x", "90"),
            ("y", "90"),
            ("width", "1420"),
            ("height", "2380"),
            ("fill", "none"),
            ("stroke", "#333333"),
            ("stroke-width", "6"),
        ],
    );
    xml.start(
        "g",
        &[
            ("font-family", "serif"),
            ("fill", "#1e1e1e"),
            ("text-anchor", "middle"),
        ],
    );
    let centre = (WIDTH / 2).to_string();
    let title_direction = first_strong(title).unwrap_or(book_direction);
    for line in &title_lines {
        y += title_line_height;
        write_line(&mut xml, &centre, y, title_size, line, title_direction);
    }
    if !author_lines.is_empty() {
        y += rule_below_title;
        let rule_y = y.to_string();
        xml.empty_element(
            "rect",
            &[
                ("x", "680"),
                ("y", &rule_y),
                ("width", "240"),
                ("height", "5"),
            ],
        );
        y += authors_below_rule;
        for line in &author_lines {
            y += author_line_height;
            let direction = first_strong(line).unwrap_or(book_direction);
            write_line(&mut xml, &centre, y, AUTHOR_SIZE, line, direction);
        }
    }
    xml.finish()
}

/// Writes one centred line of text. Right-to-left text goes between
/// RIGHT-TO-LEFT EMBEDDING and POP DIRECTIONAL FORMATTING. An SVG renderer
/// sets text left to right unless its direction is set, and the embedding
/// makes it order the words and punctuation as a right-to-left paragraph.
fn write_line(xml: &mut XmlWriter, x: &str, y: u32, size: u32, text: &str, direction: Direction) {
    let y = y.to_string();
    let size = size.to_string();
    let attributes = [("x", x), ("y", y.as_str()), ("font-size", size.as_str())];
    match direction {
        Direction::Rtl => xml.text_element("text", &attributes, &format!("\u{202B}{text}\u{202C}")),
        Direction::Ltr => xml.text_element("text", &attributes, text),
    }
}

fn first_strong(text: &str) -> Option<Direction> {
    text.chars().find_map(strong_direction)
}

/// Chooses the largest title size at which the title fits the line limit,
/// and returns it with the lines. At the smallest size, lines beyond the
/// limit are dropped and the last kept line ends with an ellipsis.
fn fit_title(title: &str) -> (u32, Vec<String>) {
    for size in TITLE_SIZES {
        let lines = wrap(title, TEXT_WIDTH * 1000 / size);
        if lines.len() <= MAX_TITLE_LINES {
            return (size, lines);
        }
    }
    let size = TITLE_SIZES[TITLE_SIZES.len() - 1];
    let mut lines = wrap(title, TEXT_WIDTH * 1000 / size);
    lines.truncate(MAX_TITLE_LINES);
    if let Some(last) = lines.last_mut() {
        last.push('…');
    }
    (size, lines)
}

/// Wraps each author's name on lines of its own, up to
/// [`MAX_AUTHOR_LINES`] in all. When more are needed, the last line ends
/// with an ellipsis.
fn wrap_authors(authors: &[String]) -> Vec<String> {
    let mut lines = Vec::new();
    for author in authors {
        lines.extend(wrap(author, TEXT_WIDTH * 1000 / AUTHOR_SIZE));
    }
    if lines.len() > MAX_AUTHOR_LINES {
        lines.truncate(MAX_AUTHOR_LINES);
        if let Some(last) = lines.last_mut() {
            last.push('…');
        }
    }
    lines
}

/// Returns an estimate of a character's advance width in thousandths of an
/// em: a full em for Han, kana, Hangul and full-width forms, nothing for
/// combining marks, and an average serif letter's width for the rest.
fn advance(c: char) -> u32 {
    match c {
        '\u{0300}'..='\u{036F}'
        | '\u{0591}'..='\u{05C7}'
        | '\u{064B}'..='\u{065F}'
        | '\u{0670}'
        | '\u{200B}'..='\u{200F}' => 0,
        ' ' => 280,
        '\u{1100}'..='\u{115F}'
        | '\u{2E80}'..='\u{A4CF}'
        | '\u{AC00}'..='\u{D7A3}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{FE30}'..='\u{FE4F}'
        | '\u{FF00}'..='\u{FF60}'
        | '\u{FFE0}'..='\u{FFE6}'
        | '\u{20000}'..='\u{3FFFD}' => 1000,
        'A'..='Z' | 'm' | 'w' => 700,
        _ => 550,
    }
}

/// Reports whether a line may break on either side of the character
/// without a space, as between Han, kana and Hangul characters.
fn is_wide(c: char) -> bool {
    advance(c) >= 1000
}

/// A piece of text that stays on one line: a word, or one East Asian
/// character with any marks that may not start a line.
struct Unit {
    text: String,
    width: u32,
    space_before: bool,
}

/// Breaks `text` into lines of at most `max_width` thousandths of an em by
/// the estimates of [`advance`]: at spaces, and between East Asian
/// characters. A word longer than a line is cut between characters.
fn wrap(text: &str, max_width: u32) -> Vec<String> {
    let mut units: Vec<Unit> = Vec::new();
    let mut space = false;
    let mut last_wide = false;
    for c in text.chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        let wide = is_wide(c);
        let joins = !space && (NO_BREAK_BEFORE.contains(c) || (!wide && !last_wide));
        match units.last_mut() {
            Some(unit) if joins => {
                unit.text.push(c);
                unit.width += advance(c);
            }
            _ => units.push(Unit {
                text: c.to_string(),
                width: advance(c),
                space_before: space,
            }),
        }
        last_wide = wide;
        space = false;
    }

    let space_width = advance(' ');
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    let mut width = 0;
    for unit in units {
        let gap = if unit.space_before && !line.is_empty() {
            space_width
        } else {
            0
        };
        if !line.is_empty() && width + gap + unit.width > max_width {
            lines.push(std::mem::take(&mut line));
            width = 0;
        }
        if !line.is_empty() && unit.space_before {
            line.push(' ');
            width += space_width;
        }
        for c in unit.text.chars() {
            if !line.is_empty() && width + advance(c) > max_width && unit.width > max_width {
                lines.push(std::mem::take(&mut line));
                width = 0;
            }
            line.push(c);
            width += advance(c);
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(svg: &str) -> roxmltree::Document<'_> {
        roxmltree::Document::parse(svg).expect("the cover is well-formed XML")
    }

    fn text_lines(svg: &str) -> Vec<(String, String)> {
        parse(svg)
            .descendants()
            .filter(|node| node.has_tag_name("text"))
            .map(|node| {
                (
                    node.attribute("font-size").unwrap_or_default().to_string(),
                    node.text().unwrap_or_default().to_string(),
                )
            })
            .collect()
    }

    #[test]
    fn short_title_on_one_line() {
        let svg = typographic_cover("Notes", &["Ada Lovelace".to_string()], "en");
        assert_eq!(
            text_lines(&svg),
            [
                ("150".to_string(), "Notes".to_string()),
                ("76".to_string(), "Ada Lovelace".to_string())
            ]
        );
        let document = parse(&svg);
        let root = document.root_element();
        assert_eq!(root.attribute("viewBox"), Some("0 0 1600 2560"));
        assert_eq!(
            root.attribute(("http://www.w3.org/XML/1998/namespace", "lang")),
            Some("en")
        );
    }

    #[test]
    fn long_title_wrapped_within_width() {
        let title = "The Remarkable and Entirely Unabridged History of the Analytical Engine, Its Makers, and Their Many Correspondents";
        let lines = text_lines(&typographic_cover(title, &[], "en"));
        assert!(lines.len() > 1, "{lines:?}");
        assert!(lines.len() <= MAX_TITLE_LINES, "{lines:?}");
        let size: u32 = lines[0].0.parse().unwrap();
        for (_, line) in &lines {
            let width = line.chars().map(advance).sum::<u32>() * size / 1000;
            assert!(width <= TEXT_WIDTH, "{line:?} is {width} units wide");
        }
        let rejoined: Vec<String> = lines.into_iter().map(|(_, line)| line).collect();
        assert_eq!(rejoined.join(" "), title, "no word lost or cut");
    }

    #[test]
    fn title_text_escaped() {
        let svg = typographic_cover("Fish & <Chips>", &["\"Q\" & A".to_string()], "en");
        assert!(svg.contains("Fish &amp; &lt;Chips&gt;"), "{svg}");
        assert_eq!(text_lines(&svg)[0].1, "Fish & <Chips>");
    }

    #[test]
    fn cjk_title_breaks_between_characters() {
        let title = "今日は晴れていたので、私たちは川沿いの道を長い時間かけて歩いた。";
        let lines: Vec<String> = wrap(title, 8000);
        assert!(lines.len() >= 4, "{lines:?}");
        assert_eq!(lines.concat(), title);
        for line in &lines {
            assert!(line.chars().count() <= 8, "{line}");
            let first = line.chars().next().unwrap();
            assert!(
                !NO_BREAK_BEFORE.contains(first),
                "{line} starts with {first}"
            );
        }
    }

    #[test]
    fn rtl_title_embedded_right_to_left() {
        let svg = typographic_cover("كتاب Rust 2024", &["Ada".to_string()], "ar");
        let lines = text_lines(&svg);
        assert_eq!(lines[0].1, "\u{202B}كتاب Rust 2024\u{202C}");
        assert_eq!(lines[1].1, "Ada", "a Latin name stays left to right");
        assert!(svg.contains("xml:lang=\"ar\""));
    }

    #[test]
    fn overlong_title_truncated_with_ellipsis() {
        let title = "word ".repeat(400);
        let lines = text_lines(&typographic_cover(&title, &[], "en"));
        assert_eq!(lines.len(), MAX_TITLE_LINES);
        assert!(lines.last().unwrap().1.ends_with('…'));
        assert_eq!(lines[0].0, TITLE_SIZES[TITLE_SIZES.len() - 1].to_string());
    }

    #[test]
    fn long_word_cut_to_fit() {
        let lines = wrap(&"x".repeat(50), 10_000);
        assert!(lines.len() >= 3, "{lines:?}");
        assert_eq!(lines.concat(), "x".repeat(50));
    }

    /// The IEND chunk that ends every PNG.
    const IEND: &[u8] = b"\0\0\0\0IEND\xAE\x42\x60\x82";

    /// Returns a PNG signature and IHDR chunk start, then `filler` zero
    /// bytes and the IEND chunk: all `check_size` reads.
    fn png_header(width: u32, height: u32) -> Vec<u8> {
        png_with_filler(width, height, 0)
    }

    fn png_with_filler(width: u32, height: u32, filler: usize) -> Vec<u8> {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend(width.to_be_bytes());
        png.extend(height.to_be_bytes());
        png.resize(png.len() + filler, 0);
        png.extend(IEND);
        png
    }

    /// Returns the warnings `check_size` gives for a PNG cover.
    fn png_warnings(png: &[u8]) -> Vec<String> {
        let mut warnings = Warnings::default();
        check_size("cover.png", png, ImageType::Png, &mut warnings);
        warnings
            .iter()
            .map(|warning| warning.message.clone())
            .collect()
    }

    #[test]
    fn size_warnings() {
        let wide = png_warnings(&png_header(10_001, 2));
        assert_eq!(wide.len(), 1, "{wide:?}");
        assert!(wide[0].contains("10001 × 2 pixels"), "{}", wide[0]);

        let heavy = png_warnings(&png_with_filler(1600, 2560, MAX_COVER_BYTES));
        assert_eq!(heavy.len(), 1, "{heavy:?}");
        assert!(heavy[0].contains("over 4.0 MB"), "{}", heavy[0]);
        assert!(heavy[0].contains("(as a JPEG, say)"), "{}", heavy[0]);

        // A JPEG gets the advice to lower its quality instead.
        let mut warnings = Warnings::default();
        let mut heavy_jpeg = b"\xFF\xD8\xFF".to_vec();
        heavy_jpeg.resize(MAX_COVER_BYTES + 1, 0);
        heavy_jpeg.extend(b"\xFF\xD9");
        check_size("big.jpg", &heavy_jpeg, ImageType::Jpeg, &mut warnings);
        assert!(
            warnings[0]
                .message
                .contains("Save it smaller (at a lower JPEG quality)"),
            "{warnings:?}"
        );

        let fine = png_warnings(&png_header(1600, 2560));
        assert!(fine.is_empty(), "{fine:?}");

        let mut warnings = Warnings::default();
        check_size(
            "odd.jpg",
            b"\xFF\xD8\xFF\xFF\xD9",
            ImageType::Jpeg,
            &mut warnings,
        );
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].message.contains("cannot be read"));
    }

    #[test]
    fn cut_short_cover_warned() {
        let whole = include_bytes!("../tests/books/sample/images/cover.png");
        assert!(png_warnings(whole).is_empty());
        // Cut after its header, as an interrupted copy leaves it.
        let cut = png_warnings(&whole[..40]);
        assert_eq!(cut.len(), 1, "{cut:?}");
        assert!(cut[0].contains("probably cut short"), "{}", cut[0]);

        // A JPEG ends with its end-of-image marker.
        let mut jpeg = b"\xFF\xD8\xFF\xE0".to_vec();
        jpeg.resize(4000, 0x55);
        jpeg.extend(b"\xFF\xD9");
        assert!(!crate::images::cut_short(&jpeg, ImageType::Jpeg));
        assert!(crate::images::cut_short(&jpeg[..3000], ImageType::Jpeg));
    }
}
