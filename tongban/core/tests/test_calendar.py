"""The working-day calendar against the State Council's holiday notices (DESIGN §4).

Expected values are written from the notices themselves, not read from the
``chinese_calendar`` package, so a wrong package release fails here:

* 2025: 国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号）
* 2026: 国务院办公厅关于2026年部分节假日安排的通知（国办发明电〔2025〕7号）
"""

from __future__ import annotations

import datetime as dt
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tongban.core import calendar, clock
from tongban.core.calendar import DayKind, get_calendar
from tongban.core.errors import DomainError
from tongban.core.models import AuditEvent, CalendarOverride, CalendarYear
from tongban.core.services import calendar_notice_import, calendar_notice_parse

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
HOLIDAY = DayKind.HOLIDAY
MAKEUP = DayKind.MAKEUP_WORKDAY
# 2025's 国庆 and 中秋 (10/6) were one combined break; the notice names both, and
# the data may name a given day after either.
NATIONAL_OR_MID_AUTUMN = frozenset({"国庆节", "中秋节"})

NOTICE_DAYS = [
    # 2025
    (date(2025, 1, 1), HOLIDAY, "元旦"),  # Wed, 元旦 放假第 1/1 天
    (date(2025, 1, 28), HOLIDAY, "春节"),  # Tue, 春节 放假第 1/8 天
    (date(2025, 1, 29), HOLIDAY, "春节"),  # Wed, 春节 放假第 2/8 天
    (date(2025, 1, 30), HOLIDAY, "春节"),  # Thu, 春节 放假第 3/8 天
    (date(2025, 1, 31), HOLIDAY, "春节"),  # Fri, 春节 放假第 4/8 天
    (date(2025, 2, 1), HOLIDAY, "春节"),  # Sat, 春节 放假第 5/8 天
    (date(2025, 2, 2), HOLIDAY, "春节"),  # Sun, 春节 放假第 6/8 天
    (date(2025, 2, 3), HOLIDAY, "春节"),  # Mon, 春节 放假第 7/8 天
    (date(2025, 2, 4), HOLIDAY, "春节"),  # Tue, 春节 放假第 8/8 天
    (date(2025, 1, 26), MAKEUP, "春节"),  # Sun, 春节 调休上班
    (date(2025, 2, 8), MAKEUP, "春节"),  # Sat, 春节 调休上班
    (date(2025, 4, 4), HOLIDAY, "清明节"),  # Fri, 清明节 放假第 1/3 天
    (date(2025, 4, 5), HOLIDAY, "清明节"),  # Sat, 清明节 放假第 2/3 天
    (date(2025, 4, 6), HOLIDAY, "清明节"),  # Sun, 清明节 放假第 3/3 天
    (date(2025, 5, 1), HOLIDAY, "劳动节"),  # Thu, 劳动节 放假第 1/5 天
    (date(2025, 5, 2), HOLIDAY, "劳动节"),  # Fri, 劳动节 放假第 2/5 天
    (date(2025, 5, 3), HOLIDAY, "劳动节"),  # Sat, 劳动节 放假第 3/5 天
    (date(2025, 5, 4), HOLIDAY, "劳动节"),  # Sun, 劳动节 放假第 4/5 天
    (date(2025, 5, 5), HOLIDAY, "劳动节"),  # Mon, 劳动节 放假第 5/5 天
    (date(2025, 4, 27), MAKEUP, "劳动节"),  # Sun, 劳动节 调休上班
    (date(2025, 5, 31), HOLIDAY, "端午节"),  # Sat, 端午节 放假第 1/3 天
    (date(2025, 6, 1), HOLIDAY, "端午节"),  # Sun, 端午节 放假第 2/3 天
    (date(2025, 6, 2), HOLIDAY, "端午节"),  # Mon, 端午节 放假第 3/3 天
    (date(2025, 10, 1), HOLIDAY, NATIONAL_OR_MID_AUTUMN),  # Wed, 国庆节/中秋节 放假第 1/8 天
    (date(2025, 10, 2), HOLIDAY, NATIONAL_OR_MID_AUTUMN),  # Thu, 国庆节/中秋节 放假第 2/8 天
    (date(2025, 10, 3), HOLIDAY, NATIONAL_OR_MID_AUTUMN),  # Fri, 国庆节/中秋节 放假第 3/8 天
    (date(2025, 10, 4), HOLIDAY, NATIONAL_OR_MID_AUTUMN),  # Sat, 国庆节/中秋节 放假第 4/8 天
    (date(2025, 10, 5), HOLIDAY, NATIONAL_OR_MID_AUTUMN),  # Sun, 国庆节/中秋节 放假第 5/8 天
    (date(2025, 10, 6), HOLIDAY, NATIONAL_OR_MID_AUTUMN),  # Mon, 国庆节/中秋节 放假第 6/8 天
    (date(2025, 10, 7), HOLIDAY, NATIONAL_OR_MID_AUTUMN),  # Tue, 国庆节/中秋节 放假第 7/8 天
    (date(2025, 10, 8), HOLIDAY, NATIONAL_OR_MID_AUTUMN),  # Wed, 国庆节/中秋节 放假第 8/8 天
    (date(2025, 9, 28), MAKEUP, NATIONAL_OR_MID_AUTUMN),  # Sun, 国庆节/中秋节 调休上班
    (date(2025, 10, 11), MAKEUP, NATIONAL_OR_MID_AUTUMN),  # Sat, 国庆节/中秋节 调休上班
    # 2026
    (date(2026, 1, 1), HOLIDAY, "元旦"),  # Thu, 元旦 放假第 1/3 天
    (date(2026, 1, 2), HOLIDAY, "元旦"),  # Fri, 元旦 放假第 2/3 天
    (date(2026, 1, 3), HOLIDAY, "元旦"),  # Sat, 元旦 放假第 3/3 天
    (date(2026, 1, 4), MAKEUP, "元旦"),  # Sun, 元旦 调休上班
    (date(2026, 2, 15), HOLIDAY, "春节"),  # Sun, 春节 放假第 1/9 天
    (date(2026, 2, 16), HOLIDAY, "春节"),  # Mon, 春节 放假第 2/9 天
    (date(2026, 2, 17), HOLIDAY, "春节"),  # Tue, 春节 放假第 3/9 天
    (date(2026, 2, 18), HOLIDAY, "春节"),  # Wed, 春节 放假第 4/9 天
    (date(2026, 2, 19), HOLIDAY, "春节"),  # Thu, 春节 放假第 5/9 天
    (date(2026, 2, 20), HOLIDAY, "春节"),  # Fri, 春节 放假第 6/9 天
    (date(2026, 2, 21), HOLIDAY, "春节"),  # Sat, 春节 放假第 7/9 天
    (date(2026, 2, 22), HOLIDAY, "春节"),  # Sun, 春节 放假第 8/9 天
    (date(2026, 2, 23), HOLIDAY, "春节"),  # Mon, 春节 放假第 9/9 天
    (date(2026, 2, 14), MAKEUP, "春节"),  # Sat, 春节 调休上班
    (date(2026, 2, 28), MAKEUP, "春节"),  # Sat, 春节 调休上班
    (date(2026, 4, 4), HOLIDAY, "清明节"),  # Sat, 清明节 放假第 1/3 天
    (date(2026, 4, 5), HOLIDAY, "清明节"),  # Sun, 清明节 放假第 2/3 天
    (date(2026, 4, 6), HOLIDAY, "清明节"),  # Mon, 清明节 放假第 3/3 天
    (date(2026, 5, 1), HOLIDAY, "劳动节"),  # Fri, 劳动节 放假第 1/5 天
    (date(2026, 5, 2), HOLIDAY, "劳动节"),  # Sat, 劳动节 放假第 2/5 天
    (date(2026, 5, 3), HOLIDAY, "劳动节"),  # Sun, 劳动节 放假第 3/5 天
    (date(2026, 5, 4), HOLIDAY, "劳动节"),  # Mon, 劳动节 放假第 4/5 天
    (date(2026, 5, 5), HOLIDAY, "劳动节"),  # Tue, 劳动节 放假第 5/5 天
    (date(2026, 5, 9), MAKEUP, "劳动节"),  # Sat, 劳动节 调休上班
    (date(2026, 6, 19), HOLIDAY, "端午节"),  # Fri, 端午节 放假第 1/3 天
    (date(2026, 6, 20), HOLIDAY, "端午节"),  # Sat, 端午节 放假第 2/3 天
    (date(2026, 6, 21), HOLIDAY, "端午节"),  # Sun, 端午节 放假第 3/3 天
    (date(2026, 9, 25), HOLIDAY, "中秋节"),  # Fri, 中秋节 放假第 1/3 天
    (date(2026, 9, 26), HOLIDAY, "中秋节"),  # Sat, 中秋节 放假第 2/3 天
    (date(2026, 9, 27), HOLIDAY, "中秋节"),  # Sun, 中秋节 放假第 3/3 天
    (date(2026, 10, 1), HOLIDAY, "国庆节"),  # Thu, 国庆节 放假第 1/7 天
    (date(2026, 10, 2), HOLIDAY, "国庆节"),  # Fri, 国庆节 放假第 2/7 天
    (date(2026, 10, 3), HOLIDAY, "国庆节"),  # Sat, 国庆节 放假第 3/7 天
    (date(2026, 10, 4), HOLIDAY, "国庆节"),  # Sun, 国庆节 放假第 4/7 天
    (date(2026, 10, 5), HOLIDAY, "国庆节"),  # Mon, 国庆节 放假第 5/7 天
    (date(2026, 10, 6), HOLIDAY, "国庆节"),  # Tue, 国庆节 放假第 6/7 天
    (date(2026, 10, 7), HOLIDAY, "国庆节"),  # Wed, 国庆节 放假第 7/7 天
    (date(2026, 9, 20), MAKEUP, "国庆节"),  # Sun, 国庆节 调休上班
    (date(2026, 10, 10), MAKEUP, "国庆节"),  # Sat, 国庆节 调休上班
]


def _name_ok(actual: str, expected: str | frozenset[str]) -> bool:
    return actual in expected if isinstance(expected, frozenset) else actual == expected


@pytest.mark.parametrize(("day", "kind", "name"), NOTICE_DAYS, ids=lambda v: str(v))
def test_a_day_named_in_the_notice_has_the_notices_kind_and_name(day, kind, name):
    answer = get_calendar().day(day)

    assert answer.kind == kind
    assert answer.working is (kind == MAKEUP)
    assert _name_ok(answer.name, name), answer.name


@pytest.mark.parametrize(
    ("day", "kind"),
    [
        (date(2025, 1, 2), DayKind.WORKDAY),  # Thu after 元旦: an ordinary working day
        (date(2025, 1, 25), DayKind.WEEKEND),  # Sat before the 1/26 make-up Sunday: still rest
        (date(2025, 2, 7), DayKind.WORKDAY),  # Fri before the 2/8 make-up Saturday
        (date(2025, 10, 9), DayKind.WORKDAY),  # Thu, first working day after 国庆中秋
        (date(2025, 10, 12), DayKind.WEEKEND),  # Sun after the 10/11 make-up Saturday
        (date(2026, 1, 5), DayKind.WORKDAY),  # Mon after the 1/4 make-up Sunday
        (date(2026, 2, 24), DayKind.WORKDAY),  # Tue, first working day after 春节
        (date(2026, 3, 1), DayKind.WEEKEND),  # Sun after the 2/28 make-up Saturday
        (date(2026, 9, 19), DayKind.WEEKEND),  # Sat before the 9/20 make-up Sunday
        (date(2026, 10, 8), DayKind.WORKDAY),  # Thu, first working day after 国庆
        (date(2026, 10, 11), DayKind.WEEKEND),  # Sun after the 10/10 make-up Saturday
    ],
    ids=str,
)
def test_a_day_the_notice_does_not_name_follows_the_weekday_rule(day, kind):
    answer = get_calendar().day(day)

    assert answer.kind == kind
    assert answer.working is (kind == DayKind.WORKDAY)
    assert answer.name == ""


@pytest.mark.parametrize("year", [2025, 2026])
def test_every_day_of_the_year_is_the_notice_or_the_weekday_rule(year):
    holidays = {d for d, kind, _ in NOTICE_DAYS if d.year == year and kind == HOLIDAY}
    makeup = {d for d, kind, _ in NOTICE_DAYS if d.year == year and kind == MAKEUP}
    cal = get_calendar()
    day = date(year, 1, 1)
    wrong = []
    while day.year == year:
        expected = day in makeup or (day.weekday() < 5 and day not in holidays)
        if cal.is_working(day) is not expected:
            wrong.append(day)
        day += dt.timedelta(days=1)
    assert wrong == []


@pytest.mark.parametrize(
    ("start", "end", "count"),
    [
        # 2025: 261 weekdays − 18 weekday holidays + 5 make-up weekend days
        (date(2024, 12, 31), date(2025, 12, 31), 248),
        # 2026: 261 weekdays − 19 weekday holidays + 6 make-up weekend days
        (date(2025, 12, 31), date(2026, 12, 31), 248),
        (date(2026, 9, 30), date(2026, 10, 8), 1),  # Wed → Thu across 国庆: only 10/8 counts
        (date(2026, 2, 13), date(2026, 2, 24), 2),  # Fri → Tue across 春节: 2/14 (Sat) and 2/24
        (date(2026, 10, 8), date(2026, 9, 30), -1),  # backwards is negative
        (date(2026, 10, 1), date(2026, 10, 1), 0),  # the same day
        (date(2026, 10, 1), date(2026, 10, 7), 0),  # inside a holiday
    ],
    ids=str,
)
def test_working_days_between_counts_the_days_after_start_up_to_end(start, end, count):
    assert get_calendar().working_days_between(start, end) == count


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2026, 9, 30), 1, date(2026, 10, 8)),  # Wed + 1 → Thu 10/8: 10/1–10/7 国庆 rest
        (date(2026, 10, 8), 1, date(2026, 10, 9)),  # Thu + 1 → Fri
        (date(2026, 10, 9), 1, date(2026, 10, 10)),  # Fri + 1 → Sat 10/10, a make-up working day
        (date(2026, 10, 10), 1, date(2026, 10, 12)),  # Sat (make-up) + 1 → Mon: Sun 10/11 rests
        (date(2026, 9, 18), 1, date(2026, 9, 20)),  # Fri + 1 → Sun 9/20, a make-up working day
        (date(2026, 9, 24), 1, date(2026, 9, 28)),  # Thu + 1 → Mon: 9/25–9/27 中秋 rest
        (date(2026, 2, 13), 1, date(2026, 2, 14)),  # Fri + 1 → Sat 2/14, make-up before 春节
        (date(2026, 2, 14), 1, date(2026, 2, 24)),  # Sat (make-up) + 1 → Tue: 2/15–2/23 春节
        (date(2026, 2, 13), 2, date(2026, 2, 24)),  # Fri + 2 → Tue, across the whole 春节
        (date(2026, 2, 27), 1, date(2026, 2, 28)),  # Fri + 1 → Sat 2/28, make-up after 春节
        (date(2026, 2, 28), 1, date(2026, 3, 2)),  # Sat (make-up) + 1 → Mon: Sun 3/1 rests
        (date(2025, 12, 31), 1, date(2026, 1, 4)),  # Wed + 1 → Sun 1/4: 元旦 1/1–1/3, 1/4 make-up
        (date(2026, 4, 30), 1, date(2026, 5, 6)),  # Thu + 1 → Wed: 5/1–5/5 劳动节
        (date(2026, 4, 30), 4, date(2026, 5, 9)),  # Thu + 4 → Sat 5/9 (make-up): 5/6, 5/7, 5/8, 5/9
        (date(2026, 6, 18), 1, date(2026, 6, 22)),  # Thu + 1 → Mon: 6/19–6/21 端午
        (date(2026, 4, 3), 1, date(2026, 4, 7)),  # Fri + 1 → Tue: 4/4–4/6 清明
        # 行政许可法 第四十二条: 20 working days from Tue 15 Sep 2026, across 中秋 and 国庆,
        # counting the make-up Sun 9/20 and Sat 10/10 → Mon 19 Oct 2026.
        (date(2026, 9, 15), 20, date(2026, 10, 19)),
        (date(2025, 1, 24), 1, date(2025, 1, 26)),  # Fri + 1 → Sun 1/26, make-up before 春节
        (date(2025, 1, 27), 1, date(2025, 2, 5)),  # Mon + 1 → Wed: 1/28–2/4 春节
        (date(2025, 2, 7), 1, date(2025, 2, 8)),  # Fri + 1 → Sat 2/8, make-up after 春节
        (date(2025, 4, 25), 1, date(2025, 4, 27)),  # Fri + 1 → Sun 4/27, make-up before 劳动节
        (date(2025, 4, 30), 1, date(2025, 5, 6)),  # Wed + 1 → Tue: 5/1–5/5 劳动节
        (date(2025, 9, 26), 1, date(2025, 9, 28)),  # Fri + 1 → Sun 9/28, make-up before 国庆
        (date(2025, 9, 30), 1, date(2025, 10, 9)),  # Tue + 1 → Thu: 10/1–10/8 国庆中秋
        (date(2025, 10, 10), 1, date(2025, 10, 11)),  # Fri + 1 → Sat 10/11, a make-up day
        (date(2026, 10, 1), 0, date(2026, 10, 1)),  # + 0 is the start itself, even a holiday
    ],
    ids=str,
)
def test_add_working_days_skips_holidays_and_counts_makeup_days(start, days, expected):
    assert get_calendar().add_working_days(start, days) == expected


@pytest.mark.parametrize("days", [-1, 3651])
def test_add_working_days_refuses_a_count_out_of_range(days):
    with pytest.raises(DomainError) as exc:
        get_calendar().add_working_days(date(2026, 3, 2), days)
    assert exc.value.code == "calendar_out_of_range"


def test_counting_between_dates_more_than_twenty_years_apart_is_refused():
    with pytest.raises(DomainError) as exc:
        get_calendar().working_days_between(date(2004, 1, 1), date(2026, 12, 31))
    assert exc.value.code == "calendar_out_of_range"


# --- Years without data -------------------------------------------------------------


@pytest.mark.parametrize(
    "ask",
    [
        # 2027 is provisional (ADR-0006); 2028, the year after, has no data.
        pytest.param(lambda cal: cal.day(date(2028, 1, 4)), id="day"),
        pytest.param(lambda cal: cal.is_working(date(2028, 1, 4)), id="is_working"),
        pytest.param(lambda cal: cal.add_working_days(date(2027, 12, 31), 1), id="add-crossing"),
        pytest.param(lambda cal: cal.add_working_days(date(2028, 1, 4), 0), id="add-zero-in-2028"),
        pytest.param(lambda cal: cal.add_working_days(date(9999, 12, 31), 1), id="add-at-date-max"),
        pytest.param(
            lambda cal: cal.working_days_between(date(2027, 12, 1), date(2028, 1, 5)),
            id="between-crossing",
        ),
        pytest.param(
            lambda cal: cal.working_days_between(date(2028, 1, 4), date(2028, 1, 4)),
            id="between-same-day-in-2028",
        ),
        pytest.param(lambda cal: cal.day(date(2003, 12, 31)), id="before-the-data"),
        pytest.param(lambda cal: cal.month(2028, 1), id="month"),
    ],
)
def test_a_year_without_data_is_an_error_not_a_weekday_guess(ask):
    with pytest.raises(DomainError) as exc:
        ask(get_calendar())
    assert exc.value.code == "calendar_year_unavailable"


def test_the_unavailable_year_is_named_in_the_error():
    with pytest.raises(DomainError) as exc:
        get_calendar().day(date(2028, 3, 1))
    assert exc.value.extra == {"year": 2028}
    assert "2028年" in exc.value.detail


def test_missing_years_lists_this_and_next_year_without_a_notice():
    assert calendar.missing_years(today=date(2026, 11, 1)) == [2027]
    assert calendar.missing_years(today=date(2025, 6, 1)) == []


# --- Importing a notice ---------------------------------------------------------------


def _import(path: Path | str) -> str:
    out = StringIO()
    call_command("calendar", "import", str(path), stdout=out)
    return out.getvalue()


def test_importing_the_2027_notice_makes_2027_answer():
    output = _import(DATA / "calendar-2027.yaml")

    assert "2027" in output
    assert "放假 29 天" in output
    assert "调休上班 5 天" in output
    cal = get_calendar()
    assert cal.covers(2027)
    assert cal.day(date(2027, 1, 1)).kind == HOLIDAY  # Fri, 元旦
    assert cal.day(date(2027, 1, 1)).name == "元旦"
    assert cal.day(date(2027, 2, 8)).kind == HOLIDAY  # Mon inside 春节
    assert cal.day(date(2027, 2, 20)).kind == MAKEUP  # Sat, 春节 make-up
    assert cal.day(date(2027, 10, 9)).kind == MAKEUP  # Sat, 国庆 make-up
    assert cal.day(date(2027, 10, 11)).kind == DayKind.WORKDAY  # Mon, not in the notice
    assert cal.day(date(2027, 10, 10)).kind == DayKind.WEEKEND  # Sun, not in the notice
    # Thu 31 Dec 2026 + 1 → Mon 4 Jan 2027: 1/1–1/3 元旦
    assert cal.add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)
    assert CalendarOverride.objects.filter(date__year=2027).count() == 34
    year = CalendarYear.objects.get(year=2027)
    assert year.imported_by == "cli"
    assert "测试数据" in year.source
    event = AuditEvent.objects.get(action="calendar.import")
    assert event.object_id == "2027"
    assert event.details["holidays"] == 29


def test_importing_the_same_notice_twice_leaves_one_row_per_day():
    _import(DATA / "calendar-2027.yaml")
    _import(DATA / "calendar-2027.yaml")

    assert CalendarOverride.objects.filter(date__year=2027).count() == 34
    assert CalendarYear.objects.filter(year=2027).count() == 1


def test_a_reimport_replaces_the_days_the_new_notice_no_longer_lists(tmp_path):
    _import(DATA / "calendar-2027.yaml")
    corrected = tmp_path / "2027-corrected.yaml"
    corrected.write_text(
        "year: 2027\nsource: 测试更正\nholidays:\n  - name: 元旦\n    date: 2027-01-01\n",
        encoding="utf-8",
    )
    _import(corrected)

    cal = get_calendar()
    assert cal.day(date(2027, 10, 8)).kind == DayKind.WORKDAY  # Fri, no longer 国庆
    assert CalendarOverride.objects.filter(date__year=2027).count() == 1


def test_a_csv_notice_imports_like_the_yaml_one(tmp_path):
    path = tmp_path / "calendar-2027.csv"
    path.write_text(
        "# year: 2027\n"
        "# source: 测试数据（非真实通知）\n"
        "date,kind,name\n"
        "2027-01-01,holiday,元旦\n"
        "2027-01-02,holiday,元旦\n"
        "2027-01-03,holiday,元旦\n"
        "2027-10-01,holiday,国庆节\n"
        "2027-10-09,makeup_workday,国庆节\n",
        encoding="utf-8",
    )

    output = _import(path)

    assert "放假 4 天" in output
    cal = get_calendar()
    assert cal.day(date(2027, 1, 2)).name == "元旦"
    assert cal.day(date(2027, 10, 9)).kind == MAKEUP
    assert cal.add_working_days(date(2027, 10, 8), 1) == date(2027, 10, 9)
    assert CalendarOverride.objects.filter(date__year=2027).count() == 5


def test_a_year_created_by_another_process_is_seen_after_the_recheck_interval(monkeypatch):
    assert get_calendar().provisional_years == {2027}
    # Another process imports: this process's cache is not cleared, only the
    # version stamp of the override tables changes.
    CalendarYear.objects.create(year=2027, source="测试", imported_at=clock.now())
    assert 2027 not in get_calendar().confirmed_years  # still trusted for RECHECK_SECONDS

    monkeypatch.setattr(calendar, "RECHECK_SECONDS", 0.0)
    assert 2027 in get_calendar().confirmed_years
    assert get_calendar().provisional_years == {2028}


BAD_NOTICES = [
    pytest.param("bad.yaml", "year: [2027\n", id="yaml-syntax"),
    pytest.param("bad.yaml", "- 2027-01-01\n", id="yaml-not-a-mapping"),
    pytest.param("bad.yaml", "source: x\nholidays: []\n", id="no-year"),
    pytest.param(
        "bad.yaml", "year: 2027\nholidays:\n  - {name: 元旦, date: 2027-01-01}\n", id="no-source"
    ),
    pytest.param("bad.yaml", "year: 2027\nsource: x\nholidays: []\n", id="no-holidays"),
    pytest.param("bad.yaml", "year: 2027\nsource: x\nholidays: 5\n", id="holidays-not-a-list"),
    pytest.param(
        "bad.yaml",
        "year: 2027\nsource: x\nholidays:\n  - {name: 元旦, date: 2027-01-01}\n"
        "makeup_workdays: 2027-01-09\n",
        id="makeup-not-a-list",
    ),
    pytest.param(
        "bad.yaml",
        "year: 1999\nsource: x\nholidays:\n  - {name: 元旦, date: 1999-01-01}\n",
        id="year-out-of-range",
    ),
    pytest.param(
        "bad.yaml",
        "year: 2027\nsource: x\nholidays:\n  - {name: 元旦, date: 2027-02-30}\n",
        id="impossible-date",
    ),
    pytest.param(
        "bad.yaml",
        "year: 2027\nsource: x\nholidays:\n  - {name: 元旦, date: 2029-01-01}\n",
        id="date-of-another-year",
    ),
    pytest.param(
        "bad.yaml",
        "year: 2027\nsource: x\nholidays:\n  - {name: 春节, start: 2027-02-13, end: 2027-02-05}\n",
        id="range-backwards",
    ),
    pytest.param(
        "bad.yaml",
        "year: 2027\nsource: x\nholidays:\n  - {date: 2027-01-01}\n",
        id="holiday-without-name",
    ),
    pytest.param(
        "bad.yaml",
        "year: 2027\nsource: x\nholidays:\n  - {name: 元旦, date: 2027-01-01}\n"
        "makeup_workdays:\n  - {name: 元旦, date: 2027-01-04}\n",  # Mon: already a workday
        id="makeup-on-a-weekday",
    ),
    pytest.param(
        "bad.yaml",
        "year: 2027\nsource: x\nholidays:\n  - {name: 元旦, date: 2027-01-02}\n"
        "makeup_workdays:\n  - {name: 元旦, date: 2027-01-02}\n",
        id="both-rest-and-work",
    ),
    pytest.param(
        "bad.csv", "date,kind,name\n2027-01-01,holiday,元旦\n", id="csv-without-header-lines"
    ),
    pytest.param(
        "bad.csv", "# year: 2027\n# source: x\nday,type\n2027-01-01,holiday\n", id="csv-bad-columns"
    ),
    pytest.param(
        "bad.csv",
        "# year: 2027\n# source: x\ndate,kind,name\n2027-01-01,vacation,元旦\n",
        id="csv-unknown-kind",
    ),
    pytest.param(
        "bad.csv",
        "# year: 2027\n# source: x\ndate,kind,name\n01/01/2027,holiday,元旦\n",
        id="csv-bad-date",
    ),
]


@pytest.mark.parametrize(("filename", "content"), BAD_NOTICES)
def test_a_bad_notice_file_is_refused_and_changes_nothing(tmp_path, filename, content):
    _import(DATA / "calendar-2027.yaml")
    before = (
        CalendarOverride.objects.count(),
        CalendarYear.objects.count(),
        AuditEvent.objects.count(),
    )
    path = tmp_path / filename
    path.write_text(content, encoding="utf-8")

    with pytest.raises(DomainError) as exc:
        calendar_notice_import(
            notice=calendar_notice_parse(content, filename=filename), actor="test"
        )
    assert exc.value.code == "calendar_import_invalid"
    with pytest.raises(CommandError, match=r"\[calendar_import_invalid\]"):
        _import(path)

    after = (
        CalendarOverride.objects.count(),
        CalendarYear.objects.count(),
        AuditEvent.objects.count(),
    )
    assert after == before
    assert get_calendar().day(date(2027, 10, 1)).name == "国庆节"  # the good import stands


def test_importing_a_file_that_does_not_exist_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="文件不存在"):
        _import(tmp_path / "nope.yaml")


# --- tongban calendar status ------------------------------------------------------------


def test_status_before_november_shows_next_year_provisional_and_passes(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: date(2026, 10, 31))
    out = StringIO()

    call_command("calendar", "status", stdout=out)

    text = out.getvalue()
    assert "已有放假通知的年度：2004–2026" in text
    assert "2026 年：已有放假通知" in text
    assert "2027 年：暂定" in text


def test_status_from_november_warns_that_next_year_is_provisional_and_fails(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: date(2026, 11, 1))
    out = StringIO()

    with pytest.raises(CommandError, match="请导入 2027 年的国务院放假通知"):
        call_command("calendar", "status", stdout=out)

    assert "2027 年：暂定" in out.getvalue()


def test_status_fails_for_a_current_year_without_any_data(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: date(2028, 3, 1))
    out = StringIO()

    with pytest.raises(CommandError, match="请导入 2028 年"):
        call_command("calendar", "status", stdout=out)

    assert "2028 年：缺少数据" in out.getvalue()


def test_status_is_quiet_once_the_coming_year_is_imported(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: date(2026, 11, 21))
    _import(DATA / "calendar-2027.yaml")
    out = StringIO()

    call_command("calendar", "status", stdout=out)

    text = out.getvalue()
    assert "已有放假通知的年度：2004–2027" in text
    assert "2027 年：已有放假通知" in text
    assert "暂定" not in text
    assert "缺少" not in text
