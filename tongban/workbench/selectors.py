"""Reads for the staff workbench: who the caller is and what they may see.

The scope itself comes from :func:`tongban.org.selectors.staff_scope_for`;
this module only resolves its region paths and department ids to names for
display (two queries, whatever the number of assignments).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tongban.org.models import Department, Region, Role
from tongban.org.selectors import StaffScope, staff_scope_for

ALL_DEPARTMENTS = "区划范围内全部部门"


@dataclass(frozen=True)
class GrantView:
    role: str
    region: str
    departments: tuple[str, ...]  # empty: every department in the region subtree


@dataclass(frozen=True)
class StaffOverview:
    name: str
    roles: tuple[str, ...]
    grants: tuple[GrantView, ...]
    is_platform_admin: bool

    @property
    def has_scope(self) -> bool:
        return bool(self.grants)


def _role_label(role: str) -> str:
    try:
        return str(Role(role).label)
    except ValueError:
        return role


def staff_overview_for_staff(*, user: Any) -> StaffOverview:
    """The staff member's name, roles and data scope, in readable form."""
    scope: StaffScope = staff_scope_for(user=user)
    paths = {g.region_path for g in scope.grants}
    regions = {
        r.path: r.full_name or r.name
        for r in Region.objects.filter(path__in=sorted(paths)).only("path", "name", "full_name")
    }
    department_ids = set().union(*(g.department_ids or set() for g in scope.grants))
    departments = {
        d.pk: d.name
        for d in Department.objects.filter(pk__in=sorted(department_ids)).only("pk", "name")
    }
    grants = tuple(
        sorted(
            (
                GrantView(
                    role=_role_label(g.role),
                    region=regions.get(g.region_path, g.region_path),
                    departments=tuple(
                        sorted(departments[i] for i in (g.department_ids or ()) if i in departments)
                    ),
                )
                for g in scope.grants
            ),
            key=lambda v: (v.role, v.region, v.departments),
        )
    )
    role_order = {value: index for index, value in enumerate(Role.values)}
    roles = tuple(_role_label(r) for r in sorted(scope.roles, key=lambda r: role_order.get(r, 99)))
    return StaffOverview(
        name=str(getattr(user, "display_name", "") or getattr(user, "username", "")),
        roles=roles,
        grants=grants,
        is_platform_admin=bool(
            getattr(user, "is_staff", False)
            and (scope.has_role(Role.PLATFORM_ADMIN) or getattr(user, "is_superuser", False))
        ),
    )
