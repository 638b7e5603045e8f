# The project's chores, one way each. CI runs the same targets (.ci/run calls `make test`).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app app
PORT ?= 5000
PYTEST_ARGS ?=

.PHONY: run install install-dev system-deps test test-sqlite test-postgresql lint format bench bench-postgresql clean

$(VENV)/bin/python:
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(VENV)/bin/python
	$(VENV)/bin/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt | $(VENV)/bin/python
	$(VENV)/bin/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

## Serve the app with demo data on http://127.0.0.1:$(PORT), with the scheduler process beside it.
run: install
	APP_ENV=development $(FLASK) db upgrade
	APP_ENV=development $(FLASK) demo --if-empty
	@echo "Ouvrez http://127.0.0.1:$(PORT) (Ctrl-C arrête le serveur et le planificateur)."
	APP_ENV=development PORT=$(PORT) $(VENV)/bin/honcho start --procfile Procfile

system-deps:
	@scripts/system-deps.sh

## The whole suite on SQLite, then the database tests again on a throw-away PostgreSQL.
test: install-dev system-deps
	$(PY) -m pytest $(PYTEST_ARGS)
	scripts/with-postgres.sh $(PY) -m pytest -m db $(PYTEST_ARGS)

test-sqlite: install-dev system-deps
	$(PY) -m pytest $(PYTEST_ARGS)

test-postgresql: install-dev system-deps
	scripts/with-postgres.sh $(PY) -m pytest -m db $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/bandit --quiet --configfile pyproject.toml --recursive .

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: install-dev
	$(PY) -m bench.pages
	$(PY) -m bench.demo_data
	$(PY) -m bench.grouping
	$(PY) -m bench.entrainements
	$(PY) -m bench.attestations

## The same benchmarks on a throw-away PostgreSQL (one server each: demo_data needs an empty database).
bench-postgresql: install-dev system-deps
	scripts/with-postgres.sh sh -c '$(PY) -m bench.pages --database-url "$$TEST_DATABASE_URL"'
	scripts/with-postgres.sh sh -c '$(PY) -m bench.demo_data --database-url "$$TEST_DATABASE_URL"'
	scripts/with-postgres.sh sh -c '$(PY) -m bench.entrainements --database-url "$$TEST_DATABASE_URL"'

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
