//! TeX math (`$...$` and `$$...$$`) to MathML, with the `pulldown-latex`
//! crate.
//!
//! Each formula is converted on its own. The `<math>` element carries the
//! TeX as its `alttext`, for reading systems and assistive technology
//! that do not render MathML. For a formula that cannot be converted,
//! [`to_mathml`] returns the reason, and the XHTML writer keeps its TeX as
//! code.
//!
//! This module is the `math` cargo feature. Without it, pulldown-cmark
//! does not parse formulas, so `$` stays text. The page's first
//! WebAssembly module is built that way to stay small.

use std::fmt;

mod repair;

/// The MathML namespace, which EPUB 3 requires on every `math` element.
pub const MATHML_NAMESPACE: &str = "http://www.w3.org/1998/Math/MathML";

/// The reason a formula was not converted: its TeX is invalid or uses a
/// command the converter does not support.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MathError(pub String);

impl fmt::Display for MathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Commands that define macros. A definition applies only within its own
/// formula, since each formula is converted on its own, and nested
/// definitions can make a short formula expand to a megabyte of MathML, so
/// formulas that use them are rejected.
const DEFINITION_COMMANDS: &[&str] = &["def", "newcommand", "providecommand", "renewcommand"];

/// Converts one formula to a `math` element, with `display="block"` for
/// display math. The result is well-formed XML.
pub fn to_mathml(tex: &str, display: bool) -> Result<String, MathError> {
    if let Some(command) = find_definition(tex) {
        return Err(MathError(format!(
            "macro definitions (\\{command}) are not supported"
        )));
    }
    render(tex, display)
}

/// Returns the first macro-defining command in `tex`, without its
/// backslash.
fn find_definition(tex: &str) -> Option<&'static str> {
    let mut rest = tex;
    while let Some(index) = rest.find('\\') {
        let after = &rest[index + 1..];
        let name_length = after
            .bytes()
            .take_while(|byte| byte.is_ascii_alphabetic())
            .count();
        if let Some(command) = DEFINITION_COMMANDS
            .iter()
            .find(|command| **command == &after[..name_length])
        {
            return Some(command);
        }
        // `\\` is a control symbol, so its second backslash starts nothing.
        let skip = if name_length == 0 { 1 } else { name_length };
        rest = &after[skip.min(after.len())..];
    }
    None
}

fn render(tex: &str, display: bool) -> Result<String, MathError> {
    use pulldown_latex::config::DisplayMode;
    use pulldown_latex::{Parser, RenderConfig, Storage, push_mathml};

    let storage = Storage::new();
    let events: Vec<_> = Parser::new(tex, &storage).collect();
    // The renderer writes a parse error into the MathML as an `merror`
    // element. A reader is better served by the TeX itself, so any error
    // rejects the whole formula.
    if let Some(Err(error)) = events.iter().find(|event| event.is_err()) {
        return Err(MathError(describe_parse_error(&error.to_string())));
    }

    let display_mode = if display {
        DisplayMode::Block
    } else {
        DisplayMode::Inline
    };
    let config = RenderConfig {
        display_mode,
        xml: true,
        ..RenderConfig::default()
    };
    let mut rendered = String::new();
    push_mathml(&mut rendered, events.into_iter(), config)
        .map_err(|error| MathError(format!("rendering failed: {error}")))?;

    // Replace the renderer's start tag with one that also has the TeX as
    // alternative text.
    let expected_start = format!("<math display=\"{display_mode}\" xmlns=\"{MATHML_NAMESPACE}\">");
    let content = rendered
        .strip_prefix(&expected_start)
        .ok_or_else(|| MathError("the renderer wrote an unexpected start tag".into()))?;
    let mut mathml = String::with_capacity(rendered.len() + tex.len() + 16);
    mathml.push_str("<math xmlns=\"");
    mathml.push_str(MATHML_NAMESPACE);
    mathml.push_str("\" display=\"");
    mathml.push_str(if display { "block" } else { "inline" });
    mathml.push_str("\" alttext=\"");
    crate::xml::escape_attribute_into(&mut mathml, tex.trim());
    mathml.push_str("\">");
    repair::rewrite_content(&mut mathml, content).map_err(|problem| {
        MathError(format!(
            "the converter produced malformed MathML ({problem})"
        ))
    })?;
    Ok(mathml)
}

/// Reduces pulldown-latex's error text, which draws the context over
/// several lines, to its first line without the `parsing error: ` prefix.
fn describe_parse_error(text: &str) -> String {
    let first_line = text.lines().next().unwrap_or("").trim();
    let reason = first_line
        .strip_prefix("parsing error:")
        .unwrap_or(first_line)
        .trim();
    if reason.is_empty() {
        "the TeX could not be parsed".to_string()
    } else {
        reason.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definitions_found_by_name() {
        assert_eq!(find_definition(r"\def\a{x}\a"), Some("def"));
        assert_eq!(find_definition(r"\newcommand{\b}{y}"), Some("newcommand"));
        assert_eq!(find_definition(r"\define x"), None, "a longer name");
        assert_eq!(
            find_definition(r"a \\ def"),
            None,
            "a line break, then text"
        );
        assert_eq!(find_definition(r"\\def"), None, "the backslash is escaped");
        assert_eq!(find_definition("x^2 \\"), None, "a trailing backslash");
    }

    #[test]
    fn definitions_rejected() {
        let error = to_mathml(r"\def\a{xx}\a", false).unwrap_err();
        assert!(error.to_string().contains(r"\def"), "{error}");
    }

    #[test]
    fn inline_formula_has_alttext() {
        let mathml = to_mathml("x^2 < y", false).expect("valid TeX");
        assert!(
            mathml.starts_with(
                "<math xmlns=\"http://www.w3.org/1998/Math/MathML\" display=\"inline\" alttext=\"x^2 &lt; y\">"
            ),
            "{mathml}"
        );
        assert!(
            mathml.contains("<msup><mi>x</mi><mn>2</mn></msup>"),
            "{mathml}"
        );
        assert!(mathml.contains("<mo>&lt;</mo>"), "{mathml}");
        assert!(mathml.ends_with("</math>"), "{mathml}");
    }

    #[test]
    fn display_formula_is_block() {
        let mathml = to_mathml("\n\\frac{a}{b}\n", true).expect("valid TeX");
        assert!(mathml.contains(" display=\"block\" "), "{mathml}");
        assert!(
            mathml.contains("alttext=\"\\frac{a}{b}\""),
            "trimmed: {mathml}"
        );
        assert!(mathml.contains("<mfrac>"), "{mathml}");
    }

    #[test]
    fn text_spaces_are_character_references() {
        let mathml = to_mathml(r"\text{ if } x", false).expect("valid TeX");
        assert!(!mathml.contains("&nbsp;"), "{mathml}");
        assert!(mathml.contains("&#160;if&#160;"), "{mathml}");
    }

    #[test]
    fn unknown_command_is_invalid() {
        let error = to_mathml(r"\foo{x}", false).unwrap_err();
        assert_eq!(
            error,
            MathError("unknown primitive command found".to_string())
        );
    }

    #[test]
    fn unbalanced_group_is_invalid() {
        let MathError(reason) = to_mathml("a_{", false).unwrap_err();
        assert!(reason.contains("unbalanced group"), "{reason}");
        assert!(!reason.contains('\n'), "one line: {reason}");
    }

    #[test]
    fn operators_escaped() {
        let mathml = to_mathml(r"a < b > c \& d", false).expect("valid TeX");
        assert!(mathml.contains("<mo>&lt;</mo>"), "{mathml}");
        assert!(mathml.contains("<mo>&gt;</mo>"), "{mathml}");
        assert!(mathml.contains("<mi>&amp;</mi>"), "{mathml}");
    }
}
