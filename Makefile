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

.PHONY: setup test serve build

setup:
	scripts/setup.sh

test: setup
	cargo fmt --check
	cargo clippy --all-targets -- -D warnings
	cargo test --all-targets
	cargo build --lib --target wasm32-unknown-unknown

serve:
	@echo "make serve: the browser page is not built yet; a later milestone adds it." >&2
	@exit 1

build:
	cargo build --release
