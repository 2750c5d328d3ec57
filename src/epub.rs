//! The zip container (EPUB Open Container Format 3.3): `mimetype` first and
//! stored, then everything else deflated, with fixed times, no extra fields
//! and no archive comment, so the same book always gives the same bytes.
//!
//! Quire writes the zip format itself (PKWARE APPNOTE 6.3.10, sections 4.3
//! and 4.4) because an EPUB needs only its simplest form, and because
//! that lets entries be compressed on several threads natively.

use flate2::{Compress, Compression, FlushCompress, Status};

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Mutex;

use crate::error::Error;
#[cfg(not(target_arch = "wasm32"))]
use crate::parallel::thread_count;
use crate::parallel::{PARALLEL_MIN_BYTES, lock, map_in_order};

/// Deflate level 2 of 9. Measured on the Rust book with callgrind (zlib-rs
/// 0.6.9): level 6, zlib's default, made a 1,342,707-byte EPUB; level 2 one
/// 4.5% larger for a third fewer deflate instructions. The browser build
/// has one thread, so there deflate's cost adds to every conversion.
const DEFLATE_LEVEL: u32 = 2;

const LOCAL_HEADER: u32 = 0x0403_4b50;
const CENTRAL_HEADER: u32 = 0x0201_4b50;
const END_OF_CENTRAL_DIRECTORY: u32 = 0x0605_4b50;
const ZIP64_END_OF_CENTRAL_DIRECTORY: u32 = 0x0606_4b50;
const ZIP64_LOCATOR: u32 = 0x0706_4b50;
/// A local header's size before its name.
const LOCAL_HEADER_SIZE: usize = 30;
/// A central directory header's size before its name.
const CENTRAL_HEADER_SIZE: usize = 46;
/// The end records' size at most: the zip64 end record and its locator,
/// then the end of the central directory.
const END_RECORDS_MAX_SIZE: usize = 56 + 20 + 22;

/// Version 2.0 is what stored and deflated entries need.
const VERSION_NEEDED: u16 = 20;
/// Version 4.5 adds the zip64 end records, written only for more than
/// 65,535 entries.
const VERSION_NEEDED_ZIP64: u16 = 45;
/// The high byte 3 marks the external attributes as Unix modes.
const VERSION_MADE_BY: u16 = (3 << 8) | 45;
/// A regular file with mode 0644, in the high half of the external
/// attributes.
const EXTERNAL_ATTRIBUTES: u32 = 0o100_644 << 16;
/// General-purpose flag bit 11: the entry name is UTF-8.
const UTF8_NAME: u16 = 1 << 11;

const METHOD_STORED: u16 = 0;
const METHOD_DEFLATED: u16 = 8;

/// 1980-01-01 00:00:00 in MS-DOS form, the earliest time a zip can hold,
/// so no clock reaches the bytes.
const DOS_TIME: u16 = 0;
const DOS_DATE: u16 = (1 << 5) | 1;

/// An entry's bytes as they go into the archive. A stored entry borrows
/// the bytes it was made from, so an image is not copied to be stored.
struct Packed<'a> {
    method: u16,
    crc: u32,
    uncompressed_size: usize,
    data: Cow<'a, [u8]>,
}

/// Size of the part deflated first, from the middle, in an entry over
/// [`PROBE_MIN_ENTRY`]. When that part shrinks too little (see
/// [`PROBE_MIN_SAVING`]), the entry is stored without deflating the whole.
/// A photo is compressed already, so deflating it takes time for nothing.
/// The middle of an image file is its pixel data, past any headers or
/// metadata that would shrink. The Rust book's large PNGs shrink by a
/// fifth to a quarter (zlib level 2), and their middle part as much.
const PROBE_BYTES: usize = 32 * 1024;

/// Deflate level 1 of 9, for a large entry whose probed part shrinks by
/// less than half: data encoded already, such as a PNG's pixels. Measured
/// on the Rust book's four large PNGs (1 MB, zlib-rs 0.6): level 1 took
/// half the time of level 2 for 5% larger entries (802 KB against 764 KB),
/// where text at level 1 grows by a third.
const ENCODED_LEVEL: u32 = 1;

/// Entries up to this size are deflated whole without a probe.
const PROBE_MIN_ENTRY: usize = 4 * PROBE_BYTES;

/// Deflate must save at least 1/32 (about 3%) of the probed part for the
/// whole entry to be deflated.
const PROBE_MIN_SAVING: usize = 32;

/// At most about this many bytes of entries are compressed at a time, so
/// the compressed copies waiting to be written stay small beside the book,
/// and the documents of each batch are freed before the next (see
/// [`write_zip_inspecting`]). Measured on the Rust book, with 1.9 MB of
/// documents: with 4 MB its peak stayed at 15.2 MB, and with 1 MB it fell
/// to 14.1 MB for about 1,000 more page faults (an estimated 2 ms of CPU
/// time). With 256 KB it fell no further and took twice those faults.
const PACK_BATCH_BYTES: usize = 1024 * 1024;

/// A book's entries before they are zipped: each path in the archive with
/// its bytes, borrowed when they are a file of the book as it is, such as
/// an image.
pub type Entries<'a> = Vec<(String, Cow<'a, [u8]>)>;

/// Writes the entries, after `mimetype`, into an EPUB zip archive.
pub fn write_zip<B: AsRef<[u8]> + Sync>(entries: &[(String, B)]) -> Result<Vec<u8>, Error> {
    write_zip_with(entries, PackedAhead::default())
}

/// Writes the entries as [`write_zip`] does, taking from `ahead` each one
/// compressed already from the same bytes.
pub fn write_zip_with<B: AsRef<[u8]> + Sync>(
    entries: &[(String, B)],
    ahead: PackedAhead<'_>,
) -> Result<Vec<u8>, Error> {
    let borrowed: Entries<'_> = entries
        .iter()
        .map(|(name, bytes)| (name.clone(), Cow::Borrowed(bytes.as_ref())))
        .collect();
    let written = write_zip_inspecting(borrowed, ahead, |_, _| None::<()>)?;
    Ok(written.epub)
}

/// An archive from [`write_zip_inspecting`], with what was learnt from its
/// entries on the way.
pub struct Written<'a, T> {
    /// The EPUB file's bytes.
    pub epub: Vec<u8>,
    /// The entries that `inspect` returned nothing for, in archive order.
    pub not_inspected: Entries<'a>,
    /// The values `inspect` returned for the others, by entry name, in
    /// archive order. Their bytes were freed once compressed.
    pub inspected: Vec<(String, T)>,
}

/// Writes the entries as [`write_zip_with`] does, showing each to
/// `inspect` on the thread that compresses it, while its bytes are still
/// in the processor's cache. An entry that `inspect` returns something for
/// is freed as soon as it is in the archive, so a book's documents are not
/// all held beside the archive they are compressed into.
pub fn write_zip_inspecting<'a, T: Send>(
    mut entries: Entries<'a>,
    mut ahead: PackedAhead<'_>,
    inspect: impl Fn(&str, &[u8]) -> Option<T> + Sync,
) -> Result<Written<'a, T>, Error> {
    let total: usize = entries.iter().map(|(_, bytes)| bytes.len()).sum();
    let parallel = total >= PARALLEL_MIN_BYTES;
    let names_size: usize = entries.iter().map(|(name, _)| name.len()).sum();
    // The archive is sized once the first batch is compressed, from what
    // it came to (see `reserve_for_batch`).
    let mut archive = Vec::new();
    let central_size = names_size + CENTRAL_HEADER_SIZE * (entries.len() + 1);
    let mut central = Vec::with_capacity(central_size);
    let mut bytes_left = total;
    let mut count = 0usize;
    let mut add = |archive: &mut Vec<u8>, name: &str, entry: Packed| -> Result<(), Error> {
        let offset = archive.len();
        write_local_header(archive, name, &entry)?;
        archive.extend_from_slice(&entry.data);
        write_central_header(&mut central, name, &entry, offset)?;
        count += 1;
        Ok(())
    };

    add(
        &mut archive,
        "mimetype",
        pack(
            Cow::Borrowed(b"application/epub+zip"),
            METHOD_STORED,
            &mut new_compressor(),
        )?,
    )?;
    let mut inspected: Vec<(usize, T)> = Vec::new();
    let compressors = CompressorPool::default();
    // Each batch's compressed bytes are freed once copied into the archive,
    // and so are the bytes of the entries `inspect` took.
    for batch in batches(&entries, PACK_BATCH_BYTES) {
        let batch_entries = &entries[batch.clone()];
        let mut ready: Vec<Option<Packed>> = batch_entries
            .iter()
            .map(|(name, bytes)| {
                ahead
                    .take(name, bytes)
                    .or_else(|| memoized::take(name, bytes))
            })
            .collect();
        let work: Vec<(&str, &[u8], bool)> = batch_entries
            .iter()
            .zip(&ready)
            .map(|((name, bytes), packed)| (name.as_str(), &bytes[..], packed.is_none()))
            .collect();
        let results = map_in_order(
            &work,
            parallel,
            || compressors.take(),
            |compressor, (name, bytes, to_pack)| {
                let found = inspect(name, bytes);
                let packed =
                    to_pack.then(|| pack(Cow::Borrowed(*bytes), METHOD_DEFLATED, compressor));
                (found, packed)
            },
        );
        let mut packed_here = Vec::with_capacity(results.len());
        for (index, (found, packed)) in results.into_iter().enumerate() {
            if let Some(found) = found {
                inspected.push((batch.start + index, found));
            }
            packed_here.push(packed.transpose()?);
        }
        let batch_in: usize = batch_entries.iter().map(|(_, bytes)| bytes.len()).sum();
        let batch_out: usize = ready
            .iter()
            .chain(&packed_here)
            .flatten()
            .map(|entry| entry.data.len())
            .sum::<usize>()
            + batch_entries
                .iter()
                .map(|(name, _)| LOCAL_HEADER_SIZE + name.len())
                .sum::<usize>();
        bytes_left -= batch_in;
        reserve_for_batch(&mut archive, batch_in, batch_out, bytes_left, central_size);
        for (((name, bytes), entry), packed) in
            batch_entries.iter().zip(ready.iter_mut()).zip(packed_here)
        {
            let entry = match entry.take() {
                Some(entry) => entry,
                None => {
                    let entry = packed.expect("each entry not ready is packed");
                    memoized::keep(name, bytes, &entry);
                    entry
                }
            };
            add(&mut archive, name, entry)?;
        }
        let first_inspected = inspected.partition_point(|(index, _)| *index < batch.start);
        for (index, _) in &inspected[first_inspected..] {
            entries[*index].1 = Cow::Borrowed(&[]);
        }
        // Freed in the middle of the heap, the documents' pages would stay
        // counted while the archive grows beyond them.
        if first_inspected < inspected.len() {
            crate::memory::return_free_pages();
        }
    }

    memoized::finish_round();

    let central_offset = archive.len();
    archive.extend_from_slice(&central);
    write_end_records(&mut archive, count, central.len(), central_offset)?;

    // The entries inspected are empty by now; the others go back.
    let mut found = inspected.into_iter().peekable();
    let mut not_inspected = Vec::with_capacity(entries.len());
    let mut inspected = Vec::new();
    for (index, (name, bytes)) in entries.into_iter().enumerate() {
        match found.next_if(|(found_index, _)| *found_index == index) {
            Some((_, value)) => inspected.push((name, value)),
            None => not_inspected.push((name, bytes)),
        }
    }
    Ok(Written {
        epub: archive,
        not_inspected,
        inspected,
    })
}

/// Makes room in `archive` for a batch that compresses `batch_in` bytes to
/// `batch_out` with its headers, when it has none. The room reserved also
/// covers the `bytes_left` of later batches, taken to shrink as this one
/// did, and the central directory. A book of one batch, as most are, thus
/// gets an archive of its exact size, where doubling a guess would leave
/// up to half of it unused while the entries are held too.
fn reserve_for_batch(
    archive: &mut Vec<u8>,
    batch_in: usize,
    batch_out: usize,
    bytes_left: usize,
    central_size: usize,
) {
    if archive.capacity() - archive.len() >= batch_out {
        return;
    }
    let later = (bytes_left as f64 * batch_out as f64 / batch_in.max(1) as f64) as usize;
    archive.reserve_exact(batch_out + later + central_size + END_RECORDS_MAX_SIZE);
}

/// Splits `entries` into runs of consecutive entries of at most
/// `max_bytes` in all, or of one larger entry, by their positions.
fn batches(entries: &Entries<'_>, max_bytes: usize) -> Vec<std::ops::Range<usize>> {
    let mut batches = Vec::new();
    let mut start = 0;
    let mut bytes = 0;
    for (index, (_, entry)) in entries.iter().enumerate() {
        let size = entry.len();
        if index > start && bytes + size > max_bytes {
            batches.push(start..index);
            start = index;
            bytes = 0;
        }
        bytes += size;
    }
    if start < entries.len() {
        batches.push(start..entries.len());
    }
    batches
}

/// Entries compressed on another thread while the book is still being
/// written, such as its images while its chapters are, so that the archive
/// need not compress them at the end. The thread borrows the entries'
/// bytes, which live for `'env`. Without a second core, as in WebAssembly,
/// [`PackAhead::add`] does nothing and the archive compresses every entry
/// itself. [`with_pack_ahead`] makes one.
pub struct PackAhead<'scope, 'env> {
    #[cfg(not(target_arch = "wasm32"))]
    scope: &'scope std::thread::Scope<'scope, 'env>,
    #[cfg(not(target_arch = "wasm32"))]
    worker: Option<AheadWorker<'scope, 'env>>,
    #[cfg(target_arch = "wasm32")]
    lifetimes: std::marker::PhantomData<(&'scope (), &'env ())>,
}

/// The thread of a [`PackAhead`] and the way to send it entries.
#[cfg(not(target_arch = "wasm32"))]
struct AheadWorker<'scope, 'env> {
    entries: std::sync::mpsc::Sender<(String, &'env [u8])>,
    thread: std::thread::ScopedJoinHandle<'scope, HashMap<String, Packed<'env>>>,
}

/// Runs `work` with a [`PackAhead`] that may take bytes living for `'env`.
/// Its thread, if it started one, has ended when this returns.
#[cfg(not(target_arch = "wasm32"))]
pub fn with_pack_ahead<'env, T>(
    work: impl for<'scope> FnOnce(&mut PackAhead<'scope, 'env>) -> T,
) -> T {
    std::thread::scope(|scope| {
        work(&mut PackAhead {
            scope,
            worker: None,
        })
    })
}

/// Runs `work` with a [`PackAhead`] that leaves every entry to the
/// archive: WebAssembly has one thread.
#[cfg(target_arch = "wasm32")]
pub fn with_pack_ahead<'env, T>(
    work: impl for<'scope> FnOnce(&mut PackAhead<'scope, 'env>) -> T,
) -> T {
    work(&mut PackAhead {
        lifetimes: std::marker::PhantomData,
    })
}

impl<'env> PackAhead<'_, 'env> {
    /// Starts compressing the entry `name`, unless the platform has one
    /// core. The first entry starts the thread.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn add(&mut self, name: String, bytes: &'env [u8]) {
        if thread_count() < 2 {
            return;
        }
        let scope = self.scope;
        let worker = self.worker.get_or_insert_with(|| {
            let (entries, received) = std::sync::mpsc::channel::<(String, &'env [u8])>();
            let thread = scope.spawn(move || {
                let mut compressor = new_compressor();
                // An entry that fails to compress is left to the archive,
                // which reports the failure.
                received
                    .into_iter()
                    .filter_map(|(name, bytes)| {
                        let packed =
                            pack(Cow::Borrowed(bytes), METHOD_DEFLATED, &mut compressor).ok()?;
                        Some((name, packed))
                    })
                    .collect()
            });
            AheadWorker { entries, thread }
        });
        // A thread that stopped leaves the entry to the archive.
        let _ = worker.entries.send((name, bytes));
    }

    /// Does nothing: WebAssembly has one thread.
    #[cfg(target_arch = "wasm32")]
    pub fn add(&mut self, _name: String, _bytes: &'env [u8]) {}

    /// Waits for the entries sent so far to be compressed, and takes them.
    pub fn finish(&mut self) -> PackedAhead<'env> {
        #[cfg(not(target_arch = "wasm32"))]
        if let Some(AheadWorker { entries, thread }) = self.worker.take() {
            drop(entries);
            // A thread that panicked leaves every entry to the archive.
            return PackedAhead {
                by_name: thread.join().unwrap_or_default(),
            };
        }
        PackedAhead::default()
    }
}

/// The entries a [`PackAhead`] compressed, by name.
#[derive(Default)]
pub struct PackedAhead<'a> {
    by_name: HashMap<String, Packed<'a>>,
}

impl<'a> PackedAhead<'a> {
    /// Takes the entry `name` if it was compressed from the same bytes,
    /// which a target's changes to the book may have replaced since.
    fn take(&mut self, name: &str, bytes: &[u8]) -> Option<Packed<'a>> {
        let packed = self.by_name.remove(name)?;
        (packed.uncompressed_size == bytes.len() && packed.crc == crc32fast::hash(bytes))
            .then_some(packed)
    }
}

/// The entries the page's worker deflated for its last book, kept for the
/// next (see [`crate::memo`]). Stored entries are not kept: storing costs
/// no more than comparing. Natively nothing is kept.
#[cfg(target_arch = "wasm32")]
mod memoized {
    use std::borrow::Cow;
    use std::cell::RefCell;

    use super::{METHOD_DEFLATED, Packed};
    use crate::memo::{LIMIT, Memo};

    thread_local! {
        static DEFLATED: RefCell<Memo<(u32, Vec<u8>)>> = RefCell::new(Memo::new(LIMIT));
    }

    /// Returns entry `name` as deflated before, if it had these bytes.
    pub(super) fn take<'a>(name: &str, bytes: &[u8]) -> Option<Packed<'a>> {
        DEFLATED.with_borrow_mut(|memo| {
            let (crc, data) = memo.get(name, bytes)?;
            Some(Packed {
                method: METHOD_DEFLATED,
                crc: *crc,
                uncompressed_size: bytes.len(),
                data: Cow::Owned(data.clone()),
            })
        })
    }

    /// Keeps entry `name` as packed from `bytes`, when it was deflated.
    pub(super) fn keep(name: &str, bytes: &[u8], packed: &Packed) {
        if packed.method == METHOD_DEFLATED {
            DEFLATED.with_borrow_mut(|memo| {
                memo.keep(name, bytes, (packed.crc, packed.data.to_vec()));
            });
        }
    }

    /// Drops the entries the archive just written did not have.
    pub(super) fn finish_round() {
        DEFLATED.with_borrow_mut(|memo| memo.finish_round());
    }
}

/// Natively each process makes one book, so nothing is kept.
#[cfg(not(target_arch = "wasm32"))]
mod memoized {
    use super::Packed;

    pub(super) fn take<'a>(_name: &str, _bytes: &[u8]) -> Option<Packed<'a>> {
        None
    }

    pub(super) fn keep(_name: &str, _bytes: &[u8], _packed: &Packed) {}

    pub(super) fn finish_round() {}
}

/// Returns a raw deflate compressor (no zlib header, as zip expects).
fn new_compressor() -> Compress {
    Compress::new(Compression::new(DEFLATE_LEVEL), false)
}

/// Compressors that threads hand back when they end, for the threads of
/// the next batch. Each has about 380 KB of tables, which a new one
/// would allocate and fault in again.
#[derive(Default)]
struct CompressorPool {
    idle: Mutex<Vec<Compress>>,
}

impl CompressorPool {
    /// Takes an idle compressor, or makes one.
    fn take(&self) -> PooledCompressor<'_> {
        let idle = lock(&self.idle).pop();
        PooledCompressor {
            pool: self,
            compressor: Some(idle.unwrap_or_else(new_compressor)),
        }
    }
}

/// A compressor that goes back to its pool when dropped.
struct PooledCompressor<'p> {
    pool: &'p CompressorPool,
    compressor: Option<Compress>,
}

impl std::ops::Deref for PooledCompressor<'_> {
    type Target = Compress;

    fn deref(&self) -> &Compress {
        self.compressor.as_ref().expect("held until dropped")
    }
}

impl std::ops::DerefMut for PooledCompressor<'_> {
    fn deref_mut(&mut self) -> &mut Compress {
        self.compressor.as_mut().expect("held until dropped")
    }
}

impl Drop for PooledCompressor<'_> {
    fn drop(&mut self) {
        if let Some(compressor) = self.compressor.take() {
            lock(&self.pool.idle).push(compressor);
        }
    }
}

/// Compresses one entry with `method`. A deflated entry that would not be
/// smaller, such as a JPEG, is stored instead, and so is a large one whose
/// middle part shrinks too little (see [`PROBE_BYTES`]).
fn pack<'a>(
    bytes: Cow<'a, [u8]>,
    method: u16,
    compressor: &mut Compress,
) -> Result<Packed<'a>, Error> {
    let crc = crc32fast::hash(&bytes);
    let stored = |bytes: Cow<'a, [u8]>| Packed {
        method: METHOD_STORED,
        crc,
        uncompressed_size: bytes.len(),
        data: bytes,
    };
    if method == METHOD_STORED || bytes.is_empty() {
        return Ok(stored(bytes));
    }
    let mut level = DEFLATE_LEVEL;
    if bytes.len() > PROBE_MIN_ENTRY {
        let part = middle(&bytes, PROBE_BYTES);
        let probed = deflate(part, compressor)?.len();
        if probed * PROBE_MIN_SAVING >= part.len() * (PROBE_MIN_SAVING - 1) {
            return Ok(stored(bytes));
        }
        if probed * 2 > part.len() {
            level = ENCODED_LEVEL;
        }
    }
    let data = deflate_at(&bytes, level, compressor)?;
    if data.len() >= bytes.len() {
        return Ok(stored(bytes));
    }
    Ok(Packed {
        method: METHOD_DEFLATED,
        crc,
        uncompressed_size: bytes.len(),
        data: Cow::Owned(data),
    })
}

/// Deflates `bytes` at `level`, leaving `compressor` at [`DEFLATE_LEVEL`].
fn deflate_at(bytes: &[u8], level: u32, compressor: &mut Compress) -> Result<Vec<u8>, Error> {
    if level == DEFLATE_LEVEL {
        return deflate(bytes, compressor);
    }
    let set_level = |compressor: &mut Compress, level: u32| {
        // Right after a reset nothing is pending, so the level changes at once.
        compressor.reset();
        compressor
            .set_level(Compression::new(level))
            .map_err(|error| Error::Zip {
                reason: format!("deflate failed: {error}"),
            })
    };
    set_level(compressor, level)?;
    let data = deflate(bytes, compressor);
    set_level(compressor, DEFLATE_LEVEL)?;
    data
}

/// Returns the `length` bytes at the middle of `bytes`, which must have at
/// least that many.
fn middle(bytes: &[u8], length: usize) -> &[u8] {
    let start = (bytes.len() - length) / 2;
    &bytes[start..start + length]
}

/// Deflates `bytes` as one whole stream.
fn deflate(bytes: &[u8], compressor: &mut Compress) -> Result<Vec<u8>, Error> {
    compressor.reset();
    // Text usually shrinks to about a third, so the buffer starts there and
    // grows when deflate needs more.
    let mut data = Vec::with_capacity(bytes.len() / 3 + 64);
    loop {
        let consumed = compressor.total_in() as usize;
        let status = compressor
            .compress_vec(&bytes[consumed..], &mut data, FlushCompress::Finish)
            .map_err(|error| Error::Zip {
                reason: format!("deflate failed: {error}"),
            })?;
        match status {
            Status::StreamEnd => {
                // The entry is kept until the archive is written, so room
                // left over would count towards the peak for that long.
                if data.capacity() - data.len() > data.len() / 16 {
                    data.shrink_to_fit();
                }
                return Ok(data);
            }
            Status::Ok | Status::BufError => {
                // The rest is estimated to shrink as the part so far did,
                // instead of doubling the buffer: an image that barely
                // shrinks would otherwise take up to twice its size.
                let consumed = compressor.total_in() as usize;
                let left = bytes.len() - consumed;
                let estimate = (left as f64 * data.len() as f64 / consumed.max(1) as f64) as usize;
                data.reserve(estimate.max(1024) + 1024);
            }
        }
    }
}

fn write_local_header(out: &mut Vec<u8>, name: &str, entry: &Packed) -> Result<(), Error> {
    put_u32(out, LOCAL_HEADER);
    put_u16(out, VERSION_NEEDED);
    put_u16(out, name_flags(name));
    put_u16(out, entry.method);
    put_u16(out, DOS_TIME);
    put_u16(out, DOS_DATE);
    put_u32(out, entry.crc);
    put_u32(out, to_u32(entry.data.len(), name)?);
    put_u32(out, to_u32(entry.uncompressed_size, name)?);
    put_u16(out, name_length(name)?);
    put_u16(out, 0); // extra field length
    out.extend_from_slice(name.as_bytes());
    Ok(())
}

fn write_central_header(
    out: &mut Vec<u8>,
    name: &str,
    entry: &Packed,
    offset: usize,
) -> Result<(), Error> {
    put_u32(out, CENTRAL_HEADER);
    put_u16(out, VERSION_MADE_BY);
    put_u16(out, VERSION_NEEDED);
    put_u16(out, name_flags(name));
    put_u16(out, entry.method);
    put_u16(out, DOS_TIME);
    put_u16(out, DOS_DATE);
    put_u32(out, entry.crc);
    put_u32(out, to_u32(entry.data.len(), name)?);
    put_u32(out, to_u32(entry.uncompressed_size, name)?);
    put_u16(out, name_length(name)?);
    put_u16(out, 0); // extra field length
    put_u16(out, 0); // comment length
    put_u16(out, 0); // disk number
    put_u16(out, 0); // internal attributes
    put_u32(out, EXTERNAL_ATTRIBUTES);
    put_u32(out, to_u32(offset, name)?);
    out.extend_from_slice(name.as_bytes());
    Ok(())
}

/// Writes the end of central directory record, preceded by the zip64 end
/// record and its locator when the entries do not fit its 16-bit count.
fn write_end_records(
    out: &mut Vec<u8>,
    count: usize,
    central_size: usize,
    central_offset: usize,
) -> Result<(), Error> {
    let central_size_u32 = to_u32(central_size, "the central directory")?;
    let central_offset_u32 = to_u32(central_offset, "the central directory")?;
    let count_u16 = match u16::try_from(count) {
        Ok(count) if count < u16::MAX => count,
        _ => {
            let zip64_offset = out.len() as u64;
            put_u32(out, ZIP64_END_OF_CENTRAL_DIRECTORY);
            put_u64(out, 44); // size of the rest of this record
            put_u16(out, VERSION_MADE_BY);
            put_u16(out, VERSION_NEEDED_ZIP64);
            put_u32(out, 0); // this disk
            put_u32(out, 0); // disk with the central directory
            put_u64(out, count as u64); // entries on this disk
            put_u64(out, count as u64); // entries in all
            put_u64(out, central_size as u64);
            put_u64(out, central_offset as u64);
            put_u32(out, ZIP64_LOCATOR);
            put_u32(out, 0); // disk with the zip64 end record
            put_u64(out, zip64_offset);
            put_u32(out, 1); // disks in all
            u16::MAX
        }
    };
    put_u32(out, END_OF_CENTRAL_DIRECTORY);
    put_u16(out, 0); // this disk
    put_u16(out, 0); // disk with the central directory
    put_u16(out, count_u16);
    put_u16(out, count_u16);
    put_u32(out, central_size_u32);
    put_u32(out, central_offset_u32);
    put_u16(out, 0); // comment length
    Ok(())
}

fn name_flags(name: &str) -> u16 {
    if name.is_ascii() { 0 } else { UTF8_NAME }
}

fn name_length(name: &str) -> Result<u16, Error> {
    u16::try_from(name.len()).map_err(|_| Error::Zip {
        reason: format!("the file name {name} is longer than the 65,535 bytes a zip allows"),
    })
}

/// Converts a size or offset for a 32-bit field. Quire writes no zip64
/// sizes, so a book past 4 GiB is rejected instead.
fn to_u32(value: usize, what: &str) -> Result<u32, Error> {
    u32::try_from(value).map_err(|_| Error::Zip {
        reason: format!(
            "{what} would end past 4 GiB in the EPUB, more than an EPUB zip can hold; split the book"
        ),
    })
}

fn put_u16(out: &mut Vec<u8>, value: u16) {
    out.extend_from_slice(&value.to_le_bytes());
}

fn put_u32(out: &mut Vec<u8>, value: u32) {
    out.extend_from_slice(&value.to_le_bytes());
}

fn put_u64(out: &mut Vec<u8>, value: u64) {
    out.extend_from_slice(&value.to_le_bytes());
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Read};

    use super::*;

    fn read_back(archive: &[u8]) -> Vec<(String, zip::CompressionMethod, Vec<u8>)> {
        let mut zip = zip::ZipArchive::new(Cursor::new(archive)).expect("a readable zip");
        (0..zip.len())
            .map(|index| {
                let mut file = zip.by_index(index).expect("an entry");
                let mut bytes = Vec::new();
                file.read_to_end(&mut bytes)
                    .expect("the entry decompresses");
                let name = file.name().expect("a UTF-8 name").to_string();
                (name, file.compression(), bytes)
            })
            .collect()
    }

    #[test]
    fn entries_read_back_in_order() {
        let text = "<p>Some text that repeats. </p>".repeat(1000).into_bytes();
        // xorshift64 bytes, which deflate cannot shrink.
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let noise: Vec<u8> = (0..5000)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 56) as u8
            })
            .collect();
        let entries = vec![
            ("EPUB/text/a.xhtml".to_string(), text.clone()),
            ("EPUB/images/noise.jpg".to_string(), noise.clone()),
            ("EPUB/text/é.xhtml".to_string(), b"x".to_vec()),
            ("EPUB/empty.css".to_string(), Vec::new()),
        ];
        let archive = write_zip(&entries).expect("zip written");
        let read = read_back(&archive);

        assert_eq!(read.len(), 5);
        assert_eq!(read[0].0, "mimetype");
        assert_eq!(read[0].1, zip::CompressionMethod::Stored);
        assert_eq!(read[0].2, b"application/epub+zip");
        for ((name, bytes), (read_name, _, read_bytes)) in entries.iter().zip(&read[1..]) {
            assert_eq!(name, read_name);
            assert_eq!(bytes, read_bytes);
        }
        assert_eq!(read[1].1, zip::CompressionMethod::Deflated);
        // Bytes that do not compress are stored rather than grown.
        assert_eq!(read[2].1, zip::CompressionMethod::Stored);
    }

    #[test]
    fn mimetype_starts_the_archive() {
        let archive = write_zip::<Vec<u8>>(&[]).expect("zip written");
        // The OCF's magic: the name at byte 30, the media type right after.
        assert_eq!(&archive[30..38], b"mimetype");
        assert_eq!(&archive[38..58], b"application/epub+zip");
    }

    #[test]
    fn archive_has_no_comment_or_extra_fields() {
        let archive = write_zip(&[("a.txt".to_string(), b"hello".to_vec())]).expect("zip written");
        // The end record is the last 22 bytes when there is no comment.
        let end = &archive[archive.len() - 22..];
        assert_eq!(&end[..4], &END_OF_CENTRAL_DIRECTORY.to_le_bytes());
        assert_eq!(&end[20..], &[0, 0]);
        // Extra field length of the first local header.
        assert_eq!(&archive[28..30], &[0, 0]);
    }

    #[test]
    fn entries_packed_ahead_give_the_same_archive() {
        let text = "<p>Some text that deflate shrinks.</p>\n".repeat(2000);
        let entries = vec![
            ("EPUB/a.xhtml".to_string(), text.clone().into_bytes()),
            ("EPUB/images/b.png".to_string(), vec![7u8; 50_000]),
        ];
        let packed = with_pack_ahead(|ahead| {
            for (name, bytes) in &entries {
                ahead.add(name.clone(), bytes);
            }
            ahead.finish()
        });
        if thread_count() >= 2 {
            assert_eq!(packed.by_name.len(), 2, "both entries were packed ahead");
        }
        assert_eq!(
            write_zip_with(&entries, packed).expect("zip"),
            write_zip(&entries).expect("zip")
        );
    }

    #[test]
    fn stale_packed_entry_packed_again() {
        let entries = vec![("EPUB/a.xhtml".to_string(), b"<p>new text</p>".repeat(500))];
        let old_text = b"<p>old text</p>".repeat(500);
        let packed = with_pack_ahead(|ahead| {
            ahead.add("EPUB/a.xhtml".to_string(), &old_text);
            ahead.finish()
        });
        assert_eq!(
            write_zip_with(&entries, packed).expect("zip"),
            write_zip(&entries).expect("zip")
        );
        // `take` itself turns down an entry packed from other bytes.
        let mut stale = PackedAhead::default();
        let mut compressor = new_compressor();
        let old = pack(Cow::Borrowed(&old_text), METHOD_DEFLATED, &mut compressor).expect("packs");
        stale.by_name.insert("EPUB/a.xhtml".to_string(), old);
        assert!(stale.take("EPUB/a.xhtml", &entries[0].1).is_none());
    }

    #[test]
    fn large_book_compresses_the_same_on_threads() {
        // Over the parallel threshold, with entries of different sizes.
        let entries: Vec<(String, Vec<u8>)> = (0..300)
            .map(|i| {
                let text = format!("<p>chapter {i} line</p>\n").repeat(50 + i * 3);
                (format!("EPUB/text/c{i}.xhtml"), text.into_bytes())
            })
            .collect();
        let threaded = write_zip(&entries).expect("zip written");
        let sequential: Vec<Vec<u8>> = {
            let mut compressor = new_compressor();
            entries
                .iter()
                .map(|(_, bytes)| {
                    pack(Cow::Borrowed(bytes), METHOD_DEFLATED, &mut compressor)
                        .expect("packed")
                        .data
                        .into_owned()
                })
                .collect()
        };
        let read = read_back(&threaded);
        assert_eq!(read.len(), entries.len() + 1);
        for ((name, bytes), (read_name, _, read_bytes)) in entries.iter().zip(&read[1..]) {
            assert_eq!(name, read_name);
            assert_eq!(bytes, read_bytes);
        }
        let contents: Vec<&[u8]> = entries.iter().map(|(_, bytes)| bytes.as_slice()).collect();
        let threaded_data: Vec<Vec<u8>> =
            map_in_order(&contents, true, new_compressor, |compressor, bytes| {
                let packed = pack(Cow::Borrowed(*bytes), METHOD_DEFLATED, compressor);
                packed.expect("packed").data.into_owned()
            });
        assert_eq!(threaded_data, sequential);
    }

    /// Bytes that deflate cannot shrink, from a xorshift generator.
    fn noise(length: usize) -> Vec<u8> {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        (0..length)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state.to_le_bytes()[0]
            })
            .collect()
    }

    #[test]
    fn deflated_entry_keeps_little_room() {
        // Noise grows a little when deflated, text shrinks to a fraction:
        // neither should keep much more room than its bytes.
        let text = "<p>Some text that deflate shrinks.</p>\n"
            .repeat(5000)
            .into_bytes();
        for bytes in [noise(300_000), text] {
            let data = deflate(&bytes, &mut new_compressor()).expect("deflated");
            assert!(
                data.capacity() - data.len() <= data.len() / 16,
                "{} bytes in room for {}",
                data.len(),
                data.capacity()
            );
        }
    }

    #[test]
    fn one_batch_archive_exact_size() {
        // Entries that deflate cannot shrink, far more than the third of
        // their size that text would take.
        let entries: Vec<(String, Vec<u8>)> = (0..3)
            .map(|index| (format!("EPUB/images/{index}.png"), noise(100_000 + index)))
            .collect();
        let archive = write_zip(&entries).expect("zip written");
        assert!(archive.len() > 300_000);
        // The central directory and end record are reserved from an upper
        // bound of their size.
        assert!(
            archive.capacity() - archive.len() <= 256,
            "{} bytes in room for {}",
            archive.len(),
            archive.capacity()
        );
    }

    #[test]
    fn incompressible_middle_stores_entry() {
        // Deflate would shrink the whole to about a fifth, but its middle,
        // like a photo's pixel data, does not shrink.
        let text = |length| std::iter::repeat_n(b'a', length);
        let mut bytes: Vec<u8> = text(2 * PROBE_BYTES).collect();
        bytes.extend(noise(PROBE_BYTES));
        bytes.extend(text(2 * PROBE_BYTES));
        let packed = pack(
            Cow::Borrowed(&bytes),
            METHOD_DEFLATED,
            &mut new_compressor(),
        )
        .expect("packs");
        assert_eq!(packed.method, METHOD_STORED);
        assert!(
            matches!(packed.data, Cow::Borrowed(_)),
            "a stored entry borrows its bytes"
        );
        assert_eq!(packed.crc, crc32fast::hash(&bytes));

        // With the noise at the start instead, the entry is deflated.
        let mut moved = noise(PROBE_BYTES);
        moved.extend(text(4 * PROBE_BYTES));
        let packed = pack(
            Cow::Borrowed(&moved),
            METHOD_DEFLATED,
            &mut new_compressor(),
        )
        .expect("packs");
        assert_eq!(packed.method, METHOD_DEFLATED);
        assert!(packed.data.len() < moved.len() / 2);
    }

    #[test]
    fn encoded_entry_deflates_at_level_one() {
        // Noise with every second byte zero shrinks by about a third, as
        // the pixels of a weakly compressed PNG shrink by a quarter:
        // encoded data, unlike text.
        let mut bytes = noise(PROBE_MIN_ENTRY * 2);
        for byte in bytes.iter_mut().step_by(2) {
            *byte = 0;
        }
        let mut compressor = new_compressor();
        let packed = pack(Cow::Borrowed(&bytes), METHOD_DEFLATED, &mut compressor).expect("packs");
        assert_eq!(packed.method, METHOD_DEFLATED);
        let level_one = deflate_at(&bytes, ENCODED_LEVEL, &mut new_compressor()).expect("deflated");
        let level_two = deflate(&bytes, &mut new_compressor()).expect("deflated");
        assert_ne!(level_one, level_two);
        assert_eq!(packed.data, level_one);

        // Text after it, with the same compressor, is deflated at the
        // usual level again.
        let text = "<p>Some text that deflate shrinks.</p>\n".repeat(5000);
        let packed = pack(
            Cow::Borrowed(text.as_bytes()),
            METHOD_DEFLATED,
            &mut compressor,
        )
        .expect("packs");
        let fresh = deflate(text.as_bytes(), &mut new_compressor()).expect("deflated");
        assert_eq!(packed.data, fresh);
    }

    #[test]
    fn small_entry_skips_probe() {
        // Up to the probe's minimum, only the whole entry's result counts:
        // this one shrinks though its middle does not.
        let text = |length| std::iter::repeat_n(b'a', length);
        let mut bytes: Vec<u8> = text(PROBE_BYTES).collect();
        bytes.extend(noise(PROBE_BYTES));
        bytes.extend(text(PROBE_MIN_ENTRY - bytes.len()));
        let packed = pack(
            Cow::Borrowed(&bytes),
            METHOD_DEFLATED,
            &mut new_compressor(),
        )
        .expect("packs");
        assert_eq!(packed.method, METHOD_DEFLATED);

        let noise_only = noise(PROBE_BYTES);
        let packed = pack(
            Cow::Borrowed(&noise_only),
            METHOD_DEFLATED,
            &mut new_compressor(),
        )
        .expect("packs");
        assert_eq!(packed.method, METHOD_STORED);
    }

    #[test]
    fn batches_keep_order_and_size() {
        let entry = |size: usize| (format!("f{size}"), Cow::Owned(vec![0u8; size]));
        let entries: Entries = vec![entry(3), entry(4), entry(10), entry(2), entry(2), entry(1)];
        let sizes: Vec<Vec<usize>> = batches(&entries, 8)
            .into_iter()
            .map(|batch| {
                entries[batch]
                    .iter()
                    .map(|(_, bytes)| bytes.len())
                    .collect()
            })
            .collect();
        // The entry over the limit goes alone; the others fill up to it.
        assert_eq!(sizes, [vec![3, 4], vec![10], vec![2, 2, 1]]);
        assert!(batches(&Vec::new(), 8).is_empty());
    }

    #[test]
    fn archive_made_in_batches_reads_back() {
        // More than one batch of entries that do not compress.
        let mut state = 1u32;
        let mut noise = |size: usize| -> Vec<u8> {
            (0..size)
                .map(|_| {
                    state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                    (state >> 24) as u8
                })
                .collect()
        };
        let entries: Vec<(String, Vec<u8>)> = (0..5)
            .map(|i| {
                (
                    format!("EPUB/images/i{i}.png"),
                    noise(PACK_BATCH_BYTES / 2 + 1),
                )
            })
            .collect();
        let read = read_back(&write_zip(&entries).expect("zip written"));
        assert_eq!(read.len(), entries.len() + 1);
        for ((name, bytes), (read_name, _, read_bytes)) in entries.iter().zip(&read[1..]) {
            assert_eq!(name, read_name);
            assert_eq!(bytes, read_bytes);
        }
    }

    #[test]
    fn inspected_entries_are_freed_and_the_rest_kept() {
        // Documents over several batches, and a stylesheet between them.
        let document = |i: usize| -> (String, Cow<'static, [u8]>) {
            let text = format!("<p>Chapter {i}. </p>").repeat(PACK_BATCH_BYTES / 40);
            (
                format!("EPUB/text/c{i}.xhtml"),
                Cow::Owned(text.into_bytes()),
            )
        };
        let style = ("EPUB/style.css".to_string(), Cow::Borrowed(&b"p { }"[..]));
        let entries: Entries = vec![document(0), document(1), style.clone(), document(2)];
        let expected: Vec<(String, Vec<u8>)> = entries
            .iter()
            .map(|(name, bytes)| (name.clone(), bytes.to_vec()))
            .collect();

        let written = write_zip_inspecting(entries, PackedAhead::default(), |name, bytes| {
            name.ends_with(".xhtml").then(|| crc32fast::hash(bytes))
        })
        .expect("zip written");

        assert_eq!(written.not_inspected, [style]);
        let inspected: Vec<&str> = written
            .inspected
            .iter()
            .map(|(name, _)| name.as_str())
            .collect();
        assert_eq!(
            inspected,
            [
                "EPUB/text/c0.xhtml",
                "EPUB/text/c1.xhtml",
                "EPUB/text/c2.xhtml"
            ]
        );
        // Each document was shown whole, and the archive has it all.
        let read = read_back(&written.epub);
        for ((name, crc), (read_name, _, read_bytes)) in written
            .inspected
            .iter()
            .zip(read.iter().filter(|(name, _, _)| name.ends_with(".xhtml")))
        {
            assert_eq!(name, read_name);
            assert_eq!(*crc, crc32fast::hash(read_bytes));
        }
        let read: Vec<(String, Vec<u8>)> = read
            .into_iter()
            .skip(1)
            .map(|(name, _, bytes)| (name, bytes))
            .collect();
        assert_eq!(read, expected);
    }

    #[test]
    fn many_entries_use_zip64_count() {
        let entries: Vec<(String, Vec<u8>)> =
            (0..70_000).map(|i| (format!("f{i}"), Vec::new())).collect();
        let archive = write_zip(&entries).expect("zip written");
        let zip = zip::ZipArchive::new(Cursor::new(&archive)).expect("a readable zip");
        assert_eq!(zip.len(), 70_001);
    }
}
