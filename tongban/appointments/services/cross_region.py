"""A hall's 通办 list (同城通办 and 异地代办, R-CS-10): which other regions' items the
hall takes in and forwards to the owning department.

Kept by the hall's supervisors, the centre's head and platform admins whose
scope holds the hall (``cross_region_selectors.managed_halls``; "not yours" is
"not found"). Only published items of other regions go on the list — the hall's
own line (its region and those above and beneath it) is not 通办 and is kept
elsewhere. Each change locks the hall's row, so two editors cannot interleave,
and writes an audit event. Adding an item already listed changes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from tongban.appointments import errors
from tongban.appointments.cross_region_selectors import LIST_ROLES, managed_halls, off_line_q
from tongban.appointments.models import PointHandling, ServicePointItem
from tongban.catalog import search
from tongban.catalog.models import ServiceItem
from tongban.core import clock
from tongban.core.audit import actor_label, audit_record
from tongban.core.errors import DomainError
from tongban.org.models import Hall
from tongban.org.selectors import staff_scope_for


def _locked_hall(staff: Any, hall_id: int) -> Hall:
    scope = staff_scope_for(user=staff)
    if managed_halls(scope).filter(pk=hall_id).exists():
        hall = Hall.objects.select_for_update().select_related("region").get(pk=hall_id)
        return hall
    if not scope.has_role(*LIST_ROLES):
        raise DomainError(
            errors.CROSS_REGION_FORBIDDEN,
            "只有大厅的监察人员、中心负责人或平台管理员可以维护通办事项。",
        )
    raise DomainError(errors.CROSS_REGION_HALL_NOT_FOUND, "大厅不存在，或不在您的管辖范围内。")


def _audit(hall: Hall, item: ServiceItem, action: str, staff: Any, now: dt.datetime) -> None:
    audit_record(
        actor=actor_label(staff),
        action=f"appointments.cross_region_item_{action}",
        object_type="hall",
        object_id=str(hall.pk),
        details={"item": item.implementation_code, "item_region": item.region_path},
        now=now,
    )


def cross_region_item_add(
    *,
    staff: Any,
    hall_id: int,
    item_code: str,
    handling: str = PointHandling.COLLECT,
    now: dt.datetime | None = None,
) -> tuple[ServicePointItem, bool]:
    """Put another region's published item on the hall's 通办 list; (row, added)."""
    moment = now or clock.now()
    code = (item_code or "").strip()[:31]
    if not code:
        raise DomainError(
            errors.CROSS_REGION_ITEM_INVALID, "请选择要列入的事项。", fields=[{"field": "item"}]
        )
    if handling not in PointHandling.values:
        raise DomainError(
            errors.CROSS_REGION_ITEM_INVALID,
            "请选择办理方式：受理办理或收件转交。",
            fields=[{"field": "handling"}],
        )
    with transaction.atomic():
        hall = _locked_hall(staff, hall_id)
        item = search.published_items().filter(implementation_code=code).first()
        if item is None:
            raise DomainError(
                errors.CROSS_REGION_ITEM_INVALID,
                "没有该实施编码的已发布事项。",
                fields=[{"field": "item"}],
            )
        if not search.published_items().filter(pk=item.pk).filter(off_line_q(hall)).exists():
            raise DomainError(
                errors.CROSS_REGION_ITEM_INVALID,
                f"“{item.name}”属本大厅所在地区（或其上下级）的事项，不属于通办，无需列入。",
                fields=[{"field": "item"}],
            )
        row, added = ServicePointItem.objects.get_or_create(
            hall=hall, service_item=item, defaults={"handling": handling}
        )
        if added:
            _audit(hall, item, "add", staff, moment)
    return row, added


def cross_region_item_remove(
    *, staff: Any, hall_id: int, item_id: int, now: dt.datetime | None = None
) -> ServiceItem:
    """Take another region's item off the hall's 通办 list; cases already taken stay."""
    moment = now or clock.now()
    with transaction.atomic():
        hall = _locked_hall(staff, hall_id)
        row = (
            ServicePointItem.objects.select_related("service_item")
            .filter(hall=hall, service_item_id=item_id)
            .filter(service_item__in=ServiceItem.objects.filter(off_line_q(hall)).values("pk"))
            .first()
        )
        if row is None:
            raise DomainError(errors.CROSS_REGION_ITEM_NOT_LISTED, "该事项不在本大厅的通办清单中。")
        item = row.service_item
        row.delete()
        _audit(hall, item, "remove", staff, moment)
    return item
