"""The clock of a case (tongban.cases.deadlines), table by table.

Every expected date was counted by hand from the State Council's notices, not
from the code under test:

* 2025: 元旦 1/1; 春节 1/28–2/4 off, Sun 1/26 and Sat 2/8 work; 清明 4/4–4/6;
  劳动节 5/1–5/5 off, Sun 4/27 work; 端午 5/31–6/2; 国庆+中秋 10/1–10/8 off,
  Sun 9/28 and Sat 10/11 work.
* 2026: 元旦 1/1–1/3 off, Sun 1/4 work; 春节 2/15–2/23 off, Sat 2/14 and
  Sat 2/28 work; 清明 4/4–4/6; 劳动节 5/1–5/5 off, Sat 5/9 work; 端午
  6/19–6/21; 中秋 9/25–9/27; 国庆 10/1–10/7 off, Sun 9/20 and Sat 10/10 work.

Counting: the start day is not counted (民法典 第二百零一条); a suspension
[S, R) stops the days S … R−1 and the clock runs again on R.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tongban.cases import deadlines as dl
from tongban.cases.deadlines import (
    JOINT_DECISION,
    JOINT_EXTENSION_BOUND,
    PERMIT_DECISION,
    PERMIT_EXTENSION_BOUND,
    AlertLevel,
    CaseClockFacts,
    Suspension,
    TimeRule,
)
from tongban.catalog.content import LimitUnit, TimeLimit
from tongban.core.calendar import WorkingCalendar, package_data
from tongban.core.errors import DomainError

CAL = WorkingCalendar(*package_data())

D = dt.date
W = LimitUnit.WORKING_DAYS
N = LimitUnit.NATURAL_DAYS


def wd(n: int) -> TimeRule:
    return TimeRule(n, W)


def nd(n: int) -> TimeRule:
    return TimeRule(n, N)


def susp(start: dt.date, end: dt.date | None) -> Suspension:
    return Suspension(start, end, "检验检测")


# --- acceptance (行政许可法 第三十二条: 五日内) --------------------------------

ACCEPTANCE_ROWS = [
    # Wed 30 Sep 2026 + 5 wd: 10/1–7 off; Thu 8, Fri 9, Sat 10 (调休), Mon 12, Tue 13.
    (D(2026, 9, 30), D(2026, 10, 13)),
    # Thu 12 Feb 2026: Fri 13, Sat 14 (调休); 2/15–23 off; Tue 24, Wed 25, Thu 26.
    (D(2026, 2, 12), D(2026, 2, 26)),
    # Mon 9 Mar 2026, an ordinary week: 10, 11, 12, 13, Mon 16.
    (D(2026, 3, 9), D(2026, 3, 16)),
    # Received on 元旦 Thu 1 Jan 2026: 1/2–3 off; Sun 4 (调休), 5, 6, 7, Thu 8.
    (D(2026, 1, 1), D(2026, 1, 8)),
    # Received Sun 4 Jan 2026 (a make-up working day, not counted as the start): 5–9.
    (D(2026, 1, 4), D(2026, 1, 9)),
    # Thu 30 Apr 2026: 5/1–5 off; Wed 6, Thu 7, Fri 8, Sat 9 (调休), Mon 11.
    (D(2026, 4, 30), D(2026, 5, 11)),
    # Fri 26 Sep 2025: Sun 28 (调休), 29, 30; 10/1–8 off; Thu 9, Fri 10.
    (D(2025, 9, 26), D(2025, 10, 10)),
    # Fri 24 Jan 2025: Sun 26 (调休), Mon 27; 1/28–2/4 off; Wed 5, Thu 6, Fri 7 Feb.
    (D(2025, 1, 24), D(2025, 2, 7)),
    # Thu 24 Dec 2026: 25, 28, 29, 30, Thu 31 — stays inside the covered year.
    (D(2026, 12, 24), D(2026, 12, 31)),
]


@pytest.mark.parametrize(("received", "expected"), ACCEPTANCE_ROWS)
def test_acceptance_deadline_is_the_fifth_working_day_after_receipt(received, expected):
    assert dl.acceptance_deadline(received, CAL) == expected


DEEMED_ROWS = [
    # Received Wed 30 Sep 2026, deadline Tue 13 Oct (across 国庆): on the deadline, not yet.
    (D(2026, 9, 30), D(2026, 10, 13), False, False),
    # … the day after the deadline without any answer: deemed accepted.
    (D(2026, 9, 30), D(2026, 10, 14), False, True),
    # … during the holiday, well inside the five working days.
    (D(2026, 9, 30), D(2026, 10, 7), False, False),
    # … after the deadline but a supplement notice (or acceptance) was issued.
    (D(2026, 9, 30), D(2026, 10, 14), True, False),
    # Received Thu 12 Feb 2026, deadline Thu 26 Feb (across 春节): Thu 26 not yet.
    (D(2026, 2, 12), D(2026, 2, 26), False, False),
    # … Fri 27 Feb: deemed accepted.
    (D(2026, 2, 12), D(2026, 2, 27), False, True),
    # Received Fri 26 Sep 2025, deadline Fri 10 Oct 2025: Sat 11 (调休) is after it.
    (D(2025, 9, 26), D(2025, 10, 11), False, True),
]


@pytest.mark.parametrize(("received", "today", "decided", "expected"), DEEMED_ROWS)
def test_an_unanswered_application_is_deemed_accepted_after_five_working_days(
    received, today, decided, expected
):
    assert dl.deemed_accepted(received, today, decided, CAL) is expected


def test_deemed_acceptance_starts_the_clock_on_the_day_of_receipt():
    # Received Wed 30 Sep 2026, deemed accepted; 20 wd from 30 Sep: Oct 8, 9, 10 (调休),
    # 12–16 (8), 19–23 (13), 26–30 (18), Mon 2 Nov (19), Tue 3 Nov (20).
    facts = CaseClockFacts(received=D(2026, 9, 30), deemed=True)
    result = dl.recompute(facts, PERMIT_DECISION, CAL)
    assert result.clock_start == D(2026, 9, 30)
    assert result.decision_deadline == D(2026, 11, 3)


# --- when the decision clock starts (第三十二条, 第四十二条) ------------------

CLOCK_START_ROWS = [
    # Accepted on Fri 9 Oct 2026, no supplement: starts on acceptance.
    (D(2026, 9, 30), None, None, D(2026, 10, 9), False, D(2026, 10, 9)),
    # Supplement requested Fri 13 Feb 2026 and still awaited: not started.
    (D(2026, 2, 12), D(2026, 2, 13), None, None, False, None),
    # Supplement completed Wed 4 Mar 2026: starts on completion.
    (D(2026, 2, 12), D(2026, 2, 13), D(2026, 3, 4), D(2026, 3, 4), False, D(2026, 3, 4)),
    # Supplement completed Wed 4 Mar, acceptance recorded later: still the completion day.
    (D(2026, 2, 12), D(2026, 2, 13), D(2026, 3, 4), D(2026, 3, 5), False, D(2026, 3, 4)),
    # Nothing decided yet: not started.
    (D(2026, 2, 12), None, None, None, False, None),
    # Deemed accepted: starts on the day of receipt whatever else is recorded.
    (D(2026, 2, 12), None, None, None, True, D(2026, 2, 12)),
]


@pytest.mark.parametrize(
    ("received", "requested", "completed", "accepted", "deemed", "expected"), CLOCK_START_ROWS
)
def test_the_clock_starts_on_acceptance_or_when_the_supplement_is_complete(
    received, requested, completed, accepted, deemed, expected
):
    assert dl.clock_start(received, requested, completed, accepted, deemed=deemed) == expected


# --- decision deadline without suspensions ---------------------------------

DECISION_ROWS = [
    # Wed 30 Sep 2026 + 1 wd → Thu 8 Oct 2026 (国庆 1–7 Oct).
    (D(2026, 9, 30), wd(1), D(2026, 10, 8)),
    # Thu 17 Sep 2026 + 10 wd: Fri 18, Sun 20 (调休), 21–24 (6); 中秋 25–27 off;
    # 28–30 (9); 国庆 off; Thu 8 Oct (10).
    (D(2026, 9, 17), wd(10), D(2026, 10, 8)),
    # Tue 10 Feb 2026 + 20 wd: 11, 12, 13, Sat 14 (4); 春节 15–23 off; 24–27 (8),
    # Sat 28 (9); 2–6 Mar (14); 9–13 (19); Mon 16 Mar (20).
    (D(2026, 2, 10), wd(20), D(2026, 3, 16)),
    # Started on a holiday, Thu 2 Oct 2025 + 5 wd: 3–8 off; Thu 9, Fri 10, Sat 11
    # (调休), Mon 13, Tue 14.
    (D(2025, 10, 2), wd(5), D(2025, 10, 14)),
    # Fri 25 Apr 2025 + 3 wd: Sat 26 off, Sun 27 (调休), Mon 28, Tue 29.
    (D(2025, 4, 25), wd(3), D(2025, 4, 29)),
    # Mon 14 Sep 2026 + 5 wd: 15, 16, 17, 18, Sun 20 (调休) — a deadline on a Sunday.
    (D(2026, 9, 14), wd(5), D(2026, 9, 20)),
    # A zero-day limit (即办件) ends on its start day.
    (D(2026, 3, 2), wd(0), D(2026, 3, 2)),
    # The catalogue's TimeLimit is accepted as a rule: Mon 9 Mar 2026 + 5 wd → Mon 16.
    (D(2026, 3, 9), TimeLimit(value=5), D(2026, 3, 16)),
]


@pytest.mark.parametrize(("start", "rule", "expected"), DECISION_ROWS)
def test_working_day_limits_skip_holidays_and_count_make_up_days(start, rule, expected):
    assert dl.decision_deadline(start, rule, [], None, CAL) == expected


NATURAL_ROWS = [
    # Wed 23 Sep 2026 + 8 natural days → Thu 1 Oct (国庆); 1–7 Oct off → Thu 8 Oct.
    (D(2026, 9, 23), nd(8), D(2026, 10, 8)),
    # Mon 7 Sep 2026 + 5 → Sat 12 Sep, a rest day → Mon 14 Sep.
    (D(2026, 9, 7), nd(5), D(2026, 9, 14)),
    # Tue 15 Sep 2026 + 5 → Sun 20 Sep, a make-up working day: stays.
    (D(2026, 9, 15), nd(5), D(2026, 9, 20)),
    # Mon 2 Mar 2026 + 10 → Thu 12 Mar, a working day.
    (D(2026, 3, 2), nd(10), D(2026, 3, 12)),
    # Thu 5 Feb 2026 + 10 → Sun 15 Feb (春节); 15–23 off → Tue 24 Feb.
    (D(2026, 2, 5), nd(10), D(2026, 2, 24)),
    # Mon 29 Sep 2025 + 2 → Wed 1 Oct 2025; 1–8 Oct off → Thu 9 Oct 2025.
    (D(2025, 9, 29), nd(2), D(2025, 10, 9)),
    # TimeLimit in natural days: Mon 7 Sep 2026 + 5 → Sat 12 → Mon 14 Sep.
    (D(2026, 9, 7), TimeLimit(value=5, unit=LimitUnit.NATURAL_DAYS), D(2026, 9, 14)),
]


@pytest.mark.parametrize(("start", "rule", "expected"), NATURAL_ROWS)
def test_a_natural_day_limit_ending_on_a_rest_day_ends_on_the_next_working_day(
    start, rule, expected
):
    assert dl.decision_deadline(start, rule, [], None, CAL) == expected


# --- suspensions (第四十五条) -------------------------------------------------

SUSPENSION_ROWS = [
    # Mon 2 Mar 2026 + 10 wd, no suspension: 3–6 (4), 9–13 (9), Mon 16 (10).
    (D(2026, 3, 2), wd(10), [], None, D(2026, 3, 16)),
    # One suspension Wed 4 → resumed Mon 9 Mar stops 4, 5, 6 (3 wd): Tue 3 (1),
    # Mon 9 (2, the resumption day counts) … 13 (6), 16–19 (10) → Thu 19 Mar.
    (D(2026, 3, 2), wd(10), [susp(D(2026, 3, 4), D(2026, 3, 9))], None, D(2026, 3, 19)),
    # Two: [Wed 4, Fri 6) stops 4, 5; [Tue 10, Thu 12) stops 10, 11: 3 (1), 6 (2),
    # 9 (3), 12, 13 (5), 16–20 (10) → Fri 20 Mar.
    (
        D(2026, 3, 2),
        wd(10),
        [susp(D(2026, 3, 4), D(2026, 3, 6)), susp(D(2026, 3, 10), D(2026, 3, 12))],
        None,
        D(2026, 3, 20),
    ),
    # Overlapping and nested: [4, 9), [5, 11), [6, 7) → union [4, 11) stops 4, 5, 6, 9,
    # 10 once each: 3 (1), 11–13 (4), 16–20 (9), Mon 23 (10).
    (
        D(2026, 3, 2),
        wd(10),
        [
            susp(D(2026, 3, 4), D(2026, 3, 9)),
            susp(D(2026, 3, 5), D(2026, 3, 11)),
            susp(D(2026, 3, 6), D(2026, 3, 7)),
        ],
        None,
        D(2026, 3, 23),
    ),
    # The same suspension recorded twice is not counted twice → Thu 19 Mar, as one.
    (
        D(2026, 3, 2),
        wd(10),
        [susp(D(2026, 3, 4), D(2026, 3, 9)), susp(D(2026, 3, 4), D(2026, 3, 9))],
        None,
        D(2026, 3, 19),
    ),
    # Open since Wed 4 Mar, today Fri 6 Mar: stopped 4–6, assumed to resume Sat 7 →
    # as the closed one above, Thu 19 Mar.
    (D(2026, 3, 2), wd(10), [susp(D(2026, 3, 4), None)], D(2026, 3, 6), D(2026, 3, 19)),
    # The same open suspension seen on Tue 10 Mar: stopped 4–6, 9, 10 → Mon 23 Mar.
    (D(2026, 3, 2), wd(10), [susp(D(2026, 3, 4), None)], D(2026, 3, 10), D(2026, 3, 23)),
    # Resumed the day it started: stops nothing → Mon 16 Mar.
    (D(2026, 3, 2), wd(10), [susp(D(2026, 3, 4), D(2026, 3, 4))], None, D(2026, 3, 16)),
    # Entirely before the start (Wed 25 Feb → Mon 2 Mar): stops nothing → Mon 16 Mar.
    (D(2026, 3, 2), wd(10), [susp(D(2026, 2, 25), D(2026, 3, 2))], None, D(2026, 3, 16)),
    # After the deadline (Tue 17 → Fri 20 Mar): stops nothing → Mon 16 Mar.
    (D(2026, 3, 2), wd(10), [susp(D(2026, 3, 17), D(2026, 3, 20))], None, D(2026, 3, 16)),
    # Wed 23 Sep 2026 + 10 wd, no suspension: Thu 24 (1); 中秋 off; 28–30 (4); 国庆 off;
    # Thu 8, Fri 9, Sat 10 (调休) (7), 12, 13, Wed 14 Oct (10).
    (D(2026, 9, 23), wd(10), [], None, D(2026, 10, 14)),
    # Across 国庆: [Tue 29 Sep, Fri 9 Oct) stops 29, 30 Sep and 8 Oct (3 wd; the holidays
    # stop nothing more): 24 (1), 28 (2), 9 (3), 10 (4), 12–16 (9), Mon 19 Oct (10).
    (
        D(2026, 9, 23),
        wd(10),
        [susp(D(2026, 9, 29), D(2026, 10, 9))],
        None,
        D(2026, 10, 19),
    ),
    # Only over the holiday [Thu 1, Thu 8 Oct): no working day stopped → Wed 14 Oct.
    (D(2026, 9, 23), wd(10), [susp(D(2026, 10, 1), D(2026, 10, 8))], None, D(2026, 10, 14)),
    # Natural days also skip suspensions: Mon 2 Mar 2026 + 10 nd with [4, 9) stopping
    # 4–8 (5 days): 3 (1), 9–17 (10) → Tue 17 Mar.
    (D(2026, 3, 2), nd(10), [susp(D(2026, 3, 4), D(2026, 3, 9))], None, D(2026, 3, 17)),
    # Natural days, suspended up to the last day: Mon 7 Sep 2026 + 5 nd with [8, 10)
    # stopping 8, 9: 10–14 → Mon 14 Sep (a working day).
    (D(2026, 9, 7), nd(5), [susp(D(2026, 9, 8), D(2026, 9, 10))], None, D(2026, 9, 14)),
]


@pytest.mark.parametrize(("start", "rule", "suspensions", "today", "expected"), SUSPENSION_ROWS)
def test_suspended_days_are_not_counted(start, rule, suspensions, today, expected):
    assert dl.decision_deadline(start, rule, suspensions, None, CAL, today=today) == expected


def test_an_open_suspension_needs_today():
    with pytest.raises(ValueError, match="today"):
        dl.decision_deadline(D(2026, 3, 2), wd(10), [susp(D(2026, 3, 4), None)], None, CAL)


def test_a_suspension_cannot_end_before_it_starts():
    with pytest.raises(ValueError, match="before it starts"):
        Suspension(D(2026, 3, 9), D(2026, 3, 4), "检验检测")


# --- extension (第四十二条) ----------------------------------------------------

EXTENSION_ROWS = [
    # Tue 10 Feb 2026 + 20 wd → Mon 16 Mar (across 春节); + 10 wd: 17–20 (4),
    # 23–27 (9), Mon 30 Mar (10).
    (D(2026, 2, 10), wd(20), [], wd(10), D(2026, 3, 30)),
    # Mon 14 Sep 2026 + 5 wd → Sun 20 Sep (调休); + 10 wd: 21–24 (4); 中秋 off;
    # 28–30 (7); 国庆 off; Thu 8, Fri 9, Sat 10 Oct (调休) (10).
    (D(2026, 9, 14), wd(5), [], wd(10), D(2026, 10, 10)),
    # As above with Mon 28 Sep suspended ([28, 29)) inside the extension: → Mon 12 Oct.
    (D(2026, 9, 14), wd(5), [susp(D(2026, 9, 28), D(2026, 9, 29))], wd(10), D(2026, 10, 12)),
    # Mon 2 Mar 2026 + 10 wd with [4, 9) → Thu 19 Mar; + 10 wd: 20 (1), 23–27 (6),
    # 30, 31 (8), Apr 1, Thu 2 Apr (10).
    (D(2026, 3, 2), wd(10), [susp(D(2026, 3, 4), D(2026, 3, 9))], wd(10), D(2026, 4, 2)),
    # Natural: Mon 7 Sep 2026 + 5 nd → Sat 12 → Mon 14 Sep; + 11 nd → Fri 25 Sep (中秋)
    # → 26, 27 off → Mon 28 Sep.
    (D(2026, 9, 7), nd(5), [], nd(11), D(2026, 9, 28)),
]


@pytest.mark.parametrize(("start", "rule", "suspensions", "extension", "expected"), EXTENSION_ROWS)
def test_an_extension_is_counted_on_from_the_original_deadline(
    start, rule, suspensions, extension, expected
):
    assert dl.decision_deadline(start, rule, suspensions, extension, CAL) == expected


EXTENSION_ALLOWED_ROWS = [
    # Promised 10 wd under the legal 20; one extension of 10 wd: allowed.
    (PERMIT_DECISION, wd(10), wd(10), False, PERMIT_EXTENSION_BOUND, None),
    # The full legal 20 + 10: allowed.
    (PERMIT_DECISION, PERMIT_DECISION, wd(10), False, PERMIT_EXTENSION_BOUND, None),
    # A second extension: refused.
    (PERMIT_DECISION, wd(10), wd(5), True, PERMIT_EXTENSION_BOUND, "already_extended"),
    # Eleven working days: beyond 延长十日.
    (PERMIT_DECISION, wd(10), wd(11), False, PERMIT_EXTENSION_BOUND, "exceeds_bound"),
    # Zero days is no extension.
    (PERMIT_DECISION, wd(10), wd(0), False, PERMIT_EXTENSION_BOUND, "not_positive"),
    # Joint handling 45 + 15 (第四十二条第二款): 15 allowed, 16 refused.
    (JOINT_DECISION, JOINT_DECISION, wd(15), False, JOINT_EXTENSION_BOUND, None),
    (JOINT_DECISION, JOINT_DECISION, wd(16), False, JOINT_EXTENSION_BOUND, "exceeds_bound"),
    # 10 natural days never outlast 10 working days: allowed.
    (PERMIT_DECISION, wd(10), nd(10), False, PERMIT_EXTENSION_BOUND, None),
    # Working days against a natural-day bound cannot be compared: refused.
    (nd(30), nd(30), wd(10), False, nd(15), "unit_mismatch"),
    # A promised limit above the legal one cannot be extended past legal + bound.
    (PERMIT_DECISION, wd(25), wd(10), False, PERMIT_EXTENSION_BOUND, "exceeds_legal_total"),
    # The catalogue's TimeLimit works for every argument.
    (
        TimeLimit(value=20),
        TimeLimit(value=15),
        TimeLimit(value=10),
        False,
        TimeLimit(value=10),
        None,
    ),
]


@pytest.mark.parametrize(
    ("legal", "promised", "extension", "already", "bound", "reason"), EXTENSION_ALLOWED_ROWS
)
def test_one_extension_within_the_legal_bound(legal, promised, extension, already, bound, reason):
    kwargs = {
        "legal": legal,
        "promised": promised,
        "extension": extension,
        "already_extended": already,
        "bound": bound,
    }
    assert dl.extension_refusal(**kwargs) == reason
    assert dl.extension_allowed(**kwargs) is (reason is None)


# --- delivery (第四十四条) -----------------------------------------------------

DELIVERY_ROWS = [
    # Decided Wed 30 Sep 2026: 国庆 off; Thu 8, Fri 9, Sat 10 (调休), 12–16 (8), 19, Tue 20 Oct.
    (D(2026, 9, 30), D(2026, 10, 20)),
    # Decided Fri 13 Feb 2026: Sat 14 (1); 春节 off; 24–27 (5), Sat 28 (6), 2–5 Mar → Thu 5 Mar.
    (D(2026, 2, 13), D(2026, 3, 5)),
    # Decided Mon 30 Mar 2026: 31, Apr 1–3 (4); 清明 4–6 off; 7–10 (8), 13, Tue 14 Apr.
    (D(2026, 3, 30), D(2026, 4, 14)),
    # Decided Fri 26 Sep 2025: Sun 28 (调休), 29, 30 (3); 10/1–8 off; 9, 10, Sat 11 (调休) (6),
    # 13, 14, 15, Thu 16 Oct 2025.
    (D(2025, 9, 26), D(2025, 10, 16)),
]


@pytest.mark.parametrize(("decided", "expected"), DELIVERY_ROWS)
def test_the_result_is_due_ten_working_days_after_the_decision(decided, expected):
    assert dl.delivery_deadline(decided, CAL) == expected


# --- working days left and share used (alerts) ------------------------------

DAYS_LEFT_ROWS = [
    # Deadline Thu 8 Oct 2026; today Wed 30 Sep: only Thu 8 remains → 1.
    (D(2026, 10, 8), D(2026, 9, 30), [], 1),
    # Today Mon 28 Sep: 29, 30, 8 Oct → 3.
    (D(2026, 10, 8), D(2026, 9, 28), [], 3),
    # On the deadline day → 0.
    (D(2026, 10, 8), D(2026, 10, 8), [], 0),
    # Fri 9 Oct, one working day late → −1.
    (D(2026, 10, 8), D(2026, 10, 9), [], -1),
    # Sun 11 Oct: Fri 9 and Sat 10 (调休) late → −2.
    (D(2026, 10, 8), D(2026, 10, 11), [], -2),
    # Deadline Fri 13 Mar 2026; Sat 14: overdue with no working day since → −1, not 0.
    (D(2026, 3, 13), D(2026, 3, 14), [], -1),
    # Tue 17 Mar: Mon 16, Tue 17 late → −2.
    (D(2026, 3, 13), D(2026, 3, 17), [], -2),
    # Deadline Thu 19 Mar, today Mon 2 Mar, [4, 9) suspended: 3, 9–13, 16–19 → 10.
    (D(2026, 3, 19), D(2026, 3, 2), [susp(D(2026, 3, 4), D(2026, 3, 9))], 10),
    # Open since Wed 4 Mar, today Fri 6 Mar: 9–13, 16–19 → 9.
    (D(2026, 3, 19), D(2026, 3, 6), [susp(D(2026, 3, 4), None)], 9),
    # Overdue days while suspended do not grow: deadline Fri 13 Mar, suspended from
    # Mon 16 Mar (open), today Wed 18 Mar → −1 (minimum), not −3.
    (D(2026, 3, 13), D(2026, 3, 18), [susp(D(2026, 3, 16), None)], -1),
]


@pytest.mark.parametrize(("deadline", "today", "suspensions", "expected"), DAYS_LEFT_ROWS)
def test_working_days_left(deadline, today, suspensions, expected):
    assert dl.working_days_left(deadline, today, suspensions, CAL) == expected


SHARE_ROWS = [
    # Start Mon 2 Mar 2026, deadline Mon 16 Mar (10 wd). Today Mon 2 Mar → 0.
    (D(2026, 3, 2), D(2026, 3, 16), D(2026, 3, 2), [], 0.0),
    # Before the start → 0.
    (D(2026, 3, 2), D(2026, 3, 16), D(2026, 3, 1), [], 0.0),
    # Fri 6 Mar: 3–6 used → 4/10.
    (D(2026, 3, 2), D(2026, 3, 16), D(2026, 3, 6), [], 0.4),
    # Thu 12 Mar: 3–6, 9–12 → 8/10.
    (D(2026, 3, 2), D(2026, 3, 16), D(2026, 3, 12), [], 0.8),
    # Sat 14 Mar: 9/10 (Saturday adds nothing).
    (D(2026, 3, 2), D(2026, 3, 16), D(2026, 3, 14), [], 0.9),
    # Tue 17 Mar, overdue: 11/10.
    (D(2026, 3, 2), D(2026, 3, 16), D(2026, 3, 17), [], 1.1),
    # With [4, 9) suspended, deadline Thu 19 Mar: Fri 6 Mar has used only Tue 3 → 1/10.
    (D(2026, 3, 2), D(2026, 3, 19), D(2026, 3, 6), [susp(D(2026, 3, 4), D(2026, 3, 9))], 0.1),
    # A zero-day limit on its day is fully used.
    (D(2026, 3, 2), D(2026, 3, 2), D(2026, 3, 2), [], 1.0),
]


@pytest.mark.parametrize(("start", "deadline", "today", "suspensions", "expected"), SHARE_ROWS)
def test_time_used_share(start, deadline, today, suspensions, expected):
    share = dl.time_used_share(start, deadline, today, suspensions, CAL)
    assert share == pytest.approx(expected)


# Start Mon 2 Mar 2026 + 20 wd: 3–6 (4), 9–13 (9), 16–20 (14), 23–27 (19), Mon 30 Mar (20).
START_20 = D(2026, 3, 2)
DEADLINE_20 = D(2026, 3, 30)

ALERT_ROWS = [
    # Mon 23 Mar: 15/20 = 0.75 used, 24–27, 30 = 5 left → none.
    (D(2026, 3, 23), {}, AlertLevel.NONE),
    # Tue 24 Mar: 16/20 = 0.8 used (≥ 0.8), 4 left → yellow by share.
    (D(2026, 3, 24), {}, AlertLevel.YELLOW),
    # Wed 25 Mar with share threshold 0.95: 17/20 = 0.85, 3 left → none.
    (D(2026, 3, 25), {"yellow_share": 0.95}, AlertLevel.NONE),
    # Thu 26 Mar with share threshold 0.95: 0.9, but 27 and 30 = 2 left (≤ 2) → yellow.
    (D(2026, 3, 26), {"yellow_share": 0.95}, AlertLevel.YELLOW),
    # On the deadline day Mon 30 Mar → yellow (0 left), not red.
    (D(2026, 3, 30), {}, AlertLevel.YELLOW),
    # Tue 31 Mar, overdue → red.
    (D(2026, 3, 31), {}, AlertLevel.RED),
    # Custom thresholds 0.5 / 0 days: Fri 13 Mar 9/20 = 0.45 → none …
    (D(2026, 3, 13), {"yellow_share": 0.5, "yellow_days_left": 0}, AlertLevel.NONE),
    # … Mon 16 Mar 10/20 = 0.5 → yellow.
    (D(2026, 3, 16), {"yellow_share": 0.5, "yellow_days_left": 0}, AlertLevel.YELLOW),
]


@pytest.mark.parametrize(("today", "thresholds", "expected"), ALERT_ROWS)
def test_alert_levels_at_their_thresholds(today, thresholds, expected):
    level = dl.alert_level(DEADLINE_20, today, START_20, [], CAL, **thresholds)
    assert level == expected


def test_overdue_on_a_weekend_after_a_friday_deadline_is_red():
    # Start Mon 2 Mar 2026 + 9 wd → Fri 13 Mar; Sat 14 Mar is after it.
    assert dl.alert_level(D(2026, 3, 13), D(2026, 3, 14), START_20, [], CAL) == AlertLevel.RED


def test_a_suspended_clock_does_not_turn_yellow():
    # Start Mon 2 Mar + 10 wd, open suspension since Wed 4, today Tue 10 Mar: deadline
    # Mon 23 Mar (row above); used Tue 3 only (1/10), left 11–13, 16–20, 23 = 9 → none.
    suspensions = [susp(D(2026, 3, 4), None)]
    today = D(2026, 3, 10)
    deadline = dl.decision_deadline(START_20, wd(10), suspensions, None, CAL, today=today)
    assert deadline == D(2026, 3, 23)
    assert dl.alert_level(deadline, today, START_20, suspensions, CAL) == AlertLevel.NONE


# --- recompute: every date from the stored facts ----------------------------


def test_recompute_derives_every_date_of_a_suspended_and_extended_case():
    facts = CaseClockFacts(
        received=D(2026, 3, 2),
        accepted_on=D(2026, 3, 2),
        suspensions=(susp(D(2026, 3, 4), D(2026, 3, 9)),),
        extension=wd(10),
        decided_on=D(2026, 3, 30),
    )
    result = dl.recompute(facts, wd(10), CAL)
    # Mon 2 Mar + 5 wd: 3, 4, 5, 6, Mon 9.
    assert result.acceptance_deadline == D(2026, 3, 9)
    assert result.clock_start == D(2026, 3, 2)
    # 10 wd skipping 4–6 → Thu 19 Mar; + 10 wd → Thu 2 Apr.
    assert result.decision_deadline_original == D(2026, 3, 19)
    assert result.decision_deadline == D(2026, 4, 2)
    # Decided Mon 30 Mar + 10 wd across 清明 → Tue 14 Apr.
    assert result.delivery_deadline == D(2026, 4, 14)


def test_recompute_starts_the_clock_when_the_supplement_is_complete():
    # Received Thu 12 Feb 2026, supplement requested Fri 13 Feb, completed Wed 4 Mar;
    # 10 wd from Wed 4 Mar: 5, 6, 9–13 (7), 16, 17, Wed 18 Mar.
    facts = CaseClockFacts(
        received=D(2026, 2, 12),
        supplement_requested_on=D(2026, 2, 13),
        supplement_completed_on=D(2026, 3, 4),
        accepted_on=D(2026, 3, 4),
    )
    result = dl.recompute(facts, wd(10), CAL)
    assert result.acceptance_deadline == D(2026, 2, 26)
    assert result.clock_start == D(2026, 3, 4)
    assert result.decision_deadline == D(2026, 3, 18)
    assert result.delivery_deadline is None


def test_recompute_has_no_decision_deadline_while_the_supplement_is_awaited():
    facts = CaseClockFacts(received=D(2026, 2, 12), supplement_requested_on=D(2026, 2, 13))
    result = dl.recompute(facts, wd(10), CAL)
    assert result.clock_start is None
    assert result.decision_deadline is None
    assert result.decision_deadline_original is None


def test_recompute_has_no_decision_clock_for_a_refused_application():
    facts = CaseClockFacts(received=D(2026, 2, 12), refused_on=D(2026, 2, 13))
    result = dl.recompute(facts, wd(10), CAL)
    assert result.clock_start is None
    assert result.decision_deadline is None


def test_recompute_counts_an_open_suspension_up_to_today():
    facts = CaseClockFacts(
        received=D(2026, 3, 2),
        accepted_on=D(2026, 3, 2),
        suspensions=(susp(D(2026, 3, 4), None),),
    )
    assert dl.recompute(facts, wd(10), CAL, today=D(2026, 3, 10)).decision_deadline == D(
        2026, 3, 23
    )


# --- a year without calendar data is an error, never a guess ---------------

YEAR_2027_CALLS = [
    # Received Mon 28 Dec 2026: 29, 30, 31, then 2027.
    lambda: dl.acceptance_deadline(D(2026, 12, 28), CAL),
    # Mon 14 Dec 2026 + 20 wd runs into January 2027.
    lambda: dl.decision_deadline(D(2026, 12, 14), wd(20), [], None, CAL),
    # Mon 28 Dec 2026 + 10 nd ends Thu 7 Jan 2027, whose status is unknown.
    lambda: dl.decision_deadline(D(2026, 12, 28), nd(10), [], None, CAL),
    # Fri 18 Dec 2026 + 5 wd → Fri 25 Dec; an extension of 10 wd runs into 2027.
    lambda: dl.decision_deadline(D(2026, 12, 18), wd(5), [], wd(10), CAL),
    # Decided Mon 21 Dec 2026: 22–25, 28–31 (8), then 2027.
    lambda: dl.delivery_deadline(D(2026, 12, 21), CAL),
    # Overdue counted into 2027.
    lambda: dl.working_days_left(D(2026, 12, 31), D(2027, 1, 5), [], CAL),
    lambda: dl.alert_level(D(2027, 1, 5), D(2026, 12, 30), D(2026, 12, 1), [], CAL),
    lambda: dl.recompute(
        CaseClockFacts(received=D(2026, 12, 14), accepted_on=D(2026, 12, 14)), wd(20), CAL
    ),
]


@pytest.mark.parametrize("call", YEAR_2027_CALLS)
def test_a_date_in_2027_is_the_calendar_year_unavailable_error(call):
    with pytest.raises(DomainError) as excinfo:
        call()
    assert excinfo.value.code == "calendar_year_unavailable"
    assert excinfo.value.extra == {"year": 2027}


# --- properties --------------------------------------------------------------

starts = st.dates(min_value=D(2025, 1, 1), max_value=D(2026, 3, 31))
limits = st.integers(min_value=0, max_value=60)
units = st.sampled_from([W, N])


@st.composite
def suspensions_near(draw, start: dt.date) -> list[Suspension]:
    rows = []
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        begin = start + dt.timedelta(days=draw(st.integers(min_value=-10, max_value=80)))
        length = draw(st.integers(min_value=0, max_value=30))
        rows.append(Suspension(begin, begin + dt.timedelta(days=length), "p"))
    return rows


@settings(max_examples=150, deadline=None)
@given(start=starts, limit=limits, unit=units, data=st.data())
def test_a_suspension_never_makes_the_deadline_earlier(start, limit, unit, data):
    rule = TimeRule(limit, unit)
    some = data.draw(suspensions_near(start))
    more = some + data.draw(suspensions_near(start))
    without = dl.decision_deadline(start, rule, [], None, CAL)
    with_some = dl.decision_deadline(start, rule, some, None, CAL)
    with_more = dl.decision_deadline(start, rule, more, None, CAL)
    assert without <= with_some <= with_more
    # Recording the same suspensions twice changes nothing.
    assert dl.decision_deadline(start, rule, some + some, None, CAL) == with_some


@settings(max_examples=150, deadline=None)
@given(start=starts, limit=limits, extra=limits, unit=units, data=st.data())
def test_longer_limits_and_extensions_never_give_earlier_deadlines(start, limit, extra, unit, data):
    suspensions = data.draw(suspensions_near(start))
    shorter = dl.decision_deadline(start, TimeRule(limit, unit), suspensions, None, CAL)
    longer = dl.decision_deadline(start, TimeRule(limit + extra, unit), suspensions, None, CAL)
    extended = dl.decision_deadline(
        start, TimeRule(limit, unit), suspensions, TimeRule(extra, unit), CAL
    )
    assert shorter <= longer
    assert shorter <= extended


@settings(max_examples=150, deadline=None)
@given(start=starts, limit=st.integers(min_value=1, max_value=60))
def test_a_working_day_deadline_agrees_with_the_calendar_and_is_a_working_day(start, limit):
    deadline = dl.decision_deadline(start, wd(limit), [], None, CAL)
    assert deadline == CAL.add_working_days(start, limit)
    assert CAL.is_working(deadline)
    # On the start day the whole limit is left.
    assert dl.working_days_left(deadline, start, [], CAL) == limit


@settings(max_examples=150, deadline=None)
@given(start=starts, limit=st.integers(min_value=1, max_value=60), data=st.data())
def test_a_natural_day_deadline_is_a_working_day_on_which_the_clock_runs(start, limit, data):
    suspensions = data.draw(suspensions_near(start))
    deadline = dl.decision_deadline(start, nd(limit), suspensions, None, CAL)
    assert CAL.is_working(deadline)
    assert not any(s.start <= deadline < s.end for s in suspensions if s.end)
    assert deadline >= start + dt.timedelta(days=limit)


def _counted_day_by_day(after, through, stopped, cal):
    """The reference: each day after ``after`` through ``through``, one at a time."""
    count, day = 0, after
    while day < through:
        day += dt.timedelta(days=1)
        if day not in stopped and cal.is_working(day):
            count += 1
    return count


_DAY = st.dates(min_value=D(2024, 1, 1), max_value=D(2026, 12, 31))


@settings(max_examples=400, deadline=None)
@given(
    after=_DAY,
    through=_DAY,
    today=_DAY,
    spans=st.lists(
        st.tuples(_DAY, st.one_of(st.none(), st.integers(min_value=0, max_value=90))), max_size=4
    ),
)
def test_running_working_days_are_the_day_by_day_count(after, through, today, spans):
    """The clock's count of running working days (one subtraction from the
    calendar's table, less each stopped interval) is what counting day by day
    gives, with overlapping, nested, open and empty suspensions."""
    suspensions = [
        Suspension(start, None if length is None else start + dt.timedelta(days=length))
        for start, length in spans
    ]
    stopped = dl._Stopped(suspensions, today)
    assert dl._running_working_days(after, through, stopped, CAL) == _counted_day_by_day(
        after, through, stopped, CAL
    )


def test_the_calendars_count_refuses_an_uncovered_year_as_the_days_do():
    years = sorted(CAL.years)
    with pytest.raises(DomainError):
        CAL.working_days_after(D(years[-1], 12, 1), D(years[-1] + 1, 1, 5))
    with pytest.raises(DomainError):
        CAL.is_working(D(years[-1] + 1, 1, 5))
    first = D(years[0], 1, 1)
    assert CAL.working_days_after(first - dt.timedelta(days=1), first) == int(CAL.is_working(first))
    assert CAL.working_days_after(D(2026, 1, 1), D(2026, 1, 1)) == 0
    assert CAL.working_days_after(D(2026, 1, 5), D(2026, 1, 1)) == 0
    assert CAL.working_days_after(D(2025, 12, 31), D(2026, 12, 31)) == CAL.working_days_between(
        D(2025, 12, 31), D(2026, 12, 31)
    )
