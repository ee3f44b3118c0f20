"""即办件 outside a 一件事 bundle: decided and handed out on the spot, so its fee
is issued at submission (or, at the latest, before the clerk's on-the-spot
decision, in its own transaction) and the on-the-spot grant waits for it —
the result is never handed out while the fee is unpaid."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string

from tongban.cases import services as cases
from tongban.cases.models import CaseEvent, CaseStatus
from tongban.core.errors import DomainError
from tongban.payments.models import OrderStatus, PaymentOrder
from tongban.payments.services import fee_rule_save
from tongban.payments.subscribers import on_case_submit
from tongban.payments.templatetags.payments_tags import case_fees
from tongban.payments.tests.conftest import BASIS
from tongban.payments.tests.test_submission_fees import UPLOADS, _item, _pay, _submit

INSTANT = {
    "handling": "immediate",
    "promised_limit": {"value": 0, "unit": "working_days"},
    "steps": [{"name": "受理并办结", "role": "窗口人员", "share_percent": 100}],
    "modes": ["on_the_spot"],
}


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


def _instant(world, code: str, name: str, fen: int = 2000, **rule):
    item = _item(world, code, name, **INSTANT)
    fee_rule_save(
        service_item=item, fee_name="检测费", basis=BASIS, rule="fixed", amount_fen=fen, **rule
    )
    return item


def _grant(world, case, hours: int):
    return cases.case_handle_immediately(
        case_id=case.pk, actor=world.clerk, outcome="granted", reason="符合条件",
        legal_basis="《行政许可法》第三十四条", now=world.at(hours=hours),
    )  # fmt: skip


def _deny(world, case, hours: int):
    return cases.case_handle_immediately(
        case_id=case.pk, actor=world.clerk, outcome="denied", reason="不符合条件",
        legal_basis="《行政许可法》第三十八条", now=world.at(hours=hours),
    )  # fmt: skip


def test_an_instant_items_fee_is_issued_at_submission_and_the_grant_waits_for_it(world, on_commit):
    item = _instant(world, "070000000301", "即办补证甲")
    with on_commit():
        case = _submit(world, item, materials=UPLOADS)
    # Right after submitting the applicant has the order: amount, basis, deadline.
    order = PaymentOrder.objects.get(case=case)
    assert order.amount_fen == 2000 and order.status == OrderStatus.CREATED
    assert order.source_key == f"case:{case.case_no}:acceptance"
    assert order.created_at == case.received_at
    case.refresh_from_db()
    assert case.fees_unpaid_fen == 2000
    # 我的办件 tells the applicant why the window waits.
    page = render_to_string("payments/_case_fees.html", case_fees(case))
    assert "尚需缴费 20.00 元" in page and "缴清费用后窗口当场办结" in page
    # The clerk's on-the-spot grant is refused while it is unpaid, with the reason.
    with pytest.raises(DomainError) as exc:
        _grant(world, case, 1)
    assert exc.value.code == "case_fees_unpaid"
    assert exc.value.extra["fees_unpaid_fen"] == 2000
    assert "20.00 元" in exc.value.detail and "缴费后" in exc.value.detail
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED and case.outcome == ""
    assert not CaseEvent.objects.filter(case=case, action="handle_immediately").exists()
    # Paid: granted and handed out on the spot, nothing owed, one order only.
    _pay(world, order, 2)
    with on_commit():
        done = _grant(world, case, 3)
    assert done.status == CaseStatus.CONCLUDED and done.fees_unpaid_fen == 0
    assert PaymentOrder.objects.filter(case=case).count() == 1


def test_the_grant_issues_the_order_itself_when_the_worker_has_not_come(world):
    item = _instant(world, "070000000302", "即办补证乙")
    case = _submit(world, item, materials=UPLOADS)  # the outbox has not run
    assert not PaymentOrder.objects.filter(case=case).exists()
    with pytest.raises(DomainError) as exc:
        _grant(world, case, 1)
    assert exc.value.code == "case_fees_unpaid"
    # The refusal keeps the order it issued: the applicant can pay it now.
    order = PaymentOrder.objects.get(case=case)
    assert order.amount_fen == 2000 and order.status == OrderStatus.CREATED
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED and case.fees_unpaid_fen == 2000
    # The late worker changes nothing.
    on_case_submit(event_id=None, payload={"case_no": case.case_no})
    assert PaymentOrder.objects.filter(case=case).count() == 1


def test_an_instant_case_denied_on_the_spot_is_not_charged(world, on_commit):
    item = _instant(world, "070000000303", "即办补证丙")
    with on_commit():
        case = _submit(world, item, materials=UPLOADS)
    order = PaymentOrder.objects.get(case=case)
    with on_commit():
        denied = _deny(world, case, 1)
    assert denied.status == CaseStatus.CONCLUDED and denied.fees_unpaid_fen == 0
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert "不予许可" in order.events.get(action="cancel").details["reason"]


def test_a_denial_still_waits_for_a_fee_due_at_submission(world, on_commit):
    item = _instant(world, "070000000304", "即办补证丁", stage="submission")
    with on_commit():
        case = _submit(world, item, materials=UPLOADS)
    order = PaymentOrder.objects.get(case=case)
    assert order.source_key == f"case:{case.case_no}:submission"
    with pytest.raises(DomainError) as exc:
        _deny(world, case, 1)
    assert exc.value.code == "case_fees_unpaid"
    order.refresh_from_db()
    assert order.status == OrderStatus.CREATED
    _pay(world, order, 2)
    assert _deny(world, case, 3).status == CaseStatus.CONCLUDED


def test_an_instant_case_without_fees_is_granted_at_once(world, on_commit):
    item = _item(world, "070000000305", "即办补证戊", **INSTANT)  # no fee rule
    with on_commit():
        case = _submit(world, item, materials=UPLOADS)
    assert _grant(world, case, 1).status == CaseStatus.CONCLUDED
    assert not PaymentOrder.objects.filter(case=case).exists()
