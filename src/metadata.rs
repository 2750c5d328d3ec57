//! Book metadata: read from a YAML block or file the way pandoc users write
//! it, merged with options, and the book's language checked or guessed.

use std::fmt;

use yaml_rust2::{Yaml, YamlLoader};

use crate::accessibility::{self, AccessibilityOverrides};
use crate::book::resolve_relative;
use crate::error::{Error, Warning, Warnings};

/// The metadata of a book. Every field is optional so that sources can be
/// layered: a later source's `Some` replaces an earlier one.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Metadata {
    pub title: Option<String>,
    pub subtitle: Option<String>,
    pub authors: Option<Vec<String>>,
    pub contributors: Option<Vec<String>>,
    /// The language as a BCP 47 tag, such as `de` or `pt-BR`.
    pub lang: Option<String>,
    /// The publication date, as W3C date and time format (`2024`, `2024-05-01`...).
    pub date: Option<String>,
    pub identifier: Option<String>,
    pub publisher: Option<String>,
    pub rights: Option<String>,
    pub description: Option<String>,
    pub subjects: Option<Vec<String>>,
    /// The cover image's path in the book.
    pub cover_image: Option<String>,
    /// Stylesheet paths in the book, applied after the default one in order.
    pub css: Option<Vec<String>>,
    /// `ltr`, `rtl` or `default`.
    pub page_progression_direction: Option<String>,
    /// Accessibility metadata that replaces what Quire derives.
    pub accessibility: AccessibilityOverrides,
    /// The book's version, such as `1.2`, written as `ibooks:version` for
    /// Apple Books.
    pub version: Option<String>,
}

/// Formats the metadata as `#[derive(Debug)]` would, but leaves out the
/// accessibility overrides and the version when they are not set. The
/// book's identifier is derived from this text, so books made before those
/// keys existed keep their identifier.
impl fmt::Debug for Metadata {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("Metadata");
        debug
            .field("title", &self.title)
            .field("subtitle", &self.subtitle)
            .field("authors", &self.authors)
            .field("contributors", &self.contributors)
            .field("lang", &self.lang)
            .field("date", &self.date)
            .field("identifier", &self.identifier)
            .field("publisher", &self.publisher)
            .field("rights", &self.rights)
            .field("description", &self.description)
            .field("subjects", &self.subjects)
            .field("cover_image", &self.cover_image)
            .field("css", &self.css)
            .field(
                "page_progression_direction",
                &self.page_progression_direction,
            );
        if self.accessibility != AccessibilityOverrides::default() {
            debug.field("accessibility", &self.accessibility);
        }
        if self.version.is_some() {
            debug.field("version", &self.version);
        }
        debug.finish()
    }
}

impl Metadata {
    /// Overlays `other` on `self`: each field `other` sets replaces this one.
    pub fn merge(&mut self, other: Metadata) {
        macro_rules! overlay {
            ($($field:ident),*) => {
                $(if other.$field.is_some() { self.$field = other.$field; })*
            };
        }
        overlay!(
            title,
            subtitle,
            authors,
            contributors,
            lang,
            date,
            identifier,
            publisher,
            rights,
            description,
            subjects,
            cover_image,
            css,
            page_progression_direction,
            version
        );
        let accessibility = other.accessibility;
        let mine = &mut self.accessibility;
        macro_rules! overlay_accessibility {
            ($($field:ident),*) => {
                $(if accessibility.$field.is_some() { mine.$field = accessibility.$field; })*
            };
        }
        overlay_accessibility!(
            access_modes,
            access_modes_sufficient,
            features,
            hazards,
            summary,
            conforms_to,
            certified_by
        );
    }
}

impl Metadata {
    /// Removes the characters XML forbids from every value, which may come
    /// from a YAML file, a flag or the page's form, and returns how many
    /// were removed.
    pub fn remove_forbidden_chars(&mut self) -> usize {
        let mut removed = 0;
        let mut clean = |text: &mut String| {
            let before = text.chars().count();
            text.retain(crate::xml::is_xml_char);
            removed += before - text.chars().count();
        };
        for text in [
            &mut self.title,
            &mut self.subtitle,
            &mut self.lang,
            &mut self.date,
            &mut self.identifier,
            &mut self.publisher,
            &mut self.rights,
            &mut self.description,
            &mut self.cover_image,
            &mut self.page_progression_direction,
            &mut self.accessibility.summary,
            &mut self.accessibility.conforms_to,
            &mut self.accessibility.certified_by,
            &mut self.version,
        ]
        .into_iter()
        .flatten()
        {
            clean(text);
        }
        for list in [
            &mut self.authors,
            &mut self.contributors,
            &mut self.subjects,
            &mut self.css,
            &mut self.accessibility.access_modes,
            &mut self.accessibility.access_modes_sufficient,
            &mut self.accessibility.features,
            &mut self.accessibility.hazards,
        ]
        .into_iter()
        .flatten()
        {
            list.iter_mut().for_each(&mut clean);
        }
        removed
    }
}

/// Returns the offset, in lines from the start of `yaml`, of the line
/// where the top-level `key` is written as `key:` or `"key":`, or `None`
/// when it is not written that way (in a flow mapping, say).
fn key_line(yaml: &str, key: &str) -> Option<usize> {
    yaml.lines().position(|line| {
        let unquoted = line.strip_prefix(key);
        let quoted = line
            .strip_prefix(['"', '\''])
            .and_then(|rest| rest.strip_prefix(key))
            .and_then(|rest| rest.strip_prefix(['"', '\'']));
        unquoted
            .or(quoted)
            .is_some_and(|rest| rest.trim_start().starts_with(':'))
    })
}

/// Parses a YAML metadata block or file. `path` names its source, for
/// messages and so that `cover-image` and `css` paths resolve relative to it.
/// `first_line` is the line of the YAML's first line in that file.
pub fn parse_yaml(
    path: &str,
    first_line: usize,
    yaml: &str,
    warnings: &mut Warnings,
) -> Result<Metadata, Error> {
    let documents = YamlLoader::load_from_str(yaml).map_err(|error| Error::InvalidMetadata {
        path: path.to_string(),
        line: Some(first_line + error.marker().line().saturating_sub(1)),
        reason: error.info().to_string(),
    })?;
    let mut metadata = Metadata::default();
    let Some(root) = documents.into_iter().next() else {
        return Ok(metadata);
    };
    let Yaml::Hash(entries) = root else {
        if root.is_null() {
            return Ok(metadata);
        }
        return Err(Error::InvalidMetadata {
            path: path.to_string(),
            line: Some(first_line),
            reason: "expected `key: value` lines".to_string(),
        });
    };

    for (key, value) in entries {
        let Some(key) = key.as_str() else { continue };
        // The loader keeps no positions, so warnings find the key's line in
        // the text, or give the block's first line.
        let line = first_line + key_line(yaml, key).unwrap_or(0);
        let warn = |warnings: &mut Warnings, expected: &str| {
            warnings.push(Warning::new(
                path,
                Some(line),
                format!("metadata key `{key}` should be {expected}; ignored it"),
            ));
        };
        match key {
            "title" => metadata.title = scalar(&value).or_else(|| title_from_list(&value)),
            "subtitle" => metadata.subtitle = scalar(&value),
            "author" | "authors" | "creator" => metadata.authors = names(&value),
            "contributor" | "contributors" => metadata.contributors = names(&value),
            "lang" | "language" => metadata.lang = scalar(&value),
            "date" => metadata.date = scalar(&value),
            "identifier" => {
                metadata.identifier = scalar(&value).or_else(|| identifier_text(&value))
            }
            "publisher" => metadata.publisher = scalar(&value),
            "rights" => metadata.rights = scalar(&value),
            "description" | "abstract" => metadata.description = scalar(&value),
            "subject" | "subjects" | "keywords" => metadata.subjects = strings(&value),
            "cover-image" | "cover" => {
                metadata.cover_image = scalar(&value).map(|cover| resolve_relative(path, &cover))
            }
            "css" | "stylesheet" => {
                metadata.css = strings(&value).map(|sheets| {
                    sheets
                        .iter()
                        .map(|sheet| resolve_relative(path, sheet))
                        .collect()
                })
            }
            "page-progression-direction" => metadata.page_progression_direction = scalar(&value),
            "access-mode" => metadata.accessibility.access_modes = strings(&value),
            "access-mode-sufficient" => {
                metadata.accessibility.access_modes_sufficient = strings(&value)
            }
            "accessibility-feature" => metadata.accessibility.features = strings(&value),
            "accessibility-hazard" => metadata.accessibility.hazards = strings(&value),
            "accessibility-summary" => metadata.accessibility.summary = scalar(&value),
            "conforms-to" => metadata.accessibility.conforms_to = scalar(&value),
            "certified-by" => metadata.accessibility.certified_by = scalar(&value),
            "version" => metadata.version = scalar(&value),
            _ => {
                // Pandoc metadata has many keys Quire has no use for, so
                // only a near miss of a known key is worth a warning.
                if let Some(known) = KNOWN_KEYS
                    .iter()
                    .find(|known| edit_distance(key, known) <= 2)
                {
                    warnings.push(Warning::new(
                        path,
                        Some(line),
                        format!("unknown metadata key `{key}` ignored; did you mean `{known}`?"),
                    ));
                }
                continue;
            }
        }

        if let Some(field) = accessibility_list(&mut metadata, key)
            && let Some(values) = field.take()
        {
            *field = checked_accessibility_values(key, values, path, line, warnings);
        }

        let understood = match key {
            "title" => metadata.title.is_some(),
            "author" | "authors" | "creator" => metadata.authors.is_some(),
            "contributor" | "contributors" => metadata.contributors.is_some(),
            "subject" | "subjects" | "keywords" => metadata.subjects.is_some(),
            "css" | "stylesheet" => metadata.css.is_some(),
            "access-mode" => metadata.accessibility.access_modes.is_some(),
            "access-mode-sufficient" => metadata.accessibility.access_modes_sufficient.is_some(),
            "accessibility-feature" => metadata.accessibility.features.is_some(),
            "accessibility-hazard" => metadata.accessibility.hazards.is_some(),
            "accessibility-summary" => metadata.accessibility.summary.is_some(),
            "conforms-to" => metadata.accessibility.conforms_to.is_some(),
            "certified-by" => metadata.accessibility.certified_by.is_some(),
            _ => true,
        };
        let takes_text_only = matches!(
            key,
            "accessibility-summary" | "conforms-to" | "certified-by"
        );
        let empty = value.as_str().is_some_and(|text| text.trim().is_empty());
        if empty {
            warnings.push(Warning::new(
                path,
                Some(line),
                format!("metadata key `{key}` is empty; ignored it"),
            ));
        } else if !understood && takes_text_only {
            warn(warnings, "text, not a list");
        } else if !understood && !value.is_null() {
            warn(warnings, "text or a list of text");
        }
    }
    Ok(metadata)
}

/// Returns the accessibility list that the metadata key `key` sets.
fn accessibility_list<'m>(
    metadata: &'m mut Metadata,
    key: &str,
) -> Option<&'m mut Option<Vec<String>>> {
    let overrides = &mut metadata.accessibility;
    match key {
        "access-mode" => Some(&mut overrides.access_modes),
        "access-mode-sufficient" => Some(&mut overrides.access_modes_sufficient),
        "accessibility-feature" => Some(&mut overrides.features),
        "accessibility-hazard" => Some(&mut overrides.hazards),
        _ => None,
    }
}

/// Keeps the values that the key's vocabulary defines, with a warning for
/// each other value and for `none` among other hazards. Returns `None`
/// when no value is left, so the derived list stays.
fn checked_accessibility_values(
    key: &str,
    values: Vec<String>,
    path: &str,
    line: usize,
    warnings: &mut Warnings,
) -> Option<Vec<String>> {
    let (known, unknown) = accessibility::split_known_values(key, values);
    for value in unknown {
        warnings.push(Warning::new(
            path,
            Some(line),
            format!(
                "metadata key `{key}` has the unknown value `{value}`, ignored; use {}",
                accessibility::allowed_values(key).join(", ")
            ),
        ));
    }
    if key == "accessibility-hazard" && known.len() > 1 && known.iter().any(|value| value == "none")
    {
        warnings.push(Warning::new(
            path,
            Some(line),
            format!("metadata key `{key}` lists `none` beside other hazards; list either `none` or the hazards"),
        ));
    }
    (!known.is_empty()).then_some(known)
}

/// The metadata keys Quire reads, for suggestions when a key is misspelt.
const KNOWN_KEYS: &[&str] = &[
    "title",
    "subtitle",
    "author",
    "contributor",
    "lang",
    "date",
    "identifier",
    "publisher",
    "rights",
    "description",
    "subject",
    "cover-image",
    "css",
    "page-progression-direction",
    "access-mode",
    "access-mode-sufficient",
    "accessibility-feature",
    "accessibility-hazard",
    "accessibility-summary",
    "conforms-to",
    "certified-by",
    "version",
];

/// Returns the Levenshtein distance between two short strings.
fn edit_distance(left: &str, right: &str) -> usize {
    let right: Vec<char> = right.chars().collect();
    let mut previous: Vec<usize> = (0..=right.len()).collect();
    for (i, a) in left.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, b) in right.iter().enumerate() {
            let substitution = previous[j] + usize::from(a != *b);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[right.len()]
}

/// Returns a YAML scalar as text; numbers and dates come through as written.
fn scalar(value: &Yaml) -> Option<String> {
    let text = match value {
        Yaml::String(text) | Yaml::Real(text) => text.clone(),
        Yaml::Integer(number) => number.to_string(),
        Yaml::Boolean(flag) => flag.to_string(),
        _ => return None,
    };
    let text = text.trim().to_string();
    (!text.is_empty()).then_some(text)
}

/// Returns text or a list of texts.
fn strings(value: &Yaml) -> Option<Vec<String>> {
    match value {
        Yaml::Array(items) => Some(items.iter().filter_map(scalar).collect()),
        _ => scalar(value).map(|text| vec![text]),
    }
}

/// Returns people's names from text, a list of text, or pandoc's list of
/// maps with a `name` (or `text`) key.
fn names(value: &Yaml) -> Option<Vec<String>> {
    let name_of = |item: &Yaml| {
        scalar(item)
            .or_else(|| scalar(&item["name"]))
            .or_else(|| scalar(&item["text"]))
    };
    match value {
        Yaml::Array(items) => Some(items.iter().filter_map(name_of).collect()),
        _ => name_of(value).map(|name| vec![name]),
    }
}

/// Returns the main title from pandoc's list form
/// (`- type: main` / `text: ...`).
fn title_from_list(value: &Yaml) -> Option<String> {
    let items = value.as_vec()?;
    items
        .iter()
        .find(|item| item["type"].as_str() == Some("main"))
        .or_else(|| items.first())
        .and_then(|item| scalar(&item["text"]))
}

/// Returns the identifier from pandoc's list-of-maps form.
fn identifier_text(value: &Yaml) -> Option<String> {
    value
        .as_vec()?
        .first()
        .and_then(|item| scalar(&item["text"]))
}

/// Reports whether `tag` is a well-formed BCP 47 language tag (RFC 5646,
/// section 2.1), such as `en`, `zh-Hant-TW` or `de-CH-1901`. Whether each
/// subtag is registered is not checked.
pub fn is_valid_language_tag(tag: &str) -> bool {
    let subtags: Vec<&str> = tag.split('-').collect();
    if subtags
        .iter()
        .any(|subtag| subtag.is_empty() || subtag.len() > 8)
    {
        return false;
    }
    let alpha = |s: &str| s.chars().all(|c| c.is_ascii_alphabetic());
    let alnum = |s: &str| s.chars().all(|c| c.is_ascii_alphanumeric());
    if !subtags.iter().all(|subtag| alnum(subtag)) {
        return false;
    }

    let mut rest = subtags.as_slice();
    if rest[0].eq_ignore_ascii_case("x") {
        return rest.len() > 1;
    }
    match rest[0].len() {
        2..=3 if alpha(rest[0]) => {
            rest = &rest[1..];
            // Up to three extended language subtags.
            let mut extlangs = 0;
            while extlangs < 3 && matches!(rest.first(), Some(s) if s.len() == 3 && alpha(s)) {
                rest = &rest[1..];
                extlangs += 1;
            }
        }
        // Primary subtags of four to eight letters are reserved or unused in
        // the IANA registry, and in practice they are words such as
        // "english", so they are rejected.
        _ => return false,
    }
    if matches!(rest.first(), Some(s) if s.len() == 4 && alpha(s)) {
        rest = &rest[1..];
    }
    if matches!(rest.first(), Some(s) if (s.len() == 2 && alpha(s)) || (s.len() == 3 && s.chars().all(|c| c.is_ascii_digit())))
    {
        rest = &rest[1..];
    }
    while let Some(s) = rest.first() {
        let variant = s.len() >= 5 || (s.len() == 4 && s.starts_with(|c: char| c.is_ascii_digit()));
        if !variant {
            break;
        }
        rest = &rest[1..];
    }
    while let Some(s) = rest.first() {
        if s.len() != 1 {
            return false;
        }
        let singleton = s.to_ascii_lowercase();
        let count = rest[1..]
            .iter()
            .take_while(|s| if singleton == "x" { true } else { s.len() >= 2 })
            .count();
        if count == 0 {
            return false;
        }
        rest = &rest[1 + count..];
    }
    true
}

/// A language guessed from the script of a book's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LanguageGuess {
    pub tag: &'static str,
    /// The evidence for the guess, for the warning.
    pub evidence: &'static str,
}

/// Guesses the language from scripts that belong to one language, such as
/// kana (Japanese) or Hangul (Korean). Returns `None` when the text is
/// mostly Latin or its script is shared by several languages (Cyrillic,
/// Arabic, Devanagari).
pub fn guess_language(text: &str) -> Option<LanguageGuess> {
    let mut counts = [0usize; 10];
    // ASCII letters are counted as bytes; only the other characters are
    // decoded, which matters because most books are mostly ASCII.
    let mut letters = text.bytes().filter(u8::is_ascii_alphabetic).count();
    for c in text.chars().filter(|c| !c.is_ascii()) {
        if !c.is_alphabetic() {
            continue;
        }
        letters += 1;
        let script = match c {
            '\u{3040}'..='\u{30FF}' | '\u{31F0}'..='\u{31FF}' => 0,
            '\u{AC00}'..='\u{D7AF}' | '\u{1100}'..='\u{11FF}' | '\u{3130}'..='\u{318F}' => 1,
            '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' => 2,
            '\u{0370}'..='\u{03FF}' | '\u{1F00}'..='\u{1FFF}' => 3,
            '\u{0590}'..='\u{05FF}' => 4,
            '\u{0E00}'..='\u{0E7F}' => 5,
            '\u{10A0}'..='\u{10FF}' => 6,
            '\u{0530}'..='\u{058F}' => 7,
            '\u{0B80}'..='\u{0BFF}' => 8,
            '\u{1780}'..='\u{17FF}' => 9,
            _ => continue,
        };
        counts[script] += 1;
    }

    // Japanese mixes kana with Han, so any real amount of kana decides it.
    let kana = counts[0];
    let han = counts[2];
    if kana > 0 && kana * 20 >= kana + han && (kana + han) * 5 >= letters {
        return Some(LanguageGuess {
            tag: "ja",
            evidence: "Japanese kana",
        });
    }
    const SCRIPTS: [(&str, &str); 10] = [
        ("ja", "Japanese kana"),
        ("ko", "Korean Hangul"),
        ("zh", "Chinese characters with no kana"),
        ("el", "Greek letters"),
        ("he", "Hebrew letters"),
        ("th", "Thai letters"),
        ("ka", "Georgian letters"),
        ("hy", "Armenian letters"),
        ("ta", "Tamil letters"),
        ("km", "Khmer letters"),
    ];
    let (index, &count) = counts.iter().enumerate().max_by_key(|(_, count)| **count)?;
    // The script must make up a fair share of the letters, so that a Latin
    // book quoting a few Greek words stays unguessed.
    if count == 0 || count * 5 < letters {
        return None;
    }
    let (tag, evidence) = SCRIPTS[index];
    Some(LanguageGuess { tag, evidence })
}

/// Reports whether `date` is in W3C date and time format: `YYYY`,
/// `YYYY-MM`, `YYYY-MM-DD`, or a full date and time with a zone.
pub fn is_valid_date(date: &str) -> bool {
    let bytes = date.as_bytes();
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = bytes.get(range)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(part).ok()?.parse().ok()
    };
    let Some(year) = number(0..4) else {
        return false;
    };
    if bytes.len() == 4 {
        return true;
    }
    if bytes.get(4) != Some(&b'-') {
        return false;
    }
    let Some(month) = number(5..7).filter(|month| (1..=12).contains(month)) else {
        return false;
    };
    if bytes.len() == 7 {
        return true;
    }
    if bytes.get(7) != Some(&b'-') {
        return false;
    }
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days_in_month = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if !number(8..10).is_some_and(|day| (1..=days_in_month).contains(&day)) {
        return false;
    }
    match bytes.len() {
        10 => true,
        _ => {
            bytes.len() > 16
                && bytes[10] == b'T'
                && number(11..13).is_some_and(|hour| hour < 24)
                && bytes[13] == b':'
                && number(14..16).is_some_and(|minute| minute < 60)
        }
    }
}

/// Formats seconds since the Unix epoch as `YYYY-MM-DDThh:mm:ssZ`, the form
/// EPUB 3.3 requires for `dcterms:modified`.
pub fn format_timestamp(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let time = seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        time / 3600,
        time % 3600 / 60,
        time % 60
    )
}

/// Converts days since 1970-01-01 to a proleptic Gregorian date, after
/// Howard Hinnant's `civil_from_days` algorithm.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_give_the_key_line() {
        let yaml = "title: Lines\nlang: en\nautor: Someone\n\"rights\": \"\"\ncss: {a: b}\naccess-mode: [textual, smell]\n";
        let mut warnings = Warnings::default();
        parse_yaml("book.md", 2, yaml, &mut warnings).unwrap();
        let lines: Vec<(Option<usize>, &str)> = warnings
            .iter()
            .map(|warning| (warning.line, warning.message.as_str()))
            .collect();
        // The misspelled key is the YAML's third line, which is line 4 of
        // a file whose YAML starts on line 2.
        for (expected, key) in [(4, "autor"), (5, "rights"), (6, "css"), (7, "smell")] {
            assert!(
                lines
                    .iter()
                    .any(|(line, message)| *line == Some(expected) && message.contains(key)),
                "{key} on line {expected}: {lines:?}"
            );
        }
    }

    #[test]
    fn key_line_finds_plain_and_quoted_keys() {
        let yaml = "title: A\n  lang: nested\n'lang' : en\n";
        assert_eq!(key_line(yaml, "title"), Some(0));
        assert_eq!(key_line(yaml, "lang"), Some(2));
        assert_eq!(key_line(yaml, "date"), None);
        assert_eq!(key_line("titles: x\n", "title"), None);
    }

    #[test]
    fn yaml_keys_map_to_fields() {
        let yaml = "title: Fish & Chips\nauthor:\n  - Ann\n  - name: Bob\nlang: de\nsubject: cooking\ncover-image: img/cover.jpg\ncss: [a.css, b.css]\n";
        let mut warnings = Warnings::default();
        let metadata = parse_yaml("book/ch1.md", 2, yaml, &mut warnings).unwrap();
        assert_eq!(metadata.title.as_deref(), Some("Fish & Chips"));
        assert_eq!(
            metadata.authors,
            Some(vec!["Ann".to_string(), "Bob".to_string()])
        );
        assert_eq!(metadata.lang.as_deref(), Some("de"));
        assert_eq!(metadata.subjects, Some(vec!["cooking".to_string()]));
        assert_eq!(metadata.cover_image.as_deref(), Some("book/img/cover.jpg"));
        assert_eq!(
            metadata.css,
            Some(vec!["book/a.css".to_string(), "book/b.css".to_string()])
        );
        assert!(warnings.is_empty());
    }

    #[test]
    fn accessibility_values_checked() {
        let yaml = "accessibility-hazard: [banana, noSoundHazard]\naccess-mode: [smell]\naccessibility-summary: [a, b]\ncertified-by: \"\"\n";
        let mut warnings = Warnings::default();
        let metadata = parse_yaml("ch1.md", 2, yaml, &mut warnings).unwrap();
        let overrides = &metadata.accessibility;
        assert_eq!(overrides.hazards, Some(vec!["noSoundHazard".to_string()]));
        assert_eq!(overrides.access_modes, None, "no known value left");
        assert_eq!(overrides.summary, None);
        assert_eq!(overrides.certified_by, None);
        let messages: Vec<String> = warnings
            .into_vec()
            .into_iter()
            .map(|warning| warning.message)
            .collect();
        assert!(
            messages
                .iter()
                .any(|message| message
                    .contains("`accessibility-hazard` has the unknown value `banana`")),
            "{messages:#?}"
        );
        assert!(
            messages
                .iter()
                .any(|message| message.contains("`access-mode` has the unknown value `smell`")),
            "{messages:#?}"
        );
        assert!(
            messages
                .iter()
                .any(|message| message
                    .contains("`accessibility-summary` should be text, not a list")),
            "{messages:#?}"
        );
        assert!(
            messages
                .iter()
                .any(|message| message.contains("`certified-by` is empty")),
            "{messages:#?}"
        );
    }

    #[test]
    fn none_beside_other_hazards_warned() {
        let mut warnings = Warnings::default();
        parse_yaml(
            "ch1.md",
            2,
            "accessibility-hazard: [none, flashing]\n",
            &mut warnings,
        )
        .unwrap();
        let messages: Vec<String> = warnings
            .into_vec()
            .into_iter()
            .map(|warning| warning.message)
            .collect();
        assert_eq!(messages.len(), 1, "{messages:#?}");
        assert!(
            messages[0].contains("lists `none` beside other hazards"),
            "{messages:#?}"
        );
    }

    #[test]
    fn accessibility_keys_map_to_overrides() {
        let yaml = "accessibility-feature: [alternativeText, MathML]\naccess-mode: textual\naccess-mode-sufficient: [textual, \"textual,visual\"]\naccessibility-hazard: none\naccessibility-summary: Checked by hand.\nconforms-to: none\ncertified-by: Example Lab\n";
        let mut warnings = Warnings::default();
        let metadata = parse_yaml("ch1.md", 2, yaml, &mut warnings).unwrap();
        let overrides = &metadata.accessibility;
        assert_eq!(
            overrides.features,
            Some(vec!["alternativeText".to_string(), "MathML".to_string()])
        );
        assert_eq!(overrides.access_modes, Some(vec!["textual".to_string()]));
        assert_eq!(
            overrides.access_modes_sufficient,
            Some(vec!["textual".to_string(), "textual,visual".to_string()])
        );
        assert_eq!(overrides.hazards, Some(vec!["none".to_string()]));
        assert_eq!(overrides.summary.as_deref(), Some("Checked by hand."));
        assert_eq!(overrides.conforms_to.as_deref(), Some("none"));
        assert_eq!(overrides.certified_by.as_deref(), Some("Example Lab"));
        assert!(warnings.is_empty(), "{warnings:?}");
    }

    #[test]
    fn debug_text_unchanged_without_overrides() {
        let metadata = Metadata {
            title: Some("T".into()),
            ..Metadata::default()
        };
        let text = format!("{metadata:?}");
        assert!(
            text.ends_with("page_progression_direction: None }"),
            "{text}"
        );
        let mut overridden = metadata.clone();
        overridden.accessibility.summary = Some("S".into());
        assert!(format!("{overridden:?}").contains("accessibility"));
    }

    #[test]
    fn misspelt_key_gets_suggestion() {
        let mut warnings = Warnings::default();
        parse_yaml("ch1.md", 2, "titel: T\ntoc: true\n", &mut warnings).unwrap();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].message.contains("did you mean `title`"));
    }

    #[test]
    fn yaml_syntax_error_names_line() {
        let mut warnings = Warnings::default();
        let error =
            parse_yaml("ch1.md", 2, "title: ok\nauthor: [unclosed\n", &mut warnings).unwrap_err();
        let Error::InvalidMetadata { path, line, .. } = &error else {
            panic!("unexpected error {error:?}");
        };
        assert_eq!(path, "ch1.md");
        assert!(line.is_some_and(|line| line >= 3), "line {line:?}");
    }

    #[test]
    fn control_characters_removed_from_values() {
        let mut metadata = Metadata {
            title: Some("A\u{13}B".into()),
            authors: Some(vec!["C\u{1}".into()]),
            ..Metadata::default()
        };
        assert_eq!(metadata.remove_forbidden_chars(), 2);
        assert_eq!(metadata.title.as_deref(), Some("AB"));
        assert_eq!(metadata.authors, Some(vec!["C".to_string()]));
    }

    #[test]
    fn later_metadata_overrides() {
        let mut base = Metadata {
            title: Some("Old".into()),
            lang: Some("en".into()),
            ..Metadata::default()
        };
        base.merge(Metadata {
            title: Some("New".into()),
            ..Metadata::default()
        });
        assert_eq!(base.title.as_deref(), Some("New"));
        assert_eq!(base.lang.as_deref(), Some("en"));
    }

    #[test]
    fn language_tags_checked() {
        for tag in [
            "en",
            "de-CH-1901",
            "zh-Hant-TW",
            "sr-Latn-RS",
            "es-419",
            "x-private",
            "en-US-x-twain",
        ] {
            assert!(is_valid_language_tag(tag), "{tag} should be valid");
        }
        for tag in [
            "",
            "english language",
            "en_US",
            "e",
            "en--US",
            "123",
            "en-a",
        ] {
            assert!(!is_valid_language_tag(tag), "{tag} should be invalid");
        }
    }

    #[test]
    fn language_guessed_from_script() {
        assert_eq!(
            guess_language("これは日本語の本です").map(|g| g.tag),
            Some("ja")
        );
        assert_eq!(
            guess_language("한국어로 된 책입니다").map(|g| g.tag),
            Some("ko")
        );
        assert_eq!(guess_language("这是一本中文书").map(|g| g.tag), Some("zh"));
        assert_eq!(
            guess_language("Η τέχνη της γραμμής εντολών").map(|g| g.tag),
            Some("el")
        );
        assert_eq!(
            guess_language("A plain English book with one word: λόγος"),
            None
        );
        assert_eq!(guess_language("Русский текст"), None);
        assert_eq!(
            guess_language("A long English text that mentions 日本語の章 once"),
            None
        );
    }

    #[test]
    fn timestamps_formatted_in_utc() {
        assert_eq!(format_timestamp(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_timestamp(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(format_timestamp(1_700_000_000), "2023-11-14T22:13:20Z");
    }

    #[test]
    fn dates_checked() {
        for date in [
            "2024",
            "2024-05",
            "2024-05-01",
            "2024-02-29",
            "2024-05-01T10:00:00Z",
        ] {
            assert!(is_valid_date(date), "{date}");
        }
        for date in [
            "May 2024",
            "24-05-01",
            "2024/05/01",
            "2024-13-01",
            "2024-02-30",
            "2023-02-29",
            "2024-1-5",
        ] {
            assert!(!is_valid_date(date), "{date}");
        }
    }
}
