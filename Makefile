# The set-up contract: `make run` serves the Seoul demo; `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_WORKERS ?= 2
FRONTEND := build/static/vendor/.built

.PHONY: run test lint bench install install-test migrate demo serve clean format lock

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

# Every dependency (the platform's, the tests' and the linters') comes from one lock file with
# hashes; `make lock` refreshes it from pyproject.toml.
$(VENV)/.installed: pyproject.toml requirements.lock | $(VENV)/bin/python
	$(PY) -m pip install -q --require-hashes -r requirements.lock
	$(PY) -m pip install -q --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed $(FRONTEND)
	touch $@

# The look and feel (KRDS, Pretendard GOV) comes from npm packages at install time, built into
# build/static/ (docs/adr/0006-front-end-packages.md); nothing runs Node after this.
$(FRONTEND): frontend/package.json frontend/package-lock.json frontend/build.mjs frontend/krds.scss
	@command -v npm >/dev/null || { echo "npm is needed to install the front-end packages (Debian: apt-get install nodejs npm)"; exit 1; }
	npm ci --prefix frontend --no-audit --no-fund --ignore-scripts --loglevel=error
	node frontend/build.mjs
	touch $@

install: $(VENV)/.installed $(FRONTEND)
install-test: $(VENV)/.installed-test

migrate: install
	$(PY) -m smartseoul.cli compile-translations
	$(PY) -m smartseoul.cli manage migrate --noinput
	$(PY) -m smartseoul.cli manage collectstatic --noinput -v 0

demo: migrate
	$(PY) -m smartseoul.cli demo --host $(HOST) --port $(PORT)

serve: install
	$(PY) -m smartseoul.cli serve --host $(HOST) --port $(PORT)

## Install, migrate, load the Seoul demo and serve http://127.0.0.1:8000
run: demo serve

## Install the test dependencies and run the whole suite (SQLite, or DATABASE_URL when set)
test: install-test
	$(PY) -m smartseoul.cli compile-translations
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

lint: install-test
	$(VENV)/bin/ruff check smartseoul tests bench conftest.py
	$(VENV)/bin/mypy smartseoul
	$(VENV)/bin/lint-imports

format: install-test
	$(VENV)/bin/ruff check --fix smartseoul tests bench
	$(VENV)/bin/ruff format smartseoul tests bench

## Benchmarks: each prints its figures next to a baseline measured in the same run
bench: install-test
	@set -e; for b in bench/[!_]*.py; do echo "== $$b"; $(PY) $$b $(BENCH_ARGS); done

## Refresh requirements.lock (hashed pins of every dependency and extra) from pyproject.toml
lock:
	$(PYTHON) -m venv var/piptools
	var/piptools/bin/pip install -q pip-tools
	var/piptools/bin/pip-compile -q --all-extras --allow-unsafe --generate-hashes --strip-extras \
		--no-emit-index-url --no-emit-find-links --upgrade --output-file=requirements.lock pyproject.toml

clean:
	rm -rf $(VENV) var/static
