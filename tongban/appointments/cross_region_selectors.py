"""同城通办 and 异地代办 at the halls (R-CS-10): which hall a clerk takes applications
in at, which other regions' items it takes, the cases it took for other regions
(read-only for its staff) and the figures per hall and per owning region.

A hall takes another region's item when it lists it among its point items
(``ServicePointItem``: the items a point handles or collects and forwards); the
case is written for the owning department (its region, its queue, its clock),
with the taking hall and the kind of 通办 on it (``cases.cross_region``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from tongban.appointments.models import ServicePointItem, WindowDuty
from tongban.appointments.selectors import halls_in_scope
from tongban.cases.cross_region import CrossRegion
from tongban.cases.models import Case
from tongban.catalog import search
from tongban.catalog.models import ServiceItem
from tongban.org.models import Hall, Role, StaffAssignment
from tongban.org.selectors import StaffScope, region_ancestor_paths, scope_q

# Who keeps a hall's 通办 list: its supervisors, the centre's head and platform admins.
LIST_ROLES = (Role.SUPERVISOR, Role.DEPARTMENT_HEAD, Role.PLATFORM_ADMIN)


def intake_hall_for_clerk(*, user: Any) -> Hall | None:
    """The hall a clerk takes applications in at: her window on duty (亮牌), else the
    window of her active assignment."""
    if not getattr(user, "pk", None):
        return None
    duty = (
        WindowDuty.objects.filter(clerk_id=user.pk, ended_at__isnull=True)
        .values_list("window__hall_id", flat=True)
        .first()
    )
    hall_id = duty or (
        StaffAssignment.objects.filter(user_id=user.pk, active=True, window__isnull=False)
        .order_by("pk")
        .values_list("window__hall_id", flat=True)
        .first()
    )
    return Hall.objects.select_related("region").filter(pk=hall_id).first() if hall_id else None


def off_line_q(hall: Hall) -> Q:
    """Items neither of the hall's region line (above it) nor of its subtree."""
    path = hall.region.path
    return ~Q(region_path__startswith=path) & ~Q(region_path__in=region_ancestor_paths(path))


def remote_items_for_hall(*, hall: Hall, q: str = "") -> QuerySet[ServiceItem]:
    """Published items of other regions that the hall takes in (its 通办 list)."""
    listed = ServicePointItem.objects.filter(hall=hall).values("service_item_id")
    items = search.published_items().filter(off_line_q(hall), pk__in=listed)
    text = q.strip()
    if text:
        items = items.filter(Q(name__icontains=text) | Q(implementation_code__icontains=text))
    return items.select_related("department", "current_version").order_by("name", "id")


def remote_candidates(*, hall: Hall, q: str, limit: int = 20) -> list[ServiceItem]:
    """Published items of other regions, not yet on the hall's 通办 list, whose name or
    实施编码 holds ``q`` (nothing for an empty ``q``): what may be added to the list."""
    text = q.strip()
    if not text:
        return []
    listed = ServicePointItem.objects.filter(hall=hall).values("service_item_id")
    return list(
        search.published_items()
        .filter(off_line_q(hall))
        .exclude(pk__in=listed)
        .filter(Q(name__icontains=text) | Q(implementation_code__icontains=text))
        .select_related("department__region")
        .order_by("name", "id")[:limit]
    )


def managed_halls(scope: StaffScope) -> QuerySet[Hall]:
    """The halls whose 通办 list the staff member keeps: the halls of her regions
    under a managing role (``LIST_ROLES``) granted for the whole region. A grant
    restricted to departments reaches a hall where they have a window, but the
    list is the whole hall's, so it does not let her change it."""
    scope = scope.for_roles(*LIST_ROLES)
    return (
        Hall.objects.filter(
            scope_q(scope=scope, region_path_field="region__path", department_field=None)
        )
        .distinct()
        .order_by("region_id", "name")
    )


def cases_taken_for_others(*, scope: StaffScope, limit: int = 100) -> list[Case]:
    """Cases the halls in the staff member's scope took for other regions, newest first:
    their status only (the owning department decides them)."""
    return list(taken_for_others(scope=scope)[:limit])


def taken_for_others(*, scope: StaffScope) -> QuerySet[Case]:
    """The query of ``cases_taken_for_others``, for paging."""
    return (
        Case.objects.filter(intake_hall__in=halls_in_scope(scope).values("pk"))
        .exclude(cross_region="")
        .select_related("service_item", "department__region", "intake_hall")
        .only(
            "case_no",
            "status",
            "cross_region",
            "received_at",
            "decision_deadline",
            "applicant_name",
            "service_item__name",
            "department__name",
            "department__region__name",
            "intake_hall__name",
        )
        .order_by("-received_at", "-pk")
    )


@dataclass(frozen=True)
class CrossRegionRow:
    """One hall's or region's 通办 figure over the period."""

    name: str
    same_city: int
    other_place: int

    @property
    def total(self) -> int:
        return self.same_city + self.other_place


def _counts(rows: QuerySet[Case], key: str, label: str) -> list[CrossRegionRow]:
    counted = (
        rows.values(key, label)
        .annotate(
            same_city=Count("pk", filter=Q(cross_region=CrossRegion.SAME_CITY)),
            other_place=Count("pk", filter=Q(cross_region=CrossRegion.OTHER_PLACE)),
        )
        .order_by(label, key)
    )
    return [CrossRegionRow(r[label], r["same_city"], r["other_place"]) for r in counted]


def cross_region_figures(
    *, scope: StaffScope, start: dt.date, end: dt.date
) -> tuple[list[CrossRegionRow], list[CrossRegionRow]]:
    """通办 counted for both sides over [start, end] (received dates), two queries:
    per taking hall in the caller's scope, the cases it took for other regions; per
    owning department in the caller's scope, the cases it received from other
    regions' halls."""
    period = Case.objects.filter(received_on__gte=start, received_on__lte=end).exclude(
        cross_region=""
    )
    taken = period.filter(intake_hall__in=halls_in_scope(scope).values("pk"))
    received = period.filter(
        scope_q(scope=scope, region_path_field="region_path", department_field="department")
    )
    return (
        _counts(taken, "intake_hall_id", "intake_hall__name"),
        _counts(received, "department_id", "department__name"),
    )
