"""电子监察 of 纠错 (窗口无否决权): reports not answered within their working days.

A read model over ``appointments``: the sweep
``appointments.services.error_reports.error_reports_alert_overdue`` marks each
overdue unanswered report once (``alerted_on``), audits it and emits
``appointments.error_report_overdue``; this module lists the marked reports
still unanswered, for the supervisors and heads whose scope holds the hall,
scoped in SQL like every staff read, and on that event (delivered by the outbox)
texts the hall's supervisors (监督员, who answer 纠错) once each — unless the
report was answered meanwhile.
"""

from __future__ import annotations

import logging
from typing import Any

from tongban.appointments.models import ErrorReport, ReportStatus
from tongban.appointments.selectors import halls_in_scope
from tongban.appointments.standard_selectors import BOARD_ROLES
from tongban.core import clock
from tongban.core.notifications import notification_send
from tongban.identity.models import User
from tongban.identity.selectors import phone_for_sms
from tongban.org.models import Hall, Role
from tongban.org.selectors import staff_covering, staff_scope_for

logger = logging.getLogger(__name__)

OVERDUE_PURPOSE = "error_report_overdue"


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


def hall_supervisors(hall: Hall) -> list[User]:
    """The active supervisors (监督员) whose grant holds the hall, as
    ``halls_in_scope`` reads a grant: its region the hall's or above, and, where
    the grant is restricted to departments, one of them receiving at a window of
    the hall — selected in SQL."""
    grants = staff_covering(
        role=Role.SUPERVISOR,
        region_path=hall.region.path,
        departments=hall.windows.values("departments"),
    )
    return list(User.objects.filter(pk__in=grants).select_related("person").order_by("pk"))


def on_error_report_overdue(*, event_id: Any, payload: dict[str, Any]) -> None:
    """Text each supervisor of the hall that the report is overdue (once each: the
    notification is unique per report and supervisor, so a redelivered event sends
    nothing more). The SMS names the hall, the code and the due date, never the
    narrative or the reporter."""
    report = (
        ErrorReport.objects.select_related("hall__region")
        .filter(code=str(payload.get("code") or ""))
        .first()
    )
    if report is None or report.status != ReportStatus.SUBMITTED:
        return  # answered before the outbox delivered the alert
    body = (
        f"【通办】{report.hall.name}的窗口纠错（编号 {report.code}）答复期限 "
        f"{report.due_on:%Y年%m月%d日} 已过，仍未答复，请尽快在工作台核查并答复。"
    )
    told = 0
    for user in hall_supervisors(report.hall):
        phone = phone_for_sms(user)
        if phone is None:
            continue
        notification_send(
            channel="sms",
            recipient=phone,
            subject="纠错逾期",
            body=body,
            purpose=OVERDUE_PURPOSE,
            object_type="appointments.ErrorReport",
            object_id=f"{report.code}/{user.pk}",
        )
        told += 1
    if not told:
        logger.warning(
            "纠错 %s overdue: no supervisor of hall %s has a phone", report.code, report.hall_id
        )
