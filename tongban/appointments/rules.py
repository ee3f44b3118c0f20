"""Pure rules of appointments: which slots a day offers, opening hours, no-show blocks.

Nothing here touches the database; selectors and services pass the rows in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings

from tongban.core.calendar import WorkingCalendar


def booking_days() -> int:
    """How many days ahead a slot may be booked (today excluded)."""
    return int(getattr(settings, "TONGBAN_APPOINTMENT_DAYS_AHEAD", 14))


def no_show_rule() -> tuple[int, int, int]:
    """(no-shows, within days, blocked for days): 3 no-shows in 30 days block 30 days."""
    rule = getattr(settings, "TONGBAN_APPOINTMENT_NO_SHOW_RULE", (3, 30, 30))
    return int(rule[0]), int(rule[1]), int(rule[2])


def check_in_window() -> tuple[int, int]:
    """Minutes before and after a slot's start when its appointment may be checked in."""
    window = getattr(settings, "TONGBAN_APPOINTMENT_CHECK_IN_MINUTES", (60, 30))
    return int(window[0]), int(window[1])


def day_kind(calendar: WorkingCalendar, day: dt.date) -> str:
    """The kind of day for opening hours and slot rules.

    "working" on a working day of the calendar (调休 Saturdays included); "rest"
    on an ordinary weekend day, when halls with 延时错时 hours open; "holiday" on
    a statutory holiday and the days taken with it, when every hall is closed.
    """
    from tongban.core.calendar import DayKind as CalendarDay

    found = calendar.day(day)
    if found.working:
        return "working"
    return "holiday" if found.kind == CalendarDay.HOLIDAY else "rest"


@dataclass(frozen=True)
class SlotSpec:
    start: dt.time
    end: dt.time
    capacity: int


def slots_of_rule(
    *,
    start: dt.time,
    end: dt.time,
    minutes: int,
    capacity: int,
) -> list[SlotSpec]:
    """The periods of one rule: from ``start`` in steps of ``minutes``; a last part
    shorter than a step is not offered."""
    out = []
    base = dt.datetime.combine(dt.date(2000, 1, 1), start)
    stop = dt.datetime.combine(dt.date(2000, 1, 1), end)
    step = dt.timedelta(minutes=minutes)
    moment = base
    while moment + step <= stop:
        out.append(SlotSpec(moment.time(), (moment + step).time(), capacity))
        moment += step
    return out


def local_moment(day: dt.date, at: dt.time) -> dt.datetime:
    """An aware moment in Asia/Shanghai."""
    from tongban.core.clock import SHANGHAI as ZONE

    return dt.datetime.combine(day, at, tzinfo=ZONE)


def no_show_block_until(no_show_dates: Iterable[dt.date], *, today: dt.date) -> dt.date | None:
    """The last day online booking is blocked, or None.

    With the rule (n, within, block): when n no-shows fall within ``within``
    days of each other, booking is blocked for ``block`` days counted from the
    day after the n-th of them; the block ends on its own.
    """
    count, within, block = no_show_rule()
    dates = sorted(no_show_dates)
    until: dt.date | None = None
    for i in range(count - 1, len(dates)):
        if (dates[i] - dates[i - count + 1]).days < within:
            end = dates[i] + dt.timedelta(days=block)
            until = end if until is None or end > until else until
    if until is None or until < today:
        return None
    return until
