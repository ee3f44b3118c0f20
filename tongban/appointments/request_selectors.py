"""Reads of 上门服务 and 帮办代办 requests (CONVENTIONS 5: staff reads scoped in SQL)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from tongban.appointments.models import ServicePointItem, ServiceRequest, Theme
from tongban.appointments.selectors import halls_in_scope
from tongban.catalog.models import ServiceItem, ServiceItemStatus
from tongban.org.models import Hall, Role, StaffAssignment
from tongban.org.selectors import StaffScope


def hall_items(hall: Hall) -> QuerySet[ServiceItem]:
    """Items done at a hall: those its points handle and those its themes cover."""
    return (
        ServiceItem.objects.filter(status=ServiceItemStatus.ACTIVE)
        .filter(
            Q(pk__in=ServicePointItem.objects.filter(hall=hall).values("service_item_id"))
            | Q(pk__in=Theme.objects.filter(hall=hall, active=True).values("service_items"))
        )
        .order_by("name")
    )


def items_at_halls(halls: list[Hall]) -> QuerySet[ServiceItem]:
    """Items done at any of ``halls`` (already read in the caller's scope): those their
    points handle and those their themes cover; one query."""
    ids = [h.pk for h in halls]
    return (
        ServiceItem.objects.filter(status=ServiceItemStatus.ACTIVE)
        .filter(
            Q(pk__in=ServicePointItem.objects.filter(hall__in=ids).values("service_item_id"))
            | Q(pk__in=Theme.objects.filter(hall__in=ids, active=True).values("service_items"))
        )
        .order_by("name", "pk")
    )


def clerks_for_hall(hall: Hall) -> QuerySet[Any]:
    """Window clerks whose region scope holds the hall (the staff who serve there)."""
    ancestors = [c for c in hall.region.path.strip("/").split("/") if c]
    holders = StaffAssignment.objects.filter(
        role=Role.WINDOW_CLERK, active=True, region_scope_id__in=ancestors
    ).values("user_id")
    return get_user_model().objects.filter(pk__in=holders, is_active=True).order_by("display_name")


def requests_of_person(person: Any) -> QuerySet[ServiceRequest]:
    return (
        ServiceRequest.objects.filter(person=person)
        .select_related("hall", "service_item", "clerk")
        .order_by("-created_at", "-pk")
    )


def requests_in_scope(scope: StaffScope, *, open_only: bool = True) -> QuerySet[ServiceRequest]:
    """Requests of the halls in the staff member's scope, oldest open first."""
    rows = ServiceRequest.objects.filter(hall__in=halls_in_scope(scope).values("pk"))
    if open_only:
        rows = rows.filter(status__in=["submitted", "assigned"])
    return rows.select_related("hall", "service_item", "clerk", "person").order_by(
        "created_at", "pk"
    )
