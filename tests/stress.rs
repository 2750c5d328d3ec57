//! Superlinear input: each test builds a pathological book and converts it.
//! The conversion must finish (or fail cleanly) rather than hang or crash.
//! Time and memory are measured by the benchmarks, not asserted here.
//!
//! The inputs are large, so these run on optimised builds only: `make test`
//! runs `cargo test --release --test stress`.

use std::time::Instant;

use quire::{Book, InputFile, Options, convert};

fn book(text: String) -> Book {
    Book {
        files: vec![InputFile {
            path: "stress.md".to_string(),
            bytes: text.into_bytes(),
            modified: None,
        }],
        chapters: None,
    }
}

/// Converts and reports the time, so a slow case shows in the test log.
fn convert_and_report(name: &str, text: String) -> quire::Output {
    let size = text.len();
    let started = Instant::now();
    let result = convert(&book(text), &Options::default());
    println!("{name}: {size} bytes in {:?}", started.elapsed());
    result.unwrap_or_else(|error| panic!("{name} failed: {error}"))
}

#[test]
#[cfg_attr(debug_assertions, ignore = "large input: run with --release")]
fn nested_block_quotes() {
    let output = convert_and_report("10,000 nested block quotes", "> ".repeat(10_000) + "deep\n");
    assert!(!output.epub.is_empty());
}

#[test]
#[cfg_attr(debug_assertions, ignore = "large input: run with --release")]
fn nested_lists() {
    let text: String = (0..10_000)
        .map(|depth| format!("{}- item\n", "  ".repeat(depth)))
        .collect();
    let output = convert_and_report("10,000 nested lists", text);
    assert!(!output.epub.is_empty());
}

#[test]
#[cfg_attr(debug_assertions, ignore = "large input: run with --release")]
fn many_footnotes() {
    let references: String = (0..100_000)
        .map(|index| format!("Text[^n{index}].\n"))
        .collect();
    let definitions: String = (0..100_000)
        .map(|index| format!("[^n{index}]: Note {index}.\n"))
        .collect();
    let output = convert_and_report(
        "100,000 footnotes",
        format!("# Notes\n\n{references}\n{definitions}"),
    );
    assert!(
        output
            .warnings
            .iter()
            .all(|warning| !warning.message.contains("footnote")),
        "every note is used"
    );
}

#[test]
#[cfg_attr(debug_assertions, ignore = "large input: run with --release")]
fn one_huge_paragraph() {
    let text = "word a_b*c&amp; www.x ".repeat(50 * 1024 * 1024 / 22);
    let output = convert_and_report("a 50 MB paragraph", text);
    assert!(!output.epub.is_empty());
}

#[test]
#[cfg_attr(debug_assertions, ignore = "large input: run with --release")]
fn million_links_one_missing_target() {
    let text = format!("# Links\n\n{}\n", "[x](#missing)\n".repeat(1_000_000));
    let output = convert_and_report("a million links to one missing target", text);
    let warnings: Vec<_> = output
        .warnings
        .iter()
        .filter(|warning| warning.message.contains("#missing"))
        .collect();
    assert_eq!(warnings.len(), 1, "one warning, with a count: {warnings:?}");
    assert!(
        warnings[0].message.contains("999999 more times"),
        "{}",
        warnings[0].message
    );
}

#[test]
#[cfg_attr(debug_assertions, ignore = "large input: run with --release")]
fn heading_repeated() {
    let text = "## Same heading\n\ntext\n\n".repeat(100_000);
    let output = convert_and_report("a heading repeated 100,000 times", text);
    // The chapter is split into several documents, and the last repeat
    // is in the last one.
    let chapter = output.chapters.last().expect("a chapter");
    assert!(
        chapter.body.contains("id=\"same-heading-99999\""),
        "the last repeat has its own id"
    );
}

#[test]
#[cfg_attr(debug_assertions, ignore = "large input: run with --release")]
fn code_blocks_never_closing() {
    // Strings, comments, raw strings and tags that never close, on one
    // 2 MB line, in each kind of tokenizer.
    let line = "\"'/*`<!--{[#$ a1 r#\"R\"x( @x ${ :a &b ".repeat(50_000);
    let text: String = [
        "rust", "cpp", "python", "csharp", "sh", "console", "html", "css", "yaml", "toml",
    ]
    .iter()
    .map(|language| format!("```{language}\n{line}\n```\n\n"))
    .collect();
    let output = convert_and_report("ten 2 MB code blocks that never close", text);
    assert!(
        output.chapters[0].body.contains("<span class=\"hl-"),
        "the blocks are highlighted"
    );
}

#[test]
#[cfg_attr(debug_assertions, ignore = "large input: run with --release")]
fn many_formulas() {
    let text = "Some $x_1 < y^2$ and $\\frac{a}{b}$ with $\\nosuch$.\n".repeat(50_000);
    let output = convert_and_report("150,000 formulas", text);
    // The chapter is split into several documents.
    let count = |pattern: &str| {
        output
            .chapters
            .iter()
            .map(|chapter| chapter.body.matches(pattern).count())
            .sum::<usize>()
    };
    assert_eq!(count("<math "), 100_000);
    assert_eq!(count("class=\"math-tex\""), 50_000);
}
