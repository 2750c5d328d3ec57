//! The Rust book, an mdBook book, converted whole: every include directive
//! resolved and the table of contents nested as its `SUMMARY.md` is.

use std::io::Read;
use std::path::{Path, PathBuf};

use quire::mdbook::{SummaryItem, parse_summary};
use quire::{Book, InputFile, Options, convert};

fn rust_book() -> Book {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/rust-book");
    let mut files = Vec::new();
    let mut pending = vec![root.clone()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("readable folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push(InputFile {
                    path: relative(&path, &root),
                    bytes: std::fs::read(&path).expect("readable file"),
                    modified: None,
                });
            }
        }
    }
    Book {
        files,
        chapters: None,
    }
}

fn relative(path: &Path, root: &Path) -> String {
    path.strip_prefix(root)
        .expect("under root")
        .to_string_lossy()
        .replace('\\', "/")
}

fn entries(epub: &[u8]) -> Vec<(String, String)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(epub)).expect("zip");
    let mut out = Vec::new();
    for index in 0..archive.len() {
        let mut file = archive.by_index(index).expect("entry");
        let name = file.name().expect("UTF-8 name").to_string();
        let mut text = String::new();
        if file.read_to_string(&mut text).is_ok() {
            out.push((name, text));
        }
    }
    out
}

/// A table-of-contents entry: its label and its children.
#[derive(Debug, PartialEq)]
struct Entry {
    label: String,
    children: Vec<Entry>,
}

/// Reads the `toc` nav's list, keeping only entries that point at a whole
/// chapter (no fragment), which are the ones the summary lists.
fn nav_chapters(list: roxmltree::Node<'_, '_>) -> Vec<Entry> {
    let mut out = Vec::new();
    for item in list.children().filter(|node| node.has_tag_name("li")) {
        let link = item
            .children()
            .find(|node| node.has_tag_name("a"))
            .expect("each li has a link");
        let href = link.attribute("href").expect("href");
        let children = item
            .children()
            .find(|node| node.has_tag_name("ol"))
            .map(nav_chapters)
            .unwrap_or_default();
        if href.contains('#') {
            continue;
        }
        out.push(Entry {
            label: link.text().unwrap_or("").to_string(),
            children,
        });
    }
    out
}

/// Builds the tree the summary describes.
fn summary_tree(items: &[SummaryItem]) -> Vec<Entry> {
    let mut roots: Vec<Entry> = Vec::new();
    for item in items {
        let SummaryItem::Chapter { title, depth, .. } = item else {
            continue;
        };
        let mut siblings = &mut roots;
        for _ in 0..*depth {
            siblings = &mut siblings.last_mut().expect("a parent").children;
        }
        siblings.push(Entry {
            label: title.clone(),
            children: Vec::new(),
        });
    }
    roots
}

#[test]
fn rust_book_includes_resolved() {
    let book = rust_book();
    let output = convert(&book, &Options::default()).expect("the Rust book converts");
    let chapters: Vec<(String, String)> = entries(&output.epub)
        .into_iter()
        .filter(|(name, _)| name.starts_with("EPUB/text/"))
        .collect();
    assert_eq!(
        chapters.len(),
        111,
        "one document per chapter of the summary"
    );
    for (name, text) in &chapters {
        assert!(
            !text.contains("{{#"),
            "{name} still has an mdBook directive"
        );
    }
    let include_warnings: Vec<_> = output
        .warnings
        .iter()
        .filter(|warning| warning.message.contains("{{#"))
        .collect();
    assert!(include_warnings.is_empty(), "{include_warnings:?}");

    let guessing_game = &chapters
        .iter()
        .find(|(name, _)| name.ends_with("ch02-00-guessing-game-tutorial.xhtml"))
        .expect("chapter 2")
        .1;
    assert!(
        guessing_game.contains("use std::io;"),
        "listing 2-1 is included"
    );
}

#[test]
fn rust_book_toc_follows_summary() {
    let book = rust_book();
    let output = convert(&book, &Options::default()).expect("the Rust book converts");
    let nav = entries(&output.epub)
        .into_iter()
        .find(|(name, _)| name == "EPUB/nav.xhtml")
        .expect("nav document")
        .1;
    let document = roxmltree::Document::parse_with_options(
        &nav,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        },
    )
    .expect("nav parses");
    let toc = document
        .descendants()
        .find(|node| {
            node.has_tag_name("nav")
                && node.attribute(("http://www.idpf.org/2007/ops", "type")) == Some("toc")
        })
        .expect("toc nav");
    let list = toc
        .children()
        .find(|node| node.has_tag_name("ol"))
        .expect("toc list");

    let summary = book.file("src/SUMMARY.md").expect("summary");
    let items = parse_summary(
        "src/SUMMARY.md",
        std::str::from_utf8(&summary.bytes).expect("UTF-8"),
    );
    assert_eq!(nav_chapters(list), summary_tree(&items));
}

#[test]
fn rust_book_metadata_from_book_toml() {
    let output = convert(&rust_book(), &Options::default()).expect("converts");
    let opf = entries(&output.epub)
        .into_iter()
        .find(|(name, _)| name == "EPUB/package.opf")
        .expect("package document")
        .1;
    assert!(opf.contains(">The Rust Programming Language</dc:title>"));
    assert!(opf.contains(">Steve Klabnik</dc:creator>"));
    assert!(opf.contains(">Carol Nichols</dc:creator>"));
}

#[test]
fn summary_link_to_pdf_warned() {
    let file = |path: &str, text: &str| quire::InputFile {
        path: path.to_string(),
        bytes: text.as_bytes().to_vec(),
        modified: None,
    };
    let book = Book {
        files: vec![
            file(
                "src/SUMMARY.md",
                "# Summary\n\n- [One](one.md)\n- [Slides](slides.pdf)\n",
            ),
            file("src/one.md", "# One\n\nText.\n"),
            file("src/slides.pdf", "%PDF-1.4\n"),
        ],
        chapters: None,
    };
    let output = quire::convert(&book, &quire::Options::default()).expect("the book converts");
    let warning = output
        .warnings
        .iter()
        .find(|warning| warning.message.contains("slides.pdf"))
        .expect("a warning about the PDF");
    assert_eq!(warning.file, "src/SUMMARY.md");
    assert_eq!(warning.line, Some(4));
    assert!(warning.message.contains("makes no chapter"), "{warning}");
}
