//! Criterion benchmarks of the conversion's stages on the Rust book in
//! `tests/corpus/rust-book`: parsing Markdown, writing XHTML, sanitising raw
//! HTML, packaging, zipping, and the whole conversion in memory.
//!
//! `cargo bench --bench stages` runs them all; `-- --quick` takes a few
//! seconds a benchmark, and a name after `--` picks some (`-- parse`).
//! docs/benchmarks.md lists the figures of a run.

use std::borrow::Cow;
use std::fs;
use std::hint::black_box;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};
use pulldown_cmark::{Event, Parser};
use quire::error::Warnings;
use quire::links::Anchors;
use quire::markdown::{LineIndex, parse, parser_options};
use quire::package::{self, ChapterDocument, Package};
use quire::sanitize::{self, RawToken};
use quire::xhtml::{LinkAction, Resolver, Writer};
use quire::{Book, InputFile, Metadata, Options};

/// The book's chapters and every file of its folder, read once.
struct Corpus {
    /// Each chapter's path under `src/` and its Markdown, in SUMMARY.md order.
    chapters: Vec<(String, String)>,
    /// Every file of the folder, as the command-line tool reads a folder.
    folder: Book,
}

impl Corpus {
    fn read() -> Corpus {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/rust-book");
        let summary =
            fs::read_to_string(root.join("src/SUMMARY.md")).expect("SUMMARY.md is readable");
        let chapters = summary_links(&summary)
            .into_iter()
            .map(|path| {
                let text =
                    fs::read_to_string(root.join("src").join(&path)).expect("chapter is readable");
                (path, text)
            })
            .collect();

        let mut files = Vec::new();
        read_folder(&root, &root, &mut files);
        Corpus {
            chapters,
            folder: Book {
                files,
                chapters: None,
            },
        }
    }

    /// Returns the Markdown of the largest chapter, by bytes.
    fn longest_chapter(&self) -> &str {
        self.chapters
            .iter()
            .map(|(_, text)| text.as_str())
            .max_by_key(|text| text.len())
            .expect("the book has chapters")
    }

    /// Returns every chapter's Markdown joined into one text.
    fn whole_book(&self) -> String {
        self.chapters
            .iter()
            .map(|(_, text)| text.as_str())
            .collect::<Vec<_>>()
            .join("\n\n")
    }
}

/// Returns the `.md` targets of the links in a SUMMARY.md, in order. Draft
/// chapters, whose target is empty, are left out.
fn summary_links(summary: &str) -> Vec<String> {
    summary
        .split("](")
        .skip(1)
        .filter_map(|rest| rest.split_once(')'))
        .map(|(target, _)| target.to_string())
        .filter(|target| target.ends_with(".md"))
        .collect()
}

/// Reads every file under `dir` that is not hidden, with its path relative
/// to `base`, as `src/main.rs` does for a folder.
fn read_folder(base: &Path, dir: &Path, files: &mut Vec<InputFile>) {
    let mut paths: Vec<PathBuf> = fs::read_dir(dir)
        .expect("corpus folder is readable")
        .map(|entry| entry.expect("corpus entry is readable").path())
        .collect();
    paths.sort();
    for path in paths {
        let name = path
            .file_name()
            .and_then(|name| name.to_str())
            .unwrap_or("");
        if name.starts_with('.') {
            continue;
        }
        if path.is_dir() {
            read_folder(base, &path, files);
        } else {
            let relative = path.strip_prefix(base).expect("path is under the base");
            files.push(InputFile {
                path: relative.to_string_lossy().replace('\\', "/"),
                bytes: fs::read(&path).expect("corpus file is readable"),
                modified: Some(0),
            });
        }
    }
}

/// A resolver that writes every URL as given, so the writer's own work is
/// timed without the book's image and link lookups.
struct KeepUrls;

impl Resolver for KeepUrls {
    fn image(&mut self, _: &str, src: &str, _: Option<usize>, _: &mut Warnings) -> Option<String> {
        Some(src.to_string())
    }

    fn link(&mut self, _: &str, url: &str, _: Option<usize>, _: &mut Warnings) -> LinkAction {
        LinkAction::Write(url.to_string())
    }
}

/// Writes each chapter as the converter does, and returns the documents
/// the packaging stage receives.
fn chapter_documents(corpus: &Corpus) -> Vec<ChapterDocument> {
    let mut anchors = Anchors::default();
    let mut warnings = Warnings::default();
    let mut resolver = KeepUrls;
    corpus
        .chapters
        .iter()
        .enumerate()
        .map(|(index, (path, text))| {
            let parsed = parse(text, false, true);
            let lines = LineIndex::new(text);
            let writer = Writer::new(
                path,
                index,
                &lines,
                &mut anchors,
                &mut resolver,
                &mut warnings,
            );
            let rendered = writer.write(&parsed.chapters[0], &parsed.footnotes);
            let title = rendered
                .headings
                .first()
                .map_or_else(|| path.clone(), |heading| heading.text.clone());
            ChapterDocument {
                href: format!("text/chapter-{index}.xhtml"),
                id: format!("chapter-{index}"),
                title,
                body: rendered.resolve(|_| None),
                headings: rendered.headings,
                mathml: rendered.has_mathml,
            }
        })
        .collect()
}

/// Wraps each chapter in its XHTML document and writes the package
/// document, the navigation document and the NCX, as the converter does.
fn package_book(chapters: &[ChapterDocument], metadata: &Metadata) -> Vec<(String, Vec<u8>)> {
    let toc = package::toc_entries(chapters, 3);
    let book = Package {
        metadata,
        title: "The Rust Programming Language",
        identifier: "urn:uuid:00000000-0000-4000-8000-000000000000",
        lang: "en",
        modified: "2024-01-01T00:00:00Z",
        chapters,
        images: &[],
        cover_id: None,
        stylesheets: &[],
        resources: &[],
        toc_depth: 3,
        toc: toc.clone(),
        vertical: false,
        accessibility: &Default::default(),
    };

    let mut entries = vec![
        (
            "META-INF/container.xml".to_string(),
            package::container_xml().into_bytes(),
        ),
        (
            "EPUB/package.opf".to_string(),
            package::package_document(&book, true, true).into_bytes(),
        ),
    ];
    let labels = quire::locale::labels("en");
    let nav_body = package::nav_body(&toc, labels, &[("toc", package::NAV, labels.contents)]);
    let nav = package::xhtml_document("Contents", "en", &[], None, &nav_body);
    entries.push((format!("EPUB/{}", package::NAV), nav.into_bytes()));
    entries.push((
        format!("EPUB/{}", package::NCX),
        package::ncx(&book, &toc).into_bytes(),
    ));
    for chapter in chapters {
        let document = package::xhtml_document(&chapter.title, "en", &[], None, &chapter.body);
        entries.push((format!("EPUB/{}", chapter.href), document.into_bytes()));
    }
    entries
}

/// Returns the entries of an EPUB after `mimetype`, decompressed, as
/// `write_zip` receives them.
fn unzip(epub: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(Cursor::new(epub)).expect("the EPUB is a zip archive");
    let mut entries = Vec::new();
    for index in 0..archive.len() {
        let mut file = archive.by_index(index).expect("entry is readable");
        let name = file.name().expect("entry name is UTF-8").into_owned();
        if name == "mimetype" {
            continue;
        }
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).expect("entry decompresses");
        entries.push((name, bytes));
    }
    entries
}

/// Returns every raw HTML fragment of `markdown`, block and inline.
/// Returns `count` entries of `length` bytes from a xorshift generator,
/// which deflate cannot shrink.
fn noise_images(count: usize, length: usize) -> Vec<(String, Vec<u8>)> {
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    (0..count)
        .map(|number| {
            let bytes = (0..length)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    state.to_le_bytes()[0]
                })
                .collect();
            (format!("EPUB/images/photo-{number}.png"), bytes)
        })
        .collect()
}

fn html_fragments(markdown: &str) -> Vec<String> {
    Parser::new_ext(markdown, parser_options(true))
        .filter_map(|event| match event {
            Event::Html(html) | Event::InlineHtml(html) => Some(html.into_string()),
            _ => None,
        })
        .collect()
}

/// Tokenizes a fragment and looks up the policy for each element and
/// attribute, which is the sanitiser's share of the writer's work.
fn sanitize_fragment(fragment: &str) -> usize {
    let mut decisions = 0;
    for token in sanitize::tokenize(fragment) {
        if let RawToken::Start {
            name, attributes, ..
        } = token
        {
            black_box(sanitize::element_policy(&name));
            for (attribute, value) in &attributes {
                black_box(sanitize::attribute_action(&name, attribute, value));
            }
            decisions += 1 + attributes.len();
        }
    }
    decisions
}

fn bytes_group<'a>(
    criterion: &'a mut Criterion,
    name: &str,
    bytes: usize,
) -> BenchmarkGroup<'a, criterion::measurement::WallTime> {
    let mut group = criterion.benchmark_group(name);
    group.throughput(Throughput::Bytes(bytes as u64));
    group
}

fn stages(criterion: &mut Criterion) {
    let corpus = Corpus::read();
    let chapter = corpus.longest_chapter();
    let book = corpus.whole_book();

    for (label, text) in [
        ("longest chapter", chapter),
        ("whole book as one text", book.as_str()),
    ] {
        let mut group = bytes_group(criterion, label, text.len());
        group.bench_function("markdown::parse", |bench| {
            bench.iter(|| parse(black_box(text), false, true).chapters.len())
        });
        group.bench_function("render_fragment (parse and write XHTML)", |bench| {
            bench.iter(|| quire::render_fragment(black_box(text), true).len())
        });
        group.finish();
    }

    let fragments = html_fragments(&book);
    let fragment_bytes = fragments.iter().map(String::len).sum();
    let mut group = bytes_group(criterion, "sanitize", fragment_bytes);
    group.bench_function(
        format!("{} raw HTML fragments of the book", fragments.len()),
        |bench| {
            bench.iter(|| {
                fragments
                    .iter()
                    .map(|fragment| sanitize_fragment(black_box(fragment)))
                    .sum::<usize>()
            })
        },
    );
    group.finish();

    let documents = chapter_documents(&corpus);
    let metadata = Metadata::default();
    let body_bytes = documents.iter().map(|document| document.body.len()).sum();
    let mut group = bytes_group(criterion, "package", body_bytes);
    group.bench_function(format!("{} chapters", documents.len()), |bench| {
        bench.iter(|| package_book(black_box(&documents), &metadata).len())
    });
    group.finish();

    let options = Options {
        source_date_epoch: Some(0),
        ..Options::default()
    };
    let output = quire::convert(&corpus.folder, &options).expect("the Rust book converts");
    let entries = unzip(&output.epub);
    let entry_bytes = entries.iter().map(|(_, bytes)| bytes.len()).sum();
    let mut group = bytes_group(criterion, "zip", entry_bytes);
    group.bench_function(
        format!("epub::write_zip, {} entries", entries.len()),
        |bench| {
            bench.iter(|| {
                quire::epub::write_zip(black_box(&entries))
                    .expect("zip is written")
                    .len()
            })
        },
    );
    // As a conversion zips a book: each document is scanned for the
    // checker on the thread that deflates it, then freed.
    group.bench_function(
        format!(
            "epub::write_zip_inspecting with the checker's scans, {} entries",
            entries.len()
        ),
        |bench| {
            bench.iter(|| {
                let borrowed: quire::epub::Entries = entries
                    .iter()
                    .map(|(name, bytes)| (name.clone(), Cow::Borrowed(bytes.as_slice())))
                    .collect();
                let written = quire::epub::write_zip_inspecting(
                    black_box(borrowed),
                    quire::epub::PackedAhead::default(),
                    quire::check::scan_entry,
                )
                .expect("zip is written");
                written.epub.len() + written.inspected.len()
            })
        },
    );
    group.finish();

    // Photos are compressed already, so the archive stores them after
    // deflating a part of each: this measures that probe.
    let photos = noise_images(8, 1_000_000);
    let photo_bytes = photos.iter().map(|(_, bytes)| bytes.len()).sum();
    let mut group = bytes_group(criterion, "zip", photo_bytes);
    group.bench_function(
        format!("epub::write_zip, {} images of noise", photos.len()),
        |bench| {
            bench.iter(|| {
                quire::epub::write_zip(black_box(&photos))
                    .expect("zip is written")
                    .len()
            })
        },
    );
    group.finish();

    let folder_bytes = corpus
        .folder
        .files
        .iter()
        .map(|file| file.bytes.len())
        .sum();
    let mut group = bytes_group(criterion, "convert", folder_bytes);
    group.sample_size(10);
    group.bench_function("whole Rust book folder, in memory", |bench| {
        bench.iter(|| {
            quire::convert(black_box(&corpus.folder), &options)
                .expect("the Rust book converts")
                .epub
                .len()
        })
    });
    group.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
