//! Writing a book's chapter files on two threads natively.
//!
//! Each file after the first becomes one chapter, written by whichever
//! thread takes it next. What a chapter leaves for the book (its anchors,
//! warnings, images and missing files) is kept with it, and the main
//! thread adds each chapter to the book in the files' order, then frees its
//! text. So the book is the one a single thread writes in order.
//!
//! Image names are the one thing the threads must agree on while they
//! write, since they go into the markup. An image is named after its file.
//! When two images would take one name, or a file that cannot be an image
//! is named again (its warning goes with its first use in the book), a
//! chapter can come out otherwise than in order. The main thread finds
//! this as it adds the chapter, and writes that chapter again itself.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::{
    BookResolver, ChapterPlan, ContentHash, link_action, plan_parts, warn_ignored_metadata,
    warn_unused_footnotes,
};
use crate::book::FileIndex;
use crate::epub::PackAhead;
use crate::error::Warnings;
use crate::images::{Examined, ImageType, examine, first_href, image_path};
use crate::links::{Anchors, encode_url};
use crate::locale::Labels;
use crate::markdown::{LineIndex, parse};
use crate::package;
use crate::parallel::{PARALLEL_MIN_BYTES, lock, thread_count};
use crate::xhtml::{LinkAction, RenderedChapter, Resolver, Writer};

/// Reports whether the files after the first are worth two threads: a
/// second core, and enough text that the thread costs less than it saves.
pub(super) fn worth_threads(texts: &[Cow<'_, str>]) -> bool {
    #[cfg(test)]
    if ONE_THREAD.get() {
        return false;
    }
    let rest: usize = texts.iter().skip(1).map(|text| text.len()).sum();
    thread_count() >= 2 && texts.len() > 2 && rest >= PARALLEL_MIN_BYTES
}

#[cfg(test)]
thread_local! {
    /// Whether the conversions on this thread write every file in order.
    static ONE_THREAD: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// How many chapters the last conversion on this thread wrote again.
    static REWRITTEN: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Returns how many chapters the last conversion on this thread wrote
/// again, having written them on the two threads first.
#[cfg(test)]
pub(super) fn last_rewritten() -> usize {
    REWRITTEN.get()
}

/// Runs `work` with every file written on this thread, in order: the book
/// the threads must make.
#[cfg(test)]
pub(super) fn on_one_thread<T>(work: impl FnOnce() -> T) -> T {
    ONE_THREAD.set(true);
    let result = work();
    ONE_THREAD.set(false);
    result
}

/// The parts of the book that both threads read while they write.
pub(super) struct Shared<'a, 'f> {
    pub files: &'f FileIndex<'f>,
    pub sources: &'a [String],
    pub lines: &'a [LineIndex],
    /// Normalised paths of the chapter files, for links.
    pub chapter_sources: HashSet<&'a str>,
    pub smart: bool,
    pub labels: &'static Labels,
}

/// The book as written so far, which the main thread adds chapters to.
pub(super) struct BookSoFar<'a, 'r> {
    pub resolver: &'a mut BookResolver<'r>,
    pub warnings: &'a mut Warnings,
    pub plans: &'a mut Vec<ChapterPlan>,
    pub used_names: &'a mut HashSet<String>,
    pub rendered: &'a mut Vec<RenderedChapter>,
    pub anchors: &'a mut [Anchors],
    pub needs_full_engine: &'a mut bool,
    pub text_hash: &'a mut Option<ContentHash>,
}

/// A chapter file on its way: its text, then the text and the chapter
/// written from it, until the main thread adds it to the book.
enum Slot<'t> {
    Waiting(Cow<'t, str>),
    Writing,
    Written(Cow<'t, str>, Box<ThreadFile>),
    Added,
}

/// Writes chapter files 1 and on, whose `texts` these are, on two threads,
/// and adds them to `book` in order. Each text is freed once its chapter
/// is added.
pub(super) fn write_files<'t, 'f>(
    shared: &Shared<'_, 'f>,
    texts: Vec<Cow<'t, str>>,
    book: &mut BookSoFar<'_, '_>,
    pack_ahead: &mut PackAhead<'_, 'f>,
) {
    let names = ImageNames::new(book, pack_ahead);
    let slots: Vec<Mutex<Slot<'t>>> = std::iter::once(Slot::Added)
        .chain(texts.into_iter().map(Slot::Waiting))
        .map(Mutex::new)
        .collect();
    let next = AtomicUsize::new(1);
    let mut added = 1;
    let mut rewritten = 0;
    std::thread::scope(|scope| {
        let helper = scope.spawn(|| while write_next(shared, &names, &slots, &next) {});
        // This thread writes too, and adds what is ready between files.
        while write_next(shared, &names, &slots, &next) {
            rewritten += add_ready(shared, &slots, &mut added, book);
        }
        if let Err(panic) = helper.join() {
            std::panic::resume_unwind(panic);
        }
    });
    rewritten += add_ready(shared, &slots, &mut added, book);
    debug_assert_eq!(added, slots.len(), "every file added");
    #[cfg(test)]
    REWRITTEN.set(rewritten);
    #[cfg(not(test))]
    let _ = rewritten;
}

/// Takes the next file that is waiting and writes it. Returns `false` when
/// none is left.
fn write_next<'t, 'f>(
    shared: &Shared<'_, 'f>,
    names: &ImageNames<'_, '_, 'f>,
    slots: &[Mutex<Slot<'t>>],
    next: &AtomicUsize,
) -> bool {
    let source = next.fetch_add(1, Ordering::Relaxed);
    let Some(slot) = slots.get(source) else {
        return false;
    };
    let text = match std::mem::replace(&mut *lock(slot), Slot::Writing) {
        Slot::Waiting(text) => text,
        _ => unreachable!("each file is taken once"),
    };
    let mut resolver = ThreadResolver {
        files: shared.files,
        chapter_sources: &shared.chapter_sources,
        names,
        images: Vec::new(),
        missing: Vec::new(),
        rejected: Vec::new(),
    };
    let written = write_file(shared, source, &text, &mut resolver);
    let file = ThreadFile {
        written,
        images: resolver.images,
        missing: resolver.missing,
        rejected: resolver.rejected,
    };
    *lock(slot) = Slot::Written(text, Box::new(file));
    true
}

/// One chapter file written, with what it leaves for the book.
struct WrittenFile {
    chapter: RenderedChapter,
    anchors: Anchors,
    /// The file's warnings, in the order they were found.
    warnings: Warnings,
    needs_full_engine: bool,
}

/// A file written on either thread, with the images it named there.
struct ThreadFile {
    written: WrittenFile,
    /// The images the chapter shows, in order of first use, with the
    /// href it gave each.
    images: Vec<(String, ImageType, String)>,
    /// The image paths it names that are not among the files.
    missing: Vec<String>,
    /// The files it named that cannot be images, in order of first use.
    rejected: Vec<String>,
}

/// Parses and writes chapter file `source`, which is one chapter, taking
/// images and links from `resolver`.
fn write_file(
    shared: &Shared<'_, '_>,
    source: usize,
    text: &str,
    resolver: &mut dyn Resolver,
) -> WrittenFile {
    let path = &shared.sources[source];
    let lines = &shared.lines[source];
    let file = parse(text, false, shared.smart);
    let mut warnings = Warnings::default();
    if let Some((_, line)) = &file.metadata {
        warn_ignored_metadata(path, *line, &mut warnings);
    }
    let mut anchors = Anchors::default();
    // Each file before it is one chapter, so its index is the file's.
    let chapter = Writer::new(path, source, lines, &mut anchors, resolver, &mut warnings)
        .with_labels(shared.labels)
        .write(&file.chapters[0], &file.footnotes);
    let used = chapter.footnote_labels.iter().map(String::as_str).collect();
    warn_unused_footnotes(path, &file, lines, &used, &mut warnings);
    WrittenFile {
        chapter,
        anchors,
        warnings,
        needs_full_engine: file.needs_math || file.needs_highlight,
    }
}

/// Adds to `book`, in order from `added`, each file that is written.
/// Returns how many of them were written again.
fn add_ready(
    shared: &Shared<'_, '_>,
    slots: &[Mutex<Slot<'_>>],
    added: &mut usize,
    book: &mut BookSoFar<'_, '_>,
) -> usize {
    let mut rewritten = 0;
    while let Some(slot) = slots.get(*added) {
        let (text, file) = {
            let mut slot = lock(slot);
            if !matches!(*slot, Slot::Written(..)) {
                return rewritten;
            }
            match std::mem::replace(&mut *slot, Slot::Added) {
                Slot::Written(text, file) => (text, file),
                _ => unreachable!("matched above"),
            }
        };
        if !add_file(shared, *added, &text, *file, book) {
            rewritten += 1;
        }
        if let Some(hash) = book.text_hash.as_mut() {
            hash.part(text.as_bytes());
        }
        *added += 1;
    }
    rewritten
}

/// Adds chapter file `source` to the book: as written on its thread when
/// its images are those one thread writing in order gives it, or else
/// written again here with the book's own resolver. Returns whether it
/// was added as written on its thread.
fn add_file(
    shared: &Shared<'_, '_>,
    source: usize,
    text: &str,
    file: ThreadFile,
    book: &mut BookSoFar<'_, '_>,
) -> bool {
    let images = &mut book.resolver.images;
    let stored_before = images.images.len();
    let as_written = !file.rejected.iter().any(|path| images.rejected(path))
        && file
            .images
            .into_iter()
            .all(|(path, image_type, href)| images.store(path, image_type) == href);
    let written = if as_written {
        for path in file.rejected {
            images.reject(path);
        }
        for path in file.missing {
            images.note_missing(path);
        }
        let mut written = file.written;
        // glibc gives each thread that allocates a heap of its own, and
        // what is freed in the other thread's heap serves only that thread.
        // The body is held until its document is written, so it is copied
        // into this thread's heap, where the later steps can reuse it.
        written.chapter.body = written.chapter.body.as_str().to_owned();
        written
    } else {
        images.forget_after(stored_before);
        write_file(shared, source, text, &mut *book.resolver)
    };
    book.warnings.append(written.warnings);
    *book.needs_full_engine |= written.needs_full_engine;
    plan_parts(
        &shared.sources[source],
        source,
        1,
        |_| None,
        book.used_names,
        book.plans,
    );
    book.rendered.push(written.chapter);
    book.anchors[source] = written.anchors;
    as_written
}

/// The image names the threads agree on while they write.
struct ImageNames<'p, 'scope, 'f> {
    /// Each image path named, with its href and type: those the first
    /// chapter stored, then those the threads named.
    named: Mutex<HashMap<String, (String, ImageType)>>,
    /// Paths the first chapter found cannot be images.
    rejected: HashSet<String>,
    /// Compresses each image as soon as a thread first names it.
    pack_ahead: Mutex<&'p mut PackAhead<'scope, 'f>>,
}

impl<'p, 'scope, 'f> ImageNames<'p, 'scope, 'f> {
    /// Starts from the images the first chapter stored or left out.
    fn new(book: &BookSoFar<'_, '_>, pack_ahead: &'p mut PackAhead<'scope, 'f>) -> Self {
        let mut named = HashMap::new();
        let mut rejected = HashSet::new();
        for (path, image) in book.resolver.images.known() {
            match image {
                Some(image) => {
                    named.insert(path.to_string(), (image.href.clone(), image.image_type));
                }
                None => {
                    rejected.insert(path.to_string());
                }
            }
        }
        ImageNames {
            named: Mutex::new(named),
            rejected,
            pack_ahead: Mutex::new(pack_ahead),
        }
    }

    /// Returns the href and type of the image at `path`, if it was named.
    fn get(&self, path: &str) -> Option<(String, ImageType)> {
        lock(&self.named).get(path).cloned()
    }

    /// Names the image at `path` after its file, unless a thread named it
    /// meanwhile, and starts compressing it. Returns its href.
    fn name(&self, files: &'f FileIndex<'f>, path: &str, image_type: ImageType) -> String {
        let href = first_href(path, image_type);
        {
            let mut named = lock(&self.named);
            if let Some((known, _)) = named.get(path) {
                return known.clone();
            }
            named.insert(path.to_string(), (href.clone(), image_type));
        }
        if let Some(file) = files.get(path) {
            lock(&self.pack_ahead).add(format!("{}/{href}", package::ROOT), &file.bytes);
        }
        href
    }
}

/// Resolves the images and links of one chapter written on a thread.
struct ThreadResolver<'a, 'n, 'p, 'scope, 'f> {
    files: &'f FileIndex<'f>,
    chapter_sources: &'a HashSet<&'a str>,
    names: &'n ImageNames<'p, 'scope, 'f>,
    images: Vec<(String, ImageType, String)>,
    missing: Vec<String>,
    rejected: Vec<String>,
}

impl Resolver for ThreadResolver<'_, '_, '_, '_, '_> {
    fn image(
        &mut self,
        from: &str,
        src: &str,
        line: Option<usize>,
        warnings: &mut Warnings,
    ) -> Option<String> {
        let path = image_path(from, src, line, warnings)?;
        if self.names.rejected.contains(&path) || self.rejected.contains(&path) {
            return None;
        }
        let (href, image_type) = match self.names.get(&path) {
            Some(named) => named,
            None => match examine(self.files, from, src, &path, line) {
                Examined::Usable(image_type) => {
                    (self.names.name(self.files, &path, image_type), image_type)
                }
                Examined::Missing(warning) => {
                    warnings.push(warning);
                    self.missing.push(path);
                    return None;
                }
                Examined::Unusable(warning) => {
                    warnings.push(warning);
                    self.rejected.push(path);
                    return None;
                }
            },
        };
        if !self.images.iter().any(|(used, _, _)| *used == path) {
            self.images.push((path, image_type, href.clone()));
        }
        // Chapters live in `text/`, images in `images/`.
        Some(format!("../{}", encode_url(&href)))
    }

    fn link(
        &mut self,
        from: &str,
        url: &str,
        line: Option<usize>,
        warnings: &mut Warnings,
    ) -> LinkAction {
        link_action(self.files, self.chapter_sources, from, url, line, warnings)
    }
}
