//! Any bytes as a chapter, beside an image and a stylesheet made of the
//! same bytes: the conversion returns an error or a book whose every
//! content document is well-formed and safe. It never panics or hangs.
#![no_main]

use std::io::Read;

use libfuzzer_sys::fuzz_target;

#[path = "safety.rs"]
mod safety;

fuzz_target!(|data: &[u8]| {
    let file = |path: &str| quire::InputFile {
        path: path.to_string(),
        bytes: data.to_vec(),
        modified: Some(0),
    };
    let book = quire::Book {
        files: vec![file("chapter.md"), file("image.png"), file("style.css"), file("cover.svg")],
        chapters: Some(vec!["chapter.md".to_string()]),
    };
    let Ok(output) = quire::convert(&book, &quire::Options::default()) else { return };

    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(output.epub)).expect("Quire writes a readable zip");
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).expect("readable entry");
        let name = entry.name().expect("UTF-8 entry name").to_string();
        if !name.ends_with(".xhtml") {
            continue;
        }
        let mut text = String::new();
        entry.read_to_string(&mut text).expect("content documents are UTF-8");
        safety::assert_safe(&name, &text);
    }
});
