//! The rules of each `--target`, one test a rule, on small books made in
//! memory, and the KEPUB spans of a short chapter against the golden file
//! `tests/golden/kepub/chapter.xhtml`. After an intended change of the
//! spans, regenerate that file with
//!
//! ```text
//! UPDATE_GOLDEN=1 cargo test --test targets
//! ```

use std::io::Read;
use std::path::PathBuf;

#[path = "common/large_book.rs"]
mod large_book;

use quire::kepub::{Token, tokens, unescape};
use quire::target::Target;
use quire::{Book, InputFile, Options, Output, convert};

fn book(files: &[(&str, &[u8])]) -> Book {
    Book {
        files: files
            .iter()
            .map(|(path, bytes)| InputFile {
                path: path.to_string(),
                bytes: bytes.to_vec(),
                modified: None,
            })
            .collect(),
        chapters: None,
    }
}

fn build(files: &[(&str, &[u8])], target: Option<Target>) -> Output {
    let options = Options {
        target,
        source_date_epoch: Some(1_700_000_000),
        ..Options::default()
    };
    convert(&book(files), &options).expect("the book converts")
}

fn warnings(output: &Output) -> Vec<String> {
    output
        .warnings
        .iter()
        .map(|warning| warning.to_string())
        .collect()
}

fn has_warning(output: &Output, text: &str) -> bool {
    output
        .warnings
        .iter()
        .any(|warning| warning.message.contains(text))
}

/// Reads one entry of the EPUB, or `None` when it has no such entry.
fn entry(epub: &[u8], name: &str) -> Option<String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(epub)).expect("a readable zip");
    let mut file = archive.by_name(name).ok()?;
    let mut text = String::new();
    file.read_to_string(&mut text).expect("UTF-8 entry");
    Some(text)
}

fn entry_names(epub: &[u8]) -> Vec<String> {
    let archive = zip::ZipArchive::new(std::io::Cursor::new(epub)).expect("a readable zip");
    archive
        .file_names()
        .map(|name| name.expect("a UTF-8 entry name").into_owned())
        .collect()
}

/// Builds a PNG signature, an IHDR chunk of the given size and colour
/// type, the named chunks with no data, and IEND: all that Quire reads of
/// a PNG.
fn png(width: u32, height: u32, color_type: u8, chunks: &[&[u8; 4]]) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    bytes.extend(width.to_be_bytes());
    bytes.extend(height.to_be_bytes());
    bytes.extend([8, color_type, 0, 0, 0]);
    bytes.extend([0; 4]);
    for chunk in chunks.iter().copied().chain([b"IDAT", b"IEND"]) {
        bytes.extend([0; 4]);
        bytes.extend(chunk);
        bytes.extend([0; 4]);
    }
    bytes
}

/// Builds a 1 × 1 GIF with `frames` frames.
fn gif(frames: usize) -> Vec<u8> {
    let mut bytes = b"GIF89a\x01\x00\x01\x00\x00\x00\x00".to_vec();
    for _ in 0..frames {
        bytes.extend([0x21, 0xF9, 4, 0, 10, 0, 0, 0]);
        bytes.extend([0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x4C, 0x01, 0]);
    }
    bytes.push(0x3B);
    bytes
}

const CHAPTER: &[u8] = b"---\ntitle: T\nlang: en\n---\n\n# One\n\nText.\n";

#[test]
fn kindle_warns_unsupported_language() {
    let russian = build(
        &[("a.md", b"---\nlang: ru\n---\n\n# A\n")],
        Some(Target::Kindle),
    );
    assert!(
        has_warning(&russian, "language \"ru\" is not one that Amazon accepts"),
        "{:?}",
        warnings(&russian)
    );
    let german = build(
        &[("a.md", b"---\nlang: de-AT\n---\n\n# A\n")],
        Some(Target::Kindle),
    );
    assert!(
        !has_warning(&german, "Amazon accepts"),
        "{:?}",
        warnings(&german)
    );
    let any = build(&[("a.md", b"---\nlang: ru\n---\n\n# A\n")], None);
    assert!(!has_warning(&any, "Amazon accepts"));
}

#[test]
fn kindle_styles_leave_body_text_alone() {
    let kindle = build(&[("a.md", CHAPTER)], Some(Target::Kindle));
    let css = entry(&kindle.epub, "EPUB/styles/quire.css").expect("the stylesheet");
    assert!(
        css.starts_with("h1, h2, h3, h4, h5, h6 { text-align: left; }"),
        "{css}"
    );
    let body = css.split("body {").nth(1).expect("a body rule");
    let body = body.split('}').next().unwrap();
    assert!(!body.contains("margin"), "body keeps a margin: {body}");

    let any = build(&[("a.md", CHAPTER)], None);
    let css = entry(&any.epub, "EPUB/styles/quire.css").expect("the stylesheet");
    assert!(!css.contains("text-align: left"));
}

#[test]
fn kindle_toc_has_two_levels() {
    let text = b"---\nlang: en\n---\n\n# One\n\n## Two\n\n### Three\n";
    let kindle = build(&[("a.md", text)], Some(Target::Kindle));
    let nav = entry(&kindle.epub, "EPUB/nav.xhtml").unwrap();
    assert!(nav.contains(">Two<"), "{nav}");
    assert!(!nav.contains(">Three<"), "{nav}");
    let ncx = entry(&kindle.epub, "EPUB/toc.ncx").unwrap();
    assert!(!ncx.contains(">Three<"), "{ncx}");

    let any = build(&[("a.md", text)], None);
    assert!(
        entry(&any.epub, "EPUB/nav.xhtml")
            .unwrap()
            .contains(">Three<")
    );
}

#[test]
fn kindle_warns_long_alt_text() {
    let long = "x".repeat(141);
    let text = format!("---\nlang: en\n---\n\n# A\n\n![{long}](a.png)\n\n![short](a.png)\n");
    let image = png(800, 600, 2, &[]);
    let files: [(&str, &[u8]); 2] = [("a.md", text.as_bytes()), ("a.png", &image)];
    let kindle = build(&files, Some(Target::Kindle));
    let alt: Vec<String> = warnings(&kindle)
        .into_iter()
        .filter(|warning| warning.contains("alt text"))
        .collect();
    assert_eq!(alt.len(), 1, "{alt:?}");
    assert!(alt[0].contains("141 characters"), "{alt:?}");
    assert!(!has_warning(&build(&files, None), "alt text"));
}

#[test]
fn kindle_alt_text_warning_names_source() {
    // The warning names the chapter and the line that show the image. It
    // names the image by its file in the book, not its path in the EPUB.
    let long = "x".repeat(141);
    let text = format!("---\nlang: en\n---\n\n# A\n\nText.\n\n![{long}](pics/chart.png)\n");
    let image = png(800, 600, 2, &[]);
    let files: [(&str, &[u8]); 2] = [
        ("part/a.md", text.as_bytes()),
        ("part/pics/chart.png", &image),
    ];
    let kindle = build(&files, Some(Target::Kindle));
    let alt: Vec<_> = kindle
        .warnings
        .iter()
        .filter(|warning| warning.message.contains("alt text"))
        .collect();
    assert_eq!(alt.len(), 1, "{alt:?}");
    assert_eq!(alt[0].file, "part/a.md");
    assert_eq!(alt[0].line, Some(9));
    assert!(
        alt[0].message.contains("image part/pics/chart.png has 141"),
        "{alt:?}"
    );
}

#[test]
fn kindle_warns_svg_animation_and_transparency() {
    let text = b"---\nlang: en\n---\n\n# A\n\n![a](a.svg) ![b](b.gif) ![c](c.png) ![d](d.png) ![e](e.png) ![f](f.gif)\n";
    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"/>";
    let animated = gif(2);
    let alpha = png(10, 10, 6, &[]);
    let palette_alpha = png(10, 10, 3, &[b"PLTE", b"tRNS"]);
    let opaque = png(10, 10, 2, &[]);
    let still = gif(1);
    let files: [(&str, &[u8]); 7] = [
        ("a.md", text),
        ("a.svg", svg),
        ("b.gif", &animated),
        ("c.png", &alpha),
        ("d.png", &palette_alpha),
        ("e.png", &opaque),
        ("f.gif", &still),
    ];
    let kindle = build(&files, Some(Target::Kindle));
    let all = warnings(&kindle);
    let about = |name: &str| {
        all.iter()
            .filter(|warning| warning.starts_with(name))
            .count()
    };
    assert!(has_warning(&kindle, "is an SVG image"), "{all:?}");
    assert!(has_warning(&kindle, "is an animated GIF"), "{all:?}");
    assert_eq!(about("a.svg"), 1, "{all:?}");
    assert_eq!(about("b.gif"), 1, "{all:?}");
    assert_eq!(about("c.png"), 1, "{all:?}");
    assert_eq!(about("d.png"), 1, "{all:?}");
    assert_eq!(about("e.png"), 0, "{all:?}");
    assert_eq!(about("f.gif"), 0, "{all:?}");
    let any = build(&files, None);
    assert!(!has_warning(&any, "Kindle"), "{:?}", warnings(&any));
}

#[test]
fn kindle_checks_cover_size() {
    let small = png(500, 800, 2, &[]);
    let medium = png(1000, 1600, 2, &[]);
    let ideal = png(1600, 2560, 2, &[]);
    let text = b"---\nlang: en\ncover-image: cover.png\n---\n\n# A\n";
    let warn = |cover: &[u8]| {
        let output = build(
            &[("a.md", text), ("cover.png", cover)],
            Some(Target::Kindle),
        );
        warnings(&output)
            .into_iter()
            .filter(|warning| warning.contains("cover"))
            .collect::<Vec<_>>()
    };
    let small = warn(&small);
    assert!(
        small
            .iter()
            .any(|warning| warning.contains("under the 625 × 1000 that Amazon requires")),
        "{small:?}"
    );
    let medium = warn(&medium);
    assert!(
        medium
            .iter()
            .any(|warning| warning.contains("under the 1600 × 2560 that Amazon recommends")),
        "{medium:?}"
    );
    assert!(warn(&ideal).is_empty());
}

#[test]
fn apple_warns_large_images() {
    let text = b"---\nlang: en\n---\n\n# A\n\n![a](big.png) ![b](small.png)\n";
    let big = png(2500, 2000, 2, &[]);
    let small = png(2000, 2000, 2, &[]);
    let files: [(&str, &[u8]); 3] = [("a.md", text), ("big.png", &big), ("small.png", &small)];
    let apple = build(&files, Some(Target::Apple));
    let all = warnings(&apple);
    assert!(
        all.iter()
            .any(|warning| warning.starts_with("big.png") && warning.contains("5000000 in all")),
        "{all:?}"
    );
    assert!(
        !all.iter().any(|warning| warning.starts_with("small.png")),
        "{all:?}"
    );

    let options = Options {
        target: Some(Target::Apple),
        max_image_pixels: 6_000_000,
        ..Options::default()
    };
    let raised = convert(&book(&files), &options).unwrap();
    assert!(
        !has_warning(&raised, "Apple Books shows"),
        "{:?}",
        warnings(&raised)
    );
}

#[test]
fn apple_declares_embedded_fonts() {
    let text = b"---\nlang: en\ncss: style.css\n---\n\n# A\n";
    let css =
        b"@font-face { font-family: Body; src: url(body.woff2); }\nbody { font-family: Body; }\n";
    let font = b"wOF2\0\x01\0\0 not a real font";
    let files: [(&str, &[u8]); 3] = [("a.md", text), ("style.css", css), ("body.woff2", font)];
    let apple = build(&files, Some(Target::Apple));
    let opf = entry(&apple.epub, "EPUB/package.opf").unwrap();
    assert!(
        opf.contains("<meta property=\"ibooks:specified-fonts\">true</meta>"),
        "{opf}"
    );
    assert!(opf.contains("prefix=\"ibooks: http://vocabulary.itunes.apple.com/rdf/ibooks/vocabulary-extensions-1.0/"), "{opf}");
    let options = entry(&apple.epub, "META-INF/com.apple.ibooks.display-options.xml")
        .expect("display options");
    assert!(
        options.contains("<option name=\"specified-fonts\">true</option>"),
        "{options}"
    );

    let without_fonts = build(&[("a.md", CHAPTER)], Some(Target::Apple));
    let opf = entry(&without_fonts.epub, "EPUB/package.opf").unwrap();
    assert!(!opf.contains("ibooks"), "{opf}");
    assert!(
        entry(
            &without_fonts.epub,
            "META-INF/com.apple.ibooks.display-options.xml"
        )
        .is_none()
    );
    let any = build(&files, None);
    assert!(
        !entry(&any.epub, "EPUB/package.opf")
            .unwrap()
            .contains("ibooks")
    );
}

#[test]
fn apple_writes_version() {
    let text = b"---\nlang: en\nversion: 1.2\n---\n\n# A\n";
    let apple = build(&[("a.md", text)], Some(Target::Apple));
    let opf = entry(&apple.epub, "EPUB/package.opf").unwrap();
    assert!(
        opf.contains("<meta property=\"ibooks:version\">1.2</meta>"),
        "{opf}"
    );
    assert!(opf.contains("prefix=\"ibooks: "), "{opf}");
    let kindle = build(&[("a.md", text)], Some(Target::Kindle));
    assert!(
        !entry(&kindle.epub, "EPUB/package.opf")
            .unwrap()
            .contains("ibooks")
    );
}

#[test]
fn kobo_wraps_chapters_in_spans() {
    let kobo = build(&[("a.md", CHAPTER)], Some(Target::Kobo));
    let chapter = entry(&kobo.epub, "EPUB/text/a.xhtml").unwrap();
    assert!(
        chapter.contains("<body><div id=\"book-columns\"><div id=\"book-inner\">"),
        "{chapter}"
    );
    assert!(
        chapter.contains("<span class=\"koboSpan\" id=\"kobo.1.1\">One</span>"),
        "{chapter}"
    );
    let nav = entry(&kobo.epub, "EPUB/nav.xhtml").unwrap();
    assert!(
        !nav.contains("koboSpan"),
        "the navigation document stays as it is"
    );
    let any = build(&[("a.md", CHAPTER)], None);
    assert!(
        !entry(&any.epub, "EPUB/text/a.xhtml")
            .unwrap()
            .contains("koboSpan")
    );
}

#[test]
fn kobo_split_parts_stay_small_with_spans() {
    let big = large_book::large_chapter();
    let after = large_book::short_chapter();
    let output = build(
        &[("big.md", big.as_bytes()), ("after.md", after.as_bytes())],
        Some(Target::Kobo),
    );
    assert!(output.findings.is_empty(), "{:#?}", output.findings);
    let parts: Vec<String> = entry_names(&output.epub)
        .into_iter()
        .filter(|name| name.starts_with("EPUB/text/big"))
        .collect();
    assert!(parts.len() > 2, "the chapter is split: {parts:?}");
    for name in &parts {
        let text = entry(&output.epub, name).expect("part present");
        assert!(text.contains("koboSpan"), "{name} has spans");
        assert!(
            text.len() <= 260 * 1024,
            "{name} is {} bytes with its spans",
            text.len()
        );
    }
}

#[test]
fn kobo_drops_svg_doctype() {
    let text = b"---\nlang: en\n---\n\n# A\n\n![a](a.svg)\n";
    let svg = b"<?xml version=\"1.0\"?>\n<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\"\n \"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\">\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"/>";
    let files: [(&str, &[u8]); 2] = [("a.md", text), ("a.svg", svg)];
    let kobo = build(&files, Some(Target::Kobo));
    let image = entry(&kobo.epub, "EPUB/images/a.svg").expect("the image");
    assert!(!image.contains("DOCTYPE"), "{image}");
    assert!(image.contains("<svg xmlns"), "{image}");
    let any = build(&files, None);
    assert!(
        entry(&any.epub, "EPUB/images/a.svg")
            .unwrap()
            .contains("DOCTYPE")
    );
}

#[test]
fn kobo_file_names_have_no_spaces() {
    let text = b"---\nlang: en\n---\n\n# A\n\n![a](my%20picture.png)\n";
    let image = png(10, 10, 2, &[]);
    let kobo = build(
        &[("my chapter.md", text), ("my picture.png", &image)],
        Some(Target::Kobo),
    );
    for name in entry_names(&kobo.epub) {
        assert!(!name.contains(' '), "{name}");
    }
    assert!(!has_warning(&kobo, "has a space"), "{:?}", warnings(&kobo));
}

#[test]
fn google_warns_missing_cover() {
    let google = build(&[("a.md", CHAPTER)], Some(Target::Google));
    assert!(
        has_warning(&google, "no cover, which Google Play Books requires"),
        "{:?}",
        warnings(&google)
    );
    let options = Options {
        target: Some(Target::Google),
        auto_cover: true,
        ..Options::default()
    };
    let covered = convert(&book(&[("a.md", CHAPTER)]), &options).unwrap();
    assert!(
        !has_warning(&covered, "Google Play"),
        "{:?}",
        warnings(&covered)
    );
}

#[test]
fn google_warns_large_svg() {
    let text = b"---\nlang: en\n---\n\n# A\n\n![a](big.svg) ![b](box.svg) ![c](fine.svg)\n";
    let big = b"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"4000\" height=\"100\"/>";
    let view_box = b"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 100 5000\"/>";
    let fine = b"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"3200\" height=\"3200\"/>";
    let files: [(&str, &[u8]); 4] = [
        ("a.md", text),
        ("big.svg", big),
        ("box.svg", view_box),
        ("fine.svg", fine),
    ];
    let google = build(&files, Some(Target::Google));
    let all = warnings(&google);
    assert!(
        all.iter()
            .any(|warning| warning.starts_with("big.svg") && warning.contains("4000 × 100")),
        "{all:?}"
    );
    assert!(
        all.iter()
            .any(|warning| warning.starts_with("box.svg") && warning.contains("100 × 5000")),
        "{all:?}"
    );
    assert!(
        !all.iter().any(|warning| warning.starts_with("fine.svg")),
        "{all:?}"
    );
}

#[test]
fn legacy_adds_guide() {
    let legacy = build(&[("a.md", CHAPTER)], Some(Target::Legacy));
    let opf = entry(&legacy.epub, "EPUB/package.opf").unwrap();
    let guide = opf.split("<guide>").nth(1).expect("a guide element");
    assert!(guide.contains("type=\"toc\""), "{guide}");
    assert!(guide.contains("type=\"text\""), "{guide}");
    assert!(guide.contains("href=\"text/a.xhtml\""), "{guide}");
    assert!(
        opf.trim_end().ends_with("</guide>\n</package>") || opf.contains("</guide>"),
        "{opf}"
    );
    let any = build(&[("a.md", CHAPTER)], None);
    assert!(
        !entry(&any.epub, "EPUB/package.opf")
            .unwrap()
            .contains("<guide>")
    );
}

#[test]
fn legacy_ncx_fragments_are_plain() {
    let text = "---\nlang: en\n---\n\n# Début\n\n## Ça va\n\nSee [below](#ça-va).\n\n## 一二\n\n## toc-1\n";
    let legacy = build(&[("a.md", text.as_bytes())], Some(Target::Legacy));
    let ncx = entry(&legacy.epub, "EPUB/toc.ncx").unwrap();
    let sources: Vec<&str> = tokens(&ncx)
        .filter_map(|token| match token {
            Token::Start {
                name: "content",
                markup,
                ..
            } => quire::kepub::attribute(markup, "src"),
            _ => None,
        })
        .collect();
    assert_eq!(sources.len(), 4, "{ncx}");
    let chapter = entry(&legacy.epub, "EPUB/text/a.xhtml").unwrap();
    let nav = entry(&legacy.epub, "EPUB/nav.xhtml").unwrap();
    for source in &sources {
        let Some((document, fragment)) = source.split_once('#') else {
            continue;
        };
        assert_eq!(document, "text/a.xhtml");
        assert!(
            fragment
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_:.".contains(c)),
            "{fragment}"
        );
        assert!(
            chapter.contains(&format!("id=\"{fragment}\"")),
            "no id {fragment} in {chapter}"
        );
        assert!(
            nav.contains(&format!("href=\"{source}\"")),
            "nav does not link {source}: {nav}"
        );
    }
    assert_eq!(
        chapter.matches("id=\"toc-1\"").count(),
        1,
        "a new id clashes: {chapter}"
    );
    let link = sources[1].split_once('#').unwrap().1;
    assert!(
        chapter.contains(&format!("href=\"#{link}\"")),
        "the link in the text follows the id: {chapter}"
    );

    let any = build(&[("a.md", text.as_bytes())], None);
    assert!(entry(&any.epub, "EPUB/toc.ncx").unwrap().contains("#ça-va"));
}

#[test]
fn legacy_warns_var_in_book_stylesheet() {
    let text = b"---\nlang: en\ncss: style.css\n---\n\n# A\n";
    let css = b":root { --gap: 1em; }\np { margin: var(--gap); }\n";
    let files: [(&str, &[u8]); 2] = [("a.md", text), ("style.css", css)];
    let legacy = build(&files, Some(Target::Legacy));
    assert!(
        has_warning(&legacy, "uses var()"),
        "{:?}",
        warnings(&legacy)
    );
    assert!(!has_warning(&build(&files, None), "var()"));
}

/// Collects the text of a document's body, outside the elements KEPUB
/// leaves alone, from the spans alone (`spans`) or from every text node.
fn body_text(document: &str, spans: bool) -> String {
    let mut text = String::new();
    let mut in_body = false;
    let mut skipped = 0usize;
    let mut span_depth = 0usize;
    let mut open: Vec<bool> = Vec::new();
    for token in tokens(document) {
        match token {
            Token::Start {
                name,
                markup,
                empty,
            } => {
                if name == "body" {
                    in_body = true;
                }
                if empty {
                    continue;
                }
                let is_span = quire::kepub::attribute(markup, "class") == Some("koboSpan");
                open.push(is_span);
                if is_span {
                    span_depth += 1;
                }
                let leaves_alone = [
                    "pre", "math", "svg", "script", "style", "time", "rp", "option", "textarea",
                ];
                if skipped > 0 || leaves_alone.contains(&name) {
                    skipped += 1;
                }
            }
            Token::End { .. } => {
                if open.pop() == Some(true) {
                    span_depth -= 1;
                }
                skipped = skipped.saturating_sub(1);
            }
            Token::Text(raw) if in_body && skipped == 0 => {
                if spans && span_depth == 0 {
                    assert!(raw.trim().is_empty(), "text outside a span: {raw:?}");
                    continue;
                }
                if !raw.trim().is_empty() {
                    text.push_str(&unescape(raw).expect("XML text"));
                }
            }
            _ => {}
        }
    }
    text
}

const SHORT_CHAPTER: &str = "---\ntitle: Spans\nlang: en\n---\n\n# A short chapter\n\nThe first sentence. The second one! Is this the third? \"Yes,\" she said. Dr. Smith\nsaid *three words*, then [a link](#a-short-chapter).\n\n> A quote. With two sentences.\n\n- One item. Two.\n- Fish & chips, 1 < 2.\n\n```\ncode. stays. whole.\n```\n\nSee 3.14 and e.g. this.[^1]\n\n[^1]: A note. Its second sentence.\n";

#[test]
fn kepub_spans_match_golden() {
    let kobo = build(
        &[("spans.md", SHORT_CHAPTER.as_bytes())],
        Some(Target::Kobo),
    );
    let chapter = entry(&kobo.epub, "EPUB/text/spans.xhtml").unwrap();
    let golden = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/kepub/chapter.xhtml");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(golden.parent().unwrap()).unwrap();
        std::fs::write(&golden, &chapter).unwrap();
    }
    let expected = std::fs::read_to_string(&golden).unwrap_or_else(|error| {
        panic!(
            "{}: {error}; run UPDATE_GOLDEN=1 cargo test --test targets",
            golden.display()
        )
    });
    assert_eq!(
        chapter,
        expected,
        "KEPUB chapter differs from {}",
        golden.display()
    );
}

#[test]
fn kepub_spans_read_back_chapter_text() {
    let plain = build(&[("spans.md", SHORT_CHAPTER.as_bytes())], None);
    let kobo = build(
        &[("spans.md", SHORT_CHAPTER.as_bytes())],
        Some(Target::Kobo),
    );
    let before = entry(&plain.epub, "EPUB/text/spans.xhtml").unwrap();
    let after = entry(&kobo.epub, "EPUB/text/spans.xhtml").unwrap();
    let chapter_text = body_text(&before, false);
    assert!(
        chapter_text.contains("Fish & chips, 1 < 2."),
        "{chapter_text}"
    );
    assert_eq!(body_text(&after, true), chapter_text);
    assert!(
        after.contains("<pre><code>code. stays. whole.\n</code></pre>"),
        "{after}"
    );
}
