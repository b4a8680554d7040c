# Daiban (信访代办). `make run` serves the demo; `make test` runs every test.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: install run test bench bench-pg lint migrate demo clean

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

# `make bench`: SQLite at 100,000 petitions; `make bench-pg`: PostgreSQL at 100,000 and 1,000,000
# (BENCH_POSTGRES_URL=postgres://… names the server; default the local one). Data sets are generated
# once into var/bench/ (or databases daiban_bench_*) and reused; see bench/README.md.
bench: install
	$(BIN)/python -m bench.run --database sqlite --sizes $${BENCH_PETITIONS:-100000}
	$(BIN)/python bench/search.py

bench-pg: install
	$(BIN)/python -m bench.run --database postgresql --sizes $${BENCH_PETITIONS:-100000,1000000}

# ruff (style and common bugs), mypy with django-stubs (types), import-linter (the layers of the apps).
lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
