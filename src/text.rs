//! Turning a file's bytes into text that can go into XML.

use std::borrow::Cow;

use crate::error::{Error, Warning, Warnings};
use crate::xml::is_xml_char;

/// Decodes `bytes` as UTF-8, dropping a byte order mark. UTF-16 with a byte
/// order mark is decoded too, with a warning, because the mark makes that
/// reliable. Anything else that is not UTF-8 is an error naming the file.
pub fn decode<'a>(
    path: &str,
    bytes: &'a [u8],
    warnings: &mut Warnings,
) -> Result<Cow<'a, str>, Error> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return decode_utf8(path, rest);
    }

    let utf16 = match bytes {
        [0xFF, 0xFE, rest @ ..] => Some((rest, u16::from_le_bytes as fn([u8; 2]) -> u16)),
        [0xFE, 0xFF, rest @ ..] => Some((rest, u16::from_be_bytes as fn([u8; 2]) -> u16)),
        _ => None,
    };
    if let Some((rest, to_unit)) = utf16 {
        let units = rest.chunks_exact(2).map(|pair| to_unit([pair[0], pair[1]]));
        let text: String = char::decode_utf16(units)
            .map(|unit| unit.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect();
        warnings.push(Warning::new(
            path,
            None,
            "file is UTF-16; Quire decoded it, but save it as UTF-8 to be sure of the result",
        ));
        return Ok(Cow::Owned(text));
    }

    decode_utf8(path, bytes)
}

/// Borrows `bytes` as text, so a chapter's text is not copied.
fn decode_utf8<'a>(path: &str, bytes: &'a [u8]) -> Result<Cow<'a, str>, Error> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(Cow::Borrowed(text)),
        Err(error) => Err(Error::NotUtf8 {
            path: path.to_string(),
            offset: error.valid_up_to(),
        }),
    }
}

/// The base letter of each character from U+00C0 to U+017F (Latin-1
/// Supplement and Latin Extended-A) without its accent. `-` marks the
/// signs × and ÷, and `*` the letters written with two ASCII letters.
const LATIN_BASES: &str = concat!(
    "AAAAAA*CEEEEIIIIDNOOOOO-OUUUUY**",
    "aaaaaa*ceeeeiiiidnooooo-ouuuuy*y",
    "AaAaAaCcCcCcCcDdDdEeEeEeEeEeGgGgGgGgHhHhIiIiIiIiIi**JjKkk",
    "LlLlLlLlLlNnNnNnnNnOoOoOo**RrRrRrSsSsSsSsTtTtTtUuUuUuUuUuUuWwYyYZzZzZzs",
);

/// Returns the ASCII letters a Latin letter is written with when its accent
/// is dropped, such as `u` for `ü` and `ss` for `ß`: the letters from
/// U+00C0 to U+017F and Romanian's `ș` and `ț`, which cover most European
/// languages. Returns `None` for any other character, ASCII included.
pub fn latin_base(c: char) -> Option<&'static str> {
    let outside_table = match c {
        'Æ' => "AE",
        'æ' => "ae",
        'Þ' => "TH",
        'þ' => "th",
        'ß' => "ss",
        'Ĳ' => "IJ",
        'ĳ' => "ij",
        'Œ' => "OE",
        'œ' => "oe",
        'Ș' => "S",
        'ș' => "s",
        'Ț' => "T",
        'ț' => "t",
        _ => "",
    };
    if !outside_table.is_empty() {
        return Some(outside_table);
    }
    let index = usize::try_from(u32::from(c).checked_sub(0xC0)?).ok()?;
    let base = LATIN_BASES.get(index..index + 1)?;
    (base != "-").then_some(base)
}

/// Reports whether `c` is a combining accent (U+0300 to U+036F), which a
/// decomposed name (NFD, as older macOS disks store names) writes after
/// its base letter.
pub fn is_combining_accent(c: char) -> bool {
    ('\u{300}'..='\u{36F}').contains(&c)
}

/// Returns a hint for a file not found at `path` when the path has
/// accents, which a file's name may spell in the other Unicode form
/// (composed or decomposed) than the link, or an empty string.
pub fn accent_form_hint(path: &str) -> &'static str {
    let accented = path
        .chars()
        .any(|c| latin_base(c).is_some() || is_combining_accent(c));
    if accented {
        ". If the file is there, its name may write the accents in the other Unicode form (macOS disks and zip tools may store them decomposed): rename the file or retype the link"
    } else {
        ""
    }
}

/// Removes the characters XML 1.0 forbids (most C0 controls, U+FFFE and
/// U+FFFF), with one warning a file that gives how many and where the first was.
pub fn remove_forbidden_chars<'a>(
    path: &str,
    text: Cow<'a, str>,
    warnings: &mut Warnings,
) -> Cow<'a, str> {
    if !may_have_forbidden_chars(text.as_bytes()) {
        return text;
    }

    let mut cleaned = String::with_capacity(text.len());
    let mut removed = 0usize;
    let mut first_line = None;
    let mut line = 1usize;
    for c in text.chars() {
        if is_xml_char(c) {
            cleaned.push(c);
        } else {
            removed += 1;
            first_line.get_or_insert(line);
        }
        if c == '\n' {
            line += 1;
        }
    }
    warnings.push(Warning::new(
        path,
        first_line,
        format!("removed {removed} control character(s) that XML does not allow"),
    ));
    Cow::Owned(cleaned)
}

/// Reports whether `bytes` (UTF-8) may hold a character XML forbids: a C0
/// control other than tab, line feed and carriage return, or U+FFFE or
/// U+FFFF, which UTF-8 writes as EF BF BE and EF BF BF. Looking at bytes
/// instead of decoding characters keeps this check cheap on every chapter.
pub fn may_have_forbidden_chars(bytes: &[u8]) -> bool {
    any_flagged_byte(
        bytes,
        |byte| (byte < 0x20) & (byte != b'\t') & (byte != b'\n') & (byte != b'\r') | (byte == 0xEF),
        |index| {
            bytes[index] != 0xEF
                || matches!(bytes.get(index + 1..index + 3), Some([0xBF, 0xBE | 0xBF]))
        },
    )
}

/// Reports whether `confirm` returns true at any offset of `bytes` whose byte
/// `flag` picks out. `flag` runs on 32 bytes at a time without stopping
/// early, which the compiler turns into vector instructions. So text
/// without a flagged byte costs a fraction of an instruction per byte.
/// `confirm` runs only at the flagged offsets of a block, and `flag` must
/// be a cheap test of the byte alone.
pub fn any_flagged_byte(
    bytes: &[u8],
    flag: impl Fn(u8) -> bool,
    mut confirm: impl FnMut(usize) -> bool,
) -> bool {
    const BLOCK: usize = 32;
    let mut confirm_block = |start: usize, block: &[u8]| {
        (0..block.len()).any(|offset| flag(block[offset]) && confirm(start + offset))
    };
    // WebAssembly without its vector extension runs the test byte by byte,
    // so there a table of the flagged bytes is quicker than the test, once
    // the text is long enough to repay filling the table. Short texts,
    // such as the attributes of raw HTML, are tested directly.
    #[cfg(target_arch = "wasm32")]
    let table: Option<[bool; 256]> =
        (bytes.len() >= 1024).then(|| std::array::from_fn(|byte| flag(byte as u8)));
    #[cfg(target_arch = "wasm32")]
    let flag_fast = |byte: u8| match &table {
        Some(table) => table[usize::from(byte)],
        None => flag(byte),
    };
    #[cfg(not(target_arch = "wasm32"))]
    let flag_fast = &flag;
    let (blocks, rest) = bytes.as_chunks::<BLOCK>();
    for (number, block) in blocks.iter().enumerate() {
        // A block of known length, summed with `|` rather than `||`.
        let flagged = block
            .iter()
            .fold(0u8, |flagged, &byte| flagged | u8::from(flag_fast(byte)));
        if flagged != 0 && confirm_block(number * BLOCK, block) {
            return true;
        }
    }
    confirm_block(bytes.len() - rest.len(), rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_strips_utf8_bom() {
        let mut warnings = Warnings::default();
        let text = decode("a.md", b"\xEF\xBB\xBF# Hi", &mut warnings).unwrap();
        assert_eq!(text, "# Hi");
        assert!(warnings.is_empty());
    }

    #[test]
    fn decode_reads_utf16_with_warning() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "# Grüße".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        let mut warnings = Warnings::default();
        assert_eq!(decode("a.md", &bytes, &mut warnings).unwrap(), "# Grüße");
        assert_eq!(warnings.len(), 1);
    }

    #[test]
    fn decode_rejects_latin1() {
        let mut warnings = Warnings::default();
        let error = decode("notes.md", b"caf\xE9", &mut warnings).unwrap_err();
        assert_eq!(
            error,
            Error::NotUtf8 {
                path: "notes.md".to_string(),
                offset: 3
            }
        );
        assert!(error.to_string().contains("notes.md"));
    }

    #[test]
    fn latin_bases_cover_their_range() {
        assert_eq!(LATIN_BASES.len(), 0x180 - 0xC0);
        assert_eq!(latin_base('É'), Some("E"));
        assert_eq!(latin_base('ü'), Some("u"));
        assert_eq!(latin_base('ß'), Some("ss"));
        assert_eq!(latin_base('Ł'), Some("L"));
        assert_eq!(latin_base('ő'), Some("o"));
        assert_eq!(latin_base('ž'), Some("z"));
        assert_eq!(latin_base('ſ'), Some("s"));
        assert_eq!(latin_base('ș'), Some("s"));
        assert_eq!(latin_base('×'), None);
        assert_eq!(latin_base('a'), None);
        assert_eq!(latin_base('Ə'), None);
        assert_eq!(latin_base('語'), None);
        // Every letter of the range has a base, and each base is ASCII
        // letters in the letter's case.
        for code in 0xC0..0x180 {
            let c = char::from_u32(code).expect("a character");
            match latin_base(c) {
                Some(base) => {
                    assert!(base.chars().all(|b| b.is_ascii_alphabetic()), "{c}");
                    if c.is_uppercase() {
                        assert_eq!(base, base.to_ascii_uppercase(), "{c}");
                    } else {
                        assert_eq!(base, base.to_ascii_lowercase(), "{c}");
                    }
                }
                None => assert!(!c.is_alphabetic(), "{c} has no base"),
            }
        }
    }

    #[test]
    fn accent_hint_only_for_accents() {
        assert!(accent_form_hint("img/Grüße.png").contains("Unicode form"));
        assert!(accent_form_hint("img/Gru\u{308}ße.png").contains("Unicode form"));
        assert_eq!(accent_form_hint("img/photo.png"), "");
        assert_eq!(accent_form_hint("img/写真.png"), "");
    }

    #[test]
    fn forbidden_char_check_matches_xml_rule() {
        // Every character from each interesting range, alone and in text.
        let samples = [
            '\u{0}',
            '\u{8}',
            '\t',
            '\n',
            '\u{b}',
            '\r',
            '\u{1f}',
            ' ',
            'é',
            '\u{d7ff}',
            '\u{e000}',
            '\u{fffd}',
            '\u{fffe}',
            '\u{ffff}',
            '\u{10000}',
            '\u{10ffff}',
        ];
        for c in samples {
            let text = format!("a{c}b");
            assert_eq!(
                may_have_forbidden_chars(text.as_bytes()),
                !is_xml_char(c),
                "U+{:04X}",
                c as u32
            );
        }
        // U+FFFD is EF BF BD, one byte away from the forbidden U+FFFE.
        assert!(!may_have_forbidden_chars("\u{fffd}".as_bytes()));
        assert!(may_have_forbidden_chars("x\u{ffff}".as_bytes()));
        // A forbidden character split across two 64-byte blocks.
        let across = format!("{}\u{fffe}", "a".repeat(63));
        assert!(may_have_forbidden_chars(across.as_bytes()));
        let control_late = format!("{}\u{1}", "a".repeat(200));
        assert!(may_have_forbidden_chars(control_late.as_bytes()));
        assert!(!may_have_forbidden_chars("a\tb\r\n".repeat(100).as_bytes()));
    }

    #[test]
    fn forbidden_chars_removed_with_line() {
        let mut warnings = Warnings::default();
        let text = remove_forbidden_chars("a.md", "one\ntwo\u{1}\u{8}\n".into(), &mut warnings);
        assert_eq!(text, "one\ntwo\n");
        assert_eq!(warnings[0].line, Some(2));
        assert!(warnings[0].message.contains("2 control"));
    }

    #[test]
    fn flagged_bytes_in_every_block() {
        // Lengths around the block size, with the byte at every offset, so
        // the first, last and partial blocks are all covered.
        for length in [1, 31, 32, 33, 64, 65, 100] {
            for at in 0..length {
                let mut bytes = vec![b'a'; length];
                bytes[at] = b'!';
                let mut confirmed = Vec::new();
                let found = any_flagged_byte(
                    &bytes,
                    |byte| byte == b'!',
                    |index| {
                        confirmed.push(index);
                        true
                    },
                );
                assert!(found, "length {length}, at {at}");
                assert_eq!(confirmed, [at]);
            }
            assert!(!any_flagged_byte(
                &vec![b'a'; length],
                |byte| byte == b'!',
                |_| true
            ));
        }
    }

    #[test]
    fn flagged_bytes_confirmed_one_by_one() {
        // The first flagged byte is not confirmed, the second in the same
        // block is.
        let bytes = b"x!y!z";
        let found = any_flagged_byte(bytes, |byte| byte == b'!', |index| index == 3);
        assert!(found);
        assert!(!any_flagged_byte(bytes, |byte| byte == b'!', |_| false));
    }

    #[test]
    fn forbidden_chars_need_the_whole_sequence() {
        assert!(!may_have_forbidden_chars(
            "tab\tand\r\nlines \u{FEFF} \u{FFFD}".as_bytes()
        ));
        assert!(may_have_forbidden_chars("bell \u{7}".as_bytes()));
        assert!(may_have_forbidden_chars(
            &[b'a'; 40]
                .iter()
                .copied()
                .chain([0xEF, 0xBF, 0xBF])
                .collect::<Vec<_>>()
        ));
    }
}
