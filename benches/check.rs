//! Criterion benchmark of the EPUB checker on the Rust book's EPUB, made
//! in memory from `tests/corpus/rust-book` as the command-line tool makes
//! it. `cargo bench --bench check` runs it; `-- --quick` takes a few
//! seconds.

use std::borrow::Cow;
use std::fs;
use std::hint::black_box;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use quire::check::Scanned;
use quire::{Book, InputFile, Options};

/// Reads every file under `dir` that is not hidden, with its path relative
/// to `base`, as `src/main.rs` does for a folder.
fn read_folder(base: &Path, dir: &Path, files: &mut Vec<InputFile>) {
    let mut paths: Vec<PathBuf> = fs::read_dir(dir)
        .expect("corpus folder is readable")
        .map(|entry| entry.expect("corpus entry is readable").path())
        .collect();
    paths.sort();
    for path in paths {
        let hidden = path
            .file_name()
            .and_then(|name| name.to_str())
            .is_some_and(|name| name.starts_with('.'));
        if hidden {
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

fn check(criterion: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/rust-book");
    let mut files = Vec::new();
    read_folder(&root, &root, &mut files);
    let book = Book {
        files,
        chapters: None,
    };
    let output = quire::convert(&book, &Options::default()).expect("the Rust book converts");
    assert!(
        output.findings.is_empty(),
        "the checker found problems in the Rust book: {:?}",
        output.findings
    );

    let mut group = criterion.benchmark_group("check");
    group.throughput(Throughput::Bytes(output.epub.len() as u64));
    group.bench_function(
        format!("check_epub on the Rust book ({} bytes)", output.epub.len()),
        |bench| bench.iter(|| quire::check::check_epub(black_box(&output.epub)).len()),
    );
    // As a conversion checks its book: the documents were scanned while
    // the archive was written, and the other entries are known.
    group.bench_function(
        format!(
            "check_epub_scanned on the Rust book ({} bytes)",
            output.epub.len()
        ),
        |bench| {
            bench.iter_batched(
                || scanned_entries(&output.epub),
                |(known, scanned)| {
                    let known = known
                        .iter()
                        .map(|(name, bytes)| (name.clone(), Cow::Borrowed(bytes.as_slice())))
                        .collect();
                    quire::check::check_epub_scanned(black_box(&output.epub), known, scanned).len()
                },
                BatchSize::LargeInput,
            )
        },
    );
    group.finish();
}

/// Entries by name, with their bytes or with a document's scan.
type Named<T> = Vec<(String, T)>;

/// Returns the entries of `epub` after `mimetype` as a conversion ends
/// with them: the scans of its XHTML and SVG documents, and the bytes of
/// the others.
fn scanned_entries(epub: &[u8]) -> (Named<Vec<u8>>, Named<Scanned>) {
    let mut archive = zip::ZipArchive::new(Cursor::new(epub)).expect("the EPUB is a zip archive");
    let mut known = Vec::new();
    let mut scanned = Vec::new();
    for index in 0..archive.len() {
        let mut file = archive.by_index(index).expect("entry is readable");
        let name = file.name().expect("entry name is UTF-8").into_owned();
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).expect("entry decompresses");
        match quire::check::scan_entry(&name, &bytes) {
            Some(scan) => scanned.push((name, scan)),
            None if name != "mimetype" => known.push((name, bytes)),
            None => {}
        }
    }
    (known, scanned)
}

criterion_group!(benches, check);
criterion_main!(benches);
