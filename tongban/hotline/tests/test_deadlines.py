"""The working-day clock of R-HL-3, table-driven with dates (Asia/Shanghai)."""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.core.calendar import get_calendar
from tongban.core.clock import SHANGHAI
from tongban.hotline import deadlines
from tongban.hotline.deadlines import Limit, Tier


def at(y: int, m: int, d: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(y, m, d, hour, tzinfo=SHANGHAI)


DUE_CASES = [
    # Wed 30 Sep 2026 + 1 working day → Thu 8 Oct 2026, after the National Day holiday
    (at(2026, 9, 30), Limit(working_days=1), dt.date(2026, 10, 8)),
    # Fri 9 Oct 2026 + 1 working day → Sat 10 Oct 2026, a 调休 make-up working day
    (at(2026, 10, 9), Limit(working_days=1), dt.date(2026, 10, 10)),
    # Wed 30 Sep 2026 + 5 working days → Tue 13 Oct 2026 (8, 9, 10 Sat make-up, 12, 13)
    (at(2026, 9, 30), Limit(working_days=5), dt.date(2026, 10, 13)),
    # Mon 2 Nov 2026 + 5 working days → Mon 9 Nov 2026
    (at(2026, 11, 2), Limit(working_days=5), dt.date(2026, 11, 9)),
    # Fri 6 Nov 2026 + 1 working day → Mon 9 Nov 2026 (the weekend does not count)
    (at(2026, 11, 6), Limit(working_days=1), dt.date(2026, 11, 9)),
    # Thu 24 Sep 2026 + 1 working day → Mon 28 Sep 2026 (25–27 Sep: Mid-autumn)
    (at(2026, 9, 24), Limit(working_days=1), dt.date(2026, 9, 28)),
    # Sat 19 Sep 2026 + 1 working day → Sun 20 Sep 2026, a make-up working day
    (at(2026, 9, 19), Limit(working_days=1), dt.date(2026, 9, 20)),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("start", "limit", "due_day"), DUE_CASES)
def test_due_day_counts_working_days_across_holidays_and_makeup_days(start, limit, due_day):
    due = deadlines.due_at(start, limit, get_calendar())
    assert due.astimezone(SHANGHAI).date() == due_day
    # The limit ends at the last second of its day.
    assert due.astimezone(SHANGHAI).time() == dt.time(23, 59, 59)


def test_the_row_comments_match_their_dates():
    # 30 Sep + 5: 8 (Thu), 9 (Fri), 10 (Sat, make-up), 12 (Mon), 13 (Tue).
    assert DUE_CASES[2][2] == dt.date(2026, 10, 13)


@pytest.mark.django_db
def test_an_urgent_limit_runs_in_hours_even_over_a_holiday():
    start = at(2026, 10, 1, 9)  # National Day
    assert deadlines.due_at(start, Limit(hours=24), get_calendar()) == start + dt.timedelta(1)


@pytest.mark.django_db
def test_an_extension_adds_working_days_after_the_due_day():
    cal = get_calendar()
    # due Wed 30 Sep 2026 + 3 working days → Sat 10 Oct (8, 9, 10 make-up)
    due = deadlines.end_of_day(dt.date(2026, 9, 30))
    assert deadlines.local_date(deadlines.extended(due, 3, cal)) == dt.date(2026, 10, 10)


TIER_CASES = [
    # 1-day dispatch limit registered Mon 2 Nov: none on Monday, yellow on the due
    # day Tue 3 Nov, red after it.
    (at(2026, 11, 2), Limit(working_days=1), at(2026, 11, 2, 15), Tier.NONE),
    (at(2026, 11, 2), Limit(working_days=1), at(2026, 11, 3, 9), Tier.YELLOW),
    (at(2026, 11, 2), Limit(working_days=1), at(2026, 11, 4, 9), Tier.RED),
    # 5-day handling limit from Mon 2 Nov (due Mon 9 Nov): none on Thu 5, yellow on
    # Fri 6 (one working day left), red on Tue 10.
    (at(2026, 11, 2), Limit(working_days=5), at(2026, 11, 5), Tier.NONE),
    (at(2026, 11, 2), Limit(working_days=5), at(2026, 11, 6), Tier.YELLOW),
    (at(2026, 11, 2), Limit(working_days=5), at(2026, 11, 10), Tier.RED),
    # 5 days from Wed 30 Sep (due Tue 13 Oct): the holiday week is not "used".
    (at(2026, 9, 30), Limit(working_days=5), at(2026, 10, 7), Tier.NONE),
    # 24 hours: yellow after 80 % of the time, red after it.
    (at(2026, 11, 2, 8), Limit(hours=24), at(2026, 11, 3, 4), Tier.YELLOW),
    (at(2026, 11, 2, 8), Limit(hours=24), at(2026, 11, 2, 20), Tier.NONE),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("start", "limit", "now", "expected"), TIER_CASES)
def test_alert_tiers(start, limit, now, expected):
    cal = get_calendar()
    due = deadlines.due_at(start, limit, cal)
    assert (
        deadlines.tier(start=start, due=due, limit=limit, now=now, cal=cal, yellow_share=0.8)
        == expected
    )


ESCALATION_CASES = [
    # due Mon 9 Nov 2026; every 2 working days overdue one more level, at most 3
    (at(2026, 11, 9, 20), 0),  # not yet overdue
    (at(2026, 11, 10), 1),  # 1 working day overdue
    (at(2026, 11, 11), 2),  # 2 working days
    (at(2026, 11, 13), 3),  # 4 working days
    (at(2026, 11, 30), 3),  # capped
]


@pytest.mark.django_db
@pytest.mark.parametrize(("now", "level"), ESCALATION_CASES)
def test_escalation_levels_of_an_overdue_order(now, level):
    due = deadlines.end_of_day(dt.date(2026, 11, 9))
    assert (
        deadlines.escalation_level(due=due, now=now, cal=get_calendar(), every_working_days=2)
        == level
    )


def test_a_limit_is_days_or_hours():
    with pytest.raises(ValueError):
        Limit(working_days=1, hours=2)
    with pytest.raises(ValueError):
        Limit()
    assert Limit.from_dict(Limit(hours=4).as_dict()) == Limit(hours=4)
