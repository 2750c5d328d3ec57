//! Navigation (EPUB 3.3, section 7): the navigation document's `toc` nav
//! must reach every spine item, and an NCX, kept for EPUB 2 reading
//! systems, must agree with it.

use std::collections::{BTreeSet, HashMap};

use super::content::Summary;
use super::package::Package;
use super::paths::{self, Target};
use super::{Files, Lines, Report, as_utf8, line_of, parse_xml};

const NCX: &str = "http://www.daisy.org/z3986/2005/ncx/";

/// Checks the `toc` nav and the NCX against the spine.
pub(super) fn check(
    files: &mut Files,
    package: &Package,
    summaries: &HashMap<String, Summary>,
    report: &mut Report,
) {
    let nav_targets = check_toc_nav(package, summaries, report);
    if let Some(ncx) = &package.ncx {
        check_ncx(files, package, ncx, summaries, nav_targets.as_ref(), report);
    }
}

/// Returns the files the `toc` nav reaches, or `None` without a usable
/// navigation document.
fn check_toc_nav(
    package: &Package,
    summaries: &HashMap<String, Summary>,
    report: &mut Report,
) -> Option<BTreeSet<String>> {
    let nav_path = nav_path(package)?;
    let summary = summaries.get(&nav_path)?;
    let Some(toc) = &summary.toc else {
        report.error(
            "RSC-005",
            &nav_path,
            None,
            "the navigation document has no nav element with epub:type=\"toc\"; add the table of contents as one",
        );
        return None;
    };

    let mut reached = BTreeSet::new();
    for link in toc {
        match paths::resolve(&nav_path, &link.url) {
            Target::Local { path, .. } => {
                reached.insert(path);
            }
            Target::SameDocument(_) => {
                reached.insert(nav_path.clone());
            }
            Target::Remote => report.error(
                "NAV-010",
                &nav_path,
                link.line,
                format!("the toc nav links to the web address {}; it must link only to the book's own documents", link.url),
            ),
            _ => {}
        }
    }
    for spine_item in chapters(package, &reached, &nav_path) {
        if !reached.contains(spine_item) {
            report.warning(
                "OPF-058",
                &nav_path,
                None,
                format!("the toc nav has no entry for {spine_item}, so readers cannot reach it from the table of contents; add one"),
            );
        }
    }
    Some(reached)
}

fn nav_path(package: &Package) -> Option<String> {
    package
        .items
        .iter()
        .find(|item| item.properties.iter().any(|property| property == "nav"))?
        .path
        .clone()
}

/// Returns the spine items a table of contents must reach: those from the
/// first one it reaches on, except the navigation document itself.
/// NOTE: spine items before the first entry (a cover or title page) are
/// front matter a reader pages through from the start, so a table of
/// contents without them still reaches them; EPUB 3.3 does not say so.
fn chapters<'p>(
    package: &'p Package,
    reached: &BTreeSet<String>,
    nav_path: &str,
) -> impl Iterator<Item = &'p String> {
    let first = package
        .spine
        .iter()
        .position(|path| reached.contains(path))
        .unwrap_or(0);
    package.spine[first..]
        .iter()
        .filter(move |path| path.as_str() != nav_path)
}

fn check_ncx(
    files: &mut Files,
    package: &Package,
    ncx_path: &str,
    summaries: &HashMap<String, Summary>,
    nav_targets: Option<&BTreeSet<String>>,
    report: &mut Report,
) {
    let Some(bytes) = files.read(ncx_path, report) else {
        return;
    };
    let Some(text) = as_utf8(&bytes, ncx_path, report) else {
        return;
    };
    let Some(document) = parse_xml(text, ncx_path, report) else {
        return;
    };

    let uid = document
        .descendants()
        .find(|node| node.has_tag_name((NCX, "meta")) && node.attribute("name") == Some("dtb:uid"));
    if let (Some(uid), Some(identifier)) = (uid, &package.identifier) {
        let value = uid.attribute("content").unwrap_or("").trim();
        if value != identifier {
            report.error(
                "NCX-001",
                ncx_path,
                line_of(&document, uid.range().start),
                format!("the NCX's dtb:uid is \"{value}\" but the book's identifier is \"{identifier}\"; make them the same"),
            );
        }
    }

    let lines = Lines::new(text);
    let mut reached = BTreeSet::new();
    for content in document
        .descendants()
        .filter(|node| node.has_tag_name((NCX, "content")))
    {
        let line = lines.line(content.range().start);
        let src = content.attribute("src").unwrap_or("");
        let Target::Local { path, fragment } = paths::resolve(ncx_path, src) else {
            continue;
        };
        if !files.contains(&path) {
            report.error(
                "RSC-007",
                ncx_path,
                line,
                format!(
                    "the NCX entry points to {path}, which is not in the EPUB; correct its src"
                ),
            );
            // The entry exists, so the file is not also reported as lacking one.
            reached.insert(path);
            continue;
        }
        if let (Some(fragment), Some(summary)) = (&fragment, summaries.get(&path))
            && !fragment.is_empty()
            && !summary.ids.contains(fragment)
        {
            report.error(
                "RSC-012",
                ncx_path,
                line,
                format!("the NCX entry names the fragment \"{fragment}\", but {path} has no element with that id; correct its src"),
            );
        }
        reached.insert(path);
    }

    let nav_path = nav_path(package).unwrap_or_default();
    for spine_item in chapters(package, &reached, &nav_path) {
        if !reached.contains(spine_item) {
            report.warning(
                "OPF-059",
                ncx_path,
                None,
                format!("the NCX has no entry for {spine_item}, so EPUB 2 reading systems cannot reach it from their table of contents; add one"),
            );
        }
    }
    if let Some(nav_targets) = nav_targets {
        let spine_or_nav = |path: &String| !package.spine.contains(path);
        for path in nav_targets.difference(&reached).filter(|p| spine_or_nav(p)) {
            report.warning(
                "QUIRE-NCX-001",
                ncx_path,
                None,
                format!("the toc nav reaches {path} but the NCX does not; rebuild the NCX from the same table of contents"),
            );
        }
        for path in reached.difference(nav_targets).filter(|p| spine_or_nav(p)) {
            report.warning(
                "QUIRE-NCX-001",
                ncx_path,
                None,
                format!("the NCX reaches {path} but the toc nav does not; rebuild the NCX from the same table of contents"),
            );
        }
    }
}
