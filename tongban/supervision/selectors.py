"""Every read of supervision, scoped by the caller (DESIGN §8, CONVENTIONS 5)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from tongban.cases.models import Case
from tongban.core.api.pagination import Page, paginate
from tongban.core.calendar import get_calendar, notice_due
from tongban.org.models import Role
from tongban.org.selectors import StaffScope, scope_q, staff_scope_for
from tongban.supervision.models import Alert

# Who sees the alerts of the cases in their scope: the supervisor (电子监察),
# and the staff who must act on them.
ALERT_ROLES = (Role.SUPERVISOR, Role.DEPARTMENT_HEAD, Role.WINDOW_CLERK, Role.REVIEWER)

# Earliest deadline first: what is overdue longest comes first, then what is due soonest.
ALERT_ORDERING = ("deadline", "id")


def _alerts_for_staff(*, user: Any) -> QuerySet[Alert] | None:
    scope = staff_scope_for(user=user).for_roles(*ALERT_ROLES)
    if scope.is_empty:
        return None
    return Alert.objects.filter(
        scope_q(scope=scope, region_path_field="region_path", department_field="department")
    )


def alert_list_for_staff(
    *,
    user: Any,
    level: str | None = None,
    kind: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[Alert]:
    """The open alerts in the user's scope, earliest deadline first (cursor pages).

    Scoped in SQL by region subtree and, where the grant is restricted, by
    department; a user with no staff role here gets an empty page.
    """
    alerts = _alerts_for_staff(user=user)
    if alerts is None:
        return Page([], None)
    alerts = alerts.filter(resolved_at__isnull=True)
    if level:
        alerts = alerts.filter(level=level)
    if kind:
        alerts = alerts.filter(kind=kind)
    alerts = alerts.select_related("case__service_item", "department").only(
        "id",
        "kind",
        "level",
        "deadline",
        "working_days_left",
        "message",
        "raised_at",
        "level_changed_at",
        "case__case_no",
        "case__service_item__name",
        "department__name",
    )
    return paginate(alerts, ordering=ALERT_ORDERING, cursor=cursor, limit=limit)


# --- operations tasks (运维事项) ------------------------------------------------


@dataclass(frozen=True)
class OperationsTask:
    """Something operations must do for the platform to keep the law's time."""

    code: str
    title: str
    detail: str
    cases: int  # open cases in the caller's scope it concerns


OPERATIONS_ROLES = (Role.SUPERVISOR, Role.PLATFORM_ADMIN)


def operations_tasks_for_staff(
    *, user: Any, today: dt.date, scope: StaffScope | None = None
) -> list[OperationsTask]:
    """The operations tasks a supervisor or platform administrator should see.

    Today one kind: from 1 November, next year's holiday notice when it is not
    imported (ADR-0006), with the open cases in the caller's scope whose dates
    were counted provisionally on it (scoped in SQL).
    """
    # ``scope``: the caller's, when the page has read it already (one read per page).
    scope = (scope or staff_scope_for(user=user)).for_roles(*OPERATIONS_ROLES)
    if scope.is_empty:
        return []
    year = notice_due(today=today)
    if year is None:
        return []
    provisional = year in get_calendar().provisional_years
    cases = Case.objects.filter(
        scope_q(scope=scope, region_path_field="region_path", department_field="department"),
        provisional_year=year,
    ).count()
    if provisional:
        detail = (
            f"{year}年的工作日暂依据《全国年节及纪念日放假办法》推算，所计办理期限标注“暂定”。"
            "国务院放假通知发布后请立即导入（tongban calendar import），"
            "导入后暂定期限自动重新计算，期限变动的申请人将收到通知。"
        )
    else:
        detail = f"{year}年没有日历数据，期限落在该年的办件无法计算工作日。请立即导入放假通知。"
    return [
        OperationsTask(
            code="calendar_notice_due",
            title=f"导入{year}年国务院节假日安排通知",
            detail=detail,
            cases=cases,
        )
    ]
