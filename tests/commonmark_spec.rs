//! Checks the XHTML writer against the examples of the CommonMark spec and
//! the extension examples of the GFM spec.
//!
//! Both the spec's expected HTML and `render_fragment`'s XHTML go through
//! `normalize_html`, so that differences of form (entity or character,
//! `<br>` or `<br />`, attribute order, whitespace between blocks) vanish and
//! differences of meaning stay. Examples with raw HTML in their Markdown are
//! not compared, because the spec passes raw HTML through while an XHTML
//! writer cannot. Every output, compared or not, must be well-formed XML with
//! no `<script>` element, event-handler attribute or `javascript:` URL.
//!
//! Intended differences are listed in `COMMONMARK_KNOWN_DIFFERENCES` and
//! `GFM_EXTENSION_KNOWN_DIFFERENCES`. An example listed there that matches
//! the spec fails the test too, so the tables stay true.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::panic::{self, AssertUnwindSafe};
use std::path::Path;

use html5gum::{Token, Tokenizer};

use quire::render_fragment;

/// CommonMark spec 0.31.2, relative to the crate root.
const COMMONMARK_SPEC_PATH: &str = "tests/corpus/commonmark-spec/spec.txt";

/// GFM spec 0.29, relative to the crate root.
const GFM_SPEC_PATH: &str = "tests/corpus/gfm-spec/spec.txt";

/// CommonMark examples whose output is meant to differ from the spec, by
/// example number, with the reason.
#[rustfmt::skip]
const COMMONMARK_KNOWN_DIFFERENCES: &[(usize, &str)] = &[
    (96, "a leading `---` block is read as a YAML metadata block, as pandoc does, and is not rendered"),
    (142, "the Ruby code block is highlighted, so its keywords and number are in spans"),
    (143, "the Ruby code block is highlighted, so its keywords and number are in spans"),
    (600, "`a+b+c:` is not a scheme a reading system can open, so the link keeps only its text"),
    (601, "`made-up-scheme:` is not a scheme a reading system can open, so the link keeps only its text"),
    (603, "`localhost:` is not a scheme a reading system can open, so the link keeps only its text"),
    (610, "GFM's autolink extension is on, so the bare URL inside `< >` becomes a link"),
    (613, "GFM's autolink extension is on, so a bare URL becomes a link"),
    (614, "GFM's autolink extension is on, so a bare e-mail address becomes a link"),
];

/// GFM extension examples whose output is meant to differ from the spec, by
/// example number (numbered through the whole GFM spec), with the reason.
///
#[rustfmt::skip]
const GFM_EXTENSION_KNOWN_DIFFERENCES: &[(usize, &str)] = &[
    (279, "task list items get a ballot box character, because a book has no use for a form control"),
    (280, "task list items get a ballot box character, because a book has no use for a form control"),
];

/// Line that opens and closes an example in the spec files: 32 backticks.
const EXAMPLE_FENCE: &str = "````````````````````````````````";

/// Sections whose examples are about raw HTML and are never compared.
const RAW_HTML_SECTIONS: &[&str] = &["HTML blocks", "Raw HTML"];

/// One example from a spec file.
#[derive(Debug)]
struct Example {
    /// Number as the spec gives it: 1-based, in file order, over all examples.
    number: usize,
    /// Line of the opening fence in the spec file, 1-based.
    line: usize,
    /// Text of the nearest ATX heading above the example.
    section: String,
    /// Word after `example` on the opening fence, empty for core examples.
    /// The GFM spec 0.29 uses `table`, `strikethrough`, `autolink`,
    /// `disabled` (task lists) and `tagfilter` (disallowed raw HTML).
    extension: String,
    markdown: String,
    html: String,
}

/// Position of the spec parser inside or outside an example.
enum ParseState {
    Prose,
    Markdown,
    Html,
}

/// Parses the examples out of a spec file.
///
/// An example is fenced by `EXAMPLE_FENCE` lines, the opening one followed by
/// ` example` and an optional extension word. A line holding a single `.`
/// separates the Markdown from the HTML, and `→` stands for a tab in both.
fn parse_spec(text: &str) -> Vec<Example> {
    let mut examples = Vec::new();
    let mut state = ParseState::Prose;
    let mut section = String::new();
    let mut current: Option<Example> = None;

    for (index, line) in text.lines().enumerate() {
        let line_number = index + 1;
        match state {
            ParseState::Prose => {
                if let Some(extension) = line
                    .strip_prefix(EXAMPLE_FENCE)
                    .and_then(|rest| rest.strip_prefix(" example"))
                {
                    current = Some(Example {
                        number: examples.len() + 1,
                        line: line_number,
                        section: section.clone(),
                        extension: extension.trim().to_string(),
                        markdown: String::new(),
                        html: String::new(),
                    });
                    state = ParseState::Markdown;
                } else if let Some(heading) = parse_atx_heading(line) {
                    section = heading.to_string();
                }
            }
            ParseState::Markdown => {
                let example = current.as_mut().expect("an example is open");
                if line == "." {
                    state = ParseState::Html;
                } else {
                    example.markdown.push_str(&line.replace('→', "\t"));
                    example.markdown.push('\n');
                }
            }
            ParseState::Html => {
                if line == EXAMPLE_FENCE {
                    examples.push(current.take().expect("an example is open"));
                    state = ParseState::Prose;
                } else {
                    let example = current.as_mut().expect("an example is open");
                    example.html.push_str(&line.replace('→', "\t"));
                    example.html.push('\n');
                }
            }
        }
    }

    if let Some(example) = current {
        panic!(
            "example {} opened at line {} is not closed by a line of 32 backticks",
            example.number, example.line
        );
    }
    examples
}

/// Returns the text of an ATX heading line (`## Tabs`), or `None`.
fn parse_atx_heading(line: &str) -> Option<&str> {
    let level = line.bytes().take_while(|&byte| byte == b'#').count();
    if !(1..=6).contains(&level) {
        return None;
    }
    line[level..].strip_prefix(' ').map(str::trim)
}

fn read_spec(relative_path: &str) -> Vec<Example> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative_path);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("failed to read spec file {}: {error}", path.display()));
    parse_spec(&text)
}

/// Reports whether an example's Markdown contains raw HTML, as the parser
/// reads it: autolinks such as `<https://a.b>` and a `<` inside code do not
/// count.
fn contains_raw_html(example: &Example) -> bool {
    if RAW_HTML_SECTIONS.contains(&example.section.as_str()) {
        return true;
    }
    let options = pulldown_cmark::Options::ENABLE_TABLES
        | pulldown_cmark::Options::ENABLE_STRIKETHROUGH
        | pulldown_cmark::Options::ENABLE_TASKLISTS;
    pulldown_cmark::Parser::new_ext(&example.markdown, options).any(|event| {
        matches!(
            event,
            pulldown_cmark::Event::Html(_) | pulldown_cmark::Event::InlineHtml(_)
        )
    })
}

// ---------------------------------------------------------------------------
// HTML normaliser
// ---------------------------------------------------------------------------

/// Elements laid out as blocks or table parts by default, so that whitespace
/// next to their tags has no effect when rendered outside `<pre>`.
#[rustfmt::skip]
const BLOCK_ELEMENTS: &[&str] = &[
    "address", "article", "aside", "blockquote", "body", "caption", "col", "colgroup", "dd",
    "details", "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form",
    "h1", "h2", "h3", "h4", "h5", "h6", "head", "header", "hgroup", "hr", "html", "legend", "li",
    "link", "main", "menu", "meta", "nav", "ol", "optgroup", "option", "p", "pre", "section",
    "summary", "table", "tbody", "td", "tfoot", "th", "thead", "title", "tr", "ul",
];

/// Elements that have no end tag in HTML and are self-closed in XHTML.
#[rustfmt::skip]
const VOID_ELEMENTS: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

/// HTML boolean attributes, whose presence alone is their meaning. HTML
/// writes them as `disabled=""` and XHTML as `disabled="disabled"`.
#[rustfmt::skip]
const BOOLEAN_ATTRIBUTES: &[&str] = &[
    "allowfullscreen", "async", "autofocus", "autoplay", "checked", "controls", "default", "defer",
    "disabled", "formnovalidate", "hidden", "inert", "ismap", "itemscope", "loop", "multiple",
    "muted", "nomodule", "novalidate", "open", "playsinline", "readonly", "required", "reversed",
    "selected",
];

/// Attributes whose value is a URL.
const URL_ATTRIBUTES: &[&str] = &["action", "cite", "formaction", "href", "poster", "src"];

/// One token of a normalised fragment.
#[derive(Debug, PartialEq)]
enum Node {
    /// A start tag with its attributes sorted by name.
    Start {
        name: String,
        attributes: BTreeMap<String, String>,
    },
    End {
        name: String,
    },
    /// Decoded text, and whether it is inside `<pre>`.
    Text {
        text: String,
        preformatted: bool,
    },
    Comment(String),
    Doctype(String),
}

impl Node {
    /// Returns whether whitespace next to this node has no effect when
    /// rendered: it is a block element's tag or a `<br>`.
    fn is_line_boundary(&self) -> bool {
        match self {
            Node::Start { name, .. } => is_block_element(name) || name == "br",
            Node::End { name } => is_block_element(name) || name == "br",
            _ => false,
        }
    }
}

fn is_block_element(name: &str) -> bool {
    BLOCK_ELEMENTS.contains(&name)
}

fn is_html_whitespace(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0C')
}

/// Normalises an HTML or XHTML fragment so that two fragments with the same
/// meaning give the same string.
///
/// The rules:
/// - tag and attribute names are lowercase, attributes sorted by name;
/// - a void element's `/>` is dropped, and any other self-closed element
///   (`<a/>`) is read as in XML, as a start tag followed by an end tag;
/// - entities and character references are decoded, and the text is
///   escaped again with `&amp;` `&lt;` `&gt;` (and `&quot;` in attributes);
/// - boolean attributes get an empty value, URLs a canonical
///   percent-encoding (`normalize_url`), `align` on table cells becomes
///   `text-align` in `style`, and `style` declarations a canonical spacing;
/// - outside `<pre>`, runs of whitespace become one space, and whitespace
///   next to a block element's tag, a `<br>`, or either end of the fragment
///   is removed;
/// - the result has a line break before each block start tag and after each
///   block end tag (outside `<pre>`), so that a failure message is readable.
///
/// NOTE: both sides are read by HTML rules, so two XML rules are not applied
/// to the XHTML. A literal tab or newline in an attribute value is kept,
/// although an XML parser reads it as a space. A `<![CDATA[...]]>` section is
/// read as a comment. A newline right after `<pre>` is kept as written, which
/// is what XML does and HTML does not.
fn normalize_html(html: &str) -> String {
    let nodes = tokenize(html);
    let nodes = normalize_whitespace(nodes);
    serialize(&nodes)
}

/// Tokenises `html` into nodes, merging adjacent text.
fn tokenize(html: &str) -> Vec<Node> {
    let mut nodes: Vec<Node> = Vec::new();
    let mut pre_depth = 0usize;

    for token in Tokenizer::new(html) {
        let token = match token {
            Ok(token) => token,
            Err(never) => match never {},
        };
        match token {
            Token::StartTag(tag) => {
                let name = bytes_to_string(&tag.name);
                let attributes = tag
                    .attributes
                    .iter()
                    .map(|(key, value)| {
                        let key = bytes_to_string(key);
                        let value = bytes_to_string(value);
                        (key, value)
                    })
                    .collect();
                let attributes = normalize_attributes(&name, attributes);
                let closes_itself = tag.self_closing && !VOID_ELEMENTS.contains(&name.as_str());
                if name == "pre" && !closes_itself {
                    pre_depth += 1;
                }
                nodes.push(Node::Start {
                    name: name.clone(),
                    attributes,
                });
                if closes_itself {
                    nodes.push(Node::End { name });
                }
            }
            Token::EndTag(tag) => {
                let name = bytes_to_string(&tag.name);
                if name == "pre" {
                    pre_depth = pre_depth.saturating_sub(1);
                }
                nodes.push(Node::End { name });
            }
            Token::String(text) => {
                let text = bytes_to_string(&text);
                let preformatted = pre_depth > 0;
                if let Some(Node::Text {
                    text: previous,
                    preformatted: previous_preformatted,
                }) = nodes.last_mut()
                    && *previous_preformatted == preformatted
                {
                    previous.push_str(&text);
                } else {
                    nodes.push(Node::Text { text, preformatted });
                }
            }
            Token::Comment(text) => nodes.push(Node::Comment(bytes_to_string(&text))),
            Token::Doctype(doctype) => nodes.push(Node::Doctype(bytes_to_string(&doctype.name))),
            // The tokenizer recovers from every parse error as a browser
            // would, so errors themselves carry no meaning to compare.
            Token::Error(_) => {}
        }
    }
    nodes
}

fn bytes_to_string(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Rewrites attribute values whose form can vary without a change of
/// meaning. `element` is the lowercase tag name.
fn normalize_attributes(
    element: &str,
    mut attributes: BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    for (name, value) in attributes.iter_mut() {
        let name = name.as_str();
        if BOOLEAN_ATTRIBUTES.contains(&name)
            && (value.is_empty() || value.eq_ignore_ascii_case(name))
        {
            value.clear();
        } else if URL_ATTRIBUTES.contains(&name) {
            *value = normalize_url(value);
        }
    }

    // HTML maps `align` on a table cell to the CSS property `text-align`.
    // `align` is obsolete in HTML5, so an XHTML writer may use `style`.
    if matches!(element, "td" | "th")
        && let Some(alignment) = attributes.remove("align")
    {
        let declaration = format!("text-align: {}", alignment.to_ascii_lowercase());
        let style = match attributes.remove("style") {
            Some(existing) => format!("{declaration}; {existing}"),
            None => declaration,
        };
        attributes.insert("style".to_string(), style);
    }
    if let Some(style) = attributes.get_mut("style") {
        *style = normalize_style(style);
    }
    attributes
}

/// Writes CSS declarations as `property: value` joined by `; `, with no
/// trailing semicolon. Declarations keep their order, because a later one
/// for the same property wins.
fn normalize_style(style: &str) -> String {
    let declarations: Vec<String> = style
        .split(';')
        .map(str::trim)
        .filter(|declaration| !declaration.is_empty())
        .map(|declaration| match declaration.split_once(':') {
            Some((property, value)) => {
                format!("{}: {}", property.trim().to_ascii_lowercase(), value.trim())
            }
            None => declaration.to_string(),
        })
        .collect();
    declarations.join("; ")
}

/// Puts a URL into one percent-encoding. This is the percent-encoding
/// normalisation of RFC 3986, plus the encoding that browsers apply to
/// characters a URL cannot contain:
/// - `%xx` escapes get uppercase hex digits, and an escape of an unreserved
///   character (`A-Z a-z 0-9 - . _ ~`) is decoded;
/// - non-ASCII characters, spaces, controls and ASCII characters outside
///   the RFC 3986 unreserved and reserved sets (such as `"` `<` `\` `` ` ``)
///   are percent-encoded as UTF-8;
/// - a `%` not followed by two hex digits is left as it is.
///
/// Escapes of reserved characters such as `%2F` stay escaped, because
/// decoding them would change the URL's meaning.
fn normalize_url(url: &str) -> String {
    let bytes = url.as_bytes();
    let mut normalized = String::with_capacity(url.len());
    let mut index = 0;

    while index < bytes.len() {
        let byte = bytes[index];
        let escaped = (byte == b'%')
            .then(|| bytes.get(index + 1..index + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok());

        if let Some(decoded) = escaped {
            if is_unreserved_url_byte(decoded) {
                normalized.push(char::from(decoded));
            } else {
                write!(normalized, "%{decoded:02X}").expect("writing to a String cannot fail");
            }
            index += 3;
        } else if is_unreserved_url_byte(byte) || b"!#$%&'()*+,/:;=?@[]".contains(&byte) {
            normalized.push(char::from(byte));
            index += 1;
        } else {
            write!(normalized, "%{byte:02X}").expect("writing to a String cannot fail");
            index += 1;
        }
    }
    normalized
}

fn is_unreserved_url_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~')
}

/// Collapses and trims whitespace in text outside `<pre>`, then drops text
/// left empty. See `normalize_html` for the rules.
fn normalize_whitespace(nodes: Vec<Node>) -> Vec<Node> {
    let mut normalized: Vec<Node> = Vec::with_capacity(nodes.len());
    let mut nodes = nodes.into_iter().peekable();

    while let Some(node) = nodes.next() {
        let Node::Text {
            text,
            preformatted: false,
        } = node
        else {
            normalized.push(node);
            continue;
        };

        let mut collapsed = String::with_capacity(text.len());
        for c in text.chars() {
            if !is_html_whitespace(c) {
                collapsed.push(c);
            } else if !collapsed.ends_with(' ') {
                collapsed.push(' ');
            }
        }

        let after_boundary = normalized.last().is_none_or(Node::is_line_boundary);
        let before_boundary = nodes.peek().is_none_or(Node::is_line_boundary);
        let mut trimmed = collapsed.as_str();
        if after_boundary {
            trimmed = trimmed.trim_start_matches(' ');
        }
        if before_boundary {
            trimmed = trimmed.trim_end_matches(' ');
        }

        if !trimmed.is_empty() {
            normalized.push(Node::Text {
                text: trimmed.to_string(),
                preformatted: false,
            });
        }
    }
    normalized
}

/// Writes normalised nodes as HTML, one block element's tag a line.
fn serialize(nodes: &[Node]) -> String {
    let mut output = String::new();
    let mut pre_depth = 0usize;

    for node in nodes {
        match node {
            Node::Start { name, attributes } => {
                if pre_depth == 0 && is_block_element(name) {
                    start_line(&mut output);
                }
                output.push('<');
                output.push_str(name);
                for (key, value) in attributes {
                    write!(output, " {key}=\"{}\"", escape_html(value, true))
                        .expect("writing to a String cannot fail");
                }
                output.push('>');
                if name == "pre" {
                    pre_depth += 1;
                } else if pre_depth == 0 && name == "hr" {
                    output.push('\n');
                }
            }
            Node::End { name } => {
                output.push_str("</");
                output.push_str(name);
                output.push('>');
                if name == "pre" {
                    pre_depth = pre_depth.saturating_sub(1);
                }
                if pre_depth == 0 && is_block_element(name) {
                    output.push('\n');
                }
            }
            Node::Text { text, .. } => output.push_str(&escape_html(text, false)),
            Node::Comment(text) => {
                write!(output, "<!--{text}-->").expect("writing to a String cannot fail")
            }
            Node::Doctype(name) => {
                write!(output, "<!DOCTYPE {name}>").expect("writing to a String cannot fail")
            }
        }
    }
    output.trim_end_matches('\n').to_string()
}

/// Adds a line break unless `output` is empty or already ends a line.
fn start_line(output: &mut String) {
    if !output.is_empty() && !output.ends_with('\n') {
        output.push('\n');
    }
}

fn escape_html(text: &str, in_attribute: bool) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' if in_attribute => escaped.push_str("&quot;"),
            _ => escaped.push(c),
        }
    }
    escaped
}

// ---------------------------------------------------------------------------
// XHTML checks
// ---------------------------------------------------------------------------

/// Checks that `output` is well-formed XML inside an XHTML `<div>` with the
/// EPUB namespace declared, and that it has no `<script>` element, no
/// event-handler attribute (`on...`) and no `javascript:` URL. Returns one
/// message for each problem found.
fn check_xhtml(output: &str) -> Vec<String> {
    let wrapped = format!(
        "<div xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\">{output}</div>"
    );
    let document = match roxmltree::Document::parse(&wrapped) {
        Ok(document) => document,
        Err(error) => return vec![format!("not well-formed XML: {error}")],
    };

    let mut problems = Vec::new();
    for element in document.descendants().filter(roxmltree::Node::is_element) {
        let element_name = element.tag_name().name();
        if element_name.eq_ignore_ascii_case("script") {
            problems.push("contains a <script> element".to_string());
        }
        for attribute in element.attributes() {
            let attribute_name = attribute.name();
            if attribute_name.len() > 2
                && attribute_name.as_bytes()[..2].eq_ignore_ascii_case(b"on")
            {
                problems.push(format!(
                    "<{element_name}> has the event-handler attribute {attribute_name}"
                ));
            }
            if is_javascript_url(attribute.value()) {
                problems.push(format!(
                    "<{element_name}> attribute {attribute_name} is a javascript: URL"
                ));
            }
        }
    }
    problems
}

/// Returns whether a URL runs script, reading it as browsers do: leading
/// spaces and controls, and tabs and newlines anywhere, are ignored and the
/// scheme is case-insensitive.
fn is_javascript_url(value: &str) -> bool {
    let scheme: String = value
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|&c| !matches!(c, '\t' | '\n' | '\r'))
        .take("javascript:".len())
        .collect();
    scheme.eq_ignore_ascii_case("javascript:")
}

// ---------------------------------------------------------------------------
// Running the examples
// ---------------------------------------------------------------------------

/// Counts of how the examples of one run went.
#[derive(Default)]
struct Tally {
    matched: usize,
    known_differences: usize,
    not_compared: usize,
}

/// Renders each example, checks and compares it, and returns one report per
/// failure. `known_differences` lists examples meant to differ.
fn run_examples(
    spec_name: &str,
    examples: &[&Example],
    known_differences: &[(usize, &str)],
) -> (Tally, Vec<String>) {
    let mut failures = Vec::new();
    let mut tally = Tally::default();
    let known: BTreeMap<usize, &str> = known_differences.iter().copied().collect();

    failures.extend(check_known_differences_table(
        spec_name,
        examples,
        known_differences,
    ));

    for example in examples {
        let rendered = panic::catch_unwind(AssertUnwindSafe(|| {
            render_fragment(&example.markdown, false)
        }));
        let Ok(output) = rendered else {
            failures.push(format!(
                "{}render_fragment panicked (the panic message is printed above)\n",
                describe_example(example)
            ));
            continue;
        };

        let problems = check_xhtml(&output);
        if !problems.is_empty() {
            failures.push(format!(
                "{}output fails the XHTML checks:\n  {}\n--- output ---\n{output}\n",
                describe_example(example),
                problems.join("\n  ")
            ));
        }

        if contains_raw_html(example) {
            tally.not_compared += 1;
            continue;
        }

        let expected = normalize_html(&example.html);
        let actual = normalize_html(&without_heading_ids(&output));
        match (expected == actual, known.get(&example.number)) {
            (true, None) => tally.matched += 1,
            (false, Some(_)) => tally.known_differences += 1,
            (false, None) => failures.push(format!(
                "{}output differs from the spec\n--- expected (normalised) ---\n{expected}\n--- actual (normalised) ---\n{actual}\n",
                describe_example(example)
            )),
            (true, Some(reason)) => failures.push(format!(
                "{}output now matches the spec, so remove it from the known differences (reason given: {reason})\n",
                describe_example(example)
            )),
        }
    }
    (tally, failures)
}

/// Removes the `id` of each `h1` to `h6` start tag. Quire gives every
/// heading an id for links and the table of contents, and the spec's
/// reference HTML has none.
fn without_heading_ids(xhtml: &str) -> String {
    let mut out = String::with_capacity(xhtml.len());
    let mut rest = xhtml;
    while let Some(start) = rest.find("<h") {
        let is_heading = rest[start + 2..].starts_with(|c: char| ('1'..='6').contains(&c))
            && rest[start + 3..].starts_with(" id=\"");
        if !is_heading {
            out.push_str(&rest[..start + 2]);
            rest = &rest[start + 2..];
            continue;
        }
        out.push_str(&rest[..start + 3]);
        let after_id = &rest[start + 8..];
        let close = after_id.find('"').expect("the writer quotes every id");
        rest = &after_id[close + 1..];
    }
    out.push_str(rest);
    out
}

/// Reports table entries that are duplicated, name no example of this run,
/// or name an example that is not compared because it has raw HTML.
fn check_known_differences_table(
    spec_name: &str,
    examples: &[&Example],
    known_differences: &[(usize, &str)],
) -> Vec<String> {
    let mut failures = Vec::new();
    let mut seen = BTreeSet::new();

    for &(number, reason) in known_differences {
        if !seen.insert(number) {
            failures.push(format!(
                "{spec_name} known differences list example {number} more than once\n"
            ));
        }
        match examples.iter().find(|example| example.number == number) {
            None => failures.push(format!(
                "{spec_name} known differences list example {number} ({reason}), which is not among the examples tested\n"
            )),
            Some(example) if contains_raw_html(example) => failures.push(format!(
                "{spec_name} known differences list example {number} ({reason}), which contains raw HTML and is never compared\n"
            )),
            Some(_) => {}
        }
    }
    failures
}

fn describe_example(example: &Example) -> String {
    let extension = if example.extension.is_empty() {
        String::new()
    } else {
        format!(" [{}]", example.extension)
    };
    format!(
        "=== example {} ({}{extension}, spec line {})\n--- markdown ---\n{}",
        example.number, example.section, example.line, example.markdown
    )
}

/// Prints the tally and fails with every report if there is any.
fn finish(spec_name: &str, total: usize, tally: &Tally, failures: &[String]) {
    println!(
        "{spec_name}: {total} examples, {} matched, {} known differences, {} not compared (raw HTML), {} failures",
        tally.matched,
        tally.known_differences,
        tally.not_compared,
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} failures testing {total} {spec_name} examples:\n\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn commonmark_examples_match_spec() {
    let examples = read_spec(COMMONMARK_SPEC_PATH);
    let all: Vec<&Example> = examples.iter().collect();

    let (tally, failures) = run_examples("CommonMark", &all, COMMONMARK_KNOWN_DIFFERENCES);

    finish("CommonMark", all.len(), &tally, &failures);
}

#[test]
fn gfm_extension_examples_match_spec() {
    let examples = read_spec(GFM_SPEC_PATH);
    let extensions: Vec<&Example> = examples
        .iter()
        .filter(|example| !example.extension.is_empty())
        .collect();

    let (tally, failures) = run_examples(
        "GFM extension",
        &extensions,
        GFM_EXTENSION_KNOWN_DIFFERENCES,
    );

    finish("GFM extension", extensions.len(), &tally, &failures);
}

// ---------------------------------------------------------------------------
// Checks of the harness itself
// ---------------------------------------------------------------------------

#[test]
fn spec_parser_reads_all_examples() {
    let commonmark = read_spec(COMMONMARK_SPEC_PATH);
    assert_eq!(commonmark.len(), 655, "CommonMark 0.31.2 has 655 examples");
    assert!(
        commonmark
            .iter()
            .all(|example| example.extension.is_empty())
    );

    let first = &commonmark[0];
    assert_eq!(first.number, 1);
    assert_eq!(first.section, "Tabs");
    assert_eq!(first.markdown, "\tfoo\tbaz\t\tbim\n");
    assert_eq!(first.html, "<pre><code>foo\tbaz\t\tbim\n</code></pre>\n");

    let gfm = read_spec(GFM_SPEC_PATH);
    assert_eq!(gfm.len(), 673, "GFM 0.29 has 673 examples");
    let mut extension_counts: BTreeMap<&str, usize> = BTreeMap::new();
    for example in gfm.iter().filter(|example| !example.extension.is_empty()) {
        *extension_counts
            .entry(example.extension.as_str())
            .or_default() += 1;
    }
    let expected_counts = BTreeMap::from([
        ("autolink", 11),
        ("disabled", 2),
        ("strikethrough", 2),
        ("table", 8),
        ("tagfilter", 1),
    ]);
    assert_eq!(extension_counts, expected_counts);
    assert_eq!(gfm[197].extension, "table");
    assert_eq!(gfm[197].section, "Tables (extension)");
}

#[test]
fn normalizer_ignores_differences_of_form() {
    let equivalent_pairs = [
        ("<br>", "<br />"),
        ("<P>a</P>", "<p>a</p>"),
        ("<hr>", "<hr/>"),
        ("<img src=\"a\" alt=\"b\" />", "<img alt=\"b\" src=\"a\">"),
        (
            "<p>&quot;a&quot; &amp; &#x3C;b&gt;</p>",
            "<p>\"a\" &amp; &lt;b></p>",
        ),
        ("<p>&auml; &#228;</p>", "<p>ä ä</p>"),
        (
            "<input disabled=\"\" type=\"checkbox\">",
            "<input type=\"checkbox\" disabled=\"disabled\" />",
        ),
        ("<ul>\n<li>a</li>\n</ul>\n", "<ul><li>a</li></ul>"),
        ("<p>a\n  b</p>", "<p>a b</p>"),
        ("<p>a<br />\nb</p>", "<p>a<br />b</p>"),
        ("<a href=\"%c3%a4%7e\">x</a>", "<a href=\"ä~\">x</a>"),
        (
            "<td align=\"center\">x</td>",
            "<td style=\"text-align:center;\">x</td>",
        ),
    ];
    for (left, right) in equivalent_pairs {
        assert_eq!(
            normalize_html(left),
            normalize_html(right),
            "{left:?} and {right:?} should normalise alike"
        );
    }
}

#[test]
fn normalizer_keeps_differences_of_meaning() {
    let different_pairs = [
        ("<p>a</p>", "<p>b</p>"),
        ("<em>a</em>", "<strong>a</strong>"),
        ("<p>a b</p>", "<p>ab</p>"),
        ("<p><em>a</em> b</p>", "<p><em>a</em>b</p>"),
        (
            "<pre><code>a  b\n</code></pre>",
            "<pre><code>a b\n</code></pre>",
        ),
        ("<pre><code>a\n</code></pre>", "<pre><code>a</code></pre>"),
        ("<p>&amp;lt;</p>", "<p>&lt;</p>"),
        (
            "<input type=\"checkbox\">",
            "<input checked=\"\" type=\"checkbox\">",
        ),
        ("<a href=\"a%2Fb\">x</a>", "<a href=\"a/b\">x</a>"),
        ("<a href=\"a\" title=\"\">x</a>", "<a href=\"a\">x</a>"),
        ("<p>a</p>", "<div>a</div>"),
    ];
    for (left, right) in different_pairs {
        assert_ne!(
            normalize_html(left),
            normalize_html(right),
            "{left:?} and {right:?} should stay different"
        );
    }
}
