"""电子监察 of fees: payment orders past their due date and still unpaid.

A read model over ``payments``: the sweep ``payments.services.orders_alert_unpaid``
marks each overdue unpaid order once (``alerted_on``), audits it and emits
``payment.overdue``; this module lists the marked orders that are still owed,
for the supervisors and heads of the departments that collect them, scoped in
SQL like every staff read (region subtree, and the department where the grant
is restricted).
"""

from __future__ import annotations

from typing import Any

from tongban.core import clock
from tongban.org.selectors import scope_q, staff_scope_for
from tongban.payments.models import OrderStatus, PaymentOrder
from tongban.supervision.selectors import ALERT_ROLES

OWED = (OrderStatus.CREATED, OrderStatus.PENDING, OrderStatus.FAILED, OrderStatus.EXPIRED)


def unpaid_order_alerts_for_staff(*, user: Any, limit: int = 100) -> list[dict[str, Any]]:
    """Overdue unpaid orders in the user's scope, longest overdue first."""
    scope = staff_scope_for(user=user).for_roles(*ALERT_ROLES)
    if scope.is_empty:
        return []
    today = clock.today()
    orders = (
        PaymentOrder.objects.filter(
            scope_q(scope=scope, region_path_field="region_path", department_field="department"),
            status__in=OWED,
            alerted_on__isnull=False,
        )
        .select_related("department", "case")
        .order_by("due_on", "pk")[:limit]
    )
    return [
        {
            "order": order,
            "days_overdue": (today - order.due_on).days,
            "case_no": order.case.case_no if order.case is not None else "",
        }
        for order in orders
    ]
