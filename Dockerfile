# Quire's browser page as a container: nginx, unprivileged, serving the static
# files of dist/ with the project's nginx.conf.
#
#   docker build -t quire .
#   docker run --rm --read-only --tmpfs /tmp --cap-drop=ALL \
#       --security-opt=no-new-privileges --memory=128m --cpus=0.5 \
#       --pids-limit=64 -p 8080:8080 quire
#
# Both base images are pinned by tag and digest. The update policy (see
# SECURITY.md) is to rebuild on every new digest of the pinned tag: change
# the digest here, build, run scripts/check-container.sh and scan the image.
# COPY --chmod needs BuildKit, the default builder since Docker Engine 23.

# The digest is that of rust:1.95.0-bookworm. The full image, not
# -slim, because wasm-bindgen-cli links OpenSSL through native-tls and the
# full image has libssl-dev and pkg-config. wasm-opt comes from binaryen on
# npm (pinned in tools/package-lock.json), so Node.js and npm come from
# Debian.
FROM rust:1.95.0-bookworm@sha256:6258907abe69656e41cd992e0b705cdcfabcbbe3db374f92ed2d47121282d4a1 AS build

# Must equal the wasm-bindgen version in Cargo.lock; scripts/build-www.sh
# stops with an error otherwise.
ARG WASM_BINDGEN_VERSION=0.2.130

RUN apt-get update \
    && apt-get install -y --no-install-recommends nodejs=18.* npm=9.* \
    && rm -rf /var/lib/apt/lists/*

# No --locked: wasm-bindgen-cli's own lock file can name crate versions that
# crates.io no longer serves. Caches of this stage never reach the image.
RUN rustup target add wasm32-unknown-unknown \
    && cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"

WORKDIR /src
COPY . .

# The fast part of the test suite: unit tests, golden books, the command-line
# tests and the CommonMark examples. The EPUBCheck gate needs Java and runs in
# `make test`, not here. Then the page is built into dist/, and its files and
# folders are made read-only for everyone, so the runtime stage copies them
# with those modes.
RUN cargo test --locked --lib --test golden --test cli --test commonmark_spec --test xss \
    && npm ci --prefix tools --no-audit --no-fund \
    && scripts/build-www.sh \
    && chmod -R a=rX dist

# The digest is that of nginxinc/nginx-unprivileged:1.30.5-alpine (nginx
# 1.30.5 on Alpine 3.24). Its nginx runs as uid 101; nginx.conf listens on
# 8080.
FROM nginxinc/nginx-unprivileged:1.30.5-alpine@sha256:ed04ec1ff34502c339ee5c3ae3f855442398edc1d05591e2b98981dcbbd20b1e AS runtime

ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="Quire" \
      org.opencontainers.image.description="Quire's browser page: Markdown to EPUB 3 in WebAssembly, served as static files by unprivileged nginx" \
      org.opencontainers.image.version="$VERSION" \
      org.opencontainers.image.base.name="docker.io/nginxinc/nginx-unprivileged:1.30.5-alpine" \
      org.opencontainers.image.base.digest="sha256:ed04ec1ff34502c339ee5c3ae3f855442398edc1d05591e2b98981dcbbd20b1e"

# The base image makes /etc/nginx owned by uid 101 and group-writable, so the
# server could rewrite its own configuration. Everything it reads becomes
# root's and read-only to it. The stock site and server block go, because
# nginx.conf replaces them and includes no conf.d/.
USER 0
RUN rm -rf /usr/share/nginx/html/* /etc/nginx/conf.d/default.conf \
    && chown -R 0:0 /etc/nginx /usr/share/nginx/html /var/cache/nginx \
    && chmod -R go-w /etc/nginx /var/cache/nginx \
    && chmod 0555 /usr/share/nginx/html

COPY --from=build --chown=0:0 --chmod=0444 /src/nginx.conf /src/security-headers.conf /etc/nginx/
# The build stage gave the files mode 0444 and the folders 0555.
COPY --from=build --chown=0:0 /src/dist/ /usr/share/nginx/html/

USER 101
EXPOSE 8080

# busybox wget comes with the Alpine base, and nginx.conf returns "ok" for
# /healthz.
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s --retries=3 \
    CMD ["wget", "-q", "-T", "2", "-O", "/dev/null", "http://127.0.0.1:8080/healthz"]

# nginx directly, without the base image's entrypoint scripts: they can edit
# files in /etc/nginx, which is read-only here, and the configuration is
# complete as tested. -e stderr sends the errors logged before nginx.conf
# is read to stderr too.
ENTRYPOINT ["nginx", "-e", "stderr", "-g", "daemon off;"]
CMD []
