# Portico: `make run` serves the demo, `make test` runs every test. Both install what is
# missing first, so a machine with only Rust needs nothing else.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# Build outputs live outside the clone so that a fresh clone reuses earlier builds; they
# are only a cache: nothing reads state from them that a build does not write first.
CACHE := $(HOME)/.cache/portico
export CARGO_TARGET_DIR ?= $(CACHE)/target
TEST_TARGET_DIR ?= $(CARGO_TARGET_DIR)-tests
# Incremental state only pays off while editing; for `make` runs it just grows the cache.
export CARGO_INCREMENTAL ?= 0
# npm's binaryen (wasm-opt 132) must win over any older wasm-opt on the system: Debian's
# wasm-opt 108 produces a release WASM that fails at start-up in the browser.
export PATH := $(CURDIR)/end2end/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)

CARGO_LEPTOS_VERSION := 0.3.10
WASM_BINDGEN_VERSION := $(shell awk '/^name = "wasm-bindgen"$$/ {getline; gsub(/[^0-9.]/, ""); print; exit}' Cargo.lock)
PORTICO := $(CARGO_TARGET_DIR)/release/portico
# The Rust tests' build of the server, which `make test` also runs the browser tests and the
# fuzz run against. It is built with `--cfg erase_components`, as cargo-leptos builds the
# release WASM (`always-erase-components`), so that the pages it renders hydrate with it.
TEST_CARGO := CARGO_TARGET_DIR=$(TEST_TARGET_DIR) RUSTFLAGS="$${RUSTFLAGS:-} --cfg erase_components"
TEST_PORTICO := $(TEST_TARGET_DIR)/debug/portico
SITE_ROOT := $(CURDIR)/target/site
PG_URL ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: help run test rust-test test-fuzz outage bench site site-front tools rust-tools wasm-target cargo-leptos wasm-bindgen \
  node-tools chromium postgres claim-cache trim-cache lint fmt lighthouse wrk crash soak fuzz schemathesis

# Independent steps (tool installs, the Rust tests, the release build) run side by side;
# each step's output is printed whole when it ends. Recipes that run cargo start with `+`,
# so that all the compilers share these four slots instead of each taking every core.
MAKEFLAGS += --jobs=4 --output-sync=target

help:
	@echo "make run    build the release site, seed the demo if the database is empty, serve on 127.0.0.1:3000"
	@echo "make test   Rust tests on SQLite and PostgreSQL, then the browser tests in Chromium"
	@echo "make bench  import speed and memory on SQLite and PostgreSQL, against a same-run baseline"
	@echo "make lint   rustfmt and clippy for the server and the WASM client"
	@echo "make outage PostgreSQL stopped for 30 s under light load: 503s, then recovery"
	@echo "make crash  the server killed with SIGKILL 20 times mid-write, on both backends"
	@echo "make fuzz   schemathesis against the OpenAPI document, 100 cases an operation"
	@echo "make soak   10 minutes of mixed traffic at half the peak on each backend, release build"

## Tools ---------------------------------------------------------------------------------

# The tools are build helpers, not shipped code: they are built without optimisation (all
# but the brotli encoder, which precompresses the bundle) and against the system's OpenSSL
# where it has one, which takes a fresh machine's install from about 19 minutes to a
# fraction of that. Each has a build directory of its own so that both build at once.
TOOLS_CARGO := env $$(pkg-config --exists openssl 2>/dev/null && echo OPENSSL_NO_VENDOR=1) cargo \
  --config profile.release.opt-level=0 --config profile.release.lto=false \
  --config profile.release.codegen-units=256 --config profile.release.debug=false \
  --config profile.release.package.brotli.opt-level=3

tools: rust-tools node-tools

rust-tools: wasm-target cargo-leptos wasm-bindgen

wasm-target:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown \
	  || rustup target add wasm32-unknown-unknown

cargo-leptos:
	+@if ! cargo leptos --version 2>/dev/null | grep -q "$(CARGO_LEPTOS_VERSION)"; then \
	  echo "Installing cargo-leptos $(CARGO_LEPTOS_VERSION) (takes several minutes once)"; \
	  CARGO_TARGET_DIR=$(CACHE)/tools-target/cargo-leptos \
	    $(TOOLS_CARGO) install cargo-leptos --locked --version $(CARGO_LEPTOS_VERSION); \
	fi

wasm-bindgen:
	+@if ! wasm-bindgen --version 2>/dev/null | grep -q "$(WASM_BINDGEN_VERSION)"; then \
	  echo "Installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION) to match Cargo.lock"; \
	  CARGO_TARGET_DIR=$(CACHE)/tools-target/wasm-bindgen \
	    $(TOOLS_CARGO) install wasm-bindgen-cli --version "=$(WASM_BINDGEN_VERSION)" --locked \
	  || CARGO_TARGET_DIR=$(CACHE)/tools-target/wasm-bindgen \
	    $(TOOLS_CARGO) install wasm-bindgen-cli --version "=$(WASM_BINDGEN_VERSION)"; \
	fi

node-tools: end2end/node_modules/.installed

end2end/node_modules/.installed: end2end/package.json end2end/package-lock.json
	cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
	touch $@

chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  echo "Installing Chromium from Debian for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; \
	fi

postgres:
	@if ! pg_isready -q -h 127.0.0.1 -p 5432; then \
	  echo "Starting PostgreSQL"; \
	  pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start; \
	  for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; \
	fi

# Cargo never deletes old artifacts, so a long-lived cache only grows; a build directory
# past 20 GiB is cleared rather than let it fill the disk (the next build takes longer).
trim-cache: claim-cache
	@for dir in $(CARGO_TARGET_DIR) $(TEST_TARGET_DIR); do \
	  if [ -d "$$dir" ] && [ "$$(du -s -BG "$$dir" | cut -f1 | tr -d G)" -gt 20 ]; then \
	    echo "The build cache $$dir passed 20 GiB; clearing it"; rm -rf "$$dir"; \
	  fi; \
	done

# Cargo takes a workspace crate's build as fresh while its files are older than that build,
# and it names the files relative to the workspace: a clone whose files are older than a
# build made from another clone (a worktree of another commit, say) would get that clone's
# server and WASM. So the build directories remember the last clone that used them, and a
# different clone marks its sources as changed first (a new clone's files are new anyway).
CACHE_CLONE := $(CARGO_TARGET_DIR).clone
claim-cache:
	@if [ "$$(cat $(CACHE_CLONE) 2>/dev/null)" != "$(CURDIR)" ]; then \
	  find app frontend server -type f -exec touch {} +; \
	  mkdir -p "$$(dirname $(CACHE_CLONE))" && echo "$(CURDIR)" > $(CACHE_CLONE); \
	fi

## Build and run -------------------------------------------------------------------------

# `--split`: every tab but the landing one is its own WASM chunk, fetched when opened.
site: trim-cache tools
	+cargo leptos build --release --precompress --split --cargo-locked

# The site alone, without the release server: what `make test` serves with the tests' server.
site-front: trim-cache tools
	+cargo leptos build --release --precompress --split --cargo-locked --frontend-only

run: site
	@PORTICO_SITE_ROOT=$(SITE_ROOT) $(PORTICO) demo --if-empty
	PORTICO_SITE_ROOT=$(SITE_ROOT) $(PORTICO) serve --demo

## Tests ---------------------------------------------------------------------------------

# The Rust tests build in a directory of their own, so that they compile and run while the
# tools install and the site builds (cargo locks a build directory while it works). The
# browser tests and the fuzz run use the server binary that build links anyway, and the
# release site without the release server (`make run`, `make bench` and `make soak` build
# that): a first run on a fresh machine compiles the server twice, not three times.
test: rust-test test-fuzz site-front chromium node-tools
	PORTICO_BIN=$(TEST_PORTICO) PORTICO_HASH_FILE=$(CARGO_TARGET_DIR)/release/hash.txt \
	  scripts/test.sh browser

# The fuzz run of `make test`, while the site builds.
test-fuzz: rust-test schemathesis
	scripts/fuzz.py $(TEST_PORTICO) $(SCHEMATHESIS) $(FUZZ_EXAMPLES)

# The API against its own OpenAPI document (schemathesis from PyPI, in a venv of its own):
# `make fuzz` alone, with more cases per operation than `make test` takes.
FUZZ_EXAMPLES ?= 25
fuzz: site schemathesis
	scripts/fuzz.py $(PORTICO) $(SCHEMATHESIS) 100

SCHEMATHESIS_VERSION := 4.32.5
SCHEMATHESIS := $(CACHE)/schemathesis/bin/st
schemathesis:
	@if ! $(SCHEMATHESIS) --version 2>/dev/null | grep -q "$(SCHEMATHESIS_VERSION)"; then \
	  echo "Installing schemathesis $(SCHEMATHESIS_VERSION)"; \
	  python3 -m venv $(CACHE)/schemathesis \
	    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null \
	         && python3 -m venv $(CACHE)/schemathesis; }; \
	  $(CACHE)/schemathesis/bin/pip install -q --disable-pip-version-check "schemathesis==$(SCHEMATHESIS_VERSION)"; \
	fi

rust-test: trim-cache postgres
	+$(TEST_CARGO) scripts/test.sh rust

# The database-outage test of `make test` (4 s without PostgreSQL), held for 30 s.
outage: trim-cache
	+$(TEST_CARGO) PORTICO_OUTAGE_SECS=30 \
	  cargo test --locked -p server --test api outage -- --nocapture

# The crash test of `make test` (3 kills a backend), with 20.
crash: trim-cache postgres
	+$(TEST_CARGO) PORTICO_CRASH_KILLS=20 scripts/test.sh rust-one crash

# The soak of `make test` (15 s a backend, debug server) for 10 minutes a backend against
# the release server.
soak: site postgres
	+$(TEST_CARGO) PORTICO_SOAK_SECS=600 PORTICO_SOAK_BINARY=$(PORTICO) \
	  scripts/test.sh rust-one soak

bench: site node-tools chromium postgres lighthouse wrk
	cargo build --release --locked -p server --example bare --example batched_insert
	LIGHTHOUSE=$(LIGHTHOUSE) scripts/bench.py

wrk:
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

# Lighthouse is only for `make bench`, so it lives outside end2end/'s packages.
LIGHTHOUSE_VERSION := 12.8.2
LIGHTHOUSE := $(CACHE)/lighthouse/node_modules/.bin/lighthouse
lighthouse:
	@if ! $(LIGHTHOUSE) --version 2>/dev/null | grep -qx "$(LIGHTHOUSE_VERSION)"; then \
	  mkdir -p $(CACHE)/lighthouse; \
	  npm install --prefix $(CACHE)/lighthouse --no-audit --no-fund lighthouse@$(LIGHTHOUSE_VERSION); \
	fi

lint: claim-cache
	cargo fmt --all --check
	cargo clippy -p server --all-targets -- -D warnings
	cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

fmt:
	cargo fmt --all
