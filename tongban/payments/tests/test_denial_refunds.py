"""A 即办件 whose acceptance-stage fee was paid and which is then denied on the
spot gets its full refund asked for by the platform, for finance's approval
(refunds move money: four eyes); replaying the denial asks nothing twice."""

from __future__ import annotations

from typing import Any

import pytest
from stdnum.cn import ric

from tongban.cases.models import CaseStatus
from tongban.core.models import AuditEvent
from tongban.core.models import Notification as Message
from tongban.identity.services.persons import person_register
from tongban.payments.models import OrderStatus, PaymentOrder, Refund, RefundStatus
from tongban.payments.services import refund_approve, refund_reject
from tongban.payments.subscribers import on_case_decided_at_once
from tongban.payments.tests.test_instant_fees import _deny, _instant
from tongban.payments.tests.test_submission_fees import UPLOADS, _pay, _submit


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


def _give_phone(user: Any, phone: str, serial: str) -> None:
    base = f"32010219800101{serial}"
    person = person_register(
        name="王强", id_number=base + ric.calc_check_digit(base + "0"), phone=phone
    )
    user.person = person
    user.save(update_fields=["person"])


def _paid_then_denied(world: Any, on_commit: Any, code: str, name: str) -> Any:
    item = _instant(world, code, name)
    with on_commit():
        case = _submit(world, item, materials=UPLOADS)
    order = PaymentOrder.objects.get(case=case)
    _pay(world, order, 1)
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    with on_commit():
        denied = _deny(world, case, 2)
    assert denied.status == CaseStatus.CONCLUDED and denied.fees_unpaid_fen == 0
    return case, order


def _replay(case: Any) -> None:
    on_case_decided_at_once(event_id=None, payload={"case_no": case.case_no})


def test_a_paid_instant_case_denied_on_the_spot_gets_its_full_refund_asked_once(world, on_commit):
    _give_phone(world.finance, "13700000011", "011")
    _give_phone(world.other_finance, "13700000012", "012")  # 赣州: not this order's
    case, order = _paid_then_denied(world, on_commit, "070000000311", "即办补证退甲")
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID  # paid: not cancelled, refunded
    refund = Refund.objects.get(order=order)
    assert refund.status == RefundStatus.REQUESTED and refund.amount_fen == 2000
    assert "不予许可" in refund.reason and "全额退还" in refund.reason
    assert refund.requested_by == world.clerk  # whose denial caused it
    assert refund.source_key == f"case:{case.case_no}:denied:{order.payment_code}"
    audit = AuditEvent.objects.get(action="payments.refund_request", object_id=order.payment_code)
    assert audit.actor == "system" and audit.details["amount_fen"] == 2000
    # The finance member who may approve it is told, the other department's is not.
    sms = list(Message.objects.filter(purpose="refund_requested"))
    assert [m.recipient_masked for m in sms] == ["137****0011"]
    assert order.payment_code in sms[0].body and "20.00 元" in sms[0].body

    _replay(case)  # the denial's event delivered again
    assert Refund.objects.filter(order=order).count() == 1
    assert Message.objects.filter(purpose="refund_requested").count() == 1

    refund = refund_approve(refund_id=refund.pk, actor=world.finance, now=world.at(hours=3))
    assert refund.status == RefundStatus.DONE
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED and order.refunded_fen == 2000
    _replay(case)  # and again after the money went back: nothing more
    assert Refund.objects.filter(order=order).count() == 1
    assert AuditEvent.objects.filter(action="payments.refund_request").count() == 1


def test_a_rejected_automatic_refund_is_not_asked_again_on_replay(world, on_commit):
    case, order = _paid_then_denied(world, on_commit, "070000000312", "即办补证退乙")
    refund = Refund.objects.get(order=order)
    refund_reject(
        refund_id=refund.pk, actor=world.finance, note="已线下退还", now=world.at(hours=3)
    )
    _replay(case)
    assert list(Refund.objects.filter(order=order).values_list("status", flat=True)) == [
        RefundStatus.REJECTED
    ]


def test_an_unpaid_instant_case_denied_asks_no_refund(world, on_commit):
    item = _instant(world, "070000000313", "即办补证退丙")
    with on_commit():
        case = _submit(world, item, materials=UPLOADS)
    with on_commit():
        _deny(world, case, 1)
    order = PaymentOrder.objects.get(case=case)
    assert order.status == OrderStatus.CANCELLED
    assert not Refund.objects.exists()
