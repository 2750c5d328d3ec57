//! The built-in stylesheet as each target needs it, and the warnings
//! about a book's own stylesheets.

use super::Target;
use crate::error::{Warning, Warnings};
use crate::locale::Direction;

/// Edits Quire's built-in stylesheet for a target. Kindle gets no forced
/// font size, colour or margins on body text, and headings with an
/// explicit alignment, because Kindle justifies any heading without one.
/// Legacy gets no custom properties, `var()` or `calc()`, which Adobe
/// RMSDK drops along with the rule they are in.
pub fn adjust_stylesheet(target: Option<Target>, css: String, direction: Direction) -> String {
    match target {
        Some(Target::Kindle) => {
            let side = match direction {
                Direction::Rtl => "right",
                _ => "left",
            };
            let kept = edit_declarations(&css, &mut |selector, property, _| {
                let body_text = selector
                    .split(',')
                    .all(|part| matches!(part.trim(), "html" | "body" | "p"));
                let forced = property == "font-size"
                    || property == "color"
                    || property == "background-color"
                    || property.starts_with("margin");
                !(body_text && forced)
            });
            // First, so that a style's own heading alignment wins.
            format!("h1, h2, h3, h4, h5, h6 {{ text-align: {side}; }}\n\n{kept}")
        }
        Some(Target::Legacy) => edit_declarations(&css, &mut |_, property, value| {
            !(property.starts_with("--") || value.contains("var(") || value.contains("calc("))
        }),
        _ => css,
    }
}

/// Rewrites a stylesheet keeping only the declarations `keep` accepts,
/// given the rule's selector, the property in lower case and the value.
/// Rules inside at-rules such as `@media` are edited the same way.
fn edit_declarations(css: &str, keep: &mut dyn FnMut(&str, &str, &str) -> bool) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(open) = find_outside_comments(rest, '{') {
        let selector = &rest[..open];
        let Some(close) = matching_brace(&rest[open..]).map(|index| open + index) else {
            break;
        };
        let block = &rest[open + 1..close];
        out.push_str(selector);
        out.push('{');
        let name = strip_comments(selector);
        let name = name.trim();
        if name.starts_with('@') {
            out.push_str(&edit_declarations(block, keep));
        } else {
            let kept: Vec<&str> = block
                .split(';')
                .filter(|declaration| {
                    let text = strip_comments(declaration);
                    match text.split_once(':') {
                        Some((property, value)) => {
                            keep(name, &property.trim().to_ascii_lowercase(), value.trim())
                        }
                        None => true,
                    }
                })
                .collect();
            out.push_str(&kept.join(";"));
        }
        out.push('}');
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        rest = rest[start + 2..]
            .find("*/")
            .map_or("", |end| &rest[start + 2 + end + 2..]);
    }
    out.push_str(rest);
    out
}

fn find_outside_comments(text: &str, wanted: char) -> Option<usize> {
    let mut index = 0;
    while index < text.len() {
        let rest = &text[index..];
        if rest.starts_with("/*") {
            index += rest.find("*/").map_or(rest.len(), |end| end + 2);
            continue;
        }
        let c = rest.chars().next()?;
        if c == wanted {
            return Some(index);
        }
        index += c.len_utf8();
    }
    None
}

/// Returns the index of the `}` that closes the `{` at the start of `text`.
fn matching_brace(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut index = 0;
    while index < text.len() {
        let rest = &text[index..];
        if rest.starts_with("/*") {
            index += rest.find("*/").map_or(rest.len(), |end| end + 2);
            continue;
        }
        let c = rest.chars().next()?;
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(index);
                }
            }
            _ => {}
        }
        index += c.len_utf8();
    }
    None
}

/// Warns about a book's own stylesheet that uses what a target's reading
/// systems drop.
pub fn check_stylesheet(target: Option<Target>, path: &str, css: &str, warnings: &mut Warnings) {
    if target != Some(Target::Legacy) {
        return;
    }
    let text = strip_comments(css);
    for function in ["var(", "calc("] {
        if text.contains(function) {
            warnings.push(Warning::new(
                path,
                None,
                format!("the stylesheet uses {function}), which Adobe RMSDK reading systems do not support, so they drop the rules that use it; write the values out for the legacy target"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kindle_stylesheet_drops_forced_body_text() {
        let css = "body { margin: 0; padding: 0; color: black; }\np { margin: 0.6em 0; font-size: 12pt; text-indent: 1em; }\nh1 { font-size: 1.6em; }";
        let out = adjust_stylesheet(Some(Target::Kindle), css.to_string(), Direction::Ltr);
        assert!(
            out.starts_with("h1, h2, h3, h4, h5, h6 { text-align: left; }"),
            "{out}"
        );
        assert!(!out.contains("margin: 0;"), "{out}");
        assert!(!out.contains("color"), "{out}");
        assert!(!out.contains("12pt"), "{out}");
        assert!(out.contains("padding: 0"), "{out}");
        assert!(out.contains("text-indent: 1em"), "{out}");
        assert!(out.contains("h1 { font-size: 1.6em; }"), "{out}");
        let rtl = adjust_stylesheet(Some(Target::Kindle), css.to_string(), Direction::Rtl);
        assert!(
            rtl.starts_with("h1, h2, h3, h4, h5, h6 { text-align: right; }"),
            "{rtl}"
        );
    }

    #[test]
    fn legacy_stylesheet_drops_var_and_calc() {
        let css = ":root { --gap: 1em; }\np { margin: var(--gap); width: calc(100% - 2em); text-indent: 1em; }\n@media print { p { top: calc(1px + 1px); left: 0; } }";
        let out = adjust_stylesheet(Some(Target::Legacy), css.to_string(), Direction::Ltr);
        assert!(!out.contains("var("), "{out}");
        assert!(!out.contains("calc("), "{out}");
        assert!(!out.contains("--gap"), "{out}");
        assert!(out.contains("text-indent: 1em"), "{out}");
        assert!(out.contains("left: 0"), "{out}");
        assert_eq!(
            adjust_stylesheet(None, css.to_string(), Direction::Ltr),
            css,
            "no target leaves the stylesheet alone"
        );
    }

    #[test]
    fn legacy_built_in_styles_plain() {
        for style in crate::styles::STYLE_NAMES {
            let style = crate::styles::Style::from_name(style).expect("a known style");
            for (direction, vertical) in [
                (Direction::Ltr, false),
                (Direction::Rtl, false),
                (Direction::Ltr, true),
            ] {
                let css = crate::styles::default_stylesheet(style, direction, vertical, true, true);
                let css = adjust_stylesheet(Some(Target::Legacy), css, direction);
                assert!(!css.contains("var("), "{css}");
                assert!(!css.contains("calc("), "{css}");
            }
        }
    }
}
