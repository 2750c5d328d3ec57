//! The WebAssembly boundary: the only module that uses wasm-bindgen.
//!
//! The page's worker calls these functions with plain objects and
//! `Uint8Array`s, converted with serde-wasm-bindgen, and gets plain objects
//! back. Every failure reaches JavaScript as an `Error` carrying the
//! engine's message. A panic is recorded by a hook, so the worker can show
//! it after the module traps (release builds abort on panic).
//!
//! ```js
//! convert(files, options)   // => { epub, fileName, title, lang, dir, vertical, warnings, missingFiles, chapters, stylesheets, images, needsFullEngine }
//! inspect(files, options)   // => { chapters: [{ path, title }], orderSource, metadata, warnings, needsFullEngine }
//! check(bytes)              // => { findings: [{ code, severity, file, line, message, text }], hasErrors }
//!                           //    (only in the module built with the `checker` feature)
//! takePanicMessage()        // => the last panic's message, or undefined
//! ```
//!
//! `files` is an array of `{ path, bytes: Uint8Array, modified }`, where
//! `modified` is milliseconds since the Unix epoch, as `File.lastModified`
//! gives it. `options` is `{ chapters, metadata, metadataFile, tocDepth,
//! smart, sourceDateEpoch, style, vertical, autoCover, target,
//! maxImagePixels }`, each optional.
//! gives it. `needsFullEngine` is true when a module built without the
//! `math` and `highlight` features has a book that may have formulas or
//! code to highlight. The page's module with those features then makes the
//! book.

use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use crate::{Book, InputFile, Metadata, Options, Warning};

/// The most Markdown the page converts at once. Conversion takes many
/// times the text's size in memory, and the module's memory stops at 2 GiB
/// (see .cargo/config.toml), so larger books get a clear error instead.
const MAX_TEXT_BYTES: usize = 32 * 1024 * 1024;

/// The message of the last panic, kept for `takePanicMessage`.
static PANIC_MESSAGE: Mutex<Option<String>> = Mutex::new(None);

/// Installs the panic hook when the module starts.
#[wasm_bindgen(start)]
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        let message = format!("Quire stopped on an internal error: {info}");
        if let Ok(mut slot) = PANIC_MESSAGE.lock() {
            *slot = Some(message);
        }
    }));
}

/// Returns and clears the last panic's message.
#[wasm_bindgen(js_name = takePanicMessage)]
pub fn take_panic_message() -> Option<String> {
    PANIC_MESSAGE.lock().ok().and_then(|mut slot| slot.take())
}

/// Returns the engine's version.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

#[derive(Deserialize)]
struct JsFile {
    path: String,
    #[serde(with = "serde_bytes")]
    bytes: Vec<u8>,
    #[serde(default)]
    modified: Option<f64>,
}

#[derive(Deserialize, Serialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct JsMetadata {
    title: Option<String>,
    subtitle: Option<String>,
    authors: Option<Vec<String>>,
    contributors: Option<Vec<String>>,
    lang: Option<String>,
    date: Option<String>,
    identifier: Option<String>,
    publisher: Option<String>,
    rights: Option<String>,
    description: Option<String>,
    subjects: Option<Vec<String>>,
    cover_image: Option<String>,
    css: Option<Vec<String>>,
    page_progression_direction: Option<String>,
    version: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct JsOptions {
    chapters: Option<Vec<String>>,
    metadata: JsMetadata,
    metadata_file: Option<String>,
    toc_depth: Option<u8>,
    smart: Option<bool>,
    source_date_epoch: Option<f64>,
    /// A name from `styles::STYLE_NAMES`.
    style: Option<String>,
    vertical: Option<bool>,
    auto_cover: Option<bool>,
    /// A name from `target::TARGET_NAMES`; empty or missing for none.
    target: Option<String>,
    max_image_pixels: Option<f64>,
}

#[derive(Serialize)]
struct JsWarning {
    file: String,
    line: Option<usize>,
    message: String,
    /// The whole warning as the command line prints it.
    text: String,
}

#[cfg(feature = "convert")]
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsChapter {
    title: String,
    href: String,
    /// The byte range of the chapter's body in [`JsOutput::bodies`].
    body_start: usize,
    body_end: usize,
}

#[cfg(feature = "convert")]
#[derive(Serialize)]
struct JsStylesheet {
    href: String,
    content: String,
}

#[cfg(feature = "convert")]
#[derive(Serialize)]
struct JsImage {
    href: String,
    path: String,
}

#[cfg(feature = "convert")]
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsOutput {
    #[serde(with = "serde_bytes")]
    epub: Vec<u8>,
    file_name: String,
    title: String,
    lang: String,
    /// `ltr` or `rtl`, for the preview.
    dir: &'static str,
    vertical: bool,
    warnings: Vec<JsWarning>,
    missing_files: Vec<String>,
    chapters: Vec<JsChapter>,
    /// Every chapter's body, in UTF-8, one after another. The page decodes
    /// only the body it previews, and the bytes move to the page without a
    /// copy, where a string for each chapter would be copied twice.
    #[serde(with = "serde_bytes")]
    bodies: Vec<u8>,
    stylesheets: Vec<JsStylesheet>,
    images: Vec<JsImage>,
    needs_full_engine: bool,
}

#[derive(Serialize)]
struct JsInspectedChapter {
    path: String,
    title: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsInspection {
    chapters: Vec<JsInspectedChapter>,
    order_source: &'static str,
    metadata: JsMetadata,
    warnings: Vec<JsWarning>,
    needs_full_engine: bool,
}

/// Converts a book to EPUB.
#[cfg(feature = "convert")]
#[wasm_bindgen]
pub fn convert(files: JsValue, options: JsValue) -> Result<JsValue, JsError> {
    let (book, options) = read_arguments(files, options)?;
    // The book is not needed afterwards, so each chapter's text is freed
    // once written.
    let output = crate::convert_owned(book, None, &options)
        .map_err(|error| JsError::new(&error.to_string()))?;
    let mut bodies = Vec::with_capacity(
        output
            .chapters
            .iter()
            .map(|chapter| chapter.body.len())
            .sum(),
    );
    let chapters = output
        .chapters
        .into_iter()
        .map(|chapter| {
            let body_start = bodies.len();
            bodies.extend_from_slice(chapter.body.as_bytes());
            JsChapter {
                title: chapter.title,
                href: chapter.href,
                body_start,
                body_end: bodies.len(),
            }
        })
        .collect();
    let result = JsOutput {
        file_name: download_name(&output.title, options.target),
        epub: output.epub,
        title: output.title,
        dir: crate::locale::direction(&output.lang).as_str(),
        lang: output.lang,
        vertical: output.vertical,
        // The checker's findings on the book are listed with the warnings.
        warnings: output
            .warnings
            .iter()
            .map(to_js_warning)
            .chain(output.findings.iter().map(finding_to_js_warning))
            .collect(),
        missing_files: output.missing_files,
        chapters,
        bodies,
        stylesheets: output
            .stylesheets
            .into_iter()
            .map(|(href, content)| JsStylesheet { href, content })
            .collect(),
        images: output
            .images
            .into_iter()
            .map(|(href, path)| JsImage { href, path })
            .collect(),
        needs_full_engine: output.needs_full_engine,
    };
    to_js(&result)
}

/// Reads the chapter order, titles and metadata of a book's files.
#[wasm_bindgen]
pub fn inspect(files: JsValue, options: JsValue) -> Result<JsValue, JsError> {
    let (book, options) = read_arguments(files, options)?;
    let inspection =
        crate::inspect(&book, &options).map_err(|error| JsError::new(&error.to_string()))?;
    let order_source = match inspection.order_source {
        crate::book::OrderSource::Given => "given",
        crate::book::OrderSource::Summary(_) => "summary",
        crate::book::OrderSource::Natural => "natural",
    };
    let result = JsInspection {
        chapters: inspection
            .chapters
            .into_iter()
            .map(|(path, title)| JsInspectedChapter { path, title })
            .collect(),
        order_source,
        metadata: to_js_metadata(inspection.metadata),
        warnings: inspection.warnings.iter().map(to_js_warning).collect(),
        needs_full_engine: inspection.needs_full_engine,
    };
    to_js(&result)
}

fn read_arguments(files: JsValue, options: JsValue) -> Result<(Book, Options), JsError> {
    let files: Vec<JsFile> = serde_wasm_bindgen::from_value(files)
        .map_err(|error| JsError::new(&format!("invalid file list from the page: {error}")))?;
    let options: JsOptions = if options.is_undefined() || options.is_null() {
        JsOptions::default()
    } else {
        serde_wasm_bindgen::from_value(options)
            .map_err(|error| JsError::new(&format!("invalid options from the page: {error}")))?
    };

    let files = files
        .into_iter()
        .map(|file| InputFile {
            path: file.path,
            bytes: file.bytes,
            modified: file
                .modified
                .filter(|ms| ms.is_finite() && *ms >= 0.0)
                .map(|ms| (ms / 1000.0).floor() as i64),
        })
        .collect();
    let defaults = Options::default();
    let toc_depth = options.toc_depth.unwrap_or(defaults.toc_depth);
    if !(1..=6).contains(&toc_depth) {
        return Err(JsError::new(
            "the table of contents depth must be between 1 and 6",
        ));
    }
    let style = match options.style.as_deref().map(str::trim) {
        None | Some("") => defaults.style,
        Some(name) => crate::styles::Style::from_name(name).ok_or_else(|| {
            JsError::new(&format!(
                "unknown style \"{name}\"; choose one of {}",
                crate::styles::STYLE_NAMES.join(", ")
            ))
        })?,
    };
    let target = match options.target.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(name) => Some(crate::target::Target::from_name(name).ok_or_else(|| {
            JsError::new(&format!(
                "unknown target \"{name}\"; choose one of {}",
                crate::target::TARGET_NAMES.join(", ")
            ))
        })?),
    };
    let max_image_pixels = match options.max_image_pixels {
        None => defaults.max_image_pixels,
        Some(pixels) if pixels.is_finite() && pixels >= 1.0 => pixels as u64,
        Some(_) => {
            return Err(JsError::new(
                "the image pixel limit must be a whole number of at least 1",
            ));
        }
    };
    let book = Book {
        files,
        chapters: options.chapters,
    };
    let options = Options {
        metadata: from_js_metadata(options.metadata),
        metadata_file: options.metadata_file,
        toc_depth,
        smart: options.smart.unwrap_or(defaults.smart),
        source_date_epoch: options
            .source_date_epoch
            .filter(|seconds| seconds.is_finite())
            .map(|seconds| seconds as i64),
        max_text_bytes: Some(MAX_TEXT_BYTES),
        style,
        vertical: options.vertical.unwrap_or(defaults.vertical),
        auto_cover: options.auto_cover.unwrap_or(defaults.auto_cover),
        target,
        max_image_pixels,
        keep_previews: true,
        lang_option_name: "the Language field",
    };
    Ok((book, options))
}

/// Drops empty strings and lists, which the page's form sends for fields
/// the user left blank, so they do not override the files' metadata.
fn from_js_metadata(metadata: JsMetadata) -> Metadata {
    let text = |value: Option<String>| {
        value
            .map(|text| text.trim().to_string())
            .filter(|text| !text.is_empty())
    };
    let list = |value: Option<Vec<String>>| {
        value
            .map(|items| {
                items
                    .into_iter()
                    .filter_map(|item| text(Some(item)))
                    .collect::<Vec<_>>()
            })
            .filter(|items| !items.is_empty())
    };
    Metadata {
        title: text(metadata.title),
        subtitle: text(metadata.subtitle),
        authors: list(metadata.authors),
        contributors: list(metadata.contributors),
        lang: text(metadata.lang),
        date: text(metadata.date),
        identifier: text(metadata.identifier),
        publisher: text(metadata.publisher),
        rights: text(metadata.rights),
        description: text(metadata.description),
        subjects: list(metadata.subjects),
        cover_image: text(metadata.cover_image),
        css: list(metadata.css),
        page_progression_direction: text(metadata.page_progression_direction),
        accessibility: Default::default(),
        version: text(metadata.version),
    }
}

fn to_js_metadata(metadata: Metadata) -> JsMetadata {
    JsMetadata {
        title: metadata.title,
        subtitle: metadata.subtitle,
        authors: metadata.authors,
        contributors: metadata.contributors,
        lang: metadata.lang,
        date: metadata.date,
        identifier: metadata.identifier,
        publisher: metadata.publisher,
        rights: metadata.rights,
        description: metadata.description,
        subjects: metadata.subjects,
        cover_image: metadata.cover_image,
        css: metadata.css,
        page_progression_direction: metadata.page_progression_direction,
        version: metadata.version,
    }
}

fn to_js_warning(warning: &Warning) -> JsWarning {
    JsWarning {
        file: warning.file.clone(),
        line: warning.line,
        message: warning.message.clone(),
        text: warning.to_string(),
    }
}

#[cfg(feature = "checker")]
#[derive(Serialize)]
struct JsFinding {
    code: &'static str,
    severity: String,
    file: String,
    line: Option<usize>,
    message: String,
    /// The whole finding as `quire check` prints it.
    text: String,
}

#[cfg(feature = "checker")]
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsCheck {
    findings: Vec<JsFinding>,
    has_errors: bool,
}

/// Checks an EPUB file's bytes, made by Quire or anything else. Only the
/// second module, built with the `checker` feature, has it.
#[cfg(feature = "checker")]
#[wasm_bindgen]
pub fn check(epub: &[u8]) -> Result<JsValue, JsError> {
    let findings = crate::check::check_epub(epub);
    let result = JsCheck {
        has_errors: crate::check::has_errors(&findings),
        findings: findings
            .iter()
            .map(|finding| JsFinding {
                code: finding.code,
                severity: finding.severity.to_string(),
                file: finding.file.clone(),
                line: finding.line,
                message: finding.message.clone(),
                text: finding.to_string(),
            })
            .collect(),
    };
    to_js(&result)
}

/// Shows a finding on the book as a warning, in the form the command line
/// prints it, naming the EPUB's inner file.
#[cfg(feature = "convert")]
fn finding_to_js_warning(finding: &crate::check::Finding) -> JsWarning {
    JsWarning {
        file: finding.file.clone(),
        line: finding.line,
        message: format!(
            "{} {}: {} (the EPUB checker found this in the book Quire made; please report it as a bug)",
            finding.severity, finding.code, finding.message
        ),
        text: finding.to_string(),
    }
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    let serializer = serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true);
    value
        .serialize(&serializer)
        .map_err(|error| JsError::new(&format!("could not pass the result to the page: {error}")))
}

/// Names the download after the title, without characters that file
/// systems reject.
#[cfg(feature = "convert")]
fn download_name(title: &str, target: Option<crate::target::Target>) -> String {
    let extension = target.map_or("epub", crate::target::Target::extension);
    let cleaned: String = title
        .chars()
        .map(|c| {
            if matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') || c.is_control() {
                '-'
            } else {
                c
            }
        })
        .collect();
    let cleaned = cleaned.trim().trim_matches('.').trim();
    let cleaned: String = cleaned.chars().take(120).collect();
    if cleaned.is_empty() {
        format!("book.{extension}")
    } else {
        format!("{cleaned}.{extension}")
    }
}
