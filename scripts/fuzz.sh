#!/usr/bin/env bash
# Runs each fuzz target for a while: the whole conversion and the XHTML
# writer with its raw-HTML sanitiser. Both assert that every content
# document is well-formed XML with no script. A crash is saved under
# fuzz/artifacts/TARGET/; make it a named test in tests/fuzz_regressions.rs.
#
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET]   (default 20)
# Needs the nightly toolchain and cargo-fuzz (scripts/setup.sh installs them).
set -euo pipefail

cd "$(dirname "$0")/.."
seconds=${1:-20}

# The seed corpus: the test books and a few corpus chapters.
for target in convert render_fragment; do
    mkdir -p "fuzz/corpus/$target"
    find tests/books tests/fuzz-regressions -type f -name '*.md' -exec cp {} "fuzz/corpus/$target/" \;
    cp tests/corpus/art-of-command-line/README.md "fuzz/corpus/$target/art-of-command-line.md"
    cp tests/corpus/rust-book/src/ch04-01-what-is-ownership.md "fuzz/corpus/$target/"
done

mkdir -p target/fuzz-logs
for target in convert render_fragment; do
    echo "fuzz: running $target for $seconds s"
    log=target/fuzz-logs/$target.log
    if ! (cd fuzz && cargo +nightly fuzz run "$target" -O -- \
        -max_total_time="$seconds" -rss_limit_mb=4096 -print_final_stats=1) >"$log" 2>&1; then
        tail -n 40 "$log" >&2
        echo "fuzz: $target failed or found a crash; see $log and fuzz/artifacts/$target/" >&2
        exit 1
    fi
    grep -E '^(Done|stat::number_of_executed_units)' "$log" || true
done
