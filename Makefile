# Trust Privacy Portal. `make run` to try it, `make test` to check it.
SHELL := bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
# Unset DATABASE_URL means the private cluster under var/pg (scripts/pg), with its two roles.
DB := $(if $(DATABASE_URL),,db)
# Migrations run as the owner role; everything else as the app role (docs/operations.md, "Database roles").
OWNER_URL = $(or $(DATABASE_OWNER_URL),$(if $(DATABASE_URL),$(DATABASE_URL),$(shell scripts/pg url owner)))

.PHONY: help run serve test lint bench db db-stop migrate demo venv deps clean

help:
	@echo "make run      install, start the database, migrate, load the demo and serve on http://localhost:8000"
	@echo "make serve    the same, production-style (gunicorn, DEBUG off)"
	@echo "make test     ruff, migration check and the test suite (real PostgreSQL and Chromium)"
	@echo "make bench    the benchmark suite (bench/)"
	@echo "make db-stop  stop the private PostgreSQL cluster"

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@scripts/system-deps weasyprint
	@python=$$(scripts/find-python) || exit 1; [ -x $(PY) ] || "$$python" -m venv $(VENV)
	@$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	@touch $@

venv: $(VENV)/.installed

deps: venv
	@scripts/system-deps weasyprint

db:
	@scripts/pg start

db-stop:
	@scripts/pg stop

migrate: deps $(DB)
	@DATABASE_URL="$(OWNER_URL)" $(PY) manage.py migrate_schemas --noinput -v 0

demo: migrate
	@$(PY) manage.py load_demo

run: demo
	@scripts/serve dev

serve: demo
	@scripts/serve prod

test: deps $(DB)
	@scripts/system-deps chromium
	@scripts/system-deps redis || true
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: demo
	@scripts/system-deps wrk
	@scripts/system-deps redis || true
	$(PY) -m bench

clean:
	rm -rf $(VENV)
