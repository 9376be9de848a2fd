VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
# make bench: data set scales (growth: BENCH_SCALES="1 4 16"), rounds, extra bench/run.py options
BENCH_SCALES ?= 1
BENCH_ROUNDS ?= 5
BENCH_ARGS ?=
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test lint format bench backup restore prod-check

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q -e ".[dev]"
	touch $(STAMP)

run: $(STAMP)
	DEBUG=true $(PY) manage.py migrate --noinput
	DEBUG=true $(PY) manage.py load_demo
	@echo "Serving on http://127.0.0.1:8000/ (admin: http://127.0.0.1:8000/admin/), with the task worker"
	DEBUG=true $(PY) manage.py db_worker & worker=$$!; trap 'kill $$worker' EXIT; \
		DEBUG=true $(PY) manage.py runserver 127.0.0.1:8000

test: $(STAMP)
	@echo "== Test suite on SQLite"
	env -u DATABASE_URL $(PY) -m pytest $(PYTEST_ARGS)
	$(PY) tools/pytest_on_postgres.py $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Builds the benchmark data set in PostgreSQL (BENCH_PG, BENCH_DB_PREFIX), installs the Wagtail
# anchor into bench/.wagtail-venv, runs every benchmark and rewrites the generated section of
# BENCHMARKS.md. Not part of `make test`.
# bench/outage.py is not run here: it restarts the machine's PostgreSQL (see BENCHMARKS.md).
bench: $(STAMP)
	BENCH_COMMAND='make bench BENCH_SCALES="$(BENCH_SCALES)" BENCH_ROUNDS=$(BENCH_ROUNDS) $(BENCH_ARGS)' \
		$(PY) bench/run.py --scales $(BENCH_SCALES) --rounds $(BENCH_ROUNDS) $(BENCH_ARGS)

# The database of DATABASE_URL into one file, and back (monitor/backup.py). With the
# environment the servers run with: `make backup` (to var/backups/, dated) or BACKUP=path;
# `make restore BACKUP=path` replaces the whole database (stop the servers first).
BACKUP ?= var/backups/monitor-$(shell date -u +%Y%m%dT%H%M%SZ).backup
backup: $(STAMP)
	$(PY) manage.py backup $(BACKUP)

restore: $(STAMP)
	$(if $(filter command line environment,$(origin BACKUP)),,$(error Say which: make restore BACKUP=path))
	$(PY) manage.py restore $(BACKUP) --yes

# Django's deployment checks with production settings: the environment's, or stand-ins for the
# secrets a development machine lacks. Fails on any warning.
prod-check: $(STAMP)
	env -u DEBUG SECRET_KEY="$${SECRET_KEY:-$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')}" \
		ALLOWED_HOSTS="$${ALLOWED_HOSTS:-monitor.example.org}" \
		$(PY) manage.py check --deploy --fail-level WARNING
