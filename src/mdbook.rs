//! mdBook books: `book.toml`, the structure of `SUMMARY.md`, and the
//! `{{#include}}` and `{{#rustdoc_include}}` directives that pull code
//! from other files, all read the way mdBook reads them.

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};

use crate::book::{FileIndex, is_markdown_path, resolve_relative};
use crate::error::{Warning, Warnings};
use crate::links::percent_decode;
use crate::metadata::Metadata;

/// How many includes may nest inside each other before Quire stops, as a
/// guard against runaway inclusion that a cycle check alone would miss.
const MAX_INCLUDE_DEPTH: usize = 10;

/// An entry of `SUMMARY.md`, in document order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SummaryItem {
    /// A part title (`# Part`), which groups the numbered chapters after it.
    Part(String),
    /// A chapter with its file (normalised path), its title as the summary
    /// writes it, and its nesting depth (0 for prefix, suffix and top-level
    /// numbered chapters). Numbered chapters are those in the summary's
    /// lists, which part titles group.
    Chapter {
        path: String,
        title: String,
        depth: usize,
        numbered: bool,
    },
    /// A draft chapter: a title with no file, which makes no page.
    Draft { title: String, depth: usize },
}

/// Reads `SUMMARY.md` as mdBook does: prefix chapters (links before the
/// first list), numbered chapters nested by list, part titles (headings
/// after the first), and suffix chapters. Links to anything but a local
/// Markdown file are skipped.
pub fn parse_summary(summary_path: &str, text: &str) -> Vec<SummaryItem> {
    let mut items = Vec::new();
    let mut list_depth = 0usize;
    let mut title_seen = false;
    let mut in_heading = false;
    let mut heading_text = String::new();
    // The link being read: its target and its text so far.
    let mut link: Option<(String, String)> = None;
    // Whether the current list item has produced its entry yet.
    let mut item_pending = false;
    let mut item_text = String::new();

    for event in Parser::new(text) {
        match event {
            Event::Start(Tag::Heading { .. }) => {
                in_heading = true;
                heading_text.clear();
            }
            Event::End(TagEnd::Heading(level)) => {
                in_heading = false;
                // A level-1 heading before any chapter is the summary's own
                // title; every other heading is a part title.
                let is_title = level == HeadingLevel::H1 && items.is_empty() && !title_seen;
                title_seen = true;
                if !is_title && !heading_text.trim().is_empty() {
                    items.push(SummaryItem::Part(heading_text.trim().to_string()));
                }
            }
            Event::Start(Tag::List(_)) => list_depth += 1,
            Event::End(TagEnd::List(_)) => list_depth = list_depth.saturating_sub(1),
            Event::Start(Tag::Item) => {
                item_pending = true;
                item_text.clear();
            }
            Event::End(TagEnd::Item) => {
                // An item with text but no link is a draft chapter.
                if item_pending && !item_text.trim().is_empty() {
                    items.push(SummaryItem::Draft {
                        title: item_text.trim().to_string(),
                        depth: list_depth.saturating_sub(1),
                    });
                }
                item_pending = false;
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                link = Some((dest_url.to_string(), String::new()))
            }
            Event::End(TagEnd::Link) => {
                let Some((target, title)) = link.take() else {
                    continue;
                };
                let depth = list_depth.saturating_sub(1);
                let target = target.split('#').next().unwrap_or("").to_string();
                let local_markdown = !target.contains("://") && is_markdown_path(&target);
                if target.is_empty() {
                    items.push(SummaryItem::Draft { title, depth });
                } else if local_markdown {
                    let path = resolve_relative(summary_path, &percent_decode(&target));
                    items.push(SummaryItem::Chapter {
                        path,
                        title,
                        depth,
                        numbered: list_depth > 0,
                    });
                }
                item_pending = false;
            }
            Event::Text(text) | Event::Code(text) => {
                if in_heading {
                    heading_text.push_str(&text);
                } else if let Some((_, title)) = &mut link {
                    title.push_str(&text);
                } else if item_pending {
                    item_text.push_str(&text);
                }
            }
            _ => {}
        }
    }
    items
}

/// Warns about each link in `SUMMARY.md` that the book leaves out because
/// it is not a local Markdown file, such as a web page or a PDF: mdBook
/// makes chapters only of Markdown files.
pub fn warn_skipped_summary_links(summary_path: &str, text: &str, warnings: &mut Warnings) {
    let lines = crate::markdown::LineIndex::new(text);
    let mut link: Option<(String, usize)> = None;
    for (event, range) in Parser::new(text).into_offset_iter() {
        match event {
            Event::Start(Tag::Link { dest_url, .. }) => {
                link = Some((dest_url.to_string(), range.start));
            }
            Event::End(TagEnd::Link) => {
                let Some((target, start)) = link.take() else {
                    continue;
                };
                let path = target.split('#').next().unwrap_or("");
                let local_markdown = !path.contains("://") && is_markdown_path(path);
                if path.is_empty() || local_markdown {
                    continue;
                }
                warnings.push(Warning::new(
                    summary_path,
                    Some(lines.line_of(start)),
                    format!(
                        "the link to \"{target}\" is not to a Markdown file in the book, so it makes no chapter; link a .md file, or remove the item"
                    ),
                ));
            }
            _ => {}
        }
    }
}

/// Reads the `[book]` table of `book.toml`: `title`, `authors`,
/// `language`, `description`, and `src`, the folder of the sources.
/// Only the TOML forms these keys take are read (strings and arrays of
/// strings); other tables are skipped.
pub fn read_book_toml(
    path: &str,
    text: &str,
    warnings: &mut Warnings,
) -> (Metadata, Option<String>) {
    let mut metadata = Metadata::default();
    let mut source_dir = None;
    let mut in_book = false;
    let mut lines = text.lines().enumerate();
    while let Some((index, line)) = lines.next() {
        let line = strip_toml_comment(line).trim();
        if line.starts_with('[') {
            in_book = line == "[book]";
            continue;
        }
        if !in_book || line.is_empty() {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let key = key.trim().trim_matches('"');
        let mut value = value.trim().to_string();
        // An array may continue over several lines.
        while value.starts_with('[') && !value.ends_with(']') {
            let Some((_, next)) = lines.next() else { break };
            value.push(' ');
            value.push_str(strip_toml_comment(next).trim());
        }
        let Some(values) = toml_strings(&value) else {
            warnings.push(Warning::new(
                path,
                Some(index + 1),
                format!("book.toml key `{key}` is not a string or a list of strings; ignored it"),
            ));
            continue;
        };
        let first = values.first().cloned();
        match key {
            "title" => metadata.title = first,
            "authors" => metadata.authors = Some(values),
            "language" => metadata.lang = first,
            "description" => metadata.description = first,
            "src" => source_dir = first,
            _ => {}
        }
    }
    (metadata, source_dir)
}

fn strip_toml_comment(line: &str) -> &str {
    let mut in_string = None;
    for (index, c) in line.char_indices() {
        match (c, in_string) {
            ('"' | '\'', None) => in_string = Some(c),
            (quote, Some(open)) if quote == open => in_string = None,
            ('#', None) => return &line[..index],
            _ => {}
        }
    }
    line
}

/// Parses a TOML string or an array of strings.
fn toml_strings(value: &str) -> Option<Vec<String>> {
    if let Some(inner) = value
        .strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
    {
        let mut strings = Vec::new();
        let mut rest = inner.trim();
        while !rest.is_empty() {
            let (string, after) = toml_string(rest)?;
            strings.push(string);
            rest = after.trim_start().trim_start_matches(',').trim_start();
        }
        return Some(strings);
    }
    let (string, rest) = toml_string(value)?;
    rest.trim().is_empty().then(|| vec![string])
}

/// Parses one basic (`"..."`) or literal (`'...'`) TOML string at the start
/// of `text`, returning it and the text after it.
fn toml_string(text: &str) -> Option<(String, &str)> {
    let quote = text.chars().next()?;
    if quote == '\'' {
        let end = text[1..].find('\'')? + 1;
        return Some((text[1..end].to_string(), &text[end + 1..]));
    }
    if quote != '"' {
        return None;
    }
    let mut out = String::new();
    let mut chars = text[1..].char_indices();
    while let Some((index, c)) = chars.next() {
        match c {
            '"' => return Some((out, &text[index + 2..])),
            '\\' => match chars.next()?.1 {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'u' | 'U' => return None,
                escaped => out.push(escaped),
            },
            _ => out.push(c),
        }
    }
    None
}

/// A chapter's text after its include directives are expanded, with the
/// source line of each line of the result.
pub struct Expanded {
    pub text: String,
    /// For each line of `text`, 1-based, the line in the chapter file it
    /// comes from; included lines map to the line of their directive.
    pub source_lines: Vec<usize>,
}

/// Expands `{{#include}}` and `{{#rustdoc_include}}` directives in a
/// chapter, resolving paths against the book's files relative to the file
/// that names them. A missing file, a bad range or anchor, or a cycle gives
/// a warning, and the directive is left out. `\{{#` stays as literal text.
pub fn expand_includes(
    path: &str,
    text: &str,
    files: &FileIndex<'_>,
    warnings: &mut Warnings,
) -> Expanded {
    let mut source_lines = Vec::new();
    let mut out = String::with_capacity(text.len());
    let mut stack = vec![crate::book::normalize_path(path)];

    // The lines between directives are copied in one piece: looking for
    // "{{#" line by line cost more than the copying.
    let mut line_number = 1;
    let mut rest = text;
    while !rest.is_empty() {
        let Some(at) = find_directive(rest) else {
            let count = newlines(rest) + usize::from(!rest.ends_with('\n'));
            out.push_str(rest);
            source_lines.extend(line_number..line_number + count);
            break;
        };
        let line_start = rest[..at].rfind('\n').map_or(0, |newline| newline + 1);
        let plain = &rest[..line_start];
        let count = newlines(plain);
        out.push_str(plain);
        source_lines.extend(line_number..line_number + count);
        line_number += count;

        let line_end = rest[at..]
            .find('\n')
            .map_or(rest.len(), |newline| at + newline + 1);
        let line = &rest[line_start..line_end];
        rest = &rest[line_end..];
        let mut expanded = String::new();
        expand_line(
            path,
            line,
            line_number,
            files,
            &mut stack,
            warnings,
            &mut expanded,
        );
        for _ in 0..expanded.matches('\n').count().max(1) {
            source_lines.push(line_number);
        }
        if !expanded.ends_with('\n') && line.ends_with('\n') {
            expanded.push('\n');
        }
        out.push_str(&expanded);
        line_number += 1;
    }
    Expanded {
        text: out,
        source_lines,
    }
}

/// Finds the first "{{#" in `text`. Looking for `{` alone uses the
/// standard library's byte search, which is quicker than its substring
/// search, most of all in WebAssembly.
pub(crate) fn find_directive(text: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(at) = text[from..].find('{') {
        let at = from + at;
        if text[at..].starts_with("{{#") {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

fn newlines(text: &str) -> usize {
    text.bytes().filter(|&byte| byte == b'\n').count()
}

/// Expands the directives of one line of `file` into `out`. `stack` lists
/// the files being included, outermost first, to detect cycles.
#[allow(clippy::too_many_arguments)]
fn expand_line(
    file: &str,
    line: &str,
    line_number: usize,
    files: &FileIndex<'_>,
    stack: &mut Vec<String>,
    warnings: &mut Warnings,
    out: &mut String,
) {
    let mut rest = line;
    while let Some(found) = next_directive(rest) {
        let (start, end, name, argument) = match found {
            Found::Escaped { start } => {
                out.push_str(&rest[..start - 1]);
                out.push_str("{{#");
                rest = &rest[start + 3..];
                continue;
            }
            Found::Directive {
                start,
                end,
                name,
                argument,
            } => (start, end, name, argument),
        };
        out.push_str(&rest[..start]);
        rest = &rest[end..];
        match name {
            "include" | "rustdoc_include" => {
                if let Some(included) =
                    read_include(file, argument.trim(), line_number, files, stack, warnings)
                {
                    let trailing_newline = included.ends_with('\n');
                    out.push_str(if trailing_newline {
                        &included[..included.len() - 1]
                    } else {
                        &included
                    });
                }
            }
            _ => {
                warnings.push(Warning::new(
                    stack.first().map_or(file, String::as_str),
                    Some(line_number),
                    format!("mdBook directive {{{{#{name}}}}} is not supported; left it out"),
                ));
            }
        }
    }
    out.push_str(rest);
}

/// Reads the part of a file an include names, with its own includes
/// expanded.
fn read_include(
    from: &str,
    argument: &str,
    line_number: usize,
    files: &FileIndex<'_>,
    stack: &mut Vec<String>,
    warnings: &mut Warnings,
) -> Option<String> {
    let chapter = stack.first().cloned().unwrap_or_else(|| from.to_string());
    let mut warn =
        |message: String| warnings.push(Warning::new(&chapter, Some(line_number), message));

    let (path, selector) = include_target(from, argument);
    if stack.contains(&path) {
        warn(format!(
            "{{{{#include {argument}}}}} would include {path} inside itself; left it out"
        ));
        return None;
    }
    if stack.len() > MAX_INCLUDE_DEPTH {
        warn(format!(
            "{{{{#include {argument}}}}} is nested more than {MAX_INCLUDE_DEPTH} deep; left it out"
        ));
        return None;
    }
    let Some(file) = files.get(&path) else {
        warn(format!(
            "{{{{#include {argument}}}}}: {path} not found; left the directive out"
        ));
        return None;
    };
    let Ok(text) = std::str::from_utf8(&file.bytes) else {
        warn(format!(
            "{{{{#include {argument}}}}}: {path} is not UTF-8 text; left it out"
        ));
        return None;
    };

    let selected = match select_lines(text, selector) {
        Ok(selected) => selected,
        Err(problem) => {
            warn(format!(
                "{{{{#include {argument}}}}}: {problem}; left it out"
            ));
            return None;
        }
    };

    // Most included files are code with no directive of their own.
    if find_directive(&selected).is_none() {
        return Some(selected);
    }
    stack.push(path.clone());
    let mut out = String::new();
    // Warnings inside included files point at the chapter's directive.
    for line in selected.split_inclusive('\n') {
        expand_line(&path, line, line_number, files, stack, warnings, &mut out);
    }
    stack.pop();
    Some(out)
}

/// Splits an include's argument into the path it names, resolved from the
/// file `from`, and the part of the file it selects, if any.
fn include_target<'a>(from: &str, argument: &'a str) -> (String, Option<&'a str>) {
    let (target, selector) = match argument.split_once(':') {
        Some((target, selector)) => (target, Some(selector)),
        None => (argument, None),
    };
    (resolve_relative(from, &percent_decode(target)), selector)
}

/// Returns the paths of the files that the include directives of `text`,
/// the file at `path`, name, so they can be read ahead. Files that those
/// files include in turn are not listed.
pub(crate) fn include_paths(path: &str, text: &str) -> Vec<String> {
    let mut paths = Vec::new();
    let mut rest = text;
    while let Some(found) = next_directive(rest) {
        match found {
            Found::Escaped { start } => rest = &rest[start + 3..],
            Found::Directive {
                end,
                name,
                argument,
                ..
            } => {
                if matches!(name, "include" | "rustdoc_include") {
                    paths.push(include_target(path, argument.trim()).0);
                }
                rest = &rest[end..];
            }
        }
    }
    paths
}

/// The first `{{#` of a text, as the include expansion reads it.
enum Found<'t> {
    /// `\{{#` with its `{{#` at `start`: mdBook's way to write a directive
    /// as text.
    Escaped { start: usize },
    /// `{{#name argument}}`, from byte `start` up to byte `end`.
    Directive {
        start: usize,
        end: usize,
        name: &'t str,
        argument: &'t str,
    },
}

/// Finds the first directive in `text`, or `None` when there is none or it
/// is never closed.
fn next_directive(text: &str) -> Option<Found<'_>> {
    let start = find_directive(text)?;
    if start > 0 && text.as_bytes()[start - 1] == b'\\' {
        return Some(Found::Escaped { start });
    }
    let length = text[start..].find("}}")?;
    let directive = &text[start + 3..start + length];
    let (name, argument) = directive
        .split_once(char::is_whitespace)
        .unwrap_or((directive, ""));
    Some(Found::Directive {
        start,
        end: start + length + 2,
        name,
        argument,
    })
}

/// Selects the lines an include requests: all (`None` or empty), a line
/// range (`10`, `10:20`, `10:`, `:20`), or an anchor's lines (`name`). Lines
/// that mark anchors are always dropped.
fn select_lines(text: &str, selector: Option<&str>) -> Result<String, String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    // One search of the whole text spares one per line in a file that
    // marks no anchor.
    let has_markers = text.contains("ANCHOR");
    let keep =
        |line: &&&str| !(has_markers && (line.contains("ANCHOR:") || line.contains("ANCHOR_END:")));
    // The index of the line that contains byte `offset` of `text`.
    let line_at = |offset: usize| {
        let mut end = 0;
        lines
            .iter()
            .position(|line| {
                end += line.len();
                offset < end
            })
            .unwrap_or(lines.len())
    };
    let selector = selector.map(str::trim).unwrap_or("");

    let chosen: Vec<&str> = if selector.is_empty() {
        lines.clone()
    } else if selector.chars().all(|c| c.is_ascii_digit() || c == ':') {
        let (start, end) = match selector.split_once(':') {
            Some((start, end)) => (parse_line_number(start)?, parse_line_number(end)?),
            None => {
                let line = parse_line_number(selector)?;
                (line, line)
            }
        };
        let start = start.unwrap_or(1).max(1);
        let end = end.unwrap_or(lines.len()).min(lines.len());
        if start > end {
            return Err(format!(
                "line range {selector} selects no line of a {}-line file",
                lines.len()
            ));
        }
        lines[start - 1..end].to_vec()
    } else {
        let open = format!("ANCHOR: {selector}");
        let close = format!("ANCHOR_END: {selector}");
        let begin = text
            .find(&open)
            .map(line_at)
            .ok_or_else(|| format!("anchor `{selector}` not found"))?;
        // The close marker is looked for from the line after the open one.
        let after_begin: usize = lines[..=begin].iter().map(|line| line.len()).sum();
        let finish = text[after_begin..]
            .find(&close)
            .map_or(lines.len(), |offset| line_at(after_begin + offset));
        lines[begin + 1..finish].to_vec()
    };
    Ok(chosen.iter().filter(keep).copied().collect())
}

fn parse_line_number(text: &str) -> Result<Option<usize>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<usize>()
        .map(Some)
        .map_err(|_| format!("invalid line number `{text}`"))
}

/// Drops the lines rustdoc hides in Rust code (`# ` at the start, after
/// indentation, or a lone `#`), and turns `##` back into `#`, as mdBook
/// does when it shows a Rust code block.
pub fn hide_rust_lines(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    for line in code.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let content = trimmed.trim_end_matches(['\n', '\r']);
        if content == "#" || trimmed.starts_with("# ") {
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix("##") {
            out.push_str(&line[..line.len() - trimmed.len()]);
            out.push('#');
            out.push_str(rest);
            continue;
        }
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::book::{Book, InputFile};

    fn book(files: &[(&str, &str)]) -> Book {
        Book {
            files: files
                .iter()
                .map(|(path, text)| InputFile {
                    path: path.to_string(),
                    bytes: text.as_bytes().to_vec(),
                    modified: None,
                })
                .collect(),
            chapters: None,
        }
    }

    fn expand(book: &Book, chapter: &str) -> (String, Vec<Warning>) {
        let files = FileIndex::new(book);
        let text = std::str::from_utf8(&files.get(chapter).expect("chapter").bytes).expect("UTF-8");
        let mut warnings = Warnings::default();
        let expanded = expand_includes(chapter, text, &files, &mut warnings);
        (expanded.text, warnings.into_vec())
    }

    const CODE: &str = "// ANCHOR: all\nfn main() {\n    // ANCHOR: body\n    let x = 1;\n    // ANCHOR_END: body\n}\n// ANCHOR_END: all\n";

    #[test]
    fn include_forms() {
        let cases = [
            ("{{#include code.rs}}", "fn main() {\n    let x = 1;\n}\n"),
            ("{{#include code.rs:2}}", "fn main() {\n"),
            ("{{#include code.rs:2:4}}", "fn main() {\n    let x = 1;\n"),
            ("{{#include code.rs:6:}}", "}\n"),
            ("{{#include code.rs::2}}", "fn main() {\n"),
            ("{{#include code.rs:}}", "fn main() {\n    let x = 1;\n}\n"),
            ("{{#include code.rs:body}}", "    let x = 1;\n"),
            ("{{#rustdoc_include code.rs:body}}", "    let x = 1;\n"),
        ];
        for (directive, expected) in cases {
            let chapter = format!("```rust\n{directive}\n```\n");
            let book = book(&[("src/ch.md", &chapter), ("src/code.rs", CODE)]);
            let (text, warnings) = expand(&book, "src/ch.md");
            assert_eq!(text, format!("```rust\n{expected}```\n"), "{directive}");
            assert!(warnings.is_empty(), "{directive}: {warnings:?}");
        }
    }

    #[test]
    fn anchor_end_found_after_start() {
        // An end marker above the start is not the anchor's end, and an
        // anchor that never ends runs to the end of the file.
        let code = "// ANCHOR_END: x\n// ANCHOR: x\nkept\n// ANCHOR_END: x\nafter\n// ANCHOR: open\nrest\n";
        for (directive, expected) in [("code.rs:x", "kept\n"), ("code.rs:open", "rest\n")] {
            let chapter = format!("{{{{#include {directive}}}}}\n");
            let book = book(&[("ch.md", &chapter), ("code.rs", code)]);
            let (text, warnings) = expand(&book, "ch.md");
            assert_eq!(text, expected, "{directive}");
            assert!(warnings.is_empty(), "{directive}: {warnings:?}");
        }
    }

    #[test]
    fn nested_include_relative_to_includer() {
        let book = book(&[
            ("src/ch.md", "{{#include ../listings/a.md}}\n"),
            ("listings/a.md", "A {{#include inner/b.txt}}\n"),
            ("listings/inner/b.txt", "B\n"),
        ]);
        let (text, warnings) = expand(&book, "src/ch.md");
        assert_eq!(text, "A B\n");
        assert!(warnings.is_empty(), "{warnings:?}");
    }

    #[test]
    fn cycle_and_missing_file_warn() {
        let book = book(&[
            ("ch.md", "x {{#include a.md}} y {{#include gone.rs}}\n"),
            ("a.md", "a {{#include ch.md}}\n"),
        ]);
        let (text, warnings) = expand(&book, "ch.md");
        assert_eq!(text, "x a  y \n");
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings[0].message.contains("inside itself"));
        assert!(warnings[1].message.contains("gone.rs not found"));
        assert!(
            warnings
                .iter()
                .all(|warning| warning.file == "ch.md" && warning.line == Some(1))
        );
    }

    #[test]
    fn bad_anchor_and_escaped_directive() {
        let book = book(&[
            (
                "ch.md",
                "\\{{#include code.rs}}\n{{#include code.rs:nope}}\n",
            ),
            ("code.rs", CODE),
        ]);
        let (text, warnings) = expand(&book, "ch.md");
        assert_eq!(text, "{{#include code.rs}}\n\n");
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].message.contains("anchor `nope` not found"));
        assert_eq!(warnings[0].line, Some(2));
    }

    #[test]
    fn lines_map_back_to_directive() {
        let book = book(&[
            ("ch.md", "one\n{{#include three.txt}}\nlast\n"),
            ("three.txt", "a\nb\nc\n"),
        ]);
        let files = FileIndex::new(&book);
        let mut warnings = Warnings::default();
        let expanded = expand_includes(
            "ch.md",
            "one\n{{#include three.txt}}\nlast\n",
            &files,
            &mut warnings,
        );
        assert_eq!(expanded.text, "one\na\nb\nc\nlast\n");
        assert_eq!(expanded.source_lines, [1, 2, 2, 2, 3]);
    }

    #[test]
    fn lines_map_back_around_several_directives() {
        // Directives on the first and last lines, two on one line, lines
        // without a final line feed, and a blank line between.
        let book = book(&[("two.txt", "x\ny\n"), ("one.txt", "z")]);
        let files = FileIndex::new(&book);
        for (text, lines, expected) in [
            (
                "{{#include two.txt}}\n\nmid {{#include one.txt}} {{#include one.txt}}\nend",
                vec![1, 1, 2, 3, 4],
                "x\ny\n\nmid z z\nend",
            ),
            ("a\nb\n{{#include one.txt}}", vec![1, 2, 3], "a\nb\nz"),
            ("plain\ntext", vec![1, 2], "plain\ntext"),
            ("", vec![], ""),
        ] {
            let mut warnings = Warnings::default();
            let expanded = expand_includes("ch.md", text, &files, &mut warnings);
            assert_eq!(expanded.text, expected, "{text:?}");
            assert_eq!(expanded.source_lines, lines, "{text:?}");
            assert!(warnings.is_empty(), "{warnings:?}");
        }
    }

    #[test]
    fn directive_found_after_lone_braces() {
        assert_eq!(find_directive("a { {{ {{#x}}"), Some(7));
        assert_eq!(find_directive("{{#x}}"), Some(0));
        assert_eq!(find_directive("{ {{ #"), None);
        assert_eq!(find_directive("é{{{#"), Some(3));
    }

    #[test]
    fn hidden_rust_lines_dropped() {
        let code = "# use std::io;\n#\nfn main() {\n    # let hidden = 1;\n    ## not hidden\n    #[derive(Debug)]\n}\n";
        assert_eq!(
            hide_rust_lines(code),
            "fn main() {\n    # not hidden\n    #[derive(Debug)]\n}\n"
        );
    }

    fn chapter(path: &str, title: &str, depth: usize, numbered: bool) -> SummaryItem {
        SummaryItem::Chapter {
            path: path.to_string(),
            title: title.to_string(),
            depth,
            numbered,
        }
    }

    #[test]
    fn summary_structure() {
        let summary = "# Summary\n\n[Preface](preface.md)\n\n- [One](one.md)\n  - [One A](one/a.md)\n  - [Draft]()\n\n# Part Two\n\n- [Two](two.md)\n\n---\n\n[Appendix](appendix.md)\n";
        let items = parse_summary("src/SUMMARY.md", summary);
        assert_eq!(
            items,
            vec![
                chapter("src/preface.md", "Preface", 0, false),
                chapter("src/one.md", "One", 0, true),
                chapter("src/one/a.md", "One A", 1, true),
                SummaryItem::Draft {
                    title: "Draft".into(),
                    depth: 1
                },
                SummaryItem::Part("Part Two".into()),
                chapter("src/two.md", "Two", 0, true),
                chapter("src/appendix.md", "Appendix", 0, false),
            ]
        );
    }

    #[test]
    fn book_toml_book_table() {
        let toml = "# comment\n[book]\ntitle = \"A \\\"Quoted\\\" Book\" # trailing\nauthors = [\n  \"Ann\",\n  'Bob',\n]\nlanguage = \"de\"\nsrc = \"source\"\n\n[output.html]\ntitle = \"not this\"\n";
        let mut warnings = Warnings::default();
        let (metadata, source) = read_book_toml("book.toml", toml, &mut warnings);
        assert_eq!(metadata.title.as_deref(), Some("A \"Quoted\" Book"));
        assert_eq!(
            metadata.authors,
            Some(vec!["Ann".to_string(), "Bob".to_string()])
        );
        assert_eq!(metadata.lang.as_deref(), Some("de"));
        assert_eq!(source.as_deref(), Some("source"));
        assert!(warnings.is_empty(), "{warnings:?}");
    }

    #[test]
    fn summary_links_to_other_files_warned() {
        let summary = "# Summary\n\n- [One](one.md)\n- [Slides](slides.pdf)\n- [Draft]()\n- [Site](https://example.com/book.md)\n- [Two](two.md#start)\n";
        let mut warnings = Warnings::default();
        warn_skipped_summary_links("src/SUMMARY.md", summary, &mut warnings);
        let found: Vec<(Option<usize>, &str)> = warnings
            .iter()
            .map(|warning| (warning.line, warning.message.as_str()))
            .collect();
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].0, Some(4));
        assert!(found[0].1.contains("\"slides.pdf\""), "{found:?}");
        assert_eq!(found[1].0, Some(6));
        assert!(
            found[1].1.contains("https://example.com/book.md"),
            "{found:?}"
        );
        assert!(
            warnings
                .iter()
                .all(|warning| warning.file == "src/SUMMARY.md")
        );
    }
}
