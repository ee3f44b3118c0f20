"""The submission's writes in one statement on PostgreSQL (``services.intake_pg``).

The rows the one statement writes are those the ORM's path writes: the case
with its materials and history keyed to it, the SMS with its
``notification.created`` outbox row naming it and that row's delivery task,
``case.submit``'s outbox rows and their one delivery task, the audit event, and
the answer stored under the ``Idempotency-Key`` byte for byte. A ``post_save``
receiver on any of those models sends the submission the ORM's way, so that it
runs (never skipped silently). SQLite always takes the ORM's way.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.db import connection
from django.db.models import signals
from django.test import Client
from django_tasks_db.models import DBTaskResult

from tongban.cases.models import Case, CaseEvent
from tongban.cases.services.intake_pg import at_once
from tongban.core.models import AuditEvent, IdempotencyRecord, Notification, OutboxMessage

from .test_query_counts import CASES, submission

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the one statement is PostgreSQL's"
)


def _submit(client: Client, world: Any) -> tuple[Any, str]:
    key = uuid.uuid4().hex
    response = client.post(
        CASES, submission(world), content_type="application/json", headers={"Idempotency-Key": key}
    )
    assert response.status_code == 201, response.content
    return response, key


@pytest.fixture
def database_tasks(settings: Any) -> None:
    """The database task backend, as in production: the delivery tasks are rows
    written by the one statement (test_query_counts)."""
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": ["default", "outbox", "scheduler"],
        }
    }


def test_the_one_statement_writes_what_the_orm_would(world, accounts, database_tasks):
    assert at_once()
    client = Client(headers=accounts.bearer(accounts.citizen))
    response, key = _submit(client, world)
    case = Case.objects.get(case_no=response.json()["case_no"])
    assert sorted(case.materials.values_list("code", flat=True)) == ["application", "layout"]
    assert [e.action for e in CaseEvent.objects.filter(case=case).order_by("id")] == [
        "submit",
        "deadline_change",
    ]
    sms = Notification.objects.get(object_type="case", object_id=f"{case.case_no}/v1")
    created = OutboxMessage.objects.get(
        event="notification.created", payload__notification_id=sms.pk
    )
    submitted = list(
        OutboxMessage.objects.filter(event="case.submit", payload__case_no=case.case_no)
        .order_by("id")
        .values_list("pk", flat=True)
    )
    assert (
        submitted and len({m.event_id for m in OutboxMessage.objects.filter(pk__in=submitted)}) == 1
    )
    tasks = [
        (t.task_path, t.args_kwargs["args"])
        for t in DBTaskResult.objects.filter(queue_name="outbox")
    ]
    assert ("tongban.core.tasks.outbox_deliver", [created.pk]) in tasks
    if len(submitted) > 1:
        assert ("tongban.core.tasks.outbox_deliver_batch", [submitted]) in tasks
    else:
        assert ("tongban.core.tasks.outbox_deliver", submitted) in tasks
    assert AuditEvent.objects.filter(action="case.submit", object_id=case.case_no).count() == 1
    record = IdempotencyRecord.objects.get(key=key)
    assert record.status_code == 201
    assert bytes(record.response_body or b"") == response.content
    assert record.response_headers["Location"] == response["Location"]


def test_a_post_save_receiver_sends_the_submission_the_orm_way(world, accounts):
    seen: list[str] = []

    def receiver(sender: Any, instance: Case, created: bool, **kwargs: Any) -> None:
        seen.append(instance.case_no)

    signals.post_save.connect(receiver, sender=Case, weak=False)
    try:
        assert not at_once()
        client = Client(headers=accounts.bearer(accounts.citizen))
        response, _ = _submit(client, world)
    finally:
        signals.post_save.disconnect(receiver, sender=Case)
    assert at_once()
    assert seen == [response.json()["case_no"]]
    case = Case.objects.get(case_no=seen[0])
    assert case.materials.count() == 2
