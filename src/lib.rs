//! Quire turns Markdown books into EPUB 3 files that pass EPUBCheck.
//!
//! The conversion is a pipeline, one stage a module, in the order the data
//! flows:
//!
//! 1. [`book`]: the input files as paths and bytes, and the chapter order
//!    (given, from `SUMMARY.md`, or natural order of file names).
//! 2. [`text`]: bytes to UTF-8 text that XML accepts.
//! 3. [`metadata`]: YAML metadata blocks and files, language tags.
//! 4. [`markdown`]: Markdown to events with pulldown-cmark; one file split
//!    into chapters at level-1 headings; footnotes set aside.
//! 5. [`xhtml`]: events to an XHTML body, with raw HTML passed through
//!    [`sanitize`], images through [`images`], URLs and ids through
//!    [`links`], bare URLs through [`autolink`], formulas through
//!    [`math`] and code blocks through [`highlight`].
//! 6. [`convert`]: runs the stages and resolves links between chapters.
//! 7. [`package`] and [`styles`]: package document, navigation, NCX, title
//!    and cover pages, stylesheets; with [`locale`] for the direction and
//!    words a language takes, [`bidi`] for the direction of each block,
//!    and [`cover`] for the cover's size check and the typographic cover.
//!    [`split`] cuts a chapter too large for older reading systems into
//!    several content documents.
//! 8. [`target`]: the rules of the store or reading system the book is
//!    made for, with [`kepub`] for Kobo's KEPUB.
//! 9. [`epub`]: the zip container.
//! 10. [`check`]: an EPUB checker, run on each book made and on any EPUB
//!     given to it.
//!
//! [`accessibility`] serves stages 5 and 7: the writer's checks for alt
//! text, heading levels, table headers and link text, and the package
//! document's accessibility metadata.
//!
//! The library never touches a file system or the network: callers pass
//! the files in a [`Book`], so it runs the same natively and as WebAssembly.

pub mod accessibility;
pub mod autolink;
pub mod bidi;
pub mod book;
pub mod check;
pub mod convert;
pub mod cover;
pub mod epub;
pub mod error;
pub mod highlight;
pub mod images;
pub mod kepub;
pub mod links;
pub mod locale;
pub mod markdown;
// Only the page's worker converts more than one book in a process.
#[cfg(feature = "math")]
pub mod math;
pub mod mdbook;
#[cfg(any(test, target_arch = "wasm32"))]
mod memo;
pub mod memory;
pub mod metadata;
pub mod package;
pub mod parallel;
pub mod sanitize;
pub mod split;
pub mod styles;
pub mod target;
pub mod text;
#[cfg(target_arch = "wasm32")]
pub mod wasm;
pub mod xhtml;
pub mod xml;

pub use book::{Book, FileSource, InputFile};
pub use convert::{
    ChapterPreview, Inspection, Options, Output, convert, convert_owned, convert_with_deferred,
    inspect,
};
pub use error::{Error, Warning, Warnings};
pub use metadata::Metadata;

use std::collections::HashMap;

use links::{Anchors, UrlKind, classify_url, encode_url};
use markdown::{LineIndex, parse};
use xhtml::{LinkAction, Resolver, Writer};

/// Renders Markdown to XHTML body content on its own, outside a book: links
/// and images keep their URLs (unsafe ones are removed), and raw HTML is
/// sanitised as in a book. For previews and for testing the writer.
pub fn render_fragment(markdown: &str, smart: bool) -> String {
    let markdown =
        &text::remove_forbidden_chars("fragment", markdown.into(), &mut Warnings::default());
    let parsed = parse(markdown, false, smart);
    let lines = LineIndex::new(markdown);
    let mut anchors = Anchors::default();
    let mut resolver = KeepUrls;
    let mut warnings = Warnings::default();
    let mut body = String::new();
    let no_footnotes = HashMap::new();
    for events in &parsed.chapters {
        let writer = Writer::new(
            "fragment",
            0,
            &lines,
            &mut anchors,
            &mut resolver,
            &mut warnings,
        );
        let footnotes = if body.is_empty() {
            &parsed.footnotes
        } else {
            &no_footnotes
        };
        body.push_str(&writer.write(events, footnotes).resolve(|_| None));
    }
    body
}

/// A resolver that keeps every safe URL as written.
struct KeepUrls;

impl Resolver for KeepUrls {
    fn image(
        &mut self,
        _from: &str,
        src: &str,
        _line: Option<usize>,
        _warnings: &mut Warnings,
    ) -> Option<String> {
        match classify_url(src) {
            UrlKind::Rejected(_) => None,
            _ => Some(encode_url(src)),
        }
    }

    fn link(
        &mut self,
        _from: &str,
        url: &str,
        _line: Option<usize>,
        _warnings: &mut Warnings,
    ) -> LinkAction {
        match classify_url(url) {
            UrlKind::Rejected(_) => LinkAction::Drop,
            _ => LinkAction::Write(encode_url(url)),
        }
    }
}
