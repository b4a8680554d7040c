# Daiban (信访代办). `make run` serves the demo; `make test` runs every test.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: install run test bench lint migrate demo clean

$(BIN)/.installed: requirements.txt
	@$(PY) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "需要 Python 3.11 或更高版本 (Python 3.11+ required)")'
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

install: $(BIN)/.installed

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo

# The server and, beside it, the background worker (messages, case files); Ctrl-C stops both.
run: demo
	@echo "Daiban 信访代办 — 群众门户 http://127.0.0.1:$(PORT)/  工作人员 http://127.0.0.1:$(PORT)/staff/  管理后台 http://127.0.0.1:$(PORT)/admin/  接口文档 http://127.0.0.1:$(PORT)/api/v1/docs"
	@$(BIN)/python manage.py db_worker --queue-name '*' --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install
	$(BIN)/python -m pytest

# PostgreSQL figures need a server: BENCH_POSTGRES_URL=postgres://… (default: a local one if it answers).
BENCH_POSTGRES_URL ?= $(shell pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null && psql -h 127.0.0.1 -U postgres -qtAc "SELECT 1 FROM pg_database WHERE datname='daiban_bench'" 2>/dev/null | grep -q 1 || psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE daiban_bench" >/dev/null 2>&1; pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null && echo postgres://postgres@127.0.0.1:5432/daiban_bench)

bench: install
	$(BIN)/python bench/run.py
	$(BIN)/python bench/worker.py
	BENCH_POSTGRES_URL="$(BENCH_POSTGRES_URL)" $(BIN)/python bench/stats.py
	BENCH_POSTGRES_URL="$(BENCH_POSTGRES_URL)" $(BIN)/python bench/search.py
	$(BIN)/python bench/documents.py

# ruff (style and common bugs), mypy with django-stubs (types), import-linter (the layers of the apps).
lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
