//! KEPUB, the EPUB variant that Kobo's reading systems open with their
//! faster renderer: the body wrapped in `div#book-columns >
//! div#book-inner`, and every sentence in a `span.koboSpan` whose id
//! `kobo.P.S` counts paragraphs and the sentences within one. Kobo uses
//! the spans for reading positions, highlights and statistics.
//!
//! The transform works on the finished XHTML documents Quire wrote, so it
//! gets every chapter in its final form. This module also contains the
//! small markup scanner that the target checks in [`crate::target`] use.

use crate::xml::escape_text;

/// Elements whose text is left without spans: preformatted text keeps its
/// exact characters, MathML, SVG, scripts and styles are not prose, and
/// HTML allows only text in `time` (without `datetime`), `rp`, `option`
/// and `textarea`.
const SKIPPED: [&str; 9] = [
    "pre", "math", "svg", "script", "style", "time", "rp", "option", "textarea",
];

/// Elements that start a new paragraph number at their start and end.
const BLOCKS: [&str; 28] = [
    "address",
    "article",
    "aside",
    "blockquote",
    "caption",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "ol",
    "p",
    "section",
    "table",
    "td",
    "th",
];

/// One piece of markup, borrowed from the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token<'a> {
    /// A start tag, `<name ...>` or `<name .../>`.
    Start {
        name: &'a str,
        markup: &'a str,
        empty: bool,
    },
    /// An end tag.
    End { name: &'a str, markup: &'a str },
    /// Character data between tags, still escaped.
    Text(&'a str),
    /// A comment, CDATA section, processing instruction or doctype, passed
    /// on as written.
    Other(&'a str),
}

/// Splits well-formed XML, such as the documents Quire writes, into
/// tokens. Markup that is cut short ends as one `Other` token.
pub fn tokens(document: &str) -> Tokens<'_> {
    Tokens { rest: document }
}

/// The iterator [`tokens`] returns.
pub struct Tokens<'a> {
    rest: &'a str,
}

impl<'a> Iterator for Tokens<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        let rest = self.rest;
        if rest.is_empty() {
            return None;
        }
        if !rest.starts_with('<') {
            let end = rest.find('<').unwrap_or(rest.len());
            self.rest = &rest[end..];
            return Some(Token::Text(&rest[..end]));
        }

        let closer = if rest.starts_with("<!--") {
            "-->"
        } else if rest.starts_with("<![CDATA[") {
            "]]>"
        } else if rest.starts_with("<?") {
            "?>"
        } else if rest.starts_with("<!") {
            ">"
        } else {
            let end = tag_end(rest).unwrap_or(rest.len());
            self.rest = &rest[end..];
            return Some(tag_token(&rest[..end]));
        };
        let end = rest[1..]
            .find(closer)
            .map_or(rest.len(), |index| 1 + index + closer.len());
        self.rest = &rest[end..];
        Some(Token::Other(&rest[..end]))
    }
}

/// Returns the index after the `>` that closes the tag at the start of
/// `markup`, skipping any `>` inside quoted attribute values.
fn tag_end(markup: &str) -> Option<usize> {
    let mut quote = None;
    for (index, c) in markup.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(open), _) if c == open => quote = None,
            (None, '>') => return Some(index + 1),
            _ => {}
        }
    }
    None
}

fn tag_token(markup: &str) -> Token<'_> {
    let closing = markup.starts_with("</");
    let inner = markup
        .trim_start_matches("</")
        .trim_start_matches('<')
        .trim_end_matches('>');
    let name_end = inner
        .find(|c: char| c.is_whitespace() || c == '/')
        .unwrap_or(inner.len());
    let name = &inner[..name_end];
    if closing {
        Token::End { name, markup }
    } else {
        Token::Start {
            name,
            markup,
            empty: inner.ends_with('/'),
        }
    }
}

/// Returns the value of attribute `name` in a start tag, still escaped.
pub fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let mut rest = tag;
    while let Some(index) = rest.find(name) {
        let before = rest[..index].chars().next_back();
        let after = rest[index + name.len()..].trim_start();
        rest = &rest[index + name.len()..];
        if !before.is_some_and(char::is_whitespace) {
            continue;
        }
        let Some(value) = after.strip_prefix('=') else {
            continue;
        };
        let value = value.trim_start();
        let quote = value.chars().next()?;
        if quote != '"' && quote != '\'' {
            continue;
        }
        let end = value[1..].find(quote)?;
        return Some(&value[1..1 + end]);
    }
    None
}

/// Decodes the character references XML defines without a DTD. Returns
/// `None` for any other entity, so the caller keeps the text as it is.
pub fn unescape(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(index) = rest.find('&') {
        out.push_str(&rest[..index]);
        let end = rest[index..].find(';')? + index;
        let name = &rest[index + 1..end];
        let c = match name {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let code = if let Some(hex) = name.strip_prefix("#x") {
                    u32::from_str_radix(hex, 16).ok()?
                } else {
                    name.strip_prefix('#')?.parse().ok()?
                };
                char::from_u32(code)?
            }
        };
        out.push(c);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// Splits text into sentences. A sentence ends after `.`, `!`, `?` or `…`
/// and any closing quotes or brackets, with the spaces that follow kept
/// on it, or right after an ideographic full stop, exclamation or
/// question mark. Joined, the parts are `text` again.
pub fn sentences(text: &str) -> Vec<&str> {
    const ENDS: &str = ".!?…";
    const WIDE_ENDS: &str = "。！？";
    const CLOSERS: &str = "\"'”’»)]」』）";

    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut parts = Vec::new();
    let mut start = 0;
    let mut at = 0;
    while at < chars.len() {
        let c = chars[at].1;
        at += 1;
        let wide = WIDE_ENDS.contains(c);
        if !wide && !ENDS.contains(c) {
            continue;
        }
        while at < chars.len() && (ENDS.contains(chars[at].1) || CLOSERS.contains(chars[at].1)) {
            at += 1;
        }
        let spaces_start = at;
        while at < chars.len() && chars[at].1.is_whitespace() {
            at += 1;
        }
        let ends_here = wide || (at > spaces_start) || at == chars.len();
        if ends_here && at < chars.len() {
            let end = chars[at].0;
            parts.push(&text[start..end]);
            start = end;
        }
    }
    if start < text.len() {
        parts.push(&text[start..]);
    }
    parts
}

/// Rewrites an XHTML content document as KEPUB: the body's content in
/// `div#book-columns > div#book-inner`, each sentence of its text in a
/// `span.koboSpan`, and each image in one too. Text inside the elements
/// of [`SKIPPED`] is left as it is.
pub fn kepubify(document: &str) -> String {
    let mut out = String::with_capacity(document.len() + document.len() / 2);
    let mut in_body = false;
    // Open elements whose text is left alone, counting nested ones.
    let mut skipped_depth = 0usize;
    let mut paragraph = 0usize;
    let mut segment = 0usize;
    let mut new_paragraph = true;
    let mut open_span = |out: &mut String, new_paragraph: &mut bool| {
        if *new_paragraph {
            paragraph += 1;
            segment = 0;
            *new_paragraph = false;
        }
        segment += 1;
        out.push_str(&format!(
            "<span class=\"koboSpan\" id=\"kobo.{paragraph}.{segment}\">"
        ));
    };

    for token in tokens(document) {
        match token {
            Token::Start {
                name,
                markup,
                empty,
            } => {
                if !in_body || skipped_depth > 0 {
                    out.push_str(markup);
                    if name == "body" && !empty {
                        in_body = true;
                        out.push_str("<div id=\"book-columns\"><div id=\"book-inner\">");
                    } else if skipped_depth > 0 && !empty {
                        skipped_depth += 1;
                    }
                    continue;
                }
                if BLOCKS.contains(&name) {
                    new_paragraph = true;
                }
                if name == "img" {
                    new_paragraph = true;
                    open_span(&mut out, &mut new_paragraph);
                    out.push_str(markup);
                    out.push_str("</span>");
                    new_paragraph = true;
                    continue;
                }
                out.push_str(markup);
                if SKIPPED.contains(&name) && !empty {
                    skipped_depth = 1;
                }
            }
            Token::End { name, markup } => {
                if in_body && skipped_depth == 0 && name == "body" {
                    out.push_str("</div></div>");
                    in_body = false;
                } else if skipped_depth > 0 {
                    skipped_depth -= 1;
                } else if BLOCKS.contains(&name) {
                    new_paragraph = true;
                }
                out.push_str(markup);
            }
            Token::Text(text) if in_body && skipped_depth == 0 && !text.trim().is_empty() => {
                let Some(decoded) = unescape(text) else {
                    open_span(&mut out, &mut new_paragraph);
                    out.push_str(text);
                    out.push_str("</span>");
                    continue;
                };
                for sentence in sentences(&decoded) {
                    open_span(&mut out, &mut new_paragraph);
                    out.push_str(&escape_text(sentence));
                    out.push_str("</span>");
                }
            }
            Token::Text(text) | Token::Other(text) => out.push_str(text),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_keep_every_character() {
        let cases = [
            (
                "One. Two! Three? Four",
                vec!["One. ", "Two! ", "Three? ", "Four"],
            ),
            (
                "He said \"Stop.\" Then left.",
                vec!["He said \"Stop.\" ", "Then left."],
            ),
            ("3.14 is pi", vec!["3.14 is pi"]),
            ("Wait... what?", vec!["Wait... ", "what?"]),
            ("一。二！三", vec!["一。", "二！", "三"]),
            ("  leading space", vec!["  leading space"]),
            ("End.  ", vec!["End.  "]),
        ];
        for (text, expected) in cases {
            let parts = sentences(text);
            assert_eq!(parts, expected, "{text:?}");
            assert_eq!(parts.concat(), text);
        }
    }

    #[test]
    fn kepubify_wraps_body_and_numbers_spans() {
        let document = "<html><head><title>T. X.</title></head><body><section><h1>Title</h1><p>One. Two.</p><pre>a. b.</pre><p>Three <em>four.</em> Five.</p></section></body></html>";
        let expected = "<html><head><title>T. X.</title></head><body><div id=\"book-columns\"><div id=\"book-inner\"><section><h1><span class=\"koboSpan\" id=\"kobo.1.1\">Title</span></h1><p><span class=\"koboSpan\" id=\"kobo.2.1\">One. </span><span class=\"koboSpan\" id=\"kobo.2.2\">Two.</span></p><pre>a. b.</pre><p><span class=\"koboSpan\" id=\"kobo.3.1\">Three </span><em><span class=\"koboSpan\" id=\"kobo.3.2\">four.</span></em><span class=\"koboSpan\" id=\"kobo.3.3\"> Five.</span></p></section></div></div></body></html>";
        assert_eq!(kepubify(document), expected);
    }

    #[test]
    fn kepubify_skips_math_svg_script_style() {
        let document = "<body><p>A <math><mi>x</mi><mrow><mi>y</mi></mrow></math> b.</p><svg><text>s</text></svg><style>p{}</style><script>x</script><p><time>noon</time></p></body>";
        let out = kepubify(document);
        assert!(
            out.contains("<math><mi>x</mi><mrow><mi>y</mi></mrow></math>"),
            "{out}"
        );
        assert!(out.contains("<svg><text>s</text></svg>"), "{out}");
        assert!(out.contains("<style>p{}</style>"), "{out}");
        assert!(out.contains("<script>x</script>"), "{out}");
        assert!(out.contains("<time>noon</time>"), "{out}");
        assert!(out.contains("id=\"kobo.1.2\"> b.</span>"), "{out}");
    }

    #[test]
    fn kepubify_spans_images_and_escapes() {
        let out =
            kepubify("<body><p>a &amp; b &lt;c&gt;. <img src=\"x.png\" alt=\"x\"/></p></body>");
        assert!(
            out.contains("<span class=\"koboSpan\" id=\"kobo.1.1\">a &amp; b &lt;c&gt;. </span>"),
            "{out}"
        );
        assert!(
            out.contains(
                "<span class=\"koboSpan\" id=\"kobo.2.1\"><img src=\"x.png\" alt=\"x\"/></span>"
            ),
            "{out}"
        );
    }

    #[test]
    fn attribute_reads_quoted_values() {
        let tag = "<img data-alt=\"no\" src='a b.png' alt=\"A &amp; B\"/>";
        assert_eq!(attribute(tag, "alt"), Some("A &amp; B"));
        assert_eq!(attribute(tag, "src"), Some("a b.png"));
        assert_eq!(attribute(tag, "id"), None);
    }

    #[test]
    fn unescape_rejects_unknown_entities() {
        assert_eq!(unescape("a &amp; &#65;&#x42;").as_deref(), Some("a & AB"));
        assert_eq!(unescape("&nbsp;"), None);
    }
}
