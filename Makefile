# rustup and pyenv install their commands in these folders. Add each one to
# PATH when the calling shell has not, as in a non-login CI shell. A folder
# that is already on PATH keeps its place.
PYENV_ROOT ?= $(HOME)/.pyenv
ifeq ($(findstring :$(PYENV_ROOT)/shims:,:$(PATH):),)
export PATH := $(PYENV_ROOT)/shims:$(PATH)
endif
ifeq ($(findstring :$(HOME)/.cargo/bin:,:$(PATH):),)
export PATH := $(HOME)/.cargo/bin:$(PATH)
endif

.PHONY: setup test serve build www e2e a11y audit-npm fuzz

setup:
	scripts/setup.sh

test: setup
	cargo fmt --check
	cargo clippy --all-targets -- -D warnings
	cargo test --all-targets
	cargo test --release --test stress
	scripts/build-cli.sh
	target/cli/quire tests/books/sample -o target/cli/sample.epub
	target/cli/quire check target/cli/sample.epub
	scripts/fuzz.sh 20
	cargo build --lib --target wasm32-unknown-unknown
	scripts/build-www.sh
	node --test tests/wasm/
	cd tests/server && npm ci --ignore-scripts --no-audit --no-fund && npm test && npm run observatory
	scripts/check-container.sh
	scripts/audit.sh cargo
	$(MAKE) e2e
	$(MAKE) a11y

# The browser tests; they start their own nginx on a free loopback port.
e2e:
	cd tests/e2e && npm test

# Ace by DAISY on the books the EPUBCheck gate leaves in target/tmp, and
# axe-core and Lighthouse on the page in dist/.
a11y:
	cd tests/a11y && npm test

# Builds the page into dist/.
www: setup
	scripts/build-www.sh

# Builds the page, then serves it on http://127.0.0.1:8080 through the
# production nginx.conf, until Ctrl-C.
serve: www
	scripts/serve.sh dist 127.0.0.1:8080

# The command-line tool for release, in target/cli/quire.
build:
	scripts/build-cli.sh

# A longer fuzzing session: FUZZ_SECONDS per target (default 600).
fuzz:
	scripts/fuzz.sh $${FUZZ_SECONDS:-600}

# npm's audit endpoint answers 405 on this project's build machines, so
# this runs on its own, not in `make test`.
audit-npm:
	scripts/audit.sh npm
