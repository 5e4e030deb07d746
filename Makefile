# Suara — `make demo` runs the platform on embedded defaults; `make test` runs the whole suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# A Python >= 3.12: $(PYTHON) if given, else the first suitable one on PATH or under pyenv.
PYTHON ?= $(shell for p in python3.13 python3.12 python3.14 python3 \
	$$(ls -d $$(pyenv root 2>/dev/null)/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV); do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null \
	&& { command -v $$p; break; }; done)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The Nu HTML Checker, from the npm registry; the browser tests validate every page with it.
VNU := .tools/node_modules/vnu-jar/build/dist/vnu.jar

DEMO_ENV := DEBUG=true
# Tests talk to the real services; override DATABASE_URL / REDIS_URL to point elsewhere.
DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/suara
REDIS_URL ?= redis://127.0.0.1:6379/0
TEST_ENV := DEBUG=false HTTPS=false SECRET_KEY=test-only-secret-key-not-for-production \
	DATABASE_URL=$(DATABASE_URL) REDIS_URL=$(REDIS_URL) DJANGO_ALLOW_ASYNC_UNSAFE=true

.PHONY: help venv demo demo-data test lint format messages bench audit lock clean

help:
	@echo "make demo   - run Suara on http://127.0.0.1:8000 with demo content (SQLite)"
	@echo "make test   - run the whole test suite (PostgreSQL, Redis, Celery, Chromium)"
	@echo "make lint   - ruff check and format check"
	@echo "make bench  - run the benchmarks in bench/ and print their figures"
	@echo "make audit  - check the locked dependencies for known vulnerabilities (pip-audit)"

$(STAMP): pyproject.toml requirements.lock
	@if [ -z "$(PYTHON)" ]; then \
		echo "error: Suara needs Python 3.12 or newer; none found. Install one or run 'make PYTHON=/path/to/python3.12 ...'." >&2; \
		exit 1; fi
	@echo "Using $(PYTHON)"
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]" -c requirements.lock
	touch $(STAMP)

venv: $(STAMP)

$(VNU):
	npm install --prefix .tools --no-audit --no-fund --silent vnu-jar@26

demo: venv
	$(DEMO_ENV) $(PY) manage.py migrate --noinput
	$(DEMO_ENV) $(PY) manage.py compilemessages --ignore=.venv >/dev/null
	$(DEMO_ENV) $(PY) manage.py load_demo
	$(DEMO_ENV) $(PY) manage.py runserver 127.0.0.1:8000

test: venv $(VNU)
	$(TEST_ENV) $(PY) manage.py compilemessages --ignore=.venv >/dev/null
	$(TEST_ENV) $(PY) manage.py collectstatic --noinput >/dev/null
	$(TEST_ENV) $(PY) -m pytest $(PYTEST_ARGS)

lint: venv
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: venv
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

# Regenerate the catalogues after changing user-facing strings.
messages: venv
	for lang in ms zh_Hans ta ar fr es; do \
		$(DEMO_ENV) $(PY) manage.py makemessages --no-obsolete --no-location --ignore=.venv --ignore=staticfiles --ignore=tests --ignore=bench -l $$lang; done

bench: venv
	$(TEST_ENV) $(PY) bench/run.py $(BENCH)

# pip-audit asks a vulnerability database online (OSV or PyPI's JSON API).
audit:
	test -x .tools/audit/bin/pip-audit || { $(PYTHON) -m venv .tools/audit && .tools/audit/bin/pip install --quiet pip-audit; }
	.tools/audit/bin/pip-audit --strict --disable-pip --no-deps -r requirements.lock

# Record the versions now installed after changing dependencies in pyproject.toml.
lock: venv
	{ sed -n '1,2p' requirements.lock; $(PY) -m pip freeze --exclude-editable; } > requirements.lock.new
	mv requirements.lock.new requirements.lock

clean:
	rm -rf $(VENV) staticfiles db.sqlite3
