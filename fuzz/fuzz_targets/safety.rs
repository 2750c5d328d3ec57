//! The property every fuzz target asserts: a content document is
//! well-formed XML with no script, event handler, script URL or element
//! that could load or run something.

/// Elements that must never reach a book's body.
const FORBIDDEN_ELEMENTS: &[&str] = &[
    "script", "iframe", "frame", "object", "embed", "form", "input", "button", "base", "style",
    "link", "template",
];

/// Panics, so the fuzzer records a crash, when `xhtml` breaks the property.
pub fn assert_safe(name: &str, xhtml: &str) {
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        // Deeply nested input gives deeply nested output, which is valid.
        nodes_limit: u32::MAX,
        ..roxmltree::ParsingOptions::default()
    };
    let document = match roxmltree::Document::parse_with_options(xhtml, options) {
        Ok(document) => document,
        Err(roxmltree::Error::NodesLimitReached) => return,
        Err(error) => panic!("{name} is not well-formed XML: {error}\n{xhtml}"),
    };
    let body = document
        .descendants()
        .find(|node| node.has_tag_name("body"))
        .unwrap_or(document.root_element());
    for node in body.descendants().filter(roxmltree::Node::is_element) {
        let element = node.tag_name().name().to_ascii_lowercase();
        assert!(
            !FORBIDDEN_ELEMENTS.contains(&element.as_str()),
            "{name}: <{element}> reached the book"
        );
        assert!(
            !(element == "meta" && node.attribute("http-equiv").is_some()),
            "{name}: <meta http-equiv>"
        );
        for attribute in node.attributes() {
            let attribute_name = attribute.name().to_ascii_lowercase();
            assert!(
                !attribute_name.starts_with("on"),
                "{name}: {attribute_name} on <{element}>"
            );
            let value: String = attribute
                .value()
                .chars()
                .filter(|c| !c.is_whitespace() && !c.is_control())
                .collect::<String>()
                .to_ascii_lowercase();
            // Text attributes such as alt and title may contain anything. Only
            // attributes a reading system follows or loads are URLs.
            let is_url = matches!(
                attribute_name.as_str(),
                "href"
                    | "src"
                    | "action"
                    | "formaction"
                    | "data"
                    | "poster"
                    | "cite"
                    | "background"
            ) || attribute_name.ends_with(":href");
            let is_style = attribute_name == "style";
            for scheme in ["javascript:", "vbscript:", "data:text/html"] {
                assert!(
                    !(is_url && value.starts_with(scheme)) && !(is_style && value.contains(scheme)),
                    "{name}: {scheme} in {attribute_name} on <{element}>"
                );
            }
        }
    }
}
