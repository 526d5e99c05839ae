# Paravent: `make run` starts the app, `make test` runs every test. Both install what is missing
# first and skip what is already installed (stamp files), so re-running them is quick.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml)
WHEEL := static/wheels/pycrypto_wasm-$(VERSION)-py3-none-any.whl
VENDOR := static/vendor/.installed
SNAPSHOT := static/snapshots/pyodide-snapshot.bin
CRYPTO_SOURCES := $(shell find pycrypto_wasm -name '*.py')

.PHONY: run cluster test lint bench bench-serving assets chromium postgresql services clean

run: $(VENV)/.server assets
	$(PY) app.py $(ARGS)

# PostgreSQL, SeaweedFS, Redis, two app processes (supervised) and nginx on loopback, data in
# ./var-cluster, the deployment named in ./var-cluster/paravent.conf for the admin commands:
# http://localhost:8080/ (README, "The local cluster").
cluster: $(VENV)/.test assets postgresql services
	$(PY) -m e2e.harness.cluster $(ARGS)

test: $(VENV)/.test assets chromium postgresql services
	$(PY) -m ruff check .
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.test
	$(PY) -m ruff check .

bench: $(VENV)/.test assets chromium postgresql services
	$(PY) -m bench

bench-serving: $(VENV)/.test assets postgresql services
	$(PY) -m bench.serving

assets: $(VENDOR) $(WHEEL) $(SNAPSHOT)

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.server: pyproject.toml | $(PY)
	$(PY) -m pip install -q -e '.[server]'
	touch $@

$(VENV)/.test: pyproject.toml | $(PY)
	$(PY) -m pip install -q -e '.[server,test]'
	touch $@ $(VENV)/.server

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

# Browser assets are copied from the pinned npm packages, never committed. The ESM build of
# libsodium-wrappers imports the bare name "libsodium-sumo"; browsers need a relative path.
# axe-core is served for the end-to-end accessibility checks only: the page never loads it.
# pdf-lib stamps the watermark into PDFs a download link gives watermarked (web/watermark.js):
# the page imports it only then, checked by its integrity like every module.
$(VENDOR): node_modules/.package-lock.json Makefile
	rm -rf static/vendor
	mkdir -p static/vendor/pyodide static/vendor/libsodium static/vendor/socket.io
	cd node_modules/pyodide && cp pyodide.mjs pyodide.asm.mjs pyodide.asm.wasm python_stdlib.zip \
		pyodide-lock.json ../../static/vendor/pyodide/
	sed 's#from"libsodium-sumo"#from"./libsodium-sumo.mjs"#' \
		node_modules/libsodium-wrappers-sumo/dist/modules-sumo-esm/libsodium-wrappers.mjs \
		> static/vendor/libsodium/libsodium-wrappers.mjs
	grep -q 'from"./libsodium-sumo.mjs"' static/vendor/libsodium/libsodium-wrappers.mjs
	cp node_modules/libsodium-sumo/dist/modules-sumo-esm/libsodium-sumo.mjs static/vendor/libsodium/
	cp node_modules/socket.io-client/dist/socket.io.esm.min.js static/vendor/socket.io/
	mkdir -p static/vendor/axe-core
	cp node_modules/axe-core/axe.min.js static/vendor/axe-core/
	mkdir -p static/vendor/pdf-lib
	cp node_modules/pdf-lib/dist/pdf-lib.esm.min.js static/vendor/pdf-lib/
	touch $@

# A pure-Python wheel: `pyodide build` needs the internet (see the README).
$(WHEEL): pyproject.toml $(CRYPTO_SOURCES) | $(PY)
	rm -rf static/wheels build
	$(PY) -m pip wheel -q --no-deps -w static/wheels .
	rm -rf build

# The crypto worker's Pyodide memory snapshot, built offline in Node.js from the assets above.
$(SNAPSHOT): $(VENDOR) $(WHEEL) tools/build-snapshot.mjs web/worker/python-runtime.js \
		web/worker/sodium-bridge.js web/worker/snapshot-pages.js
	rm -rf static/snapshots
	mkdir -p static/snapshots
	node tools/build-snapshot.mjs $(WHEEL) $@.tmp
	mv $@.tmp $@

chromium:
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

# The API tests run on SQLite and on a throw-away PostgreSQL cluster (e2e/harness/services/).
postgresql:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq postgresql >/dev/null; }

# Debian's Redis and nginx: the tests, the benchmarks and `make cluster` start their own copies
# on free loopback ports (never the system services).
services:
	@command -v redis-server >/dev/null && test -x /usr/sbin/nginx || { apt-get update -qq && \
		apt-get install -y -qq redis-server nginx >/dev/null; }

clean:
	rm -rf $(VENV) node_modules static/vendor static/wheels static/snapshots build var var-cluster
