//! A zip reader for checking, not for extracting: it keeps each entry's raw
//! name, order, compression method and local header as stored, which a
//! general zip library would normalise away (PKWARE APPNOTE 6.3.10,
//! sections 4.3.7, 4.3.12, 4.3.16 and 4.4).

use flate2::{Decompress, FlushDecompress, Status};

const LOCAL_HEADER: u32 = 0x0403_4b50;
const CENTRAL_HEADER: u32 = 0x0201_4b50;
const END_OF_CENTRAL_DIRECTORY: u32 = 0x0605_4b50;
const ZIP64_END_OF_CENTRAL_DIRECTORY: u32 = 0x0606_4b50;
const ZIP64_LOCATOR: u32 = 0x0706_4b50;
const ZIP64_EXTRA_FIELD: u16 = 0x0001;

/// The end record is 22 bytes plus a comment of at most 65,535 bytes.
const MAX_END_RECORD_SEARCH: usize = 22 + 0xFFFF;

pub const METHOD_STORED: u16 = 0;
pub const METHOD_DEFLATED: u16 = 8;

/// General-purpose flag bit 0: the entry is encrypted.
const FLAG_ENCRYPTED: u16 = 1;

/// One entry of the central directory, with the extra field length of its
/// local header.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The name as stored, decoded as UTF-8 (invalid bytes replaced).
    pub name: String,
    pub method: u16,
    pub flags: u16,
    pub crc: u32,
    pub compressed_size: u64,
    pub uncompressed_size: u64,
    /// Length of the extra field in the local header.
    pub local_extra_length: usize,
    /// Length of the extra field in the central directory header.
    pub central_extra_length: usize,
    /// Offset of the entry's data in the archive.
    data_offset: usize,
}

/// A failure to read an archive at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ZipError {
    /// No end of central directory record: not a zip, or cut short.
    NotZip,
    /// A record points past the end of the file or has a wrong signature.
    Corrupt(String),
}

/// A failure to read one entry's bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryError {
    /// The inflated bytes would pass the size budget.
    TooLarge { limit: u64 },
    /// The compression method is neither stored nor deflated, or the entry
    /// is encrypted.
    Unsupported(String),
    /// The data does not inflate or ends early.
    Corrupt(String),
    /// The bytes read back do not match the stored CRC-32.
    CrcMismatch,
}

/// The central directory of an archive, in stored order.
pub struct Archive<'a> {
    bytes: &'a [u8],
    pub entries: Vec<Entry>,
    /// Length of the archive comment in the end of central directory
    /// record.
    pub comment_length: usize,
}

impl<'a> Archive<'a> {
    /// Reads the end record, the central directory and each local header.
    pub fn read(bytes: &'a [u8]) -> Result<Archive<'a>, ZipError> {
        let end = find_end_record(bytes).ok_or(ZipError::NotZip)?;
        let mut count = u64::from(read_u16(bytes, end + 10)?);
        let mut directory_size = u64::from(read_u32(bytes, end + 12)?);
        let mut directory_offset = u64::from(read_u32(bytes, end + 16)?);
        let comment_length = usize::from(read_u16(bytes, end + 20)?);

        let needs_zip64 =
            count == 0xFFFF || directory_size == 0xFFFF_FFFF || directory_offset == 0xFFFF_FFFF;
        if needs_zip64 && end >= 20 && read_u32(bytes, end - 20)? == ZIP64_LOCATOR {
            let record = to_usize(read_u64(bytes, end - 20 + 8)?)?;
            if read_u32(bytes, record)? != ZIP64_END_OF_CENTRAL_DIRECTORY {
                return Err(corrupt("the zip64 end record has a wrong signature"));
            }
            count = read_u64(bytes, record + 32)?;
            directory_size = read_u64(bytes, record + 40)?;
            directory_offset = read_u64(bytes, record + 48)?;
        }

        let start = to_usize(directory_offset)?;
        let directory_end = start
            .checked_add(to_usize(directory_size)?)
            .filter(|&end| end <= bytes.len())
            .ok_or_else(|| corrupt("the central directory ends past the end of the file"))?;
        // Each central header is at least 46 bytes, which bounds the count
        // before anything is allocated for it.
        if count > (directory_end - start) as u64 / 46 {
            return Err(corrupt(
                "the entry count does not fit the central directory's size",
            ));
        }

        let mut entries = Vec::with_capacity(count as usize);
        let mut position = start;
        for _ in 0..count {
            let (entry, next) = read_central_header(bytes, position)?;
            entries.push(entry);
            position = next;
        }
        Ok(Archive {
            bytes,
            entries,
            comment_length,
        })
    }

    /// Returns an entry's bytes, inflated when deflated, after checking the
    /// CRC-32. At most `budget` bytes are produced, whatever the header
    /// claims, so a zip bomb stops early.
    pub fn read_entry(&self, entry: &Entry, budget: u64) -> Result<Vec<u8>, EntryError> {
        if entry.flags & FLAG_ENCRYPTED != 0 {
            return Err(EntryError::Unsupported("it is encrypted".to_string()));
        }
        if entry.uncompressed_size > budget {
            return Err(EntryError::TooLarge { limit: budget });
        }
        let data_end = usize::try_from(entry.compressed_size)
            .ok()
            .and_then(|size| entry.data_offset.checked_add(size))
            .filter(|&end| end <= self.bytes.len())
            .ok_or_else(|| EntryError::Corrupt("its data ends past the end of the file".into()))?;
        let data = &self.bytes[entry.data_offset..data_end];

        let bytes = match entry.method {
            METHOD_STORED => {
                if entry.compressed_size != entry.uncompressed_size {
                    return Err(EntryError::Corrupt(
                        "it is stored, but its compressed and uncompressed sizes differ".into(),
                    ));
                }
                data.to_vec()
            }
            METHOD_DEFLATED => inflate(data, entry.uncompressed_size)?,
            other => {
                return Err(EntryError::Unsupported(format!(
                    "it uses compression method {other}, and EPUB allows only stored (0) or deflated (8)"
                )));
            }
        };
        if crc32fast::hash(&bytes) != entry.crc {
            return Err(EntryError::CrcMismatch);
        }
        Ok(bytes)
    }
}

impl Archive<'_> {
    /// Returns an entry's data as stored, without inflating or checking it.
    pub fn raw_data(&self, entry: &Entry) -> Option<&[u8]> {
        let size = usize::try_from(entry.compressed_size).ok()?;
        self.bytes
            .get(entry.data_offset..entry.data_offset.checked_add(size)?)
    }
}

/// Inflates raw deflate data into exactly `size` bytes; more or fewer is
/// corruption.
fn inflate(data: &[u8], size: u64) -> Result<Vec<u8>, EntryError> {
    let size = usize::try_from(size)
        .map_err(|_| EntryError::Corrupt("its size does not fit in memory".into()))?;
    // One byte more than declared, so output past the declared size shows.
    let mut out = Vec::with_capacity(size + 1);
    let mut inflater = Decompress::new(false);
    loop {
        let consumed = inflater.total_in() as usize;
        let status = inflater
            .decompress_vec(&data[consumed..], &mut out, FlushDecompress::Finish)
            .map_err(|error| EntryError::Corrupt(format!("its data does not inflate: {error}")))?;
        if out.len() > size {
            return Err(EntryError::Corrupt(
                "it inflates to more bytes than its header declares".into(),
            ));
        }
        match status {
            Status::StreamEnd => break,
            Status::Ok | Status::BufError => {
                if inflater.total_in() as usize == consumed && out.len() < out.capacity() {
                    return Err(EntryError::Corrupt("its data ends early".into()));
                }
                if out.len() == out.capacity() {
                    // Room for the one extra byte that proves an overrun.
                    out.reserve(1);
                }
            }
        }
    }
    if out.len() != size {
        return Err(EntryError::Corrupt(format!(
            "it inflates to {} bytes but its header declares {size}",
            out.len()
        )));
    }
    Ok(out)
}

fn find_end_record(bytes: &[u8]) -> Option<usize> {
    if bytes.len() < 22 {
        return None;
    }
    let lowest = bytes.len().saturating_sub(MAX_END_RECORD_SEARCH);
    (lowest..=bytes.len() - 22)
        .rev()
        .find(|&at| bytes[at..at + 4] == END_OF_CENTRAL_DIRECTORY.to_le_bytes())
}

fn read_central_header(bytes: &[u8], at: usize) -> Result<(Entry, usize), ZipError> {
    if read_u32(bytes, at)? != CENTRAL_HEADER {
        return Err(corrupt("a central directory header has a wrong signature"));
    }
    let flags = read_u16(bytes, at + 8)?;
    let method = read_u16(bytes, at + 10)?;
    let crc = read_u32(bytes, at + 16)?;
    let mut compressed_size = u64::from(read_u32(bytes, at + 20)?);
    let mut uncompressed_size = u64::from(read_u32(bytes, at + 24)?);
    let name_length = usize::from(read_u16(bytes, at + 28)?);
    let extra_length = usize::from(read_u16(bytes, at + 30)?);
    let comment_length = usize::from(read_u16(bytes, at + 32)?);
    let mut local_offset = u64::from(read_u32(bytes, at + 42)?);
    let name_bytes = slice(bytes, at + 46, name_length)?;
    let extra = slice(bytes, at + 46 + name_length, extra_length)?;

    // The zip64 extra field holds, in this order, only the values whose
    // 32-bit field is all ones.
    if let Some(mut values) = find_extra(extra, ZIP64_EXTRA_FIELD) {
        let mut next = |value: &mut u64| -> Result<(), ZipError> {
            if *value == 0xFFFF_FFFF {
                *value = read_u64(values, 0)?;
                values = &values[8..];
            }
            Ok(())
        };
        next(&mut uncompressed_size)?;
        next(&mut compressed_size)?;
        next(&mut local_offset)?;
    }

    let local = to_usize(local_offset)?;
    if read_u32(bytes, local)? != LOCAL_HEADER {
        return Err(corrupt(&format!(
            "the local header of {} is missing or has a wrong signature",
            String::from_utf8_lossy(name_bytes)
        )));
    }
    let local_name_length = usize::from(read_u16(bytes, local + 26)?);
    let local_extra_length = usize::from(read_u16(bytes, local + 28)?);
    let data_offset = local + 30 + local_name_length + local_extra_length;

    let entry = Entry {
        name: String::from_utf8_lossy(name_bytes).into_owned(),
        method,
        flags,
        crc,
        compressed_size,
        uncompressed_size,
        local_extra_length,
        central_extra_length: extra_length,
        data_offset,
    };
    let next = at + 46 + name_length + extra_length + comment_length;
    Ok((entry, next))
}

/// Returns the data of the extra field block with `id`, if any.
fn find_extra(mut extra: &[u8], id: u16) -> Option<&[u8]> {
    while extra.len() >= 4 {
        let block_id = u16::from_le_bytes([extra[0], extra[1]]);
        let size = usize::from(u16::from_le_bytes([extra[2], extra[3]]));
        let data = extra.get(4..4 + size)?;
        if block_id == id {
            return Some(data);
        }
        extra = &extra[4 + size..];
    }
    None
}

fn corrupt(what: &str) -> ZipError {
    ZipError::Corrupt(what.to_string())
}

fn slice(bytes: &[u8], at: usize, length: usize) -> Result<&[u8], ZipError> {
    at.checked_add(length)
        .and_then(|end| bytes.get(at..end))
        .ok_or_else(|| corrupt("a header runs past the end of the file"))
}

fn read_u16(bytes: &[u8], at: usize) -> Result<u16, ZipError> {
    let field = slice(bytes, at, 2)?;
    Ok(u16::from_le_bytes([field[0], field[1]]))
}

fn read_u32(bytes: &[u8], at: usize) -> Result<u32, ZipError> {
    let field = slice(bytes, at, 4)?;
    Ok(u32::from_le_bytes(field.try_into().expect("four bytes")))
}

fn read_u64(bytes: &[u8], at: usize) -> Result<u64, ZipError> {
    let field = slice(bytes, at, 8)?;
    Ok(u64::from_le_bytes(field.try_into().expect("eight bytes")))
}

fn to_usize(value: u64) -> Result<usize, ZipError> {
    usize::try_from(value).map_err(|_| corrupt("an offset does not fit in memory"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::epub::write_zip;

    #[test]
    fn quire_archive_reads_back() {
        let text = b"<p>text</p>".repeat(200);
        let archive = write_zip(&[("EPUB/a.xhtml".to_string(), text.clone())]).expect("zip");
        let read = Archive::read(&archive).expect("readable");

        assert_eq!(read.entries.len(), 2);
        assert_eq!(read.entries[0].name, "mimetype");
        assert_eq!(read.entries[0].method, METHOD_STORED);
        assert_eq!(read.entries[1].method, METHOD_DEFLATED);
        let bytes = read
            .read_entry(&read.entries[1], 1 << 20)
            .expect("inflates");
        assert_eq!(bytes, text);
    }

    #[test]
    fn not_a_zip_is_rejected() {
        assert_eq!(
            Archive::read(b"plain text, not a zip").err(),
            Some(ZipError::NotZip)
        );
        assert_eq!(Archive::read(b"").err(), Some(ZipError::NotZip));
    }

    #[test]
    fn truncated_archive_is_rejected() {
        let archive = write_zip(&[("a.txt".to_string(), b"hello".repeat(100))]).expect("zip");
        for cut in [10, archive.len() / 2, archive.len() - 1] {
            assert!(Archive::read(&archive[..cut]).is_err(), "cut at {cut}");
        }
    }

    #[test]
    fn budget_stops_inflation() {
        let archive = write_zip(&[("a.txt".to_string(), vec![b'a'; 100_000])]).expect("zip");
        let read = Archive::read(&archive).expect("readable");
        let error = read.read_entry(&read.entries[1], 1000).unwrap_err();
        assert_eq!(error, EntryError::TooLarge { limit: 1000 });
    }

    #[test]
    fn wrong_crc_is_reported() {
        let mut archive = write_zip(&[("a.txt".to_string(), b"hello".to_vec())]).expect("zip");
        // The last byte of the stored "hello" in the second local header.
        let at = archive
            .windows(5)
            .rposition(|window| window == b"hello")
            .expect("stored data");
        archive[at] = b'j';
        let read = Archive::read(&archive).expect("readable");
        let error = read.read_entry(&read.entries[1], 1000).unwrap_err();
        assert_eq!(error, EntryError::CrcMismatch);
    }
}
