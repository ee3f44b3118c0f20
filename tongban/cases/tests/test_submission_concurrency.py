"""One submission, one writing transaction, on PostgreSQL (issue 12, item 2):
the statements of a submission by transaction, and parallel retries with one
``Idempotency-Key`` that make one case. Apart from ``test_submission_once``:
these tests commit, which the module-wide seeded world there cannot share."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from tongban.cases.models import Case
from tongban.cases.tests import conftest
from tongban.cases.tests.test_submission_once import body, post
from tongban.core.models import IdempotencyRecord

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (postgres leg)"),
]
DATABASE_TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "outbox", "scheduler"],
    }
}


def _seeded() -> tuple[Any, Any]:
    world = conftest._seed()
    return world, conftest._seed_accounts(world)


@override_settings(TASKS=DATABASE_TASKS)
def test_the_key_the_case_the_tasks_and_the_answer_commit_in_one_transaction():
    world, accounts = _seeded()
    client = Client(headers=accounts.bearer(accounts.citizen))
    post(client, body(world), "warm")  # caches filled
    with CaptureQueriesContext(connection) as captured:
        response = post(client, body(world), "one-transaction")
    assert response.status_code == 201, response.content
    transactions: list[list[str]] = []
    autocommit: list[str] = []
    current: list[str] | None = None
    for query in captured.captured_queries:
        sql = query["sql"].strip()
        if sql == "BEGIN":
            current = []
        elif sql == "COMMIT":
            assert current is not None
            transactions.append(current)
            current = None
        elif current is not None:
            current.append(sql)
        else:
            autocommit.append(sql)
    [submission] = transactions  # one transaction writes the submission
    # Outside it: reads, and the day's number in one statement whose commit
    # does not wait for its flush (the submission's commit flushes it).
    writes = [sql for sql in autocommit if not sql.upper().startswith("SELECT")]
    assert len(writes) == 1 and writes[0].startswith("WITH relaxed AS"), writes
    assert "set_config('synchronous_commit', 'off', true)" in writes[0]
    assert 'UPDATE "cases_casenumbersequence"' in writes[0]
    text = "\n".join(submission)
    assert submission[0].startswith('INSERT INTO "core_idempotencyrecord"')
    assert 'UPDATE "core_idempotencyrecord"' in submission[-1]
    for table in ("cases_case", "cases_casematerial", "core_outboxmessage"):
        assert f'INSERT INTO "{table}"' in text, table
    assert text.count('INSERT INTO "django_tasks_database_dbtaskresult"') == 2
    assert "SAVEPOINT" not in text


def test_parallel_retries_with_one_key_make_one_case():
    world, accounts = _seeded()
    headers = accounts.bearer(accounts.citizen)
    data = body(world)
    count = 6
    barrier = threading.Barrier(count)
    answers: list[Any] = [None] * count

    def send(i: int) -> None:
        try:
            barrier.wait()
            answers[i] = post(Client(headers=headers), data, "parallel-1")
        except Exception as exc:  # noqa: BLE001  (the test inspects every outcome)
            answers[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    statuses = [getattr(a, "status_code", a) for a in answers]
    assert all(s in (201, 409) for s in statuses), statuses
    created = [a for a in answers if a.status_code == 201]
    assert len({a.json()["case_no"] for a in created}) == 1
    assert sum("Idempotent-Replayed" not in a for a in created) == 1
    for refused in (a for a in answers if a.status_code == 409):
        assert refused.json()["code"] == "idempotency_in_progress"
    assert Case.objects.count() == 1
    assert IdempotencyRecord.objects.get(key="parallel-1").status_code == 201
