"""Supervision of 一件事: a read model over ``bundles``' alerts.

Every lead department's desk (issue 11 #5) sees every open alert of the bundles
it leads — the bundle's one deadline and each member's clock — and a
cooperating department's desk the alerts of the members it handles, raised by
``bundles.services.alerts.bundle_alerts_sweep`` with their recipients; scoped
like every staff read (region subtree, and a recipient department where the
grant is restricted), in SQL.
"""

from __future__ import annotations

from typing import Any

from tongban.bundles.models import BundleAlert
from tongban.org.selectors import scope_q, staff_scope_for
from tongban.supervision.selectors import ALERT_ORDERING, ALERT_ROLES


def bundle_alert_list_for_staff(
    *, user: Any, level: str | None = None, limit: int = 100
) -> list[BundleAlert]:
    """The open bundle alerts in the user's scope, earliest deadline first."""
    scope = staff_scope_for(user=user).for_roles(*ALERT_ROLES)
    if scope.is_empty:
        return []
    delivered = BundleAlert.objects.filter(
        scope_q(
            scope=scope, region_path_field="region_path", department_field="recipients__department"
        ),
        resolved_at__isnull=True,
    ).values("pk")
    alerts = BundleAlert.objects.filter(pk__in=delivered)
    if level:
        alerts = alerts.filter(level=level)
    return list(
        alerts.select_related("application__bundle", "department").order_by(*ALERT_ORDERING)[:limit]
    )
