# Probity's one entry point for developers and CI: `make run`, `make test`, `make lint`, `make bench`.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.ONESHELL:
.DEFAULT_GOAL := help
MAKEFLAGS += --no-builtin-rules

# A pyenv shim called python3.12 may exist with no 3.12 behind it; scripts/find-python
# asks each candidate to run. Override with `make PYTHON=/path/to/python3.12 ...`.
PYTHON ?= $(shell scripts/find-python 2>/dev/null)
UV_VERSION := 0.13.9
VENV := .venv
BIN := $(VENV)/bin
VENV_STAMP := $(VENV)/.probity-installed
NODE_STAMP := node_modules/.probity-installed
VAR_DIR ?= $(or $(PROBITY_VAR_DIR),var)
PYTEST_ARGS ?=

.PHONY: help venv run test test-sqlite test-postgres chromium lint bench clean distclean

help:
	@echo "make run        install everything, migrate, seed the demo, serve http://127.0.0.1:8000"
	@echo "make test       the test suite on SQLite, then on a throwaway PostgreSQL"
	@echo "make lint       ruff, ruff format --check, mypy, djlint, makemigrations --check"
	@echo "make bench      benchmarks, one JSON line per figure"
	@echo "make clean      remove var/, caches and install stamps (keeps .venv and node_modules)"
	@echo "make distclean  clean, and remove .venv and node_modules too"

# --- installation -------------------------------------------------------------------------

venv: $(VENV_STAMP)
$(VENV): $(VENV_STAMP)

$(VENV_STAMP): requirements.lock pyproject.toml
	if [[ -x $(BIN)/python ]] && ! $(BIN)/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))'; then
	    echo "$(VENV) is not Python 3.12: recreating it"
	    rm -rf $(VENV)
	fi
	if [[ ! -x $(BIN)/python ]]; then
	    if [[ -z "$(PYTHON)" ]]; then scripts/find-python; exit 1; fi
	    "$(PYTHON)" -m venv $(VENV)
	fi
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip install --quiet --system-certs --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install --quiet --system-certs --python $(BIN)/python --no-deps -e .
	touch $@

$(NODE_STAMP): package-lock.json package.json
	command -v npm >/dev/null || { echo "npm is required (Node.js 20 with npm)" >&2; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Debian's Chromium for the browser tests (Playwright drives /usr/bin/chromium; it never
# downloads a browser of its own).
chromium:
	@if [[ ! -x /usr/bin/chromium ]]; then
	    if [[ $$(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
	        echo "Installing Debian's chromium for the browser tests"
	        export DEBIAN_FRONTEND=noninteractive
	        apt-get update -qq
	        apt-get install -y -qq chromium >/dev/null
	    else
	        echo "warning: /usr/bin/chromium is missing; browser tests will be skipped (apt-get install chromium)" >&2
	    fi
	fi

# --- running ------------------------------------------------------------------------------

run: $(VENV_STAMP) $(NODE_STAMP)
	PROBITY_VAR_DIR="$(VAR_DIR)" scripts/run

# --- checking -----------------------------------------------------------------------------

# Both databases always run, so one failing does not hide the other's result.
test: $(VENV_STAMP) $(NODE_STAMP) chromium
	@status=0
	echo "=== pytest on SQLite"
	env -u PROBITY_DATABASE_URL $(BIN)/pytest $(PYTEST_ARGS) || status=1
	echo "=== pytest on PostgreSQL"
	scripts/with-postgres $(BIN)/pytest $(PYTEST_ARGS) || status=1
	exit $$status

test-sqlite: $(VENV_STAMP) $(NODE_STAMP) chromium
	env -u PROBITY_DATABASE_URL $(BIN)/pytest $(PYTEST_ARGS)

test-postgres: $(VENV_STAMP) $(NODE_STAMP) chromium
	scripts/with-postgres $(BIN)/pytest $(PYTEST_ARGS)

# Every checker runs even when an earlier one fails, so one run shows every problem.
lint: $(VENV_STAMP) $(NODE_STAMP)
	@status=0
	check() { echo "=== $$*"; "$$@" || status=1; }
	check $(BIN)/ruff check .
	check $(BIN)/ruff format --check .
	check $(BIN)/mypy
	check $(BIN)/djlint src/probity --lint
	check $(BIN)/djlint src/probity --check
	scratch=$$(mktemp -d)
	check env PROBITY_VAR_DIR="$$scratch" $(BIN)/probity makemigrations --check --dry-run
	rm -rf "$$scratch"
	exit $$status

bench: $(VENV_STAMP)
	$(BIN)/python bench/run.py

# --- tidying ------------------------------------------------------------------------------

clean:
	rm -rf var/ .pytest_cache .mypy_cache .ruff_cache build dist src/*.egg-info
	rm -f $(VENV_STAMP) $(NODE_STAMP)
	find src tests bench scripts -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) node_modules
