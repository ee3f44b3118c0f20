"""Where a case's statutory clock stands (行政许可法 第四十二条, 第四十五条, 第八十二条)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings

from tongban.cases import deadlines, workflow
from tongban.cases.models import Case, CaseStatus
from tongban.core.calendar import WorkingCalendar, get_calendar
from tongban.core.errors import DomainError


@dataclass(frozen=True)
class CaseClock:
    """Where the case's statutory clock stands on ``today``.

    ``phase`` is ``acceptance`` (受理期限, 第三十二条), ``decision`` (办结期限,
    第四十二条), ``delivery`` (送达期限, 第四十四条) or ``none`` (no clock runs:
    awaiting a supplement, delivered, or closed).
    """

    phase: str
    deadline: dt.date | None
    working_days_left: int | None
    alert: deadlines.AlertLevel | None
    stopped: bool = False


_NO_CLOCK = CaseClock(phase="none", deadline=None, working_days_left=None, alert=None)


def _suspensions(case: Case) -> list[deadlines.Suspension]:
    return [deadlines.Suspension(s.start_on, s.end_on, s.reason) for s in case.suspensions.all()]


def _decision_deadline_on(
    case: Case,
    start: dt.date,
    suspensions: list[deadlines.Suspension],
    today: dt.date,
    cal: WorkingCalendar,
) -> dt.date:
    limit = case.rules["promised_limit"]
    rule = deadlines.TimeRule(limit["value"], limit["unit"])
    extension = (
        deadlines.TimeRule(case.extension_days, limit["unit"]) if case.extension_days else None
    )
    return deadlines.decision_deadline(start, rule, suspensions, extension, cal, today=today)


def clock_reads_suspensions(case: Case) -> bool:
    """Whether :func:`case_clock` reads the case's suspensions: only a running
    decision clock does (the branches below, in the same order)."""
    status = case.status
    if status in workflow.TERMINAL or status in _NO_SUSPENSION_READ:
        return False
    return case.decision_deadline is not None


_NO_SUSPENSION_READ = (
    CaseStatus.SUPPLEMENT_REQUESTED,
    CaseStatus.DELIVERED,
    CaseStatus.DECIDED,
)


def case_clock(case: Case, today: dt.date, *, cal: WorkingCalendar | None = None) -> CaseClock:
    """Working days left and the alert tier (行政许可法 第八十二条, 第四十五条).

    Suspended days count neither way; the thresholds are the settings
    ``TONGBAN_ALERT_YELLOW_SHARE`` and ``TONGBAN_ALERT_YELLOW_DAYS_LEFT``.
    """
    status = case.status
    suspensions: list[deadlines.Suspension] = []
    if status in workflow.TERMINAL or status in (
        CaseStatus.SUPPLEMENT_REQUESTED,
        CaseStatus.DELIVERED,
    ):
        return _NO_CLOCK
    if status == CaseStatus.DECIDED:
        phase, deadline, start = "delivery", case.delivery_deadline, case.decided_on
    elif case.decision_deadline is not None:
        phase, deadline = "decision", case.decision_deadline
        start = deadlines.clock_start(
            case.received_on,
            case.supplement_requested_on,
            case.supplement_completed_on,
            case.accepted_on,
            deemed=case.deemed_accepted,
        )
        suspensions = _suspensions(case)
    elif status == CaseStatus.SUBMITTED:
        phase, deadline, start = "acceptance", case.acceptance_deadline, case.received_on
    else:
        return _NO_CLOCK
    if deadline is None:
        return _NO_CLOCK
    calendar = cal or get_calendar()
    stopped = status == CaseStatus.SUSPENDED
    try:
        if start is not None and any(s.end is None for s in suspensions):
            # The stored deadline assumed the clock would resume the day after it
            # was stored; while the suspension lasts, it moves on (第四十五条).
            deadline = _decision_deadline_on(case, start, suspensions, today, calendar)
        left = deadlines.working_days_left(deadline, today, suspensions, calendar)
        alert = deadlines.alert_level(
            deadline,
            today,
            start or case.received_on,
            suspensions,
            calendar,
            yellow_share=settings.TONGBAN_ALERT_YELLOW_SHARE,
            yellow_days_left=settings.TONGBAN_ALERT_YELLOW_DAYS_LEFT,
        )
    except DomainError:
        # A year without calendar data between the deadline and today: the
        # dates stand, the count cannot be made (the admin is warned elsewhere).
        return CaseClock(phase=phase, deadline=deadline, working_days_left=None, alert=None)
    return CaseClock(
        phase=phase, deadline=deadline, working_days_left=left, alert=alert, stopped=stopped
    )
