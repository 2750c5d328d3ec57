//! Accessibility: the checks on a chapter's text that raise warnings an
//! author can act on, and the EPUB Accessibility 1.1 metadata derived from
//! what the book contains.
//!
//! The metadata states only what Quire can see in the book: images make
//! the access mode visual, `alternativeText` needs every image to have alt
//! text, `MathML` needs a formula written as MathML. Each value can be
//! overridden from the book's metadata (see [`AccessibilityOverrides`]).

use crate::xml::XmlWriter;

/// The conformance claim Quire writes when its checks find nothing: the
/// identifier EPUB Accessibility 1.1 defines for WCAG 2.1 Level AA.
pub const CONFORMANCE: &str = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA";

/// The `schema:accessMode` values (EPUB Accessibility 1.1 and schema.org).
pub const ACCESS_MODES: &[&str] = &[
    "auditory",
    "chartOnVisual",
    "chemOnVisual",
    "colorDependent",
    "diagramOnVisual",
    "mathOnVisual",
    "musicOnVisual",
    "tactile",
    "textOnVisual",
    "textual",
    "visual",
];

/// The modes a `schema:accessModeSufficient` entry lists, comma-separated.
pub const SUFFICIENT_MODES: &[&str] = &["auditory", "tactile", "textual", "visual"];

/// The `schema:accessibilityFeature` values of schema.org's vocabulary.
pub const FEATURES: &[&str] = &[
    "alternativeText",
    "annotations",
    "ARIA",
    "audioDescription",
    "bookmarks",
    "braille",
    "captions",
    "ChemML",
    "describedMath",
    "displayTransformability",
    "fullRubyAnnotations",
    "highContrastAudio",
    "highContrastDisplay",
    "horizontalWriting",
    "index",
    "largePrint",
    "latex",
    "longDescription",
    "MathML",
    "none",
    "openCaptions",
    "pageBreakMarkers",
    "pageNavigation",
    "printPageNumbers",
    "readingOrder",
    "rubyAnnotations",
    "signLanguage",
    "structuralNavigation",
    "synchronizedAudioText",
    "tableOfContents",
    "tactileGraphic",
    "tactileObject",
    "timingControl",
    "transcript",
    "ttsMarkup",
    "unknown",
    "unlocked",
    "verticalWriting",
    "withAdditionalWordSegmentation",
    "withoutAdditionalWordSegmentation",
];

/// The `schema:accessibilityHazard` values of schema.org's vocabulary.
pub const HAZARDS: &[&str] = &[
    "flashing",
    "motionSimulation",
    "sound",
    "noFlashingHazard",
    "noMotionSimulationHazard",
    "noSoundHazard",
    "unknownFlashingHazard",
    "unknownMotionSimulationHazard",
    "unknownSoundHazard",
    "none",
    "unknown",
];

/// Returns the values that the vocabulary of the metadata key `key`
/// defines, or an empty list for a key without a vocabulary.
pub fn allowed_values(key: &str) -> &'static [&'static str] {
    match key {
        "access-mode" => ACCESS_MODES,
        "access-mode-sufficient" => SUFFICIENT_MODES,
        "accessibility-feature" => FEATURES,
        "accessibility-hazard" => HAZARDS,
        _ => &[],
    }
}

/// Splits the values given for the metadata key `key` into those its
/// vocabulary defines and those it does not. Keys without a vocabulary
/// keep every value. An `access-mode-sufficient` value is a
/// comma-separated set of modes, each of which must be known.
pub fn split_known_values(key: &str, values: Vec<String>) -> (Vec<String>, Vec<String>) {
    let vocabulary = allowed_values(key);
    if vocabulary.is_empty() {
        return (values, Vec::new());
    }
    let is_known = |value: &str| {
        if key == "access-mode-sufficient" {
            value
                .split(',')
                .all(|mode| vocabulary.contains(&mode.trim()))
        } else {
            vocabulary.contains(&value)
        }
    };
    values.into_iter().partition(|value| is_known(value))
}

/// Counts from one chapter's writer that bear on accessibility.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChapterFacts {
    /// Images written into the chapter.
    pub images: usize,
    /// Of those, images with no alt text that are not marked as decoration
    /// (a raw `<img alt="">` marks an image as decoration).
    pub images_without_alt: usize,
    /// Headings in the chapter.
    pub headings: usize,
    /// Accessibility warnings raised on the chapter: missing alt text,
    /// skipped heading levels, tables with no header row, unclear links.
    pub problems: usize,
}

impl ChapterFacts {
    /// Adds another chapter's counts to these.
    pub fn add(&mut self, other: &ChapterFacts) {
        self.images += other.images;
        self.images_without_alt += other.images_without_alt;
        self.headings += other.headings;
        self.problems += other.problems;
    }
}

/// The whole book's content, as far as its accessibility metadata depends
/// on it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BookFacts {
    /// The chapters' counts, with the cover image added to `images`.
    pub chapters: ChapterFacts,
    /// Whether a formula is written as MathML.
    pub mathml: bool,
    /// Whether a GIF, WebP or SVG image from the input is in the book.
    /// Those formats can animate, and Quire does not look at the frames,
    /// so it cannot rule out flashing.
    pub may_animate: bool,
    /// Whether the author added stylesheets, whose colours Quire does not
    /// check for contrast.
    pub author_stylesheets: bool,
}

/// Values given in the book's metadata that replace the derived ones.
/// Lists replace the whole derived list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccessibilityOverrides {
    pub access_modes: Option<Vec<String>>,
    /// Each entry is one set of modes, comma-separated (`textual,visual`).
    pub access_modes_sufficient: Option<Vec<String>>,
    pub features: Option<Vec<String>>,
    pub hazards: Option<Vec<String>>,
    pub summary: Option<String>,
    /// `dcterms:conformsTo`; `none` removes Quire's claim.
    pub conforms_to: Option<String>,
    /// `a11y:certifiedBy`: who evaluated the book.
    pub certified_by: Option<String>,
}

/// The accessibility metadata of a package document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccessibilityMetadata {
    pub access_modes: Vec<String>,
    pub access_modes_sufficient: Vec<String>,
    pub features: Vec<String>,
    pub hazards: Vec<String>,
    pub summary: String,
    pub conforms_to: Option<String>,
    pub certified_by: Option<String>,
}

/// Derives the metadata from the book's content, then applies the
/// overrides.
pub fn derive_metadata(
    facts: &BookFacts,
    overrides: &AccessibilityOverrides,
) -> AccessibilityMetadata {
    let counts = &facts.chapters;
    let has_images = counts.images > 0;
    let all_alt = counts.images_without_alt == 0;

    let mut access_modes = vec!["textual".to_string()];
    if has_images {
        access_modes.push("visual".to_string());
    }

    // Text alone suffices when every image has a text alternative.
    let mut sufficient = Vec::new();
    if all_alt {
        sufficient.push("textual".to_string());
    }
    if has_images {
        sufficient.push("textual,visual".to_string());
    }

    let mut features = Vec::new();
    if counts.headings > 0 {
        features.push("structuralNavigation");
    }
    features.extend(["tableOfContents", "readingOrder", "displayTransformability"]);
    if has_images && all_alt {
        features.push("alternativeText");
    }
    if facts.mathml {
        features.push("MathML");
    }
    let features: Vec<String> = features.into_iter().map(str::to_string).collect();

    // Quire writes no audio, video or script, so sound and motion are
    // ruled out; flashing only when no image can animate.
    let hazards: Vec<String> = if facts.may_animate {
        vec![
            "noSoundHazard".to_string(),
            "noMotionSimulationHazard".to_string(),
            "unknownFlashingHazard".to_string(),
        ]
    } else {
        vec!["none".to_string()]
    };

    // NOTE: the claim rests on Quire's automatic checks alone. They cannot
    // judge whether alt text and link text are meaningful or whether raw
    // HTML is used well, so a book for sale should be evaluated by a
    // person, who can then set `certified-by`.
    let conforms_to = (counts.problems == 0 && !facts.author_stylesheets && all_alt)
        .then(|| CONFORMANCE.to_string());

    let mut metadata = AccessibilityMetadata {
        access_modes,
        access_modes_sufficient: sufficient,
        features,
        hazards,
        summary: String::new(),
        conforms_to,
        certified_by: None,
    };
    if let Some(modes) = &overrides.access_modes {
        metadata.access_modes = modes.clone();
    }
    if let Some(sufficient) = &overrides.access_modes_sufficient {
        metadata.access_modes_sufficient = sufficient.clone();
    }
    if let Some(features) = &overrides.features {
        metadata.features = features.clone();
    }
    if let Some(hazards) = &overrides.hazards {
        metadata.hazards = hazards.clone();
    }
    match overrides.conforms_to.as_deref() {
        Some("none") => metadata.conforms_to = None,
        Some(claim) => metadata.conforms_to = Some(claim.to_string()),
        None => {}
    }
    metadata.certified_by = overrides.certified_by.clone();
    // Written after the overrides, so that it agrees with them.
    metadata.summary = match &overrides.summary {
        Some(summary) => summary.clone(),
        None => summary(facts, &metadata),
    };
    metadata
}

/// Writes the summary from the facts, in English, for a person choosing
/// the book.
fn summary(facts: &BookFacts, metadata: &AccessibilityMetadata) -> String {
    let counts = &facts.chapters;
    let mut sentences = Vec::new();
    if counts.headings > 0 {
        sentences.push(
            "This book has a table of contents, headings to navigate by, and a reading order that follows the text.".to_string(),
        );
    } else {
        sentences.push(
            "This book has a table of contents and a reading order that follows the text."
                .to_string(),
        );
    }
    // Images with an empty alt are decoration, which needs no description.
    match (counts.images, counts.images_without_alt) {
        (0, _) => sentences.push("It contains no images.".to_string()),
        (1, 0) => sentences
            .push("Its one image has a text description or is marked as decoration.".to_string()),
        (images, 0) => sentences.push(format!(
            "Each of its {images} images has a text description or is marked as decoration."
        )),
        (1, _) => sentences.push("Its one image has no text description.".to_string()),
        (images, 1) => sentences.push(format!("1 of its {images} images has no text description.")),
        (images, missing) => sentences.push(format!(
            "{missing} of its {images} images have no text description."
        )),
    }
    if facts.mathml {
        sentences.push("Formulas are written in MathML.".to_string());
    }
    sentences.push(
        "The reading system can change the text's font, size and colours, because the book sets none of them for body text.".to_string(),
    );
    let hazard = |name: &str| metadata.hazards.iter().any(|value| value == name);
    if hazard("unknownFlashingHazard") && facts.may_animate {
        sentences.push("An image may be animated, so whether it flashes is not known.".to_string());
    } else if hazard("unknownFlashingHazard") || hazard("unknown") {
        sentences.push("Whether it has flashing content is not known.".to_string());
    }
    for (name, sentence) in [
        ("flashing", "It has flashing content."),
        ("motionSimulation", "It has content that simulates motion."),
        ("sound", "It has sounds."),
    ] {
        if hazard(name) {
            sentences.push(sentence.to_string());
        }
    }
    match &metadata.conforms_to {
        Some(claim) => sentences.push(format!(
            "It meets {claim} as far as automatic checks can tell."
        )),
        None => {
            sentences.push("It does not claim conformance to EPUB Accessibility 1.1.".to_string())
        }
    }
    sentences.join(" ")
}

/// Writes the metadata as `meta` elements of the package document. The
/// `schema:`, `dcterms:` and `a11y:` prefixes are reserved in EPUB 3.3, so
/// they need no declaration.
pub fn write_metadata(xml: &mut XmlWriter, metadata: &AccessibilityMetadata, summary_lang: &str) {
    let lists = [
        ("schema:accessMode", &metadata.access_modes),
        (
            "schema:accessModeSufficient",
            &metadata.access_modes_sufficient,
        ),
        ("schema:accessibilityFeature", &metadata.features),
        ("schema:accessibilityHazard", &metadata.hazards),
    ];
    for (property, values) in lists {
        for value in values {
            xml.text_element("meta", &[("property", property)], value);
        }
    }
    if !metadata.summary.is_empty() {
        let mut attributes = vec![("property", "schema:accessibilitySummary")];
        // Quire's own summary is English, whatever the book's language.
        if !summary_lang.is_empty() {
            attributes.push(("xml:lang", summary_lang));
        }
        xml.text_element("meta", &attributes, &metadata.summary);
    }
    if let Some(claim) = &metadata.conforms_to {
        xml.text_element("meta", &[("property", "dcterms:conformsTo")], claim);
    }
    if let Some(certifier) = &metadata.certified_by {
        xml.text_element("meta", &[("property", "a11y:certifiedBy")], certifier);
    }
}

/// Returns why a link's text does not tell where the link goes, or `None`
/// when it does. `text` is the link's text with markup removed, and
/// `has_image_name` is whether an image in the link has alt text.
pub fn unclear_link_text(text: &str, has_image_name: bool) -> Option<String> {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        return (!has_image_name).then(|| {
            "link has no text; write link text, or alt text for its image, that names the target"
                .to_string()
        });
    }
    let bare = text.trim_end_matches(['.', ',', ':', ';', '!', '?']);
    const VAGUE: &[&str] = &[
        "here",
        "click here",
        "this",
        "this link",
        "link",
        "more",
        "read more",
    ];
    if VAGUE.iter().any(|vague| bare.eq_ignore_ascii_case(vague)) {
        return Some(format!(
            "link text \"{text}\" does not say where the link goes; write link text that names the target"
        ));
    }
    let lower = bare.to_ascii_lowercase();
    let is_url = !bare.contains(' ')
        && (lower.starts_with("http://")
            || lower.starts_with("https://")
            || lower.starts_with("www."));
    if is_url {
        return Some(format!(
            "link text is the bare URL \"{text}\", which screen readers spell out; write words that name the target as the link text, as in [words](URL)"
        ));
    }
    None
}

/// Returns the text of an XHTML fragment with its tags removed, and
/// whether one of its `img` elements has non-empty alt text.
pub fn text_of_markup(markup: &str) -> (String, bool) {
    let mut text = String::new();
    let mut has_image_name = false;
    let mut rest = markup;
    while let Some(start) = rest.find('<') {
        text.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('>') else {
            break;
        };
        let tag = &rest[start..start + end];
        if tag.starts_with("<img ")
            && let Some(alt) = tag.split(" alt=\"").nth(1)
            && !alt.starts_with('"')
        {
            has_image_name = true;
        }
        rest = &rest[start + end + 1..];
    }
    // An unclosed tag at the end is not text.
    if !rest.contains('<') {
        text.push_str(rest);
    }
    let text = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    (text, has_image_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(images: usize, without_alt: usize) -> BookFacts {
        BookFacts {
            chapters: ChapterFacts {
                images,
                images_without_alt: without_alt,
                headings: 3,
                problems: without_alt,
            },
            ..BookFacts::default()
        }
    }

    fn has(values: &[String], wanted: &str) -> bool {
        values.iter().any(|value| value == wanted)
    }

    #[test]
    fn text_only_book_is_textual() {
        let metadata = derive_metadata(&facts(0, 0), &AccessibilityOverrides::default());
        assert_eq!(metadata.access_modes, ["textual"]);
        assert_eq!(metadata.access_modes_sufficient, ["textual"]);
        assert!(!has(&metadata.features, "alternativeText"));
        assert!(has(&metadata.features, "structuralNavigation"));
        assert!(has(&metadata.features, "tableOfContents"));
        assert_eq!(metadata.hazards, ["none"]);
        assert_eq!(metadata.conforms_to.as_deref(), Some(CONFORMANCE));
        assert!(
            metadata.summary.contains("no images"),
            "{}",
            metadata.summary
        );
    }

    #[test]
    fn images_with_alt_claim_alternative_text() {
        let metadata = derive_metadata(&facts(2, 0), &AccessibilityOverrides::default());
        assert_eq!(metadata.access_modes, ["textual", "visual"]);
        assert_eq!(
            metadata.access_modes_sufficient,
            ["textual", "textual,visual"]
        );
        assert!(has(&metadata.features, "alternativeText"));
        assert!(
            metadata
                .summary
                .contains("Each of its 2 images has a text description"),
            "{}",
            metadata.summary
        );
    }

    #[test]
    fn image_without_alt_drops_claims() {
        let metadata = derive_metadata(&facts(2, 1), &AccessibilityOverrides::default());
        assert!(!has(&metadata.features, "alternativeText"));
        assert_eq!(metadata.access_modes_sufficient, ["textual,visual"]);
        assert_eq!(metadata.conforms_to, None);
        assert!(
            metadata.summary.contains("1 of its 2 images has no text"),
            "{}",
            metadata.summary
        );
    }

    #[test]
    fn mathml_and_animation_change_metadata() {
        let book = BookFacts {
            mathml: true,
            may_animate: true,
            ..facts(1, 0)
        };
        let metadata = derive_metadata(&book, &AccessibilityOverrides::default());
        assert!(has(&metadata.features, "MathML"));
        assert!(has(&metadata.hazards, "unknownFlashingHazard"));
        assert!(!has(&metadata.hazards, "none"));
    }

    #[test]
    fn author_stylesheet_or_problem_drops_conformance() {
        let styled = BookFacts {
            author_stylesheets: true,
            ..facts(0, 0)
        };
        let metadata = derive_metadata(&styled, &AccessibilityOverrides::default());
        assert_eq!(metadata.conforms_to, None);

        let mut problem = facts(0, 0);
        problem.chapters.problems = 1;
        let metadata = derive_metadata(&problem, &AccessibilityOverrides::default());
        assert_eq!(metadata.conforms_to, None);
        assert!(metadata.summary.contains("does not claim"));
    }

    #[test]
    fn overrides_replace_derived_values() {
        let overrides = AccessibilityOverrides {
            features: Some(vec!["ARIA".to_string()]),
            hazards: Some(vec!["flashing".to_string()]),
            summary: Some("Read by a person.".to_string()),
            conforms_to: Some("none".to_string()),
            certified_by: Some("Example Lab".to_string()),
            ..AccessibilityOverrides::default()
        };
        let metadata = derive_metadata(&facts(0, 0), &overrides);
        assert_eq!(metadata.features, ["ARIA"]);
        assert_eq!(metadata.hazards, ["flashing"]);
        assert_eq!(metadata.summary, "Read by a person.");
        assert_eq!(metadata.conforms_to, None);
        assert_eq!(metadata.certified_by.as_deref(), Some("Example Lab"));
        assert_eq!(metadata.access_modes, ["textual"], "not overridden");
    }

    #[test]
    fn summary_follows_overrides() {
        let clean = derive_metadata(
            &facts(0, 0),
            &AccessibilityOverrides {
                conforms_to: Some("none".to_string()),
                ..AccessibilityOverrides::default()
            },
        );
        assert!(
            clean.summary.contains("does not claim conformance"),
            "{}",
            clean.summary
        );
        assert!(!clean.summary.contains("It meets"), "{}", clean.summary);

        let animated = BookFacts {
            may_animate: true,
            ..facts(1, 0)
        };
        let no_hazard = derive_metadata(
            &animated,
            &AccessibilityOverrides {
                hazards: Some(vec!["none".to_string()]),
                ..AccessibilityOverrides::default()
            },
        );
        assert!(
            !no_hazard.summary.contains("flashes"),
            "{}",
            no_hazard.summary
        );
        let derived = derive_metadata(&animated, &AccessibilityOverrides::default());
        assert!(
            derived.summary.contains("flashes is not known"),
            "{}",
            derived.summary
        );
    }

    #[test]
    fn one_image_summary_grammar() {
        let metadata = derive_metadata(&facts(1, 1), &AccessibilityOverrides::default());
        assert!(
            metadata
                .summary
                .contains("Its one image has no text description."),
            "{}",
            metadata.summary
        );
    }

    #[test]
    fn override_values_checked_against_vocabulary() {
        let values = |list: &[&str]| list.iter().map(|value| value.to_string()).collect();
        let (known, unknown) =
            split_known_values("accessibility-hazard", values(&["noSoundHazard", "banana"]));
        assert_eq!(known, ["noSoundHazard"]);
        assert_eq!(unknown, ["banana"]);
        let (known, unknown) = split_known_values(
            "access-mode-sufficient",
            values(&["textual", "textual, visual", "textual,smell"]),
        );
        assert_eq!(known, ["textual", "textual, visual"]);
        assert_eq!(unknown, ["textual,smell"]);
        let (known, unknown) =
            split_known_values("accessibility-feature", values(&["MathML", "altText"]));
        assert_eq!(known, ["MathML"]);
        assert_eq!(unknown, ["altText"]);
        let (_, unknown) = split_known_values("access-mode", values(&["textual", "smell"]));
        assert_eq!(unknown, ["smell"]);
    }

    #[test]
    fn unclear_link_texts_found() {
        for text in [
            "here",
            "Click here.",
            " read  more ",
            "https://example.com/a",
            "www.example.com",
        ] {
            assert!(unclear_link_text(text, false).is_some(), "{text}");
        }
        assert!(unclear_link_text("", false).is_some());
        assert!(
            unclear_link_text("", true).is_none(),
            "image names the link"
        );
        for text in ["the install guide", "here and there", "http header"] {
            assert!(unclear_link_text(text, false).is_none(), "{text}");
        }
    }

    #[test]
    fn markup_text_extracted() {
        assert_eq!(
            text_of_markup("<em>a &amp; b</em> c"),
            ("a & b c".to_string(), false)
        );
        assert_eq!(
            text_of_markup("<img src=\"x.png\" alt=\"A cat\" />"),
            (String::new(), true)
        );
        assert_eq!(
            text_of_markup("<img src=\"x.png\" alt=\"\" />"),
            (String::new(), false)
        );
        assert_eq!(text_of_markup("plain"), ("plain".to_string(), false));
    }
}
