//! A generated book with a chapter far over the size of one content
//! document, for the splitting tests and the EPUBCheck gate.

/// Sections in the large chapter. Each is about 9 KB of Markdown, so the
/// chapter is about 540 KB, two or three content documents.
pub const SECTIONS: usize = 60;

/// Returns the large chapter: sections with headings, links to earlier and
/// later sections, footnotes, an image and a table.
pub fn large_chapter() -> String {
    let mut text = String::from("---\nlang: en\n---\n\n# A Very Long Chapter\n\n");
    text.push_str(
        "This chapter is long enough to be split. Jump to [the last section](#section-60).\n\n",
    );
    for section in 1..=SECTIONS {
        text.push_str(&format!("## Section {section}\n\n"));
        for paragraph in 0..8 {
            text.push_str(&format!(
                "Paragraph {paragraph} of section {section}. {}\n\n",
                "The quick brown fox jumps over the lazy dog, again and again. ".repeat(16)
            ));
        }
        let earlier = section.saturating_sub(7).max(1);
        let later = (section + 13).min(SECTIONS);
        text.push_str(&format!(
            "See [section {earlier}](#section-{earlier}) and [section {later}](#section-{later}), and a note.[^note-{section}]\n\n"
        ));
        if section % 20 == 0 {
            text.push_str("| a | b |\n|---|---|\n| 1 | 2 |\n\n");
        }
        text.push_str(&format!("[^note-{section}]: The note of section {section}, which refers [back to the start](#a-very-long-chapter).\n\n"));
    }
    text
}

/// Returns a short chapter that links into the large one.
pub fn short_chapter() -> String {
    "# After\n\nBack to [section 2](big.md#section-2), [section 45](big.md#section-45) and [the chapter](big.md).\n".to_string()
}
