"""Who may act on a bundle application: staff whose scope covers it."""

from __future__ import annotations

from typing import Any

from tongban.bundles.models import BundleApplication
from tongban.org.models import Role
from tongban.org.selectors import staff_scope_for

FRONT = (Role.WINDOW_CLERK, Role.DEPARTMENT_HEAD)
HANDLERS = (Role.WINDOW_CLERK, Role.REVIEWER, Role.DEPARTMENT_HEAD)


def application_departments(application: BundleApplication) -> set[int]:
    """The departments taking part: the members' and the lead departments."""
    return set(application.members.values_list("department_id", flat=True)) | set(
        application.bundle.lead_departments.values_list("pk", flat=True)
    )


def staff_covers(
    actor: Any,
    application: BundleApplication,
    roles: tuple[str, ...],
    departments: set[int] | None = None,
) -> bool:
    """A grant of one of ``roles`` whose region covers the application and whose
    departments (when restricted) include one of ``departments`` (by default
    every department taking part)."""
    wanted = departments if departments is not None else application_departments(application)
    for grant in staff_scope_for(user=actor).grants:
        if grant.role not in roles or not application.region_path.startswith(grant.region_path):
            continue
        if grant.department_ids is None or grant.department_ids & wanted:
            return True
    return False
