"""The statements of a callback on PostgreSQL (issue 19's 500 callbacks/s): the
common ones — applied, duplicate, a failure after the success — each in one
statement between BEGIN and COMMIT, with everything that goes with it written
by that statement: the history, the audit event, the receipt task and the
callback stored with its outcome."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from tongban.core.models import AuditEvent
from tongban.core.task_queue import task_row
from tongban.payments.models import Notification, OrderEvent, OrderStatus, PaymentOrder
from tongban.payments.providers.simulated import sign
from tongban.payments.services import notification_receive, order_start
from tongban.payments.tasks import payments_receipt_issue
from tongban.payments.tests.conftest import submit_and_accept

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the one-statement path is PostgreSQL's"
    ),
]


@pytest.fixture(autouse=True)
def database_tasks(settings: Any) -> None:
    """The database task backend, as in production: the receipt task's row is
    written by the callback's own statement."""
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": ["default", "outbox", "scheduler"],
        }
    }


def _callback(order: PaymentOrder, status: str, notify_id: str) -> tuple[bytes, str]:
    body = json.dumps(
        {
            "notify_id": notify_id,
            "payment_code": order.payment_code,
            "txn_id": order.provider_txn,
            "status": status,
            "amount_fen": order.amount_fen,
            "paid_at": None,
        }
    ).encode()
    return body, sign(body)


def _pending_without_case(world: Any) -> PaymentOrder:
    """A pending order of no case (as the bench's): the callback alone."""
    case = submit_and_accept(world)
    order = PaymentOrder.objects.get(case=case)
    order, _ = order_start(
        order_id=order.pk, provider="sim", actor=world.citizen, now=world.at(hours=2)
    )
    PaymentOrder.objects.filter(pk=order.pk).update(case=None)
    return order


def test_applied_duplicate_and_late_failure_are_one_statement_each(
    world: Any, django_assert_num_queries: Any
) -> None:
    order = _pending_without_case(world)
    now = world.at(hours=3)
    body, signature = _callback(order, "success", "n1")
    with django_assert_num_queries(3):  # BEGIN, the statement, COMMIT
        outcome = notification_receive(provider="sim", body=body, signature=signature, now=now)
    assert outcome == "applied"
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and order.paid_fen == order.amount_fen
    assert order.version == 3  # created, started, paid
    event = OrderEvent.objects.get(order=order, action="succeed")
    assert (event.from_status, event.to_status, event.actor_label) == (
        "pending", "paid", "provider:sim",
    )  # fmt: skip
    assert event.details == {"txn": order.provider_txn, "amount_fen": order.amount_fen}
    audit = AuditEvent.objects.get(action="payments.succeed", object_id=order.payment_code)
    assert audit.details == {
        "from": "pending", "to": "paid", "txn": order.provider_txn,
        "amount_fen": order.amount_fen,
    }  # fmt: skip
    assert audit.at == now and audit.position is None  # sealed later, as every event
    task = DBTaskResult.objects.get(task_path=payments_receipt_issue.module_path)
    assert task.args_kwargs == {"args": [order.pk, now.isoformat()], "kwargs": {}}
    assert task.status == "READY" and task.queue_name == "default"
    stored = Notification.objects.get(notify_id="n1")
    assert (stored.outcome, stored.payment_code, stored.body) == (
        "applied", order.payment_code, body.decode(),
    )  # fmt: skip

    # The duplicate and the failure that arrives after the success: stored, nothing else.
    for notify_id, status, expected in (("n2", "success", "duplicate"), ("n3", "failed", "stale")):
        body, signature = _callback(order, status, notify_id)
        with django_assert_num_queries(3):
            outcome = notification_receive(provider="sim", body=body, signature=signature, now=now)
        assert outcome == expected
        assert Notification.objects.get(notify_id=notify_id).outcome == expected
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and order.version == 3
    assert (
        OrderEvent.objects.filter(order=order).exclude(action__in=("create", "start")).count() == 1
    )
    assert AuditEvent.objects.filter(action="payments.succeed").count() == 1
    assert DBTaskResult.objects.filter(task_path=payments_receipt_issue.module_path).count() == 1


def test_the_failure_of_the_pending_attempt_takes_the_general_path(world: Any) -> None:
    order = _pending_without_case(world)
    body, signature = _callback(order, "failed", "f1")
    outcome = notification_receive(
        provider="sim", body=body, signature=signature, now=world.at(hours=3)
    )
    assert outcome == "applied"
    order.refresh_from_db()
    assert order.status == OrderStatus.FAILED
    assert Notification.objects.get(notify_id="f1").outcome == "applied"


def test_the_receipt_task_row_is_the_one_the_backend_writes(world: Any) -> None:
    """``task_row`` makes the row as django-tasks-db's ``enqueue`` does: an
    upgrade of the library that changes its rows fails here."""
    made = task_row(payments_receipt_issue, 7, "2026-11-02T12:00:00+08:00")
    assert made is not None
    made.save(force_insert=True)
    result = payments_receipt_issue.enqueue(7, "2026-11-02T12:00:00+08:00")
    enqueued = DBTaskResult.objects.get(pk=result.id)
    made.refresh_from_db()
    skip = {"id", "enqueued_at"}
    fields = [f.attname for f in DBTaskResult._meta.concrete_fields if f.attname not in skip]
    assert {f: getattr(made, f) for f in fields} == {f: getattr(enqueued, f) for f in fields}


def test_a_post_save_receiver_sends_the_callback_down_the_general_path(world: Any) -> None:
    """Rows written inside the statement would skip a ``post_save`` receiver:
    with one connected, the callback is applied through the ORM instead."""
    from django.db.models.signals import post_save

    seen: list[str] = []

    def receiver(sender: Any, instance: OrderEvent, **kwargs: Any) -> None:
        seen.append(instance.action)

    order = _pending_without_case(world)
    post_save.connect(receiver, sender=OrderEvent, weak=False)
    try:
        body, signature = _callback(order, "success", "g1")
        outcome = notification_receive(
            provider="sim", body=body, signature=signature, now=world.at(hours=3)
        )
    finally:
        post_save.disconnect(receiver, sender=OrderEvent)
    assert outcome == "applied" and seen == ["succeed"]
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert Notification.objects.get(notify_id="g1").outcome == "applied"
