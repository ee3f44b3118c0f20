# Tongban: the two commands are `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export DJANGO_SETTINGS_MODULE ?= config.settings.local
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run dev test install install-dev lint typecheck pytest openapi lock serve clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Runtime dependencies, hash-checked; re-installed when the lock file changes.
$(VENV)/.base-installed: requirements/base.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/base.txt
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.dev-installed: requirements/dev.txt $(VENV)/.base-installed
	$(BIN)/pip install --quiet --require-hashes -r requirements/dev.txt
	touch $@

# Files from the npm registry, integrity-checked by the lock file: the CJK font
# that PDFs embed (Noto Sans SC, TrueType outlines, SIL OFL 1.1; core.pdf_fonts)
# and Apache ECharts for the board's charts (Apache-2.0; core.staticfinders).
node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.base-installed node_modules/.installed
install-dev: $(VENV)/.dev-installed node_modules/.installed

# Install, migrate, load the demo province if the database is empty, serve
# web + task worker + scheduler on http://127.0.0.1:8000 until Ctrl-C.
run: install
	$(BIN)/tongban migrate --noinput
	$(BIN)/tongban demo load --if-empty
	DJANGO_DEBUG=0 $(BIN)/tongban serve --host 127.0.0.1 --port 8000

# The same with Django's debug pages, for developers only: they show settings,
# SQL and the request's data to whoever makes a page fail (never for users).
dev: install
	$(BIN)/tongban migrate --noinput
	$(BIN)/tongban demo load --if-empty
	DJANGO_DEBUG=1 $(BIN)/tongban serve --host 127.0.0.1 --port 8000

# Every check CI runs: ruff, import-linter, mypy, the OpenAPI schema, pytest on
# SQLite, then on PostgreSQL and in Chromium when those are available (in CI
# they must be: scripts/test.sh fails a leg that would be skipped).
test: install-dev
	scripts/test.sh

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: install-dev
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/mypy tongban config

openapi: install-dev
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/tongban openapi --write docs/openapi.json

pytest: install-dev
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/pytest

# Re-pin the dependencies (needs pip-tools in the venv).
lock: install-dev
	$(BIN)/pip install --quiet pip-tools
	for f in base dev; do \
	  $(BIN)/pip-compile --quiet --generate-hashes --no-emit-index-url --no-emit-find-links \
	    --strip-extras --allow-unsafe -o requirements/$$f.txt requirements/$$f.in; \
	done
	sed -i 's|#    pip-compile .*|#    make lock|' requirements/*.txt

clean:
	rm -rf $(VENV) staticfiles .mypy_cache .ruff_cache
