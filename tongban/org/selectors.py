"""Every read of the organisation layer, and the staff data scope (DESIGN §8).

Higher apps never filter staff queries by hand: they take the caller's
:class:`StaffScope` from :func:`staff_scope_for` and add :func:`scope_q` to
their query, so "not yours" is decided in SQL and looks like "not found".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr

from tongban.core.errors import DomainError
from tongban.core.prepared import PreparedRead
from tongban.org import errors
from tongban.org.models import Department, Region, RegionLevel, StaffAssignment


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
    """The data scope of a user's active assignments (one query; none when anonymous).

    Each assignment comes with its department restrictions in the same
    statement (the many-to-many table left-joined: one row per restricted
    department, one row with none for an unrestricted assignment), read as
    plain tuples by a statement compiled once per connection (core.prepared).
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return EMPTY_SCOPE
    rows = _SCOPE_READ.rows(user_id=user.pk)
    if not rows:
        return EMPTY_SCOPE
    assignments: dict[int, tuple[str, str]] = {}
    restricted: dict[int, set[int]] = {}
    for assignment_id, role, path, department_id in rows:
        assignments.setdefault(assignment_id, (role, path))
        if department_id is not None:
            restricted.setdefault(assignment_id, set()).add(department_id)
    grants = tuple(
        ScopeGrant(
            role=role,
            region_path=path,
            department_ids=frozenset(restricted[pk]) if pk in restricted else None,
        )
        for pk, (role, path) in assignments.items()
    )
    return StaffScope(roles=frozenset(g.role for g in grants), grants=grants)


_SCOPE_READ = PreparedRead(
    StaffAssignment,
    {"user_id": int},
    lambda user_id: (
        StaffAssignment.objects.filter(user_id=user_id, active=True)
        .order_by("id")
        .values_list("id", "role", "region_scope__path", "scope_departments")
    ),
)


def region_ancestor_paths(path: str) -> list[str]:
    """ "/32/3201/320102/" → ["/32/", "/32/3201/", "/32/3201/320102/"] (no query)."""
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def staff_covering(*, role: str, region_path: str, departments: Any) -> QuerySet[Any, Any]:
    """The user ids of the active grants of ``role`` that reach a place, as a
    scope reads a grant: its region ``region_path``'s own or an ancestor, and,
    where the grant is restricted to departments, one of ``departments`` (ids or
    a subquery of ids) — selected in SQL, for a ``pk__in`` over users."""
    return (
        StaffAssignment.objects.filter(
            role=role,
            active=True,
            user__is_active=True,
            region_scope__path__in=region_ancestor_paths(region_path),
        )
        .filter(Q(scope_departments__isnull=True) | Q(scope_departments__in=departments))
        .values("user_id")
    )


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


@dataclass(frozen=True)
class SubdivisionCounts:
    """The 乡镇 and 村 beneath a region: the denominators of R-HA-2 (002 #4).

    ``similar_*`` counts those of them the 统计局 codes 400–599 (类似乡级单位
    such as development zones and forest farms, 类似村级单位 such as their
    虚拟社区): statistical units, not 乡镇(街道) or 村(社区), which is what
    002 #4's shares (80 % of townships, 50 % of villages) are of.
    """

    townships: int
    villages: int
    similar_townships: int
    similar_villages: int

    @property
    def proper_townships(self) -> int:
        return self.townships - self.similar_townships

    @property
    def proper_villages(self) -> int:
        return self.villages - self.similar_villages


def region_subdivision_counts(code: str) -> SubdivisionCounts:
    """How many 乡镇 and 村 lie beneath region ``code`` (two queries)."""
    root = region_get(code)
    township, village = RegionLevel.TOWNSHIP, RegionLevel.VILLAGE
    # 统计用区划代码编制规则: digits 7–9 of a 乡级 code and 10–12 of a 村级 code
    # from 400 to 599 mark the 类似 units.
    similar = ["4", "5"]
    counts = (
        Region.objects.filter(path__startswith=root.path, level__in=[township, village])
        .exclude(code=root.code)
        .annotate(township_kind=Substr("code", 7, 1), village_kind=Substr("code", 10, 1))
        .aggregate(
            townships=Count("pk", filter=Q(level=township)),
            villages=Count("pk", filter=Q(level=village)),
            similar_townships=Count("pk", filter=Q(level=township, township_kind__in=similar)),
            similar_villages=Count("pk", filter=Q(level=village, village_kind__in=similar)),
        )
    )
    return SubdivisionCounts(**counts)


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
