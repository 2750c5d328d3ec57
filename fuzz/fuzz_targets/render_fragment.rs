//! Any text through the XHTML writer and the raw-HTML sanitiser, outside a
//! book: the result is well-formed and safe.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "safety.rs"]
mod safety;

fuzz_target!(|text: &str| {
    let body = quire::render_fragment(text, true);
    let document = format!(
        "<div xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\">{body}</div>"
    );
    safety::assert_safe("fragment", &document);
});
