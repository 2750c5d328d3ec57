//! An EPUB checker for Quire's own books and any other EPUB 3 file.
//!
//! It reads the zip itself, so raw names, order and methods stay visible,
//! then checks, in this order:
//!
//! 1. [`container`]: `mimetype`, `META-INF/container.xml` and entry names
//!    (EPUB Open Container Format 3.3, section 4).
//! 2. [`package`]: the package document's metadata, manifest, spine and
//!    item properties (EPUB 3.3, section 5).
//! 3. [`content`]: each XHTML and SVG content document: well-formed XML,
//!    unique ids, links and fragments, remote resources, scripts.
//! 4. [`navigation`]: the `toc` nav and the NCX.
//!
//! Message codes are EPUBCheck 5's where EPUBCheck has one for the same
//! fault; faults EPUBCheck has no code for get a `QUIRE-` code.

//!
//! Without the `checker` feature only the finding types are built, so the
//! page's first WebAssembly module stays small.

#[cfg(feature = "checker")]
mod container;
#[cfg(feature = "checker")]
mod content;
#[cfg(feature = "checker")]
mod navigation;
#[cfg(feature = "checker")]
mod package;
#[cfg(feature = "checker")]
mod paths;
#[cfg(feature = "checker")]
pub mod zip;

use std::fmt;

#[cfg(feature = "checker")]
mod reader;
#[cfg(feature = "checker")]
pub use content::{Scanned, scan_entry};
#[cfg(feature = "checker")]
use reader::{EntryBytes, Files, Lines, Report, as_utf8, line_of, parse_xml};
#[cfg(feature = "checker")]
pub use reader::{MAX_INFLATED_BYTES, check_epub, check_epub_scanned, check_epub_with_contents};

/// The seriousness of a finding, in EPUBCheck's grades.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The book cannot be read further.
    Fatal,
    /// The book breaks a rule of EPUB 3.3; stores reject it.
    Error,
    /// The book is valid but likely to show wrongly somewhere.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Fatal => "fatal",
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// One problem found in an EPUB.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// EPUBCheck's message code for the fault, such as `RSC-007`, or a
    /// `QUIRE-` code for faults EPUBCheck does not report.
    pub code: &'static str,
    pub severity: Severity,
    /// The file in the EPUB the problem is in; empty for the archive
    /// itself.
    pub file: String,
    /// The 1-based line in that file, where there is one.
    pub line: Option<usize>,
    /// The problem and what to do about it.
    pub message: String,
}

impl fmt::Display for Finding {
    /// Formats the finding as `file:line: severity CODE: message`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = if self.file.is_empty() {
            "(archive)"
        } else {
            &self.file
        };
        match self.line {
            Some(line) => write!(f, "{file}:{line}: ")?,
            None => write!(f, "{file}: ")?,
        }
        write!(f, "{} {}: {}", self.severity, self.code, self.message)
    }
}

/// Reports whether any finding is an error or fatal.
pub fn has_errors(findings: &[Finding]) -> bool {
    findings
        .iter()
        .any(|finding| finding.severity <= Severity::Error)
}

#[cfg(all(test, feature = "checker"))]
mod tests;
