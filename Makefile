# Daiban (信访代办). `make run` serves the demo; `make test` runs every test.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: install run test bench bench-pg lint migrate demo clean

$(BIN)/.installed: requirements.txt
	@$(PY) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "需要 Python 3.11 或更高版本 (Python 3.11+ required)")'
	@echo "==> 安装依赖到 $(VENV)（首次约 2–4 分钟，之后跳过）…"
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --progress-bar off -r requirements.txt
	@touch $@
	@echo "==> 依赖已安装"

install: $(BIN)/.installed

migrate: install
	@echo "==> 迁移数据库…"
	@$(BIN)/python manage.py migrate --noinput -v 0

# The demo organisation and accounts, then a month of cases made by the real workflow (both once).
demo: migrate
	@echo "==> 载入演示机构、账号和演示月的信访事项（首次约 10–60 秒）…"
	@$(BIN)/python manage.py load_demo --quiet
	@$(BIN)/python manage.py load_demo_month

# The server and, beside it, the background worker (messages, case files) and a loop delivering the
# queued SMS every 60 s (`notify`, as cron does in production; always the console backend here: the
# SMS are written to var/worker.log, never sent). Ctrl-C stops all three, without make's "Error 130".
# The addresses and accounts are printed last, once the server answers.
run: demo
	@echo "==> 启动服务器和后台任务进程…"
	@mkdir -p var; $(BIN)/python manage.py db_worker --queue-name '*' --no-reload >> var/worker.log 2>&1 & worker=$$!; \
	( trap 'kill $$! 2>/dev/null; exit 0' TERM; while :; do \
	  DAIBAN_SMS_BACKEND=daiban.notifications.backends.ConsoleBackend $(BIN)/python manage.py notify >> var/worker.log 2>&1; \
	  sleep 60 & wait $$!; done ) & notifier=$$!; \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT) & server=$$!; \
	stop() { kill $$worker $$notifier $$server 2>/dev/null; wait $$worker $$notifier $$server 2>/dev/null; }; \
	trap 'exit 0' INT TERM; trap stop EXIT; \
	$(BIN)/python -m daiban.lib.waitfor http://127.0.0.1:$(PORT)/ 120; \
	echo ""; \
	echo "Daiban 信访代办已启动（Ctrl-C 停止）："; \
	echo "  群众门户  http://127.0.0.1:$(PORT)/"; \
	echo "  工作人员  http://127.0.0.1:$(PORT)/staff/"; \
	echo "  管理后台  http://127.0.0.1:$(PORT)/admin/"; \
	echo "  接口文档  http://127.0.0.1:$(PORT)/api/v1/docs"; \
	echo "  后台任务（短信每分钟发送一次，开发环境只写日志、不真发）日志：var/worker.log"; \
	$(BIN)/python manage.py load_demo --accounts; \
	wait $$server

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
