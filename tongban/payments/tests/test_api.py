"""The payments API: pay, callbacks (forged and repeated), receipts, refunds,
reconciliation and figures, with the rows each request writes."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tongban.core import clock
from tongban.identity.services import token_create
from tongban.payments.models import (
    Notification,
    OrderStatus,
    PaymentOrder,
    Refund,
    SimCallback,
    StatementDay,
)
from tongban.payments.providers.simulated import SimulatedProvider, sim_pay
from tongban.payments.tests.conftest import submit_and_accept

API = "/api/v1/payments"


@pytest.fixture
def now(monkeypatch, world):
    moment = {"now": world.at(hours=2)}
    monkeypatch.setattr(clock, "now", lambda: moment["now"])
    return moment


def client_for(user) -> Client:
    _token, secret = token_create(user=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def _pay_through_api(world, now):
    case = submit_and_accept(world)
    order = PaymentOrder.objects.get(case=case)
    citizen = client_for(world.citizen)
    mine = citizen.get(f"{API}/orders").json()
    assert [o["payment_code"] for o in mine] == [order.payment_code]
    assert mine[0]["lines"][2]["basis"].startswith("《江苏省") and mine[0]["due_on"] == "2026-11-23"
    # The stage the fee is due before (收费环节): the acceptance-stage fees wait for delivery.
    assert mine[0]["pay_before"] == "delivery" and mine[0]["pay_before_label"] == "送达前缴清"
    answer = citizen.post(
        f"{API}/orders/{order.payment_code}/pay",
        {"provider": "sim"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="pay-1",
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["order"]["status"] == "pending"
    order.refresh_from_db()
    sim_pay(txn_id=order.provider_txn, deliveries=(), now=now["now"])
    return case, order, citizen


def _callback(order, *, status="success"):
    body = json.dumps(
        {
            "notify_id": "n-1",
            "payment_code": order.payment_code,
            "txn_id": order.provider_txn,
            "status": status,
            "amount_fen": order.amount_fen,
            "paid_at": "2026-11-02T10:05:00+08:00",
        }
    ).encode()
    from tongban.payments.providers.simulated import sign

    return body, sign(body)


def test_an_applicant_pays_and_the_callback_door_applies_it_once(
    world, now, django_capture_on_commit_callbacks
):
    _, order, citizen = _pay_through_api(world, now)
    body, signature = _callback(order)
    door = Client()
    for _ in range(2):
        # The receipt task enqueued with the payment runs after commit, as the worker's.
        with django_capture_on_commit_callbacks(execute=True):
            answer = door.post(
                f"{API}/notify/sim",
                body,
                content_type="application/json",
                HTTP_X_SIM_SIGNATURE=signature,
            )
        assert answer.status_code == 200
    assert [n.outcome for n in Notification.objects.order_by("pk")] == ["applied", "duplicate"]
    paid = citizen.get(f"{API}/orders/{order.payment_code}").json()
    assert paid["status"] == "paid" and paid["receipt_number"]
    pdf = citizen.get(f"{API}/orders/{order.payment_code}/receipt.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    check = paid["receipt_url"].split("?c=")[1]
    verified = Client().get(f"{API}/receipts/{paid['receipt_number']}", {"c": check})
    assert verified.status_code == 200 and verified.json()["paid_fen"] == order.amount_fen
    wrong = Client().get(f"{API}/receipts/{paid['receipt_number']}", {"c": "AAAAAAAAAA"})
    assert wrong.status_code == 404 and wrong.json()["code"] == "payment_receipt_not_found"


def test_a_forged_callback_is_a_401_problem_and_is_stored(world, now):
    _, order, _ = _pay_through_api(world, now)
    body, _ = _callback(order)
    answer = Client().post(
        f"{API}/notify/sim", body, content_type="application/json", HTTP_X_SIM_SIGNATURE="ab" * 32
    )
    assert answer.status_code == 401
    assert answer["Content-Type"].startswith("application/problem+json")
    assert answer.json()["code"] == "payment_signature_invalid"
    assert Notification.objects.get().outcome == "forged"
    assert PaymentOrder.objects.get(pk=order.pk).status == OrderStatus.PENDING


def test_another_person_cannot_see_or_pay_my_order(world, now):
    case = submit_and_accept(world)
    order = PaymentOrder.objects.get(case=case)
    other = client_for(world.other_citizen)
    assert other.get(f"{API}/orders/{order.payment_code}").status_code == 404
    answer = other.post(
        f"{API}/orders/{order.payment_code}/pay",
        {"provider": "sim"},
        content_type="application/json",
    )
    assert answer.status_code == 404 and answer.json()["code"] == "payment_order_not_found"
    assert client_for(world.other_head).get(f"{API}/orders/{order.payment_code}").status_code == 404
    assert Client().get(f"{API}/orders").status_code == 401


def test_paying_a_cancelled_order_is_a_409(world, now):
    case = submit_and_accept(world)
    order = PaymentOrder.objects.get(case=case)
    head = client_for(world.head)
    cancelled = head.post(
        f"{API}/orders/{order.payment_code}/cancel",
        {"reason": "金额开错"},
        content_type="application/json",
    )
    assert cancelled.json()["status"] == "cancelled"
    answer = client_for(world.citizen).post(
        f"{API}/orders/{order.payment_code}/pay",
        {"provider": "sim"},
        content_type="application/json",
    )
    assert answer.status_code == 409 and answer.json()["code"] == "payment_order_not_payable"
    # The clerk may not cancel (部门负责人 only): the same 404 as "not there".
    assert (
        client_for(world.clerk)
        .post(
            f"{API}/orders/{order.payment_code}/cancel",
            {"reason": "再撤"},
            content_type="application/json",
        )
        .status_code
        == 404
    )


def test_staff_issue_an_order_once_per_key_and_fractions_are_refused(world, now):
    clerk = client_for(world.clerk)
    line: dict[str, object] = {"name": "工本费", "basis": "苏价费〔2020〕1号", "amount_fen": 1000}
    body = {"payer_name": "王五", "lines": [line]}
    first = clerk.post(
        f"{API}/staff/orders", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1"
    )
    again = clerk.post(
        f"{API}/staff/orders", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1"
    )
    assert first.status_code == 201 and again.json()["payment_code"] == first.json()["payment_code"]
    assert PaymentOrder.objects.filter(payer_name="王五").count() == 1
    line["amount_fen"] = 10.5
    bad = clerk.post(
        f"{API}/staff/orders", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k2"
    )
    assert bad.status_code == 422 and bad.json()["code"] == "payment_amount_invalid"
    line["amount_fen"] = -100
    bad = clerk.post(
        f"{API}/staff/orders", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k3"
    )
    assert bad.status_code == 422 and bad.json()["code"] == "payment_amount_invalid"
    assert PaymentOrder.objects.filter(payer_name="王五").count() == 1


def test_refund_and_reconciliation_through_the_api(world, now):
    _, order, _ = _pay_through_api(world, now)
    body, signature = _callback(order)
    Client().post(
        f"{API}/notify/sim", body, content_type="application/json", HTTP_X_SIM_SIGNATURE=signature
    )
    clerk, finance = client_for(world.clerk), client_for(world.finance)
    too_much = clerk.post(
        f"{API}/orders/{order.payment_code}/refunds",
        {"amount_fen": order.amount_fen + 1, "reason": "多退"},
        content_type="application/json",
    )
    assert too_much.status_code == 422 and too_much.json()["code"] == "payment_refund_too_large"
    asked = clerk.post(
        f"{API}/orders/{order.payment_code}/refunds",
        {"amount_fen": 1000, "reason": "副本未制作"},
        content_type="application/json",
    )
    assert asked.status_code == 201
    refund_id = asked.json()["id"]
    self_approve = clerk.post(
        f"{API}/refunds/{refund_id}/approve", {}, content_type="application/json"
    )
    assert self_approve.status_code == 404  # a clerk does not approve at all
    head_approve = client_for(world.head).post(
        f"{API}/refunds/{refund_id}/approve", {}, content_type="application/json"
    )
    assert head_approve.status_code == 404  # nor the department head: finance staff do
    done = finance.post(
        f"{API}/refunds/{refund_id}/approve", {"note": "同意"}, content_type="application/json"
    )
    assert done.json()["status"] == "done"
    assert Refund.objects.get(pk=refund_id).status == "done"
    assert PaymentOrder.objects.get(pk=order.pk).status == "part_refunded"

    text = SimulatedProvider().statement(day=world.at().date())
    malformed = finance.post(
        f"{API}/statements",
        {"provider": "sim", "text": text + "x|y|pay|1.5|2026-11-02T10:00:00+08:00\n"},
        content_type="application/json",
    )
    assert malformed.status_code == 422 and malformed.json()["line"] == 4
    assert not StatementDay.objects.exists()
    assert (
        clerk.post(f"{API}/statements", {"text": text}, content_type="application/json").status_code
        == 403
    )
    imported = finance.post(
        f"{API}/statements", {"provider": "sim", "text": text}, content_type="application/json"
    )
    assert imported.status_code == 201 and imported.json()["status"] == "closed"
    figures = finance.get(f"{API}/figures", {"from": "2026-11-01", "to": "2026-11-30"}).json()
    assert figures["paid"] == 1 and figures["paid_fen"] == order.amount_fen
    assert figures["online_share"] == 1.0 and figures["refunded_fen"] == 1000
    assert figures["by_item"][0]["item"] == "检验费"
    assert figures["by_department"][0]["department"] == "南京市市场监督管理局"


def test_the_sim_callback_queue_is_not_reachable_through_the_api(world, now):
    _pay_through_api(world, now)
    assert SimCallback.objects.count() == 0  # deliveries=(): the bank sends nothing
