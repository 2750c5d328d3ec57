//! URLs in an EPUB's documents, resolved to names of zip entries.

/// The target of a URL in a document.
#[derive(Debug, PartialEq, Eq)]
pub enum Target {
    /// A file in the container, by entry name, with a fragment if any.
    Local {
        path: String,
        fragment: Option<String>,
    },
    /// A fragment of the same document.
    SameDocument(String),
    /// An `http:` or `https:` URL.
    Remote,
    /// A `javascript:` URL.
    Script,
    /// Another scheme, such as `mailto:`, which reading systems hand on.
    OtherScheme,
    /// A relative URL that climbs above the container's root.
    OutsideContainer,
}

/// Returns the folder of an entry name, with a trailing `/`, or "" at the
/// root.
pub fn folder_of(path: &str) -> &str {
    match path.rfind('/') {
        Some(slash) => &path[..=slash],
        None => "",
    }
}

/// Resolves `url`, found in the document `from`, to what it refers to.
pub fn resolve(from: &str, url: &str) -> Target {
    let url = url.trim_matches(|c: char| c.is_ascii_whitespace());
    if let Some(scheme) = scheme_of(url) {
        return match scheme.to_ascii_lowercase().as_str() {
            "http" | "https" => Target::Remote,
            "javascript" => Target::Script,
            _ => Target::OtherScheme,
        };
    }
    if url.starts_with("//") {
        return Target::Remote;
    }

    let (rest, fragment) = match url.split_once('#') {
        Some((rest, fragment)) => (rest, Some(percent_decode(fragment))),
        None => (url, None),
    };
    let rest = rest.split(['?']).next().unwrap_or("");
    if rest.is_empty() {
        return match fragment {
            Some(fragment) => Target::SameDocument(fragment),
            None => Target::Local {
                path: from.to_string(),
                fragment: None,
            },
        };
    }

    let joined = if let Some(absolute) = rest.strip_prefix('/') {
        absolute.to_string()
    } else {
        format!("{}{rest}", folder_of(from))
    };
    match normalise(&percent_decode(&joined)) {
        Some(path) => Target::Local { path, fragment },
        None => Target::OutsideContainer,
    }
}

/// Removes `.` and `..` segments; `None` when `..` climbs above the root.
pub fn normalise(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "." | "" => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

/// Returns a URL's scheme, if it has one (RFC 3986, section 3.1).
fn scheme_of(url: &str) -> Option<&str> {
    let colon = url.find(':')?;
    let scheme = &url[..colon];
    let mut chars = scheme.chars();
    let first = chars.next()?;
    let valid = first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then_some(scheme)
}

/// Decodes `%XX` escapes; invalid escapes and non-UTF-8 results are kept
/// as written.
pub fn percent_decode(text: &str) -> String {
    if !text.contains('%') {
        return text.to_string();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(high), Some(low)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((high * 16 + low) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_urls_resolve() {
        let cases = [
            ("EPUB/text/a.xhtml", "b.xhtml", "EPUB/text/b.xhtml", None),
            (
                "EPUB/text/a.xhtml",
                "../images/x.png",
                "EPUB/images/x.png",
                None,
            ),
            (
                "EPUB/text/a.xhtml",
                "b.xhtml#top",
                "EPUB/text/b.xhtml",
                Some("top"),
            ),
            (
                "EPUB/text/a.xhtml",
                "my%20file.xhtml",
                "EPUB/text/my file.xhtml",
                None,
            ),
            ("EPUB/package.opf", "./nav.xhtml", "EPUB/nav.xhtml", None),
        ];
        for (from, url, path, fragment) in cases {
            assert_eq!(
                resolve(from, url),
                Target::Local {
                    path: path.to_string(),
                    fragment: fragment.map(str::to_string),
                },
                "{url} from {from}"
            );
        }
    }

    #[test]
    fn schemes_are_classified() {
        assert_eq!(
            resolve("a.xhtml", "https://example.org/x.png"),
            Target::Remote
        );
        assert_eq!(resolve("a.xhtml", "JavaScript:alert(1)"), Target::Script);
        assert_eq!(
            resolve("a.xhtml", "mailto:someone@example.org"),
            Target::OtherScheme
        );
        assert_eq!(
            resolve("a.xhtml", "#note"),
            Target::SameDocument("note".into())
        );
    }

    #[test]
    fn climbing_out_is_outside() {
        assert_eq!(
            resolve("EPUB/a.xhtml", "../../x.png"),
            Target::OutsideContainer
        );
    }
}
