"""Properties linking the three calendar operations over the years with data.

``add_working_days``, ``working_days_between`` and ``is_working`` must agree
with each other on every date 2004–2026, whatever the holiday data says: a
deadline computed with one and checked with another must never disagree.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tongban.core.calendar import DayKind, WorkingCalendar, package_data

FIRST = dt.date(2004, 1, 1)
LAST = dt.date(2026, 12, 31)
# Starts late enough in 2026 that ``start + n`` working days still lands in 2026.
LAST_START = dt.date(2026, 6, 30)
MAX_N = 100

dates = st.dates(min_value=FIRST, max_value=LAST)
starts = st.dates(min_value=FIRST, max_value=LAST_START)
counts = st.integers(min_value=0, max_value=MAX_N)
quick = settings(max_examples=150, deadline=None, database=None)


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    special, years = package_data()
    return WorkingCalendar(special, years)


def _near(a: dt.date, b: dt.date) -> bool:
    """Within the 20-year span ``working_days_between`` accepts."""
    return abs((b - a).days) <= 7300


@quick
@given(start=starts, n=counts)
def test_counting_back_from_n_working_days_later_gives_n(cal, start, n):
    assert cal.working_days_between(start, cal.add_working_days(start, n)) == n


@quick
@given(start=starts, n=st.integers(min_value=1, max_value=MAX_N))
def test_n_working_days_later_is_a_working_day_after_the_start(cal, start, n):
    end = cal.add_working_days(start, n)

    assert end > start
    assert cal.is_working(end)
    assert cal.day(end).kind in {DayKind.WORKDAY, DayKind.MAKEUP_WORKDAY}


@quick
@given(start=starts, n=st.integers(min_value=1, max_value=MAX_N))
def test_no_working_day_is_skipped_between_one_and_the_next(cal, start, n):
    previous = cal.add_working_days(start, n - 1)
    current = cal.add_working_days(start, n)
    day = previous + dt.timedelta(days=1)
    while day < current:
        assert not cal.is_working(day)
        day += dt.timedelta(days=1)


@quick
@given(a=dates, b=dates)
def test_counting_backwards_is_the_negative(cal, a, b):
    assume(_near(a, b))
    assert cal.working_days_between(a, b) == -cal.working_days_between(b, a)


@quick
@given(a=dates, b=dates, c=dates)
def test_counts_add_up_over_an_intermediate_date(cal, a, b, c):
    assume(_near(a, b) and _near(b, c) and _near(a, c))
    assert cal.working_days_between(a, c) == (
        cal.working_days_between(a, b) + cal.working_days_between(b, c)
    )


@quick
@given(start=starts, n=counts, m=counts)
def test_more_working_days_never_end_earlier(cal, start, n, m):
    assume(n != m)
    low, high = sorted((n, m))
    assert cal.add_working_days(start, low) < cal.add_working_days(start, high)


@quick
@given(day=dates)
def test_the_kind_of_a_day_agrees_with_whether_it_is_working(cal, day):
    answer = cal.day(day)

    assert answer.working is cal.is_working(day)
    assert (answer.kind in {DayKind.WORKDAY, DayKind.MAKEUP_WORKDAY}) is answer.working
    assert (answer.kind == DayKind.MAKEUP_WORKDAY) is (answer.working and day.weekday() >= 5)
