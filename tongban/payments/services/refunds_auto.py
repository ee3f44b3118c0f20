"""Refunds the platform asks for itself: a 即办件 denied on the spot after its
acceptance-stage fee was paid (issue 19).

A 即办件 denied on the spot is not charged its acceptance-stage fees
(``orders._lift_acceptance_fees`` cancels the order still owed). When the
applicant had already paid it, the money is refunded in full: the platform
asks for the refund (``refund_request_automatic``), with the reason, in the
name of the clerk who denied the case, and the department's finance staff
(财务人员) are told by SMS. The refund is then approved like any other — by
finance staff, never by the person it is requested for (refunds move money:
four eyes, ``refunds`` module) — so it waits in the workbench's refunds list
as 待审批 until a finance member approves it.

Run by the ``case.handle_immediately`` subscriber: replaying the event (or
the handler) asks nothing twice (one refund per order and denial,
``Refund.source_key``; one SMS per refund and recipient).
"""

from __future__ import annotations

import datetime as dt
import logging

from tongban.cases.models import Case, CaseEvent
from tongban.core.notifications import notification_send
from tongban.identity.models import User
from tongban.identity.selectors import phone_for_sms
from tongban.org.models import Role
from tongban.org.selectors import staff_covering
from tongban.payments import fees
from tongban.payments.models import AssessStage, OrderStatus, PaymentOrder, Refund
from tongban.payments.services.refunds import refund_request_automatic

logger = logging.getLogger("tongban.payments.refunds")

DENIAL_REASON = "即办件当场不予许可，受理环节已缴费用全额退还。"


def refunds_for_denied_case(case: Case, *, now: dt.datetime) -> list[Refund]:
    """The refund request of each paid acceptance-stage order of the denied
    ``case`` (in the caller's transaction); the finance staff told."""
    orders = list(
        PaymentOrder.objects.filter(
            source_key=f"case:{case.case_no}:{AssessStage.ACCEPTANCE}",
            status__in=(OrderStatus.PAID, OrderStatus.PART_REFUNDED),
        )
    )
    if not orders:
        return []
    clerk = (
        CaseEvent.objects.filter(case=case, action="handle_immediately", actor__isnull=False)
        .order_by("-at", "-pk")
        .select_related("actor")
        .first()
    )
    if clerk is None or clerk.actor is None:
        # A denial on the spot is a clerk's act; without one there is nobody
        # the request can name, and finance refunds it by hand (reconciliation).
        logger.warning("denied case %s has no clerk to request its refund", case.case_no)
        return []
    refunds = []
    for order in orders:
        refund = refund_request_automatic(
            order_id=order.pk, reason=DENIAL_REASON, requested_by=clerk.actor,
            source_key=f"case:{case.case_no}:denied:{order.payment_code}", now=now,
        )  # fmt: skip
        if refund is not None:
            _tell_finance(order, refund)
            refunds.append(refund)
    return refunds


def _finance_staff(order: PaymentOrder) -> list[User]:
    """The active finance members whose grant covers the order (as
    ``finance_required`` checks it): its region subtree, and its department
    where the grant is restricted — selected in SQL, the grant's region being
    one of the order's region path's ancestors (or the region itself)."""
    grants = staff_covering(
        role=Role.FINANCE, region_path=order.region_path, departments=[order.department_id]
    )
    return list(User.objects.filter(pk__in=grants).select_related("person").order_by("pk"))


def _tell_finance(order: PaymentOrder, refund: Refund) -> int:
    """An SMS to each finance member who may approve it (once each)."""
    body = (
        f"【通办】缴款通知书 {order.payment_code} 所涉即办件已当场不予许可，"
        f"系统已申请全额退款 {fees.yuan(refund.amount_fen)} 元，请在工作台“退款”中审批。"
    )
    sent = 0
    for user in _finance_staff(order):
        phone = phone_for_sms(user)
        if phone is None:
            continue
        notification_send(
            channel="sms",
            recipient=phone,
            subject="退款待审批",
            body=body,
            purpose="refund_requested",
            object_type="payments.Refund",
            object_id=f"{refund.pk}/{user.pk}",
        )
        sent += 1
    return sent
