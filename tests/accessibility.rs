//! The accessibility metadata follows each book's content, and the
//! writer warns about what an author can fix: images with no alt text,
//! skipped heading levels, tables with no header row and unclear links.

use std::io::Read;

use quire::{Book, InputFile, Options, Output, convert};

/// A 1x1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

fn convert_markdown(markdown: &str) -> Output {
    convert_markdown_in(markdown, "en")
}

/// Converts `markdown`, with a PNG beside it as `dot.png`, into a book in
/// the language `lang`.
fn convert_markdown_in(markdown: &str, lang: &str) -> Output {
    let book = Book {
        files: vec![
            InputFile {
                path: "book.md".to_string(),
                bytes: markdown.as_bytes().to_vec(),
                modified: Some(1_700_000_000),
            },
            InputFile {
                path: "dot.png".to_string(),
                bytes: PNG.to_vec(),
                modified: Some(1_700_000_000),
            },
        ],
        chapters: None,
    };
    let options = Options {
        metadata: quire::Metadata {
            lang: Some(lang.to_string()),
            ..Default::default()
        },
        ..Default::default()
    };
    convert(&book, &options).expect("converts")
}

fn package_document(output: &Output) -> String {
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(&output.epub)).expect("a readable zip");
    let mut opf = String::new();
    archive
        .by_name("EPUB/package.opf")
        .expect("package document")
        .read_to_string(&mut opf)
        .expect("UTF-8");
    opf
}

/// Returns the values of the `meta` elements with `property`.
fn meta_values(opf: &str, property: &str) -> Vec<String> {
    let document = roxmltree::Document::parse(opf).expect("well-formed package document");
    document
        .descendants()
        .filter(|node| node.has_tag_name("meta") && node.attribute("property") == Some(property))
        .map(|node| node.text().unwrap_or("").to_string())
        .collect()
}

fn warning_messages(output: &Output) -> Vec<String> {
    output
        .warnings
        .iter()
        .map(|warning| warning.to_string())
        .collect()
}

#[test]
fn text_book_metadata_is_textual() {
    let output = convert_markdown("---\ntitle: Plain\n---\n# One\n\nText.\n\n## Two\n\nMore.\n");
    let opf = package_document(&output);
    assert_eq!(meta_values(&opf, "schema:accessMode"), ["textual"]);
    assert_eq!(
        meta_values(&opf, "schema:accessModeSufficient"),
        ["textual"]
    );

    let features = meta_values(&opf, "schema:accessibilityFeature");
    for feature in [
        "structuralNavigation",
        "tableOfContents",
        "readingOrder",
        "displayTransformability",
    ] {
        assert!(
            features.iter().any(|f| f == feature),
            "{feature}: {features:?}"
        );
    }
    assert!(
        !features.iter().any(|f| f == "alternativeText"),
        "{features:?}"
    );
    assert!(!features.iter().any(|f| f == "MathML"), "{features:?}");

    assert_eq!(meta_values(&opf, "schema:accessibilityHazard"), ["none"]);
    assert_eq!(
        meta_values(&opf, "dcterms:conformsTo"),
        ["EPUB Accessibility 1.1 - WCAG 2.1 Level AA"]
    );
    let summary = meta_values(&opf, "schema:accessibilitySummary");
    assert_eq!(summary.len(), 1);
    assert!(summary[0].contains("no images"), "{summary:?}");
    assert!(
        output.warnings.is_empty(),
        "{:?}",
        warning_messages(&output)
    );
}

#[test]
fn described_image_claims_alternative_text() {
    let output = convert_markdown("# One\n\n![A red dot](dot.png)\n");
    let opf = package_document(&output);
    assert_eq!(
        meta_values(&opf, "schema:accessMode"),
        ["textual", "visual"]
    );
    assert_eq!(
        meta_values(&opf, "schema:accessModeSufficient"),
        ["textual", "textual,visual"]
    );
    let features = meta_values(&opf, "schema:accessibilityFeature");
    assert!(
        features.iter().any(|f| f == "alternativeText"),
        "{features:?}"
    );
}

#[test]
fn image_without_alt_claims_no_alternative_text() {
    let output = convert_markdown("# One\n\n![](dot.png)\n");
    let opf = package_document(&output);
    let features = meta_values(&opf, "schema:accessibilityFeature");
    assert!(
        !features.iter().any(|f| f == "alternativeText"),
        "{features:?}"
    );
    assert_eq!(
        meta_values(&opf, "schema:accessModeSufficient"),
        ["textual,visual"]
    );
    assert!(meta_values(&opf, "dcterms:conformsTo").is_empty());
    let summary = meta_values(&opf, "schema:accessibilitySummary");
    assert!(
        summary[0].contains("Its one image has no text description"),
        "{summary:?}"
    );

    let warnings = warning_messages(&output);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].starts_with("book.md:3: warning: image"),
        "{warnings:?}"
    );
    assert!(warnings[0].contains("no alt text"), "{warnings:?}");
}

#[test]
fn image_without_alt_named_as_written() {
    // The path in the chapter, not the one the image gets in the book.
    let output = convert_markdown("# One\n\n![](./dot.png)\n\n<img src=\"dot.png?v=2\">\n");
    let warnings = warning_messages(&output);
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(
        warnings[0].starts_with("book.md:3: warning: image \"./dot.png\" has no alt text"),
        "{warnings:?}"
    );
    assert!(
        warnings[1].starts_with("book.md:5: warning: image \"dot.png?v=2\" has no alt text"),
        "{warnings:?}"
    );
}

#[test]
fn decorative_raw_image_needs_no_alt() {
    let output = convert_markdown("# One\n\n<img src=\"dot.png\" alt=\"\">\n");
    assert!(
        output.warnings.is_empty(),
        "{:?}",
        warning_messages(&output)
    );
    let output = convert_markdown("# One\n\n<img src=\"dot.png\">\n");
    assert_eq!(output.warnings.len(), 1, "{:?}", warning_messages(&output));
}

#[cfg(feature = "math")]
#[test]
fn formula_claims_mathml() {
    let output = convert_markdown("# One\n\nThe area is $\\pi r^2$.\n");
    let features = meta_values(&package_document(&output), "schema:accessibilityFeature");
    assert!(features.iter().any(|f| f == "MathML"), "{features:?}");
}

#[test]
fn skipped_heading_level_warned() {
    let output = convert_markdown("# One\n\n### Three\n\n## Two\n\n### Three again\n");
    let warnings = warning_messages(&output);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].starts_with("book.md:3: warning: heading level 3 follows level 1"),
        "{warnings:?}"
    );
    assert!(meta_values(&package_document(&output), "dcterms:conformsTo").is_empty());
}

#[test]
fn table_without_header_warned() {
    let empty_head = "# One\n\n|   |   |\n|---|---|\n| a | b |\n";
    let warnings = warning_messages(&convert_markdown(empty_head));
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("table has no header row"),
        "{warnings:?}"
    );

    let raw = "# One\n\n<table><tr><td>a</td></tr></table>\n";
    let warnings = warning_messages(&convert_markdown(raw));
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("table has no header row"),
        "{warnings:?}"
    );

    let headed = "# One\n\n| Name | Age |\n|---|---|\n| a | 1 |\n\n<table><tr><th>x</th></tr><tr><td>1</td></tr></table>\n";
    let output = convert_markdown(headed);
    assert!(
        output.warnings.is_empty(),
        "{:?}",
        warning_messages(&output)
    );
}

#[test]
fn unclear_link_text_warned() {
    let cases = [
        ("See [here](https://example.org/).", "link text \"here\""),
        ("See [click here](#one).", "link text \"click here\""),
        ("See <https://example.org/a>.", "bare URL"),
        ("See https://example.org/b for more.", "bare URL"),
        ("See [](https://example.org/).", "link has no text"),
    ];
    for (text, expected) in cases {
        let output = convert_markdown(&format!("# One\n\n{text}\n"));
        let warnings = warning_messages(&output);
        assert_eq!(warnings.len(), 1, "{text}: {warnings:?}");
        assert!(
            warnings[0].starts_with("book.md:3: warning: "),
            "{warnings:?}"
        );
        assert!(warnings[0].contains(expected), "{text}: {warnings:?}");
    }

    let clear = "# One\n\nRead [the guide](https://example.org/), [![A red dot](dot.png)](#one) or mail <a@example.org>.\n";
    let output = convert_markdown(clear);
    assert!(
        output.warnings.is_empty(),
        "{:?}",
        warning_messages(&output)
    );
}

#[test]
fn metadata_overrides_derived_values() {
    let markdown = "---\naccessibility-feature: [alternativeText, ARIA]\naccessibility-summary: Checked by a person.\nconforms-to: none\ncertified-by: Example Lab\n---\n# One\n\n![](dot.png)\n";
    let opf = package_document(&convert_markdown(markdown));
    assert_eq!(
        meta_values(&opf, "schema:accessibilityFeature"),
        ["alternativeText", "ARIA"]
    );
    assert_eq!(
        meta_values(&opf, "schema:accessibilitySummary"),
        ["Checked by a person."]
    );
    assert!(meta_values(&opf, "dcterms:conformsTo").is_empty());
    assert_eq!(meta_values(&opf, "a11y:certifiedBy"), ["Example Lab"]);
    assert_eq!(
        meta_values(&opf, "schema:accessMode"),
        ["textual", "visual"],
        "not overridden"
    );
}

#[test]
fn cover_image_makes_book_visual() {
    let output = convert_markdown("---\ncover-image: dot.png\n---\n# One\n\nText.\n");
    let opf = package_document(&output);
    assert_eq!(
        meta_values(&opf, "schema:accessMode"),
        ["textual", "visual"]
    );
    let features = meta_values(&opf, "schema:accessibilityFeature");
    assert!(
        features.iter().any(|f| f == "alternativeText"),
        "the cover's alt text is the title: {features:?}"
    );
    let summary = meta_values(&opf, "schema:accessibilitySummary");
    assert!(
        summary[0].contains("Its one image has a text description"),
        "{summary:?}"
    );
}

#[test]
fn non_english_book_marks_summary_english() {
    let output = convert_markdown_in("# Eins\n\nText.\n", "de");
    let opf = package_document(&output);
    assert!(
        opf.contains("<meta property=\"schema:accessibilitySummary\" xml:lang=\"en\">"),
        "{opf}"
    );
}
