"""Where a hall is: its level in the 政务服务体系 and its coordinates (R-HA-1/2).

``hall_place_check`` validates the level against the region's level and the
coordinates against their range; ``hall_update`` is the one write that changes
a hall's public facts afterwards (a 纠错 report answered by staff goes through
it), each change audited with its old and new value.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from tongban.core.audit import audit_record
from tongban.core.errors import DomainError
from tongban.org import errors
from tongban.org.models import HALL_LEVEL_REGIONS, CoordinateSystem, Hall, HallLevel, Region

_STEP = Decimal("0.000001")


def coordinate_parse(value: Any, *, field: str, limit: int) -> Decimal | None:
    """A latitude (limit 90) or longitude (limit 180) in degrees, or None when empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = Decimal(str(value).strip()).quantize(_STEP)
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite() or abs(number) > limit:
        label = "纬度" if field == "latitude" else "经度"
        raise DomainError(
            errors.HALL_COORDINATES_INVALID,
            f"{label}须为 -{limit} 至 {limit} 之间的十进制度数，如 32.041544。",
            fields=[{"field": field}],
        )
    return number


def hall_place_check(
    *,
    level: str,
    region: Region,
    latitude: Any = None,
    longitude: Any = None,
    coordinate_system: str = CoordinateSystem.GCJ02,
) -> tuple[Decimal | None, Decimal | None]:
    """Check a hall's level against its region and parse its coordinates."""
    if level not in HallLevel.values:
        raise DomainError(errors.HALL_LEVEL_INVALID, f"大厅层级 {level} 无效。")
    if region.level not in HALL_LEVEL_REGIONS[level]:
        raise DomainError(
            errors.HALL_LEVEL_INVALID,
            f"“{HallLevel(level).label}”不能设在{region.get_level_display()}区划“{region.name}”。",
            fields=[{"field": "level"}],
        )
    if coordinate_system not in CoordinateSystem.values:
        raise DomainError(
            errors.HALL_COORDINATES_INVALID,
            "坐标系须为 gcj02 或 wgs84。",
            fields=[{"field": "coordinate_system"}],
        )
    lat = coordinate_parse(latitude, field="latitude", limit=90)
    lng = coordinate_parse(longitude, field="longitude", limit=180)
    if (lat is None) != (lng is None):
        raise DomainError(
            errors.HALL_COORDINATES_INVALID,
            "经度和纬度须同时填写或同时留空。",
            fields=[{"field": "latitude" if lat is None else "longitude"}],
        )
    return lat, lng


# The public facts of a hall that staff may correct (纠错).
EDITABLE = ("address", "phone", "opening_hours", "transport", "latitude", "longitude")
_LIMITS = {"address": 200, "phone": 40, "opening_hours": 2000, "transport": 200}
_LABELS = {
    "address": "地址",
    "phone": "咨询电话",
    "opening_hours": "办公时间",
    "transport": "交通指引",
}


def hall_update(*, hall_id: int, changes: dict[str, Any], actor: str, reason: str = "") -> Hall:
    """Change a hall's address, phone, hours, transport notes or coordinates.

    All or nothing: every value is checked before any is written; the audit
    event keeps the old and the new value of each field changed.
    """
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise DomainError(
            errors.HALL_FIELD_INVALID,
            f"不能修改大厅的 {'、'.join(unknown)}。",
            fields=[{"field": f} for f in unknown],
        )
    with transaction.atomic():
        hall = Hall.objects.select_for_update(of=("self",)).select_related("region").get(pk=hall_id)
        new: dict[str, Any] = {}
        for field, limit in _LIMITS.items():
            if field in changes:
                value = str(changes[field] or "").strip()
                if len(value) > limit:
                    raise DomainError(
                        errors.HALL_FIELD_INVALID,
                        f"{_LABELS[field]}不能超过 {limit} 个字。",
                        fields=[{"field": field}],
                    )
                new[field] = value
        if "latitude" in changes or "longitude" in changes:
            lat, lng = hall_place_check(
                level=hall.level,
                region=hall.region,
                latitude=changes.get("latitude", hall.latitude),
                longitude=changes.get("longitude", hall.longitude),
                coordinate_system=hall.coordinate_system,
            )
            new["latitude"], new["longitude"] = lat, lng
        changed = {f: v for f, v in new.items() if getattr(hall, f) != v}
        if not changed:
            return hall
        before = {f: str(getattr(hall, f) or "") for f in changed}
        for field, value in changed.items():
            setattr(hall, field, value)
        hall.save(update_fields=list(changed))
        audit_record(
            actor=actor,
            action="org.hall_update",
            object_type="org.Hall",
            object_id=str(hall.pk),
            details={
                "reason": reason[:200],
                # A list, not a dict keyed by field: "phone" as a key would read as personal data.
                "changes": [
                    {"field": f, "old": before[f], "new": str(v or "")} for f, v in changed.items()
                ],
            },
        )
    return hall
