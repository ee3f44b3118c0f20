"""财务人员 (``Role.FINANCE``): refund approval and reconciliation belong to finance
staff within their grant; the department head keeps requesting refunds and
cancelling orders. Every edge, through the services and the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from tongban.core import clock
from tongban.core.errors import DomainError
from tongban.identity.services import token_create
from tongban.payments.models import (
    DayStatus,
    Mismatch,
    MismatchKind,
    OrderStatus,
    PaymentOrder,
    Refund,
    RefundStatus,
    SimTransaction,
    StatementDay,
)
from tongban.payments.providers.simulated import SimulatedProvider, sim_deliver_due, sim_pay
from tongban.payments.selectors import day_get_for_staff, day_list_for_staff
from tongban.payments.services import (
    day_close,
    mismatch_resolve,
    order_cancel,
    order_start,
    refund_approve,
    refund_reject,
    refund_request,
    statement_import,
)
from tongban.payments.tests.conftest import submit_and_accept

API = "/api/v1/payments"
DAY = dt.date(2026, 11, 2)


def client_for(user) -> Client:
    _token, secret = token_create(user=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


@pytest.fixture
def now(monkeypatch, world):
    moment = {"now": world.at(hours=3)}
    monkeypatch.setattr(clock, "now", lambda: moment["now"])
    return moment


def _paid(world) -> PaymentOrder:
    case = submit_and_accept(world)
    order = PaymentOrder.objects.get(case=case)
    order, _ = order_start(
        order_id=order.pk, provider="sim", actor=world.citizen, now=world.at(hours=2)
    )
    sim_pay(txn_id=order.provider_txn, now=world.at(hours=2, minutes=1))
    sim_deliver_due(now=world.at(hours=2, minutes=1))
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    return order


def _asked(world, order: PaymentOrder) -> Refund:
    return refund_request(
        order_id=order.pk, amount_fen=1000, reason="副本未制作", actor=world.clerk,
        now=world.at(hours=3),
    )  # fmt: skip


def _denied(call) -> str:
    with pytest.raises(DomainError) as exc:
        call()
    return exc.value.code


def test_only_finance_staff_of_the_department_approve_a_refund(world):
    order = _paid(world)
    refund = _asked(world, order)
    at = world.at(hours=4)
    # The department head decided the charge; paying it back is not theirs to approve.
    head = _denied(lambda: refund_approve(refund_id=refund.pk, actor=world.head, now=at))
    assert head == "permission_denied"
    # Finance staff of another department (赣州) do not reach a 南京 order.
    other = _denied(lambda: refund_approve(refund_id=refund.pk, actor=world.other_finance, now=at))
    assert other == "permission_denied"
    assert Refund.objects.get(pk=refund.pk).status == RefundStatus.REQUESTED
    assert PaymentOrder.objects.get(pk=order.pk).refunded_fen == 0
    refund_approve(refund_id=refund.pk, actor=world.finance, note="同意", now=at)
    order.refresh_from_db()
    assert order.status == OrderStatus.PART_REFUNDED and order.refunded_fen == 1000


def test_finance_staff_never_approve_a_refund_they_asked_for(world):
    order = _paid(world)
    # Asked for through the service by finance staff themselves (the pages and
    # the API leave asking to the window and the head): still not their own to approve.
    refund = refund_request(
        order_id=order.pk, amount_fen=1000, reason="多收", actor=world.finance,
        now=world.at(hours=3),
    )  # fmt: skip
    code = _denied(
        lambda: refund_approve(refund_id=refund.pk, actor=world.finance, now=world.at(hours=4))
    )
    assert code == "payment_refund_self_approval"
    refund_approve(refund_id=refund.pk, actor=world.city_finance, now=world.at(hours=4))
    assert Refund.objects.get(pk=refund.pk).status == RefundStatus.DONE


def test_a_finance_grant_over_the_city_reaches_every_department_in_it(world):
    order = _paid(world)
    refund = _asked(world, order)
    refund_approve(refund_id=refund.pk, actor=world.city_finance, now=world.at(hours=4))
    assert Refund.objects.get(pk=refund.pk).status == RefundStatus.DONE


def test_only_finance_staff_reject_a_refund(world):
    order = _paid(world)
    refund = _asked(world, order)
    at = world.at(hours=4)
    for actor in (world.head, world.clerk, world.other_finance):
        code = _denied(
            lambda a=actor: refund_reject(refund_id=refund.pk, actor=a, note="不符", now=at)
        )
        assert code == "permission_denied"
    refund_reject(refund_id=refund.pk, actor=world.finance, note="不符合退费条件", now=at)
    assert Refund.objects.get(pk=refund.pk).status == RefundStatus.REJECTED


def test_finance_staff_approve_but_neither_request_nor_cancel_through_the_api(world, now):
    order = _paid(world)
    finance, head = client_for(world.finance), client_for(world.head)
    # Finance staff see the department's orders …
    assert finance.get(f"{API}/orders/{order.payment_code}").status_code == 200
    # … but asking for a refund and cancelling stay with the window and the head.
    asked = finance.post(
        f"{API}/orders/{order.payment_code}/refunds",
        {"amount_fen": 1000, "reason": "多收"},
        content_type="application/json",
    )
    assert asked.status_code == 404
    refund = _asked(world, order)
    refused = head.post(f"{API}/refunds/{refund.pk}/approve", {}, content_type="application/json")
    assert refused.status_code == 404 and refused.json()["code"] == "payment_refund_not_found"
    elsewhere = client_for(world.other_finance).post(
        f"{API}/refunds/{refund.pk}/approve", {}, content_type="application/json"
    )
    assert elsewhere.status_code == 404
    assert Refund.objects.get(pk=refund.pk).status == RefundStatus.REQUESTED
    done = finance.post(
        f"{API}/refunds/{refund.pk}/approve", {"note": "同意"}, content_type="application/json"
    )
    assert done.status_code == 200 and done.json()["status"] == "done"
    listed = finance.get(f"{API}/refunds").json()
    assert [r["id"] for r in listed] == [refund.pk]
    assert client_for(world.other_finance).get(f"{API}/refunds").json() == []


def test_the_head_still_cancels_an_order_and_finance_staff_do_not(world, now):
    case = submit_and_accept(world)
    order = PaymentOrder.objects.get(case=case)
    answer = client_for(world.finance).post(
        f"{API}/orders/{order.payment_code}/cancel",
        {"reason": "金额开错"},
        content_type="application/json",
    )
    assert answer.status_code == 404
    order_cancel(order_id=order.pk, actor=world.head, reason="金额开错", now=world.at(hours=2))
    assert PaymentOrder.objects.get(pk=order.pk).status == OrderStatus.CANCELLED


def _planted_day(world) -> StatementDay:
    """A day with a 南京 difference (an amount) and one of no department (unknown code)."""
    paid = _paid(world)
    SimTransaction.objects.filter(txn_id=paid.provider_txn).update(amount_fen=paid.paid_fen - 1)
    lines = SimulatedProvider().statement(day=DAY).splitlines()
    head = lines[0].split("|")
    lines[0] = f"SIMPAY|2026-11-02|{int(head[2]) + 1}|{int(head[3]) + 500}"
    lines.append("32010026100000099999|SIMZZZ|pay|500|2026-11-02T15:00:00+08:00")
    return statement_import(
        provider="sim", text="\n".join(lines) + "\n", actor=world.finance, now=world.at(days=1)
    )


def test_only_finance_staff_import_a_statement(world, now):
    _paid(world)
    text = SimulatedProvider().statement(day=DAY)
    code = _denied(
        lambda: statement_import(provider="sim", text=text, actor=world.head, now=world.at(days=1))
    )
    assert code == "permission_denied"
    answer = client_for(world.head).post(
        f"{API}/statements", {"provider": "sim", "text": text}, content_type="application/json"
    )
    assert answer.status_code == 403 and answer.json()["code"] == "permission_denied"
    assert not StatementDay.objects.exists()
    imported = client_for(world.finance).post(
        f"{API}/statements", {"provider": "sim", "text": text}, content_type="application/json"
    )
    assert imported.status_code == 201 and imported.json()["status"] == "closed"


def test_differences_are_resolved_by_the_finance_staff_they_belong_to(world, now):
    day = _planted_day(world)
    ours = Mismatch.objects.get(day=day, kind=MismatchKind.AMOUNT_DIFFERS)
    stranger = Mismatch.objects.get(day=day, kind=MismatchKind.UNKNOWN_ORDER)
    at = world.at(days=1)
    # 赣州's finance staff neither see nor resolve 南京's difference.
    assert day_get_for_staff(user=world.other_finance, day_id=day.pk)[1] == []
    assert [r["open"] for r in day_list_for_staff(user=world.other_finance)] == [0]
    gz = _denied(
        lambda: mismatch_resolve(
            mismatch_id=ours.pk, resolution="核实", actor=world.other_finance, now=at
        )
    )
    assert gz == "permission_denied"
    answer = client_for(world.other_finance).post(
        f"{API}/mismatches/{ours.pk}/resolve", {"resolution": "核实"},
        content_type="application/json",
    )  # fmt: skip
    assert answer.status_code == 404
    # The head is not finance staff at all.
    assert (
        _denied(
            lambda: mismatch_resolve(
                mismatch_id=ours.pk, resolution="核实", actor=world.head, now=at
            )
        )
        == "permission_denied"
    )
    # An unknown code belongs to no department: a department's finance staff
    # cannot resolve it, the city's can.
    assert [m.pk for m in day_get_for_staff(user=world.finance, day_id=day.pk)[1]] == [ours.pk]
    nj = _denied(
        lambda: mismatch_resolve(
            mismatch_id=stranger.pk, resolution="核实", actor=world.finance, now=at
        )
    )
    assert nj == "permission_denied"
    mismatch_resolve(
        mismatch_id=ours.pk, resolution="已与银行核实金额", actor=world.finance, now=at
    )
    assert Mismatch.objects.get(pk=stranger.pk).resolved_at is None
    # The department's finance staff cannot close a day with another's difference.
    beyond = _denied(lambda: day_close(day_id=day.pk, actor=world.finance, now=at))
    assert beyond == "payment_day_beyond_scope"
    closed = client_for(world.finance).post(f"{API}/days/{day.pk}/close")
    assert closed.status_code == 403 and closed.json()["code"] == "payment_day_beyond_scope"
    # The city's finance staff resolve the unknown code and close the day.
    unresolved = _denied(lambda: day_close(day_id=day.pk, actor=world.city_finance, now=at))
    assert unresolved == "payment_day_unresolved"
    mismatch_resolve(
        mismatch_id=stranger.pk, resolution="非本平台缴款码，已退回银行", actor=world.city_finance,
        now=at,
    )  # fmt: skip
    assert day_close(day_id=day.pk, actor=world.city_finance, now=at).status == DayStatus.CLOSED


def test_a_department_closes_a_day_whose_differences_are_all_its_own(world, now):
    paid = _paid(world)
    SimTransaction.objects.filter(txn_id=paid.provider_txn).update(amount_fen=paid.paid_fen - 1)
    day = statement_import(
        provider="sim", text=SimulatedProvider().statement(day=DAY), actor=world.finance,
        now=world.at(days=1),
    )  # fmt: skip
    (only,) = day.mismatches.all()
    head = _denied(lambda: day_close(day_id=day.pk, actor=world.head, now=world.at(days=1)))
    assert head == "permission_denied"
    mismatch_resolve(
        mismatch_id=only.pk, resolution="银行更正", actor=world.finance, now=world.at(days=1)
    )
    assert day_close(day_id=day.pk, actor=world.finance, now=world.at(days=1)).status == "closed"
