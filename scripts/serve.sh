#!/usr/bin/env bash
# Serves a folder with the project's nginx.conf, the way the container does:
# Debian's nginx as an unprivileged user (uid 101, as in the
# nginx-unprivileged image) inside bubblewrap, with / read-only, /tmp a
# fresh tmpfs, and no capabilities. Only the `root` and `listen` lines of
# nginx.conf are substituted.
#
# Usage: scripts/serve.sh [ROOT] [ADDRESS:PORT]
#   ROOT defaults to www, ADDRESS:PORT to 127.0.0.1:8080.
# nginx runs in the foreground; stop it with Ctrl-C or a TERM signal.
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(realpath "${1:-www}")
listen=${2:-127.0.0.1:8080}

for command in nginx bwrap; do
    if ! command -v "$command" >/dev/null; then
        echo "serve: $command not found; install Debian's nginx and bubblewrap (apt-get install nginx bubblewrap), or run make serve as root" >&2
        exit 1
    fi
done
if [[ ! -f $root/index.html ]]; then
    echo "serve: $root/index.html not found; build the page first with scripts/build-www.sh" >&2
    exit 1
fi

# The configuration goes outside /tmp, which the sandbox replaces with an
# empty tmpfs. Each run gets its own folder so several servers can run.
conf_dir=$(realpath target)/nginx/${listen//[:.]/-}
mkdir -p "$conf_dir"
sed -e "s|^\(\s*\)root .*;|\1root $root;|" \
    -e "s|^\(\s*\)listen .*;|\1listen $listen;|" \
    nginx.conf >"$conf_dir/nginx.conf"
cp security-headers.conf "$conf_dir/"
chmod -R a+rX "$conf_dir" "$root"

echo "serve: serving $root on http://$listen/ (nginx as uid 101, read-only /, tmpfs /tmp, no capabilities)" >&2
# The root and the configuration are bound again after the tmpfs, so a
# checkout under /tmp (as CI may use) is still visible to nginx.
exec bwrap \
    --ro-bind / / \
    --tmpfs /tmp \
    --ro-bind "$root" "$root" \
    --ro-bind "$conf_dir" "$conf_dir" \
    --dev /dev \
    --proc /proc \
    --unshare-user --unshare-pid --unshare-ipc --unshare-uts \
    --uid 101 --gid 101 \
    --cap-drop ALL \
    --die-with-parent \
    -- nginx -e stderr -p /tmp/ -c "$conf_dir/nginx.conf" -g "daemon off;"
