# Every task a newcomer needs, in one file. `make run` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test lint fmt migrate migration openapi bench clean

$(VENV)/.python-ok:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Nexthop needs Python 3.11 or newer (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	touch $@

$(VENV)/.run-deps: $(VENV)/.python-ok pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.dev-deps: $(VENV)/.run-deps pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

## Install, migrate the embedded SQLite database and serve on http://127.0.0.1:8000
run: $(VENV)/.run-deps
	$(BIN)/python -m backend serve

## Lint and the whole test suite (SQLite and PostgreSQL)
test: $(VENV)/.dev-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

lint: $(VENV)/.dev-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: $(VENV)/.dev-deps
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrate: $(VENV)/.run-deps
	$(BIN)/python -m backend migrate

## make migration m="add foo"
migration: $(VENV)/.dev-deps
	$(BIN)/python -m backend makemigration "$(m)"

openapi: $(VENV)/.run-deps
	$(BIN)/python -m backend openapi --out openapi/openapi.json

## Benchmark: seeds a heavy user, serves with uvicorn, drives it with wrk (apt-get install wrk)
bench: $(VENV)/.dev-deps
	$(BIN)/python tests/bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
