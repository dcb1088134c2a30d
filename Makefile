# make run: the site with demo data on http://127.0.0.1:8000 (embedded: SQLite, eager Celery).
# make test: the whole test suite. Both set up .venv first; dependencies come from pyproject.toml.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Touched after a successful install: pip runs again only when pyproject.toml is newer.
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: run test venv

venv: $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# [tool.setuptools] packages = [] makes this install the dependencies only, not our code.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

run: venv
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py runserver 127.0.0.1:8000

# axe-core for tests/e2e/test_accessibility.py (skipped locally without npm; CI installs it).
node_modules/.package-lock.json: package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund; \
	else echo "make test: no npm, the accessibility tests will be skipped" >&2; fi

# pytest exits 5 when it collected no test: a suite that ran nothing has not passed.
test: venv node_modules/.package-lock.json
	@status=0; $(BIN)/python -m pytest $(PYTEST_ARGS) || status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: pytest ran no tests" >&2; exit 1; fi; \
	exit $$status
