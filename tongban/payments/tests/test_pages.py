"""The portal's pay pages and the workbench's finance pages, without a browser."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tongban.core import clock
from tongban.payments.models import (
    DayStatus,
    Notification,
    OrderStatus,
    PaymentOrder,
    Receipt,
    Refund,
    RefundStatus,
    StatementDay,
)
from tongban.payments.providers.simulated import SimulatedProvider, sim_deliver_due
from tongban.payments.tests.conftest import submit_and_accept


@pytest.fixture
def now(monkeypatch, world):
    moment = {"now": world.at(hours=2)}
    monkeypatch.setattr(clock, "now", lambda: moment["now"])
    return moment


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _pay_in_portal(world, capture):
    """Pay in the portal; ``capture`` runs what the payment's transaction enqueued
    (the receipt) as the task worker does after commit."""
    case = submit_and_accept(world)
    order = PaymentOrder.objects.get(case=case)
    citizen = _client(world.citizen)
    page = citizen.get(reverse("portal:my_case", args=[case.case_no]))
    body = page.content.decode()
    assert "尚需缴费 220.00 元" in body and order.payment_code in body
    assert "缴款期限 2026年11月23日" in body
    order_page = citizen.get(reverse("portal:my_payment", args=[order.payment_code]))
    text = order_page.content.decode()
    assert (
        "检验费" in text
        and "《江苏省行政事业性收费项目目录》" in text
        and "去缴费 220.00 元" in text
    )
    to_cashier = citizen.post(
        reverse("portal:my_payment", args=[order.payment_code]), {"provider": "sim"}
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING
    assert to_cashier["Location"] == f"/payments/sim/{order.provider_txn}/"
    cashier = citizen.get(to_cashier["Location"])
    assert "模拟收银台" in cashier.content.decode() and "220.00" in cashier.content.decode()
    back = citizen.post(to_cashier["Location"], {"outcome": "pay"})
    assert back["Location"] == reverse("portal:my_payment_return", args=[order.payment_code])
    with capture(execute=True):
        returned = citizen.get(back["Location"])
    paid = citizen.get(returned["Location"])
    return case, order, citizen, paid


def test_an_applicant_pays_from_my_cases_and_gets_the_receipt(
    world, now, django_capture_on_commit_callbacks
):
    case, order, citizen, paid = _pay_in_portal(world, django_capture_on_commit_callbacks)
    text = paid.content.decode()
    assert "缴费成功" in text and "已缴款" in text
    receipt = Receipt.objects.get(order=order)
    assert receipt.number in text
    pdf = citizen.get(reverse("portal:my_payment_receipt", args=[order.payment_code]))
    assert pdf["Content-Type"] == "application/pdf"
    verify = Client().get(
        reverse("portal:payment_receipt_verify", args=[receipt.number]), {"c": receipt.check_code}
    )
    assert "票据真实有效" in verify.content.decode()
    forged = Client().get(
        reverse("portal:payment_receipt_verify", args=[receipt.number]), {"c": "ZZZZZZZZZZ"}
    )
    assert forged.status_code == 404
    case.refresh_from_db()
    assert case.fees_unpaid_fen == 0
    # The bank's callbacks come later and change nothing.
    now["now"] = world.at(hours=3)
    assert sim_deliver_due(now=world.at(hours=3)) == 2
    assert set(Notification.objects.values_list("outcome", flat=True)) == {"duplicate"}


def test_someone_else_cannot_open_my_order_or_the_cashier(world, now):
    case = submit_and_accept(world)
    order = PaymentOrder.objects.get(case=case)
    other = _client(world.other_citizen)
    assert other.get(reverse("portal:my_payment", args=[order.payment_code])).status_code == 404
    _client(world.citizen).post(
        reverse("portal:my_payment", args=[order.payment_code]), {"provider": "sim"}
    )
    order.refresh_from_db()
    assert other.get(f"/payments/sim/{order.provider_txn}/").status_code == 404


def test_finance_staff_refund_and_reconcile_in_the_workbench(
    world, now, django_capture_on_commit_callbacks
):
    _, order, _, _ = _pay_in_portal(world, django_capture_on_commit_callbacks)
    clerk, finance = _client(world.clerk), _client(world.finance)
    home = clerk.get(reverse("workbench:payments"))
    assert order.payment_code in home.content.decode()
    asked = clerk.post(
        reverse("workbench:payment_order", args=[order.payment_code]),
        {"action": "refund", "amount_fen": "1000", "reason": "副本未制作"},
    )
    assert asked.status_code == 302
    refund = Refund.objects.get(order=order)
    too_much = clerk.post(
        reverse("workbench:payment_order", args=[order.payment_code]),
        {"action": "refund", "amount_fen": "99999999", "reason": "多退"},
    )
    assert too_much.status_code == 422 and "超过可退金额" in too_much.content.decode()
    assert clerk.get(reverse("workbench:payment_days")).status_code == 404  # not finance
    head = _client(world.head)
    assert head.get(reverse("workbench:payment_days")).status_code == 404  # a head is not either
    head.post(
        reverse("workbench:payment_refund_decide", args=[refund.pk]),
        {"decision": "approve", "note": "同意"},
    )
    refund.refresh_from_db()
    assert refund.status == RefundStatus.REQUESTED  # the head's approval is "not found"
    finance.post(
        reverse("workbench:payment_refund_decide", args=[refund.pk]),
        {"decision": "approve", "note": "同意"},
    )
    refund.refresh_from_db()
    assert refund.status == RefundStatus.DONE
    text = SimulatedProvider().statement(day=world.at().date())
    bad = finance.post(reverse("workbench:payment_days"), {"text": text.replace("|pay|", "|gift|")})
    assert bad.status_code == 422 and "第 2 行" in bad.content.decode()
    assert not StatementDay.objects.exists()
    done = finance.post(reverse("workbench:payment_days"), {"text": text})
    day = StatementDay.objects.get()
    assert done["Location"] == reverse("workbench:payment_day", args=[day.pk])
    assert day.status == DayStatus.CLOSED
    days = finance.get(reverse("workbench:payment_days"))
    assert days.status_code == 200 and "2026-11-02" in days.content.decode()
    figures = finance.get(reverse("workbench:payment_figures"), {"from": "2026-11-01"})
    assert "检验费" in figures.content.decode() and "100%" in figures.content.decode()


def test_a_citizen_cannot_open_the_finance_pages(world, now):
    assert _client(world.citizen).get(reverse("workbench:payments")).status_code == 403
