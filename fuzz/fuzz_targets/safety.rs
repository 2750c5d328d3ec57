//! The fuzz targets' assertion: the safety property the tests check, from
//! the one shared checker in tests/common/safety.rs.

#[path = "../../tests/common/safety.rs"]
mod common;

/// Panics, so the fuzzer records a crash, when `xhtml` is not safe.
pub fn assert_safe(name: &str, xhtml: &str) {
    let problems = common::problems(name, xhtml);
    assert!(problems.is_empty(), "{}\n{xhtml}", problems.join("\n"));
}
