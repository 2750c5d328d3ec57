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
                eprintln!("quire: error: cannot read {}: {error}", path.display());
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
