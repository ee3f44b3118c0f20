"""Refunds (退款): asked for with a reason, approved by someone else, paid back.

Asked for by the window or the department head; approved or rejected only by
finance staff (财务人员) whose grant covers the order's department, and never
by the person who asked.

Never above what was paid: under the order's lock, what is refunded plus what
is awaiting approval plus the new request must not exceed the paid amount
(checked on request and again on approval), and a database constraint keeps
``refunded_fen <= paid_fen`` whatever happens.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Sum

from tongban.core import clock
from tongban.core.audit import audit_record
from tongban.core.errors import DomainError
from tongban.payments import errors, fees
from tongban.payments.models import OrderStatus, PaymentOrder, Refund, RefundStatus
from tongban.payments.providers import get_provider
from tongban.payments.services._common import apply, finance_required, label, lock


def _refundable(order: PaymentOrder, *, excluding: int | None = None) -> int:
    waiting_qs = Refund.objects.filter(order=order, status=RefundStatus.REQUESTED)
    if excluding is not None:
        waiting_qs = waiting_qs.exclude(pk=excluding)
    waiting = waiting_qs.aggregate(s=Sum("amount_fen"))["s"] or 0
    return order.paid_fen - order.refunded_fen - int(waiting)


def _too_large(order: PaymentOrder, amount: int, left: int) -> DomainError:
    return DomainError(
        errors.REFUND_TOO_LARGE,
        f"退款金额 {fees.yuan(amount)} 元超过可退金额 {fees.yuan(max(left, 0))} 元"
        f"（实缴 {fees.yuan(order.paid_fen)} 元，已退或待审批的不能重复退）。",
        extra={"refundable_fen": max(left, 0)},
    )


def refund_request(
    *, order_id: int, amount_fen: Any, reason: str, actor: Any, now: dt.datetime | None = None
) -> Refund:
    """申请退款 (full or part) with the reason."""
    moment = now or clock.now()
    try:
        amount = fees.check_fen(amount_fen, "退款金额")
    except fees.FeeError as exc:
        raise DomainError(errors.AMOUNT_INVALID, str(exc)) from None
    if amount == 0:
        raise DomainError(errors.AMOUNT_INVALID, "退款金额须大于零。")
    text = " ".join((reason or "").split())
    if len(text) < 2:
        raise DomainError(errors.REFUND_INVALID_STATE, "申请退款须写明原因。")
    with transaction.atomic():
        order = lock(order_id)
        if order.status not in (OrderStatus.PAID, OrderStatus.PART_REFUNDED):
            raise DomainError(
                errors.ORDER_INVALID_STATE,
                f"缴款通知书当前为“{OrderStatus(order.status).label}”，不能退款。",
            )
        left = _refundable(order)
        if amount > left:
            raise _too_large(order, amount, left)
        refund = Refund.objects.create(
            order=order, amount_fen=amount, reason=text[:500], requested_by=actor,
            requested_at=moment,
        )  # fmt: skip
        audit_record(
            actor=label(actor), action="payments.refund_request", object_type="payment_order",
            object_id=order.payment_code, details={"refund": refund.pk, "amount_fen": amount},
            now=moment,
        )  # fmt: skip
    return refund


def refund_request_automatic(
    *, order_id: int, reason: str, requested_by: Any, source_key: str, now: dt.datetime
) -> Refund | None:
    """申请退款 made by the platform for what it must not keep (a 即办件 denied on
    the spot after its fee was paid): the whole refundable amount, with the
    reason, in the name of the staff member whose act caused it. It waits for
    a finance member's approval like any other (``refund_approve``: never the
    requester's). One per ``source_key``: a replay returns the first (or None
    if there was nothing to refund), whatever became of it since."""
    with transaction.atomic():
        order = lock(order_id)
        earlier = Refund.objects.filter(source_key=source_key).first()
        if earlier is not None:
            return earlier
        if order.status not in (OrderStatus.PAID, OrderStatus.PART_REFUNDED):
            return None
        amount = _refundable(order)
        if amount <= 0:
            return None  # already refunded, or a refund of all of it awaits approval
        refund = Refund.objects.create(
            order=order, amount_fen=amount, reason=reason[:500], requested_by=requested_by,
            requested_at=now, source_key=source_key,
        )  # fmt: skip
        audit_record(
            actor="system", action="payments.refund_request", object_type="payment_order",
            object_id=order.payment_code,
            details={"refund": refund.pk, "amount_fen": amount, "automatic": source_key},
            now=now,
        )  # fmt: skip
    return refund


def _lock_refund(refund_id: int) -> Refund:
    refund = Refund.objects.select_for_update().filter(pk=refund_id).first()
    if refund is None:
        raise DomainError(errors.REFUND_NOT_FOUND, "退款申请不存在。")
    if refund.status != RefundStatus.REQUESTED:
        raise DomainError(
            errors.REFUND_INVALID_STATE,
            f"退款申请当前为“{RefundStatus(refund.status).label}”，不能再审批。",
        )
    return refund


def refund_approve(
    *, refund_id: int, actor: Any, note: str = "", now: dt.datetime | None = None
) -> Refund:
    """审批通过: the provider pays back, the order becomes (part-)refunded."""
    moment = now or clock.now()
    with transaction.atomic():
        order_id = Refund.objects.filter(pk=refund_id).values_list("order_id", flat=True).first()
        if order_id is None:
            raise DomainError(errors.REFUND_NOT_FOUND, "退款申请不存在。")
        order = lock(order_id)  # the order first, then the refund: one lock order
        finance_required(
            actor, region_path=order.region_path, department_id=order.department_id,
            what="审批退款",
        )  # fmt: skip
        refund = _lock_refund(refund_id)
        if refund.requested_by_id == getattr(actor, "pk", None):
            raise DomainError(errors.REFUND_SELF_APPROVAL, "退款须由申请人以外的人员审批。")
        left = _refundable(order, excluding=refund.pk)
        if refund.amount_fen > left:
            raise _too_large(order, refund.amount_fen, left)
        done = get_provider(order.provider).refund(
            txn_id=order.provider_txn, amount_fen=refund.amount_fen,
            refund_key=f"RF{refund.pk:010d}", now=moment,
        )  # fmt: skip
        refund.status = RefundStatus.DONE
        refund.decided_by = actor
        refund.decided_at = moment
        refund.decision_note = note.strip()[:500]
        refund.provider_refund_id = done.refund_id
        refund.save()
        order.refunded_fen += refund.amount_fen
        action = "refund_full" if order.refunded_fen == order.paid_fen else "refund_part"
        apply(
            order, action=action, actor=actor, now=moment, fields=["refunded_fen"],
            details={"refund": refund.pk, "amount_fen": refund.amount_fen, "reason": refund.reason},
        )  # fmt: skip
    return refund


def refund_reject(
    *, refund_id: int, actor: Any, note: str, now: dt.datetime | None = None
) -> Refund:
    moment = now or clock.now()
    text = " ".join((note or "").split())
    if len(text) < 2:
        raise DomainError(errors.REFUND_INVALID_STATE, "驳回退款须写明理由。")
    with transaction.atomic():
        refund = _lock_refund(refund_id)
        order = PaymentOrder.objects.only("region_path", "department_id").get(pk=refund.order_id)
        finance_required(
            actor, region_path=order.region_path, department_id=order.department_id,
            what="驳回退款",
        )  # fmt: skip
        refund.status = RefundStatus.REJECTED
        refund.decided_by = actor
        refund.decided_at = moment
        refund.decision_note = text[:500]
        refund.save()
        audit_record(
            actor=label(actor), action="payments.refund_reject", object_type="payment_refund",
            object_id=str(refund.pk), details={"note": text[:200]}, now=moment,
        )  # fmt: skip
    return refund
