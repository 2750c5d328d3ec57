//! Results the page's worker keeps from one conversion for the next.
//!
//! An author converts a book in the page, edits a chapter and converts it
//! again. Most entries of the new EPUB are then byte for byte those of the
//! last one, so the worker keeps what it made from each entry: the entry
//! deflated, and the checker's summary of a content document. A kept
//! result is used again only when the entry's bytes equal the kept copy,
//! compared whole, never by a hash, so a book comes out the same with or
//! without it. Natively each run of the command line converts one book,
//! so nothing is kept there.

use std::collections::HashMap;

/// The maximum bytes of entries each memo of the page's worker keeps,
/// besides the results made from them.
#[cfg(target_arch = "wasm32")]
pub(crate) const LIMIT: usize = 32 * 1024 * 1024;

/// Results made from entries, by entry name, each with a copy of the bytes
/// it was made from. Entries not used in a round are dropped when the
/// round ends, so the memo contains only what the latest book needed.
pub(crate) struct Memo<V> {
    entries: HashMap<String, MemoEntry<V>>,
    /// The sum of the entries' byte lengths.
    stored_bytes: usize,
    /// The maximum of `stored_bytes`. An entry that would pass it is not kept.
    limit: usize,
}

struct MemoEntry<V> {
    bytes: Box<[u8]>,
    value: V,
    /// Whether the current round used or kept it.
    used: bool,
}

impl<V> Memo<V> {
    pub(crate) fn new(limit: usize) -> Self {
        Memo {
            entries: HashMap::new(),
            stored_bytes: 0,
            limit,
        }
    }

    /// Returns the result kept for `name` when it was made from exactly
    /// `bytes`.
    pub(crate) fn get(&mut self, name: &str, bytes: &[u8]) -> Option<&V> {
        let kept = self.entries.get_mut(name)?;
        if *kept.bytes != *bytes {
            return None;
        }
        kept.used = true;
        Some(&kept.value)
    }

    /// Keeps `value`, made from `bytes`, as the result for `name`, in place
    /// of any result kept for other bytes, unless the memo would then hold
    /// more than its limit.
    pub(crate) fn keep(&mut self, name: &str, bytes: &[u8], value: V) {
        if let Some(old) = self.entries.remove(name) {
            self.stored_bytes -= old.bytes.len();
        }
        if self.stored_bytes + bytes.len() > self.limit {
            return;
        }
        self.stored_bytes += bytes.len();
        self.entries.insert(
            name.to_string(),
            MemoEntry {
                bytes: bytes.into(),
                value,
                used: true,
            },
        );
    }

    /// Ends a round: drops the results this round neither used nor kept.
    pub(crate) fn finish_round(&mut self) {
        self.entries
            .retain(|_, kept| std::mem::take(&mut kept.used));
        self.stored_bytes = self.entries.values().map(|kept| kept.bytes.len()).sum();
    }
}

#[cfg(test)]
mod tests {
    use super::Memo;

    #[test]
    fn result_only_for_same_bytes() {
        let mut memo = Memo::new(1024);
        memo.keep("a.xhtml", b"first", 1);
        assert_eq!(memo.get("a.xhtml", b"first"), Some(&1));
        assert_eq!(memo.get("a.xhtml", b"firsT"), None);
        assert_eq!(memo.get("a.xhtml", b"first, longer"), None);
        assert_eq!(memo.get("b.xhtml", b"first"), None);
    }

    #[test]
    fn new_bytes_replace_result() {
        let mut memo = Memo::new(1024);
        memo.keep("a.xhtml", b"first", 1);
        memo.keep("a.xhtml", b"second", 2);
        assert_eq!(memo.get("a.xhtml", b"first"), None);
        assert_eq!(memo.get("a.xhtml", b"second"), Some(&2));
        assert_eq!(memo.stored_bytes, 6);
    }

    #[test]
    fn round_drops_unused_entries() {
        let mut memo = Memo::new(1024);
        memo.keep("a.xhtml", b"a", 1);
        memo.keep("b.xhtml", b"b", 2);
        memo.finish_round();
        // The next book has a.xhtml alone.
        assert_eq!(memo.get("a.xhtml", b"a"), Some(&1));
        memo.finish_round();
        assert_eq!(memo.get("a.xhtml", b"a"), Some(&1));
        assert_eq!(memo.get("b.xhtml", b"b"), None);
        assert_eq!(memo.stored_bytes, 1);
    }

    #[test]
    fn entry_past_limit_not_kept() {
        let mut memo = Memo::new(8);
        memo.keep("a.xhtml", b"12345", 1);
        memo.keep("b.xhtml", b"6789", 2);
        assert_eq!(memo.get("a.xhtml", b"12345"), Some(&1));
        assert_eq!(memo.get("b.xhtml", b"6789"), None);
        assert_eq!(memo.stored_bytes, 5);
    }
}
