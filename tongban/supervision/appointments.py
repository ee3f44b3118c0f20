"""电子监察 of 纠错 (窗口无否决权): reports not answered within their working days.

A read model over ``appointments``: the sweep
``appointments.services.error_reports.error_reports_alert_overdue`` marks each
overdue unanswered report once (``alerted_on``), audits it and emits
``appointments.error_report_overdue``; this module lists the marked reports
still unanswered, for the supervisors and heads whose scope holds the hall,
scoped in SQL like every staff read.
"""

from __future__ import annotations

from typing import Any

from tongban.appointments.models import ErrorReport, ReportStatus
from tongban.appointments.selectors import halls_in_scope
from tongban.appointments.standard_selectors import BOARD_ROLES
from tongban.core import clock
from tongban.org.selectors import staff_scope_for


def error_report_alerts_for_staff(*, user: Any, limit: int = 100) -> list[dict[str, Any]]:
    """Alerted 纠错 reports still unanswered in the user's halls, longest overdue first."""
    scope = staff_scope_for(user=user).for_roles(*BOARD_ROLES)
    if scope.is_empty:
        return []
    today = clock.today()
    rows = (
        ErrorReport.objects.filter(
            status=ReportStatus.SUBMITTED,
            alerted_on__isnull=False,
            hall__in=halls_in_scope(scope).values("pk"),
        )
        .select_related("hall", "window")
        .order_by("due_on", "pk")[:limit]
    )
    return [
        {
            "code": r.code,
            "hall": r.hall.name,
            "window": r.window.number if r.window else "",
            "due_on": r.due_on,
            "days_overdue": (today - r.due_on).days,
            "alerted_on": r.alerted_on,
        }
        for r in rows
    ]
