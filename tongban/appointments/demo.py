"""Demo themes, hours and slot rules for every demo hall (idempotent).

Each hall opens 9:00–12:00 and 13:30–17:00 on working days (调休 Saturdays
included); the city halls also open on weekend mornings (周末不打烊, 延时错时).
Themes: A 企业开办 (the comprehensive windows, the market regulator's items),
B 综合业务 (the general window, every item received at the hall), C 公安 (the
police window), D 取件 (the delivery window).
"""

from __future__ import annotations

import datetime as dt

from tongban.appointments.models import DayKind, OpeningHours, SlotRule, Theme
from tongban.appointments.services import opening_hours_set, slot_rule_add, theme_save
from tongban.catalog.models import ServiceItem
from tongban.org.models import Hall

T = dt.time
WORKING = [(T(9), T(12)), (T(13, 30), T(17))]
WEEKEND = [(T(9), T(12))]
FIRST_DAY = dt.date(2026, 1, 1)


def _is_city(hall: Hall) -> bool:
    return hall.region_id.endswith("00")


def _load_hall(hall: Hall) -> int:
    windows = {w.number: w for w in hall.windows.all()}
    if not OpeningHours.objects.filter(hall=hall).exists():
        opening_hours_set(hall=hall, day_kind=DayKind.WORKING, periods=WORKING)
        if _is_city(hall):
            opening_hours_set(hall=hall, day_kind=DayKind.REST, periods=WEEKEND)
    received = ServiceItem.objects.filter(
        department__windows__hall=hall, region_id=hall.region_id
    ).distinct()
    market = received.filter(department__name__contains="市场监督管理")
    specs = (
        ("business", "企业开办", "A", ["A01", "A02"], market, 20),
        ("general", "综合业务", "B", ["B01"], received, 15),
        ("police", "公安", "C", ["C01"], received.filter(department__name__contains="公安"), 10),
        ("delivery", "取件", "D", ["D01"], ServiceItem.objects.none(), 5),
    )
    created = 0
    for code, name, prefix, numbers, items, minutes in specs:
        if Theme.objects.filter(hall=hall, code=code).exists():
            continue
        theme = theme_save(
            hall=hall,
            code=code,
            name=name,
            prefix=prefix,
            windows=[windows[n] for n in numbers if n in windows],
            service_items=list(items),
            minutes_per_ticket=minutes,
        )
        created += 1
        if code == "delivery" or SlotRule.objects.filter(theme=theme).exists():
            continue
        for start, end in WORKING:
            slot_rule_add(
                theme=theme, start=start, end=end, minutes=30, capacity=3, valid_from=FIRST_DAY
            )
        if _is_city(hall):
            slot_rule_add(
                theme=theme,
                start=T(9),
                end=T(12),
                minutes=60,
                capacity=2,
                day_kind=DayKind.REST,
                valid_from=FIRST_DAY,
            )
    return created


def demo_appointments_load() -> dict[str, int]:
    """Themes, hours and slot rules for the demo halls; returns the counts."""
    # Only halls with windows have queues; the demo's township and village points have none.
    halls = Hall.objects.filter(windows__isnull=False).distinct().prefetch_related("windows")
    created = sum(_load_hall(hall) for hall in halls)
    return {
        "halls": halls.count(),
        "themes": Theme.objects.count(),
        "themes_created": created,
        "slot_rules": SlotRule.objects.count(),
    }
