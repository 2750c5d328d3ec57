//! Syntax highlighting of fenced code blocks.
//!
//! A small tokenizer marks keywords, types, strings, literals, comments and
//! a few language-specific kinds of token, and the code is written with a
//! `<span class="hl-...">` around each. The classes are styled by one
//! section of the default stylesheet, so a book has no inline colours and
//! a reader's own stylesheet can restyle them. A block in a language not
//! listed here stays plain.
//!
//! This is a tokenizer, not a parser. It reads each language's keywords,
//! comments, strings and numbers, but not its grammar, so a regular
//! expression literal or an unusual string prefix may be coloured wrongly.
//! Every tokenizer reads the code once from left to right, and a string or
//! comment left open ends at the end of its line or of the block, so the
//! time is linear in the size of the code.
//!
//! The tokenizers and the list of languages are the `highlight` cargo
//! feature. Without it, code is written plain. The page's first
//! WebAssembly module is built that way to stay small.

#[cfg(feature = "highlight")]
mod code;
#[cfg(feature = "highlight")]
mod languages;
#[cfg(feature = "highlight")]
mod markup;

#[cfg(feature = "highlight")]
use std::ops::Range;

use crate::xml::escape_text_into;

/// Whether this build highlights code (the `highlight` feature is on).
pub const BUILT_IN: bool = cfg!(feature = "highlight");

/// The kinds of token, each with its CSS class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Keyword,
    /// Built-in types and functions, and capitalised names in languages
    /// where those are types.
    Type,
    /// Strings and characters.
    String,
    /// Numbers, booleans, null and other literal constants.
    Literal,
    Comment,
    /// Preprocessor directives, annotations, attributes, macros, prompts.
    Meta,
    /// Element names in markup, CSS type selectors, TOML table headers.
    Tag,
    /// Attribute names in markup, keys in data formats, CSS properties,
    /// class and id selectors.
    Attribute,
    /// Shell and Ruby variables, Rust lifetimes, YAML anchors, character
    /// references in markup.
    Variable,
}

impl Class {
    /// Every class, in the order the stylesheet lists them.
    pub const ALL: [Class; 9] = [
        Class::Keyword,
        Class::Type,
        Class::String,
        Class::Literal,
        Class::Comment,
        Class::Meta,
        Class::Tag,
        Class::Attribute,
        Class::Variable,
    ];

    /// Returns the value of the `class` attribute for the class.
    pub fn css_class(self) -> &'static str {
        match self {
            Class::Keyword => "hl-kw",
            Class::Type => "hl-ty",
            Class::String => "hl-str",
            Class::Literal => "hl-lit",
            Class::Comment => "hl-com",
            Class::Meta => "hl-meta",
            Class::Tag => "hl-tag",
            Class::Attribute => "hl-attr",
            Class::Variable => "hl-var",
        }
    }
}

/// The languages the highlighter reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    Rust,
    C,
    Cpp,
    CSharp,
    Go,
    Java,
    JavaScript,
    Kotlin,
    Python,
    Ruby,
    Shell,
    Sql,
    Swift,
    TypeScript,
    Json,
    /// A terminal session: commands after a `$ ` prompt are shell, other
    /// lines are output.
    Console,
    /// HTML, XML and the formats built on XML.
    Markup,
    Css,
    Yaml,
    Toml,
}

/// Every fence name the highlighter reads, in lowercase, with its language.
#[cfg(feature = "highlight")]
const LANGUAGES: &[(&str, Language)] = &[
    ("rust", Language::Rust),
    ("rs", Language::Rust),
    ("c", Language::C),
    ("h", Language::C),
    ("cpp", Language::Cpp),
    ("c++", Language::Cpp),
    ("cc", Language::Cpp),
    ("cxx", Language::Cpp),
    ("hpp", Language::Cpp),
    ("csharp", Language::CSharp),
    ("cs", Language::CSharp),
    ("c#", Language::CSharp),
    ("go", Language::Go),
    ("golang", Language::Go),
    ("java", Language::Java),
    ("javascript", Language::JavaScript),
    ("js", Language::JavaScript),
    ("jsx", Language::JavaScript),
    ("mjs", Language::JavaScript),
    ("kotlin", Language::Kotlin),
    ("kt", Language::Kotlin),
    ("python", Language::Python),
    ("py", Language::Python),
    ("python3", Language::Python),
    ("ruby", Language::Ruby),
    ("rb", Language::Ruby),
    ("shell", Language::Shell),
    ("sh", Language::Shell),
    ("bash", Language::Shell),
    ("zsh", Language::Shell),
    ("sql", Language::Sql),
    ("swift", Language::Swift),
    ("typescript", Language::TypeScript),
    ("ts", Language::TypeScript),
    ("tsx", Language::TypeScript),
    ("json", Language::Json),
    ("jsonc", Language::Json),
    ("console", Language::Console),
    ("shell-session", Language::Console),
    ("shellsession", Language::Console),
    ("html", Language::Markup),
    ("xhtml", Language::Markup),
    ("xml", Language::Markup),
    ("svg", Language::Markup),
    ("mathml", Language::Markup),
    ("xsl", Language::Markup),
    ("xslt", Language::Markup),
    ("css", Language::Css),
    ("yaml", Language::Yaml),
    ("yml", Language::Yaml),
    ("toml", Language::Toml),
];

/// Finds the language of a fence's language name, ignoring case.
#[cfg(feature = "highlight")]
pub fn find_language(name: &str) -> Option<Language> {
    LANGUAGES
        .iter()
        .find(|(language_name, _)| language_name.eq_ignore_ascii_case(name))
        .map(|(_, language)| *language)
}

/// Reports whether blocks in the language `name` are highlighted.
#[cfg(feature = "highlight")]
pub fn is_supported(name: &str) -> bool {
    find_language(name).is_some()
}

/// A highlighted token: its class and byte range in the code.
#[cfg(feature = "highlight")]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub class: Class,
    pub range: Range<usize>,
}

/// Returns the highlighted tokens of `code` in the language `name`, in
/// order and not overlapping, or `None` for a language this module does
/// not know.
#[cfg(feature = "highlight")]
pub fn tokens(name: &str, code: &str) -> Option<Vec<Token>> {
    let language = find_language(name)?;
    let mut tokens = Vec::new();
    match language {
        Language::Console => code::tokenize_console(code, &mut tokens),
        Language::Markup => markup::tokenize_markup(code, &mut tokens),
        Language::Css => markup::tokenize_css(code, &mut tokens),
        Language::Yaml => markup::tokenize_yaml(code, &mut tokens),
        Language::Toml => markup::tokenize_toml(code, &mut tokens),
        programming => {
            let syntax = languages::syntax(programming)?;
            code::tokenize_code(syntax, code, 0, &mut tokens);
        }
    }
    Some(tokens)
}

/// Writes `code` into `out` as escaped XHTML text, with a span around each
/// token of the language `name`, and reports whether it did. A language
/// this module does not know, and every language in a build without the
/// `highlight` feature, is written plain.
pub fn write_code(out: &mut String, name: &str, code: &str) -> bool {
    #[cfg(feature = "highlight")]
    if let Some(tokens) = tokens(name, code) {
        write_tokens(out, code, &tokens);
        return true;
    }
    #[cfg(not(feature = "highlight"))]
    let _ = name;
    escape_text_into(out, code);
    false
}

#[cfg(feature = "highlight")]
fn write_tokens(out: &mut String, code: &str, tokens: &[Token]) {
    let mut written = 0;
    for token in tokens {
        // The tokenizers cut only at ASCII bytes, so these checks hold; a
        // token that breaks them is written plain rather than trusted.
        let (Some(before), Some(text)) = (
            code.get(written..token.range.start),
            code.get(token.range.clone()),
        ) else {
            continue;
        };
        if text.is_empty() {
            continue;
        }
        escape_text_into(out, before);
        out.push_str("<span class=\"");
        out.push_str(token.class.css_class());
        out.push_str("\">");
        escape_text_into(out, text);
        out.push_str("</span>");
        written = token.range.end;
    }
    escape_text_into(out, &code[written..]);
}

/// Returns each highlighted token of `code` as `class:text`, for the tests
/// of the tokenizers.
#[cfg(all(test, feature = "highlight"))]
fn marked(language: &str, code: &str) -> Vec<String> {
    tokens(language, code)
        .expect("a known language")
        .iter()
        .map(|token| {
            format!(
                "{}:{}",
                token.class.css_class().trim_start_matches("hl-"),
                &code[token.range.clone()]
            )
        })
        .collect()
}

#[cfg(all(test, feature = "highlight"))]
mod tests {
    use super::*;

    #[test]
    fn unknown_language_is_plain() {
        assert!(!is_supported("brainfuck"));
        let mut out = String::new();
        assert!(!write_code(&mut out, "text", "a < b & c"));
        assert_eq!(out, "a &lt; b &amp; c");
    }

    #[test]
    fn language_names_ignore_case() {
        assert!(is_supported("Rust"));
        assert!(is_supported("TS"));
        assert!(!is_supported("text"));
    }

    #[test]
    fn output_escaped_with_spans() {
        let mut out = String::new();
        assert!(write_code(&mut out, "rust", "if a < b { \"<&>\" }"));
        assert_eq!(
            out,
            "<span class=\"hl-kw\">if</span> a &lt; b { <span class=\"hl-str\">\"&lt;&amp;&gt;\"</span> }"
        );
    }

    #[test]
    fn non_ascii_text_kept_whole() {
        let code = "let ñandú = \"é\"; // ü\n'é' 'ß";
        let mut out = String::new();
        write_code(&mut out, "rust", code);
        let text: String = out
            .split(['<', '>'])
            .enumerate()
            .filter(|(index, _)| index % 2 == 0)
            .map(|(_, part)| part)
            .collect();
        assert_eq!(
            text.replace("&amp;", "&"),
            code,
            "every character is written once"
        );
    }

    /// The contrast of the highlighting colours, from the stylesheet that
    /// books get.
    mod palette {
        use super::*;

        /// Returns the WCAG 2 relative luminance of an sRGB colour.
        fn relative_luminance([red, green, blue]: [u8; 3]) -> f64 {
            let linear = |channel: u8| {
                let value = f64::from(channel) / 255.0;
                if value <= 0.04045 {
                    value / 12.92
                } else {
                    ((value + 0.055) / 1.055).powf(2.4)
                }
            };
            0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)
        }

        /// Returns the WCAG 2 contrast ratio of two colours, from 1 to 21.
        fn contrast_ratio(first: [u8; 3], second: [u8; 3]) -> f64 {
            let (first, second) = (relative_luminance(first), relative_luminance(second));
            (first.max(second) + 0.05) / (first.min(second) + 0.05)
        }

        fn parse_hex_colour(hex: &str) -> [u8; 3] {
            let hex = hex.strip_prefix('#').expect("a # colour");
            assert_eq!(hex.len(), 6, "#rrggbb: {hex}");
            let channel =
                |index: usize| u8::from_str_radix(&hex[index..index + 2], 16).expect("hex digits");
            [channel(0), channel(2), channel(4)]
        }

        /// Returns the colour the highlighting stylesheet gives a class.
        fn stylesheet_colour(class: Class) -> [u8; 3] {
            let css = crate::styles::HIGHLIGHT_CSS;
            let selector = format!(".{} {{", class.css_class());
            let rule_start = css
                .find(&selector)
                .unwrap_or_else(|| panic!("no rule for {selector}"));
            let rule = &css[rule_start..];
            let rule = &rule[..rule.find('}').expect("a closed rule")];
            let value = rule
                .split_once("color:")
                .unwrap_or_else(|| panic!("no colour in {rule}"))
                .1;
            parse_hex_colour(value.split(';').next().expect("a value").trim())
        }

        #[test]
        fn contrast_ratio_known_values() {
            let white = [255, 255, 255];
            assert!((contrast_ratio([0, 0, 0], white) - 21.0).abs() < 1e-9);
            assert!((contrast_ratio(white, white) - 1.0).abs() < 1e-9);
            // #777777 on white is the usual example of a grey just below AA.
            let grey = contrast_ratio([0x77, 0x77, 0x77], white);
            assert!((grey - 4.48).abs() < 0.01, "{grey}");
        }

        #[test]
        fn palette_meets_contrast() {
            const WHITE: [u8; 3] = [0xff, 0xff, 0xff];
            const BLACK: [u8; 3] = [0x00, 0x00, 0x00];
            const SEPIA: [u8; 3] = [0xfb, 0xf0, 0xd9];
            // A colour with 4.5:1 against black has a relative luminance of
            // at least 0.175, which gives at most 4.09:1 against sepia, so
            // sepia gets the lower bound it can have.
            for class in Class::ALL {
                let colour = stylesheet_colour(class);
                for (background, name, minimum) in [
                    (WHITE, "white", 4.5),
                    (BLACK, "black", 4.5),
                    (SEPIA, "sepia", 4.0),
                ] {
                    let ratio = contrast_ratio(colour, background);
                    assert!(
                        ratio >= minimum,
                        "{} {colour:?} has {ratio:.2}:1 against {name}, below {minimum}:1",
                        class.css_class()
                    );
                }
            }
        }

        #[test]
        fn sepia_and_black_bound() {
            // The best luminance for both is where the two ratios are equal;
            // even there they stay below 4.5:1.
            let sepia = relative_luminance([0xfb, 0xf0, 0xd9]);
            let best = ((sepia + 0.05) * 0.05).sqrt() - 0.05;
            let ratio = (best + 0.05) / 0.05;
            assert!(ratio < 4.5, "{ratio}");
        }
    }

    #[test]
    fn every_language_handles_hostile_text() {
        let hostile = "\"'`/*<!--#{[$@\\\u{e9}\r\n\"\"\"'''r#\"\u{1F600}".repeat(3);
        for (language, _) in LANGUAGES {
            let tokens = tokens(language, &hostile).expect("listed language");
            let mut end = 0;
            for token in &tokens {
                assert!(
                    token.range.start >= end,
                    "{language}: overlapping {token:?}"
                );
                assert!(
                    hostile.is_char_boundary(token.range.start)
                        && hostile.is_char_boundary(token.range.end),
                    "{language}: {token:?} cuts a character"
                );
                end = token.range.end;
            }
            assert!(end <= hostile.len(), "{language}: past the end");
        }
    }
}
