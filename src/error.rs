//! Failures that stop a book, and warnings that do not.

use std::collections::HashMap;
use std::fmt;
use std::ops::Deref;

/// A problem in the user's files that Quire worked around. The book is
/// still made, and the message describes what happened and what Quire did.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Warning {
    /// The input file the problem is in, as the book names it.
    pub file: String,
    /// The 1-based line in that file, where there is one.
    pub line: Option<usize>,
    /// The description of what happened and what Quire did about it.
    pub message: String,
}

impl Warning {
    pub fn new(file: &str, line: Option<usize>, message: impl Into<String>) -> Self {
        Warning {
            file: file.to_string(),
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for Warning {
    /// Formats the warning as `file:line: warning: message`, the form
    /// compilers use, so editors can jump to it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: warning: {}", self.file, line, self.message),
            None => write!(f, "{}: warning: {}", self.file, self.message),
        }
    }
}

/// The warnings of one conversion, in the order they were found. A
/// message repeated about the same file is kept once, at its first line,
/// with a count, so a book with a million copies of one broken link costs
/// one warning, not a million.
#[derive(Debug, Default)]
pub struct Warnings {
    list: Vec<Warning>,
    /// Repeats of each warning after the first, by index in `list`.
    repeats: Vec<usize>,
    /// Index in `list` of each (file, message) pair seen.
    seen: HashMap<(String, String), usize>,
}

impl Warnings {
    pub fn push(&mut self, warning: Warning) {
        let key = (warning.file.clone(), warning.message.clone());
        if let Some(index) = self.seen.get(&key) {
            self.repeats[*index] += 1;
            return;
        }
        self.seen.insert(key, self.list.len());
        self.list.push(warning);
        self.repeats.push(0);
    }

    /// Adds the warnings of `other` after these, as if each had been
    /// pushed here, repeats included.
    pub fn append(&mut self, other: Warnings) {
        for (warning, repeats) in other.list.into_iter().zip(other.repeats) {
            let key = (warning.file.clone(), warning.message.clone());
            let index = match self.seen.get(&key) {
                Some(&index) => {
                    self.repeats[index] += 1;
                    index
                }
                None => {
                    self.seen.insert(key, self.list.len());
                    self.list.push(warning);
                    self.repeats.push(0);
                    self.list.len() - 1
                }
            };
            self.repeats[index] += repeats;
        }
    }

    /// Returns the warnings, each repeated one saying how often it recurs.
    pub fn into_vec(self) -> Vec<Warning> {
        self.list
            .into_iter()
            .zip(self.repeats)
            .map(|(mut warning, repeats)| {
                if repeats > 0 {
                    let times = if repeats == 1 { "time" } else { "times" };
                    warning
                        .message
                        .push_str(&format!(" (and {repeats} more {times} in this file)"));
                }
                warning
            })
            .collect()
    }
}

impl Deref for Warnings {
    type Target = [Warning];

    fn deref(&self) -> &[Warning] {
        &self.list
    }
}

/// A failure that stops the book from being made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The book has no Markdown file to make chapters from.
    NoChapters,
    /// The book's `SUMMARY.md` links to no chapter file (its items are
    /// drafts or have no link), and it has no other Markdown file.
    SummaryWithoutChapters { summary: String },
    /// A chapter named in the book's order is not among its files.
    ChapterNotFound {
        path: String,
        /// The `SUMMARY.md` that lists it, when the order came from one.
        listed_in: Option<String>,
    },
    /// A file that must be text is not valid UTF-8 (nor UTF-16 with a byte
    /// order mark).
    NotUtf8 { path: String, offset: usize },
    /// The chapters hold more Markdown than the caller allows (the page's
    /// memory budget). `path` names the largest chapter.
    TooLarge {
        path: String,
        size: usize,
        total: usize,
        limit: usize,
    },
    /// A file given as a chapter is binary, such as an image.
    NotText { path: String, kind: &'static str },
    /// A file named by an option or by metadata (cover, stylesheet,
    /// metadata file) is not among the book's files.
    FileNotFound { path: String, purpose: &'static str },
    /// A cover image whose bytes are not a supported image type, or an SVG
    /// a book cannot carry.
    UnsupportedCover { path: String, reason: String },
    /// A YAML metadata block or file that does not parse.
    InvalidMetadata {
        path: String,
        line: Option<usize>,
        reason: String,
    },
    /// An option value that cannot be used.
    InvalidOption {
        option: &'static str,
        reason: String,
    },
    /// Writing the zip archive failed.
    Zip { reason: String },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NoChapters => write!(
                f,
                "no Markdown chapters found: give one or more .md files, or a folder that contains them"
            ),
            Error::SummaryWithoutChapters { summary } => write!(
                f,
                "no Markdown chapters found: {summary} links to no chapter file (an item without a link is a draft, which makes no page), and there is no other .md file; link its items to their .md files and add those files"
            ),
            Error::ChapterNotFound {
                path,
                listed_in: Some(summary),
            } => write!(
                f,
                "chapter {path} is linked from {summary} but is not among the book's files; add the file, or remove its link from {summary}"
            ),
            Error::ChapterNotFound {
                path,
                listed_in: None,
            } => write!(
                f,
                "chapter {path} is listed in the book's order but is not among its files; add the file or remove it from the list"
            ),
            Error::NotUtf8 { path, offset } => write!(
                f,
                "{path} is not valid UTF-8 text (invalid byte at offset {offset}); save it as UTF-8 and try again"
            ),
            Error::TooLarge {
                path,
                size,
                total,
                limit,
            } => write!(
                f,
                "the book has {} of Markdown ({path} alone is {}), over the limit of {} here; split it into smaller books, or use the quire command, which has no limit",
                megabytes(*total),
                megabytes(*size),
                megabytes(*limit)
            ),
            Error::NotText { path, kind } => write!(
                f,
                "{path} is not a text file (it looks like {kind}); give Markdown files as chapters"
            ),
            Error::FileNotFound { path, purpose } => {
                write!(
                    f,
                    "{purpose} {path} was not found; check the path, which is relative to the file that names it"
                )
            }
            Error::UnsupportedCover { path, reason } => {
                write!(
                    f,
                    "cover image {path} cannot be used because {reason}; convert it to a JPEG or PNG file"
                )
            }
            Error::InvalidMetadata { path, line, reason } => match line {
                Some(line) => write!(f, "{path}:{line}: invalid YAML metadata: {reason}"),
                None => write!(f, "{path}: invalid YAML metadata: {reason}"),
            },
            Error::InvalidOption { option, reason } => write!(f, "invalid {option}: {reason}"),
            Error::Zip { reason } => write!(f, "writing the EPUB archive failed: {reason}"),
        }
    }
}

impl std::error::Error for Error {}

/// Formats a byte count in megabytes (MiB) with one decimal.
pub fn megabytes(bytes: usize) -> String {
    format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn warning(file: &str, line: usize, message: &str) -> Warning {
        Warning::new(file, Some(line), message)
    }

    #[test]
    fn appended_warnings_as_if_pushed() {
        let first = [
            warning("a.md", 1, "one"),
            warning("b.md", 2, "two"),
            warning("a.md", 3, "one"),
        ];
        let second = [
            warning("b.md", 4, "two"),
            warning("c.md", 5, "three"),
            warning("c.md", 6, "three"),
            warning("c.md", 7, "three"),
        ];
        let mut pushed = Warnings::default();
        for item in first.iter().chain(&second) {
            pushed.push(item.clone());
        }

        let mut appended = Warnings::default();
        for item in &first {
            appended.push(item.clone());
        }
        let mut other = Warnings::default();
        for item in &second {
            other.push(item.clone());
        }
        appended.append(other);

        let messages: Vec<String> = appended
            .into_vec()
            .into_iter()
            .map(|w| w.to_string())
            .collect();
        assert_eq!(
            messages,
            [
                "a.md:1: warning: one (and 1 more time in this file)",
                "b.md:2: warning: two (and 1 more time in this file)",
                "c.md:5: warning: three (and 2 more times in this file)",
            ]
        );
        assert_eq!(
            pushed
                .into_vec()
                .into_iter()
                .map(|w| w.to_string())
                .collect::<Vec<_>>(),
            messages
        );
    }
}
