//! The conversion from a book's files to EPUB bytes, stage by stage: read
//! the chapters, gather metadata, write each chapter, resolve links between
//! chapters, then package and zip.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use pulldown_cmark::{Event, Tag, TagEnd};

use crate::accessibility::{self, BookFacts, ChapterFacts};
use crate::bidi::set_block_directions;
use crate::book::{
    Book, FileIndex, OrderSource, ReadFile, chapter_order, file_stem, resolve_relative,
};
use crate::check::Finding;
use crate::cover;
use crate::epub::{Entries, PackAhead, with_pack_ahead, write_zip_inspecting};
use crate::error::{Error, Warning, Warnings};
use crate::images::{ImageStore, ImageType, ascii_name, sniff};
use crate::links::{Anchors, UrlKind, classify_url, encode_url, slugify};
use crate::locale;
use crate::markdown::{Events, LineIndex, ParsedFile, parse};
use crate::mdbook;
use crate::metadata::{
    self, Metadata, format_timestamp, guess_language, is_valid_date, is_valid_language_tag,
};
use crate::package::{self, ChapterDocument, Package, TocEntry};
use crate::split::{MAX_DOCUMENT_BYTES, SplitReport, split_chapters};
use crate::styles::{self, Style};
use crate::target::{self, Target};
use crate::text::{decode, remove_forbidden_chars};
use crate::xhtml::{LinkAction, LinkTarget, RenderedChapter, Resolver, Writer};

#[cfg(not(target_arch = "wasm32"))]
mod threads;

/// Settings for making a book, beyond what its files contain.
#[derive(Debug, Clone)]
pub struct Options {
    /// Metadata that overrides the files' own (the command line's flags or
    /// the page's form).
    pub metadata: Metadata,
    /// A YAML metadata file among the book's files, applied over the first
    /// chapter's metadata block and under `metadata`.
    pub metadata_file: Option<String>,
    /// The deepest heading level listed in the table of contents (1 to 6).
    pub toc_depth: u8,
    /// Whether straight quotes, `--` and `...` become typographic ones.
    pub smart: bool,
    /// Seconds since the Unix epoch for `dcterms:modified`, as the
    /// `SOURCE_DATE_EPOCH` convention gives it. When `None`, the newest
    /// modification time among the files is used.
    pub source_date_epoch: Option<i64>,
    /// The most Markdown, in bytes over all chapters, the book may have.
    /// The page sets this so a book too large for the browser's memory
    /// gets a clear error instead of running out of memory.
    pub max_text_bytes: Option<usize>,
    /// The built-in style added to the default stylesheet.
    pub style: Style,
    /// Whether a Chinese, Japanese or Korean book is set in vertical lines.
    pub vertical: bool,
    /// Whether a book with no cover image gets a typographic one.
    pub auto_cover: bool,
    /// The store or reading systems the book is made for, whose rules
    /// [`crate::target`] applies; `None` for none in particular.
    pub target: Option<Target>,
    /// The image size, in pixels, above which the apple target warns.
    pub max_image_pixels: u64,
    /// Whether [`Output::chapters`] keeps each chapter's body for a
    /// preview. The command line shows none and turns this off, so the
    /// bodies are freed before the zip is written.
    pub keep_previews: bool,
    /// The name warnings give the place where `metadata`'s language was
    /// set: `--lang` on the command line, the Language field on the page.
    pub lang_option_name: &'static str,
}

/// The largest image Quire puts in a book. Reading systems struggle far
/// below this; it guards against a file that is not meant to be there.
pub const MAX_IMAGE_BYTES: usize = 50 * 1024 * 1024;

impl Default for Options {
    fn default() -> Self {
        Options {
            metadata: Metadata::default(),
            metadata_file: None,
            toc_depth: 3,
            smart: true,
            source_date_epoch: None,
            max_text_bytes: None,
            style: Style::Plain,
            vertical: false,
            auto_cover: false,
            target: None,
            max_image_pixels: target::DEFAULT_MAX_IMAGE_PIXELS,
            keep_previews: true,
            lang_option_name: "--lang",
        }
    }
}

/// A finished book.
#[derive(Debug, Clone)]
pub struct Output {
    /// The EPUB file's bytes.
    pub epub: Vec<u8>,
    /// Problems worked around, in the order they were found.
    pub warnings: Vec<Warning>,
    /// Paths the book refers to that are not among its files. A caller with
    /// a file system can add them and convert again.
    pub missing_files: Vec<String>,
    /// The book's title, for naming the file.
    pub title: String,
    /// The chapters as written into the book, for previews.
    pub chapters: Vec<ChapterPreview>,
    /// Each stylesheet's path in the EPUB and its text, in the order the
    /// chapters link them.
    pub stylesheets: Vec<(String, String)>,
    /// Each image's path in the EPUB and the input file it came from,
    /// empty for an image Quire made.
    pub images: Vec<(String, String)>,
    /// The book's language tag.
    pub lang: String,
    /// Whether the book is set in vertical lines.
    pub vertical: bool,
    /// The EPUB checker's findings on the finished book, empty without the
    /// `checker` feature. Each is a bug in Quire, since every book it makes
    /// should pass.
    pub findings: Vec<Finding>,
    /// Whether a build with the default features may make a different
    /// book: the book may have formulas or code that this build, without
    /// the `math` or `highlight` feature, left as text. The page then
    /// converts again with its WebAssembly module that has them.
    pub needs_full_engine: bool,
}

/// A chapter as written into the book.
#[derive(Debug, Clone)]
pub struct ChapterPreview {
    pub title: String,
    /// Its path in the EPUB relative to the package document, such as
    /// `text/intro.xhtml`; its links and images are relative to that.
    pub href: String,
    /// The XHTML body content.
    pub body: String,
}

/// One chapter to write: which source file, and which part of it.
struct ChapterPlan {
    source: usize,
    part: usize,
    /// File name under `text/`, without the extension.
    name: String,
}

/// Converts a book to EPUB 3.
pub fn convert(book: &Book, options: &Options) -> Result<Output, Error> {
    convert_with_deferred(book, None, options)
}

/// Converts a book to EPUB 3 when it contains only some of its files:
/// `read_file` reads any other the first time the book uses it. The files
/// that name the chapters (`book.toml` and `SUMMARY.md`, or a folder's
/// Markdown files when it has no `SUMMARY.md`) can be read either way, but
/// without a `SUMMARY.md` only the book's own Markdown files are chapters.
pub fn convert_with_deferred(
    book: &Book,
    read_file: Option<ReadFile<'_>>,
    options: &Options,
) -> Result<Output, Error> {
    let mut warnings = Warnings::default();
    let files = FileIndex::with_source(book, read_file);
    let (sources, order_source) = chapter_order(book, &files);
    if sources.is_empty() {
        return Err(no_chapters(&files));
    }
    check_text_size(&files, &sources, options.max_text_bytes)?;
    let (texts, lines) = read_texts(&files, &sources, &order_source, &mut warnings)?;
    let chapters = ChapterTexts {
        sources,
        order_source,
        texts,
        lines,
    };
    convert_texts(&files, chapters, options, warnings)
}

/// Converts a book to EPUB 3 as [`convert_with_deferred`] does, taking the
/// book so that each chapter's Markdown is freed once it is written. The
/// command line and the page's worker, which have no further use for the
/// book, convert this way and need less memory for a large book.
pub fn convert_owned(
    mut book: Book,
    read_file: Option<ReadFile<'_>>,
    options: &Options,
) -> Result<Output, Error> {
    let mut warnings = Warnings::default();

    // Where each path is among the book's files; a later file wins, as in
    // `FileIndex`.
    let positions: HashMap<String, usize> = book
        .files
        .iter()
        .enumerate()
        .map(|(position, file)| (crate::book::normalize_path(&file.path), position))
        .collect();

    // The texts are made with every file in place, for includes. A text
    // that is its file's bytes unchanged is taken from the book, or from
    // the files read, afterwards instead of being copied (`None` here), and
    // any other is kept as made.
    let (sources, order_source, made_texts, lines, mut read) = {
        let files = FileIndex::with_source(&book, read_file);
        let (sources, order_source) = chapter_order(&book, &files);
        if sources.is_empty() {
            return Err(no_chapters(&files));
        }
        check_text_size(&files, &sources, options.max_text_bytes)?;
        let tried_before_texts = files.tried_count();
        let (texts, lines) = read_texts(&files, &sources, &order_source, &mut warnings)?;
        let mut paths_to_take = HashSet::new();
        let made_texts: Vec<Option<String>> = texts
            .into_iter()
            .zip(&sources)
            .map(|(text, path)| match text {
                Cow::Borrowed(_) if paths_to_take.insert(path) => None,
                text => Some(text.into_owned()),
            })
            .collect();
        let mut read = files.into_read();
        // The files first read for the texts are the included ones, which
        // the expanded texts now hold: they are freed here, and read again
        // should a later step ask for one. The newest time stays counted.
        let chapter_paths: HashSet<&String> = sources.iter().collect();
        let mut position = 0;
        read.files.retain(|(path, _)| {
            position += 1;
            position <= tried_before_texts || chapter_paths.contains(path)
        });
        (sources, order_source, made_texts, lines, read)
    };
    let read_positions: HashMap<String, usize> = read
        .files
        .iter()
        .enumerate()
        .map(|(position, (path, _))| (path.clone(), position))
        .collect();

    let mut texts: Vec<Cow<'static, str>> = Vec::with_capacity(sources.len());
    for (path, made_text) in sources.iter().zip(made_texts) {
        // A chapter file's bytes are taken, or left behind by the text
        // made from them: the book's own if it has the path, as the index
        // looks there first.
        let bytes = match positions.get(path) {
            Some(&position) => std::mem::take(&mut book.files[position].bytes),
            None => read.files[read_positions[path]]
                .1
                .as_mut()
                .map(|file| std::mem::take(&mut file.bytes))
                .unwrap_or_default(),
        };
        let text = match made_text {
            Some(text) => text,
            None => {
                let mut text = String::from_utf8(bytes).map_err(|error| Error::NotUtf8 {
                    path: path.clone(),
                    offset: error.utf8_error().valid_up_to(),
                })?;
                // `decode` left out a byte order mark by borrowing past it.
                if text.starts_with('\u{FEFF}') {
                    text.drain(..'\u{FEFF}'.len_utf8());
                }
                text
            }
        };
        texts.push(Cow::Owned(text));
    }

    let files = FileIndex::with_source(&book, read_file).with_read(read);
    let chapters = ChapterTexts {
        sources,
        order_source,
        texts,
        lines,
    };
    convert_texts(&files, chapters, options, warnings)
}

/// The chapter files of a book, in reading order, as text ready to parse.
struct ChapterTexts<'t> {
    /// Normalised paths of the chapter files.
    sources: Vec<String>,
    order_source: OrderSource,
    /// Each file's text after decoding, cleaning and includes.
    texts: Vec<Cow<'t, str>>,
    /// Each text's source lines.
    lines: Vec<LineIndex>,
}

/// Returns the error for a book without chapters, naming its `SUMMARY.md`
/// when it has one, since the user then gave Markdown.
fn no_chapters(files: &FileIndex<'_>) -> Error {
    match crate::book::summary_without_chapters(files) {
        Some(summary) => Error::SummaryWithoutChapters { summary },
        None => Error::NoChapters,
    }
}

/// Returns the error for a chapter in the order that is not among the
/// files, naming the `SUMMARY.md` that links to it, if any.
fn chapter_not_found(path: &str, order_source: &OrderSource) -> Error {
    let listed_in = match order_source {
        OrderSource::Summary(summary) => Some(summary.clone()),
        OrderSource::Given | OrderSource::Natural => None,
    };
    Error::ChapterNotFound {
        path: path.to_string(),
        listed_in,
    }
}

/// Reads each chapter file as text: decoded, cleaned of characters XML
/// forbids, and with its includes expanded. A text borrows its file's
/// bytes unless one of those steps changes it.
fn read_texts<'f>(
    files: &'f FileIndex<'_>,
    sources: &[String],
    order_source: &OrderSource,
    warnings: &mut Warnings,
) -> Result<(Vec<Cow<'f, str>>, Vec<LineIndex>), Error> {
    let mut texts = Vec::with_capacity(sources.len());
    let mut lines = Vec::with_capacity(sources.len());
    // The files the chapters include are read ahead together, on several
    // threads natively, which saves most of the time their reads take.
    let mut included = Vec::new();
    for path in sources {
        // A chapter that is not UTF-8 is read later, or fails, as it is.
        if let Some(file) = files.get(path)
            && let Ok(text) = std::str::from_utf8(&file.bytes)
            && mdbook::find_directive(text).is_some()
        {
            included.extend(mdbook::include_paths(path, text));
        }
    }
    files.read_ahead(&included);
    // Each chapter's text is made on its own, on several threads natively
    // (expanding includes and indexing lines is most of the work), and its
    // warnings are added in chapter order, as one thread would add them.
    let total: usize = sources
        .iter()
        .filter_map(|path| files.get(path))
        .map(|file| file.bytes.len())
        .sum();
    let results = crate::parallel::map_in_order(
        sources,
        total >= crate::parallel::PARALLEL_MIN_BYTES,
        || (),
        |(), path| read_text(files, path, order_source),
    );
    for result in results {
        let (text, line_index, text_warnings) = result?;
        texts.push(text);
        lines.push(line_index);
        warnings.append(text_warnings);
    }
    Ok((texts, lines))
}

/// Makes the text of chapter file `path`: decoded, includes expanded, and
/// characters XML forbids removed, with its line index and warnings.
fn read_text<'f>(
    files: &'f FileIndex<'_>,
    path: &str,
    order_source: &OrderSource,
) -> Result<(Cow<'f, str>, LineIndex, Warnings), Error> {
    let mut warnings = Warnings::default();
    let file = files
        .get(path)
        .ok_or_else(|| chapter_not_found(path, order_source))?;
    reject_binary(path, &file.bytes)?;
    let text = decode(path, &file.bytes, &mut warnings)?;
    let text = remove_forbidden_chars(path, text, &mut warnings);
    if mdbook::find_directive(&text).is_none() {
        let line_index = LineIndex::new(&text);
        return Ok((text, line_index, warnings));
    }
    let expanded = mdbook::expand_includes(path, &text, files, &mut warnings);
    // Included files may carry characters XML forbids too.
    let text = remove_forbidden_chars(path, expanded.text.into(), &mut warnings);
    let line_index = LineIndex::with_source_lines(&text, expanded.source_lines);
    Ok((text, line_index, warnings))
}

/// Converts the chapter texts of `book`, whose files `files` indexes.
fn convert_texts(
    files: &FileIndex<'_>,
    chapters: ChapterTexts<'_>,
    options: &Options,
    warnings: Warnings,
) -> Result<Output, Error> {
    with_pack_ahead(|pack_ahead| write_book(files, chapters, options, warnings, pack_ahead))
}

/// Writes the book of [`convert_texts`], compressing its images with
/// `pack_ahead` while its chapters are written.
fn write_book<'f>(
    files: &'f FileIndex<'_>,
    chapters: ChapterTexts<'_>,
    options: &Options,
    mut warnings: Warnings,
    pack_ahead: &mut PackAhead<'_, 'f>,
) -> Result<Output, Error> {
    let ChapterTexts {
        sources,
        order_source,
        mut texts,
        lines,
    } = chapters;
    // A single file is split into chapters at its level-1 headings. Each
    // file is parsed, written and its events dropped before the next, so
    // only one file's events are in memory at a time.
    let split = sources.len() == 1;
    let mut anchors: Vec<Anchors> = sources.iter().map(|_| Anchors::default()).collect();
    let mut resolver = BookResolver {
        files,
        images: ImageStore::default(),
        chapter_sources: sources.iter().map(String::as_str).collect(),
    };
    let mut plans: Vec<ChapterPlan> = Vec::new();
    let mut used_names = HashSet::new();
    let mut rendered: Vec<RenderedChapter> = Vec::new();
    // Set from the first file's metadata block, before any chapter is
    // written, because the chapters' labels depend on the language.
    let mut book_settings: Option<(Metadata, String)> = None;
    let mut needs_full_engine = false;
    // The chapters' share of the identifier, hashed as each text is freed.
    let mut text_hash = None;
    let mut images_sent = 0;
    for source in 0..texts.len() {
        #[cfg(not(target_arch = "wasm32"))]
        if source == 1 && threads::worth_threads(&texts) {
            let (_, lang) = book_settings.as_ref().expect("set by the first file");
            let shared = threads::Shared {
                files,
                sources: &sources,
                lines: &lines,
                chapter_sources: resolver.chapter_sources.clone(),
                smart: options.smart,
                labels: locale::labels(lang),
            };
            let mut book = threads::BookSoFar {
                resolver: &mut resolver,
                warnings: &mut warnings,
                plans: &mut plans,
                used_names: &mut used_names,
                rendered: &mut rendered,
                anchors: &mut anchors,
                needs_full_engine: &mut needs_full_engine,
                text_hash: &mut text_hash,
            };
            threads::write_files(&shared, texts.split_off(1), &mut book, pack_ahead);
            break;
        }
        let file = parse(&texts[source], split, options.smart);
        needs_full_engine |= file.needs_math || file.needs_highlight;
        if source == 0 {
            let settings = read_book_settings(
                files,
                options,
                &sources[0],
                &texts,
                file.metadata.as_ref(),
                &mut warnings,
            )?;
            if settings.0.identifier.is_none() {
                text_hash = Some(ContentHash::new());
            }
            if order_source == OrderSource::Natural
                && let Some(summary) = crate::book::summary_without_chapters(files)
            {
                warnings.push(Warning::new(
                    &summary,
                    None,
                    "this summary links to no chapter file, so every Markdown file is a chapter, in the order of their names; list the chapters as - [Title](file.md) to set the order",
                ));
            }
            if let OrderSource::Summary(summary) = &order_source
                && let Some(summary_file) = files.get(summary)
            {
                let text = String::from_utf8_lossy(&summary_file.bytes);
                crate::mdbook::warn_skipped_summary_links(summary, &text, &mut warnings);
            }
            book_settings = Some(settings);
        } else if let Some((_, line)) = &file.metadata {
            warn_ignored_metadata(&sources[source], *line, &mut warnings);
        }
        let (_, lang) = book_settings.as_ref().expect("set by the first file");
        let labels = locale::labels(lang);

        let first_chapter = plans.len();
        plan_chapters(&sources[source], source, &file, &mut used_names, &mut plans);
        for (index, plan) in plans.iter().enumerate().skip(first_chapter) {
            let writer = Writer::new(
                &sources[source],
                index,
                &lines[source],
                &mut anchors[source],
                &mut resolver,
                &mut warnings,
            )
            .with_labels(labels);
            rendered.push(writer.write(&file.chapters[plan.part], &file.footnotes));
        }
        let used = rendered[first_chapter..]
            .iter()
            .flat_map(|chapter| chapter.footnote_labels.iter().map(String::as_str))
            .collect();
        warn_unused_footnotes(
            &sources[source],
            &file,
            &lines[source],
            &used,
            &mut warnings,
        );
        drop(file);
        // The images these chapters showed first are compressed on another
        // thread while the next chapters are written.
        for image in &resolver.images.images[images_sent..] {
            if image.generated.is_none()
                && let Some(image_file) = files.get(&image.source)
            {
                let name = format!("{}/{}", package::ROOT, image.href);
                pack_ahead.add(name, &image_file.bytes);
            }
        }
        images_sent = resolver.images.images.len();
        if let Some(hash) = &mut text_hash {
            hash.part(texts[source].as_bytes());
        }
        // Frees the text when it is owned.
        texts[source] = Cow::Borrowed("");
    }
    // The line indexes serve only while chapters are written.
    drop(lines);
    let (mut metadata, lang) = book_settings.expect("a book has at least one file");
    let direction = locale::direction(&lang);

    let chapter_sources: HashMap<&str, Vec<usize>> =
        plans
            .iter()
            .enumerate()
            .fold(HashMap::new(), |mut map, (index, plan)| {
                map.entry(sources[plan.source].as_str())
                    .or_insert_with(Vec::new)
                    .push(index);
                map
            });
    let source_index: HashMap<&str, usize> = sources
        .iter()
        .enumerate()
        .map(|(index, path)| (path.as_str(), index))
        .collect();
    let mut chapters = Vec::with_capacity(plans.len());
    for (index, (plan, chapter)) in plans.iter().zip(&mut rendered).enumerate() {
        let body = chapter.resolve(|target| {
            let href = resolve_link(target, index, &plans, &chapter_sources, &source_index, &anchors);
            if href.is_none() {
                let fragment = target.fragment.as_deref().unwrap_or("");
                warnings.push(Warning::new(
                    &sources[plan.source],
                    target.line,
                    format!(
                        "link to \"{}\": no heading or anchor \"{fragment}\" in {}; kept the link text",
                        target.written, target.source
                    ),
                ));
            }
            href
        });
        // Only the resolved body is needed from here on.
        chapter.body = String::new();
        // An empty file, or one with only a metadata block, writes nothing.
        if body.trim().is_empty() {
            warnings.push(Warning::new(
                &sources[plan.source],
                None,
                "the chapter has no text, so it is a blank page; write its text, or leave the file out of the book",
            ));
        }
        // The preview shows this body, so it takes the block directions
        // here, where `xhtml_document` would otherwise add them.
        let body = match set_block_directions(&body, direction) {
            Cow::Owned(with_directions) => with_directions,
            Cow::Borrowed(_) => body,
        };
        let title = chapter
            .headings
            .first()
            .map(|heading| heading.text.clone())
            .filter(|text| !text.trim().is_empty())
            .unwrap_or_else(|| file_stem(&sources[plan.source]).to_string());
        chapters.push(ChapterDocument {
            href: format!("text/{}.xhtml", plan.name),
            id: format!("c-{}", plan.name),
            title,
            body,
            headings: chapter.headings.clone(),
            mathml: chapter.has_mathml,
        });
    }

    let title = metadata
        .title
        .clone()
        .or_else(|| {
            chapters
                .iter()
                .find_map(|chapter| chapter.headings.first().map(|heading| heading.text.clone()))
        })
        .filter(|title| !title.trim().is_empty())
        .unwrap_or_else(|| file_stem(&sources[0]).to_string());
    check_metadata_values(&mut metadata, &sources[0], &mut warnings);
    let vertical = options.vertical
        && locale::check_vertical(
            &lang,
            metadata.page_progression_direction.as_deref(),
            &sources[0],
            &mut warnings,
        );

    let mut images = resolver.images;
    let cover_id = match &metadata.cover_image {
        Some(path) => Some(store_cover(files, &mut images, path, &mut warnings)?),
        None if options.auto_cover => {
            let authors = metadata.authors.as_deref().unwrap_or_default();
            let svg = cover::typographic_cover(&title, authors, &lang);
            Some(images.store_generated("cover", ImageType::Svg, svg.into_bytes()))
        }
        None => None,
    };
    if let Some(cover_id) = &cover_id {
        warn_second_cover(
            &images,
            cover_id,
            &rendered,
            &plans,
            &sources,
            &mut warnings,
        );
    }
    let default_css = styles::default_stylesheet(
        options.style,
        direction,
        vertical,
        rendered.iter().any(|chapter| chapter.has_highlighted_code),
        rendered.iter().any(|chapter| chapter.has_mathml),
    );
    let default_css = target::adjust_stylesheet(options.target, default_css, direction);
    let (stylesheets, resources, css_files) =
        styles::collect(files, &metadata, default_css, &mut images, &mut warnings)?;

    let identifier = match (&metadata.identifier, text_hash) {
        (Some(identifier), _) => identifier.clone(),
        (None, text_hash) => {
            // The book's content: the chapters after includes (hashed already),
            // the images and stylesheets it uses, and the metadata and options.
            let mut hash = text_hash.unwrap_or_default();
            let mut parts: Vec<&[u8]> = Vec::new();
            parts.extend(
                images
                    .images
                    .iter()
                    .filter_map(|image| files.get(&image.source))
                    .map(|file| file.bytes.as_slice()),
            );
            parts.extend(stylesheets.iter().map(|sheet| sheet.content.as_bytes()));
            parts.extend(css_files.iter().map(|(_, bytes)| bytes.as_slice()));
            // `Metadata`'s `Debug` leaves out keys added later when they are
            // not set, so books made before them keep their identifier.
            let mut settings = format!("{metadata:?}{}{}", options.toc_depth, options.smart);
            // Later options count only when set, so that a book made without
            // them keeps the identifier earlier versions gave it.
            if options.style != Style::Plain || vertical || options.auto_cover {
                settings += &format!("{}{vertical}{}", options.style.name(), options.auto_cover);
            }
            parts.push(settings.as_bytes());
            for part in parts {
                hash.part(part);
            }
            hash.uuid()
        }
    };
    // The newest of the files the book was made from; an unused file in
    // the same folder does not count.
    let modified_seconds = options
        .source_date_epoch
        .or_else(|| files.newest_modified())
        .unwrap_or(0);
    let modified = format_timestamp(modified_seconds);
    let accessibility = accessibility::derive_metadata(
        &book_facts(&rendered, &images, cover_id.is_some(), &metadata),
        &metadata.accessibility,
    );

    for sheet in stylesheets.iter().skip(1) {
        target::check_stylesheet(options.target, &sheet.href, &sheet.content, &mut warnings);
    }
    let mut toc = build_toc(
        files,
        &order_source,
        &sources,
        &plans,
        &chapters,
        options.toc_depth,
    );
    let chapter_styles = chapter_stylesheets(&stylesheets);
    // Kobo's spans add markup to every sentence after the split (about half
    // again on prose), so KEPUB parts are cut at half the size.
    let split_limit = if options.target == Some(Target::Kobo) {
        MAX_DOCUMENT_BYTES / 2
    } else {
        MAX_DOCUMENT_BYTES
    };
    let split = split_chapters(
        chapters,
        &mut toc,
        split_limit,
        |chapter| chapter_xhtml(&chapter.title, "", &lang, &chapter_styles).len(),
        &mut used_names,
    );
    for report in &split.reports {
        warn_oversized_blocks(
            report,
            &sources[plans[report.chapter].source],
            &mut warnings,
        );
    }
    // The documents over the limit, by their path in the zip, whose size
    // the warnings above already explain.
    let oversized_documents: HashSet<String> = split
        .reports
        .iter()
        .filter(|report| !report.oversized_blocks.is_empty())
        .flat_map(|report| split.parts_of[report.chapter].clone())
        .map(|part| format!("{}/{}", package::ROOT, split.chapters[part].href))
        .collect();
    let mut chapters = split.chapters;
    let split_parts = split.parts_of;
    // After the split, which can add entries for parts without a heading.
    target::limit_toc(options.target, &mut toc);
    // Without previews, each body is freed once its document is written.
    let bodies: Vec<Cow<'_, str>> = if options.keep_previews {
        chapters
            .iter()
            .map(|chapter| Cow::Borrowed(chapter.body.as_str()))
            .collect()
    } else {
        chapters
            .iter_mut()
            .map(|chapter| Cow::Owned(std::mem::take(&mut chapter.body)))
            .collect()
    };

    let package = Package {
        metadata: &metadata,
        title: &title,
        identifier: &identifier,
        lang: &lang,
        modified: &modified,
        chapters: &chapters,
        images: &images.images,
        cover_id: cover_id.as_deref(),
        stylesheets: &stylesheets,
        resources: &resources,
        toc_depth: options.toc_depth,
        toc,
        vertical,
        accessibility: &accessibility,
    };
    let mut entries = package_entries(&package, bodies, files, &images, &css_files)?;
    let facts = target::BookFacts {
        first_source: &sources[0],
        lang: &lang,
        images: &images.images,
        cover_id: cover_id.as_deref(),
        has_fonts: resources
            .iter()
            .any(|resource| resource.media_type.starts_with("font/")),
        version: metadata.version.as_deref(),
        max_image_pixels: options.max_image_pixels,
        // Only the targets' warnings use them.
        documents: if options.target.is_some() {
            chapter_sources_by_entry(&split_parts, &plans, &sources, &rendered, &chapters)
        } else {
            HashMap::new()
        },
    };
    target::finish(options.target, &mut entries, &facts, &mut warnings);
    // Each content document is scanned for the checker as it is
    // compressed, and freed once in the archive. Without the checker, as in
    // the page's first module, the caller checks the book itself (the
    // page's worker does, with its second module).
    #[cfg(feature = "checker")]
    let written = write_zip_inspecting(entries, pack_ahead.finish(), crate::check::scan_entry)?;
    #[cfg(not(feature = "checker"))]
    let written = write_zip_inspecting(entries, pack_ahead.finish(), |_, _| None::<()>)?;
    let epub = written.epub;
    target::check_epub_size(options.target, epub.len(), &sources[0], &mut warnings);
    #[cfg(feature = "checker")]
    let findings = {
        let mut findings =
            crate::check::check_epub_scanned(&epub, written.not_inspected, written.inspected);
        findings.retain(|finding| {
            finding.code != "QUIRE-RSC-001" || !oversized_documents.contains(&finding.file)
        });
        findings
    };
    #[cfg(not(feature = "checker"))]
    let findings = {
        let _ = oversized_documents;
        Vec::new()
    };

    // The preview names each document as the table of contents does, which
    // takes a SUMMARY.md's titles over the chapters' own headings.
    let mut toc_labels = HashMap::new();
    collect_toc_labels(&package.toc, &mut toc_labels);
    for chapter in &mut chapters {
        if let Some(label) = toc_labels.get(chapter.href.as_str()) {
            chapter.title = label.to_string();
        }
    }

    let mut missing_files = images.missing.clone();
    missing_files.dedup();
    Ok(Output {
        epub,
        findings,
        warnings: sort_warnings(warnings.into_vec(), &sources),
        missing_files,
        title,
        chapters: chapters
            .into_iter()
            .map(|chapter| ChapterPreview {
                title: chapter.title,
                href: chapter.href,
                body: chapter.body,
            })
            .collect(),
        stylesheets: stylesheets
            .into_iter()
            .map(|sheet| (sheet.href, sheet.content))
            .collect(),
        images: images
            .images
            .iter()
            .map(|image| (image.href.clone(), image.source.clone()))
            .collect(),
        lang,
        vertical,
        needs_full_engine,
    })
}

/// Adds the label of each entry of `toc` that links to a whole document,
/// by the document's path, keeping the first label of a path.
fn collect_toc_labels<'a>(toc: &'a [package::TocEntry], labels: &mut HashMap<&'a str, &'a str>) {
    for entry in toc {
        if !entry.href.contains('#') {
            labels
                .entry(entry.href.as_str())
                .or_insert(entry.label.as_str());
        }
        collect_toc_labels(&entry.children, labels);
    }
}

/// Reports whether a parsed book may convert differently in a build with
/// the `math` and `highlight` features.
fn needs_full_engine(parsed: &[ParsedFile<'_>]) -> bool {
    parsed
        .iter()
        .any(|file| file.needs_math || file.needs_highlight)
}

/// A book as its files describe it before conversion: the chapters in
/// order with their titles, and the metadata found in the files.
#[derive(Debug, Clone)]
pub struct Inspection {
    /// Chapter source paths and the text of each one's first heading
    /// (empty when it has none).
    pub chapters: Vec<(String, String)>,
    pub order_source: crate::book::OrderSource,
    /// Metadata from the first chapter's YAML block and the metadata file,
    /// without the options' own.
    pub metadata: Metadata,
    pub warnings: Vec<Warning>,
    /// As [`Output::needs_full_engine`], so the page can load that module
    /// while the user reviews the book.
    pub needs_full_engine: bool,
}

/// Reads a book's chapter order, chapter titles and metadata, so a user
/// can review them before converting. Fails where `convert` would on the
/// same files.
pub fn inspect(book: &Book, options: &Options) -> Result<Inspection, Error> {
    let mut warnings = Warnings::default();
    let files = FileIndex::new(book);
    let (sources, order_source) = chapter_order(book, &files);
    if sources.is_empty() {
        return Err(no_chapters(&files));
    }
    check_text_size(&files, &sources, options.max_text_bytes)?;
    let mut texts = Vec::with_capacity(sources.len());
    for path in &sources {
        let file = files
            .get(path)
            .ok_or_else(|| chapter_not_found(path, &order_source))?;
        reject_binary(path, &file.bytes)?;
        texts.push(decode(path, &file.bytes, &mut warnings)?);
    }
    let parsed: Vec<ParsedFile<'_>> = texts
        .iter()
        .map(|text| parse(text, false, options.smart))
        .collect();
    let without_flags = Options {
        metadata: Metadata::default(),
        ..options.clone()
    };
    let metadata = gather_metadata(
        &files,
        &without_flags,
        &sources[0],
        parsed[0].metadata.as_ref(),
        &mut warnings,
    )?;
    for (path, file) in sources.iter().zip(&parsed).skip(1) {
        if let Some((_, line)) = &file.metadata {
            warn_ignored_metadata(path, *line, &mut warnings);
        }
    }
    // The table of contents takes a summary's titles, so the page's list of
    // chapters does too. A chapter without one shows its first heading.
    let summary_titles = summary_titles(&files, &order_source);
    let chapters = sources
        .iter()
        .zip(&parsed)
        .map(|(path, file)| {
            let title = summary_titles
                .get(path.as_str())
                .filter(|title| !title.trim().is_empty())
                .cloned()
                .or_else(|| file.chapters.first().and_then(first_heading_text))
                .unwrap_or_default();
            (path.clone(), title)
        })
        .collect();
    Ok(Inspection {
        chapters,
        order_source,
        metadata,
        warnings: warnings.into_vec(),
        needs_full_engine: needs_full_engine(&parsed),
    })
}

/// Warns about the footnote definitions of one file that none of its
/// chapters refers to, which would otherwise vanish without a word.
fn warn_unused_footnotes(
    source: &str,
    file: &ParsedFile<'_>,
    lines: &LineIndex,
    used: &HashSet<&str>,
    warnings: &mut Warnings,
) {
    let mut unused: Vec<(usize, &str)> = file
        .footnotes
        .iter()
        .filter(|(label, _)| !used.contains(label.as_str()))
        .map(|(label, events)| {
            let line = events
                .first()
                .map_or(1, |(_, range)| lines.line_of(range.start));
            (line, label.as_str())
        })
        .collect();
    unused.sort();
    for (line, label) in unused {
        warnings.push(Warning::new(
            source,
            Some(line),
            format!("footnote [^{label}] is defined but never referred to, so it is left out; refer to it with [^{label}] or delete it"),
        ));
    }
}

/// Reports whether a text opens like a YAML metadata block (`---` then a
/// `key:` line) that the parser did not accept as one.
fn looks_like_unclosed_metadata(text: &str) -> bool {
    let mut lines = text.lines();
    let opens = lines.next().is_some_and(|line| line.trim_end() == "---");
    let keyed = lines.next().is_some_and(|line| {
        line.split_once(':').is_some_and(|(key, _)| {
            !key.is_empty()
                && key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
    });
    opens && keyed
}

/// Rejects a book whose chapters hold more Markdown than `limit`, naming
/// the largest file.
fn check_text_size(
    files: &FileIndex<'_>,
    sources: &[String],
    limit: Option<usize>,
) -> Result<(), Error> {
    let Some(limit) = limit else { return Ok(()) };
    let sizes: Vec<(usize, &String)> = sources
        .iter()
        .map(|path| (files.get(path).map_or(0, |file| file.bytes.len()), path))
        .collect();
    let total: usize = sizes.iter().map(|(size, _)| size).sum();
    if total <= limit {
        return Ok(());
    }
    let (largest_size, largest) = sizes.iter().max().copied().unwrap_or((0, &sources[0]));
    Err(Error::TooLarge {
        path: largest.clone(),
        size: largest_size,
        total,
        limit,
    })
}

/// Rejects a chapter file that is an image or other binary file, with a
/// message about that rather than about text encodings.
fn reject_binary(path: &str, bytes: &[u8]) -> Result<(), Error> {
    let kind = match sniff(bytes) {
        Some(crate::images::ImageType::Svg) | None => None,
        Some(image_type) => Some(match image_type {
            crate::images::ImageType::Jpeg => "a JPEG image",
            crate::images::ImageType::Png => "a PNG image",
            crate::images::ImageType::Gif => "a GIF image",
            _ => "a WebP image",
        }),
    };
    let kind = kind.or_else(|| {
        let head = &bytes[..bytes.len().min(8192)];
        let utf16 = head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]);
        // A stray NUL in otherwise valid text is removed later with a
        // warning. Many of them, or one in bytes that are not UTF-8, mean
        // a binary file.
        let nul_count = head.iter().filter(|byte| **byte == 0).count();
        let valid_utf8 = match std::str::from_utf8(head) {
            Ok(_) => true,
            Err(error) => error.error_len().is_none(),
        };
        let binary = nul_count > 8 || (nul_count > 0 && !valid_utf8);
        (!utf16 && binary).then_some("a binary file")
    });
    match kind {
        Some(kind) => Err(Error::NotText {
            path: path.to_string(),
            kind,
        }),
        None => Ok(()),
    }
}

/// Builds the table of contents: from `SUMMARY.md` for an mdBook book,
/// else from the chapters' headings.
fn build_toc(
    files: &FileIndex<'_>,
    order_source: &OrderSource,
    sources: &[String],
    plans: &[ChapterPlan],
    chapters: &[ChapterDocument],
    toc_depth: u8,
) -> Vec<TocEntry> {
    if let OrderSource::Summary(summary_path) = order_source
        && let Some(summary) = files.get(summary_path)
    {
        let text = String::from_utf8_lossy(&summary.bytes);
        let items = mdbook::parse_summary(summary_path, &text);
        let mut chapter_of_source = HashMap::new();
        for (index, plan) in plans.iter().enumerate() {
            chapter_of_source
                .entry(sources[plan.source].clone())
                .or_insert(index);
        }
        return package::toc_from_summary(&items, chapters, &chapter_of_source, toc_depth);
    }
    package::toc_entries(chapters, toc_depth)
}

/// Returns each chapter's title in the book's `SUMMARY.md`, by chapter
/// path, when the chapter order comes from one. A chapter listed twice
/// keeps its first title.
fn summary_titles(files: &FileIndex<'_>, order_source: &OrderSource) -> HashMap<String, String> {
    let mut titles = HashMap::new();
    if let OrderSource::Summary(summary_path) = order_source
        && let Some(summary) = files.get(summary_path)
    {
        let text = String::from_utf8_lossy(&summary.bytes);
        for item in mdbook::parse_summary(summary_path, &text) {
            if let mdbook::SummaryItem::Chapter { path, title, .. } = item {
                titles.entry(path).or_insert(title);
            }
        }
    }
    titles
}

/// Reads the book's metadata and language: the metadata with the first
/// file's YAML block, cleaned of characters XML forbids, and the language
/// that `choose_language` picks, with warnings about both.
fn read_book_settings(
    files: &FileIndex<'_>,
    options: &Options,
    first_source: &str,
    texts: &[Cow<'_, str>],
    first_block: Option<&(String, usize)>,
    warnings: &mut Warnings,
) -> Result<(Metadata, String), Error> {
    let mut metadata = gather_metadata(files, options, first_source, first_block, warnings)?;
    let removed = metadata.remove_forbidden_chars();
    if removed > 0 {
        warnings.push(Warning::new(
            first_source,
            None,
            format!(
                "removed {removed} control character(s) that XML does not allow from the metadata"
            ),
        ));
    }
    if first_block.is_none() && looks_like_unclosed_metadata(&texts[0]) {
        warnings.push(Warning::new(
            first_source,
            Some(1),
            "the file starts with --- and a key, but no line of --- or ... closes the metadata block, so it shows as text; close the block to use it as metadata",
        ));
    }
    let lang = choose_language(
        &metadata,
        first_source,
        texts,
        options.lang_option_name,
        warnings,
    );
    Ok((metadata, lang))
}

fn warn_ignored_metadata(path: &str, line: usize, warnings: &mut Warnings) {
    warnings.push(Warning::new(
        path,
        Some(line.saturating_sub(1).max(1)),
        "ignored this metadata block: only the first chapter's block is read; move these keys there, or into a metadata file (--metadata-file) or the page's book details",
    ));
}

/// Layers the metadata sources: `book.toml`, then the first file's YAML
/// block, then the metadata file, then the options.
fn gather_metadata(
    files: &FileIndex<'_>,
    options: &Options,
    first_source: &str,
    first_block: Option<&(String, usize)>,
    warnings: &mut Warnings,
) -> Result<Metadata, Error> {
    // An mdBook's book.toml comes first, so a metadata block overrides it.
    let mut layers = LanguageLayers::default();
    let mut metadata = match files.get("book.toml") {
        Some(toml) => {
            let text = decode("book.toml", &toml.bytes, warnings)?;
            let mut book_toml = mdbook::read_book_toml("book.toml", &text, warnings).0;
            layers.check(&mut book_toml, "book.toml", first_source, warnings);
            book_toml
        }
        None => Metadata::default(),
    };
    if let Some((yaml, line)) = first_block {
        let mut block = metadata::parse_yaml(first_source, *line, yaml, warnings)?;
        layers.check(&mut block, "the metadata block", first_source, warnings);
        metadata.merge(block);
    }
    if let Some(path) = &options.metadata_file {
        let file = files.get(path).ok_or_else(|| Error::FileNotFound {
            path: path.clone(),
            purpose: "metadata file",
        })?;
        let text = decode(path, &file.bytes, warnings)?;
        let mut from_file = metadata::parse_yaml(path, 1, &text, warnings)?;
        layers.check(&mut from_file, path, first_source, warnings);
        metadata.merge(from_file);
    }
    let mut from_options = options.metadata.clone();
    layers.check(
        &mut from_options,
        options.lang_option_name,
        first_source,
        warnings,
    );
    metadata.merge(from_options);
    Ok(metadata)
}

/// The language set by the metadata read so far, from the lowest layer
/// (book.toml) to the highest (the options). A layer's language that is
/// not a tag, such as `english`, does not replace a valid one from a lower
/// layer: the book keeps that one, with a warning.
#[derive(Default)]
struct LanguageLayers {
    /// The valid language set so far, and the layer that set it.
    valid: Option<(String, String)>,
}

impl LanguageLayers {
    /// Trims the language of `layer`, read from `layer_name`, and drops it
    /// when it is empty, or when it is not a tag and a lower layer set a
    /// valid one. Warnings go to `warn_file`.
    fn check(
        &mut self,
        layer: &mut Metadata,
        layer_name: &str,
        warn_file: &str,
        warnings: &mut Warnings,
    ) {
        let Some(lang) = layer.lang.take() else {
            return;
        };
        let lang = lang.trim();
        if lang.is_empty() {
            return;
        }
        if is_valid_language_tag(lang) || is_valid_language_tag(&lang.replace('_', "-")) {
            self.valid = Some((lang.to_string(), layer_name.to_string()));
            layer.lang = Some(lang.to_string());
        } else if let Some((valid, valid_from)) = &self.valid {
            warnings.push(Warning::new(
                warn_file,
                None,
                format!(
                    "language \"{lang}\" from {layer_name} is not a valid BCP 47 tag such as \"en\" or \"pt-BR\"; used \"{valid}\" from {valid_from}"
                ),
            ));
        } else {
            // `choose_language` reports it, with the language it uses.
            layer.lang = Some(lang.to_string());
        }
    }
}

/// Names the chapters of one source file and appends them to `plans`:
/// the file's name, and for a split file the name plus its heading, so
/// names stay put when chapters are added. A name with no letter or digit
/// Quire can keep, such as one in Greek or Japanese, becomes `chapter-`
/// and a hash of its path, for the same reason. `used` contains the names
/// taken.
fn plan_chapters(
    path: &str,
    source: usize,
    file: &ParsedFile<'_>,
    used: &mut HashSet<String>,
    plans: &mut Vec<ChapterPlan>,
) {
    plan_parts(
        path,
        source,
        file.chapters.len(),
        |part| first_heading_text(&file.chapters[part]),
        used,
        plans,
    );
}

/// Names the `parts` chapters of one source file as [`plan_chapters`]
/// does, given the first heading of each part.
fn plan_parts(
    path: &str,
    source: usize,
    parts: usize,
    first_heading: impl Fn(usize) -> Option<String>,
    used: &mut HashSet<String>,
    plans: &mut Vec<ChapterPlan>,
) {
    let stem = match ascii_name(file_stem(path)) {
        stem if stem.is_empty() => format!("chapter-{:08x}", path_hash(path)),
        stem => stem,
    };
    for part in 0..parts {
        let base = if parts == 1 {
            stem.clone()
        } else {
            let heading = first_heading(part)
                .map(|text| ascii_name(&text))
                .unwrap_or_default();
            let heading: String = heading.chars().take(40).collect();
            let heading = heading.trim_end_matches('-');
            if heading.is_empty() {
                format!("{stem}-{}", part + 1)
            } else {
                format!("{stem}-{heading}")
            }
        };
        let mut name = base.clone();
        let mut suffix = 2;
        while !used.insert(name.clone()) {
            name = format!("{base}-{suffix}");
            suffix += 1;
        }
        plans.push(ChapterPlan { source, part, name });
    }
}

/// Returns the 32-bit FNV-1a hash of `path`, which names a chapter whose
/// file name keeps no ASCII letter or digit.
fn path_hash(path: &str) -> u32 {
    path.bytes().fold(0x811c_9dc5, |hash, byte| {
        (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
    })
}

fn first_heading_text(events: &Events<'_>) -> Option<String> {
    let mut text = String::new();
    let mut inside = false;
    for (event, _) in events {
        match event {
            Event::Start(Tag::Heading { .. }) => inside = true,
            Event::End(TagEnd::Heading(_)) => return Some(text),
            Event::Text(part)
            | Event::Code(part)
            | Event::InlineMath(part)
            | Event::DisplayMath(part)
                if inside =>
            {
                text.push_str(part)
            }
            _ => {}
        }
    }
    None
}

/// Finds the href of a pending link from chapter `from`, or `None` when its
/// fragment names nothing in the target file.
fn resolve_link(
    target: &LinkTarget,
    from: usize,
    plans: &[ChapterPlan],
    chapter_sources: &HashMap<&str, Vec<usize>>,
    source_index: &HashMap<&str, usize>,
    anchors: &[Anchors],
) -> Option<String> {
    let chapters = chapter_sources.get(target.source.as_str())?;
    let source = *source_index.get(target.source.as_str())?;
    let (chapter, id) = match target.fragment.as_deref() {
        None | Some("") => (chapters[0], None),
        Some(fragment) => {
            let anchors = &anchors[source];
            let (chapter, id) = anchors
                .find(fragment)
                .or_else(|| anchors.find(&fragment.to_lowercase()))
                .or_else(|| anchors.find(&slugify(fragment)))?;
            (*chapter, Some(id.clone()))
        }
    };
    let file = format!("{}.xhtml", plans[chapter].name);
    Some(match id {
        Some(id) if chapter == from => format!("#{}", encode_url(&id)),
        Some(id) => format!("{file}#{}", encode_url(&id)),
        None => file,
    })
}

/// Resolves images and links for the chapters of a book.
struct BookResolver<'a> {
    files: &'a FileIndex<'a>,
    images: ImageStore,
    /// Normalised paths of the Markdown files that are chapters.
    chapter_sources: HashSet<&'a str>,
}

impl Resolver for BookResolver<'_> {
    fn image(
        &mut self,
        from: &str,
        src: &str,
        line: Option<usize>,
        warnings: &mut Warnings,
    ) -> Option<String> {
        // Chapters live in `text/`, images in `images/`.
        self.images
            .resolve(self.files, from, src, line, warnings)
            .map(|href| format!("../{}", encode_url(&href)))
    }

    fn link(
        &mut self,
        from: &str,
        url: &str,
        line: Option<usize>,
        warnings: &mut Warnings,
    ) -> LinkAction {
        link_action(self.files, &self.chapter_sources, from, url, line, warnings)
    }
}

/// Decides what becomes of a link to `url` from the chapter source `from`:
/// a web link is written, a link to a chapter waits until every chapter is
/// written, and anything else is reduced to its text with a warning.
fn link_action(
    files: &FileIndex<'_>,
    chapter_sources: &HashSet<&str>,
    from: &str,
    url: &str,
    line: Option<usize>,
    warnings: &mut Warnings,
) -> LinkAction {
    let warn = |warnings: &mut Warnings, why: String| {
        warnings.push(Warning::new(
            from,
            line,
            format!("link to \"{url}\" {why}; kept the link text"),
        ));
    };
    match classify_url(url) {
        UrlKind::External(href) => LinkAction::Write(href),
        UrlKind::Rejected(reason) => {
            warn(warnings, format!("removed: {reason}"));
            LinkAction::Drop
        }
        UrlKind::Local { path, fragment } => {
            if path.is_empty() {
                if fragment.is_none() {
                    warn(warnings, "has no target".to_string());
                    return LinkAction::Drop;
                }
                return LinkAction::Pending(LinkTarget {
                    source: crate::book::normalize_path(from),
                    fragment,
                    written: url.to_string(),
                    line,
                });
            }
            let resolved = resolve_relative(from, &path);
            let mut candidates = vec![resolved.clone()];
            for extension in [".html", ".htm", ".xhtml"] {
                if let Some(stem) = resolved.strip_suffix(extension) {
                    candidates.push(format!("{stem}.md"));
                }
            }
            if let Some(source) = candidates
                .iter()
                .find(|candidate| chapter_sources.contains(candidate.as_str()))
            {
                return LinkAction::Pending(LinkTarget {
                    source: source.clone(),
                    fragment,
                    written: url.to_string(),
                    line,
                });
            }
            if files.contains(&resolved) {
                warn(
                    warnings,
                    format!("points at {resolved}, which is not a chapter of the book"),
                );
            } else {
                let hint = crate::text::accent_form_hint(&resolved);
                warn(warnings, format!("is not a file in the book{hint}"));
            }
            LinkAction::Drop
        }
    }
}

/// Decides the book's language: the metadata's if it is a valid tag, else
/// a guess from the script, else `en`. Anything but a valid given tag comes
/// with a warning that explains how to set it.
fn choose_language(
    metadata: &Metadata,
    first_source: &str,
    texts: &[Cow<'_, str>],
    option_name: &str,
    warnings: &mut Warnings,
) -> String {
    // Names the setting where the conversion runs: --lang on the command
    // line, the Language field on the page.
    let how_to_set = format!(
        "set the language with {option_name}, a `lang:` line in the metadata, or `language` in book.toml"
    );
    if let Some(lang) = &metadata.lang {
        if is_valid_language_tag(lang) {
            return lang.clone();
        }
        let fixed = lang.replace('_', "-");
        if is_valid_language_tag(&fixed) {
            warnings.push(Warning::new(
                first_source,
                None,
                format!("language \"{lang}\" is not a BCP 47 tag; used \"{fixed}\""),
            ));
            return fixed;
        }
    }
    // An invalid tag is reported in the same warning as the language used.
    let language_note = match &metadata.lang {
        Some(lang) => {
            format!("language \"{lang}\" is not a valid BCP 47 tag such as \"en\" or \"pt-BR\"")
        }
        None => "no language given".to_string(),
    };

    // A sample is enough to tell the script, and keeps huge books fast.
    let mut sample = String::new();
    for text in texts {
        let end = text
            .char_indices()
            .nth(200_000)
            .map_or(text.len(), |(index, _)| index);
        sample.push_str(&text[..end]);
        if sample.len() > 400_000 {
            break;
        }
    }
    match guess_language(&sample) {
        Some(guess) => {
            warnings.push(Warning::new(
                first_source,
                None,
                format!(
                    "{language_note}; guessed \"{}\" from the {} in the text; {how_to_set}",
                    guess.tag, guess.evidence
                ),
            ));
            guess.tag.to_string()
        }
        None => {
            warnings.push(Warning::new(
                first_source,
                None,
                format!("{language_note}; used \"en\"; {how_to_set}"),
            ));
            "en".to_string()
        }
    }
}

/// Drops metadata values that would make the package document invalid,
/// with a warning each.
fn check_metadata_values(metadata: &mut Metadata, first_source: &str, warnings: &mut Warnings) {
    if let Some(date) = &metadata.date
        && !is_valid_date(date)
    {
        warnings.push(Warning::new(
            first_source,
            None,
            format!("date \"{date}\" is not in the form YYYY, YYYY-MM or YYYY-MM-DD; left it out"),
        ));
        metadata.date = None;
    }
    if let Some(direction) = &metadata.page_progression_direction
        && !matches!(direction.as_str(), "ltr" | "rtl" | "default")
    {
        warnings.push(Warning::new(
            first_source,
            None,
            format!(
                "page-progression-direction \"{direction}\" is not ltr, rtl or default; left it out"
            ),
        ));
        metadata.page_progression_direction = None;
    }
}

/// Collects what the book contains for its accessibility metadata.
fn book_facts(
    rendered: &[RenderedChapter],
    images: &ImageStore,
    has_cover: bool,
    metadata: &Metadata,
) -> BookFacts {
    let mut chapters = ChapterFacts::default();
    for chapter in rendered {
        chapters.add(&chapter.accessibility);
    }
    // The cover page's image has the title as its alt text.
    if has_cover {
        chapters.images += 1;
    }
    BookFacts {
        chapters,
        mathml: rendered.iter().any(|chapter| chapter.has_mathml),
        may_animate: images.images.iter().any(|image| {
            image.generated.is_none()
                && matches!(
                    image.image_type,
                    ImageType::Gif | ImageType::Webp | ImageType::Svg
                )
        }),
        author_stylesheets: metadata.css.as_ref().is_some_and(|css| !css.is_empty()),
    }
}

fn store_cover(
    files: &FileIndex<'_>,
    images: &mut ImageStore,
    path: &str,
    warnings: &mut Warnings,
) -> Result<String, Error> {
    let file = files.get(path).ok_or_else(|| Error::FileNotFound {
        path: path.to_string(),
        purpose: "cover image",
    })?;
    let image_type = sniff(&file.bytes).ok_or_else(|| Error::UnsupportedCover {
        path: path.to_string(),
        reason: "it is not a JPEG, PNG, GIF, WebP or SVG image".to_string(),
    })?;
    if image_type == crate::images::ImageType::Svg
        && let Some(reason) = crate::images::svg_problem(&file.bytes)
    {
        return Err(Error::UnsupportedCover {
            path: path.to_string(),
            reason,
        });
    }
    cover::check_size(path, &file.bytes, image_type, warnings);
    let href = images.store(crate::book::normalize_path(path), image_type);
    let image = images
        .images
        .iter()
        .find(|image| image.href == href)
        .expect("store returns the href of a stored image");
    Ok(image.id.clone())
}

/// Derives a UUID from the book's content, so the same content and
/// options give the same identifier. The hash is 128-bit FNV-1a over the
/// parts in order, each after its length: the id needs to be stable and
/// distinct, not secret, and a cryptographic hash would add to the
/// WebAssembly module's size. Parts are fed as they are ready, so each
/// chapter's text can be freed once written.
#[derive(Clone)]
struct ContentHash(u128);

impl Default for ContentHash {
    fn default() -> Self {
        ContentHash::new()
    }
}

impl ContentHash {
    fn new() -> ContentHash {
        ContentHash(0x6c62272e07bb014262b821756295c58d)
    }

    fn feed(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = times_fnv_prime(self.0 ^ u128::from(*byte));
        }
    }

    /// Adds one part. Its length keeps ["ab", "c"] apart from ["a", "bc"].
    fn part(&mut self, bytes: &[u8]) {
        self.feed(&(bytes.len() as u64).to_le_bytes());
        self.feed(bytes);
    }

    fn uuid(self) -> String {
        let mut bytes = self.0.to_be_bytes();
        // Version 5 and the RFC 4122 variant, so the result reads as a
        // name-based UUID.
        bytes[6] = (bytes[6] & 0x0F) | 0x50;
        bytes[8] = (bytes[8] & 0x3F) | 0x80;
        let hex: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
        format!(
            "urn:uuid:{}-{}-{}-{}-{}",
            &hex[0..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..32]
        )
    }
}

/// The 128-bit FNV prime, 2^88 + 315.
const FNV_PRIME: u128 = (1 << 88) + 315;

/// Returns `value` times [`FNV_PRIME`], modulo 2^128.
#[inline]
fn times_fnv_prime(value: u128) -> u128 {
    if cfg!(target_arch = "wasm32") {
        times_fnv_prime_by_halves(value)
    } else {
        value.wrapping_mul(FNV_PRIME)
    }
}

/// Computes [`times_fnv_prime`] from 64-bit halves with two 64-bit
/// products. WebAssembly has no 128-bit product, so a `u128` multiplication
/// there is a library call (`__multi3`), which took 7.6% of the Rust book's
/// conversion in a Node profile. Natively this form takes more instructions.
#[inline]
fn times_fnv_prime_by_halves(value: u128) -> u128 {
    const LOW_FACTOR: u64 = 315;
    let low = value as u64;
    let high = (value >> 64) as u64;
    // low * 315 as two 32-bit halves, each product below 2^41.
    let low_half = (low & 0xFFFF_FFFF) * LOW_FACTOR;
    let high_half = (low >> 32) * LOW_FACTOR;
    let (new_low, carry) = low_half.overflowing_add(high_half << 32);
    let low_product_high = (high_half >> 32) + u64::from(carry);
    // 2^88 moves the low half 24 bits into the high one; the high half
    // moves out of the 128 bits.
    let new_high = high
        .wrapping_mul(LOW_FACTOR)
        .wrapping_add(low_product_high)
        .wrapping_add(low << 24);
    (u128::from(new_high) << 64) | u128::from(new_low)
}

/// Lays out every file of the EPUB except `mimetype`, in zip order.
fn package_entries<'a>(
    package: &'a Package<'_>,
    bodies: Vec<Cow<'_, str>>,
    files: &'a FileIndex<'_>,
    images: &'a ImageStore,
    css_files: &'a [(String, Vec<u8>)],
) -> Result<Entries<'a>, Error> {
    let root = package::ROOT;
    let mut entries: Entries<'a> = Vec::new();
    entries.push((
        "META-INF/container.xml".to_string(),
        package::container_xml().into_bytes().into(),
    ));

    let top_styles: Vec<String> = package
        .stylesheets
        .iter()
        .map(|sheet| sheet.href.clone())
        .collect();
    let chapter_styles = chapter_stylesheets(package.stylesheets);

    let toc = &package.toc;
    let labels = locale::labels(package.lang);
    let mut landmarks: Vec<(&str, &str, &str)> = Vec::new();
    if package.cover_id.is_some() {
        landmarks.push(("cover", package::COVER_PAGE, labels.cover));
    }
    landmarks.push(("titlepage", package::TITLE_PAGE, labels.title_page));
    landmarks.push(("toc", "nav.xhtml#toc", labels.contents));
    if let Some(first) = package.chapters.first() {
        landmarks.push(("bodymatter", first.href.as_str(), labels.start_of_content));
    }
    let nav_document = |landmarks: &[(&str, &str, &str)]| {
        let body = package::nav_body(toc, labels, landmarks);
        package::xhtml_document(labels.contents, package.lang, &top_styles, None, &body)
    };
    let mut nav = nav_document(&landmarks);
    // A table of contents over the size older reading systems open as a
    // page stays the navigation document but leaves the spine, because
    // those systems read the NCX. A landmark may point only at a page, so
    // the one for the contents goes too.
    let nav_in_spine = nav.len() <= MAX_DOCUMENT_BYTES;
    if !nav_in_spine {
        landmarks.retain(|(kind, _, _)| *kind != "toc");
        nav = nav_document(&landmarks);
    }
    entries.push((
        format!("{root}/package.opf"),
        package::package_document(package, true, nav_in_spine)
            .into_bytes()
            .into(),
    ));
    entries.push((format!("{root}/{}", package::NAV), nav.into_bytes().into()));
    entries.push((
        format!("{root}/{}", package::NCX),
        package::ncx(package, toc).into_bytes().into(),
    ));

    if let Some(cover_id) = package.cover_id {
        let cover = images
            .images
            .iter()
            .find(|image| image.id == cover_id)
            .expect("cover is stored");
        let body = package::cover_page_body(&encode_url(&cover.href), package.title);
        let page = package::xhtml_document(
            package.title,
            package.lang,
            &top_styles,
            Some(("cover", "")),
            &body,
        );
        entries.push((
            format!("{root}/{}", package::COVER_PAGE),
            page.into_bytes().into(),
        ));
    }
    let title_body = package::title_page_body(package.title, package.metadata);
    let title_page = package::xhtml_document(
        package.title,
        package.lang,
        &top_styles,
        Some(("titlepage", "")),
        &title_body,
    );
    entries.push((
        format!("{root}/{}", package::TITLE_PAGE),
        title_page.into_bytes().into(),
    ));

    for (chapter, body) in package.chapters.iter().zip(bodies) {
        let document = chapter_xhtml(&chapter.title, &body, package.lang, &chapter_styles);
        drop(body);
        entries.push((
            format!("{root}/{}", chapter.href),
            document.into_bytes().into(),
        ));
    }
    for image in &images.images {
        if let Some(bytes) = &image.generated {
            entries.push((format!("{root}/{}", image.href), bytes.into()));
            continue;
        }
        let file = files
            .get(&image.source)
            .ok_or_else(|| Error::FileNotFound {
                path: image.source.clone(),
                purpose: "image",
            })?;
        entries.push((
            format!("{root}/{}", image.href),
            file.bytes.as_slice().into(),
        ));
    }
    for sheet in package.stylesheets {
        entries.push((
            format!("{root}/{}", sheet.href),
            sheet.content.as_bytes().into(),
        ));
    }
    for (href, bytes) in css_files {
        entries.push((format!("{root}/{href}"), bytes.into()));
    }
    Ok(entries)
}

/// Returns each chapter document's source by its name in the archive:
/// the Markdown file of the chapter it is, or is a part of.
fn chapter_sources_by_entry<'a>(
    parts_of: &[std::ops::Range<usize>],
    plans: &[ChapterPlan],
    sources: &'a [String],
    rendered: &'a [RenderedChapter],
    documents: &[ChapterDocument],
) -> HashMap<String, target::DocumentSource<'a>> {
    let mut by_entry = HashMap::new();
    for ((parts, plan), chapter) in parts_of.iter().zip(plans).zip(rendered) {
        for document in &documents[parts.clone()] {
            by_entry.insert(
                format!("{}/{}", package::ROOT, document.href),
                target::DocumentSource {
                    source: &sources[plan.source],
                    image_lines: &chapter.image_lines,
                },
            );
        }
    }
    by_entry
}

/// Warns about each chapter that shows the cover image, because the cover
/// page already shows it and stores expect one visible cover.
fn warn_second_cover(
    images: &ImageStore,
    cover_id: &str,
    rendered: &[RenderedChapter],
    plans: &[ChapterPlan],
    sources: &[String],
    warnings: &mut Warnings,
) {
    let Some(cover) = images.images.iter().find(|image| image.id == cover_id) else {
        return;
    };
    let href = format!("../{}", encode_url(&cover.href));
    for (chapter, plan) in rendered.iter().zip(plans) {
        if let Some((_, line)) = chapter.image_lines.iter().find(|(known, _)| *known == href) {
            warnings.push(Warning::new(
                &sources[plan.source],
                *line,
                format!(
                    "this chapter shows the cover image {}, which the cover page already shows, so the book has two visible covers; remove the image from the chapter",
                    cover.source
                ),
            ));
        }
    }
}

/// Returns the stylesheet links of a chapter, which sits in `text/`.
fn chapter_stylesheets(stylesheets: &[package::Stylesheet]) -> Vec<String> {
    stylesheets
        .iter()
        .map(|sheet| format!("../{}", sheet.href))
        .collect()
}

/// Returns a chapter's content document.
fn chapter_xhtml(title: &str, body: &str, lang: &str, stylesheets: &[String]) -> String {
    package::xhtml_document(
        title,
        lang,
        stylesheets,
        Some(("bodymatter chapter", "doc-chapter")),
        body,
    )
}

/// Warns about blocks too large for one content document, which stay
/// whole in a document over the limit.
fn warn_oversized_blocks(report: &SplitReport, source: &str, warnings: &mut Warnings) {
    for size in &report.oversized_blocks {
        warnings.push(Warning::new(
            source,
            None,
            format!(
                "a single block (paragraph, table, list or code block) of {} KB is over the {} KB limit of one content document, which older reading systems built on Adobe's RMSDK may fail to open; it stays whole, so break it into smaller blocks",
                size.div_ceil(1024),
                MAX_DOCUMENT_BYTES / 1024
            ),
        ));
    }
}

/// Orders warnings by chapter order, then line, so they read like the
/// book. Warnings about other files, such as stylesheets, come after, in
/// the order they were found.
fn sort_warnings(mut warnings: Vec<Warning>, sources: &[String]) -> Vec<Warning> {
    let position: HashMap<&str, usize> = sources
        .iter()
        .enumerate()
        .map(|(index, path)| (path.as_str(), index))
        .collect();
    warnings.sort_by_key(|warning| {
        let file = position
            .get(warning.file.as_str())
            .copied()
            .unwrap_or(usize::MAX);
        (file, warning.line.unwrap_or(0))
    });
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owned_conversion_makes_the_same_book() {
        let file = |path: &str, bytes: &[u8]| crate::book::InputFile {
            path: path.to_string(),
            bytes: bytes.to_vec(),
            modified: Some(1_700_000_000),
        };
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("# Sixteen\n".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let books = [
            // A SUMMARY that lists a chapter twice, a chapter that includes
            // another chapter, a byte order mark, a control character, a
            // UTF-16 file and an image.
            Book {
                files: vec![
                    file(
                        "SUMMARY.md",
                        b"# Summary\n\n- [One](one.md)\n- [Two](two.md)\n- [Again](one.md)\n- [Bom](bom.md)\n- [Bell](bell.md)\n- [Sixteen](sixteen.md)\n",
                    ),
                    file("one.md", b"# One\n\n![a picture](pic.png)\n\n{{#include two.md}}\n"),
                    file("two.md", b"# Two\n\nSee [one](one.md).\n"),
                    file("bom.md", b"\xEF\xBB\xBF# Bom\n\nText.\n"),
                    file("bell.md", b"# Bell\n\nA \x07 bell.\n"),
                    file("sixteen.md", &utf16),
                    file(
                        "pic.png",
                        include_bytes!("../tests/books/sample/images/cover.png"),
                    ),
                ],
                chapters: None,
            },
            // Chapters in natural order, with no SUMMARY.
            Book {
                files: vec![
                    file("b.md", b"# B\n\nText.\n"),
                    file("a.md", b"---\ntitle: Natural\n---\n\n# A\n"),
                ],
                chapters: None,
            },
        ];
        for book in books {
            let borrowed = convert(&book, &Options::default()).unwrap();
            let owned = convert_owned(book, None, &Options::default()).unwrap();
            assert_eq!(borrowed.epub, owned.epub);
            assert_eq!(borrowed.warnings, owned.warnings);
            assert!(owned.findings.is_empty(), "{:?}", owned.findings);
        }
    }

    #[test]
    fn empty_chapter_warned() {
        let file = |path: &str, bytes: &[u8]| crate::book::InputFile {
            path: path.to_string(),
            bytes: bytes.to_vec(),
            modified: None,
        };
        let book = Book {
            files: vec![
                file("a.md", b"# A\n\nText.\n"),
                file("b.md", b" \n\n"),
                file("c.md", b""),
                file("d.md", b"---\nsubject: Notes\n---\n"),
            ],
            chapters: None,
        };
        let output = convert(&book, &Options::default()).expect("the book converts");
        let empty: Vec<&str> = output
            .warnings
            .iter()
            .filter(|warning| warning.message.contains("the chapter has no text"))
            .map(|warning| warning.file.as_str())
            .collect();
        assert_eq!(empty, ["b.md", "c.md", "d.md"]);
        assert!(output.findings.is_empty(), "{:?}", output.findings);
    }

    #[test]
    fn included_files_freed_after_expansion() {
        use std::sync::Mutex;

        // `pic.svg` is shown as code by an include, and as an image later,
        // and it is the newest file, so it sets the modification date.
        let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4"/></svg>"#;
        let sources = [
            (
                "one.md",
                "# One\n\n```xml\n{{#include pic.svg}}\n```\n\n![A square](pic.svg)\n",
                1_700_000_000,
            ),
            ("pic.svg", svg, 1_800_000_000),
        ];
        let reads = Mutex::new(Vec::new());
        let source = |path: &str| {
            reads.lock().unwrap().push(path.to_string());
            sources
                .iter()
                .find(|(name, _, _)| *name == path)
                .map(|(_, text, time)| (text.as_bytes().to_vec(), Some(*time)))
        };
        let from_source = Book {
            files: Vec::new(),
            chapters: Some(vec!["one.md".to_string()]),
        };
        let read = convert_owned(from_source, Some(&source), &Options::default()).unwrap();

        let in_memory = Book {
            files: sources
                .iter()
                .map(|(path, text, time)| crate::book::InputFile {
                    path: path.to_string(),
                    bytes: text.as_bytes().to_vec(),
                    modified: Some(*time),
                })
                .collect(),
            chapters: Some(vec!["one.md".to_string()]),
        };
        let made_in_memory = convert(&in_memory, &Options::default()).unwrap();
        assert_eq!(read.epub, made_in_memory.epub);
        assert_eq!(read.warnings, made_in_memory.warnings);
        assert_eq!(
            read.images,
            [("images/pic.svg".to_string(), "pic.svg".to_string())]
        );
        // Read for the include, let go once the text was made, and read
        // again for the image.
        let svg_reads = reads
            .lock()
            .unwrap()
            .iter()
            .filter(|path| *path == "pic.svg")
            .count();
        assert_eq!(svg_reads, 2);
    }

    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn chapters_written_on_threads_match_one_thread() {
        let png = include_bytes!("../tests/books/sample/images/cover.png").to_vec();
        let filler = "Words that make the chapters long enough for two threads.\n\n".repeat(3000);
        let text = |path: &str, text: String| crate::book::InputFile {
            path: path.to_string(),
            bytes: text.into_bytes(),
            modified: None,
        };
        let image = |path: &str, bytes: &[u8]| crate::book::InputFile {
            path: path.to_string(),
            bytes: bytes.to_vec(),
            modified: None,
        };
        // Three images named x.png in different folders, which one thread
        // numbers in order of first use. Files that cannot be images, whose
        // warning goes with their first use. Also a missing image, links
        // between chapters, and a metadata block after the first file.
        let book = Book {
            files: vec![
                text(
                    "a.md",
                    "---\nlang: en\n---\n# A\n\n![First](one/x.png)\n\n![Broken](bad.png)\n\nSee [D](d.md#d).\n".to_string(),
                ),
                text(
                    "b.md",
                    format!("# B\n\n{filler}![Second](two/x.png)\n\n![Broken](bad.png)\n\n![Gone](gone.png)\n"),
                ),
                text(
                    "c.md",
                    "---\ntitle: Ignored\n---\n# C\n\n![Second again](two/x.png)\n\n![Third](three/x.png)\n\n![Worse](worse.png)\n".to_string(),
                ),
                text(
                    "d.md",
                    format!("# D\n\n![Worse again](worse.png)\n\n![First again](one/x.png)\n\n![Gone](gone.png)\n\n{filler}[Back to C](c.md#c)\n"),
                ),
                image("one/x.png", &png),
                image("two/x.png", &png),
                image("three/x.png", &png),
                image("bad.png", b"not an image"),
                image("worse.png", b"not an image either"),
            ],
            chapters: Some(["a.md", "b.md", "c.md", "d.md"].map(String::from).to_vec()),
        };

        let options = Options::default();
        let in_order = threads::on_one_thread(|| convert(&book, &options).unwrap());
        let on_threads = convert(&book, &options).unwrap();
        assert_eq!(on_threads.epub, in_order.epub);
        assert_eq!(on_threads.warnings, in_order.warnings);
        assert_eq!(on_threads.images, in_order.images);
        assert_eq!(on_threads.missing_files, in_order.missing_files);
        assert_eq!(on_threads.findings, in_order.findings);
        // b.md and c.md took x.png, which one/x.png has, and d.md warned
        // about worse.png, which c.md was first to show: written again.
        assert_eq!(threads::last_rewritten(), 3);

        let hrefs: Vec<&str> = in_order
            .images
            .iter()
            .map(|(href, _)| href.as_str())
            .collect();
        assert_eq!(hrefs, ["images/x.png", "images/x-2.png", "images/x-3.png"]);
        let worse = in_order
            .warnings
            .iter()
            .filter(|warning| warning.message.contains("worse.png"))
            .map(|warning| warning.file.as_str())
            .collect::<Vec<_>>();
        assert_eq!(worse, ["c.md"]);
        assert_eq!(in_order.missing_files, ["gone.png"]);
    }

    #[test]
    fn previews_left_out_without_changing_the_book() {
        let book = Book {
            files: vec![
                crate::book::InputFile {
                    path: "one.md".to_string(),
                    bytes: b"# One\n\nSee [two](two.md).\n".to_vec(),
                    modified: None,
                },
                crate::book::InputFile {
                    path: "two.md".to_string(),
                    bytes: b"# Two\n\nText.\n".to_vec(),
                    modified: None,
                },
            ],
            chapters: None,
        };
        let with = convert(&book, &Options::default()).unwrap();
        let without = convert(
            &book,
            &Options {
                keep_previews: false,
                ..Options::default()
            },
        )
        .unwrap();
        assert_eq!(with.epub, without.epub);
        assert!(
            with.chapters
                .iter()
                .all(|chapter| chapter.body.contains("<h1"))
        );
        assert!(
            without
                .chapters
                .iter()
                .all(|chapter| chapter.body.is_empty())
        );
        assert_eq!(with.chapters.len(), without.chapters.len());
    }

    /// Returns a book file with `text` as its bytes and no time.
    fn file(path: &str, text: &str) -> crate::book::InputFile {
        crate::book::InputFile {
            path: path.to_string(),
            bytes: text.as_bytes().to_vec(),
            modified: None,
        }
    }

    #[test]
    fn inspect_takes_summary_titles() {
        let book = Book {
            files: vec![
                file(
                    "src/SUMMARY.md",
                    "# Summary\n\n- [Getting started](one.md)\n- [](two.md)\n- [Again](one.md)\n",
                ),
                file("src/one.md", "# Chapter One\n\nText.\n"),
                file("src/two.md", "# Chapter Two\n\nText.\n"),
            ],
            chapters: None,
        };
        let inspection = inspect(&book, &Options::default()).expect("inspected");
        let titles: Vec<&str> = inspection
            .chapters
            .iter()
            .map(|(_, title)| title.as_str())
            .collect();
        assert_eq!(titles.first(), Some(&"Getting started"));
        // An empty link text leaves the chapter's own heading.
        assert_eq!(titles.get(1), Some(&"Chapter Two"));
    }

    #[test]
    fn inspect_without_chapters_fails() {
        let png = crate::book::InputFile {
            path: "cover.png".to_string(),
            bytes: b"\x89PNG\r\n\x1a\n".to_vec(),
            modified: None,
        };
        for files in [vec![], vec![png]] {
            let book = Book {
                files,
                chapters: None,
            };
            let result = inspect(&book, &Options::default());
            assert!(matches!(result, Err(Error::NoChapters)));
        }
    }

    #[test]
    fn summary_of_drafts_only_is_named() {
        let book = Book {
            files: vec![crate::book::InputFile {
                path: "src/SUMMARY.md".to_string(),
                bytes: b"# Summary\n\n- [Draft one]()\n- Draft two\n".to_vec(),
                modified: None,
            }],
            chapters: None,
        };
        let expected = Error::SummaryWithoutChapters {
            summary: "src/SUMMARY.md".to_string(),
        };
        let converted = convert(&book, &Options::default()).map(|_| ());
        assert_eq!(converted.unwrap_err(), expected);
        let inspected = inspect(&book, &Options::default()).map(|_| ());
        assert_eq!(inspected.unwrap_err(), expected);
        assert!(
            expected
                .to_string()
                .contains("src/SUMMARY.md links to no chapter file")
        );
    }

    #[test]
    fn names_in_other_scripts_stay_put() {
        let file = |path: &str| crate::book::InputFile {
            path: path.to_string(),
            bytes: b"Text.\n".to_vec(),
            modified: None,
        };
        // Each chapter's href, by its title.
        let hrefs = |paths: &[&str]| -> HashMap<String, String> {
            let book = Book {
                files: paths.iter().map(|path| file(path)).collect(),
                chapters: None,
            };
            // Without a heading, a chapter's title is its file's name.
            let output = convert(&book, &Options::default()).expect("converts");
            output
                .chapters
                .into_iter()
                .map(|chapter| (chapter.title, chapter.href))
                .collect()
        };
        let before = hrefs(&["Русский.md", "Ελληνικά.md"]);
        // Армения.md sorts before Русский.md.
        let after = hrefs(&["Армения.md", "Русский.md", "Ελληνικά.md"]);
        for title in ["Русский", "Ελληνικά"] {
            assert_eq!(before[title], after[title], "{title}");
            assert!(
                before[title].starts_with("text/chapter-"),
                "{}",
                before[title]
            );
        }
        assert_ne!(before["Русский"], before["Ελληνικά"]);
    }

    #[test]
    fn missing_chapter_names_its_summary() {
        let book = Book {
            files: vec![
                file("src/SUMMARY.md", "- [One](one.md)\n- [Gone](gone.md)\n"),
                file("src/one.md", "# One\n"),
            ],
            chapters: None,
        };
        let expected = "chapter src/gone.md is linked from src/SUMMARY.md but is not among the book's files; add the file, or remove its link from src/SUMMARY.md";
        let converted = convert(&book, &Options::default()).map(|_| ());
        assert_eq!(converted.unwrap_err().to_string(), expected);
        let inspected = inspect(&book, &Options::default()).map(|_| ());
        assert_eq!(inspected.unwrap_err().to_string(), expected);

        let given_order = Book {
            chapters: Some(vec!["src/one.md".to_string(), "gone.md".to_string()]),
            ..book
        };
        let error = convert(&given_order, &Options::default())
            .map(|_| ())
            .unwrap_err();
        assert!(
            error.to_string().contains("listed in the book's order"),
            "{error}"
        );
    }

    fn content_uuid(parts: &[&[u8]]) -> String {
        let mut hash = ContentHash::new();
        for part in parts {
            hash.part(part);
        }
        hash.uuid()
    }

    #[test]
    fn content_uuid_unchanged() {
        // The value earlier versions gave, so books keep their identifier.
        assert_eq!(
            content_uuid(&[b"chapter one", b"image"]),
            "urn:uuid:1793c893-b0bb-5647-b151-768e5c43b737"
        );
    }

    #[test]
    fn fnv_product_by_halves_matches() {
        // Edge values, then a sequence that reaches every bit.
        let mut values = vec![
            0,
            1,
            u128::MAX,
            u128::from(u64::MAX),
            1 << 64,
            (1 << 127) | 1,
        ];
        let mut value: u128 = 0x6c62272e07bb014262b821756295c58d;
        for _ in 0..10_000 {
            value = value.wrapping_mul(FNV_PRIME) ^ (value >> 61);
            values.push(value);
        }
        for value in values {
            assert_eq!(
                times_fnv_prime_by_halves(value),
                value.wrapping_mul(FNV_PRIME),
                "{value:#x}"
            );
        }
    }

    #[test]
    fn content_uuid_stable_and_distinct() {
        let first = content_uuid(&[b"chapter one", b"image"]);
        assert_eq!(first, content_uuid(&[b"chapter one", b"image"]));
        assert_ne!(first, content_uuid(&[b"chapter one", b"imagf"]));
        assert_ne!(content_uuid(&[b"ab", b"c"]), content_uuid(&[b"a", b"bc"]));
        assert!(first.starts_with("urn:uuid:"), "{first}");
        assert_eq!(first.len(), "urn:uuid:".len() + 36);
        assert_eq!(&first[23..24], "5", "version 5: {first}");
    }
}
