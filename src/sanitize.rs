//! The policy for raw HTML in Markdown: which elements and attributes may
//! reach the book, and what the rest become.
//!
//! Raw HTML is tokenized with html5gum, a WHATWG-conformant tokenizer, so
//! entities, odd quoting and broken tags are read the way browsers read
//! them. The XHTML writer applies this policy token by token and keeps the
//! nesting well-formed.

use html5gum::{DefaultEmitter, Token, Tokenizer};

use crate::text::may_have_forbidden_chars;
use crate::xml::{is_name_char, is_name_start_char, is_xml_char};

/// A token of raw HTML, decoded and free of characters XML forbids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RawToken {
    Start {
        name: String,
        attributes: Vec<(String, String)>,
        self_closing: bool,
    },
    End {
        name: String,
    },
    Text(String),
}

/// Tokenizes a fragment of raw HTML. Comments, doctypes and processing
/// instructions are dropped: XML forbids `--` inside comments, and none of
/// them shows on the page.
pub fn tokenize(fragment: &str) -> Vec<RawToken> {
    let mut emitter = DefaultEmitter::default();
    // Script and style contents are read as raw text, as a browser would,
    // so `</p>` inside a script cannot close anything.
    emitter.naively_switch_states(true);
    let mut tokens = Vec::new();
    for token in Tokenizer::new_with_emitter(fragment, emitter).flatten() {
        match token {
            Token::StartTag(tag) => tokens.push(RawToken::Start {
                name: clean(&tag.name),
                attributes: tag
                    .attributes
                    .iter()
                    .map(|(key, value)| (clean(key), clean(&value.value)))
                    .collect(),
                self_closing: tag.self_closing,
            }),
            Token::EndTag(tag) => tokens.push(RawToken::End {
                name: clean(&tag.name),
            }),
            Token::String(text) => {
                let text = clean(&text.value);
                if let Some(RawToken::Text(previous)) = tokens.last_mut() {
                    previous.push_str(&text);
                } else {
                    tokens.push(RawToken::Text(text));
                }
            }
            Token::Comment(_) | Token::Doctype(_) | Token::Error(_) => {}
        }
    }
    tokens
}

/// The state of a scan of raw HTML at the end of what it has read: in
/// text, or inside a tag, a quoted attribute value or a comment that a
/// later line closes. An HTML block arrives a line at a time, and a tag or
/// comment cut between two lines must be read whole.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MarkupScan {
    state: ScanState,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum ScanState {
    #[default]
    Text,
    /// Just after `<`.
    Open,
    /// After `<!`, with this many of the two dashes that start a comment.
    Bang(u8),
    Tag,
    Quoted(u8),
    /// In a comment, after this many dashes in a row (at most 2).
    Comment(u8),
}

impl MarkupScan {
    /// Reads `text`, going on from the state the scan is in.
    pub fn feed(&mut self, text: &str) {
        for byte in text.bytes() {
            self.state = match (self.state, byte) {
                (ScanState::Text, b'<') => ScanState::Open,
                (ScanState::Text, _) => ScanState::Text,
                (ScanState::Open, b'<') => ScanState::Open,
                (ScanState::Open, b'!') => ScanState::Bang(0),
                (ScanState::Open, byte)
                    if byte.is_ascii_alphabetic() || byte == b'/' || byte == b'?' =>
                {
                    ScanState::Tag
                }
                (ScanState::Open, _) => ScanState::Text,
                (ScanState::Bang(0), b'-') => ScanState::Bang(1),
                (ScanState::Bang(1), b'-') => ScanState::Comment(0),
                (ScanState::Bang(_), b'>') | (ScanState::Tag, b'>') => ScanState::Text,
                (ScanState::Bang(_), _) => ScanState::Tag,
                (ScanState::Tag, quote @ (b'"' | b'\'')) => ScanState::Quoted(quote),
                (ScanState::Tag, _) => ScanState::Tag,
                (ScanState::Quoted(quote), byte) if byte == quote => ScanState::Tag,
                (ScanState::Quoted(quote), _) => ScanState::Quoted(quote),
                (ScanState::Comment(dashes), b'>') if dashes >= 2 => ScanState::Text,
                (ScanState::Comment(dashes), b'-') => ScanState::Comment((dashes + 1).min(2)),
                (ScanState::Comment(_), _) => ScanState::Comment(0),
            };
        }
    }

    /// Returns whether the text read so far ends inside a tag or a comment.
    pub fn inside_markup(&self) -> bool {
        self.state != ScanState::Text
    }
}

/// Returns `bytes` as text without the characters XML forbids, with
/// U+FFFD for bytes that are not UTF-8.
fn clean(bytes: &[u8]) -> String {
    // Most names, values and texts need no change, and copying them whole
    // is quicker than one character at a time.
    if let Ok(text) = std::str::from_utf8(bytes)
        && !may_have_forbidden_chars(bytes)
    {
        return text.to_string();
    }
    String::from_utf8_lossy(bytes)
        .chars()
        .filter(|c| is_xml_char(*c))
        .collect()
}

/// An element's place in HTML's content model, simplified to what keeps
/// a book valid: where it may stand and what it may contain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Model {
    /// Phrasing content that contains phrasing content (`span`, `em`, `a`).
    Inline,
    /// Flow content that contains only phrasing content (`p`, `h1`, `pre`).
    BlockOfInline,
    /// Flow content that contains flow content (`div`, `blockquote`, `li`).
    Block,
    /// An element with no content (`br`, `img`, `hr`).
    Void,
}

/// The treatment of a raw element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// Kept, written under this name.
    Keep(&'static str, Model),
    /// Removed with everything inside it, with a warning.
    RemoveWithContent,
    /// The tag is removed and its content kept (`html`, `body`, `form`).
    Unwrap,
    /// A void element that is removed, with a warning.
    RemoveVoid,
    /// An element HTML does not define, such as mdBook's `<Listing>`: it
    /// becomes a `div` or `span` holding its content.
    Unknown,
}

/// Returns the policy for a raw element by its lowercase name.
pub fn element_policy(name: &str) -> Policy {
    use Model::*;
    use Policy::*;
    match name {
        "a" => Keep("a", Inline),
        "abbr" | "acronym" => Keep("abbr", Inline),
        "b" => Keep("b", Inline),
        "bdi" => Keep("bdi", Inline),
        // `bdo` requires a `dir`, which the attribute policy may drop.
        "bdo" => Keep("span", Inline),
        "cite" => Keep("cite", Inline),
        "code" | "tt" => Keep("code", Inline),
        "data" => Keep("data", Inline),
        "del" => Keep("del", Inline),
        "dfn" => Keep("dfn", Inline),
        "em" => Keep("em", Inline),
        "i" => Keep("i", Inline),
        "ins" => Keep("ins", Inline),
        "kbd" => Keep("kbd", Inline),
        "mark" => Keep("mark", Inline),
        "q" => Keep("q", Inline),
        "s" | "strike" => Keep("s", Inline),
        "samp" => Keep("samp", Inline),
        "small" => Keep("small", Inline),
        "span" | "font" | "big" | "blink" | "nobr" | "label" => Keep("span", Inline),
        "strong" => Keep("strong", Inline),
        "sub" => Keep("sub", Inline),
        "sup" => Keep("sup", Inline),
        "time" => Keep("time", Inline),
        "u" => Keep("u", Inline),
        "var" => Keep("var", Inline),
        "ruby" => Keep("ruby", Inline),
        "rt" => Keep("rt", Inline),
        "rp" => Keep("rp", Inline),

        "p" => Keep("p", BlockOfInline),
        "h1" => Keep("h1", BlockOfInline),
        "h2" => Keep("h2", BlockOfInline),
        "h3" => Keep("h3", BlockOfInline),
        "h4" => Keep("h4", BlockOfInline),
        "h5" => Keep("h5", BlockOfInline),
        "h6" => Keep("h6", BlockOfInline),
        "pre" => Keep("pre", BlockOfInline),
        "dt" => Keep("dt", BlockOfInline),
        "summary" => Keep("summary", BlockOfInline),

        "div" | "center" | "main" | "nav" | "hgroup" | "search" => Keep("div", Block),
        "section" => Keep("section", Block),
        "article" => Keep("article", Block),
        "aside" => Keep("aside", Block),
        "header" => Keep("header", Block),
        "footer" => Keep("footer", Block),
        "address" => Keep("address", Block),
        "blockquote" => Keep("blockquote", Block),
        "figure" => Keep("figure", Block),
        "figcaption" => Keep("figcaption", Block),
        "details" => Keep("details", Block),
        "ul" | "dir" | "menu" => Keep("ul", Block),
        "ol" => Keep("ol", Block),
        "li" => Keep("li", Block),
        "dl" => Keep("dl", Block),
        "dd" => Keep("dd", Block),
        "table" => Keep("table", Block),
        "caption" => Keep("caption", Block),
        "colgroup" => Keep("colgroup", Block),
        "thead" => Keep("thead", Block),
        "tbody" => Keep("tbody", Block),
        "tfoot" => Keep("tfoot", Block),
        "tr" => Keep("tr", Block),
        "td" => Keep("td", Block),
        "th" => Keep("th", Block),

        "br" => Keep("br", Void),
        "wbr" => Keep("wbr", Void),
        "img" | "image" => Keep("img", Void),
        "hr" => Keep("hr", Void),
        "col" => Keep("col", Void),

        "script" | "style" | "iframe" | "frame" | "frameset" | "object" | "applet" | "noscript"
        | "noembed" | "noframes" | "template" | "textarea" | "select" | "option" | "optgroup"
        | "datalist" | "title" | "head" | "svg" | "math" | "canvas" | "button" | "audio"
        | "video" | "picture" | "map" | "dialog" | "portal" | "fencedframe" | "slot" => {
            RemoveWithContent
        }
        "html" | "body" | "form" | "fieldset" | "legend" | "output" | "meter" | "progress" => {
            Unwrap
        }
        "meta" | "link" | "base" | "input" | "embed" | "source" | "track" | "area" | "param"
        | "keygen" | "basefont" | "bgsound" | "isindex" => RemoveVoid,
        _ => Unknown,
    }
}

/// Returns the elements a kept element must sit directly inside, where
/// HTML requires one, so that a stray `<li>` or `<td>` becomes a `div`.
pub fn required_parents(name: &str) -> Option<&'static [&'static str]> {
    match name {
        "li" => Some(&["ul", "ol"]),
        "dt" | "dd" => Some(&["dl"]),
        "thead" | "tbody" | "tfoot" | "caption" | "colgroup" => Some(&["table"]),
        "tr" => Some(&["table", "thead", "tbody", "tfoot"]),
        "td" | "th" => Some(&["tr"]),
        "col" => Some(&["colgroup"]),
        "figcaption" => Some(&["figure"]),
        "summary" => Some(&["details"]),
        "rt" | "rp" => Some(&["ruby"]),
        _ => None,
    }
}

/// Reports whether text may stand directly inside the element.
pub fn allows_text(name: &str) -> bool {
    !matches!(
        name,
        "ul" | "ol" | "dl" | "table" | "thead" | "tbody" | "tfoot" | "tr" | "colgroup"
    )
}

/// The treatment of a raw attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttributeAction {
    /// Written as is (name, value).
    Keep(String, String),
    /// The element's id: made unique and valid by the writer.
    Id(String),
    /// A link target, resolved by the writer.
    Href(String),
    /// An image source, resolved by the writer.
    Src(String),
    /// Dropped with a warning, because it could run script.
    RemoveUnsafe,
    /// Dropped quietly: HTML allows it but the book has no use for it, or
    /// EPUB's schema rejects it.
    Remove,
}

/// Decides what becomes of attribute `name="value"` on element `element`
/// (the output name).
pub fn attribute_action(element: &str, name: &str, value: &str) -> AttributeAction {
    use AttributeAction::*;
    if name.starts_with("on") {
        return RemoveUnsafe;
    }
    let digits = |text: &str| {
        !text.is_empty() && text.len() <= 6 && text.chars().all(|c| c.is_ascii_digit())
    };
    match (element, name) {
        (_, "id") => Id(value.to_string()),
        ("a", "name") => Id(value.to_string()),
        ("a", "href") => Href(value.to_string()),
        ("img", "src") => Src(value.to_string()),
        ("img", "alt") | (_, "title") => Keep(name.to_string(), value.to_string()),
        ("img", "width" | "height") if digits(value) => Keep(name.to_string(), value.to_string()),
        ("td" | "th", "colspan" | "rowspan") if digits(value) && value != "0" => {
            Keep(name.to_string(), value.to_string())
        }
        ("th", "scope") if matches!(value, "row" | "col" | "rowgroup" | "colgroup") => {
            Keep(name.to_string(), value.to_string())
        }
        ("ol", "start") if digits(value.trim_start_matches('-')) => {
            Keep(name.to_string(), value.to_string())
        }
        ("ol", "reversed") => Keep(name.to_string(), "reversed".to_string()),
        ("ol", "type") if matches!(value, "1" | "a" | "A" | "i" | "I") => {
            Keep(name.to_string(), value.to_string())
        }
        ("li", "value") if digits(value.trim_start_matches('-')) => {
            Keep(name.to_string(), value.to_string())
        }
        ("col" | "colgroup", "span") if digits(value) => Keep(name.to_string(), value.to_string()),
        // A `datetime` EPUBCheck cannot parse is an error, so none is kept.
        ("data", "value") => Keep(name.to_string(), value.to_string()),
        ("details", "open") => Keep(name.to_string(), "open".to_string()),
        (_, "class") => Keep(name.to_string(), value.to_string()),
        (_, "lang" | "xml:lang") if crate::metadata::is_valid_language_tag(value) => {
            Keep("lang".to_string(), value.to_string())
        }
        (_, "dir") if matches!(value, "ltr" | "rtl" | "auto") => {
            Keep(name.to_string(), value.to_string())
        }
        (_, "style") if is_safe_style(value) => Keep(name.to_string(), value.to_string()),
        (_, "style") => RemoveUnsafe,
        // EPUBCheck rejects unknown `aria-` names and `role` values, so only
        // these are kept.
        (_, "aria-label" | "aria-hidden" | "aria-describedby" | "aria-labelledby") => {
            Keep(name.to_string(), value.to_string())
        }
        _ if name.starts_with("data-") && name.len() > 5 && is_xml_attribute_name(name) => {
            Keep(name.to_string(), value.to_string())
        }
        _ => Remove,
    }
}

/// Reports whether inline CSS is free of anything that loads or runs
/// something: `url(`, `@import`, `expression(` and escapes that could hide them.
fn is_safe_style(css: &str) -> bool {
    let lower = css.to_ascii_lowercase();
    // Script schemes are no URL here, but a style that names one has no
    // honest use, and checkers that look for them would flag it.
    !(lower.contains("url(")
        || lower.contains("@import")
        || lower.contains("expression")
        || lower.contains("javascript:")
        || lower.contains("vbscript:")
        || lower.contains('\\')
        || lower.contains('<'))
}

fn is_xml_attribute_name(name: &str) -> bool {
    name.starts_with(is_name_start_char) && name.chars().all(is_name_char)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenize_decodes_entities() {
        let tokens = tokenize("<span title=\"a &amp; b\">caf&eacute; &#1; &nbsp;</span><!-- c -->");
        assert_eq!(
            tokens,
            vec![
                RawToken::Start {
                    name: "span".to_string(),
                    attributes: vec![("title".to_string(), "a & b".to_string())],
                    self_closing: false
                },
                RawToken::Text("café  \u{a0}".to_string()),
                RawToken::End {
                    name: "span".to_string()
                },
            ]
        );
    }

    #[test]
    fn scan_finds_markup_cut_between_lines() {
        let inside = |lines: &[&str]| {
            let mut scan = MarkupScan::default();
            lines
                .iter()
                .map(|line| {
                    scan.feed(line);
                    scan.inside_markup()
                })
                .collect::<Vec<bool>>()
        };
        assert_eq!(
            inside(&["<p>See <img src=\"a.png\"\n", "  alt=\"pic\"></p>\n"]),
            [true, false]
        );
        assert_eq!(
            inside(&["<!--\n", "a comment > b\n", "-->\n"]),
            [true, true, false]
        );
        assert_eq!(
            inside(&["<a title=\"a > b\n", "c\">x</a>\n"]),
            [true, false]
        );
        assert_eq!(inside(&["<p>1 < 2 and 3 > 2</p>\n"]), [false]);
        assert_eq!(
            inside(&["<div>\n", "<!DOCTYPE x>\n", "</div>\n"]),
            [false, false, false]
        );
        assert_eq!(inside(&["<!-- one --> <b\n", ">bold</b>\n"]), [true, false]);
    }

    #[test]
    fn tokenize_drops_forbidden_characters() {
        let tokens = tokenize("<i title=\"a\u{1}b\u{FFFF}\">c\u{8}d</i>");
        assert_eq!(
            tokens[0],
            RawToken::Start {
                name: "i".to_string(),
                attributes: vec![("title".to_string(), "ab".to_string())],
                self_closing: false
            }
        );
        assert_eq!(tokens[1], RawToken::Text("cd".to_string()));
    }

    #[test]
    fn script_content_is_raw_text() {
        let tokens = tokenize("<script>if (a < b) { x = '</p>' }</script>");
        assert_eq!(tokens.len(), 3);
        assert!(matches!(&tokens[1], RawToken::Text(text) if text.contains("</p>")));
    }

    #[test]
    fn element_policy_cases() {
        assert_eq!(element_policy("script"), Policy::RemoveWithContent);
        assert_eq!(element_policy("iframe"), Policy::RemoveWithContent);
        assert_eq!(element_policy("embed"), Policy::RemoveVoid);
        assert_eq!(element_policy("form"), Policy::Unwrap);
        assert_eq!(
            element_policy("listing"),
            Policy::Unknown,
            "mdBook's <Listing>, not HTML's obsolete one"
        );
        assert_eq!(element_policy("center"), Policy::Keep("div", Model::Block));
    }

    #[test]
    fn attribute_action_cases() {
        assert_eq!(
            attribute_action("a", "onclick", "x()"),
            AttributeAction::RemoveUnsafe
        );
        assert_eq!(
            attribute_action("a", "href", "x.md"),
            AttributeAction::Href("x.md".to_string())
        );
        assert_eq!(
            attribute_action("span", "style", "background:url(x)"),
            AttributeAction::RemoveUnsafe
        );
        assert_eq!(
            attribute_action("span", "style", "color: red"),
            AttributeAction::Keep("style".to_string(), "color: red".to_string())
        );
        assert_eq!(
            attribute_action("img", "width", "100%"),
            AttributeAction::Remove
        );
        assert_eq!(
            attribute_action("div", "align", "center"),
            AttributeAction::Remove
        );
        assert_eq!(
            attribute_action("p", "xml:lang", "fr"),
            AttributeAction::Keep("lang".to_string(), "fr".to_string())
        );
    }
}
