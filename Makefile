# casework — the two set-up commands are `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
FLASK := $(VENV)/bin/flask --app wsgi
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
export CASEWORK_ENV ?= development

.PHONY: run test install install-test lock bench bench-instructions bench-crypto bench-import bench-stats lint clean translations

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e .
	touch $(STAMP)

$(TEST_STAMP): $(STAMP) pyproject.toml
	$(PIP) install --quiet -e '.[test]'
	touch $(TEST_STAMP)

install: $(STAMP)
install-test: $(TEST_STAMP)

## Install, initialise SQLite with demo data, print the demo logins, serve on :5000.
run: install
	$(FLASK) casework init
	$(FLASK) casework demo
	$(FLASK) run --host 127.0.0.1 --port 5000

## Install the test extra and run the whole suite on SQLite, then on PostgreSQL.
test: install-test
	$(PY) scripts/test_all.py -q -p no:cacheprovider -n 2

## Re-pin the application's dependencies (with hashes) after changing pyproject.toml.
lock: install
	$(PIP) install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --python-version 3.11 --generate-hashes \
		--quiet -o requirements.lock

lint: install-test
	$(VENV)/bin/ruff check casework workflows tests bench scripts

## Load benchmark (issue 9): gunicorn on PostgreSQL with 100,000 cases vs a bare baseline (wrk).
bench: install-test
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(PY) bench/load.py

## Instructions per request (valgrind): the same endpoints and baseline, unmoved by a noisy machine.
bench-instructions: install-test
	@command -v valgrind >/dev/null || (apt-get update -qq && apt-get install -y -qq valgrind)
	$(PY) bench/instructions.py

## Encryption cost per field and per API read (issue 3).
bench-crypto: install-test
	$(PY) bench/crypto.py

## Importing a 10,000-row handover list on SQLite (issue 6).
bench-import: install-test
	$(PY) bench/import_bench.py

## Statistics at scale: 1M cases / ~10M history rows into a fresh PostgreSQL database (dropped after).
bench-stats: install-test
	$(PY) bench/stats.py

## Extract the page strings, merge them into the vi/en catalogs and compile the .mo files.
## Translate the new entries in casework/translations/vi/LC_MESSAGES/messages.po, then run again.
translations: install
	$(VENV)/bin/pybabel extract -F babel.cfg --no-location --sort-output -k lazy_gettext -k _l \
		-o casework/translations/messages.pot .
	$(VENV)/bin/pybabel update -i casework/translations/messages.pot -d casework/translations \
		--no-fuzzy-matching --ignore-obsolete
	$(VENV)/bin/pybabel compile -d casework/translations --statistics

clean:
	rm -rf $(VENV) instance .pytest_cache
