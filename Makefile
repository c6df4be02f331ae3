# careerplan: `make run` serves the API (embedded defaults, nothing but Python needed);
# `make test` runs the suite (PostgreSQL/Redis when DATABASE_URL/CELERY_BROKER_URL say so).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help venv run setup migrate catalogue demo serve test test-fast lint format schema check lock clean

help:
	@echo "make run     set up (venv, migrate, catalogue, demo accounts) and serve web + worker + beat"
	@echo "make test    set up and run the whole test suite"
	@echo "make lint    ruff check + ruff format --check"
	@echo "make schema  write and validate the OpenAPI schema (var/openapi.yaml)"

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP)

# Local demo: DEBUG on (development secret, browsable API, demo accounts).
run: export DJANGO_DEBUG ?= true
run: setup serve

setup: export DJANGO_DEBUG ?= true
setup: venv migrate catalogue demo

migrate: venv
	$(PY) manage.py migrate --no-input

catalogue: venv
	$(PY) manage.py load_catalogue

demo: venv
	$(PY) manage.py create_demo_accounts

serve: export DJANGO_DEBUG ?= true
serve: venv
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/honcho start --port $${PORT:-8000} --procfile Procfile

test: venv
	$(BIN)/pytest $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

schema: venv
	DJANGO_DEBUG=true $(PY) manage.py spectacular --validate --fail-on-warn --file var/openapi.yaml

check: lint schema
	DJANGO_DEBUG=true $(PY) manage.py check
	DJANGO_DEBUG=true $(PY) manage.py makemigrations --check --dry-run

# Re-pin after editing pyproject.toml's dependency ranges.
lock:
	rm -rf var/lockvenv && $(PYTHON) -m venv var/lockvenv
	var/lockvenv/bin/pip install --quiet .
	var/lockvenv/bin/pip freeze --exclude careerplan | sed '1i # Runtime dependencies, pinned. Regenerate: make lock' > requirements.txt
	var/lockvenv/bin/pip install --quiet '.[dev]'
	var/lockvenv/bin/pip freeze --exclude careerplan | grep -v -x -F -f requirements.txt \
	  | sed '1i -r requirements.txt' | sed '1i # Test and lint dependencies, pinned. Regenerate: make lock' > requirements-dev.txt
	rm -rf var/lockvenv

clean:
	rm -rf var/celery var/mail var/static

# Benchmarks (bench/README.md): each drops and recreates its own careerplan_bench_* database
# on the PostgreSQL at BENCH_PG_ADMIN_URL and writes its section of bench/RESULTS.md.
.PHONY: bench-reminders
bench-reminders: venv
	$(PY) -m bench.reminders

.PHONY: bench
bench: venv
	@command -v wrk >/dev/null || { echo "make bench needs wrk: apt-get install -y wrk"; exit 1; }
	$(PY) -m bench.api
