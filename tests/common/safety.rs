//! The safety property every content document of a book must have: it is
//! well-formed XML whose body holds no script, event handler, script URL,
//! or element that could load or run something. Shared by the XSS, golden
//! and regression tests and by the fuzz targets.

/// Elements that must never reach a book's body.
pub const FORBIDDEN_ELEMENTS: &[&str] = &[
    "script", "iframe", "frame", "object", "embed", "form", "input", "button", "base", "style",
    "link", "template", "noscript",
];

/// Returns the problems that make a content document unsafe, each naming
/// `name`; an empty list means the document is safe.
pub fn problems(name: &str, xhtml: &str) -> Vec<String> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        // Deeply nested input gives deeply nested output, which is valid.
        nodes_limit: u32::MAX,
        ..roxmltree::ParsingOptions::default()
    };
    let document = match roxmltree::Document::parse_with_options(xhtml, options) {
        Ok(document) => document,
        Err(error) => return vec![format!("{name}: not well-formed XML: {error}")],
    };

    // The head contains Quire's own stylesheet links. Everything from the
    // chapter is in the body, or is the fragment's root.
    let body = document
        .descendants()
        .find(|node| node.has_tag_name("body"))
        .unwrap_or(document.root_element());
    let mut found = Vec::new();
    for node in body.descendants().filter(roxmltree::Node::is_element) {
        let element = node.tag_name().name().to_ascii_lowercase();
        if FORBIDDEN_ELEMENTS.contains(&element.as_str()) {
            found.push(format!("{name}: <{element}> element"));
        }
        if element == "meta" && node.attribute("http-equiv").is_some() {
            found.push(format!("{name}: <meta http-equiv>"));
        }
        for attribute in node.attributes() {
            found.extend(attribute_problem(
                name,
                &element,
                attribute.name(),
                attribute.value(),
            ));
        }
    }
    found
}

fn attribute_problem(name: &str, element: &str, attribute: &str, value: &str) -> Option<String> {
    let attribute = attribute.to_ascii_lowercase();
    if attribute.starts_with("on") {
        return Some(format!("{name}: {attribute} on <{element}>"));
    }
    let value: String = value
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase();

    // Alt and title text may contain anything. Only the attributes a
    // reading system follows or loads are URLs.
    let is_url = matches!(
        attribute.as_str(),
        "href" | "src" | "action" | "formaction" | "data" | "poster" | "cite"
    ) || attribute.ends_with(":href");
    let is_style = attribute == "style";
    for scheme in ["javascript:", "vbscript:", "data:text/html"] {
        if (is_url && value.starts_with(scheme)) || (is_style && value.contains(scheme)) {
            return Some(format!("{name}: {scheme} in {attribute} on <{element}>"));
        }
    }
    if is_style && (value.contains("url(") || value.contains("expression(")) {
        return Some(format!("{name}: unsafe style on <{element}>"));
    }
    None
}
