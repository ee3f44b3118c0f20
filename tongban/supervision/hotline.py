"""Supervision of the 12345 hotline: a read model over ``hotline``'s alerts.

The hotline keeps its own alerts (dispatch and handling clocks, R-HL-3) and
raises the 督办 level of overdue orders; supervision reads them here, scoped
like every staff read, and summarises them per department for the centre.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Max, Q

from tongban.hotline import workflow
from tongban.hotline.models import HotlineAlert
from tongban.org.selectors import scope_q, staff_scope_for


def hotline_alert_summary_for_staff(*, user: Any) -> list[dict[str, Any]]:
    """Open hotline alerts per handling department: yellow, red, highest 督办 level."""
    scope = staff_scope_for(user=user).for_roles(*workflow.READ_ROLES)
    rows = (
        HotlineAlert.objects.filter(resolved_at__isnull=True)
        .filter(
            scope_q(scope=scope, region_path_field="region_path", department_field="department_id")
        )
        .values("department_id", "department__name")
        .annotate(
            yellow=Count("id", filter=Q(level="yellow")),
            red=Count("id", filter=Q(level="red")),
            escalation=Max("order__escalation_level"),
        )
        .order_by("-red", "-yellow", "department_id")[:200]
    )
    return [
        {
            "department_id": r["department_id"],
            "department": r["department__name"] or "（待派单）",
            "yellow": r["yellow"],
            "red": r["red"],
            "escalation_level": r["escalation"] or 0,
        }
        for r in rows
    ]
