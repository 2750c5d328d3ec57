//! Base directions of paragraphs written against the book's direction,
//! such as an English paragraph in an Arabic book or a Hebrew one in an
//! English book.
//!
//! A block whose first strong character (the Unicode bidirectional
//! algorithm's rule P2) runs against the direction around it gets its own
//! `dir` attribute. Its text then aligns to the correct side, and the
//! numbers, Latin names and punctuation in it keep their order.
//!
//! Quire computes the direction and writes `dir="ltr"` or `dir="rtl"`
//! rather than `dir="auto"`, which renderers older than HTML5 ignore. It
//! does not use CSS, because EPUB 3.3 forbids the `direction` and
//! `unicode-bidi` properties and EPUBCheck 5.3.0 reports each as an error
//! (CSS-001).

use std::borrow::Cow;

use crate::locale::Direction;

/// Elements that take a direction of their own from their text: the blocks
/// that hold running text, and `pre` because code is left to right in any
/// book.
const BLOCKS: &[&str] = &[
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "dt",
    "dd",
    "blockquote",
    "pre",
    "th",
    "td",
    "caption",
    "figcaption",
];

/// Returns the strong direction of a character, or `None` for digits,
/// punctuation, spaces and symbols. Letters of the right-to-left blocks are
/// right to left, and every other letter is left to right, as the Unicode
/// bidirectional classes R, AL and L have them.
///
/// NOTE: combining marks that Unicode counts as alphabetic, such as Arabic
/// vowel signs, count as strong here but are weak in the algorithm. That
/// matters only for a block that starts with a mark.
pub fn strong_direction(c: char) -> Option<Direction> {
    match c {
        '\u{200E}' => return Some(Direction::Ltr),
        '\u{200F}' => return Some(Direction::Rtl),
        _ => {}
    }
    if c.is_ascii() {
        return c.is_ascii_alphabetic().then_some(Direction::Ltr);
    }
    if !c.is_alphabetic() {
        return None;
    }
    let rtl = matches!(c,
        '\u{0590}'..='\u{08FF}'
            | '\u{FB1D}'..='\u{FDFF}'
            | '\u{FE70}'..='\u{FEFE}'
            | '\u{10800}'..='\u{10FFF}'
            | '\u{1E800}'..='\u{1EFFF}');
    Some(if rtl { Direction::Rtl } else { Direction::Ltr })
}

/// Reports whether a text has a right-to-left letter.
fn has_rtl_letter(text: &str) -> bool {
    // UTF-8 writes the right-to-left ranges of `strong_direction` with the
    // lead bytes 0xD6 to 0xE0 (U+0590 to U+08FF), 0xEF (U+FB1D to U+FEFE)
    // and 0xF0 (the supplementary planes), and U+200F with 0xE2. Only
    // characters with those lead bytes are decoded. (`str::contains` with
    // U+200F would run a substring search over the whole text.)
    const RIGHT_TO_LEFT_MARK: &[u8] = "\u{200F}".as_bytes();
    let bytes = text.as_bytes();
    crate::text::any_flagged_byte(
        bytes,
        // `|` and a wrapping range test rather than `matches!`, which
        // compiled to branches the compiler would not turn into vector code.
        |byte| {
            (byte.wrapping_sub(0xD6) <= 0xE0 - 0xD6)
                | (byte == 0xE2)
                | (byte == 0xEF)
                | (byte == 0xF0)
        },
        |at| {
            if bytes[at] == 0xE2 {
                return bytes[at..].starts_with(RIGHT_TO_LEFT_MARK);
            }
            text[at..]
                .chars()
                .next()
                .is_some_and(|c| strong_direction(c) == Some(Direction::Rtl))
        },
    )
}

/// A block or an element with its own `dir`, open in the markup.
struct Frame {
    /// The byte offset just after the element's name, where `dir` would go.
    /// It is `None` for an element that has a `dir` already.
    insert_at: Option<usize>,
    /// The direction of the element's content, once known: its `dir`, or
    /// its first strong character.
    direction: Option<Direction>,
    /// Whether the element has a `dir` of its own, so its text does not
    /// decide the direction of the blocks around it (the rule of HTML's
    /// `dir="auto"`).
    isolates: bool,
}

/// Adds `dir` to each block of `body` whose first strong character runs
/// against the direction around it, with `base` the document's direction.
/// `body` must be well-formed XHTML, as Quire's writers make it.
pub fn set_block_directions(body: &str, base: Direction) -> Cow<'_, str> {
    if base == Direction::Ltr && !has_rtl_letter(body) {
        return Cow::Borrowed(body);
    }

    // Open elements: whether each pushed a frame.
    let mut open: Vec<bool> = Vec::new();
    let mut frames: Vec<Frame> = Vec::new();
    // Positions in `body` after which to write `dir`, in ascending order.
    let mut insertions: Vec<(usize, Direction)> = Vec::new();

    let bytes = body.as_bytes();
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] != b'<' {
            let end = body[index..].find('<').map_or(body.len(), |at| index + at);
            if let Some(direction) = first_strong_direction(&body[index..end]) {
                resolve(&mut frames, direction, base, &mut insertions);
            }
            index = end;
            continue;
        }

        let rest = &body[index..];
        if rest.starts_with("<!--") {
            index += rest.find("-->").map_or(rest.len(), |end| end + 3);
            continue;
        }
        if rest.starts_with("<!") || rest.starts_with("<?") {
            index += rest.find('>').map_or(rest.len(), |end| end + 1);
            continue;
        }
        let tag_end = index + crate::xml::tag_length(rest);
        let tag = &body[index..tag_end];
        if tag.starts_with("</") {
            if open.pop() == Some(true) {
                frames.pop();
            }
        } else if !tag.ends_with("/>") {
            let name_end = tag[1..]
                .find(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/')
                .map_or(tag.len(), |at| at + 1);
            let name = &tag[1..name_end];
            let frame = match attribute_value(tag, "dir") {
                Some(value) => Some(Frame {
                    insert_at: None,
                    direction: match value {
                        "ltr" => Some(Direction::Ltr),
                        "rtl" => Some(Direction::Rtl),
                        _ => None,
                    },
                    isolates: true,
                }),
                None if BLOCKS.contains(&name) || name == "bdi" => Some(Frame {
                    insert_at: (name != "bdi").then_some(index + name_end),
                    direction: None,
                    isolates: name == "bdi",
                }),
                None => None,
            };
            open.push(frame.is_some());
            frames.extend(frame);
        }
        index = tag_end;
    }

    if insertions.is_empty() {
        return Cow::Borrowed(body);
    }
    let mut out = String::with_capacity(body.len() + insertions.len() * 10);
    let mut copied = 0;
    for (at, direction) in insertions {
        out.push_str(&body[copied..at]);
        out.push_str(" dir=\"");
        out.push_str(direction.as_str());
        out.push('"');
        copied = at;
    }
    out.push_str(&body[copied..]);
    Cow::Owned(out)
}

/// Gives `direction`, the first strong character's, to the frames still
/// waiting for one, from the innermost out to the nearest element that
/// isolates its text, and records a `dir` for each block whose direction
/// differs from the one around it.
fn resolve(
    frames: &mut [Frame],
    direction: Direction,
    base: Direction,
    insertions: &mut Vec<(usize, Direction)>,
) {
    let mut lowest = frames.len();
    while lowest > 0 && frames[lowest - 1].direction.is_none() {
        lowest -= 1;
        if frames[lowest].isolates {
            break;
        }
    }
    if lowest == frames.len() {
        return;
    }
    // Each frame above `lowest` sits in one that now has `direction`, so
    // only the lowest can differ from its surroundings.
    let around = match lowest.checked_sub(1) {
        Some(outer) => frames[outer].direction.unwrap_or(base),
        None => base,
    };
    if direction != around
        && let Some(at) = frames[lowest].insert_at
    {
        // A block resolves after the blocks in it only when their text sits
        // in an element with its own `dir`, so this is nearly always last.
        let index = insertions
            .iter()
            .rposition(|(earlier, _)| *earlier < at)
            .map_or(0, |index| index + 1);
        insertions.insert(index, (at, direction));
    }
    for frame in &mut frames[lowest..] {
        frame.direction = Some(direction);
    }
}

/// Returns the direction of the first strong character of escaped text,
/// reading character references as the characters they stand for.
fn first_strong_direction(text: &str) -> Option<Direction> {
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        if let Some(direction) = rest[..amp].chars().find_map(strong_direction) {
            return Some(direction);
        }
        let reference = &rest[amp + 1..];
        let Some(end) = reference.find(';') else {
            return reference.chars().find_map(strong_direction);
        };
        let number = match reference[..end].strip_prefix('#') {
            Some(hex) if hex.starts_with(['x', 'X']) => parse_number(&hex[1..], 16),
            Some(decimal) => parse_number(decimal, 10),
            None => None,
        };
        if let Some(direction) = number.and_then(char::from_u32).and_then(strong_direction) {
            return Some(direction);
        }
        rest = &reference[end + 1..];
    }
    rest.chars().find_map(strong_direction)
}

/// Parses the digits of a character reference. This is `u32::from_str_radix`
/// without its generic code, which would add to the WebAssembly module.
fn parse_number(digits: &str, radix: u32) -> Option<u32> {
    let mut number: u32 = 0;
    for c in digits.chars() {
        number = number.checked_mul(radix)?.checked_add(c.to_digit(radix)?)?;
    }
    (!digits.is_empty()).then_some(number)
}

/// Returns the value of an attribute in a start tag, as written.
fn attribute_value<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let mut rest = tag;
    while let Some(at) = rest.find(name) {
        let before = rest[..at].chars().next_back();
        let after = &rest[at + name.len()..];
        if before.is_some_and(|c| c.is_ascii_whitespace())
            && let Some(value) = after.strip_prefix("=\"")
        {
            return value.find('"').map(|end| &value[..end]);
        }
        rest = after;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin_paragraph_in_rtl_book_marked() {
        let body = "<p>مرحبا 2024</p>\n<p>Rust 1.88 هو</p>\n<p>123 — ؟</p>\n";
        assert_eq!(
            set_block_directions(body, Direction::Rtl),
            "<p>مرحبا 2024</p>\n<p dir=\"ltr\">Rust 1.88 هو</p>\n<p>123 — ؟</p>\n"
        );
    }

    #[test]
    fn rtl_paragraph_in_ltr_book_marked() {
        let body =
            "<h2 id=\"x\">Quotes</h2>\n<blockquote>\n<p>שלום, <em>world</em></p>\n</blockquote>\n";
        assert_eq!(
            set_block_directions(body, Direction::Ltr),
            "<h2 id=\"x\">Quotes</h2>\n<blockquote dir=\"rtl\">\n<p>שלום, <em>world</em></p>\n</blockquote>\n",
            "the quotation takes its first paragraph's direction, which the paragraph inherits"
        );
    }

    #[test]
    fn ltr_book_without_rtl_text_unchanged() {
        let body = "<p>Plain <a href=\"#x\">text</a> and 日本語</p>\n";
        assert!(matches!(
            set_block_directions(body, Direction::Ltr),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn first_strong_character_decides() {
        let body = "<li><p>«<code>ls -l</code>» يعرض الملفات</p></li>";
        assert_eq!(
            set_block_directions(body, Direction::Rtl),
            "<li dir=\"ltr\"><p>«<code>ls -l</code>» يعرض الملفات</p></li>",
            "the list item and its paragraph start with the Latin code"
        );
    }

    #[test]
    fn nested_block_against_its_parent() {
        let body = "<ul>\n<li>English item\n<ul>\n<li>عنصر</li>\n</ul>\n</li>\n</ul>";
        assert_eq!(
            set_block_directions(body, Direction::Rtl),
            "<ul>\n<li dir=\"ltr\">English item\n<ul>\n<li dir=\"rtl\">عنصر</li>\n</ul>\n</li>\n</ul>"
        );
    }

    #[test]
    fn given_dir_kept_and_isolated() {
        let body = "<p><span dir=\"rtl\">עברית</span> then English</p><div dir=\"ltr\"><p>English</p></div>";
        assert_eq!(
            set_block_directions(body, Direction::Rtl),
            "<p dir=\"ltr\"><span dir=\"rtl\">עברית</span> then English</p><div dir=\"ltr\"><p>English</p></div>",
            "text in an element with its own dir does not decide the paragraph's, and a paragraph in a dir=\"ltr\" div needs none"
        );
    }

    #[test]
    fn attributes_and_void_elements_skipped() {
        let body = "<p><img src=\"a.png\" alt=\"English alt\" /><a href=\"x\" title=\"a > b\">عربي</a></p>";
        assert_eq!(
            set_block_directions(body, Direction::Rtl),
            body,
            "alt text and attribute values are not text"
        );
    }

    #[test]
    fn character_references_read_as_characters() {
        let body = "<p>&amp; &#x5D0;</p><p>&lt;&#1576;</p><p>&quot;x</p>";
        assert_eq!(
            set_block_directions(body, Direction::Ltr).into_owned(),
            body.to_string(),
            "no right-to-left letter outside references, so the text is not scanned"
        );
        assert_eq!(
            set_block_directions(body, Direction::Rtl),
            "<p>&amp; &#x5D0;</p><p>&lt;&#1576;</p><p dir=\"ltr\">&quot;x</p>"
        );
    }

    #[test]
    fn outer_block_resolved_after_inner() {
        let body = "<li><span dir=\"rtl\"><p>English</p></span>Latin</li>";
        assert_eq!(
            set_block_directions(body, Direction::Rtl),
            "<li dir=\"ltr\"><span dir=\"rtl\"><p dir=\"ltr\">English</p></span>Latin</li>",
            "the attributes go in document order"
        );
    }

    #[test]
    fn block_without_letters_left_alone() {
        let body = "<table><tr><td>42</td><td>Name</td></tr></table>";
        assert_eq!(
            set_block_directions(body, Direction::Rtl),
            "<table><tr><td>42</td><td dir=\"ltr\">Name</td></tr></table>"
        );
    }

    #[test]
    fn strong_directions() {
        assert_eq!(strong_direction('a'), Some(Direction::Ltr));
        assert_eq!(strong_direction('Ж'), Some(Direction::Ltr));
        assert_eq!(strong_direction('漢'), Some(Direction::Ltr));
        assert_eq!(strong_direction('א'), Some(Direction::Rtl));
        assert_eq!(strong_direction('ب'), Some(Direction::Rtl));
        assert_eq!(strong_direction('ﻻ'), Some(Direction::Rtl));
        assert_eq!(strong_direction('\u{200F}'), Some(Direction::Rtl));
        assert_eq!(strong_direction('٣'), None, "Arabic-Indic digits are weak");
        assert_eq!(strong_direction('7'), None);
        assert_eq!(strong_direction('؟'), None);
        assert_eq!(strong_direction(' '), None);
    }

    #[test]
    fn rtl_letter_found_only_where_present() {
        assert!(!has_rtl_letter("plain text"));
        assert!(!has_rtl_letter(
            "\u{201C}quoted\u{201D} \u{2014} and \u{00E9}t\u{00E9}"
        ));
        assert!(!has_rtl_letter(
            "\u{200E} left-to-right mark, \u{6F22}\u{5B57}, \u{0416}"
        ));
        assert!(!has_rtl_letter("Arabic-Indic digits \u{0663}\u{0664}"));
        assert!(has_rtl_letter(
            "English, then \u{05E9}\u{05DC}\u{05D5}\u{05DD}"
        ));
        assert!(has_rtl_letter("a \u{200F} right-to-left mark"));
        assert!(has_rtl_letter("presentation form \u{FEFB}"));
        assert!(has_rtl_letter("Syriac \u{0710} and Thaana \u{0780}"));
        assert!(has_rtl_letter("Phoenician \u{10900}"));
    }
}
