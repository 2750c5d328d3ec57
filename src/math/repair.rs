//! Rewrites pulldown-latex's MathML into well-formed MathML 3, which EPUB
//! 3.3 requires and EPUBCheck validates.
//!
//! pulldown-latex 0.8 writes MathML Core for browsers, with four
//! differences that matter in a book:
//!
//! - `<`, `>` and `&` are raw in token elements (`<mo><</mo>` for `a < b`).
//! - `&nbsp;`, which XHTML does not define, pads `\text`.
//! - `\big` and its kin write attributes with no space between them
//!   (`stretchy="true"minsize="1.2em"`).
//! - `displaystyle` and `scriptlevel` go on any element, but MathML 3
//!   allows them only on `mstyle` (and `displaystyle` on `math`).
//!
//! The rewriter reads the markup once, writes every tag again from its
//! name and attributes, escapes stray characters as text, and wraps an
//! element with style attributes in an `mstyle` that carries them. It
//! checks that the tags balance as it goes, so its output is well-formed
//! or it returns an error.

use crate::xml::escape_text_into;

/// Attributes that MathML 3 allows only on `mstyle`.
const STYLE_ATTRIBUTES: [&str; 2] = ["displaystyle", "scriptlevel"];

/// An element opened and not yet closed.
struct Open<'a> {
    name: &'a str,
    /// Whether an `mstyle` was opened around it, to close after it.
    wrapped: bool,
}

/// Appends the renderer's output after its `<math>` start tag, which the
/// caller has written, to `out`. Returns what is wrong when the markup
/// cannot be made well-formed.
pub fn rewrite_content(out: &mut String, content: &str) -> Result<(), &'static str> {
    let mut open = vec![Open {
        name: "math",
        wrapped: false,
    }];
    let mut rest = content;
    while let Some(index) = rest.find(['<', '>', '&']) {
        if open.is_empty() {
            return Err("content after the root element");
        }
        // Text up to here has no `<`, `>` or `&` to escape.
        out.push_str(&rest[..index]);
        rest = &rest[index..];

        if rest.starts_with('<')
            && let Some(length) = tag_length(rest)
        {
            write_tag(out, &rest[1..length - 1], &mut open)?;
            rest = &rest[length..];
        } else if rest.starts_with("&nbsp;") {
            out.push_str("&#160;");
            rest = &rest["&nbsp;".len()..];
        } else if let Some(length) = reference_length(rest) {
            out.push_str(&rest[..length]);
            rest = &rest[length..];
        } else {
            // A `<` that starts no tag, a `>` outside a tag, or an `&`
            // that starts no reference is text.
            escape_text_into(out, &rest[..1]);
            rest = &rest[1..];
        }
    }
    if !open.is_empty() {
        return Err("an element is not closed");
    }
    if !rest.trim().is_empty() {
        return Err("content after the root element");
    }
    Ok(())
}

/// Writes a start, end or empty-element tag again, given its text between
/// `<` and `>`.
fn write_tag<'a>(
    out: &mut String,
    tag: &'a str,
    open: &mut Vec<Open<'a>>,
) -> Result<(), &'static str> {
    if let Some(name) = tag.strip_prefix('/') {
        let element = open.pop().ok_or("an end tag without a start tag")?;
        if element.name != name.trim_end() {
            return Err("end tags out of order");
        }
        out.push_str("</");
        out.push_str(element.name);
        out.push('>');
        if element.wrapped {
            out.push_str("</mstyle>");
        }
        return Ok(());
    }

    let (body, empty) = match tag.strip_suffix('/') {
        Some(body) => (body, true),
        None => (tag, false),
    };
    let (name, attributes) = parse_start_tag(body).ok_or("a start tag that cannot be read")?;
    let (style, other): (Vec<_>, Vec<_>) = attributes
        .into_iter()
        .partition(|(key, _)| STYLE_ATTRIBUTES.contains(key) && !matches!(name, "mstyle" | "math"));

    let wrapped = !style.is_empty();
    if wrapped {
        write_start_tag(out, "mstyle", &style, false);
    }
    write_start_tag(out, name, &other, empty);
    if empty {
        if wrapped {
            out.push_str("</mstyle>");
        }
    } else {
        open.push(Open { name, wrapped });
    }
    Ok(())
}

fn write_start_tag(out: &mut String, name: &str, attributes: &[(&str, &str)], empty: bool) {
    out.push('<');
    out.push_str(name);
    for (key, value) in attributes {
        out.push(' ');
        out.push_str(key);
        out.push_str("=\"");
        out.push_str(value);
        out.push('"');
    }
    out.push_str(if empty { " />" } else { ">" });
}

/// Reads a start tag's name and its `key="value"` attributes, with or
/// without space between them. Values must already be valid XML: no `<`,
/// and `&` only in references.
fn parse_start_tag(body: &str) -> Option<(&str, Vec<(&str, &str)>)> {
    let name_end = body
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(body.len());
    let (name, mut rest) = body.split_at(name_end);
    if name.is_empty() {
        return None;
    }
    let mut attributes = Vec::new();
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            return Some((name, attributes));
        }
        let (key, after_key) = rest.split_once("=\"")?;
        let (value, after_value) = after_key.split_once('"')?;
        let key_is_name = !key.is_empty()
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == ':');
        let value_is_text = !value.contains('<')
            && value
                .match_indices('&')
                .all(|(index, _)| reference_length(&value[index..]).is_some());
        if !key_is_name || !value_is_text {
            return None;
        }
        attributes.push((key, value));
        rest = after_value;
    }
}

/// Returns the length of the tag at the start of `text`: `<`, an optional
/// `/`, a lowercase name, then anything but `<` up to `>`.
fn tag_length(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let name_start = if bytes.get(1) == Some(&b'/') { 2 } else { 1 };
    if !bytes.get(name_start)?.is_ascii_lowercase() {
        return None;
    }
    // Stopping at the next `<` keeps a run of stray `<` linear.
    let end = 1 + bytes[1..]
        .iter()
        .position(|byte| matches!(byte, b'<' | b'>'))?;
    (bytes[end] == b'>').then_some(end + 1)
}

/// Returns the length of the character or entity reference at the start
/// of `text`, if it is one that XML defines without a DTD.
fn reference_length(text: &str) -> Option<usize> {
    let end = text.bytes().take(12).position(|byte| byte == b';')?;
    let name = text.get(1..end)?;
    let is_reference =
        matches!(name, "amp" | "lt" | "gt" | "quot" | "apos") || is_character_reference(name);
    is_reference.then_some(end + 1)
}

fn is_character_reference(name: &str) -> bool {
    match name.strip_prefix('#') {
        Some(hex) if hex.starts_with('x') => {
            hex.len() > 1 && hex[1..].bytes().all(|byte| byte.is_ascii_hexdigit())
        }
        Some(decimal) => !decimal.is_empty() && decimal.bytes().all(|byte| byte.is_ascii_digit()),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewrite(content: &str) -> Result<String, &'static str> {
        let mut out = String::from("<math>");
        rewrite_content(&mut out, content)?;
        Ok(out)
    }

    #[test]
    fn stray_characters_escaped() {
        assert_eq!(
            rewrite("<mo><</mo><mi>a<b</mi><mo>></mo><mi>&</mi><mtext>&lt;&nbsp;</mtext></math>"),
            Ok("<math><mo>&lt;</mo><mi>a&lt;b</mi><mo>&gt;</mo><mi>&amp;</mi><mtext>&lt;&#160;</mtext></math>".to_string())
        );
    }

    #[test]
    fn attributes_spaced() {
        assert_eq!(
            rewrite("<mo stretchy=\"true\"minsize=\"1.2em\">(</mo></math>"),
            Ok("<math><mo stretchy=\"true\" minsize=\"1.2em\">(</mo></math>".to_string())
        );
    }

    #[test]
    fn style_attributes_moved_to_mstyle() {
        assert_eq!(
            rewrite("<mrow displaystyle=\"true\" scriptlevel=\"0\" class=\"c\"><mi>x</mi></mrow><mspace width=\"1em\" displaystyle=\"false\" /></math>"),
            Ok("<math><mstyle displaystyle=\"true\" scriptlevel=\"0\"><mrow class=\"c\"><mi>x</mi></mrow></mstyle><mstyle displaystyle=\"false\"><mspace width=\"1em\" /></mstyle></math>".to_string())
        );
    }

    #[test]
    fn malformed_markup_rejected() {
        assert!(rewrite("<mi>x</math>").is_err(), "end tags out of order");
        assert!(rewrite("<mi>x</mi>").is_err(), "root not closed");
        assert!(
            rewrite("</math><mi>x</mi>").is_err(),
            "content after the root"
        );
        assert!(rewrite("<mi a=b>x</mi></math>").is_err(), "unquoted value");
        assert!(
            rewrite("<mi a=\"&\">x</mi></math>").is_err(),
            "ampersand in a value"
        );
        assert!(
            rewrite("<mi a=\"x\" b>x</mi></math>").is_err(),
            "attribute without a value"
        );
        // `\operatorname{a<b>c}`: the name's text reads as a `<b>` tag that
        // never closes.
        assert!(rewrite("<mi>a<b>c</mi></math>").is_err(), "tag in text");
    }

    #[test]
    fn references_kept() {
        assert_eq!(
            rewrite("<mtext>&amp;&#160;&#xA0;&quot;</mtext></math>"),
            Ok("<math><mtext>&amp;&#160;&#xA0;&quot;</mtext></math>".to_string())
        );
    }
}
