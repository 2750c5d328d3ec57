#!/usr/bin/env bash
# Builds the static site into dist/: the page from www/, the engine
# compiled to WebAssembly with its wasm-bindgen glue, a build-info.js whose
# VERSION names the service worker's cache, and a .gz beside each text and
# wasm file for nginx's gzip_static. The engine is built twice: without the
# EPUB checker for the page's first load (pkg/), and with it for checking
# books (pkg-check/), which the worker loads on the first check.
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

rm -rf dist.tmp
mkdir -p dist.tmp
cp -R www/. dist.tmp/
rm -rf dist.tmp/pkg dist.tmp/pkg-check

# Both builds write the same .wasm path, so each is bound before the next.
for module in pkg pkg-check; do
    features=(--no-default-features)
    if [[ $module == pkg-check ]]; then
        features=(--features checker)
    fi
    echo "build-www: compiling the engine for wasm32-unknown-unknown ($profile, $module)"
    if [[ $profile == release ]]; then
        cargo build --profile wasm-release --lib --target wasm32-unknown-unknown "${features[@]}"
        wasm=target/wasm32-unknown-unknown/wasm-release/quire.wasm
    else
        cargo build --lib --target wasm32-unknown-unknown "${features[@]}"
        wasm=target/wasm32-unknown-unknown/debug/quire.wasm
    fi
    wasm-bindgen --target web --no-typescript --out-dir "dist.tmp/$module" "$wasm"
done

if [[ $profile == release ]]; then
    # binaryen from npm, pinned in tools/package.json: Debian's wasm-opt 108
    # corrupts the reference-types table wasm-bindgen emits, and the module
    # then fails to start in the browser.
    wasm_opt=tools/node_modules/.bin/wasm-opt
    if [[ ! -x $wasm_opt ]]; then
        echo "build-www: $wasm_opt not found; run scripts/setup.sh or: (cd tools && npm ci)" >&2
        exit 1
    fi
    echo "build-www: optimising the module with wasm-opt -Oz ($($wasm_opt --version))"
    # Rust's wasm32 target uses these post-MVP features by default.
    for module in pkg pkg-check; do
        "$wasm_opt" -Oz \
            --enable-bulk-memory --enable-sign-ext --enable-mutable-globals \
            --enable-nontrapping-float-to-int --enable-reference-types --enable-multivalue \
            -o "dist.tmp/$module/quire_bg.wasm" "dist.tmp/$module/quire_bg.wasm"
    done
fi

# The service worker precaches exactly these files, in a cache named after
# a hash of their contents, so a new deploy never mixes with an old one.
assets=$(cd dist.tmp && find . -type f ! -name build-info.js ! -name sw.js ! -name '*.gz' | sed 's|^\./||' | LC_ALL=C sort)
# sw.js is not precached (the browser fetches it itself) but it is part of
# the version, so a change to it alone still renames the cache.
version=$( (cd dist.tmp && echo "$assets" | xargs sha256sum && sha256sum sw.js) | sha256sum | cut -c1-16)
{
    echo "// Written by scripts/build-www.sh; do not edit."
    echo "export const VERSION = \"$version\";"
    echo "export const ASSETS = ["
    echo "  \"./\","
    echo "$assets" | sed 's|.*|  "./&",|'
    echo "];"
} >dist.tmp/build-info.js

find dist.tmp -type f \( -name '*.html' -o -name '*.js' -o -name '*.css' -o -name '*.wasm' -o -name '*.svg' -o -name '*.webmanifest' -o -name '*.json' \) \
    -exec gzip -9 -k -n -f {} \;

# Keep a copy of the glue in www/pkg and www/pkg-check for working on the
# page without a build.
rm -rf www/pkg www/pkg-check
cp -R dist.tmp/pkg www/pkg
cp -R dist.tmp/pkg-check www/pkg-check

rm -rf dist
mv dist.tmp dist
raw=$(stat -c %s dist/pkg/quire_bg.wasm)
gzipped=$(stat -c %s dist/pkg/quire_bg.wasm.gz)
check_raw=$(stat -c %s dist/pkg-check/quire_bg.wasm)
check_gzipped=$(stat -c %s dist/pkg-check/quire_bg.wasm.gz)
echo "build-www: wrote dist/ (version $version; wasm $((raw / 1024)) KB, $((gzipped / 1024)) KB gzipped; with the checker $((check_raw / 1024)) KB, $((check_gzipped / 1024)) KB gzipped)"
