"""Paying through the simulated provider: callbacks duplicate, late, missing,
out of order, forged; the status query; the case proceeds once paid."""

from __future__ import annotations

import json

import pytest

from tongban.cases import services as case_services
from tongban.core.errors import DomainError
from tongban.core.models import AuditEvent
from tongban.payments.models import (
    Notification,
    NotifyOutcome,
    OrderEvent,
    OrderStatus,
    PaymentOrder,
    Receipt,
)
from tongban.payments.providers.simulated import SimulatedProvider, sign, sim_deliver_due, sim_pay
from tongban.payments.services import (
    notification_receive,
    order_cancel,
    order_start,
    orders_query_pending,
)
from tongban.payments.tests.conftest import submit_and_accept


def _started(world, *, minutes: int = 0):
    case = submit_and_accept(world)
    order = PaymentOrder.objects.get(case=case)
    order, url = order_start(
        order_id=order.pk, provider="sim", actor=world.citizen,
        now=world.at(hours=2, minutes=minutes),
    )  # fmt: skip
    return case, order, url


def _transitions(order, action):
    return OrderEvent.objects.filter(order=order, action=action).count()


def test_paying_settles_the_order_issues_a_receipt_and_lets_the_case_be_delivered(
    world, django_capture_on_commit_callbacks
):
    case, order, url = _started(world)
    assert order.status == OrderStatus.PENDING and url == f"/payments/sim/{order.provider_txn}/"
    sim_pay(txn_id=order.provider_txn, now=world.at(hours=2, minutes=1))
    with django_capture_on_commit_callbacks() as enqueued:
        assert sim_deliver_due(now=world.at(hours=2, minutes=1)) == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and order.paid_fen == order.amount_fen
    # The receipt is the worker's, after commit: none in the payment's transaction.
    assert not Receipt.objects.filter(order=order).exists() and enqueued
    for after_commit in enqueued:
        after_commit()
    assert Receipt.objects.filter(order=order).exists()
    case.refresh_from_db()
    assert case.fees_unpaid_fen == 0
    assert case.events.filter(action="fees", details__to_fen=0).exists()
    case_services.case_decide(
        case_id=case.pk, actor=world.reviewer, outcome="granted", reason="符合条件",
        legal_basis="《食品安全法》第三十五条", now=world.at(days=1),
    )  # fmt: skip
    case = case_services.case_deliver(
        case_id=case.pk, actor=world.clerk, method="window", now=world.at(days=2)
    )
    assert case.status == "delivered"


def test_a_callback_delivered_twice_changes_the_order_once(
    world, django_capture_on_commit_callbacks
):
    _, order, _ = _started(world)
    sim_pay(txn_id=order.provider_txn, deliveries=(0, 5), now=world.at(hours=2, minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        sim_deliver_due(now=world.at(hours=3))
    outcomes = list(
        Notification.objects.filter(payment_code=order.payment_code)
        .order_by("pk")
        .values_list("outcome", flat=True)
    )
    assert outcomes == [NotifyOutcome.APPLIED, NotifyOutcome.DUPLICATE]
    assert _transitions(order, "succeed") == 1
    assert Receipt.objects.filter(order=order).count() == 1


def test_a_missing_callback_is_made_up_for_by_the_scheduled_query(world):
    _, order, _ = _started(world)
    sim_pay(txn_id=order.provider_txn, deliveries=(), now=world.at(hours=2, minutes=1))
    # Not yet: pending for less than the 15 minutes a callback may take.
    assert orders_query_pending(now=world.at(hours=2, minutes=10)) == 0
    assert orders_query_pending(now=world.at(hours=2, minutes=20)) == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert not Notification.objects.filter(payment_code=order.payment_code).exists()
    assert OrderEvent.objects.get(order=order, action="succeed").actor_label == "query"


def test_a_late_callback_after_the_query_changes_nothing(world):
    _, order, _ = _started(world)
    sim_pay(txn_id=order.provider_txn, deliveries=(7200,), now=world.at(hours=2, minutes=1))
    assert sim_deliver_due(now=world.at(hours=2, minutes=30)) == 0  # not sent yet
    orders_query_pending(now=world.at(hours=2, minutes=30))
    assert sim_deliver_due(now=world.at(hours=5)) == 1
    assert Notification.objects.get(payment_code=order.payment_code).outcome == "duplicate"
    assert _transitions(order, "succeed") == 1


def test_a_failure_arriving_after_the_success_does_not_undo_it(world):
    _, order, _ = _started(world)
    first_txn = order.provider_txn
    # The first attempt is declined; its callback is slow.
    sim_pay(txn_id=first_txn, succeed=False, deliveries=(3600,), now=world.at(hours=2, minutes=1))
    order, _ = order_start(
        order_id=order.pk, provider="sim", actor=world.citizen, now=world.at(hours=2, minutes=2)
    )
    assert order.provider_txn != first_txn
    sim_pay(txn_id=order.provider_txn, deliveries=(0,), now=world.at(hours=2, minutes=3))
    sim_deliver_due(now=world.at(hours=2, minutes=3))
    sim_deliver_due(now=world.at(hours=4))  # the old failure, out of order
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    outcomes = list(
        Notification.objects.filter(payment_code=order.payment_code)
        .order_by("pk")
        .values_list("outcome", flat=True)
    )
    assert outcomes == [NotifyOutcome.APPLIED, NotifyOutcome.STALE]
    assert _transitions(order, "fail") == 0


def test_a_failure_callback_of_the_current_attempt_marks_it_failed_and_it_can_be_retried(world):
    _, order, _ = _started(world)
    sim_pay(txn_id=order.provider_txn, succeed=False, now=world.at(hours=2, minutes=1))
    sim_deliver_due(now=world.at(hours=2, minutes=1))
    order.refresh_from_db()
    assert order.status == OrderStatus.FAILED
    order, _ = order_start(
        order_id=order.pk, provider="sim", actor=world.citizen, now=world.at(hours=2, minutes=5)
    )
    assert order.status == OrderStatus.PENDING


def test_a_forged_callback_is_refused_logged_and_changes_nothing(world, caplog):
    _, order, _ = _started(world)
    body = json.dumps(
        {
            "notify_id": "x1", "payment_code": order.payment_code, "txn_id": order.provider_txn,
            "status": "success", "amount_fen": order.amount_fen, "paid_at": None,
        }
    ).encode()  # fmt: skip
    with pytest.raises(DomainError) as exc:
        notification_receive(
            provider="sim", body=body, signature="0" * 64, address="203.0.113.9",
            now=world.at(hours=3),
        )  # fmt: skip
    assert exc.value.code == "payment_signature_invalid"
    stored = Notification.objects.get()
    assert stored.outcome == NotifyOutcome.FORGED and stored.address == "203.0.113.9"
    assert "payment callback refused" in caplog.text
    assert AuditEvent.objects.filter(action="payments.callback_refused").exists()
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING


def test_a_tampered_amount_breaks_the_signature(world):
    _, order, _ = _started(world)
    txn = sim_pay(txn_id=order.provider_txn, deliveries=(), now=world.at(hours=2, minutes=1))
    body = json.dumps(
        {
            "notify_id": "n1", "payment_code": order.payment_code, "txn_id": txn.txn_id,
            "status": "success", "amount_fen": txn.amount_fen, "paid_at": str(txn.paid_at),
        }
    ).encode()  # fmt: skip
    signature = sign(body)
    tampered = body.replace(str(txn.amount_fen).encode(), b"1")
    with pytest.raises(DomainError):
        notification_receive(
            provider="sim", body=tampered, signature=signature, now=world.at(hours=3)
        )
    assert (
        notification_receive(provider="sim", body=body, signature=signature, now=world.at(hours=3))
        == NotifyOutcome.APPLIED
    )


def test_money_arriving_for_a_cancelled_order_does_not_reopen_it(world):
    _, order, _ = _started(world)
    order_cancel(
        order_id=order.pk, actor=world.head, reason="申请人撤回", now=world.at(hours=2, minutes=1)
    )
    sim_pay(txn_id=order.provider_txn, now=world.at(hours=2, minutes=2))
    sim_deliver_due(now=world.at(hours=2, minutes=2))
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert Notification.objects.get(payment_code=order.payment_code).outcome == "after_close"
    assert OrderEvent.objects.filter(order=order, action="late_payment").exists()


def test_a_callback_for_an_unknown_code_is_recorded(world):
    body = json.dumps(
        {"notify_id": "u1", "payment_code": "32010026100000000000", "txn_id": "SIMX",
         "status": "success", "amount_fen": 100, "paid_at": None}
    ).encode()  # fmt: skip
    outcome = notification_receive(provider="sim", body=body, signature=sign(body), now=world.at())
    assert outcome == NotifyOutcome.UNKNOWN_ORDER


def test_the_provider_answers_a_status_query(world):
    _, order, _ = _started(world)
    provider = SimulatedProvider()
    answer = provider.query(payment_code=order.payment_code, txn_id=order.provider_txn)
    assert answer is not None and answer.status == "waiting"
    sim_pay(txn_id=order.provider_txn, deliveries=(), now=world.at(hours=2, minutes=1))
    answer = provider.query(payment_code=order.payment_code, txn_id=order.provider_txn)
    assert answer is not None and answer.status == "success"
    assert answer.amount_fen == order.amount_fen
    assert provider.query(payment_code=order.payment_code, txn_id="nope") is None


def _signed(order, *, amount_fen: int, txn: str, notify_id: str = "a1"):
    body = json.dumps(
        {"notify_id": notify_id, "payment_code": order.payment_code, "txn_id": txn,
         "status": "success", "amount_fen": amount_fen, "paid_at": "2026-11-02T10:05:00+08:00"}
    ).encode()  # fmt: skip
    return body, sign(body)


def test_an_applied_callback_writes_the_transition_its_history_audit_and_receipt_task_once(
    world, django_capture_on_commit_callbacks
):
    case, order, _ = _started(world)
    version = order.version
    # A different amount is not applied (and nothing of the order changes).
    body, signature = _signed(order, amount_fen=order.amount_fen + 1, txn=order.provider_txn)
    outcome = notification_receive(provider="sim", body=body, signature=signature, now=world.at())
    assert outcome == NotifyOutcome.AMOUNT_DIFFERS
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING and order.version == version
    # The amount owed: paid once, from the status it was in, at the provider's time.
    body, signature = _signed(order, amount_fen=order.amount_fen, txn="", notify_id="a2")
    with django_capture_on_commit_callbacks() as enqueued:
        outcome = notification_receive(
            provider="sim", body=body, signature=signature, now=world.at(hours=3)
        )
    assert outcome == NotifyOutcome.APPLIED and len(enqueued) == 1  # the receipt's task
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and order.version == version + 1
    assert order.paid_fen == order.amount_fen and order.provider_txn.startswith("SIM")
    assert order.paid_at.isoformat() == "2026-11-02T02:05:00+00:00"
    event = OrderEvent.objects.get(order=order, action="succeed")
    assert (event.from_status, event.to_status, event.actor_label) == (
        "pending", "paid", "provider:sim",
    )  # fmt: skip
    audit = AuditEvent.objects.get(action="payments.succeed", object_id=order.payment_code)
    assert audit.details["from"] == "pending" and audit.details["to"] == "paid"
    case.refresh_from_db()
    assert case.fees_unpaid_fen == 0
    # The same word again is a duplicate and changes nothing.
    outcome = notification_receive(provider="sim", body=body, signature=signature, now=world.at())
    assert outcome == NotifyOutcome.DUPLICATE
    order.refresh_from_db()
    assert order.version == version + 1 and _transitions(order, "succeed") == 1
