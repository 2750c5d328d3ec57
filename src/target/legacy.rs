//! The legacy target's edits for Adobe RMSDK reading systems: NCX links
//! to plain ids, and an EPUB 2 `guide`.

use std::borrow::Cow;
use std::collections::HashMap;

use super::{ROOT, edit_package_document, insert_before, strip_declaration};
use crate::kepub::{Token, attribute, tokens, unescape};
use crate::links::percent_decode;
use crate::xml::XmlWriter;

/// Reports whether an id is one that Adobe RMSDK follows from the NCX.
fn is_plain_fragment(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
}

/// Renames the ids that the NCX links to and that Adobe RMSDK cannot
/// follow, such as ids made from headings in other scripts, to plain
/// ones, and changes every link to them in the book.
pub(super) fn plain_ncx_fragments(entries: &mut [(String, Cow<'_, [u8]>)]) {
    let ncx_name = format!("{ROOT}/{}", crate::package::NCX);
    let Some(ncx) = entries
        .iter()
        .find(|(name, _)| *name == ncx_name)
        .map(|(_, bytes)| String::from_utf8_lossy(bytes).into_owned())
    else {
        return;
    };

    // Document path (relative to the package document) to its renamed ids.
    let mut renamed: HashMap<String, HashMap<String, String>> = HashMap::new();
    let mut count = 0;
    for token in tokens(&ncx) {
        let Token::Start {
            name: "content",
            markup,
            ..
        } = token
        else {
            continue;
        };
        let Some((document, fragment)) =
            attribute(markup, "src").and_then(|src| src.split_once('#'))
        else {
            continue;
        };
        let id = unescape(fragment)
            .map(|fragment| percent_decode(&fragment))
            .unwrap_or_default();
        if is_plain_fragment(fragment) && is_plain_fragment(&id) {
            continue;
        }
        let document = unescape(document).unwrap_or_else(|| document.to_string());
        // A new id must not be one the document already has.
        let text = entries
            .iter()
            .find(|(name, _)| *name == format!("{ROOT}/{document}"))
            .map(|(_, bytes)| String::from_utf8_lossy(bytes).into_owned())
            .unwrap_or_default();
        let ids = renamed.entry(document).or_default();
        ids.entry(id).or_insert_with(|| {
            loop {
                count += 1;
                let candidate = format!("toc-{count}");
                if !text.contains(&format!("id=\"{candidate}\"")) {
                    break candidate;
                }
            }
        });
    }
    if renamed.is_empty() {
        return;
    }

    for (name, bytes) in entries.iter_mut() {
        let Some(path) = name.strip_prefix(&format!("{ROOT}/")) else {
            continue;
        };
        if !(path.ends_with(".xhtml") || path.ends_with(".ncx")) {
            continue;
        }
        let document = String::from_utf8_lossy(bytes);
        let rewritten = rename_ids(&document, path, &renamed);
        *bytes = rewritten.into_bytes().into();
    }
}

/// Rewrites the `id` attributes of document `path` that `renamed` lists,
/// and the `href` and `src` attributes that point at any renamed id.
fn rename_ids(
    document: &str,
    path: &str,
    renamed: &HashMap<String, HashMap<String, String>>,
) -> String {
    let own_ids = renamed.get(path);
    let mut out = String::with_capacity(document.len());
    for token in tokens(document) {
        let Token::Start { markup, .. } = token else {
            match token {
                Token::End { markup, .. } => out.push_str(markup),
                Token::Text(text) | Token::Other(text) => out.push_str(text),
                Token::Start { .. } => unreachable!(),
            }
            continue;
        };
        let mut tag = markup.to_string();
        if let Some(ids) = own_ids
            && let Some(id) = attribute(markup, "id")
            && let Some(new_id) = unescape(id).and_then(|id| ids.get(&id))
        {
            tag = replace_attribute(&tag, "id", new_id);
        }
        for link in ["href", "src"] {
            let Some(value) = attribute(&tag, link).map(str::to_string) else {
                continue;
            };
            let Some((target, fragment)) = value.split_once('#') else {
                continue;
            };
            let target_path = if target.is_empty() {
                path.to_string()
            } else {
                let target = unescape(target).unwrap_or_default();
                crate::book::resolve_relative(path, &percent_decode(&target))
            };
            let id = unescape(fragment)
                .map(|fragment| percent_decode(&fragment))
                .unwrap_or_default();
            if let Some(new_id) = renamed.get(&target_path).and_then(|ids| ids.get(&id)) {
                tag = replace_attribute(&tag, link, &format!("{target}#{new_id}"));
            }
        }
        out.push_str(&tag);
    }
    out
}

/// Replaces the value of attribute `name` in a start tag; `value` must
/// already be escaped.
fn replace_attribute(tag: &str, name: &str, value: &str) -> String {
    let Some(old) = attribute(tag, name) else {
        return tag.to_string();
    };
    let start = old.as_ptr() as usize - tag.as_ptr() as usize;
    format!("{}{value}{}", &tag[..start], &tag[start + old.len()..])
}

/// Adds an EPUB 2 `guide` to the package document, which Adobe RMSDK
/// reads for the cover, the table of contents and where the text starts.
pub(super) fn add_guide(entries: &mut [(String, Cow<'_, [u8]>)]) {
    let opf_name = format!("{ROOT}/package.opf");
    let Some(opf) = entries
        .iter()
        .find(|(name, _)| *name == opf_name)
        .map(|(_, bytes)| String::from_utf8_lossy(bytes).into_owned())
    else {
        return;
    };
    let nav_name = format!("{ROOT}/{}", crate::package::NAV);
    let Some(nav) = entries
        .iter()
        .find(|(name, _)| *name == nav_name)
        .map(|(_, bytes)| String::from_utf8_lossy(bytes).into_owned())
    else {
        return;
    };
    let manifest: Vec<&str> = tokens(&opf)
        .filter_map(|token| match token {
            Token::Start {
                name: "item",
                markup,
                ..
            } => attribute(markup, "href"),
            _ => None,
        })
        .collect();

    // The landmarks in the navigation document give the cover, the table
    // of contents and the start of the text.
    let mut references = Vec::new();
    let mut landmark_type = None;
    let mut landmark_href = None;
    let mut in_landmarks = false;
    for token in tokens(&nav) {
        match token {
            Token::Start {
                name: "nav",
                markup,
                ..
            } => {
                in_landmarks = attribute(markup, "epub:type") == Some("landmarks");
            }
            Token::Start {
                name: "a", markup, ..
            } if in_landmarks => {
                landmark_type = attribute(markup, "epub:type");
                landmark_href = attribute(markup, "href");
            }
            Token::Text(text) if landmark_type.is_some() => {
                let guide_type = match landmark_type.take() {
                    Some("cover") => "cover",
                    Some("toc") => "toc",
                    Some("bodymatter") => "text",
                    Some("titlepage") => "title-page",
                    _ => continue,
                };
                let href = landmark_href.take().unwrap_or_default();
                let document = href.split('#').next().unwrap_or_default();
                if manifest.contains(&document) {
                    references.push((guide_type, href.to_string(), text.to_string()));
                }
            }
            _ => {}
        }
    }
    if references.is_empty() {
        return;
    }

    let mut guide = XmlWriter::new();
    guide.start("guide", &[]);
    for (guide_type, href, title) in &references {
        let href = unescape(href).unwrap_or_default();
        let title = unescape(title).unwrap_or_default();
        guide.empty_element(
            "reference",
            &[("type", guide_type), ("title", &title), ("href", &href)],
        );
    }
    let guide = strip_declaration(&guide.finish());
    edit_package_document(entries, |opf| insert_before(opf, "</package>", &guide));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_fragment_accepts_ncx_characters() {
        assert!(is_plain_fragment("intro-1_a:b.c"));
        assert!(!is_plain_fragment("héllo"));
        assert!(!is_plain_fragment("%E4%B8%80"));
        assert!(!is_plain_fragment(""));
    }
}
