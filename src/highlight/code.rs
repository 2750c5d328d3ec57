//! The tokenizer of programming languages, driven by the syntax tables in
//! [`super::languages`], and of terminal sessions, and the cursor that
//! every tokenizer of this module reads code with.

use super::languages::{self, Quote, Syntax};
use super::{Class, Token};

/// A cursor over code, which adds tokens at absolute offsets.
pub(super) struct Scanner<'a> {
    pub(super) bytes: &'a [u8],
    /// The offset of `bytes` in the whole code block.
    base: usize,
    pub(super) position: usize,
    tokens: &'a mut Vec<Token>,
}

impl<'a> Scanner<'a> {
    pub(super) fn new(text: &'a str, base: usize, tokens: &'a mut Vec<Token>) -> Self {
        Scanner {
            bytes: text.as_bytes(),
            base,
            position: 0,
            tokens,
        }
    }

    pub(super) fn at_end(&self) -> bool {
        self.position >= self.bytes.len()
    }

    pub(super) fn peek(&self, offset: usize) -> Option<u8> {
        self.bytes.get(self.position + offset).copied()
    }

    pub(super) fn rest(&self) -> &'a [u8] {
        &self.bytes[self.position..]
    }

    pub(super) fn starts_with(&self, prefix: &str) -> bool {
        self.rest().starts_with(prefix.as_bytes())
    }

    /// Adds a token from `start` to the current position.
    pub(super) fn token_from(&mut self, start: usize, class: Class) {
        if self.position > start {
            self.tokens.push(Token {
                class,
                range: self.base + start..self.base + self.position,
            });
        }
    }

    /// Moves past one character, however many bytes it takes.
    pub(super) fn skip_char(&mut self) {
        self.position += utf8_length(self.bytes[self.position]);
    }

    /// Moves to the end of the line, before its newline.
    pub(super) fn skip_to_line_end(&mut self) {
        self.position += memchr(b'\n', self.rest()).unwrap_or(self.rest().len());
    }

    /// Moves past `end`, or to the end of the text when it never comes.
    pub(super) fn skip_past(&mut self, end: &str) {
        self.position += find_bytes(self.rest(), end.as_bytes())
            .map_or(self.rest().len(), |index| index + end.len());
    }

    /// Moves past a quoted string whose opening delimiter has been read.
    /// Without `multiline`, the string ends at the end of its line.
    pub(super) fn skip_quoted(&mut self, close: &str, escape: Option<u8>, multiline: bool) {
        let close = close.as_bytes();
        while !self.at_end() {
            let byte = self.bytes[self.position];
            if Some(byte) == escape {
                self.position += 1;
                if !self.at_end() {
                    self.skip_char();
                }
            } else if self.rest().starts_with(close) {
                self.position += close.len();
                return;
            } else if byte == b'\n' && !multiline {
                return;
            } else {
                self.skip_char();
            }
        }
    }

    /// Moves past a word of identifier characters and `extra` bytes.
    pub(super) fn skip_word(&mut self, extra: &[u8]) {
        while let Some(byte) = self.peek(0) {
            if is_identifier_byte(byte) || extra.contains(&byte) {
                self.position += 1;
            } else {
                break;
            }
        }
    }

    /// Moves past spaces and tabs.
    pub(super) fn skip_blanks(&mut self) {
        while matches!(self.peek(0), Some(b' ' | b'\t')) {
            self.position += 1;
        }
    }

    /// Reports whether only blanks come between the line start and the
    /// current position.
    pub(super) fn at_line_start(&self) -> bool {
        self.bytes[..self.position]
            .iter()
            .rev()
            .take_while(|byte| **byte != b'\n')
            .all(|byte| matches!(byte, b' ' | b'\t'))
    }

    /// Reads a number literal at the current position: decimal with
    /// fraction, exponent and `_` separators, or `0x`, `0o`, `0b`, and a
    /// type suffix such as `u32`, `f`, `L` or `n`.
    pub(super) fn skip_number(&mut self) {
        let radix_prefix = self.peek(0) == Some(b'0')
            && matches!(self.peek(1), Some(b'x' | b'X' | b'o' | b'O' | b'b' | b'B'));
        if radix_prefix {
            self.position += 2;
            self.skip_word(&[]);
            return;
        }
        self.skip_digits();
        if self.peek(0) == Some(b'.') && self.peek(1).is_some_and(|byte| byte.is_ascii_digit()) {
            self.position += 1;
            self.skip_digits();
        }
        if matches!(self.peek(0), Some(b'e' | b'E')) {
            let sign = usize::from(matches!(self.peek(1), Some(b'+' | b'-')));
            if self
                .peek(1 + sign)
                .is_some_and(|byte| byte.is_ascii_digit())
            {
                self.position += 1 + sign;
                self.skip_digits();
            }
        }
        // A suffix: `10u32`, `1.5f`, `100L`, `10n`.
        self.skip_word(&[]);
    }

    pub(super) fn skip_digits(&mut self) {
        while matches!(self.peek(0), Some(b'0'..=b'9' | b'_')) {
            self.position += 1;
        }
    }
}

/// Reports whether `byte` may be part of an identifier: ASCII letters,
/// digits, `_`, and any byte of a non-ASCII character.
pub(super) fn is_identifier_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_' || byte >= 0x80
}

pub(super) fn is_identifier_start(byte: u8) -> bool {
    byte.is_ascii_alphabetic() || byte == b'_' || byte >= 0x80
}

/// Returns the length in bytes of the UTF-8 character that starts with
/// `byte`.
pub(super) fn utf8_length(byte: u8) -> usize {
    match byte {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

fn memchr(needle: u8, haystack: &[u8]) -> Option<usize> {
    haystack.iter().position(|byte| *byte == needle)
}

/// Finds `needle` in `haystack`. Scanning for the first byte and comparing
/// the rest keeps it linear for the short delimiters it is used with.
fn find_bytes(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    let mut offset = 0;
    while let Some(index) = memchr(first, &haystack[offset..]) {
        let start = offset + index;
        if haystack[start + 1..].starts_with(rest) {
            return Some(start);
        }
        offset = start + 1;
    }
    None
}

/// Tokenizes `code`, which starts at offset `base` of the block, with a
/// language's syntax table.
pub(super) fn tokenize_code(syntax: &Syntax, code: &str, base: usize, tokens: &mut Vec<Token>) {
    let mut scanner = Scanner::new(code, base, tokens);
    while !scanner.at_end() {
        let start = scanner.position;
        let byte = scanner.bytes[start];

        if let Some(class) = comment(syntax, &mut scanner) {
            scanner.token_from(start, class);
            continue;
        }
        if let Some(quote) = syntax
            .quotes
            .iter()
            .find(|quote| scanner.starts_with(quote.open))
        {
            scanner.position += quote.open.len();
            scanner.skip_quoted(quote.close, quote.escape, quote.multiline);
            let class = key_or(syntax, &scanner, quote.class);
            scanner.token_from(start, class);
            continue;
        }
        if syntax.rust && rust_token(&mut scanner) {
            continue;
        }
        if syntax.hash_directives && byte == b'#' && scanner.at_line_start() {
            preprocessor_directive(&mut scanner);
            continue;
        }
        if syntax.annotations && byte == b'@' && scanner.peek(1).is_some_and(is_identifier_start) {
            scanner.position += 1;
            scanner.skip_word(b".");
            scanner.token_from(start, Class::Meta);
            continue;
        }
        if syntax.sigils && sigil_token(&mut scanner) {
            continue;
        }
        if syntax.shell && byte == b'$' && shell_variable(&mut scanner) {
            continue;
        }
        if syntax.numbers && is_number_start(&scanner) {
            scanner.skip_number();
            scanner.token_from(start, Class::Literal);
            continue;
        }
        if is_identifier_start(byte)
            || (!syntax.numbers && byte.is_ascii_digit())
            || syntax.word_bytes.contains(&byte)
        {
            scanner.skip_word(syntax.word_bytes);
            if syntax.cpp_raw_strings && cpp_raw_string(&mut scanner, start) {
                scanner.token_from(start, Class::String);
                continue;
            }
            if let Some(quote) = string_prefix(syntax, &scanner, start) {
                scanner.position += quote.open.len();
                let raw = raw_prefix(syntax, &scanner.bytes[start..scanner.position]);
                let escape = if raw { None } else { quote.escape };
                scanner.skip_quoted(quote.close, escape, quote.multiline);
                scanner.token_from(start, Class::String);
                continue;
            }
            let word = &code[start..scanner.position];
            if let Some(class) = classify_word(syntax, word, &scanner) {
                scanner.token_from(start, class);
            }
            continue;
        }
        scanner.skip_char();
    }
}

/// Reads a line or block comment at the scanner's position.
fn comment(syntax: &Syntax, scanner: &mut Scanner<'_>) -> Option<Class> {
    if let Some((open, close)) = syntax.block_comment
        && scanner.starts_with(open)
    {
        scanner.position += open.len();
        if syntax.nested_comments {
            skip_nested_comment(scanner, open, close);
        } else {
            scanner.skip_past(close);
        }
        return Some(Class::Comment);
    }
    let line_comment = syntax
        .line_comments
        .iter()
        .any(|marker| scanner.starts_with(marker));
    if !line_comment {
        return None;
    }
    // In shell, `#` starts a comment only at the start of a word, so
    // `a#b` and `${#x}` are not comments.
    if syntax.shell && scanner.position > 0 {
        let previous = scanner.bytes[scanner.position - 1];
        if !matches!(previous, b' ' | b'\t' | b'\n' | b';' | b'(' | b'|' | b'&') {
            return None;
        }
    }
    scanner.skip_to_line_end();
    Some(Class::Comment)
}

/// Moves past a block comment that may contain comments of its own, as in
/// Rust and Swift.
fn skip_nested_comment(scanner: &mut Scanner<'_>, open: &str, close: &str) {
    let mut depth = 1usize;
    while !scanner.at_end() {
        if scanner.starts_with(close) {
            scanner.position += close.len();
            depth -= 1;
            if depth == 0 {
                return;
            }
        } else if scanner.starts_with(open) {
            scanner.position += open.len();
            depth += 1;
        } else {
            scanner.skip_char();
        }
    }
}

/// Returns `Attribute` for a string that is a key (followed by the
/// syntax's key separator, as `"name":` in JSON), else `class`.
fn key_or(syntax: &Syntax, scanner: &Scanner<'_>, class: Class) -> Class {
    let Some(separator) = syntax.key_separator else {
        return class;
    };
    let next = scanner
        .rest()
        .iter()
        .find(|byte| !matches!(byte, b' ' | b'\t'));
    if next == Some(&separator) {
        Class::Attribute
    } else {
        class
    }
}

/// Returns the quote that continues a string prefix such as Python's `r`
/// or `f`, Rust's `b` or C++'s `u8`, when the word just read is one and a
/// quote follows it directly.
fn string_prefix(syntax: &Syntax, scanner: &Scanner<'_>, start: usize) -> Option<&'static Quote> {
    let word = &scanner.bytes[start..scanner.position];
    let is_prefix = syntax
        .string_prefixes
        .iter()
        .any(|prefix| prefix.as_bytes().eq_ignore_ascii_case(word));
    if !is_prefix {
        return None;
    }
    syntax
        .quotes
        .iter()
        .find(|quote| scanner.starts_with(quote.open))
}

/// Reports whether a string prefix makes the string raw (no escapes).
fn raw_prefix(syntax: &Syntax, prefix_and_quote: &[u8]) -> bool {
    syntax.raw_prefix_letter.is_some_and(|letter| {
        prefix_and_quote
            .iter()
            .take_while(|byte| is_identifier_byte(**byte))
            .any(|byte| byte.eq_ignore_ascii_case(&letter))
    })
}

fn is_number_start(scanner: &Scanner<'_>) -> bool {
    match scanner.peek(0) {
        Some(byte) if byte.is_ascii_digit() => true,
        // `.5`, but not `x.5` (a tuple field in Rust) or `..5`.
        Some(b'.') => {
            scanner.peek(1).is_some_and(|byte| byte.is_ascii_digit())
                && (scanner.position == 0 || {
                    let previous = scanner.bytes[scanner.position - 1];
                    !is_identifier_byte(previous) && previous != b'.'
                })
        }
        _ => false,
    }
}

/// Classifies a word: keyword, type, literal or capitalised type name.
fn classify_word(syntax: &Syntax, word: &str, scanner: &Scanner<'_>) -> Option<Class> {
    let contains = |list: &[&str]| {
        if syntax.ignore_case {
            list.iter().any(|entry| entry.eq_ignore_ascii_case(word))
        } else {
            list.contains(&word)
        }
    };
    // A word before `(` in shell is a function name, and `.word` is a
    // field or method in most languages; neither is a keyword then.
    let after_dot = scanner.position > word.len()
        && scanner.bytes[scanner.position - word.len() - 1] == b'.'
        && !syntax.shell;
    if contains(syntax.literals) {
        return Some(Class::Literal);
    }
    if !after_dot && contains(syntax.keywords) {
        return Some(Class::Keyword);
    }
    if contains(syntax.types) {
        return Some(Class::Type);
    }
    if syntax.capitalized_types && word.as_bytes()[0].is_ascii_uppercase() {
        return Some(Class::Type);
    }
    None
}

/// Reads a C preprocessor directive (`#include`, `#define`) or a Swift or
/// C# compiler directive, and the `<header>` of an include.
fn preprocessor_directive(scanner: &mut Scanner<'_>) {
    let start = scanner.position;
    scanner.position += 1;
    scanner.skip_blanks();
    let name_start = scanner.position;
    scanner.skip_word(&[]);
    let is_include = &scanner.bytes[name_start..scanner.position] == b"include";
    scanner.token_from(start, Class::Meta);
    if is_include {
        scanner.skip_blanks();
        if scanner.peek(0) == Some(b'<') {
            let header_start = scanner.position;
            scanner.position += 1;
            scanner.skip_quoted(">", None, false);
            scanner.token_from(header_start, Class::String);
        }
    }
}

/// Moves past a C++ raw string, `R"delimiter(...)delimiter"`, when the
/// word just read is a raw string prefix and one follows.
fn cpp_raw_string(scanner: &mut Scanner<'_>, start: usize) -> bool {
    let prefix = &scanner.bytes[start..scanner.position];
    let is_raw_prefix = matches!(prefix, b"R" | b"u8R" | b"uR" | b"UR" | b"LR");
    if !is_raw_prefix || scanner.peek(0) != Some(b'"') {
        return false;
    }
    // The delimiter is at most 16 characters, none of them a space,
    // parenthesis or backslash.
    let delimiter_length = scanner.rest()[1..]
        .iter()
        .take(17)
        .position(|byte| matches!(byte, b'(' | b')' | b'\\' | b' ' | b'\n' | b'"'));
    let Some(delimiter_length) = delimiter_length else {
        return false;
    };
    if scanner.peek(1 + delimiter_length) != Some(b'(') {
        return false;
    }
    let delimiter = &scanner.rest()[1..1 + delimiter_length];
    let mut close = Vec::with_capacity(delimiter_length + 2);
    close.push(b')');
    close.extend_from_slice(delimiter);
    close.push(b'"');
    scanner.position += delimiter_length + 2;
    scanner.position += find_bytes(scanner.rest(), &close)
        .map_or(scanner.rest().len(), |index| index + close.len());
    true
}

/// Reads Rust's own tokens: raw strings, byte and C strings, character
/// literals, lifetimes, attributes and macro calls.
fn rust_token(scanner: &mut Scanner<'_>) -> bool {
    let start = scanner.position;
    let byte = scanner.bytes[start];

    // Raw strings: r"..", r#".."#, br"..", cr#".."#.
    let prefix_length = match (byte, scanner.peek(1), scanner.peek(2)) {
        (b'r', Some(b'"' | b'#'), _) => 1,
        (b'b' | b'c', Some(b'r'), Some(b'"' | b'#')) => 2,
        _ => 0,
    };
    let previous_is_identifier = start > 0 && is_identifier_byte(scanner.bytes[start - 1]);
    if prefix_length > 0 && !previous_is_identifier {
        let hashes = scanner.bytes[start + prefix_length..]
            .iter()
            .take_while(|byte| **byte == b'#')
            .count();
        if scanner.bytes.get(start + prefix_length + hashes) == Some(&b'"') {
            scanner.position = start + prefix_length + hashes + 1;
            let close = format!("\"{}", "#".repeat(hashes));
            scanner.skip_past(&close);
            scanner.token_from(start, Class::String);
            return true;
        }
    }

    match byte {
        b'\'' => {
            scanner.position += 1;
            if let Some(length) = rust_char_length(scanner.rest()) {
                scanner.position += length;
                scanner.token_from(start, Class::String);
            } else if scanner.peek(0).is_some_and(is_identifier_start) {
                scanner.skip_word(&[]);
                scanner.token_from(start, Class::Variable);
            }
            true
        }
        b'#' if matches!(scanner.peek(1), Some(b'[' | b'!')) => {
            // `#[attr` or `#![attr`: the marker and the attribute's path.
            scanner.position += 1;
            if scanner.peek(0) == Some(b'!') {
                scanner.position += 1;
            }
            if scanner.peek(0) != Some(b'[') {
                scanner.position = start + 1;
                return true;
            }
            scanner.position += 1;
            scanner.skip_word(b":");
            scanner.token_from(start, Class::Meta);
            true
        }
        _ if is_identifier_start(byte) && !previous_is_identifier => {
            // A macro call: `name!` but not `name != x`.
            let mut end = start;
            while end < scanner.bytes.len() && is_identifier_byte(scanner.bytes[end]) {
                end += 1;
            }
            let is_macro =
                scanner.bytes.get(end) == Some(&b'!') && scanner.bytes.get(end + 1) != Some(&b'=');
            if is_macro {
                scanner.position = end + 1;
                scanner.token_from(start, Class::Meta);
            }
            is_macro
        }
        _ => false,
    }
}

/// Returns the length of a Rust character literal's rest after its opening
/// quote (`a'`, `\n'`, `\u{1F600}'`), or `None` when the quote starts a
/// lifetime or label instead.
fn rust_char_length(rest: &[u8]) -> Option<usize> {
    let first = *rest.first()?;
    if first == b'\\' {
        // An escape: look for the closing quote a few bytes on.
        let end = rest
            .iter()
            .take(12)
            .skip(2)
            .position(|byte| *byte == b'\'')?;
        return Some(end + 3);
    }
    if first == b'\'' || first == b'\n' {
        return None;
    }
    let length = utf8_length(first);
    (rest.get(length) == Some(&b'\'')).then_some(length + 1)
}

/// Reads a Ruby instance, class or global variable (`@x`, `@@x`, `$x`) or
/// a symbol (`:name`).
fn sigil_token(scanner: &mut Scanner<'_>) -> bool {
    let start = scanner.position;
    let (class, marker_length) = match (scanner.peek(0), scanner.peek(1)) {
        (Some(b'@'), Some(b'@')) => (Class::Variable, 2),
        (Some(b'@' | b'$'), _) => (Class::Variable, 1),
        (Some(b':'), Some(b':')) => return false,
        // `:name` is a symbol, but the second colon of `A::B` is not.
        (Some(b':'), _)
            if start == 0
                || !(is_identifier_byte(scanner.bytes[start - 1])
                    || scanner.bytes[start - 1] == b':') =>
        {
            (Class::String, 1)
        }
        _ => return false,
    };
    if !scanner.peek(marker_length).is_some_and(is_identifier_start) {
        return false;
    }
    scanner.position += marker_length;
    scanner.skip_word(&[]);
    scanner.token_from(start, class);
    true
}

/// Reads a shell parameter expansion: `$name`, `${...}`, `$1`, `$?`.
fn shell_variable(scanner: &mut Scanner<'_>) -> bool {
    let start = scanner.position;
    match scanner.peek(1) {
        Some(b'{') => {
            scanner.position += 2;
            scanner.skip_quoted("}", None, false);
        }
        Some(byte) if is_identifier_start(byte) => {
            scanner.position += 1;
            scanner.skip_word(&[]);
        }
        Some(b'0'..=b'9' | b'?' | b'@' | b'*' | b'#' | b'$' | b'!' | b'-') => {
            scanner.position += 2;
        }
        _ => return false,
    }
    scanner.token_from(start, Class::Variable);
    true
}

/// Tokenizes a terminal session: a line that starts with a `$` prompt is a
/// shell command (continued on the next line after a trailing `\`), and
/// every other line is the command's output, left plain.
pub(super) fn tokenize_console(code: &str, tokens: &mut Vec<Token>) {
    let shell = languages::syntax(super::Language::Shell).expect("shell has a syntax table");
    let mut offset = 0;
    let mut continued = false;
    for line in code.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        let indent = content.len() - content.trim_start().len();
        let after_indent = &content[indent..];
        let command_start = if continued {
            Some(0)
        } else if after_indent == "$" || after_indent.starts_with("$ ") {
            tokens.push(Token {
                class: Class::Meta,
                range: offset + indent..offset + indent + 1,
            });
            Some(indent + 1)
        } else {
            None
        };
        continued = false;
        if let Some(command_start) = command_start {
            tokenize_code(
                shell,
                &content[command_start..],
                offset + command_start,
                tokens,
            );
            continued = content.ends_with('\\');
        }
        offset += line.len();
    }
}

#[cfg(test)]
mod tests {
    use super::super::marked;

    #[test]
    fn rust_tokens() {
        let code = "#[derive(Debug)]\nfn main<'a>(x: &'a str) -> u32 {\n    let c = '\\n'; // note\n    println!(\"{}\", r#\"raw \"q\"\"#, 0x1F_u8, 1.5e-3);\n    x != y\n}\n";
        assert_eq!(
            marked("rust", code),
            [
                "meta:#[derive",
                "ty:Debug",
                "kw:fn",
                "var:'a",
                "var:'a",
                "ty:str",
                "ty:u32",
                "kw:let",
                "str:'\\n'",
                "com:// note",
                "meta:println!",
                "str:\"{}\"",
                "str:r#\"raw \"q\"\"#",
                "lit:0x1F_u8",
                "lit:1.5e-3",
            ]
        );
    }

    #[test]
    fn rust_nested_comment() {
        assert_eq!(
            marked("rust", "/* a /* b */ c */ fn"),
            ["com:/* a /* b */ c */", "kw:fn"]
        );
    }

    #[test]
    fn python_prefixes_and_triple_quotes() {
        let code = "@cache\ndef f(x=None):\n    \"\"\"Doc\n    string.\"\"\"\n    return rb'\\d' + f\"{x}\"  # done\n";
        assert_eq!(
            marked("python", code),
            [
                "meta:@cache",
                "kw:def",
                "lit:None",
                "str:\"\"\"Doc\n    string.\"\"\"",
                "kw:return",
                "str:rb'\\d'",
                "str:f\"{x}\"",
                "com:# done",
            ]
        );
    }

    #[test]
    fn javascript_template_and_methods() {
        let code = "const s = `a ${b}\nc`; obj.delete(null); // x";
        assert_eq!(
            marked("js", code),
            ["kw:const", "str:`a ${b}\nc`", "lit:null", "com:// x"],
            "`delete` after a dot is a method, not the operator"
        );
    }

    #[test]
    fn c_preprocessor_include() {
        assert_eq!(
            marked("c", "#include <stdio.h>\nint main(void) { return 0; }"),
            [
                "meta:#include",
                "str:<stdio.h>",
                "ty:int",
                "ty:void",
                "kw:return",
                "lit:0"
            ]
        );
    }

    #[test]
    fn cpp_raw_string() {
        assert_eq!(
            marked("cpp", "auto s = R\"x(a \"quoted\" )\" b)x\";"),
            ["kw:auto", "str:R\"x(a \"quoted\" )\" b)x\""]
        );
    }

    #[test]
    fn go_raw_string_and_builtins() {
        assert_eq!(
            marked("go", "x := `a\\n` + string(len(y)) // c"),
            ["str:`a\\n`", "ty:string", "ty:len", "com:// c"]
        );
    }

    #[test]
    fn sql_ignores_case() {
        assert_eq!(
            marked("sql", "select name FROM t where id = 'it''s' -- c"),
            [
                "kw:select",
                "kw:FROM",
                "kw:where",
                "str:'it'",
                "str:'s'",
                "com:-- c"
            ]
        );
    }

    #[test]
    fn json_keys_and_literals() {
        assert_eq!(
            marked("json", "{\"a\": [1, -2.5e3, true, null, \"s\"]}"),
            [
                "attr:\"a\"",
                "lit:1",
                "lit:2.5e3",
                "lit:true",
                "lit:null",
                "str:\"s\""
            ]
        );
    }

    #[test]
    fn shell_variables_and_comments() {
        assert_eq!(
            marked("bash", "if [ -n \"$X\" ]; then echo ${Y}#no $1; fi # yes"),
            [
                "kw:if",
                "str:\"$X\"",
                "kw:then",
                "ty:echo",
                "var:${Y}",
                "var:$1",
                "kw:fi",
                "com:# yes"
            ]
        );
    }

    #[test]
    fn console_prompts_and_output() {
        let code = "$ cargo run --release \\\n    --bin x\nCompiling if done\n$ echo $HOME\n";
        assert_eq!(
            marked("console", code),
            ["meta:$", "meta:$", "ty:echo", "var:$HOME"],
            "output lines and the continued command line have no keywords"
        );
    }

    #[test]
    fn ruby_sigils() {
        assert_eq!(
            marked("ruby", "def x; @a = :sym; $g; end"),
            ["kw:def", "var:@a", "str::sym", "var:$g", "kw:end"]
        );
    }

    #[test]
    fn csharp_verbatim_string() {
        assert_eq!(
            marked("cs", "var p = @\"C:\\dir\\\"; #region x"),
            ["kw:var", "str:@\"C:\\dir\\\""]
        );
    }

    #[test]
    fn unterminated_string_ends_at_line() {
        assert_eq!(
            marked("java", "String s = \"open\nint x;"),
            ["ty:String", "str:\"open", "ty:int"]
        );
    }
}
