# Entry points; the work is done by scripts/ (see README.rst).
.PHONY: help bootstrap run run-bg stop test lint format bench load two-servers big-tables screenshots clean

help:
	@echo "make run      demo database + Odoo on http://127.0.0.1:$${HTTP_PORT:-8069} (foreground)"
	@echo "make run-bg   the same, detached; returns when the API answers"
	@echo "make stop     stop the detached server"
	@echo "make test     lint, Odoo tests, install check, wheels, end-to-end tests"
	@echo "make lint     every hook of .pre-commit-config.yaml (checks, changes nothing)"
	@echo "make format   the same hooks, letting them fix what they can"
	@echo "make bench    benchmarks (tests/bench/)"
	@echo "make load     load: the API vs JSON-RPC with 1, 2, 4 workers (tests/load/)"
	@echo "make two-servers  two Odoo servers, one database: 10,000 deliveries by both cron threads"
	@echo "make big-tables  EXPLAIN of lists, queue, retention beside 1M log entries (scratch DB)"
	@echo "make screenshots  dashboard and integration set-up screenshots into docs/screenshots/ (headless Chromium)"
	@echo "make clean    drop this checkout's databases and .state/"

bootstrap:
	@bash scripts/bootstrap.sh

run:
	@bash scripts/run.sh

run-bg:
	@bash scripts/run.sh --background

stop:
	@bash scripts/run.sh --stop

test:
	@bash scripts/test.sh

lint:
	@bash scripts/bootstrap.sh
	@bash scripts/lint.sh

format:
	@bash scripts/bootstrap.sh
	@FIX=1 bash scripts/lint.sh

bench:
	@bash scripts/bench.sh

load:
	@bash scripts/load.sh

two-servers:
	@bash scripts/bootstrap.sh
	@.venv/bin/python tests/load/two_servers.py $(TWO_SERVERS_ARGS)

big-tables:
	@bash scripts/bootstrap.sh
	@.venv/bin/python scripts/big_tables.py --ui $(BIG_TABLES_ARGS)

screenshots:
	@bash scripts/bootstrap.sh
	@.venv/bin/python scripts/screenshots.py

clean:
	@bash scripts/clean.sh
