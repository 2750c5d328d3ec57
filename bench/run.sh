#!/usr/bin/env bash
# Runs the whole benchmark: builds the command-line tool and the page,
# installs pandoc 3.9 from PyPI into target/bench/venv on first use, then
# runs bench/run.mjs, which prints the figures and writes
# target/bench/results.json and docs/benchmarks.svg. docs/benchmarks.md
# explains the figures.
#
# Usage: bench/run.sh
#   Settings (environment variables, whole numbers):
#   BENCH_RUNS=5              rounds on the Rust book (Quire 3 runs, each pandoc reader 1)
#   BENCH_SCALE_RUNS=3        runs of Quire on each larger book (pandoc runs once)
#   BENCH_SESSIONS=5          fresh browser profiles, each with one first conversion
#   BENCH_WARM_RUNS=5         conversions after the first in each profile
#   BENCH_PANDOC_TIMEOUT=600  seconds one pandoc run may take
#   BENCH_SIZES=1,10,100      sizes of the larger books, in MB of Markdown
set -euo pipefail

cd "$(dirname "$0")/.."

# pypandoc_binary 1.17 is the release whose wheel carries pandoc 3.9.
PYPANDOC_BINARY_VERSION=1.17
PANDOC_VERSION=3.9
venv=target/bench/venv

for command in node python3 nginx bwrap /usr/bin/time timeout /usr/bin/chromium; do
    if ! command -v "$command" >/dev/null; then
        echo "bench: $command not found; run scripts/setup.sh as root, or install it" >&2
        exit 1
    fi
done
if [[ ! -d tests/e2e/node_modules/playwright-core ]]; then
    echo "bench: tests/e2e/node_modules/playwright-core not found; run: (cd tests/e2e && npm ci)" >&2
    exit 1
fi

echo "bench: building target/cli/quire"
scripts/build-cli.sh

echo "bench: building the page into dist/"
scripts/build-www.sh

if [[ ! -x $venv/bin/pandoc ]]; then
    echo "bench: installing pypandoc_binary==$PYPANDOC_BINARY_VERSION (pandoc $PANDOC_VERSION) into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet "pypandoc_binary==$PYPANDOC_BINARY_VERSION"
    # The wheel keeps the binary inside the package, so link it where the
    # benchmark looks for it.
    ln -sf "$("$venv/bin/python" -c 'import pypandoc; print(pypandoc.get_pandoc_path())')" "$venv/bin/pandoc"
fi
found=$("$venv/bin/pandoc" --version | head -n 1)
if [[ $found != "pandoc $PANDOC_VERSION" ]]; then
    echo "bench: $venv/bin/pandoc is '$found', not pandoc $PANDOC_VERSION; delete $venv and run again" >&2
    exit 1
fi

exec node bench/run.mjs
