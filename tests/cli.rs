//! The `quire` command run as a user runs it: files on disk in, an EPUB
//! file and messages out.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Output};

const QUIRE: &str = env!("CARGO_BIN_EXE_quire");

/// Runs `quire` in `dir` with a fixed `SOURCE_DATE_EPOCH`.
fn quire(dir: &Path, args: &[&str]) -> Output {
    Command::new(QUIRE)
        .args(args)
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .expect("quire runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn write(dir: &Path, path: &str, contents: &[u8]) {
    let path = dir.join(path);
    std::fs::create_dir_all(path.parent().expect("has a parent")).expect("creatable folder");
    std::fs::write(path, contents).expect("writable file");
}

/// Returns the named entry of an EPUB as text.
fn entry(epub: &Path, name: &str) -> Option<String> {
    let bytes = std::fs::read(epub).expect("the book exists");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    let mut file = archive.by_name(name).ok()?;
    let mut text = String::new();
    file.read_to_string(&mut text).expect("UTF-8 entry");
    Some(text)
}

fn entry_names(epub: &Path) -> Vec<String> {
    let bytes = std::fs::read(epub).expect("the book exists");
    let archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    archive
        .file_names()
        .map(|name| name.expect("a UTF-8 entry name").to_string())
        .collect()
}

/// A 1x1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53,
    0xde, 0x00, 0x00, 0x00, 0x0c, 0x49, 0x44, 0x41, 0x54, 0x08, 0xd7, 0x63, 0xf8, 0xcf, 0xc0, 0x00,
    0x00, 0x03, 0x01, 0x01, 0x00, 0x18, 0xdd, 0x8d, 0xb0, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e,
    0x44, 0xae, 0x42, 0x60, 0x82,
];

#[test]
fn files_become_chapters_in_order() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "b.md", b"# Second\n");
    write(dir.path(), "a.txt", b"# First\n\nSee [the second](b.md).\n");
    let output = quire(
        dir.path(),
        &["a.txt", "b.md", "-o", "book.epub", "--lang", "en"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "book.epub");

    let opf = entry(&dir.path().join("book.epub"), "EPUB/package.opf").expect("package document");
    let first = opf.find("idref=\"c-a\"").expect("a.txt is a chapter");
    let second = opf.find("idref=\"c-b\"").expect("b.md is a chapter");
    assert!(first < second, "chapters keep the command line's order");
    let chapter = entry(&dir.path().join("book.epub"), "EPUB/text/a.xhtml").expect("chapter a");
    assert!(
        chapter.contains("<a href=\"b.xhtml\">the second</a>"),
        "{chapter}"
    );
}

#[test]
fn single_file_split_at_level_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        "notes.md",
        b"# One\n\ntext\n\n# Two\n\n[back](#one)\n",
    );
    let output = quire(dir.path(), &["notes.md", "--lang", "en"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let epub = dir.path().join("notes.epub");
    let names = entry_names(&epub);
    assert!(
        names.contains(&"EPUB/text/notes-one.xhtml".to_string()),
        "{names:?}"
    );
    assert!(
        names.contains(&"EPUB/text/notes-two.xhtml".to_string()),
        "{names:?}"
    );
    let two = entry(&epub, "EPUB/text/notes-two.xhtml").expect("second chapter");
    assert!(two.contains("href=\"notes-one.xhtml#one\""), "{two}");
}

#[test]
fn folder_uses_summary_order() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        "book/src/SUMMARY.md",
        b"# Summary\n\n- [Zeta](zeta.md)\n- [Alpha](alpha.md)\n",
    );
    write(dir.path(), "book/src/alpha.md", b"# Alpha\n");
    write(dir.path(), "book/src/zeta.md", b"# Zeta\n");
    let output = quire(dir.path(), &["book", "-o", "out.epub", "--lang", "en"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let opf = entry(&dir.path().join("out.epub"), "EPUB/package.opf").expect("package document");
    assert!(opf.find("c-zeta").expect("zeta") < opf.find("c-alpha").expect("alpha"));
}

#[test]
fn folder_without_summary_natural_order() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "book/ch10.md", b"# Ten\n");
    write(dir.path(), "book/ch2.md", b"# Two\n");
    let output = quire(dir.path(), &["book", "-o", "out.epub", "--lang", "en"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let opf = entry(&dir.path().join("out.epub"), "EPUB/package.opf").expect("package document");
    assert!(
        opf.find("idref=\"c-ch2\"").expect("ch2") < opf.find("idref=\"c-ch10\"").expect("ch10")
    );
}

#[test]
fn accented_names_sort_and_keep_base_letters() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        "book/Überblick.md",
        "---\ntitle: Reise\nlang: de\n---\n\n# Überblick\n\n![Grüße](Grüße.png)\n".as_bytes(),
    );
    write(dir.path(), "book/Zweite Straße.md", "# Straße\n".as_bytes());
    write(dir.path(), "book/Grüße.png", PNG);
    let output = quire(dir.path(), &["book", "-o", "out.epub"]);
    assert!(output.status.success(), "{}", stderr(&output));
    // Überblick.md comes first, so its metadata block is read.
    assert!(!stderr(&output).contains("warning"), "{}", stderr(&output));

    let epub = dir.path().join("out.epub");
    let names = entry_names(&epub);
    for name in [
        "EPUB/text/uberblick.xhtml",
        "EPUB/text/zweite-strasse.xhtml",
        "EPUB/images/grusse.png",
    ] {
        assert!(
            names.iter().any(|entry| entry == name),
            "{name} in {names:?}"
        );
    }
    let opf = entry(&epub, "EPUB/package.opf").expect("package document");
    assert!(opf.contains("<dc:language>de</dc:language>"), "{opf}");
    assert!(
        opf.find("idref=\"c-uberblick\"").expect("Überblick")
            < opf
                .find("idref=\"c-zweite-strasse\"")
                .expect("Zweite Straße")
    );
}

#[test]
fn flags_set_metadata_cover_and_css() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        "book.md",
        b"---\ntitle: From YAML\nlang: fr\n---\n\n# Heading\n",
    );
    write(dir.path(), "art/cover.jpg", PNG);
    write(dir.path(), "extra.css", b"p { text-indent: 1em; }\n");
    let output = quire(
        dir.path(),
        &[
            "book.md",
            "--title",
            "T & U",
            "--author",
            "A",
            "--author",
            "B",
            "--lang",
            "de",
            "--cover",
            "art/cover.jpg",
            "--css",
            "extra.css",
            "-o",
            "book.epub",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let epub = dir.path().join("book.epub");
    let opf = entry(&epub, "EPUB/package.opf").expect("package document");
    assert!(
        opf.contains("<dc:title id=\"title\">T &amp; U</dc:title>"),
        "flags override YAML: {opf}"
    );
    assert!(opf.contains(">A</dc:creator>"), "{opf}");
    assert!(opf.contains(">B</dc:creator>"), "{opf}");
    assert!(opf.contains("<dc:language>de</dc:language>"));
    assert!(opf.contains("properties=\"cover-image\""));
    assert!(
        opf.contains("href=\"images/cover.png\""),
        "the cover's type comes from its bytes"
    );
    let chapter = entry(&epub, "EPUB/text/book.xhtml").expect("chapter");
    let default_css = chapter.find("quire.css").expect("default stylesheet");
    let user_css = chapter.find("extra.css").expect("user stylesheet");
    assert!(
        default_css < user_css,
        "the user's stylesheet comes after the default one"
    );
}

#[test]
fn metadata_file_between_block_and_flags() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        "book.md",
        b"---\ntitle: Block\npublisher: Block Press\n---\n\n# H\n",
    );
    write(dir.path(), "meta.yaml", b"title: File\nlang: it\n");
    let output = quire(
        dir.path(),
        &[
            "book.md",
            "--metadata-file",
            "meta.yaml",
            "--publisher",
            "Flag Press",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let opf = entry(&dir.path().join("book.epub"), "EPUB/package.opf").expect("package document");
    assert!(opf.contains(">File</dc:title>"));
    assert!(opf.contains("<dc:language>it</dc:language>"));
    assert!(opf.contains(">Flag Press</dc:publisher>"));
}

#[test]
fn warnings_name_file_and_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        "ch.md",
        b"# Title\n\ntext\n\n![alt words](missing.png)\n",
    );
    let output = quire(dir.path(), &["ch.md", "--lang", "en"]);
    assert!(output.status.success());
    let messages = stderr(&output);
    assert!(
        messages.contains("ch.md:5: warning: image \"missing.png\" not found"),
        "{messages}"
    );
    let chapter = entry(&dir.path().join("ch.epub"), "EPUB/text/ch.xhtml").expect("chapter");
    assert!(
        chapter.contains("alt words"),
        "the alt text stays in the book"
    );
}

#[test]
fn strict_turns_warnings_into_failure() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "ch.md", b"# Title\n\n![alt](missing.png)\n");
    let output = quire(
        dir.path(),
        &["ch.md", "--lang", "en", "--strict", "-o", "out.epub"],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("--strict"), "{}", stderr(&output));
    assert!(!dir.path().join("out.epub").exists(), "no book is written");
}

#[test]
fn repeated_input_warned() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "a.md", b"# A\n\nText.\n");
    write(dir.path(), "b.md", b"# B\n\nText.\n");
    let output = quire(
        dir.path(),
        &["a.md", "b.md", "a.md", "--lang", "en", "-o", "out.epub"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(
            "quire: warning: a.md is given 2 times, so the book has it as a chapter 2 times"
        ),
        "{}",
        stderr(&output)
    );
    assert!(
        !stderr(&output).contains("b.md is given"),
        "{}",
        stderr(&output)
    );

    // With --strict it stops the book like any other warning.
    let output = quire(
        dir.path(),
        &[
            "a.md",
            "a.md",
            "--lang",
            "en",
            "--strict",
            "-o",
            "strict.epub",
        ],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("1 warning(s)"),
        "{}",
        stderr(&output)
    );
    assert!(!dir.path().join("strict.epub").exists());
}

#[test]
fn invalid_utf8_fails_naming_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "latin1.md", b"# Caf\xe9\n");
    let output = quire(dir.path(), &["latin1.md", "-o", "out.epub"]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.starts_with("quire: error: latin1.md is not valid UTF-8"),
        "{message}"
    );
    assert_eq!(message.lines().count(), 1, "a one-line reason: {message}");
    assert!(!dir.path().join("out.epub").exists());
}

#[test]
fn failure_keeps_existing_book() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "ch.md", b"# Fine\n");
    write(dir.path(), "out.epub", b"the previous book");
    let output = quire(
        dir.path(),
        &["ch.md", "--cover", "nope.png", "-o", "out.epub"],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("--cover nope.png: file not found"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        std::fs::read(dir.path().join("out.epub")).expect("still there"),
        b"the previous book"
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("listable")
        .filter_map(Result::ok)
        .filter(|entry| entry.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "no temporary file is left behind");
}

#[test]
fn missing_input_fails() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = quire(dir.path(), &["absent.md"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("absent.md"), "{}", stderr(&output));
}

#[test]
fn images_beside_chapter_in_subfolder() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        "part/ch.md",
        b"# Pictures\n\n![one](img/my%20pic.png) ![two](<img/my pic.png>)\n",
    );
    write(dir.path(), "part/img/my pic.png", PNG);
    let output = quire(
        dir.path(),
        &["part/ch.md", "--lang", "en", "-o", "out.epub"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stderr(&output).is_empty(), "{}", stderr(&output));
    let names = entry_names(&dir.path().join("out.epub"));
    let images: Vec<&String> = names
        .iter()
        .filter(|name| name.starts_with("EPUB/images/"))
        .collect();
    assert_eq!(images, ["EPUB/images/my-pic.png"], "stored once");
}

#[test]
fn same_input_same_bytes() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "ch.md", b"# Same\n\nText.\n");
    assert!(
        quire(dir.path(), &["ch.md", "-o", "one.epub"])
            .status
            .success()
    );
    assert!(
        quire(dir.path(), &["ch.md", "-o", "two.epub"])
            .status
            .success()
    );
    let one = std::fs::read(dir.path().join("one.epub")).expect("one");
    let two = std::fs::read(dir.path().join("two.epub")).expect("two");
    assert_eq!(one, two);
    let opf = entry(&dir.path().join("one.epub"), "EPUB/package.opf").expect("package document");
    assert!(
        opf.contains("2023-11-14T22:13:20Z"),
        "modified time from SOURCE_DATE_EPOCH: {opf}"
    );
}

#[test]
fn modified_time_from_newest_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "ch.md", b"# Dated\n");
    let file = std::fs::File::options()
        .write(true)
        .open(dir.path().join("ch.md"))
        .expect("open");
    file.set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000))
        .expect("set time");
    let output = Command::new(QUIRE)
        .args(["ch.md", "--lang", "en"])
        .current_dir(dir.path())
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .expect("runs");
    assert!(output.status.success());
    let opf = entry(&dir.path().join("ch.epub"), "EPUB/package.opf").expect("package document");
    assert!(opf.contains("2001-09-09T01:46:40Z"), "{opf}");
}

#[test]
fn unusable_output_paths_explained() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "book/a.md", b"# A\n\nText.\n");
    write(
        dir.path(),
        "story.epub",
        b"# Story\n\nMarkdown with an odd name.\n",
    );
    write(dir.path(), "notes", b"a file\n");
    std::fs::create_dir(dir.path().join("out")).expect("folder made");
    write(dir.path(), "style.css", b"p { margin: 0 }\n");
    let cases: [(&[&str], &str); 7] = [
        (
            &["book", "-o", "out"],
            "the output out names a folder; give a file path for the book, such as out/book.epub",
        ),
        (
            &["book", "-o", "notes/book.epub"],
            "cannot write notes/book.epub: notes is a file, not a folder; choose a path in an existing folder",
        ),
        (
            &["book", "-o", "missing/book.epub"],
            "cannot write missing/book.epub: folder missing does not exist; choose a path in an existing folder",
        ),
        (
            &["book", "-o", "missing/"],
            "the output missing/ names a folder; give a file path for the book, such as missing/book.epub",
        ),
        (
            &["book", "-o", "book"],
            "the output book names a folder; give a file path for the book, such as book/book.epub",
        ),
        (
            &["book", "-o", "style.css"],
            "the output style.css exists and is not an EPUB; choose another -o path",
        ),
        (
            &["story.epub"],
            "the output story.epub is also an input; give -o with another path so the Markdown is not overwritten; to check an EPUB instead, run: quire check story.epub",
        ),
    ];
    for (args, message) in cases {
        let output = quire(dir.path(), args);
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        assert!(
            stderr(&output).contains(message),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    assert_eq!(
        std::fs::read_dir(dir.path().join("out"))
            .expect("listed")
            .count(),
        0
    );
    assert_eq!(
        std::fs::read(dir.path().join("story.epub")).expect("still there"),
        b"# Story\n\nMarkdown with an odd name.\n"
    );
    assert_eq!(
        std::fs::read(dir.path().join("style.css")).expect("still there"),
        b"p { margin: 0 }\n"
    );

    // The book made last time is an EPUB, and is replaced.
    let output = quire(dir.path(), &["book", "-o", "book.epub", "--lang", "en"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let output = quire(dir.path(), &["book", "-o", "book.epub", "--lang", "en"]);
    assert!(output.status.success(), "{}", stderr(&output));
}

#[test]
fn output_over_input_rejected() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "victim.md", b"# Keep me\n");
    let output = quire(dir.path(), &["victim.md", "-o", "victim.md"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("is also an input"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        std::fs::read(dir.path().join("victim.md")).expect("still there"),
        b"# Keep me\n"
    );
}

#[test]
fn image_as_chapter_rejected() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "picture.png", PNG);
    let output = quire(dir.path(), &["picture.png", "-o", "out.epub"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("picture.png is not a text file (it looks like a PNG image)"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn invalid_utf8_chapter_named_from_here() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "book/a.md", b"# A\n\nText.\n");
    write(dir.path(), "book/deep/b.md", b"# B\n\nCaf\xe9.\n");
    let output = quire(dir.path(), &["book", "-o", "out.epub", "--lang", "en"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("quire: error: book/deep/b.md is not valid UTF-8 text"),
        "{}",
        stderr(&output)
    );
    assert!(!dir.path().join("out.epub").exists());
}

#[test]
fn binary_chapter_in_folder_named_from_here() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "book/a.md", b"# A\n\nText.\n");
    let mut binary = vec![0u8; 64];
    binary.extend(b"\xff\xfe not text");
    write(dir.path(), "book/sub/data.md", &binary);
    let output = quire(dir.path(), &["book", "-o", "out.epub", "--lang", "en"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains(
            "book/sub/data.md is not a text file (it looks like a binary file); every .md file in the book's folder is a chapter; move it out of the folder"
        ),
        "{}",
        stderr(&output)
    );

    // Reached through `..`, the file is named from where the command runs.
    let output = Command::new(QUIRE)
        .args(["..", "-o", "../../out.epub", "--lang", "en"])
        .current_dir(dir.path().join("book/sub"))
        .output()
        .expect("runs");
    assert!(
        stderr(&output).contains("quire: error: data.md is not a text file"),
        "{}",
        stderr(&output)
    );

    // Listed in a SUMMARY.md, the advice is about the summary.
    write(
        dir.path(),
        "book/SUMMARY.md",
        b"# Summary\n\n- [A](a.md)\n- [Data](sub/data.md)\n",
    );
    let output = quire(dir.path(), &["book", "-o", "out.epub", "--lang", "en"]);
    assert!(
        stderr(&output).contains(
            "book/sub/data.md is not a text file (it looks like a binary file); book/SUMMARY.md lists it as a chapter; link a Markdown file there instead"
        ),
        "{}",
        stderr(&output)
    );

    // Given alone, the file is named as given, with the usual advice.
    let output = quire(dir.path(), &["book/sub/data.md", "-o", "out.epub"]);
    assert!(
        stderr(&output).contains(
            "book/sub/data.md is not a text file (it looks like a binary file); give Markdown files as chapters"
        ),
        "{}",
        stderr(&output)
    );
    assert!(!dir.path().join("out.epub").exists());
}

#[test]
fn output_over_missing_image_rejected() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        "notes.md",
        b"# Notes\n\n![Plan](img/plan.png)\n",
    );
    std::fs::create_dir(dir.path().join("img")).expect("folder made");
    let output = quire(
        dir.path(),
        &["notes.md", "-o", "./img/plan.png", "--lang", "en"],
    );

    // And from a book folder, whose path is relative.
    write(dir.path(), "folder/a.md", b"# A\n\n![Map](../map.png)\n");
    let from_folder = quire(dir.path(), &["folder", "-o", "map.png", "--lang", "en"]);
    assert_eq!(from_folder.status.code(), Some(1));
    assert!(
        stderr(&from_folder)
            .contains("the output map.png is an image the book shows, which is missing"),
        "{}",
        stderr(&from_folder)
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains(
            "the output ./img/plan.png is an image the book shows, which is missing; choose another -o path"
        ),
        "{}",
        stderr(&output)
    );
    assert!(!dir.path().join("img/plan.png").exists());
}

#[test]
fn unsafe_svg_cover_rejected() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "ch.md", b"# Cover\n");
    write(dir.path(), "cover.svg", br#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="1" height="1"/></svg>"#);
    let output = quire(
        dir.path(),
        &["ch.md", "--cover", "cover.svg", "-o", "out.epub"],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("cover image cover.svg cannot be used"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn impossible_date_warned_and_dropped() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "ch.md", b"# Dated\n");
    let output = quire(
        dir.path(),
        &["ch.md", "--lang", "en", "--date", "2024-02-30"],
    );
    assert!(output.status.success());
    assert!(
        stderr(&output).contains("date \"2024-02-30\""),
        "{}",
        stderr(&output)
    );
    let opf = entry(&dir.path().join("ch.epub"), "EPUB/package.opf").expect("package document");
    assert!(!opf.contains("dc:date"), "{opf}");
}

#[test]
fn author_mistakes_get_warnings() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "ch.md", b"---\ntitel: Typo\nlang: english\n---\n\n# Heading\n\nText.\n\n[^unused]: Never referred to.\n");
    let output = quire(dir.path(), &["ch.md"]);
    assert!(output.status.success());
    let messages = stderr(&output);
    assert!(messages.contains("did you mean `title`"), "{messages}");
    assert!(
        messages.contains(
            "language \"english\" is not a valid BCP 47 tag such as \"en\" or \"pt-BR\"; used \"en\""
        ),
        "{messages}"
    );
    assert!(!messages.contains("no language given"), "{messages}");
    assert!(
        messages.contains("ch.md:10: warning: footnote [^unused] is defined but never referred to"),
        "{messages}"
    );
}

#[test]
fn invalid_lang_keeps_book_language() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        "ch.md",
        b"---\nlang: fr\n---\n\n# Titre\n\nUn texte.\n",
    );
    let output = quire(dir.path(), &["ch.md", "--lang", "english"]);
    assert!(output.status.success());
    let messages = stderr(&output);
    assert!(
        messages.contains("language \"english\" from --lang is not a valid BCP 47 tag such as \"en\" or \"pt-BR\"; used \"fr\" from the metadata block"),
        "{messages}"
    );
    assert_eq!(messages.matches("warning:").count(), 1, "{messages}");
    let opf = entry(&dir.path().join("ch.epub"), "EPUB/package.opf").expect("package document");
    assert!(opf.contains("<dc:language>fr</dc:language>"), "{opf}");
}

#[test]
fn lang_flag_trimmed_or_empty() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        "ch.md",
        b"---\nlang: de\n---\n\n# Titel\n\nEin Text.\n",
    );
    // Spaces around a tag are dropped, as the page's field drops them.
    let output = quire(
        dir.path(),
        &["ch.md", "--lang", " fr ", "-o", "spaced.epub"],
    );
    assert!(output.status.success());
    assert_eq!(stderr(&output), "", "with --lang ' fr '");
    let opf = entry(&dir.path().join("spaced.epub"), "EPUB/package.opf").expect("package document");
    assert!(opf.contains("<dc:language>fr</dc:language>"), "{opf}");

    // An empty --lang leaves the book's own language.
    let output = quire(dir.path(), &["ch.md", "--lang", "", "-o", "empty.epub"]);
    assert!(output.status.success());
    assert_eq!(stderr(&output), "", "with --lang ''");
    let opf = entry(&dir.path().join("empty.epub"), "EPUB/package.opf").expect("package document");
    assert!(opf.contains("<dc:language>de</dc:language>"), "{opf}");
}

#[test]
fn unclosed_metadata_block_warned() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        "ch.md",
        b"---\ntitle: Never closed\n\n# Heading\n",
    );
    let output = quire(dir.path(), &["ch.md", "--lang", "en"]);
    assert!(output.status.success());
    assert!(
        stderr(&output).contains("ch.md:1: warning: the file starts with ---"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn oversized_image_left_out() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        "ch.md",
        b"# Big\n\n![a huge picture](huge.png)\n",
    );
    let mut huge = PNG.to_vec();
    huge.resize(51 * 1024 * 1024, 0);
    write(dir.path(), "huge.png", &huge);
    let output = quire(dir.path(), &["ch.md", "--lang", "en"]);
    assert!(output.status.success());
    let messages = stderr(&output);
    assert!(
        messages.contains("image \"huge.png\" is 51.0 MB, over the 50.0 MB limit"),
        "{messages}"
    );
    let names = entry_names(&dir.path().join("ch.epub"));
    assert!(
        !names.iter().any(|name| name.starts_with("EPUB/images/")),
        "{names:?}"
    );
}

#[test]
fn quoted_headings_stay_out_of_contents() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        "ch.md",
        b"# Real\n\n> # Quoted heading\n\n- ## In a list\n\n## Also real\n",
    );
    let output = quire(dir.path(), &["ch.md", "--lang", "en"]);
    assert!(output.status.success());
    let nav = entry(&dir.path().join("ch.epub"), "EPUB/nav.xhtml").expect("nav");
    assert!(nav.contains(">Also real</a>"), "{nav}");
    assert!(!nav.contains("Quoted heading"), "{nav}");
    assert!(!nav.contains("In a list"), "{nav}");
}

#[test]
fn folder_includes_and_images_read() {
    let dir = tempfile::tempdir().expect("temp dir");
    let book = dir.path().join("book");
    write(
        &book,
        "intro.md",
        b"# Intro\n\n![A dot](img/dot.png)\n\n```rust\n{{#include listings/main.rs}}\n```\n",
    );
    write(&book, "img/dot.png", PNG);
    write(
        &book,
        "listings/main.rs",
        b"fn main() { println!(\"listed\"); }\n",
    );
    write(&book, "listings/unused.rs", b"fn unused() {}\n");

    let output = quire(dir.path(), &["book", "-o", "book.epub", "--lang", "en"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let epub = dir.path().join("book.epub");
    let chapter = entry(&epub, "EPUB/text/intro.xhtml").expect("the chapter");
    assert!(
        chapter.contains("listed"),
        "the include was read: {chapter}"
    );
    let names = entry_names(&epub);
    assert!(
        names.iter().any(|name| name.ends_with("dot.png")),
        "{names:?}"
    );
    assert!(
        !names.iter().any(|name| name.contains("unused")),
        "{names:?}"
    );
}

/// Sets a file's modification time to `seconds` after the Unix epoch.
fn set_modified(path: &Path, seconds: u64) {
    std::fs::File::options()
        .write(true)
        .open(path)
        .expect("open")
        .set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(seconds))
        .expect("set time");
}

#[test]
fn mdbook_folder_read_as_its_summary_names() {
    let dir = tempfile::tempdir().expect("temp dir");
    let book = dir.path().join("book");
    write(
        &book,
        "book.toml",
        b"[book]\ntitle = \"Named\"\nlanguage = \"en\"\n",
    );
    write(
        &book,
        "src/SUMMARY.md",
        b"# Summary\n\n- [Two](two.md)\n- [One](one.md)\n",
    );
    write(&book, "src/one.md", b"# One\n\n![A dot](../art/dot.png)\n");
    write(
        &book,
        "src/two.md",
        b"# Two\n\n![Secret](.drafts/dot.png)\n",
    );
    write(&book, "art/dot.png", PNG);
    // A hidden file is not part of the book, even when a chapter names it,
    // as on the page; an unlisted chapter is not either.
    write(&book, "src/.drafts/dot.png", PNG);
    write(&book, "src/draft.md", b"# Draft\n");
    // Files the book does not use leave its date alone: build output in
    // the folder, say, written after the chapters.
    write(&book, "target/debug/output.txt", b"built\n");
    for path in [
        "book.toml",
        "src/SUMMARY.md",
        "src/one.md",
        "src/two.md",
        "art/dot.png",
    ] {
        set_modified(&book.join(path), 1_000_000_000);
    }
    set_modified(&book.join("src/one.md"), 1_000_000_060);
    set_modified(&book.join("src/draft.md"), 1_500_000_000);
    set_modified(&book.join("target/debug/output.txt"), 1_500_000_000);

    let output = Command::new(QUIRE)
        .args(["book", "-o", "book.epub"])
        .current_dir(dir.path())
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .expect("runs");
    assert!(output.status.success(), "{}", stderr(&output));
    let warnings = stderr(&output);
    assert!(
        warnings.contains("src/two.md:3") && warnings.contains(".drafts/dot.png"),
        "the hidden image is missing: {warnings}"
    );
    assert!(
        warnings.contains("book/src/.drafts/dot.png exists but is hidden"),
        "why it is missing: {warnings}"
    );
    let epub = dir.path().join("book.epub");
    let opf = entry(&epub, "EPUB/package.opf").expect("package document");
    assert!(
        opf.contains("<meta property=\"dcterms:modified\">2001-09-09T01:47:40Z</meta>"),
        "the newest file used is src/one.md: {opf}"
    );
    let names = entry_names(&epub);
    assert!(
        names.contains(&"EPUB/text/two.xhtml".to_string()),
        "{names:?}"
    );
    assert!(
        names.contains(&"EPUB/text/one.xhtml".to_string()),
        "{names:?}"
    );
    assert!(
        !names.iter().any(|name| name.contains("draft")),
        "{names:?}"
    );
    let images: Vec<&String> = names
        .iter()
        .filter(|name| name.contains("images/"))
        .collect();
    assert_eq!(images.len(), 1, "{names:?}");
}

#[test]
fn mdbook_chapter_missing_from_folder_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let book = dir.path().join("book");
    write(&book, "src/SUMMARY.md", b"# Summary\n\n- [Gone](gone.md)\n");
    let output = quire(dir.path(), &["book", "-o", "book.epub", "--lang", "en"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("src/gone.md"),
        "{}",
        stderr(&output)
    );
    assert!(!dir.path().join("book.epub").exists());
}
/// Returns a PNG signature and IHDR chunk for an image of the given size,
/// which is all Quire reads of a cover.
fn png_header(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = PNG[..16].to_vec();
    bytes.extend(width.to_be_bytes());
    bytes.extend(height.to_be_bytes());
    bytes.extend(&PNG[24..]);
    bytes
}

#[test]
fn auto_cover_made_from_title() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        "book.md",
        b"---\ntitle: Fish & Chips\nauthor: Ann\nlang: en\n---\n\n# One\n",
    );
    let output = quire(dir.path(), &["book.md", "--cover", "auto"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let epub = dir.path().join("book.epub");

    let opf = entry(&epub, "EPUB/package.opf").expect("package document");
    assert!(
        opf.contains(
            "href=\"images/cover.svg\" media-type=\"image/svg+xml\" properties=\"cover-image\""
        ),
        "{opf}"
    );
    assert!(opf.contains("<itemref idref=\"cover-page\" />"), "{opf}");
    let svg = entry(&epub, "EPUB/images/cover.svg").expect("the made cover");
    assert!(svg.contains(">Fish &amp; Chips</text>"), "{svg}");
    assert!(svg.contains(">Ann</text>"), "{svg}");
    let cover_page = entry(&epub, "EPUB/cover.xhtml").expect("cover page");
    assert!(
        cover_page.contains("src=\"images/cover.svg\""),
        "{cover_page}"
    );
    let nav = entry(&epub, "EPUB/nav.xhtml").expect("navigation document");
    assert!(
        nav.contains("<a epub:type=\"cover\" href=\"cover.xhtml\">Cover</a>"),
        "{nav}"
    );
}

#[test]
fn math_becomes_mathml() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        "ch.md",
        b"# Math\n\nInline $a^2 < b$ and shown:\n\n$$\\frac{1}{2}$$\n\nBad $\\nosuch{x}$ here.\n",
    );
    let output = quire(dir.path(), &["ch.md", "-o", "book.epub", "--lang", "en"]);
    assert!(output.status.success(), "{}", stderr(&output));

    let epub = dir.path().join("book.epub");
    let chapter = entry(&epub, "EPUB/text/ch.xhtml").expect("the chapter");
    assert!(
        chapter.contains("<math xmlns=\"http://www.w3.org/1998/Math/MathML\" display=\"inline\" alttext=\"a^2 &lt; b\">"),
        "{chapter}"
    );
    assert!(
        chapter.contains("display=\"block\" alttext=\"\\frac{1}{2}\""),
        "{chapter}"
    );
    assert!(
        chapter.contains("<code class=\"math-tex\">$\\nosuch{x}$</code>"),
        "{chapter}"
    );
    let opf = entry(&epub, "EPUB/package.opf").expect("package document");
    assert!(
        opf.contains(
            "href=\"text/ch.xhtml\" media-type=\"application/xhtml+xml\" properties=\"mathml\""
        ),
        "{opf}"
    );
    let warnings = stderr(&output);
    assert!(
        warnings.contains("ch.md:7: warning: formula $\\nosuch{x}$ could not be converted to MathML (unknown primitive command found)"),
        "{warnings}"
    );
}

#[test]
fn auto_cover_yields_to_given_cover() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        "book.md",
        b"---\ntitle: T\nlang: en\ncover-image: front.png\n---\n\n# One\n",
    );
    write(dir.path(), "front.png", PNG);
    let output = quire(dir.path(), &["book.md", "--cover", "auto"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let epub = dir.path().join("book.epub");
    let names = entry_names(&epub);
    assert!(
        names.contains(&"EPUB/images/front.png".to_string()),
        "{names:?}"
    );
    assert!(
        !names.contains(&"EPUB/images/cover.svg".to_string()),
        "{names:?}"
    );
}

#[test]
fn missing_flag_files_named_with_flag() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "book.md", b"# One\n");
    let output = quire(dir.path(), &["book.md", "--css", "gone.css"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output)
            .contains("--css gone.css: file not found; give a path relative to the current folder"),
        "{}",
        stderr(&output)
    );
    assert!(!dir.path().join("book.epub").exists());

    // An absolute path gets no advice about relative ones.
    let absolute = dir.path().join("gone.css");
    let output = quire(
        dir.path(),
        &["book.md", "--css", absolute.to_str().expect("UTF-8 path")],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("gone.css: file not found; check the path"),
        "{}",
        stderr(&output)
    );

    let output = quire(dir.path(), &["book.md", "--metadata-file", "gone.yaml"]);
    assert!(
        stderr(&output).contains("--metadata-file gone.yaml: file not found"),
        "{}",
        stderr(&output)
    );
    std::fs::create_dir(dir.path().join("art")).expect("folder made");
    let output = quire(dir.path(), &["book.md", "--cover", "art"]);
    assert!(
        stderr(&output).contains("--cover art: is a folder, not a file"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn made_cover_warning_for_kindle() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "book.md", b"# One\n");
    let output = quire(
        dir.path(),
        &[
            "book.md", "--lang", "en", "--cover", "auto", "--target", "kindle",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("is the made cover, an SVG image"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn cover_named_auto_needs_path() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "book.md", b"# One\n");
    write(dir.path(), "auto", PNG);
    let output = quire(
        dir.path(),
        &["book.md", "--lang", "en", "--cover", "./auto"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let names = entry_names(&dir.path().join("book.epub"));
    assert!(
        names.contains(&"EPUB/images/auto.png".to_string()),
        "{names:?}"
    );
}

#[test]
fn large_cover_warned_and_kept() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "book.md", b"# One\n");
    write(dir.path(), "wide.png", &png_header(12_000, 800));
    let mut heavy = png_header(1600, 2560);
    heavy.resize(5 * 1024 * 1024, 0);
    write(dir.path(), "heavy.png", &heavy);

    let output = quire(
        dir.path(),
        &["book.md", "--lang", "en", "--cover", "wide.png"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(
            "wide.png: warning: cover image is 12000 × 800 pixels, over 10000 pixels a side"
        ),
        "{}",
        stderr(&output)
    );
    let names = entry_names(&dir.path().join("book.epub"));
    assert!(
        names.contains(&"EPUB/images/wide.png".to_string()),
        "{names:?}"
    );

    let output = quire(
        dir.path(),
        &["book.md", "--lang", "en", "--cover", "heavy.png"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("heavy.png: warning: cover image is 5.0 MB, over 4.0 MB"),
        "{}",
        stderr(&output)
    );

    let output = quire(
        dir.path(),
        &[
            "book.md",
            "--lang",
            "en",
            "--cover",
            "heavy.png",
            "--strict",
            "-o",
            "strict.epub",
        ],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
}

#[test]
fn style_flag_adds_rules() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "book.md", b"# One\n\nText.\n");
    let plain = quire(dir.path(), &["book.md", "--lang", "en", "-o", "plain.epub"]);
    assert!(plain.status.success(), "{}", stderr(&plain));
    let classic = quire(
        dir.path(),
        &[
            "book.md",
            "--lang",
            "en",
            "--style",
            "classic",
            "-o",
            "classic.epub",
        ],
    );
    assert!(classic.status.success(), "{}", stderr(&classic));

    let plain_css = entry(&dir.path().join("plain.epub"), "EPUB/styles/quire.css").expect("css");
    let classic_css =
        entry(&dir.path().join("classic.epub"), "EPUB/styles/quire.css").expect("css");
    assert!(
        classic_css.starts_with(&plain_css),
        "classic adds to the default"
    );
    assert!(classic_css.contains("font-family: serif"), "{classic_css}");
    assert!(!plain_css.contains("font-family: serif"), "{plain_css}");
}

#[test]
fn unknown_style_is_usage_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "book.md", b"# One\n");
    let output = quire(dir.path(), &["book.md", "--style", "fancy"]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(message.contains("fancy"), "{message}");
    assert!(message.contains("plain"), "lists the styles: {message}");
    assert!(message.contains("classic"), "lists the styles: {message}");
}

#[test]
fn vertical_sets_writing_mode() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "book.md", "# 一\n\n縦書きの本。\n".as_bytes());
    let output = quire(dir.path(), &["book.md", "--lang", "ja", "--vertical"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let epub = dir.path().join("book.epub");
    let css = entry(&epub, "EPUB/styles/quire.css").expect("css");
    assert!(css.contains("writing-mode: vertical-rl;"), "{css}");
    let opf = entry(&epub, "EPUB/package.opf").expect("package document");
    assert!(
        opf.contains("<spine toc=\"ncx\" page-progression-direction=\"rtl\">"),
        "{opf}"
    );
}

#[test]
fn vertical_ignored_for_latin_book() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "book.md", b"# One\n\nText.\n");
    let output = quire(dir.path(), &["book.md", "--lang", "de", "--vertical"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("vertical writing is only for Chinese, Japanese and Korean books, and this book's language is \"de\""),
        "{}",
        stderr(&output)
    );
    let epub = dir.path().join("book.epub");
    let css = entry(&epub, "EPUB/styles/quire.css").expect("css");
    assert!(!css.contains("vertical-rl"), "{css}");
    let opf = entry(&epub, "EPUB/package.opf").expect("package document");
    assert!(!opf.contains("page-progression-direction"), "{opf}");
}

#[test]
fn rtl_language_sets_direction() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        "book.md",
        "# שלום\n\nטקסט בעברית.\n\nEnglish text, version 2.0.\n".as_bytes(),
    );
    let output = quire(dir.path(), &["book.md", "--lang", "he"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let epub = dir.path().join("book.epub");
    let opf = entry(&epub, "EPUB/package.opf").expect("package document");
    assert!(opf.contains("xml:lang=\"he\" dir=\"rtl\""), "{opf}");
    assert!(opf.contains("page-progression-direction=\"rtl\""), "{opf}");
    let chapter = entry(&epub, "EPUB/text/book.xhtml").expect("chapter");
    assert!(
        chapter.contains("lang=\"he\" xml:lang=\"he\" dir=\"rtl\""),
        "{chapter}"
    );
    assert!(chapter.contains("<p>טקסט בעברית.</p>"), "{chapter}");
    assert!(
        chapter.contains("<p dir=\"ltr\">English text, version 2.0.</p>"),
        "{chapter}"
    );
    let css = entry(&epub, "EPUB/styles/quire.css").expect("css");
    assert!(
        css.contains("border-right: 0.2em solid currentColor"),
        "{css}"
    );
}

#[test]
fn given_progression_direction_wins() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "book.md", "# كتاب\n".as_bytes());
    let output = quire(
        dir.path(),
        &[
            "book.md",
            "--lang",
            "ar",
            "--page-progression-direction",
            "ltr",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let opf = entry(&dir.path().join("book.epub"), "EPUB/package.opf").expect("package document");
    assert!(opf.contains("page-progression-direction=\"ltr\""), "{opf}");
}

#[test]
fn labels_follow_book_language() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        "book.md",
        b"# Eins\n\nText.[^a]\n\n[^a]: Note.\n",
    );
    let output = quire(
        dir.path(),
        &["book.md", "--lang", "de-AT", "--cover", "auto"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let epub = dir.path().join("book.epub");
    let nav = entry(&epub, "EPUB/nav.xhtml").expect("navigation document");
    assert!(nav.contains("<title>Inhalt</title>"), "{nav}");
    assert!(nav.contains("<h1>Inhalt</h1>"), "{nav}");
    assert!(nav.contains("<h2>Orientierungspunkte</h2>"), "{nav}");
    assert!(nav.contains(">Umschlag</a>"), "{nav}");
    assert!(nav.contains(">Titelseite</a>"), "{nav}");
    assert!(nav.contains(">Textbeginn</a>"), "{nav}");
    let chapter = entry(&epub, "EPUB/text/book.xhtml").expect("chapter");
    assert!(chapter.contains("aria-label=\"Anmerkungen\""), "{chapter}");
    assert!(
        chapter.contains("aria-label=\"Zurück zum Text\""),
        "{chapter}"
    );
}

#[test]
fn code_highlighted_with_classes() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        "ch.md",
        b"# Code\n\n```rust,ignore\n# use hidden;\nfn main() {} // done\n```\n\n```text\nfn plain\n```\n",
    );
    let output = quire(dir.path(), &["ch.md", "-o", "book.epub", "--lang", "en"]);
    assert!(output.status.success(), "{}", stderr(&output));

    let epub = dir.path().join("book.epub");
    let chapter = entry(&epub, "EPUB/text/ch.xhtml").expect("the chapter");
    assert!(
        chapter.contains("<pre><code class=\"language-rust\"><span class=\"hl-kw\">fn</span> main() {} <span class=\"hl-com\">// done</span>\n</code></pre>"),
        "the hidden line is left out and the rest highlighted: {chapter}"
    );
    assert!(
        chapter.contains("<code class=\"language-text\">fn plain\n</code>"),
        "{chapter}"
    );
    assert!(!chapter.contains("style="), "no inline style: {chapter}");
    let css = entry(&epub, "EPUB/styles/quire.css").expect("the stylesheet");
    assert!(css.contains(".hl-kw { color:"), "{css}");
    let opf = entry(&epub, "EPUB/package.opf").expect("package document");
    assert!(!opf.contains("mathml"), "no formulas, no mathml property");
}

#[test]
fn kobo_target_names_output_kepub() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "book.md", b"# One\n\nA sentence. Another.\n");
    let output = quire(dir.path(), &["book.md", "--lang", "en", "--target", "kobo"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        "book.kepub.epub"
    );
    let chapter =
        entry(&dir.path().join("book.kepub.epub"), "EPUB/text/book.xhtml").expect("the chapter");
    assert!(
        chapter.contains("id=\"kobo.2.2\">Another.</span>"),
        "{chapter}"
    );

    let output = quire(
        dir.path(),
        &["book.md", "--lang", "en", "--target", "kindle"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "book.epub");
}

#[test]
fn unknown_target_is_usage_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "book.md", b"# One\n");
    let output = quire(dir.path(), &["book.md", "--target", "nook"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("kindle"), "{}", stderr(&output));
}

#[test]
fn folder_walk_order_and_skips() {
    // Chapters at three depths and in several top-level folders keep the
    // natural order. Hidden files and folders are skipped, and a linked
    // file is followed.
    let dir = tempfile::tempdir().expect("temp dir");
    let book = dir.path().join("book");
    write(&book, "a.md", b"# A\n");
    write(&book, "b/c.md", b"# C\n\n![picture](../img/deep/p.svg)\n");
    write(
        &book,
        "b/d/e.md",
        b"# E\n\n```\n{{#include ../../code/x/y/listing.rs}}\n```\n",
    );
    write(&book, "f/g.md", b"# G\n");
    write(&book, "h.md", b"# H\n");
    write(&book, ".hidden.md", b"# Hidden file\n");
    write(&book, ".drafts/i.md", b"# Hidden folder\n");
    write(&book, "code/x/y/listing.rs", b"fn listed() {}\n");
    write(
        &book,
        "img/deep/p.svg",
        b"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1\" height=\"1\"/>",
    );
    write(dir.path(), "outside.md", b"# Linked\n");
    std::os::unix::fs::symlink(dir.path().join("outside.md"), book.join("j.md")).expect("symlink");

    let output = quire(dir.path(), &["book", "-o", "out.epub", "--lang", "en"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let epub = dir.path().join("out.epub");
    let opf = entry(&epub, "EPUB/package.opf").expect("package document");
    let order: Vec<&str> = ["c-a", "c-c", "c-e", "c-g", "c-h", "c-j"]
        .into_iter()
        .filter(|id| opf.contains(&format!("idref=\"{id}\"")))
        .collect();
    assert_eq!(order.len(), 6, "every chapter listed: {opf}");
    let positions: Vec<usize> = order
        .iter()
        .map(|id| opf.find(&format!("idref=\"{id}\"")).expect("listed"))
        .collect();
    assert!(positions.windows(2).all(|pair| pair[0] < pair[1]), "{opf}");
    let names = entry_names(&epub);
    assert!(
        !names
            .iter()
            .any(|name| name.contains("hidden") || name.ends_with("/i.xhtml")),
        "{names:?}"
    );
    assert!(
        names.iter().any(|name| name.ends_with("p.svg")),
        "{names:?}"
    );
    let e = entry(&epub, "EPUB/text/e.xhtml").expect("chapter e");
    assert!(e.contains("listed"), "the include was read: {e}");
}

#[test]
fn max_image_pixels_needs_apple_target() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "ch.md", b"# Pixels\n");
    let warning = "--max-image-pixels applies only with --target apple";

    let output = quire(
        dir.path(),
        &["ch.md", "--lang", "en", "--max-image-pixels", "100"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stderr(&output).contains(warning), "{}", stderr(&output));

    let output = quire(
        dir.path(),
        &[
            "ch.md",
            "--lang",
            "en",
            "--target",
            "apple",
            "--max-image-pixels",
            "100",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(!stderr(&output).contains(warning), "{}", stderr(&output));

    // The help gives the limit the engine uses when none is given.
    let help = quire(dir.path(), &["--help"]);
    let help = String::from_utf8_lossy(&help.stdout).to_string();
    let default = format!("[default: {}]", quire::target::DEFAULT_MAX_IMAGE_PIXELS);
    assert!(help.contains(&default), "{help}");
}

#[test]
fn unreadable_image_fails_naming_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let book = dir.path().join("book");
    write(&book, "src/SUMMARY.md", b"# Summary\n\n- [One](one.md)\n");
    write(&book, "src/one.md", b"# One\n\n![Loop](loop.png)\n");
    // A link to itself exists but cannot be opened, unlike a missing file.
    std::os::unix::fs::symlink("loop.png", book.join("src/loop.png")).expect("symlink");
    let output = quire(dir.path(), &["book", "-o", "book.epub", "--lang", "en"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("cannot read") && stderr(&output).contains("loop.png"),
        "{}",
        stderr(&output)
    );
    assert!(!dir.path().join("book.epub").exists());
}

#[test]
fn folder_with_absolute_stylesheet_path() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(&dir.path().join("book"), "a.md", b"# A\n\nText.\n");
    write(dir.path(), "extra.css", b"p { text-indent: 1em }\n");
    let css = dir.path().join("extra.css");
    let css = css.to_str().expect("UTF-8 path");
    // The folder is given as a relative path and the stylesheet as an
    // absolute one.
    let output = quire(
        dir.path(),
        &["book", "--css", css, "-o", "book.epub", "--lang", "en"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let names = entry_names(&dir.path().join("book.epub"));
    assert!(
        names.iter().any(|name| name.ends_with("extra.css")),
        "{names:?}"
    );
}

#[test]
fn output_over_used_file_rejected() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(&dir.path().join("art"), "pic.png", PNG);
    write(dir.path(), "extra.css", b"p { text-indent: 1em }\n");
    write(
        &dir.path().join("book"),
        "one.md",
        b"# One\n\n![A picture](../art/pic.png)\n",
    );
    let extra_css = dir.path().join("extra.css");
    let extra_css = extra_css.to_str().expect("UTF-8 path");
    let convert_to = |output_path: &str| {
        quire(
            dir.path(),
            &[
                "book",
                "--css",
                extra_css,
                "-o",
                output_path,
                "--lang",
                "en",
            ],
        )
    };
    // An image beside the folder, and a stylesheet given with --css.
    for (output_path, original) in [
        ("art/pic.png", PNG),
        ("extra.css", b"p { text-indent: 1em }\n".as_slice()),
    ] {
        let output = convert_to(output_path);
        assert_eq!(output.status.code(), Some(1), "{output_path}");
        assert!(
            stderr(&output).contains("is a file the book uses; choose another -o path"),
            "{}",
            stderr(&output)
        );
        assert_eq!(
            std::fs::read(dir.path().join(output_path)).expect("still there"),
            original
        );
    }
    let output = convert_to("book.epub");
    assert!(output.status.success(), "{}", stderr(&output));
}

#[cfg(unix)]
#[test]
fn output_through_folder_link_rejected() {
    let dir = tempfile::tempdir().expect("temp dir");
    let book = dir.path().join("book");
    write(&book, "a.md", b"# A\n\nText.\n");
    write(&book, "b.md", b"# B\n\nMore.\n");
    std::os::unix::fs::symlink("book", dir.path().join("link")).expect("link made");

    // The folder given one way, the output named through the other.
    for (input, output_path) in [
        ("book", "link/a.md"),
        ("link", "book/b.md"),
        ("book", "link/new.md"),
    ] {
        let output = quire(dir.path(), &[input, "-o", output_path, "--lang", "en"]);
        assert_eq!(output.status.code(), Some(1), "{input} -o {output_path}");
        assert!(
            stderr(&output).contains("is in the book's folder"),
            "{}",
            stderr(&output)
        );
    }
    assert_eq!(
        std::fs::read(book.join("a.md")).expect("kept"),
        b"# A\n\nText.\n"
    );
    assert_eq!(
        std::fs::read(book.join("b.md")).expect("kept"),
        b"# B\n\nMore.\n"
    );
    assert!(!book.join("new.md").exists());

    // A link elsewhere to a chapter of the folder is a file the book uses.
    std::os::unix::fs::symlink("book/a.md", dir.path().join("chapter-link.md")).expect("link made");
    let output = quire(
        dir.path(),
        &["book", "-o", "chapter-link.md", "--lang", "en"],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("is a file the book uses"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        std::fs::read(book.join("a.md")).expect("kept"),
        b"# A\n\nText.\n"
    );
}

#[test]
fn output_over_folder_file_rejected() {
    let dir = tempfile::tempdir().expect("temp dir");
    let book = dir.path().join("book");
    write(&book, "src/SUMMARY.md", b"# Summary\n\n- [One](one.md)\n");
    write(&book, "src/one.md", b"# One\n");
    let output = quire(
        dir.path(),
        &["book", "-o", "book/src/one.md", "--lang", "en"],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("is in the book's folder"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        std::fs::read(book.join("src/one.md")).expect("still there"),
        b"# One\n"
    );
    // A new file there would become part of the book on the next run.
    for new_file in ["book/src/notes.md", "book/notes.txt"] {
        let output = quire(dir.path(), &["book", "-o", new_file, "--lang", "en"]);
        assert_eq!(output.status.code(), Some(1), "{new_file}");
        assert!(!dir.path().join(new_file).exists(), "{new_file}");
    }
    // An EPUB in the folder, such as the last one made, may be replaced.
    write(&book, "book.epub", b"PK\x03\x04 an older book");
    let output = quire(
        dir.path(),
        &["book", "-o", "book/book.epub", "--lang", "en"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(entry(&book.join("book.epub"), "EPUB/package.opf").is_some());
}

#[test]
fn folder_link_to_itself_walked_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let book = dir.path().join("book");
    write(&book, "a.md", b"# A\n\nText.\n");
    std::os::unix::fs::symlink(".", book.join("again")).expect("symlink");
    let output = quire(dir.path(), &["book", "-o", "book.epub", "--lang", "en"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let names = entry_names(&dir.path().join("book.epub"));
    let chapters: Vec<&String> = names
        .iter()
        .filter(|name| name.starts_with("EPUB/text/"))
        .collect();
    assert_eq!(chapters, ["EPUB/text/a.xhtml"], "{names:?}");
}

#[test]
fn source_date_epoch_out_of_range_rejected() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "a.md", b"# A\n");
    for value in ["253402300800", "-1", "soon"] {
        let output = Command::new(QUIRE)
            .args(["a.md", "--lang", "en"])
            .current_dir(dir.path())
            .env("SOURCE_DATE_EPOCH", value)
            .output()
            .expect("runs");
        assert_eq!(output.status.code(), Some(1), "{value}");
        assert!(
            stderr(&output).contains("SOURCE_DATE_EPOCH must be whole seconds since 1970"),
            "{value}: {}",
            stderr(&output)
        );
    }
    assert!(!dir.path().join("a.epub").exists());
}

#[test]
fn summary_without_links_warned() {
    let dir = tempfile::tempdir().expect("temp dir");
    let book = dir.path().join("book");
    write(&book, "SUMMARY.md", b"# Summary\n\nNothing yet.\n");
    write(&book, "b.md", b"# B\n");
    write(&book, "a.md", b"# A\n");
    let output = quire(dir.path(), &["book", "-o", "book.epub", "--lang", "en"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("book/SUMMARY.md: warning: this summary links to no chapter file"),
        "{}",
        stderr(&output)
    );
    let names = entry_names(&dir.path().join("book.epub"));
    assert!(
        names.contains(&"EPUB/text/a.xhtml".to_string()),
        "{names:?}"
    );
    assert!(
        names.contains(&"EPUB/text/b.xhtml".to_string()),
        "{names:?}"
    );
}
