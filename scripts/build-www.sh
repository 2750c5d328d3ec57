#!/usr/bin/env bash
# Builds the static site into dist/. It holds the engine compiled to
# WebAssembly twice, each module with its wasm-bindgen glue, the page from
# www/, a build-info.js whose VERSION names the service worker's cache, and
# a .gz beside each text and wasm file for nginx's gzip_static.
#
# pkg/ contains the module the page loads first, built without the `convert`,
# `math`, `highlight` and `checker` features to keep the first download
# small, so it only inspects books. pkg-full/ contains the module with every
# feature, which the worker loads once the service worker has stored it or
# files are chosen, to convert and check books.
#
# Usage: scripts/build-www.sh [--dev]
#   --dev skips wasm-opt and builds the engine without optimisations.
set -euo pipefail

cd "$(dirname "$0")/.."
profile=release
if [[ ${1:-} == --dev ]]; then
    profile=dev
fi

# The wasm-bindgen command must match the wasm-bindgen crate exactly.
crate_version=$(sed -n '/^name = "wasm-bindgen"$/{n;s/^version = "\(.*\)"$/\1/p;}' Cargo.lock)
tool_version=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [[ $tool_version != "$crate_version" ]]; then
    echo "build-www: wasm-bindgen $crate_version is needed (found '${tool_version:-none}'); run scripts/setup.sh or: cargo install wasm-bindgen-cli --version $crate_version" >&2
    exit 1
fi

if [[ $profile == release ]]; then
    # binaryen from npm, pinned in tools/package.json: Debian's wasm-opt 108
    # corrupts the reference-types table wasm-bindgen emits, and the module
    # then fails to start in the browser.
    wasm_opt=tools/node_modules/.bin/wasm-opt
    if [[ ! -x $wasm_opt ]]; then
        echo "build-www: $wasm_opt not found; run scripts/setup.sh or: (cd tools && npm ci)" >&2
        exit 1
    fi
fi

rm -rf dist.tmp
mkdir -p dist.tmp
cp -R www/. dist.tmp/
rm -rf dist.tmp/pkg dist.tmp/pkg-full

# Compiles the engine with the given cargo profile, wasm-opt level and
# feature flags, and writes the module and its glue to dist.tmp/$1. The
# first module is built for size (wasm-release, -Oz); the full one, which
# runs every conversion once loaded, for speed (wasm-full, -O3).
build_module() {
    local out_dir=$1 cargo_profile=$2 opt_level=$3
    shift 3
    echo "build-www: compiling the engine for wasm32-unknown-unknown ($profile, $out_dir: ${*:-default features})"
    local wasm
    if [[ $profile == release ]]; then
        cargo build --profile "$cargo_profile" --lib --target wasm32-unknown-unknown "$@"
        wasm=target/wasm32-unknown-unknown/$cargo_profile/quire.wasm
    else
        cargo build --lib --target wasm32-unknown-unknown "$@"
        wasm=target/wasm32-unknown-unknown/debug/quire.wasm
    fi
    wasm-bindgen --target web --no-typescript --out-dir "dist.tmp/$out_dir" "$wasm"

    if [[ $profile == release ]]; then
        echo "build-www: optimising $out_dir with wasm-opt $opt_level ($($wasm_opt --version))"
        # Rust's wasm32 target uses these post-MVP features by default.
        "$wasm_opt" "$opt_level" \
            --enable-bulk-memory --enable-sign-ext --enable-mutable-globals \
            --enable-nontrapping-float-to-int --enable-reference-types --enable-multivalue \
            -o "dist.tmp/$out_dir/quire_bg.wasm" "dist.tmp/$out_dir/quire_bg.wasm"
    fi
}
build_module pkg wasm-release -Oz --no-default-features
build_module pkg-full wasm-full -O3

# The service worker precaches these files, in a cache named after a hash
# of their contents, so a new deploy never mixes with an old one. It caches
# the full module (LAZY_ASSETS) after the rest, so the page does not wait
# for it, and books convert offline too.
assets=$(cd dist.tmp && find . -type f ! -name build-info.js ! -name sw.js ! -name '*.gz' ! -path './pkg-full/*' | sed 's|^\./||' | LC_ALL=C sort)
lazy_assets=$(cd dist.tmp && find pkg-full -type f | LC_ALL=C sort)
# sw.js is not precached (the browser fetches it itself) but it is part of
# the version, so a change to it alone still renames the cache.
version=$( (cd dist.tmp && echo "$assets $lazy_assets" | xargs sha256sum && sha256sum sw.js) | sha256sum | cut -c1-16)
{
    echo "// Written by scripts/build-www.sh; do not edit."
    echo "export const VERSION = \"$version\";"
    echo "export const ASSETS = ["
    echo "  \"./\","
    echo "$assets" | sed 's|.*|  "./&",|'
    echo "];"
    echo "export const LAZY_ASSETS = ["
    echo "$lazy_assets" | sed 's|.*|  "./&",|'
    echo "];"
} >dist.tmp/build-info.js

find dist.tmp -type f \( -name '*.html' -o -name '*.js' -o -name '*.css' -o -name '*.wasm' -o -name '*.svg' -o -name '*.webmanifest' -o -name '*.json' \) \
    -exec gzip -9 -k -n -f {} \;

# Keep a copy of the glue in www/pkg and www/pkg-full for working on the
# page without a build.
rm -rf www/pkg www/pkg-full
cp -R dist.tmp/pkg www/pkg
cp -R dist.tmp/pkg-full www/pkg-full

rm -rf dist
mv dist.tmp dist
module_size() {
    local raw gzipped
    raw=$(stat -c %s "dist/$1/quire_bg.wasm")
    gzipped=$(stat -c %s "dist/$1/quire_bg.wasm.gz")
    # Decimal kilobytes, as the benchmark and the 350 KB budget count them.
    echo "$1 $((raw / 1000)) KB, $((gzipped / 1000)) KB gzipped"
}
echo "build-www: wrote dist/ (version $version; wasm $(module_size pkg); $(module_size pkg-full), loaded after the page)"
