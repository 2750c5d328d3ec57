//! Covers: the size check of a given cover image.

use crate::error::{Warning, Warnings, megabytes};
use crate::images::{ImageType, pixel_size};

/// The largest cover file, in bytes, that Quire takes without a warning.
pub const MAX_COVER_BYTES: usize = 4 * 1024 * 1024;

/// The maximum width and height of a cover, in pixels, that Quire takes
/// without a warning.
pub const MAX_COVER_SIDE: u32 = 10_000;

/// Warns when a cover image is over [`MAX_COVER_BYTES`] or
/// [`MAX_COVER_SIDE`], or when its pixel size cannot be read from its
/// header. The cover is used all the same.
pub fn check_size(path: &str, bytes: &[u8], image_type: ImageType, warnings: &mut Warnings) {
    if bytes.len() > MAX_COVER_BYTES {
        warnings.push(Warning::new(
            path,
            None,
            format!(
                "cover image is {}, over {}, which some reading systems and stores reject; kept it. Save it smaller (as a JPEG, say) or with fewer pixels",
                megabytes(bytes.len()),
                megabytes(MAX_COVER_BYTES)
            ),
        ));
    }
    if image_type == ImageType::Svg {
        return;
    }
    match pixel_size(bytes, image_type) {
        Some((width, height)) if width.max(height) > MAX_COVER_SIDE => {
            warnings.push(Warning::new(
                path,
                None,
                format!(
                    "cover image is {width} × {height} pixels, over {MAX_COVER_SIDE} pixels a side, which some reading systems and stores reject; kept it. Scale it down (1600 × 2560 is a common cover size)"
                ),
            ));
        }
        Some(_) => {}
        None => warnings.push(Warning::new(
            path,
            None,
            "the width and height of the cover image cannot be read from its header, so it may be damaged; kept it. Open it in an image editor and save it again",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_warnings() {
        let mut warnings = Warnings::default();
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend(10_001u32.to_be_bytes());
        png.extend(2u32.to_be_bytes());
        check_size("big.png", &png, ImageType::Png, &mut warnings);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].message.contains("10001 × 2 pixels"),
            "{}",
            warnings[0].message
        );

        let mut warnings = Warnings::default();
        let mut heavy = png[..16].to_vec();
        heavy.extend(1600u32.to_be_bytes());
        heavy.extend(2560u32.to_be_bytes());
        heavy.resize(MAX_COVER_BYTES + 1, 0);
        check_size("heavy.png", &heavy, ImageType::Png, &mut warnings);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].message.contains("over 4"),
            "{}",
            warnings[0].message
        );

        let mut warnings = Warnings::default();
        let mut fine = png[..16].to_vec();
        fine.extend(1600u32.to_be_bytes());
        fine.extend(2560u32.to_be_bytes());
        check_size("fine.png", &fine, ImageType::Png, &mut warnings);
        assert!(warnings.is_empty(), "{warnings:?}");

        let mut warnings = Warnings::default();
        check_size("cut.jpg", b"\xFF\xD8\xFF", ImageType::Jpeg, &mut warnings);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].message.contains("cannot be read"));
    }
}
