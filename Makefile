# Every task a newcomer needs, in one file. `make run` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test test-fast axe biome lint fmt lock lock-upgrade migrate migration openapi bench soak clean

$(VENV)/.python-ok:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Nexthop needs Python 3.11 or newer (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	touch $@

# Exact versions from the lock files, each download checked against its hash; then the
# project itself (editable, no dependencies of its own to resolve). A changed lock re-installs.
$(VENV)/.run-deps: $(VENV)/.python-ok requirements/run.lock pyproject.toml
	$(BIN)/pip install --quiet --require-hashes -r requirements/run.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.dev-deps: $(VENV)/.python-ok requirements/dev.lock pyproject.toml
	$(BIN)/pip install --quiet --require-hashes -r requirements/dev.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

## Install, migrate the embedded SQLite database and serve on http://127.0.0.1:8000
run: $(VENV)/.run-deps
	$(BIN)/python -m backend serve

## Lint and the whole test suite (SQLite and PostgreSQL)
test: lint axe
	$(BIN)/python -m pytest

## The inner loop: lint, then every test but the slow ones (real servers in subprocesses,
## SIGKILL rounds, concurrent load, schemathesis, the browser), on SQLite; DB=both or
## DB=postgresql for the others. `make test` runs everything, as CI does.
DB ?= sqlite
test-fast: lint
	$(BIN)/python -m pytest -q -m "not slow" --db $(DB)

## axe-core, pinned, for the browser tests' accessibility checks (fetched from the npm registry
## at test time only; the app never loads it). Without npm or a connection the checks are skipped.
AXE_VERSION := 4.14.1
AXE_DIR := .cache/axe
axe:
	@installed=$$(node -p "require('./$(AXE_DIR)/node_modules/axe-core/package.json').version" 2>/dev/null); \
	if [ "$$installed" = "$(AXE_VERSION)" ]; then exit 0; fi; \
	if ! command -v npm >/dev/null 2>&1; then \
		echo "npm not found: the browser tests will skip their axe-core checks (CI=true fails them)"; exit 0; fi; \
	npm install --no-save --no-audit --no-fund --ignore-scripts --prefix $(AXE_DIR) axe-core@$(AXE_VERSION) \
		|| echo "could not fetch axe-core $(AXE_VERSION): the browser tests will skip their axe-core checks"

## Biome, pinned, formats and lints frontend/ (biome.jsonc): fetched like axe-core into
## .cache/biome/, a dev tool only. Without npm or a connection `make lint` skips it, saying so
## (CI=true fails instead).
BIOME_VERSION := 2.6.9
BIOME_DIR := .cache/biome
BIOME := $(BIOME_DIR)/node_modules/.bin/biome
biome:
	@installed=$$($(BIOME) --version 2>/dev/null); \
	if [ "$$installed" = "Version: $(BIOME_VERSION)" ]; then exit 0; fi; \
	if ! command -v npm >/dev/null 2>&1; then echo "npm not found: cannot fetch Biome"; exit 0; fi; \
	npm install --no-save --no-audit --no-fund --ignore-scripts --prefix $(BIOME_DIR) @biomejs/biome@$(BIOME_VERSION) \
		|| echo "could not fetch Biome $(BIOME_VERSION)"
# $(call biome_run,args): Biome if `make biome` got it, else a skip (a failure under CI=true).
biome_run = @if [ "$$($(BIOME) --version 2>/dev/null)" = "Version: $(BIOME_VERSION)" ]; then \
		echo "biome $(1)"; $(BIOME) $(1); \
	elif [ "$$CI" = true ]; then echo "Biome $(BIOME_VERSION) missing (make biome)"; exit 1; \
	else echo "Biome $(BIOME_VERSION) missing (needs npm): frontend/ not checked"; fi

lint: $(VENV)/.dev-deps biome
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(call biome_run,check --error-on-warnings)

fmt: $(VENV)/.dev-deps biome
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(call biome_run,check --write)

## Pin the dependencies of pyproject.toml with hashes into requirements/ (run.lock for
## `make run` and the Dockerfile, dev.lock for `make test`), for every platform: after editing
## pyproject.toml. Pins that still fit are kept; `make lock-upgrade` moves all to the newest.
LOCK := $(BIN)/uv pip compile pyproject.toml --quiet --universal --python-version 3.11 \
	--generate-hashes --custom-compile-command "make lock"
lock: $(VENV)/.dev-deps
	$(LOCK) $(LOCK_FLAGS) --output-file requirements/run.lock
	$(LOCK) $(LOCK_FLAGS) --extra dev --constraint requirements/run.lock \
		--output-file requirements/dev.lock

lock-upgrade:
	$(MAKE) lock LOCK_FLAGS=--upgrade

migrate: $(VENV)/.run-deps
	$(BIN)/python -m backend migrate

## make migration m="add foo"
migration: $(VENV)/.dev-deps
	$(BIN)/python -m backend makemigration "$(m)"

openapi: $(VENV)/.run-deps
	$(BIN)/python -m backend openapi --out openapi/openapi.json

## Benchmark: a 10,000-row LinkedIn import and the search endpoint over 50,000 note items, on
## SQLite and PostgreSQL (BENCH_POSTGRES, an admin URL; empty for SQLite only); then seeds a
## heavy user, serves with uvicorn, drives it with wrk (apt-get install wrk)
BENCH_POSTGRES ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
bench: $(VENV)/.dev-deps
	$(BIN)/python -m tests.bench.linkedin_import $(if $(BENCH_POSTGRES),--postgres $(BENCH_POSTGRES))
	$(BIN)/python -m tests.bench.search_endpoint $(if $(BENCH_POSTGRES),--postgres $(BENCH_POSTGRES))
	$(BIN)/python tests/bench/run.py

## Long reliability runs on both databases: 50 SIGKILLs mid-write, 30 s of 50 concurrent
## writers, backups while writing (figures printed; SOAK_SEED=n replays the kill times)
soak: $(VENV)/.dev-deps
	SOAK_CRASH_ROUNDS=$${SOAK_CRASH_ROUNDS:-50} SOAK_SECONDS=$${SOAK_SECONDS:-30} \
		$(BIN)/python -m pytest -q tests/test_crash_safety.py \
		tests/test_concurrency_writers.py tests/test_backups.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
