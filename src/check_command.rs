//! `quire check FILE.epub...`: checks EPUB files from disk with the
//! engine's checker and prints what it finds.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use quire::check::{Finding, check_epub, has_errors};

/// Checks EPUB files, from Quire or any other tool, and prints each problem as
/// FILE/ENTRY:LINE: SEVERITY CODE: message. Codes are EPUBCheck's where it
/// has one. Exits with 1 when any file has an error, else 0.
#[derive(Parser, Debug)]
#[command(name = "quire check", bin_name = "quire check", version)]
pub struct CheckCli {
    /// The EPUB files to check
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

pub fn run(cli: &CheckCli) -> ExitCode {
    let mut failed = false;
    for path in &cli.files {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(error) => {
                eprintln!("quire: error: {}", read_error(path, &error));
                failed = true;
                continue;
            }
        };
        let findings = check_epub(&bytes);
        for finding in &findings {
            let located = Finding {
                file: if finding.file.is_empty() {
                    path.display().to_string()
                } else {
                    format!("{}/{}", path.display(), finding.file)
                },
                ..finding.clone()
            };
            println!("{located}");
        }
        if findings.is_empty() {
            println!("{}: no problems found", path.display());
        }
        failed |= has_errors(&findings);
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Says why the EPUB at `path` could not be read, and what to do.
fn read_error(path: &std::path::Path, error: &std::io::Error) -> String {
    let path = path.display();
    match error.kind() {
        std::io::ErrorKind::NotFound => format!("{path} not found; check the path"),
        std::io::ErrorKind::IsADirectory => {
            format!("{path} is a folder; give the EPUB file to check, such as {path}/book.epub")
        }
        std::io::ErrorKind::PermissionDenied => {
            format!("cannot read {path}: permission denied; check the file's permissions")
        }
        _ => format!("cannot read {path}: {error}"),
    }
}
