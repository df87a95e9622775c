# The two commands: `make run` and `make test`. Only Python 3.11+ and make are needed.
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
UV_VERSION := 0.13.9
export PATH := $(BIN):$(PATH)

.DEFAULT_GOAL := help
.PHONY: help setup run test lint format

help:
	@echo "make run    set up, migrate, load demo data, start web + worker + beat on 127.0.0.1:8000"
	@echo "make test   set up and run the whole test suite"
	@echo "make lint   ruff check and format check"

# The virtualenv, from the lock file; redone when pyproject.toml or uv.lock change.
$(VENV)/.synced: pyproject.toml uv.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@test -x $(BIN)/uv || $(BIN)/pip install --quiet "uv==$(UV_VERSION)"
	$(BIN)/uv sync --frozen --quiet
	@touch $@

setup: $(VENV)/.synced

run: setup
	python manage.py migrate --noinput
	python manage.py seed_demo
	@echo ""
	@echo "  Returns Portal is starting on http://127.0.0.1:8000/"
	@echo "    Admin (back office)     http://127.0.0.1:8000/admin/"
	@echo "    Customer return portal  http://127.0.0.1:8000/returns/"
	@echo "    Integrator API docs     http://127.0.0.1:8000/api/docs/"
	@echo "    Provider sandbox        http://127.0.0.1:8000/admin/sandbox/ (APIs under /sandbox/)"
	@echo "  Demo logins: admin/admin (superuser), manager/manager (returns manager),"
	@echo "               warehouse/warehouse (warehouse staff)"
	@echo "  Portal demo: order DEMO-1001 with demo@example.com (or postcode 75011)"
	@echo "  API token:   python manage.py create_api_token 'My shop'"
	@echo "  Ctrl-C stops everything."
	@echo ""
	honcho --procfile Procfile start

test: setup
	pytest

lint: setup
	ruff check .
	ruff format --check .

format: setup
	ruff check --fix .
	ruff format .
