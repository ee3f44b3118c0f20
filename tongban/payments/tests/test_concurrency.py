"""Real concurrency on PostgreSQL: parallel callbacks for one order, parallel
refund approvals, parallel creation with one key."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.db import connection, connections

from tongban.core.errors import DomainError
from tongban.payments.models import (
    Notification,
    OrderEvent,
    OrderStatus,
    PaymentOrder,
    Receipt,
    SimCallback,
)
from tongban.payments.providers.simulated import sim_pay
from tongban.payments.services import (
    notification_receive,
    order_create,
    order_start,
    refund_approve,
    refund_request,
)
from tongban.payments.tests.conftest import seed, submit_and_accept

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL row locks (postgres leg)"
    ),
]


def _in_threads(count: int, work: Callable[[int], object]) -> list[object]:
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except DomainError as exc:
            results[i] = exc.code
        except Exception as exc:  # noqa: BLE001  (the test inspects every outcome)
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@pytest.mark.django_db(transaction=True)
def test_parallel_callbacks_for_one_order_make_one_transition_and_one_receipt():
    try:
        world = seed()
        case = submit_and_accept(world)
        order = PaymentOrder.objects.get(case=case)
        order, _ = order_start(
            order_id=order.pk, provider="sim", actor=world.citizen, now=world.at(hours=2)
        )
        sim_pay(txn_id=order.provider_txn, deliveries=(0,) * 8, now=world.at(hours=2, minutes=1))
        callbacks = list(SimCallback.objects.order_by("pk"))

        def deliver(i: int) -> object:
            return notification_receive(
                provider="sim", body=callbacks[i].body.encode(),
                signature=callbacks[i].signature, now=world.at(hours=2, minutes=2),
            )  # fmt: skip

        results = _in_threads(8, deliver)
        assert sorted(map(str, results)) == ["applied"] + ["duplicate"] * 7
        order.refresh_from_db()
        assert order.status == OrderStatus.PAID
        assert OrderEvent.objects.filter(order=order, action="succeed").count() == 1
        assert Receipt.objects.filter(order=order).count() == 1
        assert Notification.objects.filter(payment_code=order.payment_code).count() == 8
        case.refresh_from_db()
        assert case.fees_unpaid_fen == 0

        # The approval clicked in two tabs at once: one refund is paid.
        first = refund_request(
            order_id=order.pk, amount_fen=order.paid_fen // 2, reason="一半",
            actor=world.clerk, now=world.at(hours=3),
        )  # fmt: skip
        results = _in_threads(
            2,
            lambda i: (
                refund_approve(
                    refund_id=first.pk, actor=world.finance, now=world.at(hours=4)
                ).status
            ),
        )
        assert sorted(map(str, results)) == ["done", "payment_refund_invalid_state"]
        order.refresh_from_db()
        assert order.refunded_fen == order.paid_fen // 2

        # One Idempotency-Key from eight clients: one order.
        results = _in_threads(
            8,
            lambda i: order_create(
                source_key="key:same", department=world.item.department, payer_name="张伟",
                lines=[{"name": "工本费", "amount_fen": 1000}], actor=world.clerk,
                now=world.at(hours=5),
            )[0].pk,
        )  # fmt: skip
        assert len(set(results)) == 1 and isinstance(results[0], int)
        assert PaymentOrder.objects.filter(source_key="key:same").count() == 1
    finally:
        call_command("flush", verbosity=0, interactive=False, reset_sequences=False)
