"""The working-day calendar (DESIGN §4): holidays and 调休 make-up working days.

Data comes from two places:

* the ``chinese_calendar`` package, which carries the State Council's annual
  notices for the years it covers;
* the override tables (:class:`~tongban.core.models.CalendarYear` and
  :class:`~tongban.core.models.CalendarOverride`), which an administrator
  fills from the notice of a year the package does not yet cover, or uses to
  correct a single day.

The year after the last year with a notice is **provisional** (ADR-0006): its
rest days are built from the 放假办法 alone (:mod:`tongban.core.holidays`), every
date counted on it is marked provisional wherever it is shown, and it never
blocks a step of a case; when the notice arrives, the deadlines counted on it
are recomputed. A date in any later year is an explicit error
(``calendar_year_unavailable``): counting a statutory deadline on a guessed
Monday-to-Friday week would silently produce a wrong legal date (ADR-0002).

:class:`WorkingCalendar` is pure (no database, no clock) so that deadline
functions can take it as an argument; :func:`get_calendar` builds the
current one from the package and the database.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from tongban.core import errors
from tongban.core.errors import DomainError

MAX_DAYS = 3650
# How a date counted on a provisional year is labelled wherever it is shown.
PROVISIONAL_NOTE = "暂定，待国务院放假通知发布后确认"
_ONE_DAY = dt.timedelta(days=1)

# chinese_calendar names its holidays in English; the notices use these names.
HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


class DayKind(StrEnum):
    WORKDAY = "workday"
    WEEKEND = "weekend"
    HOLIDAY = "holiday"
    MAKEUP_WORKDAY = "makeup_workday"


@dataclass(frozen=True)
class Day:
    date: dt.date
    working: bool
    kind: DayKind
    name: str
    provisional: bool = False


@dataclass(frozen=True)
class SpecialDay:
    """A day that departs from the Monday-to-Friday rule, or is named."""

    working: bool
    name: str


def _is_weekend(day: dt.date) -> bool:
    return day.weekday() >= 5


def year_unavailable(year: int) -> DomainError:
    return DomainError(
        errors.CALENDAR_YEAR_UNAVAILABLE,
        f"{year}年的节假日安排尚未录入，无法计算工作日。"
        f"请管理员依据国务院办公厅发布的{year}年节假日安排通知导入该年度日历。",
        extra={"year": year},
    )


class WorkingCalendar:
    """Working days over a set of covered years. Immutable and pure."""

    def __init__(
        self,
        special: Mapping[dt.date, SpecialDay],
        years: Iterable[int],
        provisional_years: Iterable[int] = (),
    ) -> None:
        self._special = dict(special)
        self._provisional = frozenset(provisional_years)
        self._confirmed = frozenset(years) - self._provisional
        self._years = self._confirmed | self._provisional
        # Working days counted from the day before the first covered year, one
        # entry per day through the last (built on first use, see working_days_after).
        self._counted: list[int] | None = None
        self._counted_from = 0
        self._table_lock = threading.Lock()

    @property
    def years(self) -> frozenset[int]:
        """Every year with data, confirmed or provisional."""
        return self._years

    @property
    def confirmed_years(self) -> frozenset[int]:
        """Years whose State Council notice is known (package or import)."""
        return self._confirmed

    @property
    def provisional_years(self) -> frozenset[int]:
        """Years built from the 放假办法 alone, awaiting their notice (ADR-0006)."""
        return self._provisional

    def covers(self, year: int) -> bool:
        return year in self._years

    def is_provisional(self, day: dt.date | None) -> bool:
        """Whether ``day`` lies in a provisional year.

        The provisional year is the last year with data, so a date counted
        forwards across any provisional day ends in it: a deadline is
        provisional exactly when its own date is.
        """
        return day is not None and day.year in self._provisional

    def _check(self, day: dt.date) -> None:
        if day.year not in self._years:
            raise year_unavailable(day.year)

    def is_working(self, day: dt.date) -> bool:
        self._check(day)
        special = self._special.get(day)
        if special is not None:
            return special.working
        return not _is_weekend(day)

    def day(self, day: dt.date) -> Day:
        self._check(day)
        special = self._special.get(day)
        weekend = _is_weekend(day)
        provisional = self.is_provisional(day)
        if special is None:
            kind = DayKind.WEEKEND if weekend else DayKind.WORKDAY
            return Day(day, not weekend, kind, "", provisional)
        if special.working:
            kind = DayKind.MAKEUP_WORKDAY if weekend else DayKind.WORKDAY
        elif weekend and not special.name:
            kind = DayKind.WEEKEND
        else:
            kind = DayKind.HOLIDAY
        return Day(day, special.working, kind, special.name, provisional)

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """The ``days``-th working day after ``start`` (``start`` not counted).

        With ``days == 0`` the answer is ``start`` itself. 行政许可法 第八十二条:
        periods counted in working days exclude statutory holidays.
        """
        if days < 0 or days > MAX_DAYS:
            raise DomainError(
                errors.CALENDAR_RANGE, f"工作日天数须在 0 到 {MAX_DAYS} 之间，收到 {days}。"
            )
        # A start in an uncovered year is an error even for 0 days, and is
        # refused before stepping past dt.date.max (OverflowError, a 500).
        self._check(start)
        current = start
        remaining = days
        while remaining:
            current += _ONE_DAY
            if self.is_working(current):
                remaining -= 1
        return current

    def working_days_after(self, after: dt.date, through: dt.date) -> int:
        """Working days after ``after`` up to and including ``through`` (0 when
        ``through`` is not after ``after``): what stepping a day at a time with
        :meth:`is_working` counts — an uncovered year on the way is the same
        error — in one subtraction from a table of the covered years' running
        count of working days (a list's clock counts several per row)."""
        if through <= after:
            return 0
        first = after + _ONE_DAY
        for year in range(first.year, through.year + 1):
            if year not in self._years:
                raise year_unavailable(year)
        counted = self._counted
        if counted is None:
            counted = self._count_table()
        base = self._counted_from
        return counted[through.toordinal() - base] - counted[after.toordinal() - base]

    def _count_table(self) -> list[int]:
        with self._table_lock:
            if self._counted is None:
                start = dt.date(min(self._years), 1, 1) - _ONE_DAY
                end = dt.date(max(self._years), 12, 31)
                counted = [0]
                day = start
                while day < end:
                    day += _ONE_DAY
                    special = self._special.get(day)
                    working = special.working if special is not None else not _is_weekend(day)
                    counted.append(counted[-1] + working)
                self._counted_from = start.toordinal()
                self._counted = counted
            return self._counted

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after ``start`` up to and including ``end``.

        Negative when ``end`` is before ``start`` (the days after ``end`` up to
        and including ``start``, counted as negative), so that
        ``between(a, b) == -between(b, a)``.
        """
        if end < start:
            return -self.working_days_between(end, start)
        if (end - start).days > MAX_DAYS * 2:
            raise DomainError(errors.CALENDAR_RANGE, "起止日期相距过远（超过 20 年）。")
        self._check(start)
        self._check(end)
        count = 0
        current = start
        while current < end:
            current += _ONE_DAY
            if self.is_working(current):
                count += 1
        return count

    def month(self, year: int, month: int) -> list[Day]:
        first = dt.date(year, month, 1)
        days = []
        current = first
        while current.month == month:
            days.append(self.day(current))
            current += _ONE_DAY
        return days


def package_data() -> tuple[dict[dt.date, SpecialDay], frozenset[int]]:
    """The special days and covered years carried by ``chinese_calendar``."""
    from chinese_calendar import constants

    special: dict[dt.date, SpecialDay] = {}
    for day, holiday in constants.holidays.items():
        name = HOLIDAY_NAMES_ZH.get(holiday, holiday) if _is_named(holiday) else ""
        special[day] = SpecialDay(working=False, name=name)
    for day, holiday in constants.workdays.items():
        special[day] = SpecialDay(working=True, name=HOLIDAY_NAMES_ZH.get(holiday, holiday))
    first = min(constants.holidays).year
    last = max(constants.holidays).year
    return special, frozenset(range(first, last + 1))


def provisional_data(year: int) -> dict[dt.date, SpecialDay]:
    """The rest days of a provisional ``year`` (:func:`holidays.provisional_rest_days`)."""
    from tongban.core.holidays import provisional_rest_days

    return {
        day: SpecialDay(working=False, name=name)
        for day, name in provisional_rest_days(year).items()
    }


def _is_named(holiday: object) -> bool:
    return isinstance(holiday, str) and bool(holiday)


_cache_lock = threading.Lock()
_cache: dict[str, object] = {}
# How long a process trusts its calendar before it asks whether the override
# tables changed (a change made in this process clears the cache at once).
RECHECK_SECONDS = 5.0


def get_calendar() -> WorkingCalendar:
    """The calendar in force: package data plus the administrators' overrides.

    Built once per process. The override tables' version is read again at most
    every ``RECHECK_SECONDS``, and the calendar rebuilt when it changed, so an
    administrator's change reaches every process within seconds without a query
    on every deadline computation.
    """
    from tongban.core.models import CalendarOverride, CalendarYear

    with _cache_lock:
        cached = _cache.get("calendar")
        checked = _cache.get("checked_at")
        if (
            cached is not None
            and isinstance(checked, float)
            and time.monotonic() - checked < RECHECK_SECONDS
        ):
            assert isinstance(cached, WorkingCalendar)
            return cached
    version = CalendarYear.version_stamp()
    with _cache_lock:
        cached = _cache.get("calendar")
        if cached is not None and _cache.get("version") == version:
            assert isinstance(cached, WorkingCalendar)
            _cache["checked_at"] = time.monotonic()
            return cached
    special, years = package_data()
    confirmed = years | set(CalendarYear.objects.values_list("year", flat=True))
    # ADR-0006: the year after the last notice is built from the 放假办法.
    provisional = max(confirmed) + 1
    special.update(provisional_data(provisional))
    for override in CalendarOverride.objects.all().only("date", "working", "name"):
        special[override.date] = SpecialDay(working=override.working, name=override.name)
    calendar = WorkingCalendar(special, confirmed | {provisional}, {provisional})
    with _cache_lock:
        _cache["calendar"] = calendar
        _cache["version"] = version
        _cache["checked_at"] = time.monotonic()
    return calendar


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


def missing_years(*, today: dt.date, lookahead: int = 1) -> list[int]:
    """This year and the next ``lookahead`` years whose notice is not known:
    provisional (counted on the 放假办法 alone) or without any data."""
    calendar = get_calendar()
    return [
        y
        for y in range(today.year, today.year + lookahead + 1)
        if y not in calendar.confirmed_years
    ]


# From this day of the year on, a provisional next year is an operations task:
# the notice usually comes in October or November (docs/calendar.md).
NOTICE_WATCH_FROM = (11, 1)


def notice_due(*, today: dt.date) -> int | None:
    """The coming year whose notice operations should import now, or ``None``.

    From 1 November, next year when it is still provisional (or has no data);
    at any time, this year if it has no notice.
    """
    calendar = get_calendar()
    if today.year not in calendar.confirmed_years:
        return today.year
    watching = (today.month, today.day) >= NOTICE_WATCH_FROM
    if watching and today.year + 1 not in calendar.confirmed_years:
        return today.year + 1
    return None
