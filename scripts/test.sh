#!/usr/bin/env bash
# Runs every check, as `make test` and CI do. Legs:
#   static   ruff (lint, format), import-linter, mypy, OpenAPI schema up to date
#   sqlite   pytest on SQLite (all but browser tests)
#   postgres pytest on PostgreSQL, when TONGBAN_TEST_DATABASE_URL is set
#   browser  Playwright tests in Chromium (/usr/bin/chromium), when installed
# With CI=true a leg that cannot run is a failure, not a skip.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export DJANGO_SETTINGS_MODULE=config.settings.test
export PYTHONHASHSEED=0
ci="${CI:-}"
# pytest-xdist workers for the SQLite and PostgreSQL legs (each worker has its own
# test database); the whole suite is checked with 2 on every stop.
workers="${TONGBAN_TEST_WORKERS:-2}"
status=()

leg() { echo; echo "=== leg: $1 ==="; }

leg static
$BIN/ruff check .
$BIN/ruff format --check .
$BIN/lint-imports
$BIN/mypy tongban config
$BIN/tongban openapi --check docs/openapi.json
status+=("static: passed")

leg sqlite
env -u TONGBAN_TEST_DATABASE_URL $BIN/pytest -m "not browser" -q -n "$workers"
status+=("sqlite: passed")

leg postgres
if [ -n "${TONGBAN_TEST_DATABASE_URL:-}" ]; then
  $BIN/pytest -m "not browser" -q -n "$workers"
  status+=("postgres: passed")
elif [ -n "$ci" ]; then
  echo "postgres leg: TONGBAN_TEST_DATABASE_URL is not set, but CI must run it" >&2
  exit 1
else
  echo "skipped: set TONGBAN_TEST_DATABASE_URL=postgres://… to run it"
  status+=("postgres: skipped (no TONGBAN_TEST_DATABASE_URL)")
fi

leg browser
chromium="${TONGBAN_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$chromium" ]; then
  env -u TONGBAN_TEST_DATABASE_URL $BIN/pytest -m browser -q -p no:xdist
  status+=("browser: passed")
elif [ -n "$ci" ]; then
  echo "browser leg: $chromium is missing, but CI must run it" >&2
  exit 1
else
  echo "skipped: install Debian's chromium to run it"
  status+=("browser: skipped (no $chromium)")
fi

echo
echo "=== summary ==="
printf '%s\n' "${status[@]}"
