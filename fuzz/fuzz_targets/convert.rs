//! Any bytes as a chapter, and the same bytes as the image, SVG,
//! stylesheet and metadata file of a fixed chapter. Each conversion returns
//! an error or a book whose every content document is well-formed and safe.
//! It never panics or hangs.
#![no_main]

use std::io::Read;

use libfuzzer_sys::fuzz_target;

#[path = "safety.rs"]
mod safety;

/// A chapter that uses every other file of the book.
const USER: &[u8] = b"# Uses\n\n![image](image.png) ![drawing](drawing.svg)\n\n<img src=\"image.png\" alt=\"raw\">\n";

fuzz_target!(|data: &[u8]| {
    let file = |path: &str, bytes: &[u8]| quire::InputFile {
        path: path.to_string(),
        bytes: bytes.to_vec(),
        modified: Some(0),
    };

    // The bytes as Markdown.
    let book = quire::Book {
        files: vec![file("chapter.md", data)],
        chapters: Some(vec!["chapter.md".to_string()]),
    };
    check(quire::convert(&book, &quire::Options::default()));

    // The bytes as every other kind of file.
    let book = quire::Book {
        files: vec![
            file("user.md", USER),
            file("image.png", data),
            file("drawing.svg", data),
            file("style.css", data),
            file("meta.yaml", data),
        ],
        chapters: Some(vec!["user.md".to_string()]),
    };
    let mut options = quire::Options::default();
    options.metadata.css = Some(vec!["style.css".to_string()]);
    options.metadata_file = Some("meta.yaml".to_string());
    // The metadata file's title, authors and language reach the made cover,
    // the labels and the layout.
    options.auto_cover = true;
    options.vertical = true;
    check(quire::convert(&book, &options));
    options.metadata_file = None;
    options.metadata.cover_image = Some("drawing.svg".to_string());
    check(quire::convert(&book, &options));
});

/// Asserts the property on every content document of a finished book.
fn check(result: Result<quire::Output, quire::Error>) {
    let Ok(output) = result else { return };

    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(output.epub))
        .expect("Quire writes a readable zip");
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).expect("readable entry");
        let name = entry.name().expect("UTF-8 entry name").to_string();
        if !name.ends_with(".xhtml") {
            continue;
        }
        let mut text = String::new();
        entry
            .read_to_string(&mut text)
            .expect("content documents are UTF-8");
        safety::assert_safe(&name, &text);
    }
}
