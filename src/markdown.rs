//! Parsing Markdown into events, splitting a single file into chapters, and
//! setting footnote definitions aside until a chapter refers to them.

use std::collections::HashMap;
use std::ops::Range;

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// Events of a Markdown text, each with its byte range in the source.
pub type Events<'a> = Vec<(Event<'a>, Range<usize>)>;

/// Maps byte offsets in a text to 1-based line numbers.
#[derive(Debug, Default)]
pub struct LineIndex {
    starts: Vec<usize>,
    /// The line in the original file of each line of the text, when the
    /// text was expanded from it (mdBook includes).
    source_lines: Option<Vec<usize>>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        // A byte loop: lines are short, so a searcher's setup for each
        // match would cost more than it saves.
        let newlines = text.bytes().enumerate().filter(|(_, byte)| *byte == b'\n');
        starts.extend(newlines.map(|(index, _)| index + 1));
        LineIndex {
            starts,
            source_lines: None,
        }
    }

    /// Indexes an expanded text whose lines came from `source_lines`.
    pub fn with_source_lines(text: &str, source_lines: Vec<usize>) -> Self {
        LineIndex {
            source_lines: Some(source_lines),
            ..LineIndex::new(text)
        }
    }

    pub fn line_of(&self, offset: usize) -> usize {
        let line = self.starts.partition_point(|start| *start <= offset);
        match &self.source_lines {
            Some(source_lines) => source_lines
                .get(line - 1)
                .or(source_lines.last())
                .copied()
                .unwrap_or(line),
            None => line,
        }
    }
}

/// Returns the parser options Quire uses: CommonMark with GFM tables,
/// strikethrough, task lists and footnotes, heading attributes, definition
/// lists, YAML metadata blocks, and smart punctuation when asked.
pub fn parser_options(smart: bool) -> Options {
    let mut options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_DEFINITION_LIST
        | Options::ENABLE_GFM;
    if smart {
        options |= Options::ENABLE_SMART_PUNCTUATION;
    }
    options
}

/// A Markdown file, parsed.
pub struct ParsedFile<'a> {
    /// The chapters the file makes: one, or one a level-1 heading when split.
    pub chapters: Vec<Events<'a>>,
    /// Footnote definitions by label.
    pub footnotes: HashMap<String, Events<'a>>,
    /// The YAML metadata block at the top of the file and the line its
    /// first YAML line is on.
    pub metadata: Option<(String, usize)>,
}

/// Parses `text`. With `split`, a new chapter starts at every level-1
/// heading after the first. Text before the first such heading stays with
/// it, so a short preamble does not become a chapter of its own.
pub fn parse(text: &str, split: bool, smart: bool) -> ParsedFile<'_> {
    let mut chapters: Vec<Events<'_>> = vec![Vec::new()];
    let mut footnotes: HashMap<String, Events<'_>> = HashMap::new();
    let mut metadata = None;
    let mut depth = 0usize;
    let mut seen_level_one = false;
    // The label of the footnote definition being read, and its depth.
    let mut in_footnote: Option<(String, usize)> = None;
    let mut in_metadata = false;

    for (event, range) in Parser::new_ext(text, parser_options(smart)).into_offset_iter() {
        match &event {
            Event::Start(Tag::MetadataBlock(_)) => {
                in_metadata = true;
                continue;
            }
            Event::End(TagEnd::MetadataBlock(_)) => {
                in_metadata = false;
                continue;
            }
            Event::Text(yaml) if in_metadata => {
                if metadata.is_none() {
                    let line = 1 + text[..range.start].bytes().filter(|b| *b == b'\n').count();
                    metadata = Some((yaml.to_string(), line));
                }
                continue;
            }
            _ => {}
        }

        if let Some((label, footnote_depth)) = &in_footnote {
            let label = label.clone();
            let footnote_depth = *footnote_depth;
            match &event {
                Event::Start(_) => depth += 1,
                Event::End(_) => depth -= 1,
                _ => {}
            }
            if depth < footnote_depth {
                in_footnote = None;
            } else {
                footnotes.entry(label).or_default().push((event, range));
            }
            continue;
        }

        match &event {
            Event::Start(Tag::FootnoteDefinition(label)) => {
                depth += 1;
                in_footnote = Some((label.to_string(), depth));
                footnotes.entry(label.to_string()).or_default();
                continue;
            }
            Event::Start(Tag::Heading {
                level: HeadingLevel::H1,
                ..
            }) if depth == 0 && split => {
                if seen_level_one {
                    chapters.push(Vec::new());
                }
                seen_level_one = true;
                depth += 1;
            }
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
        let chapter = chapters.last_mut().expect("starts with one chapter");
        chapter.push((event, range));
    }

    if chapters.len() > 1 && chapters[0].is_empty() {
        chapters.remove(0);
    }
    let chapters = chapters.into_iter().map(join_text_runs).collect();
    let footnotes = footnotes
        .into_iter()
        .map(|(label, events)| (label, join_text_runs(events)))
        .collect();
    ParsedFile {
        chapters,
        footnotes,
        metadata,
    }
}

/// Joins each run of consecutive text events into one, so text the parser
/// split at special characters reads as one run for the autolink search.
/// It works in linear time, since a long paragraph can arrive as millions
/// of pieces.
fn join_text_runs(events: Events<'_>) -> Events<'_> {
    let mut joined: Events<'_> = Vec::with_capacity(events.len());
    let mut run: Option<(TextRun<'_>, Range<usize>)> = None;
    for (event, range) in events {
        if let Event::Text(text) = event {
            run = Some(match run.take() {
                Some((TextRun::One(first), run_range)) => {
                    let mut buffer = first.into_string();
                    buffer.push_str(&text);
                    (TextRun::Many(buffer), run_range.start..range.end)
                }
                Some((TextRun::Many(mut buffer), run_range)) => {
                    buffer.push_str(&text);
                    (TextRun::Many(buffer), run_range.start..range.end)
                }
                None => (TextRun::One(text), range),
            });
            continue;
        }
        if let Some((text, run_range)) = run.take() {
            joined.push((Event::Text(text.into_cow()), run_range));
        }
        joined.push((event, range));
    }
    if let Some((text, run_range)) = run {
        joined.push((Event::Text(text.into_cow()), run_range));
    }
    joined
}

/// A run of text events being joined. A run of one piece keeps the
/// parser's text, which often borrows the source, so only runs of several
/// pieces allocate. The buffer of a longer run keeps its spare capacity,
/// so each piece is appended in amortised constant time.
enum TextRun<'a> {
    One(CowStr<'a>),
    Many(String),
}

impl<'a> TextRun<'a> {
    fn into_cow(self) -> CowStr<'a> {
        match self {
            TextRun::One(text) => text,
            TextRun::Many(buffer) => buffer.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_counts_from_one() {
        let lines = LineIndex::new("a\nbb\n\nc");
        assert_eq!(lines.line_of(0), 1);
        assert_eq!(lines.line_of(2), 2);
        assert_eq!(lines.line_of(5), 3);
        assert_eq!(lines.line_of(6), 4);
    }

    #[test]
    fn split_at_level_one_headings() {
        let text = "intro\n\n# One\n\ntext\n\n> # Quoted\n\n## Sub\n\n# Two\n";
        let parsed = parse(text, true, false);
        assert_eq!(
            parsed.chapters.len(),
            2,
            "the quoted heading is not a split point"
        );
        let unsplit = parse(text, false, false);
        assert_eq!(unsplit.chapters.len(), 1);
    }

    #[test]
    fn metadata_block_read_not_rendered() {
        let parsed = parse("---\ntitle: T\n...\n\n# One\n", true, false);
        let (yaml, line) = parsed.metadata.expect("metadata");
        assert_eq!(yaml.trim(), "title: T");
        assert_eq!(line, 2);
        let has_title_text = parsed.chapters[0]
            .iter()
            .any(|(event, _)| matches!(event, Event::Text(text) if text.contains("title")));
        assert!(!has_title_text);
    }

    #[test]
    fn footnote_definitions_set_aside() {
        let parsed = parse("Text[^a].\n\n[^a]: The note.\n", false, false);
        assert!(parsed.footnotes.contains_key("a"));
        let in_chapter = parsed.chapters[0]
            .iter()
            .any(|(event, _)| matches!(event, Event::Text(text) if text.contains("The note")));
        assert!(!in_chapter);
    }
}
