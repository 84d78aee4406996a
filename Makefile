# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_PG_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432/test

.PHONY: run test install migrate lint package-app bench bench-turns clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

## Serve the bot on 127.0.0.1:3978/api/messages (SQLite under var/ unless DATABASE_URL is set).
run: install
	$(BIN)/python -m bot run

migrate: install
	$(BIN)/python -m bot migrate

## The layering contracts (import-linter), then the whole suite; PostgreSQL runs when
## TEST_DATABASE_URL is set, and always in CI (CI=true).
test: install
	$(BIN)/lint-imports
	@if [ "$$CI" = "true" ] && [ -z "$$TEST_DATABASE_URL" ]; then export TEST_DATABASE_URL="$(TEST_PG_URL)"; fi; \
	$(BIN)/python -m pytest -n auto

lint: install
	$(BIN)/ruff check bot dialogs storage tests
	$(BIN)/lint-imports

package-app: install
	$(BIN)/python -m bot package-app --out build/appPackage.zip

## The turn benchmark (docs/benchmarks.md, about 4 minutes): wipes the PostgreSQL database
## BENCH_DATABASE_URL (default .../bench) and var/bench-turns.db. BENCH_ARGS="--reps 3" etc.
bench bench-turns: install
	$(BIN)/python -m bench.bench_turns $(BENCH_ARGS)
	$(BIN)/python -m bench.summarize_turns bench/results/turns.json > bench/results/turns.md

clean:
	rm -rf build .pytest_cache
