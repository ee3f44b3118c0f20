"""Every read of the organisation layer, and the staff data scope (DESIGN §8).

Higher apps never filter staff queries by hand: they take the caller's
:class:`StaffScope` from :func:`staff_scope_for` and add :func:`scope_q` to
their query, so "not yours" is decided in SQL and looks like "not found".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from tongban.core.errors import DomainError
from tongban.org import errors
from tongban.org.models import Department, Region, StaffAssignment


@dataclass(frozen=True)
class ScopeGrant:
    """What one active assignment lets its holder see."""

    role: str
    region_path: str
    department_ids: frozenset[int] | None  # None: every department in the region subtree


@dataclass(frozen=True)
class StaffScope:
    """The union of a staff user's active assignments.

    ``grants`` keeps each assignment's (region, departments) pair, so that a
    department restriction on one assignment never widens or narrows another.
    ``region_paths`` and ``department_ids`` summarise it for display.
    """

    roles: frozenset[str]
    grants: tuple[ScopeGrant, ...]

    @property
    def region_paths(self) -> frozenset[str]:
        return frozenset(g.region_path for g in self.grants)

    @property
    def department_ids(self) -> frozenset[int] | None:
        """All departments the user may see, or None when some grant covers all of a region."""
        if any(g.department_ids is None for g in self.grants):
            return None
        return frozenset().union(*(g.department_ids or frozenset() for g in self.grants))

    @property
    def is_empty(self) -> bool:
        return not self.grants

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def for_roles(self, *roles: str) -> StaffScope:
        """The part of the scope that comes from the given roles only."""
        kept = tuple(g for g in self.grants if g.role in roles)
        return StaffScope(roles=frozenset(g.role for g in kept), grants=kept)


EMPTY_SCOPE = StaffScope(roles=frozenset(), grants=())


def staff_scope_for(*, user: Any) -> StaffScope:
    """The data scope of a user's active assignments (two queries; none when anonymous)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return EMPTY_SCOPE
    rows = list(
        StaffAssignment.objects.filter(user_id=user.pk, active=True).values_list(
            "id", "role", "region_scope__path"
        )
    )
    if not rows:
        return EMPTY_SCOPE
    restricted: dict[int, set[int]] = {}
    through = StaffAssignment.scope_departments.through
    for assignment_id, department_id in through.objects.filter(
        staffassignment_id__in=[r[0] for r in rows]
    ).values_list("staffassignment_id", "department_id"):
        restricted.setdefault(assignment_id, set()).add(department_id)
    grants = tuple(
        ScopeGrant(
            role=role,
            region_path=path,
            department_ids=frozenset(restricted[pk]) if pk in restricted else None,
        )
        for pk, role, path in rows
    )
    return StaffScope(roles=frozenset(g.role for g in grants), grants=grants)


def scope_q(*, scope: StaffScope, region_path_field: str, department_field: str | None) -> Q:
    """A filter for "rows in my region subtrees, and in my departments where restricted".

    ``region_path_field`` names the row's region path (``"region__path"``);
    ``department_field`` the row's department (``"department"``, or ``"pk"``
    for departments themselves), or None for rows that belong to no
    department, which a department-restricted grant then does not reach.
    An empty scope matches nothing.
    """
    combined = Q(pk__in=[])
    for grant in scope.grants:
        q = Q(**{f"{region_path_field}__startswith": grant.region_path})
        if grant.department_ids is not None:
            if department_field is None:
                continue
            q &= Q(**{f"{department_field}__in": sorted(grant.department_ids)})
        combined |= q
    return combined


def region_get(code: str) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise DomainError(errors.REGION_NOT_FOUND, f"行政区划 {code} 不存在")
    return region


def region_subtree(code: str) -> QuerySet[Region]:
    """The region and everything beneath it, in code order."""
    return Region.objects.filter(path__startswith=region_get(code).path).order_by("code")


def regions_children(code: str) -> QuerySet[Region]:
    """The regions directly beneath ``code``; the provinces when ``code`` is empty."""
    if not code:
        return Region.objects.filter(parent__isnull=True).order_by("code")
    return Region.objects.filter(parent_id=region_get(code).code).order_by("code")


def department_list_for_staff(user: Any) -> QuerySet[Department]:
    """The departments a staff user may see, with their regions."""
    scope = staff_scope_for(user=user)
    return (
        Department.objects.filter(
            scope_q(scope=scope, region_path_field="region__path", department_field="pk")
        )
        .select_related("region")
        .order_by("region_id", "name")
    )
