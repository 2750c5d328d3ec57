//! Splitting of large content documents. Reading systems built on Adobe's
//! RMSDK, which many older e-ink readers use, are commonly reported to fail
//! on XHTML files much above 300 KB. So a chapter whose document would pass
//! [`MAX_DOCUMENT_BYTES`] is cut into several files, before a heading where
//! one fits and else between two top-level blocks. Every link, table of
//! contents entry and footnote reference that points into a moved part is
//! rewritten to the part's file.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use crate::links::encode_url;
use crate::package::{ChapterDocument, TocEntry};
use crate::xml::{
    attribute_spans, attributes, escape_attribute_into, tag_length, tag_name, unescape,
};

/// The largest content document Quire writes, in bytes of serialized XHTML,
/// unless a single block is larger. It leaves a margin under the 300 KB
/// that RMSDK is reported to handle.
pub const MAX_DOCUMENT_BYTES: usize = 260 * 1024;

/// A top-level element of a chapter body, with the text after it up to the
/// next one.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Block {
    range: Range<usize>,
    /// Whether the element is a heading (`h1` to `h6`).
    is_heading: bool,
    /// The ids of the element and of every element inside it, unescaped.
    ids: Vec<String>,
}

/// A chapter over the limit: how many files it became, and the blocks too
/// large to split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitReport {
    /// The index of the chapter in the list given to [`split_chapters`].
    pub chapter: usize,
    /// How many files the chapter became.
    pub parts: usize,
    /// The size in bytes of each top-level block that alone passes the
    /// budget and so stays whole in a document over the limit.
    pub oversized_blocks: Vec<usize>,
}

/// The chapters after splitting.
pub struct Split {
    pub chapters: Vec<ChapterDocument>,
    /// For each chapter given, the indexes of its parts in `chapters`.
    pub parts_of: Vec<Range<usize>>,
    pub reports: Vec<SplitReport>,
}

/// Splits each chapter whose document would pass `limit` bytes and rewrites
/// links between the documents and in `toc` to follow the moved content.
/// `overhead` returns the size of a chapter's document with an empty body.
/// `used_names` contains the file names (without extension) already in
/// use, which the parts' names avoid.
pub fn split_chapters(
    chapters: Vec<ChapterDocument>,
    toc: &mut Vec<TocEntry>,
    limit: usize,
    overhead: impl Fn(&ChapterDocument) -> usize,
    used_names: &mut HashSet<String>,
) -> Split {
    let mut result = Vec::with_capacity(chapters.len());
    let mut parts_of = Vec::with_capacity(chapters.len());
    let mut reports = Vec::new();
    // (original href, encoded fragment) to the href of the part that
    // contains the id, for every id of a split chapter.
    let mut moved: HashMap<(String, String), String> = HashMap::new();
    // For each document written, the href of the chapter it came from.
    let mut original_of: Vec<String> = Vec::with_capacity(chapters.len());

    for (index, chapter) in chapters.into_iter().enumerate() {
        let first = result.len();
        let budget = limit.saturating_sub(overhead(&chapter));
        if chapter.body.len() <= budget {
            original_of.push(chapter.href.clone());
            result.push(chapter);
            parts_of.push(first..first + 1);
            continue;
        }
        let blocks = top_level_blocks(&chapter.body);
        let groups = group_blocks(&blocks, budget);
        if groups.len() < 2 {
            // One block, or nothing to cut between: it stays whole.
            reports.push(SplitReport {
                chapter: index,
                parts: 1,
                oversized_blocks: vec![chapter.body.len()],
            });
            original_of.push(chapter.href.clone());
            result.push(chapter);
            parts_of.push(first..first + 1);
            continue;
        }

        let oversized_blocks = blocks
            .iter()
            .map(|block| block.range.len())
            .filter(|size| *size > budget)
            .collect();
        let stem = chapter
            .href
            .strip_prefix("text/")
            .and_then(|name| name.strip_suffix(".xhtml"))
            .unwrap_or(&chapter.href)
            .to_string();
        for (number, group) in groups.iter().enumerate() {
            let start = blocks[group.start].range.start;
            let end = blocks[group.end - 1].range.end;
            // The first part also takes any text before the first block.
            let start = if number == 0 { 0 } else { start };
            let end = if group.end == blocks.len() {
                chapter.body.len()
            } else {
                end
            };
            let body = chapter.body[start..end].to_string();
            let (href, id) = if number == 0 {
                (chapter.href.clone(), chapter.id.clone())
            } else {
                let name = unique_name(&format!("{stem}-{}", number + 1), used_names);
                (format!("text/{name}.xhtml"), format!("c-{name}"))
            };
            let ids: HashSet<&String> = blocks[group.clone()]
                .iter()
                .flat_map(|block| &block.ids)
                .collect();
            for id in &ids {
                moved.insert((chapter.href.clone(), encode_url(id)), href.clone());
            }
            let headings = chapter
                .headings
                .iter()
                .filter(|heading| ids.contains(&heading.id))
                .cloned()
                .collect();
            original_of.push(chapter.href.clone());
            result.push(ChapterDocument {
                mathml: chapter.mathml && body.contains("<math"),
                href,
                id,
                title: chapter.title.clone(),
                body,
                headings,
            });
        }
        reports.push(SplitReport {
            chapter: index,
            parts: groups.len(),
            oversized_blocks,
        });
        parts_of.push(first..result.len());
    }

    if !moved.is_empty() {
        for (document, original) in result.iter_mut().zip(&original_of) {
            let rewritten = rewrite_hrefs(&document.body, &document.href, original, &moved);
            if let Some(body) = rewritten {
                document.body = body;
            }
        }
        rewrite_toc(toc, &moved);
    }
    for range in &parts_of {
        if range.len() > 1 {
            add_toc_entries(toc, &result[range.clone()]);
        }
    }
    Split {
        chapters: result,
        parts_of,
        reports,
    }
}

/// Returns `base`, or `base` with a number after it, whichever is not in
/// `used_names`, and adds it there.
fn unique_name(base: &str, used_names: &mut HashSet<String>) -> String {
    let mut name = base.to_string();
    let mut suffix = 2;
    while !used_names.insert(name.clone()) {
        name = format!("{base}-{suffix}");
        suffix += 1;
    }
    name
}

/// Groups consecutive blocks into documents of at most `budget` bytes. A
/// group ends before the last heading that keeps it within the budget, or
/// else before the block that would pass it. A block larger than the
/// budget forms a group of its own. Headings stay with the text they head:
/// a group is never headings alone while text follows, and headings at
/// the end of a group move to the next. So a title is not left alone on a
/// page before its first section, and the headings before a block go with
/// it even when that takes the group a little past the budget.
fn group_blocks(blocks: &[Block], budget: usize) -> Vec<Range<usize>> {
    let size_of = |range: Range<usize>| -> usize {
        blocks[range].iter().map(|block| block.range.len()).sum()
    };
    let has_text = |range: Range<usize>| blocks[range].iter().any(|block| !block.is_heading);
    // Moves a cut before `index` back over the headings right before it,
    // while the group before keeps some text and the next one, with the
    // block at `index`, stays within the budget. A block over the budget
    // passes it anyway, and takes its headings along.
    let before_headings = |start: usize, mut cut: usize, index: usize| {
        let oversized = blocks[index].range.len() > budget;
        while cut > start + 1
            && blocks[cut - 1].is_heading
            && has_text(start..cut - 1)
            && (oversized || size_of(cut - 1..index + 1) <= budget)
        {
            cut -= 1;
        }
        cut
    };
    let mut groups = Vec::new();
    let mut start = 0;
    let mut size = 0;
    for (index, block) in blocks.iter().enumerate() {
        let length = block.range.len();
        if index > start && size + length > budget {
            let heading = (start + 1..=index)
                .rev()
                .find(|&candidate| blocks[candidate].is_heading && has_text(start..candidate));
            if let Some(cut) = heading {
                let cut = before_headings(start, cut, index);
                groups.push(start..cut);
                start = cut;
                size = size_of(cut..index);
            }
            // The blocks after the heading may still not fit with this
            // one, and then the group ends before it too, unless they are
            // only headings, which stay with it.
            if start < index && size + length > budget && has_text(start..index) {
                let cut = before_headings(start, index, index);
                groups.push(start..cut);
                start = cut;
                size = size_of(cut..index);
            }
        }
        size += length;
    }
    if start < blocks.len() {
        groups.push(start..blocks.len());
    }
    groups
}

/// Finds the top-level elements of a well-formed XHTML fragment, as Quire's
/// writers make it. Text between them joins the block before.
///
/// NOTE: a chapter's footnotes are one `<section>`, which is not cut
/// between notes. So notes that together pass the limit stay in one
/// document, with a warning.
fn top_level_blocks(body: &str) -> Vec<Block> {
    let mut blocks: Vec<Block> = Vec::new();
    let mut depth = 0usize;
    let mut index = 0;
    while let Some(offset) = body[index..].find('<') {
        let at = index + offset;
        let rest = &body[at..];
        let end = if rest.starts_with("<!--") {
            rest.find("-->").map_or(rest.len(), |end| end + 3)
        } else if rest.starts_with("<![CDATA[") {
            rest.find("]]>").map_or(rest.len(), |end| end + 3)
        } else if rest.starts_with("<!") || rest.starts_with("<?") {
            rest.find('>').map_or(rest.len(), |end| end + 1)
        } else {
            tag_length(rest)
        };
        let tag = &rest[..end];
        if tag.starts_with("</") {
            depth = depth.saturating_sub(1);
        } else if !tag.starts_with("<!") && !tag.starts_with("<?") {
            if depth == 0 {
                if let Some(last) = blocks.last_mut() {
                    last.range.end = at;
                }
                let name = tag_name(tag);
                blocks.push(Block {
                    range: at..body.len(),
                    is_heading: matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6"),
                    ids: Vec::new(),
                });
            }
            if let Some(id) = attributes(tag)
                .find(|(name, _)| *name == "id" || *name == "xml:id")
                .map(|(_, value)| unescape(value))
                && let Some(block) = blocks.last_mut()
            {
                block.ids.push(id);
            }
            if !tag.ends_with("/>") {
                depth += 1;
            }
        }
        index = at + end;
    }
    blocks
}

/// Rewrites the `href`s of one document's body that point at an id now in
/// another file. `href` is the document's own path and `original` the path
/// of the chapter it came from. Returns `None` when nothing changed.
fn rewrite_hrefs(
    body: &str,
    href: &str,
    original: &str,
    moved: &HashMap<(String, String), String>,
) -> Option<String> {
    let mut out = String::new();
    let mut copied = 0;
    let mut index = 0;
    while let Some(offset) = body[index..].find('<') {
        let at = index + offset;
        let rest = &body[at..];
        if rest.starts_with("<!--") {
            index = at + rest.find("-->").map_or(rest.len(), |end| end + 3);
            continue;
        }
        let end = tag_length(rest);
        let tag = &rest[..end];
        index = at + end;
        if tag.starts_with("</") || tag.starts_with("<!") || tag.starts_with("<?") {
            continue;
        }
        for (name, value) in attribute_spans(tag) {
            if name != "href" {
                continue;
            }
            let written = unescape(&tag[value.clone()]);
            let Some(new) = moved_href(&written, href, original, moved) else {
                continue;
            };
            out.push_str(&body[copied..at + value.start]);
            escape_attribute_into(&mut out, &new);
            copied = at + value.end;
        }
    }
    if copied == 0 {
        return None;
    }
    out.push_str(&body[copied..]);
    Some(out)
}

/// Returns the new form of a link written in the document at `href`, or
/// `None` when its target did not move. Chapters share the `text/` folder,
/// so a link between them names the file alone.
fn moved_href(
    link: &str,
    href: &str,
    original: &str,
    moved: &HashMap<(String, String), String>,
) -> Option<String> {
    let (path, fragment) = link.split_once('#')?;
    let target = if path.is_empty() {
        original.to_string()
    } else if path.contains(['/', ':']) {
        return None;
    } else {
        format!("text/{path}")
    };
    let part = moved.get(&(target, encode_url(fragment)))?;
    let new = if part == href {
        format!("#{fragment}")
    } else {
        format!("{}#{fragment}", part.strip_prefix("text/").unwrap_or(part))
    };
    (new != link).then_some(new)
}

/// Gives each part of a split chapter that no table of contents entry
/// reaches an entry of its own, labelled with the chapter's title and the
/// part's number, so the table of contents reaches every spine item. The
/// entry goes among the chapter entry's children, before the first one
/// that points at a later part.
fn add_toc_entries(toc: &mut Vec<TocEntry>, parts: &[ChapterDocument]) {
    let mut reached = HashSet::new();
    collect_paths(toc, &mut reached);
    let part_of = |href: &str| {
        let path = href.split_once('#').map_or(href, |(path, _)| path);
        parts.iter().position(|part| part.href == path)
    };
    for (number, part) in parts.iter().enumerate().skip(1) {
        if reached.contains(&part.href) {
            continue;
        }
        let entry = TocEntry {
            label: format!("{} ({})", part.title, number + 1),
            href: part.href.clone(),
            children: Vec::new(),
        };
        let siblings = match find_entry(toc, &parts[0].href) {
            Some(chapter) => &mut chapter.children,
            None => &mut *toc,
        };
        let at = siblings
            .iter()
            .position(|sibling| part_of(&sibling.href).is_some_and(|later| later > number))
            .unwrap_or(siblings.len());
        siblings.insert(at, entry);
    }
}

fn collect_paths(entries: &[TocEntry], paths: &mut HashSet<String>) {
    for entry in entries {
        let path = entry
            .href
            .split_once('#')
            .map_or(entry.href.as_str(), |(path, _)| path);
        paths.insert(path.to_string());
        collect_paths(&entry.children, paths);
    }
}

/// Finds the first entry, depth first, whose href is exactly `href`.
fn find_entry<'a>(entries: &'a mut [TocEntry], href: &str) -> Option<&'a mut TocEntry> {
    for entry in entries {
        if entry.href == href {
            return Some(entry);
        }
        if let Some(found) = find_entry(&mut entry.children, href) {
            return Some(found);
        }
    }
    None
}

/// Rewrites the table of contents entries that point at a moved id. Their
/// fragments are ids as written, which the lookup encodes as links do.
fn rewrite_toc(entries: &mut [TocEntry], moved: &HashMap<(String, String), String>) {
    for entry in entries {
        if let Some((path, fragment)) = entry.href.split_once('#')
            && let Some(part) = moved.get(&(path.to_string(), encode_url(fragment)))
        {
            entry.href = format!("{part}#{fragment}");
        }
        rewrite_toc(&mut entry.children, moved);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xhtml::HeadingInfo;

    fn chapter(name: &str, body: String, headings: &[&str]) -> ChapterDocument {
        ChapterDocument {
            href: format!("text/{name}.xhtml"),
            id: format!("c-{name}"),
            title: name.to_string(),
            body,
            headings: headings
                .iter()
                .map(|id| HeadingInfo {
                    level: 2,
                    text: id.to_string(),
                    id: id.to_string(),
                })
                .collect(),
            mathml: false,
        }
    }

    fn paragraphs(count: usize, size: usize) -> String {
        (0..count)
            .map(|_| format!("<p>{}</p>\n", "x".repeat(size)))
            .collect()
    }

    #[test]
    fn blocks_found_at_top_level() {
        let body = "<h2 id=\"a\">A</h2>\n<div><p id=\"b\">x<br/></p><!-- <p> --></div>\n<hr />\n";
        let blocks = top_level_blocks(body);
        assert_eq!(blocks.len(), 3, "{blocks:?}");
        assert!(blocks[0].is_heading);
        assert_eq!(blocks[0].ids, ["a"]);
        assert_eq!(blocks[1].ids, ["b"]);
        assert!(!blocks[1].is_heading);
        assert_eq!(blocks[2].range.end, body.len());
        assert_eq!(
            &body[blocks[1].range.clone()],
            "<div><p id=\"b\">x<br/></p><!-- <p> --></div>\n"
        );
    }

    #[test]
    fn groups_cut_before_heading() {
        let block = |size: usize, is_heading: bool| Block {
            range: 0..size,
            is_heading,
            ids: Vec::new(),
        };
        // Without the heading the cut would fall before the fourth block.
        let blocks = [
            block(10, true),
            block(30, false),
            block(10, true),
            block(30, false),
            block(30, false),
        ];
        assert_eq!(group_blocks(&blocks, 100), [0..2, 2..5]);
        let plain = [block(40, false), block(40, false), block(40, false)];
        assert_eq!(group_blocks(&plain, 100), [0..2, 2..3]);
        let huge = [block(10, false), block(500, false), block(10, false)];
        assert_eq!(group_blocks(&huge, 100), [0..1, 1..2, 2..3]);
        // The heading's group would not fit with the last block.
        let late = [
            block(5, false),
            block(10, true),
            block(80, false),
            block(90, false),
        ];
        assert_eq!(group_blocks(&late, 100), [0..1, 1..3, 3..4]);
    }

    #[test]
    fn groups_keep_headings_with_text() {
        let block = |size: usize, is_heading: bool| Block {
            range: 0..size,
            is_heading,
            ids: Vec::new(),
        };

        // A title, then its first section's heading and text: the title
        // stays with the section instead of making a page of its own.
        let title_first = [
            block(10, true),
            block(10, true),
            block(60, false),
            block(60, false),
        ];
        assert_eq!(group_blocks(&title_first, 100), [0..3, 3..4]);

        // Two headings in a row before the block that passes the budget
        // move to its group, instead of ending the one before.
        let headings_last = [
            block(50, false),
            block(10, true),
            block(10, true),
            block(60, false),
        ];
        assert_eq!(group_blocks(&headings_last, 100), [0..1, 1..4]);

        // Headings before a block over the budget go with it.
        let before_huge = [block(10, true), block(10, true), block(500, false)];
        assert_eq!(group_blocks(&before_huge, 100), vec![0..3]);
        let text_then_huge = [
            block(50, false),
            block(10, true),
            block(10, true),
            block(500, false),
            block(20, false),
        ];
        assert_eq!(group_blocks(&text_then_huge, 100), [0..1, 1..4, 4..5]);

        // Headings stay before a block that fits with them.
        let only_headings = [block(10, true), block(10, true), block(95, false)];
        assert_eq!(group_blocks(&only_headings, 100), vec![0..3]);
    }

    #[test]
    fn small_chapter_unchanged() {
        let mut toc = Vec::new();
        let chapters = vec![chapter("a", paragraphs(3, 10), &[])];
        let split = split_chapters(chapters, &mut toc, 1000, |_| 100, &mut HashSet::new());
        assert_eq!(split.chapters.len(), 1);
        assert!(split.reports.is_empty());
        assert_eq!(split.parts_of.len(), 1);
        assert_eq!(split.parts_of[0], 0..1);
    }

    #[test]
    fn links_follow_moved_ids() {
        let mut body =
            String::from("<h2 id=\"start\">Start</h2>\n<p><a href=\"#end\">to the end</a></p>\n");
        body += &paragraphs(20, 100);
        body += "<h2 id=\"end\">End</h2>\n<p><a href=\"#start\">back</a> <a href=\"#end\">here</a></p>\n";
        body += &paragraphs(5, 100);
        let other = "<p><a href=\"big.xhtml#end\">end</a> <a href=\"big.xhtml\">top</a> <a href=\"big.xhtml#start\">start</a></p>\n";
        let chapters = vec![
            chapter("big", body, &["start", "end"]),
            chapter("other", other.to_string(), &[]),
        ];
        let mut toc = vec![TocEntry {
            label: "Big".into(),
            href: "text/big.xhtml".into(),
            children: vec![TocEntry {
                label: "End".into(),
                href: "text/big.xhtml#end".into(),
                children: Vec::new(),
            }],
        }];
        let mut used_names = HashSet::from(["big".to_string(), "other".to_string()]);
        let split = split_chapters(chapters, &mut toc, 1500, |_| 100, &mut used_names);

        let hrefs: Vec<&str> = split.chapters.iter().map(|c| c.href.as_str()).collect();
        assert!(hrefs.len() >= 3, "{hrefs:?}");
        let last = split.parts_of[0].end - 1;
        let last_href = split.chapters[last].href.clone();
        let last_file = last_href.strip_prefix("text/").expect("in text/");
        assert!(
            split.chapters[last].body.starts_with("<h2 id=\"end\">"),
            "cut before the heading"
        );
        assert!(
            split.chapters[0]
                .body
                .contains(&format!("href=\"{last_file}#end\""))
        );
        assert!(
            split.chapters[last]
                .body
                .contains("href=\"big.xhtml#start\"")
        );
        assert!(split.chapters[last].body.contains("href=\"#end\""));
        let other = &split.chapters[split.parts_of[1].start].body;
        assert!(
            other.contains(&format!("href=\"{last_file}#end\"")),
            "{other}"
        );
        assert!(other.contains("href=\"big.xhtml\""));
        assert!(other.contains("href=\"big.xhtml#start\""));
        assert_eq!(toc[0].href, "text/big.xhtml");
        let end_entry = toc[0]
            .children
            .iter()
            .find(|entry| entry.label == "End")
            .expect("the End entry");
        assert_eq!(end_entry.href, format!("{last_href}#end"));
        assert_eq!(split.chapters[last].headings.len(), 1);
        for chapter in &split.chapters {
            assert!(
                chapter.body.len() <= 1400,
                "{} is {} bytes",
                chapter.href,
                chapter.body.len()
            );
        }
    }

    #[test]
    fn parts_without_headings_get_toc_entries() {
        let mut body = String::from("<h2 id=\"one\">One</h2>\n");
        body += &paragraphs(10, 100);
        body += "<h2 id=\"two\">Two</h2>\n";
        body += &paragraphs(2, 100);
        let chapters = vec![chapter("a", body, &["one", "two"])];
        let mut toc = vec![TocEntry {
            label: "A".into(),
            href: "text/a.xhtml".into(),
            children: vec![TocEntry {
                label: "Two".into(),
                href: "text/a.xhtml#two".into(),
                children: Vec::new(),
            }],
        }];
        let mut used_names = HashSet::from(["a".to_string()]);
        let split = split_chapters(chapters, &mut toc, 700, |_| 100, &mut used_names);
        assert!(split.chapters.len() >= 3, "{:?}", split.chapters.len());
        let children: Vec<(&str, &str)> = toc[0]
            .children
            .iter()
            .map(|entry| (entry.label.as_str(), entry.href.as_str()))
            .collect();
        let last = split.chapters.last().expect("parts");
        assert_eq!(
            children.last().map(|(_, href)| *href),
            Some(format!("{}#two", last.href).as_str())
        );
        assert_eq!(children[0], ("a (2)", "text/a-2.xhtml"), "{children:?}");
        for part in &split.chapters[1..] {
            let reached = children
                .iter()
                .any(|(_, href)| href.starts_with(part.href.as_str()));
            assert!(reached, "{} has no entry: {children:?}", part.href);
        }
    }

    #[test]
    fn part_names_avoid_taken_ones() {
        let chapters = vec![chapter("a", paragraphs(4, 100), &[])];
        let mut used_names = HashSet::from(["a".to_string(), "a-2".to_string()]);
        let split = split_chapters(chapters, &mut Vec::new(), 350, |_| 100, &mut used_names);
        let hrefs: Vec<&str> = split.chapters.iter().map(|c| c.href.as_str()).collect();
        assert_eq!(hrefs[0], "text/a.xhtml");
        assert_eq!(hrefs[1], "text/a-2-2.xhtml");
        let ids: HashSet<&str> = split.chapters.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids.len(), split.chapters.len(), "manifest ids unique");
    }

    #[test]
    fn single_large_block_stays_whole() {
        let body = format!("<pre>{}</pre>\n", "y".repeat(5000));
        let chapters = vec![chapter("a", body.clone(), &[])];
        let split = split_chapters(
            chapters,
            &mut Vec::new(),
            1000,
            |_| 100,
            &mut HashSet::new(),
        );
        assert_eq!(split.chapters.len(), 1);
        assert_eq!(split.chapters[0].body, body);
        assert_eq!(split.reports.len(), 1);
        assert_eq!(split.reports[0].oversized_blocks, [body.len()]);
    }
}
