//! GFM's autolink extension: bare `https://` and `www.` URLs and e-mail
//! addresses in text become links (GitHub Flavored Markdown spec 0.29,
//! section 6.9).

/// Finds the first autolink in `text`. Returns its byte range and href.
pub fn find(text: &str) -> Option<(usize, usize, String)> {
    let bytes = text.as_bytes();
    if !may_contain_autolink(bytes) {
        return None;
    }
    let mut search_from = 0;
    // Every position before this one is inside a run of e-mail characters
    // with no `@` after it, so no e-mail address starts there. Remembering
    // it keeps the search linear in a long word such as `a_a_a_...`.
    let mut no_email_before = 0;
    while search_from < bytes.len() {
        let candidate = next_candidate(text, search_from)?;
        if let Some(found) = match_url_at(text, candidate) {
            return Some(found);
        }
        if candidate >= no_email_before {
            let run_end = candidate
                + bytes[candidate..]
                    .iter()
                    .take_while(|byte| is_email_local(**byte))
                    .count();
            if let Some(found) = email_at(text, candidate) {
                return Some(found);
            }
            if bytes.get(run_end) != Some(&b'@') {
                no_email_before = run_end;
            }
        }
        search_from = candidate + 1;
    }
    None
}

/// Reports whether `bytes` can hold an autolink at all. Each kind needs a
/// mark: `:` after a scheme, `@` in an e-mail address, or `www.`. Most
/// text has none, and this scan is far cheaper than trying each word.
fn may_contain_autolink(bytes: &[u8]) -> bool {
    bytes.iter().enumerate().any(|(index, &byte)| {
        byte == b':'
            || byte == b'@'
            || (byte == b'.' && index >= 3 && bytes[index - 3..index].eq_ignore_ascii_case(b"www"))
    })
}

/// Returns the next position that may start an autolink: `h`, `w`, `f` or
/// the start of an e-mail's local part before an `@`.
fn next_candidate(text: &str, from: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    (from..bytes.len()).find(|&i| {
        let at_boundary = i == 0
            || matches!(
                bytes[i - 1],
                b' ' | b'\t' | b'\n' | b'\r' | b'*' | b'_' | b'~' | b'('
            );
        at_boundary
            && (matches!(bytes[i], b'h' | b'w' | b'f' | b'H' | b'W' | b'F')
                || is_email_local(bytes[i]))
    })
}

fn match_url_at(text: &str, start: usize) -> Option<(usize, usize, String)> {
    let rest = &text[start..];
    // Compared as bytes, without allocating: this runs for most words.
    let starts_with = |prefix: &str| {
        rest.len() >= prefix.len()
            && rest.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
    };
    let (scheme_len, prefix) = if starts_with("https://") {
        (8, "")
    } else if starts_with("http://") {
        (7, "")
    } else if starts_with("ftp://") {
        (6, "")
    } else if starts_with("www.") {
        (0, "http://")
    } else {
        return None;
    };

    let domain_end = rest[scheme_len..]
        .find(|c: char| !(c.is_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .map_or(rest.len(), |index| index + scheme_len);
    let domain = &rest[scheme_len..domain_end];
    if !valid_domain(domain) {
        return None;
    }
    let url_end = rest[domain_end..]
        .find(|c: char| c.is_whitespace() || c == '<')
        .map_or(rest.len(), |index| index + domain_end);
    let end = trim_trailing(&rest[..url_end]);
    let url = &rest[..end];
    Some((
        start,
        start + end,
        crate::links::encode_url(&format!("{prefix}{url}")),
    ))
}

/// Reports whether a domain is valid: not empty, no empty label, and no
/// `_` in its last two labels.
fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.trim_end_matches('.').split('.').collect();
    if domain.is_empty() || labels.iter().any(|label| label.is_empty()) {
        return false;
    }
    labels
        .iter()
        .rev()
        .take(2)
        .all(|label| !label.contains('_'))
}

/// Trims trailing punctuation that ends a sentence rather than the URL, an
/// unbalanced `)`, and a trailing entity reference such as `&hl;`.
fn trim_trailing(url: &str) -> usize {
    let mut end = url.len();
    loop {
        let current = &url[..end];
        let Some(last) = current.chars().last() else {
            return end;
        };
        if matches!(
            last,
            '?' | '!' | '.' | ',' | ':' | '*' | '_' | '~' | '\'' | '"'
        ) {
            end -= last.len_utf8();
        } else if last == ')' && current.matches(')').count() > current.matches('(').count() {
            end -= 1;
        } else if last == ';' {
            match current.rfind('&') {
                Some(amp)
                    if current[amp + 1..end - 1]
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric())
                        && amp + 1 < end - 1 =>
                {
                    end = amp
                }
                _ => return end,
            }
        } else {
            return end;
        }
    }
}

fn is_email_local(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'-' | b'_' | b'+')
}

fn email_at(text: &str, start: usize) -> Option<(usize, usize, String)> {
    let bytes = text.as_bytes();
    let mut at = start;
    while at < bytes.len() && is_email_local(bytes[at]) {
        at += 1;
    }
    if at == start || at >= bytes.len() || bytes[at] != b'@' {
        return None;
    }
    let mut end = at + 1;
    while end < bytes.len()
        && (bytes[end].is_ascii_alphanumeric() || matches!(bytes[end], b'.' | b'-' | b'_'))
    {
        end += 1;
    }
    while end > at + 1 && bytes[end - 1] == b'.' {
        end -= 1;
    }
    let domain = &text[at + 1..end];
    if !domain.contains('.') || domain.ends_with(['-', '_']) {
        return None;
    }
    let address = &text[start..end];
    Some((start, end, format!("mailto:{address}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(text: &str) -> Option<(&str, String)> {
        find(text).map(|(start, end, href)| (&text[start..end], href))
    }

    #[test]
    fn autolink_cases() {
        let cases = [
            (
                "see www.commonmark.org.",
                Some(("www.commonmark.org", "http://www.commonmark.org")),
            ),
            (
                "(https://example.com/a_(b))",
                Some(("https://example.com/a_(b)", "https://example.com/a_(b)")),
            ),
            (
                "go to https://e.example/x?q=1, now",
                Some(("https://e.example/x?q=1", "https://e.example/x?q=1")),
            ),
            (
                "mail foo@bar.baz.",
                Some(("foo@bar.baz", "mailto:foo@bar.baz")),
            ),
            ("no link here", None),
            (
                "see foo_https://example.com",
                Some(("https://example.com", "https://example.com")),
            ),
            ("www.x_y.com", None),
            (
                "at WwW.Example.org today",
                Some(("WwW.Example.org", "http://WwW.Example.org")),
            ),
            ("a dot. and colon: no link", None),
        ];
        for (text, expected) in cases {
            let found = link(text);
            let expected = expected.map(|(shown, href)| (shown, href.to_string()));
            assert_eq!(found, expected, "in {text:?}");
        }
    }
}
