//! `quire check` run as a user runs it, and the check of every book the
//! `quire` command makes.

use std::path::Path;
use std::process::{Command, Output};

const QUIRE: &str = env!("CARGO_BIN_EXE_quire");

fn quire(dir: &Path, args: &[&str]) -> Output {
    Command::new(QUIRE)
        .args(args)
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .expect("quire runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Converts a one-chapter book in `dir` into `book.epub`.
fn make_book(dir: &Path) {
    std::fs::write(
        dir.join("ch.md"),
        "# Chapter\n\nText with a [link](#chapter).\n",
    )
    .expect("writable");
    let output = quire(dir, &["ch.md", "-o", "book.epub"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        !stderr(&output).contains("EPUB checker"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn check_valid_book_passes() {
    let dir = tempfile::tempdir().expect("temp dir");
    make_book(dir.path());

    let output = quire(dir.path(), &["check", "book.epub"]);

    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert_eq!(stdout(&output), "book.epub: no problems found\n");
}

#[test]
fn check_broken_book_fails() {
    let dir = tempfile::tempdir().expect("temp dir");
    make_book(dir.path());
    let mut bytes = std::fs::read(dir.path().join("book.epub")).expect("readable");
    // The mimetype's text starts at byte 38, after the 30-byte local
    // header and the 8-byte name.
    bytes[38..58].copy_from_slice(b"application/epub+zap");
    std::fs::write(dir.path().join("broken.epub"), &bytes).expect("writable");

    let output = quire(dir.path(), &["check", "broken.epub", "book.epub"]);

    assert_eq!(output.status.code(), Some(1));
    let printed = stdout(&output);
    assert!(
        printed.contains("broken.epub/mimetype: error PKG-007: "),
        "{printed}"
    );
    assert!(
        printed.contains("book.epub: no problems found"),
        "{printed}"
    );
}

#[test]
fn check_not_a_zip_fails() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("notes.epub"), "plain text").expect("writable");

    let output = quire(dir.path(), &["check", "notes.epub"]);

    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).starts_with("notes.epub: fatal PKG-008: "));
}

#[test]
fn check_missing_file_fails() {
    let dir = tempfile::tempdir().expect("temp dir");

    let output = quire(dir.path(), &["check", "absent.epub"]);

    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("absent.epub not found; check the path"),
        "{}",
        stderr(&output)
    );
    assert!(!stderr(&output).contains("os error"), "{}", stderr(&output));
}

#[test]
fn check_folder_fails() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("books")).expect("folder made");

    let output = quire(dir.path(), &["check", "books"]);

    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("books is a folder; give the EPUB file to check"),
        "{}",
        stderr(&output)
    );
    assert!(!stderr(&output).contains("os error"), "{}", stderr(&output));
}

#[test]
fn check_needs_a_file() {
    let dir = tempfile::tempdir().expect("temp dir");

    let output = quire(dir.path(), &["check"]);

    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("quire check"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn help_points_to_check() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = quire(dir.path(), &["--help"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("quire check FILE.epub"),
        "{}",
        stdout(&output)
    );
}
