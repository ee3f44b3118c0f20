"""The clock of a work order (R-HL-3): pure functions, no clock reads, no database.

* **Dispatch** (转办) within ``dispatch_working_days`` (default 1) of the
  registration; **handling** (办结) within the category's limit, default 5
  working days from the dispatch (R-HL-3, 004 (十五)). Urgent orders run in
  natural hours instead (``Limit.hours``).
* A working-day limit of N days ends at the end (23:59:59, Asia/Shanghai) of
  the N-th working day after the day of the event; the day of the event is not
  counted (民法典 第二百零一条, as in ``cases.deadlines``). Working days come from
  the kernel's calendar, so holidays do not count and 调休 make-up days do.
* An approved extension adds its working days after the current due day.
* Alert tiers (DESIGN §4): red once the due time has passed; yellow when the
  share ``yellow_share`` of the limit is used (counted in working days for a
  day limit, in time for an hours limit).
* Escalation (督办) of an overdue order: level 1 when it becomes overdue, one
  more level every ``every_working_days`` working days overdue, at most 3.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from enum import StrEnum

from tongban.core.calendar import WorkingCalendar
from tongban.core.clock import SHANGHAI

MAX_ESCALATION = 3


@dataclass(frozen=True)
class Limit:
    """A limit in working days, or (urgent orders) in hours."""

    working_days: int | None = None
    hours: int | None = None

    def __post_init__(self) -> None:
        if (self.working_days is None) == (self.hours is None):
            raise ValueError("a limit is in working days or in hours, not both")
        value = self.working_days if self.working_days is not None else self.hours
        assert value is not None
        if not 0 <= value <= 3650:
            raise ValueError(f"limit out of range: {value}")

    def as_dict(self) -> dict[str, int]:
        if self.hours is not None:
            return {"hours": self.hours}
        assert self.working_days is not None
        return {"working_days": self.working_days}

    @classmethod
    def from_dict(cls, data: dict[str, int]) -> Limit:
        if "hours" in data:
            return cls(hours=int(data["hours"]))
        return cls(working_days=int(data.get("working_days", 5)))

    @property
    def label(self) -> str:
        if self.hours is not None:
            return f"{self.hours} 小时"
        return f"{self.working_days} 个工作日"


class Tier(StrEnum):
    NONE = "none"
    YELLOW = "yellow"
    RED = "red"


def local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(SHANGHAI).date()


def end_of_day(day: dt.date) -> dt.datetime:
    """The last second of ``day`` in Asia/Shanghai, as an aware UTC time."""
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=SHANGHAI).astimezone(dt.UTC)


def due_at(start: dt.datetime, limit: Limit, cal: WorkingCalendar) -> dt.datetime:
    """When a limit counted from ``start`` ends."""
    if limit.hours is not None:
        return start + dt.timedelta(hours=limit.hours)
    assert limit.working_days is not None
    return end_of_day(cal.add_working_days(local_date(start), limit.working_days))


def extended(due: dt.datetime, working_days: int, cal: WorkingCalendar) -> dt.datetime:
    """The due time after an approved extension of ``working_days``."""
    return end_of_day(cal.add_working_days(local_date(due), working_days))


def dispatch_limit(
    *, urgent: bool, category_days: int | None, default_days: int, urgent_hours: int
) -> Limit:
    """R-HL-3: one working day (the category may say otherwise); urgent: hours."""
    if urgent:
        return Limit(hours=urgent_hours)
    return Limit(working_days=default_days if category_days is None else category_days)


def handle_limit(
    *,
    urgent: bool,
    category_days: int | None,
    category_hours: int | None,
    default_days: int,
    urgent_hours: int,
) -> Limit:
    """R-HL-3: the category's limit, default five working days; urgent: hours."""
    if urgent:
        return Limit(hours=category_hours or urgent_hours)
    return Limit(working_days=default_days if category_days is None else category_days)


def working_days_left(due: dt.datetime, now: dt.datetime, cal: WorkingCalendar) -> int:
    """Working days after today up to the due day; negative when overdue."""
    return cal.working_days_between(local_date(now), local_date(due))


def tier(
    *,
    start: dt.datetime,
    due: dt.datetime,
    limit: Limit,
    now: dt.datetime,
    cal: WorkingCalendar,
    yellow_share: float,
) -> Tier:
    """The alert tier of a running clock at ``now``."""
    if now > due:
        return Tier.RED
    if limit.hours is not None:
        total = (due - start).total_seconds()
        used = (now - start).total_seconds()
        return Tier.YELLOW if total <= 0 or used / total >= yellow_share else Tier.NONE
    assert limit.working_days is not None
    # Yellow when at most the unused share of the working days is left: a
    # 1-day limit on its due day, a 5-day limit on its last working day.
    left = working_days_left(due, now, cal)
    keep = limit.working_days - math.ceil(limit.working_days * yellow_share)
    return Tier.YELLOW if left <= keep else Tier.NONE


def escalation_level(
    *, due: dt.datetime, now: dt.datetime, cal: WorkingCalendar, every_working_days: int
) -> int:
    """The 督办 level an overdue order has reached by ``now`` (0 when not overdue)."""
    if now <= due:
        return 0
    overdue = max(0, -working_days_left(due, now, cal))
    step = max(1, every_working_days)
    return min(MAX_ESCALATION, 1 + overdue // step)
