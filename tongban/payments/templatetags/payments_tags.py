"""Template helpers of payments: yuan from fen, and the fees panel of a case."""

from __future__ import annotations

from typing import Any

from django import template

from tongban.payments import fees
from tongban.payments.models import AssessStage, FeeRule, PayBefore, PaymentOrder
from tongban.payments.services._common import OWED

register = template.Library()


@register.filter
def yuan(fen: Any) -> str:
    """12345 → "123.45" (integer fen in, text out: never a float)."""
    try:
        return fees.yuan(int(fen))
    except (TypeError, ValueError):
        return ""


@register.inclusion_tag("payments/_case_fees.html")
def case_fees(case: Any) -> dict[str, Any]:
    """The fees panel of 我的办件: each order of the case, its amount, basis, deadline."""
    content = getattr(case.guide_version, "content", None) or {}
    if content.get("free", True) and not case.fees_unpaid_fen:
        return {"orders": [], "case": case}  # a free item: no query
    orders = list(
        PaymentOrder.objects.filter(case=case).select_related("department").order_by("created_at")
    )
    # Charged at submission (every fee of a 即办件 is), the order is issued by
    # the task worker right after the case is filed: until it is there, say so
    # rather than show nothing.
    instant = (case.rules or {}).get("handling") == "immediate"
    stages = AssessStage.values if instant else [AssessStage.SUBMISSION]
    issuing = (
        not orders
        and case.status in ("submitted", "supplement_requested", "supplemented")
        and FeeRule.objects.filter(
            service_item_id=case.service_item_id, stage__in=stages, active=True
        ).exists()
    )
    before_acceptance = any(
        o.pay_before == PayBefore.ACCEPTANCE and o.status in OWED for o in orders
    )
    return {
        "orders": orders,
        "case": case,
        "issuing": issuing,
        "before_acceptance": before_acceptance,
        # 即办件 still at the window: decided and handed out once the fees are paid.
        "instant_waiting": instant and case.status == "submitted",
    }


@register.inclusion_tag("payments/_bundle_fees.html")
def bundle_fees(application_no: str) -> dict[str, Any]:
    """The fees panel of a 一件事 application: one total, each department's order."""
    from tongban.payments.selectors import bundle_fees_for_application

    return {"fees": bundle_fees_for_application(application_no=application_no)}
