# giaoban: `make demo` to try it, `make test` to check it, `make bench` to measure it.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: install demo serve services test test-sqlite test-postgres lint bench messages clean tour

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/giaoban migrate --noinput -v 0
	$(BIN)/giaoban demo
	PORT=$(PORT) $(BIN)/giaoban serve

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/giaoban makemigrations --check --dry-run -v 0

test-sqlite: install
	env -u DATABASE_URL $(BIN)/pytest

test-postgres: install
	TEST_DATABASE_URL=$(TEST_DATABASE_URL) bash scripts/with-postgres.sh $(BIN)/pytest

services:
	bash scripts/ensure-services.sh

test: services lint test-sqlite test-postgres

tour: install
	$(BIN)/giaoban tour docs/tour

bench: install
	$(BIN)/python -m bench

messages: install
	cd giaoban && ../$(BIN)/giaoban makemessages -l vi -l en --no-obsolete && ../$(BIN)/giaoban compilemessages

clean:
	rm -rf $(VENV) var .pytest_cache
