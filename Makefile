VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
# make bench: data set scales (growth: BENCH_SCALES="1 4 16"), rounds, extra bench/run.py options
BENCH_SCALES ?= 1
BENCH_ROUNDS ?= 5
BENCH_ARGS ?=
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test lint format bench

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q -e ".[dev]"
	touch $(STAMP)

run: $(STAMP)
	DEBUG=true $(PY) manage.py migrate --noinput
	DEBUG=true $(PY) manage.py load_demo
	@echo "Serving on http://127.0.0.1:8000/ (admin: http://127.0.0.1:8000/admin/)"
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
bench: $(STAMP)
	BENCH_COMMAND='make bench BENCH_SCALES="$(BENCH_SCALES)" BENCH_ROUNDS=$(BENCH_ROUNDS) $(BENCH_ARGS)' \
		$(PY) bench/run.py --scales $(BENCH_SCALES) --rounds $(BENCH_ROUNDS) $(BENCH_ARGS)
