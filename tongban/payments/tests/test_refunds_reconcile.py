"""Refunds end to end, the day's statement and its reconciliation, receipts."""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.core.errors import DomainError
from tongban.payments.models import (
    DayStatus,
    Mismatch,
    OrderStatus,
    PaymentOrder,
    Receipt,
    Refund,
    SimTransaction,
    StatementDay,
)
from tongban.payments.providers.simulated import SimulatedProvider, sim_deliver_due, sim_pay
from tongban.payments.services import (
    day_close,
    mismatch_resolve,
    order_start,
    receipt_pdf,
    receipt_verify,
    refund_approve,
    refund_reject,
    refund_request,
    statement_import,
)
from tongban.payments.tests.conftest import submit_and_accept

DAY = dt.date(2026, 11, 2)


def _paid(world, *, at: int = 0, **values):
    case = submit_and_accept(world, at=at, **values)
    order = PaymentOrder.objects.get(case=case)
    order, _ = order_start(
        order_id=order.pk, provider="sim", actor=world.citizen, now=world.at(days=at, hours=2)
    )
    sim_pay(txn_id=order.provider_txn, now=world.at(days=at, hours=2, minutes=1))
    sim_deliver_due(now=world.at(days=at, hours=2, minutes=1))
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    return order


def test_a_part_then_full_refund_with_approval(world):
    order = _paid(world)
    refund = refund_request(
        order_id=order.pk, amount_fen=1000, reason="副本未制作", actor=world.clerk,
        now=world.at(hours=3),
    )  # fmt: skip
    with pytest.raises(DomainError) as exc:
        refund_approve(refund_id=refund.pk, actor=world.clerk, now=world.at(hours=4))
    assert exc.value.code == "permission_denied"  # the window asks, finance staff approve
    refund_approve(refund_id=refund.pk, actor=world.finance, note="同意", now=world.at(hours=4))
    order.refresh_from_db()
    assert (order.status, order.refunded_fen) == (OrderStatus.PART_REFUNDED, 1000)
    sim = SimTransaction.objects.get(txn_id=order.provider_txn)
    assert sim.refunded_fen == 1000  # the provider paid it back
    rest = refund_request(
        order_id=order.pk, amount_fen=order.paid_fen - 1000, reason="申请人撤回申请",
        actor=world.clerk, now=world.at(hours=5),
    )  # fmt: skip
    refund_approve(refund_id=rest.pk, actor=world.finance, now=world.at(hours=6))
    order.refresh_from_db()
    assert (order.status, order.refunded_fen) == (OrderStatus.REFUNDED, order.paid_fen)
    with pytest.raises(DomainError) as exc:
        refund_request(
            order_id=order.pk, amount_fen=1, reason="再退", actor=world.clerk, now=world.at(hours=7)
        )
    assert exc.value.code == "payment_order_invalid_state"


def test_a_refund_above_what_was_paid_is_refused(world):
    order = _paid(world)
    with pytest.raises(DomainError) as exc:
        refund_request(
            order_id=order.pk, amount_fen=order.paid_fen + 1, reason="多退", actor=world.clerk,
            now=world.at(hours=3),
        )  # fmt: skip
    assert exc.value.code == "payment_refund_too_large"
    # What awaits approval counts: two requests cannot together exceed the payment.
    refund_request(
        order_id=order.pk, amount_fen=order.paid_fen - 100, reason="部分", actor=world.clerk,
        now=world.at(hours=3),
    )  # fmt: skip
    with pytest.raises(DomainError) as exc:
        refund_request(
            order_id=order.pk, amount_fen=101, reason="再退", actor=world.clerk,
            now=world.at(hours=3),
        )  # fmt: skip
    assert exc.value.code == "payment_refund_too_large"
    for bad in (-5, 0, "1.5"):
        with pytest.raises(DomainError) as exc:
            refund_request(
                order_id=order.pk, amount_fen=bad, reason="x理由", actor=world.clerk,
                now=world.at(hours=3),
            )  # fmt: skip
        assert exc.value.code == "payment_amount_invalid"
    assert Refund.objects.filter(order=order).count() == 1


def test_a_rejected_refund_frees_its_amount(world):
    order = _paid(world)
    refund = refund_request(
        order_id=order.pk, amount_fen=order.paid_fen, reason="全退", actor=world.clerk,
        now=world.at(hours=3),
    )  # fmt: skip
    refund_reject(
        refund_id=refund.pk, actor=world.finance, note="不符合退费条件", now=world.at(hours=4)
    )
    with pytest.raises(DomainError) as exc:
        refund_approve(refund_id=refund.pk, actor=world.finance, now=world.at(hours=5))
    assert exc.value.code == "payment_refund_invalid_state"
    assert refund_request(
        order_id=order.pk, amount_fen=order.paid_fen, reason="重新申请", actor=world.clerk,
        now=world.at(hours=5),
    ).amount_fen == order.paid_fen  # fmt: skip


def test_a_day_that_matches_is_closed_at_once(world):
    order = _paid(world)
    text = SimulatedProvider().statement(day=DAY)
    assert text.splitlines()[0] == f"SIMPAY|2026-11-02|1|{order.paid_fen}"
    day = statement_import(provider="sim", text=text, actor=world.finance, now=world.at(days=1))
    assert day.status == DayStatus.CLOSED and day.mismatches.count() == 0


def test_reconciliation_finds_planted_mismatches_and_the_day_closes_when_resolved(world):
    a = _paid(world)
    b = _paid(world)
    c = _paid(world)
    # Planted: the bank lost c, recorded b with another amount, and has an unknown code.
    SimTransaction.objects.filter(txn_id=c.provider_txn).delete()
    SimTransaction.objects.filter(txn_id=b.provider_txn).update(amount_fen=b.paid_fen - 1)
    text = SimulatedProvider().statement(day=DAY)
    lines = text.splitlines()
    stranger = "32010026100000099999|SIMZZZ|pay|500|2026-11-02T15:00:00+08:00"
    header = lines[0].split("|")
    lines[0] = f"SIMPAY|2026-11-02|{int(header[2]) + 1}|{int(header[3]) + 500}"
    text = "\n".join([*lines, stranger]) + "\n"
    day = statement_import(
        provider="sim", text=text, actor=world.city_finance, now=world.at(days=1)
    )
    found = {(m.kind, m.payment_code) for m in day.mismatches.all()}
    assert found == {
        ("missing_there", c.payment_code),
        ("amount_differs", b.payment_code),
        ("unknown_order", "32010026100000099999"),
    }
    assert a.payment_code not in {code for _, code in found}
    assert day.status == DayStatus.MISMATCHED
    with pytest.raises(DomainError) as exc:
        day_close(day_id=day.pk, actor=world.city_finance, now=world.at(days=1))
    assert exc.value.code == "payment_day_unresolved"
    for m in day.mismatches.all():
        mismatch_resolve(
            mismatch_id=m.pk,
            resolution="已与银行核实",
            actor=world.city_finance,
            now=world.at(days=1),
        )
    with pytest.raises(DomainError) as exc:
        mismatch_resolve(
            mismatch_id=m.pk, resolution="再处理", actor=world.city_finance, now=world.at(days=1)
        )
    assert exc.value.code == "payment_mismatch_resolved"
    assert (
        day_close(day_id=day.pk, actor=world.city_finance, now=world.at(days=1)).status == "closed"
    )


def test_a_payment_here_for_a_closed_order_shows_as_missing_here(world):
    from tongban.payments.services import order_cancel

    case = submit_and_accept(world)
    order = PaymentOrder.objects.get(case=case)
    order, _ = order_start(
        order_id=order.pk, provider="sim", actor=world.citizen, now=world.at(hours=2)
    )
    order_cancel(
        order_id=order.pk, actor=world.head, reason="开错", now=world.at(hours=2, minutes=1)
    )
    sim_pay(txn_id=order.provider_txn, now=world.at(hours=2, minutes=2))
    sim_deliver_due(now=world.at(hours=2, minutes=2))
    day = statement_import(
        provider="sim", text=SimulatedProvider().statement(day=DAY), actor=world.finance,
        now=world.at(days=1),
    )  # fmt: skip
    assert [(m.kind, m.order_id) for m in day.mismatches.all()] == [("missing_here", order.pk)]


@pytest.mark.parametrize(
    ("line", "number", "why"),
    [
        ("{code}|T1|pay|12.5|2026-11-02T10:00:00+08:00", 3, "金额"),
        ("{code}|T1|pay|100", 3, "5 个字段"),
        ("{code}|T1|gift|100|2026-11-02T10:00:00+08:00", 3, "类型"),
        ("{code}|T1|pay|100|2026-11-05T10:00:00+08:00", 3, "对账日"),
        ("{code}|T1|pay|100|yesterday", 3, "时间无效"),
    ],
)
def test_a_malformed_statement_line_refuses_the_whole_import_naming_the_line(
    world, line, number, why
):
    order = _paid(world)
    good = SimulatedProvider().statement(day=DAY).splitlines()
    text = "\n".join([good[0].replace("|1|", "|2|"), good[1], line.format(code=order.payment_code)])
    with pytest.raises(DomainError) as exc:
        statement_import(provider="sim", text=text, actor=world.finance, now=world.at(days=1))
    assert exc.value.code == "payment_statement_malformed"
    assert f"第 {number} 行" in exc.value.detail and why in exc.value.detail
    assert exc.value.extra == {"line": number}
    assert not StatementDay.objects.exists() and not Mismatch.objects.exists()


def test_a_header_that_disagrees_and_a_second_import_are_refused(world):
    _paid(world)
    text = SimulatedProvider().statement(day=DAY)
    with pytest.raises(DomainError) as exc:
        statement_import(
            provider="sim",
            text=text.replace("|1|", "|2|", 1),
            actor=world.finance,
            now=world.at(days=1),
        )
    assert exc.value.code == "payment_statement_malformed" and "第 1 行" in exc.value.detail
    statement_import(provider="sim", text=text, actor=world.finance, now=world.at(days=1))
    with pytest.raises(DomainError) as exc:
        statement_import(provider="sim", text=text, actor=world.finance, now=world.at(days=1))
    assert exc.value.code == "payment_statement_duplicate"


def test_a_refund_appears_in_the_statement_and_matches(world):
    order = _paid(world)
    refund = refund_request(
        order_id=order.pk,
        amount_fen=500,
        reason="部分退费",
        actor=world.clerk,
        now=world.at(hours=3),
    )
    refund_approve(refund_id=refund.pk, actor=world.finance, now=world.at(hours=4))
    text = SimulatedProvider().statement(day=DAY)
    assert "|refund|500|" in text
    day = statement_import(provider="sim", text=text, actor=world.finance, now=world.at(days=1))
    assert day.status == DayStatus.CLOSED and day.total_fen == order.paid_fen - 500


def test_the_receipt_verifies_with_its_check_code_only(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the worker issues the receipt
        order = _paid(world)
    receipt = Receipt.objects.get(order=order)
    assert receipt_verify(number=receipt.number, check_code=receipt.check_code.lower()) == receipt
    with pytest.raises(DomainError) as exc:
        receipt_verify(number=receipt.number, check_code="0000000000")
    assert exc.value.code == "payment_receipt_not_found"
    pdf = receipt_pdf(receipt)
    assert pdf.startswith(b"%PDF") and len(pdf) > 2000
