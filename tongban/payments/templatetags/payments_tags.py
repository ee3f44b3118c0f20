"""Template helpers of payments: yuan from fen, and the fees panel of a case."""

from __future__ import annotations

from typing import Any

from django import template

from tongban.payments import fees
from tongban.payments.models import PaymentOrder

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
    return {"orders": orders, "case": case}
