"""The clock of a case (DESIGN §4): pure deadline arithmetic.

Every function here is a pure function of stored facts, a rule and a
:class:`~tongban.core.calendar.WorkingCalendar`: no clock reads, no database,
no models (CONVENTIONS 6). The services load the facts of a case, call
:func:`recompute`, store the dates it returns and write a history row for
every date that changed. Dates are ``datetime.date`` in Asia/Shanghai; the
services convert.

Counting conventions (the law, and the choices made where it is silent):

* **The day of the event is not counted.** "N days from day S" ends on the
  N-th counted day after S (民法典 第二百零一条: 按照年、月、日计算期间的，
  开始的当日不计入，自下一日开始计算). With N = 0 the deadline is S itself.
* **Working days.** 行政许可法 第八十二条: 本法规定的行政机关实施行政许可的
  期限以工作日计算，不含法定节假日. Working days come from the calendar, so
  调休 make-up Saturdays and Sundays count and holidays on weekdays do not.
* **Natural days** count every calendar day, but a period whose last day is a
  rest day ends on the next working day (民法典 第二百零三条: 期间的最后一日是
  法定休假日的，以法定休假日结束的次日为期间的最后一日; 法定休假日 in that
  sense includes weekends, as in judicial practice).
* **Suspensions** (特别程序, 行政许可法 第四十五条: 听证、招标、拍卖、检验、
  检测、检疫、鉴定和专家评审 所需时间不计算在期限内) are half-open: a
  suspension from day S with resumption day R stops the days S … R−1, and the
  clock runs again on R (R counts if it is a working day). R == S stops
  nothing. Overlapping or nested suspensions stop the union of their days,
  never a day twice. An open suspension (``end is None``) stops its days up to
  and including ``today``: the deadline shown while it lasts assumes the clock
  resumes tomorrow, and moves on as the suspension goes on.
* **The decision clock** starts on acceptance; when a supplement (补正) was
  requested it starts on the day the materials are complete; a deemed
  acceptance starts it on the day of receipt (第三十二条). The start day is not
  counted (first bullet).
* **An extension** is counted on from the end of the original period, with its
  own unit, skipping suspended days as well (第四十二条).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from tongban.catalog.content import LimitUnit, TimeLimit
from tongban.core.calendar import MAX_DAYS, WorkingCalendar

_ONE_DAY = dt.timedelta(days=1)

# 行政许可法 第三十二条: 五日内一次告知申请人需要补正的全部内容.
ACCEPTANCE_WORKING_DAYS = 5
# 行政许可法 第四十四条: 自作出决定之日起十日内 颁发、送达行政许可证件.
DELIVERY_WORKING_DAYS = 10


@dataclass(frozen=True)
class TimeRule:
    """A time limit: ``limit`` days in ``unit`` (working or natural days)."""

    limit: int
    unit: LimitUnit = LimitUnit.WORKING_DAYS

    def __post_init__(self) -> None:
        if not 0 <= self.limit <= MAX_DAYS:
            raise ValueError(f"time limit must be between 0 and {MAX_DAYS}, got {self.limit}")
        # Accept the stored string value ("working_days") as well as the enum.
        object.__setattr__(self, "unit", LimitUnit(self.unit))

    @property
    def working(self) -> bool:
        return self.unit == LimitUnit.WORKING_DAYS


RuleLike = TimeRule | TimeLimit


def as_rule(rule: RuleLike) -> TimeRule:
    """A :class:`TimeRule` from itself or from a guide's ``TimeLimit``."""
    if isinstance(rule, TimeRule):
        return rule
    return TimeRule(rule.value, rule.unit)


# 行政许可法 第四十二条第一款: 二十日内作出决定; 经本行政机关负责人批准，可以延长十日.
PERMIT_DECISION = TimeRule(20)
PERMIT_EXTENSION_BOUND = TimeRule(10)
# 行政许可法 第四十二条第二款: 统一办理、联合办理、集中办理 不得超过四十五日;
# 经本级人民政府负责人批准，可以延长十五日.
JOINT_DECISION = TimeRule(45)
JOINT_EXTENSION_BOUND = TimeRule(15)


def extension_bound(*, joint: bool) -> TimeRule:
    """The longest lawful extension: 10 days, or 15 for joint handling (第四十二条)."""
    return JOINT_EXTENSION_BOUND if joint else PERMIT_EXTENSION_BOUND


@dataclass(frozen=True)
class Suspension:
    """Days on which the clock is stopped: ``start`` … ``end`` − 1.

    ``end`` is the resumption day (the clock runs again on it); ``None`` while
    the suspension lasts. 行政许可法 第四十五条.
    """

    start: dt.date
    end: dt.date | None
    reason: str = ""

    def __post_init__(self) -> None:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"suspension ends ({self.end}) before it starts ({self.start})")


class AlertLevel(StrEnum):
    NONE = "none"
    YELLOW = "yellow"
    RED = "red"


class _Stopped:
    """The union of suspended days: a day is stopped if any suspension covers it.

    Membership, not a sum of lengths, is what keeps overlapping or nested
    suspensions from stopping a day twice.
    """

    def __init__(self, suspensions: Iterable[Suspension], today: dt.date | None) -> None:
        intervals: list[tuple[dt.date, dt.date]] = []
        for s in suspensions:
            end = s.end
            if end is None:
                if today is None:
                    raise ValueError("an open suspension needs `today` to be counted")
                # Stopped up to and including today (at least its first day).
                end = max(today, s.start) + _ONE_DAY
            if end > s.start:
                intervals.append((s.start, end))
        self._intervals = intervals

    def __contains__(self, day: dt.date) -> bool:
        return any(start <= day < end for start, end in self._intervals)

    def merged(self) -> list[tuple[dt.date, dt.date]]:
        """The stopped days as disjoint ``[start, end)`` intervals, in order."""
        merged: list[tuple[dt.date, dt.date]] = []
        for start, end in sorted(self._intervals):
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        return merged


def _runs(day: dt.date, stopped: _Stopped, cal: WorkingCalendar, working: bool) -> bool:
    """Whether ``day`` counts towards a limit in the given unit."""
    if day in stopped:
        return False
    return cal.is_working(day) if working else True


def _count_on(start: dt.date, rule: TimeRule, stopped: _Stopped, cal: WorkingCalendar) -> dt.date:
    """The last day of ``rule`` counted after ``start`` (start not counted)."""
    current = start
    remaining = rule.limit
    guard = 0
    while remaining:
        current += _ONE_DAY
        guard += 1
        if guard > MAX_DAYS * 4:  # only reachable with absurd suspensions
            raise ValueError("deadline more than 40 years away")
        if _runs(current, stopped, cal, rule.working):
            remaining -= 1
    if rule.limit and not rule.working:
        # 民法典 第二百零三条: the last day of a natural-day period that is a
        # rest day moves to the next working day (on which the clock runs).
        while not _runs(current, stopped, cal, True):
            current += _ONE_DAY
    return current


def acceptance_deadline(received: dt.date, cal: WorkingCalendar) -> dt.date:
    """The last day to accept, refuse or send the supplement notice.

    行政许可法 第三十二条 (五日内一次告知申请人需要补正的全部内容) read with
    第八十二条 (working days): the 5th working day after the day of receipt.
    """
    return cal.add_working_days(received, ACCEPTANCE_WORKING_DAYS)


def deemed_accepted(
    received: dt.date, today: dt.date, decided_on_acceptance: bool, cal: WorkingCalendar
) -> bool:
    """Whether the application now counts as accepted for want of an answer.

    行政许可法 第三十二条: 逾期不告知的，自收到申请材料之日起即为受理. True when
    no acceptance, refusal or supplement notice was issued and ``today`` is
    after the :func:`acceptance_deadline`; the deemed acceptance date is
    ``received`` (not ``today``).
    """
    if decided_on_acceptance:
        return False
    return today > acceptance_deadline(received, cal)


def clock_start(
    received: dt.date,
    supplement_requested_on: dt.date | None,
    supplement_completed_on: dt.date | None,
    accepted_on: dt.date | None,
    *,
    deemed: bool = False,
) -> dt.date | None:
    """The day the decision clock starts, or ``None`` while it has not.

    行政许可法 第四十二条 counts the decision period from acceptance
    (自受理行政许可申请之日起). While a supplement (补正, 第三十二条) is awaited
    the clock has not started; it starts on the day the materials are
    complete. A deemed acceptance (第三十二条: 自收到申请材料之日起即为受理)
    starts it on the day of receipt. The start day itself is not counted by
    :func:`decision_deadline` (民法典 第二百零一条).
    """
    if deemed:
        return received
    if supplement_requested_on is not None:
        return supplement_completed_on
    return accepted_on


def decision_deadline(
    start: dt.date,
    rule: RuleLike,
    suspensions: Sequence[Suspension],
    extension: RuleLike | None,
    cal: WorkingCalendar,
    *,
    today: dt.date | None = None,
) -> dt.date:
    """The last day to decide: ``rule`` counted from ``start``, then ``extension``.

    行政许可法 第四十二条 (二十日内作出决定; 延长十日) with 第八十二条 (working
    days), 第四十五条 (special procedures are not counted: suspended days are
    skipped in both units) and, for natural-day rules, 民法典 第二百零三条 (a
    period ending on a rest day ends on the next working day). The extension
    is counted on from the end of the original period. ``today`` is needed
    only when a suspension is open.
    """
    stopped = _Stopped(suspensions, today)
    deadline = _count_on(start, as_rule(rule), stopped, cal)
    if extension is not None:
        deadline = _count_on(deadline, as_rule(extension), stopped, cal)
    return deadline


def extension_refusal(
    *,
    legal: RuleLike,
    promised: RuleLike,
    extension: RuleLike,
    already_extended: bool,
    bound: RuleLike = PERMIT_EXTENSION_BOUND,
) -> str | None:
    """Why an extension may not be granted, or ``None`` when it may.

    行政许可法 第四十二条: one extension, approved by the head of the agency, of
    at most ten days (``PERMIT_EXTENSION_BOUND``), or fifteen for joint handling
    (``JOINT_EXTENSION_BOUND``, 第四十二条第二款). Reasons are stable keys:

    * ``already_extended`` — a case is extended once only;
    * ``not_positive`` — an extension of zero days;
    * ``exceeds_bound`` — longer than ``bound``;
    * ``unit_mismatch`` — in working days against a natural-day bound (not
      comparable without dates; natural days against a working-day bound are,
      since N natural days never outlast N working days);
    * ``exceeds_legal_total`` — the promised limit plus the extension would
      outrun the legal limit plus the bound (same unit only).
    """
    legal_r, promised_r = as_rule(legal), as_rule(promised)
    extension_r, bound_r = as_rule(extension), as_rule(bound)
    if already_extended:
        return "already_extended"
    if extension_r.limit <= 0:
        return "not_positive"
    if extension_r.working and not bound_r.working:
        return "unit_mismatch"
    if extension_r.limit > bound_r.limit:
        return "exceeds_bound"
    if (
        legal_r.unit == promised_r.unit == extension_r.unit == bound_r.unit
        and promised_r.limit + extension_r.limit > legal_r.limit + bound_r.limit
    ):
        return "exceeds_legal_total"
    return None


def extension_allowed(
    *,
    legal: RuleLike,
    promised: RuleLike,
    extension: RuleLike,
    already_extended: bool,
    bound: RuleLike = PERMIT_EXTENSION_BOUND,
) -> bool:
    """Whether the extension is within 行政许可法 第四十二条; see :func:`extension_refusal`."""
    return (
        extension_refusal(
            legal=legal,
            promised=promised,
            extension=extension,
            already_extended=already_extended,
            bound=bound,
        )
        is None
    )


def extension_outruns_the_law(
    *,
    start: dt.date,
    legal: RuleLike,
    promised: RuleLike,
    extension: RuleLike,
    bound: RuleLike,
    suspensions: Sequence[Suspension],
    cal: WorkingCalendar,
    today: dt.date | None = None,
) -> bool:
    """Whether the promised limit plus ``extension`` ends after the statutory
    limit plus its lawful extension, counted as dates from the same start.

    A promised limit (承诺时限) shorter than the statutory one is what the
    applicant was told; it may be extended, but never past the day the law
    itself would allow (第四十二条). Compared as dates, so that limits in
    different units (natural against working days) are compared too.
    """
    extended = decision_deadline(start, promised, suspensions, extension, cal, today=today)
    lawful = decision_deadline(start, legal, suspensions, bound, cal, today=today)
    return extended > lawful


def delivery_deadline(decided_on: dt.date, cal: WorkingCalendar) -> dt.date:
    """The last day to deliver the result: 10 working days after the decision.

    行政许可法 第四十四条: 应当自作出决定之日起十日内向申请人颁发、送达行政许可
    证件, with 第八十二条 (working days); the decision day is not counted.
    """
    return cal.add_working_days(decided_on, DELIVERY_WORKING_DAYS)


def _running_working_days(
    after: dt.date, through: dt.date, stopped: _Stopped, cal: WorkingCalendar
) -> int:
    """Working, unsuspended days after ``after`` up to and including ``through``:
    the calendar's count (one subtraction, ``WorkingCalendar.working_days_after``)
    less the working days of each stopped interval within the range."""
    if through <= after:
        return 0
    count = cal.working_days_after(after, through)
    for start, end in stopped.merged():
        low = max(start, after + _ONE_DAY)
        high = min(end - _ONE_DAY, through)  # the interval's last stopped day
        if low <= high:
            count -= cal.working_days_after(low - _ONE_DAY, high)
    return count


def working_days_left(
    deadline: dt.date,
    today: dt.date,
    suspensions: Sequence[Suspension],
    cal: WorkingCalendar,
) -> int:
    """Working days the clock still runs before the deadline (第八十二条, 第四十五条).

    The running working days after ``today`` up to and including
    ``deadline``: 0 on the deadline day. When overdue, minus the running
    working days after the deadline up to and including ``today``, and at
    least 1 (so overdue on a weekend after a Friday deadline is −1, not 0).
    Suspended days count in neither direction.
    """
    stopped = _Stopped(suspensions, today)
    if today <= deadline:
        return _running_working_days(today, deadline, stopped, cal)
    return -max(1, _running_working_days(deadline, today, stopped, cal))


def time_used_share(
    start: dt.date,
    deadline: dt.date,
    today: dt.date,
    suspensions: Sequence[Suspension],
    cal: WorkingCalendar,
) -> float:
    """The share of the limit used, in running working days (第八十二条, 第四十五条).

    Running working days from ``start`` (not counted) through ``today``,
    divided by those through ``deadline``. 0.0 before the start; above 1.0
    when overdue. A zero-day limit (即办件) is fully used on its day.
    """
    stopped = _Stopped(suspensions, today)
    if today <= start:
        return 1.0 if deadline <= start and today >= deadline else 0.0
    total = _running_working_days(start, deadline, stopped, cal)
    used = _running_working_days(start, today, stopped, cal)
    if total == 0:
        return 1.0 if today >= deadline else 0.0
    return used / total


def _limit_length(
    start: dt.date,
    deadline: dt.date,
    today: dt.date,
    suspensions: Sequence[Suspension],
    cal: WorkingCalendar,
) -> int:
    """Running working days from ``start`` (not counted) through ``deadline``."""
    return _running_working_days(start, deadline, _Stopped(suspensions, today), cal)


def alert_level(
    deadline: dt.date,
    today: dt.date,
    start: dt.date,
    suspensions: Sequence[Suspension],
    cal: WorkingCalendar,
    *,
    yellow_share: float = 0.8,
    yellow_days_left: int = 2,
) -> AlertLevel:
    """The supervision tier of a running clock (DESIGN §4; 行政许可法 第四十二条).

    Red when overdue (``today`` after ``deadline``); yellow when the used share
    is at least ``yellow_share``, or when at most ``yellow_days_left`` working
    days remain but never while more than half of the limit is left (so a
    1-day item is not yellow at acceptance); otherwise none. Both thresholds
    come from settings. With the defaults (0.8, 2), by limit length L in
    working days (docs/supervision.md has the table):

    * L = 0 (即办件) and L = 1: yellow on the deadline day only;
    * L = 2 or 3: yellow with 1 working day left;
    * L = 4 … 10: yellow with 2 working days left;
    * L > 10: yellow once 80 % is used (4 days left of 20, 12 of 60).
    """
    if today > deadline:
        return AlertLevel.RED
    left = working_days_left(deadline, today, suspensions, cal)
    if left <= min(yellow_days_left, _limit_length(start, deadline, today, suspensions, cal) // 2):
        return AlertLevel.YELLOW
    if time_used_share(start, deadline, today, suspensions, cal) >= yellow_share:
        return AlertLevel.YELLOW
    return AlertLevel.NONE


@dataclass(frozen=True)
class CaseClockFacts:
    """The stored facts from which every date of a case is derived."""

    received: dt.date
    accepted_on: dt.date | None = None
    deemed: bool = False
    refused_on: dt.date | None = None
    supplement_requested_on: dt.date | None = None
    supplement_completed_on: dt.date | None = None
    suspensions: tuple[Suspension, ...] = field(default_factory=tuple)
    extension: TimeRule | None = None
    decided_on: dt.date | None = None
    delivered_on: dt.date | None = None
    # 一件事 窗口统一出件: a member's result is handed out with the bundle's, by the
    # bundle's deadline (never sooner than 第四十四条's ten days).
    unified_delivery_by: dt.date | None = None


@dataclass(frozen=True)
class Deadlines:
    """Every date of a case's clock; ``None`` where it does not (yet) apply."""

    acceptance_deadline: dt.date
    clock_start: dt.date | None
    decision_deadline_original: dt.date | None
    decision_deadline: dt.date | None
    delivery_deadline: dt.date | None


def recompute(
    facts: CaseClockFacts,
    rule: RuleLike,
    cal: WorkingCalendar,
    *,
    today: dt.date | None = None,
) -> Deadlines:
    """All the dates of a case, re-derived from its stored facts.

    第三十二条 (acceptance deadline; deemed acceptance on receipt; the clock
    waits for a supplement), 第四十二条 (decision period and its extension),
    第四十五条 (suspensions), 第四十四条 (delivery; for a member of a bundle
    delivered together, not before the bundle's deadline). A refused application
    (不予受理) has no decision clock. ``today`` is needed only while a
    suspension is open.
    """
    accept_by = acceptance_deadline(facts.received, cal)
    start: dt.date | None = None
    if facts.refused_on is None:
        start = clock_start(
            facts.received,
            facts.supplement_requested_on,
            facts.supplement_completed_on,
            facts.accepted_on,
            deemed=facts.deemed,
        )
    original: dt.date | None = None
    decide_by: dt.date | None = None
    if start is not None:
        original = decision_deadline(start, rule, facts.suspensions, None, cal, today=today)
        decide_by = (
            original
            if facts.extension is None
            else decision_deadline(
                start, rule, facts.suspensions, facts.extension, cal, today=today
            )
        )
    deliver_by = None if facts.decided_on is None else delivery_deadline(facts.decided_on, cal)
    if deliver_by is not None and facts.unified_delivery_by is not None:
        deliver_by = max(deliver_by, facts.unified_delivery_by)
    return Deadlines(
        acceptance_deadline=accept_by,
        clock_start=start,
        decision_deadline_original=original,
        decision_deadline=decide_by,
        delivery_deadline=deliver_by,
    )
