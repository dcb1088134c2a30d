# make run: the site with demo data on http://127.0.0.1:8000 (embedded: SQLite, eager Celery).
# make test: the whole test suite. Both set up .venv first, from the lock files alone.
# make upgrade: refresh the lock files within pyproject.toml's ranges, then run the suite.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Every dependency, direct and transitive, pinned with its hashes (pip-tools). The test lock is
# the runtime lock plus the test tools, at the same versions.
LOCK := requirements.lock
TEST_LOCK := requirements-test.lock
PIP_INSTALL := $(BIN)/python -m pip install --quiet --require-hashes --no-deps
# Touched after a successful install: pip runs again only when its lock file is newer.
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
PYTEST_ARGS ?=
# Where the locks resolve from is the machine's business (pip.conf), not the lock's.
PIP_COMPILE := $(BIN)/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe \
	--no-emit-index-url --no-emit-find-links --no-emit-trusted-host

.PHONY: run test venv upgrade lock

venv: $(TEST_STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(RUN_STAMP): $(LOCK) | $(BIN)/python
	$(PIP_INSTALL) -r $(LOCK)
	touch $@

$(TEST_STAMP): $(TEST_LOCK) | $(BIN)/python
	$(PIP_INSTALL) -r $(TEST_LOCK)
	touch $@ $(RUN_STAMP)

# ADDR=0.0.0.0:8000 serves the local network too (add the host to ALLOWED_HOSTS); mail
# links follow the address each request was made to unless SITE_URL is set.
ADDR ?= 127.0.0.1:8000

run: $(RUN_STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	@echo
	@echo "  The site:  http://$(ADDR)/        the admin:  http://$(ADDR)/admin/"
	@echo "  Mail goes to this console and to the admin's Outbox."
	@echo
	$(BIN)/python manage.py runserver $(ADDR)

# axe-core for tests/e2e/test_accessibility.py (skipped locally without npm; CI installs it).
node_modules/.package-lock.json: package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund; \
	else echo "make test: no npm, the accessibility tests will be skipped" >&2; fi

# pytest exits 5 when it collected no test: a suite that ran nothing has not passed.
test: $(TEST_STAMP) node_modules/.package-lock.json
	@status=0; $(BIN)/python -m pytest $(PYTEST_ARGS) || status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: pytest ran no tests" >&2; exit 1; fi; \
	exit $$status

# Resolve the locks from pyproject.toml: the test lock first (everything), then the runtime
# lock constrained to it, so the two never disagree on a version. UPGRADE=--upgrade moves every
# pin to the newest release the ranges allow; without it, only what pyproject.toml changed moves.
lock: | $(BIN)/python
	$(BIN)/python -m pip install --quiet pip-tools
	$(PIP_COMPILE) $(UPGRADE) --extra test --output-file $(TEST_LOCK) pyproject.toml
	$(PIP_COMPILE) $(UPGRADE) --constraint $(TEST_LOCK) --output-file $(LOCK) pyproject.toml

# A reviewed step: new pins, installed into .venv, and the whole suite on them. Commit the two
# lock files only when it passes.
upgrade:
	$(MAKE) lock UPGRADE=--upgrade
	$(BIN)/pip-sync --quiet $(TEST_LOCK)
	touch $(TEST_STAMP) $(RUN_STAMP)
	$(MAKE) test
