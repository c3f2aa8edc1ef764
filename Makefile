# uof — two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
CHROMIUM ?= /usr/bin/chromium
export UOF_INSTANCE_PATH ?= $(CURDIR)/instance

.PHONY: run prod-demo test install install-dev chromium lint typecheck migrate demo clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

migrate: install
	$(FLASK) db upgrade

demo: migrate
	$(FLASK) uof demo
	$(FLASK) uof population load uof/data/census2021-ethnicity-west-midlands.csv

## Serve the demo force on http://$(HOST):$(PORT)/ (SQLite in ./instance), with the scheduler as its own process
## beside the web workers, as in production: it sends alerts and digests; Ctrl-C stops both.
# The demo force's name on the Home Office return; a real deployment sets its own.
run: export UOF_FORCE_NAME ?= Demo Police
run: demo
	$(FLASK) uof vapid-keys >/dev/null
	$(FLASK) uof run-jobs
	@echo "Serving on http://$(HOST):$(PORT)/ — log in with one of the demo logins above. Ctrl-C stops."
	@$(FLASK) uof scheduler & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null; wait $$scheduler 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn --bind $(HOST):$(PORT) --workers 2 wsgi:app

## The production stack on this machine (docs/deploy.md): UOF_ENV=production, gunicorn with 4 workers, the
## scheduler, the local PostgreSQL and Redis, HTTPS on https://127.0.0.1:8443/ with a self-signed certificate.
prod-demo: install
	deploy/prod-demo

## Chromium for the browser tests: Debian's package (a browser download is not possible here).
chromium:
	@if [ -x "$(CHROMIUM)" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null 2>&1 || true; \
	fi; \
	if [ ! -x "$(CHROMIUM)" ]; then \
		echo "############################################################################"; \
		echo "## Chromium is NOT installed ($(CHROMIUM) missing) and could not be installed:"; \
		echo "## the browser tests will be SKIPPED. Install Debian's 'chromium' package."; \
		echo "############################################################################"; \
		if [ "$$CI" = "true" ]; then echo "CI=true: failing instead of skipping."; exit 1; fi; \
	fi

## The whole suite: SQLite always, PostgreSQL too when UOF_TEST_DATABASE_URL is set, browser tests in Chromium;
## one pytest worker per core (TEST_WORKERS=0 runs it in one process).
TEST_WORKERS ?= auto
test: install-dev chromium
	$(BIN)/python -m pytest --numprocesses=$(TEST_WORKERS) --cov --cov-report=term:skip-covered -q

lint: install-dev
	$(BIN)/ruff check uof tests bench tools wsgi.py
	$(BIN)/mypy

typecheck: install-dev
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .coverage htmlcov
