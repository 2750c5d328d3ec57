//! Tokenizers for markup and data formats, whose structure a keyword table
//! cannot describe: HTML and XML, CSS, YAML and TOML.

use super::code::{Scanner, is_identifier_byte, is_identifier_start};
use super::{Class, Token};

/// How far CSS looks ahead for the `{` that makes a word a selector.
/// Bounded, so a long minified line stays linear.
const CSS_LOOKAHEAD: usize = 256;

/// Tokenizes HTML or XML: tags, attributes and their values, comments,
/// declarations, processing instructions and character references.
/// The content of `script` and `style` elements stays plain.
pub fn tokenize_markup(code: &str, tokens: &mut Vec<Token>) {
    let mut scanner = Scanner::new(code, 0, tokens);
    while !scanner.at_end() {
        let start = scanner.position;
        if scanner.starts_with("<!--") {
            scanner.skip_past("-->");
            scanner.token_from(start, Class::Comment);
        } else if scanner.starts_with("<![CDATA[") {
            scanner.position += "<![CDATA[".len();
            scanner.token_from(start, Class::Meta);
            scanner.skip_past("]]>");
        } else if scanner.starts_with("<!") || scanner.starts_with("<?") {
            scanner.skip_past(">");
            scanner.token_from(start, Class::Meta);
        } else if scanner.peek(0) == Some(b'<') && is_tag_start(&scanner) {
            markup_tag(&mut scanner);
        } else if scanner.peek(0) == Some(b'&') {
            scanner.position += 1;
            scanner.skip_word(b"#");
            if scanner.peek(0) == Some(b';') {
                scanner.position += 1;
                scanner.token_from(start, Class::Variable);
            }
        } else {
            scanner.skip_char();
        }
    }
}

fn is_tag_start(scanner: &Scanner<'_>) -> bool {
    let name_at = if scanner.peek(1) == Some(b'/') { 2 } else { 1 };
    scanner.peek(name_at).is_some_and(is_identifier_start)
}

/// Reads a start or end tag from its `<` to its `>`, or to the end of the
/// code when it is never closed.
fn markup_tag(scanner: &mut Scanner<'_>) {
    scanner.position += 1;
    if scanner.peek(0) == Some(b'/') {
        scanner.position += 1;
    }
    let name_start = scanner.position;
    scanner.skip_word(b"-:.");
    scanner.token_from(name_start, Class::Tag);

    while let Some(byte) = scanner.peek(0) {
        let start = scanner.position;
        match byte {
            b'>' => {
                scanner.position += 1;
                return;
            }
            b'"' | b'\'' => {
                scanner.position += 1;
                let close = if byte == b'"' { "\"" } else { "'" };
                scanner.skip_quoted(close, None, true);
                scanner.token_from(start, Class::String);
            }
            b'=' | b'/' | b' ' | b'\t' | b'\r' | b'\n' => scanner.position += 1,
            _ if scanner.position > 0 && scanner.bytes[scanner.position - 1] == b'=' => {
                // An unquoted attribute value.
                while scanner
                    .peek(0)
                    .is_some_and(|byte| !matches!(byte, b' ' | b'\t' | b'\n' | b'>'))
                {
                    scanner.skip_char();
                }
                scanner.token_from(start, Class::String);
            }
            _ => {
                while scanner.peek(0).is_some_and(|byte| {
                    !matches!(
                        byte,
                        b' ' | b'\t' | b'\r' | b'\n' | b'=' | b'>' | b'/' | b'"'
                    )
                }) {
                    scanner.skip_char();
                }
                scanner.token_from(start, Class::Attribute);
            }
        }
    }
}

/// Tokenizes CSS: comments, strings, at-rules, selectors, properties,
/// numbers with their units, colours and `!important`.
pub fn tokenize_css(code: &str, tokens: &mut Vec<Token>) {
    let mut scanner = Scanner::new(code, 0, tokens);
    // Whether the scanner is in a declaration's value, after its colon.
    let mut in_value = false;
    let mut depth = 0usize;
    while !scanner.at_end() {
        let start = scanner.position;
        let byte = scanner.bytes[start];
        match byte {
            b'/' if scanner.peek(1) == Some(b'*') => {
                scanner.skip_past("*/");
                scanner.token_from(start, Class::Comment);
            }
            b'"' | b'\'' => {
                scanner.position += 1;
                let close = if byte == b'"' { "\"" } else { "'" };
                scanner.skip_quoted(close, Some(b'\\'), false);
                scanner.token_from(start, Class::String);
            }
            b'{' => {
                depth += 1;
                in_value = false;
                scanner.position += 1;
            }
            b'}' => {
                depth = depth.saturating_sub(1);
                in_value = false;
                scanner.position += 1;
            }
            b';' => {
                in_value = false;
                scanner.position += 1;
            }
            b'@' | b'!' if scanner.peek(1).is_some_and(is_identifier_start) => {
                scanner.position += 1;
                scanner.skip_word(b"-");
                scanner.token_from(start, Class::Keyword);
            }
            b'#' if in_value => {
                scanner.position += 1;
                scanner.skip_word(&[]);
                scanner.token_from(start, Class::Literal);
            }
            b'#' | b'.' if !in_value && scanner.peek(1).is_some_and(is_css_name_start) => {
                scanner.position += 1;
                scanner.skip_word(b"-");
                scanner.token_from(start, Class::Attribute);
            }
            b':' if depth > 0 && !in_value && !is_selector_ahead(&scanner) => {
                in_value = true;
                scanner.position += 1;
            }
            b':' if !in_value => {
                // A pseudo-class or pseudo-element: `:hover`, `::before`.
                while scanner.peek(0) == Some(b':') {
                    scanner.position += 1;
                }
                scanner.skip_word(b"-");
                scanner.token_from(start, Class::Attribute);
            }
            b'0'..=b'9' => {
                scanner.skip_number();
                if scanner.peek(0) == Some(b'%') {
                    scanner.position += 1;
                }
                scanner.token_from(start, Class::Literal);
            }
            b'.' if in_value && scanner.peek(1).is_some_and(|byte| byte.is_ascii_digit()) => {
                scanner.skip_number();
                scanner.token_from(start, Class::Literal);
            }
            _ if is_css_name_start(byte) => {
                scanner.skip_word(b"-");
                let class = if in_value {
                    None
                } else if depth > 0 && !is_selector_ahead(&scanner) {
                    Some(Class::Attribute)
                } else {
                    Some(Class::Tag)
                };
                if let Some(class) = class {
                    scanner.token_from(start, class);
                }
            }
            _ => scanner.skip_char(),
        }
    }
}

fn is_css_name_start(byte: u8) -> bool {
    is_identifier_start(byte) || byte == b'-'
}

/// Reports whether a `{` comes before the next `;` or `}`, which makes the
/// current word a selector (in a nested rule) rather than a property.
fn is_selector_ahead(scanner: &Scanner<'_>) -> bool {
    scanner
        .rest()
        .iter()
        .take(CSS_LOOKAHEAD)
        .find(|byte| matches!(byte, b'{' | b';' | b'}'))
        == Some(&b'{')
}

/// Tokenizes YAML line by line: keys, comments, quoted strings, literals,
/// anchors, aliases, tags and document markers. The lines of a block
/// scalar (`|` or `>`) stay plain.
pub fn tokenize_yaml(code: &str, tokens: &mut Vec<Token>) {
    // The indentation of the key that opened a block scalar; its lines are
    // those indented further.
    let mut block_indent: Option<usize> = None;
    let mut offset = 0;
    for line in code.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        let indent = content.len() - content.trim_start_matches(' ').len();
        let blank = content.trim().is_empty();
        if let Some(key_indent) = block_indent {
            if blank || indent > key_indent {
                offset += line.len();
                continue;
            }
            block_indent = None;
        }
        let mut scanner = Scanner::new(content, offset, tokens);
        if content == "---" || content == "..." || content.starts_with("--- ") {
            scanner.position = 3;
            scanner.token_from(0, Class::Meta);
        }
        if yaml_line(&mut scanner) {
            block_indent = Some(indent);
        }
        offset += line.len();
    }
}

/// Tokenizes one YAML line after its document marker, if any. Returns
/// whether a block scalar starts here.
fn yaml_line(scanner: &mut Scanner<'_>) -> bool {
    // `- ` list markers, then a key if the line has one.
    loop {
        scanner.skip_blanks();
        if scanner.peek(0) == Some(b'-') && matches!(scanner.peek(1), None | Some(b' ')) {
            scanner.position += 1;
        } else {
            break;
        }
    }
    yaml_key(scanner);

    let mut at_value_start = true;
    while !scanner.at_end() {
        let start = scanner.position;
        let byte = scanner.bytes[start];
        let after_blank = start == 0 || matches!(scanner.bytes[start - 1], b' ' | b'\t');
        match byte {
            b'#' if after_blank => {
                scanner.skip_to_line_end();
                scanner.token_from(start, Class::Comment);
            }
            b'"' | b'\'' => {
                scanner.position += 1;
                let (close, escape) = if byte == b'"' {
                    ("\"", Some(b'\\'))
                } else {
                    ("'", None)
                };
                scanner.skip_quoted(close, escape, false);
                scanner.token_from(start, Class::String);
            }
            b'&' | b'*' if scanner.peek(1).is_some_and(is_identifier_byte) => {
                scanner.position += 1;
                scanner.skip_word(b"-");
                scanner.token_from(start, Class::Variable);
            }
            b'!' => {
                scanner.position += 1;
                scanner.skip_word(b"!-:/.");
                scanner.token_from(start, Class::Meta);
            }
            b'|' | b'>' if at_value_start => {
                scanner.position += 1;
                scanner.skip_word(b"+-");
                scanner.skip_blanks();
                if scanner.at_end() || scanner.peek(0) == Some(b'#') {
                    return true;
                }
            }
            b' ' | b'\t' | b',' | b'[' | b']' | b'{' | b'}' => scanner.position += 1,
            _ => yaml_scalar(scanner),
        }
        if !matches!(byte, b' ' | b'\t' | b'!' | b'&') {
            at_value_start = false;
        }
    }
    false
}

/// Marks a key before `: ` (or a `:` that ends the line), plain or quoted.
fn yaml_key(scanner: &mut Scanner<'_>) {
    let start = scanner.position;
    let rest = scanner.rest();
    let key_length = match rest.first() {
        Some(b'"' | b'\'') => {
            let quote = rest[0];
            match rest[1..].iter().position(|byte| *byte == quote) {
                Some(index) => index + 2,
                None => return,
            }
        }
        Some(b'#') | None => return,
        Some(_) => {
            let mut length = 0;
            while length < rest.len() {
                let is_separator = rest[length] == b':'
                    && matches!(rest.get(length + 1), None | Some(b' ' | b'\t'));
                if is_separator || rest[length] == b'#' {
                    break;
                }
                length += 1;
            }
            length
        }
    };
    let is_key = key_length > 0
        && rest.get(key_length) == Some(&b':')
        && matches!(rest.get(key_length + 1), None | Some(b' ' | b'\t'));
    if is_key {
        scanner.position += key_length;
        scanner.token_from(start, Class::Attribute);
        scanner.position += 1;
    }
}

/// Reads a plain scalar up to a comment or a flow indicator and marks it
/// when it is a number, boolean or null.
fn yaml_scalar(scanner: &mut Scanner<'_>) {
    let start = scanner.position;
    while let Some(byte) = scanner.peek(0) {
        let comment = byte == b'#'
            && scanner.position > 0
            && matches!(scanner.bytes[scanner.position - 1], b' ' | b'\t');
        if comment || matches!(byte, b',' | b'[' | b']' | b'{' | b'}') {
            break;
        }
        scanner.skip_char();
    }
    let text = &scanner.bytes[start..scanner.position];
    let trimmed_length = text.len() - text.iter().rev().take_while(|byte| **byte == b' ').count();
    let word = &text[..trimmed_length];
    let is_literal = matches!(
        word.to_ascii_lowercase().as_slice(),
        b"true" | b"false" | b"null" | b"~" | b"yes" | b"no" | b".inf" | b"-.inf" | b".nan"
    ) || is_yaml_number(word);
    if is_literal {
        let end = scanner.position;
        scanner.position = start + trimmed_length;
        scanner.token_from(start, Class::Literal);
        scanner.position = end;
    }
}

fn is_yaml_number(word: &[u8]) -> bool {
    let digits = word.strip_prefix(b"-").unwrap_or(word);
    !digits.is_empty()
        && digits[0].is_ascii_digit()
        && digits
            .iter()
            .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'_' | b'+' | b'-'))
}

/// Tokenizes TOML: table headers, keys, strings (basic, literal and their
/// multi-line forms), numbers, dates and times, booleans and comments.
pub fn tokenize_toml(code: &str, tokens: &mut Vec<Token>) {
    let mut scanner = Scanner::new(code, 0, tokens);
    // Open `[` of arrays, inside which a `[` at a line start is a value.
    let mut array_depth = 0usize;
    while !scanner.at_end() {
        let start = scanner.position;
        let byte = scanner.bytes[start];
        match byte {
            b'#' => {
                scanner.skip_to_line_end();
                scanner.token_from(start, Class::Comment);
            }
            b'[' if array_depth == 0 && scanner.at_line_start() => {
                // `[table]` or `[[array.of.tables]]`.
                scanner.skip_quoted("]", None, false);
                if scanner.peek(0) == Some(b']') {
                    scanner.position += 1;
                }
                scanner.token_from(start, Class::Tag);
            }
            b'[' => {
                array_depth += 1;
                scanner.position += 1;
            }
            b']' => {
                array_depth = array_depth.saturating_sub(1);
                scanner.position += 1;
            }
            b'"' | b'\'' => {
                let triple = if byte == b'"' { "\"\"\"" } else { "'''" };
                let escape = (byte == b'"').then_some(b'\\');
                if scanner.starts_with(triple) {
                    scanner.position += 3;
                    scanner.skip_quoted(triple, escape, true);
                } else {
                    scanner.position += 1;
                    scanner.skip_quoted(&triple[..1], escape, false);
                }
                let class = if is_toml_key_end(&scanner) {
                    Class::Attribute
                } else {
                    Class::String
                };
                scanner.token_from(start, class);
            }
            b'0'..=b'9' | b'+' | b'-'
                if byte.is_ascii_digit()
                    || scanner.peek(1).is_some_and(|next| next.is_ascii_digit()) =>
            {
                // Numbers, and dates and times such as 1979-05-27T07:32:00Z.
                scanner.position += 1;
                scanner.skip_word(b".:+-");
                let class = if is_toml_key_end(&scanner) {
                    Class::Attribute
                } else {
                    Class::Literal
                };
                scanner.token_from(start, class);
            }
            _ if is_identifier_start(byte) => {
                scanner.skip_word(b"-");
                let word = &scanner.bytes[start..scanner.position];
                let class = if is_toml_key_end(&scanner) {
                    Some(Class::Attribute)
                } else if matches!(word, b"true" | b"false" | b"inf" | b"nan") {
                    Some(Class::Literal)
                } else {
                    None
                };
                if let Some(class) = class {
                    scanner.token_from(start, class);
                }
            }
            _ => scanner.skip_char(),
        }
    }
}

/// Reports whether what was just read is a key: `=` or a dotted key's `.`
/// follows, after blanks.
fn is_toml_key_end(scanner: &Scanner<'_>) -> bool {
    let next = scanner
        .rest()
        .iter()
        .find(|byte| !matches!(byte, b' ' | b'\t'));
    matches!(next, Some(b'=' | b'.'))
}

#[cfg(test)]
mod tests {
    use super::super::marked;

    #[test]
    fn html_tags_and_attributes() {
        let code = "<!DOCTYPE html>\n<!-- c -->\n<p class=\"x\" hidden data-n=3>a &amp; b</p>";
        assert_eq!(
            marked("html", code),
            [
                "meta:<!DOCTYPE html>",
                "com:<!-- c -->",
                "tag:p",
                "attr:class",
                "str:\"x\"",
                "attr:hidden",
                "attr:data-n",
                "str:3",
                "var:&amp;",
                "tag:p"
            ]
        );
    }

    #[test]
    fn xml_declaration_and_cdata() {
        let code = "<?xml version=\"1.0\"?>\n<a:b x:y='1'><![CDATA[<no>]]></a:b>";
        assert_eq!(
            marked("xml", code),
            [
                "meta:<?xml version=\"1.0\"?>",
                "tag:a:b",
                "attr:x:y",
                "str:'1'",
                "meta:<![CDATA[",
                "tag:a:b"
            ]
        );
    }

    #[test]
    fn css_rules() {
        let code = "@media print {\n  pre.code:hover, #id > a { color: #fff !important; margin: 0 .5em 10%; }\n}\n/* c */";
        assert_eq!(
            marked("css", code),
            [
                "kw:@media",
                "tag:print",
                "tag:pre",
                "attr:.code",
                "attr::hover",
                "attr:#id",
                "tag:a",
                "attr:color",
                "lit:#fff",
                "kw:!important",
                "attr:margin",
                "lit:0",
                "lit:.5em",
                "lit:10%",
                "com:/* c */"
            ]
        );
    }

    #[test]
    fn yaml_keys_values_and_block_scalars() {
        let code = "---\ntitle: \"A\" # c\nlist:\n  - name: x\n    n: 12\n    ok: true\nbody: |\n  key: not a key\n  # not a comment\nref: *anchor\n";
        assert_eq!(
            marked("yaml", code),
            [
                "meta:---",
                "attr:title",
                "str:\"A\"",
                "com:# c",
                "attr:list",
                "attr:name",
                "attr:n",
                "lit:12",
                "attr:ok",
                "lit:true",
                "attr:body",
                "attr:ref",
                "var:*anchor"
            ]
        );
    }

    #[test]
    fn toml_tables_keys_and_values() {
        let code = "[package]\nname = \"quire\" # c\nversion.workspace = true\n[[bin]]\nn = [1, 2.5, 1979-05-27]\ns = '''\nraw\n'''\n\"quoted key\" = 0x1F\n";
        assert_eq!(
            marked("toml", code),
            [
                "tag:[package]",
                "attr:name",
                "str:\"quire\"",
                "com:# c",
                "attr:version",
                "attr:workspace",
                "lit:true",
                "tag:[[bin]]",
                "attr:n",
                "lit:1",
                "lit:2.5",
                "lit:1979-05-27",
                "attr:s",
                "str:'''\nraw\n'''",
                "attr:\"quoted key\"",
                "lit:0x1F"
            ]
        );
    }
}
