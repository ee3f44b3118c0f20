"""Every read of supervision, scoped by the caller (DESIGN §8, CONVENTIONS 5)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tongban.core.api.pagination import Page, paginate
from tongban.org.models import Role
from tongban.org.selectors import scope_q, staff_scope_for
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
