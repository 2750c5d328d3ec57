//! Parsing Markdown into events, splitting a single file into chapters, and
//! setting footnote definitions aside until a chapter refers to them.

use std::collections::HashMap;
#[cfg(feature = "math")]
use std::collections::VecDeque;
use std::ops::Range;

#[cfg(feature = "math")]
use pulldown_cmark::OffsetIter;
use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::highlight;

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
        // The line feeds are counted first, so that the index takes its
        // exact size: grown by doubling, it kept up to half again as much
        // room as it used, for every chapter until the book was written.
        let bytes = text.as_bytes();
        let count = memchr::memchr_iter(b'\n', bytes).count();
        let mut starts = Vec::with_capacity(count + 1);
        starts.push(0);
        starts.extend(memchr::memchr_iter(b'\n', bytes).map(|index| index + 1));
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
/// lists, YAML metadata blocks, `$` math with the `math` feature, and smart
/// punctuation when asked.
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
    if cfg!(feature = "math") {
        options |= Options::ENABLE_MATH;
    }
    options
}

/// Returns a fenced code block's language: the first word of its info
/// string, which mdBook's `rust,ignore` and pandoc's `{.rust}` end early.
pub fn fence_language(info: &str) -> &str {
    info.split([' ', ',', '{']).next().unwrap_or("")
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
    /// Whether the text may have TeX formulas that this build, without the
    /// `math` feature, leaves as text.
    pub needs_math: bool,
    /// Whether the file has code blocks that a build with the `highlight`
    /// feature may highlight, and this build does not. Any language name
    /// counts, since the list of languages is part of that feature.
    pub needs_highlight: bool,
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
    let mut needs_highlight = false;

    #[cfg(feature = "math")]
    let events = MathCheckedEvents::new(text, parser_options(smart));
    #[cfg(not(feature = "math"))]
    let events = Parser::new_ext(text, parser_options(smart)).into_offset_iter();
    for (event, range) in events {
        if let Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) = &event {
            needs_highlight |= !highlight::BUILT_IN && !fence_language(info).is_empty();
        }
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
        needs_math: !cfg!(feature = "math") && may_contain_formula(text),
        needs_highlight,
    }
}

/// Reports whether `text` may have a formula: a `$` that could open one
/// (no whitespace after it) and a later `$` that could close it (no
/// whitespace before it), as pulldown-cmark 0.13 reads them. Code spans,
/// escapes and blocks are ignored, so it may return a false yes but never
/// a false no.
pub fn may_contain_formula(text: &str) -> bool {
    let bytes = text.as_bytes();
    let Some(opening) = bytes
        .windows(2)
        .position(|pair| pair[0] == b'$' && !pair[1].is_ascii_whitespace())
    else {
        return false;
    };
    (opening + 2..bytes.len())
        .any(|index| bytes[index] == b'$' && !bytes[index - 1].is_ascii_whitespace())
}

#[cfg(feature = "math")]
/// Reports whether a formula the parser found is most likely not one: a
/// shell variable or a price that happens to be followed by another `$`.
/// pulldown-cmark 0.13 takes any `$` not followed by a space as an
/// opening delimiter and any `$` not preceded by one as a closing
/// delimiter, so `{$a..$b}` and ``$HOME and `$PATH` `` contain formulas.
/// Two rules of thumb reject them. A letter or digit may not follow the
/// closing `$`, which widens pandoc's rule that a digit may not (pandoc
/// manual, extension `tex_math_dollars`). A formula may not contain a
/// backtick, which TeX math does not use, and which means that the
/// formula has swallowed the start of a code span.
fn is_stray_formula(text: &str, event: &Event<'_>, range: &Range<usize>) -> bool {
    let tex = match event {
        Event::InlineMath(tex) | Event::DisplayMath(tex) => tex,
        _ => return false,
    };
    let followed_by_word = text
        .as_bytes()
        .get(range.end)
        .is_some_and(u8::is_ascii_alphanumeric);
    followed_by_word || tex.contains('`')
}

#[cfg(feature = "math")]
type RangedEvent<'a> = (Event<'a>, Range<usize>);

#[cfg(feature = "math")]
/// The parser's events with their ranges, except that a top-level block
/// with a stray formula (see [`is_stray_formula`]) is parsed again without
/// math, so its dollars stay text and its code spans are kept. Math only
/// changes how the text inside blocks is read, so the block has the same
/// range in both parses.
struct MathCheckedEvents<'a> {
    text: &'a str,
    with_math: OffsetIter<'a>,
    /// The options without math, for parsing again.
    plain_options: Options,
    /// The parse without math, started at the first stray formula.
    without_math: Option<OffsetIter<'a>>,
    /// A top-level block of the parse without math, read ahead.
    plain_block: Option<Vec<RangedEvent<'a>>>,
    /// The events of the current top-level block, when it is read ahead.
    pending: VecDeque<RangedEvent<'a>>,
    /// The nesting depth of the events passed on as they come.
    depth: usize,
}

#[cfg(feature = "math")]
impl<'a> MathCheckedEvents<'a> {
    fn new(text: &'a str, options: Options) -> Self {
        MathCheckedEvents {
            text,
            with_math: Parser::new_ext(text, options).into_offset_iter(),
            plain_options: options.difference(Options::ENABLE_MATH),
            without_math: None,
            plain_block: None,
            pending: VecDeque::new(),
            depth: 0,
        }
    }

    /// Returns the events of the parse without math for the top-level
    /// block at `range`, or `None` when that parse has no such block.
    fn plain_block_at(&mut self, range: &Range<usize>) -> Option<Vec<RangedEvent<'a>>> {
        let (text, options) = (self.text, self.plain_options);
        let without_math = self
            .without_math
            .get_or_insert_with(|| Parser::new_ext(text, options).into_offset_iter());
        loop {
            let block = match self.plain_block.take() {
                Some(block) => block,
                None => {
                    let first = without_math.next()?;
                    read_block(first, without_math)
                }
            };
            let start = block[0].1.start;
            if start < range.start {
                continue;
            }
            if block[0].1 == *range {
                return Some(block);
            }
            // The parses disagree here; keep the block for a later one.
            self.plain_block = Some(block);
            return None;
        }
    }
}

#[cfg(feature = "math")]
/// Reads a whole top-level block, starting with its first event.
fn read_block<'a>(
    first: RangedEvent<'a>,
    events: &mut impl Iterator<Item = RangedEvent<'a>>,
) -> Vec<RangedEvent<'a>> {
    let mut depth = usize::from(matches!(first.0, Event::Start(_)));
    let mut block = vec![first];
    while depth > 0 {
        let Some(next) = events.next() else { break };
        match next.0 {
            Event::Start(_) => depth += 1,
            Event::End(_) => depth -= 1,
            _ => {}
        }
        block.push(next);
    }
    block
}

#[cfg(feature = "math")]
impl<'a> Iterator for MathCheckedEvents<'a> {
    type Item = RangedEvent<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(event) = self.pending.pop_front() {
            return Some(event);
        }
        let (event, range) = self.with_math.next()?;

        // Only a block with a `$` can hold a formula. Other blocks pass
        // through as they come, so a huge paragraph is not held twice.
        let may_hold_math = self.depth == 0
            && matches!(event, Event::Start(_))
            && self.text[range.clone()].contains('$');
        if !may_hold_math {
            match event {
                Event::Start(_) => self.depth += 1,
                Event::End(_) => self.depth = self.depth.saturating_sub(1),
                _ => {}
            }
            return Some((event, range));
        }

        let block = read_block((event, range.clone()), &mut self.with_math);
        let has_stray_formula = block
            .iter()
            .any(|(event, event_range)| is_stray_formula(self.text, event, event_range));
        let block = if has_stray_formula {
            self.plain_block_at(&range).unwrap_or(block)
        } else {
            block
        };
        self.pending = block.into();
        self.pending.pop_front()
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

    #[cfg(feature = "math")]
    fn formulas(text: &str) -> Vec<String> {
        parse(text, false, false).chapters[0]
            .iter()
            .filter_map(|(event, _)| match event {
                Event::InlineMath(tex) | Event::DisplayMath(tex) => Some(tex.to_string()),
                _ => None,
            })
            .collect()
    }

    #[cfg(feature = "math")]
    #[test]
    fn formulas_parsed() {
        assert_eq!(
            formulas("Area $\\pi r^2$, and\n\n$$\ne^{i\\pi} = -1\n$$\n"),
            ["\\pi r^2", "\ne^{i\\pi} = -1\n"]
        );
    }

    #[cfg(feature = "math")]
    #[test]
    fn dollars_in_prose_stay_text() {
        for text in [
            "It costs $5 and $10.",
            "Ranges like {$a..$b} need seq.",
            "Use $5/$10 bills.",
            "Set *$HOME/bin*. Check your `$PATH` too.",
            "If $2 is empty, `x` is `logfile`. Use `i=$((i + 1))`.",
        ] {
            assert_eq!(formulas(text), Vec::<String>::new(), "{text}");
        }
    }

    #[cfg(feature = "math")]
    #[test]
    fn stray_formula_keeps_code_spans() {
        let parsed = parse(
            "If $2 is empty, `x` is set. Use `i=$((i + 1))`.\n",
            false,
            false,
        );
        let code: Vec<String> = parsed.chapters[0]
            .iter()
            .filter_map(|(event, _)| match event {
                Event::Code(code) => Some(code.to_string()),
                _ => None,
            })
            .collect();
        assert_eq!(code, ["x", "i=$((i + 1))"]);
    }

    #[cfg(feature = "math")]
    #[test]
    fn stray_formula_leaves_other_blocks() {
        let text = "Real $x^2$ here.\n\nStray {$a..$b}.\n\nReal $y$ again.\n";
        assert_eq!(formulas(text), ["x^2", "y"]);
    }

    #[test]
    fn formula_detection_never_misses() {
        for text in ["$x$", "a $b c$ d", "$$\nx\n$$", "`$a`$"] {
            assert!(may_contain_formula(text), "{text}");
        }
        for text in [
            "no dollars",
            "costs $ 5 and 10$",
            "$ cargo run\n$ ls",
            "one $x",
        ] {
            assert!(!may_contain_formula(text), "{text}");
        }
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
