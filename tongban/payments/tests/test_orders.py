"""Fees assessed on acceptance, the payment code, orders and their refusals."""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.cases import services as case_services
from tongban.cases.models import Case
from tongban.core.errors import DomainError
from tongban.payments import codes, fees, workflow
from tongban.payments.models import OrderEvent, OrderStatus, PaymentOrder
from tongban.payments.services import (
    case_assess,
    fee_rule_save,
    order_cancel,
    order_create,
    order_start,
    orders_expire_overdue,
)
from tongban.payments.tests.conftest import BASIS, submit_and_accept


def _order(case: Case) -> PaymentOrder:
    return PaymentOrder.objects.get(case=case)


def test_accepting_a_case_issues_its_payment_order_with_every_fee_and_basis(world):
    case = submit_and_accept(world)
    order = _order(case)
    # 工本费 10 元 + 副本 2 份 × 5 元 + 一类检验费 200 元
    assert order.amount_fen == 1000 + 2 * 500 + 20000
    assert [(ln["name"], ln["amount_fen"]) for ln in order.lines] == [
        ("证书工本费", 1000), ("副本费", 1000), ("检验费", 20000),
    ]  # fmt: skip
    assert {ln["basis"] for ln in order.lines} == {BASIS}
    assert order.status == OrderStatus.CREATED
    # Mon 2 Nov 2026 + 15 working days → Mon 23 Nov 2026 (no holiday in between)
    assert order.due_on == dt.date(2026, 11, 23)
    assert codes.is_valid(order.payment_code) and order.payment_code.startswith("320100")
    assert order.payer_user == world.citizen and order.department == case.department
    case.refresh_from_db()
    assert case.fees_unpaid_fen == 22000
    assert case.events.filter(action="accept", details__fees_unpaid_fen=22000).exists()


def test_assessing_again_returns_the_same_order(world):
    case = submit_and_accept(world)
    assert case_assess(case, stage="acceptance", now=world.at(hours=2)) == 22000
    assert PaymentOrder.objects.filter(case=case).count() == 1


def test_a_waiver_takes_its_fee_off_the_order(world):
    case = submit_and_accept(world, low_income="是", copies=0)
    order = _order(case)
    line = next(ln for ln in order.lines if ln["name"] == "检验费")
    assert (line["gross_fen"], line["waived_fen"], line["waiver"]) == (20000, 20000, "低保户免收")
    assert order.amount_fen == 1000


def test_a_free_item_has_no_order_and_nothing_unpaid(world):
    from tongban.cases.models import MaterialKind
    from tongban.cases.services.intake import MaterialInput
    from tongban.payments.tests.conftest import PDF

    case = case_services.case_submit(
        service_item=world.free_item, channel="online", applicant_person=world.person,
        form_data={"applicant_name": "张伟", "credit_code": form_credit()},
        materials=[
            MaterialInput(code="application", kind=MaterialKind.UPLOAD, content=PDF),
            MaterialInput(code="layout", kind=MaterialKind.UPLOAD, content=PDF),
        ],
        now=world.at(),
    )  # fmt: skip
    case = case_services.case_accept(case_id=case.pk, actor=world.clerk, now=world.at(hours=1))
    assert case.fees_unpaid_fen == 0
    assert not PaymentOrder.objects.filter(case=case).exists()


def form_credit() -> str:
    from tongban.core.identifiers import generate_credit_code

    return generate_credit_code("9132010270000001")


def test_the_result_is_not_delivered_while_the_fee_is_unpaid(world):
    case = submit_and_accept(world)
    case = case_services.case_decide(
        case_id=case.pk, actor=world.reviewer, outcome="granted", reason="符合条件",
        legal_basis="《食品安全法》第三十五条", now=world.at(days=1),
    )  # fmt: skip
    with pytest.raises(DomainError) as exc:
        case_services.case_deliver(
            case_id=case.pk, actor=world.clerk, method="window", now=world.at(days=2)
        )
    assert exc.value.code == "case_fees_unpaid"
    assert "220.00 元" in exc.value.detail
    assert Case.objects.get(pk=case.pk).status == "decided"


@pytest.mark.parametrize(
    ("amount", "why"),
    [(-1, "负数"), (1.5, "小数"), ("12.30", "小数"), ("abc", "整数分"), (True, "整数分")],
)
def test_an_order_with_a_negative_or_fractional_amount_is_refused(world, amount, why):
    with pytest.raises(DomainError) as exc:
        order_create(
            source_key="key:bad", department=world.item.department, payer_name="张伟",
            lines=[{"name": "工本费", "basis": BASIS, "amount_fen": amount}], actor=world.clerk,
            now=world.at(),
        )  # fmt: skip
    assert exc.value.code == "payment_amount_invalid" and why in exc.value.detail
    assert not PaymentOrder.objects.exists()


def test_a_zero_order_and_a_rule_without_basis_are_refused(world):
    with pytest.raises(DomainError) as exc:
        order_create(
            source_key="key:zero", department=world.item.department, payer_name="张伟",
            lines=[{"name": "工本费", "amount_fen": 0}], actor=world.clerk, now=world.at(),
        )  # fmt: skip
    assert exc.value.code == "payment_amount_invalid"
    with pytest.raises(DomainError) as exc:
        fee_rule_save(service_item=world.item, fee_name="x", basis=" ", rule="fixed", amount_fen=1)
    assert exc.value.code == "payment_fee_rule_invalid"
    with pytest.raises(DomainError) as exc:
        fee_rule_save(
            service_item=world.item, fee_name="x", basis=BASIS, rule="fixed", amount_fen="0.5"
        )
    assert exc.value.code == "payment_amount_invalid"


def test_creating_with_the_same_source_twice_gives_one_order(world):
    args = {
        "source_key": "key:abc", "department": world.item.department, "payer_name": "张伟",
        "actor": world.clerk, "now": world.at(),
    }  # fmt: skip
    first, created = order_create(lines=[{"name": "工本费", "amount_fen": 1000}], **args)
    again, created_again = order_create(lines=[{"name": "工本费", "amount_fen": 1000}], **args)
    assert created and not created_again and first.pk == again.pk
    assert PaymentOrder.objects.filter(source_key="key:abc").count() == 1


def test_a_cancelled_or_expired_order_cannot_be_paid(world):
    case = submit_and_accept(world)
    order = _order(case)
    order_cancel(order_id=order.pk, actor=world.head, reason="金额开错", now=world.at(hours=2))
    with pytest.raises(DomainError) as exc:
        order_start(order_id=order.pk, provider="sim", actor=world.citizen, now=world.at(hours=3))
    assert exc.value.code == "payment_order_not_payable"
    case.refresh_from_db()
    assert case.fees_unpaid_fen == 0  # a cancellation lifts the fee

    case2 = submit_and_accept(world, at=1)
    order2 = _order(case2)
    assert orders_expire_overdue(now=world.at(days=30)) == 1
    order2.refresh_from_db()
    assert order2.status == OrderStatus.EXPIRED
    with pytest.raises(DomainError) as exc:
        order_start(order_id=order2.pk, provider="sim", actor=world.citizen, now=world.at(days=31))
    assert exc.value.code == "payment_order_not_payable"
    case2.refresh_from_db()
    assert case2.fees_unpaid_fen == order2.amount_fen  # still owed after expiry


def test_an_unknown_provider_is_refused(world):
    order = _order(submit_and_accept(world))
    with pytest.raises(DomainError) as exc:
        order_start(order_id=order.pk, provider="nope", actor=world.citizen, now=world.at(hours=2))
    assert exc.value.code == "payment_provider_unknown"
    assert PaymentOrder.objects.get(pk=order.pk).status == OrderStatus.CREATED


@pytest.mark.parametrize("action", sorted(workflow.TRANSITIONS))
def test_every_transition_is_allowed_only_from_its_states(action):
    sources, to = workflow.TRANSITIONS[action]
    for status in OrderStatus.values:
        expected = to if status in sources else None
        assert workflow.target(action, status) == expected
    # Nothing leaves a refunded, cancelled or expired order except lifting an expired one.
    assert not (sources & {OrderStatus.REFUNDED, OrderStatus.CANCELLED})


def test_payment_code_check_digit_catches_every_wrong_digit_and_every_swap():
    swaps = caught = 0
    for seq in (42, 987654321, 1234567):
        code = codes.compose("320100", 2026, seq)
        assert len(code) == 20 and codes.is_valid(code)
        for i in range(20):
            for d in "0123456789":
                if d != code[i]:
                    assert not codes.is_valid(code[:i] + d + code[i + 1 :])
            if i < 19 and code[i] != code[i + 1]:
                swaps += 1
                caught += not codes.is_valid(code[:i] + code[i + 1] + code[i] + code[i + 2 :])
    assert caught == swaps > 0


def test_fee_amounts_are_integer_fen():
    assert fees.check_fen("1200") == 1200 and fees.check_fen(7) == 7
    assert fees.yuan(22000) == "220.00" and fees.yuan(5) == "0.05"
    for bad in (-5, 0.1, "1e-1", float("nan"), None):
        with pytest.raises(fees.FeeError):
            fees.check_fen(bad)


def test_history_records_the_creation(world):
    order = _order(submit_and_accept(world))
    assert list(OrderEvent.objects.filter(order=order).values_list("action", flat=True)) == [
        "create"
    ]
