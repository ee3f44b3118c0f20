"""The SQL statements one HTTP submission makes, captured from Django (not a test).

``bench/case_submit.pgbench`` is the pgbench twin of a submission; this lists
what the application really issues for the same request, so that the twin is
derived from it and checked against it, not guessed. One ``POST
/api/v1/cases`` through Django's test client (token, ``Idempotency-Key``, the
bench's item and materials) after a first one has warmed the caches, under
``CaptureQueriesContext``; each statement is shown with the transaction it ran
in (``auto`` = autocommit, ``tx`` = the outermost transaction, ``sp<n>`` =
inside n savepoints), then how many transactions wrote.

    DATABASE_URL=postgres://…/tb_bench .venv/bin/python -m bench.case_statements [--full]
"""

from __future__ import annotations

import json
import os
import re
import sys
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def capture_submission(actors: Any, *, token: str | None = None) -> list[dict[str, Any]]:
    """One warmed submission's statements: ``{"sql", "where"}`` in order."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    token = token or actors.citizens[0]
    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {token}")
    body = {
        "implementation_code": actors.item_code,
        "applicant": {"kind": "person"},
        "form": actors.form,
        "materials": actors.materials,
    }

    def post() -> Any:
        response = client.post(
            "/api/v1/cases",
            json.dumps(body, ensure_ascii=False),
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
        )
        assert response.status_code == 201, response.content[:500]
        return response

    post()  # caches filled (content types, the published guide)
    places: list[str] = []

    def mark(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if not connection.in_atomic_block:
            places.append("auto")
        else:
            depth = len([s for s in connection.savepoint_ids if s])
            places.append(f"sp{depth}" if depth else "tx")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(mark), CaptureQueriesContext(connection) as captured:
        post()
    # CaptureQueriesContext lists every statement, BEGIN and COMMIT too; the
    # wrapper saw the others, in the same order, and where they ran.
    out, rest = [], iter(places)
    for q in captured.captured_queries:
        bare = q["sql"].strip().upper() in {"BEGIN", "COMMIT", "ROLLBACK"}
        out.append({"sql": q["sql"], "where": "" if bare else next(rest, "?")})
    return out


def kind(sql: str) -> str:
    """``INSERT cases_case``, ``SELECT core_notification``, ``SAVEPOINT`` …"""
    sql = sql.strip()
    if sql.upper().startswith("WITH"):  # WITH … UPDATE (core.counters.counter_take)
        match = re.search(r'\)\s*(UPDATE|INSERT INTO|DELETE FROM)\s+"?(\w+)', sql, re.S | re.I)
        if match:
            return f"{match.group(1).split()[0].upper()} {match.group(2)}"
    for verb, pattern in (
        ("INSERT", r'INSERT INTO "?(\w+)'),
        ("UPDATE", r'UPDATE "?(\w+)'),
        ("DELETE", r'DELETE FROM "?(\w+)'),
        ("SELECT", r'SELECT .*? FROM "?(\w+)'),
    ):
        if sql.upper().startswith(verb):
            match = re.match(pattern, sql, re.S | re.I)
            return f"{verb} {match.group(1) if match else ''}".strip()
    return sql.split()[0].upper()


def summary(statements: list[dict[str, Any]]) -> str:
    kinds: Counter[str] = Counter(kind(s["sql"]) for s in statements)
    return ", ".join(f"{k} ×{n}" for k, n in kinds.items())


def transactions(statements: list[dict[str, Any]]) -> str:
    """How many transactions wrote, and which autocommit statements wrote: each
    commit that wrote waits for its WAL flush unless it turned that off."""
    commits = sum(1 for s in statements if s["sql"].strip().upper() == "COMMIT")
    auto = [
        kind(s["sql"])
        for s in statements
        if s["where"] == "auto" and not kind(s["sql"]).startswith("SELECT")
    ]
    return f"{commits} transaction(s) with BEGIN/COMMIT; autocommit writes: {auto or 'none'}"


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ["DJANGO_DEBUG"] = "0"
    import django

    django.setup()
    from bench.case_flow.actors import prepare_actors

    width = None if "--full" in sys.argv else 160
    statements = capture_submission(prepare_actors(1))
    for n, s in enumerate(statements, 1):
        sql = re.sub(r"'\\x[0-9a-f]{64,}'", "'<bytes>'", " ".join(s["sql"].split()))
        print(f"{n:2d} [{s['where']:>4}] {sql[:width]}")
    print(f"\n{len(statements)} statements: {summary(statements)}")
    print(transactions(statements))


if __name__ == "__main__":
    main()
