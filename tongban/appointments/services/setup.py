"""Setting up a hall for appointments and the queue: themes, hours, slot rules.

Used by the platform administrator and the demo loader; each write is audited.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable
from typing import Any

from django.db import transaction

from tongban.appointments.models import DayKind, OpeningHours, SlotRule, Theme
from tongban.catalog.models import ServiceItem
from tongban.core import clock
from tongban.core import errors as core_errors
from tongban.core.audit import actor_label, audit_record
from tongban.core.errors import DomainError
from tongban.org.models import Hall, Window


def _invalid(field: str, message: str) -> DomainError:
    return DomainError(
        core_errors.VALIDATION_FAILED, message, fields=[{"field": field, "code": "invalid"}]
    )


def theme_save(
    *,
    hall: Hall,
    code: str,
    name: str,
    prefix: str,
    windows: Iterable[Window] = (),
    service_items: Iterable[ServiceItem] = (),
    minutes_per_ticket: int = 10,
    actor: Any = None,
) -> Theme:
    """Create or update the theme ``code`` of a hall (idempotent for the same values)."""
    prefix = prefix.strip().upper()
    if not (1 <= len(prefix) <= 2 and prefix.isascii() and prefix.isalpha()):
        raise _invalid("prefix", "号码前缀须为一至两个英文字母，如 A 或 QY。")
    if not name.strip() or len(name.strip()) > 40:
        raise _invalid("name", "请填写主题名称（不超过 40 字）。")
    if not 1 <= minutes_per_ticket <= 240:
        raise _invalid("minutes_per_ticket", "平均办理时长须在 1 至 240 分钟之间。")
    chosen = list(windows)
    if any(w.hall_id != hall.pk for w in chosen):
        raise _invalid("windows", "只能选择本大厅的窗口。")
    with transaction.atomic():
        clash = Theme.objects.filter(hall=hall, prefix=prefix).exclude(code=code).first()
        if clash is not None:
            raise _invalid("prefix", f"号码前缀 {prefix} 已用于“{clash.name}”。")
        theme, _ = Theme.objects.update_or_create(
            hall=hall,
            code=code,
            defaults={
                "name": name.strip(),
                "prefix": prefix,
                "minutes_per_ticket": minutes_per_ticket,
                "active": True,
            },
        )
        theme.windows.set(chosen)
        theme.service_items.set(list(service_items))
        audit_record(
            actor=actor_label(actor),
            action="appointments.theme_save",
            object_type="hall",
            object_id=str(hall.pk),
            details={"theme": code, "prefix": prefix, "windows": [w.number for w in chosen]},
        )
    return theme


def opening_hours_set(
    *, hall: Hall, day_kind: str, periods: Iterable[tuple[dt.time, dt.time]], actor: Any = None
) -> list[OpeningHours]:
    """Replace a hall's hours for working days or for rest days (an empty list: closed)."""
    if day_kind not in DayKind.values:
        raise _invalid("day_kind", "日期类型须为工作日或休息日。")
    spans = sorted(periods)
    for opens, closes in spans:
        if opens >= closes:
            raise _invalid("periods", f"{opens:%H:%M} 至 {closes:%H:%M} 不是有效的时段。")
    for (_a, end), (start, _b) in itertools.pairwise(spans):
        if start < end:
            raise _invalid("periods", "办公时段不能重叠。")
    with transaction.atomic():
        OpeningHours.objects.filter(hall=hall, day_kind=day_kind).delete()
        rows = [
            OpeningHours.objects.create(hall=hall, day_kind=day_kind, opens=o, closes=c)
            for o, c in spans
        ]
        audit_record(
            actor=actor_label(actor),
            action="appointments.hours_set",
            object_type="hall",
            object_id=str(hall.pk),
            details={"day_kind": day_kind, "periods": [f"{o:%H:%M}-{c:%H:%M}" for o, c in spans]},
        )
    return rows


def slot_rule_add(
    *,
    theme: Theme,
    start: dt.time,
    end: dt.time,
    capacity: int,
    minutes: int = 30,
    day_kind: str = DayKind.WORKING,
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
    actor: Any = None,
) -> SlotRule:
    """A rule of bookable periods; it must lie within the hall's hours of that kind of day."""
    if day_kind not in DayKind.values:
        raise _invalid("day_kind", "日期类型须为工作日或休息日。")
    if start >= end:
        raise _invalid("end", "号源结束时间须晚于开始时间。")
    if not 5 <= minutes <= 240:
        raise _invalid("minutes", "每段时长须在 5 至 240 分钟之间。")
    if not 1 <= capacity <= 500:
        raise _invalid("capacity", "每段号源数须在 1 至 500 之间。")
    first = valid_from or clock.today()
    if valid_until is not None and valid_until < first:
        raise _invalid("valid_until", "失效日期不能早于生效日期。")
    inside = OpeningHours.objects.filter(
        hall_id=theme.hall_id, day_kind=day_kind, opens__lte=start, closes__gte=end
    ).exists()
    if not inside:
        raise _invalid("start", "号源时段须在大厅该类日期的办公时间之内。")
    with transaction.atomic():
        rule = SlotRule.objects.create(
            theme=theme,
            day_kind=day_kind,
            start=start,
            end=end,
            minutes=minutes,
            capacity=capacity,
            valid_from=first,
            valid_until=valid_until,
        )
        audit_record(
            actor=actor_label(actor),
            action="appointments.slot_rule_add",
            object_type="theme",
            object_id=str(theme.pk),
            details={
                "day_kind": day_kind,
                "start": f"{start:%H:%M}",
                "end": f"{end:%H:%M}",
                "minutes": minutes,
                "capacity": capacity,
            },
        )
    return rule
