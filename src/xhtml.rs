//! The XHTML writer: one chapter's Markdown events in, its body as XHTML out.
//!
//! Markdown elements and raw HTML elements share one stack of open
//! elements, so whatever the input, every element is closed in order and the
//! document is well-formed. Links to other chapters cannot be written until
//! every chapter's ids are known, so they are left as insertions that
//! `resolve` fills in afterwards.

use std::collections::HashMap;
use std::fmt::Write;
use std::ops::Range;

use pulldown_cmark::{
    Alignment, BlockQuoteKind, CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Tag, TagEnd,
};

use crate::accessibility::{self, ChapterFacts};
use crate::error::{Warning, Warnings};
use crate::links::Anchors;
use crate::locale::{self, Labels};
use crate::markdown::{Events, LineIndex, fence_language};
use crate::sanitize::{self, AttributeAction, MarkupScan, Model, Policy, RawToken};
use crate::xml::{escape_attribute_into, escape_text_into};

/// A link to a place in the book, resolved once every chapter is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkTarget {
    /// The target's source file (normalised path).
    pub source: String,
    /// The fragment as written, without `#`.
    pub fragment: Option<String>,
    /// The URL as the author wrote it, for messages.
    pub written: String,
    /// The line of the link in its chapter's source.
    pub line: Option<usize>,
}

/// The writer's treatment of a link's URL.
pub enum LinkAction {
    /// Write the link with this href.
    Write(String),
    /// Leave the link for `resolve`.
    Pending(LinkTarget),
    /// Keep only the link text (the resolver has given a warning).
    Drop,
}

/// Finds the things a chapter refers to: images and link targets.
pub trait Resolver {
    /// Returns the href of image `src` relative to the chapter document,
    /// or `None`, after a warning, if it cannot go into the book.
    fn image(
        &mut self,
        from: &str,
        src: &str,
        line: Option<usize>,
        warnings: &mut Warnings,
    ) -> Option<String>;
    /// Decides what becomes of a link to `url`.
    fn link(
        &mut self,
        from: &str,
        url: &str,
        line: Option<usize>,
        warnings: &mut Warnings,
    ) -> LinkAction;
}

/// A heading of a chapter, for the table of contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeadingInfo {
    pub level: u8,
    /// The heading's plain text.
    pub text: String,
    pub id: String,
}

/// Markup to add to a chapter's body once links are resolved.
#[derive(Debug, Clone)]
struct Insertion {
    /// Byte offset in the body.
    offset: usize,
    /// Index into `RenderedChapter::links`.
    link: usize,
    /// The start tag's other attributes, or `None` for the end tag.
    start: Option<Vec<(String, String)>>,
}

/// A chapter body with its links still to resolve.
#[derive(Debug, Default)]
pub struct RenderedChapter {
    pub body: String,
    pub links: Vec<LinkTarget>,
    insertions: Vec<Insertion>,
    pub headings: Vec<HeadingInfo>,
    /// Labels of the footnotes the chapter refers to.
    pub footnote_labels: Vec<String>,
    /// Whether the body contains MathML, which the manifest must declare.
    pub has_mathml: bool,
    /// Whether the body contains highlighted code, which needs the
    /// highlighting colours in the stylesheet.
    pub has_highlighted_code: bool,
    /// Images, headings and accessibility warnings, for the book's
    /// accessibility metadata.
    pub accessibility: ChapterFacts,
    /// The href of each image the chapter shows, with the line that first
    /// shows it, for warnings about an image found after the chapter is
    /// written.
    pub image_lines: Vec<(String, Option<usize>)>,
}

impl RenderedChapter {
    /// Returns the final body: each pending link written with the href
    /// `href_for` gives it, or reduced to its text when that is `None`.
    pub fn resolve(&self, mut href_for: impl FnMut(&LinkTarget) -> Option<String>) -> String {
        let hrefs: Vec<Option<String>> = self.links.iter().map(&mut href_for).collect();
        let mut out = String::with_capacity(self.body.len() + self.insertions.len() * 40);
        let mut copied = 0;
        for insertion in &self.insertions {
            out.push_str(&self.body[copied..insertion.offset]);
            copied = insertion.offset;
            let Some(href) = &hrefs[insertion.link] else {
                continue;
            };
            match &insertion.start {
                Some(attributes) => {
                    out.push_str("<a href=\"");
                    escape_attribute_into(&mut out, href);
                    out.push('"');
                    write_attributes(&mut out, attributes);
                    out.push('>');
                }
                None => out.push_str("</a>"),
            }
        }
        out.push_str(&self.body[copied..]);
        out
    }
}

/// The origin of an open element.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Origin {
    /// Opened by a Markdown event. `outer` marks the element its end event
    /// closes down to (a code block opens `pre` as outer, then `code`).
    Markdown { outer: bool },
    /// Opened by raw HTML, with the tag name as written (lowercase).
    Raw(String),
}

#[derive(Debug, Clone)]
struct Open {
    /// The element name written, or empty when nothing was written (a link
    /// reduced to its text).
    name: &'static str,
    origin: Origin,
    model: Model,
    /// The pending link this element is, if any.
    link: Option<usize>,
    /// The name of the last child element opened in this one, so that a
    /// definition list that ends on a term can be given its definition.
    last_child: &'static str,
}

struct HeadingState {
    level: u8,
    /// The body written before the heading, set aside while its content is
    /// written into `out`.
    outer: String,
    explicit_id: Option<String>,
    attributes: Vec<(String, String)>,
    text: String,
    first_insertion: usize,
}

struct ImageState {
    /// Nesting depth of events inside the image (its alt text).
    depth: usize,
    alt: String,
    /// The source as the chapter wrote it, which warnings name.
    src: String,
    href: Option<String>,
    title: String,
}

#[derive(Default)]
struct TableState {
    alignments: Vec<Alignment>,
    in_head: bool,
    cell: usize,
    body_open: bool,
}

/// Footnote numbering in one chapter.
#[derive(Default)]
struct Footnotes {
    /// Label to (number, note id, first reference id, references so far).
    by_label: HashMap<String, (usize, String, String, usize)>,
    /// Labels in order of first reference.
    order: Vec<String>,
}

/// Writes one chapter.
pub struct Writer<'a> {
    /// The chapter's source file, for warnings.
    source: &'a str,
    /// The chapter's index in the book, for ids that must differ by chapter.
    chapter: usize,
    lines: &'a LineIndex,
    anchors: &'a mut Anchors,
    resolver: &'a mut dyn Resolver,
    warnings: &'a mut Warnings,
    /// Whether bare URLs in text become links (GFM's autolink extension).
    autolinks: bool,
    /// The byte offset in the source at which the current event starts.
    offset: Option<usize>,
    /// Lines of an HTML block that end inside a tag or comment, held until
    /// a later line closes it, with the offset of the first.
    pending_html: Option<(String, usize, MarkupScan)>,
    out: String,
    stack: Vec<Open>,
    links: Vec<LinkTarget>,
    insertions: Vec<Insertion>,
    headings: Vec<HeadingInfo>,
    heading: Option<HeadingState>,
    image: Option<ImageState>,
    /// The raw element being removed with its content, and its nesting depth.
    skipping: Option<(String, usize)>,
    table: TableState,
    footnotes: Footnotes,
    /// Open links and code spans or blocks, inside which text is not linkified.
    no_autolink_depth: usize,
    /// The words for the notes section and its back links.
    labels: &'static Labels,
    /// The open code block's language and text, written when it closes.
    code_block: Option<CodeBlock>,
    has_mathml: bool,
    has_highlighted_code: bool,
    accessibility: ChapterFacts,
    image_lines: Vec<(String, Option<usize>)>,
    /// The level of the last heading written, to find skipped levels.
    last_heading_level: Option<u8>,
    /// For each open table, whether it has a header cell yet and the line
    /// it starts on.
    tables: Vec<(bool, Option<usize>)>,
    /// The offset in `out` at which the open Markdown table head's cells start.
    table_head_start: usize,
    /// For each open link that is written, its depth in `stack` and where
    /// its content starts in `out`, to check the link text when it closes.
    link_texts: Vec<(usize, usize)>,
}

/// A code block being read. Its text is collected first, because the
/// highlighter and the removal of rustdoc's hidden lines need it whole.
struct CodeBlock {
    language: String,
    text: String,
}

impl<'a> Writer<'a> {
    pub fn new(
        source: &'a str,
        chapter: usize,
        lines: &'a LineIndex,
        anchors: &'a mut Anchors,
        resolver: &'a mut dyn Resolver,
        warnings: &'a mut Warnings,
    ) -> Self {
        Writer {
            source,
            chapter,
            lines,
            anchors,
            resolver,
            warnings,
            autolinks: true,
            offset: None,
            pending_html: None,
            out: String::new(),
            stack: Vec::new(),
            links: Vec::new(),
            insertions: Vec::new(),
            headings: Vec::new(),
            heading: None,
            image: None,
            skipping: None,
            table: TableState::default(),
            footnotes: Footnotes::default(),
            no_autolink_depth: 0,
            code_block: None,
            has_mathml: false,
            has_highlighted_code: false,
            accessibility: ChapterFacts::default(),
            image_lines: Vec::new(),
            last_heading_level: None,
            tables: Vec::new(),
            table_head_start: 0,
            link_texts: Vec::new(),
            labels: locale::english(),
        }
    }

    /// Sets the language of the words the writer adds, English by default.
    pub fn with_labels(mut self, labels: &'static Labels) -> Self {
        self.labels = labels;
        self
    }

    /// Writes the chapter's events, then the notes its footnote references
    /// point at, taking their definitions from `definitions`.
    pub fn write(
        mut self,
        events: &Events<'_>,
        definitions: &HashMap<String, Events<'_>>,
    ) -> RenderedChapter {
        for (event, range) in events {
            self.event(event, range);
        }
        self.close_all();
        self.write_footnotes(definitions);
        RenderedChapter {
            body: self.out,
            links: self.links,
            insertions: self.insertions,
            headings: self.headings,
            footnote_labels: self.footnotes.order,
            has_mathml: self.has_mathml,
            has_highlighted_code: self.has_highlighted_code,
            accessibility: self.accessibility,
            image_lines: self.image_lines,
        }
    }

    /// Asks the resolver for the href of image `src`, and notes the line of
    /// the image's first use in the chapter.
    fn image_href(&mut self, src: &str) -> Option<String> {
        let line = self.line();
        let href = self.resolver.image(self.source, src, line, self.warnings)?;
        if !self.image_lines.iter().any(|(known, _)| *known == href) {
            self.image_lines.push((href.clone(), line));
        }
        Some(href)
    }

    /// Returns the source line of the current event.
    fn line(&self) -> Option<usize> {
        self.offset.map(|offset| self.lines.line_of(offset))
    }

    fn event(&mut self, event: &Event<'_>, range: &Range<usize>) {
        // The line is looked up only when a warning or link needs it.
        self.offset = Some(range.start);
        if self.image.is_some() {
            self.image_event(event);
            return;
        }
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(*tag),
            Event::Text(text) => self.text(text),
            Event::Code(code) => {
                if let Some(heading) = &mut self.heading {
                    heading.text.push_str(code);
                }
                if self.skipping.is_none() {
                    self.out.push_str("<code>");
                    escape_text_into(&mut self.out, code);
                    self.out.push_str("</code>");
                }
            }
            Event::Html(html) => self.block_html(html),
            Event::InlineHtml(html) => self.raw_html(html, false),
            #[cfg(feature = "math")]
            Event::InlineMath(tex) => self.math(tex, false),
            #[cfg(feature = "math")]
            Event::DisplayMath(tex) => self.math(tex, true),
            // The parser reads no formulas without the `math` feature.
            #[cfg(not(feature = "math"))]
            Event::InlineMath(tex) | Event::DisplayMath(tex) => self.text(tex),
            Event::FootnoteReference(label) => self.footnote_reference(label),
            Event::SoftBreak => {
                if let Some(heading) = &mut self.heading {
                    heading.text.push(' ');
                }
                self.out.push('\n');
            }
            Event::HardBreak => self.out.push_str("<br />\n"),
            Event::Rule => {
                self.close_raw_inline();
                self.out.push_str("<hr />\n");
            }
            Event::TaskListMarker(done) => {
                // A ballot box, rather than a form control that a book cannot use.
                let marker = if *done { "\u{2611}" } else { "\u{2610}" };
                let _ = write!(self.out, "<span class=\"task\">{marker}</span> ");
            }
        }
    }

    fn start(&mut self, tag: &Tag<'_>) {
        if self.skipping.is_some() && !matches!(tag, Tag::Link { .. } | Tag::Emphasis | Tag::Strong)
        {
            // Markdown blocks end a removed raw element: its end tag, if
            // any, would come in a later HTML event anyway.
            self.skipping = None;
        }
        match tag {
            Tag::Paragraph => self.open_block("p", Model::BlockOfInline, &[]),
            Tag::Heading {
                level,
                id,
                classes,
                attrs,
            } => self.start_heading(*level, id.as_deref(), classes, attrs),
            Tag::BlockQuote(kind) => {
                let class = kind.map(|kind| match kind {
                    BlockQuoteKind::Note => "note",
                    BlockQuoteKind::Tip => "tip",
                    BlockQuoteKind::Important => "important",
                    BlockQuoteKind::Warning => "warning",
                    BlockQuoteKind::Caution => "caution",
                });
                let attributes: Vec<(&str, &str)> =
                    class.map(|class| ("class", class)).into_iter().collect();
                self.open_block("blockquote", Model::Block, &attributes);
            }
            Tag::CodeBlock(kind) => {
                self.open_block("pre", Model::BlockOfInline, &[]);
                let language = match kind {
                    CodeBlockKind::Fenced(info) => fence_language(info).to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                let class = format!("language-{language}");
                let attributes: &[(&str, &str)] = if language.is_empty() {
                    &[]
                } else {
                    &[("class", class.as_str())]
                };
                self.open_inner("code", Model::Inline, attributes);
                self.no_autolink_depth += 1;
                self.code_block = Some(CodeBlock {
                    language,
                    text: String::new(),
                });
            }
            Tag::HtmlBlock => {}
            Tag::List(Some(1)) => self.open_block("ol", Model::Block, &[]),
            Tag::List(Some(start)) => {
                let start = start.to_string();
                self.open_block("ol", Model::Block, &[("start", start.as_str())]);
            }
            Tag::List(None) => self.open_block("ul", Model::Block, &[]),
            Tag::Item => self.open_block("li", Model::Block, &[]),
            Tag::FootnoteDefinition(_) => {}
            Tag::DefinitionList => self.open_block("dl", Model::Block, &[]),
            Tag::DefinitionListTitle => self.open_block("dt", Model::BlockOfInline, &[]),
            Tag::DefinitionListDefinition => self.open_block("dd", Model::Block, &[]),
            Tag::Table(alignments) => {
                self.table = TableState {
                    alignments: alignments.clone(),
                    ..TableState::default()
                };
                self.open_block("table", Model::Block, &[]);
                self.tables.push((false, self.line()));
            }
            Tag::TableHead => {
                self.table.in_head = true;
                self.table.cell = 0;
                self.open_block("thead", Model::Block, &[]);
                self.open_inner("tr", Model::Block, &[]);
                self.table_head_start = self.out.len();
            }
            Tag::TableRow => {
                if !self.table.body_open {
                    self.table.body_open = true;
                    self.open_inner("tbody", Model::Block, &[]);
                }
                self.table.cell = 0;
                self.open_block("tr", Model::Block, &[]);
            }
            Tag::TableCell => {
                let name = if self.table.in_head { "th" } else { "td" };
                let style = match self.table.alignments.get(self.table.cell) {
                    Some(Alignment::Left) => Some("text-align: left"),
                    Some(Alignment::Center) => Some("text-align: center"),
                    Some(Alignment::Right) => Some("text-align: right"),
                    _ => None,
                };
                self.table.cell += 1;
                let attributes: Vec<(&str, &str)> =
                    style.map(|style| ("style", style)).into_iter().collect();
                self.open_block(name, Model::Block, &attributes);
            }
            Tag::Emphasis => self.open_block("em", Model::Inline, &[]),
            Tag::Strong => self.open_block("strong", Model::Inline, &[]),
            Tag::Strikethrough => self.open_block("del", Model::Inline, &[]),
            Tag::Superscript => self.open_block("sup", Model::Inline, &[]),
            Tag::Subscript => self.open_block("sub", Model::Inline, &[]),
            Tag::Link {
                link_type: LinkType::Email,
                dest_url,
                title,
                ..
            } => self.start_link(
                &format!("mailto:{dest_url}"),
                title,
                Origin::Markdown { outer: true },
            ),
            Tag::Link {
                dest_url, title, ..
            } => self.start_link(dest_url, title, Origin::Markdown { outer: true }),
            Tag::Image {
                dest_url, title, ..
            } => {
                let href = self.image_href(dest_url);
                self.image = Some(ImageState {
                    depth: 0,
                    alt: String::new(),
                    src: dest_url.to_string(),
                    href,
                    title: title.to_string(),
                });
            }
            Tag::MetadataBlock(_) => {
                self.skipping = Some((String::new(), 1));
            }
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            // A tag or comment the block never closes is read as it is.
            TagEnd::HtmlBlock => self.flush_block_html(),
            TagEnd::FootnoteDefinition => {}
            TagEnd::MetadataBlock(_) => self.skipping = None,
            TagEnd::Heading(_) => self.end_heading(),
            TagEnd::CodeBlock => {
                self.write_code_block();
                self.no_autolink_depth = self.no_autolink_depth.saturating_sub(1);
                self.close_markdown();
            }
            TagEnd::TableHead => {
                self.table.in_head = false;
                // GFM tables always have a head row, but an empty one, a
                // common way to write a table without a header, names
                // no column.
                let head = self.out.get(self.table_head_start..).unwrap_or("");
                let (text, has_image_name) = accessibility::text_of_markup(head);
                if (!text.trim().is_empty() || has_image_name)
                    && let Some(table) = self.tables.last_mut()
                {
                    table.0 = true;
                }
                self.close_markdown();
            }
            TagEnd::Link => {
                self.close_markdown();
            }
            _ => self.close_markdown(),
        }
        if matches!(
            tag,
            TagEnd::Paragraph | TagEnd::Item | TagEnd::BlockQuote(_)
        ) {
            self.out.push('\n');
        }
    }

    /// Opens a Markdown element that its end event closes.
    fn open_block(&mut self, name: &'static str, model: Model, attributes: &[(&str, &str)]) {
        if model != Model::Inline {
            self.close_raw_inline();
            if !matches!(name, "li" | "dt" | "dd" | "tr" | "td" | "th" | "thead") {
                self.open_implied_parents(name);
            }
        }
        self.push_open(name, model, Origin::Markdown { outer: true }, attributes);
    }

    /// Opens the elements HTML implies between a list or table opened by raw
    /// HTML and content it cannot hold directly: an `li` in a list, a `tr`
    /// and `td` in a table, a `dd` in a definition list.
    fn open_implied_parents(&mut self, child: &str) {
        loop {
            let Some(parent) = self.stack.last().map(|open| open.name) else {
                return;
            };
            let implied = match parent {
                "ul" | "ol" if child != "li" => "li",
                // Loose content in a definition list becomes a term until a
                // term has been given, and a definition after one.
                "dl" if !matches!(child, "dt" | "dd" | "div") => {
                    if matches!(
                        self.stack.last().map(|open| open.last_child),
                        Some("dt" | "dd")
                    ) {
                        "dd"
                    } else {
                        "dt"
                    }
                }
                "table"
                    if !matches!(
                        child,
                        "caption" | "colgroup" | "thead" | "tbody" | "tfoot" | "tr"
                    ) =>
                {
                    "tr"
                }
                "thead" | "tbody" | "tfoot" if child != "tr" => "tr",
                "tr" if !matches!(child, "td" | "th") => "td",
                "colgroup" if child != "col" => {
                    let open = self.stack.pop().expect("colgroup is open");
                    self.write_end(&open);
                    continue;
                }
                _ => return,
            };
            let _ = write!(self.out, "<{implied}>");
            self.push(Open {
                name: implied,
                origin: Origin::Raw(String::new()),
                model: Model::Block,
                link: None,
                last_child: "",
            });
        }
    }

    /// Opens a Markdown element that belongs to the next outer one, such as
    /// the `code` inside a code block's `pre`.
    fn open_inner(&mut self, name: &'static str, model: Model, attributes: &[(&str, &str)]) {
        self.push_open(name, model, Origin::Markdown { outer: false }, attributes);
    }

    fn push_open(
        &mut self,
        name: &'static str,
        model: Model,
        origin: Origin,
        attributes: &[(&str, &str)],
    ) {
        self.out.push('<');
        self.out.push_str(name);
        for (key, value) in attributes {
            let _ = write!(self.out, " {key}=\"");
            escape_attribute_into(&mut self.out, value);
            self.out.push('"');
        }
        self.out.push('>');
        self.push(Open {
            name,
            origin,
            model,
            link: None,
            last_child: "",
        });
    }

    fn push(&mut self, open: Open) {
        if let Some(parent) = self.stack.last_mut() {
            parent.last_child = open.name;
        }
        self.stack.push(open);
    }

    /// Closes elements down to and including the innermost outer Markdown
    /// element, closing raw elements left open inside it on the way.
    fn close_markdown(&mut self) {
        while let Some(open) = self.stack.pop() {
            let outer = open.origin == Origin::Markdown { outer: true };
            self.write_end(&open);
            if outer {
                break;
            }
        }
    }

    fn close_all(&mut self) {
        while let Some(open) = self.stack.pop() {
            self.write_end(&open);
        }
        self.skipping = None;
    }

    /// Closes raw elements that may hold only phrasing content, before a
    /// Markdown block opens where they would have held it.
    fn close_raw_inline(&mut self) {
        while let Some(open) = self.stack.last() {
            let closable = matches!(open.origin, Origin::Raw(_)) && open.model != Model::Block;
            if !closable {
                break;
            }
            let open = self.stack.pop().expect("checked above");
            self.write_end(&open);
        }
    }

    fn write_end(&mut self, open: &Open) {
        if (open.link.is_some() || open.name == "a")
            && self
                .link_texts
                .last()
                .is_some_and(|(depth, _)| *depth == self.stack.len())
        {
            let (_, start) = self.link_texts.pop().expect("checked above");
            self.check_link_text(start);
        }
        if open.name == "table"
            && let Some((has_header, line)) = self.tables.pop()
            && !has_header
        {
            let message = "table has no header row; make its first row name the columns (a Markdown table's first row, or <th> cells), because screen readers read each cell with its column's name";
            self.warn_accessibility(line, message.to_string());
        }
        if let Some(link) = open.link {
            self.insertions.push(Insertion {
                offset: self.out.len(),
                link,
                start: None,
            });
            self.no_autolink_depth = self.no_autolink_depth.saturating_sub(1);
        } else if !open.name.is_empty() {
            if open.name == "dl" && open.last_child == "dt" {
                // A term needs a definition after it to be valid HTML.
                self.out.push_str("<dd></dd>");
            }
            let _ = write!(self.out, "</{}>", open.name);
            if open.name == "a" || open.name == "code" {
                self.no_autolink_depth = self.no_autolink_depth.saturating_sub(1);
            }
        } else {
            self.no_autolink_depth = self.no_autolink_depth.saturating_sub(1);
        }
    }

    /// Reports whether the innermost open element holds only phrasing content.
    fn in_inline_context(&self) -> bool {
        self.heading.is_some()
            || self
                .stack
                .last()
                .is_some_and(|open| open.model != Model::Block)
    }

    fn inside_link(&self) -> bool {
        self.stack
            .iter()
            .any(|open| open.link.is_some() || open.name == "a")
    }

    fn start_link(&mut self, url: &str, title: &str, origin: Origin) {
        let mut attributes = Vec::new();
        if !title.is_empty() {
            attributes.push(("title".to_string(), title.to_string()));
        }
        self.start_link_with(url, attributes, origin);
    }

    fn start_link_with(&mut self, url: &str, attributes: Vec<(String, String)>, origin: Origin) {
        self.no_autolink_depth += 1;
        let action = self
            .resolver
            .link(self.source, url, self.line(), self.warnings);
        let mut open = Open {
            name: "",
            origin,
            model: Model::Inline,
            link: None,
            last_child: "",
        };
        match action {
            LinkAction::Write(href) => {
                self.out.push_str("<a href=\"");
                escape_attribute_into(&mut self.out, &href);
                self.out.push('"');
                write_attributes(&mut self.out, &attributes);
                self.out.push('>');
                open.name = "a";
                // The `a` is closed through `write_end`, which lowers the
                // autolink depth for named `a` elements.
            }
            LinkAction::Pending(target) => {
                let link = self.links.len();
                self.links.push(target);
                self.insertions.push(Insertion {
                    offset: self.out.len(),
                    link,
                    start: Some(attributes),
                });
                open.link = Some(link);
            }
            LinkAction::Drop => {}
        }
        if open.name == "a" || open.link.is_some() {
            self.link_texts.push((self.stack.len(), self.out.len()));
        }
        self.push(open);
    }

    fn start_heading(
        &mut self,
        level: HeadingLevel,
        id: Option<&str>,
        classes: &[CowStr<'_>],
        attrs: &[(CowStr<'_>, Option<CowStr<'_>>)],
    ) {
        self.close_raw_inline();
        let level = level as u8;
        let mut attributes = Vec::new();
        if !classes.is_empty() {
            let class: Vec<&str> = classes.iter().map(|class| class.as_ref()).collect();
            attributes.push(("class".to_string(), class.join(" ")));
        }
        for (key, value) in attrs {
            let value = value.as_deref().unwrap_or("");
            if let AttributeAction::Keep(key, value) = sanitize::attribute_action("h1", key, value)
            {
                attributes.push((key, value));
            }
        }
        let outer = std::mem::take(&mut self.out);
        self.heading = Some(HeadingState {
            level,
            outer,
            explicit_id: id.map(str::to_string),
            attributes,
            text: String::new(),
            first_insertion: self.insertions.len(),
        });
        self.push(Open {
            name: "",
            origin: Origin::Markdown { outer: true },
            model: Model::BlockOfInline,
            link: None,
            last_child: "",
        });
    }

    fn end_heading(&mut self) {
        // Close what the heading's content left open; its own entry writes nothing.
        self.close_markdown();
        let Some(heading) = self.heading.take() else {
            return;
        };
        let content = std::mem::replace(&mut self.out, heading.outer);
        let text = heading
            .text
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");

        let id = match &heading.explicit_id {
            Some(explicit) => self.anchors.add(explicit, Some(explicit), self.chapter),
            None => self.anchors.add_heading(&text, self.chapter),
        };
        let _ = write!(self.out, "<h{} id=\"", heading.level);
        escape_attribute_into(&mut self.out, &id);
        self.out.push('"');
        write_attributes(&mut self.out, &heading.attributes);
        self.out.push('>');

        if let Some(previous) = self.last_heading_level
            && heading.level > previous + 1
        {
            let message = format!(
                "heading level {} follows level {previous}, skipping a level; use level {} here, because screen reader users move through headings by level",
                heading.level,
                previous + 1
            );
            self.warn_accessibility(self.line(), message);
        }
        self.last_heading_level = Some(heading.level);
        self.accessibility.headings += 1;

        let base = self.out.len();
        for insertion in &mut self.insertions[heading.first_insertion..] {
            insertion.offset += base;
        }
        self.out.push_str(&content);
        let _ = writeln!(self.out, "</h{}>", heading.level);

        // A heading inside a quotation, list or table is quoted material,
        // not the chapter's structure, so it stays out of the contents.
        let quoted = self.stack.iter().any(|open| {
            matches!(
                open.name,
                "blockquote" | "li" | "dd" | "td" | "th" | "aside"
            )
        });
        if !quoted {
            self.headings.push(HeadingInfo {
                level: heading.level,
                text,
                id,
            });
        }
    }

    fn image_event(&mut self, event: &Event<'_>) {
        let Some(image) = &mut self.image else { return };
        match event {
            Event::Start(_) => image.depth += 1,
            Event::End(_) if image.depth > 0 => image.depth -= 1,
            Event::End(_) => {
                let image = self.image.take().expect("checked above");
                self.write_image(&image.src, image.href.as_deref(), &image.alt, &image.title);
            }
            Event::Text(text)
            | Event::Code(text)
            | Event::InlineMath(text)
            | Event::DisplayMath(text) => image.alt.push_str(text),
            Event::SoftBreak | Event::HardBreak => image.alt.push(' '),
            _ => {}
        }
    }

    fn write_image(&mut self, src: &str, href: Option<&str>, alt: &str, title: &str) {
        if let Some(heading) = &mut self.heading {
            heading.text.push_str(alt);
        }
        let Some(href) = href else {
            escape_text_into(&mut self.out, alt);
            return;
        };
        self.count_image(src, !alt.trim().is_empty(), true);
        self.out.push_str("<img src=\"");
        escape_attribute_into(&mut self.out, href);
        self.out.push_str("\" alt=\"");
        escape_attribute_into(&mut self.out, alt);
        self.out.push('"');
        if !title.is_empty() {
            self.out.push_str(" title=\"");
            escape_attribute_into(&mut self.out, title);
            self.out.push('"');
        }
        self.out.push_str(" />");
    }

    fn text(&mut self, text: &str) {
        if self.skipping.is_some() {
            return;
        }
        if let Some(heading) = &mut self.heading {
            heading.text.push_str(text);
        }
        if let Some(code_block) = &mut self.code_block {
            code_block.text.push_str(text);
        } else if self.autolinks && self.no_autolink_depth == 0 && !self.inside_link() {
            self.text_with_autolinks(text);
        } else {
            escape_text_into(&mut self.out, text);
        }
    }

    /// Writes the closed code block's text, without the lines rustdoc
    /// hides in Rust blocks, highlighted if its language is known.
    fn write_code_block(&mut self) {
        let Some(CodeBlock { language, text }) = self.code_block.take() else {
            return;
        };
        let text = if language == "rust" {
            crate::mdbook::hide_rust_lines(&text)
        } else {
            text
        };
        self.has_highlighted_code |= crate::highlight::write_code(&mut self.out, &language, &text);
    }

    /// Writes a formula as MathML, or as its TeX in a `code` element, with a
    /// warning, when it cannot be converted.
    #[cfg(feature = "math")]
    fn math(&mut self, tex: &str, display: bool) {
        if self.skipping.is_some() {
            return;
        }
        if let Some(heading) = &mut self.heading {
            heading.text.push_str(tex);
        }
        let reason = match crate::math::to_mathml(tex, display) {
            Ok(mathml) => {
                self.out.push_str(&mathml);
                self.has_mathml = true;
                return;
            }
            Err(reason) => reason,
        };

        let delimiter = if display { "$$" } else { "$" };
        self.out.push_str("<code class=\"math-tex\">");
        escape_text_into(&mut self.out, delimiter);
        escape_text_into(&mut self.out, tex);
        escape_text_into(&mut self.out, delimiter);
        self.out.push_str("</code>");
        let excerpt = shorten(tex.trim(), 60);
        self.warn(format!("formula {delimiter}{excerpt}{delimiter} could not be converted to MathML ({reason}); kept it as TeX code; correct the TeX to get MathML"));
    }

    /// Writes text, turning bare `https://`, `www.` and e-mail addresses
    /// into links the way GFM's autolink extension does.
    fn text_with_autolinks(&mut self, text: &str) {
        let mut rest = text;
        while let Some((start, end, href)) = crate::autolink::find(rest) {
            escape_text_into(&mut self.out, &rest[..start]);
            self.out.push_str("<a href=\"");
            escape_attribute_into(&mut self.out, &href);
            self.out.push_str("\">");
            escape_text_into(&mut self.out, &rest[start..end]);
            self.out.push_str("</a>");
            if !href.starts_with("mailto:")
                && let Some(message) = accessibility::unclear_link_text(&rest[start..end], false)
            {
                self.warn_accessibility(self.line(), message);
            }
            rest = &rest[end..];
        }
        escape_text_into(&mut self.out, rest);
    }

    fn footnote_reference(&mut self, label: &str) {
        if self.skipping.is_some() {
            return;
        }
        let chapter = self.chapter + 1;
        let next_number = self.footnotes.order.len() + 1;
        let entry = self
            .footnotes
            .by_label
            .entry(label.to_string())
            .or_insert_with(|| {
                let note_id =
                    self.anchors
                        .add(&format!("fn-{chapter}-{next_number}"), None, self.chapter);
                let reference_id = self.anchors.add(
                    &format!("fnref-{chapter}-{next_number}"),
                    None,
                    self.chapter,
                );
                self.footnotes.order.push(label.to_string());
                (next_number, note_id, reference_id, 0)
            });
        entry.3 += 1;
        let (number, note_id, first_reference, count) = entry.clone();
        let reference_id = if count == 1 {
            first_reference
        } else {
            self.anchors
                .add(&format!("{first_reference}-{count}"), None, self.chapter)
        };
        let _ = write!(
            self.out,
            "<sup><a epub:type=\"noteref\" role=\"doc-noteref\" id=\"{reference_id}\" href=\"#{note_id}\">{number}</a></sup>"
        );
    }

    fn write_footnotes(&mut self, definitions: &HashMap<String, Events<'_>>) {
        if self.footnotes.order.is_empty() {
            return;
        }
        self.out.push_str(
            "<section class=\"footnotes\" epub:type=\"footnotes\" role=\"doc-endnotes\" aria-label=\"",
        );
        escape_attribute_into(&mut self.out, self.labels.notes);
        self.out.push_str("\">\n");
        // Notes may refer to further notes, which join the end of the list.
        let mut index = 0;
        while index < self.footnotes.order.len() {
            let label = self.footnotes.order[index].clone();
            index += 1;
            let (_, note_id, reference_id, _) = self.footnotes.by_label[&label].clone();
            let _ = writeln!(
                self.out,
                "<aside epub:type=\"footnote\" role=\"doc-footnote\" id=\"{note_id}\">"
            );
            self.push(Open {
                name: "",
                origin: Origin::Markdown { outer: true },
                model: Model::Block,
                link: None,
                last_child: "",
            });
            match definitions.get(&label) {
                Some(events) => {
                    for (event, range) in events {
                        self.event(event, range);
                    }
                }
                None => {
                    let message = format!(
                        "footnote [^{label}] has no definition in this file; wrote an empty note"
                    );
                    self.warnings
                        .push(Warning::new(self.source, self.line(), message));
                }
            }
            self.close_markdown();
            let _ = write!(
                self.out,
                "<p class=\"footnote-back\"><a role=\"doc-backlink\" href=\"#{reference_id}\" aria-label=\""
            );
            escape_attribute_into(&mut self.out, self.labels.back_to_text);
            self.out.push_str("\">\u{21A9}\u{FE0E}</a></p>\n</aside>\n");
        }
        self.out.push_str("</section>\n");
    }

    /// Writes one line of an HTML block, or holds it with the lines before
    /// while it ends inside a tag or comment, so that markup cut between
    /// lines is read whole.
    fn block_html(&mut self, html: &str) {
        match &mut self.pending_html {
            Some((text, _, scan)) => {
                text.push_str(html);
                scan.feed(html);
                if !scan.inside_markup() {
                    self.flush_block_html();
                }
            }
            None => {
                let mut scan = MarkupScan::default();
                scan.feed(html);
                if scan.inside_markup() {
                    let start = self.offset.unwrap_or(0);
                    self.pending_html = Some((html.to_string(), start, scan));
                } else {
                    self.raw_html(html, true);
                }
            }
        }
    }

    /// Writes the lines kept by [`Self::block_html`], with warnings at the
    /// first of them.
    fn flush_block_html(&mut self) {
        if let Some((text, start, _)) = self.pending_html.take() {
            let current = self.offset.replace(start);
            self.raw_html(&text, true);
            self.offset = current;
        }
    }

    fn raw_html(&mut self, html: &str, block: bool) {
        for token in sanitize::tokenize(html) {
            if let Some((name, depth)) = &mut self.skipping {
                match &token {
                    RawToken::Start {
                        name: start,
                        self_closing: false,
                        ..
                    } if start == name => *depth += 1,
                    RawToken::End { name: end } if end == name => {
                        *depth -= 1;
                        if *depth == 0 {
                            self.skipping = None;
                        }
                    }
                    _ => {}
                }
                continue;
            }
            match token {
                RawToken::Start {
                    name,
                    attributes,
                    self_closing,
                } => self.raw_start(name, attributes, self_closing, block),
                RawToken::End { name } => self.raw_end(&name),
                RawToken::Text(text) => {
                    let text_allowed = self
                        .stack
                        .last()
                        .is_none_or(|open| sanitize::allows_text(open.name));
                    if text_allowed || !text.trim().is_empty() {
                        if !text_allowed {
                            self.open_implied_parents("#text");
                        }
                        if let Some(heading) = &mut self.heading {
                            heading.text.push_str(&text);
                        }
                        escape_text_into(&mut self.out, &text);
                    }
                }
            }
        }
    }

    fn raw_start(
        &mut self,
        raw_name: String,
        attributes: Vec<(String, String)>,
        self_closing: bool,
        block: bool,
    ) {
        let inline = self.in_inline_context() || !block && self.stack.is_empty();
        let (mut name, mut model) = match sanitize::element_policy(&raw_name) {
            Policy::Keep(name, model) => (name, model),
            Policy::Unknown if inline => ("span", Model::Inline),
            Policy::Unknown => ("div", Model::Block),
            Policy::Unwrap => return,
            Policy::RemoveWithContent => {
                self.warn(format!("removed raw <{raw_name}> element and its content, which a book cannot use safely"));
                if !self_closing {
                    self.skipping = Some((raw_name, 1));
                }
                return;
            }
            Policy::RemoveVoid => {
                self.warn(format!(
                    "removed raw <{raw_name}> element, which a book cannot use"
                ));
                return;
            }
        };

        // Keep the nesting valid: blocks inside phrasing content become
        // spans, and table or list parts outside their parent become
        // plain containers.
        if inline && model != Model::Inline && model != Model::Void {
            (name, model) = ("span", Model::Inline);
        }
        if name == "hr" && inline {
            return;
        }
        if let Some(parents) = sanitize::required_parents(name) {
            // A real `<li>` or `<td>` ends the one Quire implied before it.
            while let Some(open) = self.stack.last()
                && open.origin == Origin::Raw(String::new())
                && !parents.contains(&open.name)
            {
                let open = self.stack.pop().expect("checked above");
                self.write_end(&open);
            }
        }
        if model != Model::Inline {
            self.open_implied_parents(name);
        }
        if let Some(parents) = sanitize::required_parents(name) {
            let parent = self.stack.last().map(|open| open.name).unwrap_or("");
            if !parents.contains(&parent) {
                (name, model) = if inline {
                    ("span", Model::Inline)
                } else {
                    ("div", Model::Block)
                };
            }
        }
        if name == "a" && self.inside_link() {
            name = "span";
        }
        if name == "th"
            && let Some(table) = self.tables.last_mut()
        {
            table.0 = true;
        }

        let mut kept = Vec::new();
        let mut href = None;
        let mut src = None;
        let mut removed_unsafe = Vec::new();
        for (key, value) in attributes {
            match sanitize::attribute_action(name, &key, &value) {
                AttributeAction::Keep(key, value) => kept.push((key, value)),
                AttributeAction::Id(id) if !kept.iter().any(|(key, _)| key == "id") => {
                    let id = self.anchors.add(&id, Some(&id), self.chapter);
                    kept.push(("id".to_string(), id));
                }
                AttributeAction::Id(_) | AttributeAction::Remove => {}
                AttributeAction::Href(url) => href = Some(url),
                AttributeAction::Src(url) => src = Some(url),
                AttributeAction::RemoveUnsafe => removed_unsafe.push(key),
            }
        }
        if !removed_unsafe.is_empty() {
            self.warn(format!(
                "removed attribute(s) {} from raw <{raw_name}>, which could run script or load remote content",
                removed_unsafe.join(", ")
            ));
        }

        if name == "img" {
            let given_alt = kept
                .iter()
                .find(|(key, _)| key == "alt")
                .map(|(_, alt)| alt.clone());
            // An empty `alt` marks the image as decoration, which needs
            // no description.
            let described = given_alt.is_some();
            let alt = given_alt.unwrap_or_default();
            let title = kept
                .iter()
                .find(|(key, _)| key == "title")
                .map(|(_, title)| title.clone())
                .unwrap_or_default();
            let resolved = match &src {
                Some(src) => self.image_href(src),
                None => {
                    self.warn("raw <img> has no src; kept its alt text".to_string());
                    None
                }
            };
            match resolved {
                Some(resolved) => {
                    self.count_image(src.as_deref().unwrap_or(""), described, false);
                    self.out.push_str("<img src=\"");
                    escape_attribute_into(&mut self.out, &resolved);
                    self.out.push_str("\" alt=\"");
                    escape_attribute_into(&mut self.out, &alt);
                    self.out.push('"');
                    let rest: Vec<(String, String)> = kept
                        .into_iter()
                        .filter(|(key, _)| key != "alt" && key != "title")
                        .collect();
                    write_attributes(&mut self.out, &rest);
                    if !title.is_empty() {
                        write_attributes(&mut self.out, &[("title".to_string(), title)]);
                    }
                    self.out.push_str(" />");
                }
                None => self.write_image("", None, &alt, ""),
            }
            return;
        }

        if model == Model::Void {
            let _ = write!(self.out, "<{name}");
            write_attributes(&mut self.out, &kept);
            self.out.push_str(" />");
            return;
        }

        let origin = Origin::Raw(raw_name);
        if let (true, Some(url)) = (name == "a", href) {
            self.start_link_with(&url, kept, origin);
        } else {
            let _ = write!(self.out, "<{name}");
            write_attributes(&mut self.out, &kept);
            self.out.push('>');
            if name == "code" {
                self.no_autolink_depth += 1;
            }
            if name == "table" {
                self.tables.push((false, self.line()));
            }
            self.push(Open {
                name,
                origin,
                model,
                link: None,
                last_child: "",
            });
        }
        if self_closing {
            let open = self.stack.pop().expect("pushed above");
            self.write_end(&open);
        }
    }

    fn raw_end(&mut self, raw_name: &str) {
        // Only elements opened by raw HTML since the innermost Markdown
        // element can be closed by raw HTML.
        let mut found = None;
        for (index, open) in self.stack.iter().enumerate().rev() {
            match &open.origin {
                Origin::Markdown { .. } => break,
                Origin::Raw(name) if name == raw_name => {
                    found = Some(index);
                    break;
                }
                Origin::Raw(_) => {}
            }
        }
        let Some(index) = found else { return };
        while self.stack.len() > index {
            let open = self.stack.pop().expect("stack is longer than index");
            self.write_end(&open);
        }
    }

    fn warn(&mut self, message: String) {
        self.warnings
            .push(Warning::new(self.source, self.line(), message));
    }

    /// Raises a warning about the chapter's accessibility, which also
    /// withdraws the book's conformance claim.
    fn warn_accessibility(&mut self, line: Option<usize>, message: String) {
        self.accessibility.problems += 1;
        self.warnings.push(Warning::new(self.source, line, message));
    }

    /// Counts an image written into the chapter, with a warning when it
    /// has no alt text. `markdown` selects the advice for Markdown's
    /// `![alt](src)` rather than a raw `<img>`.
    fn count_image(&mut self, src: &str, described: bool, markdown: bool) {
        self.accessibility.images += 1;
        if described {
            return;
        }
        self.accessibility.images_without_alt += 1;
        let advice = if markdown {
            "describe it between the brackets of ![...]"
        } else {
            "give the <img> an alt attribute that describes it"
        };
        let message = format!(
            "image \"{src}\" has no alt text; {advice}, or write it as <img src=\"...\" alt=\"\"> if it is only decoration"
        );
        self.warn_accessibility(self.line(), message);
    }

    /// Warns when the text of the link whose content starts at `start`
    /// in `out` does not tell where it goes.
    fn check_link_text(&mut self, start: usize) {
        let content = self.out.get(start..).unwrap_or("");
        let (text, has_image_name) = accessibility::text_of_markup(content);
        if let Some(message) = accessibility::unclear_link_text(&text, has_image_name) {
            self.warn_accessibility(self.line(), message);
        }
    }
}

/// Returns at most `max_chars` characters of `text`, with an ellipsis
/// when it is cut.
#[cfg(feature = "math")]
fn shorten(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((index, _)) => format!("{}\u{2026}", &text[..index]),
        None => text.to_string(),
    }
}

fn write_attributes(out: &mut String, attributes: &[(String, String)]) {
    for (key, value) in attributes {
        out.push(' ');
        out.push_str(key);
        out.push_str("=\"");
        escape_attribute_into(out, value);
        out.push('"');
    }
}

#[cfg(test)]
mod tests {
    use crate::render_fragment;

    #[test]
    fn tag_cut_between_lines_is_read_whole() {
        let body = render_fragment("<p>See <img src=\"a.png\"\n  alt=\"a chart\"></p>\n", false);
        assert!(
            body.contains("<img src=\"a.png\" alt=\"a chart\" />"),
            "{body}"
        );
        assert!(!body.contains("&gt;"), "{body}");

        let body = render_fragment(
            "<div>\n<a href=\"#x\"\n  title=\"t\">link</a>\n</div>\n",
            false,
        );
        assert!(
            body.contains("<a href=\"#x\" title=\"t\">link</a>"),
            "{body}"
        );
    }

    #[test]
    fn comment_over_lines_leaves_no_text() {
        let body = render_fragment("<!--\nA note to the editor.\n-->\n\nText.\n", false);
        assert!(!body.contains("note"), "{body}");
        assert!(!body.contains("&gt;"), "{body}");
        assert!(body.contains("<p>Text.</p>"), "{body}");
    }

    #[test]
    fn unclosed_tag_at_block_end_is_written() {
        // The block ends inside the tag: what it has is read as it is,
        // and the next block is not swallowed.
        let body = render_fragment("<div title=\"a\n\n# Heading\n", false);
        assert!(body.contains("<h1"), "{body}");
        assert!(body.contains("Heading"), "{body}");
    }
}
