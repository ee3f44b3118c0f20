"""A provisional year from the 全国年节及纪念日放假办法 alone (ADR-0006).

The State Council's yearly notice (国务院办公厅关于××××年部分节假日安排的通知)
comes late in the year before. Until it does, the year after the last notice is
built from what the 放假办法 (as revised on 2024-11-10, in force from
2025-01-01) fixes by itself:

* 第二条 holidays of all citizens: 元旦 1 January; 春节 four days, 农历除夕 to
  正月初三; 清明节 on the solar term; 劳动节 1–2 May; 端午节 农历五月初五;
  中秋节 农历八月十五; 国庆节 1–3 October.
* 第六条: a holiday of all citizens that falls on a Saturday or Sunday is made
  up on a working day (补假).

What only the notice decides is *where* the 补假 falls and the 调休 swaps
(a weekend worked to join a holiday to a weekend). The provisional year has no
调休 working days, and places each 补假 on the first working day after the
holiday's block (the first weekday that is not itself a holiday or an earlier
补假): that is where every notice since the 放假办法 of 2013 has put it
(2025 端午 → 6月2日, 2026 清明 → 4月6日, 劳动节 → 5月4日, 国庆 → 10月5日),
so a provisional rest day is a rest day of the coming notice as well. Why this
is the safe choice for the applicant is in ADR-0006 and docs/calendar.md.

Lunar dates and the solar term come from ``lunar_python`` (6tail's lunar),
whose tables the tests check against the 2025 and 2026 notices.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

_ONE_DAY = dt.timedelta(days=1)

MAKEUP_SUFFIX = "补假"


@dataclass(frozen=True)
class StatutoryHoliday:
    name: str
    days: tuple[dt.date, ...]


def _lunar_to_solar(year: int, month: int, day: int) -> dt.date:
    from lunar_python import Lunar

    solar = Lunar.fromYmd(year, month, day).getSolar()
    return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())


def _qingming(year: int) -> dt.date:
    """The day of the solar term 清明 (between 4 and 6 April)."""
    from lunar_python import Solar

    for day in range(3, 8):
        if Solar.fromYmd(year, 4, day).getLunar().getJieQi() == "清明":
            return dt.date(year, 4, day)
    raise ValueError(f"no 清明 found in April {year}")  # pragma: no cover - astronomy


def statutory_holidays(year: int) -> list[StatutoryHoliday]:
    """The holidays of all citizens in ``year`` (放假办法 第二条), in date order."""
    new_year = _lunar_to_solar(year, 1, 1)  # 正月初一
    eve = new_year - _ONE_DAY  # 除夕: the last day of the twelfth month (29th or 30th)
    holidays = [
        StatutoryHoliday("元旦", (dt.date(year, 1, 1),)),
        StatutoryHoliday("春节", tuple(eve + dt.timedelta(days=i) for i in range(4))),
        StatutoryHoliday("清明节", (_qingming(year),)),
        StatutoryHoliday("劳动节", (dt.date(year, 5, 1), dt.date(year, 5, 2))),
        StatutoryHoliday("端午节", (_lunar_to_solar(year, 5, 5),)),
        StatutoryHoliday("中秋节", (_lunar_to_solar(year, 8, 15),)),
        StatutoryHoliday("国庆节", tuple(dt.date(year, 10, d) for d in (1, 2, 3))),
    ]
    return sorted(holidays, key=lambda h: h.days[0])


def provisional_rest_days(year: int) -> dict[dt.date, str]:
    """Every rest day of the provisional ``year`` other than weekends, with its name.

    The statutory days under their holiday's name, and one 补假 (named
    "<holiday>补假") for each statutory day that falls on a Saturday or Sunday,
    or on a day another holiday already holds, on the first weekday after the
    holiday's block that is not already a rest day (第六条). A 补假 never
    leaves the year: the last holiday of the year is 国庆节.
    """
    rest: dict[dt.date, str] = {}
    owed: dict[str, int] = {}
    holidays = statutory_holidays(year)
    for holiday in holidays:
        # A day on a weekend, or on a day another holiday already holds
        # (中秋 on 1–3 October, as in 2020 and 2028), is owed a working day.
        owed[holiday.name] = 0
        for day in holiday.days:
            if day.weekday() >= 5 or day in rest:
                owed[holiday.name] += 1
            rest.setdefault(day, holiday.name)
    for holiday in holidays:
        remaining = owed[holiday.name]
        candidate = holiday.days[-1]
        while remaining:
            candidate += _ONE_DAY
            if candidate.weekday() >= 5 or candidate in rest:
                continue
            rest[candidate] = f"{holiday.name}{MAKEUP_SUFFIX}"
            remaining -= 1
    return dict(sorted(rest.items()))
