//! A small XML writer for the package documents, and the escaping that every
//! writer of XML in this crate goes through.
//!
//! Structure is built with calls, never by formatting user text into markup,
//! so a title such as `Fish & <Chips>` cannot break a document.

use std::fmt::Write;
use std::ops::Range;

/// Appends `text` to `out` escaped for element content.
pub fn escape_text_into(out: &mut String, text: &str) {
    // Copies the runs between special characters whole; the three are
    // ASCII, so every split is on a character boundary.
    let mut rest = text;
    while let Some(index) = rest
        .bytes()
        .position(|byte| matches!(byte, b'&' | b'<' | b'>'))
    {
        out.push_str(&rest[..index]);
        out.push_str(match rest.as_bytes()[index] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            _ => "&gt;",
        });
        rest = &rest[index + 1..];
    }
    out.push_str(rest);
}

/// Appends `value` to `out` escaped for a double-quoted attribute value.
pub fn escape_attribute_into(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            // Tabs and newlines in attributes are normalised to spaces by XML
            // parsers unless written as references.
            '\n' => out.push_str("&#10;"),
            '\t' => out.push_str("&#9;"),
            '\r' => out.push_str("&#13;"),
            _ => out.push(c),
        }
    }
}

/// Returns `text` escaped for element content.
pub fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_text_into(&mut out, text);
    out
}

/// An XML document under construction, indented two spaces a level.
pub struct XmlWriter {
    /// The document text so far.
    out: String,
    /// Names of the elements opened and not yet closed, innermost last.
    open: Vec<&'static str>,
}

impl XmlWriter {
    /// Starts a document with the XML declaration, which older reading
    /// systems require at byte 0.
    pub fn new() -> Self {
        Self::with_capacity(0)
    }

    /// Starts a document like [`XmlWriter::new`], with room for `capacity`
    /// more bytes, so that a large body is copied in once.
    pub fn with_capacity(capacity: usize) -> Self {
        const DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";
        let mut out = String::with_capacity(DECLARATION.len() + capacity);
        out.push_str(DECLARATION);
        XmlWriter {
            out,
            open: Vec::new(),
        }
    }

    /// Appends a line of markup as is, for a doctype. Never pass user text.
    pub fn raw_line(&mut self, markup: &str) {
        self.indent();
        self.out.push_str(markup);
        self.out.push('\n');
    }

    /// Opens an element whose children go on the lines below it.
    pub fn start(&mut self, name: &'static str, attributes: &[(&str, &str)]) {
        self.indent();
        self.write_start_tag(name, attributes);
        self.out.push_str(">\n");
        self.open.push(name);
    }

    /// Closes the innermost open element.
    pub fn end(&mut self) {
        let name = self.open.pop().expect("end() without a matching start()");
        self.indent();
        let _ = writeln!(self.out, "</{name}>");
    }

    /// Writes an element that holds only text, on one line.
    pub fn text_element(&mut self, name: &'static str, attributes: &[(&str, &str)], text: &str) {
        self.indent();
        self.write_start_tag(name, attributes);
        self.out.push('>');
        escape_text_into(&mut self.out, text);
        let _ = writeln!(self.out, "</{name}>");
    }

    /// Writes an element with no content as `<name ... />`.
    pub fn empty_element(&mut self, name: &'static str, attributes: &[(&str, &str)]) {
        self.indent();
        self.write_start_tag(name, attributes);
        self.out.push_str(" />\n");
    }

    /// Appends markup that another writer of this crate has already made
    /// well-formed and escaped, such as a chapter body.
    pub fn trusted_markup(&mut self, markup: &str) {
        self.out.push_str(markup);
        if !markup.ends_with('\n') {
            self.out.push('\n');
        }
    }

    /// Closes every open element and returns the document.
    pub fn finish(mut self) -> String {
        while !self.open.is_empty() {
            self.end();
        }
        self.out
    }

    fn write_start_tag(&mut self, name: &str, attributes: &[(&str, &str)]) {
        self.out.push('<');
        self.out.push_str(name);
        for (key, value) in attributes {
            self.out.push(' ');
            self.out.push_str(key);
            self.out.push_str("=\"");
            escape_attribute_into(&mut self.out, value);
            self.out.push('"');
        }
    }

    fn indent(&mut self) {
        for _ in 0..self.open.len() {
            self.out.push_str("  ");
        }
    }
}

impl Default for XmlWriter {
    fn default() -> Self {
        Self::new()
    }
}

/// Reports whether `c` may start an XML name (XML 1.0 fifth edition,
/// production 4, without the colon so the name is also an NCName).
pub fn is_name_start_char(c: char) -> bool {
    matches!(c,
        'A'..='Z' | '_' | 'a'..='z'
        | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}'
        | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}'
        | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}'
        | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}' | '\u{10000}'..='\u{EFFFF}')
}

/// Reports whether `c` may appear after the first character of an XML name
/// (production 4a, without the colon).
pub fn is_name_char(c: char) -> bool {
    is_name_start_char(c)
        || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

/// Reports whether `c` is allowed in an XML 1.0 document at all (production 2).
pub fn is_xml_char(c: char) -> bool {
    matches!(c,
        '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// Returns the length of the tag at the start of `markup`, up to its
/// closing `>` outside quotes.
pub(crate) fn tag_length(markup: &str) -> usize {
    let mut quote = None;
    for (index, c) in markup.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(open), _) if c == open => quote = None,
            (None, '>') => return index + 1,
            _ => {}
        }
    }
    markup.len()
}

/// Returns the element name of a start or end tag.
pub(crate) fn tag_name(tag: &str) -> &str {
    let name = tag.trim_start_matches('<');
    let end = name
        .find(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/')
        .unwrap_or(name.len());
    &name[..end]
}

/// Iterates over the attributes of a start tag as (name, value as written)
/// pairs.
pub(crate) fn attributes(tag: &str) -> impl Iterator<Item = (&str, &str)> {
    attribute_spans(tag).map(move |(name, value)| (name, &tag[value]))
}

/// Iterates over the attributes of a start tag as (name, byte range of the
/// value in the tag) pairs.
pub(crate) fn attribute_spans(tag: &str) -> impl Iterator<Item = (&str, Range<usize>)> {
    let start = 1 + tag_name(tag).len();
    let mut position = start.min(tag.len());
    std::iter::from_fn(move || {
        let rest = &tag[position..];
        let name_start = position + rest.find(|c: char| !c.is_ascii_whitespace())?;
        let rest = &tag[name_start..];
        let equals = rest.find('=')?;
        let name = rest[..equals].trim_end();
        if name.is_empty() || name.contains(['>', '/']) {
            return None;
        }
        let after = &rest[equals + 1..];
        let value_offset = after.find(['"', '\''])?;
        let quote = after[value_offset..].chars().next()?;
        let value_start = name_start + equals + 1 + value_offset + 1;
        let value_end = value_start + tag[value_start..].find(quote)?;
        position = value_end + 1;
        Some((name, value_start..value_end))
    })
}

/// Replaces the five predefined entities and character references.
pub(crate) fn unescape(value: &str) -> String {
    if !value.contains('&') {
        return value.to_string();
    }
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let Some(end) = after.find(';') else {
            out.push_str(&rest[at..]);
            return out;
        };
        let entity = &after[..end];
        let replacement = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|dec| dec.parse().ok()))
                .and_then(char::from_u32),
        };
        match replacement {
            Some(c) => {
                out.push(c);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writer_escapes_text_and_attributes() {
        let mut writer = XmlWriter::new();
        writer.start("root", &[("title", "a \"b\" & <c>")]);
        writer.text_element("item", &[], "Fish & <Chips>");
        let xml = writer.finish();
        assert!(xml.contains(r#"<root title="a &quot;b&quot; &amp; &lt;c&gt;">"#));
        assert!(xml.contains("<item>Fish &amp; &lt;Chips&gt;</item>"));
        assert!(roxmltree::Document::parse(&xml).is_ok());
    }

    #[test]
    fn name_chars_follow_xml_productions() {
        assert!(is_name_start_char('é'));
        assert!(is_name_start_char('日'));
        assert!(!is_name_start_char('1'));
        assert!(!is_name_start_char('-'));
        assert!(is_name_char('1'));
        assert!(
            !is_name_char('\u{B2}'),
            "superscript two is not a name character"
        );
        assert!(!is_xml_char('\u{1}'));
        assert!(!is_xml_char('\u{FFFE}'));
    }

    #[test]
    fn unescape_entities() {
        assert_eq!(unescape("a&amp;b&#x41;&#66;&lt;"), "a&bAB<");
        assert_eq!(unescape("no entity"), "no entity");
    }
}
