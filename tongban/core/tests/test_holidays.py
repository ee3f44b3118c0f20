"""The provisional year from the 放假办法 (ADR-0006), checked against real notices.

Expected dates are written from the documents, not from a package:

* 全国年节及纪念日放假办法 (revised 2024-11-10, in force 2025-01-01), 第二条;
* 2025: 国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号）;
* 2026: 国务院办公厅关于2026年部分节假日安排的通知（国办发明电〔2025〕7号）.
"""

from __future__ import annotations

from datetime import date

import pytest
from chinese_calendar import constants

from tongban.core.calendar import DayKind, get_calendar
from tongban.core.holidays import provisional_rest_days, statutory_holidays

pytestmark = pytest.mark.django_db


def _statutory(year: int) -> dict[str, list[date]]:
    return {h.name: list(h.days) for h in statutory_holidays(year)}


def test_the_2027_holidays_are_the_ones_the_law_fixes():
    assert _statutory(2027) == {
        "元旦": [date(2027, 1, 1)],  # Fri
        # 除夕 Fri 5 Feb (腊月三十) to 初三 Mon 8 Feb
        "春节": [date(2027, 2, 5), date(2027, 2, 6), date(2027, 2, 7), date(2027, 2, 8)],
        "清明节": [date(2027, 4, 5)],  # Mon, the solar term
        "劳动节": [date(2027, 5, 1), date(2027, 5, 2)],  # Sat, Sun
        "端午节": [date(2027, 6, 9)],  # Wed, 五月初五
        "中秋节": [date(2027, 9, 15)],  # Wed, 八月十五
        "国庆节": [date(2027, 10, 1), date(2027, 10, 2), date(2027, 10, 3)],  # Fri–Sun
    }


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (
            2025,
            {
                "元旦": [date(2025, 1, 1)],
                # 2025 notice: 1月28日（农历除夕）至2月4日放假
                "春节": [
                    date(2025, 1, 28),
                    date(2025, 1, 29),
                    date(2025, 1, 30),
                    date(2025, 1, 31),
                ],
                "清明节": [date(2025, 4, 4)],
                "劳动节": [date(2025, 5, 1), date(2025, 5, 2)],
                "端午节": [date(2025, 5, 31)],
                "中秋节": [date(2025, 10, 6)],  # inside the 国庆 break 10/1–10/8
                "国庆节": [date(2025, 10, 1), date(2025, 10, 2), date(2025, 10, 3)],
            },
        ),
        (
            2026,
            {
                "元旦": [date(2026, 1, 1)],
                # 2026 notice: 2月15日至23日放假; 除夕 is Mon 16 Feb
                "春节": [
                    date(2026, 2, 16),
                    date(2026, 2, 17),
                    date(2026, 2, 18),
                    date(2026, 2, 19),
                ],
                "清明节": [date(2026, 4, 5)],
                "劳动节": [date(2026, 5, 1), date(2026, 5, 2)],
                "端午节": [date(2026, 6, 19)],
                "中秋节": [date(2026, 9, 25)],
                "国庆节": [date(2026, 10, 1), date(2026, 10, 2), date(2026, 10, 3)],
            },
        ),
    ],
)
def test_the_same_rules_give_the_statutory_days_of_the_2025_and_2026_notices(year, expected):
    assert _statutory(year) == expected
    # … and every one of them is a rest day of that year's notice.
    for days in expected.values():
        for day in days:
            assert day in constants.holidays, day


@pytest.mark.parametrize("year", [2025, 2026])
def test_every_provisional_rest_day_is_a_rest_day_of_the_real_notice(year):
    """The placement of 补假 (first working day after the block) matches the
    notices: a provisional rest day never turns into a working day."""
    for day, name in provisional_rest_days(year).items():
        assert day in constants.holidays, (day, name)


def test_2026_make_up_days_fall_where_the_notice_put_them():
    makeup = {d: n for d, n in provisional_rest_days(2026).items() if n.endswith("补假")}

    assert makeup == {
        date(2026, 4, 6): "清明节补假",  # 清明 on Sun 4/5; notice: 4月4日至6日
        date(2026, 5, 4): "劳动节补假",  # 5/2 Sat; notice: 5月1日至5日
        date(2026, 10, 5): "国庆节补假",  # 10/3 Sat; notice: 10月1日至7日
    }


def test_2027_weekend_holidays_are_made_up_on_the_next_working_days():
    makeup = {d: n for d, n in provisional_rest_days(2027).items() if n.endswith("补假")}

    assert makeup == {
        date(2027, 2, 9): "春节补假",  # 除夕–初三 hold Sat 2/6 and Sun 2/7
        date(2027, 2, 10): "春节补假",
        date(2027, 5, 3): "劳动节补假",  # 5/1–5/2 are Sat and Sun
        date(2027, 5, 4): "劳动节补假",
        date(2027, 10, 4): "国庆节补假",  # 10/2–10/3 are Sat and Sun
        date(2027, 10, 5): "国庆节补假",
    }


def test_a_holiday_on_a_day_another_holiday_holds_is_made_up_too():
    # 2028: 中秋 (八月十五) is Tue 3 Oct, a day of 国庆: the law owes two holidays.
    rest = provisional_rest_days(2028)

    assert rest[date(2028, 10, 3)] == "国庆节"
    assert rest[date(2028, 10, 4)] == "国庆节补假"  # 国庆 10/1 is a Sunday
    assert rest[date(2028, 10, 5)] == "中秋节补假"


def test_the_provisional_year_has_weekends_and_no_makeup_working_days():
    cal = get_calendar()

    assert cal.provisional_years == {2027}
    assert 2026 in cal.confirmed_years
    # Sat 20 Feb 2027 (a likely 调休 day) is a plain weekend until the notice says so.
    saturday = cal.day(date(2027, 2, 20))
    assert saturday.kind == DayKind.WEEKEND
    assert saturday.provisional
    assert not cal.day(date(2026, 12, 31)).provisional
    assert cal.day(date(2027, 2, 5)).name == "春节"
    assert cal.day(date(2027, 2, 11)).kind == DayKind.WORKDAY
