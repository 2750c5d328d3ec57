//! Link targets and element ids: what a URL in the Markdown points at, and
//! ids that are unique, valid XML names and match the anchors authors write.
//!
//! Authors link to headings by the slug GitHub and mdBook give them
//! (`## Hello, World!` is `#hello-world`), so headings get that slug as
//! their id where it is a valid XML name, and a map from the slug otherwise.

use std::collections::{HashMap, HashSet};

use crate::xml::{is_name_char, is_name_start_char};

/// The kind of target a URL in a chapter points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlKind {
    /// A URL with a scheme that is safe to keep in a book (`https:`,
    /// `mailto:`...), already percent-encoded.
    External(String),
    /// A place in the book: a file path relative to the chapter's source
    /// (empty for the same file) and an optional fragment.
    Local {
        path: String,
        fragment: Option<String>,
    },
    /// A URL that must not reach the book (`javascript:`, `data:`, an
    /// unknown scheme), with the reason.
    Rejected(&'static str),
}

/// Classifies a link destination as written in the Markdown.
pub fn classify_url(url: &str) -> UrlKind {
    let url = url.trim();
    if url.starts_with("//") {
        return UrlKind::Rejected(
            "a protocol-relative URL has no scheme in a book; write https://",
        );
    }
    if let Some(scheme) = url_scheme(url) {
        let scheme = scheme.to_ascii_lowercase();
        return match scheme.as_str() {
            "http" | "https" | "mailto" | "ftp" | "tel" | "sms" | "news" | "irc" | "ircs" => {
                UrlKind::External(encode_url(url))
            }
            "javascript" | "vbscript" | "livescript" => {
                UrlKind::Rejected("script URLs are not allowed in a book")
            }
            "data" => UrlKind::Rejected("data: URLs are not allowed as links in a book"),
            "file" => {
                UrlKind::Rejected("file: URLs point at the writer's computer, not into the book")
            }
            _ => UrlKind::Rejected("the URL scheme is not one a reading system can open"),
        };
    }

    let (path, fragment) = match url.split_once('#') {
        Some((path, fragment)) => (path, Some(percent_decode(fragment))),
        None => (url, None),
    };
    let path = path.split('?').next().unwrap_or("");
    UrlKind::Local {
        path: percent_decode(path),
        fragment,
    }
}

/// Returns the scheme of `url` if it starts with one (`name:`).
fn url_scheme(url: &str) -> Option<&str> {
    let colon = url.find(':')?;
    let scheme = &url[..colon];
    let mut chars = scheme.chars();
    let first = chars.next()?;
    let valid = first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    // A one-letter "scheme" is a Windows drive letter.
    (valid && scheme.len() > 1).then_some(scheme)
}

/// Percent-encodes the characters a URL may not contain as written (spaces,
/// non-ASCII, quotes), leaving existing `%XX` escapes and URL punctuation.
pub fn encode_url(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for byte in url.bytes() {
        let keep = byte.is_ascii_alphanumeric() || b"-_.!~*'();/?:@&=+$,%#".contains(&byte);
        if keep {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Decodes `%XX` escapes; malformed escapes and invalid UTF-8 stay as written.
pub fn percent_decode(text: &str) -> String {
    if !text.contains('%') {
        return text.to_string();
    }
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(high), Some(low)) = (
                bytes.get(i + 1).and_then(|b| hex(*b)),
                bytes.get(i + 2).and_then(|b| hex(*b)),
            )
        {
            decoded.push((high * 16 + low) as u8);
            i += 3;
            continue;
        }
        decoded.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(decoded).unwrap_or_else(|_| text.to_string())
}

/// Makes the slug GitHub and mdBook give a heading: lowercase, letters,
/// digits, `-` and `_` kept, spaces turned into `-`, everything else dropped.
pub fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    for c in text.trim().chars() {
        if c.is_alphanumeric() || c == '-' || c == '_' {
            slug.extend(c.to_lowercase());
        } else if c.is_whitespace() {
            slug.push('-');
        }
    }
    slug
}

/// Turns `text` into a valid XML name without colons (an NCName), as EPUB
/// requires of ids: characters a name may not contain are dropped, and a
/// name that would start with a digit, `-` or `.` gets an `h-` prefix.
pub fn to_xml_name(text: &str) -> String {
    let mut name: String = text.chars().filter(|c| is_name_char(*c)).collect();
    if name.is_empty() {
        name.push_str("section");
    } else if !name.starts_with(is_name_start_char) {
        name.insert_str(0, "h-");
    }
    name
}

/// The ids of one source file and the anchors that lead to them.
///
/// A file split into several chapters shares one set, so that ids stay
/// unique across its chapters and a link to `#part` finds the right one.
#[derive(Debug, Default)]
pub struct Anchors {
    /// Ids in use in any chapter of the file.
    used: HashSet<String>,
    /// Next suffix to try for a base id, so repeated headings stay linear.
    next_suffix: HashMap<String, usize>,
    /// Anchor as authors write it (without `#`) to the chapter index and id.
    targets: HashMap<String, (usize, String)>,
}

impl Anchors {
    /// Reserves a unique id built from `base`, registers `anchor` as a name
    /// for it in chapter `chapter`, and returns the id.
    pub fn add(&mut self, base: &str, anchor: Option<&str>, chapter: usize) -> String {
        let id = self.unique(&to_xml_name(base));
        if let Some(anchor) = anchor {
            self.targets
                .entry(anchor.to_string())
                .or_insert((chapter, id.clone()));
        }
        self.targets
            .entry(id.clone())
            .or_insert((chapter, id.clone()));
        id
    }

    /// Registers a heading, whose anchor is its slug with GitHub's `-1`,
    /// `-2` suffixes for repeats, and returns its id.
    pub fn add_heading(&mut self, text: &str, chapter: usize) -> String {
        let slug = match slugify(text) {
            slug if slug.is_empty() => "section".to_string(),
            slug => slug,
        };
        let anchor = self.unique_anchor(&slug);
        self.add(&anchor, Some(&anchor), chapter)
    }

    /// Returns the chapter and id an anchor leads to.
    pub fn find(&self, anchor: &str) -> Option<&(usize, String)> {
        self.targets.get(anchor)
    }

    fn unique_anchor(&mut self, slug: &str) -> String {
        if !self.targets.contains_key(slug) {
            return slug.to_string();
        }
        let mut suffix = self.next_suffix.get(slug).copied().unwrap_or(1);
        loop {
            let candidate = format!("{slug}-{suffix}");
            suffix += 1;
            if !self.targets.contains_key(&candidate) {
                self.next_suffix.insert(slug.to_string(), suffix);
                return candidate;
            }
        }
    }

    fn unique(&mut self, base: &str) -> String {
        if self.used.insert(base.to_string()) {
            return base.to_string();
        }
        let mut suffix = self.next_suffix.get(base).copied().unwrap_or(1);
        loop {
            let candidate = format!("{base}-{suffix}");
            suffix += 1;
            if self.used.insert(candidate.clone()) {
                self.next_suffix.insert(base.to_string(), suffix);
                return candidate;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_url_cases() {
        assert_eq!(
            classify_url("https://example.com/a b"),
            UrlKind::External("https://example.com/a%20b".to_string())
        );
        assert!(matches!(
            classify_url("JavaScript:alert(1)"),
            UrlKind::Rejected(_)
        ));
        assert!(matches!(
            classify_url("data:text/html,x"),
            UrlKind::Rejected(_)
        ));
        assert!(matches!(
            classify_url("//evil.example/x"),
            UrlKind::Rejected(_)
        ));
        assert_eq!(
            classify_url("ch%2001.md#Part%20One"),
            UrlKind::Local {
                path: "ch 01.md".to_string(),
                fragment: Some("Part One".to_string())
            }
        );
        assert_eq!(
            classify_url("#intro"),
            UrlKind::Local {
                path: String::new(),
                fragment: Some("intro".to_string())
            }
        );
    }

    #[test]
    fn slugs_match_github() {
        let cases = [
            ("Hello, World!", "hello-world"),
            ("Everyday use", "everyday-use"),
            ("macOS only", "macos-only"),
            ("`Option<T>` and you", "optiont-and-you"),
            ("日本語の見出し", "日本語の見出し"),
            ("Ünïcödé café", "ünïcödé-café"),
        ];
        for (text, slug) in cases {
            assert_eq!(slugify(text), slug, "slug of {text}");
        }
    }

    #[test]
    fn ids_are_xml_names() {
        assert_eq!(to_xml_name("1-intro"), "h-1-intro");
        assert_eq!(to_xml_name(""), "section");
        assert_eq!(to_xml_name("a:b c"), "abc");
        assert_eq!(to_xml_name("x²"), "x");
    }

    #[test]
    fn repeated_headings_get_suffixes() {
        let mut anchors = Anchors::default();
        assert_eq!(anchors.add_heading("Example", 0), "example");
        assert_eq!(anchors.add_heading("Example", 0), "example-1");
        assert_eq!(anchors.add_heading("Example", 1), "example-2");
        assert_eq!(
            anchors.find("example-2"),
            Some(&(1, "example-2".to_string()))
        );
        assert_eq!(anchors.add_heading("1. Start", 1), "h-1-start");
        assert_eq!(anchors.find("1-start"), Some(&(1, "h-1-start".to_string())));
    }

    #[test]
    fn many_repeated_headings_stay_unique() {
        let mut anchors = Anchors::default();
        let mut seen = HashSet::new();
        for _ in 0..2000 {
            assert!(seen.insert(anchors.add_heading("Same", 0)));
        }
    }
}
