//! The `quire` command: reads Markdown files or a folder from disk into a
//! [`quire::Book`], converts it, and writes the EPUB atomically.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::UNIX_EPOCH;

mod check_command;

use clap::Parser;
use quire::book::{is_hidden, is_markdown_path};
use quire::check::Finding;
use quire::{Book, Error, InputFile, Metadata, Options, convert_owned};

/// Converts Markdown (one file, several files, or a folder with an optional
/// SUMMARY.md) into an EPUB 3 book.
#[derive(Parser, Debug)]
#[command(
    name = "quire",
    version,
    about,
    after_help = "To check EPUB files instead, run: quire check FILE.epub..."
)]
struct Cli {
    /// Markdown files, each a chapter in the order given (any extension is
    /// read as Markdown), or one folder. A single file is split into
    /// chapters at its level-1 headings.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,

    /// The EPUB file to write [default: the first input's name with .epub,
    /// or .kepub.epub for --target kobo]
    #[arg(short, long)]
    output: Option<PathBuf>,

    /// Book title [default: the metadata's, else the first heading]
    #[arg(long)]
    title: Option<String>,
    /// Subtitle, shown on the title page
    #[arg(long)]
    subtitle: Option<String>,
    /// An author; repeat for several
    #[arg(long = "author")]
    authors: Vec<String>,
    /// A contributor; repeat for several
    #[arg(long = "contributor")]
    contributors: Vec<String>,
    /// Language as a BCP 47 tag, such as en, de or pt-BR
    #[arg(long)]
    lang: Option<String>,
    /// Publication date: YYYY, YYYY-MM or YYYY-MM-DD
    #[arg(long)]
    date: Option<String>,
    /// Unique identifier, such as an ISBN or URN [default: a UUID derived from the content]
    #[arg(long)]
    identifier: Option<String>,
    /// Publisher's name
    #[arg(long)]
    publisher: Option<String>,
    /// Copyright or licence statement
    #[arg(long)]
    rights: Option<String>,
    /// A short description of the book, for reading systems' library views
    #[arg(long)]
    description: Option<String>,
    /// A subject or keyword; repeat for several
    #[arg(long = "subject")]
    subjects: Vec<String>,
    /// Cover image (JPEG, PNG, GIF, WebP or SVG), or "auto" for an SVG cover
    /// made from the title and authors when no cover image is given
    /// (write ./auto for a file named auto)
    #[arg(long)]
    cover: Option<PathBuf>,
    /// Stylesheet applied after the default one; repeat for several
    #[arg(long = "css")]
    css: Vec<PathBuf>,
    /// YAML file with metadata; flags override it
    #[arg(long)]
    metadata_file: Option<PathBuf>,
    /// Page progression direction: ltr, rtl or default
    #[arg(long)]
    page_progression_direction: Option<String>,
    /// Built-in style added to the default stylesheet: plain leaves type to
    /// the reading system, classic sets serif, justified, indented text
    #[arg(long, default_value = "plain", value_parser = clap::builder::PossibleValuesParser::new(quire::styles::STYLE_NAMES))]
    style: String,
    /// Set a Chinese, Japanese or Korean book in vertical lines, read from
    /// right to left
    #[arg(long)]
    vertical: bool,
    /// Store or device the book is made for: applies its rules and warns
    /// about what it would reject (see the README's table of targets)
    #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(quire::target::TARGET_NAMES))]
    target: Option<String>,
    /// With --target apple, warn about images with more pixels than this
    /// [default: 4000000]
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    max_image_pixels: Option<u64>,
    /// Deepest heading level in the table of contents, 1 to 6
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u8).range(1..=6))]
    toc_depth: u8,
    /// Keep straight quotes, dashes and dots as typed
    #[arg(long)]
    no_smart: bool,
    /// Treat every warning as an error: write no book if there is any
    #[arg(long)]
    strict: bool,
}

fn main() -> ExitCode {
    // `quire check FILE.epub` is read before the conversion's arguments,
    // whose first positional argument would otherwise take "check" as a
    // Markdown file. A Markdown file named check can be given as ./check.
    if std::env::args_os().nth(1).is_some_and(|arg| arg == "check") {
        let args = std::env::args_os().skip(1);
        return check_command::run(&check_command::CheckCli::parse_from(args));
    }

    let cli = Cli::parse();
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("quire: error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: &Cli) -> Result<(), String> {
    let book_target = cli
        .target
        .as_deref()
        .and_then(quire::target::Target::from_name);
    let default_name = default_output(&cli.inputs[0], book_target);
    let target = cli.output.clone().unwrap_or_else(|| default_name.clone());
    check_output(&target, &cli.inputs, &default_name)?;
    if cli.max_image_pixels.is_some() && book_target != Some(quire::target::Target::Apple) {
        eprintln!(
            "quire: warning: --max-image-pixels applies only with --target apple, so it was ignored; add --target apple to check image sizes for Apple Books"
        );
    }
    let input = read_inputs(&cli.inputs)?;
    let options = build_options(cli, &input.base)?;

    // Files the book names beyond those read already (images, stylesheets,
    // included code) are read from beside them when a chapter first names
    // them, so the book contains only what it uses.
    let converted = convert_owned(input.book, Some(&input.source), &options);
    // A file that exists but could not be read explains a failure better
    // than the missing file the conversion saw.
    let (read_errors, hidden, files_read) = input.source.into_reports();
    if let Some(error) = read_errors.into_iter().next() {
        return Err(error);
    }
    let output = match converted {
        Ok(output) => output,
        Err(Error::NotText { path, kind }) => {
            let path = display_path(&input.base, &path);
            // A folder's chapters are listed in its SUMMARY.md, or else are
            // all its Markdown files.
            let advice = match &input.order {
                FolderOrder::Summary(summary) => format!(
                    "{} lists it as a chapter; link a Markdown file there instead",
                    display_path(&input.base, summary)
                ),
                FolderOrder::Names => "every .md file in the book's folder is a chapter; move it out of the folder, or rename it so its name does not end in .md".to_string(),
                FolderOrder::NotFolder => "give Markdown files as chapters".to_string(),
            };
            return Err(format!(
                "{path} is not a text file (it looks like {kind}); {advice}"
            ));
        }
        Err(error) => return Err(located_error(error, &input.base).to_string()),
    };

    // The warnings go to standard error in one write: it is unbuffered,
    // and each line would otherwise take several.
    let mut warning_lines = String::new();
    for warning in &output.warnings {
        let located = quire::Warning {
            file: display_path(&input.base, &warning.file),
            ..warning.clone()
        };
        let _ = writeln!(warning_lines, "{located}");
    }
    let command_warnings = hidden.len() + input.repeated.len();
    for path in hidden {
        let _ = writeln!(
            warning_lines,
            "quire: warning: {} exists but is hidden (a name starting with a dot), and hidden files are never part of a book; rename it or move it out of the hidden folder",
            display_path(&input.base, &path)
        );
    }
    // A file given twice is a chapter twice, which is seldom meant.
    for (path, times) in &input.repeated {
        let _ = writeln!(
            warning_lines,
            "quire: warning: {} is given {times} times, so the book has it as a chapter {times} times; give it once unless you want it repeated",
            display_path(&input.base, path)
        );
    }
    eprint!("{warning_lines}");
    for finding in &output.findings {
        println_finding(&target, finding);
    }
    if !output.findings.is_empty() {
        eprintln!(
            "quire: the EPUB checker found {} problem(s) in the book Quire made; this is a bug in Quire, so please report it with the lines above",
            output.findings.len()
        );
    }
    let problems = output.warnings.len() + output.findings.len() + command_warnings;
    if cli.strict && problems > 0 {
        return Err(format!(
            "{problems} warning(s) or check finding(s) and --strict is set, so no book was written; fix what the lines above name, or leave out --strict to write the book anyway"
        ));
    }

    // An image, stylesheet or other file the book uses may sit anywhere
    // its chapters name, so the output is checked against what was read.
    if let Ok(existing) = std::fs::metadata(&target)
        && file_id(&existing).is_some_and(|id| files_read.contains(&id))
    {
        return Err(format!(
            "the output {} is a file the book uses; choose another -o path so it is not overwritten",
            target.display()
        ));
    }
    // An existing file is replaced only when it is an EPUB (a zip), such
    // as the book made last time, so a mistyped -o cannot replace a
    // stylesheet or a chapter whatever its name.
    if target.is_file() && !starts_like_zip(&target) {
        return Err(format!(
            "the output {} exists and is not an EPUB; choose another -o path, or move the file away first if it should be replaced",
            target.display()
        ));
    }
    // An EPUB written where a missing image should be would be read as
    // that image on the next run.
    let target_path = clean(&absolute_path(&target).unwrap_or_else(|_| target.clone()));
    if output
        .missing_files
        .iter()
        .any(|path| book_file_path(&input.base, path) == target_path)
    {
        return Err(format!(
            "the output {} is an image the book shows, which is missing; choose another -o path, or the next run would take the EPUB for that image",
            target.display()
        ));
    }
    write_atomically(&target, &output.epub)?;
    println!("{}", target.display());
    Ok(())
}

/// Prints a checker finding on standard error, its file shown inside the
/// EPUB file, as `book.epub/EPUB/text/a.xhtml:4: error RSC-007: ...`.
fn println_finding(epub: &Path, finding: &Finding) {
    let located = Finding {
        file: format!("{}/{}", epub.display(), finding.file),
        ..finding.clone()
    };
    eprintln!("{located}");
}

/// The book read from disk, the folder its paths are relative to, and the
/// source that reads its other files from there.
struct Inputs {
    book: Book,
    base: PathBuf,
    source: FolderSource,
    order: FolderOrder,
    /// Files given more than once on the command line, with how many
    /// times, in the order first given.
    repeated: Vec<(String, usize)>,
}

/// The source of a book folder's chapters, for advice about them.
enum FolderOrder {
    /// The SUMMARY.md at this path in the folder lists them.
    Summary(String),
    /// Every Markdown file in the folder is one.
    Names,
    /// The chapters were named on the command line.
    NotFolder,
}

fn read_inputs(inputs: &[PathBuf]) -> Result<Inputs, String> {
    if inputs.len() == 1 && inputs[0].is_dir() {
        let base = inputs[0].clone();
        let source = FolderSource::new(&base);
        // A `SUMMARY.md` names the chapters, and the conversion reads them
        // and what they use from `source`. Without one, every Markdown file
        // is a chapter, so the folder is walked to find them.
        let empty = Book::default();
        let index = quire::book::FileIndex::with_source(&empty, Some(&source));
        let summary = match quire::book::chapter_order(&empty, &index).1 {
            quire::book::OrderSource::Summary(path) => Some(path),
            _ => None,
        };
        let files = if summary.is_some() {
            Vec::new()
        } else {
            read_folder(&base, &source)?
        };
        return Ok(Inputs {
            book: Book {
                files,
                chapters: None,
            },
            base,
            source,
            order: summary.map_or(FolderOrder::Names, FolderOrder::Summary),
            repeated: Vec::new(),
        });
    }

    let mut absolute = Vec::new();
    for input in inputs {
        if !input.exists() {
            return Err(format!(
                "input {} not found; check the path",
                input.display()
            ));
        }
        if input.is_dir() {
            return Err(format!(
                "{} is a folder; give one folder on its own, or only files",
                input.display()
            ));
        }
        absolute.push(absolute_path(input)?);
    }
    let base = common_parent(&absolute);
    let source = FolderSource::new(&base);
    let mut book = Book::default();
    let mut chapters = Vec::new();
    for path in &absolute {
        let relative = relative_to(path, &base);
        if !book.files.iter().any(|file| file.path == relative) {
            let (file, id) = read_file(path, &relative)?
                .ok_or_else(|| format!("input {} is not a file; check the path", path.display()))?;
            source.note_read(id);
            book.files.push(file);
        }
        chapters.push(relative);
    }
    // Counted in one pass, since a shell glob can give thousands of files.
    let mut times: HashMap<&str, usize> = HashMap::new();
    for path in &chapters {
        *times.entry(path.as_str()).or_default() += 1;
    }
    let mut repeated: Vec<(String, usize)> = Vec::new();
    for path in &chapters {
        if let Some(count) = times.remove(path.as_str())
            && count > 1
        {
            repeated.push((path.clone(), count));
        }
    }
    book.chapters = Some(chapters);
    Ok(Inputs {
        book,
        base,
        source,
        order: FolderOrder::NotFolder,
        repeated,
    })
}

/// Reads a book's other files from its folder on request. Hidden files and
/// folders are not read, as the walk leaves them out, and neither is
/// anything but a file. A file that exists but cannot be read is an error,
/// kept for the command to report after the conversion.
struct FolderSource {
    base: PathBuf,
    /// The files read, so the output cannot replace one of them.
    read: Mutex<HashSet<FileId>>,
    errors: Mutex<Vec<String>>,
    /// Hidden files the book named that exist, so the command can explain
    /// why they were left out.
    hidden: Mutex<std::collections::BTreeSet<String>>,
}

impl FolderSource {
    fn new(base: &Path) -> Self {
        FolderSource {
            base: base.to_path_buf(),
            read: Mutex::new(HashSet::new()),
            errors: Mutex::new(Vec::new()),
            hidden: Mutex::new(std::collections::BTreeSet::new()),
        }
    }

    /// Notes a file read for the book, so the output cannot replace it.
    fn note_read(&self, id: Option<FileId>) {
        if let Some(id) = id {
            quire::parallel::lock(&self.read).insert(id);
        }
    }

    /// Returns the path on disk of a book path, unless the book path is hidden.
    fn on_disk(&self, path: &str) -> Option<PathBuf> {
        (!is_hidden(path)).then(|| self.base.join(path))
    }

    /// Returns the read errors and the hidden files the book named, for the
    /// command to report once the conversion is over, and the files read.
    fn into_reports(
        self,
    ) -> (
        Vec<String>,
        std::collections::BTreeSet<String>,
        HashSet<FileId>,
    ) {
        let errors = self.errors.into_inner();
        let hidden = self.hidden.into_inner();
        let read = self.read.into_inner();
        // A thread that panicked while holding a lock left a list worth
        // reporting all the same.
        (
            errors.unwrap_or_else(std::sync::PoisonError::into_inner),
            hidden.unwrap_or_else(std::sync::PoisonError::into_inner),
            read.unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }
}

impl quire::FileSource for FolderSource {
    fn read(&self, path: &str) -> Option<(Vec<u8>, Option<i64>)> {
        let Some(on_disk) = self.on_disk(path) else {
            if self.base.join(path).is_file() {
                self.hidden
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .insert(path.to_string());
            }
            return None;
        };
        match read_file(&on_disk, path) {
            Ok(Some((file, id))) => {
                self.note_read(id);
                Some((file.bytes, file.modified))
            }
            Ok(None) => None,
            Err(message) => {
                self.errors
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .push(message);
                None
            }
        }
    }

    fn exists(&self, path: &str) -> bool {
        self.on_disk(path).is_some_and(|on_disk| on_disk.is_file())
    }
}

/// Reads a folder's Markdown files and its `book.toml`, for a book without
/// a `SUMMARY.md`: every Markdown file is a chapter. The folders are walked
/// depth first, each one's entries in the order of their paths, leaving out
/// hidden files and folders. Other files are read only if a chapter names
/// them, so the walk does not even look at their times. (Walking on two
/// threads saved about 5 ms of the Rust book's 85 but left 24 MB more
/// memory at the peak of a 100 MB book, with glibc's allocator keeping a
/// heap for each walking thread.)
fn read_folder(base: &Path, source: &FolderSource) -> Result<Vec<InputFile>, String> {
    let mut files = Vec::new();
    walk(base, base, &mut HashSet::new(), source, &mut files)?;
    Ok(files)
}

/// Adds the Markdown files under `dir` and a `book.toml` to `files`, and
/// notes each in `source` as read. `visited` contains the device and inode
/// of each folder walked, so a symbolic link to a folder already walked,
/// such as `ln -s . again`, is not walked again.
fn walk(
    base: &Path,
    dir: &Path,
    visited: &mut HashSet<(u64, u64)>,
    source: &FolderSource,
    files: &mut Vec<InputFile>,
) -> Result<(), String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;

        let folder = std::fs::metadata(dir)
            .map_err(|error| format!("cannot read folder {}: {error}", dir.display()))?;
        if !visited.insert((folder.dev(), folder.ino())) {
            return Ok(());
        }
    }
    #[cfg(not(unix))]
    let _ = &visited;
    for (path, is_folder) in folder_entries(dir)? {
        if is_folder {
            walk(base, &path, visited, source, files)?;
            continue;
        }
        let relative = relative_to(&path, base);
        if (is_markdown_path(&relative) || relative == "book.toml")
            && let Some((file, id)) = read_file(&path, &relative)?
        {
            source.note_read(id);
            files.push(file);
        }
    }
    Ok(())
}

/// Lists a folder's entries that are not hidden, sorted by path, each with
/// whether it is a folder. Symbolic links are followed, as reading the file
/// would, and the entries' own types need no further system call.
fn folder_entries(dir: &Path) -> Result<Vec<(PathBuf, bool)>, String> {
    let entries = std::fs::read_dir(dir)
        .map_err(|error| format!("cannot read folder {}: {error}", dir.display()))?;
    let mut listed: Vec<(PathBuf, bool)> = entries
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let hidden = entry
                .file_name()
                .to_str()
                .is_some_and(|name| name.starts_with('.'));
            let file_type = entry.file_type().ok()?;
            let path = entry.path();
            let is_folder = if file_type.is_symlink() {
                path.is_dir()
            } else {
                file_type.is_dir()
            };
            (!hidden).then_some((path, is_folder))
        })
        .collect();
    listed.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(listed)
}

fn modified_seconds(metadata: &std::fs::Metadata) -> Option<i64> {
    let time = metadata.modified().ok()?;
    let duration = time.duration_since(UNIX_EPOCH).ok()?;
    Some(duration.as_secs() as i64)
}

/// Reads the file at `path` with its modification time and its identity,
/// or returns `None` when there is no file there (nothing, or a folder).
fn read_file(path: &Path, relative: &str) -> Result<Option<(InputFile, Option<FileId>)>, String> {
    use std::io::ErrorKind;

    let failed = |error: std::io::Error| match error.kind() {
        ErrorKind::PermissionDenied => format!(
            "cannot read {}: permission denied; check the file's permissions, or remove it and what names it",
            shown_path(path)
        ),
        _ => format!(
            "cannot read {}: {error}; fix the file, or remove it and what names it",
            shown_path(path)
        ),
    };
    // One open file gives the type, the size and the modification time.
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(error) if matches!(error.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory) => {
            return Ok(None);
        }
        Err(error) => return Err(failed(error)),
    };
    let metadata = file.metadata().map_err(failed)?;
    if !metadata.is_file() {
        return Ok(None);
    }
    let bytes =
        read_all(&mut file, usize::try_from(metadata.len()).unwrap_or(0)).map_err(failed)?;
    let modified = modified_seconds(&metadata);
    let file = InputFile {
        path: relative.to_string(),
        bytes,
        modified,
    };
    Ok(Some((file, file_id(&metadata))))
}

/// A file's identity on disk, its device and inode, whatever the path it
/// was reached by.
type FileId = (u64, u64);

/// Returns the identity of the file `metadata` describes, where the
/// platform gives one.
fn file_id(metadata: &std::fs::Metadata) -> Option<FileId> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some((metadata.dev(), metadata.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = metadata;
        None
    }
}

/// Reads the rest of `file`, whose size was `size` when it was opened.
/// `read_to_end` on a file looks up its size and position again first, two
/// system calls more for each of the thousands of files a book can have.
fn read_all(file: &mut std::fs::File, size: usize) -> std::io::Result<Vec<u8>> {
    use std::io::{ErrorKind, Read};

    let mut bytes = vec![0; size];
    let mut filled = 0;
    while filled < size {
        match file.read(&mut bytes[filled..]) {
            Ok(0) => break,
            Ok(count) => filled += count,
            Err(error) if error.kind() == ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    bytes.truncate(filled);
    if filled < size {
        return Ok(bytes);
    }
    // One more read finds the end, or that the file grew since it was
    // opened, in which case it is read to its new end.
    let mut more = [0; 512];
    loop {
        match file.read(&mut more) {
            Ok(0) => return Ok(bytes),
            Ok(count) => {
                bytes.extend_from_slice(&more[..count]);
                file.read_to_end(&mut bytes)?;
                return Ok(bytes);
            }
            Err(error) if error.kind() == ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
}

/// Returns `path` made absolute and cleaned of `.` and `..` parts.
fn absolute_path(path: &Path) -> Result<PathBuf, String> {
    std::path::absolute(path)
        .map(|path| clean(&path))
        .map_err(|error| format!("{}: {error}", path.display()))
}

fn build_options(cli: &Cli, base: &Path) -> Result<Options, String> {
    // A folder given as a relative path is the base too, so both sides are
    // made absolute before one is made relative to the other.
    let absolute_base = absolute_path(base)?;
    let in_book = |path: &PathBuf| -> Result<String, String> {
        Ok(relative_to(&absolute_path(path)?, &absolute_base))
    };
    let non_empty = |values: &[String]| (!values.is_empty()).then(|| values.to_vec());
    let css: Vec<String> = cli.css.iter().map(in_book).collect::<Result<_, _>>()?;
    let auto_cover = cli.cover.as_deref() == Some(Path::new("auto"));
    let cover = cli.cover.as_ref().filter(|_| !auto_cover);
    // The book's own paths are relative to the file that names them, but
    // these are relative to the current folder, so a missing one is named
    // here with its flag.
    for (flag, path) in cover
        .map(|path| ("--cover", path))
        .into_iter()
        .chain(cli.css.iter().map(|path| ("--css", path)))
        .chain(
            cli.metadata_file
                .iter()
                .map(|path| ("--metadata-file", path)),
        )
    {
        if path.is_file() {
            continue;
        }
        let problem = if path.is_dir() {
            "is a folder, not a file"
        } else {
            "file not found"
        };
        let or_auto = if flag == "--cover" {
            ", or auto for a made cover"
        } else {
            ""
        };
        // An absolute path is taken as it is; a relative one from here.
        let advice = if path.is_absolute() {
            "check the path"
        } else {
            "give a path relative to the current folder"
        };
        return Err(format!(
            "{flag} {}: {problem}; {advice}{or_auto}",
            path.display()
        ));
    }
    let metadata = Metadata {
        title: cli.title.clone(),
        subtitle: cli.subtitle.clone(),
        authors: non_empty(&cli.authors),
        contributors: non_empty(&cli.contributors),
        lang: cli.lang.clone(),
        date: cli.date.clone(),
        identifier: cli.identifier.clone(),
        publisher: cli.publisher.clone(),
        rights: cli.rights.clone(),
        description: cli.description.clone(),
        subjects: non_empty(&cli.subjects),
        cover_image: cover.map(in_book).transpose()?,
        css: non_empty(&css),
        page_progression_direction: cli.page_progression_direction.clone(),
        accessibility: Default::default(),
        version: None,
    };

    let source_date_epoch = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(value) if !value.trim().is_empty() => {
            // The last second of year 9999: EPUB dates have four-digit years.
            const LATEST: i64 = 253_402_300_799;
            let seconds = value
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|seconds| (0..=LATEST).contains(seconds));
            Some(seconds.ok_or_else(|| {
                format!("SOURCE_DATE_EPOCH must be whole seconds since 1970, from 0 to {LATEST} (the end of year 9999), not \"{value}\"")
            })?)
        }
        _ => None,
    };
    Ok(Options {
        metadata,
        metadata_file: cli.metadata_file.as_ref().map(in_book).transpose()?,
        toc_depth: cli.toc_depth,
        smart: !cli.no_smart,
        source_date_epoch,
        max_text_bytes: None,
        style: quire::styles::Style::from_name(&cli.style)
            .ok_or_else(|| format!("unknown style \"{}\"", cli.style))?,
        vertical: cli.vertical,
        auto_cover,
        target: cli
            .target
            .as_deref()
            .map(|name| {
                quire::target::Target::from_name(name)
                    .ok_or_else(|| format!("unknown target \"{name}\""))
            })
            .transpose()?,
        max_image_pixels: cli
            .max_image_pixels
            .unwrap_or(quire::target::DEFAULT_MAX_IMAGE_PIXELS),
        keep_previews: false,
        lang_option_name: "--lang",
    })
}

/// Rejects an output path that would overwrite an input file, a folder, and
/// one whose folder does not exist, before any work is done. The message
/// for a folder suggests a path inside it named `default_name`.
fn check_output(target: &Path, inputs: &[PathBuf], default_name: &Path) -> Result<(), String> {
    let absolute = |path: &Path| absolute_path(path).unwrap_or_else(|_| path.to_path_buf());
    let target_path = absolute(target);
    // A path ending in a slash names a folder, whether or not it exists.
    let names_folder = target
        .as_os_str()
        .to_str()
        .is_some_and(|text| text.ends_with('/'));
    if target.is_dir() || names_folder {
        let name = default_name.file_name().unwrap_or_default();
        return Err(format!(
            "the output {} names a folder; give a file path for the book, such as {}",
            target.display(),
            target.join(name).display()
        ));
    }
    for input in inputs {
        let same_file = match (std::fs::canonicalize(input), std::fs::canonicalize(target)) {
            (Ok(input), Ok(output)) => input == output,
            _ => absolute(input) == target_path,
        };
        if same_file {
            // Without -o, a Markdown file named .epub is its own output.
            let check_hint = if has_extension(input, "epub") {
                format!(
                    "; to check an EPUB instead, run: quire check {}",
                    input.display()
                )
            } else {
                String::new()
            };
            // Without -o the output is the default name.
            let other_path = if target == default_name {
                "give -o with another path"
            } else {
                "choose another -o path"
            };
            return Err(format!(
                "the output {} is also an input; {other_path} so the Markdown is not overwritten{check_hint}",
                target.display()
            ));
        }
    }
    // A folder's files are all the book's, so the output may go there only
    // as an EPUB, such as the book made last time. Under another name it
    // could replace one of them, or become a chapter of the next run.
    let is_epub = has_extension(&target_path, "epub");
    // Symbolic links are resolved on both sides: the target's folder
    // exists, or the run stops below.
    let resolved_target = target_path
        .parent()
        .and_then(|dir| std::fs::canonicalize(dir).ok())
        .zip(target_path.file_name())
        .map(|(dir, name)| dir.join(name));
    let in_folder = |folder: &PathBuf| {
        target_path.starts_with(absolute(folder))
            || std::fs::canonicalize(folder).is_ok_and(|folder| {
                resolved_target
                    .as_ref()
                    .is_some_and(|target| target.starts_with(folder))
            })
    };
    if !is_epub
        && inputs
            .iter()
            .any(|input| input.is_dir() && in_folder(input))
    {
        return Err(format!(
            "the output {} is in the book's folder; choose a path outside it, or one ending in .epub, so the book's files are not overwritten",
            target.display()
        ));
    }
    if let Some(dir) = target.parent().filter(|dir| !dir.as_os_str().is_empty())
        && !dir.is_dir()
    {
        let problem = if dir.exists() {
            format!("{} is a file, not a folder", dir.display())
        } else {
            format!("folder {} does not exist", dir.display())
        };
        return Err(format!(
            "cannot write {}: {problem}; choose a path in an existing folder",
            target.display()
        ));
    }
    Ok(())
}

/// Reports whether the file at `path` starts as a zip archive does, as an
/// EPUB does. An empty file counts as one, because it holds no work to
/// lose.
fn starts_like_zip(path: &Path) -> bool {
    use std::io::Read;
    let mut start = Vec::with_capacity(4);
    std::fs::File::open(path)
        .and_then(|file| file.take(4).read_to_end(&mut start))
        .is_ok_and(|_| start.is_empty() || start == b"PK\x03\x04")
}

/// Reports whether `path` ends in `.extension`, in any case.
fn has_extension(path: &Path, extension: &str) -> bool {
    path.extension()
        .is_some_and(|found| found.eq_ignore_ascii_case(extension))
}

/// Writes to a temporary file beside `target`, then renames it, so a failed
/// run never leaves a partial book.
fn write_atomically(target: &Path, bytes: &[u8]) -> Result<(), String> {
    let dir = match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = target
        .file_name()
        .and_then(|name| name.to_str())
        .unwrap_or("book.epub");
    let temporary = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result =
        std::fs::write(&temporary, bytes).and_then(|()| std::fs::rename(&temporary, target));
    if let Err(error) = result {
        let _ = std::fs::remove_file(&temporary);
        return Err(format!("cannot write {}: {error}", target.display()));
    }
    Ok(())
}

fn default_output(first_input: &Path, target: Option<quire::target::Target>) -> PathBuf {
    let stem =
        clean(&std::path::absolute(first_input).unwrap_or_else(|_| first_input.to_path_buf()))
            .file_stem()
            .and_then(|stem| stem.to_str())
            .unwrap_or("book")
            .to_string();
    let extension = target.map_or("epub", quire::target::Target::extension);
    PathBuf::from(format!("{stem}.{extension}"))
}

/// Returns the absolute path of the book's file `book_path`, which is
/// relative to `base`. A relative base such as `..` is made absolute first,
/// so that cleaning the path keeps its `..` parts.
fn book_file_path(base: &Path, book_path: &str) -> PathBuf {
    let joined = base.join(book_path);
    clean(&std::path::absolute(&joined).unwrap_or(joined))
}

/// Removes `.` and `..` components without touching the file system.
fn clean(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

fn common_parent(paths: &[PathBuf]) -> PathBuf {
    let mut base = paths[0].parent().map(Path::to_path_buf).unwrap_or_default();
    for path in &paths[1..] {
        while !path.starts_with(&base) {
            if !base.pop() {
                break;
            }
        }
    }
    base
}

/// Returns `path` relative to `base` with `/` separators, using `..` when
/// it lies outside.
fn relative_to(path: &Path, base: &Path) -> String {
    // Files found under the book's folder, nearly every call, need no `..`.
    // The components below take the long way for anything else, and for
    // the empty and `.` parts that `strip_prefix` keeps.
    if let Ok(inside) = path.strip_prefix(base)
        && let Some(relative) = inside.to_str()
        && std::path::MAIN_SEPARATOR == '/'
        && !relative
            .split('/')
            .any(|part| part.is_empty() || part == ".")
    {
        return relative.to_string();
    }
    let path_parts: Vec<Component> = path.components().collect();
    let base_parts: Vec<Component> = base.components().collect();
    let shared = path_parts
        .iter()
        .zip(&base_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut parts: Vec<String> = vec!["..".to_string(); base_parts.len() - shared];
    parts.extend(
        path_parts[shared..]
            .iter()
            .map(|part| part.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

/// Shows a book path the way the user can find it: relative to the current
/// folder when possible.
/// Returns `error` with each path in the book it names given as
/// [`display_path`] gives it, so that every message names files the same
/// way.
fn located_error(error: Error, base: &Path) -> Error {
    let locate = |path: String| display_path(base, &path);
    match error {
        Error::SummaryWithoutChapters { summary } => Error::SummaryWithoutChapters {
            summary: locate(summary),
        },
        Error::ChapterNotFound { path, listed_in } => Error::ChapterNotFound {
            path: locate(path),
            listed_in: listed_in.map(locate),
        },
        Error::NotUtf8 { path, offset } => Error::NotUtf8 {
            path: locate(path),
            offset,
        },
        Error::TooLarge {
            path,
            size,
            total,
            limit,
        } => Error::TooLarge {
            path: locate(path),
            size,
            total,
            limit,
        },
        Error::NotText { path, kind } => Error::NotText {
            path: locate(path),
            kind,
        },
        Error::FileNotFound { path, purpose } => Error::FileNotFound {
            path: locate(path),
            purpose,
        },
        Error::UnsupportedCover { path, reason } => Error::UnsupportedCover {
            path: locate(path),
            reason,
        },
        Error::InvalidMetadata { path, line, reason } => Error::InvalidMetadata {
            path: locate(path),
            line,
            reason,
        },
        error @ (Error::NoChapters | Error::InvalidOption { .. } | Error::Zip { .. }) => error,
    }
}

fn display_path(base: &Path, book_path: &str) -> String {
    shown_path(&book_file_path(base, book_path))
}

/// Returns how messages name the file at the absolute path `full`: from
/// the working folder, or whole when that would climb more than one
/// folder.
fn shown_path(full: &Path) -> String {
    match std::env::current_dir() {
        Ok(cwd) => {
            let relative = relative_to(full, &cwd);
            if relative.starts_with("../../") {
                full.display().to_string()
            } else {
                relative
            }
        }
        Err(_) => full.display().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::read_all;
    use std::io::Write;

    #[test]
    fn read_all_grown_or_shortened_file() {
        let folder = tempfile::tempdir().expect("temporary folder");
        let path = folder.path().join("chapter.md");
        let first = "# Chapter\n\n".repeat(100);
        std::fs::write(&path, &first).expect("written");
        let size = first.len();

        let mut unchanged = std::fs::File::open(&path).expect("opened");
        assert_eq!(
            read_all(&mut unchanged, size).expect("read"),
            first.as_bytes()
        );

        // Grown after it was opened: read to its new end.
        let mut grown = std::fs::File::open(&path).expect("opened");
        let more = "More text.\n".repeat(200);
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .and_then(|mut file| file.write_all(more.as_bytes()))
            .expect("appended");
        assert_eq!(
            read_all(&mut grown, size).expect("read"),
            format!("{first}{more}").as_bytes()
        );

        // Cut short after it was opened: what is left.
        let mut shortened = std::fs::File::open(&path).expect("opened");
        std::fs::write(&path, "# Short\n").expect("written");
        assert_eq!(read_all(&mut shortened, size).expect("read"), b"# Short\n");

        let empty = folder.path().join("empty.md");
        std::fs::write(&empty, "").expect("written");
        let mut file = std::fs::File::open(&empty).expect("opened");
        assert!(read_all(&mut file, 0).expect("read").is_empty());
    }
}
