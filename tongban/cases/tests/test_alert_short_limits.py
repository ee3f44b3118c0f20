"""Yellow alerts make sense for short limits too (issue 20, item 7; docs/cases.md).

A limit of L working days turns yellow when at most 2 days are left, but never
while more than half of it remains, or once 80 % is used.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.cases import deadlines as dl
from tongban.cases.deadlines import AlertLevel
from tongban.core.calendar import WorkingCalendar, package_data

D = dt.date
# Mon 2 Mar 2026 starts every clock below; March 2026 has no holiday.
START = D(2026, 3, 2)
CAL = WorkingCalendar(*package_data())

ROWS = [
    # 1 wd → Tue 3 Mar. On Mon 2 Mar (acceptance) 1 day left, more than half → none.
    (1, D(2026, 3, 2), AlertLevel.NONE),
    # … on the deadline day Tue 3 Mar → yellow.
    (1, D(2026, 3, 3), AlertLevel.YELLOW),
    # 2 wd → Wed 4 Mar. Mon 2 Mar: 2 left of 2 → none; Tue 3 Mar: 1 left → yellow.
    (2, D(2026, 3, 2), AlertLevel.NONE),
    (2, D(2026, 3, 3), AlertLevel.YELLOW),
    # 3 wd → Thu 5 Mar. Tue 3 Mar: 2 left of 3 → none; Wed 4 Mar: 1 left → yellow.
    (3, D(2026, 3, 3), AlertLevel.NONE),
    (3, D(2026, 3, 4), AlertLevel.YELLOW),
    # 5 wd → Mon 9 Mar. Wed 4 Mar: 3 left → none; Thu 5 Mar: 2 left → yellow.
    (5, D(2026, 3, 4), AlertLevel.NONE),
    (5, D(2026, 3, 5), AlertLevel.YELLOW),
    # 20 wd → Mon 30 Mar. Mon 23 Mar: 5 left, 75 % → none; Tue 24 Mar: 80 % → yellow.
    (20, D(2026, 3, 23), AlertLevel.NONE),
    (20, D(2026, 3, 24), AlertLevel.YELLOW),
]


@pytest.mark.parametrize(("limit", "today", "expected"), ROWS)
def test_yellow_by_limit_length(limit, today, expected):
    deadline = CAL.add_working_days(START, limit)
    level = dl.alert_level(deadline, today, START, [], CAL, yellow_share=0.8, yellow_days_left=2)
    assert level == expected


def test_an_immediate_item_is_yellow_on_its_day_and_red_after():
    assert dl.alert_level(START, START, START, [], CAL) == AlertLevel.YELLOW
    assert dl.alert_level(START, D(2026, 3, 3), START, [], CAL) == AlertLevel.RED
