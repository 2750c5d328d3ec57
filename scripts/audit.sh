#!/usr/bin/env bash
# Audits Quire's dependencies with no network access beyond the package
# registries:
#   cargo  cargo-deny checks every crate for RustSec advisories, licences,
#          banned versions and sources (deny.toml), offline, against the
#          RustSec snapshot in tests/advisory-db;
#   npm    npm audit checks the test-only npm packages of tests/e2e, which
#          needs the npm registry's audit endpoint.
#
# Usage: scripts/audit.sh [cargo|npm]
#   With no argument it runs both audits.
#
# Run as root, it installs cargo-deny when it is missing. Run as another
# user, it prints the install command and exits with status 1.
# Exits non-zero when any audit reports a finding or cannot run.
set -euo pipefail

readonly CARGO_DENY_VERSION=0.20.2
# cargo-deny names a database folder after its URL. This is the name for the
# default RustSec URL, inside db-path of deny.toml.
readonly ADVISORY_DB_DIR=target/advisory-dbs/advisory-db-3157b0e258782691
readonly SNAPSHOT=tests/advisory-db
readonly E2E=tests/e2e

cd "$(dirname "$0")/.."
if [[ -d $HOME/.cargo/bin && ":$PATH:" != *":$HOME/.cargo/bin:"* ]]; then
    PATH="$HOME/.cargo/bin:$PATH"
fi
export PATH

audits=${1:-all}
if [[ $audits != all && $audits != cargo && $audits != npm ]]; then
    echo "audit: unknown audit '$audits'; use cargo, npm or no argument for both" >&2
    exit 2
fi

failures=()

# Installs cargo-deny when the pinned version is missing, or exits with the
# install command when not root.
ensure_cargo_deny() {
    local installed_version
    installed_version=$(cargo deny --version 2>/dev/null | awk '{print $2}' || true)
    if [[ $installed_version == "$CARGO_DENY_VERSION" ]]; then
        return
    fi

    local install_command=(cargo install cargo-deny --version "$CARGO_DENY_VERSION" --locked)
    if [[ $(id -u) -ne 0 ]]; then
        echo "audit: cargo-deny $CARGO_DENY_VERSION is missing (found '${installed_version:-none}'); install it with: ${install_command[*]}" >&2
        exit 1
    fi
    # Compiling it takes several minutes, so only when the version differs.
    echo "audit: installing cargo-deny $CARGO_DENY_VERSION: ${install_command[*]}"
    "${install_command[@]}"
}

# Copies the snapshot to where cargo-deny looks for the database, as the git
# repository cargo-deny expects.
install_advisory_db() {
    # Offline, cargo-deny rejects a database whose newest commit, and the
    # mtime of its .git/HEAD, are older than maximum-db-staleness. Both get
    # the snapshot's date, so the check measures the age of the advisories,
    # not of this copy.
    local snapshot_date
    snapshot_date=$(sed -n 's/.*(\([0-9]\{4\}-[0-9]\{2\}-[0-9]\{2\}\)).*/\1/p' "$SNAPSHOT/SNAPSHOT.txt")
    if [[ -z $snapshot_date ]]; then
        echo "audit: no date as (YYYY-MM-DD) found in $SNAPSHOT/SNAPSHOT.txt; add the snapshot's date there" >&2
        exit 1
    fi
    echo "audit: $(head -n 1 "$SNAPSHOT/SNAPSHOT.txt")"

    rm -rf "$ADVISORY_DB_DIR"
    mkdir -p "$(dirname "$ADVISORY_DB_DIR")"
    cp -R "$SNAPSHOT" "$ADVISORY_DB_DIR"
    (
        cd "$ADVISORY_DB_DIR"
        export GIT_AUTHOR_DATE="${snapshot_date}T00:00:00Z" GIT_COMMITTER_DATE="${snapshot_date}T00:00:00Z"
        git init --quiet --initial-branch=main
        git add --all
        git -c user.name="scripts/audit.sh" -c user.email="audit@localhost" \
            commit --quiet --no-gpg-sign --message "RustSec advisory database snapshot of $snapshot_date"
        touch --date="${snapshot_date}T00:00:00Z" .git/HEAD
    )
}

audit_crates() {
    ensure_cargo_deny
    install_advisory_db

    echo "audit: cargo deny --offline check"
    if ! cargo deny --offline check; then
        failures+=("cargo deny")
    fi
}

audit_npm_packages() {
    if [[ ! -f $E2E/package-lock.json ]]; then
        echo "audit: $E2E/package-lock.json not found; no npm packages to audit"
        return
    fi

    # --omit=dev audits only what a production install would get (nothing,
    # while every package there is a dev dependency). The second run audits
    # the dev dependencies too.
    echo "audit: npm audit --omit=dev (in $E2E)"
    if ! (cd "$E2E" && npm audit --omit=dev); then
        failures+=("npm audit --omit=dev in $E2E")
    fi
    echo "audit: npm audit (in $E2E)"
    if ! (cd "$E2E" && npm audit); then
        failures+=("npm audit in $E2E")
    fi
}

if [[ $audits == all || $audits == cargo ]]; then
    audit_crates
fi
if [[ $audits == all || $audits == npm ]]; then
    audit_npm_packages
fi

if (( ${#failures[@]} > 0 )); then
    printf -v failed '%s; ' "${failures[@]}"
    echo "audit: failed: ${failed%; } (see the messages above)" >&2
    exit 1
fi
echo "audit: no findings"
